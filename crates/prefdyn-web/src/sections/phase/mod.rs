//! Phase diagram: the model's phase job (computed by the worker pool or in slices on the
//! page, coarse cells first, so a picture of the whole plane appears at once and sharpens)
//! drawn with the theory; progress, Run, Cancel, a tooltip at the cell under the pointer,
//! and a click (or a second tap) that opens the cell in Dynamics. The diagram starts when
//! it is asked for: its section comes near the viewport, the link opens on it, or Run.

use std::cell::Cell;

use prefdyn::config::{Config, MatrixSource, PolicySpec, View};
use prefdyn::phase::{cell_params, member_pi0_seed, Ensemble, PhaseJob, PhaseMetric};
use prefdyn::report::ensemble_note;
use prefdyn::text::{count, duration, percent, sig};
use prefdyn_charts::{PhaseLayout, PhasePicture};
use wasm_bindgen::prelude::*;
use web_sys::Document;

use super::Section;
use crate::canvas::{self, Theme};
use crate::dom::{
    document, hide_tip, is_touch, log_error, now, offset_in_target, on, scroll_to, set_attr,
    set_hidden, set_text, show_tip,
};
use crate::export::{download, download_canvas};
use crate::model::{App, Change, Changed, PhaseModel};
use crate::store::{self, HistoryMode};

mod described;

/// Milliseconds between redraws while a sweep runs.
const DRAW_EVERY_MS: f64 = 200.0;
/// Shortest interval between two updates of the status and progress bar while running.
const STATUS_EVERY_MS: f64 = 100.0;
thread_local! {
    /// Where the heatmap was last drawn (CSS pixels).
    static LAYOUT: Cell<PhaseLayout> = Cell::new(PhaseLayout::default());
    /// When it was last drawn, and whether its first picture was drawn.
    static LAST_DRAW: Cell<(f64, bool)> = const { Cell::new((f64::NEG_INFINITY, false)) };
    /// When the status and progress bar were last written.
    static LAST_STATUS: Cell<f64> = const { Cell::new(f64::NEG_INFINITY) };
    /// The cell a first tap showed (a second tap on it opens it).
    static TAPPED: Cell<Option<(usize, usize)>> = const { Cell::new(None) };
}

/// Who computes: "on 2 workers" or "on the page".
fn where_text(ph: &PhaseModel) -> String {
    match ph.workers {
        0 => "on the page".into(),
        n => format!("on {}", count(n, "worker", "workers")),
    }
}

fn status_text(ph: &PhaseModel) -> String {
    if let Some(e) = &ph.error {
        return format!("Cannot compute: {e}");
    }
    if ph.running {
        return format!("computing… {} {}", percent(ph.progress()), where_text(ph));
    }
    if ph.cancelled {
        return "cancelled; the cells done so far are shown".into();
    }
    match (&ph.job, ph.millis) {
        (Some(j), Some(ms)) if j.is_done() => {
            let s = j.spec();
            format!(
                "{}×{} cells × {}{} × T = {} in {} {} (with the ρ = 1 boundary)",
                s.x.n,
                s.y.n,
                count(j.members().len(), "matrix", "matrices"),
                s.sampling
                    .map(|f| format!(
                        " × R = {} realisations of N = {} pairs",
                        f.realisations, f.pairs
                    ))
                    .unwrap_or_default(),
                s.rounds,
                duration(ms),
                where_text(ph)
            )
        }
        (None, _) => "Scroll here or press Run to compute the diagram.".into(),
        _ => String::new(),
    }
}

fn update_status(doc: &Document, app: &App) {
    let ph = &app.phase;
    set_attr(
        doc,
        "phase-progress",
        "value",
        &format!("{:.4}", ph.progress()),
    );
    set_text(doc, "phase-status", &status_text(ph));
    let note = ensemble_note(&app.config.phase.ensemble);
    set_text(doc, "phase-note", note.unwrap_or(""));
    set_hidden(doc, "phase-note", note.is_none());
    // An ensemble of the current P has no family settings.
    let current = app.config.phase.ensemble == Ensemble::Current;
    for id in ["ek", "es", "en", "eseed"] {
        if let Some(i) = crate::dom::input(doc, id) {
            i.set_disabled(current);
        }
    }
}

/// Draws the diagram (partial while running: cells not computed yet show their coarse
/// neighbour's value) with the theory.
fn draw(app: &App, theme: &Theme) {
    let ph = &app.phase;
    let c = &app.config.phase;
    let preview = ph
        .job
        .as_ref()
        .filter(|_| ph.running)
        .map(PhaseJob::preview);
    let pic = match ph.job.as_ref().map(|j| j.result()) {
        Some(r) => PhasePicture {
            x_values: &r.grid.x_values,
            y_values: &r.grid.y_values,
            mean: preview.as_deref().unwrap_or(&r.grid.mean),
            sd: &r.grid.sd,
            rho: Some(&r.rho),
            collapsed: Some(&r.collapsed),
            theory: Some(&r.theory),
            x_title: c.x.axis.symbol(),
            y_title: c.y.axis.symbol(),
            metric_title: c.metric.title(),
        },
        None => PhasePicture::empty(),
    };
    match canvas::draw_phase("chart-phase", theme, &pic) {
        Ok(layout) => {
            LAYOUT.with(|l| l.set(layout));
            if let Err(e) = mark_runs(app, theme, &layout) {
                log_error(&e);
            }
        }
        Err(e) => log_error(&e),
    }
}

