//! Resource model of the engines of an FPGA LLM dataflow accelerator: what an engine costs in
//! LUTs, flip-flops, DSP blocks, block RAM (in BRAM36 tiles, a BRAM18 counting half) and
//! UltraRAM, as a pure function of its parameters.
//!
//! The model is structural: an engine is counted from primitives (an adder, a multiplexer, a
//! LUTRAM read port, a shift-register FIFO, a block RAM of a given shape, a floating-point
//! operator), and every primitive's cost comes from a cited document: the CLB, memory and DSP
//! user guides (UG574, UG573, UG579), the Versal manuals (AM004, AM005, UG1273), the Vitis HLS
//! user guide (UG1399) or a published synthesis report. Where no citable figure exists, the
//! figure is a required input (the exponential unit of [`AttentionParams`]). Nothing here is
//! fitted to a design's utilization report; the calibration test
//! (`fpga/tests/lut_llm_calibration.rs`) prints how far the model lands from LUT-LLM's released
//! report.
//!
//! Engines:
//! - [`tlmm`]: TeLLMe's ternary table-lookup matmul (arXiv 2510.15926);
//! - [`vq2d`]: LUT-LLM's activation-weight vector co-quantized 2D table lookup
//!   (arXiv 2511.06174): FP32 centroid search and chained lookup engines;
//! - [`attention`], [`eltwise`], [`fifo`], [`buffer`] and [`axi_read_port`]: the pieces
//!   around them.
//!
//! Each engine also has a `*_parts` function returning the named parts it is built from, so a
//! report can say where the LUTs go.

use std::fmt;
use std::iter::Sum;
use std::ops::{Add, AddAssign};

use crate::devices::Device;

/// One LUT per bit of a two-input adder or subtractor on the carry chain (UG574, "Carry
/// Logic": each CARRY8 bit takes its propagate signal from one LUT; AM005 keeps one LUT per
/// bit with the Versal LOOKAHEAD8). Comparators are subtractors and cost the same.
pub const LUTS_PER_ADDER_BIT: u64 = 1;

/// Inputs of the widest multiplexer one LUT6 implements: a 4:1 multiplexer (UG574,
/// "Multiplexers": a LUT6 implements a 4:1 MUX). Wider multiplexers are counted as trees of
/// LUT6 4:1 multiplexers: Versal has no MUXF7/MUXF8/MUXF9 (AM005, "LUTRAM"), so this is exact
/// there and an upper bound of about 25% on UltraScale+, whose F7/F8 muxes save the tree's
/// upper levels.
pub const MUX_INPUTS_PER_LUT: u64 = 4;

/// Depth of a LUTRAM cell in its shallow mode, entries: a LUT6 holds 32 x 2 bits per read port
/// (UG574, "Distributed RAM (SLICEM Only)": 32 x 2 per LUT; quad- and octal-port RAMs such as
/// RAM32M16 spend one LUT per port, UG974).
pub const LUTRAM_SHALLOW_DEPTH: u64 = 32;

/// Bits per LUT of a LUTRAM cell in its shallow mode (UG574: a LUT6 is a 32 x 2 RAM).
pub const LUTRAM_SHALLOW_BITS: u64 = 2;

/// Depth of a LUTRAM cell in its deep mode, entries: a LUT6 holds 64 x 1 bit per read port
/// (UG574: 64 x 1 per LUT; AM005: Versal LUTRAM cells are 32 or 64 deep).
pub const LUTRAM_DEEP_DEPTH: u64 = 64;

/// Depth of one shift-register LUT, bits (UG574: a SLICEM LUT is an SRLC32E, a 32-bit shift
/// register; AM005: the same on Versal).
pub const SRL_DEPTH_PER_LUT: u64 = 32;

/// The aspect ratios of one BRAM36, (depth, width) (UG573, "Block RAM Summary": 32K x 1,
/// 16K x 2, 8K x 4, 4K x 9, 2K x 18, 1K x 36 and, in simple dual-port mode, 512 x 72; the
/// 9/18/36/72 widths include the parity bits).
pub const BRAM36_SHAPES: [(u64, u64); 7] = [
    (32_768, 1),
    (16_384, 2),
    (8_192, 4),
    (4_096, 9),
    (2_048, 18),
    (1_024, 36),
    (512, 72),
];

/// The aspect ratios of one BRAM18, (depth, width), each half a BRAM36 tile (UG573: 16K x 1 to
/// 1K x 18, and 512 x 36 in simple dual-port mode).
pub const BRAM18_SHAPES: [(u64, u64); 6] = [
    (16_384, 1),
    (8_192, 2),
    (4_096, 4),
    (2_048, 9),
    (1_024, 18),
    (512, 36),
];

/// Depth of one UltraRAM block, words (UG573, "UltraRAM": 4K x 72, fixed aspect ratio).
pub const URAM_DEPTH: u64 = 4_096;

/// Width of one UltraRAM block, bits (UG573: 4K x 72; narrower words waste the rest).
pub const URAM_WIDTH: u64 = 72;

/// Unsigned operand widths of one DSP48E2 multiplier, (A, B) bits: the 27 x 18 two's-complement
/// multiplier takes 26 x 17 unsigned bits (UG579, "DSP48E2 Slice Features": 27 x 18 multiplier).
pub const DSP48E2_UNSIGNED_MULT: (u64, u64) = (26, 17);

/// Unsigned operand widths of one iCE40 UltraPlus SB_MAC16 multiplier, (A, B) bits: 16 x 16
/// (the `A[15:0]`, `B[15:0]` inputs of SB_MAC16 in Yosys 0.23's techlibs/ice40/cells_sim.v,
/// 2022, with `A_SIGNED`/`B_SIGNED` off; FPGA-DS-02008: "16 x 16 multiply").
pub const SB_MAC16_UNSIGNED_MULT: (u64, u64) = (16, 16);

/// Unsigned operand widths of one ECP5 MULT18X18D, (A, B) bits: 18 x 18 (the `A0..A17`,
/// `B0..B17` inputs with `SIGNEDA`/`SIGNEDB` low, MULT18X18D in Yosys 0.23's
/// techlibs/ecp5/cells_bb.v, 2022; FPGA-DS-02012: 18 x 18 multipliers).
pub const MULT18X18D_UNSIGNED_MULT: (u64, u64) = (18, 18);

/// A single-precision add on DSP48E2 parts, as Vitis HLS binds it (`fadd ... full_dsp`): 2 DSP48E2,
/// 226 LUTs, 177 flip-flops (Vitis HLS 2019.2 report for xcu280-fsvh2892-2L-e, committed in 2021
/// to WenqiJiang/FPGA-ANNS, PE_optimization/distance_estimation_by_LUT/README.md; the
/// Floating-Point Operator guide PG060 moved its tables to a web page not readable here).
pub const FP32_ADD_DSP48E2: Resources = Resources {
    luts: 226,
    ffs: 177,
    dsp: 2,
    bram36: 0.0,
    uram: 0,
};

