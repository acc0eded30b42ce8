//! Reading `--from`: a simulation report (one JSON document, [`lutforge_sim::Report`]) or sweep
//! results (JSONL, [`SweepResults`]), told apart by content and extension.

use std::path::Path;

use lutforge_sim::report::REPORT_SCHEMA_VERSION;
use lutforge_sim::Report;
use serde_json::Value;

use crate::error::ReportError;
use crate::sweep::{strip_position, SweepResults};

/// What `--from` held.
#[derive(Debug, Clone)]
pub enum Input {
    /// One simulation run.
    Report(Box<Report>),
    /// Many design points.
    Sweep(SweepResults),
}

/// Reads and parses `path`.
///
/// Sweep results are recognised by a first line that is a JSON object with a `point` field, or
/// by a `.jsonl`/`.ndjson` extension; anything else is read as a simulation report.
pub fn load(path: &Path) -> Result<Input, ReportError> {
    let bytes = std::fs::read(path).map_err(|cause| ReportError::Read {
        path: path.to_path_buf(),
        cause,
    })?;
    let text = String::from_utf8(bytes).map_err(|e| {
        let before = &e.as_bytes()[..e.utf8_error().valid_up_to()];
        let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
        ReportError::Parse {
            path: path.to_path_buf(),
            line,
            column: 0,
            message: "not UTF-8 text".to_string(),
        }
    })?;
    if looks_like_sweep(path, &text) {
        return SweepResults::parse(path, &text).map(Input::Sweep);
    }
    parse_report(path, &text).map(|r| Input::Report(Box::new(r)))
}

fn looks_like_sweep(path: &Path, text: &str) -> bool {
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    if ext == "jsonl" || ext == "ndjson" {
        return true;
    }
    let first = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    matches!(serde_json::from_str::<Value>(first), Ok(Value::Object(map)) if map.contains_key("point"))
}

/// The oldest report schema this version reads (version 2 only added fields with defaults).
pub const OLDEST_READABLE_SCHEMA: u32 = 1;

/// Parses a simulation report; `path` is used in error messages.
pub fn parse_report(path: &Path, text: &str) -> Result<Report, ReportError> {
    if text.trim().is_empty() {
        return Err(ReportError::Empty {
            path: path.to_path_buf(),
            what: "empty file (expected a simulation report JSON)".to_string(),
        });
    }
    // Check the version first, so an old or future report gets a clear message rather than a
    // missing-field error.
    if let Ok(Value::Object(map)) = serde_json::from_str::<Value>(text) {
        if let Some(found) = map.get("schema_version").and_then(Value::as_u64) {
            if !(u64::from(OLDEST_READABLE_SCHEMA)..=u64::from(REPORT_SCHEMA_VERSION))
                .contains(&found)
            {
                return Err(ReportError::SchemaVersion {
                    path: path.to_path_buf(),
                    found: u32::try_from(found).unwrap_or(u32::MAX),
                    expected: REPORT_SCHEMA_VERSION,
                });
            }
        }
    }
    serde_json::from_str::<Report>(text).map_err(|e| {
        let message = match e.classify() {
            serde_json::error::Category::Data => {
                format!("not a lutforge simulation report: {}", strip_position(&e))
            }
            _ => format!("malformed JSON: {}", strip_position(&e)),
        };
        ReportError::Parse {
            path: path.to_path_buf(),
            line: e.line(),
            column: e.column(),
            message,
        }
    })
}
