//! Columnar storage of loaded events.
//!
//! Each event is one row. Row-level fields (`timestamp`, `aws.account.id`, `aws.region`,
//! `dt.system.bucket`, `log.source`) are plain columns: integers or small dictionaries. The event
//! itself lives on a shared JSON [`tape`] with all strings interned, and `content` (its JSON text)
//! is rebuilt from the tape when shown. A JSON path that a query touches (`event[userIdentity][arn]`)
//! becomes a dictionary-encoded [`PathColumn`] on first use and is cached: a `u32` code per row
//! and one entry per distinct value, so `==`, `in`, `startsWith` … run once per distinct value and
//! filters compare integers. Rows are kept newest first, the order `fetch logs` returns them in.

pub mod codes;
mod contains;
pub mod intern;
mod stats;
pub mod tape;

use std::collections::HashMap;

pub use contains::TextFilter;
pub use stats::{PathPart, PathStat};
use std::sync::{Arc, Mutex};

use crate::time::format_timestamp;
use crate::value::Value;
pub use codes::Codes;
use intern::{Interner, Sym};
use tape::{Doc, Tape};

/// A dictionary-encoded column over all rows: `dict[codes[row]]`; code 0 is always null. The
/// codes are as narrow as the dictionary allows (see [`Codes`]): these columns stay in memory.
#[derive(Clone, Debug)]
pub struct PathColumn {
    pub codes: Codes,
    pub dict: Arc<[Value]>,
}

/// Codes for some rows (by position in them) and their dictionary; code 0 is null.
#[derive(Clone, Debug)]
pub(crate) struct RowsColumn {
    pub codes: Arc<[u32]>,
    pub dict: Arc<[Value]>,
}

/// A JSON path's codes for some rows (see [`Store::path_codes`]).
pub(crate) enum PathCodes {
    /// The column over all rows: index it by row id.
    Whole(Arc<PathColumn>),
    /// Codes for just the rows asked for: index it by position.
    Rows(RowsColumn),
}

/// A JSON path's codes for the rows queries asked for so far. The dictionary only grows, so
/// codes handed out stay valid.
struct PartialPath {
    /// Row count of the store when this was started.
    rows: usize,
    codes: RowCodes,
    dict: Vec<Value>,
    /// `dict` as last handed out.
    shared: Arc<[Value]>,
    scalars: hashbrown::HashMap<ScalarKey, u32>,
}

/// Codes of the rows looked up so far: by row while few (a vector over all rows would cost a
/// page fault for about every row looked up), then code + 1 per row (0: not looked up).
enum RowCodes {
    Sparse(hashbrown::HashMap<u32, u32>),
    Dense(Vec<u32>),
}

impl PartialPath {
    /// Bytes held, about.
    fn heap_bytes(&self) -> usize {
        let codes = match &self.codes {
            RowCodes::Sparse(m) => m.capacity() * 9,
            RowCodes::Dense(v) => v.capacity() * 4,
        };
        codes + (self.dict.capacity() + self.shared.len()) * 32 + self.scalars.capacity() * 21
    }

    fn new(rows: usize) -> Self {
        PartialPath {
            rows,
            codes: RowCodes::Sparse(hashbrown::HashMap::new()),
            dict: vec![Value::Null],
            shared: Arc::from(vec![Value::Null]),
            scalars: hashbrown::HashMap::new(),
        }
    }

    /// Switches to a vector over all rows once the map holds more than 1/16 of them.
    fn densify(&mut self) {
        if let RowCodes::Sparse(m) = &self.codes {
            if m.len() * 16 > self.rows {
                let mut v = vec![0; self.rows];
                for (&r, &c) in m {
                    v[r as usize] = c + 1;
                }
                self.codes = RowCodes::Dense(v);
            }
        }
    }
}

/// What the data panel shows per loaded file.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SourceSummary {
    pub name: String,
    pub bucket: String,
    pub events: usize,
    pub span: Option<(i64, i64)>,
}

/// The stored fields of a log record, in their output order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BaseField {
    Timestamp,
    Content,
    Service,
    Account,
    Region,
    Bucket,
    Source,
}

