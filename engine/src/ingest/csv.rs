//! CloudTrail CSV exports, read push-style: the CloudTrail console's "Event history" download
//! (`Event ID, Event time, User name, …`) and CloudTrail Lake query results (`eventtime,
//! useridentity, …`, saved to S3 as `.csv.gz`). Records follow RFC 4180: quoted fields with
//! commas, `""` and line breaks inside, CRLF or LF, a UTF-8 BOM. Each data record becomes the
//! JSON text of one event (the columns mapped by header name, see `map.rs`), or an error naming
//! its line. Memory is bounded: one record of at most [`MAX_RECORD`] bytes is held at a time.
//!
//! Fields and records are cut by `csv-core` (streaming, no_std, never fails); this module adds
//! the reading policy around it: line numbers counted across chunks, blank lines, the CR of a
//! CRLF, the BOM, the record length limit, and recovery from damage, so that a bad record is
//! reported with its line and the next one still loads.

mod map;

/// Longest record read (bytes); a longer one is reported and skipped to the next line.
pub const MAX_RECORD: usize = 16 << 20;

/// Which CloudTrail CSV export a file is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CsvKind {
    /// CloudTrail console, Event history, "Download events" → CSV.
    ConsoleEventHistory,
    /// CloudTrail Lake query results (console download or the `.csv.gz` saved to S3).
    LakeQueryResult,
}

/// One data record: its first line (1-based, in the decompressed text) and its event JSON, or
/// why it has none.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CsvRecord {
    pub line: u64,
    pub result: Result<Vec<u8>, String>,
}

/// Recognises a CloudTrail CSV export by its header row (a UTF-8 BOM and a trailing line break
/// are allowed; names compare case-insensitively, trimmed). `None` if the row names neither an
/// event time column nor a full-event column.
pub fn detect_csv(header_line: &[u8]) -> Option<CsvKind> {
    let line = header_line
        .strip_prefix(b"\xEF\xBB\xBF")
        .unwrap_or(header_line);
    let end = line.iter().position(|&c| c == b'\n').unwrap_or(line.len());
    let (fields, _) = split_fields(&line[..end], true);
    map::classify(&fields)
}

/// Reads a CSV export and turns its records into event JSON; see the module documentation.
pub struct CsvEvents {
    splitter: Splitter,
    table: Table,
    /// Bytes seen before deciding whether the file starts with a BOM.
    head: Vec<u8>,
    started: bool,
}

impl Default for CsvEvents {
    fn default() -> Self {
        Self::new()
    }
}

impl CsvEvents {
    /// A reader that takes the first non-blank record as the header row.
    pub fn new() -> Self {
        CsvEvents {
            splitter: Splitter::new(1),
            table: Table::default(),
            head: Vec::new(),
            started: false,
        }
    }

    /// The kind recognised from the header row (once it has been read).
    pub fn kind(&self) -> Option<CsvKind> {
        self.table.kind
    }

    /// Feeds the next bytes; `out` is called for each data record completed by them.
    pub fn push(&mut self, mut chunk: &[u8], out: &mut dyn FnMut(CsvRecord)) {
        if !self.started {
            let take = (3 - self.head.len()).min(chunk.len());
            self.head.extend_from_slice(&chunk[..take]);
            chunk = &chunk[take..];
            if self.head.len() < 3 && b"\xEF\xBB\xBF".starts_with(&self.head) {
                return;
            }
            self.start(out);
        }
        let Self {
            splitter, table, ..
        } = self;
        splitter.push(chunk, &mut |line, raw| table.record(line, raw, out));
    }

    /// The input ended: the last record (without a final line break) is handled.
    pub fn finish(&mut self, out: &mut dyn FnMut(CsvRecord)) {
        if !self.started {
            self.start(out);
        }
        let Self {
            splitter, table, ..
        } = self;
        splitter.finish(&mut |line, raw| table.record(line, raw, out));
        if table.targets.is_none() && !table.failed && !table.reported {
            table.failed = true;
            out(CsvRecord {
                line: 1,
                result: Err("empty CSV file: no header row".into()),
            });
        }
    }

