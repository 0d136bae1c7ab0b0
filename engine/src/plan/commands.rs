//! The command catalogue: every DQL command Trailscope runs, with its family (as Dynatrace's
//! command reference groups them), its named parameters and a one-line doc; and the commands
//! Dynatrace has that Trailscope does not run yet, so they are named as such, not "unknown".

/// A command the planner knows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cmd {
    Fetch,
    Data,
    Filter,
    FilterOut,
    Fields,
    FieldsAdd,
    FieldsKeep,
    FieldsRemove,
    FieldsRename,
    Sort,
    Limit,
    Dedup,
    Parse,
    Summarize,
    MakeTimeseries,
    Search,
    Expand,
    FieldsFlatten,
    FieldsSummary,
    Append,
    Lookup,
    Join,
    JoinNested,
}

/// One command's declaration.
#[derive(Debug)]
pub struct Command {
    pub cmd: Cmd,
    pub name: &'static str,
    /// Dynatrace's command family (the page it is documented on).
    pub family: &'static str,
    /// Named parameters it takes (`from:`, `by:` …).
    pub params: &'static [&'static str],
    pub doc: &'static str,
}

impl Cmd {
    /// Starts a query (loads data).
    pub fn is_source(self) -> bool {
        matches!(self, Cmd::Fetch | Cmd::Data)
    }
}

const SOURCE: &str = "data source commands";
const FILTERING: &str = "filtering commands";
const SELECTION: &str = "selection and modification commands";
const ORDERING: &str = "ordering commands";
const EXTRACTION: &str = "extraction and parsing commands";
const AGGREGATION: &str = "aggregation commands";
const STRUCTURING: &str = "structuring commands";
const CORRELATION: &str = "correlation and join commands";

