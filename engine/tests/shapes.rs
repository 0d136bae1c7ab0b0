//! Export shapes made by other tools (Python's zipfile, tarfile, gzip and csv writers, see
//! tests/fixtures/shapes/make.py) from the seed fixture: every one must give back the seed's
//! events, the archives byte for byte, the CSV exports field by field where their columns go.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use trailscope_engine::{run_query, LoadOptions, LoadReport, Loader, Shape, Store};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures")
}

fn load(path: &Path) -> (Arc<Store>, LoadReport) {
    let mut l = Loader::new(LoadOptions::default());
    l.add_path(path).unwrap();
    l.finish()
}

/// eventID → the given fields of every loaded event.
fn by_id(store: &Arc<Store>, fields: &str) -> BTreeMap<String, String> {
    let q = format!(
        "fetch logs | parse content, \"JSON:e\" | fields id = e[eventID], v = toString(array({fields}))"
    );
    let out = run_query(store, &q, &Default::default()).unwrap();
    (0..out.table.num_rows())
        .map(|r| (out.table.cell_text(0, r), out.table.cell_text(1, r)))
        .collect()
}

fn seed() -> Arc<Store> {
    load(&fixtures().join("seed/AWSLogs")).0
}

#[test]
fn archives_and_cloudwatch_exports_give_back_every_event() {
    let whole = by_id(&seed(), "e");
    assert_eq!(whole.len(), 92);
    for (name, shape) in [
        ("org-trail.zip", Shape::Zip),
        ("org-trail.tar.gz", Shape::Tar),
        ("000000.gz", Shape::CloudWatch),
    ] {
        let (store, report) = load(&fixtures().join("shapes").join(name));
        assert_eq!(report.files[0].shape, shape, "{name}: {}", report.summary());
        assert!(by_id(&store, "e") == whole, "{name}: events differ");
        assert_eq!(report.duplicates(), 1, "{name}");
    }
    // Members are files of their own, named inside the archive, after the archive itself.
    let (store, report) = load(&fixtures().join("shapes/org-trail.zip"));
    let names: Vec<&str> = report.files.iter().map(|f| f.source.as_str()).collect();
    assert_eq!(names[0], "org-trail.zip");
    assert_eq!(names[1], "org-trail.zip/README.txt");
    assert!(names.iter().all(|n| !n.contains("__MACOSX")), "{names:?}");
    assert!(names.contains(
        &"org-trail.zip/AWSLogs/o-a1b2c3d4e5/444455556666/CloudTrail/eu-west-1/2026/11/20/444455556666_CloudTrail_eu-west-1_20261120T1145Z_4WlFi1aWHg7kYPjA.ndjson"
    ));
    let digest = report
        .files
        .iter()
        .find(|f| f.source.contains("Digest"))
        .unwrap();
    assert_eq!(digest.shape, Shape::Digest);
    let s = report.summary();
    assert!(s.contains("  files: 1 zip archive (members listed separately), 1 not CloudTrail, 1 CloudTrail digest file, 28 CloudTrail S3 object"), "{s}");
    let table = report.files_text();
    assert!(table.lines().next().unwrap().starts_with("zip "), "{table}");
    let readme = &report.files[1];
    assert_eq!(readme.shape, Shape::NotCloudTrail);
    let out = run_query(
        &store,
        "fetch logs | summarize n = count(), by: { aws.account.id } | sort aws.account.id",
        &Default::default(),
    )
    .unwrap();
    assert_eq!(out.table.num_rows(), 2);
    let seed_sources = run_query(
        &seed(),
        "fetch logs | summarize n = count(), by: { log.source }",
        &Default::default(),
    )
    .unwrap();
    let zip_sources = run_query(
        &store,
        "fetch logs | summarize n = count(), by: { log.source }",
        &Default::default(),
    )
    .unwrap();
    assert_eq!(seed_sources.table.num_rows(), zip_sources.table.num_rows());
}

#[test]
fn csv_exports_carry_what_their_columns_give() {
    let seed = seed();
    let (lake, report) = load(&fixtures().join("shapes/lake-results.csv.gz"));
    assert_eq!(
        report.files[0].shape,
        Shape::LakeCsv,
        "{}",
        report.summary()
    );
    assert!(report.files[0].compressed);
    let fields = "e[eventTime], e[eventName], e[eventSource], e[awsRegion], e[errorCode], e[sourceIPAddress], e[userIdentity][arn], e[userIdentity][type], e[userIdentity][accountId], e[recipientAccountId], e[requestParameters]";
    assert!(
        by_id(&lake, fields) == by_id(&seed, fields),
        "Lake CSV differs"
    );

    let (console, report) = load(&fixtures().join("shapes/event-history.csv"));
    assert_eq!(
        report.files[0].shape,
        Shape::ConsoleCsv,
        "{}",
        report.summary()
    );
    let fields = "e[eventTime], e[eventName], e[eventSource], e[awsRegion], e[errorCode], e[sourceIPAddress], e[eventType], e[readOnly]";
    assert!(
        by_id(&console, fields) == by_id(&seed, fields),
        "console CSV differs"
    );
    let keys = "fetch logs | parse content, \"JSON:e\" | filter e[userIdentity][accessKeyId] == \"ASIAR4CIDEPLOY8812QX\" | summarize n = count()";
    let a = run_query(&console, keys, &Default::default()).unwrap();
    let b = run_query(&seed, keys, &Default::default()).unwrap();
    assert_eq!(a.table.cell_text(0, 0), b.table.cell_text(0, 0));
    // The seed's use cases run on it: unauthorized calls by error code.
    let q = "fetch logs | parse content, \"JSON:e\" | filter in(e[errorCode], {\"AccessDenied\", \"UnauthorizedOperation\", \"Client.UnauthorizedOperation\"}) | summarize n = count()";
    let a = run_query(&console, q, &Default::default()).unwrap();
    let b = run_query(&seed, q, &Default::default()).unwrap();
    assert_eq!(a.table.cell_text(0, 0), b.table.cell_text(0, 0));
}
