//! Ternary absmean quantization of BitNet b1.58 ("The Era of 1-bit LLMs", arXiv 2402.17764,
//! Eq. 1-3): `gamma = mean|W| `, `q = clamp(round(W / (gamma + eps)), -1, 1)`, one scale per
//! tensor.

use super::error::{check_finite, NumericsError};
use super::int_quant::Quantized;

/// The epsilon added to the absmean before dividing (arXiv 2402.17764, Eq. 3; the reference
/// BitLinear uses 1e-5).
pub const ABSMEAN_EPS: f32 = 1e-5;

/// Quantizes a whole tensor to {-1, 0, +1} with one scale `gamma + eps`.
pub fn quantize_ternary_absmean(values: &[f32]) -> Result<Quantized, NumericsError> {
    check_finite("values", values)?;
    let sum: f32 = values.iter().map(|x| x.abs()).sum();
    let gamma = if values.is_empty() {
        0.0
    } else {
        sum / values.len() as f32
    };
    let scale = gamma + ABSMEAN_EPS;
    let codes = values
        .iter()
        .map(|&x| (x / scale).round().clamp(-1.0, 1.0) as i32)
        .collect();
    Ok(Quantized {
        values: codes,
        scales: vec![scale],
        group_size: values.len().max(1),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn example() {
        // mean|W| = 1.0: 0.4 -> 0, 0.6 -> 1, -2.0 -> -1, 1.0 -> 1.
        let q = quantize_ternary_absmean(&[0.4, 0.6, -2.0, 1.0]).unwrap();
        assert_eq!(q.values, vec![0, 1, -1, 1]);
        assert!(quantize_ternary_absmean(&[f32::INFINITY]).is_err());
        assert!(quantize_ternary_absmean(&[]).unwrap().values.is_empty());
    }
}
