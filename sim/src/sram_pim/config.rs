//! The `[sram_pim]` section of an SRAM processing-in-memory architecture, as written
//! ([`RawSramPim`]) and validated ([`SramPim`]): the LUT-GEMV bank of every compute-capable
//! subarray ([`super::bank::BankSpec`]), how many of them the last-level cache has
//! (slices x banks x subarrays, of which `compute_subarrays_per_bank` compute), the link
//! between the arrays and the cores, the activation distribution the pattern-aware build is
//! measured on, and the host CPU (`[sram_pim.host]`, a `[cpu]` table) that runs what the
//! arrays do not. The core count and clock are the architecture's `cores` and `clock_mhz`;
//! the banks run at that clock.

use lutforge_models::Limit;
use serde::Deserialize;

use super::bank::pattern::SyntheticActs;
use super::bank::BankSpec;
use crate::arch::Check;
use crate::cpu::config::{CpuSpec, RawCpu};
use crate::error::SimError;

/// `[sram_pim]`: LUT-GEMV banks in a CPU's last-level cache.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSramPim {
    /// Cache slices.
    pub slices: u64,
    /// SRAM banks per slice.
    pub banks_per_slice: u64,
    /// Subarrays per bank.
    pub subarrays_per_bank: u64,
    /// Compute-capable subarrays per bank (each with a LUT-GEMV periphery).
    pub compute_subarrays_per_bank: u64,
    /// Word lines of a subarray (a power of two).
    pub rows: u64,
    /// Bit cells per word line.
    pub columns: u64,
    /// Column-multiplexer ways (a power of two).
    pub column_mux: u64,
    /// Activations per table group, `g` (a table of `2^g` entries).
    pub group: u64,
    /// Cycles of one word read.
    pub row_cycles: u64,
    /// Cycles of one lookup/accumulate per token.
    pub lookup_cycles: u64,
    /// Table entries built per cycle.
    pub build_adds_per_cycle: u64,
    /// Accumulator width, bits.
    pub acc_bits: u64,
    /// Tokens per bank job (table slots, a power of two).
    pub max_batch: u64,
    /// Output tiles per bank job (a power of two).
    pub max_tiles: u64,
    /// Conversion units per bank (in-memory type conversion).
    pub converters: u64,
    /// Whether repeated and all-zero activation patterns skip their table build.
    pub pattern_aware: bool,
    /// Bandwidth between the arrays and the cores (activations in, results out), GB/s.
    pub link_gbytes_per_s: f64,
    /// The activation distribution the pattern-aware build is measured on.
    pub activations: RawActivations,
    /// The host CPU, a `[cpu]` table: attention, softmax, norms and element-wise ops, and the
    /// weight products the banks cannot take.
    pub host: RawCpu,
}

/// `[sram_pim.activations]`: the synthetic INT8 activations the pattern rule is measured on
/// ([`SyntheticActs`]: Laplace values, outlier channels, exact zeros, quantized per token).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawActivations {
    /// `uniform` (uniform INT8) or `laplace` (the other fields apply).
    pub distribution: String,
    /// Probability of an exact zero.
    #[serde(default)]
    pub zero_fraction: f64,
    /// Every this many channels is an outlier channel (0: none).
    #[serde(default)]
    pub outlier_every: u64,
    /// Gain of the outlier channels.
    #[serde(default = "unit_gain")]
    pub outlier_gain: f64,
    /// Seed of the draws.
    #[serde(default)]
    pub seed: u64,
}

fn unit_gain() -> f64 {
    1.0
}

impl RawSramPim {
    /// Range of the organization's and the link's fields; the bank's fields take
    /// [`BankSpec::LIMITS`].
    pub const LIMITS: &'static [(&'static str, Limit)] = &[
        ("slices", Limit::new(1.0, 1024.0, "slices", "")),
        ("banks_per_slice", Limit::new(1.0, 1024.0, "banks", "")),
        (
            "subarrays_per_bank",
            Limit::new(1.0, 1024.0, "subarrays", ""),
        ),
        (
            "compute_subarrays_per_bank",
            Limit::new(1.0, 1024.0, "subarrays", "at most subarrays_per_bank"),
        ),
        (
            "link_gbytes_per_s",
            Limit::new(1e-3, 1e5, "GB/s", "1 MB/s to 100 TB/s"),
        ),
    ];
}

impl RawActivations {
    /// Range of every numeric `[sram_pim.activations]` field.
    pub const LIMITS: &'static [(&'static str, Limit)] = &[
        ("zero_fraction", Limit::new(0.0, 1.0, "", "a probability")),
        ("outlier_every", Limit::new(0.0, 65536.0, "channels", "")),
        ("outlier_gain", Limit::new(1.0, 1e4, "", "")),
        (
            "seed",
            Limit::new(0.0, 1.8e19, "", "any 64-bit unsigned integer"),
        ),
    ];
}

