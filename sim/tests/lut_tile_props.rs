//! Property tests of the LUT tile over the legal configuration space (group 1..=6, tile_m,
//! tile_n across the column alignment, integer widths 2..=16, FP16 and FP8 activations, both
//! precompute schedules, plain and symmetric tables, the signed-binary plane mode, up to 8 K
//! chunks):
//!
//! * the stepped model equals integer GEMM (integer activations), `models::numerics::lut_gemm`
//!   (the one table definition, INT8 operands), and bit for bit
//!   `models::numerics::lut_gemm_fp` (floating-point activations);
//! * floating-point results lie within a stated error bound of the exact (f64) dot product;
//! * the fast model's cycle and event counts equal the stepped model's.

use lutforge_models::numerics::{self, ActEncoding, FpLutConfig, GemmShape, LutGemmConfig};
use lutforge_sim::lut_tensor_core::{run_tile, stepped::wrap, tile_cost_mode, TileInput};
use lutforge_sim::lut_tensor_core::{ActMode, LutArray, Precompute};
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

/// A finite FP16 pattern: `tame` keeps |a| < 2^10 (no table overflow); otherwise every finite
/// exponent, so saturation and flushing are exercised. Zeros and subnormals appear too.
fn fp16_pattern(state: &mut u64, tame: bool) -> i64 {
    let r = splitmix(state);
    let sign = (r & 1) << 15;
    let man = (r >> 1) & 0x3ff;
    let exp = match (r >> 11) % 16 {
        0 => 0,
        _ if tame => 1 + (r >> 16) % 24,
        _ => (r >> 16) % 31,
    };
    (sign | exp << 10 | man) as i64
}

/// A finite FP8 E4M3 pattern (never the NaN patterns `S.1111.111`).
fn fp8_pattern(state: &mut u64) -> i64 {
    let x = splitmix(state) % 256;
    (if x & 0x7f == 0x7f { x - 1 } else { x }) as i64
}

#[derive(Debug, Clone)]
struct Case {
    array: LutArray,
    input: TileInput,
    /// Activations drawn so that no FP16 table entry overflows (the f64 bound applies).
    tame: bool,
}

fn case(max_chunks: u64) -> impl Strategy<Value = Case> {
    (
        (
            1u32..=6,
            1u32..=8,
            1u32..=40,
            1u32..=8,
            any::<bool>(),
            1u32..=8,
        ),
        (
            0u32..4,
            2u32..=16,
            0u32..=8,
            any::<bool>(),
            1u64..=max_chunks,
            any::<u64>(),
        ),
        (0u32..16, 0u32..4, any::<bool>(), any::<bool>()),
    )
        .prop_map(
            move |(
                (group, tile_m, tile_n, groups, sym, max_bits),
                (mode, act_bits, acc_extra, fused, k_chunks, seed),
                (b, binary_draw, tame, act_fp),
            )| {
                let act_format = [
                    ActMode::Int,
                    ActMode::Fp16,
                    ActMode::Fp8E4M3,
                    ActMode::IntFp16,
                ][mode as usize];
                let symmetric = sym && group >= 2;
                let mut array = LutArray {
                    tile_m,
                    tile_n,
                    tile_k: group * groups,
                    group,
                    symmetric,
                    max_weight_bits: max_bits,
                    act_bits: match act_format {
                        ActMode::Fp16 | ActMode::Fp8E4M3 => {
                            act_format.encoding().map_or(act_bits, ActEncoding::bits)
                        }
                        _ => act_bits,
                    },
                    acc_bits: 32,
                    precompute: if fused {
                        Precompute::Fused
                    } else {
                        Precompute::Standalone
                    },
                    act_format,
                };
                if act_format == ActMode::Int {
                    array.acc_bits = (array.min_acc_bits() + acc_extra).clamp(8, 64);
                }
                let binary = symmetric && binary_draw == 0;
                let weight_bits = if binary { 1 } else { 1 + b % max_bits };
                let k = (k_chunks * u64::from(array.tile_k)) as usize;
                let mut state = seed;
                let activations = (0..tile_m as usize * k)
                    .map(|_| match array.tile_encoding(act_fp) {
                        None => signed(&mut state, array.act_bits),
                        Some(ActEncoding::Fp16) => fp16_pattern(&mut state, tame),
                        Some(ActEncoding::Fp8E4M3) => fp8_pattern(&mut state),
                    })
                    .collect();
                let weights = (0..k * tile_n as usize)
                    .map(|_| {
                        if binary {
                            if splitmix(&mut state) & 1 == 1 {
                                1
                            } else {
                                -1
                            }
                        } else {
                            signed(&mut state, weight_bits)
                        }
                    })
                    .collect();
                Case {
                    array,
                    input: TileInput {
                        weight_bits,
                        k_chunks,
                        activations,
                        weights,
                        binary,
                        act_fp,
                    },
                    tame: tame || act_format == ActMode::Fp8E4M3,
                }
            },
        )
}

