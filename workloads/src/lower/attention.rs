//! The attention block of one group of layers, per attention kind.
//!
//! - **Standard** (MHA, GQA, MQA): one fused Q/K/V projection, RoPE, the K and V of the new
//!   tokens appended to the cache, `Q K^T`, softmax and `P V` per KV head (the query heads of a
//!   GQA group are rows of one product), the O projection.
//! - **Latent** (MLA, DeepSeek-V2/V3): the down-projections (`q_proj` or `q_a_proj`, and
//!   `kv_a_proj_with_mqa`) fused as one product of the hidden stream, the latent norms (the
//!   model's `extra_norms_per_layer`, at the latent and query-compression widths), the
//!   query up-projection (`q_b_proj`) when the query is compressed, RoPE on the rotary parts,
//!   one latent of `kv_lora_rank + qk_rope_head_dim` values per token appended to the cache,
//!   then one of two forms:
//!   - *expanded* (prefill, and decode by default; transformers' `DeepseekV2Attention`):
//!     `kv_b_proj` up-projects the latents of the attended context to fp16 per-head keys and
//!     values, which the score and value products read as fp16 operands;
//!   - *absorbed* (decode with [`MlaDecode::Absorbed`]): the per-head key up-projection turns
//!     each query into a latent query, `Q K^T` and `P V` run on the cached latents with all
//!     heads as rows of one product per sequence, and the per-head value up-projection follows.
//!
//!   Both forms read the same `kv_b_proj` weights once per layer.
//!
//! A sliding-window layer attends to at most `window` tokens: its products span
//! `min(context, window)` keys and its KV reads stop growing at the window (a prefill pass
//! reads the keys its band of queries covers, `window + new_tokens - 1` at most). Each op reads
//! its operands from memory; no op reuses another's reads.

use lutforge_models::{Attention, KvFormat, Mla};

use super::count::{Count, Fault};
use super::{in_op, vector_shape, weight_shape, Counts, Lowering, StepKind, FP16_BYTES};
use crate::error::WorkloadError;
use crate::op::{GemmOperand, Op, OpKind, OpShape};
use crate::options::MlaDecode;

/// The three attention products of one layer, before they become ops.
struct Products<C> {
    /// Query rows per instance.
    rows: C,
    /// Independent instances (sequences x KV heads).
    count: C,
    /// Keys each row attends to.
    keys: C,
    /// Reduction width of the score product (the key width).
    score_k: u64,
    /// Output width of the value product.
    value_n: u64,
    /// KV-cache bytes the score product reads.
    score_kv_read: C,
    /// KV-cache bytes the value product reads.
    value_kv_read: C,
    /// Activation bytes read besides the queries and probabilities (materialized keys and
    /// values of the expanded MLA form).
    score_extra_read: C,
    /// As `score_extra_read`, for the value product.
    value_extra_read: C,
    /// The operand the products read.
    operand: GemmOperand,
}

