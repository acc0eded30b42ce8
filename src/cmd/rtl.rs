//! `lutforge rtl`: not built yet; the owning issue fills this module in.

use std::process::ExitCode;

/// Arguments of `lutforge rtl`.
#[derive(Debug, clap::Args)]
pub struct Args {}

/// Runs `lutforge rtl`.
pub fn run(_args: Args) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`lutforge rtl` is not implemented yet")
}
