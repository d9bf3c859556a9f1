//! The paper's figures: one button per preset; a click loads its link.

use prefdyn::config::{parse_query, View};
use prefdyn_paper::figures::FIGURES;
use wasm_bindgen::prelude::*;
use web_sys::Document;

use crate::dom::{escape, event_target, on, scroll_to, set_html};
use crate::history::HistoryMode;
use crate::store::{self, Change};

pub fn wire(doc: &Document) -> Result<(), JsValue> {
    let html: String = FIGURES
        .iter()
        .map(|f| {
            format!(
                "<li><button type=\"button\" data-query=\"{}\" title=\"{}\">{}: {}</button><p>{}</p></li>",
                escape(f.query),
                escape(f.description),
                escape(f.figure),
                escape(f.title),
                escape(f.description)
            )
        })
        .collect();
    set_html(doc, "figure-list", &html);
    on(doc, "figure-list", "click", |e: web_sys::Event| {
        let Some(q) = event_target(&e, "button").and_then(|b| b.get_attribute("data-query")) else {
            return;
        };
        let parsed = parse_query(&q);
        let view = parsed.config.view.view;
        store::apply(Change::Replace(Box::new(parsed)), HistoryMode::Push);
        scroll_to(match view {
            View::Phase => "phase",
            View::OneShot => "oneshot",
            View::Preferences => "preferences",
            View::Dynamics => "dynamics",
        });
    })
}
