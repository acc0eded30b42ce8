//! Imports a real `config.json` of every supported family and checks the mapped fields and
//! the exact parameter count against the published one.

use std::path::PathBuf;

use lutforge_models::{
    Activation, Attention, Mla, ModelConfig, NormKind, PositionKind, QuantScheme, SlidingWindow,
};

/// Path of a fixture under `tests/fixtures/`.
fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

fn load(name: &str) -> ModelConfig {
    ModelConfig::from_hf_json(&fixture(name)).unwrap()
}

/// Asserts `count` is within `tolerance` (relative) of `published`.
fn near(what: &str, count: u64, published: f64, tolerance: f64) {
    let rel = (count as f64 - published).abs() / published;
    assert!(
        rel < tolerance,
        "{what}: {count} vs published {published:e} ({:.1} %)",
        rel * 100.0
    );
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

#[test]
fn gemma_2_2b() {
    // google/gemma-2-2b config.json.
    let c = load("gemma-2-2b.json");
    assert_eq!(c.model_type, "gemma2");
    assert_eq!(
        (c.hidden_size, c.intermediate_size, c.num_layers),
        (2304, 9216, 26)
    );
    assert_eq!((c.num_heads, c.num_kv_heads, c.head_dim), (8, 4, 256));
    assert_eq!((c.vocab_size, c.max_position), (256_000, 8192));
    assert_eq!(c.activation, Activation::Gelu);
    assert!(c.gated_ffn && c.tied_embeddings && !c.qkv_bias);
    assert_eq!(c.extra_norms_per_layer, 2);
    // Layers 0, 2, ..., 24 are local.
    assert_eq!(
        c.sliding_window,
        Some(SlidingWindow {
            window: 4096,
            local_layers: 13
        })
    );
    // Model card: 2.61B (2,614,341,888 on the Hub page).
    assert_eq!(c.param_count(), 2_614_341_888);
    assert_eq!(c.active_param_count(), c.param_count());
}

#[test]
fn gemma_3_1b_it() {
    // google/gemma-3-1b-it config.json (gemma3_text, text only).
    let c = load("gemma-3-1b-it.json");
    assert_eq!(c.model_type, "gemma3_text");
    assert_eq!(
        (c.hidden_size, c.intermediate_size, c.num_layers),
        (1152, 6912, 26)
    );
    assert_eq!((c.num_heads, c.num_kv_heads, c.head_dim), (4, 1, 256));
    assert_eq!((c.vocab_size, c.max_position), (262_144, 32768));
    // q_norm and k_norm besides gemma2's four norms.
    assert_eq!(c.extra_norms_per_layer, 4);
    // Pattern 6: layers 5, 11, 17 and 23 are global.
    assert_eq!(
        c.sliding_window,
        Some(SlidingWindow {
            window: 512,
            local_layers: 22
        })
    );
    assert_eq!(c.param_count(), 999_885_952);
    // Gemma 3 technical report, table 1: 1B = 302M embedding + 698M non-embedding.
    near("gemma-3-1b embedding", c.embedding_params(), 302e6, 0.005);
    near(
        "gemma-3-1b non-embedding",
        c.param_count() - c.embedding_params(),
        698e6,
        0.005,
    );
}

#[test]
fn gemma_3_4b_it_multimodal() {
    // google/gemma-3-4b-it config.json (gemma3 with a text_config listing only what differs
    // from Gemma3TextConfig).
    let c = load("gemma-3-4b-it.json");
    assert_eq!(c.model_type, "gemma3");
    assert_eq!(
        (c.hidden_size, c.intermediate_size, c.num_layers),
        (2560, 10240, 34)
    );
    // Gemma3TextConfig defaults: 8 heads, 4 KV heads of 256, vocabulary 262208, 131072
    // positions, tied.
    assert_eq!((c.num_heads, c.num_kv_heads, c.head_dim), (8, 4, 256));
    assert_eq!((c.vocab_size, c.max_position), (262_208, 131_072));
    assert!(c.tied_embeddings);
    // Layers 5, 11, 17, 23 and 29 are global.
    assert_eq!(
        c.sliding_window,
        Some(SlidingWindow {
            window: 1024,
            local_layers: 29
        })
    );
    // The language model only (the SigLIP tower is not modelled), by hand: 34 x (attention
    // 2560 x (2048 + 1024 + 1024) + 2048 x 2560 + FFN 3 x 2560 x 10240 + norms 4 x 2560 +
    // 2 x 256) + embedding 262208 x 2560 + final norm 2560.
    let layer = 2560 * 4096 + 2048 * 2560 + 3 * 2560 * 10240 + 4 * 2560 + 2 * 256;
    assert_eq!(c.param_count(), 34 * layer + 262_208 * 2560 + 2560);
    assert_eq!(c.param_count(), 3_880_263_168);
    // Gemma 3 technical report, table 1: 4B has 3,209M non-embedding parameters.
    near(
        "gemma-3-4b non-embedding",
        c.param_count() - c.embedding_params(),
        3209e6,
        0.001,
    );
}

#[test]
fn phi_3_mini_4k() {
    // microsoft/Phi-3-mini-4k-instruct config.json.
    let c = load("phi-3-mini-4k-instruct.json");
    assert_eq!(c.model_type, "phi3");
    assert_eq!(
        (c.hidden_size, c.intermediate_size, c.num_layers),
        (3072, 8192, 32)
    );
    assert_eq!((c.num_heads, c.num_kv_heads, c.head_dim), (32, 32, 96));
    assert_eq!((c.vocab_size, c.max_position), (32064, 4096));
    assert!(!c.tied_embeddings && !c.qkv_bias && !c.linear_bias);
    assert_eq!(
        c.sliding_window,
        Some(SlidingWindow {
            window: 2047,
            local_layers: 32
        })
    );
    // Model card: 3.8B parameters.
    assert_eq!(c.param_count(), 3_821_079_552);
}

#[test]
fn qwen1_5_moe_a2_7b() {
    // Qwen/Qwen1.5-MoE-A2.7B config.json (qwen2_moe).
    let c = load("qwen1.5-moe-a2.7b.json");
    assert_eq!(c.model_type, "qwen2_moe");
    assert_eq!((c.hidden_size, c.num_layers), (2048, 24));
    assert_eq!((c.num_heads, c.num_kv_heads, c.head_dim), (16, 16, 128));
    assert!(c.qkv_bias && !c.tied_embeddings);
    let moe = c.moe.unwrap();
    assert_eq!((moe.num_experts, moe.top_k), (60, 4));
    assert_eq!(
        (moe.expert_intermediate_size, moe.shared_intermediate_size),
        (1408, 5632)
    );
    assert!(moe.shared_expert_gate && !moe.router_bias);
    assert_eq!(moe.dense_layers, 0);
    // use_sliding_window is false.
    assert_eq!(c.sliding_window, None);
    assert_eq!(c.param_count(), 14_315_784_192);
    // Model card: "2.7B activated parameters" (shared expert and embeddings included).
    near("qwen1.5-moe active", c.active_param_count(), 2.7e9, 0.01);
}

#[test]
fn qwen3_30b_a3b() {
    // Qwen/Qwen3-30B-A3B config.json (qwen3_moe).
    let c = load("qwen3-30b-a3b.json");
    assert_eq!(c.model_type, "qwen3_moe");
    assert_eq!((c.hidden_size, c.num_layers), (2048, 48));
    // head_dim given, not 2048 / 32 = 64.
    assert_eq!((c.num_heads, c.num_kv_heads, c.head_dim), (32, 4, 128));
    assert_eq!(c.extra_norms_per_layer, 2);
    let moe = c.moe.unwrap();
    assert_eq!(
        (moe.num_experts, moe.top_k, moe.expert_intermediate_size),
        (128, 8, 768)
    );
    assert_eq!((moe.shared_intermediate_size, moe.dense_layers), (0, 0));
    assert!(!moe.shared_expert_gate);
    assert_eq!((c.sliding_window, c.max_position), (None, 40960));
    assert_eq!(c.param_count(), 30_532_122_624);
    // Model card: 30.5B total, 3.3B activated.
    near("qwen3-30b-a3b active", c.active_param_count(), 3.3e9, 0.03);
}

#[test]
fn deepseek_v2_lite() {
    // deepseek-ai/DeepSeek-V2-Lite config.json.
    let c = load("deepseek-v2-lite.json");
    assert_eq!(c.model_type, "deepseek_v2");
    assert_eq!(
        (c.hidden_size, c.intermediate_size, c.num_layers),
        (2048, 10944, 27)
    );
    assert_eq!(
        c.attention,
        Attention::Latent(Mla {
            q_lora_rank: None,
            kv_lora_rank: 512,
            qk_nope_head_dim: 128,
            qk_rope_head_dim: 64,
            v_head_dim: 128,
        })
    );
    assert_eq!((c.num_heads, c.num_kv_heads, c.head_dim), (16, 16, 192));
    assert_eq!(
        (c.v_head_dim(), c.attn_out_dim(), c.kv_cache_width()),
        (128, 2048, 576)
    );
    let moe = c.moe.unwrap();
    assert_eq!((moe.num_experts, moe.top_k), (64, 6));
    assert_eq!(
        (moe.expert_intermediate_size, moe.shared_intermediate_size),
        (1408, 2 * 1408)
    );
    assert!(!moe.shared_expert_gate && !moe.router_bias);
    assert_eq!((moe.dense_layers, c.moe_layers()), (1, 26));
    assert_eq!(c.max_position, 163_840);
    assert_eq!(c.param_count(), 15_706_484_224);
    // Model card: 15.7B total, 2.4B activated; DeepSeek counts the activated parameters
    // without the token embedding.
    near("deepseek-v2-lite", c.param_count(), 15.7e9, 0.01);
    near(
        "deepseek-v2-lite activated",
        c.active_param_count() - c.embedding_params(),
        2.4e9,
        0.03,
    );
}

#[test]
fn deepseek_v3() {
    // deepseek-ai/DeepSeek-V3 config.json.
    let c = load("deepseek-v3.json");
    assert_eq!(c.model_type, "deepseek_v3");
    assert_eq!(
        (c.hidden_size, c.intermediate_size, c.num_layers),
        (7168, 18432, 61)
    );
    let Attention::Latent(mla) = c.attention else {
        panic!("not MLA: {:?}", c.attention);
    };
    assert_eq!((mla.q_lora_rank, mla.kv_lora_rank), (Some(1536), 512));
    assert_eq!(c.extra_norms_per_layer, 2);
    let moe = c.moe.unwrap();
    assert_eq!((moe.num_experts, moe.top_k), (256, 8));
    assert_eq!(
        (moe.expert_intermediate_size, moe.shared_intermediate_size),
        (2048, 2048)
    );
    assert!(moe.router_bias);
    assert_eq!((moe.dense_layers, c.moe_layers()), (3, 58));
    // fp8 weights are not a QuantScheme; the native format stays fp16.
    assert_eq!(c.native_quant, QuantScheme::FP16);
    // Without the multi-token-prediction layer (num_nextn_predict_layers; the Hub's 685B
    // include its 14B). Model card: 671B total, 37B activated (without the embedding).
    assert_eq!(c.param_count(), 671_026_419_200);
    near("deepseek-v3", c.param_count(), 671e9, 0.01);
    near(
        "deepseek-v3 activated",
        c.active_param_count() - c.embedding_params(),
        37e9,
        0.03,
    );
}

#[test]
fn sliding_windows_of_existing_families() {
    // Mistral 7B v0.1: sliding_window 4096 on every layer.
    let c = load("mistral-7b-v0.1.json");
    assert_eq!(
        c.sliding_window,
        Some(SlidingWindow {
            window: 4096,
            local_layers: 32
        })
    );
    let base = r#""hidden_size": 64, "intermediate_size": 128, "num_hidden_layers": 4,
        "num_attention_heads": 4, "vocab_size": 10"#;
    let import = |extra: &str| {
        ModelConfig::from_hf_json_str(&format!("{{{base}, {extra}}}"), "x.json").unwrap()
    };
    // MistralConfig default 4096; null means none.
    let c = import(r#""model_type": "mistral""#);
    assert_eq!(c.sliding_window.map(|w| w.window), Some(4096));
    let c = import(r#""model_type": "mistral", "sliding_window": null"#);
    assert_eq!(c.sliding_window, None);
    // MixtralConfig and Phi3Config default none.
    assert_eq!(import(r#""model_type": "mixtral""#).sliding_window, None);
    assert_eq!(import(r#""model_type": "phi3""#).sliding_window, None);
    // Qwen2: only with use_sliding_window, on the layers from max_window_layers.
    let c = import(r#""model_type": "qwen2", "sliding_window": 256, "max_window_layers": 1"#);
    assert_eq!(c.sliding_window, None);
    let c = import(
        r#""model_type": "qwen2", "use_sliding_window": true, "sliding_window": 256,
        "max_window_layers": 1"#,
    );
    assert_eq!(
        c.sliding_window,
        Some(SlidingWindow {
            window: 256,
            local_layers: 3
        })
    );
    // layer_types overrides the pattern.
    let c = import(
        r#""model_type": "mistral", "layer_types": ["full_attention", "sliding_attention",
        "full_attention", "full_attention"]"#,
    );
    assert_eq!(c.local_layers(), 1);
}

#[test]
fn moe_layer_patterns() {
    let base = r#""hidden_size": 64, "intermediate_size": 128, "num_hidden_layers": 6,
        "num_attention_heads": 4, "vocab_size": 10, "moe_intermediate_size": 32"#;
    let import = |extra: &str| {
        ModelConfig::from_hf_json_str(&format!("{{{base}, {extra}}}"), "x.json").unwrap()
    };
    // Qwen: layer i is sparse iff not in mlp_only_layers and (i + 1) % step == 0.
    let c =
        import(r#""model_type": "qwen3_moe", "decoder_sparse_step": 2, "mlp_only_layers": [1]"#);
    assert_eq!((c.moe_layers(), c.dense_ffn_layers()), (2, 4));
    // All layers dense: no MoE at all.
    let c = import(r#""model_type": "qwen2_moe", "mlp_only_layers": [0, 1, 2, 3, 4, 5]"#);
    assert_eq!(c.moe, None);
    // DeepSeek: i >= first_k_dense_replace and i % moe_layer_freq == 0.
    let mla = r#""kv_lora_rank": 16, "qk_nope_head_dim": 8, "qk_rope_head_dim": 8,
        "v_head_dim": 8, "num_experts_per_tok": 2, "n_routed_experts": 4"#;
    let c = import(&format!(
        r#""model_type": "deepseek_v2", {mla}, "first_k_dense_replace": 1, "moe_layer_freq": 2"#
    ));
    assert_eq!((c.moe_layers(), c.dense_ffn_layers()), (2, 4));
    // n_routed_experts null: a dense model.
    let c = import(
        r#""model_type": "deepseek_v2", "kv_lora_rank": 16, "qk_nope_head_dim": 8,
        "qk_rope_head_dim": 8, "v_head_dim": 8, "n_routed_experts": null"#,
    );
    assert_eq!(c.moe, None);
    // A q_lora_rank when absent (DeepseekV2Config default 1536), none when null.
    assert_eq!(
        match c.attention {
            Attention::Latent(mla) => mla.q_lora_rank,
            Attention::Standard => None,
        },
        Some(1536)
    );
}
