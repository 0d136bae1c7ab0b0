//! The time frame picker's state: which events a query reads (all, the last N, or between two
//! times) and where "now" comes from, with the conversions to a query's range, to the picker's
//! controls and to the portable form that case files and share links carry.

use trailscope_engine::exec::default_now;
use trailscope_engine::time::{
    format_timestamp, parse_timestamp, NS_PER_DAY, NS_PER_HOUR, NS_PER_MIN, NS_PER_SEC,
};

/// `t` without its fraction of a second (towards the past).
fn second_floor(t: i64) -> i64 {
    t.div_euclid(NS_PER_SEC) * NS_PER_SEC
}
use trailscope_share::TimeFrame as Portable;

/// Which events a query reads.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Frame {
    All,
    /// The last N nanoseconds before "now".
    Last(i64),
    /// From and to, each optional.
    Absolute(Option<i64>, Option<i64>),
}

/// Where "now" comes from for relative time frames.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum NowMode {
    NewestEvent,
    WallClock,
}

/// One end of an absolute time frame.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Bound {
    From,
    To,
}

/// The picker: a frame and a "now".
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TimeFrame {
    pub frame: Frame,
    pub now: NowMode,
}

impl Default for TimeFrame {
    fn default() -> Self {
        TimeFrame {
            frame: Frame::All,
            now: NowMode::NewestEvent,
        }
    }
}

