//! Sign binarization of BitNet ("BitNet: Scaling 1-bit Transformers", arXiv 2310.11453,
//! Eq. 1-3): centre by the mean `alpha`, `q = +1 if W - alpha > 0 else -1`, one scale
//! `beta = mean|W|` per tensor.

use super::error::{check_finite, NumericsError};
use super::int_quant::Quantized;

/// Quantizes a whole tensor to {-1, +1} with one scale `beta = mean|W|`.
pub fn quantize_binary(values: &[f32]) -> Result<Quantized, NumericsError> {
    check_finite("values", values)?;
    let n = values.len().max(1) as f32;
    let alpha: f32 = values.iter().sum::<f32>() / n;
    let beta: f32 = values.iter().map(|x| x.abs()).sum::<f32>() / n;
    let codes = values
        .iter()
        .map(|&x| if x - alpha > 0.0 { 1 } else { -1 })
        .collect();
    Ok(Quantized {
        values: codes,
        scales: vec![beta],
        group_size: values.len().max(1),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn example() {
        // alpha = 0.5: 1.0 -> +1, 0.0 -> -1, 0.5 -> -1 (Sign(0) = -1).
        let q = quantize_binary(&[1.0, 0.0, 0.5]).unwrap();
        assert_eq!(q.values, vec![1, -1, -1]);
        assert_eq!(q.scales, vec![0.5]);
    }
}
