//! The pipeline as a chain of common table expressions: the source (`fetch` over the events
//! table, de-duplicated by `eventID` as Trailscope's loader does, or `data` records as
//! `VALUES`), then one step per command. A step keeps every column of the one before; the
//! stage's column list says which DQL field each SQL column holds, and the final `SELECT`
//! names them in order, ordered by the stage's order column.

use std::sync::Arc;

use super::expr::{Col, Cx, Res, Sx, Ty};
use super::{funcs, refuse, timeseries, Dialect, OutColumn, OutKind, SqlOptions, Translation};
use crate::diag::{Code, Diagnostic, Span};
use crate::plan::{field_matches, Dpl, Op, PExpr, Plan, SortKey, Source};
use crate::time::{self, NS_PER_DAY};
use crate::value::Value;

/// Where the statement is being written.
pub(super) struct W<'a> {
    pub d: Dialect,
    pub opts: &'a SqlOptions,
    pub now: i64,
    ctes: Vec<(String, String)>,
    counter: usize,
    pub paths: Vec<Vec<String>>,
    /// The time frame `fetch` read, when it is known (makeTimeseries bins over it).
    pub fetch_frame: Option<(i64, i64)>,
}

/// The columns after a step and the relation holding them.
#[derive(Clone)]
pub(super) struct Stage {
    pub rel: String,
    pub cols: Vec<Col>,
    /// The SQL column whose ascending order is the rows' order.
    pub ord: String,
}

pub(super) fn write(
    plan: &Plan,
    d: Dialect,
    opts: &SqlOptions,
    now: i64,
    query_len: usize,
) -> Result<Translation, Vec<Diagnostic>> {
    let mut w = W {
        d,
        opts,
        now,
        ctes: Vec::new(),
        counter: 0,
        paths: Vec::new(),
        fetch_frame: None,
    };
    let whole = Span::new(0, query_len);
    let mut stage = w.source(&plan.source, whole).map_err(|e| vec![*e])?;
    for (i, op) in plan.ops.iter().enumerate() {
        let span = plan.spans.get(i).copied().unwrap_or(whole);
        stage = w.op(op, stage, span).map_err(|e| vec![*e])?;
    }
    w.finish(stage, whole).map_err(|e| vec![*e])
}

