//! Whole-model runs of the LUT family's number formats: binary weights cost one plane on a
//! symmetric array, and floating-point activations run on an FP16-table array as requested.

use lutforge_models::{ModelConfig, QuantScheme};
use lutforge_sim::{simulate, support, Arch, Report};
use lutforge_workloads::Workload;

fn arch(file: &str) -> Arch {
    let path = format!("{}/../configs/arch/{file}", env!("CARGO_MANIFEST_DIR"));
    Arch::from_file(std::path::Path::new(&path)).unwrap()
}

fn run(arch: &Arch, quant: &str, prefill: u64, decode: u64) -> Report {
    let model = ModelConfig::preset("llama-2-7b").unwrap();
    let quant: QuantScheme = quant.parse().unwrap();
    let workload = Workload::new(model, quant, 1, prefill, decode).unwrap();
    simulate(arch, &workload, Vec::new()).unwrap()
}

/// Cycles of the prefill weight projections (the ops whose low-precision operand is weights).
fn projection_cycles(report: &Report) -> Vec<(String, u64)> {
    report
        .ops
        .iter()
        .filter(|o| o.phase == "prefill" && o.unit == "matrix" && !o.kind.starts_with("attn"))
        .map(|o| (o.kind.clone(), o.cycles))
        .collect()
}

#[test]
fn binary_weights_take_one_plane_on_the_symmetric_default() {
    let lut = arch("lut-tc.toml");
    let w1 = projection_cycles(&run(&lut, "w1a8kv4", 2048, 2));
    let w2 = projection_cycles(&run(&lut, "w2a8kv4", 2048, 2));
    assert_eq!(w1.len(), w2.len());
    assert!(w1.len() >= 4, "{w1:?}");
    for ((kind, c1), (_, c2)) in w1.iter().zip(&w2) {
        let ratio = *c1 as f64 / *c2 as f64;
        assert!(
            ratio <= 0.6,
            "{kind}: W1 {c1} cycles vs W2 {c2} ({ratio:.3})"
        );
    }
}

#[test]
fn floating_point_activations_run_unsubstituted_on_fp16_tables() {
    // The projections run on the LUT array itself (not on the fallback unit), in the scheme
    // asked for, on the FP16 array and on the default's two datapaths.
    let on_matrix = |a: &Arch, quant: &str| {
        let scheme: QuantScheme = quant.parse().unwrap();
        assert!(
            support::act_problem(a, scheme.act).is_none(),
            "{} {quant}",
            a.name
        );
        let report = run(a, quant, 64, 8);
        assert_eq!(report.inputs.quant, scheme.to_string());
        assert!(
            report.summary.ttft_s > 0.0 && report.summary.ttft_s.is_finite(),
            "{quant}"
        );
        for o in report.ops.iter().filter(|o| o.kind.ends_with("proj")) {
            assert_eq!(o.unit, "matrix", "{} {quant} {}", a.name, o.kind);
        }
        assert!(
            !report.notes.iter().any(|n| n.contains("activation")),
            "{:?}",
            report.notes
        );
    };
    let fp = arch("lut-tc-fp16.toml");
    for quant in ["w2a16", "w1.58afp8", "w4a16kv4"] {
        on_matrix(&fp, quant);
    }
    let default = arch("lut-tc.toml");
    for quant in ["w2a16", "w1.58afp8", "w2a8kv4"] {
        on_matrix(&default, quant);
    }
    // Single-datapath arrays cannot run the other format on their matrix unit: an integer
    // array FP16, the FP16 array INT8.
    let int = arch("lut-tc-m4n16-g2.toml");
    let a16: QuantScheme = "w2a16kv4".parse().unwrap();
    let p = support::matrix_problems(&int, &a16);
    assert!(p.iter().any(|p| p.contains("lut-tc-fp16.toml")), "{p:?}");
    assert!(support::act_problem(&fp, lutforge_models::ActFormat::Int8).is_some());
}

#[test]
fn fp_tables_cost_more_energy_per_lookup_than_integer_tables() {
    // The default's two datapaths, same tile, same work: FP16 adds and FP32 accumulation must
    // cost more than 10-bit entry adds and 32-bit integer accumulation (Horowitz, ISSCC 2014: fp32 add 0.9 pJ vs int32 add 0.1 pJ).
    let int = run(&arch("lut-tc.toml"), "w2a8kv4", 256, 2);
    let fp = run(&arch("lut-tc.toml"), "w2a16kv4", 256, 2);
    assert!(fp.energy.add_j > 2.0 * int.energy.add_j);
    // The tile's cycles do not depend on the activation format (DRAM traffic does).
    let compute = |r: &Report| -> Vec<u64> {
        r.ops
            .iter()
            .filter(|o| o.phase == "prefill" && o.unit == "matrix" && !o.kind.starts_with("attn"))
            .map(|o| o.compute_cycles)
            .collect()
    };
    assert_eq!(compute(&int), compute(&fp));
}
