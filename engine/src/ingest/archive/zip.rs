//! Zip read front to back through its local file headers, without the central directory (it
//! sits at the end, and the input is a stream). Stored and deflated members are decoded as
//! their bytes arrive and checked against their CRC-32; members with a data descriptor (flag
//! bit 3, sizes written after the data) work for deflate, whose stream ends itself. Encrypted
//! members and other methods are reported and skipped. After damage the reader looks for the
//! next local header signature and goes on from there. The central directory ends the read.

use flate2::{Crc, Decompress, FlushDecompress, Status};

use super::{sanitize_name, Allowance, Budget, Limits, MemberSink, RATIO_SLACK};

const LOCAL: u32 = 0x0403_4b50;
const CENTRAL: u32 = 0x0201_4b50;
const END: u32 = 0x0605_4b50;
const END64: u32 = 0x0606_4b50;
const END64_LOCATOR: u32 = 0x0706_4b50;
const DESCRIPTOR: u32 = 0x0807_4b50;
const SPANNED: u32 = 0x3030_4b50;
/// Output buffer for inflating: the only per-member buffer, whatever the member's size.
const OUT_BUF: usize = 64 << 10;
/// Bytes looked at to recognise a data descriptor: the longest form (signature, CRC, two
/// 64-bit sizes) plus the signature of what follows it.
const LOOKAHEAD: usize = 28;

/// Push-based zip reader; see the module documentation.
pub struct ZipReader {
    /// The header (or data descriptor) being gathered. At most 30 + 2 × 65535 bytes.
    buf: Vec<u8>,
    state: State,
    /// Archive bytes consumed so far.
    pos: u64,
    budget: Budget,
    inflater: Option<Box<Decompress>>,
    out: Vec<u8>,
    crc: Crc,
    /// A limit on the whole archive was reached: nothing more is read.
    stopped: bool,
}

/// The member being read.
#[derive(Debug)]
struct Member {
    name: String,
    /// A directory entry: read through, never shown to the sink.
    hidden: bool,
    /// Data descriptor follows the data (flag bit 3).
    descriptor: bool,
    zip64: bool,
    crc: u32,
    /// Declared sizes (unknown with a data descriptor).
    csize: Option<u64>,
    usize: Option<u64>,
    /// Decompressed bytes emitted.
    out: u64,
}

#[derive(Debug)]
enum State {
    /// Gathering a signature, then a local header with its name and extra field.
    Header,
    Stored {
        m: Member,
        remaining: u64,
    },
    Deflate {
        m: Member,
        remaining: Option<u64>,
    },
    /// After a deflate stream with a data descriptor: gathering the descriptor.
    Descriptor {
        m: Member,
        csize: u64,
    },
    /// Skipping the data of a member that is not read.
    Skip {
        remaining: u64,
    },
    /// After damage: looking for the next header signature.
    Scan {
        from: u64,
        window: u32,
        seen: u8,
    },
    Done,
}

impl Default for ZipReader {
    fn default() -> Self {
        Self::new()
    }
}

fn u16_at(b: &[u8], i: usize) -> u16 {
    u16::from_le_bytes([b[i], b[i + 1]])
}
fn u32_at(b: &[u8], i: usize) -> u32 {
    u32::from_le_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]])
}
fn u64_at(b: &[u8], i: usize) -> u64 {
    let mut a = [0u8; 8];
    a.copy_from_slice(&b[i..i + 8]);
    u64::from_le_bytes(a)
}

fn method_name(method: u16) -> &'static str {
    match method {
        1 => "shrink",
        6 => "implode",
        9 => "deflate64",
        12 => "bzip2",
        14 => "LZMA",
        93 => "Zstandard",
        95 => "XZ",
        98 => "PPMd",
        99 => "AES encryption",
        _ => "unknown",
    }
}

impl ZipReader {
    pub fn new() -> Self {
        Self::with_limits(Limits::default())
    }

    pub fn with_limits(limits: Limits) -> Self {
        ZipReader {
            buf: Vec::new(),
            state: State::Header,
            pos: 0,
            budget: Budget::new(limits),
            inflater: None,
            out: Vec::new(),
            crc: Crc::new(),
            stopped: false,
        }
    }

