//! The dequantize-then-multiply MAC tensor-core parameters (`[mac]`), validated.

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
            tile_m: check.in_range("mac.tile_m", raw.tile_m, 1, 256)? as u32,
            tile_n: check.in_range("mac.tile_n", raw.tile_n, 1, 1024)? as u32,
            tile_k: check.in_range("mac.tile_k", raw.tile_k, 1, 256)? as u32,
            mult_bits: check.in_range("mac.mult_bits", raw.mult_bits, 4, 16)? as u32,
            acc_bits: check.in_range("mac.acc_bits", raw.acc_bits, 8, 64)? as u32,
            pipeline_cycles: check.in_range("mac.pipeline_cycles", raw.pipeline_cycles, 1, 64)?
                as u32,
        })
    }
}
