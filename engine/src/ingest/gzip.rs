//! Streaming gzip (RFC 1952) decoding: bytes in any chunking, decompressed text out, with the
//! damage named precisely (truncation, a bad CRC, trailing junk) and a cap on the expansion
//! ratio so that a gzip bomb is refused instead of decoded for hours.
//!
//! Concatenated members (what `cat a.gz b.gz` and some shippers write) decode one after another.

use flate2::{Crc, Decompress, FlushDecompress, Status};

/// Decompressed output may be at most this many times the compressed input (plus
/// [`RATIO_SLACK`]). CloudTrail JSON compresses 10–30×; only degenerate data comes near
/// deflate's limit of about 1030×, which is what bombs use.
pub const MAX_RATIO: u64 = 250;
pub const RATIO_SLACK: u64 = 1 << 20;

const OUT_CHUNK: usize = 256 << 10;
const MAX_HEADER: usize = 64 << 10;

pub struct Gunzip {
    state: State,
    inflate: Decompress,
    crc: Crc,
    /// Header or trailer bytes collected across chunks.
    pending: Vec<u8>,
    out: Vec<u8>,
    /// Compressed bytes consumed and decompressed bytes produced, over all members.
    pub bytes_in: u64,
    pub bytes_out: u64,
    members: usize,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum State {
    Header,
    Body,
    Trailer,
    /// After a member's trailer: another member or the end.
    Between,
    /// An error stopped decoding; the rest of the input is ignored.
    Failed,
}

impl Default for Gunzip {
    fn default() -> Self {
        Self::new()
    }
}

impl Gunzip {
    pub fn new() -> Self {
        Self::with_buffer(Vec::new())
    }

    /// Reuses `out` (from [`Gunzip::into_buffer`]) for the decompressed output: thousands of
    /// small files then cost no fresh 256 KiB buffer each.
    pub fn with_buffer(mut out: Vec<u8>) -> Self {
        out.resize(OUT_CHUNK, 0);
        Gunzip {
            state: State::Header,
            inflate: Decompress::new(false),
            crc: Crc::new(),
            pending: Vec::new(),
            out,
            bytes_in: 0,
            bytes_out: 0,
            members: 0,
        }
    }

    pub fn into_buffer(self) -> Vec<u8> {
        self.out
    }

    /// True once decoding stopped on an error: later input is ignored.
    pub fn failed(&self) -> bool {
        self.state == State::Failed
    }

    /// Decodes `input`, passing decompressed text to `sink` in order. An `Err` names what is
    /// wrong; everything decoded before it was already passed on. When `sink` returns false
    /// (the reader wants no more, e.g. its expansion budget is spent), decoding stops for good.
    pub fn push(
        &mut self,
        mut input: &[u8],
        sink: &mut dyn FnMut(&[u8]) -> bool,
    ) -> Result<(), String> {
        while !input.is_empty() {
            match self.state {
                State::Failed => return Ok(()),
                State::Header | State::Between => {
                    if self.state == State::Between && self.pending.is_empty() {
                        // Zero padding after the last member is common (tape, block devices).
                        let zeros = input.iter().take_while(|&&b| b == 0).count();
                        self.bytes_in += zeros as u64;
                        input = &input[zeros..];
                        if input.is_empty() {
                            break;
                        }
                    }
                    let take = input
                        .len()
                        .min(MAX_HEADER + 1 - self.pending.len().min(MAX_HEADER));
                    self.pending.extend_from_slice(&input[..take]);
                    match header_len(&self.pending) {
                        Ok(None) if self.pending.len() > MAX_HEADER => {
                            return self.fail("gzip header longer than 64 KiB");
                        }
                        Ok(None) => {
                            self.bytes_in += take as u64;
                            input = &input[take..];
                        }
                        Ok(Some(n)) => {
                            // The header ends inside what we just appended.
                            let used = n - (self.pending.len() - take);
                            self.bytes_in += used as u64;
                            input = &input[used..];
                            self.pending.clear();
                            self.inflate.reset(false);
                            self.crc.reset();
                            self.state = State::Body;
                            self.members += 1;
                        }
                        Err(e) => {
                            return if self.state == State::Between {
                                let at = self.bytes_in;
                                self.fail(format!("{} bytes of data that is not gzip follow the compressed data (at byte {at}); ignored", input.len()))
                            } else {
                                self.fail(e)
                            };
                        }
                    }
                }
                State::Body => {
                    let before_in = self.inflate.total_in();
                    let before_out = self.inflate.total_out();
                    let status = self
                        .inflate
                        .decompress(input, &mut self.out, FlushDecompress::None)
                        .map_err(|e| e.to_string());
                    let used = (self.inflate.total_in() - before_in) as usize;
                    let made = (self.inflate.total_out() - before_out) as usize;
                    input = &input[used..];
                    self.bytes_in += used as u64;
                    self.bytes_out += made as u64;
                    if made > 0 {
                        self.crc.update(&self.out[..made]);
                        if !sink(&self.out[..made]) {
                            self.state = State::Failed;
                            return Ok(());
                        }
                    }
                    if self.bytes_out > MAX_RATIO * self.bytes_in + RATIO_SLACK {
                        return self.fail(format!(
                            "gzip data expands more than {MAX_RATIO}× (decompression bomb?); the rest of the file is skipped after {} decompressed bytes",
                            self.bytes_out
                        ));
                    }
                    match status {
                        Err(e) => {
                            let at = self.bytes_in;
                            return self.fail(format!("gzip data is damaged at compressed byte {at} ({e}); reading what came before"));
                        }
                        Ok(Status::StreamEnd) => self.state = State::Trailer,
                        Ok(_) if used == 0 && made == 0 => {
                            return self.fail("gzip data is damaged: the decoder made no progress");
                        }
                        Ok(_) => {}
                    }
                }
                State::Trailer => {
                    let take = input.len().min(8 - self.pending.len());
                    self.pending.extend_from_slice(&input[..take]);
                    input = &input[take..];
                    self.bytes_in += take as u64;
                    if self.pending.len() == 8 {
                        let crc = u32::from_le_bytes(self.pending[0..4].try_into().unwrap());
                        let size = u32::from_le_bytes(self.pending[4..8].try_into().unwrap());
                        self.pending.clear();
                        self.state = State::Between;
                        if crc != self.crc.sum() {
                            return Err(format!(
                                "gzip checksum mismatch in member {} (the data may be damaged)",
                                self.members
                            ));
                        }
                        if size != self.crc.amount() {
                            return Err(format!(
                                "gzip length mismatch in member {} (the data may be damaged)",
                                self.members
                            ));
                        }
                    }
                }
            }
        }
        Ok(())
    }

