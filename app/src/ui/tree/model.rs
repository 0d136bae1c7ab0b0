//! The record tree's model: paths and DQL filter lines, the flattened tree, and search.
//!
//! Pure code (no DOM), so it is tested on the host.

use std::collections::HashSet;

use serde_json::Value;

use crate::ui::json::Json;

/// A path into a record, and its DQL text: the engine's own quoting.
pub use trailscope_engine::syntax::quote::{path as path_text, PathStep};

/// A DQL string literal, spelled as the engine's lexer reads it back.
pub fn string_literal(s: &str) -> String {
    trailscope_engine::syntax::quote::string(s)
}

/// One DQL pipeline line keeping (`exclude == false`) or dropping the records whose value at
/// `path` equals `value`: `| filter event[userIdentity][arn] == "arn:…"`. Null uses
/// `isNull(path)`, and dropping nulls keeps `isNotNull(path)`. Arrays and records (which the
/// tree offers no filter for) compare their JSON text through `toString()`. The record's
/// `timestamp` is a timestamp, not a string: its text goes through `toTimestamp()`.
pub fn filter_line(path: &[PathStep], value: &Value, exclude: bool) -> String {
    let is_record_timestamp = matches!(path, [PathStep::Key(k)] if k == "timestamp");
    let path = path_text(path);
    let command = if exclude { "filterOut" } else { "filter" };
    match value {
        Value::String(s) if is_record_timestamp => {
            format!("| {command} {path} == toTimestamp({})", string_literal(s))
        }
        Value::Null if exclude => format!("| filter isNotNull({path})"),
        Value::Null => format!("| filter isNull({path})"),
        Value::Bool(b) => format!("| {command} {path} == {b}"),
        Value::Number(n) => format!("| {command} {path} == {n}"),
        Value::String(s) => format!("| {command} {path} == {}", string_literal(s)),
        Value::Array(_) | Value::Object(_) => {
            format!(
                "| {command} toString({path}) == {}",
                string_literal(&value.to_string())
            )
        }
    }
}

/// What a node holds.
#[derive(Clone, Debug, PartialEq)]
pub enum NodeKind {
    Leaf(Value),
    Array(usize),
    Object(usize),
}

/// One node of the flattened tree.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    /// Its key in the parent (the field name at the top level).
    pub label: PathStep,
    pub kind: NodeKind,
    /// `aria-level`: 1 for a top-level field.
    pub level: usize,
    pub parent: Option<usize>,
    pub children: Vec<usize>,
    /// 1-based position among its siblings, and how many siblings there are.
    pub posinset: usize,
    pub setsize: usize,
    /// One past its last descendant: nodes are in pre-order, so a subtree is `id..end`.
    pub end: usize,
}

impl Node {
    pub fn is_container(&self) -> bool {
        !matches!(self.kind, NodeKind::Leaf(_))
    }

    /// The key as shown: the name, or the array index.
    pub fn key_text(&self) -> String {
        match &self.label {
            PathStep::Key(k) => k.clone(),
            PathStep::Index(i) => i.to_string(),
        }
    }

    /// The value as shown on its line: strings as they are (not quoted or escaped: the text is
    /// what the log holds, its colour says it is a string), other scalars as JSON, a size for
    /// arrays and objects.
    pub fn value_text(&self) -> String {
        match &self.kind {
            NodeKind::Leaf(Value::String(s)) => s.clone(),
            NodeKind::Leaf(v) => v.to_string(),
            NodeKind::Array(1) => "[…] 1 item".into(),
            NodeKind::Array(n) => format!("[…] {n} items"),
            NodeKind::Object(1) => "{…} 1 field".into(),
            NodeKind::Object(n) => format!("{{…}} {n} fields"),
        }
    }
}

/// The nodes matching a search and what must stay on screen for them.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Search {
    pub matches: Vec<usize>,
    /// Matches, their ancestors and their descendants.
    pub shown: HashSet<usize>,
    /// Ancestors of matches: expanded so the matches can be seen.
    pub ancestors: HashSet<usize>,
}

/// A record as a flat, pre-order list of nodes.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RecordTree {
    pub nodes: Vec<Node>,
}

