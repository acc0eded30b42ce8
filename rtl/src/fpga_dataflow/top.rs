//! The pipeline top module `<prefix>_top` (`lutforge_sim::fpga_dataflow::top`): the streams,
//! the busy flag (`cmd_ready = !busy`; cleared by the `res` transfer with `res_last`), the
//! requantizer parameters latched from `cmd`, and the engines joined source -> FIFO ->
//! element-wise.

use lutforge_sim::fpga_dataflow::eltwise::{OUT_BITS, SCALE_BITS, SHIFT_BITS};
use lutforge_sim::fpga_dataflow::top::{Source, TopSpec, BEATS_BITS, STREAM_LANE_BITS};

use super::{and, eq, nb};
use crate::verilog::{BinOp, Dir, Expr, Item, Module, Stmt};

/// The top module of `spec`, named `<prefix>_top`.
pub fn top(spec: &TopSpec, prefix: &str) -> Module {
    let l = spec.beat_lanes();
    let a = spec.acc_bits();
    let mut m = Module::new(format!("{prefix}_top"));
    let streams = spec.input_streams();
    m.doc = match spec.source {
        Source::Tlmm { spec: t, capacity } => vec![
            "FPGA pipeline top: TLMM -> FIFO -> eltwise (requantize), valid/ready streams (a beat transfers".into(),
            "on a rising edge where valid and ready are both high; lane i of w-bit lanes at [i*w +: w]):".into(),
            format!(
                "  cmd: tokens m (1..={}), outputs n (1..={}), blocks B (B*G <= {}), scale, shift; G = ceil(n / {l})",
                capacity.max_tokens,
                capacity.max_groups * l,
                capacity.weight_words
            ),
            format!(
                "  wld: B*G beats (b, j), block-major; lane o-j*{l} = the {} 5-bit codes of output o for block b",
                t.tables
            ),
            format!(
                "  act: B*m*ceil({}/{}) beats of {} INT8 activations, set (b, t) by set",
                t.block_activations(),
                streams[1].1 / 8,
                streams[1].1 / 8
            ),
            format!("  res: m*G beats (t, j), token-major; {l} INT8 lanes; res_last on the last"),
            "Cycle count and registers: see lutforge_sim::fpga_dataflow::top.".into(),
        ],
        Source::Stream { .. } => vec![
            "FPGA pipeline top: acc stream -> FIFO -> eltwise (requantize), valid/ready streams (a beat".into(),
            "transfers on a rising edge where valid and ready are both high; lane i of w-bit lanes at [i*w +: w]):".into(),
            "  cmd: beats N (1..=65535), scale, shift".into(),
            format!("  acc: N beats of {l} x {STREAM_LANE_BITS}-bit accumulators (the vq2d engine's output; it has no RTL yet)"),
            format!("  res: N beats of {l} INT8 lanes; res_last on the last"),
            "Cycle count and registers: see lutforge_sim::fpga_dataflow::top.".into(),
        ],
    };
    let clk = m.port(Dir::Input, "clk", 1, "clock");
    let rst = m.port(Dir::Input, "rst", 1, "synchronous reset, active high");
    let cmd_valid = m.port(Dir::Input, "cmd_valid", 1, "command valid");
    let cmd_ready = m.port(Dir::Output, "cmd_ready", 1, "command ready (idle)");
    let mut fields = Vec::new();
    for (name, width) in spec.cmd_fields() {
        let doc = match name {
            "tokens" => "tokens m",
            "outputs" => "outputs n",
            "blocks" => "activation blocks B = ceil(k / block)",
            "beats" => "accumulator beats N",
            "scale" => "requantizer scale, two's complement",
            _ => "requantizer shift, 0..=acc_bits+15",
        };
        fields.push(m.port(Dir::Input, &format!("cmd_{name}"), width, doc));
    }
    let mut inputs = Vec::new();
    for (name, width) in &streams {
        let valid = m.port(Dir::Input, &format!("{name}_valid"), 1, "beat valid");
        let ready = m.port(Dir::Output, &format!("{name}_ready"), 1, "beat ready");
        let what = match *name {
            "wld" => "weight codes",
            "act" => "INT8 activations",
            _ => "accumulators",
        };
        let data = m.port(Dir::Input, &format!("{name}_data"), *width, what);
        inputs.push((valid, ready, data));
    }
    let res_valid = m.port(Dir::Output, "res_valid", 1, "result beat valid");
    let res_ready = m.port(Dir::Input, "res_ready", 1, "result beat ready");
    let res_data = m.port(
        Dir::Output,
        "res_data",
        l * OUT_BITS,
        "requantized INT8 lanes",
    );
    let res_last = m.port(Dir::Output, "res_last", 1, "the job's last result beat");

    let busy = m.reg("busy", 1);
    let scale_r = m.reg("scale_r", SCALE_BITS);
    let shift_r = m.reg("shift_r", SHIFT_BITS);
    m.items.push(Item::Assign(cmd_ready, busy.clone().lnot()));
    let cmd_fire = m.wire_assign("cmd_fire", 1, and(cmd_valid, busy.clone().lnot()));
    let fw = l * a + 1;
    let src_valid = m.wire("src_valid", 1);
    let src_ready = m.wire("src_ready", 1);
    let src_data = m.wire("src_data", fw);
    let mut ctrl = vec![Stmt::If(
        cmd_fire.clone(),
        vec![nb(&busy, Expr::lit(1, 1))],
        vec![Stmt::If(
            and(and(res_valid.clone(), res_ready.clone()), res_last.clone()),
            vec![nb(&busy, Expr::lit(1, 0))],
            vec![],
        )],
    )];
    let mut reset = vec![nb(&busy, Expr::lit(1, 0))];
    match spec.source {
        Source::Tlmm { .. } => {
            let (wld, act) = (&inputs[0], &inputs[1]);
            m.items.push(Item::Instance {
                module: format!("{prefix}_tlmm"),
                name: "u_tlmm".into(),
                ports: vec![
                    ("clk".into(), clk.clone()),
                    ("rst".into(), rst.clone()),
                    ("start".into(), cmd_fire.clone()),
                    ("tokens".into(), fields[0].clone()),
                    ("outputs".into(), fields[1].clone()),
                    ("blocks".into(), fields[2].clone()),
                    ("wld_valid".into(), wld.0.clone()),
                    ("wld_ready".into(), wld.1.clone()),
                    ("wld_data".into(), wld.2.clone()),
                    ("act_valid".into(), act.0.clone()),
                    ("act_ready".into(), act.1.clone()),
                    ("act_data".into(), act.2.clone()),
                    ("out_valid".into(), src_valid.clone()),
                    ("out_ready".into(), src_ready.clone()),
                    ("out_data".into(), src_data.clone()),
                ],
            });
        }
        Source::Stream { .. } => {
            let (acc_valid, acc_ready, acc_data) = &inputs[0];
            let left = m.reg("left", BEATS_BITS);
            let taking = m.wire_assign(
                "taking",
                1,
                left.clone().bin(BinOp::Ne, Expr::lit(BEATS_BITS, 0)),
            );
            let fifo_ready = m.wire("fifo_in_ready", 1);
            m.items.push(Item::Assign(
                acc_ready.clone(),
                and(taking.clone(), fifo_ready.clone()),
            ));
            m.items.push(Item::Assign(
                src_valid.clone(),
                and(acc_valid.clone(), taking.clone()),
            ));
            m.items
                .push(Item::Assign(fifo_ready.clone(), src_ready.clone()));
            m.items.push(Item::Assign(
                src_data.clone(),
                Expr::Concat(vec![eq(left.clone(), BEATS_BITS, 1), acc_data.clone()]),
            ));
            let acc_fire = and(and(acc_valid.clone(), taking), fifo_ready);
            ctrl.push(Stmt::If(
                cmd_fire.clone(),
                vec![nb(&left, fields[0].clone())],
                vec![Stmt::If(
                    acc_fire,
                    vec![nb(
                        &left,
                        left.clone().bin(BinOp::Sub, Expr::lit(BEATS_BITS, 1)),
                    )],
                    vec![],
                )],
            ));
            reset.push(nb(&left, Expr::lit(BEATS_BITS, 0)));
        }
    }
    m.items.push(Item::AlwaysFf {
        clock: "clk".into(),
        body: vec![Stmt::If(rst.clone(), reset, ctrl)],
    });
    m.items.push(Item::AlwaysFf {
        clock: "clk".into(),
        body: vec![Stmt::If(
            cmd_fire,
            vec![
                nb(&scale_r, fields[fields.len() - 2].clone()),
                nb(&shift_r, fields[fields.len() - 1].clone()),
            ],
            vec![],
        )],
    });
    let f_valid = m.wire("fifo_valid", 1);
    let f_ready = m.wire("fifo_ready", 1);
    let f_data = m.wire("fifo_data", fw);
    m.items.push(Item::Instance {
        module: format!("{prefix}_fifo"),
        name: "u_fifo".into(),
        ports: vec![
            ("clk".into(), clk.clone()),
            ("rst".into(), rst.clone()),
            ("in_valid".into(), src_valid),
            ("in_ready".into(), src_ready),
            ("in_data".into(), src_data),
            ("out_valid".into(), f_valid.clone()),
            ("out_ready".into(), f_ready.clone()),
            ("out_data".into(), f_data.clone()),
        ],
    });
    m.items.push(Item::Instance {
        module: format!("{prefix}_eltwise"),
        name: "u_eltwise".into(),
        ports: vec![
            ("clk".into(), clk),
            ("rst".into(), rst),
            ("in_valid".into(), f_valid),
            ("in_ready".into(), f_ready),
            ("in_data".into(), f_data),
            ("scale".into(), scale_r),
            ("shift".into(), shift_r),
            ("res_valid".into(), res_valid),
            ("res_ready".into(), res_ready),
            ("res_data".into(), res_data),
            ("res_last".into(), res_last),
        ],
    });
    m
}
