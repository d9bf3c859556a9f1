//! Finite samples of MRS-IPO / MRS-DPO (issue 11).
//!
//! Round t of one realisation: draw N pairs `(y, y′) ~ μ_t ⊗ μ_t` (`μ_t = λ π_t + (1−λ) μ₀`);
//! a pair with `y = y′` carries no preference and is dropped (N counts draws); a kept pair is
//! labelled `y ≻ y′` with probability `P[y][y′]`. IPO fits `r = log π̃ − log π_ref,t` by least
//! squares on the kept pairs ([`ipo_fit`]), DPO fits the Bradley–Terry likelihood
//! ([`dpo_fit`], `r = z/β`); then `π̃ = softmax(log π_ref,t + r)` with
//! `log π_ref,t = α log π_t + (1−α) log π₀` and `log π_{t+1} = (1−η) log π_t + η log π̃`,
//! i.e. `x_{t+1} = logsoftmax(a x_t + (1−a) x₀ + η r)`, `a = 1 − η(1−α)`. As `N → ∞`,
//! `r → β P μ_t + const` and the round tends to the population round of
//! [`crate::dynamics`].
//!
//! R realisations share one seed: realisation r of ensemble member m draws from
//! [`realisation_rng`]`(seed, m, r)` (ChaCha8 on its own stream, 32-bit words only, see
//! [`PairSampler::draw`]; runs read it as a [`WordStream`], the same words), and
//! `exp`/`log` come from `libm`, so a realisation is the same bits on native and wasm32 and
//! does not depend on how the realisations are scheduled.
//!
//! MRS-DPO: the Bradley–Terry maximiser is finite iff on every connected component of the
//! comparison graph the digraph of wins (i → j when i beat j) is strongly connected (`z` is
//! then fixed up to a constant per component, taken sum-zero as for IPO). When a round's
//! wins fail this, that realisation stops there: its trajectory ends at `π_t` (t rounds done) and a [`DpoEvent`] names the
//! realisation, the round and the responses that escape. The mean path averages, at each
//! t, the realisations that reached t ([`FiniteOutcome::alive`]).

mod fit;
mod pairs;
#[cfg(test)]
mod regression;
mod stream;
mod wire;

use rand::RngCore;
use serde::{Deserialize, Serialize};

pub use fit::{comparison_components, dpo_fit, ipo_fit, FitWorkspace, NoFiniteFit};
pub use pairs::{
    draw_pairs, realisation_rng, stream_id, unit, Categorical, PairCounts, PairSampler,
};
pub use wire::WireError;

pub use stream::WordStream;

use crate::dynamics::{
    time_averaged_variance, verdict, DynamicsError, Metrics, MrsParams, MrsRun, Solver, Trajectory,
    Verdict, MAX_T,
};
use crate::preference::PreferenceMatrix;
use crate::simplex::{entropy, normalise_positive, DistributionError};

/// Largest number of pairs drawn per round.
pub const MAX_PAIRS: usize = 1_000_000;
/// Largest number of realisations.
pub const MAX_REALISATIONS: usize = 256;
/// Largest `R × (T+1) × K` a stored run may hold (the realisations' policies).
pub const MAX_STORED_VALUES: usize = 1 << 24;

/// The sampling of a finite-sample run: N pair draws per round, R realisations, one seed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct FiniteSpec {
    /// N, pairs drawn per round (pairs with `y = y′` are drawn, then dropped).
    pub pairs: usize,
    /// R, independent realisations.
    pub realisations: usize,
    pub seed: u64,
}

impl FiniteSpec {
    /// Checks `1 ≤ N ≤ MAX_PAIRS` and `1 ≤ R ≤ MAX_REALISATIONS`.
    pub fn validate(&self) -> Result<(), FiniteError> {
        if !(1..=MAX_PAIRS).contains(&self.pairs) {
            return Err(FiniteError::BadPairs {
                pairs: self.pairs,
                max: MAX_PAIRS,
            });
        }
        if !(1..=MAX_REALISATIONS).contains(&self.realisations) {
            return Err(FiniteError::BadRealisations {
                realisations: self.realisations,
                max: MAX_REALISATIONS,
            });
        }
        Ok(())
    }

