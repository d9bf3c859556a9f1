//! Finding 3: cyclic preferences. Figure 1's panels (the baseline converges, a larger α or
//! βλ oscillates), the paper's 3-cycle threshold `α² + s²β²λ²/3 = 1` against ρ and against
//! simulation, and a coarse Figure 3 (the variance grows with α and βλ).

use prefdyn::dynamics::{verdict, MrsParams, Solver, Verdict};
use prefdyn::generators::Generator;
use prefdyn::phase::{PhaseGrid, PhaseMetric};
use prefdyn::simplex::uniform;
use prefdyn::theory::three_cycle_value;
use serde::Serialize;

use super::helpers::{
    at, coarse_grid, ipo_run, ipo_stability, mean_sd, monotone_steps, near_uniform, pct,
    preset_runs, CoarseGrid, RunSummary,
};
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
    let near = near_uniform(3, 7);
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
            let rho = ipo_stability(&p, &u, &u, params)?
                .rho
                .ok_or("no ρ for α < 1")?;
            c.points += 1;
            c.rho_max_error = c.rho_max_error.max((rho - value.sqrt()).abs());
            if (value - 1.0).abs() <= 0.05 {
                continue;
            }
            let traj = ipo_run(&p, &near, &u, params, THRESHOLD_T)
                .simulate()
                .map_err(|e| e.to_string())?;
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

/// Figure 1's panels: the baseline converges (ρ < 0.99), the other two oscillate
/// (ρ > 1.01).
fn figure1_ok(figure1: &[RunSummary]) -> bool {
    figure1[0].is(Verdict::Converged)
        && figure1[0].rho.is_some_and(|r| r < 0.99)
        && figure1[1..]
            .iter()
            .all(|r| r.is(Verdict::Oscillating) && r.rho.is_some_and(|r| r > 1.01))
}

/// Both strengths checked: ρ matches the closed form and every simulation agrees with it.
fn threshold_ok(threshold: &[ThresholdCheck]) -> bool {
    threshold.len() == 2
        && threshold
            .iter()
            .all(|c| c.rho_max_error < 1e-9 && c.agree == c.simulated && c.simulated > 200)
}

/// Along α at every βλ, and along βλ at α = 0.75, the far end of the variance grid `g` is
/// higher; the oscillating share `o` goes from none at (0.25, 0.2) to ≥ 40% at (0.75, 8).
fn grid_ends_ok(g: &PhaseGrid, o: &PhaseGrid) -> bool {
    let (nx, ny) = (g.nx, g.ny);
    let ends = (0..ny).all(|iy| at(g, nx - 1, iy) > 2.0 * at(g, 0, iy).max(1e-12))
        && at(g, nx - 2, ny - 1) > 2.0 * at(g, nx - 2, 0);
    let osc_ends = at(o, nx - 2, ny - 1) >= 0.4 && at(o, 1, 0) == 0.0;
    ends && osc_ends
}

/// One strength's threshold check, for the summary.
fn threshold_text(c: Option<&ThresholdCheck>) -> String {
    c.map(|c| {
        format!(
            "s = {}: ρ = √(α² + s²β²λ²/3) to {:.0e} at {} points, simulation agrees in {}/{}",
            c.s, c.rho_max_error, c.points, c.agree, c.simulated
        )
    })
    .unwrap_or_else(|| "—".into())
}

/// The one-line summary, from the finding, its variance grid `g` and its oscillating
/// share `o`.
fn cyclic_summary(f: &CyclicFinding, g: &PhaseGrid, o: &PhaseGrid) -> String {
    let (nx, ny) = (g.nx, g.ny);
    let ((v0, s0), (v1, s1)) = (mean_sd(g, 1, 0), mean_sd(g, nx - 2, ny - 1));
    format!(
        "Figure 1 (RPS): {}, {}, {} (ρ = {}); 3-cycle threshold (λ = 0.8, η = 1; π₀ = μ₀ = uniform for ρ, a 10⁻³ perturbation for the T = 3,000 runs, |value − 1| > 0.05): {}; {}; 16 synthetic cyclic K = 4 matrices, T = 3,000, 5 × 5 grid α ∈ [0, 1] × βλ ∈ [0.2, 8]: mean V {v0:.2e} ± {s0:.1e} at (α 0.25, βλ 0.2) → {v1:.2e} ± {s1:.1e} at (0.75, 8) (×{:.0}); V rises along {}/{} grid steps (α > 0); oscillating runs {} → {}",
        f.figure1[0].short(),
        f.figure1[1].short(),
        f.figure1[2].short(),
        f.figure1
            .iter()
            .map(|r| r.rho.map(|x| format!("{x:.3}")).unwrap_or_else(|| "—".into()))
            .collect::<Vec<_>>()
            .join(", "),
        threshold_text(f.threshold.first()),
        threshold_text(f.threshold.get(1)),
        f.corner_ratio,
        f.rising_steps,
        f.total_steps,
        pct((16.0 * at(o, 1, 0)).round() as usize, 16),
        pct((16.0 * at(o, nx - 2, ny - 1)).round() as usize, 16),
    )
}

/// Finding 3: Figure 1's presets, the 3-cycle threshold (s = 0.5 and 0.3) and a coarse
/// Figure 3.
pub fn cyclic_oscillation() -> CyclicFinding {
    let mut f = CyclicFinding {
        figure1: preset_runs(&["fig1a", "fig1b", "fig1c"], Solver::Ipo),
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
    // α = 1 has no anchor (a = 1): the corners are taken at α = 0.75.
    f.corner_ratio = at(&g, g.nx - 2, g.ny - 1) / at(&g, 1, 0);
    (f.rising_steps, f.total_steps) = monotone_steps(&g, 1.0, 0.0, 1);
    f.holds = f.error.is_none()
        && figure1_ok(&f.figure1)
        && threshold_ok(&f.threshold)
        && grid_ends_ok(&g, &o)
        && f.corner_ratio > 10.0
        && f.rising_steps as f64 >= 0.8 * f.total_steps as f64;
    f.summary = cyclic_summary(&f, &g, &o);
    f.variance = Some(CoarseGrid::of("fig3", "time-averaged variance V", &g));
    f.oscillating_share = Some(CoarseGrid::of("fig3", "share of runs oscillating", &o));
    f
}
