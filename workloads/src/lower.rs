//! Lowering one forward pass (a [`Step`]) of a model to its operators.
//!
//! Conventions, chosen once here:
//! - The residual stream and every vector-unit op read and write fp16 (2 bytes per element);
//!   matrix-product inputs are read in the scheme's activation format.
//! - Every linear projection of the transformer blocks is stored in the scheme's weight format.
//!   The LM head is stored in the scheme's head format ([`QuantScheme::head_scheme`]: fp16
//!   unless the scheme quantizes it, reading fp16 activations when fp16); with tied embeddings
//!   an fp16 head is the embedding matrix itself, a quantized head a quantized copy of it.
//!   Embeddings stay fp16 and only the gathered rows are read.
//! - Attention is computed unmasked over the whole context (no causal skipping); KV entries of
//!   a shared prefix are read once per step for the whole batch.
//! - MoE routing is balanced: `batch x tokens x top_k` assignments spread evenly over
//!   `min(experts, assignments)` experts (the most weight traffic any routing can cause).
//! - Bias additions are folded into their projections and not counted separately.
//!
//! Every count is computed with checked arithmetic ([`try_lower_step`]): a FLOP or byte count
//! of an op, or that count times the op's `repeat`, or the sum of its byte counts times
//! `repeat`, that does not fit in a `u64` is a [`WorkloadError::TooLarge`] naming the factor
//! at fault, never a panic or a wrapped number.

use lutforge_models::{Activation, KvFormat, ModelConfig, NormKind, PositionKind, QuantScheme};

use crate::error::WorkloadError;
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
///
/// For callers that have validated their input: every step of a [`crate::Workload`] (from
/// [`crate::Workload::steps`], with [`crate::Workload::model_of`]) lowers without error, as
/// `Workload` construction lowers the largest steps with [`try_lower_step`].
///
/// # Panics
///
/// When [`try_lower_step`] fails: an invalid model or scheme, an empty step, or a count that
/// does not fit in 64 bits. Use [`try_lower_step`] for unvalidated input.
pub fn lower_step(model: &ModelConfig, quant: &QuantScheme, step: &Step) -> Vec<Op> {
    match try_lower_step(model, quant, step) {
        Ok(ops) => ops,
        Err(err) => panic!("lower_step on an unvalidated step ({err}); use try_lower_step"),
    }
}

/// Lowers one step like [`lower_step`], checking everything: the model
/// ([`ModelConfig::validate`]) and the scheme ([`QuantScheme::validate`]), a step of at least
/// one sequence and one new token, and every count for overflow (see the module doc). For
/// each op, `flops * repeat` and `total_bytes() * repeat` fit in a `u64`.
pub fn try_lower_step(
    model: &ModelConfig,
    quant: &QuantScheme,
    step: &Step,
) -> Result<Vec<Op>, WorkloadError> {
    model.validate(&model.name)?;
    quant.validate()?;
    if step.batch == 0 {
        return Err(WorkloadError::invalid("batch", 0, "must be at least 1"));
    }
    if step.new_tokens == 0 {
        return Err(WorkloadError::invalid(
            "new_tokens",
            0,
            "must be at least 1",
        ));
    }
    let plain = Lowering::<Plain> {
        model,
        quant,
        step,
        phase: step.phase(),
        count: std::marker::PhantomData,
    }
    .ops();
    match plain {
        Ok(ops) => Ok(ops),
        // The same arithmetic again, remembering factors, to name the one at fault.
        Err(_) => Lowering::<N> {
            model,
            quant,
            step,
            phase: step.phase(),
            count: std::marker::PhantomData,
        }
        .ops(),
    }
}

/// The factor to blame when a product overflows: a step or model dimension and its value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Blame {
    /// Field name: a [`Step`] field or a [`ModelConfig`] field.
    name: &'static str,
    /// Its value.
    value: u64,
    /// A step (workload) dimension, preferred over a model size: the user's knob.
    workload: bool,
}

