//! Errors of the simulator crate: each names the file, the field and the value at fault.

use thiserror::Error;

/// Everything that can go wrong loading an architecture or simulating a workload on it.
#[derive(Debug, Error)]
pub enum SimError {
    /// The architecture file could not be read.
    #[error("{file}: cannot read: {message}")]
    Read {
        /// Path of the file.
        file: String,
        /// The operating system's reason.
        message: String,
    },
    /// The architecture file is not valid TOML or does not match the schema.
    #[error("{file}: {message}")]
    Parse {
        /// Path of the file.
        file: String,
        /// The parser's one-line message, with line and column where known.
        message: String,
    },
    /// A field holds a value this architecture cannot have.
    #[error("{file}: field `{field}`: {message}{}", got(.value))]
    InvalidField {
        /// Path of the file (or `<builtin>` for embedded configurations).
        file: String,
        /// Dotted path of the field, as spelled in the file.
        field: String,
        /// The offending value, rendered.
        value: String,
        /// What is wrong with it.
        message: String,
    },
    /// The workload does not fit in the architecture's DRAM.
    #[error("{file}: {message}")]
    Capacity {
        /// The architecture file.
        file: String,
        /// Bytes needed against bytes available.
        message: String,
    },
    /// A count of the run (cycles, bytes, energy) is too large to represent exactly.
    #[error("{arch}: {message}")]
    TooLarge {
        /// Architecture name.
        arch: String,
        /// Which count, and the workload dimension that makes it large.
        message: String,
    },
    /// The workload cannot run on this architecture (e.g. a weight format it cannot process).
    #[error("{arch}: {message}")]
    Unsupported {
        /// Architecture name.
        arch: String,
        /// What cannot be done, and why.
        message: String,
    },
}

/// ` (got VALUE)`, or nothing when the message names the value itself (`value` empty).
fn got(value: &str) -> String {
    if value.is_empty() {
        String::new()
    } else {
        format!(" (got {value})")
    }
}

impl SimError {
    /// Shorthand for [`SimError::InvalidField`].
    pub fn invalid(
        file: &str,
        field: &str,
        value: impl ToString,
        message: impl Into<String>,
    ) -> Self {
        SimError::InvalidField {
            file: file.to_string(),
            field: field.to_string(),
            value: value.to_string(),
            message: message.into(),
        }
    }
}
