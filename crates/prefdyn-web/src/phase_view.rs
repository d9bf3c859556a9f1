//! The phase-diagram section: a sweep computed in short slices (MessageChannel tasks; the page
//! stays responsive), with progress, cancel, hover readout and click-to-open in Dynamics.

use std::cell::RefCell;

use prefdyn::charts::{PhaseLayout, PhasePicture};
use prefdyn::config::{Config, MatrixSource, PolicySpec, View};
use prefdyn::phase::{
    cell_params, member_pi0_seed, theory_field, Ensemble, EnsembleMember, PhaseGrid, PhaseMetric,
    PhaseSpec, PhaseSweep, TheoryField, THEORY_SAMPLES,
};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::charts::{Surface, Theme};
use crate::dom::{document, log_error, now, set_text};
use crate::{apply, with_app, App, HistoryMode};

/// Milliseconds of computing per slice (input and painting run between slices).
const SLICE_MS: f64 = 12.0;

/// Which stage a running sweep is in: the metric, then the ensemble-mean ρ for the boundary.
#[derive(Debug)]
struct Job {
    members: Vec<EnsembleMember>,
    main: PhaseSweep,
    rho: Option<PhaseSweep>,
    started: f64,
    last_draw: f64,
}

/// What the section holds.
#[derive(Default, Debug)]
pub struct PhaseState {
    /// The inputs the current grid was computed for.
    key: String,
    job: Option<Job>,
    spec: Option<PhaseSpec>,
    grid: Option<PhaseGrid>,
    rho: Option<Vec<f64>>,
    /// The closed forms over the plane (known at once, before any cell).
    theory: Option<TheoryField>,
    done: bool,
    cancelled: bool,
    error: Option<String>,
    /// Time from start until the metric's grid was complete.
    millis: Option<f64>,
    /// Time from start until the ρ = 1 boundary was complete too.
    boundary_millis: Option<f64>,
    /// The share done when the sweep was cancelled.
    progress_at_cancel: f64,
    layout: PhaseLayout,
}

impl PhaseState {
    /// `results().phase`: grid, ρ, progress and timing.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "grid": self.grid,
            "rho": self.rho,
            "theory": self.theory,
            "done": self.done,
            "cancelled": self.cancelled,
            "running": self.job.is_some(),
            "progress": self.progress(),
            "error": self.error,
            "millis": self.millis,
            "boundary_millis": self.boundary_millis,
        })
    }

    fn progress(&self) -> f64 {
        match &self.job {
            Some(j) => match &j.rho {
                None => 0.9 * j.main.progress().fraction(),
                Some(r) => 0.9 + 0.1 * r.progress().fraction(),
            },
            None if self.done => 1.0,
            None if self.cancelled => self.progress_at_cancel,
            None => 0.0,
        }
    }

    /// CSV of the grid (empty before the first run).
    pub fn csv(&self, config: &Config) -> String {
        match &self.grid {
            Some(g) => prefdyn::report::phase_csv(config, g, self.rho.as_deref()),
            None => String::new(),
        }
    }
}

/// The inputs a phase diagram depends on.
fn key_of(app: &App) -> String {
    let c = &app.config;
    let current = c.phase.ensemble == Ensemble::Current;
    serde_json::json!({
        "phase": c.phase,
        "params": c.params,
        "matrix": if current { serde_json::to_value(&c.matrix).ok() } else { None },
        "pi0": if current { serde_json::to_value(&c.pi0).ok() } else { None },
        "mu0": if current { serde_json::to_value(&c.mu0).ok() } else { None },
    })
    .to_string()
}

/// The sweep's task loop: a `MessageChannel` whose messages run one slice each. Unlike
/// `requestAnimationFrame` it does not wait for the next frame, so the sweep uses the
/// whole main thread while input and painting still run between slices.
struct TaskLoop {
    port: web_sys::MessagePort,
    _channel: web_sys::MessageChannel,
    _on_message: Closure<dyn FnMut(web_sys::MessageEvent)>,
}

