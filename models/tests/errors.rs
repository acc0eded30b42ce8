//! Every user-input error gives one exact, one-line message naming the input, field and value.

use std::path::PathBuf;

use lutforge_models::{ModelConfig, ModelError, QuantScheme};

/// The error text of importing `text` as `bad/config.json`.
fn import_error(text: &str) -> String {
    let err = ModelConfig::from_hf_json_str(text, "bad/config.json").unwrap_err();
    let message = err.to_string();
    assert!(!message.contains('\n'), "multi-line message: {message}");
    message
}

const LLAMA_OK: &str = r#""model_type": "llama", "intermediate_size": 64, "num_attention_heads": 4, "vocab_size": 100"#;

#[test]
fn malformed_json_names_file_line_and_column() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/bad/broken.json");
    let err = ModelConfig::from_hf_json(&path).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "{}:1:47: malformed JSON: EOF while parsing an object",
            path.display()
        )
    );
    assert!(matches!(
        err,
        ModelError::Json {
            line: 1,
            column: 47,
            ..
        }
    ));
}

#[test]
fn hidden_size_zero() {
    let text = format!(r#"{{{LLAMA_OK}, "hidden_size": 0, "num_hidden_layers": 2}}"#);
    assert_eq!(
        import_error(&text),
        "bad/config.json: field `hidden_size`: must be between 1 and 1048576 (got 0)"
    );
}

#[test]
fn negative_layers() {
    let text = format!(r#"{{{LLAMA_OK}, "hidden_size": 64, "num_hidden_layers": -3}}"#);
    assert_eq!(
        import_error(&text),
        "bad/config.json: field `num_hidden_layers`: must be a positive integer (got -3)"
    );
}

#[test]
fn string_where_number_expected() {
    let text = format!(r#"{{{LLAMA_OK}, "hidden_size": "lots", "num_hidden_layers": 2}}"#);
    assert_eq!(
        import_error(&text),
        "bad/config.json: field `hidden_size`: must be a positive integer (got \"lots\")"
    );
}

#[test]
fn fractional_and_huge_sizes() {
    let text = format!(r#"{{{LLAMA_OK}, "hidden_size": 64.5, "num_hidden_layers": 2}}"#);
    assert_eq!(
        import_error(&text),
        "bad/config.json: field `hidden_size`: must be a positive integer (got 64.5)"
    );
    let text = format!(r#"{{{LLAMA_OK}, "hidden_size": 64, "num_hidden_layers": 99999999999}}"#);
    assert_eq!(
        import_error(&text),
        "bad/config.json: field `num_hidden_layers`: must be between 1 and 10000 layers (got 99999999999)"
    );
}

/// The Mistral `config.json` fixture with `key` set to `value` (raw JSON text).
fn mistral_with(key: &str, value: &str) -> String {
    let path =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/mistral-7b-v0.1.json");
    let mut doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    doc[key] = serde_json::from_str(value).unwrap();
    doc.to_string()
}

#[test]
fn layers_beyond_i32_give_the_range_not_an_overflow() {
    // Issue 14: this used to import and then overflow in the engine.
    assert_eq!(
        import_error(&mistral_with("num_hidden_layers", "2147483648")),
        "bad/config.json: field `num_hidden_layers`: must be between 1 and 10000 layers (got 2147483648)"
    );
}

#[test]
fn every_size_has_a_range() {
    let cases = [
        ("hidden_size", "2097152", "must be between 1 and 1048576"),
        (
            "intermediate_size",
            "1048577",
            "must be between 1 and 1048576",
        ),
        (
            "num_attention_heads",
            "131072",
            "must be between 1 and 65536 heads",
        ),
        (
            "num_key_value_heads",
            "65537",
            "must be between 1 and 65536 heads",
        ),
        ("head_dim", "65537", "must be between 1 and 65536"),
        (
            "vocab_size",
            "16777217",
            "must be between 1 and 16777216 tokens",
        ),
        (
            "max_position_embeddings",
            "16777217",
            "must be between 1 and 16777216 tokens",
        ),
    ];
    for (key, value, message) in cases {
        assert_eq!(
            import_error(&mistral_with(key, value)),
            format!("bad/config.json: field `{key}`: {message} (got {value})"),
        );
    }
}

#[test]
fn integers_beyond_u64_and_below_i64_are_one_line_errors() {
    assert_eq!(
        import_error(&mistral_with("num_hidden_layers", "18446744073709551616")),
        "bad/config.json: field `num_hidden_layers`: must be between 1 and 10000 layers (got 1.8446744073709552e+19)"
    );
    assert_eq!(
        import_error(&mistral_with("vocab_size", "1e20")),
        "bad/config.json: field `vocab_size`: must be between 1 and 16777216 tokens (got 1e+20)"
    );
    assert_eq!(
        import_error(&mistral_with("hidden_size", "-9223372036854775809")),
        "bad/config.json: field `hidden_size`: must be a positive integer (got -9.223372036854776e+18)"
    );
    assert_eq!(
        import_error(&mistral_with("hidden_size", "4096.0")),
        "bad/config.json: field `hidden_size`: must be a positive integer (got 4096.0)"
    );
}

#[test]
fn derived_head_dim_is_checked_against_its_range() {
    let text = r#"{"model_type": "llama", "hidden_size": 1048576, "intermediate_size": 64,
        "num_hidden_layers": 2, "num_attention_heads": 8, "vocab_size": 10}"#;
    assert_eq!(
        import_error(text),
        "bad/config.json: field `num_attention_heads`: gives head_dim = 1048576 / 8 = 131072 \
         when `head_dim` is not given, and head_dim must be between 1 and 65536 (got 8)"
    );
    let text = r#"{"model_type": "gpt2", "n_embd": 524288, "n_layer": 2, "n_head": 16,
        "vocab_size": 10}"#;
    assert_eq!(
        import_error(text),
        "bad/config.json: field `n_embd`: gives n_inner = 4 x 524288 = 2097152 when `n_inner` \
         is not given, and n_inner must be between 1 and 1048576 (got 524288)"
    );
}

#[test]
fn moe_counts_have_ranges() {
    let text = r#"{"model_type": "mixtral", "hidden_size": 64, "intermediate_size": 64,
        "num_hidden_layers": 2, "num_attention_heads": 4, "vocab_size": 10,
        "num_local_experts": 5000, "num_experts_per_tok": 3}"#;
    assert_eq!(
        import_error(text),
        "bad/config.json: field `num_local_experts`: must be between 1 and 4096 experts (got 5000)"
    );
}

#[test]
fn real_keys_are_checked_though_not_modelled() {
    assert_eq!(
        import_error(&mistral_with("rope_theta", "-1")),
        "bad/config.json: field `rope_theta`: must be between 1 and 1e12 (got -1)"
    );
    assert_eq!(
        import_error(&mistral_with("rms_norm_eps", "\"small\"")),
        "bad/config.json: field `rms_norm_eps`: must be a number (got \"small\")"
    );
    assert_eq!(
        import_error(&mistral_with("rms_norm_eps", "2.5")),
        "bad/config.json: field `rms_norm_eps`: must be between 0 and 1 (got 2.5)"
    );
    // JSON has no NaN or infinity; a literal too large for f64 is malformed JSON.
    let err = import_error(
        &mistral_with("rope_theta", "1").replace("\"rope_theta\":1", "\"rope_theta\":1e400"),
    );
    assert!(err.contains("malformed JSON: number out of range"), "{err}");
}

#[test]
fn missing_required_field() {
    let text = format!(r#"{{{LLAMA_OK}, "num_hidden_layers": 2}}"#);
    assert_eq!(
        import_error(&text),
        "bad/config.json: field `hidden_size`: is required for model_type `llama` (got nothing)"
    );
}

#[test]
fn unknown_model_type() {
    assert_eq!(
        import_error(r#"{"model_type": "falcon", "hidden_size": 64}"#),
        "bad/config.json: field `model_type`: unsupported model type; supported: llama, \
         mistral, qwen2, qwen3, mixtral, bitnet, gpt2, opt, phi3, qwen2_moe, qwen3_moe, gemma2, \
         gemma3_text, gemma3, deepseek_v2, deepseek_v3 (got \"falcon\")"
    );
}

#[test]
fn heads_must_divide_hidden() {
    let text = r#"{"model_type": "llama", "hidden_size": 100, "intermediate_size": 64,
        "num_hidden_layers": 2, "num_attention_heads": 3, "vocab_size": 10}"#;
    assert_eq!(
        import_error(text),
        "bad/config.json: field `num_attention_heads`: must divide the hidden size (100) when \
         `head_dim` is not given (got 3)"
    );
}

#[test]
fn kv_heads_must_divide_heads() {
    let text = r#"{"model_type": "mistral", "hidden_size": 64, "intermediate_size": 64,
        "num_hidden_layers": 2, "num_attention_heads": 4, "num_key_value_heads": 3,
        "vocab_size": 10}"#;
    assert_eq!(
        import_error(text),
        "bad/config.json: field `num_key_value_heads`: must divide num_attention_heads (4) (got 3)"
    );
}

#[test]
fn wrong_bool_and_activation() {
    let text = format!(
        r#"{{{LLAMA_OK}, "hidden_size": 64, "num_hidden_layers": 2, "tie_word_embeddings": "yes"}}"#
    );
    assert_eq!(
        import_error(&text),
        "bad/config.json: field `tie_word_embeddings`: must be true or false (got \"yes\")"
    );
    let text = format!(
        r#"{{{LLAMA_OK}, "hidden_size": 64, "num_hidden_layers": 2, "hidden_act": "tanh"}}"#
    );
    assert_eq!(
        import_error(&text),
        "bad/config.json: field `hidden_act`: unsupported activation; expected silu, swish, \
         gelu*, relu or relu2 (got \"tanh\")"
    );
}

#[test]
fn moe_top_k_above_experts() {
    let text = r#"{"model_type": "mixtral", "hidden_size": 64, "intermediate_size": 64,
        "num_hidden_layers": 2, "num_attention_heads": 4, "vocab_size": 10,
        "num_local_experts": 2, "num_experts_per_tok": 3}"#;
    assert_eq!(
        import_error(text),
        "bad/config.json: field `num_experts_per_tok`: must be at most num_local_experts (2) (got 3)"
    );
}

#[test]
fn opt_projection_rejected() {
    let text = r#"{"model_type": "opt", "hidden_size": 1024, "ffn_dim": 4096,
        "num_hidden_layers": 24, "num_attention_heads": 16, "vocab_size": 50272,
        "word_embed_proj_dim": 512}"#;
    assert_eq!(
        import_error(text),
        "bad/config.json: field `word_embed_proj_dim`: embedding projections are not modelled; \
         must equal hidden_size (1024) (got 512)"
    );
}

