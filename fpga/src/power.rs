//! Power of an FPGA design: the device's static power ([`static_w`], from the cited figure in
//! the device database or `None`) and the dynamic energy of one event of each kind
//! ([`EnergyPerEvent`]).
//!
//! No direct per-event energy figures for 16 nm or 7 nm FPGA fabric were found (the Xilinx Power
//! Estimator and the Power Design Manager give watts for a configuration, not energies per
//! event, and were not run here). The energies are therefore built from two published sources
//! and one stated rule:
//!
//! - ASIC energies at 45 nm from Horowitz, "Computing's energy problem", ISSCC 2014 (the same
//!   figures `sim/src/energy/constants.rs` uses);
//! - the FPGA/ASIC dynamic-power gap of Kuon and Rose, "Measuring the Gap Between FPGAs and
//!   ASICs", IEEE TCAD 2007: about 14x for logic built from LUTs and flip-flops, smaller with
//!   hard blocks. The gap is applied to events in the LUT fabric (adders, LUTRAM, SRL FIFOs);
//!   hard blocks (DSP, block RAM, UltraRAM) are charged the ASIC figure, a lower bound since the
//!   routing into them is programmable;
//! - the project's node rule (`sim/src/energy/mod.rs`): dynamic energy scales linearly with
//!   feature size, `E(node) = E(45 nm) * node / 45`. The 90 nm gap is assumed to hold at the
//!   target node.
//!
//! Off-chip DRAM energies are the memory's, not the FPGA's, and are not node-scaled.

use crate::devices::Device;

/// Node of the ASIC figures below, nm (Horowitz, "Computing's energy problem", ISSCC 2014:
/// 45 nm, 0.9 V).
pub const HOROWITZ_NODE_NM: f64 = 45.0;

/// 8-bit integer add, 0.03 pJ at 45 nm (Horowitz, ISSCC 2014).
pub const ADD8_PJ_45NM: f64 = 0.03;

/// 32-bit integer add, 0.1 pJ at 45 nm (Horowitz, ISSCC 2014).
pub const ADD32_PJ_45NM: f64 = 0.1;

/// 8-bit integer multiply, 0.2 pJ at 45 nm (Horowitz, ISSCC 2014).
pub const MULT8_PJ_45NM: f64 = 0.2;

/// FP32 add, 0.9 pJ at 45 nm (Horowitz, ISSCC 2014).
pub const FP32_ADD_PJ_45NM: f64 = 0.9;

/// FP32 multiply, 3.7 pJ at 45 nm (Horowitz, ISSCC 2014).
pub const FP32_MULT_PJ_45NM: f64 = 3.7;

/// 64-bit read of an 8 KB SRAM, 10 pJ at 45 nm (Horowitz, ISSCC 2014; the same table gives
/// 20 pJ at 32 KB and about 100 pJ at 1 MB, which the square-root-of-capacity rule of
/// [`sram_read_pj`] reproduces).
pub const SRAM_READ64_PJ_45NM: f64 = 10.0;

/// Capacity of that reference SRAM, bits (the 8 KB array of Horowitz, ISSCC 2014).
pub const SRAM_REFERENCE_BITS: f64 = 8.0 * 1024.0 * 8.0;

/// One 64-bit DRAM access, 1.3 nJ: the low end of the 1.3-2.6 nJ Horowitz gives (ISSCC 2014).
/// It is a DDR3-era DIMM figure; no DDR4-specific energy per bit was found in a readable
/// source, so DDR4 is charged this.
pub const DRAM_READ64_PJ: f64 = 1_300.0;

/// HBM2 access energy, 3.9 pJ per bit (O'Connor et al., "Fine-Grained DRAM", MICRO 2017), the
/// figure the simulator's HBM configurations use.
pub const HBM2_PJ_PER_BIT: f64 = 3.9;

/// Dynamic-power ratio of FPGA to standard-cell ASIC for logic of LUTs and flip-flops, about 14
/// (Kuon and Rose, "Measuring the Gap Between FPGAs and ASICs", IEEE TCAD 26(2), 2007, 90 nm).
pub const FPGA_FABRIC_GAP: f64 = 14.0;

/// A two-input multiplexer level costs about 12/28 of a full-adder bit: 12 transistors against
/// 28 (Weste and Harris, "CMOS VLSI Design", 4th ed., 2010, ch. 11; the simulator's
/// `MUX_LEVEL_PER_ADD`).
pub const MUX_LEVEL_PER_ADD_BIT: f64 = 12.0 / 28.0;

/// Two-input multiplexer levels of one read from a 32-deep LUTRAM cell: log2 32 = 5 (UG574: a
/// LUT6 read as a 32 x 2 RAM selects one of 32 cells per bit).
pub const LUTRAM_READ_MUX_LEVELS: f64 = 5.0;

/// Capacity of one BRAM36, bits (UG573: 36 Kb).
pub const BRAM36_BITS: f64 = 36.0 * 1024.0;

