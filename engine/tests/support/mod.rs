//! Helpers shared by the tests that keep generated files (docs/*.md) current.

use std::path::Path;

/// Checks that the file at `path` (relative to the repository) holds exactly `want`; with
/// `BLESS=1` set, writes it instead. `regenerate` is the command that rewrites it.
pub fn check_generated(path: &str, want: &str, regenerate: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(path);
    let have = std::fs::read_to_string(&path).unwrap_or_default();
    if have == want {
        return;
    }
    if std::env::var_os("BLESS").is_some() {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).unwrap();
        }
        std::fs::write(&path, want).unwrap();
    } else {
        panic!(
            "{} is stale: run `{regenerate}` and commit it",
            path.display()
        );
    }
}
