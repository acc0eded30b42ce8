//! Co-simulation in `cargo test`: a fixed-seed set of cases on every LUT configuration, a planted
//! bug that must be caught, a fixed-seed set under random stalls (back-pressure on every stream)
//! on three configurations, and `verilator -Wall` on every configuration's RTL.
//!
//! Without Verilator these tests print `SKIPPED: verilator not found` and pass, unless
//! `LUTFORGE_REQUIRE_TOOLS=1` (CI) makes a missing tool a failure.

use std::path::PathBuf;

use lutforge_rtl::{Options, PlantedBug};
use lutforge_sim::lut_tensor_core::LutArray;
use lutforge_sim::Arch;
use lutforge_testbench::{cosimulate, find_verilator, CosimSettings};

mod common;
use common::{assert_wall_clean, tool_or_skip};

/// Cases per configuration in CI.
const CASES: usize = 8;
/// The fixed CI seed.
const SEED: u64 = 2024;

fn verilator_or_skip() -> bool {
    tool_or_skip(find_verilator().is_ok(), "verilator")
}

fn lut_configs() -> Vec<(PathBuf, Arch)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../configs/arch");
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    paths.sort();
    let configs: Vec<(PathBuf, Arch)> = paths
        .into_iter()
        .map(|p| (p.clone(), Arch::from_file(&p).unwrap()))
        .filter(|(_, arch)| arch.kind() == "lut_tensor_core")
        .collect();
    assert!(
        configs.len() >= 6,
        "expected the default LUT config and at least 5 variants"
    );
    configs
}

fn settings(options: Options) -> CosimSettings {
    CosimSettings {
        cases: CASES,
        seed: SEED,
        vcd_case: None,
        vcd_path: std::env::temp_dir().join("lutforge-test.vcd"),
        options,
        stalls: false,
    }
}

#[test]
fn every_lut_config_cosimulates_equal() {
    if !verilator_or_skip() {
        return;
    }
    for (path, arch) in lut_configs() {
        assert!(
            arch.machine_as::<LutArray>().is_some(),
            "{} is not a LUT config",
            path.display()
        );
        let outcome = cosimulate(&arch, &settings(Options::default())).unwrap();
        assert_eq!(outcome.mismatch, None, "{}", path.display());
        assert_eq!(outcome.rows.len(), CASES);
        assert!(outcome
            .rows
            .iter()
            .all(|r| r.equal && r.rtl_cycles == r.fast_cycles));
    }
}

/// Cases per configuration under stalls.
const STALLED_CASES: usize = 6;
/// Configurations run under stalls: fused symmetric with several rows, standalone precompute with
/// one row, fused plain tables with eight rows.
/// FP16 activations with symmetric tables and the signed-binary plane mode.
const STALLED_CONFIGS: [&str; 4] = [
    "lut-tc-m4n16-g2.toml",
    "lut-tc-m1n32-g3-plain.toml",
    "lut-tc-m8n8-g4-plain.toml",
    "lut-tc-fp16.toml",
];

#[test]
fn stalled_streams_keep_values_equal() {
    if !verilator_or_skip() {
        return;
    }
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../configs/arch");
    for file in STALLED_CONFIGS {
        let path = dir.join(file);
        let arch = Arch::from_file(&path).unwrap();
        assert!(
            arch.machine_as::<LutArray>().is_some(),
            "{} is not a LUT config",
            path.display()
        );
        let stalled = CosimSettings {
            cases: STALLED_CASES,
            stalls: true,
            ..settings(Options::default())
        };
        let outcome = cosimulate(&arch, &stalled).unwrap();
        assert_eq!(outcome.mismatch, None, "{}", path.display());
        assert_eq!(outcome.rows.len(), STALLED_CASES);
        assert!(outcome.rows.iter().all(|r| r.equal), "{}", path.display());
        assert!(
            outcome
                .rows
                .iter()
                .all(|r| r.rtl_cycles >= r.stepped_cycles && r.stepped_cycles == r.fast_cycles),
            "{}",
            path.display()
        );
        // The stalls really happened: at 25% per signal some case must run longer.
        assert!(
            outcome.rows.iter().any(|r| r.rtl_cycles > r.stepped_cycles),
            "{}: no case was slowed by the stalls",
            path.display()
        );
    }
}

