//! The engine: runs a whole workload (every step of prefill and decode) through the mapper and
//! adds the costs up into a [`Report`].
//!
//! Steps and ops run one after another on the whole chip; an op repeated once per layer costs
//! its single-layer cost times the layer count. Every number comes from [`crate::mapper`].

use std::collections::BTreeMap;

use lutforge_models::ModelConfig;
use lutforge_workloads::{lower_step, OpKind, Phase, Workload};

use crate::arch::Arch;
use crate::energy::area::arch_area;
use crate::energy::EnergyBreakdown;
use crate::error::SimError;
use crate::mapper::{map_op, OpCost, Unit};
use crate::report::{
    ArchRecord, Inputs, ModelRecord, OpKindReport, PhaseReport, Report, SpeculativeRecord, Summary,
    REPORT_SCHEMA_VERSION,
};

/// One op instance on the timeline, for traces: which op, when, and its cost.
#[derive(Debug, Clone, PartialEq)]
pub struct TimelineEntry {
    /// Phase.
    pub phase: Phase,
    /// Index of the forward pass in the run.
    pub step: u64,
    /// Layer index, or `None` for ops outside the layer stack.
    pub layer: Option<u64>,
    /// Op kind.
    pub kind: OpKind,
    /// Start cycle.
    pub start_cycle: u64,
    /// The op's cost.
    pub cost: OpCost,
}

#[derive(Default)]
struct Totals {
    steps: u64,
    cycles: u64,
    compute_cycles: u64,
    stall_cycles: u64,
    flops: u64,
    dram_bytes: u64,
    energy: EnergyBreakdown,
    peak_flops_per_cycle: f64,
    unit: Option<Unit>,
}

impl Totals {
    fn add(&mut self, cost: &OpCost, flops: u64, times: u64) {
        self.cycles += cost.total_cycles * times;
        self.compute_cycles += cost.compute_cycles * times;
        self.stall_cycles += cost.stall_cycles * times;
        self.flops += flops * times;
        self.dram_bytes += cost.dram_bytes * times;
        self.energy.add_scaled(&cost.energy, times as f64);
        // Ops of one kind share a unit; the peak of the last one stands for the kind.
        self.peak_flops_per_cycle = cost.peak_flops_per_cycle;
        self.unit = Some(cost.unit);
    }
}

/// Simulates `workload` on `arch`.
pub fn simulate(arch: &Arch, workload: &Workload, notes: Vec<String>) -> Result<Report, SimError> {
    run(arch, workload, notes, None)
}

/// Simulates `workload` on `arch` and also returns the op-by-op timeline (layers expanded).
pub fn simulate_with_timeline(
    arch: &Arch,
    workload: &Workload,
    notes: Vec<String>,
) -> Result<(Report, Vec<TimelineEntry>), SimError> {
    let mut timeline = Vec::new();
    let report = run(arch, workload, notes, Some(&mut timeline))?;
    Ok((report, timeline))
}

fn run(
    arch: &Arch,
    workload: &Workload,
    notes: Vec<String>,
    mut timeline: Option<&mut Vec<TimelineEntry>>,
) -> Result<Report, SimError> {
    let mut phases: BTreeMap<Phase, Totals> = BTreeMap::new();
    let mut kinds: BTreeMap<(Phase, OpKind), Totals> = BTreeMap::new();
    let mut cycle = 0u64;
    for (index, step) in workload.steps().iter().enumerate() {
        let (model, quant) = workload.model_of(step);
        let phase = step.phase();
        phases.entry(phase).or_default().steps += 1;
        for op in lower_step(model, quant, step) {
            let cost = map_op(arch, &op)?;
            phases
                .entry(phase)
                .or_default()
                .add(&cost, op.flops, op.repeat);
            kinds
                .entry((phase, op.kind))
                .or_default()
                .add(&cost, op.flops, op.repeat);
            if let Some(timeline) = timeline.as_deref_mut() {
                for r in 0..op.repeat {
                    timeline.push(TimelineEntry {
                        phase,
                        step: index as u64,
                        layer: (op.repeat > 1).then_some(r),
                        kind: op.kind,
                        start_cycle: cycle,
                        cost,
                    });
                    cycle += cost.total_cycles;
                }
            }
        }
    }
    Ok(assemble(arch, workload, notes, &phases, &kinds))
}

