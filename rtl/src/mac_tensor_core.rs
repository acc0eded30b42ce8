//! The MAC tensor-core tile (dequantize, multiply, adder tree, accumulate) in Verilog, built as
//! [`crate::verilog`] values from a [`MacArray`].
//!
//! The micro-architecture (streams, level boundaries, pipeline registers, cycle count) is
//! specified in `lutforge_sim::mac_tensor_core`; this generator implements that text register
//! for register. Modules: the top (streams, the two front pipeline registers, the result-row
//! mux), the controller, the dequantize unit and one dot-product unit per output (multiply, tree,
//! its later pipeline registers, the accumulator).
//!
//! Pipeline data registers load every cycle (no enable, no reset): the controller's valid bits
//! say which of them hold a k-step, and only a valid k-step reaches the accumulators. When the
//! exact tree sum (`2 * mult_bits + ceil(log2 tile_k)` bits) is wider than `acc_bits`, the
//! accumulator register keeps that many bits (the sum is never truncated, so every bit of every
//! signal is used); results are its low `acc_bits` bits, which is the specified arithmetic modulo
//! `2^acc_bits`.
//!
//! Only the integer datapath has RTL: an array in the fp16 mode (`mac.act_format = "fp16"`) is
//! simulation-only and [`check`] refuses it.

use lutforge_sim::mac_tensor_core::{ceil_log2, MacArray, K_CHUNKS_BITS};
use lutforge_sim::Arch;

use crate::arith::signed_product;
use crate::lut_tensor_core::Names;
use crate::streams::{
    cmd_ports, controller_connections, data_ports, drain_row, select_row, Beats, CmdDocs,
};
use crate::verilog::{BinOp, Dir, Expr, Item, Module, Stmt};
use crate::{PlantedBug, RtlError};

/// Refuses a MAC architecture the generator has no RTL for: the fp16 mode.
pub fn check(arch: &Arch) -> Result<(), RtlError> {
    match arch.machine_as::<MacArray>() {
        Some(array) if array.is_fp() => Err(RtlError::SimulationOnly {
            file: arch.source.clone(),
            field: "mac.act_format",
            value: format!("\"{}\"", array.act_format.as_str()),
            reason: "the fp16 MAC mode is simulation-only: the MAC RTL has the integer datapath only (use \"int\" for rtl and cosim)",
        }),
        _ => Ok(()),
    }
}

/// Widths and counts derived once from the array.
#[derive(Debug, Clone, Copy)]
struct Dims {
    m: u32,
    n: u32,
    t: u32,
    mb: u32,
    acc_bits: u32,
    /// Adder-tree depth.
    depth: u32,
    /// Pipeline registers (`pipeline_cycles - 1`).
    regs: u32,
    /// `cmd_weight_bits` width.
    wb_bits: u32,
    row_bits: u32,
}

impl Dims {
    fn of(a: &MacArray) -> Dims {
        Dims {
            m: a.tile_m,
            n: a.tile_n,
            t: a.tile_k,
            mb: a.mult_bits,
            acc_bits: a.acc_bits,
            depth: a.tree_depth(),
            regs: a.pipeline_cycles - 1,
            wb_bits: a.weight_bits_field_bits(),
            row_bits: ceil_log2(a.tile_m).max(1),
        }
    }
    fn act_bits(&self) -> u32 {
        self.m * self.t * self.mb
    }
    fn wgt_bits(&self) -> u32 {
        self.n * self.t * self.mb
    }
    /// Width of the exact tree sum.
    fn sum_bits(&self) -> u32 {
        2 * self.mb + self.depth
    }
    /// Width of the accumulator register.
    fn acc_reg_bits(&self) -> u32 {
        self.acc_bits.max(self.sum_bits())
    }
    /// Level boundary of pipeline register `r` (`1..=regs`).
    fn boundary(&self, r: u32) -> u32 {
        (r - 1).min(self.depth + 2)
    }
}

fn nb(lhs: &Expr, rhs: Expr) -> Stmt {
    Stmt::NonBlocking(lhs.clone(), rhs)
}

