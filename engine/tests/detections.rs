//! The detection pack measured against Panther's rule tests: every test event of
//! `../shared/data/cloudtrail/panther-tests.jsonl` whose rule a detection maps is loaded alone
//! and run through the detections that map its rule (thresholds set to 1, since Panther's
//! `expected` is its `rule()` on one event, before any threshold); expected true must give a
//! hit, false none. `docs/detections.md` is generated from the pack and these results (`BLESS=1`
//! rewrites it; the test fails when it is stale). Skipped, with a printed reason, when the shared
//! data is not there.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use trailscope_engine::detect::{self, Detection};
use trailscope_engine::storage::tape::parse_value;
use trailscope_engine::Loader;
use trailscope_engine::{load_bytes, render_diagnostics, time, LoadOptions, QueryOptions, Value};

fn shared_dir() -> Option<PathBuf> {
    let d = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/data/cloudtrail");
    if d.join("panther-tests.jsonl").exists() {
        Some(d)
    } else {
        println!(
            "SKIPPED: {} not found (shared data is not part of the repository)",
            d.display()
        );
        None
    }
}

/// One Panther rule test.
struct PantherTest {
    rule: String,
    name: String,
    expected: bool,
    /// The test's event as JSON text.
    event: String,
}

/// The time given to test events that have none or a placeholder (`redacted`; the loader needs one; no rule the pack maps
/// reads the time of a single event).
const NO_TIME: &str = "2000-01-01T00:00:00Z";

fn panther_tests(dir: &Path) -> Vec<PantherTest> {
    let text = std::fs::read_to_string(dir.join("panther-tests.jsonl")).unwrap();
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let v = parse_value(l).unwrap_or_else(|e| panic!("{e:?}: {l}"));
            let s = |k: &str| v.member(k).as_str().unwrap_or_default().to_string();
            let mut event = cloudtrail_case(&v.member("event"));
            let timed = event
                .member("eventTime")
                .as_str()
                .is_some_and(|t| time::parse_timestamp(t).is_some());
            if !timed {
                if let Value::Record(r) = &mut event {
                    let r = std::sync::Arc::make_mut(r);
                    r.fields.retain(|(k, _)| &**k != "eventTime");
                    r.fields
                        .insert(0, ("eventTime".into(), Value::str(NO_TIME)));
                }
            }
            let json = event.to_json();
            PantherTest {
                rule: s("rule"),
                name: s("test"),
                expected: matches!(v.member("expected"), Value::Bool(true)),
                event: json,
            }
        })
        .collect()
}

/// CloudTrail's member names. Panther reads events case-insensitively (panther_core's
/// `ImmutableCaseInsensitiveDict`) and a few tests are written in lower case (`eventname`, as
/// Athena shows them); CloudTrail writes these names as here, and so do the queries.
const CLOUDTRAIL_NAMES: &[&str] = &[
    "eventVersion",
    "userIdentity",
    "eventTime",
    "eventSource",
    "eventName",
    "awsRegion",
    "sourceIPAddress",
    "userAgent",
    "errorCode",
    "errorMessage",
    "requestParameters",
    "responseElements",
    "additionalEventData",
    "requestID",
    "eventID",
    "readOnly",
    "resources",
    "eventType",
    "apiVersion",
    "managementEvent",
    "recipientAccountId",
    "sharedEventID",
    "vpcEndpointId",
    "eventCategory",
    "tlsDetails",
    "sessionCredentialFromConsole",
    "type",
    "principalId",
    "arn",
    "accountId",
    "accessKeyId",
    "userName",
    "sessionContext",
    "invokedBy",
    "sessionIssuer",
    "attributes",
    "mfaAuthenticated",
    "creationDate",
    "sourceIdentity",
];

