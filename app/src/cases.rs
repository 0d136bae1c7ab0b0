//! Investigation cases: plain data (name, query, query history) with their persistence in the
//! browser's local storage. Views read and change them through one signal.

use serde::{Deserialize, Serialize};
pub use trailscope_share::Evidence;

const STORAGE_KEY: &str = "trailscope.cases.v1";
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

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Cases {
    pub cases: Vec<Case>,
    pub active: u64,
    pub next_id: u64,
}

/// The query a new case starts with.
pub const DEFAULT_QUERY: &str = "fetch logs\n| filter aws.service == \"cloudtrail\"\n| parse content, \"JSON:event\"\n| summarize count(), by: { eventSource = event[eventSource], eventName = event[eventName] }\n| sort `count()` desc";

/// The four use cases of Dynatrace's CloudTrail guide, as one-click starting queries. They read
/// the time frame chosen on the page (the guide's `from: -30min` and bucket filter are left to
/// the time frame picker and the data panel).
pub const PRESETS: &[(&str, &str)] = &[
    (
        "Console sign-in failures",
        "fetch logs\n| filter aws.service == \"cloudtrail\"\n| parse content, \"JSON:event\"\n| filter event[eventSource] == \"signin.amazonaws.com\"\nand event[eventName] == \"ConsoleLogin\"\nand event[responseElements][ConsoleLogin] == \"Failure\"\n| summarize count(), by: {\nipAddr = event[sourceIPAddress],\nreason = event[errorMessage],\nregion = event[awsRegion],\nuserARN = event[userIdentity][arn],\nMFAUsed = event[additionalEventData][MFAUsed]\n}",
    ),
    (
        "Unauthorized API calls",
        "fetch logs\n| filter aws.service == \"cloudtrail\"\n| parse content, \"json:event\"\n| filter in(event[errorCode], { \"AccessDenied\", \"UnauthorizedOperation\" })\n| makeTimeseries event_count = count(), by: { eventName = event[eventName] }\n| sort arrayAvg(event_count) desc\n| limit 10",
    ),
    (
        "API throttling",
        "fetch logs\n| filter aws.service == \"cloudtrail\"\n| parse content, \"json:event\"\n| filter event[errorCode] == \"Client.RequestLimitExceeded\"\n| makeTimeseries count(), by: { eventName = event[eventName] }",
    ),
    (
        "External KMS keys",
        "fetch logs\n| filter aws.service == \"cloudtrail\"\n| parse content, \"json:event\"\n| filter event[eventName] == \"CreateKey\"\n| filterOut startsWith(event[requestParameters][origin], \"AWS_\")\n| fields {\neventName = event[eventName],\norigin = event[requestParameters][origin],\nkeyUsage = event[responseElements][keyMetadata][keyUsage],\nregion = event[awsRegion],\nuserARN = event[userIdentity][arn],\nkeyId = event[responseElements][keyMetadata][keyId]\n}",
    ),
];

impl Default for Cases {
    fn default() -> Self {
        Cases {
            cases: vec![Case {
                id: 1,
                name: "Case 1".into(),
                query: DEFAULT_QUERY.into(),
                history: Vec::new(),
                notes: String::new(),
                evidence: Vec::new(),
            }],
            active: 1,
            next_id: 2,
        }
    }
}

impl Cases {
    /// The saved cases, or one fresh case. A damaged entry is ignored, never executed.
    pub fn load() -> Cases {
        let saved = storage().and_then(|s| s.get_item(STORAGE_KEY).ok().flatten());
        match saved.and_then(|t| serde_json::from_str::<Cases>(&t).ok()) {
            Some(c) if !c.cases.is_empty() => c.repaired(),
            _ => Cases::default(),
        }
    }

    fn repaired(mut self) -> Cases {
        if !self.cases.iter().any(|c| c.id == self.active) {
            self.active = self.cases[0].id;
        }
        self.next_id = self
            .next_id
            .max(self.cases.iter().map(|c| c.id).max().unwrap_or(0) + 1);
        self
    }

    pub fn save(&self) {
        if let (Some(s), Ok(text)) = (storage(), serde_json::to_string(self)) {
            let _ = s.set_item(STORAGE_KEY, &text);
        }
    }

    pub fn active_case(&self) -> Option<&Case> {
        self.cases.iter().find(|c| c.id == self.active)
    }

    pub fn get_mut(&mut self, id: u64) -> Option<&mut Case> {
        self.cases.iter_mut().find(|c| c.id == id)
    }

    /// Adds a case after the others and makes it active.
    pub fn add(&mut self, name: Option<&str>, query: &str) -> u64 {
        let id = self.next_id;
        self.next_id += 1;
        let name = name
            .map(str::to_string)
            .unwrap_or_else(|| format!("Case {id}"));
        self.cases.push(Case {
            id,
            name,
            query: query.into(),
            history: Vec::new(),
            notes: String::new(),
            evidence: Vec::new(),
        });
        self.active = id;
        id
    }

    /// Closes a case; the last one is replaced by a fresh case.
    pub fn close(&mut self, id: u64) {
        let Some(i) = self.cases.iter().position(|c| c.id == id) else {
            return;
        };
        self.cases.remove(i);
        if self.cases.is_empty() {
            self.add(None, DEFAULT_QUERY);
        } else if self.active == id {
            self.active = self.cases[i.min(self.cases.len() - 1)].id;
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
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dragging_a_tab_onto_another_moves_it_there() {
        let mut c = Cases::default();
        let first = c.cases[0].id;
        let a = c.add(Some("a"), "");
        let b = c.add(Some("b"), "");
        let order = |c: &Cases| c.cases.iter().map(|x| x.id).collect::<Vec<_>>();
        c.move_to(b, first);
        assert_eq!(order(&c), [b, first, a]);
        c.move_to(b, a);
        assert_eq!(order(&c), [first, a, b]);
        c.move_to(first, first);
        assert_eq!(order(&c), [first, a, b]);
        c.move_to(999, a);
        assert_eq!(order(&c), [first, a, b]);
    }
}
