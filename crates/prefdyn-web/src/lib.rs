//! The prefdyn playground: DOM events → engine → canvas drawing.
//!
//! The model is one [`prefdyn::config::Config`] (its canonical query is the URL) with what
//! the engine computes from it ([`store`]). Every change goes through [`store::apply`],
//! which recomputes what the change invalidates and redraws only those [`sections`].

use prefdyn::config::parse_query;
use prefdyn::config::Changes;
use wasm_bindgen::prelude::*;

pub mod alt;
pub mod api;
pub mod canvas;
pub mod controls;
pub mod dom;
pub mod export;
pub mod history;
pub mod measure;
pub mod panic;
pub mod play;
pub mod sections;
pub mod store;
pub mod tasks;
pub mod worker;

/// Entry point: read the link, build the model, bind the controls, draw.
#[wasm_bindgen(start)]
pub fn start() -> Result<(), JsValue> {
    panic::install();
    // In a phase worker there is no page: the worker calls `worker`'s exports itself.
    if web_sys::window().is_none() {
        return Ok(());
    }
    let doc = dom::document().ok_or("no document")?;
    let search = web_sys::window()
        .and_then(|w| w.location().search().ok())
        .unwrap_or_default();
    let parsed = sections::tour::expand(&search, parse_query(&search));
    let (touring, view, embed) = (
        parsed.config.view.tour > 0,
        parsed.config.view.view,
        parsed.config.view.embed,
    );
    if let Some(v) = parsed.upgraded_from {
        sections::page::note_upgrade(&doc, v);
    }
    store::init(parsed);
    controls::bind(&doc)?;
    sections::wire(&doc)?;
    history::wire()?;
    api::expose()?;
    let win = web_sys::window().ok_or("no window")?;
    dom::listen(&win, "resize", |_: web_sys::Event| {
        sections::render(Changes::all())
    })?;
    sections::render(Changes::all());
    history::record(history::HistoryMode::Replace);
    sections::page::report_height()?;
    // A link lands where it points: its tour step, else its section.
    if touring {
        sections::tour::reveal();
    } else if view != prefdyn::config::View::Dynamics && !embed {
        dom::scroll_to(sections::section_of(view));
    }
    if let Some(b) = doc.body() {
        let _ = b.set_attribute("data-ready", "1");
    }
    Ok(())
}
