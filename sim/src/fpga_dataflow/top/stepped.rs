//! Cycle-stepped model of the pipeline top (the parent module's specification): the load
//! phase beat by beat, the TLMM engine through its own stepped model
//! ([`crate::fpga_dataflow::tlmm::stepped::run`], values and cycles), then the drain, the
//! [`Fifo`] and the [`Eltwise`] engine one cycle at a time, with the FIFO's back-pressure on
//! the drain. It is the co-simulation oracle: it records the cycle of every input transfer
//! and every result transfer, besides the values and the cycle count.
//!
//! The only work outside the clock loops is input formatting: the `wld` and `act` beats
//! ([`wld_beats`], [`act_beats`]), as the host would send them.

use lutforge_models::numerics::ternary_pack::pack3;

use super::{act_lanes, Source, TlmmTopJob, TopError, TopInput, TopJob, TopSpec, STREAM_LANE_BITS};
use crate::fpga_dataflow::eltwise::stepped::{Beat, Eltwise};
use crate::fpga_dataflow::fifo::Fifo;
use crate::fpga_dataflow::tlmm::{stepped as tlmm_stepped, TlmmJob, TlmmSpec};

/// What a stepped run of one job produces (cycle 0 = the `cmd` transfer).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TopRun {
    /// The `res` beats' lanes, beat-major (INT8 values).
    pub results: Vec<i64>,
    /// Cycle of each `res` transfer.
    pub res_cycles: Vec<u64>,
    /// Per input stream ([`TopSpec::input_streams`] order), the cycle of each transfer.
    pub input_cycles: Vec<Vec<u64>>,
    /// Cycles from the `cmd` transfer through the last `res` transfer, inclusive.
    pub cycles: u64,
    /// Cycles of the TLMM phase (0 on the stream top).
    pub tlmm_cycles: u64,
    /// The most beats the FIFO held at the end of a cycle.
    pub fifo_peak_beats: u64,
    /// Cycles the source (the drain, or the `acc` stream) had a beat and the FIFO was full.
    pub source_blocked_cycles: u64,
}

/// The `wld` beats of a TLMM job, block-major: beat `b * G + j`, lane `l`, table `r` at
/// `[l * tables + r]` is the 5-bit code of output `j * L + l` (0 past `n`) for block `b`.
pub fn wld_beats(spec: &TlmmSpec, job: &TlmmTopJob) -> Result<Vec<Vec<u8>>, TopError> {
    let (n, k) = (job.n as usize, job.k as usize);
    if job.weights.len() != n * k {
        return Err(TopError::Operand {
            what: "weights",
            message: format!("{} values, expected n x k = {}", job.weights.len(), n * k),
        });
    }
    let lanes = spec.lookup_lanes() as usize;
    let tables = spec.tables as usize;
    let block = spec.block_activations() as usize;
    let groups = n.div_ceil(lanes);
    let blocks = k.div_ceil(block);
    let mut beats = Vec::with_capacity(blocks * groups);
    for b in 0..blocks {
        for j in 0..groups {
            let mut beat = vec![0u8; lanes * tables];
            for l in 0..lanes {
                let o = j * lanes + l;
                if o >= n {
                    continue;
                }
                for r in 0..tables {
                    let mut w = [0i8; 3];
                    for (i, slot) in w.iter_mut().enumerate() {
                        let kk = b * block + 3 * r + i;
                        if kk < k {
                            *slot = job.weights[o * k + kk];
                        }
                    }
                    beat[l * tables + r] = pack3(w).map_err(|e| TopError::Tlmm(e.into()))?;
                }
            }
            beats.push(beat);
        }
    }
    Ok(beats)
}

/// The `act` beats of a TLMM job: the TLMM's activation reads in order (set `b * m + t`, read
/// `r`), lane `i` activation `b * block + r * R + i` of token `t` (0 past `k` or the block).
pub fn act_beats(spec: &TlmmSpec, job: &TlmmTopJob) -> Vec<Vec<i8>> {
    let (m, k) = (job.m as usize, job.k as usize);
    let block = spec.block_activations() as usize;
    let lanes = act_lanes(spec) as usize;
    let reads = block.div_ceil(lanes);
    let blocks = k.div_ceil(block);
    let mut beats = Vec::with_capacity(blocks * m * reads);
    for b in 0..blocks {
        for t in 0..m {
            for r in 0..reads {
                beats.push(
                    (0..lanes)
                        .map(|i| {
                            let pos = r * lanes + i;
                            let kk = b * block + pos;
                            if pos < block && kk < k {
                                job.activations.get(t * k + kk).copied().unwrap_or(0)
                            } else {
                                0
                            }
                        })
                        .collect(),
                );
            }
        }
    }
    beats
}

