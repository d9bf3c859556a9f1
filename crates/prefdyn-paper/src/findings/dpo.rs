//! Finding 8: MRS-DPO shows MRS-IPO's phenomena (oscillation on cyclic P, concentration on
//! transitive P; near uniform DPO at β behaves like IPO at 4/β), and DPO has no finite
//! optimum on deterministic dominance where IPO does.

use prefdyn::dpo::{dpo_has_finite_optimum, dpo_solve, DpoOutcome};
use prefdyn::dynamics::{verdict, DynamicsError, MrsParams, MrsRun, Solver, Verdict};
use prefdyn::generators::{dirichlet_flat, Family};
use prefdyn::phase::{ensemble_members, Ensemble, EnsembleMember};
use prefdyn::sampling::{one_shot, SamplingStrategy};
use prefdyn::simplex::uniform;
use prefdyn::PreferenceMatrix;
use serde::Serialize;

use super::helpers::{preset_config, preset_run, preset_runs, RunSummary, VerdictCounts};
use super::Measured;

/// One-shot IPO and DPO on a matrix with deterministic dominance.
#[derive(Debug, Clone, Serialize)]
pub struct DominanceCase {
    pub label: String,
    pub k: usize,
    /// Upper triangle of P.
    pub upper: Vec<f64>,
    /// IPO's one-shot optimum (uniform μ and π_ref, β = 2): finite and interior.
    pub ipo_policy: Vec<f64>,
    pub ipo_min_mass: f64,
    pub dpo_finite: bool,
    /// Where DPO escapes to.
    pub dpo_top_component: Vec<usize>,
    /// DPO's limit policy (zero outside the top component).
    pub dpo_limit_policy: Vec<f64>,
    /// MRS-DPO refuses to run; MRS-IPO runs (α = 1, β = 3, λ = 0.8) and its verdict.
    pub mrs_dpo_error: Option<String>,
    pub mrs_ipo_verdict: Option<Verdict>,
    pub mrs_ipo_rho: Option<f64>,
}

/// Ensemble means for one solver at two corners.
#[derive(Debug, Clone, Serialize)]
pub struct SolverCorners {
    pub solver: Solver,
    /// `(α, β)` of the weak and the strong corner (λ = 0.8, η = 1, T = 300). For DPO the
    /// update strength is 1/β, so the strong corner has the small β.
    pub low: (f64, f64),
    pub high: (f64, f64),
    /// Mean time-averaged variance over 16 random cyclic 5×5 matrices (Figure 3's).
    pub cyclic_variance_low: f64,
    pub cyclic_variance_high: f64,
    /// Runs at the strong corner judged oscillating / collapsed.
    pub cyclic_oscillating_high: usize,
    pub cyclic_collapsing_high: usize,
    /// Mean final entropy over 16 random SST 5×5 matrices (Figure 4's).
    pub sst_entropy_low: f64,
    pub sst_entropy_high: f64,
}

/// Near uniform, DPO's optimum is IPO's with strength 4/β (σ'(0) = 1/4): mean variance of
/// the 16 cyclic runs at α = 0.25 with DPO at β and IPO at 4/β.
#[derive(Debug, Clone, Serialize)]
pub struct DpoIpoScale {
    pub dpo_beta: f64,
    pub dpo_variance: f64,
    pub ipo_beta: f64,
    pub ipo_variance: f64,
}

/// Finding 8: MRS-DPO vs MRS-IPO, and deterministic dominance.
#[derive(Debug, Clone, Serialize)]
pub struct DpoFinding {
    /// Figure 1's and 2's presets with the DPO solver unchanged (same P, π₀, α, β, λ, η,
    /// T): with DPO's β a KL weight, the larger β of fig1c is a weaker update.
    pub figure1_presets_dpo: Vec<RunSummary>,
    pub figure2_presets_dpo: Vec<RunSummary>,
    /// Figure 1 with DPO at DPO-scale strengths (RPS, λ = 0.8, T = 300): baseline
    /// (α 0.5, β 2), larger α (0.95, β 2), stronger update (0.5, β 0.6).
    pub figure1_dpo: Vec<RunSummary>,
    /// Figure 2 with DPO (its SST P, λ = 0.8, T = 30): baseline (α 0.5, β 2), larger α
    /// (0.9, β 2), stronger update (0.5, β 1).
    pub figure2_dpo: Vec<RunSummary>,
    pub corners: Vec<SolverCorners>,
    pub scale: Vec<DpoIpoScale>,
    pub dominance: Vec<DominanceCase>,
    pub errors: usize,
    pub holds: bool,
    pub summary: String,
}

