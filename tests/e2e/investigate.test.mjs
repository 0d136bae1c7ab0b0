// From query box to investigation (issue 14), on the seed fixture: the query tree (runs become
// nodes, a run from a node its child, click and keyboard open a node and show its result,
// rename/colour/annotate/delete, kept over a reload and in the case file), evidence lists
// (values from a table cell by context menu and keyboard, from the record tree, pasted text;
// used in a query as a DQL filter line; exported as CSV), the reference event (a Δ column,
// ±N minutes around it) and surrounding events as a new node. Expected numbers are computed
// here from the fixture files.

import { test } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";

import {
  decodeEvents,
  editor,
  grid,
  openApp,
  pickFiles,
  poll,
  readGrid,
  readGridRows,
  reloadApp,
  resultSummary,
  resultOf,
  runQuery,
  screenshot,
  seedFiles,
  waitForLoaded,
  waitForText,
} from "./lib.mjs";

const files = await seedFiles();
const { events } = decodeEvents(files);
const withError = events.filter((e) => e.errorCode).length;

const Q1 = 'fetch logs\n| parse content, "JSON:event"\n| fieldsAdd ip = event[sourceIPAddress]';
const Q2 = `${Q1}\n| filter isNotNull(event[errorCode])`;
const Q3 = `${Q1}\n| filter event[eventName] == "ConsoleLogin"`;
const logins = events.filter((e) => e.eventName === "ConsoleLogin").length;

const tree = (page) => page.getByRole("tree", { name: "Query tree" });
const nodes = (page) => tree(page).getByRole("treeitem");
const dataRows = (page) => grid(page).getByRole("row").filter({ has: page.getByRole("gridcell") });

async function download(page, click) {
  const [dl] = await Promise.all([page.waitForEvent("download"), click()]);
  return { name: dl.suggestedFilename(), bytes: await readFile(await dl.path()) };
}

async function levels(page) {
  return nodes(page).evaluateAll((els) => els.map((e) => Number(e.getAttribute("aria-level"))));
}

async function loaded(t) {
  const app = await openApp(t);
  await pickFiles(app.page, files);
  await waitForLoaded(app.page, events.length);
  return app;
}

test("query tree: runs are nodes, a run from a node is its child; open, rename, colour, annotate, delete, keep", async (t) => {
  const app = await loaded(t);
  const { page } = app;
  assert.equal((await runQuery(page, Q1)).rows, events.length);
  assert.equal((await runQuery(page, Q2)).rows, withError);
  assert.deepEqual(await levels(page), [1, 2], "the second run is a child of the first");
  await waitForText(nodes(page).nth(1), /filter isNotNull\(event\[errorCode\]\)/);
  assert.match(await nodes(page).nth(1).getAttribute("aria-label"), new RegExp(`, ${withError} rows`));

  // Clicking the first node shows its query and its result at once (the worker still holds it;
  // the summary is updated in place, so its text is what to wait for).
  await nodes(page).nth(0).click();
  await waitForText(resultSummary(page), new RegExp(`^${events.length} rows in`));
  assert.equal(await editor(page).inputValue(), Q1);
  assert.equal(await nodes(page).nth(0).getAttribute("aria-selected"), "true");

  // A run from the first node is its second child.
  assert.equal((await runQuery(page, Q3)).rows, logins);
  assert.deepEqual(await levels(page), [1, 2, 2]);

  // Keyboard: Up from the new node goes to the errors node; Enter opens it.
  await nodes(page).nth(2).focus();
  await page.keyboard.press("ArrowUp");
  await page.keyboard.press("Enter");
  await waitForText(resultSummary(page), new RegExp(`^${withError} rows in`));
  assert.equal(await editor(page).inputValue(), Q2);

  // Rename, colour and annotate the selected node.
  const edit = page.getByRole("group", { name: "Selected query node" });
  await edit.getByRole("textbox", { name: "Node name" }).fill("Errors only");
  await edit.getByRole("textbox", { name: "Node name" }).press("Enter");
  await edit.getByRole("combobox", { name: "Node colour" }).selectOption("red");
  await edit.getByRole("textbox", { name: "Node note" }).fill("AccessDenied bursts <b>here</b>");
  await poll(async () => /^Errors only, \d+ rows, red, annotated$/.test(await nodes(page).nth(1).getAttribute("aria-label")), {
    message: "the node named, coloured and annotated",
  });
  await screenshot(page, "investigate-1-query-tree");

  // Delete (the key) on the ConsoleLogin node.
  await nodes(page).nth(2).focus();
  await page.keyboard.press("Delete");
  await poll(async () => (await nodes(page).count()) === 2, { message: "the node deleted" });

  // The tree is kept with the case (localStorage) and travels in the case file.
  await reloadApp(app);
  await poll(async () => (await nodes(page).count()) === 2, { message: "the tree after a reload" });
  await waitForText(nodes(page).nth(1), /Errors only/);
  const file = await download(page, () => page.getByRole("button", { name: "Export case" }).click());
  const json = JSON.parse(file.bytes.toString("utf8"));
  assert.equal(json.version, 2);
  assert.deepEqual(
    json.case.tree.map((n) => [n.parent ?? null, n.query, n.rows, n.name ?? "", n.color ?? null]),
    [
      [null, Q1, events.length, "", null],
      [json.case.tree[0].id, Q2, withError, "Errors only", "red"],
    ],
  );
  assert.equal(json.case.tree[1].note, "AccessDenied bursts <b>here</b>");
  await app.assertClean();
});

