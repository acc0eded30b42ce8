//! Cycle-stepped model of the bank: one loop iteration per clock over the registers of the
//! parent module's specification (state, counters, the macro's bit cells, the sense-amplifier
//! word, the slots' tags, zero flags and tables, the accumulators, the conversion slice and
//! the INT8 result register), computing the real results,
//! every stream transfer's cycle and the pattern checks' outcomes as its registers decide them.
//! With every source valid and the sink ready (the stall-free timing of the specification).
//!
//! The only work hoisted out of the clock loop is input formatting: the weights as the `wld`
//! words ([`wld_words`]) and the activations as the `act` beats ([`act_beats`]), the streams'
//! contents, which the testbench packs into beats too.

use lutforge_models::numerics::{plane_bit, weight_range};

use super::pattern::PatternStats;
use super::{requantize, wrap, BankError, BankJob, BankSpec, Conversion};

/// What a stepped run produces.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BankRun {
    /// `batch x n` row-major: the accumulators, `acc_bits` wrapped and sign-extended.
    pub accumulators: Vec<i64>,
    /// The `res` beats' lanes, beat-major (`batch * tiles` beats of `L` lanes): the
    /// accumulators or their conversions.
    pub results: Vec<i64>,
    /// Cycles from the `cmd` transfer through the last `res` transfer, inclusive.
    pub cycles: u64,
    /// The cycle of each `wld` transfer.
    pub wld_cycles: Vec<u64>,
    /// The cycle of each `act` transfer.
    pub act_cycles: Vec<u64>,
    /// The cycle of each `res` transfer.
    pub res_cycles: Vec<u64>,
    /// What the pattern checks did, counted as the registers decided.
    pub stats: PatternStats,
    /// Cycles spent in table builds.
    pub build_cycles: u64,
}

/// The weights as the macro's words, in address order (module documentation, "Weight
/// layout"): word `(j * tiles + u) * weight_bits + p`, `W` bits each (0 or 1), bit `l * g + i`
/// the plane-`p` bit of `w[j*g + i][u*L + l]`. `weights` is `k x n` row-major. Errors on a
/// wrong length or a weight outside `weight_bits` two's complement.
pub fn wld_words(
    spec: &BankSpec,
    job: BankJob,
    weights: &[i32],
) -> Result<Vec<Vec<u8>>, BankError> {
    let (n, k) = (job.n as usize, job.k as usize);
    if weights.len() != k * n {
        return Err(BankError::Shape {
            what: "weights",
            got: weights.len(),
            expected: k * n,
        });
    }
    let (lo, hi) = weight_range(job.weight_bits, true).map_err(|_| BankError::Field {
        field: "weight_bits",
        value: u64::from(job.weight_bits),
        message: "must be between 1 and 8 bits".into(),
    })?;
    if let Some(index) = weights.iter().position(|w| !(lo..=hi).contains(w)) {
        return Err(BankError::Weight {
            index,
            value: weights[index],
            bits: job.weight_bits,
        });
    }
    let (g, lanes) = (spec.group as usize, spec.lanes() as usize);
    let (groups, tiles) = (job.groups(spec) as usize, job.tiles(spec) as usize);
    let mut words = Vec::with_capacity(groups * tiles * job.weight_bits as usize);
    for j in 0..groups {
        for u in 0..tiles {
            for p in 0..job.weight_bits {
                let mut word = vec![0u8; spec.word_bits() as usize];
                for l in 0..lanes {
                    for i in 0..g {
                        let (kk, o) = (j * g + i, u * lanes + l);
                        if kk < k && o < n {
                            word[l * g + i] = plane_bit(weights[kk * n + o], p);
                        }
                    }
                }
                words.push(word);
            }
        }
    }
    Ok(words)
}

/// The activations as the `act` beats: beat `j * batch + t` is token `t`'s `g` activations of
/// group `j` (zero past `k`). `activations` is `batch x k` row-major and must have that length.
pub fn act_beats(spec: &BankSpec, job: BankJob, activations: &[i8]) -> Vec<Vec<i8>> {
    let (g, k, batch) = (spec.group as usize, job.k as usize, job.batch as usize);
    let groups = k.div_ceil(g);
    let mut beats = Vec::with_capacity(groups * batch);
    for j in 0..groups {
        for t in 0..batch {
            beats.push(super::pattern::group_pattern(activations, k, g, t, j));
        }
    }
    beats
}

/// The controller's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Idle,
    Load,
    Check,
    Build,
    Read,
    Look,
    Conv,
    Drain,
}

