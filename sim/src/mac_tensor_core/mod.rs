//! The MAC tensor-core tile (the dequantize-then-multiply baseline): micro-architecture, fast
//! (closed-form) cost model and cycle-stepped model.
//!
//! This module doc is the specification the generated RTL (`lutforge-rtl`,
//! `rtl/src/mac_tensor_core.rs`) implements cycle for cycle; [`stepped`] follows it register by
//! register and [`fast`] states its cycle and event counts in closed form. Tests hold the three
//! equal (`sim/tests/mac_tile_props.rs` here, Verilator co-simulation in `lutforge-testbench`).
//! **The fast model never calls the stepped model.**
//!
//! # Notation
//!
//! `M = tile_m`, `N = tile_n`, `T = tile_k` (products per dot-product unit per cycle),
//! `MB = mult_bits`, `A = acc_bits`, `P = pipeline_cycles`, `L = ceil(log2 T)` (adder-tree
//! depth), `C = k_chunks` (the tile reduces `K = C * T` activations per output), `b` the tile's
//! weight width (`1..=MB`).
//!
//! # Numbers
//!
//! Activations are `MB`-bit two's complement integers. Weights are `b`-bit two's complement codes
//! (INT-k -> `b = k`; ternary {-1, 0, +1} and binary {-1, +1} -> `b = 2`); the dequantize stage
//! sign-extends a code from bit `b - 1` to an `MB`-bit multiplier operand. Per-group or
//! per-channel scales are **not** part of the tile: they multiply the integer results afterwards
//! (in the vector unit), so the tile computes the exact integer dot product. Products are
//! `2 * MB` bits, exact; the adder tree's level `l` sums are `2 * MB + l` bits, exact; the
//! accumulator is `A` bits and wraps (two's complement), so every result is the exact integer
//! dot product reduced modulo `2^A`, which equals plain integer GEMM whenever that fits in `A`
//! bits.
//!
//! ## The fp16 mode (`mac.act_format = "fp16"`, simulation only)
//!
//! With `act_format = "fp16"` (`MB = 16`, `A = 32`) activations are FP16 values (FP8 E4M3
//! activations are widened to FP16 exactly, INT8 activations are converted to FP16 exactly by
//! the op that produces them). The dequantize stage converts each weight code of `b <= 8` bits
//! (INT2..INT8, ternary, binary; not fp16 or codebook weights, not an fp16 KV cache: those go to
//! the architecture's fallback unit) to FP16 exactly; each product is one FP16 x FP16 multiply,
//! exact in FP32 (11-bit significands make 22-bit products; FP16's smallest subnormal squared,
//! 2^-48, is a normal FP32); the adder tree (same pairing as above) and the accumulator are FP32
//! adds, which round and do not wrap, so only the `k_chunks` field bounds a pass. Cycles are
//! those of the integer datapath (same levels and registers, `P` as configured). Only the fast
//! model ([`fast`]) and the family's energy and area model this mode: [`stepped`] refuses it
//! (`MacError::FpMode`) and the RTL generator has no FP datapath (`lutforge rtl` and `lutforge
//! cosim` refuse it with an error).
//!
//! # Streams (valid/ready, data moves on a clock edge where both are high)
//!
//! * `cmd`: `k_chunks` (16 bits, 1..=65535) and `weight_bits` (`ceil(log2(MB + 1))` bits,
//!   1..=MB); one per tile.
//! * `act`: `C` beats, one per K chunk; beat bits `[(m*T + i)*MB +: MB]` hold activation
//!   `k = c*T + i` of row `m`.
//! * `wgt`: `C` beats, one per K chunk; beat bits `[(n*T + i)*MB +: MB]` hold the code of weight
//!   `(k = c*T + i, n)` in their low `b` bits. The bits above `b` are ignored (the testbench fills
//!   them with the complement of the code's sign, so a dequantizer that does not sign-extend from
//!   bit `b - 1` is wrong on every weight).
//! * `res`: `M` beats, row 0 first; beat bits `[n*A +: A]` hold result `(m, n)`.
//!
//! The array consumes one `act` and one `wgt` beat together (a *k-step*): `act_ready =
//! busy && issued < C && wgt_valid` and `wgt_ready = busy && issued < C && act_valid`, so both
//! transfer on the same edge or neither does (ready depends on the other stream's valid, never
//! valid on ready).
//!
//! # Datapath and pipeline registers (every register updates on the rising clock edge)
//!
//! A k-step passes these combinational levels, in order: **dequantize** (`N*T` codes to `MB`-bit
//! operands; activations pass through), **multiply** (`M*N*T` products), then the `L`
//! **adder-tree levels** (level `l` adds neighbouring pairs, `2j` and `2j+1`, of level `l-1`; an
//! unpaired last element passes through; after level `L` one sum per output remains), and finally
//! **accumulate** (`acc <= acc + sum`, modulo `2^A`).
//!
//! The `P - 1` pipeline registers sit at the level boundaries in this order: the input register
//! (the two beats, before dequantize), after dequantize, after multiply, after tree level 1, ...,
//! after tree level `L`; registers beyond those `L + 3` boundaries are extra delay stages after
//! the last tree level. Levels between two registers (or between the last register and the
//! accumulator) are evaluated in one cycle. Each pipeline register has a valid bit (reset 0),
//! set when a k-step enters it and cleared otherwise. A k-step that transfers in cycle `t`
//! therefore updates the accumulators at the edge ending cycle `t + P - 1`; with `P = 1` the
//! whole datapath is combinational from the stream data to the accumulators.
//!
//! # Control
//!
//! * **Tile controller.** `busy` (reset 0). `cmd_ready = !busy`; a `cmd` transfer sets `busy`,
//!   latches `k_chunks`/`weight_bits`, clears the k-step counter `issued`, the drain row and all
//!   `M x N` accumulators.
//! * **Issue.** On a k-step transfer `issued += 1`.
//! * **Drain.** `res_valid = busy && issued == C && no pipeline register valid`; the row counter
//!   selects the beat; after the transfer of row `M-1`, `busy <= 0`.
//!
//! # Cycle count
//!
//! Cycle 0 is the cycle of the `cmd` transfer; a tile's cycle count is the number of cycles from
//! cycle 0 through the cycle of the last `res` transfer, inclusive, with every source always
//! valid and the sink always ready. k-steps transfer in cycles `1..=C`, the last one reaches the
//! accumulators at the end of cycle `C + P - 1`, and rows drain in cycles `C + P .. C + P + M`:
//!
//! * `cycles = C + P + M` ([`fast::tile_cost`]).
//!
//! The next `cmd` can transfer on the following cycle, so `n` back-to-back tiles take exactly
//! `n * cycles`. Stalls on any stream add cycles one for one; the RTL tolerates them, the models
//! assume none.

