//! The FPGA dataflow family's blocks: engines joined by FIFOs, each block specified in its own
//! module with a cycle-stepped model and a closed-form fast model that tests hold equal.
//!
//! - [`tlmm`]: the table-lookup ternary matmul engine (after TeLLMe, arXiv 2510.15926);
//! - [`pipeline`]: the FIFO line joining engines, whose fast model is
//!   [`crate::schedule::streaming`].

pub mod pipeline;
pub mod tlmm;
