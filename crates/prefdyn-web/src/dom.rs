//! DOM helpers that know nothing of the app.

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Document, Element, HtmlInputElement, HtmlSelectElement};

pub fn document() -> Option<Document> {
    web_sys::window()?.document()
}

pub fn element(doc: &Document, id: &str) -> Option<Element> {
    doc.get_element_by_id(id)
}

pub fn input(doc: &Document, id: &str) -> Option<HtmlInputElement> {
    doc.get_element_by_id(id)?.dyn_into().ok()
}

pub fn select(doc: &Document, id: &str) -> Option<HtmlSelectElement> {
    doc.get_element_by_id(id)?.dyn_into().ok()
}

/// The value of an `<input>` or `<select>`.
pub fn value_of(doc: &Document, id: &str) -> Option<String> {
    input(doc, id)
        .map(|i| i.value())
        .or_else(|| select(doc, id).map(|s| s.value()))
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

pub fn set_html(doc: &Document, id: &str, html: &str) {
    if let Some(el) = doc.get_element_by_id(id) {
        if el.inner_html() != html {
            el.set_inner_html(html);
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

pub fn set_attr(doc: &Document, id: &str, name: &str, value: &str) {
    if let Some(el) = doc.get_element_by_id(id) {
        let _ = el.set_attribute(name, value);
    }
}

/// HTML-escapes text (for markup built as a string; text set with `set_text` is not escaped).
pub fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
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

/// Adds a listener to element `id` for the page's lifetime; an error names a missing id, so
/// a typo cannot leave a control silently dead.
pub fn on<E: JsCast + 'static>(
    doc: &Document,
    id: &str,
    event: &str,
    f: impl FnMut(E) + 'static,
) -> Result<(), JsValue> {
    let el = doc
        .get_element_by_id(id)
        .ok_or_else(|| JsValue::from_str(&format!("no element #{id} for the {event} listener")))?;
    listen(&el, event, f)
}

/// A listener that is removed when dropped (the light module's, which the full module
/// replaces).
pub struct Listener {
    target: web_sys::EventTarget,
    event: String,
    callback: Closure<dyn FnMut(web_sys::Event)>,
}

impl Drop for Listener {
    fn drop(&mut self) {
        let _ = self.target.remove_event_listener_with_callback(
            &self.event,
            self.callback.as_ref().unchecked_ref(),
        );
    }
}

/// Adds a listener to `target` until the returned [`Listener`] is dropped.
pub fn listen_owned<E: JsCast + 'static>(
    target: &web_sys::EventTarget,
    event: &str,
    mut f: impl FnMut(E) + 'static,
) -> Result<Listener, JsValue> {
    let callback = Closure::<dyn FnMut(web_sys::Event)>::new(move |e: web_sys::Event| {
        if let Ok(e) = e.dyn_into::<E>() {
            f(e);
        }
    });
    target.add_event_listener_with_callback(event, callback.as_ref().unchecked_ref())?;
    Ok(Listener {
        target: target.clone(),
        event: event.to_string(),
        callback,
    })
}

/// [`listen_owned`] on element `id` (an error names a missing id).
pub fn on_owned<E: JsCast + 'static>(
    doc: &Document,
    id: &str,
    event: &str,
    f: impl FnMut(E) + 'static,
) -> Result<Listener, JsValue> {
    let el = doc
        .get_element_by_id(id)
        .ok_or_else(|| JsValue::from_str(&format!("no element #{id} for the {event} listener")))?;
    listen_owned(&el, event, f)
}

/// Adds a listener to any event target for the page's lifetime.
pub fn listen<E: JsCast + 'static>(
    target: &web_sys::EventTarget,
    event: &str,
    mut f: impl FnMut(E) + 'static,
) -> Result<(), JsValue> {
    let cb = Closure::<dyn FnMut(web_sys::Event)>::new(move |e: web_sys::Event| {
        if let Ok(e) = e.dyn_into::<E>() {
            f(e);
        }
    });
    target.add_event_listener_with_callback(event, cb.as_ref().unchecked_ref())?;
    cb.forget();
    Ok(())
}

