//! Plots (SVG, PNG) and HTML reports from simulation and sweep results, and Chrome trace export.
//!
//! Entry points: [`load`] reads `--from` (a [`lutforge_sim::Report`] JSON or sweep results
//! JSONL, see [`sweep`]); [`write_report`] draws every plot and writes `index.html`;
//! [`pareto_front`] is the non-dominated filter shared with `lutforge sweep pareto`.
//!
//! Plots are drawn with plotters into memory (SVG text, RGB buffer encoded as PNG) and written
//! atomically; text uses an embedded DejaVu Sans, so no system font is needed. Output is
//! deterministic: the same input gives byte-identical files.

pub mod error;
pub mod html;
pub mod input;
pub mod pareto;
mod plot;
pub mod sweep;
pub mod trace;
mod write;

pub use error::ReportError;
pub use input::{load, Input};
pub use pareto::pareto_front;
pub use plot::Rendered;
pub use sweep::{AxisValue, Goal, Status, SweepResults, SweepRow};
pub use write::{write_report, Options, Written, DEFAULT_X, DEFAULT_Y};
