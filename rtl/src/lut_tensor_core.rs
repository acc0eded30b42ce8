//! The LUT tensor-core tile in Verilog, built as [`crate::verilog`] values from a [`LutArray`].
//!
//! The micro-architecture (streams, registers, cycle count) is specified in
//! `lutforge_sim::lut_tensor_core`; this generator implements that text register for register.

use lutforge_models::numerics::fp::{FP16, FP32};
use lutforge_models::numerics::{entry_terms, ActEncoding};
use lutforge_sim::lut_tensor_core::K_CHUNKS_BITS;
use lutforge_sim::lut_tensor_core::{ceil_log2, LutArray, Precompute};

use crate::fp_add::adder_name;
use crate::streams::{
    cmd_ports, controller_connections, data_ports, drain_row, select_row, Beats, CmdDocs,
};
use crate::verilog::{BinOp, Dir, Expr, Item, Module, Stmt};

pub use crate::PlantedBug;

/// Widths and counts derived once from the array.
#[derive(Debug, Clone, Copy)]
pub struct Dims {
    /// Rows.
    pub m: u32,
    /// Columns.
    pub n: u32,
    /// Activations per group.
    pub g: u32,
    /// Groups per chunk.
    pub groups: u32,
    /// Entries per table.
    pub entries: u32,
    /// Entry width.
    pub entry_bits: u32,
    /// Activation width.
    pub act_bits: u32,
    /// Result width.
    pub acc_bits: u32,
    /// Accumulator register width (`acc_bits + 1` when symmetric).
    pub acc_reg_bits: u32,
    /// Group counter width.
    pub group_cnt_bits: u32,
    /// Weight-bits / plane counter width.
    pub plane_bits: u32,
    /// Row counter width.
    pub row_bits: u32,
    /// Table-buffer address width.
    pub addr_bits: u32,
    /// Table banks (2 fused, 1 standalone).
    pub banks: u32,
    /// Symmetric tables (and the signed-binary plane `cmd` mode).
    pub symmetric: bool,
    /// Floating-point activations (FP16 tables, FP32 accumulators), `None` for integers.
    pub fp: Option<ActEncoding>,
    /// The integer datapath exists (with `fp`: an `int+fp16` array, the `cmd` chooses).
    pub int: bool,
    /// Integer activation width (`act_bits` is the stream field width).
    pub int_act_bits: u32,
    /// Integer table entry width before storage.
    pub int_entry_bits: u32,
}

impl Dims {
    /// Derives the widths of `array`.
    pub fn of(array: &LutArray) -> Dims {
        let groups = array.groups_per_pass();
        let group_cnt_bits = ceil_log2(groups).max(1);
        let banks = match array.precompute {
            Precompute::Fused => 2,
            Precompute::Standalone => 1,
        };
        Dims {
            m: array.tile_m,
            n: array.tile_n,
            g: array.group,
            groups,
            entries: array.table_entries(),
            entry_bits: array.table_entry_bits(),
            act_bits: array.act_lane_bits(),
            acc_bits: array.acc_bits,
            acc_reg_bits: if array.act_format.has_int() {
                array.acc_bits + u32::from(array.symmetric)
            } else {
                array.acc_bits
            },
            group_cnt_bits,
            plane_bits: ceil_log2(array.max_weight_bits + 1).max(1),
            row_bits: ceil_log2(array.tile_m).max(1),
            addr_bits: group_cnt_bits + u32::from(banks == 2),
            banks,
            symmetric: array.symmetric,
            fp: array.act_format.encoding(),
            int: array.act_format.has_int(),
            int_act_bits: array.act_bits,
            int_entry_bits: array.int_entry_bits(),
        }
    }
    /// Both datapaths, chosen per tile by the `cmd` field `act_fp`.
    pub fn dual(&self) -> bool {
        self.int && self.fp.is_some()
    }
    /// Bits of one table-buffer word (all rows' tables of one group).
    pub fn table_word_bits(&self) -> u32 {
        self.m * self.entries * self.entry_bits
    }
    /// Bits of one `act` beat.
    pub fn act_beat_bits(&self) -> u32 {
        self.m * self.g * self.act_bits
    }
    /// Bits of one `wgt` beat.
    pub fn wgt_beat_bits(&self) -> u32 {
        self.n * self.g
    }
    /// Bits of one `res` beat.
    pub fn res_beat_bits(&self) -> u32 {
        self.n * self.acc_bits
    }
}

fn nb(lhs: &Expr, rhs: Expr) -> Stmt {
    Stmt::NonBlocking(lhs.clone(), rhs)
}

fn and(a: Expr, b: Expr) -> Expr {
    a.bin(BinOp::LogicAnd, b)
}

fn inc(e: &Expr, width: u32) -> Expr {
    e.clone().bin(BinOp::Add, Expr::lit(width, 1))
}

/// Names of the generated modules, from a prefix.
#[derive(Debug, Clone)]
pub struct Names {
    /// Common prefix (sanitized architecture name).
    pub prefix: String,
}

impl Names {
    /// `<prefix>_<suffix>`.
    pub fn module(&self, suffix: &str) -> String {
        format!("{}_{suffix}", self.prefix)
    }
}

/// `x` (FP16) with its sign flipped.
fn fp_negate(x: Expr) -> Expr {
    Expr::Concat(vec![x.clone().bit(15).inv(), x.slice(14, 0)])
}

