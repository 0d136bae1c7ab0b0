"""bench/run's driver: generates the data, runs every peer on it (each in its own process, with a
time limit), checks each peer's results against the native engine's, prints one table per size
and, for a full run, rewrites BENCHMARKS.md.

Every peer writes one JSON report:

    {"peer": name, "notes": [text], "error": text?,
     "ingest": {"seconds", "input_bytes", "events", "after_bytes", "peak_bytes", "store_bytes"?},
     "queries": [{"name", "median_ms", "first_ms", "runs_ms", "rows", "result"?, "partial"?,
                  "error"?}],
     "peak_bytes": largest resident size over the whole run}

`result` is the first run's rows as objects (absent when larger than 10,000 rows); `partial`
says it holds only the first rows. Only the standard library is used.
"""

import argparse
import datetime
import gzip
import json
import os
import platform
import shlex
import statistics
import subprocess
import sys
import time
from collections import Counter

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
TRAILSCOPE = os.path.join(ROOT, "target", "release", "trailscope")
VENV_PYTHON = os.path.join(ROOT, ".tools", "bench-venv", "bin", "python")

# Column order of the tables. Ratios compare with REFERENCE: the engine in wasm as the app
# builds it (root Cargo.toml, profile wasm-release).
PEERS = {
    "native": "trailscope native",
    "wasm-node": "trailscope wasm in Node, opt-level z (the app's profile before it moved to 3)",
    "wasm-node-O3": "trailscope wasm in Node, opt-level 3 (the app's wasm-release profile)",
    "wasm-node-O3-tf": "the same with `node --no-liftoff`: V8 compiles every function with its optimising tier before running it, so the timings are steady-state code (by default V8 starts in its baseline tier and re-compiles hot functions in the background; Node 20's V8 takes 10–20 runs of a query to get there, which the medians of `wasm-node-O3` include)",
    "chromium": "trailscope app (Chromium)",
    "duckdb-1t": "DuckDB native, 1 thread",
    "duckdb-2t": "DuckDB native, 2 threads",
    "duckdb-wasm": "DuckDB-Wasm (Node)",
    "jq": "jq",
}
# --peers names → peer columns.
PEER_GROUPS = {
    "native": ["native"],
    "node": ["wasm-node"],
    "node-o3": ["wasm-node-O3", "wasm-node-O3-tf"],
    "chromium": ["chromium"],
    "duckdb": ["duckdb-1t", "duckdb-2t"],
    "duckdb-wasm": ["duckdb-wasm"],
    "jq": ["jq"],
}
REFERENCE = "wasm-node-O3"
OURS = {"native", "wasm-node", "wasm-node-O3", "wasm-node-O3-tf", "chromium"}

# How each seed query's result is compared: the row count, groups with their counts, the top
# series, or whole rows. Time series count as the total of their bins.
CHECKS = {
    "01": ("count",),
    "02": ("count",),
    "03": ("count",),
    "04": ("groups", ["ipAddr", "reason", "region", "userARN", "MFAUsed"], "count()"),
    "05": ("top", ["eventName"], "event_count"),
    "06": ("groups", ["user", "eventName"], "count()"),
    "07": ("groups", ["eventName"], "count()"),
    "08": ("rows", ["eventName", "origin", "keyUsage", "region", "userARN", "keyId"]),
    "09": ("groups", ["account", "userName"], "count()"),
    "10": ("groups", ["account", "userName"], "count()"),
    "11": ("rows", ["user", "denied", "ok"]),
    "12": ("groups", ["eventName"], "count()"),
}


# ---------------------------------------------------------------------------------------------
# Running peers


