//! `lutforge workload`: not built yet; the owning issue fills this module in.

use std::process::ExitCode;

/// Arguments of `lutforge workload`.
#[derive(Debug, clap::Args)]
pub struct Args {}

/// Runs `lutforge workload`.
pub fn run(_args: Args) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`lutforge workload` is not implemented yet")
}
