//! `trailscope detect` over the project's own seed export (`tests/fixtures/seed`): which
//! detections fire and how often, the JSON Lines each hit is written as, and `--list`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use trailscope_engine::storage::tape::parse_value;
use trailscope_engine::Value;

fn seed() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/seed/AWSLogs")
}

fn trailscope(args: &[&str]) -> (String, String, bool) {
    let out = Command::new(env!("CARGO_BIN_EXE_trailscope"))
        .args(args)
        .output()
        .expect("cannot run the trailscope binary");
    (
        String::from_utf8(out.stdout).expect("UTF-8"),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        out.status.success(),
    )
}

fn lines(stdout: &str) -> Vec<Value> {
    stdout
        .lines()
        .map(|l| parse_value(l).unwrap_or_else(|e| panic!("{e:?}: {l}")))
        .collect()
}

#[test]
fn the_seed_export_sets_off_the_detections_of_its_use_cases() {
    let seed = seed();
    let (stdout, stderr, ok) = trailscope(&[
        "detect",
        "--format",
        "json",
        "--report",
        "none",
        seed.to_str().unwrap(),
    ]);
    assert!(ok, "{stderr}");
    let mut by_id: BTreeMap<String, usize> = BTreeMap::new();
    for hit in lines(&stdout) {
        for key in [
            "id",
            "title",
            "severity",
            "eventID",
            "timestamp",
            "principal",
        ] {
            assert!(hit.member(key).as_str().is_some(), "{key} missing: {hit:?}");
        }
        assert!(matches!(hit.member("maps"), Value::Array(_)), "{hit:?}");
        *by_id
            .entry(hit.member("id").as_str().unwrap().to_string())
            .or_default() += 1;
    }
    let got: Vec<(&str, usize)> = by_id.iter().map(|(k, v)| (k.as_str(), *v)).collect();
    // The seed's use cases: unauthorized calls (05), console sign-in failures (03), root
    // activity (02), KMS keys with external material (04); see tests/fixtures/seed/README.md.
    assert_eq!(
        got,
        [
            ("access-key-used", 9),
            ("api-throttling", 11),
            ("console-login-failed", 10),
            ("console-login-without-mfa", 2),
            ("ec2-instances-changed-by-person", 6),
            ("kms-key-with-external-material", 5),
            ("role-assumed-by-aws-service", 2),
            ("role-assumed-by-user", 2),
            ("root-account-used", 1),
            ("root-console-login", 1),
            ("unauthorized-api-call", 48),
            ("unauthorized-api-calls-burst", 20),
        ]
    );
}

#[test]
fn list_prints_every_detection_with_its_query() {
    let (stdout, stderr, ok) = trailscope(&["detect", "--list", "--format", "json"]);
    assert!(ok, "{stderr}");
    let list = lines(&stdout);
    assert_eq!(list.len(), trailscope_engine::detect::PACK.len());
    for d in &list {
        for key in ["id", "title", "severity", "query"] {
            assert!(d.member(key).as_str().is_some(), "{key} missing: {d:?}");
        }
        for key in ["mitre", "maps"] {
            assert!(matches!(d.member(key), Value::Array(_)), "{d:?}");
        }
        assert!(d
            .member("query")
            .as_str()
            .unwrap()
            .starts_with("fetch logs"));
    }
}

#[test]
fn a_detection_of_ones_own_runs_beside_the_pack() {
    let dir = std::env::temp_dir().join(format!("trailscope-detect-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("kms.dql");
    std::fs::write(
        &file,
        "// id: my-kms-calls\n// title: KMS calls\n// severity: critical\n\
         fetch logs\n| parse content, \"JSON:event\"\n\
         | filter event[eventSource] == \"kms.amazonaws.com\"\n",
    )
    .unwrap();
    let seed = seed();
    let (stdout, stderr, ok) = trailscope(&[
        "detect",
        "--only",
        "my-kms-calls",
        "--with",
        file.to_str().unwrap(),
        "--report",
        "none",
        seed.to_str().unwrap(),
    ]);
    std::fs::remove_dir_all(&dir).ok();
    assert!(ok, "{stderr}");
    let first = stdout.lines().next().unwrap_or_default();
    assert!(
        first.starts_with("CRITICAL my-kms-calls (KMS calls): "),
        "{stdout}"
    );
}
