//! The one-click use cases of the data panel: the four of Dynatrace's CloudTrail guide, widened
//! to every code CloudTrail writes for what each looks for, each with a sentence saying what it
//! covers, and the guide's own query kept beside it ("as in the guide").
//!
//! Why widened: the guide's queries name one or two codes, and CloudTrail's services each write
//! their own. The guide's "Unauthorized API calls" filters `AccessDenied` and
//! `UnauthorizedOperation`, but EC2 writes `Client.UnauthorizedOperation`, KMS, Lambda and
//! DynamoDB `AccessDeniedException`, Cognito `NotAuthorizedException`, SNS
//! `AuthorizationError`: on the Stratus Red Team recordings the guide's query finds 5 of the 51
//! denied calls. The lists below come from the codes in the shared corpus of real CloudTrail
//! (`shared/data/cloudtrail`, 79 distinct codes) and the services' API error references.

/// A use case: a button in the data panel.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Preset {
    pub name: &'static str,
    /// What the query catches, in a sentence shown under the button.
    pub covers: &'static str,
    /// The query the button opens (and runs) in a new case.
    pub query: &'static str,
    /// The guide's query as the guide writes it, without its `from: -30min` and bucket filter
    /// (the page's time frame and each source's bucket stand for them).
    pub guide: &'static str,
}

/// The data panel's use cases, in the guide's order.
pub const PRESETS: &[Preset] = &[SIGN_IN, UNAUTHORIZED, THROTTLING, KMS];

/// The title of a case opened with a preset's guide query.
pub fn guide_case_name(p: &Preset) -> String {
    format!("{} (as in the guide)", p.name)
}

