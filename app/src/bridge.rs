//! The page's side of the engine worker: starts it, sends [`Request`]s, hands each
//! [`Response`] to a callback. Files are handed over as `File` objects (the worker reads them).

use js_sys::{Array, Object, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{MessageEvent, Worker, WorkerOptions, WorkerType};

use crate::protocol::{Request, Response};

#[wasm_bindgen(module = "/src/js/files.js")]
extern "C" {
    #[wasm_bindgen(js_name = filesFromDataTransfer)]
    async fn files_from_data_transfer(dt: &web_sys::DataTransfer) -> JsValue;
    #[wasm_bindgen(js_name = filesFromInput)]
    fn files_from_input(input: &web_sys::HtmlInputElement) -> JsValue;
}

/// A file to load and the path it is known by.
pub struct PickedFile {
    pub path: String,
    pub file: web_sys::File,
}

fn picked(list: JsValue) -> Vec<PickedFile> {
    Array::from(&list)
        .iter()
        .filter_map(|o| {
            let file = Reflect::get(&o, &"file".into())
                .ok()?
                .dyn_into::<web_sys::File>()
                .ok()?;
            let path = Reflect::get(&o, &"path".into())
                .ok()?
                .as_string()
                .unwrap_or_else(|| file.name());
            Some(PickedFile { path, file })
        })
        .collect()
}

pub async fn dropped_files(dt: &web_sys::DataTransfer) -> Vec<PickedFile> {
    picked(files_from_data_transfer(dt).await)
}

pub fn input_files(input: &web_sys::HtmlInputElement) -> Vec<PickedFile> {
    picked(files_from_input(input))
}

#[derive(Clone)]
pub struct Bridge {
    worker: Worker,
    /// Messages posted before the worker said `Ready` would be lost (its handler is set only
    /// once the wasm module has started), so they wait here.
    pending: std::rc::Rc<std::cell::RefCell<Option<Vec<JsValue>>>>,
}

impl Bridge {
    /// Starts the worker with the same wasm files as the page (names left by `boot.js`).
    pub fn start(on_response: impl Fn(Response) + 'static) -> Result<Bridge, String> {
        let files = Reflect::get(&js_sys::global(), &"trailscopeFiles".into())
            .map_err(|_| "no trailscopeFiles")?;
        let js = Reflect::get(&files, &"js".into())
            .ok()
            .and_then(|v| v.as_string())
            .ok_or("no js file name")?;
        let wasm = Reflect::get(&files, &"wasm".into())
            .ok()
            .and_then(|v| v.as_string())
            .ok_or("no wasm file name")?;
        let enc = |s: &str| String::from(js_sys::encode_uri_component(s));
        // The single-file build (scripts/build-single-file) starts the worker from a blob: URL
        // that its boot code made from the inlined script and wasm: a classic worker, as a
        // file:// page may not start module workers from blob: URLs.
        let inline = Reflect::get(&files, &"workerUrl".into())
            .ok()
            .and_then(|v| v.as_string());
        let opts = WorkerOptions::new();
        opts.set_type(if inline.is_some() {
            WorkerType::Classic
        } else {
            WorkerType::Module
        });
        let url =
            inline.unwrap_or_else(|| format!("worker.js?js={}&wasm={}", enc(&js), enc(&wasm)));
        opts.set_name("trailscope-engine");
        let worker = Worker::new_with_options(&url, &opts)
            .map_err(|e| format!("cannot start the engine worker: {e:?}"))?;
        let pending: std::rc::Rc<std::cell::RefCell<Option<Vec<JsValue>>>> = Default::default();
        *pending.borrow_mut() = Some(Vec::new());
        let queue = pending.clone();
        let worker_for_flush = worker.clone();
        let handler = Closure::<dyn FnMut(MessageEvent)>::new(move |ev: MessageEvent| {
            // Exports come as { response, blob } (crate::share keeps the blob).
            let text = ev
                .data()
                .as_string()
                .or_else(|| crate::share::unwrap_message(&ev.data()));
            if let Some(r) = text.and_then(|t| Response::from_json(&t)) {
                if r == Response::Ready {
                    let waiting = queue.borrow_mut().take().unwrap_or_default();
                    for m in waiting {
                        let _ = worker_for_flush.post_message(&m);
                    }
                }
                on_response(r);
            }
        });
        worker.set_onmessage(Some(handler.as_ref().unchecked_ref()));
        handler.forget();
        let on_error = Closure::<dyn FnMut(web_sys::Event)>::new(move |ev: web_sys::Event| {
            web_sys::console::error_2(&"engine worker error".into(), &ev);
        });
        worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        on_error.forget();
        Ok(Bridge { worker, pending })
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

    /// Sends `r` with `files` next to it (as `load` does); the worker reads them.
    pub fn send_with_files(&self, r: &Request, files: &[web_sys::File]) {
        let msg = Object::new();
        let list = Array::new();
        for f in files {
            list.push(f);
        }
        let _ = Reflect::set(&msg, &"request".into(), &JsValue::from_str(&r.to_json()));
        let _ = Reflect::set(&msg, &"files".into(), &list);
        self.post(msg.into());
    }

    pub fn load(&self, files: Vec<PickedFile>, bucket: &str) {
        let paths = files.iter().map(|f| f.path.clone()).collect();
        let request = Request::Load {
            paths,
            bucket: bucket.to_string(),
        };
        let msg = Object::new();
        let list = Array::new();
        for f in &files {
            list.push(&f.file);
        }
        let _ = Reflect::set(
            &msg,
            &"request".into(),
            &JsValue::from_str(&request.to_json()),
        );
        let _ = Reflect::set(&msg, &"files".into(), &list);
        self.post(msg.into());
    }
}
