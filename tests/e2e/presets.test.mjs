// The four use-case presets of the data panel, run on the seed fixture. The presets have no
// `from: -30min` and no bucket filter, so they cover every loaded event; the expected rows are
// computed here from the fixture files, independently of the engine.

import { test } from "node:test";
import assert from "node:assert/strict";

import {
  arraySum,
  canvasInk,
  cellValue,
  col,
  decodeEvents,
  editor,
  get,
  openApp,
  pickFiles,
  readGridRows,
  resultOf,
  screenshot,
  seedFiles,
  waitForLoaded,
} from "./lib.mjs";

const files = await seedFiles();
const { events } = decodeEvents(files);

function consoleFailureGroups(list) {
  const groups = new Map();
  for (const e of list) {
    if (e.eventSource !== "signin.amazonaws.com" || e.eventName !== "ConsoleLogin") continue;
    if (get(e, "responseElements", "ConsoleLogin") !== "Failure") continue;
    const key = JSON.stringify([
      get(e, "sourceIPAddress"),
      get(e, "errorMessage"),
      get(e, "awsRegion"),
      get(e, "userIdentity", "arn"),
      get(e, "additionalEventData", "MFAUsed"),
    ]);
    groups.set(key, (groups.get(key) || 0) + 1);
  }
  return groups;
}
const consoleFailures = consoleFailureGroups(events);

// "Last 30 minutes" with now = the newest loaded event (+1 ns, so that event is inside): the
// events after newest − 30 min, up to the newest.
const newest = Math.max(...events.map((e) => Date.parse(e.eventTime)));
const last30 = events.filter((e) => Date.parse(e.eventTime) > newest - 30 * 60e3);

const countBy = (list, f) => list.reduce((m, e) => m.set(f(e), (m.get(f(e)) || 0) + 1), new Map());
const unauthorized = countBy(
  events.filter((e) => e.errorCode === "AccessDenied" || e.errorCode === "UnauthorizedOperation"),
  (e) => e.eventName,
);
const throttled = countBy(
  events.filter((e) => e.errorCode === "Client.RequestLimitExceeded"),
  (e) => e.eventName,
);
const externalKeys = events
  .filter((e) => e.eventName === "CreateKey")
  .filter((e) => {
    const origin = get(e, "requestParameters", "origin");
    return !(typeof origin === "string" && origin.startsWith("AWS_"));
  })
  .sort((a, b) => (a.eventTime < b.eventTime ? 1 : -1)) // newest first, as fetch returns them
  .map((e) => [
    e.eventName,
    get(e, "requestParameters", "origin"),
    get(e, "responseElements", "keyMetadata", "keyUsage"),
    e.awsRegion,
    get(e, "userIdentity", "arn"),
    get(e, "responseElements", "keyMetadata", "keyId"),
  ]);

/** Clicks a preset: a new case named after it opens, its query runs; returns the result. */
async function runPreset(page, name) {
  const r = await resultOf(page, () => page.getByRole("button", { name, exact: true }).click());
  const tab = page.getByRole("tablist", { name: "Cases" }).getByRole("tab", { name, exact: true, selected: true });
  await tab.waitFor({ state: "visible" });
  return r;
}

/** Switches a chart result to its table. */
async function showTable(page) {
  const table = page.getByRole("button", { name: "Table", exact: true });
  await table.click();
  assert.equal(await table.getAttribute("aria-pressed"), "true");
}

/** The chart is drawn (not a blank canvas) and its legend names `names` (if given); returns the legend. */
async function checkChart(page, names) {
  const chartButton = page.getByRole("button", { name: "Chart", exact: true });
  assert.equal(await chartButton.getAttribute("aria-pressed"), "true", "a time series opens as a chart");
  const canvas = page.getByLabel("Time series chart");
  await canvas.waitFor({ state: "visible" });
  assert.equal(await canvas.evaluate((c) => c.tagName), "CANVAS");
  const ink = await canvasInk(canvas);
  assert.ok(ink.width > 100 && ink.height > 100, `canvas size ${ink.width}×${ink.height}`);
  assert.ok(ink.colours >= 3 && ink.ink > 500, `the canvas is drawn: ${JSON.stringify(ink)}`);
  const legend = (await page.getByRole("list", { name: "Legend" }).getByRole("listitem").allInnerTexts()).map((s) => s.trim());
  if (names) {
    assert.equal(legend.length, names.length, `legend: ${JSON.stringify(legend)}`);
    for (const n of names) {
      assert.ok(legend.some((l) => l.includes(n)), `legend names ${n}: ${JSON.stringify(legend)}`);
    }
  }
  return legend;
}

