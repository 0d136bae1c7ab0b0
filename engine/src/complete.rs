//! Editor intelligence: what may come at the cursor of a query being written (commands after
//! `|`, parameters of the command or function at hand, field names of the pipeline so far,
//! member names of parsed events learned from the loaded data, functions), and the signature of
//! the function call the cursor is in. From the engine's own lexer, planner and catalogues, so
//! the editor never disagrees with what runs.

use std::ops::Range;

use crate::functions::{self, ParamKind};
use crate::plan::commands::{self, COMMANDS};
use crate::plan::{self, PlanCtx};
use crate::storage::Store;
use crate::syntax::lex::{lex, Tok, Token};
use crate::syntax::quote;

/// What a completion is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Command,
    Function,
    /// A parameter name (`by:`); inserted with its colon.
    Parameter,
    Field,
    /// A member of a parsed event (`event[userIdentity][`…).
    Member,
    Keyword,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Completion {
    /// What the list shows.
    pub label: String,
    /// The text that replaces [`Completions::replace`].
    pub insert: String,
    pub kind: Kind,
    /// A signature (`substring(expression, from:, to:)`), or how often a member occurs.
    pub detail: String,
    /// One line of documentation.
    pub doc: &'static str,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Completions {
    /// The byte range of the query the chosen item replaces (the word being written).
    pub replace: Range<usize>,
    pub items: Vec<Completion>,
}

/// The function call around the cursor: its signature, doc and the parameter being written.
#[derive(Clone, Debug, PartialEq)]
pub struct SignatureHelp {
    pub signature: String,
    pub doc: &'static str,
    /// 0-based index of the positional parameter the cursor is in.
    pub active: usize,
}

/// At most this many items (the list is for reading, not for scrolling).
const MAX_ITEMS: usize = 200;
/// Events looked at to learn member names (spread over the store).
const MEMBER_SAMPLE: usize = 4096;

/// One open bracket before the cursor.
#[derive(Clone, Debug)]
enum Open {
    /// `[` of a sub-query: a pipeline of its own.
    Subquery,
    /// `[` indexing a value: the token index of the `[`.
    Index(usize),
    /// `(` of a call to the named function, and the commas seen in it.
    Call(String, usize),
    Paren,
    Group,
}

/// The pipeline the cursor is in: where it starts, and its current command.
#[derive(Clone, Debug, Default)]
struct Stage {
    pipeline_start: usize,
    command: Option<String>,
    /// Byte where the current command starts.
    command_start: usize,
    /// Bracket depth of the command's own level.
    level: usize,
}

