// Helpers shared by bench/run's Node peers: arguments, the seed queries, medians, memory, and
// the report every peer writes (bench/harness.py reads it; its format is described there).

import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";

/** `--key value` pairs (and bare `--flag`s as true) into an object. */
export function parseArgs(argv = process.argv.slice(2)) {
  const out = {};
  for (let i = 0; i < argv.length; i++) {
    const key = argv[i].replace(/^--/, "");
    if (i + 1 < argv.length && !argv[i + 1].startsWith("--")) out[key] = argv[++i];
    else out[key] = true;
  }
  return out;
}

/** Files `*.<ext>` of a folder, sorted by name: [{ name (without extension), text }]. */
export function readQueries(dir, ext) {
  return readdirSync(dir)
    .filter((f) => f.endsWith(`.${ext}`))
    .sort()
    .map((f) => ({ name: f.slice(0, -(ext.length + 1)), text: readFileSync(path.join(dir, f), "utf8") }));
}

export function median(xs) {
  if (!xs.length) return null;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** Peak resident memory of this process so far, in bytes. */
export function peakRss() {
  return process.resourceUsage().maxRSS * 1024;
}

/**
 * Times `run()` `runs` times. `run` returns { rows, result?, partial?, ms? }: the first run's
 * result (an array of row objects; `partial` when it is only the first rows) is what the
 * harness checks against the native engine.
 */
export async function timeQuery(name, runs, run) {
  const q = { name, runs_ms: [], rows: null, result: null };
  try {
    for (let i = 0; i < runs; i++) {
      const t = performance.now();
      const r = await run(i === 0);
      const wall = performance.now() - t;
      // A peer that measures inside (the app's own figure) returns `ms`; wall time is kept too.
      q.runs_ms.push(r.ms ?? wall);
      if (r.ms != null) (q.wall_ms ??= []).push(wall);
      if (i === 0) {
        q.rows = r.rows;
        q.result = r.result ?? null;
        if (r.partial) q.partial = true;
      }
    }
  } catch (e) {
    q.error = String(e?.message ?? e).slice(0, 2000);
  }
  q.first_ms = q.runs_ms[0] ?? null;
  q.median_ms = median(q.runs_ms);
  return q;
}

/** JSON Lines text into row objects. */
export function jsonLines(text) {
  return text.split("\n").filter((l) => l.trim()).map((l) => JSON.parse(l));
}

/** Writes the peer's report where bench/harness.py expects it. */
export function writeReport(file, report) {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(report, null, 1));
}
