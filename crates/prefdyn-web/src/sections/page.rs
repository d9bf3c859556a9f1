//! The page's frame: the controls bound to the URL fields, messages about the link, the
//! upgrade note, the section and embed attributes, the embed's controls, the
//! open-in-full-playground link, Share and Embed.

use wasm_bindgen::prelude::*;
use web_sys::Document;

use super::{hero, Section};
use crate::canvas::Theme as Colours;
use crate::dom::{document, escape, on, set_hidden, set_html, set_text};
use crate::export::copy;
use crate::history::share_url;
use crate::model::{App, Changed};
use crate::store;

/// The widths the Embed button offers: a blog column, a compact frame, a wide frame, a
/// phone. The height of each snippet is measured, so every control shows without a script.
pub const EMBED_WIDTHS: [(&str, u32); 4] = [
    ("blog column", 680),
    ("compact", 600),
    ("wide", 900),
    ("phone", 360),
];

/// Extra pixels below the measured content (a host's own font may be a little larger).
const EMBED_SLACK: f64 = 16.0;

/// The snippet of an embed `width` wide: its height measured in a hidden frame, so that it
/// shows every control of its view at that size even where the host strips scripts.
fn embed_snippet(width: u32) {
    let Some(url) = store::read(|app| share_url(&app.config, true)) else {
        return;
    };
    if let Some(doc) = document() {
        set_text(
            &doc,
            "copied",
            &format!("Measuring the embed at {width} px…"),
        );
    }
    let src = url.clone();
    crate::measure::content_height(&url, width, move |h| {
        let height = h.map_or(520.0, |h| (h + EMBED_SLACK).ceil());
        let snippet = format!(
            "<iframe src=\"{}\" width=\"{width}\" height=\"{height}\" style=\"border:0;max-width:100%\" title=\"prefdyn: a live figure\" loading=\"lazy\"></iframe>",
            escape(&src)
        );
        copy(
            &snippet,
            &format!("Embed snippet copied ({width} × {height})"),
        );
    });
}

fn wire(doc: &Document) -> Result<(), JsValue> {
    crate::controls::bind(doc)?;
    on(doc, "share", "click", |_: web_sys::Event| {
        let url = store::read(|app| share_url(&app.config, false)).unwrap_or_default();
        copy(&url, "Link copied");
    })?;
    let sizes: String = EMBED_WIDTHS
        .iter()
        .map(|(name, w)| {
            format!("<button type=\"button\" data-width=\"{w}\" title=\"An iframe {w} px wide, as tall as its content\">{name} ({w} px)</button>")
        })
        .collect();
    set_html(
        doc,
        "embed-sizes",
        &format!("<span>Embed size:</span> {sizes}"),
    );
    on(doc, "embed-btn", "click", |_: web_sys::Event| {
        if let Some(doc) = document() {
            set_hidden(&doc, "embed-sizes", false);
        }
        embed_snippet(EMBED_WIDTHS[0].1);
    })?;
    on(doc, "embed-sizes", "click", |e: web_sys::Event| {
        if let Some(w) = crate::dom::event_target(&e, "button[data-width]")
            .and_then(|b| b.get_attribute("data-width"))
            .and_then(|w| w.parse::<u32>().ok())
        {
            embed_snippet(w);
        }
    })
}

/// The page's frame as a section (always drawn: it is part of every view).
pub struct Page;

impl Section for Page {
    fn id(&self) -> &'static str {
        "app"
    }

    fn wire(&self, doc: &Document) -> Result<(), JsValue> {
        wire(doc)
    }

    fn affected(&self, c: &Changed) -> bool {
        c.config.any() || c.issues
    }

    fn eager(&self, _app: &App) -> bool {
        true
    }

    fn render(&self, doc: &Document, app: &App, _c: &Changed, _theme: &Colours) {
        crate::controls::sync(doc, &app.config);
        render(doc, app);
        if let Some(v) = app.upgraded_from {
            note_upgrade(doc, v);
        }
    }
}

/// Tells the reader once, quietly, that an older link was upgraded.
pub fn note_upgrade(doc: &Document, from: u32) {
    set_text(
        doc,
        "upgrade-note",
        &format!("This link was made by an earlier prefdyn (format {from}), in which α and λ had each other's names. It has been upgraded to the paper's names and opens the same run."),
    );
    set_hidden(doc, "upgrade-note", false);
}

/// The messages, the view and embed attributes, the open-in-full-playground link.
pub fn render(doc: &Document, app: &App) {
    let items: String = app
        .issues
        .iter()
        .map(|i| {
            format!(
                "<li data-field=\"{}\"><b>{}</b>: {}</li>",
                escape(&i.field),
                escape(&i.field),
                escape(&i.message)
            )
        })
        .collect();
    set_html(
        doc,
        "messages",
        &if items.is_empty() {
            items
        } else {
            format!("<ul>{items}</ul>")
        },
    );
    set_hidden(doc, "messages", app.issues.is_empty());
    hero::render_frame(doc, &app.config);
}