/// The element an event happened on, or its closest ancestor matching `selector`.
pub fn event_target(e: &web_sys::Event, selector: &str) -> Option<Element> {
    e.target()?
        .dyn_into::<Element>()
        .ok()?
        .closest(selector)
        .ok()
        .flatten()
}

/// A mouse event's position inside its target, in CSS pixels.
pub fn offset_in_target(e: &web_sys::MouseEvent) -> Option<(f64, f64)> {
    let target = e.target()?.dyn_into::<Element>().ok()?;
    let rect = target.get_bounding_client_rect();
    Some((
        e.client_x() as f64 - rect.left(),
        e.client_y() as f64 - rect.top(),
    ))
}

/// Shows tooltip `id` (absolutely positioned in its parent) with `text`, near the point
/// `(x, y)` of the parent in CSS pixels, kept inside the parent's width.
pub fn show_tip(doc: &Document, id: &str, text: &str, x: f64, y: f64) {
    let Some(tip) = doc.get_element_by_id(id) else {
        return;
    };
    set_text(doc, id, text);
    let _ = tip.remove_attribute("hidden");
    let width = tip
        .parent_element()
        .map_or(0.0, |p| p.get_bounding_client_rect().width());
    let tip_w = tip.get_bounding_client_rect().width();
    let left = if x + 14.0 + tip_w <= width {
        x + 14.0
    } else {
        (x - 14.0 - tip_w).max(0.0)
    };
    let _ = tip.set_attribute(
        "style",
        &format!("left:{left:.0}px;top:{:.0}px", (y + 14.0).max(0.0)),
    );
}

/// Hides tooltip `id`.
pub fn hide_tip(doc: &Document, id: &str) {
    set_hidden(doc, id, true);
}

/// Whether a pointer event came from a touch (a finger, not a mouse or a pen).
pub fn is_touch(e: &web_sys::Event) -> bool {
    e.dyn_ref::<web_sys::PointerEvent>()
        .is_some_and(|p| p.pointer_type() == "touch")
}

/// Whether a CSS media query matches (`(max-width: 700px)`).
pub fn matches_media(query: &str) -> bool {
    web_sys::window()
        .and_then(|w| w.match_media(query).ok().flatten())
        .is_some_and(|m| m.matches())
}

pub fn scroll_to(id: &str) {
    if let Some(el) = document().and_then(|d| d.get_element_by_id(id)) {
        el.scroll_into_view();
    }
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

/// Sets `body[name="1"]` (the page's markers for readers and tests).
pub fn set_body_flag(name: &str) {
    if let Some(b) = document().and_then(|d| d.body()) {
        let _ = b.set_attribute(name, "1");
    }
}

/// Dispatches the event `name` on the window (the light and the full module talk so).
pub fn dispatch_event(name: &str) {
    if let (Some(w), Ok(e)) = (web_sys::window(), web_sys::Event::new(name)) {
        let _ = w.dispatch_event(&e);
    }
}

/// Runs `f` in a task of its own (after the current one).
pub fn after_task(f: impl FnOnce() + 'static) {
    if let Some(w) = web_sys::window() {
        let run = Closure::once_into_js(f);
        let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(run.unchecked_ref(), 0);
    }
}

/// Runs `f` once the browser has painted (the next frame, then a task).
pub fn after_paint(f: impl FnOnce() + 'static) {
    let Some(w) = web_sys::window() else { return };
    let task = Closure::once_into_js(move || {
        if let Some(w) = web_sys::window() {
            let run = Closure::once_into_js(f);
            let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(run.unchecked_ref(), 0);
        }
    });
    let _ = w.request_animation_frame(task.unchecked_ref());
}

/// Sets the page's colours (`data-theme` on the root; none: the reader's setting).
/// Returns whether they changed, so that the charts are redrawn in the new colours.
pub fn apply_theme(doc: &Document, theme: prefdyn::config::Theme) -> bool {
    use prefdyn::config::{Keyed, Theme};
    let Some(root) = doc.document_element() else {
        return false;
    };
    let before = root.get_attribute("data-theme");
    let after = match theme {
        Theme::Auto => None,
        t => Some(t.key()),
    };
    if before.as_deref() == after {
        return false;
    }
    let _ = match after {
        Some(t) => root.set_attribute("data-theme", t),
        None => root.remove_attribute("data-theme"),
    };
    true
}