/// Runs `job` on `spec` with `activations` (`batch x k` INT8 row-major), `weights` (`k x n`
/// row-major, `weight_bits` two's complement) and the optional conversion. Errors on an
/// invalid spec, job or conversion, or operands of the wrong length or range.
pub fn run(
    spec: &BankSpec,
    job: BankJob,
    conversion: Option<Conversion>,
    activations: &[i8],
    weights: &[i32],
) -> Result<BankRun, BankError> {
    spec.validate()?;
    job.validate(spec)?;
    if let Some(c) = conversion {
        c.validate(spec)?;
    }
    let (batch, n, k) = (job.batch as usize, job.n as usize, job.k as usize);
    if activations.len() != batch * k {
        return Err(BankError::Shape {
            what: "activations",
            got: activations.len(),
            expected: batch * k,
        });
    }
    let wld = wld_words(spec, job, weights)?;
    let act = act_beats(spec, job, activations);

    let g = spec.group as usize;
    let lanes = spec.lanes() as usize;
    let w_bits = spec.word_bits() as usize;
    let cm = spec.column_mux as usize;
    let (groups, tiles) = (job.groups(spec) as usize, job.tiles(spec) as usize);
    let wb = job.weight_bits as usize;
    let words = wld.len();
    let entries = spec.table_entries() as usize;
    let adds = spec.build_adds_per_cycle as usize;
    let windows = spec.build_windows() as usize;
    let acc_bits = spec.acc_bits;
    let max_tiles = spec.max_tiles as usize;

    // Registers.
    let mut sram = vec![vec![0u8; spec.columns as usize]; spec.rows as usize];
    let mut state = State::Idle;
    let (mut j, mut t, mut u, mut p) = (0usize, 0usize, 0usize, 0usize);
    let mut addr = 0usize;
    let mut window = 0usize;
    let mut read_count = 0usize;
    let mut look_count = 0usize;
    let mut sense = vec![0u8; w_bits];
    let mut tags = vec![vec![0i8; g]; spec.max_batch as usize];
    let mut tag_valid = vec![false; spec.max_batch as usize];
    let mut zero = vec![false; spec.max_batch as usize];
    let mut tables = vec![vec![0i64; entries]; spec.max_batch as usize];
    let mut acc = vec![vec![0i64; lanes]; spec.max_batch as usize * max_tiles];
    let mut slice = 0usize;
    let mut qbuf = vec![0i64; lanes];
    let converters = spec.used_converters() as usize;
    let slices = spec.conversion_slices() as usize;
    let first_beat = if conversion.is_some() {
        State::Conv
    } else {
        State::Drain
    };

    let mut stats = PatternStats {
        checks: (groups * batch) as u64,
        ..PatternStats::default()
    };
    let mut build_cycles = 0u64;
    let (mut wld_cycles, mut act_cycles, mut res_cycles) = (Vec::new(), Vec::new(), Vec::new());
    let mut results = Vec::with_capacity(batch * tiles * lanes);
    let mut cycle = 0u64;
    // After a check or a build: the next token's check, or the group's first word read.
    let next_token = |t: &mut usize, u: &mut usize, p: &mut usize| {
        if *t + 1 < batch {
            *t += 1;
            State::Check
        } else {
            (*u, *p) = (0, 0);
            State::Read
        }
    };
    loop {
        match state {
            State::Idle => {
                // Cycle 0: the cmd transfer latches the job and invalidates the tags.
                tag_valid.iter_mut().for_each(|v| *v = false);
                addr = 0;
                state = State::Load;
            }
            State::Load => {
                let (row, seg) = (addr / cm, addr % cm);
                sram[row][seg * w_bits..(seg + 1) * w_bits].copy_from_slice(&wld[addr]);
                wld_cycles.push(cycle);
                addr += 1;
                if addr == words {
                    (j, t) = (0, 0);
                    state = State::Check;
                }
            }
            State::Check => {
                let a = &act[j * batch + t];
                act_cycles.push(cycle);
                let all_zero = a.iter().all(|&v| v == 0);
                if spec.pattern_aware && all_zero {
                    zero[t] = true;
                    stats.zero_skipped += 1;
                    state = next_token(&mut t, &mut u, &mut p);
                } else if spec.pattern_aware && tag_valid[t] && tags[t] == *a {
                    zero[t] = false;
                    stats.repeat_skipped += 1;
                    state = next_token(&mut t, &mut u, &mut p);
                } else {
                    zero[t] = false;
                    tags[t].copy_from_slice(a);
                    tag_valid[t] = true;
                    stats.built += 1;
                    window = 0;
                    state = State::Build;
                }
            }
            State::Build => {
                build_cycles += 1;
                for s in 0..adds {
                    let e = 1 + window * adds + s;
                    if e < entries {
                        tables[t][e] = (0..g)
                            .filter(|i| e >> i & 1 == 1)
                            .map(|i| i64::from(tags[t][i]))
                            .sum();
                    }
                }
                window += 1;
                if window == windows {
                    state = next_token(&mut t, &mut u, &mut p);
                }
            }
            State::Read => {
                read_count += 1;
                if read_count == spec.row_cycles as usize {
                    read_count = 0;
                    let a = (j * tiles + u) * wb + p;
                    let (row, seg) = (a / cm, a % cm);
                    sense.copy_from_slice(&sram[row][seg * w_bits..(seg + 1) * w_bits]);
                    t = 0;
                    state = State::Look;
                }
            }
            State::Look => {
                look_count += 1;
                if look_count == spec.lookup_cycles as usize {
                    look_count = 0;
                    let first = j == 0 && p == 0;
                    let negative = p + 1 == wb;
                    let word = &mut acc[t * max_tiles + u];
                    for (l, slot) in word.iter_mut().enumerate() {
                        let idx =
                            (0..g).fold(0usize, |x, i| x | usize::from(sense[l * g + i]) << i);
                        let entry = if zero[t] { 0 } else { tables[t][idx] };
                        let shifted = entry << p;
                        let term = if negative { -shifted } else { shifted };
                        let base = if first { 0 } else { *slot };
                        *slot = wrap(base + term, acc_bits);
                    }
                    if t + 1 < batch {
                        t += 1;
                    } else if p + 1 < wb {
                        p += 1;
                        state = State::Read;
                    } else if u + 1 < tiles {
                        (u, p) = (u + 1, 0);
                        state = State::Read;
                    } else if j + 1 < groups {
                        (j, t) = (j + 1, 0);
                        state = State::Check;
                    } else {
                        (t, u, slice) = (0, 0, 0);
                        state = first_beat;
                    }
                }
            }
            State::Conv => {
                if let Some(c) = conversion {
                    let word = &acc[t * max_tiles + u];
                    for l in slice * converters..((slice + 1) * converters).min(lanes) {
                        qbuf[l] = requantize(word[l], c.scale, c.shift);
                    }
                }
                slice += 1;
                if slice == slices {
                    slice = 0;
                    state = State::Drain;
                }
            }
            State::Drain => {
                res_cycles.push(cycle);
                if conversion.is_some() {
                    results.extend_from_slice(&qbuf);
                } else {
                    results.extend_from_slice(&acc[t * max_tiles + u]);
                }
                state = first_beat;
                if u + 1 < tiles {
                    u += 1;
                } else if t + 1 < batch {
                    (t, u) = (t + 1, 0);
                } else {
                    cycle += 1;
                    break;
                }
            }
        }
        cycle += 1;
    }

    let mut accumulators = vec![0i64; batch * n];
    for tt in 0..batch {
        for o in 0..n {
            accumulators[tt * n + o] = acc[tt * max_tiles + o / lanes][o % lanes];
        }
    }
    Ok(BankRun {
        accumulators,
        results,
        cycles: cycle,
        wld_cycles,
        act_cycles,
        res_cycles,
        stats,
        build_cycles,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec() -> BankSpec {
        BankSpec {
            rows: 4,
            columns: 8,
            column_mux: 2,
            group: 2,
            row_cycles: 2,
            lookup_cycles: 1,
            build_adds_per_cycle: 2,
            acc_bits: 16,
            max_batch: 2,
            max_tiles: 2,
            converters: 1,
            pattern_aware: true,
        }
    }

    #[test]
    fn a_tiny_job() {
        // W = 4 bits, L = 2 lanes; k = 3 (2 groups), n = 2 (1 tile), 2-bit weights: 4 words.
        let job = BankJob {
            batch: 2,
            n: 2,
            k: 3,
            weight_bits: 2,
        };
        let acts = [1, 2, 3, 0, 0, 0];
        let weights = [1, -2, -1, 0, 1, 1];
        let r = run(&spec(), job, None, &acts, &weights).unwrap();
        // Token 0: [1*1 + 2*-1 + 3*1, 1*-2 + 0 + 3*1]; token 1: all zero.
        assert_eq!(r.accumulators, vec![2, 1, 0, 0]);
        assert_eq!(r.results, vec![2, 1, 0, 0]);
        // Checks: token 0 builds twice, token 1 skips twice (zero).
        assert_eq!(r.stats.built, 2);
        assert_eq!(r.stats.zero_skipped, 2);
        // windows = ceil(3 / 2) = 2; 4 words; 2 groups x 2 tokens checks;
        // 4 reads x (2 + 2 x 1); 2 res beats.
        assert_eq!(r.cycles, 1 + 4 + 4 + 2 * 2 + 4 * (2 + 2) + 2);
        assert_eq!(r.wld_cycles, vec![1, 2, 3, 4]);
        assert_eq!(r.act_cycles[0], 5);
        assert_eq!(r.res_cycles, vec![r.cycles - 2, r.cycles - 1]);
        let conv = Conversion { scale: 3, shift: 1 };
        let c = run(&spec(), job, Some(conv), &acts, &weights).unwrap();
        assert_eq!(c.results, vec![3, 2, 0, 0]);
        // One converter for 2 lanes: 2 conversion cycles before each of the 2 beats.
        assert_eq!(c.cycles, r.cycles + 2 * 2);
    }

    #[test]
    fn bad_operands_are_errors() {
        let job = BankJob {
            batch: 1,
            n: 1,
            k: 2,
            weight_bits: 2,
        };
        assert_eq!(
            run(&spec(), job, None, &[1, 2], &[1, 2])
                .unwrap_err()
                .to_string(),
            "sram_pim bank weight 2 at index 1 does not fit 2-bit two's complement"
        );
        assert_eq!(
            run(&spec(), job, None, &[1], &[1, 1])
                .unwrap_err()
                .to_string(),
            "sram_pim bank activations has 1 values, expected 2"
        );
    }
}