/// The event with member names that differ from CloudTrail's only in case spelt as CloudTrail
/// spells them (an event whose names are right is returned as it is).
fn cloudtrail_case(v: &Value) -> Value {
    match v {
        Value::Record(r) => {
            let mut out = (**r).clone();
            for (k, val) in &mut out.fields {
                if let Some(name) = CLOUDTRAIL_NAMES
                    .iter()
                    .find(|n| n.eq_ignore_ascii_case(k) && **n != &**k)
                {
                    *k = (*name).into();
                }
                *val = cloudtrail_case(val);
            }
            Value::Record(std::sync::Arc::new(out))
        }
        Value::Array(a) => Value::Array(a.iter().map(cloudtrail_case).collect()),
        other => other.clone(),
    }
}

/// Tests whose `expected` comes from Panther state the event does not carry (the rule's
/// `Mocks:`: caches of what was seen before, lookup tables), so that no query over the event
/// alone can reproduce it. They are reported, not counted.
const NEEDS_PANTHER_STATE: &[(&str, &str, &str)] = &[
    (
        "AWS.CloudTrail.AMIModifiedForPublicAccess",
        "Access Granted To Unknown User",
        "mocks `check_account_age` (the account given the AMI was first seen recently): Panther's cache of accounts",
    ),
    (
        "AWS.Console.LoginWithoutMFA",
        "No MFA Login - New User",
        "mocks `check_account_age` (a user created in the last days is not alerted on): Panther's cache of new users",
    ),
    (
        "AWS.Console.LoginWithoutMFA",
        "No MFA - IAM Role and External IDP",
        "mocks the rule's setting `ROLES_VIA_EXTERNAL_IDP = True` (off by default): with it no assumed-role login is alerted on",
    ),
    (
        "AWS.CloudTrail.SecurityConfigurationChange",
        "Security Configuration Changed - Allowlisted User",
        "mocks the rule's `ALLOW_LIST` (empty by default) with this user and event",
    ),
    (
        "AWS.SSM.DistributedCommand",
        "Single Command Send, Many Cached IDs",
        "mocks Panther's cache of the instances the user sent commands to before",
    ),
];

/// Rules whose counting is in their `rule()` (over a cache Panther keeps), not in a Panther
/// `Threshold:`: their detections keep their threshold in the test.
const COUNT_IN_RULE: &[&str] = &["AWS.SSM.DistributedCommand"];

/// The outcome of one test.
struct Outcome<'a> {
    test: &'a PantherTest,
    /// Detections (mapped to the test's rule) that hit.
    hits: Vec<String>,
    /// Errors of detections that did not run.
    errors: Vec<String>,
}

fn run_test<'a>(t: &'a PantherTest, detections: &[&Detection]) -> Outcome<'a> {
    let keep_threshold = COUNT_IN_RULE.contains(&t.rule.as_str());
    let (store, report) = load_bytes(
        &format!("{}/{}", t.rule, t.name),
        t.event.as_bytes(),
        LoadOptions::default(),
    );
    assert_eq!(
        report.events(),
        1,
        "{} / {}: the event does not load: {}",
        t.rule,
        t.name,
        report.summary()
    );
    let mut hits = Vec::new();
    let mut errors = Vec::new();
    for d in detections {
        let query = if keep_threshold {
            d.query.clone()
        } else {
            d.with_threshold(1)
        };
        match detect::run(&store, &query, &QueryOptions::default()) {
            Ok(run) if !run.hits.is_empty() => hits.push(d.id.clone()),
            Ok(_) => {}
            Err(diags) => errors.push(format!("{}: {}", d.id, render_diagnostics(&query, &diags))),
        }
    }
    Outcome {
        test: t,
        hits,
        errors,
    }
}

fn mapped(rule: &str) -> Vec<&'static Detection> {
    detect::catalogue()
        .iter()
        .filter(|d| d.maps.iter().any(|m| m == rule))
        .collect()
}

