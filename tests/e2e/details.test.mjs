// Reading one record: the field details dialog (right-click a row, move with the arrow keys and
// the Previous/Next buttons) and the record tree (double-click a row; expand, collapse, search,
// copy, and add a filter for or against a value to the query).
//
// Both run on the "External KMS keys" preset as in the guide over the seed fixture: 5 rows whose order (newest
// first) and values are known from the fixture files.

import { test } from "node:test";
import assert from "node:assert/strict";

import {
  decodeEvents,
  editor,
  get,
  grid,
  openApp,
  pickFiles,
  poll,
  readGridRows,
  resultOf,
  runQuery,
  screenshot,
  seedFiles,
  waitForLoaded,
  waitForText,
} from "./lib.mjs";

const files = await seedFiles();
const { events } = decodeEvents(files);
const keys = events
  .filter((e) => e.eventName === "CreateKey")
  .filter((e) => !String(get(e, "requestParameters", "origin") ?? "").startsWith("AWS_"))
  .sort((a, b) => (a.eventTime < b.eventTime ? 1 : -1))
  .map((e) => ({
    time: e.eventTime,
    region: e.awsRegion,
    user: get(e, "userIdentity", "arn"),
    keyId: get(e, "responseElements", "keyMetadata", "keyId"),
    origin: get(e, "requestParameters", "origin"),
  }));
// A word that tells each row apart in a dialog's text.
const marker = (k) => k.keyId ?? k.user;

async function openKmsPreset(t, options) {
  const app = await openApp(t, options);
  const { page } = app;
  await pickFiles(page, files);
  await waitForLoaded(page, events.length);
  const r = await resultOf(page, () => page.getByRole("button", { name: "External KMS keys as in the guide", exact: true }).click());
  assert.equal(r.rows, keys.length, r.text);
  await readGridRows(page, keys.length);
  return app;
}

/** Data rows of the results grid (rows holding gridcells). */
function dataRows(page) {
  return grid(page).getByRole("row").filter({ has: page.getByRole("gridcell") });
}

test("Field details: right-click a row, then move with the arrow keys and the buttons", async (t) => {
  const app = await openKmsPreset(t);
  const { page } = app;

  await dataRows(page).nth(0).click({ button: "right" });
  await page.getByRole("menuitem", { name: "View field details" }).click();
  const dialog = page.getByRole("dialog", { name: "Field details" });
  await dialog.waitFor({ state: "visible" });
  await waitForText(dialog, new RegExp(escape(marker(keys[0]))), { message: "row 1 in the dialog" });
  await screenshot(page, "details-1-field-details");

  await page.keyboard.press("ArrowDown");
  await waitForText(dialog, new RegExp(escape(marker(keys[1]))), { message: "row 2 after ArrowDown" });
  await page.keyboard.press("ArrowDown");
  await waitForText(dialog, new RegExp(escape(marker(keys[2]))), { message: "row 3 after ArrowDown" });
  await page.keyboard.press("ArrowUp");
  await waitForText(dialog, new RegExp(escape(marker(keys[1]))), { message: "row 2 after ArrowUp" });

  await dialog.getByRole("button", { name: "Next record" }).click();
  await waitForText(dialog, new RegExp(escape(marker(keys[2]))), { message: "row 3 after Next record" });
  await dialog.getByRole("button", { name: "Previous record" }).click();
  await dialog.getByRole("button", { name: "Previous record" }).click();
  await waitForText(dialog, new RegExp(escape(marker(keys[0]))), { message: "row 1 after Previous record ×2" });

  await dialog.getByRole("button", { name: "Close" }).click();
  await dialog.waitFor({ state: "hidden" });
  await app.assertClean();
});

// The record tree needs a nested record: the parsed event of every CreateKey call, newest first.
const TREE_QUERY = 'fetch logs\n| parse content, "JSON:event"\n| filter event[eventName] == "CreateKey"\n| fields timestamp, event';
const createKeys = events
  .filter((e) => e.eventName === "CreateKey")
  .sort((a, b) => (a.eventTime < b.eventTime ? 1 : -1));

