//! Cycle-stepped model of the TLMM engine: one loop iteration per clock over the registers of
//! the parent module's specification (the `built`/`looked` set counters, the entry and group
//! counters, one or two table buffers, the lookup pipeline and the accumulators), computing
//! the real outputs, the cycle count and, per block, the lookup and build-only cycles.
//!
//! The only work hoisted out of the clock loop is input formatting: each weight row is padded
//! to whole blocks and packed into 5-bit codes once (`ternary_pack::pack_weights`), as the
//! weight memory would hold them.

use std::collections::VecDeque;

use lutforge_models::numerics::ternary_pack::{
    lookup_packed, pack_weights, pattern_sum, PATTERNS, TERNARY_TABLE_ENTRIES,
};

use super::{TlmmError, TlmmJob, TlmmSpec, ENTRIES_PER_TABLE};

/// Most accumulators (`m * n`) the stepped model holds.
pub const MAX_STEPPED_OUTPUTS: u64 = 1 << 26;

/// What a stepped run produces.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlmmRun {
    /// `m x n` row-major outputs: the `acc_bits` accumulators, sign-extended.
    pub outputs: Vec<i64>,
    /// Cycles from the first build to the last accumulate, drain included.
    pub total_cycles: u64,
    /// Per block: cycles that looked up one of the block's table sets.
    pub lookup_cycles: Vec<u64>,
    /// Per block: cycles that built one of the block's table sets and looked nothing up.
    pub build_only_cycles: Vec<u64>,
    /// The cycle of every activation read (one `act` beat each), in stream order: set by set
    /// (`u = b * m + t`), read by read (the parent module's "Activation reads").
    pub act_read_cycles: Vec<u64>,
}

/// A lookup in flight: the sums of one output group of one token.
#[derive(Debug)]
struct InFlight {
    /// Token row of the accumulators.
    token: usize,
    /// First output of the group.
    first_output: usize,
    /// One sum over all tables per output of the group.
    sums: Vec<i64>,
}

/// `value` wrapped to `bits`-bit two's complement and sign-extended.
fn wrap(value: i64, bits: u32) -> i64 {
    let shift = 64 - bits;
    (value << shift) >> shift
}

