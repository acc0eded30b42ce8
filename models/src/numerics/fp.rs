//! Bit-exact floating-point arithmetic of the LUT array's floating-point activation modes: the
//! one software definition the cycle-stepped model, the reference GEMM and the RTL generator's
//! tests share.
//!
//! Values are IEEE 754 bit patterns (`u32`, low bits used) of a [`FpFormat`]: binary16 (FP16),
//! binary32 (FP32), and the OCP FP8 E4M3 input format (converted, never added).
//!
//! # The arithmetic (DesignWare `DW_fp_add` at `ieee_compliance = 0`, `rnd = 000`)
//!
//! * **No subnormals.** An operand whose exponent field is 0 is read as zero of its sign
//!   (flush to zero on input); a result whose magnitude after rounding is below the smallest
//!   normal is zero with the sign of the exact sum (flush to zero on output).
//! * **No NaN or infinity.** Inputs must be finite; a rounded result above the largest finite
//!   magnitude saturates to the largest finite value of its sign (so the all-ones exponent never
//!   appears).
//! * **Round to nearest, ties to even** ([`add`]): the exact sum is rounded once to the format's
//!   precision. An exact cancellation gives `+0`; `(-0) + (-0) = -0`, `x + (±0) = x`.
//! * **Exact helpers.** [`neg`] flips the sign bit; [`scale_pow2`] adds a power-of-two exponent
//!   (zero stays zero, overflow saturates as above); [`halve`] subtracts one from the exponent and
//!   flushes when it reaches the subnormal range; [`fp16_to_fp32`] and [`fp8_e4m3_to_fp16`]
//!   convert exactly (FP8 subnormals are FP16 normals; an FP16 subnormal converts to zero).
//!
//! # How [`add`] is computed
//!
//! Both operands are widened to `f64` (exact) and added in `f64` (one rounding to 53 bits), then
//! rounded to the target precision by integer arithmetic on the `f64` significand. Double
//! rounding is innocuous for addition when the wide format has at least `2p + 2` bits (Figueroa,
//! "When is double rounding innocuous?", SIGNUM Newsletter 30(3), 1995): 53 >= 2*24 + 2, so the
//! result is the correctly rounded sum for FP16 and FP32. The generated Verilog adders implement
//! the same rounding independently (align, guard/round/sticky, normalize), and co-simulation
//! holds them equal to this module.

use super::error::NumericsError;

/// A binary floating-point format: sign, `exp_bits` exponent bits (bias `2^(exp_bits-1) - 1`),
/// `man_bits` stored mantissa bits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct FpFormat {
    /// Exponent field width, bits.
    pub exp_bits: u32,
    /// Stored mantissa (fraction) width, bits.
    pub man_bits: u32,
}

/// IEEE binary16.
pub const FP16: FpFormat = FpFormat {
    exp_bits: 5,
    man_bits: 10,
};

/// IEEE binary32.
pub const FP32: FpFormat = FpFormat {
    exp_bits: 8,
    man_bits: 23,
};

impl FpFormat {
    /// Total width, bits.
    pub const fn bits(self) -> u32 {
        1 + self.exp_bits + self.man_bits
    }
    /// Exponent bias.
    pub const fn bias(self) -> i32 {
        (1 << (self.exp_bits - 1)) - 1
    }
    /// The largest biased exponent of a finite value (`2^exp_bits - 2`).
    pub const fn max_exp(self) -> u32 {
        (1 << self.exp_bits) - 2
    }
    /// Sign bit mask.
    pub const fn sign_mask(self) -> u32 {
        1 << (self.exp_bits + self.man_bits)
    }
    /// The biased exponent field of `x`.
    pub const fn exp_field(self, x: u32) -> u32 {
        (x >> self.man_bits) & ((1 << self.exp_bits) - 1)
    }
    /// The largest finite value with the sign of `sign_of`.
    pub const fn saturated(self, sign_of: u32) -> u32 {
        (sign_of & self.sign_mask())
            | (self.max_exp() << self.man_bits)
            | ((1 << self.man_bits) - 1)
    }
    /// Whether `x` is finite (its exponent field is not all ones).
    pub const fn is_finite(self, x: u32) -> bool {
        self.exp_field(x) <= self.max_exp()
    }
}

