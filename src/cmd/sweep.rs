//! `lutforge sweep`: run a design-space sweep in parallel into resumable JSONL, merge shard
//! files, and extract Pareto fronts.
//!
//! Results are appended one line per finished point and flushed, so an interrupted sweep loses
//! nothing; `--resume` skips the ids already in the file (a torn last line is dropped first).

use std::collections::{BTreeMap, BTreeSet};
use std::fs::OpenOptions;
use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Mutex;

use anyhow::{anyhow, bail, Context};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use lutforge_sim::output::write_atomic;
use lutforge_sim::sweep::sample::Sampler;
use lutforge_sim::sweep::{evaluate, Space, SweepLine};
use rayon::prelude::*;

/// Arguments of `lutforge sweep`.
#[derive(Debug, clap::Args)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub struct Args {
    #[command(subcommand)]
    pub action: Option<Action>,
    #[command(flatten)]
    pub run: RunArgs,
}

/// `sweep merge` and `sweep pareto`.
#[derive(Debug, clap::Subcommand)]
pub enum Action {
    /// Join shard files into one, checking that no point is missing or duplicated.
    Merge(MergeArgs),
    /// Print and save the non-dominated points of a results file.
    Pareto(ParetoArgs),
}

/// Running a sweep.
#[derive(Debug, clap::Args)]
pub struct RunArgs {
    /// The sweep space file (see configs/sweeps/).
    #[arg(long, value_name = "FILE", required = true)]
    pub space: Option<PathBuf>,
    /// Results file (JSONL); appended to with --resume.
    #[arg(long, value_name = "FILE", required = true)]
    pub out: Option<PathBuf>,
    /// Worker threads, 1 to 1024 (default: all cores). Results do not depend on it.
    #[arg(long, value_name = "J", value_parser = clap::value_parser!(u16).range(1..=1024))]
    pub jobs: Option<u16>,
    /// Run only the deterministic slice i of N (points with id % N == i), e.g. `--shard 0/3`.
    #[arg(long, value_name = "i/N")]
    pub shard: Option<String>,
    /// Continue an interrupted sweep: skip the points already in --out.
    #[arg(long)]
    pub resume: bool,
    /// No progress bar or summary.
    #[arg(long)]
    pub quiet: bool,
}

/// `sweep merge`.
#[derive(Debug, clap::Args)]
pub struct MergeArgs {
    /// Shard files.
    #[arg(required = true, value_name = "SHARD")]
    pub inputs: Vec<PathBuf>,
    /// Merged file, written atomically, ordered by point id.
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
}

/// `sweep pareto`.
#[derive(Debug, clap::Args)]
pub struct ParetoArgs {
    /// Results file (JSONL).
    pub results: PathBuf,
    /// A metric to maximize (repeatable).
    #[arg(long = "max", value_name = "METRIC")]
    pub maximize: Vec<String>,
    /// A metric to minimize (repeatable).
    #[arg(long = "min", value_name = "METRIC")]
    pub minimize: Vec<String>,
    /// Where to save the front (default: <results>.pareto.jsonl).
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

/// Runs `lutforge sweep`.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    match args.action {
        Some(Action::Merge(m)) => merge(m),
        Some(Action::Pareto(p)) => pareto(p),
        None => run_sweep(args.run),
    }
}

fn parse_shard(text: &str) -> anyhow::Result<(u64, u64)> {
    let bad = || anyhow!("--shard `{text}`: expected i/N with 0 <= i < N, e.g. 0/4");
    let (i, n) = text.split_once('/').ok_or_else(bad)?;
    let (i, n): (u64, u64) = (
        i.trim().parse().map_err(|_| bad())?,
        n.trim().parse().map_err(|_| bad())?,
    );
    if n == 0 || i >= n {
        return Err(bad());
    }
    Ok((i, n))
}

