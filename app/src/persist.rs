//! The one place that keeps the cases between visits: localStorage, key `trailscope.cases.v1`,
//! the JSON of [`Cases`] exactly as earlier versions wrote it, so users' saved cases survive an
//! update. Views change the cases only through [`CaseStore`], whose two doors decide when the
//! list is written.
//!
//! Why a pause rather than a key per case: the list is small except for pinned evidence, and a
//! key per case would be a second stored format (with a migration) for no gain a user notices.
//! What must not happen is the whole list being serialised on every keystroke of a query or of
//! the notes, so typed text is written once typing pauses ([`TYPING_PAUSE_MS`]), and at once if
//! the page is hidden or left before then (`pagehide`, `visibilitychange`); every other change
//! (tabs, names, runs, evidence) is written immediately.

use gloo_events::EventListener;
use gloo_storage::{LocalStorage as Browser, Storage};
use gloo_timers::callback::Timeout;
use leptos::prelude::*;

use crate::state::Cases;

const STORAGE_KEY: &str = "trailscope.cases.v1";
/// Typed text is saved this long after the last keystroke.
const TYPING_PAUSE_MS: u32 = 400;

/// The cases, read by views like a signal and changed through [`CaseStore::update`] (saved at
/// once) or [`CaseStore::type_text`] (saved after a pause).
#[derive(Clone, Copy)]
pub struct CaseStore {
    cases: RwSignal<Cases>,
    /// Typed text not written yet.
    dirty: StoredValue<bool>,
    /// The timer of the next save of typed text; replacing it restarts the pause.
    timer: StoredValue<Option<Timeout>, LocalStorage>,
}

/// gloo's `LocalStorage` throws when there is none (storage blocked, an opaque origin): ask first.
fn available() -> bool {
    web_sys::window()
        .and_then(|w| w.local_storage().ok().flatten())
        .is_some()
}

impl CaseStore {
    /// The saved cases, or one fresh case. A damaged entry is ignored, never executed.
    pub fn load() -> CaseStore {
        let saved = available()
            .then(|| Browser::get::<Cases>(STORAGE_KEY).ok())
            .flatten();
        let store = CaseStore {
            cases: RwSignal::new(Cases::restored(saved)),
            dirty: StoredValue::new(false),
            timer: StoredValue::new_local(None),
        };
        if let Some(w) = web_sys::window() {
            EventListener::new(&w, "pagehide", move |_| store.flush()).forget();
            if let Some(doc) = w.document() {
                let target = doc.clone();
                EventListener::new(&target, "visibilitychange", move |_| {
                    if doc.hidden() {
                        store.flush();
                    }
                })
                .forget();
            }
        }
        store
    }

    pub fn with<R>(self, f: impl FnOnce(&Cases) -> R) -> R {
        self.cases.with(f)
    }

    pub fn with_untracked<R>(self, f: impl FnOnce(&Cases) -> R) -> R {
        self.cases.with_untracked(f)
    }

    /// Changes the cases and saves them now. `None` once the page is gone.
    pub fn update<R>(self, f: impl FnOnce(&mut Cases) -> R) -> Option<R> {
        let out = self.cases.try_update(f)?;
        self.dirty.set_value(false);
        self.timer.set_value(None);
        self.write();
        Some(out)
    }

    /// Changes text being typed (a query, notes); `f` says whether anything changed. Saved once
    /// typing pauses.
    pub fn type_text(self, f: impl FnOnce(&mut Cases) -> bool) {
        let changed = self
            .cases
            .try_maybe_update(|c| {
                let changed = f(c);
                (changed, changed)
            })
            .unwrap_or(false);
        if changed {
            self.dirty.set_value(true);
            let later = Timeout::new(TYPING_PAUSE_MS, move || self.flush());
            self.timer.set_value(Some(later));
        }
    }

    /// Writes typed text that is still waiting.
    fn flush(self) {
        if self.dirty.try_get_value() == Some(true) {
            self.dirty.set_value(false);
            self.write();
        }
    }

    fn write(self) {
        if available() {
            // A full storage (quota) keeps the previous save; the page goes on.
            let _ = self
                .cases
                .try_with_untracked(|c| Browser::set(STORAGE_KEY, c));
        }
    }
}

/// The detections switched off in the Detections panel, kept between visits (localStorage,
/// key `trailscope.detections.off.v1`, a JSON array of ids). A damaged entry is ignored.
const DETECTIONS_OFF_KEY: &str = "trailscope.detections.off.v1";

pub fn load_detections_off() -> std::collections::BTreeSet<String> {
    available()
        .then(|| Browser::get::<std::collections::BTreeSet<String>>(DETECTIONS_OFF_KEY).ok())
        .flatten()
        .unwrap_or_default()
}

pub fn save_detections_off(off: &std::collections::BTreeSet<String>) {
    if available() {
        let _ = Browser::set(DETECTIONS_OFF_KEY, off);
    }
}
