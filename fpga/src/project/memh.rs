//! `$readmemh` images (`.mem`): one memory word per line, hexadecimal, most significant digit
//! first, `ceil(width / 4)` digits, word 0 first (IEEE 1364-2005, 17.2.9 `$readmemh`; the
//! `.mem` files Vivado adds as memory initialization files, as FINN adds its weight files,
//! `create_stitched_ip.py`). The file opens with `//` comment lines (the standard allows
//! comments in the data file), which hold the provenance header.

/// The text of a `$readmemh` image of `width`-bit words (at most 64 bits), `header` lines
/// first as `//` comments. Bits of a word above `width` must be zero.
pub fn image(header: &[String], width: u32, words: &[u64]) -> String {
    assert!((1..=64).contains(&width), "word width {width}");
    let digits = width.div_ceil(4) as usize;
    let mut out = String::with_capacity(header.len() * 64 + words.len() * (digits + 1));
    for line in header {
        out.push_str("// ");
        out.push_str(line);
        out.push('\n');
    }
    for w in words {
        debug_assert!(
            width == 64 || w >> width == 0,
            "word {w:#x} wider than {width} bits"
        );
        out.push_str(&format!("{w:0digits$x}\n"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_word_per_line_fixed_width() {
        let text = image(&["lutforge".into()], 16, &[0x3c00, 0x1, 0xffff]);
        assert_eq!(text, "// lutforge\n3c00\n0001\nffff\n");
        assert_eq!(image(&[], 5, &[0x1f, 0x2]), "1f\n02\n");
    }
}
