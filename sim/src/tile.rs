//! What every tile family's stepped model shares: the checks of one tile command's operands
//! (weight width, `k_chunks`, operand shapes and value ranges) with their errors, and what a
//! stepped run of one tile produces.

use thiserror::Error;

use crate::reduction::K_CHUNKS_BITS;

/// Tile operands a tile cannot process, whatever its family.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum OperandError {
    /// `weight_bits` outside `1..=max`.
    #[error("weight_bits {weight_bits} is outside 1..={max}")]
    WeightBits {
        /// Requested width.
        weight_bits: u32,
        /// The widest weight the array takes.
        max: u32,
    },
    /// `k_chunks` outside `1..=65535`.
    #[error("k_chunks {k_chunks} is outside 1..=65535")]
    KChunks {
        /// Requested chunk count.
        k_chunks: u64,
    },
    /// An operand vector has the wrong length.
    #[error("{what} has {got} values, expected {expected}")]
    Shape {
        /// Which operand.
        what: &'static str,
        /// Values supplied.
        got: usize,
        /// Values expected.
        expected: usize,
    },
    /// An operand does not fit its width.
    #[error("{what} value {value} at index {index} does not fit {bits} signed bits")]
    Range {
        /// Which operand.
        what: &'static str,
        /// Position in the operand vector.
        index: usize,
        /// The value.
        value: i64,
        /// The width it must fit.
        bits: u32,
    },
}

/// `weight_bits` must lie in `1..=max`.
pub fn check_weight_bits(weight_bits: u32, max: u32) -> Result<(), OperandError> {
    if weight_bits == 0 || weight_bits > max {
        return Err(OperandError::WeightBits { weight_bits, max });
    }
    Ok(())
}

/// `k_chunks` must lie in `1..=65535` (the `cmd` field, [`K_CHUNKS_BITS`] bits).
pub fn check_k_chunks(k_chunks: u64) -> Result<(), OperandError> {
    if k_chunks == 0 || k_chunks >= 1 << K_CHUNKS_BITS {
        return Err(OperandError::KChunks { k_chunks });
    }
    Ok(())
}

/// The activations (`tile_m x K`) and the weights (`K x tile_n`) must have their lengths,
/// checked in that order.
pub fn check_shapes(
    activations: &[i64],
    weights: &[i64],
    tile_m: u32,
    tile_n: u32,
    k: usize,
) -> Result<(), OperandError> {
    let shapes = [
        ("activations", activations.len(), tile_m as usize * k),
        ("weights", weights.len(), k * tile_n as usize),
    ];
    for (what, got, expected) in shapes {
        if got != expected {
            return Err(OperandError::Shape {
                what,
                got,
                expected,
            });
        }
    }
    Ok(())
}

/// Whether `v` lies outside the `bits`-bit signed range (branch-free, so scans vectorize).
#[inline(always)]
pub fn out_of_range(v: i64, bits: u32) -> bool {
    v.wrapping_add(1i64 << (bits - 1)) as u64 > (1u64 << bits) - 1
}

/// The first value of `values` that does not fit `bits` signed bits, as an error.
pub fn check_range(what: &'static str, values: &[i64], bits: u32) -> Result<(), OperandError> {
    if !values
        .iter()
        .fold(false, |bad, &v| bad | out_of_range(v, bits))
    {
        return Ok(());
    }
    match values
        .iter()
        .enumerate()
        .find(|(_, &v)| out_of_range(v, bits))
    {
        Some((index, &value)) => Err(OperandError::Range {
            what,
            index,
            value,
            bits,
        }),
        None => Ok(()),
    }
}

/// What a stepped run of one tile produces (cycles relative to its `cmd` transfer); `E` is
/// the family's event count (the fields of its fast model's cost).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TileRun<E> {
    /// Results, `tile_m x tile_n` row-major, wrapped to `acc_bits` two's complement.
    pub results: Vec<i64>,
    /// Cycles from the `cmd` transfer through the last result transfer, inclusive.
    pub cycles: u64,
    /// Events counted while stepping (same fields as the fast model's cost).
    pub events: E,
    /// Cycle (0 = `cmd` transfer) of every `act` transfer.
    pub act_cycles: Vec<u64>,
    /// Cycle of every `wgt` transfer.
    pub wgt_cycles: Vec<u64>,
    /// Cycle of every `res` transfer (row order).
    pub res_cycles: Vec<u64>,
}
