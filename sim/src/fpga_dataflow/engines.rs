//! Which engine runs each op, and what the op costs on it alone: cycles, the cycles spent
//! waiting for off-chip memory, the weight or KV stream it reads, and the events its energy
//! is counted from.
//!
//! - Ternary (and binary) weight products with INT8 activations run on the TLMM engine
//!   ([`super::tlmm`]): `preload` loads the packed matrix into the weight buffer, then
//!   computes (TeLLMe: load and compute do not overlap); `stream` runs the loader and the
//!   engine as a two-stage stream over activation blocks through a FIFO of
//!   `weight_fifo_blocks`.
//! - Vector-quantized products run on the VQ 2D-lookup engine ([`super::vq2d`]).
//! - The attention products and softmax run on the attention engine: `dot_lanes` multiply-adds
//!   per cycle per query, `parallel_queries` queries at once, each KV entry read from off-chip
//!   memory once per group of `parallel_queries` queries and streamed while it computes.
//! - Every other vector op runs on the element-wise engine (`[vector] lanes` operations per
//!   cycle); the KV write streams to off-chip memory.
//! - Products no engine runs (an fp16 or INT8 LM head) go to the host processor, bound by its
//!   multiply-add rate or its memory bandwidth.

use lutforge_models::{ActFormat, WeightFormat};
use lutforge_workloads::{GemmOperand, Op, OpKind, OpShape};

use super::config::{FpgaDesign, Host, Tlmm, WeightLoad};
use super::events::Events;
use super::tlmm::{fast as tlmm_fast, TlmmJob};
use super::vq2d;
use crate::arch::Arch;
use crate::error::SimError;
use crate::memory;
use crate::schedule::streaming;

/// An engine of the design.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Engine {
    /// Ternary table-lookup matrix engine.
    Tlmm,
    /// Vector-quantized 2D-lookup matrix engine.
    Vq2d,
    /// Attention engine.
    Attention,
    /// Element-wise engine.
    Eltwise,
    /// The host processor.
    Host,
}

impl Engine {
    /// Every engine, in report order.
    pub const ALL: [Engine; 5] = [
        Engine::Tlmm,
        Engine::Vq2d,
        Engine::Attention,
        Engine::Eltwise,
        Engine::Host,
    ];

    /// The name used in configs and reports.
    pub fn name(self) -> &'static str {
        match self {
            Engine::Tlmm => "tlmm",
            Engine::Vq2d => "vq2d",
            Engine::Attention => "attention",
            Engine::Eltwise => "eltwise",
            Engine::Host => "host",
        }
    }

    /// A matrix engine: one op at a time uses it.
    pub fn is_matrix(self) -> bool {
        matches!(self, Engine::Tlmm | Engine::Vq2d | Engine::Host)
    }
}

/// One op alone on its engine (one repetition).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct OpTime {
    /// The engine.
    pub engine: Engine,
    /// Cycles from start to finish.
    pub cycles: u64,
    /// Cycles the engine computes.
    pub busy_cycles: u64,
    /// Cycles it waits for off-chip memory (first-byte latency, a preload, a starved stream).
    pub dram_wait_cycles: u64,
    /// Cycles the transfer alone takes at the sustained bandwidth.
    pub transfer_cycles: u64,
    /// Cycles the weight loader waited for room in the weight FIFO.
    pub blocked_cycles: u64,
    /// The fullest the weight FIFO got, items (0 without one).
    pub fifo_peak_items: u64,
    /// The weight FIFO's depth, items (0 without one).
    pub fifo_depth_items: u64,
    /// Off-chip bytes moved.
    pub dram_bytes: u64,
    /// Peak arithmetic rate of the engine for this op, FLOP per cycle.
    pub peak_flops_per_cycle: f64,
    /// What the op did, for energy.
    pub events: Events,
}

/// Bits of one TLMM weight index (3 ternary weights in 5 bits, TeLLMe).
pub const TLMM_INDEX_BITS: u64 = 5;

