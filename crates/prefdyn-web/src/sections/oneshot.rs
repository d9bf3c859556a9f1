//! One-shot: the optimum under each sampling strategy side by side, their ranking
//! properties, and what DPO does without a finite optimum.

use prefdyn::text::{sig, sig_n};
use prefdyn::DpoOutcome;
use wasm_bindgen::prelude::*;
use web_sys::Document;

use super::Section;
use crate::alt;
use crate::canvas::{self, Theme};
use crate::dom::{escape, log_error, on, set_hidden, set_html, set_text};
use crate::export::{download, download_canvas};
use crate::model::{App, Changed};
use crate::store;

/// One-shot optima by sampling strategy.
pub struct OneShot;

impl Section for OneShot {
    fn id(&self) -> &'static str {
        "oneshot"
    }

    fn wire(&self, doc: &Document) -> Result<(), JsValue> {
        on(doc, "export-oneshot-png", "click", |_: web_sys::Event| {
            download_canvas("chart-oneshot", "prefdyn-one-shot.png")
        })?;
        on(doc, "export-oneshot-json", "click", |_: web_sys::Event| {
            let json = store::read(crate::json::document).unwrap_or_default();
            download("prefdyn.json", "application/json", &json)
        })
    }

    /// The view too: a tour step frames one of its panels.
    fn affected(&self, c: &Changed) -> bool {
        c.results.one_shot || c.results.matrix || c.config.view
    }

    fn eager(&self, app: &App) -> bool {
        app.config.view.view == prefdyn::config::View::OneShot
    }

    fn render(&self, doc: &Document, app: &App, _c: &Changed, theme: &Theme) {
        render(doc, app, theme);
    }

    fn describe(&self, doc: &Document, app: &App) {
        describe_now(doc, app);
    }
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

/// The strategy panel the current tour step frames.
pub fn framed_panel(app: &App) -> Option<usize> {
    match prefdyn_paper::tour::step(app.config.view.tour)?.focus {
        prefdyn_paper::tour::Focus::OneShot { panel } => Some(panel),
        _ => None,
    }
}

/// "D (0.262)", or for a tie "tie: A, B, C (0.333 each)".
fn top_text(labels: &[String], policy: &[f64], tie: &[usize]) -> String {
    let name = |i: usize| labels.get(i).map(String::as_str).unwrap_or("");
    let value = |i: usize| sig(policy.get(i).copied().unwrap_or(f64::NAN));
    match tie {
        [] => String::new(),
        [one] => format!("{} ({})", name(*one), value(*one)),
        many => format!(
            "tie: {} ({} each)",
            many.iter().map(|&i| name(i)).collect::<Vec<_>>().join(", "),
            value(many[0])
        ),
    }
}

/// The table: each strategy's top response (or tie), the mass it gives the Borda and the
/// Condorcet winner when they differ (the paper's one-shot point), the ranking properties
/// and the entropy.
fn table(app: &App) -> String {
    let labels = app.matrix.labels();
    let diag = &app.results.matrix.diagnostics;
    // The two winners whose masses tell uniform sampling's story, when they differ.
    let winners: Vec<(&str, usize)> = match (diag.borda_winner, diag.condorcet_winner) {
        (Some(b), Some(c)) if b != c => vec![("Borda winner", b), ("Condorcet winner", c)],
        _ => vec![],
    };
    let name = |i: usize| escape(labels.get(i).map(String::as_str).unwrap_or(""));
    let winner_heads: String = winners
        .iter()
        .map(|(what, i)| format!("<th scope=\"col\">{what} {}</th>", name(*i)))
        .collect();
    let mut rows = format!(
        "<thead><tr><th scope=\"col\">sampling μ</th><th scope=\"col\">top response</th>{winner_heads}<th scope=\"col\">Condorcet-consistent</th><th scope=\"col\">top in Smith set</th><th scope=\"col\">Smith set on top</th><th scope=\"col\">entropy [nats]</th></tr></thead><tbody>",
    );
    let framed = framed_panel(app);
    for (idx, r) in app.results.one_shot.iter().enumerate() {
        let p = &r.properties;
        let policy = &r.result.policy;
        let winner_cells: String = winners
            .iter()
            .map(|(_, i)| {
                format!(
                    "<td>{}</td>",
                    sig(policy.get(*i).copied().unwrap_or(f64::NAN))
                )
            })
            .collect();
        rows.push_str(&format!(
            "<tr{}><th scope=\"row\">{}</th><td>{}</td>{winner_cells}<td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            if framed == Some(idx) { " class=\"focus\"" } else { "" },
            escape(&r.label),
            escape(&top_text(labels, policy, &p.top_tie)),
            p.condorcet_consistent.map(yes_no).unwrap_or("no Condorcet winner"),
            yes_no(p.top_in_smith),
            yes_no(p.smith_on_top),
            sig(p.entropy)
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
        .map(|(r, (name, p))| match r.properties.top_tie.as_slice() {
            [_, _, ..] => format!("{name} ties {}", top_text(labels, p, &r.properties.top_tie)),
            _ => {
                let top = r.properties.top;
                let who = labels.get(top).map(String::as_str).unwrap_or("");
                format!(
                    "{name} puts {who} on top ({})",
                    sig(p.get(top).copied().unwrap_or(f64::NAN))
                )
            }
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
                row.extend(p.iter().map(|&v| sig_n(v, 4)));
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

fn render(doc: &Document, app: &App, theme: &Theme) {
    let labels = app.matrix.labels();
    let panels = panels(app);
    if let Err(e) =
        canvas::draw_one_shot("chart-oneshot", theme, &panels, labels, framed_panel(app))
    {
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
