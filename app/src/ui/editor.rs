//! The DQL query editor: a `<textarea>` over a syntax-highlighted copy of its text, with the
//! last run's diagnostics underlined in place and listed below.
//!
//! The textarea does all the editing (caret, selection, undo, IME, screen readers); its text is
//! transparent and a `<pre aria-hidden="true">` under it shows the same characters coloured by
//! [`highlight`], which uses the engine's own lexer, so colours never disagree with the parser.
//! Both boxes share font, padding, border, wrapping and scrollbar gutter (see `.editor-` rules in
//! style.css), and the overlay follows the textarea's scroll position.

use std::cell::Cell;
use std::ops::Range;
use std::sync::atomic::{AtomicUsize, Ordering};

use leptos::{ev, html, prelude::*};
use wasm_bindgen::JsCast;

use crate::protocol::{CompletionsInfo, DiagnosticInfo};
// Token classes come from the engine's highlighter: its lexer decides what is what.
use trailscope_engine::syntax::highlight::{highlight, TokenClass as Kind};

/// The CSS class of a token class.
fn class(kind: Kind) -> &'static str {
    {
        match kind {
            Kind::Command => "editor-tok-command",
            Kind::Function => "editor-tok-function",
            Kind::Keyword => "editor-tok-keyword",
            Kind::Param => "editor-tok-param",
            Kind::Field => "editor-tok-field",
            Kind::BracketKey => "editor-tok-key",
            Kind::String => "editor-tok-string",
            Kind::Number => "editor-tok-number",
            Kind::Operator => "editor-tok-operator",
            Kind::Pipe => "editor-tok-pipe",
            Kind::Punct => "editor-tok-punct",
            Kind::Comment => "editor-tok-comment",
            Kind::Invalid => "editor-tok-invalid",
        }
    }
}

/// How a diagnostic marks its text.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Mark {
    Warning,
    Error,
}

/// One run of overlay text with a single colour and underline.
#[derive(Clone, Debug, PartialEq)]
struct Segment {
    range: Range<usize>,
    kind: Option<Kind>,
    mark: Option<Mark>,
}

/// Splits `text` at every token and mark edge. A mark may reach one byte past the end (a
/// diagnostic at the end of the query): the overlay shows a space there to carry its underline.
fn segments(
    text: &str,
    tokens: &[(Range<usize>, Kind)],
    marks: &[(Range<usize>, Mark)],
) -> Vec<Segment> {
    let len = text.len() + usize::from(marks.iter().any(|(r, _)| r.end > text.len()));
    let edges = tokens
        .iter()
        .map(|(r, _)| r)
        .chain(marks.iter().map(|(r, _)| r));
    let mut cuts: Vec<usize> = vec![0, len];
    cuts.extend(edges.flat_map(|r| [r.start.min(len), r.end.min(len)]));
    cuts.sort_unstable();
    cuts.dedup();
    let mut out: Vec<Segment> = Vec::new();
    let mut tok = 0;
    for w in cuts.windows(2) {
        let (a, b) = (w[0], w[1]);
        while tok < tokens.len() && tokens[tok].0.end <= a {
            tok += 1;
        }
        let kind = tokens
            .get(tok)
            .filter(|(r, _)| r.start <= a)
            .map(|(_, k)| *k);
        let mark = marks
            .iter()
            .filter(|(r, _)| r.start <= a && b <= r.end)
            .map(|(_, m)| *m)
            .max();
        match out.last_mut() {
            Some(s) if s.kind == kind && s.mark == mark => s.range.end = b,
            _ => out.push(Segment {
                range: a..b,
                kind,
                mark,
            }),
        }
    }
    out
}

/// A UTF-16 offset (what the browser and `DiagnosticInfo` use) as a byte offset into `text`.
pub fn utf16_to_byte(text: &str, offset: usize) -> usize {
    let mut units = 0;
    for (i, c) in text.char_indices() {
        if units >= offset {
            return i;
        }
        units += c.len_utf16();
    }
    text.len()
}

/// The byte range a diagnostic underlines; an empty span grows to the next character (or to the
/// space after the text) so that there is something to underline.
fn mark_range(text: &str, d: &DiagnosticInfo) -> Range<usize> {
    let start = utf16_to_byte(text, d.start);
    let end = utf16_to_byte(text, d.end.max(d.start));
    if end > start {
        return start..end;
    }
    let next = text[start..].chars().next().map_or(1, char::len_utf8);
    start..start + next
}

/// `line 2, column 5` for a UTF-16 offset (columns count characters).
fn line_col(text: &str, offset: usize) -> String {
    let at = utf16_to_byte(text, offset);
    let before = &text[..at];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    format!("line {line}, column {col}")
}

