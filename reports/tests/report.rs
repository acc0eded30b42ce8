//! `write_report` on a simulation report: the three plots in both formats, readable PNGs,
//! titled SVGs, a consistent index.html, and byte-identical output on a second run.

mod common;

use common::{assert_png_readable, assert_svg_contains, check_index, fixture, scratch};
use lutforge_reports::{load, write_report, Input, Options};

#[test]
fn report_plots_and_page() {
    let input = load(&fixture("report.json")).unwrap();
    assert!(matches!(input, Input::Report(_)));
    let dir = scratch("report");
    let written = write_report(&input, &dir, &Options::default()).unwrap();
    assert_eq!(written.plots.len(), 6);
    for (stem, title) in [
        ("roofline", "Roofline: llama-2-7b on lut-tc"),
        ("latency", "Latency by op kind: llama-2-7b on lut-tc"),
        ("energy", "Energy by component: llama-2-7b on lut-tc"),
    ] {
        assert_png_readable(&dir.join(format!("{stem}.png")));
        assert_svg_contains(&dir.join(format!("{stem}.svg")), title);
    }
    assert_svg_contains(
        &dir.join("roofline.svg"),
        "arithmetic intensity (FLOP per DRAM byte)",
    );
    assert_svg_contains(&dir.join("roofline.svg"), "DRAM roof 256 GB/s");
    assert_svg_contains(&dir.join("latency.svg"), "memory stall");
    assert_svg_contains(&dir.join("energy.svg"), "energy (J)");
    let imgs = check_index(&dir);
    assert_eq!(imgs, vec!["roofline.png", "latency.png", "energy.png"]);
    let html = std::fs::read_to_string(dir.join("index.html")).unwrap();
    for needle in [
        "lut_tensor_core",
        "llama-2-7b",
        "w4a8kv4",
        "time to first token",
        "845 ms",
        "13.8 ms",
        "DRAM traffic",
        // A frozen fixture input (summary.area_mm2 of tests/fixtures/report.json), not today's
        // simulator output: `lutforge simulate` gives 23.71 mm² for lut-tc.toml at b3763b1.
        // The test checks that the page shows its input, not that the area model is unchanged.
        "25.211 mm²",
    ] {
        assert!(html.contains(needle), "index.html lacks {needle:?}");
    }
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn same_input_same_bytes() {
    let input = load(&fixture("report.json")).unwrap();
    let (a, b) = (scratch("det-a"), scratch("det-b"));
    write_report(&input, &a, &Options::default()).unwrap();
    write_report(&input, &b, &Options::default()).unwrap();
    let mut names: Vec<_> = std::fs::read_dir(&a)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    names.sort();
    assert_eq!(names.len(), 7);
    for name in names {
        assert_eq!(
            std::fs::read(a.join(&name)).unwrap(),
            std::fs::read(b.join(&name)).unwrap(),
            "{name:?} differs"
        );
    }
    std::fs::remove_dir_all(a).unwrap();
    std::fs::remove_dir_all(b).unwrap();
}

#[test]
fn report_without_decode_still_draws() {
    let text = std::fs::read_to_string(fixture("report.json")).unwrap();
    let mut value: serde_json::Value = serde_json::from_str(&text).unwrap();
    value["ops"]
        .as_array_mut()
        .unwrap()
        .retain(|o| o["phase"] == "prefill");
    value["phases"]
        .as_array_mut()
        .unwrap()
        .retain(|p| p["phase"] == "prefill");
    for field in [
        "tpot_s",
        "decode_tokens_per_s",
        "tokens_per_j",
        "decode_energy_per_token_j",
    ] {
        value["summary"][field] = serde_json::Value::Null;
    }
    let dir = scratch("prefill-only");
    let path = dir.join("r.json");
    std::fs::write(&path, value.to_string()).unwrap();
    let out = dir.join("out");
    write_report(&load(&path).unwrap(), &out, &Options::default()).unwrap();
    assert_png_readable(&out.join("latency.png"));
    let html = std::fs::read_to_string(out.join("index.html")).unwrap();
    assert!(html.contains("n/a (no decode step)"));
    std::fs::remove_dir_all(dir).unwrap();
}
