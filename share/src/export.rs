//! Result exports: CSV, JSON and a Markdown table of a query result, in the order the page shows
//! its rows. The worker writes them (it holds the whole result) and hands the page the bytes.
//!
//! - **CSV**: the engine's one CSV writer, [`Table::write_csv`], the same as the CLI's
//!   `--format csv` (RFC 4180; text a spreadsheet would run as a formula, `=` `+` `-` `@` TAB or
//!   CR first, gets a leading `'`; numbers stay numbers).
//! - **JSON**: one array of objects (keys in column order), one object per line; timestamps are
//!   RFC 3339 UTC, durations integer nanoseconds, as in the CLI's `--format json`.
//! - **Markdown**: a GitHub table of at most [`MARKDOWN_MAX_ROWS`] rows, with a note under it
//!   when rows were left out. Cell text is escaped so that a value can neither break the table
//!   (`|`, line breaks) nor turn into markup or HTML when the table is rendered.

use std::io::Write;

use trailscope_engine::{Table, Value};

/// Rows a Markdown table holds at most; a note under it says how many were left out.
pub const MARKDOWN_MAX_ROWS: usize = 1_000;

/// The export formats, with their file extension and MIME type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Csv,
    Json,
    Markdown,
}

impl Format {
    pub fn parse(s: &str) -> Option<Format> {
        match s {
            "csv" => Some(Format::Csv),
            "json" => Some(Format::Json),
            "markdown" => Some(Format::Markdown),
            _ => None,
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Json => "json",
            Format::Markdown => "md",
        }
    }

    pub fn mime(self) -> &'static str {
        match self {
            Format::Csv => "text/csv;charset=utf-8",
            Format::Json => "application/json",
            Format::Markdown => "text/markdown;charset=utf-8",
        }
    }
}

/// Writes rows `order` of `table` in `format`.
pub fn write(
    table: &Table,
    order: impl Iterator<Item = usize>,
    format: Format,
    out: &mut impl Write,
) -> std::io::Result<()> {
    match format {
        Format::Csv => table.write_csv(order, out),
        Format::Json => write_json(table, order, out),
        Format::Markdown => out.write_all(markdown(table, order).as_bytes()),
    }
}

pub fn write_json(
    table: &Table,
    order: impl Iterator<Item = usize>,
    out: &mut impl Write,
) -> std::io::Result<()> {
    out.write_all(b"[")?;
    let mut first = true;
    for r in order {
        out.write_all(if first { b"\n" } else { b",\n" })?;
        first = false;
        out.write_all(table.row_json(r).as_bytes())?;
    }
    out.write_all(b"\n]\n")
}

/// Cell text that stays inside its Markdown table cell and renders as the text it is.
pub fn markdown_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut last_was_break = false;
    for c in s.chars() {
        match c {
            '\r' | '\n' => {
                // A line break would end the table row: one space for each run of them.
                if !last_was_break {
                    out.push(' ');
                }
                last_was_break = true;
                continue;
            }
            '|' | '\\' | '`' | '*' | '_' | '[' | ']' | '#' | '~' | '!' => {
                out.push('\\');
                out.push(c);
            }
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
        last_was_break = false;
    }
    out
}

