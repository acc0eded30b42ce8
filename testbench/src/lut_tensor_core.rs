//! The LUT tensor-core tile as a co-simulation [`Block`]: its streams, its cases (the shared
//! generator over its shape) and its two models (`lutforge_sim::lut_tensor_core`).

use lutforge_rtl::lut_tensor_core::Dims;
use lutforge_rtl::{generate_lut, Bundle, Options};
use lutforge_sim::lut_tensor_core::stepped::{activation_beats, weight_beats};
use lutforge_sim::lut_tensor_core::{run_tile, tile_cost, LutArray, TileInput, K_CHUNKS_BITS};
use lutforge_sim::Arch;

use crate::block::{pack_lanes, Beats, Block, Expected, Interface, Stream};
use crate::cases::{self, Case, TileShape};

/// A LUT tile of a named architecture.
#[derive(Debug, Clone)]
pub struct LutBlock {
    /// The architecture's name.
    pub name: String,
    /// The array.
    pub array: LutArray,
}

/// The block of a `lut_tensor_core` architecture (`None` for another kind).
pub fn block(arch: &Arch) -> Option<Box<dyn Block>> {
    let array = *arch.machine_as::<LutArray>()?;
    Some(Box::new(LutBlock {
        name: arch.name.clone(),
        array,
    }))
}

/// A case's operands as the LUT models take them.
pub fn tile_input(case: &Case) -> TileInput {
    TileInput {
        weight_bits: case.input.weight_bits,
        k_chunks: case.input.k_chunks,
        activations: case.input.activations.clone(),
        weights: case.input.weights.clone(),
    }
}

impl LutBlock {
    /// The shape the case generator draws operands for.
    pub fn tile_shape(&self) -> TileShape {
        TileShape {
            tile_m: self.array.tile_m,
            tile_n: self.array.tile_n,
            tile_k: self.array.tile_k,
            act_bits: self.array.act_bits,
            max_weight_bits: self.array.max_weight_bits,
        }
    }
}

impl Block for LutBlock {
    fn arch_name(&self) -> &str {
        &self.name
    }

    fn generate(&self, options: Options) -> Bundle {
        generate_lut(&self.name, &self.array, options)
    }

    fn interface(&self) -> Interface {
        let d = Dims::of(&self.array);
        Interface {
            cmd: vec![
                Stream::new("k_chunks", K_CHUNKS_BITS),
                Stream::new("weight_bits", d.plane_bits),
            ],
            inputs: vec![
                Stream::new("act", d.act_beat_bits()),
                Stream::new("wgt", d.wgt_beat_bits()),
            ],
            res_lanes: d.n,
            res_lane_bits: d.acc_bits,
        }
    }

    fn cases(&self, count: usize, seed: u64) -> Vec<Case> {
        cases::generate(&self.tile_shape(), count, seed)
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
            cmd: vec![input.k_chunks, u64::from(input.weight_bits)],
            inputs: vec![act, wgt],
            res_beats: u64::from(d.m),
        }
    }

    fn stepped(&self, case: &Case) -> Result<Expected, String> {
        let run = run_tile(&self.array, &tile_input(case)).map_err(|e| e.to_string())?;
        Ok(Expected {
            inputs: vec![run.act_cycles, run.wgt_cycles],
            res_cycles: run.res_cycles,
            values: run.results,
            cycles: run.cycles,
        })
    }

    fn fast_cycles(&self, case: &Case) -> u64 {
        tile_cost(&self.array, case.input.weight_bits, case.input.k_chunks).cycles
    }

    fn shape(&self, case: &Case) -> String {
        format!(
            "{}x{}x{}",
            self.array.tile_m,
            self.array.tile_n,
            case.input.k_chunks * u64::from(self.array.tile_k)
        )
    }
}
