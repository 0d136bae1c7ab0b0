//! The page's side of the engine worker: starts it, sends [`Request`]s, and hands each
//! [`Response`] (with the `Blob` an export or a case file brings along) to the handler it was
//! started with. It knows the transport and nothing of what the answers mean, so it depends on
//! `protocol` only: the page (`crate::app`) decides where each answer goes.
//!
//! Transport (see `protocol`): JSON text, `{ request, files }` when files go along (the worker
//! reads them), `{ request, flag }` once at start-up on a cross-origin isolated page (the shared
//! cancel flag), and `{ response, blob }` (or `blobs`) when bytes come back.
//!
//! Stopping a query: the worker is busy in synchronous Rust while a query runs, so it cannot
//! read a message until the query is over. Where the page is cross-origin isolated, the bridge
//! shares a `SharedArrayBuffer` with the worker and [`Bridge::interrupt`] sets a flag in it
//! that the query's interrupt reads (`Atomics`). Elsewhere (the single-file build on file://)
//! the only way to stop it is [`Bridge::restart`]: end the worker and start a new one.

use std::cell::RefCell;
use std::rc::Rc;

use gloo_events::EventListener;
use js_sys::{Array, Atomics, Int32Array, Object, Reflect, SharedArrayBuffer};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Blob, File, MessageEvent, Worker, WorkerOptions, WorkerType};

use crate::protocol::{cancel_tag, Request, Response};

/// Where every answer of the worker goes.
type Handler = Rc<dyn Fn(Response, Vec<Blob>)>;

/// A started engine worker. Cloning shares it.
#[derive(Clone)]
pub struct Bridge {
    worker: Worker,
    /// Messages posted before the worker said `Ready` would be lost (its handler is set only
    /// once the wasm module has started), so they wait here.
    pending: Rc<RefCell<Option<Vec<JsValue>>>>,
    /// The cancel flag shared with the worker, on a cross-origin isolated page.
    cancel: Option<Int32Array>,
    /// The answers' handler, kept to start a new worker with it ([`Bridge::restart`]).
    handler: Handler,
    /// The worker's `message` and `error` listeners, removed with the last clone.
    _listeners: Rc<[EventListener; 2]>,
}

/// A flag the worker can read while it is busy: an `Int32Array` over a `SharedArrayBuffer`.
/// Only a cross-origin isolated page (served with COOP `same-origin` and COEP `require-corp`,
/// as scripts/static-server.py does) may share one with a worker; elsewhere `None`.
fn shared_flag() -> Option<Int32Array> {
    let global = js_sys::global();
    let isolated = Reflect::get(&global, &"crossOriginIsolated".into())
        .ok()
        .and_then(|v| v.as_bool())
        == Some(true);
    let has_sab = Reflect::has(&global, &"SharedArrayBuffer".into()).unwrap_or(false);
    (isolated && has_sab).then(|| Int32Array::new(&SharedArrayBuffer::new(4)))
}

/// A worker message as the page reads it: the response, and the blobs that came next to it
/// (`blob`: one, `blobs`: an array).
fn decode(data: &JsValue) -> Option<(Response, Vec<Blob>)> {
    if let Some(text) = data.as_string() {
        return Some((Response::from_json(&text)?, Vec::new()));
    }
    let text = Reflect::get(data, &"response".into()).ok()?.as_string()?;
    let mut blobs: Vec<Blob> = Reflect::get(data, &"blob".into())
        .ok()
        .and_then(|b| b.dyn_into::<Blob>().ok())
        .into_iter()
        .collect();
    if let Some(list) = Reflect::get(data, &"blobs".into())
        .ok()
        .and_then(|b| b.dyn_into::<js_sys::Array>().ok())
    {
        blobs.extend(list.iter().filter_map(|b| b.dyn_into::<Blob>().ok()));
    }
    Some((Response::from_json(&text)?, blobs))
}

