//! The finite-sample realisations of the current run (`N` pairs per round, `R`
//! realisations), computed in slices so that a slider stays live: their progress, the
//! summary beside the population run, and a table of each realisation's verdict.

use std::cell::RefCell;

use prefdyn::finite::{FiniteProgress, FiniteStepper};
use prefdyn::report::{finite_stepper, FiniteReport};
use web_sys::Document;

use crate::dom::{escape, log_error, now, set_hidden, set_html, set_text};
use crate::store::{self, App};
use crate::tasks::Slices;
use prefdyn::text::{count, sig};

/// Milliseconds of computing per slice.
const SLICE_MS: f64 = 10.0;
/// Rounds computed between two looks at the clock.
const ROUNDS_PER_CHECK: usize = 32;

/// The realisations being computed.
struct Job {
    stepper: FiniteStepper,
    started: f64,
}

thread_local! {
    /// `None`: nothing in progress (done, none wanted, or not made yet).
    static JOB: RefCell<Option<Job>> = const { RefCell::new(None) };
    /// A new run is waiting for its stepper.
    static WANTED: RefCell<bool> = const { RefCell::new(false) };
    /// The inputs of the realisations in progress or shown.
    static KEY: RefCell<String> = const { RefCell::new(String::new()) };
    static TASKS: Option<Slices> = Slices::new(work);
    /// Milliseconds the last completed computation took.
    static MILLIS: RefCell<Option<f64>> = const { RefCell::new(None) };
}

/// What the realisations depend on: the run's settings and P.
fn key_of(app: &App) -> String {
    serde_json::json!({ "d": app.config.dynamics, "p": app.matrix.to_rows() }).to_string()
}

/// After a redraw of the run: when its inputs changed, drops the realisations in progress
/// and computes the new ones (none for `N = inf`).
pub fn on_render(app: &App) {
    let key = key_of(app);
    if KEY.with(|k| *k.borrow() == key) {
        return;
    }
    KEY.with(|k| *k.borrow_mut() = key);
    restart();
}

fn restart() {
    JOB.with(|j| *j.borrow_mut() = None);
    WANTED.with(|w| *w.borrow_mut() = true);
    MILLIS.with(|m| *m.borrow_mut() = None);
    if TASKS.with(|t| t.as_ref().map(Slices::schedule)) != Some(true) {
        log_error("finite samples: cannot schedule work (MessageChannel unavailable)");
    }
}

/// How far the realisations have got (`None` when none are being computed).
pub fn progress() -> Option<FiniteProgress> {
    JOB.with(|j| j.borrow().as_ref().map(|j| j.stepper.progress()))
}

/// `results().finite_progress`: `{ running, fraction, millis }`.
pub fn progress_json() -> serde_json::Value {
    let p = progress();
    serde_json::json!({
        "running": p.is_some() || WANTED.with(|w| *w.borrow()),
        "fraction": p.map(|p| p.fraction()),
        "millis": MILLIS.with(|m| *m.borrow()),
    })
}

/// Makes the stepper of the current run; false when there is nothing to compute.
fn make_job() -> bool {
    if !WANTED.with(|w| std::mem::replace(&mut *w.borrow_mut(), false)) {
        return JOB.with(|j| j.borrow().is_some());
    }
    match store::read(|app| finite_stepper(&app.config, &app.matrix)).flatten() {
        None => false,
        Some(Err(e)) => {
            store::set_finite(None, Some(e.to_string()));
            super::redraw();
            crate::api::notify();
            false
        }
        Some(Ok(stepper)) => {
            JOB.with(|j| {
                *j.borrow_mut() = Some(Job {
                    stepper,
                    started: now(),
                })
            });
            true
        }
    }
}

