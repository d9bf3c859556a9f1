//! P in brief: the compact P beside the dynamics (a thumbnail, where it comes from and what
//! its majority says; a click opens the Preferences section) and the heatmap's text
//! alternative (a sentence and P as a data table).

use prefdyn::config::MatrixSource;
use prefdyn::presets::preset;
use prefdyn::text::{count, sig_n};
use prefdyn_charts::diverging;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{CanvasRenderingContext2d, Document, HtmlCanvasElement};

use crate::alt;
use crate::dom::{self, document, on, select, set_attr, set_text};
use crate::store::App;

pub fn wire(doc: &Document) -> Result<(), JsValue> {
    on(doc, "p-summary", "click", |_: web_sys::Event| {
        dom::scroll_to("preferences");
        if let Some(s) = document().and_then(|d| select(&d, "source")) {
            let _ = s.focus();
        }
    })
}

/// Where P comes from, in words.
fn source_title(app: &App) -> String {
    match &app.config.matrix {
        MatrixSource::Generated { family, .. } => family.title().to_string(),
        MatrixSource::Preset { name } => preset(name)
            .map(|p| p.name.to_string())
            .unwrap_or_else(|| name.clone()),
        MatrixSource::Values { .. } => "edited values".into(),
    }
}

pub fn render(doc: &Document, app: &App) {
    let d = &app.results.matrix.diagnostics;
    let labels = app.matrix.labels();
    let majority = match d.condorcet_winner.and_then(|i| labels.get(i)) {
        Some(w) => format!("Condorcet winner {w}"),
        None if d.three_cycles > 0 => format!(
            "no Condorcet winner, {}",
            count(d.three_cycles, "majority 3-cycle", "majority 3-cycles")
        ),
        None => "no Condorcet winner".into(),
    };
    let text = format!(
        "P: {}, K = {} · {majority}. Change P ↓",
        source_title(app),
        app.matrix.k()
    );
    set_text(doc, "p-summary-text", &text);
    set_attr(doc, "p-summary", "aria-label", &text);
    draw_thumbnail(doc, app);
    let borda = match d.borda_winner.and_then(|i| labels.get(i)) {
        Some(b) => format!("Borda winner {b}"),
        None => "no Borda winner".into(),
    };
    alt::describe(
        doc,
        "chart-matrix",
        &format!(
            "Heatmap of the preference matrix P ({}, K = {}): {majority}, {borda}. Click a cell to edit it.",
            source_title(app),
            app.matrix.k()
        ),
    );
    let mut header = vec!["P[row][column]".to_string()];
    header.extend(labels.iter().cloned());
    alt::table(doc, "chart-matrix", &header, || {
        (0..app.matrix.k())
            .map(|i| {
                let mut row = vec![labels.get(i).cloned().unwrap_or_default()];
                row.extend((0..app.matrix.k()).map(|j| sig_n(app.matrix.get(i, j), 4)));
                row
            })
            .collect()
    });
}

/// P as a K×K block of cells in the heatmap's colours (the diagonal in grey).
fn draw_thumbnail(doc: &Document, app: &App) {
    let Some(canvas) = doc
        .get_element_by_id("p-thumb")
        .and_then(|e| e.dyn_into::<HtmlCanvasElement>().ok())
    else {
        return;
    };
    let Some(ctx) = canvas
        .get_context("2d")
        .ok()
        .flatten()
        .and_then(|c| c.dyn_into::<CanvasRenderingContext2d>().ok())
    else {
        return;
    };
    let size = 40.0
        * web_sys::window()
            .map_or(1.0, |w| w.device_pixel_ratio())
            .max(1.0);
    canvas.set_width(size as u32);
    canvas.set_height(size as u32);
    let k = app.matrix.k();
    let cell = size / k as f64;
    for i in 0..k {
        for j in 0..k {
            let fill = if i == j {
                "rgb(160,160,160)".to_string()
            } else {
                let c = diverging(app.matrix.get(i, j));
                format!("rgb({},{},{})", c.0, c.1, c.2)
            };
            ctx.set_fill_style_str(&fill);
            ctx.fill_rect(j as f64 * cell, i as f64 * cell, cell.ceil(), cell.ceil());
        }
    }
}
