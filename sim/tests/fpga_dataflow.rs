//! The FPGA dataflow family end to end: the TeLLMe design on a KV260 against its published
//! figures, the LUT-LLM design on a V80, the fit check, FIFO depth against bursts, and the
//! engines' report.

mod common;

use common::archs::{arch, arch_doc, run};
use lutforge_sim::{Arch, SimError};

/// TeLLMe v2 (Chen et al., arXiv 2510.15926, abstract; FPGA'26): "up to 25 tokens/s" decode
/// and a TTFT of 0.45 s and 0.96 s for 64- and 128-token prompts on the KV260. The simulated
/// design must land within 30% of each.
#[test]
fn tellme_on_the_kv260_lands_within_30_percent_of_its_published_figures() {
    let a = arch("fpga-kv260-tellme.toml", &[]);
    for (prompt, published_ttft_s) in [(64, 0.45), (128, 0.96)] {
        let r = run(&a, "bitnet-b1.58-large", "w1.58a8kv16h8", 1, prompt, 128);
        let s = &r.summary;
        let tps = s.decode_tokens_per_s.unwrap();
        let ttft_error = (s.ttft_s - published_ttft_s) / published_ttft_s;
        let tps_error = (tps - 25.0) / 25.0;
        assert!(
            ttft_error.abs() <= 0.30,
            "prompt {prompt}: TTFT {:.3} s vs published {published_ttft_s} s ({:+.0}%)",
            s.ttft_s,
            100.0 * ttft_error
        );
        assert!(
            tps_error.abs() <= 0.30,
            "prompt {prompt}: decode {tps:.1} tokens/s vs published 25 ({:+.0}%)",
            100.0 * tps_error
        );
    }
}

#[test]
fn the_tellme_design_fits_its_kv260_and_reports_its_engines() {
    let a = arch("fpga-kv260-tellme.toml", &[]);
    let r = run(&a, "bitnet-b1.58-large", "w1.58a8kv16h8", 1, 16, 8);
    let names: Vec<&str> = r.engines.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(names, ["tlmm", "attention", "eltwise", "host"]);
    let tlmm = &r.engines[0];
    assert!(tlmm.utilization > 0.0 && tlmm.utilization < 1.0);
    // Preloaded weights: the engine waits for every matrix it loads.
    assert!(tlmm.dram_wait_cycles > 0);
    assert!(r
        .ops
        .iter()
        .any(|o| o.kind == "lm_head" && o.unit == "host"));
    assert!(r
        .ops
        .iter()
        .any(|o| o.kind == "qkv_proj" && o.unit == "tlmm"));
    assert_eq!(r.summary.area_mm2, 0.0);
    assert!(r.summary.static_power_w > 0.0);
}

#[test]
fn lut_llm_on_the_v80_runs_qwen3_and_streams_its_weights() {
    let a = arch("fpga-v80-lutllm.toml", &[]);
    let r = run(&a, "qwen3-1.7b", "wv16x2av64x2kv16hv16x2", 1, 32, 16);
    assert!(r.ops.iter().any(|o| o.kind == "ffn_up" && o.unit == "vq2d"));
    let vq = r.engines.iter().find(|e| e.name == "vq2d").unwrap();
    assert!(vq.fifo_depth_items == 32 && vq.fifo_peak_items >= 1);
    assert!(r.summary.ttft_s > 0.0 && r.summary.decode_tokens_per_s.unwrap() > 0.0);
}

#[test]
fn the_v80_design_does_not_fit_a_kv260() {
    let doc = arch_doc("fpga-v80-lutllm.toml", &[("fpga.device", "kv260".into())]);
    let err =
        Arch::from_toml_str(&toml::to_string(&doc).unwrap(), "v80-on-kv260.toml").unwrap_err();
    let text = err.to_string();
    assert!(matches!(err, SimError::InvalidField { .. }), "{text}");
    assert!(
        text.contains("fpga.device") && text.contains("kv260"),
        "{text}"
    );
    assert!(
        ["LUT", "FF", "DSP", "BRAM", "URAM"]
            .iter()
            .any(|r| text.contains(r)),
        "{text}"
    );
    assert_eq!(text.lines().count(), 1, "{text}");
}

