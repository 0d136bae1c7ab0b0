//! Loading CloudTrail exports into a [`Store`]: gzip, shape detection by content, event
//! extraction, de-duplication by `eventID`, and a load report that names the file and position
//! of every problem. A bad event or file never stops the load: every good event around it loads.
//!
//! Shapes read: S3 delivery objects `{"Records":[…]}` (plain or gzip), JSON arrays of events,
//! single event objects, NDJSON (one event per line), `aws cloudtrail lookup-events` output
//! (`{"Events":[{"CloudTrailEvent": "…"}]}`). Digest files are recognised and skipped.

pub mod archive;
pub mod csv;
mod event;
#[cfg(not(target_arch = "wasm32"))]
mod files;
pub mod gzip;
pub mod report;
#[cfg(test)]
mod tests;
mod text;

use std::io::Read;
use std::sync::Arc;

use crate::storage::intern::Sym;
use crate::storage::Store;
use archive::{ArchiveKind, MemberSink, TarReader, ZipReader};
use gzip::Gunzip;
pub use report::{FileReport, LoadReport, Position, Problem, Shape};
use text::Text;

/// Files are read and fed to the loader in chunks of this size.
pub const CHUNK: usize = 1 << 20;
/// Bytes looked at before deciding what a stream is (gzip, an archive, text).
const SNIFF: usize = 512;
/// Containers (gzip, zip, tar) read inside one another: a file nested deeper is refused.
pub const MAX_LAYERS: u8 = 4;

/// The expansion budget of one dropped or named file, across all its layers (gzip in gzip,
/// archives in archives, their members): the bytes every layer produces, added up, may not pass
/// [`gzip::MAX_RATIO`] × the file's own bytes (+ [`gzip::RATIO_SLACK`]). Each layer's own
/// ratio cap alone would let three layers multiply to 250³.
#[derive(Debug, Default)]
struct Expansion {
    /// The file's own bytes, pushed so far.
    raw: u64,
    /// Bytes produced by its layers (decompressed, or unpacked from an archive member).
    out: u64,
    exceeded: bool,
}

impl Expansion {
    /// Counts `n` more bytes out of a layer; false (and a problem on `file`) once over budget.
    fn allow(&mut self, n: usize, file: &mut FileReport) -> bool {
        if self.exceeded {
            return false;
        }
        self.out += n as u64;
        let limit = gzip::MAX_RATIO
            .saturating_mul(self.raw)
            .saturating_add(gzip::RATIO_SLACK);
        if self.out > limit {
            self.exceeded = true;
            file.problem(
                None,
                format!(
                    "its layers (compression, archives) expand to more than {}× the {} bytes read (a decompression bomb?): the rest of the file is skipped after {} unpacked bytes; the events before were loaded",
                    gzip::MAX_RATIO,
                    self.raw,
                    self.out - n as u64
                ),
            );
            return false;
        }
        true
    }
}

/// One file being loaded (see [`Loader::begin_file`]).
pub struct FileLoad {
    report: FileReport,
    stage: Stage,
    bytes: u64,
    /// The budget of the file's layers; a member of an archive uses its top file's.
    expansion: Expansion,
}

impl FileLoad {
    /// Bytes pushed so far.
    pub fn bytes(&self) -> u64 {
        self.bytes
    }
    /// Bytes held for this file: the unfinished event (or top-level value), nothing more.
    pub fn buffered(&self) -> usize {
        fn held(s: &Stage) -> usize {
            match s {
                Stage::Sniff(b, _) => b.len(),
                Stage::Gzip(_, inner) => held(inner),
                Stage::Text(t) => t.buffered(),
                Stage::Archive(a) => a.member.as_ref().map_or(0, FileLoad::buffered),
                Stage::Skip => 0,
            }
        }
        held(&self.stage)
    }
    /// Events loaded from this file so far.
    pub fn events(&self) -> usize {
        self.report.events
    }
    /// True when the rest of the file would be ignored (not CloudTrail, damaged gzip), so the
    /// caller can stop reading it.
    pub fn done(&self) -> bool {
        fn done(s: &Stage) -> bool {
            match s {
                Stage::Sniff(..) => false,
                Stage::Gzip(g, inner) => g.failed() || done(inner),
                Stage::Text(t) => t.stopped(),
                Stage::Archive(_) => false,
                Stage::Skip => true,
            }
        }
        self.expansion.exceeded || done(&self.stage)
    }
}

