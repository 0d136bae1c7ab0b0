//! `trailscope identity` on the real recordings in `../shared/data/cloudtrail` (skipped, with a
//! printed reason, when they are not there): an AssumeRole chain of a Stratus Red Team
//! detonation resolved to the IAM user's long-term key, and a Lambda's session to the service.
//! Generated chains (SAML, web identity, IAM Identity Center, loops) are the engine's unit tests
//! (`engine/src/identity/tests.rs`).

use std::path::{Path, PathBuf};
use std::process::Command;

use trailscope_engine::storage::tape::parse_value;
use trailscope_engine::Value;

fn shared(sub: &str) -> Option<PathBuf> {
    let d = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/data/cloudtrail")
        .join(sub);
    if d.exists() {
        Some(d)
    } else {
        println!(
            "SKIPPED: {} not found (shared data is not part of the repository)",
            d.display()
        );
        None
    }
}

fn lens(subject: &str, path: &Path) -> Value {
    let out = Command::new(env!("CARGO_BIN_EXE_trailscope"))
        .args(["identity", "--format", "json", "--report", "none", subject])
        .arg(path)
        .output()
        .expect("cannot run the trailscope binary");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    parse_value(text.trim()).unwrap_or_else(|e| panic!("{e:?}: {text}"))
}

fn s(v: &Value) -> &str {
    v.as_str().unwrap_or_default()
}

fn items(v: &Value) -> Vec<Value> {
    match v {
        Value::Array(a) => a.to_vec(),
        _ => Vec::new(),
    }
}

#[test]
fn a_stratus_assume_role_chain_is_resolved_to_the_users_key() {
    let Some(dir) = shared("stratus-red-team/detonation-logs") else {
        return;
    };
    // aws.credential-access.ec2-get-password-data: the user christophe assumes a role and the
    // session asks for 30 instances' Windows passwords.
    let l = lens("ASIANQQHHS551LWULIWD", &dir);
    assert!(matches!(
        l.member("activity").member("events"),
        Value::Long(30)
    ));
    let chains = items(&l.member("chains"));
    assert_eq!(chains.len(), 1);
    let c = &chains[0];
    assert_eq!(s(&c.member("originKind")), "longTermKey");
    let hops = items(&c.member("hops"));
    assert_eq!(hops.len(), 2);
    assert_eq!(
        s(&hops[0].member("identity")),
        "arn:aws:iam::457448411975:user/christophe"
    );
    assert_eq!(s(&hops[0].member("accessKeyId")), "AKIAWOGXN38MFN92ING5");
    let issued = hops[1].member("issuedBy");
    assert_eq!(s(&issued.member("eventName")), "AssumeRole");
    assert_eq!(
        s(&issued.member("roleSessionName")),
        "aws-go-sdk-1722375070115152000"
    );
    assert_eq!(s(&issued.member("matchedBy")), "accessKeyId");
    let did = hops[1].member("activity");
    assert!(matches!(did.member("events"), Value::Long(30)), "{did:?}");
    assert_eq!(
        s(&items(&did.member("eventNames"))[0].member("value")),
        "GetPasswordData"
    );
    // From the user's side: the session it issued and what that did.
    let user = lens("arn:aws:iam::457448411975:user/christophe", &dir);
    let issued: Vec<Value> = items(&user.member("issued"));
    assert!(issued
        .iter()
        .any(|h| s(&h.member("accessKeyId")) == "ASIANQQHHS551LWULIWD"));
}

#[test]
fn a_lambda_session_is_resolved_to_the_service() {
    let Some(dir) = shared("grycap-cloudtrail-tracker") else {
        return;
    };
    let l = lens("ASIAIW7NA65ANGHCOCJA", &dir);
    let chains = items(&l.member("chains"));
    assert_eq!(s(&chains[0].member("originKind")), "service");
    assert_eq!(
        s(&chains[0].member("origin")),
        "the AWS service lambda.amazonaws.com"
    );
    assert!(matches!(
        l.member("activity").member("events"),
        Value::Long(59)
    ));
}
