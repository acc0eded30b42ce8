//! The sweep space file (`configs/sweeps/*.toml`): parsed with serde (`deny_unknown_fields`),
//! then validated into a [`Space`] whose axes are non-empty lists of values; errors name the
//! file, line and field.

use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

use lutforge_models::Limit;

use crate::arch::Arch;
use crate::error::SimError;

/// Workload fields an axis may name, as `workload.<field>`.
pub const WORKLOAD_FIELDS: &[&str] = &[
    "model",
    "quant",
    "batch",
    "prefill",
    "decode",
    "shared_prefix",
    "moe_routing",
    "mla_decode",
];

/// Largest number of points a sweep may have.
pub const MAX_POINTS: u64 = 100_000_000;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSpace {
    name: String,
    #[serde(default)]
    description: String,
    arch: String,
    #[serde(default)]
    set: Option<Spanned<toml::value::Table>>,
    workload: RawWorkload,
    strategy: RawStrategy,
    #[serde(default, rename = "axis")]
    axes: Vec<Spanned<RawAxis>>,
}

/// `[workload]`: the base scenario of every point.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct BaseWorkload {
    /// Preset name or config.json path (relative to the space file).
    pub model: String,
    /// Quantization; default: the model's native scheme with the architecture's substitutions.
    #[serde(default)]
    pub quant: Option<String>,
    /// Sequences. Default 1.
    #[serde(default = "one")]
    pub batch: u64,
    /// Prompt tokens.
    pub prefill: u64,
    /// Generated tokens.
    pub decode: u64,
    /// Shared prompt prefix tokens. Default 0.
    #[serde(default)]
    pub shared_prefix: u64,
    /// MoE routing model (`balanced` or `uniform`). Default balanced.
    #[serde(default)]
    pub moe_routing: Option<String>,
    /// MLA decode form (`expanded` or `absorbed`). Default expanded.
    #[serde(default)]
    pub mla_decode: Option<String>,
}

fn one() -> u64 {
    1
}

type RawWorkload = BaseWorkload;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStrategy {
    kind: Spanned<String>,
    #[serde(default)]
    points: Option<Spanned<u64>>,
    #[serde(default)]
    seed: Option<u64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAxis {
    field: Spanned<String>,
    #[serde(default)]
    values: Option<Spanned<Vec<toml::Value>>>,
    #[serde(default)]
    range: Option<Spanned<RawRange>>,
    #[serde(default)]
    log_range: Option<Spanned<RawLogRange>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRange {
    from: toml::Value,
    to: toml::Value,
    step: toml::Value,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLogRange {
    from: f64,
    to: f64,
    points: u64,
}

impl RawStrategy {
    /// Range of every numeric `[strategy]` field (`seed` takes any 64-bit value).
    const LIMITS: &'static [(&'static str, Limit)] = &[
        ("points", Limit::new(1.0, MAX_POINTS as f64, "points", "")),
        (
            "points (latin_hypercube)",
            Limit::new(
                1.0,
                1_000_000.0,
                "points",
                "a Latin hypercube draws every stratum of every axis up front",
            ),
        ),
        (
            "seed",
            Limit::new(0.0, u64::MAX as f64, "", "any 64-bit seed"),
        ),
    ];
}

impl RawLogRange {
    /// Range of every numeric `log_range` field.
    const LIMITS: &'static [(&'static str, Limit)] = &[
        (
            "from",
            Limit::new(f64::MIN_POSITIVE, f64::MAX, "", "positive"),
        ),
        (
            "to",
            Limit::new(f64::MIN_POSITIVE, f64::MAX, "", "positive, at least `from`"),
        ),
        ("points", Limit::new(1.0, 1_000_000.0, "values", "")),
    ];
}

