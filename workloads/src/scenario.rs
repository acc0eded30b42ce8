//! A workload: a model, its quantization and an inference scenario, validated once.

use lutforge_models::{ModelConfig, QuantScheme};

use crate::error::WorkloadError;
use crate::lower::{Step, StepKind};

/// Speculative decoding: a draft model proposes `draft_len` tokens, the target verifies them
/// in one pass, and each proposed token is accepted with probability `acceptance_rate`.
#[derive(Debug, Clone, PartialEq)]
pub struct Speculative {
    /// The draft model.
    pub draft: ModelConfig,
    /// The draft model's quantization.
    pub draft_quant: QuantScheme,
    /// Tokens proposed per iteration (k), at least 1.
    pub draft_len: u64,
    /// Per-token acceptance probability, in [0, 1].
    pub acceptance_rate: f64,
}

impl Speculative {
    /// Expected tokens produced per verify pass: (1 - a^(k+1)) / (1 - a), the accepted prefix
    /// plus the target's own next token (Leviathan et al., "Fast Inference from Transformers via
    /// Speculative Decoding", ICML 2023, eq. 1).
    pub fn tokens_per_iteration(&self) -> f64 {
        let a = self.acceptance_rate;
        let k = self.draft_len as f64;
        if a >= 1.0 {
            k + 1.0
        } else {
            (1.0 - a.powf(k + 1.0)) / (1.0 - a)
        }
    }
}

/// A validated inference scenario.
#[derive(Debug, Clone, PartialEq)]
pub struct Workload {
    /// The (target) model.
    pub model: ModelConfig,
    /// Its quantization.
    pub quant: QuantScheme,
    /// Concurrent sequences, at least 1.
    pub batch: u64,
    /// Prompt tokens per sequence, at least 1.
    pub prefill_tokens: u64,
    /// Tokens generated per sequence; the first comes out of prefill, each further one costs a
    /// decode step (or a share of a speculative iteration).
    pub decode_tokens: u64,
    /// Leading prompt tokens shared by every sequence of the batch: prefilled once, and their KV
    /// cache entries stored and read once for the whole batch.
    pub shared_prefix_tokens: u64,
    /// Speculative decoding, if used.
    pub speculative: Option<Speculative>,
}

impl Workload {
    /// Validates a scenario.
    pub fn new(
        model: ModelConfig,
        quant: QuantScheme,
        batch: u64,
        prefill_tokens: u64,
        decode_tokens: u64,
    ) -> Result<Workload, WorkloadError> {
        let workload = Workload {
            model,
            quant,
            batch,
            prefill_tokens,
            decode_tokens,
            shared_prefix_tokens: 0,
            speculative: None,
        };
        workload.validate()?;
        Ok(workload)
    }

    /// Adds a shared prompt prefix of `tokens` tokens.
    pub fn with_shared_prefix(mut self, tokens: u64) -> Result<Workload, WorkloadError> {
        self.shared_prefix_tokens = tokens;
        self.validate()?;
        Ok(self)
    }

    /// Adds speculative decoding.
    pub fn with_speculative(mut self, speculative: Speculative) -> Result<Workload, WorkloadError> {
        self.speculative = Some(speculative);
        self.validate()?;
        Ok(self)
    }

    fn validate(&self) -> Result<(), WorkloadError> {
        if self.batch == 0 {
            return Err(WorkloadError::invalid("batch", 0, "must be at least 1"));
        }
        if self.prefill_tokens == 0 {
            return Err(WorkloadError::invalid(
                "prefill",
                0,
                "must be at least 1 (the prompt must have a token to start from)",
            ));
        }
        let context = self.prefill_tokens.saturating_add(self.decode_tokens);
        if context > self.model.max_position {
            return Err(WorkloadError::invalid(
                "prefill + decode",
                context,
                format!(
                    "exceeds the model's context length of {} tokens",
                    self.model.max_position
                ),
            ));
        }
        if self.shared_prefix_tokens >= self.prefill_tokens && self.shared_prefix_tokens > 0 {
            return Err(WorkloadError::invalid(
                "shared_prefix",
                self.shared_prefix_tokens,
                format!(
                    "must be shorter than the prompt ({} tokens)",
                    self.prefill_tokens
                ),
            ));
        }
        self.check_size()?;
        if let Some(spec) = &self.speculative {
            if spec.draft_len == 0 || spec.draft_len > 64 {
                return Err(WorkloadError::invalid(
                    "draft_len",
                    spec.draft_len,
                    "must be between 1 and 64",
                ));
            }
            if !(0.0..=1.0).contains(&spec.acceptance_rate) {
                return Err(WorkloadError::invalid(
                    "acceptance_rate",
                    spec.acceptance_rate,
                    "must be between 0 and 1",
                ));
            }
            if spec.draft.vocab_size != self.model.vocab_size {
                return Err(WorkloadError::invalid(
                    "draft",
                    &spec.draft.name,
                    format!(
                        "vocabulary ({}) differs from the target's ({})",
                        spec.draft.vocab_size, self.model.vocab_size
                    ),
                ));
            }
        }
        Ok(())
    }