/// Why `op` runs on no engine of `design` and there is no host, or the engine it runs on.
pub fn engine_of(design: &FpgaDesign, op: &Op) -> Result<Engine, String> {
    match op.shape {
        OpShape::Vector { .. } if op.kind == OpKind::Softmax => Ok(Engine::Attention),
        OpShape::Vector { .. } => Ok(Engine::Eltwise),
        OpShape::Gemm {
            operand: GemmOperand::KvCache(_),
            ..
        } => Ok(Engine::Attention),
        OpShape::Gemm {
            operand: GemmOperand::Weights(weight),
            act,
            ..
        } => {
            let tlmm = tlmm_problem(design, weight, act);
            let vq = vq2d_problem(design, weight, act);
            match (tlmm, vq) {
                (None, _) => Ok(Engine::Tlmm),
                (_, None) => Ok(Engine::Vq2d),
                (Some(_), Some(_)) if design.host.is_some() => Ok(Engine::Host),
                (Some(a), Some(b)) => Err(format!(
                    "{} runs on no engine ({a}; {b}) and the design has no [fpga.host]",
                    op.kind.as_str()
                )),
            }
        }
    }
}

/// Why the TLMM engine cannot run these formats, if it cannot.
pub fn tlmm_problem(design: &FpgaDesign, weight: WeightFormat, act: ActFormat) -> Option<String> {
    if design.tlmm.is_none() {
        return Some("the pipeline has no tlmm engine".into());
    }
    if let WeightFormat::Vq { .. } = weight {
        return Some(format!(
            "tlmm takes ternary or binary weights, not VQ weights (w{weight})"
        ));
    }
    if !matches!(weight, WeightFormat::Ternary | WeightFormat::Binary) {
        return Some(format!(
            "tlmm takes ternary or binary weights, not w{weight}"
        ));
    }
    (act != ActFormat::Int8).then(|| format!("tlmm takes INT8 activations, not a{act}"))
}

/// Why the VQ 2D-lookup engine cannot run these formats, if it cannot.
pub fn vq2d_problem(design: &FpgaDesign, weight: WeightFormat, act: ActFormat) -> Option<String> {
    let Some(vq) = design.vq2d else {
        return Some("the pipeline has no vq2d engine".into());
    };
    vq2d::format_problem(&vq, weight, act)
}

/// Distributes `total` over `items` items as evenly as whole cycles allow (item `n` gets
/// `floor((n+1) total / items) - floor(n total / items)`), so the shares add up to `total`.
pub fn share(total: u64, items: u64, n: u64) -> u64 {
    let items = u128::from(items.max(1));
    let t = u128::from(total);
    let n = u128::from(n);
    ((n + 1) * t / items - n * t / items) as u64
}

/// Sustained off-chip bytes per fabric cycle.
fn dram_bytes_per_cycle(arch: &Arch) -> f64 {
    arch.dram.sustained_bytes_per_s() / (arch.clock_mhz * 1e6)
}

/// Cycles to move `bytes` at `per_cycle` bytes per cycle.
fn cycles_for(bytes: u64, per_cycle: f64) -> u64 {
    (bytes as f64 / per_cycle).ceil() as u64
}

