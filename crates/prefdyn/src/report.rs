//! Everything the page shows for a configuration, computed in one place so that the page
//! (`window.prefdyn.results()`) and the CLI (`prefdyn run`) report the same numbers.

use serde::Serialize;

use crate::config::{Config, MatrixSource, MatrixSourceError, PolicySpec};
use crate::dynamics::DynamicsError;
use crate::dynamics::{Metrics, MrsRun, Trajectory, Verdict};
use crate::finite::{
    DpoEvent, FiniteError, FiniteOutcome, FiniteRun, FiniteSpec, FiniteStepper, FiniteSummary,
};
use crate::phase::{ensemble_members, Ensemble, EnsembleMember, PhaseError, PhaseSpec};
use crate::portrait::Portrait;
use crate::preference::PreferenceMatrix;
use crate::ranking::RankingProperties;
use crate::sampling::{one_shot, OneShot, SamplingStrategy};
use crate::simplex::DistributionError;
use crate::social_choice::Diagnostics;
use crate::stability::Stability;
use crate::text;
use crate::theory::TheoryReport;

/// The matrix and its diagnostics.
#[derive(Debug, Clone, Serialize)]
pub struct MatrixReport {
    pub k: usize,
    pub labels: Vec<String>,
    #[serde(rename = "P")]
    pub p: Vec<Vec<f64>>,
    pub diagnostics: Diagnostics,
    /// Where the matrix comes from when a reader must be told (synthetic ratings).
    pub note: Option<String>,
}

/// One strategy's one-shot optimum and its ranking properties.
#[derive(Debug, Clone, Serialize)]
pub struct OneShotReport {
    pub label: String,
    #[serde(flatten)]
    pub result: OneShot,
    pub properties: RankingProperties,
}

/// The dynamics run: final policy, metrics, theory.
#[derive(Debug, Clone, Serialize)]
pub struct DynamicsReport {
    pub pi0: Vec<f64>,
    pub mu0: Vec<f64>,
    pub final_policy: Vec<f64>,
    #[serde(flatten)]
    pub metrics: Metrics,
    #[serde(flatten)]
    pub stability: Stability,
    /// What ρ predicts: "converges" (ρ < 1), "oscillates" (ρ > 1) or "no anchor" (a = 1).
    pub prediction: String,
    /// The verdict as the page writes it, with what it says about this run
    /// ([`verdict_text`]).
    pub verdict_text: String,
    /// The paper's closed forms that apply to this P (contraction bound, circulant
    /// threshold, concentration ratio).
    pub theory: TheoryReport,
    /// For K = 3: the phase portrait (the map's step on a lattice, the fixed point filled
    /// when ρ < 1, the trajectories from the link's `starts`); `None` for other K.
    pub portrait: Option<Portrait>,
    #[serde(skip)]
    pub trajectory: Trajectory,
}

impl DynamicsReport {
    /// The verdict line as the page writes it, in three parts: `Simulation: `, the verdict
    /// (shown in bold) and `. H(π_T) = … nats (… of log K); V = ….`
    pub fn verdict_line(&self) -> [String; 3] {
        let m = &self.metrics;
        [
            "Simulation: ".to_string(),
            self.verdict_text.clone(),
            format!(
                ". H(π_T) = {} nats ({} of log K); V = {}.",
                text::sig(m.final_entropy),
                text::percent(m.final_entropy_normalised),
                text::sig(m.variance)
            ),
        ]
    }
}

/// The numbers of `window.prefdyn.results()`.
#[derive(Debug, Clone, Serialize)]
pub struct Results {
    pub matrix: MatrixReport,
    pub one_shot: Vec<OneShotReport>,
    /// `None` when the run is impossible; `dynamics_error` then says why.
    pub dynamics: Option<DynamicsReport>,
    /// Why there is no run (e.g. MRS-DPO without a finite optimum).
    pub dynamics_error: Option<String>,
    /// The finite-sample realisations (`N` pairs per round); `None` for the population
    /// dynamics (`N = inf`).
    pub finite: Option<FiniteReport>,
    /// Why there are no realisations (e.g. `R × (T+1) × K` too large).
    pub finite_error: Option<String>,
}

