//! Architectures the simulator models, loaded from `configs/arch/*.toml`.
//!
//! Loading goes in two stages: the file parses into TOML, the family named by `kind` is looked
//! up in the [`Registry`] and validates its own section, and the shared parts
//! ([`raw::RawArch`], serde with `deny_unknown_fields`) are validated here, naming the file,
//! field and value of the first illegal one. `--set PATH=VALUE` overrides edit the parsed
//! document before validation, so they are checked exactly like the file. An [`Arch`] cannot
//! hold an illegal value, so the mapper and engine never re-check.

pub mod memory;
pub mod overrides;
pub mod raw;

use std::path::Path;
use std::sync::Arc;

use lutforge_models::limits::format_number;
use lutforge_models::{Limit, QuantScheme};

pub use memory::{Buffers, Cost, Dram, StaticPower, VectorUnit};
pub use overrides::Override;

use crate::attention::Attention;
use crate::error::SimError;
use crate::fallback::Fallback;
use crate::family::{FamilyInput, Machine, Registry};
use crate::schedule::Schedule;
use raw::RawArch;

/// The embedded default architecture (`configs/arch/lut-tc.toml`), used when `--arch` is absent.
pub const DEFAULT_ARCH_TOML: &str = include_str!("../../../configs/arch/lut-tc.toml");

/// A validated architecture.
#[derive(Debug, Clone)]
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
    /// The family's validated section: what the matrix unit of each core is.
    pub machine: Arc<dyn Machine>,
    /// How ops are scheduled on the chip.
    pub schedule: Schedule,
    /// Per-core buffers.
    pub buffers: Buffers,
    /// Per-core vector unit.
    pub vector: VectorUnit,
    /// Shared off-chip memory.
    pub dram: Dram,
    /// Leakage and uncore power, charged for the time the design runs.
    pub power: StaticPower,
    /// The price of running it (`[cost]`), for tokens per dollar; `None`: not priced.
    pub cost: Option<Cost>,
    /// Where matrix products the matrix unit cannot run go.
    pub fallback: Fallback,
    /// Where attention runs, and whether it is fused.
    pub attention: Attention,
    /// The file it came from (`<builtin>` for the embedded default); errors name it.
    pub source: String,
    /// The TOML text it was validated from (after `--set` overrides), recorded in reports so a
    /// result can be reproduced.
    pub toml: String,
}

impl Arch {
    /// Reads and validates an architecture file.
    pub fn from_file(path: &Path) -> Result<Arch, SimError> {
        Arch::from_file_with(path, &[])
    }

    /// Reads an architecture file, applies `overrides` in order, and validates the result.
    pub fn from_file_with(path: &Path, overrides: &[Override]) -> Result<Arch, SimError> {
        let file = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| SimError::Read {
            file: file.clone(),
            message: e.to_string(),
        })?;
        Registry::builtin().parse_arch(&text, &file, overrides)
    }

    /// The embedded default architecture.
    pub fn builtin_default() -> Result<Arch, SimError> {
        Arch::builtin_default_with(&[])
    }

    /// The embedded default architecture with `overrides` applied.
    pub fn builtin_default_with(overrides: &[Override]) -> Result<Arch, SimError> {
        Registry::builtin().parse_arch(DEFAULT_ARCH_TOML, "<builtin lut-tc.toml>", overrides)
    }

    /// Parses and validates TOML text with the builtin families; `file` names the source in
    /// errors.
    pub fn from_toml_str(text: &str, file: &str) -> Result<Arch, SimError> {
        Registry::builtin().parse_arch(text, file, &[])
    }

    /// The architecture kind string, as written in the file.
    pub fn kind(&self) -> &'static str {
        self.machine.kind()
    }

    /// The family's validated section as its concrete type, if the family is `T`'s.
    pub fn machine_as<T: 'static>(&self) -> Option<&T> {
        self.machine.as_any().downcast_ref::<T>()
    }

    /// fp16 vector-unit lanes over all cores: vector operations per cycle.
    pub fn vector_lanes(&self) -> u64 {
        self.cores * u64::from(self.vector.lanes)
    }

    /// Static power, W: the machine's own figure (an FPGA's device) or the area model's.
    pub fn static_power_w(&self) -> f64 {
        self.machine
            .static_power_w()
            .unwrap_or_else(|| self.power.watts(&crate::energy::area::arch_area(self)))
    }

    /// Seconds per core clock cycle.
    pub fn seconds_per_cycle(&self) -> f64 {
        1e-6 / self.clock_mhz
    }
}