/// An instance of the FP adder `module` computing `y = a + b` into a new wire `y`.
fn fp_add_into(m: &mut Module, module: String, y: &str, width: u32, a: Expr, b: Expr) -> Expr {
    let out = m.wire(y, width);
    m.items.push(Item::Instance {
        module,
        name: format!("u_{y}"),
        ports: vec![("a".into(), a), ("b".into(), b), ("y".into(), out.clone())],
    });
    out
}

/// An `act` field as the FP16 value the tables add: FP16 with a subnormal flushed to zero of
/// its sign, or FP8 E4M3 converted exactly (its subnormals `m * 2^-9` are FP16 normals).
fn to_fp16(enc: ActEncoding, a: Expr) -> Expr {
    match enc {
        ActEncoding::Fp16 => a
            .clone()
            .slice(14, 10)
            .bin(BinOp::Eq, Expr::lit(5, 0))
            .cond(Expr::Concat(vec![a.clone().bit(15), Expr::lit(15, 0)]), a),
        ActEncoding::Fp8E4M3 => {
            let e8 = a.clone().slice(6, 3);
            let m8 = a.clone().slice(2, 0);
            let normal = Expr::Concat(vec![
                e8.clone().zext(4, 5).bin(BinOp::Add, Expr::lit(5, 8)),
                m8.clone(),
                Expr::lit(7, 0),
            ]);
            // Subnormal m * 2^-9, m = 1..7: {exponent, fraction} of the FP16 normal.
            let sub = [
                (1, 6, 0),
                (2, 7, 0),
                (3, 7, 0x200),
                (4, 8, 0),
                (5, 8, 0x100),
                (6, 8, 0x200),
                (7, 8, 0x300),
            ]
            .iter()
            .fold(Expr::lit(15, 0), |rest, &(mv, e, f)| {
                m8.clone()
                    .bin(BinOp::Eq, Expr::lit(3, mv))
                    .cond(Expr::lit(15, e << 10 | f), rest)
            });
            Expr::Concat(vec![
                a.bit(7),
                e8.bin(BinOp::Eq, Expr::lit(4, 0)).cond(sub, normal),
            ])
        }
    }
}

/// The table precompute unit: one group's tables for every row, combinationally. Entry `e`
/// sums the terms of `lutforge_models::numerics::entry_terms`, in that order.
pub fn precompute(d: &Dims, names: &Names) -> Module {
    let mut m = Module::new(names.module("precompute"));
    let kind = match (d.int, d.fp) {
        (true, None) => "integer",
        (true, Some(_)) => "integer or FP16 (the tile's cmd chooses)",
        (false, Some(ActEncoding::Fp16)) => "FP16 (inputs flushed to zero when subnormal)",
        (false, _) => "FP16 (FP8 E4M3 inputs converted exactly)",
    };
    m.doc = vec![
        "Table precompute unit: builds the tables of one activation group for every row.".into(),
        if d.symmetric {
            format!(
                "Symmetric {kind}: {} entries T[u] = a[g-1] + sum_(i<g-1) (u_i ? a_i : -a_i), left to right.",
                d.entries
            )
        } else {
            format!(
                "Plain {kind}: {} entries T[u] = sum_i u_i * a_i, ascending i.",
                d.entries
            )
        },
    ];
    let fp_sel = d
        .dual()
        .then(|| m.port(Dir::Input, "act_fp", 1, "this tile's activations are FP16"));
    let act = m.port(
        Dir::Input,
        "act_data",
        d.act_beat_bits(),
        "one act beat: row m, element i at [(m*g+i)*AB +: AB]",
    );
    let word = m.port(
        Dir::Output,
        "table_word",
        d.table_word_bits(),
        "row m, entry e at [(m*E+e)*EB +: EB]",
    );
    let mut entries = Vec::new();
    for row in 0..d.m {
        let lanes: Vec<Expr> = (0..d.g)
            .map(|i| {
                let lo = (row * d.g + i) * d.act_bits;
                m.wire_assign(
                    &format!("a_r{row}_{i}"),
                    d.act_bits,
                    act.clone().slice(lo + d.act_bits - 1, lo),
                )
            })
            .collect();
        let ints: Vec<Expr> = lanes
            .iter()
            .map(|l| {
                let v = if d.int_act_bits == d.act_bits {
                    l.clone()
                } else {
                    l.clone().slice(d.int_act_bits - 1, 0)
                };
                v.sext(d.int_act_bits, d.int_entry_bits)
            })
            .collect();
        let halves: Vec<Expr> = match d.fp {
            None => Vec::new(),
            Some(enc) => lanes
                .iter()
                .enumerate()
                .map(|(i, l)| m.wire_assign(&format!("h_r{row}_{i}"), 16, to_fp16(enc, l.clone())))
                .collect(),
        };
        for e in 0..d.entries {
            let name = format!("t_r{row}_e{e}");
            let terms = entry_terms(d.g as usize, d.symmetric, e as usize);
            let int_value = d.int.then(|| {
                terms
                    .iter()
                    .map(|&(i, n)| (ints[i].clone(), n))
                    .reduce(|(x, _), (y, n)| {
                        (x.bin(if n { BinOp::Sub } else { BinOp::Add }, y), false)
                    })
                    .map_or(Expr::lit(d.int_entry_bits, 0), |(x, _)| x)
            });
            let fp_value = (!halves.is_empty()).then(|| {
                let term = |(i, negated): (usize, bool)| -> Expr {
                    if negated {
                        fp_negate(halves[i].clone())
                    } else {
                        halves[i].clone()
                    }
                };
                let mut acc = terms.first().map_or(Expr::lit(16, 0), |&t| term(t));
                for (step, &t) in terms.iter().enumerate().skip(1) {
                    acc = fp_add_into(
                        &mut m,
                        adder_name(names, FP16),
                        &format!("{name}_s{step}"),
                        16,
                        acc,
                        term(t),
                    );
                }
                acc
            });
            let value = match (int_value, fp_value, &fp_sel) {
                (Some(i), None, _) => i,
                (None, Some(f), _) => f,
                (Some(i), Some(f), Some(sel)) => {
                    let i = m.wire_assign(&format!("{name}_int"), d.int_entry_bits, i);
                    sel.clone().cond(f, i.sext(d.int_entry_bits, d.entry_bits))
                }
                _ => Expr::lit(d.entry_bits, 0),
            };
            entries.push(m.wire_assign(&name, d.entry_bits, value));
        }
    }
    entries.reverse();
    m.items.push(Item::Assign(word, Expr::Concat(entries)));
    m
}

