// Hostile exports in the browser (issue 12): the wasm engine holds the same budgets as the CLI.
// A gzip bomb nested three layers deep is cut with a message naming the file, a file of a
// hundred thousand empty "events" reports a capped list of problems, and the good files dropped
// beside them load and answer.

import { test } from "node:test";
import assert from "node:assert/strict";
import { gzipSync } from "node:zlib";

import {
  decodeEvents,
  dropFiles,
  loadReport,
  openApp,
  runQuery,
  screenshot,
  seedFiles,
  waitForLoaded,
  waitForText,
} from "./lib.mjs";

const seed = await seedFiles();
const good = seed.filter((f) => f.name.endsWith(".json.gz")).slice(0, 3);
const goodEvents = decodeEvents(good).events.length;

/** 40 MiB of zeros gzipped three times over: a few hundred bytes that each layer would allow. */
const triple = gzipSync(gzipSync(gzipSync(Buffer.alloc(40 << 20)), { level: 9 }), { level: 9 });
/** 100,000 lines of `{}`: every one an "event" without a time, each a problem. */
const empties = gzipSync(Buffer.from("{}\n".repeat(100_000)), { level: 9 });

test("Hostile exports: a triple-gzip bomb is cut and named, problems are capped, the good files load and answer", async (t) => {
  assert.ok(triple.length < 64 << 10 && empties.length < 64 << 10, "small inputs");
  const app = await openApp(t);
  const { page } = app;
  await dropFiles(page, [
    { name: "triple.json.gz", bytes: triple },
    { name: "empties.ndjson.gz", bytes: empties },
    ...good,
  ]);
  await waitForLoaded(page, goodEvents, 120_000);
  const report = loadReport(page);
  await waitForText(report, /triple\.json\.gz/, { message: "the bomb named in the load report" });
  const text = await report.innerText();
  assert.match(text, /decompression bomb/, text);
  assert.match(text, /more like this/, text);
  // The report stays readable: the hundred thousand problems are counted, not listed.
  assert.ok(text.length < 40_000, `report of ${text.length} characters`);
  const r = await runQuery(page, "fetch logs\n| summarize n = count()");
  assert.equal(r.rows, 1);
  const cell = page.getByRole("grid", { name: "Results" }).getByRole("gridcell").first();
  await waitForText(cell, new RegExp(`^${goodEvents}$`), { message: `the count ${goodEvents}` });
  await screenshot(page, "hostile-exports");
  await app.assertClean();
});
