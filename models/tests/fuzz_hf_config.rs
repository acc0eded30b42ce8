//! Fuzz target: Hugging Face `config.json` import on valid files with mutated fields.
//!
//! Starts from every built-in preset (`models/presets/`) and every fixture (Mistral among them),
//! sets 1 to 4 keys (numeric keys mostly, also inside a gemma3 `text_config`) to huge,
//! negative, zero, 2^31, 2^63, beyond-u64, fractional, string, boolean, null or container
//! values (layer lists among them), or removes them, and asserts that
//! import returns `Ok` (a model that passes `validate`) or a one-line error naming a field the
//! importer reads, and never panics. Proptest runs 1,000 cases (`PROPTEST_CASES` scales it);
//! `LUTFORGE_FUZZ_CASES=100000` runs the counting fuzz (see `common`).

mod common;

use std::path::PathBuf;

use lutforge_models::hf::NUMERIC_FIELDS;
use lutforge_models::{ModelConfig, ModelError};
use proptest::prelude::*;
use serde_json::Value;

/// Keys the importer reads that are not numeric (the last two are never mutated: the name is
/// free text and `(top level)` is not a key).
const OTHER_KEYS: [&str; 16] = [
    "model_type",
    "hidden_act",
    "activation_function",
    "tie_word_embeddings",
    "attention_bias",
    "mlp_bias",
    "enable_bias",
    "do_layer_norm_before",
    "hidden_activation",
    "use_sliding_window",
    "qkv_bias",
    "layer_types",
    "text_config",
    "topk_method",
    "_name_or_path",
    "(top level)",
];

/// Where a multimodal config (gemma3) nests the keys of its language model; a mutated key
/// with this prefix edits that object, and errors inside it name `text_config.<key>`.
const NESTED: &str = "text_config.";

/// Numeric keys found in real configs that the importer ignores.
const IGNORED_KEYS: [&str; 5] = [
    "bos_token_id",
    "eos_token_id",
    "num_nextn_predict_layers",
    "initializer_range",
    "n_ctx",
];

/// (file name, JSON text) of every preset and fixture, read once.
fn bases() -> &'static [(String, String)] {
    static BASES: std::sync::OnceLock<Vec<(String, String)>> = std::sync::OnceLock::new();
    BASES.get_or_init(read_bases)
}

fn read_bases() -> Vec<(String, String)> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    for dir in ["presets", "tests/fixtures"] {
        let mut paths: Vec<PathBuf> = std::fs::read_dir(root.join(dir))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "json"))
            .collect();
        paths.sort();
        for path in paths {
            let name = path.file_name().unwrap().to_string_lossy().to_string();
            files.push((name, std::fs::read_to_string(&path).unwrap()));
        }
    }
    assert!(files.len() >= 17, "presets and fixtures: {}", files.len());
    files
}

/// A JSON value as text, to be parsed into the document (so integers beyond u64 stay literal).
fn value() -> impl Strategy<Value = Option<String>> {
    let special = prop::sample::select(vec![
        "0",
        "-1",
        "1",
        "2",
        "3",
        "7",
        "2147483648",
        "4294967296",
        "9007199254740993",
        "9223372036854775807",
        "9223372036854775808",
        "18446744073709551615",
        "18446744073709551616",
        "340282366920938463463374607431768211456",
        "-9223372036854775808",
        "-9223372036854775809",
        "1e20",
        "1e308",
        "-1e308",
        "1e-300",
        "0.5",
        "64.0",
        "4096.5",
        "-0.0",
        "\"12\"",
        "\"\"",
        "true",
        "null",
        "[]",
        "{}",
        "[4096]",
        "[-1]",
        "[0, 1, 2]",
        "[\"sliding_attention\", \"full_attention\"]",
        "[\"global\"]",
        "\"noaux_tc\"",
    ])
    .prop_map(|s| Some(s.to_string()));
    prop_oneof![
        4 => special,
        2 => (1u64..=100_000).prop_map(|n| Some(n.to_string())),
        1 => any::<u64>().prop_map(|n| Some(n.to_string())),
        1 => any::<i64>().prop_map(|n| Some(n.to_string())),
        1 => any::<f64>()
            .prop_filter("JSON has no NaN or infinity", |f| f.is_finite())
            .prop_map(|f| Some(format!("{f:e}"))),
        1 => Just(None),
    ]
}