#[test]
fn panther_rule_tests_agree_with_the_detections_that_map_them() {
    let Some(dir) = shared_dir() else { return };
    let tests = panther_tests(&dir);
    assert!(tests.len() > 400, "{} tests", tests.len());
    let verbose = std::env::var_os("DETECT_VERBOSE").is_some();
    let mut outcomes = Vec::new();
    for t in &tests {
        let ds = mapped(&t.rule);
        if ds.is_empty() {
            continue;
        }
        outcomes.push(run_test(t, &ds));
    }
    let mut failures = Vec::new();
    for o in &outcomes {
        let t = o.test;
        if !o.errors.is_empty() {
            failures.push(format!(
                "{} / {}: detections fail:\n{}",
                t.rule,
                t.name,
                o.errors.join("\n")
            ));
            continue;
        }
        let state = NEEDS_PANTHER_STATE
            .iter()
            .any(|(r, n, _)| *r == t.rule && *n == t.name);
        let agrees = o.hits.is_empty() != t.expected;
        if verbose {
            println!(
                "{} {} / {} expected {} hits {:?}",
                if agrees { "ok  " } else { "FAIL" },
                t.rule,
                t.name,
                t.expected,
                o.hits
            );
        }
        if !agrees && !state {
            failures.push(format!(
                "{} / {}: expected {}, {}\n  event: {}",
                t.rule,
                t.name,
                t.expected,
                if o.hits.is_empty() {
                    "no detection hit".to_string()
                } else {
                    format!("hit by {}", o.hits.join(", "))
                },
                t.event
            ));
        }
    }
    let mut doc = document(&tests, &outcomes);
    doc.push_str(&corpus(&dir, &mut failures));
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/detections.md");
    if std::env::var_os("BLESS").is_some() {
        std::fs::write(&path, &doc).unwrap();
    } else if std::fs::read_to_string(&path).ok().as_deref() != Some(doc.as_str()) {
        failures.push(format!(
            "{} is stale: run `BLESS=1 cargo test -p trailscope-engine --test detections`",
            path.display()
        ));
    }
    assert!(
        failures.is_empty(),
        "{} of {} mapped tests disagree:\n\n{}",
        failures.len(),
        outcomes.len(),
        failures.join("\n\n")
    );
}

/// Why each rule the pack does not map is left out.
const NOT_COVERED: &[(&str, &str)] = &[
    (
        "AWS.EC2.Vulnerable.XZ.Image.Launched",
        "compares the launched image with Panther's list of AMIs built with the backdoored xz \
         (CVE-2024-3094, `panther_iocs.XZ_AMIS`): an indicator list, not CloudTrail logic",
    ),
    (
        "Standard.GreyNoiseV3.MaliciousIP",
        "reads GreyNoise's verdict on the source address from Panther's enrichment \
         (`p_enrichment`), which a CloudTrail export does not have",
    ),
    (
        "Standard.ImpossibleTravel.Login",
        "needs the geolocation of each source address (Panther's ipinfo enrichment) and the \
         user's previous location (Panther's cache)",
    ),
    (
        "Standard.OTX.MaliciousIndicator",
        "reads AlienVault OTX indicators from Panther's enrichment (`p_enrichment`)",
    ),
    (
        "Standard.SignInFromRogueState",
        "needs the country of the source address (Panther's ipinfo enrichment)",
    ),
];

