//! `lutforge models`: lists the built-in model presets (or one preset / `config.json`) with
//! their shapes, parameter counts and native quantization.
//!
//! Table columns: NAME, TYPE, LAYERS, HIDDEN, HEADS (query/KV), ATTN (`-` for full attention
//! in every layer, `mla` for multi-head latent attention, `swa <window> <local>/<layers>` for
//! sliding-window attention on `local` of the layers), FFN (the dense intermediate size; for
//! MoE `<experts>x<expert width>`, `+<shared width>` for shared experts, and `,<n>d` when `n`
//! layers have a dense FFN instead), VOCAB, PARAMS (total, as `6.738 B`, `774.0 M` or
//! `426.6 k`), EXACT (the same total, exact: the largest number of the line), NATIVE (the
//! published quantization scheme).
//!
//! `--json` prints a JSON array, one object per model, schema version 1 (the fields after
//! `native_quant` were added with MoE layers, MLA and sliding windows; none was removed):
//! `{"name", "model_type", "layers", "hidden_size", "intermediate_size", "heads", "kv_heads",
//! "head_dim", "vocab_size", "experts", "experts_per_token", "max_position",
//! "tied_embeddings", "params", "linear_params", "native_quant", "active_params",
//! "expert_intermediate_size", "shared_intermediate_size", "moe_layers", "dense_layers",
//! "attention", "mla", "sliding_window", "kv_cache_width"}` (counts are exact integers).
//! `expert_intermediate_size` and `shared_intermediate_size` are 0 and `moe_layers` 0 for a
//! dense model; `dense_layers` counts the layers with a dense FFN. `attention` is
//! `"standard"` or `"mla"`; `mla` is `null` or `{"q_lora_rank" (null for a plain q_proj),
//! "kv_lora_rank", "qk_nope_head_dim", "qk_rope_head_dim", "v_head_dim"}`; `sliding_window` is
//! `null` or `{"window", "local_layers"}`; `kv_cache_width` is the values one token caches per
//! layer (`2 x kv_heads x head_dim`, or MLA's latent and rotary key).

use std::io::Write;
use std::process::ExitCode;

use anyhow::Context;
use lutforge_models::{Attention, ModelConfig};

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

/// The FFN column: the dense width, or `<experts>x<width>[+<shared>][,<n>d]` for MoE.
fn ffn_cell(m: &ModelConfig) -> String {
    match m.moe {
        Some(moe) => {
            let mut cell = format!("{}x{}", moe.num_experts, moe.expert_intermediate_size);
            if moe.shared_intermediate_size > 0 {
                cell += &format!("+{}", moe.shared_intermediate_size);
            }
            if m.dense_ffn_layers() > 0 {
                cell += &format!(",{}d", m.dense_ffn_layers());
            }
            cell
        }
        None => m.intermediate_size.to_string(),
    }
}

/// The ATTN column: `-`, `mla`, or `swa <window> <local>/<layers>`.
fn attention_cell(m: &ModelConfig) -> String {
    let kind = match m.attention {
        Attention::Standard => None,
        Attention::Latent(_) => Some("mla".to_string()),
    };
    let window = m
        .sliding_window
        .map(|w| format!("swa {} {}/{}", w.window, w.local_layers, m.num_layers));
    match (kind, window) {
        (Some(kind), Some(window)) => format!("{kind} {window}"),
        (Some(text), None) | (None, Some(text)) => text,
        (None, None) => "-".to_string(),
    }
}

/// The aligned text table.
fn table(models: &[ModelConfig]) -> String {
    let header = [
        "NAME", "TYPE", "LAYERS", "HIDDEN", "HEADS", "ATTN", "FFN", "VOCAB", "PARAMS", "EXACT",
        "NATIVE",
    ];
    let rows: Vec<[String; 11]> = models
        .iter()
        .map(|m| {
            [
                m.name.clone(),
                m.model_type.clone(),
                m.num_layers.to_string(),
                m.hidden_size.to_string(),
                format!("{}/{}", m.num_heads, m.num_kv_heads),
                attention_cell(m),
                ffn_cell(m),
                m.vocab_size.to_string(),
                human_params(m.param_count()),
                m.param_count().to_string(),
                m.native_quant.to_string(),
            ]
        })
        .collect();
    // Text columns left-aligned, numbers right-aligned.
    super::text_table::render(header, &rows, |i| !(i < 2 || i == 5 || i == 10))
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
        "active_params": m.active_param_count(),
        "expert_intermediate_size": m.moe.map_or(0, |moe| moe.expert_intermediate_size),
        "shared_intermediate_size": m.moe.map_or(0, |moe| moe.shared_intermediate_size),
        "moe_layers": m.moe_layers(),
        "dense_layers": m.dense_ffn_layers(),
        "attention": match m.attention {
            Attention::Standard => "standard",
            Attention::Latent(_) => "mla",
        },
        "mla": match m.attention {
            Attention::Standard => serde_json::Value::Null,
            Attention::Latent(mla) => serde_json::json!({
                "q_lora_rank": mla.q_lora_rank,
                "kv_lora_rank": mla.kv_lora_rank,
                "qk_nope_head_dim": mla.qk_nope_head_dim,
                "qk_rope_head_dim": mla.qk_rope_head_dim,
                "v_head_dim": mla.v_head_dim,
            }),
        },
        "sliding_window": m.sliding_window.map(|w| serde_json::json!({
            "window": w.window,
            "local_layers": w.local_layers,
        })),
        "kv_cache_width": m.kv_cache_width(),
    })
}
