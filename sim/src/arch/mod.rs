//! Architectures the simulator models, loaded from `configs/arch/*.toml`.
//!
//! Loading goes in two stages: the file parses into [`raw::RawArch`] (serde,
//! `deny_unknown_fields`), then [`Arch::from_raw`] validates every field once, naming the file,
//! field and value of the first illegal one. An [`Arch`] cannot hold an illegal value, so the
//! mapper and engine never re-check.

pub mod lut;
pub mod mac;
pub mod memory;
pub mod raw;

use std::path::Path;

use lutforge_models::QuantScheme;

pub use lut::{LutArray, Precompute};
pub use mac::MacArray;
pub use memory::{Buffers, Dram, VectorUnit};

use crate::error::SimError;
use crate::systolic::{RawSystolic, SystolicArray};
use raw::{RawArch, RawBuffers};

/// The embedded default architecture (`configs/arch/lut-tc.toml`), used when `--arch` is absent.
pub const DEFAULT_ARCH_TOML: &str = include_str!("../../../configs/arch/lut-tc.toml");

/// The registry of architecture kinds: the `kind` string and a one-line description.
pub const KINDS: &[(&str, &str)] = &[
    (
        "lut_tensor_core",
        "LUT tensor core: precomputed activation tables, bit-serial weights, elongated tiles",
    ),
    (
        "mac_tensor_core",
        "MAC tensor core: weights dequantized to the activation format, then multiplied",
    ),
    (
        "systolic",
        "systolic array (os/ws/is dataflows), SCALE-Sim's fold model: the INT8 baseline",
    ),
];

/// The matrix engine of a core: what kind of array it is and its parameters.
#[derive(Debug, Clone, PartialEq)]
pub enum MatrixUnit {
    /// A LUT tensor-core tile engine.
    Lut(LutArray),
    /// A dequantize-then-multiply MAC array.
    Mac(MacArray),
    /// A systolic array; DRAM traffic and stalls come from the shared `[dram]` model.
    Systolic(SystolicArray),
}

/// A validated architecture.
#[derive(Debug, Clone, PartialEq)]
pub struct Arch {
    /// Short name used in reports.
    pub name: String,
    /// One-line description.
    pub description: String,
    /// Core clock, MHz (positive, finite).
    pub clock_mhz: f64,
    /// Technology node for energy and area scaling, nm.
    pub tech_node_nm: f64,
    /// Identical cores (at least 1).
    pub cores: u64,
    /// Formats substituted, part by part, when the model's native format cannot run here.
    pub default_quant: Option<QuantScheme>,
    /// The matrix engine of each core.
    pub matrix: MatrixUnit,
    /// Per-core buffers.
    pub buffers: Buffers,
    /// Per-core vector unit.
    pub vector: VectorUnit,
    /// Shared off-chip memory.
    pub dram: Dram,
    /// The file it came from (`<builtin>` for the embedded default); errors name it.
    pub source: String,
    /// The TOML text it was parsed from, recorded in reports so a result can be reproduced.
    pub toml: String,
}

