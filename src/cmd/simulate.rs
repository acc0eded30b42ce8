//! `lutforge simulate`: one workload on one architecture, a printed summary and a JSON report.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Context};
use lutforge_models::{ModelConfig, QuantScheme};
use lutforge_sim::arch::Override;
use lutforge_sim::{engine, output, support, Arch, Report};
use lutforge_workloads::{LoweringOptions, MlaDecode, MoeRouting, Speculative, Workload};

/// The model simulated when `--model` is absent.
pub const DEFAULT_MODEL: &str = "bitnet-b1.58-2b-4t";

/// Arguments of `lutforge simulate`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Architecture file (TOML). Default: the embedded configs/arch/lut-tc.toml.
    #[arg(long, value_name = "FILE")]
    pub arch: Option<PathBuf>,
    /// Override one architecture field, by the dotted path sweep axes use (repeatable):
    /// `--set cores=8 --set dram.bandwidth_gbytes_per_s=512`. Checked like the file.
    #[arg(long = "set", value_name = "FIELD=VALUE")]
    pub set: Vec<String>,
    #[command(flatten)]
    pub workload: WorkloadArgs,
    /// Write the JSON report here (atomically).
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,
    /// Write the op-by-op timeline here, in Chrome trace-event format (Perfetto, chrome://tracing).
    #[arg(long, value_name = "FILE")]
    pub trace: Option<PathBuf>,
    /// Print nothing but errors.
    #[arg(long)]
    pub quiet: bool,
}

/// The inference scenario: model, quantization, batch, prompt and generation lengths,
/// speculative decoding (shared by `simulate` and `workload`).
#[derive(Debug, Clone, clap::Args)]
pub struct WorkloadArgs {
    /// A preset name (see `lutforge models`) or a Hugging Face config.json path.
    #[arg(long, value_name = "NAME|FILE", default_value = DEFAULT_MODEL)]
    pub model: String,
    /// Prompt tokens per sequence.
    #[arg(
        long,
        value_name = "TOKENS",
        default_value_t = 128,
        allow_negative_numbers = true
    )]
    pub prefill: u64,
    /// Tokens generated per sequence (the first comes out of prefill).
    #[arg(
        long,
        value_name = "TOKENS",
        default_value_t = 128,
        allow_negative_numbers = true
    )]
    pub decode: u64,
    /// Quantization, e.g. w2a8kv4, w1.58a8, w4a16g128. Default: the model's native format
    /// (ternary w1.58a8 for BitNet presets, fp16 for the others); parts the architecture cannot
    /// run are replaced by its `default_quant` parts, with a note.
    #[arg(long, value_name = "SCHEME")]
    pub quant: Option<String>,
    /// Concurrent sequences.
    #[arg(
        long,
        value_name = "B",
        default_value_t = 1,
        allow_negative_numbers = true
    )]
    pub batch: u64,
    /// Leading prompt tokens shared by the whole batch (prefilled and cached once).
    #[arg(
        long,
        value_name = "TOKENS",
        default_value_t = 0,
        allow_negative_numbers = true
    )]
    pub shared_prefix: u64,
    /// Speculative decoding: the draft model (preset or config.json).
    #[arg(long, value_name = "NAME|FILE")]
    pub draft: Option<String>,
    /// Speculative decoding: tokens the draft proposes per iteration.
    #[arg(
        long,
        value_name = "K",
        default_value_t = 4,
        requires = "draft",
        allow_negative_numbers = true
    )]
    pub draft_len: u64,
    /// Speculative decoding: probability that the target accepts each drafted token.
    #[arg(
        long,
        value_name = "P",
        default_value_t = 0.7,
        requires = "draft",
        allow_negative_numbers = true
    )]
    pub acceptance: f64,
    /// MoE routing model for the experts' weight traffic: `balanced` (each step's assignments
    /// spread over as many experts as they reach: the worst case) or `uniform` (each token
    /// picks its top-k at random: a step reads the expected distinct experts).
    #[arg(long, value_name = "MODEL", default_value = "balanced")]
    pub moe_routing: MoeRouting,
    /// Form of multi-head latent attention decode (DeepSeek): `expanded` (transformers':
    /// up-project the cached latents every step) or `absorbed` (the up-projections folded into
    /// the query and the output; attention on the latents).
    #[arg(long, value_name = "FORM", default_value = "expanded")]
    pub mla_decode: MlaDecode,
}

