//! The loader over archives: members load as files of their own, and damage or a bomb in one
//! member is reported with the member's name while every other member still loads.

use super::archive::test_support::{deflate_zeros, TarBuilder, ZipBuilder, ZipOpts};
use super::{load_bytes, LoadOptions, Loader, Shape};

fn event(id: &str) -> String {
    format!(r#"{{"eventTime":"2026-11-20T11:00:00Z","eventID":"{id}","eventName":"GetObject"}}"#)
}

fn records(ids: &[&str]) -> Vec<u8> {
    let evs: Vec<String> = ids.iter().map(|id| event(id)).collect();
    format!("{{\"Records\":[{}]}}", evs.join(",")).into_bytes()
}

fn gzip(b: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(b).unwrap();
    e.finish().unwrap()
}

#[test]
fn a_zip_bomb_member_is_cut_and_named_and_the_others_load() {
    let mut z = ZipBuilder::default();
    z.add("AWSLogs/a.json", &records(&["a"]), ZipOpts::default());
    let bomb = deflate_zeros(100);
    let mut crc = flate2::Crc::new();
    crc.update(&vec![0u8; 100 << 20]);
    z.add_raw("bomb.json", &bomb, 100 << 20, crc.sum(), ZipOpts::default());
    z.add(
        "AWSLogs/b.json.gz",
        &gzip(&records(&["b"])),
        ZipOpts::default(),
    );
    let (store, report) = load_bytes("export.zip", &z.finish(), LoadOptions::default());
    assert_eq!(store.len(), 2, "{}", report.summary());
    let s = report.summary();
    assert!(
        s.contains("bomb.json") && s.contains("expands more than 250"),
        "{s}"
    );
    assert_eq!(report.files[0].shape, Shape::Zip);
}

#[test]
fn a_gzip_bomb_is_refused_with_a_message() {
    let zeros = vec![b' '; 64 << 20];
    let (store, report) = load_bytes("bomb.json.gz", &gzip(&zeros), LoadOptions::default());
    assert_eq!(store.len(), 0);
    assert!(
        report.summary().contains("expands more than 250"),
        "{}",
        report.summary()
    );
}

#[test]
fn a_truncated_tar_gz_keeps_the_members_before_the_damage() {
    let mut t = TarBuilder::default();
    for m in 0..4 {
        let ids: Vec<String> = (0..50)
            .map(|i| format!("{m}-{i}-{}", "x".repeat(i * 7)))
            .collect();
        let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
        t.file(&format!("AWSLogs/{m}.json"), &records(&ids));
    }
    t.end();
    let tgz = gzip(&t.out);
    let cut = &tgz[..tgz.len() * 3 / 4];
    let (store, report) = load_bytes("logs.tar.gz", cut, LoadOptions::default());
    let s = report.summary();
    assert!(store.len() >= 100, "{s}");
    assert!(s.contains("truncated"), "{s}");
    assert_eq!(report.files[0].shape, Shape::Tar, "{s}");
}

#[test]
fn archives_nest_and_stream_in_any_chunking() {
    let mut inner = TarBuilder::default();
    inner.file("x/1.json", &records(&["n1", "n2"]));
    inner.end();
    let mut z = ZipBuilder::default();
    z.add(
        "inner.tar.gz",
        &gzip(&inner.out),
        ZipOpts {
            stored: true,
            ..Default::default()
        },
    );
    z.add(
        "top.ndjson",
        format!("{}\n{}\n", event("t1"), event("t2")).as_bytes(),
        ZipOpts {
            descriptor: true,
            ..Default::default()
        },
    );
    let bytes = z.finish();
    let (whole, report) = load_bytes("nested.zip", &bytes, LoadOptions::default());
    assert_eq!(whole.len(), 4, "{}", report.summary());
    let names: Vec<&str> = report.files.iter().map(|f| f.source.as_str()).collect();
    assert_eq!(
        names,
        [
            "nested.zip",
            "nested.zip/inner.tar.gz",
            "nested.zip/inner.tar.gz/x/1.json",
            "nested.zip/top.ndjson"
        ]
    );
    for chunk in [1, 3, 64, 4096] {
        let mut l = Loader::new(LoadOptions::default());
        let mut f = l.begin_file("nested.zip");
        for c in bytes.chunks(chunk) {
            l.push(&mut f, c);
        }
        l.end_file(f);
        let (store, r) = l.finish();
        assert_eq!(r.to_json(), report.to_json(), "{chunk}-byte chunks");
        assert_eq!(store.len(), 4);
    }
}

/// The number in "after N unpacked bytes".
fn unpacked_bytes(summary: &str) -> u64 {
    let at = summary.find("after ").expect("an expansion message") + "after ".len();
    summary[at..]
        .split(' ')
        .next()
        .and_then(|n| n.parse().ok())
        .expect("a byte count")
}

#[test]
fn the_expansion_budget_holds_across_gzip_layers() {
    // Each layer stays near or under the per-layer cap; together they multiply.
    let triple = gzip(&gzip(&gzip(&vec![0u8; 40 << 20])));
    let raw = triple.len() as u64;
    let (store, report) = load_bytes("triple.json.gz", &triple, LoadOptions::default());
    let s = report.summary();
    assert_eq!(store.len(), 0);
    assert!(
        s.contains("decompression bomb") && s.contains("layers"),
        "{s}"
    );
    let limit = super::gzip::MAX_RATIO * raw + super::gzip::RATIO_SLACK;
    assert!(unpacked_bytes(&s) <= limit, "{s}");
}

#[test]
fn the_expansion_budget_holds_across_nested_archives() {
    // zip in zip in zip, the innermost member gzip of blank text that the loader keeps
    // reading: every layer stays under its own cap (the gzip's ratio is allowed against its own
    // compressed size) while the layers together multiply. The budget counts every byte every
    // layer unpacks against the file's own size.
    let mut inner = ZipBuilder::default();
    inner.add(
        "logs.json.gz",
        &gzip(&vec![b' '; 20 << 20]),
        ZipOpts::default(),
    );
    let mut bytes = inner.finish();
    for name in ["b.zip", "a.zip"] {
        let mut z = ZipBuilder::default();
        z.add(name, &bytes, ZipOpts::default());
        bytes = z.finish();
    }
    let raw = bytes.len() as u64;
    let (store, report) = load_bytes("export.zip", &bytes, LoadOptions::default());
    let s = report.summary();
    assert_eq!(store.len(), 0);
    assert!(
        s.contains("export.zip/a.zip/b.zip/logs.json.gz: its layers"),
        "{s}"
    );
    let limit = super::gzip::MAX_RATIO * raw + super::gzip::RATIO_SLACK;
    assert!(unpacked_bytes(&s) <= limit, "{s}");
}

#[test]
fn a_fifth_layer_is_named_not_called_not_cloudtrail() {
    let mut b = records(&["deep"]);
    for _ in 0..5 {
        b = gzip(&b);
    }
    let (store, report) = load_bytes("deep.json.gz", &b, LoadOptions::default());
    let s = report.summary();
    assert_eq!(store.len(), 0);
    assert!(s.contains("more than 4 times over"), "{s}");
    assert!(!s.contains("not CloudTrail"), "{s}");
    // Four layers still load.
    let mut b = records(&["ok"]);
    for _ in 0..4 {
        b = gzip(&b);
    }
    let (store, report) = load_bytes("four.json.gz", &b, LoadOptions::default());
    assert_eq!(store.len(), 1, "{}", report.summary());
}
