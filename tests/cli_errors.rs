//! Bad input gets one clear line and a non-zero exit, never a panic: every
//! `tests/errors/<case>.case` file names the arguments, the exit code and the exact first line
//! of stderr. `UPDATE_EXPECT=1 cargo test --test cli_errors` rewrites the expected lines.

use std::path::{Path, PathBuf};
use std::process::Command;

struct Case {
    path: PathBuf,
    args: Vec<String>,
    exit: i32,
    stderr: String,
}

fn parse(path: &Path) -> Case {
    let text = std::fs::read_to_string(path).unwrap();
    let field = |name: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(&format!("{name}:")))
            .unwrap_or_else(|| panic!("{}: no `{name}:` line", path.display()))
            .trim()
            .to_string()
    };
    Case {
        path: path.to_path_buf(),
        args: field("args").split_whitespace().map(String::from).collect(),
        exit: field("exit").parse().unwrap(),
        stderr: field("stderr"),
    }
}

#[test]
fn every_error_case_prints_its_line_and_exit_code() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut cases: Vec<PathBuf> = std::fs::read_dir(root.join("tests/errors"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "case"))
        .collect();
    cases.sort();
    assert!(cases.len() >= 15, "only {} error cases", cases.len());
    // Exactly `UPDATE_EXPECT=1`, as in rtl/tests/golden.rs; `0` or any other value compares.
    let update = std::env::var("UPDATE_EXPECT").is_ok_and(|v| v == "1");
    let mut failures = Vec::new();
    for path in cases {
        let case = parse(&path);
        let out = Command::new(env!("CARGO_BIN_EXE_lutforge"))
            .args(&case.args)
            .current_dir(root)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        let first = stderr.lines().next().unwrap_or("").to_string();
        let name = path.file_stem().unwrap().to_string_lossy().to_string();
        if stderr.contains("panicked") {
            failures.push(format!("{name}: panicked: {stderr}"));
            continue;
        }
        if out.status.code() != Some(case.exit) {
            failures.push(format!(
                "{name}: exit {:?}, expected {}",
                out.status.code(),
                case.exit
            ));
        }
        if update {
            let text = std::fs::read_to_string(&case.path).unwrap();
            let rewritten: Vec<String> = text
                .lines()
                .map(|l| {
                    if l.starts_with("stderr:") {
                        format!("stderr: {first}")
                    } else {
                        l.to_string()
                    }
                })
                .collect();
            std::fs::write(&case.path, rewritten.join("\n") + "\n").unwrap();
        } else if first != case.stderr {
            failures.push(format!(
                "{name}:\n  expected: {}\n  got:      {first}",
                case.stderr
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} error cases failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
