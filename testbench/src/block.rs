//! The seam between the generic co-simulation driver and one hardware block.
//!
//! A block (the LUT tile, the MAC tile, ...) describes its valid/ready streams once
//! ([`Interface`]: a `cmd` stream of named fields, input streams and a `res` stream, each with
//! its width) and implements [`Block`]: generate its RTL, generate seeded cases, pack a case into
//! stream beats, run its stepped model and its fast model. One [`Case`] is then run by all three
//! executors (Verilator through [`crate::harness`], the stepped model, the fast model) and held
//! to one expectation by [`crate::compare`]. The Verilator harness is generated from the
//! [`Interface`] alone, so it knows nothing about any block.

use lutforge_rtl::{Bundle, Options};
use lutforge_sim::tile::TileRun;
use lutforge_sim::Arch;

use crate::cases::{Case, TileShape};

/// One field of the `cmd` stream, or one data stream: a port-name stem and a width.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stream {
    /// Name: `act` for a stream with ports `act_valid`, `act_ready`, `act_data`; for a `cmd`
    /// field, `k_chunks` names the port `cmd_k_chunks`.
    pub name: String,
    /// Data width, bits (at most 64 for a `cmd` field).
    pub width_bits: u32,
}

impl Stream {
    /// A stream or field.
    pub fn new(name: &str, width_bits: u32) -> Stream {
        Stream {
            name: name.to_string(),
            width_bits,
        }
    }
}

/// The streams of a block's top module (clock `clk`, synchronous active-high `rst`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Interface {
    /// Fields of the `cmd` stream (`cmd_valid`, `cmd_ready`, one `cmd_<field>` port each).
    pub cmd: Vec<Stream>,
    /// Input data streams, in the order the harness draws their stalls.
    pub inputs: Vec<Stream>,
    /// Result lanes per `res` beat.
    pub res_lanes: u32,
    /// Bits per result lane (two's complement); `res_data` is `res_lanes * res_lane_bits` wide.
    pub res_lane_bits: u32,
}

impl Interface {
    /// Width of `res_data`, bits.
    pub fn res_bits(&self) -> u32 {
        self.res_lanes * self.res_lane_bits
    }
}

/// A case in stream form: the `cmd` field values and every input beat as hex.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Beats {
    /// One value per [`Interface::cmd`] field.
    pub cmd: Vec<u64>,
    /// Per input stream, its beats (hex, most significant digit first).
    pub inputs: Vec<Vec<String>>,
    /// Result beats the case produces.
    pub res_beats: u64,
    /// The case's stall-free cycle count when the block states it cheaply (0: not given): the
    /// harness then allows at least twice as many cycles before it gives up (its default bound
    /// counts beats, too few for a block that computes long between transfers).
    pub cycles_hint: u64,
}

/// What the stepped model says a case does (cycle 0 = the `cmd` transfer).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expected {
    /// Per input stream, the cycle of each transfer.
    pub inputs: Vec<Vec<u64>>,
    /// Cycle of each `res` transfer.
    pub res_cycles: Vec<u64>,
    /// Result values, beat-major then lane (two's complement, wrapped to the lane width).
    pub values: Vec<i64>,
    /// Cycles from the `cmd` transfer through the last `res` transfer, inclusive.
    pub cycles: u64,
}

impl<E> From<TileRun<E>> for Expected {
    /// A tile's stepped run: its `act` and `wgt` transfers, results and cycles.
    fn from(run: TileRun<E>) -> Expected {
        Expected {
            inputs: vec![run.act_cycles, run.wgt_cycles],
            res_cycles: run.res_cycles,
            values: run.results,
            cycles: run.cycles,
        }
    }
}

/// One block under co-simulation (an architecture of one family).
pub trait Block {
    /// The RTL bundle.
    fn generate(&self, options: Options) -> Bundle;
    /// The top module's streams.
    fn interface(&self) -> Interface;
    /// The operand shape cases are drawn for.
    fn tile_shape(&self) -> TileShape;
    /// `count` seeded cases (the same `(count, seed)` gives the same cases).
    fn cases(&self, count: usize, seed: u64) -> Vec<Case>;
    /// A case in stream form.
    fn beats(&self, case: &Case) -> Beats;
    /// Runs the stepped model; an error names why the case is not a legal tile.
    fn stepped(&self, case: &Case) -> Result<Expected, String>;
    /// The fast model's cycle count of the case.
    fn fast_cycles(&self, case: &Case) -> u64;
    /// What the block's RTL leaves out of the architecture, one sentence each (printed by
    /// `lutforge cosim`).
    fn notes(&self) -> Vec<String> {
        Vec::new()
    }
    /// `MxNxK` of the case, for tables.
    fn shape(&self, case: &Case) -> String {
        let t = self.tile_shape();
        format!(
            "{}x{}x{}",
            t.tile_m,
            t.tile_n,
            case.input.k_chunks * u64::from(t.tile_k)
        )
    }
}