    fn start(&mut self, out: &mut dyn FnMut(CsvRecord)) {
        self.started = true;
        let head = std::mem::take(&mut self.head);
        let head = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&head);
        let Self {
            splitter, table, ..
        } = self;
        splitter.push(head, &mut |line, raw| table.record(line, raw, out));
    }
}

/// The header and what each column becomes.
#[derive(Default)]
struct Table {
    kind: Option<CsvKind>,
    targets: Option<Vec<map::Target>>,
    /// The header was not a CloudTrail export: the rest is ignored (reported once).
    failed: bool,
    /// Something was handed to `out`.
    reported: bool,
}

impl Table {
    fn record(
        &mut self,
        line: u64,
        fields: Result<Fields, String>,
        out: &mut dyn FnMut(CsvRecord),
    ) {
        if self.failed {
            return;
        }
        self.reported = true;
        let (fields, closed) = match fields {
            Ok(f) => f,
            Err(e) => {
                out(CsvRecord {
                    line,
                    result: Err(e),
                });
                return;
            }
        };
        let Some(targets) = &self.targets else {
            let Some(kind) = map::classify(&fields) else {
                self.failed = true;
                let shown: Vec<&str> = fields.iter().take(8).map(|f| f.trim()).collect();
                out(CsvRecord {
                    line,
                    result: Err(format!(
                        "not a CloudTrail CSV export: the header row ({}{}) has no event time column (`Event time` in an Event history download, `eventTime` in a CloudTrail Lake result)",
                        shown.join(", "),
                        if fields.len() > 8 { ", …" } else { "" }
                    )),
                });
                return;
            };
            self.kind = Some(kind);
            self.targets = Some(fields.iter().map(|h| map::target(kind, h)).collect());
            return;
        };
        let kind = self.kind.unwrap_or(CsvKind::LakeQueryResult);
        let result = if !closed {
            Err("unterminated quoted field (a `\"` is never closed); record skipped".to_string())
        } else if fields.len() != targets.len() {
            Err(format!(
                "record has {} fields but the header has {}; record skipped",
                fields.len(),
                targets.len()
            ))
        } else {
            map::event(kind, targets, &fields).map(String::into_bytes)
        };
        out(CsvRecord { line, result });
    }
}

/// The fields of one record (lossy UTF-8), and whether every quote in it was closed.
type Fields = (Vec<String>, bool);

/// Receives each record's fields (or why it was dropped) with its first line.
type Emit<'a> = dyn FnMut(u64, Result<Fields, String>) + 'a;

/// csv-core's RFC 4180 reader with output buffers that grow: bytes in, in pieces of any size,
/// and the unquoted fields of one record out. csv-core never fails (it prefers a parse to none);
/// what counts as damage (an open quote, a record too long) is decided by [`Splitter`].
struct Records {
    reader: csv_core::Reader,
    /// The current record's field bytes, and where each field ends in them.
    out: Vec<u8>,
    ends: Vec<usize>,
    nout: usize,
    nend: usize,
    /// Nothing read since the reader was made or reset. csv-core drops a UTF-8 BOM at the start
    /// of its first input of 3 bytes or more; [`CsvEvents`] drops the file's BOM itself (also
    /// when it is cut across chunks), and a BOM anywhere else is text, so a fresh reader is fed
    /// one byte first.
    fresh: bool,
}

impl Records {
    fn new() -> Self {
        Records {
            // Comma, `"` quoting with `""` for a quote, no escapes or comments, and only LF ends a
            // record: a CR is text, so that the CR of a CRLF is dropped only when it is not
            // quoted (as the hand-written reader before did), by `Splitter`.
            reader: csv_core::ReaderBuilder::new()
                .delimiter(b',')
                .quote(b'"')
                .double_quote(true)
                .escape(None)
                .comment(None)
                .terminator(csv_core::Terminator::Any(b'\n'))
                .build(),
            out: Vec::new(),
            ends: Vec::new(),
            nout: 0,
            nend: 0,
            fresh: true,
        }
    }