    /// Pair draws of a run of T rounds, `N·R·T` (the work, for budgets).
    pub fn draws(&self, rounds: usize) -> u128 {
        self.pairs as u128 * self.realisations as u128 * rounds as u128
    }
}

/// Why a finite-sample run cannot be made.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum FiniteError {
    #[error("N = {pairs} pairs per round: need between 1 and {max}")]
    BadPairs { pairs: usize, max: usize },
    #[error("R = {realisations} realisations: need between 1 and {max}")]
    BadRealisations { realisations: usize, max: usize },
    #[error("T = {rounds} rounds: at most {max}")]
    TooManyRounds { rounds: usize, max: usize },
    #[error("R × (T+1) × K = {values} stored policy entries: at most {max}")]
    TooLarge { values: usize, max: usize },
    #[error("{name}: {source}")]
    BadDistribution {
        name: &'static str,
        source: DistributionError,
    },
    #[error("no ensemble members")]
    NoMembers,
    #[error("member {member}: {source}")]
    BadMember {
        member: usize,
        source: Box<FiniteError>,
    },
    #[error(transparent)]
    Dynamics(#[from] DynamicsError),
}

/// A DPO round without a finite optimum: realisation `realisation` stopped at round
/// `round` (its trajectory is `π_0..π_round`); on the comparison component `component` the
/// wins are not strongly connected and `top_component` escapes (see [`NoFiniteFit`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DpoEvent {
    pub realisation: usize,
    pub round: usize,
    pub component: Vec<usize>,
    pub top_component: Vec<usize>,
}

/// A validated finite-sample model: P, `log π₀` and μ₀ (both normalised), the parameters,
/// the solver and N.
#[derive(Debug, Clone)]
pub struct FiniteModel {
    p: PreferenceMatrix,
    sampler: PairSampler,
    log_pi0: Vec<f64>,
    mu0: Vec<f64>,
    params: MrsParams,
    solver: Solver,
    pairs: usize,
}

/// The state of one realisation between rounds: `x = log π_t` (normalised), `π_t`, and the
/// last DPO fit `z` (warm start).
#[derive(Debug, Clone, PartialEq)]
pub struct RoundState {
    x: Vec<f64>,
    pi: Vec<f64>,
    z: Vec<f64>,
}

impl RoundState {
    /// `π_t`.
    pub fn policy(&self) -> &[f64] {
        &self.pi
    }
    /// `log π_t` (normalised).
    pub fn log_policy(&self) -> &[f64] {
        &self.x
    }
}

/// Buffers of the rounds, reused across rounds and realisations.
#[derive(Debug, Clone, Default)]
pub struct RoundWorkspace {
    mu: Categorical,
    counts: PairCounts,
    fit: FitWorkspace,
    shift: Vec<f64>,
}

impl RoundWorkspace {
    /// The last round's kept pairs.
    pub fn counts(&self) -> &PairCounts {
        &self.counts
    }
    /// The last round's fitted `r = log π̃ − log π_ref,t` (IPO: least squares; DPO: `z/β`).
    pub fn fitted_r(&self) -> &[f64] {
        &self.shift
    }
}

impl FiniteModel {
    /// Checks the parameters, N, and that π₀ and μ₀ are strictly positive with K entries.
    pub fn new(
        p: &PreferenceMatrix,
        pi0: &[f64],
        mu0: &[f64],
        params: MrsParams,
        solver: Solver,
        pairs: usize,
    ) -> Result<Self, FiniteError> {
        params.validate()?;
        let k = p.k();
        let bad = |name, source| FiniteError::BadDistribution { name, source };
        let pi0 = normalise_positive(pi0, k).map_err(|e| bad("pi0", e))?;
        let mu0 = normalise_positive(mu0, k).map_err(|e| bad("mu0", e))?;
        if !(1..=MAX_PAIRS).contains(&pairs) {
            return Err(FiniteError::BadPairs {
                pairs,
                max: MAX_PAIRS,
            });
        }
        Ok(FiniteModel {
            p: p.clone(),
            sampler: PairSampler::new(p),
            log_pi0: pi0.iter().map(|&v| libm::log(v)).collect(),
            mu0,
            params,
            solver,
            pairs,
        })
    }

    /// Number of responses K.
    pub fn k(&self) -> usize {
        self.p.k()
    }

