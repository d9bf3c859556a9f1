//! The batched MRS-IPO kernel: `W` independent runs (one per lane) of the same K and T.
//!
//! One round, per lane (the collapsed map of `MODEL.md`):
//!
//! ```text
//! y_i = a x_i + c_i + (κλ/s) (P e)_i     c = (1−a) x₀ + κ P (1−λ) μ₀, fixed per run
//! x_i ← y_i − m,  m = max_i (a x_i + c_i)  log π up to a constant (κλ ≤ 512; else max y)
//! e_i = exp(x_i),  s = Σ e_i,  π_i = e_i / s
//! ```
//!
//! which is `logsoftmax(a x + (1−a) x₀ + κ P μ)` with `μ = (1−λ) μ₀ + λ π` rearranged:
//! the offline part of `κ P μ` is constant and folded into `c`, and the on-policy part
//! uses the unnormalised `e` of the previous round, so the K² multiply-adds of `P e` do not
//! wait for the division by `s`. `x` is kept only up to an additive constant (softmax
//! ignores it; `a x` shifts it by `a·const`), so a round costs K `exp`, one division and no
//! `ln`. The shift m is known before `P e` is: since `0 ≤ (P e)_i / s ≤ 1`,
//! `0 ≤ max_i x_i ≤ κλ`, so no `e_i` overflows and the largest is at least 1; a lane with
//! κλ > 512 shifts by `max y` instead (each lane by its own rule, whatever its group).
//!
//! Metrics are accumulated on the fly, nothing is stored per round:
//! - the time-averaged variance by a shifted Welford update over `t = B..T` (shift = π_B,
//!   the first sample of the window, as the numpy peer does): accurate when the variance
//!   is tiny next to π² (converged runs), where a plain sum of squares would cancel;
//! - for the verdict, the per-response minimum and maximum over `[T/2, 3T/4]` and
//!   `[3T/4, T]`, the last step `‖π_T − π_{T−1}‖₁` and `π_T`;
//! - `H(π_T)` from `π_T` at the end (`f64::ln`, as `simplex::entropy`).
//!
//! Stationary exit, as in [`crate::dynamics::run_ipo_into`]: a lane whose step changes
//! every `π_i` by at most 4ε is frozen at its round `t_f` (its π is held from then on,
//! exactly as the scalar engine fills the rest of its trajectory with that policy; this
//! matters on unstable fixed points, where rounding would otherwise grow into an
//! oscillation). A frozen lane's accumulators stop (its Welford update is masked, its
//! steps are 0, its extrema already hold π), and its held samples `t_f < t ≤ T` are added
//! in closed form at the end (Chan's merge of `n_b` equal samples into the variance, π
//! into the windows they reach). When every lane of the group is frozen the rounds stop.
//! Nothing a lane computes depends on the other lanes, so a run's metrics do not depend on
//! which runs share its group: any batching of a sweep gives the same bits.

use super::simd::{exp_floored, Lane, MAX_W};
use super::RunMetrics;
use crate::dynamics::VerdictInputs;

/// What every group of a batch shares.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Plan {
    /// T.
    pub rounds: usize,
    /// B, clamped to T.
    pub burn_in: usize,
    /// Accumulate the variance.
    pub variance: bool,
    /// Track the verdict windows (verdict and late amplitude).
    pub windows: bool,
}

impl Plan {
    fn w3(&self) -> (usize, usize) {
        (self.rounds / 2, 3 * self.rounds / 4)
    }
    fn w4(&self) -> (usize, usize) {
        (3 * self.rounds / 4, self.rounds)
    }
    /// Samples in the variance window `t = B..T`.
    fn samples(&self) -> usize {
        self.rounds - self.burn_in.min(self.rounds) + 1
    }
}

/// Lane inputs of one group: the `k × k` entries of P (row-major), `log π₀` (normalised),
/// π₀ and `c = (1−a) x₀ + κ P (1−λ) μ₀` (each `k` lane vectors), and the per-lane `a` and
/// `κλ`.
pub(crate) struct GroupIn<'a, L> {
    pub p: &'a [L],
    pub x0: &'a [L],
    pub pi0: &'a [L],
    pub c: &'a [L],
    pub a: L,
    pub kl: L,
}

impl<'a, L: Lane> GroupIn<'a, L> {
    /// `p`: `k · k` vectors (rows of P); `v`: `3k` vectors (log π₀, π₀, c).
    #[inline(always)]
    pub fn new(p: &'a [L], v: &'a [L], k: usize, (a, kl): (L, L)) -> Self {
        let (x0, rest) = v.split_at(k);
        let (pi0, c) = rest.split_at(k);
        GroupIn {
            p: &p[..k * k],
            x0,
            pi0,
            c: &c[..k],
            a,
            kl,
        }
    }
}

