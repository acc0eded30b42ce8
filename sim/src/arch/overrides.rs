//! `--set PATH=VALUE`: one edit of an architecture file, by the same dotted paths sweep axes use
//! (`cores`, `dram.bandwidth_gbytes_per_s`, `lut.tile_n`). Overrides are applied to the parsed
//! document before validation, so an overridden value is checked exactly like one in the file.

use crate::error::SimError;

/// One `PATH=VALUE` edit.
#[derive(Debug, Clone, PartialEq)]
pub struct Override {
    /// Dotted path, e.g. `dram.bandwidth_gbytes_per_s`.
    pub path: String,
    /// The value, parsed as a TOML value (a bare word that is not one becomes a string).
    pub value: toml::Value,
}

impl std::str::FromStr for Override {
    type Err = String;

    /// Parses `PATH=VALUE`.
    fn from_str(text: &str) -> Result<Override, String> {
        let Some((path, value)) = text.split_once('=') else {
            return Err(format!("`{text}`: expected PATH=VALUE, e.g. cores=8"));
        };
        let path = path.trim();
        let valid = !path.is_empty()
            && path.split('.').all(|p| {
                !p.is_empty()
                    && p.chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
            });
        if !valid {
            return Err(format!(
                "`{text}`: `{path}` is not a dotted field path like dram.bandwidth_gbytes_per_s"
            ));
        }
        let value = value.trim();
        let parsed = toml::from_str::<toml::Table>(&format!("v = {value}"))
            .ok()
            .and_then(|mut t| t.remove("v"))
            .unwrap_or_else(|| toml::Value::String(value.to_string()));
        Ok(Override {
            path: path.to_string(),
            value: parsed,
        })
    }
}

impl std::fmt::Display for Override {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}={}", self.path, self.value)
    }
}

impl Override {
    /// Sets the value in `doc`. Every table on the path must exist; the last key may be new
    /// (an optional field), and validation then rejects it if no such field exists.
    pub fn apply(&self, doc: &mut toml::Table, file: &str) -> Result<(), SimError> {
        let parts: Vec<&str> = self.path.split('.').collect();
        let (last, tables) = parts.split_last().unwrap_or((&"", &[]));
        let mut node = doc;
        for (depth, part) in tables.iter().enumerate() {
            let here = parts[..=depth].join(".");
            node = match node.get_mut(*part) {
                Some(toml::Value::Table(t)) => t,
                Some(_) => {
                    return Err(SimError::invalid(
                        file,
                        &self.path,
                        format!("--set {self}"),
                        format!("`{here}` is a value, not a section"),
                    ))
                }
                None => {
                    return Err(SimError::invalid(
                        file,
                        &self.path,
                        format!("--set {self}"),
                        format!("the architecture has no section `{here}`"),
                    ))
                }
            };
        }
        if matches!(node.get(*last), Some(toml::Value::Table(_))) {
            return Err(SimError::invalid(
                file,
                &self.path,
                format!("--set {self}"),
                "is a section; set one of its fields",
            ));
        }
        node.insert((*last).to_string(), self.value.clone());
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::Override;

    #[test]
    fn values_parse_as_toml_and_bare_words_as_strings() {
        let o: Override = "dram.bandwidth_gbytes_per_s=512".parse().unwrap();
        assert_eq!(o.value, toml::Value::Integer(512));
        let o: Override = "kind=mac_tensor_core".parse().unwrap();
        assert_eq!(o.value, toml::Value::String("mac_tensor_core".into()));
        let o: Override = "lut.symmetric=false".parse().unwrap();
        assert_eq!(o.value, toml::Value::Boolean(false));
        assert!("cores".parse::<Override>().is_err());
        assert!("a..b=1".parse::<Override>().is_err());
    }

    #[test]
    fn a_missing_section_is_named() {
        let mut doc: toml::Table = toml::from_str("cores = 1\n[dram]\nlatency_ns = 1.0\n").unwrap();
        let o: Override = "no_such.field=1".parse().unwrap();
        let e = o.apply(&mut doc, "f.toml").unwrap_err().to_string();
        assert!(e.contains("no_such"), "{e}");
        let o: Override = "dram.latency_ns=2.5".parse().unwrap();
        o.apply(&mut doc, "f.toml").unwrap();
        assert_eq!(doc["dram"]["latency_ns"], toml::Value::Float(2.5));
    }
}
