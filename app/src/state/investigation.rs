//! A case's investigation (issue 14): its query tree (every run a node; a run from a node
//! becomes its child), its evidence lists and its reference event, as operations on
//! [`Cases`]. The types and their limits are the share crate's ([`QueryNode`],
//! [`EvidenceList`], [`Reference`]), so what the page stores is what a case file carries.

use trailscope_share::investigation::{
    parse_items, EvidenceList, QueryNode, Reference, MAX_LISTS, MAX_LIST_ITEMS, MAX_NODES,
    NODE_COLORS,
};
use trailscope_share::TimeFrame as Portable;

use super::cases::{Case, Cases};
use crate::protocol::{Cell, ResultInfo};
use crate::state::RowCache;
use trailscope_engine::time::parse_timestamp;

/// The name of the column the grid adds to a time-ordered result while the case has a
/// reference event.
pub const DELTA_COLUMN: &str = "Δ reference";

/// The list values go to when none is chosen and the case has none.
pub const DEFAULT_LIST: &str = "Evidence values";

/// One node as the tree panel draws it: depth-first order with its level (1 for a root).
#[derive(Clone, Debug, PartialEq)]
pub struct TreeRow {
    pub node: QueryNode,
    pub level: usize,
    pub children: usize,
}

impl Case {
    fn node_mut(&mut self, id: u64) -> Option<&mut QueryNode> {
        self.tree.iter_mut().find(|n| n.id == id)
    }

    pub fn node(&self, id: u64) -> Option<&QueryNode> {
        self.tree.iter().find(|n| n.id == id)
    }

    /// The tree in depth-first order (children in the order they were run), with levels:
    /// what the tree panel lists. Iterative, so a deep tree cannot overflow the stack.
    pub fn tree_rows(&self) -> Vec<TreeRow> {
        let mut out = Vec::with_capacity(self.tree.len());
        let children = |p: Option<u64>| {
            self.tree
                .iter()
                .filter(move |n| n.parent == p)
                .collect::<Vec<_>>()
        };
        let mut stack: Vec<(&QueryNode, usize)> =
            children(None).into_iter().rev().map(|n| (n, 1)).collect();
        while let Some((n, level)) = stack.pop() {
            let kids = children(Some(n.id));
            out.push(TreeRow {
                node: n.clone(),
                level,
                children: kids.len(),
            });
            stack.extend(kids.into_iter().rev().map(|k| (k, level + 1)));
        }
        out
    }
}

/// A node's title in the tree: its name, or its query's last line (the step just taken).
pub fn node_title(n: &QueryNode) -> String {
    if !n.name.is_empty() {
        return n.name.clone();
    }
    let last = n
        .query
        .lines()
        .map(str::trim)
        .rfind(|l| !l.is_empty())
        .unwrap_or("(empty query)");
    if last.chars().count() > 120 {
        let cut: String = last.chars().take(119).collect();
        format!("{cut}…")
    } else {
        last.to_string()
    }
}

impl Cases {
    /// Query `query` runs in case `case` over `timeframe`: the selected node when it is that
    /// same query and time frame (a re-run), otherwise a new child of the selected node (a
    /// root when none is selected), which becomes the selected one. Returns the node's id.
    /// A full tree ([`MAX_NODES`]) re-uses the selected node rather than refusing the run.
    pub fn record_node(
        &mut self,
        case: u64,
        query: &str,
        timeframe: Portable,
        now: &str,
    ) -> Option<u64> {
        let c = self.get_mut(case)?;
        let current = c.current.and_then(|id| c.node(id).map(|n| n.id));
        let same = current
            .and_then(|id| c.node(id))
            .is_some_and(|n| n.query == query && n.timeframe.as_ref() == Some(&timeframe));
        let id = match current {
            Some(id) if same || c.tree.len() >= MAX_NODES => {
                if let Some(n) = c.node_mut(id) {
                    n.query = query.to_string();
                    n.timeframe = Some(timeframe);
                }
                id
            }
            _ => {
                let id = c.tree.iter().map(|n| n.id).max().unwrap_or(0) + 1;
                let depth_ok = current
                    .is_none_or(|p| depth(c, p) < trailscope_share::investigation::MAX_DEPTH);
                c.tree.push(QueryNode {
                    id,
                    parent: if depth_ok {
                        current
                    } else {
                        c.node(current?).and_then(|n| n.parent)
                    },
                    query: query.to_string(),
                    timeframe: Some(timeframe),
                    ..QueryNode::default()
                });
                id
            }
        };
        if let Some(n) = c.node_mut(id) {
            n.ran = Some(now.to_string());
            n.rows = None;
        }
        c.current = Some(id);
        Some(id)
    }

