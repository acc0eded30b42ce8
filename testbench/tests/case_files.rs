//! Committed co-simulation cases (`testbench/cases/<block kind>/<case>.case`): one case file, three
//! executors, one expectation, which is also held to integer GEMM reduced modulo `2^acc_bits`.
//! Each file names an architecture (plus `--set` overrides) and the
//! seed, weight width and K chunks its operands are drawn from; its `expect` lines hold the
//! result values and the cycle count. The stepped model, the fast model and the Verilated RTL
//! must all produce exactly those. `UPDATE_EXPECT=1` rewrites the `expect` lines from the
//! stepped model (the RTL and fast model must still agree with it).
//!
//! File format, one `key: value` per line, `#` comments:
//!
//! ```text
//! arch: configs/arch/mac-tc.toml
//! set: mac.acc_bits=16, mac.tile_k=5        (optional)
//! operands: seed 7, weight_bits 8, k_chunks 2752
//! expect cycles: 2758
//! expect row 0: <tile_n values>
//! ```
//!
//! A block whose cases are not tiles (the FPGA pipeline top) names a case of its own
//! generator instead, `operands: seed 7, case 4` (case 4 of `Block::cases(5, 7)`); its rows
//! are its result beats, and its values are held to its own reference by the sim tests
//! (`sim/tests/fpga_top.rs`) rather than to the integer GEMM here.
//!
//! Every file is its own named test (a line of [`case_tests!`]); `every_case_file_has_a_test`
//! fails when a file on disk has none. Without Verilator the RTL executor is skipped with a loud
//! `SKIPPED` line (a failure under `LUTFORGE_REQUIRE_TOOLS=1`); the two models still run.

use std::path::{Path, PathBuf};

use lutforge_rtl::Options;
use lutforge_sim::arch::Override;
use lutforge_sim::Arch;
use lutforge_testbench::cases::random_case_of_depth;
use lutforge_testbench::{
    block_of, cosimulate_cases, find_verilator, tools_required, CosimSettings,
};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The `key: value` lines of a case file, comments and blank lines dropped.
fn fields(text: &str) -> Vec<(String, String)> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| {
            let (k, v) = l
                .split_once(':')
                .unwrap_or_else(|| panic!("no `key:` in {l:?}"));
            (k.trim().to_string(), v.trim().to_string())
        })
        .collect()
}

/// `name value` pairs of `operands:`, if present.
fn operand_opt(spec: &str, name: &str) -> Option<u64> {
    spec.split(',')
        .find_map(|p| p.trim().strip_prefix(name)?.trim().parse().ok())
}

/// `name value` pairs of `operands:`.
fn operand(spec: &str, name: &str) -> u64 {
    operand_opt(spec, name).unwrap_or_else(|| panic!("operands: no `{name} N` in {spec:?}"))
}

/// Integer GEMM of a case's operands (`tile_m x K` by `K x lanes`), each result reduced modulo
/// `2^bits` (two's complement).
fn gemm(case: &lutforge_testbench::Case, lanes: usize, bits: u32) -> Vec<i64> {
    let x = &case.input;
    let k = x.weights.len() / lanes;
    let rows = x.activations.len() / k;
    let mut out = Vec::with_capacity(rows * lanes);
    for m in 0..rows {
        for n in 0..lanes {
            let dot: i128 = (0..k)
                .map(|i| {
                    i128::from(x.activations[m * k + i]) * i128::from(x.weights[i * lanes + n])
                })
                .sum();
            let shift = 128 - bits;
            out.push(((dot << shift) >> shift) as i64);
        }
    }
    out
}

