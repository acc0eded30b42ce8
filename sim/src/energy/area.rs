//! Area per block, from the 45 nm figures in [`super::constants`], scaled by (node / 45)^2.

use super::constants::*;

/// Area calculator at one technology node, um^2.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AreaModel {
    node_scale_sq: f64,
}

impl AreaModel {
    /// The area model at `tech_node_nm`.
    pub fn at_node(tech_node_nm: f64) -> AreaModel {
        let s = tech_node_nm / REFERENCE_NODE_NM;
        AreaModel {
            node_scale_sq: s * s,
        }
    }

    /// An adder of `bits` bits.
    pub fn adder_um2(&self, bits: u32) -> f64 {
        ADD_UM2_PER_BIT_45NM * f64::from(bits) * self.node_scale_sq
    }

    /// A multiplier of two `bits`-bit operands.
    pub fn mult_um2(&self, bits: u32) -> f64 {
        let r = f64::from(bits) / 8.0;
        MULT8_UM2_45NM * r * r * self.node_scale_sq
    }

    /// A register of `bits` flip-flops.
    pub fn register_um2(&self, bits: u64) -> f64 {
        DFF_UM2_45NM * bits as f64 * self.node_scale_sq
    }

    /// A `entries`:1 multiplexer of `bits` bits (entries - 1 two-input cells per bit, each half
    /// an adder bit).
    pub fn mux_um2(&self, bits: u32, entries: u32) -> f64 {
        ADD_UM2_PER_BIT_45NM
            * MUX_LEVEL_PER_ADD
            * f64::from(bits)
            * f64::from(entries.saturating_sub(1))
            * self.node_scale_sq
    }

    /// `bits` two-input gates (per-bit gating, comparator terms).
    pub fn gate_um2(&self, bits: u64) -> f64 {
        ADD_UM2_PER_BIT_45NM * MUX_LEVEL_PER_ADD * GATE_PER_MUX * bits as f64 * self.node_scale_sq
    }

    /// An SRAM macro of `bytes` capacity.
    pub fn sram_um2(&self, bytes: u64) -> f64 {
        SRAM_CELL_UM2_45NM * (bytes * 8) as f64 / SRAM_ARRAY_EFFICIENCY * self.node_scale_sq
    }

    /// One fp16 adder.
    pub fn fp16_adder_um2(&self) -> f64 {
        FP16_ADD_UM2_45NM * self.node_scale_sq
    }

    /// One fp32 adder.
    pub fn fp32_adder_um2(&self) -> f64 {
        FP32_ADD_UM2_45NM * self.node_scale_sq
    }

    /// One fp16 multiplier.
    pub fn fp16_mult_um2(&self) -> f64 {
        FP16_MULT_UM2_45NM * self.node_scale_sq
    }

    /// One fp16 vector lane (adder + multiplier).
    pub fn vector_lane_um2(&self) -> f64 {
        FP16_FMA_UM2_45NM * self.node_scale_sq
    }
}

/// One block of a matrix unit and its area, um^2 (a family's `area_items`, summed into
/// [`crate::family::Machine::area_um2`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AreaItem {
    /// Block name, as in the RTL.
    pub block: &'static str,
    /// Area, um^2.
    pub um2: f64,
}

/// Area of one architecture, mm^2, by block.
#[derive(Debug, Clone, Copy, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct AreaBreakdown {
    /// Matrix arrays of all cores (lookup or MAC units, accumulators, precompute units).
    pub matrix_mm2: f64,
    /// On-chip SRAM buffers of all cores.
    pub sram_mm2: f64,
    /// Vector units of all cores.
    pub vector_mm2: f64,
    /// Fallback fp16 MAC side arrays of all cores (0 when the fallback is the vector unit).
    #[serde(default)]
    pub fallback_mm2: f64,
}

impl AreaBreakdown {
    /// Total area, mm^2.
    pub fn total_mm2(&self) -> f64 {
        self.matrix_mm2 + self.sram_mm2 + self.vector_mm2 + self.fallback_mm2
    }
}

/// Square micrometres per square millimetre.
const UM2_PER_MM2: f64 = 1e6;

/// The area of `arch`: per-core blocks (the family's matrix unit, buffers, vector unit) times
/// cores.
pub fn arch_area(arch: &crate::arch::Arch) -> AreaBreakdown {
    if arch.machine.dataflow().is_some() {
        // An FPGA design occupies device resources (its fit report), not silicon of its own.
        return AreaBreakdown::default();
    }
    let a = AreaModel::at_node(arch.tech_node_nm);
    let matrix_um2 = arch.machine.area_um2(&a);
    let b = &arch.buffers;
    let sram_bytes =
        b.activation_bytes + b.weight_bytes + b.output_bytes + b.table_bytes.unwrap_or(0);
    let cores = arch.cores as f64;
    AreaBreakdown {
        matrix_mm2: cores * matrix_um2 / UM2_PER_MM2,
        sram_mm2: cores * a.sram_um2(sram_bytes) / UM2_PER_MM2,
        vector_mm2: cores * f64::from(arch.vector.lanes) * a.vector_lane_um2() / UM2_PER_MM2,
        fallback_mm2: cores * arch.fallback.area_um2(&a) / UM2_PER_MM2,
    }
}
