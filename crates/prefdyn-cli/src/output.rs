//! JSON, CSV, PNG and SVG output, and the figures' summary table.

use std::fmt::Write as _;
use std::path::Path;
use std::sync::Once;

use plotters::coord::Shift;
use plotters::prelude::*;
use prefdyn::config::View;
use prefdyn_charts as charts;
use prefdyn_charts::Theme;
use prefdyn_paper::figures::FigurePreset;
use serde::Serialize;
use serde_json::{json, Value};

use crate::RunOutput;

/// The JSON of `run`: the canonical query, the results, and the phase grid when computed.
pub fn json(out: &RunOutput) -> Value {
    let mut v = json!({
        "query": prefdyn::config::to_query(&out.config),
        "results": out.results,
    });
    if let Some(ph) = &out.phase {
        v["phase"] = json!({
            "grid": ph.grid,
            "rho": ph.rho,
            "collapsed": ph.collapsed,
            "theory": ph.theory,
            "note": prefdyn::report::ensemble_note(&out.config.phase.ensemble),
        });
    }
    v
}

/// CSV: the phase grid for view=phase, else the trajectory (engine formats).
pub fn csv(out: &RunOutput) -> String {
    match (out.config.view.view, &out.phase) {
        (View::Phase, Some(ph)) => prefdyn::report::phase_csv(&out.config, &ph.grid, Some(&ph.rho)),
        _ => prefdyn::report::trajectory_csv(&out.results),
    }
}

static FONT: Once = Once::new();

/// Registers the bundled DejaVu Sans (and its bold, for the posters' titles and verdicts)
/// as plotters' "sans-serif" (bitmap and SVG text).
pub(crate) fn register_font() {
    FONT.call_once(|| {
        let _ = plotters::style::register_font(
            "sans-serif",
            FontStyle::Normal,
            include_bytes!("../assets/DejaVuSans.ttf"),
        );
        let _ = plotters::style::register_font(
            "sans-serif",
            FontStyle::Bold,
            include_bytes!("../assets/DejaVuSans-Bold.ttf"),
        );
    });
}

fn draw<DB: DrawingBackend>(out: &RunOutput, root: &DrawingArea<DB, Shift>) -> Result<(), String> {
    draw_chart(out, root, 1.0, &Theme::default())
}

/// The chart of the link's view on `root`, fonts and strokes times `scale`, in `theme`'s
/// colours (what `--png` / `--svg` draw, and the chart of an embed's poster).
pub(crate) fn draw_chart<DB: DrawingBackend>(
    out: &RunOutput,
    root: &DrawingArea<DB, Shift>,
    scale: f64,
    theme: &Theme,
) -> Result<(), String> {
    let labels = &out.results.matrix.labels;
    match (out.config.view.view, &out.phase) {
        (View::Phase, Some(res)) => {
            let ph = &out.config.phase;
            let pic = charts::PhasePicture {
                x_values: &res.grid.x_values,
                y_values: &res.grid.y_values,
                mean: &res.grid.mean,
                sd: &res.grid.sd,
                rho: Some(&res.rho),
                collapsed: Some(&res.collapsed),
                theory: Some(&res.theory),
                x_title: ph.x.axis.symbol(),
                y_title: ph.y.axis.symbol(),
                metric_title: ph.metric.title(),
            };
            charts::draw_phase(root, scale, theme, &pic).map(|_| ())
        }
        (View::Preferences, _) => {
            let p = prefdyn::report::resolve_matrix(&out.config).0;
            charts::draw_matrix(root, scale, theme, &p, None).map(|_| ())
        }
        (View::OneShot, _) if !out.results.one_shot.is_empty() => {
            charts::draw_one_shot(root, scale, theme, &one_shot_panels(out), labels, None)
        }
        _ => match &out.results.dynamics {
            Some(d) => {
                let finite = out.results.finite.as_ref().map(|f| &f.outcome);
                let paths = finite.map(charts::drawn_paths).unwrap_or_default();
                let run = charts::RunPicture {
                    k: d.trajectory.k,
                    policies: &d.trajectory.policies,
                    upto: d.trajectory.rounds(),
                    labels,
                    fixed_point: d.stability.fixed_point.as_deref(),
                    samples: finite.map(|o| charts::SamplePaths {
                        paths: &paths,
                        mean: &o.mean_path.policies,
                    }),
                    population: true,
                };
                charts::draw_policy(root, scale, theme, &run).map(|_| ())
            }
            None => {
                root.fill(&theme.bg).map_err(|e| format!("{e:?}"))?;
                let msg = out.results.dynamics_error.clone().unwrap_or_default();
                root.draw(&Text::new(msg, (10, 20), ("sans-serif", 14).into_font()))
                    .map_err(|e| format!("{e:?}"))?;
                root.present().map_err(|e| format!("{e:?}"))
            }
        },
    }
}

