//! The mapper: one operator (one repetition) on one architecture -> cycles, DRAM bytes and
//! dynamic energy.
//!
//! Matrix products go to the family's machine ([`crate::family::Machine::gemm`]: tiles over the
//! cores from its fast tile model), or to the architecture's fallback unit
//! ([`crate::fallback`]) when the machine cannot run their formats; vector ops to the per-core
//! vector units. The memory system
//! ([`crate::memory`]) adds the DRAM traffic. On its own, an op takes
//! `latency + X/n + (n-1) * max(C/n, X/n) + C/n` cycles for `n` double-buffer chunks, compute
//! `C` and transfer `X` at the sustained bandwidth; the excess over `C` is stall. That is the
//! op's time under the sequential schedule; [`crate::schedule`] places ops against each other.

use lutforge_workloads::{GemmOperand, Op, OpKind, OpShape};

use crate::arch::Arch;
use crate::energy::{EnergyBreakdown, EnergyModel};
use crate::error::SimError;
use crate::family::{ArrayCost, GemmJob};
use crate::memory;
use crate::schedule::overlapped::OpTiming;
use crate::support;

/// Which unit executes an op.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Unit {
    /// The family's matrix unit.
    Matrix,
    /// The vector unit.
    Vector,
    /// The vector unit, running a matrix product the matrix unit cannot (see [`crate::fallback`]).
    FallbackVector,
    /// The fp16 MAC side array (see [`crate::fallback`]).
    FallbackMac,
    /// A named engine of a dataflow family ([`crate::dataflow`]).
    Engine(&'static str),
}

impl Unit {
    /// `matrix` or `vector`, as in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Unit::Matrix => "matrix",
            Unit::Vector => "vector",
            Unit::FallbackVector => "fallback-vector",
            Unit::FallbackMac => "fallback-mac",
            Unit::Engine(name) => name,
        }
    }

    /// Whether the unit runs a matrix product the matrix unit cannot ([`crate::fallback`]).
    pub fn is_fallback(self) -> bool {
        matches!(self, Unit::FallbackVector | Unit::FallbackMac)
    }

    /// Whether the unit is the vector unit (the scheduler's second resource).
    pub fn is_vector(self) -> bool {
        matches!(self, Unit::Vector | Unit::FallbackVector)
    }
}

/// The cost of one repetition of an op.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct OpCost {
    /// Executing unit.
    pub unit: Unit,
    /// Cycles the unit computes, across all cores in parallel.
    pub compute_cycles: u64,
    /// Cycles the DRAM transfer takes at the sustained bandwidth (latency excluded).
    pub transfer_cycles: u64,
    /// First-byte latency of the op's DRAM requests, cycles (0 without traffic).
    pub latency_cycles: u64,
    /// Double-buffer chunks the traffic is cut into.
    pub chunks: u64,
    /// Some inputs are spilled activations the producer writes to DRAM.
    pub spilled_inputs: bool,
    /// Cycles from start to finish of the op on its own (the sequential schedule).
    pub total_cycles: u64,
    /// `total_cycles - compute_cycles`: cycles the unit waits for memory.
    pub stall_cycles: u64,
    /// Bytes moved to and from DRAM.
    pub dram_bytes: u64,
    /// Peak arithmetic rate of the executing unit for this op's precision, FLOP per cycle.
    pub peak_flops_per_cycle: f64,
    /// Dynamic energy spent.
    pub energy: EnergyBreakdown,
}

impl OpCost {
    /// What the overlapped scheduler needs of this op.
    pub fn timing(&self, kind: OpKind) -> OpTiming {
        OpTiming {
            compute_cycles: self.compute_cycles,
            transfer_cycles: self.transfer_cycles,
            latency_cycles: self.latency_cycles,
            chunks: self.chunks,
            vector: self.unit.is_vector(),
            elementwise: elementwise(kind),
            prefetchable: !self.spilled_inputs,
        }
    }
}

/// Ops that work element by element on their producer's output, so they can run on its output
/// chunks as they finish (norms and softmax reduce over a row and must wait).
pub fn elementwise(kind: OpKind) -> bool {
    matches!(
        kind,
        OpKind::Rope | OpKind::KvWrite | OpKind::Residual | OpKind::FfnAct
    )
}