/// The tile of a named architecture of one tile family, `A` the family's array: the block a
/// tile family implements [`Block`] for.
#[derive(Debug, Clone)]
pub struct TileBlock<A> {
    /// The architecture's name.
    pub name: String,
    /// The array.
    pub array: A,
}

/// The block of an architecture whose machine is an `A` (`None` for another kind).
pub fn tile_block<A>(arch: &Arch) -> Option<Box<dyn Block>>
where
    A: Copy + 'static,
    TileBlock<A>: Block,
{
    let array = *arch.machine_as::<A>()?;
    Some(Box::new(TileBlock {
        name: arch.name.clone(),
        array,
    }))
}

/// Bits packed into 64-bit words, LSB first: how beats are built and read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BeatBits {
    words: Vec<u64>,
    len: u32,
}

impl BeatBits {
    /// `len` zero bits.
    pub fn new(len: u32) -> BeatBits {
        BeatBits {
            words: vec![0; (len as usize).div_ceil(64).max(1)],
            len,
        }
    }
    /// Writes the low `width` bits of `value` (two's complement) at bit `lo`.
    pub fn put(&mut self, lo: u32, width: u32, value: i64) {
        for b in 0..width.min(64) {
            if value >> b & 1 == 1 {
                let i = lo + b;
                self.words[(i / 64) as usize] |= 1 << (i % 64);
            }
        }
    }
    /// Reads `width` (1..=64) bits at `lo` as a two's complement value.
    pub fn get_signed(&self, lo: u32, width: u32) -> i64 {
        let mut v: u64 = 0;
        for b in 0..width {
            let i = lo + b;
            if self.words[(i / 64) as usize] >> (i % 64) & 1 == 1 {
                v |= 1 << b;
            }
        }
        let shift = 64 - width;
        ((v << shift) as i64) >> shift
    }
    /// Hex, most significant digit first, `ceil(len / 4)` digits.
    pub fn hex(&self) -> String {
        let digits = self.len.div_ceil(4);
        (0..digits)
            .rev()
            .map(|d| {
                let i = d * 4;
                let nib = (self.words[(i / 64) as usize] >> (i % 64)) & 0xf;
                char::from_digit(nib as u32, 16).unwrap_or('0')
            })
            .collect()
    }
    /// Parses hex (most significant digit first) into `len` bits; digits beyond are dropped.
    pub fn from_hex(hex: &str, len: u32) -> BeatBits {
        let mut bits = BeatBits::new(len);
        for (d, c) in hex.chars().rev().enumerate() {
            let nib = c.to_digit(16).unwrap_or(0) as i64;
            let lo = d as u32 * 4;
            if lo < len {
                bits.put(lo, 4.min(len - lo), nib);
            }
        }
        bits
    }
}

/// A beat of `width` bits holding `values`, each `lane_bits` wide, lane `i` at `[i*lane_bits +:
/// lane_bits]`.
pub fn pack_lanes(width: u32, lane_bits: u32, values: impl IntoIterator<Item = i64>) -> String {
    let mut b = BeatBits::new(width);
    for (i, v) in values.into_iter().enumerate() {
        b.put(i as u32 * lane_bits, lane_bits, v);
    }
    b.hex()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn beats_round_trip_signed_lanes() {
        let hex = pack_lanes(12, 4, [-1, 3, -8]);
        assert_eq!(hex, "83f");
        let b = BeatBits::from_hex(&hex, 12);
        assert_eq!(
            [b.get_signed(0, 4), b.get_signed(4, 4), b.get_signed(8, 4)],
            [-1, 3, -8]
        );
        let wide = pack_lanes(128, 64, [i64::MIN, -2]);
        let b = BeatBits::from_hex(&wide, 128);
        assert_eq!(b.get_signed(0, 64), i64::MIN);
        assert_eq!(b.get_signed(64, 64), -2);
    }
}
