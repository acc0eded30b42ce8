//! The MAC tile's views agree, over the legal configuration space: the stepped model's values
//! equal integer GEMM reduced modulo `2^acc_bits`, and the fast model's cycle and event counts
//! equal the stepped model's, per tile and for tiles issued back to back.

use lutforge_models::numerics::{int_gemm, GemmShape};
use lutforge_sim::mac_tensor_core::stepped::{dequantize, weight_field, wrap};
use lutforge_sim::mac_tensor_core::{
    run_tile, run_tiles, tile_cost, tiles_cycles, MacActMode, MacArray, MacError, MacTileInput,
};
use lutforge_sim::tile::OperandError;
use proptest::prelude::*;

mod common;

/// Failing cases of this file's properties, replayed first on every run (committed).
const REGRESSIONS: &str = common::regressions!("mac_tile_props");

/// A dimension: mostly small, sometimes anywhere in its declared range.
fn dim(max: u32) -> impl Strategy<Value = u32> {
    prop_oneof![3 => 1u32..=8, 1 => 1u32..=max]
}

/// Any legal array whose `tile_m * tile_n * tile_k` stays small enough to step quickly.
fn array() -> impl Strategy<Value = MacArray> {
    (
        dim(256),
        dim(1024),
        dim(256),
        4u32..=16,
        8u32..=64,
        prop_oneof![3 => 1u32..=8, 1 => 1u32..=64],
    )
        .prop_filter("small enough to step", |(m, n, k, ..)| {
            u64::from(*m) * u64::from(*n) * u64::from(*k) <= 4096
        })
        .prop_map(
            |(tile_m, tile_n, tile_k, mult_bits, acc_bits, pipeline_cycles)| MacArray {
                tile_m,
                tile_n,
                tile_k,
                mult_bits,
                acc_bits,
                pipeline_cycles,
                act_format: MacActMode::Int,
            },
        )
}

/// A seeded linear-congruential draw in `lo..=hi`.
fn draws(seed: u64) -> impl FnMut(i64, i64) -> i64 {
    let mut state = seed;
    move |lo, hi| {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        lo + ((state >> 33) as i64).rem_euclid(hi - lo + 1)
    }
}

/// A tile of full-range operands.
fn tile(a: &MacArray, weight_bits: u32, k_chunks: u64, seed: u64) -> MacTileInput {
    let k = k_chunks as usize * a.tile_k as usize;
    let mut next = draws(seed);
    let half = |bits: u32| 1i64 << (bits - 1);
    let (am, wm) = (half(a.mult_bits), half(weight_bits));
    MacTileInput {
        weight_bits,
        k_chunks,
        activations: (0..a.tile_m as usize * k)
            .map(|_| next(-am, am - 1))
            .collect(),
        weights: (0..k * a.tile_n as usize)
            .map(|_| next(-wm, wm - 1))
            .collect(),
    }
}

/// Integer GEMM by a plain triple loop in `i128`, reduced modulo `2^acc_bits`.
fn reference(a: &MacArray, t: &MacTileInput) -> Vec<i64> {
    let (m, n, k) = (a.tile_m as usize, a.tile_n as usize, t.depth(a));
    let mut out = Vec::with_capacity(m * n);
    for row in 0..m {
        for col in 0..n {
            let dot: i128 = (0..k)
                .map(|kk| {
                    i128::from(t.activations[row * k + kk]) * i128::from(t.weights[kk * n + col])
                })
                .sum();
            out.push(wrap(dot, a.acc_bits) as i64);
        }
    }
    out
}

/// `models::numerics::int_gemm` (INT8 activations), reduced modulo `2^acc_bits`.
fn models_gemm(a: &MacArray, t: &MacTileInput) -> Vec<i64> {
    let acts: Vec<i8> = t.activations.iter().map(|&v| v as i8).collect();
    let weights: Vec<i32> = t.weights.iter().map(|&v| v as i32).collect();
    let shape = GemmShape {
        m: a.tile_m as usize,
        k: t.depth(a),
        n: a.tile_n as usize,
    };
    int_gemm(&acts, &weights, shape)
        .unwrap()
        .into_iter()
        .map(|v| wrap(i128::from(v), a.acc_bits) as i64)
        .collect()
}