test("Record tree: expand, collapse, search, copy; Filter for / Filter out add a line and rerun", async (t) => {
  const app = await openApp(t, { permissions: ["clipboard-read", "clipboard-write"] });
  const { page } = app;
  await pickFiles(page, files);
  await waitForLoaded(page, events.length);
  let r = await runQuery(page, TREE_QUERY);
  assert.equal(r.rows, createKeys.length, r.text);
  await readGridRows(page, createKeys.length);
  const first = createKeys[0];
  const keyId = get(first, "responseElements", "keyMetadata", "keyId");

  await dataRows(page).nth(0).dblclick();
  const dialog = page.getByRole("dialog", { name: "Record details" });
  await dialog.waitFor({ state: "visible" });
  const tree = dialog.getByRole("tree");
  await tree.waitFor({ state: "visible" });
  const items = () => tree.getByRole("treeitem");
  const item = (key, value) => tree.getByRole("treeitem", { name: `${key}: ${value}`, exact: true });

  await dialog.getByRole("button", { name: "Collapse all" }).click();
  const collapsed = await items().count();
  await dialog.getByRole("button", { name: "Expand all" }).click();
  await item("keyId", keyId).waitFor();
  const expanded = await items().count();
  assert.ok(expanded > collapsed + 10, `Expand all shows the nested fields (${expanded} items, ${collapsed} collapsed)`);
  await screenshot(page, "details-2-record-tree");

  await dialog.getByRole("searchbox", { name: "Search in record" }).fill("SIGN_VERIFY");
  await poll(async () => (await items().count()) < expanded && (await tree.getByRole("treeitem", { name: /SIGN_VERIFY/ }).count()) > 0, {
    message: "the search narrows the tree to the SIGN_VERIFY value and its parents",
  });
  await screenshot(page, "details-3-record-tree-search");
  await dialog.getByRole("searchbox", { name: "Search in record" }).fill("");
  await poll(async () => (await items().count()) === expanded, { message: "all items back after clearing the search" });

  // Copy value / Copy path on the keyId value.
  const keyItem = item("keyId", keyId);
  await keyItem.hover();
  await keyItem.getByRole("button", { name: "Copy value" }).click();
  await poll(async () => (await page.evaluate(() => navigator.clipboard.readText())) === keyId, {
    message: "the keyId on the clipboard",
  });
  await keyItem.getByRole("button", { name: "Copy path" }).click();
  await poll(async () => (await page.evaluate(() => navigator.clipboard.readText())) === "event[responseElements][keyMetadata][keyId]", {
    message: "the DQL path of keyId on the clipboard",
  });

  // Filter out this record's region: the query gains a filterOut line and runs again. The
  // value's buttons show on the focused (clicked) item.
  const regionItem = item("awsRegion", first.awsRegion);
  await regionItem.click();
  r = await resultOf(page, () => regionItem.getByRole("button", { name: "Filter out value" }).click());
  let query = await editor(page).inputValue();
  assert.ok(query.startsWith(TREE_QUERY), "the query typed before is kept");
  assert.equal(query.slice(TREE_QUERY.length).trim(), `| filterOut event[awsRegion] == "${first.awsRegion}"`);
  const rest = createKeys.filter((e) => e.awsRegion !== first.awsRegion);
  assert.equal(r.rows, rest.length, `rows after filtering out ${first.awsRegion}: ${r.text}`);
  await readGridRows(page, rest.length);

  // Filter for the region of the (new) first row: only its region's keys stay.
  await dataRows(page).nth(0).dblclick();
  await dialog.waitFor({ state: "visible" });
  const forItem = item("awsRegion", rest[0].awsRegion);
  await forItem.click();
  r = await resultOf(page, () => forItem.getByRole("button", { name: "Filter for value" }).click());
  query = await editor(page).inputValue();
  assert.equal(query.split("\n").at(-1), `| filter event[awsRegion] == "${rest[0].awsRegion}"`);
  const kept = rest.filter((e) => e.awsRegion === rest[0].awsRegion);
  assert.equal(r.rows, kept.length, `rows after filtering for ${rest[0].awsRegion}: ${r.text}`);
  await screenshot(page, "details-4-after-filter-for-value");
  await app.assertClean();
});

function escape(s) {
  return String(s).replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

test(
  "Record tree: after using one value's buttons, hovering another value shows that value's buttons",
  async (t) => {
    const app = await openApp(t, { permissions: ["clipboard-read", "clipboard-write"] });
    const { page } = app;
    await pickFiles(page, files);
    await waitForLoaded(page, events.length);
    await runQuery(page, TREE_QUERY);
    await dataRows(page).nth(0).dblclick();
    const tree = page.getByRole("dialog", { name: "Record details" }).getByRole("tree");
    const keyId = get(createKeys[0], "responseElements", "keyMetadata", "keyId");
    const keyItem = tree.getByRole("treeitem", { name: `keyId: ${keyId}`, exact: true });
    await keyItem.hover();
    await keyItem.getByRole("button", { name: "Copy value" }).click();
    const regionItem = tree.getByRole("treeitem", { name: `awsRegion: ${createKeys[0].awsRegion}`, exact: true });
    await regionItem.hover();
    await screenshot(page, "details-5-hover-after-copy");
    await regionItem.getByRole("button", { name: "Filter out value" }).waitFor({ timeout: 3000 });
    await app.assertClean();
  },
);