impl BaseField {
    pub const ALL: [BaseField; 7] = [
        BaseField::Timestamp,
        BaseField::Content,
        BaseField::Service,
        BaseField::Account,
        BaseField::Region,
        BaseField::Bucket,
        BaseField::Source,
    ];
    pub fn name(self) -> &'static str {
        match self {
            BaseField::Timestamp => "timestamp",
            BaseField::Content => "content",
            BaseField::Service => "aws.service",
            BaseField::Account => "aws.account.id",
            BaseField::Region => "aws.region",
            BaseField::Bucket => "dt.system.bucket",
            BaseField::Source => "log.source",
        }
    }
}

/// Small dictionary columns (accounts, regions, buckets, sources): code 0 is null.
#[derive(Default)]
pub(crate) struct SmallDict {
    pub values: Vec<Value>,
    index: HashMap<String, u32>,
    by_sym: hashbrown::HashMap<Sym, u32>,
}

impl SmallDict {
    pub fn new() -> Self {
        SmallDict {
            values: vec![Value::Null],
            index: HashMap::new(),
            by_sym: hashbrown::HashMap::new(),
        }
    }
    /// The code of an interned string (no allocation once seen).
    pub fn code_sym(&mut self, sym: Option<Sym>, interner: &Interner) -> u32 {
        let Some(sym) = sym else { return 0 };
        if let Some(&c) = self.by_sym.get(&sym) {
            return c;
        }
        let c = self.code(Some(interner.get(sym)));
        self.by_sym.insert(sym, c);
        c
    }
    pub fn code(&mut self, s: Option<&str>) -> u32 {
        let Some(s) = s else { return 0 };
        if let Some(&c) = self.index.get(s) {
            return c;
        }
        let c = self.values.len() as u32;
        self.values.push(Value::str(s));
        self.index.insert(s.to_string(), c);
        c
    }
}

pub struct Store {
    pub(crate) interner: Interner,
    pub(crate) tape: Tape,
    /// Tape position of each row's event object.
    pub(crate) doc: Vec<u32>,
    pub(crate) ts: Vec<i64>,
    pub(crate) account: Vec<u32>,
    pub(crate) region: Vec<u32>,
    pub(crate) bucket: Vec<u32>,
    pub(crate) source: Vec<u32>,
    pub(crate) accounts: SmallDict,
    pub(crate) regions: SmallDict,
    pub(crate) buckets: SmallDict,
    pub(crate) sources: SmallDict,
    pub(crate) top_keys: Vec<String>,
    path_cache: Mutex<HashMap<Vec<String>, Arc<PathColumn>>>,
    /// JSON paths looked up for a few rows at a time (see [`Store::path_codes`]).
    partial_paths: Mutex<HashMap<Vec<String>, PartialPath>>,
    /// Row ids, newest first (equal times in load order). Rows themselves stay in load order,
    /// so more files can be added later without renumbering anything.
    /// Shared so that a `fetch` over all loaded data hands it out without copying.
    pub(crate) by_time: Arc<[u32]>,
    /// Columns of the hot JSON paths, grown while loading (see `ingest::HOT_PATHS`).
    pub(crate) hot: Vec<HotColumn>,
    /// `eventID`s loaded so far, to drop duplicates across loads.
    pub(crate) seen_ids: intern::SymSet,
    pub(crate) top_key_syms: intern::SymSet,
}

/// A hot path's column as it grows: codes per row and the distinct values. While the store is
/// queried the codes are frozen into an `Arc` shared with the path cache.
pub(crate) struct HotColumn {
    pub path: Vec<String>,
    pub syms: Vec<Sym>,
    pub codes: Vec<u32>,
    pub frozen: Option<Codes>,
    pub dict: Vec<Value>,
    pub index: hashbrown::HashMap<ScalarKey, u32>,
}

impl Store {
    pub(crate) fn empty() -> Store {
        Store {
            interner: Interner::default(),
            tape: Tape::default(),
            doc: Vec::new(),
            ts: Vec::new(),
            account: Vec::new(),
            region: Vec::new(),
            bucket: Vec::new(),
            source: Vec::new(),
            accounts: SmallDict::new(),
            regions: SmallDict::new(),
            buckets: SmallDict::new(),
            sources: SmallDict::new(),
            top_keys: Vec::new(),
            path_cache: Mutex::new(HashMap::new()),
            partial_paths: Mutex::new(HashMap::new()),
            by_time: Arc::from(Vec::new()),
            hot: Vec::new(),
            seen_ids: Default::default(),
            top_key_syms: Default::default(),
        }
    }

