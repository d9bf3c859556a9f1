//! The page's sections. Each wires its own controls and renders its own part from the
//! model; they do not import each other. [`render`] redraws the sections a change
//! invalidates.

use prefdyn::config::Changes;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::Document;

use crate::canvas::theme_from_page;
use crate::dom::document;
use crate::{controls, store};

pub mod dynamics;
pub mod figures;
pub mod oneshot;
pub mod page;
pub mod phase;
pub mod preferences;
pub mod tour;

/// The id of the section a view shows.
pub fn section_of(view: prefdyn::config::View) -> &'static str {
    use prefdyn::config::View;
    match view {
        View::Preferences => "preferences",
        View::OneShot => "oneshot",
        View::Dynamics => "dynamics",
        View::Phase => "phase",
    }
}

/// Every chart's text alternative and data table again (when a data table is unfolded:
/// folded tables are not built).
pub fn describe_all() {
    let Some(doc) = document() else { return };
    store::read(|app| {
        preferences::describe(&doc, app);
        oneshot::describe_now(&doc, app);
        dynamics::describe(&doc, app);
    });
    phase::describe();
}

/// `toggle` does not bubble: listen in the capture phase for every chart's data table.
fn wire_data_tables(doc: &Document) -> Result<(), JsValue> {
    let cb = Closure::<dyn FnMut(web_sys::Event)>::new(|e: web_sys::Event| {
        let opened = crate::dom::event_target(&e, "details.chart-data")
            .is_some_and(|d| d.has_attribute("open"));
        if opened {
            describe_all();
        }
    });
    doc.add_event_listener_with_callback_and_bool("toggle", cb.as_ref().unchecked_ref(), true)?;
    cb.forget();
    Ok(())
}

/// Wires every section's controls.
pub fn wire(doc: &Document) -> Result<(), JsValue> {
    wire_data_tables(doc)?;
    page::wire(doc)?;
    preferences::wire(doc)?;
    oneshot::wire(doc)?;
    dynamics::wire(doc)?;
    phase::wire(doc)?;
    figures::wire(doc)?;
    tour::wire(doc)
}

/// Redraws what `changes` invalidates: P redraws everything; the one-shot, dynamics and
/// phase settings their own sections; controls, messages and the page frame always.
pub fn render(changes: Changes) {
    let Some(doc) = document() else { return };
    let recoloured = store::read(|app| page::apply_theme(&doc, app.config.view.theme));
    let changes = match recoloured {
        Some(true) => Changes::all(),
        _ => changes,
    };
    let theme = theme_from_page();
    store::read(|app| {
        controls::sync(&doc, &app.config);
        page::render(&doc, app);
        if changes.view {
            page::show_controls(&doc, &app.config.view);
        }
        tour::render(&doc, app);
        if changes.matrix {
            preferences::render(&doc, app, &theme);
        }
        // The view too: a tour step frames one of its panels.
        if changes.matrix || changes.one_shot || changes.view {
            oneshot::render(&doc, app, &theme);
        }
        if changes.matrix || changes.dynamics {
            dynamics::render(&doc, app, &theme);
        }
    });
    phase::on_change(changes);
}
