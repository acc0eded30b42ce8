//! The FPGA dataflow family's pipeline top as a co-simulation [`Block`]: its streams (from the
//! top's specification, `lutforge_sim::fpga_dataflow::top`), its cases and its two models
//! (`top::stepped`, `top::fast`).
//!
//! A case is carried in the shared [`Case`] form: on the TLMM top, `activations` are the `m x
//! k` INT8 activations, `weights` the `k x n` ternary weights (`K x tile_n`, as the tiles have
//! them; `k_chunks = k` with `tile_k = 1`), `params` the requantizer's `scale` and `shift`; on
//! the stream top, `activations` are the `N x L` accumulators (`k_chunks = N`, no weights).
//!
//! Cases draw every shape up to the top's capacity (every fifth case the largest), INT8
//! activations uniform or at the extremes (`-128`, `127`, `-1`, `0`), ternary weights dense or
//! sparse, and a scale with a shift that puts the largest result near the INT8 range (so that
//! some results saturate and most do not); every sixth case draws its shift over the whole
//! range instead.

use lutforge_rtl::fpga_dataflow::top_spec;
use lutforge_rtl::{generate_fpga, Bundle, Options};
use lutforge_sim::fpga_dataflow::eltwise::SCALE_BITS;
use lutforge_sim::fpga_dataflow::top::stepped::{act_beats, wld_beats};
use lutforge_sim::fpga_dataflow::top::{
    fast, stepped, Source, TlmmTopJob, TopInput, TopJob, TopSpec, STREAM_LANE_BITS,
    WEIGHT_CODE_BITS,
};
use lutforge_sim::Arch;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::block::{pack_lanes, Beats, Block, Expected, Interface, Stream};
use crate::cases::{Case, CaseKind, Operands, TileShape};

/// The pipeline top of a named FPGA architecture.
#[derive(Debug, Clone)]
pub struct FpgaBlock {
    /// The architecture's name.
    pub name: String,
    /// Its top.
    pub spec: TopSpec,
}

/// The block of an `fpga_dataflow` architecture (`None` for another kind).
pub fn block(arch: &Arch) -> Option<Box<dyn Block>> {
    let spec = top_spec(arch, None).ok()?;
    Some(Box::new(FpgaBlock {
        name: arch.name.clone(),
        spec,
    }))
}

/// Most tokens of a drawn TLMM case.
const DRAW_TOKENS: u64 = 4;
/// Most output groups of a drawn TLMM case.
const DRAW_GROUPS: u64 = 4;
/// Most activation blocks of a drawn TLMM case.
const DRAW_BLOCKS: u64 = 4;
/// Largest reduction (activations) of a case that fills the weight buffer.
const FULL_BUFFER_ACTIVATIONS: u64 = 1 << 16;

/// A case's job as the top's models take it.
pub fn top_input(spec: &TopSpec, case: &Case) -> TopInput {
    let x = &case.input;
    let scale = x.params.first().copied().unwrap_or(1) as i32;
    let shift = x.params.get(1).copied().unwrap_or(0) as u32;
    let job = match spec.source {
        Source::Tlmm { .. } => {
            let k = x.k_chunks.max(1) as usize;
            let (m, n) = (x.activations.len() / k, x.weights.len() / k);
            let mut weights = vec![0i8; n * k];
            for kk in 0..k {
                for o in 0..n {
                    weights[o * k + kk] = x.weights[kk * n + o] as i8;
                }
            }
            TopJob::Tlmm(TlmmTopJob {
                m: m as u64,
                n: n as u64,
                k: k as u64,
                activations: x.activations.iter().map(|&a| a as i8).collect(),
                weights,
            })
        }
        Source::Stream { lanes } => TopJob::Stream(
            x.activations
                .chunks(lanes as usize)
                .map(<[i64]>::to_vec)
                .collect(),
        ),
    };
    TopInput { job, scale, shift }
}

/// `value` wrapped to `bits` two's complement bits.
fn wrap(value: i64, bits: u32) -> i64 {
    let shift = 64 - bits;
    (value << shift) >> shift
}

/// A shift that brings `largest * |scale|` near the INT8 range (give or take a bit), clamped.
fn calibrated_shift(largest: i64, scale: i64, max_shift: u32, rng: &mut ChaCha8Rng) -> i64 {
    let product = largest
        .unsigned_abs()
        .saturating_mul(scale.unsigned_abs())
        .max(1);
    let bits = i64::from(64 - product.leading_zeros());
    (bits - 7 + rng.gen_range(-1..=1)).clamp(0, i64::from(max_shift))
}

