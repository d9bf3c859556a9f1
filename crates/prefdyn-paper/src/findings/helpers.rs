//! Pieces shared by the findings: percentages, preset and MRS-IPO runs, distances to a
//! fixed point, coarse phase grids.

use prefdyn::config::{parse_query, Config};
use prefdyn::dynamics::{MrsParams, MrsRun, Solver, Trajectory, Verdict};
use prefdyn::generators::dirichlet_flat;
use prefdyn::phase::{sweep, PhaseGrid, PhaseMetric};
use prefdyn::report::{phase_setup, resolve_matrix, Results};
use prefdyn::simplex::l1_distance;
use prefdyn::stability::Stability;
use prefdyn::PreferenceMatrix;
use serde::Serialize;

use crate::figures::figure;

pub(crate) fn pct(n: usize, d: usize) -> String {
    if d == 0 {
        return "—".into();
    }
    let r = 100.0 * n as f64 / d as f64;
    if n == d {
        "100%".into()
    } else if n == 0 {
        "0%".into()
    } else if !(0.1..99.9).contains(&r) {
        // Never round to "100.0%" or "0.0%".
        format!("{r:.2}%")
    } else {
        format!("{r:.1}%")
    }
}

pub(crate) fn rate(n: usize, d: usize) -> f64 {
    if d == 0 {
        f64::NAN
    } else {
        n as f64 / d as f64
    }
}

/// The configuration of a figure preset (its query parsed; `None` if the id is unknown).
pub(crate) fn preset_config(id: &str) -> Option<Config> {
    figure(id).map(|f| parse_query(f.query).config)
}

/// Verdict, ρ, final entropy and time-averaged variance of one configured run.
#[derive(Debug, Clone, Serialize)]
pub struct RunSummary {
    /// The run's label (preset id or parameters).
    pub label: String,
    pub alpha: f64,
    pub beta: f64,
    pub lam: f64,
    pub eta: f64,
    pub rounds: usize,
    pub verdict: Option<Verdict>,
    pub rho: Option<f64>,
    pub final_entropy: Option<f64>,
    pub variance: Option<f64>,
    /// Why the run could not be made, if it could not.
    pub error: Option<String>,
}

impl RunSummary {
    pub(crate) fn of_results(label: &str, config: &Config, r: &Results) -> Self {
        let d = r.dynamics.as_ref();
        RunSummary {
            label: label.to_string(),
            alpha: config.dynamics.params.alpha,
            beta: config.dynamics.params.beta,
            lam: config.dynamics.params.lam,
            eta: config.dynamics.params.eta,
            rounds: config.dynamics.rounds,
            verdict: d.map(|d| d.metrics.verdict),
            rho: d.and_then(|d| d.stability.rho),
            final_entropy: d.map(|d| d.metrics.final_entropy),
            variance: d.map(|d| d.metrics.variance),
            error: r.dynamics_error.clone(),
        }
    }

    pub(crate) fn is(&self, v: Verdict) -> bool {
        self.verdict == Some(v)
    }

    pub fn h(&self) -> f64 {
        self.final_entropy.unwrap_or(f64::NAN)
    }

    pub(crate) fn short(&self) -> String {
        format!(
            "{} {}",
            self.label,
            self.verdict.map(|v| v.label()).unwrap_or("no run")
        )
    }
}

/// The run of a figure preset, optionally with another solver.
pub(crate) fn preset_run(id: &str, solver: Solver) -> RunSummary {
    match preset_config(id) {
        Some(mut c) => {
            c.dynamics.solver = solver;
            let r = Results::compute(&c);
            RunSummary::of_results(id, &c, &r)
        }
        None => RunSummary {
            label: id.to_string(),
            alpha: f64::NAN,
            beta: f64::NAN,
            lam: f64::NAN,
            eta: f64::NAN,
            rounds: 0,
            verdict: None,
            rho: None,
            final_entropy: None,
            variance: None,
            error: Some(format!("unknown figure preset {id}")),
        },
    }
}

/// The runs of several figure presets with one solver.
pub(crate) fn preset_runs(ids: &[&str], solver: Solver) -> Vec<RunSummary> {
    ids.iter().map(|id| preset_run(id, solver)).collect()
}

/// `(1 − 10⁻³)/K + 10⁻³ d` for the flat Dirichlet draw `d` of `seed`: a start next to
/// uniform.
pub(crate) fn near_uniform(k: usize, seed: u64) -> Vec<f64> {
    dirichlet_flat(k, seed)
        .iter()
        .map(|v| (1.0 - 1e-3) / k as f64 + 1e-3 * v)
        .collect()
}

/// MRS-IPO on `p` from `pi0` and `mu0` at `params` for `rounds` rounds.
pub(crate) fn ipo_run<'a>(
    p: &'a PreferenceMatrix,
    pi0: &'a [f64],
    mu0: &'a [f64],
    params: MrsParams,
    rounds: usize,
) -> MrsRun<'a> {
    MrsRun {
        p,
        pi0,
        mu0,
        params,
        solver: Solver::Ipo,
        rounds,
    }
}

