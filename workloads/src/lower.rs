//! Lowering one forward pass (a [`Step`]) of a model to its operators.
//!
//! Conventions, chosen once here:
//! - The residual stream and every vector-unit op read and write fp16 (2 bytes per element);
//!   matrix-product inputs are read in the scheme's activation format.
//! - Every linear projection, the LM head included, is stored in the scheme's weight format (for
//!   models with tied embeddings the LM head is a quantized copy of the embedding matrix);
//!   embeddings stay fp16 and only the gathered rows are read.
//! - Attention is computed unmasked over the whole context (no causal skipping); KV entries of
//!   a shared prefix are read once per step for the whole batch.
//! - MoE routing is balanced: `batch x tokens x top_k` assignments spread evenly over
//!   `min(experts, assignments)` experts (the most weight traffic any routing can cause).
//! - Bias additions are folded into their projections and not counted separately.

use lutforge_models::{Activation, KvFormat, ModelConfig, NormKind, PositionKind, QuantScheme};

use crate::op::{GemmOperand, Op, OpKind, OpShape, Phase};

/// Bytes of an fp16 element of the residual stream, embeddings and vector-unit operands.
const FP16_BYTES: u64 = 2;

/// Whether a step processes the prompt or generates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StepKind {
    /// Part of the prompt pass.
    Prefill,
    /// A generation step (plain decode, a draft step, or a speculative verify pass).
    Decode,
}

/// One forward pass over all layers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Step {
    /// Prefill or decode.
    pub kind: StepKind,
    /// Runs the speculative draft model rather than the target.
    pub draft: bool,
    /// Sequences processed together.
    pub batch: u64,
    /// New tokens per sequence in this pass.
    pub new_tokens: u64,
    /// Tokens already in each sequence's KV cache before this pass.
    pub context_tokens: u64,
    /// Of `context_tokens`, how many are a prefix shared by the whole batch.
    pub shared_context_tokens: u64,
    /// Positions per sequence whose logits are computed (0 = none, e.g. a shared-prefix pass).
    pub logits_rows: u64,
}

impl Step {
    /// The phase the step's ops belong to.
    pub fn phase(&self) -> Phase {
        match self.kind {
            StepKind::Prefill => Phase::Prefill,
            StepKind::Decode => Phase::Decode,
        }
    }
}

/// Lowers one step of `model` under `quant` to ops. Per-layer ops carry `repeat = num_layers`.
pub fn lower_step(model: &ModelConfig, quant: &QuantScheme, step: &Step) -> Vec<Op> {
    Lowering {
        model,
        quant,
        step,
        phase: step.phase(),
    }
    .ops()
}

struct Lowering<'a> {
    model: &'a ModelConfig,
    quant: &'a QuantScheme,
    step: &'a Step,
    phase: Phase,
}