    /// The state at t = 0: `π₀`, `z = 0`.
    pub fn start(&self) -> RoundState {
        RoundState {
            x: self.log_pi0.clone(),
            pi: self.log_pi0.iter().map(|&v| libm::exp(v)).collect(),
            z: vec![0.0; self.k()],
        }
    }

    /// One finite-sample round from `π_t` to `π_{t+1}` (module docs). On a DPO round without
    /// a finite optimum the state is left at `π_t` and the reason returned. A state of the
    /// wrong length is first reset to [`FiniteModel::start`].
    pub fn round<R: RngCore + ?Sized>(
        &self,
        state: &mut RoundState,
        rng: &mut R,
        ws: &mut RoundWorkspace,
    ) -> Result<(), NoFiniteFit> {
        self.round_with(state, ws, |s, mu, n, c| s.draw(rng, mu, n, c))
    }

    /// [`FiniteModel::round`] drawing from the words of `stream` (the same round as with
    /// the [`ChaCha8Rng`](rand_chacha::ChaCha8Rng) it was made from).
    pub fn round_stream(
        &self,
        state: &mut RoundState,
        stream: &mut WordStream,
        ws: &mut RoundWorkspace,
    ) -> Result<(), NoFiniteFit> {
        self.round_with(state, ws, |s, mu, n, c| s.draw_stream(stream, mu, n, c))
    }

    /// The round, with `draw` drawing the pairs.
    fn round_with<D: FnOnce(&PairSampler, &Categorical, usize, &mut PairCounts)>(
        &self,
        state: &mut RoundState,
        ws: &mut RoundWorkspace,
        draw: D,
    ) -> Result<(), NoFiniteFit> {
        let k = self.k();
        if state.x.len() != k || state.pi.len() != k || state.z.len() != k {
            *state = self.start();
        }
        let MrsParams { beta, lam, eta, .. } = self.params;
        let a = self.params.a();
        ws.mu.set(
            self.mu0
                .iter()
                .zip(&state.pi)
                .map(|(m, p)| (1.0 - lam) * m + lam * p),
        );
        draw(&self.sampler, &ws.mu, self.pairs, &mut ws.counts);
        ws.shift.resize(k, 0.0);
        match self.solver {
            Solver::Ipo => ipo_fit(&ws.counts, beta, &mut ws.fit, &mut ws.shift),
            Solver::Dpo => {
                dpo_fit(&ws.counts, &mut state.z, &mut ws.fit)?;
                for (s, z) in ws.shift.iter_mut().zip(&state.z) {
                    *s = z / beta;
                }
            }
        }
        // x ← logsoftmax(a x + (1−a) x₀ + η r), π = exp x, one exp per response.
        let mut m = f64::NEG_INFINITY;
        for ((x, x0), r) in state.x.iter_mut().zip(&self.log_pi0).zip(&ws.shift) {
            let y = a * *x + (1.0 - a) * x0 + eta * r;
            *x = y;
            m = m.max(y);
        }
        let mut s = 0.0;
        for (x, p) in state.x.iter().zip(state.pi.iter_mut()) {
            *p = libm::exp(x - m);
            s += *p;
        }
        let ls = libm::log(s);
        for (x, p) in state.x.iter_mut().zip(state.pi.iter_mut()) {
            *x = (*x - m) - ls;
            *p /= s;
        }
        Ok(())
    }

    /// Runs realisation `index` of `member` for `rounds` rounds from `π₀`, writing
    /// `π_0..π_t` into `out` (row-major); `t < rounds` only when a DPO round stopped it.
    pub fn run_into(
        &self,
        seed: u64,
        member: usize,
        index: usize,
        rounds: usize,
        ws: &mut RoundWorkspace,
        out: &mut Vec<f64>,
    ) -> Option<DpoEvent> {
        let mut state = self.start();
        let mut rng = WordStream::from_rng(&realisation_rng(seed, member, index));
        out.clear();
        out.extend_from_slice(&state.pi);
        for t in 0..rounds {
            if let Err(e) = self.round_stream(&mut state, &mut rng, ws) {
                return Some(event(index, t, e));
            }
            out.extend_from_slice(&state.pi);
        }
        None
    }
}

/// `T ≤ MAX_T`.
fn check_rounds(rounds: usize) -> Result<usize, FiniteError> {
    if rounds > MAX_T {
        return Err(FiniteError::TooManyRounds { rounds, max: MAX_T });
    }
    Ok(rounds)
}

