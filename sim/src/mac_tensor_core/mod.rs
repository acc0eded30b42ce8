//! The MAC tensor-core tile (the dequantize-then-multiply baseline): micro-architecture, fast
//! (closed-form) cycle model and cycle-stepped model.
//!
//! Micro-architecture. `tile_m x tile_n` dot-product units; each takes `tile_k`
//! (activation, weight) pairs per cycle. One output tile reduces `K = k_steps * tile_k`
//! (zero-padded). Every cycle the array issues one k-step of the current tile; tiles follow each
//! other with no gap. An issued k-step passes `pipeline_cycles` stages: weight dequantization
//! (integer weights are sign-extended to `mult_bits`; per-group scales are applied after
//! accumulation, outside the array), multiplication, the adder tree, and finally accumulation
//! into the tile's accumulators. A tile's results leave in the cycle its last k-step leaves the
//! pipeline. So `n` tiles take `n * k_steps + pipeline_cycles - 1` cycles from the first issue
//! (cycle 0) through the cycle the last results leave, inclusive.
//!
//! The fast model never calls the stepped model; `sim/tests/mac_tile_props.rs` holds them equal
//! and the stepped model's values equal to integer GEMM.

pub mod config;
pub mod family;
pub mod fast;
pub mod stepped;

pub use config::{MacArray, RawMac};
pub use fast::tiles_cycles;
pub use stepped::{run_tiles, MacRun, MacTileInput};
