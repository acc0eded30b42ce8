//! The feed-forward block of one group of layers: a dense FFN, or a mixture of experts.
//!
//! An MoE layer runs the router (gating scores over the routed experts, and Qwen2-MoE's
//! shared-expert gate), the routed experts, and the shared experts, which every token runs.
//! The routed experts' weight traffic follows the step's [`crate::MoeRouting`]: the
//! `tokens x top_k` assignments spread over the experts the routing model reads, as evenly as
//! whole rows allow.

use lutforge_models::{Activation, Moe};

use super::count::Count;
use super::{in_op, vector_shape, Lowering, FP16_BYTES};
use crate::error::WorkloadError;
use crate::op::{Op, OpKind};

impl<C: Count> Lowering<'_, C> {
    /// Pushes the feed-forward ops of `layers` layers: dense, or the experts of `moe`.
    pub(super) fn ffn_block(
        &self,
        ops: &mut Vec<Op>,
        layers: C,
        moe: Option<Moe>,
    ) -> Result<(), WorkloadError> {
        let tokens = self.tokens()?;
        let Some(moe) = moe else {
            let width = C::model("intermediate_size", self.model.intermediate_size);
            return self.ffn(ops, layers, tokens, width, C::k(1));
        };
        let hidden = self.hidden();
        let experts = C::model("num_experts", moe.num_experts);
        let assignments = tokens
            .mul(C::model("top_k", moe.top_k))
            .map_err(in_op(OpKind::Router))?;
        let used = C::blamed_like(
            self.step
                .options
                .moe_routing
                .experts_used(moe.num_experts, moe.top_k, tokens.value()),
            experts,
        );
        let router = (|| {
            let gates = experts.add(C::k(u64::from(moe.shared_expert_gate)))?;
            let elements = tokens.mul(hidden)?.mul(gates)?;
            let mut c = self.vector_counts(elements, 2)?;
            c.weight = hidden.mul(gates)?.mul(C::k(FP16_BYTES))?;
            self.finish(OpKind::Router, layers, vector_shape(elements, 2), c)
        })()
        .map_err(in_op(OpKind::Router))?;
        ops.push(router);
        let width = C::model("expert_intermediate_size", moe.expert_intermediate_size);
        self.ffn(ops, layers, assignments.div_ceil(used.value()), width, used)?;
        if moe.shared_intermediate_size > 0 {
            let shared = C::model("shared_intermediate_size", moe.shared_intermediate_size);
            self.ffn(ops, layers, tokens, shared, C::k(1))?;
        }
        Ok(())
    }

    /// Up (and gate), activation and down projections of `count` FFNs of `width`, each on
    /// `rows` tokens.
    fn ffn(
        &self,
        ops: &mut Vec<Op>,
        layers: C,
        rows: C,
        width: C,
        count: C,
    ) -> Result<(), WorkloadError> {
        let m = self.model;
        let hidden = self.hidden();
        let up_cols = if m.gated_ffn {
            width.mul(C::k(2)).map_err(in_op(OpKind::FfnUp))?
        } else {
            width
        };
        ops.push(self.projection(OpKind::FfnUp, layers, rows, up_cols, hidden, count)?);
        let act_ops = match m.activation {
            Activation::Silu => 4,
            Activation::Gelu => 8,
            Activation::Relu => 1,
            Activation::Relu2 => 2,
        } + u64::from(m.gated_ffn);
        let act_elements = rows
            .mul(count)
            .and_then(|r| r.mul(width))
            .map_err(in_op(OpKind::FfnAct))?;
        ops.push(self.vector(OpKind::FfnAct, layers, act_elements, act_ops)?);
        ops.push(self.projection(OpKind::FfnDown, layers, rows, hidden, width, count)?);
        Ok(())
    }
}
