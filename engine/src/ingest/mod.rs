//! Loading CloudTrail exports into a [`Store`]: gzip, shape detection by content, event
//! extraction, de-duplication by `eventID`, and a load report that names the file and position
//! of every problem. A bad event or file never stops the load: every good event around it loads.
//!
//! Shapes read: S3 delivery objects `{"Records":[…]}` (plain or gzip), JSON arrays of events,
//! single event objects, NDJSON (one event per line), `aws cloudtrail lookup-events` output
//! (`{"Events":[{"CloudTrailEvent": "…"}]}`). Digest files are recognised and skipped.

mod report;

use std::io::Read;
use std::sync::Arc;

use crate::storage::intern::Sym;
use crate::storage::tape::{self, Doc, Parser};
use crate::storage::Store;
use crate::time::parse_timestamp;
pub use report::{FileReport, LoadReport, Position, Problem, Shape};

/// Decompressed files larger than this are refused (gzip bombs).
pub const MAX_DECOMPRESSED: u64 = 4 << 30;

#[derive(Clone, Debug)]
pub struct LoadOptions {
    /// The value of `dt.system.bucket` for everything loaded.
    pub bucket: String,
}

impl Default for LoadOptions {
    fn default() -> Self {
        LoadOptions {
            bucket: "default_logs".into(),
        }
    }
}

/// JSON paths most investigations filter and group on. Their dictionary columns are built while
/// events are loaded (the event is still in cache), so the first query on them is as fast as the
/// next; every other path is built on first use.
pub const HOT_PATHS: &[&[&str]] = &[
    &["eventSource"],
    &["eventName"],
    &["awsRegion"],
    &["sourceIPAddress"],
    &["userAgent"],
    &["errorCode"],
    &["errorMessage"],
    &["eventType"],
    &["recipientAccountId"],
    &["userIdentity", "type"],
    &["userIdentity", "arn"],
    &["userIdentity", "accountId"],
];

/// Collects events from any number of files, then [`Loader::finish`]es into a [`Store`].
pub struct Loader {
    store: Store,
    opts: LoadOptions,
    report: LoadReport,
    keys: Keys,
}

struct Keys {
    event_time: Sym,
    at_timestamp: Sym,
    event_id: Sym,
    recipient: Sym,
    user_identity: Sym,
    account_id: Sym,
    region: Sym,
    cloudtrail_event: Sym,
}

impl Loader {
    pub fn new(opts: LoadOptions) -> Self {
        let mut store = Store::empty();
        for p in HOT_PATHS {
            let syms = p
                .iter()
                .map(|k| store.interner.intern(k).expect("fresh interner"))
                .collect();
            store.hot.push(crate::storage::HotColumn {
                path: p.iter().map(|k| k.to_string()).collect(),
                syms,
                codes: Vec::new(),
                frozen: None,
                dict: vec![crate::value::Value::Null],
                index: hashbrown::HashMap::new(),
            });
        }
        Self::resume(store, opts)
    }

    /// Goes on loading into a finished store (more files dropped later). The store must not be
    /// shared any more: drop query results first (`Arc::try_unwrap`).
    pub fn resume(mut store: Store, opts: LoadOptions) -> Self {
        let mut k = |s: &str| {
            store
                .interner
                .intern(s)
                .expect("interner has room for keys")
        };
        let keys = Keys {
            event_time: k("eventTime"),
            at_timestamp: k("@timestamp"),
            event_id: k("eventID"),
            recipient: k("recipientAccountId"),
            user_identity: k("userIdentity"),
            account_id: k("accountId"),
            region: k("awsRegion"),
            cloudtrail_event: k("CloudTrailEvent"),
        };
        for h in &mut store.hot {
            if let Some(f) = h.frozen.take() {
                h.codes = f.to_vec();
            }
        }
        store.clear_path_cache();
        Loader {
            store,
            opts,
            report: LoadReport::default(),
            keys,
        }
    }

    /// Events loaded so far (all loads into this store).
    pub fn events(&self) -> usize {
        self.store.len()
    }

