//! The fuzz targets' shared counting run and proptest configuration
//! (`tests/support/fuzz_run.rs` at the workspace root, included by path so every crate's
//! fuzz targets use one copy).

#[path = "../../../tests/support/fuzz_run.rs"]
mod fuzz_run;

pub use fuzz_run::*;