impl WorkloadArgs {
    /// Loads and validates the workload; with an architecture, the quantization defaults follow
    /// what it can run (see `--quant`).
    pub fn resolve(&self, arch: Option<&Arch>) -> anyhow::Result<(Workload, Vec<String>)> {
        let model = lutforge_models::resolve(&self.model)?;
        let (quant, mut notes) = choose_quant(arch, &model, self.quant.as_deref())?;
        if self.moe_routing != MoeRouting::default() && model.moe.is_none() {
            notes.push(format!(
                "--moe-routing {} has no effect: {} has no experts",
                self.moe_routing, model.name
            ));
        }
        if self.mla_decode != MlaDecode::default()
            && !matches!(model.attention, lutforge_models::Attention::Latent(_))
        {
            notes.push(format!(
                "--mla-decode {} has no effect: {} has no latent attention",
                self.mla_decode, model.name
            ));
        }
        let mut workload = Workload::new(model, quant, self.batch, self.prefill, self.decode)?
            .with_options(LoweringOptions {
                moe_routing: self.moe_routing,
                mla_decode: self.mla_decode,
            })?;
        if self.shared_prefix > 0 {
            workload = workload.with_shared_prefix(self.shared_prefix)?;
        }
        if let Some(draft) = &self.draft {
            let draft = lutforge_models::resolve(draft)?;
            let (draft_quant, _) = choose_quant(arch, &draft, self.quant.as_deref())?;
            workload = workload.with_speculative(Speculative {
                draft,
                draft_quant,
                draft_len: self.draft_len,
                acceptance_rate: self.acceptance,
            })?;
        }
        Ok((workload, notes))
    }
}

/// The scheme to simulate: `--quant` if given (and runnable), else the model's native scheme
/// with the parts `arch` cannot run replaced by its defaults.
fn choose_quant(
    arch: Option<&Arch>,
    model: &ModelConfig,
    given: Option<&str>,
) -> anyhow::Result<(QuantScheme, Vec<String>)> {
    let native = model.native_quant;
    let Some(arch) = arch else {
        return Ok((
            given.map(str::parse).transpose()?.unwrap_or(native),
            Vec::new(),
        ));
    };
    let (quant, notes) = match given {
        Some(text) => (text.parse::<QuantScheme>()?, Vec::new()),
        None => support::substitute_defaults(arch, native),
    };
    let problems = support::problems(arch, &quant);
    if !problems.is_empty() {
        bail!(
            "{}: quantization {quant} cannot run on architecture `{}`: {}",
            arch.source,
            arch.name,
            problems.join("; ")
        );
    }
    Ok((quant, notes))
}