/// Control logic of one Vitis HLS AXI4 master adapter: 580 LUTs and 512 flip-flops for a 32-bit
/// port (Vitis HLS 2019.2 report for xcu280, committed in 2021 to WenqiJiang/FPGA-ANNS,
/// PE_optimization/cluster_distance_computation/distance_computation_PE_unoptimized/README.md,
/// `gmem34_m_axi`: 2 BRAM18, 512 FF, 580 LUT). Taken as width-independent; the data buffers are
/// costed separately by [`AXI_READ_BUFFER_BEATS`].
pub const AXI_MASTER_CONTROL: Resources = Resources {
    luts: 580,
    ffs: 512,
    dsp: 0,
    bram36: 0.0,
    uram: 0,
};

/// Depth of an AXI4 master's read buffer, beats: `num_read_outstanding x max_read_burst_length`,
/// both 16 by default (UG1399, "Controlling AXI4 Burst Behavior": num_read_outstanding "implies
/// internal storage in the design: a FIFO of size num_read_outstanding*max_read_burst_length*
/// word_size"; default 16 each).
pub const AXI_READ_BUFFER_BEATS: u64 = 16 * 16;

/// A FIFO at or below this many bits (depth x width) is built from shift-register LUTs;
/// above it, from block RAM (UG1399, `config_storage fifo -auto_srl_max_bits`, default 1024).
pub const FIFO_SRL_MAX_BITS: u64 = 1_024;

/// A FIFO at or below this depth is always built from shift-register LUTs (UG1399,
/// `config_storage fifo -auto_srl_max_depth`, default 2).
pub const FIFO_SRL_MAX_DEPTH: u64 = 2;

/// A TAPA FIFO of at least this many bits (width x depth) is built from block RAM, a smaller
/// one from shift-register LUTs (TAPA, Chi et al., FCCM 2021; threshold from
/// rapidstream-org/rapidstream-tapa, backend/python/tapa/assets/verilog/fifo.v,
/// `THRESHOLD = 18432`).
pub const TAPA_FIFO_BRAM_MIN_BITS: u64 = 18_432;

/// A TAPA FIFO at least this wide and [`TAPA_FIFO_URAM_MIN_DEPTH`] deep is built from UltraRAM
/// (TAPA, Chi et al., FCCM 2021; rapidstream-tapa fifo.v: `DATA_WIDTH >= 36 && DEPTH >= 4096`).
pub const TAPA_FIFO_URAM_MIN_WIDTH: u64 = 36;

/// See [`TAPA_FIFO_URAM_MIN_WIDTH`] (TAPA, Chi et al., FCCM 2021; rapidstream-tapa fifo.v).
pub const TAPA_FIFO_URAM_MIN_DEPTH: u64 = 4_096;

/// FPGA resources: LUTs, flip-flops, DSP blocks, block RAM in BRAM36 tiles (a BRAM18 counts
/// 0.5, as Vivado's "Block RAM Tile" column does) and UltraRAM blocks.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Resources {
    /// Look-up tables, logic and memory (LUTRAM, SRL) together, as Vivado's "CLB LUTs".
    pub luts: u64,
    /// Flip-flops ("Registers").
    pub ffs: u64,
    /// DSP blocks (DSP48E2 on UltraScale+, DSP58 in any mode on Versal).
    pub dsp: u64,
    /// Block RAM tiles of 36 kbit; a BRAM18 is 0.5.
    pub bram36: f64,
    /// UltraRAM blocks of 288 kbit.
    pub uram: u64,
}

impl Resources {
    /// No resources.
    pub const ZERO: Resources = Resources {
        luts: 0,
        ffs: 0,
        dsp: 0,
        bram36: 0.0,
        uram: 0,
    };

    /// `luts` LUTs.
    pub fn luts(luts: u64) -> Resources {
        Resources {
            luts,
            ..Resources::ZERO
        }
    }

    /// `ffs` flip-flops.
    pub fn ffs(ffs: u64) -> Resources {
        Resources {
            ffs,
            ..Resources::ZERO
        }
    }

    /// `n` copies of these resources.
    pub fn scaled(self, n: u64) -> Resources {
        Resources {
            luts: self.luts * n,
            ffs: self.ffs * n,
            dsp: self.dsp * n,
            bram36: self.bram36 * n as f64,
            uram: self.uram * n,
        }
    }
}

impl Add for Resources {
    type Output = Resources;

    fn add(self, o: Resources) -> Resources {
        Resources {
            luts: self.luts + o.luts,
            ffs: self.ffs + o.ffs,
            dsp: self.dsp + o.dsp,
            bram36: self.bram36 + o.bram36,
            uram: self.uram + o.uram,
        }
    }
}

impl AddAssign for Resources {
    fn add_assign(&mut self, o: Resources) {
        *self = *self + o;
    }
}

impl Sum for Resources {
    fn sum<I: Iterator<Item = Resources>>(iter: I) -> Resources {
        iter.fold(Resources::ZERO, Add::add)
    }
}

impl<'a> Sum<&'a Resources> for Resources {
    fn sum<I: Iterator<Item = &'a Resources>>(iter: I) -> Resources {
        iter.copied().sum()
    }
}

impl fmt::Display for Resources {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} LUTs, {} FFs, {} DSP, {} BRAM36, {} URAM",
            thousands(self.luts),
            thousands(self.ffs),
            thousands(self.dsp),
            thousands_f64(self.bram36),
            thousands(self.uram)
        )
    }
}

/// `n` with a comma between thousands (`433,617`).
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A non-negative count that may end in `.5` (block RAM tiles), with thousands separators:
/// `1,000.5`, `960`.
pub fn thousands_f64(x: f64) -> String {
    let whole = x.trunc();
    let frac = x - whole;
    let head = thousands(whole as u64);
    if frac.abs() < 1e-9 {
        head
    } else {
        let tail = format!("{frac:.2}");
        let tail = tail.trim_end_matches('0');
        format!("{head}{}", &tail[1..])
    }
}

/// One named part of an engine and what it costs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Part {
    /// What the part is (`tables (LUTRAM)`).
    pub name: &'static str,
    /// Its resources.
    pub resources: Resources,
}

/// The sum of `parts`.
pub fn total(parts: &[Part]) -> Resources {
    parts.iter().map(|p| p.resources).sum()
}

fn part(name: &'static str, resources: Resources) -> Part {
    Part { name, resources }
}

fn ceil_div(a: u64, b: u64) -> u64 {
    a.div_ceil(b.max(1))
}

/// Bits to index `n` things (`ceil(log2 n)`, 0 for one thing).
pub fn index_bits(n: u64) -> u64 {
    if n <= 1 {
        0
    } else {
        u64::from(64 - (n - 1).leading_zeros())
    }
}

// ---------------------------------------------------------------------------------------------
// Primitives.

/// A two-input adder (or subtractor, or magnitude comparator) of `bits` bits on the carry chain.
pub fn adder(bits: u64) -> Resources {
    Resources::luts(bits * LUTS_PER_ADDER_BIT)
}

/// LUTs of an `inputs`:1 multiplexer of one bit, as a tree of LUT6 4:1 multiplexers.
pub fn mux_luts_per_bit(inputs: u64) -> u64 {
    let mut n = inputs;
    let mut luts = 0;
    while n > 1 {
        let level = ceil_div(n, MUX_INPUTS_PER_LUT);
        luts += level;
        n = level;
    }
    luts
}

/// An `inputs`:1 multiplexer of `bits` bits.
pub fn mux(inputs: u64, bits: u64) -> Resources {
    Resources::luts(mux_luts_per_bit(inputs) * bits)
}

