//! The model families users bring, on every architecture family: each runs Gemma 2, Phi-3,
//! Qwen3-MoE and DeepSeek-V2-Lite or refuses them with one line naming the reason; latent
//! attention reads far fewer KV bytes in decode than MHA of the same width.

mod common;

use common::archs::arch;
use lutforge_models::{Attention, Mla, ModelConfig, QuantScheme};
use lutforge_sim::{simulate, Arch, Report};
use lutforge_workloads::{LoweringOptions, MlaDecode, MoeRouting, Workload};

/// The new presets.
const PRESETS: [&str; 4] = [
    "gemma-2-2b",
    "phi-3-mini",
    "qwen3-30b-a3b",
    "deepseek-v2-lite",
];

/// One shipped architecture of each family, with a scheme it runs.
const ARCHS: [(&str, &str); 7] = [
    ("lut-tc.toml", "w2a8kv4"),
    ("mac-tc.toml", "w2a8kv4"),
    ("systolic-int8-128x128.toml", "w8a8kv8"),
    ("fpga-kv260-tellme.toml", "w1.58a8kv16h8"),
    ("fpga-v80-lutllm.toml", "wv16x2av64x2kv16hv16x2"),
    ("pim-sail.toml", "w2a8"),
    ("cpu-neoverse-n1.toml", "w2a8"),
];

fn workload(model: &str, quant: &str, batch: u64, options: LoweringOptions) -> Workload {
    let model = ModelConfig::preset(model).unwrap();
    let quant: QuantScheme = quant.parse().unwrap();
    Workload::new(model, quant, batch, 32, 8)
        .unwrap()
        .with_options(options)
        .unwrap()
}

fn run(arch: &Arch, w: &Workload) -> Result<Report, String> {
    simulate(arch, w, Vec::new()).map_err(|e| e.to_string())
}

#[test]
fn every_family_runs_the_new_presets_or_refuses_them_in_one_line() {
    let mut ran = Vec::new();
    for (file, quant) in ARCHS {
        let a = arch(file, &[]);
        for model in PRESETS {
            match run(&a, &workload(model, quant, 2, LoweringOptions::default())) {
                Ok(r) => {
                    let tps = r.summary.decode_tokens_per_s.unwrap();
                    assert!(tps.is_finite() && tps > 0.0, "{file} {model}: {tps}");
                    assert!(r.summary.ttft_s > 0.0, "{file} {model}");
                    ran.push(format!("{file} {model}"));
                }
                Err(message) => {
                    assert!(!message.contains('\n'), "{file} {model}: {message}");
                    // The only refusal a shipped design gives these models: they do not fit.
                    assert!(
                        message.contains("DRAM") || message.contains("capacity"),
                        "{file} {model}: {message}"
                    );
                }
            }
        }
    }
    // The LUT array, the MAC baseline and the CPU run all four.
    for file in ["lut-tc.toml", "mac-tc.toml", "cpu-neoverse-n1.toml"] {
        for model in PRESETS {
            let name = format!("{file} {model}");
            assert!(
                ran.contains(&name) || model == "qwen3-30b-a3b",
                "{name} did not run: {ran:?}"
            );
        }
    }
}

/// KV-cache bytes a decode run moves to and from DRAM: the cache writes and the attention
/// products (which read nothing else off chip).
fn decode_kv_dram_bytes(r: &Report) -> u64 {
    r.ops
        .iter()
        .filter(|o| o.phase == "decode")
        .filter(|o| ["kv_write", "attn_score", "attn_value"].contains(&o.kind.as_str()))
        .map(|o| o.dram_bytes)
        .sum()
}

#[test]
fn mla_decode_on_lut_tc_reads_far_fewer_kv_bytes_than_mha_of_the_same_width() {
    let a = arch("lut-tc.toml", &[]);
    let quant: QuantScheme = "w2a8kv4".parse().unwrap();
    let mha = ModelConfig::preset("llama-2-7b").unwrap();
    // The same model with DeepSeek-V2's latent attention (kv_lora_rank 512, rope 64).
    let mut latent = mha.clone();
    latent.attention = Attention::Latent(Mla {
        q_lora_rank: Some(1536),
        kv_lora_rank: 512,
        qk_nope_head_dim: 128,
        qk_rope_head_dim: 64,
        v_head_dim: 128,
    });
    latent.head_dim = 192;
    let bytes = |m: &ModelConfig, form| {
        let w = Workload::new(m.clone(), quant, 4, 1024, 64)
            .unwrap()
            .with_options(LoweringOptions {
                mla_decode: form,
                ..LoweringOptions::default()
            })
            .unwrap();
        decode_kv_dram_bytes(&simulate(&a, &w, Vec::new()).unwrap())
    };
    let mha_bytes = bytes(&mha, MlaDecode::Expanded);
    let absorbed = bytes(&latent, MlaDecode::Absorbed);
    // The score reads 576 latent values per token per layer, the value product its 512,
    // against 2 x 4096 for K and V: 7.5 times fewer.
    assert!(absorbed * 6 < mha_bytes, "{absorbed} vs MHA {mha_bytes}");
    let r = simulate(
        &a,
        &Workload::new(latent, quant, 1, 64, 8)
            .unwrap()
            .with_options(LoweringOptions {
                mla_decode: MlaDecode::Absorbed,
                ..LoweringOptions::default()
            })
            .unwrap(),
        Vec::new(),
    )
    .unwrap();
    assert_eq!(r.inputs.mla_decode.as_deref(), Some("absorbed"));
    assert_eq!(r.inputs.moe_routing, None);
}

#[test]
fn the_report_names_the_routing_model_and_uniform_routing_is_never_slower() {
    let a = arch("lut-tc.toml", &[]);
    let report = |routing| {
        let options = LoweringOptions {
            moe_routing: routing,
            ..LoweringOptions::default()
        };
        run(&a, &workload("deepseek-v2-lite", "w2a8kv4", 8, options)).unwrap()
    };
    let balanced = report(MoeRouting::Balanced);
    let uniform = report(MoeRouting::Uniform);
    assert_eq!(balanced.inputs.moe_routing.as_deref(), Some("balanced"));
    assert_eq!(uniform.inputs.moe_routing.as_deref(), Some("uniform"));
    // 8 tokens x top-6 of 64: 48 experts balanced, 35 expected under uniform routing.
    assert!(uniform.summary.dram_bytes < balanced.summary.dram_bytes);
    assert!(
        uniform.summary.decode_tokens_per_s.unwrap()
            >= balanced.summary.decode_tokens_per_s.unwrap()
    );
}
