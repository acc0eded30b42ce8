//! House rules, checked on every `cargo test`: module docs on every Rust file, no ignored tests,
//! no stubs, backquoted paths in the Markdown docs that exist, and a source cited for every
//! architecture and energy constant.

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
fn proptest_failures_are_saved_under_proptest_regressions() {
    // proptest's default puts an integration test's failures beside the source file
    // (`tests/x.proptest-regressions`, with a warning); `failure_persistence: None` drops them.
    // So every `proptest!` block under a `tests/` directory starts with a config from a
    // `persisted(..)` helper, which saves them to `<crate>/proptest-regressions/tests/`.
    let mut rs = Vec::new();
    files(root(), "rs", &mut rs);
    let none = concat!("failure_persistence: ", "None");
    let block = concat!("proptest! ", "{");
    let mut bad = Vec::new();
    for path in rs.iter().filter(|p| !p.ends_with("tests/tidy.rs")) {
        let text = std::fs::read_to_string(path).unwrap();
        let name = path.strip_prefix(root()).unwrap().display().to_string();
        if text.contains(none) {
            bad.push(format!("{name}: {none}"));
        }
        let integration = path
            .strip_prefix(root())
            .unwrap()
            .components()
            .any(|c| c.as_os_str() == "tests");
        if !integration {
            continue;
        }
        let lines: Vec<&str> = text.lines().collect();
        for (index, line) in lines.iter().enumerate() {
            if !line.trim_start().starts_with(block) {
                continue;
            }
            let config = lines[index + 1..].iter().find(|l| !l.trim().is_empty());
            if !config.is_some_and(|l| l.contains("proptest_config(") && l.contains("persisted(")) {
                bad.push(format!(
                    "{name}:{}: proptest! without a persisted(..) config",
                    index + 1
                ));
            }
        }
    }
    let gitignore = std::fs::read_to_string(root().join(".gitignore")).unwrap();
    for line in gitignore.lines().map(str::trim) {
        if line.contains("proptest") || line == "*.txt" {
            bad.push(format!(".gitignore hides the regression files: {line}"));
        }
    }
    assert!(
        bad.is_empty(),
        "proptest failures would be lost:\n  {}",
        bad.join("\n  ")
    );
}

#[test]
fn update_expect_means_exactly_one() {
    // `UPDATE_EXPECT=1` regenerates expected files; any other value (`0` included) must
    // compare. Every read of the variable is spelled the same way.
    let name = concat!("\"UPDATE_", "EXPECT\"");
    let rule = concat!(").is_ok_and(|v| v == ", "\"1\")");
    let mut rs = Vec::new();
    files(root(), "rs", &mut rs);
    let mut reads = 0;
    let mut bad = Vec::new();
    for path in &rs {
        let text = std::fs::read_to_string(path).unwrap();
        for (at, _) in text.match_indices(name) {
            reads += 1;
            let before = &text[..at];
            let after = &text[at + name.len()..];
            if !(before.ends_with("std::env::var(") && after.starts_with(rule)) {
                let line = before.lines().count();
                bad.push(format!(
                    "{}:{line}",
                    path.strip_prefix(root()).unwrap().display()
                ));
            }
        }
    }
    assert!(
        reads >= 2,
        "found {reads} reads of UPDATE_EXPECT, expected cli_errors and golden"
    );
    assert!(
        bad.is_empty(),
        "UPDATE_EXPECT read other than as std::env::var(..){rule}: {bad:?}"
    );
}

/// Whether a comment names where a number comes from: a year (19xx or 20xx), `et al`, a
/// standard (`JESD...`, `JEDEC`), an arXiv id (`arXiv 2408.06003`), a datasheet or user-guide
/// number (`DS925`, `UG1085`), or `matched to <file>.toml` for a value copied from another
/// configuration.
fn cites_a_source(comment: &str) -> bool {
    let lower = comment.to_ascii_lowercase();
    let bytes = comment.as_bytes();
    // A year: exactly four digits, 19xx or 20xx, not part of a longer number or a decimal.
    let year = (0..bytes.len()).any(|i| {
        let starts = i == 0 || !(bytes[i - 1].is_ascii_digit() || bytes[i - 1] == b'.');
        let ends = match bytes.get(i + 4) {
            None => true,
            Some(b'.') => !digits(bytes, i + 5, 1),
            Some(c) => !c.is_ascii_digit(),
        };
        starts && digits(bytes, i, 4) && ends && matches!(&bytes[i..i + 2], b"19" | b"20")
    });
    // `arXiv 2408.06003`, `arXiv:2408.06003`.
    let arxiv = lower.match_indices("arxiv").any(|(i, m)| {
        let id = lower[i + m.len()..]
            .trim_start_matches([':', ' '])
            .as_bytes();
        digits(id, 0, 4) && id.get(4) == Some(&b'.') && digits(id, 5, 4)
    });
    let document = ["DS", "UG"].iter().any(|prefix| {
        comment.match_indices(prefix).any(|(i, m)| {
            (i == 0 || !bytes[i - 1].is_ascii_alphanumeric()) && digits(bytes, i + m.len(), 3)
        })
    });
    let matched = lower.match_indices("matched to ").any(|(i, m)| {
        lower[i + m.len()..]
            .split(|c: char| c.is_whitespace() || matches!(c, ',' | ')' | ';'))
            .next()
            .is_some_and(|file| file.ends_with(".toml"))
    });
    let named = lower.contains("et al") || comment.contains("JESD") || comment.contains("JEDEC");
    year || arxiv || document || matched || named
}

/// Whether `bytes[i..i + n]` exist and are all ASCII digits.
fn digits(bytes: &[u8], i: usize, n: usize) -> bool {
    bytes
        .get(i..i + n)
        .is_some_and(|run| run.iter().all(u8::is_ascii_digit))
}

