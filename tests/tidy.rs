//! House rules, checked on every `cargo test`: module docs on every Rust file, no ignored tests,
//! no stubs, and backquoted paths in the Markdown docs that exist.

use std::path::{Path, PathBuf};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn files(dir: &Path, ext: &str, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().to_string();
        if path.is_dir() {
            if !name.starts_with('.') && name != "target" && name != "build" {
                files(&path, ext, out);
            }
        } else if path.extension().is_some_and(|e| e == ext) {
            out.push(path);
        }
    }
}

#[test]
fn every_rust_file_starts_with_a_module_doc() {
    let mut rs = Vec::new();
    files(root(), "rs", &mut rs);
    let missing: Vec<_> = rs
        .iter()
        .filter(|p| !std::fs::read_to_string(p).unwrap().starts_with("//!"))
        .map(|p| p.strip_prefix(root()).unwrap().display().to_string())
        .collect();
    assert!(
        missing.is_empty(),
        "files without a `//!` module doc: {missing:?}"
    );
}

#[test]
fn no_ignored_tests_and_no_stubs() {
    let mut rs = Vec::new();
    files(root(), "rs", &mut rs);
    // Spelled in pieces so this file does not match its own search.
    let banned = [
        concat!("#[", "ignore"),
        concat!("todo", "!("),
        concat!("unimplemented", "!("),
    ];
    let mut hits = Vec::new();
    for path in rs.iter().filter(|p| !p.ends_with("tests/tidy.rs")) {
        let text = std::fs::read_to_string(path).unwrap();
        for word in banned {
            if text.contains(word) {
                hits.push(format!(
                    "{}: {word}",
                    path.strip_prefix(root()).unwrap().display()
                ));
            }
        }
    }
    assert!(hits.is_empty(), "banned constructs: {hits:?}");
}

#[test]
fn paths_quoted_in_docs_exist() {
    let mut missing = Vec::new();
    for doc in ["README.md", "ARCHITECTURE.md"] {
        let text = std::fs::read_to_string(root().join(doc)).unwrap();
        for quoted in text.split('`').skip(1).step_by(2) {
            let looks_like_path = quoted.contains('/')
                && !quoted.contains(' ')
                && !quoted.contains('*')
                && !quoted.contains('<')
                && !quoted.starts_with("..");
            if looks_like_path && !root().join(quoted).exists() {
                missing.push(format!("{doc}: {quoted}"));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "docs name paths that do not exist: {missing:?}"
    );
}

#[test]
fn every_arch_constant_cites_a_source() {
    // DRAM figures are the constants users copy; each must say where it comes from.
    let mut tomls = Vec::new();
    files(&root().join("configs/arch"), "toml", &mut tomls);
    for path in tomls {
        let text = std::fs::read_to_string(&path).unwrap();
        let dram = text.split("[dram]").nth(1).unwrap_or("");
        assert!(
            dram.contains('#'),
            "{}: the [dram] section cites no source",
            path.display()
        );
    }
}
