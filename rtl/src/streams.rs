//! The valid/ready stream interface every tile shares: the `cmd`, `act`, `wgt` and `res`
//! handshake ports that a tile's top module and its controller declare, the controller
//! instance that joins them, and the drain's result-row port and row selection.
//!
//! Each family keeps its own port documentation (it says what that family's fields mean) and
//! adds its own ports around these; the names, order and handshake are the same for all.

use lutforge_sim::reduction::K_CHUNKS_BITS;

use crate::verilog::{Dir, Expr, Item, Module};

/// What the `cmd` ports of one module say about themselves.
pub struct CmdDocs<'a> {
    /// `cmd_ready`.
    pub ready: &'a str,
    /// `cmd_k_chunks`.
    pub k_chunks: &'a str,
    /// `cmd_weight_bits`.
    pub weight_bits: &'a str,
}

/// `clk`, `rst` and the `cmd` stream's ports.
pub struct CmdPorts {
    /// Clock.
    pub clk: Expr,
    /// Synchronous reset.
    pub rst: Expr,
    /// `cmd_valid`.
    pub valid: Expr,
    /// `cmd_ready`.
    pub ready: Expr,
    /// `cmd_k_chunks`.
    pub k_chunks: Expr,
    /// `cmd_weight_bits`.
    pub weight_bits: Expr,
}

/// Declares `clk`, `rst` and the `cmd` stream (`weight_bits` field `weight_bits_width` bits).
pub fn cmd_ports(m: &mut Module, weight_bits_width: u32, docs: CmdDocs) -> CmdPorts {
    CmdPorts {
        clk: m.port(Dir::Input, "clk", 1, "clock"),
        rst: m.port(Dir::Input, "rst", 1, "synchronous reset, active high"),
        valid: m.port(Dir::Input, "cmd_valid", 1, "command valid"),
        ready: m.port(Dir::Output, "cmd_ready", 1, docs.ready),
        k_chunks: m.port(Dir::Input, "cmd_k_chunks", K_CHUNKS_BITS, docs.k_chunks),
        weight_bits: m.port(
            Dir::Input,
            "cmd_weight_bits",
            weight_bits_width,
            docs.weight_bits,
        ),
    }
}

/// The data beats of a top module's streams: width and description of each.
pub struct Beats<'a> {
    /// `act_data`.
    pub act: (u32, &'a str),
    /// `wgt_data`.
    pub wgt: (u32, &'a str),
    /// `res_data` (one result row).
    pub res: u32,
}

/// The `act`, `wgt` and `res` streams' handshake ports (and data ports, on a top module).
pub struct DataPorts {
    /// `act_valid`.
    pub act_valid: Expr,
    /// `act_ready`.
    pub act_ready: Expr,
    /// `wgt_valid`.
    pub wgt_valid: Expr,
    /// `wgt_ready`.
    pub wgt_ready: Expr,
    /// `res_valid`.
    pub res_valid: Expr,
    /// `res_ready`.
    pub res_ready: Expr,
    /// `act_data`, `wgt_data`, `res_data`, when declared.
    pub data: Option<(Expr, Expr, Expr)>,
}

/// Declares the `act`, `wgt` and `res` streams: valid and ready, and with `beats` each
/// stream's data port after its handshake (a top module; a controller sees no data).
pub fn data_ports(m: &mut Module, beats: Option<Beats>) -> DataPorts {
    let act_valid = m.port(Dir::Input, "act_valid", 1, "activation beat valid");
    let act_ready = m.port(Dir::Output, "act_ready", 1, "activation beat ready");
    let act_data = beats
        .as_ref()
        .map(|b| m.port(Dir::Input, "act_data", b.act.0, b.act.1));
    let wgt_valid = m.port(Dir::Input, "wgt_valid", 1, "weight beat valid");
    let wgt_ready = m.port(Dir::Output, "wgt_ready", 1, "weight beat ready");
    let wgt_data = beats
        .as_ref()
        .map(|b| m.port(Dir::Input, "wgt_data", b.wgt.0, b.wgt.1));
    let res_valid = m.port(Dir::Output, "res_valid", 1, "result beat valid");
    let res_ready = m.port(Dir::Input, "res_ready", 1, "result beat ready");
    let res_data = beats
        .as_ref()
        .map(|b| m.port(Dir::Output, "res_data", b.res, "result beat (one row)"));
    DataPorts {
        act_valid,
        act_ready,
        wgt_valid,
        wgt_ready,
        res_valid,
        res_ready,
        data: act_data
            .zip(wgt_data)
            .zip(res_data)
            .map(|((a, w), r)| (a, w, r)),
    }
}

/// The controller instance's connections to the top module's stream ports, `clk` first; the
/// family appends its controller's own outputs.
pub fn controller_connections(cmd: CmdPorts, streams: DataPorts) -> Vec<(String, Expr)> {
    vec![
        ("clk".into(), cmd.clk),
        ("rst".into(), cmd.rst),
        ("cmd_valid".into(), cmd.valid),
        ("cmd_ready".into(), cmd.ready),
        ("cmd_k_chunks".into(), cmd.k_chunks),
        ("cmd_weight_bits".into(), cmd.weight_bits),
        ("act_valid".into(), streams.act_valid),
        ("act_ready".into(), streams.act_ready),
        ("wgt_valid".into(), streams.wgt_valid),
        ("wgt_ready".into(), streams.wgt_ready),
        ("res_valid".into(), streams.res_valid),
        ("res_ready".into(), streams.res_ready),
    ]
}

/// The controller's drain row register `dr_row`, driving the `res_row` output when the tile
/// has more than one row (`rows > 1`).
pub fn drain_row(m: &mut Module, rows: u32, row_bits: u32) -> Expr {
    let dr_row = m.reg("dr_row", row_bits);
    if rows > 1 {
        let port = m.port(Dir::Output, "res_row", row_bits, "row of the result beat");
        m.items.push(Item::Assign(port, dr_row.clone()));
    }
    dr_row
}

/// Row `row` of the `rows` result rows (`row_w` bits each) packed in `accs`, through an
/// `acc_rows` array.
pub fn select_row(m: &mut Module, accs: &Expr, rows: u32, row_w: u32, row: Expr) -> Expr {
    m.items.push(Item::Wire {
        name: "acc_rows".into(),
        width: row_w,
        depth: Some(rows),
    });
    for r in 0..rows {
        m.items.push(Item::Assign(
            Expr::id("acc_rows").bit(r),
            accs.clone().slice(r * row_w + row_w - 1, r * row_w),
        ));
    }
    Expr::id("acc_rows").index(row)
}