    /// Node `node`'s run gave `rows` rows.
    pub fn set_node_rows(&mut self, case: u64, node: u64, rows: u64) {
        if let Some(n) = self.get_mut(case).and_then(|c| c.node_mut(node)) {
            n.rows = Some(rows);
        }
    }

    /// Selects node `node` of case `case`: the editor shows its query. Returns the node.
    pub fn select_node(&mut self, case: u64, node: u64) -> Option<QueryNode> {
        let c = self.get_mut(case)?;
        let n = c.node(node)?.clone();
        c.current = Some(node);
        c.query = n.query.clone();
        Some(n)
    }

    /// Renames a node (blank: back to its query's last line).
    pub fn rename_node(&mut self, case: u64, node: u64, name: &str) {
        if let Some(n) = self.get_mut(case).and_then(|c| c.node_mut(node)) {
            n.name = name.trim().chars().take(200).collect();
        }
    }

    /// Colours a node with one of [`NODE_COLORS`] (anything else clears it).
    pub fn color_node(&mut self, case: u64, node: u64, color: &str) {
        if let Some(n) = self.get_mut(case).and_then(|c| c.node_mut(node)) {
            n.color = NODE_COLORS.contains(&color).then(|| color.to_string());
        }
    }

    pub fn annotate_node(&mut self, case: u64, node: u64, note: &str) -> bool {
        match self.get_mut(case).and_then(|c| c.node_mut(node)) {
            Some(n) if n.note != note => {
                n.note = note.to_string();
                true
            }
            _ => false,
        }
    }

    /// Deletes a node; its children move up to its parent (so the paths tried stay). The
    /// selection moves to the parent.
    pub fn delete_node(&mut self, case: u64, node: u64) {
        let Some(c) = self.get_mut(case) else {
            return;
        };
        let Some(i) = c.tree.iter().position(|n| n.id == node) else {
            return;
        };
        let parent = c.tree.remove(i).parent;
        for n in c.tree.iter_mut().filter(|n| n.parent == Some(node)) {
            n.parent = parent;
        }
        if c.current == Some(node) {
            c.current = parent;
        }
    }

    // -----------------------------------------------------------------------------------------
    // Evidence lists

    /// Adds an empty list named `name` to case `case`; `Err` says why not.
    pub fn add_list(&mut self, case: u64, name: &str) -> Result<(), String> {
        let c = self.get_mut(case).ok_or("no such case")?;
        let name = name.trim();
        if name.is_empty() {
            return Err("Give the list a name.".into());
        }
        if c.lists.iter().any(|l| l.name == name) {
            return Err(format!("There is a list “{name}” already."));
        }
        if c.lists.len() >= MAX_LISTS {
            return Err(format!("A case holds at most {MAX_LISTS} lists."));
        }
        let list = EvidenceList {
            name: name.to_string(),
            items: Vec::new(),
        };
        trailscope_share::investigation::validate_lists(std::slice::from_ref(&list))
            .map_err(|e| e.to_string())?;
        c.lists.push(list);
        Ok(())
    }

    pub fn delete_list(&mut self, case: u64, list: &str) {
        if let Some(c) = self.get_mut(case) {
            c.lists.retain(|l| l.name != list);
        }
    }

    /// Adds `items` (text or CSV, see [`parse_items`]) to list `list` of case `case` (made when
    /// missing); items already on it are skipped. Returns how many were added.
    pub fn add_items(&mut self, case: u64, list: &str, text: &str) -> Result<usize, String> {
        let items = parse_items(text).map_err(|e| e.to_string())?;
        if self
            .get(case)
            .is_some_and(|c| !c.lists.iter().any(|l| l.name == list))
        {
            self.add_list(case, list)?;
        }
        let l = self
            .get_mut(case)
            .and_then(|c| c.lists.iter_mut().find(|l| l.name == list))
            .ok_or("no such list")?;
        let mut added = 0;
        for item in items {
            if l.items.contains(&item) {
                continue;
            }
            if l.items.len() >= MAX_LIST_ITEMS {
                return Err(format!(
                    "A list holds at most {MAX_LIST_ITEMS} items ({added} added)."
                ));
            }
            l.items.push(item);
            added += 1;
        }
        Ok(added)
    }

