//! Point ids to axis-value indices, for each strategy. Every mapping is a pure function of the
//! space (and its seed) and the id, so any subset of points can be evaluated anywhere.

use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::space::{Space, Strategy};

/// Maps point ids to one value index per axis.
#[derive(Debug, Clone)]
pub struct Sampler {
    lens: Vec<usize>,
    strategy: Strategy,
    /// Latin hypercube only: per axis, the value index of every point.
    lhs: Vec<Vec<u32>>,
}

impl Sampler {
    /// Prepares the sampler of `space` (a Latin hypercube draws all its strata here).
    pub fn new(space: &Space) -> Sampler {
        let lens: Vec<usize> = space.axes.iter().map(|a| a.values.len()).collect();
        let lhs = match space.strategy {
            Strategy::LatinHypercube { points, seed } => {
                let mut rng = ChaCha8Rng::seed_from_u64(seed);
                lens.iter()
                    .map(|&len| {
                        let mut strata: Vec<u64> = (0..points).collect();
                        strata.shuffle(&mut rng);
                        strata
                            .iter()
                            .map(|&s| {
                                let u: f64 = rng.gen();
                                let x = (s as f64 + u) / points as f64;
                                ((x * len as f64) as usize).min(len - 1) as u32
                            })
                            .collect()
                    })
                    .collect()
            }
            _ => Vec::new(),
        };
        Sampler {
            lens,
            strategy: space.strategy,
            lhs,
        }
    }

    /// The value index on each axis of point `id` (`id < total_points`).
    pub fn indices(&self, id: u64) -> Vec<usize> {
        match self.strategy {
            Strategy::Grid => {
                let mut rest = id;
                let mut out = vec![0; self.lens.len()];
                for (slot, &len) in out.iter_mut().zip(&self.lens).rev() {
                    *slot = (rest % len as u64) as usize;
                    rest /= len as u64;
                }
                out
            }
            Strategy::Random { seed, .. } => {
                let mut rng = ChaCha8Rng::seed_from_u64(seed);
                rng.set_stream(id);
                self.lens.iter().map(|&len| rng.gen_range(0..len)).collect()
            }
            Strategy::LatinHypercube { .. } => self
                .lhs
                .iter()
                .map(|axis| axis[id as usize] as usize)
                .collect(),
        }
    }
}