fn and(a: Expr, b: Expr) -> Expr {
    a.bin(BinOp::LogicAnd, b)
}

fn lane(e: &Expr, i: u32, width: u32) -> Expr {
    e.clone().slice(i * width + width - 1, i * width)
}

/// Every module of the tile, the top first.
pub fn modules(array: &MacArray, names: &Names, bug: Option<PlantedBug>) -> Vec<Module> {
    let d = Dims::of(array);
    vec![
        top(&d, names),
        controller(&d, names, bug),
        dequant(&d, names, bug),
        unit(&d, names),
    ]
}

/// The dequantize unit: each `mult_bits` field's low `weight_bits` bits, sign-extended.
fn dequant(d: &Dims, names: &Names, bug: Option<PlantedBug>) -> Module {
    let mut m = Module::new(names.module("dequant"));
    m.doc = vec![format!(
        "Dequantize unit: {} weight codes; the low weight_bits bits of each {}-bit field, sign-extended.",
        d.n * d.t,
        d.mb
    )];
    let wbits = m.port(
        Dir::Input,
        "wbits",
        d.wb_bits,
        "weight code width, 1..=mult_bits",
    );
    let codes = m.port(
        Dir::Input,
        "codes",
        d.wgt_bits(),
        "column n, k i at [(n*T+i)*MB +: MB]",
    );
    let out = m.port(
        Dir::Output,
        "weights",
        d.wgt_bits(),
        "dequantized operands, same layout",
    );
    for i in 0..d.n * d.t {
        let field = lane(&codes, i, d.mb);
        let value = if bug == Some(PlantedBug::DequantNoSignExtend) {
            field
        } else {
            (1..d.mb).rev().fold(field.clone(), |acc, b| {
                wbits
                    .clone()
                    .bin(BinOp::Eq, Expr::lit(d.wb_bits, u64::from(b)))
                    .cond(field.clone().slice(b - 1, 0).sext(b, d.mb), acc)
            })
        };
        m.items.push(Item::Assign(lane(&out, i, d.mb), value));
    }
    m
}

/// Applies datapath level `level` (1 multiply, `1 + l` tree level `l`) inside a unit, declaring
/// its wires; `vals` are the values at boundary `level`.
fn level(m: &mut Module, d: &Dims, level: u32, vals: Vec<(Expr, u32)>) -> Vec<(Expr, u32)> {
    if level == 1 {
        let w = 2 * d.mb;
        (0..d.t as usize)
            .map(|i| {
                let (a, aw) = vals[i].clone();
                let (b, bw) = vals[d.t as usize + i].clone();
                let p = signed_product(a, aw, b, bw, w);
                (m.wire_assign(&format!("p_{i}"), w, p), w)
            })
            .collect()
    } else {
        let l = level - 1;
        let w = 2 * d.mb + l;
        vals.chunks(2)
            .enumerate()
            .map(|(j, pair)| {
                let sum = pair
                    .iter()
                    .map(|(e, ew)| e.clone().sext(*ew, w))
                    .reduce(|x, y| x.bin(BinOp::Add, y))
                    .unwrap_or(Expr::lit(w, 0));
                (m.wire_assign(&format!("t{l}_{j}"), w, sum), w)
            })
            .collect()
    }
}

