//! Tar (ustar, GNU, pax) read as a stream of 512-byte blocks: regular files go to the sink;
//! directories, links and devices are skipped; GNU long names (`L`) and pax `path=` / `size=`
//! records apply to the next member. Each header's checksum is verified; after a damaged header
//! the reader looks for the next valid header block and goes on from there.

use super::{sanitize_name, show_size, Allowance, Budget, Limits, MemberSink};

const BLOCK: usize = 512;
/// Largest GNU long-name or pax extended header kept (bytes); longer ones are skipped.
const MAX_META: u64 = 1 << 20;

/// Push-based tar reader; see the module documentation.
pub struct TarReader {
    /// The header block being gathered (always 512 bytes long; `fill` says how much is real).
    block: Box<[u8; BLOCK]>,
    fill: usize,
    state: State,
    /// Archive bytes consumed so far.
    pos: u64,
    /// Consecutive all-zero header blocks (two end the archive).
    zero_blocks: u8,
    /// A long name (`L`) or pax `path` for the next member.
    next_name: Option<String>,
    /// A pax `size` for the next member.
    next_size: Option<u64>,
    /// Bytes of the `L` / `x` header being read.
    meta: Vec<u8>,
    budget: Budget,
}

#[derive(Debug)]
enum State {
    /// Gathering a header block.
    Header,
    /// Member data: `remaining` bytes, then `pad` bytes of padding.
    Data {
        what: Body,
        remaining: u64,
        pad: u64,
    },
    /// After a damaged header: testing each following block until one is a valid header.
    Resync { from: u64 },
    /// End of archive (or a fatal limit): the rest of the input is ignored.
    Done,
}

#[derive(Debug)]
enum Body {
    /// A regular file the sink receives: its name and bytes emitted so far.
    File { name: String, out: u64, cut: bool },
    /// A GNU long name (`L`) or pax header (`x`) gathered into `meta`.
    Meta { pax: bool, keep: bool },
    /// Anything else: read past.
    Skip,
}

impl Default for TarReader {
    fn default() -> Self {
        Self::new()
    }
}

impl TarReader {
    pub fn new() -> Self {
        Self::with_limits(Limits::default())
    }

    pub fn with_limits(limits: Limits) -> Self {
        TarReader {
            block: Box::new([0; BLOCK]),
            fill: 0,
            state: State::Header,
            pos: 0,
            zero_blocks: 0,
            next_name: None,
            next_size: None,
            meta: Vec::new(),
            budget: Budget::new(limits),
        }
    }

    /// Feeds the next bytes of the archive.
    pub fn push(&mut self, mut chunk: &[u8], sink: &mut dyn MemberSink) {
        while !chunk.is_empty() {
            match &mut self.state {
                State::Done => return,
                State::Header | State::Resync { .. } => {
                    let take = (BLOCK - self.fill).min(chunk.len());
                    self.block[self.fill..self.fill + take].copy_from_slice(&chunk[..take]);
                    self.fill += take;
                    chunk = &chunk[take..];
                    if self.fill == BLOCK {
                        self.fill = 0;
                        self.pos += BLOCK as u64;
                        self.header(sink);
                    }
                }
                State::Data {
                    what,
                    remaining,
                    pad,
                } => {
                    if *remaining > 0 {
                        let take = (*remaining).min(chunk.len() as u64) as usize;
                        let bytes = &chunk[..take];
                        chunk = &chunk[take..];
                        *remaining -= take as u64;
                        let at = self.pos;
                        self.pos += take as u64;
                        match what {
                            Body::File { name, out, cut } => {
                                if !*cut {
                                    let (n, allowance) = self.budget.allow(*out, bytes.len());
                                    sink.data(&bytes[..n]);
                                    *out += n as u64;
                                    self.budget.total_out += n as u64;
                                    match allowance {
                                        Allowance::Ok => {}
                                        Allowance::Member => {
                                            let at = at + n as u64;
                                            sink.problem(
                                                self.budget.member_limit_message(name, at),
                                            );
                                            sink.end(false);
                                            *cut = true;
                                        }
                                        Allowance::Total => {
                                            let at = at + n as u64;
                                            sink.problem(self.budget.total_limit_message(name, at));
                                            sink.end(false);
                                            self.state = State::Done;
                                            return;
                                        }
                                    }
                                }
                                if *remaining == 0 && !*cut {
                                    sink.end(true);
                                }
                            }
                            Body::Meta { keep, .. } => {
                                if *keep {
                                    self.meta.extend_from_slice(bytes);
                                }
                            }
                            Body::Skip => {}
                        }
                        if *remaining == 0 {
                            if let Body::Meta { pax, keep: true } = what {
                                let pax = *pax;
                                self.apply_meta(pax);
                            }
                        }
                    } else {
                        let take = (*pad).min(chunk.len() as u64) as usize;
                        chunk = &chunk[take..];
                        *pad -= take as u64;
                        self.pos += take as u64;
                    }
                    if let State::Data {
                        remaining: 0,
                        pad: 0,
                        ..
                    } = self.state
                    {
                        self.state = State::Header;
                    }
                }
            }
        }
    }

