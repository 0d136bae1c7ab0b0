//! The function reference (`docs/functions.md`), generated from the declarations; a test keeps
//! the checked-in file equal to it (`BLESS=1` rewrites it).

use std::fmt::Write as _;

use super::{all, Family, Function, ParamKind};

const ORDER: [Family; 13] = [
    Family::String,
    Family::General,
    Family::Conversion,
    Family::Array,
    Family::Vector,
    Family::Math,
    Family::Bitwise,
    Family::Time,
    Family::Network,
    Family::Iterative,
    Family::Hash,
    Family::Aggregation,
    Family::Operator,
];

/// Markdown escaping for table cells: `|` and line breaks would break the table.
fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

fn params(f: &Function) -> String {
    if f.params.is_empty() {
        return "—".into();
    }
    f.params
        .iter()
        .map(|p| {
            let how = match p.kind {
                ParamKind::Required => String::new(),
                ParamKind::Repeated { min } => format!(", repeated (at least {min})"),
                ParamKind::Named(d) => format!(", optional, by name, default `{d}`"),
            };
            format!("`{}` {}{how}", p.name, p.ty)
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// The whole reference as Markdown.
pub fn reference() -> String {
    let mut out = String::from(
        "# DQL function reference\n\n\
         Generated from the declarations in `engine/src/functions/` (one per function); do not \
         edit by hand: `BLESS=1 cargo test -p trailscope-engine --test function_docs` rewrites \
         it, and CI fails when it is stale. Every example below is run by that test and must give \
         the result shown. Types: `long or double` means either is accepted. Where Trailscope \
         differs from Dynatrace on purpose, the description says so (see also ARCHITECTURE.md).\n",
    );
    let _ = writeln!(out, "\n## Contents\n");
    for fam in ORDER {
        let names: Vec<String> = all()
            .filter(|f| f.family == fam)
            .map(|f| format!("`{}`", f.name))
            .collect();
        let _ = writeln!(out, "- **{}**: {}", fam.title(), names.join(", "));
    }
    for fam in ORDER {
        let _ = writeln!(out, "\n## {}\n", fam.title());
        if fam == Family::Operator {
            let _ = writeln!(
                out,
                "Operators are written as symbols (`neg` is unary minus, `-x`). Precedence, loosest first: `or`, `xor`, `and`, `not`, comparisons, `~`, `@`, `+ -`, `* / %`, unary `-`.\n"
            );
        }
        for f in all().filter(|f| f.family == fam) {
            let _ = writeln!(out, "### `{}`\n", f.name);
            if f.family != Family::Operator {
                let _ = writeln!(out, "`{}` → {}\n", f.signature(), f.returns);
            } else {
                let _ = writeln!(out, "→ {}\n", f.returns);
            }
            let _ = writeln!(out, "{}\n", f.doc);
            let _ = writeln!(out, "Parameters: {}\n", params(f));
            if let Some(a) = f.aggregate() {
                let _ = writeln!(
                    out,
                    "makeTimeseries: {}\n",
                    if a.in_timeseries {
                        "accepted"
                    } else {
                        "not accepted (`summarize` only)"
                    }
                );
            }
            if !f.see.is_empty() {
                let _ = writeln!(out, "Dynatrace: <{}>\n", f.see);
            }
            if !f.examples.is_empty() {
                let _ = writeln!(out, "| example | result |\n|---|---|");
                for e in f.examples {
                    let _ = writeln!(
                        out,
                        "| `` {} `` | `` {} `` |",
                        cell(e.query),
                        cell(&e.result.replace('\n', " ⏎ "))
                    );
                }
                out.push('\n');
            }
        }
    }
    while out.ends_with("\n\n") {
        out.pop();
    }
    out
}
