//! The identity lens: for a principal (an ARN), an access key or a session, what it did (a
//! timeline with first and last seen, event names, services, errors, source addresses, user
//! agents) and the chain of credentials that led to it: each temporary key back through the
//! call that issued it (AssumeRole, AssumeRoleWithSAML, AssumeRoleWithWebIdentity,
//! GetFederationToken, GetSessionToken, IAM Identity Center's GetRoleCredentials) to the caller's
//! own credentials, until a long-term key, the root user, an identity provider's user, an AWS
//! service, or credentials issued outside the loaded data.
//!
//! CloudTrail links the hops by key: the issuing call's `responseElements.credentials.accessKeyId`
//! is the `userIdentity.accessKeyId` of every call made with those credentials. When the key is
//! not in the response (IAM Identity Center hides it), the session's ARN is matched against the
//! issuing calls' `assumedRoleUser.arn`/`federatedUser.arn`, the latest one before the session
//! was first seen. Everything here reads the store's dictionary-encoded path columns, so a lens
//! over a million events is a few scans of codes.

use std::collections::BTreeMap;

use crate::storage::Store;
use crate::value::{write_json_string, Value};

/// The calls that hand out temporary credentials.
pub const ISSUING_CALLS: &[&str] = &[
    "AssumeRole",
    "AssumeRoleWithSAML",
    "AssumeRoleWithWebIdentity",
    "GetFederationToken",
    "GetSessionToken",
    "GetRoleCredentials",
];

/// How many distinct values each list of an [`Activity`] keeps (the most frequent).
const TOP: usize = 10;
/// At most this many hops are followed back (a chain of role chaining is rarely longer than
/// three; a loop in hostile data must end).
const MAX_HOPS: usize = 12;
/// At most this many sessions (distinct keys) of one subject get a chain.
const MAX_CHAINS: usize = 20;

/// What a set of events did.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Activity {
    pub events: usize,
    /// Nanoseconds since the epoch.
    pub first_seen: Option<i64>,
    pub last_seen: Option<i64>,
    /// Most frequent first, at most [`TOP`] each; `(value, events)`.
    pub event_names: Vec<(String, usize)>,
    pub services: Vec<(String, usize)>,
    pub errors: Vec<(String, usize)>,
    pub source_ips: Vec<(String, usize)>,
    pub user_agents: Vec<(String, usize)>,
    /// How many events failed (have an `errorCode`).
    pub failed: usize,
    /// The events, oldest first (row ids in the store).
    pub rows: Vec<u32>,
}

/// The call that issued a hop's credentials.
#[derive(Clone, Debug, PartialEq)]
pub struct Issue {
    pub row: u32,
    pub event_name: String,
    pub event_id: Option<String>,
    pub time: i64,
    /// `requestParameters.roleArn` (the role assumed), if any.
    pub role_arn: Option<String>,
    pub role_session_name: Option<String>,
    /// `requestParameters.sourceIdentity`, or the caller's `sessionContext.sourceIdentity`.
    pub source_identity: Option<String>,
    pub source_ip: Option<String>,
    /// How the issuing call was found: `"accessKeyId"` (the response names the key), `"arn"`
    /// (matched by the session's ARN) or `"identityCenterUser"` (IAM Identity Center's
    /// GetRoleCredentials by the user the session is named after).
    pub matched_by: &'static str,
}

/// One identity in a chain: who it is, the credentials it used, how it got them, what it did.
#[derive(Clone, Debug, PartialEq)]
pub struct Hop {
    /// The ARN (or, without one, the principal id or user name).
    pub identity: String,
    /// `userIdentity.type` (IAMUser, AssumedRole, FederatedUser, Root, SAMLUser,
    /// WebIdentityUser, AWSService, IdentityCenterUser, …).
    pub kind: String,
    pub access_key: Option<String>,
    /// The call that issued `access_key`, if it is in the loaded data.
    pub issued_by: Option<Issue>,
    /// What the events made with this hop's credentials did.
    pub activity: Activity,
}