/// Number of `k`-vectors of mutable state per group.
pub(crate) const STATE_VECS: usize = 12;

/// Mutable state of one group (each slice `k` lane vectors).
struct State<'a, L> {
    x: &'a mut [L],
    pi: &'a mut [L],
    prev: &'a mut [L],
    y: &'a mut [L],
    e: &'a mut [L],
    shift: &'a mut [L],
    mean: &'a mut [L],
    m2: &'a mut [L],
    lo3: &'a mut [L],
    hi3: &'a mut [L],
    lo4: &'a mut [L],
    hi4: &'a mut [L],
    /// `Σ d_t` over the third and the last quarter of rounds.
    steps3: L,
    steps4: L,
    /// Samples in the variance window so far.
    count: usize,
    /// Lanes frozen so far (bit `l`), and the same as a lane mask.
    done: u32,
    frozen: L,
    /// Per lane: the round `t_f` it froze at (`T` when it did not), and `count` then.
    held_from: [usize; MAX_W],
    held_count: [usize; MAX_W],
}

impl<'a, L: Lane> State<'a, L> {
    #[inline(always)]
    fn from_buf(buf: &'a mut [L], k: usize, rounds: usize) -> Self {
        let mut it = buf.chunks_exact_mut(k);
        let mut next = || it.next().unwrap_or_default();
        State {
            x: next(),
            pi: next(),
            prev: next(),
            y: next(),
            e: next(),
            shift: next(),
            mean: next(),
            m2: next(),
            lo3: next(),
            hi3: next(),
            lo4: next(),
            hi4: next(),
            steps3: L::splat(0.0),
            steps4: L::splat(0.0),
            count: 0,
            done: 0,
            frozen: L::mask(0),
            held_from: [rounds; MAX_W],
            held_count: [0; MAX_W],
        }
    }

    /// Accounts for π_t (already in `self.pi`). Frozen lanes' Welford updates are masked
    /// (`dz = 0` leaves mean and M2 exactly as they were); their extrema and steps are
    /// unchanged anyway (π is held, `d_t = 0`).
    #[inline(always)]
    fn observe(&mut self, k: usize, t: usize, plan: &Plan) {
        if plan.variance && t >= plan.burn_in {
            if self.count == 0 {
                for i in 0..k {
                    self.shift[i] = self.pi[i];
                    self.mean[i] = L::splat(0.0);
                    self.m2[i] = L::splat(0.0);
                }
                self.count = 1;
            } else {
                self.count += 1;
                let rn = L::splat(1.0 / self.count as f64);
                for i in 0..k {
                    let z = self.pi[i] - self.shift[i];
                    let mut dz = z - self.mean[i];
                    if self.done != 0 {
                        dz = L::select(self.frozen, L::splat(0.0), dz);
                    }
                    self.mean[i] = dz.mul_add(rn, self.mean[i]);
                    self.m2[i] = dz.mul_add(z - self.mean[i], self.m2[i]);
                }
            }
        }
        if plan.windows {
            let (w3a, w3b) = plan.w3();
            if t >= w3a && t <= w3b {
                for i in 0..k {
                    self.lo3[i] = self.lo3[i].min(self.pi[i]);
                    self.hi3[i] = self.hi3[i].max(self.pi[i]);
                }
            }
            if t >= plan.w4().0 {
                for i in 0..k {
                    self.lo4[i] = self.lo4[i].min(self.pi[i]);
                    self.hi4[i] = self.hi4[i].max(self.pi[i]);
                }
            }
            // d_t = ‖π_t − π_{t−1}‖₁ in (T/2, 3T/4] and (3T/4, T].
            if t > w3a {
                let mut d = (self.pi[0] - self.prev[0]).abs();
                for i in 1..k {
                    d = d + (self.pi[i] - self.prev[i]).abs();
                }
                if t <= w3b {
                    self.steps3 = self.steps3 + d;
                } else {
                    self.steps4 = self.steps4 + d;
                }
            }
        }
    }

    /// Freezes the lanes of `now` (not frozen yet) at round `t`: from `t + 1` on their π is
    /// held and their accumulators stop.
    #[inline(always)]
    fn freeze(&mut self, now: u32, t: usize) {
        let new = now & !self.done;
        for l in 0..L::W.min(MAX_W) {
            if new >> l & 1 == 1 {
                self.held_from[l] = t;
                self.held_count[l] = self.count;
            }
        }
        self.done |= new;
        self.frozen = L::mask(self.done);
    }