/// Each sampling strategy's short name and optimum, as the page's one-shot panels show
/// them.
fn one_shot_panels(out: &RunOutput) -> Vec<(String, Vec<f64>)> {
    out.results
        .one_shot
        .iter()
        .map(|r| {
            let name = r.label.split(" (").next().unwrap_or_default();
            (name.to_string(), r.result.policy.clone())
        })
        .collect()
}

pub fn png(out: &RunOutput, path: &Path, w: u32, h: u32) -> Result<(), String> {
    register_font();
    let root = BitMapBackend::new(path, (w, h)).into_drawing_area();
    draw(out, &root).map_err(|e| format!("error: PNG {}: {e}", path.display()))
}

pub fn svg(out: &RunOutput, path: &Path, w: u32, h: u32) -> Result<(), String> {
    register_font();
    let root = SVGBackend::new(path, (w, h)).into_drawing_area();
    draw(out, &root).map_err(|e| format!("error: SVG {}: {e}", path.display()))
}

/// The K = 3 phase portrait on `root` (an error for other K or without a run).
fn draw_simplex<DB: DrawingBackend>(
    out: &RunOutput,
    root: &DrawingArea<DB, Shift>,
) -> Result<(), String> {
    let d = out.results.dynamics.as_ref().ok_or_else(|| {
        out.results
            .dynamics_error
            .clone()
            .unwrap_or_else(|| "no run".into())
    })?;
    let portrait = d
        .portrait
        .as_ref()
        .ok_or_else(|| format!("the simplex needs K = 3 (K = {})", d.trajectory.k))?;
    let run = charts::RunPicture {
        k: d.trajectory.k,
        policies: &d.trajectory.policies,
        upto: d.trajectory.rounds(),
        labels: &out.results.matrix.labels,
        fixed_point: d.stability.fixed_point.as_deref(),
        samples: None,
        population: true,
    };
    charts::draw_portrait(root, 1.0, &Theme::default(), &run, portrait).map(|_| ())
}

/// `--simplex`: the phase portrait as a `size × size` SVG (a path ending in `.svg`) or PNG.
pub fn simplex(out: &RunOutput, path: &Path, size: u32) -> Result<(), String> {
    register_font();
    let svg = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("svg"));
    let r = if svg {
        draw_simplex(
            out,
            &SVGBackend::new(path, (size, size)).into_drawing_area(),
        )
    } else {
        draw_simplex(
            out,
            &BitMapBackend::new(path, (size, size)).into_drawing_area(),
        )
    };
    r.map_err(|e| format!("error: simplex {}: {e}", path.display()))
}

/// One row of the figures' summary.
#[derive(Debug, Clone, Serialize)]
pub struct SummaryRow {
    pub id: String,
    pub figure: String,
    pub title: String,
    pub query: String,
    /// What the figure shows, in numbers.
    pub numbers: String,
    pub verdict: Option<String>,
    pub rho: Option<f64>,
    pub final_entropy: Option<f64>,
    pub variance: Option<f64>,
    /// For phase figures: the grid mean at the four corners (x0y0, x1y0, x0y1, x1y1).
    pub corners: Option<[f64; 4]>,
}