/// `docs/detections.md`: the pack, then the Panther coverage.
fn document(tests: &[PantherTest], outcomes: &[Outcome]) -> String {
    use std::fmt::Write as _;
    let mut s = String::new();
    let pack = detect::catalogue();
    let _ = writeln!(
        s,
        "# Detections\n\n\
         <!-- Generated by engine/tests/detections.rs (BLESS=1 rewrites it); do not edit. -->\n\n\
         The built-in pack: {} detections, each a DQL query in `engine/detections/<id>.dql` \
         (`trailscope detect --list` prints them, with their queries). `threshold` is the number \
         a counting detection compares against, on the query's line ending with `// threshold`; \
         detections marked *configure* hold example lists (accounts, roles, regions) and run \
         only when asked for.\n",
        pack.len()
    );
    s.push_str("| id | severity | title | MITRE ATT&CK | Panther rules |\n|---|---|---|---|---|\n");
    for d in pack {
        let mut title = d.title.replace('|', "\\|");
        if let Some(t) = d.threshold {
            let _ = write!(title, " (threshold {t})");
        }
        if d.configure.is_some() {
            title.push_str(" (*configure*)");
        }
        let _ = writeln!(
            s,
            "| `{}` | {} | {} | {} | {} |",
            d.id,
            d.severity.as_str(),
            title,
            d.mitre.join(", "),
            d.maps.join(", ")
        );
    }
    // Per rule: tests, agreeing tests, tests needing Panther state.
    let mut by_rule: BTreeMap<&str, (usize, usize, usize)> = BTreeMap::new();
    for o in outcomes {
        let t = o.test;
        let e = by_rule.entry(&t.rule).or_default();
        e.0 += 1;
        let state = NEEDS_PANTHER_STATE
            .iter()
            .any(|(r, n, _)| *r == t.rule && *n == t.name);
        if state {
            e.2 += 1;
        } else if o.errors.is_empty() && o.hits.is_empty() != t.expected {
            e.1 += 1;
        }
    }
    let all_rules: BTreeSet<&str> = tests.iter().map(|t| t.rule.as_str()).collect();
    let (n_tests, n_agree, n_state) = by_rule
        .values()
        .fold((0, 0, 0), |a, v| (a.0 + v.0, a.1 + v.1, a.2 + v.2));
    let decidable = n_tests - n_state;
    let _ = writeln!(
        s,
        "\n## Panther rule tests\n\n\
         Panther's CloudTrail rules ({} rules, {} tests in `../shared/data/cloudtrail/panther-tests.jsonl`). \
         Each test event is loaded alone and run through the detections that map its rule, \
         thresholds set to 1 (Panther's expected result is its `rule()` on one event, before \
         any `Threshold:`; AWS.SSM.DistributedCommand, which counts inside its `rule()`, keeps \
         its detection's threshold): expected true must give a hit, false none. Events without an `eventTime` \
         (or with `redacted`) get `{NO_TIME}`.\n\n\
         **Covered: {} of {} rules; {} tests, of which {decidable} can be decided from the \
         event alone and {} of those agree{}.**\n",
        all_rules.len(),
        tests.len(),
        by_rule.len(),
        all_rules.len(),
        n_tests,
        n_agree,
        if n_state > 0 {
            format!(" (the other {n_state} depend on Panther state, see below)")
        } else {
            String::new()
        }
    );
    s.push_str(
        "| Panther rule | detections | tests | agree | need Panther state |\n|---|---|---|---|---|\n",
    );
    for (rule, (n, agree, state)) in &by_rule {
        let ids: Vec<String> = mapped(rule).iter().map(|d| format!("`{}`", d.id)).collect();
        let _ = writeln!(
            s,
            "| {rule} | {} | {n} | {agree} | {state} |",
            ids.join(", ")
        );
    }
    if !NEEDS_PANTHER_STATE.is_empty() {
        s.push_str(
            "\n### Tests that depend on Panther state\n\n\
             Their expected result comes from the rule's mocks (what Panther remembered from \
             earlier events, lookup tables), not from the event.\n\n\
             | Panther rule | test | why |\n|---|---|---|\n",
        );
        for (r, n, why) in NEEDS_PANTHER_STATE {
            let _ = writeln!(s, "| {r} | {n} | {why} |");
        }
    }
    s.push_str("\n### Rules not covered\n\n| Panther rule | tests | why |\n|---|---|---|\n");
    for rule in all_rules.iter().filter(|r| !by_rule.contains_key(*r)) {
        let n = tests.iter().filter(|t| t.rule == *rule).count();
        let why = NOT_COVERED
            .iter()
            .find(|(r, _)| r == rule)
            .map_or("", |(_, w)| w);
        let _ = writeln!(s, "| {rule} | {n} | {why} |");
    }
    s
}

