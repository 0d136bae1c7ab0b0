// "Copy as Athena SQL" / "Copy as Spark SQL" (issue 16): a case's query written as one SQL
// statement by the engine (in wasm), copied and shown; a query SQL cannot express is refused
// with the engine's error naming the construct, as `trailscope sql` refuses it.

import { test } from "node:test";
import assert from "node:assert/strict";

import { editor, openApp, poll, screenshot, waitForLoaded, waitForText } from "./lib.mjs";

const caseStatus = (page) => page.getByLabel("Case sharing status");
const clipboard = (page) => page.evaluate(() => navigator.clipboard.readText());

test("a case's query is copied as Athena and Spark SQL, and a refusal names the construct", async (t) => {
  const app = await openApp(t, { permissions: ["clipboard-read", "clipboard-write"] });
  const { page } = app;
  await page.getByRole("button", { name: "Load sample" }).click();
  await waitForLoaded(page, 8000);

  const query =
    'fetch logs, from: -30min | parse content, "JSON:event" | filter event[errorCode] == "AccessDenied" | summarize n = count(), by: {api = event[eventName]} | sort n desc';
  await editor(page).fill(query);

  await page.getByRole("button", { name: "Copy as Athena SQL" }).click();
  await waitForText(caseStatus(page), /^Athena SQL copied/);
  const athena = await clipboard(page);
  assert.match(athena, /^-- Athena SQL of a Trailscope query/);
  assert.match(athena, /FROM cloudtrail_logs t WHERE "timestamp" >= '\d{4}\/\d\d\/\d\d'/, "day partitions");
  assert.match(athena, /"errorcode" = 'AccessDenied'/);
  assert.match(athena, /AS "api", .* AS "n"/);
  assert.equal(await page.getByRole("textbox", { name: "Athena SQL" }).inputValue(), athena);
  await screenshot(page, "sql-copy-athena");

  await page.getByRole("button", { name: "Copy as Spark SQL" }).click();
  await waitForText(caseStatus(page), /^Spark SQL copied/);
  const spark = await clipboard(page);
  assert.match(spark, /^-- Spark SQL of a Trailscope query/);
  assert.match(spark, /FROM cloudtrail t/);
  assert.match(spark, /AS `api`, .* AS `n`/);

  // A command SQL does not take: refused by name, nothing copied or shown.
  await editor(page).fill("fetch logs | fieldsSummary aws.region");
  await page.getByRole("button", { name: "Copy as Spark SQL" }).click();
  await waitForText(caseStatus(page), /This query has no Spark SQL: .*E501.*fieldsSummary/s);
  await poll(async () => (await page.getByRole("textbox", { name: "Spark SQL" }).count()) === 0, {
    message: "the SQL box gone after a refusal",
  });
  assert.equal(await clipboard(page), spark, "the clipboard keeps the last statement");
  await app.assertClean();
});