#[test]
fn planted_mirrored_sign_bug_is_caught() {
    if !verilator_or_skip() {
        return;
    }
    let arch = Arch::builtin_default().unwrap();
    assert!(
        arch.machine_as::<LutArray>().is_some(),
        "default is a LUT config"
    );
    let options = Options {
        planted_bug: Some(PlantedBug::MirroredSign),
        ..Options::default()
    };
    let outcome = cosimulate(&arch, &settings(options)).unwrap();
    let m = outcome
        .mismatch
        .expect("the planted bug must make co-simulation fail");
    assert_eq!(m.case, 0);
    let text = m.to_string();
    assert!(text.starts_with("case 0, cycle "), "{text}");
    assert!(text.contains(", signal res_data[row 0][col "), "{text}");
    assert!(text.contains(": expected "), "{text}");
}

#[test]
fn planted_fp_rounding_bug_is_caught() {
    if !verilator_or_skip() {
        return;
    }
    // FP16 and FP32 adders that truncate instead of rounding to nearest even.
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../configs/arch/lut-tc-fp16.toml");
    let arch = Arch::from_file(&path).unwrap();
    let clean = cosimulate(&arch, &settings(Options::default())).unwrap();
    assert_eq!(clean.mismatch, None);
    let options = Options {
        planted_bug: Some(PlantedBug::FpTruncate),
        ..Options::default()
    };
    let outcome = cosimulate(&arch, &settings(options)).unwrap();
    let m = outcome
        .mismatch
        .expect("truncating FP adders must make co-simulation fail");
    assert!(m.to_string().contains(", signal res_data[row "), "{m}");
    // On the default's two datapaths only a tile of the FP16 datapath (odd cases) can show it.
    let dual = cosimulate(&Arch::builtin_default().unwrap(), &settings(options)).unwrap();
    let m = dual
        .mismatch
        .expect("truncating FP adders must fail on the default's FP16 tiles");
    assert_eq!(m.case % 2, 1, "{m}");
}

#[test]
fn planted_binary_plane_bug_is_caught_on_the_first_binary_case() {
    if !verilator_or_skip() {
        return;
    }
    // The signed-binary plane negated as if it were a two's complement MSB plane: every case
    // before the first binary one (case 4) still passes.
    let arch = Arch::builtin_default().unwrap();
    let options = Options {
        planted_bug: Some(PlantedBug::BinaryNegates),
        ..Options::default()
    };
    let outcome = cosimulate(&arch, &settings(options)).unwrap();
    let m = outcome
        .mismatch
        .expect("a negated binary plane must make co-simulation fail");
    assert_eq!(m.case, 4, "{m}");
    assert!(m.to_string().contains("res_data"), "{m}");
}

#[test]
fn planted_back_pressure_bug_is_caught_only_under_stalls() {
    if !verilator_or_skip() {
        return;
    }
    let path =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../configs/arch/lut-tc-m4n16-g2.toml");
    let arch = Arch::from_file(&path).unwrap();
    let options = Options {
        planted_bug: Some(PlantedBug::ResultIgnoresReady),
        ..Options::default()
    };
    // With the sink always ready the bug cannot show...
    let calm = cosimulate(&arch, &settings(options)).unwrap();
    assert_eq!(calm.mismatch, None);
    // ...and under random back-pressure it must.
    let stalled = CosimSettings {
        cases: STALLED_CASES,
        stalls: true,
        ..settings(options)
    };
    let outcome = cosimulate(&arch, &stalled).unwrap();
    let m = outcome
        .mismatch
        .expect("a result transfer that ignores res_ready must fail stalled co-simulation");
    assert!(m.to_string().contains("res_"), "{m}");
}

#[test]
fn every_lut_config_is_verilator_wall_clean() {
    if !verilator_or_skip() {
        return;
    }
    for (path, arch) in lut_configs() {
        let dir = format!("lutforge-lint-{}-{}", arch.name, std::process::id());
        assert_wall_clean(&arch, &dir, &path.display().to_string());
    }
}
