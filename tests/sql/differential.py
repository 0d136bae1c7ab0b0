"""Differential tests: the same DQL on Trailscope and, written as SQL by `trailscope sql`, on
Spark (PySpark, local mode), on DuckDB, and on a table of Athena's shape (the Athena SQL, checked
by sqlglot's Trino parser, then written as DuckDB by sqlglot and run over the same events).

    tests/sql/differential.py [--bin target/debug/trailscope] [--no-spark] [--only DIALECT] [--filter TEXT] [-v]

Cases: the seed queries (tests/fixtures/seed), every golden file that runs over the seed export
or `data` records (tests/golden, but errors/ and unsupported/), and tests/sql/queries/*.dql over
a generated export and over the real exports in ../shared (skipped when it is missing). A case
passes for a dialect when the rows are the same, in the same order (see `same`), or when the
dialect refuses the query with an E5xx diagnostic (counted apart). Prints one closing line in
cargo's format for scripts/test. Skips, saying why, when PySpark, DuckDB, sqlglot or Java are
missing (scripts/setup-sql-tools installs them).
"""

import argparse
import concurrent.futures
import glob
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)

import engines  # noqa: E402

SEED = os.path.join(ROOT, "tests", "fixtures", "seed", "AWSLogs")
REAL = os.path.normpath(os.path.join(ROOT, "..", "shared", "data", "cloudtrail", "grycap-cloudtrail-tracker"))
DIALECTS = ["duckdb", "athena", "spark"]
SPARK_THREADS = int(os.environ.get("TRAILSCOPE_SPARK_THREADS", "2"))


class Case:
    def __init__(self, name, query, data, now=None, bucket="default_logs", frm=None, to=None):
        self.name, self.query, self.data = name, query, data
        self.now, self.bucket, self.frm, self.to = now, bucket, frm, to
        self.engine = None
        self.sql = {}
        self.result = {}
        self.differs = {}


def header(text):
    """Settings from `// key: value` lines before the query, and the query."""
    meta, lines = {}, []
    head = text.split("\n----", 1)[0]
    for line in head.splitlines():
        if line.startswith("// ") and ": " in line and all(x.startswith("//") for x in lines):
            k, v = line[3:].split(": ", 1)
            if k in ("data", "now", "bucket", "from", "to", "differs"):
                meta[k] = v.strip()
                continue
        lines.append(line)
    return meta, "\n".join(lines).strip()


def collect(gen_dir, real):
    cases = []
    for f in sorted(glob.glob(os.path.join(ROOT, "tests/fixtures/seed/queries/*.dql"))):
        q = open(f).read()
        cases.append(Case("seed/" + os.path.basename(f), q, SEED, "2026-11-20T12:00:00Z", "my_aws_bucket"))
    for f in sorted(glob.glob(os.path.join(ROOT, "tests/golden/**/*.dql"), recursive=True)):
        rel = os.path.relpath(f, os.path.join(ROOT, "tests/golden"))
        if rel.split(os.sep)[0] in ("errors", "unsupported"):
            continue
        meta, q = header(open(f).read())
        body = "\n".join(l for l in q.splitlines() if not l.startswith("//")).strip()
        if meta.get("data") == "fixtures/seed/AWSLogs":
            data = SEED
        elif "data" not in meta and body.startswith("data"):
            data = None
        else:
            continue
        cases.append(Case("golden/" + rel, q, data, meta.get("now"), meta.get("bucket", "default_logs")))
    for f in sorted(glob.glob(os.path.join(HERE, "queries", "*.dql"))):
        meta, q = header(open(f).read())
        for which in [w.strip() for w in meta.get("data", "generated").split(",")]:
            if which == "generated":
                cases.append(Case(f"generated/{os.path.basename(f)}", q, gen_dir, meta.get("now"), frm=meta.get("from"), to=meta.get("to")))
            elif which == "real" and real:
                cases.append(Case(f"real/{os.path.basename(f)}", q, REAL, meta.get("now"), frm=meta.get("from"), to=meta.get("to")))
        # `// differs: athena: why`: a documented difference (docs/sql.md), reported, not failed.
        if "differs" in meta:
            d, why = meta["differs"].split(":", 1)
            for c in cases:
                if c.name.endswith("/" + os.path.basename(f)):
                    c.differs = {d.strip(): why.strip()}
    return cases


