//! The engine worker: runs in a Web Worker (the same wasm binary as the page, started by
//! `public/worker.js`, which calls [`worker_main`]), owns the loaded data and every query
//! result, and answers the page's [`Request`]s. Loading and querying never block the page.
//!
//! A query runs synchronously: no message reaches the worker until it is over. So the page
//! stops one through memory both sides can read: on a cross-origin isolated page it shares a
//! `SharedArrayBuffer` flag ([`Request::CancelFlag`]), and the query's interrupt (asked by the
//! engine every 16K rows and between commands) reads it with `Atomics`. The same interrupt
//! ends any query after [`QUERY_TIME_LIMIT_MS`].

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::sync::Arc;

use gloo_events::EventListener;
use js_sys::{Array, Atomics, Int32Array, Uint8Array};
use trailscope_engine::exec::{Notice, NoticeKind};
use trailscope_engine::{
    render_diagnostics, run_query, Diagnostic, FileReport, LoadOptions, Loader, QueryOptions,
    Severity, Store, Table, Value,
};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{DedicatedWorkerGlobalScope, File, MessageEvent};

mod share;

use crate::protocol::{
    cancel_tag, Cell as TableCell, Chart, CompletionItem, CompletionsInfo, DataInfo,
    DiagnosticInfo, FieldInfo, IntervalChange, Request, Response, ResultInfo, Series, SourceInfo,
};
use trailscope_engine::syntax::quote;

/// Rows sent with a result so the table can draw at once.
const FIRST_ROWS: usize = 200;
/// At most this many results are kept (older ones are dropped; their rows can't be paged).
const KEEP_RESULTS: usize = 16;

#[derive(Default)]
struct State {
    store: Option<Arc<Store>>,
    /// Every file's report, over all loads.
    files: Vec<FileReport>,
    results: HashMap<u64, Kept>,
    order: Vec<u64>,
    loading: bool,
    cancel: bool,
}

struct Kept {
    table: Table,
    /// Header-click sort: a permutation of the rows.
    view: Option<Vec<u32>>,
}

thread_local! {
    static STATE: RefCell<State> = RefCell::new(State::default());
    /// The page's cancel flag (see [`Request::CancelFlag`]), when the page could share one.
    static CANCEL_FLAG: RefCell<Option<Int32Array>> = const { RefCell::new(None) };
    /// The query running now: its cancel tag and when its time is up (`Date.now()` ms).
    static RUNNING: Cell<(i32, f64)> = const { Cell::new((0, f64::INFINITY)) };
}

/// The longest a query may run. Generous (an investigation over millions of events can take
/// minutes), but not for ever: a query from a case file or a share link may be built to run
/// for hours, and the worker takes no other request until it ends. Past it the query stops
/// with the engine's E402 error and the data stays loaded.
pub const QUERY_TIME_LIMIT_MS: f64 = 10.0 * 60.0 * 1000.0;

/// The engine's interrupt for the running query: true once the page has set the cancel flag to
/// this query's tag, or its time is up. A plain function (no captures), so it is `Send + Sync`
/// as the engine asks; what it reads lives in this thread's locals.
fn interrupted() -> bool {
    let (tag, deadline) = RUNNING.get();
    if js_sys::Date::now() > deadline {
        return true;
    }
    CANCEL_FLAG.with_borrow(|flag| {
        flag.as_ref()
            .and_then(|f| Atomics::load(f, 0).ok())
            .is_some_and(|v| v == tag)
    })
}

/// Query `id` starts: its tag and deadline for [`interrupted`], and the flag reset, unless the
/// page has already asked to stop this very query (a Cancel pressed while it waited).
fn start_running(id: u64) {
    let tag = cancel_tag(id);
    RUNNING.set((tag, js_sys::Date::now() + QUERY_TIME_LIMIT_MS));
    CANCEL_FLAG.with_borrow(|flag| {
        if let Some(f) = flag {
            if let Ok(old) = Atomics::load(f, 0) {
                if old != tag && old != 0 {
                    // Only if nothing was written in between: a Cancel for this query wins.
                    let _ = Atomics::compare_exchange(f, 0, old, 0);
                }
            }
        }
    });
}

