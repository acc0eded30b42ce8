//! Design-space sweeps: a space file (base architecture and workload, axes over their fields, a
//! sampling strategy) expands into numbered points; each point evaluates to one JSON line.
//!
//! JSONL line schema (version 1), one object per point:
//! `{"sweep": "<name>#<hash>", "id": <point index>, "total": <points in the sweep>,
//!   "point": {<axis field>: <value>, ...}, "status": "ok" | "rejected",
//!   "kind": "<architecture kind of the point>",
//!   "reason": "<why rejected>" (rejected only), "metrics": {<metric>: <number>, ...} (ok only)}`.
//! Metrics: `tokens_per_s` (decode, over the batch), `e2e_tokens_per_s`, `ttft_s`, `tpot_s`,
//! `energy_per_token_j` (decode), `tokens_per_j`, `total_energy_j`, `area_mm2`, `dram_bytes`,
//! `stall_fraction`. An axis `field = "arch"` takes architecture files as values (relative to the
//! space file): each point starts from its file, so one sweep compares kinds (LUT against MAC);
//! the other axes must name fields every such file has. A point's line depends only on the space file and the point's id, never on
//! thread count, sharding or order of completion.

pub mod eval;
pub mod sample;
pub mod space;

pub use eval::{evaluate, SweepLine};
pub use space::{Axis, Space, Strategy};
