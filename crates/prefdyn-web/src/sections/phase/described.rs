//! The phase diagram in words and numbers: the canvas's sentence and its data table.

use prefdyn::config::Config;
use prefdyn::phase::PhaseResult;
use web_sys::Document;

use crate::alt::{describe, table};

/// Cells listed at most in the data table (larger grids: the CSV export).
const MAX_TABLE_CELLS: usize = 1024;

fn range_text(v: &[f64]) -> String {
    let finite = v.iter().copied().filter(|x| x.is_finite());
    let (lo, hi) = finite.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), x| {
        (a.min(x), b.max(x))
    });
    if lo > hi {
        return "no values yet".into();
    }
    format!("values from {lo:.3e} to {hi:.3e}")
}

pub fn render(doc: &Document, c: &Config, job: Option<(&PhaseResult, bool)>) {
    let ph = &c.phase;
    let Some((r, done)) = job else {
        describe(doc, "chart-phase", "Phase diagram: not computed.");
        table(doc, "chart-phase", &[], Vec::new);
        return;
    };
    let g = &r.grid;
    let computed = g.mean.iter().filter(|v| !v.is_nan()).count();
    let unstable = r.rho.iter().filter(|&&x| x > 1.0).count();
    let state = if done {
        "complete".to_string()
    } else {
        format!("{computed} of {} cells computed", g.nx * g.ny)
    };
    describe(
        doc,
        "chart-phase",
        &format!(
            "Phase diagram of the {} over {} from {} to {} and {} from {} to {}, {}×{} cells ({state}): {}; ρ > 1 in {unstable} cells. White edges: ρ = 1; cyan line: the contraction bound.",
            ph.metric.title(),
            ph.x.axis.symbol(),
            ph.x.min,
            ph.x.max,
            ph.y.axis.symbol(),
            ph.y.min,
            ph.y.max,
            g.nx,
            g.ny,
            range_text(&g.mean)
        ),
    );
    let header = [ph.x.axis.symbol(), ph.y.axis.symbol(), "mean", "sd", "ρ"].map(String::from);
    if !done {
        table(doc, "chart-phase", &header, Vec::new);
        return;
    }
    if g.nx * g.ny > MAX_TABLE_CELLS {
        let note = format!("{} cells: the CSV export lists them all.", g.nx * g.ny);
        table(doc, "chart-phase", &header, || vec![vec![note]]);
        return;
    }
    table(doc, "chart-phase", &header, || {
        (0..g.ny)
            .flat_map(|iy| (0..g.nx).map(move |ix| (ix, iy)))
            .map(|(ix, iy)| {
                let i = iy * g.nx + ix;
                vec![
                    format!("{:.4}", g.x_values[ix]),
                    format!("{:.4}", g.y_values[iy]),
                    format!("{:.4e}", g.mean[i]),
                    format!("{:.4e}", g.sd[i]),
                    r.rho.get(i).map_or(String::new(), |x| format!("{x:.4}")),
                ]
            })
            .collect()
    });
}
