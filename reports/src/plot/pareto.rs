//! Sweep Pareto scatter: every simulated point on two metrics, the non-dominated front
//! highlighted and joined, points coloured by a third (axis) variable. Axes switch to a log
//! scale when a metric spans two decades or more.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::{
    caption_font, desc_font, draw_legend, label_font, palette, si, title_font, with_scales,
    DrawResult, Figure, LegendEntry, Swatch, INK,
};
use crate::pareto::pareto_front;
use crate::sweep::{AxisValue, Goal, SweepResults};

/// The range of one chart axis and whether it is logarithmic.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Scale {
    /// Plot log10 of the value.
    pub log: bool,
    /// Low end.
    pub lo: f64,
    /// High end.
    pub hi: f64,
}

impl Scale {
    /// Chooses log when every value is positive and they span a factor of 100 or more, and a
    /// padded range around the values.
    pub fn fit(values: &[f64]) -> Scale {
        Scale::fit_with(values, 100.0)
    }

    /// Like [`Scale::fit`], with log chosen from a span of `log_ratio` or more.
    pub fn fit_with(values: &[f64], log_ratio: f64) -> Scale {
        let finite: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
        let min = finite.iter().copied().fold(f64::INFINITY, f64::min);
        let max = finite.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        if finite.is_empty() {
            return Scale {
                log: false,
                lo: 0.0,
                hi: 1.0,
            };
        }
        if min > 0.0 && max / min >= log_ratio {
            let pad = (max / min).powf(0.05);
            return Scale {
                log: true,
                lo: min / pad,
                hi: max * pad,
            };
        }
        let span = max - min;
        let pad = if span > 0.0 {
            span * 0.06
        } else if min != 0.0 {
            min.abs() * 0.1
        } else {
            1.0
        };
        Scale {
            log: false,
            lo: min - pad,
            hi: max + pad,
        }
    }

    /// Tick label: short numbers on log axes, SI prefixes for very large or small magnitudes,
    /// else as many decimals as the tick spacing needs.
    pub fn label(&self, t: f64) -> String {
        if self.log {
            return super::tick(t);
        }
        let magnitude = self.lo.abs().max(self.hi.abs());
        if !(1e-3..1e4).contains(&magnitude) {
            return si(t, "");
        }
        let step = (self.hi - self.lo) / 10.0;
        let decimals = if step > 0.0 {
            (-step.log10().floor()).max(0.0) as usize
        } else {
            2
        };
        let text = super::trim_number(&format!("{t:.decimals$}"));
        if text == "-0" {
            "0".to_string()
        } else {
            text
        }
    }
}

/// "name (unit)" for a metric name that carries its unit as a suffix.
pub(crate) fn metric_label(name: &str) -> String {
    let unit = if let Some(base) = name.strip_suffix("_per_s") {
        format!("{}/s", base.rsplit('_').next().unwrap_or(base))
    } else if let Some(base) = name.strip_suffix("_per_j") {
        format!("{}/J", base.rsplit('_').next().unwrap_or(base))
    } else if name.ends_with("_per_token_j") {
        "J/token".to_string()
    } else if name.ends_with("_mm2") {
        "mm²".to_string()
    } else if name.ends_with("_bytes") {
        "bytes".to_string()
    } else if name.ends_with("_cycles") {
        "cycles".to_string()
    } else if name.ends_with("_mhz") {
        "MHz".to_string()
    } else if name.ends_with("_j") {
        "J".to_string()
    } else if name.ends_with("_s") {
        "s".to_string()
    } else if name.ends_with("_w") {
        "W".to_string()
    } else {
        return name.to_string();
    };
    format!("{name} ({unit})")
}

/// How points are coloured.
pub(crate) enum Coloring {
    /// Everything one colour.
    None,
    /// Few distinct values or text: one palette colour per value (sorted).
    Categorical(Vec<AxisValue>),
    /// Many numeric values: a Viridis gradient between min and max.
    Continuous { min: f64, max: f64 },
}