/// The worse of two blames: a workload dimension over a model size, then the larger value.
fn worse(a: Option<Blame>, b: Option<Blame>) -> Option<Blame> {
    match (a, b) {
        (Some(x), Some(y)) => {
            if (y.workload, y.value) > (x.workload, x.value) {
                Some(y)
            } else {
                Some(x)
            }
        }
        (x, None) => x,
        (None, y) => y,
    }
}

/// An overflow, with the factor to blame (`None` only if constants alone overflowed).
#[derive(Debug, Clone, Copy)]
struct Fault(Option<Blame>);

impl Fault {
    /// The typed error for this overflow of `quantity`.
    fn error(self, quantity: String) -> WorkloadError {
        let (dimension, value) = self.0.map_or(("(constant)", 0), |b| (b.name, b.value));
        WorkloadError::TooLarge {
            dimension: dimension.to_string(),
            value,
            quantity,
        }
    }
}

/// A count that remembers which of its factors to blame should a product built on it overflow.
#[derive(Debug, Clone, Copy)]
struct N {
    value: u64,
    blame: Option<Blame>,
}

/// A count the lowering computes with: a plain checked `u64` ([`Plain`]), or one that also
/// remembers which factor to blame ([`N`]). [`try_lower_step`] runs on [`Plain`] and, only when
/// a count overflows, runs the same code again on [`N`] to name the dimension at fault.
trait Count: Copy {
    /// A constant of the lowering (bytes per element, ops per element): never to blame.
    fn k(value: u64) -> Self;
    /// A step dimension.
    fn step(name: &'static str, value: u64) -> Self;
    /// A model size.
    fn model(name: &'static str, value: u64) -> Self;
    /// The count.
    fn value(self) -> u64;
    /// `value`, computed from `a` and `b` (`None`: it overflowed), blamed like their product.
    fn derived(value: Option<u64>, a: Self, b: Self) -> Result<Self, Fault>;
    /// `value`, blamed like `like`.
    fn blamed_like(value: u64, like: Self) -> Self;
    /// `self * other`.
    fn mul(self, other: Self) -> Result<Self, Fault> {
        Self::derived(self.value().checked_mul(other.value()), self, other)
    }
    /// `self + other`.
    fn add(self, other: Self) -> Result<Self, Fault> {
        Self::derived(self.value().checked_add(other.value()), self, other)
    }
    /// `self - other`.
    fn sub(self, other: Self) -> Result<Self, Fault> {
        Self::derived(self.value().checked_sub(other.value()), self, other)
    }
    /// The smaller of the two, keeping its own blame.
    fn min(self, other: Self) -> Self {
        if other.value() < self.value() {
            other
        } else {
            self
        }
    }
    /// `ceil(self / by)` for `by >= 1`; keeps the blame of `self`.
    fn div_ceil(self, by: u64) -> Self {
        Self::blamed_like(self.value().div_ceil(by.max(1)), self)
    }
}

/// A checked count with no blame: the fast path.
#[derive(Debug, Clone, Copy)]
struct Plain(u64);

impl Count for Plain {
    fn k(value: u64) -> Plain {
        Plain(value)
    }
    fn step(_: &'static str, value: u64) -> Plain {
        Plain(value)
    }
    fn model(_: &'static str, value: u64) -> Plain {
        Plain(value)
    }
    fn value(self) -> u64 {
        self.0
    }
    fn derived(value: Option<u64>, _: Plain, _: Plain) -> Result<Plain, Fault> {
        value.map(Plain).ok_or(Fault(None))
    }
    fn blamed_like(value: u64, _: Plain) -> Plain {
        Plain(value)
    }
}

impl Count for N {
    fn k(value: u64) -> N {
        N { value, blame: None }
    }

    fn step(name: &'static str, value: u64) -> N {
        N {
            value,
            blame: Some(Blame {
                name,
                value,
                workload: true,
            }),
        }
    }

    fn model(name: &'static str, value: u64) -> N {
        N {
            value,
            blame: Some(Blame {
                name,
                value,
                workload: false,
            }),
        }
    }

    fn value(self) -> u64 {
        self.value
    }

    fn derived(value: Option<u64>, a: N, b: N) -> Result<N, Fault> {
        let blame = worse(a.blame, b.blame);
        match value {
            Some(value) => Ok(N { value, blame }),
            None => Err(Fault(blame)),
        }
    }

    fn blamed_like(value: u64, like: N) -> N {
        N {
            value,
            blame: like.blame,
        }
    }
}

/// The six counts of one op (one repetition), before they become an [`Op`].
#[derive(Debug, Clone, Copy)]
struct Counts<C> {
    flops: C,
    weight: C,
    kv_read: C,
    kv_write: C,
    act_read: C,
    act_write: C,
}

impl<C: Count> Counts<C> {
    fn zero() -> Counts<C> {
        Counts {
            flops: C::k(0),
            weight: C::k(0),
            kv_read: C::k(0),
            kv_write: C::k(0),
            act_read: C::k(0),
            act_write: C::k(0),
        }
    }
}

struct Lowering<'a, C> {
    model: &'a ModelConfig,
    quant: &'a QuantScheme,
    step: &'a Step,
    phase: Phase,
    count: std::marker::PhantomData<C>,
}

/// The error for an overflow while counting `kind`.
fn in_op(kind: OpKind) -> impl Fn(Fault) -> WorkloadError {
    move |fault| fault.error(format!("FLOP or byte counts of `{}`", kind.as_str()))
}

impl<C: Count> Lowering<'_, C> {
    fn ops(&self) -> Result<Vec<Op>, WorkloadError> {
        let m = self.model;
        let s = self.step;
        let shared = |fault: Fault| fault.error("token and width products of the step".into());
        let layers = C::model("num_layers", m.num_layers);
        let hidden = self.hidden();
        let tokens = C::step("batch", s.batch)
            .mul(C::step("new_tokens", s.new_tokens))
            .map_err(shared)?;
        let q_dim = C::model("num_heads", m.num_heads)
            .mul(C::model("head_dim", m.head_dim))
            .map_err(shared)?;
        let kv_dim = self.kv_dim().map_err(shared)?;
        let mut ops = Vec::with_capacity(20);

        // Token (and learned position) embedding: a gather, no activation read.
        let embedding = (|| {
            let elements = tokens.mul(hidden)?;
            let mut c = self.vector_counts(elements, 1)?;
            c.weight = elements.mul(C::k(FP16_BYTES))?;
            c.act_read = C::k(0);
            if m.position == PositionKind::Learned {
                c.weight = c.weight.mul(C::k(2))?;
                c.flops = elements;
            } else {
                c.flops = C::k(0);
            }
            self.finish(OpKind::Embedding, C::k(1), vector_shape(elements, 1), c)
        })()
        .map_err(in_op(OpKind::Embedding))?;
        ops.push(embedding);

        // Attention block.
        ops.push(self.norm(layers, tokens)?);
        let qkv_cols = kv_dim
            .mul(C::k(2))
            .and_then(|kv| q_dim.add(kv))
            .map_err(in_op(OpKind::QkvProj))?;
        ops.push(self.projection(OpKind::QkvProj, layers, tokens, qkv_cols, hidden, C::k(1))?);
        if m.extra_norms_per_layer > 0 {
            let repeat = layers
                .mul(C::model("extra_norms_per_layer", m.extra_norms_per_layer))
                .map_err(in_op(OpKind::Norm))?;
            ops.push(self.norm(repeat, tokens)?);
        }
        if m.position == PositionKind::Rope {
            let elements = q_dim
                .add(kv_dim)
                .and_then(|w| tokens.mul(w))
                .map_err(in_op(OpKind::Rope))?;
            ops.push(self.vector(OpKind::Rope, layers, elements, 3)?);
        }
        ops.push(self.kv_write(layers, tokens, kv_dim)?);
        ops.extend(self.attention(layers, kv_dim)?);
        ops.push(self.projection(OpKind::OProj, layers, tokens, hidden, q_dim, C::k(1))?);
        ops.push(self.residual(layers, tokens)?);

        // Feed-forward block.
        ops.push(self.norm(layers, tokens)?);
        let intermediate = C::model("intermediate_size", m.intermediate_size);
        let up_cols = if m.gated_ffn {
            intermediate.mul(C::k(2)).map_err(in_op(OpKind::FfnUp))?
        } else {
            intermediate
        };
        let (expert_rows, experts_used) = match m.moe {
            None => (tokens, C::k(1)),
            Some(moe) => {
                let experts = C::model("num_experts", moe.num_experts);
                let assignments = tokens
                    .mul(C::model("top_k", moe.top_k))
                    .map_err(in_op(OpKind::Router))?;
                let used = experts.min(assignments);
                let router = (|| {
                    let elements = tokens.mul(hidden)?.mul(experts)?;
                    let mut c = self.vector_counts(elements, 2)?;
                    c.weight = hidden.mul(experts)?.mul(C::k(FP16_BYTES))?;
                    self.finish(OpKind::Router, layers, vector_shape(elements, 2), c)
                })()
                .map_err(in_op(OpKind::Router))?;
                ops.push(router);
                (assignments.div_ceil(used.value()), used)
            }
        };
        ops.push(self.projection(
            OpKind::FfnUp,
            layers,
            expert_rows,
            up_cols,
            hidden,
            experts_used,
        )?);
        let act_ops = match m.activation {
            Activation::Silu => 4,
            Activation::Gelu => 8,
            Activation::Relu => 1,
            Activation::Relu2 => 2,
        } + u64::from(m.gated_ffn);
        let act_elements = expert_rows
            .mul(experts_used)
            .and_then(|rows| rows.mul(intermediate))
            .map_err(in_op(OpKind::FfnAct))?;
        ops.push(self.vector(OpKind::FfnAct, layers, act_elements, act_ops)?);
        ops.push(self.projection(
            OpKind::FfnDown,
            layers,
            expert_rows,
            hidden,
            intermediate,
            experts_used,
        )?);
        ops.push(self.residual(layers, tokens)?);

        // Final norm and LM head on the positions whose logits are needed.
        let logit_rows = C::step("batch", s.batch)
            .mul(C::step("logits_rows", s.logits_rows))
            .map_err(in_op(OpKind::LmHead))?;
        if logit_rows.value() > 0 {
            ops.push(self.norm(C::k(1), logit_rows)?);
            ops.push(self.projection_in(
                &self.quant.head_scheme(),
                OpKind::LmHead,
                C::k(1),
                logit_rows,
                C::model("vocab_size", m.vocab_size),
                hidden,
                C::k(1),
            )?);
        }
        Ok(ops)
    }

