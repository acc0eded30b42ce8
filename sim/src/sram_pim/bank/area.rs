//! Area of the bank at 45 nm: the SRAM macro it sits in against the PIM periphery it adds,
//! block by block, from the cited per-cell and per-gate figures of
//! [`crate::energy::constants`] (6T cell 0.346 um^2, Mistry et al., IEDM 2007; CACTI's 0.7
//! array efficiency, Thoziyoor et al., HPL-2008-20; adder 4.5 um^2 per bit, Horowitz, ISSCC
//! 2014; DFF_X1 4.522 um^2, Nangate 45 nm Open Cell Library; a 2:1 mux bit 12/28 of an adder
//! bit and a 2-input gate half a mux, Weste and Harris, 4th ed., 2010).
//!
//! The periphery is counted as the generated RTL builds it (`rtl/src/sram_pim/`): registers
//! are flip-flops, the current token's table is selected once and broadcast, each lane's lookup
//! a `2^g`-way mux, the shift by the plane a
//! barrel shifter, the conversion one `acc_bits x 16` multiplier per lane. The standard
//! periphery every SRAM macro has (decoders, sense amplifiers, the column mux, write drivers)
//! is inside the macro's area (the array efficiency), not in the overhead. Scale both to
//! another node with the rules of [`crate::energy`]; the ratio does not change.
//! `testbench/tests/sram_pim_cosim.rs` holds the periphery within 20% of what Yosys makes of
//! the generated RTL (the macro a black box).

use crate::energy::constants::{
    ADD_UM2_PER_BIT_45NM, DFF_UM2_45NM, GATE_PER_MUX, MULT8_UM2_45NM, MUX_LEVEL_PER_ADD,
    SRAM_ARRAY_EFFICIENCY, SRAM_CELL_UM2_45NM,
};

use super::{ceil_log2, BankSpec, OUT_BITS, SCALE_BITS};

/// The bank's area at 45 nm, um^2, by block.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BankArea {
    /// The SRAM macro: bit cells over the array efficiency (its own periphery included).
    pub macro_um2: f64,
    /// Table slots: `slots * (2^g - 1) * entry_bits` flip-flops (entry 0 is the constant 0;
    /// each entry is written by one build adder, through the flip-flop's enable).
    pub tables_um2: f64,
    /// Tags, valid and zero flags (`slots * (8 g + 2)` flip-flops), the tag read mux and the
    /// pattern comparator (`8 g` XOR bits and the zero detect, as gates).
    pub pattern_um2: f64,
    /// Table-build adders: `build_adds_per_cycle` masked sums of `g` activations.
    pub build_um2: f64,
    /// Lookup/accumulate lanes: the `slots`-way selection of token `t`'s table (once), then per
    /// lane a `2^g`-way entry mux of `entry_bits`, a shifter by the plane and an `acc_bits`
    /// add/subtract.
    pub lookup_um2: f64,
    /// Accumulators: `slots * tiles * L * acc_bits` flip-flops and their read mux.
    pub accumulators_um2: f64,
    /// Conversion: per converter an `acc_bits x 16` multiplier, the rounding add, the
    /// arithmetic barrel shifter (`shift_bits` levels and two XOR rows), the saturation and
    /// the selection of its lane in the slice; the `L x 8`-bit result register.
    pub conversion_um2: f64,
    /// Controller and the sense-amplifier word register (`W` flip-flops plus about 64 for
    /// the state, counters and the latched command).
    pub control_um2: f64,
}

impl BankArea {
    /// The PIM periphery: every block but the macro.
    pub fn periphery_um2(&self) -> f64 {
        self.tables_um2
            + self.pattern_um2
            + self.build_um2
            + self.lookup_um2
            + self.accumulators_um2
            + self.conversion_um2
            + self.control_um2
    }

    /// The periphery's area as a share of the macro's (SAIL's "about 2%" is stated for a whole
    /// last-level cache, most of whose subarrays carry no periphery).
    pub fn overhead(&self) -> f64 {
        self.periphery_um2() / self.macro_um2
    }
}

/// How the periphery's storage (tables, tags, accumulators) is built.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Storage {
    /// Flip-flops, as the generated RTL builds them (what Yosys synthesizes).
    FlipFlops,
    /// SRAM bit cells at the macro's cell area over its array efficiency, as a custom layout
    /// beside the subarray would build them (their word selection inside that efficiency;
    /// the lanes' entry muxes stay logic).
    SramCells,
}

/// The area of `spec` (a valid spec) at 45 nm with flip-flop storage, as the RTL builds it.
/// Table slots and accumulator tiles are counted as the RTL sizes them: `max_batch` and
/// `max_tiles`, at least 2 each (memories addressed by at least one bit).
pub fn area(spec: &BankSpec) -> BankArea {
    area_with(spec, Storage::FlipFlops)
}

/// The share of a cache's SRAM its PIM periphery adds when `compute_subarrays` of its
/// `subarrays` subarrays (each the bank's macro) carry a bank's periphery: `periphery *
/// compute_subarrays / (macro * subarrays)` (SAIL's "about 2%" is a figure of this kind).
pub fn cache_overhead(area: &BankArea, compute_subarrays: u64, subarrays: u64) -> f64 {
    area.periphery_um2() * compute_subarrays as f64 / (area.macro_um2 * subarrays.max(1) as f64)
}

