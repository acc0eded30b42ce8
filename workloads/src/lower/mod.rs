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
//! - Attention is computed unmasked over the whole context, or a sliding-window layer's window
//!   (no causal skipping); KV entries of a shared prefix are read once per step for the whole
//!   batch.
//! - Layers lower in groups of identical layers ([`attention_groups`], [`ffn_groups`]): the
//!   attention ops of the full-context layers and of the sliding-window layers, then the
//!   feed-forward ops of the dense layers and of the MoE layers, each op with `repeat` = the
//!   group's layers. A model of one kind of layer lowers to one group of each.
//! - Attention per kind, MLA and sliding windows: see the module doc of
//!   `workloads/src/lower/attention.rs`.
//! - MoE routing follows the step's [`crate::MoeRouting`]: balanced by default, the
//!   `batch x tokens x top_k` assignments spread evenly over `min(experts, assignments)`
//!   experts (the most weight traffic any routing can cause); shared experts run every token.
//! - Bias additions are folded into their projections and not counted separately.
//!
//! Every count is computed with checked arithmetic ([`try_lower_step`]): a FLOP or byte count
//! of an op, or that count times the op's `repeat`, or the sum of its byte counts times
//! `repeat`, that does not fit in a `u64` is a [`WorkloadError::TooLarge`] naming the factor
//! at fault, never a panic or a wrapped number.

use lutforge_models::{ModelConfig, NormKind, PositionKind, QuantScheme};

mod attention;
mod count;
mod ffn;
mod groups;

use crate::error::WorkloadError;
use crate::op::{GemmOperand, Op, OpKind, OpShape, Phase};
use crate::options::LoweringOptions;
use count::{Count, Fault, Plain, N};
pub use groups::{attention_groups, ffn_groups, AttentionGroup, FfnGroup};

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
    /// The workload's MoE routing model and MLA decode form.
    pub options: LoweringOptions,
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
        let hidden = self.hidden();
        let tokens = self.tokens()?;
        let mut ops = Vec::with_capacity(24);

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

        for group in attention_groups(m) {
            let layers = C::model(group.layers_field, group.layers);
            ops.push(self.norm(layers, tokens)?);
            self.attention_block(&mut ops, layers, group.window)?;
            ops.push(self.residual(layers, tokens)?);
        }
        for group in ffn_groups(m) {
            let layers = C::model(group.layers_field, group.layers);
            ops.push(self.norm(layers, tokens)?);
            self.ffn_block(&mut ops, layers, group.moe)?;
            ops.push(self.residual(layers, tokens)?);
        }

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

    /// Tokens of the step over the batch (`batch x new_tokens`).
    fn tokens(&self) -> Result<C, WorkloadError> {
        C::step("batch", self.step.batch)
            .mul(C::step("new_tokens", self.step.new_tokens))
            .map_err(|fault| fault.error("token and width products of the step".into()))
    }

    fn hidden(&self) -> C {
        C::model("hidden_size", self.model.hidden_size)
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
            kv: match shape {
                OpShape::Gemm {
                    operand: GemmOperand::KvCache(kv),
                    ..
                } => Some(kv),
                _ => (kind == OpKind::KvWrite).then_some(self.quant.kv),
            },
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
        self.norm_of(repeat, rows, self.hidden())
    }

    /// A norm over rows of `width` elements.
    fn norm_of(&self, repeat: C, rows: C, width: C) -> Result<Op, WorkloadError> {
        let ops_per_element = match self.model.norm {
            NormKind::RmsNorm => 4,
            NormKind::LayerNorm => 6,
        };
        let elements = rows.mul(width).map_err(in_op(OpKind::Norm))?;
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
            let shape = weight_shape(quant, m.value(), n.value(), k.value(), count.value());
            self.finish(kind, repeat, shape, c)
        })()
        .map_err(in_op(kind))
    }
}

/// `count` products of (m x k) activations in `quant`'s format by (k x n) weights stored in it.
fn weight_shape(quant: &QuantScheme, m: u64, n: u64, k: u64, count: u64) -> OpShape {
    OpShape::Gemm {
        m,
        n,
        k,
        count,
        operand: GemmOperand::Weights(quant.weight),
        act: quant.act,
        scale_group: quant
            .group_size
            .filter(|_| quant.weight.is_quantized())
            .map(u64::from),
    }
}

fn vector_shape<C: Count>(elements: C, ops_per_element: u64) -> OpShape {
    OpShape::Vector {
        elements: elements.value(),
        ops_per_element,
    }
}
