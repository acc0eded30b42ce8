//! The mapper: one operator (one repetition) on one architecture -> cycles, DRAM bytes and
//! energy.
//!
//! Matrix products are cut into output tiles spread evenly over the cores; each tile's cycles
//! and events come from the array's fast tile model. Weights (or KV entries) stream from DRAM
//! through the double-buffered weight buffers in chunks of `cores x weight_bytes / 2`; compute
//! on one chunk overlaps the transfer of the next, so an op takes
//! `latency + X/n + (n-1) * max(C/n, X/n) + C/n` cycles for `n` chunks, compute `C` and transfer
//! `X`; the excess over `C` is stall. Activations stay on chip when they fit one core's
//! activation buffer; otherwise the mapper picks the cheaper loop order (re-read activations per
//! weight chunk, or weights per activation block). Ops run one after another: no op's transfer
//! overlaps another op's compute.

use lutforge_workloads::{GemmOperand, Op, OpShape};

use crate::arch::{Arch, LutArray, MacArray, MatrixUnit};
use crate::energy::{EnergyBreakdown, EnergyModel};
use crate::error::SimError;
use crate::lut_tile;
use crate::mac_tile;
use crate::support;
use crate::systolic::{gemm_cost, SystolicArray};

/// Which unit executes an op.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Unit {
    /// The matrix array (LUT or MAC).
    Matrix,
    /// The vector unit.
    Vector,
}

/// The cost of one repetition of an op.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct OpCost {
    /// Executing unit.
    pub unit: Unit,
    /// Cycles the unit computes, across all cores in parallel.
    pub compute_cycles: u64,
    /// Cycles the DRAM transfer takes at peak bandwidth (latency excluded).
    pub transfer_cycles: u64,
    /// Cycles from start to finish of the op.
    pub total_cycles: u64,
    /// `total_cycles - compute_cycles`: cycles the unit waits for memory.
    pub stall_cycles: u64,
    /// Bytes moved to and from DRAM.
    pub dram_bytes: u64,
    /// Peak arithmetic rate of the executing unit for this op's precision, FLOP per cycle.
    pub peak_flops_per_cycle: f64,
    /// Energy spent.
    pub energy: EnergyBreakdown,
}

/// Bits per byte.
const BITS_PER_BYTE: f64 = 8.0;
/// Picojoules per joule.
const PJ_PER_J: f64 = 1e12;

/// Costs one repetition of `op` on `arch`.
pub fn map_op(arch: &Arch, op: &Op) -> Result<OpCost, SimError> {
    let energy = EnergyModel::at_node(arch.tech_node_nm);
    match op.shape {
        OpShape::Vector {
            elements,
            ops_per_element,
        } => Ok(vector_op(arch, op, &energy, elements * ops_per_element)),
        OpShape::Gemm {
            m,
            n,
            k,
            count,
            operand,
            act,
        } => {
            if let Some(p) = match operand {
                GemmOperand::Weights(w) => support::weight_problem(arch, w),
                GemmOperand::KvCache(kv) => support::kv_problem(arch, kv),
            }
            .or_else(|| support::act_problem(arch, act))
            {
                return Err(SimError::Unsupported {
                    arch: arch.name.clone(),
                    message: format!("{} cannot run: {p}", op.kind.as_str()),
                });
            }
            let planes = match (&arch.matrix, operand) {
                (MatrixUnit::Lut(_), GemmOperand::Weights(w)) => support::lut_weight_planes(w),
                _ => operand.bit_planes(),
            };
            let array = match &arch.matrix {
                MatrixUnit::Lut(lut) => lut_gemm(arch, lut, &energy, [m, n, k, count], planes),
                MatrixUnit::Mac(mac) => mac_gemm(arch, mac, &energy, [m, n, k, count], planes),
                MatrixUnit::Systolic(sys) => systolic_gemm(arch, sys, &energy, [m, n, k, count]),
            };
            Ok(finish(arch, op, &energy, array))
        }
    }
}

/// What the array alone costs: cycles, energy, peak rate.
struct ArrayCost {
    unit: Unit,
    compute_cycles: u64,
    peak_flops_per_cycle: f64,
    energy_pj: EnergyBreakdown,
}

