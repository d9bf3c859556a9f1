//! The paper's figures: one button per preset; a click loads its link.

use prefdyn::config::parse_query;
use prefdyn_paper::figures::{FigurePreset, FIGURES, PAPER_SCALE};
use wasm_bindgen::prelude::*;
use web_sys::Document;

use super::Section;
use crate::canvas::Theme;
use crate::dom::{escape, event_target, on, scroll_to, set_html};
use crate::model::{App, Change, Changed};
use crate::store::{self, HistoryMode};

/// A figure's button and caption, with its paper-scale variant when there is one.
fn item(f: &FigurePreset) -> String {
    let paper = PAPER_SCALE
        .iter()
        .find(|p| p.id.strip_suffix("paper") == Some(f.id))
        .map(|p| {
            format!(
                " <button type=\"button\" class=\"paper-scale\" data-query=\"{}\" title=\"{}\">paper scale</button>",
                escape(p.query),
                escape(p.description)
            )
        })
        .unwrap_or_default();
    format!(
        "<li><button type=\"button\" data-query=\"{}\" title=\"{}\">{}: {}</button>{paper}<p>{}</p></li>",
        escape(f.query),
        escape(f.description),
        escape(f.figure),
        escape(f.title),
        escape(f.description)
    )
}

/// The paper's figures: one button per preset.
pub struct Figures;

impl Section for Figures {
    fn id(&self) -> &'static str {
        "figures"
    }

    fn wire(&self, doc: &Document) -> Result<(), JsValue> {
        wire(doc)
    }

    fn affected(&self, c: &Changed) -> bool {
        *c == Changed::all()
    }

    fn render(&self, _doc: &Document, _app: &App, _c: &Changed, _theme: &Theme) {}
}

fn wire(doc: &Document) -> Result<(), JsValue> {
    let html: String = FIGURES.iter().map(item).collect();
    set_html(doc, "figure-list", &html);
    on(doc, "figure-list", "click", |e: web_sys::Event| {
        let Some(q) = event_target(&e, "button").and_then(|b| b.get_attribute("data-query")) else {
            return;
        };
        let parsed = parse_query(&q);
        let view = parsed.config.view.view;
        store::dispatch(Change::Replace(Box::new(parsed)), HistoryMode::Push);
        // A figure's diagram runs when it opens (again after Cancel: the link is the same).
        if view == prefdyn::config::View::Phase {
            store::dispatch(Change::PhaseResume, HistoryMode::None);
        }
        scroll_to(super::section_of(view));
    })
}