impl Coloring {
    /// Chooses categorical colours for text axes and up to 10 numeric values, else a gradient.
    pub fn for_axis(sweep: &SweepResults, axis: Option<&str>) -> Coloring {
        let Some(axis) = axis else {
            return Coloring::None;
        };
        let values = sweep.axis_values(axis);
        let numeric: Vec<f64> = values.iter().filter_map(AxisValue::as_f64).collect();
        if values.len() <= 10 || numeric.len() != values.len() {
            Coloring::Categorical(values)
        } else {
            let min = numeric.iter().copied().fold(f64::INFINITY, f64::min);
            let max = numeric.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            Coloring::Continuous { min, max }
        }
    }

    /// The colour of a point with this axis value.
    pub fn color(&self, value: Option<&AxisValue>) -> RGBColor {
        let grey = RGBColor(0x99, 0x99, 0x99);
        match (self, value) {
            (Coloring::None, _) => palette(0),
            (Coloring::Categorical(values), Some(v)) => values
                .iter()
                .position(|c| c.total_cmp(v).is_eq())
                .map(palette)
                .unwrap_or(grey),
            (Coloring::Continuous { min, max }, Some(AxisValue::Number(v))) => {
                gradient(*v, *min, *max)
            }
            _ => grey,
        }
    }

    /// Legend rows for the colouring.
    pub fn legend(&self) -> Vec<LegendEntry> {
        match self {
            Coloring::None => vec![LegendEntry::new("design point", Swatch::Circle(palette(0)))],
            Coloring::Categorical(values) => values
                .iter()
                .enumerate()
                .map(|(i, v)| LegendEntry::new(short(v), Swatch::Circle(palette(i))))
                .collect(),
            Coloring::Continuous { min, max } => (0..5)
                .map(|i| {
                    let v = min + (max - min) * i as f64 / 4.0;
                    LegendEntry::new(super::tick(v), Swatch::Circle(gradient(v, *min, *max)))
                })
                .collect(),
        }
    }
}

/// An axis value for a legend: numbers with at most 4 significant digits.
pub(crate) fn short(value: &AxisValue) -> String {
    match value {
        AxisValue::Number(v) if v.fract() != 0.0 && v.is_finite() => {
            let digits = (3 - v.abs().log10().floor() as i32).clamp(0, 12) as usize;
            super::trim_number(&format!("{v:.digits$}"))
        }
        other => other.to_string(),
    }
}

fn gradient(v: f64, min: f64, max: f64) -> RGBColor {
    let h = if max > min {
        ((v - min) / (max - min)).clamp(0.0, 1.0)
    } else {
        0.5
    };
    // Stop short of Viridis' pale yellow end, which vanishes on white.
    ViridisRGB::get_color(h * 0.88)
}

/// The Pareto scatter of a sweep.
pub(crate) struct ParetoPlot<'a> {
    sweep: &'a SweepResults,
    x: &'a str,
    y: &'a str,
    color: Option<&'a str>,
    /// (x, y, row index) of each simulated row having both metrics.
    points: Vec<(f64, f64, usize)>,
    /// Indices into `points`, sorted by x.
    pub front: Vec<usize>,
}

impl<'a> ParetoPlot<'a> {
    /// Selects the points and computes the front (goals from the metric names).
    pub fn new(sweep: &'a SweepResults, x: &'a str, y: &'a str, color: Option<&'a str>) -> Self {
        let points: Vec<(f64, f64, usize)> = sweep
            .rows
            .iter()
            .enumerate()
            .filter(|(_, r)| r.is_ok())
            .filter_map(|(i, r)| Some((*r.metrics.get(x)?, *r.metrics.get(y)?, i)))
            .collect();
        let coords: Vec<Vec<f64>> = points.iter().map(|p| vec![p.0, p.1]).collect();
        let maximize = [
            Goal::of_metric(x) == Goal::Maximize,
            Goal::of_metric(y) == Goal::Maximize,
        ];
        let mut front = pareto_front(&coords, &maximize);
        front.sort_by(|&a, &b| {
            points[a]
                .0
                .total_cmp(&points[b].0)
                .then(points[a].1.total_cmp(&points[b].1))
        });
        ParetoPlot {
            sweep,
            x,
            y,
            color,
            points,
            front,
        }
    }

