//! Lowering invariants: bytes follow the formats, shapes follow the model, scenarios add up.

use lutforge_models::{ModelConfig, QuantScheme};
use lutforge_workloads::{
    lower_step, GemmOperand, Op, OpKind, OpShape, Phase, Speculative, Step, StepKind, Workload,
};

fn model(name: &str) -> ModelConfig {
    ModelConfig::preset(name).unwrap()
}

fn quant(text: &str) -> QuantScheme {
    text.parse().unwrap()
}

fn decode_step(context: u64, batch: u64) -> Step {
    Step {
        kind: StepKind::Decode,
        draft: false,
        batch,
        new_tokens: 1,
        context_tokens: context,
        shared_context_tokens: 0,
        logits_rows: 1,
        options: Default::default(),
    }
}

fn total(ops: &[Op], f: impl Fn(&Op) -> u64) -> u64 {
    ops.iter().map(|op| f(op) * op.repeat).sum()
}

#[test]
fn one_decode_step_reads_every_linear_weight_once() {
    for (name, q) in [
        ("llama-2-7b", "w2a8kv4"),
        ("qwen3-1.7b", "w4a8kv8"),
        ("gpt2-large", "w1.58a8"),
        ("opt-6.7b", "w8a8kv8"),
        ("qwen3-1.7b", "wv16x2av64x2"),
    ] {
        let m = model(name);
        let qs = quant(q);
        let ops = lower_step(&m, &qs, &decode_step(100, 1));
        let weights = total(
            &ops.iter()
                .filter(|o| matches!(o.shape, OpShape::Gemm { .. }))
                .cloned()
                .collect::<Vec<_>>(),
            |o| o.weight_bytes,
        );
        // parameters x bits / 8, plus one fp16 scale per output channel of each matrix; the LM
        // head (tied or not) is read in fp16, the schemes' head format (see lower.rs).
        let head = m.vocab_size * m.hidden_size;
        let untied_head = if m.tied_embeddings { 0 } else { head };
        let ideal = (m.linear_param_count() - untied_head) as f64 * qs.weight.storage_bits() / 8.0
            + head as f64 * 2.0;
        let got = weights as f64;
        assert!(got >= ideal, "{name}: {got} < {ideal}");
        assert!(
            got < ideal * 1.01,
            "{name}: {got} vs {ideal}: scales should add under 1%"
        );
    }
}

#[test]
fn vq_activations_are_read_as_their_index_stream() {
    // av64x2: one 6-bit index per 2 activations, 3 bits each against INT8's 8, for every
    // matrix product (projections and attention alike: every K here is even, the attention
    // value product's K being the 99 + 1 tokens of context).
    let m = model("llama-2-7b");
    let read = |q: &str| {
        lower_step(&m, &quant(q), &decode_step(99, 1))
            .into_iter()
            .filter(|o| matches!(o.shape, OpShape::Gemm { .. }) && o.kind != OpKind::LmHead)
            .map(|o| (o.kind, o.act_read_bytes))
            .collect::<Vec<_>>()
    };
    let (vq, int8) = (read("wv16x2av64x2"), read("w2a8"));
    assert_eq!(vq.len(), int8.len());
    for ((kind, v), (_, i)) in vq.iter().zip(&int8) {
        assert_eq!(v * 8, i * 3, "{kind:?}");
    }
    // An odd context pads the last vector of each probability row: ceil(101 / 2) indices.
    let ops = lower_step(&m, &quant("wv16x2av64x2"), &decode_step(100, 1));
    let value = ops.iter().find(|o| o.kind == OpKind::AttnValue).unwrap();
    assert_eq!(value.act_read_bytes, (m.num_heads * 51 * 6).div_ceil(8));
}

#[test]
fn grouped_scales_add_their_bytes() {
    let m = model("llama-2-7b");
    let ops = |q: &str| lower_step(&m, &quant(q), &decode_step(1, 1));
    let plain = total(&ops("w4a16"), |o| o.weight_bytes);
    let grouped = total(&ops("w4a16g128"), |o| o.weight_bytes);
    // One fp16 scale per 128 weights: 16 / 128 = 0.125 extra bits per weight on 4 bits.
    let ratio = grouped as f64 / plain as f64;
    assert!((ratio - (4.125 / 4.0)).abs() < 0.005, "ratio {ratio}");
}

#[test]
fn kv_bytes_follow_the_kv_format_and_context() {
    let m = model("llama-3.1-8b");
    let kv_read = |q: &str, ctx: u64| {
        let ops = lower_step(&m, &quant(q), &decode_step(ctx, 1));
        total(&ops, |o| o.kv_read_bytes)
    };
    let fp16 = kv_read("w4a8kv16", 1023);
    let int8 = kv_read("w4a8kv8", 1023);
    let int4 = kv_read("w4a8kv4", 1023);
    // 2 (K, V) x layers x kv_dim x tokens x bytes, plus per-head fp16 scales for integers.
    let tokens = 1024u64;
    assert_eq!(fp16, 2 * 32 * 1024 * tokens * 2);
    assert_eq!(int8, 2 * 32 * (1024 * tokens + 8 * tokens * 2));
    assert_eq!(int4, 2 * 32 * (512 * tokens + 8 * tokens * 2));
    assert!(kv_read("w4a8kv8", 2047) > int8);
}