    /// Feeds the next bytes of the archive.
    pub fn push(&mut self, mut chunk: &[u8], sink: &mut dyn MemberSink) {
        while !chunk.is_empty() {
            let state = std::mem::replace(&mut self.state, State::Done);
            if let State::Done = state {
                return;
            }
            let (next, used) = self.step(state, chunk, sink);
            self.state = next;
            self.pos += used as u64;
            chunk = &chunk[used..];
        }
    }

    /// The archive ended: reports a member, header or descriptor cut short, or a missing
    /// central directory (a truncated archive).
    pub fn finish(&mut self, sink: &mut dyn MemberSink) {
        let at = self.pos;
        match std::mem::replace(&mut self.state, State::Done) {
            State::Header if self.buf.is_empty() => sink.problem(format!(
                "the zip archive ends at byte {at} without its central directory; it is truncated (members after this point are missing)"
            )),
            State::Header => sink.problem(format!(
                "the zip archive ends inside a member header (at byte {at}); it is truncated"
            )),
            State::Stored { m, .. } | State::Deflate { m, .. } => {
                self.cut(
                    &m,
                    format!(
                        "member \"{}\" is truncated: the archive ends inside its data (at byte {at})",
                        m.name
                    ),
                    sink,
                );
            }
            State::Descriptor { m, csize } => {
                let buf = std::mem::take(&mut self.buf);
                if let Some((len, recorded)) = self.descriptor_len(&m, csize, &buf, true) {
                    self.pos = at - (buf.len() - len) as u64;
                    self.close(&m, recorded, self.pos, sink);
                    self.state = State::Header;
                    self.push(&buf[len..], sink);
                    self.finish(sink);
                } else {
                    self.cut(
                        &m,
                        format!(
                            "member \"{}\" is truncated: the archive ends inside its data descriptor (at byte {at})",
                            m.name
                        ),
                        sink,
                    );
                }
            }
            State::Skip { remaining } if remaining > 0 => sink.problem(format!(
                "the zip archive ends inside a skipped member (at byte {at}); it is truncated"
            )),
            State::Scan { from, .. } => sink.problem(format!(
                "no further zip member after the damage at byte {from}; bytes {from} to {at} were skipped"
            )),
            State::Skip { .. } | State::Done => {}
        }
        self.buf = Vec::new();
    }

