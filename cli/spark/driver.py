"""Runs SQL that `trailscope sql --dialect spark` wrote on Apache Spark, through PySpark.

`trailscope spark` writes this file to a temporary folder and runs it with the translation on
standard input; the SQL differential tests import it and run many queries in one session.

    python driver.py [--master URL] PATH...  <  {"sql": …, "columns": […], "paths": […]}

The view `cloudtrail` holds one row per event of CloudTrail's S3 objects (`{"Records": […]}`,
plain or gzip, folders read recursively; PATH may be s3a://…): the event's members as
`spark.read.json` infers them (a schema inferred from the events themselves, plus the member
paths the query reads that no event has, as nullable strings), and beside them `_content` (the
event's JSON text), `_source` (its file) and `_index` (its position in the file). Results are
printed as JSON Lines, values as `trailscope query --format json` prints them.
"""

import argparse
import datetime
import decimal
import json
import os
import sys
import time


def make_session(master="local[2]", app="trailscope", small=False):
    """A session in UTC with case-sensitive names. `small`: tuned for many queries over a few
    thousand events (the differential tests), where planning and code generation cost more than
    the work: one shuffle partition, no adaptive re-planning, interpreted expressions."""
    # Timestamps come back to Python in the process's time zone: make that UTC, as Trailscope.
    os.environ["TZ"] = "UTC"
    time.tzset()
    from pyspark.sql import SparkSession

    spark = (
        SparkSession.builder.master(master)
        .appName(app)
        .config("spark.sql.session.timeZone", "UTC")
        # DQL member names are case-sensitive (`userName` and `username` are two members).
        .config("spark.sql.caseSensitive", "true")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", "1" if small else "4")
    )
    if small and os.environ.get("TRAILSCOPE_SPARK_TUNING", "1") == "1":
        spark = (
            spark.config("spark.sql.adaptive.enabled", "false")
            .config("spark.sql.codegen.wholeStage", "false")
            .config("spark.sql.codegen.factoryMode", "NO_CODEGEN")
        )
    spark = spark.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def raw_events(spark, paths):
    """One row per event: `_content` (its JSON text), `_source`, `_index`."""
    from pyspark.sql import functions as F

    files = (
        # wholetext as text()'s own parameter: its default (False) overrides an .option().
        spark.read.option("recursiveFileLookup", "true")
        .text(list(paths), wholetext=True)
        .select(F.input_file_name().alias("_source"), "value")
    )
    # A string-typed element keeps the element's own JSON text. A file without `Records` is
    # read as JSON Lines (log shippers' NDJSON): one event per non-empty line.
    records = F.from_json("value", "Records ARRAY<STRING>")["Records"]
    lines = F.filter(F.split("value", "\n"), lambda l: F.trim(l) != "")
    events = F.when(records.isNotNull(), records).otherwise(lines)
    return files.select("_source", F.posexplode(events).alias("_index", "_content"))


def with_paths(schema, paths):
    """The schema with every member path the query reads (as a nullable string where no event
    has it): an inferred schema lacks members no event has, and Spark refuses to read them."""
    from pyspark.sql import types as T

    def add(struct, path):
        head, rest = path[0], path[1:]
        fields = list(struct.fields)
        for i, f in enumerate(fields):
            if f.name == head:
                if rest and isinstance(f.dataType, T.StructType):
                    fields[i] = T.StructField(f.name, add(f.dataType, rest), True)
                return T.StructType(fields)
        leaf = T.StringType()
        for name in reversed(rest):
            leaf = T.StructType([T.StructField(name, leaf, True)])
        fields.append(T.StructField(head, leaf, True))
        return T.StructType(fields)

    for p in paths:
        if p:
            schema = add(schema, p)
    return schema


def event_view(spark, paths, member_paths=(), name="cloudtrail"):
    from pyspark.sql import functions as F, types as T

    # Thousands of small S3 objects are thousands of read tasks; the events fit in a few.
    raw = raw_events(spark, paths).coalesce(max(2, spark.sparkContext.defaultParallelism)).cache()
    schema = infer_schema(spark, raw) if raw.head(1) else T.StructType([])
    schema = with_paths(schema, member_paths)
    view = raw.select(F.from_json("_content", schema).alias("_e"), "_content", "_source", "_index")
    view = view.select("_e.*", "_content", "_source", "_index").cache()
    view.createOrReplaceTempView(name)
    return view


def infer_schema(spark, raw):
    """The schema `spark.read.json` infers from the events' text."""
    import json as _json
    from pyspark.sql import types as T

    try:
        # In the JVM: five times faster than handing every event through Python.
        jvm = spark._jvm
        texts = getattr(raw.select("_content")._jdf, "as")(jvm.org.apache.spark.sql.Encoders.STRING())
        return T.StructType.fromJson(_json.loads(spark._jsparkSession.read().json(texts).schema().json()))
    except Exception:  # Spark Connect and other sessions without a JVM at hand
        return spark.read.json(raw.select("_content").rdd.map(lambda r: r[0])).schema


def timestamp_text(v):
    if v.tzinfo is not None:
        v = v.astimezone(datetime.timezone.utc).replace(tzinfo=None)
    s = v.strftime("%Y-%m-%dT%H:%M:%S")
    if v.microsecond:
        s += (".%03d" % (v.microsecond // 1000)) if v.microsecond % 1000 == 0 else ".%06d" % v.microsecond
    return s + "Z"


def nested(v):
    """A Spark value as Trailscope shows it: structs as objects without their null members."""
    from pyspark.sql import Row

    if isinstance(v, Row):
        return {k: nested(x) for k, x in v.asDict(recursive=False).items() if x is not None}
    if isinstance(v, dict):
        return {k: nested(x) for k, x in v.items() if x is not None}
    if isinstance(v, (list, tuple)):
        return [nested(x) for x in v]
    return plain(v)


def plain(v):
    if isinstance(v, decimal.Decimal):
        return int(v) if v == v.to_integral_value() else float(v)
    if isinstance(v, datetime.datetime):
        return timestamp_text(v)
    return v


def cell(v, kind):
    if v is None:
        return None
    if kind == "timestamp":
        return timestamp_text(v)
    if kind == "duration":
        return int(v)
    if kind == "timeframe":
        return {"start": timestamp_text(v["start"]), "end": timestamp_text(v["end"])}
    if kind == "json":
        return json.loads(v) if isinstance(v, str) else nested(v)
    if kind == "nested":
        return nested(v)
    return plain(v)


def run(spark, translation):
    """The rows of one translated query, as dicts in column order."""
    columns = translation["columns"]
    rows = spark.sql(translation["sql"]).collect()
    out = []
    for r in rows:
        out.append({c["name"]: cell(r[i], c["kind"]) for i, c in enumerate(columns)})
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--master", default="local[2]")
    ap.add_argument("paths", nargs="+")
    a = ap.parse_args()
    translation = json.load(sys.stdin)
    spark = make_session(a.master)
    try:
        event_view(spark, a.paths, translation.get("paths", []))
        for row in run(spark, translation):
            sys.stdout.write(json.dumps(row, ensure_ascii=False) + "\n")
    except Exception as e:  # Spark's analysis and runtime errors, shown without a traceback
        msg = str(e).strip().splitlines()
        sys.stderr.write("error: Spark: " + (msg[0] if msg else type(e).__name__) + "\n")
        return 2
    finally:
        spark.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