/// Runs `job` on `spec`: `activations` is `m x k` row-major, `weights` `n x k` row-major with
/// every value -1, 0 or +1. Errors on an invalid spec or job, wrong operand lengths, a
/// non-ternary weight, or more than [`MAX_STEPPED_OUTPUTS`] outputs.
pub fn run(
    spec: &TlmmSpec,
    job: TlmmJob,
    activations: &[i8],
    weights: &[i8],
) -> Result<TlmmRun, TlmmError> {
    spec.validate()?;
    job.validate()?;
    let outputs = job.m * job.n;
    if outputs > MAX_STEPPED_OUTPUTS {
        return Err(TlmmError::Field {
            field: "m * n",
            value: outputs,
            message: format!("the stepped model holds at most {MAX_STEPPED_OUTPUTS} outputs"),
        });
    }
    // Validated: m, n, k <= 2^24 and m * n <= 2^26, so these fit usize on 64-bit targets.
    let (m, n, k) = (job.m as usize, job.n as usize, job.k as usize);
    for (what, got, expected) in [
        ("activations", activations.len(), m.checked_mul(k)),
        ("weights", weights.len(), n.checked_mul(k)),
    ] {
        if expected != Some(got) {
            return Err(TlmmError::Shape {
                what,
                got,
                expected: expected.unwrap_or(usize::MAX),
            });
        }
    }

    let tables = spec.tables as usize;
    let block = spec.block_activations() as usize;
    let blocks = job.blocks(spec) as usize;
    let padded_k = blocks * block;
    if let Some(index) = weights.iter().position(|w| !(-1..=1).contains(w)) {
        return Err(TlmmError::Weight {
            index,
            value: weights[index],
        });
    }
    // Input formatting: each output's weights, zero-padded to whole blocks, as codes.
    let mut codes = Vec::with_capacity(n * blocks * tables);
    let mut row = vec![0i8; padded_k];
    for o in 0..n {
        row[..k].copy_from_slice(&weights[o * k..(o + 1) * k]);
        codes.extend(pack_weights(&row)?);
    }
    let codes_per_row = blocks * tables;

    let sets = blocks * m;
    let buffers = if spec.overlap_table_build { 2 } else { 1 };
    let entries = ENTRIES_PER_TABLE * tables;
    let adds = spec.build_adds_per_cycle as usize;
    let per_cycle = spec.lookup_lanes() as usize;
    let read_cycles = spec.read_cycles_per_set();
    let groups = n.div_ceil(per_cycle);
    let latency = spec.pipeline_cycles as usize;

    // Registers.
    let mut table_buffers = vec![vec![[0i32; TERNARY_TABLE_ENTRIES]; tables]; buffers];
    let mut built = 0usize;
    let mut looked = 0usize;
    let mut entry = 0usize;
    // Cycles the set being built has spent reading its activations.
    let mut read = 0u64;
    let mut group = 0usize;
    let mut pipe: VecDeque<Option<InFlight>> = VecDeque::with_capacity(latency + 1);
    let mut acc = vec![0i64; m * n];

    let mut lookup_cycles = vec![0u64; blocks];
    let mut build_only_cycles = vec![0u64; blocks];
    let mut act_read_cycles = Vec::with_capacity(sets * read_cycles as usize);
    let mut cycle = 0u64;
    loop {
        // Both decisions read the registers as they were at the start of the cycle.
        let do_lookup = looked < built;
        let do_build = built < sets && built < looked + buffers;

        let issued = if do_lookup {
            let (b, t) = (looked / m, looked % m);
            let buffer = &table_buffers[looked % buffers];
            let first_output = group * per_cycle;
            let last_output = (first_output + per_cycle).min(n);
            let mut sums = Vec::with_capacity(last_output - first_output);
            for o in first_output..last_output {
                let row = &codes[o * codes_per_row + b * tables..][..tables];
                let mut sum = 0i64;
                for (table, &code) in buffer.iter().zip(row) {
                    sum += i64::from(lookup_packed(table, code)?);
                }
                sums.push(sum);
            }
            lookup_cycles[b] += 1;
            group += 1;
            if group == groups {
                group = 0;
                looked += 1;
            }
            Some(InFlight {
                token: t,
                first_output,
                sums,
            })
        } else {
            None
        };

        if do_build && read < read_cycles {
            read += 1;
            act_read_cycles.push(cycle);
            if !do_lookup {
                build_only_cycles[built / m] += 1;
            }
        } else if do_build {
            let (b, t) = (built / m, built % m);
            let buffer = &mut table_buffers[built % buffers];
            let end = (entry + adds).min(entries);
            for e in entry..end {
                let (table, pattern) = (e / ENTRIES_PER_TABLE, e % ENTRIES_PER_TABLE + 1);
                let mut a = [0i8; 3];
                for (i, slot) in a.iter_mut().enumerate() {
                    let kk = b * block + 3 * table + i;
                    if kk < k {
                        *slot = activations[t * k + kk];
                    }
                }
                buffer[table][pattern] = pattern_sum(PATTERNS[pattern], a);
            }
            entry = end;
            if entry == entries {
                entry = 0;
                read = 0;
                built += 1;
            }
            if !do_lookup {
                build_only_cycles[b] += 1;
            }
        }

        pipe.push_back(issued);
        if pipe.len() > latency {
            if let Some(Some(done)) = pipe.pop_front() {
                let base = done.token * n + done.first_output;
                for (slot, sum) in acc[base..].iter_mut().zip(done.sums) {
                    *slot = wrap(*slot + sum, spec.acc_bits);
                }
            }
        }
        cycle += 1;
        if looked == sets && pipe.iter().all(Option::is_none) {
            break;
        }
    }

    Ok(TlmmRun {
        outputs: acc,
        total_cycles: cycle,
        lookup_cycles,
        build_only_cycles,
        act_read_cycles,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrap_sign_extends() {
        assert_eq!(wrap(127, 8), 127);
        assert_eq!(wrap(128, 8), -128);
        assert_eq!(wrap(-129, 8), 127);
        assert_eq!(wrap(1 << 47, 48), -(1 << 47));
    }

    #[test]
    fn a_tiny_job() {
        let spec = TlmmSpec {
            group: 3,
            tables: 1,
            outputs_per_cycle: 2,
            act_reads_per_cycle: 1024,
            build_adds_per_cycle: 5,
            entry_bits: 10,
            acc_bits: 16,
            pipeline_cycles: 2,
            weight_banks: 1024,
            overlap_table_build: false,
        };
        // k = 4: two blocks of 3, the second padded. 2 outputs: one group.
        let job = TlmmJob { m: 1, n: 2, k: 4 };
        let acts = [1, 2, 3, 4];
        let weights = [1, -1, 0, 1, 0, 0, 1, -1];
        let r = run(&spec, job, &acts, &weights).unwrap();
        assert_eq!(r.outputs, vec![1 - 2 + 4, 3 - 4]);
        // Two sets of (1 read + ceil(13/5) = 3 build + 1 lookup) cycles, then a 2-cycle drain.
        assert_eq!(r.total_cycles, 2 * (1 + 3 + 1) + 2);
        assert_eq!(r.lookup_cycles, vec![1, 1]);
        assert_eq!(r.build_only_cycles, vec![4, 4]);
        // One read per set: the first cycle of each set.
        assert_eq!(r.act_read_cycles, vec![0, 5]);
        let e = run(&spec, job, &acts, &[0, 0, 0, 0, 0, 2, 0, 0]).unwrap_err();
        assert_eq!(e.to_string(), "tlmm weight 2 at index 5 is not -1, 0 or +1");
        assert_eq!(
            run(&spec, job, &acts[..3], &weights)
                .unwrap_err()
                .to_string(),
            "tlmm activations has 3 values, expected 4"
        );
    }
}
