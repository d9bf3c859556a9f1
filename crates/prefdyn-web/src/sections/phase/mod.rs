//! Phase diagram: the engine's [`PhaseJob`] computed by a pool of Web Workers ([`pool`]),
//! or where there are none in short slices on the page ([`Slices`]); coarse cells first, so
//! a picture of the whole plane appears at once and sharpens; progress, Cancel, hover
//! readout and a click that opens the cell in Dynamics.

mod described;
mod pool;

use std::cell::{Cell, RefCell};

use prefdyn::config::{to_query, Changes, Config, MatrixSource, PolicySpec, View};
use prefdyn::phase::{
    base_inputs, cell_params, member_pi0_seed, CellValue, Ensemble, PhaseJob, PhaseMetric,
};
use prefdyn::text::{count, duration, percent, sig};
use prefdyn_charts::{PhaseLayout, PhasePicture};
use wasm_bindgen::prelude::*;
use web_sys::Document;

use crate::api::document_json;
use crate::canvas::{self, theme_from_page};
use crate::dom::{
    document, hide_tip, is_touch, log_error, now, offset_in_target, on, scroll_to, set_attr,
    set_hidden, set_text, show_tip,
};
use crate::export::{download, download_canvas};
use crate::history::HistoryMode;
use crate::store::{self, Change};
use crate::tasks::Slices;

/// Milliseconds of computing per slice (input and painting run between slices).
const SLICE_MS: f64 = 12.0;
/// Milliseconds between redraws while a sweep runs.
const DRAW_EVERY_MS: f64 = 200.0;
/// Milliseconds of work a worker is given per batch (once its speed is known).
const BATCH_MS: f64 = 25.0;
/// Cells per batch before the speed is known.
const FIRST_BATCH: usize = 4;

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
    /// Time from start until the first picture.
    first_picture: Option<f64>,
    layout: PhaseLayout,
    /// Which sweep a worker's reply belongs to.
    gen: u32,
    /// Workers computing this sweep (0: slices on the page).
    workers: usize,
    /// Measured milliseconds per cell in a worker (0 until known).
    per_cell_ms: f64,
}

thread_local! {
    static STATE: RefCell<PhaseState> = RefCell::new(PhaseState::default());
    /// The sweep's slices (one queued at most: a restart does not start a second loop).
    static TASKS: Option<Slices> = Slices::new(work);
    static POOL: RefCell<Option<pool::Pool>> = const { RefCell::new(None) };
    /// Workers to use (`None`: one per core); 0 computes on the page.
    static WORKERS: Cell<Option<usize>> = const { Cell::new(None) };
}

/// Sets how many workers compute the phase diagram (`None`: one per core, at most
/// [`pool::MAX_WORKERS`]; 0: slices on the page) and restarts it.
pub fn set_workers(n: Option<usize>) {
    WORKERS.with(|w| w.set(n.map(|n| n.min(pool::MAX_WORKERS))));
    POOL.with(|p| *p.borrow_mut() = None);
    restart();
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
            "first_picture_millis": st.first_picture,
            "workers": st.workers,
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
            gen: st.gen.wrapping_add(1),
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
        dispatch();
    }
}

/// Hands the new sweep to the workers (made as needed), or to slices on the page.
fn dispatch() {
    let want = WORKERS.with(Cell::get).unwrap_or_else(pool::default_size);
    let query = store::read(|app| to_query(&app.config)).unwrap_or_default();
    let gen = STATE.with(|s| s.borrow().gen);
    let started = (want > 0)
        && POOL.with(|p| {
            let mut p = p.borrow_mut();
            if p.as_ref().map(pool::Pool::len) != Some(want) {
                *p = pool::Pool::new(want, on_reply);
            }
            p.as_ref().is_some_and(|pool| pool.start(gen, &query))
        });
    let workers = if started { want } else { 0 };
    STATE.with(|s| s.borrow_mut().workers = workers);
    if started {
        feed();
    } else {
        POOL.with(|p| *p.borrow_mut() = None);
        schedule();
    }
}