    /// Adds one value (a table cell, a record tree leaf) to list `list` (made when missing).
    /// Returns whether it was new.
    pub fn add_value(&mut self, case: u64, list: &str, value: &str) -> Result<bool, String> {
        let value = value.trim();
        let probe = EvidenceList {
            name: list.to_string(),
            items: vec![value.to_string()],
        };
        trailscope_share::investigation::validate_lists(std::slice::from_ref(&probe))
            .map_err(|e| e.to_string())?;
        if self
            .get(case)
            .is_some_and(|c| !c.lists.iter().any(|l| l.name == list))
        {
            self.add_list(case, list)?;
        }
        let l = self
            .get_mut(case)
            .and_then(|c| c.lists.iter_mut().find(|l| l.name == list))
            .ok_or("no such list")?;
        if l.items.iter().any(|i| i == value) {
            return Ok(false);
        }
        if l.items.len() >= MAX_LIST_ITEMS {
            return Err(format!("A list holds at most {MAX_LIST_ITEMS} items."));
        }
        l.items.push(value.to_string());
        Ok(true)
    }

    /// The list added values go to: `wanted` when case `case` has it, else its first list, else
    /// [`DEFAULT_LIST`].
    pub fn target_list(&self, case: u64, wanted: &str) -> String {
        let lists = self.get(case).map(|c| c.lists.as_slice()).unwrap_or(&[]);
        if lists.iter().any(|l| l.name == wanted) {
            wanted.to_string()
        } else {
            lists
                .first()
                .map_or(DEFAULT_LIST.to_string(), |l| l.name.clone())
        }
    }

    pub fn remove_item(&mut self, case: u64, list: &str, item: &str) {
        if let Some(l) = self
            .get_mut(case)
            .and_then(|c| c.lists.iter_mut().find(|l| l.name == list))
        {
            l.items.retain(|i| i != item);
        }
    }

    // -----------------------------------------------------------------------------------------
    // Reference event

    /// Marks the reference event of case `case` (`None` clears it).
    pub fn set_reference(&mut self, case: u64, reference: Option<Reference>) {
        if let Some(c) = self.get_mut(case) {
            c.reference = reference.filter(|r| r.validate().is_ok());
        }
    }
}

/// A signed distance in time as the Δ column shows it: `+1 h 2 min 3 s`, `−250 ms`, `0 s`.
pub fn fmt_delta(ns: i64) -> String {
    if ns == 0 {
        return "0 s".into();
    }
    let sign = if ns < 0 { "−" } else { "+" };
    let a = ns.unsigned_abs();
    const S: u64 = 1_000_000_000;
    if a < S {
        let ms = a / 1_000_000;
        return if ms > 0 {
            format!("{sign}{ms} ms")
        } else {
            format!("{sign}{} µs", a / 1_000)
        };
    }
    let secs = a / S;
    let (d, h, m, s) = (secs / 86_400, secs / 3_600 % 24, secs / 60 % 60, secs % 60);
    let mut parts = Vec::new();
    if d > 0 {
        parts.push(format!("{d} d"));
    }
    if h > 0 {
        parts.push(format!("{h} h"));
    }
    if m > 0 {
        parts.push(format!("{m} min"));
    }
    if s > 0 && d == 0 {
        parts.push(format!("{s} s"));
    }
    format!("{sign}{}", parts.join(" "))
}

/// The reference event's time, in ns.
pub fn reference_ns(r: &Reference) -> Option<i64> {
    parse_timestamp(&r.time)
}

/// Where a result's `timestamp` column is: the result is time-ordered, so the grid adds the
/// Δ column after it.
pub fn timestamp_column(r: &ResultInfo) -> Option<usize> {
    r.columns.iter().position(|c| c == "timestamp")
}

