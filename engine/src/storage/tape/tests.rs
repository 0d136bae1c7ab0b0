//! Tests of `tape.rs`.

use super::*;

fn roundtrip(s: &str) -> String {
    let mut tape = Tape::default();
    let mut i = Interner::default();
    let mut p = Parser::new(&mut tape, &mut i, s.as_bytes());
    p.value().unwrap();
    let mut out = String::new();
    Doc {
        tape: &tape,
        interner: &i,
    }
    .write_json(0, &mut out);
    out
}

#[test]
fn plain_end_matches_a_byte_loop() {
    // Every byte value at every offset of a 20-byte run, strict and lenient.
    let naive = |t: &[u8], i: usize, lenient: bool| {
        let mut j = i;
        while j < t.len() && t[j] != b'"' && t[j] != b'\\' && (lenient || t[j] >= 0x20) {
            j += 1;
        }
        j
    };
    for special in 0..=255u8 {
        for at in 0..20 {
            for filler in [b'a', 0x7f, 0x80, 0xff, 0x21, 0x1f] {
                let mut t = vec![filler; 20];
                t[at] = special;
                for start in [0, 1, 5] {
                    for lenient in [false, true] {
                        assert_eq!(
                            plain_end(&t, start, lenient),
                            naive(&t, start, lenient),
                            "{t:?} from {start}"
                        );
                    }
                }
            }
        }
    }
}

#[test]
fn roundtrips_compactly() {
    for (src, want) in [
        (
            r#"{"a": 1, "b": [true, false, null], "c": {"d": "x\"y"}}"#,
            r#"{"a":1,"b":[true,false,null],"c":{"d":"x\"y"}}"#,
        ),
        (
            "[1.50, -0, 1e3, 12345678901234, -268435456, 268435455, 268435456]",
            "[1.50,0,1e3,12345678901234,-268435456,268435455,268435456]",
        ),
        (r#""\u00e9\ud83d\ude00\n""#, "\"é😀\\n\""),
        ("{}", "{}"),
        ("[]", "[]"),
    ] {
        assert_eq!(roundtrip(src), want, "{src}");
    }
}

#[test]
fn errors_have_offsets() {
    for (src, off) in [
        ("{\"a\": 1,}", 8),
        ("{\"a\" 1}", 5),
        ("[1, 2", 5),
        ("\"abc", 0),
        ("{\"a\": tru}", 6),
        ("[01]", 1),
        ("{\"a\": \"x\ny\"}", 8),
    ] {
        let mut tape = Tape::default();
        let mut i = Interner::default();
        let mut p = Parser::new(&mut tape, &mut i, src.as_bytes());
        let e = p.value().unwrap_err();
        assert_eq!(e.offset, off, "{src}: {e:?}");
    }
}

#[test]
fn deep_nesting_is_an_error() {
    let src = "[".repeat(10_000) + &"]".repeat(10_000);
    let mut tape = Tape::default();
    let mut i = Interner::default();
    let mut p = Parser::new(&mut tape, &mut i, src.as_bytes());
    assert!(p.value().unwrap_err().message.contains("nested deeper"));
}

#[test]
fn member_lookup() {
    let mut tape = Tape::default();
    let mut i = Interner::default();
    let src =
        br#"{"userIdentity": {"type": "Root", "arn": "arn:aws:iam::1:root"}, "n": [5, {"x": 2}]}"#;
    let mut p = Parser::new(&mut tape, &mut i, src);
    p.value().unwrap();
    let d = Doc {
        tape: &tape,
        interner: &i,
    };
    let ui = d.member(0, i.lookup("userIdentity").unwrap()).unwrap();
    let arn = d.member(ui, i.lookup("arn").unwrap()).unwrap();
    assert_eq!(d.str_at(arn), Some("arn:aws:iam::1:root"));
    let n = d.member(0, i.lookup("n").unwrap()).unwrap();
    assert_eq!(d.value(d.element(n, 0).unwrap()), Value::Long(5));
    assert_eq!(d.element(n, 2), None);
}
