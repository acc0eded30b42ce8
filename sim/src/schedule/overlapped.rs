//! The overlapped scheduler: one DRAM stream that runs ahead across op boundaries, bounded by
//! the weight double buffer, and element-wise vector ops pipelined behind their producer.
//!
//! Each op's traffic is cut into `chunks` equal chunks (as in the per-op model of
//! [`crate::mapper`]); the weight buffer holds two. Chunk `j` (numbered over the whole run) may
//! start its transfer when the DRAM stream is free and the slot it reuses was released, that is
//! when chunk `j - 2` finished computing; it arrives `transfer + latency` later (latency is
//! pipelined: outstanding requests overlap). The op's first chunk may be fetched before the op's
//! inputs are ready — that is the prefetch — unless it reads spilled activations its producer
//! writes. Compute of a chunk starts when the chunk has arrived and the previous chunk (or, for
//! the first, the producer) has finished. An element-wise vector op without DRAM traffic runs on
//! its producer's output chunks as they finish: it starts after the producer's first chunk and
//! ends no earlier than the producer's end plus its own work on the last chunk.
//!
//! All times are cycles in `f64`; [`State::place`] returns whole cycles (rounded up).

use super::Placement;

/// What the scheduler needs of one op instance.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct OpTiming {
    /// Cycles the executing unit computes.
    pub compute_cycles: u64,
    /// Cycles all of the op's DRAM traffic takes at the sustained bandwidth (0: none).
    pub transfer_cycles: u64,
    /// First-byte latency of a DRAM request, cycles.
    pub latency_cycles: u64,
    /// Chunks the traffic and compute are cut into (at least 1).
    pub chunks: u64,
    /// Runs on the vector unit (else the matrix unit).
    pub vector: bool,
    /// Element-wise: may consume its producer's output chunk by chunk.
    pub elementwise: bool,
    /// Its first chunk may be fetched before its producer finishes (no spilled inputs).
    pub prefetchable: bool,
}

/// The scheduler's state between ops: when the DRAM stream, the two buffer slots and the units
/// are free, and what the previous op produced when.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct State {
    dram_free: f64,
    /// Compute-end times of the last two chunks, older first: the slots they release.
    slots: [f64; 2],
    matrix_free: f64,
    vector_free: f64,
    /// The previous op's output is complete.
    prev_end: f64,
    /// The previous op's first output chunk is complete.
    prev_first_end: f64,
    /// Chunks of the previous op's output.
    prev_chunks: u64,
}

impl Default for State {
    fn default() -> State {
        State {
            dram_free: 0.0,
            slots: [0.0; 2],
            matrix_free: 0.0,
            vector_free: 0.0,
            prev_end: 0.0,
            prev_first_end: 0.0,
            prev_chunks: 1,
        }
    }
}

/// Times closer than this are equal when checking that a repeated block reached steady state.
const SAME_CYCLES: f64 = 1e-3;

impl State {
    /// The end of everything placed so far, cycles.
    pub fn end(&self) -> f64 {
        self.prev_end
    }

    /// Places one op and advances the state.
    pub fn place(&mut self, op: &OpTiming) -> Placement {
        let c_total = op.compute_cycles as f64;
        if op.vector && op.elementwise && op.transfer_cycles == 0 {
            let per_chunk = c_total / self.prev_chunks as f64;
            let start = self.prev_first_end.max(self.vector_free);
            let end = (start + c_total).max(self.prev_end + per_chunk);
            self.vector_free = end;
            self.prev_first_end = start + per_chunk;
            self.prev_end = end;
            return placement(start, start, start, end);
        }
        let unit_free = if op.vector {
            self.vector_free
        } else {
            self.matrix_free
        };
        let ready = self.prev_end.max(unit_free);
        let (dram_start, dram_end, compute_start, first_end, end) = if op.transfer_cycles == 0 {
            (ready, ready, ready, ready + c_total, ready + c_total)
        } else {
            self.chunked(op, ready)
        };
        if op.vector {
            self.vector_free = end;
        } else {
            self.matrix_free = end;
        }
        self.prev_end = end;
        self.prev_first_end = first_end;
        self.prev_chunks = if op.transfer_cycles == 0 {
            1
        } else {
            op.chunks.max(1)
        };
        placement(dram_start, dram_end, compute_start, end)
    }