def run_peer(peer, data, size, runs, out_dir, timeout):
    """Runs one peer on one data file; returns its report (with `error` on failure)."""
    out = os.path.join(out_dir, f"{peer}.json")
    if os.path.exists(out):
        os.remove(out)
    node = ["node", "--expose-gc"]
    common = ["--file", data, "--runs", str(runs), "--out", out]
    queries = os.path.join(HERE, "queries")
    sql = os.path.join(HERE, "sql")
    if peer == "native":
        results = os.path.join(out_dir, "native-results")
        cmd = [TRAILSCOPE, "bench", "--json", "--queries", queries, "--runs", str(runs),
               "--results", results, data]
    elif peer in ("wasm-node", "wasm-node-O3", "wasm-node-O3-tf"):
        pkg = os.path.join(HERE, "wasm", "pkg-z" if peer == "wasm-node" else "pkg-O3")
        flags = ["--no-liftoff"] if peer.endswith("-tf") else []
        cmd = [*node, *flags, os.path.join(HERE, "node", "engine-wasm.mjs"), "--pkg", pkg,
               "--queries", queries, "--peer", peer, *common]
    elif peer == "chromium":
        cmd = ["node", os.path.join(HERE, "node", "chromium.mjs"), "--dist",
               os.path.join(ROOT, "dist"), "--queries", queries, *common]
    elif peer.startswith("duckdb-") and peer != "duckdb-wasm":
        threads = peer.split("-")[1].rstrip("t")
        cmd = [VENV_PYTHON, os.path.join(HERE, "peers", "duckdb_native.py"), "--sql", sql,
               "--threads", threads, "--peer", peer, *common]
    elif peer == "duckdb-wasm":
        cmd = [*node, os.path.join(HERE, "node", "duckdb-wasm.mjs"), "--sql", sql, *common]
    elif peer == "jq":
        # jq parses the whole file for every query: one run each at a million events.
        jq_runs = 1 if size >= 1_000_000 else runs
        cmd = [sys.executable, os.path.join(HERE, "peers", "jq_peer.py"), "--jq",
               os.path.join(HERE, "jq"), "--mem-limit", str(16 << 30), "--file", data,
               "--runs", str(jq_runs), "--out", out]
    else:
        raise ValueError(peer)

    started = time.monotonic()
    print(f"  {peer:<13} ", end="", flush=True)
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        print(f"timed out after {timeout} s")
        return {"peer": peer, "error": f"timeout after {timeout} s", "queries": [], "notes": []}
    elapsed = time.monotonic() - started
    report = None
    if peer == "native" and p.returncode == 0:
        report = native_report(json.loads(p.stdout), results)
    elif os.path.exists(out):
        with open(out) as f:
            report = json.load(f)
    if report is None:
        why = crash_reason(p.returncode, p.stderr)
        print(why)
        return {"peer": peer, "error": why, "queries": [], "notes": []}
    report["peer"] = peer
    status = report.get("error") or "ok"
    print(f"{status} ({elapsed:.0f} s)")
    return report


def crash_reason(code, stderr):
    tail = " ".join(stderr.strip().splitlines()[-3:])[:300]
    if code < 0:
        return f"crashed (signal {-code}) {tail}".strip()
    if "heap out of memory" in stderr or "Out of memory" in stderr or "MemoryError" in stderr:
        return f"out of memory (exit {code}): {tail}"
    return f"failed (exit {code}): {tail}"


def native_report(j, results_dir):
    """`trailscope bench --json` output + its --results files → a peer report."""
    queries = []
    for q in j["queries"]:
        path = os.path.join(results_dir, f"{q['name']}.jsonl")
        result = None
        if os.path.exists(path):
            with open(path) as f:
                result = [json.loads(line) for line in f if line.strip()]
        queries.append({**q, "result": result})
    return {
        "peer": "native",
        "notes": [],
        "ingest": {
            "seconds": j["load_s"],
            "input_bytes": j["input_bytes"],
            "events": j["events"],
            "after_bytes": j["rss_after_load_bytes"],
            "store_bytes": j["store_bytes"],
            "peak_bytes": j["peak_load_bytes"],
        },
        "queries": queries,
        "peak_bytes": j["peak_bytes"],
    }


# ---------------------------------------------------------------------------------------------
# Checking results


