//! The LUT tensor core as a family: its `[lut]` section, the formats it runs, the fast per-op
//! cost (tiles over cores from the tile model in [`super::fast`]) and its area.
//!
//! # Formats
//!
//! * Weights: INT-k and ternary as `k` and 2 two's complement planes; binary ±1 as **one**
//!   signed-binary plane on symmetric arrays (the `cmd` mode of the parent module's spec), two
//!   planes on plain ones. fp16, codebook and VQ weights have no bit planes.
//! * Activations follow `lut.act_format`: `int` runs INT8 (with `act_bits >= 8`); `fp16` runs
//!   FP16, and FP8 E4M3 converted exactly to FP16 before the table adds; `fp8_e4m3` runs FP8;
//!   `int+fp16` has both datapaths and runs all three, each op's tiles in its own mode. An
//!   array without a datapath for a format refuses it (never a silent substitution). VQ
//!   activations are centroid indices, not values a table can be built from: refused.
//! * KV cache: INT4/INT8 entries are the low-precision operand of attention. On a
//!   floating-point array an fp16 KV cache has no bit planes either; those attention products
//!   (fp16 x fp16) run on the core's fp16 vector unit, `lanes` multiply-adds per cycle per
//!   core, one fp16 multiply and one fp16 add each (LUT Tensor Core, arXiv 2408.06003, leaves
//!   attention to the host's fp16 units likewise).
//!
//! # Energy
//!
//! Integer arrays charge integer adds of the entry and accumulator widths. Floating-point
//! arrays charge an fp16 add per table-entry add, an fp32 add per accumulation, row-sum add
//! and correction (FP32 accumulators), and the SRAM traffic of 16-bit table entries.

use std::any::Any;
use std::sync::Arc;

use lutforge_models::{ActFormat, KvFormat, WeightFormat};
use lutforge_workloads::GemmOperand;

use super::{tile_cost_mode, ActMode, LutArray, RawLut, TileCost};
use crate::arch::{Arch, Buffers};
use crate::energy::area::AreaModel;
use crate::energy::{EnergyBreakdown, EnergyModel};
use crate::error::SimError;
use crate::family::{ArrayCost, Family, FamilyInput, GemmJob, Machine, Validated};
use crate::reduction::ReductionSplit;
use crate::schedule::Schedule;

/// The `lut_tensor_core` family.
pub struct LutTensorCore;

impl Family for LutTensorCore {
    fn kind(&self) -> &'static str {
        "lut_tensor_core"
    }
    fn description(&self) -> &'static str {
        "LUT tensor core: precomputed activation tables, bit-serial weights, elongated tiles"
    }
    fn section(&self) -> &'static str {
        "lut"
    }
    fn limits(&self) -> &'static [(&'static str, lutforge_models::Limit)] {
        RawLut::LIMITS
    }
    fn validate(&self, input: FamilyInput<'_>) -> Result<Validated, SimError> {
        let raw: RawLut = input.section(self)?;
        let buffers = Buffers::from_raw(input.buffers()?, input.check)?;
        let array = LutArray::from_raw(&raw, &buffers, input.check)?;
        Ok(Validated {
            machine: Arc::new(array),
            buffers,
        })
    }
    fn schedules(&self) -> &'static [Schedule] {
        &[Schedule::Overlapped, Schedule::Sequential]
    }
}

/// Bit planes `array` spends on a weight format: its width, except binary ±1, which is one
/// signed-binary plane on a symmetric array and two two's-complement planes (01 and 11) on a
/// plain one.
pub fn weight_planes(array: &LutArray, weight: WeightFormat) -> u32 {
    match weight {
        WeightFormat::Binary if array.runs_binary_plane() => 1,
        WeightFormat::Binary => 2,
        _ => weight.compute_bit_planes(),
    }
}

/// Whether `array` runs `weight` in the signed-binary plane mode.
pub fn binary_plane(array: &LutArray, weight: WeightFormat) -> bool {
    weight == WeightFormat::Binary && array.runs_binary_plane()
}

impl Machine for LutArray {
    fn kind(&self) -> &'static str {
        LutTensorCore.kind()
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
    fn weight_problem(&self, weight: WeightFormat) -> Option<String> {
        match weight {
            WeightFormat::Fp16 => Some("fp16 weights have no bit planes for a LUT array".into()),
            WeightFormat::Codebook(_) => Some(
                "codebook weights are not integers a bit-serial LUT array can split into planes"
                    .into(),
            ),
            WeightFormat::Vq { .. } => Some(format!(
                "VQ weights (w{weight}) are centroid indices, not integers a bit-serial LUT array can split into planes (they need a 2D-table lookup engine)"
            )),
            _ if weight_planes(self, weight) > self.max_weight_bits => Some(format!(
                "{} bit planes of {weight} weights exceed lut.max_weight_bits = {}",
                weight_planes(self, weight),
                self.max_weight_bits
            )),
            _ => None,
        }
    }
    fn act_problem(&self, act: ActFormat) -> Option<String> {
        let act = match act {
            ActFormat::Int8 => "INT8",
            ActFormat::Fp16 => "FP16",
            ActFormat::Fp8E4M3 => "FP8 E4M3",
            ActFormat::Vq { .. } => {
                return Some(format!(
                    "VQ activations (a{act}) are centroid indices, not values a LUT array builds its tables from"
                ))
            }
        };
        match (self.act_format, act) {
            (ActMode::Int | ActMode::IntFp16, "INT8") if self.act_bits >= 8 => None,
            (ActMode::Int | ActMode::IntFp16, "INT8") => Some(format!(
                "INT8 activations exceed lut.act_bits = {}",
                self.act_bits
            )),
            (ActMode::Int, _) => Some(format!(
                "{act} activations need FP16 tables (lut.act_format = \"fp16\", e.g. configs/arch/lut-tc-fp16.toml); this array builds integer tables"
            )),
            (ActMode::Fp16 | ActMode::IntFp16, "FP16" | "FP8 E4M3") => None,
            (ActMode::Fp8E4M3, "FP8 E4M3") => None,
            (mode, _) => Some(format!(
                "{act} activations do not run on lut.act_format = \"{}\" tables",
                mode.as_str()
            )),
        }
    }
    fn kv_problem(&self, kv: KvFormat) -> Option<String> {
        match kv {
            KvFormat::Fp16 => Some("an fp16 KV cache has no bit planes for a LUT array".into()),
            _ if kv.bits() > self.max_weight_bits => Some(format!(
                "{}-bit KV entries exceed lut.max_weight_bits = {}",
                kv.bits(),
                self.max_weight_bits
            )),
            _ => None,
        }
    }

