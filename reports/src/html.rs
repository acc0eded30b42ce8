//! The `index.html` page: a self-contained document (inline CSS, no scripts) that shows every
//! plot (PNG, linked to its SVG) with tables of the configuration and key numbers. Paths are
//! relative, so the output folder can be moved or served as is. No timestamps: the same input
//! gives the same bytes.

use std::fmt::Write as _;

/// Escapes text for HTML element content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const STYLE: &str = "body{font-family:sans-serif;margin:2em auto;max-width:1320px;padding:0 1em;color:#222}\
h1{font-size:1.6em}h2{font-size:1.25em;margin-top:1.6em;border-bottom:1px solid #ccc}\
table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccc;padding:.25em .6em;text-align:left}\
th{background:#f3f3f3}td.num{text-align:right;font-variant-numeric:tabular-nums}\
figure{margin:1em 0}figure img{max-width:100%;height:auto;border:1px solid #ddd}\
figcaption{color:#555;font-size:.9em}.note{color:#555}";

/// An HTML page under construction.
#[derive(Debug, Default)]
pub struct Page {
    body: String,
}

/// A table cell: text, or a number aligned right.
#[derive(Debug, Clone)]
pub enum Cell {
    /// Left-aligned text.
    Text(String),
    /// Right-aligned number (already formatted).
    Num(String),
}

impl From<&str> for Cell {
    fn from(s: &str) -> Self {
        Cell::Text(s.to_string())
    }
}

impl From<String> for Cell {
    fn from(s: String) -> Self {
        Cell::Text(s)
    }
}

impl Page {
    /// An empty page.
    pub fn new() -> Self {
        Page::default()
    }

    /// A heading (`level` 1 to 3).
    pub fn heading(&mut self, level: u8, text: &str) {
        let level = level.clamp(1, 3);
        let _ = writeln!(self.body, "<h{level}>{}</h{level}>", escape(text));
    }

    /// A paragraph of plain text.
    pub fn para(&mut self, text: &str) {
        let _ = writeln!(self.body, "<p>{}</p>", escape(text));
    }

    /// A paragraph in the muted note style.
    pub fn note(&mut self, text: &str) {
        let _ = writeln!(self.body, "<p class=\"note\">{}</p>", escape(text));
    }

    /// A bulleted list.
    pub fn list(&mut self, items: &[String]) {
        self.body.push_str("<ul>\n");
        for item in items {
            let _ = writeln!(self.body, "<li>{}</li>", escape(item));
        }
        self.body.push_str("</ul>\n");
    }

    /// A table with a header row.
    pub fn table(&mut self, header: &[&str], rows: &[Vec<Cell>]) {
        self.body.push_str("<table>\n<tr>");
        for h in header {
            let _ = write!(self.body, "<th>{}</th>", escape(h));
        }
        self.body.push_str("</tr>\n");
        for row in rows {
            self.body.push_str("<tr>");
            for cell in row {
                match cell {
                    Cell::Text(t) => {
                        let _ = write!(self.body, "<td>{}</td>", escape(t));
                    }
                    Cell::Num(t) => {
                        let _ = write!(self.body, "<td class=\"num\">{}</td>", escape(t));
                    }
                }
            }
            self.body.push_str("</tr>\n");
        }
        self.body.push_str("</table>\n");
    }

    /// A figure: the PNG, linked to the SVG, with a caption.
    pub fn figure(&mut self, stem: &str, title: &str, caption: &str) {
        let (stem, title) = (escape(stem), escape(title));
        let _ = writeln!(
            self.body,
            "<figure id=\"{stem}\"><a href=\"{stem}.svg\"><img src=\"{stem}.png\" alt=\"{title}\"></a>\
             <figcaption>{} (<a href=\"{stem}.svg\">SVG</a>)</figcaption></figure>",
            escape(caption)
        );
    }

    /// The finished document.
    pub fn finish(&self, title: &str) -> String {
        format!(
            "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n{}</body>\n</html>\n",
            escape(title),
            self.body
        )
    }
}

#[cfg(test)]
mod tests {
    use super::{escape, Page};

    #[test]
    fn escapes_and_links() {
        assert_eq!(escape("a<b & \"c\""), "a&lt;b &amp; &quot;c&quot;");
        let mut page = Page::new();
        page.figure("roofline", "R", "cap");
        let html = page.finish("t");
        assert!(html.contains("<img src=\"roofline.png\""));
        assert!(html.contains("href=\"roofline.svg\""));
    }
}
