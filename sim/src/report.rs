//! The simulation report: every input that produced it, the headline numbers, and breakdowns
//! per phase and per op kind. Serialized as JSON (schema below, versioned by
//! [`REPORT_SCHEMA_VERSION`]).
//!
//! Schema (version 2), all times in seconds, energies in joules, sizes in bytes:
//! - `schema_version`, `generator`
//! - `inputs`: `arch` {name, kind, schedule, source, toml}, `model` {every `ModelConfig` field},
//!   `quant` (e.g. `w2a8kv4`), `batch`, `prefill_tokens`, `decode_tokens`,
//!   `shared_prefix_tokens`, `speculative` {draft model, draft_quant, draft_len,
//!   acceptance_rate} or null, `moe_routing` (`balanced` or `uniform`, only for MoE models)
//!   and `mla_decode` (`expanded` or `absorbed`, only for MLA models)
//! - `summary`: `ttft_s`, `tpot_s` (null when no decode step runs), `decode_tokens_per_s`,
//!   `e2e_tokens_per_s`, `tokens_per_j`, `decode_energy_per_token_j`, `total_time_s`,
//!   `total_energy_j` (= `dynamic_energy_j` + `static_energy_j`), `static_power_w`,
//!   `dram_bytes`, `stall_cycles`, `area_mm2`, `clock_mhz`, `dram_bandwidth_bytes_per_s`
//!   (peak), `dram_sustained_bytes_per_s`, `dram_footprint_bytes`, `dram_capacity_bytes`
//! - `phases[]`: per phase: `phase`, `steps`, `cycles`, `seconds`, `compute_cycles`,
//!   `stall_cycles`, `flops`, `dram_bytes`, `energy_j`
//! - `ops[]`: per (phase, op kind): `phase`, `kind`, `unit` (matrix|vector|fallback-vector|fallback-mac), `cycles`,
//!   `compute_cycles`, `stall_cycles`, `flops`, `dram_bytes`, `energy_j` (static share
//!   included), `utilization` (flops / (peak flops per cycle x cycles)),
//!   `peak_flops_per_cycle` (time-weighted over the kind's ops); `cycles` is the time the ops
//!   add to the timeline, so under the overlapped schedule it can be below `compute_cycles`
//! - `energy`: {dram_j, sram_j, table_j, add_j, multiply_j, vector_j, static_j}
//! - `area`: {matrix_mm2, sram_mm2, vector_mm2, fallback_mm2}
//! - `notes[]`: substitutions and caveats, in words

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::energy::area::AreaBreakdown;
use crate::energy::EnergyBreakdown;

/// Version of the JSON layout above; bumped on any incompatible change.
pub const REPORT_SCHEMA_VERSION: u32 = 2;

/// A complete simulation report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// [`REPORT_SCHEMA_VERSION`] of the writer.
    pub schema_version: u32,
    /// `lutforge <version>`.
    pub generator: String,
    /// Everything needed to reproduce the run.
    pub inputs: Inputs,
    /// Headline numbers.
    pub summary: Summary,
    /// Per-phase totals.
    pub phases: Vec<PhaseReport>,
    /// Per (phase, op kind) totals.
    pub ops: Vec<OpKindReport>,
    /// Energy of the whole run by category.
    pub energy: EnergyBreakdown,
    /// Area of the architecture by block.
    pub area: AreaBreakdown,
    /// Per engine of a dataflow design (empty for other families): utilization, stall
    /// causes and FIFO peaks.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub engines: Vec<EngineReport>,
    /// Device resources of a dataflow design, block by block, then the total and the
    /// device's (empty for other families).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub resources: Vec<crate::dataflow::ResourceRow>,
    /// Substitutions and caveats.
    pub notes: Vec<String>,
}

/// One engine of a dataflow design over the whole run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EngineReport {
    /// Engine name (`tlmm`, `vq2d`, `attention`, `eltwise`, `host`).
    pub name: String,
    /// Cycles it computed.
    pub busy_cycles: u64,
    /// `busy_cycles` over the run's cycles.
    pub utilization: f64,
    /// Cycles it waited for off-chip memory (weights, KV entries).
    pub dram_wait_cycles: u64,
    /// Cycles its finished work waited for room in a FIFO downstream.
    pub blocked_cycles: u64,
    /// Cycles it waited inside a stream for its producer.
    pub starved_cycles: u64,
    /// The most items its input FIFO held.
    pub fifo_peak_items: u64,
    /// Its input FIFO's depth, items.
    pub fifo_depth_items: u64,
    /// What its optimizations saved, by name (an SRAM-PIM bank's `pattern_aware_lut`); empty
    /// for an engine without one.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub savings: BTreeMap<String, SavingReport>,
}