/// The layers a file's bytes pass through.
enum Stage {
    /// The first bytes, until it is clear what follows; the number is the nesting depth.
    Sniff(Vec<u8>, u8),
    Gzip(Box<Gunzip>, Box<Stage>),
    Text(Box<Text>),
    Archive(Box<Archive>),
    /// The rest of the stream is ignored (nested too deeply); the report says why.
    Skip,
}

/// A zip or tar archive: each member is loaded as a file of its own, named
/// `<archive>/<member path>`, streamed like any other (a member may be gzip, or an archive).
struct Archive {
    reader: ArchiveReader,
    member: Option<FileLoad>,
    /// The member being read is skipped (folder metadata such as `__MACOSX/`).
    skipping: bool,
    depth: u8,
    /// Where the archive's own report goes: before its members'.
    report_at: usize,
}

enum ArchiveReader {
    Tar(TarReader),
    Zip(ZipReader),
}

/// Receives the members of an archive and loads each one.
struct Members<'a> {
    loader: &'a mut Loader,
    archive: &'a mut FileReport,
    member: &'a mut Option<FileLoad>,
    skipping: &'a mut bool,
    depth: u8,
    /// The budget of the top file the archive is in.
    expansion: &'a mut Expansion,
}

impl MemberSink for Members<'_> {
    fn begin(&mut self, name: &str, _size_hint: Option<u64>) {
        if let Some(f) = self.member.take() {
            self.loader.end_nested(f, self.expansion);
        }
        let last = name.rsplit('/').next().unwrap_or(name);
        *self.skipping = name.starts_with("__MACOSX/") || last.starts_with('.') || last.is_empty();
        if !*self.skipping {
            let source = format!("{}/{name}", self.archive.source);
            let mut f = self.loader.begin_file(&source);
            f.stage = Stage::Sniff(Vec::new(), self.depth + 1);
            *self.member = Some(f);
        }
    }
    fn data(&mut self, bytes: &[u8]) {
        if let Some(f) = self.member.as_mut().filter(|f| !f.done()) {
            if self.expansion.allow(bytes.len(), &mut f.report) {
                f.bytes += bytes.len() as u64;
                self.loader
                    .feed(&mut f.stage, &mut f.report, self.expansion, bytes);
            }
        }
    }
    fn end(&mut self, complete: bool) {
        // An incomplete member was reported by the reader (`problem`) before this.
        let _ = complete;
        if let Some(f) = self.member.take() {
            self.loader.end_nested(f, self.expansion);
        }
        *self.skipping = false;
    }
    fn problem(&mut self, message: String) {
        match self.member.as_mut() {
            Some(f) => f.report.problem(None, message),
            None => self.archive.problem(None, message),
        }
    }
}

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

/// About how many bytes of JSON a file of `size` bytes named `name` holds, for
/// [`Loader::reserve_for`]: compressed files count eight times their size, the ratio of gzip on
/// CloudTrail JSON.
pub fn json_estimate(name: &str, size: u64) -> u64 {
    let name = name.to_ascii_lowercase();
    let packed = [".gz", ".zip", ".tgz"].iter().any(|x| name.ends_with(x));
    size.saturating_mul(if packed { 8 } else { 1 })
}

