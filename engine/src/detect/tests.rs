use super::*;

const FILE: &str = "// id: burst-of-denials
// title: Many denied calls
// severity: medium
// mitre: T1526, T1087.004
// maps: AWS.IAMUser.ReconAccessDenied
// references: https://example.com/a, https://example.com/b
// threshold: 15
// description: A principal was denied
//   many times.
fetch logs
| parse content, \"JSON:event\"
| filter calls >= 15 // threshold
";

#[test]
fn a_header_and_query_read_into_a_detection() {
    let d = Detection::parse(FILE).unwrap();
    assert_eq!(d.id, "burst-of-denials");
    assert_eq!(d.title, "Many denied calls");
    assert_eq!(d.severity, Severity::Medium);
    assert_eq!(d.mitre, ["T1526", "T1087.004"]);
    assert_eq!(d.maps, ["AWS.IAMUser.ReconAccessDenied"]);
    assert_eq!(d.references.len(), 2);
    assert_eq!(d.threshold, Some(15));
    assert_eq!(d.description, "A principal was denied many times.");
    assert!(d.query.starts_with("fetch logs\n"));
    assert_eq!(Detection::parse(&d.to_file()).unwrap(), d);
}

#[test]
fn the_threshold_is_rewritten_on_its_marked_line_only() {
    let d = Detection::parse(FILE).unwrap();
    let q = d.with_threshold(1);
    assert!(q.ends_with("| filter calls >= 1 // threshold"), "{q}");
    assert_eq!(q.matches("15").count(), 0);
    assert_eq!(d.with_threshold(15), d.query);
}

#[test]
fn bad_headers_are_errors_that_say_what_is_wrong() {
    let cases: &[(&str, &str)] = &[
        ("fetch logs", "no `// id: …`"),
        ("// id: x\n// title: t\nfetch logs", "no `// severity: …`"),
        ("// id: x\n// title: t\n// severity: urgent\nfetch logs", "severity \"urgent\""),
        ("// id: Bad_Id\n// title: t\n// severity: low\nfetch logs", "lower-case words"),
        ("// id: x\n// title: t\n// severity: low\n", "no query"),
        ("// id: x\n// colour: red\n", "unknown header key \"colour\""),
        ("// id: x\n// id: y\n", "given twice"),
        ("// id: x\n// no colon here\n", "line 2: expected `// key: value`"),
        (
            "// id: x\n// title: t\n// severity: low\n// threshold: 5\nfetch logs",
            "no line ending with `// threshold`",
        ),
        (
            "// id: x\n// title: t\n// severity: low\n// threshold: 5\nfetch logs\n| filter n >= 6 // threshold",
            "compares with 6",
        ),
        (
            "// id: x\n// title: t\n// severity: low\n// threshold: many\nfetch logs",
            "expected a whole number",
        ),
    ];
    for (text, want) in cases {
        let err = Detection::parse(text).unwrap_err();
        assert!(err.contains(want), "{text:?}: {err}");
    }
}

#[test]
fn every_built_in_file_parses_and_is_named_after_its_id() {
    assert_eq!(catalogue().len(), PACK.len());
    for (id, text) in PACK {
        let d = Detection::parse(text).unwrap_or_else(|e| panic!("{id}.dql: {e}"));
        assert_eq!(&d.id, id, "{id}.dql declares another id");
    }
    let mut ids: Vec<&str> = PACK.iter().map(|(id, _)| *id).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), PACK.len(), "an id is listed twice");
}

#[test]
fn every_file_in_the_folder_is_in_the_pack() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("detections");
    let mut files: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| {
            let name = e.ok()?.file_name().to_string_lossy().to_string();
            name.strip_suffix(".dql").map(String::from)
        })
        .collect();
    files.sort();
    let mut listed: Vec<String> = PACK.iter().map(|(id, _)| id.to_string()).collect();
    listed.sort();
    assert_eq!(files, listed, "engine/detections/ and detect::PACK differ");
}
