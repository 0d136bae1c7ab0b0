"""Peer "DuckDB native": Python `duckdb` loads the generated Records file with `read_json` and
runs bench/sql/*.sql against the flat view `ev` (bench/sql/columns.json).

    python duckdb_native.py --file F --sql DIR --threads N --runs N --out REPORT.json

Loading is what a DuckDB user writes for a `{"Records":[…]}` export: `read_json` with schema
auto-detection (the whole file is one JSON object, so `maximum_object_size` must hold it), then
`unnest(Records, max_depth := 2)` into a table with one column per top-level member (nested
members as STRUCTs). The table keeps every field, as Trailscope's store does.
"""

import argparse
import json
import os
import resource
import statistics
import sys
import time

import duckdb

MAX_RESULT_ROWS = 10_000


def rss_now() -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


def peak_rss() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def jsonable(v):
    if v is None or isinstance(v, (bool, int, float, str)):
        return v
    if isinstance(v, (list, tuple)):
        return [jsonable(x) for x in v]
    return str(v)  # UUID, timestamps, decimals


def flat_view(con, columns: dict) -> str:
    """`CREATE VIEW ev` selecting each flat column from its struct path; a path that schema
    detection never saw (small samples) is NULL rather than a binder error."""
    parts = []
    for name, path in columns.items():
        if name.startswith("//"):
            continue
        expr = ".".join(f'"{p}"' for p in path)
        try:
            con.execute(f"SELECT {expr} FROM events LIMIT 0")
        except duckdb.Error:
            expr = "NULL::VARCHAR"
        parts.append(f'{expr} AS "{name}"')
    parts += ['"dt.system.bucket"', '"aws.service"']
    return "CREATE VIEW ev AS SELECT " + ", ".join(parts) + " FROM events"


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--file", required=True)
    ap.add_argument("--sql", required=True)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--out", required=True)
    ap.add_argument("--peer", default=None)
    a = ap.parse_args()

    report = {"peer": a.peer or f"duckdb-{a.threads}t", "notes": [], "queries": []}
    report["notes"].append(f"duckdb {duckdb.__version__}, threads={a.threads}")
    con = duckdb.connect()
    con.execute(f"SET threads = {a.threads}")
    con.execute("SET TimeZone = 'UTC'")
    size = os.path.getsize(a.file)
    path = a.file.replace("'", "''")
    t = time.perf_counter()
    con.execute(
        f"""CREATE TABLE events AS
            SELECT unnest(Records, max_depth := 2),
                   'my_aws_bucket' AS "dt.system.bucket",
                   'cloudtrail' AS "aws.service"
            FROM read_json('{path}', maximum_object_size = {size + 1024})"""
    )
    events = con.execute("SELECT count(*) FROM events").fetchone()[0]
    seconds = time.perf_counter() - t
    with open(os.path.join(a.sql, "columns.json")) as f:
        con.execute(flat_view(con, json.load(f)))
    duck_bytes = con.execute("SELECT sum(memory_usage_bytes) FROM duckdb_memory()").fetchone()[0]
    report["ingest"] = {
        "seconds": seconds,
        "input_bytes": size,
        "events": events,
        "after_bytes": rss_now(),
        "store_bytes": int(duck_bytes or 0),
        "peak_bytes": peak_rss(),
    }
    report["notes"].append(
        f"DuckDB's own memory after load {int(duck_bytes or 0) / 1e6:.0f} MB (duckdb_memory())"
    )

    for name in sorted(f for f in os.listdir(a.sql) if f.endswith(".sql")):
        with open(os.path.join(a.sql, name)) as f:
            sql = f.read()
        q = {"name": name[:-4], "runs_ms": [], "rows": None, "result": None}
        try:
            for i in range(max(a.runs, 1)):
                t = time.perf_counter()
                cur = con.execute(sql)
                rows = cur.fetchall()
                q["runs_ms"].append((time.perf_counter() - t) * 1e3)
                if i == 0:
                    cols = [d[0] for d in cur.description]
                    if cols == ["rows"]:
                        q["rows"] = rows[0][0]
                    else:
                        q["rows"] = len(rows)
                        if len(rows) <= MAX_RESULT_ROWS:
                            q["result"] = [
                                {c: jsonable(v) for c, v in zip(cols, r)} for r in rows
                            ]
        except duckdb.Error as e:
            q["error"] = str(e)[:2000]
        q["first_ms"] = q["runs_ms"][0] if q["runs_ms"] else None
        q["median_ms"] = statistics.median_low(q["runs_ms"]) if q["runs_ms"] else None
        report["queries"].append(q)
    report["peak_bytes"] = peak_rss()
    os.makedirs(os.path.dirname(os.path.abspath(a.out)), exist_ok=True)
    with open(a.out, "w") as f:
        json.dump(report, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
