//! SCALE-Sim 3.0.0's file formats: its INI configuration, its topology CSVs and its reports.
//!
//! The reports (`COMPUTE_REPORT.csv`, `BANDWIDTH_REPORT.csv`, `DETAILED_ACCESS_REPORT.csv`)
//! are byte-for-byte in SCALE-Sim's layout: the same headers, `", "` separators, a trailing
//! comma, integers where SCALE-Sim prints Python ints and Python `repr` where it prints floats.

use std::fmt::Write as _;
use std::path::Path;

use lutforge_models::Limit;

use super::config::{Dataflow, RawSystolic};
use super::geometry::{Layer, Mapping};
use super::replay::{replay, LayerResult, ReplayError, ReplayMemory};

/// Range of every numeric key of a SCALE-Sim config file (the sizes reuse the `[systolic]`
/// ranges of an architecture file, [`super::RawSystolic::LIMITS`]).
pub const CFG_LIMITS: &[(&str, Limit)] = &[
    ("ArrayHeight", RawSystolic::PES),
    ("ArrayWidth", RawSystolic::PES),
    ("IfmapSramSzkB", RawSystolic::SRAM_KIB),
    ("FilterSramSzkB", RawSystolic::SRAM_KIB),
    ("OfmapSramSzkB", RawSystolic::SRAM_KIB),
    ("IfmapOffset", Limit::new(0.0, 1e12, "words", "")),
    ("FilterOffset", Limit::new(0.0, 1e12, "words", "")),
    ("OfmapOffset", Limit::new(0.0, 1e12, "words", "")),
    (
        "ReadRequestBuffer",
        Limit::new(0.0, 1_048_576.0, "entries", ""),
    ),
    (
        "WriteRequestBuffer",
        Limit::new(0.0, 1_048_576.0, "entries", ""),
    ),
    ("IfmapSRAMBankBandwidth", RawSystolic::WORDS_PER_CYCLE),
    ("IfmapSRAMBankNum", Limit::new(1.0, 4096.0, "banks", "")),
    ("IfmapSRAMBankPort", Limit::new(1.0, 64.0, "ports", "")),
    ("FilterSRAMBankBandwidth", RawSystolic::WORDS_PER_CYCLE),
    ("FilterSRAMBankNum", Limit::new(1.0, 4096.0, "banks", "")),
    ("FilterSRAMBankPort", Limit::new(1.0, 64.0, "ports", "")),
];

/// Largest MAC count or operand address space of one topology layer: SCALE-Sim's traces and
/// this replay's counters stay exact far below 2^64.
const MAX_LAYER_COUNT: u128 = 1 << 50;

/// Range of each `[architecture_presets] Bandwidth` entry, DRAM words per cycle.
pub const BANDWIDTH_WORDS: Limit = RawSystolic::WORDS_PER_CYCLE;

/// Range of every numeric topology column (M, N, K; ifmap and filter sizes, channels,
/// filters, stride): products of three stay far below 2^64.
pub const TOPOLOGY_DIM: Limit = Limit::new(
    1.0,
    1_048_576.0,
    "",
    "products of three dimensions fit 64 bits",
);

/// Errors reading SCALE-Sim inputs; each names the file, and the line and field where known.
#[derive(Debug, thiserror::Error)]
pub enum ScaleSimError {
    /// A file could not be read or written.
    #[error("{file}: {message}")]
    Io {
        /// The path.
        file: String,
        /// The operating system's reason.
        message: String,
    },
    /// A field holds a value SCALE-Sim (or this reimplementation) cannot use.
    #[error("{file}:{line}: field `{field}`: {message} (got {value})")]
    Field {
        /// The path.
        file: String,
        /// 1-based line number (0 when the field is missing).
        line: usize,
        /// Section and key, or topology column.
        field: String,
        /// The offending text.
        value: String,
        /// What is wrong.
        message: String,
    },
    /// A key SCALE-Sim 3.0.0 requires is absent.
    #[error("{file}:{line}: field `{field}`: missing (SCALE-Sim 3.0.0 requires it)")]
    Missing {
        /// The path.
        file: String,
        /// Line of the section header (or of the file's end when the section is absent).
        line: usize,
        /// Section and key.
        field: String,
    },
    /// A layer SCALE-Sim itself cannot simulate.
    #[error("{file}: layer {layer} `{name}`: {source}")]
    Layer {
        /// The topology path.
        file: String,
        /// 0-based layer id.
        layer: usize,
        /// Layer name.
        name: String,
        /// Why.
        source: ReplayError,
    },
}

