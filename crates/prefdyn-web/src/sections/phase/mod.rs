//! Phase diagram: the engine's [`PhaseJob`] run in short slices ([`Slices`], so the page
//! stays responsive), coarse cells first; progress, Cancel, hover readout and a
//! click that opens the cell in Dynamics.

use std::cell::RefCell;

use prefdyn::config::{format_float, Changes, Config, MatrixSource, PolicySpec, View};
use prefdyn::phase::{base_inputs, cell_params, member_pi0_seed, Ensemble, PhaseJob};
use prefdyn_charts::{PhaseLayout, PhasePicture};
use wasm_bindgen::prelude::*;
use web_sys::Document;

use crate::api::document_json;
use crate::canvas::{self, theme_from_page};
use crate::dom::{
    document, log_error, now, offset_in_target, on, scroll_to, set_attr, set_hidden, set_text,
};
use crate::export::{download, download_canvas};
use crate::history::HistoryMode;
use crate::store::{self, Change};
use crate::tasks::Slices;

/// Milliseconds of computing per slice (input and painting run between slices).
const SLICE_MS: f64 = 12.0;
/// Milliseconds between redraws while a sweep runs.
const DRAW_EVERY_MS: f64 = 300.0;

/// The diagram: its job (kept when done), timing, and what the reader last saw.
#[derive(Default)]
struct PhaseState {
    /// The inputs the job was made for.
    key: String,
    job: Option<PhaseJob>,
    running: bool,
    cancelled: bool,
    error: Option<String>,
    started: f64,
    last_draw: f64,
    /// Time from start until every cell was done.
    millis: Option<f64>,
    layout: PhaseLayout,
}

thread_local! {
    static STATE: RefCell<PhaseState> = RefCell::new(PhaseState::default());
    /// The sweep's slices (one queued at most: a restart does not start a second loop).
    static TASKS: Option<Slices> = Slices::new(work);
}

/// The inputs a phase diagram depends on: its settings, the base parameters its axes do
/// not set, and P, π₀, μ₀ when it runs on the current P.
fn key_of(c: &Config) -> String {
    let current = c.phase.ensemble == Ensemble::Current;
    let base = base_inputs(c.dynamics.params, c.phase.x.axis, c.phase.y.axis);
    serde_json::json!({
        "phase": c.phase,
        "base": base,
        "current": current.then_some((&c.matrix, &c.dynamics.pi0, &c.dynamics.mu0)),
    })
    .to_string()
}

fn progress(st: &PhaseState) -> f64 {
    st.job
        .as_ref()
        .map(|j| j.progress().fraction())
        .unwrap_or(0.0)
}

/// `results().phase`: grid, ρ, theory, progress and timing.
pub fn to_json() -> serde_json::Value {
    STATE.with(|s| {
        let st = s.borrow();
        let r = st.job.as_ref().map(|j| j.result());
        serde_json::json!({
            "grid": r.map(|r| &r.grid),
            "rho": r.map(|r| &r.rho),
            "theory": r.map(|r| &r.theory),
            "done": st.job.as_ref().is_some_and(|j| j.is_done()),
            "cancelled": st.cancelled,
            "running": st.running,
            "progress": progress(&st),
            "error": st.error,
            "millis": st.millis,
            "boundary_millis": st.millis,
        })
    })
}

/// CSV of the grid (empty before the first run).
fn csv() -> String {
    store::read(|app| {
        STATE.with(|s| {
            s.borrow()
                .job
                .as_ref()
                .map(|j| {
                    let r = j.result();
                    prefdyn::report::phase_csv(&app.config, &r.grid, Some(&r.rho))
                })
                .unwrap_or_default()
        })
    })
    .unwrap_or_default()
}

/// After a change: a new job when the diagram's inputs changed; a redraw when everything
/// is redrawn (first paint, resize); else nothing.
pub fn on_change(changes: Changes) {
    let Some(key) = store::read(|app| key_of(&app.config)) else {
        return;
    };
    if STATE.with(|s| s.borrow().key != key) {
        restart();
    } else if changes == Changes::all() {
        render();
    }
}

/// Starts (or restarts) the diagram of the current configuration.
pub fn restart() {
    let setup = store::read(|app| {
        let key = key_of(&app.config);
        let job = prefdyn::report::phase_setup(&app.config, &app.matrix)
            .map_err(|e| e.to_string())
            .and_then(|(spec, members)| PhaseJob::new(spec, members).map_err(|e| e.to_string()));
        (key, job)
    });
    let Some((key, job)) = setup else { return };
    let t = now();
    let running = STATE.with(|s| {
        let mut st = s.borrow_mut();
        *st = PhaseState {
            key,
            started: t,
            last_draw: t,
            layout: st.layout,
            ..PhaseState::default()
        };
        match job {
            Ok(j) => {
                st.job = Some(j);
                st.running = true;
            }
            Err(e) => st.error = Some(e),
        }
        st.running
    });
    render();
    if running {
        schedule();
    }
}

/// Stops the sweep; the cells computed so far stay.
pub fn cancel() {
    STATE.with(|s| {
        let mut st = s.borrow_mut();
        if st.running {
            st.running = false;
            st.cancelled = true;
        }
    });
    render();
    crate::api::notify();
}

fn schedule() {
    if TASKS.with(|t| t.as_ref().map(Slices::schedule)) != Some(true) {
        log_error("phase diagram: cannot schedule work (MessageChannel unavailable)");
    }
}

