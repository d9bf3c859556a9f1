//! The content height of a page of this site at a given width, measured in a hidden frame:
//! the frame's page reports its height with `postMessage({source: "prefdyn", type:
//! "resize", height})` as every embed does. Knows nothing of the app.

use std::cell::RefCell;
use std::rc::Rc;

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{HtmlIFrameElement, MessageEvent};

/// Milliseconds to wait after the first height for later ones (fonts, a second layout).
const SETTLE_MS: i32 = 400;
/// Milliseconds after which the measurement gives up.
const GIVE_UP_MS: i32 = 8000;

/// What a measurement holds until it ends.
struct Pending {
    frame: HtmlIFrameElement,
    height: Option<f64>,
    done: Option<Box<dyn FnOnce(Option<f64>)>>,
    on_message: Option<Closure<dyn FnMut(MessageEvent)>>,
}

type Shared = Rc<RefCell<Pending>>;

/// Ends the measurement once: removes the frame and the listener, calls `done`.
fn finish(p: &Shared) {
    let (done, height) = {
        let mut p = p.borrow_mut();
        let Some(done) = p.done.take() else { return };
        p.frame.remove();
        if let (Some(w), Some(cb)) = (web_sys::window(), p.on_message.as_ref()) {
            let _ = w.remove_event_listener_with_callback("message", cb.as_ref().unchecked_ref());
        }
        (done, p.height)
    };
    done(height);
}

/// Ends the measurement in `ms` milliseconds (the callback frees itself once called).
fn after(p: &Shared, ms: i32) {
    let Some(w) = web_sys::window() else { return };
    let again = p.clone();
    let cb = Closure::once_into_js(move || finish(&again));
    let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(cb.unchecked_ref(), ms);
}

/// Loads `url` in a hidden frame `width` CSS pixels wide and calls `done` with the largest
/// content height it reports (`None` when it reports none within a few seconds).
pub fn content_height(url: &str, width: u32, done: impl FnOnce(Option<f64>) + 'static) {
    let Some((win, doc)) = web_sys::window().and_then(|w| w.document().map(|d| (w, d))) else {
        return done(None);
    };
    let Some(frame) = doc
        .create_element("iframe")
        .ok()
        .and_then(|f| f.dyn_into::<HtmlIFrameElement>().ok())
    else {
        return done(None);
    };
    let _ = frame.set_attribute(
        "style",
        &format!("position:absolute;left:-10000px;top:0;width:{width}px;height:100px;border:0;visibility:hidden"),
    );
    let _ = frame.set_attribute("aria-hidden", "true");
    let _ = frame.set_attribute("tabindex", "-1");
    let _ = frame.set_attribute("title", "measuring the embed");
    frame.set_src(url);
    let pending: Shared = Rc::new(RefCell::new(Pending {
        frame: frame.clone(),
        height: None,
        done: Some(Box::new(done)),
        on_message: None,
    }));
    let weak = Rc::downgrade(&pending);
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
        let Some(p) = weak.upgrade() else { return };
        let from_frame = {
            let pb = p.borrow();
            let source = e.source().map(JsValue::from);
            let window = pb.frame.content_window().map(JsValue::from);
            source.is_some() && source == window
        };
        let data = e.data();
        let field = |k: &str| js_sys::Reflect::get(&data, &JsValue::from_str(k)).ok();
        let is_resize = field("source").and_then(|v| v.as_string()).as_deref() == Some("prefdyn")
            && field("type").and_then(|v| v.as_string()).as_deref() == Some("resize");
        let Some(h) = field("height").and_then(|v| v.as_f64()) else {
            return;
        };
        if !(from_frame && is_resize && h.is_finite()) {
            return;
        }
        let first = {
            let mut pb = p.borrow_mut();
            let first = pb.height.is_none();
            pb.height = Some(pb.height.map_or(h, |old| old.max(h)));
            first
        };
        if first {
            after(&p, SETTLE_MS);
        }
    });
    let _ = win.add_event_listener_with_callback("message", on_message.as_ref().unchecked_ref());
    pending.borrow_mut().on_message = Some(on_message);
    after(&pending, GIVE_UP_MS);
    if let Some(body) = doc.body() {
        let _ = body.append_child(&frame);
    }
}
