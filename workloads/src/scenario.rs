//! A workload: a model, its quantization and an inference scenario, validated once.

use lutforge_models::{Attention, Limit, ModelConfig, QuantScheme};

use crate::error::WorkloadError;
use crate::lower::{try_lower_step, Step, StepKind};
use crate::options::LoweringOptions;

/// Speculative decoding: a draft model proposes `draft_len` tokens, the target verifies them
/// in one pass, and each proposed token is accepted with probability `acceptance_rate`.
#[derive(Debug, Clone, PartialEq)]
pub struct Speculative {
    /// The draft model.
    pub draft: ModelConfig,
    /// The draft model's quantization.
    pub draft_quant: QuantScheme,
    /// Tokens proposed per iteration (k) (range [`Speculative::DRAFT_LEN`]).
    pub draft_len: u64,
    /// Per-token acceptance probability (range [`Speculative::ACCEPTANCE_RATE`]).
    pub acceptance_rate: f64,
}

impl Speculative {
    /// Range of `draft_len`.
    pub const DRAFT_LEN: Limit = Limit::new(1.0, 64.0, "tokens", "");
    /// Range of `acceptance_rate`.
    pub const ACCEPTANCE_RATE: Limit = Limit::new(0.0, 1.0, "", "a probability");
    /// Every numeric field: (struct field, name in inputs and errors, range).
    pub const LIMITS: [(&'static str, &'static str, Limit); 2] = [
        ("draft_len", "draft_len", Speculative::DRAFT_LEN),
        (
            "acceptance_rate",
            "acceptance_rate",
            Speculative::ACCEPTANCE_RATE,
        ),
    ];

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
///
/// Construction checks, in this order: the model and scheme invariants, batch and prompt of at
/// least one, the context within the model's, the shared prefix shorter than the prompt, the
/// coarse 2^62 bound on one op's counts, every field against its range ([`Workload::LIMITS`],
/// [`Speculative::LIMITS`]), the draft model, the number of forward passes
/// ([`Workload::FORWARD_PASSES`]), and finally, with checked arithmetic, the largest step of
/// each kind and the FLOP and byte totals of the whole run. So every step of
/// [`Workload::steps`] lowers without error, and summing `flops * repeat` or
/// `total_bytes() * repeat` over all ops of all steps fits in a `u64`.
#[derive(Debug, Clone, PartialEq)]
pub struct Workload {
    /// The (target) model.
    pub model: ModelConfig,
    /// Its quantization.
    pub quant: QuantScheme,
    /// Concurrent sequences (range [`Workload::BATCH`]).
    pub batch: u64,
    /// Prompt tokens per sequence (range [`Workload::PREFILL`]).
    pub prefill_tokens: u64,
    /// Tokens generated per sequence; the first comes out of prefill, each further one costs a
    /// decode step (or a share of a speculative iteration) (range [`Workload::DECODE`]).
    pub decode_tokens: u64,
    /// Leading prompt tokens shared by every sequence of the batch: prefilled once, and their KV
    /// cache entries stored and read once for the whole batch (range
    /// [`Workload::SHARED_PREFIX`]).
    pub shared_prefix_tokens: u64,
    /// Speculative decoding, if used.
    pub speculative: Option<Speculative>,
    /// The MoE routing model and MLA decode form every step lowers with.
    pub options: LoweringOptions,
}

impl Workload {
    /// Range of `batch`.
    pub const BATCH: Limit =
        Limit::new(1.0, 1_048_576.0, "sequences", "far above any serving batch");
    /// Range of `prefill_tokens`; also at most the model's context.
    pub const PREFILL: Limit = Limit::new(
        1.0,
        16_777_216.0,
        "tokens",
        "the prompt must have a token to start from",
    );
    /// Range of `decode_tokens`; prompt and generated tokens together are at most the model's
    /// context.
    pub const DECODE: Limit = Limit::new(
        0.0,
        1_048_576.0,
        "tokens",
        "each one is a simulated forward pass",
    );
    /// Range of `shared_prefix_tokens`; also shorter than the prompt.
    pub const SHARED_PREFIX: Limit = Limit::new(0.0, 16_777_216.0, "tokens", "");
    /// Range of the number of forward passes a run takes (derived from `decode`, `draft_len`
    /// and `acceptance_rate`): every pass is simulated and the step list is held in memory.
    pub const FORWARD_PASSES: Limit =
        Limit::new(1.0, 4_194_304.0, "forward passes", "each pass is simulated");
    /// Every numeric field: (struct field, name in inputs and errors, range).
    pub const LIMITS: [(&'static str, &'static str, Limit); 4] = [
        ("batch", "batch", Workload::BATCH),
        ("prefill_tokens", "prefill", Workload::PREFILL),
        ("decode_tokens", "decode", Workload::DECODE),
        (
            "shared_prefix_tokens",
            "shared_prefix",
            Workload::SHARED_PREFIX,
        ),
    ];

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
            options: LoweringOptions::default(),
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