/// Completions at byte `cursor` of `text`; `store` gives member names of parsed events.
pub fn complete(store: Option<&Store>, text: &str, cursor: usize) -> Completions {
    let cursor = floor_char(text, cursor);
    let (toks, _) = lex(&text[..cursor]);
    let mut toks: Vec<Token> = toks.into_iter().filter(|t| t.tok != Tok::Eof).collect();
    // The word being written, if the cursor is at its end.
    let (prefix, replace) = match toks.last() {
        Some(t) if t.span.end as usize == cursor => match &t.tok {
            Tok::Ident(s) | Tok::Quoted(s) => {
                let r = t.span.range();
                let s = s.clone();
                toks.pop();
                (s, r)
            }
            _ => (String::new(), cursor..cursor),
        },
        _ => (String::new(), cursor..cursor),
    };
    let (opens, stage) = scan(&toks);
    let prev = toks.last().map(|t| &t.tok);
    let mut items = Vec::new();
    let starts_stage = match prev {
        None | Some(Tok::Pipe) => true,
        Some(Tok::LBracket) => matches!(opens.last(), Some(Open::Subquery)),
        _ => false,
    };
    if starts_stage {
        let first =
            stage.command.is_none() && !text[stage.pipeline_start..replace.start].contains('|');
        for c in COMMANDS {
            if c.cmd.is_source() == first {
                items.push(Completion {
                    label: c.name.to_string(),
                    insert: format!("{} ", c.name),
                    kind: Kind::Command,
                    detail: String::new(),
                    doc: c.doc,
                });
            }
        }
        return finish(items, &prefix, replace);
    }
    if let (Some(Open::Index(at)), Some(Tok::LBracket)) = (opens.last(), prev) {
        items = members(store, text, &toks, *at, &stage);
        return finish(items, &prefix, replace);
    }
    let value_position = matches!(
        prev,
        Some(
            Tok::Comma
                | Tok::Colon
                | Tok::LParen
                | Tok::LBrace
                | Tok::Assign
                | Tok::EqEq
                | Tok::NotEq
                | Tok::Lt
                | Tok::Le
                | Tok::Gt
                | Tok::Ge
                | Tok::Plus
                | Tok::Minus
                | Tok::Star
                | Tok::Slash
                | Tok::Percent
                | Tok::Tilde
        )
    ) || matches!(prev, Some(Tok::Ident(s)) if is_operator_word(s))
        || (prev.is_some() && toks.len() == command_token_index(&toks, &stage) + 1);
    if !value_position {
        // After a value: what may follow it.
        for k in ["and", "or", "xor", "in", "asc", "desc"] {
            items.push(keyword(k));
        }
        return finish(items, &prefix, replace);
    }
    // Parameters of the command (at its own level) or of the function call the cursor is in.
    let at_argument_start = matches!(prev, Some(Tok::Comma | Tok::LParen))
        || toks.len() == command_token_index(&toks, &stage) + 1;
    if at_argument_start {
        match opens.last() {
            Some(Open::Call(f, _)) => {
                if let Some(f) = functions::lookup(f) {
                    for p in f.params {
                        if matches!(p.kind, ParamKind::Named(_)) {
                            items.push(parameter(p.name, f.doc));
                        }
                    }
                }
            }
            _ if opens.len() == stage.level => {
                if let Some(c) = stage.command.as_deref().and_then(commands::lookup) {
                    for p in c.params {
                        items.push(parameter(p, c.doc));
                    }
                }
            }
            _ => {}
        }
    }
    // Field names of the pipeline before this command.
    let ctx = PlanCtx {
        now: 0,
        event_keys: store.map_or(&[], |s| s.event_keys()),
    };
    let before = &text[stage.pipeline_start..stage.command_start];
    let before = before.trim_end().trim_end_matches('|');
    if !before.trim().is_empty() {
        let (q, _) = crate::syntax::parse(before);
        let fields = plan::fields_after(&q, &ctx);
        for f in fields.names {
            items.push(Completion {
                insert: quote::field(&f),
                label: f,
                kind: Kind::Field,
                detail: String::new(),
                doc: "",
            });
        }
    }
    for f in functions::all().filter(|f| !f.is_operator()) {
        items.push(Completion {
            label: f.name.to_string(),
            insert: format!("{}(", f.name),
            kind: Kind::Function,
            detail: f.signature(),
            doc: f.doc,
        });
    }
    for k in ["true", "false", "null", "not"] {
        items.push(keyword(k));
    }
    finish(items, &prefix, replace)
}

/// The signature of the function call the cursor is in, if any.
pub fn signature_help(text: &str, cursor: usize) -> Option<SignatureHelp> {
    let cursor = floor_char(text, cursor);
    let (toks, _) = lex(&text[..cursor]);
    let toks: Vec<Token> = toks.into_iter().filter(|t| t.tok != Tok::Eof).collect();
    let (opens, _) = scan(&toks);
    let (name, commas) = opens.iter().rev().find_map(|o| match o {
        Open::Call(f, n) => Some((f.clone(), *n)),
        _ => None,
    })?;
    let f = functions::lookup(&name)?;
    Some(SignatureHelp {
        signature: f.signature(),
        doc: f.doc,
        active: commas,
    })
}

/// The open brackets and the current pipeline stage after `toks`.
fn scan(toks: &[Token]) -> (Vec<Open>, Stage) {
    let mut opens: Vec<Open> = Vec::new();
    let mut stages: Vec<Stage> = vec![Stage::default()];
    let mut expect_command = true;
    // The token that named the current command (`join [` opens a sub-query, `a[` indexes).
    let mut command_token = usize::MAX;
    for (i, t) in toks.iter().enumerate() {
        let prev = i.checked_sub(1).map(|k| &toks[k].tok);
        match &t.tok {
            Tok::Ident(name) if expect_command => {
                let st = stages.last_mut().expect("a stage");
                st.command = Some(name.clone());
                st.command_start = t.span.start as usize;
                st.level = opens.len();
                expect_command = false;
                command_token = i;
            }
            Tok::Pipe => {
                expect_command = true;
            }
            Tok::LBracket => {
                let indexes = matches!(
                    prev,
                    Some(Tok::Ident(_) | Tok::Quoted(_) | Tok::RBracket | Tok::RParen)
                ) && !matches!(prev, Some(Tok::Ident(s)) if is_operator_word(s))
                    && command_token != i.wrapping_sub(1);
                if indexes {
                    opens.push(Open::Index(i));
                } else {
                    let start = t.span.end as usize;
                    opens.push(Open::Subquery);
                    stages.push(Stage {
                        pipeline_start: start,
                        command_start: start,
                        ..Stage::default()
                    });
                    expect_command = true;
                }
            }
            Tok::RBracket => {
                if let Some(Open::Subquery) = opens.pop() {
                    stages.pop();
                    if stages.is_empty() {
                        stages.push(Stage::default());
                    }
                }
                expect_command = false;
            }
            Tok::LParen => opens.push(match prev {
                Some(Tok::Ident(f)) => Open::Call(f.clone(), 0),
                _ => Open::Paren,
            }),
            Tok::LBrace => opens.push(Open::Group),
            Tok::RParen | Tok::RBrace => {
                opens.pop();
            }
            Tok::Comma => {
                if let Some(Open::Call(_, n)) = opens.last_mut() {
                    *n += 1;
                }
            }
            _ => expect_command = false,
        }
    }
    (opens, stages.pop().unwrap_or_default())
}

