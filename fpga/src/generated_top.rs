//! Resource model of the pipeline top `lutforge rtl` generates for a TLMM architecture
//! (`rtl/src/fpga_dataflow/`: TLMM engine -> FIFO -> integer requantizer), counted on
//! UltraScale+ primitives from the generated RTL's own structure.
//!
//! This is not the model of the simulated design. [`crate::resources::tlmm`] describes the
//! engine TeLLMe's HLS code builds (tables in LUTRAM, one copy per read port; an UltraRAM weight
//! buffer sized for a whole layer; DSP table-build adders; AXI masters), and the simulator's fit
//! check uses it with the architecture's full buffers. The generated top is a smaller machine
//! of the same dataflow: its tables are registers read through 16:1 multiplexers, its weight
//! buffer holds one job of `weight_words` words of `L` index vectors in block RAM, its
//! accumulators one job of `max_tokens x max_groups` words in LUTRAM, its build adders are
//! fabric adders, and its element-wise engine is the integer requantizer. The host cuts a
//! layer into such jobs, so the two models differ by design, not by error.
//!
//! Every count below follows one statement of the generator and how an UltraScale+ fabric
//! builds it: a LUT6 is any function of six inputs (UG574), a carry chain takes one LUT per bit
//! for its propagate signal and the operand `A` on its `DI` input (UG574; Yosys 0.23's
//! `techlibs/xilinx/arith_map.v`, 2022, wires `DI = A`, `S = A ^ B`), multiplexers are trees of
//! LUT6 4:1 multiplexers ([`mux_luts_per_bit`]), chains of three or more plain registers become
//! shift-register LUTs, asynchronously read memories become LUTRAM and synchronously read ones
//! block RAM. `testbench/tests/fpga_resources_vs_yosys.rs` holds the totals within 15% of what
//! Yosys's `synth_xilinx -family xcup -nowidelut` makes of the same RTL for five sizes; nothing
//! here is fitted to those counts.

use crate::resources::{
    adder, bram36_tiles, index_bits, mux_luts_per_bit, total, uram_blocks, BufferRam, Part,
    Resources,
};

/// Inputs of one LUT6 (UG574, "Look-Up Table (LUT)": a LUT6 implements any function of six
/// independent inputs).
pub const LUT6_INPUTS: u64 = 6;

/// Bit pairs one LUT6 compares for equality (two values of three bits each: six inputs, UG574).
pub const EQUALITY_BITS_PER_LUT: u64 = LUT6_INPUTS / 2;

/// LUTs of one LUTRAM cell in the simple dual-port configurations: RAM32M16 (32 x 14) and
/// RAM64M8 (64 x 7) each take the eight LUTs of a SLICEM (UG574, "Distributed RAM": 32 x 14
/// and 64 x 7 simple dual-port RAMs in one SLICEM); Yosys 0.23 maps a memory with one write and
/// one asynchronous read address to them (`techlibs/xilinx/lutrams_xcu.txt`, 2022,
/// `$__XILINX_LUTRAM_SDP_`: 14 bits at 5 address bits, 7 at 6).
pub const LUTRAM_CELL_LUTS: u64 = 8;

/// Width of a 32-deep simple dual-port LUTRAM cell, RAM32M16 (UG574: 32 x 14 SDP).
pub const LUTRAM_SDP32_BITS: u64 = 14;

/// Width of a 64-deep simple dual-port LUTRAM cell, RAM64M8 (UG574: 64 x 7 SDP).
pub const LUTRAM_SDP64_BITS: u64 = 7;

/// Width of a 32-deep single-port LUTRAM cell of eight LUTs (UG574: 32 x 16 single-port in one
/// SLICEM; Yosys 0.23 `lutrams_xcu.txt`, 2022, `$__XILINX_LUTRAM_SP_`: 16 bits at 5 address
/// bits, 8 at 6).
pub const LUTRAM_SP32_BITS: u64 = 16;

/// Shortest register chain that becomes a shift-register LUT (Vivado `synth_design
/// -shreg_min_size`, default 3, UG901; Yosys 0.23 `synth_xilinx` runs `xilinx_srl -fixed
/// -minlen 3`, 2022).
pub const SRL_MIN_CHAIN: u64 = 3;

