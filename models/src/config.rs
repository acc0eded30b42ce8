//! The typed shape of a transformer LLM: everything the workload lowering needs, nothing more.

use crate::error::ModelError;
use crate::limits::Limit;
use crate::quant::QuantScheme;

/// Non-linearity of the feed-forward block.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Activation {
    /// SiLU / swish (llama, mistral, qwen).
    Silu,
    /// GELU (gpt2, bitnet uses squared ReLU, see `Relu2`).
    Gelu,
    /// ReLU (opt).
    Relu,
    /// Squared ReLU (BitNet b1.58 2B4T).
    Relu2,
}

/// Normalization layer kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NormKind {
    /// RMSNorm: one weight vector.
    RmsNorm,
    /// LayerNorm: weight and bias vectors.
    LayerNorm,
}

/// How token positions enter the model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PositionKind {
    /// Rotary embeddings applied to Q and K in every layer.
    Rope,
    /// A learned position-embedding table added once after the token embedding.
    Learned,
}

/// Mixture-of-experts feed-forward: `num_experts` FFNs of which `top_k` run per token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Moe {
    /// Experts per MoE layer (range [`Moe::NUM_EXPERTS`]).
    pub num_experts: u64,
    /// Experts each token is routed to (range [`Moe::TOP_K`], and at most `num_experts`).
    pub top_k: u64,
}

impl Moe {
    /// Range of `num_experts` (published MoE models have up to a few hundred).
    pub const NUM_EXPERTS: Limit = Limit::new(1.0, 4096.0, "experts", FAR_ABOVE);
    /// Range of `top_k`; it must also be at most `num_experts`.
    pub const TOP_K: Limit = Limit::new(1.0, 4096.0, "experts", "and at most the experts");
    /// Every numeric field of [`Moe`] by name, with its range.
    pub const LIMITS: [(&'static str, Limit); 2] =
        [("num_experts", Moe::NUM_EXPERTS), ("top_k", Moe::TOP_K)];
}

/// A validated model description. Every numeric field lies in its range in
/// [`ModelConfig::LIMITS`] (declared as the associated constants below) and the sizes are
/// consistent (`num_heads` is a multiple of `num_kv_heads`); constructors enforce it.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelConfig {
    /// Preset name or the `_name_or_path`/file stem of an imported config.
    pub name: String,
    /// Hugging Face `model_type` (llama, mistral, qwen2, qwen3, gpt2, opt, mixtral, bitnet).
    pub model_type: String,
    /// Residual stream width (range [`ModelConfig::HIDDEN_SIZE`]).
    pub hidden_size: u64,
    /// Feed-forward inner width, per expert for MoE models
    /// (range [`ModelConfig::INTERMEDIATE_SIZE`]).
    pub intermediate_size: u64,
    /// Decoder layers (range [`ModelConfig::NUM_LAYERS`]).
    pub num_layers: u64,
    /// Query heads (range [`ModelConfig::NUM_HEADS`]).
    pub num_heads: u64,
    /// Key/value heads, GQA when fewer than `num_heads` (range [`ModelConfig::NUM_KV_HEADS`]).
    pub num_kv_heads: u64,
    /// Width of one attention head (range [`ModelConfig::HEAD_DIM`]).
    pub head_dim: u64,
    /// Vocabulary size (range [`ModelConfig::VOCAB_SIZE`]).
    pub vocab_size: u64,
    /// Whether the LM head shares the token-embedding matrix.
    pub tied_embeddings: bool,
    /// Mixture-of-experts parameters, if the FFN is MoE.
    pub moe: Option<Moe>,
    /// FFN non-linearity.
    pub activation: Activation,
    /// Gated FFN (gate and up projections, as in SwiGLU) or plain (up only).
    pub gated_ffn: bool,
    /// Normalization kind.
    pub norm: NormKind,
    /// Position encoding.
    pub position: PositionKind,
    /// Longest context the model supports (range [`ModelConfig::MAX_POSITION`]).
    pub max_position: u64,
    /// Bias vectors on Q, K, V projections.
    pub qkv_bias: bool,
    /// Bias vectors on the output projection and FFN projections.
    pub linear_bias: bool,
    /// Extra norms inside each block beyond the two pre-norms (e.g. qwen3 QK-norm, bitnet
    /// sub-norms) (range [`ModelConfig::EXTRA_NORMS_PER_LAYER`]).
    pub extra_norms_per_layer: u64,
    /// The format the model is published in; `--quant` defaults to it.
    pub native_quant: QuantScheme,
}

/// Upper bound shared by the width fields: 2^20, 64 times the widest published
/// model (16384, Llama 3.1 405B).
const MAX_WIDTH: f64 = 1_048_576.0;

/// Why the caps are where they are (quoted by most limits below).
const FAR_ABOVE: &str = "far above any published model";

impl ModelConfig {
    /// Range of `hidden_size`.
    pub const HIDDEN_SIZE: Limit = Limit::new(1.0, MAX_WIDTH, "", FAR_ABOVE);
    /// Range of `intermediate_size`.
    pub const INTERMEDIATE_SIZE: Limit = Limit::new(1.0, MAX_WIDTH, "", FAR_ABOVE);
    /// Range of `num_layers` (the deepest published models have about 130).
    pub const NUM_LAYERS: Limit = Limit::new(1.0, 10_000.0, "layers", FAR_ABOVE);
    /// Range of `num_heads`.
    pub const NUM_HEADS: Limit = Limit::new(1.0, 65_536.0, "heads", FAR_ABOVE);
    /// Range of `num_kv_heads` (it must also divide `num_heads`).
    pub const NUM_KV_HEADS: Limit = Limit::new(1.0, 65_536.0, "heads", FAR_ABOVE);
    /// Range of `head_dim`.
    pub const HEAD_DIM: Limit = Limit::new(1.0, 65_536.0, "", FAR_ABOVE);
    /// Range of `vocab_size` (2^24; published vocabularies stay below 2^18).
    pub const VOCAB_SIZE: Limit = Limit::new(1.0, 16_777_216.0, "tokens", FAR_ABOVE);
    /// Range of `max_position` (2^24 tokens of context).
    pub const MAX_POSITION: Limit = Limit::new(1.0, 16_777_216.0, "tokens", FAR_ABOVE);
    /// Range of `extra_norms_per_layer`, which the importer sets per family (0 or 2).
    pub const EXTRA_NORMS_PER_LAYER: Limit = Limit::new(0.0, 8.0, "norms", "");

