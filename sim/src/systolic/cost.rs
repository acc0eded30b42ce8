//! The fast cost of one GEMM on a systolic array: what the engine calls per operator.
//!
//! Compute cycles, mapping efficiency, compute utilization and SRAM access counts follow
//! SCALE-Sim's fold model exactly (they are closed-form there too). DRAM traffic and stalls use a
//! fold-level double-buffering model instead of SCALE-Sim's address-level buffers (see
//! [`super::replay`] for those): a fold's operand slice is fetched while the previous fold
//! computes; a slice that the next fold reuses stays on chip when it fits in one half of its
//! SRAM, and an operand reused across column folds stays when the whole operand fits in one half.
//! Each SRAM has its own DRAM port; a fold stalls for as long as its slowest port is still
//! fetching (or draining the previous fold's outputs) after the previous fold finishes. In CALC
//! mode the ports are as fast as needed and nothing stalls.

use super::config::{Dataflow, DramBandwidth, SystolicArray};
use super::geometry::Mapping;

/// The cost of one GEMM `(m x k) * (k x n)` on a [`SystolicArray`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SystolicGemmCost {
    /// Multiply-accumulates, `m * n * k`.
    pub macs: u64,
    /// Folds (array loads) the GEMM takes.
    pub folds: u64,
    /// Cycles the array is busy without stalls (SCALE-Sim's stall-free Total Cycles + 1: it
    /// reports the index of the last cycle).
    pub compute_cycles: u64,
    /// Cycles waiting on DRAM.
    pub stall_cycles: u64,
    /// `compute_cycles + stall_cycles`.
    pub total_cycles: u64,
    /// Ifmap (activation) SRAM reads, words.
    pub sram_ifmap_read_words: u64,
    /// Filter (weight) SRAM reads, words.
    pub sram_filter_read_words: u64,
    /// Ofmap (output and partial-sum) SRAM writes, words.
    pub sram_ofmap_write_words: u64,
    /// All SRAM reads, bytes.
    pub sram_read_bytes: u64,
    /// All SRAM writes, bytes.
    pub sram_write_bytes: u64,
    /// DRAM reads (ifmap + filter), bytes.
    pub dram_read_bytes: u64,
    /// DRAM writes (ofmap), bytes.
    pub dram_write_bytes: u64,
    /// Mean fraction of PEs mapped per fold (0..=1), as SCALE-Sim averages it.
    pub mapping_efficiency: f64,
    /// Mean fraction of PE-cycles doing a MAC per fold (0..=1), as SCALE-Sim averages it.
    pub compute_util: f64,
}

