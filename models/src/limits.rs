//! Physical ranges of numeric input fields, declared once beside each field.
//!
//! A [`Limit`] is an inclusive range `min..=max` with a unit and, where the range is not
//! obvious, a short reason. Parsers check every numeric field against its `Limit` in their
//! validation stage, and `lutforge list` and the docs print [`Limit::describe`].
//!
//! # How numbers are printed
//!
//! One rule for every bound and value, so messages compare by exact text:
//!
//! - an integer below 10^6 in magnitude is written plainly: `10000`, `-3`, `0`;
//! - any other finite number is written in whichever of the plain decimal form (`1048576`,
//!   `0.5`) and Rust's shortest exponent form (`1e14`, `1e-3`, `1.5e20`) is shorter, the plain
//!   form winning ties; neither form ever ends in `.0`;
//! - NaN and the infinities are written `NaN`, `inf` and `-inf`.
//!
//! So `1e6` and `1e14` but `1048576` and `16777216`; `0.01` but `1e-3`.

/// An inclusive physical range a numeric input field must lie in, declared once beside the field.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Limit {
    /// Smallest allowed value.
    pub min: f64,
    /// Largest allowed value.
    pub max: f64,
    /// Unit (or counted noun) appended to the range, e.g. `layers`, `MHz`; `""` for none.
    pub unit: &'static str,
    /// Why the range is what it is, when that is not obvious; `""` otherwise.
    pub why: &'static str,
}

impl Limit {
    /// The range `min..=max` in `unit`, with the reason `why` (`""` when obvious).
    pub const fn new(min: f64, max: f64, unit: &'static str, why: &'static str) -> Limit {
        Limit {
            min,
            max,
            unit,
            why,
        }
    }

    /// Whether `v` lies in the range. NaN and the infinities never do (unless a bound is
    /// itself infinite, which no declared limit is).
    pub fn contains(&self, v: f64) -> bool {
        v.is_finite() && v >= self.min && v <= self.max
    }

    /// `Ok(v)` inside the range; otherwise `Err(text)` with text like
    /// `must be between 1 and 10000 layers` (see the module doc for how numbers are printed).
    /// NaN and infinities are out of range.
    pub fn check_f64(&self, v: f64) -> Result<f64, String> {
        if self.contains(v) {
            Ok(v)
        } else {
            Err(self.message())
        }
    }

    /// `Ok(v)` inside the range; otherwise the same `Err(text)` as [`Limit::check_f64`].
    /// The comparison is exact for every `u64`, also above 2^53.
    pub fn check_u64(&self, v: u64) -> Result<u64, String> {
        if self.contains_u64(v) {
            Ok(v)
        } else {
            Err(self.message())
        }
    }

    /// The range for docs and `lutforge list`: `1 to 10000 layers`.
    pub fn describe(&self) -> String {
        let range = format!("{} to {}", format_number(self.min), format_number(self.max));
        with_unit(range, self.unit)
    }

    /// The error text for a value outside the range: `must be between 1 and 10000 layers`.
    pub fn message(&self) -> String {
        let range = format!(
            "must be between {} and {}",
            format_number(self.min),
            format_number(self.max)
        );
        with_unit(range, self.unit)
    }

    /// Exact membership of an integer: the bounds are rounded inwards to integers.
    fn contains_u64(&self, v: u64) -> bool {
        /// 2^64, the first `f64` above every `u64`.
        const TWO_64: f64 = 18_446_744_073_709_551_616.0;
        if self.min.is_nan() || self.max.is_nan() {
            return false;
        }
        let above_min = if self.min <= 0.0 {
            true
        } else if self.min > u64::MAX as f64 {
            false
        } else {
            // `ceil` of a value in (0, 2^64] fits a u64 except 2^64 itself, handled above
            // since `u64::MAX as f64` rounds to 2^64.
            v >= self.min.ceil() as u64
        };
        let below_max = if self.max < 0.0 {
            false
        } else if self.max >= TWO_64 {
            true
        } else {
            v <= self.max.floor() as u64
        };
        above_min && below_max
    }
}

/// `text` followed by ` unit`, or `text` alone when `unit` is empty.
fn with_unit(text: String, unit: &str) -> String {
    if unit.is_empty() {
        text
    } else {
        format!("{text} {unit}")
    }
}

