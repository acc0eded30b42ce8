//! Latency breakdown: for each phase a panel of horizontal bars, one per op kind, stacked as
//! compute time and memory-stall time. Prefill and decode sit side by side, each on its own
//! time scale, so the (usually much shorter) decode phase stays readable.

use lutforge_sim::report::PhaseReport;
use lutforge_sim::Report;
use plotters::coord::ranged1d::SegmentValue;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::{
    caption_font, desc_font, draw_legend_row, label_font, si, small_font, time_scale, title_font,
    DrawResult, Figure, LegendEntry, Swatch,
};

/// Colour of compute time.
const COMPUTE: RGBColor = RGBColor(0x4E, 0x79, 0xA7);
/// Colour of stall time.
const STALL: RGBColor = RGBColor(0xF2, 0x8E, 0x2B);

/// The latency breakdown of one report.
pub(crate) struct Latency<'a> {
    report: &'a Report,
    kinds: &'a [String],
}

impl<'a> Latency<'a> {
    /// `kinds` fixes the row order (top to bottom).
    pub fn new(report: &'a Report, kinds: &'a [String]) -> Self {
        Latency { report, kinds }
    }

    fn panel<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        phase: &PhaseReport,
    ) -> DrawResult<DB> {
        let clock_hz = self.report.summary.clock_mhz * 1e6;
        let seconds = |cycles: u64| {
            if clock_hz > 0.0 {
                cycles as f64 / clock_hz
            } else {
                0.0
            }
        };
        // (compute s, stall s) per kind, in self.kinds order.
        let rows: Vec<(f64, f64)> = self
            .kinds
            .iter()
            .map(|kind| {
                self.report
                    .ops
                    .iter()
                    .filter(|o| o.phase == phase.phase && o.kind == *kind)
                    .fold((0.0, 0.0), |(c, s), o| {
                        (c + seconds(o.compute_cycles), s + seconds(o.stall_cycles))
                    })
            })
            .collect();
        let max_total = rows.iter().map(|(c, s)| c + s).fold(0.0, f64::max);
        let (scale, unit) = time_scale(max_total);
        let x_hi = if max_total > 0.0 {
            max_total / scale * 1.3
        } else {
            1.0
        };
        let n = self.kinds.len().max(1) as i32;
        let caption = match phase.phase.as_str() {
            "prefill" => format!("prefill: {} (TTFT)", si(phase.seconds, "s")),
            "decode" if phase.steps > 0 => format!(
                "decode: {} steps, {} ({} per step)",
                phase.steps,
                si(phase.seconds, "s"),
                si(phase.seconds / phase.steps as f64, "s")
            ),
            other => format!("{other}: {}", si(phase.seconds, "s")),
        };
        let kinds = self.kinds;
        let label = move |v: &SegmentValue<i32>| match v {
            SegmentValue::CenterOf(r) => {
                let k = (n - 1 - *r) as usize;
                kinds.get(k).cloned().unwrap_or_default()
            }
            _ => String::new(),
        };
        let mut chart = ChartBuilder::on(area)
            .caption(caption, caption_font())
            .margin(14)
            .x_label_area_size(55)
            .y_label_area_size(110)
            .build_cartesian_2d(0.0..x_hi, (0..n - 1).into_segmented())?;
        chart
            .configure_mesh()
            .disable_y_mesh()
            .y_labels(n as usize + 1)
            .y_label_formatter(&label)
            .x_label_formatter(&|v| super::tick(*v))
            .x_desc(format!("time ({unit})"))
            .axis_desc_style(desc_font())
            .label_style(label_font())
            .light_line_style(RGBColor(0xEE, 0xEE, 0xEE))
            .draw()?;
        let total_phase: f64 = rows.iter().map(|(c, s)| c + s).sum();
        for (k, &(compute, stall)) in rows.iter().enumerate() {
            let r = n - 1 - k as i32;
            let (c, s) = (compute / scale, stall / scale);
            let mut bar = Rectangle::new(
                [(0.0, SegmentValue::Exact(r)), (c, super::segment_end(r, n))],
                COMPUTE.filled(),
            );
            bar.set_margin(4, 4, 0, 0);
            let mut wait = Rectangle::new(
                [
                    (c, SegmentValue::Exact(r)),
                    (c + s, super::segment_end(r, n)),
                ],
                STALL.filled(),
            );
            wait.set_margin(4, 4, 0, 0);
            chart.draw_series([bar, wait])?;
            if compute + stall > 0.0 && total_phase > 0.0 {
                let pct = 100.0 * (compute + stall) / total_phase;
                let text = format!(" {} ({pct:.1}%)", si(compute + stall, "s"));
                chart.draw_series(std::iter::once(Text::new(
                    text,
                    (c + s, SegmentValue::CenterOf(r)),
                    small_font().pos(Pos::new(HPos::Left, VPos::Center)),
                )))?;
            }
        }
        Ok(())
    }
}

impl Figure for Latency<'_> {
    fn name(&self) -> String {
        "latency".to_string()
    }

    fn title(&self) -> String {
        format!(
            "Latency by op kind: {} on {}",
            self.report.inputs.model.name, self.report.inputs.arch.name
        )
    }

    fn size(&self) -> (u32, u32) {
        let rows = self.kinds.len() as u32;
        (1500, (260 + rows * 40).clamp(600, 1400))
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        let root = root.titled(&self.title(), title_font())?;
        let (_, h) = root.dim_in_pixel();
        let (body, legend) = root.split_vertically(h - 50);
        let phases: Vec<&PhaseReport> =
            self.report.phases.iter().filter(|p| p.cycles > 0).collect();
        if phases.is_empty() {
            body.draw(&Text::new("no phase ran", (40, 40), caption_font()))?;
        } else {
            let panels = body.split_evenly((1, phases.len()));
            for (panel, phase) in panels.iter().zip(&phases) {
                self.panel(panel, phase)?;
            }
        }
        draw_legend_row(
            &legend,
            &[
                LegendEntry::new("compute", Swatch::Box(COMPUTE)),
                LegendEntry::new("memory stall", Swatch::Box(STALL)),
            ],
        )
    }
}