test("evidence lists: values from a cell (menu and keyboard) and the record tree, pasted items, a DQL filter, CSV export", async (t) => {
  const app = await loaded(t);
  const { page } = app;
  const lists = page.getByRole("region", { name: "Evidence lists" });
  await lists.getByRole("textbox", { name: "New list name" }).fill("Suspicious IPs");
  await lists.getByRole("textbox", { name: "New list name" }).press("Enter");
  const list = lists.getByRole("group", { name: "List Suspicious IPs" });
  await list.waitFor();
  const items = list.getByRole("list", { name: "Items of Suspicious IPs" }).getByRole("listitem");

  await runQuery(page, Q1);
  const { headers, rows } = await readGridRows(page, 3);
  const ipCol = headers.indexOf("ip");
  assert.ok(ipCol >= 0, `an ip column in ${headers}`);
  // Right-click the first row's ip cell: "Add value to evidence list".
  const cell0 = dataRows(page).nth(0).getByRole("gridcell").nth(ipCol);
  await cell0.click();
  await cell0.click({ button: "right" });
  await page.getByRole("menu", { name: "Row actions" }).getByRole("menuitem", { name: "Add value to evidence list" }).click();
  await poll(async () => (await items.count()) === 1, { message: "the first value on the list" });
  assert.match(await items.nth(0).innerText(), new RegExp(rows[0][ipCol].replace(/[.*+?^${}()|[\]\\]/g, "\\$&")));
  // Keyboard: select another row's ip cell, Shift+F10, End, Enter.
  const other = rows.findIndex((r) => r[ipCol] !== rows[0][ipCol]);
  assert.ok(other > 0, "two different addresses among the first rows");
  await dataRows(page).nth(other).getByRole("gridcell").nth(ipCol).click();
  await page.keyboard.press("Shift+F10");
  await page.getByRole("menu", { name: "Row actions" }).waitFor();
  await page.keyboard.press("End");
  await page.keyboard.press("Enter");
  await poll(async () => (await items.count()) === 2, { message: "the second value on the list" });
  const picked = [rows[0][ipCol], rows[other][ipCol]];

  // Used in a query: a plain DQL line, the rows computed here.
  const before = await editor(page).inputValue();
  const res = await resultOf(page, () => list.getByRole("button", { name: "Filter to Suspicious IPs" }).click());
  const added = (await editor(page).inputValue()).slice(before.length).trim();
  assert.match(added, /^\| filter (ipIn|in)\(event\[sourceIPAddress\], ".+", ".+"\)$/);
  assert.equal(res.rows, events.filter((e) => picked.includes(e.sourceIPAddress)).length);

  // From the record tree: the value of a leaf.
  await dataRows(page).nth(0).dblclick();
  const dialog = page.getByRole("dialog", { name: "Record details" });
  await dialog.waitFor({ state: "visible" });
  const rec = dialog.getByRole("tree", { name: "Record fields" });
  const leaf = rec.getByRole("treeitem", { name: /^awsRegion: / }).first();
  await leaf.click();
  await leaf.getByRole("button", { name: "Add value to list" }).click();
  await dialog.getByRole("button", { name: "Close" }).click();
  await poll(async () => (await items.count()) === 3, { message: "the region on the list" });

  // Pasted text, with a hidden character refused and nothing half-added.
  const paste = list.getByRole("textbox", { name: "Items to add to Suspicious IPs" });
  await paste.fill("10.0.0.0/8\n198.51.100.0/24\u202e\n");
  await list.getByRole("button", { name: "Add items to Suspicious IPs" }).click();
  await waitForText(page.getByRole("alert", { name: "Case sharing status" }), /Nothing added to “Suspicious IPs”: line 2: .*U\+202E/);
  await paste.fill("10.0.0.0/8\n");
  await list.getByRole("button", { name: "Add items to Suspicious IPs" }).click();
  await poll(async () => (await items.count()) === 4, { message: "the pasted range on the list" });
  await screenshot(page, "investigate-2-evidence-lists");

  const csv = await download(page, () => list.getByRole("button", { name: "Export Suspicious IPs as CSV" }).click());
  assert.equal(csv.name, "Suspicious-IPs.csv");
  const lines = csv.bytes.toString("utf8").trim().split("\r\n");
  assert.equal(lines[0], "value,kind");
  assert.equal(lines.length, 5);
  assert.ok(lines.includes("10.0.0.0/8,CIDR range"), lines.join(" | "));
  await app.assertClean();
});

