//! Finding 5: Figure 5 (vary α at β = 2, λ = 0.8, η = 1). For a circulant P the uniform
//! fixed point has `ρ = √(α² + (βλω)²)`, so oscillation starts at `α* = √(1 − (βλω)²)`,
//! inside [0, 1]. Checked three ways on the 3-cycle and the 5-response circulant
//! tournament, each started next to its uniform fixed point: the engine's ρ, the α where
//! the engine's ρ crosses 1, and the first α whose simulation oscillates.

use prefdyn::config::Config;
use prefdyn::dynamics::{verdict, MrsParams, Verdict};
use prefdyn::generators::Generator;
use prefdyn::phase::PhaseMetric;
use prefdyn::simplex::uniform;
use prefdyn::theory::{circulant_omega, circulant_rho, onset_alpha};
use prefdyn::PreferenceMatrix;
use serde::Serialize;

use super::helpers::{coarse_grid, ipo_run, ipo_stability, near_uniform, preset_config};
use super::Measured;

/// β, λ, η of Figure 5.
pub const BETA: f64 = 2.0;
pub const LAMBDA: f64 = 0.8;
/// Rounds of each simulation (the paper's T).
pub const ROUNDS: usize = 3000;
/// Step of the simulated α scan.
pub const SCAN_STEP: f64 = 0.0025;

/// One matrix's onset, three ways.
#[derive(Debug, Clone, Serialize)]
pub struct OnsetCase {
    pub label: String,
    /// `ω = ρ(S)/K`.
    pub omega: f64,
    /// `α* = √(1 − (βλω)²)`.
    pub alpha_star: f64,
    /// `max |ρ_engine − √(α² + (βλω)²)|` at π₀ = μ₀ = uniform, α = 0, 0.1, …, 0.9.
    pub rho_formula_max_error: f64,
    /// π₀ (a perturbation of uniform of size 10⁻³) and where the engine's ρ at the actual
    /// fixed point crosses 1 (bisection).
    pub pi0: Vec<f64>,
    pub rho_crossing: f64,
    /// The first α of the scan (step [`SCAN_STEP`]) from which every run oscillates.
    pub simulated_onset: f64,
    /// Verdicts of the scan, as `(α, verdict)`.
    pub scan: Vec<(f64, Verdict)>,
}

/// Finding 5.
#[derive(Debug, Clone, Serialize)]
pub struct OnsetFinding {
    pub beta: f64,
    pub lam: f64,
    pub cases: Vec<OnsetCase>,
    /// The Figure 5 preset on 21 values of α: mean V (jumps at the onset).
    pub sweep_alpha: Vec<f64>,
    pub sweep_variance: Vec<f64>,
    /// Whether the preset's matrix and π₀ are the 3-cycle case's.
    pub preset_matches: bool,
    pub error: Option<String>,
    pub holds: bool,
    pub summary: String,
}

impl Measured for OnsetFinding {
    fn holds(&self) -> bool {
        self.holds
    }
    fn summary(&self) -> &str {
        &self.summary
    }
}

fn params(alpha: f64) -> MrsParams {
    MrsParams {
        alpha,
        beta: BETA,
        lam: LAMBDA,
        eta: 1.0,
    }
}

fn rho_at(p: &PreferenceMatrix, pi0: &[f64], alpha: f64) -> Result<f64, String> {
    let u = uniform(p.k());
    ipo_stability(p, pi0, &u, params(alpha))?
        .rho
        .ok_or_else(|| "no ρ for α < 1".to_string())
}