/// Bandwidth mode of a SCALE-Sim configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InterfaceBandwidth {
    /// `CALC`: estimate the bandwidth needed.
    Calc,
    /// `USER`: the `Bandwidth` list, words per cycle.
    User(Vec<u64>),
}

/// A validated SCALE-Sim configuration (the fields 3.0.0 reads).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScaleSimConfig {
    /// `[general] run_name`: the report directory under the output path.
    pub run_name: String,
    /// `ArrayHeight`.
    pub rows: u64,
    /// `ArrayWidth`.
    pub cols: u64,
    /// `IfmapSramSzkB`, KiB.
    pub ifmap_sram_kib: u64,
    /// `FilterSramSzkB`, KiB.
    pub filter_sram_kib: u64,
    /// `OfmapSramSzkB`, KiB.
    pub ofmap_sram_kib: u64,
    /// `Dataflow`.
    pub dataflow: Dataflow,
    /// `[run_presets] InterfaceBandwidth` (+ `Bandwidth`).
    pub bandwidth: InterfaceBandwidth,
    /// `[layout] IfmapSRAMBankBandwidth`: the ifmap DRAM port in USER mode, words per cycle.
    pub ifmap_bank_bandwidth: u64,
    /// `[layout] FilterSRAMBankBandwidth`: the filter DRAM port in USER mode.
    pub filter_bank_bandwidth: u64,
}

impl ScaleSimConfig {
    /// The memory parameters of a replay (one word is one byte in SCALE-Sim 3.0.0).
    pub fn memory(&self) -> ReplayMemory {
        ReplayMemory {
            ifmap_words: self.ifmap_sram_kib * 1024,
            filter_words: self.filter_sram_kib * 1024,
            ofmap_words: self.ofmap_sram_kib * 1024,
            user_bandwidth: match &self.bandwidth {
                InterfaceBandwidth::Calc => None,
                InterfaceBandwidth::User(bws) => Some((
                    self.ifmap_bank_bandwidth,
                    self.filter_bank_bandwidth,
                    bws.first().copied().unwrap_or(1),
                )),
            },
        }
    }

