//! Lowering per attention kind and per FFN kind: MLA's latent cache and its two decode forms,
//! sliding windows (alone and mixed with global layers), MoE with shared experts and dense
//! layers, and the routing models. The models are Llama-2-7B with one property changed, so
//! each test compares against the same model without it.

use lutforge_models::{Attention, Mla, ModelConfig, Moe, QuantScheme, SlidingWindow};
use lutforge_workloads::{
    kv_bytes_per_token, kv_layer_kinds, linear_weight_bytes, lower_step, LoweringOptions,
    MlaDecode, MoeRouting, Op, OpKind, OpShape, Step, StepKind, Workload,
};

fn llama() -> ModelConfig {
    ModelConfig::preset("llama-2-7b").unwrap()
}

/// Llama-2-7B's width with DeepSeek-V3's attention (q_lora_rank 1536, kv_lora_rank 512,
/// qk_nope 128, qk_rope 64, v_head 128).
fn mla(q_lora_rank: Option<u64>) -> ModelConfig {
    let mut m = llama();
    m.attention = Attention::Latent(Mla {
        q_lora_rank,
        kv_lora_rank: 512,
        qk_nope_head_dim: 128,
        qk_rope_head_dim: 64,
        v_head_dim: 128,
    });
    m.head_dim = 192;
    m.validate("mla").unwrap();
    m
}

/// Llama-2-7B with a window on `local` of its 32 layers.
fn windowed(window: u64, local: u64) -> ModelConfig {
    let mut m = llama();
    m.max_position = 65_536;
    m.sliding_window = Some(SlidingWindow {
        window,
        local_layers: local,
    });
    m.validate("windowed").unwrap();
    m
}

fn quant(text: &str) -> QuantScheme {
    text.parse().unwrap()
}

fn step(
    kind: StepKind,
    new_tokens: u64,
    context: u64,
    batch: u64,
    options: LoweringOptions,
) -> Step {
    Step {
        kind,
        draft: false,
        batch,
        new_tokens,
        context_tokens: context,
        shared_context_tokens: 0,
        logits_rows: 1,
        options,
    }
}

fn decode(context: u64, batch: u64) -> Step {
    step(
        StepKind::Decode,
        1,
        context,
        batch,
        LoweringOptions::default(),
    )
}

fn total(ops: &[Op], f: impl Fn(&Op) -> u64) -> u64 {
    ops.iter().map(|op| f(op) * op.repeat).sum()
}

fn kinds(ops: &[Op]) -> Vec<&'static str> {
    ops.iter().map(|op| op.kind.as_str()).collect()
}

#[test]
fn mla_caches_one_latent_per_token_per_layer() {
    let m = mla(Some(1536));
    // layers x (kv_lora_rank + qk_rope_head_dim) x bytes per element.
    assert_eq!(kv_bytes_per_token(&m, &quant("w4a16")), 32 * (512 + 64) * 2);
    assert_eq!(
        kv_bytes_per_token(&m, &quant("w4a8kv8")),
        32 * ((512 + 64) + 2)
    );
    // Against MHA's K and V of 32 heads of 128.
    assert_eq!(
        kv_bytes_per_token(&llama(), &quant("w4a16")),
        32 * 2 * 4096 * 2
    );
    let kinds = kv_layer_kinds(&m, &quant("w4a16"));
    assert_eq!(kinds.len(), 1);
    assert_eq!((kinds[0].kind, kinds[0].layers), ("latent", 32));
}

#[test]
fn mla_decode_reads_far_fewer_kv_bytes_than_mha_of_the_same_width() {
    let q = quant("w4a8kv8");
    let kv_read = |m: &ModelConfig, options| {
        let ops = lower_step(m, &q, &step(StepKind::Decode, 1, 4095, 8, options));
        total(&ops, |op| op.kv_read_bytes)
    };
    let mha = kv_read(&llama(), LoweringOptions::default());
    for form in MlaDecode::ALL {
        let options = LoweringOptions {
            mla_decode: form,
            ..LoweringOptions::default()
        };
        let latent = kv_read(&mla(Some(1536)), options);
        assert!(latent * 7 < mha, "{form}: {latent} vs MHA {mha}");
    }
}

