//! The memory system, shared by every family: what an op moves between DRAM and the per-core
//! buffers, how long that takes at the sustained bandwidth, and whether a workload fits in the
//! DRAM at all.
//!
//! Weights (or KV entries) stream from DRAM through the double-buffered weight buffers in
//! chunks of `cores x weight_bytes / 2`. Activations stay on chip when they fit one core's
//! activation buffer; otherwise the cheaper loop order is taken (re-read activations per weight
//! chunk, or weights per activation block). Transfers run at `peak x sustained_fraction` and
//! each request's first byte arrives `latency` after it is issued. Caches for the CPU baseline
//! plug in here.

use lutforge_workloads::{Footprint, Op, OpKind, Workload};

use crate::arch::Arch;
use crate::error::SimError;

/// What one op (one repetition) moves to and from DRAM.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Traffic {
    /// Bytes moved.
    pub dram_bytes: u64,
    /// Double-buffer chunks the traffic is cut into (at least 1).
    pub chunks: u64,
    /// Some input activations come from DRAM (spilled), so they cannot be fetched before the
    /// producing op finishes.
    pub spilled_inputs: bool,
}

/// The DRAM traffic of `op` on `arch`.
pub fn traffic(arch: &Arch, op: &Op) -> Traffic {
    let act_buffer = arch.buffers.activation_bytes;
    let chunk_bytes = chunk_bytes(arch);
    if arch.attention.fused && matches!(op.kind, OpKind::Softmax | OpKind::AttnValue) {
        return fused_attention_traffic(arch, op);
    }
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
    let scores_on_chip = arch.attention.fused && op.kind == OpKind::AttnScore;
    let act_out = if op.act_write_bytes <= act_buffer || scores_on_chip {
        0
    } else {
        op.act_write_bytes
    };
    let dram_bytes = streamed + op.kv_write_bytes + act_in + act_out;
    Traffic {
        dram_bytes,
        chunks: dram_bytes.div_ceil(chunk_bytes).max(1),
        spilled_inputs: act_in > 0,
    }
}

/// Fused attention ([`crate::attention`]): the softmax works on scores that never left the
/// chip; `P V` reads its probabilities on chip and streams V once per block of query rows whose
/// fp16 output accumulators fill one core's activation buffer.
fn fused_attention_traffic(arch: &Arch, op: &Op) -> Traffic {
    let act_buffer = arch.buffers.activation_bytes.max(1);
    let query_blocks = op.act_write_bytes.div_ceil(act_buffer).max(1);
    let act_out = if op.act_write_bytes <= act_buffer || op.kind == OpKind::Softmax {
        0
    } else {
        op.act_write_bytes
    };
    let dram_bytes = op
        .kv_read_bytes
        .saturating_mul(query_blocks)
        .saturating_add(act_out);
    Traffic {
        dram_bytes,
        chunks: dram_bytes.div_ceil(chunk_bytes(arch)).max(1),
        spilled_inputs: false,
    }
}

/// Bytes of one double-buffer chunk over all cores.
pub fn chunk_bytes(arch: &Arch) -> u64 {
    (arch.cores * arch.buffers.weight_bytes / 2).max(1)
}

/// Cycles `bytes` take at the sustained DRAM bandwidth, or `None` when that is not below
/// [`crate::mapper::MAX_CYCLES`].
pub fn transfer_cycles(arch: &Arch, bytes: u64) -> Option<u64> {
    let cycles = (bytes as f64 * arch.clock_mhz * 1e6 / arch.dram.sustained_bytes_per_s()).ceil();
    (cycles.is_finite() && cycles < crate::mapper::MAX_CYCLES as f64).then_some(cycles as u64)
}

/// First-byte latency of a DRAM request, cycles.
pub fn latency_cycles(arch: &Arch) -> u64 {
    (arch.dram.latency_s * arch.clock_mhz * 1e6).ceil() as u64
}

/// Checks that `workload` fits the DRAM of `arch`, returning what it keeps resident.
pub fn check_capacity(arch: &Arch, workload: &Workload) -> Result<Footprint, SimError> {
    let f = workload.footprint();
    let have = arch.dram.capacity_bytes;
    if f.total_bytes() > have {
        let gb = |b: u64| format!("{:.2} GB", b as f64 / 1e9);
        return Err(SimError::Capacity {
            file: arch.source.clone(),
            message: format!(
                "the workload needs {} of DRAM (weights {}, KV cache {}, activations {}) but dram.capacity_gbytes gives {}",
                gb(f.total_bytes()),
                gb(f.weight_bytes),
                gb(f.kv_cache_bytes),
                gb(f.activation_bytes),
                gb(have)
            ),
        });
    }
    Ok(f)
}