    /// The archive ended: reports a member or header cut short.
    pub fn finish(&mut self, sink: &mut dyn MemberSink) {
        match std::mem::replace(&mut self.state, State::Done) {
            State::Header => {
                if self.fill > 0 {
                    sink.problem(format!(
                        "the tar archive ends inside a header block (at byte {}); it is truncated",
                        self.pos + self.fill as u64
                    ));
                }
            }
            State::Resync { from } => sink.problem(format!(
                "no valid tar header after the damaged one at byte {from}; bytes {from} to {} were skipped",
                self.pos + self.fill as u64
            )),
            State::Data {
                what, remaining, ..
            } if remaining > 0 => {
                let at = self.pos;
                match what {
                    Body::File { name, out, cut } => {
                        if !cut {
                            sink.problem(format!(
                                "member \"{name}\" is truncated: the archive ends after {out} of its {} bytes (at byte {at})",
                                out + remaining
                            ));
                            sink.end(false);
                        }
                    }
                    Body::Meta { .. } | Body::Skip => sink.problem(format!(
                        "the tar archive is truncated (it ends at byte {at}, inside an entry)"
                    )),
                }
            }
            State::Data { .. } | State::Done => {}
        }
    }

    /// A full header block is in `self.block` (it ended at `self.pos`).
    fn header(&mut self, sink: &mut dyn MemberSink) {
        let at = self.pos - BLOCK as u64;
        let resyncing = matches!(self.state, State::Resync { .. });
        if self.block.iter().all(|&b| b == 0) {
            if resyncing {
                return;
            }
            self.zero_blocks += 1;
            if self.zero_blocks >= 2 {
                self.state = State::Done;
            }
            return;
        }
        self.zero_blocks = 0;
        if !checksum_ok(&self.block[..]) {
            if !resyncing {
                sink.problem(format!(
                    "tar header at byte {at} is damaged (checksum mismatch); looking for the next valid header"
                ));
                self.state = State::Resync { from: at };
                self.next_name = None;
                self.next_size = None;
            }
            return;
        }
        if let State::Resync { from } = self.state {
            sink.problem(format!(
                "resumed at a valid tar header at byte {at}; bytes {from} to {at} were skipped"
            ));
            self.state = State::Header;
        }
        let b = &self.block[..];
        let size = match self.next_size.take() {
            Some(s) => Some(s),
            None => parse_number(&b[124..136]),
        };
        let Some(size) = size else {
            sink.problem(format!(
                "tar header at byte {at} has an unreadable size field; looking for the next valid header"
            ));
            self.state = State::Resync { from: at };
            self.next_name = None;
            return;
        };
        let pad = (BLOCK as u64 - size % BLOCK as u64) % BLOCK as u64;
        let kind = b[156];
        let what = match kind {
            b'0' | 0 | b'7' => {
                let raw = self.next_name.take().unwrap_or_else(|| header_name(b));
                if raw.ends_with('/') {
                    // Old tars mark directories by a trailing slash on a regular entry.
                    Body::Skip
                } else {
                    let name = sanitize_name(&raw);
                    if self.budget.members >= self.budget.limits.max_members {
                        sink.problem(self.budget.members_message(at));
                        self.state = State::Done;
                        return;
                    }
                    self.budget.members += 1;
                    sink.begin(&name, Some(size));
                    if size == 0 {
                        sink.end(true);
                    }
                    Body::File {
                        name,
                        out: 0,
                        cut: false,
                    }
                }
            }
            b'L' | b'x' => {
                let keep = size <= MAX_META;
                if !keep {
                    sink.problem(format!(
                        "tar extended header at byte {at} is {}, more than {}; ignored",
                        show_size(size),
                        show_size(MAX_META)
                    ));
                }
                self.meta.clear();
                Body::Meta {
                    pax: kind == b'x',
                    keep,
                }
            }
            // Hard and symbolic links, devices, directories, FIFOs carry no data.
            b'1'..=b'6' => {
                self.next_name = None;
                Body::Skip
            }
            // Global pax headers, GNU long link names, volume labels: nothing to read.
            b'g' | b'K' | b'V' => Body::Skip,
            other => {
                let raw = self.next_name.take().unwrap_or_else(|| header_name(b));
                sink.problem(format!(
                    "tar entry \"{}\" at byte {at} has type '{}', which is not supported; skipped",
                    sanitize_name(&raw),
                    other.escape_ascii()
                ));
                Body::Skip
            }
        };
        if size == 0 && pad == 0 {
            if let Body::Meta { pax, keep: true } = what {
                self.apply_meta(pax);
            }
            self.state = State::Header;
        } else {
            self.state = State::Data {
                what,
                remaining: size,
                pad,
            };
        }
    }

