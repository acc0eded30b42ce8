//! House rule: every numeric field of [`Workload`] and [`Speculative`] has a declared
//! [`lutforge_models::Limit`] in their `LIMITS` tables.

use std::path::PathBuf;

use lutforge_workloads::{Speculative, Workload};

/// The names of the numeric fields of `pub struct <name>` in `scenario.rs`.
fn numeric_fields(name: &str) -> Vec<String> {
    const NUMERIC: [&str; 13] = [
        "u8", "u16", "u32", "u64", "u128", "usize", "i8", "i16", "i32", "i64", "i128", "f32", "f64",
    ];
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src/scenario.rs");
    let text = std::fs::read_to_string(path).unwrap();
    let header = format!("pub struct {name} {{");
    let start = text
        .find(&header)
        .unwrap_or_else(|| panic!("no `{header}`"));
    let body = &text[start + header.len()..];
    let body = &body[..body.find("\n}").unwrap()];
    body.lines()
        .filter_map(|l| {
            let (field, ty) = l.trim().strip_prefix("pub ")?.split_once(':')?;
            let ty = ty.trim().trim_end_matches(',');
            NUMERIC.contains(&ty).then(|| field.trim().to_string())
        })
        .collect()
}

#[test]
fn every_numeric_workload_field_has_a_limit() {
    let table: Vec<&str> = Workload::LIMITS.iter().map(|(f, _, _)| *f).collect();
    assert_eq!(numeric_fields("Workload"), table);
    let table: Vec<&str> = Speculative::LIMITS.iter().map(|(f, _, _)| *f).collect();
    assert_eq!(numeric_fields("Speculative"), table);
}