/// The declared range of `name` in `limits` (every name used here is declared).
fn lookup_limit(limits: &[(&'static str, Limit)], name: &str) -> Limit {
    limits
        .iter()
        .find(|(n, _)| *n == name)
        .map_or(Limit::new(0.0, 0.0, "", "undeclared"), |(_, l)| *l)
}

/// How points are drawn from the axes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Strategy {
    /// Every combination (the last axis varies fastest).
    Grid,
    /// `points` independent uniform draws per axis, from a seeded generator.
    Random {
        /// Points drawn.
        points: u64,
        /// Generator seed.
        seed: u64,
    },
    /// A Latin hypercube of `points` points: every axis's range cut into `points` strata, each
    /// stratum used once.
    LatinHypercube {
        /// Points drawn.
        points: u64,
        /// Generator seed.
        seed: u64,
    },
}

/// One swept field and its values.
#[derive(Debug, Clone, PartialEq)]
pub struct Axis {
    /// Dotted field: an architecture key (`lut.tile_n`, `cores`) or `workload.<field>`.
    pub field: String,
    /// The values, in order; never empty.
    pub values: Vec<toml::Value>,
}

/// A validated sweep space.
#[derive(Debug, Clone)]
pub struct Space {
    /// Name, used in every result line.
    pub name: String,
    /// One-line description.
    pub description: String,
    /// The space file.
    pub file: PathBuf,
    /// Short content hash of the space file and the base architecture, in every result line.
    pub hash: String,
    /// The base architecture's TOML document.
    pub base_arch: toml::Value,
    /// The base architecture's path.
    pub arch_file: PathBuf,
    /// For an `arch` axis: each value (a path as written) -> that file's TOML document with
    /// `[set]` applied. A sweep varies `kind` this way: every family has its own section, so a
    /// point of another kind starts from a file of that kind.
    pub arch_variants: std::collections::BTreeMap<String, toml::Value>,
    /// The base workload.
    pub workload: BaseWorkload,
    /// Sampling strategy.
    pub strategy: Strategy,
    /// Axes, in file order.
    pub axes: Vec<Axis>,
}

impl Space {
    /// Reads and validates a space file.
    pub fn from_file(path: &Path) -> Result<Space, SimError> {
        let file = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| SimError::Read {
            file: file.clone(),
            message: e.to_string(),
        })?;
        Space::from_toml_str(&text, path)
    }

    /// Parses and validates space text; `path` locates the base architecture and names errors.
    pub fn from_toml_str(text: &str, path: &Path) -> Result<Space, SimError> {
        let file = path.display().to_string();
        let at = |span: std::ops::Range<usize>| line_of(text, span.start);
        let raw: RawSpace = toml::from_str(text).map_err(|e| SimError::Parse {
            file: file.clone(),
            message: match e.span() {
                Some(span) => format!("line {}: {}", at(span), e.message().trim()),
                None => e.message().trim().to_string(),
            },
        })?;
        let invalid = |line: usize, field: &str, value: String, message: String| {
            SimError::invalid(&format!("{file}: line {line}"), field, value, message)
        };
        let dir = path.parent().unwrap_or(Path::new("."));
        let arch_file = dir.join(&raw.arch);
        let arch_text = std::fs::read_to_string(&arch_file).map_err(|e| SimError::Read {
            file: format!("{file}: field `arch`: {}", arch_file.display()),
            message: e.to_string(),
        })?;
        let mut base_arch: toml::Value =
            toml::from_str(&arch_text).map_err(|e| SimError::Parse {
                file: arch_file.display().to_string(),
                message: e.message().to_string(),
            })?;
        // `[set]`: fixed overrides of the base architecture, applied to every point.
        let empty = toml::value::Table::new();
        let (set, set_line) = match &raw.set {
            Some(s) => (s.get_ref(), at(s.span())),
            None => (&empty, 1),
        };
        for (field, value) in set {
            if lookup(&base_arch, field).is_none() {
                return Err(invalid(
                    set_line,
                    &format!("set.\"{field}\""),
                    value.to_string(),
                    format!(
                        "no such field in the base architecture {}",
                        arch_file.display()
                    ),
                ));
            }
            set_field(&mut base_arch, field, value.clone());
        }
        Arch::from_toml_str(
            &toml::to_string(&base_arch).unwrap_or_default(),
            &format!("{file}: [set] applied to {}", arch_file.display()),
        )?;

        // An `arch` axis: whole architecture files, each with `[set]` applied and validated.
        let mut arch_variants = std::collections::BTreeMap::new();
        let mut variant_texts = Vec::new();
        for axis in &raw.axes {
            let a = axis.get_ref();
            if a.field.get_ref() != "arch" {
                continue;
            }
            let line = at(a.field.span());
            let values = a
                .values
                .as_ref()
                .map(|v| v.get_ref().clone())
                .unwrap_or_default();
            if values.is_empty() {
                return Err(invalid(
                    line,
                    "axis[arch]",
                    "no values".into(),
                    "an `arch` axis takes `values`: a list of architecture files".into(),
                ));
            }
            for value in values {
                let Some(rel) = value.as_str() else {
                    return Err(invalid(
                        line,
                        "axis[arch].values",
                        value.to_string(),
                        "must be architecture file paths (strings)".into(),
                    ));
                };
                let path = dir.join(rel);
                let text = std::fs::read_to_string(&path).map_err(|e| SimError::Read {
                    file: format!("{file}: axis `arch`: {}", path.display()),
                    message: e.to_string(),
                })?;
                let mut doc: toml::Value = toml::from_str(&text).map_err(|e| SimError::Parse {
                    file: path.display().to_string(),
                    message: e.message().to_string(),
                })?;
                for (field, value) in set {
                    set_field(&mut doc, field, value.clone());
                }
                Arch::from_toml_str(
                    &toml::to_string(&doc).unwrap_or_default(),
                    &format!("{file}: axis `arch` value {}", path.display()),
                )?;
                variant_texts.push(text);
                arch_variants.insert(rel.to_string(), doc);
            }
        }

        let kind_line = at(raw.strategy.kind.span());
        let points = |what: &str| -> Result<u64, SimError> {
            let name = if what == "latin_hypercube" {
                "points (latin_hypercube)"
            } else {
                "points"
            };
            match &raw.strategy.points {
                Some(p) => lookup_limit(RawStrategy::LIMITS, name)
                    .check_u64(*p.get_ref())
                    .map_err(|m| {
                        invalid(at(p.span()), "strategy.points", p.get_ref().to_string(), m)
                    }),
                None => Err(invalid(
                    kind_line,
                    "strategy.points",
                    "missing".into(),
                    format!("strategy `{what}` needs `points`"),
                )),
            }
        };
        let seed = raw.strategy.seed.unwrap_or(0);
        let strategy = match raw.strategy.kind.get_ref().as_str() {
            "grid" => Strategy::Grid,
            "random" => Strategy::Random {
                points: points("random")?,
                seed,
            },
            "latin_hypercube" => Strategy::LatinHypercube {
                points: points("latin_hypercube")?,
                seed,
            },
            other => {
                return Err(invalid(
                    kind_line,
                    "strategy.kind",
                    format!("\"{other}\""),
                    "unknown strategy; known: grid, random, latin_hypercube".into(),
                ))
            }
        };

        let mut axes = Vec::new();
        for axis in &raw.axes {
            let line = at(axis.span());
            let a = axis.get_ref();
            let field = a.field.get_ref().clone();
            let base_value = if field == "arch" {
                None
            } else if let Some(w) = field.strip_prefix("workload.") {
                if !WORKLOAD_FIELDS.contains(&w) {
                    return Err(invalid(
                        at(a.field.span()),
                        "axis.field",
                        format!("\"{field}\""),
                        format!(
                            "unknown workload field; known: {}",
                            WORKLOAD_FIELDS.join(", ")
                        ),
                    ));
                }
                None
            } else {
                for (variant, doc) in &arch_variants {
                    if lookup(doc, &field).is_none() {
                        return Err(invalid(
                            at(a.field.span()),
                            "axis.field",
                            format!("\"{field}\""),
                            format!("no such field in the `arch` axis value {variant}"),
                        ));
                    }
                }
                let found = lookup(&base_arch, &field).ok_or_else(|| {
                    invalid(
                        at(a.field.span()),
                        "axis.field",
                        format!("\"{field}\""),
                        format!(
                            "no such field in the base architecture {}",
                            arch_file.display()
                        ),
                    )
                })?;
                Some(found.clone())
            };
            let integer = matches!(base_value, Some(toml::Value::Integer(_)))
                || matches!(
                    field.as_str(),
                    "workload.batch"
                        | "workload.prefill"
                        | "workload.decode"
                        | "workload.shared_prefix"
                );
            let given = [a.values.is_some(), a.range.is_some(), a.log_range.is_some()]
                .iter()
                .filter(|b| **b)
                .count();
            if given != 1 {
                return Err(invalid(
                    line,
                    &format!("axis[{field}]"),
                    format!("{given} of values/range/log_range"),
                    "give exactly one of `values`, `range`, `log_range`".into(),
                ));
            }
            let values = if let Some(v) = &a.values {
                if v.get_ref().is_empty() {
                    return Err(invalid(
                        at(v.span()),
                        &format!("axis[{field}].values"),
                        "[]".into(),
                        "must not be empty".into(),
                    ));
                }
                v.get_ref().clone()
            } else if let Some(r) = &a.range {
                range_values(r.get_ref(), integer)
                    .map_err(|m| invalid(at(r.span()), &format!("axis[{field}].range"), m.0, m.1))?
            } else if let Some(r) = &a.log_range {
                log_range_values(r.get_ref(), integer).map_err(|m| {
                    invalid(at(r.span()), &format!("axis[{field}].log_range"), m.0, m.1)
                })?
            } else {
                Vec::new()
            };
            if integer && base_value.is_none() {
                if let Some(bad) = values
                    .iter()
                    .find(|v| !matches!(v, toml::Value::Integer(i) if *i >= 0))
                {
                    return Err(invalid(
                        line,
                        &format!("axis[{field}]"),
                        bad.to_string(),
                        "must be whole numbers of zero or more".into(),
                    ));
                }
            }
            axes.push(Axis { field, values });
        }
        if axes.is_empty() {
            return Err(invalid(
                1,
                "axis",
                "none".into(),
                "a sweep needs at least one [[axis]]".into(),
            ));
        }
        let space = Space {
            name: raw.name,
            description: raw.description,
            file: path.to_path_buf(),
            hash: short_hash(
                &[text.as_bytes(), arch_text.as_bytes()]
                    .into_iter()
                    .chain(variant_texts.iter().map(|t| t.as_bytes()))
                    .collect::<Vec<_>>(),
            ),
            base_arch,
            arch_file,
            arch_variants,
            workload: raw.workload,
            strategy,
            axes,
        };
        if space.total_points() > MAX_POINTS {
            return Err(invalid(
                kind_line,
                "strategy",
                space.total_points().to_string(),
                format!("a sweep may have at most {MAX_POINTS} points"),
            ));
        }
        Ok(space)
    }

    /// Points in the sweep.
    pub fn total_points(&self) -> u64 {
        match self.strategy {
            Strategy::Grid => self
                .axes
                .iter()
                .map(|a| a.values.len() as u64)
                .fold(1u64, |acc, n| acc.saturating_mul(n)),
            Strategy::Random { points, .. } | Strategy::LatinHypercube { points, .. } => points,
        }
    }

    /// `name#hash`, the tag every result line carries.
    pub fn tag(&self) -> String {
        format!("{}#{}", self.name, self.hash)
    }
}

