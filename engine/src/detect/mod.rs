//! Detections: DQL queries that find attacks and misconfigurations in CloudTrail, with their
//! metadata (title, severity, MITRE ATT&CK technique, references, the Panther rules they cover).
//!
//! The built-in pack is data: one `.dql` file per detection in `engine/detections/`, a header of
//! `// key: value` comment lines followed by the query. The header is made of DQL comments, so a
//! detection file is also a query that `trailscope query -f` and the app's editor run as it is.
//!
//! ```text
//! // id: cloudtrail-logging-stopped
//! // title: CloudTrail logging stopped or trail deleted
//! // severity: high
//! // mitre: T1562.008
//! // maps: AWS.CloudTrail.Stopped
//! // references: https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_StopLogging.html
//! // description: A trail stopped logging or was deleted: what happens next is not recorded.
//! fetch logs
//! | parse content, "JSON:event"
//! | filter in(event[eventName], {"StopLogging", "DeleteTrail"}) and isNull(event[errorCode])
//! ```
//!
//! **Hits.** Each row of a detection's result is a hit. A row should keep the event it came from
//! (rows do through `filter`, `fields…`, `sort`, `limit`, `dedup`, `parse`, `expand`, `lookup`
//! and `join`: see [`crate::Table::source_row`]), so that the hit names the event: its
//! `eventID`, time and principal are read from it. Detections that count (bursts, thresholds)
//! summarize in a sub-query and `join` the groups over the threshold back to their events, so
//! every event of a burst is a hit and carries the group's figures. A row that is no event's
//! (a `summarize` left last) is still a hit, read from its `eventID`, `timestamp` and
//! `principal` columns when it has them. See [`run`].
//!
//! **Configuration.** A detection whose lists (accounts, regions, role names) are examples to
//! replace declares `// configure: what to edit`; it is in the pack, and `trailscope detect`
//! runs it only when asked for by id (`--only`) or with `--all`.
//!
//! **Thresholds.** A detection that counts declares `// threshold: N` and writes the comparison
//! on one line that ends with `// threshold`, e.g. `| filter calls >= 20 // threshold`, so the
//! number is visible and editable in the query. [`Detection::with_threshold`] rewrites it (the
//! accuracy test runs the per-event logic with threshold 1).

mod run;

use std::sync::OnceLock;

pub use run::{principal_of, run, run_pack, DetectionRun, Hit};

/// How bad a hit is, from informational to critical.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Info,
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    pub const ALL: [Severity; 5] = [
        Severity::Info,
        Severity::Low,
        Severity::Medium,
        Severity::High,
        Severity::Critical,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }

    pub fn parse(text: &str) -> Option<Severity> {
        Severity::ALL
            .into_iter()
            .find(|s| s.as_str().eq_ignore_ascii_case(text.trim()))
    }
}

/// One detection: its metadata and its query.
#[derive(Clone, Debug, PartialEq)]
pub struct Detection {
    /// Lower-case words joined by `-` (the file name of a built-in detection).
    pub id: String,
    pub title: String,
    pub severity: Severity,
    pub description: String,
    /// MITRE ATT&CK techniques (`T1562.008`).
    pub mitre: Vec<String>,
    pub references: Vec<String>,
    /// The Panther rule ids whose logic this detection covers (may be empty).
    pub maps: Vec<String>,
    /// The number a counting detection compares against (see [`Detection::with_threshold`]).
    pub threshold: Option<u64>,
    /// What must be edited before the detection means something in your accounts (its lists of
    /// accounts, regions or roles are examples): such detections run only when asked for.
    pub configure: Option<String>,
    /// The DQL query, without the header.
    pub query: String,
}

/// The marker that ends the line holding a detection's threshold.
const THRESHOLD_MARK: &str = "// threshold";