/// One dot-product unit: multiply, adder tree, its pipeline registers past the multiplier
/// input, and the accumulator.
fn unit(d: &Dims, names: &Names) -> Module {
    let mut m = Module::new(names.module("unit"));
    m.doc = vec![format!(
        "Dot-product unit: {} products of {}-bit operands, adder tree of depth {}, {}-bit accumulator.",
        d.t, d.mb, d.depth, d.acc_bits
    )];
    m.port(Dir::Input, "clk", 1, "clock");
    let clear = m.port(
        Dir::Input,
        "clear",
        1,
        "zero the accumulator (cmd transfer)",
    );
    let en = m.port(
        Dir::Input,
        "en",
        1,
        "a valid k-step reaches the accumulator",
    );
    let a = m.port(
        Dir::Input,
        "a",
        d.t * d.mb,
        "this row's activations, i at [i*MB +: MB]",
    );
    let w = m.port(
        Dir::Input,
        "w",
        d.t * d.mb,
        "this column's dequantized weights, i at [i*MB +: MB]",
    );
    let out = m.port(
        Dir::Output,
        "acc_out",
        d.acc_bits,
        "accumulator (two's complement)",
    );
    let mut vals: Vec<(Expr, u32)> = (0..d.t)
        .map(|i| (lane(&a, i, d.mb), d.mb))
        .chain((0..d.t).map(|i| (lane(&w, i, d.mb), d.mb)))
        .collect();
    let last = d.depth + 2;
    let mut at = 1;
    for r in 3..=d.regs {
        let b = d.boundary(r);
        for lv in at..b {
            vals = level(&mut m, d, lv, vals);
        }
        at = b;
        let mut body = Vec::new();
        vals = vals
            .into_iter()
            .enumerate()
            .map(|(i, (e, ew))| {
                let q = m.reg(&format!("r{r}_{i}"), ew);
                body.push(nb(&q, e));
                (q, ew)
            })
            .collect();
        m.items.push(Item::AlwaysFf {
            clock: "clk".into(),
            body,
        });
    }
    for lv in at..last {
        vals = level(&mut m, d, lv, vals);
    }
    let (sum, sw) = vals[0].clone();
    let ar = d.acc_reg_bits();
    let acc = m.reg("acc", ar);
    m.items.push(Item::AlwaysFf {
        clock: "clk".into(),
        body: vec![Stmt::If(
            clear,
            vec![nb(&acc, Expr::lit(ar, 0))],
            vec![Stmt::If(
                en,
                vec![nb(&acc, acc.clone().bin(BinOp::Add, sum.sext(sw, ar)))],
                vec![],
            )],
        )],
    });
    let exported = if ar == d.acc_bits {
        acc
    } else {
        acc.slice(d.acc_bits - 1, 0)
    };
    m.items.push(Item::Assign(out, exported));
    m
}

