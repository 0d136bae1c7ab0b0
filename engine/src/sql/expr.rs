//! Expressions: a [`PExpr`] as SQL text with the type Trailscope gives its value. Types are
//! known statically (constants, the fields of `fetch`, what functions return), except for
//! members of a parsed event: a JSON value of any type, a *dynamic* value ([`Ty::Dyn`]) that
//! is tested for its type where the meaning depends on it (`==` is false between a string and
//! a number; `startsWith` of a number is null).

use std::sync::Arc;

use super::dialect::{JsonType, PathKey, SqlType};
use super::{funcs, refuse, Dialect};
use crate::diag::{Code, Diagnostic, Span};
use crate::plan::{PExpr, PKey};
use crate::value::Value;

/// The type of a translated value.
#[derive(Clone, Debug, PartialEq)]
pub(super) enum Ty {
    /// The null constant (no type of its own).
    Null,
    Bool,
    Long,
    Double,
    Str,
    /// A SQL timestamp.
    Ts,
    /// Nanoseconds as a BIGINT.
    Dur,
    /// A row of two timestamps (`makeTimeseries`' `timeframe`).
    Tf,
    /// A member of a parsed event: any JSON value (see the module documentation).
    Dyn,
    /// Athena: a dynamic value already written as JSON text (a group key); only shown.
    JsonText,
    /// The parsed event itself (`parse content, "JSON:event"`).
    Event,
    /// An array; `unordered` when SQL gave its elements in no defined order (only sorting or
    /// counting them keeps Trailscope's meaning).
    Arr {
        elem: Box<Ty>,
        unordered: bool,
    },
    /// A field the dialect's table does not have (Athena's `content`): reading it is refused.
    Missing(&'static str),
}

impl Ty {
    pub(super) fn is_num(&self) -> bool {
        matches!(self, Ty::Long | Ty::Double)
    }

    /// The JSON type a typed value compares with, if it has one.
    pub(super) fn json(&self) -> Option<JsonType> {
        match self {
            Ty::Str => Some(JsonType::Str),
            Ty::Long | Ty::Double => Some(JsonType::Num),
            Ty::Bool => Some(JsonType::Bool),
            _ => None,
        }
    }

    /// Trailscope's value class, for "same class" comparisons (numbers are one class).
    pub(super) fn class(&self) -> Option<u8> {
        Some(match self {
            Ty::Bool => 0,
            Ty::Long | Ty::Double => 1,
            Ty::Str => 3,
            Ty::Ts => 4,
            Ty::Dur => 5,
            _ => return None,
        })
    }

    pub(super) fn sql_type(&self) -> Option<SqlType> {
        Some(match self {
            Ty::Str => SqlType::Str,
            Ty::Long | Ty::Dur => SqlType::Long,
            Ty::Double => SqlType::Double,
            Ty::Bool => SqlType::Bool,
            Ty::Ts => SqlType::Ts,
            _ => return None,
        })
    }

    pub(super) fn describe(&self) -> &'static str {
        match self {
            Ty::Null => "null",
            Ty::Bool => "a boolean",
            Ty::Long => "a long",
            Ty::Double => "a double",
            Ty::Str => "a string",
            Ty::Ts => "a timestamp",
            Ty::Dur => "a duration",
            Ty::Tf => "a time frame",
            Ty::Dyn | Ty::JsonText => "an event member",
            Ty::Event => "the parsed event",
            Ty::Arr { .. } => "an array",
            Ty::Missing(_) => "a missing field",
        }
    }
}

/// A translated expression.
#[derive(Clone, Debug)]
pub(super) struct Sx {
    pub sql: String,
    pub ty: Ty,
    /// A literal that is not null (tests for null can skip it).
    pub konst: bool,
}

impl Sx {
    pub(super) fn new(sql: impl Into<String>, ty: Ty) -> Sx {
        Sx {
            sql: sql.into(),
            ty,
            konst: false,
        }
    }

