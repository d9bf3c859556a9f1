//! MRS-IPO / MRS-DPO: repeated preference optimisation on the model's own samples.
//!
//! Round t (the paper's names): `log π_ref,t = α log π_t + (1−α) log π₀`,
//! `μ_t = λ π_t + (1−λ) μ₀`, `π̃ = softmax(log π_ref,t + β P μ_t)` (IPO) or
//! `softmax(log π_ref,t + z*(P, μ_t)/β)` (DPO), `log π_{t+1} = (1−η) log π_t + η log π̃`.
//! Collapsed (IPO): `x_{t+1} = logsoftmax(a x_t + (1−a) x₀ + κ P μ_t)`, `a = 1 − η(1−α)`,
//! `κ = ηβ`.

use serde::{Deserialize, Serialize};

use crate::dpo::{dpo_has_finite_optimum, dpo_newton};
use crate::preference::PreferenceMatrix;
use crate::simplex::{entropy, l1_distance, log_softmax_in_place};
use crate::social_choice::top_component;
use crate::stability::{jacobian_spectral_radius, solve_fixed_point, Stability};

/// Largest number of rounds.
pub const MAX_T: usize = 20_000;

/// The one-shot solver inside each round.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Solver {
    #[default]
    Ipo,
    Dpo,
}

/// The paper's parameters: α (reference weight: how far the reference follows the current
/// policy), β (IPO strength 1/τ), λ (on-policy share of the sampled pairs) and η (update
/// step, our extension; η = 1 is the paper).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct MrsParams {
    pub alpha: f64,
    pub beta: f64,
    pub lam: f64,
    pub eta: f64,
}

impl MrsParams {
    /// `a = 1 − η(1−α)`.
    pub fn a(&self) -> f64 {
        1.0 - self.eta * (1.0 - self.alpha)
    }
    /// `κ = ηβ`.
    pub fn kappa(&self) -> f64 {
        self.eta * self.beta
    }
    /// Checks α, λ ∈ [0, 1], β > 0, η ∈ (0, 1], all finite.
    pub fn validate(&self) -> Result<(), DynamicsError> {
        let check = |name: &'static str, v: f64, ok: bool| {
            if v.is_finite() && ok {
                Ok(())
            } else {
                Err(DynamicsError::BadParameter { name, value: v })
            }
        };
        check("alpha", self.alpha, (0.0..=1.0).contains(&self.alpha))?;
        check("beta", self.beta, self.beta > 0.0)?;
        check("lam", self.lam, (0.0..=1.0).contains(&self.lam))?;
        check("eta", self.eta, self.eta > 0.0 && self.eta <= 1.0)?;
        Ok(())
    }
}

/// Why a run cannot be made.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DynamicsError {
    #[error("{name} = {value} is out of range")]
    BadParameter { name: &'static str, value: f64 },
    #[error("MRS-DPO is undefined: DPO has no finite optimum on this P; responses {top_component:?} beat all others with probability 1 and the policy escapes to them")]
    DpoNoFiniteOptimum { top_component: Vec<usize> },
    #[error("{name} has {got} entries for K = {k}")]
    BadLength {
        name: &'static str,
        got: usize,
        k: usize,
    },
}

/// What a run did, judged on its end.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// The last step is below 1e-9 in L1 (and the run is neither oscillating nor collapsing).
    Converged,
    /// The late swing (last quarter) is ≥ 1e-4 and not shrinking (≥ 0.9 × the third quarter's).
    Oscillating,
    /// `max π_T > 1 − 1e-3`.
    Collapsing,
    /// Still moving but neither of the above.
    NotSettled,
}

impl Verdict {
    pub fn label(self) -> &'static str {
        match self {
            Verdict::Converged => "converged",
            Verdict::Oscillating => "oscillating",
            Verdict::Collapsing => "collapsing",
            Verdict::NotSettled => "not settled",
        }
    }
}

/// Policies π₀..π_T of one run, row-major `(T+1) × K`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Trajectory {
    pub k: usize,
    pub policies: Vec<f64>,
}

impl Trajectory {
    /// Number of rounds T.
    pub fn rounds(&self) -> usize {
        self.policies.len() / self.k - 1
    }
    /// π_t.
    pub fn policy(&self, t: usize) -> &[f64] {
        &self.policies[t * self.k..(t + 1) * self.k]
    }
    /// π_T.
    pub fn last(&self) -> &[f64] {
        self.policy(self.rounds())
    }
    /// `H(π_t)` for every t.
    pub fn entropies(&self) -> Vec<f64> {
        (0..=self.rounds())
            .map(|t| entropy(self.policy(t)))
            .collect()
    }
}

