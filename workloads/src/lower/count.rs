//! Checked counts for the lowering: a plain checked `u64` ([`Plain`]) for the fast path, and
//! one that remembers which input factor to blame ([`N`]) when a product overflows.

use crate::error::WorkloadError;

/// The factor to blame when a product overflows: a step or model dimension and its value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Blame {
    /// Field name: a [`Step`] field or a [`ModelConfig`] field.
    name: &'static str,
    /// Its value.
    value: u64,
    /// A step (workload) dimension, preferred over a model size: the user's knob.
    workload: bool,
}

/// The worse of two blames: a workload dimension over a model size, then the larger value.
fn worse(a: Option<Blame>, b: Option<Blame>) -> Option<Blame> {
    match (a, b) {
        (Some(x), Some(y)) => {
            if (y.workload, y.value) > (x.workload, x.value) {
                Some(y)
            } else {
                Some(x)
            }
        }
        (x, None) => x,
        (None, y) => y,
    }
}

/// An overflow, with the factor to blame (`None` only if constants alone overflowed).
#[derive(Debug, Clone, Copy)]
pub(super) struct Fault(pub(super) Option<Blame>);

impl Fault {
    /// The typed error for this overflow of `quantity`.
    pub(super) fn error(self, quantity: String) -> WorkloadError {
        let (dimension, value) = self.0.map_or(("(constant)", 0), |b| (b.name, b.value));
        WorkloadError::TooLarge {
            dimension: dimension.to_string(),
            value,
            quantity,
        }
    }
}

/// A count that remembers which of its factors to blame should a product built on it overflow.
#[derive(Debug, Clone, Copy)]
pub(super) struct N {
    value: u64,
    blame: Option<Blame>,
}

/// A count the lowering computes with: a plain checked `u64` ([`Plain`]), or one that also
/// remembers which factor to blame ([`N`]). [`try_lower_step`] runs on [`Plain`] and, only when
/// a count overflows, runs the same code again on [`N`] to name the dimension at fault.
pub(super) trait Count: Copy {
    /// A constant of the lowering (bytes per element, ops per element): never to blame.
    fn k(value: u64) -> Self;
    /// A step dimension.
    fn step(name: &'static str, value: u64) -> Self;
    /// A model size.
    fn model(name: &'static str, value: u64) -> Self;
    /// The count.
    fn value(self) -> u64;
    /// `value`, computed from `a` and `b` (`None`: it overflowed), blamed like their product.
    fn derived(value: Option<u64>, a: Self, b: Self) -> Result<Self, Fault>;
    /// `value`, blamed like `like`.
    fn blamed_like(value: u64, like: Self) -> Self;
    /// `self * other`.
    fn mul(self, other: Self) -> Result<Self, Fault> {
        Self::derived(self.value().checked_mul(other.value()), self, other)
    }
    /// `self + other`.
    fn add(self, other: Self) -> Result<Self, Fault> {
        Self::derived(self.value().checked_add(other.value()), self, other)
    }
    /// `self - other`.
    fn sub(self, other: Self) -> Result<Self, Fault> {
        Self::derived(self.value().checked_sub(other.value()), self, other)
    }
    /// The smaller of the two, keeping its own blame.
    fn min(self, other: Self) -> Self {
        if other.value() < self.value() {
            other
        } else {
            self
        }
    }
    /// `ceil(self / by)` for `by >= 1`; keeps the blame of `self`.
    fn div_ceil(self, by: u64) -> Self {
        Self::blamed_like(self.value().div_ceil(by.max(1)), self)
    }
}

/// A checked count with no blame: the fast path.
#[derive(Debug, Clone, Copy)]
pub(super) struct Plain(u64);

impl Count for Plain {
    fn k(value: u64) -> Plain {
        Plain(value)
    }
    fn step(_: &'static str, value: u64) -> Plain {
        Plain(value)
    }
    fn model(_: &'static str, value: u64) -> Plain {
        Plain(value)
    }
    fn value(self) -> u64 {
        self.0
    }
    fn derived(value: Option<u64>, _: Plain, _: Plain) -> Result<Plain, Fault> {
        value.map(Plain).ok_or(Fault(None))
    }
    fn blamed_like(value: u64, _: Plain) -> Plain {
        Plain(value)
    }
}

impl Count for N {
    fn k(value: u64) -> N {
        N { value, blame: None }
    }

    fn step(name: &'static str, value: u64) -> N {
        N {
            value,
            blame: Some(Blame {
                name,
                value,
                workload: true,
            }),
        }
    }

    fn model(name: &'static str, value: u64) -> N {
        N {
            value,
            blame: Some(Blame {
                name,
                value,
                workload: false,
            }),
        }
    }

    fn value(self) -> u64 {
        self.value
    }

    fn derived(value: Option<u64>, a: N, b: N) -> Result<N, Fault> {
        let blame = worse(a.blame, b.blame);
        match value {
            Some(value) => Ok(N { value, blame }),
            None => Err(Fault(blame)),
        }
    }

    fn blamed_like(value: u64, like: N) -> N {
        N {
            value,
            blame: like.blame,
        }
    }
}
