//! The bank's two modules: the top (controller and periphery) and the behavioural SRAM macro,
//! as the specification `lutforge_sim::sram_pim::bank` states them.
//!
//! - **Counters** `j`, `u`, `p` walk the words in address order twice: once in `LOAD` (one
//!   `wld` beat each) and once in the compute (`READ`), so the word address is one running
//!   counter `addr`, cleared before each walk. `t` walks the tokens in `CHECK`/`BUILD`, in
//!   `LOOK` and in `DRAIN`. Each counter's last value is latched from the `cmd` fields.
//! - **Tables**: a memory of one word per slot holding entries `1 .. 2^g` (entry 0 is the
//!   constant 0); a slot whose zero flag is set reads 0. `build_adds_per_cycle` adders each
//!   compute entry `1 + window * E + s` of slot `t`, the masked sum of the slot's tag (the
//!   activations the check latched); entry `e` is written by adder `(e - 1) % E` in window
//!   `(e - 1) / E`. The table of token `t` is read once and broadcast to every lane.
//! - **Lanes**: lane `l` reads its `g` index bits from the sense-amplifier word, looks its entry
//!   up in slot `t`, shifts it by the plane `p` and adds it to (subtracts it from, on the top
//!   plane) accumulator `{t, u}` lane `l` on the last lookup cycle.
//! - **Conversion**: `C` converters; in `CONV` cycle `s` converter `c` turns lane `s*C + c`
//!   into `clamp((x * scale + 2^(shift-1)) >> shift, -128, 127)` in the INT8 result register,
//!   with an `acc_bits x 16` two's complement product, an arithmetic shift (`((x ^ s) >> shift) ^ s`,
//!   `s` every bit the sign) and the saturation, sign-extended to `acc_bits` on `res`.

use lutforge_sim::sram_pim::bank::{count_bits, BankSpec, ACT_BITS, OUT_BITS, SCALE_BITS};

use crate::arith::{ceil_log2, requantize};
use crate::verilog::{BinOp, Dir, Expr, Item, Module, Stmt};
use crate::PlantedBug;

const IDLE: u64 = 0;
const LOAD: u64 = 1;
const CHECK: u64 = 2;
const BUILD: u64 = 3;
const READ: u64 = 4;
const LOOK: u64 = 5;
const DRAIN: u64 = 6;
const CONV: u64 = 7;
const STATE_BITS: u32 = 3;

/// Bits of the plane counter (planes `0..8`).
const PLANE_BITS: u32 = 3;

fn nb(lhs: &Expr, rhs: Expr) -> Stmt {
    Stmt::NonBlocking(lhs.clone(), rhs)
}

fn and(a: Expr, b: Expr) -> Expr {
    a.bin(BinOp::LogicAnd, b)
}

fn eq(a: Expr, width: u32, value: u64) -> Expr {
    a.bin(BinOp::Eq, Expr::lit(width, value))
}

fn inc(e: &Expr, w: u32) -> Expr {
    e.clone().bin(BinOp::Add, Expr::lit(w, 1))
}

fn dec(e: Expr, w: u32) -> Expr {
    e.bin(BinOp::Sub, Expr::lit(w, 1))
}

/// Lane `i` of `w`-bit lanes packed in `e`.
fn lane(e: &Expr, i: u32, w: u32) -> Expr {
    e.clone().slice(i * w + w - 1, i * w)
}

fn always(m: &mut Module, body: Vec<Stmt>) {
    m.items.push(Item::AlwaysFf {
        clock: "clk".into(),
        body,
    });
}

fn memory(m: &mut Module, name: &str, width: u32, depth: u32) -> Expr {
    m.items.push(Item::Reg {
        name: name.into(),
        width,
        depth: Some(depth),
        attr: None,
    });
    Expr::id(name)
}

/// Address bits of the word address, `log2(rows * column_mux)`.
fn addr_bits(spec: &BankSpec) -> u32 {
    ceil_log2(spec.words())
}