/// Collects events from any number of files, then [`Loader::finish`]es into a [`Store`].
pub struct Loader {
    store: Store,
    opts: LoadOptions,
    report: LoadReport,
    keys: Keys,
    /// Buffers kept between files (reads, gzip output), so that small files cost no fresh
    /// megabyte each.
    read_buf: Vec<u8>,
    spare: Vec<Vec<u8>>,
    /// eventID → first row with it, built on the first repeated ID (see `earlier_with_id`).
    id_rows: Option<hashbrown::HashMap<Sym, u32>>,
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
                h.codes = f.widen().to_vec();
            }
        }
        store.clear_path_cache();
        Loader {
            store,
            opts,
            report: LoadReport::default(),
            keys,
            read_buf: Vec::new(),
            spare: Vec::new(),
            id_rows: None,
        }
    }

    /// Events loaded so far (all loads into this store).
    pub fn events(&self) -> usize {
        self.store.len()
    }

    /// Reserves room for about `json_bytes` of CloudTrail JSON still to come (what a browser
    /// tab knows before it reads the files), so the store's vectors are allocated once instead
    /// of doubling as they fill: in wasm32 every doubling leaves the old copy behind as a hole
    /// the 4 GiB address space cannot spare. The ratios are those of real CloudTrail (about
    /// 1.3 KB per event, 0.14 bytes of tape and 0.12 of new strings per byte); a wrong guess
    /// costs at most some unused capacity, and the vectors still grow gently past it.
    pub fn reserve_for(&mut self, json_bytes: u64) {
        // In u64: a wasm32 usize cannot hold a multi-gigabyte input's size.
        let bytes = json_bytes.min(8 << 30);
        let events = (bytes / 1250) as usize;
        let s = &mut self.store;
        s.tape.words.reserve_exact((bytes / 26) as usize);
        s.interner.reserve_bytes((bytes / 8) as usize);
        s.interner.reserve_strings(events * 4);
        for v in [
            &mut s.doc,
            &mut s.account,
            &mut s.region,
            &mut s.bucket,
            &mut s.source,
        ] {
            v.reserve_exact(events);
        }
        s.ts.reserve_exact(events);
        for h in &mut s.hot {
            h.codes.reserve_exact(events);
        }
    }

    /// Bytes the store holds while loading (capacities, including the hot columns being
    /// built and the set of event ids seen), to compare with the memory the process uses.
    pub fn heap_bytes(&self) -> usize {
        let s = &self.store;
        let hot: usize = s
            .hot
            .iter()
            .map(|h| {
                h.codes.capacity() * 4
                    + h.dict.capacity() * std::mem::size_of::<crate::value::Value>()
                    + h.index.capacity() * (std::mem::size_of::<crate::storage::ScalarKey>() + 5)
            })
            .sum();
        s.heap_bytes() + hot
    }

    /// Starts loading one file; `source` becomes `log.source`. Feed its bytes with
    /// [`Loader::push`] as they are read, then [`Loader::end_file`].
    pub fn begin_file(&mut self, source: &str) -> FileLoad {
        FileLoad {
            report: FileReport::new(source),
            stage: Stage::Sniff(Vec::new(), 0),
            bytes: 0,
            expansion: Expansion::default(),
        }
    }

    /// The next bytes of a file, in any chunking: events are parsed as soon as they are
    /// complete, so memory holds at most one unfinished event of the file.
    pub fn push(&mut self, f: &mut FileLoad, bytes: &[u8]) {
        f.bytes += bytes.len() as u64;
        f.expansion.raw += bytes.len() as u64;
        if !f.expansion.exceeded {
            self.feed(&mut f.stage, &mut f.report, &mut f.expansion, bytes);
        }
    }

    /// The file ended: what was left is read and its report joins the load report.
    pub fn end_file(&mut self, mut f: FileLoad) {
        let mut expansion = std::mem::take(&mut f.expansion);
        self.end_nested(f, &mut expansion);
    }

    /// Ends a file whose layers count against `expansion` (an archive member: its top file's).
    fn end_nested(&mut self, mut f: FileLoad, expansion: &mut Expansion) {
        if !expansion.exceeded {
            self.finish_stage(&mut f.stage, &mut f.report, expansion);
        }
        fn archive_slot(s: &Stage) -> Option<usize> {
            match s {
                Stage::Archive(a) => Some(a.report_at),
                Stage::Gzip(_, inner) => archive_slot(inner),
                _ => None,
            }
        }
        match archive_slot(&f.stage) {
            Some(at) => self.report.files.insert(at, f.report),
            None => self.report.push(f.report),
        }
        let mut stage = f.stage;
        while let Stage::Gzip(g, inner) = stage {
            self.spare.push(g.into_buffer());
            stage = *inner;
        }
    }

    /// Stops loading a file before its end (the user cancelled, or memory is short): what was
    /// read stays loaded, the unfinished event is dropped, and the report says where reading
    /// stopped instead of calling the file truncated.
    pub fn abandon_file(&mut self, mut f: FileLoad, why: &str) {
        fn members(stage: &mut Stage) -> Option<FileLoad> {
            match stage {
                Stage::Gzip(_, inner) => members(inner),
                Stage::Archive(a) => a.member.take(),
                _ => None,
            }
        }
        if let Some(m) = members(&mut f.stage) {
            self.abandon_file(m, why);
        }
        let at = f.bytes;
        f.report.notice(format!(
            "{why}: reading stopped after {at} bytes of this file; the events before were loaded"
        ));
        let slot = match &f.stage {
            Stage::Archive(a) => Some(a.report_at),
            Stage::Gzip(_, inner) => match &**inner {
                Stage::Archive(a) => Some(a.report_at),
                _ => None,
            },
            _ => None,
        };
        match slot {
            Some(at) => self.report.files.insert(at, f.report),
            None => self.report.push(f.report),
        }
    }

    /// Loads one file held in memory (gzip or not); `source` becomes `log.source`.
    pub fn add_bytes(&mut self, source: &str, bytes: &[u8]) {
        let mut f = self.begin_file(source);
        for chunk in bytes.chunks(CHUNK) {
            self.push(&mut f, chunk);
            if f.done() {
                break;
            }
        }
        self.end_file(f);
    }

    /// Loads a file from a reader, a chunk at a time (never the whole file in memory). A read
    /// error ends the file with a problem; what was read before it stays loaded.
    pub fn add_reader(&mut self, source: &str, mut r: impl Read) {
        let mut f = self.begin_file(source);
        let mut buf = std::mem::take(&mut self.read_buf);
        buf.resize(CHUNK, 0);
        loop {
            match r.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => self.push(&mut f, &buf[..n]),
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    let at = f.bytes;
                    f.report
                        .problem(None, format!("read error after {at} bytes: {e}"));
                    break;
                }
            }
            if f.done() {
                break;
            }
        }
        self.read_buf = buf;
        self.end_file(f);
    }

    fn feed(
        &mut self,
        stage: &mut Stage,
        file: &mut FileReport,
        exp: &mut Expansion,
        bytes: &[u8],
    ) {
        match stage {
            Stage::Sniff(buf, depth) => {
                buf.extend_from_slice(bytes);
                if buf.len() < SNIFF {
                    return;
                }
                let data = std::mem::take(buf);
                *stage = self.choose(&data, file, *depth);
                self.feed(stage, file, exp, &data);
            }
            Stage::Gzip(g, inner) => {
                let r = g.push(bytes, &mut |out| {
                    exp.allow(out.len(), file) && {
                        self.feed(inner, file, exp, out);
                        true
                    }
                });
                if let Err(e) = r {
                    file.problem(None, e);
                }
            }
            Stage::Text(t) => self.text_push(t, file, bytes),
            Stage::Archive(a) => self.archive_step(a, file, exp, Some(bytes)),
            Stage::Skip => {}
        }
    }

    fn finish_stage(&mut self, stage: &mut Stage, file: &mut FileReport, exp: &mut Expansion) {
        match stage {
            Stage::Sniff(buf, depth) => {
                let data = std::mem::take(buf);
                *stage = self.choose(&data, file, *depth);
                self.feed(stage, file, exp, &data);
                if !exp.exceeded {
                    self.finish_stage(stage, file, exp);
                }
            }
            Stage::Gzip(g, inner) => {
                if let Err(e) = g.finish() {
                    file.problem(None, e);
                }
                self.finish_stage(inner, file, exp);
            }
            Stage::Text(t) => self.text_finish(t, file),
            Stage::Archive(a) => {
                self.archive_step(a, file, exp, None);
                if let Some(f) = a.member.take() {
                    self.end_nested(f, exp);
                }
            }
            Stage::Skip => {}
        }
    }

    /// Feeds an archive reader its next bytes (`None`: the end), its members going to files.
    fn archive_step(
        &mut self,
        a: &mut Archive,
        file: &mut FileReport,
        expansion: &mut Expansion,
        bytes: Option<&[u8]>,
    ) {
        let Archive {
            reader,
            member,
            skipping,
            depth,
            ..
        } = a;
        let mut sink = Members {
            loader: self,
            archive: file,
            member,
            skipping,
            depth: *depth,
            expansion,
        };
        match (reader, bytes) {
            (ArchiveReader::Tar(r), Some(b)) => r.push(b, &mut sink),
            (ArchiveReader::Zip(r), Some(b)) => r.push(b, &mut sink),
            (ArchiveReader::Tar(r), None) => r.finish(&mut sink),
            (ArchiveReader::Zip(r), None) => r.finish(&mut sink),
        }
    }

    /// What the first bytes of a (possibly decompressed) stream are.
    fn choose(&mut self, first: &[u8], file: &mut FileReport, depth: u8) -> Stage {
        let container = first.starts_with(&[0x1f, 0x8b]) || archive::detect(first).is_some();
        if container && depth >= MAX_LAYERS {
            file.shape = Shape::Unreadable;
            file.problem(
                None,
                format!("compressed or archived more than {MAX_LAYERS} times over (gzip in gzip, zip in zip, …): Trailscope reads at most {MAX_LAYERS} layers, so this part is skipped"),
            );
            return Stage::Skip;
        }
        if first.starts_with(&[0x1f, 0x8b]) {
            file.compressed = true;
            let out = self.spare.pop().unwrap_or_default();
            return Stage::Gzip(
                Box::new(Gunzip::with_buffer(out)),
                Box::new(Stage::Sniff(Vec::new(), depth + 1)),
            );
        }
        if let Some(kind) = archive::detect(first) {
            let limits = archive::Limits {
                max_ratio: gzip::MAX_RATIO,
                ..Default::default()
            };
            let (shape, reader) = match kind {
                ArchiveKind::Zip => (
                    Shape::Zip,
                    ArchiveReader::Zip(ZipReader::with_limits(limits)),
                ),
                ArchiveKind::Tar => (
                    Shape::Tar,
                    ArchiveReader::Tar(TarReader::with_limits(limits)),
                ),
            };
            file.shape = shape;
            return Stage::Archive(Box::new(Archive {
                reader,
                member: None,
                skipping: false,
                depth,
                report_at: self.report.files.len(),
            }));
        }
        let lower = file.source.to_ascii_lowercase();
        let named_ndjson = [".ndjson", ".jsonl", ".ndjson.gz", ".jsonl.gz"]
            .iter()
            .any(|s| lower.ends_with(s));
        let source = self.store.sources.code(Some(&file.source));
        let bucket = self.store.buckets.code(Some(&self.opts.bucket));
        Stage::Text(Box::new(Text::new(named_ndjson, source, bucket)))
    }

    fn sym(&self, s: &str) -> Sym {
        self.store.interner.lookup(s).unwrap_or(Sym(u32::MAX))
    }

    pub fn report(&self) -> &LoadReport {
        &self.report
    }

    /// Records a file or folder that could not be read at all, so the load report lists it
    /// beside what did load.
    pub fn unreadable(&mut self, source: &str, why: &str) {
        let mut f = FileReport::new(source);
        f.shape = Shape::Unreadable;
        f.problem(None, format!("cannot read: {why}"));
        self.report.push(f);
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
        store.by_time = order.into();
        let mut cached = Vec::new();
        for h in &mut store.hot {
            let frozen = crate::storage::Codes::pack(&std::mem::take(&mut h.codes));
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
            .map(|k| store.interner.get(k).to_string())
            .collect();
        keys.sort();
        store.top_keys = keys;
        store.tape.words.shrink_to_fit();
        store.tape.nums.shrink_to_fit();
        let member_names: Vec<Sym> = store.tape.shapes.iter().flatten().copied().collect();
        store.interner.seal(member_names);
        report.time_span = store.time_span();
        report.store_bytes = store.heap_bytes();
        (Arc::new(store), report)
    }
}

/// Loads one in-memory file: a shortcut for tests and the browser.
pub fn load_bytes(source: &str, bytes: &[u8], opts: LoadOptions) -> (Arc<Store>, LoadReport) {
    let mut l = Loader::new(opts);
    l.add_bytes(source, bytes);
    l.finish()
}