/// Sets the value at a dotted path of a TOML document whose parent tables exist.
pub fn set_field(doc: &mut toml::Value, dotted: &str, value: toml::Value) {
    let parts: Vec<&str> = dotted.split('.').collect();
    let mut node = doc;
    for part in &parts[..parts.len() - 1] {
        match node.get_mut(*part) {
            Some(next) => node = next,
            None => return,
        }
    }
    if let Some(table) = node.as_table_mut() {
        table.insert(parts[parts.len() - 1].to_string(), value);
    }
}

/// The value at a dotted path in a TOML document.
pub fn lookup<'a>(doc: &'a toml::Value, dotted: &str) -> Option<&'a toml::Value> {
    dotted.split('.').try_fold(doc, |node, key| node.get(key))
}

/// Line (1-based) of byte offset `offset` in `text`.
fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

type AxisError = (String, String);

fn number(v: &toml::Value) -> Option<f64> {
    match v {
        toml::Value::Integer(i) => Some(*i as f64),
        toml::Value::Float(f) => Some(*f),
        _ => None,
    }
}

fn range_values(r: &RawRange, integer_field: bool) -> Result<Vec<toml::Value>, AxisError> {
    let (Some(from), Some(to), Some(step)) = (number(&r.from), number(&r.to), number(&r.step))
    else {
        return Err((
            "non-number".into(),
            "from, to and step must be numbers".into(),
        ));
    };
    if step <= 0.0 || !step.is_finite() {
        return Err((step.to_string(), "step must be positive".into()));
    }
    if to < from {
        return Err((
            format!("from {from} to {to}"),
            "inverted range: `to` is below `from`".into(),
        ));
    }
    let count = ((to - from) / step + 1e-9).floor() as u64 + 1;
    if count > 1_000_000 {
        return Err((count.to_string(), "more than 1000000 values".into()));
    }
    let all_int = [&r.from, &r.to, &r.step]
        .iter()
        .all(|v| matches!(v, toml::Value::Integer(_)));
    Ok((0..count)
        .map(|i| {
            let x = from + step * i as f64;
            if all_int || integer_field {
                toml::Value::Integer(x.round() as i64)
            } else {
                toml::Value::Float(x)
            }
        })
        .collect())
}

