//! MRS-IPO runs in SIMD lanes for phase sweeps (issue 10).
//!
//! A phase diagram is a grid of cells × ensemble members, each an independent T-round
//! MRS-IPO run reduced to one number. This module runs many such runs at once, one per
//! SIMD lane, and accumulates the metrics on the fly instead of storing trajectories:
//!
//! - [`LaneEnsemble`] holds the members (P, `x₀ = log π₀`, μ₀), T and the burn-in B,
//!   prepared once; a sweep (or each worker of a pool) keeps one and feeds it batches.
//! - [`LaneEnsemble::run`] gives [`RunMetrics`] for any list of `(member, params)` runs;
//!   [`LaneEnsemble::cell_values`] / [`LaneEnsemble::cell_stats`] give, for any list of
//!   cells (one [`MrsParams`] each, in any order: a coarse lattice first, then the rest),
//!   the per-member values of a [`LaneMetric`] or their mean and population sd.
//! - [`LaneEnsemble::rho`] / [`LaneEnsemble::cell_rho`] give ρ of the Jacobian at each
//!   run's fixed point, solved in the same lanes (`stability.rs`: damped Newton with a
//!   per-lane convergence mask, then `ρ = √(a² + (κλσ)²)` with σ in closed form for
//!   K ≤ 6), falling back per run to the scalar engine where the lanes do not apply
//!   ([`RhoMethod`] says which).
//!
//! Lanes: four runs per vector ([`wide::f64x4`]; on x86_64 with AVX2 and FMA detected at
//! run time, 256-bit FMA code). Runs of the same K are packed member-major: lane `l` of
//! a group is the run of cell `c₀ + l` on one member, so that the lanes of a group follow
//! similar trajectories and reach the stationary exit together (see `kernel.rs` for the
//! round and the accumulators). Each lane has its own P, x₀, μ₀, a, κ and λ, so any
//! mixture of runs can share a group. K = 2..=8 are compiled with K fixed (loops unrolled,
//! state in registers); other K (up to [`MAX_K`]) use the same code with K at run time.
//!
//! Agreement with the scalar engine ([`crate::dynamics::run_ipo_into`] followed by
//! [`crate::dynamics::Metrics::of`]): not bit for bit (a polynomial `exp` within about
//! 1 ulp, FMA, deferred normalisation, a one-pass variance), but every metric within
//! rounding where the run is stable: the tests check 1e-9 on runs with ρ < 1 and 1e-6
//! everywhere (see `tests/lanes.rs`); ρ likewise against `MrsRun::stability`.

mod kernel;
mod simd;
mod stability;

use serde::Serialize;

use crate::dynamics::{DynamicsError, MrsParams, Verdict, MAX_T};
use crate::preference::PreferenceMatrix;
use crate::simplex::log_softmax_in_place;
use kernel::{run_group, GroupIn, Plan, STATE_VECS};
use simd::{Lane, MAX_W};
pub use stability::{RhoMethod, RhoValue, MAX_NEWTON_LANES, RHO_LANES_MAX_K};

/// Largest K the kernel accepts (that of [`PreferenceMatrix`]); the smallest is 2.
pub const MAX_K: usize = crate::preference::MAX_K;

/// One ensemble member as given to [`LaneEnsemble::new`].
#[derive(Debug, Clone, Copy)]
pub struct Member<'a> {
    pub p: &'a PreferenceMatrix,
    /// `log π₀` (up to an additive constant): the initial policy and the base reference.
    pub x0: &'a [f64],
    /// μ₀, the offline sampling distribution (entries ≥ 0).
    pub mu0: &'a [f64],
}

/// One run: a member and the parameters.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Run {
    pub member: usize,
    pub params: MrsParams,
}

/// Which accumulators a batch needs. The final entropy and the last step are always
/// computed (they cost nothing per round).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Wanted {
    /// The time-averaged variance.
    pub variance: bool,
    /// The verdict and the late amplitude (per-response extrema over the last half).
    pub verdict: bool,
}

impl Wanted {
    pub const ALL: Wanted = Wanted {
        variance: true,
        verdict: true,
    };
}