/// The tile controller: command, joint k-step handshake, pipeline valid bits, drain.
fn controller(d: &Dims, names: &Names, bug: Option<PlantedBug>) -> Module {
    let kc = K_CHUNKS_BITS;
    let mut m = Module::new(names.module("controller"));
    m.doc = vec![format!(
        "Tile controller: k-step counter, {} pipeline valid bits, drain of {} rows.",
        d.regs, d.m
    )];
    let cmd = cmd_ports(
        &mut m,
        d.wb_bits,
        CmdDocs {
            ready: "command ready (idle)",
            k_chunks: "k-steps of the tile, 1..=65535",
            weight_bits: "weight code width, 1..=mult_bits",
        },
    );
    let streams = data_ports(&mut m, None);
    let cmd_fire = m.port(
        Dir::Output,
        "cmd_fire",
        1,
        "command transfer: clear accumulators",
    );
    let step_fire = m.wire("step_fire", 1);
    let acc_en = m.port(
        Dir::Output,
        "acc_en",
        1,
        "a valid k-step reaches the accumulators",
    );
    let wbits = m.port(
        Dir::OutputReg,
        "weight_bits_r",
        d.wb_bits,
        "latched weight code width",
    );
    let dr_row = drain_row(&mut m, d.m, d.row_bits);
    let busy = m.reg("busy", 1);
    let k_r = m.reg("k_chunks_r", kc);
    let issued = m.reg("issued", kc);
    let idle_gap = (bug == Some(PlantedBug::IdleAfterTile)).then(|| m.reg("cooldown", 1));

    let idle = match &idle_gap {
        Some(c) => and(busy.clone().lnot(), c.clone().lnot()),
        None => busy.clone().lnot(),
    };
    m.items.push(Item::Assign(cmd.ready, idle.clone()));
    m.items
        .push(Item::Assign(cmd_fire.clone(), and(cmd.valid, idle)));
    let go = m.wire_assign(
        "go",
        1,
        and(busy.clone(), issued.clone().bin(BinOp::Lt, k_r.clone())),
    );
    m.items.push(Item::Assign(
        streams.act_ready,
        and(go.clone(), streams.wgt_valid.clone()),
    ));
    m.items.push(Item::Assign(
        streams.wgt_ready,
        and(go.clone(), streams.act_valid.clone()),
    ));
    m.items.push(Item::Assign(
        step_fire.clone(),
        and(and(go, streams.act_valid), streams.wgt_valid),
    ));
    let (empty, en, sv) = if d.regs == 0 {
        (Expr::lit(1, 1), step_fire.clone(), None)
    } else {
        let sv = m.reg("stage_valid", d.regs);
        (
            sv.clone().bin(BinOp::Eq, Expr::lit(d.regs, 0)),
            if d.regs == 1 {
                sv.clone()
            } else {
                sv.clone().bit(d.regs - 1)
            },
            Some(sv),
        )
    };
    m.items.push(Item::Assign(acc_en, en));
    m.items.push(Item::Assign(
        streams.res_valid.clone(),
        and(
            and(busy.clone(), issued.clone().bin(BinOp::Eq, k_r.clone())),
            empty,
        ),
    ));
    let res_fire = m.wire_assign("res_fire", 1, and(streams.res_valid, streams.res_ready));
    let zero = |w: u32| Expr::lit(w, 0);
    let mut reset_body = vec![
        nb(&busy, zero(1)),
        nb(&dr_row, zero(d.row_bits)),
        nb(&issued, zero(kc)),
    ];
    let mut run_body = Vec::new();
    if let Some(sv) = &sv {
        reset_body.push(nb(sv, zero(d.regs)));
        let shifted = if d.regs == 1 {
            step_fire.clone()
        } else {
            Expr::Concat(vec![sv.clone().slice(d.regs - 2, 0), step_fire.clone()])
        };
        run_body.push(nb(sv, shifted));
    }
    let last_row = dr_row
        .clone()
        .bin(BinOp::Eq, Expr::lit(d.row_bits, u64::from(d.m - 1)));
    if let Some(c) = &idle_gap {
        reset_body.push(nb(c, zero(1)));
        run_body.push(nb(c, and(res_fire.clone(), last_row.clone())));
    }
    run_body.push(Stmt::If(
        cmd_fire,
        vec![
            nb(&busy, Expr::lit(1, 1)),
            nb(&k_r, cmd.k_chunks),
            nb(&wbits, cmd.weight_bits),
            nb(&issued, zero(kc)),
            nb(&dr_row, zero(d.row_bits)),
        ],
        vec![],
    ));
    run_body.push(Stmt::If(
        step_fire.clone(),
        vec![nb(
            &issued,
            issued.clone().bin(BinOp::Add, Expr::lit(kc, 1)),
        )],
        vec![],
    ));
    run_body.push(Stmt::If(
        res_fire,
        vec![Stmt::If(
            last_row,
            vec![nb(&dr_row, zero(d.row_bits)), nb(&busy, zero(1))],
            vec![nb(
                &dr_row,
                dr_row.clone().bin(BinOp::Add, Expr::lit(d.row_bits, 1)),
            )],
        )],
        vec![],
    ));
    m.items.push(Item::AlwaysFf {
        clock: "clk".into(),
        body: vec![Stmt::If(cmd.rst, reset_body, run_body)],
    });
    m
}

