//! The K = 3 phase portrait's interaction: a click on the simplex adds a start (kept in the
//! link's `starts` through the one edit path), "Clear starts" removes them. The click is
//! mapped back to the simplex with the chart's own geometry (`SimplexLayout`), so the
//! page and the drawing agree.

use std::cell::Cell;

use prefdyn::config::{format_points, quantise};
use prefdyn::portrait::{nudge_inside, start_policy, step_field, MAX_STARTS};
use prefdyn::text::{count, sig};
use prefdyn::MrsRun;
use prefdyn_charts::SimplexLayout;
use wasm_bindgen::prelude::*;
use web_sys::Document;

use crate::dom::{document, hide_tip, offset_in_target, on, set_attr, show_tip};
use crate::model::{App, Change};
use crate::store::{self, HistoryMode};

thread_local! {
    /// Where the simplex was last drawn, in CSS pixels of `#chart-simplex`.
    static LAYOUT: Cell<SimplexLayout> = Cell::new(SimplexLayout::default());
}

/// How far outside the triangle a click still counts (in barycentric units: 4% of the
/// triangle's height); such a click lands on the nearest edge and is nudged inside.
const CLICK_TOLERANCE: f64 = 0.04;

pub fn wire(doc: &Document) -> Result<(), JsValue> {
    on(doc, "chart-simplex", "click", on_click)?;
    on(doc, "chart-simplex", "pointermove", on_hover)?;
    on(doc, "chart-simplex", "pointerdown", on_hover)?;
    on(doc, "chart-simplex", "mouseleave", |_: web_sys::Event| {
        if let Some(doc) = document() {
            hide_tip(&doc, "simplex-tip");
        }
    })?;
    on(doc, "starts-clear", "click", |_: web_sys::Event| {
        edit_starts(String::new())
    })
}

fn edit_starts(raw: String) {
    let change = Change::Edit {
        key: "starts".into(),
        raw,
    };
    store::dispatch(change, HistoryMode::Push);
}

/// The `starts` value with `start` appended (quantised as a link writes it); beyond
/// [`MAX_STARTS`] the oldest starts give way.
fn with_start(starts: &[[f64; 3]], start: [f64; 3]) -> String {
    let mut all = starts.to_vec();
    all.push(start.map(quantise));
    let extra = all.len().saturating_sub(MAX_STARTS);
    format_points(&all[extra..])
}

/// A click on the triangle (or just outside an edge): that point, nudged inside, becomes a
/// new start.
fn on_click(e: web_sys::MouseEvent) {
    let Some((x, y)) = offset_in_target(&e) else {
        return;
    };
    let layout = LAYOUT.with(Cell::get);
    let Some(start) = layout
        .point_at(x, y, CLICK_TOLERANCE)
        .and_then(|p| start_policy(&p))
    else {
        return;
    };
    if let Some(raw) = store::read(|app| with_start(&app.config.dynamics.starts, start)) {
        edit_starts(raw);
    }
}

/// The readout at a point of the triangle: π there and one round's step from it.
fn readout(app: &App, p: [f64; 3]) -> Option<String> {
    let d = app.results.dynamics.as_ref()?;
    let run = MrsRun {
        p: &app.matrix,
        pi0: &d.pi0,
        mu0: &d.mu0,
        params: app.config.dynamics.params,
        solver: app.config.dynamics.solver,
        rounds: 1,
    };
    let field = step_field(&run, &[p]).ok()?;
    let step = field.steps.first()?;
    let labels = app.matrix.labels();
    let name = |i: usize| labels.get(i).map(String::as_str).unwrap_or("");
    let fmt = |v: &[f64; 3], signed: bool| {
        (0..3)
            .map(|i| {
                let x = if signed && v[i] >= 0.0 {
                    format!("+{}", sig(v[i]))
                } else {
                    sig(v[i])
                };
                format!("{} {x}", name(i))
            })
            .collect::<Vec<_>>()
            .join(", ")
    };
    Some(format!(
        "π: {}. One round moves it by {} (speed {}).",
        fmt(&p, false),
        fmt(step, true),
        sig(field.speeds.first().copied().unwrap_or(f64::NAN))
    ))
}

/// Hover or touch on the triangle: π there and the step from it, in a tooltip.
fn on_hover(e: web_sys::MouseEvent) {
    let (Some(doc), Some((x, y))) = (document(), offset_in_target(&e)) else {
        return;
    };
    let layout = LAYOUT.with(Cell::get);
    let text = layout
        .point_at(x, y, 0.0)
        .map(nudge_inside)
        .and_then(|p| store::read(|app| readout(app, p)).flatten());
    match text {
        Some(t) => show_tip(&doc, "simplex-tip", &t, x, y),
        None => hide_tip(&doc, "simplex-tip"),
    }
}

/// Records where the simplex was drawn (CSS pixels) and writes its vertices into
/// `#chart-simplex`'s `data-vertices` (`x0,y0,x1,y1,x2,y2`, for tests and tools).
pub fn set_layout(doc: &Document, layout: SimplexLayout) {
    LAYOUT.with(|l| l.set(layout));
    let v: Vec<String> = layout
        .verts
        .iter()
        .flat_map(|&(x, y)| [format!("{x:.2}"), format!("{y:.2}")])
        .collect();
    set_attr(doc, "chart-simplex", "data-vertices", &v.join(","));
}

/// The clear button (disabled without starts) and the chart's accessible description.
pub fn render(doc: &Document, app: &App) {
    let starts = app.config.dynamics.starts.len();
    if let Some(b) = doc.get_element_by_id("starts-clear") {
        let _ = if starts == 0 {
            b.set_attribute("disabled", "")
        } else {
            b.remove_attribute("disabled")
        };
    }
    let Some(pt) = app
        .results
        .dynamics
        .as_ref()
        .and_then(|d| d.portrait.as_ref())
    else {
        return;
    };
    let fixed = match pt.fixed_point_filled {
        Some(true) => "the fixed point attracts (ρ < 1, filled disc)",
        Some(false) => "the fixed point repels (ρ ≥ 1, hollow ring)",
        None => "no fixed point (α = 1, η = 1)",
    };
    let label = format!(
        "Phase portrait on the simplex: arrows show one round's step, coloured by speed (up to {}); {fixed}; the run from π₀ and {}. Click to add a start.",
        sig(pt.max_speed),
        count(pt.starts.len(), "extra start", "extra starts")
    );
    set_attr(doc, "chart-simplex", "aria-label", &label);
}
