// Hostile exports, hostile queries, hostile links (issue 12): what someone else's query, link or
// case file can do to the page, one class per test. A query nested too deeply (E206) or one
// that builds gigabytes (E401) fails and the worker goes on; a long query stops on "Cancel
// query" (E402) with the data kept; a share link never runs its query by itself; forged case
// files (a second gzip member, a bidi override in the name) are refused; the page is served
// cross-origin isolated and cannot be framed.

import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { deflateRawSync, gzipSync } from "node:zlib";

import {
  BASE_URL,
  ROOT,
  SLOW_QUERY,
  WAIT,
  decodeEvents,
  editor,
  openApp,
  poll,
  runQuery,
  screenshot,
  waitForLoaded,
  waitForText,
} from "./lib.mjs";

const SAMPLE = path.join(ROOT, "public/sample/cloudtrail-sample.json.gz");
const sampleCount = async () =>
  decodeEvents([{ rel: "sample", name: "cloudtrail-sample.json.gz", bytes: await readFile(SAMPLE) }]).events.length;

const COUNT = "fetch logs\n| summarize n = count()";
/** 2,000 `+` terms: an expression 2,000 levels deep (the parser stops at 200: E206). */
const DEEP = `data record(x = 1${"+1".repeat(1999)})`;
/** A 16-byte string doubled 30 times: 16 GiB if nothing stopped it (E401). */
const BOMB = `data record(s = "0123456789abcdef")\n${"| fieldsAdd s = concat(s, s)\n".repeat(30).trimEnd()}`;

const queryError = (page) => page.getByRole("alert", { name: "Query error" });
const runButton = (page) => page.getByRole("button", { name: "Run", exact: true });
const cancelButton = (page) => page.getByRole("button", { name: "Cancel query" });

async function loadSample(page, count) {
  await page.getByRole("button", { name: "Load sample" }).click();
  await waitForLoaded(page, count);
}

/** Types `text`, clicks Run and waits for the query error matching `re`; returns its text. */
async function failingQuery(page, text, re) {
  await editor(page).fill(text);
  await runButton(page).click();
  return (await waitForText(queryError(page), re, { message: `a query error matching ${re}` })).input;
}

/** The sample still answers: the count query gives every event. */
async function stillAnswers(page, count) {
  const r = await runQuery(page, COUNT);
  assert.equal(r.rows, 1);
  const cell = page.getByRole("grid", { name: "Results" }).getByRole("gridcell").first();
  await waitForText(cell, new RegExp(`^${count}$`), { message: `the count ${count}` });
}

/** `#case=…` as the app writes it: deflate-raw JSON, base64url. */
function shareLink(name, query) {
  const json = JSON.stringify({ v: 1, name, query });
  return `${BASE_URL}#case=${deflateRawSync(Buffer.from(json)).toString("base64url")}`;
}

const sha256 = (bytes) => createHash("sha256").update(bytes).digest("hex");

/**
 * A case file as a forger would write one, both hashes recomputed (a hash finds damage, it is
 * no signature). `gzip`: the events block; `count`/`bytes`: what the file declares. The payload
 * hash covers the compact JSON of the fields in the order share/src/casefile.rs writes them.
 */
function caseFile({ name, query = COUNT, gzip, count, bytes }) {
  const created = "2026-11-21T08:00:00Z";
  const kase = { name, query, history: [], notes: "", evidence: [] };
  const meta = gzip && { encoding: "gzip+base64", count, bytes, sha256: sha256(gzip) };
  const signed = { format: "trailscope-case", version: 1, created, case: kase, ...(meta ? { events: meta } : {}) };
  const file = {
    format: "trailscope-case",
    version: 1,
    created,
    sha256: sha256(JSON.stringify(signed)),
    case: kase,
    ...(meta ? { events: { ...meta, data: gzip.toString("base64") } } : {}),
  };
  return Buffer.from(JSON.stringify(file, null, 2));
}

function ndjson(from, to) {
  const lines = [];
  for (let i = from; i <= to; i++) {
    const t = new Date(Date.UTC(2026, 10, 20, 10, 0, i % 3600)).toISOString().replace(".000Z", "Z");
    lines.push(JSON.stringify({ eventVersion: "1.08", eventID: `e${i}`, eventTime: t, eventSource: "iam.amazonaws.com", eventName: "ListUsers", awsRegion: "us-east-1" }));
  }
  return Buffer.from(`${lines.join("\n")}\n`);
}

