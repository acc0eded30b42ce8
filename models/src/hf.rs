//! Import of Hugging Face `config.json` files into a validated [`ModelConfig`].
//!
//! Supported `model_type`s and the keys read (all other keys are ignored; HF configs carry many):
//!
//! | family | keys (`*` = optional, its default after `=`; the others are required) |
//! |---|---|
//! | llama, mistral, qwen2, qwen3, mixtral, bitnet | `hidden_size`, `intermediate_size`, `num_hidden_layers`, `num_attention_heads`, `vocab_size`, `num_key_value_heads*` = heads, `head_dim*` = hidden/heads, `max_position_embeddings*`, `tie_word_embeddings*`, `hidden_act*` = silu (bitnet: relu2) |
//! | llama | `attention_bias*` = false (Q/K/V bias), `mlp_bias*` = false (O and FFN bias) |
//! | qwen3, bitnet | `attention_bias*` = false (Q/K/V bias) |
//! | mixtral | `num_local_experts*` = 8, `num_experts_per_tok*` = 2 |
//! | gpt2 | `n_embd`, `n_layer`, `n_head`, `vocab_size`, `n_inner*` = 4*n_embd, `n_positions*` = 1024, `activation_function*` = gelu_new, `tie_word_embeddings*` = true |
//! | opt | `hidden_size`, `ffn_dim`, `num_hidden_layers`, `num_attention_heads`, `vocab_size`, `max_position_embeddings*` = 2048, `activation_function*` = relu, `enable_bias*` = true, `word_embed_proj_dim*` = hidden (must equal it), `do_layer_norm_before*` = true (must be), `tie_word_embeddings*` = true |
//!
//! Defaults are those of the transformers configuration classes (`LlamaConfig` etc.), so a
//! file means what it means to transformers. `max_position_embeddings` defaults: llama 2048,
//! mistral 131072, qwen2 32768, qwen3 32768, mixtral 131072, bitnet 2048, opt 2048.
//! `tie_word_embeddings` defaults to false except for gpt2 and opt. A JSON `null` counts as
//! absent.
//!
//! Not modelled (documented approximations): a llama `attention_bias` also adds an O-projection
//! bias and qwen3/bitnet `attention_bias` likewise (we count it only via `mlp_bias`); OPT's
//! embedding projections (`word_embed_proj_dim` != `hidden_size`, opt-350m) and post-norm
//! OPT (`do_layer_norm_before: false`) are rejected with an error rather than mis-counted.
//!
//! Every error is a one-line [`ModelError`] naming the file, the field and the value.

use std::path::Path;

use serde_json::{Map, Value};

use crate::config::{
    size_problem, Activation, ModelConfig, Moe, NormKind, PositionKind, MAX_SIZE, POSITIVE,
};
use crate::error::ModelError;
use crate::quant::QuantScheme;

/// The `model_type`s the importer understands.
pub const SUPPORTED_MODEL_TYPES: [&str; 8] = [
    "llama", "mistral", "qwen2", "qwen3", "mixtral", "bitnet", "gpt2", "opt",
];

/// Longest rendering of a bad value kept in an error message.
const MAX_VALUE_CHARS: usize = 60;

impl ModelConfig {
    /// Reads and imports a Hugging Face `config.json`. Errors name `path`.
    pub fn from_hf_json(path: &Path) -> Result<ModelConfig, ModelError> {
        let source_name = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|err| ModelError::Io {
            path: source_name.clone(),
            message: err.to_string(),
        })?;
        ModelConfig::from_hf_json_str(&text, &source_name)
    }

    /// Imports the text of a Hugging Face `config.json`; `source_name` (usually the path) is
    /// used in error messages and, when the file has no `_name_or_path`, for the model name
    /// (the parent folder of a `config.json`, else the file stem).
    pub fn from_hf_json_str(text: &str, source_name: &str) -> Result<ModelConfig, ModelError> {
        let value: Value =
            serde_json::from_str(text).map_err(|err| json_error(&err, source_name))?;
        let Value::Object(map) = &value else {
            return Err(ModelError::InvalidField {
                source_name: source_name.to_string(),
                field: "(top level)".to_string(),
                value: render(&value),
                message: "must be a JSON object".to_string(),
            });
        };
        let fields = Fields { source_name, map };
        let config = fields.import()?;
        config.validate(source_name)?;
        Ok(config)
    }
}