    /// Adds each frozen lane's held samples `t_f < t ≤ T` (all equal to its π) in closed
    /// form: Chan's merge of `n_b` equal samples into the Welford state,
    /// `M2 += δ² n_a n_b / (n_a + n_b)` with `δ` the held sample minus the mean of the `n_a`
    /// before (`M2 = 0` when `n_a = 0`: every sample equal), and π into each verdict window
    /// that a held round reaches. Lanes still running when the rounds end are unchanged.
    #[inline(always)]
    fn add_held_samples(&mut self, k: usize, plan: &Plan) {
        let (w, t_end, n_total) = (L::W.min(MAX_W), plan.rounds, plan.samples());
        let (mut pi, mut shift) = ([0.0; MAX_W], [0.0; MAX_W]);
        let (mut mean, mut m2) = ([0.0; MAX_W], [0.0; MAX_W]);
        let (mut lo, mut hi) = ([0.0; MAX_W], [0.0; MAX_W]);
        for i in 0..k {
            self.pi[i].store(&mut pi);
            if plan.variance {
                self.shift[i].store(&mut shift);
                self.mean[i].store(&mut mean);
                self.m2[i].store(&mut m2);
                for l in 0..w {
                    let (t_f, n_a) = (self.held_from[l], self.held_count[l]);
                    if t_f >= t_end {
                        continue;
                    }
                    m2[l] = if n_a == 0 {
                        0.0
                    } else {
                        let (n_a, n_b) = (n_a as f64, (n_total - n_a) as f64);
                        let delta = (pi[l] - shift[l]) - mean[l];
                        m2[l] + delta * delta * (n_a * n_b / (n_a + n_b))
                    };
                }
                self.m2[i] = L::load(&m2);
            }
            if plan.windows {
                for (lo_v, hi_v, last_round) in [
                    (&mut self.lo3[i], &mut self.hi3[i], plan.w3().1),
                    (&mut self.lo4[i], &mut self.hi4[i], plan.w4().1),
                ] {
                    lo_v.store(&mut lo);
                    hi_v.store(&mut hi);
                    for l in 0..w {
                        if self.held_from[l] < last_round {
                            lo[l] = lo[l].min(pi[l]);
                            hi[l] = hi[l].max(pi[l]);
                        }
                    }
                    *lo_v = L::load(&lo);
                    *hi_v = L::load(&hi);
                }
            }
        }
    }
}

/// Largest κλ for which a lane shifts its log-policy by `max_i (a x_i + c_i)` (then
/// `0 ≤ x_i ≤ κλ` after the shift, far from `exp`'s overflow); above it, by `max y`.
const KL_ANCHORED: f64 = 512.0;

/// Runs one group of `L::W` lanes for `plan.rounds` rounds and writes each lane's metrics
/// to `out[l]` (`out` has at least `L::W` entries). `state` holds [`STATE_VECS`]`· k`
/// vectors (scratch). With `k` a constant after inlining, every loop over responses is
/// unrolled and the state stays in registers or on the stack.
#[inline(always)]
pub(crate) fn run_group<L: Lane>(
    k: usize,
    g: &GroupIn<'_, L>,
    state: &mut [L],
    plan: &Plan,
    out: &mut [RunMetrics],
) {
    let mut st = State::from_buf(state, k, plan.rounds);
    let GroupIn {
        p,
        x0,
        pi0,
        c,
        a,
        kl,
    } = *g;
    for i in 0..k {
        st.x[i] = x0[i];
        st.e[i] = pi0[i];
        st.pi[i] = pi0[i];
        st.prev[i] = pi0[i];
        st.lo3[i] = L::splat(f64::INFINITY);
        st.lo4[i] = L::splat(f64::INFINITY);
        st.hi3[i] = L::splat(f64::NEG_INFINITY);
        st.hi4[i] = L::splat(f64::NEG_INFINITY);
    }
    st.observe(k, 0, plan);

    let full: u32 = (1 << L::W) - 1;
    let tol = L::splat(4.0 * f64::EPSILON);
    // Lanes that shift by max y (κλ > KL_ANCHORED), as a mask; usually none.
    let by_max = full & !kl.le_bits(L::splat(KL_ANCHORED));
    let by_max_mask = L::mask(by_max);
    // π = e / s; at t = 0, e = π₀ and s = 1.
    let mut inv = L::splat(1.0);
    let mut t = 0;
    while t < plan.rounds {
        t += 1;
        // y_i = a x_i + c_i + (κλ/s) (P e)_i, with c = (1−a) x₀ + κ P (1−λ) μ₀: the same
        // as a x + (1−a) x₀ + κ P μ with μ = (1−λ) μ₀ + λ e/s, but the product P e does
        // not wait for the division by s, nor the shift m for either.
        let w = kl * inv;
        let mut m = L::splat(f64::NEG_INFINITY);
        for i in 0..k {
            let row = &p[i * k..(i + 1) * k];
            let mut acc0 = row[0] * st.e[0];
            let mut acc1 = L::splat(0.0);
            let mut j = 1;
            while j + 1 < k {
                acc1 = row[j].mul_add(st.e[j], acc1);
                acc0 = row[j + 1].mul_add(st.e[j + 1], acc0);
                j += 2;
            }
            if j < k {
                acc1 = row[j].mul_add(st.e[j], acc1);
            }
            let anchor = a.mul_add(st.x[i], c[i]);
            m = m.max(anchor);
            st.y[i] = w.mul_add(acc0 + acc1, anchor);
        }
        if by_max != 0 {
            let mut y_max = st.y[0];
            for i in 1..k {
                y_max = y_max.max(st.y[i]);
            }
            m = L::select(by_max_mask, y_max, m);
        }
        for i in 0..k {
            let z = st.y[i] - m;
            st.x[i] = z;
            st.e[i] = exp_floored(z);
        }
        // Two partial sums: shorter dependency chains.
        let (mut s0, mut s1) = (st.e[0], L::splat(0.0));
        for i in 1..k / 2 {
            s0 = s0 + st.e[i];
        }
        for i in k / 2..k {
            s1 = s1 + st.e[i];
        }
        inv = (s0 + s1).recip();
        let mut step = L::splat(0.0);
        for i in 0..k {
            let v = st.e[i] * inv;
            step = step.max((v - st.pi[i]).abs());
            st.prev[i] = st.pi[i];
            st.pi[i] = v;
        }
        if st.done != 0 {
            for i in 0..k {
                st.pi[i] = L::select(st.frozen, st.prev[i], st.pi[i]);
            }
        }
        st.observe(k, t, plan);
        let now = step.le_bits(tol) & full;
        if now & !st.done != 0 {
            st.freeze(now, t);
            if st.done == full {
                break;
            }
        }
    }
    if t < plan.rounds {
        // Every lane is frozen: π_{T−1} = π_T.
        for i in 0..k {
            st.prev[i] = st.pi[i];
        }
    }
    st.add_held_samples(k, plan);
    finish(k, &st, plan, out);
}

