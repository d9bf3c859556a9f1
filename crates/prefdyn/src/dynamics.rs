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
use crate::simplex::{argmax, entropy, l1_distance, log_softmax_in_place};
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
    #[error("this run is MRS-DPO, not MRS-IPO")]
    NotIpo,
    #[error("{name} has {got} entries for K = {k}")]
    BadLength {
        name: &'static str,
        got: usize,
        k: usize,
    },
}

/// What a run did, judged on its end (MODEL.md), tested in this order: oscillating,
/// collapsed, converged, converging, not settled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// The swing over the last quarter of rounds is ≥ 1e-4 and ≥ 0.9 × the third quarter's.
    Oscillating,
    /// `max_i π_T(i) > 1 − 1e-3`: collapsed onto that response.
    Collapsed,
    /// `d_T = ‖π_T − π_{T−1}‖₁ < 1e-6`.
    Converged,
    /// The mean step over the last quarter is < 0.9 × the third quarter's: steps shrink.
    Converging,
    /// Still moving, and the steps are not shrinking.
    NotSettled,
}

/// Below this last step (L1) a run has converged.
pub const CONVERGED_STEP: f64 = 1e-6;
/// Above this share of the mass on one response at round T a run has collapsed onto it.
pub const COLLAPSED_SHARE: f64 = 1.0 - 1e-3;
/// At or above this share of the mass on one response a run is concentrated on it.
pub const CONCENTRATED_SHARE: f64 = 0.9;
/// The smallest late swing that counts as an oscillation.
pub const OSCILLATION_SWING: f64 = 1e-4;
/// The ratio of the last quarter's to the third quarter's (swing or mean step) that
/// separates sustained from shrinking.
pub const SHRINK_RATIO: f64 = 0.9;

impl Verdict {
    pub const ALL: [Verdict; 5] = [
        Verdict::Converged,
        Verdict::Converging,
        Verdict::Oscillating,
        Verdict::Collapsed,
        Verdict::NotSettled,
    ];

    /// The word the page, the CLI and the JSON use.
    pub fn label(self) -> &'static str {
        match self {
            Verdict::Converged => "converged",
            Verdict::Converging => "converging",
            Verdict::Oscillating => "oscillating",
            Verdict::Collapsed => "collapsed",
            Verdict::NotSettled => "not settled",
        }
    }

    /// One sentence: what the word means (shown beside it on the page).
    pub fn explanation(self) -> &'static str {
        match self {
            Verdict::Converged => "Converged: the last round moved the policy by less than 10⁻⁶ (sum of |change| over the responses), so nothing a chart can show still moves.",
            Verdict::Converging => "Converging: the policy still moves by more than 10⁻⁶ per round, but its steps shrink (over the last quarter of the rounds they average under 0.9× the third quarter's).",
            Verdict::Oscillating => "Oscillating: the policy keeps swinging; over the last quarter of the rounds some π_i still ranges over at least 10⁻⁴, no less than 0.9× its range in the third quarter.",
            Verdict::Collapsed => "Collapsed: one response holds more than 99.9 % of the mass at the last round.",
            Verdict::NotSettled => "Not settled: the policy still moves and its steps are not shrinking; more rounds are needed to tell.",
        }
    }

    /// Whether the run settles (converged, converging or collapsed: what the theory's
    /// ρ < 1 predicts).
    pub fn settles(self) -> bool {
        matches!(
            self,
            Verdict::Converged | Verdict::Converging | Verdict::Collapsed
        )
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
    /// `argmax_i π_T(i)` (the first on a tie).
    pub top: usize,
    /// `max_i π_T(i)`.
    pub top_share: f64,
    /// For a converging run: the observed factor r by which the step shrinks per round.
    pub step_ratio: Option<f64>,
    /// For a converging run: about `log(1e-6 / d_T) / log r` more rounds reach 1e-6.
    pub rounds_to_converge: Option<f64>,
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

/// The quarters of rounds `1..=T` the verdict compares: the third `(T/2, 3T/4]` and the
/// last `(3T/4, T]` (round t's step is `d_t = ‖π_t − π_{t−1}‖₁`).
pub fn verdict_windows(t_end: usize) -> ((usize, usize), (usize, usize)) {
    ((t_end / 2, 3 * t_end / 4), (3 * t_end / 4, t_end))
}

/// What the verdict is judged from; the scalar engine and the SIMD lanes both fill it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct VerdictInputs {
    /// T.
    pub t_end: usize,
    /// `max_i (max − min of π_t(i))` over `[T/2, 3T/4]` and over `[3T/4, T]`.
    pub swing3: f64,
    pub swing4: f64,
    /// `Σ d_t` over the third and the last quarter.
    pub steps3: f64,
    pub steps4: f64,
    /// `max_i π_T(i)`.
    pub top_share: f64,
    /// `d_T`.
    pub last_step: f64,
}