    /// Sets the MoE routing model and MLA decode form.
    pub fn with_options(mut self, options: LoweringOptions) -> Result<Workload, WorkloadError> {
        self.options = options;
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
        self.model.validate(&self.model.name)?;
        self.quant.validate()?;
        let values = [
            self.batch,
            self.prefill_tokens,
            self.decode_tokens,
            self.shared_prefix_tokens,
        ];
        for ((_, name, limit), value) in Workload::LIMITS.iter().zip(values) {
            limit
                .check_u64(value)
                .map_err(|message| WorkloadError::invalid(name, value, message))?;
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
            Speculative::DRAFT_LEN
                .check_u64(spec.draft_len)
                .map_err(|message| WorkloadError::invalid("draft_len", spec.draft_len, message))?;
            Speculative::ACCEPTANCE_RATE
                .check_f64(spec.acceptance_rate)
                .map_err(|message| {
                    WorkloadError::invalid("acceptance_rate", spec.acceptance_rate, message)
                })?;
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
            spec.draft.validate(&spec.draft.name)?;
            spec.draft_quant.validate()?;
        }
        let passes = self.forward_passes();
        Workload::FORWARD_PASSES
            .check_u64(passes)
            .map_err(|message| {
                WorkloadError::invalid(
                    "decode",
                    self.decode_tokens,
                    format!("needs {passes} forward passes; a run {message}"),
                )
            })?;
        self.check_counts()
    }

    /// Forward passes of the run: `steps().len()`, without building the list.
    pub fn forward_passes(&self) -> u64 {
        let per_iteration = self
            .speculative
            .as_ref()
            .map_or(1, |s| s.draft_len.saturating_add(1));
        let prefix_pass = u64::from(self.shared_prefix_tokens > 0);
        self.generation_steps()
            .saturating_mul(per_iteration)
            .saturating_add(1 + prefix_pass)
    }

    /// Lowers the largest step of each kind with checked arithmetic and adds up the FLOP and
    /// byte totals of the run. Every op count is monotone in the step's batch, tokens and
    /// context, so the step with the longest context bounds every step of its kind, and its
    /// totals times the number of such steps bound their sum.
    fn check_counts(&self) -> Result<(), WorkloadError> {
        let mut run_flops = 0u64;
        let mut run_bytes = 0u64;
        for (role, step, count) in self.largest_steps() {
            let (model, quant) = self.model_of(&step);
            let ops = try_lower_step(model, quant, &step).map_err(|e| self.blame(role, e))?;
            let (mut flops, mut bytes) = (0u64, 0u64);
            let knob = self.step_knob(role);
            let too_large = |what: &str, dimension: (&str, u64)| WorkloadError::TooLarge {
                dimension: dimension.0.to_string(),
                value: dimension.1,
                quantity: format!("{what} {}", role.describe()),
            };
            for op in &ops {
                // try_lower_step checked these two products.
                let op_flops = op.flops.saturating_mul(op.repeat);
                let op_bytes = op.total_bytes().saturating_mul(op.repeat);
                flops = flops
                    .checked_add(op_flops)
                    .ok_or_else(|| too_large("FLOPs", knob))?;
                bytes = bytes
                    .checked_add(op_bytes)
                    .ok_or_else(|| too_large("bytes", knob))?;
            }
            // Steps repeat as decode tokens do; blame the larger of that and the step's knob.
            let repeats = if count > 1 && self.decode_tokens > knob.1 {
                ("decode", self.decode_tokens)
            } else {
                knob
            };
            let whole_run = |what: &str| WorkloadError::TooLarge {
                dimension: repeats.0.to_string(),
                value: repeats.1,
                quantity: format!("{what} of the whole run"),
            };
            run_flops = flops
                .checked_mul(count)
                .and_then(|f| run_flops.checked_add(f))
                .ok_or_else(|| whole_run("FLOPs"))?;
            run_bytes = bytes
                .checked_mul(count)
                .and_then(|b| run_bytes.checked_add(b))
                .ok_or_else(|| whole_run("bytes"))?;
        }
        Ok(())
    }

