//! Syntax tree → [`Program`]: matcher names resolved (case-insensitive, aliases, "did you
//! mean"), configurations checked, macros and field separators (`fs`) expanded, export names
//! given slots per scope, and for every LD/DATA/STRING the *follow chain* worked out: the
//! matchers after it up to and including the first one that cannot match empty text, which is
//! what tells it where to stop.

mod matcher;

use std::sync::Arc;

use super::matchers::{self, CharSet, Def, Posix, Quantified};
use super::parse::{Item, Name, PValue, Prim};
use super::program::{Kind, Node, NodeId, Program, MAX_NODES, MAX_REPEAT};
use crate::diag::{did_you_mean, Code, Diagnostic, Span};
use matcher::describe_value;

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