pub fn summary_row(f: &FigurePreset, run: &RunOutput, query: &str) -> SummaryRow {
    let d = run.results.dynamics.as_ref();
    let mut row = SummaryRow {
        id: f.id.into(),
        figure: f.figure.into(),
        title: f.title.into(),
        query: query.into(),
        numbers: String::new(),
        verdict: d.map(|d| d.metrics.verdict.label().to_string()),
        rho: d.and_then(|d| d.stability.rho),
        final_entropy: d.map(|d| d.metrics.final_entropy),
        variance: d.map(|d| d.metrics.variance),
        corners: None,
    };
    if let (View::Phase, Some(ph)) = (run.config.view.view, &run.phase) {
        let g = &ph.grid;
        let at = |ix: usize, iy: usize| g.mean[iy * g.nx + ix];
        let c = [
            at(0, 0),
            at(g.nx - 1, 0),
            at(0, g.ny - 1),
            at(g.nx - 1, g.ny - 1),
        ];
        row.corners = Some(c);
        row.verdict = None;
        row.rho = None;
        row.final_entropy = None;
        row.variance = None;
        row.numbers = format!(
            "{}: {:.4} at ({}, {}) → {:.4} at ({}, {}) (mean over {} matrices)",
            run.config.phase.metric.title(),
            c[0],
            fmt(g.x_values[0]),
            fmt(g.y_values[0]),
            c[3],
            fmt(g.x_values[g.nx - 1]),
            fmt(g.y_values[g.ny - 1]),
            match &run.config.phase.ensemble {
                prefdyn::phase::Ensemble::Family { count, .. } => *count,
                prefdyn::phase::Ensemble::Current => 1,
            }
        );
    } else if let Some(d) = d {
        row.numbers = format!(
            "{}; ρ = {}; H(π_T) = {:.3}; V = {:.2e}",
            d.metrics.verdict.label(),
            d.stability
                .rho
                .map(|r| format!("{r:.3}"))
                .unwrap_or_else(|| "—".into()),
            d.metrics.final_entropy,
            d.metrics.variance
        );
    }
    row
}

fn fmt(v: f64) -> String {
    prefdyn::config::format_float(v)
}

pub fn summary_markdown(rows: &[SummaryRow]) -> String {
    let mut s = String::from("| id | figure | what it shows | numbers |\n|---|---|---|---|\n");
    for r in rows {
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} |",
            r.id, r.figure, r.title, r.numbers
        );
    }
    s
}

/// One row of the summary per finding of the paper (`prefdyn::findings`), after the
/// figure rows.
#[derive(Debug, Clone, Serialize)]
pub struct FindingRow {
    /// Always `"finding"` (figure rows have a `figure` field instead).
    pub kind: &'static str,
    pub id: String,
    /// The paper's claim.
    pub claim: String,
    /// What was measured, in numbers (one line).
    pub numbers: String,
    /// Whether the claim holds on these instances with the stated margins.
    pub holds: bool,
    /// Every number behind the row.
    pub details: Value,
}

pub fn finding_row(f: &prefdyn_paper::findings::Finding) -> FindingRow {
    FindingRow {
        kind: "finding",
        id: f.id.into(),
        claim: f.title.into(),
        numbers: f.summary.clone(),
        holds: f.holds,
        details: f.numbers.clone(),
    }
}

/// A Markdown table cell: pipes escaped, line breaks removed.
fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace(['\n', '\r'], " ")
}

/// The findings' table, appended after the figures' table in summary.md.
pub fn findings_markdown(rows: &[FindingRow]) -> String {
    let mut s = String::from("| id | claim | numbers | holds |\n|---|---|---|---|\n");
    for r in rows {
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} |",
            r.id,
            cell(&r.claim),
            cell(&r.numbers),
            if r.holds { "yes" } else { "**no**" }
        );
    }
    s
}

/// summary.json: the figure rows, then the finding rows.
pub fn summary_json(figures: &[SummaryRow], findings: &[FindingRow]) -> Value {
    let mut rows: Vec<Value> = figures
        .iter()
        .map(|r| serde_json::to_value(r).unwrap_or(Value::Null))
        .collect();
    rows.extend(
        findings
            .iter()
            .map(|r| serde_json::to_value(r).unwrap_or(Value::Null)),
    );
    Value::Array(rows)
}
