//! String interner: every distinct string (JSON keys and string values) is stored once in one
//! byte arena and named by a `Sym`. Equal strings get equal symbols, so filters compare integers.

use hashbrown::HashTable;
use std::hash::BuildHasher;

/// A string's code in the [`Interner`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Sym(pub u32);

pub struct Interner {
    bytes: Vec<u8>,
    /// `ends[i]` is the end of string `i` in `bytes`; its start is `ends[i - 1]` (or 0).
    ends: Vec<u32>,
    table: HashTable<u32>,
    hasher: hashbrown::DefaultHashBuilder,
    /// Direct-mapped cache of recent strings, indexed by a cheap hash: JSON keys and common
    /// values (event sources, regions) hit it and skip the full hash table. An entry keeps the
    /// string's place in `bytes`, so a hit reads neither `ends` nor the table.
    recent: Box<[Recent]>,
    /// Set by [`Interner::seal`] once loading is done: `table` then holds only the symbols
    /// kept there (member names) and is rebuilt in full before anything new is interned.
    sealed: bool,
}

#[derive(Clone, Copy)]
struct Recent {
    sym: u32,
    start: u32,
    len: u32,
}

const EMPTY: Recent = Recent {
    sym: u32::MAX,
    start: 0,
    len: u32::MAX,
};

const RECENT_BITS: u32 = 14;
const RECENT: usize = 1 << RECENT_BITS;

impl Default for Interner {
    fn default() -> Self {
        Interner {
            bytes: Vec::new(),
            ends: Vec::new(),
            table: HashTable::new(),
            hasher: Default::default(),
            recent: vec![EMPTY; RECENT].into(),
            sealed: false,
        }
    }
}

/// A quick hash from the length and the first and last eight bytes.
fn quick_hash(s: &[u8]) -> usize {
    let n = s.len();
    let head = if n >= 8 {
        u64::from_le_bytes(s[..8].try_into().unwrap_or_default())
    } else {
        s.iter().fold(0u64, |a, &b| a << 8 | u64::from(b))
    };
    let tail = if n >= 8 {
        u64::from_le_bytes(s[n - 8..].try_into().unwrap_or_default())
    } else {
        0
    };
    let h = (head ^ tail.rotate_left(29) ^ (n as u64)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    (h >> (64 - RECENT_BITS)) as usize
}

/// Byte-string equality without a call to `memcmp`: most interned strings are short, and the
/// call (in wasm, a byte loop) cost more than the comparison.
#[inline]
fn same(a: &[u8], b: &[u8]) -> bool {
    let n = a.len();
    if n != b.len() {
        return false;
    }
    let word = |s: &[u8], i: usize| u64::from_le_bytes(s[i..i + 8].try_into().unwrap_or_default());
    if n < 4 {
        return a.iter().zip(b).all(|(x, y)| x == y);
    }
    if n < 8 {
        let half =
            |s: &[u8], i: usize| u32::from_le_bytes(s[i..i + 4].try_into().unwrap_or_default());
        return half(a, 0) == half(b, 0) && half(a, n - 4) == half(b, n - 4);
    }
    let mut i = 0;
    while i + 8 < n {
        if word(a, i) != word(b, i) {
            return false;
        }
        i += 8;
    }
    word(a, n - 8) == word(b, n - 8)
}

/// String `i`'s bytes: from the end of string `i - 1` to its own end.
fn slot<'a>(bytes: &'a [u8], ends: &[u32], i: u32) -> &'a [u8] {
    let i = i as usize;
    let start = if i == 0 { 0 } else { ends[i - 1] as usize };
    &bytes[start..ends[i] as usize]
}

/// A set of symbols: one bit per symbol id.
#[derive(Default)]
pub struct SymSet {
    bits: Vec<u64>,
}

impl SymSet {
    /// Adds `s`; false when it was already there.
    pub fn insert(&mut self, s: Sym) -> bool {
        let (w, m) = ((s.0 / 64) as usize, 1u64 << (s.0 % 64));
        if w >= self.bits.len() {
            let n = (w + 1).max(self.bits.len() + self.bits.len() / 4);
            self.bits.resize(n, 0);
        }
        let was = self.bits[w] & m != 0;
        self.bits[w] |= m;
        !was
    }

