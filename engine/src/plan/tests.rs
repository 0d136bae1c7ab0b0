//! Planner unit tests: "did you mean" hints and errors for misplaced things.

use super::*;

fn diags(q: &str) -> Vec<Diagnostic> {
    let (ast, mut d) = crate::syntax::parse(q);
    let keys = vec!["eventName".to_string(), "eventSource".to_string()];
    let (_, d2) = plan(
        &ast,
        &PlanCtx {
            now: 0,
            event_keys: &keys,
        },
    );
    d.extend(d2);
    d
}

#[test]
fn did_you_mean_everywhere() {
    for (q, code, hint) in [
        ("fetch logs | filtr x", "E302", "did you mean `filter`?"),
        (
            "fetch logs | filter startWith(content, \"a\")",
            "E330",
            "did you mean `startsWith`?",
        ),
        (
            "fetch logs | parse content, \"JSON:event\" | filter event[eventNmae] == \"x\"",
            "W302",
            "did you mean `event[eventName]`?",
        ),
        (
            "fetch logs | filter aws.regon == \"x\"",
            "W301",
            "did you mean `aws.region`?",
        ),
        (
            "fetch logs | summarize c = count() | filter cc > 1",
            "W304",
            "did you mean `c`? fields here: c",
        ),
        ("fetch logs, form: -1h", "E303", "did you mean `from:`?"),
        (
            "fetch logs | filter contains(content, \"a\", caseSensitiv: false)",
            "E332",
            "did you mean `caseSensitive:`?",
        ),
        ("fetch logs | filter x == 1h + 2q", "E326", ""),
    ] {
        let d = diags(q);
        let hit = d
            .iter()
            .find(|d| d.code == code)
            .unwrap_or_else(|| panic!("{q}: {d:?}"));
        assert!(
            hint.is_empty() || hit.hints.iter().any(|h| h == hint),
            "{q}: {hit:?}"
        );
    }
}

#[test]
fn errors_for_misplaced_things() {
    for (q, code) in [
        ("filter x", "E301"),
        ("fetch logs | fetch logs", "E301"),
        ("fetch events", "E304"),
        ("fetch logs | filter count() > 1", "E331"),
        ("fetch logs | summarize content", "E321"),
        ("fetch logs | limit -1", "E313"),
        ("fetch logs | filter 22 * \"a\" == 1", "E328"),
        ("fetch logs | parse content, \"XML:x\"", "E319"),
        ("fetch logs | timeseries avg(x)", "E302"),
        ("fetch logs | lookup [fetch logs], sourceField:a", "E341"),
        ("fetch logs | filter a in [fetch logs]", "E344"),
        ("fetch logs | filter substring(content, 1, 2)", "E334"),
        ("fetch logs | filter aws.region = \"x\"", "E205"),
    ] {
        let d = diags(q);
        assert!(d.iter().any(|d| d.code == code), "{q}: {d:?}");
    }
}

#[test]
fn patterns() {
    for (p, n, want) in [
        ("dt.*", "dt.system.bucket", true),
        ("dt.*", "aws.region", false),
        ("*.id", "aws.account.id", true),
        ("a", "a", true),
    ] {
        assert_eq!(field_matches(p, n), want, "{p} {n}");
    }
}
