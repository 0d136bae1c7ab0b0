// Case tabs: add, rename, switch and close them; after a reload the cases come back with their
// names, their query text and the active tab.

import { test } from "node:test";
import assert from "node:assert/strict";

import { editor, openApp, poll, reloadApp, screenshot } from "./lib.mjs";

const tabNames = async (page) =>
  (await page.getByRole("tablist", { name: "Cases" }).getByRole("tab").allInnerTexts()).map((s) => s.trim());

const tab = (page, name, extra = {}) =>
  page.getByRole("tablist", { name: "Cases" }).getByRole("tab", { name, exact: true, ...extra });

async function waitForTabs(page, expected) {
  await poll(async () => JSON.stringify(await tabNames(page)) === JSON.stringify(expected), {
    message: `tabs ${JSON.stringify(expected)}`,
  }).catch(async (e) => {
    throw new Error(`${e.message}; tabs are ${JSON.stringify(await tabNames(page))}`);
  });
}

test("Cases: add, rename, switch, close; a reload restores names, queries and the active tab", async (t) => {
  const app = await openApp(t);
  const { page } = app;

  await waitForTabs(page, ["Case 1"]);
  await tab(page, "Case 1", { selected: true }).waitFor();
  const defaultQuery = await editor(page).inputValue();
  assert.match(defaultQuery, /^fetch logs/);

  await page.getByRole("button", { name: "Add case" }).click();
  await waitForTabs(page, ["Case 1", "Case 2"]);
  await tab(page, "Case 2", { selected: true }).waitFor();
  assert.equal(await editor(page).inputValue(), defaultQuery, "a new case starts with the default query");

  const bruteForce = 'fetch logs\n| filter aws.service == "cloudtrail"\n| limit 3';
  await editor(page).fill(bruteForce);

  await page.getByRole("button", { name: "Rename case Case 2" }).click();
  const nameBox = page.getByRole("textbox", { name: "Case name" });
  await nameBox.fill("Brute force");
  await nameBox.press("Enter");
  await waitForTabs(page, ["Case 1", "Brute force"]);
  await page.getByRole("button", { name: "Close case Brute force" }).waitFor();

  await page.getByRole("button", { name: "Add case" }).click();
  await waitForTabs(page, ["Case 1", "Brute force", "Case 3"]);
  await screenshot(page, "cases-1-three-tabs");
  await page.getByRole("button", { name: "Close case Case 3" }).click();
  await waitForTabs(page, ["Case 1", "Brute force"]);

  // Switching tabs shows each case's own query.
  await tab(page, "Case 1").click();
  await tab(page, "Case 1", { selected: true }).waitFor();
  assert.equal(await editor(page).inputValue(), defaultQuery);
  await tab(page, "Brute force").click();
  await tab(page, "Brute force", { selected: true }).waitFor();
  assert.equal(await editor(page).inputValue(), bruteForce);

  await reloadApp(app);
  await waitForTabs(page, ["Case 1", "Brute force"]);
  await tab(page, "Brute force", { selected: true }).waitFor();
  assert.equal(await editor(page).inputValue(), bruteForce, "the active case's query survives a reload");
  await tab(page, "Case 1").click();
  assert.equal(await editor(page).inputValue(), defaultQuery);
  await screenshot(page, "cases-2-after-reload");

  // Closing the last case leaves one fresh case.
  await page.getByRole("button", { name: "Close case Case 1" }).click();
  await page.getByRole("button", { name: "Close case Brute force" }).click();
  await poll(async () => (await tabNames(page)).length === 1, { message: "one fresh case" });
  await app.assertClean();
});

test("Cases: tabs reorder by dragging and by Alt+Arrow; a sorted column keeps its arrow across tab switches", async (t) => {
  const app = await openApp(t);
  const { page } = app;
  await page.getByRole("button", { name: "Add case" }).click();
  await page.getByRole("button", { name: "Add case" }).click();
  await waitForTabs(page, ["Case 1", "Case 2", "Case 3"]);

  // Drag "Case 3" onto "Case 1": it takes that place.
  await tab(page, "Case 3").dragTo(tab(page, "Case 1"));
  await waitForTabs(page, ["Case 3", "Case 1", "Case 2"]);
  // Keyboard: Alt+Right moves the focused tab one place on.
  await tab(page, "Case 3").click();
  await tab(page, "Case 3").press("Alt+ArrowRight");
  await waitForTabs(page, ["Case 1", "Case 3", "Case 2"]);
  await reloadApp(app);
  await waitForTabs(page, ["Case 1", "Case 3", "Case 2"]);

  // Sort a result by a column, switch away and back: the header still says how it is sorted.
  await page.getByRole("button", { name: "Load sample" }).click();
  await poll(async () => /Loaded \d+ events/.test(await page.getByRole("status", { name: "Load report" }).textContent()), {
    message: "sample loaded",
  });
  await tab(page, "Case 1").click();
  await page.getByRole("button", { name: "Run", exact: true }).click();
  const header = page.getByRole("columnheader").first();
  await header.waitFor();
  await header.getByRole("button").first().click();
  await poll(async () => (await header.getAttribute("aria-sort")) === "ascending", { message: "ascending sort" });
  await tab(page, "Case 2").click();
  await tab(page, "Case 1").click();
  await poll(async () => (await page.getByRole("columnheader").first().getAttribute("aria-sort")) === "ascending", {
    message: "the sort survives switching tabs",
  });
  await screenshot(page, "cases-3-reordered-and-sorted");
  await app.assertClean();
});