    /// The double-buffered chunk pipeline of one op; returns (first transfer start, last
    /// transfer end, first compute start, first chunk end, last chunk end).
    fn chunked(&mut self, op: &OpTiming, ready: f64) -> (f64, f64, f64, f64, f64) {
        let n = op.chunks.max(1);
        let x = op.transfer_cycles as f64 / n as f64;
        let c = op.compute_cycles as f64 / n as f64;
        let latency = op.latency_cycles as f64;
        let earliest = if op.prefetchable { 0.0 } else { ready };
        let mut dram_start = 0.0;
        let mut compute_start = 0.0;
        let mut first_end = 0.0;
        let mut prev_e = ready;
        let (mut t_hist, mut e_hist) = ([0.0f64; 3], [0.0f64; 3]);
        let mut j = 0;
        while j < n {
            let t = self.dram_free.max(self.slots[0]).max(earliest);
            self.dram_free = t + x;
            let arrival = t + x + latency;
            let s = arrival.max(prev_e);
            let e = s + c;
            self.slots = [self.slots[1], e];
            if j == 0 {
                dram_start = t;
                compute_start = s;
                first_end = e;
            }
            prev_e = e;
            t_hist = [t_hist[1], t_hist[2], t];
            e_hist = [e_hist[1], e_hist[2], e];
            j += 1;
            // Steady state: equal chunks repeat with a fixed period; jump to the last chunk.
            if j >= 4 && j < n {
                let dt = t_hist[2] - t_hist[1];
                let de = e_hist[2] - e_hist[1];
                if (dt - (t_hist[1] - t_hist[0])).abs() < SAME_CYCLES
                    && (de - (e_hist[1] - e_hist[0])).abs() < SAME_CYCLES
                {
                    let left = (n - j) as f64;
                    let t_last = t + left * dt;
                    let e_last = e + left * de;
                    self.dram_free = t_last + x;
                    self.slots = [e_last - de, e_last];
                    prev_e = e_last;
                    break;
                }
            }
        }
        (dram_start, self.dram_free, compute_start, first_end, prev_e)
    }

    /// Moves every time in the state `delta` cycles later (a repeated block skipped ahead).
    pub fn shift(&mut self, delta: f64) {
        self.dram_free += delta;
        self.slots[0] += delta;
        self.slots[1] += delta;
        self.matrix_free += delta;
        self.vector_free += delta;
        self.prev_end += delta;
        self.prev_first_end += delta;
    }

    /// `self` equals `earlier` shifted in time by a single amount, which is returned: from then
    /// on a repeated block of ops repeats with that period.
    pub fn shifted_from(&self, earlier: &State) -> Option<f64> {
        let (now, earlier) = (self.normalized(), earlier.normalized());
        let (this, earlier) = (&now, &earlier);
        this.shifted_from_exactly(earlier)
    }

    /// The same state with unit free times that can no longer matter raised to the earliest
    /// time they are compared with (a unit is never asked before its op's inputs are ready).
    fn normalized(&self) -> State {
        State {
            matrix_free: self.matrix_free.max(self.prev_end),
            vector_free: self.vector_free.max(self.prev_first_end),
            ..*self
        }
    }

    fn shifted_from_exactly(&self, earlier: &State) -> Option<f64> {
        if self.prev_chunks != earlier.prev_chunks {
            return None;
        }
        let delta = self.prev_end - earlier.prev_end;
        let pairs = [
            (self.dram_free, earlier.dram_free),
            (self.slots[0], earlier.slots[0]),
            (self.slots[1], earlier.slots[1]),
            (self.matrix_free, earlier.matrix_free),
            (self.vector_free, earlier.vector_free),
            (self.prev_first_end, earlier.prev_first_end),
        ];
        pairs
            .iter()
            .all(|(a, b)| (a - b - delta).abs() < SAME_CYCLES)
            .then_some(delta)
    }
}

