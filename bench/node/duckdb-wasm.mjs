// Peer "DuckDB-Wasm in Node": npm @duckdb/duckdb-wasm (the blocking Node bundle) loads the
// generated file the way a browser app built on it has to, and runs bench/sql/*.sql.
//
//   node duckdb-wasm.mjs --file F --sql DIR --runs N --out REPORT.json
//
// DuckDB-Wasm's JSON reader lives in its `json` extension, which it downloads at run time; this
// machine (like an offline responder's) cannot, so `read_json` fails. The script records that
// failure, then loads like an app would: the file's bytes are cut into chunks of whole events
// (one JSON.parse of a 1.3 GB document is impossible: V8 strings stop at 512 MB), each chunk is
// JSON.parse'd, the columns the queries read (bench/sql/columns.json) are picked out into
// Arrow vectors, and each batch goes in through insertArrowTable.

import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import path from "node:path";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

import { parseArgs, peakRss, readQueries, timeQuery, writeReport } from "./common.mjs";

const require = createRequire(import.meta.url);
const duckdb = require("@duckdb/duckdb-wasm/dist/duckdb-node-blocking.cjs");
const arrow = require("apache-arrow");

const args = parseArgs();
const runs = Number(args.runs || 5);
const MAX_RESULT_ROWS = 10000;
/** Rows per insertArrowTable call: bounds the JS objects alive at once. */
const BATCH_ROWS = 100000;
/** Bytes of JSON text per JSON.parse call. */
const CHUNK_BYTES = 8 << 20;

const report = { peer: "duckdb-wasm", notes: [], queries: [] };

const DIST = path.dirname(require.resolve("@duckdb/duckdb-wasm/dist/duckdb-node-blocking.cjs"));
const bundles = {
  mvp: { mainModule: path.join(DIST, "duckdb-mvp.wasm"), mainWorker: path.join(DIST, "duckdb-node-mvp.worker.cjs") },
  eh: { mainModule: path.join(DIST, "duckdb-eh.wasm"), mainWorker: path.join(DIST, "duckdb-node-eh.worker.cjs") },
};
const db = await duckdb.createDuckDB(bundles, new duckdb.VoidLogger(), duckdb.NODE_RUNTIME);
await db.instantiate();
db.open({});
const conn = db.connect();
const pkgVersion = JSON.parse(readFileSync(path.join(DIST, "../package.json"), "utf8")).version;
report.notes.push(`duckdb-wasm ${pkgVersion} (DuckDB ${conn.query("SELECT version() AS v").toArray()[0].v}), 1 thread`);

// 1. The JSON extension, as a DuckDB-Wasm app would try first. Offline the download can hang
// (the blocking bundle's fetch has no timeout), so a child process tries it, with a time limit.
const PROBE_SECONDS = 10;
if (args.probe) {
  try {
    db.registerFileBuffer("probe.json", new TextEncoder().encode('{"Records":[{"eventName":"x"}]}'));
    conn.query("SELECT count(*) FROM read_json('probe.json')");
    console.log("read_json worked (the json extension was available)");
  } catch (e) {
    console.log(`read_json failed: ${String(e.message).split("\n")[0].slice(0, 200)}`);
  }
  process.exit(0);
}
{
  const probe = spawnSync(process.execPath, [fileURLToPath(import.meta.url), "--probe"], {
    encoding: "utf8",
    timeout: PROBE_SECONDS * 1000,
  });
  const said = (probe.stdout || "").trim();
  report.notes.push(
    said || `read_json (json extension, downloaded at run time) gave no answer within ${PROBE_SECONDS} s offline`,
  );
  report.json_extension = said.startsWith("read_json worked") ? "available" : "unavailable";
}

// 2. JSON.parse in JS + Arrow inserts.
const columns = Object.entries(JSON.parse(readFileSync(path.join(args.sql, "columns.json"), "utf8"))).filter(([k]) => !k.startsWith("//"));