    fn hidden(&self) -> C {
        C::model("hidden_size", self.model.hidden_size)
    }

    fn kv_dim(&self) -> Result<C, Fault> {
        C::model("num_kv_heads", self.model.num_kv_heads)
            .mul(C::model("head_dim", self.model.head_dim))
    }

    /// Checks the counts times `repeat` and builds the op.
    fn finish(&self, kind: OpKind, repeat: C, shape: OpShape, c: Counts<C>) -> Result<Op, Fault> {
        let bytes = c
            .weight
            .add(c.kv_read)?
            .add(c.kv_write)?
            .add(c.act_read)?
            .add(c.act_write)?;
        // The byte sum bounds each byte count, so these two products bound every total.
        bytes.mul(repeat)?;
        c.flops.mul(repeat)?;
        Ok(Op {
            kind,
            phase: self.phase,
            repeat: repeat.value(),
            shape,
            flops: c.flops.value(),
            weight_bytes: c.weight.value(),
            kv_read_bytes: c.kv_read.value(),
            kv_write_bytes: c.kv_write.value(),
            act_read_bytes: c.act_read.value(),
            act_write_bytes: c.act_write.value(),
            kv: matches!(
                kind,
                OpKind::KvWrite | OpKind::AttnScore | OpKind::AttnValue
            )
            .then_some(self.quant.kv),
        })
    }

