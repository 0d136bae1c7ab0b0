// Peer "the app in headless Chromium": the built page (dist/) served from loopback, driven as a
// user would: pick the generated file in "Open files", wait for the load report, set the
// source's bucket, then type each seed query into the editor and press Run.
//
//   node chromium.mjs --dist DIR --file F --queries DIR --runs N --out REPORT.json
//
// Times: ingest is from handing the file to the input until the page shows "Loaded N events"
// (the worker reads the File, copies it into wasm memory and parses it). A query's time is the
// one the page shows ("N rows in X ms", measured by the worker around run_query with
// Date.now(), so 1 ms resolution). Results are read from the worker's answers to the page
// (an init script listens on the page's Worker; the app is not changed): the row count and the
// first 200 rows, which are checked against the native engine's result.
// Memory: the renderer process (page + engine worker) from /proc: VmHWM (peak) and VmRSS.

import { chromium } from "playwright-core";
import { createServer } from "node:http";
import { readFile, readdir } from "node:fs/promises";
import { readFileSync } from "node:fs";
import path from "node:path";

import { parseArgs, readQueries, timeQuery, writeReport } from "./common.mjs";

const args = parseArgs();
const runs = Number(args.runs || 5);
const LOAD_TIMEOUT_MS = Number(args["load-timeout-ms"] || 30 * 60 * 1000);
const QUERY_TIMEOUT_MS = 10 * 60 * 1000;
// The flags this machine needs (as tests/e2e/lib.mjs): no GPU, no calls home.
const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];
const TYPES = { ".html": "text/html", ".js": "text/javascript", ".mjs": "text/javascript", ".wasm": "application/wasm", ".css": "text/css", ".svg": "image/svg+xml", ".json": "application/json", ".gz": "application/gzip" };

