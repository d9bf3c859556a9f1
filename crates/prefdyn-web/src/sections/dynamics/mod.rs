//! Dynamics: π_t over rounds (the first viewport, drawn by [`super::hero`]), the entropy,
//! the K = 3 phase portrait, playback, the finite-sample realisations, and the verdict
//! beside the paper's theory; P in brief.

use std::cell::RefCell;

use prefdyn::config::View;
use prefdyn::report::{comparison_csv, trajectory_csv};
use prefdyn_charts::{drawn_paths, RunPicture, SamplePaths};
use wasm_bindgen::prelude::*;
use web_sys::Document;

use super::Section;
use super::{hero, readout};
use crate::canvas::{self, Theme};
use crate::dom::{self, log_error, now, on, set_hidden, set_html};
use crate::export::{download, download_canvas};
use crate::model::{App, Change, Changed, PlayAction};
use crate::store::{self, HistoryMode};

mod compare;
mod described;
mod portrait;
mod samples;

thread_local! {
    /// H(π_t) of the current run.
    static ENTROPIES: RefCell<Vec<f64>> = const { RefCell::new(Vec::new()) };
}

fn play(a: PlayAction) {
    store::dispatch(Change::Play(a), HistoryMode::None);
}

/// The readout of round `t` of the run.
fn readout_at(t: usize) -> Option<String> {
    store::read(|app| {
        let d = app.results.dynamics.as_ref()?;
        Some(readout::text(&d.trajectory, app.matrix.labels(), t))
    })
    .flatten()
}

/// Keyboard: space plays or pauses, arrows step.
fn on_key(e: web_sys::KeyboardEvent) {
    if let Some(action) = hero::playback_key(&e) {
        play(action);
    }
}

/// The Dynamics section.
pub struct Dynamics;

impl Section for Dynamics {
    fn id(&self) -> &'static str {
        "dynamics"
    }

    fn wire(&self, doc: &Document) -> Result<(), JsValue> {
        set_html(doc, "glossary", &hero::glossary());
        on(doc, "play", "click", |_: web_sys::Event| {
            play(PlayAction::Toggle { now: now() })
        })?;
        on(doc, "step", "click", |_: web_sys::Event| {
            play(PlayAction::Step(1))
        })?;
        on(doc, "reset", "click", |_: web_sys::Event| {
            play(PlayAction::Rewind)
        })?;
        dom::listen(doc, "keydown", on_key)?;
        on(doc, "p-summary", "click", |_: web_sys::Event| {
            dom::scroll_to("preferences");
            if let Some(s) = dom::document().and_then(|d| dom::select(&d, "source")) {
                let _ = s.focus();
            }
        })?;
        portrait::wire(doc)?;
        compare::wire(doc)?;
        // The page's lifetime.
        std::mem::forget(readout::wire(doc, readout_at)?);
        on(doc, "export-policy-png", "click", |_: web_sys::Event| {
            download_canvas("chart-policy", "prefdyn-dynamics.png")
        })?;
        on(doc, "export-csv", "click", |_: web_sys::Event| {
            let csv = store::read(|app| match app.has_variants() {
                true => comparison_csv(&crate::json::runs(app)),
                false => trajectory_csv(&app.results),
            })
            .unwrap_or_default();
            download("prefdyn-trajectory.csv", "text/csv", &csv);
        })?;
        on(doc, "export-json", "click", |_: web_sys::Event| {
            let json = store::read(crate::json::document).unwrap_or_default();
            download("prefdyn.json", "application/json", &json)
        })
    }

    fn affected(&self, c: &Changed) -> bool {
        c.config.matrix
            || c.config.dynamics
            || c.results.dynamics
            || c.results.portrait
            || c.results.finite
            || c.results.matrix
            || c.finite_progress
            || c.frame
            || c.compare
    }

    fn eager(&self, app: &App) -> bool {
        app.config.view.view == View::Dynamics
    }

    fn render(&self, doc: &Document, app: &App, c: &Changed, theme: &Theme) {
        if c.results.dynamics {
            let d = app.results.dynamics.as_ref();
            ENTROPIES.with(|e| {
                *e.borrow_mut() = d.map(|d| d.trajectory.entropies()).unwrap_or_default()
            });
        }
        if c.results.dynamics || c.results.finite || c.results.matrix || c.config.any() {
            let labels = app.matrix.labels();
            let error = app.results.dynamics_error.as_deref().unwrap_or("");
            hero::render_texts(doc, app.results.dynamics.as_ref(), error, labels);
            portrait::render(doc, app);
            described::render(doc, app);
        }
        if c.results.matrix || c.config.matrix {
            let labels = app.matrix.labels();
            let d = &app.results.matrix.diagnostics;
            let text = hero::summary_text(
                &hero::source_title(&app.config.matrix),
                app.matrix.k(),
                d.condorcet_winner,
                d.three_cycles,
                labels,
            );
            hero::render_summary(doc, &text, &app.matrix);
        }
        if c.finite_progress || c.results.finite || c.config.dynamics {
            samples::render(doc, app);
        }
        if c.compare || c.results.dynamics || c.config.any() {
            compare::render(doc, app);
        }
        // The realisations' progress alone changes the status line, not the charts.
        let progress_only = *c
            == Changed {
                finite_progress: true,
                ..Changed::default()
            };
        if !progress_only {
            draw(doc, app, theme);
        }
    }

    fn describe(&self, doc: &Document, app: &App) {
        described::render(doc, app);
    }
}

/// The charts up to the play cursor, the round and the play button.
fn draw(doc: &Document, app: &App, theme: &Theme) {
    let Some(d) = &app.results.dynamics else {
        for id in ["chart-policy", "chart-entropy", "chart-simplex"] {
            canvas::clear(id);
        }
        return;
    };
    let (k, cursor) = (d.trajectory.k, app.play.cursor);
    if compare::comparing(app) {
        compare::draw(doc, app, theme);
        hero::render_player(doc, cursor, app.rounds(), app.play.playing);
        return;
    }
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
    hero::draw_policy(&run, theme);
    let result = ENTROPIES
        .with(|e| canvas::draw_entropy("chart-entropy", theme, &e.borrow(), cursor, k))
        .and_then(|_| match (k, &d.portrait) {
            (3, Some(pt)) => canvas::draw_portrait("chart-simplex", theme, &run, pt)
                .map(|layout| portrait::set_layout(doc, layout)),
            (3, None) => canvas::draw_simplex("chart-simplex", theme, &run),
            _ => Ok(()),
        });
    if let Err(e) = result {
        log_error(&e);
    }
    hero::render_player(doc, cursor, d.trajectory.rounds(), app.play.playing);
}