fn scope() -> DedicatedWorkerGlobalScope {
    js_sys::global().unchecked_into()
}

fn post(r: &Response) {
    let _ = scope().post_message(&JsValue::from_str(&r.to_json()));
}

/// Entry point, called by `public/worker.js` once the wasm module is initialised.
#[wasm_bindgen]
pub fn worker_main() {
    let on_message = EventListener::new(&scope(), "message", |ev| {
        let Some(data) = ev.dyn_ref::<MessageEvent>().map(MessageEvent::data) else {
            return;
        };
        // A load comes as { request, files }: the files travel as File objects.
        if let Some(text) = data.as_string() {
            if let Some(req) = Request::from_json(&text) {
                handle(req, Vec::new());
            }
            return;
        }
        let request = js_sys::Reflect::get(&data, &"request".into())
            .ok()
            .and_then(|v| v.as_string());
        let files: Vec<File> = js_sys::Reflect::get(&data, &"files".into())
            .ok()
            .filter(Array::is_array)
            .map(|v| {
                Array::from(&v)
                    .iter()
                    .filter_map(|f| f.dyn_into::<File>().ok())
                    .collect()
            })
            .unwrap_or_default();
        if let Some(req) = request.and_then(|t| Request::from_json(&t)) {
            if req == Request::CancelFlag {
                let flag = js_sys::Reflect::get(&data, &"flag".into())
                    .ok()
                    .and_then(|f| f.dyn_into::<Int32Array>().ok());
                CANCEL_FLAG.with_borrow_mut(|f| *f = flag);
                return;
            }
            handle(req, files);
        }
    });
    // The worker lives as long as the page: its listener is never removed.
    on_message.forget();
    post(&Response::Ready);
}

