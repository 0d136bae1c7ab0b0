"""The SQL engines of the differential tests: DuckDB over the events (the `duckdb` dialect),
DuckDB over a table of Athena's shape (the `athena` dialect's SQL, read as Trino by sqlglot
and written as DuckDB), and Spark through the same driver as `trailscope spark`.
"""

import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "cli", "spark"))

import driver  # noqa: E402  (cli/spark/driver.py)


def duckdb_files(path):
    """The CloudTrail objects under a path, as DuckDB's read_json takes them."""
    if os.path.isdir(path):
        out = []
        for d, _, fs in os.walk(path):
            for f in fs:
                if f.endswith((".json", ".json.gz", ".ndjson", ".jsonl", ".log")) and not f.startswith("."):
                    out.append(os.path.join(d, f))
        return sorted(out)
    return [path]


def duckdb_events(con, path, name="cloudtrail"):
    """`name`: one row per event, `_content` (JSON), `_source`, `_index`, as docs/sql.md shows."""
    files = duckdb_files(path)
    lst = "[" + ", ".join("'" + f.replace("'", "''") + "'" for f in files) + "]"
    con.execute(
        f"""CREATE OR REPLACE TABLE {name} AS
        WITH docs AS (
            SELECT filename, json, row_number() OVER () AS n
            FROM read_json_objects({lst}, filename = true, format = 'auto',
                                   maximum_object_size = 268435456)
        ), records AS (
            SELECT filename AS _source,
                   unnest(range(CAST(json_array_length(json, '$.Records') AS BIGINT))) AS _index,
                   unnest(CAST(json_extract(json, '$.Records') AS JSON[])) AS _content
            FROM docs WHERE json_type(json, '$.Records') = 'ARRAY'
        ), lines AS (
            SELECT filename AS _source, n - min(n) OVER (PARTITION BY filename) AS _index,
                   json AS _content
            FROM docs WHERE json_type(json, '$.Records') IS NULL
        )
        SELECT * FROM records UNION ALL SELECT * FROM lines"""
    )


# Athena's CloudTrail table (docs/sql.md): the columns AWS documents, from the same events.
STRUCTS = {
    "useridentity": {
        "type": "VARCHAR", "principalId": "VARCHAR", "arn": "VARCHAR", "accountId": "VARCHAR",
        "invokedBy": "VARCHAR", "accessKeyId": "VARCHAR", "userName": "VARCHAR",
        "onBehalfOf": {"userId": "VARCHAR", "identityStoreArn": "VARCHAR"},
        "sessionContext": {
            "attributes": {"mfaAuthenticated": "VARCHAR", "creationDate": "VARCHAR"},
            "sessionIssuer": {"type": "VARCHAR", "principalId": "VARCHAR", "arn": "VARCHAR",
                              "accountId": "VARCHAR", "userName": "VARCHAR"},
            "ec2RoleDelivery": "VARCHAR",
        },
    },
    "tlsdetails": {"tlsVersion": "VARCHAR", "cipherSuite": "VARCHAR", "clientProvidedHostHeader": "VARCHAR"},
}
STRINGS = ["eventVersion", "eventTime", "eventSource", "eventName", "awsRegion", "sourceIPAddress",
           "userAgent", "errorCode", "errorMessage", "requestID", "eventID", "readOnly", "eventType",
           "apiVersion", "recipientAccountId", "sharedEventID", "vpcEndpointId",
           "vpcEndpointAccountId", "eventCategory", "sessionCredentialFromConsole"]
JSON_TEXT = ["requestParameters", "responseElements", "additionalEventData", "serviceEventDetails",
             "edgeDeviceDetails"]
STRUCT_MEMBERS = {"useridentity": "userIdentity", "tlsdetails": "tlsDetails"}


def athena_table(con, events="cloudtrail", name="cloudtrail_logs"):
    """A table of Athena's shape from `events`: strings as the JSON SerDe reads them (objects
    as their JSON text, booleans as 'true'), structs with the documented members, the JSON
    columns as text, `$path` and the `region`/`timestamp` partitions."""
    def text(path):
        return (f"(CASE WHEN json_type(_content, '$.{path}') IN ('OBJECT', 'ARRAY') "
                f"THEN CAST(json_extract(_content, '$.{path}') AS VARCHAR) "
                f"ELSE json_extract_string(_content, '$.{path}') END)")
    cols = [f"{text(m)} AS {m.lower()}" for m in STRINGS]
    cols += [f"nullif(CAST(json_extract(_content, '$.{m}') AS VARCHAR), 'null') AS {m.lower()}"
             for m in JSON_TEXT]
    for col, member in STRUCT_MEMBERS.items():
        spec = json.dumps(STRUCTS[col]).replace("'", "''")
        cols.append(f"json_transform(json_extract(_content, '$.{member}'), '{spec}') AS {col}")
    cols.append('_source AS "$path"')
    cols.append("json_extract_string(_content, '$.awsRegion') AS region")
    cols.append("coalesce(regexp_extract(_source, '/(\\d{4}/\\d{2}/\\d{2})/', 1), "
                "strftime(try_strptime(json_extract_string(_content, '$.eventTime'), '%Y-%m-%dT%H:%M:%SZ'), '%Y/%m/%d')) AS \"timestamp\"")
    con.execute(f"CREATE OR REPLACE TABLE {name} AS SELECT {', '.join(cols)} FROM {events}")


def athena_to_duckdb(sql):
    """Athena (Trino) SQL as DuckDB runs it: sqlglot reads Trino and writes DuckDB."""
    import sqlglot

    out = sqlglot.transpile(sql, read="trino", write="duckdb")[0]
    return out


def trino_syntax_ok(sql):
    import sqlglot

    sqlglot.parse_one(sql, read="trino")
    return True


def duckdb_rows(con, translation):
    cur = con.execute(translation["sql"])
    rows = cur.fetchall()
    return [
        {c["name"]: driver.cell(r[i], c["kind"]) for i, c in enumerate(translation["columns"])}
        for r in rows
    ]


def have_tools():
    """(ok, reason): whether the Python tools and Java are there."""
    try:
        import duckdb  # noqa: F401
        import pyspark  # noqa: F401
        import sqlglot  # noqa: F401
    except ImportError as e:
        return False, f"{e.name} is not installed (scripts/setup-sql-tools installs it)"
    if not any(os.access(os.path.join(p, "java"), os.X_OK) for p in os.environ.get("PATH", "").split(os.pathsep)):
        return False, "java is not on PATH (scripts/setup-sql-tools installs it)"
    return True, ""