fn assemble(
    arch: &Arch,
    workload: &Workload,
    notes: Vec<String>,
    phases: &BTreeMap<Phase, Totals>,
    kinds: &BTreeMap<(Phase, OpKind), Totals>,
) -> Report {
    let s_per_cycle = arch.seconds_per_cycle();
    let seconds = |phase: Phase| {
        phases
            .get(&phase)
            .map_or(0.0, |t| t.cycles as f64 * s_per_cycle)
    };
    let energy_of = |phase: Phase| phases.get(&phase).map_or(0.0, |t| t.energy.total_j());
    let ttft_s = seconds(Phase::Prefill);
    let decode_s = seconds(Phase::Decode);
    let batch = workload.batch as f64;
    let decode_tokens = workload.decode_tokens.saturating_sub(1) as f64 * batch;
    let decoding = workload.decode_tokens > 1;
    let mut energy = EnergyBreakdown::default();
    for t in phases.values() {
        energy.add_scaled(&t.energy, 1.0);
    }
    let total_time_s = ttft_s + decode_s;
    let area = arch_area(arch);
    let summary = Summary {
        ttft_s,
        tpot_s: decoding.then(|| decode_s / (workload.decode_tokens - 1) as f64),
        decode_tokens_per_s: decoding.then(|| decode_tokens / decode_s),
        e2e_tokens_per_s: workload.decode_tokens as f64 * batch / total_time_s,
        tokens_per_j: decoding.then(|| decode_tokens / energy_of(Phase::Decode)),
        decode_energy_per_token_j: decoding.then(|| energy_of(Phase::Decode) / decode_tokens),
        total_time_s,
        total_energy_j: energy.total_j(),
        dram_bytes: phases.values().map(|t| t.dram_bytes).sum(),
        stall_cycles: phases.values().map(|t| t.stall_cycles).sum(),
        area_mm2: area.total_mm2(),
        clock_mhz: arch.clock_mhz,
        dram_bandwidth_bytes_per_s: arch.dram.bytes_per_s,
    };
    let phase_reports = phases
        .iter()
        .map(|(phase, t)| PhaseReport {
            phase: phase.as_str().to_string(),
            steps: t.steps,
            cycles: t.cycles,
            seconds: t.cycles as f64 * s_per_cycle,
            compute_cycles: t.compute_cycles,
            stall_cycles: t.stall_cycles,
            flops: t.flops,
            dram_bytes: t.dram_bytes,
            energy_j: t.energy.total_j(),
        })
        .collect();
    let op_reports = kinds
        .iter()
        .map(|((phase, kind), t)| OpKindReport {
            phase: phase.as_str().to_string(),
            kind: kind.as_str().to_string(),
            unit: match t.unit {
                Some(Unit::Vector) => "vector",
                _ => "matrix",
            }
            .to_string(),
            cycles: t.cycles,
            compute_cycles: t.compute_cycles,
            stall_cycles: t.stall_cycles,
            flops: t.flops,
            dram_bytes: t.dram_bytes,
            energy_j: t.energy.total_j(),
            peak_flops_per_cycle: t.peak_flops_per_cycle,
            utilization: if t.cycles == 0 {
                0.0
            } else {
                t.flops as f64 / (t.peak_flops_per_cycle * t.cycles as f64)
            },
        })
        .collect();
    Report {
        schema_version: REPORT_SCHEMA_VERSION,
        generator: format!("lutforge {}", env!("CARGO_PKG_VERSION")),
        inputs: Inputs {
            arch: ArchRecord {
                name: arch.name.clone(),
                kind: arch.kind().to_string(),
                source: arch.source.clone(),
                toml: arch.toml.clone(),
            },
            model: model_record(&workload.model),
            quant: workload.quant.to_string(),
            batch: workload.batch,
            prefill_tokens: workload.prefill_tokens,
            decode_tokens: workload.decode_tokens,
            shared_prefix_tokens: workload.shared_prefix_tokens,
            speculative: workload.speculative.as_ref().map(|s| SpeculativeRecord {
                draft: model_record(&s.draft),
                draft_quant: s.draft_quant.to_string(),
                draft_len: s.draft_len,
                acceptance_rate: s.acceptance_rate,
            }),
        },
        summary,
        phases: phase_reports,
        ops: op_reports,
        energy,
        area,
        notes,
    }
}

/// The report's record of a model.
pub fn model_record(m: &ModelConfig) -> ModelRecord {
    ModelRecord {
        name: m.name.clone(),
        model_type: m.model_type.clone(),
        params: m.param_count(),
        hidden_size: m.hidden_size,
        intermediate_size: m.intermediate_size,
        num_layers: m.num_layers,
        num_heads: m.num_heads,
        num_kv_heads: m.num_kv_heads,
        head_dim: m.head_dim,
        vocab_size: m.vocab_size,
        tied_embeddings: m.tied_embeddings,
        num_experts: m.num_experts(),
        experts_per_token: m.experts_per_token(),
        activation: format!("{:?}", m.activation),
        gated_ffn: m.gated_ffn,
        norm: format!("{:?}", m.norm),
        position: format!("{:?}", m.position),
        max_position: m.max_position,
        extra_norms_per_layer: m.extra_norms_per_layer,
    }
}
