//! Dynamics: π_t over rounds, the entropy, the simplex for K = 3, playback, and the
//! simulation's verdict beside the paper's theory.

use std::cell::RefCell;

use prefdyn::report::{next_step_hint, theory_sentences, trajectory_csv};
use prefdyn::text::{percent, sig};
use prefdyn::Verdict;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Document, Element};

use crate::api::document_json;
use crate::canvas::{self, theme_from_page, RunPicture, Theme};
use crate::dom::{document, escape, log_error, on, set_attr, set_hidden, set_html, set_text};
use crate::export::{download, download_canvas};
use crate::store::{self, App};
use crate::{dom, play};
use prefdyn_charts::{drawn_paths, SamplePaths};

mod described;
mod portrait;
mod readout;
mod samples;
pub use samples::progress_json as finite_progress_json;

thread_local! {
    /// H(π_t) of the current run.
    static ENTROPIES: RefCell<Vec<f64>> = const { RefCell::new(Vec::new()) };
}

/// Keyboard: space plays or pauses, arrows step; not while a form control has the focus.
fn on_key(e: web_sys::KeyboardEvent) {
    let in_control = e
        .target()
        .and_then(|t| t.dyn_into::<Element>().ok())
        .is_some_and(|el| {
            matches!(
                el.tag_name().as_str(),
                "INPUT" | "SELECT" | "TEXTAREA" | "BUTTON"
            )
        });
    if in_control || e.ctrl_key() || e.meta_key() || e.alt_key() {
        return;
    }
    match e.key().as_str() {
        " " => {
            e.prevent_default();
            play::toggle();
        }
        "ArrowRight" => {
            e.prevent_default();
            play::step(1);
        }
        "ArrowLeft" => {
            e.prevent_default();
            play::step(-1);
        }
        _ => {}
    }
}

pub fn wire(doc: &Document) -> Result<(), JsValue> {
    set_html(doc, "glossary", &glossary());
    on(doc, "play", "click", |_: web_sys::Event| play::toggle())?;
    on(doc, "step", "click", |_: web_sys::Event| play::step(1))?;
    on(doc, "reset", "click", |_: web_sys::Event| play::rewind())?;
    dom::listen(doc, "keydown", on_key)?;
    portrait::wire(doc)?;
    readout::wire(doc)?;
    on(doc, "export-policy-png", "click", |_: web_sys::Event| {
        download_canvas("chart-policy", "prefdyn-dynamics.png")
    })?;
    on(doc, "export-csv", "click", |_: web_sys::Event| {
        let csv = store::read(|app| trajectory_csv(&app.results)).unwrap_or_default();
        download("prefdyn-trajectory.csv", "text/csv", &csv);
    })?;
    on(doc, "export-json", "click", |_: web_sys::Event| {
        download("prefdyn.json", "application/json", &document_json())
    })
}

/// A new run (or a new P): all of it shown, the texts and the charts.
pub fn render(doc: &Document, app: &App, theme: &Theme) {
    let d = app.results.dynamics.as_ref();
    ENTROPIES.with(|e| *e.borrow_mut() = d.map(|d| d.trajectory.entropies()).unwrap_or_default());
    play::show_all(d.map(|d| d.trajectory.rounds()).unwrap_or(0));
    render_texts(doc, app);
    portrait::render(doc, app);
    draw(doc, app, theme);
    described::render(doc, app);
    samples::render(doc, app);
    samples::on_render(app);
}

/// The whole section again, from the model (when the realisations are done).
fn redraw() {
    let Some(doc) = document() else { return };
    let theme = theme_from_page();
    store::read(|app| {
        render_texts(&doc, app);
        draw(&doc, app, &theme);
        samples::render(&doc, app);
    });
}

