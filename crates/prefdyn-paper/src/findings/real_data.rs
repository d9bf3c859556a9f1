//! Finding 9: the shipped real preference matrices: one-shot ranking properties and the
//! MRS-IPO verdicts at the Figure 1 and 2 presets' parameters.

use prefdyn::config::{MatrixSource, PolicySpec};
use prefdyn::dynamics::Verdict;
use prefdyn::presets::{preset, preset_keys};
use prefdyn::report::Results;
use prefdyn::{Diagnostics, PreferenceMatrix};
use serde::Serialize;

use super::helpers::{preset_config, RunSummary, VerdictCounts};
use super::Measured;

/// One strategy's one-shot properties on a real matrix.
#[derive(Debug, Clone, Serialize)]
pub struct OneShotRow {
    pub strategy: String,
    pub top: String,
    pub condorcet_consistent: Option<bool>,
    pub top_in_smith: bool,
    pub smith_on_top: bool,
    pub entropy: f64,
}

/// One real matrix.
#[derive(Debug, Clone, Serialize)]
pub struct RealMatrix {
    pub name: String,
    pub k: usize,
    pub condorcet_winner: Option<String>,
    pub borda_winner: Option<String>,
    pub smith_set: Vec<String>,
    pub three_cycles: usize,
    pub sst: bool,
    /// Uniform, reference, on-policy and ML mix at β = 2 (the page's defaults).
    pub one_shot: Vec<OneShotRow>,
    /// MRS-IPO at each Figure 1 / Figure 2 preset's parameters.
    pub dynamics: Vec<RunSummary>,
}

/// Finding 9: the shipped real-data matrices.
#[derive(Debug, Clone, Serialize)]
pub struct RealDataFinding {
    pub matrices: Vec<RealMatrix>,
    pub with_condorcet_winner: usize,
    pub uniform_condorcet_consistent: usize,
    pub ml_condorcet_consistent: usize,
    pub ml_top_in_smith: usize,
    pub uniform_top_in_smith: usize,
    pub runs: usize,
    pub verdicts: VerdictCounts,
    /// Runs with `|ρ − 1| ≥ 0.01` whose verdict is converged (ρ < 1) or oscillating (ρ > 1).
    pub verdict_matches_rho: usize,
    pub counted: usize,
    /// Runs whose verdict contradicts ρ (oscillating with ρ < 1, converged with ρ > 1).
    pub contradictions: usize,
    pub max_rho: f64,
    /// Matrices (of 2 comparisons each: Figure 1 c vs a, Figure 2 c vs a) where the larger
    /// βλ gives the lower final entropy, and the same for the larger α (b vs a).
    pub beta_lambda_lowers_entropy: usize,
    pub alpha_lowers_entropy: usize,
    pub comparisons: usize,
    pub errors: usize,
    pub holds: bool,
    pub summary: String,
}

/// The presets whose dynamics parameters are run on every matrix.
const DYN: [&str; 6] = ["fig1a", "fig1b", "fig1c", "fig2a", "fig2b", "fig2c"];

/// The finding with every count at zero.
fn empty_finding() -> RealDataFinding {
    RealDataFinding {
        matrices: vec![],
        with_condorcet_winner: 0,
        uniform_condorcet_consistent: 0,
        ml_condorcet_consistent: 0,
        ml_top_in_smith: 0,
        uniform_top_in_smith: 0,
        runs: 0,
        verdicts: VerdictCounts::default(),
        verdict_matches_rho: 0,
        counted: 0,
        contradictions: 0,
        max_rho: f64::NAN,
        beta_lambda_lowers_entropy: 0,
        alpha_lowers_entropy: 0,
        comparisons: 0,
        errors: 0,
        holds: false,
        summary: String::new(),
    }
}

/// The one-shot rows of a computed result, tops named by `lab`.
fn one_shot_rows(r: &Results, lab: impl Fn(usize) -> String) -> Vec<OneShotRow> {
    r.one_shot
        .iter()
        .map(|o| OneShotRow {
            strategy: o.label.clone(),
            top: lab(o.properties.top),
            condorcet_consistent: o.properties.condorcet_consistent,
            top_in_smith: o.properties.top_in_smith,
            smith_on_top: o.properties.smith_on_top,
            entropy: o.properties.entropy,
        })
        .collect()
}

/// Counts one run's verdict against its ρ (an error when it has neither).
fn record_run(f: &mut RealDataFinding, s: &RunSummary) {
    let (Some(v), Some(rho)) = (s.verdict, s.rho) else {
        f.errors += 1;
        return;
    };
    f.runs += 1;
    f.verdicts.add(v);
    f.max_rho = if f.max_rho.is_nan() {
        rho
    } else {
        f.max_rho.max(rho)
    };
    let settles = matches!(v, Verdict::Converged | Verdict::Converging);
    f.contradictions +=
        usize::from((rho < 1.0 && v == Verdict::Oscillating) || (rho > 1.0 && settles));
    if (rho - 1.0).abs() >= 0.01 {
        f.counted += 1;
        let ok = (rho < 1.0 && settles) || (rho > 1.0 && v == Verdict::Oscillating);
        f.verdict_matches_rho += usize::from(ok);
    }
}