/// The verdict, the step ratio per round and the rounds still needed (converging only).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Judgement {
    pub verdict: Verdict,
    pub step_ratio: Option<f64>,
    pub rounds_to_converge: Option<f64>,
}

impl VerdictInputs {
    /// Gathers the inputs from `policies` (`(T+1) × K`).
    pub fn of(policies: &[f64], k: usize) -> VerdictInputs {
        let t_end = policies.len() / k - 1;
        let ((a3, b3), (a4, b4)) = verdict_windows(t_end);
        let step =
            |t: usize| l1_distance(&policies[t * k..(t + 1) * k], &policies[(t - 1) * k..t * k]);
        let steps = |a: usize, b: usize| (a + 1..=b).map(step).sum::<f64>();
        let last = &policies[t_end * k..];
        VerdictInputs {
            t_end,
            swing3: swing(policies, k, a3, b3),
            swing4: swing(policies, k, a4, b4),
            steps3: steps(a3, b3),
            steps4: steps(a4, b4),
            top_share: last.iter().copied().fold(0.0, f64::max),
            last_step: if t_end == 0 { 0.0 } else { step(t_end) },
        }
    }

    /// MODEL.md's verdict, tested in order: oscillating, collapsed, converged, converging,
    /// not settled. Converging also gives the observed step ratio per round `r` (the
    /// quarters' mean steps are about T/4 rounds apart) and `log(1e-6/d_T) / log r`.
    pub fn judge(&self) -> Judgement {
        let plain = |verdict| Judgement {
            verdict,
            step_ratio: None,
            rounds_to_converge: None,
        };
        let ((a3, b3), (a4, b4)) = verdict_windows(self.t_end);
        if self.t_end >= 8
            && self.swing4 >= OSCILLATION_SWING
            && self.swing4 >= SHRINK_RATIO * self.swing3
        {
            return plain(Verdict::Oscillating);
        }
        if self.top_share > COLLAPSED_SHARE {
            return plain(Verdict::Collapsed);
        }
        if self.t_end > 0 && self.last_step < CONVERGED_STEP {
            return plain(Verdict::Converged);
        }
        let (n3, n4) = (b3 - a3, b4 - a4);
        if n3 == 0 || n4 == 0 {
            return plain(Verdict::NotSettled);
        }
        let (m3, m4) = (self.steps3 / n3 as f64, self.steps4 / n4 as f64);
        // NaN steps (a broken run) are not shrinking either.
        let shrinking = m4 < SHRINK_RATIO * m3;
        if !shrinking {
            return plain(Verdict::NotSettled);
        }
        let apart = 0.5 * ((a4 + b4) as f64 - (a3 + b3) as f64);
        let r = (m4 / m3).powf(1.0 / apart.max(1.0));
        let to_go = (r > 0.0 && r < 1.0).then(|| {
            ((CONVERGED_STEP / self.last_step).ln() / r.ln())
                .max(0.0)
                .ceil()
        });
        Judgement {
            verdict: Verdict::Converging,
            step_ratio: Some(r),
            rounds_to_converge: to_go.filter(|v| v.is_finite()),
        }
    }
}