#[test]
fn missing_file() {
    let err = ModelConfig::from_hf_json(std::path::Path::new("no/such/config.json")).unwrap_err();
    assert!(
        err.to_string()
            .starts_with("no/such/config.json: cannot read: "),
        "{err}"
    );
}

#[test]
fn unknown_preset() {
    assert_eq!(
        ModelConfig::preset("llama-9").unwrap_err().to_string(),
        "unknown preset `llama-9`; known presets: llama-2-7b, llama-3.1-8b, mixtral-8x7b, \
         qwen3-1.7b, bitnet-b1.58-2b-4t, bitnet-b1.58-large, gpt2-large, opt-6.7b, tiny-llama, \
         llama-160m, gemma-2-2b, phi-3-mini, qwen3-30b-a3b, deepseek-v2-lite"
    );
}

#[test]
fn resolve_neither_preset_nor_file() {
    let err = ModelConfig::resolve("no-such-model-xyz")
        .unwrap_err()
        .to_string();
    assert!(
        err.starts_with(
            "model `no-such-model-xyz` is neither a built-in preset (llama-2-7b, llama-3.1-8b, \
             mixtral-8x7b, qwen3-1.7b, bitnet-b1.58-2b-4t, bitnet-b1.58-large, gpt2-large, opt-6.7b, \
             tiny-llama, llama-160m, gemma-2-2b, phi-3-mini, qwen3-30b-a3b, deepseek-v2-lite) nor \
             a readable config.json file (no-such-model-xyz: "
        ),
        "{err}"
    );
    assert!(!err.contains('\n'));
}

