//! The LUT tensor-core tile as a co-simulation [`Block`]: its streams, its cases (the shared
//! generator over its shape) and its two models (`lutforge_sim::lut_tensor_core`).
//!
//! On top of the shared generator the LUT block draws what only it has:
//!
//! * floating-point arrays get random finite FP16 (or FP8 E4M3) activation patterns instead
//!   of integers: exponents over the whole finite range in some cases (saturation and
//!   flushing), moderate magnitudes in the others; zeros and subnormals in both; an
//!   `int+fp16` array runs its odd cases on the FP16 datapath and its even ones on integers;
//! * symmetric arrays run every fifth case in the signed-binary plane mode (±1 weights);
//! * every run ends with [`LONG_CASES`] long reductions: `k_chunks` 43 (llama `ffn_down`,
//!   K = 11008 at tile_k 256) and a larger count, the chunk counts the mapper issues.

use lutforge_models::numerics::ActEncoding;
use lutforge_rtl::lut_tensor_core::Dims;
use lutforge_rtl::{generate_lut, Bundle, Options};
use lutforge_sim::lut_tensor_core::stepped::{activation_beats, weight_beats};
use lutforge_sim::lut_tensor_core::{run_tile, tile_cost_mode, LutArray, TileInput, K_CHUNKS_BITS};
use lutforge_sim::Arch;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::block::{pack_lanes, tile_block, Beats, Block, Expected, Interface, Stream, TileBlock};
use crate::cases::{self, Case, TileShape};

/// K chunk counts of the long cases that end every run: llama-2-7b `ffn_down` (K = 11008 at
/// tile_k 256 is 43 chunks) and a longer reduction.
pub const LONG_CHUNKS: [u64; 2] = [43, 70];

/// How many long cases end a run of more than this many cases ([`LutBlock::cases`]).
pub const LONG_CASES: usize = LONG_CHUNKS.len();

/// A LUT tile of a named architecture.
pub type LutBlock = TileBlock<LutArray>;

/// The block of a `lut_tensor_core` architecture (`None` for another kind).
pub fn block(arch: &Arch) -> Option<Box<dyn Block>> {
    tile_block::<LutArray>(arch)
}

/// A case's operands as the LUT models take them.
pub fn tile_input(case: &Case) -> TileInput {
    TileInput {
        weight_bits: case.input.weight_bits,
        k_chunks: case.input.k_chunks,
        activations: case.input.activations.clone(),
        weights: case.input.weights.clone(),
        binary: case.input.binary,
        act_fp: case.input.act_fp,
    }
}

/// A random finite activation pattern of the array's floating-point format: `wide` draws every
/// finite exponent, otherwise magnitudes below 2^10; an eighth are zeros or subnormals.
fn fp_pattern(enc: ActEncoding, wide: bool, rng: &mut ChaCha8Rng) -> i64 {
    match enc {
        ActEncoding::Fp16 => {
            let sign = rng.gen_range(0..2u32) << 15;
            let exp = match rng.gen_range(0..8) {
                0 => 0,
                _ if wide => rng.gen_range(1..31u32),
                _ => rng.gen_range(1..25u32),
            };
            i64::from(sign | exp << 10 | rng.gen_range(0..1024u32))
        }
        ActEncoding::Fp8E4M3 => {
            let x = rng.gen_range(0..256u32);
            i64::from(if x & 0x7f == 0x7f { x - 1 } else { x })
        }
    }
}

impl Block for LutBlock {
    fn tile_shape(&self) -> TileShape {
        TileShape {
            tile_m: self.array.tile_m,
            tile_n: self.array.tile_n,
            tile_k: self.array.tile_k,
            act_bits: self.array.act_bits,
            max_weight_bits: self.array.max_weight_bits,
        }
    }

    fn generate(&self, options: Options) -> Bundle {
        generate_lut(&self.name, &self.array, options)
    }

    fn interface(&self) -> Interface {
        let d = Dims::of(&self.array);
        Interface {
            cmd: [
                Some(Stream::new("k_chunks", K_CHUNKS_BITS)),
                Some(Stream::new("weight_bits", d.plane_bits)),
                d.symmetric.then(|| Stream::new("binary", 1)),
                d.dual().then(|| Stream::new("act_fp", 1)),
            ]
            .into_iter()
            .flatten()
            .collect(),
            inputs: vec![
                Stream::new("act", d.act_beat_bits()),
                Stream::new("wgt", d.wgt_beat_bits()),
            ],
            res_lanes: d.n,
            res_lane_bits: d.acc_bits,
        }
    }

    /// The shared generator's cases, then the LUT-only variations of the module doc; when
    /// `count` exceeds [`LONG_CASES`] the last [`LONG_CASES`] cases are the long reductions.
    fn cases(&self, count: usize, seed: u64) -> Vec<Case> {
        let shape = self.tile_shape();
        let short = if count > LONG_CASES {
            count - LONG_CASES
        } else {
            count
        };
        let mut out = cases::generate(&shape, short, seed);
        let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x4c55_545f_4650_3136);
        for (i, &chunks) in LONG_CHUNKS.iter().enumerate().take(count - short) {
            let bits = 1 + (i as u32) % self.array.max_weight_bits;
            out.push(cases::random_case_of_depth(
                &shape,
                short + i,
                bits,
                chunks,
                &mut rng,
            ));
        }
        for case in &mut out {
            // An `int+fp16` array alternates integer and FP16 tiles.
            case.input.act_fp = self.array.act_format.has_int()
                && self.array.act_format.encoding().is_some()
                && case.index % 2 == 1;
            if let Some(enc) = self.array.tile_encoding(case.input.act_fp) {
                let wide = case.index % 4 == 1;
                for a in &mut case.input.activations {
                    *a = fp_pattern(enc, wide, &mut rng);
                }
            }
            if self.array.runs_binary_plane() && case.index % 5 == 4 {
                case.input.binary = true;
                case.input.weight_bits = 1;
                for w in &mut case.input.weights {
                    *w = if rng.gen_range(0..2) == 1 { 1 } else { -1 };
                }
            }
        }
        out
    }

    fn beats(&self, case: &Case) -> Beats {
        let d = Dims::of(&self.array);
        let input = tile_input(case);
        let act = activation_beats(&self.array, &input)
            .into_iter()
            .map(|beat| pack_lanes(d.act_beat_bits(), d.act_bits, beat))
            .collect();
        let wgt = weight_beats(&self.array, &input)
            .into_iter()
            .map(|beat| pack_lanes(d.wgt_beat_bits(), 1, beat.into_iter().map(i64::from)))
            .collect();
        Beats {
            cmd: [input.k_chunks, u64::from(input.weight_bits)]
                .into_iter()
                .chain(d.symmetric.then_some(u64::from(input.binary)))
                .chain(d.dual().then_some(u64::from(input.act_fp)))
                .collect(),
            inputs: vec![act, wgt],
            res_beats: u64::from(d.m),
            cycles_hint: 0,
        }
    }

    fn stepped(&self, case: &Case) -> Result<Expected, String> {
        let run = run_tile(&self.array, &tile_input(case)).map_err(|e| e.to_string())?;
        Ok(run.into())
    }

    fn fast_cycles(&self, case: &Case) -> u64 {
        tile_cost_mode(
            &self.array,
            case.input.weight_bits,
            case.input.binary,
            case.input.k_chunks,
        )
        .cycles
    }
}
