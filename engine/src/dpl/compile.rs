//! Syntax tree → [`Program`]: matcher names resolved (case-insensitive, aliases, "did you
//! mean"), configurations checked, macros and field separators (`fs`) expanded, export names
//! given slots per scope, and for every LD/DATA/STRING the *follow chain* worked out: the
//! matchers after it up to and including the first one that cannot match empty text, which is
//! what tells it where to stop.

use std::sync::Arc;

use super::matchers::{self, BodyKind, CharSet, Def, Posix, Quantified};
use super::parse::{Body, Item, Look, Name, PValue, Param, Prim};
use super::time::{zone_config, TimeFormat};
use crate::diag::{did_you_mean, Code, Diagnostic, Span};

pub type NodeId = u32;

/// Patterns compiling to more nodes than this (macros can multiply) are refused.
pub const MAX_NODES: usize = 10_000;
/// The largest quantifier maximum accepted.
pub const MAX_REPEAT: u32 = 1 << 20;
/// JSON text longer than this is not matched (Dynatrace's default `maxlen`).
pub const JSON_MAXLEN: usize = 128_000;

/// A compiled pattern: nodes in an arena, the root a sequence.
#[derive(Debug)]
pub struct Program {
    pub nodes: Vec<Node>,
    pub root: NodeId,
    /// Export names per scope: scope 0 is the pattern's own; STRUCTURE, ARRAY and KVP bodies
    /// have their own.
    pub scopes: Vec<Vec<Arc<str>>>,
    /// LD/DATA/STRING nodes, each with a slot for the engine's scan memo.
    pub lazy_slots: usize,
    /// Character sets, each with a slot for the engine's run memo.
    pub run_slots: usize,
}

#[derive(Debug)]
pub struct Node {
    pub kind: Kind,
    /// Repetitions, or (for LD, DATA, quoted strings) bytes, or (ARRAY, KVP) elements.
    pub min: u32,
    pub max: u32,
    pub optional: bool,
    pub look: Option<Look>,
    /// Slot in the enclosing scope's export names.
    pub export: Option<u32>,
    pub span: Span,
}

#[derive(Debug)]
pub enum Kind {
    Seq(Vec<NodeId>),
    Alt(Vec<NodeId>),
    Lit(Box<str>),
    /// A character group or POSIX class; `slot` is its run memo in the engine.
    Set(Box<CharSet>, u32),
    Lazy(Box<Lazy>),
    Quoted {
        quote: u8,
        csv: bool,
    },
    /// Within `min..=max` (INT: 32-bit by default, LONG: 64-bit).
    Int {
        hex: bool,
        min: Option<i64>,
        max: Option<i64>,
    },
    Float {
        comma: bool,
        min: Option<f64>,
        max: Option<f64>,
    },
    Bool,
    Ip {
        v4: bool,
        v6: bool,
    },
    Time(Box<TimeFormat>),
    Uuid,
    Bos,
    Eos,
    Mos,
    Enum {
        entries: Vec<(Box<str>, i64)>,
        cis: bool,
    },
    Json(Box<JsonSpec>),
    JsonArray {
        elem: Option<Conv>,
        maxlen: usize,
    },
    JsonValue {
        conv: Option<Conv>,
        maxlen: usize,
    },
    Struct {
        body: NodeId,
        scope: u32,
    },
    Array {
        body: NodeId,
        scope: u32,
    },
    Kvp {
        body: NodeId,
        scope: u32,
    },
}

impl Kind {
    /// Kinds that read min/max themselves (bytes or elements) instead of being repeated.
    pub fn sized(&self) -> bool {
        matches!(
            self,
            Kind::Lazy(_) | Kind::Quoted { .. } | Kind::Array { .. } | Kind::Kvp { .. }
        )
    }

