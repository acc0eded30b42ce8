//! Where ops the matrix unit cannot run go (the `[fallback]` unit), the LM head in its real
//! format, and the `[attention]` choices: the unit attention runs on, the bit-plane layout of
//! the KV cache on a LUT array, and fused attention.

mod common;

use lutforge_models::{ModelConfig, QuantScheme};
use lutforge_sim::report::OpKindReport;
use lutforge_sim::{simulate, Report};
use lutforge_workloads::Workload;
use toml::Value;

use common::archs::{arch, run};

fn op<'a>(r: &'a Report, phase: &str, kind: &str) -> &'a OpKindReport {
    r.ops
        .iter()
        .find(|o| o.phase == phase && o.kind == kind)
        .unwrap_or_else(|| panic!("no {phase} {kind} in the report"))
}

fn decode_steps(r: &Report) -> u64 {
    r.phases.iter().find(|p| p.phase == "decode").unwrap().steps
}

fn text(s: &str) -> Value {
    Value::String(s.to_string())
}

#[test]
fn bitnet_reads_its_bf16_lm_head_on_the_fallback_unit() {
    // BitNet b1.58 2B4T: vocab 128256 x hidden 2560, bf16 (2 bytes), tied to the embedding.
    let r = run(
        &arch("lut-tc.toml", &[]),
        "bitnet-b1.58-2b-4t",
        "w1.58a8kv4",
        1,
        16,
        4,
    );
    let head = op(&r, "decode", "lm_head");
    assert_eq!(head.unit, "fallback-vector");
    let per_step = head.dram_bytes / decode_steps(&r);
    assert_eq!(per_step, 128_256 * 2560 * 2);
    assert!(
        r.notes
            .iter()
            .any(|n| n.starts_with("lm_head runs on the fallback vector unit")),
        "{:?}",
        r.notes
    );
    // A quantized head (`h4`) runs on the LUT array instead, at a quarter of the bytes plus scales.
    let q = run(
        &arch("lut-tc.toml", &[]),
        "bitnet-b1.58-2b-4t",
        "w1.58a8kv4h4",
        1,
        16,
        4,
    );
    let head = op(&q, "decode", "lm_head");
    assert_eq!(head.unit, "matrix");
    assert_eq!(
        head.dram_bytes / decode_steps(&q),
        128_256 * 2560 / 2 + 128_256 * 2
    );
}

#[test]
fn an_fp16_mac_side_array_is_costed_as_one() {
    let side = arch(
        "lut-tc.toml",
        &[
            ("fallback.unit", text("fp16_mac")),
            ("fallback.macs_per_cycle", Value::Integer(256)),
        ],
    );
    let r = run(&side, "llama-2-7b", "w2a8kv4", 1, 64, 2);
    let head = op(&r, "prefill", "lm_head");
    assert_eq!(head.unit, "fallback-mac");
    // One logits row: 32000 x 4096 multiply-adds on 16 cores x 256 MACs.
    assert_eq!(head.compute_cycles, (32_000u64 * 4096).div_ceil(16 * 256));
    assert!(r.area.fallback_mm2 > 0.0);
    let plain = run(&arch("lut-tc.toml", &[]), "llama-2-7b", "w2a8kv4", 1, 64, 2);
    assert_eq!(plain.area.fallback_mm2, 0.0);
    assert!(r.summary.area_mm2 > plain.summary.area_mm2);
}

#[test]
fn without_a_fallback_the_run_fails_naming_the_op_and_format() {
    let none = arch("lut-tc.toml", &[("fallback.unit", text("none"))]);
    let model = ModelConfig::preset("bitnet-b1.58-2b-4t").unwrap();
    let quant: QuantScheme = "w1.58a8kv4".parse().unwrap();
    let workload = Workload::new(model, quant, 1, 16, 4).unwrap();
    let err = simulate(&none, &workload, Vec::new())
        .unwrap_err()
        .to_string();
    assert!(err.contains("lm_head cannot run"), "{err}");
    assert!(err.contains("fp16 weights"), "{err}");
}

#[test]
fn an_8_bit_cache_on_a_4_bit_array_runs_attention_on_the_fallback() {
    let r = run(&arch("lut-tc.toml", &[]), "llama-2-7b", "w2a8kv8", 1, 64, 4);
    assert_eq!(
        r.inputs.quant, "w2a8kv8",
        "the KV format is never re-quantized"
    );
    for kind in ["attn_score", "attn_value"] {
        assert_eq!(op(&r, "decode", kind).unit, "fallback-vector");
    }
    assert_eq!(op(&r, "decode", "qkv_proj").unit, "matrix");
}

#[test]
fn attention_can_be_declared_on_the_fallback_unit() {
    let on_matrix = run(
        &arch("lut-tc.toml", &[]),
        "llama-2-7b",
        "w2a8kv4",
        1,
        256,
        8,
    );
    let on_fallback = run(
        &arch("lut-tc.toml", &[("attention.unit", text("fallback"))]),
        "llama-2-7b",
        "w2a8kv4",
        1,
        256,
        8,
    );
    assert_eq!(op(&on_matrix, "decode", "attn_score").unit, "matrix");
    assert_eq!(
        op(&on_fallback, "decode", "attn_score").unit,
        "fallback-vector"
    );
    // The bit-plane layout: a LUT array's cache is transposed into its 4 planes as it is
    // written (4 extra vector ops per element on top of the write's 2); a row-major cache is not.
    let write = |r: &Report| op(r, "prefill", "kv_write").compute_cycles;
    assert_eq!(write(&on_matrix), 3 * write(&on_fallback));
    let mac = run(
        &arch("mac-tc.toml", &[]),
        "llama-2-7b",
        "w2a8kv4",
        1,
        256,
        8,
    );
    assert_eq!(write(&mac), write(&on_fallback));
}

#[test]
fn fused_attention_keeps_scores_on_chip() {
    let run_with = |fused: bool| {
        run(
            &arch("lut-tc.toml", &[("attention.fused", Value::Boolean(fused))]),
            "llama-2-7b",
            "w2a8kv4",
            1,
            2048,
            2,
        )
    };
    let (unfused, fused) = (run_with(false), run_with(true));
    // 2048 x 2048 fp16 scores of 32 heads per layer (256 MiB) do not fit a 512 KiB buffer.
    assert!(op(&unfused, "prefill", "softmax").dram_bytes > 0);
    assert_eq!(op(&fused, "prefill", "softmax").dram_bytes, 0);
    for kind in ["attn_score", "softmax", "attn_value"] {
        let (u, f) = (op(&unfused, "prefill", kind), op(&fused, "prefill", kind));
        assert!(f.dram_bytes <= u.dram_bytes, "{kind}");
        assert_eq!(f.flops, u.flops, "{kind}: fusion changes traffic, not work");
    }
    assert!(fused.summary.total_energy_j < unfused.summary.total_energy_j);
    // Decode (one query row per head) streams the cache once either way.
    assert_eq!(
        op(&fused, "decode", "attn_value").dram_bytes,
        op(&unfused, "decode", "attn_value").dram_bytes
    );
}
