//! `lutforge report`: plots (SVG and PNG) and an `index.html` from a simulation report
//! (`lutforge simulate --json`) or from sweep results (`lutforge sweep --out *.jsonl`).
//!
//! A report gives a roofline, a latency breakdown and an energy breakdown; sweep results give
//! a Pareto scatter (`--x`, `--y`, coloured by `--color`) and one sensitivity plot per swept
//! axis. Exit codes: 0 written, 2 unreadable input or a bad option (nothing is written then).

use std::path::PathBuf;
use std::process::ExitCode;

use lutforge_reports::{load, write_report, Options};

/// Arguments of `lutforge report`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// A simulation report (`simulate --json`, *.json) or sweep results (*.jsonl).
    #[arg(long, value_name = "FILE")]
    pub from: PathBuf,
    /// Output folder (created if missing): one SVG and one PNG per plot, and index.html.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Sweeps only: Pareto x metric [default: energy_per_token_j, minimized].
    #[arg(long, value_name = "METRIC")]
    pub x: Option<String>,
    /// Sweeps only: Pareto y metric [default: tokens_per_s, maximized].
    #[arg(long, value_name = "METRIC")]
    pub y: Option<String>,
    /// Sweeps only: the axis that colours Pareto points [default: the first swept axis].
    #[arg(long, value_name = "AXIS")]
    pub color: Option<String>,
    /// Print nothing but errors.
    #[arg(long)]
    pub quiet: bool,
}

/// Runs `lutforge report`.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let input = load(&args.from)?;
    let options = Options {
        x: args.x,
        y: args.y,
        color: args.color,
    };
    let written = write_report(&input, &args.out, &options)?;
    if !args.quiet {
        println!(
            "wrote {} plot files and {}",
            written.plots.len(),
            written.index.display()
        );
    }
    Ok(ExitCode::SUCCESS)
}
