//! Matchers by name: the catalogue entry resolved, its configuration checked (unknown keys
//! with "did you mean", values of the wrong type, locales and time zones Trailscope cannot
//! read), its body compiled (JSON members, KVP/ARRAY/STRUCTURE scopes, ENUM entries).

use std::sync::Arc;

use super::super::matchers::{self, BodyKind, CharSet, Def};
use super::super::parse::{Body, Item, Name, PValue, Param, Prim};
use super::super::program::{Conv, JsonSpec, Kind, Lazy, LazyKind, Member, JSON_MAXLEN};
use super::super::time::{zone_config, TimeFormat};
use super::{err, Compiler};
use crate::diag::{did_you_mean, Span};

impl<'a> Compiler<'a> {
    pub(super) fn no_config(&mut self, it: &Item, what: &str) {
        if let Some((_, span)) = &it.config {
            self.diags.push(err(
                *span,
                format!("expected no configuration on {what}, found `( … )`"),
            ));
        }
    }

    /// A group's `fs` separator (its configuration may only hold `fs`, `locale`, `charset`).
    pub(super) fn group_config(&mut self, it: &'a Item) -> Option<&'a PValue> {
        let conf = self.config(it, "a group", &["fs", "locale", "charset"]);
        conf.into_iter()
            .find(|(k, _, _)| k == "fs")
            .map(|(_, _, p)| &p.value)
    }

    /// Checked configuration entries: key (lower case), its span, the entry.
    pub(super) fn config(
        &mut self,
        it: &'a Item,
        owner: &str,
        allowed: &[&str],
    ) -> Vec<(String, Span, &'a Param)> {
        let Some((params, _)) = &it.config else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for p in params {
            let (key, kspan) = match &p.key {
                Some((k, s)) => (k.to_string(), *s),
                None if allowed.contains(&"format") => ("format".to_string(), p.span),
                None => {
                    self.diags.push(
                        err(p.span, format!("expected `key=value` in the configuration of {owner}, found a value alone"))
                            .with_hint(format!("{owner} takes: {}", list(allowed))),
                    );
                    continue;
                }
            };
            let Some(k) = allowed.iter().find(|a| a.eq_ignore_ascii_case(&key)) else {
                let mut d = err(
                    kspan,
                    format!(
                        "expected a configuration of {owner} ({}), found `{key}`",
                        list(allowed)
                    ),
                )
                .with_label("unknown configuration");
                if let Some(s) = did_you_mean(&key, allowed.iter().copied()) {
                    d = d.with_hint(format!("did you mean `{s}`?"));
                }
                if allowed.is_empty() {
                    d = err(
                        kspan,
                        format!("expected no configuration on {owner}, found `{key}`"),
                    );
                }
                self.diags.push(d);
                continue;
            };
            if *k == "locale" {
                if let PValue::Str(l) = &p.value {
                    let l = l.to_ascii_lowercase();
                    if !(l == "en"
                        || l.starts_with("en-")
                        || l.starts_with("en_")
                        || l == "english")
                    {
                        self.diags.push(
                            err(p.span, format!("the locale {l:?} is not supported by Trailscope yet: month and day names are read in English"))
                                .with_label("not supported yet"),
                        );
                    }
                }
                continue;
            }
            if *k == "charset" {
                continue; // Text is Unicode already.
            }
            out.push((k.to_string(), p.span, p));
        }
        out
    }

    fn int_conf(&mut self, conf: &[(String, Span, &Param)], key: &str) -> Option<i64> {
        let (_, span, p) = conf.iter().rev().find(|(k, _, _)| k == key)?;
        match &p.value {
            PValue::Num(n) => match n.parse::<i64>() {
                Ok(v) => Some(v),
                Err(_) => {
                    self.diags.push(err(
                        *span,
                        format!("expected a whole number for `{key}`, found {n}"),
                    ));
                    None
                }
            },
            _ => {
                self.diags.push(err(
                    *span,
                    format!(
                        "expected a whole number for `{key}`, found {}",
                        describe_value(&p.value)
                    ),
                ));
                None
            }
        }
    }

    fn float_conf(&mut self, conf: &[(String, Span, &Param)], key: &str) -> Option<f64> {
        let (_, span, p) = conf.iter().rev().find(|(k, _, _)| k == key)?;
        match &p.value {
            PValue::Num(n) => n.parse::<f64>().ok(),
            _ => {
                self.diags.push(err(
                    *span,
                    format!(
                        "expected a number for `{key}`, found {}",
                        describe_value(&p.value)
                    ),
                ));
                None
            }
        }
    }

    fn bool_conf(&mut self, conf: &[(String, Span, &Param)], key: &str) -> Option<bool> {
        let (_, span, p) = conf.iter().rev().find(|(k, _, _)| k == key)?;
        match &p.value {
            PValue::Bool(b) => Some(*b),
            PValue::Str(s) if s.eq_ignore_ascii_case("true") || s.eq_ignore_ascii_case("false") => {
                Some(s.eq_ignore_ascii_case("true"))
            }
            _ => {
                self.diags.push(err(
                    *span,
                    format!(
                        "expected true or false for `{key}`, found {}",
                        describe_value(&p.value)
                    ),
                ));
                None
            }
        }
    }

    fn str_conf(
        &mut self,
        conf: &[(String, Span, &'a Param)],
        key: &str,
    ) -> Option<(&'a str, Span)> {
        let (_, span, p) = conf.iter().rev().find(|(k, _, _)| k == key)?;
        match &p.value {
            PValue::Str(s) => Some((s.as_str(), *span)),
            _ => {
                self.diags.push(err(
                    *span,
                    format!(
                        "expected a quoted text for `{key}`, found {}",
                        describe_value(&p.value)
                    ),
                ));
                None
            }
        }
    }

    pub(super) fn matcher(
        &mut self,
        it: &'a Item,
        entry: &matchers::Entry,
        body: Option<&'a Body>,
        conf: &[(String, Span, &'a Param)],
        scope: u32,
        member: bool,
    ) -> Option<Kind> {
        let name = entry.names[0];
        let body_kind = entry.body;
        if body.is_some() && body_kind == BodyKind::None {
            self.diags.push(err(
                it.prim_span,
                format!("expected `{name}` without `{{ … }}`: only JSON, JSON_ARRAY, JSON_VALUE, KVP, ARRAY, STRUCTURE and ENUM take one"),
            ));
            return None;
        }
        let lazy = |what| {
            Kind::Lazy(Box::new(Lazy {
                what,
                follow: Vec::new(),
                required: false,
                first_lit: None,
                slot: 0,
            }))
        };
        Some(match entry.def {
            Def::Line => lazy(LazyKind::Line),
            Def::Data => lazy(LazyKind::Data),
            Def::Str => lazy(LazyKind::Token),
            Def::Dqs => Kind::Quoted {
                quote: b'"',
                csv: false,
            },
            Def::Sqs => Kind::Quoted {
                quote: b'\'',
                csv: false,
            },
            Def::CsvDqs => Kind::Quoted {
                quote: b'"',
                csv: true,
            },
            Def::CsvSqs => Kind::Quoted {
                quote: b'\'',
                csv: true,
            },
            Def::Posix(p) => self.set(CharSet::posix(p)),
            Def::Eol => Kind::Lit("\n".into()),
            Def::Cr => Kind::Lit("\r".into()),
            Def::EolWin => Kind::Lit("\r\n".into()),
            Def::Bos => Kind::Bos,
            Def::Eos => Kind::Eos,
            Def::Mos => Kind::Mos,
            Def::Int | Def::Long | Def::HexInt | Def::HexLong => {
                let wide = matches!(entry.def, Def::Long | Def::HexLong);
                let (lo, hi) = if wide {
                    (i64::MIN, i64::MAX)
                } else {
                    (i32::MIN as i64, i32::MAX as i64)
                };
                Kind::Int {
                    hex: matches!(entry.def, Def::HexInt | Def::HexLong),
                    min: Some(self.int_conf(conf, "min").unwrap_or(lo).max(lo)),
                    max: Some(self.int_conf(conf, "max").unwrap_or(hi).min(hi)),
                }
            }
            Def::Double | Def::CDouble => Kind::Float {
                comma: entry.def == Def::CDouble,
                min: self.float_conf(conf, "min"),
                max: self.float_conf(conf, "max"),
            },
            Def::Bool => Kind::Bool,
            Def::IpAddr => Kind::Ip { v4: true, v6: true },
            Def::Ipv4 => Kind::Ip {
                v4: true,
                v6: false,
            },
            Def::Ipv6 => Kind::Ip {
                v4: false,
                v6: true,
            },
            Def::Timestamp => {
                let mut offset = 0;
                for key in ["timezone", "tz"] {
                    if let Some((tz, span)) = self.str_conf(conf, key) {
                        match zone_config(tz) {
                            Ok(o) => offset = o,
                            Err(m) => self.diags.push(err(span, m).with_label("not supported")),
                        }
                    }
                }
                match self.str_conf(conf, "format") {
                    Some((f, span)) => match TimeFormat::compile(f, offset) {
                        Ok(t) => Kind::Time(Box::new(t)),
                        Err((_, m)) => {
                            self.diags
                                .push(err(span, m).with_label("in this time format"));
                            return None;
                        }
                    },
                    None => {
                        let mut t = TimeFormat::default_format();
                        if offset != 0 {
                            t = TimeFormat::compile("yyyy-MM-dd HH:mm:ss", offset).unwrap_or(t);
                        }
                        Kind::Time(Box::new(t))
                    }
                }
            }
            Def::Iso8601 => Kind::Time(Box::new(TimeFormat::iso8601())),
            Def::HttpDate => Kind::Time(Box::new(TimeFormat::http_date())),
            Def::JsonTimestamp => Kind::Time(Box::new(TimeFormat::json_timestamp())),
            Def::Uuid => Kind::Uuid,
            Def::Json => return self.json(it, body, conf, scope, member),
            Def::JsonArray | Def::JsonValue => {
                if self.bool_conf(conf, "strict") == Some(false) {
                    self.not_strict(conf);
                }
                self.bool_conf(conf, "typed");
                let maxlen = self.maxlen(conf);
                let conv = match body {
                    Some(Body::Items(items)) => match items.as_slice() {
                        [] => None,
                        [one] => self.conv(one, scope),
                        [_, second, ..] => {
                            self.diags.push(err(
                                second.span,
                                format!("expected one element type in {name}{{…}}, found more"),
                            ));
                            None
                        }
                    },
                    _ => None,
                };
                if entry.def == Def::JsonArray {
                    Kind::JsonArray { elem: conv, maxlen }
                } else {
                    Kind::JsonValue { conv, maxlen }
                }
            }
            Def::Kvp | Def::Array | Def::Structure => {
                let Some(Body::Items(items)) = body else {
                    self.diags.push(
                        err(it.prim_span, format!("expected `{name}{{ … }}` with the matchers of one element, found `{name}` alone"))
                            .with_hint(match entry.def {
                                Def::Kvp => "KVP{ [a-z]+:key '=' INT:value ' '? }:attrs",
                                Def::Array => "ARRAY{ INT:i ','? }{1,10}:numbers",
                                _ => "STRUCTURE{ INT:i ',' LD:name }:s",
                            }),
                    );
                    return None;
                };
                let inner = self.scopes.len() as u32;
                self.scopes.push(Vec::new());
                let children = self.items(items, inner);
                let body = self.add(Kind::Seq(children), it.prim_span);
                if entry.def == Def::Kvp {
                    let names = &self.scopes[inner as usize];
                    if !names.iter().any(|n| &**n == "key")
                        || !names.iter().any(|n| n.starts_with("value"))
                    {
                        self.diags.push(
                            err(it.prim_span, "expected a KVP body exporting `key` and a `value…`, found neither or only one")
                                .with_hint("KVP{ [a-z]+:key '=' INT:value ' '? }:attrs"),
                        );
                    }
                }
                match entry.def {
                    Def::Kvp => Kind::Kvp { body, scope: inner },
                    Def::Array => Kind::Array { body, scope: inner },
                    _ => Kind::Struct { body, scope: inner },
                }
            }
            Def::Enum => {
                let cis = self.bool_conf(conf, "cis").unwrap_or(false);
                let Some(Body::Enum(entries)) = body else {
                    self.diags.push(
                        err(
                            it.prim_span,
                            "expected ENUM{ 'text'=number, … }, found ENUM alone",
                        )
                        .with_hint("ENUM{'success'=0, 'failure'=1}:result"),
                    );
                    return None;
                };
                Kind::Enum {
                    entries: entries
                        .iter()
                        .map(|(s, v, _)| (s.as_str().into(), *v))
                        .collect(),
                    cis,
                }
            }
            Def::NotYet => return None,
        })
    }

    fn not_strict(&mut self, conf: &[(String, Span, &Param)]) {
        if let Some((_, span, _)) = conf.iter().find(|(k, _, _)| k == "strict") {
            self.diags.push(
                err(
                    *span,
                    "`strict=false` (JSON with unquoted names) is not supported by Trailscope yet",
                )
                .with_label("not supported yet"),
            );
        }
    }

    fn maxlen(&mut self, conf: &[(String, Span, &Param)]) -> usize {
        match self.int_conf(conf, "maxlen") {
            Some(v) if v > 0 => v as usize,
            Some(v) => {
                if let Some((_, span, _)) = conf.iter().find(|(k, _, _)| k == "maxlen") {
                    self.diags.push(err(
                        *span,
                        format!("expected a positive `maxlen`, found {v}"),
                    ));
                }
                JSON_MAXLEN
            }
            None => JSON_MAXLEN,
        }
    }

    /// A member or element conversion: the matcher (its names and quantifier are the
    /// member's, not the matcher's) and its `[]` levels.
    pub(super) fn conv(&mut self, it: &'a Item, scope: u32) -> Option<Conv> {
        let dims = match &it.prim {
            Prim::Matcher { dims, .. } => *dims,
            _ => 0,
        };
        let (kind, _, _) = self.prim(it, scope, true)?;
        let node = self.add(kind, it.span);
        Some(Conv { node, dims })
    }

    fn json(
        &mut self,
        it: &'a Item,
        body: Option<&'a Body>,
        conf: &[(String, Span, &'a Param)],
        scope: u32,
        member: bool,
    ) -> Option<Kind> {
        if self.bool_conf(conf, "strict") == Some(false) {
            self.not_strict(conf);
        }
        let flat = self.bool_conf(conf, "flat").unwrap_or(false);
        let greedy: Option<Arc<str>> = self.str_conf(conf, "greedy").map(|(g, _)| Arc::from(g));
        let maxlen = self.maxlen(conf);
        let members = match body {
            None => None,
            Some(Body::Enum(_)) => None,
            Some(Body::Items(items)) => {
                let mut out = Vec::new();
                for m in items {
                    if let Some(member) = self.member(m, scope) {
                        out.push(member);
                    }
                }
                Some(out)
            }
        };
        if flat && members.is_none() {
            self.diags.push(
                err(
                    it.prim_span,
                    "expected JSON{ … } with members for `flat=true`, found JSON alone",
                )
                .with_hint("name the members to lift: JSON{ STRING:path, INT:status }(flat=true)"),
            );
        }
        if greedy.is_some() && members.is_none() {
            self.diags.push(err(
                it.prim_span,
                "expected JSON{ … } with members for `greedy`, found JSON alone",
            ));
        }
        let mut fields: Vec<Arc<str>> = Vec::new();
        for m in members.iter().flatten() {
            if m.flat {
                if let Kind::Json(spec) = &self.nodes[m.conv.node as usize].kind {
                    fields.extend(spec.fields.iter().cloned());
                }
            } else if let Some(o) = &m.out {
                fields.push(o.clone());
            }
        }
        if let Some(g) = &greedy {
            fields.push(g.clone());
        }
        // A flat member's fields join its parent object, not the pattern's exports.
        let flat_slots = if flat && !member && it.look.is_none() {
            fields.iter().map(|f| self.slot(scope, f)).collect()
        } else {
            Vec::new()
        };
        Some(Kind::Json(Box::new(JsonSpec {
            members,
            greedy,
            flat,
            maxlen,
            fields,
            flat_slots,
        })))
    }

    fn member(&mut self, m: &'a Item, scope: u32) -> Option<Member> {
        let (name, out) = match m.names.as_slice() {
            [] => {
                self.diags.push(
                    err(
                        m.span,
                        "expected a member name after the matcher, such as INT:age, found none",
                    )
                    .with_hint("members with spaces are quoted: INT:\"retry count\":retries"),
                );
                return None;
            }
            [(Name::Null, s), ..] => {
                self.diags
                    .push(err(*s, "expected a member name, found `null`"));
                return None;
            }
            [(Name::Name(n), _)] => (
                Arc::<str>::from(n.as_str()),
                Some(Arc::<str>::from(n.as_str())),
            ),
            [(Name::Name(n), _), (Name::Name(a), _), ..] => (
                Arc::<str>::from(n.as_str()),
                Some(Arc::<str>::from(a.as_str())),
            ),
            [(Name::Name(n), _), (Name::Null, _), ..] => (Arc::<str>::from(n.as_str()), None),
        };
        if let Some((_, span)) = m.look {
            self.diags
                .push(err(span, "expected a member matcher, found a lookaround"));
        }
        let mandatory = match m.quant {
            None => false,
            Some((q, _)) if q.plus => true,
            Some((_, span)) => {
                self.diags.push(
                    err(span, "expected `+` (mandatory) or nothing after a JSON member's matcher, found another quantifier"),
                );
                false
            }
        };
        let conv = self.conv(m, scope)?;
        let flat = matches!(&self.nodes[conv.node as usize].kind, Kind::Json(s) if s.flat);
        Some(Member {
            name,
            out,
            mandatory,
            conv,
            flat,
        })
    }
}

pub(super) fn list(keys: &[&str]) -> String {
    if keys.is_empty() {
        "nothing".into()
    } else {
        keys.join(", ")
    }
}

pub(super) fn describe_value(v: &PValue) -> &'static str {
    match v {
        PValue::Str(_) => "a quoted text",
        PValue::Num(_) => "a number",
        PValue::Bool(_) => "a boolean",
        PValue::Null => "null",
        PValue::Items(_) => "a matcher expression",
    }
}
