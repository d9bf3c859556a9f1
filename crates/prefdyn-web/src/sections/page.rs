//! The page's frame: messages about the link, the upgrade note, the section and embed
//! attributes, the open-in-full-playground link, Share and Embed.

use prefdyn::config::Keyed;
use wasm_bindgen::prelude::*;
use web_sys::Document;

use crate::dom::{escape, on, set_attr, set_hidden, set_html, set_text};
use crate::export::copy;
use crate::history::share_url;
use crate::store::{self, App};

pub fn wire(doc: &Document) -> Result<(), JsValue> {
    on(doc, "share", "click", |_: web_sys::Event| {
        let url = store::read(|app| share_url(&app.config, false)).unwrap_or_default();
        copy(&url, "Link copied");
    })?;
    on(doc, "embed-btn", "click", |_: web_sys::Event| {
        let url = store::read(|app| share_url(&app.config, true)).unwrap_or_default();
        let snippet = format!(
            "<iframe src=\"{}\" width=\"600\" height=\"400\" style=\"border:0\" title=\"prefdyn playground\" loading=\"lazy\"></iframe>",
            escape(&url)
        );
        copy(&snippet, "Embed snippet copied");
    })
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
    let c = &app.config;
    if let Some(b) = doc.body() {
        let _ = b.set_attribute("data-view", c.view.view.key());
        let cl = b.class_list();
        let _ = if c.view.embed {
            cl.add_1("embed")
        } else {
            cl.remove_1("embed")
        };
    }
    set_attr(doc, "open-full", "href", &share_url(c, false));
}