static EDITOR_IDS: AtomicUsize = AtomicUsize::new(0);

/// The query editor. `on_run` fires on Ctrl+Enter (Cmd+Enter on a Mac), `on_cancel` on Escape
/// (it stops the query if one is running).
#[component]
pub fn QueryEditor(
    text: RwSignal<String>,
    diagnostics: Signal<Vec<DiagnosticInfo>>,
    on_run: Callback<()>,
    on_cancel: Callback<()>,
    /// Asks for completions: `(seq, text, cursor byte)`; the answer comes in `completions`.
    #[prop(optional)]
    on_complete: Option<Callback<(u64, String, usize)>>,
    /// The engine's completions (the last answer; shown when its `seq` is the last asked).
    #[prop(optional, into)]
    completions: Signal<Option<CompletionsInfo>>,
) -> impl IntoView {
    let uid = EDITOR_IDS.fetch_add(1, Ordering::Relaxed);
    let help_id = format!("editor-help-{uid}");
    let list_id = format!("editor-completions-{uid}");
    // The completion list: open, the seq of the last request, the highlighted item.
    let open = RwSignal::new(false);
    let asked = StoredValue::new(0u64);
    let active = RwSignal::new(0usize);
    let area_ref = NodeRef::<html::Textarea>::new();
    let pre_ref = NodeRef::<html::Pre>::new();
    // Escape arms the next Tab to leave the editor instead of indenting.
    let escaped = StoredValue::new_local(Cell::new(false));

    let sync_scroll = move || {
        if let (Some(a), Some(p)) = (area_ref.get_untracked(), pre_ref.get_untracked()) {
            p.set_scroll_top(a.scroll_top());
            p.set_scroll_left(a.scroll_left());
        }
    };
    // After the overlay re-renders (new text, new marks), line it up again.
    Effect::new(move |_| {
        text.track();
        diagnostics.track();
        request_animation_frame(sync_scroll);
    });

    // The answer to the last request, while the list is open.
    let current = Memo::new(move |_| {
        let want = asked.get_value();
        completions.get().filter(|c| {
            open.get() && c.seq == want && (!c.items.is_empty() || c.signature.is_some())
        })
    });
    let request = move || {
        let (Some(cb), Some(a)) = (on_complete, area_ref.get_untracked()) else {
            return;
        };
        let value = a.value();
        let at = a.selection_start().ok().flatten().unwrap_or(0) as usize;
        let cursor = utf16_to_byte(&value, at);
        let seq = asked.get_value() + 1;
        asked.set_value(seq);
        active.set(0);
        cb.run((seq, value, cursor));
    };
    let accept = move |i: usize| {
        let Some(c) = current.get_untracked() else {
            return;
        };
        let (Some(item), Some(a)) = (c.items.get(i), area_ref.get_untracked()) else {
            return;
        };
        // Only when the text is still what the completions were for.
        if a.value() != c.text || c.end > c.text.len() || c.start > c.end {
            open.set(false);
            return;
        }
        let s16 = c.text[..c.start].encode_utf16().count() as u32;
        let e16 = c.text[..c.end].encode_utf16().count() as u32;
        let _ = a.set_range_text_with_start_and_end_and_mode(&item.insert, s16, e16, "end");
        text.set(a.value());
        open.set(false);
        let _ = a.focus();
    };
    let on_key = move |e: ev::KeyboardEvent| {
        let key = e.key();
        if on_complete.is_some() {
            let n = current.with_untracked(|c| c.as_ref().map_or(0, |c| c.items.len()));
            match key.as_str() {
                " " if e.ctrl_key() => {
                    e.prevent_default();
                    open.set(true);
                    request();
                    return;
                }
                "ArrowDown" | "ArrowUp" if n > 0 => {
                    e.prevent_default();
                    let a = active.get_untracked();
                    active.set(if key == "ArrowDown" {
                        (a + 1) % n
                    } else {
                        (a + n - 1) % n
                    });
                    return;
                }
                "Enter" | "Tab" if n > 0 && !(e.ctrl_key() || e.meta_key()) => {
                    e.prevent_default();
                    accept(active.get_untracked());
                    return;
                }
                "Escape" if open.get_untracked() => {
                    e.prevent_default();
                    open.set(false);
                    return;
                }
                _ => {}
            }
        }
        let armed = escaped.with_value(|c| c.replace(false));
        match key.as_str() {
            "Enter" if e.ctrl_key() || e.meta_key() => {
                e.prevent_default();
                on_run.run(());
            }
            "Escape" => {
                escaped.with_value(|c| c.set(true));
                on_cancel.run(());
            }
            "Tab" if !(armed || e.shift_key() || e.ctrl_key() || e.alt_key() || e.meta_key()) => {
                e.prevent_default();
                if let Some(a) = area_ref.get_untracked() {
                    insert_spaces(&a);
                    text.set(a.value());
                }
            }
            // A lone modifier press between Escape and Tab keeps the way out open.
            "Shift" | "Control" | "Alt" | "Meta" => escaped.with_value(|c| c.set(armed)),
            _ => {}
        }
    };

    let overlay = move || {
        let t = text.get();
        let marks: Vec<(Range<usize>, Mark)> = diagnostics.with(|ds| {
            ds.iter()
                .map(|d| {
                    (
                        mark_range(&t, d),
                        if d.error { Mark::Error } else { Mark::Warning },
                    )
                })
                .collect()
        });
        let tokens = highlight(&t);
        let segs = segments(&t, &tokens, &marks);
        // A trailing space keeps a final empty line as tall as the textarea's and carries an
        // underline at the end of the query.
        let shown = format!("{t} ");
        let covered = segs.last().map_or(0, |s| s.range.end);
        let spans = segs
            .into_iter()
            .map(|s| {
                let mut class = s.kind.map_or(String::new(), |k| class(k).to_string());
                if let Some(m) = s.mark {
                    class.push_str(match m {
                        Mark::Error => " editor-mark-error",
                        Mark::Warning => " editor-mark-warning",
                    });
                }
                let piece = shown[s.range].to_string();
                view! { <span class=class>{piece}</span> }
            })
            .collect_view();
        let tail = shown[covered..].to_string();
        view! {
            {spans}
            {tail}
        }
    };

    let select = move |start: usize, end: usize| {
        if let Some(a) = area_ref.get_untracked() {
            let _ = a.focus();
            let len = a.value().encode_utf16().count();
            let (s, e) = (start.min(len) as u32, end.max(start).min(len) as u32);
            let _ = a.set_selection_range(s, e);
            sync_scroll();
        }
    };
    let item = move |d: DiagnosticInfo| {
        let t = text.get_untracked();
        let (start, end) = (d.start, d.end);
        let heading = format!("{}: {}", d.code, d.message);
        let place = line_col(&t, start);
        let label = (!d.label.is_empty()).then(|| format!(" ({})", d.label));
        let hints = (!d.hints.is_empty()).then(|| {
            let items = d
                .hints
                .into_iter()
                .map(|h| view! { <li>{h}</li> })
                .collect_view();
            view! { <ul class="editor-diag-hints">{items}</ul> }
        });
        let class = if d.error {
            "editor-diag editor-diag-error"
        } else {
            "editor-diag editor-diag-warning"
        };
        view! {
            <li class=class>
                <button type="button" class="editor-diag-jump" on:click=move |_| select(start, end)>
                    {heading}
                </button>
                <span class="editor-diag-where">{place}{label}</span>
                {hints}
            </li>
        }
    };
    let list = move |errors: bool| {
        let items: Vec<DiagnosticInfo> =
            diagnostics.with(|ds| ds.iter().filter(|d| d.error == errors).cloned().collect());
        (!items.is_empty()).then(|| {
            let views = items.into_iter().map(item).collect_view();
            if errors {
                view! { <ul class="editor-diags" role="alert" aria-label="Query errors">{views}</ul> }.into_any()
            } else {
                view! { <ul class="editor-diags" role="status" aria-label="Query warnings">{views}</ul> }.into_any()
            }
        })
    };

    let (list_id_a, list_id_b, list_id_c) = (list_id.clone(), list_id.clone(), list_id.clone());
    view! {
        <div class="editor">
            <div class="editor-stack">
                <pre class="editor-layer editor-highlight" node_ref=pre_ref aria-hidden="true">
                    {overlay}
                </pre>
                <textarea
                    class="editor-layer editor-input"
                    node_ref=area_ref
                    aria-label="DQL query"
                    aria-describedby=help_id.clone()
                    spellcheck="false"
                    autocomplete="off"
                    autocapitalize="off"
                    wrap="soft"
                    prop:value=move || text.get()
                    on:input=move |e| {
                        text.set(event_target_value(&e));
                        sync_scroll();
                        if open.get_untracked() {
                            request();
                        }
                    }
                    on:blur=move |_| open.set(false)
                    aria-autocomplete=on_complete.is_some().then_some("list")
                    aria-controls=on_complete.is_some().then(|| list_id.clone())
                    aria-activedescendant=move || current.with(|c| c.as_ref().filter(|c| !c.items.is_empty()).map(|_| format!("{list_id_a}-{}", active.get())))
                    on:scroll=move |_| sync_scroll()
                    on:keydown=on_key
                ></textarea>
            </div>
            {move || current.get().map(|c| {
                let sig = c.signature.clone().map(|(sig, doc)| view! {
                    <p class="editor-signature" role="status" aria-label="Signature help"><code>{sig}</code>" — "{doc}</p>
                });
                let doc = c.items.get(active.get()).map(|i| i.doc.clone()).filter(|d| !d.is_empty());
                let items = c.items.into_iter().enumerate().map(|(i, item)| {
                    let id = format!("{list_id_b}-{i}");
                    view! {
                        <li role="option" id=id class="editor-option" class:is-active=move || active.get() == i aria-selected=move || (active.get() == i).to_string() title=item.doc.clone()
                            on:mousedown=move |ev| { ev.prevent_default(); accept(i); }>
                            <span class="editor-option-label">{item.label}</span>
                            <span class="editor-option-kind">{item.kind}</span>
                            <span class="editor-option-detail">{item.detail}</span>
                        </li>
                    }
                }).collect_view();
                view! {
                    {sig}
                    <ul role="listbox" id=list_id_c.clone() class="editor-completions" aria-label="Completions">{items}</ul>
                    {doc.map(|d| view! { <p class="editor-option-doc" aria-label="Completion documentation">{d}</p> })}
                }
            })}
            <p class="editor-help" id=help_id>
                "Ctrl+Enter (⌘+Enter) runs the query; Esc cancels it while it runs. Ctrl+Space lists what may come at the cursor (arrows choose, Enter or Tab inserts, Esc closes). Tab indents; press Esc, then Tab, to leave the editor."
            </p>
            {move || list(true)}
            {move || list(false)}
        </div>
    }
}

