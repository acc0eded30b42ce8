//! The open flow end to end, with the real tools: a generated LUT tensor-core tile (the
//! `lut-tc-m1n32-g3-plain` configuration cut to a 1 x 4 tile reducing 24 activations, built by
//! `lutforge_rtl::generate`) inside the board wrapper becomes an iCE40 UP5K `.bin` for the
//! iCEBreaker and an ECP5-85F `.bit` for the ULX3S, with nextpnr's Fmax parsed; a design with
//! more multipliers than the UP5K has DSP blocks (`tests/designs/too_big_for_up5k.v`) is
//! reported as not fitting; the wrapper around the tile passes `verilator --lint-only -Wall`.
//!
//! Each test says `SKIPPED` when a tool of its flow is missing, and fails instead under
//! `LUTFORGE_REQUIRE_TOOLS=1` (`.ci/run`).

use std::path::{Path, PathBuf};

use lutforge_fpga::openflow::{self, OpenFlowError, OpenFlowReport, StepKind};
use lutforge_fpga::{device, tools::tools_required, Device};
use lutforge_rtl::board::{board_top, Accelerator, BOARD_TOP};
use lutforge_rtl::{generate, Options};
use lutforge_sim::arch::Override;
use lutforge_sim::Arch;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Whether `device`'s tools are installed; if not, says `SKIPPED` (a failure under
/// `LUTFORGE_REQUIRE_TOOLS=1`).
fn tools_or_skip(device: &Device, test: &str) -> bool {
    match openflow::check_tools(device) {
        Ok(_) => true,
        Err(e) => {
            assert!(!tools_required(), "{e} (LUTFORGE_REQUIRE_TOOLS=1)");
            eprintln!("SKIPPED: {test}: {e}");
            false
        }
    }
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("lutforge-openflow-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The small LUT tile's RTL and its board wrapper for `device`'s board, written into `dir`:
/// (every Verilog file, the tile's top module).
fn wrapped_tile(device: &Device, dir: &Path) -> (Vec<PathBuf>, String) {
    let overrides: Vec<Override> = ["lut.tile_n=4", "lut.tile_k=24"]
        .iter()
        .map(|e| e.parse().unwrap())
        .collect();
    let arch = Arch::from_file_with(
        &repo().join("configs/arch/lut-tc-m1n32-g3-plain.toml"),
        &overrides,
    )
    .unwrap();
    let bundle = generate(&arch, Options::default()).unwrap();
    bundle.write_to(dir).unwrap();
    let board = openflow::target(device).unwrap().board();
    let wrapper = board_top(&Accelerator::of_bundle(&bundle), board).unwrap();
    std::fs::write(dir.join(&wrapper.name), &wrapper.text).unwrap();
    let mut files: Vec<PathBuf> = bundle.verilog().map(|f| dir.join(&f.name)).collect();
    files.push(dir.join(&wrapper.name));
    (files, bundle.top)
}

/// What every built report must hold: a real bitstream, a parsed Fmax, a used device, the
/// three steps with their logs.
fn check_report(r: &OpenFlowReport, min_bytes: u64) {
    eprintln!("{}", r.summary());
    assert!(r.bitstream.is_file(), "{}", r.bitstream.display());
    assert_eq!(
        std::fs::metadata(&r.bitstream).unwrap().len(),
        r.bitstream_bytes
    );
    assert!(
        r.bitstream_bytes > min_bytes,
        "bitstream of {} bytes",
        r.bitstream_bytes
    );
    let fmax = r.fmax_mhz().expect("nextpnr reports the clock");
    assert!(fmax > 0.0 && fmax.is_finite(), "Fmax {fmax}");
    let u = &r.utilization;
    for (name, b) in [("logic", u.logic), ("FFs", u.ffs), ("IO", u.io)] {
        assert!(
            b.used > 0 && b.used <= b.available,
            "{name}: {}/{}",
            b.used,
            b.available
        );
    }
    // Clock, reset button and the eight output pins.
    assert!(u.io.used >= 10, "IO {}", u.io.used);
    let steps: Vec<StepKind> = r.steps.iter().map(|s| s.step).collect();
    assert_eq!(
        steps,
        [
            StepKind::Synthesis,
            StepKind::PlaceAndRoute,
            StepKind::Packing
        ]
    );
    for s in &r.steps {
        assert!(s.log.is_file(), "{}", s.log.display());
    }
}

#[test]
fn a_generated_lut_tile_becomes_an_ice40_up5k_bitstream() {
    let d = device("ice40-up5k").unwrap();
    if !tools_or_skip(d, "ice40 open flow") {
        return;
    }
    let dir = scratch("ice40");
    let (files, tile_top) = wrapped_tile(d, &dir);
    let board = openflow::target(d).unwrap().board();
    let r = openflow::build(
        d,
        &files,
        BOARD_TOP,
        board.clock_mhz,
        &dir.join("build"),
        &mut openflow::print_progress,
    )
    .unwrap();
    // An iCE40 UP5K image is a fixed 104,090 bytes (icepack, uncompressed).
    check_report(&r, 10_000);
    assert_eq!(r.board, "icebreaker");
    assert!(r.synth.luts > 0 && r.synth.bram > 0, "{:?}", r.synth);
    // Nothing of the tile was optimised away: the wrapped design has at least the LUTs and
    // flip-flops of the tile synthesized on its own, whose outputs are all pins.
    let alone = openflow::synthesize(
        d,
        &files[..files.len() - 1],
        &tile_top,
        &dir.join("alone"),
        &mut |_| {},
    )
    .unwrap();
    assert!(
        r.synth.luts >= alone.stats.luts && r.synth.ffs >= alone.stats.ffs,
        "wrapped {:?} vs alone {:?}",
        r.synth,
        alone.stats
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_same_tile_becomes_an_ecp5_85f_bitstream() {
    let d = device("ecp5-85f").unwrap();
    if !tools_or_skip(d, "ecp5 open flow") {
        return;
    }
    let dir = scratch("ecp5");
    let (files, _) = wrapped_tile(d, &dir);
    let board = openflow::target(d).unwrap().board();
    let r = openflow::build(
        d,
        &files,
        BOARD_TOP,
        board.clock_mhz,
        &dir.join("build"),
        &mut openflow::print_progress,
    )
    .unwrap();
    check_report(&r, 10_000);
    assert_eq!(r.board, "ulx3s");
    assert!(r.synth.luts > 0, "{:?}", r.synth);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_design_with_more_multipliers_than_the_up5k_has_dsps_does_not_fit() {
    let d = device("ice40-up5k").unwrap();
    if !tools_or_skip(d, "ice40 does-not-fit") {
        return;
    }
    let dir = scratch("too-big");
    let source = repo().join("fpga/tests/designs/too_big_for_up5k.v");
    let err = openflow::build(d, &[source], "too_big", 12.0, &dir, &mut |_| {}).unwrap_err();
    match &err {
        OpenFlowError::DoesNotFit {
            device,
            detail,
            log,
        } => {
            assert_eq!(*device, "ice40");
            assert_eq!(detail, "ICESTORM_DSP 9 of 8 (112%)", "{err}");
            assert!(log.ends_with("place-and-route.log") && log.is_file());
        }
        other => panic!("expected DoesNotFit, got: {other}"),
    }
    assert!(err
        .to_string()
        .starts_with("the design does not fit ice40: ICESTORM_DSP 9 of 8"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_board_wrapper_of_the_tile_is_verilator_clean() {
    let Some(verilator) = lutforge_fpga::tools::find_program("verilator") else {
        assert!(
            !tools_required(),
            "verilator not found (LUTFORGE_REQUIRE_TOOLS=1)"
        );
        eprintln!("SKIPPED: verilator not found");
        return;
    };
    let dir = scratch("lint");
    for d in ["ice40-up5k", "ecp5-85f"] {
        let (files, _) = wrapped_tile(device(d).unwrap(), &dir);
        let out = std::process::Command::new(&verilator)
            .args(["--lint-only", "-Wall", "--top-module", BOARD_TOP])
            .args(&files)
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stderr).to_string()
            + &String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success() && text.trim().is_empty(),
            "{d}: {text}"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}