    /// The workload parameter a step of `role` grows with most: `batch` when it is the larger,
    /// else the step's token count.
    fn step_knob(&self, role: Role) -> (&'static str, u64) {
        let tokens = match role {
            Role::Prefix => ("shared_prefix", self.shared_prefix_tokens),
            Role::Prefill => ("prefill", self.prefill_tokens),
            Role::Decode | Role::Draft | Role::Verify => (
                "prefill + decode",
                self.prefill_tokens.saturating_add(self.decode_tokens),
            ),
        };
        if self.batch > tokens.1 {
            ("batch", self.batch)
        } else {
            tokens
        }
    }

    /// Renames the step dimension of a [`WorkloadError::TooLarge`] from a step of `role` to
    /// the workload parameter it comes from (model fields of the draft get a `draft.` prefix).
    fn blame(&self, role: Role, err: WorkloadError) -> WorkloadError {
        let WorkloadError::TooLarge {
            dimension,
            value,
            quantity,
        } = err
        else {
            return err;
        };
        let context = || {
            (
                "prefill + decode".to_string(),
                self.prefill_tokens.saturating_add(self.decode_tokens),
            )
        };
        let (dimension, value) = match (dimension.as_str(), role) {
            ("batch", _) => ("batch".to_string(), self.batch),
            ("new_tokens", Role::Prefix) => {
                ("shared_prefix".to_string(), self.shared_prefix_tokens)
            }
            ("new_tokens", Role::Prefill) => ("prefill".to_string(), self.prefill_tokens),
            ("new_tokens" | "logits_rows", Role::Verify) => (
                "draft_len".to_string(),
                self.speculative.as_ref().map_or(0, |s| s.draft_len),
            ),
            ("context_tokens" | "shared_context_tokens", Role::Prefill) => {
                ("shared_prefix".to_string(), self.shared_prefix_tokens)
            }
            ("new_tokens" | "context_tokens" | "shared_context_tokens", _) => context(),
            (_, Role::Draft) => (format!("draft.{dimension}"), value),
            _ => (dimension, value),
        };
        WorkloadError::TooLarge {
            dimension,
            value,
            quantity: format!("{quantity} {}", role.describe()),
        }
    }

    /// A coarse first bound, in floating point: the largest projection and attention counts
    /// of all tokens of a sequence times the batch stay below 2^62. The exact guarantee is
    /// [`Workload::check_counts`]; this one gives large batches their established message.
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
        // Absorbed MLA attends with all heads over the cached latent.
        let attention_width = match m.attention {
            Attention::Standard => m.q_dim(),
            Attention::Latent(mla) => m
                .q_dim()
                .max(m.num_heads.saturating_mul(mla.cached_width())),
        };
        let attention = 4.0 * tokens * context * attention_width as f64;
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
        if self.shared_prefix_tokens > 0 {
            steps.push(self.prefix_step());
        }
        steps.push(self.prefill_step());
        match &self.speculative {
            None => {
                for i in 0..self.generation_steps() {
                    steps.push(self.decode_step(false, 1, self.prefill_tokens + i, 1));
                }
            }
            Some(spec) => {
                for i in 0..self.generation_steps() {
                    let context = self.iteration_context(i);
                    for d in 0..spec.draft_len {
                        steps.push(self.decode_step(true, 1, context + d, 1));
                    }
                    let verify = spec.draft_len + 1;
                    steps.push(self.decode_step(false, verify, context, verify));
                }
            }
        }
        steps
    }

    /// The largest step of each kind with the number of steps of that kind: the last one,
    /// since later steps of a kind differ only by a longer context.
    fn largest_steps(&self) -> Vec<(Role, Step, u64)> {
        let mut largest = Vec::new();
        if self.shared_prefix_tokens > 0 {
            largest.push((Role::Prefix, self.prefix_step(), 1));
        }
        largest.push((Role::Prefill, self.prefill_step(), 1));
        let generation = self.generation_steps();
        if let Some(last) = generation.checked_sub(1) {
            match &self.speculative {
                None => largest.push((
                    Role::Decode,
                    self.decode_step(false, 1, self.prefill_tokens + last, 1),
                    generation,
                )),
                Some(spec) => {
                    let context = self.iteration_context(last);
                    let k = spec.draft_len;
                    largest.push((
                        Role::Draft,
                        self.decode_step(true, 1, context + k - 1, 1),
                        generation.saturating_mul(k),
                    ));
                    largest.push((
                        Role::Verify,
                        self.decode_step(false, k + 1, context, k + 1),
                        generation,
                    ));
                }
            }
        }
        largest
    }