    /// Each new K or V entry is scattered into its `bits` planes: one bit extract-and-insert
    /// per plane on the vector unit.
    fn kv_layout_ops_per_element(&self, kv: KvFormat) -> u64 {
        u64::from(kv.bits())
    }

    fn scale_group_problem(&self, group: u64) -> Option<String> {
        (group % u64::from(self.tile_k) != 0).then(|| {
            format!(
                "scale groups of {group} are not a multiple of lut.tile_k = {}: a tile pass would sum across groups",
                self.tile_k
            )
        })
    }

    fn gemm(&self, arch: &Arch, job: &GemmJob, e: &EnergyModel) -> ArrayCost {
        let lut = self;
        let (planes, binary) = match job.operand {
            GemmOperand::Weights(w) => (weight_planes(lut, w), binary_plane(lut, w)),
            kv => (kv.bit_planes(), false),
        };
        // The tiles of this op run the floating-point datapath (the only one, or the `cmd`'s
        // choice on an `int+fp16` array).
        let fp = lut.act_format.encoding().is_some()
            && !(lut.act_format.has_int() && job.act == ActFormat::Int8);
        let tiles = job.m.div_ceil(u64::from(lut.tile_m))
            * job.n.div_ceil(u64::from(lut.tile_n))
            * job.count;
        let k_chunks = job.k.div_ceil(u64::from(lut.tile_k));
        let split =
            ReductionSplit::new(&lut.reduction_limits(fp), planes, k_chunks, job.scale_group);
        let tile = split.total(
            |c| tile_cost_mode(lut, planes, binary, c),
            TileCost::times,
            TileCost::plus,
        );
        let per_core = tiles.div_ceil(arch.cores);
        // Partial sums of the extra passes, added on the vector unit (see `reduction`).
        let combine_adds = tiles
            * split.extra_passes(job.k, job.scale_group)
            * u64::from(lut.tile_m)
            * u64::from(lut.tile_n);
        let combine_cycles = combine_adds.div_ceil(arch.vector_lanes());
        let t = tiles as f64;
        let entry_bits = lut.table_entry_bits();
        // Activations as stored: the format's width on a floating-point array (FP8 is widened
        // to FP16 inside the precompute unit), the array's integer width otherwise.
        let act_bits = if fp { job.act.bits() } else { lut.act_bits };
        let index_bits = lut.group - u32::from(lut.symmetric);
        let table_pj_per_bit = e.sram_pj_per_bit(arch.buffers.table_bytes.unwrap_or(1));
        // One table-buffer word (the current group's tables of every row) is read per weight
        // beat and broadcast to all columns.
        let word_bits = f64::from(lut.tile_m * lut.table_entries() * entry_bits);
        let energy_pj = EnergyBreakdown {
            table_j: t
                * (tile.table_entries_written as f64 * f64::from(entry_bits) * table_pj_per_bit
                    + tile.table_words_read as f64 * word_bits * table_pj_per_bit
                    + tile.table_reads as f64 * e.mux_select_pj(entry_bits, index_bits)),
            add_j: t * if fp {
                // Row-sum adds (one per table of a symmetric array) are FP32; entry adds FP16.
                let rowsum_adds = if lut.symmetric {
                    tile.table_entries_written / u64::from(lut.table_entries())
                } else {
                    0
                };
                tile.accumulate_adds as f64 * e.fp32_add_pj()
                    + rowsum_adds as f64 * e.fp32_add_pj()
                    + (tile.precompute_adds - rowsum_adds) as f64 * e.fp16_add_pj()
            } else {
                tile.accumulate_adds as f64 * e.add_pj(lut.acc_bits)
                    + tile.precompute_adds as f64 * e.add_pj(lut.int_entry_bits())
            },
            sram_j: t
                * (tile.weight_bits_read as f64 * e.sram_pj_per_bit(arch.buffers.weight_bytes)
                    + tile.results_written as f64
                        * f64::from(lut.acc_bits)
                        * e.sram_pj_per_bit(arch.buffers.output_bytes)
                    + (tile.activations_read * u64::from(act_bits)) as f64
                        * e.sram_pj_per_bit(arch.buffers.activation_bytes)),
            vector_j: combine_adds as f64 * e.vector_op_pj(),
            ..EnergyBreakdown::default()
        };
        // Peak: every unit retires `group` multiply-adds per cycle for one bit plane.
        let peak =
            (arch.cores * u64::from(lut.tile_m) * u64::from(lut.tile_n) * u64::from(lut.group))
                as f64
                * 2.0
                / f64::from(planes);
        ArrayCost {
            compute_cycles: per_core * tile.cycles + combine_cycles,
            peak_flops_per_cycle: peak,
            energy_pj,
        }
    }

    fn area_um2(&self, a: &AreaModel) -> f64 {
        self.area_items(a).iter().map(|item| item.um2).sum()
    }
}
