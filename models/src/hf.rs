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
//! # Ranges
//!
//! Every numeric key is checked against its range, declared once in [`NUMERIC_FIELDS`]
//! (a size shares the range of the [`ModelConfig`] field it fills). A size must be a positive
//! JSON integer: zero, negatives, fractions (`64.0` included) and non-numbers get "must be a
//! positive integer"; a whole number above the range, even beyond `u64`, gets the range.
//! The real-valued keys may be any JSON number in range; they are checked whenever present,
//! in every family, though nothing reads them. JSON has no NaN or infinity, and a literal too
//! large for `f64` (`1e400`) is malformed JSON. This table is [`NUMERIC_FIELDS`] printed (a
//! test keeps it so):
//!
//! | key | range | why |
//! |---|---|---|
//! | `hidden_size` | 1 to 1048576 | far above any published model |
//! | `n_embd` | 1 to 1048576 | far above any published model |
//! | `word_embed_proj_dim` | 1 to 1048576 | far above any published model |
//! | `intermediate_size` | 1 to 1048576 | far above any published model |
//! | `ffn_dim` | 1 to 1048576 | far above any published model |
//! | `n_inner` | 1 to 1048576 | far above any published model |
//! | `num_hidden_layers` | 1 to 10000 layers | far above any published model |
//! | `n_layer` | 1 to 10000 layers | far above any published model |
//! | `num_attention_heads` | 1 to 65536 heads | far above any published model |
//! | `n_head` | 1 to 65536 heads | far above any published model |
//! | `num_key_value_heads` | 1 to 65536 heads | far above any published model |
//! | `head_dim` | 1 to 65536 | far above any published model |
//! | `vocab_size` | 1 to 16777216 tokens | far above any published model |
//! | `max_position_embeddings` | 1 to 16777216 tokens | far above any published model |
//! | `n_positions` | 1 to 16777216 tokens | far above any published model |
//! | `num_local_experts` | 1 to 4096 experts | far above any published model |
//! | `num_experts_per_tok` | 1 to 4096 experts | and at most the experts |
//! | `rope_theta` | 1 to 1e12 | checked so a broken file is caught; not modelled |
//! | `rms_norm_eps` | 0 to 1 | checked so a broken file is caught; not modelled |
//! | `layer_norm_eps` | 0 to 1 | checked so a broken file is caught; not modelled |
//! | `layer_norm_epsilon` | 0 to 1 | checked so a broken file is caught; not modelled |
//!
//! Every error is a one-line [`ModelError`] naming the file, the field and the value, e.g.
//! ``config.json: field `num_hidden_layers`: must be between 1 and 10000 layers (got
//! 2147483648)``.

use std::path::Path;

use serde_json::{Map, Value};

use crate::config::{Activation, Attention, ModelConfig, Moe, NormKind, PositionKind, POSITIVE};
use crate::error::ModelError;
use crate::limits::Limit;
use crate::quant::QuantScheme;

/// The `model_type`s the importer understands.
pub const SUPPORTED_MODEL_TYPES: [&str; 8] = [
    "llama", "mistral", "qwen2", "qwen3", "mixtral", "bitnet", "gpt2", "opt",
];

/// Longest rendering of a bad value kept in an error message.
const MAX_VALUE_CHARS: usize = 60;

/// A numeric key of `config.json` and the range its value must lie in.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HfField {
    /// The key, as spelled in `config.json`.
    pub key: &'static str,
    /// The range of its value.
    pub limit: Limit,
    /// A size (a positive JSON integer) or any JSON number.
    pub integer: bool,
}

impl HfField {
    /// A size key: a positive integer in `limit`.
    const fn size(key: &'static str, limit: Limit) -> HfField {
        HfField {
            key,
            limit,
            integer: true,
        }
    }

    /// A real-valued key: any JSON number in `limit`.
    const fn real(key: &'static str, limit: Limit) -> HfField {
        HfField {
            key,
            limit,
            integer: false,
        }
    }
}