/// Metrics of a trajectory (MODEL.md).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Metrics {
    /// `H(π_T)` in nats.
    pub final_entropy: f64,
    /// `H(π_T)/log K`.
    pub final_entropy_normalised: f64,
    /// `V = (1/K) Σ_i Var_{t=B..T} π_t(i)` (population variance).
    pub variance: f64,
    /// Burn-in B used for `variance`.
    pub burn_in: usize,
    /// `max_i (max − min of π_t(i) over t ≥ T/2)`.
    pub late_amplitude: f64,
    /// `‖π_T − π_{T−1}‖₁`.
    pub last_step: f64,
    pub verdict: Verdict,
}

/// `(1/K) Σ_i Var_{t=B..T} π_t(i)`, two-pass population variance.
pub fn time_averaged_variance(policies: &[f64], k: usize, burn_in: usize) -> f64 {
    let n_total = policies.len() / k;
    let b = burn_in.min(n_total.saturating_sub(1));
    let rows = &policies[b * k..];
    let n = (n_total - b) as f64;
    let mut total = 0.0;
    for i in 0..k {
        let mean = rows.iter().skip(i).step_by(k).sum::<f64>() / n;
        let var = rows
            .iter()
            .skip(i)
            .step_by(k)
            .map(|v| (v - mean) * (v - mean))
            .sum::<f64>()
            / n;
        total += var;
    }
    total / k as f64
}

/// `max_i (max − min of π_t(i) over t ∈ [from, to])`.
fn swing(policies: &[f64], k: usize, from: usize, to: usize) -> f64 {
    (0..k)
        .map(|i| {
            let (lo, hi) = (from..=to).fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), t| {
                let v = policies[t * k + i];
                (lo.min(v), hi.max(v))
            });
            hi - lo
        })
        .fold(0.0, f64::max)
}

/// The verdict for `policies` (`(T+1) × K`), tested in this order: oscillating (the swing
/// over the last quarter is ≥ 1e-4 and ≥ 0.9 × the third quarter's: a sustained cycle, even
/// one that passes near the vertices), collapsing (`max π_T > 1 − 1e-3`), converged (the
/// last step is below 1e-9 in L1), else not settled.
pub fn verdict(policies: &[f64], k: usize) -> Verdict {
    let t_end = policies.len() / k - 1;
    let last = &policies[t_end * k..];
    if t_end >= 8 {
        let q3 = swing(policies, k, t_end / 2, 3 * t_end / 4);
        let q4 = swing(policies, k, 3 * t_end / 4, t_end);
        if q4 >= 1e-4 && q4 >= 0.9 * q3 {
            return Verdict::Oscillating;
        }
    }
    if last.iter().copied().fold(0.0, f64::max) > 1.0 - 1e-3 {
        return Verdict::Collapsing;
    }
    if t_end > 0 && l1_distance(last, &policies[(t_end - 1) * k..t_end * k]) < 1e-9 {
        return Verdict::Converged;
    }
    Verdict::NotSettled
}

impl Metrics {
    pub fn of(traj: &Trajectory, burn_in: usize) -> Self {
        let k = traj.k;
        let t_end = traj.rounds();
        let last = traj.last();
        let h = entropy(last);
        Metrics {
            final_entropy: h,
            final_entropy_normalised: h / (k as f64).ln(),
            variance: time_averaged_variance(&traj.policies, k, burn_in),
            burn_in: burn_in.min(t_end),
            late_amplitude: swing(&traj.policies, k, t_end / 2, t_end),
            last_step: if t_end == 0 {
                0.0
            } else {
                l1_distance(last, traj.policy(t_end - 1))
            },
            verdict: verdict(&traj.policies, k),
        }
    }
}

/// Whether one step changed nothing that matters: every `|Δπ_i| ≤ 4ε`. From then on the
/// trajectory is constant to machine precision, so its tail can be filled in.
#[inline]
fn is_stationary(a: &[f64], b: &[f64]) -> bool {
    a.iter()
        .zip(b)
        .all(|(x, y)| (x - y).abs() <= 4.0 * f64::EPSILON)
}

