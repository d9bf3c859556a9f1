//! Small DOM helpers.

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Document, HtmlInputElement, HtmlSelectElement};

pub fn document() -> Option<Document> {
    web_sys::window()?.document()
}

pub fn input(doc: &Document, id: &str) -> Option<HtmlInputElement> {
    doc.get_element_by_id(id)?.dyn_into().ok()
}

pub fn select(doc: &Document, id: &str) -> Option<HtmlSelectElement> {
    doc.get_element_by_id(id)?.dyn_into().ok()
}

/// Sets the value of an `<input>` or `<select>` (skipped while the user is typing in it).
pub fn set_value(doc: &Document, id: &str, value: &str) {
    if let Some(i) = input(doc, id) {
        let focused = doc.active_element().map(|a| a.id() == id).unwrap_or(false);
        if i.value() != value && !(focused && i.type_() != "range") {
            i.set_value(value);
        }
    } else if let Some(s) = select(doc, id) {
        if s.value() != value {
            s.set_value(value);
        }
    }
}

pub fn set_text(doc: &Document, id: &str, text: &str) {
    if let Some(el) = doc.get_element_by_id(id) {
        if el.text_content().as_deref() != Some(text) {
            el.set_text_content(Some(text));
        }
    }
}

pub fn set_hidden(doc: &Document, id: &str, hidden: bool) {
    if let Some(el) = doc.get_element_by_id(id) {
        let _ = if hidden {
            el.set_attribute("hidden", "")
        } else {
            el.remove_attribute("hidden")
        };
    }
}

/// HTML-escapes text.
pub fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

/// Percent-encodes a query value.
pub fn encode(s: &str) -> String {
    js_sys::encode_uri_component(s).into()
}

pub fn log_error(msg: &str) {
    web_sys::console::error_1(&JsValue::from_str(msg));
}

pub fn now() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map(|p| p.now())
        .unwrap_or(0.0)
}

/// Adds an event listener by element id (kept for the page's lifetime).
pub fn on(
    doc: &Document,
    id: &str,
    event: &str,
    f: impl FnMut(web_sys::Event) + 'static,
) -> Result<(), JsValue> {
    let Some(el) = doc.get_element_by_id(id) else {
        return Ok(());
    };
    let cb = Closure::<dyn FnMut(web_sys::Event)>::new(f);
    el.add_event_listener_with_callback(event, cb.as_ref().unchecked_ref())?;
    cb.forget();
    Ok(())
}

pub fn on_mouse(
    doc: &Document,
    id: &str,
    event: &str,
    f: impl FnMut(web_sys::MouseEvent) + 'static,
) -> Result<(), JsValue> {
    let Some(el) = doc.get_element_by_id(id) else {
        return Ok(());
    };
    let cb = Closure::<dyn FnMut(web_sys::MouseEvent)>::new(f);
    el.add_event_listener_with_callback(event, cb.as_ref().unchecked_ref())?;
    cb.forget();
    Ok(())
}

/// A `requestAnimationFrame` callback, kept for the page's lifetime.
pub type FrameCallback = Closure<dyn FnMut(f64)>;

/// Where a self-rescheduling frame loop keeps its callback.
pub type FrameSlot = std::thread::LocalKey<std::cell::RefCell<Option<FrameCallback>>>;

/// Requests the next animation frame for the loop in `slot`, creating its callback with
/// `make` the first time (the callback calls this again to keep the loop going).
pub fn request_frame(slot: &'static FrameSlot, make: impl FnOnce() -> FrameCallback) {
    slot.with(|f| {
        if f.borrow().is_none() {
            *f.borrow_mut() = Some(make());
        }
        if let (Some(cb), Some(w)) = (f.borrow().as_ref(), web_sys::window()) {
            let _ = w.request_animation_frame(cb.as_ref().unchecked_ref());
        }
    });
}
