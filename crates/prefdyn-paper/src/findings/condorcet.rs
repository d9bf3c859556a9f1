//! Finding 1: one-shot IPO under uniform sampling ranks by Borda score and misses the
//! Condorcet winner; the maximal-lottery mix restores it and always tops a Smith member.

use prefdyn::generators::Generator;
use prefdyn::ranking::RankingProperties;
use prefdyn::sampling::{one_shot, SamplingStrategy};
use prefdyn::simplex::{argmax, uniform};
use prefdyn::social_choice::{borda, condorcet_winner, smith_set};
use prefdyn::{PreferenceMatrix, Solver};
use serde::Serialize;

use super::helpers::pct;
use super::Measured;

/// The maximal-lottery mix at one ε.
#[derive(Debug, Clone, Serialize)]
pub struct MlMix {
    pub epsilon: f64,
    /// Of the `n_differ` matrices: tops the Condorcet winner / the Borda winner.
    pub tops_condorcet_winner: usize,
    pub tops_borda: usize,
    /// Of the `n_smith` matrices: top in the Smith set / every Smith member above every
    /// non-member.
    pub top_in_smith: usize,
    pub smith_on_top: usize,
}

/// Finding 1: one-shot IPO under uniform sampling vs the maximal-lottery mix.
#[derive(Debug, Clone, Serialize)]
pub struct CondorcetFinding {
    pub k: usize,
    pub beta: f64,
    /// Random-P seeds scanned (from 1) to find `n_differ` matrices whose Borda and
    /// Condorcet winners differ.
    pub seeds_scanned: usize,
    /// Of those, how many had a Condorcet winner.
    pub with_condorcet_winner: usize,
    /// Matrices with a Condorcet winner that is not the Borda winner.
    pub n_differ: usize,
    /// Uniform IPO (uniform reference) puts the Borda winner first.
    pub uniform_tops_borda: usize,
    /// Uniform IPO is Condorcet-consistent.
    pub uniform_condorcet_consistent: usize,
    /// Random matrices (seeds 1..=n_smith) for the Smith-set check.
    pub n_smith: usize,
    /// Of those, with a Smith set of at least two responses.
    pub n_smith_nontrivial: usize,
    pub uniform_top_in_smith: usize,
    /// The ML mix at ε = 0.05 (the page's default), 0.01 and 0.001.
    pub ml_mix: Vec<MlMix>,
    /// Instances skipped because a solver failed (expected 0).
    pub errors: usize,
    pub holds: bool,
    pub summary: String,
}

const K: usize = 5;
const BETA: f64 = 2.0;
const EPS: [f64; 3] = [0.05, 0.01, 0.001];
const N_DIFFER: usize = 500;
const N_SMITH: usize = 2000;
const MAX_SEEDS: u64 = 200_000;

/// One-shot IPO (uniform reference, β = [`BETA`]) under uniform sampling, and under the
/// ML mix at each ε of [`EPS`]; `None` if a solve failed.
fn policies(p: &PreferenceMatrix) -> Option<(Vec<f64>, Vec<Vec<f64>>)> {
    let unif = uniform(K);
    let policy = |s: &SamplingStrategy| {
        one_shot(p, &unif, BETA, s, Solver::Ipo)
            .ok()
            .map(|r| r.policy)
    };
    let pu = policy(&SamplingStrategy::Uniform)?;
    let mixes: Option<Vec<Vec<f64>>> = EPS
        .iter()
        .map(|&epsilon| policy(&SamplingStrategy::MaximalLotteryMix { epsilon }))
        .collect();
    Some((pu, mixes?))
}

/// The finding with every count at zero.
fn empty_finding() -> CondorcetFinding {
    CondorcetFinding {
        k: K,
        beta: BETA,
        seeds_scanned: 0,
        with_condorcet_winner: 0,
        n_differ: 0,
        uniform_tops_borda: 0,
        uniform_condorcet_consistent: 0,
        n_smith: 0,
        n_smith_nontrivial: 0,
        uniform_top_in_smith: 0,
        ml_mix: EPS
            .iter()
            .map(|&epsilon| MlMix {
                epsilon,
                tops_condorcet_winner: 0,
                tops_borda: 0,
                top_in_smith: 0,
                smith_on_top: 0,
            })
            .collect(),
        errors: 0,
        holds: false,
        summary: String::new(),
    }
}