    /// Reads and validates a SCALE-Sim `.cfg` file.
    pub fn from_file(path: &Path) -> Result<ScaleSimConfig, ScaleSimError> {
        let file = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| ScaleSimError::Io {
            file: file.clone(),
            message: format!("cannot read: {e}"),
        })?;
        ScaleSimConfig::from_ini_str(&text, &file)
    }

    /// Parses and validates INI text the way Python's `configparser` reads it.
    pub fn from_ini_str(text: &str, file: &str) -> Result<ScaleSimConfig, ScaleSimError> {
        let ini = Ini::parse(text, file)?;
        let get = |section: &str, key: &str| -> Result<(&str, usize), ScaleSimError> {
            ini.get(section, key).ok_or_else(|| ScaleSimError::Missing {
                file: file.to_string(),
                line: ini.section_line(section),
                field: format!("[{section}] {key}"),
            })
        };
        let bad = |section: &str, key: &str, line: usize, value: &str, message: &str| {
            ScaleSimError::Field {
                file: file.to_string(),
                line,
                field: format!("[{section}] {key}"),
                value: format!("\"{value}\""),
                message: message.to_string(),
            }
        };
        let int = |section: &str, key: &str| -> Result<u64, ScaleSimError> {
            let (v, line) = get(section, key)?;
            let n: u64 = v
                .trim()
                .parse()
                .map_err(|_| bad(section, key, line, v, "must be a whole number"))?;
            let limit = CFG_LIMITS
                .iter()
                .find(|(k, _)| *k == key)
                .map(|(_, l)| l)
                .ok_or_else(|| {
                    bad(
                        section,
                        key,
                        line,
                        v,
                        "has no declared range (a lutforge bug)",
                    )
                })?;
            limit
                .check_u64(n)
                .map_err(|m| bad(section, key, line, v, &m))
        };
        let boolean = |section: &str, key: &str| -> Result<(bool, usize, String), ScaleSimError> {
            let (v, line) = get(section, key)?;
            match v.trim().to_ascii_lowercase().as_str() {
                "1" | "yes" | "true" | "on" => Ok((true, line, v.to_string())),
                "0" | "no" | "false" | "off" => Ok((false, line, v.to_string())),
                _ => Err(bad(
                    section,
                    key,
                    line,
                    v,
                    "must be a boolean (True or False)",
                )),
            }
        };
        let (run_name, _) = get("general", "run_name")?;
        let run_name = run_name.trim().to_string();
        if run_name.is_empty() || run_name.contains('/') || run_name == "." || run_name == ".." {
            let line = get("general", "run_name")?.1;
            return Err(bad(
                "general",
                "run_name",
                line,
                &run_name,
                "must be a plain directory name",
            ));
        }
        let (mode, mode_line) = get("run_presets", "InterfaceBandwidth")?;
        let (ramulator, ram_line) = get("run_presets", "UseRamulatorTrace")?;
        if ramulator.trim() == "True" {
            return Err(bad(
                "run_presets",
                "UseRamulatorTrace",
                ram_line,
                ramulator,
                "Ramulator traces are not supported; set False",
            ));
        }
        const AP: &str = "architecture_presets";
        let rows = int(AP, "ArrayHeight")?;
        let cols = int(AP, "ArrayWidth")?;
        let ifmap_sram_kib = int(AP, "IfmapSramSzkB")?;
        let filter_sram_kib = int(AP, "FilterSramSzkB")?;
        let ofmap_sram_kib = int(AP, "OfmapSramSzkB")?;
        for key in ["IfmapOffset", "FilterOffset", "OfmapOffset"] {
            int(AP, key)?;
        }
        int(AP, "ReadRequestBuffer")?;
        int(AP, "WriteRequestBuffer")?;
        let (df, df_line) = get(AP, "Dataflow")?;
        let dataflow = df
            .trim()
            .parse::<Dataflow>()
            .map_err(|m| bad(AP, "Dataflow", df_line, df, &m))?;
        const LA: &str = "layout";
        for key in ["IfmapCustomLayout", "FilterCustomLayout"] {
            let (on, line, v) = boolean(LA, key)?;
            if on {
                return Err(bad(
                    LA,
                    key,
                    line,
                    &v,
                    "custom SRAM layouts are not supported; set False",
                ));
            }
        }
        let ifmap_bank_bandwidth = int(LA, "IfmapSRAMBankBandwidth")?;
        let ifmap_banks = int(LA, "IfmapSRAMBankNum")?;
        int(LA, "IfmapSRAMBankPort")?;
        let filter_bank_bandwidth = int(LA, "FilterSRAMBankBandwidth")?;
        let filter_banks = int(LA, "FilterSRAMBankNum")?;
        int(LA, "FilterSRAMBankPort")?;
        let (sparse, sparse_line) = get("sparsity", "SparsitySupport")?;
        if sparse.trim().eq_ignore_ascii_case("true") {
            return Err(bad(
                "sparsity",
                "SparsitySupport",
                sparse_line,
                sparse,
                "sparsity is not supported; set false",
            ));
        }
        let bandwidth = match mode.trim() {
            "CALC" => InterfaceBandwidth::Calc,
            "USER" => {
                let (list, line) = get(AP, "Bandwidth")?;
                let mut bws = Vec::new();
                for part in list.trim().split(',') {
                    match part.trim().parse::<u64>() {
                        Ok(v) if BANDWIDTH_WORDS.contains(v as f64) => bws.push(v),
                        _ => {
                            return Err(bad(
                                AP,
                                "Bandwidth",
                                line,
                                list,
                                "must be a comma-separated list of whole numbers from 1 to 1048576 words per cycle",
                            ))
                        }
                    }
                }
                for (key, bw, banks) in [
                    ("IfmapSRAMBankBandwidth", ifmap_bank_bandwidth, ifmap_banks),
                    (
                        "FilterSRAMBankBandwidth",
                        filter_bank_bandwidth,
                        filter_banks,
                    ),
                ] {
                    if bw % banks != 0 {
                        let line = get(LA, key)?.1;
                        return Err(bad(
                            LA,
                            key,
                            line,
                            &bw.to_string(),
                            "USER mode needs it divisible by the bank count (SCALE-Sim asserts)",
                        ));
                    }
                }
                InterfaceBandwidth::User(bws)
            }
            _ => {
                return Err(bad(
                    "run_presets",
                    "InterfaceBandwidth",
                    mode_line,
                    mode,
                    "must be USER or CALC",
                ))
            }
        };
        Ok(ScaleSimConfig {
            run_name,
            rows,
            cols,
            ifmap_sram_kib,
            filter_sram_kib,
            ofmap_sram_kib,
            dataflow,
            bandwidth,
            ifmap_bank_bandwidth,
            filter_bank_bandwidth,
        })
    }
}