fn dominance_case(label: &str, k: usize, upper: Vec<f64>) -> Option<DominanceCase> {
    let p = PreferenceMatrix::from_upper(k, &upper).ok()?;
    let unif = uniform(k);
    let ipo = one_shot(&p, &unif, 2.0, &SamplingStrategy::Uniform, Solver::Ipo).ok()?;
    let dpo = dpo_solve(&p, &unif, None);
    let log_ref: Vec<f64> = unif.iter().map(|v| v.ln()).collect();
    let dpo_limit_policy = dpo.policy(&log_ref, 2.0);
    let top = match &dpo {
        DpoOutcome::Finite { .. } => vec![],
        DpoOutcome::NoFiniteOptimum { top_component, .. } => top_component.clone(),
    };
    let pi0 = dirichlet_flat(k, 1);
    let params = MrsParams {
        alpha: 0.8,
        beta: 3.0,
        lam: 1.0,
        eta: 1.0,
    };
    let run = |solver| MrsRun {
        p: &p,
        pi0: &pi0,
        mu0: &unif,
        params,
        solver,
        rounds: 300,
    };
    let mrs_dpo_error = match run(Solver::Dpo).simulate() {
        Err(e @ DynamicsError::DpoNoFiniteOptimum { .. }) => Some(e.to_string()),
        Err(e) => Some(format!("unexpected: {e}")),
        Ok(_) => None,
    };
    let ipo_run = run(Solver::Ipo);
    Some(DominanceCase {
        label: label.to_string(),
        k,
        upper,
        ipo_min_mass: ipo.policy.iter().copied().fold(f64::INFINITY, f64::min),
        ipo_policy: ipo.policy,
        dpo_finite: dpo_has_finite_optimum(&p),
        dpo_top_component: top,
        dpo_limit_policy,
        mrs_dpo_error,
        mrs_ipo_verdict: ipo_run.simulate().ok().map(|t| verdict(&t.policies, k)),
        mrs_ipo_rho: ipo_run.stability().ok().and_then(|s| s.rho),
    })
}

/// A figure preset's configuration with another solver and parameters.
fn preset_variant(
    id: &str,
    label: &str,
    solver: Solver,
    alpha: f64,
    beta: f64,
    rounds: Option<usize>,
) -> RunSummary {
    match preset_config(id) {
        Some(mut c) => {
            c.dynamics.solver = solver;
            c.dynamics.params.alpha = alpha;
            c.dynamics.params.beta = beta;
            if let Some(t) = rounds {
                c.dynamics.rounds = t;
            }
            let r = prefdyn::report::Results::compute(&c);
            RunSummary::of_results(label, &c, &r)
        }
        None => preset_run(id, solver),
    }
}

/// Mean metrics of `members` for one solver and parameters (T = 300, B = 0): mean
/// variance, mean final entropy, verdict counts; failed runs are counted in `errors`.
fn ensemble_means(
    members: &[EnsembleMember],
    solver: Solver,
    params: MrsParams,
    errors: &mut usize,
) -> (f64, f64, VerdictCounts) {
    let (mut v, mut h, mut counts) = (0.0, 0.0, VerdictCounts::default());
    for m in members {
        let run = MrsRun {
            p: &m.p,
            pi0: &m.pi0,
            mu0: &m.mu0,
            params,
            solver,
            rounds: 300,
        };
        match run.simulate() {
            Ok(t) => {
                let met = prefdyn::dynamics::Metrics::of(&t, 0);
                v += met.variance;
                h += met.final_entropy;
                counts.add(met.verdict);
            }
            Err(_) => *errors += 1,
        }
    }
    let n = members.len().max(1) as f64;
    (v / n, h / n, counts)
}

/// Figure 1 with DPO at DPO-scale strengths (RPS, λ = 0.8, T = 300).
fn figure1_dpo_runs() -> Vec<RunSummary> {
    vec![
        preset_variant("fig1a", "RPS α 0.5 β 2", Solver::Dpo, 0.5, 2.0, Some(300)),
        preset_variant("fig1a", "RPS α 0.95 β 2", Solver::Dpo, 0.95, 2.0, Some(300)),
        preset_variant("fig1a", "RPS α 0.5 β 0.6", Solver::Dpo, 0.5, 0.6, Some(300)),
    ]
}

