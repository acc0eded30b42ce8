//! `lutforge fpga`: the FPGA back end's commands. `lutforge fpga devices [DEVICE]` lists the
//! device database (`lutforge_fpga::DEVICES`), or one device by short id or part number;
//! `lutforge fpga --arch A [--device D] --model M --out DIR` (also spelled `lutforge fpga
//! project ...`) writes the project that builds an FPGA dataflow design for a device
//! ([`project`]: Vivado TCL, XDC, RTL, memory images, the resource and fit report).
//!
//! Table columns: ID (the short id `--device`-style options take), PART, LUTS (with the LUT
//! input count, `117120 x LUT6`), FFS, DSP (count and primitive), BRAM and URAM (count x kbit
//! per block and the block kind; URAM is SPRAM on iCE40, `-` where absent), MEMORY (off-chip
//! type, capacity in GiB and peak bandwidth in GB/s, `-` for a bare chip), CLOCK (typical
//! fabric clock, MHz) and STATIC (static power in W where a data sheet or a cited estimator
//! report states it, `unsourced` otherwise). Every figure's source is cited in `fpga/src/devices.rs`.

use std::io::Write;
use std::process::ExitCode;

use clap::Subcommand;
use lutforge_fpga::{Device, RamBlocks, DEVICES};

pub mod project;

/// Arguments of `lutforge fpga`: a subcommand, or the project options directly
/// (`lutforge fpga --arch A --device D --model M --out DIR`, the same as `lutforge fpga
/// project ...`).
#[derive(Debug, clap::Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct Args {
    /// What to do.
    #[command(subcommand)]
    pub command: Option<FpgaCommand>,
    /// Without a subcommand: write the project of an FPGA design (see `lutforge fpga project`).
    #[command(flatten)]
    pub project: Option<project::ProjectArgs>,
}

/// The subcommands of `lutforge fpga`.
#[derive(Debug, Subcommand)]
pub enum FpgaCommand {
    /// List the FPGA device database: resources, off-chip memory, clock and static power.
    Devices(DevicesArgs),
    /// Write the project of an FPGA dataflow design for a device: Vivado TCL, XDC, RTL,
    /// memory images, resource and fit report (AMD); the open flow for Lattice devices.
    Project(project::ProjectArgs),
}

/// Arguments of `lutforge fpga devices`.
#[derive(Debug, clap::Args)]
pub struct DevicesArgs {
    /// Show only this device: a short id (`kv260`) or a part number, any case.
    pub device: Option<String>,
}

/// Runs `lutforge fpga`.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    match (args.command, args.project) {
        (Some(FpgaCommand::Devices(args)), _) => devices(args),
        (Some(FpgaCommand::Project(args)), _) | (None, Some(args)) => project::run(&args),
        (None, None) => anyhow::bail!(
            "lutforge fpga: give a subcommand (devices, project) or the project options: lutforge fpga --arch A --device D --model M --out DIR"
        ),
    }
}

/// Runs `lutforge fpga devices`.
fn devices(args: DevicesArgs) -> anyhow::Result<ExitCode> {
    let devices: Vec<&Device> = match &args.device {
        Some(name) => vec![lutforge_fpga::device(name)?],
        None => DEVICES.iter().collect(),
    };
    let text = table(&devices);
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(text.as_bytes())?;
    stdout.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// `144 x 36k BRAM36`, or `-` for none.
fn ram(blocks: Option<RamBlocks>) -> String {
    match blocks {
        Some(b) => format!("{} x {}k {}", b.count, b.kbit, b.kind),
        None => "-".to_string(),
    }
}

/// The cells of one device's row.
fn row(d: &Device) -> [String; 10] {
    let memory = match d.memory {
        Some(m) => format!(
            "{} {} GiB {} GB/s",
            m.kind,
            m.bytes as f64 / (1u64 << 30) as f64,
            m.peak_bytes_per_s as f64 / 1e9
        ),
        None => "-".to_string(),
    };
    [
        d.id.to_string(),
        d.part.to_string(),
        format!("{} x LUT{}", d.luts, d.lut_inputs),
        d.ffs.to_string(),
        format!("{} {}", d.dsp.count, d.dsp.kind),
        ram(Some(d.bram)),
        ram(d.uram),
        memory,
        format!("{} MHz", d.clock_mhz),
        d.static_w
            .map_or("unsourced".to_string(), |w| format!("{w} W")),
    ]
}

/// The aligned text table: text columns left-aligned, counts right-aligned.
fn table(devices: &[&Device]) -> String {
    let header = [
        "ID", "PART", "LUTS", "FFS", "DSP", "BRAM", "URAM", "MEMORY", "CLOCK", "STATIC",
    ];
    let rows: Vec<[String; 10]> = devices.iter().map(|d| row(d)).collect();
    super::text_table::render(header, &rows, |i| matches!(i, 2 | 3 | 8 | 9))
}
