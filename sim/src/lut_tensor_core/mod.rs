//! The LUT tensor-core tile: micro-architecture, fast (closed-form) cost model and
//! cycle-stepped model.
//!
//! This module doc is the specification the generated RTL (`lutforge-rtl`) implements cycle for
//! cycle; [`stepped`] follows it register by register and [`fast`] states its cycle count in
//! closed form. Tests hold the three equal (property tests here, Verilator co-simulation in
//! `lutforge-testbench`). **The fast model never calls the stepped model.**
//!
//! # Notation
//!
//! `M = tile_m`, `N = tile_n`, `g = group`, `G = tile_k / g` (activation groups per K chunk),
//! `E` table entries (`2^(g-1)` symmetric, `2^g` otherwise), `EB = table_entry_bits`,
//! `AB = act_bits`, `A = acc_bits`, `b` the tile's weight width (`1..=max_weight_bits`),
//! `C = k_chunks` (the tile reduces `K = C * tile_k` activations per output),
//! `BANKS` = 2 with fused precompute (double-buffered tables), 1 standalone,
//! `FMT = act_format` (`int`, `fp16`, `fp8_e4m3` or `int+fp16`).
//!
//! # Weight encoding: bit planes
//!
//! A `b`-bit weight is a signed two's complement integer `w = -2^(b-1) w_(b-1) + sum_(p<b-1) 2^p w_p`
//! and is streamed as `b` one-bit planes, plane 0 (LSB) first. Plane `b-1` carries the negative
//! weight `-2^(b-1)`. Formats map to planes as follows: INT-k -> `b = k`; ternary {-1, 0, +1} ->
//! `b = 2` (`11`, `00`, `01`); `b = 1` is the one-bit two's complement {-1, 0}. One array
//! serves every `b` up to `max_weight_bits`; cycles grow linearly with `b`.
//!
//! **Signed-binary plane** (`cmd` bit `binary = 1`, symmetric arrays only, `b = 1`): binary
//! weights {-1, +1} travel as one plane, bit 1 for `+1` and bit 0 for `-1`. The symmetric table
//! reads the bits as signs `s_i = 2 w_i - 1`, so one pass accumulates `sum s_i a_i` directly:
//! the plane's coefficient is `+1` (not negated), and the drain applies no row-sum correction
//! and no halving. On plain arrays binary weights take two two's-complement planes (`11`, `01`).
//!
//! # Tables
//!
//! For each row `m` and each group of `g` consecutive activations `a_0..a_(g-1)`:
//!
//! * **plain** (`symmetric = false`): `E = 2^g` entries, `T[u] = sum_i u_i * a_i` for every
//!   `u` in {0,1}^g. A lookup with the plane's `g` bits `w` as index returns `T[w]`.
//! * **symmetric**: the plane bits are read as signs `s_i = 2 w_i - 1` in {-1,+1}. Only the
//!   half with `s_(g-1) = +1` is stored: `T[u] = a_(g-1) + sum_(i<g-1) (u_i ? a_i : -a_i)`,
//!   `E = 2^(g-1)` entries. A lookup with index MSB `w_(g-1) = 1` returns `T[w_low]`; with
//!   MSB 0 it returns `-T[~w_low]` (the mirrored half, negated). Because
//!   `sum_p c_p = -1` for the plane weights `c_p` of two's complement, the accumulated value is
//!   `2 * dot - sum_k a_k`; the correction term is the row sum of activations, which is the
//!   table entry with all index bits set (`T[E-1]`), summed per group into a per-row register.
//!   The accumulator is `A + 1` bits wide; the result is `(acc - rowsum) >> 1` (exact).
//!
//! Every result is the exact integer dot product reduced modulo `2^A` (two's complement wrap),
//! so it equals plain integer GEMM whenever that fits in `A` bits (always for `C = 1`, as the
//! architecture validates `acc_bits >= min_acc_bits`).
//!
//! Entry `e` is summed in the order `lutforge_models::numerics::table::entry_terms` fixes
//! (symmetric: `a_(g-1)`, then `±a_i` for `i = 0..g-2`; plain: the set bits' `a_i`, ascending);
//! that module is the one definition the stepped model and the RTL generator share.
//!
//! # Floating-point activations (`FMT = fp16` or `fp8_e4m3`)
//!
//! After the LUT Tensor Core artifact (`fp_lut_array_b_cycle_stage1.sv`: FP16 table entries,
//! the plane applied by adding its index to the exponent, the sign from the index bit,
//! DesignWare `DW_fp_add` at `ieee_compliance = 0`, `rnd = 000`). `AB` is 16 (`fp16`) or 8
//! (`fp8_e4m3`), `A = 32` and `EB = 16`. Every operation is
//! `lutforge_models::numerics::fp` (the one software definition):
//!
//! * **Inputs.** `act` fields are IEEE binary16 or OCP E4M3 bit patterns; infinities and NaNs
//!   are illegal. The precompute unit first makes each activation an FP16 value: an FP16
//!   subnormal is flushed to zero of its sign; an E4M3 value is converted exactly (its
//!   subnormals are FP16 normals).
//! * **Table entries** are FP16, the left fold of the entry's terms (order above), each add an
//!   FP16 add: exact sum rounded once to nearest, ties to even; a result below the smallest
//!   normal is zero with the sum's sign; above 65504 it saturates to ±65504; an exact
//!   cancellation is `+0`, `(-0) + (-0) = -0`, `x + (±0) = x`. A negated term flips the sign bit.
//! * **Lookup.** Unit `(m, n)` takes the entry, flips its sign when mirrored XOR the plane is
//!   negative (the top plane of two's complement, never in binary mode), converts it to FP32
//!   (exact) and adds the plane index `p` to the FP32 exponent (exact: zero stays zero, no
//!   overflow since `65504 * 2^15 < 2^32`), then `acc = acc + term`, an FP32 add with the same
//!   rounding (ties to even, flush to zero, saturation at the largest finite FP32). The
//!   accumulators start at `+0`, so the order is chunk, group, plane (LSB first).
//! * **Row sum** (symmetric): `rowsum = rowsum + fp32(T[E-1])` per `act` transfer, FP32.
//! * **Drain.** Symmetric, two's complement planes: `r = acc + (-rowsum)` (FP32 add), then
//!   halved by subtracting one from the exponent (a result that would be subnormal is zero of its
//!   sign). Plain tables or binary mode: `r = acc`. The `res` field is `r`'s FP32 pattern.
//!
//! FP32 accumulation is lutforge's choice (the artifact accumulates in FP16); `acc_bits` must be
//! 32 in the floating-point modes. Cycles and stream timing are those of the integer tile.
//!
//! # Both datapaths (`FMT = int+fp16`)
//!
//! The array holds the integer and the FP16 datapath; the `cmd` field `act_fp` chooses one per
//! tile (latched like `weight_bits`). `act` fields are 16 bits wide: an integer tile's
//! activations are `AB`-bit integers sign-extended to 16 bits (the upper bits are ignored), an
//! FP16 tile's are FP16 patterns. Table entries are 16 bits (`EB = 16`; integer entries of
//! `AB + ceil(log2 g)` bits sign-extended). The accumulators and row sums are `A + 1` bits
//! (symmetric) and an FP16 tile uses their low 32 bits. Each tile computes exactly what an
//! array of its mode alone computes.
//!
//! # Streams (valid/ready, data moves on a clock edge where both are high)
//!
//! * `cmd`: `k_chunks` (16 bits, 1..=65535), `weight_bits` (1..=max_weight_bits), on
//!   symmetric arrays `binary` (1 bit: the signed-binary plane mode, with `weight_bits = 1`),
//!   and on `int+fp16` arrays `act_fp` (1 bit: FP16 activations); one per tile.
//! * `act`: `C * G` beats, chunk-major then group; beat bits `[(m*g + i)*AB +: AB]` (16-bit
//!   fields on `int+fp16` arrays) hold
//!   activation `k = c*tile_k + j*g + i` of row `m` (two's complement; a floating-point bit
//!   pattern when `FMT` is not `int`).
//! * `wgt`: `C * G * b` beats, chunk, then group, then plane (LSB first); beat bit `[n*g + i]`
//!   is bit `p` of weight `(k, n)` with `k = c*tile_k + j*g + i`.
//! * `res`: `M` beats, row 0 first; beat bits `[n*A +: A]` hold result `(m, n)`.
//!
//! # Blocks and registers (every register updates on the rising clock edge)
//!
//! * **Tile controller.** `busy` (reset 0). `cmd_ready = !busy`; a `cmd` transfer sets `busy`,
//!   latches `k_chunks`/`weight_bits`/`binary`, clears all counters, accumulators and row sums.
//! * **Precompute unit.** Counters `pc_chunk` (chunks whose tables are complete) and
//!   `pc_group`. `act_ready = busy && pc_chunk < C && pc_chunk - lu_chunk < BANKS`. On each `act`
//!   transfer it builds the `M` tables of one group combinationally (`E * (g-1)` adds per table,
//!   plus one row-sum add when symmetric) and writes them as one word to table RAM address
//!   `{pc_chunk[0] (fused only), pc_group}`; after group `G-1`, `pc_chunk += 1`.
//! * **Table buffer.** A simple dual-port RAM (one write, one registered read port) of
//!   `BANKS * 2^ceil(log2 G)` words of `M * E * EB` bits, inferred as block RAM.
//! * **Lookup controller.** Counters `lu_chunk` (chunks fully looked up), `lu_group`, `lu_plane`.
//!   `wgt_ready = busy && lu_chunk < C && pc_chunk > lu_chunk`. On each `wgt` transfer it reads
//!   the table word of `{lu_chunk[0], lu_group}` and registers the weight beat, plane and
//!   "is negative plane" (the MSB plane, unless `binary`) into the lookup stage (`sl_valid <= 1`);
//!   planes advance fastest, then groups,
//!   then `lu_chunk += 1`. Without a transfer `sl_valid <= 0`.
//! * **Lookup-accumulate array**, `M x N` units. When `sl_valid`, unit `(m, n)` looks up its
//!   row's table with column `n`'s `g` plane bits, sign-extends, shifts left by the plane index,
//!   and adds (or subtracts: negative plane XOR mirrored half) into its accumulator.
//! * **Drain.** `res_valid = busy && lu_chunk == C && !sl_valid`; the row counter selects the
//!   beat, which holds `(acc - rowsum) >> 1` (symmetric) or `acc` (plain, or `binary`);
//!   after the transfer of row `M-1`, `busy <= 0`.
//!
//! # Cycle count
//!
//! Cycle 0 is the cycle of the `cmd` transfer; a tile's cycle count is the number of cycles from
//! cycle 0 through the cycle of the last `res` transfer, inclusive, with every source always
//! valid and the sink always ready. The next `cmd` can transfer on the following cycle, so `n`
//! back-to-back tiles take exactly `n * cycles`. In closed form ([`fast::tile_cost`]):
//!
//! * fused: `cycles = G + C*G*b + M + 2` (only chunk 0's tables are on the critical path; chunk
//!   `c+1`'s `G` precompute cycles hide under chunk `c`'s `G*b` lookup cycles);
//! * standalone: `cycles = C*G*(b + 1) + M + 2`.
//!
//! The `+2` is the lookup-stage register and the cycle `lu_chunk` reaches `C`; `M` is the drain.
//! Stalls on any stream add cycles one for one; the RTL tolerates them, the models assume none.