/// A minimal `configparser`: sections, `key = value` / `key: value`, `#`/`;` comment lines,
/// case-insensitive keys, duplicate keys rejected.
struct Ini {
    entries: Vec<(String, String, String, usize)>,
    sections: Vec<(String, usize)>,
    lines: usize,
}

impl Ini {
    fn parse(text: &str, file: &str) -> Result<Ini, ScaleSimError> {
        let mut entries: Vec<(String, String, String, usize)> = Vec::new();
        let mut section: Option<String> = None;
        let mut sections = Vec::new();
        for (i, raw) in text.lines().enumerate() {
            let line = i + 1;
            let s = raw.trim();
            if s.is_empty() || s.starts_with('#') || s.starts_with(';') {
                continue;
            }
            if s.starts_with('[') {
                let Some(name) = s
                    .strip_prefix('[')
                    .and_then(|r| r.split_once(']'))
                    .map(|(n, _)| n)
                else {
                    return Err(ScaleSimError::Field {
                        file: file.to_string(),
                        line,
                        field: "section header".into(),
                        value: format!("\"{s}\""),
                        message: "expected `[name]`".into(),
                    });
                };
                section = Some(name.to_string());
                sections.push((name.to_string(), line));
                continue;
            }
            let pos = s.find(['=', ':']);
            let (Some(sec), Some(pos)) = (section.as_ref(), pos) else {
                return Err(ScaleSimError::Field {
                    file: file.to_string(),
                    line,
                    field: "line".into(),
                    value: format!("\"{s}\""),
                    message: if section.is_none() {
                        "key before any [section]".into()
                    } else {
                        "expected `key = value`".into()
                    },
                });
            };
            let key = s[..pos].trim().to_ascii_lowercase();
            let value = s[pos + 1..].trim().to_string();
            if entries.iter().any(|(es, ek, _, _)| es == sec && *ek == key) {
                return Err(ScaleSimError::Field {
                    file: file.to_string(),
                    line,
                    field: format!("[{sec}] {key}"),
                    value: format!("\"{value}\""),
                    message: "duplicate key".into(),
                });
            }
            entries.push((sec.clone(), key, value, line));
        }
        Ok(Ini {
            entries,
            sections,
            lines: text.lines().count(),
        })
    }