/// The metrics of one run, as [`crate::dynamics::Metrics::of`] defines them.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct RunMetrics {
    /// `V = (1/K) Σ_i Var_{t=B..T} π_t(i)` (population variance); NaN when not wanted.
    pub variance: f64,
    /// `H(π_T)` in nats.
    pub final_entropy: f64,
    /// `‖π_T − π_{T−1}‖₁` (0 when T = 0).
    pub last_step: f64,
    /// `max_i (max − min of π_t(i) over t ≥ T/2)`; NaN when the verdict is not wanted.
    pub late_amplitude: f64,
    /// [`crate::dynamics::verdict`]; `None` when not wanted.
    pub verdict: Option<Verdict>,
}

impl Default for RunMetrics {
    fn default() -> Self {
        RunMetrics {
            variance: f64::NAN,
            final_entropy: f64::NAN,
            last_step: f64::NAN,
            late_amplitude: f64::NAN,
            verdict: None,
        }
    }
}

/// The number a phase cell shows per run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum LaneMetric {
    /// The time-averaged variance V.
    Variance,
    /// `H(π_T)` in nats.
    FinalEntropy,
    /// 1 when the verdict is "oscillating", else 0 (a cell mean is the share oscillating).
    Oscillating,
}

impl LaneMetric {
    /// What the batch must accumulate for this metric.
    pub fn wanted(self) -> Wanted {
        Wanted {
            variance: self == LaneMetric::Variance,
            verdict: self == LaneMetric::Oscillating,
        }
    }

    /// This metric of `m`.
    pub fn value(self, m: &RunMetrics) -> f64 {
        match self {
            LaneMetric::Variance => m.variance,
            LaneMetric::FinalEntropy => m.final_entropy,
            LaneMetric::Oscillating => f64::from(u8::from(m.verdict == Some(Verdict::Oscillating))),
        }
    }
}

/// Mean and population standard deviation of a cell over the members.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct CellStat {
    pub mean: f64,
    pub sd: f64,
}

/// The code the kernel runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Backend {
    /// [`wide::f64x4`] as compiled for the target (SSE2 on baseline x86_64, simd128 on
    /// wasm32 built with `+simd128`, scalar elsewhere).
    Portable,
    /// 256-bit AVX2 + FMA, x86_64 only, chosen at run time when the CPU has both.
    Avx2Fma,
}

impl Backend {
    /// The fastest backend this CPU runs.
    pub fn detect() -> Backend {
        if Backend::Avx2Fma.is_available() {
            Backend::Avx2Fma
        } else {
            Backend::Portable
        }
    }

    /// Whether this CPU runs `self`.
    pub fn is_available(self) -> bool {
        match self {
            Backend::Portable => true,
            #[cfg(target_arch = "x86_64")]
            Backend::Avx2Fma => {
                std::is_x86_feature_detected!("avx2") && std::is_x86_feature_detected!("fma")
            }
            #[cfg(not(target_arch = "x86_64"))]
            Backend::Avx2Fma => false,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Backend::Portable => "portable (wide::f64x4)",
            Backend::Avx2Fma => "AVX2+FMA (runtime-detected)",
        }
    }
}

/// Why a batch cannot be run.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum LanesError {
    #[error("member {member}: K = {k}; the lanes need 2 ≤ K ≤ {MAX_K}")]
    BadK { member: usize, k: usize },
    #[error("member {member}: {name} has {got} entries for K = {k}")]
    BadLength {
        member: usize,
        name: &'static str,
        got: usize,
        k: usize,
    },
    #[error("member {member}: {name}[{index}] = {value} is not allowed (x₀ must be finite, μ₀ finite and ≥ 0)")]
    BadValue {
        member: usize,
        name: &'static str,
        index: usize,
        value: f64,
    },
    #[error("T = {rounds} rounds; at most {max}")]
    TooManyRounds { rounds: usize, max: usize },
    #[error("run {run} names member {member}, but there are {members}")]
    NoSuchMember {
        run: usize,
        member: usize,
        members: usize,
    },
    #[error("run {run}: {source}")]
    BadParams { run: usize, source: DynamicsError },
}

/// A member prepared for the lanes.
#[derive(Debug, Clone)]
struct Prepared {
    k: usize,
    /// P row-major.
    p: Vec<f64>,
    /// `x₀` as given (the anchor `(1−a) x₀` uses it, as the scalar engine does).
    x0: Vec<f64>,
    /// `log_softmax(x₀)`.
    x0n: Vec<f64>,
    /// `exp(log_softmax(x₀))` = π₀, bit for bit the scalar engine's first row.
    pi0: Vec<f64>,
    mu0: Vec<f64>,
    /// P for the scalar fallback of ρ.
    matrix: PreferenceMatrix,
    /// `P μ₀` and `P π₀` (the fixed point's offline part and start).
    p_mu0: Vec<f64>,
    p_pi0: Vec<f64>,
}