def scalar(v):
    """One spelling per value across peers: numbers as integer text where integral."""
    if v is None:
        return None
    if isinstance(v, bool):
        return str(v).lower()
    if isinstance(v, (int, float)):
        return str(int(v)) if float(v).is_integer() else repr(float(v))
    return str(v)


def total_and_avg(v, avg=None):
    """A count cell: a number, or a time series (the total and mean of its non-empty bins)."""
    if isinstance(v, list):
        bins = [x for x in v if x is not None]
        return sum(bins), (sum(bins) / len(bins) if bins else None)
    return (int(v) if v is not None else None), avg


def canonical(check, q):
    kind = check[0]
    if kind == "count":
        return q.get("rows")
    rows = q.get("result")
    if rows is None:
        return None
    if kind == "groups":
        keys, count = check[1], check[2]
        return Counter(
            (*(scalar(r.get(k)) for k in keys), total_and_avg(r.get(count))[0]) for r in rows
        )
    if kind == "top":
        keys, count = check[1], check[2]
        out = []
        for r in rows:
            total, avg = total_and_avg(r.get(count), r.get("avg"))
            out.append((*(scalar(r.get(k)) for k in keys), total, round(avg or 0, 9)))
        return out
    return Counter(tuple(scalar(r.get(k)) for k in check[1]) for r in rows)


def compare(check, ref_q, q):
    """None when the peer's result agrees with the reference's, else what differs."""
    if q.get("rows") != ref_q.get("rows"):
        return f"{q.get('rows')} rows, expected {ref_q.get('rows')}"
    if check[0] == "count":
        return None
    mine, ref = canonical(check, q), canonical(check, ref_q)
    if mine is None or ref is None:
        return None  # too large to compare beyond the row count
    if check[0] == "top":
        # Ties at the 10th place may pick different series: compare the averages, and the
        # series strictly above the lowest average.
        if sorted(x[-1] for x in mine) != sorted(x[-1] for x in ref):
            return f"averages differ: {sorted(x[-1] for x in mine)} vs {sorted(x[-1] for x in ref)}"
        low = min((x[-1] for x in ref), default=0)
        above = lambda xs: sorted(x for x in xs if x[-1] > low)  # noqa: E731
        if above(mine) != above(ref):
            return f"top series differ: {above(mine)[:3]} vs {above(ref)[:3]}"
        return None
    if q.get("partial"):
        missing = mine - ref
        return f"{sum(missing.values())} rows not in the reference, e.g. {next(iter(missing))}" if missing else None
    if mine != ref:
        extra, missing = mine - ref, ref - mine
        sample = next(iter(extra or missing))
        return f"{sum(extra.values())} unexpected, {sum(missing.values())} missing rows, e.g. {sample}"
    return None


def check_all(reports):
    """Marks every query of every peer with `check`: "ok", "rows only" or the mismatch."""
    ref = reports.get("native") or reports.get(REFERENCE)
    ref_q = {q["name"]: q for q in (ref or {}).get("queries", []) if "error" not in q}
    mismatches = []
    for peer, rep in reports.items():
        for q in rep.get("queries", []):
            check = CHECKS.get(q["name"][:2])
            r = ref_q.get(q["name"])
            if "error" in q or check is None or r is None or rep is ref:
                continue
            why = compare(check, r, q)
            if why:
                q["check"] = f"MISMATCH: {why}"
                mismatches.append(f"{peer} {q['name']}: {why}")
            else:
                partial = check[0] != "count" and (q.get("result") is None or r.get("result") is None)
                q["check"] = "rows only" if partial else "ok"
    return mismatches


# ---------------------------------------------------------------------------------------------
# Tables


def fmt(v, digits=1):
    if v is None:
        return "–"
    if v >= 1000:
        return f"{v:,.0f}"
    if v >= 100:
        return f"{v:.0f}"
    return f"{v:.{digits}f}" if v >= 1 else f"{v:.2f}"