def data_now(binary, path, cache={}):
    """Trailscope's default "now" for a data set: the first whole second after its newest
    event (what the golden tests run with when they name none)."""
    if path not in cache:
        p = subprocess.run([binary, "query", "--format", "json", "--report", "none",
                            "fetch logs | summarize t = max(timestamp)", path], capture_output=True, text=True)
        t = json.loads(p.stdout.splitlines()[0])["t"] if p.returncode == 0 and p.stdout else None
        if t:
            import datetime
            dt = datetime.datetime.strptime(t[:19], "%Y-%m-%dT%H:%M:%S") + datetime.timedelta(seconds=1)
            t = dt.strftime("%Y-%m-%dT%H:%M:%SZ")
        cache[path] = t or "2026-11-20T12:00:00Z"
    return cache[path]


def cli_args(case):
    args = ["--bucket", case.bucket]
    for k, v in (("--now", case.now), ("--from", case.frm), ("--to", case.to)):
        if v:
            args += [k, v]
    return args


def run_engine(binary, case, empty):
    with tempfile.NamedTemporaryFile("w", suffix=".dql", delete=False) as f:
        f.write(case.query)
    try:
        p = subprocess.run([binary, "query", "--format", "json", "--report", "none", *cli_args(case), "-f", f.name, case.data or empty],
                           capture_output=True, text=True)
    finally:
        os.unlink(f.name)
    if p.returncode != 0:
        return None
    return [json.loads(l) for l in p.stdout.splitlines() if l.strip()]


def translate(binary, case, dialect):
    """(translation, None) or (None, the refusal's first line)."""
    p = subprocess.run([binary, "sql", "--json", "--dialect", dialect, *cli_args(case), case.query],
                       capture_output=True, text=True)
    if p.returncode == 0:
        return json.loads(p.stdout), None
    first = next((l for l in p.stderr.splitlines() if l.strip()), "refused")
    return None, first


def norm(v, drop_nulls):
    if isinstance(v, dict):
        return {k: norm(x, drop_nulls) for k, x in v.items() if not (drop_nulls and x is None)}
    if isinstance(v, list):
        return [norm(x, drop_nulls) for x in v]
    return v


def same_value(a, b):
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b or a == b and type(a) is type(b)
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return a == b or math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same_value(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same_value(x, y) for x, y in zip(a, b))
    return a == b


def row_norm(row, nested):
    out = {}
    for k, v in row.items():
        if k == "content" and isinstance(v, str) and v.startswith("{"):
            v = json.loads(v)
        if k == "log.source" and isinstance(v, str):
            v = v.rsplit("/", 1)[-1]
        out[k] = norm(v, k in nested)
    return out