    /// Rows (indices into the sweep) on the front, sorted by x.
    pub fn front_rows(&self) -> Vec<usize> {
        self.front.iter().map(|&i| self.points[i].2).collect()
    }
}

fn goal_text(metric: &str) -> &'static str {
    match Goal::of_metric(metric) {
        Goal::Maximize => "higher is better",
        Goal::Minimize => "lower is better",
    }
}

impl Figure for ParetoPlot<'_> {
    fn name(&self) -> String {
        "pareto".to_string()
    }

    fn title(&self) -> String {
        format!("Pareto front: {} vs {}", self.y, self.x)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        let root = root.titled(&self.title(), title_font())?;
        let (w, _) = root.dim_in_pixel();
        let (chart_area, legend_area) = root.split_horizontally(w - 280);
        let xs: Vec<f64> = self.points.iter().map(|p| p.0).collect();
        let ys: Vec<f64> = self.points.iter().map(|p| p.1).collect();
        let (sx, sy) = (Scale::fit(&xs), Scale::fit(&ys));
        let log_note = |s: &Scale| if s.log { ", log scale" } else { "" };
        let caption = format!(
            "{} simulated points, {} on the front ({} {}, {} {})",
            self.points.len(),
            self.front.len(),
            Goal::of_metric(self.x).as_str(),
            self.x,
            Goal::of_metric(self.y).as_str(),
            self.y
        );
        let coloring = Coloring::for_axis(self.sweep, self.color);
        with_scales!(sx, sy, |x_spec, y_spec| {
            let mut chart = ChartBuilder::on(&chart_area)
                .caption(caption, caption_font())
                .margin(16)
                .x_label_area_size(60)
                .y_label_area_size(90)
                .build_cartesian_2d(x_spec, y_spec)?;
            chart
                .configure_mesh()
                .x_desc(format!(
                    "{} — {}{}",
                    metric_label(self.x),
                    goal_text(self.x),
                    log_note(&sx)
                ))
                .y_desc(format!(
                    "{} — {}{}",
                    metric_label(self.y),
                    goal_text(self.y),
                    log_note(&sy)
                ))
                .axis_desc_style(desc_font())
                .label_style(label_font())
                .x_label_formatter(&|v| sx.label(*v))
                .y_label_formatter(&|v| sy.label(*v))
                .light_line_style(RGBColor(0xEE, 0xEE, 0xEE))
                .draw()?;
            let radius = if self.points.len() > 2000 { 3 } else { 5 };
            chart.draw_series(self.points.iter().map(|&(x, y, row)| {
                let value = self.color.and_then(|a| self.sweep.rows[row].point.get(a));
                Circle::new((x, y), radius, coloring.color(value).mix(0.75).filled())
            }))?;
            let front: Vec<(f64, f64)> = self
                .front
                .iter()
                .map(|&i| (self.points[i].0, self.points[i].1))
                .collect();
            chart.draw_series(LineSeries::new(front.clone(), INK.stroke_width(2)))?;
            chart.draw_series(
                front
                    .iter()
                    .map(|&p| Circle::new(p, radius + 4, INK.stroke_width(2))),
            )?;
            Ok::<(), DrawingAreaErrorKind<DB::ErrorType>>(())
        })?;

        let mut legend = coloring.legend();
        legend.push(LegendEntry::new(
            format!("Pareto front ({})", self.front.len()),
            Swatch::Ring(INK),
        ));
        let heading = self.color.map(|c| format!("colour:\n{c}"));
        let legend_area = legend_area.margin(70, 10, 10, 10);
        draw_legend(&legend_area, heading.as_deref(), &legend)
    }
}
