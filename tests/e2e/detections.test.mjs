// The Detections panel (issue 15): after a load of the seed fixture, the detections that fired,
// by severity with their hit counts; a click opens the detection as a case whose rows are its
// hits; a detection switched off leaves the list, stays off after a reload and comes back when
// switched on. Expected counts are computed here from the files, independently of the engine.

import { test } from "node:test";
import assert from "node:assert/strict";

import {
  decodeEvents,
  editor,
  get,
  openApp,
  pickFiles,
  poll,
  reloadApp,
  resultOf,
  screenshot,
  seedFiles,
  waitForLoaded,
  waitForText,
} from "./lib.mjs";

const files = await seedFiles();
const { events } = decodeEvents(files);

// root-console-login: a successful console sign-in by the root user.
const rootLogins = events.filter(
  (e) =>
    e.eventName === "ConsoleLogin" &&
    get(e, "userIdentity", "type") === "Root" &&
    get(e, "responseElements", "ConsoleLogin") === "Success",
).length;
// console-login-failed: a failed console sign-in.
const failedLogins = events.filter(
  (e) =>
    e.eventSource === "signin.amazonaws.com" &&
    e.eventName === "ConsoleLogin" &&
    get(e, "responseElements", "ConsoleLogin") === "Failure",
).length;
const hits = (n) => `${n} hit${n === 1 ? "" : "s"}`;

test("Detections panel: hits by severity, open as a case, switch off and on", async (t) => {
  assert.ok(rootLogins > 0 && failedLogins > 0, "the seed has root sign-ins and failed sign-ins");
  const app = await openApp(t);
  const { page } = app;
  await pickFiles(page, files);
  await waitForLoaded(page, events.length);

  const summary = page.getByRole("status", { name: "Detections summary" });
  await waitForText(summary, /^\d+ of \d+ detections fired, \d+ hits? \(/, { message: "the detections to run" });
  const high = page.getByRole("list", { name: "High severity detections" });
  const low = page.getByRole("list", { name: "Low severity detections" });
  const root = high.getByRole("button", { name: `Root user signed in to the console (${hits(rootLogins)})` });
  await root.waitFor();
  await low.getByRole("button", { name: `Console sign-in failed (${hits(failedLogins)})` }).waitFor();
  await screenshot(page, "detections-1-panel");

  // A click opens the detection as a case: its query in the editor, its hits as rows.
  const result = await resultOf(page, () => root.click());
  assert.equal(result.rows, rootLogins);
  await page
    .getByRole("tablist", { name: "Cases" })
    .getByRole("tab", { name: "Detection: Root user signed in to the console", selected: true })
    .waitFor();
  assert.match(await editor(page).inputValue(), /event\[userIdentity\]\[type\] == "Root"/);

  // Switched off: gone from the list, listed as switched off, still off after a reload.
  await low.getByRole("button", { name: "Switch off Console sign-in failed" }).click();
  await poll(async () => (await low.getByRole("button", { name: /^Console sign-in failed/ }).count()) === 0, {
    message: "the switched-off detection to leave the list",
  });
  await page.getByText("Switched off (1)").click();
  await page.getByRole("list", { name: "Switched-off detections" }).getByText("Console sign-in failed").waitFor();

  await reloadApp(app);
  await pickFiles(page, files);
  await waitForLoaded(page, events.length);
  await waitForText(summary, /detections fired/, { message: "the detections to run after the reload" });
  await page.getByRole("list", { name: "High severity detections" }).getByRole("button", { name: /^Root user signed in/ }).waitFor();
  assert.equal(await page.getByRole("button", { name: /^Console sign-in failed \(/ }).count(), 0, "still off after a reload");

  // Switched back on: it runs again and is listed with its hits.
  await page.getByText("Switched off (1)").click();
  await page.getByRole("button", { name: "Switch on Console sign-in failed" }).click();
  await page
    .getByRole("list", { name: "Low severity detections" })
    .getByRole("button", { name: `Console sign-in failed (${hits(failedLogins)})` })
    .waitFor();
  await app.assertClean();
});

test("Identity lens: from an ARN in the results, what it did and where its credentials came from", async (t) => {
  // The IAM user with the most events in the seed, and its events, counted here.
  const byArn = new Map();
  for (const e of events) {
    if (get(e, "userIdentity", "type") !== "IAMUser") continue;
    const arn = get(e, "userIdentity", "arn");
    if (arn) byArn.set(arn, (byArn.get(arn) || 0) + 1);
  }
  const [arn, n] = [...byArn].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0];
  const app = await openApp(t);
  const { page } = app;
  await pickFiles(page, files);
  await waitForLoaded(page, events.length);
  await editor(page).fill(
    `fetch logs\n| parse content, "JSON:event"\n| filter event[userIdentity][arn] == "${arn}"\n| fields arn = event[userIdentity][arn]\n| limit 1`,
  );
  const r = await resultOf(page, () => page.getByRole("button", { name: "Run", exact: true }).click());
  assert.equal(r.rows, 1);
  await page.getByRole("grid", { name: "Results" }).getByRole("gridcell", { name: arn }).first().click();
  await page.getByRole("region", { name: "Selected cell" }).getByRole("button", { name: "Identity lens" }).click();
  const lens = page.getByRole("region", { name: "Identity lens" });
  await waitForText(lens, new RegExp(`matched by userIdentity\\.arn\\n${n} events?, `), { message: "the identity lens" });
  await waitForText(lens, /origin: long-term access key AKIA/, { message: "the chain's origin" });
  await screenshot(page, "detections-2-identity", { asIs: true });
  await lens.getByRole("button", { name: "Close identity lens" }).click();
  assert.equal(await lens.count(), 0);
  await app.assertClean();
});
