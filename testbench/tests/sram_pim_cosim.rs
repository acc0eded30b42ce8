//! Co-simulation of the SRAM-PIM LUT-GEMV bank in `cargo test`, from banks built here (the
//! family has no architecture file yet): a small bank with a column mux and multi-window
//! builds; groups of one activation, one table slot, a wrapping 12-bit accumulator and no
//! pattern-aware skip; groups of eight with 48-bit accumulators; a SAIL-like bank of 32 table
//! slots (batch 32). Each is bit and cycle exact against the stepped model (and the fast
//! model's cycles) on seeded cases, and keeps its values under random stalls; a planted bug
//! (the top weight plane added instead of subtracted) must be caught, and one visible only
//! under back-pressure (a check that ignores `act_valid`) only with stalls; `verilator --lint-only
//! -Wall` must be silent on every bank.
//!
//! Without Verilator these tests print `SKIPPED: verilator not found` and pass, unless
//! `LUTFORGE_REQUIRE_TOOLS=1` (CI) makes a missing tool a failure.

use std::path::PathBuf;
use std::process::Command;

use lutforge_rtl::{sram_pim, Options, PlantedBug};
use lutforge_sim::sram_pim::bank::BankSpec;
use lutforge_testbench::sram_pim::PimBlock;
use lutforge_testbench::{cosimulate_block, find_verilator, CosimOutcome, CosimSettings};

#[allow(dead_code)]
mod common;
use common::tool_or_skip;

/// Cases per bank.
const CASES: usize = 12;
/// The fixed CI seed.
const SEED: u64 = 2027;

fn banks() -> Vec<(&'static str, BankSpec)> {
    let small = BankSpec::SMALL;
    vec![
        ("pim-small", small),
        (
            "pim-g1",
            BankSpec {
                rows: 32,
                columns: 8,
                column_mux: 1,
                group: 1,
                row_cycles: 1,
                lookup_cycles: 2,
                build_adds_per_cycle: 1,
                acc_bits: 12,
                max_batch: 1,
                max_tiles: 1,
                converters: 8,
                pattern_aware: false,
            },
        ),
        (
            "pim-g8",
            BankSpec {
                rows: 64,
                columns: 64,
                column_mux: 4,
                group: 8,
                row_cycles: 3,
                lookup_cycles: 1,
                build_adds_per_cycle: 64,
                acc_bits: 48,
                max_batch: 8,
                max_tiles: 4,
                converters: 1,
                pattern_aware: true,
            },
        ),
        (
            "pim-sail-mini",
            BankSpec {
                rows: 128,
                columns: 128,
                column_mux: 4,
                group: 4,
                row_cycles: 2,
                lookup_cycles: 1,
                build_adds_per_cycle: 1,
                acc_bits: 32,
                max_batch: 32,
                max_tiles: 2,
                converters: 8,
                pattern_aware: true,
            },
        ),
    ]
}

fn block(name: &str, spec: BankSpec) -> PimBlock {
    spec.validate().unwrap();
    PimBlock {
        name: name.to_string(),
        spec,
    }
}

fn settings(options: Options, stalls: bool) -> CosimSettings {
    CosimSettings {
        cases: CASES,
        seed: SEED,
        vcd_case: None,
        vcd_path: std::env::temp_dir().join("lutforge-pim-test.vcd"),
        options,
        stalls,
    }
}

fn assert_equal(outcome: &CosimOutcome, what: &str) {
    assert_eq!(outcome.mismatch, None, "{what}");
    assert_eq!(outcome.rows.len(), CASES, "{what}");
    assert!(
        outcome.rows.iter().all(|r| r.equal
            && r.rtl_cycles == r.stepped_cycles
            && r.stepped_cycles == r.fast_cycles),
        "{what}"
    );
    let fast: u64 = outcome.rows.iter().map(|r| r.fast_cycles).sum();
    assert_eq!(outcome.rtl_total_cycles, fast, "{what}: back to back");
}

#[test]
fn every_bank_cosimulates_bit_and_cycle_exact() {
    if !tool_or_skip(find_verilator().is_ok(), "verilator") {
        return;
    }
    for (name, spec) in banks() {
        let outcome =
            cosimulate_block(&block(name, spec), &settings(Options::default(), false)).unwrap();
        assert_equal(&outcome, name);
        println!(
            "{name}: {CASES} cases equal, {} cycles",
            outcome.rtl_total_cycles
        );
    }
}

#[test]
fn stalled_streams_keep_the_values_equal() {
    if !tool_or_skip(find_verilator().is_ok(), "verilator") {
        return;
    }
    for (name, spec) in banks().into_iter().take(2) {
        let outcome =
            cosimulate_block(&block(name, spec), &settings(Options::default(), true)).unwrap();
        assert_eq!(outcome.mismatch, None, "{name}");
        assert_eq!(outcome.rows.len(), CASES, "{name}");
        assert!(
            outcome.rows.iter().all(|r| r.equal
                && r.rtl_cycles >= r.stepped_cycles
                && r.stepped_cycles == r.fast_cycles),
            "{name}"
        );
        assert!(
            outcome.rows.iter().any(|r| r.rtl_cycles > r.stepped_cycles),
            "{name}: no case was slowed by the stalls"
        );
    }
}

