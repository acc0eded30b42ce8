//! Fast MAC tile model: the closed-form cycle count of tiles issued back to back.

use crate::mac_tensor_core::MacArray;

/// Cycles of `n_tiles` output tiles of `k_steps` k-steps each, issued back to back on one array:
/// first issue through the last results out, inclusive (0 for no tile).
pub fn tiles_cycles(array: &MacArray, k_steps: u64, n_tiles: u64) -> u64 {
    if n_tiles == 0 || k_steps == 0 {
        return 0;
    }
    n_tiles * k_steps + u64::from(array.pipeline_cycles) - 1
}
