//! Text for a terminal. Log values are chosen by whoever made the calls (`userAgent` is the
//! caller's choice) and file names by whoever made the export, so everything the CLI prints is
//! escaped the way `ls` and `git` do it: control characters (C0, DEL, C1: the ESC of colour,
//! cursor and OSC title sequences) and the invisible characters that reorder or hide text
//! (bidi overrides and isolates, zero-width characters, the BOM) are shown as `\x1b` or
//! `\u{202e}`, never sent to the terminal.

use std::borrow::Cow;

/// True for characters that must not reach a terminal as they are.
pub fn is_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061c}'
                | '\u{200b}'..='\u{200f}'
                | '\u{202a}'..='\u{202e}'
                | '\u{2060}'..='\u{2064}'
                | '\u{2066}'..='\u{2069}'
                | '\u{feff}'
        )
}

/// `s` with every unsafe character escaped; line breaks are kept when `keep_newlines` (a
/// multi-line report), else escaped too (a table cell).
pub fn escape(s: &str, keep_newlines: bool) -> Cow<'_, str> {
    let unsafe_here = |c: char| is_unsafe(c) && !(keep_newlines && c == '\n');
    if !s.chars().any(unsafe_here) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if !unsafe_here(c) {
            out.push(c);
        } else if (c as u32) < 0x80 {
            out.push_str(&format!("\\x{:02x}", c as u32));
        } else {
            out.push_str(&format!("\\u{{{:04x}}}", c as u32));
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_what_terminals_would_run_or_hide() {
        for (input, want) in [
            ("plain text, é 😀", "plain text, é 😀"),
            ("\u{1b}[31mred\u{1b}[0m", "\\x1b[31mred\\x1b[0m"),
            ("\u{1b}]0;title\u{7}", "\\x1b]0;title\\x07"),
            ("a\u{9b}2Jb", "a\\u{009b}2Jb"),
            ("user\u{202e}gnp.exe", "user\\u{202e}gnp.exe"),
            ("zero\u{200b}width", "zero\\u{200b}width"),
            ("tab\there", "tab\\x09here"),
            ("del\u{7f}", "del\\x7f"),
        ] {
            assert_eq!(escape(input, false), want, "{input:?}");
        }
        assert_eq!(escape("two\nlines\r", true), "two\nlines\\x0d");
        assert_eq!(escape("two\nlines", false), "two\\x0alines");
    }
}
