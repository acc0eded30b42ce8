//! The architecture file as written: serde structs that mirror the TOML one to one.
//!
//! Nothing here is validated; [`super::Arch::from_raw`] turns a [`RawArch`] into an [`super::Arch`]
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
    /// Which architecture: `lut_tensor_core`, `mac_tensor_core` or `systolic`.
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
    /// LUT tensor-core array (kind = `lut_tensor_core`).
    #[serde(default)]
    pub lut: Option<RawLut>,
    /// MAC tensor-core array (kind = `mac_tensor_core`).
    #[serde(default)]
    pub mac: Option<RawMac>,
    /// Systolic array (kind = `systolic`).
    #[serde(default)]
    pub systolic: Option<crate::systolic::RawSystolic>,
    /// Per-core on-chip buffers (LUT and MAC kinds; a systolic array's come from `[systolic]`).
    #[serde(default)]
    pub buffers: Option<RawBuffers>,
    /// Vector unit for softmax, norms and element-wise ops.
    pub vector: RawVector,
    /// Off-chip memory.
    pub dram: RawDram,
}

/// `[lut]`: one LUT tensor-core tile engine per core.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawLut {
    /// Activation rows per tile (rows that share each weight column's lookups).
    pub tile_m: u64,
    /// Weight columns per tile (columns that share each table).
    pub tile_n: u64,
    /// Reduction depth per tile pass; a multiple of `group`.
    pub tile_k: u64,
    /// Activations per table (g); tables have 2^g entries, 2^(g-1) when symmetric.
    pub group: u64,
    /// Store half of each table and take the sign from the index MSB.
    pub symmetric: bool,
    /// Widest weight the bit-serial array processes (bit planes per pass sequence).
    pub max_weight_bits: u64,
    /// Activation width, bits (signed integer).
    pub act_bits: u64,
    /// Accumulator width, bits.
    pub acc_bits: u64,
    /// `fused` (tables built while the previous chunk is looked up) or `standalone`.
    pub precompute: String,
}

/// `[mac]`: a dequantize-then-multiply tensor core.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawMac {
    /// Output rows per tile.
    pub tile_m: u64,
    /// Output columns per tile.
    pub tile_n: u64,
    /// Dot-product depth each MAC unit reduces per cycle.
    pub tile_k: u64,
    /// Multiplier input width, bits (weights are dequantized to it).
    pub mult_bits: u64,
    /// Accumulator width, bits.
    pub acc_bits: u64,
    /// Pipeline depth of the MAC tree, cycles.
    pub pipeline_cycles: u64,
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
    /// Latency of the first byte of a transfer, ns.
    pub latency_ns: f64,
    /// Energy per bit transferred, pJ.
    pub energy_pj_per_bit: f64,
}
