//! The LUT mixed-precision GEMM with floating-point activations: FP16 tables, FP32
//! accumulation, the rounding of [`super::fp`] in a fixed order. This is the reference the LUT
//! tile's stepped model is held equal to, bit for bit.
//!
//! Layouts as in [`super::gemm`]: activations `M x K` row-major (bit patterns of
//! [`ActEncoding`]), weights `K x N` row-major signed two's complement of `weight_bits` bits, or
//! ±1 with [`FpLutConfig::binary`]; `K` a multiple of `g`. Output `M x N` FP32 patterns.
//!
//! For row `m`, column `n`:
//!
//! 1. Each activation becomes FP16: an FP16 input is flushed (subnormal to zero of its sign);
//!    an FP8 E4M3 input is converted exactly ([`fp::fp8_e4m3_to_fp16`]).
//! 2. Group `j`'s table is [`super::table::build_table`] over [`Fp16`] (FP16 adds, the
//!    documented term order).
//! 3. `acc = +0`; for `j = 0, 1, ..` and, inside, plane `p = 0 .. b-1` (LSB first):
//!    `v = lookup(T_j, idx_(p,j,n))`, negated when plane `p` carries a negative coefficient
//!    (the top plane of two's complement; never in binary mode), converted to FP32
//!    ([`fp::fp16_to_fp32`]), scaled by `2^p` ([`fp::scale_pow2`]), and `acc = acc + v` (FP32).
//! 4. Symmetric tables, two's complement planes: `rowsum` is the FP32 fold over `j` of
//!    `fp16_to_fp32(T_j[E-1])` (each group's activation sum), and the result is
//!    `halve(acc + (-rowsum))`. Binary mode (a ±1 plane on a symmetric table, index bit 1 for
//!    `+1`) and plain tables: the result is `acc`.

use super::error::{check_range, NumericsError};
use super::fp::{self, FP16, FP32};
use super::gemm::GemmShape;
use super::table::{build_table, lookup, Fp16, MAX_GROUP};

/// How activation bit patterns are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ActEncoding {
    /// IEEE binary16 (low 16 bits).
    Fp16,
    /// OCP FP8 E4M3 (low 8 bits).
    Fp8E4M3,
}

impl ActEncoding {
    /// Bits per activation.
    pub fn bits(self) -> u32 {
        match self {
            ActEncoding::Fp16 => 16,
            ActEncoding::Fp8E4M3 => 8,
        }
    }

    /// The FP16 value the precompute unit adds: FP16 flushed, FP8 converted exactly. Refuses
    /// non-finite patterns and patterns wider than the encoding.
    pub fn to_fp16(self, x: u32) -> Result<u32, NumericsError> {
        match self {
            ActEncoding::Fp16 => {
                if x > 0xffff || !FP16.is_finite(x) {
                    return Err(NumericsError::Param {
                        what: "fp16 activation pattern",
                        value: i64::from(x),
                        message: "is infinite, NaN or wider than 16 bits".into(),
                    });
                }
                Ok(if FP16.exp_field(x) == 0 {
                    x & 0x8000
                } else {
                    x
                })
            }
            ActEncoding::Fp8E4M3 => fp::fp8_e4m3_to_fp16(x),
        }
    }

    /// The real value of a pattern as the table sees it (after [`ActEncoding::to_fp16`]).
    pub fn value(self, x: u32) -> Result<f64, NumericsError> {
        Ok(fp::to_f64(FP16, self.to_fp16(x)?))
    }
}

/// How the floating-point LUT GEMM reads its weights and builds its tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FpLutConfig {
    /// Weight width in bit planes, 1..=16 (1 in binary mode).
    pub weight_bits: u32,
    /// Activations per table, 1..=8.
    pub g: usize,
    /// Half tables with the mirror.
    pub symmetric: bool,
    /// One ±1 plane read as signs (needs `symmetric` and `weight_bits = 1`).
    pub binary: bool,
}