/// The detection each Stratus Red Team technique must set off (its detonation log loaded alone).
const STRATUS_EXPECTED: &[(&str, &str)] = &[
    (
        "aws.credential-access.ec2-get-password-data",
        "ec2-password-data-read-burst",
    ),
    (
        "aws.credential-access.ec2-steal-instance-credentials",
        "imds-credentials-used-outside-ec2",
    ),
    (
        "aws.credential-access.secretsmanager-batch-retrieve-secrets",
        "secrets-manager-batch-read",
    ),
    (
        "aws.credential-access.secretsmanager-retrieve-secrets",
        "secrets-manager-read-burst",
    ),
    (
        "aws.credential-access.ssm-retrieve-securestring-parameters",
        "ssm-parameters-decrypted-burst",
    ),
    (
        "aws.defense-evasion.cloudtrail-delete",
        "cloudtrail-logging-stopped",
    ),
    (
        "aws.defense-evasion.cloudtrail-event-selectors",
        "cloudtrail-event-selectors-disabled",
    ),
    (
        "aws.defense-evasion.cloudtrail-stop",
        "cloudtrail-logging-stopped",
    ),
    (
        "aws.defense-evasion.dns-delete-logs",
        "dns-query-logs-deleted",
    ),
    (
        "aws.defense-evasion.organizations-leave",
        "organization-leave-attempted",
    ),
    (
        "aws.defense-evasion.vpc-remove-flow-logs",
        "vpc-flow-logs-deleted",
    ),
    (
        "aws.discovery.ec2-download-user-data",
        "ec2-user-data-downloaded",
    ),
    (
        "aws.execution.ec2-launch-unusual-instances",
        "ec2-unusual-instance-type-launched",
    ),
    ("aws.execution.ec2-user-data", "ec2-user-data-changed"),
    (
        "aws.execution.ssm-send-command",
        "ssm-command-sent-to-many-instances",
    ),
    ("aws.execution.ssm-start-session", "ssm-session-started"),
    (
        "aws.exfiltration.ec2-security-group-open-port-22-ingress",
        "ec2-security-group-open-to-internet",
    ),
    (
        "aws.exfiltration.ec2-share-ami",
        "ec2-ami-shared-with-account",
    ),
    (
        "aws.exfiltration.ec2-share-ebs-snapshot",
        "ec2-snapshot-made-public-or-shared",
    ),
    ("aws.exfiltration.rds-share-snapshot", "rds-snapshot-shared"),
    (
        "aws.impact.bedrock-invoke-model",
        "bedrock-model-access-enabled",
    ),
    (
        "aws.initial-access.console-login-without-mfa",
        "console-login-without-mfa",
    ),
    (
        "aws.lateral-movement.ec2-instance-connect",
        "ec2-instance-connect-many-instances",
    ),
    (
        "aws.lateral-movement.ec2-serial-console-send-ssh-public-key",
        "ec2-serial-console-ssh-key-sent",
    ),
    (
        "aws.persistence.iam-backdoor-role",
        "iam-role-trust-policy-changed",
    ),
    (
        "aws.persistence.iam-backdoor-user",
        "iam-access-key-created-for-another-user",
    ),
    (
        "aws.persistence.iam-create-admin-user",
        "iam-admin-policy-attached-to-user",
    ),
    (
        "aws.persistence.iam-create-backdoor-role",
        "iam-admin-policy-attached-to-role",
    ),
    (
        "aws.persistence.iam-create-user-login-profile",
        "iam-login-profile-changed-for-another-user",
    ),
    (
        "aws.persistence.lambda-backdoor-function",
        "lambda-function-public",
    ),
    (
        "aws.persistence.lambda-layer-extension",
        "lambda-layer-added-by-person",
    ),
    (
        "aws.persistence.lambda-overwrite-code",
        "lambda-code-updated-by-person",
    ),
    (
        "aws.persistence.rolesanywhere-create-trust-anchor",
        "rolesanywhere-trust-anchor-created",
    ),
    (
        "aws.persistence.sts-federation-token",
        "federation-token-requested",
    ),
    (
        "aws.privilege-escalation.iam-update-user-login-profile",
        "iam-login-profile-updated-for-another-user",
    ),
];