pub mod area;
pub mod config;
pub mod family;
pub mod fast;
pub mod stepped;

use thiserror::Error;

use crate::reduction::ReductionLimits;
use crate::tile::OperandError;

pub use config::{MacActMode, MacArray, RawMac, FP_ACC_BITS, FP_MAX_CODE_BITS, FP_MULT_BITS};
pub use fast::{tile_cost, tiles_cycles, TileCost};
pub use stepped::{run_tile, run_tiles, MacRun, MacTileInput, MacTiles};

pub use crate::reduction::K_CHUNKS_BITS;

/// `ceil(log2(x))` for `x >= 1` (0 for 1).
pub fn ceil_log2(x: u32) -> u32 {
    if x <= 1 {
        0
    } else {
        32 - (x - 1).leading_zeros()
    }
}

impl MacArray {
    /// Adder-tree depth `L = ceil(log2 tile_k)`.
    pub fn tree_depth(&self) -> u32 {
        ceil_log2(self.tile_k)
    }

    /// Width of the `cmd` stream's `weight_bits` field, `ceil(log2(mult_bits + 1))` bits.
    pub fn weight_bits_field_bits(&self) -> u32 {
        ceil_log2(self.mult_bits + 1)
    }

    /// Level boundary (0 = input register, 1 = after dequantize, 2 = after multiply, `2 + l` =
    /// after tree level `l`) of pipeline register `r` (`1..=pipeline_cycles - 1`).
    pub fn register_boundary(&self, r: u32) -> u32 {
        (r - 1).min(self.tree_depth() + 2)
    }

    /// Adder bits of one output's adder tree: level `l` adds `floor(n / 2)` neighbouring pairs
    /// of the `n` values left after level `l - 1` (`n = tile_k` at level 1) at `2 * MB + l` bits
    /// (see the spec above), `tile_k - 1` adds in all.
    pub fn tree_adder_bits(&self) -> u64 {
        let mut values = u64::from(self.tile_k);
        let mut bits = 0;
        let mut level = 1;
        while values > 1 {
            bits += values / 2 * u64::from(2 * self.mult_bits + level);
            values = values.div_ceil(2);
            level += 1;
        }
        bits
    }

    /// What bounds one tile command's reduction ([`crate::reduction`]).
    pub fn reduction_limits(&self) -> ReductionLimits {
        ReductionLimits {
            tile_k: self.tile_k,
            act_bits: self.mult_bits,
            acc_bits: self.acc_bits,
            // An FP32 accumulator does not wrap: only the command field bounds a pass.
            wraps: !self.is_fp(),
        }
    }
}

/// An input the tile cannot process.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum MacError {
    /// The stepped model (and the RTL) have the integer datapath only.
    #[error("the stepped MAC model runs the integer datapath only; mac.act_format = \"fp16\" is simulation-only (fast model)")]
    FpMode,
    /// Weight width or `k_chunks` of the command.
    #[error(transparent)]
    Command(OperandError),
    /// An operand's shape or range.
    #[error("tile {tile}: {error}")]
    Operand {
        /// Position of the tile in the run.
        tile: usize,
        /// What is wrong with it.
        error: OperandError,
    },
}
