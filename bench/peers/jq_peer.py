"""Peer "jq": each seed query as a jq program (bench/jq/*.jq) over the generated Records file.

    python jq_peer.py --file F --jq DIR --runs N --out REPORT.json [--mem-limit BYTES]

jq has no "load once, query many times": every query parses the whole file again, so a query's
time includes parsing it. "Ingest" is `jq empty` (parse only). Peak memory is the largest
resident size of any of the jq processes (from wait4's rusage).
"""

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time

MAX_RESULT_ROWS = 10_000


def run_jq(args, mem_limit):
    """Runs jq; returns (seconds, stdout, peak RSS bytes). Raises RuntimeError on failure."""

    def limit():
        if mem_limit:
            resource.setrlimit(resource.RLIMIT_AS, (mem_limit, mem_limit))

    t = time.perf_counter()
    p = subprocess.Popen(
        ["jq", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, preexec_fn=limit
    )
    # Read both pipes before waiting, so a large result cannot block jq.
    out, err = p.stdout.read(), p.stderr.read()
    _, status, usage = os.wait4(p.pid, 0)
    p.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.perf_counter() - t
    if p.returncode != 0:
        raise RuntimeError(
            f"jq exited with {p.returncode}: {err.decode(errors='replace').strip()[:500]}"
        )
    return seconds, out, usage.ru_maxrss * 1024


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--file", required=True)
    ap.add_argument("--jq", required=True)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--out", required=True)
    ap.add_argument("--mem-limit", type=int, default=0)
    a = ap.parse_args()

    version = subprocess.run(["jq", "--version"], capture_output=True, text=True).stdout.strip()
    report = {"peer": "jq", "notes": [f"{version}; every query re-reads and parses the file"]}
    report["queries"] = []
    peak = 0
    try:
        seconds, _, rss = run_jq(["empty", a.file], a.mem_limit)
        peak = rss
        report["ingest"] = {
            "seconds": seconds,
            "input_bytes": os.path.getsize(a.file),
            "events": None,
            "after_bytes": None,
            "peak_bytes": rss,
        }
    except RuntimeError as e:
        report["error"] = f"parse: {e}"
    for name in sorted(f for f in os.listdir(a.jq) if f.endswith(".jq")):
        if "error" in report:
            break
        q = {"name": name[:-3], "runs_ms": [], "rows": None, "result": None}
        try:
            for i in range(max(a.runs, 1)):
                seconds, out, rss = run_jq(["-c", "-f", os.path.join(a.jq, name), a.file], a.mem_limit)
                peak = max(peak, rss)
                q["runs_ms"].append(seconds * 1e3)
                if i == 0:
                    rows = [json.loads(line) for line in out.splitlines() if line.strip()]
                    if len(rows) == 1 and list(rows[0]) == ["rows"]:
                        q["rows"] = rows[0]["rows"]
                    else:
                        q["rows"] = len(rows)
                        q["result"] = rows if len(rows) <= MAX_RESULT_ROWS else None
        except RuntimeError as e:
            q["error"] = str(e)
        q["first_ms"] = q["runs_ms"][0] if q["runs_ms"] else None
        q["median_ms"] = statistics.median_low(q["runs_ms"]) if q["runs_ms"] else None
        report["queries"].append(q)
    if report.get("ingest"):
        events = next((q["rows"] for q in report["queries"] if q["name"].startswith("01")), None)
        report["ingest"]["events"] = events
    report["peak_bytes"] = peak
    with open(a.out, "w") as f:
        json.dump(report, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
