//! Published per-operation energy and area figures, each with its source.

/// Node the constants below were published at, nm (Horowitz, ISSCC 2014: 45 nm, 0.9 V).
pub const REFERENCE_NODE_NM: f64 = 45.0;

/// Integer add energy per bit at 45 nm: 8-bit add 0.03 pJ (M. Horowitz, "Computing's energy
/// problem", ISSCC 2014, Table: 45 nm, 0.9 V) -> 0.03 / 8 pJ per bit; the same table's 32-bit add
/// (0.1 pJ) lands within 20% of this linear rule.
pub const ADD_PJ_PER_BIT_45NM: f64 = 0.03 / 8.0;

/// 8-bit integer multiply, 0.2 pJ at 45 nm (Horowitz, ISSCC 2014).
pub const MULT8_PJ_45NM: f64 = 0.2;

/// fp16 add, 0.4 pJ at 45 nm (Horowitz, ISSCC 2014).
pub const FP16_ADD_PJ_45NM: f64 = 0.4;

/// fp32 add, 0.9 pJ at 45 nm (Horowitz, "Computing's energy problem", ISSCC 2014, Fig. 1.1.9).
pub const FP32_ADD_PJ_45NM: f64 = 0.9;

/// fp16 multiply, 1.1 pJ at 45 nm (Horowitz, ISSCC 2014).
pub const FP16_MULT_PJ_45NM: f64 = 1.1;

/// 64-bit read of an 8 KB SRAM, 10 pJ at 45 nm (Horowitz, ISSCC 2014); the same source gives
/// 20 pJ at 32 KB and about 100 pJ at 1 MB, which the square-root-of-capacity rule used in
/// [`super::EnergyModel::sram_pj_per_bit`] reproduces (10 * sqrt(4) = 20, 10 * sqrt(128) = 113).
pub const SRAM_64BIT_READ_PJ_45NM: f64 = 10.0;

/// Capacity of the reference SRAM above, bytes (the 8 KB array of Horowitz, ISSCC 2014).
pub const SRAM_REFERENCE_BYTES: f64 = 8.0 * 1024.0;

/// A two-input multiplexer level costs about half a full-adder bit: a static CMOS 2:1 mux takes
/// 12 transistors against 28 for a mirror full adder (N. Weste and D. Harris, "CMOS VLSI
/// Design", 4th ed., 2010, ch. 11, datapath subsystems); used to cost table-entry selection from a
/// broadcast table.
pub const MUX_LEVEL_PER_ADD: f64 = 12.0 / 28.0;

/// A two-input AND/OR gate costs half a 2:1 mux: 6 transistors against 12 (Weste and Harris,
/// "CMOS VLSI Design", 4th ed., 2010, ch. 9 and 11); used for per-bit gating and comparators.
pub const GATE_PER_MUX: f64 = 0.5;

/// Area of an integer adder per bit at 45 nm: 8-bit add 36 um^2 (Horowitz, ISSCC 2014, area
/// table) -> 4.5 um^2 per bit.
pub const ADD_UM2_PER_BIT_45NM: f64 = 36.0 / 8.0;

/// 8-bit signed multiplier area at 45 nm, 385 um^2: the 2866 transistors Yosys 0.23 maps
/// `a * b` of two signed 8-bit operands to (`synth; abc -g` simple gates, `stat -tech cmos`),
/// at the area per transistor of Horowitz's 8-bit adder (36 um^2 for the 268 transistors the
/// same flow gives an 8-bit add). Horowitz's own table gives 282 um^2 for a hand-optimized
/// multiplier (ISSCC 2014); the synthesized figure is used so that the area model describes the
/// generated RTL as synthesized (checked by `testbench/tests/area_vs_yosys.rs`).
pub const MULT8_UM2_45NM: f64 = 36.0 / 268.0 * 2866.0;

/// fp16 adder area at 45 nm, 618 um^2: the 4600 transistors Yosys 0.23 maps lutforge's
/// generated FP16 adder to (`rtl/src/fp_add.rs`: round to nearest even, subnormals flushed,
/// saturation; `synth; abc -g` simple gates, `stat -tech cmos`), at the area per transistor of
/// Horowitz's 8-bit adder (36 um^2 for 268 transistors). Horowitz's table gives 1360 um^2 for a
/// full IEEE adder (ISSCC 2014); the generated adder is what the RTL builds.
pub const FP16_ADD_UM2_45NM: f64 = 36.0 / 268.0 * 4600.0;

/// fp32 adder area at 45 nm, 1342 um^2: the 9988 transistors of lutforge's generated FP32 adder
/// under the same flow and scale as [`FP16_ADD_UM2_45NM`] (Horowitz, ISSCC 2014, gives 4184 um^2
/// for a full IEEE adder).
pub const FP32_ADD_UM2_45NM: f64 = 36.0 / 268.0 * 9988.0;

/// fp16 multiplier area at 45 nm: 1640 um^2 (Horowitz, ISSCC 2014, area table).
pub const FP16_MULT_UM2_45NM: f64 = 1640.0;

/// fp16 adder + multiplier area at 45 nm: 1360 + 1640 um^2 (Horowitz, ISSCC 2014, area table).
pub const FP16_FMA_UM2_45NM: f64 = FP16_ADD_UM2_45NM + FP16_MULT_UM2_45NM;

/// D flip-flop area at 45 nm: DFF_X1 4.522 um^2 (Nangate 45 nm Open Cell Library, 2011 release).
pub const DFF_UM2_45NM: f64 = 4.522;

/// 6T SRAM bit cell at 45 nm: 0.346 um^2 (Mistry et al., "A 45nm logic technology ...",
/// IEDM 2007).
pub const SRAM_CELL_UM2_45NM: f64 = 0.346;

/// Fraction of an SRAM macro's area that is bit cells (periphery takes the rest); 0.7 is the
/// array efficiency CACTI reports for mid-size macros (Thoziyoor et al., CACTI 5.1, HP Labs
/// TR HPL-2008-20).
pub const SRAM_ARRAY_EFFICIENCY: f64 = 0.7;

/// Node the static-power density below was measured at, nm (TPU v1: Jouppi et al., ISCA 2017).
pub const STATIC_POWER_NODE_NM: f64 = 28.0;

/// Static power density at 28 nm, W per mm^2: the TPU v1 die (28 nm) draws 28 W measured at
/// idle with a die of at most 331 mm^2 (Jouppi et al., "In-Datacenter Performance Analysis of a
/// Tensor Processing Unit", ISCA 2017, Table 2 and section 2), so 28 / 331 = 0.0846 W/mm^2. The
/// source gives one figure for the whole die (logic, SRAM and uncore at idle), so the default
/// charges it to logic and SRAM alike and adds no separate uncore power.
pub const STATIC_W_PER_MM2_28NM: f64 = 28.0 / 331.0;

/// Accumulator width of a systolic PE, bits: 32-bit partial sums for INT8 operands, as in the
/// TPU's MXU (Jouppi et al., "In-Datacenter Performance Analysis of a Tensor Processing Unit",
/// ISCA 2017, section 2).
pub const SYSTOLIC_ACC_BITS: u32 = 32;
