//! Closed-form cycle count of the bank (the formula of the parent module's "Registers and
//! timing"), for jobs far too large to step: no loop over cycles, tokens or outputs. The
//! pattern-aware build's effect comes in as counts measured on the activations
//! ([`super::pattern::pattern_stats`]), never as an assumed rate.

use super::pattern::PatternStats;
use super::{BankError, BankJob, BankSpec};

/// The cycles of one job, by phase; the phases add up to `cycles`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BankCost {
    /// From the `cmd` transfer through the last `res` transfer, inclusive.
    pub cycles: u64,
    /// The `cmd` cycle, 1.
    pub cmd_cycles: u64,
    /// Weight load, one word per cycle: `groups * tiles * weight_bits`.
    pub load_cycles: u64,
    /// Pattern checks (one `act` beat each): `groups * batch`.
    pub check_cycles: u64,
    /// Table builds: `built * windows`.
    pub build_cycles: u64,
    /// Word reads: `groups * tiles * weight_bits * row_cycles`.
    pub read_cycles: u64,
    /// Lookup/accumulates: `groups * tiles * weight_bits * batch * lookup_cycles`.
    pub lookup_cycles: u64,
    /// Conversions of a converted job: `batch * tiles * slices` (0 without conversion).
    pub conversion_cycles: u64,
    /// Result beats: `batch * tiles`.
    pub drain_cycles: u64,
}

/// The cycles of `job` on `spec` whose pattern checks did what `stats` says, its results
/// converted to INT8 (`converted`) or not. Errors on an invalid spec or job, statistics of another job (`checks != groups * batch`, counts that do
/// not add up, or skips on a bank without `pattern_aware`), or a count past 64 bits.
pub fn cost(
    spec: &BankSpec,
    job: BankJob,
    stats: &PatternStats,
    converted: bool,
) -> Result<BankCost, BankError> {
    spec.validate()?;
    job.validate(spec)?;
    let (groups, tiles) = (job.groups(spec), job.tiles(spec));
    let batch = u64::from(job.batch);
    let checks = groups * batch;
    let bad = |message: String| Err(BankError::Stats { message });
    if stats.checks != checks {
        return bad(format!(
            "{} checks, the job makes {checks} (groups x batch)",
            stats.checks
        ));
    }
    if stats.built + stats.skipped() != checks {
        return bad(format!(
            "{} built + {} skipped is not the {checks} checks",
            stats.built,
            stats.skipped()
        ));
    }
    if !spec.pattern_aware && stats.skipped() != 0 {
        return bad(format!(
            "{} skipped builds on a bank without pattern_aware",
            stats.skipped()
        ));
    }
    // Validated ranges keep every factor small; the products are taken in u128.
    let words = u128::from(job.words(spec));
    let load = words;
    let check = u128::from(checks);
    let build = u128::from(stats.built) * u128::from(spec.build_windows());
    let read = words * u128::from(spec.row_cycles);
    let lookup = words * u128::from(batch) * u128::from(spec.lookup_cycles);
    let drain = u128::from(batch) * u128::from(tiles);
    let conversion = if converted {
        drain * u128::from(spec.conversion_slices())
    } else {
        0
    };
    let fit = |v: u128| u64::try_from(v).map_err(|_| BankError::CycleOverflow);
    Ok(BankCost {
        cycles: fit(1 + load + check + build + read + lookup + conversion + drain)?,
        cmd_cycles: 1,
        load_cycles: fit(load)?,
        check_cycles: fit(check)?,
        build_cycles: fit(build)?,
        read_cycles: fit(read)?,
        lookup_cycles: fit(lookup)?,
        conversion_cycles: fit(conversion)?,
        drain_cycles: fit(drain)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec() -> BankSpec {
        super::super::example_spec()
    }

    #[test]
    fn the_closed_form() {
        // 16 lanes; k = 64: 16 groups; n = 32: 2 tiles; 2-bit weights: 64 words.
        let job = BankJob {
            batch: 4,
            n: 32,
            k: 64,
            weight_bits: 2,
        };
        let c = cost(&spec(), job, &PatternStats::all_built(64), false).unwrap();
        assert_eq!(c.load_cycles, 64);
        assert_eq!(c.build_cycles, 64 * 4);
        assert_eq!(c.read_cycles, 64 * 2);
        assert_eq!(c.lookup_cycles, 64 * 4);
        assert_eq!(c.drain_cycles, 8);
        assert_eq!(c.cycles, 1 + 64 + 64 + 256 + 128 + 256 + 8);
        // 16 lanes through 4 converters: 4 slices per beat.
        let converted = cost(&spec(), job, &PatternStats::all_built(64), true).unwrap();
        assert_eq!(converted.conversion_cycles, 8 * 4);
        assert_eq!(converted.cycles, c.cycles + 32);
        let half = PatternStats {
            checks: 64,
            built: 32,
            zero_skipped: 16,
            repeat_skipped: 16,
        };
        assert_eq!(
            cost(&spec(), job, &half, false).unwrap().cycles,
            c.cycles - 32 * 4
        );
    }

    #[test]
    fn statistics_of_another_job_are_refused() {
        let job = BankJob {
            batch: 1,
            n: 1,
            k: 4,
            weight_bits: 1,
        };
        assert_eq!(
            cost(&spec(), job, &PatternStats::all_built(2), false)
                .unwrap_err()
                .to_string(),
            "sram_pim bank pattern statistics: 2 checks, the job makes 1 (groups x batch)"
        );
        let off = BankSpec {
            pattern_aware: false,
            ..spec()
        };
        let skip = PatternStats {
            checks: 1,
            built: 0,
            zero_skipped: 1,
            repeat_skipped: 0,
        };
        assert!(cost(&off, job, &skip, false).is_err());
        assert!(cost(&spec(), job, &skip, false).is_ok());
    }
}