def metrics(rep):
    """Row name → (value, higher is better) for one peer."""
    m = {}
    ing = rep.get("ingest") or {}
    s, b = ing.get("seconds"), ing.get("input_bytes")
    if s and b:
        m["ingest MB/s"] = (b / 1e6 / s, True)
        if ing.get("events"):
            m["ingest k events/s"] = (ing["events"] / s / 1e3, True)
        if ing.get("peak_bytes"):
            m["peak MB during load"] = (ing["peak_bytes"] / 1e6, False)
        if ing.get("after_bytes"):
            m["MB after load"] = (ing["after_bytes"] / 1e6, False)
            m["bytes per input byte after load"] = (ing["after_bytes"] / b, False)
        if ing.get("store_bytes"):
            m["store bytes per input byte"] = (ing["store_bytes"] / b, False)
    for q in rep.get("queries", []):
        if q.get("median_ms") is not None and "error" not in q:
            m[f"{q['name']} ms"] = (q["median_ms"], False)
    return m


def table(reports, size, peers):
    ms = {p: metrics(reports[p]) for p in peers if p in reports}
    rows = []
    for p in peers:
        for k in ms.get(p, {}):
            if k not in rows:
                rows.append(k)
    others = [p for p in peers if p not in OURS and p in reports]
    ref = ms.get(REFERENCE, {})
    head = ["", *peers] + ([f"{p} ÷ wasm" for p in others] if ref else [])
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for k in rows:
        cells = [k]
        for p in peers:
            rep = reports.get(p, {})
            v = ms.get(p, {}).get(k)
            cell = fmt(v[0], 2 if "byte" in k else 1) if v else status_cell(rep, k)
            q = next((q for q in rep.get("queries", []) if f"{q['name']} ms" == k), None)
            if q and q.get("check", "").startswith("MISMATCH"):
                cell += " ✗MISMATCH"
            cells.append(cell)
        if ref:
            for p in others:
                a, b = ref.get(k), ms.get(p, {}).get(k)
                if a and b and a[0] and b[0]:
                    better = a[0] / b[0] if a[1] else b[0] / a[0]
                    cells.append(f"{better:.1f}×")
                else:
                    cells.append("–")
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def status_cell(rep, key):
    if rep.get("error"):
        e = rep["error"]
        return "timeout" if e.startswith("timeout") else ("crash" if "crash" in e or "memory" in e else "error")
    q = next((q for q in rep.get("queries", []) if f"{q['name']} ms" == key), None)
    return "error" if q and "error" in q else "–"


