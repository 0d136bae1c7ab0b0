//! Columns and batches: how the executor holds data between commands.
//!
//! A column is a constant, a vector of values, a dictionary (codes into distinct values), or a
//! *stored* column that still points into the [`Store`] by row id. Stored columns stay lazy: a
//! filter only gathers row ids, and an event's JSON is only rebuilt for rows that are shown.

use std::collections::HashMap;
use std::sync::Arc;

use crate::storage::{BaseField, PathCodes, Store};
use crate::value::{GroupKey, Value};

#[derive(Clone, Debug)]
pub enum Stored {
    Base(BaseField),
    /// A value inside the event; an empty path is the whole event record. Array indexes are
    /// written `"\0<i>"`.
    Event(Arc<[String]>),
}

/// Row codes and the dictionary they index.
pub type DictForm = (Arc<[u32]>, Arc<[Value]>);

#[derive(Clone, Debug)]
pub enum Column {
    Const(Value),
    Values(Arc<[Value]>),
    Dict {
        codes: Arc<[u32]>,
        dict: Arc<[Value]>,
    },
    Stored {
        rows: Arc<[u32]>,
        what: Stored,
    },
}

impl Column {
    pub fn get(&self, i: usize, store: Option<&Store>) -> Value {
        match self {
            Column::Const(v) => v.clone(),
            Column::Values(v) => v.get(i).cloned().unwrap_or(Value::Null),
            Column::Dict { codes, dict } => dict[codes[i] as usize].clone(),
            Column::Stored { rows, what } => {
                let Some(store) = store else {
                    return Value::Null;
                };
                let row = rows[i];
                match what {
                    Stored::Base(BaseField::Timestamp) => Value::Timestamp(store.timestamp(row)),
                    Stored::Base(BaseField::Content) => {
                        // Rebuilt text counts against the run's memory budget.
                        let text = store.content(row);
                        match super::budget::charge(text.len() + 16) {
                            true => Value::str(&text),
                            false => Value::Null,
                        }
                    }
                    Stored::Base(BaseField::Service) => Value::str("cloudtrail"),
                    Stored::Base(f) => match store.base_codes(*f) {
                        Some((codes, dict)) => dict[codes[row as usize] as usize].clone(),
                        None => Value::Null,
                    },
                    Stored::Event(path) => {
                        let v = store.event_value(row, path);
                        if matches!(v, Value::Record(_) | Value::Array(_))
                            && !super::budget::charge(super::budget::size_of(&v))
                        {
                            return Value::Null;
                        }
                        v
                    }
                }
            }
        }
    }

    /// Keeps the rows at `idx` (in that order). Row-id vectors shared by several stored columns
    /// are gathered once, through `memo`.
    pub fn take(&self, idx: &[u32], memo: &mut Vec<(usize, Arc<[u32]>)>) -> Column {
        let gather = |v: &Arc<[u32]>, memo: &mut Vec<(usize, Arc<[u32]>)>| -> Arc<[u32]> {
            let key = Arc::as_ptr(v) as *const u32 as usize;
            if let Some((_, g)) = memo.iter().find(|(k, _)| *k == key) {
                return g.clone();
            }
            let g: Arc<[u32]> = idx.iter().map(|&i| v[i as usize]).collect();
            memo.push((key, g.clone()));
            g
        };
        match self {
            Column::Const(v) => Column::Const(v.clone()),
            Column::Values(v) => {
                Column::Values(idx.iter().map(|&i| v[i as usize].clone()).collect())
            }
            Column::Dict { codes, dict } => Column::Dict {
                codes: gather(codes, memo),
                dict: dict.clone(),
            },
            Column::Stored { rows, what } => Column::Stored {
                rows: gather(rows, memo),
                what: what.clone(),
            },
        }
    }