    fn literal(sql: impl Into<String>, ty: Ty) -> Sx {
        Sx {
            konst: true,
            ..Sx::new(sql, ty)
        }
    }

    pub(super) fn null() -> Sx {
        Sx::new("NULL", Ty::Null)
    }
}

/// A column of a pipeline stage: its DQL name, the SQL column holding it, its type.
#[derive(Clone, Debug)]
pub(super) struct Col {
    pub name: Arc<str>,
    pub sql: String,
    pub ty: Ty,
}

/// What an expression is translated in.
pub(super) struct Cx<'a> {
    pub d: Dialect,
    /// The command's text, for diagnostics.
    pub span: Span,
    pub cols: &'a [Col],
    /// Inside `summarize`: the translated aggregations `PExpr::Agg(i)` stands for.
    pub slots: Option<&'a [Sx]>,
    /// Every event member path read (for Spark's schema).
    pub paths: &'a mut Vec<Vec<String>>,
    /// The column that orders the stage's rows (for `takeFirst`, `collectArray`).
    pub ord: &'a str,
}

pub(super) type Res<T> = Result<T, Box<Diagnostic>>;

impl Cx<'_> {
    pub(super) fn refuse(&self, code: Code, what: &str, why: &str) -> Box<Diagnostic> {
        Box::new(refuse(code, self.span, self.d, what, why))
    }

    pub(super) fn col(&self, name: &str) -> Option<&Col> {
        self.cols.iter().rev().find(|c| &*c.name == name)
    }

    /// Translates an expression.
    pub(super) fn expr(&mut self, e: &PExpr) -> Res<Sx> {
        match e {
            PExpr::Const(v) | PExpr::Compiled(crate::functions::Prepared { value: v, .. }) => {
                self.constant(v)
            }
            PExpr::Field(name) => match self.col(name) {
                Some(Col {
                    ty: Ty::Missing(why),
                    ..
                }) => Err(self.refuse(Code::E504, &format!("the field `{name}`"), why)),
                Some(c) => Ok(Sx::new(c.sql.clone(), c.ty.clone())),
                // The planner warned (W301/W304): an unknown field reads as null.
                None => Ok(Sx::null()),
            },
            PExpr::Member(..) => self.member(e),
            PExpr::Call(f, args) => funcs::call(self, f, args),
            PExpr::Agg(i) => match self.slots.and_then(|s| s.get(*i)) {
                Some(s) => Ok(s.clone()),
                None => Err(self.refuse(Code::E503, "an aggregation here", "it is not inside `summarize`")),
            },
            PExpr::Exists(path) => self.exists(path),
            PExpr::Record(_) => Err(self.refuse(
                Code::E503,
                "`record(…)`",
                "a record built in the query has no SQL type that keeps its members as Trailscope shows them",
            )),
            PExpr::Align(..) => Err(self.refuse(Code::E503, "time alignment `@`", "not written as SQL yet")),
            PExpr::SearchAll(_) => Err(self.refuse(Code::E501, "`search`", "its token matching over every field has no SQL equivalent")),
            PExpr::Lookup { .. } => Err(self.refuse(Code::E503, "`lookup(…)`", "a sub-query inside an expression is not written as SQL yet")),
            PExpr::InSet(..) => Err(self.refuse(Code::E503, "`in [ … ]`", "a sub-query inside an expression is not written as SQL yet")),
            PExpr::Iterate { .. } | PExpr::Element(..) | PExpr::IterIndex => Err(self.refuse(
                Code::E503,
                "an iterative expression (`a[]`, `iAny`, `iCollectArray`, `iIndex`)",
                "not written as SQL yet",
            )),
        }
    }

    pub(super) fn constant(&self, v: &Value) -> Res<Sx> {
        let d = self.d;
        Ok(match v {
            Value::Null => Sx::null(),
            Value::Bool(b) => Sx::literal(if *b { "TRUE" } else { "FALSE" }, Ty::Bool),
            Value::Long(n) => Sx::literal(d.long(*n), Ty::Long),
            Value::Double(x) if x.is_finite() => Sx::literal(d.double(*x), Ty::Double),
            Value::Double(_) => {
                return Err(self.refuse(
                    Code::E503,
                    "a double that is NaN or infinite",
                    "SQL has no such literal",
                ))
            }
            Value::Str(s) => Sx::literal(d.string(s), Ty::Str),
            Value::Timestamp(t) => Sx::literal(d.timestamp(*t), Ty::Ts),
            Value::Duration(n) => Sx::literal(d.long(*n), Ty::Dur),
            Value::Timeframe(s, e) => {
                Sx::new(d.timeframe(&d.timestamp(*s), &d.timestamp(*e)), Ty::Tf)
            }
            Value::Ip(_) | Value::Uid(_) | Value::Binary(_) => {
                return Err(self.refuse(
                    Code::E503,
                    &format!("the constant {}", v.type_name()),
                    "SQL has no type that compares, sorts and prints it as Trailscope does",
                ))
            }
            Value::Array(_) | Value::Record(_) => {
                return Err(self.refuse(
                    Code::E503,
                    &format!("the constant {}", v.type_name()),
                    "arrays and records written in the query are not written as SQL",
                ))
            }
        })
    }

    /// The event member path of `e` (`event[a][b]` → the field `event` and `[a, b]`).
    fn path_of<'e>(&self, e: &'e PExpr, keys: &mut Vec<PathKey>) -> Option<&'e str> {
        match e {
            PExpr::Field(f) => Some(f),
            PExpr::Member(b, k) => {
                let f = self.path_of(b, keys)?;
                keys.push(match k {
                    PKey::Name(n) => PathKey::Name(n.to_string()),
                    PKey::Index(i) => PathKey::Index(*i),
                });
                Some(f)
            }
            _ => None,
        }
    }

    fn member(&mut self, e: &PExpr) -> Res<Sx> {
        let mut keys = Vec::new();
        let field = self.path_of(e, &mut keys);
        let is_event = field
            .and_then(|f| self.col(f))
            .is_some_and(|c| c.ty == Ty::Event);
        if !is_event {
            return Err(self.refuse(
                Code::E503,
                "a member of something other than a parsed event",
                "only `event[…]` after `parse content, \"JSON:event\"` reads members in SQL",
            ));
        }
        if keys
            .iter()
            .any(|k| matches!(k, PathKey::Index(i) if *i < 0))
        {
            return Err(self.refuse(
                Code::E503,
                "a negative array index",
                "not written as SQL yet",
            ));
        }
        self.note_path(&keys);
        self.event_member(&keys)
    }

    fn note_path(&mut self, keys: &[PathKey]) {
        let names: Vec<String> = keys
            .iter()
            .map_while(|k| match k {
                PathKey::Name(n) => Some(n.clone()),
                PathKey::Index(_) => None,
            })
            .collect();
        if !names.is_empty() && !self.paths.contains(&names) {
            self.paths.push(names);
        }
    }

    /// The event member at `keys`, read from the dialect's table.
    pub(super) fn event_member(&self, keys: &[PathKey]) -> Res<Sx> {
        let d = self.d;
        match d {
            Dialect::DuckDb => Ok(Sx::new(
                format!(
                    "nullif(json_extract(_content, {}), CAST('null' AS JSON))",
                    d.string(&d.json_path(keys))
                ),
                Ty::Dyn,
            )),
            Dialect::Spark => {
                let mut out = String::new();
                for (i, k) in keys.iter().enumerate() {
                    match k {
                        PathKey::Name(n) if i == 0 => out.push_str(&d.ident(n)),
                        PathKey::Name(n) => {
                            out.push('.');
                            out.push_str(&d.ident(n));
                        }
                        PathKey::Index(_) if i == 0 => {
                            return Err(self.refuse(
                                Code::E503,
                                "an index of the event",
                                "an event is not an array",
                            ))
                        }
                        PathKey::Index(ix) => out = format!("try_element_at({out}, {})", ix + 1),
                    }
                }
                Ok(Sx::new(out, Ty::Dyn))
            }
            Dialect::Athena => super::funcs::athena_member(self, keys),
        }
    }

    fn exists(&mut self, path: &PExpr) -> Res<Sx> {
        let mut keys = Vec::new();
        let field = self.path_of(path, &mut keys);
        let Some(col) = field.and_then(|f| self.col(f)).cloned() else {
            return Ok(Sx::new("FALSE", Ty::Bool));
        };
        if keys.is_empty() {
            return Ok(Sx::new("TRUE", Ty::Bool));
        }
        if col.ty != Ty::Event {
            return Err(self.refuse(
                Code::E503,
                "`exists` of a member of something other than a parsed event",
                "not written as SQL",
            ));
        }
        self.note_path(&keys);
        let d = self.d;
        match d {
            Dialect::DuckDb => Ok(Sx::new(
                format!("json_exists(_content, {})", d.string(&d.json_path(&keys))),
                Ty::Bool,
            )),
            Dialect::Spark => {
                let (last, parent) = keys
                    .split_last()
                    .map(|(l, p)| (l.clone(), p.to_vec()))
                    .unwrap_or((PathKey::Index(0), Vec::new()));
                let PathKey::Name(last) = last else {
                    return Err(self.refuse(
                        Code::E503,
                        "`exists` of an array element",
                        "not written as SQL",
                    ));
                };
                let obj = if parent.is_empty() {
                    "_content".to_string()
                } else {
                    format!(
                        "get_json_object(_content, {})",
                        d.string(&d.json_path(&parent))
                    )
                };
                Ok(Sx::new(
                    format!(
                        "coalesce(array_contains(json_object_keys({obj}), {}), FALSE)",
                        d.string(&last)
                    ),
                    Ty::Bool,
                ))
            }
            Dialect::Athena => Err(self.refuse(
                Code::E504,
                "`exists` of an event member",
                "Athena's table reads a missing member and a null one alike",
            )),
        }
    }

    // Typed views of a value -------------------------------------------------------------

    /// The value as a string where it is one, else null (Trailscope's string functions give
    /// null for other types).
    pub(super) fn as_str(&self, x: &Sx) -> Option<String> {
        self.as_json(x, JsonType::Str, Ty::Str)
    }

    /// The value as a number where it is one (a double for event members).
    pub(super) fn as_num(&self, x: &Sx) -> Option<String> {
        match x.ty {
            Ty::Long | Ty::Double => Some(x.sql.clone()),
            _ => self.as_json(x, JsonType::Num, Ty::Double),
        }
    }

    pub(super) fn as_bool(&self, x: &Sx) -> Option<String> {
        self.as_json(x, JsonType::Bool, Ty::Bool)
    }

    fn as_json(&self, x: &Sx, t: JsonType, ty: Ty) -> Option<String> {
        match &x.ty {
            Ty::Null => Some(self.typed_null(&ty)),
            Ty::Dyn => Some(self.d.dyn_as(&x.sql, t)),
            other if *other == ty => Some(x.sql.clone()),
            // Another type: Trailscope's function sees no value of this type: null.
            Ty::Bool | Ty::Long | Ty::Double | Ty::Str | Ty::Ts | Ty::Dur => {
                Some(self.typed_null(&ty))
            }
            _ => None,
        }
    }

    pub(super) fn typed_null(&self, ty: &Ty) -> String {
        match ty.sql_type() {
            Some(t) => format!("CAST(NULL AS {})", self.d.type_name(t)),
            None => "NULL".into(),
        }
    }

    /// SQL that is true when the value is null (a missing or null member).
    pub(super) fn is_null(&self, x: &Sx) -> String {
        if x.konst {
            return "FALSE".into();
        }
        match x.ty {
            Ty::Dyn => self.d.dyn_is_null(&x.sql),
            Ty::Null => "TRUE".into(),
            _ => format!("({} IS NULL)", x.sql),
        }
    }
}
