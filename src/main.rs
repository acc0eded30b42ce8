//! `lutforge`: the command-line front end over the library crates.
//!
//! Exit codes: 0 success, 1 a verification failed (co-simulation mismatch, comparison
//! difference), 2 a usage, configuration or input error. A closed stdout pipe is not an error.

mod cmd;

use std::process::ExitCode;

use clap::Parser;

/// Command-line root: one subcommand per job.
#[derive(Debug, Parser)]
#[command(
    name = "lutforge",
    version,
    about = "Cycle-level simulator and Verilog generator for LUT-based low-bit LLM accelerators"
)]
struct Cli {
    #[command(subcommand)]
    command: cmd::Command,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cmd::run(cli.command) {
        Ok(code) => code,
        Err(err) => {
            if is_broken_pipe(&err) {
                return ExitCode::SUCCESS;
            }
            eprintln!("error: {err:#}");
            ExitCode::from(cmd::EXIT_INPUT)
        }
    }
}

/// True when the error chain bottoms out in a closed stdout (e.g. `lutforge models | head`).
fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
