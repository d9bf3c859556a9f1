//! The phase diagram in words and numbers: the canvas's sentence and its data table.

use prefdyn::config::Config;
use prefdyn::phase::PhaseResult;
use prefdyn::text::{sig, sig_n};
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
    format!("values from {} to {}", sig(lo), sig(hi))
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
            "Phase diagram of the {} over {} from {} to {} and {} from {} to {}, {}×{} cells ({state}): {}; ρ > 1 in {}. White edges: ρ = 1; cyan line: the contraction bound.",
            ph.metric.title(),
            ph.x.axis.symbol(),
            sig(ph.x.min),
            sig(ph.x.max),
            ph.y.axis.symbol(),
            sig(ph.y.min),
            sig(ph.y.max),
            g.nx,
            g.ny,
            range_text(&g.mean),
            prefdyn::text::count(unstable, "cell", "cells")
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
                    sig_n(g.x_values[ix], 4),
                    sig_n(g.y_values[iy], 4),
                    sig_n(g.mean[i], 4),
                    sig_n(g.sd[i], 4),
                    r.rho.get(i).map_or(String::new(), |&x| sig_n(x, 4)),
                ]
            })
            .collect()
    });
}