fn shape(c: &Case) -> GemmShape {
    GemmShape {
        m: c.array.tile_m as usize,
        k: c.input.depth(&c.array),
        n: c.array.tile_n as usize,
    }
}

fn int_gemm(c: &Case) -> Vec<i64> {
    let GemmShape { m, k, n } = shape(c);
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

fn weights_i32(c: &Case) -> Vec<i32> {
    c.input.weights.iter().map(|&w| w as i32).collect()
}

/// `models::numerics::lut_gemm_fp` of the case, as sign-extended FP32 patterns.
fn fp_reference(c: &Case, enc: ActEncoding) -> Result<Vec<i64>, TestCaseError> {
    let acts: Vec<u32> = c.input.activations.iter().map(|&a| a as u32).collect();
    let config = FpLutConfig {
        weight_bits: c.input.weight_bits,
        g: c.array.group as usize,
        symmetric: c.array.symmetric,
        binary: c.input.binary,
    };
    let out = numerics::lut_gemm_fp(&acts, enc, &weights_i32(c), shape(c), config)
        .map_err(|e| TestCaseError::fail(e.to_string()))?;
    Ok(out.into_iter().map(|x| i64::from(x as i32)).collect())
}

/// Checks every FP32 result against the exact dot product of the activations' values (f64).
///
/// Bound, per output, with `u16 = 2^-11`, `u32 = 2^-24`, `A = sum_k |a_k|` of the row,
/// `P = 2^b - 1` (1 in binary mode), `n = K/g * b` accumulated lookups: each table entry is a
/// fold of `g` FP16 terms (relative error at most `(g-1) u16` of `sum |a_i|`, plus `2^-14` per
/// add flushed to zero); the FP32 fold of `n` terms of total magnitude at most `A P` (and the
/// row sum, magnitude `A`) adds at most `(n + 2) u32 (A P + A)`; halving is exact. So
/// `|r - dot| <= (g u16 + (n + 2) u32) (A P + A) + g 2^-14 (K/g) P`, times 1.01 for the
/// second-order terms.
fn check_f64_bound(c: &Case, enc: ActEncoding, results: &[i64]) -> Result<(), TestCaseError> {
    let GemmShape { m, k, n } = shape(c);
    let g = f64::from(c.array.group);
    let p = if c.input.binary {
        1.0
    } else {
        f64::from((1u32 << c.input.weight_bits) - 1)
    };
    let lookups = (k as f64 / g) * f64::from(c.input.weight_bits);
    for r in 0..m {
        let vals: Vec<f64> = (0..k)
            .map(|i| {
                enc.value(c.input.activations[r * k + i] as u32)
                    .unwrap_or(f64::NAN)
            })
            .collect();
        let a: f64 = vals.iter().map(|v| v.abs()).sum();
        for col in 0..n {
            let dot: f64 = (0..k)
                .map(|i| vals[i] * c.input.weights[i * n + col] as f64)
                .sum();
            let got = f64::from(f32::from_bits(results[r * n + col] as u32));
            let bound = 1.01
                * ((g * 2f64.powi(-11) + (lookups + 2.0) * 2f64.powi(-24)) * (a * p + a)
                    + g * 2f64.powi(-14) * (k as f64 / g) * p);
            prop_assert!(
                (got - dot).abs() <= bound,
                "row {} col {}: got {}, exact {}, bound {}",
                r,
                col,
                got,
                dot,
                bound
            );
        }
    }
    Ok(())
}

fn check_values(c: &Case) -> Result<(), TestCaseError> {
    let run = run_tile(&c.array, &c.input).map_err(|e| TestCaseError::fail(e.to_string()))?;
    match c.array.tile_encoding(c.input.act_fp) {
        None => {
            prop_assert_eq!(&run.results, &int_gemm(c));
            if c.array.act_bits <= 8 && !c.input.binary && c.input.weight_bits <= 8 {
                // The models crate's LUT GEMM (same table definition, INT8 activations).
                let acts: Vec<i8> = c.input.activations.iter().map(|&a| a as i8).collect();
                let config = LutGemmConfig {
                    weight_bits: c.input.weight_bits,
                    signed: true,
                    g: c.array.group as usize,
                    symmetric: c.array.symmetric,
                };
                let reference = numerics::lut_gemm(&acts, &weights_i32(c), shape(c), config)
                    .map_err(|e| TestCaseError::fail(e.to_string()))?;
                let wrapped: Vec<i64> = reference
                    .into_iter()
                    .map(|v| wrap(i128::from(v), c.array.acc_bits) as i64)
                    .collect();
                prop_assert_eq!(&run.results, &wrapped);
            }
        }
        Some(enc) => {
            prop_assert_eq!(&run.results, &fp_reference(c, enc)?);
            if c.tame {
                check_f64_bound(c, enc, &run.results)?;
            }
        }
    }
    Ok(())
}

fn check_cycles(c: &Case) -> Result<(), TestCaseError> {
    let run = run_tile(&c.array, &c.input).map_err(|e| TestCaseError::fail(e.to_string()))?;
    let fast = tile_cost_mode(
        &c.array,
        c.input.weight_bits,
        c.input.binary,
        c.input.k_chunks,
    );
    prop_assert_eq!(fast.cycles, run.cycles);
    prop_assert_eq!(fast, run.events);
    prop_assert_eq!(*run.res_cycles.last().unwrap_or(&0) + 1, run.cycles);
    Ok(())
}

proptest! {
    #![proptest_config(common::persisted(96, REGRESSIONS))]

    #[test]
    fn stepped_equals_the_references(c in case(8)) {
        check_values(&c)?;
    }

    #[test]
    fn fast_equals_stepped(c in case(8)) {
        check_cycles(&c)?;
    }
}

proptest! {
    #![proptest_config(common::persisted(4, REGRESSIONS))]

    /// K chunk counts the mapper issues for real layers (llama ffn_down: K = 11008 at
    /// tile_k 256 is 43 chunks) and beyond.
    #[test]
    fn long_reductions(c in case(8), chunks in 40u64..=90) {
        let k = (chunks * u64::from(c.array.tile_k)) as usize;
        // The short case's operands, repeated along K.
        let long = Case {
            input: TileInput {
                k_chunks: chunks,
                activations: (0..c.array.tile_m as usize * k)
                    .map(|i| c.input.activations[i % c.input.activations.len()])
                    .collect(),
                weights: (0..k * c.array.tile_n as usize)
                    .map(|i| c.input.weights[i % c.input.weights.len()])
                    .collect(),
                ..c.input.clone()
            },
            ..c
        };
        check_values(&long)?;
        check_cycles(&long)?;
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
                act_format: ActMode::Int,
            };
            array.acc_bits = array.min_acc_bits();
            let input = TileInput {
                weight_bits: b,
                k_chunks: 1,
                activations: vec![-128; 8],
                weights: vec![-(1 << (b - 1)); 16],
                binary: false,
                act_fp: false,
            };
            let run = run_tile(&array, &input).unwrap();
            assert_eq!(run.results, vec![8 * 128 * (1 << (b - 1)); 2]);
        }
    }
}