impl Arch {
    /// Reads and validates an architecture file.
    pub fn from_file(path: &Path) -> Result<Arch, SimError> {
        let file = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| SimError::Read {
            file: file.clone(),
            message: e.to_string(),
        })?;
        Arch::from_toml_str(&text, &file)
    }

    /// The embedded default architecture.
    pub fn builtin_default() -> Result<Arch, SimError> {
        Arch::from_toml_str(DEFAULT_ARCH_TOML, "<builtin lut-tc.toml>")
    }

    /// Parses and validates TOML text; `file` names the source in errors.
    pub fn from_toml_str(text: &str, file: &str) -> Result<Arch, SimError> {
        let raw: RawArch = toml::from_str(text).map_err(|e| SimError::Parse {
            file: file.to_string(),
            message: toml_message(text, &e),
        })?;
        let mut arch = Arch::from_raw(raw, file)?;
        arch.toml = text.to_string();
        Ok(arch)
    }

    /// Validates a parsed file.
    pub fn from_raw(raw: RawArch, file: &str) -> Result<Arch, SimError> {
        let check = Check { file };
        if raw.name.trim().is_empty() {
            return Err(SimError::invalid(file, "name", "\"\"", "must not be empty"));
        }
        let clock_mhz = check.positive_f64("clock_mhz", raw.clock_mhz)?;
        let tech_node_nm = check.positive_f64("tech_node_nm", raw.tech_node_nm.unwrap_or(28.0))?;
        let cores = check.in_range("cores", raw.cores.unwrap_or(1), 1, 65_536)?;
        let default_quant = match &raw.default_quant {
            None => None,
            Some(text) => Some(text.parse::<QuantScheme>().map_err(|e| {
                SimError::invalid(file, "default_quant", format!("\"{text}\""), e.to_string())
            })?),
        };
        let buffers = match (&raw.buffers, &raw.systolic) {
            (Some(b), None) => Buffers::from_raw(b, &check)?,
            (Some(_), Some(_)) => {
                return Err(SimError::invalid(
                    file,
                    "buffers",
                    "present",
                    "a systolic array's buffers are its [systolic] SRAMs; remove [buffers]",
                ))
            }
            (None, Some(s)) => Buffers::from_raw(
                &RawBuffers {
                    activation_kib: s.ifmap_sram_kib,
                    weight_kib: s.filter_sram_kib,
                    output_kib: s.ofmap_sram_kib,
                    table_kib: None,
                },
                &check,
            )?,
            (None, None) => {
                return Err(SimError::invalid(
                    file,
                    "buffers",
                    "missing",
                    "needs a [buffers] section",
                ))
            }
        };
        let vector = VectorUnit::from_raw(&raw.vector, &check)?;
        let dram = Dram::from_raw(&raw.dram, &check)?;
        let matrix = match raw.kind.as_str() {
            "lut_tensor_core" => {
                check.forbid_section("mac", raw.mac.is_some(), &raw.kind)?;
                check.forbid_section("systolic", raw.systolic.is_some(), &raw.kind)?;
                let lut = raw.lut.as_ref().ok_or_else(|| {
                    SimError::invalid(
                        file,
                        "lut",
                        "missing",
                        "kind `lut_tensor_core` needs a [lut] section",
                    )
                })?;
                MatrixUnit::Lut(LutArray::from_raw(lut, &buffers, &check)?)
            }
            "mac_tensor_core" => {
                check.forbid_section("lut", raw.lut.is_some(), &raw.kind)?;
                check.forbid_section("systolic", raw.systolic.is_some(), &raw.kind)?;
                let mac = raw.mac.as_ref().ok_or_else(|| {
                    SimError::invalid(
                        file,
                        "mac",
                        "missing",
                        "kind `mac_tensor_core` needs a [mac] section",
                    )
                })?;
                MatrixUnit::Mac(MacArray::from_raw(mac, &check)?)
            }
            "systolic" => {
                check.forbid_section("lut", raw.lut.is_some(), &raw.kind)?;
                check.forbid_section("mac", raw.mac.is_some(), &raw.kind)?;
                let sys = raw.systolic.as_ref().ok_or_else(|| {
                    SimError::invalid(
                        file,
                        "systolic",
                        "missing",
                        "kind `systolic` needs a [systolic] section",
                    )
                })?;
                MatrixUnit::Systolic(systolic_for_engine(sys, file)?)
            }
            other => {
                let known: Vec<&str> = KINDS.iter().map(|(k, _)| *k).collect();
                return Err(SimError::invalid(
                    file,
                    "kind",
                    format!("\"{other}\""),
                    format!("unknown architecture kind; known: {}", known.join(", ")),
                ));
            }
        };
        if !matches!(matrix, MatrixUnit::Lut(_)) {
            if let Some(kib) = raw.buffers.as_ref().and_then(|b| b.table_kib) {
                return Err(SimError::invalid(
                    file,
                    "buffers.table_kib",
                    kib,
                    "only LUT architectures have a table buffer",
                ));
            }
        }
        Ok(Arch {
            name: raw.name,
            description: raw.description,
            clock_mhz,
            tech_node_nm,
            cores,
            default_quant,
            matrix,
            buffers,
            vector,
            dram,
            source: file.to_string(),
            toml: String::new(),
        })
    }

    /// The architecture kind string, as written in the file.
    pub fn kind(&self) -> &'static str {
        match self.matrix {
            MatrixUnit::Lut(_) => "lut_tensor_core",
            MatrixUnit::Mac(_) => "mac_tensor_core",
            MatrixUnit::Systolic(_) => "systolic",
        }
    }

    /// Seconds per core clock cycle.
    pub fn seconds_per_cycle(&self) -> f64 {
        1e-6 / self.clock_mhz
    }
}

