//! Tests of `map.rs`.

use super::*;

fn rfc(s: &str) -> Option<String> {
    parse_time(s).map(format_timestamp)
}

#[test]
fn times() {
    let cases = [
        ("2024-01-02T03:04:05Z", Some("2024-01-02T03:04:05Z")),
        ("2024-01-02T03:04:05.120Z", Some("2024-01-02T03:04:05.120Z")),
        ("2023-05-04 12:34:56.000", Some("2023-05-04T12:34:56Z")),
        ("2023-05-04 12:34:56", Some("2023-05-04T12:34:56Z")),
        ("2024-01-02 03:04:05 UTC", Some("2024-01-02T03:04:05Z")),
        ("2024-01-02T05:04:05+02:00", Some("2024-01-02T03:04:05Z")),
        (
            "January 02, 2024, 03:04:05 (UTC-05:00)",
            Some("2024-01-02T08:04:05Z"),
        ),
        ("Jan 2, 2024, 3:04:05 PM", Some("2024-01-02T15:04:05Z")),
        ("Jan 2, 2024, 12:04:05 AM UTC", Some("2024-01-02T00:04:05Z")),
        ("1704164645", Some("2024-01-02T03:04:05Z")),
        ("1704164645000", Some("2024-01-02T03:04:05Z")),
        ("yesterday", None),
        ("2024-13-02 03:04:05", None),
        ("Feb 30, 2024, 03:04:05", None),
        ("", None),
    ];
    for (input, want) in cases {
        assert_eq!(rfc(input).as_deref(), want, "{input:?}");
    }
}

#[test]
fn json_lengths() {
    let cases: &[(&str, Option<usize>)] = &[
        (
            r#"{"a":[1,2.5e3,-0,true,false,null,"x\"\u00e9"]}"#,
            Some(46),
        ),
        (r#"[{"a":{}}, []] tail"#, Some(14)),
        ("{}", Some(2)),
        ("[1,]", None),
        (r#"{"a" 1}"#, None),
        (r#"{"a":01}"#, None),
        ("\"a\nb\"", None),
        ("{type=IAMUser}", None),
        ("[", None),
        ("", None),
    ];
    for (s, want) in cases {
        assert_eq!(json_len(s.as_bytes()), *want, "{s}");
    }
    let deep = "[".repeat(100_000);
    assert_eq!(json_len(deep.as_bytes()), None);
}

fn lake(cell: &str, keys: &[(&str, &str)]) -> String {
    let mut out = String::new();
    lake_value(cell, keys).expect("value").write(&mut out);
    out
}

#[test]
fn lake_struct_text() {
    let ui = "{type=AssumedRole, principalid=AROA4D7QCMG4DYN7MGA25:i-0c29d6abb6a09589a, arn=arn:aws:sts::833190257080:assumed-role/EC2_S3_ROLE/i-0c29d6abb6a09589a, accountid=833190257080, invokedby=null, accesskeyid=ASIA4D7QCMG4M3U7HEOS, username=null, sessioncontext={attributes={mfaauthenticated=false, creationdate=2020-04-12T20:14:55Z}, sessionissuer={type=Role, principalid=AROA4D7QCMG4DYN7MGA25, arn=arn:aws:iam::833190257080:role/EC2_S3_ROLE, accountid=833190257080, username=EC2_S3_ROLE}}}";
    assert_eq!(
        lake(ui, USER_IDENTITY_KEYS),
        r#"{"type":"AssumedRole","principalId":"AROA4D7QCMG4DYN7MGA25:i-0c29d6abb6a09589a","arn":"arn:aws:sts::833190257080:assumed-role/EC2_S3_ROLE/i-0c29d6abb6a09589a","accountId":"833190257080","accessKeyId":"ASIA4D7QCMG4M3U7HEOS","sessionContext":{"attributes":{"mfaAuthenticated":"false","creationDate":"2020-04-12T20:14:55Z"},"sessionIssuer":{"type":"Role","principalId":"AROA4D7QCMG4DYN7MGA25","arn":"arn:aws:iam::833190257080:role/EC2_S3_ROLE","accountId":"833190257080","userName":"EC2_S3_ROLE"}}}"#
    );
    let cases: &[(&str, &str)] = &[
        (
            "[{accountid=12777, type=AWS::IAM::Role, arn=arn:aws:iam::12777:role/x}]",
            r#"[{"accountId":"12777","type":"AWS::IAM::Role","ARN":"arn:aws:iam::12777:role/x"}]"#,
        ),
        ("{}", "{}"),
        ("[]", "[]"),
        // A value with a comma that is not followed by `key=` stays whole.
        (
            "{useragent=aws-cli/2.9.1 Python/3.9.11, exe/x86_64, bucketName=b}",
            r#"{"useragent":"aws-cli/2.9.1 Python/3.9.11, exe/x86_64","bucketName":"b"}"#,
        ),
        // JSON inside a map value is kept as JSON.
        (
            r#"{policy={"Version":"2012-10-17"}, name=p}"#,
            r#"{"policy":{"Version":"2012-10-17"},"name":"p"}"#,
        ),
        (
            "{a={b={c=[1, 2, x]}}}",
            r#"{"a":{"b":{"c":["1","2","x"]}}}"#,
        ),
        // Not struct text: kept as a string.
        ("{unbalanced=", r#""{unbalanced=""#),
        ("{a=b} trailing", r#""{a=b} trailing""#),
        (r#"{"json":true}"#, r#"{"json":true}"#),
    ];
    for (cell, want) in cases {
        assert_eq!(lake(cell, RESOURCE_KEYS), *want, "{cell}");
    }
    assert_eq!(lake_value("null", NO_KEYS), None);
    let deep = format!("{}{}", "{a=".repeat(10_000), "}".repeat(10_000));
    let _ = lake_value(&deep, NO_KEYS);
}

#[test]
fn header_names() {
    let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    assert_eq!(
        classify(&s(&["Event ID", "Event time", "User name", "Event name"])),
        Some(CsvKind::ConsoleEventHistory)
    );
    assert_eq!(
        classify(&s(&["eventid", "eventtime", "useridentity"])),
        Some(CsvKind::LakeQueryResult)
    );
    assert_eq!(
        classify(&s(&["eventID", "eventTime"])),
        Some(CsvKind::LakeQueryResult)
    );
    assert_eq!(classify(&s(&["eventname", "count"])), None);
    assert_eq!(classify(&s(&["name", "price"])), None);
    assert_eq!(
        target(CsvKind::ConsoleEventHistory, " AWS access key "),
        Target::Text(&["userIdentity", "accessKeyId"])
    );
    assert_eq!(
        target(CsvKind::ConsoleEventHistory, "Resource type"),
        Target::Keep("Resource type".into())
    );
    assert_eq!(
        target(CsvKind::LakeQueryResult, "readOnly"),
        Target::Bool("readOnly")
    );
}
