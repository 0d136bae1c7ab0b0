//! Investigation cases: plain data (name, query, query history, notes, pinned evidence) and
//! every change the page makes to them. Saving them is `crate::persist`'s job.

use serde::{Deserialize, Serialize};
use trailscope_share::case::{MAX_EVIDENCE, MAX_RECORD_BYTES};
use trailscope_share::CaseData;
pub use trailscope_share::Evidence;

/// Queries kept in a case's history.
const HISTORY: usize = 50;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Case {
    pub id: u64,
    pub name: String,
    pub query: String,
    /// Queries run in this case, newest last.
    #[serde(default)]
    pub history: Vec<String>,
    /// Free text the investigator keeps with the case.
    #[serde(default)]
    pub notes: String,
    /// Records pinned as evidence, oldest first.
    #[serde(default)]
    pub evidence: Vec<Evidence>,
}

/// A case just closed, kept so that the close can be undone.
#[derive(Clone, Debug, PartialEq)]
pub struct Closed {
    pub case: Case,
    /// Where its tab was.
    pub index: usize,
    pub was_active: bool,
    /// The fresh case opened because it was the last one.
    pub replaced_by: Option<u64>,
}

impl Closed {
    /// "Closed “Case 2”, with its notes and 2 evidence records."
    pub fn message(&self) -> String {
        let c = &self.case;
        let mut kept = Vec::new();
        if !c.notes.trim().is_empty() {
            kept.push("its notes".to_string());
        }
        match c.evidence.len() {
            0 => {}
            1 => kept.push("1 evidence record".to_string()),
            n => kept.push(format!("{n} evidence records")),
        }
        if kept.is_empty() {
            format!("Closed “{}”.", c.name)
        } else {
            format!("Closed “{}”, with {}.", c.name, kept.join(" and "))
        }
    }
}

/// The case tabs. Serialised as it is into localStorage (`crate::persist`): field names and
/// types are a stored format, so they only change with a migration.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Cases {
    pub cases: Vec<Case>,
    pub active: u64,
    pub next_id: u64,
}

/// The query a new case starts with.
pub const DEFAULT_QUERY: &str = "fetch logs\n| filter aws.service == \"cloudtrail\"\n| parse content, \"JSON:event\"\n| summarize count(), by: { eventSource = event[eventSource], eventName = event[eventName] }\n| sort `count()` desc";

impl Default for Cases {
    fn default() -> Self {
        Cases {
            cases: vec![Case::new(1, "Case 1".into(), DEFAULT_QUERY)],
            active: 1,
            next_id: 2,
        }
    }
}

impl Case {
    fn new(id: u64, name: String, query: &str) -> Case {
        Case {
            id,
            name,
            query: query.into(),
            history: Vec::new(),
            notes: String::new(),
            evidence: Vec::new(),
        }
    }

    /// The case in the portable form of case files, with the page's time frame.
    pub fn to_data(&self, timeframe: trailscope_share::TimeFrame) -> CaseData {
        CaseData {
            name: self.name.clone(),
            query: self.query.clone(),
            history: self.history.clone(),
            notes: self.notes.clone(),
            evidence: self.evidence.clone(),
            timeframe: Some(timeframe),
        }
    }
}

impl Cases {
    /// Saved cases as they were read back, or one fresh case when there are none. A saved list
    /// whose active case or id counter is off (edited by hand, written by an older version) is
    /// put right rather than refused.
    pub fn restored(saved: Option<Cases>) -> Cases {
        match saved {
            Some(mut c) if !c.cases.is_empty() => {
                if !c.cases.iter().any(|x| x.id == c.active) {
                    c.active = c.cases[0].id;
                }
                let top = c.cases.iter().map(|x| x.id).max().unwrap_or(0);
                c.next_id = c.next_id.max(top + 1);
                c
            }
            _ => Cases::default(),
        }
    }

    pub fn active_case(&self) -> Option<&Case> {
        self.get(self.active)
    }

    pub fn get(&self, id: u64) -> Option<&Case> {
        self.cases.iter().find(|c| c.id == id)
    }

    pub fn get_mut(&mut self, id: u64) -> Option<&mut Case> {
        self.cases.iter_mut().find(|c| c.id == id)
    }

    pub fn contains(&self, id: u64) -> bool {
        self.get(id).is_some()
    }

    /// The query text of case `id` (empty for an unknown case).
    pub fn query(&self, id: u64) -> String {
        self.get(id).map(|c| c.query.clone()).unwrap_or_default()
    }

    /// Makes case `id` the active tab.
    pub fn select(&mut self, id: u64) {
        self.active = id;
    }