/// A LUTRAM of `depth` words of `width` bits read through `read_ports` independent addresses
/// (the write port shares its address with one of them, as in RAM32M16). Each LUT is one read
/// port, so `k` ports cost `k` copies (UG574); deeper than 64 words, 64-deep cells are stacked
/// behind a multiplexer.
pub fn lutram(depth: u64, width: u64, read_ports: u64) -> Resources {
    if depth == 0 || width == 0 || read_ports == 0 {
        return Resources::ZERO;
    }
    let per_port = if depth <= LUTRAM_SHALLOW_DEPTH {
        ceil_div(width, LUTRAM_SHALLOW_BITS)
    } else if depth <= LUTRAM_DEEP_DEPTH {
        width
    } else {
        let cells = ceil_div(depth, LUTRAM_DEEP_DEPTH);
        cells * width + mux_luts_per_bit(cells) * width
    };
    Resources::luts(per_port * read_ports)
}

/// BRAM36 tiles for a memory of `depth` words of `width` bits: the fewest tiles over the
/// BRAM36 and BRAM18 aspect ratios, a BRAM18 counting half (UG573).
pub fn bram36_tiles(depth: u64, width: u64) -> f64 {
    if depth == 0 || width == 0 {
        return 0.0;
    }
    let full = BRAM36_SHAPES
        .iter()
        .map(|&(d, w)| (ceil_div(depth, d) * ceil_div(width, w)) as f64);
    let half = BRAM18_SHAPES
        .iter()
        .map(|&(d, w)| 0.5 * (ceil_div(depth, d) * ceil_div(width, w)) as f64);
    full.chain(half).fold(f64::INFINITY, f64::min)
}

/// UltraRAM blocks for a memory of `depth` words of `width` bits (UG573: 4K x 72 each).
pub fn uram_blocks(depth: u64, width: u64) -> u64 {
    if depth == 0 || width == 0 {
        return 0;
    }
    ceil_div(depth, URAM_DEPTH) * ceil_div(width, URAM_WIDTH)
}

/// Which on-chip RAM a buffer lives in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BufferRam {
    /// Block RAM (BRAM36/BRAM18).
    Bram,
    /// UltraRAM (URAM288).
    Uram,
}

/// The DSP block a device has, which decides what a floating-point operator costs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DspArch {
    /// UltraScale+ DSP48E2: a 27 x 18 multiplier and a 48-bit ALU, no floating point (UG579).
    Dsp48e2,
    /// Versal DSP58, whose DSPFP32 mode is an FP32 multiplier and adder (AM004).
    Dsp58,
    /// A Lattice integer multiplier block of `(a, b)` unsigned operand bits
    /// ([`SB_MAC16_UNSIGNED_MULT`] on iCE40 UltraPlus, [`MULT18X18D_UNSIGNED_MULT`] on ECP5):
    /// no floating point and no block a floating-point adder maps to, so a floating-point add
    /// is fabric ([`fp_add_fabric`]).
    IntMult {
        /// Unsigned bits of the first operand.
        a: u64,
        /// Unsigned bits of the second operand.
        b: u64,
    },
}

impl DspArch {
    /// The DSP architecture of `device`, from its DSP primitive's name; `None` for a
    /// primitive the model does not know.
    pub fn of(device: &Device) -> Option<DspArch> {
        let int = |(a, b): (u64, u64)| Some(DspArch::IntMult { a, b });
        match device.dsp.kind {
            "DSP48E2" => Some(DspArch::Dsp48e2),
            "DSP58" => Some(DspArch::Dsp58),
            "SB_MAC16" => int(SB_MAC16_UNSIGNED_MULT),
            "MULT18X18D" => int(MULT18X18D_UNSIGNED_MULT),
            _ => None,
        }
    }
}

/// A floating-point format (IEEE 754-2008 binary16 and binary32).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FpFormat {
    /// binary16: 5 exponent bits, 10 fraction bits.
    Fp16,
    /// binary32: 8 exponent bits, 23 fraction bits.
    Fp32,
}

impl FpFormat {
    /// Width of a value, bits.
    pub fn bits(self) -> u64 {
        match self {
            FpFormat::Fp16 => 16,
            FpFormat::Fp32 => 32,
        }
    }

    /// Exponent bits (IEEE 754-2008, Table 3.5).
    pub fn exponent_bits(self) -> u64 {
        match self {
            FpFormat::Fp16 => 5,
            FpFormat::Fp32 => 8,
        }
    }

    /// Significand bits including the hidden bit (IEEE 754-2008, Table 3.5: p = 11 and 24).
    pub fn significand_bits(self) -> u64 {
        match self {
            FpFormat::Fp16 => 11,
            FpFormat::Fp32 => 24,
        }
    }
}

/// One floating-point multiplier.
///
/// DSP58: one DSPFP32, whose multiplier takes FP32 or FP16 inputs (AM004, "DSPFP32"), with its
/// pipeline registers inside the block. DSP48E2: the significand product tiled onto 26 x 17
/// unsigned multipliers (UG579), so 2 blocks for FP32 and 1 for FP16, plus fabric for the
/// exponent add, the one-bit normalisation shift and the rounding increment (one adder bit or
/// one 2:1 multiplexer per bit: `e + 2p + 1` LUTs) and three pipeline registers of the value's
/// width. No published LUT figure for this operator was readable here (PG060's tables moved to a
/// web page), so the fabric part is this structural count. Lattice: the same tiling onto its
/// integer multipliers ([`DspArch::IntMult`]) and the same fabric part.
pub fn fp_mul(format: FpFormat, dsp: DspArch) -> Resources {
    let tiled = |(a, b): (u64, u64)| {
        let p = format.significand_bits();
        Resources {
            dsp: ceil_div(p, a) * ceil_div(p, b),
            luts: format.exponent_bits() + 2 * p + 1,
            ffs: 3 * format.bits(),
            ..Resources::ZERO
        }
    };
    match dsp {
        DspArch::Dsp58 => Resources {
            dsp: 1,
            ..Resources::ZERO
        },
        DspArch::Dsp48e2 => tiled(DSP48E2_UNSIGNED_MULT),
        DspArch::IntMult { a, b } => tiled((a, b)),
    }
}

/// One floating-point adder (or subtractor).
///
/// DSP58: one DSPFP32 (AM004: its adder takes binary32 inputs; an FP16 value widens to FP32
/// exactly, and the widening is wiring plus an exponent re-bias, not counted). DSP48E2:
/// [`FP32_ADD_DSP48E2`], the Vitis HLS `full_dsp` adder; no FP16 figure was found, so an FP16
/// add is costed as the FP32 one, an upper bound. Lattice: the fabric adder
/// [`fp_add_fabric`].
pub fn fp_add(format: FpFormat, dsp: DspArch) -> Resources {
    match dsp {
        DspArch::Dsp58 => Resources {
            dsp: 1,
            ..Resources::ZERO
        },
        DspArch::Dsp48e2 => FP32_ADD_DSP48E2,
        DspArch::IntMult { .. } => fp_add_fabric(format),
    }
}

/// A barrel shifter of `bits` bits by up to `bits` places: `index_bits(bits)` levels of 2:1
/// multiplexers, two levels per LUT (a 4:1 multiplexer, [`MUX_INPUTS_PER_LUT`]).
pub fn barrel_shifter(bits: u64) -> Resources {
    mux(MUX_INPUTS_PER_LUT, bits).scaled(index_bits(bits).div_ceil(2))
}