fn event(realisation: usize, round: usize, e: NoFiniteFit) -> DpoEvent {
    DpoEvent {
        realisation,
        round,
        component: e.component,
        top_component: e.top_component,
    }
}

/// One configured finite-sample run (as [`MrsRun`], plus the burn-in of V and the sampling).
#[derive(Debug, Clone)]
pub struct FiniteRun<'a> {
    pub p: &'a PreferenceMatrix,
    pub pi0: &'a [f64],
    pub mu0: &'a [f64],
    pub params: MrsParams,
    pub solver: Solver,
    /// T.
    pub rounds: usize,
    /// B, burn-in of the time-averaged variance.
    pub burn_in: usize,
    pub spec: FiniteSpec,
}

impl FiniteRun<'_> {
    /// The validated model.
    pub fn model(&self) -> Result<FiniteModel, FiniteError> {
        self.spec.validate()?;
        FiniteModel::new(
            self.p,
            self.pi0,
            self.mu0,
            self.params,
            self.solver,
            self.spec.pairs,
        )
    }

    /// Checks everything and prepares the realisations to be computed step by step.
    pub fn stepper(&self) -> Result<FiniteStepper, FiniteError> {
        let model = self.model()?;
        check_rounds(self.rounds)?;
        let k = model.k();
        let values = self
            .spec
            .realisations
            .saturating_mul(self.rounds + 1)
            .saturating_mul(k);
        if values > MAX_STORED_VALUES {
            return Err(FiniteError::TooLarge {
                values,
                max: MAX_STORED_VALUES,
            });
        }
        Ok(FiniteStepper {
            model,
            rounds: self.rounds,
            burn_in: self.burn_in,
            spec: self.spec,
            ws: RoundWorkspace::default(),
            current: None,
            done: Vec::with_capacity(self.spec.realisations),
            sum: vec![0.0; (self.rounds + 1) * k],
            alive: vec![0; self.rounds + 1],
        })
    }

    /// All R realisations, their mean path and metrics.
    pub fn simulate(&self) -> Result<FiniteOutcome, FiniteError> {
        Ok(self.stepper()?.finish())
    }

    /// Realisation `index` alone (the same as in [`FiniteRun::simulate`]).
    pub fn realisation(&self, index: usize) -> Result<Realisation, FiniteError> {
        let model = self.model()?;
        let rounds = check_rounds(self.rounds)?;
        let mut out = Vec::with_capacity((rounds + 1) * model.k());
        let ev = model.run_into(
            self.spec.seed,
            0,
            index,
            rounds,
            &mut RoundWorkspace::default(),
            &mut out,
        );
        Ok(realisation(index, model.k(), out, ev, self.burn_in))
    }

    /// The population run with the same P, π₀, μ₀ and parameters.
    pub fn population(&self) -> Result<Trajectory, DynamicsError> {
        MrsRun {
            p: self.p,
            pi0: self.pi0,
            mu0: self.mu0,
            params: self.params,
            solver: self.solver,
            rounds: self.rounds,
        }
        .simulate()
    }
}

/// One realisation: its trajectory (truncated at a DPO event), metrics and event.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Realisation {
    pub index: usize,
    pub trajectory: Trajectory,
    pub metrics: Metrics,
    pub event: Option<DpoEvent>,
}

fn realisation(
    index: usize,
    k: usize,
    policies: Vec<f64>,
    event: Option<DpoEvent>,
    burn_in: usize,
) -> Realisation {
    let trajectory = Trajectory { k, policies };
    Realisation {
        index,
        metrics: Metrics::of(&trajectory, burn_in),
        trajectory,
        event,
    }
}

/// Mean, population standard deviation, minimum and maximum of some values.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Spread {
    pub mean: f64,
    pub sd: f64,
    pub min: f64,
    pub max: f64,
}

impl Spread {
    /// Of `v` (all zero when empty).
    pub fn of(v: impl Iterator<Item = f64> + Clone) -> Spread {
        let n = v.clone().count();
        if n == 0 {
            return Spread {
                mean: 0.0,
                sd: 0.0,
                min: 0.0,
                max: 0.0,
            };
        }
        let mean = v.clone().sum::<f64>() / n as f64;
        let var = v.clone().map(|x| (x - mean) * (x - mean)).sum::<f64>() / n as f64;
        Spread {
            mean,
            sd: var.sqrt(),
            min: v.clone().fold(f64::INFINITY, f64::min),
            max: v.fold(f64::NEG_INFINITY, f64::max),
        }
    }
}

