//! The TLMM engine (`lutforge_sim::fpga_dataflow::tlmm`, inside the pipeline top of
//! `lutforge_sim::fpga_dataflow::top`) in Verilog: one state machine over the specification's
//! phases and registers.
//!
//! - **State** `IDLE -> LOAD -> (READ -> ADD -> LOOK)* -> FLUSH -> IDLE`: `LOAD` writes one
//!   `wld` beat per cycle into the weight buffer (`weight_words` words, address `b * G + j`:
//!   the register `wbase` holds `b * G` and steps by `G` with `b`, so no multiplier); each table set `(b, t)`
//!   (`t` fastest) takes `ceil(block / R)` `READ` cycles (one `act` beat each into the block
//!   register), `ceil(13 * tables / build_adds_per_cycle)` `ADD` cycles and `G` `LOOK` cycles
//!   (one output group each); `FLUSH` waits for the lookup pipeline to empty, then drains the
//!   accumulators one group per beat, token-major. Without overlap a build and a lookup never
//!   share a cycle, so the specification's `built`/`looked` counters are this state and the
//!   set counters `b`, `t`.
//! - **Table build**: `build_adds_per_cycle` adders (slots); slot `s` in window `w` computes
//!   entry `e = w * adds + s` (table `e / 13`, pattern `e % 13 + 1`) as the signed sum of its
//!   activations, operands selected by the window counter; entry 0 is the constant 0.
//! - **Lookup pipeline** of `pipeline_cycles` registers at the level boundaries: register 1
//!   holds the codes read from the weight buffer (a synchronous read), register 2 the looked-up
//!   entries (a 16-way read of the table by the code's pattern index, negated by its sign bit;
//!   indices 14 and 15 read 0), registers `2 + l` the adder-tree level `l` sums (neighbouring
//!   pairs, an unpaired last value passing), later registers delay the sum. Levels between two
//!   registers are one cycle's logic; with no register the lookup is combinational from the
//!   issue.
//! - **Accumulators**: `max_tokens x max_groups` words of `L` lanes (address `{t, j}`); the
//!   pipeline's last stage writes `(first block ? 0 : acc) + sum`, wrapping. When the exact sum
//!   is wider than `acc_bits` a lane keeps that many bits (the sum is never truncated) and the
//!   drain sends its low `acc_bits`, which is the specified arithmetic modulo `2^acc_bits`.

use lutforge_fpga::resources::BufferRam;
use lutforge_models::numerics::ternary_pack::{PATTERNS, TERNARY_NONZERO_PATTERNS};
use lutforge_sim::fpga_dataflow::tlmm::TlmmSpec;
use lutforge_sim::fpga_dataflow::top::{act_lanes, TlmmCapacity, TopSpec, WEIGHT_CODE_BITS};

use super::{and, eq, inc, lane, nb};
use crate::arith::ceil_log2;
use crate::verilog::{BinOp, Dir, Expr, Item, Module, Stmt};
use crate::PlantedBug;

/// The states of the engine.
const IDLE: u64 = 0;
const LOAD: u64 = 1;
const READ: u64 = 2;
const ADD: u64 = 3;
const LOOK: u64 = 4;
const FLUSH: u64 = 5;
const STATE_BITS: u32 = 3;

/// Widths and counts derived once from the spec.
struct Dims {
    tables: u32,
    lanes: u32,
    eb: u32,
    acc: u32,
    regs: u32,
    block: u32,
    act_lanes: u32,
    reads: u32,
    adds: u32,
    windows: u32,
    entries: u32,
    tree: u32,
    tbits: u32,
    jbits: u32,
    bbits: u32,
    wabits: u32,
    tokens_w: u32,
    outputs_w: u32,
    blocks_w: u32,
    max_groups: u32,
}

