//! Plot plumbing shared by every figure: the embedded font, rendering one figure to both SVG
//! and PNG (in memory, so the caller writes each file atomically), colours, legends and
//! number formatting.
//!
//! Each figure implements [`Figure`] once, generically over the plotters backend, and
//! [`render`] draws it twice. Text in PNGs uses DejaVu Sans, embedded in the binary
//! (`reports/assets/`), through plotters' `ab_glyph` feature: no system font or fontconfig is
//! needed. SVG text names the `sans-serif` family and is laid out with the same metrics.

pub mod energy;
mod glyph;
pub mod latency;
pub mod pareto;
pub mod roofline;
pub mod sensitivity;

use std::sync::OnceLock;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::error::ReportError;

/// DejaVu Sans (Bitstream Vera licence, see `reports/assets/DejaVuSans-LICENSE.txt`).
static FONT: &[u8] = include_bytes!("../../assets/DejaVuSans.ttf");

/// The font family every figure uses; registered under this name.
pub(crate) const FAMILY: &str = "sans-serif";

/// Runs `$body` with `$x` and `$y` bound to plotters axis specs for two
/// [`pareto::Scale`]s, plain or logarithmic: four expansions, because the coordinate types
/// differ. Values stay in their own units either way.
macro_rules! with_scales {
    ($sx:expr, $sy:expr, |$x:ident, $y:ident| $body:block) => {{
        let (sx, sy) = (&$sx, &$sy);
        match (sx.log, sy.log) {
            (false, false) => {
                let ($x, $y) = (sx.lo..sx.hi, sy.lo..sy.hi);
                $body
            }
            (true, false) => {
                let ($x, $y) = ((sx.lo..sx.hi).log_scale(), sy.lo..sy.hi);
                $body
            }
            (false, true) => {
                let ($x, $y) = (sx.lo..sx.hi, (sy.lo..sy.hi).log_scale());
                $body
            }
            (true, true) => {
                let ($x, $y) = ((sx.lo..sx.hi).log_scale(), (sy.lo..sy.hi).log_scale());
                $body
            }
        }
    }};
}
pub(crate) use with_scales;

/// The result type of drawing on a backend.
pub(crate) type DrawResult<DB> =
    Result<(), DrawingAreaErrorKind<<DB as DrawingBackend>::ErrorType>>;

/// One figure, drawable on any backend.
pub(crate) trait Figure {
    /// File stem, e.g. `roofline` (writes `roofline.svg` and `roofline.png`).
    fn name(&self) -> String;
    /// Title, also used as the image's alt text.
    fn title(&self) -> String;
    /// Pixel size.
    fn size(&self) -> (u32, u32) {
        (1280, 800)
    }
    /// Draws the whole figure on `root` (already filled white).
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<DB>;
}

/// A figure rendered in both formats.
#[derive(Debug, Clone)]
pub struct Rendered {
    /// File stem.
    pub name: String,
    /// Title (alt text).
    pub title: String,
    /// SVG document.
    pub svg: String,
    /// PNG file bytes.
    pub png: Vec<u8>,
}

fn ensure_font() -> Result<(), ReportError> {
    static REGISTERED: OnceLock<bool> = OnceLock::new();
    let ok = *REGISTERED
        .get_or_init(|| plotters::style::register_font(FAMILY, FontStyle::Normal, FONT).is_ok());
    if ok {
        Ok(())
    } else {
        Err(ReportError::Font)
    }
}