/// A floating-point adder in the fabric, for devices with no block that adds floating point
/// (Lattice). No published LUT figure for such an operator on these parts was found, so this is
/// a structural count of the classic single-path adder on the significand with guard, round and
/// sticky bits (`w = p + 3`): exponent difference (`e + 1` adder bits), operand swap (a 2:1
/// multiplexer per bit of both operands), alignment shift ([`barrel_shifter`] of `w`), the
/// significand add (`w + 1` bits), leading-zero count (one `w + 1`:1 multiplexer tree per bit of
/// the count), normalisation shift (a barrel shifter of `w + 1`), rounding increment (`p + 1`
/// bits) and exponent adjust (`e + 1` bits), with three pipeline registers of the value's width
/// as in [`fp_mul`].
pub fn fp_add_fabric(format: FpFormat) -> Resources {
    let (e, p) = (format.exponent_bits(), format.significand_bits());
    let w = p + 3;
    adder(e + 1)
        + mux(2, 2 * (format.bits() - 1))
        + barrel_shifter(w)
        + adder(w + 1)
        + Resources::luts(index_bits(w + 1) * mux_luts_per_bit(w + 1))
        + barrel_shifter(w + 1)
        + adder(p + 1)
        + adder(e + 1)
        + Resources::ffs(3 * format.bits())
}

/// One floating-point multiply-add: one DSPFP32 on DSP58 (AM004: the multiplier output feeds
/// the adder inside the block, "multiply-add (MADD) or multiply-accumulate (MACC)"), a
/// multiplier and an adder on DSP48E2.
pub fn fp_fma(format: FpFormat, dsp: DspArch) -> Resources {
    match dsp {
        DspArch::Dsp58 => Resources {
            dsp: 1,
            ..Resources::ZERO
        },
        DspArch::Dsp48e2 | DspArch::IntMult { .. } => fp_mul(format, dsp) + fp_add(format, dsp),
    }
}

/// A comparison of two non-negative floating-point values of `format`: IEEE 754 orders
/// non-negative values like their bit patterns read as integers (IEEE 754-2008, 3.4), so it is a
/// magnitude comparator of the exponent and fraction bits on the carry chain.
pub fn fp_compare_nonnegative(format: FpFormat) -> Resources {
    adder(format.bits() - 1)
}

// ---------------------------------------------------------------------------------------------
// FIFOs, buffers, AXI.

/// What a FIFO is built from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FifoImpl {
    /// One register stage (a one-deep TAPA FIFO).
    Registers,
    /// Shift-register LUTs (SRLC32E).
    Srl,
    /// Block RAM.
    Bram,
    /// UltraRAM.
    Uram,
}

/// The tool that generates a FIFO, which decides what it is built from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FifoGenerator {
    /// Vitis HLS `hls::stream` with the default `config_storage` (UG1399).
    VitisHls,
    /// A TAPA `tapa::stream` (rapidstream-tapa `fifo.v`).
    Tapa,
}

/// A FIFO between two engines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FifoParams {
    /// Depth, words.
    pub depth: u64,
    /// Width of a word, bits.
    pub width_bits: u32,
    /// The tool that builds it.
    pub generator: FifoGenerator,
}

impl FifoParams {
    /// What this FIFO is built from. Vitis HLS: shift registers when at most
    /// [`FIFO_SRL_MAX_DEPTH`] deep or holding at most [`FIFO_SRL_MAX_BITS`] bits, block RAM
    /// otherwise (UG1399 `config_storage`, read here as either limit allowing an SRL). TAPA:
    /// registers at depth 1, UltraRAM when at least [`TAPA_FIFO_URAM_MIN_WIDTH`] wide and
    /// [`TAPA_FIFO_URAM_MIN_DEPTH`] deep, block RAM from [`TAPA_FIFO_BRAM_MIN_BITS`] bits,
    /// shift registers below.
    pub fn implementation(&self) -> FifoImpl {
        let width = u64::from(self.width_bits);
        let bits = self.depth * width;
        match self.generator {
            FifoGenerator::VitisHls => {
                if self.depth <= FIFO_SRL_MAX_DEPTH || bits <= FIFO_SRL_MAX_BITS {
                    FifoImpl::Srl
                } else {
                    FifoImpl::Bram
                }
            }
            FifoGenerator::Tapa => {
                if self.depth <= 1 {
                    FifoImpl::Registers
                } else if width >= TAPA_FIFO_URAM_MIN_WIDTH
                    && self.depth >= TAPA_FIFO_URAM_MIN_DEPTH
                {
                    FifoImpl::Uram
                } else if bits >= TAPA_FIFO_BRAM_MIN_BITS {
                    FifoImpl::Bram
                } else {
                    FifoImpl::Srl
                }
            }
        }
    }
}

/// One FIFO.
///
/// Registers: one word of flip-flops and a valid flag. SRL: one SRLC32E per bit per 32 words of
/// depth (UG574), a multiplexer over the cascade when deeper than 32, an address counter of
/// `ceil(log2(depth + 1))` bits (adder and register) and two flag registers with their logic.
/// Block RAM or UltraRAM: [`bram36_tiles`] or [`uram_blocks`] for the storage, read and write
/// pointers (adders and registers), two flags and an output register of the word's width (the
/// RAM's read latency is hidden behind it).
pub fn fifo(p: &FifoParams) -> Resources {
    let width = u64::from(p.width_bits);
    if p.depth == 0 || width == 0 {
        return Resources::ZERO;
    }
    let pointer = index_bits(p.depth + 1);
    let flags = Resources {
        luts: 2,
        ffs: 2,
        ..Resources::ZERO
    };
    let pointers = (adder(pointer) + Resources::ffs(pointer)).scaled(2);
    match p.implementation() {
        FifoImpl::Registers => Resources::ffs(width + 1) + Resources::luts(1),
        FifoImpl::Srl => {
            let cells = ceil_div(p.depth, SRL_DEPTH_PER_LUT);
            let data = Resources::luts(cells * width) + mux(cells, width);
            data + adder(pointer) + Resources::ffs(pointer) + flags
        }
        FifoImpl::Bram => {
            let data = Resources {
                bram36: bram36_tiles(p.depth, width),
                ..Resources::ZERO
            };
            data + pointers + flags + Resources::ffs(width)
        }
        FifoImpl::Uram => {
            let data = Resources {
                uram: uram_blocks(p.depth, width),
                ..Resources::ZERO
            };
            data + pointers + flags + Resources::ffs(width)
        }
    }
}

/// An on-chip buffer split into banks that are read in parallel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BufferParams {
    /// Capacity, bytes.
    pub bytes: u64,
    /// Width of one bank's word, bits.
    pub width_bits: u32,
    /// Banks (the HLS array partition factor): one word per bank per cycle.
    pub banks: u32,
    /// The RAM it lives in.
    pub ram: BufferRam,
}

