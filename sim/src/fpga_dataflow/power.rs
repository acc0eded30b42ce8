//! Dynamic energy of an op's [`Events`] on the design's device, priced per event by
//! `lutforge_fpga::EnergyPerEvent` at the device's process node, and off-chip traffic at the
//! architecture's `dram.energy_pj_per_bit`. Static power is the device's (or
//! `fpga.static_power_w`), charged by the engine for the run time.
//!
//! Categories: lookups and LUT-fabric adds are `table_j` and `add_j`, DSP multiply-adds
//! `multiply_j`, URAM weight-buffer reads `sram_j`, element-wise operations `vector_j`, off-chip
//! traffic `dram_j`. The host processor's own energy is not modelled (no cited figure for the
//! Cortex-A53 per multiply-add); its off-chip traffic is counted.

use lutforge_fpga::EnergyPerEvent;

use super::config::FpgaDesign;
use super::events::Events;
use crate::arch::Arch;
use crate::energy::EnergyBreakdown;

/// Bits per URAM access (72-bit ports, AMD UG573).
const URAM_ACCESS_BITS: f64 = 72.0;

/// The dynamic energy of `events` at `e` (the design's energy per event), pJ per category.
pub fn energy_pj(
    design: &FpgaDesign,
    e: &EnergyPerEvent,
    arch: &Arch,
    events: &Events,
) -> EnergyBreakdown {
    let entry_bits = design.tlmm.map_or(8, |t| t.spec.entry_bits);
    EnergyBreakdown {
        dram_j: events.dram_bits as f64 * arch.dram.energy_pj_per_bit,
        sram_j: events.uram_read_bits as f64 / URAM_ACCESS_BITS * e.uram_read_72b_pj,
        table_j: events.lutram_reads as f64 * e.lutram_read_pj(entry_bits),
        add_j: events.lut_adds as f64 * e.lut_add8_pj
            + events.dsp_int_adds as f64 * e.dsp_mac_int8_pj,
        multiply_j: events.dsp_fp_macs as f64 * e.dsp_mac_fp32_pj,
        vector_j: events.fp_ops as f64 * e.dsp_mac_fp32_pj,
        static_j: 0.0,
    }
}