/// MRS-IPO on the preset matrix `name` at each of [`DYN`]'s parameters (π₀ uniform), each
/// run counted; with the matrix's diagnostics and one-shot rows from the first result.
fn run_dynamics(
    f: &mut RealDataFinding,
    name: &str,
    p: &PreferenceMatrix,
    lab: impl Fn(usize) -> String,
) -> (Vec<RunSummary>, Option<(Diagnostics, Vec<OneShotRow>)>) {
    let mut dynamics = vec![];
    let mut first = None;
    for id in DYN {
        let Some(mut c) = preset_config(id) else {
            f.errors += 1;
            continue;
        };
        c.matrix = MatrixSource::Preset {
            name: name.to_string(),
        };
        // Real data has no cyclic symmetry to break: start at the uniform reference.
        c.dynamics.pi0 = PolicySpec::Uniform;
        let r = Results::compute_on(&c, p);
        if first.is_none() {
            first = Some((r.matrix.diagnostics.clone(), one_shot_rows(&r, &lab)));
        }
        let s = RunSummary::of_results(id, &c, &r);
        record_run(f, &s);
        dynamics.push(s);
    }
    (dynamics, first)
}

/// Counts, on one matrix's runs, where the larger βλ (c vs a) and the larger α (b vs a)
/// lower the final entropy, for Figure 1's and Figure 2's parameters.
fn record_entropy_comparisons(f: &mut RealDataFinding, dynamics: &[RunSummary]) {
    if dynamics.len() == DYN.len() {
        let h: Vec<f64> = dynamics.iter().map(|r| r.h()).collect();
        f.comparisons += 2;
        f.beta_lambda_lowers_entropy += usize::from(h[2] < h[0]) + usize::from(h[5] < h[3]);
        f.alpha_lowers_entropy += usize::from(h[1] < h[0]) + usize::from(h[4] < h[3]);
    }
}

/// Counts the uniform and ML-mix one-shot policies that are Condorcet-consistent (when
/// there is a Condorcet winner) and that top a Smith member.
fn record_one_shot(f: &mut RealDataFinding, d: &Diagnostics, rows: &[OneShotRow]) {
    let find = |prefix: &str| rows.iter().find(|o| o.strategy.starts_with(prefix));
    if d.condorcet_winner.is_some() {
        f.with_condorcet_winner += 1;
        f.uniform_condorcet_consistent +=
            usize::from(find("uniform").is_some_and(|o| o.condorcet_consistent == Some(true)));
        f.ml_condorcet_consistent +=
            usize::from(find("maximal").is_some_and(|o| o.condorcet_consistent == Some(true)));
    }
    f.ml_top_in_smith += usize::from(find("maximal").is_some_and(|o| o.top_in_smith));
    f.uniform_top_in_smith += usize::from(find("uniform").is_some_and(|o| o.top_in_smith));
}

/// Measures the shipped preset `name`: its diagnostics, one-shot rows and runs.
fn measure_matrix(f: &mut RealDataFinding, name: &str) {
    let Some(p) = preset(name).and_then(|pr| pr.matrix().ok()) else {
        f.errors += 1;
        return;
    };
    let labels = p.labels().to_vec();
    let lab = |i: usize| labels.get(i).cloned().unwrap_or_default();
    let (dynamics, first) = run_dynamics(f, name, &p, lab);
    let Some((d, one_shot)) = first else {
        f.errors += 1;
        return;
    };
    record_entropy_comparisons(f, &dynamics);
    record_one_shot(f, &d, &one_shot);
    f.matrices.push(RealMatrix {
        name: name.to_string(),
        k: p.k(),
        condorcet_winner: d.condorcet_winner.map(lab),
        borda_winner: d.borda_winner.map(lab),
        smith_set: d.smith_set.iter().map(|&i| lab(i)).collect(),
        three_cycles: d.three_cycles,
        sst: d.sst,
        one_shot,
        dynamics,
    });
}

/// The one-line summary of the counts.
fn real_data_summary(f: &RealDataFinding) -> String {
    let n = f.matrices.len();
    format!(
        "{n} real matrices ({} with a Condorcet winner), one-shot β = 2, uniform π_ref: uniform IPO Condorcet-consistent on {}/{}, ML mix (ε = 0.05) on {}/{}; top in Smith set: uniform {}/{n}, ML mix {}/{n}; MRS-IPO at the 6 Figure 1–2 parameter sets ({} runs, T = 100 or 30): {} converged, {} converging, {} not settled, {} collapsed, {} oscillating (max ρ = {:.3}; verdict contradicts ρ in {}; matches it in {}/{} runs with |ρ − 1| ≥ 0.01, the rest not settled within T or collapsed); larger βλ lowers H(π_T) in {}/{} comparisons, larger α in {}/{}",
        f.with_condorcet_winner,
        f.uniform_condorcet_consistent,
        f.with_condorcet_winner,
        f.ml_condorcet_consistent,
        f.with_condorcet_winner,
        f.uniform_top_in_smith,
        f.ml_top_in_smith,
        f.runs,
        f.verdicts.converged,
        f.verdicts.converging,
        f.verdicts.not_settled,
        f.verdicts.collapsed,
        f.verdicts.oscillating,
        f.max_rho,
        f.contradictions,
        f.verdict_matches_rho,
        f.counted,
        f.beta_lambda_lowers_entropy,
        f.comparisons,
        f.alpha_lowers_entropy,
        f.comparisons,
    )
}

/// Finding 9 on every shipped preset, with the Figure 1 and 2 presets' dynamics
/// parameters (α, β, λ, η, T; π₀ = μ₀ = uniform).
pub fn real_data() -> RealDataFinding {
    let mut f = empty_finding();
    for name in preset_keys() {
        measure_matrix(&mut f, name);
    }
    let n = f.matrices.len();
    f.holds = f.errors == 0
        && n == preset_keys().count()
        && f.ml_top_in_smith == n
        && f.ml_condorcet_consistent == f.with_condorcet_winner
        && f.contradictions == 0
        && f.comparisons == 2 * n
        && f.beta_lambda_lowers_entropy == f.comparisons;
    f.summary = real_data_summary(&f);
    f
}

impl Measured for RealDataFinding {
    fn holds(&self) -> bool {
        self.holds
    }
    fn summary(&self) -> &str {
        &self.summary
    }
}