    /// Adds a case after the others and makes it active.
    pub fn add(&mut self, name: Option<&str>, query: &str) -> u64 {
        let id = self.next_id;
        self.next_id += 1;
        let name = name
            .map(str::to_string)
            .unwrap_or_else(|| format!("Case {id}"));
        self.cases.push(Case::new(id, name, query));
        self.active = id;
        id
    }

    /// Opens a case from a case file or a share link as a new tab (its name gets " (imported)"
    /// when it is taken) and returns its id.
    pub fn open(&mut self, data: CaseData) -> u64 {
        let taken = self.cases.iter().any(|x| x.name == data.name);
        let name = if taken {
            format!("{} (imported)", data.name)
        } else {
            data.name
        };
        let id = self.add(Some(&name), &data.query);
        if let Some(x) = self.get_mut(id) {
            x.history = data.history;
            x.notes = data.notes;
            x.evidence = data.evidence;
        }
        id
    }

    /// Closes a case; the last one is replaced by a fresh case. Returns what [`Cases::reopen`]
    /// needs to undo it.
    pub fn close(&mut self, id: u64) -> Option<Closed> {
        let i = self.cases.iter().position(|c| c.id == id)?;
        let case = self.cases.remove(i);
        let was_active = self.active == id;
        let mut replaced_by = None;
        if self.cases.is_empty() {
            replaced_by = Some(self.add(None, DEFAULT_QUERY));
        } else if was_active {
            self.active = self.cases[i.min(self.cases.len() - 1)].id;
        }
        Some(Closed {
            case,
            index: i,
            was_active,
            replaced_by,
        })
    }

    /// Undoes [`Cases::close`]: the case is back in its place, with its notes and evidence (and
    /// the fresh case that stood in for it goes, if nothing was done with it).
    pub fn reopen(&mut self, closed: Closed) {
        if self.contains(closed.case.id) {
            return;
        }
        if let Some(fresh) = closed.replaced_by {
            let untouched = self.get(fresh).is_some_and(|c| {
                c.query == DEFAULT_QUERY
                    && c.notes.is_empty()
                    && c.evidence.is_empty()
                    && c.history.is_empty()
            });
            if untouched && self.cases.len() == 1 {
                self.cases.clear();
            }
        }
        let id = closed.case.id;
        let at = closed.index.min(self.cases.len());
        self.cases.insert(at, closed.case);
        if closed.was_active || self.cases.len() == 1 {
            self.active = id;
        }
    }

    /// Renames a case; a blank name leaves it as it was.
    pub fn rename(&mut self, id: u64, name: &str) {
        if let Some(x) = self.get_mut(id) {
            if !name.trim().is_empty() {
                x.name = name.trim().to_string();
            }
        }
    }

    /// Moves a case one place left (-1) or right (+1).
    pub fn shift(&mut self, id: u64, by: i64) {
        let Some(i) = self.cases.iter().position(|c| c.id == id) else {
            return;
        };
        let j = i as i64 + by;
        if j >= 0 && (j as usize) < self.cases.len() {
            self.cases.swap(i, j as usize);
        }
    }

    /// Moves case `id` to where case `target` is (dragging a tab onto another): the cases
    /// between them shift by one.
    pub fn move_to(&mut self, id: u64, target: u64) {
        let (Some(i), Some(j)) = (
            self.cases.iter().position(|c| c.id == id),
            self.cases.iter().position(|c| c.id == target),
        ) else {
            return;
        };
        let case = self.cases.remove(i);
        self.cases.insert(j, case);
    }

    /// Sets a case's query text; `false` when it was that already.
    pub fn set_query(&mut self, id: u64, text: &str) -> bool {
        match self.get_mut(id) {
            Some(x) if x.query != text => {
                x.query = text.to_string();
                true
            }
            _ => false,
        }
    }

    /// Sets a case's notes; `false` when they were that already.
    pub fn set_notes(&mut self, id: u64, text: &str) -> bool {
        match self.get_mut(id) {
            Some(x) if x.notes != text => {
                x.notes = text.to_string();
                true
            }
            _ => false,
        }
    }

    /// Adds a line (such as a `| filter …` from the record tree) at the end of a case's query.
    pub fn append_line(&mut self, id: u64, line: &str) {
        if let Some(x) = self.get_mut(id) {
            x.query = format!("{}\n{}", x.query.trim_end(), line);
        }
    }