/// One slice of cells; returns whether more slices are needed.
fn work() -> bool {
    let deadline = now() + SLICE_MS;
    let (finished, draw) = STATE.with(|s| {
        let mut st = s.borrow_mut();
        let running = st.running;
        let Some(job) = st.job.as_mut().filter(|_| running) else {
            return (true, false);
        };
        while now() < deadline && !job.all_taken() {
            job.step(1);
        }
        let (done, t) = (job.is_done(), now());
        if done {
            st.running = false;
            st.millis = Some(t - st.started);
        }
        let draw = done || t - st.last_draw >= DRAW_EVERY_MS;
        if draw {
            st.last_draw = t;
        }
        (done, draw)
    });
    if draw {
        render();
    } else {
        update_status();
    }
    if finished {
        crate::api::notify();
    }
    !finished
}

fn status_text(st: &PhaseState) -> String {
    if let Some(e) = &st.error {
        return format!("Cannot compute: {e}");
    }
    if st.running {
        return format!("computing… {:.0}%", 100.0 * progress(st));
    }
    if st.cancelled {
        return "cancelled; the cells done so far are shown".into();
    }
    match (&st.job, st.millis) {
        (Some(j), Some(ms)) if j.is_done() => {
            let s = j.spec();
            format!(
                "{}×{} cells × {} matrices × T = {} in {:.0} ms (with the ρ = 1 boundary)",
                s.x.n,
                s.y.n,
                j.members().len(),
                s.rounds,
                ms
            )
        }
        _ => String::new(),
    }
}

fn update_status() {
    let Some(doc) = document() else { return };
    let (p, text) = STATE.with(|s| {
        let st = s.borrow();
        (progress(&st), status_text(&st))
    });
    set_attr(&doc, "phase-progress", "value", &format!("{p:.4}"));
    set_text(&doc, "phase-status", &text);
    let ensemble = store::read(|app| app.config.phase.ensemble.clone());
    let note = ensemble.as_ref().and_then(prefdyn::report::ensemble_note);
    set_text(&doc, "phase-note", note.unwrap_or(""));
    set_hidden(&doc, "phase-note", note.is_none());
    // An ensemble of the current P has no family settings.
    let current = ensemble == Some(Ensemble::Current);
    for id in ["ek", "es", "en", "eseed"] {
        if let Some(i) = crate::dom::input(&doc, id) {
            i.set_disabled(current);
        }
    }
}

/// Draws the diagram (partial while running) with the theory.
pub fn render() {
    update_status();
    let theme = theme_from_page();
    let drawn = store::read(|app| {
        STATE.with(|s| {
            let st = s.borrow();
            let ph = &app.config.phase;
            let pic = match st.job.as_ref().map(|j| j.result()) {
                Some(r) => PhasePicture {
                    x_values: &r.grid.x_values,
                    y_values: &r.grid.y_values,
                    mean: &r.grid.mean,
                    sd: &r.grid.sd,
                    rho: Some(&r.rho),
                    theory: Some(&r.theory),
                    x_title: ph.x.axis.symbol(),
                    y_title: ph.y.axis.symbol(),
                    metric_title: ph.metric.title(),
                },
                None => PhasePicture::empty(),
            };
            canvas::draw_phase("chart-phase", &theme, &pic)
        })
    });
    match drawn {
        Some(Ok(layout)) => STATE.with(|s| s.borrow_mut().layout = layout),
        Some(Err(e)) => log_error(&e),
        None => {}
    }
}

fn cell_at(e: &web_sys::MouseEvent) -> Option<(usize, usize)> {
    let (x, y) = offset_in_target(e)?;
    STATE.with(|s| s.borrow().layout.hit(x, y))
}

/// Hover: the cell's parameters, mean ± sd and ρ.
fn hover(e: web_sys::MouseEvent) {
    let Some((ix, iy)) = cell_at(&e) else { return };
    let text = store::read(|app| {
        STATE.with(|s| {
            let st = s.borrow();
            let r = st.job.as_ref()?.result();
            let (g, ph) = (&r.grid, &app.config.phase);
            let i = iy * g.nx + ix;
            let rho = r.rho.get(i).copied().unwrap_or(f64::NAN);
            Some(format!(
                "{} = {}, {} = {}: {} = {:.4e} ± {:.2e}{}",
                ph.x.axis.symbol(),
                format_float(*g.x_values.get(ix)?),
                ph.y.axis.symbol(),
                format_float(*g.y_values.get(iy)?),
                ph.metric.key(),
                g.mean.get(i)?,
                g.sd.get(i)?,
                if rho.is_finite() {
                    format!("; mean ρ = {rho:.3}")
                } else {
                    "; no fixed point (α = 1)".into()
                }
            ))
        })
    })
    .flatten();
    if let (Some(t), Some(doc)) = (text, document()) {
        set_text(&doc, "phase-hover", &t);
    }
}

/// Click: opens the cell's parameters (and the ensemble's first matrix) in Dynamics.
fn click(e: web_sys::MouseEvent) {
    let Some((ix, iy)) = cell_at(&e) else { return };
    let Some(spec) = STATE.with(|s| s.borrow().job.as_ref().map(|j| *j.spec())) else {
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
    store::apply(Change::With(Box::new(open)), HistoryMode::Push);
    scroll_to("dynamics");
}

pub fn wire(doc: &Document) -> Result<(), JsValue> {
    on(doc, "phase-run", "click", |_: web_sys::Event| restart())?;
    on(doc, "phase-cancel", "click", |_: web_sys::Event| cancel())?;
    on(doc, "chart-phase", "mousemove", hover)?;
    on(doc, "chart-phase", "click", click)?;
    on(doc, "export-phase-png", "click", |_: web_sys::Event| {
        download_canvas("chart-phase", "prefdyn-phase.png")
    })?;
    on(doc, "export-phase-csv", "click", |_: web_sys::Event| {
        download("prefdyn-phase.csv", "text/csv", &csv())
    })?;
    on(doc, "export-phase-json", "click", |_: web_sys::Event| {
        download("prefdyn.json", "application/json", &document_json())
    })
}
