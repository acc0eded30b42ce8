//! Import of Hugging Face `config.json` files into a validated [`ModelConfig`].
//!
//! Supported `model_type`s and the keys read (all other keys are ignored; HF configs carry many):
//!
//! | family | keys (`*` = optional, its default after `=`; the others are required) |
//! |---|---|
//! | llama, mistral, qwen2, qwen3, mixtral, bitnet, phi3, qwen2_moe, qwen3_moe | `hidden_size`, `intermediate_size`, `num_hidden_layers`, `num_attention_heads`, `vocab_size`, `num_key_value_heads*` = heads, `head_dim*` = hidden/heads, `max_position_embeddings*`, `tie_word_embeddings*`, `hidden_act*` = silu (bitnet: relu2), `layer_types*` |
//! | llama | `attention_bias*` = false (Q/K/V bias), `mlp_bias*` = false (O and FFN bias) |
//! | qwen3, qwen3_moe, bitnet | `attention_bias*` = false (Q/K/V bias) |
//! | qwen2_moe | `qkv_bias*` = true |
//! | mistral | `sliding_window*` = 4096 on every layer |
//! | mixtral | `num_local_experts*` = 8, `num_experts_per_tok*` = 2, `sliding_window*` = none on every layer |
//! | phi3 | `sliding_window*` = none on every layer |
//! | qwen2, qwen3, qwen2_moe, qwen3_moe | `use_sliding_window*` = false, `sliding_window*` = 4096, `max_window_layers*` = 28 (range-checked but unused by qwen3_moe) |
//! | qwen2_moe | `num_experts*` = 60, `num_experts_per_tok*` = 4, `moe_intermediate_size*` = 1408, `shared_expert_intermediate_size*` = 5632, `decoder_sparse_step*` = 1, `mlp_only_layers*` = [] |
//! | qwen3_moe | `num_experts*` = 128, `num_experts_per_tok*` = 8, `moe_intermediate_size*` = 768, `decoder_sparse_step*` = 1, `mlp_only_layers*` = [] |
//! | gemma2, gemma3_text | `hidden_size`, `intermediate_size`, `num_hidden_layers`, `num_attention_heads`, `vocab_size`, `num_key_value_heads*` = 4, `head_dim*` = 256, `max_position_embeddings*` = 8192 (gemma3_text: 131072), `hidden_activation*` (else `hidden_act*`) = gelu_pytorch_tanh, `tie_word_embeddings*` = true, `attention_bias*` = false, `sliding_window*` = 4096, `layer_types*` |
//! | gemma3_text | `sliding_window_pattern*` = 6 |
//! | gemma3 | `text_config*`, read as gemma3_text with every key optional: `vocab_size` = 262208, `hidden_size` = 2304, `intermediate_size` = 9216, `num_hidden_layers` = 26, `num_attention_heads` = 8 (the other defaults as gemma3_text) |
//! | deepseek_v2, deepseek_v3 | `hidden_size`, `intermediate_size`, `moe_intermediate_size`, `num_hidden_layers`, `num_attention_heads`, `vocab_size`, `kv_lora_rank`, `qk_nope_head_dim`, `qk_rope_head_dim`, `v_head_dim`, `q_lora_rank*` = 1536, `n_routed_experts*` = 64 (v3: 256), `n_shared_experts*` = 2 (v3: 1), `num_experts_per_tok` (v3: `*` = 8), `first_k_dense_replace*` = 0 (v3: 3), `moe_layer_freq*` = 1, `max_position_embeddings*` = 2048 (v3: 4096), `tie_word_embeddings*` = false, `hidden_act*` = silu, `topk_method*` (v3) = noaux_tc |
//! | gpt2 | `n_embd`, `n_layer`, `n_head`, `vocab_size`, `n_inner*` = 4*n_embd, `n_positions*` = 1024, `activation_function*` = gelu_new, `tie_word_embeddings*` = true |
//! | opt | `hidden_size`, `ffn_dim`, `num_hidden_layers`, `num_attention_heads`, `vocab_size`, `max_position_embeddings*` = 2048, `activation_function*` = relu, `enable_bias*` = true, `word_embed_proj_dim*` = hidden (must equal it), `do_layer_norm_before*` = true (must be), `tie_word_embeddings*` = true |
//!
//! Defaults are those of the transformers configuration classes (`LlamaConfig`,
//! `Gemma2Config`, `DeepseekV3Config` etc.), so a file means what it means to transformers.
//! `max_position_embeddings` defaults: llama 2048, mistral 131072, qwen2 and qwen3 (and their
//! MoE) 32768, mixtral 131072, bitnet 2048, phi3 4096, opt 2048. `tie_word_embeddings`
//! defaults to false except for gpt2, opt and the gemmas. A JSON `null` counts as absent,
//! except for `sliding_window`, `q_lora_rank`, `n_routed_experts` and `n_shared_experts`,
//! where it means none (no window, a plain `q_proj`, a dense model, no shared experts), as it
//! does to the configuration classes.
//!
//! Layer patterns (what the configuration classes and `modeling_*.py` build):
//!
//! - sliding windows: mistral, mixtral and phi3 put their window on every layer; qwen2 and
//!   qwen3 (only with `use_sliding_window`) on the layers `i >= max_window_layers`, qwen2_moe
//!   on the even layers `i < max_window_layers` (Qwen2MoeConfig's `layer_types`), qwen3_moe on
//!   every layer; gemma2 on the even layers (13 of 26); gemma3 on the layers with
//!   `(i + 1) % sliding_window_pattern != 0` (22 of 26 with the pattern 6). In every family a
//!   `layer_types` list, one `"sliding_attention"` or `"full_attention"` per layer, replaces
//!   the pattern (mistral's transformers class only warns about it; we honour it).
//! - experts: qwen2_moe and qwen3_moe layer `i` is sparse iff `i` is not in `mlp_only_layers`
//!   and `(i + 1) % decoder_sparse_step == 0`; deepseek layer `i` iff `i >=
//!   first_k_dense_replace` and `i % moe_layer_freq == 0` (DeepSeek's own
//!   `modeling_deepseek.py`; transformers' port ignores `moe_layer_freq`, which every
//!   published file sets to 1). The other layers have a dense FFN of `intermediate_size`.
//!
//! Not modelled (documented approximations): a llama `attention_bias` also adds an O-projection
//! bias and qwen3/bitnet/gemma `attention_bias` likewise (we count it only via `mlp_bias`); a
//! deepseek `attention_bias` (biases on `q_a_proj`, `kv_a_proj_with_mqa` and `o_proj`; false in
//! every published file) is ignored; DeepSeek-V3's multi-token-prediction layers
//! (`num_nextn_predict_layers`, which transformers does not load either) are not counted, and
//! its fp8 `quantization_config` is not read (the native format stays fp16); the vision tower
//! and projector of a multimodal gemma3 are not modelled, only its language model; OPT's
//! embedding projections (`word_embed_proj_dim` != `hidden_size`, opt-350m) and post-norm
//! OPT (`do_layer_norm_before: false`) are rejected with an error rather than mis-counted.
//!
//! # Ranges
//!
//! Every numeric key is checked against its range, declared once in [`NUMERIC_FIELDS`]
//! (a size shares the range of the [`ModelConfig`] field it fills; each entry of
//! `mlp_only_layers` is checked against its row). A size must be a JSON integer in its range:
//! a zero outside it gets the range; negatives, fractions (`64.0` included) and non-numbers
//! get "must be a positive integer" ("must be a non-negative integer" for the counts whose
//! range starts at 0); a whole number above the range, even beyond `u64`, gets the range.
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
//! | `moe_intermediate_size` | 1 to 1048576 | far above any published model |
//! | `shared_expert_intermediate_size` | 0 to 1048576 | far above any published model |
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
//! | `num_experts` | 1 to 4096 experts | far above any published model |
//! | `n_routed_experts` | 1 to 4096 experts | far above any published model |
//! | `n_shared_experts` | 0 to 4096 experts | far above any published model |
//! | `num_experts_per_tok` | 1 to 4096 experts | and at most the experts |
//! | `decoder_sparse_step` | 1 to 10000 layers | far above any published model |
//! | `mlp_only_layers` | 0 to 9999 | a layer index; indices at or above the model's layers are ignored |
//! | `first_k_dense_replace` | 0 to 10000 layers | and at most the model's layers |
//! | `moe_layer_freq` | 1 to 10000 layers | far above any published model |
//! | `q_lora_rank` | 1 to 1048576 | far above any published model |
//! | `kv_lora_rank` | 1 to 1048576 | far above any published model |
//! | `qk_nope_head_dim` | 1 to 65536 | far above any published model |
//! | `qk_rope_head_dim` | 1 to 65536 | far above any published model |
//! | `v_head_dim` | 1 to 65536 | far above any published model |
//! | `sliding_window` | 1 to 16777216 tokens | far above any published model |
//! | `sliding_window_pattern` | 1 to 10000 layers | far above any published model |
//! | `max_window_layers` | 0 to 10000 layers | far above any published model |
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

