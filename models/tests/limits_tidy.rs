//! House rule: every numeric field of a model input has a declared [`Limit`], in one place.
//!
//! - every numeric key `hf.rs` reads is an `HfField` constant listed in
//!   [`hf::NUMERIC_FIELDS`], and numbers are read from the JSON only inside the two accessors
//!   that take an `HfField` (so a key cannot be read without its range);
//! - the `Ranges` table in the `hf.rs` module doc is the table, printed;
//! - every numeric field of [`ModelConfig`] and [`Moe`] has an entry in their `LIMITS`.

use std::collections::BTreeSet;
use std::path::PathBuf;

use lutforge_models::hf::NUMERIC_FIELDS;
use lutforge_models::{Limit, ModelConfig, Moe, QuantScheme};

/// The text of `models/src/<name>`.
fn source(name: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("src")
        .join(name);
    std::fs::read_to_string(path).unwrap()
}

/// `text` before its `#[cfg(test)]` module.
fn without_tests(text: &str) -> &str {
    text.split("#[cfg(test)]").next().unwrap()
}

/// The body (between the braces) of the first item whose header is `header`.
fn body<'a>(text: &'a str, header: &str) -> &'a str {
    let start = text
        .find(header)
        .unwrap_or_else(|| panic!("`{header}` not found"));
    let open = start + text[start..].find('{').unwrap();
    let mut depth = 0;
    for (i, c) in text[open..].char_indices() {
        match c {
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                if depth == 0 {
                    return &text[open + 1..open + i];
                }
            }
            _ => {}
        }
    }
    panic!("unbalanced braces after `{header}`")
}

/// The string literals that open the calls `prefix` in `text`, e.g. the keys of
/// `HfField::size(`, whitespace (rustfmt's line breaks) allowed before the literal.
fn literals_after(text: &str, prefix: &str) -> Vec<String> {
    text.match_indices(prefix)
        .filter_map(|(i, _)| {
            let rest = text[i + prefix.len()..].trim_start().strip_prefix('"')?;
            Some(rest[..rest.find('"').unwrap()].to_string())
        })
        .collect()
}

#[test]
fn every_numeric_hf_key_has_a_limit_in_the_table() {
    let hf = source("hf.rs");
    let hf = without_tests(&hf);
    let mut declared = literals_after(hf, "HfField::size(");
    declared.extend(literals_after(hf, "HfField::real("));
    let declared: BTreeSet<String> = declared.into_iter().collect();
    let table: Vec<&str> = NUMERIC_FIELDS.iter().map(|f| f.key).collect();
    let unique: BTreeSet<String> = table.iter().map(|k| k.to_string()).collect();
    assert_eq!(
        unique.len(),
        table.len(),
        "a key is listed twice: {table:?}"
    );
    assert_eq!(
        declared, unique,
        "the HfField constants of hf.rs and hf::NUMERIC_FIELDS differ"
    );
}

#[test]
fn hf_numbers_are_read_only_through_a_field_with_a_limit() {
    let hf = source("hf.rs");
    let hf = without_tests(&hf);
    let allowed = [body(hf, "fn check_size("), body(hf, "fn opt_real(")];
    let numeric = [
        ".as_u64(",
        ".as_i64(",
        ".as_f64(",
        ".is_number(",
        ".is_u64(",
        ".is_i64(",
        ".is_f64(",
        "Value::Number",
        "Number::",
    ];
    let rest = allowed
        .iter()
        .fold(hf.to_string(), |rest, inner| rest.replace(inner, ""));
    for pattern in numeric {
        assert!(
            !rest.contains(pattern),
            "hf.rs reads a number with `{pattern}` outside check_size/opt_real, so without a Limit"
        );
    }
    // The accessors do read numbers (the test would pass vacuously otherwise).
    assert!(allowed[0].contains(".as_u64(") && allowed[1].contains(".as_f64("));
}

/// The `Ranges` table as the hf.rs module doc must show it.
fn ranges_table() -> Vec<String> {
    let mut lines = vec![
        "| key | range | why |".to_string(),
        "|---|---|---|".to_string(),
    ];
    for field in NUMERIC_FIELDS {
        lines.push(format!(
            "| `{}` | {} | {} |",
            field.key,
            field.limit.describe(),
            field.limit.why
        ));
    }
    lines
}

#[test]
fn hf_doc_ranges_table_is_the_table() {
    let hf = source("hf.rs");
    let doc: Vec<String> = hf
        .lines()
        .take_while(|l| l.starts_with("//!"))
        .map(|l| l.trim_start_matches("//!").trim().to_string())
        .collect();
    let start = doc
        .iter()
        .position(|l| l == "| key | range | why |")
        .expect("hf.rs module doc has no `| key | range | why |` table");
    let expected = ranges_table();
    let got = &doc[start..(start + expected.len()).min(doc.len())];
    assert_eq!(
        got,
        &expected[..],
        "the Ranges table of the hf.rs module doc is stale; it should read:\n{}",
        expected
            .iter()
            .map(|l| format!("//! {l}"))
            .collect::<Vec<_>>()
            .join("\n")
    );
    assert_ne!(
        doc.get(start + expected.len()).map(|l| l.starts_with('|')),
        Some(true),
        "the Ranges table has rows beyond NUMERIC_FIELDS"
    );
}

/// The names of the numeric fields of `pub struct <name>` in `text`.
fn numeric_fields(text: &str, name: &str) -> Vec<String> {
    const NUMERIC: [&str; 13] = [
        "u8", "u16", "u32", "u64", "u128", "usize", "i8", "i16", "i32", "i64", "i128", "f32", "f64",
    ];
    body(text, &format!("pub struct {name} "))
        .lines()
        .filter_map(|l| {
            let l = l.trim().strip_prefix("pub ")?;
            let (field, ty) = l.split_once(':')?;
            let ty = ty.trim().trim_end_matches(',');
            let inner = ty
                .strip_prefix("Option<")
                .and_then(|t| t.strip_suffix('>'))
                .unwrap_or(ty);
            NUMERIC.contains(&inner).then(|| field.trim().to_string())
        })
        .collect()
}

fn names(table: &[(&str, Limit)]) -> Vec<String> {
    table.iter().map(|(n, _)| n.to_string()).collect()
}

#[test]
fn every_numeric_model_field_has_a_limit() {
    let config = source("config.rs");
    assert_eq!(
        numeric_fields(&config, "ModelConfig"),
        names(&ModelConfig::LIMITS),
        "ModelConfig's numeric fields and ModelConfig::LIMITS differ"
    );
    assert_eq!(
        numeric_fields(&config, "Moe"),
        names(&Moe::LIMITS),
        "Moe's numeric fields and Moe::LIMITS differ"
    );
    let quant = source("quant.rs");
    assert_eq!(numeric_fields(&quant, "QuantScheme"), ["group_size"]);
    assert!(QuantScheme::GROUP_SIZE.check_u64(128).is_ok());
}

#[test]
fn the_field_parser_sees_numeric_fields() {
    let text = "pub struct S {\n    /// doc\n    pub a: u64,\n    pub b: String,\n    pub c: Option<u32>,\n}\n";
    assert_eq!(numeric_fields(text, "S"), ["a", "c"]);
}
