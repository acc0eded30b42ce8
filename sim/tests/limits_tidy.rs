//! House rule: every numeric field of every configuration struct the architecture file is read
//! into (`Raw*` with `deny_unknown_fields`) has a declared range in the struct's `LIMITS`
//! table, and every numeric SCALE-Sim config key read has one in `CFG_LIMITS`.

use std::path::{Path, PathBuf};

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// `(struct, field)` for every numeric field of every `Raw*` struct in `text`.
fn numeric_raw_fields(text: &str) -> Vec<(String, String)> {
    let mut found = Vec::new();
    let mut current: Option<String> = None;
    for line in text.lines() {
        let t = line.trim();
        if let Some(rest) = t
            .strip_prefix("pub struct Raw")
            .or_else(|| t.strip_prefix("struct Raw"))
        {
            current = rest
                .split(|c: char| !c.is_alphanumeric())
                .next()
                .map(|n| format!("Raw{n}"));
            continue;
        }
        if t == "}" {
            current = None;
        }
        let Some(name) = &current else { continue };
        if let Some(field) = t.strip_prefix("pub ") {
            let Some((field, ty)) = field.split_once(':') else {
                continue;
            };
            let ty = ty.trim().trim_end_matches(',');
            if [
                "u64",
                "f64",
                "u32",
                "Option<u64>",
                "Option<f64>",
                "Option<u32>",
            ]
            .contains(&ty)
            {
                found.push((name.clone(), field.trim().to_string()));
            }
        }
    }
    found
}

/// The text of `impl <name> { ... LIMITS ... }` in any source.
fn limits_of(all: &str, name: &str) -> Option<String> {
    let start = all.find(&format!("impl {name} {{"))?;
    let body = &all[start..];
    let end = body.find("\n}\n").unwrap_or(body.len());
    body[..end]
        .contains("LIMITS")
        .then(|| body[..end].to_string())
}

/// `table` followed by the tables it delegates to: a LIMITS doc comment naming
/// ``[`Other::LIMITS`]`` (a raw section whose engine fields take the engine's own ranges).
fn with_delegates(all: &str, table: String) -> String {
    let mut out = table.clone();
    for (i, _) in table.match_indices("::LIMITS`]") {
        let start = table[..i].rfind("[`").map_or(i, |j| j + 2);
        let other = &table[start..i];
        if let Some(t) = limits_of(all, other) {
            out.push_str(&t);
        }
    }
    out
}

#[test]
fn every_numeric_config_field_has_a_declared_range() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    sources(&root, &mut files);
    files.sort();
    let all: String = files
        .iter()
        .map(|f| std::fs::read_to_string(f).unwrap())
        .collect::<Vec<_>>()
        .join("\n");
    let fields = numeric_raw_fields(&all);
    assert!(
        fields
            .iter()
            .any(|(s, f)| s == "RawDram" && f == "latency_ns"),
        "the scan found no fields: {fields:?}"
    );
    let mut missing = Vec::new();
    for (name, field) in &fields {
        match limits_of(&all, name).map(|t| with_delegates(&all, t)) {
            Some(table) if table.contains(&format!("\"{field}\",")) => {}
            Some(_) => missing.push(format!("{name}.{field}: not in {name}::LIMITS")),
            None => missing.push(format!("{name}.{field}: {name} has no LIMITS table")),
        }
    }
    assert!(
        missing.is_empty(),
        "numeric fields without a range:\n  {}",
        missing.join("\n  ")
    );
}

#[test]
fn every_numeric_scalesim_key_has_a_declared_range() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/systolic/scalesim.rs");
    let text = std::fs::read_to_string(path).unwrap();
    let table_start = text.find("pub const CFG_LIMITS").unwrap();
    let table = &text[table_start..table_start + text[table_start..].find("];").unwrap()];
    let mut keys = Vec::new();
    for part in text.split("int(").skip(1) {
        // `int(AP, "ArrayHeight")` and the `for key in [...]` loops over key lists.
        if let Some(key) = part
            .split('"')
            .nth(1)
            .filter(|_| part.starts_with("AP, \"") || part.starts_with("LA, \""))
        {
            keys.push(key.to_string());
        }
    }
    for part in text.split("for key in [").skip(1) {
        // Only loops that read each key as a number.
        let body = &part[..part.find('}').unwrap_or(part.len())];
        if body.contains("int(") {
            let list = &part[..part.find(']').unwrap()];
            keys.extend(list.split('"').skip(1).step_by(2).map(str::to_string));
        }
    }
    assert!(keys.len() >= 10, "the scan found too few keys: {keys:?}");
    let missing: Vec<&String> = keys
        .iter()
        .filter(|k| !table.contains(&format!("\"{k}\",")))
        .collect();
    assert!(
        missing.is_empty(),
        "SCALE-Sim keys without a range: {missing:?}"
    );
}
