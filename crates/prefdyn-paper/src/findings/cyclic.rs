//! Finding 3: cyclic preferences. Figure 1's panels (the baseline converges, a larger α or
//! βλ oscillates), the paper's 3-cycle threshold `α² + s²β²λ²/3 = 1` against ρ and against
//! simulation, and a coarse Figure 3 (the variance grows with α and βλ).

use prefdyn::dynamics::{verdict, MrsParams, MrsRun, Solver, Verdict};
use prefdyn::generators::{dirichlet_flat, Generator};
use prefdyn::phase::PhaseMetric;
use prefdyn::simplex::uniform;
use prefdyn::theory::three_cycle_value;
use serde::Serialize;

use super::helpers::{at, coarse_grid, monotone_steps, pct, preset_run, CoarseGrid, RunSummary};
use super::Measured;

/// The 3-cycle threshold at one strength s.
#[derive(Debug, Clone, Serialize)]
pub struct ThresholdCheck {
    pub s: f64,
    /// `(α, βλ)` pairs checked (λ = 0.8, η = 1).
    pub points: usize,
    /// `max |ρ_engine − √(α² + s²β²λ²/3)|` with π₀ = μ₀ = uniform (the uniform fixed point).
    pub rho_max_error: f64,
    /// Simulations from a 10⁻³ perturbation of uniform (T = 3,000) with the threshold
    /// value outside [0.95, 1.05]: how many, and how many oscillate exactly when it is > 1.
    pub simulated: usize,
    pub agree: usize,
    /// The disagreements, as `(α, βλ, value, verdict)`.
    pub misses: Vec<(f64, f64, f64, Verdict)>,
}

/// Finding 3.
#[derive(Debug, Clone, Serialize)]
pub struct CyclicFinding {
    /// Figure 1's three panels.
    pub figure1: Vec<RunSummary>,
    pub threshold: Vec<ThresholdCheck>,
    /// Time-averaged variance over Figure 3's 16 cyclic K = 4 matrices (T = 3,000), 5 × 5.
    pub variance: Option<CoarseGrid>,
    /// Share of the 16 runs whose verdict is "oscillating", same grid.
    pub oscillating_share: Option<CoarseGrid>,
    /// `V(α = 0.75, βλ = 8) / V(α = 0.25, βλ = 0.2)`.
    pub corner_ratio: f64,
    /// Adjacent steps (α > 0 columns) along which the mean variance rises.
    pub rising_steps: usize,
    pub total_steps: usize,
    pub error: Option<String>,
    pub holds: bool,
    pub summary: String,
}

impl Measured for CyclicFinding {
    fn holds(&self) -> bool {
        self.holds
    }
    fn summary(&self) -> &str {
        &self.summary
    }
}

/// Rounds of the threshold simulations.
const THRESHOLD_T: usize = 3000;

/// The 3-cycle with strength `s` on a 20 × 15 grid of `(α, βλ)`, λ = 0.8, η = 1.
fn threshold_check(s: f64) -> Result<ThresholdCheck, String> {
    let p = Generator::RockPaperScissors { s }
        .generate(0)
        .map_err(|e| e.to_string())?;
    let u = uniform(3);
    let d = dirichlet_flat(3, 7);
    let near: Vec<f64> = d.iter().map(|v| (1.0 - 1e-3) / 3.0 + 1e-3 * v).collect();
    let mut c = ThresholdCheck {
        s,
        points: 0,
        rho_max_error: 0.0,
        simulated: 0,
        agree: 0,
        misses: vec![],
    };
    for ia in 0..20 {
        for ib in 0..15 {
            let alpha = 0.05 * ia as f64;
            let beta_lambda = 0.4 + 0.4 * ib as f64;
            let params = MrsParams {
                alpha,
                beta: beta_lambda / 0.8,
                lam: 0.8,
                eta: 1.0,
            };
            let value = three_cycle_value(&params, s);
            let exact = MrsRun {
                p: &p,
                pi0: &u,
                mu0: &u,
                params,
                solver: Solver::Ipo,
                rounds: 1,
            };
            let rho = exact
                .stability()
                .map_err(|e| e.to_string())?
                .rho
                .ok_or("no ρ for α < 1")?;
            c.points += 1;
            c.rho_max_error = c.rho_max_error.max((rho - value.sqrt()).abs());
            if (value - 1.0).abs() <= 0.05 {
                continue;
            }
            let run = MrsRun {
                pi0: &near,
                rounds: THRESHOLD_T,
                ..exact
            };
            let traj = run.simulate().map_err(|e| e.to_string())?;
            let v = verdict(&traj.policies, 3);
            c.simulated += 1;
            let expected = if value > 1.0 {
                Verdict::Oscillating
            } else {
                Verdict::Converged
            };
            if v == expected {
                c.agree += 1;
            } else {
                c.misses.push((alpha, beta_lambda, value, v));
            }
        }
    }
    Ok(c)
}

