//! The FPGA dataflow design as a family: its `[fpga]` section, the formats its engines run,
//! the fit check against its device, and the whole-pass cost of the [`Dataflow`] seam.

use std::any::Any;
use std::sync::Arc;

use lutforge_models::{ActFormat, KvFormat, Limit, WeightFormat};
use lutforge_workloads::{Op, OpKind, OpShape, Phase};

use super::config::{FpgaDesign, RawFpga, RawFpgaAttention, RawHost, RawTlmm, RawVq2d};
use super::engines::{engine_of, op_time, tlmm_problem, vq2d_problem, Engine, OpTime};
use super::layer;
use super::resources;
use super::tlmm::TlmmSpec;
use crate::arch::{Arch, Buffers};
use crate::dataflow::{Dataflow, DataflowStep, EngineActivity, ResourceRow};
use crate::energy::area::AreaModel;
use crate::energy::{EnergyBreakdown, EnergyModel};
use crate::error::SimError;
use crate::family::{ArrayCost, Family, FamilyInput, GemmJob, Machine, SectionLimits, Validated};
use crate::mapper::{check_op_cycles, check_op_flops, OpCost, Unit};
use crate::schedule::Schedule;

/// The `fpga_dataflow` family.
pub struct FpgaDataflow;

/// The nested tables' ranges: the TLMM engine's own fields (past `group`, fixed at 3), then
/// its buffer's and ports', and the other engines'.
static SUBSECTION_LIMITS: &[SectionLimits] = &[
    ("fpga.tlmm", TlmmSpec::LIMITS.split_at(1).1),
    ("fpga.tlmm", RawTlmm::LIMITS),
    ("fpga.vq2d", RawVq2d::LIMITS),
    ("fpga.attention", RawFpgaAttention::LIMITS),
    ("fpga.host", RawHost::LIMITS),
];

impl Family for FpgaDataflow {
    fn kind(&self) -> &'static str {
        "fpga_dataflow"
    }
    fn description(&self) -> &'static str {
        "FPGA streaming dataflow: table-lookup (TeLLMe) or VQ 2D-lookup (LUT-LLM) engines joined by FIFOs"
    }
    fn section(&self) -> &'static str {
        "fpga"
    }
    fn limits(&self) -> &'static [(&'static str, Limit)] {
        RawFpga::LIMITS
    }
    fn subsection_limits(&self) -> &'static [SectionLimits] {
        SUBSECTION_LIMITS
    }
    fn validate(&self, input: FamilyInput<'_>) -> Result<Validated, SimError> {
        let raw: RawFpga = input.section(self)?;
        if input.buffers.is_some() {
            return Err(SimError::invalid(
                input.check.file,
                "buffers",
                "present",
                "an FPGA design's buffers are its engines' (fpga.tlmm.weight_buffer_kib, FIFO depths); remove [buffers]",
            ));
        }
        let design = FpgaDesign::from_raw(&raw, input.check)?;
        resources::fit(&design, input.vector.lanes, input.check)?;
        let weight_bytes = design.tlmm.map_or(0, |t| t.weight_buffer_bytes);
        Ok(Validated {
            machine: Arc::new(design),
            buffers: Buffers {
                activation_bytes: 0,
                weight_bytes,
                output_bytes: 0,
                table_bytes: None,
            },
        })
    }
    fn schedules(&self) -> &'static [Schedule] {
        &[Schedule::Streaming]
    }
}

/// Why the host cannot run these formats, if it cannot: TeLLMe's host kernel is a W8A8 NEON
/// GEMV (`lm_head_neon.hpp`), INT8 weights and activations.
fn host_problem(design: &FpgaDesign, weight: WeightFormat, act: ActFormat) -> Option<String> {
    if design.host.is_none() {
        return Some("the design has no [fpga.host]".into());
    }
    if weight != WeightFormat::Int(8) {
        return Some(format!("the host runs INT8 weights, not w{weight}"));
    }
    (act != ActFormat::Int8).then(|| format!("the host runs INT8 activations, not a{act}"))
}

impl FpgaDesign {
    /// Why no engine runs weights of this format with any activation format, if none does.
    fn weight_reason(&self, weight: WeightFormat) -> Option<String> {
        let acts = [ActFormat::Int8, self.vq_act()];
        let runs = acts.iter().any(|&act| {
            tlmm_problem(self, weight, act).is_none()
                || vq2d_problem(self, weight, act).is_none()
                || host_problem(self, weight, act).is_none()
        });
        (!runs).then(|| {
            format!(
                "no engine of the pipeline runs w{weight} ({}; {}; {})",
                tlmm_problem(self, weight, ActFormat::Int8).unwrap_or_default(),
                vq2d_problem(self, weight, self.vq_act()).unwrap_or_default(),
                host_problem(self, weight, ActFormat::Int8).unwrap_or_default()
            )
        })
    }

    /// The activation format the VQ engine takes (INT8 when there is none).
    fn vq_act(&self) -> ActFormat {
        self.vq2d.map_or(ActFormat::Int8, |v| ActFormat::Vq {
            centroids: v.act_centroids as u16,
            len: v.vector_len as u8,
        })
    }
}

