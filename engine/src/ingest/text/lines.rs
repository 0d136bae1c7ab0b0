//! Line-framed shapes: NDJSON and CloudWatch Logs exports (one event per line), and the
//! records of CSV exports.

use super::scan::cloudwatch_prefix;
use super::{Mode, Text, MAX_VALUE};
use crate::ingest::csv::CsvRecord;
use crate::ingest::{FileReport, Loader, Position};
use crate::storage::tape::JsonError;

impl Loader {
    /// NDJSON and CloudWatch Logs exports: one event per line.
    pub(super) fn lines(
        &mut self,
        t: &mut Text,
        file: &mut FileReport,
        cloudwatch: bool,
        skipping: bool,
    ) -> bool {
        let rest = &t.buf.bytes()[t.cur..];
        // A line ends at LF, CRLF, or a CR alone (old Mac line endings): a CR at the end of the
        // text so far waits for the next byte, which may be its LF.
        let newline = match rest.iter().position(|&c| c == b'\n' || c == b'\r') {
            Some(n) if rest[n] == b'\r' && n + 1 == rest.len() && !t.eof => None,
            other => other,
        };
        let break_len = |n: usize| match (rest[n], rest.get(n + 1)) {
            (b'\r', Some(b'\n')) => 2,
            _ => 1,
        };
        if skipping {
            let Some(n) = newline else {
                t.cur = t.buf.bytes().len();
                return false;
            };
            t.cur += n + break_len(n);
            t.line_no += 1;
            t.mode = Mode::Lines {
                cloudwatch,
                skipping: false,
            };
            return true;
        }
        let line_len = match newline {
            Some(n) => n,
            None if t.eof && !rest.is_empty() => rest.len(),
            None if rest.len() > MAX_VALUE => {
                file.skip(
                    Position::line(t.line_no),
                    format!("line longer than {} MiB; skipped", MAX_VALUE >> 20),
                );
                t.cur = t.buf.bytes().len();
                t.mode = Mode::Lines {
                    cloudwatch,
                    skipping: true,
                };
                return false;
            }
            None => return false,
        };
        let line_end = t.cur + line_len;
        let next = match newline {
            Some(n) => t.cur + n + break_len(n),
            None => line_end,
        };
        let line = &t.buf.bytes()[t.cur..line_end];
        let mut start = t.cur + line.iter().take_while(|c| c.is_ascii_whitespace()).count();
        if start < line_end {
            if cloudwatch && t.buf.bytes()[start] != b'{' {
                if let Some(k) = cloudwatch_prefix(&t.buf.bytes()[start..line_end]) {
                    start += k;
                }
            }
            let text = t.buf.text().map(|s| &s[..line_end]);
            let (mark, r) = self.parse_at(&t.buf.bytes()[..line_end], text, start, false);
            let r = r.and_then(|end| {
                match t.buf.bytes()[end..line_end]
                    .iter()
                    .position(|c| !c.is_ascii_whitespace())
                {
                    None => Ok(end),
                    Some(k) => Err(JsonError {
                        offset: end + k,
                        message: "unexpected text after the JSON value on this line".into(),
                    }),
                }
            });
            match r {
                Ok(_) => self.add_event(
                    file,
                    mark.words,
                    Some(Position::line(t.line_no)),
                    t.source,
                    t.bucket,
                ),
                Err(e) => {
                    self.truncate(mark);
                    file.skip(t.pos(e.offset), format!("malformed JSON: {}", e.message));
                }
            }
        }
        t.cur = next.min(t.buf.bytes().len());
        t.line_no += 1;
        true
    }

    pub(super) fn csv_record(
        &mut self,
        file: &mut FileReport,
        r: CsvRecord,
        source: u32,
        bucket: u32,
    ) {
        let at = Position::line(r.line as usize);
        match r.result {
            Ok(json) => {
                let text = std::str::from_utf8(&json).ok();
                let (mark, parsed) = self.parse_at(&json, text, 0, false);
                match parsed {
                    Ok(_) => self.add_event(file, mark.words, Some(at), source, bucket),
                    Err(e) => {
                        self.truncate(mark);
                        file.skip(
                            at,
                            format!("CSV record does not make a valid event: {}", e.message),
                        );
                    }
                }
            }
            Err(why) => file.skip(at, why),
        }
    }
}
