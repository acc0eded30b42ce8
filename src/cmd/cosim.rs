//! `lutforge cosim`: not built yet; the owning issue fills this module in.

use std::process::ExitCode;

/// Arguments of `lutforge cosim`.
#[derive(Debug, clap::Args)]
pub struct Args {}

/// Runs `lutforge cosim`.
pub fn run(_args: Args) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`lutforge cosim` is not implemented yet")
}
