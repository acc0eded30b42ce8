//! Energy breakdown of the whole run by component: DRAM, SRAM, table reads, adds,
//! multiplies and the vector unit, as bars in joules labelled with their share.

use lutforge_sim::Report;
use plotters::coord::ranged1d::SegmentValue;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::{
    caption_font, desc_font, label_font, palette, si, small_font, title_font, DrawResult, Figure,
};

/// The energy breakdown of one report.
pub(crate) struct Energy<'a> {
    report: &'a Report,
}

impl<'a> Energy<'a> {
    /// Wraps the report.
    pub fn new(report: &'a Report) -> Self {
        Energy { report }
    }

    /// (component, joules) in display order.
    pub fn components(report: &Report) -> [(&'static str, f64); 6] {
        let e = &report.energy;
        [
            ("DRAM", e.dram_j),
            ("SRAM", e.sram_j),
            ("table reads", e.table_j),
            ("adds", e.add_j),
            ("multiplies", e.multiply_j),
            ("vector unit", e.vector_j),
        ]
    }
}

impl Figure for Energy<'_> {
    fn name(&self) -> String {
        "energy".to_string()
    }

    fn title(&self) -> String {
        format!(
            "Energy by component: {} on {}",
            self.report.inputs.model.name, self.report.inputs.arch.name
        )
    }

    fn size(&self) -> (u32, u32) {
        (1200, 760)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        let root = root.titled(&self.title(), title_font())?;
        let parts = Self::components(self.report);
        let total: f64 = parts.iter().map(|p| p.1).sum();
        let max = parts.iter().map(|p| p.1).fold(0.0, f64::max);
        let y_hi = if max > 0.0 { max * 1.2 } else { 1.0 };
        let phases: Vec<String> = self
            .report
            .phases
            .iter()
            .map(|p| format!("{} {}", p.phase, si(p.energy_j, "J")))
            .collect();
        let caption = if phases.is_empty() {
            format!("whole run: {}", si(total, "J"))
        } else {
            format!("whole run: {} ({})", si(total, "J"), phases.join(", "))
        };
        let n = parts.len() as i32;
        let label = move |v: &SegmentValue<i32>| match v {
            SegmentValue::CenterOf(i) => parts
                .get(*i as usize)
                .map(|p| p.0.to_string())
                .unwrap_or_default(),
            _ => String::new(),
        };
        let mut chart = ChartBuilder::on(&root)
            .caption(caption, caption_font())
            .margin(20)
            .x_label_area_size(55)
            .y_label_area_size(90)
            .build_cartesian_2d((0..n - 1).into_segmented(), 0.0..y_hi)?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_labels(n as usize + 1)
            .x_label_formatter(&label)
            .y_label_formatter(&|v| super::tick(*v))
            .x_desc("component")
            .y_desc("energy (J)")
            .axis_desc_style(desc_font())
            .label_style(label_font())
            .light_line_style(RGBColor(0xEE, 0xEE, 0xEE))
            .draw()?;
        for (i, (_, joules)) in parts.iter().enumerate() {
            let i = i as i32;
            let mut bar = Rectangle::new(
                [
                    (SegmentValue::Exact(i), 0.0),
                    (super::segment_end(i, n), *joules),
                ],
                palette(i as usize).filled(),
            );
            bar.set_margin(0, 0, 18, 18);
            chart.draw_series(std::iter::once(bar))?;
            let pct = if total > 0.0 {
                100.0 * joules / total
            } else {
                0.0
            };
            chart.draw_series(std::iter::once(Text::new(
                format!("{} ({pct:.1}%)", si(*joules, "J")),
                (SegmentValue::CenterOf(i), *joules + y_hi * 0.01),
                small_font().pos(Pos::new(HPos::Center, VPos::Bottom)),
            )))?;
        }
        Ok(())
    }
}
