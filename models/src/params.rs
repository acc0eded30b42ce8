//! Exact parameter counts of a [`ModelConfig`], tensor by tensor as the reference
//! implementations (transformers `modeling_*.py`) allocate them.
//!
//! Per layer:
//! - attention: Q `hidden x q_dim`, K and V `hidden x kv_dim`, O `q_dim x hidden`; with
//!   `qkv_bias` the Q/K/V biases (`q_dim + 2 kv_dim`), with `linear_bias` the O bias (`hidden`);
//! - FFN (per expert): gated `3 x hidden x intermediate` (gate, up, down), plain `2 x ...`;
//!   with `linear_bias` the FFN biases (`[2 x] intermediate + hidden`);
//! - MoE: `num_experts` FFNs plus a bias-free router `hidden x num_experts` (Mixtral `gate`);
//! - norms: two pre-norms of `hidden` (LayerNorm counts weight and bias), plus the extra norms:
//!   qwen3 q_norm and k_norm (`head_dim` each), bitnet attn_sub_norm (`hidden`) and
//!   ffn_sub_norm (`intermediate`), any other family `hidden` per extra norm.
//!
//! Once: token embedding `vocab x hidden`; learned position table `(max_position + offset) x
//! hidden` (offset 2 for OPT, whose `OPTLearnedPositionalEmbedding` reserves two rows, else 0);
//! final norm; LM head `vocab x hidden` unless tied (no bias).
//!
//! Arithmetic saturates at `u64::MAX` instead of overflowing.

use crate::config::{ModelConfig, NormKind, PositionKind};

/// Rows OPT's learned position table has beyond `max_position_embeddings`
/// (transformers `OPTLearnedPositionalEmbedding`, `offset = 2`).
const OPT_POSITION_OFFSET: u64 = 2;

/// `a * b`, saturating.
fn mul(a: u64, b: u64) -> u64 {
    a.saturating_mul(b)
}

impl ModelConfig {
    /// Parameters of one norm of width `width`: 1 vector for RMSNorm, 2 for LayerNorm.
    fn norm_params(&self, width: u64) -> u64 {
        match self.norm {
            NormKind::RmsNorm => width,
            NormKind::LayerNorm => mul(2, width),
        }
    }

    /// Q, K, V and O projection weights of one layer (no biases).
    pub fn attention_linear_params_per_layer(&self) -> u64 {
        let h = self.hidden_size;
        mul(h, self.q_dim())
            .saturating_add(mul(mul(2, h), self.kv_dim()))
            .saturating_add(mul(self.q_dim(), h))
    }

    /// FFN weights of one expert (or of the dense FFN), no biases.
    pub fn ffn_linear_params_per_expert(&self) -> u64 {
        mul(
            self.ffn_matrices(),
            mul(self.hidden_size, self.intermediate_size),
        )
    }

    /// Quantizable matmul weights of one layer: attention plus all experts' FFNs
    /// (router excluded).
    pub fn linear_params_per_layer(&self) -> u64 {
        self.attention_linear_params_per_layer()
            .saturating_add(mul(self.num_experts(), self.ffn_linear_params_per_expert()))
    }

    /// Everything in one decoder layer: matmul weights, biases, router, norms.
    pub fn params_per_layer(&self) -> u64 {
        let h = self.hidden_size;
        let mut total = self.linear_params_per_layer();
        if self.qkv_bias {
            total = total.saturating_add(self.q_dim().saturating_add(mul(2, self.kv_dim())));
        }
        if self.linear_bias {
            let ffn_bias = mul(self.ffn_matrices() - 1, self.intermediate_size).saturating_add(h);
            total = total
                .saturating_add(h)
                .saturating_add(mul(self.num_experts(), ffn_bias));
        }
        if let Some(moe) = self.moe {
            total = total.saturating_add(mul(h, moe.num_experts));
        }
        let extra_norms = match self.model_type.as_str() {
            "qwen3" => mul(self.extra_norms_per_layer, self.norm_params(self.head_dim)),
            "bitnet" => self
                .norm_params(h)
                .saturating_add(self.norm_params(self.intermediate_size)),
            _ => mul(self.extra_norms_per_layer, self.norm_params(h)),
        };
        total
            .saturating_add(mul(2, self.norm_params(h)))
            .saturating_add(extra_norms)
    }

    /// Token-embedding parameters, plus the learned position table if any.
    pub fn embedding_params(&self) -> u64 {
        let tokens = mul(self.vocab_size, self.hidden_size);
        match self.position {
            PositionKind::Rope => tokens,
            PositionKind::Learned => {
                let offset = if self.model_type == "opt" {
                    OPT_POSITION_OFFSET
                } else {
                    0
                };
                tokens.saturating_add(mul(
                    self.max_position.saturating_add(offset),
                    self.hidden_size,
                ))
            }
        }
    }

    /// LM-head weights stored separately: `vocab x hidden`, or 0 when tied to the embedding.
    pub fn lm_head_params(&self) -> u64 {
        if self.tied_embeddings {
            0
        } else {
            mul(self.vocab_size, self.hidden_size)
        }
    }

    /// Exact total parameter count: embeddings (and learned positions), every layer with
    /// biases, norms, MoE router and all experts, the final norm, and the LM head unless tied.
    /// A tied LM head is counted once, as transformers' `num_parameters()` does.
    pub fn param_count(&self) -> u64 {
        self.embedding_params()
            .saturating_add(mul(self.num_layers, self.params_per_layer()))
            .saturating_add(self.norm_params(self.hidden_size))
            .saturating_add(self.lm_head_params())
    }

    /// The matmul weights a quantization scheme applies to: Q, K, V, O and the FFN
    /// projections of every expert in every layer, plus the LM head when it is not tied.
    /// Excluded: embeddings (a lookup, not a matmul), a tied LM head (it is the embedding
    /// matrix, usually kept at higher precision), MoE routers, biases and norms.
    pub fn linear_param_count(&self) -> u64 {
        mul(self.num_layers, self.linear_params_per_layer()).saturating_add(self.lm_head_params())
    }

    /// Parameters one token touches: like [`ModelConfig::param_count`] but counting only
    /// `top_k` experts per MoE layer.
    pub fn active_param_count(&self) -> u64 {
        let idle_experts = self.num_experts().saturating_sub(self.experts_per_token());
        let mut idle_per_expert = self.ffn_linear_params_per_expert();
        if self.linear_bias {
            idle_per_expert = idle_per_expert.saturating_add(
                mul(self.ffn_matrices() - 1, self.intermediate_size)
                    .saturating_add(self.hidden_size),
            );
        }
        self.param_count()
            .saturating_sub(mul(self.num_layers, mul(idle_experts, idle_per_expert)))
    }
}