/// Where a chain starts.
#[derive(Clone, Debug, PartialEq)]
pub enum Origin {
    /// A long-term access key of an IAM user (or of root).
    LongTermKey { identity: String, key: String },
    /// The root user.
    Root { identity: String },
    /// A user of an identity provider (SAML, OIDC web identity, IAM Identity Center).
    Federated { kind: String, user: String },
    /// An AWS service assumed the role (an instance profile, a Lambda's role…).
    Service { service: String },
    /// The first credentials of the chain were issued outside the loaded data.
    Unknown { why: String },
}

impl Origin {
    pub fn describe(&self) -> String {
        match self {
            Origin::LongTermKey { identity, key } => {
                format!("long-term access key {key} of {identity}")
            }
            Origin::Root { identity } => format!("the root user ({identity})"),
            Origin::Federated { kind, user } => format!("{kind} {user}"),
            Origin::Service { service } => format!("the AWS service {service}"),
            Origin::Unknown { why } => why.clone(),
        }
    }
}

/// The chain that led to one session of the subject: origin first, the subject's session last.
#[derive(Clone, Debug, PartialEq)]
pub struct Chain {
    pub origin: Origin,
    pub hops: Vec<Hop>,
}

/// The lens on one subject.
#[derive(Clone, Debug, PartialEq)]
pub struct Lens {
    /// What was asked for.
    pub subject: String,
    /// How the subject was matched (`userIdentity.arn`, `userIdentity.accessKeyId`, …).
    pub matched: Vec<&'static str>,
    /// Everything the subject did.
    pub activity: Activity,
    /// One chain per session (access key) the subject used, most active first.
    pub chains: Vec<Chain>,
    /// Sessions the subject's credentials issued (AssumeRole… it called), as hops.
    pub issued: Vec<Hop>,
}

fn path(p: &[&str]) -> Vec<String> {
    p.iter().map(|s| s.to_string()).collect()
}

/// The rows whose value at `p` is the string `value`.
fn rows_where(store: &Store, p: &[&str], value: &str) -> Vec<u32> {
    let col = store.path_column(&path(p));
    let codes: Vec<u32> = col
        .dict
        .iter()
        .enumerate()
        .filter(|(_, v)| v.as_str() == Some(value))
        .map(|(c, _)| c as u32)
        .collect();
    if codes.is_empty() {
        return Vec::new();
    }
    (0..col.codes.len())
        .filter(|&i| codes.contains(&col.codes.get(i)))
        .map(|i| i as u32)
        .collect()
}

/// A row's string at `p`.
fn text(store: &Store, row: u32, p: &[&str]) -> Option<String> {
    let col = store.path_column(&path(p));
    match &col.dict[col.codes.get(row as usize) as usize] {
        Value::Str(s) if !s.is_empty() => Some(s.to_string()),
        _ => None,
    }
}

const ARN: &[&str] = &["userIdentity", "arn"];
const KEY: &[&str] = &["userIdentity", "accessKeyId"];
const PRINCIPAL: &[&str] = &["userIdentity", "principalId"];
const ISSUER: &[&str] = &["userIdentity", "sessionContext", "sessionIssuer", "arn"];
const TYPE: &[&str] = &["userIdentity", "type"];
const USER_NAME: &[&str] = &["userIdentity", "userName"];
const ISSUED_KEY: &[&str] = &["responseElements", "credentials", "accessKeyId"];

/// Who made the call in `row`: its ARN, else principal id, user name or account.
fn identity_of(store: &Store, row: u32) -> String {
    text(store, row, ARN)
        .or_else(|| text(store, row, PRINCIPAL))
        .or_else(|| text(store, row, USER_NAME))
        .or_else(|| text(store, row, &["userIdentity", "invokedBy"]))
        .or_else(|| text(store, row, &["userIdentity", "accountId"]))
        .unwrap_or_else(|| "unknown".into())
}

fn top(counts: BTreeMap<String, usize>) -> Vec<(String, usize)> {
    let mut v: Vec<(String, usize)> = counts.into_iter().collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    v.truncate(TOP);
    v
}

