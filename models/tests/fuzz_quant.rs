//! Fuzz target: quantization-scheme strings, arbitrary and near-valid.
//!
//! Arbitrary text (any characters, control characters included), and strings assembled from
//! the grammar's parts with wrong, huge or missing widths, group sizes and suffixes. A parse
//! either succeeds with a scheme that validates and round-trips through `Display`, or fails
//! with a one-line `BadQuant` error quoting the text; it never panics. Proptest runs 1,000
//! cases per property (`PROPTEST_CASES` scales it); `LUTFORGE_FUZZ_CASES=100000` runs the
//! counting fuzz (see `common`).

mod common;

use lutforge_models::{ModelError, QuantScheme};
use proptest::prelude::*;

/// Digits, sometimes far too many for any integer type.
fn digits() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "",
            "0",
            "00",
            "1",
            "1.58",
            "2",
            "3",
            "4",
            "5",
            "8",
            "9",
            "12",
            "16",
            "32",
            "64",
            "128",
            "256",
            "1048576",
            "1048577",
            "4294967296",
            "18446744073709551616",
        ])
        .prop_map(str::to_string),
        "[0-9]{1,40}",
        "[0-9.]{1,6}",
    ]
}

/// A valid part most of the time, else arbitrary digits.
fn part(valid: Vec<&'static str>) -> impl Strategy<Value = String> {
    prop_oneof![3 => prop::sample::select(valid).prop_map(str::to_string), 1 => digits()]
}

/// A string close to the grammar `w<bits>a<bits>[kv<bits>][g<size>][z]` (VQ `v<C>x<L>`
/// formats among the weights and activations): each part valid
/// three times in four, and a prefix, suffix or letter case that may be wrong.
fn near_valid() -> impl Strategy<Value = String> {
    let weight = part(vec![
        "1", "1.58", "2", "3", "4", "8", "16", "c1", "c3", "c8", "cb3", "c9", "c0", "v16x2",
        "v256x16", "v12x2", "v512x2", "v16x17", "v16x0", "v16", "v", "v16x",
    ]);
    let act = part(vec![
        "8", "16", "fp8", "fp16", "v64x2", "v16x4", "v2x1", "v48x2", "v64x", "v64x99",
    ]);
    let kv = prop::option::of(part(vec!["4", "8", "16"]).prop_map(|d| format!("kv{d}")));
    let group = prop::option::of(
        prop_oneof![
            3 => (1u64..=1_048_576).prop_map(|g| g.to_string()),
            1 => digits(),
        ]
        .prop_map(|d| format!("g{d}")),
    );
    let head = prop::sample::select(vec!["w", "w", "w", "W", "", "a", " w"]);
    let middle = prop::sample::select(vec!["a", "a", "a", "A", ""]);
    let tail = prop_oneof![
        6 => Just(""),
        1 => Just("z"),
        2 => prop::sample::select(vec!["zz", "x", " ", "\n", "\nx", "kv4", "\u{e9}"]),
    ];
    (head, weight, middle, act, kv, group, tail, any::<bool>()).prop_map(
        |(w, weight, a, act, kv, group, tail, upper)| {
            let text = format!(
                "{w}{weight}{a}{act}{}{}{tail}",
                kv.unwrap_or_default(),
                group.unwrap_or_default()
            );
            if upper {
                text.to_uppercase()
            } else {
                text
            }
        },
    )
}

fn text() -> impl Strategy<Value = String> {
    prop_oneof![3 => near_valid(), 1 => ".{0,24}", 1 => "[wakvgzcbfpx0-9.\\n\\t ]{0,16}"]
}

/// Parses `text`; `Err` describes a broken property.
fn check(text: &String) -> Result<common::Outcome, String> {
    match text.parse::<QuantScheme>() {
        Ok(scheme) => {
            scheme
                .validate()
                .map_err(|e| format!("{text:?} parsed but does not validate: {e}"))?;
            let again = scheme.to_string().parse::<QuantScheme>();
            if again != Ok(scheme) {
                return Err(format!("{text:?} -> {scheme} -> {again:?}"));
            }
            // Byte counts saturate or fail; they must not panic.
            let _ = (
                scheme.weight_bytes(u64::MAX, 3),
                scheme.try_weight_bytes(4096, 4096),
            );
            Ok(common::Outcome::Ok)
        }
        Err(err) => {
            let message = err.to_string();
            if message.contains('\n') || message.contains('\r') {
                return Err(format!("multi-line error: {message:?}"));
            }
            if !matches!(err, ModelError::BadQuant { .. })
                || !message.starts_with("unknown quantization scheme `")
            {
                return Err(format!("unexpected error: {message}"));
            }
            Ok(common::Outcome::Error)
        }
    }
}

proptest! {
    #![proptest_config(common::persisted(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/proptest-regressions/tests/fuzz_quant.txt"
    )))]

    #[test]
    fn quant_strings_parse_or_fail_with_one_line(text in text()) {
        if let Err(why) = check(&text) {
            return Err(TestCaseError::fail(why));
        }
    }
}

#[test]
fn counted_fuzz_quant() {
    common::count("quant", text(), check);
}
