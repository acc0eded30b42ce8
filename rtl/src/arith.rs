//! Arithmetic building blocks the generators share, as [`crate::verilog`] expressions over the
//! AST's unsigned, width-exact operands.

use crate::verilog::{BinOp, Expr};

/// `ceil(log2(x))` for `x >= 1` (0 for 1): the bits of an index into `x` things.
pub fn ceil_log2(x: u64) -> u32 {
    if x <= 1 {
        0
    } else {
        64 - (x - 1).leading_zeros()
    }
}

/// The `w`-bit two's complement product of `a` (`aw` bits) and `b` (`bw` bits, `aw + bw == w`)
/// in unsigned arithmetic (the generator's operands are unsigned): the unsigned product, less
/// `b` shifted by `aw` when `a` is negative and `a` shifted by `bw` when `b` is negative (the
/// Baugh-Wooley correction, modulo `2^w`). An `aw x bw` multiplier plus two `bw`/`aw`-bit
/// subtractions: smaller than a `w x w` product of sign-extended operands.
pub fn signed_product(a: Expr, aw: u32, b: Expr, bw: u32, w: u32) -> Expr {
    let unsigned = a.clone().zext(aw, w).bin(BinOp::Mul, b.clone().zext(bw, w));
    let a_neg = a.clone().bit(aw - 1);
    let b_neg = b.clone().bit(bw - 1);
    let b_if_a_neg = a_neg.cond(b, Expr::lit(bw, 0));
    let a_if_b_neg = b_neg.cond(a, Expr::lit(aw, 0));
    unsigned
        .bin(BinOp::Sub, Expr::Concat(vec![b_if_a_neg, Expr::lit(aw, 0)]))
        .bin(BinOp::Sub, Expr::Concat(vec![a_if_b_neg, Expr::lit(bw, 0)]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log2_counts_index_bits() {
        assert_eq!([1, 2, 3, 4, 5, 8, 9].map(ceil_log2), [0, 1, 2, 2, 3, 3, 4]);
    }
}