#[test]
fn bad_quant_strings() {
    let cases = [
        (
            "w9z3",
            "weight width 9 is not one of 1, 1.58, 2, 3, 4, 8, 16 (or c<bits> for a codebook)",
        ),
        (
            "a8w4",
            "must start with `w` and the weight width (e.g. `w4a16`, `w1.58a8`)",
        ),
        (
            "w4",
            "expected `a` and the activation format after the weight width, found `end of text`",
        ),
        ("w4a12", "activation width 12 is not one of 8, 16, fp8"),
        ("w4a8kv2", "KV-cache width 2 is not one of 4, 8, 16"),
        ("w4a16g0", "group size `0` is not a positive integer"),
        ("w4a16g", "group size `` is not a positive integer"),
        ("w4a16g00", "group size `00` is not a positive integer"),
        (
            "w4a16g2000000",
            "group size `2000000` must be between 1 and 1048576 weights",
        ),
        (
            "w4a16g99999999999999999999999",
            "group size `99999999999999999999999` must be between 1 and 1048576 weights",
        ),
        ("w16a16g128", "fp16 weights (w16) take no group size"),
        (
            "w1.58a8z",
            "a zero point (`z`) needs integer weights (w2, w3, w4, w8), not w1.58",
        ),
        ("wc9a8", "codebook index width `9` is not one of 1..=8"),
        (
            "wv12x2a8",
            "weight VQ centroid count `12` is not a power of two (2, 4, ..., 256)",
        ),
        (
            "wv16x2av64x4",
            "VQ weights wv16x2 and activations av64x4 need the same vector length \
             (co-quantization), not 2 and 4",
        ),
        (
            "wv16x2a8g64",
            "VQ weights (wv16x2) take no group size: their codebook replaces the scale groups",
        ),
        (
            "w4av64x99",
            "activation VQ vector length `99` is not in 1..=16",
        ),
        (
            "w4a8x",
            "unexpected `x`; expected w<bits>a<bits>[kv<bits>][g<size>][z][h<bits>]",
        ),
        (
            "",
            "must start with `w` and the weight width (e.g. `w4a16`, `w1.58a8`)",
        ),
    ];
    for (text, message) in cases {
        let err = text.parse::<QuantScheme>().unwrap_err();
        assert_eq!(
            err,
            ModelError::BadQuant {
                text: text.to_string(),
                message: message.to_string()
            },
            "for {text:?}"
        );
    }
    assert_eq!(
        "w9z3".parse::<QuantScheme>().unwrap_err().to_string(),
        "unknown quantization scheme `w9z3`: weight width 9 is not one of 1, 1.58, 2, 3, 4, 8, 16 \
         (or c<bits> for a codebook)"
    );
}