/// Tab: two spaces over the selection. `insertText` keeps the browser's undo history; where it
/// is unavailable, `setRangeText` does the edit without it.
fn insert_spaces(area: &web_sys::HtmlTextAreaElement) {
    let inserted = area
        .owner_document()
        .and_then(|d| d.dyn_into::<web_sys::HtmlDocument>().ok())
        .and_then(|d| {
            d.exec_command_with_show_ui_and_value("insertText", false, "  ")
                .ok()
        })
        .unwrap_or(false);
    if !inserted {
        let start = area.selection_start().ok().flatten().unwrap_or(0);
        let end = area.selection_end().ok().flatten().unwrap_or(start);
        let _ = area.set_range_text_with_start_and_end_and_mode("  ", start, end, "end");
    }
}

// Pure text logic only: these run on the host (`cargo test -p trailscope-app`) and in wasm.
#[cfg(test)]
mod tests {
    use super::*;
    use Kind::*;

    #[test]
    fn utf16_offsets() {
        let s = "a😀é\nb";
        let cases = [(0, 0), (1, 1), (3, 5), (4, 7), (5, 8), (6, 9), (99, 9)];
        for (u16_at, byte) in cases {
            assert_eq!(utf16_to_byte(s, u16_at), byte, "{u16_at}");
        }
        assert_eq!(line_col(s, 6), "line 2, column 2");
        assert_eq!(line_col(s, 3), "line 1, column 3");
    }

