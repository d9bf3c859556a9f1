//! The page's frame: messages about the link, the upgrade note, the section and embed
//! attributes, the open-in-full-playground link, Share and Embed.

use prefdyn::config::{Keyed, Theme, View, ViewSettings};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Document, Element};

use crate::dom::{document, escape, on, set_attr, set_hidden, set_html, set_text};
use crate::export::copy;
use crate::history::share_url;
use crate::store::{self, App};

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

pub fn wire(doc: &Document) -> Result<(), JsValue> {
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

/// The controls an embed shows: `controls=` if given, else α and β in Dynamics. Marks
/// each `[data-control]` element with `shown` (the stylesheet hides the rest in embeds).
pub fn show_controls(doc: &Document, v: &ViewSettings) {
    let defaults: &[&str] = match v.view {
        View::Dynamics => &["alpha", "beta"],
        _ => &[],
    };
    let shown = |key: &str| match v.controls.is_empty() {
        true => defaults.contains(&key),
        false => v.controls.iter().any(|k| k == key),
    };
    let Ok(list) = doc.query_selector_all("[data-control]") else {
        return;
    };
    for i in 0..list.length() {
        let Some(el) = list.item(i).and_then(|n| n.dyn_into::<Element>().ok()) else {
            continue;
        };
        let key = el.get_attribute("data-control").unwrap_or_default();
        let _ = if shown(&key) {
            el.class_list().add_1("shown")
        } else {
            el.class_list().remove_1("shown")
        };
    }
}

/// Sets the page's colours (`data-theme` on the root; none: the reader's setting).
/// Returns whether they changed, so that the charts are redrawn in the new colours.
pub fn apply_theme(doc: &Document, theme: Theme) -> bool {
    let Some(root) = doc.document_element() else {
        return false;
    };
    let before = root.get_attribute("data-theme");
    let after = match theme {
        Theme::Auto => None,
        t => Some(t.key()),
    };
    if before.as_deref() == after {
        return false;
    }
    let _ = match after {
        Some(t) => root.set_attribute("data-theme", t),
        None => root.remove_attribute("data-theme"),
    };
    true
}

/// Inside an iframe, tells the host page the content's height whenever it changes:
/// `postMessage({ source: "prefdyn", type: "resize", height }, "*")`.
pub fn report_height() -> Result<(), JsValue> {
    let win = web_sys::window().ok_or("no window")?;
    let Ok(Some(parent)) = win.parent() else {
        return Ok(());
    };
    if parent == win {
        return Ok(());
    }
    let post = Closure::<dyn FnMut(js_sys::Array)>::new(move |_entries: js_sys::Array| {
        let Some(root) = document().and_then(|d| d.document_element()) else {
            return;
        };
        let height = root.get_bounding_client_rect().height().ceil();
        let msg = js_sys::Object::new();
        let _ = js_sys::Reflect::set(&msg, &"source".into(), &"prefdyn".into());
        let _ = js_sys::Reflect::set(&msg, &"type".into(), &"resize".into());
        let _ = js_sys::Reflect::set(&msg, &"height".into(), &height.into());
        let _ = parent.post_message(&msg, "*");
    });
    let observer = web_sys::ResizeObserver::new(post.as_ref().unchecked_ref())?;
    if let Some(root) = document().and_then(|d| d.document_element()) {
        observer.observe(&root);
    }
    post.forget();
    std::mem::forget(observer);
    Ok(())
}