#[test]
fn mla_ops_follow_the_reference_projections() {
    let m = mla(Some(1536));
    let q = quant("w16a16");
    let ops = lower_step(&m, &q, &decode(99, 1));
    assert_eq!(
        kinds(&ops),
        [
            "embedding",
            "norm",
            "qkv_proj",
            "norm",
            "q_up_proj",
            "rope",
            "kv_write",
            "kv_up_proj",
            "attn_score",
            "softmax",
            "attn_value",
            "o_proj",
            "residual",
            "norm",
            "ffn_up",
            "ffn_act",
            "ffn_down",
            "residual",
            "norm",
            "lm_head"
        ]
    );
    let gemm = |kind: OpKind| {
        let op = ops.iter().find(|op| op.kind == kind).unwrap();
        match op.shape {
            OpShape::Gemm { m, n, k, count, .. } => (m, n, k, count),
            OpShape::Vector { .. } => panic!("{kind:?} is not a product"),
        }
    };
    // q_a_proj (1536) and kv_a_proj_with_mqa (512 + 64) fused over the hidden stream.
    assert_eq!(gemm(OpKind::QkvProj), (1, 1536 + 576, 4096, 1));
    assert_eq!(gemm(OpKind::QUpProj), (1, 32 * 192, 1536, 1));
    // Expanded: the 100 attended latents up-projected to K_nope and V of 32 heads.
    assert_eq!(gemm(OpKind::KvUpProj), (100, 32 * 256, 512, 1));
    assert_eq!(gemm(OpKind::AttnScore), (1, 100, 192, 32));
    assert_eq!(gemm(OpKind::AttnValue), (1, 128, 100, 32));
    assert_eq!(gemm(OpKind::OProj), (1, 4096, 32 * 128, 1));
    // Without a query compression there is no q_up_proj and the query comes out of qkv_proj.
    let plain = lower_step(&mla(None), &q, &decode(99, 1));
    assert!(!plain.iter().any(|op| op.kind == OpKind::QUpProj));
    assert_eq!(
        plain
            .iter()
            .find(|op| op.kind == OpKind::QkvProj)
            .map(|op| op.shape),
        Some(OpShape::Gemm {
            m: 1,
            n: 32 * 192 + 576,
            k: 4096,
            count: 1,
            operand: lutforge_workloads::GemmOperand::Weights(q.weight),
            act: q.act,
            scale_group: None,
        })
    );
}

#[test]
fn absorbed_decode_attends_on_the_latents_and_reads_the_same_weights() {
    let m = mla(Some(1536));
    let q = quant("w16a8kv8");
    let absorbed = LoweringOptions {
        mla_decode: MlaDecode::Absorbed,
        ..LoweringOptions::default()
    };
    let expanded = lower_step(&m, &q, &decode(999, 4));
    let folded = lower_step(&m, &q, &step(StepKind::Decode, 1, 999, 4, absorbed));
    // W_UK and W_UV are kv_b_proj's two halves: the same weight bytes per step (fp16 here;
    // a quantized kv_b_proj has per-output-channel scales, which the two layouts count
    // differently).
    assert_eq!(
        total(&expanded, |op| op.weight_bytes),
        total(&folded, |op| op.weight_bytes)
    );
    let score = folded
        .iter()
        .find(|op| op.kind == OpKind::AttnScore)
        .unwrap();
    // All 32 heads are rows of one product per sequence over the 1000 cached latents.
    assert!(matches!(
        score.shape,
        OpShape::Gemm {
            m: 32,
            n: 1000,
            k: 576,
            count: 4,
            ..
        }
    ));
    // Folding avoids up-projecting 1000 latents per sequence: far fewer FLOPs.
    assert!(total(&folded, |op| op.flops) * 2 < total(&expanded, |op| op.flops));
    // Prefill runs expanded whatever the decode form.
    let prefill = |options| lower_step(&m, &q, &step(StepKind::Prefill, 64, 0, 1, options));
    assert_eq!(prefill(absorbed), prefill(LoweringOptions::default()));
}

