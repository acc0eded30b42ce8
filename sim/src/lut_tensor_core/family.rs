//! The LUT tensor core as a family: its `[lut]` section, the formats it runs, the fast per-op
//! cost (tiles over cores from the tile model in [`super::fast`]) and its area.

use std::any::Any;
use std::sync::Arc;

use lutforge_models::{ActFormat, KvFormat, WeightFormat};
use lutforge_workloads::GemmOperand;

use super::{tile_cost, LutArray, RawLut, TileCost};
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

/// Bit planes the array spends on a weight format: its width, except binary ±1, which the
/// array's two's-complement planes hold as 01 and 11 (two planes).
pub fn weight_planes(weight: WeightFormat) -> u32 {
    match weight {
        WeightFormat::Binary => 2,
        _ => weight.compute_bit_planes(),
    }
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
            _ if weight_planes(weight) > self.max_weight_bits => Some(format!(
                "{} bit planes of {weight} weights exceed lut.max_weight_bits = {}",
                weight_planes(weight),
                self.max_weight_bits
            )),
            _ => None,
        }
    }
    fn act_problem(&self, act: ActFormat) -> Option<String> {
        match act {
            ActFormat::Int8 if self.act_bits >= 8 => None,
            ActFormat::Int8 => Some(format!(
                "INT8 activations exceed lut.act_bits = {}",
                self.act_bits
            )),
            _ => Some(
                "the LUT array builds integer tables; floating-point activations need a MAC array"
                    .into(),
            ),
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
        let planes = match job.operand {
            GemmOperand::Weights(w) => weight_planes(w),
            kv => kv.bit_planes(),
        };
        let tiles = job.m.div_ceil(u64::from(lut.tile_m))
            * job.n.div_ceil(u64::from(lut.tile_n))
            * job.count;
        let k_chunks = job.k.div_ceil(u64::from(lut.tile_k));
        let split = ReductionSplit::new(&lut.reduction_limits(), planes, k_chunks, job.scale_group);
        let tile = split.total(
            |c| tile_cost(lut, planes, c),
            TileCost::times,
            TileCost::plus,
        );
        let per_core = tiles.div_ceil(arch.cores);
        // Partial sums of the extra passes, added on the vector unit (see `reduction`); the
        // passes that end scale groups are combined by the mapper's scale application.
        let group_passes = job.scale_group.map_or(1, |g| job.k.div_ceil(g.max(1)));
        let combine_adds = tiles
            * split.passes().saturating_sub(group_passes)
            * u64::from(lut.tile_m)
            * u64::from(lut.tile_n);
        let combine_cycles = combine_adds.div_ceil(arch.cores * u64::from(arch.vector.lanes));
        let t = tiles as f64;
        let entry_bits = lut.table_entry_bits();
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
            add_j: t
                * (tile.accumulate_adds as f64 * e.add_pj(lut.acc_bits)
                    + tile.precompute_adds as f64 * e.add_pj(entry_bits)),
            sram_j: t
                * (tile.weight_bits_read as f64 * e.sram_pj_per_bit(arch.buffers.weight_bytes)
                    + tile.results_written as f64
                        * f64::from(lut.acc_bits)
                        * e.sram_pj_per_bit(arch.buffers.output_bytes)
                    + (tile.activations_read * u64::from(lut.act_bits)) as f64
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
        let units = f64::from(self.tile_m * self.tile_n);
        let entry = self.table_entry_bits();
        let unit = a.mux_um2(entry, self.table_entries())
            + a.adder_um2(self.acc_bits)
            + a.register_um2(u64::from(self.acc_bits));
        // Precompute: one adder per table entry of one row, and the row's table registers.
        let precompute = f64::from(self.table_entries()) * a.adder_um2(entry)
            + a.register_um2(u64::from(self.table_entries() * entry));
        units * unit + precompute
    }
}
