//! The `[cpu]` section of a CPU architecture, as written ([`RawCpu`]) and validated
//! ([`CpuSpec`]): which GEMM kernel the cores run, their SIMD width and issue rate, the cache
//! hierarchy's sizes and bandwidths, and what one core and the whole CPU complex draw from
//! DRAM. The core count (threads), the clock and the DRAM itself are the architecture file's
//! shared top-level fields (`cores`, `clock_mhz`, `[dram]`).

use lutforge_models::Limit;
use serde::Deserialize;

use crate::arch::Check;
use crate::error::SimError;

/// `[cpu]`: a multi-core CPU running every op of a forward pass on its cores.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCpu {
    /// The low-bit GEMM kernel: `tmac` (T-MAC's table lookups, the default) or `dequant`
    /// (llama.cpp's dequantize-then-dot-product).
    #[serde(default)]
    pub kernel: Option<String>,
    /// Width of one SIMD register, bits (128 for NEON).
    pub simd_bits: u64,
    /// SIMD instructions a core issues per cycle (its vector pipes).
    pub simd_pipes: u64,
    /// L1 data cache per core, KiB.
    pub l1d_kib: u64,
    /// L2 cache per core, KiB.
    pub l2_kib: u64,
    /// Last-level cache shared by all cores, KiB (0: none).
    pub l3_kib: u64,
    /// Bytes one core loads from its L1 per cycle.
    pub l1_bytes_per_cycle: f64,
    /// Bytes one core reads from its L2 per cycle.
    pub l2_bytes_per_cycle: f64,
    /// Bytes per core cycle the shared last-level cache delivers to all cores together
    /// (required when `l3_kib` > 0).
    #[serde(default)]
    pub l3_bytes_per_cycle: Option<f64>,
    /// DRAM bandwidth one core sustains streaming alone, GB/s (its outstanding misses over
    /// the memory latency).
    pub core_dram_gbytes_per_s: f64,
    /// DRAM bandwidth the CPU complex as a whole sustains, GB/s, when its fabric (not the
    /// DRAM) is the limit; default: the DRAM's sustained bandwidth only.
    #[serde(default)]
    pub fabric_gbytes_per_s: Option<f64>,
    /// Fraction of the SIMD issue rate llama.cpp's kernels (the dequantizing GEMM, the fp16
    /// products, attention and the vector ops) sustain; T-MAC's kernel issues at the full rate.
    pub dequant_issue_fraction: f64,
    /// Fixed time each op adds (thread fork and barrier), ns. Default 0.
    #[serde(default)]
    pub op_overhead_ns: Option<f64>,
    /// Package power while the cores compute, W: charged for the whole run (the cores'
    /// dynamic energy is in it; DRAM transfers are charged per bit on top).
    pub static_power_w: f64,
}

impl RawCpu {
    /// Range of every numeric `[cpu]` field.
    pub const LIMITS: &'static [(&'static str, Limit)] = &[
        (
            "simd_bits",
            Limit::new(
                64.0,
                2048.0,
                "bits",
                "a power of two, 64 (NEON D) to 2048 (SVE)",
            ),
        ),
        (
            "simd_pipes",
            Limit::new(1.0, 16.0, "instructions per cycle", ""),
        ),
        ("l1d_kib", Limit::new(1.0, 16_384.0, "KiB", "per core")),
        ("l2_kib", Limit::new(1.0, 1_048_576.0, "KiB", "per core")),
        ("l3_kib", Limit::new(0.0, 16_777_216.0, "KiB", "0 for none")),
        (
            "l1_bytes_per_cycle",
            Limit::new(1.0, 4096.0, "bytes per cycle", "per core"),
        ),
        (
            "l2_bytes_per_cycle",
            Limit::new(1.0, 4096.0, "bytes per cycle", "per core"),
        ),
        (
            "l3_bytes_per_cycle",
            Limit::new(1.0, 65_536.0, "bytes per cycle", "all cores together"),
        ),
        (
            "core_dram_gbytes_per_s",
            Limit::new(0.01, 10_000.0, "GB/s", "one core"),
        ),
        (
            "fabric_gbytes_per_s",
            Limit::new(0.01, 100_000.0, "GB/s", "the whole CPU complex"),
        ),
        (
            "dequant_issue_fraction",
            Limit::new(0.01, 1.0, "", "a fraction of the issue rate"),
        ),
        (
            "op_overhead_ns",
            Limit::new(0.0, 1e9, "ns", "at most 1 s per op"),
        ),
        (
            "static_power_w",
            Limit::new(0.0, 10_000.0, "W", "at most 10 kW"),
        ),
    ];
}

/// The GEMM kernel of the weight products.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kernel {
    /// T-MAC: bit-serial table lookups (arXiv 2407.00088).
    Tmac,
    /// llama.cpp: unpack to int8, then SIMD dot products.
    Dequant,
}

impl Kernel {
    /// The name used in configs and reports.
    pub fn name(self) -> &'static str {
        match self {
            Kernel::Tmac => "tmac",
            Kernel::Dequant => "dequant",
        }
    }
}