/// The area of `spec` (a valid spec) at 45 nm, its storage built as `storage` says.
pub fn area_with(spec: &BankSpec, storage: Storage) -> BankArea {
    let bit_um2 = match storage {
        Storage::FlipFlops => DFF_UM2_45NM,
        Storage::SramCells => SRAM_CELL_UM2_45NM / SRAM_ARRAY_EFFICIENCY,
    };
    // The word selection of a stored memory: logic with flip-flops, inside the array
    // efficiency of an SRAM (its decoder and column mux).
    let select_bit = match storage {
        Storage::FlipFlops => MUX_LEVEL_PER_ADD * ADD_UM2_PER_BIT_45NM,
        Storage::SramCells => 0.0,
    };
    let g = f64::from(spec.group);
    let eb = f64::from(spec.entry_bits());
    let acc = f64::from(spec.acc_bits);
    let lanes = f64::from(spec.lanes());
    let slots = f64::from(spec.max_batch.max(2));
    let tiles = f64::from(spec.max_tiles.max(2));
    let entries = f64::from(spec.table_entries());
    let mux_bit = MUX_LEVEL_PER_ADD * ADD_UM2_PER_BIT_45NM;
    let gate = GATE_PER_MUX * mux_bit;
    let macro_um2 = spec.bit_cells() as f64 * SRAM_CELL_UM2_45NM / SRAM_ARRAY_EFFICIENCY;
    let tables_um2 = slots * (entries - 1.0) * eb * bit_um2;
    let pattern_um2 = slots * (8.0 * g + 2.0) * bit_um2
        + (slots - 1.0) * 8.0 * g * select_bit
        + 2.0 * 8.0 * g * gate;
    // A masked sum: g AND-gated INT8 terms summed by g - 1 adders of entry_bits.
    let build_um2 = f64::from(spec.build_adds_per_cycle.min(spec.table_entries() - 1))
        * (8.0 * g * gate + (g - 1.0).max(0.0) * eb * ADD_UM2_PER_BIT_45NM);
    // Token t's table is selected once and broadcast; each lane picks its entry from it.
    let slot_mux = (slots - 1.0) * (entries - 1.0) * eb * select_bit;
    let entry_mux = (entries - 1.0) * eb * mux_bit;
    let shifter = f64::from(ceil_log2(8)) * acc * mux_bit;
    let lookup_um2 = slot_mux + lanes * (entry_mux + shifter + acc * (ADD_UM2_PER_BIT_45NM + gate));
    let accumulators_um2 =
        slots * tiles * lanes * acc * bit_um2 + (slots * tiles - 1.0) * lanes * acc * select_bit;
    // An 8 x 8 multiplier's area scaled by the partial-product bits.
    let mult = MULT8_UM2_45NM * acc * f64::from(SCALE_BITS) / 64.0;
    let wide = acc + f64::from(SCALE_BITS) + 1.0;
    let barrel = f64::from(spec.shift_bits()) * wide * mux_bit + 2.0 * wide * gate;
    let converters = f64::from(spec.used_converters());
    let slices = f64::from(spec.conversion_slices());
    // Each converter picks its lane of the slice (a slices-way mux of acc_bits); the INT8
    // result register holds the beat.
    let conversion_um2 = converters
        * (mult
            + wide * ADD_UM2_PER_BIT_45NM
            + barrel
            + wide * gate
            + (slices - 1.0) * acc * mux_bit)
        + lanes * f64::from(OUT_BITS) * DFF_UM2_45NM;
    let control_um2 = (f64::from(spec.word_bits()) + 64.0) * DFF_UM2_45NM;
    BankArea {
        macro_um2,
        tables_um2,
        pattern_um2,
        build_um2,
        lookup_um2,
        accumulators_um2,
        conversion_um2,
        control_um2,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_periphery_is_counted_block_by_block() {
        let spec = BankSpec {
            rows: 512,
            columns: 512,
            column_mux: 4,
            group: 4,
            row_cycles: 2,
            lookup_cycles: 1,
            build_adds_per_cycle: 1,
            acc_bits: 24,
            max_batch: 8,
            max_tiles: 1,
            converters: 4,
            pattern_aware: true,
        };
        let a = area(&spec);
        // 262144 cells x 0.346 / 0.7.
        assert!((a.macro_um2 - 262_144.0 * 0.346 / 0.7).abs() < 1e-6);
        // 8 slots x 15 entries x 10 bits of flip-flops.
        assert!((a.tables_um2 - 1200.0 * 4.522).abs() < 1e-6);
        assert!(a.overhead() > 0.0 && a.overhead().is_finite());
        // More table slots cost more periphery, a larger macro less overhead.
        let big = BankSpec { rows: 4096, ..spec };
        assert!(area(&big).overhead() < a.overhead());
        let sram = area_with(&spec, Storage::SramCells);
        assert!(sram.overhead() < a.overhead());
        assert_eq!(sram.macro_um2, a.macro_um2);
        assert!((cache_overhead(&a, 1, 4) - a.overhead() / 4.0).abs() < 1e-12);
    }
}