/// The detections `trailscope detect` runs by default (those with example lists left out), and
/// how many hits each has over `paths` loaded together, in pack order.
fn fire(paths: &[PathBuf]) -> (usize, Vec<(&'static str, usize)>) {
    let mut loader = Loader::new(LoadOptions::default());
    for p in paths {
        loader.add_path(p).unwrap();
    }
    let (store, _) = loader.finish();
    let mut fired = Vec::new();
    for d in detect::catalogue().iter().filter(|d| d.configure.is_none()) {
        let run = detect::run(&store, &d.query, &QueryOptions::default())
            .unwrap_or_else(|e| panic!("{}: {}", d.id, render_diagnostics(&d.query, &e)));
        if !run.hits.is_empty() {
            fired.push((d.id.as_str(), run.hits.len()));
        }
    }
    (store.len(), fired)
}

fn fired_text(fired: &[(&str, usize)]) -> String {
    if fired.is_empty() {
        return "none".into();
    }
    fired
        .iter()
        .map(|(id, n)| format!("`{id}` {n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The section of `docs/detections.md` on the real corpus: what fires on each Stratus Red Team
/// detonation (checked against [`STRATUS_EXPECTED`]) and on each other source.
fn corpus(dir: &Path, failures: &mut Vec<String>) -> String {
    use std::fmt::Write as _;
    let mut s = String::from(
        "\n## The real corpus\n\n\
         Every detection `trailscope detect` runs by default (not the *configure* ones) over the \
         public recordings in `../shared/data/cloudtrail`, hits per detection. Each Stratus Red \
         Team detonation is loaded alone; the detection named in **bold** is the one the test \
         requires for that technique.\n\n\
         | Stratus Red Team technique | events | detections that fire (hits) |\n|---|---|---|\n",
    );
    let stratus = dir.join("stratus-red-team/detonation-logs");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&stratus)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    for f in &files {
        let technique = f.file_stem().unwrap().to_string_lossy().to_string();
        let (events, fired) = fire(std::slice::from_ref(f));
        let expected = STRATUS_EXPECTED
            .iter()
            .find(|(t, _)| *t == technique)
            .map(|(_, id)| *id);
        let mut text = fired_text(&fired);
        match expected {
            Some(id) if fired.iter().any(|(f, _)| *f == id) => {
                text = text.replacen(&format!("`{id}`"), &format!("**`{id}`**"), 1);
            }
            Some(id) => failures.push(format!("Stratus {technique}: {id} does not fire")),
            None => failures.push(format!(
                "Stratus {technique}: no expected detection in STRATUS_EXPECTED"
            )),
        }
        let _ = writeln!(s, "| {technique} | {events} | {text} |");
    }
    s.push_str(
        "\nThe other sources, each loaded as a whole:\n\n\
         | source | events | detections that fire (hits) |\n|---|---|---|\n",
    );
    for source in [
        "grycap-cloudtrail-tracker",
        "permiso-cloudconsolecartographer",
        "traildiscover",
        "awsdocs",
        "elastic-integrations",
        "otrf-security-datasets",
        "zmallen-cloudtrail2sightings",
    ] {
        let (events, fired) = fire(&[dir.join(source)]);
        let _ = writeln!(s, "| {source} | {events} | {} |", fired_text(&fired));
    }
    s.push_str(PANTHER_SCENARIOS);
    s
}

/// Panther's test scenarios are YAML, which Trailscope does not load: converted to JSON arrays
/// (`yaml.safe_load(f)["Logs"]`) and run by hand with `trailscope detect`.
const PANTHER_SCENARIOS: &str = "
Panther's scenarios (`panther-analysis/test_scenarios/*/*.yml`, YAML: converted to JSON arrays \
by hand and run with `trailscope detect`, not re-run by the test): `compromised-root-creds` \
attacker (12 events): `root-console-login` 1, `root-account-used` 10, `root-access-key-created` 1, \
`console-login-failed` 3, `console-login-without-mfa` 1, `iam-user-created` 1, \
`iam-access-key-created-for-another-user` 2, `iam-policy-changed` 3, `iam-change` 6, \
`iam-credentials-created-or-changed` 3, `ec2-instances-changed-by-person` 1; victim (4 events): \
`root-console-login` 3, `root-account-used` 4, `console-login-without-mfa` 3. The three failed \
root sign-ins stay under `root-console-login-failures-burst`'s threshold.
";