/// What the realisations did together.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FiniteSummary {
    pub realisations: usize,
    /// V of each realisation, over the realisations.
    pub variance: Spread,
    /// V of the mean path (averaging realisations with different phases hides cycles:
    /// `mean_path_variance ≪ variance.mean`).
    pub mean_path_variance: f64,
    /// `H(π_T)` of each realisation (its last policy when stopped).
    pub final_entropy: Spread,
    /// Realisations whose verdict is oscillating / collapsed.
    pub oscillating: usize,
    pub collapsed: usize,
    /// Realisations stopped by a DPO event.
    pub stopped: usize,
}

/// All realisations of a run with their mean path.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FiniteOutcome {
    /// In realisation order.
    pub realisations: Vec<Realisation>,
    /// `π̄_t` = mean of `π_t` over the realisations that reached t.
    pub mean_path: Trajectory,
    /// How many realisations reached t (R for every t unless a DPO event stopped some).
    pub alive: Vec<usize>,
    pub mean_metrics: Metrics,
    pub summary: FiniteSummary,
}

impl FiniteOutcome {
    /// The DPO events, in realisation order.
    pub fn events(&self) -> impl Iterator<Item = &DpoEvent> {
        self.realisations.iter().filter_map(|r| r.event.as_ref())
    }
}

/// How far a stepper has got; a stopped realisation counts all its T rounds as done.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct FiniteProgress {
    pub done_realisations: usize,
    pub total_realisations: usize,
    pub done_rounds: usize,
    pub total_rounds: usize,
}

impl FiniteProgress {
    /// Share of rounds done, in [0, 1].
    pub fn fraction(&self) -> f64 {
        if self.total_rounds == 0 {
            if self.done_realisations >= self.total_realisations {
                1.0
            } else {
                0.0
            }
        } else {
            self.done_rounds as f64 / self.total_rounds as f64
        }
    }
}

/// A realisation in progress.
#[derive(Debug, Clone)]
struct Walker {
    index: usize,
    rng: WordStream,
    state: RoundState,
    policies: Vec<f64>,
    t: usize,
    event: Option<DpoEvent>,
}

/// Computes a run's realisations a few at a time ([`FiniteStepper::step`]) or a few rounds
/// at a time ([`FiniteStepper::step_rounds`]) so that a page stays responsive; the result
/// does not depend on the step sizes.
#[derive(Debug, Clone)]
pub struct FiniteStepper {
    model: FiniteModel,
    rounds: usize,
    burn_in: usize,
    spec: FiniteSpec,
    ws: RoundWorkspace,
    current: Option<Walker>,
    done: Vec<Realisation>,
    /// `Σ π_t` over finished realisations that reached t, `(T+1) × K`.
    sum: Vec<f64>,
    alive: Vec<usize>,
}

impl FiniteStepper {
    pub fn spec(&self) -> &FiniteSpec {
        &self.spec
    }

    pub fn model(&self) -> &FiniteModel {
        &self.model
    }

    pub fn progress(&self) -> FiniteProgress {
        let partial = self.current.as_ref().map_or(0, |w| w.t);
        FiniteProgress {
            done_realisations: self.done.len(),
            total_realisations: self.spec.realisations,
            done_rounds: self.done.len() * self.rounds + partial,
            total_rounds: self.spec.realisations * self.rounds,
        }
    }

    pub fn is_done(&self) -> bool {
        self.done.len() >= self.spec.realisations
    }

    /// Finishes up to `max_realisations` more realisations (the one in progress first).
    pub fn step(&mut self, max_realisations: usize) -> FiniteProgress {
        let target = self
            .done
            .len()
            .saturating_add(max_realisations)
            .min(self.spec.realisations);
        while self.done.len() < target {
            self.advance(usize::MAX);
        }
        self.progress()
    }

    /// Computes up to `max_rounds` more rounds (at least one, across realisations).
    pub fn step_rounds(&mut self, max_rounds: usize) -> FiniteProgress {
        let mut budget = max_rounds.max(1);
        while budget > 0 && !self.is_done() {
            budget -= self.advance(budget);
        }
        self.progress()
    }