    /// Applies a gathered GNU long name or pax header to the next member.
    fn apply_meta(&mut self, pax: bool) {
        let meta = std::mem::take(&mut self.meta);
        if !pax {
            let end = meta.iter().position(|&c| c == 0).unwrap_or(meta.len());
            self.next_name = Some(String::from_utf8_lossy(&meta[..end]).into_owned());
            return;
        }
        // Records: "<length> <key>=<value>\n", the length counting the whole record.
        let mut rest = &meta[..];
        while !rest.is_empty() {
            let Some(space) = rest.iter().position(|&c| c == b' ') else {
                break;
            };
            let Some(len) = std::str::from_utf8(&rest[..space])
                .ok()
                .and_then(|s| s.parse::<usize>().ok())
                .filter(|&l| l > space + 1 && l <= rest.len())
            else {
                break;
            };
            let record = &rest[space + 1..len];
            let record = record.strip_suffix(b"\n").unwrap_or(record);
            if let Some(eq) = record.iter().position(|&c| c == b'=') {
                let (key, value) = (&record[..eq], &record[eq + 1..]);
                match key {
                    b"path" => self.next_name = Some(String::from_utf8_lossy(value).into_owned()),
                    b"size" => {
                        self.next_size =
                            std::str::from_utf8(value).ok().and_then(|s| s.parse().ok())
                    }
                    _ => {}
                }
            }
            rest = &rest[len..];
        }
    }
}

/// The member name of a header: ustar's `prefix/name`, or `name` alone (GNU headers use the
/// prefix area for other things).
fn header_name(b: &[u8]) -> String {
    let field = |f: &[u8]| {
        let end = f.iter().position(|&c| c == 0).unwrap_or(f.len());
        String::from_utf8_lossy(&f[..end]).into_owned()
    };
    let name = field(&b[..100]);
    if &b[257..263] == b"ustar\0" {
        let prefix = field(&b[345..500]);
        if !prefix.is_empty() {
            return format!("{prefix}/{name}");
        }
    }
    name
}

/// Octal (NUL/space padded) or GNU base-256 (high bit of the first byte set) number.
fn parse_number(f: &[u8]) -> Option<u64> {
    if f.first().is_some_and(|&c| c & 0x80 != 0) {
        if f[0] & 0x40 != 0 {
            return None; // negative
        }
        let mut v: u64 = u64::from(f[0] & 0x3f);
        for &c in &f[1..] {
            v = v.checked_mul(256)?.checked_add(u64::from(c))?;
        }
        return Some(v);
    }
    let digits = f
        .iter()
        .skip_while(|&&c| c == b' ' || c == 0)
        .take_while(|&&c| (b'0'..=b'7').contains(&c));
    let mut v: u64 = 0;
    let mut any = false;
    for &c in digits {
        v = v.checked_mul(8)?.checked_add(u64::from(c - b'0'))?;
        any = true;
    }
    // An all-blank size field means 0 for some writers; a checksum field is never blank.
    Some(if any { v } else { 0 })
}

