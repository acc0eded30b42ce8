//! The SRAM-PIM family's LUT-GEMV bank as a co-simulation [`Block`]: its streams (from the
//! bank's specification, `lutforge_sim::sram_pim::bank`), its cases and its two models
//! (`bank::stepped`, `bank::fast` fed the pattern counts of `bank::pattern::pattern_stats`).
//!
//! A case is carried in the shared [`Case`] form: `activations` are the `batch x k` INT8
//! activations, `weights` the `k x n` weights of `weight_bits` bits (`k_chunks = k` with
//! `tile_k = 1`), `params` are `[batch, n, convert, scale, shift]`.
//!
//! Cases draw every shape the bank holds (up to [`MAX_CASE_K`] activations; every fifth case
//! the largest batch and tile count), cycle the weight width through `1..=8`, and draw the
//! activations uniform, from `{-1, 0, 1}` (many zero and repeated patterns, so the
//! pattern-aware skip fires), or at the extremes (`-128`, `127`, `0`); every other case
//! converts its results to INT8 with a scale and a shift that put the largest result near the
//! INT8 range.
//!
//! The bank has no architecture file yet, so [`PimBlock`] is built from a [`BankSpec`] (tests
//! do) and driven by [`crate::cosimulate_block`].

use lutforge_rtl::{sram_pim, Bundle, Options};
use lutforge_sim::sram_pim::bank::pattern::pattern_stats;
use lutforge_sim::sram_pim::bank::stepped::{act_beats, wld_words};
use lutforge_sim::sram_pim::bank::{
    fast, stepped, wrap, BankJob, BankSpec, Conversion, ACT_BITS, MAX_WEIGHT_BITS, SCALE_BITS,
};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::block::{pack_lanes, Beats, Block, Expected, Interface, Stream};
use crate::cases::{Case, CaseKind, Operands, TileShape};

/// Longest reduction a generated case draws (keeps the runs short).
pub const MAX_CASE_K: u64 = 40;

/// The bank of a named design.
#[derive(Debug, Clone)]
pub struct PimBlock {
    /// The design's name (the module prefix).
    pub name: String,
    /// The bank (valid: [`BankSpec::validate`]).
    pub spec: BankSpec,
}

/// The bank of an `sram_pim` architecture (`None` for another kind).
pub fn block(arch: &lutforge_sim::Arch) -> Option<Box<dyn Block>> {
    let machine = arch.machine_as::<lutforge_sim::sram_pim::family::PimMachine>()?;
    Some(Box::new(PimBlock {
        name: arch.name.clone(),
        spec: machine.pim.bank,
    }))
}

/// A case's job, conversion and operands as the bank's models take them.
pub fn job_of(case: &Case) -> (BankJob, Option<Conversion>, Vec<i8>, Vec<i32>) {
    let x = &case.input;
    let param = |i: usize| x.params.get(i).copied().unwrap_or(0);
    let job = BankJob {
        batch: param(0) as u32,
        n: param(1) as u64,
        k: x.k_chunks,
        weight_bits: x.weight_bits,
    };
    let conversion = (param(2) != 0).then(|| Conversion {
        scale: param(3) as i32,
        shift: param(4) as u32,
    });
    let acts = x.activations.iter().map(|&a| a as i8).collect();
    let weights = x.weights.iter().map(|&w| w as i32).collect();
    (job, conversion, acts, weights)
}

impl PimBlock {
    fn case(&self, index: usize, rng: &mut ChaCha8Rng) -> Case {
        let spec = &self.spec;
        let lanes = u64::from(spec.lanes());
        let weight_bits = 1 + (index as u32) % MAX_WEIGHT_BITS;
        let largest = index % 5 == 4;
        let (batch, n) = if largest {
            (spec.max_batch, u64::from(spec.max_tiles) * lanes)
        } else {
            (
                rng.gen_range(1..=spec.max_batch),
                rng.gen_range(1..=u64::from(spec.max_tiles) * lanes),
            )
        };
        let tiles = n.div_ceil(lanes);
        let max_groups = spec.words() / (tiles * u64::from(weight_bits));
        let max_k = (max_groups * u64::from(spec.group)).min(MAX_CASE_K);
        let k = rng.gen_range(1..=max_k.max(1));
        let (b, kk, nn) = (batch as usize, k as usize, n as usize);
        let activations: Vec<i64> = (0..b * kk)
            .map(|_| match index % 3 {
                0 => rng.gen_range(-128i64..=127),
                1 => rng.gen_range(-1i64..=1),
                _ => [-128i64, 127, 0][rng.gen_range(0..3)],
            })
            .collect();
        let half = 1i64 << (weight_bits - 1);
        let weights: Vec<i64> = (0..kk * nn).map(|_| rng.gen_range(-half..half)).collect();
        let (convert, scale, shift) = if index % 2 == 1 {
            let mut largest_acc = 0i64;
            for t in 0..b {
                for o in 0..nn {
                    let dot: i64 = (0..kk)
                        .map(|i| activations[t * kk + i] * weights[i * nn + o])
                        .sum();
                    largest_acc = largest_acc.max(wrap(dot, spec.acc_bits).abs());
                }
            }
            let half_scale = 1i64 << (SCALE_BITS - 1);
            let scale = rng.gen_range(-half_scale..half_scale);
            let product = largest_acc
                .unsigned_abs()
                .saturating_mul(scale.unsigned_abs())
                .max(1);
            let bits = i64::from(64 - product.leading_zeros());
            let shift = (bits - 7 + rng.gen_range(-1..=1)).clamp(0, i64::from(spec.max_shift()));
            (1, scale, shift)
        } else {
            (0, 0, 0)
        };
        Case {
            index,
            kind: CaseKind::Random,
            input: Operands {
                weight_bits,
                k_chunks: k,
                activations,
                weights,
                binary: false,
                act_fp: false,
                params: vec![i64::from(batch), n as i64, convert, scale, shift],
            },
        }
    }
}

