//! Arbitrary bytes → `TarReader` and `ZipReader`, fed in chunks whose sizes come from the first
//! byte. Reading never panics; the sink sees a well-formed call sequence (data only inside a
//! member, `end(false)` only after a problem); a tar member never holds more than the input;
//! zip output stays within the limits (per member: ratio × input + slack); and for tar, and for
//! zip when no member was cut by the ratio check, chunking does not change what is read.

#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "common/budget.rs"]
mod budget;
use trailscope_engine::ingest::archive::{
    detect, Limits, MemberSink, TarReader, ZipReader, RATIO_SLACK,
};

#[derive(Default, PartialEq, Debug)]
struct Sink {
    members: Vec<(String, u64, u32, bool)>,
    problems: usize,
    open: bool,
    problem_since_begin: bool,
    ratio_cut: bool,
    total: u64,
}

impl MemberSink for Sink {
    fn begin(&mut self, name: &str, _size_hint: Option<u64>) {
        assert!(!self.open, "begin inside a member");
        assert!(!name.is_empty() && !name.starts_with('/') && !name.contains('\\'));
        assert!(
            !name
                .split('/')
                .any(|p| p.is_empty() || p == "." || p == ".."),
            "{name:?}"
        );
        self.open = true;
        self.problem_since_begin = false;
        self.members.push((name.to_string(), 0, 0, false));
    }
    fn data(&mut self, bytes: &[u8]) {
        assert!(self.open, "data outside a member");
        let m = self.members.last_mut().expect("member");
        m.1 += bytes.len() as u64;
        // A cheap checksum so chunkings can be compared without keeping the bytes.
        for &b in bytes {
            m.2 = m.2.rotate_left(5) ^ u32::from(b);
        }
        self.total += bytes.len() as u64;
    }
    fn end(&mut self, complete: bool) {
        assert!(self.open, "end outside a member");
        assert!(
            complete || self.problem_since_begin,
            "end(false) without a problem"
        );
        self.open = false;
        self.members.last_mut().expect("member").3 = complete;
    }
    fn problem(&mut self, message: String) {
        assert!(!message.is_empty());
        self.ratio_cut |= message.contains("expands more than");
        self.problem_since_begin = true;
        self.problems += 1;
    }
}

const LIMITS: Limits = Limits {
    max_member_bytes: 8 << 20,
    max_total_bytes: 32 << 20,
    max_ratio: 1000,
    max_members: 10_000,
};

fn tar(data: &[u8], chunk: usize) -> Sink {
    let mut r = TarReader::with_limits(LIMITS);
    let mut s = Sink::default();
    for c in data.chunks(chunk) {
        r.push(c, &mut s);
    }
    r.finish(&mut s);
    assert!(!s.open, "member left open");
    s
}

fn zip(data: &[u8], chunk: usize) -> Sink {
    let mut r = ZipReader::with_limits(LIMITS);
    let mut s = Sink::default();
    for c in data.chunks(chunk) {
        r.push(c, &mut s);
    }
    r.finish(&mut s);
    assert!(!s.open, "member left open");
    s
}

fn check(data: &[u8]) {
    let _ = detect(data);
    let Some((&first, rest)) = data.split_first() else {
        return;
    };
    let chunk = 1 + usize::from(first) * usize::from(first);
    let whole_tar = tar(rest, rest.len().max(1));
    assert!(
        whole_tar.total <= rest.len() as u64,
        "tar emitted more than its input"
    );
    assert_eq!(tar(rest, chunk), whole_tar, "tar depends on chunking");

    let whole_zip = zip(rest, rest.len().max(1));
    let bound = (whole_zip.members.len() as u64 + 1) * RATIO_SLACK + 1000 * rest.len() as u64;
    assert!(whole_zip.total <= bound.min(LIMITS.max_total_bytes));
    for m in &whole_zip.members {
        assert!(m.1 <= LIMITS.max_member_bytes);
    }
    let chunked = zip(rest, chunk);
    if !whole_zip.ratio_cut && !chunked.ratio_cut {
        assert_eq!(
            chunked.members, whole_zip.members,
            "zip depends on chunking"
        );
    }
}

fuzz_target!(|data: &[u8]| budget::within_budget(data, || check(data)));
