//! Bring your own preferences: pasted text or a dropped or chosen file, read by
//! `prefdyn::import` into a labelled matrix that becomes the page's P (and its link).
//! Bad input is named by row and column and changes nothing; inconsistent pairs are
//! named and fixed only on request; pairs never compared are named and counted.

use std::cell::RefCell;

use prefdyn::import::{parse_preferences, Format, Imported};
use prefdyn::text::sig;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Document, HtmlTextAreaElement};

use crate::dom::{document, escape, input, on, select, set_hidden, set_html};
use crate::model::{App, Change};
use crate::store::{self, HistoryMode};

thread_local! {
    /// A parse with inconsistent pairs, waiting for "make consistent".
    static PENDING: RefCell<Option<Imported>> = const { RefCell::new(None) };
}

fn textarea(doc: &Document) -> Option<HtmlTextAreaElement> {
    doc.get_element_by_id("import-text")?.dyn_into().ok()
}

fn report(html: &str) {
    if let Some(doc) = document() {
        set_html(&doc, "import-report", html);
    }
}

fn list(items: impl Iterator<Item = String>) -> String {
    let items: Vec<String> = items
        .take(8)
        .map(|t| format!("<li>{}</li>", escape(&t)))
        .collect();
    format!("<ul>{}</ul>", items.join(""))
}

/// Reads the text area with the chosen format.
fn import_now() {
    let Some(doc) = document() else { return };
    let text = textarea(&doc).map(|t| t.value()).unwrap_or_default();
    let format = select(&doc, "import-format").and_then(|s| Format::from_key(&s.value()));
    set_hidden(&doc, "import-fix", true);
    match parse_preferences(&text, format) {
        Err(e) => report(&format!(
            "<p class=\"bad\">Not imported: {}. The page's matrix is unchanged.</p>",
            escape(&e.to_string())
        )),
        Ok(data) if !data.inconsistent.is_empty() => {
            let n = data.inconsistent.len();
            let items = list(data.inconsistent.iter().map(|c| c.to_string()));
            report(&format!(
                "<p class=\"bad\">{n} pair(s) have P_ij + P_ji ≠ 1; nothing was imported yet. “Make consistent” sets each to (P_ij + 1 − P_ji)/2:</p>{items}"
            ));
            set_hidden(&doc, "import-fix", false);
            PENDING.with(|p| *p.borrow_mut() = Some(data));
        }
        Ok(data) => apply(data),
    }
}

fn make_consistent() {
    if let Some(mut data) = PENDING.with(|p| p.borrow_mut().take()) {
        data.make_consistent();
        if let Some(doc) = document() {
            set_hidden(&doc, "import-fix", true);
        }
        apply(data);
    }
}

/// The imported matrix becomes P (one history entry); the model keeps what was read.
fn apply(data: Imported) {
    store::dispatch(Change::Import(Box::new(data)), HistoryMode::Push);
}

/// The report of the last import (while it is the page's matrix).
pub fn render(doc: &Document, app: &App) {
    let Some(li) = &app.import else { return };
    let Some((first, rest)) = li.report.split_first() else {
        return;
    };
    let mut html = format!("<p>{}</p>", escape(first));
    if !rest.is_empty() {
        html.push_str(&list(rest.iter().cloned()));
    }
    set_html(doc, "import-report", &html);
}

/// A file's text into the text area, then imported.
fn read_file(file: web_sys::File) {
    let done = Closure::once(move |text: JsValue| {
        if let (Some(doc), Some(t)) = (document(), text.as_string()) {
            if let Some(area) = textarea(&doc) {
                area.set_value(&t);
            }
            import_now();
        }
    });
    let _ = file.text().then(&done);
    done.forget();
}

pub fn wire(doc: &Document) -> Result<(), JsValue> {
    on(doc, "import-go", "click", |_: web_sys::Event| import_now())?;
    on(doc, "import-fix", "click", |_: web_sys::Event| {
        make_consistent()
    })?;
    on(doc, "import-file", "change", |_: web_sys::Event| {
        let file = document()
            .and_then(|d| input(&d, "import-file"))
            .and_then(|i| i.files())
            .and_then(|f| f.get(0));
        if let Some(f) = file {
            read_file(f);
        }
    })?;
    on(doc, "import-text", "dragover", |e: web_sys::DragEvent| {
        e.prevent_default();
        if let Some(t) = e
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        {
            let _ = t.class_list().add_1("dragging");
        }
    })?;
    on(doc, "import-text", "dragleave", |e: web_sys::DragEvent| {
        if let Some(t) = e
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        {
            let _ = t.class_list().remove_1("dragging");
        }
    })?;
    on(doc, "import-text", "drop", |e: web_sys::DragEvent| {
        e.prevent_default();
        if let Some(t) = e
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        {
            let _ = t.class_list().remove_1("dragging");
        }
        let file = e
            .data_transfer()
            .and_then(|d| d.files())
            .and_then(|f| f.get(0));
        if let Some(f) = file {
            read_file(f);
        }
    })
}

/// The counts behind cell (i, j) of the heatmap, when the matrix came from counts.
pub fn counts_text(app: &App, labels: &[String], i: usize, j: usize) -> Option<String> {
    if i == j {
        return None;
    }
    app.import.as_ref().and_then(|li| {
        let c = li.counts.as_ref()?;
        let ties = c.ties.as_ref().map_or(0.0, |t| t[i][j]);
        let (a, b) = (labels.get(i)?, labels.get(j)?);
        let times = |n: f64| {
            if n == 1.0 {
                "once".to_string()
            } else {
                format!("{} times", sig(n))
            }
        };
        Some(format!(
            "{a} beat {b} {}, lost {}{}: P = {}",
            times(c.wins[i][j]),
            times(c.wins[j][i]),
            if ties == 1.0 {
                ", 1 tie".to_string()
            } else if ties > 0.0 {
                format!(", {} ties", sig(ties))
            } else {
                String::new()
            },
            sig(c.smoothed(i, j))
        ))
    })
}
