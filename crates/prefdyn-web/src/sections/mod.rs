//! The page's sections. Each wires its own controls and renders its own part from the
//! model; they do not import each other. [`render`] redraws the sections a change
//! invalidates.

use prefdyn::config::Changes;
use wasm_bindgen::prelude::*;
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

/// Wires every section's controls.
pub fn wire(doc: &Document) -> Result<(), JsValue> {
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
        tour::render(&doc, app);
        if changes.matrix {
            preferences::render(&doc, app, &theme);
        }
        if changes.matrix || changes.one_shot {
            oneshot::render(&doc, app, &theme);
        }
        if changes.matrix || changes.dynamics {
            dynamics::render(&doc, app, &theme);
        }
    });
    phase::on_change(changes);
}