    /// Remembers that `query` ran in case `id` (once when it runs twice in a row).
    pub fn record_run(&mut self, id: u64, query: &str) {
        if let Some(c) = self.get_mut(id) {
            if c.history.last().map(String::as_str) != Some(query) {
                c.history.push(query.to_string());
            }
            if c.history.len() > HISTORY {
                c.history.remove(0);
            }
        }
    }

    /// Whether `record` (a row as JSON) is pinned in the active case.
    pub fn is_pinned(&self, record: &str) -> bool {
        self.active_case()
            .is_some_and(|x| x.evidence.iter().any(|e| e.record == record))
    }

    /// Pins `record` to the active case as evidence, with the query that produced it (the last
    /// query run in the case), or unpins it when it is pinned already. `Err` says why a record
    /// cannot be pinned (the limits of the case file format).
    pub fn toggle_pin(&mut self, record: &str, now: &str) -> Result<(), String> {
        let id = self.active;
        let Some(x) = self.get_mut(id) else {
            return Ok(());
        };
        if let Some(i) = x.evidence.iter().position(|e| e.record == record) {
            x.evidence.remove(i);
        } else if x.evidence.len() >= MAX_EVIDENCE {
            return Err(format!(
                "A case holds at most {MAX_EVIDENCE} evidence records."
            ));
        } else if record.len() > MAX_RECORD_BYTES {
            return Err(format!(
                "This record is larger than {} KB and cannot be pinned; narrow it with `fields`.",
                MAX_RECORD_BYTES / 1000
            ));
        } else {
            x.evidence.push(Evidence {
                query: x.history.last().cloned().unwrap_or_else(|| x.query.clone()),
                record: record.to_string(),
                pinned: now.to_string(),
            });
        }
        Ok(())
    }

