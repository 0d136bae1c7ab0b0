//! Push-based readers for `.tar` and `.zip` archives: bytes go in as they arrive (any chunk
//! size), members come out through a [`MemberSink`] as `begin` / `data`… / `end`, with every
//! problem named by member and archive byte offset. Memory stays bounded whatever the input:
//! a header buffer, a fixed 64 KiB inflate buffer and the inflater's own window. Nothing in a
//! header field decides how much is allocated, and [`Limits`] cut zip bombs short.
//!
//! Gzip is not handled here: the loader unwraps `.tar.gz` first and hands the decompressed
//! bytes to [`TarReader`] (and [`detect`] is called on the decompressed prefix).

mod tar;
mod zip;

pub use tar::TarReader;
pub use zip::ZipReader;

/// Receives the members of an archive, in archive order.
pub trait MemberSink {
    /// A member (regular file) starts; `name` is its path inside the archive (sanitised: no
    /// leading `/`, `.` and `..` components dropped, backslashes → `/`, control characters →
    /// `_`).
    fn begin(&mut self, name: &str, size_hint: Option<u64>);
    /// Bytes of the current member, decompressed, in order.
    fn data(&mut self, bytes: &[u8]);
    /// The current member ended; `complete` is false if it was cut short (truncated, damaged,
    /// a limit); then [`MemberSink::problem`] was called before.
    fn end(&mut self, complete: bool);
    /// A problem with the archive or the current member. The message names the member when
    /// there is one, and the byte offset in the archive.
    fn problem(&mut self, message: String);
}

/// What [`detect`] recognised.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ArchiveKind {
    Zip,
    Tar,
}

/// Recognises an archive from its first bytes (give at least 512 for tar; fewer is fine for
/// zip). Zip: a local file header (`PK\3\4`), an empty archive's end record (`PK\5\6`) or a
/// split-archive marker followed by a local header. Tar: `ustar` at offset 257, or a first
/// header block whose checksum is right (old v7 archives). All-zero blocks are not an archive.
pub fn detect(prefix: &[u8]) -> Option<ArchiveKind> {
    if prefix.starts_with(b"PK\x03\x04")
        || prefix.starts_with(b"PK\x05\x06")
        || (prefix.starts_with(b"PK\x07\x08") && prefix[4..].starts_with(b"PK\x03\x04"))
    {
        return Some(ArchiveKind::Zip);
    }
    let block = prefix.get(..512)?;
    if block.iter().all(|&b| b == 0) {
        return None;
    }
    if &block[257..262] == b"ustar" || tar::checksum_ok(block) {
        return Some(ArchiveKind::Tar);
    }
    None
}

/// Caps against archive bombs and absurd archives. A member or archive that passes one is cut
/// with a problem naming the limit; members before it are kept.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Largest decompressed member (bytes).
    pub max_member_bytes: u64,
    /// Largest decompressed total of one archive (bytes).
    pub max_total_bytes: u64,
    /// Largest expansion of a compressed member: decompressed bytes may not pass
    /// `max_ratio × compressed bytes read so far + RATIO_SLACK`. Deflate cannot expand more
    /// than about 1032×, so 1000 only stops members that are almost nothing but repetition.
    pub max_ratio: u64,
    /// Most members (regular files) read from one archive.
    pub max_members: usize,
}

/// Decompressed bytes every member may produce before the ratio check applies, so small
/// members of repetitive text (a 2 KB JSON file of one repeated event) never trip it.
pub const RATIO_SLACK: u64 = 1 << 20;

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_member_bytes: 4 << 30,
            max_total_bytes: 16 << 30,
            max_ratio: 1000,
            max_members: 1_000_000,
        }
    }
}

/// A member path as the sink sees it: `\` → `/`, empty, `.` and `..` components and any
/// leading `/` dropped, control characters → `_`. Never empty (`unnamed` instead).
pub fn sanitize_name(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    for part in raw.split(['/', '\\']) {
        if part.is_empty() || part == "." || part == ".." {
            continue;
        }
        if !out.is_empty() {
            out.push('/');
        }
        out.extend(part.chars().map(|c| if c.is_control() { '_' } else { c }));
    }
    if out.is_empty() {
        out.push_str("unnamed");
    }
    out
}

