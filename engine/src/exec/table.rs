//! A query result: named columns, read cell by cell (lazily for stored events), and written as
//! JSON Lines, CSV or an aligned text table.

use std::fmt::Write as _;
use std::sync::Arc;

use super::column::{group_ids, Batch, Column, Stored};
use crate::storage::{BaseField, PathPart, Store};
use crate::syntax::quote;
use crate::value::{write_json_string, Value};

/// One field of a result, for the field sidebar (see [`Table::field_stats`]).
#[derive(Clone, Debug, PartialEq)]
pub struct FieldStat {
    /// The field as a DQL expression (`event[userIdentity][arn]`, `event[resources][][type]`).
    pub name: String,
    /// Rows with a value (a JSON null inside an event counts; a null column value does not).
    pub present: usize,
    pub distinct: usize,
    /// True when values were not all told apart (`content`, or very many distinct values).
    pub capped: bool,
    /// The most frequent values with their counts, most frequent first.
    pub top: Vec<(Value, usize)>,
}

#[derive(Clone, Debug)]
pub struct Table {
    pub columns: Vec<String>,
    batch: Batch,
    store: Option<Arc<Store>>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Store({} events)", self.len())
    }
}

impl Table {
    pub(crate) fn new(batch: Batch, store: Option<Arc<Store>>) -> Table {
        Table {
            columns: batch.fields.iter().map(|(n, _)| n.to_string()).collect(),
            batch,
            store,
        }
    }

    pub fn num_rows(&self) -> usize {
        self.batch.len
    }

    pub fn num_columns(&self) -> usize {
        self.columns.len()
    }

    pub fn cell(&self, col: usize, row: usize) -> Value {
        self.batch.fields[col].1.get(row, self.store.as_deref())
    }

    pub fn cell_text(&self, col: usize, row: usize) -> String {
        self.cell(col, row).display()
    }

    /// The stored event a result row came from (its row id in the store), if it is one event's:
    /// rows keep their event through `filter`, `fields…`, `sort`, `limit`, `dedup`, `parse`,
    /// `expand`, `fieldsFlatten`, `lookup`, `join` (the current record's), `joinNested` and
    /// `append`; `summarize`, `makeTimeseries` and `fieldsSummary` rows are no event's.
    pub fn source_row(&self, row: usize) -> Option<u32> {
        let r = *self.batch.source.as_ref()?.get(row)?;
        (r != super::column::NO_SOURCE).then_some(r)
    }

    /// The whole event a result row came from (see [`Table::source_row`]), as a record.
    pub fn source_event(&self, row: usize) -> Option<Value> {
        let store = self.store.as_ref()?;
        Some(store.event_value(self.source_row(row)?, &[]))
    }

    /// The event a result row came from as its compact JSON text (`content`).
    pub fn source_content(&self, row: usize) -> Option<String> {
        let store = self.store.as_ref()?;
        Some(store.content(self.source_row(row)?))
    }

    /// Every field of the result for the field sidebar: each column, and for columns that hold
    /// parsed events (`parse content, "JSON:event"`) every path inside them (`event[a][b]`,
    /// arrays as `[]`), with how many rows have a value and the `top` most frequent values with
    /// their counts, over all rows. `content` is counted, not its values (each is one event's
    /// text). Stops early, with what it has, when the run's budget says so.
    pub fn field_stats(&self, top: usize) -> Vec<FieldStat> {
        let store = self.store.as_deref();
        let mut out = Vec::new();
        for (name, col) in &self.batch.fields {
            let len = self.batch.len;
            match (col, store) {
                (
                    Column::Stored {
                        what: Stored::Base(BaseField::Content),
                        ..
                    },
                    _,
                ) => out.push(FieldStat {
                    name: quote::field(name),
                    present: len,
                    distinct: 0,
                    capped: true,
                    top: Vec::new(),
                }),
                (
                    Column::Stored {
                        rows,
                        what: Stored::Event(path),
                    },
                    Some(store),
                ) => {
                    let here = store.has_path(rows, path).iter().filter(|&&b| b).count();
                    out.push(FieldStat {
                        name: quote::field(name),
                        present: here,
                        distinct: 0,
                        capped: false,
                        top: Vec::new(),
                    });
                    for s in store.path_stats(rows, path, top) {
                        let mut n = quote::field(name);
                        for p in &s.path {
                            match p {
                                PathPart::Key(k) => {
                                    let _ = write!(n, "[{}]", quote::key(k));
                                }
                                PathPart::Each => n.push_str("[]"),
                            }
                        }
                        out.push(FieldStat {
                            name: n,
                            present: s.present,
                            distinct: s.distinct,
                            capped: s.capped,
                            top: s.top,
                        });
                    }
                }
                _ => {
                    let (ids, reps) = group_ids(col, len, store);
                    let mut counts = vec![0usize; reps.len()];
                    for &i in &ids {
                        counts[i as usize] += 1;
                    }
                    let mut order: Vec<usize> =
                        (0..reps.len()).filter(|&g| !reps[g].is_null()).collect();
                    order.sort_by(|&a, &b| counts[b].cmp(&counts[a]));
                    out.push(FieldStat {
                        name: quote::field(name),
                        present: order.iter().map(|&g| counts[g]).sum(),
                        distinct: order.len(),
                        capped: false,
                        top: order
                            .iter()
                            .take(top)
                            .map(|&g| (reps[g].clone(), counts[g]))
                            .collect(),
                    });
                }
            }
        }
        out
    }