fn handle(req: Request, files: Vec<File>) {
    match req {
        Request::Load {
            paths,
            bucket,
            buckets,
        } => {
            wasm_bindgen_futures::spawn_local(load(paths, files, bucket, buckets));
        }
        Request::Cancel => STATE.with_borrow_mut(|s| s.cancel = s.loading),
        // Comes with its flag as `{ request, flag }` (handled where messages arrive).
        Request::CancelFlag => {}
        Request::Clear => {
            STATE.with_borrow_mut(|s| *s = State::default());
            post(&Response::Loaded {
                data: DataInfo::default(),
                report: String::new(),
                cancelled: false,
            });
        }
        Request::SetBucket { source, bucket } => set_bucket(&source, &bucket),
        Request::Query {
            id,
            text,
            now_ns,
            from_ns,
            to_ns,
        } => query(
            id,
            &text,
            QueryOptions {
                now_ns,
                from_ns,
                to_ns,
                limits: query_limits(),
            },
        ),
        Request::Rows { id, start, count } => {
            let rows = STATE.with_borrow(|s| s.results.get(&id).map(|k| page(k, start, count)));
            if let Some(rows) = rows {
                post(&Response::Rows { id, start, rows });
            }
        }
        Request::Complete { seq, text, cursor } => {
            use trailscope_engine::complete::{complete, signature_help, Kind};
            let store = STATE.with_borrow(|s| s.store.clone());
            let c = complete(store.as_deref(), &text, cursor.min(text.len()));
            let signature = signature_help(&text, cursor.min(text.len()))
                .map(|h| (h.signature, h.doc.to_string()));
            let items = c
                .items
                .into_iter()
                .map(|i| CompletionItem {
                    kind: match i.kind {
                        Kind::Command => "command",
                        Kind::Function => "function",
                        Kind::Parameter => "parameter",
                        Kind::Field => "field",
                        Kind::Member => "member",
                        Kind::Keyword => "keyword",
                    }
                    .into(),
                    label: i.label,
                    insert: i.insert,
                    detail: i.detail,
                    doc: i.doc.to_string(),
                })
                .collect();
            post(&Response::Completions(CompletionsInfo {
                seq,
                start: c.replace.start,
                end: c.replace.end,
                text,
                items,
                signature,
            }));
        }
        Request::Fields { id, top } => {
            let out = STATE.with_borrow(|s| {
                let k = s.results.get(&id)?;
                let t = &k.table;
                let fields = t
                    .field_stats(top.min(20))
                    .into_iter()
                    .map(|f| FieldInfo {
                        column: t
                            .columns
                            .iter()
                            .find(|c| quote::field(c) == f.name)
                            .cloned(),
                        top: f
                            .top
                            .iter()
                            .map(|(v, n)| (v.display(), *n, field_condition(&f.name, v)))
                            .collect(),
                        name: f.name,
                        present: f.present,
                        distinct: f.distinct,
                        capped: f.capped,
                    })
                    .collect();
                Some((t.num_rows(), fields))
            });
            if let Some((rows, fields)) = out {
                post(&Response::Fields { id, rows, fields });
            }
        }
        Request::Record { id, row } => {
            let record = STATE.with_borrow(|s| {
                let k = s.results.get(&id)?;
                let r = view_row(k, row)?;
                Some((k.table.row_json(r), k.table.source_content(r)))
            });
            if let Some((json, source)) = record {
                post(&Response::Record {
                    id,
                    row,
                    json,
                    source,
                });
            }
        }
        Request::Sort {
            id,
            column,
            descending,
        } => {
            let rows = STATE.with_borrow_mut(|s| {
                let k = s.results.get_mut(&id)?;
                k.view = column.map(|c| sort_view(&k.table, c, descending));
                Some(page(k, 0, FIRST_ROWS))
            });
            if let Some(rows) = rows {
                post(&Response::Rows { id, start: 0, rows });
            }
        }
        // Sharing (issue 6): exports and case files, in worker/share.rs.
        Request::ExportResult { id, format, copy } => share::export_result(id, &format, copy),
        Request::ExportCase {
            case,
            include_events,
            created,
        } => share::export_case(&case, include_events, &created),
        Request::ImportCase { name } => {
            wasm_bindgen_futures::spawn_local(share::import_case(name, files));
        }
        Request::Detect { off } => detect(&off),
        Request::Identity { subject } => {
            let store = STATE.with_borrow(|s| if s.loading { None } else { s.store.clone() });
            let text = match store {
                Some(store) => {
                    let lens = trailscope_engine::identity::lens(&store, &subject);
                    trailscope_engine::identity::to_text(&store, &lens, 50)
                }
                None => "No data is loaded (or it is still loading).".to_string(),
            };
            post(&Response::Identity { subject, text });
        }
    }
}

/// Runs the detection pack (`Request::Detect`) and posts the hits per detection.
fn detect(off: &[String]) {
    use trailscope_engine::detect;
    let store = STATE.with_borrow(|s| if s.loading { None } else { s.store.clone() });
    let started = js_sys::Date::now();
    let mut hits = Vec::new();
    let mut failed = Vec::new();
    if let Some(store) = store {
        // The pack runs under the query time limit; no Cancel flag value (a query's tag, or 0)
        // is -1, so the page's Cancel of a query cannot stop it halfway.
        RUNNING.set((-1, started + QUERY_TIME_LIMIT_MS));
        let run = detect::catalogue()
            .iter()
            .filter(|d| d.configure.is_none() && !off.contains(&d.id));
        for d in run {
            let opts = QueryOptions {
                limits: query_limits(),
                ..QueryOptions::default()
            };
            match detect::run(&store, &d.query, &opts) {
                Ok(r) => hits.push((d.id.clone(), r.hits.len())),
                Err(diags) => failed.push((
                    d.id.clone(),
                    diags.first().map(|x| x.message.clone()).unwrap_or_default(),
                )),
            }
        }
        RUNNING.set((0, f64::INFINITY));
    }
    post(&Response::Detections {
        hits,
        failed,
        elapsed_ms: js_sys::Date::now() - started,
    });
}

