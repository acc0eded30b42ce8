//! The shared physics of the engine seam: DRAM capacity, sustained bandwidth with overlapped
//! scheduling against an independent bound, static energy, and `--set` overrides.

use lutforge_models::{ModelConfig, QuantScheme};
use lutforge_sim::arch::Override;
use lutforge_sim::schedule::streaming::{run, uniform_cycles};
use lutforge_sim::{engine, Arch, Report, SimError};
use lutforge_workloads::Workload;
use proptest::prelude::*;

mod common;

const REGRESSIONS: &str = common::regressions!("seam_physics");

fn arch(file: &str, sets: &[&str]) -> Arch {
    let path = format!("{}/../configs/arch/{file}", env!("CARGO_MANIFEST_DIR"));
    let overrides: Vec<Override> = sets.iter().map(|s| s.parse().unwrap()).collect();
    Arch::from_file_with(path.as_ref(), &overrides).unwrap()
}

fn simulate(
    arch: &Arch,
    model: &str,
    quant: &str,
    batch: u64,
    prefill: u64,
    decode: u64,
) -> Result<Report, SimError> {
    let model = ModelConfig::preset(model).unwrap();
    let quant: QuantScheme = quant.parse().unwrap();
    let workload = Workload::new(model, quant, batch, prefill, decode).unwrap();
    engine::simulate(arch, &workload, Vec::new())
}

#[test]
fn a_workload_larger_than_dram_fails_with_bytes_needed_and_available() {
    let lut = arch("lut-tc.toml", &[]);
    let e = simulate(&lut, "mixtral-8x7b", "w4a8kv4", 64, 2048, 16).unwrap_err();
    let text = e.to_string();
    assert!(matches!(e, SimError::Capacity { .. }), "{text}");
    assert!(
        text.contains("needs") && text.contains("dram.capacity_gbytes gives 8.00 GB"),
        "{text}"
    );
    // Enough capacity: the same model at batch 1 on a 96 GB memory runs.
    let big = arch("lut-tc.toml", &["dram.capacity_gbytes=96"]);
    assert!(simulate(&big, "mixtral-8x7b", "w4a8kv4", 1, 64, 4).is_ok());
}

/// Seconds per decode step no design can beat: every linear weight of the model in the
/// scheme's storage (bits per weight including scales), read once at the DRAM's peak.
fn weight_bandwidth_bound_s(
    model: &ModelConfig,
    quant: &QuantScheme,
    peak_bytes_per_s: f64,
) -> f64 {
    model.linear_param_count() as f64 * quant.bits_per_weight() / 8.0 / peak_bytes_per_s
}

#[test]
fn overlapped_decode_gets_closer_to_the_weight_bound_and_never_beats_it() {
    let model = ModelConfig::preset("llama-2-7b").unwrap();
    let quant: QuantScheme = "w2a8kv4".parse().unwrap();
    let seq = arch("lut-tc.toml", &["schedule=sequential"]);
    let ovl = arch("lut-tc.toml", &["schedule=overlapped"]);
    let bound = weight_bandwidth_bound_s(&model, &quant, seq.dram.peak_bytes_per_s);
    let tpot = |a: &Arch| {
        simulate(a, "llama-2-7b", "w2a8kv4", 1, 16, 17)
            .unwrap()
            .summary
            .tpot_s
            .unwrap()
    };
    let (t_seq, t_ovl) = (tpot(&seq), tpot(&ovl));
    assert!(t_ovl >= bound, "overlapped {t_ovl} below the bound {bound}");
    assert!(t_seq >= bound, "sequential {t_seq} below the bound {bound}");
    assert!(
        t_ovl < t_seq,
        "overlapped {t_ovl} not faster than sequential {t_seq}"
    );
}