    /// Kinds whose export is a value they build while matching (not the matched text).
    pub fn builds_value(&self) -> bool {
        matches!(
            self,
            Kind::Json(_)
                | Kind::JsonArray { .. }
                | Kind::JsonValue { .. }
                | Kind::Struct { .. }
                | Kind::Array { .. }
                | Kind::Kvp { .. }
        )
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LazyKind {
    /// LD: stops at a line feed.
    Line,
    /// DATA: crosses lines.
    Data,
    /// STRING: a quoted string, or characters up to whitespace.
    Token,
}

#[derive(Debug)]
pub struct Lazy {
    pub what: LazyKind,
    /// The matchers after it, up to and including the first that cannot match empty text.
    pub follow: Vec<NodeId>,
    /// The chain ends in a matcher that cannot match empty text (else: stop where the chain
    /// matches something).
    pub required: bool,
    /// The chain starts with a literal: candidates are found by searching for it.
    pub first_lit: Option<Box<str>>,
    pub slot: u32,
}

/// A conversion of a JSON value by a matcher (JSON members, typed arrays and values).
#[derive(Clone, Copy, Debug)]
pub struct Conv {
    pub node: NodeId,
    /// `INT[]`, `LONG[][]`: array levels around the element type.
    pub dims: u8,
}

#[derive(Debug)]
pub struct JsonSpec {
    /// `JSON{ … }`; none: the whole object as it is.
    pub members: Option<Vec<Member>>,
    pub greedy: Option<Arc<str>>,
    pub flat: bool,
    pub maxlen: usize,
    /// Output field names, in order (flat members expanded, the greedy record last).
    pub fields: Vec<Arc<str>>,
    /// With `flat=true`: each field's slot in the enclosing scope.
    pub flat_slots: Vec<u32>,
}

#[derive(Debug)]
pub struct Member {
    pub name: Arc<str>,
    /// Exported under this name; `None` with the alias `null` (left out).
    pub out: Option<Arc<str>>,
    /// `STRING+:name`: the JSON matcher fails without it.
    pub mandatory: bool,
    pub conv: Conv,
    /// A nested `JSON{…}(flat=true)`: its fields join this object's.
    pub flat: bool,
}

fn err(span: Span, message: impl Into<String>) -> Diagnostic {
    Diagnostic::error(Code::E319, span, message)
}

/// Macro definitions visible so far, by name.
type Macros<'a> = Vec<(&'a str, &'a [Item])>;

pub struct Compiler<'a> {
    nodes: Vec<Node>,
    scopes: Vec<Vec<Arc<str>>>,
    pub diags: Vec<Diagnostic>,
    macros: Macros<'a>,
    lazy_slots: u32,
    run_slots: u32,
    too_big: bool,
}

impl<'a> Compiler<'a> {
    pub fn new() -> Self {
        Compiler {
            nodes: Vec::new(),
            scopes: vec![Vec::new()],
            diags: Vec::new(),
            macros: Vec::new(),
            lazy_slots: 0,
            run_slots: 0,
            too_big: false,
        }
    }

    pub fn define(&mut self, name: &'a str, items: &'a [Item], span: Span) {
        if self.macros.iter().any(|(n, _)| *n == name) {
            self.diags.push(err(
                span,
                format!("expected a new macro name, found `${name}` defined twice"),
            ));
        }
        self.macros.push((name, items));
    }

    pub fn finish(mut self, items: &'a [Item], span: Span) -> (Option<Program>, Vec<Diagnostic>) {
        let children = self.items(items, 0);
        let root = self.add(Kind::Seq(children), span);
        if self.too_big {
            self.diags.push(err(
                span,
                format!("expected a pattern of at most {MAX_NODES} matchers (after macros are expanded), found more"),
            ));
        }
        if !self.diags.is_empty() {
            return (None, self.diags);
        }
        self.follow(root, &Cont::End);
        let prog = Program {
            nodes: self.nodes,
            root,
            scopes: self.scopes,
            lazy_slots: self.lazy_slots as usize,
            run_slots: self.run_slots as usize,
        };
        (Some(prog), self.diags)
    }

    fn add(&mut self, kind: Kind, span: Span) -> NodeId {
        if self.nodes.len() >= MAX_NODES {
            self.too_big = true;
        }
        self.nodes.push(Node {
            kind,
            min: 1,
            max: 1,
            optional: false,
            look: None,
            export: None,
            span,
        });
        (self.nodes.len() - 1) as NodeId
    }

    fn items(&mut self, items: &'a [Item], scope: u32) -> Vec<NodeId> {
        let mut out = Vec::new();
        for it in items {
            if self.too_big {
                break;
            }
            if let Some(id) = self.item(it, scope) {
                out.push(id);
            }
        }
        out
    }

    /// Adds `name` to a scope's exports (once) and gives its slot.
    fn slot(&mut self, scope: u32, name: &str) -> u32 {
        let names = &mut self.scopes[scope as usize];
        match names.iter().position(|n| &**n == name) {
            Some(i) => i as u32,
            None => {
                names.push(Arc::from(name));
                (names.len() - 1) as u32
            }
        }
    }

