//! Cycle-stepped model of the element-wise engine: the slice counter, the partial register and
//! the result register of the parent module's specification, one [`Eltwise::step`] per cycle.

use super::{requantize, EltwiseSpec};

/// One beat on a stream of the pipeline: its lanes and its `last` flag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Beat {
    /// Lane values (two's complement, sign-extended).
    pub lanes: Vec<i64>,
    /// The job's last beat.
    pub last: bool,
}

/// What the engine did in one cycle.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct EltwiseStep {
    /// It popped the FIFO's head (its last slice went into the result register).
    pub pop: bool,
    /// The result beat transferred this cycle, if any.
    pub res: Option<Beat>,
}

/// The engine's registers.
#[derive(Debug, Clone)]
pub struct Eltwise {
    spec: EltwiseSpec,
    scale: i32,
    shift: u32,
    slice: u32,
    partial: Vec<i64>,
    res: Option<Beat>,
}

impl Eltwise {
    /// An idle engine requantizing with `scale` and `shift` (checked by the caller with
    /// [`EltwiseSpec::check_params`]).
    pub fn new(spec: EltwiseSpec, scale: i32, shift: u32) -> Eltwise {
        Eltwise {
            spec,
            scale,
            shift,
            slice: 0,
            partial: vec![0; spec.lanes_in as usize],
            res: None,
        }
    }

    /// Whether the result register holds a beat (`res_valid`).
    pub fn res_valid(&self) -> bool {
        self.res.is_some()
    }

    /// One cycle: `head` is the FIFO's oldest beat at the start of the cycle, `res_ready` the
    /// sink's ready.
    pub fn step(&mut self, head: Option<&Beat>, res_ready: bool) -> EltwiseStep {
        let lanes = self.spec.lanes as usize;
        let last_slice = self.spec.slices() - 1;
        let fired = if res_ready { self.res.clone() } else { None };
        let free = self.res.is_none() || res_ready;
        let mut step = EltwiseStep {
            pop: false,
            res: fired,
        };
        let mut loaded = false;
        if let Some(head) = head {
            let s = self.slice as usize;
            let end = ((s + 1) * lanes).min(head.lanes.len());
            if self.slice < last_slice || free {
                for l in s * lanes..end {
                    self.partial[l] = requantize(head.lanes[l], self.scale, self.shift);
                }
            }
            if self.slice < last_slice {
                self.slice += 1;
            } else if free {
                self.res = Some(Beat {
                    lanes: self.partial.clone(),
                    last: head.last,
                });
                self.slice = 0;
                step.pop = true;
                loaded = true;
            }
        }
        if !loaded && res_ready {
            self.res = None;
        }
        step
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn beat(v: i64, last: bool) -> Beat {
        Beat {
            lanes: vec![v, 2 * v, 3 * v],
            last,
        }
    }

    #[test]
    fn slices_then_holds_for_the_sink() {
        let spec = EltwiseSpec {
            lanes_in: 3,
            lanes: 2,
            acc_bits: 16,
        };
        let mut e = Eltwise::new(spec, 1, 0);
        let b = beat(10, true);
        // Slice 0, then slice 1 with the pop.
        assert_eq!(e.step(Some(&b), true), EltwiseStep::default());
        let s = e.step(Some(&b), true);
        assert!(s.pop && s.res.is_none());
        // The sink is not ready: the result is held, and the next head waits at its last slice.
        let c = beat(1, false);
        assert!(!e.step(Some(&c), false).pop);
        let s = e.step(Some(&c), false);
        assert!(!s.pop && s.res.is_none() && e.res_valid());
        let s = e.step(Some(&c), true);
        assert!(s.pop);
        assert_eq!(s.res, Some(b.clone()));
        let s = e.step(None, true);
        assert_eq!(s.res, Some(c));
        assert!(!e.res_valid());
    }
}
