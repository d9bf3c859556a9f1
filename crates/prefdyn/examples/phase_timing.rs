//! Times the budget phase diagram natively, split into its parts:
//! `cargo run --release -p prefdyn --example phase_timing`.
//!
//! One thread, each part the median of 5 runs: the whole diagram as the page's workers
//! compute it (`phase::sweep`: the metric and ρ of every cell, both in SIMD lanes), its
//! metric alone and its ρ alone in lanes, and the scalar engine's diagram and ρ (the
//! reference). Also how each run's ρ was found (in lanes, or the scalar fallback).
use std::time::Instant;

use prefdyn::dynamics::MrsParams;
use prefdyn::lanes::{LaneEnsemble, LaneMetric, RhoMethod, Run};
use prefdyn::phase::{
    budget_ensemble, budget_spec, cell_params, ensemble_members, lane_members, log_starts, sweep,
    sweep_scalar, PhaseMetric, PhaseSpec,
};

/// Median milliseconds of 5 calls of `f`.
fn median_ms<T>(mut f: impl FnMut() -> Result<T, String>) -> Result<f64, String> {
    let mut times = Vec::with_capacity(5);
    for _ in 0..5 {
        let t = Instant::now();
        f()?;
        times.push(t.elapsed().as_secs_f64() * 1e3);
    }
    times.sort_by(f64::total_cmp);
    Ok(times[2])
}

fn main() -> Result<(), String> {
    let members = ensemble_members(&budget_ensemble(), None).map_err(|e| e.to_string())?;
    let spec = budget_spec();
    let rho_spec = PhaseSpec {
        metric: PhaseMetric::Rho,
        ..spec
    };
    let cells: Vec<MrsParams> = (0..spec.y.n)
        .flat_map(|iy| (0..spec.x.n).map(move |ix| (ix, iy)))
        .map(|(ix, iy)| cell_params(&spec, ix, iy))
        .collect();
    let x0 = log_starts(&members);
    let lanes = LaneEnsemble::new(&lane_members(&members, &x0), spec.rounds, spec.burn_in)
        .map_err(|e| e.to_string())?;
    let e = |e: prefdyn::lanes::LanesError| e.to_string();
    let p = |e: prefdyn::phase::PhaseError| e.to_string();
    println!(
        "budget diagram, one thread, median of 5 ({:?}):",
        lanes.backend()
    );
    let whole = median_ms(|| sweep(&spec, &members).map_err(p))?;
    let metric = median_ms(|| lanes.cell_stats(&cells, LaneMetric::Variance).map_err(e))?;
    let rho = median_ms(|| lanes.cell_rho(&cells).map_err(e))?;
    println!("variance + rho (lanes): {whole:.0} ms (variance {metric:.0} ms, rho {rho:.0} ms)");
    println!(
        "rho only (phase::sweep): {:.0} ms",
        median_ms(|| sweep(&rho_spec, &members).map_err(p))?
    );
    let t = Instant::now();
    sweep_scalar(&spec, &members).map_err(p)?;
    println!(
        "variance + rho (scalar): {:.0} ms",
        t.elapsed().as_secs_f64() * 1e3
    );
    let t = Instant::now();
    sweep_scalar(&rho_spec, &members).map_err(p)?;
    println!(
        "rho only (scalar): {:.0} ms",
        t.elapsed().as_secs_f64() * 1e3
    );
    let runs: Vec<Run> = (0..members.len())
        .flat_map(|member| cells.iter().map(move |&params| Run { member, params }))
        .collect();
    let values = lanes.rho(&runs).map_err(e)?;
    let count = |m: RhoMethod| values.iter().filter(|v| v.method == m).count();
    println!(
        "rho of {} runs: {} in lanes, {} fixed point in lanes and sigma scalar, {} scalar, {} without a fixed point (alpha = 1)",
        values.len(),
        count(RhoMethod::Lanes) + count(RhoMethod::ScaledIdentity),
        count(RhoMethod::LanesFixedPoint),
        count(RhoMethod::Scalar),
        count(RhoMethod::NoFixedPoint)
    );
    Ok(())
}