/// Every command the planner runs, in the order hints list them.
pub static COMMANDS: &[Command] = &[
    Command {
        cmd: Cmd::Fetch,
        name: "fetch",
        family: SOURCE,
        params: &[
            "from",
            "to",
            "timeframe",
            "bucket",
            "samplingRatio",
            "scanLimitGBytes",
        ],
        doc:
            "Loads the log records (CloudTrail events) in a time frame, optionally of some buckets.",
    },
    Command {
        cmd: Cmd::Data,
        name: "data",
        family: SOURCE,
        params: &["json"],
        doc: "Makes records from `record(…)` values or a JSON text.",
    },
    Command {
        cmd: Cmd::Filter,
        name: "filter",
        family: FILTERING,
        params: &[],
        doc: "Keeps the records for which a condition is true.",
    },
    Command {
        cmd: Cmd::FilterOut,
        name: "filterOut",
        family: FILTERING,
        params: &[],
        doc: "Drops the records for which a condition is true (null keeps a record).",
    },
    Command {
        cmd: Cmd::Fields,
        name: "fields",
        family: SELECTION,
        params: &[],
        doc: "Keeps only the named fields and computed ones, in that order.",
    },
    Command {
        cmd: Cmd::FieldsAdd,
        name: "fieldsAdd",
        family: SELECTION,
        params: &[],
        doc: "Adds computed fields (or replaces fields of the same name).",
    },
    Command {
        cmd: Cmd::FieldsKeep,
        name: "fieldsKeep",
        family: SELECTION,
        params: &[],
        doc: "Keeps the fields matching names or `*` patterns.",
    },
    Command {
        cmd: Cmd::FieldsRemove,
        name: "fieldsRemove",
        family: SELECTION,
        params: &[],
        doc: "Removes the fields matching names or `*` patterns.",
    },
    Command {
        cmd: Cmd::FieldsRename,
        name: "fieldsRename",
        family: SELECTION,
        params: &[],
        doc: "Renames fields: `newName = oldName`.",
    },
    Command {
        cmd: Cmd::Sort,
        name: "sort",
        family: ORDERING,
        params: &["direction"],
        doc: "Sorts the records by expressions (`asc`/`desc`; nulls last).",
    },
    Command {
        cmd: Cmd::Limit,
        name: "limit",
        family: ORDERING,
        params: &[],
        doc: "Keeps the first N records.",
    },
    Command {
        cmd: Cmd::Dedup,
        name: "dedup",
        family: FILTERING,
        params: &["sort"],
        doc: "Keeps the first record of each distinct combination of values.",
    },
    Command {
        cmd: Cmd::Parse,
        name: "parse",
        family: EXTRACTION,
        params: &["preserveFieldsOnFailure", "parsingPrerequisite"],
        doc: "Extracts fields from text with a DPL pattern (`JSON:event`, `LD ':' INT:port`).",
    },
    Command {
        cmd: Cmd::Summarize,
        name: "summarize",
        family: AGGREGATION,
        params: &["by"],
        doc: "Aggregates records, per group of `by:` values.",
    },
    Command {
        cmd: Cmd::MakeTimeseries,
        name: "makeTimeseries",
        family: AGGREGATION,
        params: &[
            "by",
            "interval",
            "bins",
            "from",
            "to",
            "timeframe",
            "time",
            "nonempty",
            "spread",
            "scalar",
        ],
        doc: "Aggregates records into time bins: one array per aggregation and group (`scalar:` one value; `spread:` counts a record in each bin its time frame overlaps).",
    },
    Command {
        cmd: Cmd::Search,
        name: "search",
        family: FILTERING,
        params: &[],
        doc: "Keeps the records where a search term matches a token in any field (or `field ~ \"term\"` in one).",
    },
    Command {
        cmd: Cmd::Expand,
        name: "expand",
        family: STRUCTURING,
        params: &["limit"],
        doc: "One record per element of an array (an empty or missing array gives no record).",
    },
    Command {
        cmd: Cmd::FieldsFlatten,
        name: "fieldsFlatten",
        family: STRUCTURING,
        params: &["prefix", "fields", "depth"],
        doc: "Adds the members of a record as fields (`r.a`, `r.b`, or a prefix of your own).",
    },
    Command {
        cmd: Cmd::FieldsSummary,
        name: "fieldsSummary",
        family: AGGREGATION,
        params: &["topValues", "extrapolateSamples"],
        doc: "One row per field: how many records have it, and its most frequent values.",
    },
    Command {
        cmd: Cmd::Append,
        name: "append",
        family: CORRELATION,
        params: &[],
        doc: "Adds the records of a sub-query after the current ones.",
    },
    Command {
        cmd: Cmd::Lookup,
        name: "lookup",
        family: CORRELATION,
        params: &["sourceField", "lookupField", "prefix", "fields", "executionOrder"],
        doc: "Adds the fields of the first record of a sub-query whose key matches (prefixed `lookup.`).",
    },
    Command {
        cmd: Cmd::Join,
        name: "join",
        family: CORRELATION,
        params: &["on", "kind", "prefix", "fields", "executionOrder"],
        doc: "Joins the records of a sub-query by equal keys (inner, leftOuter or outer; right fields prefixed `right.`).",
    },
    Command {
        cmd: Cmd::JoinNested,
        name: "joinNested",
        family: CORRELATION,
        params: &["on", "fields", "executionOrder"],
        doc: "Adds the matching records of a sub-query as an array field (null when none match).",
    },
];

/// Commands Dynatrace has that Trailscope does not run yet: named, not "unknown".
pub const NOT_YET: &[&str] = &["timeseries", "describe", "load", "parseAll"];

/// A command by name, in any case.
pub fn lookup(name: &str) -> Option<&'static Command> {
    COMMANDS.iter().find(|c| c.name.eq_ignore_ascii_case(name))
}

/// Names of every command Trailscope runs.
pub fn names() -> impl Iterator<Item = &'static str> {
    COMMANDS.iter().map(|c| c.name)
}