/// What the events in `rows` did.
pub fn activity(store: &Store, rows: &[u32]) -> Activity {
    let mut rows = rows.to_vec();
    rows.sort_by_key(|&r| (store.timestamp(r), r));
    rows.dedup();
    let count = |p: &[&str]| {
        let mut m: BTreeMap<String, usize> = BTreeMap::new();
        for &r in &rows {
            if let Some(v) = text(store, r, p) {
                *m.entry(v).or_default() += 1;
            }
        }
        m
    };
    let errors = count(&["errorCode"]);
    Activity {
        events: rows.len(),
        first_seen: rows.first().map(|&r| store.timestamp(r)),
        last_seen: rows.last().map(|&r| store.timestamp(r)),
        event_names: top(count(&["eventName"])),
        services: top(count(&["eventSource"])),
        failed: errors.values().sum(),
        errors: top(errors),
        source_ips: top(count(&["sourceIPAddress"])),
        user_agents: top(count(&["userAgent"])),
        rows,
    }
}

/// The lens on `subject`: an ARN (of a user, a role or a role session), an access key id, or a
/// principal id.
pub fn lens(store: &Store, subject: &str) -> Lens {
    let subject = subject.trim();
    let mut matched = Vec::new();
    let mut rows = Vec::new();
    for (p, name) in [
        (ARN, "userIdentity.arn"),
        (KEY, "userIdentity.accessKeyId"),
        (PRINCIPAL, "userIdentity.principalId"),
        (ISSUER, "userIdentity.sessionContext.sessionIssuer.arn"),
    ] {
        let found = rows_where(store, p, subject);
        if !found.is_empty() {
            matched.push(name);
            rows.extend(found);
        }
    }
    let activity = activity(store, &rows);
    // The sessions: the distinct keys (or identities, for calls without a key) of its events.
    let mut sessions: BTreeMap<(Option<String>, String), Vec<u32>> = BTreeMap::new();
    for &r in &activity.rows {
        sessions
            .entry((text(store, r, KEY), identity_of(store, r)))
            .or_default()
            .push(r);
    }
    let mut sessions: Vec<_> = sessions.into_iter().collect();
    sessions.sort_by(|a, b| b.1.len().cmp(&a.1.len()).then_with(|| a.0.cmp(&b.0)));
    let chains = sessions
        .iter()
        .take(MAX_CHAINS)
        .map(|((key, identity), rows)| chain(store, key.clone(), identity.clone(), rows))
        .collect();
    // Credentials the subject issued: its own issuing calls, and what was done with them.
    let mut issued = Vec::new();
    for &r in &activity.rows {
        let name = text(store, r, &["eventName"]).unwrap_or_default();
        if !ISSUING_CALLS.contains(&name.as_str()) {
            continue;
        }
        let Some(key) = text(store, r, ISSUED_KEY) else {
            continue;
        };
        let used = rows_where(store, KEY, &key);
        let identity = used
            .first()
            .map(|&u| identity_of(store, u))
            .or_else(|| text(store, r, &["responseElements", "assumedRoleUser", "arn"]))
            .or_else(|| text(store, r, &["responseElements", "federatedUser", "arn"]))
            .unwrap_or_else(|| "unknown".into());
        issued.push(Hop {
            kind: used
                .first()
                .and_then(|&u| text(store, u, TYPE))
                .unwrap_or_default(),
            identity,
            access_key: Some(key),
            issued_by: Some(issue(store, r, "accessKeyId")),
            activity: self::activity(store, &used),
        });
    }
    Lens {
        subject: subject.to_string(),
        matched,
        activity,
        chains,
        issued,
    }
}

