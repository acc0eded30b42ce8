//! The simulator: architectures, memory system, mapper, engine, energy and area models, reports.
//!
//! Full-model simulation uses each block's fast tile model; the cycle-stepped models exist so
//! tests can hold the two equal and co-simulation can hold the stepped model equal to the RTL.

pub mod arch;
pub mod energy;
pub mod engine;
pub mod error;
pub mod lut_tile;
pub mod mac_tile;
pub mod mapper;
pub mod output;
pub mod report;
pub mod support;
pub mod sweep;
pub mod systolic;

pub use arch::Arch;
pub use engine::simulate;
pub use error::SimError;
pub use report::Report;