/// Why the floating-point keys are checked although nothing reads them.
const UNMODELLED: &str = "checked so a broken file is caught; not modelled";

const HIDDEN_SIZE: HfField = HfField::size("hidden_size", ModelConfig::HIDDEN_SIZE);
const N_EMBD: HfField = HfField::size("n_embd", ModelConfig::HIDDEN_SIZE);
const WORD_EMBED_PROJ_DIM: HfField = HfField::size("word_embed_proj_dim", ModelConfig::HIDDEN_SIZE);
const INTERMEDIATE_SIZE: HfField =
    HfField::size("intermediate_size", ModelConfig::INTERMEDIATE_SIZE);
const FFN_DIM: HfField = HfField::size("ffn_dim", ModelConfig::INTERMEDIATE_SIZE);
const N_INNER: HfField = HfField::size("n_inner", ModelConfig::INTERMEDIATE_SIZE);
const NUM_HIDDEN_LAYERS: HfField = HfField::size("num_hidden_layers", ModelConfig::NUM_LAYERS);
const N_LAYER: HfField = HfField::size("n_layer", ModelConfig::NUM_LAYERS);
const NUM_ATTENTION_HEADS: HfField = HfField::size("num_attention_heads", ModelConfig::NUM_HEADS);
const N_HEAD: HfField = HfField::size("n_head", ModelConfig::NUM_HEADS);
const NUM_KEY_VALUE_HEADS: HfField =
    HfField::size("num_key_value_heads", ModelConfig::NUM_KV_HEADS);
const HEAD_DIM: HfField = HfField::size("head_dim", ModelConfig::HEAD_DIM);
const VOCAB_SIZE: HfField = HfField::size("vocab_size", ModelConfig::VOCAB_SIZE);
const MAX_POSITION_EMBEDDINGS: HfField =
    HfField::size("max_position_embeddings", ModelConfig::MAX_POSITION);
const N_POSITIONS: HfField = HfField::size("n_positions", ModelConfig::MAX_POSITION);
const NUM_LOCAL_EXPERTS: HfField = HfField::size("num_local_experts", Moe::NUM_EXPERTS);
const NUM_EXPERTS_PER_TOK: HfField = HfField::size("num_experts_per_tok", Moe::TOP_K);
const ROPE_THETA: HfField = HfField::real("rope_theta", Limit::new(1.0, 1e12, "", UNMODELLED));
const RMS_NORM_EPS: HfField = HfField::real("rms_norm_eps", Limit::new(0.0, 1.0, "", UNMODELLED));
const LAYER_NORM_EPS: HfField =
    HfField::real("layer_norm_eps", Limit::new(0.0, 1.0, "", UNMODELLED));
const LAYER_NORM_EPSILON: HfField =
    HfField::real("layer_norm_epsilon", Limit::new(0.0, 1.0, "", UNMODELLED));

/// Every numeric key the importer reads, with its range: the one place the ranges of
/// `config.json` values are declared (sizes share the range of the [`ModelConfig`] field they
/// fill). Numeric values are read only through these (a test holds this table, the constants
/// above and the module doc equal).
pub const NUMERIC_FIELDS: [HfField; 21] = [
    HIDDEN_SIZE,
    N_EMBD,
    WORD_EMBED_PROJ_DIM,
    INTERMEDIATE_SIZE,
    FFN_DIM,
    N_INNER,
    NUM_HIDDEN_LAYERS,
    N_LAYER,
    NUM_ATTENTION_HEADS,
    N_HEAD,
    NUM_KEY_VALUE_HEADS,
    HEAD_DIM,
    VOCAB_SIZE,
    MAX_POSITION_EMBEDDINGS,
    N_POSITIONS,
    NUM_LOCAL_EXPERTS,
    NUM_EXPERTS_PER_TOK,
    ROPE_THETA,
    RMS_NORM_EPS,
    LAYER_NORM_EPS,
    LAYER_NORM_EPSILON,
];

