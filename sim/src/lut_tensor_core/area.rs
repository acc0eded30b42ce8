//! Area of the LUT tile, block by block as the generated RTL builds it
//! (`rtl/src/lut_tensor_core.rs`), from the cited per-cell figures of
//! [`crate::energy::area::AreaModel`]. The table buffer is SRAM and counted with the buffers. A
//! test synthesizes the RTL with Yosys and holds the total within 20%
//! (`testbench/tests/area_vs_yosys.rs`).

use super::{ceil_log2, LutArray, K_CHUNKS_BITS};
use crate::energy::area::{AreaItem, AreaModel};

/// Width of an FP16 exponent, bits (the plane index is added to it).
const FP16_EXPONENT_BITS: u32 = 5;

impl LutArray {
    /// Integer adders that build one row's tables of one group, with the common prefixes of
    /// the entries' adder chains shared (synthesis merges identical integer adds): symmetric
    /// `T[u] = a_(g-1) ± a_0 ± ...` has `2 + 4 + ... + 2^(g-1) = 2^g - 2` distinct partial
    /// sums; plain `T[u] = sum_(i in u) a_i` one add per subset of two or more activations,
    /// `2^g - g - 1`.
    pub fn int_precompute_adders_per_row(&self) -> u32 {
        let g = self.group;
        if self.symmetric {
            (1 << g) - 2
        } else {
            (1 << g) - g - 1
        }
    }

    /// FP16 adders that build one row's tables: one instance per add of every entry's chain
    /// (adder instances are not merged): `E * (g - 1)` symmetric, `sum_u (popcount(u) - 1)` =
    /// `g * 2^(g-1) - 2^g + 1` plain.
    pub fn fp_precompute_adders_per_row(&self) -> u32 {
        let g = self.group;
        if self.symmetric {
            self.table_entries() * (g - 1)
        } else {
            g * (1 << (g - 1)) + 1 - (1 << g)
        }
    }

    /// The tile's blocks and their areas.
    pub fn area_items(&self, a: &AreaModel) -> Vec<AreaItem> {
        let (m, n, g) = (self.tile_m, self.tile_n, self.group);
        let units = f64::from(m * n);
        let entries = self.table_entries();
        let sel_bits = g - u32::from(self.symmetric);
        let plane_bits = ceil_log2(self.max_weight_bits + 1).max(1);
        let mut items = Vec::new();
        let mut push = |block, um2| items.push(AreaItem { block, um2 });
        if self.act_format.has_int() {
            // Accumulator `A + 1` bits when symmetric (the result is `(acc - rowsum) >> 1`).
            let acc = self.acc_bits + u32::from(self.symmetric);
            let entry = self.int_entry_bits();
            // Entry select, the barrel shift by the plane (of the entry's bits and the bits it
            // can move into; the rest are copies of its sign), add or subtract, the accumulator.
            let shifted = (entry + self.max_weight_bits - 1).min(acc);
            let unit = a.mux_um2(entry, entries)
                + f64::from(plane_bits) * a.mux_um2(shifted, 2)
                + a.adder_um2(acc)
                + a.mux_um2(acc, 2)
                + a.register_um2(u64::from(acc));
            push("lookup-accumulate units (integer)", units * unit);
            push(
                "precompute (integer)",
                f64::from(m * self.int_precompute_adders_per_row()) * a.adder_um2(entry),
            );
            // Drain: the row select of the accumulators and, symmetric, the row sums, their
            // select and one correction subtractor per column (bypassed by a binary plane).
            let mut drain = a.mux_um2(n * acc, m);
            if self.symmetric {
                drain += f64::from(m) * (a.adder_um2(acc) + a.register_um2(u64::from(acc)))
                    + a.mux_um2(acc, m)
                    + f64::from(n) * (a.adder_um2(self.acc_bits) + a.mux_um2(self.acc_bits, 2));
            }
            push("drain and correction (integer)", drain);
        }
        if self.act_format.encoding().is_some() {
            // FP16 entry select, the plane added to the exponent, the FP32 add and accumulator.
            let unit = a.mux_um2(16, entries)
                + a.adder_um2(FP16_EXPONENT_BITS)
                + a.fp32_adder_um2()
                + a.register_um2(32);
            push("lookup-accumulate units (floating point)", units * unit);
            push(
                "precompute (floating point)",
                f64::from(m * self.fp_precompute_adders_per_row()) * a.fp16_adder_um2(),
            );
            let mut drain = a.mux_um2(n * 32, m);
            if self.symmetric {
                drain += f64::from(m) * (a.fp32_adder_um2() + a.register_um2(32))
                    + a.mux_um2(32, m)
                    + f64::from(n) * a.fp32_adder_um2();
            }
            push("drain and correction (floating point)", drain);
        }
        // The lookup stage: the weight beat (`N * g` plane bits), plane, MSB and valid.
        let stage_bits = n * g + plane_bits + 2;
        push(
            "lookup stage",
            a.register_um2(u64::from(stage_bits)) + a.mux_um2(n * sel_bits, 2),
        );
        // Controller: precompute and lookup chunk counters (16 bits), group, plane and drain
        // row counters, the latched command; an incrementer per counter and the chunk compares.
        let groups = ceil_log2(self.groups_per_pass()).max(1);
        let row = ceil_log2(m).max(1);
        let counter_bits = 2 * K_CHUNKS_BITS + 2 * groups + plane_bits + row;
        let latched = K_CHUNKS_BITS + plane_bits + 3;
        push(
            "controller",
            a.register_um2(u64::from(counter_bits + latched + 1))
                + a.adder_um2(counter_bits)
                + 3.0 * a.adder_um2(K_CHUNKS_BITS),
        );
        items
    }
}