    pub fn contains(&self, s: Sym) -> bool {
        self.bits
            .get((s.0 / 64) as usize)
            .is_some_and(|w| w & (1u64 << (s.0 % 64)) != 0)
    }

    pub fn iter(&self) -> impl Iterator<Item = Sym> + '_ {
        self.bits.iter().enumerate().flat_map(|(i, &w)| {
            (0..64)
                .filter(move |b| w & (1u64 << b) != 0)
                .map(move |b| Sym(i as u32 * 64 + b))
        })
    }

    pub fn heap_bytes(&self) -> usize {
        self.bits.capacity() * 8
    }
}

/// The interner cannot address more than 4 GiB of distinct string bytes.
#[derive(Debug)]
pub struct Full;

impl Interner {
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    pub fn get(&self, sym: Sym) -> &str {
        // Only valid UTF-8 is ever interned.
        std::str::from_utf8(self.bytes_of(sym.0)).unwrap_or("")
    }

    /// The string's bytes (valid UTF-8), without checking them again.
    pub fn bytes(&self, sym: Sym) -> &[u8] {
        self.bytes_of(sym.0)
    }

    fn bytes_of(&self, i: u32) -> &[u8] {
        slot(&self.bytes, &self.ends, i)
    }

    /// The symbol of `s`, if interned; once sealed, only for the symbols the seal kept.
    pub fn lookup(&self, s: &str) -> Option<Sym> {
        let h = self.hasher.hash_one(s.as_bytes());
        self.table
            .find(h, |&i| self.bytes_of(i) == s.as_bytes())
            .map(|&i| Sym(i))
    }

    pub fn intern(&mut self, s: &str) -> Result<Sym, Full> {
        if self.sealed {
            self.unseal();
        }
        let s = s.as_bytes();
        let slot = quick_hash(s);
        let r = self.recent[slot];
        if r.len as usize == s.len() {
            let start = r.start as usize;
            if same(&self.bytes[start..start + s.len()], s) {
                return Ok(Sym(r.sym));
            }
        }
        let (sym, new) = self.intern_slow(s)?;
        if new {
            // A string seen once (an event id, a request id) stays out of the cache, so it
            // does not push out the strings that repeat.
            return Ok(sym);
        }
        let end = self.ends[sym.0 as usize];
        self.recent[slot] = Recent {
            sym: sym.0,
            start: end - s.len() as u32,
            len: s.len() as u32,
        };
        Ok(sym)
    }

    /// The symbol, and whether the string is new.
    fn intern_slow(&mut self, s: &[u8]) -> Result<(Sym, bool), Full> {
        let h = self.hasher.hash_one(s);
        let Self {
            bytes,
            ends,
            table,
            hasher,
            ..
        } = self;
        let found = table.find(h, |&i| same(slot(bytes, ends, i), s));
        if let Some(&i) = found {
            return Ok((Sym(i), false));
        }
        let end = bytes.len() + s.len();
        if end > u32::MAX as usize || ends.len() >= (1 << 28) {
            return Err(Full);
        }
        bytes.extend_from_slice(s);
        let id = ends.len() as u32;
        ends.push(end as u32);
        table.insert_unique(h, id, |&i| hasher.hash_one(slot(bytes, ends, i)));
        Ok((Sym(id), true))
    }

    /// Makes room for `more` bytes of new strings, growing the arena by a quarter at a time
    /// rather than doubling it: a doubled arena of a few hundred megabytes, plus the hole its
    /// old copy leaves, does not fit in a browser tab's 4 GiB.
    pub fn reserve_bytes(&mut self, more: usize) {
        super::grow_gently(&mut self.bytes, more);
    }

    /// Makes room for `n` more distinct strings (their ends and hash table slots).
    pub fn reserve_strings(&mut self, n: usize) {
        self.ends.reserve_exact(n);
        let Self {
            bytes,
            ends,
            table,
            hasher,
            ..
        } = self;
        table.reserve(n, |&i| hasher.hash_one(slot(bytes, ends, i)));
    }