/// The real-valued keys, checked in every family whenever present.
const REAL_FIELDS: [HfField; 4] = [ROPE_THETA, RMS_NORM_EPS, LAYER_NORM_EPS, LAYER_NORM_EPSILON];

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

    /// A required size.
    fn size(&self, field: HfField, model_type: &str) -> Result<u64, ModelError> {
        match self.opt_size(field)? {
            Some(value) => Ok(value),
            None => Err(self.error(
                field.key,
                "nothing".to_string(),
                format!("is required for model_type `{model_type}`"),
            )),
        }
    }

    /// An optional size: a JSON integer within `field.limit` (zero gets the range). Negatives,
    /// fractions and non-numbers are "not a positive integer"; an integer too large for the
    /// range (even beyond `u64`, which JSON parses as a float) gets the range.
    fn opt_size(&self, field: HfField) -> Result<Option<u64>, ModelError> {
        debug_assert!(field.integer, "{} is not a size", field.key);
        let Some(value) = self.get(field.key) else {
            return Ok(None);
        };
        let out_of_range = |message| self.error(field.key, render(value), message);
        match (value.as_u64(), value.as_f64()) {
            (Some(n), _) => field.limit.check_u64(n).map(Some).map_err(out_of_range),
            // A whole number above the range that serde_json holds as a float: written in
            // exponent form (`1e20`) or beyond u64::MAX. `64.0` stays "not an integer".
            (None, Some(f)) if f.fract() == 0.0 && f > field.limit.max => {
                Err(out_of_range(field.limit.message()))
            }
            _ => Err(out_of_range(POSITIVE.to_string())),
        }
    }

    /// An optional size with a default.
    fn size_or(&self, field: HfField, default: u64) -> Result<u64, ModelError> {
        Ok(self.opt_size(field)?.unwrap_or(default))
    }

    /// An optional real number within `field.limit`.
    fn opt_real(&self, field: HfField) -> Result<Option<f64>, ModelError> {
        debug_assert!(!field.integer, "{} is a size", field.key);
        let Some(value) = self.get(field.key) else {
            return Ok(None);
        };
        match value.as_f64() {
            Some(f) => field
                .limit
                .check_f64(f)
                .map(Some)
                .map_err(|message| self.error(field.key, render(value), message)),
            None => Err(self.error(field.key, render(value), "must be a number")),
        }
    }

    /// Checks the real-valued keys that are present; none of them is modelled.
    fn check_reals(&self) -> Result<(), ModelError> {
        for field in REAL_FIELDS {
            self.opt_real(field)?;
        }
        Ok(())
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

    /// `head_dim` from the file, or `hidden / heads`, which must then divide exactly and lie
    /// in the range of `head_dim` (the error names the heads key, as `head_dim` is absent).
    fn head_dim(&self, hidden: u64, heads: u64, heads_field: HfField) -> Result<u64, ModelError> {
        if let Some(head_dim) = self.opt_size(HEAD_DIM)? {
            return Ok(head_dim);
        }
        if hidden % heads != 0 {
            return Err(self.error(
                heads_field.key,
                heads.to_string(),
                format!("must divide the hidden size ({hidden}) when `head_dim` is not given"),
            ));
        }
        let head_dim = hidden / heads;
        HEAD_DIM.limit.check_u64(head_dim).map_err(|message| {
            self.error(
                heads_field.key,
                heads.to_string(),
                format!(
                    "gives head_dim = {hidden} / {heads} = {head_dim} when `head_dim` is not \
                     given, and head_dim {message}"
                ),
            )
        })
    }

    /// `num_key_value_heads`, defaulting to `heads`, which it must divide.
    fn kv_heads(&self, heads: u64) -> Result<u64, ModelError> {
        let kv = self.size_or(NUM_KEY_VALUE_HEADS, heads)?;
        if kv > heads || heads % kv != 0 {
            return Err(self.error(
                NUM_KEY_VALUE_HEADS.key,
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
        self.check_reals()?;
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
        let hidden = self.size(HIDDEN_SIZE, model_type)?;
        let intermediate = self.size(INTERMEDIATE_SIZE, model_type)?;
        let layers = self.size(NUM_HIDDEN_LAYERS, model_type)?;
        let heads = self.size(NUM_ATTENTION_HEADS, model_type)?;
        let kv_heads = self.kv_heads(heads)?;
        let head_dim = self.head_dim(hidden, heads, NUM_ATTENTION_HEADS)?;
        let vocab = self.size(VOCAB_SIZE, model_type)?;
        // Defaults of the transformers configuration classes (LlamaConfig: 2048,
        // MistralConfig and MixtralConfig: 4096 * 32, Qwen2Config and Qwen3Config: 32768,
        // BitNetConfig: 2048).
        let default_positions = match model_type {
            "mistral" | "mixtral" => 4096 * 32,
            "qwen2" | "qwen3" => 32768,
            _ => 2048,
        };
        let max_position = self.size_or(MAX_POSITION_EMBEDDINGS, default_positions)?;
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
            let num_experts = self.size_or(NUM_LOCAL_EXPERTS, 8)?;
            let top_k = self.size_or(NUM_EXPERTS_PER_TOK, 2)?;
            if top_k > num_experts {
                return Err(self.error(
                    NUM_EXPERTS_PER_TOK.key,
                    top_k.to_string(),
                    format!("must be at most num_local_experts ({num_experts})"),
                ));
            }
            Some(Moe::routed(num_experts, top_k, intermediate))
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
            attention: Attention::Standard,
            sliding_window: None,
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
        let hidden = self.size(N_EMBD, "gpt2")?;
        let layers = self.size(N_LAYER, "gpt2")?;
        let heads = self.size(N_HEAD, "gpt2")?;
        let head_dim = self.head_dim(hidden, heads, N_HEAD)?;
        let vocab = self.size(VOCAB_SIZE, "gpt2")?;
        // GPT2Config: n_inner None means 4 * n_embd; n_positions defaults to 1024.
        let intermediate = match self.opt_size(N_INNER)? {
            Some(inner) => inner,
            None => {
                let inner = hidden.saturating_mul(4);
                N_INNER.limit.check_u64(inner).map_err(|message| {
                    self.error(
                        N_EMBD.key,
                        hidden.to_string(),
                        format!(
                            "gives n_inner = 4 x {hidden} = {inner} when `n_inner` is not given, \
                             and n_inner {message}"
                        ),
                    )
                })?
            }
        };
        let max_position = self.size_or(N_POSITIONS, 1024)?;
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
            attention: Attention::Standard,
            sliding_window: None,
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
        let hidden = self.size(HIDDEN_SIZE, "opt")?;
        let intermediate = self.size(FFN_DIM, "opt")?;
        let layers = self.size(NUM_HIDDEN_LAYERS, "opt")?;
        let heads = self.size(NUM_ATTENTION_HEADS, "opt")?;
        let head_dim = self.head_dim(hidden, heads, NUM_ATTENTION_HEADS)?;
        let vocab = self.size(VOCAB_SIZE, "opt")?;
        let max_position = self.size_or(MAX_POSITION_EMBEDDINGS, 2048)?;
        let proj = self.size_or(WORD_EMBED_PROJ_DIM, hidden)?;
        if proj != hidden {
            return Err(self.error(
                WORD_EMBED_PROJ_DIM.key,
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
            attention: Attention::Standard,
            sliding_window: None,
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

    /// Sets the native quantization from the family, or from the `weight_bits` and
    /// `input_bits` keys of the BitNet b1.58 reproductions (`1bitLLM/bitnet_b1_58-large` and
    /// its siblings are `llama`-typed configs with `"weight_bits": 1, "input_bits": 8`: ternary
    /// weights, INT8 activations; Ma et al., arXiv 2402.17764).
    fn finish(&self, mut config: ModelConfig) -> ModelConfig {
        let bits = |key: &str| self.get(key).and_then(Value::as_u64);
        config.native_quant = match (bits("weight_bits"), bits("input_bits")) {
            (Some(1), Some(8)) => QuantScheme::BITNET_B158,
            _ => QuantScheme::native_for(&config),
        };
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