/// An ensemble prepared for the lanes, with T and B: feed it runs or cells.
#[derive(Debug, Clone)]
pub struct LaneEnsemble {
    members: Vec<Prepared>,
    rounds: usize,
    burn_in: usize,
    backend: Backend,
}

impl LaneEnsemble {
    /// Checks and prepares the members; T = `rounds` (at most [`MAX_T`]), burn-in
    /// `burn_in` (clamped to T, as [`crate::dynamics::time_averaged_variance`] does). The
    /// backend is [`Backend::detect`].
    pub fn new(members: &[Member<'_>], rounds: usize, burn_in: usize) -> Result<Self, LanesError> {
        if rounds > MAX_T {
            return Err(LanesError::TooManyRounds { rounds, max: MAX_T });
        }
        let prepared = members
            .iter()
            .enumerate()
            .map(|(member, m)| prepare(member, m))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(LaneEnsemble {
            members: prepared,
            rounds,
            burn_in: burn_in.min(rounds),
            backend: Backend::detect(),
        })
    }

    /// Uses `backend` when this CPU runs it (else [`Backend::Portable`]).
    pub fn with_backend(mut self, backend: Backend) -> Self {
        self.backend = if backend.is_available() {
            backend
        } else {
            Backend::Portable
        };
        self
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Number of members.
    pub fn members(&self) -> usize {
        self.members.len()
    }

    /// T.
    pub fn rounds(&self) -> usize {
        self.rounds
    }

    /// B (clamped to T).
    pub fn burn_in(&self) -> usize {
        self.burn_in
    }

    /// The metrics of every run, in the order of `runs`.
    pub fn run(&self, runs: &[Run], wanted: Wanted) -> Result<Vec<RunMetrics>, LanesError> {
        let mut out = Vec::new();
        self.run_into(runs, wanted, &mut out)?;
        Ok(out)
    }

    /// [`LaneEnsemble::run`] into `out` (cleared first; its allocation is reused).
    pub fn run_into(
        &self,
        runs: &[Run],
        wanted: Wanted,
        out: &mut Vec<RunMetrics>,
    ) -> Result<(), LanesError> {
        self.check_runs(runs)?;
        out.clear();
        out.resize(runs.len(), RunMetrics::default());
        let plan = Plan {
            rounds: self.rounds,
            burn_in: self.burn_in,
            variance: wanted.variance,
            windows: wanted.verdict,
        };
        self.for_each_k(runs, |k, idx| self.dispatch(k, runs, idx, &plan, out));
        Ok(())
    }

    /// `ρ(J)` at the fixed point of every run (NaN where `a = 1`: no fixed point), in the
    /// order of `runs`, with how it was found: in lanes where they apply and converge, else
    /// by the scalar engine (`MrsRun::stability`). Within rounding of the scalar engine
    /// (see the module `stability` of `lanes`), and independent of the batching.
    pub fn rho(&self, runs: &[Run]) -> Result<Vec<RhoValue>, LanesError> {
        let mut out = Vec::new();
        self.rho_into(runs, &mut out)?;
        Ok(out)
    }

    /// [`LaneEnsemble::rho`] into `out` (cleared first; its allocation is reused).
    pub fn rho_into(&self, runs: &[Run], out: &mut Vec<RhoValue>) -> Result<(), LanesError> {
        self.check_runs(runs)?;
        out.clear();
        out.resize(runs.len(), RhoValue::default());
        self.for_each_k(runs, |k, idx| {
            if k <= RHO_LANES_MAX_K {
                self.dispatch_rho(k, runs, idx, out);
            } else {
                for &n in idx {
                    out[n] = stability::scalar_rho(&self.members[runs[n].member], &runs[n].params);
                }
            }
        });
        Ok(())
    }

    /// Per cell and member `ρ(J)`: `out[c · members + m]` is member m at `cells[c]` (NaN
    /// where `a = 1`).
    pub fn cell_rho(&self, cells: &[MrsParams]) -> Result<Vec<f64>, LanesError> {
        let runs = self.cell_runs(cells);
        let values = self.rho(&runs)?;
        let n_members = self.members.len();
        let mut out = vec![f64::NAN; cells.len() * n_members];
        for (n, v) in values.iter().enumerate() {
            let (member, cell) = (n / cells.len(), n % cells.len());
            out[cell * n_members + member] = v.rho;
        }
        Ok(out)
    }

    /// Checks that every run names a member and has valid parameters.
    fn check_runs(&self, runs: &[Run]) -> Result<(), LanesError> {
        for (run, r) in runs.iter().enumerate() {
            if r.member >= self.members.len() {
                return Err(LanesError::NoSuchMember {
                    run,
                    member: r.member,
                    members: self.members.len(),
                });
            }
            r.params
                .validate()
                .map_err(|source| LanesError::BadParams { run, source })?;
        }
        Ok(())
    }

    /// Calls `f(k, idx)` for each K with `idx` the indices of the runs of that K (runs of
    /// one K share groups; members usually all have the same K).
    fn for_each_k(&self, runs: &[Run], mut f: impl FnMut(usize, &[usize])) {
        let mut ks: Vec<usize> = self.members.iter().map(|m| m.k).collect();
        ks.sort_unstable();
        ks.dedup();
        let mut idx = Vec::with_capacity(runs.len());
        for k in ks {
            idx.clear();
            idx.extend((0..runs.len()).filter(|&n| self.members[runs[n].member].k == k));
            if !idx.is_empty() {
                f(k, &idx);
            }
        }
    }

    /// The runs of `cells × members` in the order the lanes take them: member-major
    /// (member m, then the cells in the given order).
    fn cell_runs(&self, cells: &[MrsParams]) -> Vec<Run> {
        let mut runs = Vec::with_capacity(cells.len() * self.members.len());
        for member in 0..self.members.len() {
            runs.extend(cells.iter().map(|&params| Run { member, params }));
        }
        runs
    }

    /// Per cell and member the value of `metric`: `out[c · members + m]` is member m at
    /// `cells[c]`. Cells may be any subset of a grid, in any order.
    pub fn cell_values(
        &self,
        cells: &[MrsParams],
        metric: LaneMetric,
    ) -> Result<Vec<f64>, LanesError> {
        self.cell_map(cells, metric.wanted(), f64::NAN, |m| metric.value(m))
    }

    /// Per cell and member the verdict of the run, cell-major as [`Self::cell_values`].
    pub fn cell_verdicts(&self, cells: &[MrsParams]) -> Result<Vec<Option<Verdict>>, LanesError> {
        let wanted = LaneMetric::Oscillating.wanted();
        self.cell_map(cells, wanted, None, |m| m.verdict)
    }

    /// `f` of every run of `cells × members`, cell-major: `out[c · members + m]`.
    fn cell_map<T: Copy>(
        &self,
        cells: &[MrsParams],
        wanted: Wanted,
        empty: T,
        f: impl Fn(&RunMetrics) -> T,
    ) -> Result<Vec<T>, LanesError> {
        let runs = self.cell_runs(cells);
        let metrics = self.run(&runs, wanted)?;
        let n_members = self.members.len();
        let mut out = vec![empty; cells.len() * n_members];
        for (n, m) in metrics.iter().enumerate() {
            let (member, cell) = (n / cells.len(), n % cells.len());
            out[cell * n_members + member] = f(m);
        }
        Ok(out)
    }

    /// Per cell the mean and the population sd of `metric` over the members (two-pass,
    /// in member order, as the phase sweep computes them). No members: NaN.
    pub fn cell_stats(
        &self,
        cells: &[MrsParams],
        metric: LaneMetric,
    ) -> Result<Vec<CellStat>, LanesError> {
        let values = self.cell_values(cells, metric)?;
        let n_members = self.members.len().max(1);
        Ok(values
            .chunks(n_members)
            .map(mean_and_sd)
            .chain(std::iter::repeat_n(
                CellStat {
                    mean: f64::NAN,
                    sd: f64::NAN,
                },
                if self.members.is_empty() {
                    cells.len()
                } else {
                    0
                },
            ))
            .collect())
    }

    /// Runs `idx` (all of K = `k`) on the backend.
    fn dispatch(&self, k: usize, runs: &[Run], idx: &[usize], plan: &Plan, out: &mut [RunMetrics]) {
        let batch = Batch {
            members: &self.members,
            runs,
            idx,
            plan,
        };
        match self.backend {
            #[cfg(target_arch = "x86_64")]
            Backend::Avx2Fma => {
                // SAFETY: `with_backend` and `new` only keep `Avx2Fma` when
                // `is_x86_feature_detected!` reported both AVX2 and FMA on this CPU, which
                // is the whole contract of a `#[target_feature(enable = "avx2,fma")]`
                // function.
                unsafe { avx::run_batch(k, &batch, out) }
            }
            _ => run_batch::<wide::f64x4>(k, &batch, out),
        }
    }

    /// ρ of the runs `idx` (all of K = `k` ≤ [`RHO_LANES_MAX_K`]) on the backend.
    fn dispatch_rho(&self, k: usize, runs: &[Run], idx: &[usize], out: &mut [RhoValue]) {
        let batch = (self.members.as_slice(), runs);
        match self.backend {
            #[cfg(target_arch = "x86_64")]
            Backend::Avx2Fma => {
                // SAFETY: as in `dispatch`: `Avx2Fma` is only kept when AVX2 and FMA were
                // detected on this CPU.
                unsafe { avx::rho_batch(k, batch, idx, out) }
            }
            _ => rho_batch::<wide::f64x4>(k, batch, idx, out),
        }
    }
}

/// Mean and population sd, two-pass (the phase sweep's formula).
fn mean_and_sd(v: &[f64]) -> CellStat {
    let n = v.len() as f64;
    let mean = v.iter().sum::<f64>() / n;
    let var = v.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / n;
    CellStat {
        mean,
        sd: var.sqrt(),
    }
}

fn prepare(member: usize, m: &Member<'_>) -> Result<Prepared, LanesError> {
    let k = m.p.k();
    if !(2..=MAX_K).contains(&k) {
        return Err(LanesError::BadK { member, k });
    }
    for (name, v) in [("x0", m.x0), ("mu0", m.mu0)] {
        if v.len() != k {
            return Err(LanesError::BadLength {
                member,
                name,
                got: v.len(),
                k,
            });
        }
    }
    let bad = |name, index, value| LanesError::BadValue {
        member,
        name,
        index,
        value,
    };
    if let Some((i, &v)) = m.x0.iter().enumerate().find(|(_, v)| !v.is_finite()) {
        return Err(bad("x0", i, v));
    }
    if let Some((i, &v)) = (m.mu0.iter().enumerate()).find(|(_, v)| !(v.is_finite() && **v >= 0.0))
    {
        return Err(bad("mu0", i, v));
    }
    let mut x0n = m.x0.to_vec();
    log_softmax_in_place(&mut x0n);
    let pi0: Vec<f64> = x0n.iter().map(|v| v.exp()).collect();
    let (mut p_mu0, mut p_pi0) = (vec![0.0; k], vec![0.0; k]);
    m.p.mul_vec_into(m.mu0, &mut p_mu0);
    m.p.mul_vec_into(&pi0, &mut p_pi0);
    Ok(Prepared {
        k,
        p: m.p.as_slice().to_vec(),
        x0: m.x0.to_vec(),
        pi0,
        x0n,
        mu0: m.mu0.to_vec(),
        matrix: m.p.clone(),
        p_mu0,
        p_pi0,
    })
}

/// A batch of runs of one K.
struct Batch<'a> {
    members: &'a [Prepared],
    runs: &'a [Run],
    /// The runs to do, indices into `runs` (and `out`).
    idx: &'a [usize],
    plan: &'a Plan,
}

/// Fills the lane inputs of the group made of `lanes` (at most `L::W` run indices; a short
/// group repeats its last run): `p` gets `k²` vectors, `v` gets `3k`; returns a and κλ.
#[inline(always)]
fn fill_group<L: Lane>(
    batch: &Batch<'_>,
    lanes: &[usize],
    k: usize,
    p: &mut [L],
    v: &mut [L],
) -> (L, L) {
    let w = L::W.min(MAX_W);
    let mut runs: [&Run; MAX_W] = [&batch.runs[lanes[0]]; MAX_W];
    for (l, r) in runs.iter_mut().enumerate().take(w) {
        *r = &batch.runs[lanes[l.min(lanes.len() - 1)]];
    }
    let member = |l: usize| &batch.members[runs[l].member];
    let mut tmp = [0.0; MAX_W];
    for (n, pv) in p.iter_mut().enumerate().take(k * k) {
        for l in 0..w {
            tmp[l] = member(l).p[n];
        }
        *pv = L::load(&tmp);
    }
    for i in 0..k {
        for l in 0..w {
            tmp[l] = member(l).x0n[i];
        }
        v[i] = L::load(&tmp);
        for l in 0..w {
            tmp[l] = member(l).pi0[i];
        }
        v[k + i] = L::load(&tmp);
        for l in 0..w {
            let (params, m) = (&runs[l].params, member(l));
            // (1−a) x₀ + κ (P d)_i with d = (1−λ) μ₀, the offline part of κ P μ.
            let pd: f64 = (m.p[i * k..(i + 1) * k].iter().zip(&m.mu0))
                .map(|(pij, mu)| pij * ((1.0 - params.lam) * mu))
                .sum();
            tmp[l] = (1.0 - params.a()) * m.x0[i] + params.kappa() * pd;
        }
        v[2 * k + i] = L::load(&tmp);
    }
    let mut coef = [[0.0; MAX_W]; 2];
    for l in 0..w {
        let params = &runs[l].params;
        coef[0][l] = params.a();
        coef[1][l] = params.kappa() * params.lam;
    }
    (L::load(&coef[0]), L::load(&coef[1]))
}

/// Runs a batch of groups with K fixed at compile time (`K ≥ 1`) or, for `K = 0`, `k` at
/// run time with heap buffers.
#[inline(always)]
fn run_groups<L: Lane, const K: usize>(k: usize, batch: &Batch<'_>, out: &mut [RunMetrics]) {
    let mut metrics = [RunMetrics::default(); MAX_W];
    let emit = |lanes: &[usize], metrics: &[RunMetrics], out: &mut [RunMetrics]| {
        for (&n, m) in lanes.iter().zip(metrics) {
            out[n] = *m;
        }
    };
    if K > 0 {
        let mut p = [[L::splat(0.0); K]; K];
        let mut v = [[L::splat(0.0); K]; 3];
        let mut state = [[L::splat(0.0); K]; STATE_VECS];
        for lanes in batch.idx.chunks(L::W) {
            let (p, v) = (p.as_flattened_mut(), v.as_flattened_mut());
            let coef = fill_group(batch, lanes, K, p, v);
            let g = GroupIn::new(p, v, K, coef);
            run_group(K, &g, state.as_flattened_mut(), batch.plan, &mut metrics);
            emit(lanes, &metrics, out);
        }
    } else {
        let zero = L::splat(0.0);
        let (mut p, mut v, mut state) = (
            vec![zero; k * k],
            vec![zero; 3 * k],
            vec![zero; STATE_VECS * k],
        );
        for lanes in batch.idx.chunks(L::W) {
            let coef = fill_group(batch, lanes, k, &mut p, &mut v);
            let g = GroupIn::new(&p, &v, k, coef);
            run_group(k, &g, &mut state, batch.plan, &mut metrics);
            emit(lanes, &metrics, out);
        }
    }
}

/// The batch on lane type `L`, K-specialised for 2..=8.
#[inline(always)]
#[cfg(not(target_arch = "wasm32"))]
fn run_batch<L: Lane>(k: usize, batch: &Batch<'_>, out: &mut [RunMetrics]) {
    match k {
        2 => run_groups::<L, 2>(k, batch, out),
        3 => run_groups::<L, 3>(k, batch, out),
        4 => run_groups::<L, 4>(k, batch, out),
        5 => run_groups::<L, 5>(k, batch, out),
        6 => run_groups::<L, 6>(k, batch, out),
        7 => run_groups::<L, 7>(k, batch, out),
        8 => run_groups::<L, 8>(k, batch, out),
        _ => run_groups::<L, 0>(k, batch, out),
    }
}

/// On the page the module's size counts too: K fixed for the paper's K = 3 (the
/// rock–paper–scissors cycle), 4 (Figures 3 and 4) and 5 (the default ensemble); other K
/// at run time (the same results).
#[cfg(target_arch = "wasm32")]
fn run_batch<L: Lane>(k: usize, batch: &Batch<'_>, out: &mut [RunMetrics]) {
    match k {
        3 => run_groups_of::<L, 3>(k, batch, out),
        4 => run_groups_of::<L, 4>(k, batch, out),
        5 => run_groups_of::<L, 5>(k, batch, out),
        _ => run_groups_of::<L, 0>(k, batch, out),
    }
}

/// [`run_groups`] as a function of its own per K: the browser optimises a whole function
/// once it is hot, so only the K that runs is compiled (about a quarter of the work of
/// one function holding every K, paid on every page load).
#[cfg(target_arch = "wasm32")]
#[inline(never)]
fn run_groups_of<L: Lane, const K: usize>(k: usize, batch: &Batch<'_>, out: &mut [RunMetrics]) {
    run_groups::<L, K>(k, batch, out);
}

/// ρ of a batch on lane type `L`, K-specialised for 2..=8 (`k` ≤ [`RHO_LANES_MAX_K`]).
#[inline(always)]
#[cfg(not(target_arch = "wasm32"))]
fn rho_batch<L: Lane>(k: usize, batch: (&[Prepared], &[Run]), idx: &[usize], out: &mut [RhoValue]) {
    use stability::rho_groups;
    match k {
        2 => rho_groups::<L, 2>(k, batch, idx, out),
        3 => rho_groups::<L, 3>(k, batch, idx, out),
        4 => rho_groups::<L, 4>(k, batch, idx, out),
        5 => rho_groups::<L, 5>(k, batch, idx, out),
        6 => rho_groups::<L, 6>(k, batch, idx, out),
        7 => rho_groups::<L, 7>(k, batch, idx, out),
        8 => rho_groups::<L, 8>(k, batch, idx, out),
        _ => rho_groups::<L, 0>(k, batch, idx, out),
    }
}

/// ρ on the page, where the module's size counts: K at run time for every K (natively
/// about 16 % slower than K fixed, for a ρ that is a fifth of a cell's cost; each K fixed
/// would add about 5 KB gzipped).
#[cfg(target_arch = "wasm32")]
fn rho_batch<L: Lane>(k: usize, batch: (&[Prepared], &[Run]), idx: &[usize], out: &mut [RhoValue]) {
    stability::rho_groups::<L, 0>(k, batch, idx, out);
}

#[cfg(target_arch = "x86_64")]
mod avx {
    use super::simd::X4;
    use super::{Batch, Prepared, RhoValue, Run, RunMetrics};