#[test]
fn mla_weights_are_counted_once() {
    let m = mla(Some(1536));
    let q = quant("w16a16");
    // Per layer: q_a 4096x1536, q_b 1536x6144, kv_a 4096x576, kv_b 512x8192, o 4096x4096,
    // FFN 3 x 4096 x 11008; plus the LM head.
    let per_layer =
        4096 * 1536 + 1536 * 6144 + 4096 * 576 + 512 * 8192 + 4096 * 4096 + 3 * 4096 * 11008;
    assert_eq!(
        linear_weight_bytes(&m, &q),
        2 * (32 * per_layer + 32000 * 4096)
    );
}

#[test]
fn a_sliding_window_stops_the_kv_reads_at_the_window() {
    let q = quant("w4a16");
    let m = windowed(4096, 32);
    let kv_read = |m: &ModelConfig, context| {
        total(&lower_step(m, &q, &decode(context, 1)), |op| {
            op.kv_read_bytes
        })
    };
    // Below the window the model is llama.
    assert_eq!(kv_read(&m, 1000), kv_read(&llama(), 1000));
    assert_eq!(
        lower_step(&m, &q, &decode(1000, 1)),
        lower_step(&llama(), &q, &decode(1000, 1))
    );
    // Beyond it the reads stay at the window.
    assert_eq!(kv_read(&m, 8191), kv_read(&llama(), 4095));
    assert_eq!(kv_read(&m, 20_000), kv_read(&llama(), 4095));
    let score = lower_step(&m, &q, &decode(20_000, 1))
        .into_iter()
        .find(|op| op.kind == OpKind::AttnScore)
        .unwrap();
    assert!(matches!(score.shape, OpShape::Gemm { n: 4096, .. }));
}

#[test]
fn a_local_global_mix_lowers_each_kind_once() {
    let q = quant("w4a16");
    let m = windowed(512, 16);
    let ops = lower_step(&m, &q, &decode(3000, 1));
    let scores: Vec<(u64, u64)> = ops
        .iter()
        .filter(|op| op.kind == OpKind::AttnScore)
        .map(|op| match op.shape {
            OpShape::Gemm { n, .. } => (op.repeat, n),
            OpShape::Vector { .. } => unreachable!(),
        })
        .collect();
    // 16 global layers over 3001 keys, 16 local layers over their 512.
    assert_eq!(scores, [(16, 3001), (16, 512)]);
    // Every weight is still read once: the groups split the layers, not the weights.
    let weights = |m: &ModelConfig| total(&lower_step(m, &q, &decode(0, 1)), |op| op.weight_bytes);
    assert_eq!(weights(&m), weights(&llama()));
    let kinds = kv_layer_kinds(&m, &q);
    assert_eq!(
        kinds
            .iter()
            .map(|k| (k.kind, k.layers, k.window))
            .collect::<Vec<_>>(),
        [("global", 16, None), ("local", 16, Some(512))]
    );
}

#[test]
fn the_kv_cache_at_the_end_reflects_the_windows() {
    let q = quant("w4a16");
    let m = windowed(512, 16);
    let per_layer = 2 * 4096 * 2;
    let footprint = |m: &ModelConfig, prefill, decode, batch| {
        Workload::new(m.clone(), q, batch, prefill, decode)
            .unwrap()
            .footprint()
            .kv_cache_bytes
    };
    // 3000 tokens: the global layers keep 3000, the local ones 512, per sequence.
    assert_eq!(
        footprint(&m, 2000, 1000, 2),
        (16 * 3000 + 16 * 512) * per_layer * 2
    );
    // Within the window, all layers keep everything, as for llama.
    assert_eq!(footprint(&m, 300, 100, 2), footprint(&llama(), 300, 100, 2));
}

/// Llama-2-7B's width as a DeepSeek-style MoE: 64 experts of 1408, top-6, two shared experts
/// (2816), the first layer dense.
fn deepseek_style_moe() -> ModelConfig {
    let mut m = llama();
    m.moe = Some(Moe {
        shared_intermediate_size: 2816,
        dense_layers: 1,
        ..Moe::routed(64, 6, 1408)
    });
    m.validate("moe").unwrap();
    m
}

