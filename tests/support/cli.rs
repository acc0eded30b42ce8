//! Runs the `lutforge` binary of this build from the project root: (stdout, stderr, exit code).
//! Included by the CLI test files with `#[path = "support/cli.rs"] mod cli;`.

use std::process::Command;

/// `lutforge ARGS` in the project root.
pub fn lutforge(args: &[&str]) -> (String, String, i32) {
    let out = Command::new(env!("CARGO_BIN_EXE_lutforge"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    (
        String::from_utf8_lossy(&out.stdout).into(),
        String::from_utf8_lossy(&out.stderr).into(),
        out.status.code().unwrap_or(-1),
    )
}
