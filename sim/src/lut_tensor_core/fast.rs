//! Fast tile model: the closed-form cycle count and event counts of one LUT tile.
//!
//! Derived from the micro-architecture in the parent module's doc; property tests hold every
//! number here equal to [`super::stepped`], which never gets called from here.

use crate::lut_tensor_core::{LutArray, Precompute};

/// Cost of one output tile (`tile_m x tile_n` outputs reduced over `k_chunks * tile_k`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct TileCost {
    /// Cycles from the `cmd` transfer through the last result transfer, inclusive (what the RTL
    /// counts); `n` back-to-back tiles take `n * cycles`.
    pub cycles: u64,
    /// Cycles the table precompute adds to the critical path (chunk 0 only when fused).
    pub precompute_cycles: u64,
    /// Table entries written (all rows, all groups, all chunks).
    pub table_entries_written: u64,
    /// Additions the precompute unit performs (entry sums, plus row-sum adds when symmetric).
    pub precompute_adds: u64,
    /// Table lookups (one per unit per group per bit plane).
    pub table_reads: u64,
    /// Accumulator additions (one per lookup, plus one correction per output when symmetric).
    pub accumulate_adds: u64,
    /// Weight bits streamed in.
    pub weight_bits_read: u64,
    /// Results streamed out.
    pub results_written: u64,
    /// Activations streamed in.
    pub activations_read: u64,
    /// Table-buffer words read (one per weight beat).
    pub table_words_read: u64,
}

impl TileCost {
    /// The counts of `n` such tiles.
    pub fn times(&self, n: u64) -> TileCost {
        self.zip(&TileCost::default(), |a, _| a * n)
    }

    /// The counts of this tile and `other`, one after the other.
    pub fn plus(&self, other: &TileCost) -> TileCost {
        self.zip(other, |a, b| a + b)
    }

    fn zip(&self, o: &TileCost, f: impl Fn(u64, u64) -> u64) -> TileCost {
        TileCost {
            cycles: f(self.cycles, o.cycles),
            precompute_cycles: f(self.precompute_cycles, o.precompute_cycles),
            table_entries_written: f(self.table_entries_written, o.table_entries_written),
            precompute_adds: f(self.precompute_adds, o.precompute_adds),
            table_reads: f(self.table_reads, o.table_reads),
            accumulate_adds: f(self.accumulate_adds, o.accumulate_adds),
            weight_bits_read: f(self.weight_bits_read, o.weight_bits_read),
            results_written: f(self.results_written, o.results_written),
            activations_read: f(self.activations_read, o.activations_read),
            table_words_read: f(self.table_words_read, o.table_words_read),
        }
    }
}

/// Cost of one output tile: `tile_m x tile_n` outputs reduced over `K = k_chunks * tile_k`, at
/// `weight_bits` two's complement bit planes (`1..=max_weight_bits`; the caller guarantees the
/// range).
pub fn tile_cost(array: &LutArray, weight_bits: u32, k_chunks: u64) -> TileCost {
    tile_cost_mode(array, weight_bits, false, k_chunks)
}

/// [`tile_cost`] with the `cmd`'s signed-binary plane mode: `binary` (one ±1 plane on a
/// symmetric array) has the cycles of `weight_bits = 1` and no row-sum correction adds.
pub fn tile_cost_mode(array: &LutArray, weight_bits: u32, binary: bool, k_chunks: u64) -> TileCost {
    let m = u64::from(array.tile_m);
    let n = u64::from(array.tile_n);
    let g = u64::from(array.group);
    let groups = u64::from(array.groups_per_pass());
    let entries = u64::from(array.table_entries());
    let bits = u64::from(weight_bits);
    let chunks = k_chunks;
    let sym = u64::from(array.symmetric);
    let corrected = u64::from(array.symmetric && !binary);
    let lookup_cycles = chunks * groups * bits;
    let precompute_cycles = match array.precompute {
        Precompute::Fused => groups,
        Precompute::Standalone => chunks * groups,
    };
    let tables = chunks * groups * m;
    TileCost {
        cycles: precompute_cycles + lookup_cycles + m + 2,
        precompute_cycles,
        table_entries_written: tables * entries,
        precompute_adds: tables * (entries * (g - 1) + sym),
        table_reads: lookup_cycles * m * n,
        accumulate_adds: lookup_cycles * m * n + corrected * m * n,
        weight_bits_read: lookup_cycles * n * g,
        results_written: m * n,
        activations_read: chunks * groups * g * m,
        table_words_read: lookup_cycles,
    }
}

/// Cycles of `n_tiles` tiles issued back to back on one array (exactly `n_tiles * cycles`).
pub fn tiles_cycles(array: &LutArray, weight_bits: u32, k_chunks: u64, n_tiles: u64) -> u64 {
    n_tiles * tile_cost(array, weight_bits, k_chunks).cycles
}

#[cfg(test)]
mod tests {
    use super::*;

    fn default_array() -> LutArray {
        LutArray {
            tile_m: 2,
            tile_n: 64,
            tile_k: 256,
            group: 4,
            symmetric: true,
            max_weight_bits: 4,
            act_bits: 8,
            acc_bits: 32,
            precompute: Precompute::Fused,
            act_format: crate::lut_tensor_core::ActMode::Int,
        }
    }

    #[test]
    fn default_tile_cycles() {
        // G = 64: 64 precompute + 64*4 lookups + 2 drain + 2.
        assert_eq!(tile_cost(&default_array(), 4, 1).cycles, 64 + 256 + 2 + 2);
        let standalone = LutArray {
            precompute: Precompute::Standalone,
            ..default_array()
        };
        assert_eq!(tile_cost(&standalone, 2, 3).cycles, 3 * 64 * 3 + 4);
        assert_eq!(tiles_cycles(&default_array(), 1, 2, 5), 5 * (64 + 128 + 4));
    }
}