    /// Consumes a prefix of `chunk` in `state`; returns the next state and how much was used.
    fn step(&mut self, state: State, chunk: &[u8], sink: &mut dyn MemberSink) -> (State, usize) {
        match state {
            State::Header => self.header(chunk, sink),
            State::Stored { mut m, remaining } => {
                let take = remaining.min(chunk.len() as u64) as usize;
                let at = self.pos;
                let ok = self.emit(&mut m, &chunk[..take], None, at, sink);
                let remaining = remaining - take as u64;
                if !ok {
                    return (self.after_cut(&m, remaining, at + take as u64), take);
                }
                if remaining == 0 {
                    self.close(&m, m.crc, at + take as u64, sink);
                    return (State::Header, take);
                }
                (State::Stored { m, remaining }, take)
            }
            State::Deflate { m, remaining } => self.inflate(m, remaining, chunk, sink),
            State::Descriptor { m, csize } => {
                let take = (LOOKAHEAD - self.buf.len()).min(chunk.len());
                self.buf.extend_from_slice(&chunk[..take]);
                if self.buf.len() < LOOKAHEAD {
                    return (State::Descriptor { m, csize }, take);
                }
                let orig = self.pos;
                let buf = std::mem::take(&mut self.buf);
                let at = self.pos + take as u64 - buf.len() as u64;
                let next = match self.descriptor_len(&m, csize, &buf, false) {
                    Some((len, recorded)) => {
                        self.pos = at + len as u64;
                        self.close(&m, recorded, self.pos, sink);
                        self.state = State::Header;
                        self.push(&buf[len..], sink);
                        std::mem::replace(&mut self.state, State::Done)
                    }
                    None => {
                        self.cut(
                            &m,
                            format!(
                                "member \"{}\": no data descriptor after its data (at byte {at}); looking for the next member",
                                m.name
                            ),
                            sink,
                        );
                        self.pos = at;
                        self.state = Self::scan(at);
                        self.push(&buf, sink);
                        std::mem::replace(&mut self.state, State::Done)
                    }
                };
                self.pos = orig; // the caller counts `take`
                (next, take)
            }
            State::Skip { remaining } => {
                let take = remaining.min(chunk.len() as u64);
                let remaining = remaining - take;
                let next = if remaining == 0 {
                    State::Header
                } else {
                    State::Skip { remaining }
                };
                (next, take as usize)
            }
            State::Scan {
                from,
                mut window,
                mut seen,
            } => {
                for (i, &c) in chunk.iter().enumerate() {
                    window = (window >> 8) | (u32::from(c) << 24);
                    seen = seen.saturating_add(1);
                    if seen < 4 {
                        continue;
                    }
                    let at = self.pos + i as u64 - 3;
                    match window {
                        LOCAL => {
                            sink.problem(format!(
                                "resumed at a zip member header at byte {at}; bytes {from} to {at} were skipped"
                            ));
                            self.buf.clear();
                            self.buf.extend_from_slice(&LOCAL.to_le_bytes());
                            return (State::Header, i + 1);
                        }
                        CENTRAL | END | END64 => {
                            sink.problem(format!(
                                "bytes {from} to {at} of the zip archive were skipped (damaged); its central directory starts at byte {at}"
                            ));
                            return (State::Done, i + 1);
                        }
                        _ => {}
                    }
                }
                (State::Scan { from, window, seen }, chunk.len())
            }
            State::Done => (State::Done, chunk.len()),
        }
    }

    fn scan(from: u64) -> State {
        State::Scan {
            from,
            window: 0,
            seen: 0,
        }
    }

    /// Gathers and interprets a signature / local file header.
    fn header(&mut self, chunk: &[u8], sink: &mut dyn MemberSink) -> (State, usize) {
        // Three stages: the signature, the fixed 30 bytes, then the name and extra field.
        let stage = match self.buf.len() {
            0..4 => 0,
            4..30 => 1,
            _ => 2,
        };
        let need = if stage == 0 {
            4
        } else if stage == 1 {
            30
        } else {
            30 + usize::from(u16_at(&self.buf, 26)) + usize::from(u16_at(&self.buf, 28))
        };
        let take = (need - self.buf.len()).min(chunk.len());
        self.buf.extend_from_slice(&chunk[..take]);
        if self.buf.len() < need {
            return (State::Header, take);
        }
        let start = self.pos + take as u64 - self.buf.len() as u64;
        let sig = u32_at(&self.buf, 0);
        if stage == 0 {
            return match sig {
                LOCAL => (State::Header, take),
                CENTRAL | END | END64 | END64_LOCATOR => {
                    self.buf.clear();
                    (State::Done, take)
                }
                DESCRIPTOR | SPANNED if start == 0 => {
                    // A split archive's marker: the members follow.
                    self.buf.clear();
                    (State::Header, take)
                }
                _ => {
                    sink.problem(format!(
                        "expected a zip member header at byte {start}, found other bytes; looking for the next member"
                    ));
                    let rest = self.buf.split_off(1);
                    self.buf.clear();
                    // Re-read the three bytes after the bad one: a header may start there.
                    let orig = self.pos;
                    self.pos = start + 1;
                    self.state = Self::scan(start);
                    self.push(&rest, sink);
                    self.pos = orig; // the caller counts `take`
                    (std::mem::replace(&mut self.state, State::Done), take)
                }
            };
        }
        if stage == 1 && (u16_at(&self.buf, 26) > 0 || u16_at(&self.buf, 28) > 0) {
            // Name and extra field lengths are known now; come back for them.
            return (State::Header, take);
        }
        let header = std::mem::take(&mut self.buf);
        (self.start_member(&header, start, sink), take)
    }

