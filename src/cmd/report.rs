//! `lutforge report`: not built yet; the owning issue fills this module in.

use std::process::ExitCode;

/// Arguments of `lutforge report`.
#[derive(Debug, clap::Args)]
pub struct Args {}

/// Runs `lutforge report`.
pub fn run(_args: Args) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`lutforge report` is not implemented yet")
}
