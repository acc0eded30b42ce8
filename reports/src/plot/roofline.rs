//! The roofline: attained FLOP/s against arithmetic intensity (FLOP per DRAM byte) for each
//! (phase, op kind), under the configuration's DRAM-bandwidth slope and compute ceiling (the
//! highest `peak_flops_per_cycle` of any op times the clock). Lower per-unit peaks (e.g. the
//! vector unit) are drawn dashed. Log-log axes.

use std::collections::BTreeMap;

use lutforge_sim::Report;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::{
    caption_font, desc_font, draw_legend, label_font, palette, si, small_font, title_font,
    DrawResult, Figure, LegendEntry, Swatch, INK,
};

/// One drawn point.
#[derive(Debug, Clone)]
struct Point {
    phase: String,
    kind_index: usize,
    intensity: f64,
    flops_per_s: f64,
}

/// The roofline of one report.
pub(crate) struct Roofline<'a> {
    report: &'a Report,
    points: Vec<Point>,
    /// `(phase, kind)` not drawn: no FLOPs, or no DRAM traffic (infinite intensity).
    pub skipped: Vec<(String, String, &'static str)>,
    bandwidth: f64,
    /// Highest peak per unit, FLOP/s.
    unit_peaks: BTreeMap<String, f64>,
}

impl<'a> Roofline<'a> {
    /// Prepares the points.
    pub fn new(report: &'a Report) -> Self {
        let clock_hz = report.summary.clock_mhz * 1e6;
        let mut points = Vec::new();
        let mut skipped = Vec::new();
        let mut unit_peaks: BTreeMap<String, f64> = BTreeMap::new();
        for op in &report.ops {
            let peak = op.peak_flops_per_cycle * clock_hz;
            let entry = unit_peaks.entry(op.unit.clone()).or_insert(0.0);
            *entry = entry.max(peak);
            let why = if op.flops == 0 {
                Some("no arithmetic")
            } else if op.dram_bytes == 0 {
                Some("no DRAM traffic (intensity unbounded)")
            } else if op.cycles == 0 || clock_hz <= 0.0 {
                Some("no cycles")
            } else {
                None
            };
            if let Some(why) = why {
                skipped.push((op.phase.clone(), op.kind.clone(), why));
                continue;
            }
            let seconds = op.cycles as f64 / clock_hz;
            points.push(Point {
                phase: op.phase.clone(),
                kind_index: drawn_kinds(report)
                    .iter()
                    .position(|k| *k == op.kind)
                    .unwrap_or(0),
                intensity: op.flops as f64 / op.dram_bytes as f64,
                flops_per_s: op.flops as f64 / seconds,
            });
        }
        Roofline {
            report,
            points,
            skipped,
            bandwidth: report.summary.dram_bandwidth_bytes_per_s,
            unit_peaks,
        }
    }

    fn peak(&self) -> (String, f64) {
        self.unit_peaks
            .iter()
            .fold((String::new(), 0.0), |best, (u, &p)| {
                if p > best.1 {
                    (u.clone(), p)
                } else {
                    best
                }
            })
    }
}

/// Op kinds that have a roofline point, in order of first appearance; their colours index
/// the palette.
fn drawn_kinds(report: &Report) -> Vec<&str> {
    let mut kinds: Vec<&str> = Vec::new();
    for op in &report.ops {
        if op.flops > 0 && op.dram_bytes > 0 && op.cycles > 0 && !kinds.contains(&op.kind.as_str())
        {
            kinds.push(&op.kind);
        }
    }
    kinds
}

fn decade_floor(v: f64) -> f64 {
    10f64.powf(v.log10().floor())
}

fn decade_ceil(v: f64) -> f64 {
    10f64.powf(v.log10().ceil())
}