    /// A complete local header (`b`) that starts at archive byte `at`.
    fn start_member(&mut self, b: &[u8], at: u64, sink: &mut dyn MemberSink) -> State {
        let flags = u16_at(b, 6);
        let method = u16_at(b, 8);
        let crc = u32_at(b, 14);
        let (mut csize, mut usize) = (u64::from(u32_at(b, 18)), u64::from(u32_at(b, 22)));
        let name_len = usize::from(u16_at(b, 26));
        let raw_name = String::from_utf8_lossy(&b[30..30 + name_len]).into_owned();
        let mut extra = &b[30 + name_len..];
        let mut zip64 = false;
        while extra.len() >= 4 {
            let id = u16_at(extra, 0);
            let len = usize::from(u16_at(extra, 2)).min(extra.len() - 4);
            let data = &extra[4..4 + len];
            if id == 0x0001 {
                zip64 = true;
                // Local headers must carry both sizes; some writers only give the ones
                // that overflowed, in the same order.
                if data.len() >= 16 {
                    usize = u64_at(data, 0);
                    csize = u64_at(data, 8);
                } else if data.len() >= 8 {
                    if usize == 0xFFFF_FFFF {
                        usize = u64_at(data, 0);
                    } else if csize == 0xFFFF_FFFF {
                        csize = u64_at(data, 0);
                    }
                }
            }
            extra = &extra[4 + len..];
        }
        let descriptor = flags & 8 != 0;
        let name = sanitize_name(&raw_name);
        let hidden = raw_name.ends_with('/') || raw_name.ends_with('\\');
        let m = Member {
            name,
            hidden,
            descriptor,
            zip64,
            crc,
            csize: (!descriptor).then_some(csize),
            usize: (!descriptor).then_some(usize),
            out: 0,
        };
        if flags & 1 != 0 {
            let why = format!("member \"{}\" (at byte {at}) is encrypted; skipped", m.name);
            return skip(&m, at, why, sink);
        }
        if method != 0 && method != 8 {
            let why = format!(
                "member \"{}\" (at byte {at}) uses compression method {method} ({}), which is not supported; skipped",
                m.name,
                method_name(method)
            );
            return skip(&m, at, why, sink);
        }
        if method == 0 && descriptor {
            sink.problem(format!(
                "member \"{}\" (at byte {at}) is stored with its size after the data, which cannot be read without the central directory; the rest of the archive is skipped",
                m.name
            ));
            return State::Done;
        }
        if !m.hidden {
            if self.budget.members >= self.budget.limits.max_members {
                sink.problem(self.budget.members_message(at));
                return State::Done;
            }
            self.budget.members += 1;
            sink.begin(&m.name, m.usize);
        }
        self.crc.reset();
        if m.csize == Some(0) {
            // An empty member (some writers store empty files as method 8 with no data).
            self.close(&m, m.crc, at, sink);
            return State::Header;
        }
        if method == 0 {
            let remaining = m.csize.unwrap_or(0);
            return State::Stored { m, remaining };
        }
        match &mut self.inflater {
            Some(d) => d.reset(false),
            None => self.inflater = Some(Box::new(Decompress::new(false))),
        }
        if self.out.is_empty() {
            self.out = vec![0; OUT_BUF];
        }
        let remaining = m.csize;
        State::Deflate { m, remaining }
    }