/// One realisation in `results().finite.runs`.
#[derive(Debug, Clone, Serialize)]
pub struct RealisationReport {
    pub index: usize,
    #[serde(flatten)]
    pub metrics: Metrics,
    /// The round at which a DPO event stopped it.
    pub stopped_at: Option<usize>,
}

/// The finite-sample runs of a configuration: N, R and seed, what the realisations did
/// together, the mean path's metrics and each realisation's.
#[derive(Debug, Clone, Serialize)]
pub struct FiniteReport {
    #[serde(flatten)]
    pub spec: FiniteSpec,
    pub summary: FiniteSummary,
    pub mean_path: Metrics,
    pub mean_final_policy: Vec<f64>,
    pub runs: Vec<RealisationReport>,
    pub events: Vec<DpoEvent>,
    /// Trajectories of the realisations and the mean path (for drawing and CSV).
    #[serde(skip)]
    pub outcome: FiniteOutcome,
}

impl FiniteReport {
    pub fn of(spec: FiniteSpec, outcome: FiniteOutcome) -> FiniteReport {
        FiniteReport {
            spec,
            summary: outcome.summary.clone(),
            mean_path: outcome.mean_metrics.clone(),
            mean_final_policy: outcome.mean_path.last().to_vec(),
            runs: outcome
                .realisations
                .iter()
                .map(|r| RealisationReport {
                    index: r.index,
                    metrics: r.metrics.clone(),
                    stopped_at: r.event.as_ref().map(|e| e.round),
                })
                .collect(),
            events: outcome.events().cloned().collect(),
            outcome,
        }
    }
}

/// Why part of a report cannot be computed; its message is what the page and the CLI show.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ReportError {
    #[error("{field}: {source}")]
    Distribution {
        field: &'static str,
        source: DistributionError,
    },
    #[error(transparent)]
    Dynamics(#[from] DynamicsError),
    #[error(transparent)]
    Phase(#[from] PhaseError),
    #[error("finite samples: {0}")]
    Finite(#[from] FiniteError),
}

/// `spec` resolved on K points, or the error naming `field`.
fn distribution(field: &'static str, spec: &PolicySpec, k: usize) -> Result<Vec<f64>, ReportError> {
    spec.resolve(k)
        .map_err(|source| ReportError::Distribution { field, source })
}

/// The strategies compared in the one-shot section, in display order.
pub fn strategies(config: &Config, k: usize) -> Vec<SamplingStrategy> {
    let mut s = vec![
        SamplingStrategy::Uniform,
        SamplingStrategy::Reference,
        SamplingStrategy::OnPolicy,
        SamplingStrategy::MaximalLotteryMix {
            epsilon: config.one_shot.epsilon,
        },
    ];
    if let Ok(mu) = config.one_shot.custom_mu.resolve(k) {
        if config.one_shot.custom_mu != PolicySpec::Uniform {
            s.push(SamplingStrategy::Custom { mu });
        }
    }
    s
}

/// The matrix a configuration names, falling back to the default one (with the reason the
/// named one cannot be built).
pub fn resolve_matrix(config: &Config) -> (PreferenceMatrix, Option<MatrixSourceError>) {
    match config.matrix.matrix() {
        Ok(m) => (m, None),
        Err(e) => {
            let fallback = Config::default().matrix;
            let m = fallback
                .matrix()
                .unwrap_or_else(|_| PreferenceMatrix::from_upper_unchecked(3, |_, _| 0.5));
            (m, Some(e))
        }
    }
}

/// What a reader must be told about a matrix source: the synthetic-ratings families are
/// synthetic by construction.
pub fn matrix_note(source: &MatrixSource) -> Option<&'static str> {
    match source {
        MatrixSource::Generated { family, .. } if family.is_synthetic_ratings() => {
            Some(crate::generators::SYNTHETIC_RATINGS_NOTE)
        }
        _ => None,
    }
}

/// The same for a phase-diagram ensemble.
pub fn ensemble_note(ensemble: &Ensemble) -> Option<&'static str> {
    match ensemble {
        Ensemble::Family { family, .. } if family.is_synthetic_ratings() => {
            Some(crate::generators::SYNTHETIC_RATINGS_NOTE)
        }
        _ => None,
    }
}