/// Depth of one shift-register LUT, SRLC32E (UG574: 32 bits).
pub const SRL_DEPTH: u64 = 32;

/// Unsigned operand widths of one DSP48E2 multiplier (UG579: the 27 x 18 two's-complement
/// multiplier takes 26 x 17 unsigned bits).
pub const DSP_UNSIGNED_MULT: (u64, u64) = (26, 17);

/// Unsigned width of each lower slice of an operand too wide for one DSP48E2: Yosys 0.23 cuts
/// it into 17-bit slices, one DSP each, and adds the partial products in the fabric
/// (`share/mul2dsp.v` with `synth_xilinx -family xcup`'s `DSP_A_MAXWIDTH_PARTIAL=18` and
/// `DSP_SIGNEDONLY`, one bit of sign headroom, 2022).
pub const DSP_PARTIAL_SLICE_BITS: u64 = 17;

/// Sums of one ternary table: the canonical non-zero patterns of three weights.
const PATTERNS: u64 = 13;

/// Activations per table (three weights per code).
const GROUP: u64 = 3;

/// Width of an activation, bits.
const ACT_BITS: u64 = 8;

/// Entries the lookup multiplexer selects from: the 4-bit pattern index of a code (14
/// entries; codes 14 and 15 read 0).
const LOOKUP_INPUTS: u64 = 16;

/// States of the TLMM's state machine (`IDLE`, `LOAD`, `READ`, `ADD`, `LOOK`, `FLUSH`).
const STATES: u64 = 6;

/// Canonical ternary pattern `p` (1..=13) as its three weights, `w0` first: the group with
/// `9 w0 + 3 w1 + w2 = p` (`lutforge_models::numerics::ternary_pack::PATTERNS`).
pub fn ternary_pattern(p: u64) -> [i8; 3] {
    let mut best = [0; 3];
    for code in 0..27u8 {
        let w = [
            (code / 9) as i8 - 1,
            (code / 3 % 3) as i8 - 1,
            (code % 3) as i8 - 1,
        ];
        if 9 * i64::from(w[0]) + 3 * i64::from(w[1]) + i64::from(w[2]) == p as i64 {
            best = w;
        }
    }
    best
}

/// The TLMM engine of a generated top (`rtl/src/fpga_dataflow/tlmm.rs`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GeneratedTlmm {
    /// Tables per activation block.
    pub tables: u32,
    /// Lookup lanes `L = min(outputs_per_cycle, weight_banks)`.
    pub lanes: u32,
    /// Table entry width, bits.
    pub entry_bits: u32,
    /// Accumulator width, bits.
    pub acc_bits: u32,
    /// Table-build adders (slots).
    pub build_adds_per_cycle: u32,
    /// Activations per `act` beat, `R = min(act_reads_per_cycle, block)`.
    pub act_lanes: u32,
    /// Lookup pipeline registers.
    pub pipeline_cycles: u32,
    /// Bits of one weight code (5).
    pub code_bits: u32,
    /// Job capacity: tokens (accumulator rows).
    pub max_tokens: u32,
    /// Job capacity: output groups of `L`.
    pub max_groups: u32,
    /// Weight-buffer words (`L` index vectors each): a job's blocks x groups.
    pub weight_words: u32,
    /// The RAM the weight buffer is inferred in (with a registered read).
    pub weight_ram: BufferRam,
}

/// A generated TLMM pipeline top (`rtl/src/fpga_dataflow/top.rs`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GeneratedTopParams {
    /// The engine.
    pub tlmm: GeneratedTlmm,
    /// FIFO depth, beats (`fifo_depth x max_groups`).
    pub fifo_beats: u32,
    /// Requantizers of the element-wise engine, `min([vector] lanes, L)`.
    pub requantizers: u32,
    /// Width of the requantizer's scale, bits (16).
    pub scale_bits: u32,
    /// Width of the requantizer's shift, bits (6).
    pub shift_bits: u32,
    /// Width of a requantized output, bits (8).
    pub out_bits: u32,
}