/// Cells per batch: about [`BATCH_MS`] of work once a worker's speed is known.
fn batch_size(st: &PhaseState) -> usize {
    if st.per_cell_ms > 0.0 {
        (BATCH_MS / st.per_cell_ms).round().clamp(1.0, 512.0) as usize
    } else {
        FIRST_BATCH
    }
}

/// Gives every worker with room a batch of the next cells.
fn feed() {
    POOL.with(|p| {
        let p = p.borrow();
        let Some(pool) = p.as_ref() else { return };
        loop {
            let idle = pool.idle();
            if idle.is_empty() {
                return;
            }
            for i in idle {
                let next = STATE.with(|s| {
                    let mut st = s.borrow_mut();
                    let n = batch_size(&st);
                    let (gen, running) = (st.gen, st.running);
                    let job = st.job.as_mut().filter(|_| running)?;
                    Some((gen, job.take(n)))
                });
                match next {
                    Some((gen, cells)) if !cells.is_empty() => {
                        if !pool.send(i, gen, &cells) {
                            return;
                        }
                    }
                    _ => return,
                }
            }
        }
    });
}

/// A worker's reply: store its cells, give it more, draw now and then.
fn on_reply(worker: usize, reply: pool::Reply) {
    match reply {
        pool::Reply::Cells {
            gen,
            values,
            millis,
        } => {
            POOL.with(|p| {
                if let Some(pool) = p.borrow().as_ref() {
                    pool.returned(worker)
                }
            });
            let cells: Vec<CellValue> = values
                .chunks_exact(4)
                .map(|v| CellValue {
                    cell: v[0] as usize,
                    mean: v[1],
                    sd: v[2],
                    rho: v[3],
                })
                .collect();
            let stored = STATE.with(|s| {
                let mut st = s.borrow_mut();
                if st.gen != gen || !st.running || cells.is_empty() {
                    return false;
                }
                let per = millis / cells.len() as f64;
                st.per_cell_ms = if st.per_cell_ms > 0.0 {
                    0.7 * st.per_cell_ms + 0.3 * per
                } else {
                    per
                };
                if let Some(job) = st.job.as_mut() {
                    job.store(&cells);
                }
                true
            });
            feed();
            if stored {
                after_progress();
            }
        }
        pool::Reply::Failed(message) => {
            log_error(&format!(
                "phase diagram worker: {message}; computing on the page instead"
            ));
            WORKERS.with(|w| w.set(Some(0)));
            POOL.with(|p| *p.borrow_mut() = None);
            restart();
        }
    }
}

