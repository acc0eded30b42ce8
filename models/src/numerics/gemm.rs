//! Integer GEMM reference and the LUT mixed-precision GEMM it checks.
//!
//! Layouts: activations `M x K` row-major INT8, weights `K x N` row-major integers of
//! `weight_bits` bits (signed two's complement or unsigned, see [`super::bitplane`]), output
//! `M x N` row-major `i64`, exact.
//!
//! # LUT GEMM
//!
//! The reduction dimension K is cut into `ceil(K / g)` groups of `g` activations; a final
//! short group is **padded with zero activations** (and zero weight bits), which changes no
//! result, so any K >= 1 is accepted. For row `m`, group `j` and column `n`:
//!
//! ```text
//! out[m][n] = sum_b coef_b * sum_j T_(m,j)[idx_(b,j,n)]
//! idx_(b,j,n) = sum_i bit_b(W[g*j + i][n]) << i          (group_index)
//! coef_b = plane_coefficient(b, weight_bits, signed)
//! ```
//!
//! With `symmetric` the tables hold `U = 2T - S_j` (see [`super::table`]), and
//!
//! ```text
//! acc       = sum_b coef_b * sum_j U_(m,j)[idx_(b,j,n)]
//! out[m][n] = (acc + symmetric_correction(sum_k A[m][k], weight_bits, signed)) >> 1
//! ```
//!
//! because `sum_j U = 2 sum_j T - sum_k A[m][k]` for every plane and
//! `sum_b coef_b = coefficient_sum` (-1 signed, `2^bits - 1` unsigned). `acc + correction`
//! is always even, so the shift is exact.

use super::bitplane::{check_weights, coefficient_sum, plane_bit, plane_coefficient};
use super::error::{check_range, NumericsError};
use super::table::{build_table, lookup, MAX_GROUP};

/// Matrix sizes of `C[M x N] = A[M x K] * W[K x N]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GemmShape {
    /// Rows of the activations and of the output (tokens).
    pub m: usize,
    /// Reduction length (input features).
    pub k: usize,
    /// Columns of the weights and of the output (output features).
    pub n: usize,
}

/// How the LUT GEMM reads its weights and builds its tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LutGemmConfig {
    /// Weight width in bits, 1..=8 (one bit plane each).
    pub weight_bits: u32,
    /// Two's complement (true) or unsigned (false) weights.
    pub signed: bool,
    /// Activations per table, 1..=8 (the hardware uses 2..=4).
    pub g: usize,
    /// Store half tables (`2^(g-1)` entries) and correct at the end.
    pub symmetric: bool,
}

/// Checks slice lengths against the shape.
fn check_shape(acts: &[i8], weights: &[i32], shape: GemmShape) -> Result<(), NumericsError> {
    if shape.m.checked_mul(shape.n).is_none() {
        return Err(NumericsError::Param {
            what: "shape",
            value: i64::MAX,
            message: "m*n must fit in memory".to_string(),
        });
    }
    let pairs = [
        ("acts", shape.m.checked_mul(shape.k), acts.len()),
        ("weights", shape.k.checked_mul(shape.n), weights.len()),
    ];
    for (what, expected, got) in pairs {
        let expected = expected.ok_or(NumericsError::Param {
            what: "shape",
            value: i64::MAX,
            message: "m*k and k*n must fit in memory".to_string(),
        })?;
        if expected != got {
            return Err(NumericsError::Length {
                what,
                expected,
                got,
            });
        }
    }
    Ok(())
}

/// The correction a symmetric-table accumulator needs: `coefficient_sum(bits, signed) *
/// acts_sum`, where `acts_sum` is the sum of the row's activations. The integer result is
/// `(acc + correction) >> 1`.
pub fn symmetric_correction(acts_sum: i64, weight_bits: u32, signed: bool) -> i64 {
    coefficient_sum(weight_bits, signed) * acts_sum
}