/// Costs `op` alone on `engine`.
pub fn op_time(
    design: &FpgaDesign,
    arch: &Arch,
    op: &Op,
    engine: Engine,
) -> Result<OpTime, SimError> {
    let latency = memory::latency_cycles(arch);
    let bw = dram_bytes_per_cycle(arch);
    let unsupported = |message: String| SimError::Unsupported {
        arch: arch.name.clone(),
        message,
    };
    match (op.shape, engine) {
        (OpShape::Gemm { m, n, k, count, .. }, Engine::Tlmm) => {
            let tlmm = design
                .tlmm
                .ok_or_else(|| unsupported("no tlmm engine".into()))?;
            let one = tlmm_time(&tlmm, arch, op, m, n, k, latency, bw)?;
            Ok(one.times(count))
        }
        (OpShape::Gemm { m, n, k, count, .. }, Engine::Vq2d) => {
            let vq = design
                .vq2d
                .ok_or_else(|| unsupported("no vq2d engine".into()))?;
            Ok(vq2d::time(&vq, m, n, k, latency, bw).times(count))
        }
        (OpShape::Gemm { m, n, k, count, .. }, Engine::Attention) => {
            let a = design.attention;
            let macs = m * n * k * count;
            let lanes = u64::from(a.dot_lanes) * m.clamp(1, u64::from(a.parallel_queries));
            let bytes = op.kv_read_bytes * m.div_ceil(u64::from(a.parallel_queries));
            let events = Events {
                dsp_fp_macs: macs,
                ..Events::default()
            };
            Ok(streamed(
                engine,
                macs.div_ceil(lanes),
                bytes,
                latency,
                bw,
                2.0 * lanes as f64,
                events,
            ))
        }
        (
            OpShape::Vector {
                elements,
                ops_per_element,
            },
            Engine::Attention | Engine::Eltwise,
        ) => {
            let lanes = if engine == Engine::Attention {
                u64::from(design.attention.softmax_lanes)
            } else {
                arch.vector_lanes()
            };
            let ops = elements * ops_per_element;
            let bytes = op.weight_bytes + op.kv_read_bytes + op.kv_write_bytes;
            let events = Events {
                fp_ops: ops,
                ..Events::default()
            };
            Ok(streamed(
                engine,
                ops.div_ceil(lanes),
                bytes,
                latency,
                bw,
                lanes as f64,
                events,
            ))
        }
        (OpShape::Gemm { m, n, k, count, .. }, Engine::Host) => {
            let host = design
                .host
                .ok_or_else(|| unsupported("no [fpga.host]".into()))?;
            Ok(host_time(&host, arch, m * n * k * count, op.weight_bytes))
        }
        _ => Err(unsupported(format!(
            "{} cannot run on the {} engine",
            op.kind.as_str(),
            engine.name()
        ))),
    }
}

/// An op that computes for `busy` cycles while `bytes` stream from or to off-chip memory at
/// `bw` bytes per cycle after `latency` cycles: the longer of the two, plus the latency.
fn streamed(
    engine: Engine,
    busy: u64,
    bytes: u64,
    latency: u64,
    bw: f64,
    peak_flops_per_cycle: f64,
    events: Events,
) -> OpTime {
    let transfer = cycles_for(bytes, bw);
    let cycles = latency * u64::from(bytes > 0) + busy.max(transfer);
    OpTime {
        engine,
        cycles,
        busy_cycles: busy,
        dram_wait_cycles: cycles - busy,
        transfer_cycles: transfer,
        dram_bytes: bytes,
        peak_flops_per_cycle,
        events: Events {
            dram_bits: bytes * 8,
            ..events
        },
        ..OpTime::idle(engine)
    }
}

impl OpTime {
    /// An op that does nothing on `engine`.
    fn idle(engine: Engine) -> OpTime {
        OpTime {
            engine,
            cycles: 0,
            busy_cycles: 0,
            dram_wait_cycles: 0,
            transfer_cycles: 0,
            blocked_cycles: 0,
            fifo_peak_items: 0,
            fifo_depth_items: 0,
            dram_bytes: 0,
            peak_flops_per_cycle: 0.0,
            events: Events::default(),
        }
    }

    /// `count` independent instances one after another.
    pub fn times(&self, count: u64) -> OpTime {
        OpTime {
            cycles: self.cycles * count,
            busy_cycles: self.busy_cycles * count,
            dram_wait_cycles: self.dram_wait_cycles * count,
            transfer_cycles: self.transfer_cycles * count,
            blocked_cycles: self.blocked_cycles * count,
            dram_bytes: self.dram_bytes * count,
            events: self.events.times(count),
            ..*self
        }
    }
}