impl Detection {
    /// Reads a detection from its file text: the `// key: value` header, then the query.
    /// Every problem is an error naming the line: unknown or repeated keys, a missing id,
    /// title, severity or query, an id that is not lower-case words joined by `-`, a threshold
    /// that the query does not show on a `// threshold` line.
    pub fn parse(text: &str) -> Result<Detection, String> {
        let mut fields: Vec<(&str, String)> = Vec::new();
        let mut query_start = text.len();
        let mut offset = 0;
        for (n, line) in text.split_inclusive('\n').enumerate() {
            let trimmed = line.trim_end_matches(['\n', '\r']);
            let Some(comment) = trimmed.strip_prefix("//") else {
                if trimmed.trim().is_empty() && fields.is_empty() {
                    offset += line.len();
                    continue;
                }
                query_start = offset;
                break;
            };
            offset += line.len();
            // A continuation line (`//` and at least two spaces) extends the previous value.
            if comment.starts_with("  ") && !fields.is_empty() {
                let last = fields.last_mut().expect("checked");
                last.1.push(' ');
                last.1.push_str(comment.trim());
                continue;
            }
            let Some((key, value)) = comment.split_once(':') else {
                return Err(format!(
                    "line {}: expected `// key: value` in the header, found {trimmed:?}",
                    n + 1
                ));
            };
            let key = key.trim();
            if !KEYS.contains(&key) {
                return Err(format!(
                    "line {}: unknown header key {key:?} (expected one of {})",
                    n + 1,
                    KEYS.join(", ")
                ));
            }
            if fields.iter().any(|(k, _)| *k == key) {
                return Err(format!("line {}: {key:?} is given twice", n + 1));
            }
            fields.push((key, value.trim().to_string()));
        }
        let get = |k: &str| fields.iter().find(|(key, _)| *key == k).map(|(_, v)| v);
        let list = |k: &str| -> Vec<String> {
            get(k)
                .map(|v| {
                    v.split(',')
                        .map(str::trim)
                        .filter(|s| !s.is_empty())
                        .map(String::from)
                        .collect()
                })
                .unwrap_or_default()
        };
        let required = |k: &str| -> Result<String, String> {
            match get(k) {
                Some(v) if !v.is_empty() => Ok(v.clone()),
                _ => Err(format!("the header has no `// {k}: …` line")),
            }
        };
        let id = required("id")?;
        let valid_id = id.split('-').all(|w| {
            !w.is_empty()
                && w.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        });
        if !valid_id {
            return Err(format!(
                "id {id:?}: expected lower-case words and digits joined by `-`"
            ));
        }
        let severity_text = required("severity")?;
        let severity = Severity::parse(&severity_text).ok_or_else(|| {
            format!("severity {severity_text:?}: expected info, low, medium, high or critical")
        })?;
        let query = text[query_start..].trim().to_string();
        if query.is_empty() {
            return Err("no query after the header".into());
        }
        let threshold = match get("threshold") {
            None => None,
            Some(t) => Some(
                t.parse::<u64>()
                    .map_err(|_| format!("threshold {t:?}: expected a whole number"))?,
            ),
        };
        let det = Detection {
            id,
            title: required("title")?,
            severity,
            description: get("description").cloned().unwrap_or_default(),
            mitre: list("mitre"),
            references: list("references"),
            maps: list("maps"),
            threshold,
            configure: get("configure").cloned().filter(|c| !c.is_empty()),
            query,
        };
        if let Some(t) = threshold {
            match det.threshold_line() {
                Some((_, n)) if n == t => {}
                Some((_, n)) => {
                    return Err(format!(
                        "the header's threshold is {t} but the `{THRESHOLD_MARK}` line compares with {n}"
                    ))
                }
                None => {
                    return Err(format!(
                        "threshold {t}: the query has no line ending with `{THRESHOLD_MARK}` that compares with it"
                    ))
                }
            }
        }
        Ok(det)
    }

    /// The line (index) holding the threshold and the number on it: the last number before the
    /// `// threshold` mark; `None` unless exactly one line has the mark.
    fn threshold_line(&self) -> Option<(usize, u64)> {
        let mut found = None;
        for (i, line) in self.query.lines().enumerate() {
            if let Some(at) = line.find(THRESHOLD_MARK) {
                if found.is_some() {
                    return None;
                }
                let (start, end) = last_number(&line[..at])?;
                found = Some((i, line[start..end].parse().ok()?));
            }
        }
        found
    }

    /// The query with its threshold replaced by `n` (the query itself when it has none).
    pub fn with_threshold(&self, n: u64) -> String {
        let Some((index, _)) = self.threshold_line() else {
            return self.query.clone();
        };
        let mut out = String::with_capacity(self.query.len());
        for (i, line) in self.query.split_inclusive('\n').enumerate() {
            if i == index {
                let at = line.find(THRESHOLD_MARK).unwrap_or(line.len());
                if let Some((start, end)) = last_number(&line[..at]) {
                    out.push_str(&line[..start]);
                    out.push_str(&n.to_string());
                    out.push_str(&line[end..]);
                    continue;
                }
            }
            out.push_str(line);
        }
        out
    }

