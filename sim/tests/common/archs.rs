//! Architectures from the shipped files under configs/arch, edited key by key, and whole-model
//! runs on them.

use lutforge_models::{ModelConfig, QuantScheme};
use lutforge_sim::{simulate, Arch, Report};
use lutforge_workloads::Workload;

/// The TOML of a file under configs/arch, with `edits` (dotted key, TOML value) applied.
pub fn arch_doc(file: &str, edits: &[(&str, toml::Value)]) -> toml::Value {
    let path = format!("{}/../configs/arch/{file}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap();
    let mut doc: toml::Value = toml::from_str(&text).unwrap();
    for (key, value) in edits {
        let mut node = &mut doc;
        let parts: Vec<&str> = key.split('.').collect();
        for part in &parts[..parts.len() - 1] {
            node = node.get_mut(*part).unwrap();
        }
        node.as_table_mut()
            .unwrap()
            .insert(parts[parts.len() - 1].to_string(), value.clone());
    }
    doc
}

/// The architecture of [`arch_doc`].
pub fn arch_of(doc: &toml::Value) -> Arch {
    Arch::from_toml_str(&toml::to_string(doc).unwrap(), "configs/arch (edited)").unwrap()
}

/// An architecture from a file under configs/arch, with `edits` applied.
pub fn arch(file: &str, edits: &[(&str, toml::Value)]) -> Arch {
    arch_of(&arch_doc(file, edits))
}

pub fn run(arch: &Arch, model: &str, quant: &str, batch: u64, prefill: u64, decode: u64) -> Report {
    let model = ModelConfig::preset(model).unwrap();
    let quant: QuantScheme = quant.parse().unwrap();
    let workload = Workload::new(model, quant, batch, prefill, decode).unwrap();
    simulate(arch, &workload, Vec::new()).unwrap()
}
