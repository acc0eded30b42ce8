//! `lutforge models`: not built yet; the owning issue fills this module in.

use std::process::ExitCode;

/// Arguments of `lutforge models`.
#[derive(Debug, clap::Args)]
pub struct Args {}

/// Runs `lutforge models`.
pub fn run(_args: Args) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`lutforge models` is not implemented yet")
}