    /// The detection as a file: the header, then the query (what [`Detection::parse`] reads).
    pub fn to_file(&self) -> String {
        let mut s = String::new();
        let mut line = |k: &str, v: &str| {
            if !v.is_empty() {
                s.push_str(&format!("// {k}: {v}\n"));
            }
        };
        line("id", &self.id);
        line("title", &self.title);
        line("severity", self.severity.as_str());
        line("mitre", &self.mitre.join(", "));
        line("maps", &self.maps.join(", "));
        line("references", &self.references.join(", "));
        if let Some(t) = self.threshold {
            line("threshold", &t.to_string());
        }
        if let Some(c) = &self.configure {
            line("configure", c);
        }
        line("description", &self.description);
        s.push_str(&self.query);
        s.push('\n');
        s
    }
}

/// The keys a header may have.
const KEYS: &[&str] = &[
    "id",
    "title",
    "severity",
    "mitre",
    "maps",
    "references",
    "threshold",
    "configure",
    "description",
];

/// The byte range of the last run of ASCII digits in `s`.
fn last_number(s: &str) -> Option<(usize, usize)> {
    let end = s.rfind(|c: char| c.is_ascii_digit())? + 1;
    let start = s[..end]
        .rfind(|c: char| !c.is_ascii_digit())
        .map_or(0, |i| i + 1);
    Some((start, end))
}

/// The built-in detection files, by id (`engine/detections/<id>.dql`).
macro_rules! pack {
    ($($id:literal),* $(,)?) => {
        &[$(($id, include_str!(concat!("../../detections/", $id, ".dql")))),*]
    };
}

