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
  resultOf,
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

test("Cancel loading: a long load shows its progress and stops between files, keeping what was read", async (t) => {
  // 24 NDJSON files of 4000 events each (about 60 MB): long enough to cancel on two cores.
  const dir = await mkdtemp(path.join(tmpdir(), "trailscope-e2e-big-"));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const perFile = 4000;
  const names = [];
  for (let f = 0; f < 24; f++) {
    const lines = [];
    for (let i = 0; i < perFile; i++) {
      const n = f * perFile + i;
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
    const name = path.join(dir, `bulk-${String(f).padStart(2, "0")}.ndjson`);
    await writeFile(name, lines.join("\n") + "\n");
    names.push(name);
  }

  const app = await openApp(t);
  const { page } = app;
  await page.getByLabel("Open files", { exact: true }).setInputFiles(names);
  const cancel = page.getByRole("button", { name: "Cancel loading" });
  await cancel.waitFor({ state: "visible" });
  await page.getByRole("progressbar", { name: "Loading progress" }).waitFor({ state: "visible" });
  await screenshot(page, "load-5-progress");
  await cancel.click();
  const report = await waitForText(page.getByRole("status", { name: "Load report" }), /Loaded (\d+) events?/, {
    message: "the load report after cancelling",
  });
  const loaded = Number(report[1]);
  assert.match(report.input, /cancelled/i, `the report says the load was cancelled: ${report.input}`);
  assert.ok(loaded < 24 * perFile, `stopped before the end: ${loaded} events`);
  assert.equal(loaded % perFile, 0, `whole files only: ${loaded} events`);
  await cancel.waitFor({ state: "hidden" });
  await screenshot(page, "load-6-cancelled");
  await app.assertClean();
});
