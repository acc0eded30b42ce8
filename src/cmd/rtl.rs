//! `lutforge rtl`: writes the synthesizable Verilog of an architecture (one `<prefix>_top.v`
//! holding the top module and every submodule, `files.f` and a FuseSoC `.core`; `note:` lines say
//! what the design leaves out, e.g. an FPGA engine without RTL), and with
//! `--synth` the Yosys `synth_xilinx` resource counts as `synth_xilinx.json` beside it.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use lutforge_sim::Arch;

/// Arguments of `lutforge rtl`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Architecture file (a kind with an RTL generator: `lutforge_rtl::GENERATORS`).
    #[arg(long)]
    pub arch: PathBuf,
    /// Output directory (created if missing).
    #[arg(long, default_value = "build/rtl")]
    pub out: PathBuf,
    /// Also run Yosys `synth_xilinx` and write LUT/FF/DSP/BRAM counts to `synth_xilinx.json`.
    #[arg(long)]
    pub synth: bool,
}

/// Runs `lutforge rtl`.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let arch = Arch::from_file(&args.arch)?;
    let bundle = lutforge_rtl::generate(&arch, lutforge_rtl::Options::default())?;
    bundle.write_to(&args.out)?;
    println!(
        "wrote {} files to {} (top {}, config hash {})",
        bundle.files.len(),
        args.out.display(),
        bundle.top,
        bundle.config_hash
    );
    for note in &bundle.notes {
        println!("note: {note}");
    }
    if args.synth {
        let files: Vec<PathBuf> = bundle.verilog().map(|f| args.out.join(&f.name)).collect();
        let report = lutforge_testbench::synth::synth_xilinx(&files, &bundle.top, &args.out)
            .context("synth_xilinx of the generated RTL")?;
        let r = report.resources;
        println!(
            "synth_xilinx: {} LUT ({} LUTRAM cells), {} FF, {} DSP, {} RAMB36 + {} RAMB18 -> {}",
            report.clb_luts,
            r.lutram,
            r.ff,
            r.dsp,
            r.bram36,
            r.bram18,
            args.out.join("synth_xilinx.json").display()
        );
    }
    Ok(ExitCode::SUCCESS)
}