    /// Runs the realisation in progress (started if need be) for up to `budget` rounds and
    /// files it when it ends; returns the rounds computed (a stopping DPO round counts).
    fn advance(&mut self, budget: usize) -> usize {
        if self.is_done() {
            return 0;
        }
        let index = self.done.len();
        let k = self.model.k();
        let w = self.current.get_or_insert_with(|| {
            let state = self.model.start();
            let mut policies = Vec::with_capacity((self.rounds + 1) * k);
            policies.extend_from_slice(&state.pi);
            Walker {
                index,
                rng: WordStream::from_rng(&realisation_rng(self.spec.seed, 0, index)),
                state,
                policies,
                t: 0,
                event: None,
            }
        });
        let mut used = 0;
        while used < budget && w.t < self.rounds && w.event.is_none() {
            used += 1;
            match self
                .model
                .round_stream(&mut w.state, &mut w.rng, &mut self.ws)
            {
                Ok(()) => {
                    w.policies.extend_from_slice(&w.state.pi);
                    w.t += 1;
                }
                Err(e) => w.event = Some(event(w.index, w.t, e)),
            }
        }
        if w.t >= self.rounds || w.event.is_some() {
            if let Some(w) = self.current.take() {
                self.finish_walker(w);
            }
        }
        used
    }

    fn finish_walker(&mut self, w: Walker) {
        let k = self.model.k();
        self.accumulate(realisation(w.index, k, w.policies, w.event, self.burn_in));
    }

    /// Adds a finished realisation to the mean path's sums (in realisation order) and files
    /// it.
    fn accumulate(&mut self, r: Realisation) {
        let k = self.model.k();
        for (t, row) in r.trajectory.policies.chunks_exact(k).enumerate() {
            self.alive[t] += 1;
            for (s, v) in self.sum[t * k..(t + 1) * k].iter_mut().zip(row) {
                *s += v;
            }
        }
        self.done.push(r);
    }

    /// The finished realisations so far.
    pub fn realisations(&self) -> &[Realisation] {
        &self.done
    }

    /// The mean path of the finished realisations (`None` before the first).
    pub fn mean_path(&self) -> Option<Trajectory> {
        let k = self.model.k();
        let rows = self.alive.iter().take_while(|&&n| n > 0).count();
        if rows == 0 {
            return None;
        }
        let mut policies = Vec::with_capacity(rows * k);
        for t in 0..rows {
            let n = self.alive[t] as f64;
            policies.extend(self.sum[t * k..(t + 1) * k].iter().map(|s| s / n));
        }
        Some(Trajectory { k, policies })
    }

    /// The summary of the finished realisations (`None` before the first).
    pub fn summary(&self) -> Option<FiniteSummary> {
        let mean = self.mean_path()?;
        Some(summarise(
            &self.done,
            Metrics::of(&mean, self.burn_in).variance,
        ))
    }

    /// Computes what is left and returns the outcome.
    pub fn finish(mut self) -> FiniteOutcome {
        while !self.is_done() {
            self.advance(usize::MAX);
        }
        let k = self.model.k();
        let mean_path = self.mean_path().unwrap_or_else(|| Trajectory {
            k,
            policies: self.model.start().pi,
        });
        let mean_metrics = Metrics::of(&mean_path, self.burn_in);
        let summary = summarise(&self.done, mean_metrics.variance);
        let rows = mean_path.policies.len() / k;
        self.alive.truncate(rows);
        FiniteOutcome {
            realisations: self.done,
            mean_path,
            alive: self.alive,
            mean_metrics,
            summary,
        }
    }
}

fn summarise(done: &[Realisation], mean_path_variance: f64) -> FiniteSummary {
    let count = |v: Verdict| done.iter().filter(|r| r.metrics.verdict == v).count();
    FiniteSummary {
        realisations: done.len(),
        variance: Spread::of(done.iter().map(|r| r.metrics.variance)),
        mean_path_variance,
        final_entropy: Spread::of(done.iter().map(|r| r.metrics.final_entropy)),
        oscillating: count(Verdict::Oscillating),
        collapsed: count(Verdict::Collapsed),
        stopped: done.iter().filter(|r| r.event.is_some()).count(),
    }
}

// ---------------------------------------------------------------------------------------
// Phase-diagram cells.

