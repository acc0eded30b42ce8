//! Errors of the models crate: each names the file or input, the field and the value at fault.
//!
//! Every message is one line, so the binary can print it after `error: ` as is: control
//! characters in the quoted input (a newline in a quantization string or a path) are printed
//! escaped, as `\n`.

use thiserror::Error;

/// Everything that can go wrong loading or validating a model or a quantization scheme.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum ModelError {
    /// A field holds a value that no model can have (or a required field is missing).
    #[error(
        "{}: field `{}`: {} (got {})",
        one_line(.source_name),
        one_line(.field),
        one_line(.message),
        one_line(.value)
    )]
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
    #[error(
        "unknown quantization scheme `{}`: {}",
        one_line(.text),
        one_line(.message)
    )]
    BadQuant {
        /// The string given.
        text: String,
        /// What is wrong with it.
        message: String,
    },
    /// A `config.json` that is not well-formed JSON.
    #[error(
        "{}:{line}:{column}: malformed JSON: {}",
        one_line(.source_name),
        one_line(.message)
    )]
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
    #[error("{}: cannot read: {}", one_line(.path), one_line(.message))]
    Io {
        /// The path given.
        path: String,
        /// The operating system's reason.
        message: String,
    },
    /// `ModelConfig::preset` with a name that is not built in.
    #[error("unknown preset `{}`; known presets: {known}", one_line(.name))]
    UnknownPreset {
        /// The name given.
        name: String,
        /// The built-in preset names, comma separated.
        known: String,
    },
    /// `resolve` with an argument that is neither a preset nor a readable file.
    #[error(
        "model `{}` is neither a built-in preset ({known}) nor a readable config.json file ({})",
        one_line(.name),
        one_line(.reason)
    )]
    UnknownModel {
        /// The argument given.
        name: String,
        /// The built-in preset names, comma separated.
        known: String,
        /// Why the argument could not be read as a file.
        reason: String,
    },
}

/// `text` with its control characters escaped (`\n`, `\t`, `\u{1b}`), so it stays on one line.
fn one_line(text: &str) -> std::borrow::Cow<'_, str> {
    if text.chars().any(char::is_control) {
        text.chars()
            .map(|c| {
                if c.is_control() {
                    c.escape_default().to_string()
                } else {
                    c.to_string()
                }
            })
            .collect::<String>()
            .into()
    } else {
        text.into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_escaped() {
        assert_eq!(one_line("w4\na8\t\u{1b}"), "w4\\na8\\t\\u{1b}");
        assert_eq!(one_line("caf\u{e9}"), "caf\u{e9}");
        let err = ModelError::BadQuant {
            text: "\n".into(),
            message: "unexpected `\nx`".into(),
        };
        assert_eq!(
            err.to_string(),
            "unknown quantization scheme `\\n`: unexpected `\\nx`"
        );
    }
}
