//! The streaming scheduler: items flow through concurrent stages joined by FIFOs, with
//! back-pressure (a stage holds a finished item while the FIFO after it is full), so throughput
//! is set by the slowest stage. Dataflow families (an FPGA pipeline of engines) map their
//! engines to stages and their work to items (tokens, rows, tiles).
//!
//! Timing is the exact recurrence of a tandem line with finite buffers and blocking after
//! service, evaluated item by item: item `n` starts at stage `i` when it has left stage `i - 1`
//! and stage `i` has released item `n - 1`; it leaves stage `i` when done and when the FIFO in
//! front of stage `i + 1` has room, that is when item `n - depth` has started at stage `i + 1`.
//! With the same service time at every item, the total is `sum(s_i) + (items - 1) * max(s_i)`
//! ([`uniform_cycles`]), which the tests hold equal to the recurrence.
//!
//! From the same start and departure times: the peak occupancy of each FIFO (items that have
//! left the stage before it and not yet started at the stage after it, during a cycle) and the
//! cycles each stage starves (idle between releasing an item and the next one arriving). This
//! recurrence is the fast model of the FPGA dataflow FIFO line; its cycle-stepped counterpart
//! is `crate::fpga_dataflow::pipeline::stepped`, held equal on every field by
//! `sim/tests/fpga_pipeline.rs`.

use std::collections::VecDeque;

/// The result of streaming `items` items through a pipeline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreamRun {
    /// Cycles from the first item entering to the last leaving.
    pub total_cycles: u64,
    /// Per stage: cycles spent serving items.
    pub busy_cycles: Vec<u64>,
    /// Per stage: cycles a finished item waited for room downstream (back-pressure).
    pub blocked_cycles: Vec<u64>,
    /// Per stage: cycles it sat idle waiting for input after releasing an item, until the
    /// next item arrived (not before its first item, not after its last).
    pub starved_cycles: Vec<u64>,
    /// Per FIFO (the one in front of each stage): the most items it held during any cycle,
    /// counting items that left the previous stage and have not started at this one. FIFO 0
    /// is the input, holding every item from cycle 0, so its peak is the number of items that
    /// do not start at stage 0 in cycle 0.
    pub fifo_peak_items: Vec<u64>,
    /// Per stage: the cycle its last item left it (0 without items); a stage ends no earlier
    /// than the one before it.
    pub stage_end_cycles: Vec<u64>,
}

/// Streams `items` items through `fifo_depths.len()` stages. `fifo_depths[i]` is the depth of
/// the FIFO in front of stage `i` (at least 1; the first is the input, never full), and
/// `service(stage, item)` the cycles stage `stage` spends on item `item`.
pub fn run(fifo_depths: &[u64], items: u64, service: impl Fn(usize, u64) -> u64) -> StreamRun {
    let stages = fifo_depths.len();
    let mut busy = vec![0u64; stages];
    let mut blocked = vec![0u64; stages];
    let mut starved = vec![0u64; stages];
    let mut peaks = vec![0u64; stages];
    let keep = fifo_depths.iter().copied().max().unwrap_or(1).max(1) as usize;
    // Per stage: start times of the last `keep` items, and when it released its last item.
    let mut starts: Vec<VecDeque<u64>> = vec![VecDeque::with_capacity(keep + 1); stages];
    let mut released = vec![0u64; stages];
    let mut last_out = 0u64;
    for n in 0..items {
        let mut arrive = 0u64;
        for i in 0..stages {
            let start = arrive.max(released[i]);
            if n > 0 {
                starved[i] += start - released[i];
            }
            let s = service(i, n);
            let done = start + s;
            let depart = match fifo_depths.get(i + 1) {
                None => done,
                Some(&depth) => {
                    let depth = depth.max(1) as usize;
                    // Room when item n - depth has started at the next stage.
                    let room = if n as usize >= depth {
                        let next = &starts[i + 1];
                        next[next.len() - depth]
                    } else {
                        0
                    };
                    done.max(room)
                }
            };
            busy[i] += s;
            blocked[i] += depart - done;
            starts[i].push_back(start);
            if starts[i].len() > keep {
                starts[i].pop_front();
            }
            // The FIFO's occupancy only rises when an item arrives, so its peak is reached
            // in a cycle `arrive`. Then every item up to `n - depth` has started (the room
            // condition above), so the items held are those of the last `depth` (item `n`
            // included) that start after `arrive`.
            if i == 0 {
                peaks[0] += u64::from(start > 0);
            } else {
                let depth = fifo_depths[i].max(1) as usize;
                let held = starts[i]
                    .iter()
                    .rev()
                    .take(depth)
                    .take_while(|&&s| s > arrive)
                    .count() as u64;
                peaks[i] = peaks[i].max(held);
            }
            released[i] = depart;
            arrive = depart;
        }
        last_out = arrive;
    }
    StreamRun {
        total_cycles: last_out,
        busy_cycles: busy,
        blocked_cycles: blocked,
        starved_cycles: starved,
        fifo_peak_items: peaks,
        stage_end_cycles: if items == 0 {
            vec![0; stages]
        } else {
            released
        },
    }
}

