//! The URL as the page's state, a subscriber of the store: a change of configuration writes
//! its canonical query into the address. A slider drag replaces the current entry (at most
//! every [`DRAG_WRITE_EVERY_MS`]) and its release pushes one (Back undoes the whole drag); discrete changes push; an embed never
//! adds an entry (its host's Back must leave the post). Back and Forward dispatch the state
//! of their entry.

use std::cell::{Cell, RefCell};

use prefdyn::config::{parse_query, to_query, Config};
use wasm_bindgen::prelude::*;

use crate::model::{App, Change, Changed};
use crate::store::{self, HistoryMode, Subscriber};

/// A drag writes the address at most this often; its release always writes. Each write is
/// a history call, which Safari refuses beyond 100 in 30 s and Chromium throttles, and it
/// need not happen inside every frame of the drag.
const DRAG_WRITE_EVERY_MS: f64 = 250.0;

thread_local! {
    /// The URL before a slider drag began.
    static DRAG_ORIGIN: RefCell<Option<String>> = const { RefCell::new(None) };
    /// When a drag last wrote the address.
    static DRAG_WRITTEN: Cell<f64> = const { Cell::new(f64::NEG_INFINITY) };
}

/// The page's path and query.
fn current_url() -> Option<String> {
    let loc = web_sys::window()?.location();
    Some(format!("{}{}", loc.pathname().ok()?, loc.search().ok()?))
}

fn write(url: &str, push: bool) {
    let Some(h) = web_sys::window().and_then(|w| w.history().ok()) else {
        return;
    };
    let _ = if push {
        h.push_state_with_url(&JsValue::NULL, "", Some(url))
    } else {
        h.replace_state_with_url(&JsValue::NULL, "", Some(url))
    };
}

/// Writes the canonical query of `config` into the address as `mode` says.
pub fn record(config: &Config, mode: HistoryMode) {
    let Some(win) = web_sys::window() else { return };
    let drag_move = mode == HistoryMode::DragMove;
    let mode = match mode {
        // An embed replaces its own entry whatever the change.
        HistoryMode::None => return,
        _ if config.view.embed => HistoryMode::Replace,
        m => m,
    };
    if mode == HistoryMode::DragMove {
        DRAG_ORIGIN.with(|d| {
            if d.borrow().is_none() {
                *d.borrow_mut() = current_url();
            }
        });
    }
    if drag_move {
        let t = crate::dom::now();
        if t - DRAG_WRITTEN.with(Cell::get) < DRAG_WRITE_EVERY_MS {
            return;
        }
        DRAG_WRITTEN.with(|w| w.set(t));
    }
    if mode == HistoryMode::DragEnd {
        // Put the entry the drag started from back, so that the release pushes one.
        if let Some(origin) = DRAG_ORIGIN.with(|d| d.borrow_mut().take()) {
            write(&origin, false);
        }
    }
    let path = win.location().pathname().unwrap_or_default();
    let url = format!("{path}?{}", to_query(config));
    if current_url().as_deref() == Some(url.as_str()) {
        return;
    }
    write(
        &url,
        matches!(mode, HistoryMode::Push | HistoryMode::DragEnd),
    );
}

/// The canonical link of `config` on this page (with or without `embed=1`).
pub fn share_url(config: &Config, embed: bool) -> String {
    let Some(win) = web_sys::window() else {
        return String::new();
    };
    let loc = win.location();
    let origin = loc.origin().unwrap_or_default();
    let path = loc.pathname().unwrap_or_default();
    let mut c = config.clone();
    c.view.embed = embed;
    format!("{origin}{path}?{}", to_query(&c))
}

/// The history as a subscriber of the store.
pub struct History;

impl Subscriber for History {
    fn changed(&self, app: &App, changed: &Changed, mode: HistoryMode) {
        // A drag's release records even when its last move already applied the value.
        if changed.config.any() || mode == HistoryMode::DragEnd {
            record(&app.config, mode);
        }
    }
}

/// Back and Forward load the state of the entry.
pub fn wire() -> Result<(), JsValue> {
    let win = web_sys::window().ok_or("no window")?;
    crate::dom::listen(&win, "popstate", |_: web_sys::Event| {
        let search = web_sys::window()
            .and_then(|w| w.location().search().ok())
            .unwrap_or_default();
        store::dispatch(
            Change::Replace(Box::new(parse_query(&search))),
            HistoryMode::None,
        );
    })
}