/// Dynamics of a configuration on a given matrix: [`dynamics_core`] with the portrait.
pub fn dynamics_report(
    config: &Config,
    p: &PreferenceMatrix,
) -> Result<DynamicsReport, ReportError> {
    let mut d = dynamics_core(config, p)?;
    attach_portrait(config, p, &mut d)?;
    Ok(d)
}

/// The run of a configuration as the first view shows it: its trajectory, metrics and
/// verdict, the fixed point and ρ, the theory; no portrait (see [`attach_portrait`]).
pub fn dynamics_core(config: &Config, p: &PreferenceMatrix) -> Result<DynamicsReport, ReportError> {
    dynamics_core_with(config, p, |r| r.simulate())
}

/// [`dynamics_core`] of an MRS-IPO run only (an MRS-DPO configuration is an error), for a
/// module that carries no DPO solver.
pub fn dynamics_core_ipo(
    config: &Config,
    p: &PreferenceMatrix,
) -> Result<DynamicsReport, ReportError> {
    dynamics_core_with(config, p, |r| r.simulate_ipo())
}

fn dynamics_core_with(
    config: &Config,
    p: &PreferenceMatrix,
    simulate: impl Fn(&MrsRun) -> Result<Trajectory, DynamicsError>,
) -> Result<DynamicsReport, ReportError> {
    let k = p.k();
    let d = &config.dynamics;
    let pi0 = distribution("pi0", &d.pi0, k)?;
    let mu0 = distribution("mu0", &d.mu0, k)?;
    let run = MrsRun {
        p,
        pi0: &pi0,
        mu0: &mu0,
        params: d.params,
        solver: d.solver,
        rounds: d.rounds,
    };
    let trajectory = simulate(&run)?;
    let stability = run.stability()?;
    let metrics = Metrics::of(&trajectory, d.burn_in);
    let theory = TheoryReport::of(p, &pi0, &mu0, &d.params);
    let prediction = match stability.rho {
        None => "no anchor (a = 1): nothing pulls the policy back".into(),
        Some(r) if r < 1.0 => "converges (ρ < 1)".into(),
        Some(_) => "oscillates (ρ > 1)".into(),
    };
    let verdict_text = verdict_text(&metrics, p.labels());
    Ok(DynamicsReport {
        verdict_text,
        final_policy: trajectory.last().to_vec(),
        pi0,
        mu0,
        metrics,
        stability,
        prediction,
        theory,
        portrait: None,
        trajectory,
    })
}

/// Adds the K = 3 phase portrait to a run of `config` (nothing for other K).
pub fn attach_portrait(
    config: &Config,
    p: &PreferenceMatrix,
    d: &mut DynamicsReport,
) -> Result<(), ReportError> {
    if p.k() != 3 {
        d.portrait = None;
        return Ok(());
    }
    let c = &config.dynamics;
    let run = MrsRun {
        p,
        pi0: &d.pi0,
        mu0: &d.mu0,
        params: c.params,
        solver: c.solver,
        rounds: c.rounds,
    };
    d.portrait = Some(Portrait::of(&run, &c.starts, d.stability.rho)?);
    Ok(())
}

/// P, its labels and its social-choice diagnostics, and where it comes from.
pub fn matrix_report(config: &Config, p: &PreferenceMatrix) -> MatrixReport {
    MatrixReport {
        k: p.k(),
        labels: p.labels().to_vec(),
        p: p.to_rows(),
        diagnostics: Diagnostics::of(p),
        note: matrix_note(&config.matrix).map(String::from),
    }
}

