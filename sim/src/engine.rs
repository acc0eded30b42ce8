//! The engine: runs a whole workload (every step of prefill and decode) through the mapper and
//! the architecture's scheduler, and adds the costs up into a [`Report`].
//!
//! Each step's ops run in layer order: the ops before the decoder stack once, the stack's ops
//! once per layer, then the ones after it. An op's share of the run is the time it adds to the
//! timeline (its end minus the previous op's end), so per-op times add up to the run time under
//! every schedule. A repeated layer whose scheduler state has reached a uniform time shift is
//! not placed again: the remaining layers repeat the last one's shares exactly. Static power is
//! charged for every cycle the design runs; everything else comes from [`crate::mapper`].

use std::collections::BTreeMap;

use lutforge_models::{Attention, ModelConfig};
use lutforge_workloads::{lower_step, Footprint, Op, OpKind, OpShape, Phase, Workload};

use crate::arch::Arch;
use crate::dataflow::EngineActivity;
use crate::energy::area::arch_area;
use crate::energy::EnergyBreakdown;
use crate::error::SimError;
use crate::mapper::{map_op, OpCost, Unit, MAX_CYCLES};
use crate::memory;
use crate::report::{
    ArchRecord, AreaOverheadReport, EngineReport, Inputs, ModelRecord, OpKindReport, PhaseReport,
    Report, SavingReport, SpeculativeRecord, Summary, REPORT_SCHEMA_VERSION,
};
use crate::schedule::overlapped::State;
use crate::schedule::{Placement, Schedule};
use crate::support;

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
    /// Where the scheduler put its DRAM transfers and its compute.
    pub placement: Placement,
    /// The op's cost on its own.
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
    /// Sum of peak rate x cycles, for a utilization that weighs every op by its time.
    peak_flop_cycles: f64,
    unit: Option<Unit>,
}

impl Totals {
    /// Adds `times` instances of an op that each took `cycles` of the timeline; `None` when a
    /// total would pass [`MAX_CYCLES`] (cycles) or u64 (FLOPs, bytes).
    fn add(
        &mut self,
        cost: &OpCost,
        flops: u64,
        times: u64,
        cycles: u64,
        static_j_per_cycle: f64,
    ) -> Option<()> {
        let grow = |total: u64, each: u64, limit: u64| {
            each.checked_mul(times)
                .and_then(|n| total.checked_add(n))
                .filter(|t| *t < limit)
        };
        self.cycles = grow(self.cycles, cycles, MAX_CYCLES)?;
        self.compute_cycles = grow(self.compute_cycles, cost.compute_cycles, MAX_CYCLES)?;
        self.stall_cycles = grow(
            self.stall_cycles,
            cycles.saturating_sub(cost.compute_cycles),
            MAX_CYCLES,
        )?;
        self.flops = grow(self.flops, flops, u64::MAX)?;
        self.dram_bytes = grow(self.dram_bytes, cost.dram_bytes, u64::MAX)?;
        self.energy.add_scaled(&cost.energy, times as f64);
        self.energy.static_j += (cycles * times) as f64 * static_j_per_cycle;
        // Busy time: an op overlapped with its producer still occupies its unit for its compute.
        let busy = cycles.max(cost.compute_cycles) * times;
        self.peak_flop_cycles += cost.peak_flops_per_cycle * busy as f64;
        self.unit = Some(cost.unit);
        Some(())
    }
}

