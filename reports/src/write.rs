//! `write_report`: validate the options, draw every plot of the input, write each SVG and PNG
//! and then `index.html` into the output folder, every file atomically.
//!
//! For a simulation report: `roofline`, `latency`, `energy`. For sweep results: `pareto` and
//! one `sensitivity-<axis>` per swept axis (an axis with two or more values).

use std::path::{Path, PathBuf};

use lutforge_sim::output::write_atomic;
use lutforge_sim::Report;

use crate::error::ReportError;
use crate::html::{Cell, Page};
use crate::input::Input;
use crate::plot::energy::Energy;
use crate::plot::latency::Latency;
use crate::plot::pareto::{metric_label, ParetoPlot};
use crate::plot::roofline::Roofline;
use crate::plot::sensitivity::Sensitivity;
use crate::plot::{render, si, Rendered};
use crate::sweep::{Goal, SweepResults};

/// Default Pareto x metric (minimized).
pub const DEFAULT_X: &str = "energy_per_token_j";
/// Default Pareto y metric (maximized).
pub const DEFAULT_Y: &str = "tokens_per_s";

/// Choices for sweep plots; all must be `None` for a simulation report.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Options {
    /// Pareto x metric (default [`DEFAULT_X`]).
    pub x: Option<String>,
    /// Pareto y metric (default [`DEFAULT_Y`]).
    pub y: Option<String>,
    /// Axis that colours the Pareto points (default: the first swept axis).
    pub color: Option<String>,
}

/// Files written, in order (`index.html` last).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Written {
    /// Paths of the plots (SVG and PNG of each).
    pub plots: Vec<PathBuf>,
    /// Path of the page.
    pub index: PathBuf,
}

/// Writes every plot of `input` and an `index.html` into `out` (created if missing).
/// Options are validated before any file is written.
pub fn write_report(input: &Input, out: &Path, options: &Options) -> Result<Written, ReportError> {
    match input {
        Input::Report(report) => {
            for (flag, value) in [
                ("--x", &options.x),
                ("--y", &options.y),
                ("--color", &options.color),
            ] {
                if value.is_some() {
                    return Err(ReportError::SweepOnly {
                        flag: flag.to_string(),
                    });
                }
            }
            let (figures, page) = report_page(report)?;
            write_all(out, &figures, &page)
        }
        Input::Sweep(sweep) => {
            let choice = SweepChoice::resolve(sweep, options)?;
            let (figures, page) = sweep_page(sweep, &choice)?;
            write_all(out, &figures, &page)
        }
    }
}

fn write_all(out: &Path, figures: &[Rendered], page: &str) -> Result<Written, ReportError> {
    let write = |path: PathBuf, bytes: &[u8]| -> Result<PathBuf, ReportError> {
        write_atomic(&path, bytes).map_err(|cause| ReportError::Write {
            path: path.clone(),
            cause,
        })?;
        Ok(path)
    };
    let mut plots = Vec::new();
    for figure in figures {
        plots.push(write(
            out.join(format!("{}.svg", figure.name)),
            figure.svg.as_bytes(),
        )?);
        plots.push(write(
            out.join(format!("{}.png", figure.name)),
            &figure.png,
        )?);
    }
    let index = write(out.join("index.html"), page.as_bytes())?;
    Ok(Written { plots, index })
}

/// Op kinds in order of first appearance (fixes colours and rows across plots).
fn op_kinds(report: &Report) -> Vec<String> {
    let mut kinds: Vec<String> = Vec::new();
    for op in &report.ops {
        if !kinds.contains(&op.kind) {
            kinds.push(op.kind.clone());
        }
    }
    kinds
}

fn opt_si(v: Option<f64>, unit: &str) -> String {
    v.map(|v| si(v, unit))
        .unwrap_or_else(|| "n/a (no decode step)".to_string())
}

fn num(text: String) -> Cell {
    Cell::Num(text)
}

