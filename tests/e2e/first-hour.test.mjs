// A responder's first hour (issue 17), on the seed fixture: results marked out of date when the
// time frame changes, the custom range from the loaded data with Enter, the chart saying when
// the interval changed, closing a case with Undo, opening a row by double-click or the row
// buttons, the full event beside a projected row, query history, and the small things (rename
// focus, "1 event", transient messages, the page behind a dialog inert). Expected numbers are
// computed here from the fixture files.

import { test } from "node:test";
import assert from "node:assert/strict";

import {
  decodeEvents,
  editor,
  grid,
  openApp,
  pickFiles,
  resultOf,
  runQuery,
  screenshot,
  seedFiles,
  waitForLoaded,
  waitForText,
} from "./lib.mjs";

const files = await seedFiles();
const { events } = decodeEvents(files);
const times = events.map((e) => Date.parse(e.eventTime));
const iso = (ms) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
const oldest = iso(Math.floor(Math.min(...times) / 1000) * 1000);
const afterNewest = iso(Math.floor(Math.max(...times) / 1000) * 1000 + 1000);

test("a responder's first hour on the seed fixture", async (t) => {
  const app = await openApp(t);
  const { page } = app;
  const idle = page.getByText("Load data, then run the query");
  assert.equal(await idle.count(), 1);
  await pickFiles(page, files);
  await waitForLoaded(page, events.length);

  await t.test("once data is loaded, the idle case no longer asks to load data", async () => {
    await page.getByRole("button", { name: "Add case" }).click();
    await waitForText(page.locator(".results-area .status"), /Run the query/);
    assert.equal(await idle.count(), 0);
  });

  await t.test("a changed time frame marks the result out of date; Run again refreshes it", async () => {
    const all = await runQuery(page, "fetch logs\n| summarize n = count()");
    assert.equal(all.rows, 1);
    await page.getByRole("combobox", { name: "Time frame" }).selectOption({ label: "Last 30 minutes" });
    const stale = page.getByRole("status", { name: "Result out of date" });
    await waitForText(stale, /the time frame changed/);
    await screenshot(page, "first-hour-1-stale");
    await resultOf(page, () => stale.getByRole("button", { name: "Run again" }).click());
    assert.equal(await stale.count(), 0);
  });

  await t.test("Custom… starts from the loaded data's span; Enter in a field applies it and runs", async () => {
    await page.getByRole("combobox", { name: "Time frame" }).selectOption({ label: "Custom…" });
    const from = page.getByRole("textbox", { name: "From (UTC)" });
    const to = page.getByRole("textbox", { name: "To (UTC)" });
    assert.equal(await from.inputValue(), oldest);
    assert.equal(await to.inputValue(), afterNewest);
    const cut = Math.floor(Math.max(...times) / 1000) * 1000 - 3600e3;
    const expected = times.filter((ms) => ms < cut).length;
    await to.fill(iso(cut));
    const r = await resultOf(page, () => to.press("Enter"));
    assert.equal(r.rows, 1);
    const n = await grid(page).getByRole("gridcell").first().innerText();
    assert.equal(Number(n.replace(/,/g, "")), expected, "events before the new To");
    await page.getByRole("combobox", { name: "Time frame" }).selectOption({ label: "All loaded data" });
  });

  await t.test("the chart says when the engine widened the interval", async () => {
    // A day at 1 s is 86,400 bins: over the 1,500-bin limit.
    await runQuery(page, "fetch logs, from: -24h\n| makeTimeseries count(), interval: 1s");
    const caption = page.getByLabel("Chart interval");
    await waitForText(caption, /interval widened from 1 s to \d+ (s|min|h) \(1,500-bin limit\)/);
    await screenshot(page, "first-hour-2-interval");
  });

  await t.test("double-click opens a row; the row buttons and hints are visible; the full event is beside a projected row", async () => {
    await runQuery(page, 'fetch logs\n| parse content, "JSON:event"\n| fields eventName = event[eventName]\n| limit 3');
    assert.match(await page.locator(".grid-hint").innerText(), /Double-click a row/);
    const first = grid(page).getByRole("row").nth(1);
    await first.getByRole("gridcell").first().dblclick();
    const dialog = page.getByRole("dialog", { name: "Record details" });
    await dialog.waitFor({ state: "visible" });
    // The page behind is inert while the dialog is open.
    assert.equal(await page.locator("body > main").getAttribute("inert"), "");
    await dialog.getByRole("button", { name: "Full event" }).click();
    await waitForText(dialog.getByRole("tree", { name: "Record fields" }), /eventSource/);
    await screenshot(page, "first-hour-3-full-event");
    await dialog.getByRole("button", { name: "Pin as evidence" }).click();
    await waitForText(dialog.getByRole("status", { name: "Evidence status" }), /Pinned/);
    await dialog.getByRole("button", { name: "Close" }).click();
    assert.equal(await page.locator("body > main").getAttribute("inert"), null);
    // Select a row, then the visible button opens its field details.
    await first.getByRole("gridcell").first().click();
    await page.getByRole("group", { name: "Selected row" }).getByRole("button", { name: "Field details" }).click();
    await page.getByRole("dialog", { name: "Field details" }).waitFor({ state: "visible" });
    await page.keyboard.press("Escape");
  });

  await t.test("query history lists the queries run; Use puts one back", async () => {
    await page.getByText(/^Query history \(\d+\)$/).click();
    const list = page.getByRole("list", { name: "Query history, newest first" });
    await list.getByRole("button", { name: "Use query 2 of the history" }).click();
    assert.match(await editor(page).inputValue(), /makeTimeseries count\(\), interval: 1s/);
  });

  await t.test("rename focuses the name field; closing a case can be undone with its notes", async () => {
    const tabs = page.getByRole("tablist", { name: "Cases" });
    const name = (await tabs.getByRole("tab", { selected: true }).innerText()).trim();
    await page.getByRole("textbox", { name: "Notes" }).fill("seen from 203.0.113.7");
    await page.getByRole("button", { name: `Rename case ${name}` }).click();
    const field = page.getByRole("textbox", { name: "Case name" });
    assert.ok(await field.evaluate((el) => el === document.activeElement), "the name field has focus");
    await page.keyboard.type("Brute force");
    await page.keyboard.press("Enter");
    await page.getByRole("button", { name: "Close case Brute force" }).click();
    const closed = page.getByRole("status", { name: "Closed case" });
    await waitForText(closed, /Closed “Brute force”, with its notes/);
    await screenshot(page, "first-hour-4-undo-close");
    await closed.getByRole("button", { name: "Undo close" }).click();
    await tabs.getByRole("tab", { name: "Brute force", selected: true }).waitFor();
    assert.equal(await page.getByRole("textbox", { name: "Notes" }).inputValue(), "seen from 203.0.113.7");
  });

  await app.assertClean();
});
