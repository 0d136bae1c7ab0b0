// Starts the Trailscope WebAssembly app.
//
// This lives in a file rather than in Trunk's default inline <script> so that the page's
// Content-Security-Policy can forbid inline script. Trunk.toml's `pattern_script` writes the
// hashed names of the wasm-bindgen glue and the wasm binary onto the <script> tag that loads us.
const tag = document.querySelector("script[data-trailscope-js]");

// The engine worker loads the same two files (see worker.js).
globalThis.trailscopeFiles = { js: tag.dataset.trailscopeJs, wasm: tag.dataset.trailscopeWasm };

try {
  const { default: init } = await import(tag.dataset.trailscopeJs);
  const wasm = await init({ module_or_path: tag.dataset.trailscopeWasm });
  dispatchEvent(new CustomEvent("TrunkApplicationStarted", { detail: { wasm } }));
} catch (err) {
  const p = document.createElement("p");
  p.setAttribute("role", "alert");
  p.className = "boot-error";
  p.textContent = `Trailscope could not start: ${err}`;
  document.body.prepend(p);
  throw err;
}
