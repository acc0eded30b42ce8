//! Cycle-stepped model of the FIFO line (the parent module's specification): explicit bounded
//! FIFOs, each stage's current item and remaining service cycles, one loop iteration per cycle
//! boundary. It shares only the result type with the recurrence in
//! [`crate::schedule::streaming`], never its arithmetic.

use std::collections::VecDeque;

use super::PipelineError;
use crate::schedule::streaming::StreamRun;

/// The line's registers.
struct Line<F> {
    /// Per stage: the item it holds and the service cycles it still needs (0: finished,
    /// waiting to push).
    current: Vec<Option<(u64, u64)>>,
    /// FIFO `i` feeds stage `i`; FIFO 0 is unused (the input is `next_input`).
    fifos: Vec<VecDeque<u64>>,
    /// The next item the input hands to stage 0.
    next_input: u64,
    /// Items in the job.
    items: u64,
    /// Per stage: items started so far.
    started: Vec<u64>,
    /// Service cycles per (stage, item).
    service: F,
}

impl<F: Fn(usize, u64) -> u64> Line<F> {
    /// Starts the next item at `stage` if it is idle, popped from its FIFO (stage 0: the next
    /// input).
    fn try_start(&mut self, stage: usize) -> Result<(), PipelineError> {
        if self.current[stage].is_some() {
            return Ok(());
        }
        let item = if stage == 0 {
            if self.next_input == self.items {
                return Ok(());
            }
            self.next_input += 1;
            self.next_input - 1
        } else {
            match self.fifos[stage].pop_front() {
                Some(item) => item,
                None => return Ok(()),
            }
        };
        let cycles = (self.service)(stage, item);
        if cycles == 0 {
            return Err(PipelineError::ZeroService { stage, item });
        }
        self.current[stage] = Some((item, cycles));
        self.started[stage] += 1;
        Ok(())
    }
}

/// Streams `items` items through `fifo_depths.len()` stages, one cycle at a time.
/// `fifo_depths[i]` is the depth of the FIFO in front of stage `i` (`fifo_depths[0]`, the
/// input, is not used; the others must be at least 1), `service(stage, item)` the cycles, at
/// least 1, that stage `stage` spends on item `item`.
pub fn run(
    fifo_depths: &[u64],
    items: u64,
    service: impl Fn(usize, u64) -> u64,
) -> Result<StreamRun, PipelineError> {
    let stages = fifo_depths.len();
    if let Some(stage) = (1..stages).find(|&i| fifo_depths[i] == 0) {
        return Err(PipelineError::ZeroDepth { stage });
    }
    let mut result = StreamRun {
        total_cycles: 0,
        busy_cycles: vec![0; stages],
        blocked_cycles: vec![0; stages],
        starved_cycles: vec![0; stages],
        fifo_peak_items: vec![0; stages],
        stage_end_cycles: vec![0; stages],
    };
    if stages == 0 || items == 0 {
        return Ok(result);
    }
    let mut line = Line {
        current: vec![None; stages],
        fifos: fifo_depths
            .iter()
            .enumerate()
            .map(|(i, &d)| VecDeque::with_capacity(if i == 0 { 0 } else { d as usize }))
            .collect(),
        next_input: 0,
        items,
        started: vec![0; stages],
        service,
    };
    let mut exited = 0u64;
    let mut cycle = 0u64;
    loop {
        // The boundary before cycle `cycle`: last stage first.
        for i in (0..stages).rev() {
            if let Some((item, 0)) = line.current[i] {
                if i + 1 == stages {
                    exited += 1;
                    line.current[i] = None;
                    result.stage_end_cycles[i] = cycle;
                } else if (line.fifos[i + 1].len() as u64) < fifo_depths[i + 1] {
                    line.fifos[i + 1].push_back(item);
                    line.current[i] = None;
                    result.stage_end_cycles[i] = cycle;
                    // An idle next stage takes the item in the same boundary.
                    line.try_start(i + 1)?;
                }
            }
            line.try_start(i)?;
        }
        if exited == items {
            result.total_cycles = cycle;
            return Ok(result);
        }
        let peaks = &mut result.fifo_peak_items;
        peaks[0] = peaks[0].max(items - line.next_input);
        for (peak, fifo) in peaks.iter_mut().zip(&line.fifos).skip(1) {
            *peak = (*peak).max(fifo.len() as u64);
        }
        // The cycle itself.
        for (i, slot) in line.current.iter_mut().enumerate() {
            match slot {
                Some((_, 0)) => result.blocked_cycles[i] += 1,
                Some((_, remaining)) => {
                    result.busy_cycles[i] += 1;
                    *remaining -= 1;
                }
                None => {
                    if line.started[i] > 0 && line.started[i] < items {
                        result.starved_cycles[i] += 1;
                    }
                }
            }
        }
        cycle += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_small_line_by_hand() {
        // Stage 0 takes 1 cycle, stage 1 takes 3, FIFO 1 holds 2: the fifth item is held 2
        // cycles at stage 0.
        let r = run(&[1, 2], 5, |i, _| [1, 3][i]).unwrap();
        assert_eq!(r.total_cycles, 16);
        assert_eq!(r.busy_cycles, vec![5, 15]);
        assert_eq!(r.blocked_cycles, vec![2, 0]);
        assert_eq!(r.starved_cycles, vec![0, 0]);
        assert_eq!(r.fifo_peak_items, vec![4, 2]);
        assert_eq!(r.stage_end_cycles, vec![7, 16]);
    }

    #[test]
    fn bad_lines_are_errors() {
        assert_eq!(
            run(&[1, 0], 1, |_, _| 1).unwrap_err().to_string(),
            "pipeline FIFO 1 has depth 0; a FIFO after the input needs at least 1 slot"
        );
        assert_eq!(
            run(&[1, 1], 3, |i, n| u64::from(!(i == 1 && n == 2)))
                .unwrap_err()
                .to_string(),
            "pipeline stage 1 takes 0 cycles on item 2; every service is at least 1"
        );
        assert_eq!(run(&[], 5, |_, _| 1).unwrap().total_cycles, 0);
        assert_eq!(run(&[0], 0, |_, _| 1).unwrap().total_cycles, 0);
    }
}
