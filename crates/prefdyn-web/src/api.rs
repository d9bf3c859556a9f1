//! `window.prefdyn`: `state()`, `setState(partial)`, `results()`, `onUpdate(callback)`,
//! `hasPanicked()`, `panicMessage()`, `phaseWorkers(n)`, for pages that embed the
//! playground.

use std::cell::RefCell;

use prefdyn::config::{query_pairs, to_query};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::history::HistoryMode;
use crate::panic::{has_panicked, panic_message};
use crate::sections::{dynamics, phase};
use crate::store::{self, Change};

thread_local! {
    static LISTENERS: RefCell<Vec<js_sys::Function>> = const { RefCell::new(Vec::new()) };
}

fn json(s: &str) -> Result<JsValue, JsValue> {
    js_sys::JSON::parse(s)
}

/// `results()` as JSON text: the engine's `Results` plus the phase diagram's state.
fn results_text() -> Option<String> {
    let mut v = store::read(|app| serde_json::to_value(&app.results).ok())??;
    v["phase"] = phase::to_json();
    v["finite_progress"] = dynamics::finite_progress_json();
    serde_json::to_string(&v).ok()
}

/// The configuration (canonical query) and every result, as one JSON document (the JSON
/// export of every section).
pub fn document_json() -> String {
    let text = store::read(|app| {
        let mut v = serde_json::json!({
            "query": to_query(&app.config),
            "config": app.config,
            "results": app.results,
        });
        v["results"]["phase"] = phase::to_json();
        serde_json::to_string_pretty(&v).unwrap_or_default()
    });
    text.unwrap_or_default()
}

/// Calls every `onUpdate` listener with `results()`. No borrow is held while they run, so
/// a listener may call `state()`, `setState()` or `onUpdate()` itself.
pub fn notify() {
    let Some(text) = results_text() else { return };
    let Ok(v) = json(&text) else { return };
    let listeners = LISTENERS.with(|l| l.borrow().clone());
    for f in &listeners {
        let _ = f.call1(&JsValue::NULL, &v);
    }
}

/// `state()`: the configuration, its canonical query and the current messages.
#[wasm_bindgen]
pub fn state() -> Result<JsValue, JsValue> {
    let s = store::read(|app| {
        serde_json::json!({ "query": to_query(&app.config), "config": app.config, "issues": app.issues })
            .to_string()
    })
    .ok_or("not started")?;
    json(&s)
}

/// The `(key, value)` pairs of a `setState` argument: a query string or an object of URL
/// keys (numbers and booleans written as a link writes them).
fn pairs_of(partial: &JsValue) -> Result<Vec<(String, String)>, JsValue> {
    if let Some(s) = partial.as_string() {
        return Ok(query_pairs(&s));
    }
    if !partial.is_object() {
        return Err(JsValue::from_str(
            "setState expects a query string or an object",
        ));
    }
    let obj: &js_sys::Object = partial.unchecked_ref();
    Ok(js_sys::Object::entries(obj)
        .iter()
        .map(|e| {
            let pair: js_sys::Array = e.unchecked_into();
            let v = pair.get(1);
            let v = v
                .as_string()
                .or_else(|| v.as_f64().map(|f| f.to_string()))
                .or_else(|| v.as_bool().map(|b| if b { "1" } else { "0" }.to_string()))
                .unwrap_or_default();
            (pair.get(0).as_string().unwrap_or_default(), v)
        })
        .collect())
}

/// `setState(partial)`: each key is a typed edit of its field, applied in order, as one
/// change (one history entry, one `onUpdate`).
#[wasm_bindgen(js_name = setState)]
pub fn set_state(partial: JsValue) -> Result<JsValue, JsValue> {
    let changes = pairs_of(&partial)?
        .into_iter()
        .map(|(key, raw)| Change::Edit { key, raw })
        .collect();
    store::apply_all(changes, HistoryMode::Push);
    state()
}

/// `results()`: the numbers the page shows.
#[wasm_bindgen]
pub fn results() -> Result<JsValue, JsValue> {
    json(&results_text().ok_or("not started")?)
}

/// `onUpdate(callback)`: called with `results()` after every change.
#[wasm_bindgen(js_name = onUpdate)]
pub fn on_update(callback: js_sys::Function) {
    LISTENERS.with(|l| l.borrow_mut().push(callback));
}

/// `phaseWorkers(n)`: how many Web Workers compute the phase diagram (`null` or no
/// argument: one per core; 0: on the page); restarts the diagram.
#[wasm_bindgen(js_name = phaseWorkers)]
pub fn phase_workers(n: JsValue) {
    phase::set_workers(n.as_f64().map(|n| n.max(0.0) as usize));
}

/// Installs `window.prefdyn`.
pub fn expose() -> Result<(), JsValue> {
    let win = web_sys::window().ok_or("no window")?;
    let api = js_sys::Object::new();
    let set = |name: &str, f: &JsValue| js_sys::Reflect::set(&api, &JsValue::from_str(name), f);
    let c0 = Closure::<dyn Fn() -> Result<JsValue, JsValue>>::new(state);
    set("state", c0.as_ref())?;
    c0.forget();
    let c1 = Closure::<dyn Fn(JsValue) -> Result<JsValue, JsValue>>::new(set_state);
    set("setState", c1.as_ref())?;
    c1.forget();
    let c2 = Closure::<dyn Fn() -> Result<JsValue, JsValue>>::new(results);
    set("results", c2.as_ref())?;
    c2.forget();
    let c3 = Closure::<dyn Fn(js_sys::Function)>::new(on_update);
    set("onUpdate", c3.as_ref())?;
    c3.forget();
    let c4 = Closure::<dyn Fn() -> bool>::new(has_panicked);
    set("hasPanicked", c4.as_ref())?;
    c4.forget();
    let c5 = Closure::<dyn Fn() -> Option<String>>::new(panic_message);
    set("panicMessage", c5.as_ref())?;
    c5.forget();
    let c6 = Closure::<dyn Fn(JsValue)>::new(phase_workers);
    set("phaseWorkers", c6.as_ref())?;
    c6.forget();
    js_sys::Reflect::set(&win, &JsValue::from_str("prefdyn"), &api)?;
    Ok(())
}