    /// The column as codes into a dictionary, when that is cheap: dictionaries, small stored
    /// columns and JSON paths (built once per path and cached in the store, or for a batch that
    /// is a small part of the store, looked up for its rows only).
    pub fn dict_form(&self, store: Option<&Store>) -> Option<DictForm> {
        match self {
            Column::Dict { codes, dict } => Some((codes.clone(), dict.clone())),
            Column::Stored { rows, what } => {
                let store = store?;
                match what {
                    Stored::Base(BaseField::Timestamp | BaseField::Content) => None,
                    Stored::Base(BaseField::Service) => Some((
                        vec![0; rows.len()].into(),
                        Arc::from(vec![Value::str("cloudtrail")]),
                    )),
                    Stored::Base(f) => {
                        let (codes, dict) = store.base_codes(*f)?;
                        Some((
                            rows.iter().map(|&r| codes[r as usize]).collect(),
                            Arc::from(dict.to_vec()),
                        ))
                    }
                    Stored::Event(path) if path.is_empty() => None,
                    Stored::Event(path) => match store.path_codes(path, rows) {
                        PathCodes::Rows(col) => Some((col.codes, col.dict)),
                        PathCodes::Whole(col) => {
                            let codes = if rows.len() == col.codes.len()
                                && rows.iter().enumerate().all(|(i, &r)| r as usize == i)
                            {
                                col.codes.widen()
                            } else {
                                col.codes.gather(rows)
                            };
                            Some((codes, col.dict.clone()))
                        }
                    },
                }
            }
            _ => None,
        }
    }

    /// Every row's value.
    pub fn materialize(&self, len: usize, store: Option<&Store>) -> Arc<[Value]> {
        match self {
            Column::Values(v) => v.clone(),
            _ => {
                if let Some((codes, dict)) = self.dict_form(store) {
                    return codes.iter().map(|&c| dict[c as usize].clone()).collect();
                }
                (0..len)
                    .map(|i| match super::budget::tick() {
                        true => self.get(i, store),
                        false => Value::Null,
                    })
                    .collect()
            }
        }
    }
}

/// Canonical group ids per row: equal values (by grouping equality) get equal ids, numbered in
/// order of first appearance. Returns the ids and one representative value per id.
pub fn group_ids(col: &Column, len: usize, store: Option<&Store>) -> (Vec<u32>, Vec<Value>) {
    if let Column::Const(v) = col {
        return (vec![0; len], vec![v.clone()]);
    }
    let mut reps: Vec<Value> = Vec::new();
    let mut index: HashMap<GroupKey, u32> = HashMap::new();
    if let Some((codes, dict)) = col.dict_form(store) {
        // Canonicalise the dictionary lazily: only codes that occur are looked at.
        let mut canon: Vec<u32> = vec![u32::MAX; dict.len()];
        let ids = codes
            .iter()
            .map(|&c| {
                let slot = &mut canon[c as usize];
                if *slot == u32::MAX {
                    let v = dict[c as usize].clone();
                    let next = reps.len() as u32;
                    *slot = *index.entry(GroupKey(v.clone())).or_insert_with(|| {
                        reps.push(v);
                        next
                    });
                }
                *slot
            })
            .collect();
        return (ids, reps);
    }
    let ids = (0..len)
        .map(|i| {
            if !super::budget::tick() {
                return 0;
            }
            let v = col.get(i, store);
            let next = reps.len() as u32;
            *index.entry(GroupKey(v.clone())).or_insert_with(|| {
                reps.push(v);
                next
            })
        })
        .collect();
    (ids, reps)
}

/// Combines per-key group ids into one id per row; returns ids and, per group, its first row.
/// Groups are numbered in order of first appearance.
pub fn combine_groups(keys: &[Vec<u32>], len: usize) -> (Vec<u32>, Vec<usize>) {
    let Some((first, rest)) = keys.split_first() else {
        return (vec![0; len], if len > 0 { vec![0] } else { Vec::new() });
    };
    let mut ids = first.clone();
    // Ids are below `n`.
    let mut n = ids.iter().max().map_or(0, |&m| m as usize + 1);
    for k in rest {
        let m = k.iter().max().map_or(0, |&c| c as usize + 1);
        let mut next = 0u32;
        let mut number = |slot: &mut u32| {
            if *slot == u32::MAX {
                *slot = next;
                next += 1;
            }
            *slot
        };
        if n.saturating_mul(m) <= len.max(1024) * 4 {
            // Few combinations: a table of them.
            let mut table = vec![u32::MAX; n * m];
            for (id, &c) in ids.iter_mut().zip(k) {
                *id = number(&mut table[*id as usize * m + c as usize]);
            }
        } else {
            let mut map: hashbrown::HashMap<u64, u32> = hashbrown::HashMap::new();
            for (id, &c) in ids.iter_mut().zip(k) {
                *id = number(
                    map.entry((u64::from(*id) << 32) | u64::from(c))
                        .or_insert(u32::MAX),
                );
            }
        }
        n = next as usize;
    }
    // Renumber in order of first appearance and remember each group's first row.
    let mut renum = vec![u32::MAX; n];
    let mut first_rows = Vec::new();
    for (row, id) in ids.iter_mut().enumerate() {
        let slot = &mut renum[*id as usize];
        if *slot == u32::MAX {
            *slot = first_rows.len() as u32;
            first_rows.push(row);
        }
        *id = *slot;
    }
    (ids, first_rows)
}

