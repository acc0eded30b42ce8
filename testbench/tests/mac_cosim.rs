//! Co-simulation of the MAC tile in `cargo test`: a fixed-seed set of cases (including one
//! reduction as long as llama's `ffn_down`) on the shipped configuration and four variants that
//! cover one to nine pipeline stages, a tree of depth 0 to 4, narrow and wide operands and a
//! wrapping accumulator; the same under random stalls; planted bugs that must be caught (a
//! dequantizer that does not sign-extend, an idle cycle between back-to-back tiles);
//! `verilator -Wall` on every variant's RTL and Yosys `synth` on a small one.
//!
//! Without Verilator (or Yosys) these tests print `SKIPPED: ... not found` and pass, unless
//! `LUTFORGE_REQUIRE_TOOLS=1` (CI) makes a missing tool a failure.

use std::path::PathBuf;

use lutforge_rtl::{generate, Options, PlantedBug};
use lutforge_sim::arch::Override;
use lutforge_sim::mac_tensor_core::MacArray;
use lutforge_sim::Arch;
use lutforge_testbench::synth::{find_yosys, synth_generic};

mod common;
use common::{assert_wall_clean, tool_or_skip};
use lutforge_testbench::{cosimulate, find_verilator, CosimSettings};

/// Cases per configuration in CI (case 5 is a K = 11008 reduction).
const CASES: usize = 8;
/// The fixed CI seed.
const SEED: u64 = 2026;

/// Variants of `configs/arch/mac-tc.toml`, as `--set` overrides.
const VARIANTS: [&[&str]; 5] = [
    &[],
    &[
        "mac.tile_m=3",
        "mac.tile_n=5",
        "mac.tile_k=5",
        "mac.pipeline_cycles=1",
    ],
    &[
        "mac.tile_m=1",
        "mac.tile_n=3",
        "mac.tile_k=1",
        "mac.mult_bits=6",
        "mac.acc_bits=20",
        "mac.pipeline_cycles=2",
    ],
    &[
        "mac.tile_m=2",
        "mac.tile_n=4",
        "mac.tile_k=7",
        "mac.mult_bits=16",
        "mac.acc_bits=8",
        "mac.pipeline_cycles=9",
    ],
    &[
        "mac.tile_m=4",
        "mac.tile_n=2",
        "mac.tile_k=16",
        "mac.mult_bits=4",
        "mac.acc_bits=64",
        "mac.pipeline_cycles=3",
    ],
];

fn arch(overrides: &[&str]) -> Arch {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../configs/arch/mac-tc.toml");
    let overrides: Vec<Override> = overrides.iter().map(|o| o.parse().unwrap()).collect();
    let arch = Arch::from_file_with(&path, &overrides).unwrap();
    assert!(arch.machine_as::<MacArray>().is_some(), "{overrides:?}");
    arch
}

fn settings(options: Options, cases: usize, stalls: bool) -> CosimSettings {
    CosimSettings {
        cases,
        seed: SEED,
        vcd_case: None,
        vcd_path: std::env::temp_dir().join("lutforge-mac-test.vcd"),
        options,
        stalls,
    }
}

#[test]
fn every_mac_variant_cosimulates_equal_back_to_back() {
    if !tool_or_skip(find_verilator().is_ok(), "verilator") {
        return;
    }
    for overrides in VARIANTS {
        let arch = arch(overrides);
        let outcome = cosimulate(&arch, &settings(Options::default(), CASES, false)).unwrap();
        assert_eq!(outcome.mismatch, None, "{overrides:?}");
        assert_eq!(outcome.rows.len(), CASES);
        assert!(outcome
            .rows
            .iter()
            .all(|r| r.equal && r.rtl_cycles == r.fast_cycles));
        // n tiles back to back take the sum of their cycles, counted from the first cmd.
        let fast: u64 = outcome.rows.iter().map(|r| r.fast_cycles).sum();
        assert_eq!(outcome.rtl_total_cycles, fast, "{overrides:?}");
        // The long reduction ran: K = 11008 on case 5.
        let tile_k = u64::from(arch.machine_as::<MacArray>().unwrap().tile_k);
        assert!(
            outcome.rows[5]
                .shape
                .ends_with(&format!("x{}", 11008u64.div_ceil(tile_k) * tile_k)),
            "{}",
            outcome.rows[5].shape
        );
    }
}

