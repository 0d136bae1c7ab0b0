use super::*;
use crate::{load_bytes, LoadOptions};

/// One CloudTrail event: minute `m` of a fixed hour, its name, caller and extra members.
fn ev(m: u32, name: &str, who: &str, extra: &str) -> String {
    format!(
        r#"{{"eventVersion":"1.08","eventTime":"2026-11-20T10:{m:02}:00Z","eventSource":"{}","eventName":"{name}","awsRegion":"us-east-1","sourceIPAddress":"198.51.100.{m}","userAgent":"aws-cli/2","eventID":"e{m}","eventType":"AwsApiCall","recipientAccountId":"111122223333","userIdentity":{who}{extra}}}"#,
        if name.starts_with("Assume") || name.starts_with("Get") && name.contains("Token") {
            "sts.amazonaws.com"
        } else if name == "GetRoleCredentials" {
            "sso.amazonaws.com"
        } else {
            "s3.amazonaws.com"
        }
    )
}

fn user(name: &str, key: &str) -> String {
    format!(
        r#"{{"type":"IAMUser","principalId":"AIDA{name}","arn":"arn:aws:iam::111122223333:user/{name}","accountId":"111122223333","accessKeyId":"{key}","userName":"{name}"}}"#
    )
}

fn session(role: &str, name: &str, key: &str) -> String {
    format!(
        r#"{{"type":"AssumedRole","principalId":"AROA{role}:{name}","arn":"arn:aws:sts::111122223333:assumed-role/{role}/{name}","accountId":"111122223333","accessKeyId":"{key}","sessionContext":{{"sessionIssuer":{{"type":"Role","principalId":"AROA{role}","arn":"arn:aws:iam::111122223333:role/{role}","accountId":"111122223333","userName":"{role}"}},"attributes":{{"creationDate":"2026-11-20T10:00:00Z","mfaAuthenticated":"false"}}}}}}"#
    )
}