async function importCase(page, name, bytes) {
  await page.getByLabel("Import case file").setInputFiles({ name, mimeType: "application/json", buffer: bytes });
}

const tabs = (page) => page.getByRole("tablist", { name: "Cases" });

test("Nesting: 2,000 `+` terms give E206, and the worker still runs the next query", async (t) => {
  const count = await sampleCount();
  const app = await openApp(t);
  const { page } = app;
  await loadSample(page, count);
  const text = await failingQuery(page, DEEP, /E206/);
  assert.match(text, /nested too deeply/);
  await stillAnswers(page, count);
  await app.assertClean();
});

test("Memory: the concat-doubling query gives E401, and the loaded sample still answers", async (t) => {
  const count = await sampleCount();
  const app = await openApp(t);
  const { page } = app;
  await loadSample(page, count);
  const text = await failingQuery(page, BOMB, /E401/);
  assert.match(text, /was stopped/);
  await screenshot(page, "hostile-1-memory");
  await stillAnswers(page, count);
  await app.assertClean();
});

test("Cancel: a long query stops on Cancel query (and on Esc) with E402; the data stays loaded", async (t) => {
  const count = await sampleCount();
  const app = await openApp(t);
  const { page } = app;
  await loadSample(page, count);
  assert.equal(await cancelButton(page).count(), 0, "no Cancel query while nothing runs");

  await editor(page).fill(SLOW_QUERY);
  await runButton(page).click();
  await page.getByRole("status").filter({ hasText: "Running…" }).waitFor();
  await screenshot(page, "hostile-2-running");
  await cancelButton(page).click();
  const text = (await waitForText(queryError(page), /E402/, { message: "the E402 error" })).input;
  assert.match(text, /stopped/);
  assert.equal(await cancelButton(page).count(), 0, "Cancel query goes with the run");
  await stillAnswers(page, count);

  // From the keyboard: Ctrl+Enter runs, Esc in the editor cancels.
  await editor(page).fill(SLOW_QUERY);
  await editor(page).press("Control+Enter");
  await cancelButton(page).waitFor();
  await editor(page).press("Escape");
  await waitForText(queryError(page), /E402/, { message: "the E402 error after Esc" });
  await stillAnswers(page, count);
  await app.assertClean();
});

test("Share link: a link whose query is the concat bomb opens without running it; Run runs it", async (t) => {
  const count = await sampleCount();
  const app = await openApp(t, { url: shareLink("Bomb", BOMB) });
  const { page } = app;
  await tabs(page).getByRole("tab", { name: "Bomb", selected: true }).waitFor();
  assert.equal(await editor(page).inputValue(), BOMB);
  const note = page.getByRole("note", { name: "Query not run yet" });
  await waitForText(note, /This query came from a shared link: read it, then Run/);
  await loadSample(page, count);
  // The data is there and nothing ran: no error, no result, not running, the notice stays.
  const results = page.getByRole("region", { name: "Results area" });
  await waitForText(results, /Run the query \(Run or Ctrl\+Enter\) to see its result/);
  assert.equal(await queryError(page).count(), 0);
  assert.equal(await page.getByRole("status", { name: "Result summary" }).count(), 0);
  assert.equal(await cancelButton(page).count(), 0);
  assert.equal(await note.count(), 1);
  await screenshot(page, "hostile-3-shared-link");
  // The user's Run: the bomb stops with E401, the notice goes, and the data still answers.
  await runButton(page).click();
  await waitForText(queryError(page), /E401/);
  assert.equal(await note.count(), 0);
  await stillAnswers(page, count);
  await app.assertClean();
});