/// A comparison's runs as numbered markers at their (x, y) cells (those inside the grid).
fn mark_runs(app: &App, theme: &Theme, layout: &PhaseLayout) -> Result<(), String> {
    if !app.has_variants() || !layout.heatmap {
        return Ok(());
    }
    let (x, y) = (&app.config.phase.x, &app.config.phase.y);
    let marks: Vec<_> = app
        .config
        .runs()
        .iter()
        .enumerate()
        .filter_map(|(r, c)| {
            let p = &c.dynamics.params;
            let (ix, iy) = (x.cell_of(x.axis.of(p))?, y.cell_of(y.axis.of(p))?);
            let at = (
                layout.left + (ix as f64 + 0.5) * layout.cell_w,
                layout.top + ((layout.ny - 1 - iy) as f64 + 0.5) * layout.cell_h,
            );
            Some((at, prefdyn_charts::run_colour(r), (r + 1).to_string()))
        })
        .collect();
    canvas::mark_runs("chart-phase", theme, &marks)
}

/// The Phase diagram section.
pub struct Phase;

impl Section for Phase {
    fn id(&self) -> &'static str {
        "phase"
    }

    fn wire(&self, doc: &Document) -> Result<(), JsValue> {
        wire(doc)
    }

    fn affected(&self, c: &Changed) -> bool {
        c.phase || c.config.phase || c.compare
    }

    fn eager(&self, app: &App) -> bool {
        app.config.view.view == View::Phase
    }

    fn shown(&self) {
        store::dispatch(Change::PhaseWanted, HistoryMode::None);
    }

    /// Redraws the chart at most every [`DRAW_EVERY_MS`] while running (and at the first
    /// picture and the end), and the status and progress bar at most every
    /// [`STATUS_EVERY_MS`]: each repaint of the page takes the main thread from the
    /// workers' replies (and, on two cores, a core from a worker).
    fn render(&self, doc: &Document, app: &App, c: &Changed, theme: &Theme) {
        let ph = &app.phase;
        let t = now();
        // A worker's reply or a slice brings cells and nothing else.
        let cells_only = *c
            == Changed {
                phase: true,
                ..Changed::default()
            };
        let last_status = LAST_STATUS.with(Cell::get);
        if !ph.running || !cells_only || t - last_status >= STATUS_EVERY_MS {
            update_status(doc, app);
            LAST_STATUS.with(|l| l.set(t));
        }
        let (last, first_drawn) = LAST_DRAW.with(Cell::get);
        let first = ph.first_picture.is_some() && !first_drawn;
        let due = !ph.running || first || t - last >= DRAW_EVERY_MS || *c == Changed::all();
        if due {
            draw(app, theme);
            LAST_DRAW.with(|l| l.set((t, ph.first_picture.is_some())));
            described::render(
                doc,
                &app.config,
                ph.job.as_ref().map(|j| (j.result(), j.is_done())),
            );
        }
    }

    fn describe(&self, doc: &Document, app: &App) {
        let ph = &app.phase;
        described::render(
            doc,
            &app.config,
            ph.job.as_ref().map(|j| (j.result(), j.is_done())),
        );
    }
}

/// The cell's value as a reader says it: `V = 0.0694 ± 0.0123`, `oscillating in 25 % of
/// runs, collapsed in 75 %`, `collapsed in 100 % of runs`.
fn metric_text(metric: PhaseMetric, mean: f64, sd: f64, collapsed: f64) -> String {
    match metric {
        PhaseMetric::Verdict if collapsed > 0.0 && mean == 0.0 => {
            format!("collapsed in {} of runs", percent(collapsed))
        }
        PhaseMetric::Verdict if collapsed > 0.0 => format!(
            "oscillating in {} of runs, collapsed in {}",
            percent(mean),
            percent(collapsed)
        ),
        PhaseMetric::Verdict => format!("oscillating in {} of runs", percent(mean)),
        PhaseMetric::FinalEntropy => format!("H(π_T) = {} ± {} nats", sig(mean), sig(sd)),
        PhaseMetric::Rho => format!("ρ = {} ± {}", sig(mean), sig(sd)),
        PhaseMetric::Variance => format!("V = {} ± {}", sig(mean), sig(sd)),
    }
}