/// Runs one job on the top. Errors on an invalid spec, a job of the other kind or beyond the
/// capacities, bad requantizer parameters, operands of the wrong length, a non-ternary weight
/// or an `acc` value wider than [`STREAM_LANE_BITS`].
pub fn run(spec: &TopSpec, input: &TopInput) -> Result<TopRun, TopError> {
    spec.validate()?;
    let (groups_or_beats, blocks) = spec.check_shape(input.job.shape())?;
    spec.eltwise.check_params(input.scale, input.shift)?;
    let lanes = spec.beat_lanes() as usize;

    // The source's beats, the load beats and the TLMM phase.
    let (beats, load_beats, tlmm_cycles, mut input_cycles) = match (&spec.source, &input.job) {
        (Source::Tlmm { spec: tlmm, .. }, TopJob::Tlmm(job)) => {
            let groups = groups_or_beats as usize;
            let (m, n) = (job.m as usize, job.n as usize);
            let run = tlmm_stepped::run(
                tlmm,
                TlmmJob {
                    m: job.m,
                    n: job.n,
                    k: job.k,
                },
                &job.activations,
                &job.weights,
            )?;
            let w = blocks * groups as u64;
            let beats: Vec<Beat> = (0..m * groups)
                .map(|i| {
                    let (t, j) = (i / groups, i % groups);
                    Beat {
                        lanes: (0..lanes)
                            .map(|l| {
                                let o = j * lanes + l;
                                if o < n {
                                    run.outputs[t * n + o]
                                } else {
                                    0
                                }
                            })
                            .collect(),
                        last: i + 1 == m * groups,
                    }
                })
                .collect();
            let wld: Vec<u64> = (1..=w).collect();
            let act: Vec<u64> = run.act_read_cycles.iter().map(|c| c + w + 1).collect();
            (beats, w, run.total_cycles, vec![wld, act])
        }
        (Source::Stream { .. }, TopJob::Stream(values)) => {
            let half = 1i64 << (STREAM_LANE_BITS - 1);
            let count = values.len();
            let mut beats = Vec::with_capacity(count);
            for (i, beat) in values.iter().enumerate() {
                if beat.len() != lanes {
                    return Err(TopError::Operand {
                        what: "acc",
                        message: format!("beat {i} has {} lanes, expected {lanes}", beat.len()),
                    });
                }
                if let Some(v) = beat.iter().find(|v| !(-half..half).contains(*v)) {
                    return Err(TopError::Operand {
                        what: "acc",
                        message: format!(
                            "beat {i}: {v} does not fit {STREAM_LANE_BITS} signed bits"
                        ),
                    });
                }
                beats.push(Beat {
                    lanes: beat.clone(),
                    last: i + 1 == count,
                });
            }
            (beats, 0, 0, vec![Vec::new()])
        }
        _ => unreachable!("check_shape refuses a job of the other kind"),
    };
    let external_source = matches!(spec.source, Source::Stream { .. });

    // The line: source -> FIFO -> eltwise -> res, from cycle p_0.
    let mut fifo: Fifo<Beat> = Fifo::new(spec.fifo_depth as usize);
    let mut eltwise = Eltwise::new(spec.eltwise, input.scale, input.shift);
    let mut run = TopRun {
        results: Vec::with_capacity(beats.len() * lanes),
        res_cycles: Vec::with_capacity(beats.len()),
        input_cycles: Vec::new(),
        cycles: 0,
        tlmm_cycles,
        fifo_peak_beats: 0,
        source_blocked_cycles: 0,
    };
    let mut next = 0usize;
    let mut cycle = load_beats + 1 + tlmm_cycles;
    loop {
        // Every decision reads the registers as they were at the start of the cycle.
        let in_ready = fifo.in_ready();
        let step = eltwise.step(fifo.head(), true);
        let push = if next < beats.len() {
            if in_ready {
                if external_source {
                    input_cycles[0].push(cycle);
                }
                next += 1;
                Some(beats[next - 1].clone())
            } else {
                run.source_blocked_cycles += 1;
                None
            }
        } else {
            None
        };
        fifo.cycle(step.pop, push, in_ready);
        if let Some(res) = step.res {
            run.res_cycles.push(cycle);
            run.results.extend(res.lanes);
            if res.last {
                run.cycles = cycle + 1;
                break;
            }
        }
        cycle += 1;
    }
    run.fifo_peak_beats = fifo.peak() as u64;
    run.input_cycles = input_cycles;
    Ok(run)
}
