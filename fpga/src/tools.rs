//! Finding the external programs lutforge runs, and whether a missing one is an error: one
//! lookup for every crate that runs tools (Verilator and Yosys in `lutforge-testbench`; Yosys,
//! nextpnr, icepack and ecppack in the open flow, [`crate::openflow`]).
//!
//! A program is looked up in the directories of `LUTFORGE_TOOL_PATH` (a `PATH`-style list,
//! searched first, so a Python venv's `bin` holding the YoWASP tools can be named without
//! changing `PATH`), then in `PATH`. `LUTFORGE_REQUIRE_TOOLS=1` (set by `.ci/run`) turns a
//! missing tool from a loud skip into a test failure.

use std::path::PathBuf;

/// The environment variable whose directories are searched before `PATH`.
pub const TOOL_PATH_VAR: &str = "LUTFORGE_TOOL_PATH";

/// The environment variable that, set to `1`, makes tests fail instead of skipping without a
/// tool.
pub const REQUIRE_TOOLS_VAR: &str = "LUTFORGE_REQUIRE_TOOLS";

/// True when `LUTFORGE_REQUIRE_TOOLS=1`: tests must fail, not skip, without external tools.
pub fn tools_required() -> bool {
    std::env::var(REQUIRE_TOOLS_VAR).is_ok_and(|v| v == "1")
}

/// The `bin` directory of the venv `.ci/run` installs the YoWASP tools into (searched last, so
/// that a machine set up by `.ci/run` finds them without `LUTFORGE_TOOL_PATH`).
pub const DEFAULT_VENV_BIN: &str = "/opt/lutforge-yowasp/bin";

/// The directories searched for programs: `LUTFORGE_TOOL_PATH`, then `PATH`, then
/// [`DEFAULT_VENV_BIN`].
pub fn search_path() -> Vec<PathBuf> {
    [TOOL_PATH_VAR, "PATH"]
        .iter()
        .filter_map(std::env::var_os)
        .flat_map(|list| std::env::split_paths(&list).collect::<Vec<_>>())
        .chain(std::iter::once(PathBuf::from(DEFAULT_VENV_BIN)))
        .filter(|d| !d.as_os_str().is_empty())
        .collect()
}

/// The first file named `name` in `dirs`.
pub fn find_in(dirs: &[PathBuf], name: &str) -> Option<PathBuf> {
    dirs.iter().map(|d| d.join(name)).find(|p| p.is_file())
}

/// The program `name` on [`search_path`], if there is one.
pub fn find_program(name: &str) -> Option<PathBuf> {
    find_in(&search_path(), name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_a_file_in_the_first_directory_that_has_it() {
        let root = std::env::temp_dir().join(format!("lutforge-tools-{}", std::process::id()));
        let (a, b) = (root.join("a"), root.join("b"));
        std::fs::create_dir_all(&a).unwrap();
        std::fs::create_dir_all(&b).unwrap();
        std::fs::write(b.join("tool"), "").unwrap();
        assert_eq!(
            find_in(&[a.clone(), b.clone()], "tool"),
            Some(b.join("tool"))
        );
        assert_eq!(find_in(&[a], "tool"), None);
        // A directory of that name is not a program.
        assert_eq!(find_in(std::slice::from_ref(&root), "a"), None);
        let _ = std::fs::remove_dir_all(&root);
    }
}
