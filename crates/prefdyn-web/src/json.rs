//! The model as JSON, for `window.prefdyn.results()` and the JSON exports: the engine's
//! `Results`, the phase diagram's progressive state and the realisations' progress.

use prefdyn::config::to_query;
use prefdyn::report::RunReport;
use serde_json::{json, Value};

use crate::model::App;

/// `results().phase`: grid, ρ, the share collapsed, theory, progress and timing.
pub fn phase(app: &App) -> Value {
    let ph = &app.phase;
    let r = ph.job.as_ref().map(|j| j.result());
    json!({
        "grid": r.map(|r| &r.grid),
        "rho": r.map(|r| &r.rho),
        "collapsed": r.map(|r| &r.collapsed),
        "theory": r.map(|r| &r.theory),
        "done": ph.is_done(),
        "cancelled": ph.cancelled,
        "running": ph.running,
        "progress": ph.progress(),
        "error": ph.error,
        "millis": ph.millis,
        "boundary_millis": ph.millis,
        "first_picture_millis": ph.first_picture,
        "workers": ph.workers,
    })
}

/// `results().finite_progress`: `{ running, fraction, millis, workers }` (workers 0: on the
/// page).
pub fn finite_progress(app: &App) -> Value {
    let p = app.finite.progress();
    json!({
        "running": app.finite.running(),
        "fraction": p.map(|p| p.fraction()),
        "millis": app.finite.millis,
        "workers": app.finite.workers,
    })
}

/// Every run of a comparison as a link of its own gives it: the base (its results as the
/// page has them) then each variant; one entry without variants.
pub fn runs(app: &App) -> Vec<RunReport> {
    let r = &app.results;
    let base = RunReport {
        query: to_query(&app.config.unframed()),
        title: app.config.run_title(0),
        matrix: r.matrix.clone(),
        dynamics: r.dynamics.clone(),
        dynamics_error: r.dynamics_error.clone(),
        finite: r.finite.clone(),
        finite_error: r.finite_error.clone(),
    };
    std::iter::once(base)
        .chain(app.variants.iter().map(|v| v.report.clone()))
        .collect()
}

/// `results().compare`: [`runs`] without the base's matrix and trajectory copies (the base is
/// `results()` itself), each with its query, title, dynamics and realisations.
fn compare(app: &App) -> Value {
    let mut list = vec![json!({
        "query": to_query(&app.config.unframed()),
        "title": app.config.run_title(0),
        "dynamics": app.results.dynamics,
        "dynamics_error": app.results.dynamics_error,
        "finite": app.results.finite,
        "finite_error": app.results.finite_error,
    })];
    list.extend(app.variants.iter().map(|v| {
        let r = &v.report;
        json!({
            "query": r.query,
            "title": r.title,
            "dynamics": r.dynamics,
            "dynamics_error": r.dynamics_error,
            "finite": r.finite,
            "finite_error": r.finite_error,
        })
    }));
    Value::Array(list)
}

/// `results()`: the engine's `Results` plus the phase diagram, the realisations' progress
/// and, with variants, the runs compared (`compare`).
pub fn results(app: &App) -> Value {
    let mut v = serde_json::to_value(&app.results).unwrap_or(Value::Null);
    v["phase"] = phase(app);
    v["finite_progress"] = finite_progress(app);
    if app.has_variants() {
        v["compare"] = compare(app);
    }
    v
}

/// The configuration (canonical query) and every result, as one JSON document (the JSON
/// export of every section).
pub fn document(app: &App) -> String {
    let mut v = json!({
        "query": to_query(&app.config),
        "config": app.config,
        "results": app.results,
    });
    v["results"]["phase"] = phase(app);
    if app.has_variants() {
        v["results"]["compare"] = compare(app);
    }
    serde_json::to_string_pretty(&v).unwrap_or_default()
}

/// `state()`: the configuration, its canonical query and the current messages.
pub fn state(app: &App) -> Value {
    json!({ "query": to_query(&app.config), "config": app.config, "issues": app.issues })
}
