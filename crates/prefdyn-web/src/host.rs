//! The frame's side of the message protocol with the page that embeds it (any origin).
//! Frame → host, `{source: "prefdyn", type, ...}`: `ready` (the canonical query, the
//! version and the run in brief, once per page), `update` after every change (throttled:
//! at most one per [`UPDATE_MS`], the last one always sent), `resize`
//! ([`crate::sections::hero`]) and `error` (a refused message, named). Host → frame: read by [`crate::model::message`]
//! and accepted only from the parent window. A module that cannot carry out a request
//! keeps it ([`defer`]) for the module that takes over ([`take_deferred`]).

use std::cell::{Cell, RefCell};

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::dom::{self, Listener};
use crate::model::message::{
    read, Field, HostMessage, Inbound, MessageData, Summary, Update, FRAME_SOURCE, MAX_KEYS,
};

/// The version this page runs (shown on the page and sent with `ready`).
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
/// The shortest time between two `update` messages, in milliseconds.
pub const UPDATE_MS: f64 = 100.0;
/// The window property that says `ready` was sent (by either module).
const READY_FLAG: &str = "__prefdynReady";
/// The window property holding host messages kept for the full module.
const INBOX: &str = "__prefdynInbox";

thread_local! {
    static LAST_UPDATE: Cell<f64> = const { Cell::new(f64::NEG_INFINITY) };
    static UPDATE_PENDING: Cell<bool> = const { Cell::new(false) };
    static LAST_SENT: RefCell<Option<Update>> = const { RefCell::new(None) };
}

/// The parent window, when the page is in a frame.
fn parent() -> Option<web_sys::Window> {
    let win = web_sys::window()?;
    let parent = win.parent().ok()??;
    (parent != win).then_some(parent)
}

/// Whether the page is in a frame.
pub fn framed() -> bool {
    parent().is_some()
}

/// A message `{source: "prefdyn", type, ...fields}`.
fn message(kind: &str, fields: &[(&str, JsValue)]) -> js_sys::Object {
    let m = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&m, &"source".into(), &FRAME_SOURCE.into());
    let _ = js_sys::Reflect::set(&m, &"type".into(), &kind.into());
    for (k, v) in fields {
        let _ = js_sys::Reflect::set(&m, &(*k).into(), v);
    }
    m
}

/// Posts a message to the parent window.
fn post(kind: &str, fields: &[(&str, JsValue)]) {
    if let Some(parent) = parent() {
        let _ = parent.post_message(&message(kind, fields), "*");
    }
}

/// An `update` body as a JS object: `{query, summary: {verdict, verdict_text, rho, final,
/// entropy, V} | null}`, and with variants `compare: [{title, summary}]` (the base first).
fn update_fields(u: &Update) -> Vec<(&'static str, JsValue)> {
    let mut fields = vec![
        ("query", u.query.as_str().into()),
        ("summary", summary_body(u.summary.as_ref())),
    ];
    if !u.compare.is_empty() {
        if let Ok(runs) = js_sys::JSON::parse(&u.compare) {
            fields.push(("compare", runs));
        }
    }
    fields
}

/// A run in brief as a JS object (`null` without a run).
fn summary_body(s: Option<&Summary>) -> JsValue {
    let Some(s) = s else {
        return JsValue::NULL;
    };
    let policy: js_sys::Array = s.final_policy.iter().map(|&p| JsValue::from(p)).collect();
    message_body(&[
        ("verdict", s.verdict.into()),
        ("verdict_text", s.verdict_text.as_str().into()),
        ("rho", s.rho.map_or(JsValue::NULL, JsValue::from)),
        ("final", policy.into()),
        ("entropy", s.entropy.into()),
        ("V", s.variance.into()),
    ])
    .into()
}

fn message_body(fields: &[(&str, JsValue)]) -> js_sys::Object {
    let m = js_sys::Object::new();
    for (k, v) in fields {
        let _ = js_sys::Reflect::set(&m, &(*k).into(), v);
    }
    m
}

fn window_flag(name: &str) -> bool {
    web_sys::window()
        .and_then(|w| js_sys::Reflect::get(&w, &name.into()).ok())
        .is_some_and(|v| v.is_truthy())
}

/// `ready` with the canonical query, the version and the run in brief, once per page (the
/// full module taking over from the light one does not send it again).
pub fn ready(u: &Update) {
    let Some(win) = web_sys::window() else { return };
    if window_flag(READY_FLAG) {
        return;
    }
    let _ = js_sys::Reflect::set(&win, &READY_FLAG.into(), &JsValue::TRUE);
    let mut fields = update_fields(u);
    fields.push(("version", VERSION.into()));
    post("ready", &fields);
    LAST_SENT.with(|l| *l.borrow_mut() = Some(u.clone()));
}

