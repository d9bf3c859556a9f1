//! Checks the engine against test vectors in the format of `reference.json`
//! (sections `ipo`, `dpo`, `dynamics`, `ranking`; see its `conventions`).

#![allow(non_snake_case)]
use serde::Deserialize;
use serde_json::Value;

use prefdyn::dpo::{dpo_solve, DpoOutcome};
use prefdyn::dynamics::{time_averaged_variance, MrsParams, MrsRun, Solver, Trajectory};
use prefdyn::ipo::ipo_policy;
use prefdyn::preference::PreferenceMatrix;
use prefdyn::simplex::entropy;
use prefdyn::social_choice::{
    borda, condorcet_winner, copeland, is_sst, lottery_guarantee, maximal_lottery, smith_set,
};

/// Tolerance for closed forms and exact combinatorics.
pub const TOL_EXACT: f64 = 1e-9;
/// Tolerance where a Newton solve or a long trajectory is involved.
pub const TOL_ITERATIVE: f64 = 1e-6;

/// One section's outcome: number of cases, largest error, tolerance and failures.
#[derive(Debug, Clone, PartialEq)]
pub struct SectionReport {
    pub section: String,
    pub cases: usize,
    pub max_error: f64,
    pub tolerance: f64,
    pub failures: Vec<String>,
    /// Cases where the game has several maximal lotteries and both the expected and the
    /// computed one are optimal (guarantee ≥ −1e-9) but differ.
    pub ties: usize,
}

impl SectionReport {
    fn new(section: &str, tolerance: f64) -> Self {
        Self {
            section: section.into(),
            cases: 0,
            max_error: 0.0,
            tolerance,
            failures: vec![],
            ties: 0,
        }
    }
    fn record(&mut self, case: usize, what: &str, err: f64, tol: f64) {
        let err = if err.is_nan() { f64::INFINITY } else { err };
        self.max_error = self.max_error.max(err);
        if err > tol {
            self.failures.push(format!(
                "case {case}: {what} off by {err:.3e} (tolerance {tol:.0e})"
            ));
        }
    }
    fn fail(&mut self, case: usize, msg: String) {
        self.max_error = f64::INFINITY;
        self.failures.push(format!("case {case}: {msg}"));
    }
    pub fn passed(&self) -> bool {
        self.failures.is_empty()
    }
}

fn max_abs_diff(a: &[f64], b: &[f64]) -> f64 {
    if a.len() != b.len() {
        return f64::INFINITY;
    }
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f64::max)
}

#[derive(Deserialize)]
struct IpoCase {
    #[serde(rename = "P")]
    p: Vec<Vec<f64>>,
    mu: Vec<f64>,
    pi_ref: Vec<f64>,
    beta: f64,
    pi_star: Vec<f64>,
}

#[derive(Deserialize)]
struct DpoCase {
    #[serde(rename = "P")]
    p: Vec<Vec<f64>>,
    mu: Vec<f64>,
    finite_optimum: bool,
    z_star: Option<Vec<f64>>,
    #[serde(default)]
    top_component: Option<Vec<usize>>,
}

#[derive(Deserialize)]
struct DynamicsCase {
    solver: Solver,
    #[serde(rename = "P")]
    p: Vec<Vec<f64>>,
    pi0: Vec<f64>,
    mu0: Vec<f64>,
    alpha: f64,
    beta: f64,
    lam: f64,
    eta: f64,
    #[serde(rename = "T")]
    t: usize,
    first_policies: Vec<Vec<f64>>,
    pi_T: Vec<f64>,
    #[serde(rename = "V_all")]
    v_all: f64,
    #[serde(rename = "V_late", default)]
    v_late: Option<f64>,
    entropy_T: f64,
    #[serde(default)]
    fixed_point: Option<Vec<f64>>,
    #[serde(default)]
    rho: Option<f64>,
}

#[derive(Deserialize)]
struct RankingCase {
    #[serde(rename = "P")]
    p: Vec<Vec<f64>>,
    condorcet_winner: Option<usize>,
    smith_set: Vec<usize>,
    maximal_lottery: Vec<f64>,
    borda: Vec<f64>,
    copeland: Vec<f64>,
    sst: bool,
}