/// The area a machine adds to the structure it sits in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AreaOverheadReport {
    /// What is added to what.
    pub what: String,
    /// Area added, mm^2.
    pub added_mm2: f64,
    /// Area of the structure it is added to, mm^2.
    pub base_mm2: f64,
    /// `added_mm2 / base_mm2`.
    pub fraction: f64,
}

/// The cycles one optimization of an engine saved over the run, measured on the run's data.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct SavingReport {
    /// Cycles saved against the same engine without the optimization.
    pub saved_cycles: u64,
    /// `saved_cycles` over the engine's cycles without it (`busy_cycles + saved_cycles`).
    pub saved_share: f64,
}

/// The architecture as given.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ArchRecord {
    /// Name.
    pub name: String,
    /// Kind string.
    pub kind: String,
    /// Schedule the run used (`sequential`, `overlapped`, `streaming`).
    #[serde(default)]
    pub schedule: String,
    /// File it came from.
    pub source: String,
    /// Its full TOML text.
    pub toml: String,
}

/// A model, field by field.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelRecord {
    /// Name.
    pub name: String,
    /// Hugging Face model_type.
    pub model_type: String,
    /// Total parameters.
    pub params: u64,
    /// Residual width.
    pub hidden_size: u64,
    /// Dense FFN width (Mixtral: per expert; see `expert_intermediate_size`).
    pub intermediate_size: u64,
    /// Layers.
    pub num_layers: u64,
    /// Query heads.
    pub num_heads: u64,
    /// KV heads.
    pub num_kv_heads: u64,
    /// Head width.
    pub head_dim: u64,
    /// Vocabulary.
    pub vocab_size: u64,
    /// LM head tied to embeddings.
    pub tied_embeddings: bool,
    /// MoE experts (1 for dense).
    pub num_experts: u64,
    /// MoE experts per token (1 for dense).
    pub experts_per_token: u64,
    /// FFN activation, e.g. `Silu`.
    pub activation: String,
    /// Gated FFN.
    pub gated_ffn: bool,
    /// Norm kind, e.g. `RmsNorm`.
    pub norm: String,
    /// Position encoding, e.g. `Rope`.
    pub position: String,
    /// Context length.
    pub max_position: u64,
    /// Extra norms per layer.
    pub extra_norms_per_layer: u64,
    /// Attention kind: `standard` (MHA/GQA/MQA) or `mla` (multi-head latent attention), as
    /// `lutforge models --json` names it.
    #[serde(default)]
    pub attention: String,
    /// Values one token adds to one layer's KV cache (K and V of every KV head, or MLA's
    /// latent and rotary key).
    #[serde(default)]
    pub kv_cache_width: u64,
    /// Sliding window of the local layers, tokens; null without one.
    #[serde(default)]
    pub sliding_window: Option<u64>,
    /// Layers with sliding-window attention.
    #[serde(default)]
    pub local_layers: u64,
    /// Layers whose FFN is a mixture of experts.
    #[serde(default)]
    pub moe_layers: u64,
    /// Inner width of one routed expert (0 for a dense model).
    #[serde(default)]
    pub expert_intermediate_size: u64,
    /// Inner width of the shared experts together (0 for none).
    #[serde(default)]
    pub shared_intermediate_size: u64,
}

/// Speculative decoding settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SpeculativeRecord {
    /// Draft model.
    pub draft: ModelRecord,
    /// Draft quantization.
    pub draft_quant: String,
    /// Tokens proposed per iteration.
    pub draft_len: u64,
    /// Per-token acceptance probability.
    pub acceptance_rate: f64,
}

/// Every input of a run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Inputs {
    /// Architecture.
    pub arch: ArchRecord,
    /// Model.
    pub model: ModelRecord,
    /// Quantization actually simulated.
    pub quant: String,
    /// Sequences.
    pub batch: u64,
    /// Prompt tokens per sequence.
    pub prefill_tokens: u64,
    /// Generated tokens per sequence.
    pub decode_tokens: u64,
    /// Shared prompt prefix tokens.
    pub shared_prefix_tokens: u64,
    /// Speculative decoding, if any.
    pub speculative: Option<SpeculativeRecord>,
    /// MoE routing model of the experts' weight traffic (`balanced` or `uniform`), for a
    /// model (or draft) with experts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub moe_routing: Option<String>,
    /// MLA decode form (`expanded` or `absorbed`), for a model (or draft) with latent
    /// attention.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mla_decode: Option<String>,
}

