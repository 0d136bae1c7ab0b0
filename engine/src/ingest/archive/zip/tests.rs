//! Tests of `zip.rs`.

use super::super::test_support::*;
use super::*;

fn read_with(data: &[u8], chunk: usize, limits: Limits) -> Vec<Ev> {
    let mut r = ZipReader::with_limits(limits);
    let mut s = Recorder::default();
    for c in data.chunks(chunk.max(1)) {
        r.push(c, &mut s);
    }
    r.finish(&mut s);
    assert!(r.buf.capacity() <= 30 + 2 * 65535 + LOOKAHEAD);
    assert!(r.out.len() <= OUT_BUF);
    s.events
}

fn read(data: &[u8], chunk: usize) -> Vec<Ev> {
    read_with(data, chunk, Limits::default())
}

/// Reads with every chunk size and checks they all agree; returns the events.
fn read_all_chunkings(data: &[u8]) -> Vec<Ev> {
    let whole = read(data, data.len());
    for size in CHUNK_SIZES {
        assert_eq!(read(data, size), whole, "chunk size {size}");
    }
    whole
}

fn text(n: usize) -> Vec<u8> {
    let event = br#"{"eventTime":"2024-01-02T03:04:05Z","eventName":"GetObject","eventID":"0"},"#;
    event.iter().copied().cycle().take(n).collect()
}

/// Text that hardly compresses.
fn noise(n: usize) -> Vec<u8> {
    let mut seed = n as u64 | 1;
    (0..n)
        .map(|_| b'a' + (next_rand(&mut seed) % 26) as u8)
        .collect()
}

const ORG_PATH: &str =
    "AWSLogs/o-abc123/111122223333/CloudTrail/us-east-1/2024/01/02/111122223333_CloudTrail_us-east-1_20240102T0000Z_x.json.gz";

fn all_forms() -> (Vec<u8>, Vec<super::super::test_support::Member>) {
    let forms = [
        ZipOpts::default(),
        ZipOpts {
            stored: true,
            ..ZipOpts::default()
        },
        ZipOpts {
            descriptor: true,
            ..ZipOpts::default()
        },
        ZipOpts {
            descriptor: true,
            descriptor_sig: true,
            ..ZipOpts::default()
        },
        ZipOpts {
            descriptor: true,
            zip64: true,
            ..ZipOpts::default()
        },
        ZipOpts {
            descriptor: true,
            descriptor_sig: true,
            zip64: true,
            ..ZipOpts::default()
        },
        ZipOpts {
            zip64: true,
            ..ZipOpts::default()
        },
        ZipOpts {
            zip64: true,
            stored: true,
            ..ZipOpts::default()
        },
    ];
    let mut z = ZipBuilder::default();
    let mut want = Vec::new();
    z.add(
        "AWSLogs/",
        b"",
        ZipOpts {
            stored: true,
            ..ZipOpts::default()
        },
    );
    for (i, o) in forms.iter().enumerate() {
        let name = format!("{ORG_PATH}.{i}");
        let data = text(100 + i * 40_000);
        z.add(&name, &data, *o);
        want.push((name, data, true));
    }
    z.add("empty.json", b"", ZipOpts::default());
    want.push(("empty.json".into(), vec![], true));
    (z.finish(), want)
}

#[test]
fn reads_stored_deflated_descriptor_and_zip64_members() {
    let (zip, want) = all_forms();
    let ev = read_all_chunkings(&zip);
    assert!(problems(&ev).is_empty(), "{:?}", problems(&ev));
    assert_eq!(members(&ev), want);
    assert!(ev.contains(&Ev::Begin(format!("{ORG_PATH}.0"), Some(100))));
}

#[test]
fn empty_archive_has_no_members_and_no_problem() {
    let ev = read_all_chunkings(&ZipBuilder::default().finish());
    assert!(ev.is_empty(), "{ev:?}");
}

#[test]
fn crc_mismatch_is_reported_for_stored_and_deflated_members() {
    for stored in [true, false] {
        for descriptor in [false, true] {
            if stored && descriptor {
                continue;
            }
            let o = ZipOpts {
                stored,
                descriptor,
                descriptor_sig: true,
                ..ZipOpts::default()
            };
            let mut z = ZipBuilder::default();
            let data = text(5000);
            let body = if stored { data.clone() } else { deflate(&data) };
            z.add_raw("bad.json", &body, data.len() as u64, 0xDEAD_BEEF, o);
            z.add("good.json", b"fine", ZipOpts::default());
            let ev = read_all_chunkings(&z.finish());
            let m = members(&ev);
            assert!(
                !m[0].2,
                "stored {stored} descriptor {descriptor}: {:?}",
                problems(&ev)
            );
            assert_eq!(m[1], ("good.json".into(), b"fine".to_vec(), true));
            let p = problems(&ev);
            assert_eq!(p.len(), 1, "{p:?}");
            assert!(
                p[0].contains("\"bad.json\" is damaged: CRC-32 mismatch"),
                "{p:?}"
            );
        }
    }
}