fn run_sweep(args: RunArgs) -> anyhow::Result<ExitCode> {
    let (Some(space_path), Some(out)) = (args.space, args.out) else {
        bail!("`lutforge sweep` needs --space FILE and --out FILE");
    };
    let space = Space::from_file(&space_path)?;
    let (shard, shards) = match &args.shard {
        Some(s) => parse_shard(s)?,
        None => (0, 1),
    };
    let done = if args.resume {
        finished_ids(&out, &space.tag())?
    } else {
        if out.exists() {
            bail!(
                "{}: already exists; pass --resume to continue that sweep, or choose another --out",
                out.display()
            );
        }
        BTreeSet::new()
    };
    let todo: Vec<u64> = (0..space.total_points())
        .filter(|id| id % shards == shard && !done.contains(id))
        .collect();
    let file = OpenOptions::new()
        .create(true)
        .append(true)
        .open(&out)
        .with_context(|| format!("{}: cannot open for appending", out.display()))?;
    let writer = Mutex::new(file);
    let bar = progress(todo.len() as u64, args.quiet);
    bar.set_message(format!("{} ({} already done)", space.tag(), done.len()));
    let sampler = Sampler::new(&space);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(args.jobs.map_or(0, usize::from))
        .build()?;
    let counts = Mutex::new((0u64, 0u64));
    pool.install(|| {
        todo.par_iter().try_for_each(|&id| -> anyhow::Result<()> {
            let line = evaluate(&space, &sampler, id);
            let mut text = serde_json::to_string(&line)?;
            text.push('\n');
            {
                let mut f = writer
                    .lock()
                    .map_err(|_| anyhow!("results writer poisoned"))?;
                f.write_all(text.as_bytes())?;
                f.flush()?;
            }
            if let Ok(mut c) = counts.lock() {
                if line.status == "ok" {
                    c.0 += 1
                } else {
                    c.1 += 1
                }
            }
            bar.inc(1);
            Ok(())
        })
    })
    .with_context(|| format!("{}: writing results", out.display()))?;
    bar.finish_and_clear();
    if !args.quiet {
        let (ok, rejected) = counts.into_inner().unwrap_or_default();
        println!(
            "{}: {} points evaluated ({ok} ok, {rejected} rejected), {} skipped as already done; shard {shard}/{shards} of {} points -> {}",
            space.tag(),
            ok + rejected,
            done.len(),
            space.total_points(),
            out.display()
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn progress(len: u64, quiet: bool) -> ProgressBar {
    let bar = ProgressBar::with_draw_target(
        Some(len),
        if quiet {
            ProgressDrawTarget::hidden()
        } else {
            ProgressDrawTarget::stderr()
        },
    );
    if let Ok(style) =
        ProgressStyle::with_template("{bar:30} {pos}/{len} points  {rate}  ETA {eta}  {msg}")
    {
        bar.set_style(style.with_key(
            "rate",
            |state: &indicatif::ProgressState, w: &mut dyn std::fmt::Write| {
                let _ = write!(w, "{:.0} points/s", state.per_sec());
            },
        ));
    }
    bar
}

/// Ids of the complete lines of an existing results file; a torn last line (an interrupted
/// write) is cut off so appending continues on a line boundary.
fn finished_ids(path: &Path, tag: &str) -> anyhow::Result<BTreeSet<u64>> {
    let mut ids = BTreeSet::new();
    let Ok(bytes) = std::fs::read(path) else {
        return Ok(ids);
    };
    let complete = bytes.iter().rposition(|b| *b == b'\n').map_or(0, |i| i + 1);
    if complete < bytes.len() {
        let file = OpenOptions::new().write(true).open(path)?;
        file.set_len(complete as u64)?;
    }
    for (n, line) in bytes[..complete].split(|b| *b == b'\n').enumerate() {
        if line.is_empty() {
            continue;
        }
        let parsed: SweepLine = serde_json::from_slice(line)
            .with_context(|| format!("{}:{}: not a sweep result line", path.display(), n + 1))?;
        if parsed.sweep != tag {
            bail!(
                "{}:{}: results of sweep `{}`, not `{tag}` (the space file changed?)",
                path.display(),
                n + 1,
                parsed.sweep
            );
        }
        ids.insert(parsed.id);
    }
    Ok(ids)
}

/// Every line of a results file, with its line number.
fn read_lines(path: &Path) -> anyhow::Result<Vec<(usize, String, SweepLine)>> {
    let file =
        std::fs::File::open(path).with_context(|| format!("{}: cannot read", path.display()))?;
    let mut out = Vec::new();
    for (n, line) in std::io::BufReader::new(file).lines().enumerate() {
        let line = line.with_context(|| format!("{}:{}: cannot read", path.display(), n + 1))?;
        if line.trim().is_empty() {
            continue;
        }
        let parsed: SweepLine = serde_json::from_str(&line)
            .with_context(|| format!("{}:{}: not a sweep result line", path.display(), n + 1))?;
        out.push((n + 1, line, parsed));
    }
    Ok(out)
}

fn merge(args: MergeArgs) -> anyhow::Result<ExitCode> {
    let mut by_id: BTreeMap<u64, (String, String)> = BTreeMap::new();
    let mut tag: Option<(String, u64)> = None;
    for path in &args.inputs {
        for (n, text, line) in read_lines(path)? {
            let here = format!("{}:{n}", path.display());
            match &tag {
                None => tag = Some((line.sweep.clone(), line.total)),
                Some((t, total)) if *t != line.sweep || *total != line.total => {
                    bail!("{here}: sweep `{}` of {} points differs from `{t}` of {total} points in the other files", line.sweep, line.total)
                }
                Some(_) => {}
            }
            if let Some((first, _)) = by_id.get(&line.id) {
                bail!("{here}: point {} is duplicated (also at {first})", line.id);
            }
            by_id.insert(line.id, (here, text));
        }
    }
    let Some((tag, total)) = tag else {
        bail!("no result lines in {} files", args.inputs.len())
    };
    let missing: Vec<u64> = (0..total).filter(|id| !by_id.contains_key(id)).collect();
    if !missing.is_empty() {
        let shown: Vec<String> = missing.iter().take(10).map(u64::to_string).collect();
        bail!(
            "sweep `{tag}`: {} of {total} points missing (ids {}{})",
            missing.len(),
            shown.join(", "),
            if missing.len() > 10 { ", ..." } else { "" }
        );
    }
    let mut text = String::new();
    for (_, line) in by_id.values() {
        text.push_str(line);
        text.push('\n');
    }
    write_atomic(&args.out, text.as_bytes())
        .with_context(|| format!("{}: cannot write", args.out.display()))?;
    println!(
        "merged {} files: {total} points of sweep `{tag}` -> {}",
        args.inputs.len(),
        args.out.display()
    );
    Ok(ExitCode::SUCCESS)
}

fn pareto(args: ParetoArgs) -> anyhow::Result<ExitCode> {
    let objectives: Vec<(String, bool)> = args
        .maximize
        .iter()
        .map(|m| (m.clone(), true))
        .chain(args.minimize.iter().map(|m| (m.clone(), false)))
        .collect();
    if objectives.len() < 2 {
        bail!("sweep pareto needs at least two objectives, e.g. --max tokens_per_s --min energy_per_token_j");
    }
    let lines: Vec<(usize, String, SweepLine)> = read_lines(&args.results)?
        .into_iter()
        .filter(|(_, _, l)| l.status == "ok")
        .collect();
    if lines.is_empty() {
        bail!("{}: no successful points", args.results.display());
    }
    let mut points = Vec::with_capacity(lines.len());
    for (n, _, line) in &lines {
        let metrics = line
            .metrics
            .as_ref()
            .ok_or_else(|| anyhow!("{}:{n}: an ok line without metrics", args.results.display()))?;
        let row = objectives
            .iter()
            .map(|(name, _)| {
                metrics.get(name).copied().ok_or_else(|| {
                    let known: Vec<&str> = metrics.keys().map(String::as_str).collect();
                    anyhow!(
                        "{}:{n}: no metric `{name}`; known: {}",
                        args.results.display(),
                        known.join(", ")
                    )
                })
            })
            .collect::<anyhow::Result<Vec<f64>>>()?;
        points.push(row);
    }
    let maximize: Vec<bool> = objectives.iter().map(|(_, m)| *m).collect();
    let mut front = lutforge_reports::pareto::pareto_front(&points, &maximize);
    front.sort_by_key(|&i| lines[i].2.id);
    let out = args.out.unwrap_or_else(|| {
        let mut p = args.results.clone().into_os_string();
        p.push(".pareto.jsonl");
        PathBuf::from(p)
    });
    let mut text = String::new();
    let mut stdout = std::io::stdout().lock();
    let header: Vec<String> = objectives
        .iter()
        .map(|(n, m)| format!("{}{n}", if *m { "max " } else { "min " }))
        .collect();
    writeln!(
        stdout,
        "{} of {} points are Pareto-optimal ({})",
        front.len(),
        lines.len(),
        header.join(", ")
    )?;
    for &i in &front {
        let (_, raw, line) = &lines[i];
        text.push_str(raw);
        text.push('\n');
        let values: Vec<String> = objectives
            .iter()
            .zip(&points[i])
            .map(|((n, _), v)| format!("{n}={v:.6}"))
            .collect();
        let point: Vec<String> = line.point.iter().map(|(k, v)| format!("{k}={v}")).collect();
        writeln!(
            stdout,
            "  id {:>6}  {}  [{}]",
            line.id,
            values.join("  "),
            point.join(", ")
        )?;
    }
    write_atomic(&out, text.as_bytes())
        .with_context(|| format!("{}: cannot write", out.display()))?;
    writeln!(stdout, "saved to {}", out.display())?;
    Ok(ExitCode::SUCCESS)
}
