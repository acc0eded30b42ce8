//! The vector-quantized 2D-lookup matrix engine of LUT-LLM (arXiv 2511.06174; code
//! `LUT-FPGA/LUT-LLM`), timed from its structure.
//!
//! Activations are cut into vectors of `vector_len` elements; the centroid-search units
//! (`search_units` of them, each with `distance_engines` distance engines) replace each
//! vector by the index of its nearest activation centroid, `search_units` vectors per cycle.
//! Weights are stored as indices of weight centroids. For each input vector and each slice of
//! `outputs_per_cycle` output columns, a table of centroid-pair products (`act_centroids x
//! weight_centroids` entries of `entry_bits`) is computed offline and streamed from off-chip
//! memory with the slice's weight indices, over `index_ports` ports of `port_bits`; the
//! `lookup_engines` chained lookup engines each reduce one input vector per cycle into
//! `outputs_per_cycle` accumulators. So a slice costs `m x ceil(k / vector_len /
//! lookup_engines)` cycles for `m` tokens, and its stream `ceil(k / vector_len) x
//! (outputs_per_cycle x log2(weight_centroids) + act_centroids x weight_centroids x
//! entry_bits) / 8` bytes. LUT-LLM's Qwen3-1.7B layer streams 36,864 words of 64 bytes per
//! port per layer (`TOTAL_LUT_WEIGHT_SIZE` in `config/config.h`), which this formula gives.
//!
//! The loader and the lookup engines form a two-stage stream over the slices through a FIFO
//! of `weight_fifo_slices`; the first slice also waits for the search of every token's vectors.

use lutforge_models::{ActFormat, WeightFormat};

use super::config::Vq2d;
use super::engines::{Engine, OpTime};
use super::events::Events;
use crate::schedule::streaming;

/// Why `vq` cannot run these formats, if it cannot: both operands must be vector-quantized
/// with the engine's centroid counts and vector length.
pub fn format_problem(vq: &Vq2d, weight: WeightFormat, act: ActFormat) -> Option<String> {
    let WeightFormat::Vq {
        centroids: wc,
        len: wl,
    } = weight
    else {
        return Some(format!(
            "vq2d takes vector-quantized weights, not w{weight}"
        ));
    };
    let ActFormat::Vq {
        centroids: ac,
        len: al,
    } = act
    else {
        return Some(format!(
            "vq2d takes vector-quantized activations, not a{act}"
        ));
    };
    if u32::from(wc) != vq.weight_centroids || u32::from(wl) != vq.vector_len {
        return Some(format!(
            "vq2d has {} weight centroids of {} elements; the weights have {wc} of {wl}",
            vq.weight_centroids, vq.vector_len
        ));
    }
    if u32::from(ac) != vq.act_centroids || u32::from(al) != vq.vector_len {
        return Some(format!(
            "vq2d has {} activation centroids of {} elements; the activations have {ac} of {al}",
            vq.act_centroids, vq.vector_len
        ));
    }
    None
}

/// Bytes one column slice streams for a reduction of `k`.
pub fn slice_bytes(vq: &Vq2d, k: u64) -> u64 {
    let vectors = k.div_ceil(u64::from(vq.vector_len));
    let index_bits = u64::from(vq.outputs_per_cycle) * u64::from(vq.weight_centroids.ilog2());
    let table_bits =
        u64::from(vq.act_centroids) * u64::from(vq.weight_centroids) * u64::from(vq.entry_bits);
    (vectors * (index_bits + table_bits)).div_ceil(8)
}

/// One `m x k` by `k x n` product alone on `vq`, with `latency` first-byte cycles and `bw`
/// sustained off-chip bytes per cycle.
pub fn time(vq: &Vq2d, m: u64, n: u64, k: u64, latency: u64, bw: f64) -> OpTime {
    let vectors = k.div_ceil(u64::from(vq.vector_len));
    let slices = n.div_ceil(u64::from(vq.outputs_per_cycle));
    let per_slice_bytes = slice_bytes(vq, k);
    let bytes = per_slice_bytes * slices;
    let port_bytes = f64::from(vq.index_ports * vq.port_bits) / 8.0;
    let per_cycle = port_bytes.min(bw);
    let dma = (per_slice_bytes as f64 / per_cycle).ceil() as u64;
    let lookup_per_slice = m * vectors.div_ceil(u64::from(vq.lookup_engines));
    let search = m * vectors.div_ceil(u64::from(vq.search_units));
    let depth = vq.weight_fifo_slices;
    let run = streaming::run(&[1, depth], slices, |stage, _| {
        if stage == 0 {
            dma
        } else {
            lookup_per_slice
        }
    });
    let busy = search + lookup_per_slice * slices;
    let cycles = latency + search + run.total_cycles;
    let transfer = (bytes as f64 / per_cycle).ceil() as u64;
    OpTime {
        engine: Engine::Vq2d,
        cycles,
        busy_cycles: busy.min(cycles),
        dram_wait_cycles: latency + run.starved_cycles[1],
        transfer_cycles: transfer,
        blocked_cycles: run.blocked_cycles[0],
        fifo_peak_items: run.fifo_peak_items[1],
        fifo_depth_items: depth,
        dram_bytes: bytes,
        peak_flops_per_cycle: 2.0
            * f64::from(vq.lookup_engines * vq.outputs_per_cycle * vq.vector_len),
        events: Events {
            dsp_fp_macs: m * vectors * u64::from(vq.act_centroids * vq.vector_len),
            lutram_reads: m * vectors * n,
            lut_adds: m * vectors * n,
            dram_bits: bytes * 8,
            ..Events::default()
        },
    }
}
