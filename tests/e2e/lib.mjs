// Shared helpers for Trailscope's end-to-end tests: start Debian's Chromium through
// playwright-core (never a browser Playwright downloads), watch the page for errors, CSP
// violations and dialogs, read the seed fixture in Node, hand files to the page as a user would
// (drop, file dialog), and read the results grid by role.
//
// The page under test is whatever run.sh serves at E2E_BASE_URL (the built dist/).

import { chromium } from "playwright-core";
import { mkdtemp, mkdir, rm, readdir, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";

export const HERE = path.dirname(fileURLToPath(import.meta.url));
export const ROOT = path.resolve(HERE, "../..");
export const SEED_DIR = path.join(ROOT, "tests/fixtures/seed");
export const SEED_LOGS = path.join(SEED_DIR, "AWSLogs");
export const SHOTS = path.join(HERE, "screenshots");

export const BASE_URL = process.env.E2E_BASE_URL || "http://127.0.0.1:8080/";
const CHROMIUM = process.env.E2E_CHROMIUM || "/usr/bin/chromium";

// The flags this machine needs: without the networking ones Chromium keeps trying (and failing)
// to reach Google's hosts. The profile is a fresh directory per test (launchPersistentContext).
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

/** Default time budget for one wait, in ms. */
export const WAIT = Number(process.env.E2E_WAIT_MS || 20000);

// ---------------------------------------------------------------------------------------------
// Browser and page

/**
 * Starts Chromium with a fresh profile and opens the app. Everything the page reports that a
 * user should never see (console errors, uncaught exceptions, CSP violations, JS dialogs,
 * failed requests) is collected in `app.problems`; `app.assertClean()` fails on any of them.
 */
export async function openApp(t, { permissions = [], url = BASE_URL } = {}) {
  const profile = await mkdtemp(path.join(tmpdir(), "trailscope-e2e-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1400, height: 900 },
    // Playwright's own download of browsers is never used; this only silences its checks.
    env: { ...process.env, PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD: "1" },
    timeout: 30000,
  });
  if (permissions.length) {
    await context.grantPermissions(permissions, { origin: new URL(url).origin });
  }
  context.setDefaultTimeout(WAIT);
  const page = context.pages()[0] || (await context.newPage());

  const app = {
    context,
    page,
    profile,
    problems: [],
    consoleErrors: [],
    dialogs: [],
    async close() {
      await context.close().catch(() => {});
      await rm(profile, { recursive: true, force: true }).catch(() => {});
    },
  };
  watchPage(app, page);
  // securitypolicyviolation events, recorded from before any page script runs (init scripts are
  // injected by the DevTools protocol, so the page's CSP does not apply to them).
  await context.addInitScript(() => {
    window.__cspViolations = [];
    document.addEventListener("securitypolicyviolation", (e) => {
      window.__cspViolations.push(`${e.violatedDirective} blocked ${e.blockedURI} (${e.sourceFile}:${e.lineNumber})`);
    });
  });
  app.assertClean = async () => {
    const csp = await page.evaluate(() => window.__cspViolations || []).catch(() => []);
    const all = [...app.problems, ...csp.map((v) => `CSP violation: ${v}`)];
    if (all.length) {
      throw new Error(`the page reported problems:\n  ${all.join("\n  ")}`);
    }
  };
  t.after(() => app.close());
  await gotoApp(app, url);
  return app;
}

function watchPage(app, page) {
  page.on("console", (msg) => {
    const text = msg.text();
    if (msg.type() === "error") {
      app.consoleErrors.push(text);
      app.problems.push(`console error: ${text}`);
    } else if (/Content[- ]Security[- ]Policy|Refused to/i.test(text)) {
      app.problems.push(`console (${msg.type()}): ${text}`);
    }
  });
  page.on("pageerror", (err) => app.problems.push(`uncaught exception: ${err.message}`));
  page.on("dialog", async (dialog) => {
    app.dialogs.push(`${dialog.type()}: ${dialog.message()}`);
    app.problems.push(`JS dialog opened: ${dialog.type()} ${dialog.message()}`);
    await dialog.dismiss().catch(() => {});
  });
  page.on("requestfailed", (req) => {
    app.problems.push(`request failed: ${req.url()} ${req.failure()?.errorText}`);
  });
  page.on("response", (res) => {
    if (res.status() >= 400) app.problems.push(`HTTP ${res.status()} for ${res.url()}`);
  });
  // The engine runs in a Web Worker: its console counts too (the page's own handler reports the
  // worker's uncaught errors as a console error).
  page.on("worker", (worker) => {
    worker.on("console", (msg) => {
      if (msg.type() === "error") app.problems.push(`worker console error: ${msg.text()}`);
    });
  });
}

/**
 * Opens the page (BASE_URL, or `url`: a share link, the single-file build on file://) and waits
 * until the app has rendered its controls.
 */
export async function gotoApp(app, url = BASE_URL) {
  await app.page.goto(url, { waitUntil: "load" });
  await app.page.getByRole("button", { name: "Load sample" }).waitFor({ state: "visible", timeout: WAIT });
}

export async function reloadApp(app) {
  await app.page.reload({ waitUntil: "load" });
  await app.page.getByRole("button", { name: "Load sample" }).waitFor({ state: "visible", timeout: WAIT });
}

/**
 * Saves tests/e2e/screenshots/<name>.png of the viewport. The page is scrolled to the top first
 * (tabs, editor and results sit there), unless `asIs` asks for the view the user has now.
 */
export async function screenshot(page, name, { asIs = false } = {}) {
  await mkdir(SHOTS, { recursive: true });
  const file = path.join(SHOTS, `${name}.png`);
  if (!asIs) await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: file, fullPage: false });
  return file;
}