    /// [`super::rho_batch`] compiled for AVX2 + FMA on [`X4`] lanes.
    ///
    /// # Safety
    /// The CPU must support AVX2 and FMA (checked with `is_x86_feature_detected!`).
    #[target_feature(enable = "avx2,fma")]
    pub(super) unsafe fn rho_batch(
        k: usize,
        batch: (&[Prepared], &[Run]),
        idx: &[usize],
        out: &mut [RhoValue],
    ) {
        super::rho_batch::<X4>(k, batch, idx, out);
    }

    /// [`super::run_batch`] compiled for AVX2 + FMA on [`X4`] lanes.
    ///
    /// # Safety
    /// The CPU must support AVX2 and FMA (checked with `is_x86_feature_detected!`).
    #[target_feature(enable = "avx2,fma")]
    pub(super) unsafe fn run_batch(k: usize, batch: &Batch<'_>, out: &mut [RunMetrics]) {
        super::run_batch::<X4>(k, batch, out);
    }

    /// [`super::simd::exp_lanes`] compiled for AVX2 + FMA.
    ///
    /// # Safety
    /// As [`run_batch`].
    #[target_feature(enable = "avx2,fma")]
    pub(super) unsafe fn exp_slice(x: &mut [f64]) {
        super::simd::exp_lanes::<X4>(x);
    }
}

/// `e^x` for every element of `x`, with the kernel's polynomial `exp` (within a few ulp of
/// `f64::exp` on `[-708, 709]`; below `-745.2` exactly 0, between `-745.2` and `-708`
/// `exp(-708)` instead of a subnormal number, above 709 `exp(709)`).
pub fn exp_slice(x: &mut [f64], backend: Backend) {
    match backend {
        #[cfg(target_arch = "x86_64")]
        Backend::Avx2Fma if backend.is_available() => {
            // SAFETY: AVX2 and FMA were just detected on this CPU.
            unsafe { avx::exp_slice(x) }
        }
        _ => simd::exp_lanes::<wide::f64x4>(x),
    }
}

/// Per cell the mean and population sd of `metric` over `members`, each run T = `rounds`
/// rounds with burn-in `burn_in`: a one-call [`LaneEnsemble::cell_stats`].
pub fn fill_cells(
    members: &[Member<'_>],
    cells: &[MrsParams],
    rounds: usize,
    burn_in: usize,
    metric: LaneMetric,
) -> Result<Vec<CellStat>, LanesError> {
    LaneEnsemble::new(members, rounds, burn_in)?.cell_stats(cells, metric)
}