/// The `[systolic]` section as the engine uses it: DRAM comes from `[dram]`, so SCALE-Sim's
/// per-port bandwidth settings (`bandwidth_mode`, `dram_words_per_cycle`), which only the
/// `scalesim` front end uses, are an error here rather than silently ignored.
fn systolic_for_engine(raw: &RawSystolic, file: &str) -> Result<SystolicArray, SimError> {
    if let Some(mode) = &raw.bandwidth_mode {
        return Err(SimError::invalid(
            file,
            "systolic.bandwidth_mode",
            format!("\"{mode}\""),
            "simulate takes DRAM bandwidth from [dram]; remove this field",
        ));
    }
    if let Some(words) = raw.dram_words_per_cycle {
        return Err(SimError::invalid(
            file,
            "systolic.dram_words_per_cycle",
            words,
            "simulate takes DRAM bandwidth from [dram]; remove this field",
        ));
    }
    let calc = RawSystolic {
        bandwidth_mode: Some("calc".to_string()),
        ..raw.clone()
    };
    SystolicArray::from_raw(&calc, file)
}

/// Field checks that produce errors naming the file.
pub(crate) struct Check<'a> {
    pub(crate) file: &'a str,
}

impl Check<'_> {
    /// A strictly positive, finite float.
    pub(crate) fn positive_f64(&self, field: &str, value: f64) -> Result<f64, SimError> {
        if !(value.is_finite() && value > 0.0) {
            return Err(SimError::invalid(
                self.file,
                field,
                value,
                "must be a positive number",
            ));
        }
        Ok(value)
    }

    /// A non-negative, finite float.
    pub(crate) fn non_negative_f64(&self, field: &str, value: f64) -> Result<f64, SimError> {
        if !(value.is_finite() && value >= 0.0) {
            return Err(SimError::invalid(
                self.file,
                field,
                value,
                "must be zero or positive",
            ));
        }
        Ok(value)
    }

    /// An integer within `lo..=hi`.
    pub(crate) fn in_range(
        &self,
        field: &str,
        value: u64,
        lo: u64,
        hi: u64,
    ) -> Result<u64, SimError> {
        if value < lo || value > hi {
            return Err(SimError::invalid(
                self.file,
                field,
                value,
                format!("must be between {lo} and {hi}"),
            ));
        }
        Ok(value)
    }

    /// A power of two.
    pub(crate) fn power_of_two(&self, field: &str, value: u64) -> Result<u64, SimError> {
        if !value.is_power_of_two() {
            return Err(SimError::invalid(
                self.file,
                field,
                value,
                "must be a power of two",
            ));
        }
        Ok(value)
    }

    fn forbid_section(&self, section: &str, present: bool, kind: &str) -> Result<(), SimError> {
        if present {
            return Err(SimError::invalid(
                self.file,
                section,
                "present",
                format!("kind `{kind}` does not use a [{section}] section"),
            ));
        }
        Ok(())
    }
}

/// `line L, column C: message` for a TOML error, on one line (toml's own rendering spans
/// several lines with a source excerpt).
fn toml_message(text: &str, error: &toml::de::Error) -> String {
    let message = error
        .message()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    match error.span() {
        Some(span) => {
            let before = &text[..span.start.min(text.len())];
            let line = before.matches('\n').count() + 1;
            let column = before.len() - before.rfind('\n').map_or(0, |i| i + 1) + 1;
            format!("line {line}, column {column}: {message}")
        }
        None => message,
    }
}