fn issue(store: &Store, row: u32, matched_by: &'static str) -> Issue {
    Issue {
        row,
        event_name: text(store, row, &["eventName"]).unwrap_or_default(),
        event_id: text(store, row, &["eventID"]),
        time: store.timestamp(row),
        role_arn: text(store, row, &["requestParameters", "roleArn"]),
        role_session_name: text(store, row, &["requestParameters", "roleSessionName"]),
        source_identity: text(store, row, &["requestParameters", "sourceIdentity"]).or_else(|| {
            text(
                store,
                row,
                &["userIdentity", "sessionContext", "sourceIdentity"],
            )
        }),
        source_ip: text(store, row, &["sourceIPAddress"]),
        matched_by,
    }
}

/// The issuing call of a session: by its key, else by its ARN (the latest issuing call for
/// that ARN before `before`).
fn find_issue(store: &Store, key: Option<&str>, arn: &str, before: i64) -> Option<Issue> {
    if let Some(k) = key {
        if let Some(&r) = rows_where(store, ISSUED_KEY, k).first() {
            return Some(issue(store, r, "accessKeyId"));
        }
    }
    if !arn.contains(":assumed-role/") && !arn.contains(":federated-user/") {
        return None;
    }
    // IAM Identity Center: the role is AWSReservedSSO_<permission set>_<suffix>, the session
    // is the user's name, and GetRoleCredentials keeps its response to itself.
    if let Some((role, user)) = arn
        .split_once(":assumed-role/")
        .and_then(|(_, rest)| rest.split_once('/'))
    {
        if role.starts_with("AWSReservedSSO_") {
            let found = rows_where(store, USER_NAME, user)
                .into_iter()
                .filter(|&r| {
                    store.timestamp(r) <= before
                        && text(store, r, &["eventName"]).as_deref() == Some("GetRoleCredentials")
                })
                .max_by_key(|&r| (store.timestamp(r), r));
            if let Some(r) = found {
                return Some(issue(store, r, "identityCenterUser"));
            }
        }
    }
    let mut candidates = rows_where(store, &["responseElements", "assumedRoleUser", "arn"], arn);
    candidates.extend(rows_where(
        store,
        &["responseElements", "federatedUser", "arn"],
        arn,
    ));
    candidates
        .into_iter()
        .filter(|&r| store.timestamp(r) <= before)
        .max_by_key(|&r| (store.timestamp(r), r))
        .map(|r| issue(store, r, "arn"))
}

