//! The FPGA streaming dataflow family (`kind = "fpga_dataflow"`, section `[fpga]`): a device
//! from the database, engines joined by FIFOs, and how a layer's ops share them.
//!
//! - [`config`]: the `[fpga]` section and its validation.
//! - [`tlmm`]: TeLLMe's ternary table-lookup matrix engine (spec, cycle-stepped model, fast
//!   model, held equal by `sim/tests/fpga_tlmm.rs`).
//! - [`vq2d`]: LUT-LLM's vector-quantized 2D-lookup engine, timed from its structure.
//! - [`top`]: the pipeline top that has RTL (TLMM -> FIFO -> element-wise, or FIFO ->
//!   element-wise behind an input stream): specification, stepped model and fast model, held
//!   equal by `sim/tests/fpga_top.rs`; with [`fifo`] and [`eltwise`], its FIFO and its integer
//!   requantizer.
//! - [`pipeline`]: the cycle-stepped FIFO pipeline, held equal to the streaming scheduler
//!   ([`crate::schedule::streaming`], the fast model) by `sim/tests/fpga_pipeline.rs`.
//! - [`engines`]: which engine runs each op and what it costs alone.
//! - [`layer`]: how ops are grouped into streams and placed in time.
//! - [`resources`] and [`power`]: the engines' device resources (the fit check) and the
//!   energy of their events, from `lutforge_fpga`.
//! - [`family`]: the [`crate::family::Family`], [`crate::family::Machine`] and
//!   [`crate::dataflow::Dataflow`] implementations.

pub mod config;
pub mod eltwise;
pub mod engines;
pub mod events;
pub mod family;
pub mod fifo;
pub mod layer;
pub mod pipeline;
pub mod power;
pub mod resources;
pub mod tlmm;
pub mod top;
pub mod vq2d;