    /// The pass that prefills a shared prefix once for the whole batch.
    fn prefix_step(&self) -> Step {
        Step {
            kind: StepKind::Prefill,
            draft: false,
            batch: 1,
            new_tokens: self.shared_prefix_tokens,
            context_tokens: 0,
            shared_context_tokens: 0,
            logits_rows: 0,
            options: self.options,
        }
    }

    /// The prompt pass (after the shared prefix, if any).
    fn prefill_step(&self) -> Step {
        let prefix = self.shared_prefix_tokens;
        Step {
            kind: StepKind::Prefill,
            draft: false,
            batch: self.batch,
            new_tokens: self.prefill_tokens - prefix,
            context_tokens: prefix,
            shared_context_tokens: prefix,
            logits_rows: 1,
            options: self.options,
        }
    }

    fn decode_step(&self, draft: bool, new_tokens: u64, context: u64, logits_rows: u64) -> Step {
        Step {
            kind: StepKind::Decode,
            draft,
            batch: self.batch,
            new_tokens,
            context_tokens: context,
            shared_context_tokens: self.shared_prefix_tokens,
            logits_rows,
            options: self.options,
        }
    }

    /// Context before speculative iteration `i`: the prompt plus the tokens expected so far.
    fn iteration_context(&self, i: u64) -> u64 {
        let per_iteration = self
            .speculative
            .as_ref()
            .map_or(1.0, Speculative::tokens_per_iteration);
        self.prefill_tokens + (i as f64 * per_iteration).floor() as u64
    }

    /// The model and quantization a step runs.
    pub fn model_of(&self, step: &Step) -> (&ModelConfig, &QuantScheme) {
        match (&self.speculative, step.draft) {
            (Some(spec), true) => (&spec.draft, &spec.draft_quant),
            _ => (&self.model, &self.quant),
        }
    }
}

/// Which kind of forward pass a step is, for naming the dimension at fault.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    /// The shared-prefix pass.
    Prefix,
    /// The prompt pass.
    Prefill,
    /// A plain decode step.
    Decode,
    /// A draft-model step of speculative decoding.
    Draft,
    /// A target verify pass of speculative decoding.
    Verify,
}

impl Role {
    fn describe(self) -> &'static str {
        match self {
            Role::Prefix => "in the shared-prefix pass",
            Role::Prefill => "in the prefill pass",
            Role::Decode => "in the last decode step",
            Role::Draft => "in the last draft step",
            Role::Verify => "in the last verify pass",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn workload(prefix: u64, speculative: Option<(u64, f64)>) -> Workload {
        let model = ModelConfig::preset("tiny-llama").unwrap();
        let quant: QuantScheme = "w2a8kv4".parse().unwrap();
        let mut w = Workload::new(model.clone(), quant, 3, 20, 17).unwrap();
        if prefix > 0 {
            w = w.with_shared_prefix(prefix).unwrap();
        }
        if let Some((draft_len, acceptance_rate)) = speculative {
            w = w
                .with_speculative(Speculative {
                    draft: model,
                    draft_quant: quant,
                    draft_len,
                    acceptance_rate,
                })
                .unwrap();
        }
        w
    }

    #[test]
    fn largest_steps_are_the_last_of_each_kind_and_count_them() {
        for w in [
            workload(0, None),
            workload(7, None),
            workload(0, Some((4, 0.8))),
            workload(5, Some((3, 0.0))),
            workload(0, Some((2, 1.0))),
        ] {
            let steps = w.steps();
            assert_eq!(steps.len() as u64, w.forward_passes());
            let mut total = 0;
            for (_, largest, count) in w.largest_steps() {
                let same_kind: Vec<&Step> = steps
                    .iter()
                    .filter(|s| {
                        (s.kind, s.draft, s.new_tokens, s.logits_rows)
                            == (
                                largest.kind,
                                largest.draft,
                                largest.new_tokens,
                                largest.logits_rows,
                            )
                    })
                    .collect();
                assert_eq!(same_kind.len() as u64, count, "{largest:?}");
                assert_eq!(same_kind.last().copied(), Some(&largest));
                assert!(same_kind
                    .iter()
                    .all(|s| s.context_tokens <= largest.context_tokens));
                total += count;
            }
            assert_eq!(total, steps.len() as u64);
        }
    }
}
