//! Fetches a same-origin file as bytes (the bundled sample); the CSP allows no other hosts.

use js_sys::Uint8Array;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::Response;

/// GETs `url` (relative to the page) and returns the body, or a message for the status line.
pub async fn fetch_bytes(url: &str) -> Result<Vec<u8>, String> {
    // The single-file build (file://, where fetch cannot read files) carries its assets inline:
    // its boot code leaves them in `trailscopeAssets` as { url: Uint8Array }.
    if let Some(bytes) = js_sys::Reflect::get(&js_sys::global(), &"trailscopeAssets".into())
        .ok()
        .filter(|a| a.is_object())
        .and_then(|a| js_sys::Reflect::get(&a, &url.into()).ok())
        .and_then(|b| b.dyn_into::<Uint8Array>().ok())
    {
        return Ok(bytes.to_vec());
    }
    let window = web_sys::window().ok_or("no window object")?;
    let response: Response = JsFuture::from(window.fetch_with_str(url))
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
