// How much one browser tab holds: loads one large export into the real app (dist/, served on a
// loopback port) in headless Chromium through the "Open files" input, as a user would, and
// prints the progress (events, engine memory), the load report and a query's time.
//
//   trailscope gen --events 5000000 --format records --out /tmp/5m.json      # 6.4 GB
//   node bench/node/tab-capacity.mjs /tmp/5m.json
//
// Not part of the test suite (a 6.4 GB file and minutes of CPU); BENCHMARKS.md keeps the figures.

import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const require = createRequire(import.meta.url);
const { chromium } = require("playwright-core");
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const file = process.argv[2];
if (!file) {
  console.error("usage: node bench/node/tab-capacity.mjs FILE");
  process.exit(2);
}

const port = 20000 + Math.floor(Math.random() * 20000);
const server = spawn("python3", ["-m", "http.server", "--bind", "127.0.0.1", "--directory", path.join(root, "dist"), String(port)], {
  stdio: "ignore",
});
await new Promise((r) => setTimeout(r, 800));
const profile = mkdtempSync(path.join(tmpdir(), "trailscope-capacity-"));
const ctx = await chromium.launchPersistentContext(profile, {
  executablePath: "/usr/bin/chromium",
  headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
try {
  const page = await ctx.newPage();
  page.on("crash", () => console.log("THE TAB CRASHED"));
  page.on("pageerror", (e) => console.log("page error:", e.message));
  await page.goto(`http://127.0.0.1:${port}/`);
  const t0 = Date.now();
  await page.getByLabel("Open files", { exact: true }).setInputFiles([file]);
  const report = page.getByRole("status", { name: "Load report" });
  let lastShown = 0;
  for (;;) {
    const progress = await page.locator(".progress-box .status").textContent({ timeout: 1000 }).catch(() => null);
    const text = (await report.textContent({ timeout: 1000 }).catch(() => "")) ?? "";
    if (progress && Date.now() - lastShown > 10000) {
      lastShown = Date.now();
      console.log(`${((Date.now() - t0) / 1000).toFixed(0)} s  ${progress}`);
    }
    if (!progress && /Loaded \d+/.test(text)) {
      console.log(`load finished after ${((Date.now() - t0) / 1000).toFixed(1)} s:\n${text}`);
      break;
    }
    if (Date.now() - t0 > 60 * 60 * 1000) throw new Error("no result within an hour");
    await new Promise((r) => setTimeout(r, 500));
  }
  await page.locator("textarea").first().fill("fetch logs | summarize n = count(), by: { aws.account.id }");
  await page.getByRole("button", { name: "Run", exact: true }).click();
  const summary = page.getByRole("status", { name: "Result summary" });
  await summary.waitFor({ timeout: 600000 });
  console.log("query: fetch logs | summarize n = count(), by: { aws.account.id } ->", await summary.textContent());
} finally {
  await ctx.close();
  server.kill();
}
