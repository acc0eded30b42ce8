//! `lutforge scalesim` against the real SCALE-Sim 3.0.0 on the harness's fixed CI layer set.
//!
//! Needs a Python virtual environment with `scalesim==3.0.0` and `numpy<2` at
//! `$LUTFORGE_SCALESIM_VENV` (default `target/scalesim-venv`). With `LUTFORGE_REQUIRE_TOOLS=1`
//! (CI) the test creates it with `testbench/scalesim/setup_venv.sh` when missing and fails on any
//! difference; without that variable and without the venv it prints a loud SKIPPED line.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn venv_python(venv: &Path) -> PathBuf {
    venv.join("bin").join("python")
}

fn has_scalesim(python: &Path) -> bool {
    Command::new(python)
        .args([
            "-c",
            "import scalesim.scale_sim, numpy; assert numpy.__version__.startswith('1.')",
        ])
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false)
}

#[test]
fn scalesim_ci_layers_match_exactly() {
    let required = std::env::var("LUTFORGE_REQUIRE_TOOLS").is_ok_and(|v| v == "1");
    let venv = std::env::var_os("LUTFORGE_SCALESIM_VENV")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("target").join("scalesim-venv"));
    let python = venv_python(&venv);
    if !has_scalesim(&python) {
        if !required {
            // Written to stderr directly (not eprintln!) so the test harness cannot capture it.
            let _ = writeln!(
                std::io::stderr(),
                "\n*** SKIPPED: scalesim not installed (no SCALE-Sim 3.0.0 venv at {}) ***\n\
                 *** run testbench/scalesim/setup_venv.sh {} or set LUTFORGE_REQUIRE_TOOLS=1 ***\n",
                venv.display(),
                venv.display()
            );
            return;
        }
        let status = Command::new("sh")
            .arg(root().join("testbench/scalesim/setup_venv.sh"))
            .arg(&venv)
            .status()
            .expect("cannot run sh");
        assert!(status.success(), "setup_venv.sh failed: {status}");
        assert!(
            has_scalesim(&python),
            "SCALE-Sim still not importable from {}",
            python.display()
        );
    }
    let work = root().join("target").join("scalesim-compare-ci");
    let out = Command::new("python3")
        .arg(root().join("testbench/scalesim/compare.py"))
        .arg("--python")
        .arg(&python)
        .arg("--lutforge")
        .arg(env!("CARGO_BIN_EXE_lutforge"))
        .args(["--set", "ci", "--work"])
        .arg(&work)
        .output()
        .expect("cannot run python3");
    let stdout = String::from_utf8_lossy(&out.stdout);
    println!("{stdout}{}", String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "compare.py failed ({})", out.status);
    assert!(
        stdout.contains("PASS: 13 layers identical"),
        "no PASS token in compare.py output"
    );
}
