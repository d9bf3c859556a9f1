//! Phase diagrams on every core: the engine's [`PhaseJob`] hands out batches of cells in
//! its coarse-to-fine order, each thread computes them with its own [`CellComputer`], and
//! the job stores them; the values are those of the single-threaded engine.

use indicatif::{ProgressBar, ProgressStyle};
use prefdyn::config::Config;
use prefdyn::phase::{CellComputer, PhaseJob, PhaseResult};
use prefdyn::PreferenceMatrix;
use rayon::prelude::*;

/// Cells per task.
const BATCH: usize = 32;

/// The configured phase diagram: the metric, the ensemble-mean ρ per cell (its level set
/// ρ = 1 is the theory's boundary) and the closed-form theory field.
pub fn phase_result(
    config: &Config,
    p: &PreferenceMatrix,
    progress: bool,
) -> Result<PhaseResult, String> {
    let (spec, members) =
        prefdyn::report::phase_setup(config, p).map_err(|e| format!("error: phase: {e}"))?;
    let mut job = PhaseJob::new(spec, members).map_err(|e| format!("error: phase: {e}"))?;
    let computer = CellComputer::new(spec, job.members().to_vec())
        .map_err(|e| format!("error: phase: {e}"))?;
    let bar = progress.then(|| {
        let b = ProgressBar::new(job.order().len() as u64);
        if let Ok(style) =
            ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len} cells ({eta})")
        {
            b.set_style(style);
        }
        b.set_message("phase diagram");
        b
    });
    let mut batches = vec![];
    while !job.all_taken() {
        batches.push(job.take(BATCH));
    }
    let values: Vec<_> = batches
        .par_iter()
        .map_init(
            || computer.clone(),
            |c, cells| {
                let v = c.compute(cells);
                if let Some(b) = &bar {
                    b.inc(cells.len() as u64);
                }
                v
            },
        )
        .collect();
    for v in &values {
        job.store(v);
    }
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    Ok(job.into_result())
}
