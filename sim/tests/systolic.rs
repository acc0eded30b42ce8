//! Systolic-array model: properties of the fast cost and of the SCALE-Sim replay, and the
//! agreement between the two where both are exact.

use lutforge_sim::systolic::{
    gemm_cost, replay, Dataflow, DramBandwidth, Layer, Mapping, ReplayMemory, SystolicArray,
};
use proptest::prelude::*;

mod common;

/// Failing cases of this file's properties, replayed first on every run (committed).
const REGRESSIONS: &str = common::regressions!("systolic");

fn dataflow() -> impl Strategy<Value = Dataflow> {
    prop_oneof![Just(Dataflow::Os), Just(Dataflow::Ws), Just(Dataflow::Is)]
}

fn array(
    dataflow: Dataflow,
    rows: u64,
    cols: u64,
    kib: u64,
    bandwidth: DramBandwidth,
) -> SystolicArray {
    SystolicArray {
        rows,
        cols,
        dataflow,
        ifmap_sram_bytes: kib * 1024,
        filter_sram_bytes: kib * 1024,
        ofmap_sram_bytes: kib * 1024,
        word_bytes: 1,
        bandwidth,
        weight_double_buffer: false,
    }
}

fn user(words_per_cycle: u64) -> DramBandwidth {
    DramBandwidth::User {
        ifmap_words_per_cycle: words_per_cycle,
        filter_words_per_cycle: words_per_cycle,
        ofmap_words_per_cycle: words_per_cycle,
    }
}

proptest! {
    #![proptest_config(common::persisted(64, REGRESSIONS))]

    #[test]
    fn fast_cost_respects_the_array_bound(
        df in dataflow(), rows in 1u64..=64, cols in 1u64..=64,
        m in 1u64..=300, n in 1u64..=300, k in 1u64..=300, kib in 1u64..=64, bw in 1u64..=64,
    ) {
        let c = gemm_cost(&array(df, rows, cols, kib, user(bw)), m, n, k);
        prop_assert_eq!(c.macs, m * n * k);
        prop_assert!(c.total_cycles >= c.compute_cycles);
        prop_assert!(c.compute_cycles * rows * cols >= c.macs, "{:?}", c);
        prop_assert!(c.compute_util <= 1.0 && c.compute_util > 0.0);
        prop_assert!(c.mapping_efficiency <= 1.0 && c.mapping_efficiency > 0.0);
        prop_assert!(c.dram_read_bytes >= (m * k).min(k * n));
    }

    #[test]
    fn more_bandwidth_never_adds_stalls_in_the_fast_cost(
        df in dataflow(), rows in 1u64..=64, cols in 1u64..=64,
        m in 1u64..=300, n in 1u64..=300, k in 1u64..=300, kib in 1u64..=16,
        bw in 1u64..=32, extra in 0u64..=64,
    ) {
        let slow = gemm_cost(&array(df, rows, cols, kib, user(bw)), m, n, k);
        let fast = gemm_cost(&array(df, rows, cols, kib, user(bw + extra)), m, n, k);
        let calc = gemm_cost(&array(df, rows, cols, kib, DramBandwidth::Calc), m, n, k);
        prop_assert!(fast.stall_cycles <= slow.stall_cycles);
        prop_assert!(calc.stall_cycles <= fast.stall_cycles);
    }
}

proptest! {
    #![proptest_config(common::persisted(64, REGRESSIONS))]

    /// Double-buffered weights pipeline the folds: never slower than SCALE-Sim's fold model,
    /// equal with one fold, and still bounded by the weight shift-in (`rows` cycles per fold)
    /// and by the MACs the array can do.
    #[test]
    fn double_buffered_weights_overlap_the_folds(
        rows in 1u64..=64, cols in 1u64..=64,
        m in 1u64..=300, n in 1u64..=300, k in 1u64..=300,
    ) {
        let plain = array(Dataflow::Ws, rows, cols, 64, DramBandwidth::Calc);
        let double = SystolicArray { weight_double_buffer: true, ..plain };
        let (a, b) = (gemm_cost(&plain, m, n, k), gemm_cost(&double, m, n, k));
        prop_assert!(b.compute_cycles <= a.compute_cycles);
        if a.folds == 1 {
            prop_assert_eq!(b.compute_cycles, a.compute_cycles);
        }
        prop_assert!(b.compute_cycles >= a.folds * rows);
        prop_assert!(b.compute_cycles * rows * cols >= b.macs);
        prop_assert_eq!((b.macs, b.folds, b.dram_read_bytes), (a.macs, a.folds, a.dram_read_bytes));
    }
}

