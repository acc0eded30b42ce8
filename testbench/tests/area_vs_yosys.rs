//! The area model against the generated RTL: each matrix unit's modelled area (45 nm, the
//! reference node of the cited figures) is held within 20% of what Yosys makes of the tile
//! generated from the same architecture file.
//!
//! Yosys's generic synthesis gives CMOS transistor counts of the combinational gates and a
//! flip-flop count. They become an area with the same cited figures the model uses: transistors
//! at the area per transistor of an 8-bit ripple adder (Horowitz's 36 um^2 8-bit add over the
//! transistors Yosys spends on `a + b` of 8 bits, synthesized here by the same flow), flip-flops
//! at the Nangate DFF_X1 area. Memories the model counts as SRAM (the LUT table buffer) are
//! black boxes. Skipped, with a message, when Yosys is missing, unless
//! `LUTFORGE_REQUIRE_TOOLS=1`.

use std::path::{Path, PathBuf};

use lutforge_sim::arch::overrides::Override;
use lutforge_sim::energy::area::AreaModel;
use lutforge_sim::energy::constants::{ADD_UM2_PER_BIT_45NM, DFF_UM2_45NM};
use lutforge_sim::Arch;
use lutforge_testbench::synth::{cmos_stats, find_yosys, CmosStats};

/// An 8-bit adder, the calibration point.
const ADD8: &str = "module lutforge_add8(input [7:0] a, input [7:0] b, output [7:0] s);\n  assign s = a + b;\nendmodule\n";

fn repo(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(rel)
}

/// Area of a synthesized design at 45 nm, um^2, with `um2_per_transistor` from the adder.
fn yosys_um2(stats: CmosStats, um2_per_transistor: f64) -> f64 {
    stats.logic_transistors as f64 * um2_per_transistor + stats.flip_flops as f64 * DFF_UM2_45NM
}

/// Synthesizes the RTL of `file` with `--set` style `edits` and returns (model um^2, Yosys
/// um^2).
fn compare(file: &str, edits: &[&str], dir: &Path, um2_per_transistor: f64) -> (f64, f64) {
    let overrides: Vec<Override> = edits.iter().map(|e| e.parse().unwrap()).collect();
    let arch = Arch::from_file_with(&repo(file), &overrides).unwrap();
    let bundle = lutforge_rtl::generate(&arch, lutforge_rtl::Options::default()).unwrap();
    let out = dir.join(format!("{}-{}", arch.name, edits.join("-")));
    bundle.write_to(&out).unwrap();
    let files: Vec<PathBuf> = bundle.verilog().map(|f| out.join(&f.name)).collect();
    let rams: Vec<String> = bundle
        .verilog()
        .flat_map(|f| f.text.lines())
        .filter_map(|l| l.strip_prefix("module "))
        .filter_map(|l| l.split([' ', '(', '#']).next())
        .filter(|m| m.ends_with("_table_ram"))
        .map(str::to_string)
        .collect();
    let stats = cmos_stats(&files, &bundle.top, &rams).unwrap();
    let model = arch.machine.area_um2(&AreaModel::at_node(45.0));
    (model, yosys_um2(stats, um2_per_transistor))
}

/// The architecture files (with edits) the table covers, each small enough to synthesize in
/// seconds.
const DESIGNS: &[(&str, &[&str])] = &[
    ("configs/arch/mac-tc.toml", &[]),
    (
        "configs/arch/mac-tc.toml",
        &["mac.tile_n=16", "mac.tile_k=8", "mac.pipeline_cycles=6"],
    ),
    (
        "configs/arch/mac-tc.toml",
        &[
            "mac.tile_m=4",
            "mac.tile_n=8",
            "mac.mult_bits=4",
            "mac.acc_bits=24",
            "mac.pipeline_cycles=2",
        ],
    ),
    ("configs/arch/lut-tc-m2n16-w8.toml", &[]),
    ("configs/arch/lut-tc-m1n32-g3-plain.toml", &[]),
    ("configs/arch/lut-tc-m4n16-g2.toml", &[]),
    ("configs/arch/lut-tc-m8n8-g4-plain.toml", &[]),
    ("configs/arch/lut-tc-m3n24-g3.toml", &[]),
    ("configs/arch/lut-tc-m2n8-fp8-plain.toml", &[]),
    ("configs/arch/lut-tc-fp16.toml", &[]),
    ("configs/arch/lut-tc.toml", &[]),
];

#[test]
fn the_area_model_is_within_20_percent_of_yosys() {
    if find_yosys().is_err() {
        assert!(
            !lutforge_testbench::tools_required(),
            "yosys is required (LUTFORGE_REQUIRE_TOOLS=1)"
        );
        eprintln!("skipped: yosys not on PATH");
        return;
    }
    let dir = std::env::temp_dir().join(format!("lutforge-area-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let add8 = dir.join("add8.v");
    std::fs::write(&add8, ADD8).unwrap();
    let adder = cmos_stats(&[add8], "lutforge_add8", &[]).unwrap();
    let um2_per_transistor = ADD_UM2_PER_BIT_45NM * 8.0 / adder.logic_transistors as f64;
    let mut failures = Vec::new();
    println!("| arch | model um^2 | Yosys um^2 | model / Yosys |");
    println!("|---|---:|---:|---:|");
    for (file, edits) in DESIGNS {
        let (model, yosys) = compare(file, edits, &dir, um2_per_transistor);
        let ratio = model / yosys;
        let name = format!("{file} {}", edits.join(" "));
        println!("| {name} | {model:.0} | {yosys:.0} | {ratio:.2} |");
        if !(0.8..=1.2).contains(&ratio) {
            failures.push(format!(
                "{name}: model {model:.0} um^2 vs Yosys {yosys:.0} um^2 ({ratio:.2})"
            ));
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