/// The index of the current command's name token (`usize::MAX - 1` when there is none).
fn command_token_index(toks: &[Token], stage: &Stage) -> usize {
    toks.iter()
        .rposition(|t| t.span.start as usize == stage.command_start && stage.command.is_some())
        .unwrap_or(usize::MAX - 1)
}

fn is_operator_word(s: &str) -> bool {
    ["and", "or", "xor", "not", "in"]
        .iter()
        .any(|w| w.eq_ignore_ascii_case(s))
}

/// Members at `base[…][` of a parsed event, most frequent first, from a sample of the events.
fn members(
    store: Option<&Store>,
    text: &str,
    toks: &[Token],
    open_at: usize,
    stage: &Stage,
) -> Vec<Completion> {
    let Some(store) = store else {
        return Vec::new();
    };
    // Walk back over `root[a][b]` to the root name.
    let mut path: Vec<String> = Vec::new();
    let mut k = open_at;
    loop {
        let Some(before) = k.checked_sub(1) else {
            return Vec::new();
        };
        match &toks[before].tok {
            Tok::RBracket if before >= 2 => match (&toks[before - 1].tok, &toks[before - 2].tok) {
                (Tok::Ident(n) | Tok::Quoted(n) | Tok::Str(n), Tok::LBracket) => {
                    path.push(n.clone());
                    k = before - 2;
                }
                _ => return Vec::new(),
            },
            Tok::Ident(root) | Tok::Quoted(root) => {
                path.reverse();
                // Only fields that hold parsed events have members to learn.
                let ctx = PlanCtx {
                    now: 0,
                    event_keys: store.event_keys(),
                };
                let before_cmd = &text[stage.pipeline_start..stage.command_start];
                let before_cmd = before_cmd.trim_end().trim_end_matches('|');
                let (q, _) = crate::syntax::parse(before_cmd);
                let fields = plan::fields_after(&q, &ctx);
                if !fields.events.iter().any(|e| e == root) {
                    return Vec::new();
                }
                return store
                    .member_names(&path, MEMBER_SAMPLE)
                    .into_iter()
                    .map(|(name, n)| Completion {
                        insert: format!("{}]", quote::key(&name)),
                        label: name,
                        kind: Kind::Member,
                        detail: format!("in {n} of the events looked at"),
                        doc: "",
                    })
                    .collect();
            }
            _ => return Vec::new(),
        }
    }
}

fn parameter(name: &str, doc: &'static str) -> Completion {
    Completion {
        label: format!("{name}:"),
        insert: format!("{name}: "),
        kind: Kind::Parameter,
        detail: String::new(),
        doc,
    }
}

fn keyword(k: &str) -> Completion {
    Completion {
        label: k.to_string(),
        insert: format!("{k} "),
        kind: Kind::Keyword,
        detail: String::new(),
        doc: "",
    }
}

/// Keeps the items that start with the word being written (case-insensitively), then those
/// that contain it; without duplicates, at most [`MAX_ITEMS`].
fn finish(items: Vec<Completion>, prefix: &str, replace: Range<usize>) -> Completions {
    let p = prefix.to_lowercase();
    let mut starts = Vec::new();
    let mut contains = Vec::new();
    for it in items {
        let l = it.label.to_lowercase();
        if l.starts_with(&p) {
            starts.push(it);
        } else if !p.is_empty() && l.contains(&p) {
            contains.push(it);
        }
    }
    starts.extend(contains);
    let mut seen = std::collections::HashSet::new();
    starts.retain(|c| seen.insert((c.kind as u8, c.label.clone())));
    starts.truncate(MAX_ITEMS);
    Completions {
        replace,
        items: starts,
    }
}

fn floor_char(text: &str, i: usize) -> usize {
    let mut i = i.min(text.len());
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

#[cfg(test)]
mod tests;
