//! Data crossing the page's edge: files a user drops or picks (with their folder paths), the
//! bundled sample, the first bytes of a file, downloads, and the clipboard. Every place that
//! copies to the clipboard goes through [`copy_text`].

use std::future::Future;

use gloo_file::futures::{read_as_bytes, read_as_text};
use gloo_file::ObjectUrl;
use gloo_timers::callback::Timeout;
use js_sys::{Array, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{Blob, File, HtmlAnchorElement};

#[wasm_bindgen(module = "/src/js/files.js")]
extern "C" {
    #[wasm_bindgen(js_name = filesFromDataTransfer)]
    async fn files_from_data_transfer(dt: &web_sys::DataTransfer) -> JsValue;
    #[wasm_bindgen(js_name = filesFromInput)]
    fn files_from_input(input: &web_sys::HtmlInputElement) -> JsValue;
}

/// The bundled sample export, relative to the page (public/sample/ is copied into dist/); also
/// the path it is loaded under.
pub const SAMPLE_URL: &str = "sample/cloudtrail-sample.json.gz";

/// A file to load and the path it is known by.
pub struct PickedFile {
    pub path: String,
    pub file: File,
}

fn picked(list: JsValue) -> Vec<PickedFile> {
    Array::from(&list)
        .iter()
        .filter_map(|o| {
            let file = Reflect::get(&o, &"file".into())
                .ok()?
                .dyn_into::<File>()
                .ok()?;
            let path = Reflect::get(&o, &"path".into())
                .ok()?
                .as_string()
                .unwrap_or_else(|| file.name());
            Some(PickedFile { path, file })
        })
        .collect()
}

/// The files of a drop, folders walked (paths relative to what was dropped), sorted by path.
pub async fn dropped_files(dt: &web_sys::DataTransfer) -> Vec<PickedFile> {
    picked(files_from_data_transfer(dt).await)
}

/// The files picked in an `<input type=file>` (a folder's keep their relative paths).
pub fn input_files(input: &web_sys::HtmlInputElement) -> Vec<PickedFile> {
    picked(files_from_input(input))
}

/// A `File` named `name` holding `blob` (a case file's events, loaded like any file).
pub fn file_from_blob(blob: Blob, name: &str) -> File {
    let file = gloo_file::File::new(name, gloo_file::Blob::from(blob));
    AsRef::<File>::as_ref(&file).clone()
}

/// The bundled sample as a file to load.
pub async fn sample_file() -> Result<PickedFile, String> {
    let bytes = fetch_bytes(SAMPLE_URL).await?;
    let file = gloo_file::File::new("cloudtrail-sample.json.gz", bytes.as_slice());
    Ok(PickedFile {
        path: SAMPLE_URL.into(),
        file: AsRef::<File>::as_ref(&file).clone(),
    })
}

/// GETs `url` (relative to the page) and returns the body, or a message for the status line.
/// (The CSP allows no other host.)
async fn fetch_bytes(url: &str) -> Result<Vec<u8>, String> {
    // The single-file build (file://, where fetch cannot read files) carries its assets inline:
    // its boot code leaves them in `trailscopeAssets` as { url: Uint8Array }.
    if let Some(bytes) = Reflect::get(&js_sys::global(), &"trailscopeAssets".into())
        .ok()
        .filter(|a| a.is_object())
        .and_then(|a| Reflect::get(&a, &url.into()).ok())
        .and_then(|b| b.dyn_into::<Uint8Array>().ok())
    {
        return Ok(bytes.to_vec());
    }
    let window = web_sys::window().ok_or("no window object")?;
    let response: web_sys::Response = JsFuture::from(window.fetch_with_str(url))
        .await
        .map_err(js_error)?
        .dyn_into()
        .map_err(js_error)?;
    if !response.ok() {
        return Err(format!("{url}: HTTP {}", response.status()));
    }
    let buffer = JsFuture::from(response.array_buffer().map_err(js_error)?)
        .await
        .map_err(js_error)?;
    Ok(Uint8Array::new(&buffer).to_vec())
}

fn js_error(value: JsValue) -> String {
    value
        .as_string()
        .or_else(|| {
            value
                .dyn_ref::<js_sys::Error>()
                .map(|e| String::from(e.message()))
        })
        .unwrap_or_else(|| format!("{value:?}"))
}

/// The first `n` bytes of `file` (fewer when it is shorter; none when it cannot be read).
pub async fn head(file: &File, n: u64) -> Vec<u8> {
    let blob = gloo_file::Blob::from(file.clone()).slice(0, n);
    read_as_bytes(&blob).await.unwrap_or_default()
}

/// The text in `blob` (an export to copy), empty when it cannot be read.
pub async fn blob_text(blob: Blob) -> String {
    read_as_text(&gloo_file::Blob::from(blob))
        .await
        .unwrap_or_default()
}

/// Saves `blob` as a download named `name` (an object URL and a temporary `<a download>`).
pub fn download(blob: Blob, name: &str) -> Result<(), String> {
    let err = |e: JsValue| format!("the download could not start: {e:?}");
    let doc = web_sys::window()
        .and_then(|w| w.document())
        .ok_or("no document")?;
    let url = ObjectUrl::from(blob);
    let a: HtmlAnchorElement = doc
        .create_element("a")
        .map_err(err)?
        .dyn_into()
        .map_err(|_| "no anchor element")?;
    a.set_href(&url);
    a.set_download(name);
    a.set_rel("noopener");
    let body = doc.body().ok_or("no body")?;
    body.append_child(&a).map_err(err)?;
    a.click();
    let _ = body.remove_child(&a);
    // The browser has the blob by the time this runs; dropping the URL revokes it.
    Timeout::new(60_000, move || drop(url)).forget();
    Ok(())
}

/// Starts writing `text` to the clipboard now (inside the user's click, where browsers allow
/// it) and resolves to whether it worked. Without a clipboard (an insecure context, a refused
/// permission) it resolves to `false`.
pub fn copy_text(text: &str) -> impl Future<Output = bool> {
    let promise = web_sys::window()
        .map(|w| w.navigator())
        .and_then(|n| Reflect::get(&n, &"clipboard".into()).ok())
        .filter(|c| !c.is_undefined() && !c.is_null())
        .map(|c| c.unchecked_into::<web_sys::Clipboard>().write_text(text));
    async move {
        match promise {
            Some(p) => JsFuture::from(p).await.is_ok(),
            None => false,
        }
    }
}
