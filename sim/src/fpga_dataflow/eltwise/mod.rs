//! The element-wise engine of the FPGA pipeline top ([`super::top`]): an integer requantizer
//! that turns a matrix engine's accumulators into INT8 activations for the next layer, bit
//! exact (no floating point).
//!
//! # The op ([`requantize`])
//!
//! For an `acc_bits` two's complement accumulator `x`, a 16-bit two's complement `scale` and a
//! `shift` in `0..=acc_bits + 15`:
//!
//! ```text
//! p = x * scale                                   exact, acc_bits + 16 bits
//! q = (p + (shift > 0 ? 2^(shift - 1) : 0)) >> shift     arithmetic shift: round half up
//! y = clamp(q, -128, 127)                         INT8, saturated
//! ```
//!
//! This is the per-tensor requantization that follows a low-bit matmul (the dequantized
//! accumulator `x * s_w * s_a` divided by the next layer's activation scale, with the ratio
//! written as `scale / 2^shift`). Rounding is half up (towards +inf on ties): `-2.5 -> -2`,
//! `2.5 -> 3`.
//!
//! # Lanes and slices ([`EltwiseSpec`])
//!
//! A beat of `lanes_in` accumulators arrives from the FIFO; the engine has `lanes`
//! requantizers (`1..=lanes_in`, the architecture's `[vector] lanes` capped at `lanes_in`), so
//! a beat takes `slices = ceil(lanes_in / lanes)` cycles: slice `s` requantizes lanes
//! `s * lanes ..` (requantizer `u` takes lane `s * lanes + u`).
//!
//! # Registers and timing ([`stepped`])
//!
//! A slice counter `slice`, a partial register holding the results of slices `0..slices - 1`
//! of the beat in service, and the result register `res` (valid bit, `lanes_in` INT8 lanes and
//! the beat's `last` flag). Each cycle, from the registers at its start, with `head` the FIFO's
//! oldest beat (the FIFO shows a beat from the cycle after its push):
//!
//! - `free = !res.valid || res_ready` (the result register empties this cycle or is empty);
//! - with a head and `slice < slices - 1`: slice `slice` of the head goes into the partial
//!   register, `slice += 1`;
//! - with a head, `slice == slices - 1` and `free`: the last slice and the partial register go
//!   into `res` (valid), the head is popped (`in_ready = slice == slices - 1 && free`),
//!   `slice = 0`;
//! - otherwise, if `res_ready`, `res.valid` clears.
//!
//! A `res` transfer happens in a cycle where `res.valid && res_ready`. With the sink always
//! ready a beat whose head appears in cycle `c` (and finds the engine idle) leaves the engine
//! at the end of cycle `c + slices - 1` and transfers in cycle `c + slices`.

pub mod stepped;

use thiserror::Error;

/// Width of the requantizer's `scale`, bits (two's complement).
pub const SCALE_BITS: u32 = 16;

/// Width of the `shift` field, bits.
pub const SHIFT_BITS: u32 = 6;

/// Width of a result lane, bits (INT8).
pub const OUT_BITS: u32 = 8;

/// The engine's shape (module documentation).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct EltwiseSpec {
    /// Accumulators per input beat, 1..=4096.
    pub lanes_in: u32,
    /// Requantizers, 1..=`lanes_in`.
    pub lanes: u32,
    /// Accumulator width, bits, 8..=48.
    pub acc_bits: u32,
}

/// An engine shape or a parameter the engine does not accept.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum EltwiseError {
    /// A field outside its range.
    #[error("eltwise field `{field}`: {message} (got {value})")]
    Field {
        /// The field.
        field: &'static str,
        /// Its value.
        value: i64,
        /// The legal range.
        message: String,
    },
}