/// An on-chip buffer: `banks` memories of `bytes * 8 / (banks * width_bits)` words each, in
/// BRAM ([`bram36_tiles`]) or UltraRAM ([`uram_blocks`]).
pub fn buffer(p: &BufferParams) -> Resources {
    let banks = u64::from(p.banks.max(1));
    let width = u64::from(p.width_bits);
    if p.bytes == 0 || width == 0 {
        return Resources::ZERO;
    }
    let depth = ceil_div(p.bytes * 8, banks * width);
    match p.ram {
        BufferRam::Bram => Resources {
            bram36: bram36_tiles(depth, width) * banks as f64,
            ..Resources::ZERO
        },
        BufferRam::Uram => Resources {
            uram: uram_blocks(depth, width) * banks,
            ..Resources::ZERO
        },
    }
}

/// One AXI4 read master of `bits` data bits: the adapter's control ([`AXI_MASTER_CONTROL`]) and
/// its read-data buffer of [`AXI_READ_BUFFER_BEATS`] beats in block RAM. Data-path registers
/// beyond that buffer are not counted, so wide ports are a lower bound.
pub fn axi_read_port(bits: u32) -> Resources {
    let buffer = Resources {
        bram36: bram36_tiles(AXI_READ_BUFFER_BEATS, u64::from(bits)),
        ..Resources::ZERO
    };
    AXI_MASTER_CONTROL + buffer
}

// ---------------------------------------------------------------------------------------------
// TeLLMe ternary table-lookup matmul.

/// TeLLMe's ternary table-lookup matmul (TLMM, arXiv 2510.15926): groups of `group` ternary
/// weights index a table of precomputed sums of `group` activations; `tables` tables per
/// activation block are read by `outputs_per_cycle` outputs per cycle and summed by an adder
/// tree into accumulators. Weights stream from DRAM over `axi_ports` AXI masters into a weight
/// buffer. Figures in parentheses are TeLLMe's (REFERENCES.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TlmmParams {
    /// Ternary weights per group (3): a table holds `(3^group + 1) / 2` entries (13 distinct
    /// non-zero sums up to sign, plus zero), and an index is one sign bit plus the entry address.
    pub group: u32,
    /// Tables per activation block, each looked up once per output per cycle (28).
    pub tables: u32,
    /// Outputs computed per cycle, each reading every table once (16).
    pub outputs_per_cycle: u32,
    /// Width of a table entry, bits (10: three 8-bit activations summed).
    pub entry_bits: u32,
    /// Width of an output accumulator, bits; the adder tree grows from `entry_bits` by one bit
    /// per level up to this width.
    pub acc_bits: u32,
    /// Table-build additions per cycle (each table entry of three activations takes one or two
    /// additions).
    pub build_adds_per_cycle: u32,
    /// Whether the table-build adders are DSP blocks (one DSP per adder, as a Vitis HLS
    /// `bind_op impl=dsp` binds them, UG1399) or LUT adders.
    pub build_on_dsp: bool,
    /// Capacity of the weight buffer, bytes.
    pub weight_buffer_bytes: u64,
    /// The RAM the weight buffer lives in.
    pub weight_buffer_ram: BufferRam,
    /// AXI4 master ports streaming weights from DRAM (3).
    pub axi_ports: u32,
    /// Data width of one AXI port, bits (256).
    pub axi_bits: u32,
    /// Width of an activation, bits (8).
    pub act_bits: u32,
}

impl TlmmParams {
    /// Entries of one table: `(3^group + 1) / 2`.
    pub fn entries(&self) -> u64 {
        // 3^group is odd, so this is (3^group + 1) / 2.
        3u64.pow(self.group).div_ceil(2)
    }

    /// Bits of one weight-group index: a sign bit and the entry address.
    pub fn weight_index_bits(&self) -> u64 {
        1 + index_bits(self.entries())
    }
}

/// The adder tree summing `inputs` values of `width` bits, one register level per adder level
/// (an upper bound on flip-flops: HLS may chain two or three small adders per stage), the width
/// growing one bit per level up to `max_width`.
pub fn adder_tree(inputs: u64, width: u64, max_width: u64) -> Resources {
    let mut n = inputs;
    let mut w = width.min(max_width);
    let mut r = Resources::ZERO;
    while n > 1 {
        let pairs = n / 2;
        let odd = n % 2;
        let out = (w + 1).min(max_width);
        r += adder(w).scaled(pairs) + Resources::ffs(pairs * out + odd * w);
        n = pairs + odd;
        w = out;
    }
    r
}

/// The named parts of a TLMM engine:
///
/// - tables: `tables` LUTRAMs of [`TlmmParams::entries`] x `entry_bits`, each with one read
///   port per output ([`lutram`]: a LUT is one read port, so 16 ports are 16 copies); not
///   double-buffered (the next block's tables are built after the current block is used);
/// - a register on every lookup and a conditional negate (one LUT per bit, not merged into the
///   first adder level) for the index's sign bit;
/// - per output an [`adder_tree`] over the `tables` lookups and an `acc_bits` accumulator;
/// - `build_adds_per_cycle` table-build adders (DSPs or LUTs) with output registers, and the
///   block of `tables x group` activations they read;
/// - the weight buffer, as wide as the wider of its write side (the AXI ports) and its read side
///   (one index per lookup per cycle) and as deep as its capacity needs;
/// - the AXI read ports ([`axi_read_port`]).
pub fn tlmm_parts(p: &TlmmParams) -> Vec<Part> {
    let tables = u64::from(p.tables);
    let outputs = u64::from(p.outputs_per_cycle);
    let entry = u64::from(p.entry_bits);
    let acc = u64::from(p.acc_bits);
    let lookups = tables * outputs;
    let build = u64::from(p.build_adds_per_cycle);
    let build_adders = if p.build_on_dsp {
        Resources {
            dsp: build,
            ..Resources::ZERO
        }
    } else {
        adder(entry).scaled(build)
    } + Resources::ffs(build * entry);
    // The buffer is written by the AXI ports and read by the lookups each cycle; UltraRAM and
    // block RAM are dual-ported (UG573), so the wider side sets the width.
    let write_bits = u64::from(p.axi_ports) * u64::from(p.axi_bits);
    let read_bits = lookups * p.weight_index_bits();
    let width = write_bits.max(read_bits);
    let weight_buffer = match p.weight_buffer_ram {
        BufferRam::Uram => Resources {
            uram: ceil_div(width, URAM_WIDTH)
                .max(ceil_div(p.weight_buffer_bytes * 8, URAM_DEPTH * URAM_WIDTH)),
            ..Resources::ZERO
        },
        BufferRam::Bram => {
            let (depth, w) = BRAM36_SHAPES[BRAM36_SHAPES.len() - 1];
            Resources {
                bram36: ceil_div(width, w).max(ceil_div(p.weight_buffer_bytes * 8, depth * w))
                    as f64,
                ..Resources::ZERO
            }
        }
    };
    vec![
        part(
            "tables (LUTRAM, one copy per read port)",
            lutram(p.entries(), entry, outputs).scaled(tables),
        ),
        part("table outputs (registers)", Resources::ffs(lookups * entry)),
        part(
            "sign decode (conditional negate)",
            Resources::luts(lookups * entry),
        ),
        part(
            "adder trees",
            adder_tree(tables, entry, acc).scaled(outputs),
        ),
        part(
            "accumulators",
            (adder(acc) + Resources::ffs(acc)).scaled(outputs),
        ),
        part("table build adders", build_adders),
        part(
            "activation block registers",
            Resources::ffs(tables * u64::from(p.group) * u64::from(p.act_bits)),
        ),
        part("weight buffer", weight_buffer),
        part(
            "AXI read ports",
            axi_read_port(p.axi_bits).scaled(u64::from(p.axi_ports)),
        ),
    ]
}