/// The comment that documents line `index` of `lines`: the text after `marker` on the line
/// itself, plus the block of lines directly above that start with `marker`.
fn comment_of(lines: &[&str], index: usize, marker: &str) -> String {
    let mut parts: Vec<&str> = lines[..index]
        .iter()
        .rev()
        .map_while(|line| line.trim_start().strip_prefix(marker))
        .collect();
    parts.reverse();
    if let Some((_, inline)) = lines[index].split_once(marker) {
        parts.push(inline);
    }
    parts.join(" ")
}

/// `no comment`, or the comment in quotes, for a failure message.
fn quoted(comment: &str) -> String {
    let words: Vec<&str> = comment.split_whitespace().collect();
    if words.is_empty() {
        "no comment".to_string()
    } else {
        format!("comment {:?}", words.join(" "))
    }
}

#[test]
fn citation_rule_accepts_sources_and_rejects_bare_values() {
    for cited in [
        "(Horowitz, ISSCC 2014)",
        "O'Connor et al., MICRO",
        "JEDEC JESD235B",
        "LUT Tensor Core (arXiv 2408.06003)",
        "arXiv:2502.11880",
        "Zynq UltraScale+ datasheet DS925",
        "UG1085, table 1",
        "matched to lut-tc.toml",
        "1999 edition",
    ] {
        assert!(cites_a_source(cited), "{cited:?} should count as a source");
    }
    for bare in [
        "",
        "same artifact's library node",
        "first-byte latency, 100 ns",
        "1024-bit interface at 2 Gb/s per pin",
        "2408.06003",
        "12000 cycles",
        "matches lut-tc.toml",
        "DSP48 slices",
        "arXiv soon",
    ] {
        assert!(
            !cites_a_source(bare),
            "{bare:?} should not count as a source"
        );
    }
}

/// Every numeric key of `[dram]` and the top-level `clock_mhz` and `tech_node_nm` of each
/// `configs/arch/*.toml`, every `pub const` of `sim/src/energy/constants.rs` and every
/// top-level `pub const` of `fpga/src/resources.rs`, `fpga/src/generated_top.rs` and
/// `fpga/src/power.rs`, carries a
/// comment (on its own line, or in the comment block right above it; for the constants, the
/// `///` doc) that passes [`cites_a_source`]. The failure lists each `file:line: key`.
#[test]
fn every_config_constant_cites_a_source() {
    let mut uncited = Vec::new();
    let mut tomls = Vec::new();
    files(&root().join("configs/arch"), "toml", &mut tomls);
    tomls.sort();
    assert!(
        !tomls.is_empty(),
        "no architecture files under configs/arch"
    );
    for path in &tomls {
        let text = std::fs::read_to_string(path).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        let name = path.strip_prefix(root()).unwrap().display().to_string();
        let mut section = "";
        for (index, line) in lines.iter().enumerate() {
            let code = line.split('#').next().unwrap_or("").trim();
            if let Some(header) = code.strip_prefix('[') {
                section = header.trim_end_matches(']').trim();
                continue;
            }
            let Some((key, value)) = code.split_once('=') else {
                continue;
            };
            let (key, value) = (key.trim(), value.trim().replace('_', ""));
            let numeric = value.parse::<f64>().is_ok();
            let checked = match section {
                "dram" => numeric,
                "" => key == "clock_mhz" || key == "tech_node_nm",
                _ => false,
            };
            let comment = comment_of(&lines, index, "#");
            if checked && !cites_a_source(&comment) {
                let table = if section.is_empty() { "" } else { "dram." };
                uncited.push(format!(
                    "{name}:{}: {table}{key} ({})",
                    index + 1,
                    quoted(&comment)
                ));
            }
        }
    }
    let constants = "sim/src/energy/constants.rs";
    let text = std::fs::read_to_string(root().join(constants)).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let mut consts = 0;
    for (index, line) in lines.iter().enumerate() {
        let Some(rest) = line.trim_start().strip_prefix("pub const ") else {
            continue;
        };
        consts += 1;
        let key = rest.split(':').next().unwrap_or(rest).trim();
        // Only the doc comment counts (the block of `///` lines right above).
        let comment = comment_of(&lines, index, "///");
        if !cites_a_source(&comment) {
            uncited.push(format!(
                "{constants}:{}: {key} ({})",
                index + 1,
                quoted(&comment)
            ));
        }
    }
    assert!(consts > 0, "{constants}: no `pub const` found");
    // The FPGA resource and power models: every top-level `pub const` documents its source.
    for file in [
        "fpga/src/resources.rs",
        "fpga/src/generated_top.rs",
        "fpga/src/power.rs",
    ] {
        let text = std::fs::read_to_string(root().join(file)).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        let mut found = 0;
        for (index, line) in lines.iter().enumerate() {
            let Some(rest) = line.strip_prefix("pub const ") else {
                continue;
            };
            found += 1;
            let key = rest.split(':').next().unwrap_or(rest).trim();
            let comment = comment_of(&lines, index, "///");
            if !cites_a_source(&comment) {
                uncited.push(format!(
                    "{file}:{}: {key} ({})",
                    index + 1,
                    quoted(&comment)
                ));
            }
        }
        assert!(found > 0, "{file}: no `pub const` found");
    }
    assert!(
        uncited.is_empty(),
        "{} constants cite no source (a year, `et al`, JESD/JEDEC, an arXiv id, a DS/UG number, \
         or `matched to <file>.toml`, in a comment on the line or right above it):\n  {}",
        uncited.len(),
        uncited.join("\n  ")
    );
}