fn u(x: u32) -> u64 {
    u64::from(x)
}

/// LUTs of an AND (or OR) of `leaves` signals, as a tree of LUT6s.
fn and_tree(leaves: u64) -> u64 {
    let mut n = leaves;
    let mut luts = 0;
    while n > 1 {
        n = n.div_ceil(LUT6_INPUTS);
        luts += n;
    }
    luts
}

/// LUTs of a `bits`-bit comparison with a constant (six bits per LUT6, then an AND tree).
pub fn compare_const(bits: u64) -> u64 {
    if bits == 0 {
        return 0;
    }
    let leaves = bits.div_ceil(LUT6_INPUTS);
    leaves + and_tree(leaves)
}

/// LUTs of an equality of two `bits`-bit values ([`EQUALITY_BITS_PER_LUT`] pairs per LUT6,
/// then an AND tree).
pub fn compare_values(bits: u64) -> u64 {
    if bits == 0 {
        return 0;
    }
    let leaves = bits.div_ceil(EQUALITY_BITS_PER_LUT);
    leaves + and_tree(leaves)
}

/// A memory of `depth` words of `width` bits with one write and one asynchronous read address,
/// in simple dual-port LUTRAM cells ([`LUTRAM_CELL_LUTS`] each); deeper than 64 words, 64-deep
/// cells behind a read multiplexer.
pub fn lutram_sdp(depth: u64, width: u64) -> Resources {
    if depth == 0 || width == 0 {
        return Resources::ZERO;
    }
    let luts = if depth <= 32 {
        width.div_ceil(LUTRAM_SDP32_BITS) * LUTRAM_CELL_LUTS
    } else {
        let banks = depth.div_ceil(64);
        banks * width.div_ceil(LUTRAM_SDP64_BITS) * LUTRAM_CELL_LUTS
            + mux_luts_per_bit(banks) * width
    };
    Resources::luts(luts)
}

/// A memory read asynchronously at its write address, in single-port LUTRAM cells
/// ([`LUTRAM_SP32_BITS`] bits per eight LUTs up to 32 words, half as many up to 64, 64-deep
/// cells behind a read multiplexer beyond).
pub fn lutram_sp(depth: u64, width: u64) -> Resources {
    if depth == 0 || width == 0 {
        return Resources::ZERO;
    }
    let luts = if depth <= 32 {
        width.div_ceil(LUTRAM_SP32_BITS) * LUTRAM_CELL_LUTS
    } else {
        let banks = depth.div_ceil(64);
        banks * width.div_ceil(LUTRAM_SP32_BITS / 2) * LUTRAM_CELL_LUTS
            + mux_luts_per_bit(banks) * width
    };
    Resources::luts(luts)
}

/// `bits` registers delayed `stages` times: plain flip-flops for a chain shorter than
/// [`SRL_MIN_CHAIN`], one shift-register LUT per bit per [`SRL_DEPTH`] stages otherwise.
pub fn delay_line(bits: u64, stages: u64) -> Resources {
    if stages >= SRL_MIN_CHAIN {
        Resources::luts(bits * stages.div_ceil(SRL_DEPTH))
    } else {
        Resources::ffs(bits * stages)
    }
}

/// DSP48E2 blocks of an unsigned `a x b` product, and the fabric adders that sum their partial
/// products: one block when both operands fit [`DSP_UNSIGNED_MULT`], otherwise the wider
/// operand cut into [`DSP_PARTIAL_SLICE_BITS`]-bit slices below a last slice that fits, each
/// slice's product added in at its offset by an adder up to the product's top bit.
pub fn unsigned_product(a: u64, b: u64) -> Resources {
    let (wide, narrow) = (a.max(b), a.min(b));
    let (max_wide, max_narrow) = DSP_UNSIGNED_MULT;
    let slices = |bits: u64, max: u64| {
        if bits <= max {
            1
        } else {
            1 + (bits - max).div_ceil(DSP_PARTIAL_SLICE_BITS)
        }
    };
    let (sw, sn) = (slices(wide, max_wide), slices(narrow, max_narrow));
    let product = a + b;
    let adders: u64 = (1..sw)
        .map(|k| product.saturating_sub(k * DSP_PARTIAL_SLICE_BITS))
        .sum();
    Resources {
        dsp: sw * sn,
        ..Resources::ZERO
    } + adder(adders).scaled(sn)
}

