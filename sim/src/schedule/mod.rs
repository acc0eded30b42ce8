//! Scheduling, the seam between per-op costs and a timeline: when each op's DRAM transfer and
//! compute happen on the chip.
//!
//! - [`Schedule::Sequential`]: ops run one after another; each op's weights stream through the
//!   double buffer while it computes ([`crate::mapper`]'s per-op formula), and no op's transfer
//!   overlaps another op's compute.
//! - [`Schedule::Overlapped`] ([`overlapped`]): one DRAM stream runs ahead across op boundaries,
//!   bounded by the two halves of the weight double buffer (the next op's first chunks are
//!   fetched during the current op's last chunks), and element-wise vector ops (RoPE, KV write,
//!   residual, the FFN activation) run on the vector unit on the output chunks of the matrix op
//!   that produces them, concurrently with it. Everything else waits for its producer: the
//!   lowering's ops form a dependency chain.
//! - [`Schedule::Streaming`] ([`streaming`]): concurrent stages joined by FIFOs with
//!   back-pressure, throughput set by the slowest stage; for dataflow families whose engines
//!   are stages.

pub mod overlapped;
pub mod streaming;

use std::str::FromStr;

/// How ops are placed in time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Schedule {
    /// One op at a time.
    Sequential,
    /// Cross-op weight prefetch and matrix/vector overlap where the data allows.
    Overlapped,
    /// Concurrent stages with FIFO back-pressure.
    Streaming,
}

impl Schedule {
    /// Every schedule, in `lutforge list` order.
    pub const ALL: [Schedule; 3] = [
        Schedule::Sequential,
        Schedule::Overlapped,
        Schedule::Streaming,
    ];

    /// The spelling used in architecture files.
    pub fn as_str(self) -> &'static str {
        match self {
            Schedule::Sequential => "sequential",
            Schedule::Overlapped => "overlapped",
            Schedule::Streaming => "streaming",
        }
    }

    /// One line for `lutforge list`.
    pub fn description(self) -> &'static str {
        match self {
            Schedule::Sequential => "one op at a time; weights double-buffered within each op",
            Schedule::Overlapped => {
                "DRAM prefetch across op boundaries; element-wise vector ops overlap their producer"
            }
            Schedule::Streaming => {
                "concurrent stages joined by FIFOs with back-pressure (dataflow families)"
            }
        }
    }

    /// What a family must have to run this schedule, for errors.
    pub fn needs(self) -> &'static str {
        match self {
            Schedule::Streaming => {
                "`streaming` needs a dataflow family whose engines are pipeline stages"
            }
            _ => "this family does not provide it",
        }
    }
}

impl FromStr for Schedule {
    type Err = String;
    fn from_str(s: &str) -> Result<Schedule, String> {
        Schedule::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| "must be \"sequential\", \"overlapped\" or \"streaming\"".to_string())
    }
}

/// Where one op instance landed on the timeline, cycles from the start of the run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Placement {
    /// The op's first DRAM transfer starts (equal to `compute_start` without DRAM traffic).
    pub dram_start: u64,
    /// Its last DRAM transfer ends.
    pub dram_end: u64,
    /// Its unit starts computing.
    pub compute_start: u64,
    /// It finishes.
    pub end: u64,
}
