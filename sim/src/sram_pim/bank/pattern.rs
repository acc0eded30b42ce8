//! The pattern-aware table build, measured: [`pattern_stats`] counts, from a job's activations,
//! the table builds the rule of the parent module ("Pattern-aware table build") makes and
//! skips; [`measure_saving`] turns the counts into the share of the bank's cycles they save
//! (through the closed form of [`super::fast`]); [`SyntheticActs`] draws INT8 activation
//! tensors whose repeats and zeros are set by parameters, quantized per token by
//! `lutforge_models::numerics::quantize_acts_int8`, so a test can show that the saving depends
//! on the distribution (uniform INT8 activations save almost nothing; sparse or
//! outlier-dominated ones save more).
//!
//! The stepped model does not call [`pattern_stats`]: it decides each skip from its own tag
//! registers, and `sim/tests/sram_pim_bank.rs` holds its counts equal to these.

use lutforge_models::numerics::quantize_acts_int8;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::{fast, BankError, BankJob, BankSpec};

/// What the pattern rule does over one job: `checks = built + zero_skipped + repeat_skipped`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PatternStats {
    /// Checks, one per (group, token): `groups * batch`.
    pub checks: u64,
    /// Tables built.
    pub built: u64,
    /// Builds skipped because the pattern was all zero.
    pub zero_skipped: u64,
    /// Builds skipped because the pattern equalled the slot's tag.
    pub repeat_skipped: u64,
}

impl PatternStats {
    /// Builds skipped, for either reason.
    pub fn skipped(&self) -> u64 {
        self.zero_skipped + self.repeat_skipped
    }

    /// The counts of a bank without the pattern-aware build: every check builds.
    pub fn all_built(checks: u64) -> PatternStats {
        PatternStats {
            checks,
            built: checks,
            zero_skipped: 0,
            repeat_skipped: 0,
        }
    }
}

/// The pattern of group `j` of token `t` of `activations` (`batch x k` row-major): its `g`
/// activations, zero past `k` (and past the end of a tensor shorter than `batch x k`, so no
/// input can make it panic).
pub fn group_pattern(activations: &[i8], k: usize, g: usize, t: usize, j: usize) -> Vec<i8> {
    (0..g)
        .map(|i| {
            let kk = j * g + i;
            if kk < k {
                activations.get(t * k + kk).copied().unwrap_or(0)
            } else {
                0
            }
        })
        .collect()
}

/// The pattern rule's counts on `activations` (`batch x k` row-major; a shorter tensor reads
/// zeros past its end, see [`group_pattern`]) with groups of `g`, with the rule on
/// (`pattern_aware`) or off.
pub fn pattern_stats(
    activations: &[i8],
    batch: usize,
    k: usize,
    g: usize,
    pattern_aware: bool,
) -> PatternStats {
    let groups = k.div_ceil(g.max(1));
    let checks = (groups * batch) as u64;
    if !pattern_aware {
        return PatternStats::all_built(checks);
    }
    let mut stats = PatternStats {
        checks,
        ..PatternStats::default()
    };
    let mut tags: Vec<Option<Vec<i8>>> = vec![None; batch];
    for j in 0..groups {
        for (t, tag) in tags.iter_mut().enumerate() {
            let a = group_pattern(activations, k, g, t, j);
            if a.iter().all(|&v| v == 0) {
                stats.zero_skipped += 1;
            } else if tag.as_ref() == Some(&a) {
                stats.repeat_skipped += 1;
            } else {
                stats.built += 1;
                *tag = Some(a);
            }
        }
    }
    stats
}

/// The pattern-aware saving of one job, measured on its activations.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PatternSaving {
    /// The rule's counts on the activations.
    pub stats: PatternStats,
    /// The job's cycles with the pattern-aware build.
    pub cycles: u64,
    /// The job's cycles with every table built.
    pub cycles_without: u64,
    /// `cycles_without - cycles`.
    pub saved_cycles: u64,
    /// `saved_cycles / cycles_without`, 0..1.
    pub saved_share: f64,
}