fn report_page(report: &Report) -> Result<(Vec<Rendered>, String), ReportError> {
    let kinds = op_kinds(report);
    let roofline = Roofline::new(report);
    let latency = Latency::new(report, &kinds);
    let energy = Energy::new(report);
    let figures = vec![render(&roofline)?, render(&latency)?, render(&energy)?];

    let inputs = &report.inputs;
    let s = &report.summary;
    let title = format!(
        "lutforge report: {} on {}",
        inputs.model.name, inputs.arch.name
    );
    let mut page = Page::new();
    page.heading(1, &title);
    page.note(&format!(
        "{} · report schema {}",
        report.generator, report.schema_version
    ));

    page.heading(2, "Configuration");
    let mut config: Vec<Vec<Cell>> = vec![
        vec![
            "architecture".into(),
            format!("{} ({})", inputs.arch.name, inputs.arch.kind).into(),
        ],
        vec![
            "architecture file".into(),
            inputs.arch.source.clone().into(),
        ],
        vec![
            "model".into(),
            format!(
                "{} ({} parameters, {} layers)",
                inputs.model.name,
                si(inputs.model.params as f64, ""),
                inputs.model.num_layers
            )
            .into(),
        ],
        vec!["quantization".into(), inputs.quant.clone().into()],
        vec!["batch".into(), num(inputs.batch.to_string())],
        vec![
            "prefill tokens".into(),
            num(inputs.prefill_tokens.to_string()),
        ],
        vec![
            "decode tokens".into(),
            num(inputs.decode_tokens.to_string()),
        ],
    ];
    if inputs.shared_prefix_tokens > 0 {
        config.push(vec![
            "shared prefix tokens".into(),
            num(inputs.shared_prefix_tokens.to_string()),
        ]);
    }
    if let Some(spec) = &inputs.speculative {
        config.push(vec![
            "speculative decoding".into(),
            format!(
                "draft {} ({}), {} tokens, acceptance {}",
                spec.draft.name, spec.draft_quant, spec.draft_len, spec.acceptance_rate
            )
            .into(),
        ]);
    }
    config.push(vec!["clock".into(), num(si(s.clock_mhz * 1e6, "Hz"))]);
    config.push(vec![
        "DRAM bandwidth".into(),
        num(si(s.dram_bandwidth_bytes_per_s, "B/s")),
    ]);
    page.table(&["setting", "value"], &config);

    page.heading(2, "Key numbers");
    let tokens_per_j = s
        .tokens_per_j
        .map(|v| format!("{} tokens/J", super::plot::tick(v)))
        .unwrap_or_else(|| "n/a (no decode step)".to_string());
    let key: Vec<Vec<Cell>> = vec![
        vec!["time to first token (TTFT)".into(), num(si(s.ttft_s, "s"))],
        vec![
            "time per output token (TPOT)".into(),
            num(opt_si(s.tpot_s, "s")),
        ],
        vec![
            "decode throughput".into(),
            num(s
                .decode_tokens_per_s
                .map(|v| format!("{} tokens/s", super::plot::tick(v)))
                .unwrap_or_else(|| "n/a (no decode step)".to_string())),
        ],
        vec![
            "end-to-end throughput".into(),
            num(format!(
                "{} tokens/s",
                super::plot::tick(s.e2e_tokens_per_s)
            )),
        ],
        vec!["decode tokens per joule".into(), num(tokens_per_j)],
        vec![
            "decode energy per token".into(),
            num(opt_si(s.decode_energy_per_token_j, "J")),
        ],
        vec!["total time".into(), num(si(s.total_time_s, "s"))],
        vec!["total energy".into(), num(si(s.total_energy_j, "J"))],
        vec!["area".into(), num(format!("{:.3} mm²", s.area_mm2))],
        vec![
            "DRAM traffic".into(),
            num(format!(
                "{} ({} bytes)",
                si(s.dram_bytes as f64, "B"),
                s.dram_bytes
            )),
        ],
        vec![
            "memory stall cycles".into(),
            num(s.stall_cycles.to_string()),
        ],
    ];
    page.table(&["metric", "value"], &key);

    page.heading(2, "Plots");
    let mut roof_caption = "Attained FLOP/s against FLOP per DRAM byte for each (phase, op kind); the solid line is the roof (DRAM bandwidth slope, then the highest unit peak).".to_string();
    if !roofline.skipped.is_empty() {
        let names: Vec<String> = roofline
            .skipped
            .iter()
            .map(|(p, k, why)| format!("{p} {k}: {why}"))
            .collect();
        roof_caption.push_str(&format!(" Not drawn: {}.", names.join("; ")));
    }
    let captions = [
        roof_caption,
        "Time per op kind, compute and memory stall stacked; each phase on its own time scale."
            .to_string(),
        "Energy of the whole run by component, with shares of the total.".to_string(),
    ];
    for (figure, caption) in figures.iter().zip(&captions) {
        page.heading(3, &figure.title);
        page.figure(&figure.name, &figure.title, caption);
    }

    page.heading(2, "Phases");
    let phases: Vec<Vec<Cell>> = report
        .phases
        .iter()
        .map(|p| {
            vec![
                p.phase.clone().into(),
                num(p.steps.to_string()),
                num(si(p.seconds, "s")),
                num(p.cycles.to_string()),
                num(p.stall_cycles.to_string()),
                num(si(p.flops as f64, "FLOP")),
                num(si(p.dram_bytes as f64, "B")),
                num(si(p.energy_j, "J")),
            ]
        })
        .collect();
    page.table(
        &[
            "phase",
            "steps",
            "time",
            "cycles",
            "stall cycles",
            "work",
            "DRAM",
            "energy",
        ],
        &phases,
    );

    page.heading(2, "Op kinds");
    let clock_hz = s.clock_mhz * 1e6;
    let ops: Vec<Vec<Cell>> = report
        .ops
        .iter()
        .map(|o| {
            let seconds = if clock_hz > 0.0 {
                o.cycles as f64 / clock_hz
            } else {
                0.0
            };
            vec![
                o.phase.clone().into(),
                o.kind.clone().into(),
                o.unit.clone().into(),
                num(si(seconds, "s")),
                num(format!("{:.1}%", o.utilization * 100.0)),
                num(si(o.flops as f64, "FLOP")),
                num(si(o.dram_bytes as f64, "B")),
                num(si(o.energy_j, "J")),
            ]
        })
        .collect();
    page.table(
        &[
            "phase",
            "op kind",
            "unit",
            "time",
            "utilization",
            "work",
            "DRAM",
            "energy",
        ],
        &ops,
    );

    page.heading(2, "Area");
    let a = &report.area;
    page.table(
        &["block", "area"],
        &[
            vec![
                "matrix unit".into(),
                num(format!("{:.3} mm²", a.matrix_mm2)),
            ],
            vec!["SRAM".into(), num(format!("{:.3} mm²", a.sram_mm2))],
            vec![
                "vector unit".into(),
                num(format!("{:.3} mm²", a.vector_mm2)),
            ],
            vec![
                "fallback MAC array".into(),
                num(format!("{:.3} mm²", a.fallback_mm2)),
            ],
        ],
    );
    if !report.notes.is_empty() {
        page.heading(2, "Notes");
        page.list(&report.notes);
    }
    Ok((figures, page.finish(&title)))
}

