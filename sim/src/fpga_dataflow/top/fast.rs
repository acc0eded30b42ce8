//! The pipeline top's cycle count in closed form (the parent module's "Cycles"): the load
//! beats, the TLMM's closed form ([`crate::fpga_dataflow::tlmm::fast::cost`]) and the line's
//! two formulas. No loop over cycles or beats.

use super::{JobShape, Source, TopError, TopSpec};
use crate::fpga_dataflow::tlmm::{fast as tlmm_fast, TlmmJob};

/// The cycle count of one job and its parts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TopCost {
    /// Cycles from the `cmd` transfer through the last `res` transfer, inclusive.
    pub cycles: u64,
    /// `wld` beats (`B * G`; 0 on the stream top).
    pub load_beats: u64,
    /// Cycles of the TLMM phase (0 on the stream top).
    pub tlmm_cycles: u64,
    /// Beats through the FIFO and the element-wise engine, `N`.
    pub line_beats: u64,
    /// Element-wise cycles per beat, `S`.
    pub slices: u64,
}

/// The cycle count of a job of `shape` on `spec`.
pub fn cost(spec: &TopSpec, shape: JobShape) -> Result<TopCost, TopError> {
    spec.validate()?;
    let (groups_or_beats, blocks) = spec.check_shape(shape)?;
    let (load_beats, tlmm_cycles, line_beats) = match (spec.source, shape) {
        (Source::Tlmm { spec: tlmm, .. }, JobShape::Tlmm { m, n, k }) => {
            let cost = tlmm_fast::cost(&tlmm, TlmmJob { m, n, k })?;
            (
                blocks * groups_or_beats,
                cost.total_cycles,
                m * groups_or_beats,
            )
        }
        (_, JobShape::Stream { beats }) => (0, 0, beats),
        _ => unreachable!("check_shape refuses a job of the other kind"),
    };
    let slices = u64::from(spec.eltwise.slices());
    let p0 = load_beats + 1 + tlmm_cycles;
    let cycles = if spec.fifo_depth >= 2 {
        p0 + slices * line_beats + 2
    } else {
        p0 + slices + (line_beats - 1) * (slices + 1) + 2
    };
    Ok(TopCost {
        cycles,
        load_beats,
        tlmm_cycles,
        line_beats,
        slices,
    })
}
