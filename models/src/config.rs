//! The typed shape of a transformer LLM: everything the workload lowering needs, nothing more.

use crate::error::ModelError;
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
    /// Experts per MoE layer.
    pub num_experts: u64,
    /// Experts each token is routed to.
    pub top_k: u64,
}

/// A validated model description. All sizes are non-zero and consistent
/// (`num_heads` is a multiple of `num_kv_heads`); constructors enforce it.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelConfig {
    /// Preset name or the `_name_or_path`/file stem of an imported config.
    pub name: String,
    /// Hugging Face `model_type` (llama, mistral, qwen2, qwen3, gpt2, opt, mixtral, bitnet).
    pub model_type: String,
    /// Residual stream width.
    pub hidden_size: u64,
    /// Feed-forward inner width (per expert for MoE models).
    pub intermediate_size: u64,
    /// Decoder layers.
    pub num_layers: u64,
    /// Query heads.
    pub num_heads: u64,
    /// Key/value heads (GQA when fewer than `num_heads`).
    pub num_kv_heads: u64,
    /// Width of one attention head.
    pub head_dim: u64,
    /// Vocabulary size.
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
    /// Longest context the model supports.
    pub max_position: u64,
    /// Bias vectors on Q, K, V projections.
    pub qkv_bias: bool,
    /// Bias vectors on the output projection and FFN projections.
    pub linear_bias: bool,
    /// Extra norms inside each block beyond the two pre-norms (e.g. qwen3 QK-norm, bitnet sub-norms).
    pub extra_norms_per_layer: u64,
    /// The format the model is published in; `--quant` defaults to it.
    pub native_quant: QuantScheme,
}

/// Largest value any size field may take (2^32 - 1), so that derived products stay far from
/// `u64` overflow in every consumer.
pub const MAX_SIZE: u64 = u32::MAX as u64;

impl ModelConfig {
    /// Checks the invariants the type promises: every size in 1..=[`MAX_SIZE`],
    /// `num_kv_heads` divides `num_heads`, and for MoE 1 <= `top_k` <= `num_experts`.
    /// `source_name` names the input in the error. Field names in errors are this struct's.
    pub fn validate(&self, source_name: &str) -> Result<(), ModelError> {
        let invalid = |field: &str, value: u64, message: String| ModelError::InvalidField {
            source_name: source_name.to_string(),
            field: field.to_string(),
            value: value.to_string(),
            message,
        };
        let sizes = [
            ("hidden_size", self.hidden_size),
            ("intermediate_size", self.intermediate_size),
            ("num_layers", self.num_layers),
            ("num_heads", self.num_heads),
            ("num_kv_heads", self.num_kv_heads),
            ("head_dim", self.head_dim),
            ("vocab_size", self.vocab_size),
            ("max_position", self.max_position),
        ];
        for (field, value) in sizes {
            if let Some(message) = size_problem(value) {
                return Err(invalid(field, value, message));
            }
        }
        if self.num_kv_heads > self.num_heads || self.num_heads % self.num_kv_heads != 0 {
            return Err(invalid(
                "num_kv_heads",
                self.num_kv_heads,
                format!("must divide num_heads ({})", self.num_heads),
            ));
        }
        if let Some(moe) = self.moe {
            if let Some(message) = size_problem(moe.num_experts) {
                return Err(invalid("num_experts", moe.num_experts, message));
            }
            if moe.top_k == 0 || moe.top_k > moe.num_experts {
                return Err(invalid(
                    "top_k",
                    moe.top_k,
                    format!("must be in 1..={} (num_experts)", moe.num_experts),
                ));
            }
        }
        Ok(())
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

/// What is wrong with a size value, if anything: zero, or above [`MAX_SIZE`].
pub(crate) fn size_problem(value: u64) -> Option<String> {
    if value == 0 {
        Some(POSITIVE.to_string())
    } else if value > MAX_SIZE {
        Some(format!("must be at most {MAX_SIZE}"))
    } else {
        None
    }
}

/// The message for a size that is zero, negative, fractional or not a number.
pub(crate) const POSITIVE: &str = "must be a positive integer";