impl Block for PimBlock {
    fn generate(&self, options: Options) -> Bundle {
        sram_pim::generate(&self.name, &self.spec, options)
    }

    fn interface(&self) -> Interface {
        Interface {
            cmd: self
                .spec
                .cmd_fields()
                .into_iter()
                .map(|(name, width)| Stream::new(name, width))
                .collect(),
            inputs: vec![
                Stream::new("wld", self.spec.word_bits()),
                Stream::new("act", self.spec.group * ACT_BITS),
            ],
            res_lanes: self.spec.lanes(),
            res_lane_bits: self.spec.acc_bits,
        }
    }

    fn tile_shape(&self) -> TileShape {
        TileShape {
            tile_m: self.spec.max_batch,
            tile_n: self.spec.max_tiles * self.spec.lanes(),
            tile_k: 1,
            act_bits: ACT_BITS,
            max_weight_bits: MAX_WEIGHT_BITS,
        }
    }

    fn cases(&self, count: usize, seed: u64) -> Vec<Case> {
        let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x5a11_0000);
        (0..count).map(|i| self.case(i, &mut rng)).collect()
    }

    fn beats(&self, case: &Case) -> Beats {
        let iface = self.interface();
        let (job, conversion, acts, weights) = job_of(case);
        let wld = wld_words(&self.spec, job, &weights)
            .unwrap_or_default()
            .into_iter()
            .map(|word| {
                pack_lanes(
                    iface.inputs[0].width_bits,
                    1,
                    word.into_iter().map(i64::from),
                )
            })
            .collect();
        let act = if acts.len() == job.batch as usize * job.k as usize {
            act_beats(&self.spec, job, &acts)
                .into_iter()
                .map(|beat| {
                    pack_lanes(
                        iface.inputs[1].width_bits,
                        ACT_BITS,
                        beat.into_iter().map(i64::from),
                    )
                })
                .collect()
        } else {
            Vec::new()
        };
        let scale_mask = (1i64 << SCALE_BITS) - 1;
        let (convert, scale, shift) = conversion.map_or((0, 0, 0), |c| {
            (
                1,
                (i64::from(c.scale) & scale_mask) as u64,
                u64::from(c.shift),
            )
        });
        let tiles = job.tiles(&self.spec);
        Beats {
            cmd: vec![
                u64::from(job.batch),
                tiles,
                job.groups(&self.spec),
                u64::from(job.weight_bits),
                convert,
                scale,
                shift,
            ],
            inputs: vec![wld, act],
            res_beats: u64::from(job.batch) * tiles,
            cycles_hint: self.fast_cycles(case),
        }
    }

    fn stepped(&self, case: &Case) -> Result<Expected, String> {
        let (job, conversion, acts, weights) = job_of(case);
        let run = stepped::run(&self.spec, job, conversion, &acts, &weights)
            .map_err(|e| e.to_string())?;
        Ok(Expected {
            inputs: vec![run.wld_cycles, run.act_cycles],
            res_cycles: run.res_cycles,
            values: run.results,
            cycles: run.cycles,
        })
    }

    fn fast_cycles(&self, case: &Case) -> u64 {
        let (job, conversion, acts, _) = job_of(case);
        let stats = pattern_stats(
            &acts,
            job.batch as usize,
            job.k as usize,
            self.spec.group as usize,
            self.spec.pattern_aware,
        );
        fast::cost(&self.spec, job, &stats, conversion.is_some()).map_or(0, |c| c.cycles)
    }

    fn shape(&self, case: &Case) -> String {
        let (job, conversion, _, _) = job_of(case);
        format!(
            "{}x{}x{} w{}{}",
            job.batch,
            job.n,
            job.k,
            job.weight_bits,
            if conversion.is_some() { " int8" } else { "" }
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn block() -> PimBlock {
        PimBlock {
            name: "pim".into(),
            spec: BankSpec::SMALL,
        }
    }

    #[test]
    fn cases_exercise_skips_conversions_and_every_weight_width() {
        let b = block();
        let cases = b.cases(16, 7);
        assert_eq!(cases, b.cases(16, 7));
        let mut skipped = 0;
        let mut converted = 0;
        for case in &cases {
            let (job, conversion, acts, _) = job_of(case);
            let stats = pattern_stats(&acts, job.batch as usize, job.k as usize, 4, true);
            skipped += stats.skipped();
            converted += usize::from(conversion.is_some());
            let expected = b.stepped(case).unwrap();
            assert_eq!(expected.cycles, b.fast_cycles(case));
            let beats = b.beats(case);
            assert_eq!(beats.inputs[0].len() as u64, job.words(&b.spec));
            assert_eq!(beats.res_beats as usize, expected.res_cycles.len());
        }
        assert!(skipped > 0 && converted == 8);
        let widths: Vec<u32> = cases.iter().map(|c| c.input.weight_bits).collect();
        assert!((1..=8).all(|w| widths.contains(&w)), "{widths:?}");
    }
}
