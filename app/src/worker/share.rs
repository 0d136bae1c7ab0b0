//! The worker's side of sharing (issue 6): result exports in the current view order, case files
//! with the loaded events, and the checks a case file passes before the page opens it. The
//! worker holds the results and the store, so the bytes are made here and sent to the page as a
//! `Blob` next to the JSON message (`{ response, blob }`, unwrapped by `crate::bridge`).

use gloo_file::futures::read_as_bytes;
use js_sys::{Array, Object, Reflect, Uint8Array};
use trailscope_share::casefile::{self, EventsWriter, MAX_FILE_BYTES};
use trailscope_share::export::{self, Format};
use trailscope_share::CaseData;
use wasm_bindgen::JsValue;
use web_sys::{Blob, BlobPropertyBag, File};

use super::{scope, view_row, STATE};
use crate::protocol::Response;

/// Posts `r` with `bytes` as a Blob of type `mime`. (web-sys rather than `gloo_file::Blob`,
/// which throws when the browser refuses a Blob: a too large export becomes a message instead.)
fn post_with_blob(r: &Response, bytes: &[u8], mime: &str) {
    let parts = Array::of1(&Uint8Array::from(bytes));
    let opts = BlobPropertyBag::new();
    opts.set_type(mime);
    let blob = match Blob::new_with_u8_array_sequence_and_options(&parts, &opts) {
        Ok(b) => b,
        Err(e) => {
            super::post(&Response::Error {
                message: format!("cannot hand the export to the page: {e:?}"),
            });
            return;
        }
    };
    let msg = Object::new();
    let _ = Reflect::set(&msg, &"response".into(), &JsValue::from_str(&r.to_json()));
    let _ = Reflect::set(&msg, &"blob".into(), &blob);
    let _ = scope().post_message(&msg);
}

fn failed(what: &str, message: impl Into<String>) {
    super::post(&Response::ExportFailed {
        what: what.into(),
        message: message.into(),
    });
}

/// Writes result `id` in `format` and posts it.
pub(super) fn export_result(id: u64, format: &str, copy: bool) {
    let Some(fmt) = Format::parse(format) else {
        return failed(format, format!("unknown export format {format:?}"));
    };
    let out = STATE.with_borrow(|s| {
        let k = s.results.get(&id)?;
        let n = k.table.num_rows();
        let mut out = Vec::new();
        let order = (0..n).filter_map(|r| view_row(k, r));
        Some(export::write(&k.table, order, fmt, &mut out).map(|_| (out, n)))
    });
    match out {
        None => failed(
            format,
            "this result is no longer kept; run the query again, then export",
        ),
        Some(Err(e)) => failed(format, e.to_string()),
        Some(Ok((bytes, rows))) => post_with_blob(
            &Response::Exported {
                what: format.into(),
                file_name: format!("trailscope-result.{}", fmt.extension()),
                rows,
                copy,
            },
            &bytes,
            fmt.mime(),
        ),
    }
}

/// Writes a case file for `case_json` (with every loaded event when asked) and posts it.
pub(super) fn export_case(case_json: &str, include_events: bool, created: &str) {
    let case: CaseData = match serde_json::from_str(case_json) {
        Ok(c) => c,
        Err(e) => return failed("case", format!("the case cannot be exported: {e}")),
    };
    let events = if include_events {
        let (loading, store) = STATE.with_borrow(|s| (s.loading, s.store.clone()));
        if loading {
            return failed(
                "case",
                "data is still loading: export the case when loading has finished",
            );
        }
        let Some(store) = store.filter(|s| !s.is_empty()) else {
            return failed(
                "case",
                "no events are loaded: export the case without events, or load data first",
            );
        };
        // Each event's original JSON (rebuilt from the store: compact, key order and number
        // text kept), one per line, with the source and bucket it was loaded from.
        let mut w = EventsWriter::new();
        for row in 0..store.len() as u32 {
            let (source, bucket) = store.origin(row);
            if let Err(e) = w.add_from(source, bucket, &store.content(row)) {
                return failed("case", e);
            }
        }
        match w.finish() {
            Ok(p) => Some(p),
            Err(e) => return failed("case", e),
        }
    } else {
        None
    };
    match casefile::encode(&case, created, events) {
        Ok(bytes) => post_with_blob(
            &Response::Exported {
                what: "case".into(),
                file_name: casefile::file_name(&case.name),
                rows: 0,
                copy: false,
            },
            &bytes,
            "application/json",
        ),
        Err(e) => failed("case", e),
    }
}

/// Reads and checks the case file sent with the request, then posts the case (and its events
/// as a gzip Blob) or the reason it was refused.
pub(super) async fn import_case(name: String, files: Vec<File>) {
    let reject = |message: String| {
        super::post(&Response::CaseRejected {
            file_name: name.clone(),
            message,
        })
    };
    let Some(file) = files.into_iter().next() else {
        return reject("no file came with the request".into());
    };
    let size = file.size() as u64;
    if size > MAX_FILE_BYTES {
        return reject(casefile::CaseFileError::TooLarge { bytes: size }.to_string());
    }
    let bytes = match read_as_bytes(&gloo_file::Blob::from(file)).await {
        Ok(bytes) => bytes,
        Err(e) => return reject(format!("the file cannot be read ({e})")),
    };
    let imported = match casefile::decode(&bytes) {
        Ok(i) => i,
        Err(e) => return reject(e.to_string()),
    };
    drop(bytes);
    let case = serde_json::to_string(&imported.case).unwrap_or_default();
    match imported.events {
        None => super::post(&Response::CaseImported {
            file_name: name,
            case,
            events: None,
            sources: Vec::new(),
        }),
        Some(ev) if ev.sources.is_empty() => post_with_blob(
            &Response::CaseImported {
                file_name: name.clone(),
                case,
                events: Some(ev.count),
                sources: Vec::new(),
            },
            &ev.gzip,
            "application/gzip",
        ),
        // Version 2: one NDJSON part per source, so each event gets its `log.source` and
        // bucket back.
        Some(ev) => match casefile::split_events(&ev, &name) {
            Err(e) => reject(e.to_string()),
            Ok(parts) => {
                let sources = parts
                    .iter()
                    .map(|(s, _)| (s.name.clone(), s.bucket.clone()))
                    .collect();
                let r = Response::CaseImported {
                    file_name: name.clone(),
                    case,
                    events: Some(ev.count),
                    sources,
                };
                post_with_blobs(&r, parts.iter().map(|(_, b)| b.as_slice()));
            }
        },
    }
}

/// Posts `r` with one NDJSON Blob per part (`{ response, blobs }`).
fn post_with_blobs<'a>(r: &Response, parts: impl Iterator<Item = &'a [u8]>) {
    let blobs = Array::new();
    let opts = BlobPropertyBag::new();
    opts.set_type("application/x-ndjson");
    for bytes in parts {
        let one = Array::of1(&Uint8Array::from(bytes));
        match Blob::new_with_u8_array_sequence_and_options(&one, &opts) {
            Ok(b) => {
                blobs.push(&b);
            }
            Err(e) => {
                return super::post(&Response::Error {
                    message: format!("cannot hand the case's events to the page: {e:?}"),
                })
            }
        }
    }
    let msg = Object::new();
    let _ = Reflect::set(&msg, &"response".into(), &JsValue::from_str(&r.to_json()));
    let _ = Reflect::set(&msg, &"blobs".into(), &blobs);
    let _ = scope().post_message(&msg);
}