impl Figure for Roofline<'_> {
    fn name(&self) -> String {
        "roofline".to_string()
    }

    fn title(&self) -> String {
        format!(
            "Roofline: {} on {}",
            self.report.inputs.model.name, self.report.inputs.arch.name
        )
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        let root = root.titled(&self.title(), title_font())?;
        let (w, _) = root.dim_in_pixel();
        let (chart_area, legend_area) = root.split_horizontally(w - 300);
        let (peak_unit, peak) = self.peak();
        let bw = if self.bandwidth > 0.0 {
            self.bandwidth
        } else {
            1.0
        };
        let peak = if peak > 0.0 { peak } else { 1.0 };
        let ridge = peak / bw;
        let i_min = self
            .points
            .iter()
            .map(|p| p.intensity)
            .fold(ridge, f64::min);
        let i_max = self
            .points
            .iter()
            .map(|p| p.intensity)
            .fold(ridge, f64::max);
        let x_lo = decade_floor(i_min / 2.0);
        let x_hi = decade_ceil(i_max * 3.0);
        let p_min = self
            .points
            .iter()
            .map(|p| p.flops_per_s)
            .fold(bw * x_lo, f64::min);
        let y_lo = decade_floor(p_min / 2.0);
        let y_hi = decade_ceil(peak * 3.0);

        let mut chart = ChartBuilder::on(&chart_area)
            .caption("attained performance per (phase, op kind)", caption_font())
            .margin(16)
            .x_label_area_size(60)
            .y_label_area_size(100)
            .build_cartesian_2d((x_lo..x_hi).log_scale(), (y_lo..y_hi).log_scale())?;
        chart
            .configure_mesh()
            .x_desc("arithmetic intensity (FLOP per DRAM byte)")
            .y_desc("attained performance (FLOP/s)")
            .axis_desc_style(desc_font())
            .label_style(label_font())
            .x_label_formatter(&|v| super::tick(*v))
            .y_label_formatter(&|v| si(*v, ""))
            .light_line_style(RGBColor(0xEE, 0xEE, 0xEE))
            .draw()?;

        // Roof: bandwidth slope up to the ridge, then the compute ceiling.
        let roof = vec![(x_lo, bw * x_lo), (ridge, peak), (x_hi, peak)];
        chart.draw_series(LineSeries::new(roof, INK.stroke_width(3)))?;
        let mut legend = vec![
            LegendEntry::new(format!("DRAM roof {}", si(bw, "B/s")), Swatch::Line(INK)),
            LegendEntry::new(
                format!("{peak_unit} peak {}", si(peak, "FLOP/s")),
                Swatch::Line(INK),
            ),
        ];
        let grey = RGBColor(0x88, 0x88, 0x88);
        for (unit, &p) in &self.unit_peaks {
            if *unit == peak_unit || p <= 0.0 {
                continue;
            }
            let from = (p / bw).max(x_lo);
            chart.draw_series(DashedLineSeries::new(
                vec![(from, p), (x_hi, p)],
                10,
                6,
                grey.stroke_width(2),
            ))?;
            legend.push(LegendEntry::new(
                format!("{unit} peak {}", si(p, "FLOP/s")),
                Swatch::Dashed(grey),
            ));
        }
        let annotate = small_font().color(&INK);
        chart.draw_series(std::iter::once(Text::new(
            format!("ridge {} FLOP/B", super::tick(ridge)),
            (ridge, peak * 1.25),
            annotate.pos(Pos::new(HPos::Center, VPos::Bottom)),
        )))?;

        for point in &self.points {
            let color = palette(point.kind_index);
            let at = (point.intensity, point.flops_per_s);
            if point.phase == "decode" {
                chart.draw_series(std::iter::once(TriangleMarker::new(at, 12, INK.filled())))?;
                chart.draw_series(std::iter::once(TriangleMarker::new(at, 9, color.filled())))?;
            } else {
                chart.draw_series(std::iter::once(Circle::new(at, 8, color.filled())))?;
                chart.draw_series(std::iter::once(Circle::new(at, 8, INK.stroke_width(1))))?;
            }
        }

        legend.push(LegendEntry::new("prefill", Swatch::Circle(INK)));
        legend.push(LegendEntry::new("decode", Swatch::Triangle(INK)));
        for (i, kind) in drawn_kinds(self.report).into_iter().enumerate() {
            legend.push(LegendEntry::new(kind, Swatch::Box(palette(i))));
        }
        let legend_area = legend_area.margin(70, 10, 10, 10);
        draw_legend(&legend_area, Some("legend"), &legend)
    }
}