/// True if the block's checksum field matches its bytes (unsigned sum, or the signed sum old
/// writers used), the field itself counted as spaces.
pub(super) fn checksum_ok(b: &[u8]) -> bool {
    let field = &b[148..156];
    if !field.iter().any(u8::is_ascii_digit) {
        return false;
    }
    let Some(want) = parse_number(field) else {
        return false;
    };
    let mut unsigned: u64 = 0;
    let mut signed: i64 = 0;
    for (i, &c) in b[..BLOCK].iter().enumerate() {
        let c = if (148..156).contains(&i) { b' ' } else { c };
        unsigned += u64::from(c);
        signed += i64::from(c as i8);
    }
    want == unsigned || i64::try_from(want).is_ok_and(|w| w == signed)
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use super::*;

    fn read(data: &[u8], chunk: usize) -> Vec<Ev> {
        let mut r = TarReader::new();
        let mut s = Recorder::default();
        for c in data.chunks(chunk.max(1)) {
            r.push(c, &mut s);
        }
        r.finish(&mut s);
        s.events
    }

    fn read_all_chunkings(data: &[u8]) -> Vec<Ev> {
        let whole = read(data, data.len().max(1));
        for size in CHUNK_SIZES {
            assert_eq!(read(data, size), whole, "chunk size {size}");
        }
        whole
    }

    const ORG_PATH: &str = "AWSLogs/o-abc123/111122223333/CloudTrail/us-east-1/2024/01/02/111122223333_CloudTrail_us-east-1_20240102T0000Z_abcdefgh12345678.json.gz";

    #[test]
    fn regular_files_in_order_with_nested_paths() {
        let mut t = TarBuilder::default();
        t.dir("AWSLogs/");
        t.file(ORG_PATH, b"first member");
        t.file("b.json", b"");
        t.symlink("link", "b.json");
        let c: Vec<u8> = (0..1500u32).map(|i| (i % 251) as u8).collect();
        t.file("c.json", &c);
        t.end();
        let ev = read_all_chunkings(&t.out);
        assert_eq!(
            members(&ev),
            vec![
                (ORG_PATH.to_string(), b"first member".to_vec(), true),
                ("b.json".into(), vec![], true),
                ("c.json".into(), c, true),
            ]
        );
        assert!(problems(&ev).is_empty(), "{ev:?}");
    }

    #[test]
    fn gnu_long_names_and_pax_paths() {
        let long = format!("AWSLogs/{}/x.json", "d".repeat(150));
        let mut t = TarBuilder::default();
        t.gnu_long_name(&long);
        t.file("ignored-short-name", b"1");
        t.pax(&[("path", "pax/named/file.json"), ("mtime", "1700000000.5")]);
        t.file("short", b"2");
        t.ustar_prefixed("AWSLogs/111122223333/CloudTrail", "f.json", b"3");
        t.end();
        let ev = read_all_chunkings(&t.out);
        let names: Vec<String> = members(&ev).into_iter().map(|m| m.0).collect();
        assert_eq!(
            names,
            vec![
                long,
                "pax/named/file.json".to_string(),
                "AWSLogs/111122223333/CloudTrail/f.json".to_string()
            ]
        );
    }

    #[test]
    fn names_are_sanitised() {
        let mut t = TarBuilder::default();
        t.file("/etc/../../AWSLogs/./a.json", b"a");
        t.file("..\\..\\win\\b.json", b"b");
        t.file("../..", b"c");
        t.end();
        let names: Vec<String> = members(&read(&t.out, 512))
            .into_iter()
            .map(|m| m.0)
            .collect();
        assert_eq!(names, vec!["etc/AWSLogs/a.json", "win/b.json", "unnamed"]);
    }

    #[test]
    fn truncated_archive_reports_and_ends_the_member() {
        let mut t = TarBuilder::default();
        t.file("a.json", b"complete");
        t.file("b.json", &[b'y'; 2000]);
        let cut = &t.out[..512 + 512 + 512 + 700];
        let ev = read_all_chunkings(cut);
        let m = members(&ev);
        assert_eq!(m[0], ("a.json".into(), b"complete".to_vec(), true));
        assert_eq!(m[1].0, "b.json");
        assert_eq!(m[1].1.len(), 700);
        assert!(!m[1].2);
        let p = problems(&ev);
        assert_eq!(p.len(), 1);
        assert!(
            p[0].contains("\"b.json\" is truncated") && p[0].contains("700 of its 2000"),
            "{p:?}"
        );
        // Ending inside a header block.
        let ev = read(&t.out[..512 + 512 + 100], 7);
        assert!(problems(&ev)[0].contains("inside a header block"), "{ev:?}");
    }

    #[test]
    fn damaged_header_is_reported_and_the_next_member_still_loads() {
        let mut t = TarBuilder::default();
        t.file("a.json", b"aaa");
        let second = t.out.len();
        t.file("b.json", &[b'b'; 600]);
        t.file("c.json", b"ccc");
        t.end();
        t.out[second + 10] ^= 0x55; // inside b's name: checksum no longer matches
        let ev = read_all_chunkings(&t.out);
        let m = members(&ev);
        assert_eq!(m.len(), 2, "{ev:?}");
        assert_eq!(m[1], ("c.json".into(), b"ccc".to_vec(), true));
        let p = problems(&ev);
        assert!(
            p[0].contains("damaged (checksum mismatch)")
                && p[0].contains(&format!("byte {second}")),
            "{p:?}"
        );
        assert!(p[1].contains("resumed"), "{p:?}");
    }

    #[test]
    fn member_and_total_limits_cut() {
        let mut t = TarBuilder::default();
        t.file("big.json", &[b'z'; 3000]);
        t.file("small.json", b"ok");
        t.file("more.json", &[b'm'; 3000]);
        t.end();
        let limits = Limits {
            max_member_bytes: 1000,
            max_total_bytes: 1500,
            ..Limits::default()
        };
        let mut r = TarReader::with_limits(limits);
        let mut s = Recorder::default();
        for c in t.out.chunks(100) {
            r.push(c, &mut s);
        }
        r.finish(&mut s);
        let m = members(&s.events);
        assert_eq!(m[0].1.len(), 1000);
        assert!(!m[0].2);
        assert_eq!(m[1], ("small.json".into(), b"ok".to_vec(), true));
        assert_eq!(m[2].1.len(), 498);
        let p = problems(&s.events);
        assert!(p[0].contains("larger than 1000 bytes"), "{p:?}");
        assert!(p[1].contains("more than 1.4 KiB in total"), "{p:?}");
        assert_eq!(p.len(), 2);
    }

    #[test]
    fn member_count_limit() {
        let mut t = TarBuilder::default();
        for i in 0..5 {
            t.file(&format!("{i}.json"), b"x");
        }
        t.end();
        let mut r = TarReader::with_limits(Limits {
            max_members: 3,
            ..Limits::default()
        });
        let mut s = Recorder::default();
        r.push(&t.out, &mut s);
        r.finish(&mut s);
        assert_eq!(members(&s.events).len(), 3);
        assert!(problems(&s.events)[0].contains("more than 3 members"));
    }

    #[test]
    fn numbers_and_checksums() {
        assert_eq!(parse_number(b"0000644\0"), Some(0o644));
        assert_eq!(parse_number(b"  17 \0"), Some(0o17));
        assert_eq!(
            parse_number(&[0x80, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0]),
            Some(1 << 32)
        );
        assert_eq!(parse_number(&[0xff; 12]), None);
        assert_eq!(
            parse_number(&[0x80, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]),
            None
        );
        let mut t = TarBuilder::default();
        t.file("a", b"");
        assert!(checksum_ok(&t.out[..512]));
        t.out[0] = b'b';
        assert!(!checksum_ok(&t.out[..512]));
    }

    #[test]
    fn garbage_never_panics_and_never_emits_more_than_its_input() {
        let mut seed = 12345u64;
        for len in [0usize, 1, 511, 512, 513, 1024, 1500, 4096] {
            for _ in 0..20 {
                let data: Vec<u8> = (0..len).map(|_| next_rand(&mut seed) as u8).collect();
                let ev = read(&data, 37);
                let out: usize = members(&ev).iter().map(|m| m.1.len()).sum();
                assert!(out <= data.len());
            }
        }
    }
}