/// The table buffer: simple dual-port RAM with a registered read port (block RAM template).
pub fn table_ram(d: &Dims, names: &Names) -> Module {
    let mut m = Module::new(names.module("table_ram"));
    let depth = 1u32 << d.addr_bits;
    m.doc = vec![format!(
        "Table buffer: {} banks x {} groups, {} words of {} bits; one write and one registered read port.",
        d.banks,
        1u32 << d.group_cnt_bits,
        depth,
        d.table_word_bits()
    )];
    m.port(Dir::Input, "clk", 1, "clock");
    let we = m.port(Dir::Input, "we", 1, "write enable");
    let waddr = m.port(
        Dir::Input,
        "waddr",
        d.addr_bits,
        "write address {bank, group}",
    );
    let wdata = m.port(Dir::Input, "wdata", d.table_word_bits(), "write data");
    let re = m.port(Dir::Input, "re", 1, "read enable");
    let raddr = m.port(
        Dir::Input,
        "raddr",
        d.addr_bits,
        "read address {bank, group}",
    );
    let rdata = m.port(
        Dir::OutputReg,
        "rdata",
        d.table_word_bits(),
        "read data, one cycle after re",
    );
    m.items.push(Item::Reg {
        name: "mem".into(),
        width: d.table_word_bits(),
        depth: Some(depth),
        attr: Some("ram_style = \"block\"".into()),
    });
    let mem = Expr::id("mem");
    m.items.push(Item::AlwaysFf {
        clock: "clk".into(),
        body: vec![
            Stmt::If(we, vec![nb(&mem.clone().index(waddr), wdata)], vec![]),
            Stmt::If(re, vec![nb(&rdata, mem.index(raddr))], vec![]),
        ],
    });
    m
}

/// `v` (FP16, sign already applied) as FP32 scaled by `2^plane`: the plane index added to the
/// exponent (exact for FP16 inputs and planes below 16); zero stays zero.
fn fp16_to_fp32_scaled(m: &mut Module, prefix: &str, v: Expr, plane: Option<(Expr, u32)>) -> Expr {
    let e16 = v.clone().slice(14, 10);
    let mut e32 = e16
        .clone()
        .zext(5, 8)
        .bin(BinOp::Add, Expr::lit(8, 127 - 15));
    if let Some((p, bits)) = plane {
        e32 = e32.bin(BinOp::Add, p.zext(bits, 8));
    }
    let e32 = m.wire_assign(&format!("{prefix}_e32"), 8, e32);
    let value = e16.bin(BinOp::Eq, Expr::lit(5, 0)).cond(
        Expr::Concat(vec![v.clone().bit(15), Expr::lit(31, 0)]),
        Expr::Concat(vec![
            v.clone().bit(15),
            e32,
            v.slice(9, 0),
            Expr::lit(13, 0),
        ]),
    );
    m.wire_assign(&format!("{prefix}_f32"), 32, value)
}

