//! `window.prefdyn` for pages that embed the playground: `state()`, `setState(partial)`,
//! `results()`, `onUpdate(callback)`, `hasPanicked()`, `panicMessage()`,
//! `phaseWorkers(n)`. A subscriber of the store: every change that alters the configuration
//! or the results calls the `onUpdate` listeners, after it was applied.

use std::cell::RefCell;

use prefdyn::config::query_pairs;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::model::{App, Change, Changed};
use crate::panic::{has_panicked, panic_message};
use crate::store::{self, HistoryMode, Subscriber};

thread_local! {
    static LISTENERS: RefCell<Vec<js_sys::Function>> = const { RefCell::new(Vec::new()) };
}

fn to_js(v: &serde_json::Value) -> Result<JsValue, JsValue> {
    js_sys::JSON::parse(&v.to_string())
}

/// `state()`: the configuration, its canonical query and the current messages.
pub fn state() -> Result<JsValue, JsValue> {
    to_js(&store::read(crate::json::state).ok_or("not started")?)
}

/// `results()`: the numbers the page shows. Asked before the page computed what the first
/// view left for later (right after the full module took over), it computes that first.
pub fn results() -> Result<JsValue, JsValue> {
    if store::read(|app| app.pending.any()).unwrap_or(false) {
        store::dispatch(Change::Complete, HistoryMode::None);
    }
    to_js(&store::read(crate::json::results).ok_or("not started")?)
}

/// The `(key, value)` pairs of a `setState` argument: a query string or an object of URL
/// keys (numbers and booleans written as a link writes them).
pub fn pairs_of(partial: &JsValue) -> Result<Vec<(String, String)>, String> {
    if let Some(s) = partial.as_string() {
        return Ok(query_pairs(&s));
    }
    if !partial.is_object() || js_sys::Array::is_array(partial) {
        return Err("expects a query string or an object of URL keys".into());
    }
    let obj: &js_sys::Object = partial.unchecked_ref();
    js_sys::Object::entries(obj)
        .iter()
        .map(|e| {
            let pair: js_sys::Array = e.unchecked_into();
            let (k, v) = (pair.get(0).as_string().unwrap_or_default(), pair.get(1));
            let text = v
                .as_string()
                .or_else(|| v.as_f64().map(|f| f.to_string()))
                .or_else(|| v.as_bool().map(|b| if b { "1" } else { "0" }.to_string()));
            text.map(|t| (k.clone(), t))
                .ok_or(format!("{k}: expects a string, a number or a boolean"))
        })
        .collect()
}

/// `setState(partial)`: each key is a typed edit of its field, applied in order, as one
/// change (one history entry, one `onUpdate`).
pub fn set_state(partial: JsValue) -> Result<JsValue, JsValue> {
    let pairs = pairs_of(&partial).map_err(|e| JsValue::from_str(&format!("setState {e}")))?;
    store::dispatch(Change::Edits(pairs), HistoryMode::Push);
    state()
}

/// The listeners as a subscriber: called with `results()` after every change of the
/// configuration or the results (not after playback frames or job progress).
pub struct Api;

impl Subscriber for Api {
    fn changed(&self, app: &App, c: &Changed, _mode: HistoryMode) {
        let finished_phase = c.phase && !app.phase.running;
        if !(c.config.any() || c.results.any() || c.issues || finished_phase) {
            return;
        }
        let listeners = LISTENERS.with(|l| l.borrow().clone());
        if listeners.is_empty() {
            return;
        }
        let Ok(v) = to_js(&crate::json::results(app)) else {
            return;
        };
        for f in &listeners {
            let _ = f.call1(&JsValue::NULL, &v);
        }
    }
}

/// Installs `window.prefdyn`.
pub fn expose() -> Result<(), JsValue> {
    let win = web_sys::window().ok_or("no window")?;
    let api = js_sys::Object::new();
    let set = |name: &str, f: &JsValue| js_sys::Reflect::set(&api, &JsValue::from_str(name), f);
    set(
        "state",
        &Closure::<dyn Fn() -> Result<JsValue, JsValue>>::new(state).into_js_value(),
    )?;
    set(
        "setState",
        &Closure::<dyn Fn(JsValue) -> Result<JsValue, JsValue>>::new(set_state).into_js_value(),
    )?;
    set(
        "results",
        &Closure::<dyn Fn() -> Result<JsValue, JsValue>>::new(results).into_js_value(),
    )?;
    let on_update = |f: js_sys::Function| LISTENERS.with(|l| l.borrow_mut().push(f));
    set(
        "onUpdate",
        &Closure::<dyn Fn(js_sys::Function)>::new(on_update).into_js_value(),
    )?;
    set(
        "hasPanicked",
        &Closure::<dyn Fn() -> bool>::new(has_panicked).into_js_value(),
    )?;
    set(
        "panicMessage",
        &Closure::<dyn Fn() -> Option<String>>::new(panic_message).into_js_value(),
    )?;
    let workers = |n: JsValue| {
        let n = n.as_f64().map(|n| n.max(0.0) as usize);
        store::dispatch(Change::PhaseWorkers(n), HistoryMode::None);
    };
    set(
        "phaseWorkers",
        &Closure::<dyn Fn(JsValue)>::new(workers).into_js_value(),
    )?;
    js_sys::Reflect::set(&win, &JsValue::from_str("prefdyn"), &api)?;
    store::subscribe(&Api);
    Ok(())
}
