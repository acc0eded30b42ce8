//! Helpers the Verilator test files share: skipping loudly when a tool is missing, and the
//! `verilator --lint-only -Wall` check of a generated bundle.

use std::path::PathBuf;
use std::process::Command;

use lutforge_rtl::{generate, Options};
use lutforge_sim::Arch;
use lutforge_testbench::tools_required;

/// Whether a test can use `tool` (`found`); if not, says `SKIPPED` (a failure under
/// `LUTFORGE_REQUIRE_TOOLS=1`).
pub fn tool_or_skip(found: bool, tool: &str) -> bool {
    if found {
        return true;
    }
    assert!(
        !tools_required(),
        "{tool} not found and LUTFORGE_REQUIRE_TOOLS=1"
    );
    eprintln!("SKIPPED: {tool} not found");
    false
}

/// Generates `arch`'s RTL into the temporary folder `dir_name` and asserts that
/// `verilator --lint-only -Wall` accepts it silently (`what` names the variant on failure).
pub fn assert_wall_clean(arch: &Arch, dir_name: &str, what: &str) {
    let dir = std::env::temp_dir().join(dir_name);
    let bundle = generate(arch, Options::default()).unwrap();
    bundle.write_to(&dir).unwrap();
    let files: Vec<PathBuf> = bundle.verilog().map(|f| dir.join(&f.name)).collect();
    let out = Command::new("verilator")
        .arg("--lint-only")
        .arg("-Wall")
        .args(&files)
        .output()
        .unwrap();
    let text =
        String::from_utf8_lossy(&out.stderr).to_string() + &String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && text.trim().is_empty(),
        "{what}: {text}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