def first_runs(reports, peers):
    names = []
    for p in peers:
        for q in reports.get(p, {}).get("queries", []):
            if q["name"] not in names:
                names.append(q["name"])
    lines = ["| first run, ms | " + " | ".join(peers) + " |", "|" + "---|" * (len(peers) + 1)]
    for n in names:
        cells = []
        for p in peers:
            q = next((q for q in reports.get(p, {}).get("queries", []) if q["name"] == n), None)
            cells.append(fmt(q.get("first_ms")) if q and q.get("first_ms") is not None else "–")
        lines.append(f"| {n} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def notes(reports, peers):
    out = []
    for p in peers:
        rep = reports.get(p)
        if not rep:
            continue
        for n in rep.get("notes", []):
            out.append(f"- {p}: {n}")
        if rep.get("error"):
            out.append(f"- {p}: **{rep['error']}**")
        for q in rep.get("queries", []):
            if "error" in q:
                out.append(f"- {p} {q['name']}: error: {q['error'].splitlines()[0][:200]}")
            if q.get("check", "").startswith("MISMATCH"):
                out.append(f"- {p} {q['name']}: **{q['check']}**")
        walls = [f"{q['name'][:2]} {statistics.median(q['wall_ms']):.0f}" for q in rep.get("queries", []) if q.get("wall_ms")]
        if walls:
            out.append(f"- {p}: the times are the page's own (worker, Date.now: 1 ms steps); from the click on Run "
                       f"to the result reaching the page, ms: " + ", ".join(walls))
        checks = Counter(q.get("check") for q in rep.get("queries", []) if q.get("check"))
        if checks:
            out.append(f"- {p}: results checked against native: " + ", ".join(f"{n} {c}" for c, n in checks.items()))
    return "\n".join(out)


# ---------------------------------------------------------------------------------------------
# Targets and the machine


def gz_size(path):
    with open(path, "rb") as f:
        return len(gzip.compress(f.read(), compresslevel=9))


def targets(reports, size):
    """The issue's targets, from the largest size's reports: (target, measured, verdict)."""
    out = []
    w = reports.get(REFERENCE) or {}
    ch = reports.get("chromium") or {}
    d1 = reports.get("duckdb-1t") or {}
    wi, ci, di = w.get("ingest") or {}, ch.get("ingest") or {}, d1.get("ingest") or {}

    def verdict(ok, how):
        return ("met" if ok else "missed") + (f" ({how})" if how else "")

    if wi.get("seconds"):
        mbs = wi["input_bytes"] / 1e6 / wi["seconds"]
        line = f"wasm (Node) {mbs:.0f} MB/s"
        if ci.get("seconds"):
            line += f"; in Chromium {ci['input_bytes'] / 1e6 / ci['seconds']:.0f} MB/s"
        tfi = (reports.get("wasm-node-O3-tf") or {}).get("ingest") or {}
        how = f"{mbs / 200:.2f}× the target"
        if tfi.get("seconds"):
            tf_mbs = tfi["input_bytes"] / 1e6 / tfi["seconds"]
            line += f"; steady-state code (`wasm-node-O3-tf`) {tf_mbs:.0f} MB/s"
            how += f"; {tf_mbs / 200:.2f}× with steady-state code"
        out.append(("ingest in wasm ≥ 200 MB/s", line, verdict(mbs >= 200, how)))
        if di.get("seconds"):
            r = di["seconds"] / wi["seconds"]
            out.append(("ingest ≥ 5× DuckDB native 1 thread", f"{r:.1f}×", verdict(r >= 5, "")))
    wq = {q["name"]: q for q in w.get("queries", []) if q.get("median_ms") is not None}
    if wq:
        worst = max(wq.values(), key=lambda q: q["median_ms"])
        out.append((f"each seed query ≤ 20 ms in wasm ({size:,} events)",
                    f"slowest {worst['name']} {worst['median_ms']:.1f} ms",
                    verdict(worst["median_ms"] <= 20, "")))
        dq = {q["name"]: q for q in d1.get("queries", []) if q.get("median_ms") is not None}
        ratios = {n: dq[n]["median_ms"] / q["median_ms"] for n, q in wq.items() if n in dq and q["median_ms"]}
        if ratios:
            low = min(ratios, key=ratios.get)
            out.append(("each query ≥ 5× faster than DuckDB 1 thread",
                        f"lowest {low} {ratios[low]:.1f}×; {sum(r >= 5 for r in ratios.values())} of {len(ratios)} at ≥ 5×",
                        verdict(all(r >= 5 for r in ratios.values()), "")))
        tf = {q["name"]: q for q in (reports.get("wasm-node-O3-tf") or {}).get("queries", [])
              if q.get("median_ms") is not None}
        tf_ratios = {n: dq[n]["median_ms"] / q["median_ms"] for n, q in tf.items() if n in dq and q["median_ms"]}
        if tf_ratios:
            low = min(tf_ratios, key=tf_ratios.get)
            slow = max(tf.values(), key=lambda q: q["median_ms"])
            out.append(("the same two, steady-state wasm code (`wasm-node-O3-tf`)",
                        f"slowest {slow['name']} {slow['median_ms']:.1f} ms; lowest ratio {low} {tf_ratios[low]:.1f}×; "
                        f"{sum(r >= 5 for r in tf_ratios.values())} of {len(tf_ratios)} at ≥ 5×",
                        verdict(slow["median_ms"] <= 20 and all(r >= 5 for r in tf_ratios.values()), "")))
    if wi.get("store_bytes"):
        b = wi["input_bytes"]
        store = wi["store_bytes"] / b
        linear = wi["after_bytes"] / b
        out.append(("memory after load ≤ 0.3 bytes per input byte (what the engine holds)",
                    f"engine store {store:.2f}; wasm linear memory {linear:.2f} (never shrinks: the load's high-water mark, its free part reused by queries)"
                    + (f"; Chromium renderer {ci['after_bytes'] / ci['input_bytes']:.2f}" if ci.get("after_bytes") else ""),
                    verdict(store <= 0.3, "store met; the linear memory is judged as the peak below" if store <= 0.3 < linear else "")))
        out.append(("peak during load ≤ 1.5× memory after load (wasm linear memory high-water / engine store)",
                    f"{linear / store:.2f}× ({linear:.2f} bytes per input byte)",
                    verdict(linear <= 1.5 * store, "")))
        if wi.get("peak_bytes") and wi.get("after_bytes"):
            # The engine alone: wasm in Node streams the file in chunks, as the worker does.
            r = wi["after_bytes"] and wi["peak_bytes"] / wi["after_bytes"]
            out.append(("peak during load ≤ 1.5× memory after load (engine, wasm in Node)",
                        f"process peak / wasm memory after load {r:.2f}",
                        verdict(r <= 1.5, "")))
        if ci.get("peak_bytes") and ci.get("after_bytes"):
            # "Peak ≤ 1.5× that", read both ways: against what the tab holds after the load,
            # and against the 0.3 bytes-per-byte target (0.45).
            r = ci["peak_bytes"] / ci["after_bytes"]
            per_byte = ci["peak_bytes"] / ci["input_bytes"]
            out.append(("peak during load ≤ 1.5× memory after load (≤ 0.45 bytes per input byte)",
                        f"Chromium renderer: peak/after {r:.2f}; peak {per_byte:.2f} bytes per input byte",
                        verdict(r <= 1.5 and per_byte <= 0.45, "peak/after met; bytes per byte missed" if r <= 1.5 < per_byte / 0.3 else "")))
    return out


def machine():
    cpu = "?"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo") as f:
        mem = int(f.readline().split()[1]) * 1024

    def version(cmd):
        try:
            return subprocess.run(cmd, capture_output=True, text=True, timeout=30).stdout.strip().splitlines()[0]
        except (OSError, IndexError, subprocess.SubprocessError):
            return "?"

    return {
        "cpus": os.cpu_count(),
        "cpu": cpu,
        "ram": f"{mem / 2**30:.1f} GiB",
        "os": platform.platform(),
        "node": version(["node", "--version"]),
        "chromium": version(["/usr/bin/chromium", "--version"]),
        "jq": version(["jq", "--version"]),
        "rustc": version(["rustc", "--version"]),
    }


# ---------------------------------------------------------------------------------------------


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="100000,1000000")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--peers", default=",".join(PEER_GROUPS))
    ap.add_argument("--smoke", action="store_true")
    ap.add_argument("--timeout", type=int, default=0, help="seconds per peer and size (default: by size)")
    ap.add_argument("--data-dir", default=os.environ.get("TRAILSCOPE_BENCH_DIR", "/tmp/trailscope-bench"))
    ap.add_argument("--command", default="bench/run", help="the command line, for BENCHMARKS.md")
    ap.add_argument("--no-write", action="store_true", help="do not rewrite BENCHMARKS.md")
    ap.add_argument("--rerender", action="store_true",
                    help="do not run anything: check and tabulate the reports of the last run again")
    a = ap.parse_args()
    if a.smoke:
        a.sizes, a.runs, a.no_write = "2000", 1, True
    peers = []
    for g in a.peers.split(","):
        if g not in PEER_GROUPS:
            sys.exit(f"bench: unknown peer {g!r}; known: {', '.join(PEER_GROUPS)}")
        peers += [p for p in PEER_GROUPS[g] if p not in peers]
    peers = [p for p in PEERS if p in peers]  # table order
    sizes = [int(s) for s in a.sizes.split(",")]
    os.makedirs(a.data_dir, exist_ok=True)

    all_reports, all_mismatches, sections = {}, [], []
    for size in sizes:
        data = os.path.join(a.data_dir, f"events-{size}.json")
        if not os.path.exists(data):
            print(f"== generating {size:,} events into {data}")
            tmp = data + ".part"
            subprocess.run([TRAILSCOPE, "gen", "--events", str(size), "--format", "records",
                            "--seed", "1", "--out", tmp], check=True)
            os.replace(tmp, data)
        mb = os.path.getsize(data) / 1e6
        print(f"== {size:,} events ({mb:.0f} MB of JSON), {a.runs} run(s) per query")
        out_dir = os.path.join(a.data_dir, "results", str(size))
        os.makedirs(out_dir, exist_ok=True)
        timeout = a.timeout or max(300, int(size * 0.0015))
        reports = {}
        if a.rerender:
            with open(os.path.join(out_dir, "all.json")) as f:
                reports = {p: r for p, r in json.load(f).items() if p in peers}
            for r in reports.values():
                for q in r.get("queries", []):
                    q.pop("check", None)
        else:
            for p in peers:
                reports[p] = run_peer(p, data, size, a.runs, out_dir, timeout)
        mismatches = check_all(reports)
        all_mismatches += [f"{size}: {m}" for m in mismatches]
        all_reports[size] = reports
        t = table(reports, size, peers)
        sections.append((size, mb, t, first_runs(reports, peers), notes(reports, peers)))
        print()
        print(t)
        print()
        for m in mismatches:
            print(f"MISMATCH {m}")
        with open(os.path.join(out_dir, "all.json"), "w") as f:
            json.dump(reports, f, indent=1)

    wasm_sizes = {}
    dist_wasm = [f for f in os.listdir(os.path.join(ROOT, "dist")) if f.endswith(".wasm")] if os.path.isdir(os.path.join(ROOT, "dist")) else []
    for f in dist_wasm:
        wasm_sizes[f"dist/{f} (the app)"] = gz_size(os.path.join(ROOT, "dist", f))
    for pkg in ("pkg-z", "pkg-O3"):
        w = os.path.join(HERE, "wasm", pkg, "trailscope_bench_wasm_bg.wasm")
        if os.path.exists(w):
            wasm_sizes[f"bench/wasm/{pkg} (engine only)"] = gz_size(w)
    for k, v in wasm_sizes.items():
        print(f"gzip -9 {k}: {v / 1e3:.0f} KB")

    if not a.no_write:
        write_markdown(a, sizes, sections, all_reports, wasm_sizes, peers)
        print("wrote BENCHMARKS.md")
    if all_mismatches:
        print(f"\n{len(all_mismatches)} MISMATCH(ES): a peer's result differs from the native engine's", file=sys.stderr)
        return 3
    return 0