/// `update` from `build()` (the canonical query and the summary): now, or when
/// [`UPDATE_MS`] has passed since the last one (then built from the state at that time);
/// not at all when it equals the last one sent.
pub fn update_soon(build: fn() -> Option<Update>) {
    if !framed() || UPDATE_PENDING.with(Cell::get) {
        return;
    }
    let wait = LAST_UPDATE.with(Cell::get) + UPDATE_MS - dom::now();
    if wait <= 0.0 {
        send_update(build);
        return;
    }
    UPDATE_PENDING.with(|p| p.set(true));
    let Some(win) = web_sys::window() else { return };
    let later = Closure::once_into_js(move || {
        UPDATE_PENDING.with(|p| p.set(false));
        send_update(build);
    });
    let _ = win.set_timeout_with_callback_and_timeout_and_arguments_0(
        later.unchecked_ref(),
        wait.ceil() as i32,
    );
}

/// Sends the update `build()` gives, unless it is the one sent last.
fn send_update(build: fn() -> Option<Update>) {
    let Some(u) = build() else { return };
    if LAST_SENT.with(|l| l.borrow().as_ref() == Some(&u)) {
        return;
    }
    LAST_UPDATE.with(|l| l.set(dom::now()));
    post("update", &update_fields(&u));
    LAST_SENT.with(|l| *l.borrow_mut() = Some(u));
}

/// `error` naming what was wrong with a message of type `request`.
pub fn refuse(request: &str, message: &str) {
    post(
        "error",
        &[("request", request.into()), ("message", message.into())],
    );
}

/// A JS value as a message's data (read with `Reflect`, no JSON in between).
struct Js(JsValue);

/// A string, number or boolean as a field; anything else is `Other`.
fn scalar(v: &JsValue) -> Field {
    if let Some(s) = v.as_string() {
        Field::Text(s)
    } else if let Some(n) = v.as_f64() {
        Field::Number(n)
    } else if let Some(b) = v.as_bool() {
        Field::Bool(b)
    } else {
        Field::Other
    }
}

/// A field: a scalar, or a plain object's own entries (scalars; at most `MAX_KEYS + 1`).
fn field_of(v: JsValue) -> Field {
    match scalar(&v) {
        Field::Other if v.is_object() && !js_sys::Array::is_array(&v) && !v.is_function() => {
            let obj: &js_sys::Object = v.unchecked_ref();
            let entries = js_sys::Object::keys(obj)
                .iter()
                .take(MAX_KEYS + 1)
                .filter_map(|k| {
                    let value = js_sys::Reflect::get(obj, &k).ok()?;
                    Some((k.as_string()?, scalar(&value)))
                })
                .collect();
            Field::Object(entries)
        }
        f => f,
    }
}

impl MessageData for Js {
    fn field(&self, key: &str) -> Option<Field> {
        if !self.0.is_object() || js_sys::Array::is_array(&self.0) {
            return None;
        }
        let obj: &js_sys::Object = self.0.unchecked_ref();
        if !js_sys::Object::has_own(obj, &key.into()) {
            return None;
        }
        js_sys::Reflect::get(obj, &key.into()).ok().map(field_of)
    }
}

/// Listens for the host page's messages: those from the parent window are read, a refused
/// one is answered with `error`, a request goes to `carry_out` (with the message, which a
/// module that cannot carry it out keeps for the next).
pub fn listen(carry_out: fn(HostMessage, &JsValue)) -> Result<Option<Listener>, JsValue> {
    let (Some(win), Some(_)) = (web_sys::window(), parent()) else {
        return Ok(None);
    };
    let l = dom::listen_owned(&win, "message", move |e: web_sys::MessageEvent| {
        let from_parent = match (e.source(), parent()) {
            (Some(s), Some(p)) => js_sys::Object::is(&s, &p),
            _ => false,
        };
        if from_parent {
            receive(e.data(), carry_out);
        }
    })?;
    Ok(Some(l))
}

/// Reads one message and answers or carries it out.
pub fn receive(data: JsValue, carry_out: fn(HostMessage, &JsValue)) {
    let data = Js(data);
    match read(&data) {
        Inbound::Ignored => {}
        Inbound::Refused { request, message } => refuse(&request, &message),
        Inbound::Request(m) => carry_out(m, &data.0),
    }
}

/// Keeps a host page's message for the module that takes over.
pub fn defer(data: &JsValue) {
    let Some(win) = web_sys::window() else { return };
    let inbox = js_sys::Reflect::get(&win, &INBOX.into())
        .ok()
        .and_then(|v| v.dyn_into::<js_sys::Array>().ok())
        .unwrap_or_else(|| {
            let a = js_sys::Array::new();
            let _ = js_sys::Reflect::set(&win, &INBOX.into(), &a);
            a
        });
    inbox.push(data);
}

/// The messages kept by [`defer`], oldest first (and the inbox emptied).
pub fn take_deferred() -> Vec<JsValue> {
    let Some(win) = web_sys::window() else {
        return vec![];
    };
    let Some(inbox) = js_sys::Reflect::get(&win, &INBOX.into())
        .ok()
        .and_then(|v| v.dyn_into::<js_sys::Array>().ok())
    else {
        return vec![];
    };
    let _ = js_sys::Reflect::delete_property(&win, &INBOX.into());
    inbox.iter().collect()
}

/// Writes the version into `#version`.
pub fn show_version(doc: &web_sys::Document) {
    if let Some(el) = doc.get_element_by_id("version") {
        el.set_text_content(Some(&format!("prefdyn {VERSION}")));
    }
}