fn delta_cell(row: &[Cell], col: usize, reference: i64) -> Cell {
    let text = row
        .get(col)
        .and_then(|c| parse_timestamp(&c.text))
        .map(|t| fmt_delta(t - reference))
        .unwrap_or_default();
    Cell {
        text,
        kind: "duration".into(),
    }
}

/// `r` with the Δ column at its end (its cells computed on the page from each row's timestamp):
/// `None` when it has no `timestamp` column.
pub fn with_delta(r: &ResultInfo, reference: i64) -> Option<ResultInfo> {
    let col = timestamp_column(r)?;
    let mut out = r.clone();
    out.columns.push(DELTA_COLUMN.into());
    for row in &mut out.first_rows {
        let cell = delta_cell(row, col, reference);
        row.push(cell);
    }
    Some(out)
}

/// The rows of a cache with the Δ cell at the end of each.
pub fn rows_with_delta(cache: &RowCache, col: usize, reference: i64) -> RowCache {
    let mut out = cache.clone();
    for row in out.rows.values_mut() {
        let cell = delta_cell(row, col, reference);
        row.push(cell);
    }
    out
}

/// What "surrounding events" match on: the event's principal, session (access key) or source IP.
pub fn surrounding_path(by: &str) -> Option<(&'static [&'static str], &'static str)> {
    match by {
        "principal" => Some((&["userIdentity", "arn"], "principal")),
        "session" => Some((&["userIdentity", "accessKeyId"], "session")),
        "ip" => Some((&["sourceIPAddress"], "source IP")),
        _ => None,
    }
}

/// The query for the events around a record that share its principal (or session, or source
/// IP), and the record's time (ns), for a time frame of ±N minutes around it. The record's
/// event is `source` (the whole event) or the record's own `event` field, or the record itself.
pub fn surrounding_query(
    record: &str,
    source: Option<&str>,
    by: &str,
) -> Result<(String, i64), String> {
    use trailscope_engine::syntax::quote;
    let (path, what) = surrounding_path(by).ok_or("unknown kind of surrounding events")?;
    let parse = |t: &str| serde_json::from_str::<serde_json::Value>(t).ok();
    let rec = parse(record).ok_or("the record is not JSON")?;
    let event = source
        .and_then(parse)
        .or_else(|| rec.get("event").cloned())
        .unwrap_or_else(|| rec.clone());
    let mut v = &event;
    for key in path {
        v = v
            .get(key)
            .ok_or_else(|| format!("this event has no {what}"))?;
    }
    let value = v
        .as_str()
        .ok_or_else(|| format!("this event's {what} is not text"))?;
    let time = trailscope_share::investigation::record_time(record, source)
        .and_then(|t| parse_timestamp(&t))
        .ok_or("this record has no event time")?;
    let field: String = std::iter::once("event".to_string())
        .chain(path.iter().map(|k| format!("[{k}]")))
        .collect();
    let query = format!(
        "fetch logs\n| filter aws.service == \"cloudtrail\"\n| parse content, \"JSON:event\"\n| filter {field} == {}\n| fields timestamp, eventName = event[eventName], eventSource = event[eventSource], principal = event[userIdentity][arn], sourceIPAddress = event[sourceIPAddress], errorCode = event[errorCode]\n| sort timestamp asc",
        quote::string(value)
    );
    Ok((query, time))
}

