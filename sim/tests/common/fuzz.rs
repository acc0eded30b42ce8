//! Mutation fuzzing of input files: numeric leaves of a valid TOML or JSON document (or the
//! numbers of an INI or CSV text) replaced by extreme, wrong-typed or missing values. The
//! counting run is `tests/support/fuzz_run.rs`, shared by every crate's fuzz targets.

use proptest::prelude::*;

pub use super::fuzz_run::{count, one_line, Outcome};

/// One edit of a document: which numeric leaf (an index into its leaves) and what to put there.
#[derive(Debug, Clone)]
pub enum Edit {
    /// Replace the leaf with this value.
    Set(usize, Replacement),
    /// Remove the leaf.
    Remove(usize),
}

/// A replacement value, chosen to probe ranges, overflow and types.
#[derive(Debug, Clone)]
pub enum Replacement {
    /// An integer.
    Int(i64),
    /// A float.
    Float(f64),
    /// The old value times 2^k (k may be negative): valid-looking but extreme.
    Scaled(i32),
    /// A string.
    Text(&'static str),
    /// A boolean.
    Bool(bool),
}

/// Replacement values: boundaries, overflow bait, wrong types.
pub fn replacement() -> impl Strategy<Value = Replacement> {
    prop_oneof![
        // Near the old value: files that stay valid exercise the simulator, not just parsing.
        4 => (-3i32..=3).prop_map(Replacement::Scaled),
        2 => prop::sample::select(vec![
            0i64,
            -1,
            1,
            2,
            3,
            255,
            65_535,
            1 << 31,
            (1 << 31) - 1,
            1 << 40,
            i64::MAX,
            i64::MIN
        ])
        .prop_map(Replacement::Int),
        2 => prop::sample::select(vec![
            0.0f64,
            -0.5,
            1e-300,
            1e-9,
            0.5,
            1e9,
            1e308,
            f64::NAN,
            f64::INFINITY
        ])
        .prop_map(Replacement::Float),
        2 => (-40i32..=40).prop_map(Replacement::Scaled),
        1 => prop::sample::select(vec!["x", "", "1e3", "-5"]).prop_map(Replacement::Text),
        1 => any::<bool>().prop_map(Replacement::Bool),
    ]
}

/// One to three edits of any leaf.
pub fn edits() -> impl Strategy<Value = Vec<Edit>> {
    prop::collection::vec(
        prop_oneof![
            8 => (any::<usize>(), replacement()).prop_map(|(i, r)| Edit::Set(i, r)),
            1 => any::<usize>().prop_map(Edit::Remove),
        ],
        1..=3,
    )
}

/// Paths (keys and array indices) of every numeric leaf of a TOML document.
fn toml_leaves(v: &toml::Value, path: &mut Vec<String>, out: &mut Vec<Vec<String>>) {
    match v {
        toml::Value::Integer(_) | toml::Value::Float(_) => out.push(path.clone()),
        toml::Value::Table(t) => {
            for (k, child) in t {
                path.push(k.clone());
                toml_leaves(child, path, out);
                path.pop();
            }
        }
        toml::Value::Array(a) => {
            for (i, child) in a.iter().enumerate() {
                path.push(i.to_string());
                toml_leaves(child, path, out);
                path.pop();
            }
        }
        _ => {}
    }
}

fn scaled(old: f64, k: i32) -> f64 {
    old * 2f64.powi(k)
}

/// `text` (valid TOML) with `edits` applied to its numeric leaves.
pub fn mutate_toml(text: &str, edits: &[Edit]) -> String {
    let mut doc: toml::Value = toml::from_str(text).expect("fixture is TOML");
    let mut leaves = Vec::new();
    toml_leaves(&doc, &mut Vec::new(), &mut leaves);
    for edit in edits {
        let (index, replacement) = match edit {
            Edit::Set(i, r) => (*i, Some(r)),
            Edit::Remove(i) => (*i, None),
        };
        let path = &leaves[index % leaves.len()];
        let (last, parents) = path.split_last().expect("a leaf has a path");
        let mut node = &mut doc;
        for p in parents {
            node = match node {
                toml::Value::Table(t) => t.get_mut(p).expect("path exists"),
                toml::Value::Array(a) => &mut a[p.parse::<usize>().expect("index")],
                _ => unreachable!("parents are containers"),
            };
        }
        let old = match node {
            toml::Value::Table(t) => t.get(last).cloned(),
            toml::Value::Array(a) => a.get(last.parse::<usize>().unwrap_or(0)).cloned(),
            _ => None,
        };
        let new = replacement.map(|r| match r {
            Replacement::Int(i) => toml::Value::Integer(*i),
            Replacement::Float(f) => toml::Value::Float(*f),
            Replacement::Scaled(k) => match old {
                Some(toml::Value::Integer(i)) => {
                    toml::Value::Integer(scaled(i as f64, *k).clamp(-9.2e18, 9.2e18) as i64)
                }
                Some(toml::Value::Float(f)) => toml::Value::Float(scaled(f, *k)),
                _ => toml::Value::Integer(0),
            },
            Replacement::Text(s) => toml::Value::String((*s).to_string()),
            Replacement::Bool(b) => toml::Value::Boolean(*b),
        });
        match (node, new) {
            (toml::Value::Table(t), Some(v)) => {
                t.insert(last.clone(), v);
            }
            (toml::Value::Table(t), None) => {
                t.remove(last);
            }
            (toml::Value::Array(a), Some(v)) => {
                if let Ok(i) = last.parse::<usize>() {
                    if i < a.len() {
                        a[i] = v;
                    }
                }
            }
            (toml::Value::Array(a), None) => {
                if let Ok(i) = last.parse::<usize>() {
                    if i < a.len() {
                        a.remove(i);
                    }
                }
            }
            _ => {}
        }
    }
    toml::to_string(&doc).expect("a TOML value serializes")
}

/// `text` (valid JSON) with `edits` applied to the numeric top-level keys.
pub fn mutate_json(text: &str, edits: &[Edit]) -> String {
    let mut doc: serde_json::Value = serde_json::from_str(text).expect("fixture is JSON");
    let map = doc.as_object_mut().expect("a config.json is an object");
    let keys: Vec<String> = map
        .iter()
        .filter(|(_, v)| v.is_number())
        .map(|(k, _)| k.clone())
        .collect();
    for edit in edits {
        let (index, replacement) = match edit {
            Edit::Set(i, r) => (*i, Some(r)),
            Edit::Remove(i) => (*i, None),
        };
        let key = &keys[index % keys.len()];
        let old = map.get(key).and_then(serde_json::Value::as_f64);
        match replacement {
            None => {
                map.remove(key);
            }
            Some(r) => {
                let v = match r {
                    Replacement::Int(i) => serde_json::Value::from(*i),
                    Replacement::Float(f) => serde_json::Number::from_f64(*f)
                        .map_or(serde_json::Value::Null, serde_json::Value::Number),
                    Replacement::Scaled(k) => {
                        serde_json::Number::from_f64(scaled(old.unwrap_or(1.0), *k).round())
                            .map_or(serde_json::Value::Null, serde_json::Value::Number)
                    }
                    Replacement::Text(s) => serde_json::Value::String((*s).to_string()),
                    Replacement::Bool(b) => serde_json::Value::Bool(*b),
                };
                map.insert(key.clone(), v);
            }
        }
    }
    doc.to_string()
}

/// `text` with `edits` applied to its runs of digits (for INI and CSV inputs): a removal
/// leaves the field empty.
pub fn mutate_numbers_in_text(text: &str, edits: &[Edit]) -> String {
    let bytes = text.as_bytes();
    let mut runs = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i].is_ascii_digit() && (i == 0 || !bytes[i - 1].is_ascii_alphanumeric()) {
            let start = i;
            while i < bytes.len() && bytes[i].is_ascii_digit() {
                i += 1;
            }
            if i == bytes.len() || !bytes[i].is_ascii_alphabetic() {
                runs.push((start, i));
            }
        } else {
            i += 1;
        }
    }
    if runs.is_empty() {
        return text.to_string();
    }
    let mut replaced: Vec<Option<String>> = vec![None; runs.len()];
    for edit in edits {
        let (index, replacement) = match edit {
            Edit::Set(i, r) => (*i % runs.len(), Some(r)),
            Edit::Remove(i) => (*i % runs.len(), None),
        };
        let (s, e) = runs[index];
        let old: f64 = text[s..e].parse().unwrap_or(1.0);
        replaced[index] = Some(match replacement {
            None => String::new(),
            Some(Replacement::Int(v)) => v.to_string(),
            Some(Replacement::Float(f)) => f.to_string(),
            Some(Replacement::Scaled(k)) => format!("{}", scaled(old, *k).round()),
            Some(Replacement::Text(t)) => (*t).to_string(),
            Some(Replacement::Bool(b)) => b.to_string(),
        });
    }
    let mut out = String::new();
    let mut at = 0;
    for ((s, e), new) in runs.iter().zip(replaced) {
        out.push_str(&text[at..*s]);
        out.push_str(new.as_deref().unwrap_or(&text[*s..*e]));
        at = *e;
    }
    out.push_str(&text[at..]);
    out
}