    fn item(&mut self, it: &'a Item, scope: u32) -> Option<NodeId> {
        let (kind, (min, max), quantified) = self.prim(it, scope, false)?;
        let id = self.add(kind, it.span);
        let (mut min, mut max) = (min, max);
        if let Some((q, qspan)) = it.quant {
            let cap = match quantified {
                Quantified::Count => 32_768,
                _ => 4096,
            };
            min = q.min;
            max = q.max.unwrap_or(cap.max(q.min));
            if max > MAX_REPEAT {
                self.diags.push(err(
                    qspan,
                    format!("expected a quantifier maximum of at most {MAX_REPEAT}, found {max}"),
                ));
            }
        } else if matches!(&it.prim, Prim::Matcher { name, .. } if name.eq_ignore_ascii_case("array"))
        {
            self.diags.push(
                err(
                    it.prim_span,
                    "expected a quantifier after ARRAY{…}, such as {1,10}, found none",
                )
                .with_label("ARRAY needs its element count")
                .with_hint("ARRAY{ INT:i ','? }{1,100}:numbers"),
            );
        }
        let look = it.look.map(|(l, _)| l);
        let mut export = None;
        match it.names.as_slice() {
            [] => {}
            [(Name::Name(n), nspan), rest @ ..] => {
                if let Some((_, s2)) = rest.first() {
                    self.diags.push(
                        err(*s2, "expected one export name, found a second `:name`").with_hint(
                            "`MATCHER:\"member\":name` renames a member inside JSON{…} only",
                        ),
                    );
                }
                if look.is_some() {
                    self.diags.push(err(
                        *nspan,
                        "expected no export name on a lookaround: it only looks, it extracts nothing",
                    ));
                } else {
                    export = Some(self.slot(scope, n));
                }
            }
            [(Name::Null, nspan), ..] => {
                self.diags.push(err(
                    *nspan,
                    "expected an export name, found `null` (only a JSON member can be left out with `null`)",
                ));
            }
        }
        let n = &mut self.nodes[id as usize];
        n.min = min;
        n.max = max;
        n.optional = it.optional;
        n.look = look;
        n.export = export;
        Some(id)
    }

    /// The kind of an item's primary with its default quantifier.
    fn prim(
        &mut self,
        it: &'a Item,
        scope: u32,
        member: bool,
    ) -> Option<(Kind, (u32, u32), Quantified)> {
        let repeat1 = ((1, 1), Quantified::Repeat);
        Some(match &it.prim {
            Prim::Lit(s) => {
                self.no_config(it, "a literal");
                (Kind::Lit(s.as_str().into()), repeat1.0, repeat1.1)
            }
            Prim::Class(spec) => {
                self.no_config(it, "a character group");
                let mut set = CharSet {
                    ascii: 0,
                    ranges: Vec::new(),
                    posix: Vec::new(),
                    negated: spec.negated,
                    number: false,
                };
                for item in &spec.items {
                    match item {
                        super::lex::ClassItem::Char(c) => set.add_range(*c, *c),
                        super::lex::ClassItem::Range(a, b) => set.add_range(*a, *b),
                        super::lex::ClassItem::Posix(name, span) => match Posix::by_name(name) {
                            Some(p) => set.add_posix(p),
                            None => {
                                let mut d = err(
                                    *span,
                                    format!("expected a POSIX class such as alpha or digit, found `{name}`"),
                                );
                                if let Some(s) =
                                    did_you_mean(name, Posix::NAMES.iter().map(|(n, _)| *n))
                                {
                                    d = d.with_hint(format!("did you mean `[:{s}:]`?"));
                                }
                                self.diags.push(d);
                            }
                        },
                    }
                }
                (self.set(set), repeat1.0, repeat1.1)
            }
            Prim::Group(alts) => {
                let fs = self.group_config(it);
                let kind = if alts.len() == 1 {
                    let children = self.items(&alts[0], scope);
                    Kind::Seq(match fs {
                        Some(sep) => self.separated(children, sep, scope),
                        None => children,
                    })
                } else {
                    if fs.is_some() {
                        self.diags.push(err(
                            it.prim_span,
                            "expected `fs` on a sequence group, found it on alternatives",
                        ));
                    }
                    let mut out = Vec::new();
                    for alt in alts {
                        let children = self.items(alt, scope);
                        out.push(self.add(Kind::Seq(children), it.prim_span));
                    }
                    Kind::Alt(out)
                };
                (kind, repeat1.0, repeat1.1)
            }
            Prim::Var(name) => {
                let Some(&(_, items)) = self.macros.iter().find(|(n, _)| *n == name) else {
                    let mut d = err(
                        it.prim_span,
                        format!("expected a macro defined before it is used, found `${name}`"),
                    )
                    .with_label("unknown macro");
                    if let Some(s) = did_you_mean(name, self.macros.iter().map(|(n, _)| *n)) {
                        d = d.with_hint(format!("did you mean `${s}`?"));
                    } else {
                        d = d.with_hint(format!("define it first: ${name} = INT ':' ;"));
                    }
                    self.diags.push(d);
                    return None;
                };
                self.no_config(it, "a macro");
                let children = self.items(items, scope);
                (Kind::Seq(children), repeat1.0, repeat1.1)
            }
            Prim::Matcher { name, body, dims } => {
                let Some(entry) = matchers::lookup(name) else {
                    let mut d = err(
                        it.prim_span,
                        format!("expected a DPL matcher such as LD, INT, IPADDR or JSON, found `{name}`"),
                    )
                    .with_label("unknown matcher");
                    if let Some(s) = did_you_mean(name, matchers::all_names()) {
                        d = d.with_hint(format!("did you mean `{s}`?"));
                    } else {
                        d = d.with_hint("text to match literally goes in quotes: 'text'");
                    }
                    self.diags.push(d);
                    return None;
                };
                if entry.def == Def::NotYet {
                    self.diags.push(
                        err(
                            it.prim_span,
                            format!(
                                "the DPL matcher `{}` is not supported by Trailscope yet",
                                name.to_ascii_uppercase()
                            ),
                        )
                        .with_label("not supported yet")
                        .with_hint(
                            "match the text with LD, DATA or a character group and export that",
                        ),
                    );
                    return None;
                }
                if *dims > 0 && !member {
                    self.diags.push(
                        err(it.prim_span, format!("expected `{name}` without `[]`: typed arrays (`INT[]:items`) are for JSON members"))
                    );
                }
                let conf = self.config(it, entry.names[0], entry.config);
                let kind = self.matcher(it, entry, body.as_ref(), &conf, scope, member)?;
                ((kind), (entry.min, entry.max), entry.quantified)
            }
        })
    }