/// One lookup-accumulate unit.
pub fn lau(d: &Dims, names: &Names, bug: Option<PlantedBug>) -> Module {
    let mut m = Module::new(names.module("lau"));
    m.doc = vec![if d.fp.is_some() {
        "Lookup-accumulate unit: one FP16 table read per cycle, sign from the index, plane added to the exponent, FP32 add.".into()
    } else {
        "Lookup-accumulate unit: one table read per cycle, shift by the plane index, add or subtract.".into()
    }];
    m.port(Dir::Input, "clk", 1, "clock");
    let clear = m.port(
        Dir::Input,
        "clear",
        1,
        "zero the accumulator (cmd transfer)",
    );
    let en = m.port(Dir::Input, "en", 1, "lookup stage valid");
    let fp_sel = d
        .dual()
        .then(|| m.port(Dir::Input, "act_fp", 1, "FP16 tables and FP32 accumulation"));
    let plane = m.port(Dir::Input, "plane", d.plane_bits, "bit-plane index (shift)");
    let msb = m.port(
        Dir::Input,
        "msb",
        1,
        "this plane carries a negative weight (the two's complement MSB plane)",
    );
    let wbits = m.port(
        Dir::Input,
        "wbits",
        d.g,
        "this column's plane bits of the group",
    );
    let table = m.port(
        Dir::Input,
        "table_row",
        d.entries * d.entry_bits,
        "this row's table",
    );
    let out = m.port(
        Dir::Output,
        "acc_out",
        d.acc_reg_bits,
        if d.fp.is_some() {
            "FP32 accumulator"
        } else if d.symmetric {
            "accumulator, A+1 bits (see top)"
        } else {
            "accumulator"
        },
    );
    m.items.push(Item::Wire {
        name: "ent".into(),
        width: d.entry_bits,
        depth: Some(d.entries),
    });
    for e in 0..d.entries {
        let lo = e * d.entry_bits;
        m.items.push(Item::Assign(
            Expr::id("ent").bit(e),
            table.clone().slice(lo + d.entry_bits - 1, lo),
        ));
    }
    let sel_bits = ceil_log2(d.entries);
    let (sel, neg) = if d.symmetric {
        let top = wbits.clone().bit(d.g - 1);
        let low = wbits.clone().slice(d.g - 2, 0);
        let sel = top.clone().cond(low.clone(), low.inv());
        let mirrored = match bug {
            Some(PlantedBug::MirroredSign) => top,
            _ => top.inv(),
        };
        (sel, mirrored.bin(BinOp::Xor, msb))
    } else {
        (wbits, msb)
    };
    let sel = m.wire_assign("sel", sel_bits, sel);
    let neg = m.wire_assign("neg", 1, neg);
    let val = m.wire_assign("val", d.entry_bits, Expr::id("ent").index(sel));
    let acc = m.reg("acc", d.acc_reg_bits);
    let fp_next = d.fp.map(|_| {
        let signed = m.wire_assign(
            "signed_val",
            16,
            Expr::Concat(vec![
                val.clone().bit(15).bin(BinOp::Xor, neg.clone()),
                val.clone().slice(14, 0),
            ]),
        );
        let term = fp16_to_fp32_scaled(
            &mut m,
            "term_fp",
            signed,
            Some((plane.clone(), d.plane_bits)),
        );
        let low = if d.acc_reg_bits > 32 {
            acc.clone().slice(31, 0)
        } else {
            acc.clone()
        };
        fp_add_into(
            &mut m,
            adder_name(names, FP32),
            "acc_next_fp",
            32,
            low,
            term,
        )
        .zext(32, d.acc_reg_bits)
    });
    let int_next = d.int.then(|| {
        let term = m.wire_assign(
            "term",
            d.acc_reg_bits,
            val.clone()
                .sext(d.entry_bits, d.acc_reg_bits)
                .bin(BinOp::Shl, plane.clone()),
        );
        neg.clone().cond(
            acc.clone().bin(BinOp::Sub, term.clone()),
            acc.clone().bin(BinOp::Add, term),
        )
    });
    let next = match (int_next, fp_next, fp_sel) {
        (Some(i), Some(f), Some(sel)) => sel.cond(f, i),
        (Some(i), _, _) => i,
        (None, Some(f), _) => f,
        (None, None, _) => acc.clone(),
    };
    m.items.push(Item::AlwaysFf {
        clock: "clk".into(),
        body: vec![Stmt::If(
            clear,
            vec![nb(&acc, Expr::lit(d.acc_reg_bits, 0))],
            vec![Stmt::If(en, vec![nb(&acc, next)], vec![])],
        )],
    });
    m.items.push(Item::Assign(out, acc));
    m
}

/// The `tile_m x tile_n` lookup-accumulate array.
pub fn lau_array(d: &Dims, names: &Names) -> Module {
    let mut m = Module::new(names.module("lau_array"));
    m.doc = vec![format!(
        "Lookup-accumulate array: {} x {} units; row m reads table m, column n reads plane bits n.",
        d.m, d.n
    )];
    m.port(Dir::Input, "clk", 1, "clock");
    m.port(Dir::Input, "clear", 1, "zero all accumulators");
    m.port(Dir::Input, "en", 1, "lookup stage valid");
    if d.dual() {
        m.port(Dir::Input, "act_fp", 1, "the tile runs the FP datapath");
    }
    m.port(Dir::Input, "plane", d.plane_bits, "bit-plane index");
    m.port(Dir::Input, "msb", 1, "negative-weight plane");
    let wgt = m.port(
        Dir::Input,
        "wgt",
        d.wgt_beat_bits(),
        "plane bits, column n at [n*g +: g]",
    );
    let table = m.port(
        Dir::Input,
        "table_word",
        d.table_word_bits(),
        "tables, row m at [m*E*EB +: E*EB]",
    );
    let accs = m.port(
        Dir::Output,
        "accs",
        d.m * d.n * d.acc_reg_bits,
        "unit (m, n) at [(m*N+n)*AR +: AR], AR = accumulator register width",
    );
    let tw = d.entries * d.entry_bits;
    for row in 0..d.m {
        for col in 0..d.n {
            let lo = (row * d.n + col) * d.acc_reg_bits;
            let mut ports = vec![
                ("clk".into(), Expr::id("clk")),
                ("clear".into(), Expr::id("clear")),
                ("en".into(), Expr::id("en")),
                ("plane".into(), Expr::id("plane")),
                ("msb".into(), Expr::id("msb")),
                (
                    "wbits".into(),
                    wgt.clone().slice(col * d.g + d.g - 1, col * d.g),
                ),
                (
                    "table_row".into(),
                    table.clone().slice(row * tw + tw - 1, row * tw),
                ),
                (
                    "acc_out".into(),
                    accs.clone().slice(lo + d.acc_reg_bits - 1, lo),
                ),
            ];
            if d.dual() {
                ports.push(("act_fp".into(), Expr::id("act_fp")));
            }
            m.items.push(Item::Instance {
                module: names.module("lau"),
                name: format!("u_r{row}_c{col}"),
                ports,
            });
        }
    }
    m
}