#[test]
fn damaged_deflate_data_skips_to_the_next_member() {
    for descriptor in [false, true] {
        let o = ZipOpts {
            descriptor,
            ..ZipOpts::default()
        };
        let mut z = ZipBuilder::default();
        let data = text(20_000);
        let mut body = deflate(&data);
        body[0] = 0xff; // block type 3: invalid
        z.add_raw("bad.json", &body, data.len() as u64, 0, o);
        z.add("good.json", b"fine", ZipOpts::default());
        let ev = read_all_chunkings(&z.finish());
        let m = members(&ev);
        assert!(!m[0].2);
        assert_eq!(
            m[1],
            ("good.json".into(), b"fine".to_vec(), true),
            "{:?}",
            problems(&ev)
        );
        assert!(
            problems(&ev)[0].contains("bad deflate data"),
            "{:?}",
            problems(&ev)
        );
    }
}

#[test]
fn truncated_archive_ends_the_member_with_a_problem() {
    let mut z = ZipBuilder::default();
    z.add("a.json", &text(3000), ZipOpts::default());
    z.add("b.json", &noise(90_000), ZipOpts::default());
    let zip = z.finish();
    let second = zip.windows(4).rposition(|w| w == b"PK\x03\x04").expect("b");
    for cut in [second + 10, second + 60, second + 500] {
        let ev = read_all_chunkings(&zip[..cut]);
        let m = members(&ev);
        assert_eq!(m[0], ("a.json".into(), text(3000), true));
        let p = problems(&ev);
        assert_eq!(p.len(), 1, "cut {cut} (second {second}) {ev:?}");
        if cut > second + 40 {
            assert!(!m[1].2);
            assert!(p[0].contains("\"b.json\" is truncated"), "{p:?}");
        } else {
            assert!(p[0].contains("inside a member header"), "{p:?}");
        }
    }
    // Cut at a member boundary: the missing central directory says so.
    let ev = read(&zip[..second], 100);
    assert!(problems(&ev)[0].contains("without its central directory"));
}

#[test]
fn zip_bomb_is_cut_at_the_ratio_limit() {
    let body = deflate_zeros(100);
    assert!(body.len() < 120_000, "{}", body.len());
    for descriptor in [false, true] {
        let mut z = ZipBuilder::default();
        let o = ZipOpts {
            descriptor,
            ..ZipOpts::default()
        };
        z.add_raw("bomb.json", &body, 100 << 20, 0, o);
        z.add("after.json", b"still read", ZipOpts::default());
        let zip = z.finish();
        let ev = read(&zip, 64 << 10);
        let m = members(&ev);
        assert!(!m[0].2);
        let out = m[0].1.len() as u64;
        assert!(out < 100 << 20 && out > RATIO_SLACK, "{out}");
        assert_eq!(m[1], ("after.json".into(), b"still read".to_vec(), true));
        let p = problems(&ev);
        assert!(
            p[0].contains("\"bomb.json\" expands more than 1000×"),
            "{p:?}"
        );
        assert!(
            p[0].ends_with("the rest of this member is skipped"),
            "{p:?}"
        );
    }
}

#[test]
fn member_total_and_count_limits() {
    let mut z = ZipBuilder::default();
    z.add("a.json", &text(5000), ZipOpts::default());
    z.add(
        "b.json",
        &text(5000),
        ZipOpts {
            stored: true,
            ..ZipOpts::default()
        },
    );
    z.add("c.json", &text(5000), ZipOpts::default());
    let zip = z.finish();
    let limits = Limits {
        max_member_bytes: 4000,
        max_total_bytes: 9000,
        ..Limits::default()
    };
    let ev = read_with(&zip, 333, limits);
    let m = members(&ev);
    assert_eq!((m[0].1.len(), m[0].2), (4000, false));
    assert_eq!((m[1].1.len(), m[1].2), (4000, false));
    assert_eq!((m[2].1.len(), m[2].2), (1000, false));
    let p = problems(&ev);
    assert_eq!(p.len(), 3, "{p:?}");
    assert!(p[2].contains("the rest of the archive is skipped"), "{p:?}");
    let ev = read_with(
        &zip,
        333,
        Limits {
            max_members: 2,
            ..Limits::default()
        },
    );
    assert_eq!(members(&ev).len(), 2);
    assert!(problems(&ev)[0].contains("more than 2 members"));
}

