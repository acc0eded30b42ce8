//! Evaluating one sweep point: edit the base architecture and workload, validate, simulate, and
//! produce the point's JSON line (rejected points carry the reason instead of metrics).

use std::collections::BTreeMap;

use lutforge_models::{ModelConfig, QuantScheme};
use lutforge_workloads::{LoweringOptions, MlaDecode, MoeRouting, Workload};
use serde::{Deserialize, Serialize};

use super::sample::Sampler;
use super::space::{set_field, Space};
use crate::arch::Arch;
use crate::engine::simulate;
use crate::support;

/// One line of a sweep's JSONL output (schema in the module doc of `sweep`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SweepLine {
    /// `name#hash` of the space.
    pub sweep: String,
    /// Point index.
    pub id: u64,
    /// Points in the sweep.
    pub total: u64,
    /// Axis field -> value at this point.
    pub point: BTreeMap<String, serde_json::Value>,
    /// `ok` or `rejected`.
    pub status: String,
    /// The point's architecture kind (e.g. `lut_tensor_core`), when its file was valid.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Why the point was rejected.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Metric name -> value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metrics: Option<BTreeMap<String, f64>>,
}

/// Evaluates point `id` of `space`.
pub fn evaluate(space: &Space, sampler: &Sampler, id: u64) -> SweepLine {
    let indices = sampler.indices(id);
    let mut point = BTreeMap::new();
    let mut arch_doc = space.base_arch.clone();
    let mut workload = space.workload.clone();
    // The `arch` axis picks the document the other axes edit.
    for (axis, &i) in space.axes.iter().zip(&indices) {
        if axis.field == "arch" {
            if let Some(doc) = axis.values[i]
                .as_str()
                .and_then(|v| space.arch_variants.get(v))
            {
                arch_doc = doc.clone();
            }
        }
    }
    for (axis, &i) in space.axes.iter().zip(&indices) {
        let value = &axis.values[i];
        point.insert(axis.field.clone(), toml_to_json(value));
        if axis.field == "arch" {
            continue;
        }
        match axis.field.strip_prefix("workload.") {
            Some(w) => set_workload(&mut workload, w, value),
            None => set_field(&mut arch_doc, &axis.field, value.clone()),
        }
    }
    let kind = arch_doc
        .get("kind")
        .and_then(|k| k.as_str())
        .map(str::to_string);
    let line =
        |status: &str, reason: Option<String>, metrics: Option<BTreeMap<String, f64>>| SweepLine {
            sweep: space.tag(),
            id,
            total: space.total_points(),
            point: point.clone(),
            status: status.to_string(),
            kind: kind.clone(),
            reason,
            metrics,
        };
    match run_point(space, &arch_doc, &workload, id) {
        Ok(metrics) => line("ok", None, Some(metrics)),
        Err(reason) => line("rejected", Some(reason), None),
    }
}

fn run_point(
    space: &Space,
    arch_doc: &toml::Value,
    w: &super::space::BaseWorkload,
    id: u64,
) -> Result<BTreeMap<String, f64>, String> {
    let text = toml::to_string(arch_doc).map_err(|e| e.to_string())?;
    let name = format!("{} point {id}", space.file.display());
    let arch = Arch::from_toml_str(&text, &name).map_err(|e| e.to_string())?;
    let model = resolve_model(space, &w.model)?;
    let quant = match &w.quant {
        Some(q) => q.parse::<QuantScheme>().map_err(|e| e.to_string())?,
        None => support::substitute_defaults(&arch, model.native_quant).0,
    };
    let problems = support::problems(&arch, &quant);
    if !problems.is_empty() {
        return Err(format!(
            "quantization {quant} cannot run: {}",
            problems.join("; ")
        ));
    }
    let options = LoweringOptions {
        moe_routing: w
            .moe_routing
            .as_deref()
            .map_or(Ok(MoeRouting::default()), str::parse)?,
        mla_decode: w
            .mla_decode
            .as_deref()
            .map_or(Ok(MlaDecode::default()), str::parse)?,
    };
    let mut workload = Workload::new(model, quant, w.batch, w.prefill, w.decode)
        .and_then(|w| w.with_options(options))
        .map_err(|e| e.to_string())?;
    if w.shared_prefix > 0 {
        workload = workload
            .with_shared_prefix(w.shared_prefix)
            .map_err(|e| e.to_string())?;
    }
    let r = simulate(&arch, &workload, Vec::new()).map_err(|e| e.to_string())?;
    let s = &r.summary;
    let mut m = BTreeMap::new();
    let mut put = |k: &str, v: Option<f64>| {
        if let Some(v) = v {
            m.insert(k.to_string(), v);
        }
    };
    put("tokens_per_s", s.decode_tokens_per_s);
    put("e2e_tokens_per_s", Some(s.e2e_tokens_per_s));
    put("ttft_s", Some(s.ttft_s));
    put("tpot_s", s.tpot_s);
    put("energy_per_token_j", s.decode_energy_per_token_j);
    put("tokens_per_j", s.tokens_per_j);
    put("total_energy_j", Some(s.total_energy_j));
    put("area_mm2", Some(s.area_mm2));
    put("dram_bytes", Some(s.dram_bytes as f64));
    let cycles: u64 = r.phases.iter().map(|p| p.cycles).sum();
    put(
        "stall_fraction",
        Some(if cycles == 0 {
            0.0
        } else {
            s.stall_cycles as f64 / cycles as f64
        }),
    );
    Ok(m)
}

fn resolve_model(space: &Space, model: &str) -> Result<ModelConfig, String> {
    if let Ok(m) = ModelConfig::preset(model) {
        return Ok(m);
    }
    let dir = space.file.parent().unwrap_or(std::path::Path::new("."));
    lutforge_models::resolve(&dir.join(model).display().to_string()).map_err(|e| e.to_string())
}

fn set_workload(w: &mut super::space::BaseWorkload, field: &str, value: &toml::Value) {
    // Space validation admits only non-negative integers on these axes.
    let int = || value.as_integer().and_then(|i| u64::try_from(i).ok());
    let text = || {
        value
            .as_str()
            .map(String::from)
            .unwrap_or_else(|| value.to_string())
    };
    match field {
        "model" => w.model = text(),
        "quant" => w.quant = Some(text()),
        "batch" => w.batch = int().unwrap_or(0),
        "prefill" => w.prefill = int().unwrap_or(0),
        "decode" => w.decode = int().unwrap_or(0),
        "shared_prefix" => w.shared_prefix = int().unwrap_or(0),
        "moe_routing" => w.moe_routing = Some(text()),
        "mla_decode" => w.mla_decode = Some(text()),
        _ => {}
    }
}

/// A TOML value as JSON (integers stay integers).
pub fn toml_to_json(v: &toml::Value) -> serde_json::Value {
    match v {
        toml::Value::String(s) => serde_json::Value::String(s.clone()),
        toml::Value::Integer(i) => serde_json::Value::from(*i),
        toml::Value::Float(f) => serde_json::Number::from_f64(*f)
            .map_or(serde_json::Value::Null, serde_json::Value::Number),
        toml::Value::Boolean(b) => serde_json::Value::Bool(*b),
        other => serde_json::Value::String(other.to_string()),
    }
}