/// A TLMM engine's resources.
pub fn tlmm(p: &TlmmParams) -> Resources {
    total(&tlmm_parts(p))
}

// ---------------------------------------------------------------------------------------------
// LUT-LLM 2D vector-quantized table lookup.

/// LUT-LLM's activation-weight co-quantized linear layer (arXiv 2511.06174, code
/// `LUT-FPGA/LUT-LLM`: `ccu/ccu_fp32.h`, `imm/imm.h`, `config/config.h`). Activations are split
/// into vectors of `vector_len`; centroid search units find each vector's nearest of
/// `act_centroids` centroids with FP32 distance engines; chained lookup engines then read, per
/// activation centroid, a 2D table of `act_centroids x weight_centroids` products, select one
/// entry per output by its weight-centroid index and add it into packed partial sums. Figures in
/// parentheses are the released design's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Vq2dParams {
    /// Activation centroids (64, `n_cent`).
    pub act_centroids: u32,
    /// Weight centroids (16, `w_n_cent`; a 4-bit weight index).
    pub weight_centroids: u32,
    /// Elements per vector (2).
    pub vector_len: u32,
    /// Centroid search units running in parallel (16, `treeccu_fp32` instances).
    pub search_units: u32,
    /// Distance engines per search unit, one per centroid (64, `distance_pe`).
    pub distance_engines: u32,
    /// Chains the distance engines of a unit are split into, merged by an argmin tree of
    /// `chains - 1` nodes (4: four chains of 16 and three `argmin_pe`).
    pub chains_per_unit: u32,
    /// Lookup engines, chained through their partial sums (16).
    pub lookup_engines: u32,
    /// Outputs per lookup engine per cycle (512).
    pub outputs_per_cycle: u32,
    /// Width of a 2D-table entry, bits (4).
    pub entry_bits: u32,
    /// Width of one output's partial-sum lane, bits (8).
    pub lane_bits: u32,
    /// Lanes packed into one adder (4: four 8-bit lanes in a 32-bit add).
    pub lanes_per_add: u32,
    /// Whether the packed adders are DSP blocks (one per adder) rather than LUT adders. The
    /// released code asks for DSPs in half the engines, but its utilization report has 46 DSP58
    /// in integer mode, so they were built in LUTs.
    pub adds_on_dsp: bool,
    /// Longest output dimension of a layer (12,288, `MAX_OUT_SIZE`): each engine holds the weight
    /// indices of this many outputs.
    pub max_out_dim: u32,
    /// Table capacity per lookup engine, bytes (12,288: 64 x 16 x 24 entries of 4 bits).
    pub table_bytes: u64,
    /// AXI ports feeding weight indices and tables (16).
    pub index_ports: u32,
    /// Data width of one index port, bits (512).
    pub port_bits: u32,
    /// The device's DSP block, which sets the cost of the FP32 distance arithmetic.
    pub dsp: DspArch,
}

/// The named parts of a VQ-2D engine, all search units and all lookup engines together:
///
/// - per distance engine: `vector_len` FP32 subtracts ([`fp_add`]; the absolute value is a
///   cleared sign bit), the Chebyshev maximum over the elements and the running minimum with its
///   centroid index ([`fp_compare_nonnegative`] and 2:1 selects), registers for the centroid,
///   the forwarded input, the differences and the running best, and four depth-2 Vitis HLS
///   FIFOs (input, distance, index and centroid streams, as `ccu_fp32.h` declares them);
/// - per search unit an argmin tree of `chains_per_unit - 1` nodes;
/// - per lookup engine: the 2D table in block RAM, banked for one read per weight centroid and
///   one table write per bank per cycle for a port beat of entries (`port_bits / entry_bits`
///   writes), the activation-centroid row select over those banks, the weight-index buffer in
///   LUTRAM (one single-port bank per output, `max_out_dim / outputs_per_cycle` deep), one
///   `weight_centroids`:1 multiplexer per output bit, and the packed partial-sum adders with
///   their output registers;
/// - the index and table AXI ports ([`axi_read_port`]).
pub fn vq2d_parts(p: &Vq2dParams) -> Vec<Part> {
    let fp = FpFormat::Fp32;
    let word = fp.bits();
    let vlen = u64::from(p.vector_len);
    let idx = index_bits(u64::from(p.act_centroids));
    let vector = vlen * word;
    // One distance engine: |x - c| per element (subtract; the absolute value clears the sign),
    // the Chebyshev maximum over the elements, and the running minimum with its index.
    let select = |bits: u64| mux(2, bits);
    let distance_engine = fp_add(fp, p.dsp).scaled(vlen)
        + (fp_compare_nonnegative(fp) + select(word)).scaled(vlen.saturating_sub(1))
        + fp_compare_nonnegative(fp)
        + select(word + idx)
        + Resources::ffs(vector * 3 + word + idx);
    let carry = [vector, word, idx, vector]
        .iter()
        .map(|&w| {
            fifo(&FifoParams {
                depth: 2,
                width_bits: w as u32,
                generator: FifoGenerator::VitisHls,
            })
        })
        .sum::<Resources>();
    let argmin = fp_compare_nonnegative(fp) + select(word + idx) + Resources::ffs(word + idx);
    let units = u64::from(p.search_units);
    let engines = u64::from(p.distance_engines);
    let argmin_nodes = u64::from(p.chains_per_unit.max(1)) - 1;

    let outputs = u64::from(p.outputs_per_cycle);
    let entry = u64::from(p.entry_bits);
    let wc = u64::from(p.weight_centroids);
    let lookup_engines = u64::from(p.lookup_engines);
    // Table banks: one read per weight centroid per cycle, and one write per bank per cycle for
    // a port beat of table entries.
    let writes = u64::from(p.port_bits) / entry.max(1);
    let banks = wc.max(writes).div_ceil(wc.max(1)) * wc.max(1);
    let depth = ceil_div(p.table_bytes * 8, banks * entry.max(1));
    let table = Resources {
        bram36: bram36_tiles(depth, entry) * banks as f64,
        ..Resources::ZERO
    };
    let act_select = mux(banks / wc.max(1), entry * wc) + Resources::ffs(entry * wc);
    let w_idx = index_bits(wc);
    let weight_index =
        lutram(ceil_div(u64::from(p.max_out_dim), outputs), w_idx, 1).scaled(outputs);
    let lookup = mux(wc, entry).scaled(outputs) + Resources::ffs(outputs * entry);
    let lanes = u64::from(p.lanes_per_add.max(1));
    let add_bits = lanes * u64::from(p.lane_bits);
    let adders = ceil_div(outputs, lanes);
    let add = if p.adds_on_dsp {
        Resources {
            dsp: adders,
            ..Resources::ZERO
        }
    } else {
        adder(add_bits).scaled(adders)
    } + Resources::ffs(adders * add_bits);
    vec![
        part(
            "distance engines (FP32 subtract, max, running min)",
            distance_engine.scaled(units * engines),
        ),
        part(
            "distance-chain FIFOs (depth 2)",
            carry.scaled(units * engines),
        ),
        part("argmin trees", argmin.scaled(units * argmin_nodes)),
        part("2D tables (BRAM banks)", table.scaled(lookup_engines)),
        part(
            "activation-centroid row select",
            act_select.scaled(lookup_engines),
        ),
        part(
            "weight-index buffers (LUTRAM)",
            weight_index.scaled(lookup_engines),
        ),
        part(
            "weight-centroid lookup muxes",
            lookup.scaled(lookup_engines),
        ),
        part("packed partial-sum adders", add.scaled(lookup_engines)),
        part(
            "index/table AXI ports",
            axi_read_port(p.port_bits).scaled(u64::from(p.index_ports)),
        ),
    ]
}