    /// Every numeric field of [`ModelConfig`] by name, with its range: the table docs and
    /// `lutforge list` print, and that a test holds equal to the struct's fields.
    pub const LIMITS: [(&'static str, Limit); 9] = [
        ("hidden_size", ModelConfig::HIDDEN_SIZE),
        ("intermediate_size", ModelConfig::INTERMEDIATE_SIZE),
        ("num_layers", ModelConfig::NUM_LAYERS),
        ("num_heads", ModelConfig::NUM_HEADS),
        ("num_kv_heads", ModelConfig::NUM_KV_HEADS),
        ("head_dim", ModelConfig::HEAD_DIM),
        ("vocab_size", ModelConfig::VOCAB_SIZE),
        ("max_position", ModelConfig::MAX_POSITION),
        ("extra_norms_per_layer", ModelConfig::EXTRA_NORMS_PER_LAYER),
    ];

    /// Checks the invariants the type promises: every numeric field within its range in
    /// [`ModelConfig::LIMITS`] (and [`Moe::LIMITS`]), `num_kv_heads` divides `num_heads`, and
    /// for MoE `top_k <= num_experts`. `source_name` names the input in the error. Field names
    /// in errors are this struct's.
    pub fn validate(&self, source_name: &str) -> Result<(), ModelError> {
        let invalid = |field: &str, value: u64, message: String| ModelError::InvalidField {
            source_name: source_name.to_string(),
            field: field.to_string(),
            value: value.to_string(),
            message,
        };
        for ((field, limit), (name, value)) in ModelConfig::LIMITS.iter().zip(self.numeric_fields())
        {
            debug_assert_eq!(*field, name, "LIMITS and numeric_fields disagree");
            limit
                .check_u64(value)
                .map_err(|message| invalid(field, value, message))?;
        }
        if self.num_kv_heads > self.num_heads || self.num_heads % self.num_kv_heads != 0 {
            return Err(invalid(
                "num_kv_heads",
                self.num_kv_heads,
                format!("must divide num_heads ({})", self.num_heads),
            ));
        }
        if let Some(moe) = self.moe {
            for ((field, limit), value) in Moe::LIMITS.iter().zip([moe.num_experts, moe.top_k]) {
                limit
                    .check_u64(value)
                    .map_err(|message| invalid(field, value, message))?;
            }
            if moe.top_k > moe.num_experts {
                return Err(invalid(
                    "top_k",
                    moe.top_k,
                    format!("must be in 1..={} (num_experts)", moe.num_experts),
                ));
            }
        }
        Ok(())
    }

    /// Every numeric field by name with its value, in the order of [`ModelConfig::LIMITS`].
    fn numeric_fields(&self) -> [(&'static str, u64); 9] {
        [
            ("hidden_size", self.hidden_size),
            ("intermediate_size", self.intermediate_size),
            ("num_layers", self.num_layers),
            ("num_heads", self.num_heads),
            ("num_kv_heads", self.num_kv_heads),
            ("head_dim", self.head_dim),
            ("vocab_size", self.vocab_size),
            ("max_position", self.max_position),
            ("extra_norms_per_layer", self.extra_norms_per_layer),
        ]
    }

    /// Width of all query heads together (`num_heads * head_dim`).
    pub fn q_dim(&self) -> u64 {
        self.num_heads.saturating_mul(self.head_dim)
    }

    /// Width of all key (or value) heads together (`num_kv_heads * head_dim`).
    pub fn kv_dim(&self) -> u64 {
        self.num_kv_heads.saturating_mul(self.head_dim)
    }

    /// Weight matrices in one FFN (one expert): 3 when gated (gate, up, down), else 2.
    pub fn ffn_matrices(&self) -> u64 {
        if self.gated_ffn {
            3
        } else {
            2
        }
    }

    /// Experts per MoE layer, 1 for a dense FFN.
    pub fn num_experts(&self) -> u64 {
        self.moe.map_or(1, |moe| moe.num_experts)
    }

    /// Experts each token runs, 1 for a dense FFN.
    pub fn experts_per_token(&self) -> u64 {
        self.moe.map_or(1, |moe| moe.top_k)
    }
}

/// The message for a size that is zero, negative, fractional or not a number.
pub(crate) const POSITIVE: &str = "must be a positive integer";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numeric_fields_follow_the_limits_table() {
        let config = ModelConfig::preset("tiny-llama").unwrap();
        let names: Vec<&str> = config.numeric_fields().iter().map(|(n, _)| *n).collect();
        let limits: Vec<&str> = ModelConfig::LIMITS.iter().map(|(n, _)| *n).collect();
        assert_eq!(names, limits);
    }

    #[test]
    fn validate_names_the_field_and_its_range() {
        let mut config = ModelConfig::preset("tiny-llama").unwrap();
        config.num_layers = 2_147_483_648;
        assert_eq!(
            config.validate("x").unwrap_err().to_string(),
            "x: field `num_layers`: must be between 1 and 10000 layers (got 2147483648)"
        );
        let mut config = ModelConfig::preset("mixtral-8x7b").unwrap();
        config.moe = Some(Moe {
            num_experts: 8,
            top_k: 0,
        });
        assert_eq!(
            config.validate("x").unwrap_err().to_string(),
            "x: field `top_k`: must be between 1 and 4096 experts (got 0)"
        );
    }
}
