//! Arithmetic building blocks the generators share, as [`crate::verilog`] expressions over the
//! AST's unsigned, width-exact operands.

use crate::verilog::{BinOp, Expr, Module};

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

/// An integer requantizer on `x` (`a` bits, two's complement), its wires declared with the
/// suffix `u`: `clamp((x * scale + 2^(shift - 1)) >> shift, -2^(out_bits-1), 2^(out_bits-1) - 1)`
/// exactly, with `scale` of `scale_bits` bits. An `a x scale_bits` two's complement product,
/// the rounding constant `(1 << shift) >> 1`, an arithmetic shift (`((x ^ s) >> shift) ^ s`
/// with `s` every bit the sign) and the saturation (the bits above the result's sign bit all
/// equal, or the bound of the sign). The FPGA element-wise engine and the SRAM-PIM bank's
/// conversion both use it.
pub fn requantize(
    m: &mut Module,
    u: u32,
    x: Expr,
    a: u32,
    (scale, scale_bits): (&Expr, u32),
    shift: &Expr,
    out_bits: u32,
) -> Expr {
    let pw = a + scale_bits;
    let w = pw + 1;
    let p = m.wire_assign(
        &format!("prod_{u}"),
        pw,
        signed_product(x, a, scale.clone(), scale_bits, pw),
    );
    let half = m.wire_assign(
        &format!("half_{u}"),
        w,
        Expr::lit(w, 1)
            .bin(BinOp::Shl, shift.clone())
            .bin(BinOp::Shr, Expr::lit(1, 1)),
    );
    let sum = m.wire_assign(&format!("rsum_{u}"), w, p.sext(pw, w).bin(BinOp::Add, half));
    let sign = Expr::Repeat(w, Box::new(sum.clone().bit(w - 1)));
    let wide = m.wire_assign(
        &format!("rshift_{u}"),
        w,
        sum.bin(BinOp::Xor, sign.clone())
            .bin(BinOp::Shr, shift.clone())
            .bin(BinOp::Xor, sign),
    );
    let hi_w = w - (out_bits - 1);
    let hi = wide.clone().slice(w - 1, out_bits - 1);
    let all = |v: u64| hi.clone().bin(BinOp::Eq, Expr::lit(hi_w, v));
    let fits = all(0).bin(BinOp::LogicOr, all((1u64 << hi_w) - 1));
    let bound = wide.clone().bit(w - 1).cond(
        Expr::lit(out_bits, 1 << (out_bits - 1)),
        Expr::lit(out_bits, (1 << (out_bits - 1)) - 1),
    );
    m.wire_assign(
        &format!("q_{u}"),
        out_bits,
        fits.cond(wide.slice(out_bits - 1, 0), bound),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log2_counts_index_bits() {
        assert_eq!([1, 2, 3, 4, 5, 8, 9].map(ceil_log2), [0, 1, 2, 2, 3, 3, 4]);
    }
}