/// The worker's script URL and type. Trunk's build starts `worker.js` as a module with the
/// hashed names `boot.js` left in `trailscopeFiles`; the single-file build
/// (scripts/build-single-file) leaves a `blob:` URL of the inlined script and wasm there
/// instead: a classic worker, as a file:// page may not start module workers from blob: URLs.
fn worker_script() -> Result<(String, WorkerType), String> {
    let files = Reflect::get(&js_sys::global(), &"trailscopeFiles".into())
        .map_err(|_| "no trailscopeFiles")?;
    let name = |key: &str| {
        Reflect::get(&files, &key.into())
            .ok()
            .and_then(|v| v.as_string())
    };
    if let Some(url) = name("workerUrl") {
        return Ok((url, WorkerType::Classic));
    }
    let js = name("js").ok_or("no js file name")?;
    let wasm = name("wasm").ok_or("no wasm file name")?;
    let enc = |s: &str| String::from(js_sys::encode_uri_component(s));
    let url = format!("worker.js?js={}&wasm={}", enc(&js), enc(&wasm));
    Ok((url, WorkerType::Module))
}

impl Bridge {
    /// Starts the worker with the same wasm files as the page; `on_message` gets every answer.
    pub fn start(on_message: impl Fn(Response, Vec<Blob>) + 'static) -> Result<Bridge, String> {
        Bridge::start_with(Rc::new(on_message))
    }

    fn start_with(handler: Handler) -> Result<Bridge, String> {
        let (url, kind) = worker_script()?;
        let opts = WorkerOptions::new();
        opts.set_type(kind);
        opts.set_name("trailscope-engine");
        let worker = Worker::new_with_options(&url, &opts)
            .map_err(|e| format!("cannot start the engine worker: {e:?}"))?;
        let pending: Rc<RefCell<Option<Vec<JsValue>>>> = Rc::new(RefCell::new(Some(Vec::new())));
        let queue = pending.clone();
        let target = worker.clone();
        let answer = handler.clone();
        let on_message = EventListener::new(&worker, "message", move |ev| {
            let Some(ev) = ev.dyn_ref::<MessageEvent>() else {
                return;
            };
            let Some((r, blob)) = decode(&ev.data()) else {
                return;
            };
            if r == Response::Ready {
                let waiting = queue.borrow_mut().take().unwrap_or_default();
                for m in waiting {
                    let _ = target.post_message(&m);
                }
            }
            answer(r, blob);
        });
        let on_error = EventListener::new(&worker, "error", |ev| {
            web_sys::console::error_2(&"engine worker error".into(), ev);
        });
        let bridge = Bridge {
            worker,
            pending,
            cancel: shared_flag(),
            handler,
            _listeners: Rc::new([on_message, on_error]),
        };
        if let Some(flag) = &bridge.cancel {
            let msg = Object::new();
            let request = Request::CancelFlag.to_json();
            let _ = Reflect::set(&msg, &"request".into(), &JsValue::from_str(&request));
            let _ = Reflect::set(&msg, &"flag".into(), flag);
            bridge.post(msg.into());
        }
        Ok(bridge)
    }

    /// Whether a running query can be stopped with the data kept ([`Bridge::interrupt`]).
    pub fn can_interrupt(&self) -> bool {
        self.cancel.is_some()
    }

    /// Asks the worker to stop query `id` (it answers with the engine's E402 error); `false`
    /// when there is no shared flag to ask through (use [`Bridge::restart`]).
    pub fn interrupt(&self, id: u64) -> bool {
        match &self.cancel {
            Some(flag) => Atomics::store(flag, 0, cancel_tag(id)).is_ok(),
            None => false,
        }
    }

    /// Ends this worker, whatever it is doing (and with it every loaded event and result), and
    /// starts a new one with the same handler.
    pub fn restart(&self) -> Result<Bridge, String> {
        self.worker.terminate();
        Bridge::start_with(self.handler.clone())
    }

    fn post(&self, msg: JsValue) {
        if let Some(q) = self.pending.borrow_mut().as_mut() {
            q.push(msg);
            return;
        }
        let _ = self.worker.post_message(&msg);
    }

    pub fn send(&self, r: &Request) {
        self.post(JsValue::from_str(&r.to_json()));
    }

    /// Sends `r` with `files` next to it (`Load`, `ImportCase`); the worker reads them.
    pub fn send_with_files(&self, r: &Request, files: &[File]) {
        let msg = Object::new();
        let list = Array::new();
        for f in files {
            list.push(f);
        }
        let _ = Reflect::set(&msg, &"request".into(), &JsValue::from_str(&r.to_json()));
        let _ = Reflect::set(&msg, &"files".into(), &list);
        self.post(msg.into());
    }
}