    /// Reads `input` up to the end of a record (its line break included). Returns whether a
    /// record ended, and the bytes read: all of `input` unless a record ended before its end.
    /// An empty `input` is the end of the data, which ends a record that has begun.
    fn read(&mut self, input: &[u8]) -> (bool, usize) {
        if self.fresh && input.len() > 1 {
            let (ended, n) = self.read(&input[..1]);
            if ended {
                return (ended, n);
            }
            let (ended, m) = self.read(&input[1..]);
            return (ended, n + m);
        }
        let mut input = input;
        let mut total = 0;
        loop {
            if self.nout == self.out.len() {
                self.out.resize((self.out.len() * 2).max(1024), 0);
            }
            if self.nend == self.ends.len() {
                self.ends.resize((self.ends.len() * 2).max(32), 0);
            }
            let (res, nin, nout, nend) = self.reader.read_record(
                input,
                &mut self.out[self.nout..],
                &mut self.ends[self.nend..],
            );
            if !input.is_empty() {
                self.fresh = false;
            }
            self.nout += nout;
            self.nend += nend;
            total += nin;
            input = &input[nin..];
            match res {
                csv_core::ReadRecordResult::Record => return (true, total),
                csv_core::ReadRecordResult::InputEmpty | csv_core::ReadRecordResult::End => {
                    return (false, total)
                }
                csv_core::ReadRecordResult::OutputFull
                | csv_core::ReadRecordResult::OutputEndsFull => {}
            }
        }
    }

    /// The fields of the record just read, without the last byte of the last one if `cut_last`.
    fn fields(&self, cut_last: bool) -> Vec<String> {
        let mut start = 0;
        let ends = &self.ends[..self.nend];
        ends.iter()
            .enumerate()
            .map(|(i, &end)| {
                let cut = usize::from(cut_last && i + 1 == ends.len());
                let field = String::from_utf8_lossy(&self.out[start..end - cut]).into_owned();
                start = end;
                field
            })
            .collect()
    }

    /// Ready for the next record.
    fn clear(&mut self) {
        self.nout = 0;
        self.nend = 0;
    }

    /// As new, after a record was cut off in its middle; a long record's buffer is let go.
    fn reset(&mut self) {
        self.reader.reset();
        self.out = Vec::new();
        self.clear();
        self.fresh = true;
    }
}

/// Cuts the byte stream into records with csv-core and applies the reading policy around it:
/// line numbers of the text, blank lines skipped, the CR of a CRLF dropped, [`MAX_RECORD`], and
/// recovery from a quote that is never closed.
struct Splitter {
    records: Records,
    /// The line being read (1-based) and the line the current record started on.
    line: u64,
    start_line: u64,
    /// Bytes of the current record read so far, as they are in the text (quotes and line breaks
    /// inside quotes count; 0 between records), and the last of them.
    len: usize,
    last: u8,
    /// The current record's text after its first line break (one inside quotes), kept to read
    /// those lines again if the quote is never closed; `None` while the record is on one line.
    tail: Option<Vec<u8>>,
    /// After an over-long record: dropping bytes up to the next line break.
    skipping: bool,
}

impl Splitter {
    fn new(line: u64) -> Self {
        Splitter {
            records: Records::new(),
            line,
            start_line: line,
            len: 0,
            last: 0,
            tail: None,
            skipping: false,
        }
    }