#[test]
fn quant_text_with_a_newline_stays_on_one_line() {
    // Found by fuzz_quant (its proptest-regressions file keeps the seed).
    let err = "w4a8\nx".parse::<QuantScheme>().unwrap_err().to_string();
    assert_eq!(
        err,
        "unknown quantization scheme `w4a8\\nx`: unexpected `\\nx`; expected \
         w<bits>a<bits>[kv<bits>][g<size>][z][h<bits>]"
    );
    assert_eq!(
        "\n".parse::<QuantScheme>().unwrap_err().to_string(),
        "unknown quantization scheme `\\n`: must start with `w` and the weight width (e.g. \
         `w4a16`, `w1.58a8`)"
    );
}

/// A small DeepSeek-V2 config with `extra` keys (raw JSON members) added.
fn deepseek_with(extra: &str) -> String {
    format!(
        r#"{{"model_type": "deepseek_v2", "hidden_size": 64, "intermediate_size": 128,
        "moe_intermediate_size": 32, "num_hidden_layers": 4, "num_attention_heads": 4,
        "vocab_size": 100, "qk_nope_head_dim": 16, "qk_rope_head_dim": 8, "v_head_dim": 16,
        "n_routed_experts": 8, "num_experts_per_tok": 2{extra}}}"#
    )
}

#[test]
fn mla_without_kv_lora_rank() {
    assert_eq!(
        import_error(&deepseek_with("")),
        "bad/config.json: field `kv_lora_rank`: is required for model_type `deepseek_v2` (got \
         nothing)"
    );
}

#[test]
fn top_k_above_the_experts_names_the_experts_key() {
    assert_eq!(
        import_error(&deepseek_with(
            r#", "kv_lora_rank": 32, "num_experts_per_tok": 9"#
        )),
        "bad/config.json: field `num_experts_per_tok`: must be at most n_routed_experts (8) \
         (got 9)"
    );
    let text = r#"{"model_type": "qwen2_moe", "hidden_size": 64, "intermediate_size": 64,
        "num_hidden_layers": 2, "num_attention_heads": 4, "vocab_size": 10,
        "num_experts": 60, "num_experts_per_tok": 61}"#;
    assert_eq!(
        import_error(text),
        "bad/config.json: field `num_experts_per_tok`: must be at most num_experts (60) (got 61)"
    );
}