/// A set of equally long named columns.
#[derive(Clone, Debug, Default)]
pub struct Batch {
    pub len: usize,
    pub fields: Vec<(Arc<str>, Column)>,
    /// Where each row came from: its stored event's row id ([`NO_SOURCE`] for a row that is no
    /// event's, such as a `data` record or an outer join's unmatched right row); `None` when no
    /// row is one event's (after `summarize`). The app shows the whole source event beside a
    /// projected row.
    pub source: Option<Arc<[u32]>>,
}

/// A row of a [`Batch`] with no stored event behind it.
pub const NO_SOURCE: u32 = u32::MAX;

impl Batch {
    pub fn field(&self, name: &str) -> Option<&Column> {
        self.fields
            .iter()
            .find(|(n, _)| &**n == name)
            .map(|(_, c)| c)
    }

    pub fn take(&self, idx: &[u32]) -> Batch {
        let mut memo = Vec::new();
        Batch {
            len: idx.len(),
            source: self
                .source
                .as_ref()
                .map(|s| idx.iter().map(|&i| s[i as usize]).collect()),
            fields: self
                .fields
                .iter()
                .map(|(n, c)| (n.clone(), c.take(idx, &mut memo)))
                .collect(),
        }
    }

    /// Sets a field, replacing one of the same name in place or appending it.
    pub fn set(&mut self, name: Arc<str>, col: Column) {
        match self.fields.iter_mut().find(|(n, _)| *n == name) {
            Some(slot) => slot.1 = col,
            None => self.fields.push((name, col)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::combine_groups;

    /// Group ids numbered by first appearance of each tuple, and each group's first row.
    fn naive(keys: &[Vec<u32>], len: usize) -> (Vec<u32>, Vec<usize>) {
        let mut seen: Vec<Vec<u32>> = Vec::new();
        let mut first = Vec::new();
        let ids = (0..len)
            .map(|row| {
                let t: Vec<u32> = keys.iter().map(|k| k[row]).collect();
                match seen.iter().position(|s| *s == t) {
                    Some(g) => g as u32,
                    None => {
                        seen.push(t);
                        first.push(row);
                        seen.len() as u32 - 1
                    }
                }
            })
            .collect();
        (ids, first)
    }

    #[test]
    fn combine_groups_numbers_tuples_in_first_seen_order() {
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = |m: u32| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x % u64::from(m)) as u32
        };
        // Small cardinalities (a table of combinations) and large ones (a hash map), one to
        // four keys, and no rows.
        for (len, card) in [
            (0, 3),
            (1, 1),
            (50, 3),
            (300, 7),
            (40, 5000),
            (2000, 100_000),
        ] {
            for nkeys in 1..=4 {
                let keys: Vec<Vec<u32>> = (0..nkeys)
                    .map(|_| (0..len).map(|_| next(card)).collect())
                    .collect();
                assert_eq!(
                    combine_groups(&keys, len),
                    naive(&keys, len),
                    "{len} rows, {nkeys} keys below {card}"
                );
            }
        }
        assert_eq!(combine_groups(&[], 3), (vec![0, 0, 0], vec![0]));
        assert_eq!(combine_groups(&[], 0), (vec![], vec![]));
    }
}