/// Largest arithmetic work of one op the mapper costs: families' cycle and event counts are
/// at most a small multiple of it (16 bit planes, one lane), so every count stays below 2^62.
pub const MAX_OP_FLOPS: u64 = 1 << 58;

/// Largest cycle count of one op or of a whole run: far from u64's limit, so sums of a few
/// stay exact.
pub const MAX_CYCLES: u64 = 1 << 62;

/// Bits per byte.
const BITS_PER_BYTE: f64 = 8.0;
/// Picojoules per joule.
const PJ_PER_J: f64 = 1e12;

/// The error of an op whose totals are too large to cost: `<op> <what>; use a smaller ...`.
pub fn op_too_large(arch: &Arch, op: &Op, what: impl std::fmt::Display) -> SimError {
    SimError::TooLarge {
        arch: arch.name.clone(),
        message: format!(
            "{} {what}; use a smaller batch, context or model",
            op.kind.as_str()
        ),
    }
}

/// Refuses an op of more than [`MAX_OP_FLOPS`] operations in one layer (every family's cost
/// model starts with this check).
pub fn check_op_flops(arch: &Arch, op: &Op) -> Result<(), SimError> {
    if op.flops > MAX_OP_FLOPS {
        return Err(op_too_large(
            arch,
            op,
            format!("does {} operations in one layer, above 2^58", op.flops),
        ));
    }
    Ok(())
}

/// Refuses an op that takes [`MAX_CYCLES`] or more.
pub fn check_op_cycles(arch: &Arch, op: &Op, cycles: u64) -> Result<(), SimError> {
    if cycles >= MAX_CYCLES {
        return Err(op_too_large(arch, op, "takes more than 2^62 cycles"));
    }
    Ok(())
}

/// Costs one repetition of `op` on `arch`.
pub fn map_op(arch: &Arch, op: &Op) -> Result<OpCost, SimError> {
    let energy = EnergyModel::at_node(arch.tech_node_nm);
    let too_large = |what: String| op_too_large(arch, op, what);
    check_op_flops(arch, op)?;
    match op.shape {
        OpShape::Vector {
            elements,
            ops_per_element,
        } => {
            let layout = match (op.kind, op.kv) {
                (OpKind::KvWrite, Some(kv))
                    if !arch.attention.on_fallback && support::kv_problem(arch, kv).is_none() =>
                {
                    arch.machine.kv_layout_ops_per_element(kv)
                }
                _ => 0,
            };
            let ops = elements
                .checked_mul(ops_per_element + layout)
                .filter(|ops| *ops <= MAX_OP_FLOPS)
                .ok_or_else(|| too_large("has more than 2^58 vector operations".into()))?;
            vector_op(arch, op, &energy, ops)
        }
        OpShape::Gemm {
            m,
            n,
            k,
            count,
            operand,
            act,
            scale_group,
        } => {
            let job = GemmJob {
                m,
                n,
                k,
                count,
                operand,
                act,
                scale_group,
            };
            match support::fallback_reason(arch, operand, act, scale_group) {
                None => {
                    let array = with_scales(arch, &job, &energy, arch.machine.gemm(arch, &job, &energy));
                    finish(arch, op, &energy, Unit::Matrix, array)
                }
                Some(p) if !arch.fallback.exists() => Err(SimError::Unsupported {
                    arch: arch.name.clone(),
                    message: format!(
                        "{} cannot run: {p}, and the architecture declares no fallback unit ([fallback] unit = \"none\")",
                        op.kind.as_str()
                    ),
                }),
                Some(_) => {
                    let unit = if arch.fallback.on_vector_unit() {
                        Unit::FallbackVector
                    } else {
                        Unit::FallbackMac
                    };
                    let array = arch.fallback.gemm(arch, &job, &energy);
                    finish(arch, op, &energy, unit, array)
                }
            }
        }
    }
}

