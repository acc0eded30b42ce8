//! The architecture file as written: serde structs that mirror the TOML one to one.
//!
//! Nothing here is validated; [`crate::family::Registry::parse_arch`] turns a [`RawArch`] into an [`super::Arch`]
//! that cannot hold an illegal value.

use serde::Deserialize;

/// Top level of an architecture file (`configs/arch/*.toml`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawArch {
    /// Short name used in reports.
    pub name: String,
    /// One-line description.
    #[serde(default)]
    pub description: String,
    /// Which architecture family (`lutforge list` names them); its own section (`[lut]`,
    /// `[mac]`, `[systolic]`, ...) is taken out and validated by the family before this struct
    /// is read.
    pub kind: String,
    /// Core clock, MHz.
    pub clock_mhz: f64,
    /// Technology node the energy and area models scale to, nm. Default 28.
    #[serde(default)]
    pub tech_node_nm: Option<f64>,
    /// Identical compute cores sharing the DRAM interface. Default 1.
    #[serde(default)]
    pub cores: Option<u64>,
    /// Formats used when the model's native format cannot run here.
    #[serde(default)]
    pub default_quant: Option<String>,
    /// `sequential`, `overlapped` or `streaming`; default: the family's first schedule.
    #[serde(default)]
    pub schedule: Option<String>,
    /// Per-core on-chip buffers (LUT and MAC kinds; a systolic array's come from `[systolic]`).
    #[serde(default)]
    pub buffers: Option<RawBuffers>,
    /// Vector unit for softmax, norms and element-wise ops.
    pub vector: RawVector,
    /// Off-chip memory.
    pub dram: RawDram,
    /// Leakage and uncore power; default: the cited 28 nm figures of `energy::constants`.
    #[serde(default)]
    pub power: Option<RawPower>,
}

/// `[buffers]`: on-chip SRAM per core, KiB.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawBuffers {
    /// Activation (input) buffer.
    pub activation_kib: u64,
    /// Weight buffer, double-buffered (each half holds one chunk).
    pub weight_kib: u64,
    /// Output (accumulator) buffer.
    pub output_kib: u64,
    /// Table buffer (LUT architectures only).
    #[serde(default)]
    pub table_kib: Option<u64>,
}

/// `[vector]`: the vector unit of each core.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawVector {
    /// Lanes; each does one FP16 operation per cycle.
    pub lanes: u64,
}

/// `[dram]`: off-chip memory shared by all cores.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawDram {
    /// Peak bandwidth, GB/s (10^9 bytes per second).
    pub bandwidth_gbytes_per_s: f64,
    /// Fraction of the peak that streaming transfers sustain (0 < f <= 1).
    pub sustained_fraction: f64,
    /// Latency of the first byte of a transfer, ns.
    pub latency_ns: f64,
    /// Energy per bit transferred, pJ.
    pub energy_pj_per_bit: f64,
    /// Capacity, GB (10^9 bytes): weights, KV cache and activations must fit.
    pub capacity_gbytes: f64,
}

/// `[power]`: static power, charged for the whole run time.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPower {
    /// Leakage of logic (matrix and vector units), mW per mm^2 at the design's node.
    pub logic_leakage_mw_per_mm2: f64,
    /// Leakage of on-chip SRAM, mW per mm^2 at the design's node.
    pub sram_leakage_mw_per_mm2: f64,
    /// Fixed uncore power (clock tree, interconnect, PHYs, control), mW.
    pub uncore_mw: f64,
}
