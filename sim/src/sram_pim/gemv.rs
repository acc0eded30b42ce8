//! The cost of one weight product on the cache's LUT-GEMV banks, built from the bank's closed
//! form ([`super::bank::fast::cost`]) job by job.
//!
//! - **Jobs.** An `m x k` by `k x n` product of `b`-bit weights is cut into bank jobs of at
//!   most `max_batch` tokens, `G` activation groups and `T` output tiles, with `G * T * b`
//!   words fitting the macro: `G = min(groups, words / b)` (the whole reduction when it fits)
//!   and `T = min(tiles, max_tiles, words / (G * b))`. Edge jobs (the last token batch, group
//!   chunk and tile chunk) are costed at their own shapes.
//! - **Banks in parallel.** The jobs spread over the `P` compute subarrays: the banks' time is
//!   `max(ceil(sum of job cycles / P), the longest job)`.
//! - **Weights.** Each job loads its words (one per cycle, inside the job's cycles) from DRAM,
//!   so a product reads its weights once per token batch of `max_batch`; when every weight of
//!   the pass fits the compute subarrays at once (`resident`), they stay there and no job loads
//!   or reads DRAM.
//! - **Reduction split.** When `G < groups`, the chunks' raw accumulators go to the host,
//!   which adds them and converts (`chunks x m x n` vector operations on its cores); otherwise
//!   the bank converts in memory (`converted` jobs).
//! - **Link.** Activations (`m x k` bytes per tile chunk) and results (`m x n` bytes, or
//!   `acc_bits / 8` per chunk) cross the array-to-core link.
//! - **Pattern-aware build.** Every job's table builds follow the pattern rule on activations
//!   drawn from the configured distribution ([`super::bank::pattern::pattern_stats`]); the
//!   saving is the same jobs' cycles with every build made, minus theirs.
//!
//! `time = max(banks, DRAM bytes / sustained bandwidth, link bytes / link bandwidth) + DRAM
//! latency + host reduction`.

use std::collections::BTreeMap;
use std::sync::Mutex;

use super::bank::fast;
use super::bank::pattern::{pattern_stats, PatternStats};
use super::bank::{BankJob, BankSpec};
use super::config::SramPim;

/// The banks' share of one weight product.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct BankTime {
    /// Bank cycles (at the architecture's clock) until the last job ends, parallel banks.
    pub bank_cycles: u64,
    /// The same with every table built (no pattern-aware skip).
    pub bank_cycles_without_pattern: u64,
    /// Bytes read from DRAM (weights not resident).
    pub dram_bytes: u64,
    /// Bytes over the array-to-core link.
    pub link_bytes: u64,
    /// Vector operations the host does (adding reduction chunks and converting), 0 when the
    /// banks convert.
    pub host_ops: u64,
    /// Word reads of all jobs (`words x row` activations), for energy.
    pub word_reads: u64,
    /// Table entries built (after skips), for energy.
    pub entries_built: u64,
    /// Lane lookup/accumulates, for energy.
    pub lane_accumulates: u64,
}

/// One product's shape on the banks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Product {
    /// Tokens.
    pub m: u64,
    /// Outputs.
    pub n: u64,
    /// Reduction.
    pub k: u64,
    /// Independent instances.
    pub count: u64,
    /// Weight planes (bits).
    pub weight_bits: u32,
}

/// Pattern statistics of one (tokens, reduction) job shape, drawn once per shape.
#[derive(Debug, Default)]
pub struct PatternCache {
    stats: Mutex<BTreeMap<(u32, u64), PatternStats>>,
}

impl PatternCache {
    /// The pattern rule's counts for a job of `batch` tokens and reduction `k` on `pim`'s
    /// configured activations (the same shape always gives the same draw).
    fn stats(&self, pim: &SramPim, batch: u32, k: u64) -> PatternStats {
        let key = (batch, k);
        if let Some(s) = self.stats.lock().ok().and_then(|m| m.get(&key).copied()) {
            return s;
        }
        let seed = pim.activation_seed ^ (k << 8) ^ u64::from(batch);
        let acts = pim.activations.draw(batch as usize, k as usize, seed);
        let s = pattern_stats(
            &acts,
            batch as usize,
            k as usize,
            pim.bank.group as usize,
            pim.bank.pattern_aware,
        );
        if let Ok(mut m) = self.stats.lock() {
            m.insert(key, s);
        }
        s
    }
}