/// Draws `figure` as SVG and as PNG, in memory.
pub(crate) fn render<F: Figure>(figure: &F) -> Result<Rendered, ReportError> {
    ensure_font()?;
    let name = figure.name();
    let draw_err = |e: &dyn std::fmt::Display| ReportError::Draw {
        plot: name.clone(),
        message: e.to_string(),
    };
    let (w, h) = figure.size();
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (w, h)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| draw_err(&e))?;
        figure.draw(&root).map_err(|e| draw_err(&e))?;
        root.present().map_err(|e| draw_err(&e))?;
    }
    let mut pixels = vec![255u8; w as usize * h as usize * 3];
    {
        let font = ab_glyph::FontRef::try_from_slice(FONT).map_err(|_| ReportError::Font)?;
        let backend =
            glyph::GlyphBitmap::new(BitMapBackend::with_buffer(&mut pixels, (w, h)), font);
        let root = backend.into_drawing_area();
        root.fill(&WHITE).map_err(|e| draw_err(&e))?;
        figure.draw(&root).map_err(|e| draw_err(&e))?;
        root.present().map_err(|e| draw_err(&e))?;
    }
    let png = encode_png(&pixels, w, h).map_err(|cause| ReportError::Png {
        plot: name.clone(),
        cause,
    })?;
    Ok(Rendered {
        name,
        title: figure.title(),
        svg,
        png,
    })
}

fn encode_png(rgb: &[u8], w: u32, h: u32) -> Result<Vec<u8>, png::EncodingError> {
    let mut out = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut out, w, h);
        encoder.set_color(png::ColorType::Rgb);
        encoder.set_depth(png::BitDepth::Eight);
        let mut writer = encoder.write_header()?;
        writer.write_image_data(rgb)?;
        writer.finish()?;
    }
    Ok(out)
}

/// Qualitative palette (Tableau 10 and six more), for op kinds and categorical axes.
pub(crate) const PALETTE: [RGBColor; 16] = [
    RGBColor(0x4E, 0x79, 0xA7),
    RGBColor(0xF2, 0x8E, 0x2B),
    RGBColor(0xE1, 0x57, 0x59),
    RGBColor(0x76, 0xB7, 0xB2),
    RGBColor(0x59, 0xA1, 0x4F),
    RGBColor(0xED, 0xC9, 0x48),
    RGBColor(0xB0, 0x7A, 0xA1),
    RGBColor(0xFF, 0x9D, 0xA7),
    RGBColor(0x9C, 0x75, 0x5F),
    RGBColor(0x79, 0x70, 0x6E),
    RGBColor(0x49, 0x98, 0x94),
    RGBColor(0xD4, 0xA6, 0xC8),
    RGBColor(0x2F, 0x4B, 0x7C),
    RGBColor(0xA0, 0x51, 0x95),
    RGBColor(0x66, 0xA6, 0x1E),
    RGBColor(0xE6, 0xAB, 0x02),
];

/// Colour `i` of [`PALETTE`], cycling.
pub(crate) fn palette(i: usize) -> RGBColor {
    PALETTE[i % PALETTE.len()]
}

/// Dark grey for roofs, fronts and text accents.
pub(crate) const INK: RGBColor = RGBColor(0x22, 0x22, 0x22);

/// Font of figure titles.
pub(crate) fn title_font() -> TextStyle<'static> {
    (FAMILY, 28).into_font().color(&BLACK)
}

/// Font of panel captions.
pub(crate) fn caption_font() -> TextStyle<'static> {
    (FAMILY, 22).into_font().color(&BLACK)
}

/// Font of axis descriptions.
pub(crate) fn desc_font() -> TextStyle<'static> {
    (FAMILY, 19).into_font().color(&BLACK)
}

/// Font of tick labels.
pub(crate) fn label_font() -> TextStyle<'static> {
    (FAMILY, 15).into_font().color(&BLACK)
}

/// Font of legend entries and annotations.
pub(crate) fn small_font() -> TextStyle<'static> {
    (FAMILY, 16).into_font().color(&BLACK)
}

/// How a legend entry is drawn.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Swatch {
    /// A filled circle.
    Circle(RGBColor),
    /// A filled triangle.
    Triangle(RGBColor),
    /// A circle outline (highlight ring).
    Ring(RGBColor),
    /// A solid line.
    Line(RGBColor),
    /// A dashed line.
    Dashed(RGBColor),
    /// A filled box (bars).
    Box(RGBColor),
}

/// One legend row.
#[derive(Debug, Clone)]
pub(crate) struct LegendEntry {
    /// Text.
    pub label: String,
    /// Symbol.
    pub swatch: Swatch,
}

impl LegendEntry {
    /// Shorthand constructor.
    pub fn new(label: impl Into<String>, swatch: Swatch) -> Self {
        LegendEntry {
            label: label.into(),
            swatch,
        }
    }
}

