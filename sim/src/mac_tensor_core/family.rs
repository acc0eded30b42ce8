//! The dequantizing MAC tensor core as a family: its `[mac]` section, the formats it runs, the
//! fast per-op cost (tiles over cores from [`super::fast`]: each tile costs `k_chunks +
//! pipeline_cycles + tile_m` cycles, tiles back to back) and its area.

use std::any::Any;
use std::sync::Arc;

use lutforge_models::{ActFormat, KvFormat, WeightFormat};

use super::{tiles_cycles, MacArray, RawMac};
use crate::arch::{Arch, Buffers};
use crate::energy::area::AreaModel;
use crate::energy::{EnergyBreakdown, EnergyModel};
use crate::error::SimError;
use crate::family::{ArrayCost, Family, FamilyInput, GemmJob, Machine, Validated};
use crate::schedule::Schedule;

/// The `mac_tensor_core` family.
pub struct MacTensorCore;

impl Family for MacTensorCore {
    fn kind(&self) -> &'static str {
        "mac_tensor_core"
    }
    fn description(&self) -> &'static str {
        "MAC tensor core: weights dequantized to the activation format, then multiplied"
    }
    fn section(&self) -> &'static str {
        "mac"
    }
    fn limits(&self) -> &'static [(&'static str, lutforge_models::Limit)] {
        RawMac::LIMITS
    }
    fn validate(&self, input: FamilyInput<'_>) -> Result<Validated, SimError> {
        let raw: RawMac = input.section(self)?;
        let raw_buffers = input.buffers()?;
        if let Some(kib) = raw_buffers.table_kib {
            return Err(SimError::invalid(
                input.check.file,
                "buffers.table_kib",
                kib,
                "only LUT architectures have a table buffer",
            ));
        }
        Ok(Validated {
            machine: Arc::new(MacArray::from_raw(&raw, input.check)?),
            buffers: Buffers::from_raw(raw_buffers, input.check)?,
        })
    }
    fn schedules(&self) -> &'static [Schedule] {
        &[Schedule::Overlapped, Schedule::Sequential]
    }
}

impl Machine for MacArray {
    fn kind(&self) -> &'static str {
        MacTensorCore.kind()
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
    fn weight_problem(&self, weight: WeightFormat) -> Option<String> {
        let bits = match weight {
            WeightFormat::Fp16 => 16,
            WeightFormat::Codebook(_) => self.mult_bits,
            _ => weight.compute_bit_planes(),
        };
        (bits > self.mult_bits).then(|| {
            format!(
                "{bits}-bit weights exceed mac.mult_bits = {}",
                self.mult_bits
            )
        })
    }
    fn act_problem(&self, act: ActFormat) -> Option<String> {
        (act.bits() > self.mult_bits).then(|| {
            format!(
                "{}-bit activations exceed mac.mult_bits = {}",
                act.bits(),
                self.mult_bits
            )
        })
    }
    fn kv_problem(&self, kv: KvFormat) -> Option<String> {
        (kv.bits() > self.mult_bits).then(|| {
            format!(
                "{}-bit KV entries exceed mac.mult_bits = {}",
                kv.bits(),
                self.mult_bits
            )
        })
    }

    fn gemm(&self, arch: &Arch, job: &GemmJob, e: &EnergyModel) -> ArrayCost {
        let mac = self;
        let planes = job.operand.bit_planes();
        let tiles = job.m.div_ceil(u64::from(mac.tile_m))
            * job.n.div_ceil(u64::from(mac.tile_n))
            * job.count;
        let k_steps = job.k.div_ceil(u64::from(mac.tile_k));
        let per_core = tiles.div_ceil(arch.cores);
        let products = (tiles * k_steps) as f64 * f64::from(mac.tile_m * mac.tile_n * mac.tile_k);
        let weights_dequantized = (tiles * k_steps) as f64 * f64::from(mac.tile_n * mac.tile_k);
        let acts_read = (tiles * k_steps) as f64 * f64::from(mac.tile_m * mac.tile_k);
        let energy_pj = EnergyBreakdown {
            multiply_j: products * e.mult_pj(mac.mult_bits)
                + weights_dequantized * e.add_pj(mac.mult_bits),
            add_j: products * e.add_pj(mac.acc_bits),
            sram_j: weights_dequantized
                * f64::from(planes)
                * e.sram_pj_per_bit(arch.buffers.weight_bytes)
                + acts_read
                    * f64::from(mac.mult_bits)
                    * e.sram_pj_per_bit(arch.buffers.activation_bytes)
                + (tiles * u64::from(mac.tile_m * mac.tile_n) * u64::from(mac.acc_bits)) as f64
                    * e.sram_pj_per_bit(arch.buffers.output_bytes),
            ..EnergyBreakdown::default()
        };
        let peak = (arch.cores * u64::from(mac.tile_m * mac.tile_n * mac.tile_k)) as f64 * 2.0;
        ArrayCost {
            compute_cycles: tiles_cycles(mac, k_steps, per_core),
            peak_flops_per_cycle: peak,
            energy_pj,
        }
    }

    fn area_um2(&self, a: &AreaModel) -> f64 {
        let products = f64::from(self.tile_m * self.tile_n * self.tile_k);
        products * (a.mult_um2(self.mult_bits) + a.adder_um2(self.acc_bits))
            + f64::from(self.tile_m * self.tile_n) * a.register_um2(u64::from(self.acc_bits))
            + f64::from(self.tile_n * self.tile_k) * a.adder_um2(self.mult_bits)
    }
}