def same(engine_rows, sql_rows, translation):
    """The same rows in the same order (records compared without null members where Spark
    returns inferred structs, which cannot tell a null member from a missing one)."""
    nested = {c["name"] for c in translation["columns"] if c["kind"] == "nested"}
    a = [row_norm(r, nested) for r in engine_rows]
    b = [row_norm(r, nested) for r in sql_rows]
    if len(a) != len(b):
        return f"{len(a)} rows on the engine, {len(b)} in SQL"
    for i, (x, y) in enumerate(zip(a, b)):
        if list(x) != list(y):
            return f"columns {list(x)} vs {list(y)}"
        if not same_value(x, y):
            return f"row {i}: engine {json.dumps(x)[:400]}\n        sql    {json.dumps(y)[:400]}"
    return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default=os.path.join(ROOT, "target", "debug", "trailscope"))
    ap.add_argument("--no-spark", action="store_true")
    ap.add_argument("--only", choices=DIALECTS, help="one dialect only")
    ap.add_argument("--filter", default="")
    ap.add_argument("-v", "--verbose", action="store_true")
    a = ap.parse_args()
    ok, why = engines.have_tools()
    if not ok:
        print(f"sql differential tests skipped: {why}")
        print("test result: ok. 0 passed; 0 failed; 1 ignored")
        return 0
    real = os.path.isdir(REAL)
    if not real:
        print(f"real-data cases skipped: {REAL} is not there")
    started = time.time()
    tmp = tempfile.mkdtemp(prefix="trailscope-sql-")
    # A copy: a build running meanwhile may replace target/debug/trailscope.
    binary = os.path.join(tmp, "trailscope")
    shutil.copy2(a.bin, binary)
    a.bin = binary
    gen_dir, empty = os.path.join(tmp, "generated"), os.path.join(tmp, "empty")
    os.makedirs(empty)
    subprocess.run([a.bin, "gen", "--events", "3000", "--format", "s3", "--seed", "16", "--start",
                    "2026-11-20T06:00:00Z", "--hours", "6", "--out", gen_dir], check=True, capture_output=True)
    cases = [c for c in collect(gen_dir, real) if a.filter in c.name]
    dialects = [d for d in DIALECTS if not (a.no_spark and d == "spark") and a.only in (None, d)]

    for c in cases:
        c.now = c.now or (data_now(a.bin, c.data) if c.data else "2026-11-20T12:00:00Z")
        c.engine = run_engine(a.bin, c, empty)
        for d in dialects:
            c.sql[d] = translate(a.bin, c, d) if c.engine is not None else (None, None)

    import duckdb

    datasets = sorted({c.data for c in cases if c.data}, key=str)
    # DuckDB (and the Athena-shaped table) per data set.
    for data in [None] + datasets:
        con = duckdb.connect()
        con.execute("SET TimeZone = 'UTC'")
        if data:
            engines.duckdb_events(con, data)
            engines.athena_table(con)
        for c in cases:
            if c.data != data or c.engine is None:
                continue
            for d in ("duckdb", "athena"):
                t, _ = c.sql.get(d, (None, None))
                if t is None:
                    continue
                try:
                    if d == "athena":
                        engines.trino_syntax_ok(t["sql"])
                        t = dict(t, sql=engines.athena_to_duckdb(t["sql"]))
                    c.result[d] = engines.duckdb_rows(con, t)
                except Exception as e:  # noqa: BLE001 - reported per case
                    c.result[d] = e
        con.close()
    duck_done = time.time()

    if "spark" in dialects:
        spark = engines.driver.make_session("local[2]", "trailscope-sql-tests", small=True)
        try:
            for data in [None] + datasets:
                mine = [c for c in cases if c.data == data and c.sql.get("spark", (None,))[0]]
                if not mine:
                    continue
                if data:
                    paths = [p for c in mine for p in c.sql["spark"][0]["paths"]]
                    engines.driver.event_view(spark, [data], paths)
                def one(c):
                    t0 = time.time()
                    try:
                        c.result["spark"] = engines.driver.run(spark, c.sql["spark"][0])
                    except Exception as e:  # noqa: BLE001
                        c.result["spark"] = e
                    c.spark_s = time.time() - t0

                # Two queries at a time: while one is planned on the driver, the other runs.
                with concurrent.futures.ThreadPoolExecutor(SPARK_THREADS) as pool:
                    list(pool.map(one, mine))
        finally:
            spark.stop()
    spark_done = time.time()

    counts = {d: {"passed": 0, "failed": 0, "refused": 0, "known": 0} for d in dialects}
    failures = []
    for c in cases:
        if c.engine is None:
            continue
        for d in dialects:
            t, refusal = c.sql[d]
            if t is None:
                counts[d]["refused"] += 1
                if a.verbose:
                    print(f"  refused {d:7} {c.name}: {refusal}")
                continue
            r = c.result.get(d)
            problem = str(r).splitlines()[0][:300] if isinstance(r, Exception) else (same(c.engine, r, t) if r is not None else "not run")
            if problem and d in c.differs:
                counts[d]["known"] += 1
                print(f"known difference {d} {c.name}: {c.differs[d]}")
            elif problem:
                counts[d]["failed"] += 1
                failures.append(f"FAIL {d:7} {c.name}: {problem}")
            else:
                counts[d]["passed"] += 1
                if a.verbose:
                    print(f"  ok      {d:7} {c.name}")
    shutil.rmtree(tmp, ignore_errors=True)
    if a.verbose:
        slow = sorted((c for c in cases if hasattr(c, "spark_s")), key=lambda c: -c.spark_s)[:8]
        print("slowest on Spark: " + ", ".join(f"{c.name} {c.spark_s:.1f} s" for c in slow))
    for f in failures:
        print(f)
    print(f"\n{len([c for c in cases if c.engine is not None])} queries ({len(cases)} collected); "
          f"DuckDB and Athena-shape {duck_done - started:.0f} s, Spark {spark_done - duck_done:.0f} s")
    for d in dialects:
        k = counts[d]
        print(f"  {d:7} {k['passed']} same rows, {k['failed']} different, {k['refused']} refused (E5xx), "
              f"{k['known']} documented differences")
    passed = sum(k["passed"] for k in counts.values())
    failed = sum(k["failed"] for k in counts.values())
    refused = sum(k["refused"] + k["known"] for k in counts.values())
    print(f"test result: {'ok' if failed == 0 else 'FAILED'}. {passed} passed; {failed} failed; {refused} ignored")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
