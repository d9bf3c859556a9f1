//! The full playground: every section registered in one list, the history, the API and the
//! services. It starts from the URL alone (the canonical query is the whole state), so it
//! can take over from the light module: it tells it to detach (`prefdyn:takeover`), draws
//! the first viewport's sections at once, sets `body[data-ready]`, and after the first paint
//! computes the rest; the other sections draw as they come near the viewport or when the
//! page is idle (`body[data-complete]` when all have been drawn).

use prefdyn::config::{parse_query, View};
use wasm_bindgen::prelude::*;

use crate::history::{self, History};
use crate::model::{App, Change, Changed};
use crate::sections::dynamics::Dynamics;
use crate::sections::figures::Figures;
use crate::sections::oneshot::OneShot;
use crate::sections::page::Page;
use crate::sections::phase::Phase;
use crate::sections::preferences::Preferences;
use crate::sections::tour::{self, Tour};
use crate::sections::{self, hero, Section};
use crate::services::{pool, Services};
use crate::store::{self, HistoryMode};
use crate::{api, dom, panic};

/// The full playground's sections, in the order they draw. A build without a section
/// leaves it out of this list.
pub const SECTIONS: &[&dyn Section] = &[
    &Page,
    &Tour,
    &Dynamics,
    &Preferences,
    &OneShot,
    &Phase,
    &Figures,
];

/// Entry point of the full module.
pub fn start() -> Result<(), JsValue> {
    panic::install();
    // In a worker there is no page.
    let Some(win) = web_sys::window() else {
        return Ok(());
    };
    dom::dispatch_event("prefdyn:takeover");
    let doc = dom::document().ok_or("no document")?;
    let search = win.location().search().unwrap_or_default();
    let parsed = tour::expand(&search, parse_query(&search));
    let (touring, view, embed) = (
        parsed.config.view.tour > 0,
        parsed.config.view.view,
        parsed.config.view.embed,
    );
    store::init(App::first_view(parsed, pool::per_core()));
    sections::register(&doc, SECTIONS)?;
    store::subscribe(&History);
    history::wire()?;
    api::expose()?;
    store::serve(&Services);
    dom::listen(&win, "resize", |_: web_sys::Event| {
        store::refresh(Changed::all())
    })?;
    store::refresh(Changed::all());
    if let Some(config) = store::read(|app| app.config.clone()) {
        history::record(&config, HistoryMode::Replace);
    }
    hero::report_height()?;
    // A link lands where it points: its tour step, else its section.
    if touring {
        tour::reveal();
    } else if view != View::Dynamics && !embed {
        dom::scroll_to(sections::section_of(view));
    }
    dom::set_body_flag("data-ready");
    // The rest after the first paint.
    dom::after_paint(|| store::dispatch(Change::Complete, HistoryMode::None));
    Ok(())
}