    /// Loads one file's bytes (gzip or not); `source` becomes `log.source`.
    pub fn add_bytes(&mut self, source: &str, bytes: &[u8]) {
        let mut file = FileReport::new(source);
        let data;
        let text: &[u8] = if bytes.starts_with(&[0x1f, 0x8b]) {
            file.compressed = true;
            let mut out = Vec::new();
            let dec = flate2::read::MultiGzDecoder::new(bytes);
            match dec.take(MAX_DECOMPRESSED + 1).read_to_end(&mut out) {
                Ok(_) if out.len() as u64 > MAX_DECOMPRESSED => {
                    file.problem(None, format!("gzip expands beyond {} GiB; file refused", MAX_DECOMPRESSED >> 30));
                    file.shape = Shape::Unreadable;
                    self.report.push(file);
                    return;
                }
                Ok(_) => {}
                Err(e) => file.problem(None, format!("gzip data is damaged or truncated after {} decompressed bytes ({e}); reading what came before", out.len())),
            }
            data = out;
            &data
        } else {
            bytes
        };
        self.add_text(&mut file, text);
        self.report.push(file);
    }

    /// Loads a file or a folder (recursively, in name order). `log.source` is the path from the
    /// named folder on (`AWSLogs/123456789012/CloudTrail/…`), as a browser names dropped folders,
    /// so results do not depend on where the data sits.
    #[cfg(not(target_arch = "wasm32"))]
    pub fn add_path(&mut self, path: &std::path::Path) -> std::io::Result<()> {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .or_else(|| {
                std::fs::canonicalize(path)
                    .ok()
                    .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
            })
            .unwrap_or_else(|| path.to_string_lossy().into_owned());
        self.add_path_as(path, &name)
    }

    #[cfg(not(target_arch = "wasm32"))]
    fn add_path_as(&mut self, path: &std::path::Path, name: &str) -> std::io::Result<()> {
        let meta = std::fs::metadata(path)?;
        if meta.is_dir() {
            let mut entries: Vec<_> = std::fs::read_dir(path)?
                .filter_map(Result::ok)
                .map(|e| e.path())
                .collect();
            entries.sort();
            for e in entries {
                let Some(file_name) = e.file_name().map(|n| n.to_string_lossy().into_owned())
                else {
                    continue;
                };
                if file_name.starts_with('.') {
                    continue;
                }
                let child = format!("{name}/{file_name}");
                if let Err(err) = self.add_path_as(&e, &child) {
                    let mut f = FileReport::new(&child);
                    f.shape = Shape::Unreadable;
                    f.problem(None, format!("cannot read: {err}"));
                    self.report.push(f);
                }
            }
            Ok(())
        } else {
            let bytes = std::fs::read(path)?;
            self.add_bytes(name, &bytes);
            Ok(())
        }
    }