impl Machine for FpgaDesign {
    fn kind(&self) -> &'static str {
        FpgaDataflow.kind()
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
    fn weight_problem(&self, weight: WeightFormat) -> Option<String> {
        self.weight_reason(weight)
    }
    fn act_problem(&self, act: ActFormat) -> Option<String> {
        let runs = act == ActFormat::Int8 && (self.tlmm.is_some() || self.host.is_some())
            || act == self.vq_act() && self.vq2d.is_some();
        let what = if let ActFormat::Vq { .. } = act {
            format!("VQ activations (a{act})")
        } else {
            format!("a{act}")
        };
        (!runs).then(|| {
            format!(
                "the engines take {} activations, not {what}",
                if self.vq2d.is_some() {
                    format!("a{}", self.vq_act())
                } else {
                    "INT8".to_string()
                }
            )
        })
    }
    fn kv_problem(&self, _kv: KvFormat) -> Option<String> {
        None
    }
    fn gemm(&self, arch: &Arch, job: &GemmJob, _energy: &EnergyModel) -> ArrayCost {
        let op = Op {
            kind: OpKind::QkvProj,
            phase: Phase::Prefill,
            repeat: 1,
            shape: OpShape::Gemm {
                m: job.m,
                n: job.n,
                k: job.k,
                count: job.count,
                operand: job.operand,
                act: job.act,
                scale_group: job.scale_group,
            },
            flops: 2 * job.m * job.n * job.k * job.count,
            weight_bytes: 0,
            kv_read_bytes: 0,
            kv_write_bytes: 0,
            act_read_bytes: 0,
            act_write_bytes: 0,
            kv: None,
        };
        let time = engine_of(self, &op)
            .ok()
            .and_then(|engine| op_time(self, arch, &op, engine).ok());
        // A design without a sourced energy per event cannot cost an op (`simulation_problem`).
        match time.zip(self.energy.as_ref()) {
            Some((t, energy)) => ArrayCost {
                compute_cycles: t.busy_cycles,
                peak_flops_per_cycle: t.peak_flops_per_cycle,
                energy_pj: super::power::energy_pj(self, energy, arch, &t.events),
            },
            None => ArrayCost::uncostable(),
        }
    }
    fn area_um2(&self, _area: &AreaModel) -> f64 {
        0.0
    }
    fn dataflow(&self) -> Option<&dyn Dataflow> {
        Some(self)
    }
    fn static_power_w(&self) -> Option<f64> {
        // Unsourced only for a design `simulate` refuses (`simulation_problem`) before any
        // time is charged.
        Some(self.static_power_w.unwrap_or(0.0))
    }
    fn simulation_problem(&self) -> Option<String> {
        FpgaDesign::simulation_problem(self)
    }
}

impl Dataflow for FpgaDesign {
    fn resources(&self, arch: &Arch) -> Vec<ResourceRow> {
        resources::rows(self, arch.vector.lanes)
    }

    fn step(&self, arch: &Arch, ops: &[Op]) -> Result<DataflowStep, SimError> {
        let Some(energy) = self
            .energy
            .as_ref()
            .filter(|_| self.static_power_w.is_some())
        else {
            return Err(SimError::Unsupported {
                arch: arch.name.clone(),
                message: self.simulation_problem().unwrap_or_default(),
            });
        };
        let times = ops
            .iter()
            .map(|op| {
                check_op_flops(arch, op)?;
                let engine = engine_of(self, op).map_err(|message| SimError::Unsupported {
                    arch: arch.name.clone(),
                    message,
                })?;
                let t = op_time(self, arch, op, engine)?;
                check_op_cycles(arch, op, t.cycles)?;
                Ok(t)
            })
            .collect::<Result<Vec<OpTime>, SimError>>()?;
        let placed = layer::place(self, ops, &times);
        let mut engines: Vec<EngineActivity> = Engine::ALL
            .iter()
            .map(|e| EngineActivity {
                name: e.name(),
                ..EngineActivity::default()
            })
            .collect();
        let mut costs = Vec::with_capacity(ops.len());
        for ((op, t), p) in ops.iter().zip(&times).zip(&placed) {
            let activity = EngineActivity {
                name: t.engine.name(),
                busy_cycles: t.busy_cycles,
                dram_wait_cycles: t.dram_wait_cycles,
                blocked_cycles: t.blocked_cycles + p.blocked_cycles,
                starved_cycles: p.starved_cycles,
                fifo_peak_items: t.fifo_peak_items.max(p.fifo_peak_items),
                fifo_depth_items: t.fifo_depth_items.max(p.fifo_depth_items),
                ..EngineActivity::default()
            };
            engines[t.engine as usize].absorb(&activity.times(op.repeat));
            let mut energy_j = EnergyBreakdown::default();
            energy_j.add_scaled(
                &super::power::energy_pj(self, energy, arch, &t.events),
                1e-12,
            );
            costs.push(OpCost {
                unit: Unit::Engine(t.engine.name()),
                compute_cycles: t.busy_cycles,
                transfer_cycles: t.transfer_cycles,
                latency_cycles: 0,
                chunks: 1,
                spilled_inputs: false,
                total_cycles: p.share_cycles,
                stall_cycles: p.share_cycles.saturating_sub(t.busy_cycles),
                dram_bytes: t.dram_bytes,
                peak_flops_per_cycle: t.peak_flops_per_cycle,
                energy: energy_j,
            });
        }
        Ok(DataflowStep { costs, engines })
    }
}
