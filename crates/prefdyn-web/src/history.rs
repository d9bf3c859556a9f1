//! The URL as the page's state, a subscriber of the store: a change of configuration writes
//! its canonical query into the address. A slider drag replaces the current entry and its
//! release pushes one (Back undoes the whole drag); discrete changes push; an embed never
//! adds an entry (its host's Back must leave the post). Back and Forward dispatch the state
//! of their entry.

use std::cell::RefCell;

use prefdyn::config::{parse_query, to_query, Config};
use wasm_bindgen::prelude::*;

use crate::model::{App, Change, Changed};
use crate::store::{self, HistoryMode, Subscriber};

thread_local! {
    /// The URL before a slider drag began.
    static DRAG_ORIGIN: RefCell<Option<String>> = const { RefCell::new(None) };
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
    let path = win.location().pathname().unwrap_or_default();
    let url = format!("{path}?{}", to_query(config));
    let mode = match mode {
        // An embed replaces its own entry whatever the change.
        HistoryMode::None => return,
        _ if config.view.embed => HistoryMode::Replace,
        m => m,
    };
    match mode {
        HistoryMode::DragMove => {
            DRAG_ORIGIN.with(|d| {
                if d.borrow().is_none() {
                    *d.borrow_mut() = current_url();
                }
            });
        }
        HistoryMode::DragEnd => {
            // Put the entry the drag started from back, so that the release pushes one.
            if let Some(origin) = DRAG_ORIGIN.with(|d| d.borrow_mut().take()) {
                write(&origin, false);
            }
        }
        _ => {}
    }
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