impl Lowering<'_> {
    fn ops(&self) -> Vec<Op> {
        let m = self.model;
        let layers = m.num_layers;
        let tokens = self.step.batch * self.step.new_tokens;
        let mut ops = Vec::with_capacity(20);
        let mut embed = self.vector(OpKind::Embedding, 1, tokens * m.hidden_size, 1);
        embed.weight_bytes = tokens * m.hidden_size * FP16_BYTES;
        embed.act_read_bytes = 0;
        if m.position == PositionKind::Learned {
            embed.weight_bytes *= 2;
            embed.flops = tokens * m.hidden_size;
        } else {
            embed.flops = 0;
        }
        ops.push(embed);

        // Attention block.
        ops.push(self.norm(layers, tokens));
        ops.push(self.projection(
            OpKind::QkvProj,
            layers,
            tokens,
            m.q_dim() + 2 * m.kv_dim(),
            m.hidden_size,
            1,
        ));
        if m.extra_norms_per_layer > 0 {
            let mut extra = self.norm(layers, tokens);
            extra.repeat = layers * m.extra_norms_per_layer;
            ops.push(extra);
        }
        if m.position == PositionKind::Rope {
            ops.push(self.vector(OpKind::Rope, layers, tokens * (m.q_dim() + m.kv_dim()), 3));
        }
        ops.push(self.kv_write(layers, tokens));
        ops.extend(self.attention(layers));
        ops.push(self.projection(OpKind::OProj, layers, tokens, m.hidden_size, m.q_dim(), 1));
        ops.push(self.vector(OpKind::Residual, layers, tokens * m.hidden_size, 1));

        // Feed-forward block.
        ops.push(self.norm(layers, tokens));
        let up_cols = if m.gated_ffn {
            2 * m.intermediate_size
        } else {
            m.intermediate_size
        };
        let (expert_rows, experts_used) = match m.moe {
            None => (tokens, 1),
            Some(moe) => {
                let assignments = tokens * moe.top_k;
                let used = moe.num_experts.min(assignments);
                let mut router = self.vector(
                    OpKind::Router,
                    layers,
                    tokens * m.hidden_size * moe.num_experts,
                    2,
                );
                router.weight_bytes = m.hidden_size * moe.num_experts * FP16_BYTES;
                ops.push(router);
                (assignments.div_ceil(used), used)
            }
        };
        ops.push(self.projection(
            OpKind::FfnUp,
            layers,
            expert_rows,
            up_cols,
            m.hidden_size,
            experts_used,
        ));
        let act_ops = match m.activation {
            Activation::Silu => 4,
            Activation::Gelu => 8,
            Activation::Relu => 1,
            Activation::Relu2 => 2,
        } + u64::from(m.gated_ffn);
        ops.push(self.vector(
            OpKind::FfnAct,
            layers,
            expert_rows * experts_used * m.intermediate_size,
            act_ops,
        ));
        ops.push(self.projection(
            OpKind::FfnDown,
            layers,
            expert_rows,
            m.hidden_size,
            m.intermediate_size,
            experts_used,
        ));
        ops.push(self.vector(OpKind::Residual, layers, tokens * m.hidden_size, 1));

        // Final norm and LM head on the positions whose logits are needed.
        let logit_rows = self.step.batch * self.step.logits_rows;
        if logit_rows > 0 {
            ops.push(self.norm(1, logit_rows));
            ops.push(self.projection(
                OpKind::LmHead,
                1,
                logit_rows,
                m.vocab_size,
                m.hidden_size,
                1,
            ));
        }
        ops
    }

    fn vector(&self, kind: OpKind, repeat: u64, elements: u64, ops_per_element: u64) -> Op {
        Op {
            kind,
            phase: self.phase,
            repeat,
            shape: OpShape::Vector {
                elements,
                ops_per_element,
            },
            flops: elements * ops_per_element,
            weight_bytes: 0,
            kv_read_bytes: 0,
            kv_write_bytes: 0,
            act_read_bytes: elements * FP16_BYTES,
            act_write_bytes: elements * FP16_BYTES,
        }
    }

    fn norm(&self, repeat: u64, rows: u64) -> Op {
        let ops_per_element = match self.model.norm {
            NormKind::RmsNorm => 4,
            NormKind::LayerNorm => 6,
        };
        self.vector(
            OpKind::Norm,
            repeat,
            rows * self.model.hidden_size,
            ops_per_element,
        )
    }

    /// `count` products of (m x k) activations by (k x n) weights.
    fn projection(&self, kind: OpKind, repeat: u64, m: u64, n: u64, k: u64, count: u64) -> Op {
        let act = self.quant.act;
        Op {
            kind,
            phase: self.phase,
            repeat,
            shape: OpShape::Gemm {
                m,
                n,
                k,
                count,
                operand: GemmOperand::Weights(self.quant.weight),
                act,
            },
            flops: 2 * m * n * k * count,
            weight_bytes: self.quant.weight_bytes(n, k) * count,
            kv_read_bytes: 0,
            kv_write_bytes: 0,
            act_read_bytes: bytes_of_bits(m * k * count * u64::from(act.bits())),
            act_write_bytes: m * n * count * FP16_BYTES,
        }
    }

    fn kv_write(&self, repeat: u64, tokens: u64) -> Op {
        let elements = tokens * 2 * self.model.kv_dim();
        let mut op = self.vector(OpKind::KvWrite, repeat, elements, 2);
        op.act_write_bytes = 0;
        op.kv_write_bytes = self.kv_bytes(tokens);
        op
    }

    /// Bytes of K (or V, the same) entries for `tokens` tokens of one layer, with per-head
    /// fp16 scales for integer formats.
    fn kv_bytes_one(&self, tokens: u64) -> u64 {
        let m = self.model;
        let kv = self.quant.kv;
        let data = bytes_of_bits(tokens * m.kv_dim() * u64::from(kv.bits()));
        let scales = match kv {
            KvFormat::Fp16 => 0,
            KvFormat::Int4 | KvFormat::Int8 => tokens * m.num_kv_heads * FP16_BYTES,
        };
        data + scales
    }

    fn kv_bytes(&self, tokens: u64) -> u64 {
        2 * self.kv_bytes_one(tokens)
    }

    fn attention(&self, repeat: u64) -> [Op; 3] {
        let m = self.model;
        let s = self.step;
        let group = m.num_heads / m.num_kv_heads;
        let context = s.context_tokens + s.new_tokens;
        let count = s.batch * m.num_kv_heads;
        let rows = group * s.new_tokens;
        // KV entries read: the shared prefix once, the rest once per sequence.
        let shared = s.shared_context_tokens.min(context);
        let read_tokens = shared + s.batch * (context - shared);
        let operand = GemmOperand::KvCache(self.quant.kv);
        let act = self.quant.act;
        let act_bits = u64::from(act.bits());
        let score = Op {
            kind: OpKind::AttnScore,
            phase: self.phase,
            repeat,
            shape: OpShape::Gemm {
                m: rows,
                n: context,
                k: m.head_dim,
                count,
                operand,
                act,
            },
            flops: 2 * rows * context * m.head_dim * count,
            weight_bytes: 0,
            kv_read_bytes: self.kv_bytes_one(read_tokens),
            kv_write_bytes: 0,
            act_read_bytes: bytes_of_bits(rows * m.head_dim * count * act_bits),
            act_write_bytes: rows * context * count * FP16_BYTES,
        };
        let softmax = self.vector(OpKind::Softmax, repeat, rows * context * count, 5);
        let value = Op {
            kind: OpKind::AttnValue,
            phase: self.phase,
            repeat,
            shape: OpShape::Gemm {
                m: rows,
                n: m.head_dim,
                k: context,
                count,
                operand,
                act,
            },
            flops: 2 * rows * context * m.head_dim * count,
            weight_bytes: 0,
            kv_read_bytes: self.kv_bytes_one(read_tokens),
            kv_write_bytes: 0,
            act_read_bytes: bytes_of_bits(rows * context * count * act_bits),
            act_write_bytes: rows * m.head_dim * count * FP16_BYTES,
        };
        [score, softmax, value]
    }
}

fn bytes_of_bits(bits: u64) -> u64 {
    bits.div_ceil(8)
}
