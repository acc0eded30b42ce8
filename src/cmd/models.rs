//! `lutforge models`: lists the built-in model presets (or one preset / `config.json`) with
//! their shapes, parameter counts and native quantization.
//!
//! Table columns: NAME, TYPE, LAYERS, HIDDEN, HEADS (query/KV), FFN (intermediate size, with
//! `xE` experts for MoE), VOCAB, PARAMS (total, as `6.738 B`, `774.0 M` or `426.6 k`), NATIVE (the
//! published quantization scheme).
//!
//! `--json` prints a JSON array, one object per model, schema version 1:
//! `{"name", "model_type", "layers", "hidden_size", "intermediate_size", "heads", "kv_heads",
//! "head_dim", "vocab_size", "experts", "experts_per_token", "max_position",
//! "tied_embeddings", "params", "linear_params", "native_quant"}` (counts are exact integers).

use std::io::Write;
use std::process::ExitCode;

use anyhow::Context;
use lutforge_models::ModelConfig;

/// Arguments of `lutforge models`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Show only this model: a preset name or a path to a Hugging Face config.json.
    pub model: Option<String>,
    /// Print JSON instead of a table.
    #[arg(long)]
    pub json: bool,
}

/// Runs `lutforge models`.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let models = match &args.model {
        Some(arg) => vec![ModelConfig::resolve(arg)?],
        None => ModelConfig::presets()
            .into_iter()
            .map(ModelConfig::preset)
            .collect::<Result<Vec<_>, _>>()
            .context("a built-in preset failed to load")?,
    };
    let text = if args.json {
        let rows: Vec<serde_json::Value> = models.iter().map(json_row).collect();
        serde_json::to_string_pretty(&rows)? + "\n"
    } else {
        table(&models)
    };
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(text.as_bytes())?;
    stdout.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// A parameter count for people: `6.738 B` from one billion up, `774.0 M` from one million,
/// else `426.6 k`.
fn human_params(count: u64) -> String {
    let count = count as f64;
    if count >= 1e9 {
        format!("{:.3} B", count / 1e9)
    } else if count >= 1e6 {
        format!("{:.1} M", count / 1e6)
    } else {
        format!("{:.1} k", count / 1e3)
    }
}

/// The aligned text table.
fn table(models: &[ModelConfig]) -> String {
    let header = [
        "NAME", "TYPE", "LAYERS", "HIDDEN", "HEADS", "FFN", "VOCAB", "PARAMS", "NATIVE",
    ];
    let rows: Vec<[String; 9]> = models
        .iter()
        .map(|m| {
            let ffn = match m.moe {
                Some(moe) => format!("{}x{}", moe.num_experts, m.intermediate_size),
                None => m.intermediate_size.to_string(),
            };
            [
                m.name.clone(),
                m.model_type.clone(),
                m.num_layers.to_string(),
                m.hidden_size.to_string(),
                format!("{}/{}", m.num_heads, m.num_kv_heads),
                ffn,
                m.vocab_size.to_string(),
                human_params(m.param_count()),
                m.native_quant.to_string(),
            ]
        })
        .collect();
    // Text columns left-aligned, numbers right-aligned.
    super::text_table::render(header, &rows, |i| !(i < 2 || i == 8))
}

/// One model as a JSON object (schema in the module documentation).
fn json_row(m: &ModelConfig) -> serde_json::Value {
    serde_json::json!({
        "name": m.name,
        "model_type": m.model_type,
        "layers": m.num_layers,
        "hidden_size": m.hidden_size,
        "intermediate_size": m.intermediate_size,
        "heads": m.num_heads,
        "kv_heads": m.num_kv_heads,
        "head_dim": m.head_dim,
        "vocab_size": m.vocab_size,
        "experts": m.num_experts(),
        "experts_per_token": m.experts_per_token(),
        "max_position": m.max_position,
        "tied_embeddings": m.tied_embeddings,
        "params": m.param_count(),
        "linear_params": m.linear_param_count(),
        "native_quant": m.native_quant.to_string(),
    })
}
