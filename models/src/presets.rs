//! Built-in model presets, embedded in the binary as Hugging Face `config.json` texts under
//! `models/presets/`, so presets go through the same importer as user files.
//!
//! Values are those of the published configs on the Hugging Face Hub (the `_name_or_path` in
//! each file names the repository), except `tiny-llama`, a small llama-shaped model for tests
//! and quick co-simulation. `llama-160m` (JackFram/llama-160m) shares llama-2's vocabulary and is
//! the usual draft model for speculative decoding against it. `gemma-2-2b` (google/gemma-2-2b)
//! has sliding-window attention on half its layers, `phi-3-mini`
//! (microsoft/Phi-3-mini-4k-instruct) on all of them; `qwen3-30b-a3b` (Qwen/Qwen3-30B-A3B) is a
//! fine-grained MoE and `deepseek-v2-lite` (deepseek-ai/DeepSeek-V2-Lite) an MoE with shared
//! experts, a dense first layer and multi-head latent attention.

use std::path::Path;

use crate::config::ModelConfig;
use crate::error::ModelError;

/// Preset name and embedded `config.json` text, in listing order.
const PRESETS: [(&str, &str); 14] = [
    ("llama-2-7b", include_str!("../presets/llama-2-7b.json")),
    ("llama-3.1-8b", include_str!("../presets/llama-3.1-8b.json")),
    ("mixtral-8x7b", include_str!("../presets/mixtral-8x7b.json")),
    ("qwen3-1.7b", include_str!("../presets/qwen3-1.7b.json")),
    (
        "bitnet-b1.58-2b-4t",
        include_str!("../presets/bitnet-b1.58-2b-4t.json"),
    ),
    (
        "bitnet-b1.58-large",
        include_str!("../presets/bitnet-b1.58-large.json"),
    ),
    ("gpt2-large", include_str!("../presets/gpt2-large.json")),
    ("opt-6.7b", include_str!("../presets/opt-6.7b.json")),
    ("tiny-llama", include_str!("../presets/tiny-llama.json")),
    ("llama-160m", include_str!("../presets/llama-160m.json")),
    ("gemma-2-2b", include_str!("../presets/gemma-2-2b.json")),
    ("phi-3-mini", include_str!("../presets/phi-3-mini.json")),
    (
        "qwen3-30b-a3b",
        include_str!("../presets/qwen3-30b-a3b.json"),
    ),
    (
        "deepseek-v2-lite",
        include_str!("../presets/deepseek-v2-lite.json"),
    ),
];

impl ModelConfig {
    /// Names of the built-in presets, in listing order.
    pub fn presets() -> Vec<&'static str> {
        PRESETS.iter().map(|(name, _)| *name).collect()
    }

    /// The built-in preset `name` (case-insensitive). Its `name` field is the preset name.
    pub fn preset(name: &str) -> Result<ModelConfig, ModelError> {
        let wanted = name.trim().to_ascii_lowercase();
        let Some((preset_name, text)) = PRESETS.iter().find(|(n, _)| *n == wanted) else {
            return Err(ModelError::UnknownPreset {
                name: name.to_string(),
                known: ModelConfig::presets().join(", "),
            });
        };
        let source = format!("models/presets/{preset_name}.json");
        let mut config = ModelConfig::from_hf_json_str(text, &source)?;
        config.name = (*preset_name).to_string();
        Ok(config)
    }

    /// A preset name, or a path to a Hugging Face `config.json` (or to a folder holding one).
    /// Presets win over files of the same name. Errors from reading or importing an existing
    /// file are returned as they are; an argument that is neither gives
    /// [`ModelError::UnknownModel`] listing the presets.
    pub fn resolve(arg: &str) -> Result<ModelConfig, ModelError> {
        if let Ok(config) = ModelConfig::preset(arg) {
            return Ok(config);
        }
        let path = Path::new(arg);
        if path.is_dir() {
            let inner = path.join("config.json");
            if inner.is_file() {
                return ModelConfig::from_hf_json(&inner);
            }
        } else if path.is_file() {
            return ModelConfig::from_hf_json(path);
        }
        let reason = if path.is_dir() {
            format!("`{arg}` is a folder without a config.json")
        } else {
            match std::fs::metadata(path) {
                Ok(_) => format!("`{arg}` is not a regular file"),
                Err(err) => format!("{arg}: {err}"),
            }
        };
        Err(ModelError::UnknownModel {
            name: arg.to_string(),
            known: ModelConfig::presets().join(", "),
            reason,
        })
    }
}

