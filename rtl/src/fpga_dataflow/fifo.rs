//! The FIFO between the pipeline top's engines (`lutforge_sim::fpga_dataflow::fifo`): `depth`
//! slots of `width` bits, `in_ready = count < depth`, the head on `out_data` while `count > 0`,
//! a push and a pop in the same cycle allowed, no fall-through. The depth and width are the
//! generator's parameters (one module per design, named by the caller).

use super::{and, inc, nb};
use crate::arith::ceil_log2;
use crate::verilog::{BinOp, Dir, Expr, Item, Module, Stmt};
use crate::PlantedBug;

/// The FIFO module `name`: `depth` (at least 1) beats of `width` bits. With
/// [`PlantedBug::FifoDropsWhenFull`] it claims `in_ready` while full and drops the beat.
pub fn fifo(name: &str, depth: u32, width: u32, bug: Option<PlantedBug>) -> Module {
    let mut m = Module::new(name);
    m.doc = vec![format!(
        "FIFO: {depth} x {width} bits, valid/ready on both sides; in_ready = count < {depth}, no fall-through."
    )];
    let clk = m.port(Dir::Input, "clk", 1, "clock");
    let _ = clk;
    let rst = m.port(Dir::Input, "rst", 1, "synchronous reset, active high");
    let in_valid = m.port(Dir::Input, "in_valid", 1, "producer has a beat");
    let in_ready = m.port(Dir::Output, "in_ready", 1, "a slot is free");
    let in_data = m.port(Dir::Input, "in_data", width, "the producer's beat");
    let out_valid = m.port(Dir::Output, "out_valid", 1, "the FIFO holds a beat");
    let out_ready = m.port(Dir::Input, "out_ready", 1, "the consumer takes the head");
    let out_data = m.port(Dir::Output, "out_data", width, "the oldest beat");

    let cb = ceil_log2(u64::from(depth) + 1);
    let count = m.reg("count", cb);
    let room = m.wire_assign(
        "room",
        1,
        count
            .clone()
            .bin(BinOp::Lt, Expr::lit(cb, u64::from(depth))),
    );
    let ready = if bug == Some(PlantedBug::FifoDropsWhenFull) {
        Expr::lit(1, 1)
    } else {
        room.clone()
    };
    m.items.push(Item::Assign(in_ready, ready));
    m.items.push(Item::Assign(
        out_valid.clone(),
        count.clone().bin(BinOp::Ne, Expr::lit(cb, 0)),
    ));
    // A beat is stored only into a free slot (so the planted bug drops it).
    let push = m.wire_assign("push", 1, and(in_valid, room));
    let pop = m.wire_assign("pop", 1, and(out_valid, out_ready));

    let mut ctrl = vec![Stmt::If(
        and(push.clone(), pop.clone().lnot()),
        vec![nb(&count, inc(&count, cb))],
        vec![Stmt::If(
            and(pop.clone(), push.clone().lnot()),
            vec![nb(&count, count.clone().bin(BinOp::Sub, Expr::lit(cb, 1)))],
            vec![],
        )],
    )];
    let mut reset = vec![nb(&count, Expr::lit(cb, 0))];
    if depth == 1 {
        let slot = m.reg("slot", width);
        m.items.push(Item::AlwaysFf {
            clock: "clk".into(),
            body: vec![Stmt::If(push, vec![nb(&slot, in_data)], vec![])],
        });
        m.items.push(Item::Assign(out_data, slot));
    } else {
        let pb = ceil_log2(u64::from(depth));
        let rd = m.reg("rd", pb);
        let wr = m.reg("wr", pb);
        m.items.push(Item::Reg {
            name: "mem".into(),
            width,
            depth: Some(depth),
            attr: None,
        });
        let mem = Expr::id("mem");
        let next = |p: &Expr| {
            if depth.is_power_of_two() {
                inc(p, pb)
            } else {
                p.clone()
                    .bin(BinOp::Eq, Expr::lit(pb, u64::from(depth - 1)))
                    .cond(Expr::lit(pb, 0), inc(p, pb))
            }
        };
        m.items.push(Item::AlwaysFf {
            clock: "clk".into(),
            body: vec![Stmt::If(
                push.clone(),
                vec![nb(&mem.clone().index(wr.clone()), in_data)],
                vec![],
            )],
        });
        m.items.push(Item::Assign(out_data, mem.index(rd.clone())));
        ctrl.push(Stmt::If(push, vec![nb(&wr, next(&wr))], vec![]));
        ctrl.push(Stmt::If(pop, vec![nb(&rd, next(&rd))], vec![]));
        reset.push(nb(&rd, Expr::lit(pb, 0)));
        reset.push(nb(&wr, Expr::lit(pb, 0)));
    }
    m.items.push(Item::AlwaysFf {
        clock: "clk".into(),
        body: vec![Stmt::If(rst, reset, ctrl)],
    });
    m
}
