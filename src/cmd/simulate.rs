//! `lutforge simulate`: not built yet; the owning issue fills this module in.

use std::process::ExitCode;

/// Arguments of `lutforge simulate`.
#[derive(Debug, clap::Args)]
pub struct Args {}

/// Runs `lutforge simulate`.
pub fn run(_args: Args) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`lutforge simulate` is not implemented yet")
}