fn cases<T: for<'de> Deserialize<'de>>(
    doc: &Value,
    name: &str,
    report: &mut SectionReport,
) -> Vec<(usize, T)> {
    let Some(arr) = doc.get(name).and_then(Value::as_array) else {
        return vec![];
    };
    let mut out = vec![];
    for (i, v) in arr.iter().enumerate() {
        match T::deserialize(v) {
            Ok(c) => out.push((i, c)),
            Err(e) => report.fail(i, format!("cannot read case: {e}")),
        }
        report.cases += 1;
    }
    out
}

fn matrix(rows: &[Vec<f64>], case: usize, report: &mut SectionReport) -> Option<PreferenceMatrix> {
    match PreferenceMatrix::from_rows(rows) {
        Ok(m) => Some(m),
        Err(e) => {
            report.fail(case, format!("invalid P: {e}"));
            None
        }
    }
}

/// The `ipo` section: one-shot IPO's optimum against `pi_star`.
fn check_ipo(doc: &Value) -> SectionReport {
    let mut r = SectionReport::new("ipo", TOL_EXACT);
    for (i, c) in cases::<IpoCase>(doc, "ipo", &mut r) {
        let Some(p) = matrix(&c.p, i, &mut r) else {
            continue;
        };
        let pi = ipo_policy(&p, &c.mu, &c.pi_ref, c.beta);
        r.record(i, "pi_star", max_abs_diff(&pi, &c.pi_star), TOL_EXACT);
    }
    r
}

/// The `dpo` section: whether DPO has a finite optimum, and `z_star` or the top component.
fn check_dpo(doc: &Value) -> SectionReport {
    let mut r = SectionReport::new("dpo", TOL_ITERATIVE);
    for (i, c) in cases::<DpoCase>(doc, "dpo", &mut r) {
        let Some(p) = matrix(&c.p, i, &mut r) else {
            continue;
        };
        match (dpo_solve(&p, &c.mu, None), c.finite_optimum) {
            (DpoOutcome::Finite { z, .. }, true) => match &c.z_star {
                Some(zs) => r.record(i, "z_star", max_abs_diff(&z, zs), TOL_ITERATIVE),
                None => r.fail(i, "finite optimum without z_star".into()),
            },
            (DpoOutcome::NoFiniteOptimum { top_component, .. }, false) => {
                if let Some(expected) = &c.top_component {
                    if &top_component != expected {
                        r.fail(
                            i,
                            format!("top component {top_component:?}, expected {expected:?}"),
                        );
                    }
                }
            }
            (got, _) => r.fail(
                i,
                format!(
                    "existence of a finite optimum: expected {}, got {got:?}",
                    c.finite_optimum
                ),
            ),
        }
    }
    r
}

/// The `dynamics` section: the trajectory's first policies, π_T, the variances and the
/// final entropy, then the fixed point and ρ where the case gives them.
fn check_dynamics(doc: &Value) -> SectionReport {
    let mut r = SectionReport::new("dynamics", TOL_ITERATIVE);
    for (i, c) in cases::<DynamicsCase>(doc, "dynamics", &mut r) {
        let Some(p) = matrix(&c.p, i, &mut r) else {
            continue;
        };
        let run = MrsRun {
            p: &p,
            pi0: &c.pi0,
            mu0: &c.mu0,
            params: MrsParams {
                alpha: c.alpha,
                beta: c.beta,
                lam: c.lam,
                eta: c.eta,
            },
            solver: c.solver,
            rounds: c.t,
        };
        let traj = match run.simulate() {
            Ok(t) => t,
            Err(e) => {
                r.fail(i, e.to_string());
                continue;
            }
        };
        check_trajectory(&mut r, i, &c, &traj);
        if c.fixed_point.is_some() || c.rho.is_some() {
            check_stability(&mut r, i, &c, &run);
        }
    }
    r
}