/// The realisations of a configuration's finite-sample run, ready to be stepped (`None`
/// for the population dynamics, `N = inf`).
pub fn finite_stepper(
    config: &Config,
    p: &PreferenceMatrix,
) -> Option<Result<FiniteStepper, ReportError>> {
    let spec = config.dynamics.sampling.spec()?;
    let d = &config.dynamics;
    let k = p.k();
    Some((|| {
        let pi0 = distribution("pi0", &d.pi0, k)?;
        let mu0 = distribution("mu0", &d.mu0, k)?;
        let run = FiniteRun {
            p,
            pi0: &pi0,
            mu0: &mu0,
            params: d.params,
            solver: d.solver,
            rounds: d.rounds,
            burn_in: d.burn_in,
            spec,
        };
        Ok(run.stepper()?)
    })())
}

/// All realisations of a configuration's finite-sample run (`None` for `N = inf`).
pub fn finite_report(
    config: &Config,
    p: &PreferenceMatrix,
) -> Option<Result<FiniteReport, ReportError>> {
    let stepper = finite_stepper(config, p)?;
    Some(stepper.map(|s| FiniteReport::of(*s.spec(), s.finish())))
}

/// `results().finite` and `finite_error`.
pub fn finite_fields(
    config: &Config,
    p: &PreferenceMatrix,
) -> (Option<FiniteReport>, Option<String>) {
    match finite_report(config, p) {
        None => (None, None),
        Some(Ok(f)) => (Some(f), None),
        Some(Err(e)) => (None, Some(e.to_string())),
    }
}

/// The name of response `i` (`#i` past the labels).
fn label(labels: &[String], i: usize) -> String {
    labels.get(i).cloned().unwrap_or_else(|| format!("#{i}"))
}

/// The verdict as the page and the CLI write it: the word with what it means for this run
/// ("collapsed onto A"; "converging: the step shrinks by a factor 0.93 per round, about 40
/// more rounds to 10⁻⁶") and, but after "collapsed", "concentrated on A (93 %)".
pub fn verdict_text(m: &Metrics, labels: &[String]) -> String {
    let mut s = match m.verdict {
        Verdict::Collapsed => format!("collapsed onto {}", label(labels, m.top)),
        Verdict::Converging => {
            let mut s = "converging".to_string();
            if let Some(r) = m.step_ratio {
                s.push_str(&format!(
                    ": the step shrinks by a factor {} per round",
                    text::sig(r)
                ));
            }
            if let Some(n) = m.rounds_to_converge {
                let n = n as u64;
                s.push_str(&format!(
                    ", about {} more {} to reach 10⁻⁶",
                    text::grouped(n),
                    if n == 1 { "round" } else { "rounds" }
                ));
            }
            s
        }
        v => v.label().to_string(),
    };
    if let Some((i, share)) = m.concentrated() {
        s.push_str(&format!(
            "; concentrated on {} ({})",
            label(labels, i),
            text::percent(share)
        ));
    }
    s
}

