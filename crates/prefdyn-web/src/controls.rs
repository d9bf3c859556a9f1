//! Controls bound to the table of URL fields: every element whose id is a URL key gets the
//! field's bounds, step, options and help; its events become typed edits of that field;
//! `sync` writes the configuration back into them. Sliders over ranges that span orders
//! of magnitude (β, T, speed) move in log₁₀; each slider's `KEY-num` box takes the exact
//! value within the same bounds. A `.new-seed` button draws a fresh seed for its field.

use prefdyn::config::{
    field, field_text, format_float, log_stops, nearest_stop, Config, Field, Kind, Scale, FIELDS,
};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Document, Element, HtmlInputElement, HtmlSelectElement};

use crate::dom::{self, escape, input, on, on_owned, set_value, Listener};
use crate::model::Change;
use crate::store::{self, HistoryMode};

/// Whether element `el` is a range slider.
fn slider(el: &Element) -> Option<HtmlInputElement> {
    el.clone()
        .dyn_into::<HtmlInputElement>()
        .ok()
        .filter(|i| i.type_() == "range")
}

/// The numeric range of a field, and whether it is logarithmic.
fn range(f: &Field) -> Option<(f64, f64, f64, bool)> {
    match f.kind {
        Kind::Number {
            min,
            max,
            step,
            scale,
        } => Some((min, max, step, scale == Scale::Log)),
        Kind::Whole { min, max, scale } => Some((min as f64, max as f64, 1.0, scale == Scale::Log)),
        Kind::Count { max, .. } => Some((1.0, max as f64, 1.0, false)),
        _ => None,
    }
}

/// The stops of a logarithmic slider (its positions are their indices), or `None` for a
/// linear one.
fn stops(f: &Field) -> Option<Vec<f64>> {
    match range(f) {
        Some((min, max, _, true)) => {
            Some(log_stops(min, max, matches!(f.kind, Kind::Whole { .. })))
        }
        _ => None,
    }
}

/// The text a slider's position stands for: a linear slider's value, or the round value a
/// logarithmic slider's stop stands for.
fn slider_text(f: &Field, position: f64) -> String {
    match stops(f) {
        Some(s) => {
            let i = (position.max(0.0).round() as usize).min(s.len().saturating_sub(1));
            format_float(s.get(i).copied().unwrap_or(position))
        }
        None => format_float(position),
    }
}

fn configure(el: &Element, f: &Field) {
    let _ = el.set_attribute("title", f.help);
    let _ = el.set_attribute("aria-label", f.label);
    if let Some((min, max, step, _)) = range(f) {
        // A logarithmic slider moves over the indices of its round stops (one per key press).
        let (lo, hi, st) = match (slider(el).is_some(), stops(f)) {
            (true, Some(s)) => {
                let list: Vec<String> = s.iter().map(|v| format_float(*v)).collect();
                let _ = el.set_attribute("data-stops", &list.join(","));
                (0.0, s.len().saturating_sub(1) as f64, 1.0)
            }
            _ => (min, max, step),
        };
        let _ = el.set_attribute("min", &format_float(lo));
        let _ = el.set_attribute("max", &format_float(hi));
        let _ = el.set_attribute("step", &format_float(st));
    }
    if let (Kind::Choice(options), Ok(sel)) = (f.kind, el.clone().dyn_into::<HtmlSelectElement>()) {
        let html: String = options()
            .iter()
            .map(|(k, t)| format!("<option value=\"{}\">{}</option>", escape(k), escape(t)))
            .collect();
        sel.set_inner_html(&html);
    }
}

