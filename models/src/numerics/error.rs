//! Errors of the numerics module: wrong shapes, widths or values passed to a kernel.

use thiserror::Error;

/// A numerics call with arguments no kernel accepts.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum NumericsError {
    /// A slice whose length does not match the shape given.
    #[error("`{what}` has {got} elements, expected {expected}")]
    Length {
        /// Which argument.
        what: &'static str,
        /// Elements expected from the shape.
        expected: usize,
        /// Elements given.
        got: usize,
    },
    /// A parameter outside its legal range.
    #[error("`{what}` = {value} is out of range: {message}")]
    Param {
        /// Which parameter.
        what: &'static str,
        /// The value given.
        value: i64,
        /// The legal range.
        message: String,
    },
    /// A weight that does not fit the declared width and signedness.
    #[error(
        "weight {value} at index {index} does not fit {bits}-bit {kind} (range {min}..={max})"
    )]
    WeightRange {
        /// Index of the weight in the slice.
        index: usize,
        /// Its value.
        value: i32,
        /// Declared width.
        bits: u32,
        /// `signed` or `unsigned`.
        kind: &'static str,
        /// Smallest representable value.
        min: i32,
        /// Largest representable value.
        max: i32,
    },
    /// A floating-point input that is NaN or infinite.
    #[error("`{what}` holds a non-finite value at index {index}")]
    NonFinite {
        /// Which argument.
        what: &'static str,
        /// Index of the first non-finite value.
        index: usize,
    },
}

/// `Err(Param)` unless `lo <= value <= hi`.
pub(crate) fn check_range(
    what: &'static str,
    value: i64,
    lo: i64,
    hi: i64,
) -> Result<(), NumericsError> {
    if (lo..=hi).contains(&value) {
        Ok(())
    } else {
        Err(NumericsError::Param {
            what,
            value,
            message: format!("must be in {lo}..={hi}"),
        })
    }
}

/// `Err(NonFinite)` at the first NaN or infinity.
pub(crate) fn check_finite(what: &'static str, values: &[f32]) -> Result<(), NumericsError> {
    match values.iter().position(|v| !v.is_finite()) {
        Some(index) => Err(NumericsError::NonFinite { what, index }),
        None => Ok(()),
    }
}