/// Bytes read from a file at a time.
const CHUNK: u64 = 4 << 20;
/// A wasm32 module can address 4 GiB; loading stops well before, while there is still room
/// for the vectors that double as they grow and for queries.
const MEMORY_LIMIT: f64 = 3.0 * (1u64 << 30) as f64;

/// The size of the module's linear memory (it only grows).
fn wasm_memory() -> f64 {
    wasm_bindgen::memory()
        .dyn_into::<js_sys::WebAssembly::Memory>()
        .ok()
        .and_then(|m| m.buffer().dyn_into::<js_sys::ArrayBuffer>().ok())
        .map_or(0.0, |b| b.byte_length() as f64)
}

/// What one query may use in this tab: values up to 1 GiB, less when the loaded data leaves
/// less of wasm32's 4 GiB (a query that asks for more stops with an error; an allocation
/// failure would end the worker and lose the data); and the page's Cancel or the time limit
/// stop it ([`interrupted`]).
fn query_limits() -> trailscope_engine::exec::budget::Limits {
    const GIB: f64 = (1u64 << 30) as f64;
    let free = 3.75 * GIB - wasm_memory();
    trailscope_engine::exec::budget::Limits {
        memory_bytes: free.clamp(128.0 * (1 << 20) as f64, GIB) as u64,
        interrupt: Some(Arc::new(interrupted)),
    }
}

/// Why loading must stop, when the module's memory is close to wasm32's limit.
fn memory_exhausted() -> Option<String> {
    let bytes = wasm_memory();
    (bytes > MEMORY_LIMIT).then(|| {
        format!(
            "Loading stopped: this tab's engine uses {:.1} GiB, close to the 4 GiB a browser allows it; what was read so far is kept. Load fewer files, or use the trailscope CLI for exports this large.",
            bytes / (1u64 << 30) as f64
        )
    })
}