/// Same as [`ModelConfig::resolve`]: a preset name or a path to a `config.json`.
pub fn resolve(arg: &str) -> Result<ModelConfig, ModelError> {
    ModelConfig::resolve(arg)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::quant::QuantScheme;

    /// Asserts `count` is within 1 % of `published`.
    fn close(name: &str, count: u64, published: f64) {
        let rel = (count as f64 - published).abs() / published;
        assert!(rel < 0.01, "{name}: {count} vs published {published:e}");
    }

    #[test]
    fn every_preset_loads() {
        for name in ModelConfig::presets() {
            let config = ModelConfig::preset(name).unwrap();
            assert_eq!(config.name, name);
            config.validate(name).unwrap();
        }
    }

    #[test]
    fn llama_2_7b() {
        let c = ModelConfig::preset("llama-2-7b").unwrap();
        assert_eq!(c.param_count(), 6_738_415_616);
        close("llama-2-7b", c.param_count(), 6.738e9);
    }

    #[test]
    fn llama_3_1_8b() {
        let c = ModelConfig::preset("llama-3.1-8b").unwrap();
        assert_eq!(c.param_count(), 8_030_261_248);
        close("llama-3.1-8b", c.param_count(), 8.030e9);
    }

    #[test]
    fn mixtral_8x7b() {
        let c = ModelConfig::preset("mixtral-8x7b").unwrap();
        assert_eq!(c.param_count(), 46_702_792_704);
        close("mixtral-8x7b", c.param_count(), 46.70e9);
        // Mistral AI's "12.9B active parameters".
        close("mixtral-8x7b active", c.active_param_count(), 12.9e9);
    }

    #[test]
    fn gpt2_large() {
        let c = ModelConfig::preset("gpt2-large").unwrap();
        assert_eq!(c.param_count(), 774_030_080);
        close("gpt2-large", c.param_count(), 774.0e6);
    }

    #[test]
    fn opt_6_7b() {
        let c = ModelConfig::preset("opt-6.7b").unwrap();
        assert_eq!(c.param_count(), 6_658_473_984);
        close("opt-6.7b", c.param_count(), 6.658e9);
    }

    #[test]
    fn qwen3_1_7b() {
        let c = ModelConfig::preset("qwen3-1.7b").unwrap();
        // Model card: 1.7B total, 1.4B non-embedding; tied embeddings counted once.
        assert_eq!(c.param_count(), 1_720_574_976);
        close("qwen3-1.7b", c.param_count(), 1.72e9);
        close(
            "qwen3-1.7b non-embedding",
            c.param_count() - c.embedding_params(),
            1.41e9,
        );
    }

    #[test]
    fn bitnet_2b_4t() {
        let c = ModelConfig::preset("bitnet-b1.58-2b-4t").unwrap();
        // Technical report (arXiv 2504.12285) and model card: ~2.4B parameters.
        assert_eq!(c.param_count(), 2_412_820_480);
        close("bitnet", c.param_count(), 2.41e9);
        assert_eq!(c.native_quant, QuantScheme::BITNET_B158);
    }

    #[test]
    fn bitnet_b158_large() {
        let c = ModelConfig::preset("bitnet-b1.58-large").unwrap();
        // The model TeLLMe runs (arXiv 2510.15926): 24 layers, hidden 1536, FFN 4096, 16 heads,
        // vocab 32002. The Hub page of 1bitLLM/bitnet_b1_58-large lists 729M parameters
        // (safetensors), the embedding counted once.
        assert_eq!(
            (c.num_layers, c.hidden_size, c.intermediate_size),
            (24, 1536, 4096)
        );
        assert_eq!((c.num_heads, c.head_dim, c.vocab_size), (16, 96, 32002));
        close("bitnet-b1.58-large", c.param_count(), 0.729e9);
        assert_eq!(c.native_quant, QuantScheme::BITNET_B158);
    }

    #[test]
    fn gemma_2_2b() {
        let c = ModelConfig::preset("gemma-2-2b").unwrap();
        // Model card (google/gemma-2-2b): 2.61B parameters; hidden 2304, 26 layers. 26 x (attn
        // 2304 x (2048 + 1024 + 1024) + 2048 x 2304 + FFN 3 x 2304 x 9216 + 4 norms of 2304)
        // + tied embedding 256000 x 2304 + final norm.
        assert_eq!(c.param_count(), 2_614_341_888);
        close("gemma-2-2b", c.param_count(), 2.61e9);
        assert_eq!((c.hidden_size, c.num_layers), (2304, 26));
        let window = c.sliding_window.unwrap();
        assert_eq!((window.window, window.local_layers), (4096, 13));
    }

    #[test]
    fn phi_3_mini() {
        let c = ModelConfig::preset("phi-3-mini").unwrap();
        // Model card (microsoft/Phi-3-mini-4k-instruct): 3.8B parameters; hidden 3072, 32
        // layers.
        assert_eq!(c.param_count(), 3_821_079_552);
        close("phi-3-mini", c.param_count(), 3.82e9);
        assert_eq!((c.hidden_size, c.num_layers), (3072, 32));
        assert_eq!(c.local_layers(), 32);
    }

    #[test]
    fn qwen3_30b_a3b() {
        let c = ModelConfig::preset("qwen3-30b-a3b").unwrap();
        // Model card (Qwen/Qwen3-30B-A3B): 30.5B total, 3.3B activated, 48 layers, 128 experts
        // of which 8 activated.
        assert_eq!(c.param_count(), 30_532_122_624);
        close("qwen3-30b-a3b", c.param_count(), 30.5e9);
        assert!((c.active_param_count() as f64 - 3.3e9).abs() / 3.3e9 < 0.03);
        assert_eq!((c.hidden_size, c.num_layers), (2048, 48));
        assert_eq!((c.num_experts(), c.experts_per_token()), (128, 8));
    }

    #[test]
    fn deepseek_v2_lite() {
        let c = ModelConfig::preset("deepseek-v2-lite").unwrap();
        // Model card (deepseek-ai/DeepSeek-V2-Lite): 15.7B total, 2.4B activated, 27 layers,
        // hidden 2048, 64 routed experts of which 6 activated, 2 shared.
        assert_eq!(c.param_count(), 15_706_484_224);
        close("deepseek-v2-lite", c.param_count(), 15.7e9);
        assert_eq!((c.hidden_size, c.num_layers), (2048, 27));
        assert_eq!((c.num_experts(), c.experts_per_token()), (64, 6));
        // DeepSeek's activated count leaves out the token embedding (a lookup).
        let activated = c.active_param_count() - c.embedding_params();
        assert!(
            (activated as f64 - 2.4e9).abs() / 2.4e9 < 0.03,
            "{activated}"
        );
    }

    #[test]
    fn tiny_llama() {
        let c = ModelConfig::preset("tiny-llama").unwrap();
        // 2 x (attn 128*(128+64+64+128) + ffn 3*128*256 + norms 256) + 2*512*128 + 128.
        let layer = 128 * (128 + 64 + 64 + 128) + 3 * 128 * 256 + 256;
        assert_eq!(c.param_count(), 2 * layer + 2 * 512 * 128 + 128);
        assert_eq!(c.kv_dim(), 64);
    }

    #[test]
    fn linear_counts() {
        let c = ModelConfig::preset("llama-2-7b").unwrap();
        assert_eq!(
            c.linear_param_count(),
            32 * (4 * 4096 * 4096 + 3 * 4096 * 11008) + 32000 * 4096
        );
        let q = ModelConfig::preset("qwen3-1.7b").unwrap();
        assert_eq!(
            q.linear_param_count(),
            28 * (2048 * 2048 * 2 + 2 * 2048 * 1024 + 3 * 2048 * 6144)
        );
        let m = ModelConfig::preset("mixtral-8x7b").unwrap();
        assert_eq!(
            m.linear_param_count(),
            32 * (2 * 4096 * 4096 + 2 * 4096 * 1024 + 8 * 3 * 4096 * 14336) + 32000 * 4096
        );
    }

    #[test]
    fn unknown_preset_lists_known() {
        let err = ModelConfig::preset("nope").unwrap_err().to_string();
        assert!(err.starts_with("unknown preset `nope`; known presets: llama-2-7b, "));
        assert!(err.contains("tiny-llama"));
    }

    #[test]
    fn preset_is_case_insensitive() {
        assert_eq!(
            ModelConfig::preset("Llama-2-7B").unwrap().name,
            "llama-2-7b"
        );
    }
}