def write_markdown(a, sizes, sections, all_reports, wasm_sizes, peers):
    m = machine()
    largest = max(sizes)
    lines = [
        "# Benchmarks",
        "",
        "Trailscope against DuckDB (native and Wasm) and jq on CloudTrail work, written by `bench/run`",
        "(see `bench/README.md` for what each peer does and why). Regenerate with the command below;",
        "this file is overwritten by each full run.",
        "",
        f"- date: {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC",
        f"- command: `{a.command}`",
        f"- machine: {m['cpus']} cores, {m['cpu']}, {m['ram']} RAM, {m['os']}",
        f"- tools: {m['rustc']}; Node {m['node']}; {m['chromium']}; {m['jq']}",
        f"- data: `trailscope gen --events N --format records --seed 1` (one `{{\"Records\":[…]}}` file, 24 h of events); "
        f"queries `bench/queries/*.dql` over all loaded data, SQL twins in `bench/sql/`, jq twins in `bench/jq/`",
        f"- median of {a.runs} runs per query (jq: 1 run at 1M events, as each run re-parses the file)",
        "",
        "Columns: " + "; ".join(f"`{p}` {PEERS[p]}" for p in peers) + ".",
        f"Ratio columns `X ÷ wasm`: how many times better `{REFERENCE}` (the engine as the app ships it) is than X "
        "(> 1: Trailscope wins; times and memory: X / ours; throughput: ours / X). ✗MISMATCH marks a result that "
        "differs from the native engine's.",
        "",
        "## Targets",
        "",
        f"From the {largest:,}-event run.",
        "",
        "| target | measured | verdict |",
        "|---|---|---|",
    ]
    for t, measured, verdict in targets(all_reports[largest], largest):
        lines.append(f"| {t} | {measured} | {verdict} |")
    for k, v in wasm_sizes.items():
        if "the app" in k:
            lines.append(f"| release wasm ≤ 2 MB gzipped | {k}: {v / 1e6:.2f} MB | {'met' if v <= 2e6 else 'missed'} |")
    lines.append("| 5M events in one browser tab | measured apart with `node bench/node/tab-capacity.mjs 5m.json` (a 6.4 GB file): see \"One tab, 5M events\" below | met (2026-11-26) |")
    lines.append("")
    lines.append("Wasm sizes (gzip -9): " + "; ".join(f"{k} {v / 1e3:.0f} KB" for k, v in wasm_sizes.items()) + ".")
    lines.append("")
    lines.append("## One tab, 5M events")
    lines.append("")
    lines.append("Not part of `bench/run` (a 6.4 GB file, minutes of CPU). Last measured 2026-11-26 (evening) on this machine: "
                 "`trailscope gen --events 5000000 --format records --out 5m.json`, then "
                 "`node bench/node/tab-capacity.mjs 5m.json` (the app in headless Chromium, file picked through the "
                 "\"Open files\" input): all 5,000,000 events loaded in 84 s (76 MB/s) with 2.3 GB of wasm memory "
                 "(reserved up front from the file size); `fetch logs | summarize n = count(), by: "
                 "{ aws.account.id }` then ran in 173 ms. Before the up-front reservation the tab stopped (with its "
                 "message, keeping what it had) at 2.98M events and 3.3 GiB: doubling vectors left their old copies "
                 "as holes in the 4 GiB address space.")
    lines.append("")
    lines.append("## The detection pack, 1M events")
    lines.append("")
    lines.append(DETECTION_PACK)
    for size, mb, t, first, note in sections:
        lines += ["", f"## {size:,} events ({mb:.0f} MB of JSON)", "", t, "", first, "", "Notes:", "", note]
    lines.append("")
    with open(os.path.join(ROOT, "BENCHMARKS.md"), "w") as f:
        f.write("\n".join(lines))


# Written by hand from `bench/detect-pack` (not part of bench/run), kept across full runs.
DETECTION_PACK = (
    "Not part of `bench/run`: `bench/detect-pack` (release build, the 1M-event data of this page). "
    "Every detection `trailscope detect` runs by default (145 of the pack's 153; the 8 with example "
    "lists to configure are left out), each its own query over the loaded store, and their hits read "
    "(event id, time, principal): 2.1 s native for the whole pack (median of 3 runs of 1.9-2.6 s; "
    "621,242 hits from 23 detections, most of them the info-level `access-key-used` and the "
    "per-event hits of bursts), 2026-12-02 on this machine. Slowest (`trailscope bench --queries engine/detections`): "
    "`api-enumeration-burst` 0.44 s (distinct APIs per principal per 10 minutes over the 54% of "
    "events that are List/Describe/Get, joined back to them), `s3-ransom-note-uploaded` 0.17 s. Not measured in wasm "
    "yet; the app runs the same loop in its worker after each load."
)


if __name__ == "__main__":
    sys.exit(main())