    pub fn len(&self) -> usize {
        self.doc.len()
    }

    pub fn is_empty(&self) -> bool {
        self.doc.is_empty()
    }

    pub(crate) fn doc(&self) -> Doc<'_> {
        Doc {
            tape: &self.tape,
            interner: &self.interner,
        }
    }

    /// Oldest and newest event time, if any.
    pub fn time_span(&self) -> Option<(i64, i64)> {
        let newest = *self.by_time.first()?;
        let oldest = *self.by_time.last()?;
        Some((self.ts[oldest as usize], self.ts[newest as usize]))
    }

    pub fn describe_span(&self) -> String {
        match self.time_span() {
            Some((a, b)) => format!("{} to {}", format_timestamp(a), format_timestamp(b)),
            None => "no events".into(),
        }
    }

    /// Row ids whose timestamp is in `[from, to)`, newest first: a binary search in `by_time`.
    pub fn rows_in(&self, from: i64, to: i64) -> &[u32] {
        let ts = &self.ts;
        let start = self.by_time.partition_point(|&r| ts[r as usize] >= to);
        let end = self.by_time.partition_point(|&r| ts[r as usize] >= from);
        &self.by_time[start..end.max(start)]
    }

    /// [`Store::rows_in`] as a shared vector: the store's own when the time frame covers every
    /// row (no copy), else a new one.
    pub fn rows_in_shared(&self, from: i64, to: i64) -> Arc<[u32]> {
        let range = self.rows_in(from, to);
        if range.len() == self.by_time.len() {
            self.by_time.clone()
        } else {
            range.into()
        }
    }

    /// Whether `rows` is the store's row order itself (as `fetch` hands out for all data):
    /// then it holds every row exactly once.
    pub(crate) fn is_all_rows(&self, rows: &Arc<[u32]>) -> bool {
        Arc::ptr_eq(rows, &self.by_time)
    }

    /// Sets the bucket of every event loaded from `source`; returns how many changed.
    pub fn set_bucket(&mut self, source: &str, bucket: &str) -> usize {
        let Some(src) = self
            .sources
            .values
            .iter()
            .position(|v| v.as_str() == Some(source))
        else {
            return 0;
        };
        let code = self.buckets.code(Some(bucket));
        let mut n = 0;
        for (b, &s) in self.bucket.iter_mut().zip(&self.source) {
            if s as usize == src {
                *b = code;
                n += 1;
            }
        }
        n
    }

    /// Per loaded file: its name, bucket, event count and time span (one pass over the rows).
    pub fn sources(&self) -> Vec<SourceSummary> {
        let mut out: Vec<SourceSummary> = self
            .sources
            .values
            .iter()
            .skip(1)
            .map(|v| SourceSummary {
                name: v.as_str().unwrap_or_default().to_string(),
                ..Default::default()
            })
            .collect();
        for row in 0..self.len() {
            let Some(s) = (self.source[row] as usize)
                .checked_sub(1)
                .and_then(|i| out.get_mut(i))
            else {
                continue;
            };
            let t = self.ts[row];
            s.events += 1;
            s.span = Some(s.span.map_or((t, t), |(a, b)| (a.min(t), b.max(t))));
            if s.bucket.is_empty() {
                s.bucket = self.buckets.values[self.bucket[row] as usize]
                    .as_str()
                    .unwrap_or_default()
                    .to_string();
            }
        }
        out
    }

    /// Forgets cached path columns (after rows were added).
    pub(crate) fn clear_path_cache(&self) {
        if let Ok(mut m) = self.path_cache.lock() {
            m.clear();
        }
        if let Ok(mut m) = self.partial_paths.lock() {
            m.clear();
        }
    }

    pub fn timestamp(&self, row: u32) -> i64 {
        self.ts[row as usize]
    }

    /// The file (or archive member) an event was loaded from: its `log.source`.
    pub fn source_name(&self, row: u32) -> Option<&str> {
        let code = *self.source.get(row as usize)?;
        self.sources.values.get(code as usize)?.as_str()
    }

    /// The event's JSON text, rebuilt from the tape.
    pub fn content(&self, row: u32) -> String {
        let mut s = String::with_capacity(1024);
        self.write_content(row, &mut s);
        s
    }

    /// Appends the event's `content` to `out` (so a caller can reuse one buffer).
    pub fn write_content(&self, row: u32, out: &mut String) {
        self.doc().write_json(self.doc[row as usize] as usize, out);
    }

    /// The event (or a value inside it, by path) as a value.
    pub fn event_value(&self, row: u32, path: &[String]) -> Value {
        match self.locate(row, &self.resolve_path(path)) {
            Some(p) => self.doc().value(p),
            None => Value::Null,
        }
    }

    /// Member names of the records at `path` in the events (`[]`: the events' own members), with
    /// how many of the events looked at have each: most frequent first. Looks at up to
    /// `sample` events spread evenly over the store (for completing `event[…][`).
    pub fn member_names(&self, path: &[String], sample: usize) -> Vec<(String, usize)> {
        let n = self.len();
        if n == 0 || sample == 0 {
            return Vec::new();
        }
        let step = n.div_ceil(sample).max(1);
        let mut counts: HashMap<String, usize> = HashMap::new();
        for row in (0..n).step_by(step) {
            if let Value::Record(r) = self.event_value(row as u32, path) {
                for (k, _) in &r.fields {
                    *counts.entry(k.to_string()).or_default() += 1;
                }
            }
        }
        let mut out: Vec<(String, usize)> = counts.into_iter().collect();
        out.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        out
    }

    /// For each row, whether its event has the value at `path` (a member that is JSON null
    /// has it; a missing one does not).
    pub fn has_path(&self, rows: &[u32], path: &[String]) -> Vec<bool> {
        let steps = self.resolve_path(path);
        rows.iter()
            .map(|&r| crate::exec::budget::tick() && self.locate(r, &steps).is_some())
            .collect()
    }

    /// The small-dictionary column of a base field: codes per row and the dictionary.
    pub(crate) fn base_codes(&self, f: BaseField) -> Option<(&[u32], &[Value])> {
        Some(match f {
            BaseField::Account => (&self.account, &self.accounts.values),
            BaseField::Region => (&self.region, &self.regions.values),
            BaseField::Bucket => (&self.bucket, &self.buckets.values),
            BaseField::Source => (&self.source, &self.sources.values),
            _ => return None,
        })
    }

    /// Path steps as symbols; a key no event has makes the whole path absent.
    fn resolve_path(&self, path: &[String]) -> Option<Vec<Step>> {
        path.iter()
            .map(|k| match k.strip_prefix('\u{0}') {
                Some(idx) => idx.parse().ok().map(Step::Index),
                None => self.interner.lookup(k).map(Step::Key),
            })
            .collect()
    }

    fn locate(&self, row: u32, steps: &Option<Vec<Step>>) -> Option<usize> {
        let steps = steps.as_ref()?;
        let d = self.doc();
        let mut p = self.doc[row as usize] as usize;
        for s in steps {
            p = match *s {
                Step::Key(k) => d.member(p, k)?,
                Step::Index(i) => d.element(p, i)?,
            };
        }
        Some(p)
    }

    /// The dictionary-encoded column of a JSON path, built on first use and cached.
    /// Array indexes in `path` are written as `"\0<index>"`.
    pub fn path_column(&self, path: &[String]) -> Arc<PathColumn> {
        if let Some(c) = self.cached_path(path) {
            return c;
        }
        let all = self.build_path_column(path, 0..self.len() as u32);
        let col = Arc::new(PathColumn {
            codes: Codes::pack(&all.codes),
            dict: all.dict,
        });
        if let Ok(mut m) = self.path_cache.lock() {
            m.insert(path.to_vec(), col.clone());
        }
        col
    }

    /// A path's column if it is cached (built while loading or by an earlier query).
    pub(crate) fn cached_path(&self, path: &[String]) -> Option<Arc<PathColumn>> {
        self.path_cache
            .lock()
            .ok()
            .and_then(|m| m.get(path).cloned())
    }

    /// A path's codes for the rows `rows`. From the whole column (cached, or built and cached)
    /// unless `rows` is a small part of the store and the column is not cached yet: then only
    /// those rows are looked up (a few thousand rows left by a filter should not pay for a
    /// million). Their codes are remembered, so the next query over the same rows looks up
    /// nothing; the dictionary handed out is at most about as long as `rows`.
    pub(crate) fn path_codes(&self, path: &[String], rows: &[u32]) -> PathCodes {
        if let Some(c) = self.cached_path(path) {
            return PathCodes::Whole(c);
        }
        if rows.len().saturating_mul(8) >= self.len() {
            if let Ok(mut m) = self.partial_paths.lock() {
                m.remove(path);
            }
            return PathCodes::Whole(self.path_column(path));
        }
        let Ok(mut m) = self.partial_paths.lock() else {
            return PathCodes::Rows(self.build_path_column(path, rows.iter().copied()));
        };
        let n = self.len();
        let p = m
            .entry(path.to_vec())
            .or_insert_with(|| PartialPath::new(n));
        if p.rows != n {
            *p = PartialPath::new(n);
        }
        let mut steps = None;
        let PartialPath {
            codes: memo,
            dict,
            scalars,
            ..
        } = p;
        let mut code = |r: u32| {
            let steps = steps.get_or_insert_with(|| self.resolve_path(path));
            self.path_code(r, steps, dict, scalars)
        };
        let codes: Vec<u32> = match memo {
            RowCodes::Sparse(m) => rows
                .iter()
                .map(|&r| *m.entry(r).or_insert_with(|| code(r)))
                .collect(),
            RowCodes::Dense(v) => rows
                .iter()
                .map(|&r| {
                    let c = &mut v[r as usize];
                    if *c == 0 {
                        *c = code(r) + 1;
                    }
                    *c - 1
                })
                .collect(),
        };
        p.densify();
        if p.shared.len() != p.dict.len() {
            p.shared = p.dict.clone().into();
        }
        let dict = p.shared.clone();
        drop(m);
        PathCodes::Rows(if dict.len() > rows.len() * 2 + 64 {
            // Only the entries these rows use, renumbered (null stays 0).
            let mut renum: hashbrown::HashMap<u32, u32> = hashbrown::HashMap::new();
            let mut local = vec![Value::Null];
            let codes = codes
                .iter()
                .map(|&c| match c {
                    0 => 0,
                    c => *renum.entry(c).or_insert_with(|| {
                        local.push(dict[c as usize].clone());
                        local.len() as u32 - 1
                    }),
                })
                .collect();
            RowsColumn {
                codes,
                dict: local.into(),
            }
        } else {
            RowsColumn {
                codes: codes.into(),
                dict,
            }
        })
    }

    /// Codes (one per row of `rows`, in order) and dictionary of a path; code 0 is null.
    fn build_path_column(
        &self,
        path: &[String],
        rows: impl ExactSizeIterator<Item = u32>,
    ) -> RowsColumn {
        let steps = self.resolve_path(path);
        let mut dict = vec![Value::Null];
        let mut scalars: hashbrown::HashMap<ScalarKey, u32> = hashbrown::HashMap::new();
        let mut codes = Vec::with_capacity(rows.len());
        for row in rows {
            codes.push(self.path_code(row, &steps, &mut dict, &mut scalars));
        }
        RowsColumn {
            codes: codes.into(),
            dict: dict.into(),
        }
    }

    /// The code of a row's value at `steps` in `dict` (0: null or absent), adding it if new.
    /// Scalars are shared through `scalars`; every object or array gets an entry of its own.
    fn path_code(
        &self,
        row: u32,
        steps: &Option<Vec<Step>>,
        dict: &mut Vec<Value>,
        scalars: &mut hashbrown::HashMap<ScalarKey, u32>,
    ) -> u32 {
        let Some(p) = self.locate(row, steps) else {
            return 0;
        };
        let d = self.doc();
        let w = self.tape.words[p];
        match tape::tag(w) {
            tape::OBJ | tape::ARR | tape::SHAPED => {
                dict.push(d.value(p));
                dict.len() as u32 - 1
            }
            _ if w == tape::NULL_WORD => 0,
            _ => *scalars.entry(self.scalar_key(w)).or_insert_with(|| {
                dict.push(d.scalar(w));
                dict.len() as u32 - 1
            }),
        }
    }

    /// Adds a column built while loading (see `ingest`'s hot paths).
    pub(crate) fn cache_path(&self, path: Vec<String>, col: PathColumn) {
        if let Ok(mut m) = self.path_cache.lock() {
            m.insert(path, Arc::new(col));
        }
    }

    pub(crate) fn scalar_key(&self, w: u32) -> ScalarKey {
        scalar_key(&self.tape, w)
    }

    /// Names of top-level event members seen in the data, for "did you mean" hints.
    pub fn event_keys(&self) -> &[String] {
        &self.top_keys
    }

    /// Approximate heap bytes held by the store (for load reports and benchmarks).
    pub fn heap_bytes(&self) -> usize {
        let cache: usize = self
            .path_cache
            .lock()
            .map(|m| {
                m.values()
                    .map(|c| c.codes.heap_bytes() + c.dict.len() * 32)
                    .sum()
            })
            .unwrap_or(0);
        let partial: usize = self
            .partial_paths
            .lock()
            .map(|m| m.values().map(PartialPath::heap_bytes).sum())
            .unwrap_or(0);
        partial
            + self.seen_ids.heap_bytes()
            + self.top_key_syms.heap_bytes()
            + self.interner.heap_bytes()
            + self.tape.heap_bytes()
            + self.doc.capacity() * 4
            + self.ts.capacity() * 8
            + (self.account.capacity()
                + self.region.capacity()
                + self.bucket.capacity()
                + self.source.capacity())
                * 4
            + cache
    }
}

