//! The URL as the page's state: a slider drag replaces the current history entry and its
//! release pushes one entry (Back undoes the whole drag); discrete changes push; Back and
//! Forward reload the state of the entry.

use std::cell::RefCell;

use prefdyn::config::{parse_query, to_query, Config};
use wasm_bindgen::prelude::*;

use crate::store::{self, Change};

/// How a state change reaches the history.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum HistoryMode {
    Replace,
    Push,
    None,
}

thread_local! {
    /// The URL before a slider drag began.
    static DRAG_ORIGIN: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// The page's path and query.
fn current_url() -> Option<String> {
    let loc = web_sys::window()?.location();
    Some(format!("{}{}", loc.pathname().ok()?, loc.search().ok()?))
}

/// Writes the canonical query of the current state into the address. An embed never
/// adds an entry: it replaces its own, so that the host page's Back leaves the post.
pub fn record(mode: HistoryMode) {
    let Some((q, embed)) = store::read(|app| (to_query(&app.config), app.config.view.embed)) else {
        return;
    };
    let mode = match mode {
        HistoryMode::Push if embed => HistoryMode::Replace,
        m => m,
    };
    let Some(win) = web_sys::window() else { return };
    let Ok(history) = win.history() else { return };
    let path = win.location().pathname().unwrap_or_default();
    let url = format!("{path}?{q}");
    if current_url().as_deref() == Some(url.as_str()) {
        return;
    }
    let _ = match mode {
        HistoryMode::Push => history.push_state_with_url(&JsValue::NULL, "", Some(&url)),
        HistoryMode::Replace => history.replace_state_with_url(&JsValue::NULL, "", Some(&url)),
        HistoryMode::None => Ok(()),
    };
}

/// A drag moves on: remember where it started (the first time).
pub fn dragging() {
    DRAG_ORIGIN.with(|d| {
        if d.borrow().is_none() {
            *d.borrow_mut() = current_url();
        }
    });
}

/// A drag ends: put the entry it started from back, so that the release pushes one entry
/// (in an embed the release replaces it again).
pub fn drag_released() {
    if let Some(origin) = DRAG_ORIGIN.with(|d| d.borrow_mut().take()) {
        if let Some(h) = web_sys::window().and_then(|w| w.history().ok()) {
            let _ = h.replace_state_with_url(&JsValue::NULL, "", Some(&origin));
        }
    }
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

/// Back and Forward load the state of the entry.
pub fn wire() -> Result<(), JsValue> {
    let win = web_sys::window().ok_or("no window")?;
    crate::dom::listen(&win, "popstate", |_: web_sys::Event| {
        let search = web_sys::window()
            .and_then(|w| w.location().search().ok())
            .unwrap_or_default();
        store::apply(
            Change::Replace(Box::new(parse_query(&search))),
            HistoryMode::None,
        );
    })
}
