//! The Trailscope engine behind a minimal wasm-bindgen interface for Node.js: push file bytes,
//! finish loading, run a query, read its result as JSON Lines. `bench/node/engine-wasm.mjs`
//! times these calls; the interface adds nothing the app's worker does not also do.

use std::sync::Arc;

use trailscope_engine::{
    exec::default_now, ingest::FileLoad, render_diagnostics, run_query, LoadOptions, Loader,
    QueryOptions, Store, Table,
};
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
pub struct Engine {
    loader: Option<Loader>,
    /// The file being streamed in (`beginFile` … `push` … `endFile`), as the app's worker does.
    file: Option<FileLoad>,
    store: Option<Arc<Store>>,
    events: usize,
    /// The last query's result, kept so that its JSON is only built when asked for (outside
    /// the timed call).
    last: Option<Table>,
}

#[wasm_bindgen]
impl Engine {
    /// A new, empty engine whose events get `bucket` as `dt.system.bucket`.
    #[wasm_bindgen(constructor)]
    pub fn new(bucket: &str) -> Engine {
        Engine {
            loader: Some(Loader::new(LoadOptions {
                bucket: bucket.to_string(),
            })),
            file: None,
            store: None,
            events: 0,
            last: None,
        }
    }

    /// Loads one file's bytes (gzip, Records JSON, NDJSON, … as the app accepts them).
    #[wasm_bindgen(js_name = addBytes)]
    pub fn add_bytes(&mut self, name: &str, bytes: &[u8]) -> Result<(), JsError> {
        let loader = self
            .loader
            .as_mut()
            .ok_or_else(|| JsError::new("loading has finished"))?;
        loader.add_bytes(name, bytes);
        Ok(())
    }

    /// Room for about `json_bytes` of JSON, allocated once (the worker does this with the
    /// dropped files' sizes).
    pub fn reserve(&mut self, json_bytes: f64) -> Result<(), JsError> {
        let loader = self
            .loader
            .as_mut()
            .ok_or_else(|| JsError::new("loading has finished"))?;
        loader.reserve_for(json_bytes as u64);
        Ok(())
    }

    /// Starts streaming a file: its bytes follow with `push`, then `endFile`.
    #[wasm_bindgen(js_name = beginFile)]
    pub fn begin_file(&mut self, name: &str) -> Result<(), JsError> {
        let loader = self
            .loader
            .as_mut()
            .ok_or_else(|| JsError::new("loading has finished"))?;
        self.file = Some(loader.begin_file(name));
        Ok(())
    }

    /// The next chunk of the file being streamed.
    pub fn push(&mut self, bytes: &[u8]) -> Result<(), JsError> {
        let (Some(loader), Some(file)) = (self.loader.as_mut(), self.file.as_mut()) else {
            return Err(JsError::new("call beginFile first"));
        };
        loader.push(file, bytes);
        Ok(())
    }

    #[wasm_bindgen(js_name = endFile)]
    pub fn end_file(&mut self) -> Result<(), JsError> {
        let (Some(loader), Some(file)) = (self.loader.as_mut(), self.file.take()) else {
            return Err(JsError::new("call beginFile first"));
        };
        loader.end_file(file);
        Ok(())
    }

    /// Ends loading (sorts the rows, builds the store); returns the number of events.
    pub fn finish(&mut self) -> Result<usize, JsError> {
        let loader = self
            .loader
            .take()
            .ok_or_else(|| JsError::new("loading has finished"))?;
        let (store, report) = loader.finish();
        self.events = report.events();
        self.store = Some(store);
        Ok(self.events)
    }

    /// Approximate heap bytes of the loaded store (as `trailscope bench` reports it).
    #[wasm_bindgen(js_name = storeBytes)]
    pub fn store_bytes(&self) -> f64 {
        self.store.as_ref().map_or(0.0, |s| s.heap_bytes() as f64)
    }

    /// Runs a query over all loaded data, with "now" just after the newest event (as the CLI
    /// and the app do); returns the number of result rows.
    pub fn query(&mut self, text: &str) -> Result<usize, JsError> {
        let store = self
            .store
            .as_ref()
            .ok_or_else(|| JsError::new("call finish() before querying"))?;
        let opts = QueryOptions {
            now_ns: store.time_span().map(|(_, newest)| default_now(newest)),
            ..QueryOptions::default()
        };
        self.last = None;
        match run_query(store, text, &opts) {
            Ok(out) => {
                let rows = out.table.num_rows();
                self.last = Some(out.table);
                Ok(rows)
            }
            Err(d) => Err(JsError::new(&render_diagnostics(text, &d))),
        }
    }

    /// The last query's result as JSON Lines (as `trailscope query --format json` writes it).
    #[wasm_bindgen(js_name = lastResultJson)]
    pub fn last_result_json(&self) -> String {
        let mut out = Vec::new();
        if let Some(t) = &self.last {
            // Writing into a Vec cannot fail.
            let _ = t.write_json_lines(&mut out);
        }
        String::from_utf8_lossy(&out).into_owned()
    }
}

/// Size of the module's linear memory in bytes. It only grows: after a load it holds the
/// largest the load ever needed (file bytes included), which is what the page keeps.
#[wasm_bindgen(js_name = wasmMemoryBytes)]
pub fn wasm_memory_bytes() -> f64 {
    (core::arch::wasm32::memory_size(0) as f64) * 65536.0
}
