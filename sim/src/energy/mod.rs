//! Energy per event and area per block, from published 45 nm figures scaled to the
//! architecture's node.
//!
//! Scaling rules (stated once, used everywhere):
//! - dynamic energy scales linearly with feature size (switched capacitance C ~ node at a fixed
//!   supply voltage): `E(node) = E(45 nm) * node / 45`;
//! - area scales with the square of feature size: `A(node) = A(45 nm) * (node / 45)^2`.

pub mod area;
pub mod breakdown;
pub mod constants;

pub use breakdown::EnergyBreakdown;
use constants::*;

/// Per-event energies at one technology node, pJ.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EnergyModel {
    node_scale: f64,
}

impl EnergyModel {
    /// The energy model at `tech_node_nm`.
    pub fn at_node(tech_node_nm: f64) -> EnergyModel {
        EnergyModel {
            node_scale: tech_node_nm / REFERENCE_NODE_NM,
        }
    }

    /// One integer addition of `bits` bits.
    pub fn add_pj(&self, bits: u32) -> f64 {
        ADD_PJ_PER_BIT_45NM * f64::from(bits) * self.node_scale
    }

    /// One integer multiplication of two `bits`-bit operands (array multiplier: ~bits^2).
    pub fn mult_pj(&self, bits: u32) -> f64 {
        let ratio = f64::from(bits) / 8.0;
        MULT8_PJ_45NM * ratio * ratio * self.node_scale
    }

    /// One selection of a `bits`-wide entry out of a broadcast table: one two-input mux level
    /// per index bit, costed like an adder of the same width.
    pub fn mux_select_pj(&self, bits: u32, index_bits: u32) -> f64 {
        self.add_pj(bits) * f64::from(index_bits.max(1)) * MUX_LEVEL_PER_ADD
    }

    /// One fp16 addition.
    pub fn fp16_add_pj(&self) -> f64 {
        FP16_ADD_PJ_45NM * self.node_scale
    }

    /// One fp32 addition.
    pub fn fp32_add_pj(&self) -> f64 {
        FP32_ADD_PJ_45NM * self.node_scale
    }

    /// One fp16 multiplication.
    pub fn fp16_mult_pj(&self) -> f64 {
        FP16_MULT_PJ_45NM * self.node_scale
    }

    /// One fp16 vector-unit operation (average of an fp16 add and an fp16 multiply).
    pub fn vector_op_pj(&self) -> f64 {
        (self.fp16_add_pj() + self.fp16_mult_pj()) / 2.0
    }

    /// Energy per bit read from or written to an SRAM of `bytes` capacity.
    pub fn sram_pj_per_bit(&self, bytes: u64) -> f64 {
        let ratio = (bytes.max(1) as f64) / SRAM_REFERENCE_BYTES;
        SRAM_64BIT_READ_PJ_45NM * ratio.sqrt() / 64.0 * self.node_scale
    }
}

#[cfg(test)]
mod tests {
    use super::EnergyModel;

    #[test]
    fn reproduces_the_cited_45nm_points() {
        let e = EnergyModel::at_node(45.0);
        assert!((e.add_pj(8) - 0.03).abs() < 1e-3);
        assert!((e.add_pj(32) - 0.12).abs() < 0.03);
        assert!((e.mult_pj(8) - 0.2).abs() < 1e-9);
        assert!((e.sram_pj_per_bit(8 * 1024) * 64.0 - 10.0).abs() < 1e-9);
        assert!((e.sram_pj_per_bit(32 * 1024) * 64.0 - 20.0).abs() < 1e-9);
        assert!((e.sram_pj_per_bit(1 << 20) * 64.0 - 113.0).abs() < 1.0);
    }

    #[test]
    fn energy_shrinks_with_the_node() {
        assert!(EnergyModel::at_node(7.0).add_pj(8) < EnergyModel::at_node(28.0).add_pj(8));
    }
}