/// The verdict for `policies` (`(T+1) × K`): see [`VerdictInputs::judge`].
pub fn verdict(policies: &[f64], k: usize) -> Verdict {
    VerdictInputs::of(policies, k).judge().verdict
}

impl Metrics {
    pub fn of(traj: &Trajectory, burn_in: usize) -> Self {
        let k = traj.k;
        let t_end = traj.rounds();
        let last = traj.last();
        let h = entropy(last);
        let inputs = VerdictInputs::of(&traj.policies, k);
        let judged = inputs.judge();
        Metrics {
            final_entropy: h,
            final_entropy_normalised: h / (k as f64).ln(),
            variance: time_averaged_variance(&traj.policies, k, burn_in),
            burn_in: burn_in.min(t_end),
            late_amplitude: swing(&traj.policies, k, t_end / 2, t_end),
            last_step: inputs.last_step,
            verdict: judged.verdict,
            top: argmax(last).unwrap_or(0),
            top_share: inputs.top_share,
            step_ratio: judged.step_ratio,
            rounds_to_converge: judged.rounds_to_converge,
        }
    }

    /// The qualifier "concentrated on i (p)": `Some((i, π_T(i)))` when `π_T(i) ≥ 0.9` and
    /// the run has not collapsed (which says more).
    pub fn concentrated(&self) -> Option<(usize, f64)> {
        (self.verdict != Verdict::Collapsed && self.top_share >= CONCENTRATED_SHARE)
            .then_some((self.top, self.top_share))
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
    let coef = (params.a(), params.kappa(), params.lam);
    if !prepare_ipo(p, (x0, start), mu0, coef, t_max, ws, out) {
        return;
    }
    let (pp, c, d, x) = (p.as_slice(), &ws.anchor[..], &ws.offline[..], &ws.x[..]);
    match p.k() {
        2 => return rounds_fixed::<2>(pp, c, d, x, coef, out),
        3 => return rounds_fixed::<3>(pp, c, d, x, coef, out),
        4 => return rounds_fixed::<4>(pp, c, d, x, coef, out),
        5 => return rounds_fixed::<5>(pp, c, d, x, coef, out),
        6 => return rounds_fixed::<6>(pp, c, d, x, coef, out),
        7 => return rounds_fixed::<7>(pp, c, d, x, coef, out),
        8 => return rounds_fixed::<8>(pp, c, d, x, coef, out),
        _ => {}
    }
    rounds_generic(p, coef, t_max, ws, out);
}

/// [`run_ipo_from_into`] without the unrolled copies for small K: the same operations in
/// the same order, so the same bits, in a fraction of the code (for a module that runs a
/// few short runs and must stay small).
pub fn run_ipo_from_into_compact(
    p: &PreferenceMatrix,
    (x0, start): (&[f64], &[f64]),
    mu0: &[f64],
    params: &MrsParams,
    t_max: usize,
    ws: &mut IpoWorkspace,
    out: &mut Vec<f64>,
) {
    let coef = (params.a(), params.kappa(), params.lam);
    if prepare_ipo(p, (x0, start), mu0, coef, t_max, ws, out) {
        rounds_generic(p, coef, t_max, ws, out);
    }
}

/// Writes π_start into `out` (`t_max + 1` rows) and the fixed terms into `ws`; false (every
/// π_t NaN) when an input has fewer than K entries.
fn prepare_ipo(
    p: &PreferenceMatrix,
    (x0, start): (&[f64], &[f64]),
    mu0: &[f64],
    (a, _, lam): (f64, f64, f64),
    t_max: usize,
    ws: &mut IpoWorkspace,
    out: &mut Vec<f64>,
) -> bool {
    let k = p.k();
    out.clear();
    if x0.len() < k || start.len() < k || mu0.len() < k {
        out.resize((t_max + 1) * k, f64::NAN);
        return false;
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
    true
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

    /// [`MrsRun::simulate`] for an MRS-IPO run only (an MRS-DPO run is refused), so that
    /// code that shows IPO runs only carries no DPO solver.
    pub fn simulate_ipo(&self) -> Result<Trajectory, DynamicsError> {
        self.check()?;
        if self.solver != Solver::Ipo {
            return Err(DynamicsError::NotIpo);
        }
        let x0: Vec<f64> = self.pi0.iter().map(|v| v.ln()).collect();
        let mut policies = Vec::new();
        let mut ws = IpoWorkspace::default();
        run_ipo_from_into_compact(
            self.p,
            (&x0, &x0),
            self.mu0,
            &self.params,
            self.rounds.min(MAX_T),
            &mut ws,
            &mut policies,
        );
        Ok(Trajectory {
            k: self.p.k(),
            policies,
        })
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

#[cfg(test)]
mod verdict_tests {
    use super::*;

    /// A K = 2 trajectory from `π_t(0)` values.
    fn path(first: impl Iterator<Item = f64>) -> Vec<f64> {
        first.flat_map(|p| [p, 1.0 - p]).collect()
    }

    fn judge(policies: &[f64]) -> Judgement {
        VerdictInputs::of(policies, 2).judge()
    }

    #[test]
    fn each_verdict_on_a_trajectory_made_for_it() {
        // A geometric approach with ratio 0.8: d_t = 0.3·0.2·0.8^t·2.
        let geometric = |t_end: usize| path((0..=t_end).map(|t| 0.5 + 0.3 * 0.8f64.powi(t as i32)));
        let far = judge(&geometric(40));
        assert_eq!(far.verdict, Verdict::Converging);
        let r = far.step_ratio.unwrap_or(f64::NAN);
        assert!((r - 0.8).abs() < 1e-9, "observed ratio {r}");
        // d_40 = 0.6·0.2·0.8^39 ≈ 1.9e-5: about log(1e-6/d)/log 0.8 ≈ 13.2 more rounds.
        assert_eq!(far.rounds_to_converge, Some(14.0));
        assert_eq!(judge(&geometric(80)).verdict, Verdict::Converged);
        // A sustained swing.
        let cycle = path((0..=100).map(|t| 0.5 + 0.2 * (t as f64 * 0.7).sin()));
        assert_eq!(judge(&cycle).verdict, Verdict::Oscillating);
        // A vertex.
        let collapse = path((0..=50).map(|t| 1.0 - 0.5 * 0.7f64.powi(t)));
        assert_eq!(judge(&collapse).verdict, Verdict::Collapsed);
        // A steady drift keeps its swing: oscillating by MODEL.md's first test.
        let drift = path((0..=40).map(|t| 0.2 + 0.01 * t as f64));
        assert_eq!(judge(&drift).verdict, Verdict::Oscillating);
        // A climb in the third quarter, then a jitter as fast but in a narrow band: the
        // swing shrinks, the steps do not.
        let jitter = path((0..=40).map(|t| match t {
            0..=20 => 0.3,
            21..=30 => 0.3 + 0.03 * (t - 20) as f64,
            _ => 0.6 + 0.03 * (t % 2) as f64,
        }));
        assert_eq!(judge(&jitter).verdict, Verdict::NotSettled);
        // Too short to judge shrinking.
        assert_eq!(
            judge(&path([0.3, 0.5].into_iter())).verdict,
            Verdict::NotSettled
        );
    }

    #[test]
    fn concentration_is_a_qualifier_except_after_collapse() {
        let settle = |p: f64| {
            let t = Trajectory {
                k: 2,
                policies: path((0..=20).map(|_| p)),
            };
            Metrics::of(&t, 0)
        };
        let m = settle(0.93);
        assert_eq!(m.verdict, Verdict::Converged);
        assert_eq!(m.concentrated(), Some((0, 0.93)));
        assert_eq!(settle(0.7).concentrated(), None);
        let c = settle(0.9995);
        assert_eq!(c.verdict, Verdict::Collapsed);
        assert_eq!(c.concentrated(), None);
        assert_eq!(settle(0.05).concentrated(), Some((1, 0.95)));
    }
}