    /// Removes evidence `index` from the active case.
    pub fn unpin(&mut self, index: usize) {
        let id = self.active;
        if let Some(x) = self.get_mut(id) {
            if index < x.evidence.len() {
                x.evidence.remove(index);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn order(c: &Cases) -> Vec<u64> {
        c.cases.iter().map(|x| x.id).collect()
    }

    #[test]
    fn dragging_a_tab_onto_another_moves_it_there() {
        let mut c = Cases::default();
        let first = c.cases[0].id;
        let a = c.add(Some("a"), "");
        let b = c.add(Some("b"), "");
        c.move_to(b, first);
        assert_eq!(order(&c), [b, first, a]);
        c.move_to(b, a);
        assert_eq!(order(&c), [first, a, b]);
        c.move_to(first, first);
        assert_eq!(order(&c), [first, a, b]);
        c.move_to(999, a);
        assert_eq!(order(&c), [first, a, b]);
    }

    #[test]
    fn alt_arrows_shift_a_tab_within_the_bar() {
        let mut c = Cases::default();
        let a = c.add(None, "");
        c.shift(a, -1);
        assert_eq!(order(&c), [a, 1]);
        c.shift(a, -1);
        assert_eq!(order(&c), [a, 1]);
        c.shift(a, 1);
        c.shift(a, 1);
        assert_eq!(order(&c), [1, a]);
    }

    #[test]
    fn closing_picks_a_neighbour_and_never_leaves_no_case() {
        let mut c = Cases::default();
        let a = c.add(None, "q");
        let b = c.add(None, "q");
        c.select(a);
        c.close(a);
        assert_eq!((order(&c), c.active), (vec![1, b], b));
        c.close(b);
        assert_eq!(c.active, 1);
        c.close(1);
        assert_eq!(c.cases.len(), 1);
        assert_eq!(c.cases[0].name, format!("Case {}", c.active));
        assert_eq!(c.cases[0].query, DEFAULT_QUERY);
    }

    #[test]
    fn a_closed_case_comes_back_with_its_notes_and_evidence() {
        let mut c = Cases::default();
        let a = c.add(Some("Attack"), "q");
        c.set_notes(a, "seen from 1.2.3.4");
        c.toggle_pin("{}", "now").unwrap();
        let b = c.add(None, "q");
        c.select(a);
        let closed = c.close(a).unwrap();
        assert_eq!(
            closed.message(),
            "Closed “Attack”, with its notes and 1 evidence record."
        );
        assert_eq!(order(&c), [1, b]);
        c.reopen(closed.clone());
        assert_eq!((order(&c), c.active), (vec![1, a, b], a));
        assert_eq!(c.get(a).unwrap().notes, "seen from 1.2.3.4");
        assert_eq!(c.get(a).unwrap().evidence.len(), 1);
        c.reopen(closed);
        assert_eq!(c.cases.len(), 3, "reopening twice does nothing");
        // The last case: the fresh stand-in goes again when untouched.
        let mut one = Cases::default();
        let closed = one.close(1).unwrap();
        assert_eq!(closed.message(), "Closed “Case 1”.");
        assert_eq!(one.cases.len(), 1);
        one.reopen(closed);
        assert_eq!((order(&one), one.active), (vec![1], 1));
    }

    #[test]
    fn renaming_trims_and_ignores_blank_names() {
        let mut c = Cases::default();
        c.rename(1, "  Brute force ");
        assert_eq!(c.cases[0].name, "Brute force");
        c.rename(1, "   ");
        assert_eq!(c.cases[0].name, "Brute force");
    }

    #[test]
    fn text_setters_say_whether_anything_changed() {
        let mut c = Cases::default();
        assert!(!c.set_query(1, DEFAULT_QUERY));
        assert!(c.set_query(1, "fetch logs"));
        assert!(c.set_notes(1, "n"));
        assert!(!c.set_notes(1, "n"));
        assert!(!c.set_query(7, "x"), "unknown case");
        c.append_line(1, "| limit 1");
        assert_eq!(c.query(1), "fetch logs\n| limit 1");
    }

    #[test]
    fn history_skips_repeats_and_keeps_the_newest() {
        let mut c = Cases::default();
        c.record_run(1, "a");
        c.record_run(1, "a");
        c.record_run(1, "b");
        assert_eq!(c.cases[0].history, ["a", "b"]);
        for i in 0..HISTORY + 5 {
            c.record_run(1, &i.to_string());
        }
        assert_eq!(c.cases[0].history.len(), HISTORY);
        assert_eq!(
            c.cases[0].history.last().unwrap(),
            &(HISTORY + 4).to_string()
        );
    }

    #[test]
    fn imported_cases_keep_their_content_and_get_a_free_name() {
        let mut c = Cases::default();
        let data = CaseData {
            name: "Case 1".into(),
            query: "fetch logs".into(),
            notes: "n".into(),
            ..CaseData::default()
        };
        let id = c.open(data);
        let x = c.get(id).unwrap();
        assert_eq!(
            (x.name.as_str(), x.query.as_str(), x.notes.as_str()),
            ("Case 1 (imported)", "fetch logs", "n")
        );
        assert_eq!(c.active, id);
    }

    #[test]
    fn pinning_toggles_and_remembers_the_query_that_ran() {
        let mut c = Cases::default();
        c.record_run(1, "fetch logs | limit 1");
        c.set_query(1, "edited since");
        assert!(c.toggle_pin("{\"a\":1}", "2026-01-01T00:00:00Z").is_ok());
        assert!(c.is_pinned("{\"a\":1}"));
        let e = &c.cases[0].evidence[0];
        assert_eq!(e.query, "fetch logs | limit 1");
        assert_eq!(e.pinned, "2026-01-01T00:00:00Z");
        assert!(c.toggle_pin("{\"a\":1}", "later").is_ok());
        assert!(!c.is_pinned("{\"a\":1}"));
        let big = format!("{{\"a\":\"{}\"}}", "x".repeat(MAX_RECORD_BYTES));
        assert!(c
            .toggle_pin(&big, "now")
            .unwrap_err()
            .contains("cannot be pinned"));
        c.toggle_pin("{}", "now").unwrap();
        c.unpin(5);
        c.unpin(0);
        assert!(c.cases[0].evidence.is_empty());
    }

    #[test]
    fn a_restored_list_is_repaired_or_replaced() {
        assert_eq!(Cases::restored(None), Cases::default());
        let empty = Cases {
            cases: vec![],
            active: 3,
            next_id: 1,
        };
        assert_eq!(Cases::restored(Some(empty)), Cases::default());
        let mut odd = Cases::default();
        odd.add(None, "q");
        odd.active = 99;
        odd.next_id = 1;
        let fixed = Cases::restored(Some(odd));
        assert_eq!((fixed.active, fixed.next_id), (1, 3));
    }

    /// What earlier versions wrote under `trailscope.cases.v1` (before notes and evidence
    /// existed) still reads.
    #[test]
    fn the_stored_format_of_earlier_versions_still_reads() {
        let saved = r#"{"cases":[{"id":4,"name":"Brute force","query":"fetch logs"}],"active":4,"next_id":5}"#;
        let c: Cases = serde_json::from_str(saved).unwrap();
        assert_eq!(c.cases[0].name, "Brute force");
        assert!(c.cases[0].history.is_empty() && c.cases[0].evidence.is_empty());
        let again: Cases = serde_json::from_str(&serde_json::to_string(&c).unwrap()).unwrap();
        assert_eq!(again, c);
    }
}
