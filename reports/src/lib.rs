//! Plots (SVG, PNG) and HTML reports from simulation and sweep results, and Chrome trace export.

pub mod trace;