async fn load(paths: Vec<String>, files: Vec<File>, bucket: String, buckets: Vec<String>) {
    let busy = STATE.with_borrow_mut(|s| {
        let busy = s.loading;
        s.loading = true;
        s.cancel = false;
        // The store is about to change: results pointing at it are dropped.
        s.results.clear();
        s.order.clear();
        busy
    });
    if busy {
        post(&Response::Error {
            message: "Already loading: wait for it to finish or cancel it.".into(),
        });
        return;
    }
    let opts = LoadOptions {
        bucket: if bucket.is_empty() {
            "default_logs".into()
        } else {
            bucket
        },
    };
    let previous = STATE.with_borrow_mut(|s| s.store.take());
    let mut loader = match previous.map(Arc::try_unwrap) {
        Some(Ok(store)) => Loader::resume(store, opts),
        Some(Err(shared)) => {
            // Cannot happen (results were dropped), but never lose data: keep the old store.
            STATE.with_borrow_mut(|s| {
                s.store = Some(shared);
                s.loading = false;
            });
            post(&Response::Error {
                message: "The loaded data is still in use; try again.".into(),
            });
            return;
        }
        None => Loader::new(opts),
    };
    let bytes_total: u64 = files.iter().map(|f| f.size() as u64).sum();
    // Room for what is coming, allocated once (see `Loader::reserve_for`).
    let json_estimate: u64 = files
        .iter()
        .map(|f| trailscope_engine::ingest::json_estimate(&f.name(), f.size() as u64))
        .sum();
    loader.reserve_for(json_estimate);
    let mut bytes_done = 0u64;
    let files_total = files.len();
    let mut cancelled = false;
    let mut stopped = None;
    for (i, file) in files.iter().enumerate() {
        if STATE.with_borrow(|s| s.cancel) {
            cancelled = true;
            break;
        }
        let name = paths.get(i).cloned().unwrap_or_else(|| file.name());
        post(&Response::Progress {
            file: name.clone(),
            files_done: i,
            files_total,
            bytes_done,
            bytes_total,
            events: loader.events(),
            memory: wasm_memory() as u64,
            store: loader.heap_bytes() as u64,
        });
        // The file is read a slice at a time and parsed as it arrives: only two chunks (the
        // one parsed, the next one being read) and the unfinished event are held, however
        // large the file is.
        let size = file.size() as u64;
        let mut f = loader.begin_file(&name);
        let mut offset = 0u64;
        let mut chunk = Vec::new();
        let mut last_post = js_sys::Date::now();
        // The next slice is being read (by the browser, off this thread) while this one is
        // parsed: reading and parsing overlap.
        let read = |from: u64| {
            let end = (from + CHUNK).min(size);
            file.slice_with_f64_and_f64(from as f64, end as f64)
                .map(|blob| (end, JsFuture::from(blob.array_buffer())))
        };
        let mut next = (size > 0).then(|| read(0));
        while let Some(reading) = next.take() {
            if STATE.with_borrow(|s| s.cancel) {
                cancelled = true;
                break;
            }
            if let Some(message) = memory_exhausted() {
                stopped = Some(message);
                break;
            }
            let (end, pending) = match reading {
                Ok(r) => r,
                Err(e) => {
                    post(&Response::Error {
                        message: format!("{name}: cannot be read ({e:?})"),
                    });
                    break;
                }
            };
            match pending.await {
                Ok(buf) => {
                    let view = Uint8Array::new(&buf);
                    chunk.resize(view.length() as usize, 0);
                    view.copy_to(&mut chunk);
                }
                Err(e) => {
                    post(&Response::Error {
                        message: format!("{name}: cannot be read at byte {offset} ({e:?})"),
                    });
                    break;
                }
            }
            if end < size {
                next = Some(read(end));
            }
            loader.push(&mut f, &chunk);
            offset = end;
            let now = js_sys::Date::now();
            if now - last_post > 100.0 {
                last_post = now;
                post(&Response::Progress {
                    file: name.clone(),
                    files_done: i,
                    files_total,
                    bytes_done: bytes_done + offset,
                    bytes_total,
                    events: loader.events(),
                    memory: wasm_memory() as u64,
                    store: loader.heap_bytes() as u64,
                });
            }
            if f.done() {
                break;
            }
        }
        if (cancelled || stopped.is_some()) && offset < size {
            let why = if cancelled {
                "loading cancelled"
            } else {
                "memory limit"
            };
            loader.abandon_file(f, why);
        } else {
            loader.end_file(f);
        }
        bytes_done += size;
        if cancelled || stopped.is_some() {
            break;
        }
    }
    post(&Response::Progress {
        file: String::new(),
        files_done: files_total,
        files_total,
        bytes_done,
        bytes_total,
        events: loader.events(),
        memory: wasm_memory() as u64,
        store: loader.heap_bytes() as u64,
    });
    let (mut store, report) = loader.finish();
    // Nothing else holds the new store yet (results were dropped when loading began).
    if let Some(s) = Arc::get_mut(&mut store) {
        for (path, b) in paths.iter().zip(&buckets) {
            if !b.is_empty() {
                s.set_bucket(path, b);
            }
        }
    }
    let summary = report.summary();
    let data = STATE.with_borrow_mut(|s| {
        s.files.extend(report.files);
        s.store = Some(store);
        s.loading = false;
        s.cancel = false;
        data_info(s)
    });
    let summary = match (&stopped, cancelled) {
        (Some(why), _) => format!("{why} {summary}"),
        (None, true) => format!("Loading cancelled; kept what was read. {summary}"),
        (None, false) => summary,
    };
    post(&Response::Loaded {
        data,
        report: summary,
        cancelled,
    });
}

