//! Symmetric INT-k per-group weight quantization (round to nearest, restricted range).
//!
//! For each group of `group_size` consecutive values (the last group may be shorter):
//! `qmax = 2^(bits-1) - 1`, `scale = max|x| / qmax`, `q = clamp(round(x / scale), -qmax,
//! qmax)` with `round` half away from zero; an all-zero group gets scale 0 and q = 0.
//! The range is restricted (no `-2^(bits-1)`) so that it is symmetric, as in GPTQ's
//! `sym=True` and LLM.int8() absmax quantization (arXiv 2208.07339, Sec. 3.1).

use super::error::{check_finite, check_range, NumericsError};

/// Integer codes plus one `f32` scale per group: `x ~= values[i] * scales[i / group_size]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Quantized {
    /// Integer codes, one per input value.
    pub values: Vec<i32>,
    /// One scale per group.
    pub scales: Vec<f32>,
    /// Values per scale (the last group may be shorter).
    pub group_size: usize,
}

impl Quantized {
    /// `values[i] * scales[i / group_size]`.
    pub fn dequantize(&self) -> Vec<f32> {
        self.values
            .iter()
            .enumerate()
            .map(|(i, &q)| {
                let scale = self
                    .scales
                    .get(i / self.group_size.max(1))
                    .copied()
                    .unwrap_or(0.0);
                q as f32 * scale
            })
            .collect()
    }
}

/// Quantizes `values` to symmetric `bits`-bit integers (2..=8) with one scale per
/// `group_size` (>= 1) consecutive values.
pub fn quantize_int_symmetric(
    values: &[f32],
    bits: u32,
    group_size: usize,
) -> Result<Quantized, NumericsError> {
    check_range("bits", i64::from(bits), 2, 8)?;
    check_range("group_size", group_size as i64, 1, i64::MAX)?;
    check_finite("values", values)?;
    let qmax = ((1_i32 << (bits - 1)) - 1) as f32;
    let mut codes = Vec::with_capacity(values.len());
    let mut scales = Vec::with_capacity(values.len().div_ceil(group_size));
    for group in values.chunks(group_size) {
        let absmax = group.iter().fold(0.0_f32, |m, x| m.max(x.abs()));
        let scale = absmax / qmax;
        scales.push(scale);
        codes.extend(group.iter().map(|&x| {
            if scale == 0.0 {
                0
            } else {
                (x / scale).round().clamp(-qmax, qmax) as i32
            }
        }));
    }
    Ok(Quantized {
        values: codes,
        scales,
        group_size,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn example() {
        let q = quantize_int_symmetric(&[1.0, -0.5, 0.25, 0.0, 0.0, 0.0], 3, 3).unwrap();
        assert_eq!(q.values, vec![3, -2, 1, 0, 0, 0]);
        assert_eq!(q.scales, vec![1.0 / 3.0, 0.0]);
        assert!(quantize_int_symmetric(&[f32::NAN], 4, 1).is_err());
        assert!(quantize_int_symmetric(&[1.0], 1, 1).is_err());
        assert!(quantize_int_symmetric(&[1.0], 4, 0).is_err());
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        #[test]
        fn error_within_half_step(
            values in prop::collection::vec(-100.0f32..100.0, 1..50),
            bits in 2u32..=8,
            group in 1usize..=16,
        ) {
            let q = quantize_int_symmetric(&values, bits, group).unwrap();
            let qmax = (1i32 << (bits - 1)) - 1;
            let back = q.dequantize();
            for (i, (&x, &y)) in values.iter().zip(&back).enumerate() {
                prop_assert!(q.values[i].abs() <= qmax);
                let step = q.scales[i / group];
                prop_assert!((x - y).abs() <= 0.5 * step + 1e-4 * x.abs().max(1.0));
            }
        }
    }
}
