//! Errors of the workloads crate: each names the parameter and the value at fault.
//!
//! Every message is one line, so the binary can print it after `error: ` as is.

use lutforge_models::ModelError;
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
    /// A FLOP or byte count of the lowering, or its total over layers or over the run, does
    /// not fit in 64 bits. `dimension` is the input that makes it so: the largest factor of
    /// the product, preferring a workload dimension (batch, tokens) over a model size.
    #[error("workload: `{dimension}` makes the {quantity} exceed 2^64 (got {value})")]
    TooLarge {
        /// The dimension at fault: a workload parameter (`batch`, `prefill`, ...), a step field
        /// (`new_tokens`, ...) for a bare step, or a model field (`hidden_size`, ...).
        dimension: String,
        /// Its value.
        value: u64,
        /// What overflows, e.g. "FLOPs of `ffn_up` over all layers".
        quantity: String,
    },
    /// The model or the quantization scheme breaks an invariant of its type (only possible for
    /// values built field by field; imports and the parser check them).
    #[error(transparent)]
    Model(#[from] ModelError),
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