/// A key to mutate: mostly the numeric keys the importer reads.
fn key() -> impl Strategy<Value = String> {
    let numeric: Vec<&str> = NUMERIC_FIELDS.iter().map(|f| f.key).collect();
    let nested: Vec<String> = numeric.iter().map(|k| format!("{NESTED}{k}")).collect();
    prop_oneof![
        6 => prop::sample::select(numeric).prop_map(str::to_string),
        1 => prop::sample::select(OTHER_KEYS[..14].to_vec()).prop_map(str::to_string),
        1 => prop::sample::select(IGNORED_KEYS.to_vec()).prop_map(str::to_string),
        1 => prop::sample::select(nested),
    ]
}

#[derive(Debug, Clone)]
struct Case {
    base: usize,
    edits: Vec<(String, Option<String>)>,
}

fn case() -> impl Strategy<Value = Case> {
    let n = bases().len();
    (0..n, prop::collection::vec((key(), value()), 1..=4))
        .prop_map(|(base, edits)| Case { base, edits })
}

/// The edited document's text.
fn text_of(case: &Case) -> String {
    let bases = bases();
    let mut doc: Value = serde_json::from_str(&bases[case.base].1).unwrap();
    for (key, value) in &case.edits {
        let top = doc.as_object_mut().unwrap();
        // A nested key edits the text_config object, when the base has one.
        let (map, key) = match key.strip_prefix(NESTED) {
            Some(inner) => match top.get_mut("text_config").and_then(Value::as_object_mut) {
                Some(map) => (map, inner),
                None => continue,
            },
            None => (top, key.as_str()),
        };
        match value {
            Some(text) => {
                map.insert(key.to_string(), serde_json::from_str(text).unwrap());
            }
            None => {
                map.remove(key);
            }
        }
    }
    doc.to_string()
}

/// Imports the case; `Err` describes a broken property.
fn check(case: &Case) -> Result<common::Outcome, String> {
    let bases = bases();
    let source = format!("fuzz/{}", bases[case.base].0);
    match ModelConfig::from_hf_json_str(&text_of(case), &source) {
        Ok(config) => {
            config
                .validate(&source)
                .map_err(|e| format!("imported but invalid: {e}"))?;
            // Parameter counts saturate; they must not panic.
            let _ = (config.param_count(), config.active_param_count());
            Ok(common::Outcome::Ok)
        }
        Err(err) => {
            let message = err.to_string();
            if message.contains('\n') {
                return Err(format!("multi-line error: {message:?}"));
            }
            let ModelError::InvalidField { field, .. } = &err else {
                return Err(format!("not an InvalidField error: {message}"));
            };
            let key = field.strip_prefix(NESTED).unwrap_or(field);
            let known = NUMERIC_FIELDS.iter().any(|f| f.key == key) || OTHER_KEYS.contains(&key);
            if !known {
                return Err(format!(
                    "error names `{field}`, not a key the importer reads: {message}"
                ));
            }
            if !message.starts_with(&format!("{source}: field `{field}`: ")) {
                return Err(format!(
                    "error does not lead with file and field: {message}"
                ));
            }
            Ok(common::Outcome::Error)
        }
    }
}

proptest! {
    #![proptest_config(common::persisted(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/proptest-regressions/tests/fuzz_hf_config.txt"
    )))]

    #[test]
    fn mutated_configs_import_or_fail_with_one_line(case in case()) {
        if let Err(why) = check(&case) {
            return Err(TestCaseError::fail(why));
        }
    }
}

#[test]
fn counted_fuzz_hf_config() {
    common::count("hf_config", case(), check);
}
