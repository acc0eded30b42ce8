//! The dequantizing MAC tensor core as a family: its `[mac]` section, the formats it runs, the
//! fast per-op cost (tiles over cores from [`super::fast`]: each tile costs `k_chunks +
//! pipeline_cycles + tile_m` cycles, tiles back to back) and its area.
//!
//! # Formats
//!
//! * `mac.act_format = "int"`: weights, activations and KV entries of at most `mult_bits` bits
//!   (fp16 weights and codebook indices count as `mult_bits`-wide operands). VQ weights and
//!   activations are refused in both modes: the dequantizer has no vector codebook.
//! * `mac.act_format = "fp16"`: FP16 and FP8 E4M3 activations (FP8 widened exactly) and INT8
//!   activations (exact in FP16, converted by the op that produces them); integer weight codes
//!   of at most 8 bits and INT4/INT8 KV entries, converted exactly to FP16 by the dequantizer.
//!   fp16 and codebook weights and an fp16 KV cache are refused (the mapper sends those
//!   products to the architecture's fallback unit).
//!
//! # Energy
//!
//! Integer mode: integer multiplies of `mult_bits` operands and integer adds of the tree's and
//! accumulator's widths; dequantization is a sign extension (no arithmetic). fp16 mode: one fp16
//! multiply per product, one fp32 add per adder-tree add and per accumulation, one int-to-fp16
//! conversion per dequantized weight code, costed as an fp16 add (the conversion normalizes the
//! integer with a leading-zero count and a shift, the alignment and normalization half of an
//! fp16 adder; Horowitz, ISSCC 2014, gives no separate figure), and SRAM traffic at 16-bit
//! activations and 32-bit partial sums.

use std::any::Any;
use std::sync::Arc;

use lutforge_models::{ActFormat, KvFormat, WeightFormat};

use super::{tile_cost, MacArray, RawMac, FP_MAX_CODE_BITS};
use crate::arch::{Arch, Buffers};
use crate::energy::area::AreaModel;
use crate::energy::{EnergyBreakdown, EnergyModel};
use crate::error::SimError;
use crate::family::{ArrayCost, Family, FamilyInput, GemmJob, Machine, Validated};
use crate::reduction::ReductionSplit;
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
        if let WeightFormat::Vq { .. } = weight {
            return Some(format!(
                "VQ weights (w{weight}) are centroid indices the MAC dequantizer has no vector codebook for"
            ));
        }
        if self.is_fp() {
            return match weight {
                WeightFormat::Fp16 => Some(
                    "fp16 weights are not integer codes for the fp16 MAC dequantizer".into(),
                ),
                WeightFormat::Codebook(_) => Some(
                    "codebook weights are not integer codes the fp16 MAC dequantizer converts"
                        .into(),
                ),
                _ if weight.compute_bit_planes() > FP_MAX_CODE_BITS => Some(format!(
                    "{}-bit weight codes exceed the {FP_MAX_CODE_BITS}-bit codes of the fp16 MAC dequantizer",
                    weight.compute_bit_planes()
                )),
                _ => None,
            };
        }
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
        if let ActFormat::Vq { .. } = act {
            return Some(format!(
                "VQ activations (a{act}) are centroid indices, not values the MAC array multiplies"
            ));
        }
        if self.is_fp() {
            // FP16 as is; FP8 E4M3 and INT8 are exact in FP16.
            return None;
        }
        (act.bits() > self.mult_bits).then(|| {
            format!(
                "{}-bit activations exceed mac.mult_bits = {}",
                act.bits(),
                self.mult_bits
            )
        })
    }
    fn kv_problem(&self, kv: KvFormat) -> Option<String> {
        if self.is_fp() {
            return (kv == KvFormat::Fp16).then(|| {
                "an fp16 KV cache is not integer codes for the fp16 MAC dequantizer".into()
            });
        }
        (kv.bits() > self.mult_bits).then(|| {
            format!(
                "{}-bit KV entries exceed mac.mult_bits = {}",
                kv.bits(),
                self.mult_bits
            )
        })
    }

    fn scale_group_problem(&self, group: u64) -> Option<String> {
        (group % u64::from(self.tile_k) != 0).then(|| {
            format!(
                "scale groups of {group} are not a multiple of mac.tile_k = {}: a unit's products would sum across groups",
                self.tile_k
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
        let split = ReductionSplit::new(&mac.reduction_limits(), planes, k_steps, job.scale_group);
        let tile_cycles = split.total(|c| tile_cost(mac, c).cycles, |c, n| c * n, |a, b| a + b);
        let per_core = tiles.div_ceil(arch.cores);
        let outputs = tiles * u64::from(mac.tile_m * mac.tile_n);
        // Partial sums of the extra passes, added on the vector unit (see `reduction`).
        let combine_adds = outputs * split.extra_passes(job.k, job.scale_group);
        let combine_cycles = combine_adds.div_ceil(arch.vector_lanes());
        let steps = (tiles * k_steps) as f64;
        let products = steps * f64::from(mac.tile_m * mac.tile_n * mac.tile_k);
        let weights_dequantized = steps * f64::from(mac.tile_n * mac.tile_k);
        let acts_read = steps * f64::from(mac.tile_m * mac.tile_k);
        let output_steps = steps * f64::from(mac.tile_m * mac.tile_n);
        let (multiply_j, add_j) = if mac.is_fp() {
            (
                products * e.fp16_mult_pj(),
                // FP32 tree and accumulator adds; each int-to-fp16 conversion costed as an fp16
                // add (see the module doc).
                output_steps * f64::from(mac.tile_k) * e.fp32_add_pj()
                    + weights_dequantized * e.fp16_add_pj(),
            )
        } else {
            (
                // Dequantization is a sign extension: wiring, no arithmetic energy.
                products * e.mult_pj(mac.mult_bits),
                output_steps
                    * (mac.tree_adder_bits() as f64 * e.add_pj(1) + e.add_pj(mac.acc_bits)),
            )
        };
        // Activations are read at `mult_bits` (16 in the fp16 mode, whatever their format).
        let energy_pj = EnergyBreakdown {
            multiply_j,
            add_j,
            sram_j: weights_dequantized
                * f64::from(planes)
                * e.sram_pj_per_bit(arch.buffers.weight_bytes)
                + acts_read
                    * f64::from(mac.mult_bits)
                    * e.sram_pj_per_bit(arch.buffers.activation_bytes)
                + (outputs * split.passes() * u64::from(mac.acc_bits)) as f64
                    * e.sram_pj_per_bit(arch.buffers.output_bytes),
            vector_j: combine_adds as f64 * e.vector_op_pj(),
            ..EnergyBreakdown::default()
        };
        let peak = (arch.cores * u64::from(mac.tile_m * mac.tile_n * mac.tile_k)) as f64 * 2.0;
        ArrayCost {
            compute_cycles: per_core * tile_cycles + combine_cycles,
            peak_flops_per_cycle: peak,
            energy_pj,
        }
    }

    fn area_um2(&self, a: &AreaModel) -> f64 {
        self.area_items(a).iter().map(|item| item.um2).sum()
    }
}
