//! `lutforge workload`: the operator table of a workload (shapes, FLOPs, bytes) and its totals,
//! independent of any architecture.

use std::io::Write;
use std::process::ExitCode;

use lutforge_models::Attention;
use lutforge_workloads::{kv_layer_kinds, linear_weight_bytes, lower_step, Op, OpShape, Phase};

use super::simulate::{fmt_bytes, WorkloadArgs};

/// Arguments of `lutforge workload`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub workload: WorkloadArgs,
}

/// Runs `lutforge workload`.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let (workload, _) = args.workload.resolve(None)?;
    let steps = workload.steps();
    let mut out = std::io::stdout().lock();
    let m = &workload.model;
    let attention = match m.attention {
        Attention::Standard => format!("{} heads / {} KV heads", m.num_heads, m.num_kv_heads),
        Attention::Latent(mla) => format!(
            "{} heads, latent attention (kv_lora_rank {} + rope {})",
            m.num_heads, mla.kv_lora_rank, mla.qk_rope_head_dim
        ),
    };
    let window = match m.sliding_window {
        Some(w) => format!(
            ", sliding window {} on {} of {} layers",
            w.window, w.local_layers, m.num_layers
        ),
        None => String::new(),
    };
    writeln!(
        out,
        "{}: {} layers, hidden {}, {attention}{window}, quant {}, batch {}, prefill {}, decode {}",
        m.name,
        m.num_layers,
        m.hidden_size,
        workload.quant,
        workload.batch,
        workload.prefill_tokens,
        workload.decode_tokens
    )?;
    // Show the first step of each phase; later decode steps differ only in KV length.
    for phase in [Phase::Prefill, Phase::Decode] {
        let Some(step) = steps.iter().find(|s| s.phase() == phase) else {
            continue;
        };
        let (model, quant) = workload.model_of(step);
        writeln!(out)?;
        writeln!(
            out,
            "{} step ({} new tokens x batch {}, context {}{}):",
            phase.as_str(),
            step.new_tokens,
            step.batch,
            step.context_tokens,
            if step.draft { ", draft model" } else { "" }
        )?;
        writeln!(
            out,
            "  {:<11} {:>6} {:>28} {:>12} {:>10} {:>10} {:>10} {:>10}",
            "op",
            "x",
            "shape (m x n x k) [count]",
            "GFLOP",
            "weights",
            "KV read",
            "KV write",
            "act r+w"
        )?;
        for op in lower_step(model, quant, step) {
            writeln!(
                out,
                "  {:<11} {:>6} {:>28} {:>12.4} {:>10} {:>10} {:>10} {:>10}",
                op.kind.as_str(),
                op.repeat,
                shape_text(&op),
                op.flops as f64 / 1e9,
                fmt_bytes(op.weight_bytes),
                fmt_bytes(op.kv_read_bytes),
                fmt_bytes(op.kv_write_bytes),
                fmt_bytes(op.act_read_bytes + op.act_write_bytes)
            )?;
        }
    }
    // Totals over the whole run.
    let mut totals = [[0u64; 5]; 2];
    let mut step_counts = [0u64; 2];
    for step in &steps {
        let (model, quant) = workload.model_of(step);
        let p = step.phase() as usize;
        step_counts[p] += 1;
        for op in lower_step(model, quant, step) {
            let r = op.repeat;
            let t = &mut totals[p];
            t[0] += op.flops * r;
            t[1] += op.weight_bytes * r;
            t[2] += op.kv_read_bytes * r;
            t[3] += op.kv_write_bytes * r;
            t[4] += (op.act_read_bytes + op.act_write_bytes) * r;
        }
    }
    writeln!(out)?;
    writeln!(out, "totals over the run:")?;
    for phase in [Phase::Prefill, Phase::Decode] {
        let t = totals[phase as usize];
        writeln!(
            out,
            "  {:<8} {:>5} steps  {:>12.2} GFLOP  weights {:>10}  KV read {:>10}  KV write {:>10}  activations {:>10}",
            phase.as_str(),
            step_counts[phase as usize],
            t[0] as f64 / 1e9,
            fmt_bytes(t[1]),
            fmt_bytes(t[2]),
            fmt_bytes(t[3]),
            fmt_bytes(t[4])
        )?;
    }
    let linear = m.linear_param_count();
    let linear_bytes = linear_weight_bytes(&workload.model, &workload.quant);
    // A tied LM head is in the bytes (the lowering reads it) but not in the linear count.
    let tied_head_bytes = if m.tied_embeddings {
        workload
            .quant
            .head_scheme()
            .weight_bytes(m.vocab_size, m.hidden_size)
    } else {
        0
    };
    writeln!(
        out,
        "  model: {} parameters, {} in linear layers; linear weights stored in {} take {} ({:.3} bits per weight incl. scales)",
        m.param_count(),
        linear,
        workload.quant,
        fmt_bytes(linear_bytes),
        linear_bytes.saturating_sub(tied_head_bytes) as f64 * 8.0 / linear as f64
    )?;
    let context = workload.prefill_tokens + workload.decode_tokens;
    let (shared, batch) = (workload.shared_prefix_tokens, workload.batch);
    // What one token appends to each layer's cache (K and V, or MLA's latent, with the
    // format's scales), kind by kind; a sliding-window layer keeps only its window.
    let kinds = kv_layer_kinds(&workload.model, &workload.quant);
    writeln!(
        out,
        "  KV cache per token, by layer kind (kv{}):",
        workload.quant.kv
    )?;
    for k in &kinds {
        let window = match k.window {
            Some(w) => format!(", window {w} tokens"),
            None => String::new(),
        };
        writeln!(
            out,
            "    {:<13} {:>5} layers{window}: {} per token per layer, {} per token over these layers",
            k.kind,
            k.layers,
            fmt_bytes(k.bytes_per_token_per_layer),
            fmt_bytes(k.bytes_per_token_per_layer * k.layers)
        )?;
    }
    let per_token: u64 = kinds
        .iter()
        .map(|k| k.bytes_per_token_per_layer * k.layers)
        .sum();
    let cache: u64 = kinds
        .iter()
        .map(|k| k.cache_bytes(context, shared, batch))
        .sum();
    let kept: Vec<String> = kinds
        .iter()
        .map(|k| {
            format!(
                "{} {} tokens",
                k.kind,
                k.stored_tokens(context, shared, batch)
            )
        })
        .collect();
    writeln!(
        out,
        "  KV cache at the end: {context} tokens x batch {batch}, {} per token ({}) = {}",
        fmt_bytes(per_token),
        kept.join(", "),
        fmt_bytes(cache)
    )?;
    if workload.model.moe.is_some() {
        writeln!(
            out,
            "  MoE routing: {}",
            workload.options.moe_routing.describe()
        )?;
    }
    if let Attention::Latent(_) = workload.model.attention {
        writeln!(out, "  MLA decode: {} form", workload.options.mla_decode)?;
    }
    Ok(ExitCode::SUCCESS)
}

fn shape_text(op: &Op) -> String {
    match op.shape {
        OpShape::Gemm { m, n, k, count, .. } => format!("{m} x {n} x {k} [{count}]"),
        OpShape::Vector {
            elements,
            ops_per_element,
        } => format!("{elements} el x {ops_per_element} op"),
    }
}