/// A VQ-2D engine's resources.
pub fn vq2d(p: &Vq2dParams) -> Resources {
    total(&vq2d_parts(p))
}

// ---------------------------------------------------------------------------------------------
// Attention and element-wise units.

/// An attention engine: floating-point multiply-accumulate units for QK^T and AV, softmax lanes
/// and an on-chip KV buffer.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AttentionParams {
    /// Multiply-accumulates per cycle, QK^T and AV together; half read K, half read V.
    pub macs_per_cycle: u32,
    /// Softmax elements per cycle, each a scale multiply, an exponential, a sum add and a
    /// normalising multiply.
    pub softmax_lanes: u32,
    /// On-chip K and V capacity together, bytes.
    pub kv_buffer_bytes: u64,
    /// Width of one stored K or V element, bits.
    pub act_bits: u32,
    /// Arithmetic format of the MACs and the softmax.
    pub format: FpFormat,
    /// The device's DSP block.
    pub dsp: DspArch,
    /// The RAM the KV buffer lives in.
    pub kv_ram: BufferRam,
    /// One exponential unit. Required: no citable resource figure for a floating-point
    /// exponential was found (PG060's tables were not readable), so the caller states it.
    pub exp_unit: Resources,
}

/// The named parts of an attention engine.
pub fn attention_parts(p: &AttentionParams) -> Vec<Part> {
    let macs = u64::from(p.macs_per_cycle);
    let lanes = u64::from(p.softmax_lanes);
    // DSPFP32 accumulates inside the block (AM004: "an internal loop-back path to form an
    // accumulator"); on DSP48E2 each accumulator is a register of the format's width.
    let acc = match p.dsp {
        DspArch::Dsp58 => Resources::ZERO,
        DspArch::Dsp48e2 | DspArch::IntMult { .. } => Resources::ffs(p.format.bits()),
    };
    let lane = fp_mul(p.format, p.dsp).scaled(2) + fp_add(p.format, p.dsp) + p.exp_unit;
    let half = BufferParams {
        bytes: p.kv_buffer_bytes / 2,
        width_bits: p.act_bits,
        banks: (p.macs_per_cycle / 2).max(1),
        ram: p.kv_ram,
    };
    vec![
        part("MAC array", (fp_fma(p.format, p.dsp) + acc).scaled(macs)),
        part("softmax lanes", lane.scaled(lanes)),
        part("KV buffer (K and V banks)", buffer(&half).scaled(2)),
    ]
}

/// An attention engine's resources.
pub fn attention(p: &AttentionParams) -> Resources {
    total(&attention_parts(p))
}

/// Element-wise units (RMSNorm scaling, RoPE, SiLU gating, residual adds, dequantisation): each
/// lane one floating-point multiply-add per cycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EltwiseParams {
    /// Multiply-add lanes.
    pub lanes: u32,
    /// Arithmetic format.
    pub format: FpFormat,
    /// The device's DSP block.
    pub dsp: DspArch,
}

