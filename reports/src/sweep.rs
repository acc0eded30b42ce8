//! Sweep results: one JSON object per line (JSONL), read generically.
//!
//! Each non-blank line is an object with at least:
//! - `point`: object, axis name -> value (number, string or boolean; nested objects are
//!   flattened to dotted names such as `arch.tile_m`);
//! - `status`: `"ok"` or `"rejected"`;
//! - `reason`: why a point was rejected (string; may be absent for `ok` rows);
//! - `metrics`: object, metric name -> number (e.g. `tokens_per_s`, `energy_per_token_j`,
//!   `area_mm2`, `ttft_s`, `tpot_s`); nested objects are flattened like `point`, `null` means
//!   "not available for this point" and other non-numbers are ignored.
//!
//! Other fields are ignored, so the writer may add more without breaking this reader.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::error::ReportError;

/// The value of one axis at one point.
#[derive(Debug, Clone, PartialEq)]
pub enum AxisValue {
    /// A numeric axis (sizes, counts, bandwidths).
    Number(f64),
    /// A categorical axis (names, booleans, anything else).
    Text(String),
}

impl AxisValue {
    /// The number, when numeric.
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            AxisValue::Number(v) => Some(*v),
            AxisValue::Text(_) => None,
        }
    }

    /// Total order: numbers (ascending) before texts (lexicographic).
    pub fn total_cmp(&self, other: &Self) -> std::cmp::Ordering {
        use std::cmp::Ordering;
        match (self, other) {
            (AxisValue::Number(a), AxisValue::Number(b)) => a.total_cmp(b),
            (AxisValue::Number(_), AxisValue::Text(_)) => Ordering::Less,
            (AxisValue::Text(_), AxisValue::Number(_)) => Ordering::Greater,
            (AxisValue::Text(a), AxisValue::Text(b)) => a.cmp(b),
        }
    }
}

impl fmt::Display for AxisValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AxisValue::Number(v) => write!(f, "{v}"),
            AxisValue::Text(s) => f.write_str(s),
        }
    }
}

/// Whether a point was simulated or refused.
#[derive(Debug, Clone, PartialEq)]
pub enum Status {
    /// Simulated; the metrics are meaningful.
    Ok,
    /// Illegal configuration, with the reason.
    Rejected(String),
}

/// One line of a sweep results file.
#[derive(Debug, Clone, PartialEq)]
pub struct SweepRow {
    /// 1-based line number in the file.
    pub line: usize,
    /// Axis name -> value.
    pub point: BTreeMap<String, AxisValue>,
    /// Simulated or rejected.
    pub status: Status,
    /// Metric name -> value (finite numbers only).
    pub metrics: BTreeMap<String, f64>,
}

impl SweepRow {
    /// True for a simulated point.
    pub fn is_ok(&self) -> bool {
        self.status == Status::Ok
    }
}

/// Whether a metric is better large or small.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Goal {
    /// Larger is better (throughput, efficiency, utilization).
    Maximize,
    /// Smaller is better (latency, energy, area, cost).
    Minimize,
}

impl Goal {
    /// Infers the goal from a metric name: rates (`*_per_s`), efficiencies (`*per_j`,
    /// `*_per_w`), `utilization`, `throughput` and `speedup` are maximized; everything else
    /// (times, energies, areas, bytes, cycles) is minimized.
    pub fn of_metric(name: &str) -> Goal {
        let n = name.to_ascii_lowercase();
        let maximize = n.ends_with("per_s")
            || n.ends_with("per_j")
            || n.ends_with("per_w")
            || n.contains("utilization")
            || n.contains("throughput")
            || n.contains("speedup")
            || n.contains("per_s_")
            || n.contains("per_j_");
        if maximize {
            Goal::Maximize
        } else {
            Goal::Minimize
        }
    }

    /// `max` or `min`.
    pub fn as_str(self) -> &'static str {
        match self {
            Goal::Maximize => "max",
            Goal::Minimize => "min",
        }
    }
}

/// A whole sweep results file.
#[derive(Debug, Clone, PartialEq)]
pub struct SweepResults {
    /// Where it came from.
    pub path: PathBuf,
    /// Every row, in file order.
    pub rows: Vec<SweepRow>,
}

