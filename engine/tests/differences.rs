//! Every deliberate difference from Dynatrace listed in ARCHITECTURE.md is shown by a golden
//! file marked `// DIFFERENCE FROM DYNATRACE: <topic>`, and every marked topic is listed there.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

const MARK: &str = "// DIFFERENCE FROM DYNATRACE: ";

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for p in entries.filter_map(Result::ok).map(|e| e.path()) {
        if p.is_dir() {
            collect(&p, out);
        } else if p.extension().is_some_and(|e| e == "dql") {
            out.push(p);
        }
    }
}

#[test]
fn differences_are_marked_in_golden_files() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let architecture = std::fs::read_to_string(root.join("ARCHITECTURE.md")).unwrap();
    let section = architecture
        .split("## Deliberate differences from Dynatrace DQL")
        .nth(1)
        .expect("ARCHITECTURE.md has a differences section");
    let listed: BTreeSet<String> = section
        .lines()
        .take_while(|l| !l.starts_with("## "))
        .filter(|l| l.starts_with('|') && !l.starts_with("| topic") && !l.starts_with("|---"))
        .filter_map(|l| l.split('|').nth(1))
        .map(|t| t.trim().to_string())
        .collect();
    assert!(listed.len() >= 10, "{listed:?}");
    let mut files = Vec::new();
    collect(&root.join("tests/golden"), &mut files);
    let mut marked = BTreeSet::new();
    for f in files {
        for line in std::fs::read_to_string(&f).unwrap().lines() {
            if let Some(topic) = line.strip_prefix(MARK) {
                marked.insert(topic.trim().to_string());
            }
        }
    }
    let unmarked: Vec<&String> = listed.difference(&marked).collect();
    let unlisted: Vec<&String> = marked.difference(&listed).collect();
    assert!(
        unmarked.is_empty() && unlisted.is_empty(),
        "listed in ARCHITECTURE.md without a golden file marked `{MARK}<topic>`: {unmarked:?}\nmarked in golden files but not listed: {unlisted:?}"
    );
}