test("use-case presets on the seed fixture", async (t) => {
  const app = await openApp(t);
  const { page } = app;
  await pickFiles(page, files);
  await waitForLoaded(page, events.length);

  await t.test("Console sign-in failures: one row per (IP, reason, region, user, MFA) with counts", async () => {
    const r = await runPreset(page, "Console sign-in failures");
    assert.match(await editor(page).inputValue(), /event\[responseElements\]\[ConsoleLogin\] == "Failure"/);
    assert.equal(r.rows, consoleFailures.size, r.text);
    const { headers, rows } = await readGridRows(page, consoleFailures.size);
    const names = ["ipAddr", "reason", "region", "userARN", "MFAUsed", "count()"];
    const idx = names.map((n) => col(headers, n));
    const seen = new Map();
    for (const row of rows) {
      const [ip, reason, region, arn, mfa, count] = idx.map((i) => cellValue(row[i]));
      seen.set(JSON.stringify([ip, reason, region, arn, mfa]), Number(count));
    }
    assert.deepEqual(seen, consoleFailures);
    await screenshot(page, "presets-1-console-failures");
  });

  await t.test("Time frame: Last 30 minutes narrows the sign-in failures to the newest half hour", async () => {
    const frame = page.getByRole("combobox", { name: "Time frame" });
    await frame.selectOption({ label: "Last 30 minutes" });
    const expected = consoleFailureGroups(last30);
    // Run it again from the keyboard, as the editor's hint says: Ctrl+Enter.
    const r = await resultOf(page, () => editor(page).press("Control+Enter"));
    assert.equal(r.rows, expected.size, r.text);
    const { headers, rows } = await readGridRows(page, expected.size);
    const total = rows.reduce((a, row) => a + Number(row[col(headers, "count()")]), 0);
    assert.equal(total, [...expected.values()].reduce((a, b) => a + b, 0));
    await screenshot(page, "presets-1b-console-failures-last-30-min");
    await frame.selectOption({ label: "All loaded data" });
  });

  await t.test("Unauthorized API calls: chart with legend, then a table of the top 10 by arrayAvg", async () => {
    const r = await runPreset(page, "Unauthorized API calls");
    await screenshot(page, "presets-2a-unauthorized-as-the-user-sees-it", { asIs: true });
    const top = Math.min(10, unauthorized.size);
    assert.equal(r.rows, top, r.text);
    await screenshot(page, "presets-2-unauthorized-chart");
    // The legend names `top` of the APIs that were denied, each once.
    const legend = await checkChart(page, null);
    assert.equal(legend.length, top, `legend: ${JSON.stringify(legend)}`);
    for (const l of legend) {
      assert.ok([...unauthorized.keys()].some((n) => l.includes(n)), `legend entry ${JSON.stringify(l)} is a denied API`);
    }

    await showTable(page);
    const { headers, rows } = await readGridRows(page, top);
    const name = col(headers, "eventName");
    const series = col(headers, "event_count");
    let lastAvg = Infinity;
    for (const row of rows) {
      const n = row[name];
      assert.ok(unauthorized.has(n), `${n} had AccessDenied/UnauthorizedOperation calls`);
      assert.equal(arraySum(row[series]), unauthorized.get(n), `${n}: the series adds up to its calls`);
      const bins = (row[series].match(/-?\d+(\.\d+)?|null/g) || []).filter((x) => x !== "null").map(Number);
      const avg = bins.reduce((a, b) => a + b, 0) / bins.length;
      assert.ok(avg <= lastAvg + 1e-9, `sorted by arrayAvg desc: ${n} ${avg} after ${lastAvg}`);
      lastAvg = avg;
    }
    await screenshot(page, "presets-3-unauthorized-table");
  });

  await t.test("API throttling: one series per throttled API, adding up to its calls", async () => {
    const r = await runPreset(page, "API throttling");
    assert.equal(r.rows, throttled.size, r.text);
    await checkChart(page, [...throttled.keys()]);
    await screenshot(page, "presets-4-throttling-chart");
    await showTable(page);
    const { headers, rows } = await readGridRows(page, throttled.size);
    const name = col(headers, "eventName");
    const series = col(headers, "count()");
    const seen = new Map(rows.map((row) => [row[name], arraySum(row[series])]));
    assert.deepEqual(seen, throttled);
  });

  await t.test("External KMS keys: the keys not created by AWS, newest first", async () => {
    const r = await runPreset(page, "External KMS keys");
    assert.equal(r.rows, externalKeys.length, r.text);
    const { headers, rows } = await readGridRows(page, externalKeys.length);
    const idx = ["eventName", "origin", "keyUsage", "region", "userARN", "keyId"].map((n) => col(headers, n));
    assert.deepEqual(
      rows.map((row) => idx.map((i) => cellValue(row[i]))),
      externalKeys,
    );
    await screenshot(page, "presets-5-kms-table");
  });

  await app.assertClean();
});

test(
  "a preset's result is in view after the click, even with many sources listed",
  async (t) => {
    const app = await openApp(t);
    const { page } = app;
    await pickFiles(page, files);
    await waitForLoaded(page, events.length);
    await resultOf(page, () => page.getByRole("button", { name: "External KMS keys", exact: true }).click());
    const where = await page.getByRole("status", { name: "Result summary" }).evaluate((el) => {
      const r = el.getBoundingClientRect();
      return { top: Math.round(r.top), bottom: Math.round(r.bottom), viewport: innerHeight, scrollY: Math.round(scrollY) };
    });
    await screenshot(page, "presets-6-result-in-view", { asIs: true });
    assert.ok(where.top >= 0 && where.bottom <= where.viewport, `result summary at ${JSON.stringify(where)}`);
    await app.assertClean();
  },
);