    /// Inflates as much of `chunk` as belongs to the member.
    fn inflate(
        &mut self,
        mut m: Member,
        remaining: Option<u64>,
        chunk: &[u8],
        sink: &mut dyn MemberSink,
    ) -> (State, usize) {
        let avail = remaining.map_or(chunk.len(), |r| r.min(chunk.len() as u64) as usize);
        let mut input = &chunk[..avail];
        let mut used = 0usize;
        let Some(mut d) = self.inflater.take() else {
            return (State::Done, chunk.len());
        };
        let mut out = std::mem::take(&mut self.out);
        let result = loop {
            let (in0, out0) = (d.total_in(), d.total_out());
            let status = d.decompress(input, &mut out, FlushDecompress::None);
            let consumed = (d.total_in() - in0) as usize;
            let produced = (d.total_out() - out0) as usize;
            input = &input[consumed..];
            used += consumed;
            let at = self.pos + used as u64;
            if produced > 0 && !self.emit(&mut m, &out[..produced], Some(d.total_in()), at, sink) {
                let left = remaining.map_or(0, |r| r - used as u64);
                break (self.after_cut(&m, left, at), used);
            }
            match status {
                Ok(Status::StreamEnd) => {
                    let left = remaining.map_or(0, |r| r - used as u64);
                    if m.descriptor {
                        let csize = d.total_in();
                        break (State::Descriptor { m, csize }, used);
                    }
                    self.close(&m, m.crc, at, sink);
                    break (
                        if left > 0 {
                            State::Skip { remaining: left }
                        } else {
                            State::Header
                        },
                        used,
                    );
                }
                Ok(_) if consumed == 0 && produced == 0 => {
                    let left = remaining.map(|r| r - used as u64);
                    if left == Some(0) {
                        let msg = format!(
                            "member \"{}\" is damaged: its deflate data ends before its stream does (at byte {at})",
                            m.name
                        );
                        self.cut(&m, msg, sink);
                        break (State::Header, used);
                    }
                    break (State::Deflate { m, remaining: left }, used);
                }
                Ok(_) => {}
                Err(e) => {
                    let msg = format!(
                        "member \"{}\" is damaged: bad deflate data near byte {at} of the archive ({e})",
                        m.name
                    );
                    self.cut(&m, msg, sink);
                    let left = remaining.map(|r| r - used as u64);
                    break (
                        match left {
                            Some(0) => State::Header,
                            Some(n) => State::Skip { remaining: n },
                            None => Self::scan(at),
                        },
                        used,
                    );
                }
            }
        };
        self.inflater = Some(d);
        self.out = out;
        result
    }

    /// Hands decompressed bytes to the sink within the limits. `compressed_in` is the member's
    /// compressed bytes read so far (for the ratio check; `None` for stored data). Returns
    /// false if the member was cut (the sink has had `problem` and `end(false)`).
    fn emit(
        &mut self,
        m: &mut Member,
        bytes: &[u8],
        compressed_in: Option<u64>,
        at: u64,
        sink: &mut dyn MemberSink,
    ) -> bool {
        let (mut n, allowance) = self.budget.allow(m.out, bytes.len());
        let mut why = match allowance {
            Allowance::Ok => None,
            Allowance::Member => Some(self.budget.member_limit_message(&m.name, at)),
            Allowance::Total => Some(self.budget.total_limit_message(&m.name, at)),
        };
        if let Some(cin) = compressed_in {
            let ratio = self.budget.limits.max_ratio;
            let allowed = ratio.saturating_mul(cin).saturating_add(RATIO_SLACK);
            let room = allowed.saturating_sub(m.out);
            if (n as u64) > room {
                n = room as usize;
                why = Some(format!(
                    "member \"{}\" expands more than {ratio}× (a zip bomb?) at byte {at} of the archive; the rest of this member is skipped",
                    m.name
                ));
            }
        }
        if let Some(declared) = m.usize {
            let room = declared.saturating_sub(m.out);
            if (n as u64) > room {
                n = room as usize;
                why = Some(format!(
                    "member \"{}\" is damaged: it holds more than the {declared} bytes its header declares (at byte {at} of the archive)",
                    m.name
                ));
            }
        }
        let bytes = &bytes[..n];
        self.crc.update(bytes);
        if !m.hidden && !bytes.is_empty() {
            sink.data(bytes);
        }
        m.out += n as u64;
        self.budget.total_out += n as u64;
        match why {
            None => true,
            Some(why) => {
                self.stopped |= matches!(allowance, Allowance::Total);
                self.cut(m, why, sink);
                false
            }
        }
    }

    /// The state after a member was cut with `remaining` compressed bytes still to come.
    fn after_cut(&self, m: &Member, remaining: u64, at: u64) -> State {
        if self.stopped {
            State::Done
        } else if !m.descriptor {
            if remaining == 0 {
                State::Header
            } else {
                State::Skip { remaining }
            }
        } else {
            Self::scan(at)
        }
    }