/// Per-lane metrics from the final state.
#[inline(always)]
fn finish<L: Lane>(k: usize, st: &State<'_, L>, plan: &Plan, out: &mut [RunMetrics]) {
    let w = L::W.min(MAX_W).min(out.len());
    let mut plogp = [0.0; MAX_W];
    let mut max_pi = [0.0_f64; MAX_W];
    let mut last = [0.0; MAX_W];
    let mut var = [0.0; MAX_W];
    let mut q3 = [0.0_f64; MAX_W];
    let mut q4 = [0.0_f64; MAX_W];
    let mut amp = [0.0_f64; MAX_W];
    let (mut steps3, mut steps4) = ([0.0; MAX_W], [0.0; MAX_W]);
    st.steps3.store(&mut steps3);
    st.steps4.store(&mut steps4);
    let n = plan.samples() as f64;
    let (mut a, mut b, mut c, mut d) = ([0.0; MAX_W], [0.0; MAX_W], [0.0; MAX_W], [0.0; MAX_W]);
    for i in 0..k {
        st.pi[i].store(&mut a);
        st.prev[i].store(&mut b);
        for l in 0..w {
            let v = a[l];
            if v > 0.0 {
                plogp[l] += v * v.ln();
            }
            max_pi[l] = max_pi[l].max(v);
            last[l] += (v - b[l]).abs();
        }
        if plan.variance {
            st.m2[i].store(&mut a);
            for l in 0..w {
                var[l] += a[l] / n;
            }
        }
        if plan.windows {
            st.lo3[i].store(&mut a);
            st.hi3[i].store(&mut b);
            st.lo4[i].store(&mut c);
            st.hi4[i].store(&mut d);
            for l in 0..w {
                q3[l] = q3[l].max(b[l] - a[l]);
                q4[l] = q4[l].max(d[l] - c[l]);
                amp[l] = amp[l].max(b[l].max(d[l]) - a[l].min(c[l]));
            }
        }
    }
    let t_end = plan.rounds;
    for l in 0..w {
        out[l] = RunMetrics {
            variance: if plan.variance {
                var[l] / k as f64
            } else {
                f64::NAN
            },
            final_entropy: -plogp[l],
            last_step: if t_end == 0 { 0.0 } else { last[l] },
            late_amplitude: if plan.windows { amp[l] } else { f64::NAN },
            verdict: plan.windows.then(|| {
                VerdictInputs {
                    t_end,
                    swing3: q3[l],
                    swing4: q4[l],
                    steps3: steps3[l],
                    steps4: steps4[l],
                    top_share: max_pi[l],
                    last_step: if t_end == 0 { 0.0 } else { last[l] },
                }
                .judge()
                .verdict
            }),
        };
    }
}
