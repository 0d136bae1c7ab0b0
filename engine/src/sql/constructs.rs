//! The table of DQL constructs and what each SQL dialect makes of them; `docs/sql.md`'s
//! table is generated from it ([`reference`]), and a test checks every "no" is refused.

/// One construct and whether each dialect writes it (`None`: refused, with why).
pub struct Construct {
    pub construct: &'static str,
    /// An example query using it (checked: it translates, or is refused, as the row says).
    pub example: &'static str,
    pub spark: Option<&'static str>,
    pub athena: Option<&'static str>,
    pub duckdb: Option<&'static str>,
    /// Why a dialect refuses it, or what to know.
    pub note: &'static str,
}

const Y: Option<&str> = Some("yes");

const fn c(
    construct: &'static str,
    example: &'static str,
    [spark, athena, duckdb]: [Option<&'static str>; 3],
    note: &'static str,
) -> Construct {
    Construct {
        construct,
        example,
        spark,
        athena,
        duckdb,
        note,
    }
}

pub static CONSTRUCTS: &[Construct] = &[
    c("`fetch logs` with `from:`/`to:`/`bucket:`", "fetch logs, from: -30min | summarize count()", [Y, Y, Y],
      "a predicate on the event time; Athena adds one on its day partitions (a day wider at the end: a file may be delivered after midnight). Events repeated with one `eventID` are counted once, as Trailscope's loader does (on Athena by `eventID` alone)."),
    c("`data record(…)`", "data record(a = 1, b = \"x\"), record(a = 2)", [Y, Y, Y],
      "`VALUES` rows; a field holding values of two types, arrays or records is refused (E503)."),
    c("`parse content, \"JSON:event\"`, `event[a][b]`", "fetch logs | parse content, \"JSON:event\" | fields e = event[userIdentity][arn]", [Y, Y, Y],
      "Spark: the structs `spark.read.json` inferred; DuckDB: JSON functions over the event; Athena: the documented columns, and Trino's JSON functions inside `requestparameters`, `responseelements`, `additionaleventdata`. Athena refuses members its table has no column for (E504)."),
    c("other `parse` patterns (DPL)", "fetch logs | parse content, \"LD:x\"", [None, None, None], "DPL has no SQL equivalent (E504)."),
    c("`content`, the parsed event as a result", "fetch logs | fields content", [Y, None, Y], "Athena's table holds no event text (E504)."),
    c("`filter`, `filterOut`", "fetch logs | filterOut aws.region == \"us-east-1\" | fields timestamp", [Y, Y, Y], "SQL's three-valued logic is DQL's; `filterOut` keeps rows whose condition is null."),
    c("`fields`, `fieldsAdd`, `fieldsKeep`, `fieldsRemove`, `fieldsRename`", "fetch logs | fields aws.region | fieldsRename r = aws.region", [Y, Y, Y], "result columns keep DQL's names (Athena lower-cases them)."),
    c("`sort`, `limit`", "fetch logs | sort aws.region desc | limit 3 | fields aws.region", [Y, Y, Y], "stable, nulls last in both directions; an event member sorts by its JSON type first."),
    c("`dedup` (with `sort:`)", "fetch logs | dedup aws.region | fields aws.region", [Y, Y, Y], "the first record of each key in the current order."),
    c("`summarize` (`by:`)", "fetch logs | summarize count(), by: {aws.region}", [Y, Y, Y], "groups come in order of first appearance, as in Trailscope."),
    c("`makeTimeseries` (`interval:`, `bins:`, `from:`/`to:`, `by:`, `default:`)", "fetch logs, from: -30min | makeTimeseries count()", [Y, Y, Y],
      "Trailscope's bins, worked out when the SQL is written: the time frame must be known (E503 otherwise); `spread:`, `nonempty:`, `rate:`, `scalar:`, `start()`/`end()` are refused."),
    c("`search`, `fieldsFlatten`, `fieldsSummary`, `expand`", "fetch logs | fieldsSummary aws.region", [None, None, None], "not written as SQL (E501)."),
    c("`append`, `lookup`, `join`, `joinNested`, `x in [ … ]`, `lookup(…)`", "fetch logs | append [fetch logs]", [None, None, None], "sub-queries are not written as SQL yet (E501, E503)."),
    c("`==`, `!=`, `<`, `<=`, `>`, `>=`", "fetch logs | parse content, \"JSON:event\" | filter event[eventName] == \"CreateKey\" | fields timestamp", [Y, Y, Y],
      "false between values of different types; a member is tested for its JSON type; two members are not compared (E503)."),
    c("`and`, `or`, `xor`, `not`", "fetch logs | filter not (aws.region == \"x\" or false) | fields timestamp", [Y, Y, Y], "Kleene logic in all three."),
    c("`+`, `-`, `*`, `/`, `%`", "data record(a = 7) | fields b = a / 2, c = a % 2", [Y, Y, Y],
      "long / long truncates, division by zero is null; timestamp ± duration, timestamp − timestamp. Arithmetic on event members is refused (E503): its result type depends on each event. Long overflow is null, as in Trailscope."),
    c("`in`, `isNull`, `isNotNull`, `isTrueOrNull`, `isFalseOrNull`, `if`, `coalesce`, `exists`", "fetch logs | parse content, \"JSON:event\" | filter in(event[errorCode], {\"AccessDenied\"}) | fields timestamp", [Y, Y, Y],
      "`exists` of an event member is refused on Athena (E504: a missing and a null member read alike there)."),
    c("`startsWith`, `endsWith`, `contains`, `lower`, `upper`, `concat`", "fetch logs | parse content, \"JSON:event\" | filter startsWith(event[userIdentity][arn], \"arn:aws:sts\") | fields timestamp", [Y, Y, Y], "null for a value that is not a string."),
    c("`bin` (timestamps by a duration, longs by a long; no `at:`)", "fetch logs | summarize n = count(), by: {t = bin(timestamp, 5m)}", [Y, Y, Y],
      "the floor from the epoch (or 0), also before it; other kinds and `at:` refused (E503)."),
    c("`round`, `arrayAvg`, `arraySum`, `arraySize`, `arraySort`", "data record(a = 2.25) | fields r = round(a, decimals: 1)", [Y, Y, Y],
      "`arraySort` of event members is written for Spark only (the others would sort JSON text)."),
    c("aggregations `count`, `countIf`, `sum`, `avg`, `min`, `max`, `countDistinct(Exact)`, `takeFirst`, `takeLast`, `takeAny`, `collectArray`, `collectDistinct`", "fetch logs | summarize count(), countDistinct(aws.region)", [Y, Y, Y],
      "`collectDistinct` only inside `arraySort(…)` (SQL has no first-seen order for it); `min`/`max` of event members refused (types mix)."),
    c("other functions and aggregations", "fetch logs | fields h = hashMd5(content)", [None, None, None], "refused by name (E502)."),
];

/// The construct table as Markdown (docs/sql.md).
pub fn reference() -> String {
    let mut out =
        String::from("| construct | Spark | Athena | DuckDB | notes |\n|---|---|---|---|---|\n");
    let cell = |v: Option<&str>| v.unwrap_or("refused").to_string();
    for r in CONSTRUCTS {
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} |\n",
            r.construct,
            cell(r.spark),
            cell(r.athena),
            cell(r.duckdb),
            r.note
        ));
    }
    out
}

/// `docs/sql.md`: the page (`engine/src/sql/doc.md`) with the construct table in its place.
pub fn document() -> String {
    include_str!("doc.md").replace("{{constructs}}", &reference())
}
