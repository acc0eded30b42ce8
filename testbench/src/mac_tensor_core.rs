//! The MAC tensor-core tile as a co-simulation [`Block`]: its streams, its cases (the shared
//! generator over its shape, plus reductions as long as real models issue) and its two models
//! (`lutforge_sim::mac_tensor_core`).

use lutforge_rtl::{generate_mac, Bundle, Options};
use lutforge_sim::mac_tensor_core::stepped::{activation_beats, weight_beats};
use lutforge_sim::mac_tensor_core::{run_tile, tile_cost, MacArray, MacTileInput, K_CHUNKS_BITS};
use lutforge_sim::Arch;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use crate::block::{pack_lanes, tile_block, Beats, Block, Expected, Interface, Stream, TileBlock};
use crate::cases::{self, Case, TileShape};

/// Reduction lengths real models issue (llama-2-7b `ffn_down` 11008, `q_proj` 4096; llama-3-8b
/// `ffn_down` 14336; a 2048-wide model); every [`LONG_EVERY`]-th case reduces one of them.
pub const REAL_K: [u64; 4] = [11008, 4096, 14336, 2048];

/// Every this many cases, case `LONG_EVERY - 3` of each group is a long reduction.
pub const LONG_EVERY: usize = 8;

/// A MAC tile of a named architecture.
pub type MacBlock = TileBlock<MacArray>;

/// The block of a `mac_tensor_core` architecture (`None` for another kind).
pub fn block(arch: &Arch) -> Option<Box<dyn Block>> {
    tile_block::<MacArray>(arch)
}

/// A case's operands as the MAC models take them.
pub fn tile_input(case: &Case) -> MacTileInput {
    MacTileInput {
        weight_bits: case.input.weight_bits,
        k_chunks: case.input.k_chunks,
        activations: case.input.activations.clone(),
        weights: case.input.weights.clone(),
    }
}

impl Block for MacBlock {
    fn tile_shape(&self) -> TileShape {
        // Activations and weights are both at most `mult_bits` wide.
        TileShape {
            tile_m: self.array.tile_m,
            tile_n: self.array.tile_n,
            tile_k: self.array.tile_k,
            act_bits: self.array.mult_bits,
            max_weight_bits: self.array.mult_bits,
        }
    }

    fn generate(&self, options: Options) -> Bundle {
        generate_mac(&self.name, &self.array, options)
    }

    fn interface(&self) -> Interface {
        let a = &self.array;
        Interface {
            cmd: vec![
                Stream::new("k_chunks", K_CHUNKS_BITS),
                Stream::new("weight_bits", a.weight_bits_field_bits()),
            ],
            inputs: vec![
                Stream::new("act", a.tile_m * a.tile_k * a.mult_bits),
                Stream::new("wgt", a.tile_n * a.tile_k * a.mult_bits),
            ],
            res_lanes: a.tile_n,
            res_lane_bits: a.acc_bits,
        }
    }

    fn cases(&self, count: usize, seed: u64) -> Vec<Case> {
        let shape = self.tile_shape();
        let mut out = cases::generate(&shape, count, seed);
        for (nth, case) in out
            .iter_mut()
            .skip(LONG_EVERY - 3)
            .step_by(LONG_EVERY)
            .enumerate()
        {
            let k = REAL_K[nth % REAL_K.len()];
            let k_chunks = k
                .div_ceil(u64::from(shape.tile_k))
                .clamp(1, (1 << K_CHUNKS_BITS) - 1);
            let weight_bits = 1 + (nth as u32) % shape.max_weight_bits;
            let mut rng = ChaCha8Rng::seed_from_u64(seed ^ (case.index as u64).rotate_left(32));
            *case =
                cases::random_case_of_depth(&shape, case.index, weight_bits, k_chunks, &mut rng);
        }
        out
    }

    fn beats(&self, case: &Case) -> Beats {
        let iface = self.interface();
        let mb = self.array.mult_bits;
        let input = tile_input(case);
        let act = activation_beats(&self.array, &input)
            .into_iter()
            .map(|beat| pack_lanes(iface.inputs[0].width_bits, mb, beat))
            .collect();
        let wgt = weight_beats(&self.array, &input)
            .into_iter()
            .map(|beat| pack_lanes(iface.inputs[1].width_bits, mb, beat))
            .collect();
        Beats {
            cmd: vec![input.k_chunks, u64::from(input.weight_bits)],
            inputs: vec![act, wgt],
            res_beats: u64::from(self.array.tile_m),
            cycles_hint: 0,
        }
    }

    fn stepped(&self, case: &Case) -> Result<Expected, String> {
        let run = run_tile(&self.array, &tile_input(case)).map_err(|e| e.to_string())?;
        Ok(run.into())
    }

    fn fast_cycles(&self, case: &Case) -> u64 {
        tile_cost(&self.array, case.input.k_chunks).cycles
    }
}