    /// Counts of an element-wise op reading and writing fp16.
    fn vector_counts(&self, elements: C, ops_per_element: u64) -> Result<Counts<C>, Fault> {
        let fp16 = elements.mul(C::k(FP16_BYTES))?;
        Ok(Counts {
            flops: elements.mul(C::k(ops_per_element))?,
            act_read: fp16,
            act_write: fp16,
            ..Counts::zero()
        })
    }

    fn vector(
        &self,
        kind: OpKind,
        repeat: C,
        elements: C,
        ops_per_element: u64,
    ) -> Result<Op, WorkloadError> {
        self.vector_counts(elements, ops_per_element)
            .and_then(|c| self.finish(kind, repeat, vector_shape(elements, ops_per_element), c))
            .map_err(in_op(kind))
    }

    fn residual(&self, repeat: C, tokens: C) -> Result<Op, WorkloadError> {
        let elements = tokens.mul(self.hidden()).map_err(in_op(OpKind::Residual))?;
        self.vector(OpKind::Residual, repeat, elements, 1)
    }

    fn norm(&self, repeat: C, rows: C) -> Result<Op, WorkloadError> {
        let ops_per_element = match self.model.norm {
            NormKind::RmsNorm => 4,
            NormKind::LayerNorm => 6,
        };
        let elements = rows.mul(self.hidden()).map_err(in_op(OpKind::Norm))?;
        self.vector(OpKind::Norm, repeat, elements, ops_per_element)
    }