/// Capacity of one UltraRAM, bits (UG573: 288 Kb).
pub const URAM_BITS: f64 = 288.0 * 1024.0;

/// Width of one block RAM or UltraRAM access counted as one event, bits (UG573: 72-bit ports in
/// BRAM36 simple dual-port mode and in UltraRAM).
pub const MEMORY_ACCESS_BITS: f64 = 72.0;

/// Process node of Zynq and Virtex UltraScale+ parts, nm (DS891, Zynq UltraScale+ MPSoC
/// overview: TSMC 16 nm FinFET+).
pub const ULTRASCALE_PLUS_NODE_NM: f64 = 16.0;

/// Process node of Versal parts, nm (DS950, Versal AI Core series overview: 7 nm FinFET).
pub const VERSAL_NODE_NM: f64 = 7.0;

/// Energy of one read of `access_bits` bits from an SRAM of `capacity_bits`, pJ at 45 nm:
/// Horowitz's 8 KB point scaled by the square root of capacity and linearly in width.
pub fn sram_read_pj(capacity_bits: f64, access_bits: f64) -> f64 {
    SRAM_READ64_PJ_45NM * (capacity_bits / SRAM_REFERENCE_BITS).sqrt() * access_bits / 64.0
}

/// Dynamic energy of one event of each kind, pJ, at one process node.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EnergyPerEvent {
    /// The process node these energies are for, nm.
    pub node_nm: f64,
    /// One 8-bit add in LUTs and carry chain: Horowitz's 8-bit add, times the fabric gap.
    pub lut_add8_pj: f64,
    /// One INT8 multiply-add in a DSP block: an 8-bit multiply and a 32-bit accumulate, ASIC
    /// figures (a lower bound: the DSP's multiplier is 27 x 18 or 27 x 24 whatever the operands).
    pub dsp_mac_int8_pj: f64,
    /// One FP32 multiply-add in DSP blocks: an FP32 multiply and an FP32 add, ASIC figures.
    pub dsp_mac_fp32_pj: f64,
    /// One bit of a LUTRAM read: [`LUTRAM_READ_MUX_LEVELS`] multiplexer levels, each
    /// [`MUX_LEVEL_PER_ADD_BIT`] of an adder bit, times the fabric gap.
    pub lutram_read_pj_per_bit: f64,
    /// One 72-bit read of a BRAM36: [`sram_read_pj`] at 36 Kb.
    pub bram36_read_72b_pj: f64,
    /// One 72-bit read of an UltraRAM: [`sram_read_pj`] at 288 Kb.
    pub uram_read_72b_pj: f64,
    /// One bit pushed into an SRL FIFO: charged as a LUTRAM bit access, the same LUT cell
    /// written through the same fabric (a push into a block-RAM FIFO is a block RAM access).
    pub fifo_push_pj_per_bit: f64,
    /// One bit moved to or from DDR4 DRAM ([`DRAM_READ64_PJ`] / 64).
    pub ddr4_pj_per_bit: f64,
    /// One bit moved to or from HBM2 ([`HBM2_PJ_PER_BIT`]).
    pub hbm2_pj_per_bit: f64,
}

impl EnergyPerEvent {
    /// The energies at `node_nm` (linear node scaling of the 45 nm figures).
    pub fn at_node(node_nm: f64) -> EnergyPerEvent {
        let s = node_nm / HOROWITZ_NODE_NM;
        let lutram_bit = ADD8_PJ_45NM / 8.0
            * MUX_LEVEL_PER_ADD_BIT
            * LUTRAM_READ_MUX_LEVELS
            * s
            * FPGA_FABRIC_GAP;
        EnergyPerEvent {
            node_nm,
            lut_add8_pj: ADD8_PJ_45NM * s * FPGA_FABRIC_GAP,
            dsp_mac_int8_pj: (MULT8_PJ_45NM + ADD32_PJ_45NM) * s,
            dsp_mac_fp32_pj: (FP32_MULT_PJ_45NM + FP32_ADD_PJ_45NM) * s,
            lutram_read_pj_per_bit: lutram_bit,
            bram36_read_72b_pj: sram_read_pj(BRAM36_BITS, MEMORY_ACCESS_BITS) * s,
            uram_read_72b_pj: sram_read_pj(URAM_BITS, MEMORY_ACCESS_BITS) * s,
            fifo_push_pj_per_bit: lutram_bit,
            ddr4_pj_per_bit: DRAM_READ64_PJ / 64.0,
            hbm2_pj_per_bit: HBM2_PJ_PER_BIT,
        }
    }

    /// The energies for `device`'s process node ([`process_node_nm`]); `None` where the node is
    /// not sourced.
    pub fn for_device(device: &Device) -> Option<EnergyPerEvent> {
        process_node_nm(device).map(EnergyPerEvent::at_node)
    }

