//! CloudTrail CSV exports, read push-style: the CloudTrail console's "Event history" download
//! (`Event ID, Event time, User name, …`) and CloudTrail Lake query results (`eventtime,
//! useridentity, …`, saved to S3 as `.csv.gz`). Records follow RFC 4180: quoted fields with
//! commas, `""` and line breaks inside, CRLF or LF, a UTF-8 BOM. Each data record becomes the
//! JSON text of one event (the columns mapped by header name, see `map.rs`), or an error naming
//! its line. Memory is bounded: one record of at most [`MAX_RECORD`] bytes is held at a time.

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
    fn record(&mut self, line: u64, raw: Result<&[u8], String>, out: &mut dyn FnMut(CsvRecord)) {
        if self.failed {
            return;
        }
        self.reported = true;
        let raw = match raw {
            Ok(raw) => raw,
            Err(e) => {
                out(CsvRecord {
                    line,
                    result: Err(e),
                });
                return;
            }
        };
        let (fields, closed) = split_fields(raw, false);
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

/// Receives each raw record (or why it was dropped) with its first line.
type Emit<'a> = dyn FnMut(u64, Result<&[u8], String>) + 'a;

/// Where the splitter is inside a record.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Q {
    FieldStart,
    Unquoted,
    Quoted,
    /// A `"` inside a quoted field: the end of the field, or the first half of `""`.
    QuoteInQuoted,
}

/// Cuts the byte stream into raw records (line breaks inside quotes kept), tracking lines.
struct Splitter {
    raw: Vec<u8>,
    q: Q,
    /// The line being read (1-based) and the line the current record started on.
    line: u64,
    start_line: u64,
    /// After an over-long record: dropping bytes up to the next line break.
    skipping: bool,
    /// Quotes may not span lines (used to read on after an unterminated quote).
    strict: bool,
}

impl Splitter {
    fn new(line: u64) -> Self {
        Splitter {
            raw: Vec::new(),
            q: Q::FieldStart,
            line,
            start_line: line,
            skipping: false,
            strict: false,
        }
    }

    fn push(&mut self, chunk: &[u8], emit: &mut Emit<'_>) {
        let mut from = 0;
        for (i, &c) in chunk.iter().enumerate() {
            if self.skipping {
                if c == b'\n' {
                    self.skipping = false;
                    self.line += 1;
                    self.start_line = self.line;
                    from = i + 1;
                }
                continue;
            }
            match (c, self.q) {
                (b'\n', Q::Quoted) if !self.strict => self.line += 1,
                (b'\n', _) => {
                    self.raw.extend_from_slice(&chunk[from..i]);
                    from = i + 1;
                    self.line += 1;
                    self.end_record(emit);
                    continue;
                }
                (b'"', Q::FieldStart) => self.q = Q::Quoted,
                (b'"', Q::Quoted) => self.q = Q::QuoteInQuoted,
                (b'"', Q::QuoteInQuoted) => self.q = Q::Quoted,
                (b',', Q::Unquoted | Q::QuoteInQuoted | Q::FieldStart) => self.q = Q::FieldStart,
                (_, Q::FieldStart | Q::QuoteInQuoted) => self.q = Q::Unquoted,
                _ => {}
            }
            if self.raw.len() + (i + 1 - from) > MAX_RECORD {
                emit(
                    self.start_line,
                    Err(format!(
                        "record is longer than {} MiB; skipped up to the next line",
                        MAX_RECORD >> 20
                    )),
                );
                self.raw = Vec::new();
                self.q = Q::FieldStart;
                self.skipping = true;
            }
        }
        if !self.skipping {
            self.raw.extend_from_slice(&chunk[from..]);
        }
    }

    fn end_record(&mut self, emit: &mut Emit<'_>) {
        let mut raw = std::mem::take(&mut self.raw);
        if raw.last() == Some(&b'\r') {
            raw.pop();
        }
        if !raw.iter().all(|c| c.is_ascii_whitespace()) {
            emit(self.start_line, Ok(&raw));
        }
        raw.clear();
        self.raw = raw;
        self.q = Q::FieldStart;
        self.start_line = self.line;
    }

    fn finish(&mut self, emit: &mut Emit<'_>) {
        if self.skipping || self.raw.is_empty() {
            return;
        }
        if self.q != Q::Quoted || self.strict {
            self.end_record(emit);
            return;
        }
        // A quote opened and never closed swallowed the rest of the file: report its line,
        // then read the lines after it again with quotes confined to one line.
        let raw = std::mem::take(&mut self.raw);
        let first_break = raw.iter().position(|&c| c == b'\n');
        emit(
            self.start_line,
            Err(
                "unterminated quoted field (a `\"` opened here is never closed); record skipped"
                    .into(),
            ),
        );
        if let Some(b) = first_break {
            let mut again = Splitter::new(self.start_line + 1);
            again.strict = true;
            again.push(&raw[b + 1..], emit);
            again.finish(emit);
        }
    }
}

/// The fields of one raw record (lossy UTF-8), and whether every quote was closed.
fn split_fields(raw: &[u8], trim_cr: bool) -> (Vec<String>, bool) {
    let raw = if trim_cr {
        raw.strip_suffix(b"\r").unwrap_or(raw)
    } else {
        raw
    };
    let mut fields = Vec::new();
    let mut field: Vec<u8> = Vec::new();
    let mut q = Q::FieldStart;
    for &c in raw {
        match (c, q) {
            (b'"', Q::FieldStart) => q = Q::Quoted,
            (b'"', Q::Quoted) => q = Q::QuoteInQuoted,
            (b'"', Q::QuoteInQuoted) => {
                field.push(b'"');
                q = Q::Quoted;
            }
            (b',', Q::Unquoted | Q::QuoteInQuoted | Q::FieldStart) => {
                fields.push(String::from_utf8_lossy(&field).into_owned());
                field.clear();
                q = Q::FieldStart;
            }
            (_, Q::FieldStart | Q::QuoteInQuoted) => {
                field.push(c);
                q = Q::Unquoted;
            }
            _ => field.push(c),
        }
    }
    fields.push(String::from_utf8_lossy(&field).into_owned());
    (fields, q != Q::Quoted)
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