impl<C: Count> Lowering<'_, C> {
    /// Pushes the attention ops of `layers` layers attending to `window` tokens (or all).
    pub(super) fn attention_block(
        &self,
        ops: &mut Vec<Op>,
        layers: C,
        window: Option<u64>,
    ) -> Result<(), WorkloadError> {
        match self.model.attention {
            Attention::Standard => self.standard(ops, layers, window),
            Attention::Latent(mla) => self.latent(ops, layers, window, mla),
        }
    }

    fn standard(
        &self,
        ops: &mut Vec<Op>,
        layers: C,
        window: Option<u64>,
    ) -> Result<(), WorkloadError> {
        let m = self.model;
        let shared = |fault: Fault| fault.error("token and width products of the step".into());
        let tokens = self.tokens()?;
        let hidden = self.hidden();
        let kv_heads = C::model("num_kv_heads", m.num_kv_heads);
        let head_dim = C::model("head_dim", m.head_dim);
        let q_dim = C::model("num_heads", m.num_heads)
            .mul(head_dim)
            .map_err(shared)?;
        let kv_dim = kv_heads.mul(head_dim).map_err(shared)?;
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
        if m.position == lutforge_models::PositionKind::Rope {
            let elements = q_dim
                .add(kv_dim)
                .and_then(|w| tokens.mul(w))
                .map_err(in_op(OpKind::Rope))?;
            ops.push(self.vector(OpKind::Rope, layers, elements, 3)?);
        }
        // K and V of every KV head, each with its per-head scales.
        let kv_write = (|| {
            let elements = tokens.mul(C::k(2))?.mul(kv_dim)?;
            let mut c = self.vector_counts(elements, 2)?;
            c.act_write = C::k(0);
            c.kv_write = self.kv_bytes(tokens, kv_dim, kv_heads)?.mul(C::k(2))?;
            self.finish(OpKind::KvWrite, layers, vector_shape(elements, 2), c)
        })()
        .map_err(in_op(OpKind::KvWrite))?;
        ops.push(kv_write);
        let fault = |fault: Fault| fault.error("attention sizes of the step".into());
        let (keys, read_tokens) = self.attended(window).map_err(fault)?;
        // Validated: num_kv_heads >= 1 divides num_heads.
        let group = C::blamed_like(
            m.num_heads / m.num_kv_heads.max(1),
            C::model("num_heads", m.num_heads),
        );
        let kv_read = self
            .kv_bytes(read_tokens, kv_dim, kv_heads)
            .map_err(in_op(OpKind::AttnScore))?;
        let products = Products {
            rows: group
                .mul(C::step("new_tokens", self.step.new_tokens))
                .map_err(fault)?,
            count: C::step("batch", self.step.batch)
                .mul(kv_heads)
                .map_err(fault)?,
            keys,
            score_k: m.head_dim,
            value_n: m.head_dim,
            score_kv_read: kv_read,
            value_kv_read: kv_read,
            score_extra_read: C::k(0),
            value_extra_read: C::k(0),
            operand: GemmOperand::KvCache(self.quant.kv),
        };
        ops.extend(self.products(layers, products)?);
        ops.push(self.projection(OpKind::OProj, layers, tokens, hidden, q_dim, C::k(1))?);
        Ok(())
    }

    fn latent(
        &self,
        ops: &mut Vec<Op>,
        layers: C,
        window: Option<u64>,
        mla: Mla,
    ) -> Result<(), WorkloadError> {
        let m = self.model;
        let s = self.step;
        let shared = |fault: Fault| fault.error("token and width products of the step".into());
        let tokens = self.tokens()?;
        let hidden = self.hidden();
        let heads = C::model("num_heads", m.num_heads);
        let nope = C::model("qk_nope_head_dim", mla.qk_nope_head_dim);
        let rope = C::model("qk_rope_head_dim", mla.qk_rope_head_dim);
        let v_head = C::model("v_head_dim", mla.v_head_dim);
        let latent = C::model("kv_lora_rank", mla.kv_lora_rank);
        let q_rank = mla.q_lora_rank.map(|r| C::model("q_lora_rank", r));
        let q_dim = heads
            .mul(C::model("head_dim", m.head_dim))
            .map_err(shared)?;
        let cached = latent.add(rope).map_err(shared)?;

        // Down-projections of the hidden stream: the query (or its compression) and the
        // latent with the shared rotary key.
        let down_cols = q_rank
            .unwrap_or(q_dim)
            .add(cached)
            .map_err(in_op(OpKind::QkvProj))?;
        ops.push(self.projection(OpKind::QkvProj, layers, tokens, down_cols, hidden, C::k(1))?);
        // kv_a_layernorm on the latent, q_a_layernorm on the query compression: an MLA
        // model's extra norms, at their own widths.
        let norm_width = match q_rank {
            Some(rank) => latent.add(rank).map_err(in_op(OpKind::Norm))?,
            None => latent,
        };
        ops.push(self.norm_of(layers, tokens, norm_width)?);
        if let Some(rank) = q_rank {
            ops.push(self.projection(OpKind::QUpProj, layers, tokens, q_dim, rank, C::k(1))?);
        }
        let rope_elements = heads
            .mul(rope)
            .and_then(|q| q.add(rope))
            .and_then(|w| tokens.mul(w))
            .map_err(in_op(OpKind::Rope))?;
        ops.push(self.vector(OpKind::Rope, layers, rope_elements, 3)?);
        let one = C::k(1);
        let kv_write = (|| {
            let elements = tokens.mul(cached)?;
            let mut c = self.vector_counts(elements, 2)?;
            c.act_write = C::k(0);
            c.kv_write = self.kv_bytes(tokens, cached, one)?;
            self.finish(OpKind::KvWrite, layers, vector_shape(elements, 2), c)
        })()
        .map_err(in_op(OpKind::KvWrite))?;
        ops.push(kv_write);

        let fault = |fault: Fault| fault.error("attention sizes of the step".into());
        let (keys, read_tokens) = self.attended(window).map_err(fault)?;
        let batch = C::step("batch", s.batch);
        let new_tokens = C::step("new_tokens", s.new_tokens);
        let absorbed = s.kind == StepKind::Decode && s.options.mla_decode == MlaDecode::Absorbed;
        if absorbed {
            // q_nope x W_UK per head: a latent query per head.
            ops.push(self.projection(OpKind::KvUpProj, layers, tokens, latent, nope, heads)?);
            let products = Products {
                rows: heads.mul(new_tokens).map_err(fault)?,
                count: batch,
                keys,
                score_k: mla.cached_width(),
                value_n: mla.kv_lora_rank,
                score_kv_read: self
                    .kv_bytes(read_tokens, cached, one)
                    .map_err(in_op(OpKind::AttnScore))?,
                value_kv_read: self
                    .kv_bytes(read_tokens, latent, one)
                    .map_err(in_op(OpKind::AttnValue))?,
                score_extra_read: C::k(0),
                value_extra_read: C::k(0),
                operand: GemmOperand::KvCache(self.quant.kv),
            };
            ops.extend(self.products(layers, products)?);
            // The attended latents x W_UV per head.
            ops.push(self.projection(OpKind::KvUpProj, layers, tokens, v_head, latent, heads)?);
        } else {
            // kv_b_proj: every attended latent up-projected to per-head K_nope and V.
            let up_cols = nope
                .add(v_head)
                .and_then(|w| heads.mul(w))
                .map_err(in_op(OpKind::KvUpProj))?;
            ops.push(self.latent_up_projection(layers, read_tokens, up_cols, latent)?);
            let materialized = |width: C| read_tokens.mul(heads)?.mul(width)?.mul(C::k(FP16_BYTES));
            let products = Products {
                rows: new_tokens,
                count: batch.mul(heads).map_err(fault)?,
                keys,
                score_k: m.head_dim,
                value_n: mla.v_head_dim,
                // The rotary keys come from the cache, K_nope and V from the up-projection.
                score_kv_read: self
                    .kv_bytes(read_tokens, rope, C::k(0))
                    .map_err(in_op(OpKind::AttnScore))?,
                value_kv_read: C::k(0),
                score_extra_read: materialized(nope).map_err(in_op(OpKind::AttnScore))?,
                value_extra_read: materialized(v_head).map_err(in_op(OpKind::AttnValue))?,
                operand: GemmOperand::KvCache(KvFormat::Fp16),
            };
            ops.extend(self.products(layers, products)?);
        }
        let out_dim = heads.mul(v_head).map_err(in_op(OpKind::OProj))?;
        ops.push(self.projection(OpKind::OProj, layers, tokens, hidden, out_dim, C::k(1))?);
        Ok(())
    }

    /// `kv_b_proj` applied to `rows` cached latents: the weights in the scheme's format, the
    /// latents read from the cache, fp16 keys and values written.
    fn latent_up_projection(
        &self,
        repeat: C,
        rows: C,
        n: C,
        latent: C,
    ) -> Result<Op, WorkloadError> {
        let kind = OpKind::KvUpProj;
        let quant = self.quant;
        (|| {
            let weights = C::derived(quant.try_weight_bytes(n.value(), latent.value()), n, latent)?;
            let outputs = rows.mul(n)?;
            let c = Counts {
                flops: outputs.mul(latent)?.mul(C::k(2))?,
                weight: weights,
                kv_read: self.kv_bytes(rows, latent, C::k(1))?,
                act_write: outputs.mul(C::k(FP16_BYTES))?,
                ..Counts::zero()
            };
            let shape = weight_shape(quant, rows.value(), n.value(), latent.value(), 1);
            self.finish(kind, repeat, shape, c)
        })()
        .map_err(in_op(kind))
    }

    /// Keys a query row attends to, and the cached tokens the products read over the batch:
    /// the shared prefix once, each sequence's own tokens once per sequence, both limited to
    /// the window.
    fn attended(&self, window: Option<u64>) -> Result<(C, C), Fault> {
        let s = self.step;
        let batch = C::step("batch", s.batch);
        let new_tokens = C::step("new_tokens", s.new_tokens);
        let context = C::step("context_tokens", s.context_tokens).add(new_tokens)?;
        let shared = C::step("shared_context_tokens", s.shared_context_tokens).min(context);
        let own = context.sub(shared)?;
        let Some(window) = window else {
            return Ok((context, batch.mul(own)?.add(shared)?));
        };
        let window = C::model("sliding_window", window);
        let keys = context.min(window);
        // The band of new_tokens queries covers window + new_tokens - 1 keys.
        let band = window.add(new_tokens)?.sub(C::k(1))?.min(context);
        let own_read = own.min(band);
        let shared_read = band.sub(own_read)?;
        Ok((keys, batch.mul(own_read)?.add(shared_read)?))
    }

    /// Bytes of `tokens` cached vectors of `width` values, with `scales` fp16 scales per token
    /// for integer formats.
    pub(super) fn kv_bytes(&self, tokens: C, width: C, scales: C) -> Result<C, Fault> {
        let kv = self.quant.kv;
        let data = tokens
            .mul(width)?
            .mul(C::k(u64::from(kv.bits())))?
            .div_ceil(8);
        let scales = match kv {
            KvFormat::Fp16 => C::k(0),
            KvFormat::Int4 | KvFormat::Int8 => tokens.mul(scales)?.mul(C::k(FP16_BYTES))?,
        };
        data.add(scales)
    }

    /// `Q K^T`, softmax and `P V`.
    fn products(&self, repeat: C, p: Products<C>) -> Result<[Op; 3], WorkloadError> {
        let act = self.quant.act;
        let act_bits = C::k(u64::from(act.bits()));
        let score_k = C::model("head_dim", p.score_k);
        let value_n = C::model("v_head_dim", p.value_n);
        let score = (|| {
            let rows_count = p.rows.mul(p.count)?;
            let scores = rows_count.mul(p.keys)?;
            let c = Counts {
                flops: scores.mul(score_k)?.mul(C::k(2))?,
                kv_read: p.score_kv_read,
                act_read: rows_count
                    .mul(score_k.div_ceil(u64::from(act.vector_len())))?
                    .mul(act_bits)?
                    .div_ceil(8)
                    .add(p.score_extra_read)?,
                act_write: scores.mul(C::k(FP16_BYTES))?,
                ..Counts::zero()
            };
            let shape = OpShape::Gemm {
                m: p.rows.value(),
                n: p.keys.value(),
                k: p.score_k,
                count: p.count.value(),
                operand: p.operand,
                act,
                scale_group: None,
            };
            self.finish(OpKind::AttnScore, repeat, shape, c)
        })()
        .map_err(in_op(OpKind::AttnScore))?;
        let scores = p
            .rows
            .mul(p.keys)
            .and_then(|x| x.mul(p.count))
            .map_err(in_op(OpKind::Softmax))?;
        let softmax = self.vector(OpKind::Softmax, repeat, scores, 5)?;
        let value = (|| {
            let rows_count = p.rows.mul(p.count)?;
            let c = Counts {
                flops: scores.mul(value_n)?.mul(C::k(2))?,
                kv_read: p.value_kv_read,
                // The probabilities in the activation format: ceil(keys / L) VQ indices per
                // row (`div_ceil(1)` is `keys` itself).
                act_read: p
                    .rows
                    .mul(p.keys.div_ceil(u64::from(act.vector_len())))?
                    .mul(p.count)?
                    .mul(act_bits)?
                    .div_ceil(8)
                    .add(p.value_extra_read)?,
                act_write: rows_count.mul(value_n)?.mul(C::k(FP16_BYTES))?,
                ..Counts::zero()
            };
            let shape = OpShape::Gemm {
                m: p.rows.value(),
                n: p.value_n,
                k: p.keys.value(),
                count: p.count.value(),
                operand: p.operand,
                act,
                scale_group: None,
            };
            self.finish(OpKind::AttnValue, repeat, shape, c)
        })()
        .map_err(in_op(OpKind::AttnValue))?;
        Ok([score, softmax, value])
    }
}
