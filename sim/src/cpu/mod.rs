//! The CPU family (`kind = "cpu"`, section `[cpu]`): a multi-core CPU that runs every op of a
//! forward pass on its cores, the baseline the LUT and PIM designs are measured against.
//!
//! A roofline-plus-cache model ([`cores`]): each op takes the longer of its kernel's SIMD
//! instructions at the cores' issue rate and its bytes at the bandwidth of the level of the
//! memory hierarchy they live in, plus the DRAM latency and a per-op overhead. The weight
//! products run one of two kernels ([`kernels`], chosen by `cpu.kernel`):
//! - `tmac`: T-MAC's bit-serial table lookups (arXiv 2407.00088), whose cost grows linearly
//!   with the weight bits and the batch;
//! - `dequant`: llama.cpp's unpack-to-int8-then-SDOT (Q2_K, Q3_K, Q4_0, Q8_0), whose cost
//!   barely falls with the bits: memory bound at batch 1, compute bound at large batch.
//!
//! Attention, softmax, norms and element-wise ops run on llama.cpp's fp16/fp32 kernels. The
//! thread count is the architecture's `cores`. Ops run one after another (llama.cpp's graph
//! executor: every thread works on one op, then a barrier), so the family costs a pass op by
//! op through the [`crate::dataflow::Dataflow`] seam and declares only the sequential schedule.
//!
//! - [`config`]: the `[cpu]` section and its validation.
//! - [`kernels`]: the kernels' instruction counts, from their source.
//! - [`cores`]: the per-op cost, public for other families' host cores.
//! - [`family`]: the [`crate::family::Family`], [`crate::family::Machine`] and
//!   [`crate::dataflow::Dataflow`] implementations.

pub mod config;
pub mod cores;
pub mod family;
pub mod kernels;