/// Draws a legend (optional heading, then one row per entry) at the top left of `area`, in
/// pixels, inside a light frame. Rows that do not fit are summarised as "... N more".
pub(crate) fn draw_legend<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    heading: Option<&str>,
    entries: &[LegendEntry],
) -> DrawResult<DB> {
    let (w, h) = area.dim_in_pixel();
    let row = 26i32;
    let x0 = 8i32;
    let mut y = 16i32;
    let rows_fit = ((h as i32 - 30) / row).max(1) as usize;
    let heading_lines: Vec<&str> = heading.map(|h| h.lines().collect()).unwrap_or_default();
    let heading_rows = heading_lines.len();
    let mut shown: Vec<&LegendEntry> = entries.iter().collect();
    let mut more = 0;
    if shown.len() + heading_rows > rows_fit {
        let keep = rows_fit.saturating_sub(heading_rows + 1);
        more = shown.len() - keep;
        shown.truncate(keep);
    }
    let total_rows = shown.len() + heading_rows + usize::from(more > 0);
    let frame_h = total_rows as i32 * row + 10;
    area.draw(&Rectangle::new(
        [(2, 2), (w as i32 - 4, frame_h.min(h as i32 - 2))],
        ShapeStyle::from(&RGBColor(0xBB, 0xBB, 0xBB)).stroke_width(1),
    ))?;
    let text = small_font().pos(Pos::new(HPos::Left, VPos::Center));
    for line in heading_lines {
        area.draw(&Text::new(line.to_string(), (x0, y), text.clone()))?;
        y += row;
    }
    for entry in shown {
        draw_swatch(area, entry.swatch, (x0 + 14, y))?;
        area.draw(&Text::new(entry.label.clone(), (x0 + 36, y), text.clone()))?;
        y += row;
    }
    if more > 0 {
        area.draw(&Text::new(format!("... {more} more"), (x0 + 36, y), text))?;
    }
    Ok(())
}

/// The upper edge of category `i` of `n` on a `(0..n - 1).into_segmented()` axis (plotters'
/// integer ranges are inclusive, and the edge after the last category is `Last`).
pub(crate) fn segment_end(i: i32, n: i32) -> plotters::coord::ranged1d::SegmentValue<i32> {
    use plotters::coord::ranged1d::SegmentValue;
    if i + 1 >= n {
        SegmentValue::Last
    } else {
        SegmentValue::Exact(i + 1)
    }
}

/// Draws legend entries in one row, centred in `area`.
pub(crate) fn draw_legend_row<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    entries: &[LegendEntry],
) -> DrawResult<DB> {
    let (w, h) = area.dim_in_pixel();
    let cy = h as i32 / 2;
    let item = 220i32;
    let total = item * entries.len() as i32;
    let mut x = (w as i32 - total).max(0) / 2;
    let text = small_font().pos(Pos::new(HPos::Left, VPos::Center));
    for entry in entries {
        let cx = x + 14;
        draw_swatch(area, entry.swatch, (cx, cy))?;
        area.draw(&Text::new(entry.label.clone(), (x + 36, cy), text.clone()))?;
        x += item;
    }
    Ok(())
}

fn draw_swatch<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    swatch: Swatch,
    (cx, cy): (i32, i32),
) -> DrawResult<DB> {
    match swatch {
        Swatch::Circle(c) => area.draw(&Circle::new((cx, cy), 6, c.filled())),
        Swatch::Triangle(c) => area.draw(&TriangleMarker::new((cx, cy), 8, c.filled())),
        Swatch::Ring(c) => area.draw(&Circle::new((cx, cy), 8, c.stroke_width(2))),
        Swatch::Line(c) => area.draw(&PathElement::new(
            vec![(cx - 14, cy), (cx + 14, cy)],
            c.stroke_width(3),
        )),
        Swatch::Dashed(c) => {
            for s in 0..3 {
                let a = cx - 14 + s * 11;
                area.draw(&PathElement::new(
                    vec![(a, cy), (a + 6, cy)],
                    c.stroke_width(2),
                ))?;
            }
            Ok(())
        }
        Swatch::Box(c) => area.draw(&Rectangle::new(
            [(cx - 10, cy - 8), (cx + 10, cy + 8)],
            c.filled(),
        )),
    }
}

