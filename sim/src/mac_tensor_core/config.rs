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
    /// Activation format: `int` (`mult_bits`-bit integer multipliers; the default) or `fp16`
    /// (weight codes converted to FP16, FP16 multipliers, FP32 adder tree and accumulator;
    /// needs `mult_bits = 16` and `acc_bits = 32`).
    #[serde(default)]
    pub act_format: Option<String>,
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

/// The multiplier datapath of a MAC array (`mac.act_format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MacActMode {
    /// `mult_bits`-bit two's complement integer multipliers and an integer tree that wraps.
    Int,
    /// Weight codes (up to [`FP_MAX_CODE_BITS`] bits) converted exactly to FP16, FP16 x FP16
    /// products (exact in FP32), FP32 adder tree and accumulator.
    Fp16,
}

impl MacActMode {
    /// The spelling used in architecture files.
    pub fn as_str(self) -> &'static str {
        match self {
            MacActMode::Int => "int",
            MacActMode::Fp16 => "fp16",
        }
    }
}

/// Multiplier operand width of the fp16 mode (FP16), bits.
pub const FP_MULT_BITS: u32 = 16;

/// Accumulator width of the fp16 mode (FP32), bits; also the width of its products and sums.
pub const FP_ACC_BITS: u32 = 32;

/// Widest integer weight code the fp16 mode's dequantizer converts, bits: every integer of up
/// to 11 bits is exact in FP16 (11-bit significand); 8 covers INT2..INT8, ternary and binary.
pub const FP_MAX_CODE_BITS: u32 = 8;

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
    /// Integer or FP16 multiplier datapath.
    pub act_format: MacActMode,
}

impl MacArray {
    /// Validates a `[mac]` section.
    pub fn from_raw(raw: &RawMac, check: &Check) -> Result<MacArray, SimError> {
        let file = check.file;
        let array = MacArray {
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
            act_format: match raw.act_format.as_deref().unwrap_or("int") {
                "int" => MacActMode::Int,
                "fp16" => MacActMode::Fp16,
                other => {
                    return Err(SimError::invalid(
                        file,
                        "mac.act_format",
                        format!("\"{other}\""),
                        "must be \"int\" or \"fp16\"",
                    ))
                }
            },
        };
        if array.act_format == MacActMode::Fp16 {
            if array.mult_bits != FP_MULT_BITS {
                return Err(SimError::invalid(
                    file,
                    "mac.mult_bits",
                    array.mult_bits,
                    format!(
                        "must be {FP_MULT_BITS} with mac.act_format = \"fp16\" (FP16 multipliers)"
                    ),
                ));
            }
            if array.acc_bits != FP_ACC_BITS {
                return Err(SimError::invalid(
                    file,
                    "mac.acc_bits",
                    array.acc_bits,
                    format!(
                        "must be {FP_ACC_BITS} with mac.act_format = \"fp16\" (FP32 accumulation)"
                    ),
                ));
            }
        }
        Ok(array)
    }

    /// Whether the array multiplies in FP16 (`mac.act_format = "fp16"`).
    pub fn is_fp(&self) -> bool {
        self.act_format == MacActMode::Fp16
    }
}
