//! The CPU family end to end: T-MAC's kernel model against T-MAC's published decode
//! throughput, its scaling over weight bits against the dequantizing kernel's, scaling over
//! cores, the formats the family runs and refuses, and its configuration errors.

mod common;

use common::archs::{arch, arch_doc, run};
use lutforge_models::{ModelConfig, QuantScheme};
use lutforge_sim::{simulate, Arch, SimError};
use lutforge_workloads::Workload;

/// Decode tokens/s of Llama-2-7B on `file` with `cores` threads, batch 1.
fn decode_tps(file: &str, cores: i64, kernel: &str, quant: &str) -> f64 {
    let a = arch(
        file,
        &[("cores", cores.into()), ("cpu.kernel", kernel.into())],
    );
    let r = run(&a, "llama-2-7b", quant, 1, 16, 9);
    r.summary.decode_tokens_per_s.unwrap()
}

/// T-MAC's published decode throughput for Llama-2-7B at 2 bits (EfficientQAT/BitDistiller
/// W2, group 128: `deploy/tuned/aarch64-llama-2-7b-2bit/kcfg.ini`): microsoft/T-MAC,
/// `docs/profiling_data.md` (2024), also quoted in its README: Raspberry Pi 5 4.40 tokens/s
/// with 1 thread and 5.92 with 2; Jetson AGX Orin 4.36 with 1 thread and 15.62 with 12. The
/// configurations calibrate against T-MAC's W4 and llama.cpp's figures of the same table,
/// never these; the model must land within 35% of each.
#[test]
fn tmac_lands_within_35_percent_of_published_llama_2_7b_w2_decode_on_the_pi_5_and_the_orin() {
    let published = [
        ("cpu-rpi5.toml", 1, 4.40),
        ("cpu-rpi5.toml", 2, 5.92),
        ("cpu-orin.toml", 1, 4.36),
        ("cpu-orin.toml", 12, 15.62),
    ];
    for (file, threads, tps) in published {
        let got = decode_tps(file, threads, "tmac", "w2a8g128");
        let error = (got - tps) / tps;
        assert!(
            error.abs() <= 0.35,
            "{file} with {threads} threads: {got:.2} tokens/s vs T-MAC's published {tps} ({:+.0}%)",
            100.0 * error
        );
    }
}

/// T-MAC's cost is linear in the weight bits (one table lookup per bit plane); llama.cpp's
/// dequantizing kernels barely gain from fewer bits (T-MAC README, 2024: "T-MAC's computing
/// performance can linearly improve with the number of bits decreases"; profiling_data.md:
/// llama.cpp's Q2_K is slower than its Q4_0 on one Pi 5 thread, 0.66 vs 0.85 tokens/s).
#[test]
fn tmac_scales_near_linearly_over_weight_bits_and_dequant_does_not() {
    // Compute bound: batch 16 decode on the 4-core Pi 5.
    let step_s = |kernel: &str, quant: &str| {
        let a = arch("cpu-rpi5.toml", &[("cpu.kernel", kernel.into())]);
        let r = run(&a, "llama-2-7b", quant, 16, 16, 9);
        1.0 / r.summary.decode_tokens_per_s.unwrap()
    };
    let t1 = step_s("tmac", "w1a8");
    let t2 = step_s("tmac", "w2a8");
    let t4 = step_s("tmac", "w4a8");
    assert!(
        t1 < t2 && t2 < t4,
        "tmac: w1 {t1:.4} s, w2 {t2:.4} s, w4 {t4:.4} s"
    );
    // Near linear: the per-token ops that do not depend on the bits (attention, norms, the
    // fp16 LM head) keep the ratios a little below 2.
    assert!(
        t2 / t1 > 1.6 && t4 / t2 > 1.6,
        "tmac ratios {:.2} {:.2}",
        t2 / t1,
        t4 / t2
    );
    let d2 = step_s("dequant", "w2a8");
    let d4 = step_s("dequant", "w4a8");
    assert!(
        d4 / d2 < 1.1,
        "dequant: w2 {d2:.4} s, w4 {d4:.4} s; halving the bits must gain little"
    );
    // Batch 1 on one thread, as T-MAC published it: T-MAC at W2 runs at least 1.6x its W4,
    // llama.cpp's 2-bit no faster than its 4-bit.
    let tmac = decode_tps("cpu-rpi5.toml", 1, "tmac", "w2a8g128")
        / decode_tps("cpu-rpi5.toml", 1, "tmac", "w4a8g128");
    let dequant = decode_tps("cpu-rpi5.toml", 1, "dequant", "w2a8g16")
        / decode_tps("cpu-rpi5.toml", 1, "dequant", "w4a8g32");
    assert!(tmac > 1.6, "T-MAC W2/W4 at one thread {tmac:.2}");
    assert!(dequant <= 1.0, "llama.cpp W2/W4 at one thread {dequant:.2}");
}

