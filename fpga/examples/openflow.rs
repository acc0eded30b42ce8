//! Builds a bitstream of a generated tile inside the board wrapper with the open flow and prints
//! the report: `cargo run -p lutforge-fpga --example openflow -- DEVICE ARCH OUT_DIR [MHZ]
//! [FIELD=VALUE ...]`, e.g. `-- ice40-up5k configs/arch/lut-tc-m1n32-g3-plain.toml
//! /tmp/of-ice40 12 lut.tile_n=4 lut.tile_k=24` (the design of `tests/openflow.rs`). The clock
//! target defaults to the board's oscillator; every file stays in `OUT_DIR`.

use std::path::PathBuf;
use std::process::ExitCode;

use lutforge_fpga::openflow;
use lutforge_rtl::board::{board_top, Accelerator, BOARD_TOP};
use lutforge_sim::arch::Override;
use lutforge_sim::Arch;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.len() < 3 {
        eprintln!("usage: openflow DEVICE ARCH OUT_DIR [MHZ] [FIELD=VALUE ...]");
        return ExitCode::from(2);
    }
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: &[String]) -> Result<(), Box<dyn std::error::Error>> {
    let device = lutforge_fpga::device(&args[0])?;
    let out = PathBuf::from(&args[2]);
    let board = openflow::target(device)?.board();
    let (mhz, edits) = match args.get(3).map(|a| a.parse::<f64>()) {
        Some(Ok(mhz)) => (mhz, &args[4..]),
        _ => (board.clock_mhz, &args[3..]),
    };
    let overrides = edits
        .iter()
        .map(|e| e.parse::<Override>())
        .collect::<Result<Vec<_>, _>>()?;
    let arch = Arch::from_file_with(&PathBuf::from(&args[1]), &overrides)?;
    let bundle = lutforge_rtl::generate(&arch, lutforge_rtl::Options::default())?;
    let rtl = out.join("rtl");
    bundle.write_to(&rtl)?;
    let wrapper = board_top(&Accelerator::of_bundle(&bundle), board)?;
    std::fs::write(rtl.join(&wrapper.name), &wrapper.text)?;
    let mut files: Vec<PathBuf> = bundle.verilog().map(|f| rtl.join(&f.name)).collect();
    files.push(rtl.join(&wrapper.name));
    let report = openflow::build(
        device,
        &files,
        BOARD_TOP,
        mhz,
        &out.join("build"),
        &mut openflow::print_progress,
    )?;
    println!("{}", report.summary());
    Ok(())
}