    pub fn column_index(&self, name: &str) -> Option<usize> {
        self.columns.iter().position(|c| c == name)
    }

    /// One row as a JSON object, keys in column order.
    pub fn row_json(&self, row: usize) -> String {
        let mut s = String::from("{");
        for (c, name) in self.columns.iter().enumerate() {
            if c > 0 {
                s.push(',');
            }
            write_json_string(&mut s, name);
            s.push(':');
            self.cell(c, row).write_json(&mut s);
        }
        s.push('}');
        s
    }

    pub fn write_json_lines(&self, out: &mut impl std::io::Write) -> std::io::Result<()> {
        for r in 0..self.num_rows() {
            writeln!(out, "{}", self.row_json(r))?;
        }
        Ok(())
    }

    /// CSV of rows `rows` (in that order), header first: the one CSV writer, for the CLI's
    /// `--format csv` and the app's CSV export (through `trailscope-share`). It lives here, beside
    /// the JSON Lines and text forms, because the CLI and the fuzz targets depend on the engine
    /// alone, and the share crate would bring its serde and hashing crates to them for one
    /// function.
    ///
    /// RFC 4180 quoting with `\n` line ends; against spreadsheet formula injection (OWASP "CSV
    /// Injection") text that starts with `=` `+` `-` `@` TAB or CR, header names too, gets a
    /// leading `'`, so that Excel, LibreOffice and Sheets show it instead of running it. Numbers
    /// (`long`, `double`) are written as numbers, never prefixed: `-5` stays a number. Null is
    /// an empty cell; arrays and records are their JSON text.
    pub fn write_csv(
        &self,
        rows: impl IntoIterator<Item = usize>,
        out: &mut impl std::io::Write,
    ) -> std::io::Result<()> {
        let mut line = String::new();
        for (c, name) in self.columns.iter().enumerate() {
            if c > 0 {
                line.push(',');
            }
            push_csv_text(&mut line, name);
        }
        line.push('\n');
        out.write_all(line.as_bytes())?;
        for r in rows {
            line.clear();
            for c in 0..self.num_columns() {
                if c > 0 {
                    line.push(',');
                }
                push_csv_value(&mut line, &self.cell(c, r));
            }
            line.push('\n');
            out.write_all(line.as_bytes())?;
        }
        Ok(())
    }

    /// An aligned text table for a terminal: every control and invisible character of a value
    /// or column name is escaped (see [`crate::terminal`]), cells longer than `max_width` characters are cut with `…`.
    pub fn to_text(&self, max_width: usize) -> String {
        let cut = |s: String| -> String {
            let s = crate::terminal::escape(&s, false).into_owned();
            if s.chars().count() > max_width {
                let mut t: String = s.chars().take(max_width.saturating_sub(1)).collect();
                t.push('…');
                t
            } else {
                s
            }
        };
        let cells: Vec<Vec<String>> = (0..self.num_rows())
            .map(|r| {
                (0..self.num_columns())
                    .map(|c| cut(self.cell_text(c, r)))
                    .collect()
            })
            .collect();
        let columns: Vec<String> = self.columns.iter().map(|c| cut(c.clone())).collect();
        let mut widths: Vec<usize> = columns.iter().map(|c| c.chars().count()).collect();
        for row in &cells {
            for (w, c) in widths.iter_mut().zip(row) {
                *w = (*w).max(c.chars().count());
            }
        }
        let mut s = String::new();
        let fmt_row = |s: &mut String, row: &[String]| {
            let parts: Vec<String> = row
                .iter()
                .zip(&widths)
                .map(|(c, w)| format!("{c}{}", " ".repeat(w - c.chars().count())))
                .collect();
            let _ = writeln!(s, "{}", parts.join(" │ ").trim_end());
        };
        fmt_row(&mut s, &columns);
        let _ = writeln!(
            s,
            "{}",
            widths
                .iter()
                .map(|w| "─".repeat(*w))
                .collect::<Vec<_>>()
                .join("─┼─")
        );
        for row in &cells {
            fmt_row(&mut s, row);
        }
        let _ = writeln!(
            s,
            "({} row{})",
            self.num_rows(),
            if self.num_rows() == 1 { "" } else { "s" }
        );
        s
    }
}

