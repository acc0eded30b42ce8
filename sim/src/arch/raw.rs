//! The architecture file as written: serde structs that mirror the TOML one to one.
//!
//! Nothing here is validated; [`crate::family::Registry::parse_arch`] turns a [`RawArch`] into an [`super::Arch`]
//! that cannot hold an illegal value.

use lutforge_models::Limit;
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
    /// Where matrix products the matrix unit cannot run go; default: the vector unit.
    #[serde(default)]
    pub fallback: Option<RawFallback>,
    /// Where attention runs and whether it is fused; default: on the matrix unit, unfused.
    #[serde(default)]
    pub attention: Option<RawAttention>,
    /// What running the machine costs, for tokens per dollar; default: not priced.
    #[serde(default)]
    pub cost: Option<RawCost>,
}

/// `[cost]`: the price of running the machine.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCost {
    /// Price of one hour of the machine (a cloud instance's on-demand rate, or purchase price
    /// amortized over its service hours), US dollars; cite it beside the value.
    pub dollars_per_hour: f64,
}

impl RawCost {
    /// Range of every numeric `[cost]` field.
    pub const LIMITS: &'static [(&'static str, Limit)] = &[(
        "dollars_per_hour",
        Limit::new(1e-6, 1e6, "$/h", "a positive price"),
    )];
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

impl RawArch {
    /// Range of every numeric top-level field.
    pub const LIMITS: &'static [(&'static str, Limit)] = &[
        (
            "clock_mhz",
            Limit::new(
                1.0,
                20_000.0,
                "MHz",
                "1 MHz to 20 GHz covers every CMOS design",
            ),
        ),
        (
            "tech_node_nm",
            Limit::new(
                1.0,
                250.0,
                "nm",
                "the energy and area rules scale from 45 nm",
            ),
        ),
        ("cores", Limit::new(1.0, 65_536.0, "cores", "")),
    ];
}

impl RawBuffers {
    /// Range of every numeric `[buffers]` field.
    pub const LIMITS: &'static [(&'static str, Limit)] = &[
        (
            "activation_kib",
            Limit::new(1.0, 1_048_576.0, "KiB", "at most 1 GiB per core"),
        ),
        (
            "weight_kib",
            Limit::new(1.0, 1_048_576.0, "KiB", "at most 1 GiB per core"),
        ),
        (
            "output_kib",
            Limit::new(1.0, 1_048_576.0, "KiB", "at most 1 GiB per core"),
        ),
        (
            "table_kib",
            Limit::new(1.0, 1_048_576.0, "KiB", "at most 1 GiB per core"),
        ),
    ];
}

/// `[fallback]`: the unit that runs the matrix products the matrix unit cannot (an fp16 LM
/// head on a LUT array, an 8-bit KV cache on a 4-bit array).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawFallback {
    /// `vector` (the vector unit's fp16 lanes), `fp16_mac` (a side array of fp16 MACs) or
    /// `none` (such ops are an error).
    pub unit: String,
    /// fp16 multiply-adds per cycle per core of the `fp16_mac` side array.
    #[serde(default)]
    pub macs_per_cycle: Option<u64>,
}

/// `[attention]`: where the two matrix products of attention run, and whether they are fused.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawAttention {
    /// `matrix` (the default) or `fallback`.
    #[serde(default)]
    pub unit: Option<String>,
    /// Scores and probabilities stay on chip (FlashAttention-style tiling). Default `false`.
    #[serde(default)]
    pub fused: Option<bool>,
}

impl RawFallback {
    /// Range of every numeric `[fallback]` field.
    pub const LIMITS: &'static [(&'static str, Limit)] = &[(
        "macs_per_cycle",
        Limit::new(1.0, 65536.0, "fp16 multiply-adds per cycle", "per core"),
    )];
}

impl RawVector {
    /// Range of every numeric `[vector]` field.
    pub const LIMITS: &'static [(&'static str, Limit)] =
        &[("lanes", Limit::new(1.0, 4096.0, "lanes", "a power of two"))];
}

impl RawDram {
    /// Range of every numeric `[dram]` field.
    pub const LIMITS: &'static [(&'static str, Limit)] = &[
        (
            "bandwidth_gbytes_per_s",
            Limit::new(1e-3, 1e5, "GB/s", "1 MB/s to 100 TB/s"),
        ),
        (
            "sustained_fraction",
            Limit::new(0.01, 1.0, "", "a fraction of the peak"),
        ),
        ("latency_ns", Limit::new(0.0, 1e6, "ns", "at most 1 ms")),
        ("energy_pj_per_bit", Limit::new(0.0, 1000.0, "pJ/bit", "")),
        (
            "capacity_gbytes",
            Limit::new(1e-3, 1e5, "GB", "1 MB to 100 TB"),
        ),
    ];
}

impl RawPower {
    /// Range of every numeric `[power]` field.
    pub const LIMITS: &'static [(&'static str, Limit)] = &[
        (
            "logic_leakage_mw_per_mm2",
            Limit::new(0.0, 10_000.0, "mW/mm^2", "at most 10 W per mm^2"),
        ),
        (
            "sram_leakage_mw_per_mm2",
            Limit::new(0.0, 10_000.0, "mW/mm^2", "at most 10 W per mm^2"),
        ),
        ("uncore_mw", Limit::new(0.0, 1e7, "mW", "at most 10 kW")),
    ];
}