fn data_info(s: &State) -> DataInfo {
    let Some(store) = &s.store else {
        return DataInfo::default();
    };
    let summaries = store.sources();
    let sources = s
        .files
        .iter()
        .map(|f| {
            let sum = summaries.iter().find(|x| x.name == f.source);
            SourceInfo {
                name: f.source.clone(),
                bucket: sum.map(|x| x.bucket.clone()).unwrap_or_default(),
                shape: f.shape.describe().to_string(),
                events: sum.map_or(0, |x| x.events),
                duplicates: f.duplicates,
                skipped: f.skipped(),
                span: sum.and_then(|x| x.span),
                problems: f
                    .problems
                    .iter()
                    .filter(|p| !p.notice)
                    .map(problem_line)
                    .collect(),
                notices: f
                    .problems
                    .iter()
                    .filter(|p| p.notice)
                    .map(problem_line)
                    .collect(),
            }
        })
        .collect();
    DataInfo {
        events: store.len(),
        duplicates: s.files.iter().map(|f| f.duplicates).sum(),
        skipped: s.files.iter().map(FileReport::skipped).sum(),
        span: store.time_span(),
        sources,
    }
}

fn problem_line(p: &trailscope_engine::ingest::Problem) -> String {
    match &p.position {
        Some(pos) if !pos.to_string().is_empty() => format!("{pos}: {}", p.reason),
        _ => p.reason.clone(),
    }
}

fn set_bucket(source: &str, bucket: &str) {
    let data = STATE.with_borrow_mut(|s| {
        s.results.clear();
        s.order.clear();
        let store = s.store.take()?;
        match Arc::try_unwrap(store) {
            Ok(mut store) => {
                store.set_bucket(source, bucket);
                s.store = Some(Arc::new(store));
            }
            Err(shared) => s.store = Some(shared),
        }
        Some(data_info(s))
    });
    if let Some(data) = data {
        post(&Response::Loaded {
            data,
            report: format!("{source} is now in bucket {bucket}."),
            cancelled: false,
        });
    }
}

fn query(id: u64, text: &str, opts: QueryOptions) {
    if STATE.with_borrow(|s| s.loading) {
        // The store is with the loader; the page runs the case again when loading is done.
        let message =
            "Data is still loading: the query runs when loading has finished.".to_string();
        post(&Response::Failed {
            id,
            diagnostics: Vec::new(),
            rendered: message,
        });
        return;
    }
    let store = STATE.with_borrow(|s| s.store.clone());
    let store = store.unwrap_or_else(|| Loader::new(LoadOptions::default()).finish().0);
    let started = js_sys::Date::now();
    start_running(id);
    let outcome = run_query(&store, text, &opts);
    RUNNING.set((0, f64::INFINITY));
    match outcome {
        Ok(out) => {
            let elapsed_ms = js_sys::Date::now() - started;
            let chart = chart(&out);
            let empty_timeframe = out
                .notices
                .iter()
                .any(|n| n.kind() == NoticeKind::EmptyTimeframe);
            let kept = Kept {
                table: out.table,
                view: None,
            };
            let info = ResultInfo {
                id,
                columns: kept.table.columns.clone(),
                row_count: kept.table.num_rows(),
                elapsed_ms,
                notices: out.notices.iter().map(ToString::to_string).collect(),
                empty_timeframe,
                warnings: render_diagnostics(text, &out.warnings),
                timeframe: out.timeframe,
                now_ns: out.now_ns,
                chart,
                first_rows: page(&kept, 0, FIRST_ROWS),
            };
            STATE.with_borrow_mut(|s| {
                s.results.insert(id, kept);
                s.order.push(id);
                while s.order.len() > KEEP_RESULTS {
                    let old = s.order.remove(0);
                    s.results.remove(&old);
                }
            });
            post(&Response::Result(info));
        }
        Err(diags) => {
            let rendered = render_diagnostics(text, &diags);
            let diagnostics = diags.iter().map(|d| diagnostic_info(text, d)).collect();
            post(&Response::Failed {
                id,
                diagnostics,
                rendered,
            });
        }
    }
}

/// Byte offsets → UTF-16 offsets, which is what a textarea's selection counts.
fn utf16_offset(text: &str, byte: usize) -> usize {
    let mut b = byte.min(text.len());
    while b > 0 && !text.is_char_boundary(b) {
        b -= 1;
    }
    text[..b].encode_utf16().count()
}