/// Reusable buffers for the IPO inner loop.
#[derive(Debug, Default, Clone)]
pub struct IpoWorkspace {
    x: Vec<f64>,
    mu: Vec<f64>,
    pm: Vec<f64>,
    /// `(1−a) x₀`, fixed during a run.
    anchor: Vec<f64>,
    /// `(1−λ) μ₀`, fixed during a run.
    offline: Vec<f64>,
}

/// Runs MRS-IPO from `x0 = log π₀` for `t_max` rounds, writing π₀..π_T into `out`
/// (`(T+1) × K`). When a step leaves π unchanged (to 4ε), the remaining rounds are
/// filled with the current policy instead of iterated. `x0` and `mu0` need K entries
/// (with fewer, every π_t is NaN).
///
/// Each round normalises with `e_i = exp(y_i − m)`, `π_i = e_i / Σe` and
/// `log π_i = (y_i − m) − log Σe` (`m = max y`): K `exp` and one `ln`, which dominate the
/// cost. Small K (2..=8) run an unrolled copy on fixed-size arrays with the same operations
/// in the same order, so every K gives the same bits as the generic loop.
/// The rounds for a K known at compile time. `x` holds `log π₀` (normalised) and
/// `out[..K]` holds π₀ on entry; `out` has `t_max + 1` rows.
#[inline(always)]
fn rounds_fixed<const K: usize>(
    p: &[f64],
    anchor: &[f64],
    offline: &[f64],
    x_in: &[f64],
    (a, kappa, lam): (f64, f64, f64),
    out: &mut [f64],
) {
    let mut rows_p = [[0.0; K]; K];
    let (mut c, mut d, mut x, mut pi) = ([0.0; K], [0.0; K], [0.0; K], [0.0; K]);
    for (i, row) in rows_p.iter_mut().enumerate() {
        row.copy_from_slice(&p[i * K..(i + 1) * K]);
    }
    c.copy_from_slice(&anchor[..K]);
    d.copy_from_slice(&offline[..K]);
    x.copy_from_slice(&x_in[..K]);
    pi.copy_from_slice(&out[..K]);
    let mut rows = out.chunks_exact_mut(K).skip(1);
    while let Some(next) = rows.next() {
        let mut mu = [0.0; K];
        for i in 0..K {
            mu[i] = d[i] + lam * pi[i];
        }
        let mut m = f64::NEG_INFINITY;
        for i in 0..K {
            let pm: f64 = rows_p[i].iter().zip(&mu).map(|(a, b)| a * b).sum();
            let y = a * x[i] + c[i] + kappa * pm;
            x[i] = y;
            m = m.max(y);
        }
        let mut e = [0.0; K];
        let mut s = 0.0;
        for i in 0..K {
            e[i] = (x[i] - m).exp();
            s += e[i];
        }
        let ls = s.ln();
        let mut stationary = true;
        for i in 0..K {
            x[i] = (x[i] - m) - ls;
            let v = e[i] / s;
            stationary &= (pi[i] - v).abs() <= 4.0 * f64::EPSILON;
            pi[i] = v;
        }
        next.copy_from_slice(&pi);
        if stationary {
            for row in rows {
                row.copy_from_slice(&pi);
            }
            break;
        }
    }
}

pub fn run_ipo_into(
    p: &PreferenceMatrix,
    x0: &[f64],
    mu0: &[f64],
    params: &MrsParams,
    t_max: usize,
    ws: &mut IpoWorkspace,
    out: &mut Vec<f64>,
) {
    run_ipo_from_into(p, (x0, x0), mu0, params, t_max, ws, out);
}

