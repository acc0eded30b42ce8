//! The typed shape of a transformer LLM: everything the workload lowering needs, nothing more.

use crate::error::ModelError;
use crate::limits::Limit;
use crate::quant::QuantScheme;

/// Non-linearity of the feed-forward block.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Activation {
    /// SiLU / swish (llama, mistral, qwen).
    Silu,
    /// GELU (gpt2; gated, as GeGLU, in gemma2 and gemma3; bitnet uses squared ReLU, see
    /// `Relu2`).
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

/// Mixture-of-experts feed-forward: in each MoE layer every token runs `top_k` of
/// `num_experts` routed experts plus the shared experts, if any. `dense_layers` of the layers
/// (DeepSeek `first_k_dense_replace` and `moe_layer_freq`, Qwen-MoE `mlp_only_layers` and
/// `decoder_sparse_step`) have a dense FFN of the model's `intermediate_size` instead.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Moe {
    /// Routed experts per MoE layer (range [`Moe::NUM_EXPERTS`]).
    pub num_experts: u64,
    /// Routed experts each token runs (range [`Moe::TOP_K`], and at most `num_experts`).
    pub top_k: u64,
    /// Inner width of one routed expert (Mixtral `intermediate_size`, DeepSeek and Qwen-MoE
    /// `moe_intermediate_size`) (range [`Moe::EXPERT_INTERMEDIATE_SIZE`]).
    pub expert_intermediate_size: u64,
    /// Inner width of the shared experts together, run by every token of an MoE layer; 0 for
    /// none (DeepSeek `n_shared_experts x moe_intermediate_size`, Qwen2-MoE
    /// `shared_expert_intermediate_size`) (range [`Moe::SHARED_INTERMEDIATE_SIZE`]).
    pub shared_intermediate_size: u64,
    /// Whether a sigmoid gate `hidden x 1` scales the shared experts' output (Qwen2-MoE
    /// `shared_expert_gate`).
    pub shared_expert_gate: bool,
    /// Whether the router carries a per-expert bias (DeepSeek-V3 `e_score_correction_bias`).
    pub router_bias: bool,
    /// Layers with a dense FFN instead of experts (range [`Moe::DENSE_LAYERS`], and at most
    /// the model's layers).
    pub dense_layers: u64,
}