thread_local! {
    static TASKS: RefCell<Option<TaskLoop>> = const { RefCell::new(None) };
    /// A slice is already queued: restarting a sweep must not start a second loop.
    static PENDING: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Starts a new sweep when the inputs changed since the last one.
pub fn restart_if_changed() {
    let changed = with_app(|app| key_of(app) != app.phase.key).unwrap_or(false);
    if changed {
        restart();
    }
}

/// Starts (or restarts) the sweep for the current configuration.
pub fn restart() {
    let started = with_app(|app| {
        let key = key_of(app);
        let st = &mut app.phase;
        st.job = None;
        st.done = false;
        st.cancelled = false;
        st.error = None;
        st.millis = None;
        st.boundary_millis = None;
        st.key = key;
        let setup =
            prefdyn::report::phase_setup(&app.config, &app.matrix).and_then(|(spec, members)| {
                PhaseSweep::new(spec, members.clone())
                    .map(|s| (spec, members, s))
                    .map_err(|e| e.to_string())
            });
        match setup {
            Ok((spec, members, sweep)) => {
                app.phase.theory = Some(theory_field(&spec, &members, THEORY_SAMPLES));
                app.phase.spec = Some(spec);
                app.phase.grid = Some(sweep.grid().clone());
                app.phase.rho = None;
                let t = now();
                app.phase.job = Some(Job {
                    members,
                    main: sweep,
                    rho: None,
                    started: t,
                    last_draw: t,
                });
                true
            }
            Err(e) => {
                app.phase.error = Some(e);
                app.phase.grid = None;
                app.phase.rho = None;
                app.phase.theory = None;
                false
            }
        }
    })
    .unwrap_or(false);
    with_app(|app| render(app, &crate::charts::theme_from_page()));
    if started {
        schedule();
    }
}

/// Stops the sweep; the cells computed so far stay.
pub fn cancel() {
    with_app(|app| {
        if app.phase.job.is_some() {
            app.phase.progress_at_cancel = app.phase.progress();
            app.phase.job = None;
            app.phase.cancelled = true;
        }
        render(app, &crate::charts::theme_from_page());
        crate::notify(app);
    });
}

fn task_loop() -> Option<TaskLoop> {
    let channel = web_sys::MessageChannel::new().ok()?;
    let on_message = Closure::<dyn FnMut(web_sys::MessageEvent)>::new(|_| {
        PENDING.with(|p| p.set(false));
        if work() {
            schedule();
        }
    });
    channel
        .port1()
        .set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    Some(TaskLoop {
        port: channel.port2(),
        _channel: channel,
        _on_message: on_message,
    })
}

fn schedule() {
    if PENDING.with(|p| p.replace(true)) {
        return;
    }
    let posted = TASKS.with(|t| {
        if t.borrow().is_none() {
            *t.borrow_mut() = task_loop();
        }
        t.borrow()
            .as_ref()
            .map(|l| l.port.post_message(&JsValue::NULL).is_ok())
    });
    if posted != Some(true) {
        PENDING.with(|p| p.set(false));
        log_error("phase diagram: cannot schedule work (MessageChannel unavailable)");
    }
}

/// One slice of work; returns whether more slices are needed.
fn work() -> bool {
    with_app(|app| {
        let deadline = now() + SLICE_MS;
        let Some(job) = app.phase.job.as_mut() else {
            return false;
        };
        while now() < deadline {
            match job.rho.as_mut() {
                None => {
                    if job.main.is_done() {
                        if app.phase.millis.is_none() {
                            app.phase.millis = Some(now() - job.started);
                        }
                        let spec = *job.main.spec();
                        if spec.metric == PhaseMetric::Rho {
                            break;
                        }
                        let members = job.members.clone();
                        match PhaseSweep::new(
                            PhaseSpec {
                                metric: PhaseMetric::Rho,
                                ..spec
                            },
                            members,
                        ) {
                            Ok(r) => job.rho = Some(r),
                            Err(_) => break,
                        }
                    } else {
                        job.main.step(2);
                    }
                }
                Some(r) => {
                    if r.is_done() {
                        break;
                    }
                    r.step(8);
                }
            }
        }
        let main_done = job.main.is_done();
        let rho_done = job.rho.as_ref().is_some_and(|r| r.is_done())
            || (main_done && job.main.spec().metric == PhaseMetric::Rho);
        app.phase.grid = Some(job.main.grid().clone());
        if let Some(r) = &job.rho {
            app.phase.rho = Some(r.grid().mean.clone());
        }
        let t = now();
        let finished = main_done && rho_done;
        if finished {
            if job.main.spec().metric == PhaseMetric::Rho {
                app.phase.rho = Some(job.main.grid().mean.clone());
            }
            app.phase.millis.get_or_insert(t - job.started);
            app.phase.boundary_millis = Some(t - job.started);
            app.phase.job = None;
            app.phase.done = true;
        } else if t - job.last_draw < 300.0 {
            update_progress(app);
            return true;
        } else {
            job.last_draw = t;
        }
        render(app, &crate::charts::theme_from_page());
        if finished {
            crate::notify(app);
        }
        !finished
    })
    .unwrap_or(false)
}

fn update_progress(app: &App) {
    let Some(doc) = document() else { return };
    if let Some(p) = doc.get_element_by_id("phase-progress") {
        let _ = p.set_attribute("value", &format!("{:.4}", app.phase.progress()));
    }
    let st = &app.phase;
    let text = if let Some(e) = &st.error {
        format!("Cannot compute: {e}")
    } else if st.job.is_some() {
        format!("computing… {:.0}%", 100.0 * st.progress())
    } else if st.cancelled {
        "cancelled; the cells done so far are shown".into()
    } else if let (true, Some(ms), Some(spec)) = (st.done, st.millis, st.spec.as_ref()) {
        let members = match &app.config.phase.ensemble {
            Ensemble::Family { count, .. } => *count,
            Ensemble::Current => 1,
        };
        format!(
            "{}×{} cells × {} matrices × T = {} in {:.0} ms (ρ = 1 boundary after {:.0} ms)",
            spec.x.n,
            spec.y.n,
            members,
            spec.rounds,
            ms,
            st.boundary_millis.unwrap_or(ms)
        )
    } else {
        String::new()
    };
    set_text(&doc, "phase-status", &text);
    let note = prefdyn::report::ensemble_note(&app.config.phase.ensemble);
    set_text(&doc, "phase-note", note.unwrap_or(""));
    crate::dom::set_hidden(&doc, "phase-note", note.is_none());
}

/// Draws the grid (partial while running) with the ρ = 1 boundary when known.
pub fn render(app: &mut App, theme: &Theme) {
    update_progress(app);
    let Some(s) = Surface::new("chart-phase") else {
        return;
    };
    let Some(root) = s.root() else { return };
    let ph = &app.config.phase;
    let pic = match &app.phase.grid {
        Some(g) => PhasePicture {
            x_values: &g.x_values,
            y_values: &g.y_values,
            mean: &g.mean,
            sd: &g.sd,
            rho: app.phase.rho.as_deref(),
            theory: app.phase.theory.as_ref(),
            x_title: ph.x.axis.symbol(),
            y_title: ph.y.axis.symbol(),
            metric_title: ph.metric.title(),
        },
        None => PhasePicture::empty(),
    };
    let result = prefdyn::charts::draw_phase(&root, s.dpr, theme, &pic);
    match result {
        Ok(l) => app.phase.layout = l.scaled(s.dpr),
        Err(e) => log_error(&e),
    }
}

fn cell_at(e: &web_sys::MouseEvent) -> Option<(usize, usize)> {
    let target = e.target()?.dyn_into::<web_sys::Element>().ok()?;
    let rect = target.get_bounding_client_rect();
    let (x, y) = (
        e.client_x() as f64 - rect.left(),
        e.client_y() as f64 - rect.top(),
    );
    with_app(|app| app.phase.layout.hit(x, y)).flatten()
}

/// Hover: the cell's parameters, mean ± sd and ρ.
pub fn hover(e: &web_sys::MouseEvent) {
    let Some((ix, iy)) = cell_at(e) else { return };
    let text = with_app(|app| {
        let g = app.phase.grid.as_ref()?;
        let i = iy * g.nx + ix;
        let ph = &app.config.phase;
        let rho = app.phase.rho.as_ref().and_then(|r| r.get(i)).copied();
        Some(format!(
            "{} = {}, {} = {}: {} = {:.4e} ± {:.2e}{}",
            ph.x.axis.symbol(),
            crate::fmt(g.x_values[ix]),
            ph.y.axis.symbol(),
            crate::fmt(g.y_values[iy]),
            ph.metric.key(),
            g.mean[i],
            g.sd[i],
            match rho {
                Some(r) if r.is_finite() => format!("; mean ρ = {r:.3}"),
                Some(_) => "; no fixed point (α = 1)".into(),
                None => String::new(),
            }
        ))
    })
    .flatten();
    if let (Some(t), Some(doc)) = (text, document()) {
        set_text(&doc, "phase-hover", &t);
    }
}

/// Click: opens the cell's parameters (and the ensemble's first matrix) in Dynamics.
pub fn click(e: &web_sys::MouseEvent) {
    let Some((ix, iy)) = cell_at(e) else { return };
    let Some(spec) = with_app(|app| app.phase.spec).flatten() else {
        return;
    };
    let params = cell_params(&spec, ix, iy);
    apply(
        move |c| {
            c.params = params;
            c.params.beta = params.beta.min(100.0);
            c.rounds = spec.rounds.min(c.rounds.max(spec.rounds));
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
                c.pi0 = PolicySpec::Dirichlet(member_pi0_seed(seed, 0));
                c.mu0 = PolicySpec::Uniform;
            }
            c.view = View::Dynamics;
        },
        HistoryMode::Push,
    );
    if let Some(el) = document().and_then(|d| d.get_element_by_id("dynamics")) {
        el.scroll_into_view();
    }
}