/// Converts a serde_json error into a one-line [`ModelError::Json`].
fn json_error(err: &serde_json::Error, source_name: &str) -> ModelError {
    let full = err.to_string();
    let suffix = format!(" at line {} column {}", err.line(), err.column());
    let message = full.strip_suffix(&suffix).unwrap_or(&full).to_string();
    ModelError::Json {
        source_name: source_name.to_string(),
        line: err.line(),
        column: err.column(),
        message,
    }
}

/// A JSON value rendered for an error message, shortened to one short line.
fn render(value: &Value) -> String {
    let text = value.to_string();
    if text.chars().count() > MAX_VALUE_CHARS {
        let head: String = text.chars().take(MAX_VALUE_CHARS).collect();
        format!("{head}...")
    } else {
        text
    }
}

/// The model name when the config does not carry `_name_or_path`.
fn name_from_source(source_name: &str) -> String {
    let path = Path::new(source_name);
    let stem = path
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or(source_name);
    if stem == "config" {
        if let Some(parent) = path
            .parent()
            .and_then(|p| p.file_name())
            .and_then(|s| s.to_str())
        {
            return parent.to_string();
        }
    }
    stem.to_string()
}

/// Typed access to the keys of one config object, producing errors that name the source.
struct Fields<'a> {
    source_name: &'a str,
    map: &'a Map<String, Value>,
}

