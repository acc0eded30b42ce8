//! The fallback unit: where a matrix product goes when the family's matrix unit cannot run its
//! formats (an fp16 LM head on a LUT array has no bit planes; an 8-bit KV cache exceeds a 4-bit
//! array), declared by the architecture's `[fallback]` section and costed as that unit, never by
//! re-quantizing the op.
//!
//! * `vector` (the default): the cores' vector units, one fp16 operation per lane per cycle. A
//!   multiply-add is two operations; a quantized operand (weights or KV entries) is first
//!   dequantized to fp16 at one multiply by its scale per element read (for VQ weights, the
//!   element's centroid coordinate is read from the codebook and scaled, costed the same).
//! * `fp16_mac`: a side array of `macs_per_cycle` fp16 multiply-adds per core, fed by a
//!   dequantizer that keeps pace (one fp16 multiply per quantized element, energy only). It
//!   occupies the matrix unit's slot in the schedule (it shares the matrix unit's operand
//!   buffers), so it never overlaps a matrix op.
//! * `none`: such ops make the run fail with an error naming the op and the format.
//!
//! Operands and activations are read at their exact storage width per element
//! ([`WeightFormat::storage_bits`], [`lutforge_models::ActFormat::storage_bits`]): a VQ operand
//! at log2(C)/L bits of index per element, as stored; VQ activations are decoded to their
//! centroids like any quantized activation, at no arithmetic cost.

use lutforge_models::{Limit, WeightFormat};
use lutforge_workloads::GemmOperand;

use crate::arch::raw::RawFallback;
use crate::arch::{Arch, Check};
use crate::energy::area::AreaModel;
use crate::energy::{EnergyBreakdown, EnergyModel};
use crate::error::SimError;
use crate::family::{ArrayCost, GemmJob};

/// Bits of an fp16 value.
const FP16_BITS: u32 = 16;

/// Bits of the fp32 accumulator register of each `fp16_mac` unit.
const ACC_BITS: u64 = 32;

/// The validated `[fallback]` section.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Fallback {
    /// The vector units' fp16 lanes.
    Vector,
    /// A side array of fp16 multiply-adds.
    Fp16Mac {
        /// Multiply-adds per cycle per core, 1..=65536.
        macs_per_cycle: u32,
    },
    /// No fallback: ops the matrix unit cannot run are errors.
    None,
}

impl Fallback {
    /// Validates an optional `[fallback]` section (absent: the vector unit).
    pub fn from_raw(raw: Option<&RawFallback>, check: &Check) -> Result<Fallback, SimError> {
        let Some(raw) = raw else {
            return Ok(Fallback::Vector);
        };
        let extra = |unit: &str| {
            SimError::invalid(
                check.file,
                "fallback.macs_per_cycle",
                raw.macs_per_cycle.unwrap_or(0),
                format!("only the fp16_mac fallback has MACs; unit is \"{unit}\""),
            )
        };
        match raw.unit.as_str() {
            "vector" if raw.macs_per_cycle.is_none() => Ok(Fallback::Vector),
            "none" if raw.macs_per_cycle.is_none() => Ok(Fallback::None),
            unit @ ("vector" | "none") => Err(extra(unit)),
            "fp16_mac" => {
                let macs = raw.macs_per_cycle.ok_or_else(|| {
                    SimError::invalid(
                        check.file,
                        "fallback.macs_per_cycle",
                        "missing",
                        "the fp16_mac fallback needs its MACs per cycle per core",
                    )
                })?;
                let macs =
                    check.limited_u64(RawFallback::LIMITS, "fallback", "macs_per_cycle", macs)?;
                Ok(Fallback::Fp16Mac {
                    macs_per_cycle: macs as u32,
                })
            }
            other => Err(SimError::invalid(
                check.file,
                "fallback.unit",
                format!("\"{other}\""),
                "must be \"vector\", \"fp16_mac\" or \"none\"",
            )),
        }
    }

    /// The range of each numeric `[fallback]` field (for `lutforge list`).
    pub fn limits() -> &'static [(&'static str, Limit)] {
        RawFallback::LIMITS
    }

    /// Whether there is a unit at all.
    pub fn exists(&self) -> bool {
        *self != Fallback::None
    }

    /// Whether the fallback runs on the vector unit (so the scheduler places it there).
    pub fn on_vector_unit(&self) -> bool {
        *self == Fallback::Vector
    }

    /// How reports and notes name the unit.
    pub fn describe(&self, arch: &Arch) -> String {
        match self {
            Fallback::Vector => format!(
                "the fallback vector unit ({} fp16 lanes per core)",
                arch.vector.lanes
            ),
            Fallback::Fp16Mac { macs_per_cycle } => {
                format!("the fallback fp16 MAC array ({macs_per_cycle} MACs per cycle per core)")
            }
            Fallback::None => "no fallback unit".into(),
        }
    }

    /// Area of one core's fallback unit, um^2 (the vector unit's is counted as the vector unit).
    pub fn area_um2(&self, a: &AreaModel) -> f64 {
        match self {
            Fallback::Fp16Mac { macs_per_cycle } => {
                f64::from(*macs_per_cycle) * (a.vector_lane_um2() + a.register_um2(ACC_BITS))
            }
            Fallback::Vector | Fallback::None => 0.0,
        }
    }

    /// The cost of `job` on this unit (callers check [`Fallback::exists`] first; `None` costs
    /// nothing and is never asked).
    pub fn gemm(&self, arch: &Arch, job: &GemmJob, e: &EnergyModel) -> ArrayCost {
        let macs = job.m * job.n * job.k * job.count;
        let operand_elements = job.n * job.k * job.count;
        let (quantized, operand_bits) = match job.operand {
            GemmOperand::Weights(w) => (w != WeightFormat::Fp16, w.storage_bits()),
            GemmOperand::KvCache(kv) => (kv.bits() < FP16_BITS, f64::from(kv.bits())),
        };
        let dequant_ops = if quantized { operand_elements } else { 0 };
        let sram = |elements: u64, bits: f64, bytes: u64| {
            elements as f64 * bits * e.sram_pj_per_bit(bytes)
        };
        let b = &arch.buffers;
        let sram_j = sram(operand_elements, operand_bits, b.weight_bytes)
            + sram(
                job.m * job.k * job.count,
                job.act.storage_bits(),
                b.activation_bytes,
            )
            + sram(
                job.m * job.n * job.count,
                f64::from(FP16_BITS),
                b.output_bytes,
            );
        let cores = arch.cores;
        let (compute_cycles, peak, arithmetic_pj) = match *self {
            Fallback::Fp16Mac { macs_per_cycle } => {
                let per_cycle = cores * u64::from(macs_per_cycle);
                (
                    macs.div_ceil(per_cycle),
                    2.0 * per_cycle as f64,
                    macs as f64 * (e.fp16_mult_pj() + e.fp16_add_pj())
                        + dequant_ops as f64 * e.fp16_mult_pj(),
                )
            }
            Fallback::Vector | Fallback::None => {
                let lanes = arch.vector_lanes();
                let ops = 2 * macs + dequant_ops;
                (
                    ops.div_ceil(lanes),
                    lanes as f64,
                    ops as f64 * e.vector_op_pj(),
                )
            }
        };
        let mut energy_pj = EnergyBreakdown {
            sram_j,
            ..EnergyBreakdown::default()
        };
        if self.on_vector_unit() {
            energy_pj.vector_j = arithmetic_pj;
        } else {
            energy_pj.add_j = arithmetic_pj;
        }
        ArrayCost {
            compute_cycles,
            peak_flops_per_cycle: peak,
            energy_pj,
        }
    }
}