/// Threads are the architecture's `cores`: more cores run faster until the DRAM or the CPU
/// complex's fabric is the limit, never past it.
#[test]
fn decode_scales_with_cores_until_memory_bound() {
    let tps: Vec<f64> = [1, 2, 4, 8, 12]
        .iter()
        .map(|&c| decode_tps("cpu-orin.toml", c, "tmac", "w2a8g128"))
        .collect();
    for pair in tps.windows(2) {
        assert!(pair[1] >= pair[0], "tokens/s over 1..12 cores: {tps:?}");
    }
    assert!(tps[1] > 1.5 * tps[0], "2 cores vs 1: {tps:?}");
    // 12 cores draw at most the 29 GB/s of cpu.fabric_gbytes_per_s: bytes per token bound it.
    let a = arch("cpu-orin.toml", &[]);
    let r = run(&a, "llama-2-7b", "w2a8g128", 1, 16, 9);
    let decode = r.phases.iter().find(|p| p.phase == "decode").unwrap();
    let bytes_per_token = decode.dram_bytes as f64 / decode.steps as f64;
    assert!(
        tps[4] <= 29e9 / bytes_per_token * 1.001,
        "{} tokens/s beats the fabric bound {}",
        tps[4],
        29e9 / bytes_per_token
    );
    assert!(
        tps[4] < 12.0 * tps[0] * 0.5,
        "not memory bound at 12 cores: {tps:?}"
    );
}

/// The SAIL baseline runs the workload of the command line, every batch from 1 to 32
/// and every integer weight width, with both kernels.
#[test]
fn the_neoverse_n1_runs_every_batch_and_weight_width_with_both_kernels() {
    let a = arch("cpu-neoverse-n1.toml", &[]);
    let r = run(&a, "llama-2-7b", "w2a8", 8, 64, 32);
    assert!(r.summary.decode_tokens_per_s.unwrap() > 0.0);
    assert!(r.ops.iter().any(|o| o.kind == "ffn_up" && o.unit == "tmac"));
    assert!(r
        .ops
        .iter()
        .any(|o| o.kind == "lm_head" && o.unit == "dequant"));
    assert!(r.ops.iter().any(|o| o.kind == "norm" && o.unit == "vector"));
    assert!(r.summary.static_power_w > 0.0);
    for kernel in ["tmac", "dequant"] {
        let a = arch("cpu-neoverse-n1.toml", &[("cpu.kernel", kernel.into())]);
        for quant in [
            "w1a8",
            "w1.58a8",
            "w2a8",
            "w3a8",
            "w4a8",
            "w8a8",
            "w4a16g128",
        ] {
            for batch in [1, 4, 16, 32] {
                let r = run(&a, "llama-2-7b", quant, batch, 8, 3);
                let tps = r.summary.decode_tokens_per_s.unwrap();
                assert!(tps.is_finite() && tps > 0.0, "{kernel} {quant} b{batch}");
            }
        }
        // w8 is not a T-MAC format: it runs on llama.cpp's Q8_0 kernel under either setting.
        let r = run(&a, "llama-2-7b", "w8a8", 1, 8, 3);
        assert!(r.ops.iter().all(|o| o.unit != "tmac"));
    }
}

/// Per-token work of the dequantizing kernel grows with the batch (each activation row
/// re-unpacks the weights), T-MAC's tables are built per row and reused by every output row:
/// at batch 32 T-MAC's lead over dequant at W2 is larger than at batch 1.
#[test]
fn tmac_leads_dequant_and_the_gap_holds_at_large_batch() {
    let tps = |kernel: &str, batch: u64| {
        let a = arch("cpu-neoverse-n1.toml", &[("cpu.kernel", kernel.into())]);
        run(&a, "llama-2-7b", "w2a8", batch, 8, 5)
            .summary
            .decode_tokens_per_s
            .unwrap()
    };
    for batch in [1, 32] {
        let speedup = tps("tmac", batch) / tps("dequant", batch);
        assert!(speedup > 1.0, "batch {batch}: T-MAC/dequant {speedup:.2}");
    }
}

fn refusal(quant: &str) -> String {
    let a = arch("cpu-rpi5.toml", &[]);
    let model = ModelConfig::preset("llama-160m").unwrap();
    let quant: QuantScheme = quant.parse().unwrap();
    let w = Workload::new(model, quant, 1, 8, 2).unwrap();
    match simulate(&a, &w, Vec::new()) {
        Err(e @ SimError::Unsupported { .. }) => e.to_string(),
        other => panic!("{quant} should be refused, got {other:?}"),
    }
}