impl Dims {
    fn of(spec: &TlmmSpec, cap: &TlmmCapacity) -> Dims {
        let entries = TERNARY_NONZERO_PATTERNS as u32 * spec.tables;
        let block = 3 * spec.tables;
        let act = act_lanes(spec);
        Dims {
            tables: spec.tables,
            lanes: spec.lookup_lanes(),
            eb: spec.entry_bits,
            acc: spec.acc_bits,
            regs: spec.pipeline_cycles,
            block,
            act_lanes: act,
            reads: block.div_ceil(act),
            adds: spec.build_adds_per_cycle.min(entries),
            windows: entries.div_ceil(spec.build_adds_per_cycle),
            entries,
            tree: ceil_log2(u64::from(spec.tables)),
            tbits: ceil_log2(u64::from(cap.max_tokens)),
            jbits: ceil_log2(u64::from(cap.max_groups)),
            bbits: ceil_log2(u64::from(cap.weight_words)),
            wabits: ceil_log2(u64::from(cap.weight_words))
                .max(ceil_log2(u64::from(cap.max_groups))),
            tokens_w: TopSpec::count_bits(u64::from(cap.max_tokens)),
            outputs_w: TopSpec::count_bits(u64::from(cap.max_groups * spec.lookup_lanes())),
            blocks_w: TopSpec::count_bits(u64::from(cap.weight_words)),
            max_groups: cap.max_groups,
        }
    }
    /// Width of the exact sum over the tables.
    fn sum_bits(&self) -> u32 {
        self.eb + self.tree
    }
    /// Width of an accumulator lane.
    fn acc_lane_bits(&self) -> u32 {
        self.acc.max(self.sum_bits())
    }
    /// Level boundary of pipeline register `r` (`1..=regs`): 0 the codes, 1 the entries,
    /// `1 + l` tree level `l`.
    fn boundary(&self, r: u32) -> u32 {
        (r - 1).min(self.tree + 1)
    }
}

/// The values between two levels of the lookup datapath.
#[derive(Clone)]
enum Stage {
    /// The codes of every lane (`lanes * tables * 5` bits).
    Codes(Expr),
    /// Per lane, the values left (entries or tree sums) and their width.
    Sums(Vec<Vec<Expr>>, u32),
}

/// `a` (8 bits) sign-extended to `w` and negated if `negative`.
fn term(a: Expr, w: u32, negative: bool) -> (Expr, bool) {
    (a.sext(8, w), negative)
}

/// Evaluates the datapath level `level` (1: lookup, `1 + l`: tree level `l`) on `stage`.
fn level(m: &mut Module, d: &Dims, level: u32, stage: Stage) -> Stage {
    match stage {
        Stage::Codes(codes) => {
            assert_eq!(level, 1);
            let cb = WEIGHT_CODE_BITS;
            let sums = (0..d.lanes)
                .map(|l| {
                    (0..d.tables)
                        .map(|r| {
                            let code = lane(&codes, l * d.tables + r, cb);
                            let entry =
                                Expr::id(format!("tent_{r}")).index(code.clone().slice(3, 0));
                            let value = code
                                .bit(4)
                                .cond(Expr::lit(d.eb, 0).bin(BinOp::Sub, entry.clone()), entry);
                            m.wire_assign(&format!("lk_{l}_{r}"), d.eb, value)
                        })
                        .collect()
                })
                .collect();
            Stage::Sums(sums, d.eb)
        }
        Stage::Sums(sums, w) => {
            let lv = level - 1;
            let nw = w + 1;
            let out = sums
                .into_iter()
                .enumerate()
                .map(|(l, vals)| {
                    vals.chunks(2)
                        .enumerate()
                        .map(|(i, pair)| {
                            let sum = pair
                                .iter()
                                .map(|e| e.clone().sext(w, nw))
                                .reduce(|x, y| x.bin(BinOp::Add, y))
                                .unwrap_or(Expr::lit(nw, 0));
                            m.wire_assign(&format!("tr{lv}_{l}_{i}"), nw, sum)
                        })
                        .collect()
                })
                .collect();
            Stage::Sums(out, nw)
        }
    }
}

/// Registers every value of `stage` as pipeline register `r`.
fn register(m: &mut Module, d: &Dims, r: u32, stage: Stage) -> Stage {
    let mut body = Vec::new();
    let out = match stage {
        Stage::Codes(codes) => {
            let q = m.reg(
                &format!("pr{r}_codes"),
                d.lanes * d.tables * WEIGHT_CODE_BITS,
            );
            body.push(nb(&q, codes));
            Stage::Codes(q)
        }
        Stage::Sums(sums, w) => Stage::Sums(
            sums.into_iter()
                .enumerate()
                .map(|(l, vals)| {
                    vals.into_iter()
                        .enumerate()
                        .map(|(i, e)| {
                            let q = m.reg(&format!("pr{r}_{l}_{i}"), w);
                            body.push(nb(&q, e));
                            q
                        })
                        .collect()
                })
                .collect(),
            w,
        ),
    };
    m.items.push(Item::AlwaysFf {
        clock: "clk".into(),
        body,
    });
    out
}

