//! The matchers that build their value while they match: JSON (members converted by their
//! matchers, `greedy`, `flat`), JSON_ARRAY and JSON_VALUE (typed conversion), STRUCTURE, ARRAY
//! and KVP (the exports of their body, one scope per element). JSON text is read by the store's
//! parser ([`parse_prefix`]), so numbers, escapes, nesting limits and duplicate keys behave as
//! in loaded events.

use std::sync::Arc;

use super::super::program::{Conv, JsonSpec, Kind, NodeId};
use super::{record, text_value, Run};
use crate::storage::intern::Interner;
use crate::storage::tape::{Doc, Parser, Tape};
use crate::value::{Record, Value};

impl Run<'_, '_> {
    /// A matcher that builds its value: JSON, JSON_ARRAY, JSON_VALUE, STRUCTURE, ARRAY, KVP.
    pub(super) fn composite(&mut self, id: NodeId, pos: usize) -> Option<(usize, Value)> {
        let prog = self.prog;
        let n = &prog.nodes[id as usize];
        match &n.kind {
            Kind::Json(spec) => {
                let (e, v) = self.json_text(pos, spec.maxlen, Some(b'{'))?;
                let v = match &spec.members {
                    None => v,
                    Some(_) => {
                        let Value::Record(r) = &v else {
                            return None;
                        };
                        let vals = self.json_fields(spec, r)?;
                        record(spec.fields.iter().cloned().zip(vals).collect())
                    }
                };
                Some((e, v))
            }
            Kind::JsonArray { elem, maxlen } => {
                let (e, v) = self.json_text(pos, *maxlen, Some(b'['))?;
                let v = match elem {
                    Some(c) => self.convert_elements(*c, &v).unwrap_or(Value::Null),
                    None => v,
                };
                Some((e, v))
            }
            Kind::JsonValue { conv, maxlen } => {
                let (e, v) = self.json_text(pos, *maxlen, None)?;
                let v = match conv {
                    Some(c) => self.convert(*c, &v)?,
                    None => v,
                };
                Some((e, v))
            }
            Kind::Struct { body, scope } => {
                let mark = self.caps.len();
                let e = self.item(*body, pos)?;
                let v = self.scope_record(*scope, mark);
                self.caps.truncate(mark);
                Some((e, v))
            }
            Kind::Array { body, scope } => {
                let names = &prog.scopes[*scope as usize];
                let mut p = pos;
                let mut elems = Vec::new();
                while elems.len() < n.max as usize {
                    let mark = self.caps.len();
                    match self.item(*body, p) {
                        Some(e) if e > p => {
                            let v = if names.len() == 1 {
                                self.values(mark, 1).pop().unwrap_or(Value::Null)
                            } else {
                                self.scope_record(*scope, mark)
                            };
                            self.caps.truncate(mark);
                            elems.push(v);
                            p = e;
                        }
                        _ => {
                            self.caps.truncate(mark);
                            break;
                        }
                    }
                    if self.gave_up {
                        return None;
                    }
                }
                (elems.len() >= n.min as usize && !self.gave_up)
                    .then(|| (p, Value::Array(elems.into())))
            }
            Kind::Kvp { body, scope } => {
                let names = &prog.scopes[*scope as usize];
                let key_slot = names.iter().position(|k| &**k == "key");
                let mut p = pos;
                let mut fields: Vec<(Arc<str>, Value)> = Vec::new();
                let mut count = 0u32;
                while count < n.max {
                    let mark = self.caps.len();
                    match self.item(*body, p) {
                        Some(e) if e > p => {
                            let vals = self.values(mark, names.len());
                            self.caps.truncate(mark);
                            let key = key_slot.and_then(|k| match &vals[k] {
                                Value::Str(s) => Some(s.clone()),
                                Value::Null => None,
                                other => Some(Arc::from(other.display().as_str())),
                            });
                            let value = names
                                .iter()
                                .zip(&vals)
                                .filter(|(n, _)| n.starts_with("value"))
                                .map(|(_, v)| v)
                                .find(|v| !v.is_null())
                                .cloned()
                                .unwrap_or(Value::Null);
                            if let Some(k) = key {
                                // A key given twice keeps its last value.
                                fields.retain(|(x, _)| *x != k);
                                fields.push((k, value));
                            }
                            count += 1;
                            p = e;
                        }
                        _ => {
                            self.caps.truncate(mark);
                            break;
                        }
                    }
                    if self.gave_up {
                        return None;
                    }
                }
                (count >= n.min && !self.gave_up).then(|| (p, record(fields)))
            }
            _ => None,
        }
    }

