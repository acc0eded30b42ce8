//! The FPGA dataflow family's pipeline top in Verilog: the specification is
//! `lutforge_sim::fpga_dataflow::top` (and, for its engines, `...::tlmm`, `...::fifo` and
//! `...::eltwise`); this generator implements it register for register from the same
//! architecture file.
//!
//! Modules (one file, `<prefix>_top.v`):
//!
//! - `<prefix>_top`: the streams of the specification (`cmd`, `wld`, `act`, `res` on a TLMM
//!   top; `cmd`, `acc`, `res` on a stream top), the busy flag and the requantizer parameters;
//! - `<prefix>_tlmm` ([`tlmm`]): weight load, activation reads, table build, 5-bit code
//!   lookups, adder trees, the lookup pipeline, the `acc_bits` accumulators and their drain;
//! - `<prefix>_fifo` ([`fifo`]): the FIFO between the engines;
//! - `<prefix>_eltwise` ([`eltwise`]): the integer requantizer.
//!
//! An architecture with a `vq2d` engine (no RTL yet) gets the stream top; every bundle's notes
//! ([`crate::Bundle::notes`]) say what the top leaves out. [`top_ports`] gives the top's name
//! and ports to the project generator without generating anything else.

pub mod eltwise;
pub mod fifo;
pub mod tlmm;
pub mod top;

use lutforge_sim::fpga_dataflow::config::FpgaDesign;
use lutforge_sim::fpga_dataflow::top::{Source, TlmmCapacity, TopSpec};
use lutforge_sim::Arch;

use crate::verilog::{BinOp, Expr, Module, Port, Stmt};
use crate::{Options, RtlError};

/// The pipeline top of an FPGA architecture, as the generator builds it: its TLMM engine with
/// `capacity`, or with [`TlmmCapacity::of`] the architecture when `None`.
pub fn top_spec(arch: &Arch, capacity: Option<TlmmCapacity>) -> Result<TopSpec, RtlError> {
    let design = arch
        .machine_as::<FpgaDesign>()
        .ok_or_else(|| crate::unsupported_kind(arch))?;
    TopSpec::of(design, arch.vector_lanes(), capacity).map_err(|e| RtlError::Unbuildable {
        file: arch.source.clone(),
        message: e.to_string(),
    })
}

/// Refuses an FPGA architecture whose pipeline top cannot be built (see [`TopSpec::validate`]).
pub fn check(arch: &Arch) -> Result<(), RtlError> {
    top_spec(arch, None).map(|_| ())
}

/// The top module of an FPGA architecture and its ports, in declaration order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TopPorts {
    /// Module name, `<prefix>_top` (the prefix from [`crate::module_prefix`] of the arch name).
    pub module: String,
    /// Ports: name, direction ([`crate::verilog::Dir::Input`]; `Output` and `OutputReg` are
    /// both outputs, see [`Port::is_output`]), width in bits and a one-line description.
    pub ports: Vec<Port>,
}

/// The top module name and port list of `arch`'s pipeline top, for flows that wrap it (a
/// Vivado project, a block design): the same [`Module`] value the generator prints, so the two
/// cannot differ. Ports follow the specification's streams (`lutforge_sim::fpga_dataflow::top`):
/// `clk`, `rst`, then per stream `<s>_valid`, `<s>_ready`, its data (`cmd_<field>` fields on
/// `cmd`, `<s>_data` on the others), and `res_last`.
///
/// Errors: an architecture of another kind, or one whose top cannot be built.
pub fn top_ports(arch: &Arch) -> Result<TopPorts, RtlError> {
    let spec = top_spec(arch, None)?;
    let m = top::top(&spec, &crate::module_prefix(&arch.name));
    Ok(TopPorts {
        module: m.name,
        ports: m.ports,
    })
}

/// Every module of the design, the top first.
pub fn modules(spec: &TopSpec, prefix: &str, options: Options) -> Vec<Module> {
    let bug = options.planted_bug;
    let mut modules = vec![top::top(spec, prefix)];
    if let Source::Tlmm { spec: t, capacity } = spec.source {
        modules.push(tlmm::tlmm(&t, &capacity, prefix, bug));
    }
    modules.push(fifo::fifo(
        &format!("{prefix}_fifo"),
        spec.fifo_depth,
        spec.beat_lanes() * spec.acc_bits() + 1,
        bug,
    ));
    modules.push(eltwise::eltwise(&spec.eltwise, prefix));
    modules
}

/// The canonical parameter string the config hash covers.
pub fn canonical(name: &str, spec: &TopSpec) -> String {
    let source = match spec.source {
        Source::Tlmm { spec: t, capacity: c } => format!(
            "tlmm(tables={},outputs_per_cycle={},act_reads_per_cycle={},build_adds_per_cycle={},entry_bits={},acc_bits={},pipeline_cycles={},weight_banks={};max_tokens={},max_groups={},weight_words={})",
            t.tables,
            t.outputs_per_cycle,
            t.act_reads_per_cycle,
            t.build_adds_per_cycle,
            t.entry_bits,
            t.acc_bits,
            t.pipeline_cycles,
            t.weight_banks,
            c.max_tokens,
            c.max_groups,
            c.weight_words
        ),
        Source::Stream { lanes } => format!("stream(lanes={lanes})"),
    };
    format!(
        "name={name};kind=fpga_dataflow;source={source};fifo_depth={};eltwise_lanes={};vq2d={}",
        spec.fifo_depth, spec.eltwise.lanes, spec.has_vq2d
    )
}

/// A one-line description of the top, for the file header.
pub fn describe(spec: &TopSpec) -> String {
    let line = format!(
        "FIFO {} beats, eltwise requantize {} lanes in {} slice(s)",
        spec.fifo_depth,
        spec.eltwise.lanes,
        spec.eltwise.slices()
    );
    match spec.source {
        Source::Tlmm { spec: t, capacity: c } => format!(
            "top: TLMM tables={} lanes={} act_reads={} build_adds={} entry_bits={} acc_bits={} pipeline_cycles={}, capacity {} tokens x {} groups, {} weight words; {line}",
            t.tables,
            t.lookup_lanes(),
            t.act_reads_per_cycle,
            t.build_adds_per_cycle,
            t.entry_bits,
            t.acc_bits,
            t.pipeline_cycles,
            c.max_tokens,
            c.max_groups,
            c.weight_words
        ),
        Source::Stream { lanes } => format!(
            "top: stream of {lanes} x {}-bit accumulators; {line}",
            lutforge_sim::fpga_dataflow::top::STREAM_LANE_BITS
        ),
    }
}

// Small expression helpers shared by the family's modules.

fn nb(lhs: &Expr, rhs: Expr) -> Stmt {
    Stmt::NonBlocking(lhs.clone(), rhs)
}

fn and(a: Expr, b: Expr) -> Expr {
    a.bin(BinOp::LogicAnd, b)
}

fn eq(a: Expr, width: u32, value: u64) -> Expr {
    a.bin(BinOp::Eq, Expr::lit(width, value))
}

/// Lane `i` of `w`-bit lanes packed in `e`.
fn lane(e: &Expr, i: u32, w: u32) -> Expr {
    e.clone().slice(i * w + w - 1, i * w)
}

/// `e + 1` in `w` bits.
fn inc(e: &Expr, w: u32) -> Expr {
    e.clone().bin(BinOp::Add, Expr::lit(w, 1))
}
