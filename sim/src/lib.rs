//! The simulator: architectures, memory system, mapper, engine, energy and area models, reports.
//!
//! Full-model simulation uses each block's fast tile model; the cycle-stepped models exist so
//! tests can hold the two equal and co-simulation can hold the stepped model equal to the RTL.

pub mod arch;
pub mod attention;
pub mod cpu;
pub mod dataflow;
pub mod energy;
pub mod engine;
pub mod error;
pub mod fallback;
pub mod family;
pub mod fpga_dataflow;
pub mod lut_tensor_core;
pub mod mac_tensor_core;
pub mod mapper;
pub mod memory;
pub mod output;
pub mod reduction;
pub mod report;
pub mod schedule;
pub mod sram_pim;
pub mod support;
pub mod sweep;
pub mod systolic;
pub mod tile;

pub use arch::Arch;
pub use engine::simulate;
pub use error::SimError;
pub use family::{Family, Machine, Registry};
pub use report::Report;