impl SweepResults {
    /// Parses JSONL text; `path` is used in error messages. Blank lines are skipped; a file
    /// with no rows is an error.
    pub fn parse(path: &Path, text: &str) -> Result<SweepResults, ReportError> {
        let mut rows = Vec::new();
        for (index, raw) in text.lines().enumerate() {
            let line = index + 1;
            if raw.trim().is_empty() {
                continue;
            }
            rows.push(parse_row(path, line, raw)?);
        }
        if rows.is_empty() {
            return Err(ReportError::Empty {
                path: path.to_path_buf(),
                what: "no sweep results (the file holds no JSON lines)".to_string(),
            });
        }
        Ok(SweepResults {
            path: path.to_path_buf(),
            rows,
        })
    }

    /// Simulated rows.
    pub fn ok_rows(&self) -> impl Iterator<Item = &SweepRow> {
        self.rows.iter().filter(|r| r.is_ok())
    }

    /// Every metric name that some simulated row has, sorted.
    pub fn metric_names(&self) -> Vec<String> {
        let names: BTreeSet<&String> = self.ok_rows().flat_map(|r| r.metrics.keys()).collect();
        names.into_iter().cloned().collect()
    }

    /// Every axis name of any row, sorted.
    pub fn axis_names(&self) -> Vec<String> {
        let names: BTreeSet<&String> = self.rows.iter().flat_map(|r| r.point.keys()).collect();
        names.into_iter().cloned().collect()
    }

    /// The distinct values of one axis over the simulated rows, in [`AxisValue::total_cmp`]
    /// order.
    pub fn axis_values(&self, axis: &str) -> Vec<AxisValue> {
        let mut values: Vec<AxisValue> = self
            .ok_rows()
            .filter_map(|r| r.point.get(axis).cloned())
            .collect();
        values.sort_by(|a, b| a.total_cmp(b));
        values.dedup_by(|a, b| a.total_cmp(b).is_eq());
        values
    }

    /// Axes that take at least two values over the simulated rows (the swept axes), sorted.
    pub fn swept_axes(&self) -> Vec<String> {
        self.axis_names()
            .into_iter()
            .filter(|a| self.axis_values(a).len() >= 2)
            .collect()
    }

    /// Rejection reasons with their counts, most frequent first (ties by text).
    pub fn rejections(&self) -> Vec<(String, usize)> {
        let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
        for row in &self.rows {
            if let Status::Rejected(reason) = &row.status {
                *counts.entry(reason.as_str()).or_default() += 1;
            }
        }
        let mut list: Vec<(String, usize)> = counts
            .into_iter()
            .map(|(r, n)| (r.to_string(), n))
            .collect();
        list.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        list
    }
}

fn parse_row(path: &Path, line: usize, raw: &str) -> Result<SweepRow, ReportError> {
    let fail = |column: usize, message: String| ReportError::Parse {
        path: path.to_path_buf(),
        line,
        column,
        message,
    };
    let value: Value = serde_json::from_str(raw).map_err(|e| {
        fail(
            e.column(),
            format!("malformed JSON: {}", strip_position(&e)),
        )
    })?;
    let Value::Object(object) = value else {
        return Err(fail(
            0,
            "a sweep result line must be a JSON object".to_string(),
        ));
    };
    let point = match object.get("point") {
        Some(Value::Object(map)) => {
            let mut out = BTreeMap::new();
            flatten("", map, &mut out, &axis_value);
            out
        }
        Some(_) => {
            return Err(fail(
                0,
                "`point` must be an object (axis name -> value)".to_string(),
            ))
        }
        None => return Err(fail(0, "missing field `point`".to_string())),
    };
    let reason = match object.get("reason") {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Null) | None => String::new(),
        Some(other) => other.to_string(),
    };
    let status = match object.get("status") {
        Some(Value::String(s)) if s == "ok" => Status::Ok,
        Some(Value::String(s)) if s == "rejected" => Status::Rejected(if reason.is_empty() {
            "(no reason given)".to_string()
        } else {
            reason
        }),
        Some(other) => {
            return Err(fail(
                0,
                format!("`status` must be \"ok\" or \"rejected\", not {other}"),
            ))
        }
        None => return Err(fail(0, "missing field `status`".to_string())),
    };
    let mut metrics = BTreeMap::new();
    match object.get("metrics") {
        Some(Value::Object(map)) => flatten("", map, &mut metrics, &metric_value),
        Some(Value::Null) | None if status != Status::Ok => {}
        Some(_) => {
            return Err(fail(
                0,
                "`metrics` must be an object (metric name -> number)".to_string(),
            ))
        }
        None => {
            return Err(fail(
                0,
                "missing field `metrics` on an \"ok\" row".to_string(),
            ))
        }
    }
    Ok(SweepRow {
        line,
        point,
        status,
        metrics,
    })
}

