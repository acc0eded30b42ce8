//! Every workload parameter has a range, and counts too large for 64 bits are typed errors
//! naming the dimension at fault, never a panic or a wrapped number.

use lutforge_models::{ModelConfig, QuantScheme, WeightFormat};
use lutforge_workloads::{
    lower_step, try_lower_step, Speculative, Step, StepKind, Workload, WorkloadError,
};

fn model(name: &str) -> ModelConfig {
    ModelConfig::preset(name).unwrap()
}

fn quant() -> QuantScheme {
    "w2a8kv4".parse().unwrap()
}

fn error(result: Result<Workload, WorkloadError>) -> String {
    let message = result.unwrap_err().to_string();
    assert!(!message.contains('\n'), "{message}");
    message
}

/// tiny-llama with the longest context a model may have, so long runs pass the context check.
fn long_context() -> ModelConfig {
    let mut m = model("tiny-llama");
    m.max_position = 1 << 24;
    m
}

fn speculative(draft_len: u64, acceptance_rate: f64) -> Speculative {
    Speculative {
        draft: long_context(),
        draft_quant: quant(),
        draft_len,
        acceptance_rate,
    }
}

#[test]
fn each_parameter_has_its_range() {
    let m = long_context();
    assert_eq!(
        error(Workload::new(m.clone(), quant(), 1_048_577, 16, 3)),
        "workload: `batch` must be between 1 and 1048576 sequences (got 1048577)"
    );
    assert_eq!(
        error(Workload::new(m.clone(), quant(), 1, 16, 1_048_577)),
        "workload: `decode` must be between 0 and 1048576 tokens (got 1048577)"
    );
    let w = Workload::new(m, quant(), 1, 16, 8).unwrap();
    assert_eq!(
        error(w.clone().with_speculative(speculative(65, 0.5))),
        "workload: `draft_len` must be between 1 and 64 tokens (got 65)"
    );
    assert_eq!(
        error(w.clone().with_speculative(speculative(0, 0.5))),
        "workload: `draft_len` must be between 1 and 64 tokens (got 0)"
    );
    assert_eq!(
        error(w.clone().with_speculative(speculative(4, f64::NAN))),
        "workload: `acceptance_rate` must be between 0 and 1 (got NaN)"
    );
    assert_eq!(
        error(w.with_speculative(speculative(4, 1.5))),
        "workload: `acceptance_rate` must be between 0 and 1 (got 1.5)"
    );
}

#[test]
fn the_number_of_forward_passes_is_bounded() {
    let w = Workload::new(long_context(), quant(), 1, 16, 1 << 20).unwrap();
    assert_eq!(w.forward_passes(), 1 << 20);
    assert_eq!(
        error(w.with_speculative(speculative(64, 0.0))),
        "workload: `decode` needs 68157376 forward passes; a run must be between 1 and 4194304 \
         forward passes (got 1048576)"
    );
}

#[test]
fn run_totals_beyond_64_bits_name_the_dimension() {
    // 10,000 layers of tiny-llama: every step fits, the FLOPs of 16383 decode steps of a
    // 65536-sequence batch over a context growing to 16384 tokens do not.
    let mut deep = long_context();
    deep.num_layers = 10_000;
    assert_eq!(
        error(Workload::new(deep.clone(), quant(), 65_536, 16, 16_384)),
        "workload: `batch` makes the FLOPs of the whole run exceed 2^64 (got 65536)"
    );
    Workload::new(deep, quant(), 4096, 16, 16_384).unwrap();
}

#[test]
fn invalid_models_and_schemes_are_errors_not_panics() {
    let mut m = model("tiny-llama");
    m.num_kv_heads = 0;
    assert_eq!(
        error(Workload::new(m, quant(), 1, 8, 8)),
        "tiny-llama: field `num_kv_heads`: must be between 1 and 65536 heads (got 0)"
    );
    let mut q = quant();
    q.weight = WeightFormat::Int(7);
    assert!(error(Workload::new(model("tiny-llama"), q, 1, 8, 8)).contains("weight width 7"));
}

fn step(batch: u64, new_tokens: u64, context_tokens: u64) -> Step {
    Step {
        kind: StepKind::Decode,
        draft: false,
        batch,
        new_tokens,
        context_tokens,
        shared_context_tokens: 0,
        logits_rows: 1,
        options: Default::default(),
    }
}

#[test]
fn a_bare_step_too_large_names_its_dimension() {
    let m = model("llama-2-7b");
    let err = try_lower_step(&m, &quant(), &step(u64::MAX, 1, 10)).unwrap_err();
    assert_eq!(
        err.to_string(),
        "workload: `batch` makes the FLOP or byte counts of `embedding` exceed 2^64 \
         (got 18446744073709551615)"
    );
    let err = try_lower_step(&m, &quant(), &step(0, 1, 1)).unwrap_err();
    assert_eq!(
        err.to_string(),
        "workload: `batch` must be at least 1 (got 0)"
    );
    // 2^63 FLOPs of attention fit in one layer, but not over the 32 layers.
    let err = try_lower_step(&m, &quant(), &step(1 << 20, 1, 1 << 30)).unwrap_err();
    assert_eq!(
        err.to_string(),
        "workload: `context_tokens` makes the FLOP or byte counts of `attn_score` exceed 2^64 \
         (got 1073741824)"
    );
}

#[test]
fn lower_step_agrees_with_try_lower_step_on_valid_steps() {
    let m = model("mixtral-8x7b");
    let s = step(4, 3, 100);
    assert_eq!(
        lower_step(&m, &quant(), &s),
        try_lower_step(&m, &quant(), &s).unwrap()
    );
}

#[test]
#[should_panic(expected = "use try_lower_step")]
fn lower_step_panics_only_on_unvalidated_input() {
    lower_step(&model("tiny-llama"), &quant(), &step(u64::MAX, u64::MAX, 0));
}

#[test]
fn a_step_too_large_is_blamed_on_the_workload_parameter() {
    let mut deep = long_context();
    deep.num_layers = 10_000;
    // Each op of the prefill pass fits; their sum does not.
    assert_eq!(
        error(Workload::new(deep.clone(), quant(), 65_536, 8192, 8192)),
        "workload: `batch` makes the FLOPs in the prefill pass exceed 2^64 (got 65536)"
    );
    // One op does not fit.
    assert_eq!(
        error(Workload::new(deep, quant(), 65_536, 16_384, 0)),
        "workload: `batch` makes the FLOP or byte counts of `attn_score` in the prefill pass \
         exceed 2^64 (got 65536)"
    );
}