    /// The input ended: an error if it ended inside a member.
    pub fn finish(&mut self) -> Result<(), String> {
        match self.state {
            State::Between | State::Failed => Ok(()),
            State::Header if self.members == 0 && self.pending.is_empty() => Ok(()),
            _ => {
                let out = self.bytes_out;
                self.state = State::Failed;
                Err(format!("gzip data is damaged or truncated: the file ends inside compressed data, after {out} decompressed bytes; reading what came before"))
            }
        }
    }

    fn fail(&mut self, message: impl Into<String>) -> Result<(), String> {
        self.state = State::Failed;
        self.pending = Vec::new();
        Err(message.into())
    }
}

/// The length of the gzip member header at the start of `b`, `None` if more bytes are needed.
fn header_len(b: &[u8]) -> Result<Option<usize>, String> {
    if b.len() >= 2 && b[..2] != [0x1f, 0x8b] || b.len() == 1 && b[0] != 0x1f {
        return Err("not gzip data (bad magic bytes)".into());
    }
    if b.len() < 10 {
        return Ok(None);
    }
    if b[2] != 8 {
        return Err(format!("gzip compression method {} is not deflate", b[2]));
    }
    let flags = b[3];
    let mut n = 10;
    if flags & 4 != 0 {
        let Some(x) = b.get(n..n + 2) else {
            return Ok(None);
        };
        n += 2 + u16::from_le_bytes([x[0], x[1]]) as usize;
    }
    for bit in [8, 16] {
        if flags & bit != 0 {
            match b.get(n..).and_then(|r| r.iter().position(|&c| c == 0)) {
                Some(z) => n += z + 1,
                None => return Ok(None),
            }
        }
    }
    if flags & 2 != 0 {
        n += 2;
    }
    Ok((b.len() >= n).then_some(n))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn gz(data: &[u8]) -> Vec<u8> {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        e.write_all(data).unwrap();
        e.finish().unwrap()
    }

    fn decode(input: &[u8], chunk: usize) -> (Vec<u8>, Vec<String>) {
        let mut g = Gunzip::new();
        let mut out = Vec::new();
        let mut errs = Vec::new();
        for c in input.chunks(chunk.max(1)) {
            if let Err(e) = g.push(c, &mut |b| {
                out.extend_from_slice(b);
                true
            }) {
                errs.push(e);
            }
        }
        if let Err(e) = g.finish() {
            errs.push(e);
        }
        (out, errs)
    }

    #[test]
    fn any_chunking_gives_the_same_text() {
        let text: Vec<u8> = (0..200_000u32)
            .flat_map(|i| (i % 251).to_le_bytes())
            .collect();
        let z = gz(&text);
        for chunk in [1, 7, 10, 11, 4096, usize::MAX] {
            let (out, errs) = decode(&z, chunk.min(z.len()));
            assert!(errs.is_empty(), "{chunk}: {errs:?}");
            assert_eq!(out, text, "chunk {chunk}");
        }
    }

    #[test]
    fn concatenated_members_and_zero_padding() {
        let mut z = gz(b"hello ");
        z.extend(gz(b"world"));
        z.extend([0u8; 100]);
        let (out, errs) = decode(&z, 3);
        assert_eq!(out, b"hello world");
        assert!(errs.is_empty(), "{errs:?}");
    }

    #[test]
    fn truncation_bad_crc_and_trailing_junk_are_named() {
        let z = gz(&vec![b'a'; 100_000]);
        let (_, errs) = decode(&z[..z.len() - 3], 1000);
        assert!(errs[0].contains("damaged or truncated"), "{errs:?}");
        let mut bad = z.clone();
        let n = bad.len();
        bad[n - 8] ^= 1;
        let (out, errs) = decode(&bad, 1000);
        assert_eq!(out.len(), 100_000);
        assert!(errs[0].contains("checksum"), "{errs:?}");
        let mut junk = z.clone();
        junk.extend(b"not gzip");
        let (out, errs) = decode(&junk, 1000);
        assert_eq!(out.len(), 100_000);
        assert!(errs[0].contains("not gzip"), "{errs:?}");
    }

    #[test]
    fn a_bomb_is_refused() {
        let z = gz(&vec![b' '; 64 << 20]);
        let (out, errs) = decode(&z, 1 << 16);
        assert!(errs[0].contains("expands more than"), "{errs:?}");
        assert!((out.len() as u64) < MAX_RATIO * z.len() as u64 + RATIO_SLACK + OUT_CHUNK as u64);
    }
}