/// The tile controller: precompute and lookup counters, stream handshakes, drain.
pub fn controller(d: &Dims, names: &Names, bug: Option<PlantedBug>) -> Module {
    let kc = K_CHUNKS_BITS;
    let gb = d.group_cnt_bits;
    let pb = d.plane_bits;
    let mut m = Module::new(names.module("controller"));
    m.doc = vec![
        "Tile controller: K-chunk loop, group and bit-plane loops, table double buffering, drain."
            .into(),
    ];
    let cmd = cmd_ports(
        &mut m,
        pb,
        CmdDocs {
            ready: "command ready (idle)",
            k_chunks: "K chunks of the tile, 1..=65535",
            weight_bits: "weight bit planes, 1..=max_weight_bits",
        },
    );
    let binary = d.symmetric.then(|| {
        (
            m.port(
                Dir::Input,
                "cmd_binary",
                1,
                "signed-binary plane mode (weight_bits = 1)",
            ),
            m.port(
                Dir::OutputReg,
                "binary",
                1,
                "the tile's signed-binary plane mode",
            ),
        )
    });
    let act_fp = d.dual().then(|| {
        (
            m.port(
                Dir::Input,
                "cmd_act_fp",
                1,
                "FP16 activations (else integers)",
            ),
            m.port(
                Dir::OutputReg,
                "act_fp",
                1,
                "the tile's activation datapath",
            ),
        )
    });
    let streams = data_ports(&mut m, None);
    let cmd_fire = m.port(
        Dir::Output,
        "cmd_fire",
        1,
        "command transfer: clear accumulators",
    );
    let act_fire = m.port(
        Dir::Output,
        "act_fire",
        1,
        "activation transfer: write tables",
    );
    let wgt_fire = m.port(
        Dir::Output,
        "wgt_fire",
        1,
        "weight transfer: read tables, capture plane bits",
    );
    let waddr = m.port(Dir::Output, "tbl_waddr", d.addr_bits, "table write address");
    let raddr = m.port(Dir::Output, "tbl_raddr", d.addr_bits, "table read address");
    let sl_valid = m.port(Dir::OutputReg, "sl_valid", 1, "lookup stage valid");
    let sl_plane = m.port(Dir::OutputReg, "sl_plane", pb, "lookup stage plane index");
    let sl_msb = m.port(
        Dir::OutputReg,
        "sl_msb",
        1,
        "lookup stage plane is the MSB plane",
    );
    let dr_row = drain_row(&mut m, d.m, d.row_bits);

    let busy = m.reg("busy", 1);
    let k_r = m.reg("k_chunks_r", kc);
    let bits_r = m.reg("weight_bits_r", pb);
    let pc_chunk = m.reg("pc_chunk", kc);
    let pc_group = m.reg("pc_group", gb);
    let lu_chunk = m.reg("lu_chunk", kc);
    let lu_group = m.reg("lu_group", gb);
    let lu_plane = m.reg("lu_plane", pb);

    m.items.push(Item::Assign(cmd.ready, busy.clone().lnot()));
    m.items.push(Item::Assign(
        cmd_fire.clone(),
        and(cmd.valid, busy.clone().lnot()),
    ));
    let pc_free = pc_chunk
        .clone()
        .bin(BinOp::Sub, lu_chunk.clone())
        .bin(BinOp::Lt, Expr::lit(kc, u64::from(d.banks)));
    m.items.push(Item::Assign(
        streams.act_ready.clone(),
        and(
            and(busy.clone(), pc_chunk.clone().bin(BinOp::Lt, k_r.clone())),
            pc_free,
        ),
    ));
    m.items.push(Item::Assign(
        act_fire.clone(),
        and(streams.act_valid, streams.act_ready),
    ));
    let lu_go = and(
        and(busy.clone(), lu_chunk.clone().bin(BinOp::Lt, k_r.clone())),
        pc_chunk.clone().bin(BinOp::Gt, lu_chunk.clone()),
    );
    m.items.push(Item::Assign(streams.wgt_ready.clone(), lu_go));
    m.items.push(Item::Assign(
        wgt_fire.clone(),
        and(streams.wgt_valid, streams.wgt_ready),
    ));
    m.items.push(Item::Assign(
        streams.res_valid.clone(),
        and(
            and(busy.clone(), lu_chunk.clone().bin(BinOp::Eq, k_r.clone())),
            sl_valid.clone().lnot(),
        ),
    ));
    let res_fire = match bug {
        Some(PlantedBug::ResultIgnoresReady) => m.wire_assign("res_fire", 1, streams.res_valid),
        _ => m.wire_assign("res_fire", 1, and(streams.res_valid, streams.res_ready)),
    };
    let last_plane = m.wire_assign(
        "last_plane",
        1,
        lu_plane
            .clone()
            .bin(BinOp::Eq, bits_r.clone().bin(BinOp::Sub, Expr::lit(pb, 1))),
    );
    let last_group_max = u64::from(d.groups - 1);
    let pc_last = m.wire_assign(
        "pc_last_group",
        1,
        pc_group
            .clone()
            .bin(BinOp::Eq, Expr::lit(gb, last_group_max)),
    );
    let lu_last = m.wire_assign(
        "lu_last_group",
        1,
        lu_group
            .clone()
            .bin(BinOp::Eq, Expr::lit(gb, last_group_max)),
    );
    let (wa, ra) = if d.banks == 2 {
        (
            Expr::Concat(vec![pc_chunk.clone().bit(0), pc_group.clone()]),
            Expr::Concat(vec![lu_chunk.clone().bit(0), lu_group.clone()]),
        )
    } else {
        (pc_group.clone(), lu_group.clone())
    };
    m.items.push(Item::Assign(waddr, wa));
    m.items.push(Item::Assign(raddr, ra));

    let zero = |w: u32| Expr::lit(w, 0);
    let reset_body = vec![
        nb(&busy, zero(1)),
        nb(&sl_valid, zero(1)),
        nb(&dr_row, zero(d.row_bits)),
        nb(&pc_chunk, zero(kc)),
        nb(&lu_chunk, zero(kc)),
    ];
    let mut cmd_body = vec![
        nb(&busy, Expr::lit(1, 1)),
        nb(&k_r, cmd.k_chunks),
        nb(&bits_r, cmd.weight_bits),
        nb(&pc_chunk, zero(kc)),
        nb(&pc_group, zero(gb)),
        nb(&lu_chunk, zero(kc)),
        nb(&lu_group, zero(gb)),
        nb(&lu_plane, zero(pb)),
        nb(&dr_row, zero(d.row_bits)),
    ];
    // The plane is negative when it is the top two's complement plane and not a binary one.
    let negative = match &binary {
        Some((cmd_binary, binary_r)) => {
            cmd_body.push(nb(binary_r, cmd_binary.clone()));
            if bug == Some(PlantedBug::BinaryNegates) {
                last_plane.clone()
            } else {
                and(last_plane.clone(), binary_r.clone().lnot())
            }
        }
        None => last_plane.clone(),
    };
    if let Some((cmd, reg)) = &act_fp {
        cmd_body.push(nb(reg, cmd.clone()));
    }
    let act_body = vec![Stmt::If(
        pc_last,
        vec![nb(&pc_group, zero(gb)), nb(&pc_chunk, inc(&pc_chunk, kc))],
        vec![nb(&pc_group, inc(&pc_group, gb))],
    )];
    let wgt_body = vec![
        nb(&sl_valid, Expr::lit(1, 1)),
        nb(&sl_plane, lu_plane.clone()),
        nb(&sl_msb, negative),
        Stmt::If(
            last_plane,
            vec![
                nb(&lu_plane, zero(pb)),
                Stmt::If(
                    lu_last,
                    vec![nb(&lu_group, zero(gb)), nb(&lu_chunk, inc(&lu_chunk, kc))],
                    vec![nb(&lu_group, inc(&lu_group, gb))],
                ),
            ],
            vec![nb(&lu_plane, inc(&lu_plane, pb))],
        ),
    ];
    let last_row = Expr::lit(d.row_bits, u64::from(d.m - 1));
    let res_body = vec![Stmt::If(
        dr_row.clone().bin(BinOp::Eq, last_row),
        vec![nb(&dr_row, zero(d.row_bits)), nb(&busy, zero(1))],
        vec![nb(&dr_row, inc(&dr_row, d.row_bits))],
    )];
    m.items.push(Item::AlwaysFf {
        clock: "clk".into(),
        body: vec![Stmt::If(
            cmd.rst,
            reset_body,
            vec![
                Stmt::If(cmd_fire, cmd_body, vec![]),
                Stmt::If(act_fire, act_body, vec![]),
                Stmt::If(wgt_fire, wgt_body, vec![nb(&sl_valid, zero(1))]),
                Stmt::If(res_fire, res_body, vec![]),
            ],
        )],
    });
    m
}

