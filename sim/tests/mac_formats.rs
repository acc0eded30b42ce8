//! The MAC family's fp16 mode (`mac.act_format = "fp16"`, `configs/arch/mac-tc-fp16.toml`):
//! low-bit weights times FP16 activations run on the matrix unit, cost more energy per MAC and
//! more area than the INT8 datapath at the same cycles, and the mode's fields are validated.

use lutforge_models::{ActFormat, KvFormat, ModelConfig, QuantScheme, WeightFormat};
use lutforge_sim::energy::area::arch_area;
use lutforge_sim::mac_tensor_core::{run_tile, MacArray, MacError, MacTileInput};
use lutforge_sim::{simulate, support, Arch, Report};
use lutforge_workloads::Workload;

fn path(file: &str) -> std::path::PathBuf {
    format!("{}/../configs/arch/{file}", env!("CARGO_MANIFEST_DIR")).into()
}

fn arch(file: &str) -> Arch {
    Arch::from_file(&path(file)).unwrap()
}

fn with(file: &str, sets: &[&str]) -> Result<Arch, String> {
    let overrides: Vec<_> = sets.iter().map(|s| s.parse().unwrap()).collect();
    Arch::from_file_with(&path(file), &overrides).map_err(|e| e.to_string())
}

fn run(arch: &Arch, quant: &str, prefill: u64, decode: u64) -> Report {
    let model = ModelConfig::preset("llama-2-7b").unwrap();
    let quant: QuantScheme = quant.parse().unwrap();
    let workload = Workload::new(model, quant, 1, prefill, decode).unwrap();
    simulate(arch, &workload, Vec::new()).unwrap()
}

/// Prefill compute cycles of the weight projections.
fn projection_cycles(r: &Report) -> Vec<u64> {
    r.ops
        .iter()
        .filter(|o| o.phase == "prefill" && o.kind.ends_with("proj"))
        .map(|o| o.compute_cycles)
        .collect()
}

#[test]
fn fp16_mode_runs_w2a16kv4_on_the_matrix_unit() {
    let fp = arch("mac-tc-fp16.toml");
    for quant in ["w2a16kv4", "w1.58afp8", "w4a8kv8", "w1a16kv4"] {
        let scheme: QuantScheme = quant.parse().unwrap();
        assert!(support::act_problem(&fp, scheme.act).is_none(), "{quant}");
        let report = run(&fp, quant, 64, 8);
        assert_eq!(report.inputs.quant, scheme.to_string());
        let projections: Vec<_> = report
            .ops
            .iter()
            .filter(|o| o.kind.ends_with("_proj"))
            .collect();
        assert!(projections.len() >= 4, "{quant}");
        for o in projections {
            assert_eq!(o.unit, "matrix", "{quant} {} {}", o.phase, o.kind);
        }
        assert!(
            !report.notes.iter().any(|n| n.contains("activation")),
            "{:?}",
            report.notes
        );
    }
    // fp16 weights (the LM head) and an fp16 KV cache are refused by the matrix unit.
    let m = &fp.machine;
    assert!(m.weight_problem(WeightFormat::Fp16).is_some());
    assert!(m.weight_problem(WeightFormat::Codebook(4)).is_some());
    assert!(m.weight_problem(WeightFormat::Int(8)).is_none());
    assert!(m.kv_problem(KvFormat::Fp16).is_some());
    assert!(m.kv_problem(KvFormat::Int8).is_none());
    // The integer array keeps today's answers: no FP16 activations at mult_bits = 8.
    assert!(arch("mac-tc.toml")
        .machine
        .act_problem(ActFormat::Fp16)
        .is_some());
}

#[test]
fn fp16_mode_costs_more_energy_per_mac_and_area_at_the_same_cycles() {
    let int = run(&arch("mac-tc.toml"), "w2a8kv4", 256, 2);
    let fp = run(&arch("mac-tc-fp16.toml"), "w2a16kv4", 256, 2);
    let macs = |r: &Report| r.energy.multiply_j + r.energy.add_j;
    // Same MAC count (same tiles): fp16 multiplies and fp32 adds cost more than INT8
    // multiplies and integer adds (Horowitz, ISSCC 2014: 1.1 vs 0.2 pJ, 0.9 vs ~0.1 pJ).
    assert!(
        macs(&fp) > 3.0 * macs(&int),
        "fp {} J vs int {} J",
        macs(&fp),
        macs(&int)
    );
    assert!(fp.energy.multiply_j > 5.0 * int.energy.multiply_j);
    assert_eq!(projection_cycles(&fp), projection_cycles(&int));
    let area_fp = arch_area(&arch("mac-tc-fp16.toml")).matrix_mm2;
    let area_int = arch_area(&arch("mac-tc.toml")).matrix_mm2;
    assert!(area_fp > 2.0 * area_int, "{area_fp} vs {area_int} mm^2");
}

#[test]
fn int_mode_is_the_default_and_unchanged() {
    let explicit = with("mac-tc.toml", &["mac.act_format=\"int\""]).unwrap();
    let default = arch("mac-tc.toml");
    let a = explicit.machine_as::<MacArray>().unwrap();
    let b = default.machine_as::<MacArray>().unwrap();
    assert_eq!(a, b);
    assert!(!b.is_fp());
}

#[test]
fn fp16_mode_fields_are_validated() {
    let file = path("mac-tc-fp16.toml").display().to_string();
    assert_eq!(
        with("mac-tc-fp16.toml", &["mac.mult_bits=8"]).unwrap_err(),
        format!("{file}: field `mac.mult_bits`: must be 16 with mac.act_format = \"fp16\" (FP16 multipliers) (got 8)")
    );
    assert_eq!(
        with("mac-tc-fp16.toml", &["mac.acc_bits=24"]).unwrap_err(),
        format!("{file}: field `mac.acc_bits`: must be 32 with mac.act_format = \"fp16\" (FP32 accumulation) (got 24)")
    );
    let file = path("mac-tc.toml").display().to_string();
    assert_eq!(
        with("mac-tc.toml", &["mac.act_format=\"bf16\""]).unwrap_err(),
        format!("{file}: field `mac.act_format`: must be \"int\" or \"fp16\" (got \"bf16\")")
    );
}

#[test]
fn the_stepped_model_refuses_the_fp16_mode() {
    let fp = arch("mac-tc-fp16.toml");
    let array = fp.machine_as::<MacArray>().unwrap();
    let input = MacTileInput {
        weight_bits: 2,
        k_chunks: 1,
        activations: vec![0; (array.tile_m * array.tile_k) as usize],
        weights: vec![0; (array.tile_k * array.tile_n) as usize],
    };
    assert_eq!(run_tile(array, &input).unwrap_err(), MacError::FpMode);
}