/// MRS-IPO's fixed point and ρ at `params`, solved from `pi0` with `mu0`.
pub(crate) fn ipo_stability(
    p: &PreferenceMatrix,
    pi0: &[f64],
    mu0: &[f64],
    params: MrsParams,
) -> Result<Stability, String> {
    ipo_run(p, pi0, mu0, params, 1)
        .stability()
        .map_err(|e| e.to_string())
}

/// `max_i |a_i − b_i|` over the common length (0 when either is empty).
pub(crate) fn max_abs_gap(a: &[f64], b: &[f64]) -> f64 {
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f64::max)
}

/// How a run ended relative to a fixed point: the last step `‖π_T − π_{T−1}‖₁` (0 for a
/// run of no rounds) and the distance `max_i |π_T(i) − π*(i)|`.
pub(crate) fn last_step_and_distance(traj: &Trajectory, fixed_point: &[f64]) -> (f64, f64) {
    let last = traj.last();
    let last_step = if traj.rounds() > 0 {
        l1_distance(last, traj.policy(traj.rounds() - 1))
    } else {
        0.0
    };
    (last_step, max_abs_gap(last, fixed_point))
}

/// A coarse version of a phase-diagram preset: its ensemble, parameters and T, on an
/// `nx × ny` grid spanning the same ranges, for `metric`.
pub(crate) fn coarse_grid(
    id: &str,
    nx: usize,
    ny: usize,
    metric: PhaseMetric,
) -> Result<PhaseGrid, String> {
    let mut c = preset_config(id).ok_or_else(|| format!("unknown figure preset {id}"))?;
    c.phase.x.n = nx;
    c.phase.y.n = ny;
    c.phase.metric = metric;
    let (p, err) = resolve_matrix(&c);
    if let Some(e) = err {
        return Err(e.to_string());
    }
    let (spec, members) = phase_setup(&c, &p).map_err(|e| e.to_string())?;
    sweep(&spec, &members).map_err(|e| e.to_string())
}

/// The grid as rows (`rows[iy][ix]`), for serialisation.
pub(crate) fn grid_rows(g: &[f64], nx: usize, ny: usize) -> Vec<Vec<f64>> {
    (0..ny)
        .map(|iy| g[iy * nx..(iy + 1) * nx].to_vec())
        .collect()
}

/// Mean of cell (ix, iy), NaN when out of range.
pub(crate) fn at(g: &PhaseGrid, ix: usize, iy: usize) -> f64 {
    g.cell(ix, iy).map(|c| c.0).unwrap_or(f64::NAN)
}

/// Mean and standard deviation of cell (ix, iy), NaN when out of range.
pub(crate) fn mean_sd(g: &PhaseGrid, ix: usize, iy: usize) -> (f64, f64) {
    g.cell(ix, iy).unwrap_or((f64::NAN, f64::NAN))
}

/// Share of adjacent steps along x (within each row) and along y (within each column)
/// where the mean moves in direction `sign` (+1 up, −1 down) by more than `tol`, counting
/// only columns `ix ≥ from_ix`.
pub(crate) fn monotone_steps(g: &PhaseGrid, sign: f64, tol: f64, from_ix: usize) -> (usize, usize) {
    let (mut good, mut total) = (0, 0);
    for iy in 0..g.ny {
        for ix in from_ix..g.nx.saturating_sub(1) {
            total += 1;
            if sign * (at(g, ix + 1, iy) - at(g, ix, iy)) > tol {
                good += 1;
            }
        }
    }
    for ix in from_ix..g.nx {
        for iy in 0..g.ny.saturating_sub(1) {
            total += 1;
            if sign * (at(g, ix, iy + 1) - at(g, ix, iy)) > tol {
                good += 1;
            }
        }
    }
    (good, total)
}

/// A coarse phase grid of an ensemble: mean and sd per cell.
#[derive(Debug, Clone, Serialize)]
pub struct CoarseGrid {
    /// The preset the ensemble, parameters and T come from.
    pub preset: &'static str,
    pub metric: &'static str,
    pub alpha: Vec<f64>,
    pub beta_lambda: Vec<f64>,
    /// `mean[iy][ix]` (iy along βλ, ix along α).
    pub mean: Vec<Vec<f64>>,
    pub sd: Vec<Vec<f64>>,
}

impl CoarseGrid {
    /// The grid of `preset`, its mean named `metric`.
    pub(crate) fn of(preset: &'static str, metric: &'static str, g: &PhaseGrid) -> Self {
        CoarseGrid {
            preset,
            metric,
            alpha: g.x_values.clone(),
            beta_lambda: g.y_values.clone(),
            mean: grid_rows(&g.mean, g.nx, g.ny),
            sd: grid_rows(&g.sd, g.nx, g.ny),
        }
    }
}

/// Verdict counts.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct VerdictCounts {
    pub converged: usize,
    pub converging: usize,
    pub oscillating: usize,
    pub collapsed: usize,
    pub not_settled: usize,
}

impl VerdictCounts {
    pub(crate) fn add(&mut self, v: Verdict) {
        match v {
            Verdict::Converged => self.converged += 1,
            Verdict::Converging => self.converging += 1,
            Verdict::Oscillating => self.oscillating += 1,
            Verdict::Collapsed => self.collapsed += 1,
            Verdict::NotSettled => self.not_settled += 1,
        }
    }
}
