//! Property tests of the LUT tile: the stepped model equals plain integer GEMM, and the fast
//! model's cycle and event counts equal the stepped model's, for random legal tiles.

use lutforge_sim::lut_tensor_core::{run_tile, stepped::wrap, tile_cost, TileInput};
use lutforge_sim::lut_tensor_core::{LutArray, Precompute};
use proptest::prelude::*;

mod common;

/// Failing cases of this file's properties, replayed first on every run (committed).
const REGRESSIONS: &str = common::regressions!("lut_tile_props");

/// splitmix64: a tiny deterministic generator for operand values.
fn splitmix(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

fn signed(state: &mut u64, bits: u32) -> i64 {
    (splitmix(state) % (1 << bits)) as i64 - (1i64 << (bits - 1))
}

#[derive(Debug, Clone)]
struct Case {
    array: LutArray,
    input: TileInput,
}

fn case() -> impl Strategy<Value = Case> {
    (
        (
            1u32..=4,
            1u32..=8,
            2u32..=4,
            1u32..=4,
            any::<bool>(),
            1u32..=8,
        ),
        (
            2u32..=8,
            0u32..=8,
            any::<bool>(),
            1u64..=4,
            any::<u64>(),
            0u32..8,
        ),
    )
        .prop_map(
            |(
                (tile_m, tile_n, group, groups, symmetric, max_bits),
                (act_bits, acc_extra, fused, k_chunks, seed, b),
            )| {
                let mut array = LutArray {
                    tile_m,
                    tile_n,
                    tile_k: group * groups,
                    group,
                    symmetric,
                    max_weight_bits: max_bits,
                    act_bits,
                    acc_bits: 0,
                    precompute: if fused {
                        Precompute::Fused
                    } else {
                        Precompute::Standalone
                    },
                };
                array.acc_bits = (array.min_acc_bits() + acc_extra).max(8);
                let weight_bits = 1 + b % max_bits;
                let k = (k_chunks * u64::from(array.tile_k)) as usize;
                let mut state = seed;
                let activations = (0..tile_m as usize * k)
                    .map(|_| signed(&mut state, act_bits))
                    .collect();
                let weights = (0..k * tile_n as usize)
                    .map(|_| signed(&mut state, weight_bits))
                    .collect();
                Case {
                    array,
                    input: TileInput {
                        weight_bits,
                        k_chunks,
                        activations,
                        weights,
                    },
                }
            },
        )
}

fn int_gemm(c: &Case) -> Vec<i64> {
    let (m, n, k) = (
        c.array.tile_m as usize,
        c.array.tile_n as usize,
        c.input.depth(&c.array),
    );
    let mut out = Vec::with_capacity(m * n);
    for r in 0..m {
        for col in 0..n {
            let s: i128 = (0..k)
                .map(|i| {
                    i128::from(c.input.activations[r * k + i])
                        * i128::from(c.input.weights[i * n + col])
                })
                .sum();
            out.push(wrap(s, c.array.acc_bits) as i64);
        }
    }
    out
}

proptest! {
    #![proptest_config(common::persisted(128, REGRESSIONS))]

    #[test]
    fn stepped_equals_integer_gemm(c in case()) {
        let run = run_tile(&c.array, &c.input).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(run.results, int_gemm(&c));
    }

    #[test]
    fn fast_equals_stepped(c in case()) {
        let run = run_tile(&c.array, &c.input).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let fast = tile_cost(&c.array, c.input.weight_bits, c.input.k_chunks);
        prop_assert_eq!(fast.cycles, run.cycles);
        prop_assert_eq!(fast, run.events);
        prop_assert_eq!(*run.res_cycles.last().unwrap_or(&0) + 1, run.cycles);
    }
}

#[test]
fn extreme_operands_fill_the_accumulator_exactly() {
    // Most negative activations and weights at every width: the widest single-pass result.
    for symmetric in [false, true] {
        for b in 1..=4 {
            let mut array = LutArray {
                tile_m: 1,
                tile_n: 2,
                tile_k: 8,
                group: 4,
                symmetric,
                max_weight_bits: 4,
                act_bits: 8,
                acc_bits: 0,
                precompute: Precompute::Fused,
            };
            array.acc_bits = array.min_acc_bits();
            let input = TileInput {
                weight_bits: b,
                k_chunks: 1,
                activations: vec![-128; 8],
                weights: vec![-(1 << (b - 1)); 16],
            };
            let run = run_tile(&array, &input).unwrap();
            assert_eq!(run.results, vec![8 * 128 * (1 << (b - 1)); 2]);
        }
    }
}