#[test]
fn encrypted_and_unsupported_members_are_skipped() {
    let mut z = ZipBuilder::default();
    z.add(
        "secret.json",
        b"xxxxxxxx",
        ZipOpts {
            encrypted: true,
            stored: true,
            ..ZipOpts::default()
        },
    );
    z.add(
        "bz.json",
        b"BZh9....",
        ZipOpts {
            method: Some(12),
            stored: true,
            ..ZipOpts::default()
        },
    );
    z.add("ok.json", b"ok", ZipOpts::default());
    let ev = read_all_chunkings(&z.finish());
    assert_eq!(members(&ev), vec![("ok.json".into(), b"ok".to_vec(), true)]);
    let p = problems(&ev);
    assert!(
        p[0].contains("\"secret.json\"") && p[0].contains("encrypted"),
        "{p:?}"
    );
    assert!(p[1].contains("method 12 (bzip2)"), "{p:?}");
    // With a data descriptor there is no size: the next header is searched for.
    let mut z = ZipBuilder::default();
    z.add(
        "secret.json",
        &text(3000),
        ZipOpts {
            encrypted: true,
            descriptor: true,
            ..ZipOpts::default()
        },
    );
    z.add("ok.json", b"ok", ZipOpts::default());
    let ev = read_all_chunkings(&z.finish());
    assert_eq!(members(&ev), vec![("ok.json".into(), b"ok".to_vec(), true)]);
}

#[test]
fn stored_member_with_descriptor_stops_the_read() {
    let mut z = ZipBuilder::default();
    z.add("first.json", b"1", ZipOpts::default());
    z.add(
        "s.json",
        b"abc",
        ZipOpts {
            stored: true,
            descriptor: true,
            ..ZipOpts::default()
        },
    );
    z.add("later.json", b"2", ZipOpts::default());
    let ev = read_all_chunkings(&z.finish());
    assert_eq!(members(&ev).len(), 1);
    assert!(problems(&ev)[0].contains("cannot be read without the central directory"));
}

#[test]
fn garbage_between_members_is_skipped_with_a_problem() {
    let mut z = ZipBuilder::default();
    z.add("a.json", b"aaa", ZipOpts::default());
    z.out.extend_from_slice(b"some junk PK not a header");
    z.add("b.json", b"bbb", ZipOpts::default());
    let ev = read_all_chunkings(&z.finish());
    let m = members(&ev);
    assert_eq!(m.len(), 2);
    assert_eq!(m[1], ("b.json".into(), b"bbb".to_vec(), true));
    let p = problems(&ev);
    assert!(
        p[0].starts_with("expected a zip member header at byte"),
        "{p:?}"
    );
    assert!(p[1].starts_with("resumed at a zip member header"), "{p:?}");
}

#[test]
fn names_are_sanitised_and_directories_hidden() {
    let mut z = ZipBuilder::default();
    z.add(
        "dir/",
        b"",
        ZipOpts {
            stored: true,
            ..ZipOpts::default()
        },
    );
    z.add("/../..\\evil\\x.json", b"x", ZipOpts::default());
    let ev = read_all_chunkings(&z.finish());
    assert_eq!(
        members(&ev),
        vec![("evil/x.json".into(), b"x".to_vec(), true)]
    );
}

#[test]
fn header_without_name_or_extra() {
    // Found by fuzzing: a local header with no name and no extra field (30 bytes in all)
    // used to stall the reader.
    let mut z = ZipBuilder::default();
    z.add(
        "",
        b"x",
        ZipOpts {
            stored: true,
            ..ZipOpts::default()
        },
    );
    z.add("", b"y", ZipOpts::default());
    let ev = read_all_chunkings(&z.finish());
    assert_eq!(
        members(&ev),
        vec![
            ("unnamed".into(), b"x".to_vec(), true),
            ("unnamed".into(), b"y".to_vec(), true)
        ]
    );
}

#[test]
fn deflate_stream_end_is_exact() {
    // The inflater must stop at the end of the deflate stream, not read into what follows:
    // the data descriptor and next header are found right after it.
    let data = text(70_000);
    let mut stream = deflate(&data);
    let len = stream.len();
    stream.extend_from_slice(b"PK\x07\x08 trailing");
    let mut d = Decompress::new(false);
    let mut out = vec![0; 200_000];
    let st = d
        .decompress(&stream, &mut out, FlushDecompress::None)
        .expect("ok");
    assert_eq!(st, Status::StreamEnd);
    assert_eq!(d.total_in() as usize, len);
}

#[test]
fn garbage_never_panics_and_chunking_never_matters() {
    let (zip, _) = all_forms();
    let mut seed = 99u64;
    for round in 0..300 {
        let mut data = zip[..zip.len().min(60_000)].to_vec();
        for _ in 0..(1 + round % 5) {
            let i = (next_rand(&mut seed) as usize) % data.len();
            data[i] = next_rand(&mut seed) as u8;
        }
        if round % 3 == 0 {
            let cut = (next_rand(&mut seed) as usize) % data.len();
            data.truncate(cut);
        }
        let whole = read(&data, data.len());
        let odd = read(&data, 1 + (round % 13));
        if !problems(&whole)
            .iter()
            .any(|p| p.contains("expands more than"))
        {
            assert_eq!(members(&odd), members(&whole), "round {round}");
        }
    }
}
