//! The paper's figures: one button per preset; a click loads its link.

use prefdyn::config::parse_query;
use prefdyn_paper::figures::{panels, FigurePreset, FIGURES, PAPER_SCALE, TRIPTYCHS};
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

/// A triptych's button (its three panels side by side) with a button per panel alone.
fn triptych(t: &FigurePreset) -> String {
    let alone: Vec<String> = panels(t)
        .iter()
        .zip(["left", "centre", "right"])
        .map(|(p, name)| {
            format!(
                "<button type=\"button\" class=\"panel\" data-query=\"{}\" title=\"{}: {}\">{name}</button>",
                escape(p.query),
                escape(p.figure),
                escape(p.title)
            )
        })
        .collect();
    format!(
        "<li><button type=\"button\" data-query=\"{}\" title=\"{}\">{}: {}</button> <span class=\"panels\">alone: {}</span><p>{}</p></li>",
        escape(t.query),
        escape(t.description),
        escape(t.figure),
        escape(t.title),
        alone.join(" "),
        escape(t.description)
    )
}

/// The figures as the page lists them: Figures 1 and 2 as triptychs (where their first
/// panel was), every other preset as it is.
fn list() -> String {
    let in_triptych = |f: &FigurePreset| TRIPTYCHS.iter().find(|t| panels(t).contains(&f));
    FIGURES
        .iter()
        .filter_map(|f| match in_triptych(f) {
            Some(t) if panels(t).first() == Some(&f) => Some(triptych(t)),
            Some(_) => None,
            None => Some(item(f)),
        })
        .collect()
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
    set_html(doc, "figure-list", &list());
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