/// Element-wise units' resources: `lanes` floating-point multiply-adds ([`fp_fma`]).
pub fn eltwise(p: &EltwiseParams) -> Resources {
    fp_fma(p.format, p.dsp).scaled(u64::from(p.lanes))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tellme() -> TlmmParams {
        TlmmParams {
            group: 3,
            tables: 28,
            outputs_per_cycle: 16,
            entry_bits: 10,
            acc_bits: 24,
            build_adds_per_cycle: 28,
            build_on_dsp: true,
            weight_buffer_bytes: 1 << 20,
            weight_buffer_ram: BufferRam::Uram,
            axi_ports: 3,
            axi_bits: 256,
            act_bits: 8,
        }
    }

    #[test]
    fn resources_add_scale_and_print() {
        let a = Resources {
            luts: 433_617,
            ffs: 574_132,
            dsp: 2_352,
            bram36: 1_000.5,
            uram: 560,
        };
        assert_eq!(
            a.to_string(),
            "433,617 LUTs, 574,132 FFs, 2,352 DSP, 1,000.5 BRAM36, 560 URAM"
        );
        let b = a + a;
        assert_eq!(b, a.scaled(2));
        assert_eq!([a, a].iter().sum::<Resources>(), b);
        assert_eq!(Resources::ZERO.scaled(7), Resources::ZERO);
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_000), "1,000");
        assert_eq!(thousands_f64(0.5), "0.5");
        assert_eq!(thousands_f64(12_345.0), "12,345");
    }

    #[test]
    fn multiplexers_are_trees_of_four_input_luts() {
        assert_eq!(mux_luts_per_bit(1), 0);
        assert_eq!(mux_luts_per_bit(2), 1);
        assert_eq!(mux_luts_per_bit(4), 1);
        assert_eq!(mux_luts_per_bit(8), 3);
        assert_eq!(mux_luts_per_bit(16), 5);
        assert_eq!(mux_luts_per_bit(64), 21);
    }

    #[test]
    fn lutram_spends_one_lut_per_read_port() {
        // A 14-entry, 10-bit TLMM table: five 32 x 2 cells per port.
        assert_eq!(lutram(14, 10, 1).luts, 5);
        assert_eq!(lutram(14, 10, 16).luts, 80);
        assert_eq!(lutram(64, 4, 1).luts, 4);
        // 128 deep: two 64 x 1 cells per bit and a 2:1 mux per bit.
        assert_eq!(lutram(128, 4, 1).luts, 2 * 4 + 4);
    }

    #[test]
    fn block_ram_picks_the_cheapest_aspect_ratio() {
        assert_eq!(bram36_tiles(512, 72), 1.0);
        assert_eq!(bram36_tiles(512, 36), 0.5);
        assert_eq!(bram36_tiles(192, 4), 0.5);
        assert_eq!(bram36_tiles(1_024, 72), 2.0);
        assert_eq!(bram36_tiles(8_192, 32), 8.0);
        assert_eq!(bram36_tiles(0, 32), 0.0);
        assert_eq!(uram_blocks(4_096, 72), 1);
        assert_eq!(uram_blocks(8_192, 32), 2);
        assert_eq!(uram_blocks(3_072, 144), 2);
    }

    #[test]
    fn shallow_fifos_are_shift_registers_and_deep_ones_block_ram() {
        let hls = FifoGenerator::VitisHls;
        let shallow = FifoParams {
            depth: 2,
            width_bits: 512,
            generator: hls,
        };
        assert_eq!(shallow.implementation(), FifoImpl::Srl);
        let r = fifo(&shallow);
        assert_eq!((r.bram36, r.luts >= 512), (0.0, true));
        let small = FifoParams {
            depth: 32,
            width_bits: 32,
            generator: hls,
        };
        assert_eq!(small.implementation(), FifoImpl::Srl);
        let deep = FifoParams {
            depth: 1_024,
            width_bits: 64,
            generator: hls,
        };
        assert_eq!(deep.implementation(), FifoImpl::Bram);
        assert_eq!(fifo(&deep).bram36, 2.0);
        // TAPA keeps 2,048 bits in shift registers where Vitis HLS would use block RAM.
        let psum = |generator| FifoParams {
            depth: 8,
            width_bits: 256,
            generator,
        };
        assert_eq!(psum(hls).implementation(), FifoImpl::Bram);
        assert_eq!(psum(FifoGenerator::Tapa).implementation(), FifoImpl::Srl);
        let tapa = |depth, width_bits| FifoParams {
            depth,
            width_bits,
            generator: FifoGenerator::Tapa,
        };
        assert_eq!(tapa(1, 64).implementation(), FifoImpl::Registers);
        assert_eq!(tapa(256, 1024).implementation(), FifoImpl::Bram);
        assert_eq!(tapa(4_096, 36).implementation(), FifoImpl::Uram);
        assert_eq!(fifo(&tapa(4_096, 72)).uram, 1);
        assert_eq!(fifo(&tapa(1, 64)).ffs, 65);
    }

    #[test]
    fn an_axi_port_has_its_control_and_a_read_buffer() {
        let r = axi_read_port(32);
        assert_eq!((r.luts, r.ffs, r.bram36), (580, 512, 0.5));
        // 256 beats of 256 bits: 4 tiles of 512 x 72.
        assert_eq!(axi_read_port(256).bram36, 4.0);
    }

    #[test]
    fn floating_point_operators_follow_the_dsp_block() {
        assert_eq!(fp_fma(FpFormat::Fp32, DspArch::Dsp58).dsp, 1);
        assert_eq!(fp_add(FpFormat::Fp32, DspArch::Dsp58).luts, 0);
        assert_eq!(fp_mul(FpFormat::Fp32, DspArch::Dsp48e2).dsp, 2);
        assert_eq!(fp_mul(FpFormat::Fp16, DspArch::Dsp48e2).dsp, 1);
        assert_eq!(fp_add(FpFormat::Fp32, DspArch::Dsp48e2), FP32_ADD_DSP48E2);
        assert_eq!(fp_fma(FpFormat::Fp32, DspArch::Dsp48e2).dsp, 4);
        let kv260 = crate::device("kv260").unwrap();
        assert_eq!(DspArch::of(kv260), Some(DspArch::Dsp48e2));
        assert_eq!(
            DspArch::of(crate::device("v80").unwrap()),
            Some(DspArch::Dsp58)
        );
        let ice40 = DspArch::of(crate::device("ice40").unwrap()).unwrap();
        assert_eq!(ice40, DspArch::IntMult { a: 16, b: 16 });
        let ecp5 = DspArch::of(crate::device("ecp5").unwrap()).unwrap();
        assert_eq!(ecp5, DspArch::IntMult { a: 18, b: 18 });
        // Lattice: an FP16 significand (11 bits) on one block, FP32 (24 bits) on 2 x 2
        // SB_MAC16s or 2 x 2 MULT18X18Ds; the adder in the fabric, no block.
        assert_eq!(fp_mul(FpFormat::Fp16, ice40).dsp, 1);
        assert_eq!(fp_mul(FpFormat::Fp32, ice40).dsp, 4);
        assert_eq!(fp_mul(FpFormat::Fp32, ecp5).dsp, 4);
        let add = fp_add(FpFormat::Fp16, ice40);
        assert_eq!((add.dsp, add.ffs), (0, 48));
        assert!(add.luts > 0 && add.luts < fp_add(FpFormat::Fp32, ecp5).luts);
        assert_eq!(fp_fma(FpFormat::Fp16, ice40).dsp, 1);
    }

    #[test]
    fn a_fabric_fp16_adder_is_its_structural_sum() {
        // e = 5, p = 11, w = 14: exponent 6, swap 30, align 14 x 2 levels, add 15,
        // leading zeros 4 x 5, normalise 15 x 2, round 12, exponent adjust 6.
        let r = fp_add_fabric(FpFormat::Fp16);
        assert_eq!(r.luts, 6 + 30 + 28 + 15 + 20 + 30 + 12 + 6);
        assert_eq!(barrel_shifter(14).luts, 14 * 2);
    }

    #[test]
    fn the_adder_tree_grows_one_bit_per_level() {
        // 4 inputs of 8 bits: two 8-bit adders, then one 9-bit adder.
        let r = adder_tree(4, 8, 32);
        assert_eq!(r.luts, 8 + 8 + 9);
        assert_eq!(r.ffs, 9 + 9 + 10);
        // An odd input passes through one level in a register.
        let r = adder_tree(3, 8, 32);
        assert_eq!(r.luts, 8 + 9);
        assert_eq!(r.ffs, 9 + 8 + 10);
        assert_eq!(adder_tree(1, 8, 32), Resources::ZERO);
        // The width stops at the cap.
        assert_eq!(adder_tree(4, 8, 8).luts, 24);
    }

    #[test]
    fn tellme_tables_are_replicated_per_output() {
        let p = tellme();
        assert_eq!((p.entries(), p.weight_index_bits()), (14, 5));
        let parts = tlmm_parts(&p);
        let tables = parts.iter().find(|q| q.name.starts_with("tables")).unwrap();
        // 28 tables x 16 read ports x 5 LUTs (10 bits, 32 x 2 per LUT).
        assert_eq!(tables.resources.luts, 28 * 16 * 5);
        let r = tlmm(&p);
        // The table-build adders are the only DSPs.
        assert_eq!(r.dsp, 28);
        // Read side: 16 x 28 indices of 5 bits = 2,240 bits, 32 UltraRAMs wide.
        assert_eq!(r.uram, 32);
        let on_luts = tlmm(&TlmmParams {
            build_on_dsp: false,
            ..p
        });
        assert_eq!(on_luts.dsp, 0);
        assert_eq!(on_luts.luts, r.luts + 28 * 10);
        let in_bram = tlmm(&TlmmParams {
            weight_buffer_ram: BufferRam::Bram,
            ..p
        });
        // Capacity sets it here: 1 MiB over 512 x 72 tiles is 228 of them (the width needs 32).
        assert_eq!((in_bram.uram, in_bram.bram36 - r.bram36), (0, 228.0));
    }

    #[test]
    fn engines_scale_with_their_parallelism() {
        let p = tellme();
        let one = tlmm(&TlmmParams {
            outputs_per_cycle: 8,
            ..p
        });
        assert!(one.luts < tlmm(&p).luts);
        let e = EltwiseParams {
            lanes: 32,
            format: FpFormat::Fp32,
            dsp: DspArch::Dsp58,
        };
        assert_eq!(eltwise(&e).dsp, 32);
        let a = AttentionParams {
            macs_per_cycle: 64,
            softmax_lanes: 4,
            kv_buffer_bytes: 64 * 1024,
            act_bits: 32,
            format: FpFormat::Fp32,
            dsp: DspArch::Dsp58,
            kv_ram: BufferRam::Bram,
            exp_unit: Resources::ZERO,
        };
        let r = attention(&a);
        assert_eq!(r.dsp, 64 + 4 * 3);
        // 32 KiB per half over 32 banks of 32-bit words: 256 words each, one BRAM18.
        assert_eq!(r.bram36, 2.0 * 32.0 * 0.5);
    }
}
