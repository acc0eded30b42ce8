//! The typed shape of a transformer LLM: everything the workload lowering needs, nothing more.

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
