//! Systolic arrays, modelled the way SCALE-Sim v3 models them, and its file formats.
//!
//! - [`geometry`]: layers, SCALE-Sim's operand matrices and fold schedule in closed form.
//! - [`replay`]: SCALE-Sim 3.0.0's double-buffered SRAM/DRAM model, reproduced exactly
//!   (every number of its three reports), walking demand rows without materialising traces.
//! - [`scalesim`]: SCALE-Sim's INI config, topology CSVs and report files.
//! - [`config`]: the `[systolic]` section of a lutforge architecture file.
//! - [`gemm_cost`]: the fast fold-level cost the engine calls per GEMM.

pub mod config;
pub mod cost;
pub mod family;
pub mod geometry;
pub mod replay;
pub mod scalesim;

pub use config::{Dataflow, DramBandwidth, RawSystolic, SystolicArray};
pub use cost::{gemm_cost, SystolicGemmCost};
pub use geometry::{Layer, Mapping};
pub use replay::{replay, LayerResult, ReplayMemory};
