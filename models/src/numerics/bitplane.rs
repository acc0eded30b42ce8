//! The weight bit-plane convention shared by the LUT GEMM reference, the cycle-stepped model
//! and the RTL.
//!
//! A `bits`-wide weight `w` (1 <= bits <= [`MAX_WEIGHT_BITS`]) is split into planes
//! `b = 0 .. bits-1`, plane `b` holding bit `b` of `w`'s `bits`-bit pattern:
//!
//! - **unsigned** (`0 <= w < 2^bits`): `w = sum_b 2^b * bit_b(w)`;
//! - **signed**, two's complement (`-2^(bits-1) <= w < 2^(bits-1)`):
//!   `w = -2^(bits-1) * bit_(bits-1)(w) + sum_(b < bits-1) 2^b * bit_b(w)`.
//!
//! So plane `b` has weight (coefficient) `2^b`, except the top plane of a signed weight whose
//! coefficient is `-2^(bits-1)` ([`plane_coefficient`]). A signed 1-bit weight is {-1, 0}.
//! Ternary {-1, 0, +1} is signed 2-bit; binary {-1, +1} maps to unsigned 1-bit `(w + 1) / 2`
//! (then `x.w = 2 x.b - sum x`).

use super::error::{check_range, NumericsError};

/// Widest weight the bit-plane kernels accept.
pub const MAX_WEIGHT_BITS: u32 = 8;

/// Smallest and largest weight representable in `bits` bits, signed or unsigned.
pub fn weight_range(bits: u32, signed: bool) -> Result<(i32, i32), NumericsError> {
    check_range(
        "weight_bits",
        i64::from(bits),
        1,
        i64::from(MAX_WEIGHT_BITS),
    )?;
    Ok(if signed {
        (-(1 << (bits - 1)), (1 << (bits - 1)) - 1)
    } else {
        (0, (1 << bits) - 1)
    })
}

/// Bit `plane` of the two's complement pattern of `w` (0 or 1). For a weight in
/// [`weight_range`] this is its plane-`plane` bit under either convention.
pub fn plane_bit(w: i32, plane: u32) -> u8 {
    // `w as u32` reinterprets the two's complement bits; masking keeps one bit.
    ((w as u32).wrapping_shr(plane) & 1) as u8
}

/// The coefficient of plane `plane`: `2^plane`, or `-2^(bits-1)` for the top plane of a
/// signed weight. `plane` must be below `bits` (callers iterate `0..bits`).
pub fn plane_coefficient(plane: u32, bits: u32, signed: bool) -> i64 {
    let magnitude = 1_i64 << plane;
    if signed && plane + 1 == bits {
        -magnitude
    } else {
        magnitude
    }
}

/// Sum of all plane coefficients: -1 for signed, `2^bits - 1` for unsigned (the value of the
/// all-ones pattern). Used by the symmetric-table correction.
pub fn coefficient_sum(bits: u32, signed: bool) -> i64 {
    (0..bits).map(|b| plane_coefficient(b, bits, signed)).sum()
}

/// Checks every weight fits `bits`/`signed`.
pub(crate) fn check_weights(weights: &[i32], bits: u32, signed: bool) -> Result<(), NumericsError> {
    let (min, max) = weight_range(bits, signed)?;
    match weights.iter().position(|w| !(min..=max).contains(w)) {
        Some(index) => Err(NumericsError::WeightRange {
            index,
            value: weights[index],
            bits,
            kind: if signed { "signed" } else { "unsigned" },
            min,
            max,
        }),
        None => Ok(()),
    }
}

/// Splits weights into planes: `result[b][i]` is bit `b` of `weights[i]`.
pub fn decompose(weights: &[i32], bits: u32, signed: bool) -> Result<Vec<Vec<u8>>, NumericsError> {
    check_weights(weights, bits, signed)?;
    Ok((0..bits)
        .map(|b| weights.iter().map(|&w| plane_bit(w, b)).collect())
        .collect())
}

/// Inverse of [`decompose`]: `sum_b plane_coefficient(b) * planes[b][i]`.
pub fn recompose(planes: &[Vec<u8>], signed: bool) -> Vec<i32> {
    let bits = planes.len() as u32;
    let len = planes.first().map_or(0, Vec::len);
    (0..len)
        .map(|i| {
            planes
                .iter()
                .enumerate()
                .map(|(b, plane)| {
                    plane_coefficient(b as u32, bits, signed)
                        * i64::from(plane.get(i).copied().unwrap_or(0))
                })
                .sum::<i64>() as i32
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn ranges_and_coefficients() {
        assert_eq!(weight_range(1, true).unwrap(), (-1, 0));
        assert_eq!(weight_range(2, true).unwrap(), (-2, 1));
        assert_eq!(weight_range(4, false).unwrap(), (0, 15));
        assert!(weight_range(0, true).is_err());
        assert!(weight_range(9, false).is_err());
        assert_eq!(plane_coefficient(3, 4, true), -8);
        assert_eq!(plane_coefficient(3, 4, false), 8);
        assert_eq!(coefficient_sum(4, true), -1);
        assert_eq!(coefficient_sum(4, false), 15);
        // ternary -1 = 0b11 in 2-bit two's complement.
        assert_eq!(
            decompose(&[-1, 0, 1], 2, true).unwrap(),
            vec![vec![1, 0, 1], vec![1, 0, 0]]
        );
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        #[test]
        fn round_trip(bits in 1u32..=8, signed: bool, seeds in prop::collection::vec(any::<u32>(), 0..20)) {
            let (min, max) = weight_range(bits, signed).unwrap();
            let span = (max - min + 1) as u32;
            let weights: Vec<i32> = seeds.iter().map(|s| min + (s % span) as i32).collect();
            let planes = decompose(&weights, bits, signed).unwrap();
            prop_assert_eq!(recompose(&planes, signed), weights);
        }
    }
}