/// Figure 2 with DPO (its SST P, λ = 0.8, T = 30).
fn figure2_dpo_runs() -> Vec<RunSummary> {
    vec![
        preset_variant("fig2a", "SST α 0.5 β 2", Solver::Dpo, 0.5, 2.0, None),
        preset_variant("fig2a", "SST α 0.9 β 2", Solver::Dpo, 0.9, 2.0, None),
        preset_variant("fig2a", "SST α 0.5 β 1", Solver::Dpo, 0.5, 1.0, None),
    ]
}

/// The 16-member K = 5 ensemble of `family` (Figure 3's or 4's), empty if it cannot be
/// built.
fn figure_ensemble(family: Family) -> Vec<EnsembleMember> {
    ensemble_members(
        &Ensemble::Family {
            family,
            k: 5,
            param: 0.5,
            count: 16,
            seed: 1,
        },
        None,
    )
    .unwrap_or_default()
}

/// λ = 0.8, η = 1 at the given α and β.
fn corner_params(alpha: f64, beta: f64) -> MrsParams {
    MrsParams {
        alpha,
        beta,
        lam: 0.8,
        eta: 1.0,
    }
}

/// The cyclic and SST ensembles at a weak and a strong corner, for IPO and for DPO.
fn solver_corners(
    cyc: &[EnsembleMember],
    sst: &[EnsembleMember],
    errors: &mut usize,
) -> Vec<SolverCorners> {
    let mut corners = vec![];
    for (solver, low, high) in [
        (Solver::Ipo, (0.25, 1.0), (1.0, 8.0)),
        (Solver::Dpo, (0.25, 4.0), (1.0, 0.5)),
    ] {
        let (lo, hi) = (corner_params(low.0, low.1), corner_params(high.0, high.1));
        let (cl, _, _) = ensemble_means(cyc, solver, lo, errors);
        let (ch, _, counts) = ensemble_means(cyc, solver, hi, errors);
        let (_, hl, _) = ensemble_means(sst, solver, lo, errors);
        let (_, hh, _) = ensemble_means(sst, solver, hi, errors);
        corners.push(SolverCorners {
            solver,
            low,
            high,
            cyclic_variance_low: cl,
            cyclic_variance_high: ch,
            cyclic_oscillating_high: counts.oscillating,
            cyclic_collapsing_high: counts.collapsed,
            sst_entropy_low: hl,
            sst_entropy_high: hh,
        });
    }
    corners
}

/// Mean variance of the cyclic ensemble at α = 0.25 with DPO at β ∈ {4, 2, 1} and IPO at
/// 4/β.
fn dpo_ipo_scale(cyc: &[EnsembleMember], errors: &mut usize) -> Vec<DpoIpoScale> {
    [4.0, 2.0, 1.0]
        .iter()
        .map(|&b| DpoIpoScale {
            dpo_beta: b,
            dpo_variance: ensemble_means(cyc, Solver::Dpo, corner_params(0.25, b), errors).0,
            ipo_beta: 4.0 / b,
            ipo_variance: ensemble_means(cyc, Solver::Ipo, corner_params(0.25, 4.0 / b), errors).0,
        })
        .collect()
}

/// The strict order and the 3-cycle beating a fourth response, both with deterministic
/// dominance; a case that cannot be built is counted in `errors`.
fn dominance_cases(errors: &mut usize) -> Vec<DominanceCase> {
    [
        (
            "strict order A ≻ B ≻ C ≻ D, all with probability 1",
            4,
            vec![1.0, 1.0, 1.0, 1.0, 1.0, 1.0],
        ),
        (
            "3-cycle {A, B, C} (0.7) beating D with probability 1",
            4,
            vec![0.7, 0.3, 1.0, 0.7, 1.0, 1.0],
        ),
    ]
    .into_iter()
    .filter_map(|(l, k, u)| {
        let c = dominance_case(l, k, u);
        if c.is_none() {
            *errors += 1;
        }
        c
    })
    .collect()
}