#[test]
fn stalled_streams_keep_mac_values_equal() {
    if !tool_or_skip(find_verilator().is_ok(), "verilator") {
        return;
    }
    for overrides in [VARIANTS[0], VARIANTS[1], VARIANTS[3]] {
        let arch = arch(overrides);
        let outcome = cosimulate(&arch, &settings(Options::default(), CASES, true)).unwrap();
        assert_eq!(outcome.mismatch, None, "{overrides:?}");
        assert_eq!(outcome.rows.len(), CASES);
        assert!(outcome.rows.iter().all(|r| r.equal
            && r.rtl_cycles >= r.stepped_cycles
            && r.stepped_cycles == r.fast_cycles));
        assert!(
            outcome.rows.iter().any(|r| r.rtl_cycles > r.stepped_cycles),
            "{overrides:?}: no case was slowed by the stalls"
        );
    }
}

#[test]
fn planted_dequantize_bug_is_caught() {
    if !tool_or_skip(find_verilator().is_ok(), "verilator") {
        return;
    }
    let options = Options {
        planted_bug: Some(PlantedBug::DequantNoSignExtend),
        ..Options::default()
    };
    let outcome = cosimulate(&arch(VARIANTS[1]), &settings(options, CASES, false)).unwrap();
    let m = outcome
        .mismatch
        .expect("a dequantizer that does not sign-extend must fail co-simulation");
    assert_eq!(m.case, 0);
    let text = m.to_string();
    assert!(
        text.starts_with("case 0, cycle ") && text.contains(", signal res_data[row 0][col "),
        "{text}"
    );
}

#[test]
fn planted_idle_gap_between_tiles_is_caught() {
    if !tool_or_skip(find_verilator().is_ok(), "verilator") {
        return;
    }
    let options = Options {
        planted_bug: Some(PlantedBug::IdleAfterTile),
        ..Options::default()
    };
    // One tile alone cannot show the gap...
    let one = cosimulate(&arch(VARIANTS[0]), &settings(options, 1, false)).unwrap();
    assert_eq!(one.mismatch, None);
    // ...the second of two back-to-back tiles must.
    let two = cosimulate(&arch(VARIANTS[0]), &settings(options, 2, false)).unwrap();
    let m = two
        .mismatch
        .expect("an idle cycle between tiles must fail co-simulation");
    assert_eq!(m.case, 1, "{m}");
    assert!(m.signal.ends_with("_ready"), "{m}");
}

#[test]
fn every_mac_variant_is_verilator_wall_clean() {
    if !tool_or_skip(find_verilator().is_ok(), "verilator") {
        return;
    }
    for (i, overrides) in VARIANTS.iter().enumerate() {
        let dir = format!("lutforge-mac-lint-{i}-{}", std::process::id());
        assert_wall_clean(&arch(overrides), &dir, &format!("{overrides:?}"));
    }
}

#[test]
fn a_small_mac_variant_synthesizes_in_yosys() {
    if !tool_or_skip(find_yosys().is_ok(), "yosys") {
        return;
    }
    let arch = arch(VARIANTS[3]);
    let dir = std::env::temp_dir().join(format!("lutforge-mac-synth-{}", std::process::id()));
    let bundle = generate(&arch, Options::default()).unwrap();
    bundle.write_to(&dir).unwrap();
    let files: Vec<PathBuf> = bundle.verilog().map(|f| dir.join(&f.name)).collect();
    synth_generic(&files, &bundle.top).unwrap();
    let _ = std::fs::remove_dir_all(&dir);
}