    /// A JSON value at `pos` (after optional whitespace), starting with `open` if given.
    fn json_text(&mut self, pos: usize, maxlen: usize, open: Option<u8>) -> Option<(usize, Value)> {
        let b = self.b;
        let mut start = pos;
        while start < self.end && matches!(b[start], b' ' | b'\t' | b'\n' | b'\r') {
            start += 1;
        }
        if let Some(o) = open {
            if b.get(start) != Some(&o) || start >= self.end {
                return None;
            }
        }
        let window = &self.text[start..self.end];
        let (len, v) = parse_prefix(window)?;
        if !self.step(len as u64) || len > maxlen {
            return None;
        }
        Some((start + len, v))
    }

    /// The values of a JSON object's specified members, in `spec.fields` order; `None` when a
    /// mandatory member is missing or does not convert.
    fn json_fields(&mut self, spec: &JsonSpec, obj: &Record) -> Option<Vec<Value>> {
        let mut out = Vec::with_capacity(spec.fields.len());
        let members = spec.members.as_deref().unwrap_or(&[]);
        for m in members {
            let v = obj.get(&m.name);
            let converted = match v {
                None => None,
                Some(Value::Null) => Some(Value::Null),
                Some(v) => self.convert(m.conv, v),
            };
            if self.gave_up || (m.mandatory && (converted.is_none() || v.is_none())) {
                return None;
            }
            if m.flat {
                let prog = self.prog;
                if let Kind::Json(inner) = &prog.nodes[m.conv.node as usize].kind {
                    match converted {
                        Some(Value::Record(r)) => {
                            out.extend(r.fields.iter().map(|(_, x)| x.clone()))
                        }
                        _ => out.extend(std::iter::repeat_n(Value::Null, inner.fields.len())),
                    }
                }
            } else if m.out.is_some() {
                out.push(converted.unwrap_or(Value::Null));
            }
        }
        if let Some(_g) = &spec.greedy {
            let rest: Vec<(Arc<str>, Value)> = obj
                .fields
                .iter()
                .filter(|(k, _)| !members.iter().any(|m| m.name == *k))
                .cloned()
                .collect();
            out.push(record(rest));
        }
        Some(out)
    }

    /// A JSON value read by a member's matcher; `None` when it does not convert.
    fn convert(&mut self, c: Conv, v: &Value) -> Option<Value> {
        if c.dims > 0 {
            let Value::Array(items) = v else {
                return None;
            };
            let inner = Conv {
                node: c.node,
                dims: c.dims - 1,
            };
            let mut out = Vec::with_capacity(items.len());
            for x in items.iter() {
                out.push(if x.is_null() {
                    Value::Null
                } else {
                    self.convert(inner, x)?
                });
            }
            return Some(Value::Array(out.into()));
        }
        let prog = self.prog;
        match &prog.nodes[c.node as usize].kind {
            Kind::Json(spec) => {
                let Value::Record(r) = v else {
                    return None;
                };
                if spec.members.is_none() {
                    return Some(v.clone());
                }
                let vals = self.json_fields(spec, r)?;
                Some(record(spec.fields.iter().cloned().zip(vals).collect()))
            }
            Kind::JsonArray { elem, .. } => match (v, elem) {
                (Value::Array(_), Some(e)) => self.convert_elements(*e, v),
                (Value::Array(_), None) => Some(v.clone()),
                _ => None,
            },
            Kind::JsonValue { conv, .. } => match conv {
                Some(inner) => self.convert(*inner, v),
                None => Some(v.clone()),
            },
            Kind::Bool => match v {
                Value::Bool(_) => Some(v.clone()),
                Value::Str(s) => self.full_match(c.node, s),
                _ => None,
            },
            Kind::Int { .. } | Kind::Float { .. } => match v {
                Value::Long(_) | Value::Double(_) => self.full_match(c.node, &v.to_json()),
                Value::Str(s) => self.full_match(c.node, s),
                _ => None,
            },
            Kind::Lazy(_) | Kind::Quoted { .. } => match v {
                Value::Str(_) => Some(v.clone()),
                Value::Long(_) | Value::Double(_) | Value::Bool(_) => {
                    Some(Value::str(&v.to_json()))
                }
                _ => None,
            },
            _ => match v {
                Value::Str(s) => self.full_match(c.node, s),
                Value::Long(_) | Value::Double(_) | Value::Bool(_) => {
                    self.full_match(c.node, &v.to_json())
                }
                _ => None,
            },
        }
    }