fn log_range_values(r: &RawLogRange, integer_field: bool) -> Result<Vec<toml::Value>, AxisError> {
    if !(r.from > 0.0 && r.to > 0.0 && r.from.is_finite() && r.to.is_finite()) {
        return Err((
            format!("from {} to {}", r.from, r.to),
            "a log range needs positive bounds".into(),
        ));
    }
    if r.to < r.from {
        return Err((
            format!("from {} to {}", r.from, r.to),
            "inverted range: `to` is below `from`".into(),
        ));
    }
    if let Err(m) = lookup_limit(RawLogRange::LIMITS, "points").check_u64(r.points) {
        return Err((r.points.to_string(), format!("points {m}")));
    }
    let mut values: Vec<toml::Value> = Vec::new();
    for i in 0..r.points {
        let t = if r.points == 1 {
            0.0
        } else {
            i as f64 / (r.points - 1) as f64
        };
        let x = r.from * (r.to / r.from).powf(t);
        let v = if integer_field {
            toml::Value::Integer(x.round() as i64)
        } else {
            toml::Value::Float(x)
        };
        if values.last() != Some(&v) {
            values.push(v);
        }
    }
    Ok(values)
}

/// FNV-1a over the parts, as 8 hex digits: stable across platforms and versions.
fn short_hash(parts: &[&[u8]]) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for b in *part {
            h ^= u64::from(*b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    format!("{:08x}", h >> 32)
}
