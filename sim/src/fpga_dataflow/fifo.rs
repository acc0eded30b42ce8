//! The FIFO between the pipeline top's engines ([`super::top`]): `depth` beats, valid/ready on
//! both sides, cycle-stepped.
//!
//! # Specification
//!
//! Registers: the `depth` slots and the count. Each cycle, from the registers at its start:
//! `in_ready = count < depth` (a pop in the same cycle does not make room: the ready of the
//! producer never depends on the consumer), `out_valid = count > 0` with the oldest beat on
//! `out_data`. A push (`in_valid && in_ready`) and a pop (`out_valid && out_ready`) may happen
//! in the same cycle; a pushed beat is visible at the head from the next cycle (no fall-through).
//! With a producer offering a beat every cycle and a consumer taking one every cycle, a FIFO of
//! depth 1 therefore passes one beat every two cycles and a deeper one a beat every cycle.
//!
//! The RTL is `rtl/src/fpga_dataflow/fifo.rs`; the pipeline top's fast model states the line's
//! timing in closed form (`sim/src/fpga_dataflow/top/fast.rs`).

use std::collections::VecDeque;

/// The FIFO's registers.
#[derive(Debug, Clone)]
pub struct Fifo<T> {
    depth: usize,
    slots: VecDeque<T>,
    peak: usize,
}

impl<T> Fifo<T> {
    /// An empty FIFO of `depth` (at least 1) slots.
    pub fn new(depth: usize) -> Fifo<T> {
        Fifo {
            depth: depth.max(1),
            slots: VecDeque::with_capacity(depth.max(1)),
            peak: 0,
        }
    }

    /// `in_ready` at the start of the cycle.
    pub fn in_ready(&self) -> bool {
        self.slots.len() < self.depth
    }

    /// The head (`out_valid` and `out_data`) at the start of the cycle.
    pub fn head(&self) -> Option<&T> {
        self.slots.front()
    }

    /// Applies one cycle's transfers, decided from the start-of-cycle state: the pop first
    /// (if `pop`), then the push (if any). Returns the popped beat.
    ///
    /// # Panics
    ///
    /// On a push without `in_ready` or a pop of an empty FIFO: the caller's handshake is wrong.
    pub fn cycle(&mut self, pop: bool, push: Option<T>, in_ready: bool) -> Option<T> {
        let popped = if pop {
            Some(self.slots.pop_front().expect("pop of an empty FIFO"))
        } else {
            None
        };
        if let Some(beat) = push {
            assert!(in_ready, "push into a full FIFO");
            self.slots.push_back(beat);
        }
        self.peak = self.peak.max(self.slots.len());
        popped
    }

    /// Beats held now.
    pub fn len(&self) -> usize {
        self.slots.len()
    }

    /// Whether it holds no beat.
    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }

    /// The most beats it has held at the end of a cycle.
    pub fn peak(&self) -> usize {
        self.peak
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn depth_one_alternates_and_depth_two_streams() {
        for (depth, want) in [(1usize, vec![0u64, 2, 4, 6]), (2, vec![0, 1, 2, 3])] {
            let mut f = Fifo::new(depth);
            let mut next = 0u64;
            let mut pushes = Vec::new();
            for cycle in 0..8u64 {
                let ready = f.in_ready();
                let pop = f.head().is_some();
                let push = (next < 4 && ready).then(|| {
                    pushes.push(cycle);
                    next += 1;
                    next - 1
                });
                f.cycle(pop, push, ready);
            }
            assert_eq!(pushes, want, "depth {depth}");
            assert!(f.is_empty());
        }
    }
}
