//! Plots (SVG, PNG) and HTML reports from simulation and sweep results.