    /// Reports a member cut short.
    fn cut(&self, m: &Member, why: String, sink: &mut dyn MemberSink) {
        sink.problem(why);
        if !m.hidden {
            sink.end(false);
        }
    }

    /// The member's data is all there: checks size and CRC-32, then ends it.
    fn close(&self, m: &Member, want_crc: u32, at: u64, sink: &mut dyn MemberSink) {
        let got = self.crc.sum();
        if let Some(declared) = m.usize.filter(|&d| d != m.out) {
            self.cut(
                m,
                format!(
                    "member \"{}\" is damaged: {} bytes instead of the {declared} its header declares (near byte {at})",
                    m.name, m.out
                ),
                sink,
            );
        } else if got != want_crc {
            self.cut(
                m,
                format!(
                    "member \"{}\" is damaged: CRC-32 mismatch (computed {got:08x}, recorded {want_crc:08x}; near byte {at})",
                    m.name
                ),
                sink,
            );
        } else if !m.hidden {
            sink.end(true);
        }
    }

    /// The length of the data descriptor at the start of `buf`, given what the member really
    /// was (`csize` compressed bytes, `m.out` decompressed, CRC in `self.crc`). Tries the four
    /// forms (signature or not, 32- or 64-bit sizes), preferring one whose fields match; else
    /// one followed by a header signature (then the CRC check in `close` reports the damage).
    fn descriptor_len(
        &self,
        m: &Member,
        csize: u64,
        buf: &[u8],
        at_end: bool,
    ) -> Option<(usize, u32)> {
        let crc = self.crc.sum();
        let mut forms = [(true, false), (false, false), (true, true), (false, true)];
        if m.zip64 {
            forms.rotate_left(2);
        }
        let fields_match = |sig: bool, wide: bool| -> Option<(usize, u32)> {
            let mut i = 0;
            if sig {
                if buf.len() < 4 || u32_at(buf, 0) != DESCRIPTOR {
                    return None;
                }
                i = 4;
            }
            let len = i + if wide { 20 } else { 12 };
            if buf.len() < len || u32_at(buf, i) != crc {
                return None;
            }
            let (c, u) = if wide {
                (u64_at(buf, i + 4), u64_at(buf, i + 12))
            } else {
                (u64::from(u32_at(buf, i + 4)), u64::from(u32_at(buf, i + 8)))
            };
            let mask = if wide { u64::MAX } else { 0xFFFF_FFFF };
            (c == csize & mask && u == m.out & mask).then_some((len, crc))
        };
        if let Some(len) = forms.iter().find_map(|&(s, w)| fields_match(s, w)) {
            return Some(len);
        }
        let next_is_header = |len: usize| {
            buf.len() >= len + 4 && matches!(u32_at(buf, len), LOCAL | CENTRAL | END | END64)
                || (at_end && buf.len() == len)
        };
        forms.iter().find_map(|&(sig, wide)| {
            let len = if sig { 4 } else { 0 } + if wide { 20 } else { 12 };
            let sig_ok = !sig || (buf.len() >= 4 && u32_at(buf, 0) == DESCRIPTOR);
            let recorded = buf
                .get(len - if wide { 20 } else { 12 }..)
                .filter(|b| b.len() >= 4);
            match recorded {
                Some(b) if sig_ok && next_is_header(len) => Some((len, u32_at(b, 0))),
                _ => None,
            }
        })
    }
}

/// Reports a member that is not read and says how to get past its data.
fn skip(m: &Member, at: u64, why: String, sink: &mut dyn MemberSink) -> State {
    sink.problem(why);
    match m.csize {
        Some(0) => State::Header,
        Some(n) => State::Skip { remaining: n },
        None => {
            sink.problem(format!(
                "member \"{}\" has no size before its data (data descriptor); looking for the next member",
                m.name
            ));
            ZipReader::scan(at + 30)
        }
    }
}

#[cfg(test)]
mod tests;