#[test]
fn binary_plane_is_one_plane_without_correction() {
    let array = LutArray {
        tile_m: 1,
        tile_n: 1,
        tile_k: 4,
        group: 4,
        symmetric: true,
        max_weight_bits: 4,
        act_bits: 8,
        acc_bits: 16,
        precompute: Precompute::Fused,
        act_format: ActMode::Int,
    };
    let input = TileInput {
        weight_bits: 1,
        k_chunks: 1,
        activations: vec![3, -5, 7, 100],
        weights: vec![1, -1, -1, 1],
        binary: true,
        act_fp: false,
    };
    let run = run_tile(&array, &input).unwrap();
    assert_eq!(run.results, vec![3 + 5 - 7 + 100]);
    let two_planes = tile_cost_mode(&array, 2, false, 1);
    assert!(run.cycles < two_planes.cycles);
    // Zero is not a binary weight; a plain array has no binary mode.
    let zero = TileInput {
        weights: vec![1, 0, -1, 1],
        ..input.clone()
    };
    assert!(run_tile(&array, &zero).is_err());
    let plain = LutArray {
        symmetric: false,
        ..array
    };
    assert!(run_tile(&plain, &input).is_err());
}

#[test]
fn stepped_tables_are_the_models_tables() {
    // The stepped model's precompute (sim) against the one table definition (models), entry by
    // entry, for every group size and both table kinds; lookups through the models' mirror.
    let mut state = 3;
    for group in 1..=6u32 {
        for symmetric in [false, true] {
            if symmetric && group < 2 {
                continue;
            }
            let array = LutArray {
                tile_m: 3,
                tile_n: 1,
                tile_k: group,
                group,
                symmetric,
                max_weight_bits: 1,
                act_bits: 12,
                acc_bits: 32,
                precompute: Precompute::Fused,
                act_format: ActMode::Int,
            };
            let beat: Vec<i64> = (0..3 * group).map(|_| signed(&mut state, 12)).collect();
            let (tables, _) = lutforge_sim::lut_tensor_core::stepped::build_tables(&array, &beat);
            for (row, table) in tables.iter().enumerate() {
                let acts: Vec<i128> = beat[row * group as usize..][..group as usize]
                    .iter()
                    .map(|&a| i128::from(a))
                    .collect();
                assert_eq!(table, &numerics::build_table(&acts, symmetric).unwrap());
                for idx in 0..1usize << group {
                    let signed_sum: i128 = (0..group as usize)
                        .map(|i| match (symmetric, idx >> i & 1 == 1) {
                            (_, true) => acts[i],
                            (false, false) => 0,
                            (true, false) => -acts[i],
                        })
                        .sum();
                    assert_eq!(numerics::lookup(table, idx, symmetric).unwrap(), signed_sum);
                }
            }
        }
    }
}