/// `C = A * W` with FP16 tables and FP32 accumulation, in the order of the module
/// documentation; FP32 bit patterns out.
pub fn lut_gemm_fp(
    acts: &[u32],
    encoding: ActEncoding,
    weights: &[i32],
    shape: GemmShape,
    config: FpLutConfig,
) -> Result<Vec<u32>, NumericsError> {
    let GemmShape { m, k, n } = shape;
    let FpLutConfig {
        weight_bits,
        g,
        symmetric,
        binary,
    } = config;
    check_range("g", g as i64, 1, MAX_GROUP as i64)?;
    check_range("weight_bits", i64::from(weight_bits), 1, 16)?;
    if k % g != 0 || acts.len() != m * k || weights.len() != k * n {
        return Err(NumericsError::Param {
            what: "shape",
            value: k as i64,
            message: "K must be a multiple of g and the operands M x K and K x N".into(),
        });
    }
    if binary && (!symmetric || weight_bits != 1) {
        return Err(NumericsError::Param {
            what: "binary",
            value: 1,
            message: "a ±1 plane needs symmetric tables and weight_bits = 1".into(),
        });
    }
    let (lo, hi) = if binary {
        (-1, 1)
    } else {
        (-(1 << (weight_bits - 1)), (1 << (weight_bits - 1)) - 1)
    };
    if let Some(i) = weights
        .iter()
        .position(|&w| w < lo || w > hi || (binary && w == 0))
    {
        return Err(NumericsError::Param {
            what: "weight",
            value: i64::from(weights[i]),
            message: format!("at index {i} is not a legal weight of this configuration"),
        });
    }
    let bit = |w: i32, p: u32| -> usize {
        if binary {
            usize::from(w > 0)
        } else {
            (w as u32 >> p & 1) as usize
        }
    };
    let groups = k / g;
    let mut out = vec![0u32; m * n];
    for row in 0..m {
        let mut tables = Vec::with_capacity(groups);
        for j in 0..groups {
            let a = acts[row * k + j * g..][..g]
                .iter()
                .map(|&x| encoding.to_fp16(x).map(Fp16))
                .collect::<Result<Vec<_>, _>>()?;
            tables.push(build_table(&a, symmetric)?);
        }
        let rowsum = tables.iter().fold(0u32, |s, t| {
            fp::add(FP32, s, fp::fp16_to_fp32(t[t.len() - 1].0))
        });
        for col in 0..n {
            let mut acc = 0u32;
            for (j, table) in tables.iter().enumerate() {
                for p in 0..weight_bits {
                    let idx = (0..g)
                        .map(|i| bit(weights[(j * g + i) * n + col], p) << i)
                        .sum();
                    let mut v = lookup(table, idx, symmetric)?.0;
                    if !binary && p + 1 == weight_bits {
                        v = fp::neg(FP16, v);
                    }
                    let term = fp::scale_pow2(FP32, fp::fp16_to_fp32(v), p);
                    acc = fp::add(FP32, acc, term);
                }
            }
            out[row * n + col] = if symmetric && !binary {
                fp::halve(FP32, fp::add(FP32, acc, fp::neg(FP32, rowsum)))
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
    fn small_exact_example() {
        // [1.5 -2 0.25 4] * [[1],[-1],[0],[1]] = 7.5 (exact in every format).
        let acts = [0x3e00, 0xc000, 0x3400, 0x4400];
        let shape = GemmShape { m: 1, k: 4, n: 1 };
        for (symmetric, g) in [(false, 2), (true, 2), (true, 4), (false, 1)] {
            let cfg = FpLutConfig {
                weight_bits: 2,
                g,
                symmetric,
                binary: false,
            };
            let r = lut_gemm_fp(&acts, ActEncoding::Fp16, &[1, -1, 0, 1], shape, cfg).unwrap();
            assert_eq!(f32::from_bits(r[0]), 7.5, "{cfg:?}");
        }
        let cfg = FpLutConfig {
            weight_bits: 1,
            g: 2,
            symmetric: true,
            binary: true,
        };
        let r = lut_gemm_fp(&acts, ActEncoding::Fp16, &[1, -1, -1, 1], shape, cfg).unwrap();
        assert_eq!(f32::from_bits(r[0]), 1.5 + 2.0 - 0.25 + 4.0);
        assert!(lut_gemm_fp(&acts, ActEncoding::Fp16, &[1, 0, -1, 1], shape, cfg).is_err());
        assert!(lut_gemm_fp(&[0x7c00; 4], ActEncoding::Fp16, &[1; 4], shape, cfg).is_err());
    }
}