    fn add_text(&mut self, file: &mut FileReport, text: &[u8]) {
        let mut text = text;
        if text.starts_with(&[0xEF, 0xBB, 0xBF]) {
            text = &text[3..];
        }
        if text.starts_with(&[0xFF, 0xFE]) || text.starts_with(&[0xFE, 0xFF]) {
            file.shape = Shape::Unreadable;
            file.problem(
                Some(Position::at(text, 0)),
                "text is UTF-16; expected UTF-8 JSON (re-save the file as UTF-8)",
            );
            return;
        }
        let first = text.iter().position(|c| !c.is_ascii_whitespace());
        let Some(first) = first else {
            file.shape = Shape::Empty;
            file.notice("empty file");
            return;
        };
        if !matches!(text[first], b'{' | b'[') {
            file.shape = Shape::NotCloudTrail;
            file.problem(
                Some(Position::at(text, first)),
                format!(
                    "not a CloudTrail export: expected JSON (`{{` or `[`), found {}",
                    tape::show_byte(text[first])
                ),
            );
            return;
        }
        if self.looks_like_ndjson(text, first, &file.source) {
            file.shape = Shape::Ndjson;
            self.load_ndjson(file, text);
            return;
        }
        let source = self.store.sources.code(Some(&file.source));
        let bucket = self.store.buckets.code(Some(&self.opts.bucket));
        let top = self.store.tape.words.len();
        let mut parsed = self.parse_document(text, first, false);
        if parsed
            .result
            .as_ref()
            .is_err_and(|e| e.message.starts_with("control character"))
        {
            // CloudTrail's lookup-events output can hold raw newlines inside strings.
            self.store.tape.words.truncate(top);
            let lenient = self.parse_document(text, first, true);
            let further = match (&lenient.result, &parsed.result) {
                (Ok(()), _) => true,
                (Err(l), Err(s)) => l.offset > s.offset,
                _ => false,
            };
            if further {
                file.notice(
                    "raw control characters inside JSON strings (not valid JSON) were accepted",
                );
                parsed = lenient;
            } else {
                self.store.tape.words.truncate(top);
                parsed = self.parse_document(text, first, false);
            }
        }
        let Parsed {
            result,
            mut tracked,
            tracking_started,
        } = parsed;
        if let Err(e) = &result {
            let kept = if tracked.is_empty() {
                String::new()
            } else {
                format!("; the {} events before it were read", tracked.len())
            };
            file.problem(
                Some(Position::at(text, e.offset)),
                format!("malformed JSON: {}{kept}", e.message),
            );
            if tracking_started {
                let more = self.recover_array(file, text, e.offset);
                tracked.extend(more);
            }
        }
        let doc_ok = result.is_ok() || !tracked.is_empty();
        if !doc_ok {
            file.shape = Shape::Malformed;
            self.store.tape.words.truncate(top);
            return;
        }
        let d = Doc {
            tape: &self.store.tape,
            interner: &self.store.interner,
        };
        let root = top;
        let root_is_obj = tape::is_obj(self.store.tape.words[root]);
        let mut docs: Vec<(u32, Option<usize>)> = Vec::new();
        if text[first] == b'[' {
            file.shape = Shape::JsonArray;
            docs.extend(tracked.iter().enumerate().map(|(i, &p)| (p, Some(i))));
        } else if root_is_obj && result.is_ok() && d.member(root, self.sym("Records")).is_some() {
            file.shape = Shape::S3Records;
            docs.extend(tracked.iter().enumerate().map(|(i, &p)| (p, Some(i))));
        } else if result.is_err() {
            file.shape = Shape::S3Records;
            docs.extend(tracked.iter().enumerate().map(|(i, &p)| (p, Some(i))));
        } else if [
            "digestStartTime",
            "digestPublicKeyFingerprint",
            "digestSignatureAlgorithm",
        ]
        .iter()
        .any(|k| d.member(root, self.sym(k)).is_some())
        {
            file.shape = Shape::Digest;
            file.notice("CloudTrail digest file (log integrity data, no events): skipped");
            self.store.tape.words.truncate(top);
            return;
        } else if let Some(events) = d
            .member(root, self.sym("Events"))
            .filter(|&p| tape::tag(self.store.tape.words[p]) == tape::ARR)
        {
            file.shape = Shape::LookupEvents;
            tracked = collect_elements(&d, events);
            self.load_lookup_events(file, text, &tracked, source, bucket);
            return;
        } else {
            file.shape = Shape::SingleEvent;
            docs.push((root as u32, None));
        }
        for (pos, index) in docs {
            let label = index.map(Position::element);
            self.add_event(file, pos as usize, label, source, bucket);
        }
    }

    /// Parses the file's top-level value, recording where each event of its `Records` array
    /// (or top-level array) starts.
    fn parse_document(&mut self, text: &[u8], first: usize, lenient: bool) -> Parsed {
        let mut p = Parser::new(&mut self.store.tape, &mut self.store.interner, text);
        p.text_str = std::str::from_utf8(text).ok();
        p.pos = first;
        p.lenient_strings = lenient;
        p.track_key = Some(if text[first] == b'[' { "" } else { "Records" });
        let mut result = p.value();
        let tracked = std::mem::take(&mut p.tracked);
        let tracking_started = p.tracking_started;
        let end = p.pos;
        drop(p);
        if result.is_ok() {
            if let Some(r) = text[end..].iter().position(|c| !c.is_ascii_whitespace()) {
                result = Err(tape::JsonError {
                    offset: end + r,
                    message: "unexpected text after the end of the JSON value".into(),
                });
            }
        }
        Parsed {
            result,
            tracked,
            tracking_started,
        }
    }