/// The cost of the GEMM `(m x k) * (k x n)` on `array`. Zero-sized GEMMs cost nothing.
pub fn gemm_cost(array: &SystolicArray, m: u64, n: u64, k: u64) -> SystolicGemmCost {
    if m == 0 || n == 0 || k == 0 {
        return SystolicGemmCost {
            macs: 0,
            folds: 0,
            compute_cycles: 0,
            stall_cycles: 0,
            total_cycles: 0,
            sram_ifmap_read_words: 0,
            sram_filter_read_words: 0,
            sram_ofmap_write_words: 0,
            sram_read_bytes: 0,
            sram_write_bytes: 0,
            dram_read_bytes: 0,
            dram_write_bytes: 0,
            mapping_efficiency: 0.0,
            compute_util: 0.0,
        };
    }
    let map = Mapping::from_dims(array.dataflow, array.rows, array.cols, m, n, k);
    let fold_cycles = map.fold_cycles();
    // Cycles a fold occupies the array in steady state, which its prefetch may hide under.
    let fold_time = if array.weight_double_buffer {
        map.t.max(array.rows)
    } else {
        fold_cycles
    };
    let compute_cycles = if array.weight_double_buffer {
        map.double_buffered_cycles()
    } else {
        map.folds() * fold_cycles
    };
    let (sram_if, sram_fi, sram_of) = map.sram_accesses(false);
    let (mapping_efficiency, compute_util) = map.efficiencies();
    let (if_words, fi_words, _) = array.sram_words();
    let (if_half, fi_half) = (if_words / 2, fi_words / 2);

    // Per-fold slice sizes (words) as a function of rows used `ru` and columns used `cu`, and
    // which fold index each operand's slice depends on.
    #[derive(Clone, Copy)]
    enum Key {
        Row,
        Col,
        Both,
    }
    let t = map.t;
    let (if_key, fi_key) = match array.dataflow {
        Dataflow::Ws => (Key::Row, Key::Both),
        Dataflow::Os => (Key::Row, Key::Col),
        Dataflow::Is => (Key::Both, Key::Row),
    };
    let slice = |op: u8, ru: u64, cu: u64| -> u64 {
        match (array.dataflow, op) {
            (Dataflow::Ws, 0) => t * ru,
            (Dataflow::Ws, 1) => ru * cu,
            (Dataflow::Ws, _) => t * cu,
            (Dataflow::Os, 0) => t * ru,
            (Dataflow::Os, 1) => t * cu,
            (Dataflow::Os, _) => ru * cu,
            (Dataflow::Is, 0) => ru * cu,
            (Dataflow::Is, 1) => t * ru,
            (Dataflow::Is, _) => t * cu,
        }
    };
    // Whole operand sizes (words) for the "stays on chip across column folds" test.
    let whole_if = m * k;
    let whole_fi = k * n;
    let fetch = |key: Key,
                 words: u64,
                 half: u64,
                 whole: u64,
                 fc: u64,
                 fr: u64,
                 prev: Option<(u64, u64)>|
     -> u64 {
        let reused = match (key, prev) {
            (_, None) => false,
            (Key::Col, Some((pfc, _))) => pfc == fc && words <= half,
            (Key::Row, Some((_, pfr))) => (pfr == fr && words <= half) || (fc > 0 && whole <= half),
            (Key::Both, Some(_)) => false,
        };
        if reused {
            0
        } else {
            words
        }
    };
    let ports = match array.bandwidth {
        DramBandwidth::Calc => None,
        DramBandwidth::User {
            ifmap_words_per_cycle,
            filter_words_per_cycle,
            ofmap_words_per_cycle,
        } => Some((
            ifmap_words_per_cycle,
            filter_words_per_cycle,
            ofmap_words_per_cycle,
        )),
    };
    let (mut dram_if, mut dram_fi, mut dram_of) = (0u64, 0u64, 0u64);
    let mut stall = 0u64;
    let mut prev: Option<(u64, u64)> = None;
    let mut prev_out = 0u64;
    for fc in 0..map.col_folds {
        let cu = map.cols_used(fc);
        for fr in 0..map.row_folds {
            let ru = map.rows_used(fr);
            let fi = fetch(fi_key, slice(1, ru, cu), fi_half, whole_fi, fc, fr, prev);
            let ii = fetch(if_key, slice(0, ru, cu), if_half, whole_if, fc, fr, prev);
            let out = slice(2, ru, cu);
            if let (Some((bi, bf, bo)), Some(_)) = (ports, prev) {
                let xfer = ii
                    .div_ceil(bi)
                    .max(fi.div_ceil(bf))
                    .max(prev_out.div_ceil(bo));
                stall += xfer.saturating_sub(fold_time);
            }
            dram_if += ii;
            dram_fi += fi;
            dram_of += out;
            prev_out = out;
            prev = Some((fc, fr));
        }
    }
    let wb = array.word_bytes;
    SystolicGemmCost {
        macs: m * n * k,
        folds: map.folds(),
        compute_cycles,
        stall_cycles: stall,
        total_cycles: compute_cycles + stall,
        sram_ifmap_read_words: sram_if,
        sram_filter_read_words: sram_fi,
        sram_ofmap_write_words: sram_of,
        sram_read_bytes: (sram_if + sram_fi) * wb,
        sram_write_bytes: sram_of * wb,
        dram_read_bytes: (dram_if + dram_fi) * wb,
        dram_write_bytes: dram_of * wb,
        mapping_efficiency,
        compute_util,
    }
}
