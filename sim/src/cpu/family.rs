//! The CPU as a family: its `[cpu]` section, the formats its kernels run, and the cost of a
//! forward pass op by op on its cores through the [`Dataflow`] seam.

use std::any::Any;
use std::sync::Arc;

use lutforge_models::{ActFormat, KvFormat, Limit, WeightFormat};
use lutforge_workloads::{GemmOperand, Op, OpKind, OpShape, Phase};

use super::config::{CpuSpec, RawCpu};
use super::cores::{op_time, Cpu, CpuOpTime, CpuUnit};
use crate::arch::{Arch, Buffers};
use crate::dataflow::{Dataflow, DataflowStep, EngineActivity, ResourceRow};
use crate::energy::area::AreaModel;
use crate::energy::{EnergyBreakdown, EnergyModel};
use crate::error::SimError;
use crate::family::{ArrayCost, Family, FamilyInput, GemmJob, Machine, Validated};
use crate::mapper::{check_op_cycles, check_op_flops, OpCost, Unit};
use crate::schedule::Schedule;

/// The `cpu` family.
pub struct CpuFamily;

impl Family for CpuFamily {
    fn kind(&self) -> &'static str {
        "cpu"
    }
    fn description(&self) -> &'static str {
        "multi-core CPU baseline: T-MAC table-lookup or llama.cpp dequantizing kernels, roofline over caches and DRAM"
    }
    fn section(&self) -> &'static str {
        "cpu"
    }
    fn limits(&self) -> &'static [(&'static str, Limit)] {
        RawCpu::LIMITS
    }
    fn validate(&self, input: FamilyInput<'_>) -> Result<Validated, SimError> {
        let raw: RawCpu = input.section(self)?;
        if input.buffers.is_some() {
            return Err(SimError::invalid(
                input.check.file,
                "buffers",
                "present",
                "a CPU's buffers are its caches (cpu.l1d_kib, cpu.l2_kib, cpu.l3_kib); remove [buffers]",
            ));
        }
        let spec = CpuSpec::from_raw(&raw, input.check)?;
        Ok(Validated {
            machine: Arc::new(spec),
            buffers: Buffers {
                activation_bytes: 0,
                weight_bytes: 0,
                output_bytes: 0,
                table_bytes: None,
            },
        })
    }
    fn schedules(&self) -> &'static [Schedule] {
        &[Schedule::Sequential]
    }
}

impl Machine for CpuSpec {
    fn kind(&self) -> &'static str {
        CpuFamily.kind()
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
    fn weight_problem(&self, weight: WeightFormat) -> Option<String> {
        super::cores::weight_problem(weight)
    }
    fn act_problem(&self, act: ActFormat) -> Option<String> {
        super::cores::act_problem(act)
    }
    fn kv_problem(&self, _kv: KvFormat) -> Option<String> {
        None
    }
    fn gemm(&self, arch: &Arch, job: &GemmJob, _energy: &EnergyModel) -> ArrayCost {
        let op = Op {
            kind: match job.operand {
                GemmOperand::Weights(_) => OpKind::QkvProj,
                GemmOperand::KvCache(_) => OpKind::AttnScore,
            },
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
            flops: 2u64
                .saturating_mul(job.m)
                .saturating_mul(job.n)
                .saturating_mul(job.k)
                .saturating_mul(job.count),
            weight_bytes: 0,
            kv_read_bytes: 0,
            kv_write_bytes: 0,
            act_read_bytes: 0,
            act_write_bytes: 0,
            kv: None,
        };
        match op_time(&Cpu::new(self, arch), &op, 0) {
            Ok(t) => ArrayCost {
                compute_cycles: t.compute_cycles,
                peak_flops_per_cycle: t.peak_flops_per_cycle,
                energy_pj: EnergyBreakdown::default(),
            },
            Err(_) => ArrayCost::uncostable(),
        }
    }
    fn area_um2(&self, _area: &AreaModel) -> f64 {
        0.0
    }
    fn dataflow(&self) -> Option<&dyn Dataflow> {
        Some(self)
    }
    fn static_power_w(&self) -> Option<f64> {
        Some(self.static_power_w)
    }
}

impl Dataflow for CpuSpec {
    fn resources(&self, _arch: &Arch) -> Vec<ResourceRow> {
        Vec::new()
    }

    fn step(&self, arch: &Arch, ops: &[Op]) -> Result<DataflowStep, SimError> {
        let cpu = Cpu::new(self, arch);
        // Every weight and KV byte the pass reads: whether they stay in the last-level cache.
        let resident_bytes = ops.iter().fold(0u64, |sum, op| {
            sum.saturating_add((op.weight_bytes + op.kv_read_bytes).saturating_mul(op.repeat))
        });
        let mut engines: Vec<EngineActivity> = CpuUnit::ALL
            .iter()
            .map(|u| EngineActivity {
                name: u.name(),
                ..EngineActivity::default()
            })
            .collect();
        let mut costs = Vec::with_capacity(ops.len());
        for op in ops {
            check_op_flops(arch, op)?;
            let t = op_time(&cpu, op, resident_bytes).map_err(|message| SimError::Unsupported {
                arch: arch.name.clone(),
                message,
            })?;
            check_op_cycles(arch, op, t.cycles)?;
            let (cost, activity) = host_op_cost(&t);
            engines[t.unit as usize].absorb(&activity.times(op.repeat));
            costs.push(cost);
        }
        Ok(DataflowStep { costs, engines })
    }
}

/// One op's cost and engine activity on the cores, from its [`op_time`]: the CPU family's, and
/// the host cores' of families that have them (the SRAM PIM).
pub fn host_op_cost(t: &CpuOpTime) -> (OpCost, EngineActivity) {
    let activity = EngineActivity {
        name: t.unit.name(),
        busy_cycles: t.compute_cycles,
        dram_wait_cycles: t.cycles - t.compute_cycles,
        ..EngineActivity::default()
    };
    let cost = OpCost {
        unit: Unit::Engine(t.unit.name()),
        compute_cycles: t.compute_cycles,
        transfer_cycles: t.transfer_cycles,
        latency_cycles: 0,
        chunks: 1,
        spilled_inputs: false,
        total_cycles: t.cycles,
        stall_cycles: t.cycles - t.compute_cycles,
        dram_bytes: t.dram_bytes,
        peak_flops_per_cycle: t.peak_flops_per_cycle,
        energy: EnergyBreakdown {
            dram_j: t.dram_energy_j,
            ..EnergyBreakdown::default()
        },
    };
    (cost, activity)
}