pub mod area;
pub mod config;
pub mod family;
pub mod fast;
pub mod stepped;

use thiserror::Error;

use crate::tile::OperandError;

pub use config::{ceil_log2, ActMode, LutArray, Precompute, RawLut, FP_ACC_BITS, FP_ENTRY_BITS};
pub use fast::{tile_cost, tile_cost_mode, tiles_cycles, TileCost};
pub use stepped::{run_tile, SteppedRun, TileInput};

pub use crate::reduction::K_CHUNKS_BITS;

/// An input the tile cannot process.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum TileError {
    /// Weight width, `k_chunks`, an operand's shape or range.
    #[error(transparent)]
    Operand(#[from] OperandError),
    /// Signed-binary plane mode on an array without symmetric tables, or with more than one
    /// plane.
    #[error(
        "the signed-binary plane mode needs symmetric tables and weight_bits 1, not {weight_bits}"
    )]
    Binary {
        /// Requested width.
        weight_bits: u32,
    },
    /// A floating-point activation pattern that is not a finite value of the array's format.
    #[error("activation pattern {value} at index {index} is not a finite {format} value")]
    NotFinite {
        /// Position in the activations.
        index: usize,
        /// The pattern.
        value: i64,
        /// The array's `act_format`.
        format: &'static str,
    },
}