/// After cells were stored: finish, or draw when a first picture is possible or it is
/// time; else update the progress.
fn after_progress() -> bool {
    let (finished, draw) = STATE.with(|s| {
        let mut st = s.borrow_mut();
        let Some(job) = st.job.as_ref() else {
            return (true, false);
        };
        let (done, t) = (job.is_done(), now());
        let coarse = job.coarse_done();
        if done {
            st.running = false;
            st.millis = Some(t - st.started);
        }
        let first = st.first_picture.is_none() && coarse;
        let draw = done || first || t - st.last_draw >= DRAW_EVERY_MS;
        if draw {
            st.last_draw = t;
        }
        if first {
            st.first_picture = Some(t - st.started);
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
    finished
}

/// Runs the diagram again when it was stopped before it finished (a figure button pressed
/// again after Cancel); a finished or running diagram is left alone.
pub fn resume() {
    let stopped = STATE.with(|s| {
        let st = s.borrow();
        !st.running && st.job.as_ref().is_some_and(|j| !j.is_done())
    });
    if stopped {
        restart();
    }
}

/// Stops the sweep at once (the workers are terminated); the cells computed so far stay.
pub fn cancel() {
    POOL.with(|p| *p.borrow_mut() = None);
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

/// One slice of cells on the page; returns whether more slices are needed.
fn work() -> bool {
    let deadline = now() + SLICE_MS;
    let idle = STATE.with(|s| {
        let mut st = s.borrow_mut();
        let running = st.running && st.workers == 0;
        let Some(job) = st.job.as_mut().filter(|_| running) else {
            return true;
        };
        while now() < deadline && !job.all_taken() {
            job.step(1);
        }
        false
    });
    !idle && !after_progress()
}

/// Who computes: "on 2 workers" or "on the page".
fn where_text(st: &PhaseState) -> String {
    match st.workers {
        0 => "on the page".into(),
        1 => "on 1 worker".into(),
        n => format!("on {n} workers"),
    }
}

fn status_text(st: &PhaseState) -> String {
    if let Some(e) = &st.error {
        return format!("Cannot compute: {e}");
    }
    if st.running {
        return format!("computing… {:.0}% {}", 100.0 * progress(st), where_text(st));
    }
    if st.cancelled {
        return "cancelled; the cells done so far are shown".into();
    }
    match (&st.job, st.millis) {
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
                where_text(st)
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
            // While running, cells not computed yet show their coarse neighbour's value.
            let preview = st
                .job
                .as_ref()
                .filter(|_| st.running)
                .map(PhaseJob::preview);
            let pic = match st.job.as_ref().map(|j| j.result()) {
                Some(r) => PhasePicture {
                    x_values: &r.grid.x_values,
                    y_values: &r.grid.y_values,
                    mean: preview.as_deref().unwrap_or(&r.grid.mean),
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
    describe();
}

/// The diagram's text alternative and data table, from the current job.
pub fn describe() {
    if let Some(doc) = document() {
        store::read(|app| {
            STATE.with(|s| {
                let st = s.borrow();
                let job = st.job.as_ref().map(|j| (j.result(), j.is_done()));
                described::render(&doc, &app.config, job);
            })
        });
    }
}

fn cell_at(e: &web_sys::MouseEvent) -> Option<(usize, usize)> {
    let (x, y) = offset_in_target(e)?;
    STATE.with(|s| s.borrow().layout.hit(x, y))
}

thread_local! {
    /// The cell a first tap showed (a second tap on it opens it).
    static TAPPED: Cell<Option<(usize, usize)>> = const { Cell::new(None) };
}

/// The cell's value as a reader says it: `V = 0.0694 ± 0.0123`, `oscillating in 25 % of
/// runs`.
fn metric_text(metric: PhaseMetric, mean: f64, sd: f64) -> String {
    match metric {
        PhaseMetric::Verdict => format!("oscillating in {} of runs", percent(mean)),
        PhaseMetric::FinalEntropy => format!("H(π_T) = {} ± {} nats", sig(mean), sig(sd)),
        PhaseMetric::Rho => format!("ρ = {} ± {}", sig(mean), sig(sd)),
        PhaseMetric::Variance => format!("V = {} ± {}", sig(mean), sig(sd)),
    }
}

/// The readout of cell (ix, iy): its parameters, its value and the mean ρ.
fn cell_text(ix: usize, iy: usize) -> Option<String> {
    store::read(|app| {
        STATE.with(|s| {
            let st = s.borrow();
            let r = st.job.as_ref()?.result();
            let (g, ph) = (&r.grid, &app.config.phase);
            let i = iy * g.nx + ix;
            let rho = r.rho.get(i).copied().unwrap_or(f64::NAN);
            let value = g.mean.get(i).copied().unwrap_or(f64::NAN);
            let value = if value.is_nan() {
                "not computed yet".to_string()
            } else {
                metric_text(ph.metric, value, g.sd.get(i).copied().unwrap_or(f64::NAN))
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
        })
    })
    .flatten()
}

/// Shows the readout of the cell under the pointer as a tooltip at the cell.
fn show_readout(e: &web_sys::MouseEvent) -> Option<(usize, usize)> {
    let doc = document()?;
    let (x, y) = offset_in_target(e)?;
    let Some((ix, iy)) = STATE.with(|s| s.borrow().layout.hit(x, y)) else {
        hide_tip(&doc, "phase-hover");
        return None;
    };
    let text = cell_text(ix, iy)?;
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
        download("prefdyn-phase.csv", "text/csv", &csv())
    })?;
    on(doc, "export-phase-json", "click", |_: web_sys::Event| {
        download("prefdyn.json", "application/json", &document_json())
    })
}
