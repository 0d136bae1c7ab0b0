//! Rows of results that the page has fetched from the worker, and the order each result is
//! shown in. The worker holds every result whole; the page keeps a cache of pages per result
//! and asks for what scrolls into view (`crate::ui::table`).

use std::collections::HashMap;

use crate::protocol::{Cell, ResultInfo};

/// Rows asked from the worker at once.
pub const PAGE_SIZE: usize = 200;
/// The cache keeps about this many rows; the ones farthest from the newest page go first.
const MAX_CACHED_ROWS: usize = 20_000;

/// Rows of one result that the page has fetched, by row index (in the current view order).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RowCache {
    /// The result (`ResultInfo::id`) the rows belong to; the grid ignores a cache of another id.
    pub id: u64,
    pub rows: HashMap<usize, Vec<Cell>>,
}

impl RowCache {
    pub fn new(id: u64) -> Self {
        RowCache {
            id,
            rows: HashMap::new(),
        }
    }

    /// A cache holding a fresh result's `first_rows`.
    pub fn from_result(result: &ResultInfo) -> Self {
        let mut cache = RowCache::new(result.id);
        cache.insert(0, result.first_rows.clone());
        cache
    }

    /// Adds rows `start..start + rows.len()`. Past [`MAX_CACHED_ROWS`] the rows farthest from
    /// these are dropped (the grid asks for them again if they scroll back into view).
    pub fn insert(&mut self, start: usize, rows: Vec<Vec<Cell>>) {
        let end = start + rows.len();
        self.rows
            .extend(rows.into_iter().enumerate().map(|(k, r)| (start + k, r)));
        if self.rows.len() > MAX_CACHED_ROWS {
            let keep = MAX_CACHED_ROWS / 2;
            self.rows
                .retain(|&i, _| i + keep >= start && i < end.saturating_add(keep));
        }
    }

    pub fn get(&self, row: usize) -> Option<&[Cell]> {
        self.rows.get(&row).map(Vec::as_slice)
    }
}

/// The pages (`row / PAGE_SIZE`) with a row in `first..last` that `cache` lacks for result `id`.
pub fn missing_pages(cache: &RowCache, id: u64, first: usize, last: usize) -> Vec<usize> {
    let mut pages: Vec<usize> = Vec::new();
    for row in first..last {
        let page = row / PAGE_SIZE;
        if pages.last() != Some(&page) && (cache.id != id || !cache.rows.contains_key(&row)) {
            pages.push(page);
        }
    }
    pages
}

/// Every result's fetched rows and header-click sort.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Rows {
    caches: HashMap<u64, RowCache>,
    /// Result id → the column it is sorted by (descending?), as the worker holds it; kept here,
    /// not in the grid, so the header shows it after the grid is rebuilt (a tab switch).
    sorts: HashMap<u64, (usize, bool)>,
}

impl Rows {
    /// A new result arrived with its first rows.
    pub fn add_result(&mut self, info: &ResultInfo) {
        self.caches.insert(info.id, RowCache::from_result(info));
    }

    /// A page of rows arrived (for a result still cached).
    pub fn insert(&mut self, id: u64, start: usize, rows: Vec<Vec<Cell>>) {
        if let Some(c) = self.caches.get_mut(&id) {
            c.insert(start, rows);
        }
    }

    /// The rows of result `id`, or an empty cache.
    pub fn cache(&self, id: Option<u64>) -> RowCache {
        id.and_then(|id| self.caches.get(&id).cloned())
            .unwrap_or_else(|| RowCache::new(0))
    }

    /// Result `id` is reordered: its rows are fetched again in the new order.
    pub fn sort(&mut self, id: u64, column: Option<usize>, descending: bool) {
        self.caches.insert(id, RowCache::new(id));
        match column {
            Some(c) => self.sorts.insert(id, (c, descending)),
            None => self.sorts.remove(&id),
        };
    }

    pub fn sorted(&self, id: Option<u64>) -> Option<(usize, bool)> {
        self.sorts.get(&id?).copied()
    }

    /// The loaded data changed: every fetched row is out of date.
    pub fn clear(&mut self) {
        self.caches.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cell(text: &str) -> Cell {
        Cell {
            text: text.into(),
            kind: "string".into(),
        }
    }

    #[test]
    fn pages_are_asked_for_once_each() {
        let mut cache = RowCache::new(7);
        cache.insert(0, vec![vec![cell("a")]; PAGE_SIZE]);
        assert_eq!(missing_pages(&cache, 7, 0, 50), Vec::<usize>::new());
        assert_eq!(missing_pages(&cache, 7, 190, 420), vec![1, 2]);
        // A cache of another result has nothing.
        assert_eq!(missing_pages(&cache, 8, 0, 50), vec![0]);
    }

    #[test]
    fn the_cache_evicts_far_rows() {
        let mut cache = RowCache::new(1);
        for page in 0..(MAX_CACHED_ROWS / PAGE_SIZE + 10) {
            cache.insert(page * PAGE_SIZE, vec![vec![cell("x")]; PAGE_SIZE]);
        }
        assert!(cache.rows.len() <= MAX_CACHED_ROWS);
        assert!(cache.get(0).is_none());
        let last = (MAX_CACHED_ROWS / PAGE_SIZE + 10) * PAGE_SIZE - 1;
        assert_eq!(cache.get(last).map(|r| r[0].text.as_str()), Some("x"));
    }

    #[test]
    fn sorting_drops_the_rows_and_remembers_the_order() {
        let mut rows = Rows::default();
        rows.caches.insert(3, RowCache::new(3));
        rows.insert(3, 0, vec![vec![cell("a")]]);
        rows.insert(4, 0, vec![vec![cell("b")]]);
        assert!(rows.cache(Some(3)).get(0).is_some());
        assert_eq!(
            rows.cache(Some(4)),
            RowCache::new(0),
            "rows of an unknown result are dropped"
        );
        rows.sort(3, Some(1), true);
        assert!(rows.cache(Some(3)).get(0).is_none());
        assert_eq!(rows.sorted(Some(3)), Some((1, true)));
        rows.clear();
        assert_eq!(
            rows.sorted(Some(3)),
            Some((1, true)),
            "a sort outlives a reload of the rows"
        );
        rows.sort(3, None, false);
        assert_eq!(rows.sorted(Some(3)), None);
        assert_eq!(rows.sorted(None), None);
    }
}