/// [`run_ipo_into`] with the initial policy apart from the base reference:
/// `(x0, start)` = (`log π₀`, the base reference of every round's `log π_ref,t`;
/// `log π_start`, the policy of round 0). With `start = x0` it is [`run_ipo_into`], bit for
/// bit. `start` needs K entries too (with fewer, every π_t is NaN).
pub fn run_ipo_from_into(
    p: &PreferenceMatrix,
    (x0, start): (&[f64], &[f64]),
    mu0: &[f64],
    params: &MrsParams,
    t_max: usize,
    ws: &mut IpoWorkspace,
    out: &mut Vec<f64>,
) {
    let k = p.k();
    let (a, kappa, lam) = (params.a(), params.kappa(), params.lam);
    out.clear();
    if x0.len() < k || start.len() < k || mu0.len() < k {
        out.resize((t_max + 1) * k, f64::NAN);
        return;
    }
    out.resize((t_max + 1) * k, 0.0);
    ws.x.clear();
    ws.x.extend_from_slice(&start[..k]);
    log_softmax_in_place(&mut ws.x);
    for i in 0..k {
        out[i] = ws.x[i].exp();
    }
    ws.anchor.clear();
    ws.anchor.extend(x0[..k].iter().map(|v| (1.0 - a) * v));
    ws.offline.clear();
    ws.offline.extend(mu0[..k].iter().map(|v| (1.0 - lam) * v));
    let coef = (a, kappa, lam);
    let (pp, c, d, x) = (p.as_slice(), &ws.anchor[..], &ws.offline[..], &ws.x[..]);
    match k {
        2 => return rounds_fixed::<2>(pp, c, d, x, coef, out),
        3 => return rounds_fixed::<3>(pp, c, d, x, coef, out),
        4 => return rounds_fixed::<4>(pp, c, d, x, coef, out),
        5 => return rounds_fixed::<5>(pp, c, d, x, coef, out),
        6 => return rounds_fixed::<6>(pp, c, d, x, coef, out),
        7 => return rounds_fixed::<7>(pp, c, d, x, coef, out),
        8 => return rounds_fixed::<8>(pp, c, d, x, coef, out),
        _ => {}
    }

    rounds_generic(p, (a, kappa, lam), t_max, ws, out);
}

/// The rounds for any K (the operations of [`rounds_fixed`] on slices). `ws.x` holds
/// `log π₀` and `ws.anchor`, `ws.offline` the fixed terms; `out` has `t_max + 1` rows.
fn rounds_generic(
    p: &PreferenceMatrix,
    (a, kappa, lam): (f64, f64, f64),
    t_max: usize,
    ws: &mut IpoWorkspace,
    out: &mut [f64],
) {
    let k = p.k();
    ws.x.truncate(k);
    ws.mu.resize(k, 0.0);
    ws.pm.resize(k, 0.0);
    let (x, mu, pm) = (&mut ws.x[..], &mut ws.mu[..], &mut ws.pm[..]);
    let (anchor, offline) = (&ws.anchor[..], &ws.offline[..]);
    let mut t = 0;
    while t < t_max {
        let (done, rest) = out.split_at_mut((t + 1) * k);
        let pi_t = &done[t * k..];
        for ((m, d), v) in mu.iter_mut().zip(offline).zip(pi_t) {
            *m = d + lam * v;
        }
        p.mul_vec_into(mu, pm);
        let mut m = f64::NEG_INFINITY;
        for ((xi, ci), pi) in x.iter_mut().zip(anchor).zip(pm.iter()) {
            let y = a * *xi + ci + kappa * pi;
            *xi = y;
            m = m.max(y);
        }
        // e_i = exp(y_i − m), π_i = e_i / Σe, log π_i = (y_i − m) − log Σe: one exp per
        // response and one log per round.
        let next = &mut rest[..k];
        let mut s = 0.0;
        for (xi, n) in x.iter().zip(next.iter_mut()) {
            *n = (xi - m).exp();
            s += *n;
        }
        let ls = s.ln();
        for (xi, n) in x.iter_mut().zip(next.iter_mut()) {
            *xi = (*xi - m) - ls;
            *n /= s;
        }
        t += 1;
        if is_stationary(pi_t, next) {
            let (head, tail) = out.split_at_mut((t + 1) * k);
            let last = &head[t * k..];
            for chunk in tail.chunks_exact_mut(k) {
                chunk.copy_from_slice(last);
            }
            break;
        }
    }
}

/// One configured MRS run: P, π₀ (initial policy and base reference), μ₀, parameters.
#[derive(Debug, Clone)]
pub struct MrsRun<'a> {
    pub p: &'a PreferenceMatrix,
    pub pi0: &'a [f64],
    pub mu0: &'a [f64],
    pub params: MrsParams,
    pub solver: Solver,
    pub rounds: usize,
}

