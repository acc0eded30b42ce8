//! How an architecture runs attention (`[attention]`): on which unit its two matrix products
//! (scores `Q K^T` and `P V`) run, and whether they are fused.
//!
//! * `unit = "matrix"` (the default): on the family's matrix unit, with the KV cache as the
//!   low-precision operand. A bit-serial array needs the cache in bit-plane layout, so every new
//!   K and V entry is transposed into its planes as it is written; the machine says what that
//!   costs ([`crate::family::Machine::kv_layout_ops_per_element`]), charged to the KV write.
//! * `unit = "fallback"`: on the architecture's fallback unit ([`crate::fallback`]), which reads
//!   the cache row-major.
//! * `fused = true`: FlashAttention-style tiling (Dao et al., "FlashAttention", NeurIPS 2022):
//!   the score and probability matrices never leave the chip; the cache is streamed once per
//!   block of query rows whose output accumulators fit one core's activation buffer.

use crate::arch::raw::RawAttention;
use crate::arch::Check;
use crate::error::SimError;

/// The validated `[attention]` section.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Attention {
    /// The products run on the fallback unit rather than the matrix unit.
    pub on_fallback: bool,
    /// Scores and probabilities stay on chip.
    pub fused: bool,
}

impl Attention {
    /// Validates an optional `[attention]` section.
    pub fn from_raw(raw: Option<&RawAttention>, check: &Check) -> Result<Attention, SimError> {
        let Some(raw) = raw else {
            return Ok(Attention::default());
        };
        let on_fallback = match raw.unit.as_deref() {
            None | Some("matrix") => false,
            Some("fallback") => true,
            Some(other) => {
                return Err(SimError::invalid(
                    check.file,
                    "attention.unit",
                    format!("\"{other}\""),
                    "must be \"matrix\" or \"fallback\"",
                ))
            }
        };
        Ok(Attention {
            on_fallback,
            fused: raw.fused.unwrap_or(false),
        })
    }
}