    /// Gives back spare capacity once loading is done, and keeps in the hash table only the
    /// symbols of `keep` (what queries look up: member names). The table of every distinct
    /// string (a fifth of the interner at a million events) is rebuilt if interning resumes.
    pub fn seal(&mut self, keep: impl IntoIterator<Item = Sym>) {
        self.bytes.shrink_to_fit();
        self.ends.shrink_to_fit();
        self.table = self.table_of(keep.into_iter().map(|s| s.0), 0);
        self.sealed = true;
    }

    /// Puts every string back into the hash table (after [`Interner::seal`]).
    fn unseal(&mut self) {
        self.table = self.table_of(0..self.ends.len() as u32, self.ends.len());
        self.sealed = false;
    }

    /// A hash table of the strings `ids` (each once, however often it is listed).
    fn table_of(&self, ids: impl Iterator<Item = u32>, capacity: usize) -> HashTable<u32> {
        let hash = |i: u32| self.hasher.hash_one(self.bytes_of(i));
        let mut table = HashTable::with_capacity(capacity);
        for id in ids {
            let h = hash(id);
            if table.find(h, |&i| i == id).is_none() {
                table.insert_unique(h, id, |&i| hash(i));
            }
        }
        table
    }

    /// Bytes held, for memory reports.
    pub fn heap_bytes(&self) -> usize {
        self.bytes.capacity() + self.ends.capacity() * 4 + self.table.capacity() * 5
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_strings_equal_symbols() {
        let mut i = Interner::default();
        let a = i.intern("eventName").unwrap();
        let b = i.intern("eventSource").unwrap();
        let e = i.intern("").unwrap();
        assert_eq!(i.intern("eventName").unwrap(), a);
        assert_ne!(a, b);
        assert_eq!(i.get(b), "eventSource");
        assert_eq!(i.get(e), "");
        assert_eq!(i.lookup("eventSource"), Some(b));
        assert_eq!(i.lookup("nope"), None);
        for n in 0..10_000 {
            i.intern(&format!("s{n}")).unwrap();
        }
        assert_eq!(i.get(i.lookup("s9999").unwrap()), "s9999");
        assert_eq!(i.get(a), "eventName");
    }

    #[test]
    fn sealed_interners_look_up_what_they_kept_and_intern_as_before() {
        let mut i = Interner::default();
        let key = i.intern("eventName").unwrap();
        let value = i.intern("ConsoleLogin").unwrap();
        i.seal([key]);
        assert_eq!(i.lookup("eventName"), Some(key));
        assert_eq!(i.lookup("ConsoleLogin"), None);
        // Interning again (a later load) sees every string.
        assert_eq!(i.intern("ConsoleLogin").unwrap(), value);
        assert_eq!(i.lookup("ConsoleLogin"), Some(value));
        let new = i.intern("AssumeRole").unwrap();
        assert_eq!(i.get(new), "AssumeRole");
        assert_eq!(i.len(), 3);
    }

    #[test]
    fn sym_sets() {
        let mut s = SymSet::default();
        assert!(s.insert(Sym(5)));
        assert!(!s.insert(Sym(5)));
        assert!(s.insert(Sym(1000)));
        assert!(s.insert(Sym(63)) && s.insert(Sym(64)));
        assert!(s.contains(Sym(1000)) && !s.contains(Sym(999)) && !s.contains(Sym(1 << 30)));
        assert_eq!(
            s.iter().collect::<Vec<_>>(),
            [Sym(5), Sym(63), Sym(64), Sym(1000)]
        );
    }

    #[test]
    fn short_and_long_strings_compare_by_content() {
        let mut i = Interner::default();
        let words = [
            "", "a", "ab", "abc", "abcd", "abce", "abcdefg", "abcdefgh", "abcdefgi",
        ];
        let long = [
            "x".repeat(17),
            format!("{}y", "x".repeat(16)),
            "x".repeat(40),
        ];
        let syms: Vec<Sym> = words
            .iter()
            .map(|w| w.to_string())
            .chain(long.iter().cloned())
            .map(|w| i.intern(&w).unwrap())
            .collect();
        for (n, a) in syms.iter().enumerate() {
            for b in &syms[n + 1..] {
                assert_ne!(a, b);
            }
        }
        for w in words {
            let sym = i.intern(w).unwrap();
            assert_eq!(i.get(sym), w);
        }
    }
}