#[test]
fn gqa_groups_query_heads_onto_kv_heads() {
    let m = model("llama-3.1-8b"); // 32 query heads on 8 KV heads
    let ops = lower_step(&m, &quant("w4a8kv8"), &decode_step(99, 3));
    let score = ops.iter().find(|o| o.kind == OpKind::AttnScore).unwrap();
    match score.shape {
        OpShape::Gemm {
            m: rows,
            n,
            k,
            count,
            operand,
            ..
        } => {
            assert_eq!((rows, n, k, count), (4, 100, 128, 3 * 8));
            assert!(matches!(operand, GemmOperand::KvCache(_)));
        }
        _ => panic!("attention score is a matrix product"),
    }
}

#[test]
fn moe_reads_only_the_experts_it_routes_to() {
    let m = model("mixtral-8x7b");
    let ffn_weights = |batch: u64| {
        let ops = lower_step(&m, &quant("w4a8kv8"), &decode_step(10, batch));
        total(
            &ops.into_iter()
                .filter(|o| matches!(o.kind, OpKind::FfnUp | OpKind::FfnDown))
                .collect::<Vec<_>>(),
            |o| o.weight_bytes,
        )
    };
    let one = ffn_weights(1); // 1 token x top-2
    let many = ffn_weights(64); // 128 assignments over 8 experts: all of them
    assert!(
        (many as f64 / one as f64 - 4.0).abs() < 1e-9,
        "{many} vs {one}"
    );
}

#[test]
fn prefill_computes_logits_for_the_last_position_only() {
    let m = model("llama-2-7b");
    let w = Workload::new(m, quant("w2a8kv4"), 2, 512, 4).unwrap();
    let steps = w.steps();
    assert_eq!(
        steps.len(),
        1 + 3,
        "prefill produces token 1; three more decode steps"
    );
    let ops = lower_step(&w.model, &w.quant, &steps[0]);
    let head = ops.iter().find(|o| o.kind == OpKind::LmHead).unwrap();
    assert!(matches!(head.shape, OpShape::Gemm { m: 2, .. }));
    assert_eq!(head.phase, Phase::Prefill);
    let qkv = ops.iter().find(|o| o.kind == OpKind::QkvProj).unwrap();
    assert!(matches!(qkv.shape, OpShape::Gemm { m: 1024, .. }));
}

#[test]
fn shared_prefix_is_prefilled_and_read_once() {
    let m = model("llama-2-7b");
    let plain = Workload::new(m.clone(), quant("w2a8kv4"), 8, 1024, 2).unwrap();
    let shared = plain.clone().with_shared_prefix(768).unwrap();
    let flops = |w: &Workload| -> u64 {
        w.steps()
            .iter()
            .filter(|s| s.phase() == Phase::Prefill)
            .map(|s| total(&lower_step(&w.model, &w.quant, s), |o| o.flops))
            .sum()
    };
    assert!(flops(&shared) < flops(&plain) / 2);
    let kv = |w: &Workload| -> u64 {
        let s = w
            .steps()
            .into_iter()
            .find(|s| s.phase() == Phase::Decode)
            .unwrap();
        total(&lower_step(&w.model, &w.quant, &s), |o| o.kv_read_bytes)
    };
    // 768 shared tokens read once instead of 8 times: 768 + 8 x 257 against 8 x 1025 tokens.
    let ratio = kv(&plain) as f64 / kv(&shared) as f64;
    assert!(
        (ratio - 8.0 * 1025.0 / (768.0 + 8.0 * 257.0)).abs() < 0.01,
        "ratio {ratio}"
    );
}

#[test]
fn speculative_decoding_needs_fewer_target_passes() {
    let target = model("llama-2-7b");
    let draft = model("tiny-llama");
    let mut draft = draft;
    draft.vocab_size = target.vocab_size;
    let plain = Workload::new(target.clone(), quant("w2a8kv4"), 1, 128, 65).unwrap();
    let spec = plain
        .clone()
        .with_speculative(Speculative {
            draft,
            draft_quant: quant("w2a8kv4"),
            draft_len: 4,
            acceptance_rate: 0.8,
        })
        .unwrap();
    let target_passes = |w: &Workload| {
        w.steps()
            .iter()
            .filter(|s| s.phase() == Phase::Decode && !s.draft)
            .count()
    };
    // E[tokens per verify] = (1 - 0.8^5) / 0.2 = 3.3616; 64 tokens -> 20 iterations.
    assert_eq!(target_passes(&plain), 64);
    assert_eq!(target_passes(&spec), 20);
    assert_eq!(spec.steps().iter().filter(|s| s.draft).count(), 80);
}

#[test]
fn bad_scenarios_are_rejected_with_the_field() {
    let m = model("gpt2-large");
    let q = quant("w4a8");
    assert_eq!(
        Workload::new(m.clone(), q, 0, 8, 8)
            .unwrap_err()
            .to_string(),
        "workload: `batch` must be between 1 and 1048576 sequences (got 0)"
    );
    assert!(Workload::new(m.clone(), q, 1, 0, 8)
        .unwrap_err()
        .to_string()
        .contains("`prefill`"));
    assert!(Workload::new(m.clone(), q, 1, 1000, 100)
        .unwrap_err()
        .to_string()
        .contains("context length of 1024"));
    let w = Workload::new(m, q, 1, 16, 8).unwrap();
    assert!(w
        .with_shared_prefix(16)
        .unwrap_err()
        .to_string()
        .contains("shorter than the prompt"));
}