/// Dimensions of the engine derived once, as the generator derives them (`Dims` in
/// `rtl/src/fpga_dataflow/tlmm.rs`).
struct Dims {
    tables: u64,
    lanes: u64,
    eb: u64,
    block: u64,
    reads: u64,
    adds: u64,
    windows: u64,
    entries: u64,
    tree: u64,
    acc_lane: u64,
    tb: u64,
    jb: u64,
    bb: u64,
    wab: u64,
    tokens_w: u64,
    outputs_w: u64,
    blocks_w: u64,
}

/// Bits that hold the value `max` (`TopSpec::count_bits`).
fn count_bits(max: u64) -> u64 {
    u64::from(64 - max.leading_zeros())
}

impl Dims {
    fn of(t: &GeneratedTlmm) -> Dims {
        let tables = u(t.tables).max(1);
        let block = GROUP * tables;
        let entries = PATTERNS * tables;
        let adds = u(t.build_adds_per_cycle).clamp(1, entries);
        let tree = index_bits(tables);
        let eb = u(t.entry_bits);
        Dims {
            tables,
            lanes: u(t.lanes).max(1),
            eb,
            block,
            reads: block.div_ceil(u(t.act_lanes).clamp(1, block)),
            adds,
            windows: entries.div_ceil(u(t.build_adds_per_cycle).max(1)),
            entries,
            tree,
            acc_lane: u(t.acc_bits).max(eb + tree),
            tb: index_bits(u(t.max_tokens)),
            jb: index_bits(u(t.max_groups)),
            bb: index_bits(u(t.weight_words)),
            wab: index_bits(u(t.weight_words)).max(index_bits(u(t.max_groups))),
            tokens_w: count_bits(u(t.max_tokens)),
            outputs_w: count_bits(u(t.max_groups) * u(t.lanes).max(1)),
            blocks_w: count_bits(u(t.weight_words)),
        }
    }
}

/// One operand of a build slot across the windows: per window, the activation it takes and
/// whether it is negated, or nothing (a zero weight).
type Operand = Vec<Option<(u64, bool)>>;

/// The table build (`tlmm.rs`, "table build"): slot `s` of window `w` computes entry
/// `w * adds + s` as the sum of its three operands, each a multiplexer over the windows of the
/// entry's signed activation (or 0), and the slot writes its table register.
///
/// Returns the LUTs and the table flip-flops whose inputs are copies of another's:
/// - identical operands and identical slots are one circuit (synthesis merges equal cells);
/// - an operand that differs across windows is a multiplexer of its distinct inputs, 8 bits
///   wide (a sign-extended activation's upper bits are copies of its bit 7) or `entry_bits`
///   if an input is negated; an operand after the first whose multiplexer has two inputs lives
///   inside the adder's propagate LUT (two 2:1 multiplexers sharing their select are five
///   inputs of one LUT6), the first operand drives the carry chain's `DI` and is a LUT of its
///   own;
/// - the first adder of two sign-extended activations is 8 LUTs (from bit 7 up its propagate
///   signals are one function), a second adder `entry_bits`; subtraction is the same adder;
/// - a slot with a single operand and no negated input makes the upper `entry_bits - 8` bits
///   of its entries copies of bit 7, one flip-flop each.
fn build(d: &Dims) -> (u64, u64) {
    let mut slots: Vec<Vec<Operand>> = Vec::new();
    let mut merged_ffs = 0;
    for s in 0..d.adds {
        let windows: Vec<u64> = (0..d.windows)
            .filter(|w| w * d.adds + s < d.entries)
            .collect();
        let ops: Vec<Operand> = (0..GROUP as usize)
            .map(|i| {
                windows
                    .iter()
                    .map(|w| {
                        let e = w * d.adds + s;
                        let weight = ternary_pattern(e % PATTERNS + 1)[i];
                        (weight != 0).then_some((GROUP * (e / PATTERNS) + i as u64, weight < 0))
                    })
                    .collect()
            })
            .filter(|op: &Operand| op.iter().any(Option::is_some))
            .collect();
        if let [op] = ops.as_slice() {
            if !op.iter().flatten().any(|&(_, neg)| neg) {
                merged_ffs += windows.len() as u64 * d.eb.saturating_sub(ACT_BITS);
            }
        }
        if !slots.contains(&ops) {
            slots.push(ops);
        }
    }
    let mut muxes: Vec<&Operand> = Vec::new();
    let mut adders = 0;
    for ops in &slots {
        for (j, op) in ops.iter().enumerate() {
            let mut inputs = op.clone();
            inputs.sort();
            inputs.dedup();
            if inputs.len() <= 1 || (j > 0 && inputs.len() <= 2) || muxes.contains(&op) {
                continue;
            }
            muxes.push(op);
        }
        if ops.len() >= 2 {
            adders += ACT_BITS.min(d.eb);
        }
        if ops.len() >= 3 {
            adders += d.eb;
        }
    }
    let mux_luts: u64 = muxes
        .iter()
        .map(|op| {
            let mut inputs = (*op).clone();
            inputs.sort();
            inputs.dedup();
            let negated = op.iter().flatten().any(|&(_, neg)| neg);
            let width = if negated { d.eb } else { ACT_BITS.min(d.eb) };
            width * mux_luts_per_bit(inputs.len() as u64)
        })
        .sum();
    (mux_luts + adders, merged_ffs)
}