#[test]
fn planted_top_plane_bug_is_caught() {
    if !tool_or_skip(find_verilator().is_ok(), "verilator") {
        return;
    }
    let options = Options {
        planted_bug: Some(PlantedBug::PimTopPlaneAdds),
        ..Options::default()
    };
    let (name, spec) = banks()[0];
    let outcome = cosimulate_block(&block(name, spec), &settings(options, false)).unwrap();
    let m = outcome
        .mismatch
        .expect("a top plane added instead of subtracted must fail co-simulation");
    let text = m.to_string();
    assert!(
        text.starts_with(&format!("case {}, cycle ", m.case)) && text.contains("signal res_data"),
        "{text}"
    );
}

#[test]
fn planted_act_valid_bug_is_caught_only_under_stalls() {
    if !tool_or_skip(find_verilator().is_ok(), "verilator") {
        return;
    }
    let options = Options {
        planted_bug: Some(PlantedBug::PimActIgnoresValid),
        ..Options::default()
    };
    let (name, spec) = banks()[0];
    let calm = cosimulate_block(&block(name, spec), &settings(options, false)).unwrap();
    assert_eq!(calm.mismatch, None, "invisible while act is always valid");
    let stalled = cosimulate_block(&block(name, spec), &settings(options, true)).unwrap();
    assert!(
        stalled.mismatch.is_some(),
        "a check that ignores act_valid must fail co-simulation under stalls"
    );
}

#[test]
fn every_bank_is_verilator_wall_clean() {
    if !tool_or_skip(find_verilator().is_ok(), "verilator") {
        return;
    }
    for (name, spec) in banks() {
        let dir =
            std::env::temp_dir().join(format!("lutforge-pim-lint-{name}-{}", std::process::id()));
        let bundle = sram_pim::generate(name, &spec, Options::default());
        bundle.write_to(&dir).unwrap();
        let files: Vec<PathBuf> = bundle.verilog().map(|f| dir.join(&f.name)).collect();
        let out = Command::new("verilator")
            .arg("--lint-only")
            .arg("-Wall")
            .args(&files)
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stderr).to_string()
            + &String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success() && text.trim().is_empty(),
            "{name}: {text}"
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
}

/// An 8-bit adder, the calibration point of transistors to um^2 (as `area_vs_yosys.rs`).
const ADD8: &str = "module lutforge_add8(input [7:0] a, input [7:0] b, output [7:0] s);\n  assign s = a + b;\nendmodule\n";

/// The periphery's area model (`lutforge_sim::sram_pim::bank::area`) within 20% of Yosys's
/// generic synthesis of the generated bank, the macro a black box (transistors at the area per
/// transistor of an 8-bit adder, flip-flops at the Nangate DFF_X1 area, as
/// `area_vs_yosys.rs`). Two banks of the co-simulation set and one of six-activation groups
/// keep the run short (`pim-g8` takes Yosys about two minutes); the test prints each ratio.
#[test]
fn the_periphery_area_model_is_within_20_percent_of_yosys() {
    use lutforge_sim::energy::constants::{ADD_UM2_PER_BIT_45NM, DFF_UM2_45NM};
    use lutforge_sim::sram_pim::bank::area::area;
    use lutforge_testbench::synth::{cmos_stats, find_yosys};
    if !tool_or_skip(find_yosys().is_ok(), "yosys") {
        return;
    }
    let dir = std::env::temp_dir().join(format!("lutforge-pim-area-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let add8 = dir.join("add8.v");
    std::fs::write(&add8, ADD8).unwrap();
    let adder = cmos_stats(&[add8], "lutforge_add8", &[]).unwrap();
    let um2_per_transistor = ADD_UM2_PER_BIT_45NM * 8.0 / adder.logic_transistors as f64;
    let mut rows = Vec::new();
    let g6 = BankSpec {
        rows: 32,
        columns: 24,
        column_mux: 2,
        group: 6,
        row_cycles: 1,
        lookup_cycles: 1,
        build_adds_per_cycle: 8,
        acc_bits: 24,
        max_batch: 2,
        max_tiles: 2,
        converters: 2,
        pattern_aware: true,
    };
    let designs = banks().into_iter().take(2).chain([("pim-g6", g6)]);
    for (name, spec) in designs {
        let bundle = sram_pim::generate(name, &spec, Options::default());
        let out = dir.join(name);
        bundle.write_to(&out).unwrap();
        let files: Vec<PathBuf> = bundle.verilog().map(|f| out.join(&f.name)).collect();
        // The macro is SRAM, not logic: a black box.
        let macro_module = format!("{}_sram", bundle.top.trim_end_matches("_top"));
        let stats = cmos_stats(&files, &bundle.top, &[macro_module]).unwrap();
        let yosys = stats.logic_transistors as f64 * um2_per_transistor
            + stats.flip_flops as f64 * DFF_UM2_45NM;
        let model = area(&spec).periphery_um2();
        println!(
            "{name}: model {model:.0} um^2, Yosys {yosys:.0} um^2 ({} transistors, {} flip-flops), ratio {:.2}",
            stats.logic_transistors,
            stats.flip_flops,
            model / yosys
        );
        rows.push((name, model / yosys));
    }
    let _ = std::fs::remove_dir_all(&dir);
    for (name, ratio) in rows {
        assert!(
            (0.8..=1.2).contains(&ratio),
            "{name}: model / Yosys {ratio:.2}"
        );
    }
}