const SIGN_IN: Preset = Preset {
    name: "Console sign-in failures",
    covers: "Failed sign-ins of IAM users, root and federated (SAML, OIDC) roles: ConsoleLogin, CheckMfa (MFA), ExternalIdPDirectoryLogin, IAM Identity Center (SSO) UserAuthentication, CredentialChallenge and CredentialVerification, and failed AssumeRoleWithSAML / AssumeRoleWithWebIdentity.",
    query: "fetch logs
| filter aws.service == \"cloudtrail\"
| parse content, \"JSON:event\"
// Console and Identity Center (SSO) sign-ins write \"Failure\" under the event's name; federation through STS fails with an error code.
| filter (event[eventSource] == \"signin.amazonaws.com\"
  and (event[responseElements][ConsoleLogin] == \"Failure\"
    or event[responseElements][CheckMfa] == \"Failure\"
    or event[responseElements][ExternalIdPDirectoryLogin] == \"Failure\"
    or event[serviceEventDetails][UserAuthentication] == \"Failure\"
    or event[serviceEventDetails][CredentialChallenge] == \"Failure\"
    or event[serviceEventDetails][CredentialVerification] == \"Failure\"))
  or (event[eventSource] == \"sts.amazonaws.com\"
    and in(event[eventName], { \"AssumeRoleWithSAML\", \"AssumeRoleWithWebIdentity\" })
    and isNotNull(event[errorCode]))
| summarize count(), by: {
signIn = event[eventName],
ipAddr = event[sourceIPAddress],
reason = coalesce(event[errorMessage], event[errorCode]),
region = event[awsRegion],
userType = event[userIdentity][type],
user = coalesce(event[userIdentity][arn], event[userIdentity][userName], event[additionalEventData][UserName]),
MFAUsed = event[additionalEventData][MFAUsed]
}
| sort `count()` desc",
    guide: "fetch logs
| filter aws.service == \"cloudtrail\"
| parse content, \"JSON:event\"
| filter event[eventSource] == \"signin.amazonaws.com\"
and event[eventName] == \"ConsoleLogin\"
and event[responseElements][ConsoleLogin] == \"Failure\"
| summarize count(), by: {
ipAddr = event[sourceIPAddress],
reason = event[errorMessage],
region = event[awsRegion],
userARN = event[userIdentity][arn],
MFAUsed = event[additionalEventData][MFAUsed]
}",
};

const UNAUTHORIZED: Preset = Preset {
    name: "Unauthorized API calls",
    covers: "Every authorization failure, whatever the service calls it: AccessDenied, AccessDeniedException (KMS, Lambda, DynamoDB, …), VpceAccessDenied, UnauthorizedOperation and EC2's Client.UnauthorizedOperation, UnauthorizedException, NotAuthorizedException, AuthorizationError (SNS), Forbidden, Client.AuthFailure.",
    query: "fetch logs
| filter aws.service == \"cloudtrail\"
| parse content, \"json:event\"
// Authorization failures under every name services give them (whole-value patterns, any case).
| filter matchesValue(event[errorCode], {
  \"*AccessDenied*\",
  \"*Unauthorized*\",
  \"*NotAuthorized*\",
  \"AuthorizationError*\",
  \"*Forbidden*\",
  \"Client.AuthFailure\"
})
| makeTimeseries event_count = count(), by: { eventName = event[eventName] }
| sort arrayAvg(event_count) desc
| limit 10",
    guide: "fetch logs
| filter aws.service == \"cloudtrail\"
| parse content, \"json:event\"
| filter in(event[errorCode], { \"AccessDenied\", \"UnauthorizedOperation\" })
| makeTimeseries event_count = count(), by: { eventName = event[eventName] }
| sort arrayAvg(event_count) desc
| limit 10",
};

const THROTTLING: Preset = Preset {
    name: "API throttling",
    covers: "Throttled calls of every service: EC2's Client.RequestLimitExceeded, ThrottlingException and Throttling (most APIs), TooManyRequestsException (Lambda, API Gateway), ProvisionedThroughputExceededException (DynamoDB, Kinesis), RequestThrottled, SlowDown (S3), PriorRequestNotComplete (Route 53), and any error whose message is \"Rate exceeded\".",
    query: "fetch logs
| filter aws.service == \"cloudtrail\"
| parse content, \"json:event\"
// Throttling under every name services give it (whole-value patterns, any case).
| filter matchesValue(event[errorCode], {
  \"*Throttl*\",
  \"*RequestLimitExceeded\",
  \"TooManyRequests*\",
  \"*ProvisionedThroughputExceeded*\",
  \"*RateExceeded*\",
  \"SlowDown\",
  \"PriorRequestNotComplete\"
})
  or matchesValue(event[errorMessage], \"Rate exceeded*\")
| makeTimeseries count(), by: { eventName = event[eventName], errorCode = event[errorCode] }",
    guide: "fetch logs
| filter aws.service == \"cloudtrail\"
| parse content, \"json:event\"
| filter event[errorCode] == \"Client.RequestLimitExceeded\"
| makeTimeseries count(), by: { eventName = event[eventName] }",
};

const KMS: Preset = Preset {
    name: "External KMS keys",
    covers: "KMS keys whose key material is not generated by KMS: CreateKey with origin EXTERNAL (imported material) or EXTERNAL_KEY_STORE (held outside AWS), read from the created key, and every ImportKeyMaterial. Failed attempts are listed with their error code; a CreateKey without an origin makes an AWS_KMS key and is not listed.",
    query: "fetch logs
| filter aws.service == \"cloudtrail\"
| parse content, \"json:event\"
| filter event[eventSource] == \"kms.amazonaws.com\"
// The created key's origin, else the one asked for; without either KMS makes an AWS_KMS key.
| fieldsAdd origin = coalesce(event[responseElements][keyMetadata][origin], event[requestParameters][origin], \"AWS_KMS\")
| filter (event[eventName] == \"CreateKey\" and in(origin, { \"EXTERNAL\", \"EXTERNAL_KEY_STORE\" }))
  or event[eventName] == \"ImportKeyMaterial\"
| fields {
timestamp,
eventName = event[eventName],
origin,
keyUsage = event[responseElements][keyMetadata][keyUsage],
region = event[awsRegion],
userARN = event[userIdentity][arn],
keyId = coalesce(event[responseElements][keyMetadata][keyId], event[requestParameters][keyId]),
errorCode = event[errorCode]
}",
    guide: "fetch logs
| filter aws.service == \"cloudtrail\"
| parse content, \"json:event\"
| filter event[eventName] == \"CreateKey\"
| filterOut startsWith(event[requestParameters][origin], \"AWS_\")
| fields {
eventName = event[eventName],
origin = event[requestParameters][origin],
keyUsage = event[responseElements][keyMetadata][keyUsage],
region = event[awsRegion],
userARN = event[userIdentity][arn],
keyId = event[responseElements][keyMetadata][keyId]
}",
};

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use trailscope_engine::{run_query, LoadOptions, Loader, QueryOptions, Store, Value};

    /// Events with the given (eventSource, eventName, errorCode, extra JSON members).
    fn store(events: &[(&str, &str, Option<&str>, &str)]) -> Arc<Store> {
        let mut loader = Loader::new(LoadOptions::default());
        let mut f = loader.begin_file("t.json");
        let records: Vec<String> = events
            .iter()
            .enumerate()
            .map(|(i, (src, name, code, extra))| {
                let code = code.map_or(String::new(), |c| format!(",\"errorCode\":\"{c}\""));
                let extra = if extra.is_empty() { String::new() } else { format!(",{extra}") };
                format!(
                    "{{\"eventID\":\"e{i}\",\"eventTime\":\"2024-07-30T21:{:02}:00Z\",\"eventSource\":\"{src}\",\"eventName\":\"{name}\",\"awsRegion\":\"us-east-1\"{code}{extra}}}",
                    i % 60
                )
            })
            .collect();
        loader.push(
            &mut f,
            format!("{{\"Records\":[{}]}}", records.join(",")).as_bytes(),
        );
        loader.end_file(f);
        loader.finish().0
    }

    /// The number of events a query's filter keeps: the preset with everything after its
    /// filter replaced by a count.
    fn kept(query: &str, store: &Arc<Store>) -> i64 {
        let cut = query
            .find("| makeTimeseries")
            .or_else(|| query.find("| summarize"))
            .or_else(|| query.find("| fields {"))
            .unwrap_or(query.len());
        let q = format!("{}\n| summarize n = count()", &query[..cut]);
        let out =
            run_query(store, &q, &QueryOptions::default()).unwrap_or_else(|d| panic!("{q}: {d:?}"));
        match out.table.cell(0, 0) {
            Value::Long(n) => n,
            v => panic!("{v:?}"),
        }
    }

    #[test]
    fn every_preset_and_guide_query_runs() {
        let s = store(&[("ec2.amazonaws.com", "RunInstances", None, "")]);
        for p in PRESETS {
            for q in [p.query, p.guide] {
                run_query(&s, q, &QueryOptions::default())
                    .unwrap_or_else(|d| panic!("{}: {d:?}", p.name));
            }
        }
    }

    #[test]
    fn unauthorized_catches_every_authorization_code_the_guide_misses() {
        let denied = [
            "AccessDenied",
            "AccessDeniedException",
            "VpceAccessDenied",
            "AccessDeniedForDependencyException",
            "UnauthorizedOperation",
            "Client.UnauthorizedOperation",
            "UnauthorizedException",
            "NotAuthorizedException",
            "AuthorizationError",
            "ForbiddenException",
            "Client.AuthFailure",
        ];
        let other = [
            "ValidationException",
            "NoSuchBucket",
            "ThrottlingException",
            "Client.InvalidSnapshot.NotFound",
        ];
        let mut events: Vec<_> = denied
            .iter()
            .map(|c| ("ec2.amazonaws.com", "RunInstances", Some(*c), ""))
            .collect();
        events.extend(
            other
                .iter()
                .map(|c| ("s3.amazonaws.com", "GetObject", Some(*c), "")),
        );
        events.push(("s3.amazonaws.com", "GetObject", None, ""));
        let s = store(&events);
        assert_eq!(kept(UNAUTHORIZED.query, &s), denied.len() as i64);
        assert_eq!(kept(UNAUTHORIZED.guide, &s), 2, "the guide's two codes");
    }

    #[test]
    fn throttling_catches_every_service_s_code() {
        let throttled = [
            "Client.RequestLimitExceeded",
            "RequestLimitExceeded",
            "ThrottlingException",
            "Throttling",
            "TooManyRequestsException",
            "ProvisionedThroughputExceededException",
            "RequestThrottled",
            "RequestThrottledException",
            "SlowDown",
            "PriorRequestNotComplete",
        ];
        let mut events: Vec<_> = throttled
            .iter()
            .map(|c| ("ec2.amazonaws.com", "DescribeInstances", Some(*c), ""))
            .collect();
        events.push((
            "cloudtrail.amazonaws.com",
            "LookupEvents",
            Some("SomeNewCode"),
            "\"errorMessage\":\"Rate exceeded\"",
        ));
        events.push((
            "ec2.amazonaws.com",
            "RunInstances",
            Some("LimitExceededException"),
            "",
        ));
        events.push(("s3.amazonaws.com", "GetObject", Some("AccessDenied"), ""));
        let s = store(&events);
        assert_eq!(kept(THROTTLING.query, &s), throttled.len() as i64 + 1);
        assert_eq!(kept(THROTTLING.guide, &s), 1);
    }

    #[test]
    fn sign_in_failures_include_mfa_sso_and_federation() {
        let signin = "signin.amazonaws.com";
        let s = store(&[
            (
                signin,
                "ConsoleLogin",
                None,
                r#""responseElements":{"ConsoleLogin":"Failure"}"#,
            ),
            (
                signin,
                "ConsoleLogin",
                None,
                r#""responseElements":{"ConsoleLogin":"Success"}"#,
            ),
            (
                signin,
                "CheckMfa",
                None,
                r#""responseElements":{"CheckMfa":"Failure"}"#,
            ),
            (
                signin,
                "ExternalIdPDirectoryLogin",
                None,
                r#""responseElements":{"ExternalIdPDirectoryLogin":"Failure"}"#,
            ),
            (
                signin,
                "UserAuthentication",
                None,
                r#""serviceEventDetails":{"UserAuthentication":"Failure"}"#,
            ),
            (
                signin,
                "UserAuthentication",
                None,
                r#""serviceEventDetails":{"UserAuthentication":"Success"}"#,
            ),
            (
                signin,
                "CredentialVerification",
                None,
                r#""serviceEventDetails":{"CredentialVerification":"Failure"}"#,
            ),
            (
                "sts.amazonaws.com",
                "AssumeRoleWithSAML",
                Some("InvalidIdentityToken"),
                "",
            ),
            ("sts.amazonaws.com", "AssumeRoleWithWebIdentity", None, ""),
            ("sts.amazonaws.com", "AssumeRole", Some("AccessDenied"), ""),
        ]);
        assert_eq!(kept(SIGN_IN.query, &s), 6);
        assert_eq!(kept(SIGN_IN.guide, &s), 1);
    }

    #[test]
    fn external_keys_read_the_created_key_and_skip_defaults() {
        let kms = "kms.amazonaws.com";
        let s = store(&[
            (
                kms,
                "CreateKey",
                None,
                r#""requestParameters":{"origin":"EXTERNAL"},"responseElements":{"keyMetadata":{"origin":"EXTERNAL"}}"#,
            ),
            (
                kms,
                "CreateKey",
                None,
                r#""requestParameters":{"origin":"EXTERNAL_KEY_STORE"}"#,
            ),
            (
                kms,
                "CreateKey",
                None,
                r#""requestParameters":{"origin":"AWS_CLOUDHSM"}"#,
            ),
            (
                kms,
                "CreateKey",
                None,
                r#""requestParameters":{"description":"x"}"#,
            ),
            (
                kms,
                "CreateKey",
                Some("AccessDenied"),
                r#""requestParameters":null"#,
            ),
            (
                kms,
                "ImportKeyMaterial",
                None,
                r#""requestParameters":{"keyId":"k"}"#,
            ),
        ]);
        assert_eq!(kept(KMS.query, &s), 3);
        assert_eq!(
            kept(KMS.guide, &s),
            4,
            "the guide counts keys without an origin, which are AWS_KMS keys"
        );
    }
}