fn onset_case(label: &str, p: &PreferenceMatrix, pi0: Vec<f64>) -> Result<OnsetCase, String> {
    let k = p.k();
    let omega = circulant_omega(p).ok_or("not circulant")?;
    let alpha_star = onset_alpha(BETA, LAMBDA, omega);
    let u = uniform(k);
    let mut rho_formula_max_error: f64 = 0.0;
    for i in 0..10 {
        let alpha = 0.1 * i as f64;
        let rho = rho_at(p, &u, alpha)?;
        rho_formula_max_error =
            rho_formula_max_error.max((rho - circulant_rho(&params(alpha), omega)).abs());
    }
    // ρ grows with α near the onset: bisect on [0.5, 0.999].
    let (mut lo, mut hi) = (0.5, 0.999);
    for _ in 0..50 {
        let mid = 0.5 * (lo + hi);
        if rho_at(p, &pi0, mid)? < 1.0 {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    let rho_crossing = 0.5 * (lo + hi);
    let mut scan = vec![];
    let n = ((0.98 - 0.8) / SCAN_STEP).round() as usize;
    for i in 0..=n {
        let alpha = 0.8 + SCAN_STEP * i as f64;
        let traj = ipo_run(p, &pi0, &u, params(alpha), ROUNDS)
            .simulate()
            .map_err(|e| e.to_string())?;
        scan.push((alpha, verdict(&traj.policies, k)));
    }
    // The first α from which every scanned run oscillates.
    let simulated_onset = scan
        .iter()
        .enumerate()
        .find(|(i, _)| scan[*i..].iter().all(|(_, v)| *v == Verdict::Oscillating))
        .map(|(_, (a, _))| *a)
        .unwrap_or(f64::NAN);
    Ok(OnsetCase {
        label: label.into(),
        omega,
        alpha_star,
        rho_formula_max_error,
        pi0,
        rho_crossing,
        simulated_onset,
        scan,
    })
}

/// The onset on the 3-cycle (started at the Figure 5 preset's π₀) and on the 5-response
/// circulant tournament; the error of each case that failed.
fn onset_cases(preset: Option<&Config>) -> (Vec<OnsetCase>, Option<String>) {
    let rps_pi0 = preset
        .and_then(|c| c.dynamics.pi0.resolve(3).ok())
        .unwrap_or_else(|| near_uniform(3, 5));
    let matrices = [
        (
            "rock–paper–scissors (s = 0.5)",
            Generator::RockPaperScissors { s: 0.5 },
            rps_pi0,
        ),
        (
            "circulant tournament (K = 5, s = 0.5)",
            Generator::Circulant { k: 5, s: 0.5 },
            near_uniform(5, 5),
        ),
    ];
    let (mut cases, mut error) = (vec![], None);
    for (label, g, pi0) in matrices {
        match g
            .generate(0)
            .map_err(|e| e.to_string())
            .and_then(|p| onset_case(label, &p, pi0))
        {
            Ok(c) => cases.push(c),
            Err(e) => error = Some(format!("{label}: {e}")),
        }
    }
    (cases, error)
}

/// Whether the Figure 5 preset sweeps α at β = [`BETA`], λ = [`LAMBDA`], η = 1 and
/// T = [`ROUNDS`] on the 3-cycle with s = 0.5.
fn preset_matches(preset: Option<Config>) -> bool {
    preset.is_some_and(|c| {
        let (p, _) = prefdyn::report::resolve_matrix(&c);
        let cell = prefdyn::report::phase_setup(&c, &p)
            .map(|(spec, _)| prefdyn::phase::cell_params(&spec, 0, 0))
            .ok();
        cell.is_some_and(|q| q.beta == BETA && q.lam == LAMBDA && q.eta == 1.0)
            && c.phase.x.axis == prefdyn::phase::Axis::Alpha
            && c.phase.rounds == ROUNDS
            && c.matrix.matrix().ok() == Generator::RockPaperScissors { s: 0.5 }.generate(0).ok()
    })
}

/// Every case has α* in [0, 1], ρ matching the closed form, and both the ρ crossing and
/// the simulated onset within 0.02 of α*.
fn cases_ok(cases: &[OnsetCase]) -> bool {
    cases.len() == 2
        && cases.iter().all(|c| {
            (0.0..=1.0).contains(&c.alpha_star)
                && c.rho_formula_max_error < 1e-9
                && (c.rho_crossing - c.alpha_star).abs() <= 0.02
                && (c.simulated_onset - c.alpha_star).abs() <= 0.02
        })
}

/// The preset's variance profile: its largest value below α* − 0.02 (α* of the first
/// case) and its value at α = 0.95.
fn profile(f: &OnsetFinding) -> (f64, f64) {
    let star = f.cases.first().map(|c| c.alpha_star).unwrap_or(f64::NAN);
    let below = f
        .sweep_alpha
        .iter()
        .zip(&f.sweep_variance)
        .filter(|(a, _)| **a < star - 0.02)
        .map(|(_, v)| *v)
        .fold(0.0, f64::max);
    let at95 = f
        .sweep_alpha
        .iter()
        .position(|a| (a - 0.95).abs() < 1e-9)
        .and_then(|i| f.sweep_variance.get(i).copied())
        .unwrap_or(f64::NAN);
    (below, at95)
}

/// The one-line summary, from the cases and the preset's profile.
fn onset_summary(f: &OnsetFinding, below: f64, at95: f64) -> String {
    let case_text = |c: &OnsetCase| {
        format!(
            "{}: α* = √(1 − (βλω)²) = {:.4} (ω = {:.4}), engine ρ crosses 1 at α = {:.4}, simulations (T = {ROUNDS}, α step {SCAN_STEP}) oscillate from α = {:.4}",
            c.label, c.alpha_star, c.omega, c.rho_crossing, c.simulated_onset
        )
    };
    format!(
        "β = 2, λ = 0.8, η = 1, π₀ a 10⁻³ perturbation of uniform: {}; engine ρ at π₀ = μ₀ = uniform matches √(α² + (βλω)²) to {:.0e}; the Figure 5 preset's V is at most {:.1e} below α* − 0.02 and {:.1e} at α = 0.95",
        f.cases.iter().map(case_text).collect::<Vec<_>>().join("; "),
        f.cases
            .iter()
            .map(|c| c.rho_formula_max_error)
            .fold(0.0, f64::max),
        below,
        at95,
    )
}

/// Finding 5.
pub fn figure5_onset() -> OnsetFinding {
    let preset = preset_config("fig5");
    let (cases, mut error) = onset_cases(preset.as_ref());
    let mut f = OnsetFinding {
        beta: BETA,
        lam: LAMBDA,
        cases,
        sweep_alpha: vec![],
        sweep_variance: vec![],
        preset_matches: preset_matches(preset),
        error: None,
        holds: false,
        summary: String::new(),
    };
    match coarse_grid("fig5", 21, 1, PhaseMetric::Variance) {
        Ok(g) => {
            f.sweep_alpha = g.x_values.clone();
            f.sweep_variance = g.mean.clone();
        }
        Err(e) => error = Some(e),
    }
    f.error = error;
    // The preset's profile: flat below α* and two orders of magnitude higher at α = 0.95.
    let (below, at95) = profile(&f);
    f.holds = f.error.is_none() && f.preset_matches && cases_ok(&f.cases) && at95 > 100.0 * below;
    f.summary = onset_summary(&f, below, at95);
    f
}
