//! `lutforge fpga` on the open-flow devices from the outside, as the issue words it: the small
//! FPGA dataflow configurations become a real iCE40 UP5K `.bin` and a real ECP5-85F `.bit`, and
//! the report carries nextpnr's maximum frequency. Skipped loudly without the tools unless
//! `LUTFORGE_REQUIRE_TOOLS=1` (CI).

#[path = "support/cli.rs"]
mod cli;

use cli::lutforge;
use lutforge_fpga::{device, openflow, tools::tools_required};

/// Whether the open flow's tools for `id` are installed; a loud skip otherwise.
fn tools_or_skip(id: &str) -> bool {
    let d = device(id).unwrap();
    match openflow::check_tools(d) {
        Ok(_) => true,
        Err(e) => {
            assert!(!tools_required(), "{e} (LUTFORGE_REQUIRE_TOOLS=1)");
            eprintln!("SKIPPED: {e}");
            false
        }
    }
}

fn builds(arch: &str, id: &str, extension: &str, min_bytes: u64) {
    if !tools_or_skip(id) {
        return;
    }
    let out = std::env::temp_dir().join(format!("lutforge-open-flow-{id}-{}", std::process::id()));
    let out_text = out.display().to_string();
    let (stdout, err, code) =
        lutforge(&["fpga", "--arch", arch, "--device", id, "--out", &out_text]);
    assert_eq!(code, 0, "{err}");
    let bitstream = out.join("build").join(format!("board_top.{extension}"));
    let bytes = std::fs::metadata(&bitstream)
        .unwrap_or_else(|e| panic!("{}: {e}\n{stdout}\n{err}", bitstream.display()))
        .len();
    assert!(bytes > min_bytes, "{bytes} bytes");
    let report = std::fs::read_to_string(out.join("report.md")).unwrap();
    assert!(
        report.contains("Fmax") && report.contains("MHz"),
        "{report}"
    );
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("report.json")).unwrap()).unwrap();
    let fmax = json["fmax_mhz"][0]["achieved_mhz"].as_f64().unwrap();
    assert!(fmax > 0.0 && fmax.is_finite(), "{json}");
    assert!(stdout.contains("Fmax"), "{stdout}");
    std::fs::remove_dir_all(&out).ok();
}

#[test]
fn the_tiny_ice40_design_becomes_a_bitstream() {
    builds(
        "configs/arch/fpga-ice40-tiny.toml",
        "ice40-up5k",
        "bin",
        10_000,
    );
}

#[test]
fn the_small_ecp5_design_becomes_a_bitstream() {
    builds(
        "configs/arch/fpga-ecp5-small.toml",
        "ecp5-85f",
        "bit",
        100_000,
    );
}