fn lut_gemm(
    arch: &Arch,
    lut: &LutArray,
    e: &EnergyModel,
    [m, n, k, count]: [u64; 4],
    planes: u32,
) -> ArrayCost {
    let tiles = m.div_ceil(u64::from(lut.tile_m)) * n.div_ceil(u64::from(lut.tile_n)) * count;
    let k_chunks = k.div_ceil(u64::from(lut.tile_k));
    let tile = lut_tile::tile_cost(lut, planes, k_chunks);
    let per_core = tiles.div_ceil(arch.cores);
    let t = tiles as f64;
    let entry_bits = lut.table_entry_bits();
    let index_bits = lut.group - u32::from(lut.symmetric);
    let table_pj_per_bit = e.sram_pj_per_bit(arch.buffers.table_bytes.unwrap_or(1));
    // One table-buffer word (the current group's tables of every row) is read per weight beat
    // and broadcast to all columns.
    let word_bits = f64::from(lut.tile_m * lut.table_entries() * entry_bits);
    let energy_pj = EnergyBreakdown {
        table_j: t
            * (tile.table_entries_written as f64 * f64::from(entry_bits) * table_pj_per_bit
                + tile.table_words_read as f64 * word_bits * table_pj_per_bit
                + tile.table_reads as f64 * e.mux_select_pj(entry_bits, index_bits)),
        add_j: t
            * (tile.accumulate_adds as f64 * e.add_pj(lut.acc_bits)
                + tile.precompute_adds as f64 * e.add_pj(entry_bits)),
        sram_j: t
            * (tile.weight_bits_read as f64 * e.sram_pj_per_bit(arch.buffers.weight_bytes)
                + tile.results_written as f64
                    * f64::from(lut.acc_bits)
                    * e.sram_pj_per_bit(arch.buffers.output_bytes)
                + (tile.activations_read * u64::from(lut.act_bits)) as f64
                    * e.sram_pj_per_bit(arch.buffers.activation_bytes)),
        ..EnergyBreakdown::default()
    };
    // Peak: every unit retires `group` multiply-adds per cycle for one bit plane.
    let peak = (arch.cores * u64::from(lut.tile_m) * u64::from(lut.tile_n) * u64::from(lut.group))
        as f64
        * 2.0
        / f64::from(planes);
    ArrayCost {
        unit: Unit::Matrix,
        compute_cycles: lut_tile::tiles_cycles(lut, planes, k_chunks, per_core),
        peak_flops_per_cycle: peak,
        energy_pj,
    }
}

fn mac_gemm(
    arch: &Arch,
    mac: &MacArray,
    e: &EnergyModel,
    [m, n, k, count]: [u64; 4],
    planes: u32,
) -> ArrayCost {
    let tiles = m.div_ceil(u64::from(mac.tile_m)) * n.div_ceil(u64::from(mac.tile_n)) * count;
    let k_steps = k.div_ceil(u64::from(mac.tile_k));
    let per_core = tiles.div_ceil(arch.cores);
    let products = (tiles * k_steps) as f64 * f64::from(mac.tile_m * mac.tile_n * mac.tile_k);
    let weights_dequantized = (tiles * k_steps) as f64 * f64::from(mac.tile_n * mac.tile_k);
    let acts_read = (tiles * k_steps) as f64 * f64::from(mac.tile_m * mac.tile_k);
    let energy_pj = EnergyBreakdown {
        multiply_j: products * e.mult_pj(mac.mult_bits)
            + weights_dequantized * e.add_pj(mac.mult_bits),
        add_j: products * e.add_pj(mac.acc_bits),
        sram_j: weights_dequantized
            * f64::from(planes)
            * e.sram_pj_per_bit(arch.buffers.weight_bytes)
            + acts_read
                * f64::from(mac.mult_bits)
                * e.sram_pj_per_bit(arch.buffers.activation_bytes)
            + (tiles * u64::from(mac.tile_m * mac.tile_n) * u64::from(mac.acc_bits)) as f64
                * e.sram_pj_per_bit(arch.buffers.output_bytes),
        ..EnergyBreakdown::default()
    };
    let peak = (arch.cores * u64::from(mac.tile_m * mac.tile_n * mac.tile_k)) as f64 * 2.0;
    ArrayCost {
        unit: Unit::Matrix,
        compute_cycles: mac_tile::tiles_cycles(mac, k_steps, per_core),
        peak_flops_per_cycle: peak,
        energy_pj,
    }
}

/// Accumulator width of a systolic PE, bits (32-bit partial sums for INT8 operands, as in the
/// TPU's MXU: Jouppi et al., ISCA 2017).
const SYSTOLIC_ACC_BITS: u32 = 32;