    /// After a syntax error inside an array of events, resumes at the next object that parses
    /// and looks like an event, so one broken event (or a missing comma) loses nothing else.
    fn recover_array(&mut self, file: &mut FileReport, text: &[u8], error_at: usize) -> Vec<u32> {
        let mut found = Vec::new();
        let mut pos = error_at;
        let mut broken_from = Some(error_at);
        while pos < text.len() {
            let Some(k) = text[pos..].iter().position(|&c| c == b'{') else {
                break;
            };
            let start = pos + k;
            let mark = self.store.tape.words.len();
            let mut p = Parser::new(&mut self.store.tape, &mut self.store.interner, text);
            p.pos = start;
            let r = p.value();
            let end = p.pos;
            drop(p);
            let d = Doc {
                tape: &self.store.tape,
                interner: &self.store.interner,
            };
            let is_event = r.is_ok()
                && (d.member(mark, self.keys.event_time).is_some()
                    || d.member(mark, self.keys.at_timestamp).is_some());
            match r {
                Ok(()) if is_event => {
                    let only_whitespace_skipped = broken_from
                        .is_some_and(|b| text[b..start].iter().all(u8::is_ascii_whitespace));
                    if only_whitespace_skipped {
                        broken_from = None;
                    }
                    if let Some(b) = broken_from.take() {
                        let a = Position::at(text, b);
                        let z = Position::at(text, start);
                        file.notice(format!("resumed reading events at line {} after skipping the malformed text from line {}", z.line.unwrap_or(0), a.line.unwrap_or(0)));
                    }
                    found.push(mark as u32);
                    let mut q = end;
                    while q < text.len() && text[q].is_ascii_whitespace() {
                        q += 1;
                    }
                    match text.get(q) {
                        Some(b',') => pos = q + 1,
                        Some(b']') | None => break,
                        Some(b'{') => {
                            file.problem(Some(Position::at(text, q)), "malformed JSON: expected `,` between events, found `{`; read on as if the comma were there");
                            pos = q;
                        }
                        Some(_) => {
                            file.problem(
                                Some(Position::at(text, q)),
                                format!(
                                    "malformed JSON: expected `,` or `]` after an event, found {}",
                                    tape::show_byte(text[q])
                                ),
                            );
                            broken_from.get_or_insert(q);
                            pos = q;
                        }
                    }
                }
                Ok(()) => {
                    // A fragment of the broken event, not an event: drop it.
                    self.store.tape.words.truncate(mark);
                    pos = end.max(start + 1);
                }
                Err(e) => {
                    self.store.tape.words.truncate(mark);
                    broken_from.get_or_insert(start);
                    pos = e.offset.max(start + 1);
                }
            }
        }
        found
    }

    fn sym(&self, s: &str) -> Sym {
        self.store.interner.lookup(s).unwrap_or(Sym(u32::MAX))
    }

    fn looks_like_ndjson(&mut self, text: &[u8], first: usize, name: &str) -> bool {
        let line_end = text[first..]
            .iter()
            .position(|&c| c == b'\n')
            .map_or(text.len(), |i| first + i);
        let more = text[line_end..].iter().any(|c| !c.is_ascii_whitespace());
        if !more {
            return false;
        }
        let lower = name.to_ascii_lowercase();
        if [".ndjson", ".jsonl", ".ndjson.gz", ".jsonl.gz"]
            .iter()
            .any(|s| lower.ends_with(s))
        {
            return true;
        }
        let mark = self.store.tape.words.len();
        let nums = self.store.tape.nums.len();
        let mut p = Parser::new(
            &mut self.store.tape,
            &mut self.store.interner,
            &text[..line_end],
        );
        p.pos = first;
        let ok = p.value().is_ok() && text[p.pos..line_end].iter().all(u8::is_ascii_whitespace);
        drop(p);
        self.store.tape.words.truncate(mark);
        self.store.tape.nums.truncate(nums);
        ok
    }