    /// `count` products of (m x k) activations by (k x n) weights.
    fn projection(
        &self,
        kind: OpKind,
        repeat: C,
        m: C,
        n: C,
        k: C,
        count: C,
    ) -> Result<Op, WorkloadError> {
        self.projection_in(self.quant, kind, repeat, m, n, k, count)
    }

    /// A projection whose weights and activations are in `quant` (the LM head's differs).
    #[allow(clippy::too_many_arguments)]
    fn projection_in(
        &self,
        quant: &QuantScheme,
        kind: OpKind,
        repeat: C,
        m: C,
        n: C,
        k: C,
        count: C,
    ) -> Result<Op, WorkloadError> {
        let act = quant.act;
        (|| {
            let weights = C::derived(quant.try_weight_bytes(n.value(), k.value()), n, k)?;
            // Stream elements per row: K activations, or ceil(K / L) indices for VQ (the last
            // vector padded); `div_ceil(1)` is `k` itself.
            let row_elements = k.div_ceil(u64::from(act.vector_len()));
            let mk_count = m.mul(row_elements)?.mul(count)?;
            let mn_count = m.mul(n)?.mul(count)?;
            let c = Counts {
                flops: mn_count.mul(k)?.mul(C::k(2))?,
                weight: weights.mul(count)?,
                act_read: mk_count.mul(C::k(u64::from(act.bits())))?.div_ceil(8),
                act_write: mn_count.mul(C::k(FP16_BYTES))?,
                ..Counts::zero()
            };
            let shape = OpShape::Gemm {
                m: m.value(),
                n: n.value(),
                k: k.value(),
                count: count.value(),
                operand: GemmOperand::Weights(quant.weight),
                act,
                scale_group: quant
                    .group_size
                    .filter(|_| quant.weight.is_quantized())
                    .map(u64::from),
            };
            self.finish(kind, repeat, shape, c)
        })()
        .map_err(in_op(kind))
    }

    fn kv_write(&self, repeat: C, tokens: C, kv_dim: C) -> Result<Op, WorkloadError> {
        (|| {
            let elements = tokens.mul(C::k(2))?.mul(kv_dim)?;
            let mut c = self.vector_counts(elements, 2)?;
            c.act_write = C::k(0);
            c.kv_write = self.kv_bytes_one(tokens, kv_dim)?.mul(C::k(2))?;
            self.finish(OpKind::KvWrite, repeat, vector_shape(elements, 2), c)
        })()
        .map_err(in_op(OpKind::KvWrite))
    }

    /// Bytes of K (or V, the same) entries for `tokens` tokens of one layer, with per-head
    /// fp16 scales for integer formats.
    fn kv_bytes_one(&self, tokens: C, kv_dim: C) -> Result<C, Fault> {
        let kv = self.quant.kv;
        let data = tokens
            .mul(kv_dim)?
            .mul(C::k(u64::from(kv.bits())))?
            .div_ceil(8);
        let scales = match kv {
            KvFormat::Fp16 => C::k(0),
            KvFormat::Int4 | KvFormat::Int8 => tokens
                .mul(C::model("num_kv_heads", self.model.num_kv_heads))?
                .mul(C::k(FP16_BYTES))?,
        };
        data.add(scales)
    }

