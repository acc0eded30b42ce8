//! The SRAM-PIM family: its `[sram_pim]` section, what runs where, and the cost of a forward
//! pass op by op through the [`Dataflow`] seam.
//!
//! - Weight products with integer weights of 1 to 8 bits (ternary and binary as 2-bit two's
//!   complement) and INT8 activations run on the cache's LUT-GEMV banks ([`super::gemv`]).
//! - Everything else (attention against the KV cache, softmax, norms, element-wise ops, and
//!   weight products in other formats, such as an fp16 LM head) runs on the host cores with the
//!   CPU family's model ([`crate::cpu::cores::op_time`]).
//! - Ops run one after another (the host issues the banks' instruction and waits for it).
//! - Energy: the banks' word reads (the subarray's read energy per bit), table-build and
//!   lookup/accumulate adds at the architecture's node, DRAM bits; the host's package power is
//!   the static power (the banks' leakage is not modelled).

use std::any::Any;
use std::sync::Arc;

use lutforge_models::{ActFormat, KvFormat, Limit, WeightFormat};
use lutforge_workloads::{GemmOperand, Op, OpShape};

use super::bank::area::{area, cache_overhead};
use super::bank::BankSpec;
use super::config::{RawActivations, RawSramPim, SramPim};
use super::gemv::{bank_time, BankTime, PatternCache, Product};
use crate::arch::{Arch, Buffers};
use crate::cpu::config::RawCpu;
use crate::cpu::cores::{op_time, Cpu};
use crate::cpu::family::host_op_cost;
use crate::dataflow::{Dataflow, DataflowStep, EngineActivity, ResourceRow};
use crate::energy::area::AreaModel;
use crate::energy::constants::DFF_UM2_45NM;
use crate::energy::{EnergyBreakdown, EnergyModel};
use crate::error::SimError;
use crate::family::{
    AreaOverhead, ArrayCost, Family, FamilyInput, GemmJob, Machine, SectionLimits, Validated,
};
use crate::mapper::{check_op_cycles, check_op_flops, OpCost, Unit};
use crate::schedule::Schedule;

/// The `sram_pim` family.
pub struct SramPimFamily;

/// The engine name of the banks in reports.
pub const PIM_ENGINE: &str = "pim";

/// The name of the pattern-aware build's saving in reports.
pub const PATTERN_SAVING: &str = "pattern_aware_lut";

/// The nested tables' ranges.
static SUBSECTION_LIMITS: &[SectionLimits] = &[
    ("sram_pim", BankSpec::LIMITS),
    ("sram_pim.activations", RawActivations::LIMITS),
    ("sram_pim.host", RawCpu::LIMITS),
];

