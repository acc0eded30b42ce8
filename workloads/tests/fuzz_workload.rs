//! Fuzz target: `Workload::new` and the lowering with arbitrary numbers.
//!
//! A preset model, sometimes with numeric fields set to arbitrary values (zero, boundaries,
//! 2^31, 2^63, `u64::MAX`; the sliding window included), a quantization scheme, a routing
//! model and MLA decode form, and batch, prefill, decode, shared prefix,
//! draft length and acceptance rate drawn from small values, range boundaries and huge ones
//! (the rate also NaN, infinite and negative). Construction either fails with a one-line error
//! or yields a workload whose every step lowers with `try_lower_step` equal to `lower_step`,
//! and whose FLOP and byte totals over the run fit in a `u64`. Never a panic. Proptest runs
//! 1,000 cases (`PROPTEST_CASES` scales it); `LUTFORGE_FUZZ_CASES=100000` runs the counting
//! fuzz (see `common`).

mod common;

use lutforge_models::{ModelConfig, Moe, QuantScheme, SlidingWindow};
use lutforge_workloads::{
    lower_step, try_lower_step, LoweringOptions, MlaDecode, MoeRouting, Speculative, Workload,
};
use proptest::prelude::*;

/// Runs with more forward passes than this are checked by construction only (their largest
/// steps are lowered there); lowering every step of them would dominate the fuzz time.
const LOWER_ALL_UP_TO: u64 = 2048;

/// A count: small, at a range boundary, or huge.
fn count() -> impl Strategy<Value = u64> {
    prop_oneof![
        12 => 0u64..=40,
        2 => prop::sample::select(vec![
            0u64,
            1,
            64,
            65,
            4096,
            65_536,
            1 << 20,
            (1 << 20) + 1,
            (1 << 22) + 1,
            1 << 24,
            (1 << 24) + 1,
            1 << 31,
            1 << 32,
            1 << 53,
            1 << 63,
            u64::MAX,
        ]),
        1 => any::<u64>(),
        1 => 1u64..=100_000,
    ]
}

/// A probability, or not.
fn rate() -> impl Strategy<Value = f64> {
    prop_oneof![
        4 => 0.0f64..=1.0,
        1 => prop::sample::select(vec![0.0, 1.0, -0.0, -1e-9, 1.0 + 1e-9, f64::NAN, f64::INFINITY, f64::NEG_INFINITY, 1e300]),
        1 => any::<f64>(),
    ]
}

/// Indices of the numeric model fields a case may set.
const MODEL_FIELDS: usize = 13;

fn set_field(model: &mut ModelConfig, field: usize, value: u64) {
    match field {
        0 => model.hidden_size = value,
        1 => model.intermediate_size = value,
        2 => model.num_layers = value,
        3 => model.num_heads = value,
        4 => model.num_kv_heads = value,
        5 => model.head_dim = value,
        6 => model.vocab_size = value,
        7 => model.max_position = value,
        8 => model.extra_norms_per_layer = value,
        11 => {
            let local_layers = model.sliding_window.map_or(1, |w| w.local_layers);
            model.sliding_window = Some(SlidingWindow {
                window: value,
                local_layers,
            });
        }
        12 => {
            let window = model.sliding_window.map_or(4096, |w| w.window);
            model.sliding_window = Some(SlidingWindow {
                window,
                local_layers: value,
            });
        }
        9 => {
            let moe = model
                .moe
                .unwrap_or(Moe::routed(8, 1, model.intermediate_size));
            model.moe = Some(Moe {
                num_experts: value,
                ..moe
            });
        }
        _ => {
            let moe = model
                .moe
                .unwrap_or(Moe::routed(8, 1, model.intermediate_size));
            model.moe = Some(Moe {
                top_k: value,
                ..moe
            });
        }
    }
}

#[derive(Debug, Clone)]
struct Case {
    model: String,
    edits: Vec<(usize, u64)>,
    quant: String,
    batch: u64,
    prefill: u64,
    decode: u64,
    shared_prefix: u64,
    speculative: Option<(String, u64, f64)>,
}