/// Measures the pattern-aware saving of `job` on `spec` (the rule on, whatever
/// `spec.pattern_aware` says; results not converted) on `activations` (`batch x k` INT8, row-major). Errors on an
/// invalid spec or job or a wrong activation count.
pub fn measure_saving(
    spec: &BankSpec,
    job: BankJob,
    activations: &[i8],
) -> Result<PatternSaving, BankError> {
    spec.validate()?;
    job.validate(spec)?;
    let (batch, k) = (job.batch as usize, job.k as usize);
    if activations.len() != batch * k {
        return Err(BankError::Shape {
            what: "activations",
            got: activations.len(),
            expected: batch * k,
        });
    }
    let on = BankSpec {
        pattern_aware: true,
        ..*spec
    };
    let stats = pattern_stats(activations, batch, k, spec.group as usize, true);
    let cycles = fast::cost(&on, job, &stats, false)?.cycles;
    let cycles_without =
        fast::cost(&on, job, &PatternStats::all_built(stats.checks), false)?.cycles;
    let saved_cycles = cycles_without - cycles;
    Ok(PatternSaving {
        stats,
        cycles,
        cycles_without,
        saved_cycles,
        saved_share: saved_cycles as f64 / cycles_without as f64,
    })
}

/// A synthetic activation distribution: per token, `k` values drawn Laplace(0, 1), every
/// `outlier_every`-th channel multiplied by `outlier_gain` (the few large channels of LLM
/// activations), each value then zeroed with probability `zero_fraction` (the sparsity after a
/// ReLU-like nonlinearity), and the token quantized to INT8 by its absmax
/// (`numerics::quantize_acts_int8`). The outliers set the scale, so the bulk of the values
/// lands on a few small integers and repeats. [`SyntheticActs::UNIFORM`] is instead uniform
/// over `-128..=127`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SyntheticActs {
    /// Uniform INT8 values instead (the other fields are ignored).
    pub uniform: bool,
    /// Probability of an exact zero, 0..=1.
    pub zero_fraction: f64,
    /// Every this many channels is an outlier channel (0: none).
    pub outlier_every: usize,
    /// Gain of the outlier channels.
    pub outlier_gain: f64,
}

impl SyntheticActs {
    /// Uniform INT8 activations.
    pub const UNIFORM: SyntheticActs = SyntheticActs {
        uniform: true,
        zero_fraction: 0.0,
        outlier_every: 0,
        outlier_gain: 1.0,
    };

    /// `batch x k` activations drawn from `seed` (the same arguments give the same tensor).
    pub fn draw(&self, batch: usize, k: usize, seed: u64) -> Vec<i8> {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        if self.uniform {
            return (0..batch * k).map(|_| rng.gen::<i8>()).collect();
        }
        let values: Vec<f32> = (0..batch * k)
            .map(|i| {
                let u: f64 = rng.gen::<f64>() - 0.5;
                let laplace = -u.signum() * (1.0 - 2.0 * u.abs()).max(f64::MIN_POSITIVE).ln();
                let channel = i % k;
                let gain = if self.outlier_every > 0 && channel % self.outlier_every == 0 {
                    self.outlier_gain
                } else {
                    1.0
                };
                let zero = rng.gen::<f64>() < self.zero_fraction;
                if zero {
                    0.0
                } else {
                    (laplace * gain) as f32
                }
            })
            .collect();
        // Finite values and k >= 1: the quantizer accepts them.
        quantize_acts_int8(&values, k.max(1))
            .map(|q| q.values)
            .unwrap_or_else(|_| vec![0; batch * k])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rule_counts_zeros_and_repeats_per_token() {
        // Two tokens, k = 6, g = 2: groups (1,2) (1,2) (0,0) for token 0; (3,0) (0,0) (3,0)
        // for token 1: the zero group leaves the tag, so token 1's third group repeats.
        let acts = [1, 2, 1, 2, 0, 0, 3, 0, 0, 0, 3, 0];
        let s = pattern_stats(&acts, 2, 6, 2, true);
        assert_eq!(
            s,
            PatternStats {
                checks: 6,
                built: 2,
                zero_skipped: 2,
                repeat_skipped: 2,
            }
        );
        assert_eq!(pattern_stats(&acts, 2, 6, 2, false).built, 6);
        // k = 5: the last group is padded with a zero.
        assert_eq!(group_pattern(&[1, 2, 3, 4, 5], 5, 2, 0, 2), vec![5, 0]);
    }

    #[test]
    fn draws_are_deterministic() {
        let d = SyntheticActs {
            uniform: false,
            zero_fraction: 0.5,
            outlier_every: 16,
            outlier_gain: 20.0,
        };
        assert_eq!(d.draw(2, 64, 7), d.draw(2, 64, 7));
        assert_ne!(d.draw(2, 64, 7), d.draw(2, 64, 8));
        let a = d.draw(1, 64, 7);
        assert!(a.iter().filter(|&&v| v == 0).count() >= 20, "{a:?}");
    }
}
