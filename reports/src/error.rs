//! The one error type of the crate: every variant names the file, line, flag or plot at fault.

use std::path::PathBuf;

/// Anything that stops a report from being read or written.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// The input file could not be read.
    #[error("cannot read {}: {cause}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        cause: std::io::Error,
    },
    /// The input is not valid JSON, or not the expected shape.
    #[error("{}", position(path, *line, *column, message))]
    Parse {
        /// The file.
        path: PathBuf,
        /// 1-based line.
        line: usize,
        /// 1-based column (0 when unknown).
        column: usize,
        /// What is wrong.
        message: String,
    },
    /// The input file holds no data at all.
    #[error("{}: {what}", path.display())]
    Empty {
        /// The file.
        path: PathBuf,
        /// What was expected.
        what: String,
    },
    /// A simulation report of a schema version this crate does not read.
    #[error("{}: report schema version {found}, this lutforge reads versions 1 to {expected}", path.display())]
    SchemaVersion {
        /// The file.
        path: PathBuf,
        /// Version in the file.
        found: u32,
        /// Version understood here.
        expected: u32,
    },
    /// `--x`/`--y` named a metric that no sweep row has.
    #[error("unknown metric `{name}` for {flag}; available: {}", list(available))]
    UnknownMetric {
        /// The flag, e.g. `--x`.
        flag: String,
        /// The name given.
        name: String,
        /// Metric names present in the results.
        available: Vec<String>,
    },
    /// `--color` named an axis that no sweep point has.
    #[error("unknown axis `{name}` for --color; available: {}", list(available))]
    UnknownAxis {
        /// The name given.
        name: String,
        /// Axis names present in the results.
        available: Vec<String>,
    },
    /// A sweep-only option was given with a simulation report.
    #[error("{flag} applies to sweep results (JSONL), not to a simulation report")]
    SweepOnly {
        /// The flag, e.g. `--x`.
        flag: String,
    },
    /// The embedded font could not be loaded (a build defect, not a user error).
    #[error("the embedded font could not be loaded")]
    Font,
    /// A plot could not be drawn.
    #[error("drawing {plot}: {message}")]
    Draw {
        /// Plot name, e.g. `roofline`.
        plot: String,
        /// The backend's message.
        message: String,
    },
    /// A PNG could not be encoded.
    #[error("encoding {plot}.png: {cause}")]
    Png {
        /// Plot name.
        plot: String,
        /// The encoder's error.
        cause: png::EncodingError,
    },
    /// An output file could not be written.
    #[error("cannot write {}: {cause}", path.display())]
    Write {
        /// The file.
        path: PathBuf,
        /// Why.
        cause: std::io::Error,
    },
}

fn list(names: &[String]) -> String {
    if names.is_empty() {
        "(none)".to_string()
    } else {
        names.join(", ")
    }
}

fn position(path: &std::path::Path, line: usize, column: usize, message: &str) -> String {
    if column == 0 {
        format!("{}:{line}: {message}", path.display())
    } else {
        format!("{}:{line}:{column}: {message}", path.display())
    }
}