/** A static server for dist/ on a kernel-chosen loopback port. */
async function serve(root) {
  const server = createServer(async (req, res) => {
    const rel = decodeURIComponent(new URL(req.url, "http://x").pathname).replace(/^\/+/, "") || "index.html";
    const file = path.resolve(root, rel);
    if (!file.startsWith(path.resolve(root))) return res.writeHead(403).end();
    try {
      const body = await readFile(file);
      res.writeHead(200, { "content-type": TYPES[path.extname(file)] || "application/octet-stream" }).end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise((ok) => server.listen(0, "127.0.0.1", ok));
  return server;
}

/** /proc figures of the renderer processes under `pid`: the largest peak and current RSS. */
async function rendererMemory(pid) {
  let peak = 0;
  let rss = 0;
  for (const entry of await readdir("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmd = readFileSync(`/proc/${entry}/cmdline`, "utf8");
      if (!cmd.includes("--type=renderer")) continue;
      const status = readFileSync(`/proc/${entry}/status`, "utf8");
      if (!status.match(/^PPid:\s+(\d+)/m) || !isDescendant(Number(entry), pid)) continue;
      const kb = (k) => Number((status.match(new RegExp(`^${k}:\\s+(\\d+)`, "m")) || [0, 0])[1]) * 1024;
      peak = Math.max(peak, kb("VmHWM"));
      rss = Math.max(rss, kb("VmRSS"));
    } catch {
      // the process ended while we looked
    }
  }
  return { peak, rss };
}

function isDescendant(p, ancestor) {
  for (let i = 0; i < 10 && p > 1; i++) {
    if (p === ancestor) return true;
    p = Number(readFileSync(`/proc/${p}/status`, "utf8").match(/^PPid:\s+(\d+)/m)[1]);
  }
  return p === ancestor;
}

const report = { peer: "chromium", notes: [], queries: [] };
const server = await serve(args.dist);
const base = `http://127.0.0.1:${server.address().port}/`;
const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", headless: true, args: CHROMIUM_ARGS, timeout: 60000 });
try {
  report.notes.push(`Chromium ${browser.version()}`);
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  page.setDefaultTimeout(60000);
  // Listen to what the engine worker tells the page. Messages are JSON text (app/src/protocol.rs).
  await page.addInitScript(() => {
    const seen = (window.__bench = { results: [], loaded: [], failed: [] });
    const Base = window.Worker;
    window.Worker = class extends Base {
      constructor(...a) {
        super(...a);
        this.addEventListener("message", (ev) => {
          if (typeof ev.data !== "string") return;
          if (ev.data.startsWith('{"type":"result"')) seen.results.push(ev.data);
          else if (ev.data.startsWith('{"type":"loaded"')) seen.loaded.push(ev.data);
          else if (ev.data.startsWith('{"type":"failed"')) seen.failed.push(ev.data);
        });
      }
    };
  });
  const pageErrors = [];
  page.on("pageerror", (e) => pageErrors.push(e.message));
  page.on("crash", () => pageErrors.push("the tab crashed"));
  await page.goto(base, { waitUntil: "load" });
  await page.getByRole("button", { name: "Load sample" }).waitFor({ state: "visible" });
  // Chromium is a child of this process; its renderers are further down.
  const pid = process.pid;

  const name = path.basename(args.file);
  const count = (what) => page.evaluate((w) => window.__bench[w].length, what);
  const loadedBefore = await count("loaded");
  const started = performance.now();
  await page.getByLabel("Open files", { exact: true }).setInputFiles(args.file);
  await page.waitForFunction((n) => window.__bench.loaded.length > n, loadedBefore, { timeout: LOAD_TIMEOUT_MS, polling: 20 });
  const seconds = (performance.now() - started) / 1e3;
  const loaded = JSON.parse(await page.evaluate(() => window.__bench.loaded.at(-1)));
  const afterLoad = pid ? await rendererMemory(pid) : { peak: 0, rss: 0 };
  report.ingest = {
    seconds,
    input_bytes: (await import("node:fs")).statSync(args.file).size,
    events: loaded.data?.events ?? null,
    after_bytes: afterLoad.rss,
    peak_bytes: afterLoad.peak,
  };

  // The seed queries filter on dt.system.bucket == "my_aws_bucket": set it as a user would.
  const loads = await count("loaded");
  const bucket = page.getByLabel(`Bucket of ${name}`, { exact: true });
  await bucket.fill("my_aws_bucket");
  await bucket.press("Enter");
  await page.waitForFunction((n) => window.__bench.loaded.length > n, loads, { timeout: QUERY_TIMEOUT_MS });
  // The case's own query reruns after loading; let it finish before timing ours.
  await page.waitForTimeout(1000);

  const editor = page.getByRole("textbox", { name: "DQL query" });
  const run = page.getByRole("button", { name: "Run", exact: true });
  for (const q of readQueries(args.queries, "dql")) {
    report.queries.push(
      await timeQuery(q.name, runs, async (first) => {
        const before = await count("results");
        const failedBefore = await count("failed");
        await editor.fill(q.text);
        await run.click();
        await page.waitForFunction(
          ([n, f]) => window.__bench.results.length > n || window.__bench.failed.length > f,
          [before, failedBefore],
          { timeout: QUERY_TIMEOUT_MS, polling: 10 },
        );
        if ((await count("failed")) > failedBefore) {
          throw new Error(JSON.parse(await page.evaluate(() => window.__bench.failed.at(-1))).rendered);
        }
        const r = JSON.parse(await page.evaluate(() => window.__bench.results.at(-1)));
        const out = { rows: r.row_count, ms: r.elapsed_ms };
        if (first) {
          out.result = r.first_rows.map((cells) => Object.fromEntries(r.columns.map((c, i) => [c, cellValue(cells[i])])));
          out.partial = r.first_rows.length < r.row_count;
        }
        return out;
      }),
    );
  }
  const end = pid ? await rendererMemory(pid) : { peak: 0 };
  report.peak_bytes = end.peak;
  if (pageErrors.length) report.notes.push(`page errors: ${pageErrors.join("; ").slice(0, 500)}`);
} catch (e) {
  report.error = String(e?.message ?? e).split("\n")[0].slice(0, 1000);
} finally {
  await browser.close().catch(() => {});
  server.close();
}
writeReport(args.out, report);

/** A grid cell (display text + kind) as a JSON value. */
function cellValue(c) {
  if (c.kind === "null") return null;
  if (c.kind === "long" || c.kind === "double") return Number(c.text);
  if (c.kind === "array") {
    try {
      return JSON.parse(c.text);
    } catch {
      return c.text;
    }
  }
  return c.text;
}
