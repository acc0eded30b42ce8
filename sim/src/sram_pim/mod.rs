//! The SRAM processing-in-memory family (after SAIL, arXiv 2509.25853): LUT-GEMV inside
//! compute-capable SRAM subarrays beside a CPU's last-level cache.
//!
//! So far this folder holds the one hardware block the family has in three views, the
//! LUT-GEMV bank ([`bank`]: a behavioural SRAM subarray plus its table-build and
//! lookup/accumulate periphery). The family's configuration, registry line and whole-model cost
//! are built on top of it elsewhere.

pub mod bank;
