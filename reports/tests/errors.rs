//! Bad inputs and options: one-line errors naming the file and line (or the flag and the
//! choices), and no file written.

mod common;

use std::path::Path;

use common::{fixture, scratch};
use lutforge_reports::{load, write_report, Options};

fn load_err(path: &Path) -> String {
    let err = load(path).expect_err("should fail").to_string();
    assert!(!err.contains('\n'), "multi-line error: {err}");
    err
}

#[test]
fn missing_file() {
    let err = load_err(Path::new("/nonexistent/r.json"));
    assert!(
        err.starts_with("cannot read /nonexistent/r.json: "),
        "{err}"
    );
}

#[test]
fn malformed_report_names_line() {
    let dir = scratch("bad-report");
    let path = dir.join("r.json");
    std::fs::write(
        &path,
        "{\n  \"schema_version\": 1,\n  \"summary\": oops\n}\n",
    )
    .unwrap();
    let err = load_err(&path);
    assert!(err.starts_with(&format!("{}:3:", path.display())), "{err}");
    assert!(err.contains("malformed JSON"), "{err}");

    std::fs::write(&path, "{\"schema_version\": 1}").unwrap();
    let err = load_err(&path);
    assert!(
        err.contains("not a lutforge simulation report: missing field"),
        "{err}"
    );

    std::fs::write(&path, "{\"schema_version\": 99}").unwrap();
    assert!(
        load_err(&path).ends_with("report schema version 99, this lutforge reads versions 1 to 2")
    );

    std::fs::write(&path, "  \n").unwrap();
    assert!(load_err(&path).contains("empty file"));
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn malformed_jsonl_names_line() {
    let dir = scratch("bad-jsonl");
    let path = dir.join("s.jsonl");
    let good = std::fs::read_to_string(fixture("sweep.jsonl")).unwrap();
    let first_two: String = good.lines().take(2).map(|l| format!("{l}\n")).collect();
    std::fs::write(
        &path,
        format!("{first_two}{{\"point\": {{}}, \"status\": \"ok\", \"metrics\": {{\"x\": }}\n"),
    )
    .unwrap();
    let err = load_err(&path);
    assert!(err.starts_with(&format!("{}:3:", path.display())), "{err}");

    std::fs::write(&path, format!("{first_two}[1, 2]\n")).unwrap();
    assert_eq!(
        load_err(&path),
        format!(
            "{}:3: a sweep result line must be a JSON object",
            path.display()
        )
    );

    std::fs::write(&path, "\n\n").unwrap();
    assert!(load_err(&path).ends_with("no sweep results (the file holds no JSON lines)"));
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn unknown_metric_lists_choices_and_writes_nothing() {
    let input = load(&fixture("sweep.jsonl")).unwrap();
    let dir = scratch("bad-metric");
    let out = dir.join("out");
    let options = Options {
        x: Some("joules".into()),
        ..Options::default()
    };
    let err = write_report(&input, &out, &options)
        .unwrap_err()
        .to_string();
    assert_eq!(err, "unknown metric `joules` for --x; available: area_mm2, energy_per_token_j, tokens_per_s, tpot_s, ttft_s");
    assert!(!out.exists(), "files written despite the error");

    let options = Options {
        color: Some("colour".into()),
        ..Options::default()
    };
    let err = write_report(&input, &out, &options)
        .unwrap_err()
        .to_string();
    assert_eq!(err, "unknown axis `colour` for --color; available: cores, dram_gbps, g, model, symmetrize, tile_m");
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn sweep_options_on_a_report() {
    let input = load(&fixture("report.json")).unwrap();
    let options = Options {
        y: Some("tokens_per_s".into()),
        ..Options::default()
    };
    let err = write_report(&input, Path::new("/nonexistent/out"), &options)
        .unwrap_err()
        .to_string();
    assert_eq!(
        err,
        "--y applies to sweep results (JSONL), not to a simulation report"
    );
}