proptest! {
    #![proptest_config(common::persisted(96, REGRESSIONS))]

    #[test]
    fn stepped_equals_integer_gemm_and_fast_equals_stepped(
        a in array(),
        bits_pick in any::<u32>(),
        k_chunks in 1u64..=6,
        n_tiles in 1usize..=3,
        seed in any::<u64>(),
    ) {
        let weight_bits = 1 + bits_pick % a.mult_bits;
        let tiles: Vec<MacTileInput> = (0..n_tiles)
            .map(|i| tile(&a, weight_bits, k_chunks, seed.wrapping_add(i as u64)))
            .collect();
        let run = run_tiles(&a, &tiles).unwrap();
        let fast = tile_cost(&a, k_chunks);
        prop_assert_eq!(run.cycles, tiles_cycles(&a, k_chunks, n_tiles as u64));
        for (t, got) in tiles.iter().zip(&run.tiles) {
            prop_assert_eq!(got.events, fast);
            prop_assert_eq!(got.cycles, fast.cycles);
            prop_assert_eq!(&got.results, &reference(&a, t));
            if a.mult_bits <= 8 {
                prop_assert_eq!(&got.results, &models_gemm(&a, t));
            }
        }
    }

    #[test]
    fn dequantize_inverts_the_wire_field(bits in 1u32..=16, extra in 0u32..=12, pick in any::<i64>()) {
        let mult_bits = (bits + extra).min(16);
        let half = 1i64 << (bits - 1);
        let code = pick.rem_euclid(2 * half) - half;
        let field = weight_field(code, bits, mult_bits);
        prop_assert!((0..1i64 << mult_bits).contains(&field));
        prop_assert_eq!(dequantize(field, bits), code);
    }
}

fn small() -> MacArray {
    MacArray {
        tile_m: 2,
        tile_n: 3,
        tile_k: 4,
        mult_bits: 8,
        acc_bits: 16,
        pipeline_cycles: 4,
        act_format: MacActMode::Int,
    }
}

/// The long reductions real models issue (llama `ffn_down`, K = 11008) wrap a narrow
/// accumulator, and the wrapped values still equal GEMM modulo `2^acc_bits`.
#[test]
fn long_reductions_wrap_the_accumulator() {
    let a = small();
    let t = tile(&a, 8, 11008 / 4, 7);
    let run = run_tile(&a, &t).unwrap();
    assert_eq!(run.cycles, 2752 + 4 + 2);
    assert_eq!(run.results, reference(&a, &t));
    let k = t.depth(&a);
    let exact: i128 = (0..k)
        .map(|kk| i128::from(t.activations[kk]) * i128::from(t.weights[kk * 3]))
        .sum();
    assert_ne!(
        exact,
        i128::from(run.results[0]),
        "the accumulator must have wrapped"
    );
}

/// Transfers happen where the specification says: k-steps in cycles `1..=C`, rows from
/// `C + P`.
#[test]
fn transfer_cycles_follow_the_specification() {
    let a = small();
    let run = run_tile(&a, &tile(&a, 3, 5, 1)).unwrap();
    assert_eq!(run.act_cycles, vec![1, 2, 3, 4, 5]);
    assert_eq!(run.wgt_cycles, run.act_cycles);
    assert_eq!(run.res_cycles, vec![9, 10]);
    assert_eq!(run.cycles, 11);
}

#[test]
fn illegal_operands_are_errors() {
    let a = small();
    let mut t = tile(&a, 4, 1, 3);
    t.activations.pop();
    assert_eq!(
        run_tile(&a, &t).unwrap_err(),
        MacError::Operand {
            tile: 0,
            error: OperandError::Shape {
                what: "activations",
                got: 7,
                expected: 8
            }
        }
    );
    let mut t = tile(&a, 4, 1, 3);
    t.weights[5] = 8;
    assert_eq!(
        run_tile(&a, &t).unwrap_err().to_string(),
        "tile 0: weights value 8 at index 5 does not fit 4 signed bits"
    );
    let t = tile(&a, 9, 1, 3);
    assert_eq!(
        run_tile(&a, &t).unwrap_err().to_string(),
        "weight_bits 9 is outside 1..=8"
    );
}
