//! `write_report` on sweep results: Pareto scatter, one sensitivity plot per swept axis, the
//! page's tables, and the `--x/--y/--color` choices.

mod common;

use common::{assert_png_readable, assert_svg_contains, check_index, fixture, scratch};
use lutforge_reports::{load, pareto_front, write_report, Input, Options};

#[test]
fn sweep_plots_and_page() {
    let input = load(&fixture("sweep.jsonl")).unwrap();
    let Input::Sweep(sweep) = &input else {
        panic!("not read as a sweep")
    };
    assert_eq!(sweep.rows.len(), 144);
    assert_eq!(
        sweep.swept_axes(),
        vec!["cores", "dram_gbps", "g", "symmetrize", "tile_m"]
    );
    let dir = scratch("sweep");
    write_report(&input, &dir, &Options::default()).unwrap();
    assert_png_readable(&dir.join("pareto.png"));
    assert_svg_contains(
        &dir.join("pareto.svg"),
        "Pareto front: tokens_per_s vs energy_per_token_j",
    );
    assert_svg_contains(
        &dir.join("pareto.svg"),
        "energy_per_token_j (J/token) — lower is better",
    );
    assert_svg_contains(&dir.join("pareto.svg"), "colour:");
    for axis in ["cores", "dram_gbps", "g", "symmetrize", "tile_m"] {
        assert_png_readable(&dir.join(format!("sensitivity-{axis}.png")));
        assert_svg_contains(
            &dir.join(format!("sensitivity-{axis}.svg")),
            &format!("Sensitivity to {axis}"),
        );
    }
    let imgs = check_index(&dir);
    assert_eq!(imgs.len(), 6);
    let html = std::fs::read_to_string(dir.join("index.html")).unwrap();
    for needle in [
        "Pareto front",
        "table memory over budget",
        "Rejected points",
        "llama-2-7b",
        "fixed",
    ] {
        assert!(html.contains(needle), "index.html lacks {needle:?}");
    }

    // The page's front is the library's front.
    let ok: Vec<_> = sweep.ok_rows().collect();
    let pts: Vec<Vec<f64>> = ok
        .iter()
        .map(|r| vec![r.metrics["energy_per_token_j"], r.metrics["tokens_per_s"]])
        .collect();
    let front = pareto_front(&pts, &[false, true]);
    assert!(
        html.contains(&format!("{} on the front", front.len()))
            || std::fs::read_to_string(dir.join("pareto.svg"))
                .unwrap()
                .contains(&format!("{} on the front", front.len()))
    );
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn chosen_metrics_and_colour() {
    let input = load(&fixture("sweep.jsonl")).unwrap();
    let dir = scratch("sweep-xy");
    let options = Options {
        x: Some("area_mm2".into()),
        y: Some("tokens_per_s".into()),
        color: Some("symmetrize".into()),
    };
    write_report(&input, &dir, &options).unwrap();
    assert_svg_contains(&dir.join("pareto.svg"), "area_mm2 (mm²) — lower is better");
    assert_svg_contains(&dir.join("pareto.svg"), "symmetrize");
    assert_svg_contains(&dir.join("sensitivity-tile_m.svg"), "area_mm2");
    check_index(&dir);
    std::fs::remove_dir_all(dir).unwrap();
}
