//! A query result: named columns, read cell by cell (lazily for stored events), and written as
//! JSON Lines, CSV or an aligned text table.

use std::fmt::Write as _;
use std::sync::Arc;

use super::column::Batch;
use crate::storage::Store;
use crate::value::{write_json_string, Value};

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

    /// CSV (RFC 4180). Cells that a spreadsheet would run as a formula are prefixed with `'`.
    pub fn write_csv(&self, out: &mut impl std::io::Write) -> std::io::Result<()> {
        let line = |cells: Vec<String>| {
            cells
                .iter()
                .map(|c| csv_cell(c))
                .collect::<Vec<_>>()
                .join(",")
        };
        writeln!(out, "{}", line(self.columns.clone()))?;
        for r in 0..self.num_rows() {
            let cells = (0..self.num_columns()).map(|c| match self.cell(c, r) {
                Value::Null => String::new(),
                v => v.display(),
            });
            writeln!(out, "{}", line(cells.collect()))?;
        }
        Ok(())
    }

    /// An aligned text table; cells longer than `max_width` characters are cut with `…`.
    pub fn to_text(&self, max_width: usize) -> String {
        let cut = |s: String| -> String {
            let s = s.replace(['\n', '\r', '\t'], " ");
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
        let mut widths: Vec<usize> = self.columns.iter().map(|c| c.chars().count()).collect();
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
        fmt_row(&mut s, &self.columns);
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

/// Quotes a CSV cell and defuses spreadsheet formulas (`=`, `+`, `-`, `@`, tab, CR at the start).
pub fn csv_cell(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_string()
    };
    if s.contains([',', '"', '\n', '\r']) || s.starts_with(' ') || s.ends_with(' ') {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}
