//! On-chip buffers, the vector unit and DRAM, validated.

use super::raw::{RawBuffers, RawDram, RawVector};
use super::Check;
use crate::error::SimError;

/// Per-core SRAM buffers, bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Buffers {
    /// Activation buffer.
    pub activation_bytes: u64,
    /// Weight buffer (both halves of the double buffer).
    pub weight_bytes: u64,
    /// Output buffer.
    pub output_bytes: u64,
    /// Table buffer, for LUT arrays.
    pub table_bytes: Option<u64>,
}

impl Buffers {
    pub(crate) fn from_raw(raw: &RawBuffers, check: &Check) -> Result<Buffers, SimError> {
        let kib = |field: &str, v: u64| -> Result<u64, SimError> {
            Ok(check.in_range(field, v, 1, 1 << 20)? * 1024)
        };
        Ok(Buffers {
            activation_bytes: kib("buffers.activation_kib", raw.activation_kib)?,
            weight_bytes: kib("buffers.weight_kib", raw.weight_kib)?,
            output_bytes: kib("buffers.output_kib", raw.output_kib)?,
            table_bytes: raw
                .table_kib
                .map(|v| kib("buffers.table_kib", v))
                .transpose()?,
        })
    }
}

/// The vector unit of one core.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct VectorUnit {
    /// FP16 operations per cycle, a power of two up to 4096.
    pub lanes: u32,
}

impl VectorUnit {
    pub(crate) fn from_raw(raw: &RawVector, check: &Check) -> Result<VectorUnit, SimError> {
        let lanes = check.in_range("vector.lanes", raw.lanes, 1, 4096)?;
        Ok(VectorUnit {
            lanes: check.power_of_two("vector.lanes", lanes)? as u32,
        })
    }
}

/// Off-chip memory shared by all cores.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Dram {
    /// Peak bandwidth, bytes per second.
    pub bytes_per_s: f64,
    /// First-byte latency of a transfer, seconds.
    pub latency_s: f64,
    /// Energy per bit moved, pJ.
    pub energy_pj_per_bit: f64,
}

impl Dram {
    pub(crate) fn from_raw(raw: &RawDram, check: &Check) -> Result<Dram, SimError> {
        Ok(Dram {
            bytes_per_s: check
                .positive_f64("dram.bandwidth_gbytes_per_s", raw.bandwidth_gbytes_per_s)?
                * 1e9,
            latency_s: check.non_negative_f64("dram.latency_ns", raw.latency_ns)? * 1e-9,
            energy_pj_per_bit: check
                .non_negative_f64("dram.energy_pj_per_bit", raw.energy_pj_per_bit)?,
        })
    }
}