impl Family for SramPimFamily {
    fn kind(&self) -> &'static str {
        "sram_pim"
    }
    fn description(&self) -> &'static str {
        "LUT-GEMV in a CPU's last-level-cache SRAM (SAIL): batched table lookups, pattern-aware builds, host cores for the rest"
    }
    fn section(&self) -> &'static str {
        "sram_pim"
    }
    fn limits(&self) -> &'static [(&'static str, Limit)] {
        RawSramPim::LIMITS
    }
    fn subsection_limits(&self) -> &'static [SectionLimits] {
        SUBSECTION_LIMITS
    }
    fn validate(&self, input: FamilyInput<'_>) -> Result<Validated, SimError> {
        let raw: RawSramPim = input.section(self)?;
        if input.buffers.is_some() {
            return Err(SimError::invalid(
                input.check.file,
                "buffers",
                "present",
                "an SRAM-PIM design's buffers are its cache's subarrays ([sram_pim]) and its host's caches ([sram_pim.host]); remove [buffers]",
            ));
        }
        let pim = SramPim::from_raw(&raw, input.check)?;
        Ok(Validated {
            machine: Arc::new(PimMachine {
                pim,
                patterns: PatternCache::default(),
            }),
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

/// A validated SRAM-PIM design and the pattern statistics it has drawn.
#[derive(Debug)]
pub struct PimMachine {
    /// The design.
    pub pim: SramPim,
    patterns: PatternCache,
}

/// The weight planes the banks run `weight` with (two's complement), if they take it.
pub fn bank_planes(weight: WeightFormat) -> Option<u32> {
    match weight {
        WeightFormat::Binary | WeightFormat::Ternary => Some(2),
        WeightFormat::Int(b) if (1..=8).contains(&b) => Some(u32::from(b)),
        _ => None,
    }
}

impl PimMachine {
    /// The bank product of `op`, if the banks run it.
    fn product(op: &Op) -> Option<Product> {
        match op.shape {
            OpShape::Gemm {
                m,
                n,
                k,
                count,
                operand: GemmOperand::Weights(w),
                act: ActFormat::Int8,
                ..
            } => bank_planes(w).map(|weight_bits| Product {
                m,
                n,
                k,
                count,
                weight_bits,
            }),
            _ => None,
        }
    }
}

impl Machine for PimMachine {
    fn kind(&self) -> &'static str {
        SramPimFamily.kind()
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
    fn weight_problem(&self, weight: WeightFormat) -> Option<String> {
        // The banks take integer weights; the host's kernels take the rest they can.
        bank_planes(weight)
            .is_none()
            .then(|| crate::cpu::cores::weight_problem(weight))
            .flatten()
    }
    fn act_problem(&self, act: ActFormat) -> Option<String> {
        crate::cpu::cores::act_problem(act)
    }
    fn kv_problem(&self, _kv: KvFormat) -> Option<String> {
        None
    }
    fn gemm(&self, _arch: &Arch, _job: &GemmJob, _energy: &EnergyModel) -> ArrayCost {
        // Costed as a whole pass ([`Dataflow::step`]); the engine never asks op by op.
        ArrayCost::uncostable()
    }
    fn area_um2(&self, area_model: &AreaModel) -> f64 {
        let scale = area_model.register_um2(1) / DFF_UM2_45NM;
        area(&self.pim.bank).periphery_um2() * self.pim.compute_subarrays() as f64 * scale
    }
    fn area_overhead(&self, area_model: &AreaModel) -> Option<AreaOverhead> {
        let a = area(&self.pim.bank);
        let scale = area_model.register_um2(1) / DFF_UM2_45NM;
        let base = a.macro_um2 * self.pim.subarrays() as f64 * scale;
        Some(AreaOverhead {
            what: format!(
                "LUT-GEMV periphery of {} compute subarrays over the cache's {} subarrays",
                self.pim.compute_subarrays(),
                self.pim.subarrays()
            ),
            added_um2: cache_overhead(&a, self.pim.compute_subarrays(), self.pim.subarrays())
                * base,
            base_um2: base,
        })
    }
    fn dataflow(&self) -> Option<&dyn Dataflow> {
        Some(self)
    }
    fn static_power_w(&self) -> Option<f64> {
        Some(self.pim.host.static_power_w)
    }
}

impl Dataflow for PimMachine {
    fn resources(&self, _arch: &Arch) -> Vec<ResourceRow> {
        Vec::new()
    }

    fn step(&self, arch: &Arch, ops: &[Op]) -> Result<DataflowStep, SimError> {
        let host = Cpu::new(&self.pim.host, arch);
        let energy = EnergyModel::at_node(arch.tech_node_nm);
        let bank = &self.pim.bank;
        // Whether every bank-run weight of the pass fits the compute subarrays at once.
        let capacity_bits =
            self.pim.compute_subarrays() as f64 * bank.words() as f64 * f64::from(bank.word_bits());
        let weight_bits: f64 = ops
            .iter()
            .filter_map(|op| Self::product(op).map(|p| (op, p)))
            .map(|(op, p)| {
                (p.n * p.k * p.count * u64::from(p.weight_bits)) as f64 * op.repeat as f64
            })
            .sum();
        let resident = weight_bits <= capacity_bits;
        let host_resident = ops.iter().fold(0u64, |sum, op| {
            sum.saturating_add((op.weight_bytes + op.kv_read_bytes).saturating_mul(op.repeat))
        });
        let mut pim_engine = EngineActivity {
            name: PIM_ENGINE,
            saving: bank.pattern_aware.then_some(PATTERN_SAVING),
            ..EngineActivity::default()
        };
        let mut host_engine = EngineActivity {
            name: "host",
            ..EngineActivity::default()
        };
        let clock_hz = arch.clock_mhz * 1e6;
        let cycles_of = |seconds: f64| (seconds * clock_hz).ceil() as u64;
        let mut costs = Vec::with_capacity(ops.len());
        for op in ops {
            check_op_flops(arch, op)?;
            let unsupported = |message: String| SimError::Unsupported {
                arch: arch.name.clone(),
                message: format!("{}: {message}", op.kind.as_str()),
            };
            let cost = match Self::product(op) {
                Some(p) => {
                    let t: BankTime =
                        bank_time(&self.pim, &self.patterns, p, resident).map_err(unsupported)?;
                    let dram = cycles_of(t.dram_bytes as f64 / arch.dram.sustained_bytes_per_s());
                    let link = cycles_of(t.link_bytes as f64 / self.pim.link_bytes_per_s);
                    let latency = if t.dram_bytes > 0 {
                        cycles_of(arch.dram.latency_s)
                    } else {
                        0
                    };
                    let host_lanes = (host.cores * host.vector_lanes).max(1);
                    let reduce = t.host_ops.div_ceil(host_lanes);
                    let total = t.bank_cycles.max(dram).max(link) + latency + reduce;
                    check_op_cycles(arch, op, total)?;
                    let activity = EngineActivity {
                        name: PIM_ENGINE,
                        busy_cycles: t.bank_cycles,
                        dram_wait_cycles: total - t.bank_cycles - reduce,
                        saved_cycles: t.bank_cycles_without_pattern - t.bank_cycles,
                        saving: pim_engine.saving,
                        ..EngineActivity::default()
                    };
                    pim_engine.absorb(&activity.times(op.repeat));
                    let word_bits = f64::from(bank.word_bits());
                    let read_pj = energy.sram_pj_per_bit(bank.bit_cells() / 8) * word_bits;
                    let add_pj = energy.add_pj(bank.entry_bits());
                    let acc_pj = energy.add_pj(bank.acc_bits);
                    let sram_j = t.word_reads as f64 * read_pj * 1e-12;
                    let add_j = (t.entries_built as f64 * add_pj
                        + t.lane_accumulates as f64 * acc_pj)
                        * 1e-12;
                    OpCost {
                        unit: Unit::Engine(PIM_ENGINE),
                        compute_cycles: t.bank_cycles,
                        transfer_cycles: dram,
                        latency_cycles: latency,
                        chunks: 1,
                        spilled_inputs: false,
                        total_cycles: total,
                        stall_cycles: total - t.bank_cycles - reduce,
                        dram_bytes: t.dram_bytes,
                        peak_flops_per_cycle: 2.0
                            * (self.pim.compute_subarrays() * u64::from(bank.lanes())) as f64
                            * f64::from(bank.group)
                            / f64::from(bank.lookup_cycles),
                        energy: EnergyBreakdown {
                            dram_j: t.dram_bytes as f64 * 8.0 * arch.dram.energy_pj_per_bit * 1e-12,
                            sram_j,
                            add_j,
                            ..EnergyBreakdown::default()
                        },
                    }
                }
                None => {
                    let t = op_time(&host, op, host_resident).map_err(unsupported)?;
                    check_op_cycles(arch, op, t.cycles)?;
                    let (cost, activity) = host_op_cost(&t);
                    host_engine.absorb(&EngineActivity {
                        name: "host",
                        ..activity.times(op.repeat)
                    });
                    cost
                }
            };
            costs.push(cost);
        }
        Ok(DataflowStep {
            costs,
            engines: vec![pim_engine, host_engine],
        })
    }
}
