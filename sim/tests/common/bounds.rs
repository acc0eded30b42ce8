//! Bounds that hold for any hardware, computed from the model and the architecture file alone:
//! never from a [`lutforge_sim::Report`], the simulator's mapping or `lower_step`'s op bytes, so
//! a test comparing a report against them can catch bytes the simulator under-counts.
//!
//! The memory bound of one batch-1 decode step: every linear weight a token passes through
//! must come from DRAM once, and so must the KV cache already written, at no more than the
//! DRAM's peak bandwidth. (It assumes the on-chip buffers cannot hold the weights from one step
//! to the next, true of every file in configs/arch for every preset model.)
//!
//! - Weights: Q, K, V and O of every layer, the FFN matrices of the `top_k` experts a token is
//!   routed to (all of them for a dense FFN), and the LM head, each as its own matrix in the
//!   workload's weight format by [`QuantScheme::weight_bytes`] (packed weights, fp16 scales,
//!   zero points and codebook). The LM head is counted even when tied to the embedding
//!   (logits need all of it every step), in the scheme's head format (fp16 unless the scheme's
//!   `h` part quantizes it, per output channel). Not counted: embeddings (one row is gathered),
//!   norms, biases and MoE routers.
//! - KV cache: K and V of every cached token in every layer at the KV format's bits, without
//!   scales.

use lutforge_models::{ModelConfig, QuantScheme};

/// Peak DRAM bandwidth of an architecture file's TOML, bytes/s (`[dram]
/// bandwidth_gbytes_per_s`, GB = 10^9 bytes).
pub fn peak_dram_bytes_per_s(arch_toml: &toml::Value) -> f64 {
    let gbytes = arch_toml["dram"]["bandwidth_gbytes_per_s"]
        .as_float()
        .expect("[dram] bandwidth_gbytes_per_s is a float");
    gbytes * 1e9
}

/// The `(rows, cols)` (output channels, reduction length) of every linear matrix one token
/// passes through in one layer, as checkpoints store them: Q, K, V, O, then for each of the
/// `top_k` experts (1 for a dense FFN) gate and up (when gated) or up, and down.
fn layer_matrices(model: &ModelConfig) -> Vec<(u64, u64)> {
    let (h, i) = (model.hidden_size, model.intermediate_size);
    let mut shapes = vec![
        (model.q_dim(), h),
        (model.kv_dim(), h),
        (model.kv_dim(), h),
        (h, model.q_dim()),
    ];
    let ffn: Vec<(u64, u64)> = if model.gated_ffn {
        vec![(i, h), (i, h), (h, i)]
    } else {
        vec![(i, h), (h, i)]
    };
    for _ in 0..model.experts_per_token() {
        shapes.extend(&ffn);
    }
    shapes
}

/// Bytes of linear weights one batch-1 decode step must read (see the module doc).
pub fn decode_weight_bytes(model: &ModelConfig, quant: &QuantScheme) -> f64 {
    let shapes = layer_matrices(model);
    // The shapes are the models crate's parameter counts, matrix by matrix.
    let params: u64 = shapes.iter().map(|(r, c)| r * c).sum();
    assert_eq!(
        params,
        model.attention_linear_params_per_layer()
            + model.experts_per_token() * model.ffn_linear_params_per_expert(),
        "{}: matrix shapes disagree with the parameter count",
        model.name
    );
    let per_layer: u64 = shapes.iter().map(|&(r, c)| quant.weight_bytes(r, c)).sum();
    let lm_head = quant
        .head_scheme()
        .weight_bytes(model.vocab_size, model.hidden_size);
    (model.num_layers * per_layer + lm_head) as f64
}

/// Bytes of K and V cache one decode step reads with `context_tokens` tokens already cached,
/// without scales.
pub fn kv_read_bytes(model: &ModelConfig, quant: &QuantScheme, context_tokens: u64) -> f64 {
    let elements = 2 * model.num_layers * model.kv_dim() * context_tokens;
    elements as f64 * f64::from(quant.kv.bits()) / 8.0
}

/// Shortest time, s, in which any hardware with `peak_bytes_per_s` of DRAM bandwidth can read
/// the weights of one batch-1 decode step.
pub fn weight_bandwidth_bound_s(
    model: &ModelConfig,
    quant: &QuantScheme,
    peak_bytes_per_s: f64,
) -> f64 {
    decode_weight_bytes(model, quant) / peak_bytes_per_s
}

/// Shortest time, s, of the batch-1 decode steps after a `prefill_tokens` prompt that produce
/// tokens 2..=`decode_tokens`, averaged per step: weights every step, plus the KV cache of
/// `prefill_tokens + s` tokens in step `s`.
pub fn decode_bandwidth_bound_per_token_s(
    model: &ModelConfig,
    quant: &QuantScheme,
    prefill_tokens: u64,
    decode_tokens: u64,
    peak_bytes_per_s: f64,
) -> f64 {
    let steps = decode_tokens - 1;
    let kv: f64 = (0..steps)
        .map(|s| kv_read_bytes(model, quant, prefill_tokens + s))
        .sum();
    weight_bandwidth_bound_s(model, quant, peak_bytes_per_s) + kv / steps as f64 / peak_bytes_per_s
}
