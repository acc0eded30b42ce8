//! Vector-quantized (VQ) formats, which no shipped family runs on its matrix unit: every
//! architecture file refuses VQ weights and activations with a reason naming VQ (never a panic
//! or a silent substitution), a run with a fallback unit sends those products there, and an
//! architecture without one reports the scheme as unrunnable.

mod common;

use lutforge_models::{ActFormat, QuantScheme, WeightFormat};
use lutforge_sim::support;

use common::archs::{arch, run};

/// Every file under configs/arch.
fn arch_files() -> Vec<String> {
    let dir = format!("{}/../configs/arch", env!("CARGO_MANIFEST_DIR"));
    let mut files: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|f| f.ends_with(".toml"))
        .collect();
    files.sort();
    files
}

#[test]
fn every_family_refuses_vq_with_a_reason() {
    let weight = WeightFormat::Vq {
        centroids: 16,
        len: 2,
    };
    let act = ActFormat::Vq {
        centroids: 64,
        len: 2,
    };
    let files = arch_files();
    assert!(files.len() >= 3, "{files:?}");
    for file in files {
        let a = arch(&file, &[]);
        if file == "fpga-v80-lutllm.toml" {
            // LUT-LLM's design: its vq2d engine runs exactly these formats.
            assert_eq!(support::weight_problem(&a, weight), None);
            assert_eq!(support::act_problem(&a, act), None);
            continue;
        }
        for problem in [
            support::weight_problem(&a, weight),
            support::act_problem(&a, act),
        ] {
            let problem = problem.unwrap_or_else(|| panic!("{file} accepts VQ"));
            assert!(problem.contains("VQ"), "{file}: {problem}");
            assert!(!problem.contains('\n'), "{file}: {problem}");
        }
    }
}

#[test]
fn lut_llm_scheme_runs_on_the_fallback_unit() {
    let lut = arch("lut-tc.toml", &[]);
    let r = run(&lut, "llama-2-7b", "wv16x2av64x2", 1, 32, 4);
    assert_eq!(r.inputs.quant, "wv16x2av64x2kv16");
    assert!(r.summary.ttft_s > 0.0 && r.summary.ttft_s.is_finite());
    let projections: Vec<_> = r.ops.iter().filter(|o| o.kind.ends_with("_proj")).collect();
    assert!(projections.len() >= 4);
    for o in projections {
        assert!(
            o.unit.starts_with("fallback"),
            "{} {}: {}",
            o.phase,
            o.kind,
            o.unit
        );
    }
    assert!(
        r.notes.iter().any(|n| n.contains("VQ weights")),
        "{:?}",
        r.notes
    );
    // 2 bits per weight, like INT2: the same DRAM bytes within the codebooks' 64 bytes per
    // matrix (and any difference in activation traffic).
    let int2 = run(&lut, "llama-2-7b", "w2a8", 1, 32, 4);
    let bytes = |r: &lutforge_sim::Report| -> u64 {
        r.ops
            .iter()
            .filter(|o| o.phase == "decode" && o.kind.ends_with("_proj"))
            .map(|o| o.dram_bytes)
            .sum()
    };
    let ratio = bytes(&r) as f64 / bytes(&int2) as f64;
    assert!((0.99..1.01).contains(&ratio), "{ratio}");
}

#[test]
fn without_a_fallback_vq_is_unrunnable() {
    let no_fallback = arch("lut-tc.toml", &[("fallback.unit", "none".into())]);
    let quant: QuantScheme = "wv16x2av64x2".parse().unwrap();
    let problems = support::problems(&no_fallback, &quant);
    assert!(
        problems
            .iter()
            .any(|p| p.starts_with("weights: VQ weights (wv16x2)")),
        "{problems:?}"
    );
    assert!(
        problems
            .iter()
            .any(|p| p.starts_with("activations: VQ activations (av64x2)")),
        "{problems:?}"
    );
}