/// A validated `[cpu]` section: one core's resources and the CPU complex's limits.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CpuSpec {
    /// The low-bit GEMM kernel.
    pub kernel: Kernel,
    /// SIMD register width, bits (a power of two).
    pub simd_bits: u32,
    /// SIMD instructions issued per cycle per core.
    pub simd_pipes: u32,
    /// L1 data cache per core, bytes.
    pub l1_bytes: u64,
    /// L2 cache per core, bytes.
    pub l2_bytes: u64,
    /// Shared last-level cache, bytes (0: none).
    pub l3_bytes: u64,
    /// L1 load bandwidth per core, bytes per cycle.
    pub l1_bytes_per_cycle: f64,
    /// L2 bandwidth per core, bytes per cycle.
    pub l2_bytes_per_cycle: f64,
    /// Shared last-level cache bandwidth, bytes per cycle (0 without one).
    pub l3_bytes_per_cycle: f64,
    /// DRAM bandwidth of one core alone, bytes per second.
    pub core_dram_bytes_per_s: f64,
    /// DRAM bandwidth limit of the CPU complex, bytes per second, if it has one below the DRAM's.
    pub fabric_bytes_per_s: Option<f64>,
    /// Fraction of the issue rate llama.cpp's kernels sustain.
    pub dequant_issue_fraction: f64,
    /// Fixed time per op, seconds.
    pub op_overhead_s: f64,
    /// Package power while computing, W.
    pub static_power_w: f64,
}

impl CpuSpec {
    /// Validates `[cpu]` (errors name the file and the field).
    pub fn from_raw(raw: &RawCpu, check: &Check) -> Result<CpuSpec, SimError> {
        CpuSpec::from_raw_in(raw, check, "cpu")
    }

    /// Validates a [`RawCpu`] table found at the dotted path `section` (`cpu`, or a host
    /// CPU nested in another family's section, such as `pim.host`); errors name
    /// `section.field`.
    pub fn from_raw_in(raw: &RawCpu, check: &Check, section: &str) -> Result<CpuSpec, SimError> {
        let s = section;
        let field = |name: &str| format!("{s}.{name}");
        let int = |name: &str, v: u64| check.limited_u64(RawCpu::LIMITS, s, name, v);
        let real = |name: &str, v: f64| check.limited_f64(RawCpu::LIMITS, s, name, v);
        let kernel = match raw.kernel.as_deref() {
            None | Some("tmac") => Kernel::Tmac,
            Some("dequant") => Kernel::Dequant,
            Some(other) => {
                return Err(SimError::invalid(
                    check.file,
                    &field("kernel"),
                    format!("\"{other}\""),
                    "must be \"tmac\" or \"dequant\"",
                ))
            }
        };
        let simd_bits =
            check.power_of_two(&field("simd_bits"), int("simd_bits", raw.simd_bits)?)?;
        let l3_kib = int("l3_kib", raw.l3_kib)?;
        let l3_bytes_per_cycle = match (l3_kib, raw.l3_bytes_per_cycle) {
            (0, None) => 0.0,
            (0, Some(v)) => {
                return Err(SimError::invalid(
                    check.file,
                    &field("l3_bytes_per_cycle"),
                    lutforge_models::limits::format_number(v),
                    format!(
                        "the CPU has no last-level cache ({} = 0); remove it",
                        field("l3_kib")
                    ),
                ))
            }
            (_, Some(v)) => real("l3_bytes_per_cycle", v)?,
            (_, None) => {
                return Err(SimError::invalid(
                    check.file,
                    &field("l3_bytes_per_cycle"),
                    "missing",
                    format!(
                        "a last-level cache ({} > 0) needs its bandwidth",
                        field("l3_kib")
                    ),
                ))
            }
        };
        Ok(CpuSpec {
            kernel,
            simd_bits: simd_bits as u32,
            simd_pipes: int("simd_pipes", raw.simd_pipes)? as u32,
            l1_bytes: int("l1d_kib", raw.l1d_kib)? * 1024,
            l2_bytes: int("l2_kib", raw.l2_kib)? * 1024,
            l3_bytes: l3_kib * 1024,
            l1_bytes_per_cycle: real("l1_bytes_per_cycle", raw.l1_bytes_per_cycle)?,
            l2_bytes_per_cycle: real("l2_bytes_per_cycle", raw.l2_bytes_per_cycle)?,
            l3_bytes_per_cycle,
            core_dram_bytes_per_s: real("core_dram_gbytes_per_s", raw.core_dram_gbytes_per_s)?
                * 1e9,
            fabric_bytes_per_s: raw
                .fabric_gbytes_per_s
                .map(|v| real("fabric_gbytes_per_s", v).map(|v| v * 1e9))
                .transpose()?,
            dequant_issue_fraction: real("dequant_issue_fraction", raw.dequant_issue_fraction)?,
            op_overhead_s: real("op_overhead_ns", raw.op_overhead_ns.unwrap_or(0.0))? * 1e-9,
            static_power_w: real("static_power_w", raw.static_power_w)?,
        })
    }
}