/// The packed weight stream of an `n x k` ternary matrix on `tlmm`: AXI beats of
/// `axi_ports x axi_bits`, each carrying as many whole index vectors (`tables` 5-bit indices,
/// one activation block of one output) as fit, as TeLLMe's loader packs five 140-bit vectors
/// into a 768-bit beat.
pub fn tlmm_weight_bytes(tlmm: &Tlmm, n: u64, k: u64) -> u64 {
    let spec = &tlmm.spec;
    let vectors = n * k.div_ceil(u64::from(spec.group * spec.tables));
    let vector_bits = u64::from(spec.tables) * TLMM_INDEX_BITS;
    let beat_bits = u64::from(tlmm.axi_ports * tlmm.axi_bits);
    let beats = if vector_bits <= beat_bits {
        vectors.div_ceil(beat_bits / vector_bits)
    } else {
        vectors * vector_bits.div_ceil(beat_bits)
    };
    beats * beat_bits / 8
}

/// Words of the weight buffer: `weight_buffer_kib` in whole words of `L x tables` 5-bit codes
/// (`L = min(outputs_per_cycle, weight_banks)`), one block of one output group each, the unit
/// the banks are read in (`sim/src/fpga_dataflow/top/mod.rs`).
pub fn tlmm_buffer_words(tlmm: &Tlmm) -> u64 {
    let spec = &tlmm.spec;
    let word_bits = u64::from(spec.lookup_lanes() * spec.tables) * TLMM_INDEX_BITS;
    tlmm.weight_buffer_bytes * 8 / word_bits
}

/// How many row chunks a `preload` of an `n x k` ternary matrix takes: the weight buffer holds
/// whole words of `L` outputs' index vectors per block ([`tlmm_buffer_words`]), so a matrix
/// larger than it is loaded and computed `rows` at a time (`rows` whole groups of `L`),
/// chunk `c` holding `share(n, chunks, c)` output rows ([`share`]), each chunk's stream
/// padded to whole beats ([`tlmm_weight_bytes`] of its rows). `None` when one output group
/// does not fit the buffer. A `stream` load is one chunk.
pub fn tlmm_preload_chunks(tlmm: &Tlmm, n: u64, k: u64) -> Option<u64> {
    let spec = &tlmm.spec;
    let blocks = k.div_ceil(u64::from(spec.group * spec.tables));
    let rows_fit = tlmm_buffer_words(tlmm) / blocks * u64::from(spec.lookup_lanes());
    (rows_fit > 0).then(|| n.div_ceil(rows_fit))
}