/// The adder tree of one lane over `tables` values of `eb` bits: neighbouring pairs, one bit
/// wider per level, an unpaired last value passing; a pair of sign-extended `w`-bit values is a
/// `w + 1`-bit adder of `w` LUTs (its top propagate signal is bit `w - 1`'s).
fn tree_luts(tables: u64, eb: u64) -> u64 {
    let (mut n, mut w, mut luts) = (tables, eb, 0);
    while n > 1 {
        luts += n / 2 * w;
        n = n.div_ceil(2);
        w += 1;
    }
    luts
}

/// Values per lane after tree level `level` (0: the looked-up entries) and their width.
fn tree_stage(d: &Dims, level: u64) -> (u64, u64) {
    let mut n = d.tables;
    for _ in 0..level {
        n = n.div_ceil(2);
    }
    (n, d.eb + level)
}

/// The named parts of the TLMM engine (`rtl/src/fpga_dataflow/tlmm.rs`):
///
/// - weight buffer: `weight_words` words of `L x tables` codes, UltraRAM ([`uram_blocks`])
///   when the generator infers it there (`weight_ram`), else block RAM
///   ([`bram36_tiles`]) when the lookup pipeline registers its read (`pipeline_cycles >= 1`,
///   the read register inside the RAM), single-port LUTRAM otherwise;
/// - activation block register (`3 x tables` bytes) and its per-read write enables;
/// - tables: `tables x 13` registers of `entry_bits` and their per-window write enables;
/// - table build (the private `build`: shared operand multiplexers, adders);
/// - lookups: per lane and table a 16:1 multiplexer per entry bit and a conditional negate (the
///   carry chain's propagate LUT and the select, two LUTs per bit);
/// - adder trees (neighbouring pairs, `w` LUTs for a pair of `w`-bit values);
/// - lookup pipeline: the registers at the level boundaries (`pipeline_cycles - 1` after the
///   read), the delay registers of the final sum, the valid, first-block and address delay
///   lines ([`delay_line`]);
/// - accumulators: `max_tokens x max_groups` words of `L` lanes in LUTRAM ([`lutram_sdp`]),
///   the accumulate adder (its first operand, `first ? 0 : old`, is logic: two LUTs per bit)
///   and the read-address select;
/// - weight address: `waddr = wbase + j` (an adder) and the base register `wbase`, stepped by
///   `G` (`wbase + (G - 1) + 1`, an adder with the carry in, and its next-value select: two
///   LUTs per bit, as a counter);
/// - control: the state decode, handshakes, last-index comparisons, counters (increment and
///   next-value select, two LUTs per bit), the group count of `outputs` (`(n - 1) >> log2 L`,
///   one decrement, when `L` is a power of two; else one comparison per group boundary and
///   their sum) and the pipeline-empty flag.
pub fn tlmm_parts(t: &GeneratedTlmm) -> Vec<Part> {
    let d = Dims::of(t);
    let regs = u(t.pipeline_cycles);
    let code = u(t.code_bits);
    let depth = u(t.weight_words);
    let width = d.lanes * d.tables * code;
    let weight_buffer = if regs >= 1 && t.weight_ram == BufferRam::Uram {
        Resources {
            uram: uram_blocks(depth, width),
            ..Resources::ZERO
        }
    } else if regs >= 1 {
        Resources {
            bram36: bram36_tiles(depth, width),
            ..Resources::ZERO
        }
    } else {
        lutram_sp(depth, width)
    };
    let enables = |n: u64| if n > 1 { n } else { 0 };
    let activations = Resources::ffs(d.block * ACT_BITS) + Resources::luts(enables(d.reads));
    let (build_luts, merged) = build(&d);
    let tables =
        Resources::ffs(d.tables * PATTERNS * d.eb - merged) + Resources::luts(enables(d.windows));
    let lookups =
        Resources::luts(d.lanes * d.tables * d.eb * (mux_luts_per_bit(LOOKUP_INPUTS) + 2));
    let trees = Resources::luts(d.lanes * tree_luts(d.tables, d.eb));
    // Register r (2..=regs) holds level boundary min(r - 1, tree + 1): 1 the entries, 1 + l
    // tree level l; the registers past the last level delay the sum.
    let ab = d.tb + d.jb;
    let mut pipeline = Resources::ZERO;
    let mut final_regs = 0;
    for r in 2..=regs {
        let boundary = (r - 1).min(d.tree + 1);
        if boundary == d.tree + 1 {
            final_regs += 1;
        } else {
            let (n, w) = tree_stage(&d, boundary - 1);
            pipeline += Resources::ffs(d.lanes * n * w);
        }
    }
    let (n, w) = tree_stage(&d, d.tree);
    pipeline += delay_line(d.lanes * n * w, final_regs);
    // The valid bits are reset (no shift register); first-block flag and address delays.
    pipeline += Resources::ffs(regs) + delay_line(1 + ab, regs);
    let aw = d.acc_lane;
    let accumulators = lutram_sdp(u(t.max_tokens) * u(t.max_groups), d.lanes * aw)
        + adder(2 * aw).scaled(d.lanes)
        + Resources::luts(ab);
    let rdb = index_bits(d.reads);
    let wb = index_bits(d.windows);
    let counter_bits = d.bb + d.tb + d.jb + rdb + wb;
    let group_count_luts = if d.lanes.is_power_of_two() {
        d.outputs_w
    } else {
        (u(t.max_groups) - 1) * compare_const(d.outputs_w)
            + u(t.max_groups).saturating_sub(2) * d.jb
    };
    let weight_address = adder(d.wab) + Resources::luts(2 * d.wab) + Resources::ffs(d.wab);
    let control_luts = STATES * compare_const(index_bits(STATES))
        + 4
        + compare_values(d.jb)
        + compare_values(d.tokens_w)
        + compare_values(d.blocks_w)
        + compare_const(rdb)
        + compare_const(wb)
        + group_count_luts
        + d.tokens_w
        + d.blocks_w
        + 2 * counter_bits
        + 2 * index_bits(STATES)
        + compare_const(regs);
    let control = Resources {
        luts: control_luts,
        ffs: index_bits(STATES) + d.tokens_w + d.jb + d.blocks_w + counter_bits,
        ..Resources::ZERO
    };
    vec![
        Part {
            name: "weight buffer",
            resources: weight_buffer,
        },
        Part {
            name: "weight address",
            resources: weight_address,
        },
        Part {
            name: "activation block register",
            resources: activations,
        },
        Part {
            name: "tables (registers)",
            resources: tables,
        },
        Part {
            name: "table build adders",
            resources: Resources::luts(build_luts),
        },
        Part {
            name: "lookups (16:1 mux, negate)",
            resources: lookups,
        },
        Part {
            name: "adder trees",
            resources: trees,
        },
        Part {
            name: "lookup pipeline registers",
            resources: pipeline,
        },
        Part {
            name: "accumulators (LUTRAM)",
            resources: accumulators,
        },
        Part {
            name: "control",
            resources: control,
        },
    ]
}