/// Reference `C = A * W` with a plain triple loop, exact in `i64`.
pub fn int_gemm(acts: &[i8], weights: &[i32], shape: GemmShape) -> Result<Vec<i64>, NumericsError> {
    check_shape(acts, weights, shape)?;
    let GemmShape { m, k, n } = shape;
    let mut out = vec![0_i64; m * n];
    for row in 0..m {
        for kk in 0..k {
            let a = i64::from(acts[row * k + kk]);
            for col in 0..n {
                out[row * n + col] += a * i64::from(weights[kk * n + col]);
            }
        }
    }
    Ok(out)
}

/// `C = A * W` computed through bit planes and per-group lookup tables, as the LUT tensor
/// core does (module documentation). Equal to [`int_gemm`] for every legal input.
pub fn lut_gemm(
    acts: &[i8],
    weights: &[i32],
    shape: GemmShape,
    config: LutGemmConfig,
) -> Result<Vec<i64>, NumericsError> {
    check_shape(acts, weights, shape)?;
    check_range("g", config.g as i64, 1, MAX_GROUP as i64)?;
    check_weights(weights, config.weight_bits, config.signed)?;
    let GemmShape { m, k, n } = shape;
    let LutGemmConfig {
        weight_bits,
        signed,
        g,
        symmetric,
    } = config;
    let groups = k.div_ceil(g);
    let mut out = vec![0_i64; m * n];
    let mut padded = vec![0_i64; g];
    for row in 0..m {
        let row_acts = &acts[row * k..(row + 1) * k];
        let tables = (0..groups)
            .map(|j| {
                padded.fill(0);
                let chunk = &row_acts[j * g..((j + 1) * g).min(k)];
                for (p, &a) in padded.iter_mut().zip(chunk) {
                    *p = i64::from(a);
                }
                build_table(&padded, symmetric)
            })
            .collect::<Result<Vec<_>, _>>()?;
        let acts_sum: i64 = row_acts.iter().map(|&a| i64::from(a)).sum();
        for col in 0..n {
            let mut acc = 0_i64;
            for plane in 0..weight_bits {
                let mut plane_sum = 0_i64;
                for (j, table) in tables.iter().enumerate() {
                    let index = (0..g)
                        .filter(|&i| j * g + i < k)
                        .map(|i| usize::from(plane_bit(weights[(j * g + i) * n + col], plane)) << i)
                        .sum();
                    plane_sum += lookup(table, index, symmetric)?;
                }
                acc += plane_coefficient(plane, weight_bits, signed) * plane_sum;
            }
            out[row * n + col] = if symmetric {
                (acc + symmetric_correction(acts_sum, weight_bits, signed)) >> 1
            } else {
                acc
            };
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tiny_example() {
        // [1 2 3] * [[1,-2],[0,1],[-1,1]] = [-2, 3]
        let shape = GemmShape { m: 1, k: 3, n: 2 };
        let acts = [1, 2, 3];
        let w = [1, -2, 0, 1, -1, 1];
        assert_eq!(int_gemm(&acts, &w, shape).unwrap(), vec![-2, 3]);
        for symmetric in [false, true] {
            let cfg = LutGemmConfig {
                weight_bits: 2,
                signed: true,
                g: 2,
                symmetric,
            };
            assert_eq!(lut_gemm(&acts, &w, shape, cfg).unwrap(), vec![-2, 3]);
        }
    }

    #[test]
    fn rejects_bad_input() {
        let shape = GemmShape { m: 1, k: 2, n: 1 };
        let cfg = LutGemmConfig {
            weight_bits: 2,
            signed: true,
            g: 2,
            symmetric: false,
        };
        assert!(matches!(
            lut_gemm(&[1], &[0, 0], shape, cfg),
            Err(NumericsError::Length { .. })
        ));
        assert_eq!(
            lut_gemm(&[1, 1], &[2, 0], shape, cfg)
                .unwrap_err()
                .to_string(),
            "weight 2 at index 0 does not fit 2-bit signed (range -2..=1)"
        );
        assert!(lut_gemm(&[1, 1], &[0, 0], shape, LutGemmConfig { g: 0, ..cfg }).is_err());
        assert!(lut_gemm(
            &[1, 1],
            &[0, 0],
            shape,
            LutGemmConfig {
                weight_bits: 9,
                ..cfg
            }
        )
        .is_err());
    }
}