/// Loads `--arch`, or the embedded default, with `--set` overrides applied.
pub fn load_arch(path: Option<&std::path::Path>, set: &[String]) -> anyhow::Result<Arch> {
    let overrides = set
        .iter()
        .map(|s| {
            s.parse::<Override>()
                .map_err(|e| anyhow::anyhow!("--set {e}"))
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    Ok(match path {
        Some(path) => Arch::from_file_with(path, &overrides)?,
        None => Arch::builtin_default_with(&overrides)?,
    })
}

/// Runs `lutforge simulate`.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let arch = load_arch(args.arch.as_deref(), &args.set)?;
    let (workload, notes) = args.workload.resolve(Some(&arch))?;
    let report = if let Some(trace_path) = &args.trace {
        let (report, timeline) = engine::simulate_with_timeline(&arch, &workload, notes)?;
        let trace = lutforge_reports::trace::chrome_trace(&report, &timeline);
        output::write_atomic(trace_path, trace.as_bytes())
            .with_context(|| format!("{}: cannot write the trace", trace_path.display()))?;
        report
    } else {
        engine::simulate(&arch, &workload, notes)?
    };
    if let Some(path) = &args.json {
        let mut text = serde_json::to_string_pretty(&report)?;
        text.push('\n');
        output::write_atomic(path, text.as_bytes())
            .with_context(|| format!("{}: cannot write the report", path.display()))?;
    }
    if !args.quiet {
        print_summary(&report)?;
    }
    Ok(ExitCode::SUCCESS)
}

/// Prints the human-readable summary of a report.
fn print_summary(r: &Report) -> anyhow::Result<()> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    let i = &r.inputs;
    let s = &r.summary;
    writeln!(
        out,
        "lutforge simulate: {} ({}) on {} ({})",
        i.model.name,
        fmt_count(i.model.params),
        i.arch.name,
        i.arch.kind
    )?;
    writeln!(
        out,
        "  workload: quant {}, batch {}, prefill {} tokens, decode {} tokens{}",
        i.quant,
        i.batch,
        i.prefill_tokens,
        i.decode_tokens,
        match &i.speculative {
            Some(sp) => format!(
                ", speculative (draft {}, k={}, acceptance {})",
                sp.draft.name, sp.draft_len, sp.acceptance_rate
            ),
            None => String::new(),
        }
    )?;
    if let Some(routing) = &i.moe_routing {
        match routing.parse::<MoeRouting>() {
            Ok(known) => writeln!(out, "  MoE routing: {}", known.describe())?,
            Err(_) => writeln!(out, "  MoE routing: {routing}")?,
        }
    }
    if let Some(form) = &i.mla_decode {
        writeln!(out, "  MLA decode: {form} form")?;
    }
    for note in &r.notes {
        writeln!(out, "  note: {note}")?;
    }
    writeln!(out)?;
    writeln!(
        out,
        "  TTFT (time to first token)   {}",
        fmt_seconds(s.ttft_s)
    )?;
    match (s.tpot_s, s.decode_tokens_per_s) {
        (Some(tpot), Some(tps)) => {
            writeln!(out, "  time per output token        {}", fmt_seconds(tpot))?;
            writeln!(out, "  decode throughput            {tps:.1} tokens/s")?;
        }
        _ => writeln!(
            out,
            "  decode                       no decode step (--decode <= 1)"
        )?,
    }
    writeln!(
        out,
        "  end-to-end throughput        {:.1} tokens/s",
        s.e2e_tokens_per_s
    )?;
    if let (Some(tpj), Some(ept)) = (s.tokens_per_j, s.decode_energy_per_token_j) {
        writeln!(
            out,
            "  decode energy                {:.3} mJ/token ({tpj:.1} tokens/J)",
            ept * 1e3
        )?;
    }
    if let Some(o) = &s.area_overhead {
        writeln!(
            out,
            "  area overhead                {:.2}% ({}: {:.3} of {:.3} mm^2)",
            o.fraction * 100.0,
            o.what,
            o.added_mm2,
            o.base_mm2
        )?;
    }
    if let (Some(tpd), Some(price)) = (s.tokens_per_dollar, s.dollars_per_hour) {
        writeln!(
            out,
            "  cost                         {tpd:.0} tokens/$ at ${price:.3}/h"
        )?;
    }
    writeln!(
        out,
        "  total                        {}, {:.3} J, {} DRAM",
        fmt_seconds(s.total_time_s),
        s.total_energy_j,
        fmt_bytes(s.dram_bytes)
    )?;
    writeln!(
        out,
        "  energy split                 {:.3} J dynamic, {:.3} J static ({:.2} W leakage + uncore)",
        s.dynamic_energy_j, s.static_energy_j, s.static_power_w
    )?;
    writeln!(
        out,
        "  DRAM footprint               {} of {} ({} schedule)",
        fmt_bytes(s.dram_footprint_bytes),
        fmt_bytes(s.dram_capacity_bytes),
        i.arch.schedule
    )?;
    if r.engines.is_empty() {
        writeln!(out, "  area                         {:.2} mm^2", s.area_mm2)?;
    }
    writeln!(out)?;
    writeln!(
        out,
        "  {:<8} {:<11} {:<15} {:>12} {:>7} {:>7} {:>10}",
        "phase", "op", "unit", "time", "share", "util", "DRAM"
    )?;
    for p in &r.phases {
        for o in r.ops.iter().filter(|o| o.phase == p.phase) {
            let share = if p.cycles == 0 {
                0.0
            } else {
                o.cycles as f64 / p.cycles as f64
            };
            writeln!(
                out,
                "  {:<8} {:<11} {:<15} {:>12} {:>6.1}% {:>6.1}% {:>10}",
                o.phase,
                o.kind,
                o.unit,
                fmt_seconds(o.cycles as f64 * 1e-6 / s.clock_mhz),
                100.0 * share,
                100.0 * o.utilization,
                fmt_bytes(o.dram_bytes)
            )?;
        }
    }
    if !r.engines.is_empty() {
        writeln!(out)?;
        writeln!(
            out,
            "  {:<10} {:>7} {:>12} {:>12} {:>12} {:>12} {:>9}",
            "engine", "util", "busy", "dram wait", "blocked", "starved", "FIFO peak"
        )?;
        let time = |cycles: u64| fmt_seconds(cycles as f64 * 1e-6 / s.clock_mhz);
        for e in &r.engines {
            writeln!(
                out,
                "  {:<10} {:>6.1}% {:>12} {:>12} {:>12} {:>12} {:>9}",
                e.name,
                100.0 * e.utilization,
                time(e.busy_cycles),
                time(e.dram_wait_cycles),
                time(e.blocked_cycles),
                time(e.starved_cycles),
                if e.fifo_depth_items == 0 {
                    "-".to_string()
                } else {
                    format!("{}/{}", e.fifo_peak_items, e.fifo_depth_items)
                }
            )?;
        }
        for e in &r.engines {
            for (name, saving) in &e.savings {
                writeln!(
                    out,
                    "  {:<10} {name}: saved {} ({:.1}% of its cycles without it, measured)",
                    e.name,
                    time(saving.saved_cycles),
                    100.0 * saving.saved_share
                )?;
            }
        }
    }
    if !r.resources.is_empty() {
        writeln!(out)?;
        writeln!(
            out,
            "  {:<24} {:>10} {:>10} {:>7} {:>8} {:>6}",
            "resources", "LUT", "FF", "DSP", "BRAM36", "URAM"
        )?;
        for row in &r.resources {
            writeln!(
                out,
                "  {:<24} {:>10} {:>10} {:>7} {:>8.1} {:>6}",
                row.name, row.luts, row.ffs, row.dsp, row.bram36, row.uram
            )?;
        }
    }
    let e = &r.energy;
    writeln!(out)?;
    writeln!(
        out,
        "  energy: DRAM {:.1}%, SRAM {:.1}%, tables {:.1}%, adds {:.1}%, multiplies {:.1}%, vector {:.1}%, static {:.1}%",
        pct(e.dram_j, e.total_j()),
        pct(e.sram_j, e.total_j()),
        pct(e.table_j, e.total_j()),
        pct(e.add_j, e.total_j()),
        pct(e.multiply_j, e.total_j()),
        pct(e.vector_j, e.total_j()),
        pct(e.static_j, e.total_j())
    )?;
    Ok(())
}

fn pct(part: f64, whole: f64) -> f64 {
    if whole > 0.0 {
        100.0 * part / whole
    } else {
        0.0
    }
}

/// `1.234 ms`, `56.7 us`, `2.345 s`.
pub fn fmt_seconds(s: f64) -> String {
    if s >= 1.0 {
        format!("{s:.3} s")
    } else if s >= 1e-3 {
        format!("{:.3} ms", s * 1e3)
    } else {
        format!("{:.3} us", s * 1e6)
    }
}

/// `1.50 GB`, `12.0 MB`, `512 B` (powers of 1000).
pub fn fmt_bytes(b: u64) -> String {
    let b = b as f64;
    if b >= 1e9 {
        format!("{:.2} GB", b / 1e9)
    } else if b >= 1e6 {
        format!("{:.2} MB", b / 1e6)
    } else if b >= 1e3 {
        format!("{:.2} kB", b / 1e3)
    } else {
        format!("{b} B")
    }
}

/// `6.738 B`, `124.4 M` parameters.
pub fn fmt_count(n: u64) -> String {
    let n = n as f64;
    if n >= 1e9 {
        format!("{:.3}B params", n / 1e9)
    } else {
        format!("{:.1}M params", n / 1e6)
    }
}
