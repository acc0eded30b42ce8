//! `lutforge compare`: one workload on several architectures at several quantizations, as one
//! table of the numbers a LUT-versus-MAC comparison needs (time, matrix-unit area, compute
//! density, energy per MAC), in Markdown so it can go into a README as printed.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::Parser;
use lutforge_sim::{engine, Report};

use super::simulate::{fmt_seconds, load_arch, WorkloadArgs};

/// Arguments of `lutforge compare`.
#[derive(Debug, Parser)]
pub struct Args {
    /// Architecture files to compare (repeat the flag; each is one group of rows).
    #[arg(long, value_name = "FILE", required = true)]
    pub arch: Vec<PathBuf>,
    /// The workload; `--quant` takes a comma-separated list of schemes, one row each.
    #[command(flatten)]
    pub workload: WorkloadArgs,
}

/// One table row: a simulated (architecture, scheme) pair.
struct Row {
    arch: String,
    quant: String,
    report: Report,
}

impl Row {
    /// Multiply-accumulates the matrix unit performed over the run.
    fn matrix_macs(&self) -> f64 {
        self.report
            .ops
            .iter()
            .filter(|o| o.unit == "matrix")
            .map(|o| o.flops as f64 / 2.0)
            .sum()
    }

    /// Peak multiply-accumulates per cycle of the matrix unit on the weight projections.
    fn peak_macs_per_cycle(&self) -> f64 {
        self.report
            .ops
            .iter()
            .filter(|o| o.unit == "matrix" && o.kind == "ffn_up")
            .map(|o| o.peak_flops_per_cycle / 2.0)
            .fold(0.0, f64::max)
    }

    /// Dynamic energy of the matrix unit's arithmetic (tables, adds, multiplies) per MAC, pJ.
    fn pj_per_mac(&self) -> f64 {
        let e = &self.report.energy;
        (e.table_j + e.add_j + e.multiply_j) * 1e12 / self.matrix_macs()
    }
}

/// Runs `lutforge compare`.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let schemes: Vec<String> = match &args.workload.quant {
        Some(list) => list.split(',').map(|s| s.trim().to_string()).collect(),
        None => anyhow::bail!("--quant needs at least one scheme (e.g. w1a8kv4,w2a8kv4)"),
    };
    let mut rows = Vec::new();
    for path in &args.arch {
        let arch = load_arch(Some(path), &[])?;
        for scheme in &schemes {
            let mut workload_args = args.workload.clone();
            workload_args.quant = Some(scheme.clone());
            let (workload, notes) = workload_args.resolve(Some(&arch))?;
            let report = engine::simulate(&arch, &workload, notes)
                .with_context(|| format!("{} with {scheme}", path.display()))?;
            rows.push(Row {
                arch: arch.name.clone(),
                quant: report.inputs.quant.clone(),
                report,
            });
        }
    }
    let mut out = std::io::stdout().lock();
    let first = &rows[0].report.inputs;
    writeln!(
        out,
        "{}, batch {}, prefill {} + decode {} tokens",
        first.model.name, first.batch, first.prefill_tokens, first.decode_tokens
    )?;
    writeln!(out)?;
    writeln!(
        out,
        "| arch | quant | matrix mm² | peak MAC/cycle/mm² | TTFT | TPOT | matrix pJ/MAC | decode mJ/token |"
    )?;
    writeln!(out, "|---|---|---:|---:|---:|---:|---:|---:|")?;
    for row in &rows {
        let s = &row.report.summary;
        let matrix_mm2 = row.report.area.matrix_mm2;
        // An FPGA design has no silicon area of its own and no unit named `matrix`: `-`.
        let number = |v: f64, digits: usize| {
            if v.is_finite() && v > 0.0 {
                format!("{v:.digits$}")
            } else {
                "-".to_string()
            }
        };
        writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} | {} |",
            row.arch,
            row.quant,
            number(matrix_mm2, 3),
            number(row.peak_macs_per_cycle() / matrix_mm2, 0),
            fmt_seconds(s.ttft_s),
            s.tpot_s.map_or("-".into(), fmt_seconds),
            number(row.pj_per_mac(), 4),
            s.decode_energy_per_token_j
                .map_or("-".into(), |j| format!("{:.2}", j * 1e3)),
        )?;
    }
    // Each distinct note once, with the rows it applies to.
    let mut notes: Vec<(&str, Vec<String>)> = Vec::new();
    for row in &rows {
        for note in &row.report.notes {
            let label = format!("{} {}", row.arch, row.quant);
            match notes.iter_mut().find(|(n, _)| *n == note.as_str()) {
                Some((_, labels)) => labels.push(label),
                None => notes.push((note, vec![label])),
            }
        }
    }
    for (note, labels) in notes {
        writeln!(out, "\nnote ({}): {note}", labels.join(", "))?;
    }
    Ok(ExitCode::SUCCESS)
}
