//! Helpers shared by the integration tests: fixtures, scratch folders, image and page checks.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

/// A fixture file under `tests/fixtures/`.
pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("fixtures")
        .join(name)
}

/// A fresh, empty scratch folder unique to this test and process.
pub fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("lutforge-reports-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Decodes a PNG and asserts it is big, non-blank and has real contrast: more than 5 kB, at
/// least 2% of pixels not white, and a grey-level standard deviation above 10.
pub fn assert_png_readable(path: &Path) {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert!(
        bytes.len() > 5_000,
        "{} is only {} bytes",
        path.display(),
        bytes.len()
    );
    let decoder = png::Decoder::new(std::io::Cursor::new(&bytes));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).unwrap();
    assert_eq!(info.color_type, png::ColorType::Rgb, "{}", path.display());
    assert!(
        info.width >= 600 && info.height >= 400,
        "{} is {}x{}",
        path.display(),
        info.width,
        info.height
    );
    let pixels = &buf[..info.buffer_size()];
    let greys: Vec<f64> = pixels
        .chunks(3)
        .map(|p| (f64::from(p[0]) + f64::from(p[1]) + f64::from(p[2])) / 3.0)
        .collect();
    let n = greys.len() as f64;
    let mean = greys.iter().sum::<f64>() / n;
    let var = greys.iter().map(|g| (g - mean).powi(2)).sum::<f64>() / n;
    let inked = greys.iter().filter(|&&g| g < 250.0).count() as f64 / n;
    assert!(
        var.sqrt() > 10.0,
        "{}: grey-level std dev {:.1} (blank?)",
        path.display(),
        var.sqrt()
    );
    assert!(
        inked > 0.02,
        "{}: only {:.2}% of pixels drawn",
        path.display(),
        inked * 100.0
    );
}

/// Asserts an SVG document looks like SVG, is closed and contains `text` (XML-escaped).
pub fn assert_svg_contains(path: &Path, text: &str) {
    let svg = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert!(
        svg.contains("<svg") && svg.trim_end().ends_with("</svg>"),
        "{} is not an SVG document",
        path.display()
    );
    assert_eq!(
        svg.matches("<text").count(),
        svg.matches("</text>").count(),
        "{}: unbalanced <text>",
        path.display()
    );
    let escaped = text
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;");
    assert!(
        svg.contains(&escaped),
        "{} does not contain {text:?}",
        path.display()
    );
}

/// Values of `attr="..."` in `html`, for every occurrence.
pub fn attribute_values(html: &str, attr: &str) -> Vec<String> {
    let needle = format!("{attr}=\"");
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(at) = rest.find(&needle) {
        rest = &rest[at + needle.len()..];
        if let Some(end) = rest.find('"') {
            out.push(rest[..end].to_string());
            rest = &rest[end..];
        }
    }
    out
}

/// Checks `index.html` in `dir`: a complete document with balanced tables and figures, and
/// every `<img src>`, `<object data>` and local `href` pointing at an existing file. Returns
/// the image sources.
pub fn check_index(dir: &Path) -> Vec<String> {
    let html = std::fs::read_to_string(dir.join("index.html")).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>") && html.trim_end().ends_with("</html>"));
    for tag in ["table", "figure", "tr", "ul", "body", "head"] {
        let open =
            html.matches(&format!("<{tag}>")).count() + html.matches(&format!("<{tag} ")).count();
        let close = html.matches(&format!("</{tag}>")).count();
        assert_eq!(
            open, close,
            "index.html: {open} <{tag}> but {close} </{tag}>"
        );
    }
    let imgs = attribute_values(&html, "src");
    let mut refs = imgs.clone();
    refs.extend(attribute_values(&html, "data"));
    refs.extend(
        attribute_values(&html, "href")
            .into_iter()
            .filter(|h| !h.starts_with('#') && !h.contains("://")),
    );
    for r in &refs {
        assert!(!r.starts_with('/'), "index.html: absolute path {r}");
        assert!(dir.join(r).is_file(), "index.html references missing {r}");
    }
    imgs
}