fn depth(c: &Case, mut id: u64) -> usize {
    let mut d = 0;
    while let Some(n) = c.node(id) {
        d += 1;
        match n.parent {
            Some(p) if d <= MAX_NODES => id = p,
            _ => break,
        }
    }
    d
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tf(last_min: i64) -> Portable {
        Portable {
            last_ns: Some(last_min * 60_000_000_000),
            ..Portable::default()
        }
    }

    fn shape(c: &Cases) -> Vec<(u64, Option<u64>, usize)> {
        c.get(1)
            .unwrap()
            .tree_rows()
            .iter()
            .map(|r| (r.node.id, r.node.parent, r.level))
            .collect()
    }

    #[test]
    fn runs_grow_a_tree_from_the_selected_node() {
        let mut c = Cases::default();
        let t = "2026-11-20T10:00:00Z";
        assert_eq!(c.record_node(1, "a", tf(30), t), Some(1));
        assert_eq!(
            c.record_node(1, "a", tf(30), t),
            Some(1),
            "same query: a re-run"
        );
        assert_eq!(c.record_node(1, "a | b", tf(30), t), Some(2));
        assert_eq!(
            c.record_node(1, "a | b", tf(60), t),
            Some(3),
            "new time frame"
        );
        c.select_node(1, 1).unwrap();
        assert_eq!(c.query(1), "a");
        assert_eq!(c.record_node(1, "a | c", tf(30), t), Some(4));
        c.set_node_rows(1, 4, 12);
        assert_eq!(
            shape(&c),
            [
                (1, None, 1),
                (2, Some(1), 2),
                (3, Some(2), 3),
                (4, Some(1), 2)
            ]
        );
        let rows = c.get(1).unwrap().tree_rows();
        assert_eq!(rows[3].node.rows, Some(12));
        assert_eq!(rows[0].children, 2);
        assert_eq!(node_title(&rows[3].node), "a | c");
        // Deleting a node hands its children to its parent.
        c.delete_node(1, 2);
        assert_eq!(shape(&c), [(1, None, 1), (3, Some(1), 2), (4, Some(1), 2)]);
        assert_eq!(c.get(1).unwrap().current, Some(4));
        c.delete_node(1, 4);
        assert_eq!(c.get(1).unwrap().current, Some(1));
        // What the page keeps is a valid tree for a case file.
        let data = c.get(1).unwrap().to_data(Portable::default());
        assert_eq!(data.validate(), Ok(()));
    }

    #[test]
    fn nodes_are_named_coloured_and_annotated_within_limits() {
        let mut c = Cases::default();
        c.record_node(1, "fetch logs\n| limit 3", tf(30), "2026-11-20T10:00:00Z");
        c.rename_node(1, 1, "  First three ");
        c.color_node(1, 1, "red");
        assert!(c.annotate_node(1, 1, "odd"));
        assert!(!c.annotate_node(1, 1, "odd"));
        let n = c.get(1).unwrap().node(1).unwrap().clone();
        assert_eq!(
            (n.name.as_str(), n.color.as_deref(), n.note.as_str()),
            ("First three", Some("red"), "odd")
        );
        c.color_node(1, 1, "url(javascript:x)");
        assert_eq!(c.get(1).unwrap().node(1).unwrap().color, None);
        c.rename_node(1, 1, "");
        assert_eq!(node_title(c.get(1).unwrap().node(1).unwrap()), "| limit 3");
    }

    #[test]
    fn a_full_tree_reuses_the_selected_node() {
        let mut c = Cases::default();
        for i in 0..MAX_NODES + 3 {
            c.select_node(1, 1);
            c.record_node(1, &format!("q{i}"), tf(30), "2026-11-20T10:00:00Z");
        }
        assert_eq!(c.get(1).unwrap().tree.len(), MAX_NODES);
    }

    #[test]
    fn evidence_lists_collect_values() {
        let mut c = Cases::default();
        assert_eq!(
            c.add_items(1, "Suspicious IPs", "203.0.113.7\n10.0.0.0/8"),
            Ok(2)
        );
        assert_eq!(
            c.add_items(1, "Suspicious IPs", "203.0.113.7\n198.51.100.1"),
            Ok(1)
        );
        assert!(c
            .add_list(1, "Suspicious IPs")
            .unwrap_err()
            .contains("already"));
        assert!(c.add_list(1, " ").is_err());
        assert!(c
            .add_items(1, "x", "bad\u{202e}")
            .unwrap_err()
            .contains("U+202E"));
        c.remove_item(1, "Suspicious IPs", "10.0.0.0/8");
        let l = &c.get(1).unwrap().lists[0];
        assert_eq!(l.items, ["203.0.113.7", "198.51.100.1"]);
        c.delete_list(1, "Suspicious IPs");
        assert!(c
            .get(1)
            .unwrap()
            .lists
            .iter()
            .all(|l| l.name != "Suspicious IPs"));
    }

    #[test]
    fn surrounding_events_share_a_principal_session_or_address() {
        let source = r#"{"eventTime":"2026-11-20T10:00:00Z","sourceIPAddress":"203.0.113.7","userIdentity":{"arn":"arn:aws:iam::1:user/a\"b","accessKeyId":"ASIAX"}}"#;
        let (q, t) = surrounding_query(r#"{"n":1}"#, Some(source), "principal").unwrap();
        assert!(
            q.contains(r#"| filter event[userIdentity][arn] == "arn:aws:iam::1:user/a\"b""#),
            "{q}"
        );
        assert_eq!(t, parse_timestamp("2026-11-20T10:00:00Z").unwrap());
        let (q, _) = surrounding_query(source, None, "session").unwrap();
        assert!(q.contains(r#"event[userIdentity][accessKeyId] == "ASIAX""#));
        let record = format!(r#"{{"timestamp":"2026-11-20T10:00:00Z","event":{source}}}"#);
        let (q, _) = surrounding_query(&record, None, "ip").unwrap();
        assert!(q.contains(r#"event[sourceIPAddress] == "203.0.113.7""#));
        assert!(
            surrounding_query(r#"{"eventTime":"2026-11-20T10:00:00Z"}"#, None, "ip")
                .unwrap_err()
                .contains("no source IP")
        );
    }

    #[test]
    fn deltas_read_at_a_glance() {
        const S: i64 = 1_000_000_000;
        for (ns, text) in [
            (0, "0 s"),
            (250_000_000, "+250 ms"),
            (-5_000, "−5 µs"),
            (65 * S, "+1 min 5 s"),
            (-(3_600 + 120) * S, "−1 h 2 min"),
            ((2 * 86_400 + 3_600 + 7) * S, "+2 d 1 h"),
        ] {
            assert_eq!(fmt_delta(ns), text, "{ns}");
        }
    }

    #[test]
    fn a_timed_result_gets_a_delta_column() {
        let cell = |t: &str| Cell {
            text: t.into(),
            kind: "timestamp".into(),
        };
        let r = ResultInfo {
            id: 1,
            columns: vec!["timestamp".into()],
            row_count: 2,
            elapsed_ms: 0.0,
            notices: vec![],
            empty_timeframe: false,
            warnings: String::new(),
            timeframe: None,
            now_ns: 0,
            chart: None,
            first_rows: vec![vec![cell("2026-11-20T10:01:00Z")], vec![cell("nope")]],
        };
        let reference = parse_timestamp("2026-11-20T10:00:00Z").unwrap();
        let d = with_delta(&r, reference).unwrap();
        assert_eq!(d.columns, ["timestamp", DELTA_COLUMN]);
        assert_eq!(d.first_rows[0][1].text, "+1 min");
        assert_eq!(d.first_rows[1][1].text, "");
        let cache = rows_with_delta(&RowCache::from_result(&r), 0, reference);
        assert_eq!(cache.rows[&0][1].text, "+1 min");
        let untimed = ResultInfo {
            columns: vec!["n".into()],
            ..r
        };
        assert!(with_delta(&untimed, reference).is_none());
    }

    #[test]
    fn values_go_to_the_chosen_list_or_the_first() {
        let mut c = Cases::default();
        assert_eq!(c.target_list(1, "x"), DEFAULT_LIST);
        assert_eq!(c.add_value(1, DEFAULT_LIST, " value "), Ok(true));
        assert_eq!(c.add_value(1, DEFAULT_LIST, "value"), Ok(false));
        assert!(c.add_value(1, DEFAULT_LIST, "a\u{200b}").is_err());
        c.add_list(1, "IPs").unwrap();
        assert_eq!(c.target_list(1, "IPs"), "IPs");
        assert_eq!(c.target_list(1, "gone"), DEFAULT_LIST);
        assert_eq!(c.get(1).unwrap().lists[0].items, ["value"]);
    }

    #[test]
    fn a_reference_must_be_valid() {
        let mut c = Cases::default();
        c.set_reference(
            1,
            Some(Reference {
                time: "2026-11-20T10:00:00Z".into(),
                label: "ConsoleLogin".into(),
            }),
        );
        assert!(c.get(1).unwrap().reference.is_some());
        c.set_reference(
            1,
            Some(Reference {
                time: "then".into(),
                label: String::new(),
            }),
        );
        assert!(c.get(1).unwrap().reference.is_none());
    }
}