/// The validated sweep plot choices.
struct SweepChoice {
    /// Pareto metrics, when there are any metrics at all.
    xy: Option<(String, String)>,
    color: Option<String>,
    notes: Vec<String>,
}

impl SweepChoice {
    fn resolve(sweep: &SweepResults, options: &Options) -> Result<SweepChoice, ReportError> {
        let metrics = sweep.metric_names();
        let mut notes = Vec::new();
        for (flag, value) in [("--x", &options.x), ("--y", &options.y)] {
            if let Some(name) = value {
                if !metrics.contains(name) {
                    return Err(ReportError::UnknownMetric {
                        flag: flag.to_string(),
                        name: name.clone(),
                        available: metrics.clone(),
                    });
                }
            }
        }
        let axes = sweep.axis_names();
        if let Some(name) = &options.color {
            if !axes.contains(name) {
                return Err(ReportError::UnknownAxis {
                    name: name.clone(),
                    available: axes,
                });
            }
        }
        let pick = |given: &Option<String>, default: &str, avoid: Option<&str>| -> Option<String> {
            if let Some(g) = given {
                return Some(g.clone());
            }
            if metrics.iter().any(|m| m == default) {
                return Some(default.to_string());
            }
            metrics.iter().find(|m| Some(m.as_str()) != avoid).cloned()
        };
        let x = pick(
            &options.x,
            DEFAULT_X,
            options.y.as_deref().or(Some(DEFAULT_Y)),
        );
        let y = pick(&options.y, DEFAULT_Y, x.as_deref());
        let xy = match (x, y) {
            (Some(x), Some(y)) => {
                if options.x.is_none() && x != DEFAULT_X {
                    notes.push(format!("no `{DEFAULT_X}` metric in the results; the Pareto x axis uses `{x}` (choose with --x)"));
                }
                if options.y.is_none() && y != DEFAULT_Y {
                    notes.push(format!("no `{DEFAULT_Y}` metric in the results; the Pareto y axis uses `{y}` (choose with --y)"));
                }
                Some((x, y))
            }
            _ => {
                notes.push("fewer than two metrics in the results: no Pareto plot".to_string());
                None
            }
        };
        let color = options
            .color
            .clone()
            .or_else(|| sweep.swept_axes().into_iter().next());
        Ok(SweepChoice { xy, color, notes })
    }
}

