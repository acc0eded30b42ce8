//! Cycle-stepped MAC tile model: advances the pipeline one clock at a time and computes the real
//! output values of every tile.

use crate::mac_tensor_core::MacArray;

/// One output tile's operands: `tile_m x K` activations and `K x tile_n` integer weights
/// (row-major), `K = k_steps * tile_k`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MacTileInput {
    /// K-steps of this tile.
    pub k_steps: u64,
    /// Activations, `tile_m` rows of `K`.
    pub activations: Vec<i64>,
    /// Weights, `K` rows of `tile_n`.
    pub weights: Vec<i64>,
}

/// What a run of tiles produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MacRun {
    /// Per tile, `tile_m x tile_n` results (row-major).
    pub results: Vec<Vec<i64>>,
    /// First issue through the last results out, inclusive.
    pub cycles: u64,
}

/// One k-step in flight: which tile, whether it is the tile's last, and its partial sums.
struct InFlight {
    tile: usize,
    last: bool,
    partial: Vec<i64>,
}

/// Runs `tiles` back to back, one clock at a time. Inputs of the wrong length are an error
/// naming the tile.
pub fn run_tiles(array: &MacArray, tiles: &[MacTileInput]) -> Result<MacRun, String> {
    let (m, n, kt) = (
        array.tile_m as usize,
        array.tile_n as usize,
        array.tile_k as usize,
    );
    for (i, t) in tiles.iter().enumerate() {
        let k = t.k_steps as usize * kt;
        if t.k_steps == 0 || t.activations.len() != m * k || t.weights.len() != k * n {
            return Err(format!(
                "tile {i}: operands do not match {m}x{n} with {} k-steps of {kt}",
                t.k_steps
            ));
        }
    }
    let depth = array.pipeline_cycles as usize;
    // The pipeline: slot 0 is the stage an issued k-step enters, slot depth-1 the accumulate stage.
    let mut pipeline: Vec<Option<InFlight>> = (0..depth).map(|_| None).collect();
    let mut acc = vec![vec![0i64; m * n]; tiles.len()];
    let mut results = vec![Vec::new(); tiles.len()];
    let (mut tile, mut step) = (0usize, 0u64);
    let mut done = 0usize;
    let mut cycle = 0u64;
    while done < tiles.len() {
        // Issue: the next k-step of the current tile enters the first stage.
        let issued = (tile < tiles.len()).then(|| {
            let t = &tiles[tile];
            let k = t.k_steps as usize * kt;
            let base = step as usize * kt;
            let mut partial = vec![0i64; m * n];
            for row in 0..m {
                for col in 0..n {
                    partial[row * n + col] = (base..base + kt)
                        .map(|kk| t.activations[row * k + kk] * t.weights[kk * n + col])
                        .sum();
                }
            }
            let last = step + 1 == t.k_steps;
            let flight = InFlight {
                tile,
                last,
                partial,
            };
            step += 1;
            if last {
                tile += 1;
                step = 0;
            }
            flight
        });
        pipeline.rotate_right(1);
        pipeline[0] = issued;
        // The accumulate stage: add, and emit the tile's results with its last k-step.
        if let Some(f) = pipeline[depth - 1].take() {
            for (a, p) in acc[f.tile].iter_mut().zip(&f.partial) {
                *a += p;
            }
            if f.last {
                results[f.tile] = std::mem::take(&mut acc[f.tile]);
                done += 1;
            }
        }
        cycle += 1;
    }
    Ok(MacRun {
        results,
        cycles: cycle,
    })
}