/// Adds the application of the weight scales to a matrix unit's cost. The array produces
/// integer partial sums, one per output and scale group (one per output with per-channel
/// scales); the output stage on the vector unit multiplies each by its fp16 scale and, with
/// groups, adds it into an fp32 accumulator: 1 or 2 operations per partial sum. It works on the
/// array's results as they drain, so the op takes the longer of the two.
fn with_scales(arch: &Arch, job: &GemmJob, e: &EnergyModel, array: ArrayCost) -> ArrayCost {
    let quantized = matches!(job.operand, GemmOperand::Weights(w) if w.is_quantized());
    if !quantized {
        return array;
    }
    let outputs = job.m * job.n * job.count;
    let ops = match job.scale_group {
        Some(group) => outputs * job.k.div_ceil(group.max(1)) * 2,
        None => outputs,
    };
    let lanes = arch.vector_lanes();
    let mut energy_pj = array.energy_pj;
    energy_pj.vector_j += ops as f64 * e.vector_op_pj();
    ArrayCost {
        compute_cycles: array.compute_cycles.max(ops.div_ceil(lanes)),
        energy_pj,
        ..array
    }
}

fn vector_op(arch: &Arch, op: &Op, e: &EnergyModel, ops: u64) -> Result<OpCost, SimError> {
    let lanes = arch.vector_lanes();
    let act_pj = e.sram_pj_per_bit(arch.buffers.activation_bytes);
    let array = ArrayCost {
        compute_cycles: ops.div_ceil(lanes),
        peak_flops_per_cycle: lanes as f64,
        energy_pj: EnergyBreakdown {
            vector_j: ops as f64 * e.vector_op_pj(),
            sram_j: (op.act_read_bytes + op.act_write_bytes) as f64 * BITS_PER_BYTE * act_pj,
            ..EnergyBreakdown::default()
        },
    };
    finish(arch, op, e, Unit::Vector, array)
}

/// Adds the memory system to an array cost: DRAM traffic, double-buffered overlap, energy.
fn finish(
    arch: &Arch,
    op: &Op,
    e: &EnergyModel,
    unit: Unit,
    array: ArrayCost,
) -> Result<OpCost, SimError> {
    let traffic = memory::traffic(arch, op);
    let dram_bytes = traffic.dram_bytes;
    let too_large = |what: &str| {
        SimError::TooLarge {
        arch: arch.name.clone(),
        message: format!(
            "{}: {what} exceed 2^62 cycles at dram.bandwidth_gbytes_per_s = {}; use a smaller workload or more bandwidth",
            op.kind.as_str(),
            arch.dram.peak_bytes_per_s / 1e9
        ),
    }
    };
    let transfer_cycles =
        memory::transfer_cycles(arch, dram_bytes).ok_or_else(|| too_large("its DRAM transfers"))?;
    if array.compute_cycles >= MAX_CYCLES {
        return Err(too_large("its compute cycles"));
    }
    let latency_cycles = if dram_bytes == 0 {
        0
    } else {
        memory::latency_cycles(arch)
    };
    let n = traffic.chunks as f64;
    let (c, x) = (array.compute_cycles as f64 / n, transfer_cycles as f64 / n);
    let overlapped = (x + (n - 1.0) * c.max(x) + c).ceil() as u64;
    let total_cycles = latency_cycles + overlapped.max(array.compute_cycles).max(transfer_cycles);

    let mut energy_pj = array.energy_pj;
    energy_pj.dram_j += dram_bytes as f64 * BITS_PER_BYTE * arch.dram.energy_pj_per_bit;
    // Every byte from DRAM is written into an on-chip buffer once.
    energy_pj.sram_j +=
        dram_bytes as f64 * BITS_PER_BYTE * e.sram_pj_per_bit(arch.buffers.weight_bytes);
    let mut energy = EnergyBreakdown::default();
    energy.add_scaled(&energy_pj, 1.0 / PJ_PER_J);
    Ok(OpCost {
        unit,
        compute_cycles: array.compute_cycles,
        transfer_cycles,
        latency_cycles,
        chunks: traffic.chunks,
        spilled_inputs: traffic.spilled_inputs,
        total_cycles,
        stall_cycles: total_cycles - array.compute_cycles,
        dram_bytes,
        peak_flops_per_cycle: array.peak_flops_per_cycle,
        energy,
    })
}