test("reference event: a Δ column, ±N minutes around it; surrounding events of a principal as a new node", async (t) => {
  const app = await loaded(t);
  const { page } = app;
  const Q = 'fetch logs\n| parse content, "JSON:event"\n| fields timestamp, name = event[eventName], arn = event[userIdentity][arn]\n| filter isNotNull(arn)\n| sort timestamp asc';
  await runQuery(page, Q);
  let g = await readGridRows(page, 2);
  // Whole seconds in the fixture: the fraction the grid may show is dropped for Date.parse.
  const secs = (text) => Date.parse(text.replace(/\.\d+Z$/, "Z"));
  const t0 = g.rows[0][0];
  await dataRows(page).nth(0).dblclick();
  const dialog = page.getByRole("dialog", { name: "Record details" });
  await dialog.waitFor({ state: "visible" });
  await dialog.getByRole("button", { name: "Mark as reference" }).click();
  await dialog.getByRole("button", { name: "Pin as evidence" }).click();
  await dialog.getByRole("button", { name: "Close" }).click();
  const bar = page.getByRole("group", { name: "Reference event" });
  await waitForText(bar, /Reference: .* at \d{4}-/);
  await poll(async () => (await readGrid(page)).headers.includes("Δ reference"), { message: "the Δ column" });
  g = await readGrid(page);
  const d = g.headers.indexOf("Δ reference");
  assert.equal(g.rows[0][d], "0 s");
  assert.match(g.rows[1][d], /^(\+|0 s)/);
  await screenshot(page, "investigate-3-reference");

  // ±5 minutes around the reference: the events within 300 s of it.
  const ref = secs(t0);
  const near = events.filter((e) => e.userIdentity?.arn && Math.abs(Date.parse(e.eventTime) - ref) <= 300e3).length;
  await bar.getByRole("spinbutton", { name: "Minutes around the reference" }).fill("5");
  const r = await resultOf(page, () => bar.getByRole("button", { name: "Time frame around reference" }).click());
  assert.equal(r.rows, near);
  assert.equal(await page.getByRole("combobox", { name: "Time frame" }).inputValue(), "custom");

  // Surrounding events: the same principal ±15 minutes around the first row of this result,
  // as a child node of the one on show.
  g = await readGridRows(page, 1);
  const [t1, arn1] = [secs(g.rows[0][0]), g.rows[0][2]];
  assert.deepEqual(await levels(page), [1, 2], "the run around the reference is a child of the first");
  await dataRows(page).nth(0).dblclick();
  await dialog.waitFor({ state: "visible" });
  const s = await resultOf(page, () => dialog.getByRole("group", { name: "Surrounding events" }).getByRole("button", { name: "Same principal" }).click());
  const same = events.filter((e) => e.userIdentity?.arn === arn1 && Math.abs(Date.parse(e.eventTime) - t1) <= 900e3).length;
  assert.equal(s.rows, same);
  assert.match(await editor(page).inputValue(), /\| filter event\[userIdentity\]\[arn\] == "/);
  assert.deepEqual(await levels(page), [1, 2, 3], "a child of the node on show");

  // The reference and the evidence record's event time travel in the case file.
  const file = await download(page, () => page.getByRole("button", { name: "Export case" }).click());
  const json = JSON.parse(file.bytes.toString("utf8"));
  assert.equal(Date.parse(json.case.reference.time), ref);
  assert.equal(Date.parse(json.case.evidence[0].time), ref);
  await app.assertClean();
});

test("field sidebar: presence and top values over the whole result, + and − add filters, columns hide and show", async (t) => {
  const app = await loaded(t);
  const { page } = app;
  await runQuery(page, Q1);
  const sidebar = page.getByRole("list", { name: "Fields of the result" });
  const field = sidebar.getByRole("listitem", { name: "event[eventName]", exact: true });
  await field.waitFor();
  await waitForText(field.getByLabel(/^Present in/), /^100\.0%$/);
  // The top value and its count, computed here over every event (not the page shown).
  const counts = new Map();
  for (const e of events) counts.set(e.eventName, (counts.get(e.eventName) || 0) + 1);
  const top = Math.max(...counts.values());
  const values = field.getByRole("list", { name: "Top values of event[eventName]" }).getByRole("listitem");
  const first = values.nth(0);
  const name = (await first.locator("code").innerText()).trim();
  assert.equal(counts.get(name), top, `${name} is the most frequent event name`);
  assert.equal(Number(await first.locator(".field-count").innerText()), top);
  // A path that only some events have (found with the search box): its presence in percent.
  await page.getByRole("searchbox", { name: "Find field" }).fill("errorcode");
  const errors = sidebar.getByRole("listitem", { name: "event[errorCode]", exact: true });
  await waitForText(errors.getByLabel(/^Present in/), new RegExp(`^${((withError * 100) / events.length).toFixed(1)}%$`));
  await screenshot(page, "investigate-4-field-sidebar");

  await page.getByRole("searchbox", { name: "Find field" }).fill("");
  // Hide a column, then show it again.
  const content = sidebar.getByRole("checkbox", { name: "Show column content" });
  await content.uncheck();
  await poll(async () => !(await readGrid(page)).headers.includes("content"), { message: "content hidden" });
  await content.check();
  await poll(async () => (await readGrid(page)).headers.includes("content"), { message: "content shown" });

  // "+" on the top value: a filter line, and the rows of that value.
  const r = await resultOf(page, () => first.getByRole("button", { name: `Filter for ${name} in event[eventName]` }).click());
  assert.equal(r.rows, top);
  assert.match(await editor(page).inputValue(), new RegExp(`\\| filter event\\[eventName\\] == "${name}"$`));
  await app.assertClean();
});

test("editor: Ctrl+Space lists commands, functions and members learned from the data; arrows and Enter insert; signature help", async (t) => {
  const app = await loaded(t);
  const { page } = app;
  const ed = editor(page);
  const list = page.getByRole("listbox", { name: "Completions" });
  const options = list.getByRole("option");

  // Members of the loaded events inside event[userIdentity][…], narrowed as one types.
  await ed.fill('fetch logs\n| parse content, "JSON:event"\n| filter event[userIdentity][');
  await ed.press("End");
  await ed.press("Control+Space");
  await list.waitFor();
  await poll(async () => (await options.allInnerTexts()).some((o) => /^arn\b/.test(o)), { message: "arn among the members" });
  assert.equal(await ed.getAttribute("aria-controls"), await list.getAttribute("id"));
  await page.keyboard.type("ar");
  await poll(async () => /^arn\b/.test((await options.first().innerText()).trim()), { message: "the list narrowed to arn" });
  assert.equal(await options.first().getAttribute("aria-selected"), "true");
  assert.equal(await ed.getAttribute("aria-activedescendant"), await options.first().getAttribute("id"));
  await screenshot(page, "investigate-5-completions");
  await page.keyboard.press("Enter");
  await list.waitFor({ state: "detached" });
  assert.match(await ed.inputValue(), /\| filter event\[userIdentity\]\[arn\]?$/);

  // Commands after a pipe; arrows move the choice; Esc closes the list and runs nothing.
  await ed.fill("fetch logs\n| sum");
  await ed.press("End");
  await ed.press("Control+Space");
  await poll(async () => (await options.allInnerTexts()).some((o) => o.startsWith("summarize")), { message: "summarize offered" });
  await page.keyboard.press("ArrowDown");
  await page.keyboard.press("Escape");
  await list.waitFor({ state: "detached" });
  assert.equal(await page.getByRole("button", { name: "Cancel query" }).count(), 0);

  // Signature help inside a call, with the function's one-line doc.
  await ed.fill("fetch logs\n| fieldsAdd x = substring(");
  await ed.press("End");
  await ed.press("Control+Space");
  await waitForText(page.getByRole("status", { name: "Signature help" }), /^substring\(.*\) — \S/);
  await app.assertClean();
});

test("compare: two records side by side, the differing paths marked in words", async (t) => {
  const app = await loaded(t);
  const { page } = app;
  await runQuery(page, 'fetch logs\n| parse content, "JSON:event"\n| fields timestamp, name = event[eventName]\n| limit 3');
  const dialog = page.getByRole("dialog", { name: "Record details" });
  for (const row of [0, 1]) {
    await dataRows(page).nth(row).dblclick();
    await dialog.waitFor({ state: "visible" });
    await dialog.getByRole("button", { name: "Add to compare" }).click();
    await dialog.getByRole("button", { name: "Close" }).click();
  }
  const panel = page.getByRole("region", { name: "Compare records" });
  await panel.getByRole("list", { name: "Records compared" }).getByRole("listitem").nth(1).waitFor();
  const table = panel.getByRole("table", { name: "Records side by side" });
  // Two different events always differ in eventID; only differing paths are listed at first.
  const differs = table.getByRole("row", { name: /eventID\]? differs/ });
  await differs.waitFor();
  const summary = await panel.getByRole("status", { name: "Comparison summary" }).innerText();
  const n = Number(summary.match(/^(\d+) paths? differ/)[1]);
  assert.equal(await table.locator("tbody tr").count(), n);
  // With every path, the equal ones are there too, unmarked.
  await panel.getByRole("checkbox", { name: "Only the paths that differ" }).uncheck();
  await poll(async () => (await table.locator("tbody tr").count()) > n, { message: "every path listed" });
  const same = table.locator("tbody tr:not(.compare-differs)");
  assert.ok((await same.count()) > 0);
  assert.doesNotMatch(await same.first().innerText(), /differs/);
  await screenshot(page, "investigate-6-compare");
  await panel.getByRole("button", { name: "Clear comparison" }).click();
  await panel.waitFor({ state: "detached" });
  await app.assertClean();
});