impl Moe {
    /// Range of `num_experts` (published MoE models have up to a few hundred).
    pub const NUM_EXPERTS: Limit = Limit::new(1.0, 4096.0, "experts", FAR_ABOVE);
    /// Range of `top_k`; it must also be at most `num_experts`.
    pub const TOP_K: Limit = Limit::new(1.0, 4096.0, "experts", "and at most the experts");
    /// Range of `expert_intermediate_size`.
    pub const EXPERT_INTERMEDIATE_SIZE: Limit = Limit::new(1.0, MAX_WIDTH, "", FAR_ABOVE);
    /// Range of `shared_intermediate_size` (0: no shared experts).
    pub const SHARED_INTERMEDIATE_SIZE: Limit = Limit::new(0.0, MAX_WIDTH, "", FAR_ABOVE);
    /// Range of `dense_layers`; it must also be at most the model's layers.
    pub const DENSE_LAYERS: Limit =
        Limit::new(0.0, 10_000.0, "layers", "and at most the model's layers");
    /// Every numeric field of [`Moe`] by name, with its range.
    pub const LIMITS: [(&'static str, Limit); 5] = [
        ("num_experts", Moe::NUM_EXPERTS),
        ("top_k", Moe::TOP_K),
        ("expert_intermediate_size", Moe::EXPERT_INTERMEDIATE_SIZE),
        ("shared_intermediate_size", Moe::SHARED_INTERMEDIATE_SIZE),
        ("dense_layers", Moe::DENSE_LAYERS),
    ];

    /// A Mixtral-style MoE: `num_experts` experts of `expert_intermediate_size`, `top_k` per
    /// token, no shared experts, every layer sparse.
    pub fn routed(num_experts: u64, top_k: u64, expert_intermediate_size: u64) -> Moe {
        Moe {
            num_experts,
            top_k,
            expert_intermediate_size,
            shared_intermediate_size: 0,
            shared_expert_gate: false,
            router_bias: false,
            dense_layers: 0,
        }
    }

    /// The numeric fields by name with their values, in the order of [`Moe::LIMITS`].
    fn numeric_fields(&self) -> [(&'static str, u64); 5] {
        [
            ("num_experts", self.num_experts),
            ("top_k", self.top_k),
            ("expert_intermediate_size", self.expert_intermediate_size),
            ("shared_intermediate_size", self.shared_intermediate_size),
            ("dense_layers", self.dense_layers),
        ]
    }
}

/// Multi-head latent attention (DeepSeek-V2/V3, Liu et al., arXiv 2405.04434): keys and values
/// are cached as one compressed latent of `kv_lora_rank` values plus a shared rotary key of
/// `qk_rope_head_dim` values per token per layer, and up-projected per head. Query heads are
/// `qk_nope_head_dim + qk_rope_head_dim` wide (the model's `head_dim`), value heads
/// `v_head_dim`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Mla {
    /// Rank of the query compression (`q_a_proj` then `q_b_proj`); `None` for a plain
    /// `q_proj` (DeepSeek-V2-Lite) (range [`Mla::RANK`]).
    pub q_lora_rank: Option<u64>,
    /// Width of the cached KV latent (range [`Mla::RANK`]).
    pub kv_lora_rank: u64,
    /// Per-head query/key width without rotary embedding (range [`Mla::HEAD_PART`]).
    pub qk_nope_head_dim: u64,
    /// Per-head query width with rotary embedding; the rotary key of this width is shared by
    /// all heads and cached (range [`Mla::HEAD_PART`]).
    pub qk_rope_head_dim: u64,
    /// Per-head value width (range [`Mla::HEAD_PART`]).
    pub v_head_dim: u64,
}

impl Mla {
    /// Range of `q_lora_rank` and `kv_lora_rank`.
    pub const RANK: Limit = Limit::new(1.0, MAX_WIDTH, "", FAR_ABOVE);
    /// Range of the per-head widths.
    pub const HEAD_PART: Limit = Limit::new(1.0, 65_536.0, "", FAR_ABOVE);
    /// Every numeric field of [`Mla`] by name, with its range.
    pub const LIMITS: [(&'static str, Limit); 5] = [
        ("q_lora_rank", Mla::RANK),
        ("kv_lora_rank", Mla::RANK),
        ("qk_nope_head_dim", Mla::HEAD_PART),
        ("qk_rope_head_dim", Mla::HEAD_PART),
        ("v_head_dim", Mla::HEAD_PART),
    ];

    /// Values cached per token per layer: the latent and the shared rotary key.
    pub fn cached_width(&self) -> u64 {
        self.kv_lora_rank.saturating_add(self.qk_rope_head_dim)
    }
}

/// How a model's attention projects and caches keys and values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Attention {
    /// Multi-head, grouped-query or multi-query attention: `num_kv_heads` key and value heads
    /// of `head_dim` cached per token per layer.
    Standard,
    /// Multi-head latent attention: one latent per token per layer.
    Latent(Mla),
}

/// Sliding-window attention: `local_layers` of the model's layers attend to (and cache) only
/// the last `window` tokens; the others attend to the whole context.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SlidingWindow {
    /// Tokens a local layer attends to, its own included (range [`SlidingWindow::WINDOW`]).
    pub window: u64,
    /// Layers that use the window (range [`SlidingWindow::LOCAL_LAYERS`], and at most the
    /// model's layers).
    pub local_layers: u64,
}