    /// Every element converted; `None` (so the whole array is null) when one does not.
    fn convert_elements(&mut self, c: Conv, v: &Value) -> Option<Value> {
        let Value::Array(items) = v else {
            return None;
        };
        let mut out = Vec::with_capacity(items.len());
        for x in items.iter() {
            out.push(if x.is_null() {
                Value::Null
            } else {
                self.convert(c, x)?
            });
        }
        Some(Value::Array(out.into()))
    }

    /// The node's value when it matches all of `text`.
    fn full_match(&mut self, node: NodeId, text: &str) -> Option<Value> {
        let mut sub = Run::new(self.prog, text, self.limit.saturating_sub(self.steps));
        let e = sub.item_value(node, 0);
        self.steps += sub.steps;
        if sub.gave_up {
            self.gave_up = true;
        }
        match e {
            Some((end, v)) if end == text.len() => Some(v),
            _ => None,
        }
    }

    /// Matches one node and gives its value (text-made or built).
    pub(super) fn item_value(&mut self, node: NodeId, pos: usize) -> Option<(usize, Value)> {
        let prog = self.prog;
        let n = &prog.nodes[node as usize];
        if n.kind.builds_value() {
            return self.composite(node, pos);
        }
        let (e, vs) = self.inner(node, pos)?;
        Some((e, text_value(prog, node, self.text, pos, vs, e)))
    }

    /// The values of the exports recorded since `mark`, by slot (later ones win).
    pub fn values(&self, mark: usize, slots: usize) -> Vec<Value> {
        let mut out = vec![Value::Null; slots];
        for c in &self.caps[mark..] {
            if let Some(v) = out.get_mut(c.slot as usize) {
                *v = match &c.value {
                    Some(x) => x.clone(),
                    None => text_value(
                        self.prog,
                        c.node,
                        self.text,
                        c.start as usize,
                        c.value_start as usize,
                        c.end as usize,
                    ),
                };
            }
        }
        out
    }

    fn scope_record(&self, scope: u32, mark: usize) -> Value {
        let names = &self.prog.scopes[scope as usize];
        let vals = self.values(mark, names.len());
        record(names.iter().cloned().zip(vals).collect())
    }
}

/// The JSON value at the start of `text` and its length in bytes; `None` if there is none.
pub fn parse_prefix(text: &str) -> Option<(usize, Value)> {
    let mut tape = Tape::default();
    let mut interner = Interner::default();
    let mut p = Parser::new(&mut tape, &mut interner, text.as_bytes());
    p.text_str = Some(text);
    p.value().ok()?;
    let len = p.pos;
    drop(p);
    let v = Doc {
        tape: &tape,
        interner: &interner,
    }
    .value(0);
    Some((len, v))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes() {
        let (len, v) = parse_prefix(r#"{"a":[1,2.5,"x"],"b":null} tail"#).unwrap();
        assert_eq!(len, 26);
        assert_eq!(v.member("a").element(1), Value::Double(2.5));
        assert_eq!(parse_prefix("[1, 2]x").map(|(l, _)| l), Some(6));
        assert_eq!(parse_prefix("{\"a\":").map(|(l, _)| l), None);
        assert_eq!(parse_prefix("nope"), None);
    }
}