#[test]
fn shared_experts_run_every_token_and_dense_layers_their_own_ffn() {
    let m = deepseek_style_moe();
    let q = quant("w16a16");
    let ops = lower_step(&m, &q, &decode(0, 1));
    let ups: Vec<(u64, OpShape)> = ops
        .iter()
        .filter(|op| op.kind == OpKind::FfnUp)
        .map(|op| (op.repeat, op.shape))
        .collect();
    let shape = |rows: u64, width: u64, count: u64| (rows, 2 * width, count);
    let got: Vec<(u64, (u64, u64, u64))> = ups
        .iter()
        .map(|(repeat, s)| match s {
            OpShape::Gemm { m, n, count, .. } => (*repeat, (*m, *n, *count)),
            OpShape::Vector { .. } => unreachable!(),
        })
        .collect();
    // The dense first layer, the 6 routed experts of each other layer, the shared experts.
    assert_eq!(
        got,
        [
            (1, shape(1, 11008, 1)),
            (31, shape(1, 1408, 6)),
            (31, shape(1, 2816, 1))
        ]
    );
    // Every weight of one step with all experts routed: the dense layer, 64 experts and the
    // shared experts per MoE layer.
    let attention = 4 * 4096 * 4096;
    let ffn = |width: u64| 3 * 4096 * width;
    assert_eq!(
        linear_weight_bytes(&m, &q),
        2 * (32 * attention + ffn(11008) + 31 * (64 * ffn(1408) + ffn(2816)) + 32000 * 4096)
    );
}

#[test]
fn uniform_routing_reads_fewer_experts_than_balanced_at_a_batch() {
    let m = deepseek_style_moe();
    let q = quant("w4a16");
    let weights = |routing, batch| {
        let options = LoweringOptions {
            moe_routing: routing,
            ..LoweringOptions::default()
        };
        total(
            &lower_step(&m, &q, &step(StepKind::Decode, 1, 100, batch, options)),
            |op| op.weight_bytes,
        )
    };
    // One token reads its six experts either way.
    assert_eq!(
        weights(MoeRouting::Uniform, 1),
        weights(MoeRouting::Balanced, 1)
    );
    // Eight tokens: balanced reaches 48 experts, uniform 64 (1 - (58/64)^8) = 34.9 -> 35.
    let expert = q.weight_bytes(2 * 1408, 4096) + q.weight_bytes(4096, 1408);
    assert_eq!(
        weights(MoeRouting::Balanced, 8) - weights(MoeRouting::Uniform, 8),
        31 * 13 * expert
    );
}

#[test]
fn gemma_2_local_layers_keep_only_their_window() {
    let m = ModelConfig::preset("gemma-2-2b").unwrap();
    let q = quant("w4a16");
    // 4 KV heads of 256, K and V, fp16: 4096 bytes per token per layer; 13 layers of each kind.
    let kinds: Vec<_> = kv_layer_kinds(&m, &q)
        .iter()
        .map(|k| (k.kind, k.layers, k.window, k.bytes_per_token_per_layer))
        .collect();
    assert_eq!(
        kinds,
        [("global", 13, None, 4096), ("local", 13, Some(4096), 4096)]
    );
    // 6100 tokens: the global layers keep them all, the local ones their 4096.
    let w = Workload::new(m.clone(), q, 1, 6000, 100).unwrap();
    assert_eq!(w.footprint().kv_cache_bytes, 4096 * 13 * (6100 + 4096));
    // And a decode step at that context reads the local layers' window only.
    let ops = lower_step(&m, &q, &decode(6099, 1));
    let score_keys: Vec<(u64, u64)> = ops
        .iter()
        .filter(|op| op.kind == OpKind::AttnScore)
        .map(|op| match op.shape {
            OpShape::Gemm { n, .. } => (op.repeat, n),
            OpShape::Vector { .. } => unreachable!(),
        })
        .collect();
    assert_eq!(score_keys, [(13, 6100), (13, 4096)]);
}

#[test]
fn deepseek_v2_lite_caches_its_latents() {
    let m = ModelConfig::preset("deepseek-v2-lite").unwrap();
    // 27 layers x (kv_lora_rank 512 + qk_rope_head_dim 64) x 2 bytes.
    assert_eq!(kv_bytes_per_token(&m, &quant("w4a16")), 27 * (512 + 64) * 2);
    let w = Workload::new(m, quant("w4a16"), 2, 1000, 24).unwrap();
    assert_eq!(w.footprint().kv_cache_bytes, 27 * 576 * 2 * 1024 * 2);
}