impl SlidingWindow {
    /// Range of `window`.
    pub const WINDOW: Limit = Limit::new(1.0, 16_777_216.0, "tokens", FAR_ABOVE);
    /// Range of `local_layers`; it must also be at most the model's layers.
    pub const LOCAL_LAYERS: Limit =
        Limit::new(0.0, 10_000.0, "layers", "and at most the model's layers");
    /// Every numeric field of [`SlidingWindow`] by name, with its range.
    pub const LIMITS: [(&'static str, Limit); 2] = [
        ("window", SlidingWindow::WINDOW),
        ("local_layers", SlidingWindow::LOCAL_LAYERS),
    ];
}

/// A validated model description. Every numeric field lies in its range in
/// [`ModelConfig::LIMITS`] (declared as the associated constants below) and the sizes are
/// consistent (`num_heads` is a multiple of `num_kv_heads`); constructors enforce it.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelConfig {
    /// Preset name or the `_name_or_path`/file stem of an imported config.
    pub name: String,
    /// Hugging Face `model_type` (see [`crate::hf::SUPPORTED_MODEL_TYPES`]).
    pub model_type: String,
    /// Residual stream width (range [`ModelConfig::HIDDEN_SIZE`]).
    pub hidden_size: u64,
    /// Inner width of a dense feed-forward block (for an MoE model, of its dense layers; the
    /// experts' width is in [`Moe`]) (range [`ModelConfig::INTERMEDIATE_SIZE`]).
    pub intermediate_size: u64,
    /// Decoder layers (range [`ModelConfig::NUM_LAYERS`]).
    pub num_layers: u64,
    /// Query heads (range [`ModelConfig::NUM_HEADS`]).
    pub num_heads: u64,
    /// Key/value heads, GQA when fewer than `num_heads` (range [`ModelConfig::NUM_KV_HEADS`]).
    pub num_kv_heads: u64,
    /// Width of one query (and key) head; for MLA `qk_nope_head_dim + qk_rope_head_dim`
    /// (range [`ModelConfig::HEAD_DIM`]).
    pub head_dim: u64,
    /// Vocabulary size (range [`ModelConfig::VOCAB_SIZE`]).
    pub vocab_size: u64,
    /// Whether the LM head shares the token-embedding matrix.
    pub tied_embeddings: bool,
    /// Mixture-of-experts parameters, if the FFN is MoE.
    pub moe: Option<Moe>,
    /// How attention caches keys and values.
    pub attention: Attention,
    /// Sliding-window attention, if some layers use it.
    pub sliding_window: Option<SlidingWindow>,
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
    /// sub-norms, gemma post-norms, MLA's `q_a_layernorm` and `kv_a_layernorm`; their widths
    /// depend on the family, see [`crate::params`]) (range
    /// [`ModelConfig::EXTRA_NORMS_PER_LAYER`]).
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
    /// Range of `extra_norms_per_layer`, which the importer sets per family (0 to 4).
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
        let check = |fields: &[(&'static str, u64)], limits: &[(&'static str, Limit)]| {
            for ((field, limit), (name, value)) in limits.iter().zip(fields) {
                debug_assert_eq!(field, name, "LIMITS and numeric_fields disagree");
                limit
                    .check_u64(*value)
                    .map_err(|message| invalid(field, *value, message))?;
            }
            Ok::<(), ModelError>(())
        };
        let at_most_layers = |field: &str, value: u64| {
            if value > self.num_layers {
                return Err(invalid(
                    field,
                    value,
                    format!("must be at most num_layers ({})", self.num_layers),
                ));
            }
            Ok(())
        };
        if let Some(moe) = self.moe {
            check(&moe.numeric_fields(), &Moe::LIMITS)?;
            if moe.top_k > moe.num_experts {
                return Err(invalid(
                    "top_k",
                    moe.top_k,
                    format!("must be in 1..={} (num_experts)", moe.num_experts),
                ));
            }
            at_most_layers("dense_layers", moe.dense_layers)?;
        }
        if let Attention::Latent(mla) = self.attention {
            let fields = [
                ("q_lora_rank", mla.q_lora_rank.unwrap_or(1)),
                ("kv_lora_rank", mla.kv_lora_rank),
                ("qk_nope_head_dim", mla.qk_nope_head_dim),
                ("qk_rope_head_dim", mla.qk_rope_head_dim),
                ("v_head_dim", mla.v_head_dim),
            ];
            check(&fields, &Mla::LIMITS)?;
            let q_head = mla.qk_nope_head_dim.saturating_add(mla.qk_rope_head_dim);
            if self.head_dim != q_head {
                return Err(invalid(
                    "head_dim",
                    self.head_dim,
                    format!("must be qk_nope_head_dim + qk_rope_head_dim ({q_head}) for MLA"),
                ));
            }
        }
        if let Some(window) = self.sliding_window {
            let fields = [
                ("window", window.window),
                ("local_layers", window.local_layers),
            ];
            check(&fields, &SlidingWindow::LIMITS)?;
            at_most_layers("local_layers", window.local_layers)?;
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

    /// Width of one value head: `head_dim`, or MLA's `v_head_dim`.
    pub fn v_head_dim(&self) -> u64 {
        match self.attention {
            Attention::Standard => self.head_dim,
            Attention::Latent(mla) => mla.v_head_dim,
        }
    }

    /// Width of the attention output, the O projection's input (`num_heads * v_head_dim`).
    pub fn attn_out_dim(&self) -> u64 {
        self.num_heads.saturating_mul(self.v_head_dim())
    }

    /// Values one token adds to the KV cache of one layer: K and V of every KV head
    /// (`2 * kv_dim`), or MLA's latent and rotary key.
    pub fn kv_cache_width(&self) -> u64 {
        match self.attention {
            Attention::Standard => self.kv_dim().saturating_mul(2),
            Attention::Latent(mla) => mla.cached_width(),
        }
    }

    /// Layers with sliding-window attention (0 without a window).
    pub fn local_layers(&self) -> u64 {
        self.sliding_window.map_or(0, |w| w.local_layers)
    }

    /// Layers whose FFN is a mixture of experts (0 for a dense model).
    pub fn moe_layers(&self) -> u64 {
        self.moe
            .map_or(0, |moe| self.num_layers.saturating_sub(moe.dense_layers))
    }

    /// Inner width of one routed expert (the dense `intermediate_size` for a dense model).
    pub fn expert_width(&self) -> u64 {
        self.moe
            .map_or(self.intermediate_size, |moe| moe.expert_intermediate_size)
    }

    /// Layers with a dense FFN of `intermediate_size`.
    pub fn dense_ffn_layers(&self) -> u64 {
        self.num_layers.saturating_sub(self.moe_layers())
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
    fn layer_and_cache_helpers_of_the_new_shapes() {
        let c = ModelConfig::preset("deepseek-v2-lite").unwrap();
        // kv_lora_rank 512 + qk_rope_head_dim 64; 16 heads of v_head_dim 128.
        assert_eq!(
            (c.kv_cache_width(), c.attn_out_dim(), c.v_head_dim()),
            (576, 2048, 128)
        );
        assert_eq!(
            (c.moe_layers(), c.dense_ffn_layers(), c.local_layers()),
            (26, 1, 0)
        );
        let g = ModelConfig::preset("gemma-2-2b").unwrap();
        assert_eq!((g.kv_cache_width(), g.local_layers()), (2 * 4 * 256, 13));
        assert_eq!((g.moe_layers(), g.dense_ffn_layers()), (0, 26));
        // MLA requires head_dim = qk_nope_head_dim + qk_rope_head_dim.
        let mut bad = c.clone();
        bad.head_dim = 128;
        assert_eq!(
            bad.validate("x").unwrap_err().to_string(),
            "x: field `head_dim`: must be qk_nope_head_dim + qk_rope_head_dim (192) for MLA (got 128)"
        );
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
        config.moe = Some(Moe::routed(8, 0, 14336));
        assert_eq!(
            config.validate("x").unwrap_err().to_string(),
            "x: field `top_k`: must be between 1 and 4096 experts (got 0)"
        );
    }
}
