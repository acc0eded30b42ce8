//! A combinational floating-point adder in plain Verilog, for any binary format (FP16 and FP32
//! here), with the arithmetic of `lutforge_models::numerics::fp`: subnormal operands read as
//! zero, round to nearest with ties to even, results below the smallest normal flushed to zero
//! (sign of the sum), overflow saturated to the largest finite value; no NaN or infinity.
//!
//! Datapath (`P = man_bits + 1` significand bits, `X = P + 3` with guard, round and sticky):
//! order the operands by magnitude; shift the smaller significand right by the exponent
//! difference (clamped to `X`), OR-ing every bit shifted out into the sticky bit; add or
//! subtract; normalize (one right shift on a carry, else a left shift by the leading-zero
//! count, flushing when the exponent would drop below 1); round on guard/round/sticky and the
//! LSB; saturate when the exponent reaches the all-ones field. With the three extra bits the
//! rounding is that of the exact sum (the classic guard/round/sticky argument: a left shift of
//! more than one place happens only when the exponents differ by at most one, when no bit was
//! shifted out).

use lutforge_models::numerics::fp::FpFormat;

use crate::lut_tensor_core::Names;
use crate::verilog::{BinOp, Dir, Expr, Module};

/// A deliberate defect of the generated adder (tests prove co-simulation catches it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AdderBug {
    /// Truncate instead of rounding to nearest even.
    Truncate,
}

/// The module name of the adder of `fmt`: `<prefix>_fp<bits>_add`.
pub fn adder_name(names: &Names, fmt: FpFormat) -> String {
    names.module(&format!("fp{}_add", fmt.bits()))
}

fn ceil_log2(x: u32) -> u32 {
    32 - (x.max(2) - 1).leading_zeros()
}