    fn diag(start: usize, end: usize, error: bool) -> DiagnosticInfo {
        DiagnosticInfo {
            code: "E302".into(),
            error,
            message: "m".into(),
            start,
            end,
            label: "".into(),
            hints: vec![],
        }
    }

    #[test]
    fn empty_spans_grow_to_something_visible() {
        assert_eq!(mark_range("abc", &diag(1, 2, true)), 1..2);
        assert_eq!(mark_range("aéc", &diag(1, 1, true)), 1..3);
        assert_eq!(mark_range("abc", &diag(3, 3, true)), 3..4);
        assert_eq!(mark_range("abc", &diag(9, 2, true)), 3..4);
    }

    #[test]
    fn segments_split_tokens_at_marks() {
        let text = "filter abc";
        let toks = highlight(text);
        let marks = [
            (8..9, Mark::Warning),
            (7..10, Mark::Error),
            (10..11, Mark::Warning),
        ];
        let segs: Vec<(Range<usize>, Option<Kind>, Option<Mark>)> = segments(text, &toks, &marks)
            .into_iter()
            .map(|s| (s.range, s.kind, s.mark))
            .collect();
        assert_eq!(
            segs,
            [
                (0..6, Some(Command), None),
                (6..7, None, None),
                (7..10, Some(Field), Some(Mark::Error)),
                (10..11, None, Some(Mark::Warning)),
            ]
        );
        let plain = segments("a b", &highlight("a b"), &[]);
        assert_eq!(plain.last().map(|s| s.range.end), Some(3));
    }
}