#[test]
fn formats_without_a_cpu_kernel_are_refused_with_a_reason() {
    let fp8 = refusal("w4afp8");
    assert!(fp8.contains("FP8"), "{fp8}");
    let vq = refusal("wv16x2a8");
    assert!(vq.contains("VQ weights"), "{vq}");
    let codebook = refusal("wc3a8");
    assert!(codebook.contains("codebook"), "{codebook}");
}

#[test]
fn the_cpu_section_is_validated() {
    let bad = |edits: &[(&str, toml::Value)]| {
        let doc = arch_doc("cpu-rpi5.toml", edits);
        Arch::from_toml_str(&toml::to_string(&doc).unwrap(), "cpu-edited.toml")
            .unwrap_err()
            .to_string()
    };
    let kernel = bad(&[("cpu.kernel", "blas".into())]);
    assert!(
        kernel.contains("cpu.kernel") && kernel.contains("tmac"),
        "{kernel}"
    );
    let simd = bad(&[("cpu.simd_bits", 96.into())]);
    assert!(simd.contains("cpu.simd_bits"), "{simd}");
    let l3 = bad(&[("cpu.l3_kib", 0.into())]);
    assert!(l3.contains("cpu.l3_bytes_per_cycle"), "{l3}");
    let fraction = bad(&[("cpu.dequant_issue_fraction", 1.5.into())]);
    assert!(
        fraction.contains("cpu.dequant_issue_fraction"),
        "{fraction}"
    );
    let unknown = bad(&[("cpu.threads", 4.into())]);
    assert!(unknown.contains("threads"), "{unknown}");
}

/// The same inputs give the same report, and `--set cores=2` is two threads.
#[test]
fn runs_are_deterministic_and_cores_are_threads() {
    let a = arch("cpu-rpi5.toml", &[("cores", 2.into())]);
    assert_eq!(a.cores, 2);
    let one = run(&a, "llama-160m", "w2a8", 2, 8, 4);
    let two = run(&a, "llama-160m", "w2a8", 2, 8, 4);
    assert_eq!(
        serde_json::to_string(&one).unwrap(),
        serde_json::to_string(&two).unwrap()
    );
}

/// A model whose weights fit the last-level cache streams them from there, not from DRAM.
#[test]
fn a_model_that_fits_the_last_level_cache_reads_no_weights_from_dram() {
    let a = arch("cpu-neoverse-n1.toml", &[]);
    let r = run(&a, "tiny-llama", "w2a8", 1, 8, 4);
    let qkv = r
        .ops
        .iter()
        .find(|o| o.kind == "qkv_proj" && o.phase == "decode")
        .unwrap();
    assert_eq!(qkv.dram_bytes, 0, "{qkv:?}");
}

const CPU_ARCHS: &[&str] = &["cpu-rpi5.toml", "cpu-orin.toml", "cpu-neoverse-n1.toml"];

/// A CPU architecture file with mutated numeric fields, simulated on a small llama or on
/// llama-2-7b: it runs with finite, positive times and energies, or is refused in one line.
fn mutated_cpu_case(file: usize, edits: &[common::fuzz::Edit]) -> Result<(), String> {
    let path = format!(
        "{}/../configs/arch/{}",
        env!("CARGO_MANIFEST_DIR"),
        CPU_ARCHS[file % CPU_ARCHS.len()]
    );
    let text = common::fuzz::mutate_toml(&std::fs::read_to_string(path).unwrap(), edits);
    let one_line = |e: String| {
        common::fuzz::one_line(&e)
            .map(|_| ())
            .map_err(|m| format!("{m}: {e}"))
    };
    let arch = match Arch::from_toml_str(&text, "mutated.toml") {
        Ok(arch) => arch,
        Err(e) => return one_line(e.to_string()),
    };
    let model = ["tiny-llama", "llama-2-7b"][(file / CPU_ARCHS.len()) % 2];
    let workload = Workload::new(
        ModelConfig::preset(model).unwrap(),
        "w2a8".parse().unwrap(),
        1 + (file as u64 % 8),
        16,
        3,
    )
    .map_err(|e| e.to_string())?;
    match simulate(&arch, &workload, Vec::new()) {
        Ok(r) => {
            let s = &r.summary;
            let numbers = [s.ttft_s, s.total_time_s, s.total_energy_j];
            if numbers.iter().all(|v| v.is_finite() && *v > 0.0) {
                Ok(())
            } else {
                Err(format!("non-finite or non-positive result: {numbers:?}"))
            }
        }
        Err(e) => one_line(e.to_string()),
    }
}

proptest::proptest! {
    #![proptest_config(common::persisted(300, common::regressions!("cpu")))]

    #[test]
    fn mutated_cpu_architectures_simulate_or_fail_cleanly(
        file in proptest::prelude::any::<usize>(),
        edits in common::fuzz::edits(),
    ) {
        mutated_cpu_case(file, &edits).map_err(proptest::test_runner::TestCaseError::fail)?;
    }
}
