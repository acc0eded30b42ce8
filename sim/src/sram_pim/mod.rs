//! The SRAM processing-in-memory family (after SAIL, arXiv 2509.25853): LUT-GEMV inside
//! compute-capable SRAM subarrays beside a CPU's last-level cache.
//!
//! - [`bank`]: the one hardware block, the LUT-GEMV bank, in three views (a behavioural SRAM
//!   subarray plus its table-build and lookup/accumulate periphery);
//! - [`config`]: the `[sram_pim]` section: the bank, the cache's organization, the link, the
//!   activation distribution the pattern-aware build is measured on, the host CPU;
//! - [`gemv`]: a weight product's cost on the banks, job by job from the bank's closed form;
//! - [`family`]: the [`crate::family::Family`], [`crate::family::Machine`] and
//!   [`crate::dataflow::Dataflow`] implementations (host cores for what the banks do not run).

pub mod bank;
pub mod config;
pub mod family;
pub mod gemv;
