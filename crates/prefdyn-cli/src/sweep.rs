//! Phase diagrams on every core: rows of the grid in parallel (rayon), each row computed by
//! the single-threaded engine, so values are identical to `prefdyn::phase::sweep`.

use indicatif::{ProgressBar, ProgressStyle};
use prefdyn::config::Config;
use prefdyn::phase::{
    sweep, theory_field, AxisRange, PhaseGrid, PhaseMetric, PhaseResult, PhaseSpec, THEORY_SAMPLES,
};
use prefdyn::PreferenceMatrix;
use rayon::prelude::*;

/// The grid of `spec`, one row per task.
pub fn parallel_sweep(
    spec: &PhaseSpec,
    members: &[prefdyn::phase::EnsembleMember],
    bar: Option<&ProgressBar>,
) -> Result<PhaseGrid, String> {
    let rows: Vec<Result<PhaseGrid, String>> = (0..spec.y.n)
        .into_par_iter()
        .map(|iy| {
            let v = spec.y.value(iy);
            let row_spec = PhaseSpec {
                y: AxisRange {
                    min: v,
                    max: v,
                    n: 1,
                    ..spec.y
                },
                ..*spec
            };
            let g = sweep(&row_spec, members).map_err(|e| format!("error: phase: {e}"));
            if let Some(b) = bar {
                b.inc(spec.x.n as u64);
            }
            g
        })
        .collect();
    let mut grid = PhaseGrid {
        nx: spec.x.n,
        ny: spec.y.n,
        mean: Vec::with_capacity(spec.x.n * spec.y.n),
        sd: Vec::with_capacity(spec.x.n * spec.y.n),
        x_values: spec.x.values(),
        y_values: spec.y.values(),
    };
    for r in rows {
        let r = r?;
        grid.mean.extend(r.mean);
        grid.sd.extend(r.sd);
    }
    Ok(grid)
}

/// The configured phase diagram, the ensemble-mean ρ on the same grid (its level set
/// ρ = 1 is the theory's boundary) and the closed-form theory.
pub fn phase_with_boundary(
    config: &Config,
    p: &PreferenceMatrix,
    progress: bool,
) -> Result<PhaseResult, String> {
    let (spec, members) =
        prefdyn::report::phase_setup(config, p).map_err(|e| format!("error: phase: {e}"))?;
    let cells = (spec.x.n * spec.y.n) as u64;
    let bar = progress.then(|| {
        let b = ProgressBar::new(2 * cells);
        if let Ok(style) =
            ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len} cells ({eta})")
        {
            b.set_style(style);
        }
        b.set_message("phase diagram");
        b
    });
    let grid = parallel_sweep(&spec, &members, bar.as_ref())?;
    let rho = if spec.metric == PhaseMetric::Rho {
        grid.mean.clone()
    } else {
        parallel_sweep(
            &PhaseSpec {
                metric: PhaseMetric::Rho,
                ..spec
            },
            &members,
            bar.as_ref(),
        )?
        .mean
    };
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    let theory = theory_field(&spec, &members, THEORY_SAMPLES);
    Ok(PhaseResult { grid, rho, theory })
}