/// What to try next, written from the run: which way ρ moves the run across 1 (with the
/// circulant onset α* where it applies), or how to concentrate a strongly transitive P.
pub fn next_step_hint(d: &DynamicsReport, labels: &[String]) -> String {
    let sig = text::sig;
    let t = &d.theory;
    if let Some(tr) = &t.transitive {
        let top = tr
            .top
            .iter()
            .map(|&i| label(labels, i))
            .collect::<Vec<_>>()
            .join(", ");
        return format!(
            "P is strongly transitive, so there is no cycle: raising α or βλ (the ratio βλ/(1−α) = {}) concentrates the policy on {top}, and at α = 1 it collapses onto it.",
            sig(tr.concentration_ratio)
        );
    }
    let onset = t
        .circulant
        .as_ref()
        .map(|c| c.onset_alpha)
        .filter(|a| *a > 0.0 && *a < 1.0)
        .map(|a| format!(" For this P at this β and λ the closed form puts the onset of oscillation at α* = {}.", sig(a)))
        .unwrap_or_default();
    match d.stability.rho {
        Some(r) if r > 1.0 => format!(
            "This run oscillates because ρ = {} > 1. Lowering α or βλ lowers ρ, and once α + (βλ/2)‖P − ½11ᵀ‖₂ < 1 every start settles.{onset}",
            sig(r)
        ),
        Some(r) => format!(
            "This run settles because ρ = {} < 1. Raising α or βλ raises ρ, and if it passes 1 the run oscillates.{onset}",
            sig(r)
        ),
        None => "With α = 1 and η = 1 nothing anchors the policy to π₀: lower α below 1 to give it a fixed point.".into(),
    }
}

/// The theory beside a run, one short sentence per result that applies: ρ at the fixed
/// point, the contraction bound, the circulant (3-cycle) closed form, the concentration
/// ratio. Every symbol is the paper's or defined where it appears; 3 significant digits.
pub fn theory_sentences(d: &DynamicsReport, labels: &[String]) -> Vec<String> {
    let sig = text::sig;
    let mut out = vec![match d.stability.rho {
        Some(rho) if rho < 1.0 => format!(
            "ρ = {} < 1 at the fixed point π*: the theory says the run settles.",
            sig(rho)
        ),
        Some(rho) => format!(
            "ρ = {} > 1 at the fixed point π*: the theory says the run oscillates.",
            sig(rho)
        ),
        None => {
            "α = 1 and η = 1: nothing anchors the policy to π₀, so there is no fixed point.".into()
        }
    }];
    let t = &d.theory;
    out.push(format!(
        "Contraction bound α + (βλ/2)‖P − ½11ᵀ‖₂ = {}{}",
        sig(t.contraction),
        if t.contraction_certain {
            " < 1: every start converges to the one fixed point."
        } else {
            " ≥ 1: no global guarantee (ρ decides locally)."
        }
    ));
    if let Some(c) = &t.circulant {
        let caveat = if c.uniform_fixed_point {
            ""
        } else {
            " (exact for uniform π₀ and μ₀; with this π₀, trust ρ above)"
        };
        match &c.three_cycle {
            Some(tc) => out.push(format!(
                "3-cycle threshold α² + s²β²λ²/3 = {} {} 1 (s = {}: each response beats the next with probability ½ + s): the uniform fixed point is {}{caveat}.",
                sig(tc.value),
                if tc.value > 1.0 { ">" } else { "≤" },
                sig(tc.s),
                if tc.value > 1.0 { "unstable" } else { "stable" },
            )),
            None => out.push(format!(
                "Circulant P: at the uniform fixed point ρ = √(a² + (κλω)²) = {} (a = 1 − η(1−α), κ = ηβ, ω = ρ(P − ½11ᵀ)/K = {}); oscillation starts at α* = √(1 − (βλω)²) = {}{caveat}.",
                sig(c.rho_uniform), sig(c.omega), sig(c.onset_alpha)
            )),
        }
    }
    if let Some(tr) = &t.transitive {
        let top = tr
            .top
            .iter()
            .map(|&i| label(labels, i))
            .collect::<Vec<_>>()
            .join(", ");
        out.push(if tr.collapses_to_top {
            format!("Strongly transitive P with α = 1: the entropy falls to 0 and the policy collapses onto {top}.")
        } else {
            format!(
                "Strongly transitive P: concentration on {top} grows with βλ/(1−α) = {}; at α = 1 the policy collapses onto it.",
                sig(tr.concentration_ratio)
            )
        });
    }
    out
}