/// `x` as an `f64` (exact), with subnormal operands read as zero of their sign.
pub fn to_f64(fmt: FpFormat, x: u32) -> f64 {
    let sign = if x & fmt.sign_mask() != 0 { -1.0 } else { 1.0 };
    let e = fmt.exp_field(x);
    if e == 0 {
        return sign * 0.0;
    }
    let man = f64::from(x & ((1 << fmt.man_bits) - 1));
    let sig = 1.0 + man / f64::from(1u32 << fmt.man_bits);
    sign * sig * 2f64.powi(e as i32 - fmt.bias())
}

/// Rounds `v` (finite) to `fmt`: nearest, ties to even, then flush below the smallest normal and
/// saturate above the largest finite value.
pub fn round_f64(fmt: FpFormat, v: f64) -> u32 {
    let sign = if v.is_sign_negative() {
        fmt.sign_mask()
    } else {
        0
    };
    if v == 0.0 {
        return sign;
    }
    let bits = v.abs().to_bits();
    let (mut sig, mut exp) = (
        (bits & ((1 << 52) - 1)) | (1 << 52),
        (bits >> 52) as i32 - 1023,
    );
    if bits >> 52 == 0 {
        // An f64 subnormal: far below every target's smallest normal.
        return sign;
    }
    let shift = 52 - fmt.man_bits;
    let rem = sig & ((1 << shift) - 1);
    let half = 1u64 << (shift - 1);
    sig >>= shift;
    if rem > half || (rem == half && sig & 1 == 1) {
        sig += 1;
        if sig == 1 << (fmt.man_bits + 1) {
            sig >>= 1;
            exp += 1;
        }
    }
    let biased = exp + fmt.bias();
    if biased < 1 {
        return sign;
    }
    if biased > fmt.max_exp() as i32 {
        return fmt.saturated(sign);
    }
    sign | ((biased as u32) << fmt.man_bits) | (sig as u32 & ((1 << fmt.man_bits) - 1))
}

/// `a + b` in `fmt` (module documentation: flush to zero, saturation, ties to even).
pub fn add(fmt: FpFormat, a: u32, b: u32) -> u32 {
    let (za, zb) = (fmt.exp_field(a) == 0, fmt.exp_field(b) == 0);
    let s = fmt.sign_mask();
    match (za, zb) {
        (true, true) => a & b & s,
        (true, false) => b,
        (false, true) => a,
        (false, false) => round_f64(fmt, to_f64(fmt, a) + to_f64(fmt, b)),
    }
}

/// `-x` (the sign bit flipped; exact).
pub fn neg(fmt: FpFormat, x: u32) -> u32 {
    x ^ fmt.sign_mask()
}

/// `x * 2^p` by adding `p` to the exponent: zero (or subnormal, read as zero) is returned as
/// is; an exponent past the largest finite one saturates.
pub fn scale_pow2(fmt: FpFormat, x: u32, p: u32) -> u32 {
    let e = fmt.exp_field(x);
    if e == 0 {
        return x & fmt.sign_mask();
    }
    if e + p > fmt.max_exp() {
        return fmt.saturated(x);
    }
    x + (p << fmt.man_bits)
}

/// `x / 2` by subtracting one from the exponent; a result in the subnormal range is zero of the
/// same sign.
pub fn halve(fmt: FpFormat, x: u32) -> u32 {
    let e = fmt.exp_field(x);
    if e <= 1 {
        return x & fmt.sign_mask();
    }
    x - (1 << fmt.man_bits)
}

/// An FP16 pattern as FP32 (exact; an FP16 subnormal becomes zero of its sign).
pub fn fp16_to_fp32(x: u32) -> u32 {
    let sign = (x & 0x8000) << 16;
    let e = FP16.exp_field(x);
    if e == 0 {
        return sign;
    }
    sign | ((e + 127 - 15) << 23) | ((x & 0x3ff) << 13)
}