/// The top module: streams in, results out.
pub fn top(d: &Dims, names: &Names) -> Module {
    let mut m = Module::new(names.module("top"));
    m.doc = vec![
        format!("LUT tensor-core tile, {} x {} outputs per tile, valid/ready streams (a transfer happens on a rising", d.m, d.n),
        "edge where valid and ready are both high):".into(),
        "  cmd: k_chunks, weight_bits (one per tile; cmd_ready is high when idle)".into(),
        format!("  act: k_chunks*{} beats, chunk then group; row m element i at [(m*g+i)*AB +: AB]", d.groups),
        "  wgt: k_chunks*G*weight_bits beats, chunk, group, plane (LSB first); column n bit i at [n*g+i]".into(),
        format!("  res: {} beats, row 0 first; column n at [n*A +: A], two's complement", d.m),
        "Cycle count and register behaviour: see lutforge_sim::lut_tensor_core.".into(),
    ];
    let cmd = cmd_ports(
        &mut m,
        d.plane_bits,
        CmdDocs {
            ready: "command ready",
            k_chunks: "K chunks, 1..=65535",
            weight_bits: "weight bit planes",
        },
    );
    let clk = cmd.clk.clone();
    let cmd_act_fp = d.dual().then(|| {
        m.port(
            Dir::Input,
            "cmd_act_fp",
            1,
            "FP16 activations on the FP datapath (else integers)",
        )
    });
    let cmd_binary = d.symmetric.then(|| {
        m.port(
            Dir::Input,
            "cmd_binary",
            1,
            "signed-binary plane mode: one +-1 plane, no row-sum correction",
        )
    });
    let streams = data_ports(
        &mut m,
        Some(Beats {
            act: (d.act_beat_bits(), "activation beat"),
            wgt: (d.wgt_beat_bits(), "weight bit-plane beat"),
            res: d.res_beat_bits(),
        }),
    );
    let (act_data, wgt_data, res_data) = streams.data.clone().expect("a top declares its data");

    let cmd_fire = m.wire("cmd_fire", 1);
    let act_fire = m.wire("act_fire", 1);
    let wgt_fire = m.wire("wgt_fire", 1);
    let waddr = m.wire("tbl_waddr", d.addr_bits);
    let raddr = m.wire("tbl_raddr", d.addr_bits);
    let sl_valid = m.wire("sl_valid", 1);
    let sl_plane = m.wire("sl_plane", d.plane_bits);
    let sl_msb = m.wire("sl_msb", 1);
    let dr_row = if d.m > 1 {
        Some(m.wire("res_row", d.row_bits))
    } else {
        None
    };
    let table_in = m.wire("table_in", d.table_word_bits());
    let table_out = m.wire("table_out", d.table_word_bits());
    let accs = m.wire("accs", d.m * d.n * d.acc_reg_bits);
    let binary = cmd_binary.as_ref().map(|_| m.wire("binary", 1));
    let sl_wbits = m.reg("sl_wbits", d.wgt_beat_bits());

    let mut ctrl_ports = controller_connections(cmd, streams);
    ctrl_ports.extend([
        ("cmd_fire".into(), cmd_fire.clone()),
        ("act_fire".into(), act_fire.clone()),
        ("wgt_fire".into(), wgt_fire.clone()),
        ("tbl_waddr".into(), waddr.clone()),
        ("tbl_raddr".into(), raddr.clone()),
        ("sl_valid".into(), sl_valid.clone()),
        ("sl_plane".into(), sl_plane.clone()),
        ("sl_msb".into(), sl_msb.clone()),
    ]);
    if let Some(row) = &dr_row {
        ctrl_ports.push(("res_row".into(), row.clone()));
    }
    if let (Some(cmd), Some(b)) = (&cmd_binary, &binary) {
        ctrl_ports.push(("cmd_binary".into(), cmd.clone()));
        ctrl_ports.push(("binary".into(), b.clone()));
    }
    let act_fp = cmd_act_fp.as_ref().map(|_| m.wire("act_fp", 1));
    if let (Some(cmd), Some(f)) = (&cmd_act_fp, &act_fp) {
        ctrl_ports.push(("cmd_act_fp".into(), cmd.clone()));
        ctrl_ports.push(("act_fp".into(), f.clone()));
    }
    let with_fp = |mut ports: Vec<(String, Expr)>| {
        if let Some(f) = &act_fp {
            ports.push(("act_fp".into(), f.clone()));
        }
        ports
    };
    m.items.push(Item::Instance {
        module: names.module("controller"),
        name: "u_ctrl".into(),
        ports: ctrl_ports,
    });
    m.items.push(Item::Instance {
        module: names.module("precompute"),
        name: "u_pre".into(),
        ports: with_fp(vec![
            ("act_data".into(), act_data),
            ("table_word".into(), table_in.clone()),
        ]),
    });
    m.items.push(Item::Instance {
        module: names.module("table_ram"),
        name: "u_tables".into(),
        ports: vec![
            ("clk".into(), clk.clone()),
            ("we".into(), act_fire.clone()),
            ("waddr".into(), waddr),
            ("wdata".into(), table_in.clone()),
            ("re".into(), wgt_fire.clone()),
            ("raddr".into(), raddr),
            ("rdata".into(), table_out.clone()),
        ],
    });
    m.items.push(Item::AlwaysFf {
        clock: "clk".into(),
        body: vec![Stmt::If(wgt_fire, vec![nb(&sl_wbits, wgt_data)], vec![])],
    });
    m.items.push(Item::Instance {
        module: names.module("lau_array"),
        name: "u_array".into(),
        ports: with_fp(vec![
            ("clk".into(), clk),
            ("clear".into(), cmd_fire.clone()),
            ("en".into(), sl_valid),
            ("plane".into(), sl_plane),
            ("msb".into(), sl_msb),
            ("wgt".into(), sl_wbits),
            ("table_word".into(), table_out),
            ("accs".into(), accs.clone()),
        ]),
    });

    // Row selection of the drain.
    let ar = d.acc_reg_bits;
    let row_w = d.n * ar;
    let acc_row = match &dr_row {
        None => accs,
        Some(dr_row) => {
            let row = select_row(&mut m, &accs, d.m, row_w, dr_row.clone());
            m.wire_assign("acc_row", row_w, row)
        }
    };
    let acc_col = |col: u32| acc_row.clone().slice(col * ar + ar - 1, col * ar);
    let binary = match (d.symmetric, binary) {
        (true, Some(b)) => b,
        _ => {
            // Plain tables: the accumulators are the results.
            m.items.push(Item::Assign(res_data, acc_row));
            return m;
        }
    };
    // Symmetric tables: the row sums of activations (the correction term).
    m.comment("row sums of activations (the correction term of symmetric tables)");
    let tw = d.entries * d.entry_bits;
    let mut sums = Vec::new();
    for row in 0..d.m {
        let rs = m.reg(&format!("rowsum_r{row}"), ar);
        let lo = row * tw + (d.entries - 1) * d.entry_bits;
        let entry = table_in.clone().slice(lo + d.entry_bits - 1, lo);
        let int_next = d.int.then(|| {
            rs.clone()
                .bin(BinOp::Add, entry.clone().sext(d.entry_bits, ar))
        });
        let fp_next = d.fp.map(|_| {
            let wide = fp16_to_fp32_scaled(&mut m, &format!("rowsum_in_r{row}"), entry, None);
            let low = if ar > 32 {
                rs.clone().slice(31, 0)
            } else {
                rs.clone()
            };
            fp_add_into(
                &mut m,
                adder_name(names, FP32),
                &format!("rowsum_next_r{row}"),
                32,
                low,
                wide,
            )
            .zext(32, ar)
        });
        let next = match (int_next, fp_next, &act_fp) {
            (Some(i), Some(f), Some(sel)) => sel.clone().cond(f, i),
            (Some(i), _, _) => i,
            (None, Some(f), _) => f,
            (None, None, _) => rs.clone(),
        };
        m.items.push(Item::AlwaysFf {
            clock: "clk".into(),
            body: vec![Stmt::If(
                cmd_fire.clone(),
                vec![nb(&rs, Expr::lit(ar, 0))],
                vec![Stmt::If(act_fire.clone(), vec![nb(&rs, next)], vec![])],
            )],
        });
        // The integer correction needs rowsum[A:1] only (acc[0] == rowsum[0]).
        sums.push(match d.fp {
            None => rs.slice(ar - 1, 1),
            Some(_) => rs,
        });
    }
    let sw = if d.fp.is_some() { ar } else { ar - 1 };

    let sum = match &dr_row {
        None => m.wire_assign("rowsum_sel", sw, sums[0].clone()),
        Some(dr_row) => {
            m.items.push(Item::Wire {
                name: "rowsums".into(),
                width: sw,
                depth: Some(d.m),
            });
            for (row, s) in sums.iter().enumerate() {
                m.items
                    .push(Item::Assign(Expr::id("rowsums").bit(row as u32), s.clone()));
            }
            m.wire_assign("rowsum_sel", sw, Expr::id("rowsums").index(dr_row.clone()))
        }
    };
    let low32 = |v: Expr| if ar > 32 { v.slice(31, 0) } else { v };
    let mut cols = Vec::new();
    for col in 0..d.n {
        let acc = acc_col(col);
        // Integer: (acc - rowsum) / 2 = acc[A:1] - rowsum[A:1] (acc[0] == rowsum[0]).
        let int_corr = d.int.then(|| {
            let half = if d.fp.is_some() {
                sum.clone().slice(ar - 1, 1)
            } else {
                sum.clone()
            };
            acc.clone().slice(ar - 1, 1).bin(BinOp::Sub, half)
        });
        // FP: (acc + (-rowsum)) in FP32, then halved through the exponent (flushed below
        // 2^-126).
        let fp_corr = d.fp.map(|_| {
            let s32 = low32(sum.clone());
            let neg_sum = Expr::Concat(vec![s32.clone().bit(31).inv(), s32.slice(30, 0)]);
            let diff = fp_add_into(
                &mut m,
                adder_name(names, FP32),
                &format!("diff_c{col}"),
                32,
                low32(acc.clone()),
                neg_sum,
            );
            let exp = diff.clone().slice(30, 23);
            exp.clone().bin(BinOp::Lt, Expr::lit(8, 2)).cond(
                Expr::Concat(vec![diff.clone().bit(31), Expr::lit(31, 0)]),
                Expr::Concat(vec![
                    diff.clone().bit(31),
                    exp.bin(BinOp::Sub, Expr::lit(8, 1)),
                    diff.slice(22, 0),
                ]),
            )
        });
        let corrected = match (int_corr, fp_corr, &act_fp) {
            (Some(i), Some(f), Some(sel)) => sel.clone().cond(f, i),
            (Some(i), _, _) => i,
            (None, Some(f), _) => f,
            (None, None, _) => Expr::lit(d.acc_bits, 0),
        };
        let plain = if ar > d.acc_bits {
            acc.slice(d.acc_bits - 1, 0)
        } else {
            acc
        };
        cols.push(m.wire_assign(
            &format!("res_c{col}"),
            d.acc_bits,
            binary.clone().cond(plain, corrected),
        ));
    }
    cols.reverse();
    m.items.push(Item::Assign(res_data, Expr::Concat(cols)));
    m
}