/// The chain back from one session (its key and identity, the rows made with it).
fn chain(store: &Store, key: Option<String>, identity: String, rows: &[u32]) -> Chain {
    let mut hops = Vec::new();
    let mut key = key;
    let mut identity = identity;
    let mut rows = rows.to_vec();
    let mut seen_keys: Vec<String> = Vec::new();
    let origin = loop {
        let act = activity(store, &rows);
        let first_row = act.rows.first().copied();
        let kind = first_row
            .and_then(|r| text(store, r, TYPE))
            .unwrap_or_default();
        let first = act.first_seen.unwrap_or(i64::MAX);
        let issued_by = match kind.as_str() {
            "IAMUser" | "Root" | "AWSService" => None,
            _ => find_issue(store, key.as_deref(), &identity, first),
        };
        hops.push(Hop {
            identity: identity.clone(),
            kind: kind.clone(),
            access_key: key.clone(),
            issued_by: issued_by.clone(),
            activity: act,
        });
        if let Some(k) = &key {
            seen_keys.push(k.clone());
        }
        match kind.as_str() {
            "IAMUser" => {
                break match &key {
                    Some(k) if !k.starts_with("ASIA") => Origin::LongTermKey {
                        identity: identity.clone(),
                        key: k.clone(),
                    },
                    // Session credentials of an IAM user (GetSessionToken, or the console).
                    _ => Origin::Unknown {
                        why: format!(
                            "session credentials of the IAM user {identity}, issued outside the loaded data"
                        ),
                    },
                };
            }
            "Root" => {
                break Origin::Root {
                    identity: identity.clone(),
                }
            }
            "AWSService" => {
                break Origin::Service {
                    service: first_row
                        .and_then(|r| text(store, r, &["userIdentity", "invokedBy"]))
                        .unwrap_or_else(|| identity.clone()),
                }
            }
            _ => {}
        }
        let Some(iss) = issued_by else {
            break unresolved(&identity);
        };
        // The caller of the issuing call is the previous hop.
        let caller_type = text(store, iss.row, TYPE).unwrap_or_default();
        match caller_type.as_str() {
            "SAMLUser" | "WebIdentityUser" | "IdentityCenterUser" | "Unknown" => {
                let user = text(store, iss.row, USER_NAME)
                    .or_else(|| text(store, iss.row, PRINCIPAL))
                    .or_else(|| iss.role_session_name.clone())
                    .unwrap_or_else(|| "unknown".into());
                let provider = text(store, iss.row, &["userIdentity", "identityProvider"]);
                break Origin::Federated {
                    kind: match (caller_type.as_str(), &provider) {
                        ("SAMLUser", Some(p)) => format!("SAML user of {p}:"),
                        ("SAMLUser", None) => "SAML user".into(),
                        ("WebIdentityUser", Some(p)) => format!("web identity user of {p}:"),
                        ("WebIdentityUser", None) => "web identity user".into(),
                        _ => "IAM Identity Center user".into(),
                    },
                    user,
                };
            }
            "AWSService" => {
                break Origin::Service {
                    service: text(store, iss.row, &["userIdentity", "invokedBy"])
                        .or_else(|| text(store, iss.row, &["sourceIPAddress"]))
                        .unwrap_or_else(|| "unknown".into()),
                }
            }
            _ => {}
        }
        if iss.event_name == "AssumeRoleWithSAML" || iss.event_name == "AssumeRoleWithWebIdentity" {
            break Origin::Federated {
                kind: if iss.event_name == "AssumeRoleWithSAML" {
                    "SAML user".into()
                } else {
                    "web identity user".into()
                },
                user: text(store, iss.row, &["responseElements", "subject"])
                    .or_else(|| {
                        text(
                            store,
                            iss.row,
                            &["responseElements", "subjectFromWebIdentityToken"],
                        )
                    })
                    .or_else(|| iss.role_session_name.clone())
                    .unwrap_or_else(|| "unknown".into()),
            };
        }
        let caller_key = text(store, iss.row, KEY);
        let caller = identity_of(store, iss.row);
        if hops.len() >= MAX_HOPS || caller_key.as_ref().is_some_and(|k| seen_keys.contains(k)) {
            break Origin::Unknown {
                why: "the chain loops or is longer than 12 hops".into(),
            };
        }
        rows = match &caller_key {
            Some(k) => rows_where(store, KEY, k),
            None => rows_where(store, ARN, &caller),
        };
        if rows.is_empty() {
            rows = vec![iss.row];
        }
        key = caller_key;
        identity = caller;
    };
    hops.reverse();
    Chain { origin, hops }
}

fn unresolved(identity: &str) -> Origin {
    Origin::Unknown {
        why: format!("the credentials of {identity} were issued outside the loaded data"),
    }
}

// ---------------------------------------------------------------------------------------------
// JSON

fn json_opt(out: &mut String, v: Option<&str>) {
    match v {
        Some(s) => write_json_string(out, s),
        None => out.push_str("null"),
    }
}

fn json_counts(out: &mut String, v: &[(String, usize)]) {
    out.push('[');
    for (i, (s, n)) in v.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str("{\"value\":");
        write_json_string(out, s);
        out.push_str(&format!(",\"events\":{n}}}"));
    }
    out.push(']');
}

fn json_time(out: &mut String, t: Option<i64>) {
    json_opt(out, t.map(crate::time::format_timestamp).as_deref());
}

