//! One operator of a lowered workload: its shape, precisions, FLOPs and bytes moved.

use lutforge_models::{ActFormat, KvFormat, WeightFormat};

/// Which phase of inference an op belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Phase {
    /// Processing the prompt; ends with the first generated token.
    Prefill,
    /// Generating one token per sequence per step.
    Decode,
}

impl Phase {
    /// Lower-case name used in tables and reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Phase::Prefill => "prefill",
            Phase::Decode => "decode",
        }
    }
}

/// What an op computes, for grouping in reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum OpKind {
    /// Token (and learned position) embedding gather.
    Embedding,
    /// RMSNorm or LayerNorm.
    Norm,
    /// Fused Q, K, V projection (for MLA, the fused down-projections of the hidden stream).
    QkvProj,
    /// MLA query up-projection from its compression (`q_b_proj`).
    QUpProj,
    /// Rotary position embedding on Q and K.
    Rope,
    /// Quantize and append new K and V (for MLA, the latent) to the cache.
    KvWrite,
    /// MLA key/value up-projection (`kv_b_proj`): of the cached latents (expanded form), or
    /// absorbed into the queries and the attention output (absorbed form).
    KvUpProj,
    /// Q x K^T against the cache.
    AttnScore,
    /// Softmax over attention scores.
    Softmax,
    /// Scores x V against the cache.
    AttnValue,
    /// Attention output projection.
    OProj,
    /// Residual addition.
    Residual,
    /// MoE router (gating) scores and top-k.
    Router,
    /// FFN gate and up projections (up only when not gated).
    FfnUp,
    /// FFN non-linearity (and gating product).
    FfnAct,
    /// FFN down projection.
    FfnDown,
    /// Final LM head (logits).
    LmHead,
}

impl OpKind {
    /// Snake-case name used in tables and reports.
    pub fn as_str(self) -> &'static str {
        match self {
            OpKind::Embedding => "embedding",
            OpKind::Norm => "norm",
            OpKind::QkvProj => "qkv_proj",
            OpKind::QUpProj => "q_up_proj",
            OpKind::Rope => "rope",
            OpKind::KvWrite => "kv_write",
            OpKind::KvUpProj => "kv_up_proj",
            OpKind::AttnScore => "attn_score",
            OpKind::Softmax => "softmax",
            OpKind::AttnValue => "attn_value",
            OpKind::OProj => "o_proj",
            OpKind::Residual => "residual",
            OpKind::Router => "router",
            OpKind::FfnUp => "ffn_up",
            OpKind::FfnAct => "ffn_act",
            OpKind::FfnDown => "ffn_down",
            OpKind::LmHead => "lm_head",
        }
    }

    /// Every kind, in report order.
    pub const ALL: [OpKind; 17] = [
        OpKind::Embedding,
        OpKind::Norm,
        OpKind::QkvProj,
        OpKind::QUpProj,
        OpKind::Rope,
        OpKind::KvWrite,
        OpKind::KvUpProj,
        OpKind::AttnScore,
        OpKind::Softmax,
        OpKind::AttnValue,
        OpKind::OProj,
        OpKind::Residual,
        OpKind::Router,
        OpKind::FfnUp,
        OpKind::FfnAct,
        OpKind::FfnDown,
        OpKind::LmHead,
    ];
}

/// The low-precision operand of a matrix product: static model weights or the KV cache.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum GemmOperand {
    /// Model weights in the given format.
    Weights(WeightFormat),
    /// Keys or values read from the cache in the given format.
    KvCache(KvFormat),
}

impl GemmOperand {
    /// Bit planes a bit-serial array spends on this operand.
    pub fn bit_planes(&self) -> u32 {
        match self {
            GemmOperand::Weights(w) => w.compute_bit_planes(),
            GemmOperand::KvCache(kv) => kv.bits(),
        }
    }
}

/// The work an op does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OpShape {
    /// `count` independent products of (m x k) activations by a (k x n) operand.
    Gemm {
        /// Activation rows (tokens, or query rows of a GQA group).
        m: u64,
        /// Output columns.
        n: u64,
        /// Reduction depth.
        k: u64,
        /// Independent instances (e.g. sequences x KV heads, or active experts).
        count: u64,
        /// The low-precision operand.
        operand: GemmOperand,
        /// Activation format of the (m x k) input.
        act: ActFormat,
        /// Reduction elements sharing one weight scale (`g` of a `g<size>` scheme); `None`
        /// for one scale per output channel, or an unscaled operand.
        scale_group: Option<u64>,
    },
    /// Element-wise or reduction work on the vector unit.
    Vector {
        /// Elements processed.
        elements: u64,
        /// Vector-unit operations per element.
        ops_per_element: u64,
    },
}

/// One operator, repeated `repeat` times identically (e.g. once per decoder layer).
#[derive(Debug, Clone, PartialEq)]
pub struct Op {
    /// What it computes.
    pub kind: OpKind,
    /// Prefill or decode.
    pub phase: Phase,
    /// Identical repetitions (decoder layers); totals below are for ONE repetition.
    pub repeat: u64,
    /// Shape and precision.
    pub shape: OpShape,
    /// Arithmetic operations (a multiply-add counts 2).
    pub flops: u64,
    /// Bytes of static weights read.
    pub weight_bytes: u64,
    /// Bytes of KV cache read.
    pub kv_read_bytes: u64,
    /// Bytes of KV cache written.
    pub kv_write_bytes: u64,
    /// Bytes of activations read.
    pub act_read_bytes: u64,
    /// Bytes of activations written.
    pub act_write_bytes: u64,
    /// Format of the KV cache the op writes or reads (KV write and the attention products).
    pub kv: Option<KvFormat>,
}

impl Op {
    /// All bytes this op moves (one repetition).
    pub fn total_bytes(&self) -> u64 {
        self.weight_bytes
            + self.kv_read_bytes
            + self.kv_write_bytes
            + self.act_read_bytes
            + self.act_write_bytes
    }
}

#[cfg(test)]
mod tests {
    use super::{OpKind, Phase};

    /// The engine indexes per-kind totals by `kind as usize` and `phase as usize`.
    #[test]
    fn kinds_and_phases_are_numbered_in_report_order() {
        for (i, kind) in OpKind::ALL.into_iter().enumerate() {
            assert_eq!(kind as usize, i, "{kind:?}");
        }
        assert_eq!((Phase::Prefill as usize, Phase::Decode as usize), (0, 1));
    }
}
