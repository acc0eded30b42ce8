//! What user strings may become in a generated project: identifiers, file names and TCL words.
//!
//! Every name that comes from a user (an architecture's `name`, a model's name or path) and
//! reaches a TCL script, an XDC file or Verilog passes through [`identifier`] first: the result
//! matches `[A-Za-z_][A-Za-z0-9_]*` and so cannot end a TCL word, open a command substitution
//! (`[`), expand a variable (`$`), start a comment or a new command (`#`, `;`, a newline) or
//! escape anything (`\`). Values are then placed in TCL through [`tcl_word`], which
//! backslash-escapes anything outside a conservative set, so even a value that skipped
//! [`identifier`] is one literal word: no TCL text is built by unescaped interpolation.
//! File names a generator hands over (the RTL bundle's) are checked by [`is_file_name`] and
//! refused, not rewritten, since the files refer to each other by those names.

/// `text` as an identifier `[A-Za-z_][A-Za-z0-9_]*`: every other character becomes `_`, a
/// leading digit gets a `_` in front, and an empty result is `_`. Lower case is kept: Verilog
/// and TCL are case-sensitive, and the mapping must not merge names the user told apart more
/// than it has to. The same text always gives the same identifier.
pub fn identifier(text: &str) -> String {
    let mut out: String = text
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    if !out.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_') {
        out.insert(0, '_');
    }
    out
}

/// Whether `text` is an identifier (`[A-Za-z_][A-Za-z0-9_]*`).
pub fn is_identifier(text: &str) -> bool {
    let mut chars = text.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Whether `name` is a plain file name a project may refer to: `[A-Za-z0-9_][A-Za-z0-9_.-]*`,
/// no directory part, no `..`.
pub fn is_file_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
        && !name.contains("..")
}

/// `value` as one literal TCL word: characters outside `[A-Za-z0-9_./:+=%-]` are
/// backslash-escaped (a newline as `\n`, other control characters as `\xHH`), so the word
/// substitutes nothing and ends nowhere but where it ends. The empty string is `{}`.
pub fn tcl_word(value: &str) -> String {
    if value.is_empty() {
        return "{}".to_string();
    }
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            c if c.is_ascii_alphanumeric() => out.push(c),
            '_' | '.' | '/' | ':' | '+' | '=' | '%' | '-' => out.push(c),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if c.is_ascii_control() => out.push_str(&format!("\\x{:02x}", c as u32)),
            c if c.is_ascii() => {
                out.push('\\');
                out.push(c);
            }
            // Non-ASCII: TCL's \uHHHH escape (BMP) or \UHHHHHHHH, never the raw character.
            c if (c as u32) <= 0xffff => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push_str(&format!("\\U{:08x}", c as u32)),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_names_become_identifiers() {
        for (text, want) in [
            ("fpga-kv260-tellme", "fpga_kv260_tellme"),
            ("\"; exec rm -rf /; #", "___exec_rm__rf_____"),
            ("a[exec ls]b", "a_exec_ls_b"),
            ("$env(HOME)", "_env_HOME_"),
            ("9lives", "_9lives"),
            ("", "_"),
            ("ünïcode\nline", "_n_code_line"),
        ] {
            let got = identifier(text);
            assert_eq!(got, want, "{text:?}");
            assert!(is_identifier(&got), "{got}");
        }
        assert!(!is_identifier("a-b") && !is_identifier("1a") && !is_identifier(""));
    }

    #[test]
    fn tcl_words_substitute_nothing() {
        assert_eq!(tcl_word("xck26-sfvc784-2LV-c"), "xck26-sfvc784-2LV-c");
        assert_eq!(tcl_word("rtl/top.v"), "rtl/top.v");
        assert_eq!(
            tcl_word("\"; exec rm -rf /; #"),
            "\\\"\\;\\ exec\\ rm\\ -rf\\ /\\;\\ \\#"
        );
        assert_eq!(tcl_word("a[b]$c{d}\\"), "a\\[b\\]\\$c\\{d\\}\\\\");
        assert_eq!(tcl_word("x\ny"), "x\\ny");
        assert_eq!(tcl_word(""), "{}");
        // Nothing TCL would act on survives unescaped.
        let w = tcl_word("[exec rm -rf /]");
        for (i, c) in w.char_indices() {
            if "[]$;\"{} #\\".contains(c) && c != '\\' {
                assert_eq!(&w[i - 1..i], "\\", "{w}");
            }
        }
    }

    #[test]
    fn file_names() {
        assert!(is_file_name("lut_tc_top.v") && is_file_name("files.f"));
        assert!(!is_file_name("../x.v") && !is_file_name("a/b.v") && !is_file_name(".hidden"));
        assert!(!is_file_name("a b.v") && !is_file_name("a;b.v") && !is_file_name(""));
    }
}