    fn push(&mut self, mut chunk: &[u8], emit: &mut Emit<'_>) {
        while !chunk.is_empty() {
            if self.skipping {
                let Some(i) = chunk.iter().position(|&c| c == b'\n') else {
                    return;
                };
                self.skipping = false;
                self.line += 1;
                chunk = &chunk[i + 1..];
                continue;
            }
            if self.len == 0 {
                // Between records, an empty line is none. csv-core skips it too; it is done here
                // so that a record's first line and its length are known.
                let blank = chunk.iter().take_while(|&&c| c == b'\n').count();
                self.line += blank as u64;
                chunk = &chunk[blank..];
                if chunk.is_empty() {
                    return;
                }
                self.start_line = self.line;
            }
            // No more than one byte past MAX_RECORD, so that a record is found too long at the
            // same byte whatever the chunks are.
            let input = &chunk[..chunk.len().min(MAX_RECORD + 1 - self.len)];
            let lines_before = self.records.reader.line();
            let (ended, n) = self.records.read(input);
            let breaks = self.records.reader.line() - lines_before;
            let read = &input[..n];
            chunk = &chunk[n..];
            self.line += breaks;
            if ended {
                // `read` ends with the record's line break, which is not part of the record.
                let last = if n >= 2 { read[n - 2] } else { self.last };
                self.end_record(self.len + n - 1, last, emit);
                continue;
            }
            self.len += n;
            self.last = read[n - 1];
            match &mut self.tail {
                Some(tail) => tail.extend_from_slice(read),
                None if breaks > 0 => {
                    if let Some(b) = read.iter().position(|&c| c == b'\n') {
                        self.tail = Some(read[b + 1..].to_vec());
                    }
                }
                None => {}
            }
            if self.len > MAX_RECORD {
                emit(
                    self.start_line,
                    Err(format!(
                        "record is longer than {} MiB; skipped up to the next line",
                        MAX_RECORD >> 20
                    )),
                );
                self.records.reset();
                self.len = 0;
                self.tail = None;
                self.skipping = true;
            }
        }
    }

    /// A record of `len` bytes ending in `last` was read: its fields are handed on, unless the
    /// line is blank (spaces, tabs, a lone CR).
    fn end_record(&mut self, len: usize, last: u8, emit: &mut Emit<'_>) {
        let r = &self.records;
        // One field with every byte of the record in it: nothing was quoted.
        let blank =
            r.nend == 1 && r.nout == len && r.out[..len].iter().all(u8::is_ascii_whitespace);
        if !blank {
            // An unquoted CR before the line break ends the record's last field.
            emit(self.start_line, Ok((r.fields(last == b'\r'), true)));
        }
        self.records.clear();
        self.len = 0;
        self.tail = None;
        self.start_line = self.line;
    }

    fn finish(&mut self, emit: &mut Emit<'_>) {
        if self.skipping || self.len == 0 {
            return;
        }
        // A line break ends the record, unless a quote is open: then it is read as text.
        let (ended, _) = self.records.read(b"\n");
        if ended {
            self.end_record(self.len, self.last, emit);
            return;
        }
        // A quote opened and never closed swallowed the rest of the file: report its line,
        // then read the lines after it again with quotes confined to one line (each line is
        // a record, read by itself).
        emit(
            self.start_line,
            Err(
                "unterminated quoted field (a `\"` opened here is never closed); record skipped"
                    .into(),
            ),
        );
        let tail = self.tail.take().unwrap_or_default();
        for (line, raw) in (self.start_line + 1..).zip(tail.split(|&c| c == b'\n')) {
            let raw = raw.strip_suffix(b"\r").unwrap_or(raw);
            if !raw.iter().all(u8::is_ascii_whitespace) {
                emit(line, Ok(split_fields(raw, false)));
            }
        }
        self.records.reset();
        self.len = 0;
    }
}

/// The fields of one raw record (lossy UTF-8), and whether every quote was closed. A line
/// break in `raw` is inside quotes (`raw` is one header line, or one line read again after an
/// open quote).
fn split_fields(raw: &[u8], trim_cr: bool) -> Fields {
    let raw = if trim_cr {
        raw.strip_suffix(b"\r").unwrap_or(raw)
    } else {
        raw
    };
    if raw.is_empty() {
        // csv-core reads no record from nothing; an empty line is one empty field here.
        return (vec![String::new()], true);
    }
    let mut r = Records::new();
    r.read(raw);
    // A line break ends the record unless a quote is still open; then it is text, which the
    // end of the data ends, and is cut off again.
    let (closed, _) = r.read(b"\n");
    if !closed {
        r.read(b"");
    }
    (r.fields(!closed), closed)
}

#[cfg(test)]
mod tests;
