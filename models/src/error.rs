//! Errors of the models crate: each names the file or input, the field and the value at fault.
//!
//! Every message is one line, so the binary can print it after `error: ` as is.

use thiserror::Error;

/// Everything that can go wrong loading or validating a model or a quantization scheme.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum ModelError {
    /// A field holds a value that no model can have (or a required field is missing).
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
    /// A `config.json` that is not well-formed JSON.
    #[error("{source_name}:{line}:{column}: malformed JSON: {message}")]
    Json {
        /// File path the text came from.
        source_name: String,
        /// 1-based line of the error, as serde_json reports it.
        line: usize,
        /// 1-based column of the error, as serde_json reports it.
        column: usize,
        /// serde_json's description, without its position suffix.
        message: String,
    },
    /// A file that cannot be read.
    #[error("{path}: cannot read: {message}")]
    Io {
        /// The path given.
        path: String,
        /// The operating system's reason.
        message: String,
    },
    /// `ModelConfig::preset` with a name that is not built in.
    #[error("unknown preset `{name}`; known presets: {known}")]
    UnknownPreset {
        /// The name given.
        name: String,
        /// The built-in preset names, comma separated.
        known: String,
    },
    /// `resolve` with an argument that is neither a preset nor a readable file.
    #[error("model `{name}` is neither a built-in preset ({known}) nor a readable config.json file ({reason})")]
    UnknownModel {
        /// The argument given.
        name: String,
        /// The built-in preset names, comma separated.
        known: String,
        /// Why the argument could not be read as a file.
        reason: String,
    },
}