fn placement(dram_start: f64, dram_end: f64, compute_start: f64, end: f64) -> Placement {
    Placement {
        dram_start: dram_start.ceil() as u64,
        dram_end: dram_end.ceil() as u64,
        compute_start: compute_start.ceil() as u64,
        end: end.ceil() as u64,
    }
}

#[cfg(test)]
mod tests {
    use super::{OpTiming, State};

    fn op(compute: u64, transfer: u64, chunks: u64) -> OpTiming {
        OpTiming {
            compute_cycles: compute,
            transfer_cycles: transfer,
            latency_cycles: 0,
            chunks,
            vector: false,
            elementwise: false,
            prefetchable: true,
        }
    }

    /// The chunk loop without the steady-state jump, for comparison.
    fn every_chunk(ops: &[OpTiming]) -> f64 {
        let mut s = State::default();
        for o in ops {
            for _ in 0..o.chunks {
                s.place(&OpTiming {
                    compute_cycles: o.compute_cycles / o.chunks,
                    transfer_cycles: o.transfer_cycles / o.chunks,
                    chunks: 1,
                    ..*o
                });
            }
        }
        s.end()
    }

    #[test]
    fn a_lone_op_takes_the_double_buffered_pipeline_time() {
        // 4 chunks of 10 transfer and 30 compute: 10 + 4 * 30.
        let mut s = State::default();
        s.place(&op(120, 40, 4));
        assert_eq!(s.end(), 130.0);
        // Memory bound: 4 * 30 transfer + the last chunk's 10 compute.
        let mut s = State::default();
        s.place(&op(40, 120, 4));
        assert_eq!(s.end(), 130.0);
    }

    #[test]
    fn the_next_ops_weights_arrive_during_this_ops_compute() {
        let ops = [op(400, 100, 4), op(400, 100, 4)];
        let mut s = State::default();
        for o in &ops {
            s.place(o);
        }
        // Sequential would be 2 * (25 + 400); prefetch hides the second op's first transfer.
        assert_eq!(s.end(), 825.0);
        assert!(s.end() < 2.0 * 425.0);
    }

    #[test]
    fn the_steady_state_jump_equals_placing_every_chunk() {
        for (c, x, n) in [
            (1000, 300, 50),
            (300, 1000, 50),
            (500, 500, 64),
            (7, 3, 1000),
        ] {
            let ops = [
                op(c * n, x * n, n),
                op(x * n, c * n, n),
                op(c * n, x * n, n),
            ];
            let mut s = State::default();
            for o in &ops {
                s.place(o);
            }
            assert!((s.end() - every_chunk(&ops)).abs() < 1e-6, "{c} {x} {n}");
        }
    }

    #[test]
    fn an_elementwise_op_overlaps_its_producer() {
        let mut s = State::default();
        s.place(&op(400, 100, 4));
        let before = s.end();
        s.place(&OpTiming {
            vector: true,
            elementwise: true,
            transfer_cycles: 0,
            ..op(200, 0, 1)
        });
        // It runs on the producer's chunks: it adds only its work on the last chunk (200 / 4)
        // or what is left of its own 200 cycles after starting on the first chunk.
        assert!(s.end() < before + 200.0);
        assert!(s.end() >= before + 50.0);
    }

    #[test]
    fn a_repeated_block_reaches_a_uniform_shift() {
        let block = [op(400, 100, 4), op(50, 300, 3), op(10, 0, 1)];
        let mut s = State::default();
        let mut states = Vec::new();
        for _ in 0..4 {
            for o in &block {
                s.place(o);
            }
            states.push(s);
        }
        let d = states[3].shifted_from(&states[2]).expect("steady state");
        assert!((d - (states[3].end() - states[2].end())).abs() < 1e-9);
        assert!(d > 0.0);
    }
}