/// Whether the claim holds: DPO reproduces Figures 1 and 2 and the corners, scales like
/// IPO at 4/β, and has no finite optimum on deterministic dominance where IPO converges.
fn dpo_holds(f: &DpoFinding) -> bool {
    let fig1_ok = f.figure1_dpo[0].is(Verdict::Converged)
        && f.figure1_dpo[1].is(Verdict::Oscillating)
        && f.figure1_dpo[2].is(Verdict::Oscillating);
    let (h0, h1, h2) = (
        f.figure2_dpo[0].h(),
        f.figure2_dpo[1].h(),
        f.figure2_dpo[2].h(),
    );
    let fig2_ok = h1 < h0 - 0.02 && h2 < h0 - 0.3;
    let corners_ok = f.corners.len() == 2
        && f.corners.iter().all(|c| {
            c.cyclic_variance_high > 100.0 * c.cyclic_variance_low.max(1e-12)
                && c.sst_entropy_high < c.sst_entropy_low - 0.5
        });
    let scale_ok = f
        .scale
        .iter()
        .all(|s| (s.dpo_variance / s.ipo_variance - 1.0).abs() < 0.25);
    let dom_ok = f.dominance.len() == 2
        && f.dominance.iter().all(|d| {
            !d.dpo_finite
                && d.ipo_min_mass > 0.0
                && d.mrs_dpo_error
                    .as_deref()
                    .is_some_and(|e| !e.starts_with("unexpected"))
                && d.mrs_ipo_verdict == Some(Verdict::Converged)
        });
    f.errors == 0 && fig1_ok && fig2_ok && corners_ok && scale_ok && dom_ok
}

/// The one-line summary of the runs.
fn dpo_summary(f: &DpoFinding) -> String {
    let (h0, h1, h2) = (
        f.figure2_dpo[0].h(),
        f.figure2_dpo[1].h(),
        f.figure2_dpo[2].h(),
    );
    let (ci, cd) = (&f.corners[0], &f.corners[1]);
    format!(
        "MRS-DPO (strength 1/β; near uniform DPO at β ≈ IPO at 4/β: cyclic V at α 0.25 {}): {}, {}, {} (Figure 1's presets with DPO: {}, {}, {}); Figure 2's SST P: H(π_T) {h0:.3} → {h1:.3} (α = 0.9), {h2:.3} (β = 1); 16 cyclic / 16 SST 5×5 matrices, weak → strong corner: mean V IPO {:.1e} → {:.1e}, DPO {:.1e} → {:.1e} ({} oscillating, {} collapsed of 16); mean H IPO {:.2} → {:.2}, DPO {:.2} → {:.2}; deterministic dominance: DPO has no finite optimum ({}) and MRS-DPO is refused, while one-shot IPO is interior (min mass {:.1e}) and MRS-IPO converges",
        f.scale
            .iter()
            .map(|s| format!("{:.1e} vs {:.1e}", s.dpo_variance, s.ipo_variance))
            .collect::<Vec<_>>()
            .join(", "),
        f.figure1_dpo[0].short(),
        f.figure1_dpo[1].short(),
        f.figure1_dpo[2].short(),
        f.figure1_presets_dpo[0].short(),
        f.figure1_presets_dpo[1].short(),
        f.figure1_presets_dpo[2].short(),
        ci.cyclic_variance_low,
        ci.cyclic_variance_high,
        cd.cyclic_variance_low,
        cd.cyclic_variance_high,
        cd.cyclic_oscillating_high,
        cd.cyclic_collapsing_high,
        ci.sst_entropy_low,
        ci.sst_entropy_high,
        cd.sst_entropy_low,
        cd.sst_entropy_high,
        f.dominance
            .iter()
            .map(|d| format!("escapes to {:?}", d.dpo_top_component))
            .collect::<Vec<_>>()
            .join(", "),
        f.dominance
            .iter()
            .map(|d| d.ipo_min_mass)
            .fold(f64::INFINITY, f64::min),
    )
}

/// Finding 8.
pub fn dpo_parallels() -> DpoFinding {
    let mut errors = 0;
    // Figure 3's and 4's ensembles at a weak and a strong corner, both solvers.
    let cyc = figure_ensemble(Family::RandomCyclic);
    let sst = figure_ensemble(Family::RandomSst);
    if cyc.len() != 16 || sst.len() != 16 {
        errors += 1;
    }
    let corners = solver_corners(&cyc, &sst, &mut errors);
    let scale = dpo_ipo_scale(&cyc, &mut errors);
    let dominance = dominance_cases(&mut errors);
    let mut f = DpoFinding {
        figure1_presets_dpo: preset_runs(&["fig1a", "fig1b", "fig1c"], Solver::Dpo),
        figure2_presets_dpo: preset_runs(&["fig2a", "fig2b", "fig2c"], Solver::Dpo),
        figure1_dpo: figure1_dpo_runs(),
        figure2_dpo: figure2_dpo_runs(),
        corners,
        scale,
        dominance,
        errors,
        holds: false,
        summary: String::new(),
    };
    f.holds = dpo_holds(&f);
    f.summary = dpo_summary(&f);
    f
}

impl Measured for DpoFinding {
    fn holds(&self) -> bool {
        self.holds
    }
    fn summary(&self) -> &str {
        &self.summary
    }
}