#[test]
fn first_k_dense_replace_above_the_layers() {
    assert_eq!(
        import_error(&deepseek_with(
            r#", "kv_lora_rank": 32, "first_k_dense_replace": 5"#
        )),
        "bad/config.json: field `first_k_dense_replace`: must be at most num_hidden_layers (4) \
         (got 5)"
    );
}

#[test]
fn deepseek_without_top_k_and_with_too_wide_shared_experts() {
    let text =
        deepseek_with(r#", "kv_lora_rank": 32"#).replace(r#", "num_experts_per_tok": 2"#, "");
    assert_eq!(
        import_error(&text),
        "bad/config.json: field `num_experts_per_tok`: is required for model_type `deepseek_v2` \
         (got nothing)"
    );
    assert_eq!(
        import_error(&deepseek_with(
            r#", "kv_lora_rank": 32, "moe_intermediate_size": 1048576, "n_shared_experts": 2"#
        )),
        "bad/config.json: field `n_shared_experts`: gives shared experts 2 x 1048576 = 2097152 \
         wide, and that width must be between 0 and 1048576 (got 2)"
    );
}

#[test]
fn sliding_window_zero() {
    assert_eq!(
        import_error(&mistral_with("sliding_window", "0")),
        "bad/config.json: field `sliding_window`: must be between 1 and 16777216 tokens (got 0)"
    );
}

#[test]
fn layer_types_of_the_wrong_length_or_kind() {
    assert_eq!(
        import_error(&mistral_with(
            "layer_types",
            r#"["full_attention", "sliding_attention"]"#
        )),
        "bad/config.json: field `layer_types`: must have one entry per layer (num_hidden_layers \
         = 32), not 2 (got [\"full_attention\",\"sliding_attention\"])"
    );
    let mut types = vec!["\"full_attention\""; 31];
    types.push("\"chunked_attention\"");
    assert_eq!(
        import_error(&mistral_with(
            "layer_types",
            &format!("[{}]", types.join(","))
        )),
        "bad/config.json: field `layer_types`: entries must be \"sliding_attention\" or \
         \"full_attention\" (got \"chunked_attention\")"
    );
    assert_eq!(
        import_error(&mistral_with("layer_types", "\"sliding_attention\"")),
        "bad/config.json: field `layer_types`: must be a list of \"sliding_attention\" and \
         \"full_attention\" (got \"sliding_attention\")"
    );
}

#[test]
fn layer_index_lists_are_checked() {
    let text = r#"{"model_type": "qwen3_moe", "hidden_size": 64, "intermediate_size": 64,
        "num_hidden_layers": 2, "num_attention_heads": 4, "vocab_size": 10,
        "mlp_only_layers": [0, -1]}"#;
    assert_eq!(
        import_error(text),
        "bad/config.json: field `mlp_only_layers`: must be a non-negative integer (got -1)"
    );
}

#[test]
fn gemma3_text_config_errors_name_the_nested_key() {
    assert_eq!(
        import_error(r#"{"model_type": "gemma3", "text_config": {"num_hidden_layers": 0}}"#),
        "bad/config.json: field `text_config.num_hidden_layers`: must be between 1 and 10000 \
         layers (got 0)"
    );
    assert_eq!(
        import_error(r#"{"model_type": "gemma3", "text_config": [1]}"#),
        "bad/config.json: field `text_config`: must be a JSON object (got [1])"
    );
    // Missing keys take the Gemma3TextConfig defaults, so an empty text_config imports.
    let c = ModelConfig::from_hf_json_str(r#"{"model_type": "gemma3"}"#, "g/config.json").unwrap();
    assert_eq!(
        (c.hidden_size, c.num_layers, c.vocab_size),
        (2304, 26, 262_208)
    );
}

#[test]
fn gemma2_requires_its_sizes() {
    assert_eq!(
        import_error(r#"{"model_type": "gemma2", "hidden_size": 64}"#),
        "bad/config.json: field `intermediate_size`: is required for model_type `gemma2` (got \
         nothing)"
    );
}
