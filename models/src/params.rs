//! Exact parameter counts of a [`ModelConfig`], tensor by tensor as the reference
//! implementations (transformers `modeling_*.py`) allocate them.
//!
//! Per layer (every layer):
//! - attention, standard: Q `hidden x q_dim`, K and V `hidden x kv_dim`, O `q_dim x hidden`;
//!   with `qkv_bias` the Q/K/V biases (`q_dim + 2 kv_dim`), with `linear_bias` the O bias
//!   (`hidden`);
//! - attention, MLA (DeepSeek `DeepseekV2Attention`): `q_proj` `hidden x heads*head_dim`, or
//!   with a `q_lora_rank` `q_a_proj` `hidden x q_lora_rank` and `q_b_proj` `q_lora_rank x
//!   heads*head_dim`; `kv_a_proj_with_mqa` `hidden x (kv_lora_rank + qk_rope_head_dim)`;
//!   `kv_b_proj` `kv_lora_rank x heads*(qk_nope_head_dim + v_head_dim)`; `o_proj`
//!   `heads*v_head_dim x hidden` (its norms `q_a_layernorm`, `kv_a_layernorm` are among the
//!   extra norms below);
//! - norms: two pre-norms of `hidden` (LayerNorm counts weight and bias), plus the extra norms:
//!   qwen3 and qwen3_moe q_norm and k_norm (`head_dim` each), bitnet attn_sub_norm (`hidden`)
//!   and ffn_sub_norm (`intermediate`), gemma2 post-attention and post-feedforward norms
//!   (`hidden` each), gemma3 those and q_norm, k_norm (`head_dim` each), deepseek
//!   kv_a_layernorm (`kv_lora_rank`) and q_a_layernorm (`q_lora_rank`, when there is one), any
//!   other family `hidden` per extra norm.
//!
//! FFN, in the [`ModelConfig::dense_ffn_layers`]: gated `3 x hidden x intermediate` (gate, up,
//! down), plain `2 x ...`; with `linear_bias` the FFN biases (`[2 x] intermediate + hidden`).
//!
//! FFN, in the [`ModelConfig::moe_layers`]: `num_experts` routed experts of that shape with the
//! expert width; the shared experts, one FFN of `shared_intermediate_size` (DeepSeek
//! `shared_experts`, Qwen2-MoE `shared_expert`); the shared-expert gate `hidden x 1` (Qwen2-MoE
//! `shared_expert_gate`); a bias-free router `hidden x num_experts` (Mixtral and Qwen `gate`,
//! DeepSeek `gate.weight`) and with `router_bias` its `num_experts` correction biases
//! (DeepSeek-V3 `e_score_correction_bias`, a buffer in transformers but a stored tensor of the
//! checkpoint and a parameter in DeepSeek's own code).
//!
//! Once: token embedding `vocab x hidden`; learned position table `(max_position + offset) x
//! hidden` (offset 2 for OPT, whose `OPTLearnedPositionalEmbedding` reserves two rows, else 0);
//! final norm; LM head `vocab x hidden` unless tied (no bias).
//!
//! Arithmetic saturates at `u64::MAX` instead of overflowing.

use crate::config::{Attention, ModelConfig, NormKind, PositionKind};

/// Rows OPT's learned position table has beyond `max_position_embeddings`
/// (transformers `OPTLearnedPositionalEmbedding`, `offset = 2`).
const OPT_POSITION_OFFSET: u64 = 2;

/// `a * b`, saturating.
fn mul(a: u64, b: u64) -> u64 {
    a.saturating_mul(b)
}

/// `a + b`, saturating.
fn add(a: u64, b: u64) -> u64 {
    a.saturating_add(b)
}

impl ModelConfig {
    /// Parameters of one norm of width `width`: 1 vector for RMSNorm, 2 for LayerNorm.
    fn norm_params(&self, width: u64) -> u64 {
        match self.norm {
            NormKind::RmsNorm => width,
            NormKind::LayerNorm => mul(2, width),
        }
    }