#[test]
fn double_buffered_decode_gemv_is_bound_by_the_weight_shift_in() {
    // 1 x 4096 x 4096 on 128 x 128: 32 x 32 folds. SCALE-Sim charges 2*128 + 128 + 1 - 2 = 383
    // cycles per fold; with a second weight register each fold but the last takes the 128
    // cycles of shifting the next tile in.
    let plain = array(Dataflow::Ws, 128, 128, 1024, DramBandwidth::Calc);
    let double = SystolicArray {
        weight_double_buffer: true,
        ..plain
    };
    assert_eq!(gemm_cost(&plain, 1, 4096, 4096).compute_cycles, 1024 * 383);
    assert_eq!(
        gemm_cost(&double, 1, 4096, 4096).compute_cycles,
        128 + 1023 * 128 + 1 + 128 + 128 - 2
    );
}

proptest! {
    #![proptest_config(common::persisted(48, REGRESSIONS))]

    /// The SCALE-Sim replay: cycles cover the MACs, utilizations are at most 100%, and the
    /// fast cost's closed-form parts (cycles without stalls, SRAM counts, efficiencies) equal it.
    #[test]
    fn replay_bounds_and_agreement_with_fast_cost(
        df in dataflow(), rows in 1u64..=24, cols in 1u64..=24,
        m in 1u64..=60, n in 1u64..=60, k in 1u64..=60, kib in 1u64..=4, user_bw in proptest::option::of(1u64..=32),
    ) {
        let layer = Layer::gemm("p", m, n, k);
        let mapping = Mapping::new(df, rows, cols, &layer);
        let mem = ReplayMemory {
            ifmap_words: kib * 1024,
            filter_words: kib * 1024,
            ofmap_words: kib * 1024,
            user_bandwidth: user_bw.map(|b| (b, b, b)),
        };
        // SCALE-Sim itself divides by zero on a layer that takes no cycle (a 1x1 array on a
        // 1x1x1 GEMM); the replay reports that as an error, which is not a case to compare.
        let r = match replay(&layer, &mapping, &mem) {
            Err(e) if e.to_string().contains("takes 0 cycles") => {
                prop_assume!(false);
                unreachable!()
            }
            other => other.expect("replay"),
        };
        prop_assert!(((r.total_cycles + 1) as u64) * rows * cols >= layer.macs());
        // SCALE-Sim's cycle count is the index of the last cycle (one short), and its overall
        // utilization divides by it: at most 100% of the real `total_cycles + 1` cycles (a 1x1
        // output-stationary array on a K = 2 dot product reports 200% of 1 cycle).
        prop_assert!(
            r.overall_util_pct * r.total_cycles as f64 <= 100.0 * (r.total_cycles + 1) as f64 * (1.0 + 1e-12),
            "{} % over {} cycles", r.overall_util_pct, r.total_cycles
        );
        prop_assert!(r.compute_util_pct <= 100.0);
        prop_assert!(r.mapping_efficiency_pct <= 100.0);
        let bw = user_bw.map_or(DramBandwidth::Calc, user);
        let c = gemm_cost(&array(df, rows, cols, kib, bw), m, n, k);
        prop_assert_eq!(c.compute_cycles as i64, r.total_cycles + 1 - r.stall_cycles);
        prop_assert_eq!(c.sram_ifmap_read_words, r.sram[0].words);
        prop_assert_eq!(c.sram_filter_read_words, r.sram[1].words);
        let phantom = if df == Dataflow::Os { mapping.folds() * (rows + cols) } else { 0 };
        prop_assert_eq!(c.sram_ofmap_write_words + phantom, r.sram[2].words);
        prop_assert_eq!(c.mapping_efficiency * 100.0, r.mapping_efficiency_pct);
        prop_assert_eq!(c.compute_util * 100.0, r.compute_util_pct);
    }
}