/// The readout of cell (ix, iy): its parameters, its value and the mean ρ.
fn cell_text(app: &App, ix: usize, iy: usize) -> Option<String> {
    let r = app.phase.job.as_ref()?.result();
    let (g, ph) = (&r.grid, &app.config.phase);
    let i = iy * g.nx + ix;
    let rho = r.rho.get(i).copied().unwrap_or(f64::NAN);
    let value = g.mean.get(i).copied().unwrap_or(f64::NAN);
    let value = if value.is_nan() {
        "not computed yet".to_string()
    } else {
        let sd = g.sd.get(i).copied().unwrap_or(f64::NAN);
        let collapsed = r.collapsed.get(i).copied().unwrap_or(f64::NAN);
        metric_text(ph.metric, value, sd, collapsed)
    };
    let rho = match (ph.metric, rho.is_finite()) {
        (PhaseMetric::Rho, _) => String::new(),
        (_, true) => format!("; mean ρ = {}", sig(rho)),
        (_, false) => "; no fixed point (α = 1)".into(),
    };
    Some(format!(
        "{} = {}, {} = {}: {value}{rho}",
        ph.x.axis.symbol(),
        sig(*g.x_values.get(ix)?),
        ph.y.axis.symbol(),
        sig(*g.y_values.get(iy)?),
    ))
}

fn cell_at(e: &web_sys::MouseEvent) -> Option<(usize, usize)> {
    let (x, y) = offset_in_target(e)?;
    LAYOUT.with(|l| l.get().hit(x, y))
}

/// Shows the readout of the cell under the pointer as a tooltip at the cell.
fn show_readout(e: &web_sys::MouseEvent) -> Option<(usize, usize)> {
    let doc = document()?;
    let (x, y) = offset_in_target(e)?;
    let Some((ix, iy)) = LAYOUT.with(|l| l.get().hit(x, y)) else {
        hide_tip(&doc, "phase-hover");
        return None;
    };
    let text = store::read(|app| cell_text(app, ix, iy)).flatten()?;
    show_tip(&doc, "phase-hover", &text, x, y);
    Some((ix, iy))
}

/// Hover: the cell's parameters, value and ρ in a tooltip.
fn hover(e: web_sys::MouseEvent) {
    if !is_touch(&e) {
        show_readout(&e);
    }
}

/// Click: opens the cell's parameters (and the ensemble's first matrix) in Dynamics. On
/// touch the first tap shows the readout and a second tap on the same cell opens it.
fn click(e: web_sys::MouseEvent) {
    if is_touch(&e) {
        let cell = show_readout(&e);
        if cell.is_none() || TAPPED.with(|t| t.replace(cell)) != cell {
            return;
        }
    }
    let Some((ix, iy)) = cell_at(&e) else { return };
    let Some(spec) = store::read(|app| app.phase.job.as_ref().map(|j| *j.spec())).flatten() else {
        return;
    };
    let params = cell_params(&spec, ix, iy);
    let open = move |c: &mut Config| {
        c.dynamics.params = params;
        c.dynamics.params.beta = params.beta.min(100.0);
        c.dynamics.rounds = spec.rounds;
        if let Ensemble::Family {
            family,
            k,
            param,
            seed,
            ..
        } = c.phase.ensemble
        {
            c.matrix = MatrixSource::Generated {
                family,
                k,
                param,
                seed,
            };
            c.dynamics.pi0 = PolicySpec::Dirichlet(member_pi0_seed(seed, 0));
            c.dynamics.mu0 = PolicySpec::Uniform;
        }
        c.view.view = View::Dynamics;
    };
    store::dispatch(Change::With(Box::new(open)), HistoryMode::Push);
    scroll_to("dynamics");
}

fn wire(doc: &Document) -> Result<(), JsValue> {
    on(doc, "phase-run", "click", |_: web_sys::Event| {
        store::dispatch(Change::PhaseRun, HistoryMode::None)
    })?;
    on(doc, "phase-cancel", "click", |_: web_sys::Event| {
        store::dispatch(Change::PhaseCancel, HistoryMode::None)
    })?;
    on(doc, "chart-phase", "mousemove", hover)?;
    on(doc, "chart-phase", "mouseleave", |_: web_sys::Event| {
        if let Some(doc) = document() {
            hide_tip(&doc, "phase-hover");
        }
    })?;
    on(doc, "chart-phase", "click", click)?;
    on(doc, "export-phase-png", "click", |_: web_sys::Event| {
        download_canvas("chart-phase", "prefdyn-phase.png")
    })?;
    on(doc, "export-phase-csv", "click", |_: web_sys::Event| {
        let csv = store::read(|app| {
            app.phase.job.as_ref().map(|j| {
                let r = j.result();
                prefdyn::report::phase_csv(&app.config, &r.grid, Some(&r.rho))
            })
        });
        download(
            "prefdyn-phase.csv",
            "text/csv",
            &csv.flatten().unwrap_or_default(),
        )
    })?;
    on(doc, "export-phase-json", "click", |_: web_sys::Event| {
        let json = store::read(crate::json::document).unwrap_or_default();
        download("prefdyn.json", "application/json", &json)
    })
}