/** Polls `fn` until it returns a truthy value; throws the last value/error after `timeout`. */
export async function poll(fn, { timeout = WAIT, interval = 100, message = "condition" } = {}) {
  const end = Date.now() + timeout;
  let last;
  for (;;) {
    try {
      last = await fn();
      if (last) return last;
    } catch (e) {
      last = e;
    }
    if (Date.now() > end) {
      const detail = last instanceof Error ? last.message : JSON.stringify(last);
      throw new Error(`timed out after ${timeout} ms waiting for ${message} (last: ${detail})`);
    }
    await new Promise((r) => setTimeout(r, interval));
  }
}

/** Waits until the locator's text matches `re`, returns the match. */
export async function waitForText(locator, re, { timeout = WAIT, message } = {}) {
  let text = "";
  try {
    return await poll(
      async () => {
        text = (await locator.first().innerText({ timeout: 1000 })).trim();
        return text.match(re);
      },
      { timeout, message: message || `text matching ${re}` },
    );
  } catch (e) {
    throw new Error(`${e.message}; text was ${JSON.stringify(text)}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Fixture files, read in Node

async function walk(dir) {
  const out = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await walk(full)));
    else out.push(full);
  }
  return out.sort();
}

/** Every file under tests/fixtures/seed/AWSLogs: { rel, name, full, bytes }. */
export async function seedFiles() {
  const files = await walk(SEED_LOGS);
  return Promise.all(
    files.map(async (full) => ({
      full,
      rel: path.relative(SEED_DIR, full),
      name: path.basename(full),
      bytes: await readFile(full),
    })),
  );
}

/**
 * The CloudTrail events of the given files, decoded independently of the engine: gzip or plain,
 * `{"Records":[...]}` or NDJSON; digest files (no Records) are skipped; duplicates (same
 * eventID) keep their first copy in path order. Returns { events, read, duplicates }.
 */
export function decodeEvents(files) {
  const seen = new Set();
  const events = [];
  let read = 0;
  let duplicates = 0;
  for (const f of [...files].sort((a, b) => (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0))) {
    const raw = f.name.endsWith(".gz") ? gunzipSync(f.bytes) : f.bytes;
    const text = raw.toString("utf8");
    let records = [];
    if (f.name.endsWith(".ndjson")) {
      records = text.split("\n").filter((l) => l.trim()).map((l) => JSON.parse(l));
    } else {
      const doc = JSON.parse(text);
      if (Array.isArray(doc.Records)) records = doc.Records;
    }
    for (const r of records) {
      read++;
      if (r.eventID && seen.has(r.eventID)) {
        duplicates++;
        continue;
      }
      if (r.eventID) seen.add(r.eventID);
      events.push(r);
    }
  }
  return { events, read, duplicates };
}

export const get = (obj, ...keys) => keys.reduce((o, k) => (o == null ? undefined : o[k]), obj) ?? null;

// ---------------------------------------------------------------------------------------------
// Handing files to the page

/**
 * Drops files on the drop zone as a browser would: a DataTransfer holding File objects, then
 * dragenter, dragover and drop. Returns which of the three events the page cancelled (a drop
 * target must cancel dragover and drop).
 */
export async function dropFiles(page, files) {
  const zone = page.getByRole("region", { name: "Drop CloudTrail files here" });
  const payload = files.map((f) => ({ name: f.name, b64: Buffer.from(f.bytes).toString("base64") }));
  return zone.evaluate((el, items) => {
    const dt = new DataTransfer();
    for (const { name, b64 } of items) {
      const bin = atob(b64);
      const bytes = new Uint8Array(bin.length);
      for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
      dt.items.add(new File([bytes], name, { type: name.endsWith(".gz") ? "application/gzip" : "application/json" }));
    }
    const fire = (type) => {
      const ev = new DragEvent(type, { bubbles: true, cancelable: true, composed: true, dataTransfer: dt });
      el.dispatchEvent(ev);
      return ev.defaultPrevented;
    };
    return { dragenter: fire("dragenter"), dragover: fire("dragover"), drop: fire("drop") };
  }, payload);
}

/** Picks files through the hidden "Open files" input, as the file dialog would. */
export async function pickFiles(page, files) {
  await page.getByLabel("Open files", { exact: true }).setInputFiles(
    files.map((f) => ({ name: f.name, mimeType: f.name.endsWith(".gz") ? "application/gzip" : "application/json", buffer: Buffer.from(f.bytes) })),
  );
}

export function loadReport(page) {
  return page.getByRole("status", { name: "Load report" });
}

/** Waits for the load report to say "Loaded N events"; returns its text. */
export async function waitForLoaded(page, events, timeout = WAIT) {
  const m = await waitForText(loadReport(page), new RegExp(`Loaded ${events} events?\\b`), {
    timeout,
    message: `the load report to count ${events} events`,
  });
  return m.input;
}

// ---------------------------------------------------------------------------------------------
// Queries and results

export function editor(page) {
  return page.getByRole("textbox", { name: "DQL query" });
}

export function resultSummary(page) {
  return page.getByRole("status", { name: "Result summary" });
}

/** Marks the result summaries on the page as old, so that waitForResult waits for a new one. */
export async function markResultsStale(page) {
  await page.evaluate(() => {
    for (const el of document.querySelectorAll('[role="status"][aria-label="Result summary"]')) el.__e2eStale = true;
  });
}

/**
 * Waits for a result summary "N rows in X ms" that was not on the page at the last
 * markResultsStale; returns { rows: N, text }. A query error fails at once.
 */
export async function waitForResult(page, { timeout = WAIT } = {}) {
  const m = await poll(
    async () => {
      const err = page.getByRole("alert", { name: "Query error" });
      if ((await err.count()) > 0) throw new Error(`query failed: ${await err.first().innerText()}`);
      const s = resultSummary(page);
      if ((await s.count()) === 0) return false;
      const fresh = await s.first().evaluate((el) => !el.__e2eStale);
      if (!fresh) return false;
      const text = (await s.first().innerText({ timeout: 1000 })).trim();
      return text.match(/^(\d[\d,]*) rows? in [\d.]+ ms/);
    },
    { timeout, message: "a new result summary" },
  );
  return { rows: Number(m[1].replace(/,/g, "")), text: m.input };
}

/** Does `action` (a click, a key press) and waits for the result it causes. */
export async function resultOf(page, action) {
  await markResultsStale(page);
  await action();
  return waitForResult(page);
}

/** Types the query into the editor, clicks Run, waits for the result. */
export async function runQuery(page, text) {
  await editor(page).fill(text);
  return resultOf(page, () => page.getByRole("button", { name: "Run", exact: true }).click());
}

/**
 * A query that runs for minutes over the 8,000 sample events without building much: each
 * `filterOut` matches every event's text against a pattern that backtracks at every position
 * (about 20 steps a character) and keeps every row, so memory stays flat while time adds up,
 * and the engine asks its interrupt between the commands. For "Cancel query".
 */
export const SLOW_QUERY = [
  "fetch logs",
  "| fieldsAdd c = content",
  ...Array(400).fill('| filterOut like(c, "%____________________~~")'),
  "| summarize n = count()",
].join("\n");

export function grid(page) {
  return page.getByRole("grid", { name: "Results" });
}

/** Reads the grid by role: { headers: [..], rows: [[cell text, ..], ..] } (rendered rows only). */
export async function readGrid(page) {
  const g = grid(page);
  await g.waitFor({ state: "visible" });
  const headers = (await g.getByRole("columnheader").allInnerTexts()).map(clean);
  const rows = [];
  for (const row of await g.getByRole("row").all()) {
    const cells = await row.getByRole("gridcell").allInnerTexts();
    if (cells.length) rows.push(cells.map(clean));
  }
  return { headers, rows };
}

/** Waits until the grid shows `n` data rows, then reads it. */
export async function readGridRows(page, n) {
  await poll(async () => (await readGrid(page)).rows.length >= n, { message: `${n} rows in the results grid` });
  return readGrid(page);
}

/** Header text without sort arrows or other decoration. */
function clean(s) {
  return s.replace(/[▲▼↑↓⇅]/g, "").trim();
}

/** A rendered cell as a value: null for null/empty. */
export function cellValue(s) {
  const t = s.trim();
  if (t === "" || t === "null" || t === "—" || t === "∅") return null;
  return t;
}

/** Column index by header name (exact, after trimming). */
export function col(headers, name) {
  const i = headers.indexOf(name);
  if (i < 0) throw new Error(`no column ${JSON.stringify(name)} in ${JSON.stringify(headers)}`);
  return i;
}

/** Numbers inside an array cell like "[1, null, 3]"; null counts as 0. */
export function arraySum(s) {
  return (s.match(/-?\d+(\.\d+)?|null/g) || []).reduce((acc, x) => acc + (x === "null" ? 0 : Number(x)), 0);
}

/** Pixels of a canvas: how many differ from the most common colour (the background). */
export async function canvasInk(locator) {
  return locator.evaluate((c) => {
    const ctx = c.getContext("2d");
    const { data } = ctx.getImageData(0, 0, c.width, c.height);
    const counts = new Map();
    for (let i = 0; i < data.length; i += 4) {
      const key = (data[i] << 24) | (data[i + 1] << 16) | (data[i + 2] << 8) | data[i + 3];
      counts.set(key, (counts.get(key) || 0) + 1);
    }
    let bg = 0;
    for (const v of counts.values()) bg = Math.max(bg, v);
    return { width: c.width, height: c.height, colours: counts.size, ink: data.length / 4 - bg };
  });
}

