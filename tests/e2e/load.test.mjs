// Loading data the three ways a user can: the bundled sample (one click), a drop on the drop
// zone, and the file dialogs ("Open files…", "Open folder…"). Expected numbers come from
// decoding the same files in Node, not from the engine.

import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

import {
  ROOT,
  SEED_DIR,
  decodeEvents,
  dropFiles,
  openApp,
  pickFiles,
  poll,
  resultOf,
  runQuery,
  screenshot,
  seedFiles,
  waitForLoaded,
  waitForText,
} from "./lib.mjs";

const seed = await seedFiles();
const seedEvents = decodeEvents(seed);
const samplePath = path.join(ROOT, "public/sample/cloudtrail-sample.json.gz");
const sample = decodeEvents([{ rel: "sample", name: "cloudtrail-sample.json.gz", bytes: await readFile(samplePath) }]);
const eventFiles = seed.filter((f) => !f.rel.includes("CloudTrail-Digest"));

test("Load sample: one click loads the bundled export; the load report counts its events", async (t) => {
  const app = await openApp(t);
  const { page } = app;
  await waitForText(page.getByRole("status", { name: "Load report" }), /No data loaded/);
  await screenshot(page, "load-1-empty-page");

  await page.getByRole("button", { name: "Load sample" }).click();
  const report = await waitForLoaded(page, sample.events.length);
  assert.match(report, /from 1 file\b/);
  await waitForText(page.getByRole("list", { name: "Loaded sources" }), /cloudtrail-sample\.json\.gz/);

  // The default case's query (events per eventSource and eventName) on the sample.
  const groups = new Set(sample.events.map((e) => `${e.eventSource}\u0000${e.eventName}`));
  const r = await resultOf(page, () => page.getByRole("button", { name: "Run", exact: true }).click());
  assert.equal(r.rows, groups.size, `default query: one row per (eventSource, eventName); summary: ${r.text}`);
  await screenshot(page, "load-2-sample-loaded-and-run");
  await app.assertClean();
});

test("Drop: the seed export dropped on the drop zone loads, one duplicate dropped, digest skipped", async (t) => {
  const app = await openApp(t);
  const { page } = app;
  const cancelled = await dropFiles(page, seed);
  assert.ok(cancelled.dragover, "the drop zone must cancel dragover, or the browser opens the file instead");
  assert.ok(cancelled.drop, "the drop zone must cancel drop");
  const report = await waitForLoaded(page, seedEvents.events.length);
  assert.equal(seedEvents.duplicates, 1);
  assert.match(report, new RegExp(`from ${seed.length} files`));
  assert.match(report, /1 duplicate\b/);
  assert.match(report, /1 file without events/, "the digest file holds no events");
  await screenshot(page, "load-3-dropped-seed");
  await app.assertClean();
});

test("Open files…: the button opens the file dialog and the picked files load", async (t) => {
  const app = await openApp(t);
  const { page } = app;
  // The two uncompressed files: a plain Records JSON and an NDJSON file.
  const plain = eventFiles.filter((f) => !f.name.endsWith(".gz"));
  assert.equal(plain.length, 2);
  const expected = decodeEvents(plain).events.length;

  const [chooser] = await Promise.all([
    page.waitForEvent("filechooser"),
    page.getByRole("button", { name: "Open files…" }).click(),
  ]);
  assert.ok(chooser.isMultiple(), "the file dialog lets the user pick several files");
  await chooser.setFiles(plain.map((f) => f.full));
  const report = await waitForLoaded(page, expected);
  assert.match(report, /from 2 files/);
  await app.assertClean();
});

test("Open files input: all seed files set on the hidden input load like a drop", async (t) => {
  const app = await openApp(t);
  const { page } = app;
  await pickFiles(page, seed);
  const report = await waitForLoaded(page, seedEvents.events.length);
  assert.match(report, /1 duplicate\b/);
  await screenshot(page, "load-4-picked-seed");
  await app.assertClean();
});

test("Open folder…: the seed folder loads; README, queries and expected results are not events", async (t) => {
  const app = await openApp(t);
  const { page } = app;
  const [chooser] = await Promise.all([
    page.waitForEvent("filechooser"),
    page.getByRole("button", { name: "Open folder…" }).click(),
  ]);
  await chooser.setFiles(SEED_DIR);
  const report = await waitForLoaded(page, seedEvents.events.length);
  assert.match(report, /1 duplicate\b/);
  await app.assertClean();
});

