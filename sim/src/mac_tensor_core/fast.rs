//! Fast MAC tile model: the closed-form cycle count and event counts of one tile.
//!
//! Derived from the micro-architecture in the parent module's doc; property tests hold every
//! number here equal to [`super::stepped`], which never gets called from here.

use crate::mac_tensor_core::MacArray;

/// Cost of one output tile (`tile_m x tile_n` outputs reduced over `k_chunks * tile_k`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct TileCost {
    /// Cycles from the `cmd` transfer through the last result transfer, inclusive (what the RTL
    /// counts); `n` back-to-back tiles take `n * cycles`.
    pub cycles: u64,
    /// k-steps issued (one `act` and one `wgt` beat each).
    pub k_steps: u64,
    /// Weight codes dequantized (`tile_n * tile_k` per k-step, shared by all rows).
    pub weights_dequantized: u64,
    /// Multiplications.
    pub products: u64,
    /// Adder-tree additions (`tile_k - 1` per output per k-step).
    pub tree_adds: u64,
    /// Accumulator additions (one per output per k-step).
    pub accumulate_adds: u64,
    /// Activations streamed in.
    pub activations_read: u64,
    /// Results streamed out.
    pub results_written: u64,
}

/// Cost of one output tile of `k_chunks` k-steps (`K = k_chunks * tile_k`).
pub fn tile_cost(array: &MacArray, k_chunks: u64) -> TileCost {
    let m = u64::from(array.tile_m);
    let n = u64::from(array.tile_n);
    let t = u64::from(array.tile_k);
    let c = k_chunks;
    TileCost {
        cycles: c + u64::from(array.pipeline_cycles) + m,
        k_steps: c,
        weights_dequantized: c * n * t,
        products: c * m * n * t,
        tree_adds: c * m * n * (t - 1),
        accumulate_adds: c * m * n,
        activations_read: c * m * t,
        results_written: m * n,
    }
}

/// Cycles of `n_tiles` tiles of `k_chunks` k-steps each, issued back to back on one array
/// (exactly `n_tiles * cycles`; 0 for no tile or no k-step).
pub fn tiles_cycles(array: &MacArray, k_chunks: u64, n_tiles: u64) -> u64 {
    if k_chunks == 0 {
        return 0;
    }
    n_tiles * tile_cost(array, k_chunks).cycles
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_tile_counts() {
        let a = MacArray {
            tile_m: 2,
            tile_n: 64,
            tile_k: 4,
            mult_bits: 8,
            acc_bits: 32,
            pipeline_cycles: 4,
            act_format: crate::mac_tensor_core::MacActMode::Int,
        };
        let c = tile_cost(&a, 10);
        assert_eq!(c.cycles, 10 + 4 + 2);
        assert_eq!(c.products, 10 * 2 * 64 * 4);
        assert_eq!(c.tree_adds, 10 * 2 * 64 * 3);
        assert_eq!(tiles_cycles(&a, 10, 3), 48);
        assert_eq!(tiles_cycles(&a, 0, 3), 0);
    }
}
