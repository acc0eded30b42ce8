//! Subcommands: each module holds one command's arguments and its `run`.

use std::process::ExitCode;

use clap::Subcommand;

pub mod compare;
pub mod cosim;
pub mod fpga;
pub mod list;
pub mod models;
pub mod report;
pub mod rtl;
pub mod scalesim;
pub mod simulate;
pub mod sweep;
pub mod text_table;
pub mod workload;

/// Exit code for a failed verification (co-simulation mismatch, comparison difference).
pub const EXIT_VERIFY: u8 = 1;
/// Exit code for a usage, configuration or input error.
pub const EXIT_INPUT: u8 = 2;

/// Every `lutforge` subcommand.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Simulate a whole LLM workload (prefill + decode) on an architecture and report it.
    Simulate(simulate::Args),
    /// Simulate one workload on several architectures and schemes; print a Markdown table.
    Compare(compare::Args),
    /// List the built-in model presets with their parameter counts.
    Models(models::Args),
    /// List architecture kinds, model presets, quantization grammar and sweep strategies.
    List(list::Args),
    /// Print the operator table of a workload (shapes, FLOPs, bytes) and its totals.
    Workload(workload::Args),
    /// Generate synthesizable Verilog for an architecture.
    Rtl(rtl::Args),
    /// Co-simulate generated RTL against the cycle-stepped model with Verilator.
    Cosim(cosim::Args),
    /// SCALE-Sim compatible front end for the systolic-array model.
    Scalesim(scalesim::Args),
    /// Run a design-space sweep (and merge shards, extract Pareto fronts).
    Sweep(sweep::Args),
    /// Write plots and an HTML page from a report or sweep results.
    Report(report::Args),
    /// FPGA back end: the device database (`lutforge fpga devices`) and the project of a design
    /// for a device (`lutforge fpga --arch A --device D --model M --out DIR`).
    Fpga(fpga::Args),
}

/// Runs one subcommand and returns the process exit code.
pub fn run(command: Command) -> anyhow::Result<ExitCode> {
    match command {
        Command::Simulate(args) => simulate::run(args),
        Command::Compare(args) => compare::run(args),
        Command::Models(args) => models::run(args),
        Command::List(args) => list::run(args),
        Command::Workload(args) => workload::run(args),
        Command::Rtl(args) => rtl::run(args),
        Command::Cosim(args) => cosim::run(args),
        Command::Scalesim(args) => scalesim::run(args),
        Command::Sweep(args) => sweep::run(args),
        Command::Report(args) => report::run(args),
        Command::Fpga(args) => fpga::run(args),
    }
}
