//! Diagnostics shared by every stage: a code from the table in [`codes`], an *expected X,
//! found Y* message, spans, hints. Rendering with a caret under the query text lives here,
//! outside the stages that produce diagnostics.

pub mod codes;

use std::fmt::Write as _;

pub use codes::Code;

/// A byte range in the query text.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct Span {
    pub start: u32,
    pub end: u32,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Self {
        Span {
            start: start as u32,
            end: end.max(start) as u32,
        }
    }
    /// The smallest span covering both.
    pub fn to(self, other: Span) -> Span {
        Span {
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }
    pub fn range(self) -> std::ops::Range<usize> {
        self.start as usize..self.end as usize
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Severity {
    Error,
    Warning,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Diagnostic {
    pub code: Code,
    pub severity: Severity,
    pub message: String,
    /// The primary location; its label is `label`.
    pub span: Span,
    pub label: String,
    pub hints: Vec<String>,
}

impl Diagnostic {
    pub fn error(code: Code, span: Span, message: impl Into<String>) -> Self {
        Diagnostic {
            code,
            severity: Severity::Error,
            message: message.into(),
            span,
            label: String::new(),
            hints: Vec::new(),
        }
    }
    pub fn warning(code: Code, span: Span, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(code, span, message)
        }
    }
    pub fn with_label(mut self, label: impl Into<String>) -> Self {
        self.label = label.into();
        self
    }
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hints.push(hint.into());
        self
    }
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// Line and column (both 1-based, column in characters) of a byte offset.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text[..floor_char_boundary(text, offset)];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, before[line_start..].chars().count() + 1)
}

fn floor_char_boundary(text: &str, mut i: usize) -> usize {
    while i > 0 && !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// Renders diagnostics the way a compiler does, with the offending line and a caret line.
pub fn render(source: &str, diags: &[Diagnostic]) -> String {
    let mut out = String::new();
    for d in diags {
        let kind = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let _ = writeln!(out, "{kind}[{}]: {}", d.code, d.message);
        let start = floor_char_boundary(source, d.span.start as usize);
        let end = floor_char_boundary(source, (d.span.end as usize).max(start));
        let (line, col) = line_col(source, start);
        let _ = writeln!(out, "  --> line {line}, column {col}");
        let line_text = source.lines().nth(line - 1).unwrap_or("");
        let gutter = line.to_string().len();
        let _ = writeln!(out, "{:gutter$} |", "");
        let _ = writeln!(out, "{line} | {line_text}");
        // Caret width: the span's characters on this line, at least one.
        let line_start = source[..start].rfind('\n').map_or(0, |i| i + 1);
        let line_end = source[start..]
            .find('\n')
            .map_or(source.len(), |i| start + i);
        let width = source[start..floor_char_boundary(source, end.min(line_end).max(start))]
            .chars()
            .count()
            .max(1);
        let pad: String = source[line_start..start]
            .chars()
            .map(|c| if c == '\t' { '\t' } else { ' ' })
            .collect();
        let caret = format!("{:gutter$} | {pad}{} {}", "", "^".repeat(width), d.label);
        let _ = writeln!(out, "{}", caret.trim_end());
        for h in &d.hints {
            let _ = writeln!(out, "{:gutter$} = hint: {h}", "");
        }
    }
    out
}

/// Edit distance with adjacent swaps (optimal string alignment), case-insensitive, for "did you mean" suggestions.
/// A swap of two neighbours counts as one edit (`form` → `from`).
pub fn edit_distance(a: &str, b: &str) -> usize {
    strsim::osa_distance(&a.to_lowercase(), &b.to_lowercase())
}

/// The closest candidate within a distance that scales with the word's length.
pub fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let limit = (word.chars().count() / 3).clamp(1, 3);
    let candidates: Vec<&'a str> = candidates.into_iter().collect();
    let close = candidates
        .iter()
        .map(|c| (edit_distance(word, c), *c))
        .filter(|(d, c)| *d <= limit || c.eq_ignore_ascii_case(word))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c);
    // Abbreviations: `cnt` → `count`, `evtName` → `eventName` (same first letter, letters in order).
    close.or_else(|| {
        let w: Vec<char> = word.to_lowercase().chars().collect();
        candidates
            .iter()
            .copied()
            .filter(|c| {
                let c_low: Vec<char> = c.to_lowercase().chars().collect();
                w.len() >= 3 && c_low.first() == w.first() && c_low.len() <= w.len() + 4 && {
                    let mut it = c_low.iter();
                    w.iter().all(|ch| it.any(|x| x == ch))
                }
            })
            .min_by_key(|c| c.len())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_caret_under_span() {
        let q = "fetch logs\n| filtr x";
        let d = Diagnostic::error(Code::E301, Span::new(13, 18), "unknown command `filtr`")
            .with_label("not a command")
            .with_hint("did you mean `filter`?");
        let r = render(q, &[d]);
        assert!(r.contains("2 | | filtr x"), "{r}");
        assert!(r.contains("  |   ^^^^^ not a command"), "{r}");
        assert!(r.contains("did you mean `filter`?"));
    }

    #[test]
    fn suggestions() {
        for (w, cands, want) in [
            ("filtr", vec!["filter", "fields"], Some("filter")),
            (
                "eventNmae",
                vec!["eventName", "eventTime"],
                Some("eventName"),
            ),
            ("xyz", vec!["filter"], None),
            ("COUNT", vec!["count"], Some("count")),
        ] {
            assert_eq!(did_you_mean(w, cands), want, "{w}");
        }
    }
}