test("Case file: a second gzip member hiding events from the declared count is refused", async (t) => {
  const app = await openApp(t);
  const { page } = app;
  const first = ndjson(1, 2);
  const second = ndjson(3, 1000);
  const gzip = Buffer.concat([gzipSync(first), gzipSync(second)]);
  const forged = caseFile({ name: "Two members", gzip, count: 2, bytes: first.length });
  await importCase(page, "forged.trailscope.json", forged);
  const alert = page.getByRole("alert", { name: "Case sharing status" });
  const text = (await waitForText(alert, /was not opened/)).input;
  assert.match(text, /^forged\.trailscope\.json was not opened: the events in the file are damaged: the data holds 1000 events/);
  assert.match(text, /declares 2 in/);
  assert.deepEqual(await tabs(page).getByRole("tab").allInnerTexts(), ["Case 1"]);
  await waitForText(page.getByRole("status", { name: "Load report" }), /No data loaded yet/);

  // The same two members declared in full are a valid file: the refusal was the count.
  const honest = caseFile({ name: "Two members", gzip, count: 1000, bytes: first.length + second.length });
  await importCase(page, "honest.trailscope.json", honest);
  await tabs(page).getByRole("tab", { name: "Two members", selected: true }).waitFor();
  await waitForLoaded(page, 1000);
  await app.assertClean();
});

test("Case file and share link: a case name with U+202E (right-to-left override) is refused", async (t) => {
  const name = "invoice\u202Efdp.exe";
  const app = await openApp(t);
  const { page } = app;
  await importCase(page, "rlo.trailscope.json", caseFile({ name }));
  const alert = page.getByRole("alert", { name: "Case sharing status" });
  const text = (await waitForText(alert, /was not opened/)).input;
  assert.match(text, /^rlo\.trailscope\.json was not opened: the file holds an invalid value: case name: contains U\+202E \(RIGHT-TO-LEFT OVERRIDE\)/);
  assert.deepEqual(await tabs(page).getByRole("tab").allInnerTexts(), ["Case 1"]);
  await app.assertClean();

  const linked = await openApp(t, { url: shareLink(name, COUNT) });
  const refused = linked.page.getByRole("alert", { name: "Case sharing status" });
  await waitForText(refused, /This share link holds an invalid value: case name: contains U\+202E \(RIGHT-TO-LEFT OVERRIDE\)/);
  assert.deepEqual(await tabs(linked.page).getByRole("tab").allInnerTexts(), ["Case 1"]);
  await linked.assertClean();
});

test("Serving: the page is cross-origin isolated, sends its security headers and refuses to be framed", async (t) => {
  const res = await fetch(BASE_URL);
  const html = await res.text();
  const want = {
    "cross-origin-opener-policy": "same-origin",
    "cross-origin-embedder-policy": "require-corp",
    "cross-origin-resource-policy": "same-origin",
    "x-frame-options": "DENY",
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
  };
  for (const [name, value] of Object.entries(want)) assert.equal(res.headers.get(name), value, name);
  assert.match(res.headers.get("content-security-policy") || "", /frame-ancestors 'none'/);
  // The meta CSP of index.html is still there (it holds wherever the files are served).
  assert.match(html, /http-equiv="Content-Security-Policy"/);
  // The types a module script, a worker and WebAssembly.instantiateStreaming need.
  for (const [attr, type] of [["data-trailscope-js", /^text\/javascript\b/], ["data-trailscope-wasm", /^application\/wasm$/]]) {
    const file = html.match(new RegExp(`${attr}="([^"]+)"`))?.[1];
    assert.ok(file, attr);
    const r = await fetch(new URL(file, BASE_URL));
    assert.match(r.headers.get("content-type") || "", type, file);
    assert.equal(r.headers.get("cross-origin-resource-policy"), "same-origin", file);
  }

  const app = await openApp(t);
  assert.equal(await app.page.evaluate(() => window.crossOriginIsolated), true);
  await app.assertClean();

  // Another page that frames the app gets Chromium's error page in the frame, not the app.
  const host = await app.context.newPage();
  const blocked = [];
  host.on("console", (m) => blocked.push(m.text()));
  await host.setContent(`<iframe title="framed" src="${BASE_URL}"></iframe>`);
  const frame = await poll(() => host.frames().find((f) => f !== host.mainFrame()), { message: "the iframe" });
  await poll(() => frame.url() !== "" && frame.url() !== "about:blank", { message: "the iframe's navigation" });
  await poll(() => blocked.some((m) => /X-Frame-Options|frame-ancestors/.test(m)), { timeout: WAIT, message: "Chromium refusing the frame" });
  assert.equal(await frame.getByRole("button", { name: "Load sample" }).count(), 0);
  await host.close();
});
