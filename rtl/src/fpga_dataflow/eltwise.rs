//! The element-wise engine (`lutforge_sim::fpga_dataflow::eltwise`): `lanes` requantizers over
//! beats of `lanes_in` accumulators, `ceil(lanes_in / lanes)` slices per beat, a partial
//! register for the earlier slices and the `res` register, which holds its beat while the sink
//! is not ready.
//!
//! Each requantizer computes `clamp((x * scale + 2^(shift - 1)) >> shift, -128, 127)` exactly:
//! an `acc_bits x 16` two's complement product, the rounding constant `(1 << shift) >> 1`, an
//! arithmetic shift (`((x ^ s) >> shift) ^ s` with `s` every bit the sign of `x`) and the
//! saturation (the bits above bit 7 all equal, or the bound of the sign).

use lutforge_sim::fpga_dataflow::eltwise::{EltwiseSpec, OUT_BITS, SCALE_BITS, SHIFT_BITS};

use super::{and, eq, inc, lane, nb};
use crate::arith::{ceil_log2, requantize};
use crate::verilog::{BinOp, Dir, Expr, Item, Module, Stmt};

/// The element-wise module `<prefix>_eltwise`.
pub fn eltwise(spec: &EltwiseSpec, prefix: &str) -> Module {
    let (l, v, a) = (spec.lanes_in, spec.lanes, spec.acc_bits);
    let s = spec.slices();
    let mut m = Module::new(format!("{prefix}_eltwise"));
    m.doc = vec![format!(
        "Element-wise engine: requantize {l} x {a}-bit accumulators to INT8 with {v} requantizers, {s} slice(s) per beat."
    )];
    m.port(Dir::Input, "clk", 1, "clock");
    let rst = m.port(Dir::Input, "rst", 1, "synchronous reset, active high");
    let in_valid = m.port(Dir::Input, "in_valid", 1, "a beat is at the FIFO's head");
    let in_ready = m.port(
        Dir::Output,
        "in_ready",
        1,
        "pop: the beat's last slice is done",
    );
    let in_data = m.port(
        Dir::Input,
        "in_data",
        l * a + 1,
        "lane i at [i*A +: A]; the last flag at the top bit",
    );
    let scale = m.port(
        Dir::Input,
        "scale",
        SCALE_BITS,
        "requantizer scale (two's complement)",
    );
    let shift = m.port(
        Dir::Input,
        "shift",
        SHIFT_BITS,
        "requantizer shift, 0..=A+15",
    );
    let res_valid = m.port(Dir::Output, "res_valid", 1, "result beat valid");
    let res_ready = m.port(Dir::Input, "res_ready", 1, "result beat ready");
    let res_data = m.port(
        Dir::Output,
        "res_data",
        l * OUT_BITS,
        "lane i at [i*8 +: 8]",
    );
    let res_last = m.port(Dir::Output, "res_last", 1, "the job's last beat");

    let valid_r = m.reg("valid_r", 1);
    let data_r = m.reg("data_r", l * OUT_BITS);
    let last_r = m.reg("last_r", 1);
    m.items.push(Item::Assign(res_valid, valid_r.clone()));
    m.items.push(Item::Assign(res_data, data_r.clone()));
    m.items.push(Item::Assign(res_last, last_r.clone()));

    let sb = ceil_log2(u64::from(s));
    let slice = (s > 1).then(|| m.reg("slice", sb));
    let last_slice = match &slice {
        Some(sl) => eq(sl.clone(), sb, u64::from(s - 1)),
        None => Expr::lit(1, 1),
    };
    let fin = m.wire_assign("final_slice", 1, last_slice);
    let free = m.wire_assign(
        "free",
        1,
        valid_r
            .clone()
            .lnot()
            .bin(BinOp::LogicOr, res_ready.clone()),
    );
    m.items
        .push(Item::Assign(in_ready, and(fin.clone(), free.clone())));
    let adv = m.wire_assign(
        "advance",
        1,
        and(
            in_valid,
            fin.clone().lnot().bin(BinOp::LogicOr, free.clone()),
        ),
    );

    // Requantizer u takes lane slice*V + u.
    let mut q = Vec::new();
    for u in 0..v {
        let x = match &slice {
            None => lane(&in_data, u, a),
            Some(sl) => {
                let mut e = Expr::lit(a, 0);
                for sv in (0..s).rev() {
                    let ln = sv * v + u;
                    if ln < l {
                        e = eq(sl.clone(), sb, u64::from(sv)).cond(lane(&in_data, ln, a), e);
                    }
                }
                e
            }
        };
        let x = m.wire_assign(&format!("x_{u}"), a, x);
        q.push(requantize(
            &mut m,
            u,
            x,
            a,
            (&scale, SCALE_BITS),
            &shift,
            OUT_BITS,
        ));
    }

    // The result beat: the earlier slices from the partial register, the last slice now.
    let partial = (s > 1).then(|| m.reg("partial", (s - 1) * v * OUT_BITS));
    let mut lanes = Vec::new();
    for ln in (0..l).rev() {
        let (sv, u) = (ln / v, ln % v);
        lanes.push(if sv == s - 1 {
            q[u as usize].clone()
        } else {
            lane(partial.as_ref().expect("partial with s > 1"), ln, OUT_BITS)
        });
    }
    let next = m.wire_assign("next_data", l * OUT_BITS, Expr::Concat(lanes));
    let in_last = in_data.clone().bit(l * a);
    m.items.push(Item::AlwaysFf {
        clock: "clk".into(),
        body: vec![Stmt::If(
            and(adv.clone(), fin.clone()),
            vec![nb(&data_r, next), nb(&last_r, in_last)],
            vec![],
        )],
    });
    let mut ctrl = vec![Stmt::If(
        and(adv.clone(), fin.clone()),
        vec![nb(&valid_r, Expr::lit(1, 1))],
        vec![Stmt::If(
            res_ready,
            vec![nb(&valid_r, Expr::lit(1, 0))],
            vec![],
        )],
    )];
    let mut reset = vec![nb(&valid_r, Expr::lit(1, 0))];
    if let (Some(sl), Some(partial)) = (&slice, &partial) {
        let mut writes = Vec::new();
        for sv in 0..s - 1 {
            let body = (0..v)
                .map(|u| {
                    let ln = sv * v + u;
                    nb(
                        &partial
                            .clone()
                            .slice(ln * OUT_BITS + OUT_BITS - 1, ln * OUT_BITS),
                        q[u as usize].clone(),
                    )
                })
                .collect();
            writes.push(Stmt::If(eq(sl.clone(), sb, u64::from(sv)), body, vec![]));
        }
        m.items.push(Item::AlwaysFf {
            clock: "clk".into(),
            body: vec![Stmt::If(
                and(adv.clone(), fin.clone().lnot()),
                writes,
                vec![],
            )],
        });
        ctrl.push(Stmt::If(
            adv,
            vec![Stmt::If(
                fin,
                vec![nb(sl, Expr::lit(sb, 0))],
                vec![nb(sl, inc(sl, sb))],
            )],
            vec![],
        ));
        reset.push(nb(sl, Expr::lit(sb, 0)));
    }
    m.items.push(Item::AlwaysFf {
        clock: "clk".into(),
        body: vec![Stmt::If(rst, reset, ctrl)],
    });
    m
}
