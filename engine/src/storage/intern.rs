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
    /// values (event sources, regions) hit it and skip the full hash table.
    recent: Box<[u32]>,
}

const RECENT: usize = 4096;

impl Default for Interner {
    fn default() -> Self {
        Interner {
            bytes: Vec::new(),
            ends: Vec::new(),
            table: HashTable::new(),
            hasher: Default::default(),
            recent: vec![u32::MAX; RECENT].into(),
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
    (h >> 52) as usize & (RECENT - 1)
}

/// String `i`'s bytes: from the end of string `i - 1` to its own end.
fn slot<'a>(bytes: &'a [u8], ends: &[u32], i: u32) -> &'a [u8] {
    let i = i as usize;
    let start = if i == 0 { 0 } else { ends[i - 1] as usize };
    &bytes[start..ends[i] as usize]
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

    fn bytes_of(&self, i: u32) -> &[u8] {
        slot(&self.bytes, &self.ends, i)
    }

    pub fn lookup(&self, s: &str) -> Option<Sym> {
        let h = self.hasher.hash_one(s.as_bytes());
        self.table
            .find(h, |&i| self.bytes_of(i) == s.as_bytes())
            .map(|&i| Sym(i))
    }

    pub fn intern(&mut self, s: &str) -> Result<Sym, Full> {
        let slot = quick_hash(s.as_bytes());
        let cached = self.recent[slot];
        if cached != u32::MAX && self.bytes_of(cached) == s.as_bytes() {
            return Ok(Sym(cached));
        }
        let sym = self.intern_slow(s)?;
        self.recent[slot] = sym.0;
        Ok(sym)
    }

    fn intern_slow(&mut self, s: &str) -> Result<Sym, Full> {
        let h = self.hasher.hash_one(s.as_bytes());
        let Self {
            bytes,
            ends,
            table,
            hasher,
            ..
        } = self;
        let found = table.find(h, |&i| slot(bytes, ends, i) == s.as_bytes());
        if let Some(&i) = found {
            return Ok(Sym(i));
        }
        let end = bytes.len() + s.len();
        if end > u32::MAX as usize || ends.len() >= (1 << 28) {
            return Err(Full);
        }
        bytes.extend_from_slice(s.as_bytes());
        let id = ends.len() as u32;
        ends.push(end as u32);
        table.insert_unique(h, id, |&i| hasher.hash_one(slot(bytes, ends, i)));
        Ok(Sym(id))
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

    /// Gives back spare capacity once loading is done.
    pub fn shrink(&mut self) {
        self.bytes.shrink_to_fit();
        self.ends.shrink_to_fit();
        let Self {
            bytes,
            ends,
            table,
            hasher,
            ..
        } = self;
        table.shrink_to(0, |&i| hasher.hash_one(slot(bytes, ends, i)));
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
}
