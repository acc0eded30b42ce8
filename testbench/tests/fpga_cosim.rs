//! Co-simulation of the FPGA dataflow family's pipeline top in `cargo test`: every shipped
//! `configs/arch/fpga-*.toml` (the TLMM top of the KV260 design, the stream top of the V80
//! design, whose VQ engine has no RTL) and variants of them that cover what the shipped ones
//! do not: an element-wise engine slower than the TLMM's drain (back-pressure inside the line),
//! a depth-1 FIFO, multi-cycle table builds, several activations per read with a partial last
//! beat, no lookup pipeline, a pipeline shorter than the adder tree, one table, wrapping
//! accumulators and the widest fields; the same under random stalls; planted bugs that must be
//! caught (a table entry with a flipped sign; a FIFO that drops a beat when full, invisible
//! without back-pressure); `verilator -Wall` on every variant; Yosys `synth` and `synth_xilinx`
//! on a small one.
//!
//! Without Verilator (or Yosys) these tests print `SKIPPED: ... not found` and pass, unless
//! `LUTFORGE_REQUIRE_TOOLS=1` (CI) makes a missing tool a failure.

use std::path::PathBuf;

use lutforge_rtl::{generate, Options, PlantedBug};
use lutforge_sim::arch::Override;
use lutforge_sim::Arch;
use lutforge_testbench::synth::{find_yosys, synth_generic, synth_xilinx};
use lutforge_testbench::{cosimulate, find_verilator, CosimOutcome, CosimSettings};

mod common;
use common::{assert_wall_clean, tool_or_skip};

/// Cases per configuration.
const CASES: usize = 20;
/// The fixed CI seed.
const SEED: u64 = 2027;

const KV260: &str = "fpga-kv260-tellme.toml";
const V80: &str = "fpga-v80-lutllm.toml";

/// Variants, as `(config, --set overrides)`.
const VARIANTS: [(&str, &[&str]); 4] = [
    // Back-pressure: 2 requantizers for 8 lanes (4 slices per beat); no pipeline; 5 tables of
    // 13 entries built 7 per cycle (10 windows), 4 activations per read (the last of 4 reads
    // partial); 8-bit accumulators that wrap (the 13-bit sum is wider); a 1 KiB weight buffer
    // (40 words), which the seventh case fills.
    (
        KV260,
        &[
            "fpga.tlmm.weight_buffer_kib=1",
            "vector.lanes=2",
            "fpga.tlmm.pipeline_cycles=0",
            "fpga.tlmm.tables=5",
            "fpga.tlmm.build_adds_per_cycle=7",
            "fpga.tlmm.act_reads_per_cycle=4",
            "fpga.tlmm.acc_bits=8",
            "fpga.fifo_depth=1",
        ],
    ),
    // One table (no adder tree), one read and two adds per set, 2 lanes, one requantizer (2
    // slices), a one-register pipeline; a 1 KiB weight buffer (819 words: the 10-bit address of
    // `b * G + j` past a power of two), filled by the seventh case.
    (
        KV260,
        &[
            "fpga.tlmm.weight_buffer_kib=1",
            "vector.lanes=1",
            "fpga.tlmm.tables=1",
            "fpga.tlmm.act_reads_per_cycle=1024",
            "fpga.tlmm.build_adds_per_cycle=7",
            "fpga.tlmm.weight_banks=2",
            "fpga.tlmm.pipeline_cycles=1",
        ],
    ),
    // The widest fields: 32-bit entries, 48-bit accumulators, a 3-register pipeline that cuts
    // the 3-level tree of 7 tables after its first level, 3 lanes.
    (
        KV260,
        &[
            "fpga.tlmm.tables=7",
            "fpga.tlmm.entry_bits=32",
            "fpga.tlmm.acc_bits=48",
            "fpga.tlmm.pipeline_cycles=3",
            "fpga.tlmm.outputs_per_cycle=3",
            "fpga.tlmm.act_reads_per_cycle=21",
            "fpga.tlmm.build_adds_per_cycle=50",
        ],
    ),
    // A depth-1 FIFO on the stream top: every beat waits for the one before it to leave.
    (V80, &["fpga.fifo_depth=1", "vector.lanes=4"]),
];

fn config_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../configs/arch")
        .join(name)
}

fn arch(config: &str, overrides: &[&str]) -> Arch {
    let overrides: Vec<Override> = overrides.iter().map(|o| o.parse().unwrap()).collect();
    let arch = Arch::from_file_with(&config_path(config), &overrides).unwrap();
    assert_eq!(arch.kind(), "fpga_dataflow", "{config} {overrides:?}");
    arch
}

/// Every shipped FPGA architecture file.
fn fpga_configs() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(config_path(""))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .filter(|n| n.starts_with("fpga-") && n.ends_with(".toml"))
        .collect();
    names.sort();
    assert!(names.len() >= 2, "{names:?}");
    names
}

fn settings(options: Options, cases: usize, stalls: bool) -> CosimSettings {
    CosimSettings {
        cases,
        seed: SEED,
        vcd_case: None,
        vcd_path: std::env::temp_dir().join("lutforge-fpga-test.vcd"),
        options,
        stalls,
    }
}

