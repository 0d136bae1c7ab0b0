// Peer "wasm in Node": the engine built for wasm32 (bench/wasm, wasm-bindgen --target nodejs)
// loads the generated file and runs the seed queries, as the app's worker does.
//
//   node engine-wasm.mjs --pkg DIR --file F --queries DIR --runs N --out REPORT.json [--peer NAME]
//
// Ingest time covers reading the file in 4 MiB chunks and pushing each into the engine (as the
// app's worker reads `File.slice`s), parsing and `finish`. Room is reserved from the file's size
// first, as the worker does.

import { createRequire } from "node:module";
import { closeSync, openSync, readSync, statSync } from "node:fs";
import path from "node:path";

import { parseArgs, peakRss, readQueries, timeQuery, jsonLines, writeReport } from "./common.mjs";

const args = parseArgs();
const require = createRequire(import.meta.url);
const { Engine, wasmMemoryBytes } = require(path.resolve(args.pkg, "trailscope_bench_wasm.js"));
const runs = Number(args.runs || 5);
const MAX_RESULT_ROWS = 10000;

const report = { peer: args.peer || "wasm-node", notes: [], queries: [] };
const started = performance.now();
const inputBytes = statSync(args.file).size;
const engine = new Engine(args.bucket || "my_aws_bucket");
engine.reserve(inputBytes * (args.file.endsWith(".gz") ? 8 : 1));
engine.beginFile(path.basename(args.file));
const chunk = Buffer.alloc(4 << 20);
const fd = openSync(args.file, "r");
for (;;) {
  const n = readSync(fd, chunk, 0, chunk.length, null);
  if (n === 0) break;
  engine.push(chunk.subarray(0, n));
}
closeSync(fd);
engine.endFile();
const events = engine.finish();
const seconds = (performance.now() - started) / 1e3;
globalThis.gc?.();
report.ingest = {
  seconds,
  input_bytes: inputBytes,
  events,
  // The linear memory never shrinks: its size is the high-water mark of the load.
  after_bytes: wasmMemoryBytes(),
  store_bytes: engine.storeBytes(),
  rss_after_bytes: process.memoryUsage().rss,
  // Node's copy of the file + the wasm memory (file copy + store).
  peak_bytes: peakRss(),
};
report.notes.push(`wasm linear memory after load ${(wasmMemoryBytes() / 1e6).toFixed(0)} MB; engine store ${(engine.storeBytes() / 1e6).toFixed(0)} MB`);

for (const q of readQueries(args.queries, "dql")) {
  report.queries.push(
    await timeQuery(q.name, runs, (first) => {
      const rows = engine.query(q.text);
      const result = first && rows <= MAX_RESULT_ROWS ? jsonLines(engine.lastResultJson()) : null;
      return { rows, result };
    }),
  );
}
report.peak_bytes = peakRss();
report.wasm_memory_bytes = wasmMemoryBytes();
writeReport(args.out, report);
