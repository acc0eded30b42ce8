//! The dequantize-then-multiply MAC tensor-core parameters (`[mac]`), validated.

use lutforge_models::Limit;
use serde::Deserialize;

use crate::arch::Check;
use crate::error::SimError;

/// `[mac]`: a dequantize-then-multiply tensor core.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawMac {
    /// Output rows per tile.
    pub tile_m: u64,
    /// Output columns per tile.
    pub tile_n: u64,
    /// Dot-product depth each MAC unit reduces per cycle.
    pub tile_k: u64,
    /// Multiplier input width, bits (weights are dequantized to it).
    pub mult_bits: u64,
    /// Accumulator width, bits.
    pub acc_bits: u64,
    /// Pipeline depth of the MAC tree, cycles.
    pub pipeline_cycles: u64,
}

impl RawMac {
    /// Range of every numeric `[mac]` field.
    pub const LIMITS: &'static [(&'static str, Limit)] = &[
        ("tile_m", Limit::new(1.0, 256.0, "rows", "")),
        ("tile_n", Limit::new(1.0, 1024.0, "columns", "")),
        ("tile_k", Limit::new(1.0, 256.0, "products", "")),
        ("mult_bits", Limit::new(4.0, 16.0, "bits", "")),
        ("acc_bits", Limit::new(8.0, 64.0, "bits", "")),
        ("pipeline_cycles", Limit::new(1.0, 64.0, "cycles", "")),
    ];
}

/// A validated MAC array: `tile_m` x `tile_n` dot-product units, each reducing `tile_k` products of
/// `mult_bits`-wide operands per cycle. Weights are dequantized to `mult_bits` before multiplying.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct MacArray {
    /// Output rows per tile, 1..=256.
    pub tile_m: u32,
    /// Output columns per tile, 1..=1024.
    pub tile_n: u32,
    /// Products reduced per unit per cycle, 1..=256.
    pub tile_k: u32,
    /// Multiplier operand width, 4..=16 bits.
    pub mult_bits: u32,
    /// Accumulator width, 8..=64 bits.
    pub acc_bits: u32,
    /// Pipeline depth of the dequantize + multiply + adder tree, 1..=64 cycles.
    pub pipeline_cycles: u32,
}

impl MacArray {
    /// Validates a `[mac]` section.
    pub fn from_raw(raw: &RawMac, check: &Check) -> Result<MacArray, SimError> {
        Ok(MacArray {
            tile_m: check.limited_u64(RawMac::LIMITS, "mac", "tile_m", raw.tile_m)? as u32,
            tile_n: check.limited_u64(RawMac::LIMITS, "mac", "tile_n", raw.tile_n)? as u32,
            tile_k: check.limited_u64(RawMac::LIMITS, "mac", "tile_k", raw.tile_k)? as u32,
            mult_bits: check.limited_u64(RawMac::LIMITS, "mac", "mult_bits", raw.mult_bits)? as u32,
            acc_bits: check.limited_u64(RawMac::LIMITS, "mac", "acc_bits", raw.acc_bits)? as u32,
            pipeline_cycles: check.limited_u64(
                RawMac::LIMITS,
                "mac",
                "pipeline_cycles",
                raw.pipeline_cycles,
            )? as u32,
        })
    }
}
