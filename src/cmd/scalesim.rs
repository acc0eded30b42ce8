//! `lutforge scalesim`: not built yet; the owning issue fills this module in.

use std::process::ExitCode;

/// Arguments of `lutforge scalesim`.
#[derive(Debug, clap::Args)]
pub struct Args {}

/// Runs `lutforge scalesim`.
pub fn run(_args: Args) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`lutforge scalesim` is not implemented yet")
}