    /// The header line of `section`, or the last line when it is absent.
    fn section_line(&self, section: &str) -> usize {
        self.sections
            .iter()
            .find(|(s, _)| s == section)
            .map_or(self.lines, |(_, l)| *l)
    }

    fn get(&self, section: &str, key: &str) -> Option<(&str, usize)> {
        let key = key.to_ascii_lowercase();
        self.entries
            .iter()
            .find(|(s, k, _, _)| s == section && *k == key)
            .map(|(_, _, v, l)| (v.as_str(), *l))
    }
}

/// Topology file kind (`-i gemm` or `-i conv`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TopologyKind {
    /// Rows `name, M, N, K,`.
    Gemm,
    /// Rows `name, ifmap_h, ifmap_w, filter_h, filter_w, channels, num_filters, stride,`.
    Conv,
}

/// Reads a topology CSV as SCALE-Sim 3.0.0 does (header line skipped, the field after the last
/// comma dropped, depth-wise `DP` layers split per channel).
pub fn read_topology(path: &Path, kind: TopologyKind) -> Result<Vec<Layer>, ScaleSimError> {
    let file = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| ScaleSimError::Io {
        file: file.clone(),
        message: format!("cannot read: {e}"),
    })?;
    parse_topology(&text, &file, kind)
}

/// Parses topology text; `file` names the source in errors.
pub fn parse_topology(
    text: &str,
    file: &str,
    kind: TopologyKind,
) -> Result<Vec<Layer>, ScaleSimError> {
    let mut layers = Vec::new();
    let names: &[&str] = match kind {
        TopologyKind::Gemm => &["name", "M", "N", "K", "sparsity"],
        TopologyKind::Conv => &[
            "name",
            "ifmap_h",
            "ifmap_w",
            "filter_h",
            "filter_w",
            "channels",
            "num_filters",
            "stride",
            "sparsity",
        ],
    };
    for (i, raw) in text.lines().enumerate().skip(1) {
        let line = i + 1;
        let row = raw.trim();
        if row.is_empty() {
            continue;
        }
        let bad = |field: &str, value: &str, message: &str| ScaleSimError::Field {
            file: file.to_string(),
            line,
            field: field.to_string(),
            value: format!("\"{value}\""),
            message: message.to_string(),
        };
        let mut elems: Vec<&str> = row.split(',').collect();
        elems.pop(); // SCALE-Sim drops whatever follows the last comma
        let need = names.len() - 1;
        if elems.len() < need {
            return Err(bad(
                names[elems.len().max(1).min(need)],
                row,
                &format!("expected {} comma-terminated fields `{},` (SCALE-Sim drops the text after the last comma)", need, names[..need].join(", ")),
            ));
        }
        if elems.len() > names.len() {
            return Err(bad(
                "row",
                row,
                &format!("expected at most {} fields", names.len()),
            ));
        }
        let num = |idx: usize| -> Result<u64, ScaleSimError> {
            let v = elems[idx].trim();
            match v.parse::<u64>() {
                Ok(n) if TOPOLOGY_DIM.contains(n as f64) => Ok(n),
                _ => Err(bad(names[idx], v, &TOPOLOGY_DIM.message())),
            }
        };
        if elems.len() == names.len() {
            let v = elems[need].trim();
            let ok = v.split_once(':').is_some_and(|(a, b)| {
                a.trim().parse::<u64>().is_ok() && b.trim().parse::<u64>().is_ok()
            });
            if !ok {
                return Err(bad("sparsity", v, "must be N:M"));
            }
        }
        let name = elems[0].trim().to_string();
        let layer = match kind {
            TopologyKind::Gemm => Layer::gemm(&name, num(1)?, num(2)?, num(3)?),
            TopologyKind::Conv => Layer {
                name: name.clone(),
                ifmap_h: num(1)?,
                ifmap_w: num(2)?,
                filter_h: num(3)?,
                filter_w: num(4)?,
                channels: num(5)?,
                num_filters: num(6)?,
                stride_h: num(7)?,
                stride_w: num(7)?,
            },
        };
        if layer.filter_h > layer.ifmap_h {
            return Err(bad(
                names[3],
                elems[3].trim(),
                "filter height cannot be larger than the ifmap height",
            ));
        }
        if layer.filter_w > layer.ifmap_w {
            return Err(bad(
                names[4],
                elems[4].trim(),
                "filter width cannot be larger than the ifmap width",
            ));
        }
        // Counts of the layer (MACs, operand address spaces) in 128 bits, so no product of
        // in-range columns can overflow later.
        let (l, wide) = (&layer, |v: u64| u128::from(v));
        let ofmap_px = wide((l.ifmap_h - l.filter_h + l.stride_h).div_ceil(l.stride_h))
            * wide((l.ifmap_w - l.filter_w + l.stride_w).div_ceil(l.stride_w));
        let window = wide(l.filter_h) * wide(l.filter_w) * wide(l.channels);
        let largest = [
            ofmap_px * window * wide(l.num_filters),
            wide(l.ifmap_h) * wide(l.ifmap_w) * wide(l.channels),
            window * wide(l.num_filters),
        ]
        .into_iter()
        .max()
        .unwrap_or(0);
        if largest > MAX_LAYER_COUNT {
            return Err(bad(
                "row",
                row,
                &format!("the layer's MACs or operand sizes reach {largest}, above 2^50; split the layer"),
            ));
        }
        if kind == TopologyKind::Conv && name.contains("DP") {
            for ch in 0..layer.channels {
                layers.push(Layer {
                    name: format!("{name}Channel_{ch}"),
                    channels: 1,
                    ..layer.clone()
                });
            }
        } else {
            layers.push(layer);
        }
    }
    Ok(layers)
}