/// Every built-in detection file, `(id, text)`, in the order they are listed and run.
pub const PACK: &[(&str, &str)] = pack![
    "access-key-used",
    "account-contact-discovery",
    "api-enumeration-burst",
    "api-throttling",
    "aws-account-created",
    "bedrock-guardrail-changed",
    "bedrock-invocation-logging-deleted",
    "bedrock-model-access-enabled",
    "blocklisted-role-assumed",
    "caller-identity-from-new-key",
    "caller-identity-trufflehog",
    "cloudtrail-bucket-short-lifecycle",
    "cloudtrail-created-or-updated",
    "cloudtrail-event-selectors-disabled",
    "cloudtrail-logging-stopped",
    "codebuild-project-made-public",
    "config-recorder-created",
    "config-recorder-stopped",
    "console-brute-force-by-ip",
    "console-brute-force-by-user",
    "console-login-failed",
    "console-login-without-mfa",
    "console-login-without-saml",
    "console-mfa-failures-burst",
    "console-password-spraying",
    "dns-query-logs-deleted",
    "ebs-default-encryption-disabled",
    "ec2-ami-made-public",
    "ec2-ami-shared-with-account",
    "ec2-image-created-or-copied",
    "ec2-instance-connect-many-instances",
    "ec2-instances-changed-by-person",
    "ec2-instances-stopped",
    "ec2-manual-security-group-change-in-production",
    "ec2-network-acl-changed",
    "ec2-network-acl-open-to-internet",
    "ec2-network-gateway-changed",
    "ec2-password-data-read-burst",
    "ec2-route-table-changed",
    "ec2-security-group-changed",
    "ec2-security-group-open-to-internet",
    "ec2-serial-console-ssh-key-sent",
    "ec2-snapshot-made-public-or-shared",
    "ec2-snapshot-or-image-copied-cross-region",
    "ec2-traffic-mirroring",
    "ec2-unusual-instance-type-launched",
    "ec2-user-data-changed",
    "ec2-user-data-downloaded",
    "ec2-vpc-changed",
    "ecr-changed-outside-deployment",
    "ecr-used-outside-expected-accounts",
    "federation-token-requested",
    "guardduty-disabled",
    "guardduty-findings-suppressed",
    "iam-access-key-created-for-another-user",
    "iam-admin-policy-attached-to-role",
    "iam-admin-policy-attached-to-user",
    "iam-change",
    "iam-compromised-key-quarantine",
    "iam-credentials-created-or-changed",
    "iam-entity-created-outside-cloudformation",
    "iam-group-enumeration",
    "iam-login-profile-changed-for-another-user",
    "iam-login-profile-updated-for-another-user",
    "iam-policy-changed",
    "iam-role-created",
    "iam-role-trust-policy-changed",
    "iam-role-trust-policy-public",
    "iam-user-created",
    "imds-credentials-used-outside-ec2",
    "kms-key-disabled-or-deletion-scheduled",
    "kms-key-with-external-material",
    "lambda-changed-outside-deployment",
    "lambda-code-updated-by-person",
    "lambda-function-public",
    "lambda-layer-added-by-person",
    "lambda-permission-added",
    "macie-disabled-or-changed",
    "organization-leave-attempted",
    "organizations-changed",
    "password-policy-discovery",
    "rds-activity-stream-stopped",
    "rds-automated-backup-deleted",
    "rds-cluster-failover",
    "rds-deletion-protection-disabled",
    "rds-instance-deleted",
    "rds-instance-made-public",
    "rds-instance-rebooted",
    "rds-log-file-downloaded",
    "rds-manual-snapshot-created",
    "rds-master-password-changed",
    "rds-public-restore",
    "rds-role-added",
    "rds-security-group-ingress-authorized",
    "rds-snapshot-copied-cross-region",
    "rds-snapshot-deleted",
    "rds-snapshot-enumeration",
    "rds-snapshot-exported",
    "rds-snapshot-shared",
    "recon-access-denied-burst",
    "region-enabled",
    "resource-policy-made-public",
    "role-assumed-by-aws-service",
    "role-assumed-by-user",
    "rolesanywhere-trust-anchor-created",
    "root-access-key-created",
    "root-account-used",
    "root-console-login",
    "root-console-login-failures-burst",
    "root-password-changed",
    "s3-bucket-deleted",
    "s3-bucket-logging-disabled",
    "s3-bucket-policy-changed",
    "s3-encryption-deleted",
    "s3-mfa-delete-disabled",
    "s3-object-copied-to-external-account",
    "s3-object-copied-with-foreign-kms-key",
    "s3-objects-batch-deleted",
    "s3-objects-copied-with-customer-key",
    "s3-objects-deleted-burst",
    "s3-public-access-block-deleted",
    "s3-ransom-note-uploaded",
    "s3-replication-deleted",
    "s3-security-controls-disabled-burst",
    "s3-versioning-suspended",
    "saml-provider-changed",
    "secrets-manager-batch-read",
    "secrets-manager-batch-read-everything",
    "secrets-manager-batch-read-many-regions",
    "secrets-manager-denied-burst",
    "secrets-manager-read-burst",
    "security-configuration-changed",
    "security-tooling-discovery",
    "securityhub-disabled",
    "securityhub-disabled-or-findings-changed",
    "ses-reconnaissance",
    "session-token-requested-by-iam-user",
    "signin-token-requested",
    "ssm-command-sent-to-many-instances",
    "ssm-parameters-decrypted-burst",
    "ssm-session-started",
    "sso-access-token-created",
    "sso-cli-sign-in-prompt",
    "sso-sign-in",
    "unauthorized-api-call",
    "unauthorized-api-calls-burst",
    "unused-region-activity",
    "vpc-endpoint-access-denied",
    "vpc-endpoint-external-principal",
    "vpc-endpoint-s3-from-public-ip",
    "vpc-endpoint-sensitive-call",
    "vpc-flow-logs-deleted",
    "waf-web-acl-disassociated",
];

/// The built-in detections, parsed once. A file that does not parse is a bug caught by the
/// engine's tests; here it is left out rather than taking the pack down.
pub fn catalogue() -> &'static [Detection] {
    static CATALOGUE: OnceLock<Vec<Detection>> = OnceLock::new();
    CATALOGUE.get_or_init(|| {
        PACK.iter()
            .filter_map(|(_, text)| Detection::parse(text).ok())
            .collect()
    })
}

/// A built-in detection by id.
pub fn get(id: &str) -> Option<&'static Detection> {
    catalogue().iter().find(|d| d.id == id)
}

#[cfg(test)]
mod tests;