    /// One read of a LUTRAM entry of `entry_bits` bits, pJ.
    pub fn lutram_read_pj(&self, entry_bits: u32) -> f64 {
        self.lutram_read_pj_per_bit * f64::from(entry_bits)
    }

    /// One push of a `width_bits`-wide word into an SRL FIFO, pJ.
    pub fn fifo_push_pj(&self, width_bits: u32) -> f64 {
        self.fifo_push_pj_per_bit * f64::from(width_bits)
    }

    /// Energy per bit of the off-chip memory technology `kind` (`DDR4`, `HBM2`, `HBM2e`), pJ;
    /// HBM2e is charged the HBM2 figure (no HBM2e figure was found). `None` for others.
    pub fn dram_pj_per_bit(&self, kind: &str) -> Option<f64> {
        match kind {
            "DDR4" => Some(self.ddr4_pj_per_bit),
            "HBM2" | "HBM2e" => Some(self.hbm2_pj_per_bit),
            _ => None,
        }
    }
}

/// The process node of `device`, nm, from its family: [`ULTRASCALE_PLUS_NODE_NM`] for
/// UltraScale+ parts, [`VERSAL_NODE_NM`] for Versal; `None` for the Lattice parts, whose node
/// was not sourced here.
pub fn process_node_nm(device: &Device) -> Option<f64> {
    if device.family.contains("UltraScale+") {
        Some(ULTRASCALE_PLUS_NODE_NM)
    } else if device.family.starts_with("Versal") {
        Some(VERSAL_NODE_NM)
    } else {
        None
    }
}

/// Static power of `device`, W: the cited figure of the device database, `None` where no source
/// gives one (reports print "unsourced").
pub fn static_w(device: &Device) -> Option<f64> {
    device.static_w
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::device;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() <= 1e-9 * b.abs().max(1.0)
    }

    #[test]
    fn at_45nm_the_hard_blocks_are_horowitz_and_the_fabric_carries_the_gap() {
        let e = EnergyPerEvent::at_node(45.0);
        assert!(close(e.lut_add8_pj, 0.03 * 14.0));
        assert!(close(e.dsp_mac_int8_pj, 0.3));
        assert!(close(e.dsp_mac_fp32_pj, 4.6));
        // The square-root rule reproduces Horowitz's 32 KB point (20 pJ per 64 bits).
        assert!(close(sram_read_pj(SRAM_REFERENCE_BITS * 4.0, 64.0), 20.0));
        assert!(close(e.ddr4_pj_per_bit, 1300.0 / 64.0));
        assert!(close(e.hbm2_pj_per_bit, 3.9));
    }

    #[test]
    fn energies_scale_linearly_with_the_node_except_dram() {
        let a = EnergyPerEvent::at_node(45.0);
        let b = EnergyPerEvent::at_node(16.0);
        let s = 16.0 / 45.0;
        for (x, y) in [
            (a.lut_add8_pj, b.lut_add8_pj),
            (a.dsp_mac_fp32_pj, b.dsp_mac_fp32_pj),
            (a.lutram_read_pj_per_bit, b.lutram_read_pj_per_bit),
            (a.bram36_read_72b_pj, b.bram36_read_72b_pj),
            (a.uram_read_72b_pj, b.uram_read_72b_pj),
        ] {
            assert!(close(x * s, y), "{x} {y}");
        }
        assert_eq!(a.ddr4_pj_per_bit, b.ddr4_pj_per_bit);
        // A larger memory costs more per access.
        assert!(b.uram_read_72b_pj > b.bram36_read_72b_pj);
        assert!(close(b.lutram_read_pj(10), 10.0 * b.lutram_read_pj_per_bit));
        assert!(close(b.fifo_push_pj(32), 32.0 * b.fifo_push_pj_per_bit));
    }

    #[test]
    fn devices_map_to_their_node_and_memory() {
        let kv260 = device("kv260").unwrap();
        let e = EnergyPerEvent::for_device(kv260).unwrap();
        assert_eq!(e.node_nm, 16.0);
        let kind = kv260.memory.unwrap().kind;
        assert_eq!(e.dram_pj_per_bit(kind), Some(e.ddr4_pj_per_bit));
        let v80 = device("v80").unwrap();
        let e = EnergyPerEvent::for_device(v80).unwrap();
        assert_eq!(e.node_nm, 7.0);
        assert_eq!(e.dram_pj_per_bit(v80.memory.unwrap().kind), Some(3.9));
        assert!(EnergyPerEvent::for_device(device("ecp5").unwrap()).is_none());
        assert_eq!(e.dram_pj_per_bit("GDDR6"), None);
    }

    #[test]
    fn static_power_is_the_database_figure() {
        for d in crate::DEVICES {
            assert_eq!(static_w(d), d.static_w);
        }
        assert!(static_w(device("v80").unwrap()).is_some());
        assert!(static_w(device("kv260").unwrap()).is_none());
    }
}