impl Registry<'_> {
    /// Parses TOML text, applies `overrides`, and validates it with this registry's families.
    pub fn parse_arch(
        &self,
        text: &str,
        file: &str,
        overrides: &[Override],
    ) -> Result<Arch, SimError> {
        let mut doc: toml::Table = toml::from_str(text).map_err(|e| SimError::Parse {
            file: file.to_string(),
            message: toml_message(text, &e),
        })?;
        for o in overrides {
            o.apply(&mut doc, file)?;
        }
        let check = Check { file, text };
        let kind = match doc.get("kind") {
            Some(toml::Value::String(kind)) => kind.clone(),
            Some(other) => {
                return Err(SimError::invalid(
                    file,
                    "kind",
                    other,
                    "must be a string naming an architecture kind",
                ))
            }
            None => {
                return Err(SimError::Parse {
                    file: file.to_string(),
                    message: "missing field `kind`".into(),
                })
            }
        };
        let Some(family) = self.get(&kind) else {
            return Err(SimError::invalid(
                file,
                "kind",
                format!("\"{kind}\""),
                format!(
                    "unknown architecture kind; known: {}",
                    self.kinds().join(", ")
                ),
            ));
        };
        // Sections of other families are an error naming the section, not an unknown field.
        for other in self.families() {
            if other.kind() != family.kind() && doc.contains_key(other.section()) {
                return Err(SimError::invalid(
                    file,
                    other.section(),
                    "present",
                    format!("kind `{kind}` does not use a [{}] section", other.section()),
                ));
            }
        }
        let section = doc.remove(family.section());
        let effective = if overrides.is_empty() {
            text.to_string()
        } else {
            let mut full = doc.clone();
            if let Some(s) = &section {
                full.insert(family.section().to_string(), s.clone());
            }
            toml::to_string(&full).unwrap_or_default()
        };
        let raw: RawArch = check.deserialize("", toml::Value::Table(doc))?;
        if raw.name.trim().is_empty() {
            return Err(SimError::invalid(file, "name", "\"\"", "must not be empty"));
        }
        let top = RawArch::LIMITS;
        let clock_mhz = check.limited_f64(top, "", "clock_mhz", raw.clock_mhz)?;
        let tech_node_nm =
            check.limited_f64(top, "", "tech_node_nm", raw.tech_node_nm.unwrap_or(28.0))?;
        let cores = check.limited_u64(top, "", "cores", raw.cores.unwrap_or(1))?;
        let default_quant = match &raw.default_quant {
            None => None,
            Some(text) => Some(text.parse::<QuantScheme>().map_err(|e| {
                SimError::invalid(file, "default_quant", format!("\"{text}\""), e.to_string())
            })?),
        };
        let vector = VectorUnit::from_raw(&raw.vector, &check)?;
        let validated = family.validate(FamilyInput {
            section,
            buffers: raw.buffers.as_ref(),
            vector,
            check: &check,
        })?;
        let schedule = match &raw.schedule {
            None => family.schedules()[0],
            Some(name) => {
                let schedule = name
                    .parse::<Schedule>()
                    .map_err(|m| SimError::invalid(file, "schedule", format!("\"{name}\""), m))?;
                if !family.schedules().contains(&schedule) {
                    let runs: Vec<&str> = family.schedules().iter().map(|s| s.as_str()).collect();
                    return Err(SimError::invalid(
                        file,
                        "schedule",
                        format!("\"{name}\""),
                        format!(
                            "kind `{kind}` runs {}; {}",
                            runs.join(" or "),
                            schedule.needs()
                        ),
                    ));
                }
                schedule
            }
        };
        if validated.machine.dataflow().is_some() {
            for (section, present, why) in [
                (
                    "fallback",
                    raw.fallback.is_some(),
                    "ops its engines cannot run go to [fpga.host]",
                ),
                (
                    "attention",
                    raw.attention.is_some(),
                    "attention runs on its attention engine ([fpga.attention])",
                ),
                (
                    "power",
                    raw.power.is_some(),
                    "its static power is its device's (fpga.static_power_w overrides it)",
                ),
            ] {
                if present {
                    return Err(SimError::invalid(
                        file,
                        section,
                        "present",
                        format!("kind `{kind}` does not use a [{section}] section: {why}"),
                    ));
                }
            }
        }
        let fallback = if validated.machine.dataflow().is_some() {
            // A dataflow machine routes every op to one of its engines itself.
            Fallback::None
        } else {
            Fallback::from_raw(raw.fallback.as_ref(), &check)?
        };
        let attention = Attention::from_raw(raw.attention.as_ref(), &check)?;
        if attention.on_fallback && !fallback.exists() {
            return Err(SimError::invalid(
                file,
                "attention.unit",
                "\"fallback\"",
                "needs a fallback unit; [fallback] unit is \"none\"",
            ));
        }
        Ok(Arch {
            name: raw.name,
            description: raw.description,
            clock_mhz,
            tech_node_nm,
            cores,
            default_quant,
            machine: validated.machine,
            schedule,
            buffers: validated.buffers,
            vector,
            dram: Dram::from_raw(&raw.dram, &check)?,
            power: StaticPower::from_raw(raw.power.as_ref(), tech_node_nm, &check)?,
            cost: Cost::from_raw(raw.cost.as_ref(), &check)?,
            fallback,
            attention,
            source: file.to_string(),
            toml: effective,
        })
    }
}

/// Field checks that produce errors naming the file.
pub struct Check<'a> {
    /// The file errors name.
    pub file: &'a str,
    /// Its text, to locate keys in.
    pub text: &'a str,
}

