//! `lutforge sweep`: not built yet; the owning issue fills this module in.

use std::process::ExitCode;

/// Arguments of `lutforge sweep`.
#[derive(Debug, clap::Args)]
pub struct Args {}

/// Runs `lutforge sweep`.
pub fn run(_args: Args) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`lutforge sweep` is not implemented yet")
}
