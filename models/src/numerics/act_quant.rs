//! Per-token absmax INT8 activation quantization, as BitNet b1.58 applies to the input of
//! every BitLinear (arXiv 2402.17764, Sec. 2; reference code scales by 127 / max|x| and
//! clamps to [-128, 127]).

use super::error::{check_finite, check_range, NumericsError};

/// INT8 activations with one scale per row: `x[r][c] ~= values[r*len + c] * scales[r]`.
#[derive(Debug, Clone, PartialEq)]
pub struct QuantizedActs {
    /// INT8 codes, row-major.
    pub values: Vec<i8>,
    /// One scale per row (`max|x| / 127`, 0 for an all-zero row).
    pub scales: Vec<f32>,
}

/// Quantizes rows of `row_len` (>= 1) values: `q = clamp(round(x * 127 / max|x|), -128, 127)`.
pub fn quantize_acts_int8(values: &[f32], row_len: usize) -> Result<QuantizedActs, NumericsError> {
    check_range("row_len", row_len as i64, 1, i64::MAX)?;
    if values.len() % row_len != 0 {
        return Err(NumericsError::Length {
            what: "values",
            expected: values.len().div_ceil(row_len) * row_len,
            got: values.len(),
        });
    }
    check_finite("values", values)?;
    let mut codes = Vec::with_capacity(values.len());
    let mut scales = Vec::with_capacity(values.len() / row_len);
    for row in values.chunks(row_len) {
        let absmax = row.iter().fold(0.0_f32, |m, x| m.max(x.abs()));
        if absmax == 0.0 {
            scales.push(0.0);
            codes.extend(std::iter::repeat(0_i8).take(row.len()));
            continue;
        }
        let factor = 127.0 / absmax;
        scales.push(absmax / 127.0);
        codes.extend(
            row.iter()
                .map(|&x| (x * factor).round().clamp(-128.0, 127.0) as i8),
        );
    }
    Ok(QuantizedActs {
        values: codes,
        scales,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn example() {
        let q = quantize_acts_int8(&[2.0, -1.0, 0.0, 0.0], 2).unwrap();
        assert_eq!(q.values, vec![127, -64, 0, 0]);
        assert_eq!(q.scales, vec![2.0 / 127.0, 0.0]);
        assert!(quantize_acts_int8(&[1.0, 2.0, 3.0], 2).is_err());
    }
}
