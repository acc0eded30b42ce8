//! Inference scenarios lowered to operator lists: prefill and decode phases, batching, KV cache,
//! GQA, MoE routing, speculative decoding and shared prompt prefixes; FLOPs and bytes per op.
//!
//! Knows nothing about hardware: an [`Op`] says what must be computed and moved, never how long
//! it takes.
//!
//! Entry points: [`Workload::new`] (validated: every parameter within its declared range, see
//! [`Workload::LIMITS`], and every count of the run within 64 bits), [`Workload::steps`],
//! [`try_lower_step`] (checked) and [`lower_step`] (for steps of a validated workload).

pub mod error;
pub mod footprint;
pub mod lower;
pub mod op;
pub mod options;
pub mod scenario;

pub use error::WorkloadError;
pub use footprint::{
    kv_bytes_per_token, kv_cache_bytes, kv_layer_kinds, linear_weight_bytes, model_weight_bytes,
    Footprint, KvLayerKind,
};
pub use lower::{attention_groups, ffn_groups, AttentionGroup, FfnGroup};
pub use lower::{lower_step, try_lower_step, Step, StepKind};
pub use op::{GemmOperand, Op, OpKind, OpShape, Phase};
pub use options::{LoweringOptions, MlaDecode, MoeRouting};
pub use scenario::{Speculative, Workload};