/// The top module: streams in, front pipeline registers, dequantize, units, results out.
fn top(d: &Dims, names: &Names) -> Module {
    let mut m = Module::new(names.module("top"));
    m.doc = vec![
        format!(
            "MAC tensor-core tile, {} x {} outputs per tile, {} products per output per cycle, valid/ready streams",
            d.m, d.n, d.t
        ),
        "(a transfer happens on a rising edge where valid and ready are both high):".into(),
        "  cmd: k_chunks, weight_bits (one per tile; cmd_ready is high when idle)".into(),
        "  act: k_chunks beats; row m, k i at [(m*T+i)*MB +: MB] (two's complement)".into(),
        "  wgt: k_chunks beats; column n, k i at [(n*T+i)*MB +: MB], the code in the low weight_bits bits".into(),
        "  (act and wgt transfer together: each ready waits for the other stream's valid)".into(),
        format!("  res: {} beats, row 0 first; column n at [n*A +: A], two's complement", d.m),
        format!(
            "Pipeline: {} registers (pipeline_cycles - 1) at the boundaries input, dequantize, multiply, tree levels.",
            d.regs
        ),
        "Cycle count and register behaviour: see lutforge_sim::mac_tensor_core.".into(),
    ];
    let cmd = cmd_ports(
        &mut m,
        d.wb_bits,
        CmdDocs {
            ready: "command ready",
            k_chunks: "k-steps, 1..=65535",
            weight_bits: "weight code width",
        },
    );
    let clk = cmd.clk.clone();
    let streams = data_ports(
        &mut m,
        Some(Beats {
            act: (d.act_bits(), "activation beat"),
            wgt: (d.wgt_bits(), "weight code beat"),
            res: d.n * d.acc_bits,
        }),
    );
    let (act_data, wgt_data, res_data) = streams.data.clone().expect("a top declares its data");

    let cmd_fire = m.wire("cmd_fire", 1);
    let acc_en = m.wire("acc_en", 1);
    let wbits = m.wire("weight_bits_r", d.wb_bits);
    let row = (d.m > 1).then(|| m.wire("res_row", d.row_bits));
    let mut ctrl_ports = controller_connections(cmd, streams);
    ctrl_ports.extend([
        ("cmd_fire".into(), cmd_fire.clone()),
        ("acc_en".into(), acc_en.clone()),
        ("weight_bits_r".into(), wbits.clone()),
    ]);
    if let Some(r) = &row {
        ctrl_ports.push(("res_row".into(), r.clone()));
    }
    m.items.push(Item::Instance {
        module: names.module("controller"),
        name: "u_ctrl".into(),
        ports: ctrl_ports,
    });

    // Front pipeline registers: the input register (boundary 0) and, after it, the dequantize
    // register (boundary 1).
    let (act0, wgt0) = if d.regs >= 1 {
        m.comment("pipeline register 1: the input beats");
        let a = m.reg("in_act", d.act_bits());
        let w = m.reg("in_wgt", d.wgt_bits());
        m.items.push(Item::AlwaysFf {
            clock: "clk".into(),
            body: vec![nb(&a, act_data), nb(&w, wgt_data)],
        });
        (a, w)
    } else {
        (act_data, wgt_data)
    };
    let dq = m.wire("dq_weights", d.wgt_bits());
    m.items.push(Item::Instance {
        module: names.module("dequant"),
        name: "u_dequant".into(),
        ports: vec![
            ("wbits".into(), wbits),
            ("codes".into(), wgt0),
            ("weights".into(), dq.clone()),
        ],
    });
    let (act1, wgt1) = if d.regs >= 2 {
        m.comment("pipeline register 2: dequantized operands");
        let a = m.reg("dq_act", d.act_bits());
        let w = m.reg("dq_wgt", d.wgt_bits());
        m.items.push(Item::AlwaysFf {
            clock: "clk".into(),
            body: vec![nb(&a, act0), nb(&w, dq)],
        });
        (a, w)
    } else {
        (act0, dq)
    };
    let accs = m.wire("accs", d.m * d.n * d.acc_bits);
    let span = d.t * d.mb;
    for r in 0..d.m {
        for c in 0..d.n {
            let lo = (r * d.n + c) * d.acc_bits;
            m.items.push(Item::Instance {
                module: names.module("unit"),
                name: format!("u_r{r}_c{c}"),
                ports: vec![
                    ("clk".into(), clk.clone()),
                    ("clear".into(), cmd_fire.clone()),
                    ("en".into(), acc_en.clone()),
                    ("a".into(), lane(&act1, r, span)),
                    ("w".into(), lane(&wgt1, c, span)),
                    (
                        "acc_out".into(),
                        accs.clone().slice(lo + d.acc_bits - 1, lo),
                    ),
                ],
            });
        }
    }
    let row_w = d.n * d.acc_bits;
    let acc_row = match &row {
        None => accs,
        Some(row) => select_row(&mut m, &accs, d.m, row_w, row.clone()),
    };
    m.items.push(Item::Assign(res_data, acc_row));
    m
}
