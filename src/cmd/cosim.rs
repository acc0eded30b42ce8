//! `lutforge cosim`: co-simulates the generated RTL of an architecture with Verilator against the
//! cycle-stepped model (every output value, every stream transfer, the cycle count) and the fast
//! model (cycle count), on seeded random tiles and tiles cut from the tiny model's layers.
//!
//! Prints what the RTL leaves out of the architecture (`note:` lines, e.g. an FPGA engine that
//! has no RTL yet), a table (case, origin, shape, bits, cycles RTL / stepped / fast, result) and
//! a summary line `N cases: P passed, F failed`. Exit 1 on the first mismatch, with
//! `case K, cycle N, signal S: expected X, got Y` and the command that reproduces it.
//!
//! `--stalls` runs the same cases with back-pressure: the harness deasserts the input valids and
//! `res_ready` on random cycles (seeded from `--seed` and the case index). Every output value must
//! still equal the stepped model's, and the RTL cycle count (the table's first column, with
//! stalls) must be at least the stall-free model's (the second); see
//! `lutforge_testbench::compare_stalled`.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use lutforge_sim::Arch;
use lutforge_testbench::{cosimulate_block, render_table, CosimSettings, STALL_PERCENT};

use super::EXIT_VERIFY;

/// Arguments of `lutforge cosim`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Architecture file (a kind with a co-simulation block: `lutforge_testbench::BLOCKS`).
    #[arg(long)]
    pub arch: PathBuf,
    /// Number of cases (1 to 1000000: each is built, run and compared on three models).
    #[arg(long, default_value_t = 40, value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    pub cases: u32,
    /// Seed of the case generator.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Dump a VCD of this case to `<out>/case<K>.vcd` (0 to cases - 1).
    #[arg(long, value_name = "CASE", value_parser = clap::value_parser!(u32).range(0..1_000_000))]
    pub vcd: Option<u32>,
    /// Directory for the VCD and a copy of the RTL (default `build/cosim` for the VCD; the RTL
    /// is written only when given).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Inject back-pressure: deassert cmd and every input valid, and res_ready, on random cycles
    /// (25% each); values must stay equal, cycles only >= the stall-free model's.
    #[arg(long)]
    pub stalls: bool,
}

/// Runs `lutforge cosim`.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let arch = Arch::from_file(&args.arch)?;
    let block = lutforge_testbench::block_of(&arch)?;
    let out_dir = args
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from("build/cosim"));
    if let Some(out) = &args.out {
        let bundle = lutforge_rtl::generate(&arch, lutforge_rtl::Options::default())?;
        bundle.write_to(out)?;
    }
    if let Some(k) = args.vcd {
        anyhow::ensure!(
            k < args.cases,
            "--vcd {k}: there are only {} cases (0..{})",
            args.cases,
            args.cases
        );
        std::fs::create_dir_all(&out_dir)
            .with_context(|| format!("{}: cannot create", out_dir.display()))?;
    }
    let vcd_path = out_dir.join(format!("case{}.vcd", args.vcd.unwrap_or(0)));
    let settings = CosimSettings {
        cases: args.cases as usize,
        seed: args.seed,
        vcd_case: args.vcd.map(|k| k as usize),
        vcd_path: vcd_path.clone(),
        options: Default::default(),
        stalls: args.stalls,
    };
    let outcome = cosimulate_block(block.as_ref(), &settings)?;
    let h = &outcome.harness;
    println!(
        "cosim {} ({}): {} cases, seed {}; verilator model {}",
        arch.name,
        args.arch.display(),
        args.cases,
        args.seed,
        if h.cached {
            "from cache".to_string()
        } else {
            format!("built in {:.1} s", h.build_seconds)
        }
    );
    for note in block.notes() {
        println!("note: {note}");
    }
    if args.stalls {
        println!(
            "stalls: cmd and every input valid, and res_ready, each deasserted on {STALL_PERCENT}% of cycles; \
             rtl cycles include the stalls and must be >= the stall-free stepped cycles"
        );
    }
    print!("{}", render_table(&outcome.rows));
    if let Some(m) = &outcome.mismatch {
        let passed = outcome.rows.iter().filter(|r| r.equal).count();
        println!(
            "{} cases run: {passed} passed, 1 failed (stopped at the first mismatch)",
            outcome.rows.len()
        );
        let repro = format!(
            "reproduce: lutforge cosim --arch {} --cases {} --seed {}{} --vcd {}",
            args.arch.display(),
            args.cases,
            args.seed,
            if args.stalls { " --stalls" } else { "" },
            m.case
        );
        println!("MISMATCH {m}\n{repro}");
        eprintln!("error: {m}\n{repro}");
        return Ok(ExitCode::from(EXIT_VERIFY));
    }
    if args.stalls {
        let (rtl, model) = outcome.rows.iter().fold((0, 0), |(r, s), row| {
            (r + row.rtl_cycles, s + row.stepped_cycles)
        });
        println!(
            "{n} cases: {n} passed, 0 failed; with stalls values equal (RTL = stepped model) and RTL cycles >= model cycles ({rtl} >= {model} in total; stepped = fast); rtl {:.2} s, stepped {:.3} s",
            outcome.rtl_seconds,
            outcome.stepped_seconds,
            n = outcome.rows.len()
        );
    } else {
        println!(
            "{n} cases: {n} passed, 0 failed; values and cycle counts equal (RTL = stepped model = fast model); rtl {:.2} s, stepped {:.3} s",
            outcome.rtl_seconds,
            outcome.stepped_seconds,
            n = outcome.rows.len()
        );
    }
    if args.vcd.is_some() {
        println!("vcd: {}", vcd_path.display());
    }
    Ok(ExitCode::SUCCESS)
}