/// SCALE-Sim's own numbers for `configs/scalesim/scale.cfg` on `configs/scalesim/gemm.csv`
/// (32x32 ws, 64 KiB SRAMs, CALC), recorded from SCALE-Sim 3.0.0, so this runs without Python.
#[test]
fn replay_matches_recorded_scalesim_report() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let cfg = lutforge_sim::systolic::scalesim::ScaleSimConfig::from_file(
        &root.join("configs/scalesim/scale.cfg"),
    )
    .expect("config");
    let layers = lutforge_sim::systolic::scalesim::read_topology(
        &root.join("configs/scalesim/gemm.csv"),
        lutforge_sim::systolic::scalesim::TopologyKind::Gemm,
    )
    .expect("topology");
    let results: Vec<_> = layers
        .iter()
        .enumerate()
        .map(|(i, l)| {
            lutforge_sim::systolic::scalesim::run_layer(&cfg, l, i, "gemm.csv", true)
                .expect("layer")
        })
        .collect();
    let (compute, _, _) = lutforge_sim::systolic::scalesim::reports(&results);
    let expected = EXPECTED_GEMM_COMPUTE;
    assert_eq!(compute, expected);
}

const EXPECTED_GEMM_COMPUTE: &str = "LayerID, Total Cycles (incl. prefetch), Total Cycles, Stall Cycles, Overall Util %, Mapping Efficiency %, Compute Util %,\n\
0, 1084, 631, 0, 19.01743264659271, 46.875, 15.873015873015872,\n\
1, 2950, 1331, 0, 57.700976709241175, 100.0, 50.592885375494056,\n\
";

proptest! {
    #![proptest_config(common::persisted(64, REGRESSIONS))]

    /// In the SCALE-Sim replay too, a wider USER-mode DRAM port never adds stall cycles.
    #[test]
    fn more_bandwidth_never_adds_stalls_in_the_replay(
        df in dataflow(), rows in 1u64..=16, cols in 1u64..=16,
        m in 1u64..=60, n in 1u64..=60, k in 1u64..=60, kib in 1u64..=2, bw in 1u64..=16, extra in 1u64..=32,
    ) {
        let layer = Layer::gemm("p", m, n, k);
        let mapping = Mapping::new(df, rows, cols, &layer);
        let mem = |b: u64| ReplayMemory { ifmap_words: kib * 1024, filter_words: kib * 1024, ofmap_words: kib * 1024, user_bandwidth: Some((b, b, b)) };
        let slow = replay(&layer, &mapping, &mem(bw)).unwrap();
        let fast = replay(&layer, &mapping, &mem(bw + extra)).unwrap();
        prop_assert!(fast.stall_cycles <= slow.stall_cycles, "slow {} fast {}", slow.stall_cycles, fast.stall_cycles);
    }
}

/// The shipped TPU-like architecture loads as an `Arch` whose matrix unit is the systolic array.
#[test]
fn shipped_systolic_arch_loads() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../configs/arch/systolic-int8-128x128.toml");
    let arch = lutforge_sim::Arch::from_file(&path).expect("valid");
    let Some(a) = arch.machine_as::<lutforge_sim::systolic::SystolicArray>() else {
        panic!("not a systolic array: {:?}", arch.machine)
    };
    assert_eq!((a.rows, a.cols, a.dataflow), (128, 128, Dataflow::Ws));
    assert_eq!(
        a.bandwidth,
        DramBandwidth::Calc,
        "DRAM is the engine's [dram], not SCALE-Sim ports"
    );
    let c = gemm_cost(a, 128, 4096, 4096);
    assert_eq!(c.macs, 128 * 4096 * 4096);
    assert!(c.compute_util > 0.0 && c.compute_util <= 1.0);
    assert_eq!(arch.buffers.activation_bytes, a.ifmap_sram_bytes);
}