impl FpgaBlock {
    fn tlmm_case(&self, index: usize, rng: &mut ChaCha8Rng) -> Case {
        let Source::Tlmm { spec, capacity } = self.spec.source else {
            unreachable!("a TLMM case of a TLMM top")
        };
        // Shapes are drawn small (co-simulation time grows with them); every fifth case is
        // the largest of those, and every seventh fills the weight buffer when that is cheap.
        let lanes = u64::from(spec.lookup_lanes());
        let block = spec.block_activations();
        let words = u64::from(capacity.weight_words);
        let max_m = u64::from(capacity.max_tokens).min(DRAW_TOKENS);
        let max_g = u64::from(capacity.max_groups).min(DRAW_GROUPS);
        let max_b = (words / max_g).min(DRAW_BLOCKS);
        let (m, n, k) = if index % 7 == 6 && words * block <= FULL_BUFFER_ACTIVATIONS {
            let g = u64::from(capacity.max_groups).min(words);
            (1, g * lanes, words / g * block)
        } else if index % 5 == 4 {
            (max_m, max_g * lanes, max_b * block)
        } else {
            let n = rng.gen_range(1..=max_g * lanes);
            let b_max = (words / n.div_ceil(lanes)).min(DRAW_BLOCKS);
            (
                rng.gen_range(1..=max_m),
                n,
                rng.gen_range(1..=b_max * block),
            )
        };
        let (m, n, k) = (m as usize, n as usize, k as usize);
        let extremes = index % 4 == 1;
        let activations: Vec<i64> = (0..m * k)
            .map(|_| {
                if extremes {
                    [-128i64, 127, -1, 0][rng.gen_range(0..4)]
                } else {
                    rng.gen_range(-128i64..=127)
                }
            })
            .collect();
        let sparse = index % 3 == 2;
        let weights: Vec<i64> = (0..k * n)
            .map(|_| {
                if sparse && rng.gen_range(0..4) != 0 {
                    0
                } else {
                    rng.gen_range(-1i64..=1)
                }
            })
            .collect();
        // The largest accumulator, for the shift.
        let mut largest_acc = 0i64;
        for t in 0..m {
            for o in 0..n {
                let dot: i64 = (0..k)
                    .map(|kk| activations[t * k + kk] * weights[kk * n + o])
                    .sum();
                largest_acc = largest_acc.max(wrap(dot, spec.acc_bits).abs());
            }
        }
        let params = self.params(index, largest_acc, rng);
        Case {
            index,
            kind: CaseKind::Random,
            input: Operands {
                weight_bits: 2,
                k_chunks: k as u64,
                activations,
                weights,
                binary: false,
                act_fp: false,
                params,
            },
        }
    }

    fn stream_case(&self, index: usize, rng: &mut ChaCha8Rng) -> Case {
        let lanes = self.spec.beat_lanes() as usize;
        let beats = if index % 5 == 4 {
            64
        } else {
            rng.gen_range(1..=40)
        };
        let half = 1i64 << (STREAM_LANE_BITS - 1);
        let small = index % 2 == 0;
        let activations: Vec<i64> = (0..beats * lanes)
            .map(|_| {
                if small {
                    rng.gen_range(-100_000i64..=100_000)
                } else {
                    rng.gen_range(-half..half)
                }
            })
            .collect();
        let largest = activations.iter().map(|v| v.abs()).max().unwrap_or(0);
        let params = self.params(index, largest, rng);
        Case {
            index,
            kind: CaseKind::Random,
            input: Operands {
                weight_bits: 0,
                k_chunks: beats as u64,
                activations,
                weights: Vec::new(),
                binary: false,
                act_fp: false,
                params,
            },
        }
    }

    /// `[scale, shift]` of case `index` whose largest accumulator is `largest`.
    fn params(&self, index: usize, largest: i64, rng: &mut ChaCha8Rng) -> Vec<i64> {
        let half = 1i64 << (SCALE_BITS - 1);
        let scale = match index % 7 {
            0 => 1,
            3 => -1,
            5 => -half,
            _ => rng.gen_range(-half..half),
        };
        let max_shift = self.spec.eltwise.max_shift();
        let shift = if index % 6 == 5 {
            rng.gen_range(0..=i64::from(max_shift))
        } else {
            calibrated_shift(largest, scale, max_shift, rng)
        };
        vec![scale, shift]
    }
}