/// One ensemble member of a cell: P, π₀ (initial policy and base reference), μ₀.
#[derive(Debug, Clone, Copy)]
pub struct FiniteMember<'a> {
    pub p: &'a PreferenceMatrix,
    pub pi0: &'a [f64],
    pub mu0: &'a [f64],
}

/// A cell's metrics for one member, each averaged over its R realisations.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct FiniteCellValue {
    /// Mean V over the realisations.
    pub variance: f64,
    /// Mean `H(π_T)` (a stopped realisation's last policy).
    pub final_entropy: f64,
    /// Share of realisations whose verdict is oscillating.
    pub oscillating: f64,
    /// Share of realisations whose verdict is collapsed.
    pub collapsed: f64,
    /// V of the mean path over the realisations.
    pub mean_path_variance: f64,
    /// Share of realisations stopped by a DPO event.
    pub stopped: f64,
}

/// Buffers of [`finite_cell`], reused across cells.
#[derive(Debug, Clone, Default)]
pub struct CellWorkspace {
    round: RoundWorkspace,
    traj: Vec<f64>,
    sum: Vec<f64>,
    alive: Vec<usize>,
    mean: Vec<f64>,
}

/// A phase-diagram cell on finite samples: for each member m, its R realisations
/// (realisation r draws from [`realisation_rng`]`(spec.seed, m, r)`: every cell uses the
/// same streams) over T rounds with `params`, and their metrics averaged over the
/// realisations. The caller averages the returned values over the members.
pub fn finite_cell(
    members: &[FiniteMember<'_>],
    params: &MrsParams,
    solver: Solver,
    rounds: usize,
    burn_in: usize,
    spec: &FiniteSpec,
    ws: &mut CellWorkspace,
) -> Result<Vec<FiniteCellValue>, FiniteError> {
    spec.validate()?;
    if members.is_empty() {
        return Err(FiniteError::NoMembers);
    }
    check_rounds(rounds)?;
    let models = members
        .iter()
        .enumerate()
        .map(|(member, m)| {
            FiniteModel::new(m.p, m.pi0, m.mu0, *params, solver, spec.pairs).map_err(|e| {
                FiniteError::BadMember {
                    member,
                    source: Box::new(e),
                }
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let r_count = spec.realisations as f64;
    let mut out = Vec::with_capacity(models.len());
    for (member, model) in models.iter().enumerate() {
        let k = model.k();
        ws.sum.clear();
        ws.sum.resize((rounds + 1) * k, 0.0);
        ws.alive.clear();
        ws.alive.resize(rounds + 1, 0);
        let mut v = FiniteCellValue {
            variance: 0.0,
            final_entropy: 0.0,
            oscillating: 0.0,
            collapsed: 0.0,
            mean_path_variance: 0.0,
            stopped: 0.0,
        };
        for r in 0..spec.realisations {
            let ev = model.run_into(spec.seed, member, r, rounds, &mut ws.round, &mut ws.traj);
            let rows = ws.traj.len() / k;
            for (t, row) in ws.traj.chunks_exact(k).enumerate() {
                ws.alive[t] += 1;
                for (s, x) in ws.sum[t * k..(t + 1) * k].iter_mut().zip(row) {
                    *s += x;
                }
            }
            v.variance += time_averaged_variance(&ws.traj, k, burn_in);
            v.final_entropy += entropy(&ws.traj[(rows - 1) * k..]);
            match verdict(&ws.traj, k) {
                Verdict::Oscillating => v.oscillating += 1.0,
                Verdict::Collapsed => v.collapsed += 1.0,
                _ => {}
            }
            if ev.is_some() {
                v.stopped += 1.0;
            }
        }
        let rows = ws.alive.iter().take_while(|&&n| n > 0).count();
        ws.mean.clear();
        for t in 0..rows {
            let n = ws.alive[t] as f64;
            ws.mean
                .extend(ws.sum[t * k..(t + 1) * k].iter().map(|s| s / n));
        }
        v.mean_path_variance = time_averaged_variance(&ws.mean, k, burn_in);
        v.variance /= r_count;
        v.final_entropy /= r_count;
        v.oscillating /= r_count;
        v.collapsed /= r_count;
        v.stopped /= r_count;
        out.push(v);
    }
    Ok(out)
}