/// Simulates one layer (0-based id `index`) on a SCALE-Sim configuration. With `compat` off,
/// the output-stationary SRAM OFMAP Writes drop SCALE-Sim's phantom `rows + cols` per fold.
pub fn run_layer(
    cfg: &ScaleSimConfig,
    layer: &Layer,
    index: usize,
    topology_file: &str,
    compat: bool,
) -> Result<LayerResult, ScaleSimError> {
    let mapping = Mapping::new(cfg.dataflow, cfg.rows, cfg.cols, layer);
    let mut result =
        replay(layer, &mapping, &cfg.memory()).map_err(|source| ScaleSimError::Layer {
            file: topology_file.to_string(),
            layer: index,
            name: layer.name.clone(),
            source,
        })?;
    result.sram[2].words = mapping.sram_accesses(compat).2;
    Ok(result)
}

/// Formats a float as Python's `repr` does (shortest round-trip digits, `.0` on integers,
/// scientific notation below 1e-4 and from 1e16).
pub fn py_float(x: f64) -> String {
    if x.is_nan() {
        return "nan".into();
    }
    if x.is_infinite() {
        return if x > 0.0 { "inf".into() } else { "-inf".into() };
    }
    if x == 0.0 {
        return if x.is_sign_negative() {
            "-0.0".into()
        } else {
            "0.0".into()
        };
    }
    let sci = format!("{x:e}"); // shortest digits, e.g. "1.5e-7"
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    if (-4..16).contains(&exp) {
        let s = format!("{x}");
        if s.contains('.') {
            s
        } else {
            format!("{s}.0")
        }
    } else {
        let sign = if exp < 0 { '-' } else { '+' };
        format!("{mantissa}e{sign}{:02}", exp.abs())
    }
}

