//! Sensitivity of the sweep's two headline metrics to one swept axis: every simulated point
//! (faint), the best value at each axis value (solid) and the median (dashed).

use plotters::coord::Shift;
use plotters::prelude::*;

use super::pareto::{metric_label, Scale};
use super::{
    caption_font, desc_font, draw_legend_row, label_font, palette, title_font, with_scales,
    DrawResult, Figure, LegendEntry, Swatch, INK,
};
use crate::sweep::{AxisValue, Goal, SweepResults};

/// Colour of the median line.
const MEDIAN: RGBColor = RGBColor(0xE1, 0x57, 0x59);

/// Metric against one axis, for one or more metrics (one panel each).
pub(crate) struct Sensitivity<'a> {
    sweep: &'a SweepResults,
    axis: &'a str,
    metrics: Vec<&'a str>,
    file_stem: String,
}

impl<'a> Sensitivity<'a> {
    /// `file_stem` is the output name (unique per axis).
    pub fn new(
        sweep: &'a SweepResults,
        axis: &'a str,
        metrics: Vec<&'a str>,
        file_stem: String,
    ) -> Self {
        Sensitivity {
            sweep,
            axis,
            metrics,
            file_stem,
        }
    }

    fn panel<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        metric: &str,
    ) -> DrawResult<DB> {
        let values = self.sweep.axis_values(self.axis);
        let numeric = values.iter().all(|v| v.as_f64().is_some());
        // x position of each distinct value: the number itself, or its index for text axes.
        let nums: Vec<f64> = values.iter().filter_map(AxisValue::as_f64).collect();
        // Swept sizes are often geometric (powers of two): log from a factor of 8.
        let sx = if numeric {
            Scale::fit_with(&nums, 8.0)
        } else {
            Scale {
                log: false,
                lo: -0.5,
                hi: values.len() as f64 - 0.5,
            }
        };
        let pos = |v: &AxisValue| -> Option<f64> {
            if numeric {
                v.as_f64()
            } else {
                values
                    .iter()
                    .position(|c| c.total_cmp(v).is_eq())
                    .map(|i| i as f64)
            }
        };
        // (x position, metric) of each simulated point, grouped by axis value.
        let mut groups: Vec<(f64, Vec<f64>)> = values
            .iter()
            .filter_map(|v| Some((pos(v)?, Vec::new())))
            .collect();
        for row in self.sweep.ok_rows() {
            let (Some(v), Some(&m)) = (row.point.get(self.axis), row.metrics.get(metric)) else {
                continue;
            };
            if let Some(i) = values.iter().position(|c| c.total_cmp(v).is_eq()) {
                if let Some(g) = groups.get_mut(i) {
                    g.1.push(m);
                }
            }
        }
        let all: Vec<f64> = groups.iter().flat_map(|g| g.1.iter().copied()).collect();
        let sy = Scale::fit(&all);
        let goal = Goal::of_metric(metric);
        let labels: Vec<String> = values.iter().map(super::pareto::short).collect();
        let x_label = move |t: &f64| -> String {
            if numeric {
                sx.label(*t)
            } else if (t - t.round()).abs() < 1e-6 && *t >= 0.0 {
                labels.get(t.round() as usize).cloned().unwrap_or_default()
            } else {
                String::new()
            }
        };
        let mut best = Vec::new();
        let mut median = Vec::new();
        for (x, ms) in &groups {
            if ms.is_empty() {
                continue;
            }
            let mut sorted = ms.clone();
            sorted.sort_by(f64::total_cmp);
            let b = match goal {
                Goal::Maximize => sorted[sorted.len() - 1],
                Goal::Minimize => sorted[0],
            };
            let mid = sorted.len() / 2;
            let med = if sorted.len() % 2 == 1 {
                sorted[mid]
            } else {
                (sorted[mid - 1] + sorted[mid]) / 2.0
            };
            best.push((*x, b));
            median.push((*x, med));
        }
        let log = |s: &Scale| if s.log { " (log scale)" } else { "" };
        with_scales!(sx, sy, |x_spec, y_spec| {
            let mut chart = ChartBuilder::on(area)
                .caption(
                    format!("{} ({} is best)", metric, goal.as_str()),
                    caption_font(),
                )
                .margin(14)
                .x_label_area_size(60)
                .y_label_area_size(90)
                .build_cartesian_2d(x_spec, y_spec)?;
            chart
                .configure_mesh()
                .x_labels(if numeric { 10 } else { values.len() + 1 })
                .x_desc(format!("{}{}", self.axis, log(&sx)))
                .y_desc(format!("{}{}", metric_label(metric), log(&sy)))
                .axis_desc_style(desc_font())
                .label_style(label_font())
                .x_label_formatter(&x_label)
                .y_label_formatter(&|v| sy.label(*v))
                .light_line_style(RGBColor(0xEE, 0xEE, 0xEE))
                .draw()?;
            let faint = palette(0).mix(0.3);
            chart.draw_series(
                groups
                    .iter()
                    .flat_map(|(x, ms)| ms.iter().map(move |&m| (*x, m)))
                    .map(|(x, m)| Circle::new((x, m), 4, faint.filled())),
            )?;
            chart.draw_series(LineSeries::new(best.clone(), INK.stroke_width(3)))?;
            chart.draw_series(best.iter().map(|&p| Circle::new(p, 5, INK.filled())))?;
            chart.draw_series(DashedLineSeries::new(median, 10, 6, MEDIAN.stroke_width(2)))?;
            Ok::<(), DrawingAreaErrorKind<DB::ErrorType>>(())
        })
    }
}

impl Figure for Sensitivity<'_> {
    fn name(&self) -> String {
        self.file_stem.clone()
    }

    fn title(&self) -> String {
        format!("Sensitivity to {}", self.axis)
    }

    fn size(&self) -> (u32, u32) {
        (640 * self.metrics.len().max(1) as u32 + 80, 640)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        let root = root.titled(&self.title(), title_font())?;
        let (_, h) = root.dim_in_pixel();
        let (body, legend) = root.split_vertically(h - 46);
        let panels = body.split_evenly((1, self.metrics.len().max(1)));
        for (panel, metric) in panels.iter().zip(&self.metrics) {
            self.panel(panel, metric)?;
        }
        draw_legend_row(
            &legend,
            &[
                LegendEntry::new("each design point", Swatch::Circle(palette(0))),
                LegendEntry::new("best at this value", Swatch::Line(INK)),
                LegendEntry::new("median", Swatch::Dashed(MEDIAN)),
            ],
        )
    }
}
