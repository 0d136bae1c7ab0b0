// The single-file build (scripts/build-single-file → dist-single/trailscope.html) opened straight
// from disk (file://): no server, no network. It must start, load the inlined sample, run a seed
// query with the count computed here from the sample, open dropped files and export a result.
// tests/e2e/run.sh builds it after dist/.

import { test } from "node:test";
import assert from "node:assert/strict";
import { access, readFile } from "node:fs/promises";
import path from "node:path";
import { pathToFileURL } from "node:url";

import {
  ROOT,
  SLOW_QUERY,
  decodeEvents,
  dropFiles,
  editor,
  openApp,
  runQuery,
  screenshot,
  seedFiles,
  waitForLoaded,
  waitForText,
} from "./lib.mjs";

const SINGLE = process.env.E2E_SINGLE_FILE || path.join(ROOT, "dist-single/trailscope.html");
const SAMPLE = path.join(ROOT, "public/sample/cloudtrail-sample.json.gz");

test("Single-file build: opens from file://, loads the inlined sample and runs a seed query, offline", async (t) => {
  await access(SINGLE).catch(() => {
    throw new Error(`${SINGLE} is missing: build it with scripts/build-single-file (tests/e2e/run.sh does)`);
  });
  const html = await readFile(SINGLE, "utf8");
  const csp = html.match(/http-equiv="Content-Security-Policy" content="([^"]+)"/)?.[1] || "";
  assert.match(csp, /default-src 'none'/);
  assert.match(csp, /script-src 'sha256-[A-Za-z0-9+/=]+' 'wasm-unsafe-eval'/);
  assert.match(csp, /connect-src 'none'/);
  assert.doesNotMatch(csp, /'unsafe-inline'|'unsafe-eval'|https?:/);

  const { events } = decodeEvents([{ rel: "sample", name: "cloudtrail-sample.json.gz", bytes: await readFile(SAMPLE) }]);
  const unauthorized = events.filter((e) => ["AccessDenied", "UnauthorizedOperation"].includes(e.errorCode)).length;
  assert.ok(unauthorized > 0);

  const url = pathToFileURL(SINGLE).href;
  const app = await openApp(t, { url });
  const { page } = app;
  const requests = [];
  page.on("request", (r) => requests.push(r.url()));

  await page.getByRole("button", { name: "Load sample" }).click();
  await waitForLoaded(page, events.length);
  const r = await runQuery(
    page,
    'fetch logs\n| filter aws.service == "cloudtrail"\n| parse content, "json:event"\n| filter in(event[errorCode], { "AccessDenied", "UnauthorizedOperation" })\n| fields eventName = event[eventName]',
  );
  assert.equal(r.rows, unauthorized);
  await screenshot(page, "single-file-1-sample");

  // Exports work from disk as well.
  const [dl] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "CSV", exact: true }).click()]);
  const csv = await readFile(await dl.path(), "utf8");
  assert.equal(csv.trimEnd().split("\n").length, unauthorized + 1);

  // Nothing but the file itself, inline data and blobs.
  const foreign = requests.filter((u) => !/^(file|data|blob):/.test(u));
  assert.deepEqual(foreign, []);
  await app.assertClean();

  // Dropped files load too (the engine worker runs from a blob: URL), in a fresh browser.
  const seed = await seedFiles();
  const expected = decodeEvents(seed).events.length;
  const other = await openApp(t, { url });
  await dropFiles(other.page, seed.map((f) => ({ name: f.name, bytes: f.bytes })));
  await waitForLoaded(other.page, expected);
  await other.assertClean();
});

test("Single-file build: without SharedArrayBuffer, Cancel query restarts the engine and loads the same data again", async (t) => {
  const { events } = decodeEvents([{ rel: "sample", name: "cloudtrail-sample.json.gz", bytes: await readFile(SAMPLE) }]);
  const app = await openApp(t, { url: pathToFileURL(SINGLE).href });
  const { page } = app;
  // A file:// page cannot be cross-origin isolated, so it shares no memory with its worker.
  assert.equal(await page.evaluate(() => window.crossOriginIsolated), false);
  await page.getByRole("button", { name: "Load sample" }).click();
  await waitForLoaded(page, events.length);
  await editor(page).fill(SLOW_QUERY);
  await page.getByRole("button", { name: "Run", exact: true }).click();
  await page.getByRole("button", { name: "Cancel query" }).click();
  // The worker is ended and a new one reads the sample again; the query does not run again.
  const status = page.getByRole("status", { name: "Query status" });
  await waitForText(status, /^Query cancelled\. The data is loaded again \(1 file\): run a query when you are ready\.$/);
  await waitForLoaded(page, events.length);
  assert.equal(await page.getByRole("button", { name: "Cancel query" }).count(), 0);
  await screenshot(page, "single-file-2-cancelled");
  const r = await runQuery(page, "fetch logs\n| summarize n = count()");
  assert.equal(r.rows, 1);
  await waitForText(page.getByRole("grid", { name: "Results" }).getByRole("gridcell").first(), new RegExp(`^${events.length}$`));
  await app.assertClean();
});