/// An FP8 E4M3 (OCP) pattern as FP16, exactly: subnormals `m * 2^-9` become FP16 normals.
/// The NaN patterns (`S.1111.111`) are refused.
pub fn fp8_e4m3_to_fp16(x: u32) -> Result<u32, NumericsError> {
    if x & 0x7f == 0x7f || x > 0xff {
        return Err(NumericsError::Param {
            what: "fp8 e4m3 pattern",
            value: i64::from(x),
            message: "is NaN or wider than 8 bits; E4M3 inputs must be finite".into(),
        });
    }
    let sign = if x & 0x80 != 0 { -1.0 } else { 1.0 };
    let (e, m) = ((x >> 3) & 0xf, f64::from(x & 7));
    let v = if e == 0 {
        m / 8.0 * 2f64.powi(-6)
    } else {
        (1.0 + m / 8.0) * 2f64.powi(e as i32 - 7)
    };
    // Every E4M3 value has at most 4 significant bits and lies in 2^-9 ..= 448: exact in FP16.
    Ok(round_f64(FP16, sign * v))
}

/// The value of an FP8 E4M3 pattern (for error bounds in tests); NaN patterns give NaN.
pub fn fp8_e4m3_to_f64(x: u32) -> f64 {
    match fp8_e4m3_to_fp16(x) {
        Ok(h) => to_f64(FP16, h),
        Err(_) => f64::NAN,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn fp16_rounding_cases() {
        let one = 0x3c00;
        // 1 + 2^-11 is a tie: even (1.0). 1 + 3*2^-11 ties up to 1 + 2^-9.
        assert_eq!(add(FP16, one, 0x1000), one);
        assert_eq!(add(FP16, 0x3c01, 0x1000), 0x3c02);
        // Cancellation is +0; -0 + -0 = -0; x + -0 = x.
        assert_eq!(add(FP16, one, 0xbc00), 0);
        assert_eq!(add(FP16, 0x8000, 0x8000), 0x8000);
        assert_eq!(add(FP16, 0x4000, 0x8000), 0x4000);
        // 65504 + 65504 saturates; subnormal operands are zero.
        assert_eq!(add(FP16, 0x7bff, 0x7bff), 0x7bff);
        assert_eq!(add(FP16, 0x0001, 0x0001), 0);
        // 2^-14 - 1.25*2^-14 is below the smallest normal: flushed, sign of the sum.
        assert_eq!(add(FP16, 0x0400, 0x8500), 0x8000);
        assert_eq!(scale_pow2(FP16, 0x7800, 3), 0x7bff);
        assert_eq!(halve(FP32, 0x0080_0000), 0);
        assert_eq!(halve(FP32, 0x4000_0000), 0x3f80_0000);
        assert_eq!(fp16_to_fp32(0x3c00), 0x3f80_0000);
        assert_eq!(fp16_to_fp32(0x0001), 0);
        assert_eq!(fp8_e4m3_to_fp16(0x7e).unwrap(), 0x5f00); // 448
        assert_eq!(fp8_e4m3_to_fp16(0x01).unwrap(), 0x1800); // 2^-9
        assert!(fp8_e4m3_to_fp16(0xff).is_err());
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]
        /// FP32 adds equal the hardware-native f32 sum wherever that sum is normal and finite.
        #[test]
        fn fp32_add_is_the_native_sum(a in any::<u32>(), b in any::<u32>()) {
            let (fa, fb) = (f32::from_bits(a), f32::from_bits(b));
            prop_assume!(fa.is_normal() && fb.is_normal());
            let native = fa + fb;
            prop_assume!(native.is_normal());
            prop_assert_eq!(add(FP32, a, b), native.to_bits());
        }

        /// FP16 adds are within half an ulp of the exact sum and commute.
        #[test]
        fn fp16_add_is_correctly_rounded(a in 0u32..0x7c00, b in 0u32..0x7c00, sa: bool, sb: bool) {
            prop_assume!(a >= 0x400 && b >= 0x400);
            let (a, b) = (a | u32::from(sa) << 15, b | u32::from(sb) << 15);
            let r = add(FP16, a, b);
            prop_assert_eq!(r, add(FP16, b, a));
            let exact = to_f64(FP16, a) + to_f64(FP16, b);
            let got = to_f64(FP16, r);
            if FP16.exp_field(r) != 0 && r & 0x7fff != 0x7bff {
                let ulp = 2f64.powi(FP16.exp_field(r) as i32 - 15 - 10);
                prop_assert!((got - exact).abs() <= ulp / 2.0, "{a:#x}+{b:#x}={r:#x}");
            }
        }
    }
}
