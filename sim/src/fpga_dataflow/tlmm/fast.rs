//! Closed-form cycle counts of the TLMM engine (the formulas of the parent module's
//! documentation), for layers far too large to step: no loop over cycles, tokens or outputs.

use super::{TlmmError, TlmmJob, TlmmSpec};

/// The cycle counts of one job, without its values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TlmmCost {
    /// Cycles from the first build to the last accumulate, drain included.
    pub total_cycles: u64,
    /// Activation blocks, `ceil(k / (group * tables))`.
    pub blocks: u64,
    /// Tokens (table sets per block).
    pub tokens: u64,
    /// Build cycles of one table set: its activation reads, then
    /// `ceil(13 * tables / build_adds_per_cycle)` cycles of adds.
    pub build_cycles_per_set: u64,
    /// Lookup cycles of one table set, `ceil(n / min(outputs_per_cycle, weight_banks))`.
    pub lookup_cycles_per_set: u64,
    /// Whether builds overlap lookups (double-buffered tables).
    pub overlap_table_build: bool,
    /// Lookup cycles over the whole job.
    pub lookup_cycles: u64,
    /// Build-only cycles (a build and no lookup) over the whole job.
    pub build_only_cycles: u64,
    /// Drain cycles after the last lookup, `pipeline_cycles`.
    pub drain_cycles: u64,
}

impl TlmmCost {
    /// Lookup cycles of block `block` (zero past the last block).
    pub fn lookup_cycles_of_block(&self, block: u64) -> u64 {
        if block < self.blocks {
            self.tokens * self.lookup_cycles_per_set
        } else {
            0
        }
    }

    /// Build-only cycles of block `block` (zero past the last block).
    pub fn build_only_cycles_of_block(&self, block: u64) -> u64 {
        if block >= self.blocks {
            return 0;
        }
        let build = self.build_cycles_per_set;
        if !self.overlap_table_build {
            return self.tokens * build;
        }
        let hidden = build.saturating_sub(self.lookup_cycles_per_set);
        if block == 0 {
            build + (self.tokens - 1) * hidden
        } else {
            self.tokens * hidden
        }
    }
}

/// The cycle counts of `job` on `spec`, from the closed forms. Errors on an invalid spec or
/// job, or a count that does not fit 64 bits.
pub fn cost(spec: &TlmmSpec, job: TlmmJob) -> Result<TlmmCost, TlmmError> {
    spec.validate()?;
    job.validate()?;
    let overflow = TlmmError::CycleOverflow {
        m: job.m,
        n: job.n,
        k: job.k,
    };
    let blocks = job.blocks(spec);
    let build = spec.read_cycles_per_set()
        + spec
            .entries_per_set()
            .div_ceil(u64::from(spec.build_adds_per_cycle));
    let groups = job.n.div_ceil(u64::from(spec.lookup_lanes()));
    // Validated ranges keep every factor below 2^25, so only the products can overflow.
    let sets = u128::from(blocks) * u128::from(job.m);
    let (build, groups) = (u128::from(build), u128::from(groups));
    let lookup = sets * groups;
    let build_only = if spec.overlap_table_build {
        build + (sets - 1) * build.saturating_sub(groups)
    } else {
        sets * build
    };
    let drain = u128::from(spec.pipeline_cycles);
    let fit = |v: u128| u64::try_from(v).map_err(|_| overflow.clone());
    Ok(TlmmCost {
        total_cycles: fit(lookup + build_only + drain)?,
        blocks,
        tokens: job.m,
        build_cycles_per_set: fit(build)?,
        lookup_cycles_per_set: fit(groups)?,
        overlap_table_build: spec.overlap_table_build,
        lookup_cycles: fit(lookup)?,
        build_only_cycles: fit(build_only)?,
        drain_cycles: fit(drain)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(overlap: bool) -> TlmmSpec {
        TlmmSpec {
            group: 3,
            tables: 28,
            outputs_per_cycle: 16,
            act_reads_per_cycle: 1024,
            build_adds_per_cycle: 28,
            entry_bits: 10,
            acc_bits: 32,
            pipeline_cycles: 4,
            weight_banks: 1024,
            overlap_table_build: overlap,
        }
    }

    #[test]
    fn the_two_closed_forms() {
        // 1 read and 13 add cycles and 64 lookup cycles per set; 2 blocks x 3 tokens = 6 sets.
        let job = TlmmJob {
            m: 3,
            n: 1024,
            k: 168,
        };
        let serial = cost(&spec(false), job).unwrap();
        assert_eq!(serial.build_cycles_per_set, 14);
        assert_eq!(serial.lookup_cycles_per_set, 64);
        assert_eq!(serial.total_cycles, 6 * (14 + 64) + 4);
        let overlapped = cost(&spec(true), job).unwrap();
        assert_eq!(overlapped.total_cycles, 14 + 64 + 5 * 64 + 4);
        assert_eq!(overlapped.build_only_cycles_of_block(0), 14);
        assert_eq!(overlapped.build_only_cycles_of_block(1), 0);
        // Build-bound: a set reads in 1 cycle and builds in 364, looks up in 1.
        let slow = TlmmSpec {
            act_reads_per_cycle: 1024,
            build_adds_per_cycle: 1,
            ..spec(true)
        };
        let c = cost(&slow, TlmmJob { m: 2, n: 3, k: 84 }).unwrap();
        assert_eq!(c.total_cycles, 365 + 1 + 365 + 4);
        assert_eq!(c.build_only_cycles_of_block(0), 365 + 364);
    }

    #[test]
    fn a_count_past_64_bits_is_an_error() {
        let job = TlmmJob {
            m: 1 << 20,
            n: 1 << 24,
            k: 1 << 24,
        };
        let narrow = TlmmSpec {
            tables: 1,
            outputs_per_cycle: 1,
            ..spec(false)
        };
        assert!(matches!(
            cost(&narrow, job),
            Err(TlmmError::CycleOverflow { .. })
        ));
        assert!(cost(&spec(true), TlmmJob { m: 1 << 10, ..job }).is_ok());
    }
}
