//! On-chip buffers, the vector unit, DRAM and static power, validated.

use super::raw::{RawBuffers, RawCost, RawDram, RawPower, RawVector};
use super::Check;
use crate::error::SimError;

/// Per-core SRAM buffers, bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Buffers {
    /// Activation buffer.
    pub activation_bytes: u64,
    /// Weight buffer (both halves of the double buffer).
    pub weight_bytes: u64,
    /// Output buffer.
    pub output_bytes: u64,
    /// Table buffer, for LUT arrays.
    pub table_bytes: Option<u64>,
}

impl Buffers {
    /// Validates a `[buffers]` section.
    pub fn from_raw(raw: &RawBuffers, check: &Check) -> Result<Buffers, SimError> {
        let kib = |field: &str, v: u64| -> Result<u64, SimError> {
            Ok(check.limited_u64(RawBuffers::LIMITS, "buffers", field, v)? * 1024)
        };
        Ok(Buffers {
            activation_bytes: kib("activation_kib", raw.activation_kib)?,
            weight_bytes: kib("weight_kib", raw.weight_kib)?,
            output_bytes: kib("output_kib", raw.output_kib)?,
            table_bytes: raw.table_kib.map(|v| kib("table_kib", v)).transpose()?,
        })
    }
}

/// The vector unit of one core.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct VectorUnit {
    /// FP16 operations per cycle, a power of two up to 4096.
    pub lanes: u32,
}

impl VectorUnit {
    pub(crate) fn from_raw(raw: &RawVector, check: &Check) -> Result<VectorUnit, SimError> {
        let lanes = check.limited_u64(RawVector::LIMITS, "vector", "lanes", raw.lanes)?;
        Ok(VectorUnit {
            lanes: check.power_of_two("vector.lanes", lanes)? as u32,
        })
    }
}

/// Off-chip memory shared by all cores.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Dram {
    /// Peak bandwidth, bytes per second.
    pub peak_bytes_per_s: f64,
    /// Fraction of the peak that streaming transfers sustain, in (0, 1].
    pub sustained_fraction: f64,
    /// First-byte latency of a transfer, seconds.
    pub latency_s: f64,
    /// Energy per bit moved, pJ.
    pub energy_pj_per_bit: f64,
    /// Capacity, bytes.
    pub capacity_bytes: u64,
}

impl Dram {
    pub(crate) fn from_raw(raw: &RawDram, check: &Check) -> Result<Dram, SimError> {
        let f = |name: &str, v: f64| check.limited_f64(RawDram::LIMITS, "dram", name, v);
        Ok(Dram {
            peak_bytes_per_s: f("bandwidth_gbytes_per_s", raw.bandwidth_gbytes_per_s)? * 1e9,
            sustained_fraction: f("sustained_fraction", raw.sustained_fraction)?,
            latency_s: f("latency_ns", raw.latency_ns)? * 1e-9,
            energy_pj_per_bit: f("energy_pj_per_bit", raw.energy_pj_per_bit)?,
            capacity_bytes: (f("capacity_gbytes", raw.capacity_gbytes)? * 1e9) as u64,
        })
    }

    /// The bandwidth streaming transfers get, bytes per second.
    pub fn sustained_bytes_per_s(&self) -> f64 {
        self.peak_bytes_per_s * self.sustained_fraction
    }
}

/// The price of running the machine (`[cost]`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Cost {
    /// US dollars per hour of the machine.
    pub dollars_per_hour: f64,
}

impl Cost {
    /// Validates `[cost]` (`None` when the file has none).
    pub(crate) fn from_raw(raw: Option<&RawCost>, check: &Check) -> Result<Option<Cost>, SimError> {
        raw.map(|raw| {
            Ok(Cost {
                dollars_per_hour: check.limited_f64(
                    RawCost::LIMITS,
                    "cost",
                    "dollars_per_hour",
                    raw.dollars_per_hour,
                )?,
            })
        })
        .transpose()
    }

    /// Tokens bought by one dollar at `tokens_per_s`.
    pub fn tokens_per_dollar(&self, tokens_per_s: f64) -> f64 {
        tokens_per_s * 3600.0 / self.dollars_per_hour
    }
}

/// Static power: leakage per area of logic and SRAM, and a fixed uncore power.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StaticPower {
    /// Logic leakage, W per mm^2.
    pub logic_w_per_mm2: f64,
    /// SRAM leakage, W per mm^2.
    pub sram_w_per_mm2: f64,
    /// Uncore power, W.
    pub uncore_w: f64,
}

impl StaticPower {
    /// Validates `[power]`; without it, the cited defaults of [`crate::energy::constants`],
    /// which hold only at their node.
    pub(crate) fn from_raw(
        raw: Option<&RawPower>,
        tech_node_nm: f64,
        check: &Check,
    ) -> Result<StaticPower, SimError> {
        use crate::energy::constants::{STATIC_POWER_NODE_NM, STATIC_W_PER_MM2_28NM};
        let Some(raw) = raw else {
            if (tech_node_nm - STATIC_POWER_NODE_NM).abs() > 1e-9 {
                return Err(SimError::invalid(
                    check.file,
                    "power",
                    "missing",
                    format!("the default leakage is a {STATIC_POWER_NODE_NM} nm figure and this design is at tech_node_nm = {tech_node_nm}; give a [power] section (logic_leakage_mw_per_mm2, sram_leakage_mw_per_mm2, uncore_mw) for its node"),
                ));
            }
            return Ok(StaticPower {
                logic_w_per_mm2: STATIC_W_PER_MM2_28NM,
                sram_w_per_mm2: STATIC_W_PER_MM2_28NM,
                uncore_w: 0.0,
            });
        };
        let f = |name: &str, v: f64| check.limited_f64(RawPower::LIMITS, "power", name, v);
        Ok(StaticPower {
            logic_w_per_mm2: f("logic_leakage_mw_per_mm2", raw.logic_leakage_mw_per_mm2)? * 1e-3,
            sram_w_per_mm2: f("sram_leakage_mw_per_mm2", raw.sram_leakage_mw_per_mm2)? * 1e-3,
            uncore_w: f("uncore_mw", raw.uncore_mw)? * 1e-3,
        })
    }

    /// Static power of a design of `area`, W.
    pub fn watts(&self, area: &crate::energy::area::AreaBreakdown) -> f64 {
        (area.matrix_mm2 + area.vector_mm2 + area.fallback_mm2) * self.logic_w_per_mm2
            + area.sram_mm2 * self.sram_w_per_mm2
            + self.uncore_w
    }
}