/// The SRAM macro `<prefix>_sram`: `rows x columns` cells; word `a` is row `a / column_mux`,
/// columns `[(a % column_mux) * W +: W]`; a synchronous write port and a word read.
pub fn sram(spec: &BankSpec, prefix: &str) -> Module {
    let w = spec.word_bits();
    let aw = addr_bits(spec);
    let sb = ceil_log2(u64::from(spec.column_mux));
    let mut m = Module::new(format!("{prefix}_sram"));
    m.doc = vec![format!(
        "Behavioural SRAM macro: {} rows x {} cells, {}-way column mux, {}-bit words.",
        spec.rows, spec.columns, spec.column_mux, w
    )];
    m.port(Dir::Input, "clk", 1, "clock");
    let we = m.port(Dir::Input, "we", 1, "write enable");
    let waddr = m.port(Dir::Input, "waddr", aw, "write word address {row, mux}");
    let wdata = m.port(Dir::Input, "wdata", w, "write word");
    let raddr = m.port(Dir::Input, "raddr", aw, "read word address {row, mux}");
    let rdata = m.port(Dir::Output, "rdata", w, "read word (sensed)");
    let cells = memory(&mut m, "cells", spec.columns, spec.rows);
    let wrow = m.wire_assign("wrow", aw - sb, waddr.clone().slice(aw - 1, sb));
    let rrow = m.wire_assign("rrow", aw - sb, raddr.clone().slice(aw - 1, sb));
    let seg = |s: u32| (s * w + w - 1, s * w);
    if sb == 0 {
        always(
            &mut m,
            vec![Stmt::If(
                we,
                vec![nb(&cells.clone().index(wrow), wdata)],
                vec![],
            )],
        );
        m.items.push(Item::Assign(rdata, cells.index(rrow)));
    } else {
        let wseg = m.wire_assign("wseg", sb, waddr.slice(sb - 1, 0));
        let rseg = m.wire_assign("rseg", sb, raddr.slice(sb - 1, 0));
        let writes = (0..spec.column_mux)
            .map(|s| {
                let (hi, lo) = seg(s);
                Stmt::If(
                    eq(wseg.clone(), sb, u64::from(s)),
                    vec![nb(
                        &cells.clone().index(wrow.clone()).slice(hi, lo),
                        wdata.clone(),
                    )],
                    vec![],
                )
            })
            .collect();
        always(&mut m, vec![Stmt::If(we, writes, vec![])]);
        let row = m.wire_assign("row_q", spec.columns, cells.index(rrow));
        let last = spec.column_mux - 1;
        let (hi, lo) = seg(last);
        let mut read = row.clone().slice(hi, lo);
        for s in (0..last).rev() {
            let (hi, lo) = seg(s);
            read = eq(rseg.clone(), sb, u64::from(s)).cond(row.clone().slice(hi, lo), read);
        }
        m.items.push(Item::Assign(rdata, read));
    }
    m
}