impl W<'_> {
    /// A fresh SQL name: `__c7`, `s3`.
    pub(super) fn fresh(&mut self, prefix: &str) -> String {
        self.counter += 1;
        format!("{prefix}{}", self.counter)
    }

    pub(super) fn id(&self, name: &str) -> String {
        self.d.ident(name)
    }

    /// Adds a step; returns its name.
    pub(super) fn cte(&mut self, body: String) -> String {
        let name = self.fresh("s");
        self.ctes.push((name.clone(), body));
        name
    }

    pub(super) fn cx<'a>(&'a mut self, stage: &'a Stage, span: Span) -> Cx<'a> {
        Cx {
            d: self.d,
            span,
            cols: &stage.cols,
            slots: None,
            paths: &mut self.paths,
            ord: &stage.ord,
        }
    }

    fn table(&self) -> String {
        let t = self
            .opts
            .table
            .clone()
            .unwrap_or_else(|| self.d.default_table().to_string());
        // A qualified name (`db.table`) is written as given; anything else is quoted.
        if !t.is_empty()
            && t.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.')
            && !t.starts_with(|c: char| c.is_ascii_digit())
        {
            t
        } else {
            self.d.ident(&t)
        }
    }

    fn source(&mut self, source: &Source, span: Span) -> Res<Stage> {
        match source {
            Source::Logs { from, to, buckets } => self.fetch(*from, *to, buckets, span),
            Source::Data(records) => self.data(records, span),
        }
    }

    fn fetch(
        &mut self,
        from: Option<i64>,
        to: Option<i64>,
        buckets: &[String],
        span: Span,
    ) -> Res<Stage> {
        let d = self.d;
        let (gf, gt) = (self.opts.from_ns, self.opts.to_ns);
        let (f, t) = match (from, to) {
            (Some(f), Some(t)) => (Some(f), Some(t)),
            (Some(f), None) => (Some(f), Some(self.now)),
            (None, Some(t)) => (gf.map(|g| g.min(t)), Some(t)),
            (None, None) => (gf, gt),
        };
        if let (Some(f), Some(t)) = (f, t) {
            self.fetch_frame = Some((f, t));
        }
        for p in [
            vec!["eventTime"],
            vec!["eventID"],
            vec!["recipientAccountId"],
            vec!["awsRegion"],
            vec!["userIdentity", "accountId"],
        ] {
            self.paths.push(p.into_iter().map(String::from).collect());
        }
        let cx_cols: Vec<Col> = vec![Col {
            name: Arc::from("event"),
            sql: String::new(),
            ty: Ty::Event,
        }];
        let member = |w: &mut W, path: &[&str]| -> Res<Sx> {
            let stage = Stage {
                rel: String::new(),
                cols: cx_cols.clone(),
                ord: String::new(),
            };
            let keys: Vec<_> = path
                .iter()
                .map(|k| super::dialect::PathKey::Name(k.to_string()))
                .collect();
            w.cx(&stage, span).event_member(&keys)
        };
        let text = |w: &mut W, path: &[&str]| -> Res<String> {
            let m = member(w, path)?;
            let stage = Stage {
                rel: String::new(),
                cols: Vec::new(),
                ord: String::new(),
            };
            let cx = w.cx(&stage, span);
            Ok(cx.as_str(&m).unwrap_or_default())
        };
        let event_time = match d {
            Dialect::Spark => "`eventTime`".to_string(),
            Dialect::DuckDb => "(_content ->> '$.eventTime')".to_string(),
            Dialect::Athena => "eventtime".to_string(),
        };
        let mut part = Vec::new();
        if d == Dialect::Athena {
            // The day partitions of the time frame; a file can be delivered the day after its
            // events.
            let day = |ns: i64| time::format_timestamp(ns)[..10].replace('-', "/");
            if let Some(f) = f {
                part.push(format!("{} >= {}", d.ident("timestamp"), d.string(&day(f))));
            }
            if let Some(t) = t {
                part.push(format!(
                    "{} <= {}",
                    d.ident("timestamp"),
                    d.string(&day(t - 1 + NS_PER_DAY))
                ));
            }
        }
        let e0 = format!(
            "SELECT t.*, {} AS __ts FROM {} t{}",
            d.parse_event_time(&event_time),
            self.table(),
            if part.is_empty() {
                String::new()
            } else {
                format!(" WHERE {}", part.join(" AND "))
            }
        );
        let e0 = self.cte(e0);
        let mut cond = vec!["__ts IS NOT NULL".to_string()];
        if let Some(f) = f {
            cond.push(format!("__ts >= {}", d.timestamp(f)));
        }
        if let Some(t) = t {
            cond.push(format!("__ts < {}", d.timestamp(t)));
        }
        let bucket = &self.opts.bucket;
        if !buckets.is_empty() && !buckets.iter().any(|p| field_matches(p, bucket)) {
            cond.push("FALSE".into());
        }
        let (event_id, content, source, index) = match d {
            Dialect::Spark => (
                "`eventID`".to_string(),
                "_content".to_string(),
                "_source",
                "_index",
            ),
            Dialect::DuckDb => (
                "(_content ->> '$.eventID')".to_string(),
                "CAST(_content AS VARCHAR)".to_string(),
                "_source",
                "_index",
            ),
            Dialect::Athena => ("eventid".to_string(), String::new(), "\"$path\"", "eventid"),
        };
        let recipient = text(self, &["recipientAccountId"])?;
        let identity_account = text(self, &["userIdentity", "accountId"])?;
        let account = match d {
            Dialect::Spark => format!("(CASE WHEN array_contains(json_object_keys(_content), 'recipientAccountId') THEN {recipient} ELSE {identity_account} END)"),
            Dialect::DuckDb => format!("(CASE WHEN json_exists(_content, '$.recipientAccountId') THEN {recipient} ELSE {identity_account} END)"),
            Dialect::Athena => format!("coalesce({recipient}, {identity_account})"),
        };
        let region = text(self, &["awsRegion"])?;
        let ord = d.row(&[
            ("t", format!("(- {})", d.micros("__ts"))),
            ("s", source.to_string()),
            ("i", index.to_string()),
        ]);
        let partition = if content.is_empty() {
            event_id.clone()
        } else {
            format!("{event_id}, {content}")
        };
        let s0 = format!(
            "SELECT {e0}.*, {content_col} AS __content, {account} AS __account, {region} AS __region, {source} AS __source, {ord} AS __o, row_number() OVER (PARTITION BY {partition} ORDER BY {source}, {index}) AS __dup FROM {e0} WHERE {}",
            cond.join(" AND "),
            content_col = if content.is_empty() { "NULL".to_string() } else { content.clone() },
        );
        let s0 = self.cte(s0);
        let rel = self.cte(format!(
            "SELECT * FROM {s0} WHERE __dup = 1 OR {event_id} IS NULL"
        ));
        let col = |name: &str, sql: String, ty: Ty| Col {
            name: Arc::from(name),
            sql,
            ty,
        };
        let cols = vec![
            col("timestamp", "__ts".into(), Ty::Ts),
            col(
                "content",
                "__content".into(),
                if d == Dialect::Athena {
                    Ty::Missing("the Athena table holds no event text; name the result's fields with `fields` or `summarize` (event members after `parse content, \"JSON:event\"`)")
                } else {
                    Ty::Str
                },
            ),
            col("aws.service", d.string("cloudtrail"), Ty::Str),
            col("aws.account.id", "__account".into(), Ty::Str),
            col("aws.region", "__region".into(), Ty::Str),
            col("dt.system.bucket", d.string(bucket), Ty::Str),
            col("log.source", "__source".into(), Ty::Str),
        ];
        Ok(Stage {
            rel,
            cols,
            ord: "__o".into(),
        })
    }

    fn data(&mut self, records: &[Vec<(Arc<str>, Value)>], span: Span) -> Res<Stage> {
        let mut names: Vec<Arc<str>> = Vec::new();
        for r in records {
            for (k, _) in r {
                if !names.contains(k) {
                    names.push(k.clone());
                }
            }
        }
        let stage = Stage {
            rel: String::new(),
            cols: Vec::new(),
            ord: String::new(),
        };
        let mut types = vec![Ty::Null; names.len()];
        let mut rows = Vec::new();
        for (i, r) in records.iter().enumerate() {
            let mut cells = Vec::new();
            for (k, name) in names.iter().enumerate() {
                let v = r
                    .iter()
                    .find(|(n, _)| n == name)
                    .map_or(Value::Null, |(_, v)| v.clone());
                let cx = self.cx(&stage, span);
                let x = cx.constant(&v)?;
                types[k] = match (&types[k], &x.ty) {
                    (t, Ty::Null) => t.clone(),
                    (Ty::Null, t) => t.clone(),
                    (a, b) if a == b => a.clone(),
                    (Ty::Long, Ty::Double) | (Ty::Double, Ty::Long) => Ty::Double,
                    (a, b) => {
                        return Err(Box::new(refuse(
                            Code::E503,
                            span,
                            self.d,
                            &format!("the field `{name}` of `data`"),
                            &format!(
                                "its records hold {} and {}; a SQL column has one type",
                                a.describe(),
                                b.describe()
                            ),
                        )))
                    }
                };
                cells.push(x);
            }
            rows.push((i, cells));
        }
        let d = self.d;
        let sql_names: Vec<String> = (0..names.len()).map(|_| self.fresh("__c")).collect();
        let stage_for_nulls = Stage {
            rel: String::new(),
            cols: Vec::new(),
            ord: String::new(),
        };
        let mut selects = Vec::new();
        for (i, cells) in rows {
            let mut parts = vec![format!("{} AS __o", d.long(i as i64))];
            for (k, x) in cells.into_iter().enumerate() {
                let cx = self.cx(&stage_for_nulls, span);
                let v = match (&x.ty, &types[k]) {
                    (Ty::Null, t) => cx.typed_null(t),
                    (Ty::Long, Ty::Double) => format!("CAST({} AS DOUBLE)", x.sql),
                    _ => x.sql,
                };
                parts.push(format!("{v} AS {}", sql_names[k]));
            }
            selects.push(format!("SELECT {}", parts.join(", ")));
        }
        if selects.is_empty() {
            selects.push(format!(
                "SELECT {} AS __o FROM (SELECT 1 AS x) z WHERE FALSE",
                d.long(0)
            ));
        }
        let rel = self.cte(selects.join(" UNION ALL "));
        let cols = names
            .iter()
            .zip(sql_names)
            .zip(types)
            .map(|((n, s), t)| Col {
                name: n.clone(),
                sql: s,
                ty: if t == Ty::Null { Ty::Str } else { t },
            })
            .collect();
        Ok(Stage {
            rel,
            cols,
            ord: "__o".into(),
        })
    }

    /// New columns computed over a stage (`SELECT *, e AS __c1 …`); plain field reads and
    /// constants need none.
    fn add_columns(
        &mut self,
        stage: &Stage,
        items: &[(Arc<str>, PExpr)],
        span: Span,
    ) -> Res<(Stage, Vec<Col>)> {
        let mut computed = Vec::new();
        let mut out = Vec::new();
        for (name, e) in items {
            let x = self.cx(stage, span).expr(e)?;
            let col = match (e, &x.ty) {
                (PExpr::Field(_), _) | (_, Ty::Event) => Col {
                    name: name.clone(),
                    sql: x.sql,
                    ty: x.ty,
                },
                _ => {
                    let c = self.fresh("__c");
                    let ty = if x.ty == Ty::Null {
                        Ty::Str
                    } else {
                        x.ty.clone()
                    };
                    let sql = if x.ty == Ty::Null {
                        self.cx(stage, span).typed_null(&Ty::Str)
                    } else {
                        x.sql
                    };
                    computed.push(format!("{sql} AS {c}"));
                    Col {
                        name: name.clone(),
                        sql: c,
                        ty,
                    }
                }
            };
            out.push(col);
        }
        let mut next = stage.clone();
        if !computed.is_empty() {
            next.rel = self.cte(format!(
                "SELECT {}.*, {} FROM {}",
                stage.rel,
                computed.join(", "),
                stage.rel
            ));
        }
        Ok((next, out))
    }

    fn op(&mut self, op: &Op, stage: Stage, span: Span) -> Res<Stage> {
        let d = self.d;
        match op {
            Op::Filter(e) | Op::FilterOut(e) => {
                let c = self.cx(&stage, span).expr(e)?;
                let c = self.cx(&stage, span).as_bool(&c).ok_or_else(|| {
                    Box::new(refuse(
                        Code::E503,
                        span,
                        d,
                        &format!("a condition of {}", c.ty.describe()),
                        "not written as SQL",
                    ))
                })?;
                let cond = if matches!(op, Op::Filter(_)) {
                    c
                } else {
                    format!("NOT coalesce({c}, FALSE)")
                };
                let rel = self.cte(format!("SELECT * FROM {} WHERE {cond}", stage.rel));
                Ok(Stage { rel, ..stage })
            }
            Op::Fields(items) => {
                let (next, cols) = self.add_columns(&stage, items, span)?;
                Ok(Stage { cols, ..next })
            }
            Op::FieldsAdd(items) => {
                let (mut next, cols) = self.add_columns(&stage, items, span)?;
                for c in cols {
                    match next.cols.iter().position(|x| x.name == c.name) {
                        Some(i) => next.cols[i] = c,
                        None => next.cols.push(c),
                    }
                }
                Ok(next)
            }
            Op::FieldsKeep(pats) | Op::FieldsRemove(pats) => {
                let keep = matches!(op, Op::FieldsKeep(_));
                let mut next = stage;
                next.cols
                    .retain(|c| pats.iter().any(|p| field_matches(p, &c.name)) == keep);
                Ok(next)
            }
            Op::FieldsRename(pairs) => {
                let mut next = stage;
                for (new, old) in pairs {
                    if next.cols.iter().any(|c| c.name == *old) {
                        next.cols.retain(|c| c.name != *new || c.name == *old);
                        if let Some(c) = next.cols.iter_mut().find(|c| c.name == *old) {
                            c.name = new.clone();
                        }
                    }
                }
                Ok(next)
            }
            Op::Sort(keys) => {
                let order = self.order_by(&stage, keys, span)?;
                let o = self.fresh("__o");
                let rel = self.cte(format!(
                    "SELECT {}.*, row_number() OVER (ORDER BY {order}{}) AS {o} FROM {}",
                    stage.rel, stage.ord, stage.rel
                ));
                Ok(Stage {
                    rel,
                    ord: o,
                    ..stage
                })
            }
            Op::Limit(n) => {
                let rel = self.cte(format!(
                    "SELECT * FROM {} ORDER BY {} LIMIT {n}",
                    stage.rel, stage.ord
                ));
                Ok(Stage { rel, ..stage })
            }
            Op::Dedup { keys, sort } => {
                let mut parts = Vec::new();
                for k in keys {
                    let x = self.cx(&stage, span).expr(k)?;
                    parts.push(self.group_key(&x, span)?);
                }
                let order = self.order_by(&stage, sort, span)?;
                let rn = self.fresh("__r");
                let partition = if parts.is_empty() {
                    String::new()
                } else {
                    format!("PARTITION BY {} ", parts.join(", "))
                };
                let inner = self.cte(format!("SELECT {}.*, row_number() OVER ({partition}ORDER BY {order}{}) AS {rn} FROM {}", stage.rel, stage.ord, stage.rel));
                let rel = self.cte(format!("SELECT * FROM {inner} WHERE {rn} = 1"));
                Ok(Stage { rel, ..stage })
            }
            Op::Parse {
                input,
                pattern,
                preserve: _,
                prerequisite,
            } => {
                let on_content = matches!(input, PExpr::Field(f) if &**f == "content")
                    && stage
                        .cols
                        .iter()
                        .any(|c| &*c.name == "content" && c.sql == "__content");
                match (pattern, on_content, prerequisite) {
                    (Dpl::Json(name), true, None) => {
                        let mut next = stage;
                        next.cols.retain(|c| c.name != *name);
                        next.cols.push(Col { name: name.clone(), sql: String::new(), ty: Ty::Event });
                        Ok(next)
                    }
                    _ => Err(Box::new(refuse(Code::E504, span, d, "this `parse`", "only `parse content, \"JSON:event\"` over the fetched events maps onto the table's columns"))),
                }
            }
            Op::Summarize { by, aggs, outputs } => self.summarize(stage, by, aggs, outputs, span),
            Op::MakeTimeseries(ts) => timeseries::write(self, stage, ts, span),
            other => {
                let name = other.to_string();
                let name = name.split_whitespace().next().unwrap_or("").to_string();
                Err(Box::new(refuse(
                    Code::E501,
                    span,
                    d,
                    &format!("the command `{name}`"),
                    "it is not in the SQL translation table (docs/sql.md)",
                )))
            }
        }
    }

    /// A value as a grouping (or partitioning) key.
    pub(super) fn group_key(&self, x: &Sx, span: Span) -> Res<String> {
        match &x.ty {
            Ty::Dyn if self.d == Dialect::Athena => Ok(self.d.dyn_out(&x.sql)),
            Ty::Event | Ty::Missing(_) | Ty::Arr { .. } => Err(Box::new(refuse(
                Code::E503,
                span,
                self.d,
                &format!("grouping by {}", x.ty.describe()),
                "not written as SQL",
            ))),
            Ty::Null => Ok(self.d.long(0)),
            _ => Ok(x.sql.clone()),
        }
    }

    /// `ORDER BY` items for sort keys, each ending in `, ` (nulls last in both directions; an
    /// event member orders by its JSON type first, as Trailscope orders values of mixed types).
    fn order_by(&mut self, stage: &Stage, keys: &[SortKey], span: Span) -> Res<String> {
        let d = self.d;
        let mut out = String::new();
        for k in keys {
            let x = self.cx(stage, span).expr(&k.expr)?;
            let dir = if k.descending { "DESC" } else { "ASC" };
            match &x.ty {
                Ty::Null => {}
                Ty::Dyn if d != Dialect::Spark => {
                    let cx = self.cx(stage, span);
                    use super::dialect::JsonType::*;
                    out.push_str(&format!(
                        "(CASE WHEN {} THEN 1 ELSE 0 END) ASC, (CASE WHEN {} THEN 0 WHEN {} THEN 1 WHEN {} THEN 3 ELSE 9 END) {dir}, {} {dir} NULLS LAST, {} {dir} NULLS LAST, {} {dir} NULLS LAST, ",
                        cx.is_null(&x), d.dyn_is(&x.sql, Bool), d.dyn_is(&x.sql, Num), d.dyn_is(&x.sql, Str),
                        d.dyn_as(&x.sql, Bool), d.dyn_as(&x.sql, Num), d.dyn_as(&x.sql, Str)
                    ));
                }
                Ty::Bool | Ty::Long | Ty::Double | Ty::Str | Ty::Ts | Ty::Dur | Ty::Dyn => {
                    out.push_str(&format!("{} {dir} NULLS LAST, ", x.sql));
                }
                t => {
                    return Err(Box::new(refuse(
                        Code::E503,
                        span,
                        d,
                        &format!("sorting by {}", t.describe()),
                        "not written as SQL",
                    )))
                }
            }
        }
        Ok(out)
    }

    fn summarize(
        &mut self,
        stage: Stage,
        by: &[(Arc<str>, PExpr)],
        aggs: &[crate::plan::AggCall],
        outputs: &[(Arc<str>, PExpr)],
        span: Span,
    ) -> Res<Stage> {
        let mut select = Vec::new();
        let mut group = Vec::new();
        let mut cols = Vec::new();
        for (name, e) in by {
            let x = self.cx(&stage, span).expr(e)?;
            let key = self.group_key(&x, span)?;
            let ty = match x.ty {
                Ty::Dyn if self.d == Dialect::Athena => Ty::JsonText,
                Ty::Null => Ty::Str,
                t => t,
            };
            let c = self.fresh("__c");
            select.push(format!("{key} AS {c}"));
            group.push(key);
            cols.push(Col {
                name: name.clone(),
                sql: c,
                ty,
            });
        }
        let mut slots = Vec::new();
        for a in aggs {
            let mut cx = self.cx(&stage, span);
            slots.push(funcs::aggregate(&mut cx, a)?);
        }
        for (name, e) in outputs {
            let mut cx = self.cx(&stage, span);
            cx.slots = Some(&slots);
            let x = cx.expr(e)?;
            let c = self.fresh("__c");
            let ty = if x.ty == Ty::Null {
                Ty::Str
            } else {
                x.ty.clone()
            };
            select.push(format!("{} AS {c}", x.sql));
            cols.push(Col {
                name: name.clone(),
                sql: c,
                ty,
            });
        }
        select.push(format!("min({}) AS __o", stage.ord));
        let group_by = if group.is_empty() {
            String::new()
        } else {
            format!(" GROUP BY {}", group.join(", "))
        };
        let rel = self.cte(format!(
            "SELECT {} FROM {}{group_by}",
            select.join(", "),
            stage.rel
        ));
        Ok(Stage {
            rel,
            cols,
            ord: "__o".into(),
        })
    }

    fn finish(mut self, stage: Stage, span: Span) -> Res<Translation> {
        let d = self.d;
        let mut select = Vec::new();
        let mut columns = Vec::new();
        let mut seen: Vec<String> = Vec::new();
        for c in &stage.cols {
            let (sql, kind) =
                match &c.ty {
                    Ty::Ts => (c.sql.clone(), OutKind::Timestamp),
                    Ty::Dur => (c.sql.clone(), OutKind::Duration),
                    Ty::Tf => (c.sql.clone(), OutKind::Timeframe),
                    Ty::Dyn if d == Dialect::Spark => (c.sql.clone(), OutKind::Nested),
                    Ty::Dyn => (d.dyn_out(&c.sql), OutKind::Json),
                    Ty::JsonText => (c.sql.clone(), OutKind::Json),
                    Ty::Event if d == Dialect::Athena => return Err(Box::new(refuse(
                        Code::E504,
                        span,
                        d,
                        &format!("the parsed event `{}` as a result column", c.name),
                        "the Athena table holds no event text; choose its members with `fields`",
                    ))),
                    Ty::Event => ("__content".to_string(), OutKind::Json),
                    Ty::Missing(why) => {
                        return Err(Box::new(refuse(
                            Code::E504,
                            span,
                            d,
                            &format!("the field `{}`", c.name),
                            why,
                        )))
                    }
                    Ty::Arr {
                        unordered: true, ..
                    } => {
                        return Err(Box::new(refuse(
                            Code::E503,
                            span,
                            d,
                            &format!("the array `{}` of collectDistinct", c.name),
                            "SQL gives its elements in no defined order: wrap it in arraySort(…)",
                        )))
                    }
                    Ty::Arr { .. } => match d {
                        Dialect::Spark => (c.sql.clone(), OutKind::Nested),
                        Dialect::DuckDb => (
                            format!("CAST(to_json({}) AS VARCHAR)", c.sql),
                            OutKind::Json,
                        ),
                        Dialect::Athena => (
                            format!("json_format(CAST({} AS JSON))", c.sql),
                            OutKind::Json,
                        ),
                    },
                    _ => (c.sql.clone(), OutKind::Plain),
                };
            let lower = c.name.to_lowercase();
            if d == Dialect::Athena && seen.contains(&lower) {
                return Err(Box::new(refuse(
                    Code::E503,
                    span,
                    d,
                    &format!(
                        "the result columns named `{}` and another differing only in case",
                        c.name
                    ),
                    "Athena lower-cases column names",
                )));
            }
            seen.push(lower);
            select.push(format!("{sql} AS {}", self.id(&c.name)));
            columns.push(OutColumn {
                name: c.name.to_string(),
                kind,
            });
        }
        if select.is_empty() {
            select.push(format!("NULL AS {}", self.id("__empty")));
        }
        let mut sql = String::from("WITH\n");
        let ctes: Vec<String> = std::mem::take(&mut self.ctes)
            .into_iter()
            .map(|(n, body)| format!("{n} AS (\n  {body}\n)"))
            .collect();
        sql.push_str(&ctes.join(",\n"));
        sql.push_str(&format!(
            "\nSELECT {}\nFROM {}\nORDER BY {}",
            select.join(", "),
            stage.rel,
            stage.ord
        ));
        Ok(Translation {
            sql,
            columns,
            paths: self.paths,
        })
    }
}
