//! Times the budget phase diagram natively, split into its parts:
//! `cargo run --release -p prefdyn --example phase_timing`.
use std::time::Instant;

use prefdyn::phase::{
    budget_ensemble, budget_spec, ensemble_members, sweep, sweep_scalar, PhaseMetric,
};

fn main() -> Result<(), String> {
    let members = ensemble_members(&budget_ensemble(), None).map_err(|e| e.to_string())?;
    let spec = budget_spec();
    for (name, s) in [
        ("variance + rho (lanes)", spec),
        (
            "rho only",
            prefdyn::phase::PhaseSpec {
                metric: PhaseMetric::Rho,
                ..spec
            },
        ),
    ] {
        let t = Instant::now();
        sweep(&s, &members).map_err(|e| e.to_string())?;
        println!("{name}: {:.0} ms", t.elapsed().as_secs_f64() * 1e3);
    }
    let t = Instant::now();
    sweep_scalar(&spec, &members).map_err(|e| e.to_string())?;
    println!(
        "variance + rho (scalar): {:.0} ms",
        t.elapsed().as_secs_f64() * 1e3
    );
    Ok(())
}