fn check(rel: &str) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("cases")
        .join(rel);
    let text = std::fs::read_to_string(&path).unwrap();
    let f = fields(&text);
    let get = |k: &str| f.iter().find(|(key, _)| key == k).map(|(_, v)| v.as_str());
    let overrides: Vec<Override> = get("set")
        .map(|s| s.split(',').map(|o| o.trim().parse().unwrap()).collect())
        .unwrap_or_default();
    let arch = Arch::from_file_with(&root().join(get("arch").unwrap()), &overrides).unwrap();
    let kind_dir = Path::new(rel)
        .parent()
        .unwrap()
        .to_string_lossy()
        .to_string();
    assert_eq!(arch.kind(), kind_dir, "{rel}: file under the wrong block");
    let block = block_of(&arch).unwrap();
    let spec = get("operands").unwrap();
    let seed = operand(spec, "seed");
    let own_case = operand_opt(spec, "case");
    let case = match own_case {
        Some(nth) => {
            let mut case = block.cases(nth as usize + 1, seed).pop().expect("a case");
            case.index = 0;
            case
        }
        None => random_case_of_depth(
            &block.tile_shape(),
            0,
            operand(spec, "weight_bits") as u32,
            operand(spec, "k_chunks"),
            &mut ChaCha8Rng::seed_from_u64(seed),
        ),
    };
    let stepped = block.stepped(&case).unwrap();
    let iface = block.interface();
    let lanes = iface.res_lanes as usize;
    if own_case.is_none() {
        assert_eq!(
            stepped.values,
            gemm(&case, lanes, iface.res_lane_bits),
            "{rel}: stepped values against integer GEMM"
        );
    }
    let mut expect = vec![format!("expect cycles: {}", stepped.cycles)];
    for (row, values) in stepped.values.chunks(lanes).enumerate() {
        let v: Vec<String> = values.iter().map(i64::to_string).collect();
        expect.push(format!("expect row {row}: {}", v.join(" ")));
    }
    if std::env::var("UPDATE_EXPECT").is_ok_and(|v| v == "1") {
        let kept: Vec<&str> = text
            .lines()
            .filter(|l| !l.trim_start().starts_with("expect"))
            .collect();
        let out = format!("{}\n{}\n", kept.join("\n"), expect.join("\n"));
        std::fs::write(&path, out).unwrap();
    } else {
        let on_disk: Vec<String> = text
            .lines()
            .filter(|l| l.trim_start().starts_with("expect"))
            .map(|l| l.trim().to_string())
            .collect();
        assert!(
            on_disk == expect,
            "{rel}: the stepped model differs from the expect lines (UPDATE_EXPECT=1 rewrites them)\nfile:  {:?}\nmodel: {:?}",
            on_disk.first(),
            expect.first()
        );
    }
    assert_eq!(
        block.fast_cycles(&case),
        stepped.cycles,
        "{rel}: fast model cycles"
    );
    if find_verilator().is_err() {
        assert!(
            !tools_required(),
            "verilator not found and LUTFORGE_REQUIRE_TOOLS=1"
        );
        eprintln!("SKIPPED: verilator not found ({rel}: RTL executor)");
        return;
    }
    let settings = CosimSettings {
        cases: 1,
        seed: 0,
        vcd_case: None,
        vcd_path: std::env::temp_dir().join("lutforge-case-file.vcd"),
        options: Options::default(),
        stalls: false,
    };
    let outcome = cosimulate_cases(block.as_ref(), &[case], &settings).unwrap();
    assert_eq!(outcome.mismatch, None, "{rel}");
    assert_eq!(outcome.rows[0].rtl_cycles, stepped.cycles, "{rel}");
}

/// One named test per case file.
macro_rules! case_tests {
    ($($name:ident => $file:literal,)*) => {
        $(#[test] fn $name() { check($file); })*
        const LISTED: &[&str] = &[$($file),*];
    };
}

case_tests! {
    mac_ffn_down_k11008_wraps => "mac_tensor_core/ffn-down-k11008-wraps.case",
    mac_w2_p1_tree5 => "mac_tensor_core/w2-p1-tree5.case",
    mac_int4_deep_pipeline => "mac_tensor_core/int4-deep-pipeline.case",
    lut_default_w2 => "lut_tensor_core/default-w2.case",
    lut_default_w4_k43 => "lut_tensor_core/default-w4-k43.case",
    fpga_kv260_full_capacity => "fpga_dataflow/kv260-full-capacity.case",
    fpga_kv260_slow_requantizer => "fpga_dataflow/kv260-slow-requantizer.case",
    fpga_v80_stream => "fpga_dataflow/v80-stream.case",
}

#[test]
fn every_case_file_has_a_test() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("cases");
    let mut on_disk = Vec::new();
    for block in std::fs::read_dir(&dir).unwrap() {
        let block = block.unwrap().path();
        for case in std::fs::read_dir(&block).unwrap() {
            let case = case.unwrap().path();
            on_disk.push(format!(
                "{}/{}",
                block.file_name().unwrap().to_string_lossy(),
                case.file_name().unwrap().to_string_lossy()
            ));
        }
    }
    on_disk.sort();
    let mut listed: Vec<String> = LISTED.iter().map(|s| s.to_string()).collect();
    listed.sort();
    assert_eq!(
        on_disk, listed,
        "add a line to case_tests! for each case file"
    );
}