test("Streaming: one large file loads chunk by chunk; progress moves inside it; Cancel stops mid-file, keeping what was read", async (t) => {
  // One NDJSON file of 250,000 events (about 160 MB): the worker reads it in 4 MiB slices.
  const dir = await mkdtemp(path.join(tmpdir(), "trailscope-e2e-big-"));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const total = 250000;
  const name = path.join(dir, "bulk.ndjson");
  const lines = [];
  for (let n = 0; n < total; n++) {
    const time = new Date(Date.UTC(2026, 10, 20, 0, 0, 0) + n * 1000).toISOString().replace(".000Z", "Z");
    lines.push(JSON.stringify({
      eventVersion: "1.09",
      userIdentity: { type: "IAMUser", principalId: "AIDAEXAMPLE", arn: "arn:aws:iam::111122223333:user/bulk", accountId: "111122223333", userName: "bulk" },
      eventTime: time,
      eventSource: "s3.amazonaws.com",
      eventName: "GetObject",
      awsRegion: "us-east-1",
      sourceIPAddress: "198.51.100.7",
      userAgent: "aws-cli/2.15.0 Python/3.11.6 Linux/6.1 exe/x86_64.ubuntu.22 prompt/off command/s3.cp",
      requestParameters: { bucketName: "bulk-bucket", key: `objects/${n}.bin`, Host: "bulk-bucket.s3.us-east-1.amazonaws.com" },
      responseElements: null,
      requestID: `REQ${n}`,
      eventID: `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`,
      readOnly: true,
      eventType: "AwsApiCall",
      recipientAccountId: "111122223333",
    }));
  }
  await writeFile(name, lines.join("\n") + "\n");

  const app = await openApp(t);
  const { page } = app;
  await page.getByLabel("Open files", { exact: true }).setInputFiles([name]);
  const cancel = page.getByRole("button", { name: "Cancel loading" });
  const bar = page.getByRole("progressbar", { name: "Loading progress" });
  // Progress moves while the only file is still being read: bytes and events inside it.
  const seen = await poll(async () => {
    const value = await bar.evaluate((el) => el.value).catch(() => 0);
    const status = await page.locator(".progress-box .status").textContent().catch(() => "");
    const m = /^0 of 1 files, .* of .*, (\d+) events/.exec(status ?? "");
    return value > 0 && value < 100 && m && Number(m[1]) > 0 ? { value, events: Number(m[1]) } : null;
  }, { interval: 20, message: "progress inside the file" });
  assert.ok(seen.events < total, `events counted before the file ends: ${seen.events}`);
  await screenshot(page, "load-5-progress");
  await cancel.click();
  const report = await waitForText(page.getByRole("status", { name: "Load report" }), /Loaded (\d+) events?/, {
    message: "the load report after cancelling",
  });
  const loaded = Number(report[1]);
  assert.match(report.input, /cancelled/i, `the report says the load was cancelled: ${report.input}`);
  assert.ok(loaded > 0 && loaded < total, `stopped inside the file, keeping what was read: ${loaded} events`);
  await cancel.waitFor({ state: "hidden" });
  await screenshot(page, "load-6-cancelled");
  // What was kept answers queries.
  const r = await runQuery(page, "fetch logs | summarize n = count()");
  assert.equal(r.rows, 1);
  await app.assertClean();
});

test("Archives: an organisation trail zip and a tar.gz load member by member, the same events as the folder", async (t) => {
  const app = await openApp(t);
  const { page } = app;
  await page.getByLabel("Open files", { exact: true }).setInputFiles([
    path.join(ROOT, "tests/fixtures/shapes/org-trail.zip"),
  ]);
  const report = await waitForLoaded(page, seedEvents.events.length);
  assert.match(report, /1 duplicate\b/);
  const sources = page.getByRole("list", { name: "Loaded sources" });
  await waitForText(sources, /org-trail\.zip\/AWSLogs\/o-a1b2c3d4e5\/111122223333\/CloudTrail\//);
  await waitForText(sources, /zip archive/);
  // The digest inside is a notice, not a problem; the README is not CloudTrail.
  await waitForText(page.locator(".source-notices"), /digest file/);
  await waitForText(page.locator(".source .problems"), /README\.txt|not a CloudTrail export/);
  const r = await runQuery(page, "fetch logs | summarize n = count(), by: { aws.account.id }");
  assert.equal(r.rows, 2);
  await screenshot(page, "load-7-zip");
  await app.assertClean();
});