/// A file-name-safe stem for an axis name, unique among `taken`.
fn stem_for(axis: &str, taken: &mut Vec<String>) -> String {
    let clean: String = axis
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let base = format!("sensitivity-{clean}");
    let mut stem = base.clone();
    let mut n = 2;
    while taken.contains(&stem) {
        stem = format!("{base}-{n}");
        n += 1;
    }
    taken.push(stem.clone());
    stem
}

fn sweep_page(
    sweep: &SweepResults,
    choice: &SweepChoice,
) -> Result<(Vec<Rendered>, String), ReportError> {
    let file = sweep
        .path
        .file_name()
        .map(|f| f.to_string_lossy().into_owned())
        .unwrap_or_else(|| sweep.path.display().to_string());
    let title = format!("lutforge sweep report: {file}");
    let ok = sweep.ok_rows().count();
    let swept = sweep.swept_axes();
    let mut figures = Vec::new();
    let mut captions = Vec::new();
    let mut front_rows = Vec::new();
    if let Some((x, y)) = &choice.xy {
        let pareto = ParetoPlot::new(sweep, x, y, choice.color.as_deref());
        if !pareto.front.is_empty() {
            front_rows = pareto.front_rows();
            figures.push(render(&pareto)?);
            captions.push(format!(
                "Each simulated point; rings and the line mark the non-dominated front ({} {x}, {} {y}).",
                Goal::of_metric(x).as_str(),
                Goal::of_metric(y).as_str()
            ));
        }
        let mut taken = Vec::new();
        for axis in &swept {
            let metrics: Vec<&str> = if x == y {
                vec![y.as_str()]
            } else {
                vec![y.as_str(), x.as_str()]
            };
            let figure = Sensitivity::new(sweep, axis, metrics, stem_for(axis, &mut taken));
            figures.push(render(&figure)?);
            captions.push(format!(
                "{y} and {x} against {axis}: every point, the best and the median at each value."
            ));
        }
    }

    let mut page = Page::new();
    page.heading(1, &title);
    for note in &choice.notes {
        page.note(note);
    }
    page.heading(2, "Sweep");
    let summary: Vec<Vec<Cell>> = vec![
        vec!["results file".into(), file.clone().into()],
        vec!["design points".into(), num(sweep.rows.len().to_string())],
        vec!["simulated".into(), num(ok.to_string())],
        vec!["rejected".into(), num((sweep.rows.len() - ok).to_string())],
        vec!["swept axes".into(), swept.join(", ").into()],
        vec!["metrics".into(), sweep.metric_names().join(", ").into()],
    ];
    page.table(&["", "value"], &summary);

    page.heading(2, "Configuration");
    let axes: Vec<Vec<Cell>> = sweep
        .axis_names()
        .iter()
        .map(|axis| {
            let values = sweep.axis_values(axis);
            let mut shown: Vec<String> = values.iter().take(12).map(ToString::to_string).collect();
            if values.len() > 12 {
                shown.push(format!("... ({} values)", values.len()));
            }
            let role = if values.len() >= 2 { "swept" } else { "fixed" };
            vec![axis.clone().into(), role.into(), shown.join(", ").into()]
        })
        .collect();
    page.table(&["axis", "role", "values"], &axes);

    page.heading(2, "Key numbers");
    let best: Vec<Vec<Cell>> = sweep
        .metric_names()
        .iter()
        .filter_map(|metric| {
            let goal = Goal::of_metric(metric);
            let row = sweep
                .ok_rows()
                .filter(|r| r.metrics.contains_key(metric))
                .reduce(|a, b| {
                    let (va, vb) = (a.metrics[metric], b.metrics[metric]);
                    let better = match goal {
                        Goal::Maximize => vb > va,
                        Goal::Minimize => vb < va,
                    };
                    if better {
                        b
                    } else {
                        a
                    }
                })?;
            Some(vec![
                metric_label(metric).into(),
                goal.as_str().into(),
                num(crate::plot::sig(row.metrics[metric], 4)),
                point_text(&row.point, &swept).into(),
            ])
        })
        .collect();
    page.table(&["metric", "goal", "best", "at point"], &best);

    if let Some((x, y)) = &choice.xy {
        page.heading(2, "Pareto front");
        let rows: Vec<Vec<Cell>> = front_rows
            .iter()
            .map(|&i| {
                let r = &sweep.rows[i];
                vec![
                    num(crate::plot::sig(r.metrics[x], 4)),
                    num(crate::plot::sig(r.metrics[y], 4)),
                    point_text(&r.point, &swept).into(),
                    num(r.line.to_string()),
                ]
            })
            .collect();
        page.table(
            &[&metric_label(x), &metric_label(y), "point", "line"],
            &rows,
        );
    }

    page.heading(2, "Plots");
    for (figure, caption) in figures.iter().zip(&captions) {
        page.heading(3, &figure.title);
        page.figure(&figure.name, &figure.title, caption);
    }
    if figures.is_empty() {
        page.note("No plots: no simulated point has the metrics to draw.");
    }
    let rejections = sweep.rejections();
    if !rejections.is_empty() {
        page.heading(2, "Rejected points");
        let rows: Vec<Vec<Cell>> = rejections
            .into_iter()
            .map(|(reason, n)| vec![reason.into(), num(n.to_string())])
            .collect();
        page.table(&["reason", "points"], &rows);
    }
    Ok((figures, page.finish(&title)))
}

fn point_text(
    point: &std::collections::BTreeMap<String, crate::sweep::AxisValue>,
    swept: &[String],
) -> String {
    swept
        .iter()
        .filter_map(|a| point.get(a).map(|v| format!("{a}={v}")))
        .collect::<Vec<_>>()
        .join(", ")
}