/// Flattens nested objects into dotted names; `leaf` turns each non-object value into an entry
/// (or drops it).
fn flatten<T>(
    prefix: &str,
    map: &serde_json::Map<String, Value>,
    out: &mut BTreeMap<String, T>,
    leaf: &dyn Fn(&Value) -> Option<T>,
) {
    for (key, value) in map {
        let name = if prefix.is_empty() {
            key.clone()
        } else {
            format!("{prefix}.{key}")
        };
        match value {
            Value::Object(inner) => flatten(&name, inner, out, leaf),
            other => {
                if let Some(v) = leaf(other) {
                    out.insert(name, v);
                }
            }
        }
    }
}

/// A point coordinate: numbers as numbers, nulls dropped, anything else as text.
fn axis_value(value: &Value) -> Option<AxisValue> {
    match value {
        Value::Number(n) => Some(AxisValue::Number(n.as_f64().unwrap_or(f64::NAN))),
        Value::String(s) => Some(AxisValue::Text(s.clone())),
        Value::Null => None,
        other => Some(AxisValue::Text(other.to_string())),
    }
}

/// A metric: finite numbers only.
fn metric_value(value: &Value) -> Option<f64> {
    value.as_f64().filter(|v| v.is_finite())
}

/// serde_json's message without its trailing " at line L column C" (the caller prints the
/// position in `file:line:column` form).
pub(crate) fn strip_position(err: &serde_json::Error) -> String {
    let text = err.to_string();
    match text.rfind(" at line ") {
        Some(at) => text[..at].to_string(),
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<SweepResults, ReportError> {
        SweepResults::parse(Path::new("s.jsonl"), text)
    }

    #[test]
    fn reads_ok_and_rejected_rows() {
        let text = r#"{"point":{"cores":4,"sym":"yes","arch":{"g":2}},"status":"ok","metrics":{"tokens_per_s":10.5,"tpot_s":null,"e":{"dram_j":1}}}

{"point":{"cores":8,"sym":"no"},"status":"rejected","reason":"tile too big"}
"#;
        let s = parse(text).unwrap();
        assert_eq!(s.rows.len(), 2);
        assert_eq!(s.rows[1].line, 3);
        assert_eq!(s.rows[0].point["arch.g"], AxisValue::Number(2.0));
        assert_eq!(s.metric_names(), vec!["e.dram_j", "tokens_per_s"]);
        assert_eq!(s.rows[1].status, Status::Rejected("tile too big".into()));
        assert_eq!(s.rejections(), vec![("tile too big".to_string(), 1)]);
    }

    #[test]
    fn errors_name_file_and_line() {
        let err = parse("{\"point\":{},\"status\":\"ok\",\"metrics\":{}}\n{oops\n").unwrap_err();
        assert!(err.to_string().starts_with("s.jsonl:2:"), "{err}");
        let err = parse("{\"point\":{},\"status\":\"done\",\"metrics\":{}}\n").unwrap_err();
        assert_eq!(
            err.to_string(),
            "s.jsonl:1: `status` must be \"ok\" or \"rejected\", not \"done\""
        );
        let err = parse("\n  \n").unwrap_err();
        assert!(err.to_string().contains("no sweep results"), "{err}");
    }

    #[test]
    fn goals_follow_names() {
        assert_eq!(Goal::of_metric("tokens_per_s"), Goal::Maximize);
        assert_eq!(Goal::of_metric("tokens_per_j"), Goal::Maximize);
        assert_eq!(Goal::of_metric("energy_per_token_j"), Goal::Minimize);
        assert_eq!(Goal::of_metric("area_mm2"), Goal::Minimize);
        assert_eq!(Goal::of_metric("ttft_s"), Goal::Minimize);
    }
}
