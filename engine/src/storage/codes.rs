//! Dictionary codes at the narrowest width that holds them: a JSON-path column over a million
//! events is a megabyte when its values are fewer than 256 (event sources, regions, error codes),
//! two when fewer than 65,536 (ARNs, addresses), four otherwise.

use std::sync::Arc;

/// A code of any width, read as `u32`.
pub trait Code: Copy {
    fn code(self) -> u32;
}

impl Code for u8 {
    #[inline]
    fn code(self) -> u32 {
        u32::from(self)
    }
}

impl Code for u16 {
    #[inline]
    fn code(self) -> u32 {
        u32::from(self)
    }
}

impl Code for u32 {
    #[inline]
    fn code(self) -> u32 {
        self
    }
}

/// Codes borrowed at their width; `u32` slices from elsewhere convert into it.
#[derive(Clone, Copy, Debug)]
pub enum CodesRef<'a> {
    U8(&'a [u8]),
    U16(&'a [u16]),
    U32(&'a [u32]),
}

impl<'a> From<&'a [u32]> for CodesRef<'a> {
    fn from(c: &'a [u32]) -> Self {
        CodesRef::U32(c)
    }
}

#[derive(Clone, Debug)]
pub enum Codes {
    U8(Arc<[u8]>),
    U16(Arc<[u16]>),
    U32(Arc<[u32]>),
}

impl Codes {
    /// The codes in the narrowest width that holds the largest of them.
    pub fn pack(codes: &[u32]) -> Codes {
        let max = codes.iter().copied().max().unwrap_or(0);
        if max <= u32::from(u8::MAX) {
            Codes::U8(codes.iter().map(|&c| c as u8).collect())
        } else if max <= u32::from(u16::MAX) {
            Codes::U16(codes.iter().map(|&c| c as u16).collect())
        } else {
            Codes::U32(codes.into())
        }
    }

    pub fn len(&self) -> usize {
        match self {
            Codes::U8(c) => c.len(),
            Codes::U16(c) => c.len(),
            Codes::U32(c) => c.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The code of row `i`.
    #[inline]
    pub fn get(&self, i: usize) -> u32 {
        match self {
            Codes::U8(c) => u32::from(c[i]),
            Codes::U16(c) => u32::from(c[i]),
            Codes::U32(c) => c[i],
        }
    }

    /// The codes of `rows`, in that order.
    pub fn gather(&self, rows: &[u32]) -> Arc<[u32]> {
        match self {
            Codes::U8(c) => rows.iter().map(|&r| u32::from(c[r as usize])).collect(),
            Codes::U16(c) => rows.iter().map(|&r| u32::from(c[r as usize])).collect(),
            Codes::U32(c) => rows.iter().map(|&r| c[r as usize]).collect(),
        }
    }

    /// All codes as `u32`s (shared, not copied, when they are that already).
    pub fn widen(&self) -> Arc<[u32]> {
        match self {
            Codes::U8(c) => c.iter().map(|&x| u32::from(x)).collect(),
            Codes::U16(c) => c.iter().map(|&x| u32::from(x)).collect(),
            Codes::U32(c) => c.clone(),
        }
    }

    pub fn as_ref(&self) -> CodesRef<'_> {
        match self {
            Codes::U8(c) => CodesRef::U8(c),
            Codes::U16(c) => CodesRef::U16(c),
            Codes::U32(c) => CodesRef::U32(c),
        }
    }

    /// Bytes held.
    pub fn heap_bytes(&self) -> usize {
        match self {
            Codes::U8(c) => c.len(),
            Codes::U16(c) => c.len() * 2,
            Codes::U32(c) => c.len() * 4,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packs_to_the_narrowest_width_and_reads_back() {
        for (codes, width) in [
            (vec![0, 1, 255], 1),
            (vec![0, 256, 3], 2),
            (vec![65_535, 0], 2),
            (vec![65_536, 7], 4),
            (vec![], 1),
        ] {
            let c = Codes::pack(&codes);
            assert_eq!(c.heap_bytes(), codes.len() * width, "{codes:?}");
            assert_eq!((0..c.len()).map(|i| c.get(i)).collect::<Vec<_>>(), codes);
            assert_eq!(&*c.widen(), &codes[..]);
            let rows: Vec<u32> = (0..codes.len() as u32).rev().collect();
            let back: Vec<u32> = rows.iter().map(|&r| codes[r as usize]).collect();
            assert_eq!(&*c.gather(&rows), &back[..]);
        }
    }
}