/// One dynamics case's trajectory against its expected policies, variances and entropy.
fn check_trajectory(r: &mut SectionReport, i: usize, c: &DynamicsCase, traj: &Trajectory) {
    for (t, expected) in c.first_policies.iter().enumerate() {
        if t <= traj.rounds() {
            r.record(
                i,
                &format!("pi_{t}"),
                max_abs_diff(traj.policy(t), expected),
                TOL_ITERATIVE,
            );
        }
    }
    r.record(i, "pi_T", max_abs_diff(traj.last(), &c.pi_T), TOL_ITERATIVE);
    let v = time_averaged_variance(&traj.policies, traj.k, 0);
    r.record(i, "V_all", (v - c.v_all).abs(), TOL_ITERATIVE);
    if let Some(vl) = c.v_late {
        let v = time_averaged_variance(&traj.policies, traj.k, c.t / 2);
        r.record(i, "V_late", (v - vl).abs(), TOL_ITERATIVE);
    }
    r.record(
        i,
        "entropy_T",
        (entropy(traj.last()) - c.entropy_T).abs(),
        TOL_ITERATIVE,
    );
}

/// One dynamics case's fixed point and ρ against the expected ones.
fn check_stability(r: &mut SectionReport, i: usize, c: &DynamicsCase, run: &MrsRun) {
    match run.stability() {
        Ok(s) => {
            if let (Some(fp), Some(got)) = (&c.fixed_point, &s.fixed_point) {
                r.record(i, "fixed_point", max_abs_diff(got, fp), TOL_ITERATIVE);
            } else if c.fixed_point.is_some() {
                r.fail(i, "no fixed point computed".into());
            }
            if let (Some(rho), Some(got)) = (c.rho, s.rho) {
                r.record(i, "rho", (got - rho).abs(), TOL_ITERATIVE);
            } else if c.rho.is_some() {
                r.fail(i, "no rho computed".into());
            }
        }
        Err(e) => r.fail(i, e.to_string()),
    }
}

/// The `ranking` section: Condorcet winner, Smith set, SST, Borda and Copeland scores and
/// the maximal lottery.
fn check_ranking(doc: &Value) -> SectionReport {
    let mut r = SectionReport::new("ranking", TOL_EXACT);
    for (i, c) in cases::<RankingCase>(doc, "ranking", &mut r) {
        let Some(p) = matrix(&c.p, i, &mut r) else {
            continue;
        };
        if condorcet_winner(&p) != c.condorcet_winner {
            r.fail(
                i,
                format!(
                    "Condorcet winner {:?}, expected {:?}",
                    condorcet_winner(&p),
                    c.condorcet_winner
                ),
            );
        }
        if smith_set(&p) != c.smith_set {
            r.fail(
                i,
                format!("Smith set {:?}, expected {:?}", smith_set(&p), c.smith_set),
            );
        }
        if is_sst(&p) != c.sst {
            r.fail(i, format!("SST {}, expected {}", is_sst(&p), c.sst));
        }
        r.record(i, "borda", max_abs_diff(&borda(&p), &c.borda), TOL_EXACT);
        r.record(
            i,
            "copeland",
            max_abs_diff(&copeland(&p), &c.copeland),
            TOL_EXACT,
        );
        check_maximal_lottery(&mut r, i, &p, &c.maximal_lottery);
    }
    r
}

/// One ranking case's maximal lottery against the expected one; with exact ties in P the
/// maximal lotteries form a polytope and any LP solver returns one of its vertices, so a
/// different but optimal lottery counts as a tie.
fn check_maximal_lottery(r: &mut SectionReport, i: usize, p: &PreferenceMatrix, expected: &[f64]) {
    match maximal_lottery(p) {
        Ok(ml) => {
            let diff = max_abs_diff(&ml, expected);
            let both_optimal = lottery_guarantee(p, &ml) >= -TOL_EXACT
                && lottery_guarantee(p, expected) >= -TOL_EXACT;
            if diff > TOL_EXACT && both_optimal {
                r.ties += 1;
            } else {
                r.record(i, "maximal_lottery", diff, TOL_EXACT);
            }
        }
        Err(e) => r.fail(i, e.to_string()),
    }
}

/// Checks every case of a document in the format of `reference.json`.
pub fn check_document(doc: &Value) -> Vec<SectionReport> {
    vec![
        check_ipo(doc),
        check_dpo(doc),
        check_dynamics(doc),
        check_ranking(doc),
    ]
}