/// Headline numbers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// Time to first token: the whole prefill, s.
    pub ttft_s: f64,
    /// Time per output token after the first, s; null when no decode step runs.
    pub tpot_s: Option<f64>,
    /// Decode throughput over the batch, tokens/s; null when no decode step runs.
    pub decode_tokens_per_s: Option<f64>,
    /// All generated tokens over the whole run time, tokens/s.
    pub e2e_tokens_per_s: f64,
    /// Decode tokens per joule of decode energy; null when no decode step runs.
    pub tokens_per_j: Option<f64>,
    /// Decode energy per generated token, J; null when no decode step runs.
    pub decode_energy_per_token_j: Option<f64>,
    /// The machine's price, US dollars per hour (`[cost]`); null when it is not priced.
    #[serde(default)]
    pub dollars_per_hour: Option<f64>,
    /// Decode tokens one dollar buys at the decode throughput (`[cost]`); null when the
    /// machine is not priced or no decode step runs.
    #[serde(default)]
    pub tokens_per_dollar: Option<f64>,
    /// What the machine's optimizations saved over the run, by name, summed over its engines
    /// (an SRAM-PIM design's `pattern_aware_lut`); each measured on the run's data.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub savings: BTreeMap<String, SavingReport>,
    /// The area the machine adds to the structure it sits in (an SRAM-PIM periphery over
    /// its SRAM); null for a machine of its own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub area_overhead: Option<AreaOverheadReport>,
    /// Whole run, s.
    pub total_time_s: f64,
    /// Whole run, J.
    pub total_energy_j: f64,
    /// Whole run DRAM traffic, bytes.
    pub dram_bytes: u64,
    /// Whole run cycles spent waiting for memory.
    pub stall_cycles: u64,
    /// Architecture area, mm^2.
    pub area_mm2: f64,
    /// Core clock, MHz.
    pub clock_mhz: f64,
    /// DRAM peak bandwidth, bytes/s.
    pub dram_bandwidth_bytes_per_s: f64,
    /// DRAM bandwidth streaming transfers sustain, bytes/s.
    #[serde(default)]
    pub dram_sustained_bytes_per_s: f64,
    /// Whole run, dynamic energy (every counted event), J.
    #[serde(default)]
    pub dynamic_energy_j: f64,
    /// Whole run, static energy (leakage and uncore power over the run time), J.
    #[serde(default)]
    pub static_energy_j: f64,
    /// Static power of the design, W.
    #[serde(default)]
    pub static_power_w: f64,
    /// Bytes the workload keeps resident in DRAM (weights, final KV cache, activations).
    #[serde(default)]
    pub dram_footprint_bytes: u64,
    /// DRAM capacity, bytes.
    #[serde(default)]
    pub dram_capacity_bytes: u64,
}

/// Totals of one phase.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PhaseReport {
    /// `prefill` or `decode`.
    pub phase: String,
    /// Forward passes in the phase.
    pub steps: u64,
    /// Cycles.
    pub cycles: u64,
    /// Seconds.
    pub seconds: f64,
    /// Cycles computing.
    pub compute_cycles: u64,
    /// Cycles waiting for memory.
    pub stall_cycles: u64,
    /// Arithmetic operations.
    pub flops: u64,
    /// DRAM traffic, bytes.
    pub dram_bytes: u64,
    /// Energy, J.
    pub energy_j: f64,
}

/// Totals of one op kind in one phase.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OpKindReport {
    /// `prefill` or `decode`.
    pub phase: String,
    /// Op kind, e.g. `qkv_proj`.
    pub kind: String,
    /// `matrix`, `vector`, `fallback-vector` or `fallback-mac` (see [`crate::fallback`]).
    pub unit: String,
    /// Cycles.
    pub cycles: u64,
    /// Cycles computing.
    pub compute_cycles: u64,
    /// Cycles waiting for memory.
    pub stall_cycles: u64,
    /// Arithmetic operations.
    pub flops: u64,
    /// DRAM traffic, bytes.
    pub dram_bytes: u64,
    /// Energy, J.
    pub energy_j: f64,
    /// Peak rate of the executing unit at this op's precision, FLOP/cycle.
    pub peak_flops_per_cycle: f64,
    /// flops / (peak_flops_per_cycle x cycles).
    pub utilization: f64,
}