impl EltwiseSpec {
    /// Checks the ranges of the module documentation.
    pub fn validate(&self) -> Result<(), EltwiseError> {
        let field = |field, value: u32, message: String| EltwiseError::Field {
            field,
            value: i64::from(value),
            message,
        };
        if !(1..=4096).contains(&self.lanes_in) {
            return Err(field("lanes_in", self.lanes_in, "must be 1..=4096".into()));
        }
        if !(1..=self.lanes_in).contains(&self.lanes) {
            return Err(field(
                "lanes",
                self.lanes,
                format!("must be 1..={} (lanes_in)", self.lanes_in),
            ));
        }
        if !(8..=48).contains(&self.acc_bits) {
            return Err(field("acc_bits", self.acc_bits, "must be 8..=48".into()));
        }
        Ok(())
    }

    /// Cycles per beat, `ceil(lanes_in / lanes)`.
    pub fn slices(&self) -> u32 {
        self.lanes_in.div_ceil(self.lanes)
    }

    /// Largest legal `shift`, `acc_bits + 15`.
    pub fn max_shift(&self) -> u32 {
        self.acc_bits + SCALE_BITS - 1
    }

    /// Checks a requantizer's `scale` (16-bit two's complement) and `shift`
    /// (`0..=acc_bits + 15`).
    pub fn check_params(&self, scale: i32, shift: u32) -> Result<(), EltwiseError> {
        let half = 1i32 << (SCALE_BITS - 1);
        if !(-half..half).contains(&scale) {
            return Err(EltwiseError::Field {
                field: "scale",
                value: i64::from(scale),
                message: format!("must be {}..={}", -half, half - 1),
            });
        }
        if shift > self.max_shift() {
            return Err(EltwiseError::Field {
                field: "shift",
                value: i64::from(shift),
                message: format!("must be 0..={} (acc_bits + 15)", self.max_shift()),
            });
        }
        Ok(())
    }
}

/// The requantizer (module documentation): `clamp((x * scale + 2^(shift-1)) >> shift, -128,
/// 127)`, `x` an accumulator value (sign-extended), `shift <= 63`.
pub fn requantize(x: i64, scale: i32, shift: u32) -> i64 {
    let p = i128::from(x) * i128::from(scale);
    let rounded = if shift > 0 {
        p + (1i128 << (shift - 1))
    } else {
        p
    };
    (rounded >> shift).clamp(-128, 127) as i64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounds_half_up_and_saturates() {
        assert_eq!(requantize(5, 1, 1), 3); // 2.5 -> 3
        assert_eq!(requantize(-5, 1, 1), -2); // -2.5 -> -2
        assert_eq!(requantize(-7, 1, 1), -3); // -3.5 -> -3
        assert_eq!(requantize(7, 3, 2), 5); // 5.25 -> 5
        assert_eq!(requantize(1000, 1, 0), 127);
        assert_eq!(requantize(-1000, 1, 0), -128);
        assert_eq!(requantize(-(1 << 47), -(1 << 15), 63), 1); // 0.5 -> 1
        assert_eq!(requantize(-(1 << 23), -(1 << 15), 31), 127);
    }

    #[test]
    fn shapes_and_params_are_checked() {
        let s = EltwiseSpec {
            lanes_in: 8,
            lanes: 3,
            acc_bits: 24,
        };
        assert_eq!(s.validate(), Ok(()));
        assert_eq!(s.slices(), 3);
        assert_eq!(s.max_shift(), 39);
        assert!(s.check_params(-32768, 39).is_ok());
        assert_eq!(
            s.check_params(32768, 0).unwrap_err().to_string(),
            "eltwise field `scale`: must be -32768..=32767 (got 32768)"
        );
        assert_eq!(
            s.check_params(1, 40).unwrap_err().to_string(),
            "eltwise field `shift`: must be 0..=39 (acc_bits + 15) (got 40)"
        );
        assert_eq!(
            EltwiseSpec { lanes: 9, ..s }
                .validate()
                .unwrap_err()
                .to_string(),
            "eltwise field `lanes`: must be 1..=8 (lanes_in) (got 9)"
        );
    }
}
