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