/// The adder module for `fmt`: ports `a`, `b` in, `y = a + b` out.
pub fn fp_add(names: &Names, fmt: FpFormat, bug: Option<AdderBug>) -> Module {
    let (e, f) = (fmt.exp_bits, fmt.man_bits);
    let w = fmt.bits();
    let p = f + 1;
    let x = p + 3;
    let dw = ceil_log2(x + 1);
    let ew = e + 2;
    let mut m = Module::new(adder_name(names, fmt));
    m.doc = vec![
        format!("FP{w} adder (E{e} M{f}): y = a + b, round to nearest even, subnormals flushed to zero, overflow saturates."),
        "Combinational; the rounding of lutforge_models::numerics::fp::add.".into(),
    ];
    let a = m.port(Dir::Input, "a", w, "operand");
    let b = m.port(Dir::Input, "b", w, "operand");
    let y = m.port(Dir::Output, "y", w, "a + b");
    let lit = Expr::lit;
    let exp_of = |v: &Expr| v.clone().slice(w - 2, f);
    let za = m.wire_assign("za", 1, exp_of(&a).bin(BinOp::Eq, lit(e, 0)));
    let zb = m.wire_assign("zb", 1, exp_of(&b).bin(BinOp::Eq, lit(e, 0)));
    let mag_a = m.wire_assign(
        "mag_a",
        w - 1,
        za.clone().cond(lit(w - 1, 0), a.clone().slice(w - 2, 0)),
    );
    let mag_b = m.wire_assign(
        "mag_b",
        w - 1,
        zb.clone().cond(lit(w - 1, 0), b.clone().slice(w - 2, 0)),
    );
    let swap = m.wire_assign("swap", 1, mag_b.clone().bin(BinOp::Gt, mag_a.clone()));
    let pick = |m: &mut Module, name: &str, width: u32, hi: Expr, lo: Expr| {
        m.wire_assign(name, width, swap.clone().cond(hi, lo))
    };
    let sl = pick(&mut m, "s_l", 1, b.clone().bit(w - 1), a.clone().bit(w - 1));
    let ss = pick(&mut m, "s_s", 1, a.clone().bit(w - 1), b.clone().bit(w - 1));
    let mag_l = pick(&mut m, "mag_l", w - 1, mag_b.clone(), mag_a.clone());
    let mag_s = pick(&mut m, "mag_s", w - 1, mag_a, mag_b);
    let el = m.wire_assign("e_l", e, mag_l.clone().slice(w - 2, f));
    let es = m.wire_assign("e_s", e, mag_s.clone().slice(w - 2, f));
    let zs = m.wire_assign("z_s", 1, es.clone().bin(BinOp::Eq, lit(e, 0)));
    let xl = m.wire_assign(
        "x_l",
        x,
        Expr::Concat(vec![lit(1, 1), mag_l.slice(f - 1, 0), lit(3, 0)]),
    );
    let xs = m.wire_assign(
        "x_s",
        x,
        zs.cond(
            lit(x, 0),
            Expr::Concat(vec![lit(1, 1), mag_s.slice(f - 1, 0), lit(3, 0)]),
        ),
    );
    let d = m.wire_assign("d", e, el.clone().bin(BinOp::Sub, es));
    let dc = m.wire_assign(
        "dc",
        dw,
        d.clone()
            .bin(BinOp::Gt, lit(e, u64::from(x)))
            .cond(lit(dw, u64::from(x)), d.slice(dw - 1, 0)),
    );
    let ones = lit(x, (1u64 << x) - 1);
    let shifted = m.wire_assign("shifted", x, xs.clone().bin(BinOp::Shr, dc.clone()));
    let lost = m.wire_assign(
        "lost",
        1,
        xs.bin(BinOp::And, ones.bin(BinOp::Shl, dc).inv())
            .bin(BinOp::Ne, lit(x, 0)),
    );
    let xs2 = m.wire_assign(
        "x_s2",
        x,
        Expr::Concat(vec![
            shifted.clone().slice(x - 1, 1),
            shifted.bit(0).bin(BinOp::Or, lost),
        ]),
    );
    let sub = m.wire_assign("sub", 1, sl.clone().bin(BinOp::Xor, ss));
    let wide = |v: Expr| v.zext(x, x + 1);
    let sum = m.wire_assign(
        "sum",
        x + 1,
        sub.cond(
            wide(xl.clone()).bin(BinOp::Sub, wide(xs2.clone())),
            wide(xl).bin(BinOp::Add, wide(xs2)),
        ),
    );
    let carry = m.wire_assign("carry", 1, sum.clone().bit(x));
    // Leading zeros of sum[X-1:0] (X when it is zero), as a priority chain.
    let low = sum.clone().slice(x - 1, 0);
    let lz_expr = (0..x).fold(lit(dw, u64::from(x)), |rest, i| {
        low.clone().bit(i).cond(lit(dw, u64::from(x - 1 - i)), rest)
    });
    let lz = m.wire_assign("lz", dw, lz_expr);
    let el_w = el.zext(e, ew);
    let lz_w = lz.clone().zext(dw, ew);
    let n1 = m.wire_assign(
        "n1",
        x,
        carry.clone().cond(
            Expr::Concat(vec![
                sum.clone().slice(x, 2),
                sum.clone().bit(1).bin(BinOp::Or, sum.clone().bit(0)),
            ]),
            low.clone().bin(BinOp::Shl, lz),
        ),
    );
    let e1 = m.wire_assign(
        "e1",
        ew,
        carry.clone().cond(
            el_w.clone().bin(BinOp::Add, lit(ew, 1)),
            el_w.clone().bin(BinOp::Sub, lz_w.clone()),
        ),
    );
    let under = m.wire_assign(
        "under",
        1,
        carry
            .lnot()
            .bin(BinOp::LogicAnd, lz_w.bin(BinOp::Lt, el_w).lnot()),
    );
    let up = match bug {
        Some(AdderBug::Truncate) => lit(1, 0),
        None => n1.clone().bit(2).bin(
            BinOp::And,
            n1.clone()
                .bit(1)
                .bin(BinOp::Or, n1.clone().bit(0))
                .bin(BinOp::Or, n1.clone().bit(3)),
        ),
    };
    let up = m.wire_assign("up", 1, up);
    let rounded = m.wire_assign(
        "rounded",
        p + 1,
        n1.clone()
            .slice(x - 1, 3)
            .zext(p, p + 1)
            .bin(BinOp::Add, up.zext(1, p + 1)),
    );
    let rnd_carry = rounded.clone().bit(p);
    // The rounded significand's leading one is implied; only a rounding carry changes it.
    m.wire_assign(
        "unused_hidden",
        2,
        Expr::Concat(vec![rounded.clone().bit(p - 1), n1.bit(x - 1)]),
    );
    let e2 = m.wire_assign("e2", ew, e1.bin(BinOp::Add, rnd_carry.clone().zext(1, ew)));
    let frac = m.wire_assign(
        "frac",
        f,
        rnd_carry.cond(lit(f, 0), rounded.slice(f - 1, 0)),
    );
    let max_exp = u64::from(fmt.max_exp());
    let over = m.wire_assign("over", 1, e2.clone().bin(BinOp::Gt, lit(ew, max_exp)));
    let normal = Expr::Concat(vec![sl.clone(), e2.slice(e - 1, 0), frac]);
    let saturated = Expr::Concat(vec![sl.clone(), lit(e, max_exp), lit(f, (1u64 << f) - 1)]);
    let zero = Expr::Concat(vec![sl, lit(w - 1, 0)]);
    let both_zero = Expr::Concat(vec![
        a.clone().bit(w - 1).bin(BinOp::And, b.clone().bit(w - 1)),
        lit(w - 1, 0),
    ]);
    let cancel = sum.bin(BinOp::Eq, lit(x + 1, 0));
    let value = za.clone().bin(BinOp::LogicAnd, zb.clone()).cond(
        both_zero,
        za.cond(
            b,
            zb.cond(
                a,
                cancel.cond(lit(w, 0), under.cond(zero, over.cond(saturated, normal))),
            ),
        ),
    );
    m.items.push(crate::verilog::Item::Assign(y, value));
    m
}
