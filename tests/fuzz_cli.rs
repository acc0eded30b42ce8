//! `lutforge simulate` end to end on mutated input files (the mutations of
//! `sim/tests/common/fuzz.rs`): every run exits 0, or exits 2 with exactly one `error:` line;
//! never a panic, another exit code, or a hang. Library-level fuzzing (`sim/tests/fuzz_inputs.rs`)
//! covers many more cases; this holds the binary's error path to the same rule.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::TestRunner;

#[path = "support/fuzz_run.rs"]
mod fuzz_run;

#[path = "../sim/tests/common/fuzz.rs"]
#[allow(dead_code, unused_imports)]
mod fuzz;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Runs the binary; returns (exit code, stderr).
fn lutforge(args: &[&str]) -> (i32, String) {
    let start = Instant::now();
    let out = Command::new(env!("CARGO_BIN_EXE_lutforge"))
        .args(args)
        .current_dir(root())
        .output()
        .unwrap();
    assert!(
        start.elapsed() < Duration::from_secs(30),
        "lutforge {args:?} took {:?}",
        start.elapsed()
    );
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn check(args: &[&str], input: &str) {
    let (code, stderr) = lutforge(args);
    let lines: Vec<&str> = stderr.lines().collect();
    let clean = match code {
        0 => !stderr.contains("panicked"),
        2 => lines.len() == 1 && lines[0].starts_with("error: "),
        _ => false,
    };
    assert!(
        clean,
        "lutforge {args:?} exited {code} with stderr {stderr:?}\ninput:\n{input}"
    );
}

/// Cases per file kind (`LUTFORGE_FUZZ_CLI_CASES`, default 40).
fn cases() -> usize {
    std::env::var("LUTFORGE_FUZZ_CLI_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(40)
}

#[test]
fn simulate_on_mutated_arch_and_model_files_exits_cleanly() {
    let dir = std::env::temp_dir().join(format!("lutforge-fuzz-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let arch_text = std::fs::read_to_string(root().join("configs/arch/lut-tc.toml")).unwrap();
    let model_text =
        std::fs::read_to_string(root().join("models/tests/fixtures/mistral-7b-v0.1.json")).unwrap();
    let mut runner = TestRunner::deterministic();
    let strategy = fuzz::edits();
    for i in 0..cases() {
        let edits = strategy.new_tree(&mut runner).unwrap().current();
        let arch = fuzz::mutate_toml(&arch_text, &edits);
        let arch_path = dir.join(format!("arch-{i}.toml"));
        std::fs::write(&arch_path, &arch).unwrap();
        let a = arch_path.to_str().unwrap();
        check(
            &[
                "simulate",
                "--arch",
                a,
                "--model",
                "tiny-llama",
                "--prefill",
                "16",
                "--decode",
                "4",
                "--quiet",
            ],
            &arch,
        );

        let edits = strategy.new_tree(&mut runner).unwrap().current();
        let model = fuzz::mutate_json(&model_text, &edits);
        let model_path = dir.join(format!("config-{i}.json"));
        std::fs::write(&model_path, &model).unwrap();
        let m = model_path.to_str().unwrap();
        check(
            &[
                "simulate",
                "--model",
                m,
                "--prefill",
                "16",
                "--decode",
                "4",
                "--quiet",
            ],
            &model,
        );
    }
    std::fs::remove_dir_all(Path::new(&dir)).unwrap();
}