/// One-shot optima under every strategy.
pub fn one_shot_reports(config: &Config, p: &PreferenceMatrix) -> Vec<OneShotReport> {
    let k = p.k();
    let o = &config.one_shot;
    let pi_ref = o
        .reference
        .resolve(k)
        .unwrap_or_else(|_| crate::simplex::uniform(k));
    strategies(config, k)
        .into_iter()
        .filter_map(|s| {
            let r = one_shot(p, &pi_ref, o.beta, &s, o.solver).ok()?;
            Some(OneShotReport {
                label: s.label(),
                properties: RankingProperties::of(p, &r.policy),
                result: r,
            })
        })
        .collect()
}

impl Results {
    pub fn compute(config: &Config) -> Results {
        let (p, _) = resolve_matrix(config);
        Results::compute_on(config, &p)
    }

    pub fn compute_on(config: &Config, p: &PreferenceMatrix) -> Results {
        let (finite, finite_error) = finite_fields(config, p);
        Results {
            finite,
            finite_error,
            ..Results::population_on(config, p)
        }
    }

    /// Everything but the finite-sample realisations (which a page computes in slices).
    pub fn population_on(config: &Config, p: &PreferenceMatrix) -> Results {
        let (dynamics, dynamics_error) = match dynamics_report(config, p) {
            Ok(d) => (Some(d), None),
            Err(e) => (None, Some(e.to_string())),
        };
        Results {
            matrix: matrix_report(config, p),
            one_shot: one_shot_reports(config, p),
            dynamics,
            dynamics_error,
            finite: None,
            finite_error: None,
        }
    }
}

/// One run of a comparison as a link of its own gives it: `results().compare[i]` and the
/// CLI's runs (index 0 is the base).
#[derive(Debug, Clone, Serialize)]
pub struct RunReport {
    /// The run's own canonical query (its link).
    pub query: String,
    /// "base", or what the variant changes ("α = 0.95").
    pub title: String,
    pub matrix: MatrixReport,
    pub dynamics: Option<DynamicsReport>,
    pub dynamics_error: Option<String>,
    pub finite: Option<FiniteReport>,
    pub finite_error: Option<String>,
}

impl RunReport {
    /// Run `i` of `compared` (its [`Config::runs`] entry `run`), with its matrix: the
    /// dynamics with the portrait and every realisation, as [`Results::compute`] gives them.
    pub fn compute(compared: &Config, i: usize, run: &Config) -> (RunReport, PreferenceMatrix) {
        let (p, _) = resolve_matrix(run);
        let (dynamics, dynamics_error) = match dynamics_report(run, &p) {
            Ok(d) => (Some(d), None),
            Err(e) => (None, Some(e.to_string())),
        };
        let (finite, finite_error) = finite_fields(run, &p);
        let report = RunReport {
            query: crate::config::to_query(run),
            title: compared.run_title(i),
            matrix: matrix_report(run, &p),
            dynamics,
            dynamics_error,
            finite,
            finite_error,
        };
        (report, p)
    }

    /// Every run of `config` (one for a link without variants).
    pub fn all(config: &Config) -> Vec<RunReport> {
        let runs = config.runs();
        runs.iter()
            .enumerate()
            .map(|(i, r)| RunReport::compute(config, i, r).0)
            .collect()
    }
}

/// CSV of the runs of a comparison, one row per value: `run,query,t,series,value`, where
/// the series are the columns of [`trajectory_csv`] (`pi(A)`, …, `entropy`, `mean pi(A)`).
pub fn comparison_csv(runs: &[RunReport]) -> String {
    use std::fmt::Write as _;
    let mut s = String::from("run,query,t,series,value\n");
    let quote = |t: &str| format!("\"{}\"", t.replace('"', "\"\""));
    for (n, r) in runs.iter().enumerate() {
        let (Some(d), m) = (&r.dynamics, &r.matrix) else {
            continue;
        };
        let tr = &d.trajectory;
        let q = quote(&r.query);
        let mean = r.finite.as_ref().map(|f| &f.outcome.mean_path);
        for t in 0..=tr.rounds() {
            let pi = tr.policy(t);
            for (l, v) in m.labels.iter().zip(pi) {
                let _ = writeln!(s, "{},{q},{t},{},{v}", n + 1, quote(&format!("pi({l})")));
            }
            let h = crate::simplex::entropy(pi);
            let _ = writeln!(s, "{},{q},{t},entropy,{h}", n + 1);
            if let Some(row) = mean.and_then(|m| m.policies.chunks_exact(m.k).nth(t)) {
                for (l, v) in m.labels.iter().zip(row) {
                    let series = quote(&format!("mean pi({l})"));
                    let _ = writeln!(s, "{},{q},{t},{series},{v}", n + 1);
                }
            }
        }
    }
    s
}

