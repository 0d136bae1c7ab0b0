//! Byte scanning for the text layer: where a JSON value or string ends without parsing it, the
//! CloudWatch line prefix, and counting lines and characters (vectorised natively, SWAR in wasm).

use crate::time::parse_timestamp;

/// Finds where a JSON value ends by its brackets and strings alone (no validation), resuming
/// where it stopped when more input arrives.
#[derive(Clone, Debug, Default)]
pub(super) struct Skipper {
    /// Bytes scanned, from the value's start.
    off: usize,
    depth: u32,
    in_str: bool,
    esc: bool,
    started: bool,
}

impl Skipper {
    /// A scan of the value that starts `off` bytes into the text it will be given.
    pub(super) fn at(off: usize) -> Skipper {
        Skipper {
            off,
            ..Default::default()
        }
    }

    /// The end (exclusive) of the value at the start of `v`, once it is there.
    pub(super) fn run(&mut self, v: &[u8]) -> Option<usize> {
        while self.off < v.len() {
            let c = v[self.off];
            self.off += 1;
            if self.in_str {
                if self.esc {
                    self.esc = false;
                } else if c == b'\\' {
                    self.esc = true;
                } else if c == b'"' {
                    self.in_str = false;
                    if self.depth == 0 {
                        return Some(self.off);
                    }
                }
                continue;
            }
            match c {
                b' ' | b'\t' | b'\n' | b'\r' | b',' | b':' if self.depth == 0 && self.started => {
                    return Some(self.off - 1);
                }
                b' ' | b'\t' | b'\n' | b'\r' => continue,
                b'"' => self.in_str = true,
                b'{' | b'[' => self.depth += 1,
                b'}' | b']' => {
                    if self.depth == 0 {
                        return Some(self.off - 1);
                    }
                    self.depth -= 1;
                    if self.depth == 0 {
                        return Some(self.off);
                    }
                }
                _ => {}
            }
            self.started = true;
        }
        None
    }
}

/// The end (exclusive, after the closing quote) of the string starting at `v[at]`.
pub(super) fn string_end(v: &[u8], at: usize) -> Option<usize> {
    let mut i = at + 1;
    while i < v.len() {
        match v[i] {
            b'\\' => i += 2,
            b'"' => return Some(i + 1),
            _ => i += 1,
        }
    }
    None
}

/// CloudWatch Logs exports to S3 write `<timestamp> <message>` lines: the offset of the
/// message when `line` starts with an RFC 3339 timestamp followed by a JSON object.
pub(super) fn cloudwatch_prefix(line: &[u8]) -> Option<usize> {
    if !line.first()?.is_ascii_digit() {
        return None;
    }
    let space = line.iter().position(|&c| c == b' ')?;
    let ts = std::str::from_utf8(&line[..space]).ok()?;
    parse_timestamp(ts)?;
    let rest = space + line[space..].iter().take_while(|&&c| c == b' ').count();
    (line.get(rest) == Some(&b'{')).then_some(rest)
}

pub(super) fn count_newlines(b: &[u8]) -> usize {
    if cfg!(target_arch = "wasm32") {
        return swar_count(b, b'\n', |w| zero_bytes(w ^ (ONES * u64::from(b'\n'))));
    }
    count_bytes(b, |c| c == b'\n')
}

/// Characters in UTF-8 text: bytes that do not continue a character.
pub(super) fn count_chars(b: &[u8]) -> usize {
    let starts = |c: u8| (c as i8) >= -0x40;
    if cfg!(target_arch = "wasm32") {
        let continuations = swar_count(b, 0, |w| w & !(w << 1) & HIGHS);
        let tail = b.len() % 8;
        let tail_chars = b[b.len() - tail..].iter().filter(|&&c| starts(c)).count();
        return (b.len() - tail) - continuations + tail_chars;
    }
    count_bytes(b, starts)
}

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGHS: u64 = 0x8080_8080_8080_8080;

/// The high bit of each byte of `w` that is zero, exactly.
fn zero_bytes(w: u64) -> u64 {
    let low7 = !HIGHS;
    !(((w & low7) + low7) | w | low7)
}

/// Counts, eight bytes at a time, the bytes that `marks` flags (one high bit per byte) in the
/// whole words of `b`; for `needle` != 0 the tail bytes equal to it are counted too. Wasm has no
/// vector compares unless built for SIMD, so the byte-block loop of [`count_bytes`] would run
/// one byte at a time there.
fn swar_count(b: &[u8], needle: u8, marks: impl Fn(u64) -> u64) -> usize {
    let mut words = b.chunks_exact(8);
    let mut total = 0usize;
    for w in &mut words {
        let w = u64::from_le_bytes(w.try_into().unwrap_or_default());
        total += marks(w).count_ones() as usize;
    }
    if needle != 0 {
        total += words.remainder().iter().filter(|&&c| c == needle).count();
    }
    total
}

/// How many bytes of `b` satisfy `f`. Counted in blocks of 128 into a `u8`, which the compiler
/// turns into byte-wide vector compares (a plain `filter().count()` widens every byte to a
/// 64-bit lane and runs several times slower); this runs over every byte of every file.
fn count_bytes(b: &[u8], f: impl Fn(u8) -> bool) -> usize {
    let mut blocks = b.chunks_exact(128);
    let mut total = 0;
    for block in &mut blocks {
        let mut n = 0u8;
        for &c in block {
            n += u8::from(f(c));
        }
        total += usize::from(n);
    }
    total + blocks.remainder().iter().filter(|&&c| f(c)).count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn swar_counts_match_byte_counts() {
        let text = "a\nbé\n\n€😀x\nyz\u{7f}\u{80}\n".repeat(7);
        for start in 0..text.len() {
            let b = &text.as_bytes()[start..];
            let newlines = swar_count(b, b'\n', |w| zero_bytes(w ^ (ONES * u64::from(b'\n'))));
            assert_eq!(newlines, b.iter().filter(|&&c| c == b'\n').count());
            let cont = swar_count(b, 0, |w| w & !(w << 1) & HIGHS);
            let whole = b.len() - b.len() % 8;
            let want = b[..whole].iter().filter(|&&c| c & 0xC0 == 0x80).count();
            assert_eq!(cont, want, "from {start}");
        }
    }
}
