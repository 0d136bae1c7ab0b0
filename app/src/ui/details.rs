//! Field details: one record of a result as pretty-printed JSON in a dialog, with previous/next.
//!
//! Also the JSON value both record dialogs show ([`Json`], which keeps the record's key order,
//! unlike `serde_json::Value` without `preserve_order`) and the dialog plumbing they share
//! (focus trapped inside while open, given back on close). All log text becomes text nodes.

use std::fmt;

use leptos::ev;
use leptos::html;
use leptos::prelude::*;
use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use wasm_bindgen::JsCast;

/// A JSON value with object keys in document order (the record's column order matters).
#[derive(Clone, Debug, PartialEq)]
pub enum Json {
    Null,
    Bool(bool),
    Number(serde_json::Number),
    String(String),
    Array(Vec<Json>),
    Object(Vec<(String, Json)>),
}

impl Json {
    /// Parses JSON text (serde_json's parser, so nesting is capped at 128 levels).
    pub fn parse(text: &str) -> Result<Json, String> {
        serde_json::from_str(text).map_err(|e| e.to_string())
    }

    /// The value as `serde_json::Value` when it is a scalar (arrays and objects give `None`).
    pub fn scalar(&self) -> Option<serde_json::Value> {
        Some(match self {
            Json::Null => serde_json::Value::Null,
            Json::Bool(b) => serde_json::Value::Bool(*b),
            Json::Number(n) => serde_json::Value::Number(n.clone()),
            Json::String(s) => serde_json::Value::String(s.clone()),
            Json::Array(_) | Json::Object(_) => return None,
        })
    }

    /// Indented JSON text (two spaces), keys in order.
    pub fn pretty(&self) -> String {
        tokens(self, true).into_iter().map(|(_, t)| t).collect()
    }

    /// JSON text on one line.
    pub fn compact(&self) -> String {
        tokens(self, false).into_iter().map(|(_, t)| t).collect()
    }
}

impl<'de> Deserialize<'de> for Json {
    fn deserialize<D: Deserializer<'de>>(de: D) -> Result<Self, D::Error> {
        de.deserialize_any(JsonVisitor)
    }
}

struct JsonVisitor;

impl<'de> Visitor<'de> for JsonVisitor {
    type Value = Json;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_unit<E>(self) -> Result<Json, E> {
        Ok(Json::Null)
    }

