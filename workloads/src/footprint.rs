//! What a workload must keep resident in memory: every weight (all experts, the LM head and the
//! fp16 embedding table), the KV cache at its final length (a sliding-window layer keeps only
//! its window), and the largest activation working set of any op. The simulator checks the
//! sum against the DRAM capacity.

use lutforge_models::{ModelConfig, QuantScheme, WeightFormat};

use crate::lower::{attention_groups, lower_step, Step, StepKind};
use crate::op::{OpKind, OpShape};
use crate::options::LoweringOptions;
use crate::scenario::Workload;

/// Bytes of an fp16 embedding-table element (see the conventions in [`crate::lower`]).
const FP16_BYTES: u64 = 2;

/// Resident bytes of a workload.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Footprint {
    /// Every weight matrix in its stored format (with scales), the fp16 embedding table, and
    /// the draft model's when decoding speculatively.
    pub weight_bytes: u64,
    /// The KV cache when the last token has been generated (a shared prefix stored once).
    pub kv_cache_bytes: u64,
    /// The largest input plus output activations of one op of any step.
    pub activation_bytes: u64,
}

impl Footprint {
    /// Everything, bytes.
    pub fn total_bytes(&self) -> u64 {
        self.weight_bytes
            .saturating_add(self.kv_cache_bytes)
            .saturating_add(self.activation_bytes)
    }
}

/// One token of one sequence with an empty cache: the step whose ops read every weight once.
fn one_token() -> Step {
    Step {
        kind: StepKind::Decode,
        draft: false,
        batch: 1,
        new_tokens: 1,
        context_tokens: 0,
        shared_context_tokens: 0,
        logits_rows: 1,
        options: LoweringOptions::default(),
    }
}

/// Stored bytes of every linear weight matrix of `model` under `quant`, with scales: all
/// experts (not just the routed ones) and the LM head.
pub fn linear_weight_bytes(model: &ModelConfig, quant: &QuantScheme) -> u64 {
    let mut all_experts = model.clone();
    if let Some(moe) = &mut all_experts.moe {
        moe.top_k = moe.num_experts;
    }
    lower_step(&all_experts, quant, &one_token())
        .iter()
        .filter(|op| matches!(op.shape, OpShape::Gemm { .. }))
        .map(|op| op.weight_bytes.saturating_mul(op.repeat))
        .fold(0, u64::saturating_add)
}

/// Stored bytes of every weight of `model` under `quant`: the linear weights and the fp16
/// embedding table (once: a tied fp16 LM head is that table).
pub fn model_weight_bytes(model: &ModelConfig, quant: &QuantScheme) -> u64 {
    let embedding = model.embedding_params().saturating_mul(FP16_BYTES);
    let linear = linear_weight_bytes(model, quant);
    if model.tied_embeddings && quant.head == WeightFormat::Fp16 {
        let head = quant
            .head_scheme()
            .weight_bytes(model.vocab_size, model.hidden_size);
        linear.saturating_sub(head).saturating_add(embedding)
    } else {
        linear.saturating_add(embedding)
    }
}

/// The KV cache of one group of attention layers ([`crate::AttentionGroup`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KvLayerKind {
    /// What the layers cache: `global`, `local` or `latent` (MLA).
    pub kind: &'static str,
    /// Layers of this kind.
    pub layers: u64,
    /// Tokens a layer keeps, `None` for the whole context.
    pub window: Option<u64>,
    /// Bytes one token adds to one layer's cache (with the format's scales).
    pub bytes_per_token_per_layer: u64,
}

impl KvLayerKind {
    /// Tokens a layer of this kind holds for sequences of `context` tokens whose first
    /// `shared` are a prefix stored once for the `batch`: the window's last tokens.
    pub fn stored_tokens(&self, context: u64, shared: u64, batch: u64) -> u64 {
        let kept = self.window.map_or(context, |w| w.min(context));
        let own = kept.min(context.saturating_sub(shared));
        let shared_kept = kept - own;
        shared_kept.saturating_add(own.saturating_mul(batch))
    }

    /// Bytes the layers of this kind hold (see [`KvLayerKind::stored_tokens`]).
    pub fn cache_bytes(&self, context: u64, shared: u64, batch: u64) -> u64 {
        self.bytes_per_token_per_layer
            .saturating_mul(self.layers)
            .saturating_mul(self.stored_tokens(context, shared, batch))
    }
}

/// The KV cache of `model` under `quant`, kind by kind, as the lowering writes it: the
/// `kv_write` op of each attention group of a one-token step.
pub fn kv_layer_kinds(model: &ModelConfig, quant: &QuantScheme) -> Vec<KvLayerKind> {
    let writes = lower_step(model, quant, &one_token())
        .into_iter()
        .filter(|op| op.kind == OpKind::KvWrite);
    attention_groups(model)
        .into_iter()
        .zip(writes)
        .map(|(group, op)| KvLayerKind {
            kind: group.kind,
            layers: group.layers,
            window: group.window,
            bytes_per_token_per_layer: op.kv_write_bytes,
        })
        .collect()
}

/// KV-cache bytes one token adds to one sequence of `model` under `quant`, over all layers
/// (before any window is full).
pub fn kv_bytes_per_token(model: &ModelConfig, quant: &QuantScheme) -> u64 {
    kv_layer_kinds(model, quant)
        .iter()
        .map(|k| k.bytes_per_token_per_layer.saturating_mul(k.layers))
        .fold(0, u64::saturating_add)
}

/// KV-cache bytes of `model` under `quant` for `batch` sequences of `context` tokens sharing a
/// `shared`-token prefix, each window holding only its last tokens.
pub fn kv_cache_bytes(
    model: &ModelConfig,
    quant: &QuantScheme,
    context: u64,
    shared: u64,
    batch: u64,
) -> u64 {
    kv_layer_kinds(model, quant)
        .iter()
        .map(|k| k.cache_bytes(context, shared, batch))
        .fold(0, u64::saturating_add)
}

impl Workload {
    /// What this workload keeps resident.
    pub fn footprint(&self) -> Footprint {
        let prefix = self.shared_prefix_tokens;
        let context = self.prefill_tokens + self.decode_tokens;
        let mut f = Footprint {
            weight_bytes: model_weight_bytes(&self.model, &self.quant),
            kv_cache_bytes: kv_cache_bytes(&self.model, &self.quant, context, prefix, self.batch),
            activation_bytes: 0,
        };
        if let Some(spec) = &self.speculative {
            f.weight_bytes = f
                .weight_bytes
                .saturating_add(model_weight_bytes(&spec.draft, &spec.draft_quant));
            f.kv_cache_bytes = f.kv_cache_bytes.saturating_add(kv_cache_bytes(
                &spec.draft,
                &spec.draft_quant,
                context,
                prefix,
                self.batch,
            ));
        }
        for step in self.steps().iter().take(2) {
            let (model, quant) = self.model_of(step);
            for op in lower_step(model, quant, step) {
                let act = op.act_read_bytes.saturating_add(op.act_write_bytes);
                f.activation_bytes = f.activation_bytes.max(act);
            }
        }
        f
    }
}