/// Finding 3: Figure 1's presets, the 3-cycle threshold (s = 0.5 and 0.3) and a coarse
/// Figure 3.
pub fn cyclic_oscillation() -> CyclicFinding {
    let figure1: Vec<RunSummary> = ["fig1a", "fig1b", "fig1c"]
        .iter()
        .map(|id| preset_run(id, Solver::Ipo))
        .collect();
    let mut f = CyclicFinding {
        figure1,
        threshold: vec![],
        variance: None,
        oscillating_share: None,
        corner_ratio: f64::NAN,
        rising_steps: 0,
        total_steps: 0,
        error: None,
        holds: false,
        summary: String::new(),
    };
    for s in [0.5, 0.3] {
        match threshold_check(s) {
            Ok(c) => f.threshold.push(c),
            Err(e) => f.error = Some(e),
        }
    }
    let fig1_ok = f.figure1[0].is(Verdict::Converged)
        && f.figure1[0].rho.is_some_and(|r| r < 0.99)
        && f.figure1[1..]
            .iter()
            .all(|r| r.is(Verdict::Oscillating) && r.rho.is_some_and(|r| r > 1.01));
    let threshold_ok = f.threshold.len() == 2
        && f.threshold
            .iter()
            .all(|c| c.rho_max_error < 1e-9 && c.agree == c.simulated && c.simulated > 200);
    let var = coarse_grid("fig3", 5, 5, PhaseMetric::Variance);
    let osc = coarse_grid("fig3", 5, 5, PhaseMetric::Verdict);
    let (g, o) = match (var, osc) {
        (Ok(g), Ok(o)) => (g, o),
        (Err(e), _) | (_, Err(e)) => {
            f.summary = format!("phase sweep failed: {e}");
            f.error = Some(e);
            return f;
        }
    };
    let (nx, ny) = (g.nx, g.ny);
    // α = 1 has no anchor (a = 1): the corners are taken at α = 0.75.
    f.corner_ratio = at(&g, nx - 2, ny - 1) / at(&g, 1, 0);
    let (good, total) = monotone_steps(&g, 1.0, 0.0, 1);
    f.rising_steps = good;
    f.total_steps = total;
    // Along α at every βλ, and along βλ at α = 0.75: the far end is higher.
    let ends = (0..ny).all(|iy| at(&g, nx - 1, iy) > 2.0 * at(&g, 0, iy).max(1e-12))
        && at(&g, nx - 2, ny - 1) > 2.0 * at(&g, nx - 2, 0);
    let osc_ends = at(&o, nx - 2, ny - 1) >= 0.4 && at(&o, 1, 0) == 0.0;
    f.holds = f.error.is_none()
        && fig1_ok
        && threshold_ok
        && ends
        && osc_ends
        && f.corner_ratio > 10.0
        && good as f64 >= 0.8 * total as f64;
    let th = |i: usize| {
        f.threshold
            .get(i)
            .map(|c| {
                format!(
                    "s = {}: ρ = √(α² + s²β²λ²/3) to {:.0e} at {} points, simulation agrees in {}/{}",
                    c.s, c.rho_max_error, c.points, c.agree, c.simulated
                )
            })
            .unwrap_or_else(|| "—".into())
    };
    f.summary = format!(
        "Figure 1 (RPS): {}, {}, {} (ρ = {}); 3-cycle threshold (λ = 0.8, η = 1; π₀ = μ₀ = uniform for ρ, a 10⁻³ perturbation for the T = 3,000 runs, |value − 1| > 0.05): {}; {}; 16 synthetic cyclic K = 4 matrices, T = 3,000, 5 × 5 grid α ∈ [0, 1] × βλ ∈ [0.2, 8]: mean V {:.2e} ± {:.1e} at (α 0.25, βλ 0.2) → {:.2e} ± {:.1e} at (0.75, 8) (×{:.0}); V rises along {}/{} grid steps (α > 0); oscillating runs {} → {}",
        f.figure1[0].short(),
        f.figure1[1].short(),
        f.figure1[2].short(),
        f.figure1
            .iter()
            .map(|r| r.rho.map(|x| format!("{x:.3}")).unwrap_or_else(|| "—".into()))
            .collect::<Vec<_>>()
            .join(", "),
        th(0),
        th(1),
        at(&g, 1, 0),
        g.cell(1, 0).map(|c| c.1).unwrap_or(f64::NAN),
        at(&g, nx - 2, ny - 1),
        g.cell(nx - 2, ny - 1).map(|c| c.1).unwrap_or(f64::NAN),
        f.corner_ratio,
        good,
        total,
        pct((16.0 * at(&o, 1, 0)).round() as usize, 16),
        pct((16.0 * at(&o, nx - 2, ny - 1)).round() as usize, 16),
    );
    let mut cg = CoarseGrid::of("fig3", &g);
    cg.metric = "time-averaged variance V";
    f.variance = Some(cg);
    let mut co = CoarseGrid::of("fig3", &o);
    co.metric = "share of runs oscillating";
    f.oscillating_share = Some(co);
    f
}
