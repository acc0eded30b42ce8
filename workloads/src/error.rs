//! Errors of the workloads crate: each names the parameter and the value at fault.

use thiserror::Error;

/// A workload that cannot be run.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum WorkloadError {
    /// A parameter out of its legal range.
    #[error("workload: `{field}` {message} (got {value})")]
    Invalid {
        /// The parameter, as spelled on the command line or in a sweep file.
        field: String,
        /// The value given.
        value: String,
        /// What is wrong with it.
        message: String,
    },
}

impl WorkloadError {
    /// Shorthand constructor.
    pub fn invalid(field: &str, value: impl ToString, message: impl Into<String>) -> Self {
        WorkloadError::Invalid {
            field: field.to_string(),
            value: value.to_string(),
            message: message.into(),
        }
    }
}