    fn attention(&self, repeat: C, kv_dim: C) -> Result<[Op; 3], WorkloadError> {
        let m = self.model;
        let s = self.step;
        let shared_fault = |fault: Fault| fault.error("attention sizes of the step".into());
        let batch = C::step("batch", s.batch);
        let new_tokens = C::step("new_tokens", s.new_tokens);
        let head_dim = C::model("head_dim", m.head_dim);
        // Validated: num_kv_heads >= 1 divides num_heads.
        let group = C::blamed_like(
            m.num_heads / m.num_kv_heads.max(1),
            C::model("num_heads", m.num_heads),
        );
        let context = C::step("context_tokens", s.context_tokens)
            .add(new_tokens)
            .map_err(shared_fault)?;
        let count = batch
            .mul(C::model("num_kv_heads", m.num_kv_heads))
            .map_err(shared_fault)?;
        let rows = group.mul(new_tokens).map_err(shared_fault)?;
        // KV entries read: the shared prefix once, the rest once per sequence.
        let shared = C::step("shared_context_tokens", s.shared_context_tokens).min(context);
        let read_tokens = context
            .sub(shared)
            .and_then(|own| batch.mul(own))
            .and_then(|own| shared.add(own))
            .map_err(shared_fault)?;
        let operand = GemmOperand::KvCache(self.quant.kv);
        let act = self.quant.act;
        let act_bits = C::k(u64::from(act.bits()));
        let score = (|| {
            let rows_count = rows.mul(count)?;
            let scores = rows_count.mul(context)?;
            let c = Counts {
                flops: scores.mul(head_dim)?.mul(C::k(2))?,
                kv_read: self.kv_bytes_one(read_tokens, kv_dim)?,
                act_read: rows_count
                    .mul(head_dim.div_ceil(u64::from(act.vector_len())))?
                    .mul(act_bits)?
                    .div_ceil(8),
                act_write: scores.mul(C::k(FP16_BYTES))?,
                ..Counts::zero()
            };
            let shape = OpShape::Gemm {
                m: rows.value(),
                n: context.value(),
                k: m.head_dim,
                count: count.value(),
                operand,
                act,
                scale_group: None,
            };
            self.finish(OpKind::AttnScore, repeat, shape, c)
        })()
        .map_err(in_op(OpKind::AttnScore))?;
        let scores = rows
            .mul(context)
            .and_then(|x| x.mul(count))
            .map_err(in_op(OpKind::Softmax))?;
        let softmax = self.vector(OpKind::Softmax, repeat, scores, 5)?;
        let value = (|| {
            let rows_count = rows.mul(count)?;
            let c = Counts {
                flops: scores.mul(head_dim)?.mul(C::k(2))?,
                kv_read: self.kv_bytes_one(read_tokens, kv_dim)?,
                // The probabilities in the activation format: ceil(context / L) VQ indices
                // per row (`div_ceil(1)` is `context` itself).
                act_read: rows
                    .mul(context.div_ceil(u64::from(act.vector_len())))?
                    .mul(count)?
                    .mul(act_bits)?
                    .div_ceil(8),
                act_write: rows_count.mul(head_dim)?.mul(C::k(FP16_BYTES))?,
                ..Counts::zero()
            };
            let shape = OpShape::Gemm {
                m: rows.value(),
                n: m.head_dim,
                k: context.value(),
                count: count.value(),
                operand,
                act,
                scale_group: None,
            };
            self.finish(OpKind::AttnValue, repeat, shape, c)
        })()
        .map_err(in_op(OpKind::AttnValue))?;
        Ok([score, softmax, value])
    }
}

fn vector_shape<C: Count>(elements: C, ops_per_element: u64) -> OpShape {
    OpShape::Vector {
        elements: elements.value(),
        ops_per_element,
    }
}