/// The three report files, as text: `(COMPUTE_REPORT.csv, BANDWIDTH_REPORT.csv,
/// DETAILED_ACCESS_REPORT.csv)`.
pub fn reports(results: &[LayerResult]) -> (String, String, String) {
    let mut compute = String::from(
        "LayerID, Total Cycles (incl. prefetch), Total Cycles, Stall Cycles, Overall Util %, Mapping Efficiency %, Compute Util %,\n",
    );
    let mut bandwidth = String::from(
        "LayerID, Avg IFMAP SRAM BW, Avg FILTER SRAM BW, Avg OFMAP SRAM BW, Avg IFMAP DRAM BW, Avg FILTER DRAM BW, Avg OFMAP DRAM BW,\n",
    );
    let mut detail = String::from(concat!(
        "LayerID, ",
        "SRAM IFMAP Start Cycle, SRAM IFMAP Stop Cycle, SRAM IFMAP Reads, ",
        "SRAM Filter Start Cycle, SRAM Filter Stop Cycle, SRAM Filter Reads, ",
        "SRAM OFMAP Start Cycle, SRAM OFMAP Stop Cycle, SRAM OFMAP Writes, ",
        "DRAM IFMAP Start Cycle, DRAM IFMAP Stop Cycle, DRAM IFMAP Reads, ",
        "DRAM Filter Start Cycle, DRAM Filter Stop Cycle, DRAM Filter Reads, ",
        "DRAM OFMAP Start Cycle, DRAM OFMAP Stop Cycle, DRAM OFMAP Writes,\n"
    ));
    let cyc = |c: i64| py_float(c as f64);
    for (lid, r) in results.iter().enumerate() {
        let _ = writeln!(
            compute,
            "{lid}, {}, {}, {}, {}, {}, {},",
            r.total_cycles_incl_prefetch,
            r.total_cycles,
            r.stall_cycles,
            py_float(r.overall_util_pct),
            py_float(r.mapping_efficiency_pct),
            py_float(r.compute_util_pct)
        );
        let bws: Vec<String> = r.bandwidths().iter().map(|&b| py_float(b)).collect();
        let _ = writeln!(bandwidth, "{lid}, {},", bws.join(", "));
        let mut items = Vec::new();
        for a in r.sram.iter().chain(r.dram.iter()) {
            items.push(cyc(a.start_cycle));
            items.push(cyc(a.stop_cycle));
            items.push(a.words.to_string());
        }
        let _ = writeln!(detail, "{lid}, {},", items.join(", "));
    }
    (compute, bandwidth, detail)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_float_repr() {
        assert_eq!(py_float(64.71095772217429), "64.71095772217429");
        assert_eq!(py_float(10.0), "10.0");
        assert_eq!(py_float(-92.0), "-92.0");
        assert_eq!(py_float(93.75), "93.75");
        assert_eq!(py_float(1.5e-7), "1.5e-07");
        assert_eq!(py_float(0.0001), "0.0001");
        assert_eq!(py_float(1e16), "1e+16");
        assert_eq!(py_float(0.1 + 0.2), "0.30000000000000004");
    }

    #[test]
    fn topology_errors_name_line_and_field() {
        let e = parse_topology("h\ng1, 4, 0, 3,\n", "t.csv", TopologyKind::Gemm)
            .unwrap_err()
            .to_string();
        assert_eq!(
            e,
            "t.csv:2: field `N`: must be between 1 and 1048576 (got \"0\")"
        );
        let e = parse_topology("h\ng1, 4, 5, 3\n", "t.csv", TopologyKind::Gemm)
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("t.csv:2: field `K`"), "{e}");
        let l = parse_topology(
            "h\n\nc, 9, 9, 3, 3, 3, 5, 2,\n",
            "t.csv",
            TopologyKind::Conv,
        )
        .unwrap();
        assert_eq!(l[0].stride_w, 2);
        let dp = parse_topology(
            "h\nDP1, 9, 9, 3, 3, 3, 5, 1,\n",
            "t.csv",
            TopologyKind::Conv,
        )
        .unwrap();
        assert_eq!(dp.len(), 3);
        assert_eq!(dp[2].name, "DP1Channel_2");
    }
}
