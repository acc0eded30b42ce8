//! The MAC tile's views agree: the stepped model computes integer GEMM, and the fast model's
//! cycle count equals the stepped model's, for random legal arrays and tile sequences.

use lutforge_sim::mac_tensor_core::MacArray;
use lutforge_sim::mac_tensor_core::{run_tiles, tiles_cycles, MacTileInput};
use proptest::prelude::*;

mod common;

/// Failing cases of this file's properties, replayed first on every run (committed).
const REGRESSIONS: &str = common::regressions!("mac_tile_props");

fn array() -> impl Strategy<Value = MacArray> {
    (1u32..=4, 1u32..=8, 1u32..=8, 1u32..=6).prop_map(
        |(tile_m, tile_n, tile_k, pipeline_cycles)| MacArray {
            tile_m,
            tile_n,
            tile_k,
            mult_bits: 8,
            acc_bits: 32,
            pipeline_cycles,
        },
    )
}

proptest! {
    #![proptest_config(common::persisted(128, REGRESSIONS))]

    #[test]
    fn stepped_equals_integer_gemm_and_fast_equals_stepped(
        a in array(),
        k_steps in 1u64..=5,
        n_tiles in 1usize..=4,
        seed in any::<u64>(),
    ) {
        let (m, n, k) = (a.tile_m as usize, a.tile_n as usize, k_steps as usize * a.tile_k as usize);
        let mut state = seed;
        let mut next = |lo: i64, hi: i64| {
            state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            lo + ((state >> 33) as i64).rem_euclid(hi - lo + 1)
        };
        let tiles: Vec<MacTileInput> = (0..n_tiles)
            .map(|_| MacTileInput {
                k_steps,
                activations: (0..m * k).map(|_| next(-128, 127)).collect(),
                weights: (0..k * n).map(|_| next(-8, 7)).collect(),
            })
            .collect();
        let run = run_tiles(&a, &tiles).unwrap();
        prop_assert_eq!(run.cycles, tiles_cycles(&a, k_steps, n_tiles as u64));
        for (t, got) in tiles.iter().zip(&run.results) {
            for row in 0..m {
                for col in 0..n {
                    let want: i64 = (0..k).map(|kk| t.activations[row * k + kk] * t.weights[kk * n + col]).sum();
                    prop_assert_eq!(got[row * n + col], want);
                }
            }
        }
    }
}

#[test]
fn mismatched_operands_are_an_error() {
    let a = MacArray {
        tile_m: 2,
        tile_n: 2,
        tile_k: 2,
        mult_bits: 8,
        acc_bits: 32,
        pipeline_cycles: 3,
    };
    let bad = MacTileInput {
        k_steps: 1,
        activations: vec![0; 3],
        weights: vec![0; 4],
    };
    assert_eq!(
        run_tiles(&a, &[bad]).unwrap_err(),
        "tile 0: operands do not match 2x2 with 1 k-steps of 2"
    );
}