impl RecordTree {
    /// The tree of a record (a JSON object); its fields are the top-level nodes.
    pub fn build(json: &Json) -> Result<RecordTree, String> {
        let Json::Object(fields) = json else {
            return Err("the record is not a JSON object".into());
        };
        let mut tree = RecordTree::default();
        for (i, (key, value)) in fields.iter().enumerate() {
            tree.add(
                PathStep::Key(key.clone()),
                value,
                None,
                (i + 1, fields.len()),
            );
        }
        Ok(tree)
    }

    fn add(
        &mut self,
        label: PathStep,
        value: &Json,
        parent: Option<usize>,
        pos: (usize, usize),
    ) -> usize {
        let id = self.nodes.len();
        let level = parent.map_or(1, |p| self.nodes[p].level + 1);
        let kind = match value {
            Json::Array(items) => NodeKind::Array(items.len()),
            Json::Object(fields) => NodeKind::Object(fields.len()),
            scalar => NodeKind::Leaf(scalar.scalar().unwrap_or(Value::Null)),
        };
        self.nodes.push(Node {
            label,
            kind,
            level,
            parent,
            children: Vec::new(),
            posinset: pos.0,
            setsize: pos.1,
            end: id + 1,
        });
        let children: Vec<(PathStep, &Json)> = match value {
            Json::Array(items) => items
                .iter()
                .enumerate()
                .map(|(i, v)| (PathStep::Index(i), v))
                .collect(),
            Json::Object(fields) => fields
                .iter()
                .map(|(k, v)| (PathStep::Key(k.clone()), v))
                .collect(),
            _ => Vec::new(),
        };
        let count = children.len();
        for (i, (step, child)) in children.into_iter().enumerate() {
            let c = self.add(step, child, Some(id), (i + 1, count));
            self.nodes[id].children.push(c);
        }
        self.nodes[id].end = self.nodes.len();
        id
    }

    /// The path from the record to node `id`.
    pub fn path(&self, id: usize) -> Vec<PathStep> {
        let mut path = Vec::new();
        let mut at = Some(id);
        while let Some(n) = at {
            path.push(self.nodes[n].label.clone());
            at = self.nodes[n].parent;
        }
        path.reverse();
        path
    }

    /// Node `id` and everything under it, as JSON.
    pub fn value(&self, id: usize) -> Json {
        let node = &self.nodes[id];
        let children = || node.children.iter().map(|&c| self.value(c));
        match &node.kind {
            NodeKind::Leaf(Value::Bool(b)) => Json::Bool(*b),
            NodeKind::Leaf(Value::Number(n)) => Json::Number(n.clone()),
            NodeKind::Leaf(Value::String(s)) => Json::String(s.clone()),
            NodeKind::Leaf(_) => Json::Null,
            NodeKind::Array(_) => Json::Array(children().collect()),
            NodeKind::Object(_) => Json::Object(
                node.children
                    .iter()
                    .map(|&c| (self.nodes[c].key_text(), self.value(c)))
                    .collect(),
            ),
        }
    }

    /// Every node that has children of its own to show.
    pub fn containers(&self) -> HashSet<usize> {
        (0..self.nodes.len())
            .filter(|&i| self.nodes[i].is_container())
            .collect()
    }

    /// What is open when a record is first shown: the parsed CloudTrail `event`, all the way
    /// down (it is what an investigator reads); the other fields stay collapsed.
    pub fn default_expanded(&self) -> HashSet<usize> {
        let event = self.nodes.iter().position(|n| {
            n.level == 1 && n.is_container() && n.label == PathStep::Key("event".into())
        });
        event.map_or_else(HashSet::new, |e| {
            (e..self.nodes[e].end)
                .filter(|&i| self.nodes[i].is_container())
                .collect()
        })
    }

    /// The nodes on screen, top to bottom: those whose ancestors are all expanded (and, while
    /// searching, that are in `shown`).
    pub fn visible(&self, expanded: &HashSet<usize>, shown: Option<&HashSet<usize>>) -> Vec<usize> {
        let mut out = Vec::new();
        let mut i = 0;
        while i < self.nodes.len() {
            let node = &self.nodes[i];
            if shown.is_some_and(|s| !s.contains(&i)) {
                i = node.end;
                continue;
            }
            out.push(i);
            i = if node.is_container() && !expanded.contains(&i) {
                node.end
            } else {
                i + 1
            };
        }
        out
    }

