//! The FIFO line that joins the dataflow family's engines: stages in a row, each fed by a FIFO
//! of bounded depth, items (tokens, rows, tiles) flowing from the first to the last.
//!
//! # Specification
//!
//! `fifo_depths[i]` is the depth of the FIFO in front of stage `i`, in items; FIFO 0 is the
//! input queue, holding every item from cycle 0 and never full, so `fifo_depths[0]` is not
//! used. `service(stage, item)` is the cycles a stage spends on an item, at least 1. Items enter
//! in order and never overtake.
//!
//! Each cycle a stage is in exactly one state:
//!
//! - **busy**: serving an item (counting down its service cycles);
//! - **blocked**: holding a finished item it cannot push because the FIFO after it is full
//!   (blocking after service);
//! - **starved**: idle, waiting for input, after its first item and before its last;
//! - otherwise idle (before its first item, after its last).
//!
//! Between two cycles, at the cycle boundary `t`, the stages act from the last to the first:
//! a stage whose item is finished pushes it into the FIFO after it if that FIFO has room (the
//! last stage drops it out of the line), then, if idle, pops the next item from the FIFO in
//! front of it and starts serving it in cycle `t`. A slot freed by a pop at `t` takes a push at
//! `t`, and an item pushed at `t` into the FIFO of an idle stage starts there at `t`. This is
//! exactly the recurrence of [`crate::schedule::streaming`] (item `n` starts at stage `i` when
//! it has left stage `i - 1` and stage `i` has released item `n - 1`, and leaves when done and
//! item `n - depth` has started at stage `i + 1`), which is the line's fast model; zero-cycle
//! services are not allowed so that no item crosses two stages in one boundary.
//!
//! The occupancy of a FIFO during cycle `t` is what it holds after the boundary `t`; the total
//! is the boundary at which the last item leaves the last stage.
//!
//! [`stepped`] simulates the line cycle by cycle; `sim/tests/fpga_pipeline.rs` holds it equal
//! to the recurrence on every field of [`crate::schedule::streaming::StreamRun`].

pub mod stepped;

use thiserror::Error;

/// A line the stepped model does not accept.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum PipelineError {
    /// A FIFO after the input with no slot.
    #[error("pipeline FIFO {stage} has depth 0; a FIFO after the input needs at least 1 slot")]
    ZeroDepth {
        /// The stage the FIFO feeds.
        stage: usize,
    },
    /// A zero-cycle service, which the stepped semantics exclude.
    #[error("pipeline stage {stage} takes 0 cycles on item {item}; every service is at least 1")]
    ZeroService {
        /// The stage.
        stage: usize,
        /// The item.
        item: u64,
    },
}