/// A Markdown table of (at most [`MARKDOWN_MAX_ROWS`] of) the rows in `order`.
pub fn markdown(table: &Table, order: impl Iterator<Item = usize>) -> String {
    let mut s = String::new();
    let row = |s: &mut String, cells: Vec<String>| {
        s.push('|');
        for c in cells {
            s.push(' ');
            s.push_str(&c);
            s.push_str(" |");
        }
        s.push('\n');
    };
    row(
        &mut s,
        table.columns.iter().map(|c| markdown_text(c)).collect(),
    );
    row(&mut s, vec!["---".to_string(); table.num_columns()]);
    let mut total = 0usize;
    for r in order {
        total += 1;
        if total > MARKDOWN_MAX_ROWS {
            continue;
        }
        let cells = (0..table.num_columns())
            .map(|c| match table.cell(c, r) {
                Value::Null => String::new(),
                v => markdown_text(&v.display()),
            })
            .collect();
        row(&mut s, cells);
    }
    if total > MARKDOWN_MAX_ROWS {
        s.push_str(&format!(
            "\n_First {MARKDOWN_MAX_ROWS} of {total} rows; export CSV or JSON for all of them._\n"
        ));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use trailscope_engine::{load_bytes, run_query, LoadOptions, QueryOptions};

    fn table(query: &str) -> Table {
        let export = br#"{"Records":[
          {"eventTime":"2026-11-20T10:00:00Z","eventID":"1","eventName":"=HYPERLINK(\"http://x\",\"a\")","userAgent":"a|b\nc <b>"},
          {"eventTime":"2026-11-20T09:00:00Z","eventID":"2","eventName":"-2+3","userAgent":"@SUM(1)"},
          {"eventTime":"2026-11-20T08:00:00Z","eventID":"3","eventName":"plain, text","userAgent":" x"}]}"#;
        let (store, _) = load_bytes("t.json", export, LoadOptions::default());
        run_query(&store, query, &QueryOptions::default())
            .unwrap()
            .table
    }

    const Q: &str = "fetch logs | parse content, \"JSON:e\" | fields name = e[eventName], ua = e[userAgent], n = -5, d = 1.5, missing = e[nothing]";

    #[test]
    fn csv_of_a_result() {
        let t = table(Q);
        let mut out = Vec::new();
        write(&t, [2, 0, 1].into_iter(), Format::Csv, &mut out).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "name,ua,n,d,missing\n\
             \"plain, text\",\" x\",-5,1.5,\n\
             \"'=HYPERLINK(\"\"http://x\"\",\"\"a\"\")\",\"a|b\nc <b>\",-5,1.5,\n\
             '-2+3,'@SUM(1),-5,1.5,\n"
        );
    }

    #[test]
    fn json_is_an_array_of_objects() {
        let t = table("fetch logs | fields timestamp, n = 1 | limit 2");
        let mut out = Vec::new();
        write_json(&t, [1, 0].into_iter(), &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert_eq!(
            text,
            "[\n{\"timestamp\":\"2026-11-20T09:00:00Z\",\"n\":1},\n{\"timestamp\":\"2026-11-20T10:00:00Z\",\"n\":1}\n]\n"
        );
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(v.as_array().unwrap().len(), 2);
        let mut empty = Vec::new();
        write_json(&t, std::iter::empty(), &mut empty).unwrap();
        assert_eq!(
            serde_json::from_slice::<serde_json::Value>(&empty).unwrap(),
            serde_json::json!([])
        );
    }

    #[test]
    fn markdown_cells_cannot_break_out() {
        for (cell, want) in [
            ("a|b", "a\\|b"),
            ("two\r\nlines\n\nhere", "two lines here"),
            (
                "<img src=x onerror=alert(1)>",
                "&lt;img src=x onerror=alert(1)&gt;",
            ),
            ("[link](javascript:x)", "\\[link\\](javascript:x)"),
            (
                "**bold** _it_ `code` ~s~ #h !i",
                "\\*\\*bold\\*\\* \\_it\\_ \\`code\\` \\~s\\~ \\#h \\!i",
            ),
            ("back\\slash & co", "back\\\\slash &amp; co"),
        ] {
            assert_eq!(markdown_text(cell), want, "{cell:?}");
        }
        let t = table(Q);
        let md = markdown(&t, 0..t.num_rows());
        let lines: Vec<&str> = md.lines().collect();
        assert_eq!(lines.len(), 5, "{md}");
        assert_eq!(lines[0], "| name | ua | n | d | missing |");
        assert_eq!(lines[1], "| --- | --- | --- | --- | --- |");
        assert_eq!(
            lines[2],
            "| =HYPERLINK(\"http://x\",\"a\") | a\\|b c &lt;b&gt; | -5 | 1.5 |  |"
        );
    }

    #[test]
    fn markdown_is_capped() {
        let t = table("fetch logs | fields n = 1");
        let rows = (0..MARKDOWN_MAX_ROWS + 5).map(|i| i % 3);
        let md = markdown(&t, rows);
        assert_eq!(md.lines().filter(|l| l.starts_with("| 1 |")).count(), 1000);
        assert!(md.ends_with("_First 1000 of 1005 rows; export CSV or JSON for all of them._\n"));
    }
}
