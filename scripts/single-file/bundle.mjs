// Bundles a Trunk release build (dist/) into one self-contained HTML file that works when opened
// straight from disk (file://), with no server and no network: for air-gapped incident rooms.
//
//   node scripts/single-file/bundle.mjs [DIST_DIR] [OUT_FILE]    (defaults: dist, dist-single/trailscope.html)
//
// What goes in, and how it starts:
// - CSS: style.css + app.css as one <style> block.
// - The wasm-bindgen glue (an ES module) with its snippets (app/src/js/*.js) pasted in place of
//   their `import * as importN from "./snippets/…"` lines, so no module is fetched: file:// pages
//   cannot import modules from disk.
// - The wasm binary and the bundled sample export, base64, in non-executed data blocks
//   (<script type="application/octet-stream">).
// - One inline module script: the glue + boot code that decodes the wasm, initialises the page
//   with the bytes (never fetched), and makes the engine worker from a Blob (glue as a classic
//   script + wasm + worker boot) because a file:// page can start neither a worker from a file
//   nor a module worker from a blob. The blob: URL goes to the
//   app through `trailscopeFiles.workerUrl` (app/src/bridge.rs), the sample through
//   `trailscopeAssets` (app/src/transfer.rs).
// - A Content-Security-Policy as strict as the served page's: the one inline script and the one
//   style block are allowed by their SHA-256 hashes (computed here), wasm compilation by
//   'wasm-unsafe-eval', workers only from blob:, and no network at all (connect-src 'none').
//   A blob: worker inherits this policy.

import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "../..");
const dist = path.resolve(process.argv[2] || path.join(root, "dist"));
const out = path.resolve(process.argv[3] || path.join(root, "dist-single/trailscope.html"));

function fail(msg) {
  console.error(`build-single-file: ${msg}`);
  process.exit(1);
}

const read = (rel) => readFileSync(path.join(dist, rel.replace(/^\//, "")));
const index = read("index.html").toString("utf8");
const jsName = index.match(/data-trailscope-js="([^"]+)"/)?.[1];
const wasmName = index.match(/data-trailscope-wasm="([^"]+)"/)?.[1];
if (!jsName || !wasmName) fail(`${dist}/index.html names no data-trailscope-js / data-trailscope-wasm (not a Trunk build of index.html?)`);

// The glue, with each snippet import replaced by the snippet's exports as a local object.
let glue = read(jsName).toString("utf8");
glue = glue.replace(/^import \* as (\w+) from "(\.\/snippets\/[^"]+)";?$/gm, (_, local, rel) => {
  const src = read(path.posix.join(path.posix.dirname(jsName), rel)).toString("utf8");
  const names = [];
  const body = src.replace(/^export\s+((?:async\s+)?function\s*\*?\s*(\w+)|(?:const|let|var|class)\s+(\w+))/gm, (m, decl, fn, other) => {
    names.push(fn || other);
    return decl;
  });
  if (/^\s*(export|import)\b/m.test(body)) fail(`${rel}: only \`export function/const/let/class\` is supported in snippets`);
  return `const ${local} = (() => {\n${body}\nreturn { ${names.join(", ")} };\n})();`;
});
if (/^\s*import\b/m.test(glue)) fail(`${jsName} imports something this bundler does not inline`);
if (!/\basync function __wbg_init\b/.test(glue) || !/\bexport function worker_main\b/.test(glue)) {
  fail(`${jsName} has no __wbg_init / worker_main (another wasm-bindgen version?)`);
}

const css = ["style.css", "app.css"].map((f) => read(f).toString("utf8")).join("\n");
const wasmB64 = read(wasmName).toString("base64");
const sampleRel = "sample/cloudtrail-sample.json.gz";
const sampleB64 = read(sampleRel).toString("base64");
const favicon = `data:image/svg+xml;base64,${read("favicon.svg").toString("base64")}`;