/// One slice; returns whether more are needed.
fn work() -> bool {
    if !make_job() {
        return false;
    }
    let deadline = now() + SLICE_MS;
    let finished = JOB.with(|j| {
        let mut slot = j.borrow_mut();
        let job = slot.as_mut()?;
        while !job.stepper.is_done() && now() < deadline {
            job.stepper.step_rounds(ROUNDS_PER_CHECK);
        }
        if !job.stepper.is_done() {
            return None;
        }
        slot.take()
    });
    match finished {
        Some(job) => {
            let spec = *job.stepper.spec();
            let report = FiniteReport::of(spec, job.stepper.finish());
            MILLIS.with(|m| *m.borrow_mut() = Some(now() - job.started));
            store::set_finite(Some(report), None);
            super::redraw();
            crate::api::notify();
            false
        }
        None => {
            if let Some(doc) = crate::dom::document() {
                store::read(|app| render(&doc, app));
            }
            JOB.with(|j| j.borrow().is_some())
        }
    }
}

/// The status line, the summary and the table of realisations.
pub fn render(doc: &Document, app: &App) {
    let sampling = &app.config.dynamics.sampling;
    let Some(spec) = sampling.spec() else {
        set_hidden(doc, "finite-box", true);
        return;
    };
    set_hidden(doc, "finite-box", false);
    let head = format!(
        "N = {} pairs per round, R = {} realisations (seed {})",
        spec.pairs, spec.realisations, spec.seed
    );
    if let Some(e) = &app.results.finite_error {
        set_text(
            doc,
            "finite-status",
            &format!("{head}: cannot compute: {e}"),
        );
        set_html(doc, "finite-table", "");
        return;
    }
    let Some(f) = &app.results.finite else {
        let pct = progress().map(|p| 100.0 * p.fraction()).unwrap_or(0.0);
        set_text(
            doc,
            "finite-status",
            &format!("{head}: computing… {pct:.0}%"),
        );
        set_html(doc, "finite-table", "");
        return;
    };
    let population = app.results.dynamics.as_ref().map(|d| d.metrics.variance);
    set_text(doc, "finite-status", &summary(&head, f, population));
    set_html(doc, "finite-table", &table(f));
}

/// One paragraph: verdicts, V of the runs against V of their mean path and of the
/// population run, the spread of the final entropy.
fn summary(head: &str, f: &FiniteReport, population: Option<f64>) -> String {
    let s = &f.summary;
    let others = s.realisations - s.oscillating - s.collapsed;
    let mut out = format!(
        "{head}: {} oscillating, {} collapsed, {} other. V of the runs {} on average (sd {}); V of their mean path {} ({}× the runs')",
        s.oscillating,
        s.collapsed,
        others,
        sig(s.variance.mean),
        sig(s.variance.sd),
        sig(s.mean_path_variance),
        sig(s.mean_path_variance / s.variance.mean.max(f64::MIN_POSITIVE)),
    );
    if let Some(v) = population {
        out.push_str(&format!("; population run {}", sig(v)));
    }
    out.push_str(&format!(
        ". Final entropy H(π_T) {} ± {} nats (range {} – {}).",
        sig(s.final_entropy.mean),
        sig(s.final_entropy.sd),
        sig(s.final_entropy.min),
        sig(s.final_entropy.max)
    ));
    if s.stopped > 0 {
        out.push_str(&format!(
            " {} stopped at a DPO round without a finite optimum.",
            count(s.stopped, "realisation", "realisations")
        ));
    }
    out
}

/// The realisations' verdicts and metrics, one row each.
fn table(f: &FiniteReport) -> String {
    let rows: String = f
        .runs
        .iter()
        .map(|r| {
            format!(
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                r.index + 1,
                escape(r.metrics.verdict.label()),
                sig(r.metrics.variance),
                sig(r.metrics.final_entropy),
                r.stopped_at
                    .map(|t| format!("round {t}"))
                    .unwrap_or_default()
            )
        })
        .collect();
    format!(
        "<caption>Each realisation</caption><thead><tr><th scope=\"col\">#</th><th scope=\"col\">verdict</th><th scope=\"col\">V</th><th scope=\"col\">H(π_T)</th><th scope=\"col\">stopped</th></tr></thead><tbody>{rows}</tbody>"
    )
}