/// What a control's edit does: the full module dispatches it, the light module runs its
/// own first view.
pub type OnEdit = fn(key: &'static str, raw: String, mode: HistoryMode);

/// The full module's edit: a typed edit of one field, dispatched.
fn edit(key: &'static str, raw: String, mode: HistoryMode) {
    let change = Change::Edit {
        key: key.to_string(),
        raw,
    };
    store::dispatch(change, mode);
}

/// Slider: `input` replaces the history entry while dragging, `change` pushes one.
fn wire_slider(
    doc: &Document,
    f: &'static Field,
    on_edit: OnEdit,
) -> Result<[Listener; 2], JsValue> {
    let value = |e: &web_sys::Event| {
        e.target()
            .and_then(|t| t.dyn_into::<HtmlInputElement>().ok())
            .map(|i| i.value_as_number())
    };
    let moving = on_owned(doc, f.key, "input", move |e: web_sys::Event| {
        if let Some(v) = value(&e) {
            on_edit(f.key, slider_text(f, v), HistoryMode::DragMove);
        }
    })?;
    let released = on_owned(doc, f.key, "change", move |e: web_sys::Event| {
        if let Some(v) = value(&e) {
            on_edit(f.key, slider_text(f, v), HistoryMode::DragEnd);
        }
    })?;
    Ok([moving, released])
}

/// The sliders `keys` with their exact-value boxes, configured and bound to `on_edit` until
/// the listeners are dropped (the light module's first view).
pub fn bind_sliders(
    doc: &Document,
    keys: &[&str],
    on_edit: OnEdit,
) -> Result<Vec<Listener>, JsValue> {
    let mut out = vec![];
    for f in FIELDS.iter().filter(|f| keys.contains(&f.key)) {
        if let Some(el) = doc.get_element_by_id(f.key) {
            configure(&el, f);
            out.extend(wire_slider(doc, f, on_edit)?);
        }
        let num = format!("{}-num", f.key);
        if let Some(el) = doc.get_element_by_id(&num) {
            configure_exact(&el, f);
            out.push(on_owned(doc, &num, "change", move |e: web_sys::Event| {
                if let Some(i) = e
                    .target()
                    .and_then(|t| t.dyn_into::<HtmlInputElement>().ok())
                {
                    on_edit(f.key, i.value(), HistoryMode::Push);
                }
            })?);
        }
    }
    Ok(out)
}

/// The exact-value box of a slider: the field's own bounds (linear), any value in them.
fn configure_exact(el: &Element, f: &Field) {
    let _ = el.set_attribute("title", f.help);
    if let Some((min, max, _, _)) = range(f) {
        let _ = el.set_attribute("min", &format_float(min));
        let _ = el.set_attribute("max", &format_float(max));
        let whole = matches!(f.kind, Kind::Whole { .. } | Kind::Count { .. });
        let _ = el.set_attribute("step", if whole { "1" } else { "any" });
    }
}

/// A fresh seed from the browser's entropy (`crypto.getRandomValues` through `getrandom`).
fn fresh_seed() -> Option<u32> {
    getrandom::u32().ok()
}

/// Typed values (`input.exact`, on change) and new seeds (`.new-seed`, on click), by
/// delegation: the element's `data-field` names the URL key.
fn wire_delegated(doc: &Document) -> Result<(), JsValue> {
    dom::listen(doc, "change", |e: web_sys::Event| {
        let Some(el) = dom::event_target(&e, "input.exact") else {
            return;
        };
        let (Some(key), Ok(i)) = (
            el.get_attribute("data-field"),
            el.dyn_into::<HtmlInputElement>(),
        ) else {
            return;
        };
        if let Some(f) = field(&key) {
            edit(f.key, i.value(), HistoryMode::Push);
            // The box keeps the focus, so `sync` left it alone: show what applied.
            if let Some(text) = store::read(|app| field_text(&app.config, f)).flatten() {
                i.set_value(&text);
            }
        }
    })?;
    dom::listen(doc, "click", |e: web_sys::Event| {
        let Some(key) =
            dom::event_target(&e, ".new-seed").and_then(|b| b.get_attribute("data-field"))
        else {
            return;
        };
        match (field(&key), fresh_seed()) {
            (Some(f), Some(seed)) => edit(f.key, seed.to_string(), HistoryMode::Push),
            (Some(f), None) => store::dispatch(
                Change::Note {
                    field: f.key.into(),
                    message: Some(
                        "the browser gave no entropy for a new seed; type one instead".into(),
                    ),
                },
                HistoryMode::None,
            ),
            _ => {}
        }
    })
}

/// Binds every element whose id is a URL key to its field.
pub fn bind(doc: &Document) -> Result<(), JsValue> {
    wire_delegated(doc)?;
    for f in FIELDS {
        if let Some(el) = doc.get_element_by_id(&format!("{}-num", f.key)) {
            configure_exact(&el, f);
        }
        let Some(el) = doc.get_element_by_id(f.key) else {
            continue;
        };
        configure(&el, f);
        if slider(&el).is_some() {
            // The page's lifetime.
            std::mem::forget(wire_slider(doc, f, edit)?);
        } else {
            on(doc, f.key, "change", move |_: web_sys::Event| {
                if let Some(raw) = document_value(f.key) {
                    edit(f.key, raw, HistoryMode::Push);
                }
            })?;
        }
    }
    Ok(())
}

fn document_value(id: &str) -> Option<String> {
    crate::dom::document().and_then(|d| crate::dom::value_of(&d, id))
}

/// Writes the configuration into every bound control (and its `KEY-num` box).
pub fn sync(doc: &Document, c: &Config) {
    for f in FIELDS {
        let Some(el) = doc.get_element_by_id(f.key) else {
            continue;
        };
        let Some(text) = field_text(c, f) else {
            continue;
        };
        match (slider(&el), stops(f)) {
            (Some(i), Some(s)) => {
                if let Ok(v) = text.parse::<f64>() {
                    i.set_value_as_number(nearest_stop(&s, v) as f64);
                }
            }
            // A number box shows an infinite count as its placeholder (∞).
            _ if matches!(f.kind, Kind::Count { .. }) && text == "inf" => set_value(doc, f.key, ""),
            _ => set_value(doc, f.key, &text),
        }
        set_value(doc, &format!("{}-num", f.key), &text);
        // A slider says its value in the field's own units (β, not log₁₀ β).
        if let Some(i) = input(doc, f.key).filter(|i| i.type_() == "range") {
            let _ = i.set_attribute("aria-valuetext", &text);
        }
    }
}
