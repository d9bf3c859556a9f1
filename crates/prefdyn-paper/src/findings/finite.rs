//! Finding 10: finite samples. With N labelled pairs per round the paper observes two
//! things the population dynamics cannot show: (1) in an oscillating configuration the
//! realisations oscillate with random phases, so their average looks calm while every run
//! keeps oscillating; (2) under strong transitivity the population run collapses while the
//! realisations' final entropies spread widely. Both measured on the two presets
//! [`OSCILLATING`] and [`TRANSITIVE`] through the same report as the page.

use prefdyn::config::parse_query;
use prefdyn::finite::Spread;
use prefdyn::report::Results;
use serde::Serialize;

use super::Measured;

/// Observation 1: rock–paper–scissors with α = 0.95, β = 2, λ = 0.8 (Figure 1, centre),
/// started next to the uniform fixed point; 32 realisations of 256 pairs per round.
pub const OSCILLATING: &str = "v=2&alpha=0.95&beta=2&lam=0.8&pi0=0.34,0.33,0.33&T=300&N=256";
/// Observation 2: a synthetic rated SST K = 4 matrix, α = 0.95, β = 2, λ = 1, from the
/// uniform policy; 32 realisations of 8 pairs per round.
pub const TRANSITIVE: &str =
    "v=2&gen=rated_sst&k=4&seed=2&alpha=0.95&beta=2&lam=1&pi0=uniform&T=150&N=8";

/// Finding 10.
#[derive(Debug, Clone, Serialize)]
pub struct FiniteFinding {
    pub realisations: usize,
    /// Observation 1: V of the population run, of each realisation, of their mean path.
    pub population_variance: f64,
    pub run_variance: Spread,
    pub mean_path_variance: f64,
    /// `mean_path_variance / run_variance.mean` (claim: below 0.2).
    pub mean_path_ratio: f64,
    /// Realisations oscillating / whose V is within a factor 2 of the population run's.
    pub oscillating: usize,
    pub within_factor_two: usize,
    /// Observation 2: `H(π_T)` of the population run and across the realisations.
    pub population_final_entropy: f64,
    pub run_final_entropy: Spread,
    pub errors: Vec<String>,
    pub holds: bool,
    pub summary: String,
}

impl Measured for FiniteFinding {
    fn holds(&self) -> bool {
        self.holds
    }
    fn summary(&self) -> &str {
        &self.summary
    }
}

/// The report of a preset link (with its realisations), or why there is none.
fn report(query: &str) -> Result<Results, String> {
    let parsed = parse_query(query);
    if !parsed.issues.is_empty() {
        return Err(format!("{query}: {:?}", parsed.issues));
    }
    let r = Results::compute(&parsed.config);
    match (&r.dynamics, &r.finite, &r.finite_error) {
        (Some(_), Some(_), _) => Ok(r),
        (_, _, Some(e)) => Err(format!("{query}: {e}")),
        _ => Err(format!("{query}: no run ({:?})", r.dynamics_error)),
    }
}

/// Finding 10 on the two presets.
pub fn finite_samples() -> FiniteFinding {
    let mut f = FiniteFinding {
        realisations: 0,
        population_variance: f64::NAN,
        run_variance: Spread::of(std::iter::empty()),
        mean_path_variance: f64::NAN,
        mean_path_ratio: f64::NAN,
        oscillating: 0,
        within_factor_two: 0,
        population_final_entropy: f64::NAN,
        run_final_entropy: Spread::of(std::iter::empty()),
        errors: vec![],
        holds: false,
        summary: String::new(),
    };
    match report(OSCILLATING) {
        Ok(r) => observe_oscillation(&mut f, &r),
        Err(e) => f.errors.push(e),
    }
    match report(TRANSITIVE) {
        Ok(r) => observe_collapse(&mut f, &r),
        Err(e) => f.errors.push(e),
    }
    f.holds = f.errors.is_empty()
        && f.mean_path_ratio < 0.2
        && f.oscillating == f.realisations
        && f.within_factor_two == f.realisations
        && f.population_final_entropy < 0.05
        && f.run_final_entropy.sd > 0.05;
    f.summary = summary(&f);
    f
}

fn observe_oscillation(f: &mut FiniteFinding, r: &Results) {
    let (Some(d), Some(fin)) = (&r.dynamics, &r.finite) else {
        return;
    };
    let pop = d.metrics.variance;
    let s = &fin.summary;
    f.realisations = s.realisations;
    f.population_variance = pop;
    f.run_variance = s.variance;
    f.mean_path_variance = s.mean_path_variance;
    f.mean_path_ratio = s.mean_path_variance / s.variance.mean;
    f.oscillating = s.oscillating;
    f.within_factor_two = fin
        .runs
        .iter()
        .filter(|run| run.metrics.variance < 2.0 * pop && run.metrics.variance > pop / 2.0)
        .count();
}

fn observe_collapse(f: &mut FiniteFinding, r: &Results) {
    let (Some(d), Some(fin)) = (&r.dynamics, &r.finite) else {
        return;
    };
    f.population_final_entropy = d.metrics.final_entropy;
    f.run_final_entropy = fin.summary.final_entropy;
}

fn summary(f: &FiniteFinding) -> String {
    format!(
        "Oscillating RPS (α 0.95, β 2, λ 0.8, N = 256, {} realisations): {} oscillate, V of each within 2× of the population run's {:.3e} in {}/{}, but V of their mean path is {:.3e} = {:.3}× the runs' mean {:.3e}. Rated SST K = 4 (α 0.95, β 2, λ 1, N = 8): the population run collapses (H(π_T) = {:.2e}) while the realisations end at H = {:.3} ± {:.3} (range {:.3} – {:.3}){}",
        f.realisations,
        f.oscillating,
        f.population_variance,
        f.within_factor_two,
        f.realisations,
        f.mean_path_variance,
        f.mean_path_ratio,
        f.run_variance.mean,
        f.population_final_entropy,
        f.run_final_entropy.mean,
        f.run_final_entropy.sd,
        f.run_final_entropy.min,
        f.run_final_entropy.max,
        if f.errors.is_empty() {
            String::new()
        } else {
            format!("; errors: {}", f.errors.join("; "))
        }
    )
}
