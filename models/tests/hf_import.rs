//! Imports a real `config.json` of every supported family and checks the mapped fields and
//! the exact parameter count against the published one.

use std::path::PathBuf;

use lutforge_models::{Activation, ModelConfig, NormKind, PositionKind, QuantScheme};

/// Path of a fixture under `tests/fixtures/`.
fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

fn load(name: &str) -> ModelConfig {
    ModelConfig::from_hf_json(&fixture(name)).unwrap()
}

#[test]
fn llama_tinyllama() {
    let c = load("tinyllama-1.1b.json");
    assert_eq!(c.name, "TinyLlama/TinyLlama-1.1B-Chat-v1.0");
    assert_eq!(c.model_type, "llama");
    assert_eq!(
        (c.hidden_size, c.intermediate_size, c.num_layers),
        (2048, 5632, 22)
    );
    assert_eq!((c.num_heads, c.num_kv_heads, c.head_dim), (32, 4, 64));
    assert!(!c.tied_embeddings);
    assert_eq!(c.activation, Activation::Silu);
    assert_eq!(c.native_quant, QuantScheme::FP16);
    assert_eq!(c.max_position, 2048);
    assert_eq!(c.param_count(), 1_100_048_384);
}

#[test]
fn mistral_7b() {
    let c = load("mistral-7b-v0.1.json");
    // no `_name_or_path`: the file stem.
    assert_eq!(c.name, "mistral-7b-v0.1");
    assert_eq!(c.num_kv_heads, 8);
    assert_eq!(c.max_position, 32768);
    assert_eq!(c.param_count(), 7_241_732_096);
}

#[test]
fn qwen2_5_0_5b() {
    let c = load("qwen2.5-0.5b.json");
    assert!(c.qkv_bias);
    assert!(!c.linear_bias);
    assert!(c.tied_embeddings);
    assert_eq!(c.head_dim, 64);
    // Qwen2.5-0.5B model card: 0.49B parameters.
    assert_eq!(c.param_count(), 494_032_768);
}

#[test]
fn qwen3_0_6b() {
    let c = load("qwen3-0.6b.json");
    // head_dim given explicitly and not hidden / heads (1024 / 16 = 64).
    assert_eq!(c.head_dim, 128);
    assert_eq!(c.q_dim(), 2048);
    assert_eq!(c.extra_norms_per_layer, 2);
    // Model card: 0.6B total, 0.44B non-embedding.
    assert_eq!(c.param_count(), 596_049_920);
    assert_eq!(c.param_count() - c.embedding_params(), 440_467_456);
}

#[test]
fn gpt2_small() {
    let c = load("gpt2.json");
    assert_eq!(c.model_type, "gpt2");
    assert_eq!(c.intermediate_size, 3072, "n_inner null -> 4 * n_embd");
    assert_eq!(c.norm, NormKind::LayerNorm);
    assert_eq!(c.position, PositionKind::Learned);
    assert_eq!(c.activation, Activation::Gelu);
    assert!(!c.gated_ffn && c.qkv_bias && c.linear_bias && c.tied_embeddings);
    assert_eq!(c.max_position, 1024);
    // The well-known 124M of GPT-2 small.
    assert_eq!(c.param_count(), 124_439_808);
}

#[test]
fn opt_125m() {
    let c = load("opt-125m.json");
    assert_eq!(c.intermediate_size, 3072);
    assert_eq!(c.activation, Activation::Relu);
    assert!(c.tied_embeddings);
    // 125M, with OPT's 2 extra position rows.
    assert_eq!(c.param_count(), 125_239_296);
}

#[test]
fn mixtral_moe() {
    let c = load("mixtral-8x7b-instruct.json");
    let moe = c.moe.unwrap();
    assert_eq!((moe.num_experts, moe.top_k), (8, 2));
    assert_eq!(c.param_count(), 46_702_792_704);
    assert_eq!(c.num_experts(), 8);
    assert_eq!(c.experts_per_token(), 2);
}

#[test]
fn bitnet_2b() {
    let c = load("bitnet-b1.58-2b-4t.json");
    assert_eq!(c.activation, Activation::Relu2);
    assert_eq!(c.native_quant.to_string(), "w1.58a8kv16");
    assert_eq!((c.num_heads, c.num_kv_heads, c.head_dim), (20, 5, 128));
    assert_eq!(c.param_count(), 2_412_820_480);
}

#[test]
fn defaults_apply_when_keys_are_absent() {
    let text = r#"{"model_type": "llama", "hidden_size": 64, "intermediate_size": 128,
        "num_hidden_layers": 1, "num_attention_heads": 4, "vocab_size": 10}"#;
    let c = ModelConfig::from_hf_json_str(text, "dir/m1/config.json").unwrap();
    assert_eq!(c.name, "m1");
    assert_eq!(c.num_kv_heads, 4);
    assert_eq!(c.head_dim, 16);
    assert_eq!(c.max_position, 2048);
    assert!(!c.tied_embeddings);
    // 4*64*64 + 3*64*128 + 2*64 per layer, 2*10*64 embeddings + head, 64 final norm.
    assert_eq!(
        c.param_count(),
        4 * 64 * 64 + 3 * 64 * 128 + 128 + 2 * 640 + 64
    );
}

#[test]
fn resolve_preset_file_and_folder() {
    assert_eq!(
        ModelConfig::resolve("tiny-llama").unwrap().name,
        "tiny-llama"
    );
    let path = fixture("gpt2.json");
    let from_path = lutforge_models::resolve(path.to_str().unwrap()).unwrap();
    assert_eq!(from_path.hidden_size, 768);
    let dir = std::env::temp_dir().join(format!("lutforge-models-resolve-{}", std::process::id()));
    let model_dir = dir.join("my-model");
    std::fs::create_dir_all(&model_dir).unwrap();
    std::fs::copy(fixture("opt-125m.json"), model_dir.join("config.json")).unwrap();
    let from_dir = ModelConfig::resolve(model_dir.to_str().unwrap()).unwrap();
    assert_eq!(from_dir.model_type, "opt");
    std::fs::remove_dir_all(&dir).unwrap();
}