/// A number printed by the rule in the module doc: `10000`, `1048576`, `0.5`, `1e14`, `1e-3`.
pub fn format_number(v: f64) -> String {
    if v.is_nan() {
        return "NaN".to_string();
    }
    if v.is_infinite() {
        return if v > 0.0 { "inf" } else { "-inf" }.to_string();
    }
    if v == 0.0 {
        return "0".to_string();
    }
    let plain = format!("{v}");
    if v.fract() == 0.0 && v.abs() < 1e6 {
        return plain;
    }
    let exponent = format!("{v:e}");
    if exponent.len() < plain.len() {
        exponent
    } else {
        plain
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LAYERS: Limit = Limit::new(1.0, 10_000.0, "layers", "");

    #[test]
    fn inside_is_ok() {
        assert_eq!(LAYERS.check_u64(1), Ok(1));
        assert_eq!(LAYERS.check_u64(10_000), Ok(10_000));
        assert_eq!(LAYERS.check_f64(2.5), Ok(2.5));
    }

    #[test]
    fn outside_gives_the_range() {
        let message = "must be between 1 and 10000 layers".to_string();
        assert_eq!(LAYERS.check_u64(0), Err(message.clone()));
        assert_eq!(LAYERS.check_u64(10_001), Err(message.clone()));
        assert_eq!(LAYERS.check_u64(u64::MAX), Err(message.clone()));
        assert_eq!(LAYERS.check_f64(0.5), Err(message.clone()));
        assert_eq!(LAYERS.check_f64(-1.0), Err(message));
    }

    #[test]
    fn nan_and_infinities_are_out_of_range() {
        let all = Limit::new(-1e308, 1e308, "", "");
        assert!(all.check_f64(f64::NAN).is_err());
        assert!(all.check_f64(f64::INFINITY).is_err());
        assert!(all.check_f64(f64::NEG_INFINITY).is_err());
        assert!(all.check_f64(f64::MAX).is_err());
        assert_eq!(all.check_f64(1e300), Ok(1e300));
    }

    #[test]
    fn empty_unit_is_omitted() {
        let rate = Limit::new(0.0, 1.0, "", "a probability");
        assert_eq!(rate.describe(), "0 to 1");
        assert_eq!(
            rate.check_f64(1.5),
            Err("must be between 0 and 1".to_string())
        );
    }

    #[test]
    fn describe() {
        assert_eq!(LAYERS.describe(), "1 to 10000 layers");
        let bandwidth = Limit::new(1e6, 1e14, "bytes/s", "");
        assert_eq!(bandwidth.describe(), "1e6 to 1e14 bytes/s");
        let eps = Limit::new(1e-12, 0.01, "", "");
        assert_eq!(eps.describe(), "1e-12 to 0.01");
    }

    #[test]
    fn u64_comparison_is_exact_above_2_pow_53() {
        let max = (1u64 << 60) as f64;
        let big = Limit::new(0.0, max, "", "");
        assert!(big.check_u64(1 << 60).is_ok());
        assert!(big.check_u64((1 << 60) + 1).is_err());
        let from = Limit::new((1u64 << 60) as f64, f64::MAX, "", "");
        assert!(from.check_u64((1 << 60) - 1).is_err());
        assert!(from.check_u64(u64::MAX).is_ok());
        let fractional = Limit::new(0.5, 2.5, "", "");
        assert!(fractional.check_u64(0).is_err());
        assert!(fractional.check_u64(1).is_ok());
        assert!(fractional.check_u64(2).is_ok());
        assert!(fractional.check_u64(3).is_err());
        let negative = Limit::new(-5.0, -1.0, "", "");
        assert!(negative.check_u64(0).is_err());
    }

    #[test]
    fn numbers_print_by_one_rule() {
        let cases = [
            (0.0, "0"),
            (-0.0, "0"),
            (1.0, "1"),
            (-3.0, "-3"),
            (10_000.0, "10000"),
            (999_999.0, "999999"),
            (1e6, "1e6"),
            (1_048_576.0, "1048576"),
            (16_777_216.0, "16777216"),
            (4_294_967_295.0, "4294967295"),
            (2e10, "2e10"),
            (1e14, "1e14"),
            (1e308, "1e308"),
            (0.5, "0.5"),
            (0.01, "0.01"),
            (1e-3, "1e-3"),
            (1.5e-6, "1.5e-6"),
            (1e-300, "1e-300"),
            (f64::NAN, "NaN"),
            (f64::INFINITY, "inf"),
            (f64::NEG_INFINITY, "-inf"),
        ];
        for (v, text) in cases {
            assert_eq!(format_number(v), text, "for {v:?}");
        }
    }
}