/// A systolic array: each instance's output columns split evenly over the cores, the fold
/// schedule and SRAM counts from SCALE-Sim's model ([`gemm_cost`]); DRAM is left to [`finish`].
fn systolic_gemm(
    arch: &Arch,
    sys: &SystolicArray,
    e: &EnergyModel,
    [m, n, k, count]: [u64; 4],
) -> ArrayCost {
    let per_core = gemm_cost(sys, m, n.div_ceil(arch.cores), k);
    let instances = (count * arch.cores) as f64;
    let bits = (sys.word_bytes * 8) as u32;
    let macs = instances * per_core.macs as f64;
    let energy_pj = EnergyBreakdown {
        multiply_j: macs * e.mult_pj(bits),
        add_j: macs * e.add_pj(SYSTOLIC_ACC_BITS),
        sram_j: instances
            * f64::from(bits)
            * (per_core.sram_ifmap_read_words as f64 * e.sram_pj_per_bit(sys.ifmap_sram_bytes)
                + per_core.sram_filter_read_words as f64
                    * e.sram_pj_per_bit(sys.filter_sram_bytes)
                + per_core.sram_ofmap_write_words as f64 * e.sram_pj_per_bit(sys.ofmap_sram_bytes)),
        ..EnergyBreakdown::default()
    };
    ArrayCost {
        unit: Unit::Matrix,
        compute_cycles: count * per_core.compute_cycles,
        peak_flops_per_cycle: (2 * sys.rows * sys.cols * arch.cores) as f64,
        energy_pj,
    }
}

fn vector_op(arch: &Arch, op: &Op, e: &EnergyModel, ops: u64) -> OpCost {
    let lanes = arch.cores * u64::from(arch.vector.lanes);
    let act_pj = e.sram_pj_per_bit(arch.buffers.activation_bytes);
    let array = ArrayCost {
        unit: Unit::Vector,
        compute_cycles: ops.div_ceil(lanes),
        peak_flops_per_cycle: lanes as f64,
        energy_pj: EnergyBreakdown {
            vector_j: ops as f64 * e.vector_op_pj(),
            sram_j: (op.act_read_bytes + op.act_write_bytes) as f64 * BITS_PER_BYTE * act_pj,
            ..EnergyBreakdown::default()
        },
    };
    finish(arch, op, e, array)
}

/// Adds the memory system to an array cost: DRAM traffic, double-buffered overlap, energy.
fn finish(arch: &Arch, op: &Op, e: &EnergyModel, array: ArrayCost) -> OpCost {
    let act_buffer = arch.buffers.activation_bytes;
    let chunk_bytes = (arch.cores * arch.buffers.weight_bytes / 2).max(1);
    let streamed = op.weight_bytes + op.kv_read_bytes;
    let weight_chunks = streamed.div_ceil(chunk_bytes).max(1);
    let act_in = if op.act_read_bytes <= act_buffer {
        0
    } else if streamed == 0 {
        op.act_read_bytes
    } else {
        // Cheaper of: activations re-read per weight chunk, or weights re-read per activation block.
        let act_blocks = op.act_read_bytes.div_ceil(act_buffer);
        let reread_acts = op.act_read_bytes * weight_chunks;
        let reread_weights = (act_blocks - 1) * streamed + op.act_read_bytes;
        reread_acts.min(reread_weights)
    };
    let act_out = if op.act_write_bytes <= act_buffer {
        0
    } else {
        op.act_write_bytes
    };
    let dram_bytes = streamed + op.kv_write_bytes + act_in + act_out;

    let clock_hz = arch.clock_mhz * 1e6;
    let transfer_cycles = (dram_bytes as f64 * clock_hz / arch.dram.bytes_per_s).ceil() as u64;
    let latency_cycles = if dram_bytes == 0 {
        0
    } else {
        (arch.dram.latency_s * clock_hz).ceil() as u64
    };
    let n = (dram_bytes.div_ceil(chunk_bytes)).max(1) as f64;
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
    OpCost {
        unit: array.unit,
        compute_cycles: array.compute_cycles,
        transfer_cycles,
        total_cycles,
        stall_cycles: total_cycles - array.compute_cycles,
        dram_bytes,
        peak_flops_per_cycle: array.peak_flops_per_cycle,
        energy,
    }
}