/// Scans seeds from 1 until [`N_DIFFER`] matrices whose Condorcet winner is not the Borda
/// winner are found, counting whose winner each policy puts first.
fn count_borda_vs_condorcet(f: &mut CondorcetFinding, gen: &Generator) {
    let mut seed = 0u64;
    while f.n_differ < N_DIFFER && seed < MAX_SEEDS {
        seed += 1;
        f.seeds_scanned += 1;
        let Ok(p) = gen.generate(seed) else {
            f.errors += 1;
            continue;
        };
        let Some(cw) = condorcet_winner(&p) else {
            continue;
        };
        f.with_condorcet_winner += 1;
        let Some(bw) = argmax(&borda(&p)) else {
            continue;
        };
        if bw == cw {
            continue;
        }
        let Some((pu, mixes)) = policies(&p) else {
            f.errors += 1;
            continue;
        };
        f.n_differ += 1;
        let tu = argmax(&pu);
        f.uniform_tops_borda += usize::from(tu == Some(bw));
        f.uniform_condorcet_consistent += usize::from(tu == Some(cw));
        for (m, pm) in f.ml_mix.iter_mut().zip(&mixes) {
            let tm = argmax(pm);
            m.tops_condorcet_winner += usize::from(tm == Some(cw));
            m.tops_borda += usize::from(tm == Some(bw));
        }
    }
}

/// On seeds 1..=[`N_SMITH`], counts the policies that top a Smith member and that put the
/// whole Smith set on top.
fn count_smith(f: &mut CondorcetFinding, gen: &Generator) {
    for seed in 1..=N_SMITH as u64 {
        let Ok(p) = gen.generate(seed) else {
            f.errors += 1;
            continue;
        };
        let Some((pu, mixes)) = policies(&p) else {
            f.errors += 1;
            continue;
        };
        f.n_smith += 1;
        f.n_smith_nontrivial += usize::from(smith_set(&p).len() >= 2);
        f.uniform_top_in_smith += usize::from(RankingProperties::of(&p, &pu).top_in_smith);
        for (m, pm) in f.ml_mix.iter_mut().zip(&mixes) {
            let r = RankingProperties::of(&p, pm);
            m.top_in_smith += usize::from(r.top_in_smith);
            m.smith_on_top += usize::from(r.smith_on_top);
        }
    }
}

/// Whether the claim holds on the counts.
fn condorcet_holds(f: &CondorcetFinding) -> bool {
    let (first, last) = (&f.ml_mix[0], &f.ml_mix[EPS.len() - 1]);
    f.errors == 0
        && f.n_differ == N_DIFFER
        && f.n_smith == N_SMITH
        && f.uniform_tops_borda == f.n_differ
        && f.uniform_condorcet_consistent == 0
        && f.ml_mix.iter().all(|m| m.top_in_smith == f.n_smith)
        && last.tops_condorcet_winner == f.n_differ
        && first.tops_condorcet_winner as f64 >= 0.95 * f.n_differ as f64
}

/// The one-line summary of the counts.
fn condorcet_summary(f: &CondorcetFinding) -> String {
    format!(
        "on {} random {K}×{K} matrices with Borda ≠ Condorcet winner (β = {BETA}, uniform π_ref): uniform IPO tops the Borda winner in {}, is Condorcet-consistent in {}; the ML mix tops the CW in {} at ε = {}, {} at ε = {}, {} at ε = {}; on {} random matrices ({} with a Smith set of ≥ 2) it tops a Smith member in {} at every ε (uniform: {}) but puts the whole Smith set on top in {} (ε = {})",
        f.n_differ,
        pct(f.uniform_tops_borda, f.n_differ),
        pct(f.uniform_condorcet_consistent, f.n_differ),
        pct(f.ml_mix[0].tops_condorcet_winner, f.n_differ),
        f.ml_mix[0].epsilon,
        pct(f.ml_mix[1].tops_condorcet_winner, f.n_differ),
        f.ml_mix[1].epsilon,
        pct(f.ml_mix[2].tops_condorcet_winner, f.n_differ),
        f.ml_mix[2].epsilon,
        f.n_smith,
        f.n_smith_nontrivial,
        pct(
            f.ml_mix.iter().map(|m| m.top_in_smith).min().unwrap_or(0),
            f.n_smith
        ),
        pct(f.uniform_top_in_smith, f.n_smith),
        pct(f.ml_mix[0].smith_on_top, f.n_smith),
        f.ml_mix[0].epsilon,
    )
}

/// Finding 1 on random 5×5 matrices (upper triangle U(0, 1)), β = 2, uniform reference;
/// the ML mix at ε ∈ {0.05, 0.01, 0.001}.
pub fn condorcet_vs_borda() -> CondorcetFinding {
    let gen = Generator::Random { k: K };
    let mut f = empty_finding();
    count_borda_vs_condorcet(&mut f, &gen);
    count_smith(&mut f, &gen);
    f.holds = condorcet_holds(&f);
    f.summary = condorcet_summary(&f);
    f
}

impl Measured for CondorcetFinding {
    fn holds(&self) -> bool {
        self.holds
    }
    fn summary(&self) -> &str {
        &self.summary
    }
}