/// Bytes shown in a diagnostic: `1.5 GiB`, `900 bytes`.
pub fn show_size(n: u64) -> String {
    const UNITS: [(&str, u64); 3] = [("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)];
    for (unit, size) in UNITS {
        if n >= size {
            let whole = n / size;
            let tenth = (n % size) * 10 / size;
            return if tenth == 0 {
                format!("{whole} {unit}")
            } else {
                format!("{whole}.{tenth} {unit}")
            };
        }
    }
    format!("{n} bytes")
}

/// The running totals and limits both readers share.
#[derive(Debug)]
struct Budget {
    limits: Limits,
    members: usize,
    total_out: u64,
}

/// What the budget says about more output.
enum Allowance {
    Ok,
    Member,
    Total,
}

impl Budget {
    fn new(limits: Limits) -> Self {
        Budget {
            limits,
            members: 0,
            total_out: 0,
        }
    }

    /// How many of `n` more bytes of a member that has `member_out` so far may be emitted,
    /// and which limit cuts the rest (if any).
    fn allow(&self, member_out: u64, n: usize) -> (usize, Allowance) {
        let member_room = self.limits.max_member_bytes.saturating_sub(member_out);
        let total_room = self.limits.max_total_bytes.saturating_sub(self.total_out);
        let n64 = n as u64;
        if n64 <= member_room.min(total_room) {
            (n, Allowance::Ok)
        } else if member_room <= total_room {
            (member_room as usize, Allowance::Member)
        } else {
            (total_room as usize, Allowance::Total)
        }
    }

    fn member_limit_message(&self, name: &str, at: u64) -> String {
        format!(
            "member \"{name}\" is larger than {} decompressed (at byte {at} of the archive); the rest of this member is skipped",
            show_size(self.limits.max_member_bytes)
        )
    }

    fn total_limit_message(&self, name: &str, at: u64) -> String {
        format!(
            "the archive expands to more than {} in total (member \"{name}\", at byte {at} of the archive); the rest of the archive is skipped",
            show_size(self.limits.max_total_bytes)
        )
    }

    fn members_message(&self, at: u64) -> String {
        format!(
            "the archive has more than {} members (at byte {at}); the rest of the archive is skipped",
            self.limits.max_members
        )
    }
}

#[cfg(test)]
pub(crate) mod test_support {
    //! A recording sink that checks the [`MemberSink`] protocol, and small tar / zip writers
    //! for building test archives.
    use super::MemberSink;
    use flate2::{Compress, Compression, FlushCompress};

    #[derive(Clone, PartialEq)]
    pub enum Ev {
        Begin(String, Option<u64>),
        /// Consecutive data calls are merged, so chunking does not show.
        Data(Vec<u8>),
        End(bool),
        Problem(String),
    }

    impl std::fmt::Debug for Ev {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            match self {
                Ev::Begin(n, s) => write!(f, "Begin({n:?}, {s:?})"),
                Ev::Data(d) => write!(
                    f,
                    "Data({} bytes: {:?}…)",
                    d.len(),
                    String::from_utf8_lossy(&d[..d.len().min(40)])
                ),
                Ev::End(c) => write!(f, "End({c})"),
                Ev::Problem(p) => write!(f, "Problem({p:?})"),
            }
        }
    }

    /// Records sink calls and asserts the protocol: data only inside a member, `end(false)`
    /// only after a problem.
    #[derive(Default)]
    pub struct Recorder {
        pub events: Vec<Ev>,
        open: bool,
        problem_since_begin: bool,
    }

    impl MemberSink for Recorder {
        fn begin(&mut self, name: &str, size_hint: Option<u64>) {
            assert!(!self.open, "begin inside a member");
            assert!(!name.is_empty() && !name.starts_with('/') && !name.contains('\\'));
            assert!(
                !name
                    .split('/')
                    .any(|p| p == ".." || p == "." || p.is_empty()),
                "{name}"
            );
            self.open = true;
            self.problem_since_begin = false;
            self.events.push(Ev::Begin(name.to_string(), size_hint));
        }
        fn data(&mut self, bytes: &[u8]) {
            assert!(self.open, "data outside a member");
            if let Some(Ev::Data(d)) = self.events.last_mut() {
                d.extend_from_slice(bytes);
            } else if !bytes.is_empty() {
                self.events.push(Ev::Data(bytes.to_vec()));
            }
        }
        fn end(&mut self, complete: bool) {
            assert!(self.open, "end outside a member");
            assert!(
                complete || self.problem_since_begin,
                "end(false) without a problem"
            );
            self.open = false;
            self.events.push(Ev::End(complete));
        }
        fn problem(&mut self, message: String) {
            self.problem_since_begin = true;
            self.events.push(Ev::Problem(message));
        }
    }

    /// A member as read: name, bytes, complete.
    pub type Member = (String, Vec<u8>, bool);

    pub fn members(ev: &[Ev]) -> Vec<Member> {
        let mut out: Vec<Member> = Vec::new();
        for e in ev {
            match e {
                Ev::Begin(n, _) => out.push((n.clone(), Vec::new(), false)),
                Ev::Data(d) => out.last_mut().expect("member").1.extend_from_slice(d),
                Ev::End(c) => out.last_mut().expect("member").2 = *c,
                Ev::Problem(_) => {}
            }
        }
        out
    }

    pub fn problems(ev: &[Ev]) -> Vec<String> {
        ev.iter()
            .filter_map(|e| match e {
                Ev::Problem(p) => Some(p.clone()),
                _ => None,
            })
            .collect()
    }

    /// Chunk sizes every reader must give the same result for (plus the whole input).
    pub const CHUNK_SIZES: [usize; 5] = [1, 7, 512, 4096, 64 << 10];

    pub fn next_rand(seed: &mut u64) -> u64 {
        *seed ^= *seed << 13;
        *seed ^= *seed >> 7;
        *seed ^= *seed << 17;
        *seed
    }

    /// Raw deflate of `data` in one go.
    pub fn deflate(data: &[u8]) -> Vec<u8> {
        let mut c = Compress::new(Compression::default(), false);
        let mut out = Vec::with_capacity(data.len() + 1024);
        let mut input = data;
        loop {
            if out.capacity() - out.len() < 1024 {
                out.reserve(64 << 10);
            }
            let before = c.total_in();
            let st = c
                .compress_vec(input, &mut out, FlushCompress::Finish)
                .expect("deflate");
            input = &input[(c.total_in() - before) as usize..];
            if st == flate2::Status::StreamEnd {
                return out;
            }
        }
    }

    /// A raw deflate stream of `mib` MiB of zeros, built from one repeated sync-flushed block
    /// (valid whenever the window is all zeros), so tests need not compress 100 MB.
    pub fn deflate_zeros(mib: usize) -> Vec<u8> {
        let zeros = vec![0u8; 1 << 20];
        let mut c = Compress::new(Compression::best(), false);
        let mut seg = |input: &[u8], flush: FlushCompress| {
            let mut out = Vec::with_capacity(1 << 20);
            let mut input = input;
            loop {
                let before = c.total_in();
                let st = c.compress_vec(input, &mut out, flush).expect("deflate");
                input = &input[(c.total_in() - before) as usize..];
                if input.is_empty()
                    && (st == flate2::Status::StreamEnd || flush != FlushCompress::Finish)
                {
                    return out;
                }
                out.reserve(1 << 20);
            }
        };
        let first = seg(&zeros, FlushCompress::Sync);
        let next = seg(&zeros, FlushCompress::Sync);
        let end = seg(&[], FlushCompress::Finish);
        let mut out = first;
        for _ in 1..mib {
            out.extend_from_slice(&next);
        }
        out.extend_from_slice(&end);
        out
    }

    /// Writes tar archives (ustar headers, GNU long names, pax records).
    #[derive(Default)]
    pub struct TarBuilder {
        pub out: Vec<u8>,
    }

    impl TarBuilder {
        fn header(&mut self, name: &[u8], size: u64, kind: u8, link: &str, prefix: &str) {
            let mut h = [0u8; 512];
            h[..name.len().min(100)].copy_from_slice(&name[..name.len().min(100)]);
            h[100..108].copy_from_slice(b"0000644\0");
            h[108..116].copy_from_slice(b"0001750\0");
            h[116..124].copy_from_slice(b"0001750\0");
            h[124..136].copy_from_slice(format!("{size:011o}\0").as_bytes());
            h[136..148].copy_from_slice(b"14537064700\0");
            h[148..156].copy_from_slice(b"        ");
            h[156] = kind;
            h[157..157 + link.len()].copy_from_slice(link.as_bytes());
            h[257..263].copy_from_slice(b"ustar\0");
            h[263..265].copy_from_slice(b"00");
            h[345..345 + prefix.len()].copy_from_slice(prefix.as_bytes());
            let sum: u32 = h.iter().map(|&b| u32::from(b)).sum();
            h[148..156].copy_from_slice(format!("{sum:06o}\0 ").as_bytes());
            self.out.extend_from_slice(&h);
        }
        fn body(&mut self, data: &[u8]) {
            self.out.extend_from_slice(data);
            let pad = (512 - data.len() % 512) % 512;
            self.out.resize(self.out.len() + pad, 0);
        }
        pub fn file(&mut self, name: &str, data: &[u8]) {
            if name.len() > 100 {
                self.gnu_long_name(name);
            }
            self.header(name.as_bytes(), data.len() as u64, b'0', "", "");
            self.body(data);
        }
        pub fn ustar_prefixed(&mut self, prefix: &str, name: &str, data: &[u8]) {
            self.header(name.as_bytes(), data.len() as u64, b'0', "", prefix);
            self.body(data);
        }
        pub fn dir(&mut self, name: &str) {
            self.header(name.as_bytes(), 0, b'5', "", "");
        }
        pub fn symlink(&mut self, name: &str, target: &str) {
            self.header(name.as_bytes(), 0, b'2', target, "");
        }
        pub fn gnu_long_name(&mut self, name: &str) {
            let mut data = name.as_bytes().to_vec();
            data.push(0);
            self.header(b"././@LongLink", data.len() as u64, b'L', "", "");
            self.body(&data);
        }
        pub fn pax(&mut self, records: &[(&str, &str)]) {
            let mut data = Vec::new();
            for (k, v) in records {
                let body = format!(" {k}={v}\n");
                let mut len = body.len() + 1;
                while format!("{len}").len() + body.len() != len {
                    len += 1;
                }
                data.extend_from_slice(format!("{len}{body}").as_bytes());
            }
            self.header(b"PaxHeaders/x", data.len() as u64, b'x', "", "");
            self.body(&data);
        }
        pub fn end(&mut self) {
            self.out.resize(self.out.len() + 1024, 0);
        }
    }

    /// How a zip member is written.
    #[derive(Clone, Copy, Default)]
    pub struct ZipOpts {
        pub stored: bool,
        /// Flag bit 3: zero sizes and CRC in the local header, a data descriptor after.
        pub descriptor: bool,
        /// The descriptor starts with its optional signature.
        pub descriptor_sig: bool,
        /// Zip64 extra field with the sizes (and 64-bit descriptor sizes).
        pub zip64: bool,
        pub encrypted: bool,
        pub method: Option<u16>,
    }

    /// Writes zip archives: local headers, data, descriptors, then a central directory.
    #[derive(Default)]
    pub struct ZipBuilder {
        pub out: Vec<u8>,
        central: Vec<u8>,
        count: u16,
    }

    impl ZipBuilder {
        pub fn add(&mut self, name: &str, data: &[u8], o: ZipOpts) {
            let mut crc = flate2::Crc::new();
            crc.update(data);
            let crc = crc.sum();
            let body = if o.stored {
                data.to_vec()
            } else {
                deflate(data)
            };
            self.add_raw(name, &body, data.len() as u64, crc, o);
        }

        /// A member whose compressed body is given as is.
        pub fn add_raw(&mut self, name: &str, body: &[u8], usize: u64, crc: u32, o: ZipOpts) {
            let method = o.method.unwrap_or(if o.stored { 0 } else { 8 });
            let flags: u16 =
                if o.descriptor { 8 } else { 0 } | if o.encrypted { 1 } else { 0 } | 0x800;
            let offset = self.out.len() as u32;
            let csize = body.len() as u64;
            let mut extra = Vec::new();
            if o.zip64 {
                extra.extend_from_slice(&1u16.to_le_bytes());
                extra.extend_from_slice(&16u16.to_le_bytes());
                let (u, c) = if o.descriptor { (0, 0) } else { (usize, csize) };
                extra.extend_from_slice(&u.to_le_bytes());
                extra.extend_from_slice(&c.to_le_bytes());
            }
            let (h_crc, h_c, h_u) = match (o.descriptor, o.zip64) {
                (true, _) => (0, 0, 0),
                (false, true) => (crc, u32::MAX, u32::MAX),
                (false, false) => (crc, csize as u32, usize as u32),
            };
            let mut h = Vec::new();
            h.extend_from_slice(b"PK\x03\x04");
            h.extend_from_slice(&(if o.zip64 { 45u16 } else { 20 }).to_le_bytes());
            h.extend_from_slice(&flags.to_le_bytes());
            h.extend_from_slice(&method.to_le_bytes());
            h.extend_from_slice(&[0, 0, 0x21, 0]);
            h.extend_from_slice(&h_crc.to_le_bytes());
            h.extend_from_slice(&h_c.to_le_bytes());
            h.extend_from_slice(&h_u.to_le_bytes());
            h.extend_from_slice(&(name.len() as u16).to_le_bytes());
            h.extend_from_slice(&(extra.len() as u16).to_le_bytes());
            h.extend_from_slice(name.as_bytes());
            h.extend_from_slice(&extra);
            self.out.extend_from_slice(&h);
            self.out.extend_from_slice(body);
            if o.descriptor {
                if o.descriptor_sig {
                    self.out.extend_from_slice(b"PK\x07\x08");
                }
                self.out.extend_from_slice(&crc.to_le_bytes());
                if o.zip64 {
                    self.out.extend_from_slice(&csize.to_le_bytes());
                    self.out.extend_from_slice(&usize.to_le_bytes());
                } else {
                    self.out.extend_from_slice(&(csize as u32).to_le_bytes());
                    self.out.extend_from_slice(&(usize as u32).to_le_bytes());
                }
            }
            let c = &mut self.central;
            c.extend_from_slice(b"PK\x01\x02");
            c.extend_from_slice(&[20, 0]);
            c.extend_from_slice(&h[4..16]);
            c.extend_from_slice(&crc.to_le_bytes());
            c.extend_from_slice(&(csize.min(u32::MAX as u64) as u32).to_le_bytes());
            c.extend_from_slice(&(usize.min(u32::MAX as u64) as u32).to_le_bytes());
            c.extend_from_slice(&(name.len() as u16).to_le_bytes());
            c.extend_from_slice(&[0; 12]);
            c.extend_from_slice(&offset.to_le_bytes());
            c.extend_from_slice(name.as_bytes());
            self.count += 1;
        }

        pub fn finish(mut self) -> Vec<u8> {
            let at = self.out.len() as u32;
            let len = self.central.len() as u32;
            self.out.extend_from_slice(&self.central);
            self.out.extend_from_slice(b"PK\x05\x06\0\0\0\0");
            self.out.extend_from_slice(&self.count.to_le_bytes());
            self.out.extend_from_slice(&self.count.to_le_bytes());
            self.out.extend_from_slice(&len.to_le_bytes());
            self.out.extend_from_slice(&at.to_le_bytes());
            self.out.extend_from_slice(&[0, 0]);
            self.out
        }
    }
}

#[cfg(test)]
mod tests {
    use super::test_support::TarBuilder;
    use super::*;

    #[test]
    fn detects_by_content() {
        let mut t = TarBuilder::default();
        t.file("a.json", b"{}");
        t.end();
        let mut v7 = t.out.clone();
        v7[257..265].fill(0); // no ustar magic: the checksum alone decides
        let sum: u32 = v7[..512]
            .iter()
            .enumerate()
            .map(|(i, &b)| {
                if (148..156).contains(&i) {
                    32
                } else {
                    u32::from(b)
                }
            })
            .sum();
        v7[148..156].copy_from_slice(format!("{sum:06o}\0 ").as_bytes());
        let cases: &[(&[u8], Option<ArchiveKind>)] = &[
            (b"PK\x03\x04rest", Some(ArchiveKind::Zip)),
            (
                b"PK\x05\x06\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0",
                Some(ArchiveKind::Zip),
            ),
            (b"PK\x07\x08PK\x03\x04", Some(ArchiveKind::Zip)),
            (&t.out, Some(ArchiveKind::Tar)),
            (&v7, Some(ArchiveKind::Tar)),
            (&[0u8; 1024], None),
            (b"{\"Records\":[]}", None),
            (&[b' '; 600], None),
        ];
        for (bytes, want) in cases {
            assert_eq!(detect(bytes), *want, "{:?}", &bytes[..bytes.len().min(12)]);
        }
        let json = format!(
            "{{\"Records\":[{}]}}",
            "{\"eventTime\":\"2024-01-01T00:00:00Z\"},".repeat(30)
        );
        assert_eq!(detect(json.as_bytes()), None);
    }

    #[test]
    fn sanitises_names() {
        let cases = [
            (
                "AWSLogs/o-abc123/111122223333/CloudTrail/x.json.gz",
                "AWSLogs/o-abc123/111122223333/CloudTrail/x.json.gz",
            ),
            ("/abs/path.json", "abs/path.json"),
            ("../../etc/passwd", "etc/passwd"),
            ("a/./b/../c", "a/b/c"),
            ("win\\dir\\f.json", "win/dir/f.json"),
            ("bell\u{7}name", "bell_name"),
            ("", "unnamed"),
            ("/../", "unnamed"),
        ];
        for (raw, want) in cases {
            assert_eq!(sanitize_name(raw), want, "{raw:?}");
        }
    }

    #[test]
    fn shows_sizes() {
        assert_eq!(show_size(900), "900 bytes");
        assert_eq!(show_size(4 << 30), "4 GiB");
        assert_eq!(show_size(1536 << 10), "1.5 MiB");
    }
}