/// `(full, last)` sizes and counts of cutting `total` into pieces of `piece`.
fn cuts(total: u64, piece: u64) -> [(u64, u64); 2] {
    let full = total / piece;
    let rest = total % piece;
    [(piece, full), (rest, u64::from(rest > 0))]
}

/// The banks' time of `p` on `pim`; `resident`: every weight of the pass stays in the
/// compute subarrays. Errors (as text) on a job the bank refuses.
pub fn bank_time(
    pim: &SramPim,
    cache: &PatternCache,
    p: Product,
    resident: bool,
) -> Result<BankTime, String> {
    let spec: &BankSpec = &pim.bank;
    let g = u64::from(spec.group);
    let lanes = u64::from(spec.lanes());
    let b = u64::from(p.weight_bits);
    let words = spec.words();
    let groups = p.k.div_ceil(g);
    let tiles = p.n.div_ceil(lanes);
    let job_groups = groups.min(words / b);
    if job_groups == 0 {
        return Err(format!(
            "{b}-bit weights need {b} words per group; the {words}-word subarray holds fewer"
        ));
    }
    let job_tiles = tiles
        .min(u64::from(spec.max_tiles))
        .min(words / (job_groups * b))
        .max(1);
    let chunks = groups.div_ceil(job_groups);
    let converted = chunks == 1;
    let max_batch = u64::from(spec.max_batch);
    let mut t = BankTime::default();
    let mut total = 0u64;
    let mut total_without = 0u64;
    let mut longest = 0u64;
    let mut longest_without = 0u64;
    for (batch, nb) in cuts(p.m, max_batch) {
        for (gr, ng) in cuts(groups, job_groups) {
            for (ti, nt) in cuts(tiles, job_tiles) {
                let jobs = nb * ng * nt * p.count;
                if batch == 0 || gr == 0 || ti == 0 || jobs == 0 {
                    continue;
                }
                let job = BankJob {
                    batch: batch as u32,
                    n: ti * lanes,
                    k: gr * g,
                    weight_bits: p.weight_bits,
                };
                let stats = cache.stats(pim, job.batch, job.k);
                let c = fast::cost(spec, job, &stats, converted).map_err(|e| e.to_string())?;
                let all = PatternStats::all_built(stats.checks);
                let plain = BankSpec {
                    pattern_aware: false,
                    ..*spec
                };
                let c0 = fast::cost(&plain, job, &all, converted).map_err(|e| e.to_string())?;
                let load = if resident { c.load_cycles } else { 0 };
                let (cycles, cycles0) = (c.cycles - load, c0.cycles - load);
                total = total.saturating_add(cycles.saturating_mul(jobs));
                total_without = total_without.saturating_add(cycles0.saturating_mul(jobs));
                longest = longest.max(cycles);
                longest_without = longest_without.max(cycles0);
                let job_words = job.words(spec);
                let word_bytes = u64::from(spec.word_bits()).div_ceil(8);
                if !resident {
                    t.dram_bytes += jobs * job_words * word_bytes;
                }
                t.link_bytes += jobs
                    * (batch * gr * g
                        + batch
                            * ti
                            * lanes
                            * if converted {
                                1
                            } else {
                                u64::from(spec.acc_bits).div_ceil(8)
                            });
                t.word_reads += jobs * job_words;
                t.entries_built += jobs * stats.built * (u64::from(spec.table_entries()) - 1);
                t.lane_accumulates += jobs * job_words * batch * lanes;
            }
        }
    }
    let banks = pim.compute_subarrays().max(1);
    t.bank_cycles = total.div_ceil(banks).max(longest);
    t.bank_cycles_without_pattern = total_without.div_ceil(banks).max(longest_without);
    if !converted {
        t.host_ops = chunks * p.m * p.n * p.count;
    }
    Ok(t)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cuts_cover_the_total() {
        assert_eq!(cuts(10, 4), [(4, 2), (2, 1)]);
        assert_eq!(cuts(8, 4), [(4, 2), (0, 0)]);
        assert_eq!(cuts(3, 4), [(4, 0), (3, 1)]);
    }
}
