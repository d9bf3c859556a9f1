//! The batched MRS-IPO kernel: `W` independent runs (one per lane) of the same K and T.
//!
//! One round, per lane (the collapsed map of `MODEL.md`):
//!
//! ```text
//! y_i = a x_i + c_i + (κλ/s) (P e)_i     c = (1−a) x₀ + κ P (1−λ) μ₀, fixed per run
//! x_i ← y_i − max y                      log π up to a constant
//! e_i = exp(x_i),  s = Σ e_i,  π_i = e_i / s
//! ```
//!
//! which is `logsoftmax(a x + (1−a) x₀ + κ P μ)` with `μ = (1−λ) μ₀ + λ π` rearranged:
//! the offline part of `κ P μ` is constant and folded into `c`, and the on-policy part
//! uses the unnormalised `e` of the previous round, so the K² multiply-adds of `P e` do not
//! wait for the division by `s`. `x` is kept only up to an additive constant (softmax
//! ignores it; `a x` shifts it by `a·const`), so a round costs K `exp`, one division and no
//! `ln`.
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
//! every `π_i` by at most 4ε is frozen (its π is held from then on, exactly as the scalar
//! engine fills the rest of its trajectory with that policy; this matters on unstable
//! fixed points, where rounding would otherwise grow into an oscillation). When every
//! lane of the group is frozen the rounds stop; the remaining samples (all equal) still
//! go through the same accumulator updates, so a run's metrics do not depend on which runs
//! share its group: any batching of a sweep gives the same bits.

use super::simd::{exp_nonpos, Lane, MAX_W};
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
}

impl<'a, L: Lane> State<'a, L> {
    #[inline(always)]
    fn from_buf(buf: &'a mut [L], k: usize) -> Self {
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
        }
    }

    /// Accounts for π_t (already in `self.pi`).
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
                    let dz = z - self.mean[i];
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

    /// Accounts for rounds `t + 1..=T`, all equal to the current π (every lane frozen):
    /// the same updates, in the same order, as a frozen lane gets while its group goes on,
    /// so that a run's metrics do not depend on the runs that share its group.
    #[inline(always)]
    fn observe_constant_tail(&mut self, k: usize, t: usize, plan: &Plan) {
        if t >= plan.rounds {
            return;
        }
        // π_{T−1} = π_T: the last step is 0.
        for i in 0..k {
            self.prev[i] = self.pi[i];
        }
        if plan.variance || plan.windows {
            for t in t + 1..=plan.rounds {
                self.observe(k, t, plan);
            }
        }
    }
}

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
    let mut st = State::from_buf(state, k);
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
    let mut done = 0_u32;
    let mut frozen = L::mask(0);
    // π = e / s; at t = 0, e = π₀ and s = 1.
    let mut inv = L::splat(1.0);
    let mut t = 0;
    while t < plan.rounds {
        t += 1;
        // y_i = a x_i + c_i + (κλ/s) (P e)_i, with c = (1−a) x₀ + κ P (1−λ) μ₀: the same
        // as a x + (1−a) x₀ + κ P μ with μ = (1−λ) μ₀ + λ e/s, but the product P e does
        // not wait for the division by s.
        let w = kl * inv;
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
            st.y[i] = w.mul_add(acc0 + acc1, a.mul_add(st.x[i], c[i]));
        }
        // Two partial maxima and sums: shorter dependency chains.
        let y = &*st.y;
        let (mut m0, mut m1) = (y[0], y[k / 2]);
        for i in 1..k / 2 {
            m0 = m0.max(y[i]);
        }
        for i in k / 2 + 1..k {
            m1 = m1.max(y[i]);
        }
        let m = m0.max(m1);
        for i in 0..k {
            let z = y[i] - m;
            st.x[i] = z;
            st.e[i] = exp_nonpos(z);
        }
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
        if done != 0 {
            for i in 0..k {
                st.pi[i] = L::select(frozen, st.prev[i], st.pi[i]);
            }
        }
        st.observe(k, t, plan);
        let now = step.le_bits(tol) & full;
        if now & !done != 0 {
            done |= now;
            frozen = L::mask(done);
            if done == full {
                st.observe_constant_tail(k, t, plan);
                break;
            }
        }
    }
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
    let n = st.count as f64;
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