/// A validated `[sram_pim]`.
#[derive(Debug, Clone, PartialEq)]
pub struct SramPim {
    /// The bank of every compute-capable subarray.
    pub bank: BankSpec,
    /// Cache slices.
    pub slices: u64,
    /// Banks per slice.
    pub banks_per_slice: u64,
    /// Subarrays per bank.
    pub subarrays_per_bank: u64,
    /// Compute-capable subarrays per bank.
    pub compute_subarrays_per_bank: u64,
    /// Array-to-core bandwidth, bytes per second.
    pub link_bytes_per_s: f64,
    /// The activations the pattern rule is measured on.
    pub activations: SyntheticActs,
    /// Their seed.
    pub activation_seed: u64,
    /// The host CPU.
    pub host: CpuSpec,
}

impl SramPim {
    /// Subarrays of the whole cache.
    pub fn subarrays(&self) -> u64 {
        self.slices * self.banks_per_slice * self.subarrays_per_bank
    }

    /// Compute-capable subarrays (banks of [`BankSpec`]) of the whole cache.
    pub fn compute_subarrays(&self) -> u64 {
        self.slices * self.banks_per_slice * self.compute_subarrays_per_bank
    }

    /// Validates `raw`.
    pub fn from_raw(raw: &RawSramPim, check: &Check) -> Result<SramPim, SimError> {
        let s = "sram_pim";
        let org = |name: &str, v: u64| check.limited_u64(RawSramPim::LIMITS, s, name, v);
        let bank_field = |name: &str, v: u64| -> Result<u32, SimError> {
            Ok(check.limited_u64(BankSpec::LIMITS, s, name, v)? as u32)
        };
        let bank = BankSpec {
            rows: bank_field("rows", raw.rows)?,
            columns: bank_field("columns", raw.columns)?,
            column_mux: bank_field("column_mux", raw.column_mux)?,
            group: bank_field("group", raw.group)?,
            row_cycles: bank_field("row_cycles", raw.row_cycles)?,
            lookup_cycles: bank_field("lookup_cycles", raw.lookup_cycles)?,
            build_adds_per_cycle: bank_field("build_adds_per_cycle", raw.build_adds_per_cycle)?,
            acc_bits: bank_field("acc_bits", raw.acc_bits)?,
            max_batch: bank_field("max_batch", raw.max_batch)?,
            max_tiles: bank_field("max_tiles", raw.max_tiles)?,
            converters: bank_field("converters", raw.converters)?,
            pattern_aware: raw.pattern_aware,
        };
        bank.validate()
            .map_err(|e| SimError::invalid(check.file, s, "", e.to_string()))?;
        let subarrays_per_bank = org("subarrays_per_bank", raw.subarrays_per_bank)?;
        let compute = org("compute_subarrays_per_bank", raw.compute_subarrays_per_bank)?;
        if compute > subarrays_per_bank {
            return Err(SimError::invalid(
                check.file,
                "sram_pim.compute_subarrays_per_bank",
                compute,
                format!("must be at most sram_pim.subarrays_per_bank ({subarrays_per_bank})"),
            ));
        }
        let a = &raw.activations;
        let sa = "sram_pim.activations";
        let real = |name: &str, v: f64| check.limited_f64(RawActivations::LIMITS, sa, name, v);
        let activations = SyntheticActs {
            uniform: match a.distribution.as_str() {
                "uniform" => true,
                "laplace" => false,
                other => {
                    return Err(SimError::invalid(
                        check.file,
                        "sram_pim.activations.distribution",
                        format!("\"{other}\""),
                        "must be \"uniform\" or \"laplace\"",
                    ))
                }
            },
            zero_fraction: real("zero_fraction", a.zero_fraction)?,
            outlier_every: check.limited_u64(
                RawActivations::LIMITS,
                sa,
                "outlier_every",
                a.outlier_every,
            )? as usize,
            outlier_gain: real("outlier_gain", a.outlier_gain)?,
        };
        Ok(SramPim {
            bank,
            slices: org("slices", raw.slices)?,
            banks_per_slice: org("banks_per_slice", raw.banks_per_slice)?,
            subarrays_per_bank,
            compute_subarrays_per_bank: compute,
            link_bytes_per_s: check.limited_f64(
                RawSramPim::LIMITS,
                s,
                "link_gbytes_per_s",
                raw.link_gbytes_per_s,
            )? * 1e9,
            activations,
            activation_seed: a.seed,
            host: CpuSpec::from_raw_in(&raw.host, check, "sram_pim.host")?,
        })
    }
}
