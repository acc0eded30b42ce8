//! Area of the MAC tile, block by block as the generated RTL builds it (`rtl/src/mac_tensor_core.rs`),
//! from the cited per-cell figures of [`crate::energy::area::AreaModel`]. A test synthesizes the
//! RTL with Yosys and holds the total within 20% (`testbench/tests/area_vs_yosys.rs`).
//!
//! The fp16 mode (simulation only, no RTL) is costed from Horowitz's FP16 multiplier and the generated FP32
//! adder's area: per unit `tile_k` fp16 multipliers, `tile_k - 1` fp32 tree adders and one fp32
//! accumulator adder, 32-bit accumulator and pipeline registers; the front registers hold
//! 16-bit operands; the dequantizer has one int-to-fp16 converter per weight-code lane, costed
//! like an fp16 adder (a leading-zero count and normalizing shift, the alignment and
//! normalization part of an fp16 adder; the source gives no separate converter figure).

use super::{ceil_log2, MacArray, FP_ACC_BITS, K_CHUNKS_BITS};
use crate::energy::area::{AreaItem, AreaModel};

impl MacArray {
    /// Widths of the values crossing each level boundary of one dot-product unit: boundary 2
    /// (after multiply) holds `tile_k` products of `2 * MB` bits, boundary `2 + l` the sums left
    /// after tree level `l`.
    /// In the fp16 mode every product and sum is an FP32 value.
    fn boundary_value_bits(&self, boundary: u32) -> u64 {
        let mut values = u64::from(self.tile_k);
        let mut width = 2 * self.mult_bits;
        for _ in 2..boundary {
            values = values.div_ceil(2);
            width += 1;
        }
        if self.is_fp() {
            width = FP_ACC_BITS;
        }
        values * u64::from(width)
    }

    /// The tile's blocks and their areas.
    pub fn area_items(&self, a: &AreaModel) -> Vec<AreaItem> {
        let (m, n, t, mb) = (self.tile_m, self.tile_n, self.tile_k, self.mult_bits);
        let units = f64::from(m * n);
        let sum_bits = if self.is_fp() {
            FP_ACC_BITS
        } else {
            2 * mb + self.tree_depth()
        };
        let acc_reg = self.acc_bits.max(sum_bits);
        let regs = self.pipeline_cycles - 1;
        // Pipeline registers inside each unit: those at boundaries after multiply and later.
        let unit_pipeline_bits: u64 = (3..=regs)
            .map(|r| self.boundary_value_bits(self.register_boundary(r)))
            .sum();
        let arithmetic = if self.is_fp() {
            // tile_k fp16 multipliers, tile_k - 1 fp32 tree adders and the fp32 accumulator.
            f64::from(t) * (a.fp16_mult_um2() + a.fp32_adder_um2())
        } else {
            f64::from(t) * a.mult_um2(mb)
                + self.tree_adder_bits() as f64 * a.adder_um2(1)
                + a.adder_um2(acc_reg)
        };
        let unit = arithmetic + a.register_um2(u64::from(acc_reg) + unit_pipeline_bits);
        // The input and dequantize registers hold both beats; the dequantizer picks each
        // code's sign bit by the weight width: a weight_bits-way select per operand bit.
        let beat_bits = u64::from((m + n) * t * mb);
        let front_regs = u64::from(regs.min(2)) * beat_bits;
        let dequant = if self.is_fp() {
            // One int-to-fp16 converter per weight-code lane, costed like an fp16 adder.
            f64::from(n * t) * a.fp16_adder_um2()
        } else {
            a.mux_um2(n * t * mb, mb)
        };
        let row_bits = ceil_log2(m).max(1);
        let counters = 2 * K_CHUNKS_BITS + row_bits;
        let control_regs = u64::from(counters + 1 + self.weight_bits_field_bits() + regs.max(1));
        let controller = a.register_um2(control_regs)
            + 2.0 * a.adder_um2(K_CHUNKS_BITS)
            + a.adder_um2(row_bits)
            + a.register_um2(front_regs);
        let drain = a.mux_um2(n * self.acc_bits, m);
        vec![
            AreaItem {
                block: "units",
                um2: units * unit,
            },
            AreaItem {
                block: "dequant",
                um2: dequant,
            },
            AreaItem {
                block: "controller",
                um2: controller,
            },
            AreaItem {
                block: "drain",
                um2: drain,
            },
        ]
    }
}