impl Totals {
    /// Adds another kind's totals into a phase's; `None` when a total would not fit.
    fn absorb(&mut self, other: &Totals) -> Option<()> {
        let sum = |a: u64, b: u64, limit: u64| a.checked_add(b).filter(|t| *t < limit);
        self.cycles = sum(self.cycles, other.cycles, MAX_CYCLES)?;
        self.compute_cycles = sum(self.compute_cycles, other.compute_cycles, MAX_CYCLES)?;
        self.stall_cycles = sum(self.stall_cycles, other.stall_cycles, MAX_CYCLES)?;
        self.flops = sum(self.flops, other.flops, u64::MAX)?;
        self.dram_bytes = sum(self.dram_bytes, other.dram_bytes, u64::MAX)?;
        self.energy.add_scaled(&other.energy, 1.0);
        self.peak_flop_cycles += other.peak_flop_cycles;
        self.unit = other.unit.or(self.unit);
        Some(())
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

/// Places op instances in time under the architecture's schedule.
struct Placer {
    schedule: Schedule,
    /// Sequential: the end of the last op, cycles.
    cursor: u64,
    state: State,
}

impl Placer {
    /// Places one instance; returns where it went and the cycles it added to the timeline.
    fn place(&mut self, op: &Op, cost: &OpCost) -> (Placement, u64) {
        let before = self.end();
        let placement = match self.schedule {
            Schedule::Overlapped => self.state.place(&cost.timing(op.kind)),
            // Streaming is refused for every family without stages when the file is validated.
            Schedule::Sequential | Schedule::Streaming => {
                let start = self.cursor;
                // Saturating: the totals that are reported are checked by `Totals::add`.
                self.cursor = self.cursor.saturating_add(cost.total_cycles);
                Placement {
                    dram_start: start,
                    dram_end: start + cost.latency_cycles + cost.transfer_cycles,
                    compute_start: start,
                    end: self.cursor,
                }
            }
        };
        (placement, self.end() - before)
    }

    /// The end of everything placed so far, whole cycles.
    fn end(&self) -> u64 {
        match self.schedule {
            Schedule::Overlapped => self.state.end().ceil() as u64,
            _ => self.cursor,
        }
    }
}

fn run(
    arch: &Arch,
    workload: &Workload,
    mut notes: Vec<String>,
    mut timeline: Option<&mut Vec<TimelineEntry>>,
) -> Result<Report, SimError> {
    if let Some(message) = arch.machine.simulation_problem() {
        return Err(SimError::Unsupported {
            arch: arch.name.clone(),
            message,
        });
    }
    let footprint = memory::check_capacity(arch, workload)?;
    let static_j_per_cycle = arch.static_power_w() * arch.seconds_per_cycle();
    // Per engine of a dataflow machine, over the whole run.
    let mut engines: Vec<EngineActivity> = Vec::new();
    // Per phase and op kind, indexed by declaration order; the phase totals are their sums.
    let mut steps_in: [u64; 2] = [0; 2];
    let mut by_kind: [[Totals; OpKind::ALL.len()]; 2] = Default::default();
    let mut placer = Placer {
        schedule: arch.schedule,
        cursor: 0,
        state: State::default(),
    };
    let tracing = timeline.is_some();
    // Why each op kind that ran on the fallback unit could not run on the matrix unit.
    let mut fallback_reasons: BTreeMap<OpKind, String> = BTreeMap::new();
    let all_steps = workload.steps();
    let steps = all_steps.len();
    for (index, step) in all_steps.iter().enumerate() {
        let (model, quant) = workload.model_of(step);
        let phase = step.phase();
        steps_in[phase as usize] += 1;
        let ops = lower_step(model, quant, step);
        let costs = match arch.machine.dataflow() {
            Some(dataflow) => {
                let step = dataflow.step(arch, &ops)?;
                for (i, activity) in step.engines.iter().enumerate() {
                    match engines.get_mut(i) {
                        Some(total) => total.absorb(activity),
                        None => engines.push(*activity),
                    }
                }
                step.costs
            }
            None => ops
                .iter()
                .map(|op| map_op(arch, op))
                .collect::<Result<Vec<_>, _>>()?,
        };
        for (op, cost) in ops.iter().zip(&costs) {
            if let (
                true,
                OpShape::Gemm {
                    operand,
                    act,
                    scale_group,
                    ..
                },
            ) = (cost.unit.is_fallback(), op.shape)
            {
                fallback_reasons.entry(op.kind).or_insert_with(|| {
                    support::fallback_reason(arch, operand, act, scale_group).unwrap_or_default()
                });
            }
        }
        let mut record = |op: &Op, cost: &OpCost, times: u64, cycles: u64| {
            by_kind[phase as usize][op.kind as usize]
                .add(cost, op.flops, times, cycles, static_j_per_cycle)
                .ok_or_else(|| SimError::TooLarge {
                    arch: arch.name.clone(),
                    message: format!(
                        "the {} totals over {steps} forward passes x {} layers exceed 2^62 cycles or 2^64 bytes; use fewer tokens, a smaller batch or a faster design",
                        phase.as_str(),
                        op.repeat
                    ),
                })
        };
        // The decoder stack: the contiguous ops that repeat once per layer.
        let first = ops.iter().position(|op| op.repeat > 1).unwrap_or(ops.len());
        let last = ops[first..]
            .iter()
            .position(|op| op.repeat <= 1)
            .map_or(ops.len(), |p| first + p);
        let layers = ops.get(first).map_or(1, |op| op.repeat);
        let mut place = |i: usize, layer: Option<u64>, placer: &mut Placer| {
            let (placement, cycles) = placer.place(&ops[i], &costs[i]);
            if let Some(timeline) = timeline.as_deref_mut() {
                timeline.push(TimelineEntry {
                    phase,
                    step: index as u64,
                    layer,
                    kind: ops[i].kind,
                    placement,
                    cost: costs[i],
                });
            }
            cycles
        };
        for i in 0..first {
            let cycles = place(i, None, &mut placer);
            record(&ops[i], &costs[i], 1, cycles)?;
        }
        let mut layer = 0;
        while layer < layers {
            let before = placer.state;
            let shares: Vec<u64> = (first..last)
                .map(|i| place(i, (layers > 1).then_some(layer), &mut placer))
                .collect();
            layer += 1;
            let left = layers - layer;
            // The next layer starts from this one's state moved in time: all the rest repeat it.
            let period = match placer.schedule {
                Schedule::Overlapped => placer.state.shifted_from(&before),
                _ => Some(0.0),
            };
            let mut times = 1;
            if let (Some(delta), true) = (period, left > 0 && !tracing) {
                placer.state.shift(delta * left as f64);
                placer.cursor = placer
                    .cursor
                    .saturating_add(shares.iter().sum::<u64>().saturating_mul(left));
                times += left;
                layer = layers;
            }
            for (i, cycles) in (first..last).zip(shares) {
                record(&ops[i], &costs[i], times, cycles)?;
            }
        }
        for i in last..ops.len() {
            let cycles = place(i, None, &mut placer);
            record(&ops[i], &costs[i], 1, cycles)?;
        }
    }
    for (kind, reason) in fallback_reasons {
        notes.push(format!(
            "{} runs on {}: {reason}",
            kind.as_str(),
            arch.fallback.describe(arch)
        ));
    }
    let mut phases: BTreeMap<Phase, Totals> = BTreeMap::new();
    let mut kinds: BTreeMap<(Phase, OpKind), Totals> = BTreeMap::new();
    for (phase, (steps, row)) in [Phase::Prefill, Phase::Decode]
        .into_iter()
        .zip(steps_in.into_iter().zip(by_kind))
    {
        if steps == 0 {
            continue;
        }
        let total = phases.entry(phase).or_default();
        total.steps = steps;
        for (kind, t) in OpKind::ALL.into_iter().zip(row) {
            if t.unit.is_none() {
                continue;
            }
            total.absorb(&t).ok_or_else(|| SimError::TooLarge {
                arch: arch.name.clone(),
                message: format!(
                    "the {} totals over {} forward passes exceed 2^62 cycles or 2^64 bytes; use fewer tokens, a smaller batch or a faster design",
                    phase.as_str(),
                    steps
                ),
            })?;
            kinds.insert((phase, kind), t);
        }
    }
    let mut report = assemble(arch, workload, footprint, notes, &phases, &kinds);
    report.engines = engine_reports(&engines, report_cycles(&phases));
    report.summary.savings = run_savings(&engines);
    if let Some(dataflow) = arch.machine.dataflow() {
        report.resources = dataflow.resources(arch);
    }
    let s = &report.summary;
    let numbers = [
        s.ttft_s,
        s.total_time_s,
        s.total_energy_j,
        s.e2e_tokens_per_s,
        s.tpot_s.unwrap_or(0.0),
        s.decode_energy_per_token_j.unwrap_or(0.0),
    ];
    if numbers.iter().any(|v| !v.is_finite()) {
        return Err(SimError::TooLarge {
            arch: arch.name.clone(),
            message: format!("a reported time or energy is not a finite number ({numbers:?})"),
        });
    }
    Ok(report)
}

fn assemble(
    arch: &Arch,
    workload: &Workload,
    footprint: Footprint,
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
        dollars_per_hour: arch.cost.map(|c| c.dollars_per_hour),
        tokens_per_dollar: arch
            .cost
            .filter(|_| decoding)
            .map(|c| c.tokens_per_dollar(decode_tokens / decode_s)),
        savings: BTreeMap::new(),
        area_overhead: arch
            .machine
            .area_overhead(&crate::energy::area::AreaModel::at_node(arch.tech_node_nm))
            .map(|o| AreaOverheadReport {
                fraction: o.added_um2 / o.base_um2.max(f64::MIN_POSITIVE),
                what: o.what,
                added_mm2: o.added_um2 * 1e-6,
                base_mm2: o.base_um2 * 1e-6,
            }),
        total_time_s,
        total_energy_j: energy.total_j(),
        dram_bytes: phases.values().map(|t| t.dram_bytes).sum(),
        stall_cycles: phases.values().map(|t| t.stall_cycles).sum(),
        area_mm2: area.total_mm2(),
        clock_mhz: arch.clock_mhz,
        dram_bandwidth_bytes_per_s: arch.dram.peak_bytes_per_s,
        dram_sustained_bytes_per_s: arch.dram.sustained_bytes_per_s(),
        dynamic_energy_j: energy.dynamic_j(),
        static_energy_j: energy.static_j,
        static_power_w: arch.static_power_w(),
        dram_footprint_bytes: footprint.total_bytes(),
        dram_capacity_bytes: arch.dram.capacity_bytes,
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
            unit: t.unit.unwrap_or(Unit::Matrix).as_str().to_string(),
            cycles: t.cycles,
            compute_cycles: t.compute_cycles,
            stall_cycles: t.stall_cycles,
            flops: t.flops,
            dram_bytes: t.dram_bytes,
            energy_j: t.energy.total_j(),
            peak_flops_per_cycle: if t.cycles.max(t.compute_cycles) == 0 {
                0.0
            } else {
                t.peak_flop_cycles / t.cycles.max(t.compute_cycles) as f64
            },
            utilization: if t.peak_flop_cycles == 0.0 {
                0.0
            } else {
                t.flops as f64 / t.peak_flop_cycles
            },
        })
        .collect();
    let models: Vec<&ModelConfig> = std::iter::once(&workload.model)
        .chain(workload.speculative.as_ref().map(|s| &s.draft))
        .collect();
    Report {
        schema_version: REPORT_SCHEMA_VERSION,
        generator: format!("lutforge {}", env!("CARGO_PKG_VERSION")),
        inputs: Inputs {
            arch: ArchRecord {
                name: arch.name.clone(),
                kind: arch.kind().to_string(),
                schedule: arch.schedule.as_str().to_string(),
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
            moe_routing: models
                .iter()
                .any(|m| m.moe.is_some())
                .then(|| workload.options.moe_routing.to_string()),
            mla_decode: models
                .iter()
                .any(|m| matches!(m.attention, Attention::Latent(_)))
                .then(|| workload.options.mla_decode.to_string()),
        },
        summary,
        phases: phase_reports,
        ops: op_reports,
        energy,
        area,
        engines: Vec::new(),
        resources: Vec::new(),
        notes,
    }
}

/// Cycles of the whole run.
fn report_cycles(phases: &BTreeMap<Phase, Totals>) -> u64 {
    phases.values().map(|t| t.cycles).sum()
}

/// The savings of every engine's optimizations, summed by name over the engines.
fn run_savings(engines: &[EngineActivity]) -> BTreeMap<String, SavingReport> {
    let mut sums: BTreeMap<String, (u64, u64)> = BTreeMap::new();
    for e in engines {
        if let Some(name) = e.saving {
            let s = sums.entry(name.to_string()).or_default();
            s.0 += e.saved_cycles;
            s.1 += e.busy_cycles + e.saved_cycles;
        }
    }
    sums.into_iter()
        .map(|(name, (saved, without))| {
            (
                name,
                SavingReport {
                    saved_cycles: saved,
                    saved_share: saved as f64 / without.max(1) as f64,
                },
            )
        })
        .collect()
}

/// The engines that did anything, with their utilization over `run_cycles`.
fn engine_reports(engines: &[EngineActivity], run_cycles: u64) -> Vec<EngineReport> {
    engines
        .iter()
        .filter(|e| e.busy_cycles > 0)
        .map(|e| EngineReport {
            name: e.name.to_string(),
            busy_cycles: e.busy_cycles,
            utilization: e.busy_cycles as f64 / run_cycles.max(1) as f64,
            dram_wait_cycles: e.dram_wait_cycles,
            blocked_cycles: e.blocked_cycles,
            starved_cycles: e.starved_cycles,
            fifo_peak_items: e.fifo_peak_items,
            fifo_depth_items: e.fifo_depth_items,
            savings: e
                .saving
                .map(|name| {
                    let share =
                        e.saved_cycles as f64 / (e.busy_cycles + e.saved_cycles).max(1) as f64;
                    (
                        name.to_string(),
                        SavingReport {
                            saved_cycles: e.saved_cycles,
                            saved_share: share,
                        },
                    )
                })
                .into_iter()
                .collect(),
        })
        .collect()
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
        attention: match m.attention {
            Attention::Standard => "standard",
            Attention::Latent(_) => "mla",
        }
        .to_string(),
        kv_cache_width: m.kv_cache_width(),
        sliding_window: m.sliding_window.map(|w| w.window),
        local_layers: m.local_layers(),
        moe_layers: m.moe_layers(),
        expert_intermediate_size: m.moe.map_or(0, |moe| moe.expert_intermediate_size),
        shared_intermediate_size: m.moe.map_or(0, |moe| moe.shared_intermediate_size),
    }
}