impl Check<'_> {
    /// `value` of field `name` (in `section`, empty at the top level) within its range in
    /// `limits`, the table declared beside the raw struct the field belongs to.
    pub fn limited_f64(
        &self,
        limits: &[(&str, Limit)],
        section: &str,
        name: &str,
        value: f64,
    ) -> Result<f64, SimError> {
        let (path, limit) = self.limit_of(limits, section, name, &format_number(value))?;
        limit
            .check_f64(value)
            .map_err(|m| SimError::invalid(self.file, &path, format_number(value), m))
    }

    /// Like [`Check::limited_f64`], for an integer field, compared exactly.
    pub fn limited_u64(
        &self,
        limits: &[(&str, Limit)],
        section: &str,
        name: &str,
        value: u64,
    ) -> Result<u64, SimError> {
        let (path, limit) = self.limit_of(limits, section, name, &value.to_string())?;
        limit
            .check_u64(value)
            .map_err(|m| SimError::invalid(self.file, &path, value, m))
    }

    /// The dotted path of `section.name` and its declared range.
    fn limit_of(
        &self,
        limits: &[(&str, Limit)],
        section: &str,
        name: &str,
        value: &str,
    ) -> Result<(String, Limit), SimError> {
        let path = if section.is_empty() {
            name.to_string()
        } else {
            format!("{section}.{name}")
        };
        match limits.iter().find(|(n, _)| *n == name) {
            Some((_, limit)) => Ok((path, *limit)),
            None => Err(SimError::invalid(
                self.file,
                &path,
                value,
                "has no declared range (a lutforge bug; please report it)",
            )),
        }
    }

    /// A power of two.
    pub fn power_of_two(&self, field: &str, value: u64) -> Result<u64, SimError> {
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

    /// A TOML value deserialized into `T`; errors are one line, name the file, and locate the
    /// offending key in the text where the message names one. `section` prefixes field names
    /// (`lut` for `[lut]`, empty at the top level).
    pub fn deserialize<T: serde::de::DeserializeOwned>(
        &self,
        section: &str,
        value: toml::Value,
    ) -> Result<T, SimError> {
        serde_path_to_error::deserialize::<_, T>(value).map_err(|e| {
            let message = e
                .inner()
                .message()
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ");
            // The dotted path of the field at fault, from the top of `value`.
            let path: Vec<String> = e
                .path()
                .iter()
                .filter_map(|s| match s {
                    serde_path_to_error::Segment::Map { key } => Some(key.clone()),
                    serde_path_to_error::Segment::Seq { index } => Some(index.to_string()),
                    _ => None,
                })
                .collect();
            // An unknown or missing field is named in the message; any other error names the
            // field through its path.
            let named = message.split('`').nth(1).filter(|_| message.contains('`'));
            let (table, key) = match (path.split_last(), named) {
                (Some((last, parents)), _) if !message.starts_with("unknown field") => {
                    (parents.join("."), Some(last.clone()))
                }
                // The path of an unknown field ends in the unknown key itself.
                (Some((last, parents)), Some(named)) if last == named => {
                    (parents.join("."), Some(named.to_string()))
                }
                (_, named) => (path.join("."), named.map(str::to_string)),
            };
            let full_section = [section, table.as_str()]
                .iter()
                .filter(|s| !s.is_empty())
                .copied()
                .collect::<Vec<_>>()
                .join(".");
            let place = key
                .as_deref()
                .and_then(|k| locate_key(self.text, &full_section, k))
                .map(|(line, column)| format!("line {line}, column {column}: "))
                .unwrap_or_default();
            let field = match (
                &key,
                message.starts_with("unknown field") || message.starts_with("missing field"),
            ) {
                (Some(k), false) => {
                    let dotted = if full_section.is_empty() {
                        k.clone()
                    } else {
                        format!("{full_section}.{k}")
                    };
                    format!("field `{dotted}`: ")
                }
                _ if !full_section.is_empty() => format!("[{full_section}]: "),
                _ => String::new(),
            };
            SimError::Parse {
                file: self.file.to_string(),
                message: format!("{place}{field}{message}"),
            }
        })
    }
}

/// Line and column (1-based) of `key = ...` in `text`, preferring a match inside `[section]`.
fn locate_key(text: &str, section: &str, key: &str) -> Option<(usize, usize)> {
    let mut current = String::new();
    let mut fallback = None;
    for (i, line) in text.lines().enumerate() {
        let trimmed = line.trim_start();
        if let Some(header) = trimmed.strip_prefix('[') {
            current = header
                .trim_end_matches(|c| c != ']')
                .trim_end_matches(']')
                .to_string();
            continue;
        }
        let name = trimmed.split('=').next().unwrap_or("").trim();
        if trimmed.contains('=') && name == key {
            let column = line.len() - trimmed.len() + 1;
            if current == section {
                return Some((i + 1, column));
            }
            fallback.get_or_insert((i + 1, column));
        }
    }
    fallback
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