/// One CSV cell for a value; see [`Table::write_csv`].
fn push_csv_value(out: &mut String, v: &Value) {
    match v {
        Value::Null => {}
        Value::Long(_) | Value::Double(_) => push_csv_quoted(out, &v.display()),
        Value::Array(_) | Value::Record(_) => push_csv_text(out, &v.to_json()),
        v => push_csv_text(out, &v.display()),
    }
}

/// Text that a spreadsheet would run as a formula gets a leading `'`.
fn push_csv_text(out: &mut String, s: &str) {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        push_csv_quoted(out, &format!("'{s}"));
    } else {
        push_csv_quoted(out, s);
    }
}

/// RFC 4180: a cell holding `,` `"` CR or LF is quoted with `"` doubled; so is one that starts
/// or ends with a space, which some readers would trim.
fn push_csv_quoted(out: &mut String, s: &str) {
    if s.contains([',', '"', '\n', '\r']) || s.starts_with(' ') || s.ends_with(' ') {
        out.push('"');
        out.push_str(&s.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(s);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{load_bytes, run_query, LoadOptions, QueryOptions};

    fn cell(v: Value) -> String {
        let mut s = String::new();
        push_csv_value(&mut s, &v);
        s
    }

    #[test]
    fn csv_cells() {
        let record = load_bytes(
            "t.json",
            br#"{"eventTime":"2026-11-20T10:00:00Z","eventID":"1","a":{"b":[1,"x,y"]}}"#,
            LoadOptions::default(),
        );
        let rec = run_query(
            &record.0,
            "fetch logs | parse content, \"JSON:e\" | fields r = e[a]",
            &QueryOptions::default(),
        )
        .unwrap()
        .table
        .cell(0, 0);
        for (value, want) in [
            // Numbers stay numbers, whatever their sign.
            (Value::Long(-5), "-5"),
            (Value::Long(42), "42"),
            (Value::Double(-1.5), "-1.5"),
            (Value::Double(2.0), "2"),
            // Text a spreadsheet would run as a formula gets a `'`.
            (Value::str("-5"), "'-5"),
            (Value::str("=SUM(A1)"), "'=SUM(A1)"),
            (Value::str("+1"), "'+1"),
            (Value::str("@cmd"), "'@cmd"),
            (Value::str("\tx"), "'\tx"),
            (Value::str("\rx"), "\"'\rx\""),
            (
                Value::str("=HYPERLINK(\"http://x\",\"a\")"),
                "\"'=HYPERLINK(\"\"http://x\"\",\"\"a\"\")\"",
            ),
            // RFC 4180 quoting.
            (Value::str("a,b"), "\"a,b\""),
            (Value::str("say \"hi\""), "\"say \"\"hi\"\"\""),
            (Value::str("two\nlines"), "\"two\nlines\""),
            (Value::str("cr\rin"), "\"cr\rin\""),
            (Value::str(" pad"), "\" pad\""),
            (Value::str("plain"), "plain"),
            (Value::str(""), ""),
            // Null is an empty cell.
            (Value::Null, ""),
            (Value::Bool(true), "true"),
            // Arrays and records are their JSON text.
            (
                Value::Array(vec![Value::Long(-1), Value::str("a")].into()),
                "\"[-1,\"\"a\"\"]\"",
            ),
            (
                Value::Array(vec![Value::Array(vec![Value::Long(1)].into())].into()),
                "[[1]]",
            ),
            (rec, "\"{\"\"b\"\":[1,\"\"x,y\"\"]}\""),
        ] {
            assert_eq!(cell(value.clone()), want, "{value:?}");
        }
    }

    #[test]
    fn csv_of_a_result() {
        let export = br#"{"Records":[
          {"eventTime":"2026-11-20T10:00:00Z","eventID":"1","eventName":"-5","n":"=1+1"},
          {"eventTime":"2026-11-20T09:00:00Z","eventID":"2","eventName":"plain, text"}]}"#;
        let (store, _) = load_bytes("t.json", export, LoadOptions::default());
        let t = run_query(
            &store,
            "fetch logs | parse content, \"JSON:e\" | fields `=name` = e[eventName], `-n` = -5, d = -0.5, s = e[n]",
            &QueryOptions::default(),
        )
        .unwrap()
        .table;
        let mut out = Vec::new();
        t.write_csv([1, 0], &mut out).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "'=name,'-n,d,s\n\
             \"plain, text\",-5,-0.5,\n\
             '-5,-5,-0.5,'=1+1\n"
        );
    }
}