    /// Attention projection weights of one layer (no biases, no norms), the same in every
    /// layer: Q, K, V and O, or MLA's `q_proj` (or `q_a_proj` and `q_b_proj`),
    /// `kv_a_proj_with_mqa`, `kv_b_proj` and `o_proj`.
    pub fn attention_linear_params_per_layer(&self) -> u64 {
        let h = self.hidden_size;
        match self.attention {
            Attention::Standard => add(
                add(mul(h, self.q_dim()), mul(mul(2, h), self.kv_dim())),
                mul(self.attn_out_dim(), h),
            ),
            Attention::Latent(mla) => {
                let q = match mla.q_lora_rank {
                    None => mul(h, self.q_dim()),
                    Some(rank) => add(mul(h, rank), mul(rank, self.q_dim())),
                };
                let kv_a = mul(h, mla.cached_width());
                let kv_b = mul(
                    mla.kv_lora_rank,
                    mul(self.num_heads, add(mla.qk_nope_head_dim, mla.v_head_dim)),
                );
                add(add(q, kv_a), add(kv_b, mul(self.attn_out_dim(), h)))
            }
        }
    }

    /// Weights of one FFN of inner width `width` (no biases).
    fn ffn_weights(&self, width: u64) -> u64 {
        mul(self.ffn_matrices(), mul(self.hidden_size, width))
    }

    /// Biases of one FFN of inner width `width` (0 without `linear_bias`).
    fn ffn_biases(&self, width: u64) -> u64 {
        if self.linear_bias {
            add(mul(self.ffn_matrices() - 1, width), self.hidden_size)
        } else {
            0
        }
    }

    /// FFN weights of one routed expert of an MoE model (of `expert_intermediate_size`; for
    /// Mixtral that is `intermediate_size`), or of the FFN of a dense model; no biases. The
    /// shared experts and the dense layers of an MoE model are not included (see
    /// [`ModelConfig::shared_ffn_linear_params`], [`ModelConfig::dense_ffn_linear_params`]).
    pub fn ffn_linear_params_per_expert(&self) -> u64 {
        self.ffn_weights(self.expert_width())
    }

    /// FFN weights of one dense FFN layer (`intermediate_size` wide), no biases.
    pub fn dense_ffn_linear_params(&self) -> u64 {
        self.ffn_weights(self.intermediate_size)
    }

    /// FFN weights of the shared experts of one MoE layer (0 without shared experts), no
    /// biases.
    pub fn shared_ffn_linear_params(&self) -> u64 {
        self.moe.map_or(0, |moe| {
            if moe.shared_intermediate_size == 0 {
                0
            } else {
                self.ffn_weights(moe.shared_intermediate_size)
            }
        })
    }

    /// FFN weights of one MoE layer: all routed experts and the shared experts (routers and
    /// gates excluded); 0 for a dense model.
    fn moe_ffn_linear_params(&self) -> u64 {
        match self.moe {
            None => 0,
            Some(moe) => add(
                mul(moe.num_experts, self.ffn_linear_params_per_expert()),
                self.shared_ffn_linear_params(),
            ),
        }
    }

    /// Quantizable matmul weights of one layer: attention plus the FFN weights, of an MoE
    /// layer (all routed and shared experts, router excluded) when the model has MoE layers,
    /// else of a dense layer. Layers differ when an MoE model has dense layers: the totals
    /// ([`ModelConfig::linear_param_count`]) count each kind.
    pub fn linear_params_per_layer(&self) -> u64 {
        let ffn = if self.moe_layers() > 0 {
            self.moe_ffn_linear_params()
        } else {
            self.dense_ffn_linear_params()
        };
        add(self.attention_linear_params_per_layer(), ffn)
    }

    /// What every layer has besides its FFN: attention weights and biases and the norms.
    fn attention_and_norm_params(&self) -> u64 {
        let h = self.hidden_size;
        let mut total = self.attention_linear_params_per_layer();
        if self.qkv_bias {
            total = add(total, add(self.q_dim(), mul(2, self.kv_dim())));
        }
        if self.linear_bias {
            total = add(total, h);
        }
        let extra_norms = match self.model_type.as_str() {
            "qwen3" | "qwen3_moe" => {
                mul(self.extra_norms_per_layer, self.norm_params(self.head_dim))
            }
            "bitnet" => add(
                self.norm_params(h),
                self.norm_params(self.intermediate_size),
            ),
            "gemma3" | "gemma3_text" => add(
                mul(2, self.norm_params(h)),
                mul(2, self.norm_params(self.head_dim)),
            ),
            "deepseek_v2" | "deepseek_v3" => match self.attention {
                Attention::Latent(mla) => add(
                    self.norm_params(mla.kv_lora_rank),
                    mla.q_lora_rank.map_or(0, |rank| self.norm_params(rank)),
                ),
                Attention::Standard => mul(self.extra_norms_per_layer, self.norm_params(h)),
            },
            // gemma2's post-attention and post-feedforward norms are `hidden` wide too.
            _ => mul(self.extra_norms_per_layer, self.norm_params(h)),
        };
        add(add(total, mul(2, self.norm_params(h))), extra_norms)
    }