/// The FIFO (`rtl/src/fpga_dataflow/fifo.rs`): one register word at depth 1, otherwise the
/// words in LUTRAM ([`lutram_sdp`]: one write, one asynchronous read address) with read and
/// write pointers (an incrementer each, plus a wrap comparison when the depth is not a power
/// of two) and an up/down count (an adder and its select, two LUTs per bit); four LUTs of
/// flags and handshakes.
pub fn fifo(depth: u64, width: u64) -> Resources {
    let cb = index_bits(depth + 1);
    if depth <= 1 {
        return Resources {
            luts: 4,
            ffs: width + cb,
            ..Resources::ZERO
        };
    }
    let pb = index_bits(depth);
    let wrap = if depth.is_power_of_two() {
        0
    } else {
        2 * compare_const(pb)
    };
    lutram_sdp(depth, width)
        + Resources {
            luts: 4 + 2 * cb + 2 * pb + wrap,
            ffs: cb + 2 * pb,
            ..Resources::ZERO
        }
}

/// The element-wise engine (`rtl/src/fpga_dataflow/eltwise.rs`): `requantizers` units over
/// beats of `lanes` accumulators of `acc_bits`, `S = ceil(lanes / requantizers)` slices.
///
/// One requantizer on `a = acc_bits` bits, `w = a + scale_bits + 1`:
/// - the slice multiplexer of its input (`S` inputs, `a` bits);
/// - the signed product as an unsigned product ([`unsigned_product`]) and two sign
///   corrections, subtractors of `scale_bits` and `a` bits;
/// - the rounding add of `(1 << shift) >> 1`: the constant's decoder (`w` LUTs, one per bit,
///   shared by all requantizers) and a `w`-bit adder;
/// - the arithmetic shift `((x ^ s) >> shift) ^ s`: two `w`-bit XORs and a logarithmic shifter
///   of `shift_bits` levels of 2:1 multiplexers, two levels per LUT6;
/// - the saturation: both comparisons of the upper `w - out_bits + 1` bits (all zeros, all
///   ones) and the `out_bits`-bit select.
///
/// Registers: the result beat, its valid and last flags, the slice counter and the partial
/// register of the earlier slices.
pub fn eltwise(p: &GeneratedTopParams) -> Vec<Part> {
    let lanes = u(p.tlmm.lanes).max(1);
    let v = u(p.requantizers).clamp(1, lanes);
    let s = lanes.div_ceil(v);
    let a = u(p.tlmm.acc_bits);
    let (scale, shift, out) = (u(p.scale_bits), u(p.shift_bits), u(p.out_bits));
    let w = a + scale + 1;
    let slice_mux = if s > 1 { a * mux_luts_per_bit(s) } else { 0 };
    let shifter = w * shift.div_ceil(2);
    let saturation = 2 * compare_const(w - (out - 1)) + out;
    let unit = unsigned_product(a, scale)
        + Resources::luts(slice_mux + scale + a + w + 2 * w + shifter + saturation);
    let sb = index_bits(s);
    let registers = Resources {
        luts: 4 + 3 * sb + (s - 1),
        ffs: 2 + lanes * out + sb + (s - 1) * v * out,
        ..Resources::ZERO
    };
    vec![
        Part {
            name: "requantizers",
            resources: unit.scaled(v) + Resources::luts(w),
        },
        Part {
            name: "result registers",
            resources: registers,
        },
    ]
}

