// Log values are attacker-controlled. An export whose fields (and file name) hold HTML must show
// that HTML as text everywhere the page shows values: the sources list, the table, field
// details, the record tree and a chart legend. No script may run, no dialog open, no element be
// created from it, and the page's CSP must never have to step in.

import { test } from "node:test";
import assert from "node:assert/strict";

import { dropFiles, grid, openApp, readGridRows, runQuery, screenshot, waitForLoaded, waitForText } from "./lib.mjs";

const UA = "<img src=x onerror=alert(1)>";
const NAME = "<script>window.__pwned=1</script>";
const REGION = '"><svg onload=alert(2)>';
const FILE = "<img src=x onerror=alert(3)>.json";

function event(i, minute, name) {
  return {
    eventVersion: "1.09",
    userIdentity: { type: "IAMUser", principalId: "AIDAEXAMPLE", arn: "arn:aws:iam::111122223333:user/eve", accountId: "111122223333", userName: "eve" },
    eventTime: `2026-11-20T12:${String(minute).padStart(2, "0")}:0${i}Z`,
    eventSource: "iam.amazonaws.com",
    eventName: name,
    awsRegion: REGION,
    sourceIPAddress: "203.0.113.99",
    userAgent: UA,
    requestParameters: null,
    responseElements: null,
    requestID: `req-${i}`,
    eventID: `0b2c6e1e-0000-4000-8000-00000000000${i}`,
    readOnly: true,
    eventType: "AwsApiCall",
    managementEvent: true,
    recipientAccountId: "111122223333",
    eventCategory: "Management",
  };
}

const records = [event(1, 0, NAME), event(2, 1, NAME), event(3, 3, NAME), event(4, 4, "ListUsers")];
const file = { name: FILE, bytes: Buffer.from(JSON.stringify({ Records: records })) };

/** Nothing the values hold has become markup or run. */
async function assertInert(page) {
  const found = await page.evaluate(() => ({
    pwned: typeof window.__pwned,
    imgX: [...document.querySelectorAll("img")].filter((i) => /\/x$/.test(i.src)).length,
    handlers: document.querySelectorAll("[onerror], [onload]").length,
    svg: document.querySelectorAll("svg[onload]").length,
    scripts: [...document.querySelectorAll("script")].filter((s) => !s.src || /pwned/.test(s.textContent)).length,
  }));
  assert.deepEqual(found, { pwned: "undefined", imgX: 0, handlers: 0, svg: 0, scripts: 0 });
}

test("XSS: HTML in log values and file names shows as text in every view and never runs", async (t) => {
  const app = await openApp(t);
  const { page } = app;
  await dropFiles(page, [file]);
  await waitForLoaded(page, records.length);
  await waitForText(page.getByRole("list", { name: "Loaded sources" }), new RegExp(escape(FILE)));

  // The table.
  const r = await runQuery(page, 'fetch logs\n| parse content, "JSON:event"\n| fields {\nname = event[eventName],\nua = event[userAgent],\nregion = event[awsRegion]\n}');
  assert.equal(r.rows, records.length);
  const { headers, rows } = await readGridRows(page, records.length);
  const [n, u, g] = ["name", "ua", "region"].map((h) => headers.indexOf(h));
  assert.deepEqual(rows.map((row) => [row[n], row[u], row[g]]).sort(), records.map((e) => [e.eventName, e.userAgent, e.awsRegion]).sort());
  assert.equal(await grid(page).locator("img, script, svg").count(), 0, "no element inside the results grid came from a value");
  await screenshot(page, "xss-1-table");
  await assertInert(page);

  // Field details (right-click menu) and the record tree (double-click).
  const first = grid(page).getByRole("row").filter({ has: page.getByRole("gridcell") }).filter({ hasText: NAME }).first();
  await first.click({ button: "right" });
  await page.getByRole("menuitem", { name: "View field details" }).click();
  const details = page.getByRole("dialog", { name: "Field details" });
  await waitForText(details, new RegExp(escape(UA)));
  await details.getByRole("button", { name: "Close" }).click();

  await first.dblclick();
  const tree = page.getByRole("dialog", { name: "Record details" }).getByRole("tree");
  await waitForText(tree, new RegExp(escape(NAME)));
  const treeText = await tree.innerText();
  assert.ok(treeText.includes(UA) && treeText.includes(REGION), "the tree shows the raw values as text");
  assert.equal(await tree.locator("img, script, svg").count(), 0);
  await screenshot(page, "xss-2-record-tree");
  await page.getByRole("dialog", { name: "Record details" }).getByRole("button", { name: "Close" }).click();
  await assertInert(page);

  // A chart whose legend names the series by the hostile eventName.
  await runQuery(page, 'fetch logs\n| parse content, "JSON:event"\n| makeTimeseries count(), by: { name = event[eventName] }');
  const legend = page.getByRole("list", { name: "Legend" });
  await waitForText(legend, new RegExp(escape(NAME)));
  const items = (await legend.getByRole("listitem").allInnerTexts()).map((s) => s.trim());
  assert.ok(items.some((i) => i.includes(NAME)), `legend: ${JSON.stringify(items)}`);
  assert.equal(await legend.locator("img, script, svg").count(), 0);
  await screenshot(page, "xss-3-chart-legend");

  // Give an injected handler every chance to fire before looking.
  await page.waitForTimeout(300);
  await assertInert(page);
  assert.deepEqual(app.dialogs, [], "no alert/confirm/prompt dialog opened");
  await app.assertClean();
});

function escape(s) {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