fn assumed(role: &str, name: &str, key: &str, source_identity: Option<&str>) -> String {
    let si = source_identity
        .map(|s| format!(r#","sourceIdentity":"{s}""#))
        .unwrap_or_default();
    format!(
        r#","requestParameters":{{"roleArn":"arn:aws:iam::111122223333:role/{role}","roleSessionName":"{name}"{si}}},"responseElements":{{"credentials":{{"accessKeyId":"{key}","expiration":"Nov 20, 2026, 11:00:00 AM"}},"assumedRoleUser":{{"assumedRoleId":"AROA{role}:{name}","arn":"arn:aws:sts::111122223333:assumed-role/{role}/{name}"}}}}"#
    )
}

fn store(events: &[String]) -> std::sync::Arc<Store> {
    let text = format!("{{\"Records\":[{}]}}", events.join(","));
    let (store, report) = load_bytes("chain.json", text.as_bytes(), LoadOptions::default());
    assert_eq!(report.events(), events.len(), "{}", report.summary());
    store
}

fn names(chain: &Chain) -> Vec<&str> {
    chain.hops.iter().map(|h| h.identity.as_str()).collect()
}

#[test]
fn a_role_chain_is_followed_back_to_the_users_long_term_key() {
    let s = store(&[
        ev(
            1,
            "AssumeRole",
            &user("alice", "AKIAALICE"),
            &assumed("Dev", "alice-dev", "ASIAONE", None),
        ),
        ev(
            2,
            "ListBuckets",
            &session("Dev", "alice-dev", "ASIAONE"),
            "",
        ),
        ev(
            3,
            "AssumeRole",
            &session("Dev", "alice-dev", "ASIAONE"),
            &assumed("Admin", "pivot", "ASIATWO", Some("alice")),
        ),
        ev(
            4,
            "GetObject",
            &session("Admin", "pivot", "ASIATWO"),
            r#","errorCode":"AccessDenied""#,
        ),
        ev(
            5,
            "PutBucketPolicy",
            &session("Admin", "pivot", "ASIATWO"),
            "",
        ),
        ev(6, "ListBuckets", &user("bob", "AKIABOB"), ""),
    ]);
    let lens = lens(&s, "ASIATWO");
    assert_eq!(lens.matched, ["userIdentity.accessKeyId"]);
    assert_eq!(lens.activity.events, 2);
    assert_eq!(lens.activity.failed, 1);
    assert_eq!(lens.activity.errors, [("AccessDenied".to_string(), 1)]);
    assert_eq!(lens.chains.len(), 1);
    let c = &lens.chains[0];
    assert_eq!(
        c.origin,
        Origin::LongTermKey {
            identity: "arn:aws:iam::111122223333:user/alice".into(),
            key: "AKIAALICE".into()
        }
    );
    assert_eq!(
        names(c),
        [
            "arn:aws:iam::111122223333:user/alice",
            "arn:aws:sts::111122223333:assumed-role/Dev/alice-dev",
            "arn:aws:sts::111122223333:assumed-role/Admin/pivot",
        ]
    );
    // Each hop: how its key was issued and what it did.
    assert_eq!(c.hops[0].issued_by, None);
    assert_eq!(c.hops[0].activity.events, 1);
    let dev = c.hops[1].issued_by.as_ref().unwrap();
    assert_eq!(
        (
            dev.event_name.as_str(),
            dev.role_session_name.as_deref(),
            dev.matched_by
        ),
        ("AssumeRole", Some("alice-dev"), "accessKeyId")
    );
    assert_eq!(
        c.hops[1].activity.events, 2,
        "ListBuckets and the second AssumeRole"
    );
    let admin = c.hops[2].issued_by.as_ref().unwrap();
    assert_eq!(admin.source_identity.as_deref(), Some("alice"));
    assert_eq!(admin.event_id.as_deref(), Some("e3"));
    // The same chain from the session's ARN, and from the middle hop, which issued the last.
    let by_arn = super::lens(&s, "arn:aws:sts::111122223333:assumed-role/Admin/pivot");
    assert_eq!(by_arn.chains, lens.chains);
    let middle = super::lens(&s, "ASIAONE");
    assert_eq!(middle.issued.len(), 1);
    assert_eq!(middle.issued[0].access_key.as_deref(), Some("ASIATWO"));
    assert_eq!(middle.issued[0].activity.events, 2);
}

#[test]
fn origins_federated_service_identity_center_and_unknown() {
    let saml_user = r#"{"type":"SAMLUser","principalId":"idp:bob","userName":"bob","identityProvider":"arn:aws:iam::111122223333:saml-provider/Okta"}"#;
    let ec2 = r#"{"type":"AWSService","invokedBy":"ec2.amazonaws.com"}"#;
    let sso = r#"{"type":"Unknown","principalId":"111122223333","accountId":"111122223333","userName":"carol@example.com"}"#;
    let s = store(&[
        ev(
            1,
            "AssumeRoleWithSAML",
            saml_user,
            &assumed("Okta", "bob", "ASIASAML", None),
        ),
        ev(2, "ListBuckets", &session("Okta", "bob", "ASIASAML"), ""),
        ev(
            3,
            "AssumeRole",
            ec2,
            &assumed("Web", "i-0abc", "ASIAEC2", None),
        ),
        ev(4, "ListBuckets", &session("Web", "i-0abc", "ASIAEC2"), ""),
        ev(
            5,
            "GetRoleCredentials",
            sso,
            r#","requestParameters":{"roleName":"Admin","accountId":"111122223333"},"responseElements":null"#,
        ),
        ev(
            6,
            "ListBuckets",
            &session("AWSReservedSSO_Admin_0123", "carol@example.com", "ASIASSO"),
            "",
        ),
        ev(7, "ListBuckets", &session("Lost", "x", "ASIALOST"), ""),
    ]);
    let origin = |k: &str| lens(&s, k).chains[0].origin.clone();
    assert_eq!(
        origin("ASIASAML"),
        Origin::Federated {
            kind: "SAML user of arn:aws:iam::111122223333:saml-provider/Okta:".into(),
            user: "bob".into()
        }
    );
    assert_eq!(
        origin("ASIAEC2"),
        Origin::Service {
            service: "ec2.amazonaws.com".into()
        }
    );
    let sso_lens = lens(&s, "ASIASSO");
    assert_eq!(
        sso_lens.chains[0].origin,
        Origin::Federated {
            kind: "IAM Identity Center user".into(),
            user: "carol@example.com".into()
        }
    );
    assert_eq!(
        sso_lens.chains[0].hops[0]
            .issued_by
            .as_ref()
            .unwrap()
            .matched_by,
        "identityCenterUser"
    );
    assert!(matches!(origin("ASIALOST"), Origin::Unknown { .. }));
    assert!(lens(&s, "ASIANOTHERE").chains.is_empty());
}

#[test]
fn a_role_arn_gives_a_chain_per_session_and_loops_end() {
    let s = store(&[
        ev(
            1,
            "AssumeRole",
            &user("alice", "AKIAALICE"),
            &assumed("Dev", "a", "ASIAA", None),
        ),
        ev(
            2,
            "AssumeRole",
            &user("bob", "AKIABOB"),
            &assumed("Dev", "b", "ASIAB", None),
        ),
        ev(3, "ListBuckets", &session("Dev", "a", "ASIAA"), ""),
        ev(4, "ListBuckets", &session("Dev", "b", "ASIAB"), ""),
        ev(5, "ListBuckets", &session("Dev", "b", "ASIAB"), ""),
        // Hostile data: two keys each claiming to have issued the other.
        ev(
            6,
            "AssumeRole",
            &session("X", "x", "ASIAX"),
            &assumed("Y", "y", "ASIAY", None),
        ),
        ev(
            7,
            "AssumeRole",
            &session("Y", "y", "ASIAY"),
            &assumed("X", "x", "ASIAX", None),
        ),
    ]);
    let l = lens(&s, "arn:aws:iam::111122223333:role/Dev");
    assert_eq!(l.matched, ["userIdentity.sessionContext.sessionIssuer.arn"]);
    assert_eq!(l.chains.len(), 2);
    assert_eq!(
        l.chains[0].hops.last().unwrap().access_key.as_deref(),
        Some("ASIAB")
    );
    assert_eq!(
        l.chains[0].hops[0].identity,
        "arn:aws:iam::111122223333:user/bob"
    );
    assert_eq!(
        l.chains[1].hops[0].identity,
        "arn:aws:iam::111122223333:user/alice"
    );
    let looped = lens(&s, "ASIAX");
    assert!(matches!(looped.chains[0].origin, Origin::Unknown { .. }));
    assert!(looped.chains[0].hops.len() <= MAX_HOPS);
    // JSON: one object, values escaped.
    let json = l.to_json(&s, 10);
    assert!(json.starts_with("{\"subject\":\"arn:aws:iam::111122223333:role/Dev\""));
    assert!(crate::storage::tape::parse_value(&json).is_ok(), "{json}");
}