/// `v` with an SI prefix and at most three significant digits, e.g. `4.1 T`, `256 G`, `12 m`.
/// With a unit: `si(0.0137, "s")` is `13.7 ms`.
pub(crate) fn si(v: f64, unit: &str) -> String {
    const PREFIXES: [&str; 11] = ["f", "p", "n", "µ", "m", "", "k", "M", "G", "T", "P"];
    if !v.is_finite() {
        return format!("{v} {unit}").trim_end().to_string();
    }
    if v == 0.0 {
        return format!("0 {unit}").trim_end().to_string();
    }
    let exp3 = ((v.abs().log10() / 3.0).floor() as i32).clamp(-5, 5);
    let mut scaled = v / 1000f64.powi(exp3);
    let mut exp3 = exp3;
    // Rounding to 3 digits can carry into the next prefix (999.7 -> 1000).
    if round3(scaled).abs() >= 1000.0 && exp3 < 5 {
        exp3 += 1;
        scaled /= 1000.0;
    }
    let prefix = PREFIXES[(exp3 + 5) as usize];
    format!("{} {prefix}{unit}", trim_number(&fmt3(scaled)))
        .trim_end()
        .to_string()
}

fn round3(v: f64) -> f64 {
    fmt3(v).parse().unwrap_or(v)
}

fn fmt3(v: f64) -> String {
    let a = v.abs();
    if a >= 100.0 {
        format!("{v:.0}")
    } else if a >= 10.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.2}")
    }
}

pub(crate) fn trim_number(s: &str) -> String {
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s.to_string()
    }
}

/// A time scale for axes: the divisor from seconds and its unit name, chosen from the largest
/// value so that tick labels stay short.
pub(crate) fn time_scale(max_s: f64) -> (f64, &'static str) {
    if max_s >= 1.0 {
        (1.0, "s")
    } else if max_s >= 1e-3 {
        (1e-3, "ms")
    } else if max_s >= 1e-6 {
        (1e-6, "µs")
    } else {
        (1e-9, "ns")
    }
}

/// `v` with `digits` significant digits, trailing zeros trimmed (tables: distinguishes close
/// values that tick labels round together).
pub(crate) fn sig(v: f64, digits: i32) -> String {
    if v == 0.0 || !v.is_finite() {
        return format!("{v}");
    }
    let decimals = (digits - 1 - v.abs().log10().floor() as i32).clamp(0, 15) as usize;
    trim_number(&format!("{v:.decimals$}"))
}

/// Short tick label for a plain number: up to 3 significant digits, SI prefix for large or
/// small magnitudes.
pub(crate) fn tick(v: f64) -> String {
    if v == 0.0 || (v.abs() >= 0.01 && v.abs() < 1000.0) {
        let s = if v.abs() >= 100.0 {
            format!("{v:.0}")
        } else if v.abs() >= 1.0 {
            format!("{v:.2}")
        } else {
            format!("{v:.3}")
        };
        trim_number(&s)
    } else {
        si(v, "")
    }
}

#[cfg(test)]
mod tests {
    use super::{si, tick};

    #[test]
    fn si_prefixes() {
        assert_eq!(si(0.0137, "s"), "13.7 ms");
        assert_eq!(si(256e9, "B/s"), "256 GB/s");
        assert_eq!(si(4.096e12, "FLOP/s"), "4.1 TFLOP/s");
        assert_eq!(si(999.7, "J"), "1 kJ");
        assert_eq!(si(0.0, "J"), "0 J");
        assert_eq!(si(1.0, ""), "1");
        assert_eq!(tick(2.5), "2.5");
        assert_eq!(tick(1e12), "1 T");
        assert_eq!(super::sig(0.0608123, 4), "0.06081");
        assert_eq!(super::sig(1089.44, 4), "1089");
        assert_eq!(super::sig(2.5, 4), "2.5");
    }
}