    /// Rejects scenarios whose op counts could overflow the 64-bit integers the lowering uses:
    /// every FLOP and byte count stays below 2^62 when this passes.
    fn check_size(&self) -> Result<(), WorkloadError> {
        let m = &self.model;
        let tokens = self.batch as f64 * (self.prefill_tokens + self.decode_tokens) as f64;
        let widest = [
            m.hidden_size,
            m.intermediate_size,
            m.vocab_size,
            m.q_dim() + 2 * m.kv_dim(),
        ]
        .into_iter()
        .max()
        .unwrap_or(0) as f64;
        let context = (self.prefill_tokens + self.decode_tokens) as f64;
        let projection = 2.0 * tokens * widest * widest * m.num_experts() as f64;
        let attention = 4.0 * tokens * context * m.q_dim() as f64;
        let limit = 2f64.powi(62);
        if projection.max(attention) >= limit {
            return Err(WorkloadError::invalid(
                "batch",
                self.batch,
                format!(
                    "with this model and {} tokens per sequence the operation counts exceed 2^62; use a smaller batch or context",
                    self.prefill_tokens + self.decode_tokens
                ),
            ));
        }
        Ok(())
    }

    /// Decode steps (or speculative iterations) after prefill.
    pub fn generation_steps(&self) -> u64 {
        let remaining = self.decode_tokens.saturating_sub(1);
        match &self.speculative {
            None => remaining,
            Some(spec) => (remaining as f64 / spec.tokens_per_iteration()).ceil() as u64,
        }
    }

    /// The forward passes of this workload, in execution order.
    pub fn steps(&self) -> Vec<Step> {
        let mut steps = Vec::new();
        let prefix = self.shared_prefix_tokens;
        if prefix > 0 {
            steps.push(Step {
                kind: StepKind::Prefill,
                draft: false,
                batch: 1,
                new_tokens: prefix,
                context_tokens: 0,
                shared_context_tokens: 0,
                logits_rows: 0,
            });
        }
        steps.push(Step {
            kind: StepKind::Prefill,
            draft: false,
            batch: self.batch,
            new_tokens: self.prefill_tokens - prefix,
            context_tokens: prefix,
            shared_context_tokens: prefix,
            logits_rows: 1,
        });
        let decode = |draft: bool, new_tokens: u64, context: u64, logits_rows: u64| Step {
            kind: StepKind::Decode,
            draft,
            batch: self.batch,
            new_tokens,
            context_tokens: context,
            shared_context_tokens: prefix,
            logits_rows,
        };
        match &self.speculative {
            None => {
                for i in 0..self.generation_steps() {
                    steps.push(decode(false, 1, self.prefill_tokens + i, 1));
                }
            }
            Some(spec) => {
                let per_iteration = spec.tokens_per_iteration();
                for i in 0..self.generation_steps() {
                    let context = self.prefill_tokens + (i as f64 * per_iteration).floor() as u64;
                    for d in 0..spec.draft_len {
                        steps.push(decode(true, 1, context + d, 1));
                    }
                    let verify = spec.draft_len + 1;
                    steps.push(decode(false, verify, context, verify));
                }
            }
        }
        steps
    }

    /// The model and quantization a step runs.
    pub fn model_of(&self, step: &Step) -> (&ModelConfig, &QuantScheme) {
        match (&self.speculative, step.draft) {
            (Some(spec), true) => (&spec.draft, &spec.draft_quant),
            _ => (&self.model, &self.quant),
        }
    }
}