impl Block for FpgaBlock {
    fn generate(&self, options: Options) -> Bundle {
        generate_fpga(&self.name, &self.spec, options)
    }

    fn interface(&self) -> Interface {
        Interface {
            cmd: self
                .spec
                .cmd_fields()
                .into_iter()
                .map(|(name, width)| Stream::new(name, width))
                .collect(),
            inputs: self
                .spec
                .input_streams()
                .into_iter()
                .map(|(name, width)| Stream::new(name, width))
                .collect(),
            res_lanes: self.spec.beat_lanes(),
            res_lane_bits: lutforge_sim::fpga_dataflow::eltwise::OUT_BITS,
        }
    }

    fn tile_shape(&self) -> TileShape {
        let (tile_m, tile_n) = match self.spec.source {
            Source::Tlmm { spec, capacity } => (
                capacity.max_tokens,
                capacity.max_groups * spec.lookup_lanes(),
            ),
            Source::Stream { lanes } => (1, lanes),
        };
        TileShape {
            tile_m,
            tile_n,
            tile_k: 1,
            act_bits: 8,
            max_weight_bits: 2,
        }
    }

    fn cases(&self, count: usize, seed: u64) -> Vec<Case> {
        let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x0f96_a000);
        (0..count)
            .map(|index| match self.spec.source {
                Source::Tlmm { .. } => self.tlmm_case(index, &mut rng),
                Source::Stream { .. } => self.stream_case(index, &mut rng),
            })
            .collect()
    }

    fn beats(&self, case: &Case) -> Beats {
        let iface = self.interface();
        let input = top_input(&self.spec, case);
        let scale_bits = (input.scale as i64 & ((1 << SCALE_BITS) - 1)) as u64;
        let shift = u64::from(input.shift);
        let (cmd, inputs, res_beats) = match (&self.spec.source, &input.job) {
            (Source::Tlmm { spec, .. }, TopJob::Tlmm(job)) => {
                let blocks = job.k.div_ceil(spec.block_activations());
                let groups = job.n.div_ceil(u64::from(spec.lookup_lanes()));
                let wld = wld_beats(spec, job)
                    .unwrap_or_default()
                    .into_iter()
                    .map(|beat| {
                        pack_lanes(
                            iface.inputs[0].width_bits,
                            WEIGHT_CODE_BITS,
                            beat.into_iter().map(i64::from),
                        )
                    })
                    .collect();
                let act = act_beats(spec, job)
                    .into_iter()
                    .map(|beat| {
                        pack_lanes(
                            iface.inputs[1].width_bits,
                            8,
                            beat.into_iter().map(i64::from),
                        )
                    })
                    .collect();
                (
                    vec![job.m, job.n, blocks, scale_bits, shift],
                    vec![wld, act],
                    job.m * groups,
                )
            }
            (Source::Stream { .. }, TopJob::Stream(values)) => {
                let acc = values
                    .iter()
                    .map(|beat| {
                        pack_lanes(
                            iface.inputs[0].width_bits,
                            STREAM_LANE_BITS,
                            beat.iter().copied(),
                        )
                    })
                    .collect();
                (
                    vec![values.len() as u64, scale_bits, shift],
                    vec![acc],
                    values.len() as u64,
                )
            }
            _ => unreachable!("top_input builds the top's own kind of job"),
        };
        Beats {
            cmd,
            inputs,
            res_beats,
            cycles_hint: self.fast_cycles(case),
        }
    }

    fn stepped(&self, case: &Case) -> Result<Expected, String> {
        let run =
            stepped::run(&self.spec, &top_input(&self.spec, case)).map_err(|e| e.to_string())?;
        Ok(Expected {
            inputs: run.input_cycles,
            res_cycles: run.res_cycles,
            values: run.results,
            cycles: run.cycles,
        })
    }

    fn fast_cycles(&self, case: &Case) -> u64 {
        fast::cost(&self.spec, top_input(&self.spec, case).job.shape()).map_or(0, |c| c.cycles)
    }

    fn notes(&self) -> Vec<String> {
        self.spec.notes()
    }

    fn shape(&self, case: &Case) -> String {
        match top_input(&self.spec, case).job {
            TopJob::Tlmm(j) => format!("{}x{}x{}", j.m, j.n, j.k),
            TopJob::Stream(beats) => format!("{}x{} acc", beats.len(), self.spec.beat_lanes()),
        }
    }
}
