//! Aligned plain-text tables for listing commands (`models`, `fpga devices`): one header row,
//! columns two spaces apart, each column left- or right-aligned.

/// `header` and `rows` as aligned text, one line each; `right(i)` says whether column `i` is
/// right-aligned (counts) rather than left-aligned (text). Trailing spaces are trimmed.
pub fn render<const N: usize>(
    header: [&str; N],
    rows: &[[String; N]],
    right: impl Fn(usize) -> bool,
) -> String {
    let mut widths = header.map(str::len);
    for row in rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.len());
        }
    }
    let mut out = String::new();
    let mut push_line = |cells: &[&str]| {
        let line: Vec<String> = cells
            .iter()
            .zip(widths)
            .enumerate()
            .map(|(i, (cell, width))| {
                if right(i) {
                    format!("{cell:>width$}")
                } else {
                    format!("{cell:<width$}")
                }
            })
            .collect();
        out.push_str(line.join("  ").trim_end());
        out.push('\n');
    };
    push_line(&header);
    for row in rows {
        let cells: Vec<&str> = row.iter().map(String::as_str).collect();
        push_line(&cells);
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn aligns_text_left_and_counts_right() {
        let rows = [
            ["a".to_string(), "1".to_string()],
            ["bbb".to_string(), "22".to_string()],
        ];
        let text = super::render(["NAME", "N"], &rows, |i| i == 1);
        assert_eq!(text, "NAME   N\na      1\nbbb   22\n");
    }
}