    fn set(&mut self, set: CharSet) -> Kind {
        self.run_slots += 1;
        Kind::Set(Box::new(set), self.run_slots - 1)
    }

    fn no_config(&mut self, it: &Item, what: &str) {
        if let Some((_, span)) = &it.config {
            self.diags.push(err(
                *span,
                format!("expected no configuration on {what}, found `( … )`"),
            ));
        }
    }

    /// A group's `fs` separator (its configuration may only hold `fs`, `locale`, `charset`).
    fn group_config(&mut self, it: &'a Item) -> Option<&'a PValue> {
        let conf = self.config(it, "a group", &["fs", "locale", "charset"]);
        conf.into_iter()
            .find(|(k, _, _)| k == "fs")
            .map(|(_, _, p)| &p.value)
    }

    /// Checked configuration entries: key (lower case), its span, the entry.
    fn config(
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

    fn matcher(
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
    fn conv(&mut self, it: &'a Item, scope: u32) -> Option<Conv> {
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

    /// `( a b c )(fs=',')`: `a ',' b ',' c`. An optional member takes its separator with it
    /// (`(a ',' | ',')?`, so that an empty or a missing field both parse), and an optional last
    /// member takes the separator before it (`(',' c)?`).
    fn separated(&mut self, children: Vec<NodeId>, sep: &'a PValue, scope: u32) -> Vec<NodeId> {
        let n = children.len();
        let mut out = Vec::new();
        let last_optional = n >= 2 && self.nodes[children[n - 1] as usize].optional;
        for (i, &c) in children.iter().enumerate() {
            let sep_after = i + 1 < n && !(last_optional && i + 2 == n);
            let span = self.nodes[c as usize].span;
            if i + 1 == n && last_optional {
                self.nodes[c as usize].optional = false;
                let s = self.separator(sep, span, scope);
                let unit = self.add(Kind::Seq(vec![s, c]), span);
                self.nodes[unit as usize].optional = true;
                out.push(unit);
                continue;
            }
            if !sep_after {
                out.push(c);
                continue;
            }
            if self.nodes[c as usize].optional {
                self.nodes[c as usize].optional = false;
                let s1 = self.separator(sep, span, scope);
                let with = self.add(Kind::Seq(vec![c, s1]), span);
                let s2 = self.separator(sep, span, scope);
                let unit = self.add(Kind::Alt(vec![with, s2]), span);
                self.nodes[unit as usize].optional = true;
                out.push(unit);
            } else {
                out.push(c);
                let s = self.separator(sep, span, scope);
                out.push(s);
            }
        }
        out
    }

    fn separator(&mut self, sep: &'a PValue, span: Span, scope: u32) -> NodeId {
        match sep {
            PValue::Str(s) => self.add(Kind::Lit(s.as_str().into()), span),
            PValue::Items(items) => {
                let children = self.items(items, scope);
                self.add(Kind::Seq(children), span)
            }
            other => {
                self.diags.push(err(
                    span,
                    format!(
                        "expected a quoted text or {{ matchers }} for `fs`, found {}",
                        describe_value(other)
                    ),
                ));
                self.add(Kind::Seq(Vec::new()), span)
            }
        }
    }

    // -----------------------------------------------------------------------------------------
    // Follow chains.

    /// Can node `id` match empty text (so that a lazy matcher before it must look further)?
    fn can_be_empty(&self, id: NodeId) -> bool {
        let n = &self.nodes[id as usize];
        if n.optional || n.min == 0 {
            return true;
        }
        if n.look.is_some() {
            return false;
        }
        match &n.kind {
            Kind::Seq(c) => c.iter().all(|&x| self.can_be_empty(x)),
            Kind::Alt(c) => c.iter().any(|&x| self.can_be_empty(x)),
            Kind::Lit(s) => s.is_empty(),
            _ => false,
        }
    }

    fn follow(&mut self, id: NodeId, cont: &Cont<'_>) {
        let children: Vec<NodeId> = match &self.nodes[id as usize].kind {
            Kind::Seq(c) => c.clone(),
            Kind::Alt(c) => {
                for x in c.clone() {
                    self.follow(x, cont);
                }
                return;
            }
            Kind::Struct { body, .. } | Kind::Array { body, .. } | Kind::Kvp { body, .. } => {
                let b = *body;
                self.follow(b, cont);
                return;
            }
            Kind::Json(spec) => {
                let nodes: Vec<NodeId> =
                    spec.members.iter().flatten().map(|m| m.conv.node).collect();
                for x in nodes {
                    self.follow(x, &Cont::End);
                }
                return;
            }
            Kind::JsonArray { elem: Some(c), .. } | Kind::JsonValue { conv: Some(c), .. } => {
                let x = c.node;
                self.follow(x, &Cont::End);
                return;
            }
            Kind::Lazy(_) => {
                let mut chain = Vec::new();
                let mut required = false;
                cont.walk(&mut |x| {
                    chain.push(x);
                    if !self.can_be_empty(x) {
                        required = true;
                        return false;
                    }
                    true
                });
                let first_lit = chain.first().and_then(|&x| self.leading_lit(x));
                let slot = self.lazy_slots;
                self.lazy_slots += 1;
                if let Kind::Lazy(l) = &mut self.nodes[id as usize].kind {
                    l.follow = chain;
                    l.required = required;
                    l.first_lit = first_lit;
                    l.slot = slot;
                }
                return;
            }
            _ => return,
        };
        // Inside a lookaround, what follows the lookaround is not what follows its content.
        let inner_end = self.nodes[id as usize].look.is_some();
        for (i, &c) in children.iter().enumerate() {
            let rest = &children[i + 1..];
            if inner_end {
                self.follow(c, &Cont::Then(rest, &Cont::End));
            } else {
                self.follow(c, &Cont::Then(rest, cont));
            }
        }
    }

    /// The literal a required node starts with, if any: lets a lazy matcher search for it.
    fn leading_lit(&self, id: NodeId) -> Option<Box<str>> {
        let n = &self.nodes[id as usize];
        if n.optional || n.min == 0 || n.look.is_some() {
            return None;
        }
        match &n.kind {
            Kind::Lit(s) if !s.is_empty() => Some(s.clone()),
            Kind::Seq(c) => c.first().and_then(|&x| self.leading_lit(x)),
            _ => None,
        }
    }
}

/// What comes after a node: the rest of its sequence, then what comes after that sequence.
pub enum Cont<'c> {
    End,
    Then(&'c [NodeId], &'c Cont<'c>),
}

impl Cont<'_> {
    /// Calls `f` on each following node in order until it returns false.
    fn walk(&self, f: &mut dyn FnMut(NodeId) -> bool) {
        let mut c = self;
        loop {
            match c {
                Cont::End => return,
                Cont::Then(items, next) => {
                    for &x in *items {
                        if !f(x) {
                            return;
                        }
                    }
                    c = next;
                }
            }
        }
    }
}

fn list(keys: &[&str]) -> String {
    if keys.is_empty() {
        "nothing".into()
    } else {
        keys.join(", ")
    }
}

fn describe_value(v: &PValue) -> &'static str {
    match v {
        PValue::Str(_) => "a quoted text",
        PValue::Num(_) => "a number",
        PValue::Bool(_) => "a boolean",
        PValue::Null => "null",
        PValue::Items(_) => "a matcher expression",
    }
}