/// The TLMM module `<prefix>_tlmm`. With [`PlantedBug::TableEntrySign`] the build adds the
/// last activation of pattern 2 (`a1 - a2`) instead of subtracting it.
pub fn tlmm(spec: &TlmmSpec, cap: &TlmmCapacity, prefix: &str, bug: Option<PlantedBug>) -> Module {
    let d = Dims::of(spec, cap);
    let mut m = Module::new(format!("{prefix}_tlmm"));
    m.doc = vec![
        format!(
            "TLMM engine: {} tables of 14 entries ({} bits), {} lookup lanes, {} activation(s) per read, {} table adds per cycle,",
            d.tables, d.eb, d.lanes, d.act_lanes, d.adds
        ),
        format!(
            "{} pipeline registers, {}-bit accumulators for {} tokens x {} groups, {} weight words (blocks x groups).",
            d.regs, d.acc, cap.max_tokens, cap.max_groups, cap.weight_words
        ),
        "States IDLE, LOAD, READ, ADD, LOOK, FLUSH; see lutforge_sim::fpga_dataflow::tlmm and ::top.".into(),
    ];
    let code_bits = d.lanes * d.tables * WEIGHT_CODE_BITS;
    let (tb, jb, bb) = (d.tbits, d.jbits, d.bbits);
    m.port(Dir::Input, "clk", 1, "clock");
    let rst = m.port(Dir::Input, "rst", 1, "synchronous reset, active high");
    let start = m.port(Dir::Input, "start", 1, "the cmd transfer: latch the job");
    let tokens = m.port(Dir::Input, "tokens", d.tokens_w, "m, 1..=max_tokens");
    let outputs = m.port(Dir::Input, "outputs", d.outputs_w, "n, 1..=max_groups*L");
    let blocks = m.port(
        Dir::Input,
        "blocks",
        d.blocks_w,
        "activation blocks B, B*G <= weight_words",
    );
    let wld_valid = m.port(Dir::Input, "wld_valid", 1, "weight beat valid");
    let wld_ready = m.port(Dir::Output, "wld_ready", 1, "weight beat ready (LOAD)");
    let wld_data = m.port(
        Dir::Input,
        "wld_data",
        code_bits,
        "L index vectors of 5-bit codes",
    );
    let act_valid = m.port(Dir::Input, "act_valid", 1, "activation beat valid");
    let act_ready = m.port(Dir::Output, "act_ready", 1, "activation beat ready (READ)");
    let act_data = m.port(Dir::Input, "act_data", d.act_lanes * 8, "INT8 activations");
    let out_valid = m.port(
        Dir::Output,
        "out_valid",
        1,
        "accumulator beat valid (drain)",
    );
    let out_ready = m.port(Dir::Input, "out_ready", 1, "accumulator beat ready");
    let out_data = m.port(
        Dir::Output,
        "out_data",
        d.lanes * d.acc + 1,
        "lane i at [i*A +: A]; the last flag at the top bit",
    );

    // Control registers.
    let state = m.reg("state", STATE_BITS);
    let tl = m.reg("t_last_r", d.tokens_w);
    let jl = m.reg("j_last_r", jb);
    let bl = m.reg("b_last_r", d.blocks_w);
    let b = m.reg("b", bb);
    let t = m.reg("t", tb);
    let j = m.reg("j", jb);
    let rdb = ceil_log2(u64::from(d.reads));
    let rd = (d.reads > 1).then(|| m.reg("rd", rdb));
    let wb = ceil_log2(u64::from(d.windows));
    let bw = (d.windows > 1).then(|| m.reg("bw", wb));
    let st = |s: u64| eq(Expr::id("state"), STATE_BITS, s);
    let st_idle = m.wire_assign("st_idle", 1, st(IDLE));
    let st_load = m.wire_assign("st_load", 1, st(LOAD));
    let st_read = m.wire_assign("st_read", 1, st(READ));
    let st_add = m.wire_assign("st_add", 1, st(ADD));
    let st_look = m.wire_assign("st_look", 1, st(LOOK));
    let st_flush = m.wire_assign("st_flush", 1, st(FLUSH));
    m.items.push(Item::Assign(wld_ready, st_load.clone()));
    m.items.push(Item::Assign(act_ready, st_read.clone()));
    let wld_fire = m.wire_assign("wld_fire", 1, and(wld_valid, st_load.clone()));
    let act_fire = m.wire_assign("act_fire", 1, and(act_valid, st_read.clone()));
    let j_last = m.wire_assign("j_last", 1, j.clone().bin(BinOp::Eq, jl.clone()));
    let t_last = m.wire_assign(
        "t_last",
        1,
        t.clone().zext(tb, d.tokens_w).bin(BinOp::Eq, tl.clone()),
    );
    let b_last = m.wire_assign(
        "b_last",
        1,
        b.clone().zext(bb, d.blocks_w).bin(BinOp::Eq, bl.clone()),
    );
    let rd_last = match &rd {
        Some(rd) => eq(rd.clone(), rdb, u64::from(d.reads - 1)),
        None => Expr::lit(1, 1),
    };
    let rd_last = m.wire_assign("rd_last", 1, rd_last);
    let bw_last = match &bw {
        Some(bw) => eq(bw.clone(), wb, u64::from(d.windows - 1)),
        None => Expr::lit(1, 1),
    };
    let bw_last = m.wire_assign("bw_last", 1, bw_last);
    // G - 1 from n: (n - 1) >> log2(L) when L is a power of two, else the count of the group
    // boundaries that n passes.
    let groups_m1 = if d.lanes.is_power_of_two() {
        let shift = ceil_log2(u64::from(d.lanes));
        let n_m1 = m.wire_assign(
            "outputs_m1",
            d.outputs_w,
            outputs.clone().bin(BinOp::Sub, Expr::lit(d.outputs_w, 1)),
        );
        // n <= max_groups * L = 2^(shift + jb), so n - 1 never sets the bits above.
        if d.outputs_w > shift + jb {
            m.wire_assign(
                "unused_outputs_m1_high",
                d.outputs_w - shift - jb,
                n_m1.clone().slice(d.outputs_w - 1, shift + jb),
            );
        }
        // The position within the group is not needed.
        if shift > 0 {
            m.wire_assign(
                "unused_outputs_m1_low",
                shift,
                n_m1.clone().slice(shift - 1, 0),
            );
        }
        n_m1.slice(shift + jb - 1, shift)
    } else {
        (1..d.max_groups)
            .map(|g| {
                outputs
                    .clone()
                    .bin(BinOp::Gt, Expr::lit(d.outputs_w, u64::from(g * d.lanes)))
                    .zext(1, jb)
            })
            .reduce(|x, y| x.bin(BinOp::Add, y))
            .unwrap_or(Expr::lit(jb, 0))
    };
    let groups_m1 = m.wire_assign("groups_m1", jb, groups_m1);

    // The weight buffer, the block register, the tables and the accumulators.
    m.items.push(Item::Reg {
        name: "wbuf".into(),
        width: code_bits,
        depth: Some(cap.weight_words),
        attr: (d.regs >= 1).then(|| match cap.weight_ram {
            BufferRam::Uram => "ram_style = \"ultra\"".to_string(),
            BufferRam::Bram => "ram_style = \"block\"".to_string(),
        }),
    });
    let wbuf = Expr::id("wbuf");
    let wab = d.wabits;
    let wbase = m.reg("wbase", wab);
    let waddr = m.wire_assign(
        "waddr",
        wab,
        wbase.clone().bin(BinOp::Add, j.clone().zext(jb, wab)),
    );
    // b * G + G: the base of the next block.
    let wbase_next = m.wire_assign(
        "wbase_next",
        wab,
        wbase
            .clone()
            .bin(BinOp::Add, jl.clone().zext(jb, wab))
            .bin(BinOp::Add, Expr::lit(wab, 1)),
    );
    m.items.push(Item::AlwaysFf {
        clock: "clk".into(),
        body: vec![Stmt::If(
            wld_fire.clone(),
            vec![nb(&wbuf.clone().index(waddr.clone()), wld_data)],
            vec![],
        )],
    });
    m.comment("block register: one act beat per READ cycle");
    let act_q = m.reg("act_q", d.block * 8);
    let mut reads = Vec::new();
    for r in 0..d.reads {
        let body: Vec<Stmt> = (r * d.act_lanes..((r + 1) * d.act_lanes).min(d.block))
            .map(|e| nb(&lane(&act_q, e, 8), lane(&act_data, e - r * d.act_lanes, 8)))
            .collect();
        match &rd {
            Some(rd) => reads.push(Stmt::If(eq(rd.clone(), rdb, u64::from(r)), body, vec![])),
            None => reads.extend(body),
        }
    }
    m.items.push(Item::AlwaysFf {
        clock: "clk".into(),
        body: vec![Stmt::If(act_fire.clone(), reads, vec![])],
    });

    m.comment(format!(
        "table build: {} adders, {} window(s)",
        d.adds, d.windows
    ));
    let tbl: Vec<Expr> = (0..d.tables)
        .map(|r| m.reg(&format!("tbl_{r}"), 13 * d.eb))
        .collect();
    // The signed terms of entry e: (activation, negated).
    let terms = |e: u32| -> Vec<Option<(Expr, bool)>> {
        let (r, p) = (e / 13, e % 13 + 1);
        (0..3)
            .map(|i| {
                let w = PATTERNS[p as usize][i as usize];
                let neg = w < 0 && !(bug == Some(PlantedBug::TableEntrySign) && p == 2);
                (w != 0).then(|| term(lane(&act_q, 3 * r + i, 8), d.eb, neg))
            })
            .collect()
    };
    let signed = |(a, neg): (Expr, bool)| {
        if neg {
            Expr::lit(d.eb, 0).bin(BinOp::Sub, a)
        } else {
            a
        }
    };
    let mut slot_sums = Vec::new();
    for s in 0..d.adds {
        let sum = match &bw {
            None => terms(s)
                .into_iter()
                .flatten()
                .fold(None, |acc: Option<Expr>, (a, neg)| {
                    Some(match acc {
                        None => signed((a, neg)),
                        Some(x) => x.bin(if neg { BinOp::Sub } else { BinOp::Add }, a),
                    })
                })
                .unwrap_or(Expr::lit(d.eb, 0)),
            Some(bw) => {
                let windows: Vec<u32> = (0..d.windows)
                    .filter(|w| w * d.adds + s < d.entries)
                    .collect();
                let ops: Vec<Expr> = (0..3usize)
                    .map(|i| {
                        let pick = |w: u32| {
                            terms(w * d.adds + s)[i]
                                .clone()
                                .map_or(Expr::lit(d.eb, 0), signed)
                        };
                        let last = *windows.last().expect("slot s < adds has window 0");
                        let mut e = pick(last);
                        for &w in windows.iter().rev().skip(1) {
                            e = eq(bw.clone(), wb, u64::from(w)).cond(pick(w), e);
                        }
                        m.wire_assign(&format!("op{i}_{s}"), d.eb, e)
                    })
                    .collect();
                ops.into_iter()
                    .reduce(|x, y| x.bin(BinOp::Add, y))
                    .expect("three operands")
            }
        };
        slot_sums.push(m.wire_assign(&format!("slot_{s}"), d.eb, sum));
    }
    let mut build = Vec::new();
    for w in 0..d.windows {
        let body: Vec<Stmt> = (w * d.adds..((w + 1) * d.adds).min(d.entries))
            .map(|e| {
                let (r, p) = (e / 13, e % 13);
                nb(
                    &lane(&tbl[r as usize], p, d.eb),
                    slot_sums[(e - w * d.adds) as usize].clone(),
                )
            })
            .collect();
        match &bw {
            Some(bw) => build.push(Stmt::If(eq(bw.clone(), wb, u64::from(w)), body, vec![])),
            None => build.extend(body),
        }
    }
    m.items.push(Item::AlwaysFf {
        clock: "clk".into(),
        body: vec![Stmt::If(st_add.clone(), build, vec![])],
    });
    for (r, reg) in tbl.iter().enumerate() {
        let name = format!("tent_{r}");
        m.items.push(Item::Wire {
            name: name.clone(),
            width: d.eb,
            depth: Some(16),
        });
        for p in 0..16 {
            let value = if (1..=13).contains(&p) {
                lane(reg, p - 1, d.eb)
            } else {
                Expr::lit(d.eb, 0)
            };
            m.items.push(Item::Assign(Expr::id(&name).bit(p), value));
        }
    }

    // The lookup pipeline.
    m.comment(format!(
        "lookup pipeline: {} register(s); codes, entries, {} tree level(s)",
        d.regs, d.tree
    ));
    let ab = tb + jb;
    let issue_first = eq(b.clone(), bb, 0);
    let issue_addr = Expr::Concat(vec![t.clone(), j.clone()]);
    let mut stage;
    let (mut v, mut first, mut addr);
    let mut valid_regs = Vec::new();
    let mut reset_valid = Vec::new();
    if d.regs == 0 {
        stage = Stage::Codes(m.wire_assign("codes", code_bits, wbuf.clone().index(waddr)));
        v = st_look.clone();
        first = m.wire_assign("first_0", 1, issue_first);
        addr = m.wire_assign("aaddr_0", ab, issue_addr);
    } else {
        let q = m.reg("pr1_codes", code_bits);
        let v1 = m.reg("pv1", 1);
        let f1 = m.reg("pf1", 1);
        let a1 = m.reg("pa1", ab);
        m.items.push(Item::AlwaysFf {
            clock: "clk".into(),
            body: vec![
                nb(&q, wbuf.clone().index(waddr)),
                nb(&f1, issue_first),
                nb(&a1, issue_addr),
            ],
        });
        valid_regs.push((v1.clone(), st_look.clone()));
        reset_valid.push(nb(&v1, Expr::lit(1, 0)));
        stage = Stage::Codes(q);
        (v, first, addr) = (v1, f1, a1);
    }
    let mut at = 0;
    for r in 2..=d.regs {
        let bnd = d.boundary(r);
        for lv in at + 1..=bnd {
            stage = level(&mut m, &d, lv, stage);
        }
        at = bnd;
        stage = register(&mut m, &d, r, stage);
        let vr = m.reg(&format!("pv{r}"), 1);
        let fr = m.reg(&format!("pf{r}"), 1);
        let ar = m.reg(&format!("pa{r}"), ab);
        m.items.push(Item::AlwaysFf {
            clock: "clk".into(),
            body: vec![nb(&fr, first.clone()), nb(&ar, addr.clone())],
        });
        valid_regs.push((vr.clone(), v.clone()));
        reset_valid.push(nb(&vr, Expr::lit(1, 0)));
        (v, first, addr) = (vr, fr, ar);
    }
    for lv in at + 1..=d.tree + 1 {
        stage = level(&mut m, &d, lv, stage);
    }
    let Stage::Sums(sums, sw) = stage else {
        unreachable!("the lookup level runs")
    };
    let pipe_empty = valid_regs
        .iter()
        .map(|(q, _)| q.clone())
        .reduce(|x, y| x.bin(BinOp::Or, y))
        .map_or(Expr::lit(1, 1), Expr::lnot);
    let pipe_empty = m.wire_assign("pipe_empty", 1, pipe_empty);

    // Accumulate and drain.
    m.comment("accumulators: the last stage adds, the drain reads");
    let aw = d.acc_lane_bits();
    m.items.push(Item::Reg {
        name: "accm".into(),
        width: d.lanes * aw,
        depth: Some(cap.max_tokens * cap.max_groups),
        attr: None,
    });
    let accm = Expr::id("accm");
    let raddr = m.wire_assign(
        "raddr",
        ab,
        v.clone()
            .cond(addr.clone(), Expr::Concat(vec![t.clone(), j.clone()])),
    );
    let old = m.wire_assign("acc_old", d.lanes * aw, accm.clone().index(raddr));
    let mut new_lanes = Vec::new();
    for l in (0..d.lanes).rev() {
        let base = first.clone().cond(Expr::lit(aw, 0), lane(&old, l, aw));
        let sum = sums[l as usize][0].clone().sext(sw, aw);
        new_lanes.push(base.bin(BinOp::Add, sum));
    }
    let new_word = m.wire_assign("acc_new", d.lanes * aw, Expr::Concat(new_lanes));
    m.items.push(Item::AlwaysFf {
        clock: "clk".into(),
        body: vec![Stmt::If(
            v.clone(),
            vec![nb(&accm.index(addr), new_word)],
            vec![],
        )],
    });
    let drain = m.wire_assign("drain", 1, and(st_flush.clone(), pipe_empty));
    m.items.push(Item::Assign(out_valid, drain.clone()));
    let mut out = vec![and(t_last.clone(), j_last.clone())];
    for l in (0..d.lanes).rev() {
        let lane_expr = lane(&old, l, aw);
        out.push(if aw == d.acc {
            lane_expr
        } else {
            lane_expr.slice(d.acc - 1, 0)
        });
    }
    m.items.push(Item::Assign(out_data, Expr::Concat(out)));
    let drain_fire = m.wire_assign("drain_fire", 1, and(drain, out_ready));

    // The state machine.
    let zero = |w: u32| Expr::lit(w, 0);
    let set = |s: u64| nb(&state, Expr::lit(STATE_BITS, s));
    let mut reset = vec![
        set(IDLE),
        nb(&b, zero(bb)),
        nb(&t, zero(tb)),
        nb(&j, zero(jb)),
    ];
    reset.extend(reset_valid);
    if let Some(rd) = &rd {
        reset.push(nb(rd, zero(rdb)));
    }
    if let Some(bw) = &bw {
        reset.push(nb(bw, zero(wb)));
    }
    let mut run: Vec<Stmt> = valid_regs
        .iter()
        .map(|(q, input)| nb(q, input.clone()))
        .collect();
    // IDLE: latch the job.
    run.push(Stmt::If(
        and(st_idle, start),
        vec![
            set(LOAD),
            nb(&tl, tokens.bin(BinOp::Sub, Expr::lit(d.tokens_w, 1))),
            nb(&jl, groups_m1),
            nb(&bl, blocks.bin(BinOp::Sub, Expr::lit(d.blocks_w, 1))),
            nb(&b, zero(bb)),
            nb(&t, zero(tb)),
            nb(&j, zero(jb)),
            nb(&wbase, zero(wab)),
        ],
        vec![],
    ));
    // LOAD: B x G beats, block-major.
    run.push(Stmt::If(
        wld_fire,
        vec![Stmt::If(
            j_last.clone(),
            vec![
                nb(&j, zero(jb)),
                Stmt::If(
                    b_last.clone(),
                    vec![nb(&b, zero(bb)), nb(&wbase, zero(wab)), set(READ)],
                    vec![nb(&b, inc(&b, bb)), nb(&wbase, wbase_next.clone())],
                ),
            ],
            vec![nb(&j, inc(&j, jb))],
        )],
        vec![],
    ));
    // READ: one act beat per cycle.
    let mut read_done = vec![set(ADD)];
    let mut read_more = Vec::new();
    if let Some(rd) = &rd {
        read_done.push(nb(rd, zero(rdb)));
        read_more.push(nb(rd, inc(rd, rdb)));
    }
    run.push(Stmt::If(
        act_fire,
        vec![Stmt::If(rd_last, read_done, read_more)],
        vec![],
    ));
    // ADD: the build windows.
    let mut add_done = vec![set(LOOK), nb(&j, zero(jb))];
    let mut add_more = Vec::new();
    if let Some(bw) = &bw {
        add_done.push(nb(bw, zero(wb)));
        add_more.push(nb(bw, inc(bw, wb)));
    }
    run.push(Stmt::If(
        st_add,
        vec![Stmt::If(bw_last, add_done, add_more)],
        vec![],
    ));
    // LOOK: one group per cycle; then the next set (t fastest) or FLUSH.
    run.push(Stmt::If(
        st_look,
        vec![Stmt::If(
            j_last.clone(),
            vec![
                nb(&j, zero(jb)),
                Stmt::If(
                    t_last.clone(),
                    vec![
                        nb(&t, zero(tb)),
                        Stmt::If(
                            b_last,
                            vec![set(FLUSH)],
                            vec![nb(&b, inc(&b, bb)), nb(&wbase, wbase_next), set(READ)],
                        ),
                    ],
                    vec![nb(&t, inc(&t, tb)), set(READ)],
                ),
            ],
            vec![nb(&j, inc(&j, jb))],
        )],
        vec![],
    ));
    // FLUSH: drain the accumulators, token-major.
    run.push(Stmt::If(
        drain_fire,
        vec![Stmt::If(
            j_last,
            vec![
                nb(&j, zero(jb)),
                Stmt::If(
                    t_last,
                    vec![nb(&t, zero(tb)), set(IDLE)],
                    vec![nb(&t, inc(&t, tb))],
                ),
            ],
            vec![nb(&j, inc(&j, jb))],
        )],
        vec![],
    ));
    m.items.push(Item::AlwaysFf {
        clock: "clk".into(),
        body: vec![Stmt::If(rst, reset, run)],
    });
    m
}