fn assert_equal(outcome: &CosimOutcome, what: &str, cases: usize) {
    assert_eq!(outcome.mismatch, None, "{what}");
    assert_eq!(outcome.rows.len(), cases, "{what}");
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
fn every_fpga_config_and_variant_cosimulates_equal() {
    if !tool_or_skip(find_verilator().is_ok(), "verilator") {
        return;
    }
    for config in fpga_configs() {
        let outcome = cosimulate(
            &arch(&config, &[]),
            &settings(Options::default(), CASES, false),
        )
        .unwrap();
        assert_equal(&outcome, &config, CASES);
    }
    for (config, overrides) in VARIANTS {
        let outcome = cosimulate(
            &arch(config, overrides),
            &settings(Options::default(), CASES, false),
        )
        .unwrap();
        assert_equal(&outcome, &format!("{config} {overrides:?}"), CASES);
    }
}

#[test]
fn stalled_streams_keep_fpga_values_equal() {
    if !tool_or_skip(find_verilator().is_ok(), "verilator") {
        return;
    }
    let mut runs: Vec<(String, Vec<&str>)> = fpga_configs()
        .into_iter()
        .map(|c| (c, Vec::new()))
        .collect();
    runs.push((VARIANTS[0].0.to_string(), VARIANTS[0].1.to_vec()));
    for (config, overrides) in runs {
        let what = format!("{config} {overrides:?}");
        let outcome = cosimulate(
            &arch(&config, &overrides),
            &settings(Options::default(), CASES, true),
        )
        .unwrap();
        assert_eq!(outcome.mismatch, None, "{what}");
        assert_eq!(outcome.rows.len(), CASES, "{what}");
        assert!(
            outcome.rows.iter().all(|r| r.equal
                && r.rtl_cycles >= r.stepped_cycles
                && r.stepped_cycles == r.fast_cycles),
            "{what}"
        );
        assert!(
            outcome.rows.iter().any(|r| r.rtl_cycles > r.stepped_cycles),
            "{what}: no case was slowed by the stalls"
        );
    }
}

#[test]
fn planted_table_sign_bug_is_caught() {
    if !tool_or_skip(find_verilator().is_ok(), "verilator") {
        return;
    }
    let options = Options {
        planted_bug: Some(PlantedBug::TableEntrySign),
        ..Options::default()
    };
    let (config, overrides) = VARIANTS[1];
    let outcome = cosimulate(&arch(config, overrides), &settings(options, CASES, false)).unwrap();
    let m = outcome
        .mismatch
        .expect("a table entry with a flipped sign must fail co-simulation");
    let text = m.to_string();
    assert!(
        text.starts_with(&format!("case {}, cycle ", m.case))
            && text.contains(", signal res_data[row "),
        "{text}"
    );
}

#[test]
fn planted_fifo_drop_is_caught_only_under_back_pressure() {
    if !tool_or_skip(find_verilator().is_ok(), "verilator") {
        return;
    }
    let options = Options {
        planted_bug: Some(PlantedBug::FifoDropsWhenFull),
        ..Options::default()
    };
    // The stream top's FIFO of 8 never fills without stalls: the bug is invisible...
    let calm = cosimulate(&arch(V80, &[]), &settings(options, CASES, false)).unwrap();
    assert_eq!(calm.mismatch, None);
    // ...and random stalls on res_ready fill it.
    let stalled = cosimulate(&arch(V80, &[]), &settings(options, CASES, true)).unwrap();
    let m = stalled
        .mismatch
        .expect("a FIFO that drops beats must fail co-simulation under stalls");
    assert!(m.signal.starts_with("res_"), "{m}");
    // A slower element-wise engine fills the TLMM top's FIFO without any stall.
    let (config, overrides) = VARIANTS[0];
    let slow = cosimulate(&arch(config, overrides), &settings(options, CASES, false)).unwrap();
    let m = slow
        .mismatch
        .expect("a FIFO that drops beats must fail co-simulation under back-pressure");
    assert!(m.signal.starts_with("res_"), "{m}");
}

#[test]
fn every_fpga_config_and_variant_is_verilator_wall_clean() {
    if !tool_or_skip(find_verilator().is_ok(), "verilator") {
        return;
    }
    for config in fpga_configs() {
        let dir = format!("lutforge-fpga-lint-{config}-{}", std::process::id());
        assert_wall_clean(&arch(&config, &[]), &dir, &config);
    }
    for (i, (config, overrides)) in VARIANTS.iter().enumerate() {
        let dir = format!("lutforge-fpga-lint-{i}-{}", std::process::id());
        assert_wall_clean(&arch(config, overrides), &dir, &format!("{overrides:?}"));
    }
}

#[test]
fn a_small_fpga_variant_synthesizes_in_yosys() {
    if !tool_or_skip(find_yosys().is_ok(), "yosys") {
        return;
    }
    for (config, overrides) in [VARIANTS[1], VARIANTS[3]] {
        let arch = arch(config, overrides);
        let dir = std::env::temp_dir().join(format!(
            "lutforge-fpga-synth-{}-{}",
            arch.name,
            std::process::id()
        ));
        let bundle = generate(&arch, Options::default()).unwrap();
        bundle.write_to(&dir).unwrap();
        let files: Vec<PathBuf> = bundle.verilog().map(|f| dir.join(&f.name)).collect();
        synth_generic(&files, &bundle.top).unwrap();
        let report = synth_xilinx(&files, &bundle.top, &dir).unwrap();
        assert!(
            report.resources.lut > 0 && report.resources.ff > 0,
            "{report:?}"
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
}