/// The named parts of the whole generated top: the TLMM's ([`tlmm_parts`]), the FIFO
/// ([`fifo`]: `fifo_beats` words of `L x acc_bits + 1` bits), the element-wise engine's
/// ([`eltwise`]) and the top's busy flag and latched requantizer parameters.
pub fn generated_top_parts(p: &GeneratedTopParams) -> Vec<Part> {
    let mut parts = tlmm_parts(&p.tlmm);
    let lanes = u(p.tlmm.lanes).max(1);
    parts.push(Part {
        name: "FIFO",
        resources: fifo(u(p.fifo_beats), lanes * u(p.tlmm.acc_bits) + 1),
    });
    parts.extend(eltwise(p));
    parts.push(Part {
        name: "top (busy, requantizer parameters)",
        resources: Resources {
            luts: 3,
            ffs: 1 + u(p.scale_bits) + u(p.shift_bits),
            ..Resources::ZERO
        },
    });
    parts
}

/// The generated top's resources.
pub fn generated_top(p: &GeneratedTopParams) -> Resources {
    total(&generated_top_parts(p))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn small() -> GeneratedTopParams {
        GeneratedTopParams {
            tlmm: GeneratedTlmm {
                tables: 4,
                lanes: 4,
                entry_bits: 10,
                acc_bits: 16,
                build_adds_per_cycle: 13,
                act_lanes: 1,
                pipeline_cycles: 12,
                code_bits: 5,
                max_tokens: 4,
                max_groups: 4,
                weight_words: 16,
                weight_ram: BufferRam::Bram,
            },
            fifo_beats: 8,
            requantizers: 2,
            scale_bits: 16,
            shift_bits: 6,
            out_bits: 8,
        }
    }

    #[test]
    fn the_patterns_are_the_canonical_ternary_groups() {
        assert_eq!(ternary_pattern(1), [0, 0, 1]);
        assert_eq!(ternary_pattern(2), [0, 1, -1]);
        assert_eq!(ternary_pattern(5), [1, -1, -1]);
        assert_eq!(ternary_pattern(13), [1, 1, 1]);
    }

    #[test]
    fn lutram_and_shift_registers_follow_the_slicem() {
        // 16 words of 64 bits: five RAM32M16 of 14 bits.
        assert_eq!(lutram_sdp(16, 64).luts, 5 * 8);
        assert_eq!(lutram_sdp(64, 7).luts, 8);
        assert_eq!(delay_line(4, 2), Resources::ffs(8));
        assert_eq!(delay_line(4, 9), Resources::luts(4));
        assert_eq!(delay_line(4, 33), Resources::luts(8));
    }

    #[test]
    fn a_wide_product_takes_a_second_dsp_and_an_adder() {
        assert_eq!(
            unsigned_product(16, 16),
            Resources {
                dsp: 1,
                ..Resources::ZERO
            }
        );
        // 32 x 16: a 17-bit slice and a 15-bit one, the second product added over 48 - 17 bits.
        let r = unsigned_product(32, 16);
        assert_eq!((r.dsp, r.luts), (2, 31));
    }

    #[test]
    fn a_windowed_build_shares_its_operand_multiplexers() {
        // 13 adders, 4 windows: slot s builds pattern s + 1 of tables 0..3; its operands are
        // 4:1 multiplexers of one activation position, shared across slots of the same sign.
        let d = Dims::of(&small().tlmm);
        let (luts, merged) = build(&d);
        // Patterns 1, 3, 9 are single activations: 2 upper bits of 4 tables each are copies.
        assert_eq!(merged, 3 * 4 * 2);
        assert!(luts > 0 && luts < 13 * 2 * 10, "{luts}");
    }

    #[test]
    fn the_small_top_counts_its_registers_exactly() {
        let parts = generated_top_parts(&small());
        let r = total(&parts);
        // Block RAM: 16 words of 4 x 4 x 5 = 80 bits, three 512 x 36 BRAM18s.
        assert_eq!(r.bram36, 1.5);
        assert_eq!(r.dsp, 2);
        let tables = parts.iter().find(|p| p.name.starts_with("tables")).unwrap();
        assert_eq!(tables.resources.ffs, 4 * 13 * 10 - 24);
    }
}
