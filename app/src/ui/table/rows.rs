//! The grid's model: the scroll geometry of a virtualized list of rows, the header-click sort
//! cycle, and cutting long text. (The rows themselves are `crate::state::RowCache`.)
//!
//! Pure code (no DOM), so it is tested on the host.

/// Height of one row in CSS pixels; `.grid-row` in style.css must agree.
pub const ROW_HEIGHT: f64 = 26.0;
/// Rows rendered above and below the viewport, so quick scrolling rarely shows blanks.
const OVERSCAN: usize = 12;
/// The spacer is never taller than this. Browsers cap element heights (Firefox near 17.9
/// million px), so past it scroll positions are scaled onto the rows instead.
const MAX_SPACER_PX: f64 = 10_000_000.0;

/// The rows to render for a scroll position, and where to draw them.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Window {
    /// Rows `first..last` are in the DOM.
    pub first: usize,
    pub last: usize,
    /// Offset of row `first` from the top of the spacer, in px.
    pub top: f64,
    /// Height of the spacer, in px.
    pub spacer: f64,
}

/// Scroll geometry of `rows` rows under a viewport `view` px tall. Row positions are "virtual"
/// (`row * ROW_HEIGHT`); while the spacer is capped, a scroll position maps onto them linearly.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Geometry {
    pub rows: usize,
    pub view: f64,
}

impl Geometry {
    fn total(&self) -> f64 {
        self.rows as f64 * ROW_HEIGHT
    }

    fn spacer(&self) -> f64 {
        self.total().min(MAX_SPACER_PX)
    }

    fn max_scroll(&self) -> f64 {
        (self.spacer() - self.view).max(0.0)
    }

    fn max_virtual(&self) -> f64 {
        (self.total() - self.view).max(0.0)
    }

    fn scaled(&self) -> bool {
        self.total() > MAX_SPACER_PX && self.max_scroll() > 0.0
    }

    /// The virtual offset shown at the top of the viewport.
    pub fn virtual_top(&self, scroll: f64) -> f64 {
        let scroll = scroll.clamp(0.0, self.max_scroll());
        if self.scaled() {
            scroll * self.max_virtual() / self.max_scroll()
        } else {
            scroll
        }
    }

    /// The scroll position that shows virtual offset `top` at the top of the viewport.
    pub fn scroll_for(&self, top: f64) -> f64 {
        let top = top.clamp(0.0, self.max_virtual());
        if self.scaled() {
            top * self.max_scroll() / self.max_virtual()
        } else {
            top
        }
    }

    pub fn window(&self, scroll: f64) -> Window {
        let top = self.virtual_top(scroll);
        let first = ((top / ROW_HEIGHT).floor() as usize)
            .saturating_sub(OVERSCAN)
            .min(self.rows);
        let last = ((((top + self.view) / ROW_HEIGHT).ceil() as usize) + OVERSCAN).min(self.rows);
        Window {
            first,
            last,
            top: first as f64 * ROW_HEIGHT - top + scroll.clamp(0.0, self.max_scroll()),
            spacer: self.spacer(),
        }
    }

    /// The scroll position that brings `row` fully into view, if it is not already.
    pub fn scroll_to_show(&self, scroll: f64, row: usize) -> Option<f64> {
        let top = self.virtual_top(scroll);
        let row_top = row as f64 * ROW_HEIGHT;
        if row_top < top {
            Some(self.scroll_for(row_top).floor())
        } else if row_top + ROW_HEIGHT > top + self.view {
            Some(self.scroll_for(row_top + ROW_HEIGHT - self.view).ceil())
        } else {
            None
        }
    }

    /// The first row fully in view.
    pub fn first_visible(&self, scroll: f64) -> usize {
        ((self.virtual_top(scroll) / ROW_HEIGHT).ceil() as usize).min(self.rows.saturating_sub(1))
    }

    /// How far PageUp/PageDown move.
    pub fn page_rows(&self) -> usize {
        ((self.view / ROW_HEIGHT).floor() as usize)
            .saturating_sub(1)
            .max(1)
    }
}

/// The sort a header click leads to: ascending, then descending, then the query's own order.
pub fn next_sort(current: Option<(usize, bool)>, column: usize) -> Option<(usize, bool)> {
    match current {
        Some((c, false)) if c == column => Some((column, true)),
        Some((c, true)) if c == column => None,
        _ => Some((column, false)),
    }
}

/// `text` cut to at most `max` characters, with an ellipsis when cut.
pub fn clip(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_results_scroll_one_to_one() {
        let g = Geometry {
            rows: 1_000,
            view: 260.0,
        };
        let w = g.window(2_600.0);
        assert_eq!((w.first, w.last), (100 - OVERSCAN, 110 + OVERSCAN));
        assert_eq!(w.top, (100 - OVERSCAN) as f64 * ROW_HEIGHT);
        assert_eq!(w.spacer, 26_000.0);
        assert_eq!(g.window(0.0).first, 0);
        assert_eq!(g.window(1e9).last, 1_000);
    }

    #[test]
    fn a_million_rows_fit_under_the_spacer_cap() {
        let g = Geometry {
            rows: 1_000_000,
            view: 520.0,
        };
        let w = g.window(0.0);
        assert_eq!(w.spacer, MAX_SPACER_PX);
        assert_eq!(w.first, 0);
        // The very bottom shows the last row, fully.
        let bottom = g.window(MAX_SPACER_PX - 520.0);
        assert_eq!(bottom.last, 1_000_000);
        let last_top = bottom.top + (999_999 - bottom.first) as f64 * ROW_HEIGHT;
        assert!((last_top + ROW_HEIGHT - MAX_SPACER_PX).abs() < 1e-6);
        // Scroll positions and virtual offsets round-trip.
        let v = g.virtual_top(4_000_000.0);
        assert!((g.scroll_for(v) - 4_000_000.0).abs() < 1e-6);
    }

    #[test]
    fn scrolling_a_row_into_view() {
        let g = Geometry {
            rows: 1_000,
            view: 260.0,
        };
        // Rows 0..10 are in view at the top.
        assert_eq!(g.scroll_to_show(0.0, 5), None);
        assert_eq!(g.scroll_to_show(0.0, 10), Some(26.0));
        assert_eq!(g.scroll_to_show(2_600.0, 50), Some(1_300.0));
        assert_eq!(g.page_rows(), 9);
        assert_eq!(g.first_visible(13.0), 1);
    }

    #[test]
    fn header_clicks_cycle_the_sort() {
        assert_eq!(next_sort(None, 2), Some((2, false)));
        assert_eq!(next_sort(Some((2, false)), 2), Some((2, true)));
        assert_eq!(next_sort(Some((2, true)), 2), None);
        assert_eq!(next_sort(Some((1, true)), 2), Some((2, false)));
    }

    #[test]
    fn clip_cuts_on_characters() {
        assert_eq!(clip("héllo", 2), "hé…");
        assert_eq!(clip("hi", 2), "hi");
    }
}
