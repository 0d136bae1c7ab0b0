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
mod tests {
    use super::*;

    fn read(text: &[u8], chunk: usize) -> Vec<(u64, Result<String, String>)> {
        let mut r = CsvEvents::new();
        let mut got = Vec::new();
        let mut out = |rec: CsvRecord| {
            got.push((
                rec.line,
                rec.result.map(|b| String::from_utf8(b).expect("utf-8")),
            ))
        };
        for c in text.chunks(chunk.max(1)) {
            r.push(c, &mut out);
        }
        r.finish(&mut out);
        got
    }

    fn read_all_chunkings(text: &[u8]) -> Vec<(u64, Result<String, String>)> {
        let whole = read(text, text.len());
        for size in [1, 2, 3, 7, 64, 4096] {
            assert_eq!(read(text, size), whole, "chunk size {size}");
        }
        whole
    }

    const CONSOLE_HEADER: &str = "Event ID,Event time,User name,Event name,Resource type,Resource name,AWS access key,Source IP address,AWS region,Error code,Read-only,Event source,Request ID,Event type,Resources\r\n";

    #[test]
    fn console_event_history() {
        let csv = format!(
            "\u{feff}{CONSOLE_HEADER}\
             e1,2024-01-02T03:04:05Z,alice,ConsoleLogin,,,,198.51.100.7,us-east-1,,false,signin.amazonaws.com,,AwsConsoleSignIn,\r\n\
             e2,\"2024-01-02, 03:04:06\",bob,PutObject,AWS::S3::Object,\"my-bucket/a,b.json\",AKIAEXAMPLE,10.0.0.1,eu-west-1,AccessDenied,false,s3.amazonaws.com,R1,AwsApiCall,\"[{{\"\"resourceType\"\":\"\"AWS::S3::Bucket\"\",\"\"resourceName\"\":\"\"my-bucket\"\"}}]\"\r\n\
             e3,2024-01-02 03:04:07 UTC,carol,\"Multi\nLine\",,,,,,,true,,,,not json\n\
             e4,soon,dave,X,,,,,,,,,,,\n"
        );
        let got = read_all_chunkings(csv.as_bytes());
        assert_eq!(got.len(), 4, "{got:?}");
        assert_eq!(
            got[0],
            (2, Ok(r#"{"eventID":"e1","eventTime":"2024-01-02T03:04:05Z","userIdentity":{"userName":"alice"},"eventName":"ConsoleLogin","sourceIPAddress":"198.51.100.7","awsRegion":"us-east-1","readOnly":false,"eventSource":"signin.amazonaws.com","eventType":"AwsConsoleSignIn"}"#.into()))
        );
        assert_eq!(got[1].0, 3);
        let e2 = got[1].1.as_ref().expect("e2");
        assert!(
            e2.contains(r#""userIdentity":{"userName":"bob","accessKeyId":"AKIAEXAMPLE"}"#),
            "{e2}"
        );
        assert!(
            e2.contains(r#""Resource name":"my-bucket/a,b.json""#),
            "{e2}"
        );
        assert!(
            e2.contains(
                r#""resources":[{"resourceType":"AWS::S3::Bucket","resourceName":"my-bucket"}]"#
            ),
            "{e2}"
        );
        assert!(e2.contains(r#""errorCode":"AccessDenied""#), "{e2}");
        assert_eq!(got[2].0, 4);
        let e3 = got[2].1.as_ref().expect("e3");
        assert!(
            e3.contains(r#""eventName":"Multi\nLine""#) && e3.contains(r#""resources":"not json""#),
            "{e3}"
        );
        assert_eq!(got[3].0, 6);
        assert_eq!(
            got[3].1,
            Err("event time \"soon\" is not a date and time this reader knows".into())
        );
    }

    #[test]
    fn full_event_column_wins() {
        let csv = "Event ID,Event time,CloudTrail event\n\
                   e1,2024-01-02T03:04:05Z,\"{\"\"eventID\"\":\"\"e1\"\",\"\"eventTime\"\":\"\"2024-01-02T03:04:05Z\"\",\"\"userIdentity\"\":{\"\"type\"\":\"\"Root\"\"}}\"\n\
                   e2,2024-01-02T03:04:05Z,{broken\n";
        let got = read_all_chunkings(csv.as_bytes());
        assert_eq!(got[0].1, Ok(r#"{"eventID":"e1","eventTime":"2024-01-02T03:04:05Z","userIdentity":{"type":"Root"}}"#.into()));
        assert_eq!(
            got[1].1,
            Ok(r#"{"eventID":"e2","eventTime":"2024-01-02T03:04:05Z"}"#.into())
        );
    }

    #[test]
    fn lake_query_result() {
        let csv = "eventid,eventtime,useridentity,eventsource,eventname,requestparameters,readonly,resources,recipientaccountid,tlsdetails,custom\n\
                   id-1,2023-05-04 12:34:56.000,\"{type=IAMUser, principalid=AIDAEXAMPLE, arn=arn:aws:iam::111122223333:user/alice, accountid=111122223333, invokedby=null, accesskeyid=AKIAEXAMPLE, username=alice, sessioncontext=null}\",s3.amazonaws.com,GetObject,\"{bucketName=logs, key=a b.json}\",true,\"[{accountid=111122223333, type=AWS::S3::Bucket, arn=arn:aws:s3:::logs}]\",111122223333,\"{tlsversion=TLSv1.3, ciphersuite=TLS_AES_128_GCM_SHA256, clientprovidedhostheader=logs.s3.amazonaws.com}\",null\n";
        let got = read_all_chunkings(csv.as_bytes());
        assert_eq!(
            got,
            vec![(2, Ok(r#"{"eventID":"id-1","eventTime":"2023-05-04T12:34:56Z","userIdentity":{"type":"IAMUser","principalId":"AIDAEXAMPLE","arn":"arn:aws:iam::111122223333:user/alice","accountId":"111122223333","accessKeyId":"AKIAEXAMPLE","userName":"alice"},"eventSource":"s3.amazonaws.com","eventName":"GetObject","requestParameters":{"bucketName":"logs","key":"a b.json"},"readOnly":true,"resources":[{"accountId":"111122223333","type":"AWS::S3::Bucket","ARN":"arn:aws:s3:::logs"}],"recipientAccountId":"111122223333","tlsDetails":{"tlsVersion":"TLSv1.3","cipherSuite":"TLS_AES_128_GCM_SHA256","clientProvidedHostHeader":"logs.s3.amazonaws.com"}}"#.into()))]
        );
    }

    #[test]
    fn header_detection() {
        assert_eq!(
            detect_csv(CONSOLE_HEADER.as_bytes()),
            Some(CsvKind::ConsoleEventHistory)
        );
        assert_eq!(
            detect_csv(b"\xEF\xBB\xBF\"Event time\",\"Event name\"\r\n"),
            Some(CsvKind::ConsoleEventHistory)
        );
        assert_eq!(
            detect_csv(b"eventTime,eventName,awsRegion\nrest"),
            Some(CsvKind::LakeQueryResult)
        );
        assert_eq!(detect_csv(b"eventname,cnt\n"), None);
        assert_eq!(detect_csv(b"{\"Records\":[]}"), None);
        let got = read(b"name,price\napple,1\npear,2\n", 3);
        assert_eq!(got.len(), 1);
        assert!(got[0]
            .1
            .as_ref()
            .unwrap_err()
            .starts_with("not a CloudTrail CSV export: the header row (name, price)"));
        assert_eq!(
            read(b"", 1),
            vec![(1, Err("empty CSV file: no header row".into()))]
        );
        assert_eq!(read(b"\xEF\xBB", 1).len(), 1);
        // Found by fuzzing: a header row with an unterminated quote is reported once, at its
        // line, and not again as an empty file (line numbers never go back).
        let got = read(b"\neventtime,\"{open", 4);
        assert_eq!(got.len(), 1, "{got:?}");
        assert_eq!(got[0].0, 2);
    }

    #[test]
    fn quoting_edge_cases() {
        let cases: &[(&[u8], &[&str], bool)] = &[
            (b"a,b,c", &["a", "b", "c"], true),
            (b"\"a,b\",\"c\"\"d\",", &["a,b", "c\"d", ""], true),
            (b"\"x\ny\",z", &["x\ny", "z"], true),
            (b"5\" disk,b", &["5\" disk", "b"], true),
            (b"\"ab\"c,d", &["abc", "d"], true),
            (b"\"open,x", &["open,x"], false),
            (b"", &[""], true),
        ];
        for (raw, want, closed) in cases {
            let (f, c) = split_fields(raw, false);
            assert_eq!(
                (f.iter().map(String::as_str).collect::<Vec<_>>(), c),
                (want.to_vec(), *closed),
                "{raw:?}"
            );
        }
    }

    #[test]
    fn bad_records_do_not_stop_the_rest() {
        let csv = "eventTime,eventName\n\
                   2024-01-01 00:00:00,A\n\
                   2024-01-01 00:00:01,B,extra\n\
                   \n\
                   2024-01-01 00:00:02,C\n\
                   2024-01-01 00:00:03,\"D\n\
                   2024-01-01 00:00:04,E\n\
                   2024-01-01 00:00:05,F";
        let got = read_all_chunkings(csv.as_bytes());
        let lines: Vec<(u64, bool)> = got.iter().map(|(l, r)| (*l, r.is_ok())).collect();
        assert_eq!(
            lines,
            vec![
                (2, true),
                (3, false),
                (5, true),
                (6, false),
                (7, true),
                (8, true)
            ],
            "{got:?}"
        );
        assert!(got[1]
            .1
            .as_ref()
            .unwrap_err()
            .contains("3 fields but the header has 2"));
        assert!(got[3]
            .1
            .as_ref()
            .unwrap_err()
            .contains("unterminated quoted field"));
    }

    #[test]
    fn over_long_record_is_skipped_to_the_next_line() {
        let mut csv = b"eventTime,eventName\n2024-01-01 00:00:00,\"".to_vec();
        csv.resize(csv.len() + MAX_RECORD + 10, b'x');
        csv.extend_from_slice(b"\n2024-01-01 00:00:01,after\n");
        let got = read(&csv, 1 << 20);
        assert_eq!(
            got.len(),
            2,
            "{:?}",
            got.iter().map(|g| g.0).collect::<Vec<_>>()
        );
        assert_eq!(got[0].0, 2);
        assert!(got[0]
            .1
            .as_ref()
            .unwrap_err()
            .contains("longer than 16 MiB"));
        assert_eq!(
            got[1],
            (
                3,
                Ok(r#"{"eventTime":"2024-01-01T00:00:01Z","eventName":"after"}"#.into())
            )
        );
    }

    /// The splitter's records: `(line, fields)` or `(line, why)`.
    type Split = Vec<(u64, Result<Fields, String>)>;

    /// What the splitter makes of `text`, the same whatever the chunks.
    fn split(text: &[u8]) -> Split {
        let run = |chunk: usize| {
            let mut s = Splitter::new(1);
            let mut got = Vec::new();
            let mut emit = |line, r| got.push((line, r));
            for c in text.chunks(chunk) {
                s.push(c, &mut emit);
            }
            s.finish(&mut emit);
            got
        };
        let whole = run(text.len().max(1));
        for size in 1..text.len() {
            assert_eq!(run(size), whole, "chunk size {size}");
        }
        whole
    }

    #[test]
    fn policy_around_csv_core() {
        let ok = |line: u64, fields: &[&str]| {
            (
                line,
                Ok((fields.iter().map(|f| f.to_string()).collect(), true)),
            )
        };
        let open = "unterminated quoted field (a `\"` opened here is never closed); record skipped";
        let cases: Vec<(&[u8], Split)> = vec![
            // csv-core would drop a BOM at the start of its input: here it is text (the file's
            // own BOM is dropped by `CsvEvents`), also at the start of a record.
            (b"\xEF\xBB\xBFa,b\n", vec![ok(1, &["\u{feff}a", "b"])]),
            (
                b"x\n\xEF\xBB\xBFa\n",
                vec![ok(1, &["x"]), ok(2, &["\u{feff}a"])],
            ),
            // Only LF ends a record; an unquoted CR before it is dropped, a quoted one is text.
            (
                b"a\r\n\"b\r\"\r\nc\rd\n",
                vec![ok(1, &["a"]), ok(2, &["b\r"]), ok(3, &["c\rd"])],
            ),
            // Blank lines (spaces, tabs, CR) are no records; a quoted blank is one.
            (
                b"\n \t\r\n\" \"\n\n,\n",
                vec![ok(3, &[" "]), ok(5, &["", ""])],
            ),
            // An open quote at the end: reported at its line, the lines after it read again.
            (
                b"a\n\"b\nc,d\r\n\ne\"f,\"g",
                vec![
                    ok(1, &["a"]),
                    (2, Err(open.to_string())),
                    ok(3, &["c", "d"]),
                    (5, Ok((vec!["e\"f".to_string(), "g".to_string()], false))),
                ],
            ),
            (b"\"a\nb", vec![(1, Err(open.to_string())), ok(2, &["b"])]),
            // No line break at the end.
            (b"a,\"b\"\"c\"", vec![ok(1, &["a", "b\"c"])]),
        ];
        for (text, want) in cases {
            assert_eq!(split(text), want, "{:?}", String::from_utf8_lossy(text));
        }
    }

    #[test]
    fn output_is_always_valid_json() {
        let mut seed = 7u64;
        let alphabet = b"ab,\"\n\r{}[]=\\ \x01\xc3\xa9:";
        for _ in 0..400 {
            let mut text = b"eventTime,eventName,useridentity,x\n2024-01-01 00:00:00,".to_vec();
            for _ in 0..60 {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                text.push(alphabet[(seed % alphabet.len() as u64) as usize]);
            }
            for (_, r) in read(&text, 5) {
                if let Ok(json) = r {
                    assert_eq!(map::json_len(json.as_bytes()), Some(json.len()), "{json}");
                }
            }
        }
    }
}