#[test]
fn a_slower_design_at_equal_dynamic_energy_reports_more_total_energy() {
    let fast = arch("lut-tc.toml", &[]);
    let slow = arch("lut-tc.toml", &["clock_mhz=500"]);
    let a = simulate(&fast, "tiny-llama", "w2a8kv4", 1, 32, 8).unwrap();
    let b = simulate(&slow, "tiny-llama", "w2a8kv4", 1, 32, 8).unwrap();
    let (da, db) = (a.summary.dynamic_energy_j, b.summary.dynamic_energy_j);
    assert!(
        (da - db).abs() <= 1e-9 * da,
        "dynamic energy differs: {da} vs {db}"
    );
    assert!(b.summary.total_time_s > a.summary.total_time_s);
    assert!(
        b.summary.static_energy_j > a.summary.static_energy_j && a.summary.static_energy_j > 0.0
    );
    assert!(b.summary.total_energy_j > a.summary.total_energy_j);
    let watts = a.summary.static_energy_j / a.summary.total_time_s;
    assert!((watts - a.summary.static_power_w).abs() < 1e-6 * watts);
}

#[test]
fn set_overrides_are_validated_like_the_file() {
    let path = format!("{}/../configs/arch/lut-tc.toml", env!("CARGO_MANIFEST_DIR"));
    let with = |s: &str| Arch::from_file_with(path.as_ref(), &[s.parse().unwrap()]);
    assert_eq!(with("cores=4").unwrap().cores, 4);
    let e = with("cores=0").unwrap_err().to_string();
    assert!(e.contains("field `cores`") && e.contains("(got 0)"), "{e}");
    let e = with("dram.sustained_fraction=1.5").unwrap_err().to_string();
    assert!(e.contains("dram.sustained_fraction"), "{e}");
    let e = with("lut.frobnicate=1").unwrap_err().to_string();
    assert!(e.contains("frobnicate"), "{e}");
    // Switching kind without the other family's section is a clear error.
    let e = with("kind=mac_tensor_core").unwrap_err().to_string();
    assert!(e.contains("does not use a [lut] section"), "{e}");
}

proptest! {
    #![proptest_config(common::persisted(64, REGRESSIONS))]

    /// The streaming scheduler's recurrence equals the closed form for uniform items, whatever
    /// the FIFO depths.
    #[test]
    fn streaming_uniform_items_follow_the_closed_form(
        service in proptest::collection::vec(1u64..50, 1..6),
        depth in 1u64..8,
        items in 1u64..200,
    ) {
        let depths = vec![depth; service.len()];
        let r = run(&depths, items, |i, _| service[i]);
        prop_assert_eq!(r.total_cycles, uniform_cycles(&service, items));
    }

    /// Deeper FIFOs never slow a pipeline down.
    #[test]
    fn deeper_fifos_never_slow_a_pipeline(
        seed in 0u64..1000,
        depth in 1u64..6,
    ) {
        let service = |i: usize, n: u64| 1 + (seed.wrapping_mul(31).wrapping_add(n * 7 + i as u64 * 13)) % 9;
        let shallow = run(&[depth, depth, depth], 100, service);
        let deep = run(&[depth + 1, depth + 1, depth + 1], 100, service);
        prop_assert!(deep.total_cycles <= shallow.total_cycles);
    }
}

#[test]
fn the_timeline_shows_prefetch_only_under_the_overlapped_schedule() {
    let model = ModelConfig::preset("tiny-llama").unwrap();
    let quant: QuantScheme = "w2a8kv4".parse().unwrap();
    let workload = Workload::new(model, quant, 1, 16, 4).unwrap();
    let prefetched = |schedule: &str| {
        let a = arch("lut-tc.toml", &[&format!("schedule={schedule}")]);
        let (_, timeline) = engine::simulate_with_timeline(&a, &workload, Vec::new()).unwrap();
        timeline
            .windows(2)
            .filter(|w| w[1].cost.dram_bytes > 0 && w[1].placement.dram_start < w[0].placement.end)
            .count()
    };
    assert!(
        prefetched("overlapped") > 0,
        "no op fetched during its predecessor"
    );
    assert_eq!(prefetched("sequential"), 0);
}