    /// Nodes whose key or shown value contains `query` (ASCII letters in any case).
    pub fn search(&self, query: &str) -> Search {
        let mut search = Search::default();
        if query.is_empty() {
            return search;
        }
        for (i, node) in self.nodes.iter().enumerate() {
            let hit = |text: &str| find_all(text, query).next().is_some();
            let value_hit = matches!(node.kind, NodeKind::Leaf(_)) && hit(&node.value_text());
            if !(hit(&node.key_text()) || value_hit) {
                continue;
            }
            search.matches.push(i);
            search.shown.extend(i..node.end);
            let mut at = node.parent;
            while let Some(p) = at {
                search.ancestors.insert(p);
                search.shown.insert(p);
                at = self.nodes[p].parent;
            }
        }
        search
    }
}

/// Byte ranges of the non-overlapping matches of `query` in `text`, ASCII case-insensitively
/// (lowercasing only ASCII keeps byte offsets, and UTF-8 matches fall on character boundaries).
fn find_all<'a>(text: &'a str, query: &'a str) -> impl Iterator<Item = (usize, usize)> + 'a {
    let hay = text.to_ascii_lowercase();
    let needle = query.to_ascii_lowercase();
    let mut from = 0;
    std::iter::from_fn(move || {
        if needle.is_empty() {
            return None;
        }
        let at = from + hay.get(from..)?.find(&needle)?;
        from = at + needle.len();
        Some((at, from))
    })
}