/// Closed form for items that all cost the same at each stage: the first item's latency
/// through every stage, then one item per slowest-stage service time.
pub fn uniform_cycles(service: &[u64], items: u64) -> u64 {
    if items == 0 {
        return 0;
    }
    let slowest = service.iter().copied().max().unwrap_or(0);
    service.iter().sum::<u64>() + (items - 1) * slowest
}

#[cfg(test)]
mod tests {
    use super::{run, uniform_cycles};

    #[test]
    fn uniform_items_follow_the_closed_form() {
        for service in [vec![3, 7, 2], vec![5], vec![1, 1, 1, 1], vec![9, 2, 9, 4]] {
            for depth in [1, 2, 8] {
                for items in [1, 2, 5, 40] {
                    let depths = vec![depth; service.len()];
                    let r = run(&depths, items, |i, _| service[i]);
                    assert_eq!(
                        r.total_cycles,
                        uniform_cycles(&service, items),
                        "{service:?} depth {depth} items {items}"
                    );
                }
            }
        }
    }

    #[test]
    fn a_deeper_fifo_absorbs_bursts_that_a_shallow_one_cannot() {
        // Stage 1 alternates slow and fast items; stage 0 is steady. A deep FIFO lets stage 0 run
        // ahead during stage 1's slow items.
        let service = |i: usize, n: u64| {
            if i == 0 {
                4
            } else if n % 4 == 0 {
                10
            } else {
                1
            }
        };
        let shallow = run(&[1, 1], 64, service);
        let deep = run(&[1, 16], 64, service);
        assert!(deep.total_cycles < shallow.total_cycles);
        assert!(shallow.blocked_cycles[0] > deep.blocked_cycles[0]);
    }

    #[test]
    fn peaks_and_starvation_of_a_small_line() {
        // Stage 0 takes 1 cycle, stage 1 takes 3: items pile up in FIFO 1 (depth 2) and stage 0
        // blocks; stage 1 never starves. The items leave stage 0 at 1, 2, 3, 4, 7 (the last
        // one held 2 cycles for room) and start at stage 1 at 1, 4, 7, 10, 13.
        let r = run(&[1, 2], 5, |i, _| [1, 3][i]);
        assert_eq!(r.total_cycles, 16);
        assert_eq!(r.blocked_cycles, vec![2, 0]);
        assert_eq!(r.starved_cycles, vec![0, 0]);
        assert_eq!(r.fifo_peak_items, vec![4, 2]);
        // Reversed, stage 1 waits 2 cycles for each item after the first.
        let r = run(&[1, 2], 4, |i, _| [3, 1][i]);
        assert_eq!(r.starved_cycles, vec![0, 6]);
        assert_eq!(r.fifo_peak_items, vec![3, 0]);
        let r = run(&[1, 1], 0, |_, _| 1);
        assert_eq!(r.fifo_peak_items, vec![0, 0]);
    }

    #[test]
    fn throughput_is_set_by_the_slowest_stage() {
        let r = run(&[2, 2, 2], 1000, |i, _| [2, 6, 3][i]);
        assert_eq!(r.total_cycles, 11 + 999 * 6);
        assert_eq!(r.busy_cycles, vec![2000, 6000, 3000]);
        assert!(r.blocked_cycles[0] > 0, "the fast first stage is held back");
    }
}