#[derive(Clone, Copy)]
enum Step {
    Key(Sym),
    Index(usize),
}

#[derive(Hash, PartialEq, Eq, Clone, Copy)]
pub(crate) enum ScalarKey {
    Word(u32),
    Long(i64),
    Double(u64),
}

impl Store {
    /// Bytes per part of the store: (interned strings, tape, numbers, per-row columns).
    pub fn memory_breakdown(&self) -> [(&'static str, usize); 4] {
        [
            ("interned strings", self.interner.heap_bytes()),
            (
                "json tape",
                self.tape.words.capacity() * 4 + self.tape.shapes.len() * 64,
            ),
            ("numbers", self.tape.nums.capacity() * 16),
            (
                "row columns",
                self.doc.capacity() * 4
                    + self.ts.capacity() * 8
                    + (self.account.capacity()
                        + self.region.capacity()
                        + self.bucket.capacity()
                        + self.source.capacity())
                        * 4,
            ),
        ]
    }
    pub fn distinct_strings(&self) -> usize {
        self.interner.len()
    }
}

/// The grouping identity of a scalar tape word (numbers by value, strings by symbol).
pub(crate) fn scalar_key(tape: &Tape, w: u32) -> ScalarKey {
    match tape::tag(w) {
        tape::NUM => match tape.nums[tape::payload(w) as usize] {
            tape::Num::Long(v) => ScalarKey::Long(v),
            tape::Num::Double(v, _) => ScalarKey::Double(v.to_bits()),
        },
        tape::INT => ScalarKey::Long(((tape::payload(w) << 3) as i32 >> 3) as i64),
        _ => ScalarKey::Word(w),
    }
}

/// Ensures room for `more` elements in `v`, growing its capacity by a quarter (at least `more`,
/// at least 1 MiB worth) instead of doubling. For the store's two big vectors (the tape and the
/// interner's arena), which reach hundreds of megabytes: doubling leaves up to half of the
/// capacity unused plus a hole as large as the old vector, which wasm32's 4 GiB cannot afford.
pub(crate) fn grow_gently<T>(v: &mut Vec<T>, more: usize) {
    let spare = v.capacity() - v.len();
    if spare >= more {
        return;
    }
    let floor = (1usize << 20) / std::mem::size_of::<T>().max(1);
    let step = (v.len() / 4).max(more).max(floor);
    v.reserve_exact(step);
}