impl Activity {
    /// The activity as a JSON object (`timeline`: the events, at most `max_events`, oldest
    /// first, each with time, eventName, eventSource, errorCode, sourceIPAddress, eventID).
    pub fn write_json(&self, store: &Store, max_events: usize, out: &mut String) {
        out.push_str(&format!(
            "{{\"events\":{},\"failed\":{}",
            self.events, self.failed
        ));
        out.push_str(",\"firstSeen\":");
        json_time(out, self.first_seen);
        out.push_str(",\"lastSeen\":");
        json_time(out, self.last_seen);
        for (name, v) in [
            ("eventNames", &self.event_names),
            ("services", &self.services),
            ("errors", &self.errors),
            ("sourceIPs", &self.source_ips),
            ("userAgents", &self.user_agents),
        ] {
            out.push_str(&format!(",\"{name}\":"));
            json_counts(out, v);
        }
        out.push_str(",\"timeline\":[");
        for (i, &r) in self.rows.iter().take(max_events).enumerate() {
            if i > 0 {
                out.push(',');
            }
            out.push_str("{\"time\":");
            json_time(out, Some(store.timestamp(r)));
            for (k, p) in [
                ("eventName", &["eventName"][..]),
                ("eventSource", &["eventSource"][..]),
                ("errorCode", &["errorCode"][..]),
                ("sourceIPAddress", &["sourceIPAddress"][..]),
                ("eventID", &["eventID"][..]),
            ] {
                out.push_str(&format!(",\"{k}\":"));
                json_opt(out, text(store, r, p).as_deref());
            }
            out.push('}');
        }
        out.push_str("]}");
    }
}

impl Hop {
    pub fn write_json(&self, store: &Store, max_events: usize, out: &mut String) {
        out.push_str("{\"identity\":");
        write_json_string(out, &self.identity);
        out.push_str(",\"type\":");
        write_json_string(out, &self.kind);
        out.push_str(",\"accessKeyId\":");
        json_opt(out, self.access_key.as_deref());
        out.push_str(",\"issuedBy\":");
        match &self.issued_by {
            None => out.push_str("null"),
            Some(i) => {
                out.push_str("{\"eventName\":");
                write_json_string(out, &i.event_name);
                out.push_str(",\"eventID\":");
                json_opt(out, i.event_id.as_deref());
                out.push_str(",\"time\":");
                json_time(out, Some(i.time));
                out.push_str(",\"roleArn\":");
                json_opt(out, i.role_arn.as_deref());
                out.push_str(",\"roleSessionName\":");
                json_opt(out, i.role_session_name.as_deref());
                out.push_str(",\"sourceIdentity\":");
                json_opt(out, i.source_identity.as_deref());
                out.push_str(",\"sourceIPAddress\":");
                json_opt(out, i.source_ip.as_deref());
                out.push_str(",\"matchedBy\":");
                write_json_string(out, i.matched_by);
                out.push('}');
            }
        }
        out.push_str(",\"activity\":");
        self.activity.write_json(store, max_events, out);
        out.push('}');
    }
}

impl Lens {
    /// The lens as one JSON object; each timeline lists at most `max_events` events.
    pub fn to_json(&self, store: &Store, max_events: usize) -> String {
        let mut out = String::new();
        out.push_str("{\"subject\":");
        write_json_string(&mut out, &self.subject);
        out.push_str(",\"matched\":[");
        for (i, m) in self.matched.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            write_json_string(&mut out, m);
        }
        out.push_str("],\"activity\":");
        self.activity.write_json(store, max_events, &mut out);
        out.push_str(",\"chains\":[");
        for (i, c) in self.chains.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            out.push_str("{\"origin\":");
            write_json_string(&mut out, &c.origin.describe());
            out.push_str(",\"originKind\":");
            write_json_string(
                &mut out,
                match c.origin {
                    Origin::LongTermKey { .. } => "longTermKey",
                    Origin::Root { .. } => "root",
                    Origin::Federated { .. } => "federated",
                    Origin::Service { .. } => "service",
                    Origin::Unknown { .. } => "unknown",
                },
            );
            out.push_str(",\"hops\":[");
            for (j, h) in c.hops.iter().enumerate() {
                if j > 0 {
                    out.push(',');
                }
                h.write_json(store, max_events, &mut out);
            }
            out.push_str("]}");
        }
        out.push_str("],\"issued\":[");
        for (i, h) in self.issued.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            h.write_json(store, max_events, &mut out);
        }
        out.push_str("]}");
        out
    }
}

#[cfg(test)]
mod tests;