/// The verdict (with the sentence that explains its word) and the theory beside it.
fn render_texts(doc: &Document, app: &App) {
    let Some(d) = &app.results.dynamics else {
        let msg = app.results.dynamics_error.clone().unwrap_or_default();
        set_text(doc, "verdict", &format!("No run: {msg}"));
        set_text(doc, "verdict-why", "");
        set_html(doc, "theory", "");
        return;
    };
    let m = &d.metrics;
    set_html(
        doc,
        "verdict",
        &format!(
            "Simulation: <b>{}</b>. H(π_T) = {} nats ({} of log K); V = {}.",
            escape(&d.verdict_text),
            sig(m.final_entropy),
            percent(m.final_entropy_normalised),
            sig(m.variance)
        ),
    );
    set_attr(doc, "verdict", "data-verdict", m.verdict.label());
    let mut why = m.verdict.explanation().to_string();
    if m.concentrated().is_some() {
        why.push(' ');
        why.push_str(CONCENTRATED);
    }
    set_text(doc, "verdict-why", &why);
    set_attr(doc, "verdict", "title", &why);
    set_text(doc, "dyn-hint", &next_step_hint(d, app.matrix.labels()));
    let items: String = theory_sentences(d, app.matrix.labels())
        .iter()
        .map(|t| format!("<li>{}</li>", escape(t)))
        .collect();
    set_html(doc, "theory", &items);
}

/// The qualifier's sentence.
const CONCENTRATED: &str =
    "Concentrated: one response holds at least 90 % of the mass at the last round.";

/// The glossary under the verdict: every verdict word, the qualifier, and the metrics the
/// page shows (V, H, ρ), one sentence each.
fn glossary() -> String {
    let mut items: Vec<(String, String)> = Verdict::ALL
        .iter()
        .map(|v| {
            let text = v.explanation();
            let (word, rest) = text.split_once(": ").unwrap_or((v.label(), text));
            (word.to_string(), rest.to_string())
        })
        .collect();
    let more = [
        ("Concentrated on i (p)", "a qualifier: response i holds p ≥ 90 % of the mass at the last round (shown with any verdict but collapsed)."),
        ("V", "the time-averaged variance (1/K) Σ_i Var_t π_t(i): 0 for a run that sits still, large for a persistent cycle."),
        ("H(π_T)", "the entropy of the last policy in nats: log K when uniform, 0 on a single response."),
        ("ρ", "the spectral radius of one round's Jacobian at the fixed point π*: below 1 the run settles there, above 1 it oscillates."),
    ];
    items.extend(more.iter().map(|(a, b)| (a.to_string(), b.to_string())));
    items
        .iter()
        .map(|(w, t)| format!("<dt>{}</dt><dd>{}</dd>", escape(w), escape(t)))
        .collect()
}

/// The charts up to the play cursor.
fn draw(doc: &Document, app: &App, theme: &Theme) {
    let Some(d) = &app.results.dynamics else {
        for id in ["chart-policy", "chart-entropy", "chart-simplex"] {
            canvas::clear(id);
        }
        return;
    };
    let (k, cursor) = (d.trajectory.k, play::cursor());
    // First the layout (the entropy chart is full width without the simplex), then sizes.
    set_hidden(doc, "simplex-box", k != 3);
    let finite = app.results.finite.as_ref().map(|f| &f.outcome);
    let paths = finite.map(drawn_paths).unwrap_or_default();
    let run = RunPicture {
        k,
        policies: &d.trajectory.policies,
        upto: cursor,
        labels: app.matrix.labels(),
        fixed_point: d.stability.fixed_point.as_deref(),
        samples: finite.map(|o| SamplePaths {
            paths: &paths,
            mean: &o.mean_path.policies,
        }),
        population: true,
    };
    let result = canvas::draw_policy("chart-policy", theme, &run)
        .map(readout::set_layout)
        .and_then(|_| {
            ENTROPIES.with(|e| canvas::draw_entropy("chart-entropy", theme, &e.borrow(), cursor, k))
        })
        .and_then(|_| match (k, &d.portrait) {
            (3, Some(pt)) => canvas::draw_portrait("chart-simplex", theme, &run, pt)
                .map(|layout| portrait::set_layout(doc, layout)),
            (3, None) => canvas::draw_simplex("chart-simplex", theme, &run),
            _ => Ok(()),
        });
    if let Err(e) = result {
        log_error(&e);
    }
    set_text(
        doc,
        "round-out",
        &format!("round {cursor} of {}", d.trajectory.rounds()),
    );
    set_text(doc, "play", if play::playing() { "Pause" } else { "Play" });
}

/// The charts' text alternatives and data tables, from the model.
pub fn describe(doc: &Document, app: &App) {
    described::render(doc, app);
}

/// One frame of playback: the charts only.
pub fn render_frame() {
    let Some(doc) = document() else { return };
    let theme = theme_from_page();
    store::read(|app| draw(&doc, app, &theme));
}
