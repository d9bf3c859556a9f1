//! One-shot: the optimum under each sampling strategy side by side, their ranking
//! properties, and what DPO does without a finite optimum.

use prefdyn::DpoOutcome;
use wasm_bindgen::prelude::*;
use web_sys::Document;

use crate::alt;
use crate::api::document_json;
use crate::canvas::{self, Theme};
use crate::dom::{escape, log_error, on, set_hidden, set_html, set_text};
use crate::export::{download, download_canvas};
use crate::store::App;

pub fn wire(doc: &Document) -> Result<(), JsValue> {
    on(doc, "export-oneshot-png", "click", |_: web_sys::Event| {
        download_canvas("chart-oneshot", "prefdyn-one-shot.png")
    })?;
    on(doc, "export-oneshot-json", "click", |_: web_sys::Event| {
        download("prefdyn.json", "application/json", &document_json())
    })
}

fn yes_no(b: bool) -> &'static str {
    if b {
        "yes"
    } else {
        "no"
    }
}

/// "A beats" / "A, B beat" every other response: the top component DPO escapes to.
fn dpo_note(labels: &[String], top: &[usize]) -> String {
    let names: Vec<&str> = top
        .iter()
        .filter_map(|&i| labels.get(i).map(String::as_str))
        .collect();
    let (verb, which) = if top.len() == 1 {
        ("beats", "that response")
    } else {
        ("beat", "those responses")
    };
    format!(
        "DPO has no finite optimum on this P: {} {verb} every other response with probability 1, so the DPO loss keeps falling as their log-ratio grows without bound. The bars show the limit policy: DPO restricted to {which}, zero elsewhere. IPO's optimum stays finite.",
        names.join(", ")
    )
}

fn table(app: &App) -> String {
    let labels = app.matrix.labels();
    let mut rows = String::from(
        "<thead><tr><th scope=\"col\">sampling μ</th><th scope=\"col\">top response</th><th scope=\"col\">Condorcet-consistent</th><th scope=\"col\">top in Smith set</th><th scope=\"col\">Smith set on top</th><th scope=\"col\">entropy [nats]</th></tr></thead><tbody>",
    );
    for r in &app.results.one_shot {
        let p = &r.properties;
        rows.push_str(&format!(
            "<tr><th scope=\"row\">{}</th><td>{} ({:.3})</td><td>{}</td><td>{}</td><td>{}</td><td>{:.4}</td></tr>",
            escape(&r.label),
            escape(labels.get(p.top).map(String::as_str).unwrap_or("")),
            r.result.policy.get(p.top).copied().unwrap_or(f64::NAN),
            p.condorcet_consistent.map(yes_no).unwrap_or("no Condorcet winner"),
            yes_no(p.top_in_smith),
            yes_no(p.smith_on_top),
            p.entropy
        ));
    }
    rows.push_str("</tbody>");
    rows
}

/// The chart's sentence (which response each sampling puts on top) and its data table.
fn describe(doc: &Document, app: &App, panels: &[(String, Vec<f64>)]) {
    let labels = app.matrix.labels();
    let tops: Vec<String> = app
        .results
        .one_shot
        .iter()
        .zip(panels)
        .map(|(r, (name, p))| {
            let top = r.properties.top;
            let who = labels.get(top).map(String::as_str).unwrap_or("");
            format!(
                "{name} puts {who} on top ({:.3})",
                p.get(top).copied().unwrap_or(f64::NAN)
            )
        })
        .collect();
    alt::describe(
        doc,
        "chart-oneshot",
        &format!(
            "The one-shot optimum under each sampling distribution: {}.",
            tops.join("; ")
        ),
    );
    let mut header = vec!["sampling μ".to_string()];
    header.extend(labels.iter().cloned());
    alt::table(doc, "chart-oneshot", &header, || {
        panels
            .iter()
            .map(|(name, p)| {
                let mut row = vec![name.clone()];
                row.extend(p.iter().map(|v| format!("{v:.4}")));
                row
            })
            .collect()
    });
}

/// Each strategy's short name and optimum, as the chart's panels show them.
fn panels(app: &App) -> Vec<(String, Vec<f64>)> {
    app.results
        .one_shot
        .iter()
        .map(|r| {
            (
                r.label.split(" (").next().unwrap_or("").to_string(),
                r.result.policy.clone(),
            )
        })
        .collect()
}

/// The chart's text alternative and data table, from the model.
pub fn describe_now(doc: &Document, app: &App) {
    describe(doc, app, &panels(app));
}

pub fn render(doc: &Document, app: &App, theme: &Theme) {
    let labels = app.matrix.labels();
    let panels = panels(app);
    if let Err(e) = canvas::draw_one_shot("chart-oneshot", theme, &panels, labels) {
        log_error(&e);
    }
    set_html(doc, "oneshot-table", &table(app));
    describe(doc, app, &panels);
    let note = app
        .results
        .one_shot
        .iter()
        .find_map(|r| match &r.result.dpo {
            Some(DpoOutcome::NoFiniteOptimum { top_component, .. }) => {
                Some(dpo_note(labels, top_component))
            }
            _ => None,
        })
        .unwrap_or_default();
    set_text(doc, "dpo-note", &note);
    set_hidden(doc, "dpo-note", note.is_empty());
}
