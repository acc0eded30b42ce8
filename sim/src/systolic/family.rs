//! The systolic array as a family: its `[systolic]` section (whose SRAMs are the core's
//! buffers), the formats an integer array runs, the fold-level cost of SCALE-Sim's model
//! ([`super::gemm_cost`]) and its area. DRAM comes from the shared memory system, not from
//! SCALE-Sim's port model, which only the `scalesim` front end uses.

use std::any::Any;
use std::sync::Arc;

use lutforge_models::{ActFormat, KvFormat, WeightFormat};

use super::{gemm_cost, RawSystolic, SystolicArray};
use crate::arch::{Arch, Buffers};
use crate::energy::area::AreaModel;
use crate::energy::constants::SYSTOLIC_ACC_BITS;
use crate::energy::{EnergyBreakdown, EnergyModel};
use crate::error::SimError;
use crate::family::{ArrayCost, Family, FamilyInput, GemmJob, Machine, Validated};
use crate::schedule::Schedule;

/// The `systolic` family.
pub struct SystolicFamily;

impl Family for SystolicFamily {
    fn kind(&self) -> &'static str {
        "systolic"
    }
    fn description(&self) -> &'static str {
        "systolic array (os/ws/is dataflows), SCALE-Sim's fold model: the INT8 baseline"
    }
    fn section(&self) -> &'static str {
        "systolic"
    }
    fn limits(&self) -> &'static [(&'static str, lutforge_models::Limit)] {
        RawSystolic::LIMITS
    }
    fn validate(&self, input: FamilyInput<'_>) -> Result<Validated, SimError> {
        let file = input.check.file;
        if input.buffers.is_some() {
            return Err(SimError::invalid(
                file,
                "buffers",
                "present",
                "a systolic array's buffers are its [systolic] SRAMs; remove [buffers]",
            ));
        }
        let raw: RawSystolic = input.section(self)?;
        if let Some(mode) = &raw.bandwidth_mode {
            return Err(SimError::invalid(
                file,
                "systolic.bandwidth_mode",
                format!("\"{mode}\""),
                "simulate takes DRAM bandwidth from [dram]; remove this field",
            ));
        }
        if let Some(words) = raw.dram_words_per_cycle {
            return Err(SimError::invalid(
                file,
                "systolic.dram_words_per_cycle",
                words,
                "simulate takes DRAM bandwidth from [dram]; remove this field",
            ));
        }
        let calc = RawSystolic {
            bandwidth_mode: Some("calc".to_string()),
            ..raw.clone()
        };
        let array = SystolicArray::from_raw(&calc, file)?;
        Ok(Validated {
            buffers: Buffers {
                activation_bytes: array.ifmap_sram_bytes,
                weight_bytes: array.filter_sram_bytes,
                output_bytes: array.ofmap_sram_bytes,
                table_bytes: None,
            },
            machine: Arc::new(array),
        })
    }
    fn schedules(&self) -> &'static [Schedule] {
        &[Schedule::Overlapped, Schedule::Sequential]
    }
}

/// Operand width of the array, bits.
fn bits(sys: &SystolicArray) -> u32 {
    (sys.word_bytes * 8) as u32
}

impl Machine for SystolicArray {
    fn kind(&self) -> &'static str {
        SystolicFamily.kind()
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
    fn weight_problem(&self, weight: WeightFormat) -> Option<String> {
        match weight {
            WeightFormat::Fp16 => Some("an integer systolic array has no fp16 multipliers".into()),
            WeightFormat::Codebook(_) => {
                Some("codebook weights need dequantization the systolic array does not have".into())
            }
            WeightFormat::Vq { .. } => Some(format!(
                "VQ weights (w{weight}) need a codebook lookup the systolic array does not have"
            )),
            _ if weight.compute_bit_planes() > bits(self) => Some(format!(
                "{}-bit weights exceed the array's {}-bit words",
                weight.compute_bit_planes(),
                bits(self)
            )),
            _ => None,
        }
    }
    fn act_problem(&self, act: ActFormat) -> Option<String> {
        match act {
            ActFormat::Int8 if bits(self) >= 8 => None,
            ActFormat::Vq { .. } => Some(format!(
                "VQ activations (a{act}) are centroid indices, not integers the systolic array multiplies"
            )),
            _ => Some(format!(
                "the integer systolic array takes {}-bit integer activations",
                bits(self)
            )),
        }
    }
    fn kv_problem(&self, kv: KvFormat) -> Option<String> {
        match kv {
            KvFormat::Fp16 => Some("an integer systolic array has no fp16 multipliers".into()),
            _ if kv.bits() > bits(self) => Some(format!(
                "{}-bit KV entries exceed the array's {}-bit words",
                kv.bits(),
                bits(self)
            )),
            _ => None,
        }
    }

    /// Each instance's output columns split evenly over the cores, the fold schedule and SRAM
    /// counts from SCALE-Sim's model.
    fn gemm(&self, arch: &Arch, job: &GemmJob, e: &EnergyModel) -> ArrayCost {
        let per_core = gemm_cost(self, job.m, job.n.div_ceil(arch.cores), job.k);
        let instances = (job.count * arch.cores) as f64;
        let bits = bits(self);
        let macs = instances * per_core.macs as f64;
        let energy_pj = EnergyBreakdown {
            multiply_j: macs * e.mult_pj(bits),
            add_j: macs * e.add_pj(SYSTOLIC_ACC_BITS),
            sram_j: instances
                * f64::from(bits)
                * (per_core.sram_ifmap_read_words as f64
                    * e.sram_pj_per_bit(self.ifmap_sram_bytes)
                    + per_core.sram_filter_read_words as f64
                        * e.sram_pj_per_bit(self.filter_sram_bytes)
                    + per_core.sram_ofmap_write_words as f64
                        * e.sram_pj_per_bit(self.ofmap_sram_bytes)),
            ..EnergyBreakdown::default()
        };
        ArrayCost {
            compute_cycles: job.count * per_core.compute_cycles,
            peak_flops_per_cycle: (2 * self.rows * self.cols * arch.cores) as f64,
            energy_pj,
        }
    }

    /// Each PE: a multiplier, an accumulator-wide adder, and weight, activation and partial-sum
    /// registers.
    fn area_um2(&self, a: &AreaModel) -> f64 {
        let bits = bits(self);
        (self.rows * self.cols) as f64
            * (a.mult_um2(bits)
                + a.adder_um2(SYSTOLIC_ACC_BITS)
                + a.register_um2(u64::from(2 * bits + SYSTOLIC_ACC_BITS)))
    }
}