impl Fields<'_> {
    /// An [`ModelError::InvalidField`] for `field`.
    fn error(&self, field: &str, value: String, message: impl Into<String>) -> ModelError {
        ModelError::InvalidField {
            source_name: self.source_name.to_string(),
            field: field.to_string(),
            value,
            message: message.into(),
        }
    }

    /// The value of `key`; `None` when absent or `null`.
    fn get(&self, key: &str) -> Option<&Value> {
        self.map.get(key).filter(|v| !v.is_null())
    }

    /// A required positive integer.
    fn size(&self, key: &str, model_type: &str) -> Result<u64, ModelError> {
        match self.opt_size(key)? {
            Some(value) => Ok(value),
            None => Err(self.error(
                key,
                "nothing".to_string(),
                format!("is required for model_type `{model_type}`"),
            )),
        }
    }

    /// An optional positive integer.
    fn opt_size(&self, key: &str) -> Result<Option<u64>, ModelError> {
        let Some(value) = self.get(key) else {
            return Ok(None);
        };
        match value.as_u64() {
            Some(n) => match size_problem(n) {
                None => Ok(Some(n)),
                Some(message) => Err(self.error(key, render(value), message)),
            },
            None => Err(self.error(key, render(value), POSITIVE)),
        }
    }

    /// An optional positive integer with a default.
    fn size_or(&self, key: &str, default: u64) -> Result<u64, ModelError> {
        Ok(self.opt_size(key)?.unwrap_or(default))
    }

    /// An optional boolean with a default.
    fn flag_or(&self, key: &str, default: bool) -> Result<bool, ModelError> {
        match self.get(key) {
            None => Ok(default),
            Some(Value::Bool(b)) => Ok(*b),
            Some(other) => Err(self.error(key, render(other), "must be true or false")),
        }
    }

    /// An optional string with a default.
    fn string_or(&self, key: &str, default: &str) -> Result<String, ModelError> {
        match self.get(key) {
            None => Ok(default.to_string()),
            Some(Value::String(s)) => Ok(s.clone()),
            Some(other) => Err(self.error(key, render(other), "must be a string")),
        }
    }

    /// The activation named by `key`.
    fn activation(&self, key: &str, default: &str) -> Result<Activation, ModelError> {
        let name = self.string_or(key, default)?;
        match name.as_str() {
            "silu" | "swish" => Ok(Activation::Silu),
            "relu" => Ok(Activation::Relu),
            "relu2" => Ok(Activation::Relu2),
            n if n.starts_with("gelu") => Ok(Activation::Gelu),
            _ => Err(self.error(
                key,
                render(&Value::String(name.clone())),
                "unsupported activation; expected silu, swish, gelu*, relu or relu2",
            )),
        }
    }

    /// `head_dim` from the file, or `hidden / heads`, which must then divide exactly.
    fn head_dim(&self, hidden: u64, heads: u64, heads_key: &str) -> Result<u64, ModelError> {
        if let Some(head_dim) = self.opt_size("head_dim")? {
            return Ok(head_dim);
        }
        if hidden % heads != 0 {
            return Err(self.error(
                heads_key,
                heads.to_string(),
                format!("must divide the hidden size ({hidden}) when `head_dim` is not given"),
            ));
        }
        Ok(hidden / heads)
    }

    /// `num_key_value_heads`, defaulting to `heads`, which it must divide.
    fn kv_heads(&self, heads: u64) -> Result<u64, ModelError> {
        let kv = self.size_or("num_key_value_heads", heads)?;
        if kv > heads || heads % kv != 0 {
            return Err(self.error(
                "num_key_value_heads",
                kv.to_string(),
                format!("must divide num_attention_heads ({heads})"),
            ));
        }
        Ok(kv)
    }

    /// The model name: `_name_or_path` when non-empty, else derived from the source.
    fn name(&self) -> String {
        match self.get("_name_or_path") {
            Some(Value::String(s)) if !s.trim().is_empty() => s.trim().to_string(),
            _ => name_from_source(self.source_name),
        }
    }

    /// Dispatches on `model_type`.
    fn import(&self) -> Result<ModelConfig, ModelError> {
        let model_type = match self.get("model_type") {
            Some(Value::String(s)) => s.clone(),
            Some(other) => return Err(self.error("model_type", render(other), "must be a string")),
            None => {
                return Err(self.error(
                    "model_type",
                    "nothing".to_string(),
                    format!(
                        "is required; supported: {}",
                        SUPPORTED_MODEL_TYPES.join(", ")
                    ),
                ))
            }
        };
        match model_type.as_str() {
            "gpt2" => self.gpt2(),
            "opt" => self.opt(),
            "llama" | "mistral" | "qwen2" | "qwen3" | "mixtral" | "bitnet" => {
                self.llama_like(&model_type)
            }
            _ => Err(self.error(
                "model_type",
                render(&Value::String(model_type.clone())),
                format!(
                    "unsupported model type; supported: {}",
                    SUPPORTED_MODEL_TYPES.join(", ")
                ),
            )),
        }
    }

    /// llama and its relatives: RMSNorm, RoPE, gated FFN.
    fn llama_like(&self, model_type: &str) -> Result<ModelConfig, ModelError> {
        let hidden = self.size("hidden_size", model_type)?;
        let intermediate = self.size("intermediate_size", model_type)?;
        let layers = self.size("num_hidden_layers", model_type)?;
        let heads = self.size("num_attention_heads", model_type)?;
        let kv_heads = self.kv_heads(heads)?;
        let head_dim = self.head_dim(hidden, heads, "num_attention_heads")?;
        let vocab = self.size("vocab_size", model_type)?;
        // Defaults of the transformers configuration classes (LlamaConfig: 2048,
        // MistralConfig and MixtralConfig: 4096 * 32, Qwen2Config and Qwen3Config: 32768,
        // BitNetConfig: 2048).
        let default_positions = match model_type {
            "mistral" | "mixtral" => 4096 * 32,
            "qwen2" | "qwen3" => 32768,
            _ => 2048,
        };
        let max_position = self.size_or("max_position_embeddings", default_positions)?;
        let tied = self.flag_or("tie_word_embeddings", false)?;
        let default_act = if model_type == "bitnet" {
            "relu2"
        } else {
            "silu"
        };
        let activation = self.activation("hidden_act", default_act)?;
        let (qkv_bias, linear_bias) = match model_type {
            "llama" => (
                self.flag_or("attention_bias", false)?,
                self.flag_or("mlp_bias", false)?,
            ),
            "qwen2" => (true, false),
            "qwen3" | "bitnet" => (self.flag_or("attention_bias", false)?, false),
            _ => (false, false),
        };
        let moe = if model_type == "mixtral" {
            let num_experts = self.size_or("num_local_experts", 8)?;
            let top_k = self.size_or("num_experts_per_tok", 2)?;
            if top_k > num_experts {
                return Err(self.error(
                    "num_experts_per_tok",
                    top_k.to_string(),
                    format!("must be at most num_local_experts ({num_experts})"),
                ));
            }
            Some(Moe { num_experts, top_k })
        } else {
            None
        };
        // qwen3: RMSNorm on each query and key head (q_norm, k_norm); bitnet: sub-norms
        // before the O projection and the down projection (attn_sub_norm, ffn_sub_norm).
        let extra_norms_per_layer = match model_type {
            "qwen3" | "bitnet" => 2,
            _ => 0,
        };
        Ok(self.finish(ModelConfig {
            name: self.name(),
            model_type: model_type.to_string(),
            hidden_size: hidden,
            intermediate_size: intermediate,
            num_layers: layers,
            num_heads: heads,
            num_kv_heads: kv_heads,
            head_dim,
            vocab_size: vocab,
            tied_embeddings: tied,
            moe,
            activation,
            gated_ffn: true,
            norm: NormKind::RmsNorm,
            position: PositionKind::Rope,
            max_position,
            qkv_bias,
            linear_bias,
            extra_norms_per_layer,
            native_quant: QuantScheme::FP16,
        }))
    }

    /// GPT-2: LayerNorm, learned positions, plain GELU FFN, biases everywhere.
    fn gpt2(&self) -> Result<ModelConfig, ModelError> {
        let hidden = self.size("n_embd", "gpt2")?;
        let layers = self.size("n_layer", "gpt2")?;
        let heads = self.size("n_head", "gpt2")?;
        let head_dim = self.head_dim(hidden, heads, "n_head")?;
        let vocab = self.size("vocab_size", "gpt2")?;
        // GPT2Config: n_inner None means 4 * n_embd; n_positions defaults to 1024.
        let default_inner = hidden.saturating_mul(4).min(MAX_SIZE);
        let intermediate = self.size_or("n_inner", default_inner)?;
        let max_position = self.size_or("n_positions", 1024)?;
        Ok(self.finish(ModelConfig {
            name: self.name(),
            model_type: "gpt2".to_string(),
            hidden_size: hidden,
            intermediate_size: intermediate,
            num_layers: layers,
            num_heads: heads,
            num_kv_heads: heads,
            head_dim,
            vocab_size: vocab,
            tied_embeddings: self.flag_or("tie_word_embeddings", true)?,
            moe: None,
            activation: self.activation("activation_function", "gelu_new")?,
            gated_ffn: false,
            norm: NormKind::LayerNorm,
            position: PositionKind::Learned,
            max_position,
            qkv_bias: true,
            linear_bias: true,
            extra_norms_per_layer: 0,
            native_quant: QuantScheme::FP16,
        }))
    }

    /// OPT: LayerNorm, learned positions (offset by 2), plain ReLU FFN.
    fn opt(&self) -> Result<ModelConfig, ModelError> {
        let hidden = self.size("hidden_size", "opt")?;
        let intermediate = self.size("ffn_dim", "opt")?;
        let layers = self.size("num_hidden_layers", "opt")?;
        let heads = self.size("num_attention_heads", "opt")?;
        let head_dim = self.head_dim(hidden, heads, "num_attention_heads")?;
        let vocab = self.size("vocab_size", "opt")?;
        let max_position = self.size_or("max_position_embeddings", 2048)?;
        let proj = self.size_or("word_embed_proj_dim", hidden)?;
        if proj != hidden {
            return Err(self.error(
                "word_embed_proj_dim",
                proj.to_string(),
                format!(
                    "embedding projections are not modelled; must equal hidden_size ({hidden})"
                ),
            ));
        }
        if !self.flag_or("do_layer_norm_before", true)? {
            return Err(self.error(
                "do_layer_norm_before",
                "false".to_string(),
                "post-norm OPT is not modelled; must be true",
            ));
        }
        let bias = self.flag_or("enable_bias", true)?;
        Ok(self.finish(ModelConfig {
            name: self.name(),
            model_type: "opt".to_string(),
            hidden_size: hidden,
            intermediate_size: intermediate,
            num_layers: layers,
            num_heads: heads,
            num_kv_heads: heads,
            head_dim,
            vocab_size: vocab,
            tied_embeddings: self.flag_or("tie_word_embeddings", true)?,
            moe: None,
            activation: self.activation("activation_function", "relu")?,
            gated_ffn: false,
            norm: NormKind::LayerNorm,
            position: PositionKind::Learned,
            max_position,
            qkv_bias: bias,
            linear_bias: bias,
            extra_norms_per_layer: 0,
            native_quant: QuantScheme::FP16,
        }))
    }

    /// Sets the native quantization from the family.
    fn finish(&self, mut config: ModelConfig) -> ModelConfig {
        config.native_quant = QuantScheme::native_for(&config);
        config
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(name_from_source("models/llama/config.json"), "llama");
        assert_eq!(name_from_source("x/tiny.json"), "tiny");
        assert_eq!(name_from_source("config.json"), "config");
    }

    #[test]
    fn json_error_is_one_line() {
        let err = ModelConfig::from_hf_json_str("{\n\"a\": ", "f.json").unwrap_err();
        assert_eq!(
            err.to_string(),
            "f.json:2:5: malformed JSON: EOF while parsing a value"
        );
    }

    #[test]
    fn top_level_must_be_object() {
        let err = ModelConfig::from_hf_json_str("[1]", "f.json").unwrap_err();
        assert_eq!(
            err.to_string(),
            "f.json: field `(top level)`: must be a JSON object (got [1])"
        );
    }
}