/// Prefill attention costs more per token the later the token (causal), so the engines of a
/// dataflow layer run at uneven rates: a FIFO of one row makes the faster stage wait for room
/// (blocked cycles), a deep one lets it run ahead and the layer finishes no later.
#[test]
fn a_fifo_too_shallow_for_the_burst_stalls_and_a_deeper_one_removes_the_stalls() {
    let blocked = |depth: i64| {
        let a = arch("fpga-v80-lutllm.toml", &[("fpga.fifo_depth", depth.into())]);
        let r = run(&a, "qwen3-1.7b", "wv16x2av64x2kv16hv16x2", 1, 256, 1);
        let blocked: u64 = r
            .engines
            .iter()
            .filter(|e| e.name != "vq2d")
            .map(|e| e.blocked_cycles)
            .sum();
        (blocked, r.summary.ttft_s)
    };
    let (shallow, shallow_ttft) = blocked(1);
    let (deep, deep_ttft) = blocked(512);
    assert!(shallow > 0, "a one-row FIFO shows no back-pressure");
    assert_eq!(deep, 0, "a FIFO as deep as the prompt still blocks");
    assert!(deep_ttft <= shallow_ttft);
}

#[test]
fn bad_fpga_configs_name_the_field() {
    let cases: [(&str, toml::Value, &str); 5] = [
        ("fpga.device", "zynq9000".into(), "unknown FPGA device"),
        ("fpga.fifo_depth", 0.into(), "fpga.fifo_depth"),
        ("fpga.vq2d.act_centroids", 60.into(), "power-of-two"),
        (
            "fpga.pipeline",
            toml::Value::Array(vec!["vq2d".into(), "eltwise".into()]),
            "lacks the \"attention\" engine",
        ),
        ("fpga.within_layer", "spatial".into(), "fpga.within_layer"),
    ];
    for (field, value, expect) in cases {
        let doc = arch_doc("fpga-v80-lutllm.toml", &[(field, value)]);
        let err = Arch::from_toml_str(&toml::to_string(&doc).unwrap(), "bad.toml").unwrap_err();
        assert!(err.to_string().contains(expect), "{field}: {err}");
    }
}

/// A sweep over the TLMM's width records the points that do not fit the KV260 as `rejected`,
/// with the fit check's line naming the resource.
#[test]
fn a_sweep_rejects_the_points_that_do_not_fit_their_device() {
    use lutforge_sim::sweep::eval::evaluate;
    use lutforge_sim::sweep::sample::Sampler;
    use lutforge_sim::sweep::space::Space;
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../configs/sweeps/fpga-kv260-tellme.toml");
    let space = Space::from_file(&path).unwrap();
    let sampler = Sampler::new(&space);
    let lines: Vec<_> = (0..space.total_points())
        .map(|id| evaluate(&space, &sampler, id))
        .collect();
    let rejected: Vec<_> = lines.iter().filter(|l| l.status == "rejected").collect();
    assert!(lines.iter().any(|l| l.status == "ok"));
    assert!(!rejected.is_empty(), "every width fits the KV260");
    for line in rejected {
        let reason = line.reason.as_deref().unwrap();
        assert!(
            reason.contains("fpga.device") && reason.contains("kv260 has"),
            "{reason}"
        );
    }
}

/// The Lattice designs the open flow builds validate (device aliases, fit check), but their
/// devices' energy per event is not sourced, so simulating them fails at simulate time with a
/// line saying why.
#[test]
fn the_lattice_designs_validate_but_refuse_to_simulate() {
    for (file, device) in [
        ("fpga-ice40-tiny.toml", "ice40"),
        ("fpga-ecp5-small.toml", "ecp5"),
    ] {
        let a = arch(file, &[]);
        let design = a
            .machine_as::<lutforge_sim::fpga_dataflow::config::FpgaDesign>()
            .unwrap();
        assert_eq!(design.device.id, device);
        let why = design.simulation_problem().expect("unsourced energy");
        assert!(
            why.contains("process node") && why.contains(device),
            "{why}"
        );
        let model = lutforge_models::ModelConfig::preset("bitnet-b1.58-large").unwrap();
        let quant = "w1.58a8kv16h1.58".parse().unwrap();
        let workload = lutforge_workloads::Workload::new(model, quant, 1, 8, 2).unwrap();
        let err = lutforge_sim::simulate(&a, &workload, Vec::new())
            .unwrap_err()
            .to_string();
        assert!(
            err.contains(&format!("the process node of {device} is not sourced"))
                && err.contains("cannot be simulated"),
            "{err}"
        );
    }
}
