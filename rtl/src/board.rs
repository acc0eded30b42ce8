//! The board wrapper: a `board_top` module that puts an accelerator top with wide streams on a
//! board with a handful of pins, for the open flow (`lutforge_fpga::openflow`).
//!
//! A UP5K in its 48-pin package bonds out about 39 IOs, while a tile's top has hundreds of
//! stream bits; left unconnected, synthesis would remove every gate that drives nothing. The
//! wrapper has three ports, named by `lutforge_fpga::openflow::board` and bound to the board's
//! pins by its constraint file: the clock, a reset button and an output bus of one bit per
//! output pin. Inside it:
//!
//! - **Reset.** The button, inverted when the board's reads low when pressed, goes through two
//!   flip-flops (`rst_sync`) and drives the accelerator's synchronous, active-high reset.
//! - **Stimulus.** A 32-bit maximal-length Fibonacci LFSR ([`LFSR_TAPS`], reset to
//!   [`LFSR_SEED`]) shifts its top bit into a register (`stim`) as wide as all of the
//!   accelerator's inputs together but its clock and reset; each input port is a slice of it,
//!   in port order, so every input bit is a flip-flop of its own (no two input bits are the
//!   same signal, which would let synthesis merge the logic behind them), including the
//!   streams' valid and ready bits.
//! - **Observation.** Every output bit of the accelerator is XOR-folded into the output bus:
//!   the outputs, concatenated in port order (the first port's bit 0 lowest), are cut into
//!   words as wide as the bus, the last one zero-extended, and the words are XORed in a
//!   balanced tree into a register that drives the pins. Every output bit thus reaches a pin,
//!   and place-and-route keeps all the logic behind it.
//!
//! The input is the accelerator's module name and port list ([`Accelerator`], e.g.
//! [`Accelerator::of_bundle`] for a generated tile), and the [`Board`]; the output one Verilog
//! file, `board_top.v`, printed by the one printer ([`crate::verilog`]) with a provenance
//! header (generator version, accelerator, board and a hash of the port list).

use lutforge_fpga::openflow::board::{Board, CLOCK_PORT, OUTPUT_PORT, RESET_PORT};

use crate::verilog::{print_module, BinOp, Dir, Expr, Item, Module, Port, Stmt};
use crate::{Bundle, GeneratedFile, RtlError};

/// The wrapper's module name (and file stem).
pub const BOARD_TOP: &str = "board_top";

/// Taps of the 32-bit maximal-length LFSR, x^32 + x^22 + x^2 + x + 1 (Alfke, Xilinx XAPP052,
/// "Efficient Shift Registers, LFSR Counters, and Long Pseudo-Random Sequence Generators",
/// 1996, table of taps: 32, 22, 2, 1).
pub const LFSR_TAPS: [u32; 4] = [32, 22, 2, 1];

/// The LFSR's state after reset (any non-zero value starts the maximal sequence).
pub const LFSR_SEED: u64 = 0x1234_5678;

/// Width of the LFSR, bits.
const LFSR_BITS: u32 = 32;

/// The accelerator a wrapper instantiates: its module, ports, and which input is its clock and
/// which its synchronous active-high reset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Accelerator<'a> {
    /// Module name.
    pub module: &'a str,
    /// Every port, in declaration order.
    pub ports: &'a [Port],
    /// The clock input.
    pub clock: &'a str,
    /// The synchronous active-high reset input, if it has one.
    pub reset: Option<&'a str>,
}