    fn visit_none<E>(self) -> Result<Json, E> {
        Ok(Json::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, de: D) -> Result<Json, D::Error> {
        Json::deserialize(de)
    }

    fn visit_bool<E>(self, b: bool) -> Result<Json, E> {
        Ok(Json::Bool(b))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Json, E> {
        Ok(Json::Number(v.into()))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Json, E> {
        Ok(Json::Number(v.into()))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Json, E> {
        Ok(serde_json::Number::from_f64(v).map_or(Json::Null, Json::Number))
    }

    fn visit_str<E>(self, s: &str) -> Result<Json, E> {
        Ok(Json::String(s.to_owned()))
    }

    fn visit_string<E>(self, s: String) -> Result<Json, E> {
        Ok(Json::String(s))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Json, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Json::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Json, A::Error> {
        let mut fields = Vec::new();
        while let Some(entry) = map.next_entry::<String, Json>()? {
            fields.push(entry);
        }
        Ok(Json::Object(fields))
    }
}

/// What a piece of printed JSON is, for colouring.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenKind {
    /// Brackets, commas, colons and whitespace.
    Punct,
    Key,
    Str,
    Num,
    Bool,
    Null,
}

impl TokenKind {
    pub fn class(self) -> &'static str {
        match self {
            TokenKind::Punct => "details-punct",
            TokenKind::Key => "details-key",
            TokenKind::Str => "details-string",
            TokenKind::Num => "details-number",
            TokenKind::Bool => "details-bool",
            TokenKind::Null => "details-null",
        }
    }
}

/// `json` printed as JSON text in coloured pieces (adjacent pieces of one kind are merged).
pub fn tokens(json: &Json, pretty: bool) -> Vec<(TokenKind, String)> {
    let mut out = Vec::new();
    write_tokens(json, if pretty { Some(0) } else { None }, &mut out);
    out
}

fn push(out: &mut Vec<(TokenKind, String)>, kind: TokenKind, text: &str) {
    match out.last_mut() {
        Some((k, t)) if *k == kind => t.push_str(text),
        _ => out.push((kind, text.to_string())),
    }
}

fn quote(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_default()
}

/// `indent`: the current depth when pretty-printing, `None` for one line.
fn write_tokens(json: &Json, indent: Option<usize>, out: &mut Vec<(TokenKind, String)>) {
    let newline = |out: &mut Vec<(TokenKind, String)>, depth: usize| {
        if indent.is_some() {
            push(out, TokenKind::Punct, &format!("\n{}", "  ".repeat(depth)));
        }
    };
    let depth = indent.unwrap_or(0);
    let inner = indent.map(|d| d + 1);
    match json {
        Json::Null => push(out, TokenKind::Null, "null"),
        Json::Bool(b) => push(out, TokenKind::Bool, if *b { "true" } else { "false" }),
        Json::Number(n) => push(out, TokenKind::Num, &n.to_string()),
        Json::String(s) => push(out, TokenKind::Str, &quote(s)),
        Json::Array(items) if items.is_empty() => push(out, TokenKind::Punct, "[]"),
        Json::Object(fields) if fields.is_empty() => push(out, TokenKind::Punct, "{}"),
        Json::Array(items) => {
            push(out, TokenKind::Punct, "[");
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    push(out, TokenKind::Punct, ",");
                }
                newline(out, depth + 1);
                write_tokens(item, inner, out);
            }
            newline(out, depth);
            push(out, TokenKind::Punct, "]");
        }
        Json::Object(fields) => {
            push(out, TokenKind::Punct, "{");
            for (i, (key, value)) in fields.iter().enumerate() {
                if i > 0 {
                    push(out, TokenKind::Punct, ",");
                }
                newline(out, depth + 1);
                push(out, TokenKind::Key, &quote(key));
                push(
                    out,
                    TokenKind::Punct,
                    if indent.is_some() { ": " } else { ":" },
                );
                write_tokens(value, inner, out);
            }
            newline(out, depth);
            push(out, TokenKind::Punct, "}");
        }
    }
}

/// `1204` → `1,204`.
pub fn group_digits(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

/// Gives focus back to whatever had it when the calling component was created, once that
/// component goes away (a dialog closing returns the user to the row they came from).
pub(crate) fn restore_focus_on_cleanup() {
    let previous = StoredValue::new_local(document().active_element());
    on_cleanup(move || {
        let element = previous.try_get_value().flatten();
        if let Some(el) = element.and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok()) {
            let _ = el.focus();
        }
    });
}

/// Keeps Tab and Shift+Tab inside a modal dialog: past the last control focus wraps to the first.
pub(crate) fn trap_tab(dialog: &web_sys::Element, ev: &ev::KeyboardEvent) {
    let Ok(list) = dialog.query_selector_all(
        "button:not([disabled]), input:not([disabled]), [tabindex='0'], a[href]",
    ) else {
        return;
    };
    let focusable: Vec<web_sys::HtmlElement> = (0..list.length())
        .filter_map(|i| list.item(i))
        .filter_map(|n| n.dyn_into().ok())
        .collect();
    let (Some(first), Some(last)) = (focusable.first(), focusable.last()) else {
        return;
    };
    let active = document().active_element();
    let is = |el: &web_sys::HtmlElement| active.as_ref() == Some(el.unchecked_ref());
    let at_dialog = active.as_ref() == Some(dialog);
    let target = if ev.shift_key() && (is(first) || at_dialog) {
        last
    } else if !ev.shift_key() && is(last) {
        first
    } else {
        return;
    };
    ev.prevent_default();
    let _ = target.focus();
}

/// The "View field details" dialog. Mount it while it is open (e.g. inside `<Show>`): it takes
/// focus on mount and gives it back when unmounted. `json` is `None` while the row loads.
#[component]
pub fn FieldDetails(
    /// The row as a JSON object (`Response::Record`), `None` while it is on its way.
    #[prop(into)]
    json: Signal<Option<String>>,
    /// The row shown (0-based).
    #[prop(into)]
    row: Signal<Option<usize>>,
    /// Rows in the result.
    #[prop(into)]
    row_count: Signal<usize>,
    /// Step to the previous (-1) or next (+1) row; only called when there is one.
    on_move: Callback<i64>,
    on_close: Callback<()>,
    /// "Pin as evidence" (toggles); no button without it.
    #[prop(optional)]
    on_pin: Option<Callback<()>>,
    /// Whether the record shown is pinned.
    #[prop(optional, into)]
    pinned: Signal<bool>,
) -> impl IntoView {
    let dialog: NodeRef<html::Div> = NodeRef::new();
    restore_focus_on_cleanup();
    dialog.on_load(|el| {
        let _ = el.focus();
    });

    let printed = Memo::new(move |_| {
        json.with(|j| {
            j.as_deref()
                .map(|text| Json::parse(text).map(|v| tokens(&v, true)))
        })
    });
    let can_prev = move || row.get().is_some_and(|r| r > 0);
    let can_next = move || row.get().is_some_and(|r| r + 1 < row_count.get());
    let prev = move || {
        if untrack(can_prev) {
            on_move.run(-1);
        }
    };
    let next = move || {
        if untrack(can_next) {
            on_move.run(1);
        }
    };
    let position = move || {
        row.get().map_or_else(String::new, |r| {
            format!(
                "Record {} of {}",
                group_digits(r + 1),
                group_digits(row_count.get())
            )
        })
    };

    let on_key = move |ev: ev::KeyboardEvent| {
        if ev.ctrl_key() || ev.alt_key() || ev.meta_key() {
            return;
        }
        match ev.key().as_str() {
            "ArrowUp" | "ArrowLeft" => prev(),
            "ArrowDown" | "ArrowRight" => next(),
            "Escape" => on_close.run(()),
            "Tab" => {
                if let Some(el) = dialog.get_untracked() {
                    trap_tab(&el, &ev);
                }
                return;
            }
            _ => return,
        }
        ev.prevent_default();
    };
    let on_backdrop = move |ev: ev::MouseEvent| {
        if ev.target() == ev.current_target() {
            on_close.run(());
        }
    };

    let body = move || match printed.get() {
        None => view! { <p class="details-status">"Loading…"</p> }.into_any(),
        Some(Err(err)) => view! {
            <p class="details-status" role="alert">
                "This record could not be shown: "
                {err}
            </p>
        }
        .into_any(),
        Some(Ok(pieces)) => {
            let spans = pieces
                .into_iter()
                .map(|(kind, text)| view! { <span class=kind.class()>{text}</span> })
                .collect_view();
            view! {
                <pre class="details-json" role="region" aria-label="Record as JSON" tabindex="0">
                    {spans}
                </pre>
            }
            .into_any()
        }
    };

    view! {
        <div class="details-backdrop" on:click=on_backdrop>
            <div
                class="details-dialog"
                role="dialog"
                aria-modal="true"
                aria-label="Field details"
                tabindex="-1"
                node_ref=dialog
                on:keydown=on_key
            >
                <div class="details-header">
                    <h2 class="details-title">"Field details"</h2>
                    <span class="details-position" aria-live="polite">{position}</span>
                    <div class="details-nav">
                        <button
                            type="button"
                            aria-disabled=move || if can_prev() { "false" } else { "true" }
                            aria-keyshortcuts="ArrowUp ArrowLeft"
                            on:click=move |_| prev()
                        >
                            "Previous record"
                        </button>
                        <button
                            type="button"
                            aria-disabled=move || if can_next() { "false" } else { "true" }
                            aria-keyshortcuts="ArrowDown ArrowRight"
                            on:click=move |_| next()
                        >
                            "Next record"
                        </button>
                        {pin_button(on_pin, pinned)}
                        <button
                            type="button"
                            aria-keyshortcuts="Escape"
                            on:click=move |_| on_close.run(())
                        >
                            "Close"
                        </button>
                    </div>
                </div>
                {body}
            </div>
        </div>
    }
}

/// The "Pin as evidence" toggle both record dialogs show when given `on_pin`.
pub fn pin_button(on_pin: Option<Callback<()>>, pinned: Signal<bool>) -> impl IntoView {
    on_pin.map(|pin| {
        view! {
            <button
                type="button"
                class="pin"
                aria-pressed=move || pinned.get().to_string()
                title="Keep this record with the case as evidence (press again to unpin)"
                on:click=move |_| pin.run(())
            >
                "Pin as evidence"
            </button>
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_keep_their_order() {
        let j = Json::parse(r#"{"b":1,"a":[true,null,"x"],"c":{}}"#).unwrap();
        assert_eq!(j.compact(), r#"{"b":1,"a":[true,null,"x"],"c":{}}"#);
    }

    #[test]
    fn pretty_printing_indents_two_spaces() {
        let j = Json::parse(r#"{"a":[1,2.5],"b":{"c":"<img src=x>"},"d":[]}"#).unwrap();
        assert_eq!(
            j.pretty(),
            "{\n  \"a\": [\n    1,\n    2.5\n  ],\n  \"b\": {\n    \"c\": \"<img src=x>\"\n  },\n  \"d\": []\n}"
        );
    }

    #[test]
    fn tokens_are_coloured_by_kind() {
        let j = Json::parse(r#"{"k":"v","n":-3,"t":false,"z":null}"#).unwrap();
        let kinds: Vec<TokenKind> = tokens(&j, false).into_iter().map(|(k, _)| k).collect();
        use TokenKind::*;
        assert_eq!(
            kinds,
            [
                Punct, Key, Punct, Str, Punct, Key, Punct, Num, Punct, Key, Punct, Bool, Punct,
                Key, Punct, Null, Punct
            ]
        );
    }

    #[test]
    fn strings_are_escaped_when_printed() {
        let j = Json::parse(r#"["a\"b\\c\nd"]"#).unwrap();
        assert_eq!(j.compact(), r#"["a\"b\\c\nd"]"#);
    }

    #[test]
    fn digits_are_grouped_in_thousands() {
        for (n, s) in [
            (0, "0"),
            (999, "999"),
            (1_204, "1,204"),
            (1_000_000, "1,000,000"),
        ] {
            assert_eq!(group_digits(n), s);
        }
    }
}