impl MrsRun<'_> {
    fn check(&self) -> Result<(), DynamicsError> {
        let k = self.p.k();
        self.params.validate()?;
        if self.pi0.len() != k {
            return Err(DynamicsError::BadLength {
                name: "pi0",
                got: self.pi0.len(),
                k,
            });
        }
        if self.mu0.len() != k {
            return Err(DynamicsError::BadLength {
                name: "mu0",
                got: self.mu0.len(),
                k,
            });
        }
        Ok(())
    }

    /// Simulates π₀..π_T (T clamped to [`MAX_T`]).
    pub fn simulate(&self) -> Result<Trajectory, DynamicsError> {
        self.simulate_from(self.pi0)
    }

    /// Simulates from the initial policy `start` instead of π₀: round 0 is `start`
    /// (normalised), while π₀ stays the base reference of every round,
    /// `log π_ref,t = α log π_t + (1−α) log π₀`. So `simulate_from(pi0)` is
    /// [`MrsRun::simulate`], and one round from π is the map `F(π)` whose fixed point
    /// [`MrsRun::stability`] finds. `start` needs K strictly positive entries.
    pub fn simulate_from(&self, start: &[f64]) -> Result<Trajectory, DynamicsError> {
        self.check()?;
        let k = self.p.k();
        if start.len() != k {
            return Err(DynamicsError::BadLength {
                name: "start",
                got: start.len(),
                k,
            });
        }
        let rounds = self.rounds.min(MAX_T);
        let x0: Vec<f64> = self.pi0.iter().map(|v| v.ln()).collect();
        let xs: Vec<f64> = start.iter().map(|v| v.ln()).collect();
        let mut policies = Vec::new();
        match self.solver {
            Solver::Ipo => {
                let mut ws = IpoWorkspace::default();
                run_ipo_from_into(
                    self.p,
                    (&x0, &xs),
                    self.mu0,
                    &self.params,
                    rounds,
                    &mut ws,
                    &mut policies,
                );
            }
            Solver::Dpo => {
                if !dpo_has_finite_optimum(self.p) {
                    return Err(DynamicsError::DpoNoFiniteOptimum {
                        top_component: top_component(k, |i, j| self.p.get(i, j) > 0.0),
                    });
                }
                self.dpo_rounds(&x0, xs, rounds, &mut policies)?;
            }
        }
        Ok(Trajectory { k, policies })
    }

    /// The MRS-DPO rounds from `x = log π_start` (base reference `x0 = log π₀`), each
    /// Newton solve warm-started from the previous round's z*; π₀..π_T appended to `out`.
    fn dpo_rounds(
        &self,
        x0: &[f64],
        mut x: Vec<f64>,
        rounds: usize,
        out: &mut Vec<f64>,
    ) -> Result<(), DynamicsError> {
        let k = self.p.k();
        let MrsParams {
            alpha,
            beta,
            lam,
            eta,
        } = self.params;
        log_softmax_in_place(&mut x);
        out.extend(x.iter().map(|v| v.exp()));
        let mut z_prev: Option<Vec<f64>> = None;
        for _ in 0..rounds {
            let pi: Vec<f64> = x.iter().map(|v| v.exp()).collect();
            let mu: Vec<f64> = (0..k)
                .map(|i| (1.0 - lam) * self.mu0[i] + lam * pi[i])
                .collect();
            let (z, _) = dpo_newton(self.p, &mu, z_prev.as_deref()).ok_or_else(|| {
                DynamicsError::DpoNoFiniteOptimum {
                    top_component: vec![],
                }
            })?;
            let mut tilde: Vec<f64> = (0..k)
                .map(|i| (1.0 - alpha) * x0[i] + alpha * x[i] + z[i] / beta)
                .collect();
            log_softmax_in_place(&mut tilde);
            for i in 0..k {
                x[i] = (1.0 - eta) * x[i] + eta * tilde[i];
            }
            log_softmax_in_place(&mut x);
            out.extend(x.iter().map(|v| v.exp()));
            z_prev = Some(z);
        }
        Ok(())
    }

    /// Fixed point of the IPO map and ρ of its Jacobian (`None` when `a = 1`).
    pub fn stability(&self) -> Result<Stability, DynamicsError> {
        self.check()?;
        let a = self.params.a();
        if a >= 1.0 {
            return Ok(Stability {
                fixed_point: None,
                rho: None,
            });
        }
        let x0: Vec<f64> = self.pi0.iter().map(|v| v.ln()).collect();
        let kappa = self.params.kappa();
        let x_star = solve_fixed_point(self.p, &x0, self.mu0, self.params.lam, kappa / (1.0 - a));
        let pi_star: Vec<f64> = x_star.iter().map(|v| v.exp()).collect();
        let rho = jacobian_spectral_radius(self.p, &pi_star, a, kappa, self.params.lam);
        Ok(Stability {
            fixed_point: Some(pi_star),
            rho: Some(rho),
        })
    }
}