impl<'a> Accelerator<'a> {
    /// A generated tile: top `bundle.top`, its ports, clock `clk` and reset `rst`
    /// ([`crate::streams::cmd_ports`]).
    pub fn of_bundle(bundle: &'a Bundle) -> Accelerator<'a> {
        Accelerator {
            module: &bundle.top,
            ports: &bundle.ports,
            clock: "clk",
            reset: Some("rst"),
        }
    }
}

fn wrapper_error(acc: &Accelerator, message: String) -> RtlError {
    RtlError::BoardWrapper {
        module: acc.module.to_string(),
        message,
    }
}

/// XOR of `terms`, as a balanced tree.
fn xor_tree(mut terms: Vec<Expr>) -> Expr {
    while terms.len() > 1 {
        let mut next = Vec::with_capacity(terms.len().div_ceil(2));
        let mut it = terms.into_iter();
        while let Some(a) = it.next() {
            next.push(match it.next() {
                Some(b) => a.bin(BinOp::Xor, b),
                None => a,
            });
        }
        terms = next;
    }
    terms.pop().expect("at least one term")
}

/// `signal[hi:lo]`, or the signal itself when it is `width` bits wide and the slice is all of it.
fn part(signal: &str, width: u32, hi: u32, lo: u32) -> Expr {
    if width == 1 && hi == 0 && lo == 0 {
        Expr::id(signal)
    } else {
        Expr::id(signal).slice(hi, lo)
    }
}

/// The wrapper module of `acc` on `board`.
pub fn board_module(acc: &Accelerator, board: &Board) -> Result<Module, RtlError> {
    let find = |name: &str| acc.ports.iter().find(|p| p.name == name);
    let one_bit_input = |name: &str, role: &str| -> Result<(), RtlError> {
        match find(name) {
            Some(p) if p.dir == Dir::Input && p.width == 1 => Ok(()),
            Some(p) => Err(wrapper_error(
                acc,
                format!(
                    "{role} `{name}` must be a 1-bit input, not {:?} of {} bits",
                    p.dir, p.width
                ),
            )),
            None => Err(wrapper_error(acc, format!("has no {role} port `{name}`"))),
        }
    };
    one_bit_input(acc.clock, "clock")?;
    if let Some(r) = acc.reset {
        one_bit_input(r, "reset")?;
    }
    let is_control = |p: &Port| p.name == acc.clock || Some(p.name.as_str()) == acc.reset;
    let inputs: Vec<&Port> = acc
        .ports
        .iter()
        .filter(|p| p.dir == Dir::Input && !is_control(p))
        .collect();
    let outputs: Vec<&Port> = acc.ports.iter().filter(|p| p.dir != Dir::Input).collect();
    if outputs.is_empty() {
        return Err(wrapper_error(
            acc,
            "has no outputs: synthesis would remove all of it".into(),
        ));
    }
    if let Some(p) = acc.ports.iter().find(|p| p.width == 0) {
        return Err(wrapper_error(acc, format!("port `{}` has width 0", p.name)));
    }
    let pins = u32::try_from(board.output_pins.len()).unwrap_or(u32::MAX);
    if pins == 0 {
        return Err(wrapper_error(
            acc,
            format!("board {} has no output pins", board.id),
        ));
    }

    let mut m = Module::new(BOARD_TOP);
    m.doc = vec![
        format!("Board wrapper of {} for the {}.", acc.module, board.name),
        "A 32-bit LFSR drives every input, every output is XOR-folded into the output pins.".into(),
    ];
    let clock = CLOCK_PORT.to_string();
    m.port(Dir::Input, CLOCK_PORT, 1, "the board's oscillator");
    let btn = m.port(
        Dir::Input,
        RESET_PORT,
        1,
        if board.reset_active_low {
            "reset button, low when pressed"
        } else {
            "reset button, high when pressed"
        },
    );
    let out = m.port(
        Dir::OutputReg,
        OUTPUT_PORT,
        pins,
        "XOR fold of every accelerator output",
    );

    m.comment("Reset: the button through two flip-flops, active high.");
    let sync = m.reg("rst_sync", 2);
    let pressed = if board.reset_active_low {
        btn.inv()
    } else {
        btn
    };
    m.items.push(Item::AlwaysFf {
        clock: clock.clone(),
        body: vec![Stmt::NonBlocking(
            sync.clone(),
            Expr::Concat(vec![sync.clone().bit(0), pressed]),
        )],
    });
    let rst = m.wire_assign("rst", 1, sync.bit(1));

    let stim_bits: u32 = inputs.iter().map(|p| p.width).sum();
    if stim_bits > 0 {
        m.comment(format!(
            "Stimulus: a 32-bit LFSR (taps {:?}) shifted into {stim_bits} flip-flops, one per input bit.",
            LFSR_TAPS
        ));
        let lfsr = m.reg("lfsr", LFSR_BITS);
        let feedback = xor_tree(LFSR_TAPS.iter().map(|t| lfsr.clone().bit(t - 1)).collect());
        m.items.push(Item::AlwaysFf {
            clock: clock.clone(),
            body: vec![Stmt::If(
                rst.clone(),
                vec![Stmt::NonBlocking(
                    lfsr.clone(),
                    Expr::lit(LFSR_BITS, LFSR_SEED),
                )],
                vec![Stmt::NonBlocking(
                    lfsr.clone(),
                    Expr::Concat(vec![lfsr.clone().slice(LFSR_BITS - 2, 0), feedback]),
                )],
            )],
        });
        let stim = m.reg("stim", stim_bits);
        let top_bit = lfsr.bit(LFSR_BITS - 1);
        let shifted = if stim_bits == 1 {
            top_bit
        } else {
            Expr::Concat(vec![stim.clone().slice(stim_bits - 2, 0), top_bit])
        };
        m.items.push(Item::AlwaysFf {
            clock: clock.clone(),
            body: vec![Stmt::If(
                rst.clone(),
                vec![Stmt::NonBlocking(stim.clone(), Expr::lit(stim_bits, 0))],
                vec![Stmt::NonBlocking(stim, shifted)],
            )],
        });
    }

    m.comment(format!("The accelerator, {}.", acc.module));
    let mut connections = Vec::new();
    let mut observed = Vec::new();
    let mut next_input = 0;
    for p in acc.ports {
        let e = if p.name == acc.clock {
            Expr::id(&clock)
        } else if Some(p.name.as_str()) == acc.reset {
            rst.clone()
        } else if p.dir == Dir::Input {
            let e = part("stim", stim_bits, next_input + p.width - 1, next_input);
            next_input += p.width;
            e
        } else {
            let w = m.wire(&format!("acc_{}", p.name), p.width);
            observed.push(w.clone());
            w
        };
        connections.push((p.name.clone(), e));
    }
    m.items.push(Item::Instance {
        module: acc.module.to_string(),
        name: "accelerator".into(),
        ports: connections,
    });

    let out_bits: u32 = outputs.iter().map(|p| p.width).sum();
    m.comment(format!(
        "Observation: {out_bits} output bits XOR-folded into {pins} pins."
    ));
    // Concatenation is most significant first: the first port's bits end up lowest.
    observed.reverse();
    m.wire_assign("observed", out_bits, Expr::Concat(observed));
    let words: Vec<Expr> = (0..out_bits.div_ceil(pins))
        .map(|i| {
            let lo = i * pins;
            let hi = (lo + pins - 1).min(out_bits - 1);
            part("observed", out_bits, hi, lo).zext(hi - lo + 1, pins)
        })
        .collect();
    let fold = m.wire_assign("fold", pins, xor_tree(words));
    m.items.push(Item::AlwaysFf {
        clock,
        body: vec![Stmt::NonBlocking(out, fold)],
    });
    Ok(m)
}

/// FNV-1a 64 of the port list (names, directions, widths), for the provenance header.
fn ports_hash(ports: &[Port]) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for p in ports {
        for b in format!("{}:{:?}:{};", p.name, p.dir, p.width).bytes() {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    format!("{h:016x}")
}

/// `board_top.v`: the wrapper of `acc` on `board`, with its provenance header.
pub fn board_top(acc: &Accelerator, board: &Board) -> Result<GeneratedFile, RtlError> {
    let m = board_module(acc, board)?;
    let header = vec![
        format!(
            "Generated by lutforge-rtl {} -- do not edit.",
            env!("CARGO_PKG_VERSION")
        ),
        format!(
            "board wrapper of {}; ports hash: {} (FNV-1a 64 of names, directions, widths)",
            acc.module,
            ports_hash(acc.ports)
        ),
        format!("board: {}; pins from {}", board.id, board.source),
        String::new(),
    ];
    Ok(GeneratedFile {
        name: format!("{BOARD_TOP}.v"),
        text: print_module(&m, &header),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use lutforge_fpga::openflow::board::BOARDS;

    fn port(dir: Dir, name: &str, width: u32) -> Port {
        Port {
            dir,
            name: name.into(),
            width,
            doc: String::new(),
        }
    }

    fn tile_ports() -> Vec<Port> {
        vec![
            port(Dir::Input, "clk", 1),
            port(Dir::Input, "rst", 1),
            port(Dir::Input, "a", 5),
            port(Dir::Output, "ready", 1),
            port(Dir::Input, "v", 1),
            port(Dir::OutputReg, "res", 12),
        ]
    }

    #[test]
    fn every_input_is_its_own_stimulus_bit_and_every_output_is_folded() {
        let ports = tile_ports();
        let acc = Accelerator {
            module: "tile",
            ports: &ports,
            clock: "clk",
            reset: Some("rst"),
        };
        let board = &BOARDS[0];
        let text = board_top(&acc, board).unwrap().text;
        assert!(text.contains("module board_top ("), "{text}");
        assert!(text.contains("input  wire btn,"), "{text}");
        assert!(text.contains("output reg  [7:0] out"), "{text}");
        // Six input bits (a: 5, v: 1) in port order.
        assert!(text.contains("reg [5:0] stim;"), "{text}");
        assert!(text.contains(".a(stim[4:0])"), "{text}");
        assert!(text.contains(".v(stim[5])"), "{text}");
        assert!(
            text.contains(".clk(clk)") && text.contains(".rst(rst)"),
            "{text}"
        );
        // 13 output bits: ready lowest, then res; two 8-bit words, the second zero-extended.
        assert!(
            text.contains("assign observed = {acc_res, acc_ready};"),
            "{text}"
        );
        assert!(
            text.contains("assign fold = (observed[7:0] ^ {3'd0, observed[12:8]});"),
            "{text}"
        );
        // The iCEBreaker's button reads low when pressed.
        assert!(text.contains("rst_sync <= {rst_sync[0], ~btn};"), "{text}");
        assert!(
            text.contains("lfsr <= {lfsr[30:0], ((lfsr[31] ^ lfsr[21]) ^ (lfsr[1] ^ lfsr[0]))};"),
            "{text}"
        );
        let ulx3s = board_top(&acc, &BOARDS[1]).unwrap().text;
        assert!(ulx3s.contains("rst_sync <= {rst_sync[0], btn};"), "{ulx3s}");
    }

    #[test]
    fn a_wrapper_needs_a_clock_and_an_output() {
        let ports = vec![port(Dir::Input, "clk", 1), port(Dir::Input, "d", 4)];
        let acc = Accelerator {
            module: "sink",
            ports: &ports,
            clock: "clk",
            reset: None,
        };
        let err = board_top(&acc, &BOARDS[0]).unwrap_err().to_string();
        assert!(err.contains("sink") && err.contains("no outputs"), "{err}");
        let acc = Accelerator {
            clock: "clock",
            ..acc
        };
        let err = board_top(&acc, &BOARDS[0]).unwrap_err().to_string();
        assert!(err.contains("no clock port `clock`"), "{err}");
        let acc = Accelerator { clock: "d", ..acc };
        let err = board_top(&acc, &BOARDS[0]).unwrap_err().to_string();
        assert!(err.contains("must be a 1-bit input"), "{err}");
    }
}
