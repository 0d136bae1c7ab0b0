//! One event becomes a row: its time checked, duplicates by eventID dropped (and other content
//! under a repeated ID reported as a conflict, both kept), a repeated key reported, the
//! account, region and hot JSON paths recorded; and `lookup-events` entries unwrapped.

use super::{FileReport, Loader, Position};
use crate::storage::intern::Sym;
use crate::storage::tape::{self, Doc};
use crate::storage::Store;
use crate::time::parse_timestamp;

impl Loader {
    /// One entry of `aws cloudtrail lookup-events` output: the event is the JSON string in
    /// `CloudTrailEvent` (some tools print it as an object, or print the event itself).
    pub(super) fn lookup_event(
        &mut self,
        file: &mut FileReport,
        el: usize,
        at: Position,
        source: u32,
        bucket: u32,
    ) {
        let d = Doc {
            tape: &self.store.tape,
            interner: &self.store.interner,
        };
        if !tape::is_obj(self.store.tape.words[el]) {
            file.skip(at, "not a JSON object, so not a lookup-events entry");
            return;
        }
        let Some(ct) = d.member(el, self.keys.cloudtrail_event) else {
            self.add_event(file, el, Some(at), source, bucket);
            return;
        };
        if tape::is_obj(self.store.tape.words[ct]) {
            self.add_event(file, ct, Some(at), source, bucket);
            return;
        }
        let Some(json) = d.str_at(ct).map(|s| s.to_string()) else {
            file.skip(at, "CloudTrailEvent is neither a JSON string nor an object");
            return;
        };
        let (mark, r) = self.parse_at(json.as_bytes(), Some(&json), 0, true);
        match r {
            Ok(_) => self.add_event(file, mark.words, Some(at), source, bucket),
            Err(e) => {
                self.truncate(mark);
                file.skip(
                    at,
                    format!(
                        "CloudTrailEvent string is not valid JSON at byte {}: {}",
                        e.offset, e.message
                    ),
                );
            }
        }
    }

    /// Adds the event object at tape position `pos` as a row, or skips it with a reason.
    pub(super) fn add_event(
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
        // Where each top-level member's value starts, found in one pass: the lookups below
        // then cost a scan of the shape's key list, not a walk over the values before them.
        let keys = d.key_slice(pos);
        let mut offs = [0usize; 64];
        let fast = keys.len() <= offs.len();
        if fast {
            let mut p = pos + 2;
            for o in offs.iter_mut().take(keys.len()) {
                *o = p;
                p = d.skip(p);
            }
        }
        let top = |key: Sym| match fast {
            // A key given twice reads as its last value (see `Doc::member`).
            true => keys.iter().rposition(|&x| x == key).map(|j| offs[j]),
            false => d.member(pos, key),
        };
        let time_at = top(k.event_time).or_else(|| top(k.at_timestamp));
        let Some(time_text) = time_at.and_then(|p| d.str_at(p)) else {
            match time_at {
                None => file.skip(at, "no eventTime, so not a CloudTrail event"),
                Some(p) => {
                    let mut shown = String::new();
                    d.write_json(p, &mut shown);
                    let shown: String = shown.chars().take(60).collect();
                    file.skip(
                        at,
                        format!("eventTime is {shown}, not a text timestamp such as \"2026-11-20T11:40:00Z\""),
                    );
                }
            }
            return;
        };
        let Some(ts) = parse_timestamp(time_text) else {
            file.skip(at, crate::time::timestamp_problem("eventTime", time_text));
            return;
        };
        let words = &self.store.tape.words;
        let str_sym = |p: usize| {
            let w = words[p];
            (tape::tag(w) == tape::STR).then(|| Sym(tape::payload(w)))
        };
        let event_id = top(k.event_id).and_then(str_sym);
        if let Some(sym) = event_id {
            if !self.store.seen_ids.insert(sym) {
                // Seen before: the same event again is a duplicate; other content under the
                // same ID is a conflict, and both are kept.
                match earlier_with_id(&mut self.id_rows, &self.store, k.event_id, sym) {
                    Some(row) if !d.same_value(self.store.doc[row] as usize, pos) => {
                        conflict(&self.store, file, &at, sym, row);
                    }
                    _ => {
                        file.duplicates += 1;
                        return;
                    }
                }
            }
        }
        if let Some(key) = self.store.tape.dup_key {
            let key = self.store.interner.get(key).to_string();
            file.problem(
                Some(at.clone()),
                format!("the key {key:?} appears twice in an object of this event: its last value is used, as jq, Python and browsers read it (one key with two values is what an edited event can look like)"),
            );
        }
        let account = top(k.recipient)
            .or_else(|| top(k.user_identity).and_then(|u| d.member(u, k.account_id)))
            .and_then(str_sym);
        let region = top(k.region).and_then(str_sym);
        for &key in keys {
            self.store.top_key_syms.insert(key);
        }
        for h in &mut self.store.hot {
            let mut p = top(h.syms[0]);
            for &k in &h.syms[1..] {
                p = p.and_then(|q| d.member(q, k));
            }
            let code = match p {
                None => 0,
                Some(p) => {
                    let w = words[p];
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
        if let (Some(ids), Some(sym)) = (&mut self.id_rows, event_id) {
            ids.entry(sym).or_insert(s.doc.len() as u32 - 1);
        }
        file.events += 1;
    }
}

/// The first row loaded with eventID `id`. The index is built on the first repeated ID (loads
/// without repeats never pay for it) and kept up to date by `add_event` from then on.
fn earlier_with_id(
    index: &mut Option<hashbrown::HashMap<Sym, u32>>,
    store: &Store,
    event_id: Sym,
    id: Sym,
) -> Option<usize> {
    let ids = index.get_or_insert_with(|| {
        let d = Doc {
            tape: &store.tape,
            interner: &store.interner,
        };
        let mut ids = hashbrown::HashMap::new();
        for (row, &pos) in store.doc.iter().enumerate() {
            let sym = d.member(pos as usize, event_id).and_then(|p| {
                let w = store.tape.words[p];
                (tape::tag(w) == tape::STR).then(|| Sym(tape::payload(w)))
            });
            if let Some(sym) = sym {
                ids.entry(sym).or_insert(row as u32);
            }
        }
        ids
    });
    ids.get(&id).map(|&r| r as usize)
}

/// Reports an event whose eventID an earlier event with other content has (both are kept).
fn conflict(store: &Store, file: &mut FileReport, at: &Position, id: Sym, row: usize) {
    let id = store.interner.get(id);
    let source = store
        .sources
        .values
        .get(store.source[row] as usize)
        .and_then(|v| v.as_str())
        .unwrap_or("an earlier file");
    let time = crate::time::format_timestamp(store.ts[row]);
    file.conflicts += 1;
    file.problem(
        Some(at.clone()),
        format!("eventID {id:?} was already loaded with different content (from {source}, eventTime {time}): both events are kept. One ID with two contents is what tampering or a damaged export looks like; compare them with: fetch logs | parse content, \"JSON:event\" | filter event[eventID] == {}", crate::syntax::quote::string(id)),
    );
}