/// The phase diagram a configuration describes: its spec (the dynamics parameters are the
/// base that the axes override) and its ensemble members.
pub fn phase_setup(
    config: &Config,
    p: &PreferenceMatrix,
) -> Result<(PhaseSpec, Vec<EnsembleMember>), ReportError> {
    let ph = &config.phase;
    let spec = PhaseSpec {
        x: ph.x,
        y: ph.y,
        metric: ph.metric,
        base: config.dynamics.params,
        rounds: ph.rounds,
        burn_in: ph.burn_in,
        sampling: ph.sampling.spec(),
    };
    let k = p.k();
    let pi0 = distribution("pi0", &config.dynamics.pi0, k)?;
    let mu0 = distribution("mu0", &config.dynamics.mu0, k)?;
    let members = ensemble_members(&ph.ensemble, Some((p, &pi0, &mu0)))?;
    Ok((spec, members))
}

/// CSV of a trajectory: `t,"pi(label)"…,entropy`, one row per round (full precision); with
/// finite samples also the realisations' mean path, `"mean pi(label)"…`.
pub fn trajectory_csv(results: &Results) -> String {
    use std::fmt::Write as _;
    let mut s = String::new();
    let column = |prefix: &str, l: &String| format!("\"{prefix}({})\"", l.replace('"', "\"\""));
    let labels = &results.matrix.labels;
    let mut head: Vec<String> = labels.iter().map(|l| column("pi", l)).collect();
    head.push("entropy".into());
    let mean = results.finite.as_ref().map(|f| &f.outcome.mean_path);
    if mean.is_some() {
        head.extend(labels.iter().map(|l| column("mean pi", l)));
    }
    let _ = writeln!(s, "t,{}", head.join(","));
    if let Some(d) = &results.dynamics {
        let tr = &d.trajectory;
        for t in 0..=tr.rounds() {
            let mut row: Vec<String> = tr.policy(t).iter().map(|v| v.to_string()).collect();
            row.push(crate::simplex::entropy(tr.policy(t)).to_string());
            if let Some(m) = mean {
                let at = m.policies.chunks_exact(m.k).nth(t);
                row.extend((0..m.k).map(|i| at.map(|r| r[i].to_string()).unwrap_or_default()));
            }
            let _ = writeln!(s, "{t},{}", row.join(","));
        }
    }
    s
}

/// CSV of a phase grid: `x_axis,y_axis,mean,sd,rho` per cell (row-major from the lowest y).
pub fn phase_csv(config: &Config, grid: &crate::phase::PhaseGrid, rho: Option<&[f64]>) -> String {
    use std::fmt::Write as _;
    let mut s = String::new();
    let _ = writeln!(
        s,
        "{},{},mean,sd,rho",
        config.phase.x.axis.key(),
        config.phase.y.axis.key()
    );
    for iy in 0..grid.ny {
        for ix in 0..grid.nx {
            let i = iy * grid.nx + ix;
            let r = rho.and_then(|r| r.get(i)).copied().unwrap_or(f64::NAN);
            let _ = writeln!(
                s,
                "{},{},{},{},{}",
                grid.x_values[ix], grid.y_values[iy], grid.mean[i], grid.sd[i], r
            );
        }
    }
    s
}