    fn load_ndjson(&mut self, file: &mut FileReport, text: &[u8]) {
        let text_str = std::str::from_utf8(text).ok();
        let source = self.store.sources.code(Some(&file.source));
        let bucket = self.store.buckets.code(Some(&self.opts.bucket));
        let mut line_start = 0;
        let mut line_no = 0;
        while line_start < text.len() {
            line_no += 1;
            let line_end = text[line_start..]
                .iter()
                .position(|&c| c == b'\n')
                .map_or(text.len(), |i| line_start + i);
            let line = &text[..line_end];
            let first = line[line_start..]
                .iter()
                .position(|c| !c.is_ascii_whitespace());
            if let Some(f) = first {
                let mark = self.store.tape.words.len();
                let mut p = Parser::new(&mut self.store.tape, &mut self.store.interner, line);
                p.text_str = text_str.map(|t| &t[..line_end]);
                p.pos = line_start + f;
                let mut r = p.value();
                let end = p.pos;
                drop(p);
                if r.is_ok() && !line[end..].iter().all(u8::is_ascii_whitespace) {
                    r = Err(tape::JsonError {
                        offset: end,
                        message: "unexpected text after the JSON value on this line".into(),
                    });
                }
                match r {
                    Ok(()) => {
                        self.add_event(file, mark, Some(Position::line(line_no)), source, bucket)
                    }
                    Err(e) => {
                        self.store.tape.words.truncate(mark);
                        file.skip(
                            Position::at(text, e.offset),
                            format!("malformed JSON: {}", e.message),
                        );
                    }
                }
            }
            line_start = line_end + 1;
        }
    }

    fn load_lookup_events(
        &mut self,
        file: &mut FileReport,
        text: &[u8],
        elements: &[u32],
        source: u32,
        bucket: u32,
    ) {
        for (i, &el) in elements.iter().enumerate() {
            let d = Doc {
                tape: &self.store.tape,
                interner: &self.store.interner,
            };
            let Some(ct) = d.member(el as usize, self.keys.cloudtrail_event) else {
                // Some tools print the events inline.
                self.add_event(
                    file,
                    el as usize,
                    Some(Position::element(i)),
                    source,
                    bucket,
                );
                continue;
            };
            let w = self.store.tape.words[ct];
            if tape::is_obj(w) {
                self.add_event(file, ct, Some(Position::element(i)), source, bucket);
                continue;
            }
            let Some(json) = d.str_at(ct).map(|s| s.to_string()) else {
                file.skip(
                    Position::element(i),
                    "CloudTrailEvent is neither a JSON string nor an object",
                );
                continue;
            };
            let mark = self.store.tape.words.len();
            let mut p = Parser::new(
                &mut self.store.tape,
                &mut self.store.interner,
                json.as_bytes(),
            );
            p.lenient_strings = true;
            let r = p.value();
            drop(p);
            match r {
                Ok(()) => self.add_event(file, mark, Some(Position::element(i)), source, bucket),
                Err(e) => {
                    self.store.tape.words.truncate(mark);
                    file.skip(
                        Position::element(i),
                        format!(
                            "CloudTrailEvent string is not valid JSON at byte {}: {}",
                            e.offset, e.message
                        ),
                    );
                }
            }
        }
        let _ = text;
    }