/// The bank's top module `<prefix>_top`. With [`PlantedBug::PimTopPlaneAdds`] the top plane
/// of a weight is added like the others (the weights read as unsigned); with
/// [`PlantedBug::PimActIgnoresValid`] a check takes its `act` beat without `act_valid`.
pub fn top(spec: &BankSpec, prefix: &str, bug: Option<PlantedBug>) -> Module {
    let g = spec.group;
    let w = spec.word_bits();
    let lanes = spec.lanes();
    let eb = spec.entry_bits();
    let acc = spec.acc_bits;
    let aw = addr_bits(spec);
    let tb = ceil_log2(u64::from(spec.max_batch)).max(1);
    let ub = ceil_log2(u64::from(spec.max_tiles)).max(1);
    let fields = spec.cmd_fields();
    let width_of = |name: &str| {
        fields
            .iter()
            .find(|(f, _)| *f == name)
            .map_or(1, |(_, w)| *w)
    };
    let (bw, tw, jw, wbw, shw) = (
        width_of("batch"),
        width_of("tiles"),
        width_of("groups"),
        width_of("weight_bits"),
        width_of("shift"),
    );
    let adds = spec.build_adds_per_cycle.min(spec.table_entries() - 1);
    let windows = spec.build_windows();
    let wnb = count_bits(u64::from(windows - 1));
    let rcb = count_bits(u64::from(spec.row_cycles - 1));
    let lcb = count_bits(u64::from(spec.lookup_cycles - 1));
    let ab = g * ACT_BITS;

    let mut m = Module::new(format!("{prefix}_top"));
    m.doc = vec![
        format!(
            "SRAM-PIM LUT-GEMV bank: {}-bit words of {} lanes x g={}, {} table slots, {} build adder(s) ({} window(s)),",
            w, lanes, g, spec.max_batch, adds, windows
        ),
        format!(
            "{}-bit accumulators for {} tiles per token, {} cycle(s) per word read, {} per lookup; pattern-aware builds {}.",
            acc,
            spec.max_tiles,
            spec.row_cycles,
            spec.lookup_cycles,
            if spec.pattern_aware { "on" } else { "off" }
        ),
    ];
    let clk = m.port(Dir::Input, "clk", 1, "clock");
    let rst = m.port(Dir::Input, "rst", 1, "synchronous reset, active high");
    let cmd_valid = m.port(Dir::Input, "cmd_valid", 1, "command valid");
    let cmd_ready = m.port(Dir::Output, "cmd_ready", 1, "command ready (idle)");
    let docs = [
        "tokens (1..=max_batch)",
        "output tiles of L outputs (1..=max_tiles)",
        "activation groups ceil(k / g)",
        "weight bits (1..=8, two's complement)",
        "1: convert the results to INT8",
        "conversion scale (two's complement)",
        "conversion right shift",
    ];
    let mut cmd = Vec::new();
    for ((name, width), doc) in fields.iter().zip(docs) {
        cmd.push(m.port(Dir::Input, &format!("cmd_{name}"), *width, doc));
    }
    let wld_valid = m.port(Dir::Input, "wld_valid", 1, "weight word valid");
    let wld_ready = m.port(Dir::Output, "wld_ready", 1, "weight word ready");
    let wld_data = m.port(Dir::Input, "wld_data", w, "weight word, address order");
    let act_valid = m.port(Dir::Input, "act_valid", 1, "activation group valid");
    let act_ready = m.port(Dir::Output, "act_ready", 1, "activation group ready");
    let act_data = m.port(
        Dir::Input,
        "act_data",
        ab,
        "g INT8 activations of one token's group",
    );
    let res_valid = m.port(Dir::Output, "res_valid", 1, "result beat valid");
    let res_ready = m.port(Dir::Input, "res_ready", 1, "result beat ready");
    let res_data = m.port(
        Dir::Output,
        "res_data",
        lanes * acc,
        "L lanes of acc_bits: accumulators or INT8 conversions, sign-extended",
    );
    let res_last = m.port(Dir::Output, "res_last", 1, "last result beat of the job");

    // Control registers.
    let state = m.reg("state", STATE_BITS);
    let batch_m1 = m.reg("batch_m1", bw);
    let tiles_m1 = m.reg("tiles_m1", tw);
    let groups_m1 = m.reg("groups_m1", jw);
    let wb_m1 = m.reg("wb_m1", wbw);
    let convert_r = m.reg("convert_r", 1);
    let scale_r = m.reg("scale_r", SCALE_BITS);
    let shift_r = m.reg("shift_r", shw);
    let j = m.reg("j", jw);
    let t = m.reg("t", tb);
    let u = m.reg("u", ub);
    let p = m.reg("p", PLANE_BITS);
    let addr = m.reg("addr", aw);
    let wn = m.reg("wn", wnb);
    let rc = m.reg("rc", rcb);
    let lc = m.reg("lc", lcb);
    let sense = m.reg("sense", w);
    let slots = 1u32 << tb;
    let tv = if spec.pattern_aware {
        m.reg("tag_valid", slots)
    } else {
        Expr::id("tag_valid")
    };
    let zf = m.reg("zero_flag", slots);

    let st = |s: u64| eq(Expr::id("state"), STATE_BITS, s);
    let st_idle = m.wire_assign("st_idle", 1, st(IDLE));
    let st_load = m.wire_assign("st_load", 1, st(LOAD));
    let st_check = m.wire_assign("st_check", 1, st(CHECK));
    let st_build = m.wire_assign("st_build", 1, st(BUILD));
    let st_read = m.wire_assign("st_read", 1, st(READ));
    let st_look = m.wire_assign("st_look", 1, st(LOOK));
    let st_drain = m.wire_assign("st_drain", 1, st(DRAIN));
    let st_conv = m.wire_assign("st_conv", 1, st(CONV));
    m.items.push(Item::Assign(cmd_ready, st_idle.clone()));
    m.items.push(Item::Assign(wld_ready, st_load.clone()));
    m.items.push(Item::Assign(act_ready, st_check.clone()));
    m.items.push(Item::Assign(res_valid, st_drain.clone()));
    let cmd_fire = m.wire_assign("cmd_fire", 1, and(st_idle, cmd_valid));
    let wld_fire = m.wire_assign("wld_fire", 1, and(st_load, wld_valid));
    // The planted bug keeps `act_valid` in the expression (ANDed with 0), so the port stays read.
    let act_fire = if bug == Some(PlantedBug::PimActIgnoresValid) {
        m.wire_assign(
            "act_fire",
            1,
            st_check
                .clone()
                .bin(BinOp::Or, Expr::lit(1, 0).bin(BinOp::And, act_valid)),
        )
    } else {
        m.wire_assign("act_fire", 1, and(st_check.clone(), act_valid))
    };
    let res_fire = m.wire_assign("res_fire", 1, and(st_drain, res_ready));
    let t_last = m.wire_assign(
        "t_last",
        1,
        t.clone().zext(tb, bw).bin(BinOp::Eq, batch_m1.clone()),
    );
    let u_last = m.wire_assign(
        "u_last",
        1,
        u.clone().zext(ub, tw).bin(BinOp::Eq, tiles_m1.clone()),
    );
    let j_last = m.wire_assign("j_last", 1, j.clone().bin(BinOp::Eq, groups_m1.clone()));
    let p_last = m.wire_assign(
        "p_last",
        1,
        p.clone()
            .zext(PLANE_BITS, wbw)
            .bin(BinOp::Eq, wb_m1.clone()),
    );
    let wn_last = m.wire_assign("wn_last", 1, eq(wn.clone(), wnb, u64::from(windows - 1)));
    let rc_last = m.wire_assign(
        "rc_last",
        1,
        eq(rc.clone(), rcb, u64::from(spec.row_cycles - 1)),
    );
    let lc_last = m.wire_assign(
        "lc_last",
        1,
        eq(lc.clone(), lcb, u64::from(spec.lookup_cycles - 1)),
    );
    m.items
        .push(Item::Assign(res_last, and(t_last.clone(), u_last.clone())));

    // The macro.
    m.comment("the SRAM macro: written by the load, read one word per READ");
    let rdata = m.wire("sram_rdata", w);
    m.items.push(Item::Instance {
        module: format!("{prefix}_sram"),
        name: "macro_i".into(),
        ports: vec![
            ("clk".into(), clk),
            ("we".into(), wld_fire.clone()),
            ("waddr".into(), addr.clone()),
            ("wdata".into(), wld_data),
            ("raddr".into(), addr.clone()),
            ("rdata".into(), rdata.clone()),
        ],
    });

    // Pattern check.
    m.comment("pattern check: the slot's tag, valid and zero flags");
    let tags = memory(&mut m, "tags", ab, slots);
    let tag_t = m.wire_assign("tag_t", ab, tags.clone().index(t.clone()));
    // Without the pattern-aware build every check builds: no comparator, no valid flags.
    let (skip, zero_value) = if spec.pattern_aware {
        let all_zero = m.wire_assign("all_zero", 1, eq(act_data.clone(), ab, 0));
        let hit = m.wire_assign(
            "hit",
            1,
            and(
                tv.clone().index(t.clone()),
                tag_t.clone().bin(BinOp::Eq, act_data.clone()),
            ),
        );
        (all_zero.clone().bin(BinOp::LogicOr, hit), all_zero)
    } else {
        (Expr::lit(1, 0), Expr::lit(1, 0))
    };
    let skip = m.wire_assign("skip", 1, skip);
    always(
        &mut m,
        vec![Stmt::If(
            and(act_fire.clone(), skip.clone().lnot()),
            vec![nb(&tags.index(t.clone()), act_data)],
            vec![],
        )],
    );

    // Table build.
    let entries = spec.table_entries();
    let tw_bits = (entries - 1) * eb;
    let tbl = memory(&mut m, "tbl", tw_bits, slots);
    m.comment(format!(
        "table build: {adds} adder(s), {windows} window(s) of entries 1 + window * {adds} + s"
    ));
    let ew = count_bits(u64::from(windows) * u64::from(adds) + 1);
    let mut sums = Vec::new();
    for s in 0..adds {
        let e = m.wire_assign(
            &format!("be_{s}"),
            ew,
            wn.clone()
                .zext(wnb, ew)
                .bin(BinOp::Mul, Expr::lit(ew, u64::from(adds)))
                .bin(BinOp::Add, Expr::lit(ew, u64::from(s + 1))),
        );
        let valid = e.clone().bin(BinOp::Lt, Expr::lit(ew, u64::from(entries)));
        let sum = (0..g)
            .map(|i| {
                e.clone().bit(i).cond(
                    lane(&tag_t, i, ACT_BITS).sext(ACT_BITS, eb),
                    Expr::lit(eb, 0),
                )
            })
            .reduce(|x, y| x.bin(BinOp::Add, y))
            .unwrap_or(Expr::lit(eb, 0));
        sums.push(m.wire_assign(&format!("bsum_{s}"), eb, valid.cond(sum, Expr::lit(eb, 0))));
    }
    // Entry e (1..2^g) is written by adder (e - 1) % E in window (e - 1) / E.
    let writes = (1..entries)
        .map(|e| {
            let (s, w) = ((e - 1) % adds, (e - 1) / adds);
            let lo = (e - 1) * eb;
            Stmt::If(
                eq(wn.clone(), wnb, u64::from(w)),
                vec![nb(
                    &tbl.clone().index(t.clone()).slice(lo + eb - 1, lo),
                    sums[s as usize].clone(),
                )],
                vec![],
            )
        })
        .collect();
    always(&mut m, vec![Stmt::If(st_build.clone(), writes, vec![])]);
    m.comment("the table of token t, broadcast to every lane (entry 0 is 0)");
    let cur = m.wire_assign("cur_table", tw_bits, tbl.index(t.clone()));
    m.items.push(Item::Wire {
        name: "centry".into(),
        width: eb,
        depth: Some(entries),
    });
    for e in 0..entries {
        let value = if e == 0 {
            Expr::lit(eb, 0)
        } else {
            lane(&cur, e - 1, eb)
        };
        m.items.push(Item::Assign(Expr::id("centry").bit(e), value));
    }

    // Lookup/accumulate lanes.
    m.comment("lookup/accumulate lanes: index, entry, shift by the plane, add or subtract");
    let accm = memory(&mut m, "accm", lanes * acc, 1 << (tb + ub));
    let acc_addr = m.wire_assign(
        "acc_addr",
        tb + ub,
        Expr::Concat(vec![t.clone(), u.clone()]),
    );
    let old = m.wire_assign("acc_old", lanes * acc, accm.clone().index(acc_addr.clone()));
    let first = m.wire_assign(
        "first",
        1,
        and(eq(j.clone(), jw, 0), eq(p.clone(), PLANE_BITS, 0)),
    );
    let negative = if bug == Some(PlantedBug::PimTopPlaneAdds) {
        Expr::lit(1, 0)
    } else {
        p_last.clone()
    };
    let negative = m.wire_assign("negative", 1, negative);
    let zero_t = m.wire_assign("zero_t", 1, zf.clone().index(t.clone()));
    let mut new_lanes = Vec::new();
    for l in 0..lanes {
        let idx = m.wire_assign(&format!("idx_{l}"), g, lane(&sense, l, g));
        let read = Expr::id("centry").index(idx);
        let entry = m.wire_assign(
            &format!("ent_{l}"),
            eb,
            zero_t.clone().cond(Expr::lit(eb, 0), read),
        );
        let term = m.wire_assign(
            &format!("term_{l}"),
            acc,
            entry.sext(eb, acc).bin(BinOp::Shl, p.clone()),
        );
        let base = first.clone().cond(Expr::lit(acc, 0), lane(&old, l, acc));
        let base = m.wire_assign(&format!("base_{l}"), acc, base);
        new_lanes.push(m.wire_assign(
            &format!("acc_new_{l}"),
            acc,
            negative.clone().cond(
                base.clone().bin(BinOp::Sub, term.clone()),
                base.bin(BinOp::Add, term),
            ),
        ));
    }
    new_lanes.reverse();
    let new_word = m.wire_assign("acc_new", lanes * acc, Expr::Concat(new_lanes));
    always(
        &mut m,
        vec![Stmt::If(
            and(st_look.clone(), lc_last.clone()),
            vec![nb(&accm.index(acc_addr), new_word)],
            vec![],
        )],
    );

    // Conversion and the result beat.
    let convs = spec.used_converters();
    let slices = spec.conversion_slices();
    let scb = count_bits(u64::from(slices - 1));
    m.comment(format!(
        "in-memory type conversion: {convs} converter(s), {slices} slice(s) per beat; scale, round half up, arithmetic shift, saturate"
    ));
    let sc = m.reg("sc", scb);
    let qbuf = m.reg("qbuf", lanes * OUT_BITS);
    let sc_last = m.wire_assign("sc_last", 1, eq(sc.clone(), scb, u64::from(slices - 1)));
    let mut conv_writes = Vec::new();
    let mut qs = Vec::new();
    for c in 0..convs {
        // Converter c takes lane s * C + c of slice s.
        let slice_lanes: Vec<u32> = (0..slices)
            .map(|s| s * convs + c)
            .take_while(|&l| l < lanes)
            .collect();
        let last = *slice_lanes
            .last()
            .expect("converter c < C <= L has slice 0");
        let mut x = lane(&old, last, acc);
        for (s, &l) in slice_lanes.iter().enumerate().rev().skip(1) {
            x = eq(sc.clone(), scb, s as u64).cond(lane(&old, l, acc), x);
        }
        let x = m.wire_assign(&format!("cin_{c}"), acc, x);
        qs.push((
            requantize(
                &mut m,
                c,
                x,
                acc,
                (&scale_r, SCALE_BITS),
                &shift_r,
                OUT_BITS,
            ),
            slice_lanes,
        ));
    }
    for s in 0..slices {
        let body: Vec<Stmt> = qs
            .iter()
            .filter_map(|(q, ls)| {
                ls.get(s as usize)
                    .map(|&l| nb(&lane(&qbuf, l, OUT_BITS), q.clone()))
            })
            .collect();
        conv_writes.push(Stmt::If(eq(sc.clone(), scb, u64::from(s)), body, vec![]));
    }
    always(&mut m, vec![Stmt::If(st_conv.clone(), conv_writes, vec![])]);
    let mut out = Vec::new();
    for l in 0..lanes {
        out.push(convert_r.clone().cond(
            lane(&qbuf, l, OUT_BITS).sext(OUT_BITS, acc),
            lane(&old, l, acc),
        ));
    }
    out.reverse();
    m.items.push(Item::Assign(res_data, Expr::Concat(out)));

    // The controller.
    let zero = |w: u32| Expr::lit(w, 0);
    let set = |s: u64| nb(&state, Expr::lit(STATE_BITS, s));
    let first_beat = || Stmt::If(convert_r.clone(), vec![set(CONV)], vec![set(DRAIN)]);
    let next_token = || {
        Stmt::If(
            t_last.clone(),
            vec![
                nb(&t, zero(tb)),
                nb(&u, zero(ub)),
                nb(&p, zero(PLANE_BITS)),
                set(READ),
            ],
            vec![nb(&t, inc(&t, tb)), set(CHECK)],
        )
    };
    let reset = vec![
        set(IDLE),
        nb(&j, zero(jw)),
        nb(&t, zero(tb)),
        nb(&u, zero(ub)),
        nb(&p, zero(PLANE_BITS)),
        nb(&addr, zero(aw)),
        nb(&wn, zero(wnb)),
        nb(&rc, zero(rcb)),
        nb(&lc, zero(lcb)),
        nb(&zf, zero(slots)),
        nb(&sc, zero(scb)),
    ];
    let mut run = Vec::new();
    let mut latch = Vec::new();
    if spec.pattern_aware {
        latch.push(nb(&tv, zero(slots)));
    }
    // IDLE: latch the job, invalidate the tags.
    let [c_batch, c_tiles, c_groups, c_wb, c_convert, c_scale, c_shift] =
        <[Expr; 7]>::try_from(cmd).expect("seven cmd fields");
    run.push(Stmt::If(
        cmd_fire,
        vec![
            nb(&batch_m1, dec(c_batch, bw)),
            nb(&tiles_m1, dec(c_tiles, tw)),
            nb(&groups_m1, dec(c_groups, jw)),
            nb(&wb_m1, dec(c_wb, wbw)),
            nb(&convert_r, c_convert),
            nb(&scale_r, c_scale),
            nb(&shift_r, c_shift),
            nb(&addr, zero(aw)),
            nb(&j, zero(jw)),
            nb(&t, zero(tb)),
            nb(&u, zero(ub)),
            nb(&p, zero(PLANE_BITS)),
            nb(&rc, zero(rcb)),
            nb(&lc, zero(lcb)),
            set(LOAD),
        ]
        .into_iter()
        .chain(latch)
        .collect(),
        vec![],
    ));
    // LOAD: the words in address order, (j, u, p) with p fastest.
    run.push(Stmt::If(
        wld_fire,
        vec![
            nb(&addr, inc(&addr, aw)),
            Stmt::If(
                p_last.clone(),
                vec![
                    nb(&p, zero(PLANE_BITS)),
                    Stmt::If(
                        u_last.clone(),
                        vec![
                            nb(&u, zero(ub)),
                            Stmt::If(
                                j_last.clone(),
                                vec![
                                    nb(&j, zero(jw)),
                                    nb(&t, zero(tb)),
                                    nb(&addr, zero(aw)),
                                    set(CHECK),
                                ],
                                vec![nb(&j, inc(&j, jw))],
                            ),
                        ],
                        vec![nb(&u, inc(&u, ub))],
                    ),
                ],
                vec![nb(&p, inc(&p, PLANE_BITS))],
            ),
        ],
        vec![],
    ));
    // CHECK: one act beat; the pattern rule.
    let tag_set: Vec<Stmt> = if spec.pattern_aware {
        vec![nb(&tv.clone().index(t.clone()), Expr::lit(1, 1))]
    } else {
        Vec::new()
    };
    run.push(Stmt::If(
        act_fire,
        vec![
            nb(&zf.clone().index(t.clone()), zero_value),
            Stmt::If(
                skip,
                vec![next_token()],
                tag_set
                    .into_iter()
                    .chain([nb(&wn, zero(wnb)), set(BUILD)])
                    .collect(),
            ),
        ],
        vec![],
    ));
    // BUILD: one window per cycle.
    run.push(Stmt::If(
        st_build,
        vec![Stmt::If(
            wn_last,
            vec![nb(&wn, zero(wnb)), next_token()],
            vec![nb(&wn, inc(&wn, wnb))],
        )],
        vec![],
    ));
    // READ: row_cycles per word; the last latches the sensed word.
    run.push(Stmt::If(
        st_read,
        vec![Stmt::If(
            rc_last,
            vec![
                nb(&rc, zero(rcb)),
                nb(&sense, rdata),
                nb(&addr, inc(&addr, aw)),
                nb(&t, zero(tb)),
                nb(&lc, zero(lcb)),
                set(LOOK),
            ],
            vec![nb(&rc, inc(&rc, rcb))],
        )],
        vec![],
    ));
    // LOOK: lookup_cycles per token; then the next token, plane, tile, group or the drain.
    run.push(Stmt::If(
        st_look,
        vec![Stmt::If(
            lc_last,
            vec![
                nb(&lc, zero(lcb)),
                Stmt::If(
                    t_last.clone(),
                    vec![Stmt::If(
                        p_last,
                        vec![Stmt::If(
                            u_last.clone(),
                            vec![Stmt::If(
                                j_last,
                                vec![nb(&t, zero(tb)), nb(&u, zero(ub)), first_beat()],
                                vec![
                                    nb(&j, inc(&j, jw)),
                                    nb(&t, zero(tb)),
                                    nb(&u, zero(ub)),
                                    nb(&p, zero(PLANE_BITS)),
                                    set(CHECK),
                                ],
                            )],
                            vec![nb(&u, inc(&u, ub)), nb(&p, zero(PLANE_BITS)), set(READ)],
                        )],
                        vec![nb(&p, inc(&p, PLANE_BITS)), set(READ)],
                    )],
                    vec![nb(&t, inc(&t, tb))],
                ),
            ],
            vec![nb(&lc, inc(&lc, lcb))],
        )],
        vec![],
    ));
    // CONV: the slices of one beat.
    run.push(Stmt::If(
        st_conv,
        vec![Stmt::If(
            sc_last,
            vec![nb(&sc, zero(scb)), set(DRAIN)],
            vec![nb(&sc, inc(&sc, scb))],
        )],
        vec![],
    ));
    // DRAIN: one beat per transfer, token-major; each next beat converts first.
    run.push(Stmt::If(
        res_fire,
        vec![
            first_beat(),
            Stmt::If(
                u_last,
                vec![
                    nb(&u, zero(ub)),
                    Stmt::If(
                        t_last,
                        vec![nb(&t, zero(tb)), set(IDLE)],
                        vec![nb(&t, inc(&t, tb))],
                    ),
                ],
                vec![nb(&u, inc(&u, ub))],
            ),
        ],
        vec![],
    ));
    always(&mut m, vec![Stmt::If(rst, reset, run)]);
    m
}