#[allow(clippy::too_many_arguments)]
fn tlmm_time(
    tlmm: &Tlmm,
    arch: &Arch,
    op: &Op,
    m: u64,
    n: u64,
    k: u64,
    latency: u64,
    bw: f64,
) -> Result<OpTime, SimError> {
    let spec = &tlmm.spec;
    let job = TlmmJob { m, n, k };
    let compute = tlmm_fast::cost(spec, job).map_err(|e| SimError::TooLarge {
        arch: arch.name.clone(),
        message: format!("{}: {e}", op.kind.as_str()),
    })?;
    let bytes = tlmm_weight_bytes(tlmm, n, k);
    let beat_bytes = f64::from(tlmm.axi_ports * tlmm.axi_bits) / 8.0;
    let per_cycle = beat_bytes.min(bw);
    let transfer = cycles_for(bytes, per_cycle);
    let blocks = k.div_ceil(u64::from(spec.group * spec.tables));
    let events = Events {
        lutram_reads: m * n * blocks * u64::from(spec.tables),
        lut_adds: m * n * blocks * u64::from(spec.tables),
        dsp_int_adds: m * blocks * spec.entries_per_set(),
        uram_read_bits: m * n * blocks * u64::from(spec.tables) * TLMM_INDEX_BITS,
        dram_bits: bytes * 8,
        ..Events::default()
    };
    let peak = 2.0 * f64::from(spec.outputs_per_cycle * spec.tables * spec.group);
    let base = OpTime {
        dram_bytes: bytes,
        transfer_cycles: transfer,
        peak_flops_per_cycle: peak,
        events,
        ..OpTime::idle(Engine::Tlmm)
    };
    match tlmm.weight_load {
        WeightLoad::Preload => {
            // The buffer holds whole words of L outputs' index vectors; a matrix larger than
            // it is loaded and computed in row chunks that fit, one after another.
            let lanes = u64::from(spec.lookup_lanes());
            let vector_bits = u64::from(spec.tables) * TLMM_INDEX_BITS;
            let Some(chunks) = tlmm_preload_chunks(tlmm, n, k) else {
                return Err(SimError::Unsupported {
                    arch: arch.name.clone(),
                    message: format!(
                        "{}: one group of {lanes} output rows of its {n} x {k} ternary matrix ({} bits) does not fit fpga.tlmm.weight_buffer_kib = {}",
                        op.kind.as_str(),
                        lanes * vector_bits * blocks,
                        tlmm.weight_buffer_bytes / 1024
                    ),
                });
            };
            let mut cycles = 0;
            let mut busy = 0;
            for c in 0..chunks {
                let rows = share(n, chunks, c);
                let chunk = tlmm_fast::cost(spec, TlmmJob { m, n: rows, k }).map_err(|e| {
                    SimError::TooLarge {
                        arch: arch.name.clone(),
                        message: format!("{}: {e}", op.kind.as_str()),
                    }
                })?;
                let load = latency + cycles_for(tlmm_weight_bytes(tlmm, rows, k), per_cycle);
                cycles += load + chunk.total_cycles;
                busy += chunk.total_cycles;
            }
            Ok(OpTime {
                cycles,
                busy_cycles: busy,
                dram_wait_cycles: cycles - busy,
                ..base
            })
        }
        WeightLoad::Stream { depth } => {
            let per_block = compute.total_cycles;
            let run = streaming::run(&[1, depth], blocks, |stage, b| {
                if stage == 0 {
                    share(transfer, blocks, b)
                } else {
                    share(per_block, blocks, b)
                }
            });
            Ok(OpTime {
                cycles: latency + run.total_cycles,
                busy_cycles: compute.total_cycles,
                dram_wait_cycles: latency + run.starved_cycles[1],
                blocked_cycles: run.blocked_cycles[0],
                fifo_peak_items: run.fifo_peak_items[1],
                fifo_depth_items: depth,
                ..base
            })
        }
    }
}

/// A matrix product on the host: the longer of its multiply-adds at the cores' SIMD rate and
/// its weights at the host's bandwidth, in fabric cycles.
fn host_time(host: &Host, arch: &Arch, macs: u64, weight_bytes: u64) -> OpTime {
    let macs_per_s = f64::from(host.cores * host.macs_per_cycle_per_core) * host.clock_mhz * 1e6;
    let seconds = (macs as f64 / macs_per_s).max(weight_bytes as f64 / host.bytes_per_s);
    let cycles = (seconds * arch.clock_mhz * 1e6).ceil() as u64;
    let compute = (macs as f64 / macs_per_s * arch.clock_mhz * 1e6).ceil() as u64;
    OpTime {
        cycles,
        busy_cycles: compute.min(cycles),
        dram_wait_cycles: cycles - compute.min(cycles),
        transfer_cycles: (weight_bytes as f64 / host.bytes_per_s * arch.clock_mhz * 1e6).ceil()
            as u64,
        dram_bytes: weight_bytes,
        peak_flops_per_cycle: 2.0 * macs_per_s / (arch.clock_mhz * 1e6),
        events: Events {
            dram_bits: weight_bytes * 8,
            host_macs: macs,
            ..Events::default()
        },
        ..OpTime::idle(Engine::Host)
    }
}
