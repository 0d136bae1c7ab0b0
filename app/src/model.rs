//! The page's state as plain values: the loaded dataset and what the last run produced.
//!
//! Nothing here touches the DOM, so the views only read these types.

use std::sync::Arc;

use trailscope_engine::{render_diagnostics, run_query, LoadOptions, Loader, QueryOptions, Store};

/// At most this many rows are put into the DOM; the status line gives the full count.
pub const MAX_ROWS_SHOWN: usize = 1_000;

/// The bucket that loaded files land in, as `fetch logs` expects by default.
const DEFAULT_BUCKET: &str = "default_logs";

/// Loaded, queryable data plus the loader's one-line report.
pub struct Dataset {
    store: Arc<Store>,
    summary: String,
}

impl Dataset {
    /// No data: queries run, against nothing.
    pub fn empty() -> Self {
        let (store, report) = Self::loader().finish();
        Dataset {
            store,
            summary: report.summary(),
        }
    }

    /// Loads one file (gzip and format are detected by the engine).
    pub fn load(name: &str, bytes: &[u8]) -> Self {
        let mut loader = Self::loader();
        loader.add_bytes(name, bytes);
        let (store, report) = loader.finish();
        Dataset {
            store,
            summary: report.summary(),
        }
    }

    fn loader() -> Loader {
        Loader::new(LoadOptions {
            bucket: DEFAULT_BUCKET.into(),
        })
    }

    pub fn summary(&self) -> &str {
        &self.summary
    }

    /// Runs `query` over this dataset.
    pub fn run(&self, query: &str) -> RunState {
        // "Now" is left to the engine, which puts it just after the newest loaded event: an
        // export is investigated after the fact, so `from: -30min` means the trail's last half
        // hour, not the last half hour of the wall clock (which would usually be empty).
        let opts = QueryOptions {
            now_ns: None,
            from_ns: None,
            to_ns: None,
        };
        match run_query(&self.store, query, &opts) {
            Ok(out) => {
                let table = &out.table;
                let total_rows = table.num_rows();
                let rows = (0..total_rows.min(MAX_ROWS_SHOWN))
                    .map(|row| {
                        (0..table.columns.len())
                            .map(|col| table.cell_text(col, row))
                            .collect()
                    })
                    .collect();
                RunState::Done(ResultTable {
                    columns: table.columns.clone(),
                    rows,
                    total_rows,
                    notices: out.notices.clone(),
                    warnings: if out.warnings.is_empty() {
                        String::new()
                    } else {
                        render_diagnostics(query, &out.warnings)
                    },
                })
            }
            Err(diags) => RunState::Failed(render_diagnostics(query, &diags)),
        }
    }
}

/// Where loading the data stands.
#[derive(Clone, Debug, PartialEq)]
pub enum LoadState {
    Empty,
    Loading,
    Loaded(String),
    Failed(String),
}

impl LoadState {
    pub fn describe(&self) -> String {
        match self {
            LoadState::Empty => "No data loaded.".to_string(),
            LoadState::Loading => "Loading…".to_string(),
            LoadState::Loaded(summary) => summary.clone(),
            LoadState::Failed(err) => format!("Loading failed: {err}"),
        }
    }
}

/// The outcome of the last Run.
#[derive(Clone, Debug, PartialEq)]
pub enum RunState {
    Idle,
    Done(ResultTable),
    /// Rendered diagnostics, shown as preformatted text.
    Failed(String),
}

/// A result table as display strings, cut to [`MAX_ROWS_SHOWN`] rows.
#[derive(Clone, Debug, PartialEq)]
pub struct ResultTable {
    pub columns: Vec<String>,
    pub rows: Vec<Vec<String>>,
    pub total_rows: usize,
    pub notices: Vec<String>,
    /// Rendered warnings (the query ran, but something deserves a look); empty when none.
    pub warnings: String,
}

impl ResultTable {
    pub fn row_count_text(&self) -> String {
        let noun = if self.total_rows == 1 { "row" } else { "rows" };
        if self.total_rows > self.rows.len() {
            format!(
                "{} {noun}, showing the first {}",
                self.total_rows,
                self.rows.len()
            )
        } else {
            format!("{} {noun}", self.total_rows)
        }
    }
}