    /// Everything in one dense FFN: weights and biases.
    fn dense_ffn_params(&self) -> u64 {
        add(
            self.dense_ffn_linear_params(),
            self.ffn_biases(self.intermediate_size),
        )
    }

    /// Everything in the FFN of one MoE layer: routed and shared experts with their biases,
    /// the shared-expert gate, the router and its bias; 0 for a dense model.
    fn moe_ffn_params(&self) -> u64 {
        let Some(moe) = self.moe else {
            return 0;
        };
        let h = self.hidden_size;
        let routed = mul(
            moe.num_experts,
            add(
                self.ffn_linear_params_per_expert(),
                self.ffn_biases(moe.expert_intermediate_size),
            ),
        );
        let shared = if moe.shared_intermediate_size == 0 {
            0
        } else {
            add(
                self.shared_ffn_linear_params(),
                self.ffn_biases(moe.shared_intermediate_size),
            )
        };
        let gate = if moe.shared_expert_gate { h } else { 0 };
        let router = add(
            mul(h, moe.num_experts),
            if moe.router_bias { moe.num_experts } else { 0 },
        );
        add(add(routed, shared), add(gate, router))
    }

    /// Everything in one decoder layer: matmul weights, biases, router, norms; of an MoE layer
    /// when the model has MoE layers, else of a dense layer (see
    /// [`ModelConfig::linear_params_per_layer`]).
    pub fn params_per_layer(&self) -> u64 {
        let ffn = if self.moe_layers() > 0 {
            self.moe_ffn_params()
        } else {
            self.dense_ffn_params()
        };
        add(self.attention_and_norm_params(), ffn)
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
                add(
                    tokens,
                    mul(self.max_position.saturating_add(offset), self.hidden_size),
                )
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

    /// Exact total parameter count: embeddings (and learned positions), every layer's attention
    /// and norms, the dense FFNs of the dense layers and the routed experts, shared experts,
    /// gates and routers of the MoE layers, the final norm, and the LM head unless tied. A tied
    /// LM head is counted once, as transformers' `num_parameters()` does.
    pub fn param_count(&self) -> u64 {
        let layers = add(
            add(
                mul(self.num_layers, self.attention_and_norm_params()),
                mul(self.dense_ffn_layers(), self.dense_ffn_params()),
            ),
            mul(self.moe_layers(), self.moe_ffn_params()),
        );
        add(
            add(self.embedding_params(), layers),
            add(self.norm_params(self.hidden_size), self.lm_head_params()),
        )
    }

    /// The matmul weights a quantization scheme applies to: the attention projections of every
    /// layer, the dense FFN of every dense layer, every routed and shared expert of every MoE
    /// layer, plus the LM head when it is not tied. Excluded: embeddings (a lookup, not a
    /// matmul), a tied LM head (it is the embedding matrix, usually kept at higher precision),
    /// MoE routers and shared-expert gates, biases and norms.
    pub fn linear_param_count(&self) -> u64 {
        let layers = add(
            add(
                mul(self.num_layers, self.attention_linear_params_per_layer()),
                mul(self.dense_ffn_layers(), self.dense_ffn_linear_params()),
            ),
            mul(self.moe_layers(), self.moe_ffn_linear_params()),
        );
        add(layers, self.lm_head_params())
    }

    /// Parameters one token touches: like [`ModelConfig::param_count`] but counting only
    /// `top_k` routed experts per MoE layer (the shared experts, routers and dense layers all
    /// count). The embedding table counts whole, as in Mistral AI's and Qwen's "active"
    /// figures; DeepSeek's "activated" figures leave it out.
    pub fn active_param_count(&self) -> u64 {
        let Some(moe) = self.moe else {
            return self.param_count();
        };
        let idle_experts = moe.num_experts.saturating_sub(moe.top_k);
        let per_expert = add(
            self.ffn_linear_params_per_expert(),
            self.ffn_biases(moe.expert_intermediate_size),
        );
        self.param_count()
            .saturating_sub(mul(self.moe_layers(), mul(idle_experts, per_expert)))
    }
}
