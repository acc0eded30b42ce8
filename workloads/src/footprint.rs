//! What a workload must keep resident in memory: every weight (all experts, the LM head and the
//! fp16 embedding table), the KV cache at its final length, and the largest activation working
//! set of any op. The simulator checks the sum against the DRAM capacity.

use lutforge_models::{ModelConfig, QuantScheme, WeightFormat};

use crate::lower::{lower_step, Step, StepKind};
use crate::op::OpShape;
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

/// KV-cache bytes one token adds to one sequence of `model` under `quant`.
pub fn kv_bytes_per_token(model: &ModelConfig, quant: &QuantScheme) -> u64 {
    lower_step(model, quant, &one_token())
        .iter()
        .map(|op| op.kv_write_bytes.saturating_mul(op.repeat))
        .fold(0, u64::saturating_add)
}

impl Workload {
    /// What this workload keeps resident.
    pub fn footprint(&self) -> Footprint {
        let prefix = self.shared_prefix_tokens;
        let private = (self.prefill_tokens + self.decode_tokens).saturating_sub(prefix);
        let tokens = prefix.saturating_add(private.saturating_mul(self.batch));
        let mut f = Footprint {
            weight_bytes: model_weight_bytes(&self.model, &self.quant),
            kv_cache_bytes: kv_bytes_per_token(&self.model, &self.quant).saturating_mul(tokens),
            activation_bytes: 0,
        };
        if let Some(spec) = &self.speculative {
            f.weight_bytes = f
                .weight_bytes
                .saturating_add(model_weight_bytes(&spec.draft, &spec.draft_quant));
            f.kv_cache_bytes = f.kv_cache_bytes.saturating_add(
                kv_bytes_per_token(&spec.draft, &spec.draft_quant).saturating_mul(tokens),
            );
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