/// `text` cut into plain and matching pieces, in order.
pub fn split_matches(text: &str, query: &str) -> Vec<(bool, String)> {
    let mut out = Vec::new();
    let mut last = 0;
    for (start, end) in find_all(text, query) {
        if start > last {
            out.push((false, text[last..start].to_string()));
        }
        out.push((true, text[start..end].to_string()));
        last = end;
    }
    if last < text.len() || out.is_empty() {
        out.push((false, text[last..].to_string()));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// `#3` is array index 3, anything else a key.
    fn path(steps: &[&str]) -> Vec<PathStep> {
        steps
            .iter()
            .map(|s| match s.strip_prefix('#') {
                Some(n) => PathStep::Index(n.parse().unwrap()),
                None => PathStep::Key(s.to_string()),
            })
            .collect()
    }

    #[test]
    fn filter_lines() {
        let arn = json!("arn:aws:iam::1:user/x");
        let cases: &[(&[&str], Value, bool, &str)] = &[
            (
                &["event", "userIdentity", "arn"],
                arn.clone(),
                false,
                r#"| filter event[userIdentity][arn] == "arn:aws:iam::1:user/x""#,
            ),
            (
                &["event", "userIdentity", "arn"],
                arn,
                true,
                r#"| filterOut event[userIdentity][arn] == "arn:aws:iam::1:user/x""#,
            ),
            (
                &["event", "readOnly"],
                json!(true),
                false,
                "| filter event[readOnly] == true",
            ),
            (
                &["event", "resources", "#0", "accountId"],
                json!(42),
                true,
                "| filterOut event[resources][0][accountId] == 42",
            ),
            (
                &["duration"],
                json!(-1.5),
                false,
                "| filter duration == -1.5",
            ),
            (
                &["event", "errorCode"],
                Value::Null,
                false,
                "| filter isNull(event[errorCode])",
            ),
            (
                &["event", "errorCode"],
                Value::Null,
                true,
                "| filter isNotNull(event[errorCode])",
            ),
            (
                &["event", "userAgent"],
                json!("a\"b\\c\nd"),
                false,
                r#"| filter event[userAgent] == "a\"b\\c\nd""#,
            ),
            (
                &["aws.service"],
                json!("s3"),
                false,
                r#"| filter aws.service == "s3""#,
            ),
            (&["my field"], json!(1), false, "| filter `my field` == 1"),
            (&["3d"], json!(1), false, "| filter `3d` == 1"),
            (&["NULL"], json!(1), false, "| filter `NULL` == 1"),
            (&["mod"], json!(1), false, "| filter `mod` == 1"),
            (
                &["event", "requestParameters", "x-amz-id"],
                json!("v"),
                false,
                r#"| filter event[requestParameters][`x-amz-id`] == "v""#,
            ),
            (
                &["event", "null"],
                json!(1),
                false,
                "| filter event[null] == 1",
            ),
            (&["event", "0"], json!(1), false, "| filter event[`0`] == 1"),
            (
                &["event", "a`b\\c"],
                json!(1),
                false,
                r"| filter event[`a\`b\\c`] == 1",
            ),
            (
                &["event", "trailing."],
                json!(1),
                false,
                "| filter event[`trailing.`] == 1",
            ),
            (&["event", ""], json!(1), false, "| filter event[``] == 1"),
            (
                &["timestamp"],
                json!("2026-11-20T11:00:00Z"),
                false,
                r#"| filter timestamp == toTimestamp("2026-11-20T11:00:00Z")"#,
            ),
            (
                &["event", "eventTime"],
                json!("2026-11-20T11:00:00Z"),
                true,
                r#"| filterOut event[eventTime] == "2026-11-20T11:00:00Z""#,
            ),
        ];
        for (steps, value, exclude, want) in cases {
            assert_eq!(
                &filter_line(&path(steps), value, *exclude),
                want,
                "{steps:?}"
            );
        }
    }

    #[test]
    fn control_characters_stay_on_one_line() {
        assert_eq!(string_literal("a\u{1}b\tc"), r#""a\u0001b\tc""#);
    }

    fn sample() -> RecordTree {
        let json = Json::parse(
            r#"{"timestamp":"2024-01-01T00:00:00Z","event":{"eventName":"AssumeRole","userIdentity":{"arn":"arn:x","type":"IAMUser"},"resources":[{"ARN":"r1"},{"ARN":"r2"}]},"content":"{}","tags":{"k":"v"}}"#,
        )
        .unwrap();
        RecordTree::build(&json).unwrap()
    }

    #[test]
    fn the_event_starts_expanded() {
        let t = sample();
        let open = t.default_expanded();
        let keys: Vec<String> = t
            .visible(&open, None)
            .iter()
            .map(|&i| t.nodes[i].key_text())
            .collect();
        assert_eq!(
            keys,
            [
                "timestamp",
                "event",
                "eventName",
                "userIdentity",
                "arn",
                "type",
                "resources",
                "0",
                "ARN",
                "1",
                "ARN",
                "content",
                "tags"
            ]
        );
        let all = t.visible(&t.containers(), None);
        assert_eq!(all.len(), t.nodes.len());
    }

    #[test]
    fn paths_and_values_come_back_out() {
        let t = sample();
        let r2 = t.nodes.iter().position(|n| n.value_text() == "r2").unwrap();
        assert_eq!(path_text(&t.path(r2)), "event[resources][1][ARN]");
        assert_eq!(t.nodes[r2].level, 4);
        let event = t
            .nodes
            .iter()
            .position(|n| n.key_text() == "event")
            .unwrap();
        assert_eq!(
            t.value(event).compact(),
            r#"{"eventName":"AssumeRole","userIdentity":{"arn":"arn:x","type":"IAMUser"},"resources":[{"ARN":"r1"},{"ARN":"r2"}]}"#
        );
    }

    #[test]
    fn search_shows_matches_with_their_ancestors() {
        let t = sample();
        let s = t.search("iamUSER");
        assert_eq!(s.matches.len(), 1);
        let mut open = HashSet::new();
        open.extend(s.ancestors.iter().copied());
        let keys: Vec<String> = t
            .visible(&open, Some(&s.shown))
            .iter()
            .map(|&i| t.nodes[i].key_text())
            .collect();
        assert_eq!(keys, ["event", "userIdentity", "type"]);
        assert!(t.search("").matches.is_empty());
    }

    #[test]
    fn matches_split_text_for_highlighting() {
        assert_eq!(
            split_matches("AssumeRole assume", "ASSUME"),
            [
                (true, "Assume".into()),
                (false, "Role ".into()),
                (true, "assume".into())
            ]
        );
        assert_eq!(
            split_matches("héllo", "LLO"),
            [(false, "hé".into()), (true, "llo".into())]
        );
        assert_eq!(split_matches("", "x"), [(false, String::new())]);
    }
}