use std::collections::BTreeSet;

use crate::config::{
    Activation, Attention, Mla, ModelConfig, Moe, NormKind, PositionKind, SlidingWindow, POSITIVE,
};
use crate::error::ModelError;
use crate::limits::Limit;
use crate::quant::QuantScheme;

/// The `model_type`s the importer understands.
pub const SUPPORTED_MODEL_TYPES: [&str; 16] = [
    "llama",
    "mistral",
    "qwen2",
    "qwen3",
    "mixtral",
    "bitnet",
    "gpt2",
    "opt",
    "phi3",
    "qwen2_moe",
    "qwen3_moe",
    "gemma2",
    "gemma3_text",
    "gemma3",
    "deepseek_v2",
    "deepseek_v3",
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

/// Why the size caps are where they are (as in `config.rs`).
const FAR_ABOVE: &str = "far above any published model";
/// Why `mlp_only_layers` entries stop below 10000.
const LAYER_INDEX: &str = "a layer index; indices at or above the model's layers are ignored";

const SLIDING_WINDOW: HfField = HfField::size("sliding_window", SlidingWindow::WINDOW);
const SLIDING_WINDOW_PATTERN: HfField =
    HfField::size("sliding_window_pattern", ModelConfig::NUM_LAYERS);
const MAX_WINDOW_LAYERS: HfField = HfField::size(
    "max_window_layers",
    Limit::new(0.0, 10_000.0, "layers", FAR_ABOVE),
);
const NUM_EXPERTS: HfField = HfField::size("num_experts", Moe::NUM_EXPERTS);
const N_ROUTED_EXPERTS: HfField = HfField::size("n_routed_experts", Moe::NUM_EXPERTS);
const N_SHARED_EXPERTS: HfField = HfField::size(
    "n_shared_experts",
    Limit::new(0.0, 4096.0, "experts", FAR_ABOVE),
);
const MOE_INTERMEDIATE_SIZE: HfField =
    HfField::size("moe_intermediate_size", Moe::EXPERT_INTERMEDIATE_SIZE);
const SHARED_EXPERT_INTERMEDIATE_SIZE: HfField = HfField::size(
    "shared_expert_intermediate_size",
    Moe::SHARED_INTERMEDIATE_SIZE,
);
const DECODER_SPARSE_STEP: HfField = HfField::size("decoder_sparse_step", ModelConfig::NUM_LAYERS);
const MOE_LAYER_FREQ: HfField = HfField::size("moe_layer_freq", ModelConfig::NUM_LAYERS);
const FIRST_K_DENSE_REPLACE: HfField = HfField::size("first_k_dense_replace", Moe::DENSE_LAYERS);
const MLP_ONLY_LAYERS: HfField =
    HfField::size("mlp_only_layers", Limit::new(0.0, 9999.0, "", LAYER_INDEX));
const Q_LORA_RANK: HfField = HfField::size("q_lora_rank", Mla::RANK);
const KV_LORA_RANK: HfField = HfField::size("kv_lora_rank", Mla::RANK);
const QK_NOPE_HEAD_DIM: HfField = HfField::size("qk_nope_head_dim", Mla::HEAD_PART);
const QK_ROPE_HEAD_DIM: HfField = HfField::size("qk_rope_head_dim", Mla::HEAD_PART);
const V_HEAD_DIM: HfField = HfField::size("v_head_dim", Mla::HEAD_PART);

/// Every numeric key the importer reads, with its range: the one place the ranges of
/// `config.json` values are declared (sizes share the range of the [`ModelConfig`] field they
/// fill). Numeric values are read only through these (a test holds this table, the constants
/// above and the module doc equal).
pub const NUMERIC_FIELDS: [HfField; 38] = [
    HIDDEN_SIZE,
    N_EMBD,
    WORD_EMBED_PROJ_DIM,
    INTERMEDIATE_SIZE,
    FFN_DIM,
    N_INNER,
    MOE_INTERMEDIATE_SIZE,
    SHARED_EXPERT_INTERMEDIATE_SIZE,
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
    NUM_EXPERTS,
    N_ROUTED_EXPERTS,
    N_SHARED_EXPERTS,
    NUM_EXPERTS_PER_TOK,
    DECODER_SPARSE_STEP,
    MLP_ONLY_LAYERS,
    FIRST_K_DENSE_REPLACE,
    MOE_LAYER_FREQ,
    Q_LORA_RANK,
    KV_LORA_RANK,
    QK_NOPE_HEAD_DIM,
    QK_ROPE_HEAD_DIM,
    V_HEAD_DIM,
    SLIDING_WINDOW,
    SLIDING_WINDOW_PATTERN,
    MAX_WINDOW_LAYERS,
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
        let fields = Fields {
            source_name,
            map,
            prefix: "",
        };
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
    /// Prepended to the keys named in errors: `text_config.` inside a multimodal config.
    prefix: &'a str,
}

/// The message for a negative, fractional or non-numeric count that may be zero.
const NON_NEGATIVE: &str = "must be a non-negative integer";

/// `layer_types` entries (transformers `ALLOWED_LAYER_TYPES`).
const SLIDING_ATTENTION: &str = "sliding_attention";
const FULL_ATTENTION: &str = "full_attention";

impl Fields<'_> {
    /// An [`ModelError::InvalidField`] for `field`.
    fn error(&self, field: &str, value: String, message: impl Into<String>) -> ModelError {
        ModelError::InvalidField {
            source_name: self.source_name.to_string(),
            field: format!("{}{field}", self.prefix),
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
        match self.get(field.key) {
            None => Ok(None),
            Some(value) => self.check_size(field, value).map(Some),
        }
    }

    /// `value` (of `field`, or an entry of its list) as a size within `field.limit`; the one
    /// place a number is read from the JSON as an integer.
    fn check_size(&self, field: HfField, value: &Value) -> Result<u64, ModelError> {
        debug_assert!(field.integer, "{} is not a size", field.key);
        let out_of_range = |message| self.error(field.key, render(value), message);
        match (value.as_u64(), value.as_f64()) {
            (Some(n), _) => field.limit.check_u64(n).map_err(out_of_range),
            // A whole number above the range that serde_json holds as a float: written in
            // exponent form (`1e20`) or beyond u64::MAX. `64.0` stays "not an integer".
            (None, Some(f)) if f.fract() == 0.0 && f > field.limit.max => {
                Err(out_of_range(field.limit.message()))
            }
            _ if field.limit.min <= 0.0 => Err(out_of_range(NON_NEGATIVE.to_string())),
            _ => Err(out_of_range(POSITIVE.to_string())),
        }
    }

    /// A size whose transformers default is `default` and for which a JSON `null` means
    /// "none" rather than "absent" (`sliding_window`, `q_lora_rank`, `n_routed_experts`,
    /// `n_shared_experts`: the configuration classes keep a `None` passed to them).
    fn nullable_size(
        &self,
        field: HfField,
        default: Option<u64>,
    ) -> Result<Option<u64>, ModelError> {
        match self.map.get(field.key) {
            None => Ok(default),
            Some(Value::Null) => Ok(None),
            Some(value) => self.check_size(field, value).map(Some),
        }
    }

    /// A list of layer indices (`mlp_only_layers`); absent or `null` is the empty list.
    fn index_list(&self, field: HfField) -> Result<BTreeSet<u64>, ModelError> {
        match self.get(field.key) {
            None => Ok(BTreeSet::new()),
            Some(Value::Array(items)) => items.iter().map(|v| self.check_size(field, v)).collect(),
            Some(other) => {
                Err(self.error(field.key, render(other), "must be a list of layer indices"))
            }
        }
    }

    /// `layer_types`, one `"sliding_attention"` (true) or `"full_attention"` (false) per layer;
    /// `None` when absent.
    fn layer_types(&self, layers: u64) -> Result<Option<Vec<bool>>, ModelError> {
        const KEY: &str = "layer_types";
        let Some(value) = self.get(KEY) else {
            return Ok(None);
        };
        let Value::Array(items) = value else {
            return Err(self.error(
                KEY,
                render(value),
                format!("must be a list of \"{SLIDING_ATTENTION}\" and \"{FULL_ATTENTION}\""),
            ));
        };
        if items.len() as u64 != layers {
            return Err(self.error(
                KEY,
                render(value),
                format!(
                    "must have one entry per layer (num_hidden_layers = {layers}), not {}",
                    items.len()
                ),
            ));
        }
        items
            .iter()
            .map(|item| match item.as_str() {
                Some(SLIDING_ATTENTION) => Ok(true),
                Some(FULL_ATTENTION) => Ok(false),
                _ => Err(self.error(
                    KEY,
                    render(item),
                    format!("entries must be \"{SLIDING_ATTENTION}\" or \"{FULL_ATTENTION}\""),
                )),
            })
            .collect::<Result<Vec<bool>, ModelError>>()
            .map(Some)
    }

    /// The sliding window of a model with `layers` layers: `window` (none: no local layers) on
    /// the layers `layer_types` marks `sliding_attention`, or when the file has no
    /// `layer_types`, on the layers `is_local` picks by index. `layer_types` is checked even
    /// when there is no window. `None` when no layer is local.
    fn sliding_window(
        &self,
        window: Option<u64>,
        layers: u64,
        is_local: impl Fn(u64) -> bool,
    ) -> Result<Option<SlidingWindow>, ModelError> {
        let types = self.layer_types(layers)?;
        let Some(window) = window else {
            return Ok(None);
        };
        let local_layers = match types {
            Some(types) => types.iter().filter(|local| **local).count() as u64,
            None => (0..layers).filter(|&i| is_local(i)).count() as u64,
        };
        Ok((local_layers > 0).then_some(SlidingWindow {
            window,
            local_layers,
        }))
    }

    /// `num_experts_per_tok`, which must be at most `experts` (read from `experts_key`).
    fn top_k(&self, default: u64, experts: u64, experts_key: &str) -> Result<u64, ModelError> {
        let top_k = self.size_or(NUM_EXPERTS_PER_TOK, default)?;
        if top_k > experts {
            return Err(self.error(
                NUM_EXPERTS_PER_TOK.key,
                top_k.to_string(),
                format!("must be at most {experts_key} ({experts})"),
            ));
        }
        Ok(top_k)
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
            "llama" | "mistral" | "qwen2" | "qwen3" | "mixtral" | "bitnet" | "phi3"
            | "qwen2_moe" | "qwen3_moe" => self.llama_like(&model_type),
            "gemma2" | "gemma3_text" => self.gemma(&model_type, false),
            "gemma3" => self.gemma3_multimodal(),
            "deepseek_v2" | "deepseek_v3" => self.deepseek(&model_type),
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
        // MistralConfig and MixtralConfig: 4096 * 32, Qwen2Config, Qwen3Config,
        // Qwen2MoeConfig and Qwen3MoeConfig: 32768, Phi3Config: 4096, BitNetConfig: 2048).
        let default_positions = match model_type {
            "mistral" | "mixtral" => 4096 * 32,
            "qwen2" | "qwen3" | "qwen2_moe" | "qwen3_moe" => 32768,
            "phi3" => 4096,
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
            // Qwen2MoeConfig: `qkv_bias` = True.
            "qwen2_moe" => (self.flag_or("qkv_bias", true)?, false),
            "qwen3" | "qwen3_moe" | "bitnet" => (self.flag_or("attention_bias", false)?, false),
            // Phi3Config, MistralConfig, MixtralConfig: no biases.
            _ => (false, false),
        };
        let moe = match model_type {
            // MixtralConfig: num_local_experts = 8, num_experts_per_tok = 2; every expert is
            // `intermediate_size` wide.
            "mixtral" => {
                let num_experts = self.size_or(NUM_LOCAL_EXPERTS, 8)?;
                let top_k = self.top_k(2, num_experts, NUM_LOCAL_EXPERTS.key)?;
                Some(Moe::routed(num_experts, top_k, intermediate))
            }
            "qwen2_moe" | "qwen3_moe" => self.qwen_moe(model_type, layers)?,
            _ => None,
        };
        // qwen3: RMSNorm on each query and key head (q_norm, k_norm); bitnet: sub-norms
        // before the O projection and the down projection (attn_sub_norm, ffn_sub_norm).
        let extra_norms_per_layer = match model_type {
            "qwen3" | "qwen3_moe" | "bitnet" => 2,
            _ => 0,
        };
        let sliding_window = self.llama_like_window(model_type, layers)?;
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
            sliding_window,
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

    /// The sliding window of the llama-like families.
    ///
    /// - mistral: `sliding_window` (MistralConfig default 4096; `null` for none) on every layer;
    /// - mixtral, phi3: `sliding_window` (MixtralConfig, Phi3Config default none) on every
    ///   layer;
    /// - qwen2, qwen3: with `use_sliding_window` (default false), `sliding_window` (default
    ///   4096) on the layers `i >= max_window_layers` (default 28) (Qwen2Config, Qwen3Config
    ///   `layer_types`);
    /// - qwen2_moe: likewise on the even layers `i < max_window_layers` (Qwen2MoeConfig
    ///   `layer_types`: sliding iff `(i + 1) % 2` and `i < max_window_layers`);
    /// - qwen3_moe: likewise on every layer (Qwen3MoeAttention takes `config.sliding_window`
    ///   in every layer; Qwen3MoeConfig has no `max_window_layers`);
    /// - llama, bitnet: none.
    ///
    /// A `layer_types` list replaces the pattern in every family.
    fn llama_like_window(
        &self,
        model_type: &str,
        layers: u64,
    ) -> Result<Option<SlidingWindow>, ModelError> {
        match model_type {
            "mistral" => {
                let window = self.nullable_size(SLIDING_WINDOW, Some(4096))?;
                self.sliding_window(window, layers, |_| true)
            }
            "mixtral" | "phi3" => {
                let window = self.nullable_size(SLIDING_WINDOW, None)?;
                self.sliding_window(window, layers, |_| true)
            }
            "qwen2" | "qwen3" | "qwen2_moe" | "qwen3_moe" => {
                // The value is checked even when `use_sliding_window` is false.
                let window = self.nullable_size(SLIDING_WINDOW, Some(4096))?;
                let window = if self.flag_or("use_sliding_window", false)? {
                    window
                } else {
                    None
                };
                let max_window_layers = self.size_or(MAX_WINDOW_LAYERS, 28)?;
                match model_type {
                    "qwen2_moe" => {
                        self.sliding_window(window, layers, |i| i % 2 == 0 && i < max_window_layers)
                    }
                    "qwen3_moe" => self.sliding_window(window, layers, |_| true),
                    _ => self.sliding_window(window, layers, |i| i >= max_window_layers),
                }
            }
            _ => self.sliding_window(None, layers, |_| false),
        }
    }

    /// The experts of Qwen2-MoE and Qwen3-MoE (Qwen2MoeConfig: num_experts = 60,
    /// num_experts_per_tok = 4, moe_intermediate_size = 1408, shared_expert_intermediate_size
    /// = 5632; Qwen3MoeConfig: 128, 8, 768 and no shared expert). Layer `i` is sparse iff it is
    /// not in `mlp_only_layers` (default empty) and `(i + 1) % decoder_sparse_step == 0`
    /// (default 1), as in `Qwen2MoeDecoderLayer`; the others have a dense FFN of
    /// `intermediate_size`. `None` when no layer is sparse.
    fn qwen_moe(&self, model_type: &str, layers: u64) -> Result<Option<Moe>, ModelError> {
        let qwen2 = model_type == "qwen2_moe";
        let (experts, top_k, width) = if qwen2 { (60, 4, 1408) } else { (128, 8, 768) };
        let num_experts = self.size_or(NUM_EXPERTS, experts)?;
        let top_k = self.top_k(top_k, num_experts, NUM_EXPERTS.key)?;
        let expert_width = self.size_or(MOE_INTERMEDIATE_SIZE, width)?;
        let shared = if qwen2 {
            self.size_or(SHARED_EXPERT_INTERMEDIATE_SIZE, 5632)?
        } else {
            0
        };
        let step = self.size_or(DECODER_SPARSE_STEP, 1)?;
        let mlp_only = self.index_list(MLP_ONLY_LAYERS)?;
        let sparse = (0..layers)
            .filter(|i| !mlp_only.contains(i) && (i + 1) % step == 0)
            .count() as u64;
        if sparse == 0 {
            return Ok(None);
        }
        Ok(Some(Moe {
            num_experts,
            top_k,
            expert_intermediate_size: expert_width,
            shared_intermediate_size: shared,
            // Qwen2MoeSparseMoeBlock: `shared_expert_gate`, a Linear(hidden, 1), beside the
            // shared expert.
            shared_expert_gate: shared > 0,
            router_bias: false,
            dense_layers: layers - sparse,
        }))
    }

    /// Gemma 2 (Gemma2Config) and Gemma 3 text (Gemma3TextConfig): GeGLU FFN, RMSNorm before
    /// and after attention and FFN, alternating local and global attention. With
    /// `all_defaults` (the `text_config` of a multimodal Gemma 3) every size has its
    /// Gemma3TextConfig default; otherwise the sizes are required.
    fn gemma(&self, model_type: &str, all_defaults: bool) -> Result<ModelConfig, ModelError> {
        let gemma3 = model_type == "gemma3_text";
        let required = |field: HfField, default: u64| {
            if all_defaults {
                self.size_or(field, default)
            } else {
                self.size(field, model_type)
            }
        };
        // Gemma3TextConfig defaults (used only with `all_defaults`).
        let hidden = required(HIDDEN_SIZE, 2304)?;
        let intermediate = required(INTERMEDIATE_SIZE, 9216)?;
        let layers = required(NUM_HIDDEN_LAYERS, 26)?;
        let heads = required(NUM_ATTENTION_HEADS, 8)?;
        let vocab = required(VOCAB_SIZE, 262_208)?;
        // Gemma2Config and Gemma3TextConfig: num_key_value_heads = 4, head_dim = 256.
        let kv_default = 4;
        let kv_heads = self.size_or(NUM_KEY_VALUE_HEADS, kv_default)?;
        if kv_heads > heads || heads % kv_heads != 0 {
            return Err(self.error(
                NUM_KEY_VALUE_HEADS.key,
                kv_heads.to_string(),
                format!("must divide num_attention_heads ({heads})"),
            ));
        }
        let head_dim = self.size_or(HEAD_DIM, 256)?;
        // Gemma2Config: 8192; Gemma3TextConfig: 131072.
        let max_position =
            self.size_or(MAX_POSITION_EMBEDDINGS, if gemma3 { 131_072 } else { 8192 })?;
        // Both: hidden_activation = "gelu_pytorch_tanh" (older files spell it hidden_act).
        let activation = if self.get("hidden_activation").is_some() {
            self.activation("hidden_activation", "gelu_pytorch_tanh")?
        } else {
            self.activation("hidden_act", "gelu_pytorch_tanh")?
        };
        // Both: sliding_window = 4096. Gemma2Config `layer_types`: layer i is sliding iff
        // (i + 1) % 2; Gemma3TextConfig: iff (i + 1) % sliding_window_pattern (default 6).
        let window = self.nullable_size(SLIDING_WINDOW, Some(4096))?;
        let sliding_window = if gemma3 {
            let pattern = self.size_or(SLIDING_WINDOW_PATTERN, 6)?;
            self.sliding_window(window, layers, |i| (i + 1) % pattern != 0)?
        } else {
            self.sliding_window(window, layers, |i| (i + 1) % 2 != 0)?
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
            // Both: tie_word_embeddings = True.
            tied_embeddings: self.flag_or("tie_word_embeddings", true)?,
            moe: None,
            attention: Attention::Standard,
            sliding_window,
            activation,
            gated_ffn: true,
            norm: NormKind::RmsNorm,
            position: PositionKind::Rope,
            max_position,
            // Both: attention_bias = False (it also biases O; see the module doc).
            qkv_bias: self.flag_or("attention_bias", false)?,
            linear_bias: false,
            // post_attention_layernorm and post_feedforward_layernorm (hidden); Gemma 3 also
            // q_norm and k_norm (head_dim).
            extra_norms_per_layer: if gemma3 { 4 } else { 2 },
            native_quant: QuantScheme::FP16,
        }))
    }

    /// Gemma 3 multimodal (Gemma3Config): the language model of its `text_config`, imported as
    /// `gemma3_text` with every Gemma3TextConfig default (the published files list only the
    /// keys that differ). Errors name `text_config.<key>`. The vision tower and the projector
    /// are not modelled.
    fn gemma3_multimodal(&self) -> Result<ModelConfig, ModelError> {
        const KEY: &str = "text_config";
        let empty = Map::new();
        let map = match self.map.get(KEY) {
            None | Some(Value::Null) => &empty,
            Some(Value::Object(map)) => map,
            Some(other) => return Err(self.error(KEY, render(other), "must be a JSON object")),
        };
        let text = Fields {
            source_name: self.source_name,
            map,
            prefix: "text_config.",
        };
        text.check_reals()?;
        let mut config = text.gemma("gemma3_text", true)?;
        config.name = self.name();
        config.model_type = "gemma3".to_string();
        Ok(config)
    }

    /// DeepSeek-V2 and V3 (DeepseekV2Config, DeepseekV3Config): multi-head latent attention,
    /// a dense FFN of `intermediate_size` in the first `first_k_dense_replace` layers and
    /// routed plus shared experts of `moe_intermediate_size` in the others.
    fn deepseek(&self, model_type: &str) -> Result<ModelConfig, ModelError> {
        let v3 = model_type == "deepseek_v3";
        let hidden = self.size(HIDDEN_SIZE, model_type)?;
        let intermediate = self.size(INTERMEDIATE_SIZE, model_type)?;
        let expert_width = self.size(MOE_INTERMEDIATE_SIZE, model_type)?;
        let layers = self.size(NUM_HIDDEN_LAYERS, model_type)?;
        let heads = self.size(NUM_ATTENTION_HEADS, model_type)?;
        let vocab = self.size(VOCAB_SIZE, model_type)?;
        let kv_lora_rank = self.size(KV_LORA_RANK, model_type)?;
        let qk_nope = self.size(QK_NOPE_HEAD_DIM, model_type)?;
        let qk_rope = self.size(QK_ROPE_HEAD_DIM, model_type)?;
        let v_head_dim = self.size(V_HEAD_DIM, model_type)?;
        // Both classes: q_lora_rank = 1536; `null` for a plain q_proj (DeepSeek-V2-Lite).
        let q_lora_rank = self.nullable_size(Q_LORA_RANK, Some(1536))?;
        let head_dim = qk_nope.saturating_add(qk_rope);
        HEAD_DIM.limit.check_u64(head_dim).map_err(|message| {
            self.error(
                QK_ROPE_HEAD_DIM.key,
                qk_rope.to_string(),
                format!(
                    "gives head_dim = qk_nope_head_dim + qk_rope_head_dim = {qk_nope} + \
                     {qk_rope} = {head_dim}, and head_dim {message}"
                ),
            )
        })?;
        // DeepseekV2Config: 2048; DeepseekV3Config: 4096 (the published files say 163840).
        let max_position = self.size_or(MAX_POSITION_EMBEDDINGS, if v3 { 4096 } else { 2048 })?;
        // DeepseekV2Config: n_routed_experts = 64; DeepseekV3Config: 256; `null`: dense.
        let experts = self.nullable_size(N_ROUTED_EXPERTS, Some(if v3 { 256 } else { 64 }))?;
        let moe = match experts {
            None => None,
            Some(num_experts) => {
                self.deepseek_moe(model_type, num_experts, expert_width, layers)?
            }
        };
        let attention = Attention::Latent(Mla {
            q_lora_rank,
            kv_lora_rank,
            qk_nope_head_dim: qk_nope,
            qk_rope_head_dim: qk_rope,
            v_head_dim,
        });
        Ok(self.finish(ModelConfig {
            name: self.name(),
            model_type: model_type.to_string(),
            hidden_size: hidden,
            intermediate_size: intermediate,
            num_layers: layers,
            num_heads: heads,
            // MLA has no KV heads of its own; every query head reads the shared latent.
            num_kv_heads: heads,
            head_dim,
            vocab_size: vocab,
            // Both: tie_word_embeddings = False.
            tied_embeddings: self.flag_or("tie_word_embeddings", false)?,
            moe,
            attention,
            sliding_window: None,
            activation: self.activation("hidden_act", "silu")?,
            gated_ffn: true,
            norm: NormKind::RmsNorm,
            position: PositionKind::Rope,
            max_position,
            qkv_bias: false,
            linear_bias: false,
            // kv_a_layernorm (kv_lora_rank) and, with a query compression, q_a_layernorm
            // (q_lora_rank).
            extra_norms_per_layer: 1 + u64::from(q_lora_rank.is_some()),
            native_quant: QuantScheme::FP16,
        }))
    }

    /// The experts of a DeepSeek model with `num_experts` routed experts. Layer `i` is sparse
    /// iff `i >= first_k_dense_replace` and `i % moe_layer_freq == 0`, as DeepSeek's own
    /// `modeling_deepseek.py` (named by the files' `auto_map`) builds it; transformers' port
    /// ignores `moe_layer_freq`, 1 in every published file. `None` when no layer is sparse.
    fn deepseek_moe(
        &self,
        model_type: &str,
        num_experts: u64,
        expert_width: u64,
        layers: u64,
    ) -> Result<Option<Moe>, ModelError> {
        let v3 = model_type == "deepseek_v3";
        // DeepseekV2Config: num_experts_per_tok = None (so required with experts);
        // DeepseekV3Config: 8.
        let top_k = match self.opt_size(NUM_EXPERTS_PER_TOK)? {
            Some(_) => self.top_k(0, num_experts, N_ROUTED_EXPERTS.key)?,
            None if v3 => self.top_k(8, num_experts, N_ROUTED_EXPERTS.key)?,
            None => self.size(NUM_EXPERTS_PER_TOK, model_type)?,
        };
        // DeepseekV2Config: n_shared_experts = 2; DeepseekV3Config: 1; `null`: none. The
        // shared experts are one MLP of n_shared_experts x moe_intermediate_size.
        let shared_experts = self
            .nullable_size(N_SHARED_EXPERTS, Some(if v3 { 1 } else { 2 }))?
            .unwrap_or(0);
        let shared = shared_experts.saturating_mul(expert_width);
        Moe::SHARED_INTERMEDIATE_SIZE
            .check_u64(shared)
            .map_err(|message| {
                self.error(
                    N_SHARED_EXPERTS.key,
                    shared_experts.to_string(),
                    format!(
                        "gives shared experts {shared_experts} x {expert_width} = {shared} wide, \
                         and that width {message}"
                    ),
                )
            })?;
        // DeepseekV2Config: first_k_dense_replace = 0; DeepseekV3Config: 3.
        let first_dense = self.size_or(FIRST_K_DENSE_REPLACE, if v3 { 3 } else { 0 })?;
        if first_dense > layers {
            return Err(self.error(
                FIRST_K_DENSE_REPLACE.key,
                first_dense.to_string(),
                format!("must be at most num_hidden_layers ({layers})"),
            ));
        }
        // DeepSeek's configuration_deepseek.py: moe_layer_freq = 1.
        let freq = self.size_or(MOE_LAYER_FREQ, 1)?;
        let sparse = (first_dense..layers).filter(|i| i % freq == 0).count() as u64;
        if sparse == 0 {
            return Ok(None);
        }
        // DeepSeek-V3's gate keeps `e_score_correction_bias` (one per routed expert) for its
        // `noaux_tc` routing, the V3 default (configuration_deepseek.py); V2 has none.
        let router_bias = v3 && self.string_or("topk_method", "noaux_tc")? == "noaux_tc";
        Ok(Some(Moe {
            num_experts,
            top_k,
            expert_intermediate_size: expert_width,
            shared_intermediate_size: shared,
            shared_expert_gate: false,
            router_bias,
            dense_layers: layers - sparse,
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
