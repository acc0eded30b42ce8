//! Errors of the models crate: each names the file or input, the field and the value at fault.

use thiserror::Error;

/// Everything that can go wrong loading or validating a model or a quantization scheme.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum ModelError {
    /// A field holds a value that no model can have.
    #[error("{source_name}: field `{field}`: {message} (got {value})")]
    InvalidField {
        /// File path or preset name the value came from.
        source_name: String,
        /// The field at fault, as spelled in the input.
        field: String,
        /// The offending value, rendered.
        value: String,
        /// What is wrong with it.
        message: String,
    },
    /// A quantization string that does not parse.
    #[error("unknown quantization scheme `{text}`: {message}")]
    BadQuant {
        /// The string given.
        text: String,
        /// What is wrong with it.
        message: String,
    },
}
