//! How the ops of a forward pass share the engines in time: ops are grouped into streams,
//! each stream runs its ops as concurrent stages of the streaming scheduler
//! ([`crate::schedule::streaming`]) with the step's token rows as items and FIFOs of
//! `fpga.fifo_depth` rows between them, and streams run one after another.
//!
//! - `within_layer = "sequential"` (TeLLMe): an op streams alone, except that the element-wise
//!   ops that follow it (RoPE, KV write, residual, the FFN activation) are fused behind it,
//!   as TeLLMe's `apply_elem_wise` stage is.
//! - `within_layer = "dataflow"` (LUT-LLM): a stream runs until an op needs the matrix engine
//!   (or the host) that an earlier op of the stream already holds; LUT-LLM's four rounds of
//!   its one linear engine (QKV, output projection, up and gate, down) fall out of this.
//!
//! Streams never cross the boundary of the layer stack, and each layer of the stack runs
//! after the previous one (both published designs run layers one after another on the same
//! engines). An op's share of the timeline is the time its stage finishes after the stage
//! before it, so the shares of a stream add up to the stream's time.

use lutforge_workloads::{GemmOperand, Op, OpShape};

use super::config::{FpgaDesign, WithinLayer};
use super::engines::{share, OpTime};
use crate::mapper::elementwise;
use crate::schedule::streaming;

/// One op placed in its stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Placed {
    /// Its share of the timeline, cycles.
    pub share_cycles: u64,
    /// Cycles its finished rows waited for room downstream.
    pub blocked_cycles: u64,
    /// Cycles it waited inside the stream for rows from its producer.
    pub starved_cycles: u64,
    /// The most rows its input FIFO held (0 for a stream's first op).
    pub fifo_peak_items: u64,
    /// Its input FIFO's depth (0 for a stream's first op).
    pub fifo_depth_items: u64,
}

/// Token rows every op of the pass handles: the rows of its first weight product.
pub fn rows(ops: &[Op]) -> u64 {
    ops.iter()
        .find_map(|op| match op.shape {
            OpShape::Gemm {
                m,
                operand: GemmOperand::Weights(_),
                ..
            } => Some(m),
            _ => None,
        })
        .unwrap_or(1)
        .max(1)
}

/// The streams of `ops` (index ranges), given each op's time alone.
pub fn streams(design: &FpgaDesign, ops: &[Op], times: &[OpTime]) -> Vec<std::ops::Range<usize>> {
    let mut out = Vec::new();
    let mut start = 0;
    for i in 1..=ops.len() {
        let split = i == ops.len()
            || ops[i].repeat != ops[i - 1].repeat
            || match design.within_layer {
                WithinLayer::Sequential => !elementwise(ops[i].kind),
                WithinLayer::Dataflow => {
                    let engine = times[i].engine;
                    engine.is_matrix() && times[start..i].iter().any(|t| t.engine == engine)
                }
            };
        if split {
            out.push(start..i);
            start = i;
        }
    }
    out
}

/// Places every op: its share of the timeline and its stream statistics.
pub fn place(design: &FpgaDesign, ops: &[Op], times: &[OpTime]) -> Vec<Placed> {
    let rows = rows(ops);
    let mut placed = vec![Placed::default(); ops.len()];
    for range in streams(design, ops, times) {
        let stage_times = &times[range.clone()];
        if stage_times.len() == 1 {
            placed[range.start].share_cycles = stage_times[0].cycles;
            continue;
        }
        let depths: Vec<u64> = (0..stage_times.len())
            .map(|i| if i == 0 { 1 } else { design.fifo_depth })
            .collect();
        let run = streaming::run(&depths, rows, |stage, n| {
            share(stage_times[stage].cycles, rows, n)
        });
        let mut previous_end = 0;
        for (stage, i) in range.enumerate() {
            let end = run.stage_end_cycles[stage].max(previous_end);
            placed[i] = Placed {
                share_cycles: end - previous_end,
                blocked_cycles: run.blocked_cycles[stage],
                starved_cycles: run.starved_cycles[stage],
                fifo_peak_items: if stage == 0 {
                    0
                } else {
                    run.fifo_peak_items[stage]
                },
                fifo_depth_items: depths[stage] * u64::from(stage > 0),
            };
            previous_end = end;
        }
    }
    placed
}