/** Yields the text of consecutive runs of whole events from the Records array of `bytes`. */
function* eventChunks(bytes) {
  const head = new TextDecoder().decode(bytes.subarray(0, Math.min(bytes.length, 4096)));
  const at = head.search(/"Records"\s*:\s*\[/);
  if (at < 0) throw new Error("no Records array at the start of the file");
  let i = Buffer.byteLength(head.slice(0, head.indexOf("[", at))) + 1;
  const decoder = new TextDecoder();
  let start = i;
  let depth = 0;
  let inString = false;
  for (; i < bytes.length; i++) {
    const c = bytes[i];
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped byte
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) depth++;
    else if (c === 0x7d || c === 0x5d) {
      if (depth === 0) break; // the end of the Records array
      depth--;
    } else if (c === 0x2c && depth === 0 && i - start >= CHUNK_BYTES) {
      yield decoder.decode(bytes.subarray(start, i));
      start = i + 1;
    }
  }
  if (i > start) yield decoder.decode(bytes.subarray(start, i));
}

function newBatch() {
  return { n: 0, time: [], cols: columns.map(() => []) };
}

function insert(batch, create) {
  const data = { eventTime: arrow.vectorFromArray(batch.time, new arrow.TimestampMillisecond()) };
  columns.forEach(([name], c) => {
    if (name !== "eventTime") data[name] = arrow.vectorFromArray(batch.cols[c], new arrow.Utf8());
  });
  data["dt.system.bucket"] = arrow.vectorFromArray(new Array(batch.n).fill("my_aws_bucket"), new arrow.Utf8());
  data["aws.service"] = arrow.vectorFromArray(new Array(batch.n).fill("cloudtrail"), new arrow.Utf8());
  conn.insertArrowTable(new arrow.Table(data), { name: "ev", create });
}

function pick(e, p) {
  let v = e;
  for (const k of p) {
    if (v == null || typeof v !== "object") return null;
    v = v[k];
  }
  return v == null ? null : typeof v === "string" ? v : JSON.stringify(v);
}

try {
  const started = performance.now();
  let bytes = readFileSync(args.file);
  const inputBytes = bytes.length;
  let batch = newBatch();
  let events = 0;
  let created = false;
  for (const text of eventChunks(bytes)) {
    for (const e of JSON.parse(`[${text}]`)) {
      batch.time.push(Date.parse(e.eventTime));
      columns.forEach(([, p], c) => batch.cols[c].push(pick(e, p)));
      if (++batch.n === BATCH_ROWS) {
        insert(batch, !created);
        created = true;
        events += batch.n;
        batch = newBatch();
      }
    }
  }
  if (batch.n || !created) {
    insert(batch, !created);
    events += batch.n;
  }
  bytes = null;
  const seconds = (performance.now() - started) / 1e3;
  globalThis.gc?.();
  const duck = Number(conn.query("SELECT sum(memory_usage_bytes) AS b FROM duckdb_memory()").toArray()[0].b ?? 0);
  report.ingest = {
    seconds,
    input_bytes: inputBytes,
    events,
    after_bytes: process.memoryUsage().rss,
    store_bytes: duck,
    peak_bytes: peakRss(),
  };
  report.notes.push(`holds only the ${columns.length} columns the queries read (not whole events); DuckDB's own memory after load ${(duck / 1e6).toFixed(0)} MB`);

  const plain = (v) => (typeof v === "bigint" ? Number(v) : v instanceof Date ? v.toISOString() : v);
  for (const q of readQueries(args.sql, "sql")) {
    report.queries.push(
      await timeQuery(q.name, runs, (first) => {
        const t = conn.query(q.text);
        if (!first) return { rows: t.numRows };
        const names = t.schema.fields.map((f) => f.name);
        if (names.length === 1 && names[0] === "rows") return { rows: plain(t.get(0).rows) };
        const result =
          t.numRows <= MAX_RESULT_ROWS
            ? t.toArray().map((r) => Object.fromEntries(names.map((n) => [n, plain(r[n])])))
            : null;
        return { rows: t.numRows, result };
      }),
    );
  }
} catch (e) {
  report.error = String(e?.message ?? e).slice(0, 2000);
}
report.peak_bytes = peakRss();
writeReport(args.out, report);