/// The picker's choices: label and `<option>` value (a frame length in ns, `all` or `custom`).
pub fn choices() -> [(&'static str, String); 6] {
    [
        ("All loaded data", "all".to_string()),
        ("Last 30 minutes", (30 * NS_PER_MIN).to_string()),
        ("Last 2 hours", (2 * NS_PER_HOUR).to_string()),
        ("Last 24 hours", NS_PER_DAY.to_string()),
        ("Last 7 days", (7 * NS_PER_DAY).to_string()),
        ("Custom…", "custom".to_string()),
    ]
}

impl TimeFrame {
    /// The `<option>` value of the current frame (see [`choices`]).
    pub fn choice(&self) -> String {
        match self.frame {
            Frame::All => "all".to_string(),
            Frame::Last(d) => d.to_string(),
            Frame::Absolute(..) => "custom".to_string(),
        }
    }

    /// Picks a frame by its `<option>` value; "custom" starts from the loaded data's `span`
    /// (oldest event to the second after the newest), or with both ends open when nothing is
    /// loaded.
    pub fn choose(&mut self, value: &str, span: Option<(i64, i64)>) {
        self.frame = match value {
            "all" => Frame::All,
            "custom" => match span {
                Some((a, b)) => {
                    Frame::Absolute(Some(second_floor(a)), Some(second_floor(b) + NS_PER_SEC))
                }
                None => Frame::Absolute(None, None),
            },
            d => Frame::Last(d.parse().unwrap_or(2 * NS_PER_HOUR)),
        };
    }

    /// What a custom end's text box shows before anything is typed: that end of the loaded
    /// data (the sample's times when nothing is loaded).
    pub fn placeholder(which: Bound, span: Option<(i64, i64)>) -> String {
        match (which, span) {
            (Bound::From, Some((a, _))) => format_timestamp(second_floor(a)),
            (Bound::To, Some((_, b))) => format_timestamp(second_floor(b) + NS_PER_SEC),
            (Bound::From, None) => "2026-11-20T00:00:00Z".into(),
            (Bound::To, None) => "2026-11-21T00:00:00Z".into(),
        }
    }

    /// Sets one end of a custom frame from typed text (unparseable text leaves that end open).
    pub fn set_bound(&mut self, which: Bound, text: &str) {
        let t = parse_timestamp(text);
        let (mut a, mut b) = match self.frame {
            Frame::Absolute(a, b) => (a, b),
            _ => (None, None),
        };
        match which {
            Bound::From => a = t,
            Bound::To => b = t,
        }
        self.frame = Frame::Absolute(a, b);
    }

    /// One end of a custom frame as the text box shows it.
    pub fn bound_text(&self, which: Bound) -> String {
        match self.frame {
            Frame::Absolute(a, b) => match which {
                Bound::From => a,
                Bound::To => b,
            }
            .map(format_timestamp)
            .unwrap_or_default(),
            _ => String::new(),
        }
    }

    /// The "now" a query is given: `None` lets the engine take the newest loaded event.
    pub fn now_ns(&self, wall_ns: i64) -> Option<i64> {
        match self.now {
            NowMode::NewestEvent => None,
            NowMode::WallClock => Some(wall_ns),
        }
    }

    /// The effective "now", as the page shows it, for data spanning `span`.
    pub fn effective_now(&self, wall_ns: i64, span: Option<(i64, i64)>) -> i64 {
        self.now_ns(wall_ns)
            .unwrap_or_else(|| span.map_or(0, |(_, newest)| default_now(newest)))
    }

    /// The "Current now" text: nothing to show when "now" is the newest event and there is none.
    pub fn now_text(&self, wall_ns: i64, span: Option<(i64, i64)>) -> String {
        if span.is_none() && self.now == NowMode::NewestEvent {
            "no data loaded".to_string()
        } else {
            format_timestamp(self.effective_now(wall_ns, span))
        }
    }

    /// The range a query reads (`from_ns`, `to_ns` of `Request::Query`).
    pub fn range(&self, wall_ns: i64, span: Option<(i64, i64)>) -> (Option<i64>, Option<i64>) {
        match self.frame {
            Frame::All => (None, None),
            Frame::Last(d) => {
                let n = self.effective_now(wall_ns, span);
                (Some(n - d), Some(n))
            }
            Frame::Absolute(a, b) => (a, b),
        }
    }

    /// "Show all loaded data (now = newest event)".
    pub fn show_all(&mut self) {
        *self = TimeFrame::default();
    }

    /// The picker as case files and share links carry it.
    pub fn to_portable(&self) -> Portable {
        let mut tf = Portable {
            now_clock: self.now == NowMode::WallClock,
            ..Portable::default()
        };
        match self.frame {
            Frame::All => {}
            Frame::Last(d) => tf.last_ns = Some(d),
            Frame::Absolute(a, b) => {
                tf.from = a.map(format_timestamp);
                tf.to = b.map(format_timestamp);
            }
        }
        tf
    }

    /// The picker set from a case file or a share link.
    pub fn from_portable(tf: &Portable) -> TimeFrame {
        let from = tf.from.as_deref().and_then(parse_timestamp);
        let to = tf.to.as_deref().and_then(parse_timestamp);
        TimeFrame {
            frame: match (tf.last_ns, from, to) {
                (Some(d), _, _) => Frame::Last(d),
                (None, None, None) => Frame::All,
                (None, a, b) => Frame::Absolute(a, b),
            },
            now: if tf.now_clock {
                NowMode::WallClock
            } else {
                NowMode::NewestEvent
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T: i64 = 1_795_174_920_000_000_000; // 2026-11-20T11:42:00Z

    #[test]
    fn custom_starts_from_the_loaded_data() {
        let mut tf = TimeFrame::default();
        tf.choose("custom", Some((T + 250_000_000, T + 3 * NS_PER_HOUR + 1)));
        assert_eq!(tf.bound_text(Bound::From), "2026-11-20T11:42:00Z");
        assert_eq!(tf.bound_text(Bound::To), "2026-11-20T14:42:01Z");
        assert_eq!(
            TimeFrame::placeholder(Bound::To, Some((T, T))),
            "2026-11-20T11:42:01Z"
        );
        tf.choose("custom", None);
        assert_eq!(tf.frame, Frame::Absolute(None, None));
        assert_eq!(
            TimeFrame::placeholder(Bound::From, None),
            "2026-11-20T00:00:00Z"
        );
    }

    #[test]
    fn every_choice_round_trips_through_its_option_value() {
        for (_, value) in choices() {
            let mut tf = TimeFrame::default();
            tf.choose(&value, None);
            assert_eq!(tf.choice(), value);
        }
        let mut tf = TimeFrame::default();
        tf.choose("garbage", None);
        assert_eq!(tf.frame, Frame::Last(2 * NS_PER_HOUR));
    }

    #[test]
    fn custom_bounds_are_typed_one_at_a_time() {
        let mut tf = TimeFrame::default();
        tf.set_bound(Bound::From, "2026-11-20T11:42:00Z");
        assert_eq!(tf.frame, Frame::Absolute(Some(T), None));
        tf.set_bound(Bound::To, "not a time");
        assert_eq!(tf.frame, Frame::Absolute(Some(T), None));
        assert_eq!(tf.bound_text(Bound::From), format_timestamp(T));
        assert_eq!(tf.bound_text(Bound::To), "");
    }

    #[test]
    fn relative_frames_end_at_the_chosen_now() {
        let span = Some((T - NS_PER_DAY, T));
        let mut tf = TimeFrame {
            frame: Frame::Last(NS_PER_HOUR),
            now: NowMode::WallClock,
        };
        assert_eq!(tf.now_ns(T + 5), Some(T + 5));
        assert_eq!(
            tf.range(T + 5, span),
            (Some(T + 5 - NS_PER_HOUR), Some(T + 5))
        );
        tf.now = NowMode::NewestEvent;
        assert_eq!(tf.now_ns(T + 5), None);
        let n = default_now(T);
        assert_eq!(tf.range(0, span), (Some(n - NS_PER_HOUR), Some(n)));
        assert_eq!(tf.now_text(0, None), "no data loaded");
        assert_eq!(tf.now_text(0, span), format_timestamp(n));
        tf.show_all();
        assert_eq!(tf.range(0, span), (None, None));
    }

    #[test]
    fn the_portable_form_round_trips() {
        for tf in [
            TimeFrame::default(),
            TimeFrame {
                frame: Frame::Last(30 * NS_PER_MIN),
                now: NowMode::WallClock,
            },
            TimeFrame {
                frame: Frame::Absolute(Some(T), None),
                now: NowMode::NewestEvent,
            },
        ] {
            assert_eq!(TimeFrame::from_portable(&tf.to_portable()), tf);
        }
    }
}