fn case() -> impl Strategy<Value = Case> {
    let presets = ModelConfig::presets();
    let quants = vec![
        "w2a8kv4",
        "w1.58a8",
        "w4a16g128z",
        "wc3afp8kv8",
        "w16a16",
        "w8a8kv8g1",
        "wv16x2av64x2",
    ];
    (
        prop::sample::select(presets.clone()),
        prop_oneof![
            2 => Just(Vec::new()),
            1 => prop::collection::vec((0..MODEL_FIELDS, count()), 1..=2),
        ],
        prop::sample::select(quants),
        (
            count(),
            count(),
            count(),
            prop_oneof![2 => Just(0u64), 1 => count()],
        ),
        prop_oneof![
            2 => Just(None),
            1 => (prop::sample::select(presets), count(), rate()).prop_map(Some),
        ],
    )
        .prop_map(
            |(model, edits, quant, (batch, prefill, decode, shared_prefix), speculative)| Case {
                model: model.to_string(),
                edits,
                quant: quant.to_string(),
                batch,
                prefill,
                decode,
                shared_prefix,
                speculative: speculative.map(|(d, k, a)| (d.to_string(), k, a)),
            },
        )
}

/// Builds and, when valid, lowers the case; `Err` describes a broken property.
fn check(case: &Case) -> Result<common::Outcome, String> {
    let mut model = ModelConfig::preset(&case.model).unwrap();
    for &(field, value) in &case.edits {
        set_field(&mut model, field, value);
    }
    let quant: QuantScheme = case.quant.parse().unwrap();
    // The lowering options follow the case's parities, so every routing and MLA form is drawn.
    let options = LoweringOptions {
        moe_routing: if case.batch % 2 == 1 {
            MoeRouting::Uniform
        } else {
            MoeRouting::Balanced
        },
        mla_decode: if case.decode % 2 == 1 {
            MlaDecode::Absorbed
        } else {
            MlaDecode::Expanded
        },
    };
    let built = Workload::new(model.clone(), quant, case.batch, case.prefill, case.decode)
        .and_then(|w| w.with_options(options))
        .and_then(|w| {
            if case.shared_prefix > 0 {
                w.with_shared_prefix(case.shared_prefix)
            } else {
                Ok(w)
            }
        })
        .and_then(|w| match &case.speculative {
            None => Ok(w),
            Some((draft, draft_len, acceptance_rate)) => {
                let mut draft = ModelConfig::preset(draft).unwrap();
                // Mostly give the draft the target's vocabulary, so construction goes on.
                if draft_len % 4 != 3 {
                    draft.vocab_size = model.vocab_size;
                }
                w.with_speculative(Speculative {
                    draft,
                    draft_quant: quant,
                    draft_len: *draft_len,
                    acceptance_rate: *acceptance_rate,
                })
            }
        });
    let workload = match built {
        Ok(workload) => workload,
        Err(err) => {
            let message = err.to_string();
            if message.contains('\n') {
                return Err(format!("multi-line error: {message:?}"));
            }
            return Ok(common::Outcome::Error);
        }
    };
    let passes = workload.forward_passes();
    if passes > Workload::FORWARD_PASSES.max as u64 {
        return Err(format!("{passes} forward passes accepted"));
    }
    if passes <= LOWER_ALL_UP_TO {
        let steps = workload.steps();
        if steps.len() as u64 != passes {
            return Err(format!(
                "{} steps, forward_passes() = {passes}",
                steps.len()
            ));
        }
        let (mut flops, mut bytes) = (0u64, 0u64);
        for step in &steps {
            let (model, quant) = workload.model_of(step);
            let ops = try_lower_step(model, quant, step)
                .map_err(|e| format!("a step of a valid workload fails to lower: {e}"))?;
            if ops != lower_step(model, quant, step) {
                return Err("lower_step and try_lower_step differ".into());
            }
            for op in &ops {
                let f = op.flops.checked_mul(op.repeat);
                let b = op.total_bytes().checked_mul(op.repeat);
                match (
                    f.and_then(|f| flops.checked_add(f)),
                    b.and_then(|b| bytes.checked_add(b)),
                ) {
                    (Some(f), Some(b)) => (flops, bytes) = (f, b),
                    _ => return Err(format!("run totals overflow at {step:?}, op {:?}", op.kind)),
                }
            }
        }
    }
    Ok(common::Outcome::Ok)
}

proptest! {
    #![proptest_config(common::persisted(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/proptest-regressions/tests/fuzz_workload.txt"
    )))]

    #[test]
    fn arbitrary_workloads_build_and_lower_or_fail_with_one_line(case in case()) {
        if let Err(why) = check(&case) {
            return Err(TestCaseError::fail(why));
        }
    }
}

#[test]
fn counted_fuzz_workload() {
    common::count("workload", case(), check);
}