fn diagnostic_info(text: &str, d: &Diagnostic) -> DiagnosticInfo {
    DiagnosticInfo {
        code: d.code.to_string(),
        error: d.severity == Severity::Error,
        message: d.message.clone(),
        start: utf16_offset(text, d.span.start as usize),
        end: utf16_offset(text, d.span.end as usize),
        label: d.label.clone(),
        hints: d.hints.clone(),
    }
}

fn view_row(k: &Kept, row: usize) -> Option<usize> {
    match &k.view {
        Some(v) => v.get(row).map(|&r| r as usize),
        None => (row < k.table.num_rows()).then_some(row),
    }
}

fn cell(v: &Value) -> TableCell {
    TableCell {
        text: v.display(),
        kind: v.type_name().to_string(),
    }
}

fn page(k: &Kept, start: usize, count: usize) -> Vec<Vec<TableCell>> {
    let end = (start + count).min(k.table.num_rows());
    (start..end)
        .filter_map(|row| view_row(k, row))
        .map(|r| {
            (0..k.table.num_columns())
                .map(|c| cell(&k.table.cell(c, r)))
                .collect()
        })
        .collect()
}

fn sort_view(t: &Table, col: usize, descending: bool) -> Vec<u32> {
    let values: Vec<Value> = (0..t.num_rows()).map(|r| t.cell(col, r)).collect();
    let mut order: Vec<u32> = (0..t.num_rows() as u32).collect();
    order.sort_by(|&a, &b| {
        let (x, y) = (&values[a as usize], &values[b as usize]);
        match (x.is_null(), y.is_null()) {
            (true, true) => std::cmp::Ordering::Equal,
            (true, false) => std::cmp::Ordering::Greater,
            (false, true) => std::cmp::Ordering::Less,
            _ => {
                let o = trailscope_engine::value::sort_cmp(x, y);
                if descending {
                    o.reverse()
                } else {
                    o
                }
            }
        }
    });
    order
}

/// A time-series result as the page's chart (the engine decides what is a series).
fn chart(out: &trailscope_engine::QueryOutput) -> Option<Chart> {
    let set = out.series()?;
    let changed = out.notices.iter().find_map(|n| match *n {
        Notice::IntervalChanged {
            asked,
            used,
            widened,
            max_bins,
        } => Some(IntervalChange {
            asked,
            used,
            widened,
            max_bins,
        }),
        _ => None,
    });
    Some(Chart {
        changed,
        start_ns: set.start_ns,
        interval_ns: set.interval_ns,
        series: set
            .series
            .into_iter()
            .map(|s| Series {
                name: s.name,
                points: s.points,
            })
            .collect(),
    })
}

/// The DQL condition that a field sidebar value stands for (`event[eventName] == "x"`,
/// `isNull(f)`), or `None` for values a condition cannot name simply (arrays, records).
fn field_condition(field: &str, v: &trailscope_engine::Value) -> Option<String> {
    use trailscope_engine::syntax::quote;
    use trailscope_engine::Value as V;
    Some(match v {
        V::Null => format!("isNull({field})"),
        V::Str(s) => format!("{field} == {}", quote::string(s)),
        V::Bool(_) | V::Long(_) => format!("{field} == {}", v.display()),
        V::Double(d) if d.is_finite() => format!("{field} == {}", v.display()),
        V::Timestamp(_) => format!("{field} == toTimestamp({})", quote::string(&v.display())),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sidebar_values_become_conditions() {
        use trailscope_engine::Value as V;
        for (v, cond) in [
            (V::str("a\"b"), Some(r#"event[eventName] == "a\"b""#)),
            (V::Long(3), Some("event[eventName] == 3")),
            (V::Bool(true), Some("event[eventName] == true")),
            (V::Null, Some("isNull(event[eventName])")),
            (V::Array(vec![V::Long(1)].into()), None),
        ] {
            assert_eq!(field_condition("event[eventName]", &v).as_deref(), cond);
        }
    }
}
