//! Codebook (vector-free, scalar) quantization: each value becomes the index of the nearest
//! codebook entry, ties to the lowest index.

use super::error::{check_finite, check_range, NumericsError};

/// Index of the nearest entry of `codebook` (1..=256 finite entries) for every value.
pub fn quantize_codebook(values: &[f32], codebook: &[f32]) -> Result<Vec<u8>, NumericsError> {
    check_range("codebook length", codebook.len() as i64, 1, 256)?;
    check_finite("codebook", codebook)?;
    check_finite("values", values)?;
    Ok(values
        .iter()
        .map(|&x| {
            let mut best = 0_usize;
            for (i, &c) in codebook.iter().enumerate() {
                if (x - c).abs() < (x - codebook[best]).abs() {
                    best = i;
                }
            }
            best as u8
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn example() {
        let cb = [-1.0, 0.0, 0.5, 2.0];
        assert_eq!(
            quantize_codebook(&[0.25, 1.3, -9.0, 0.3], &cb).unwrap(),
            vec![1, 3, 0, 2]
        );
        assert!(quantize_codebook(&[0.0], &[]).is_err());
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        #[test]
        fn picks_nearest(values in prop::collection::vec(-10.0f32..10.0, 0..20),
                         cb in prop::collection::vec(-10.0f32..10.0, 1..16)) {
            let idx = quantize_codebook(&values, &cb).unwrap();
            for (&x, &i) in values.iter().zip(&idx) {
                let d = (x - cb[usize::from(i)]).abs();
                prop_assert!(cb.iter().all(|&c| d <= (x - c).abs()));
            }
        }
    }
}