    /// Adds the event object at tape position `pos` as a row, or skips it with a reason.
    fn add_event(
        &mut self,
        file: &mut FileReport,
        pos: usize,
        at: Option<Position>,
        source: u32,
        bucket: u32,
    ) {
        let d = Doc {
            tape: &self.store.tape,
            interner: &self.store.interner,
        };
        let at = at.unwrap_or_default();
        if !tape::is_obj(self.store.tape.words[pos]) {
            file.skip(at, "not a JSON object, so not a CloudTrail event");
            return;
        }
        let k = &self.keys;
        let time_text = d
            .member(pos, k.event_time)
            .or_else(|| d.member(pos, k.at_timestamp))
            .and_then(|p| d.str_at(p));
        let Some(time_text) = time_text else {
            file.skip(at, "no eventTime, so not a CloudTrail event");
            return;
        };
        let Some(ts) = parse_timestamp(time_text) else {
            file.skip(
                at,
                format!("eventTime {time_text:?} is not an RFC 3339 timestamp"),
            );
            return;
        };
        if let Some(id) = d
            .member(pos, k.event_id)
            .filter(|&p| tape::tag(self.store.tape.words[p]) == tape::STR)
        {
            let sym = Sym(tape::payload(self.store.tape.words[id]));
            if !self.store.seen_ids.insert(sym) {
                file.duplicates += 1;
                return;
            }
        }
        let str_sym = |p: usize| {
            let w = self.store.tape.words[p];
            (tape::tag(w) == tape::STR).then(|| Sym(tape::payload(w)))
        };
        let account = d
            .member(pos, k.recipient)
            .or_else(|| {
                d.member(pos, k.user_identity)
                    .and_then(|u| d.member(u, k.account_id))
            })
            .and_then(str_sym);
        let region = d
            .member(pos, k.region)
            .filter(|&p| tape::tag(self.store.tape.words[p]) == tape::STR);
        let region = region.map(|p| Sym(tape::payload(self.store.tape.words[p])));
        for key in d.keys(pos) {
            self.store.top_key_syms.insert(key);
        }
        for h in &mut self.store.hot {
            let mut p = Some(pos);
            for &k in &h.syms {
                p = p.and_then(|q| d.member(q, k));
            }
            let code = match p {
                None => 0,
                Some(p) => {
                    let w = self.store.tape.words[p];
                    match tape::tag(w) {
                        tape::OBJ | tape::ARR | tape::SHAPED => {
                            h.dict.push(d.value(p));
                            h.dict.len() as u32 - 1
                        }
                        _ if w == tape::NULL_WORD => 0,
                        _ => {
                            let key = crate::storage::scalar_key(&self.store.tape, w);
                            let dict = &mut h.dict;
                            *h.index.entry(key).or_insert_with(|| {
                                dict.push(d.scalar(w));
                                dict.len() as u32 - 1
                            })
                        }
                    }
                }
            };
            h.codes.push(code);
        }
        let s = &mut self.store;
        s.account.push(s.accounts.code_sym(account, &s.interner));
        s.region.push(s.regions.code_sym(region, &s.interner));
        s.doc.push(pos as u32);
        s.ts.push(ts);
        s.source.push(source);
        s.bucket.push(bucket);
        file.events += 1;
    }

    pub fn report(&self) -> &LoadReport {
        &self.report
    }

    /// Sorts rows newest first and hands out the store with the load report.
    pub fn finish(self) -> (Arc<Store>, LoadReport) {
        let Loader {
            mut store,
            mut report,
            ..
        } = self;
        let n = store.ts.len();
        // Newest first; equal times keep load order.
        let mut order: Vec<u32> = (0..n as u32).collect();
        let ts = &store.ts;
        order.sort_by(|&a, &b| ts[b as usize].cmp(&ts[a as usize]).then(a.cmp(&b)));
        store.by_time = order;
        let mut cached = Vec::new();
        for h in &mut store.hot {
            let frozen: Arc<[u32]> = std::mem::take(&mut h.codes).into();
            h.frozen = Some(frozen.clone());
            cached.push((
                h.path.clone(),
                crate::storage::PathColumn {
                    codes: frozen,
                    dict: h.dict.clone().into(),
                },
            ));
        }
        for (path, col) in cached {
            store.cache_path(path, col);
        }
        let mut keys: Vec<String> = store
            .top_key_syms
            .iter()
            .map(|&k| store.interner.get(k).to_string())
            .collect();
        keys.sort();
        store.top_keys = keys;
        store.tape.words.shrink_to_fit();
        store.tape.nums.shrink_to_fit();
        store.interner.shrink();
        report.time_span = store.time_span();
        report.store_bytes = store.heap_bytes();
        (Arc::new(store), report)
    }
}

fn collect_elements(d: &Doc, arr: usize) -> Vec<u32> {
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(p) = d.element(arr, i) {
        out.push(p as u32);
        i += 1;
    }
    out
}

struct Parsed {
    result: Result<(), tape::JsonError>,
    tracked: Vec<u32>,
    tracking_started: bool,
}

/// Loads one in-memory file: a shortcut for tests and the browser.
pub fn load_bytes(source: &str, bytes: &[u8], opts: LoadOptions) -> (Arc<Store>, LoadReport) {
    let mut l = Loader::new(opts);
    l.add_bytes(source, bytes);
    l.finish()
}
