//! `lutforge scalesim`: a drop-in for SCALE-Sim 3.0.0's command line on the systolic model.
//!
//! Reads SCALE-Sim's own configuration (`-c`, INI) and topology (`-t`, CSV; `-i gemm|conv`) and
//! writes `<outdir>/<run_name>/COMPUTE_REPORT.csv`, `BANDWIDTH_REPORT.csv` and
//! `DETAILED_ACCESS_REPORT.csv` with SCALE-Sim's names, columns and number formatting, so scripts
//! written for SCALE-Sim keep working. Per-cycle trace files are never written.

use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context as _;
use lutforge_sim::systolic::scalesim::{
    read_topology, reports, run_layer, ScaleSimConfig, TopologyKind,
};

/// Arguments of `lutforge scalesim` (SCALE-Sim's own flags).
#[derive(Debug, clap::Args)]
pub struct Args {
    /// SCALE-Sim configuration file (INI).
    #[arg(short = 'c', value_name = "CONFIG")]
    pub config: PathBuf,
    /// Topology file (CSV).
    #[arg(short = 't', value_name = "TOPOLOGY")]
    pub topology: PathBuf,
    /// Layout file (CSV); checked to exist, otherwise unused (custom layouts are unsupported).
    #[arg(short = 'l', value_name = "LAYOUT")]
    pub layout: Option<PathBuf>,
    /// Topology kind: `gemm` (name, M, N, K) or `conv`.
    #[arg(short = 'i', value_name = "KIND", default_value = "conv", value_parser = ["gemm", "conv"])]
    pub input_type: String,
    /// Output directory; reports go to `<dir>/<run_name>/`.
    #[arg(short = 'p', value_name = "DIR", default_value = "./results/")]
    pub outdir: PathBuf,
    /// SCALE-Sim's save-trace flag; accepted for compatibility, traces are never written.
    #[arg(short = 's', value_name = "Y|N", default_value = "N")]
    pub save_trace: String,
    /// Reproduce SCALE-Sim 3.0.0's numbers including its known miscounts (see the systolic
    /// replay module docs); `--scalesim-compat=false` corrects the output-stationary SRAM OFMAP
    /// write count.
    #[arg(long, default_value_t = true, action = clap::ArgAction::Set, value_name = "BOOL")]
    pub scalesim_compat: bool,
    /// Print the model's run time per layer to stderr.
    #[arg(long)]
    pub timing: bool,
}

/// Runs `lutforge scalesim`.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let cfg = ScaleSimConfig::from_file(&args.config)?;
    if let Some(layout) = &args.layout {
        if !layout.is_file() {
            anyhow::bail!("{}: layout file not found", layout.display());
        }
    }
    let kind = if args.input_type == "gemm" {
        TopologyKind::Gemm
    } else {
        TopologyKind::Conv
    };
    let layers = read_topology(&args.topology, kind)?;
    if layers.is_empty() {
        anyhow::bail!(
            "{}: no layers (the first line is a header)",
            args.topology.display()
        );
    }
    let topo_name = args.topology.display().to_string();
    let mut results = Vec::with_capacity(layers.len());
    let started = Instant::now();
    for (i, layer) in layers.iter().enumerate() {
        let t0 = Instant::now();
        let r = run_layer(&cfg, layer, i, &topo_name, args.scalesim_compat)?;
        if args.timing {
            eprintln!(
                "timing: layer {i} `{}`: {:.3} ms",
                layer.name,
                t0.elapsed().as_secs_f64() * 1e3
            );
        }
        results.push(r);
    }
    if args.timing {
        eprintln!(
            "timing: total {:.3} ms for {} layers",
            started.elapsed().as_secs_f64() * 1e3,
            layers.len()
        );
    }
    let dir = args.outdir.join(&cfg.run_name);
    std::fs::create_dir_all(&dir)
        .with_context(|| format!("{}: cannot create directory", dir.display()))?;
    let (compute, bandwidth, detail) = reports(&results);
    for (name, text) in [
        ("COMPUTE_REPORT.csv", &compute),
        ("BANDWIDTH_REPORT.csv", &bandwidth),
        ("DETAILED_ACCESS_REPORT.csv", &detail),
    ] {
        let path = dir.join(name);
        lutforge_sim::output::write_atomic(&path, text.as_bytes())
            .with_context(|| format!("{}: cannot write", path.display()))?;
    }
    let mut out = std::io::stdout().lock();
    for (i, r) in results.iter().enumerate() {
        writeln!(
            out,
            "layer {i} `{}`: {} cycles ({} stalls), {} incl. prefetch",
            layers[i].name, r.total_cycles, r.stall_cycles, r.total_cycles_incl_prefetch
        )?;
    }
    writeln!(out, "wrote {}", dir.display())?;
    Ok(ExitCode::SUCCESS)
}