// The worker is a classic script: Chromium refuses module workers from blob: URLs made by a
// file:// page (its origin is opaque), but runs classic ones. So the worker gets the glue with
// its `export`s dropped and `import.meta.url` (a syntax error outside modules) replaced.
const classicGlue = glue
  .replace(/^export \{[^}]*\};?$/gm, "")
  .replace(/^export (?=(async\s+)?function|class|const|let|var)/gm, "")
  .replace(/\bimport\.meta\.url\b/g, "self.location.href");
if (/^\s*export\b|\bimport\.meta\b/m.test(classicGlue)) fail(`${jsName}: cannot make a classic worker script of it`);

// Runs in the worker, after the glue (and `const __tsWasm = "<base64>"`).
const workerBoot = `
(async () => {
  const bin = atob(__tsWasm);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  await __wbg_init({ module_or_path: bytes });
  worker_main();
})().catch((err) => setTimeout(() => { throw err; }));
`;

// Runs in the page, after the glue.
const pageBoot = `
// ---- Trailscope single-file boot (scripts/single-file/bundle.mjs)
const __tsData = (id) => document.getElementById(id).textContent.trim();
const __tsDecode = (b64) => {
  const bin = atob(b64);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return bytes;
};
try {
  const wasmB64 = __tsData("trailscope-wasm");
  const workerSource = new Blob(
    [document.getElementById("trailscope-glue").textContent, "\\nconst __tsWasm = \\"", wasmB64, "\\";\\n", ${JSON.stringify(workerBoot)}],
    { type: "text/javascript" },
  );
  globalThis.trailscopeFiles = { js: "inline", wasm: "inline", workerUrl: URL.createObjectURL(workerSource) };
  globalThis.trailscopeAssets = { ${JSON.stringify(sampleRel)}: __tsDecode(__tsData("trailscope-sample")) };
  const wasm = await __wbg_init({ module_or_path: __tsDecode(wasmB64) });
  dispatchEvent(new CustomEvent("TrunkApplicationStarted", { detail: { wasm } }));
} catch (err) {
  const p = document.createElement("p");
  p.setAttribute("role", "alert");
  p.className = "boot-error";
  p.textContent = \`Trailscope could not start: \${err}\`;
  document.body.prepend(p);
  throw err;
}
`;

const script = `${glue}\n${pageBoot}`;
for (const [what, text] of [["script", script], ["worker script", classicGlue], ["style", css]]) {
  if (/<\/(script|style)/i.test(text)) fail(`the inlined ${what} contains a closing tag`);
}
const sha = (text) => `'sha256-${createHash("sha256").update(text, "utf8").digest("base64")}'`;
const csp = [
  "default-src 'none'",
  `script-src ${sha(script)} 'wasm-unsafe-eval'`,
  "worker-src blob:",
  `style-src ${sha(css)}`,
  "img-src data: blob:",
  "connect-src 'none'",
  "font-src 'none'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join("; ");

const html = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <!--
      Trailscope, single-file build: engine, UI, styles and the sample export in this one file.
      It opens from disk (file://) with no server and makes no network request. The one inline
      script and the one style block are allowed by their hashes; nothing else may run.
    -->
    <meta http-equiv="Content-Security-Policy" content="${csp}" />
    <meta name="referrer" content="no-referrer" />
    <title>Trailscope</title>
    <link rel="icon" href="${favicon}" type="image/svg+xml" />
    <style>${css}</style>
    <script type="application/octet-stream" id="trailscope-wasm">${wasmB64}</script>
    <script type="application/octet-stream" id="trailscope-sample">${sampleB64}</script>
    <script type="text/plain" id="trailscope-glue">${classicGlue}</script>
    <script type="module">${script}</script>
  </head>
  <body>
    <noscript>Trailscope runs in your browser and needs JavaScript and WebAssembly.</noscript>
  </body>
</html>
`;

mkdirSync(path.dirname(out), { recursive: true });
writeFileSync(out, html);
const mb = (n) => `${(n / 1048576).toFixed(1)} MB`;
console.log(`build-single-file: wrote ${path.relative(process.cwd(), out) || out} (${mb(statSync(out).size)}; wasm ${mb(read(wasmName).length)}, sample ${mb(read(sampleRel).length)})`);
