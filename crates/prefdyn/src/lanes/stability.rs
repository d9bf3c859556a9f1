//! ρ in lanes: the fixed point and the spectral radius of its Jacobian for `W` runs at
//! once, one per lane, as [`crate::stability`] defines them (MODEL.md, "Fixed point and
//! stability").
//!
//! **Fixed point.** `x* = x₀ + c P μ(x*)` with `c = κ/(1−a)`, `μ(x) = (1−λ) μ₀ + λ
//! softmax(x)`, by damped Newton on the sum-zero subspace exactly as
//! [`crate::stability::solve_fixed_point`] does it (the same start `x₀ + c P μ(x₀)`, centred
//! residual `C (x − g − cλ P π)` with `g = x₀ + c (1−λ) P μ₀`, Newton matrix
//! `C (I − cλ P D(π)) + 11ᵀ/K`, halving line search and tolerance `1e-14·(1 + ‖x₀‖_∞ + c)`),
//! in lanes: each lane has its own iterate, step length and convergence mask, and a lane
//! that has converged is left as it is while the others go on. The K × K system is solved
//! by Gaussian elimination with partial pivoting, each lane's row swaps done by selects.
//!
//! **Spectral radius.** `P D = S D` with `S = (P − Pᵀ)/2` (because `1ᵀ D = 0`), and with
//! `s = √π*` (elementwise), `L = (I − s sᵀ) diag(s)` factors `D = Lᵀ L`; so the nonzero
//! eigenvalues of `S D = S Lᵀ L` are those of `B = L S Lᵀ`,
//! `B_ij = s_i s_j (S_ij − w_i + w_j)` with `w = S π*`. B is real skew-symmetric: its
//! eigenvalues are `±iω_j` (and 0, with `B s = 0`), so those of J on the quotient by
//! constants are `a ± iκλω_j` (and a), and
//!
//! ```text
//! ρ(J) = √(a² + (κλσ)²),   σ = max_j ω_j = ‖B‖₂.
//! ```
//!
//! With `f = Σ_{i<j} B_ij² = Σ_j ω_j²` (each pair counted once):
//! - K ≤ 4: B has one pair (rank ≤ 2), `σ² = f`;
//! - K = 5: two pairs and `B s = 0`; `G = B Bᵀ` has eigenvalues `ω₁², ω₁², ω₂², ω₂², 0`, so
//!   `G' = G − (f/2)(I − ŝŝᵀ)` (ŝ = s/‖s‖) has `‖G'‖_F² = (ω₁² − ω₂²)²` and
//!   `σ² = (f + ‖G'‖_F)/2`, with no cancellation whatever the gap;
//! - K = 6: two pairs, `(ω₁² − ω₂²)² = ‖G‖_F² − f²`, used where it is at least
//!   `(GAP·f)²` (the difference cancels when `ω₁ ≈ ω₂`);
//! - otherwise σ comes from the scalar eigenvalue solver
//!   ([`crate::stability::jacobian_spectral_radius`]) at the lane's π*.
//!
//! A lane whose Newton iteration does not converge within [`MAX_NEWTON_LANES`] iterations
//! (or whose line search finds no decrease) takes the scalar path, which gives exactly
//! what `MrsRun::stability` gives. Nothing a lane computes depends on the other lanes.

use serde::Serialize;

use super::simd::{exp_floored, Lane, MAX_W};
use super::{Prepared, Run};
use crate::dynamics::MrsParams;
use crate::stability::{jacobian_spectral_radius, solve_fixed_point, FIXED_POINT_TOL};

/// Newton iterations a lane gets before it falls back to the scalar solve (which allows
/// 200); interior fixed points need 3 to 10.
pub const MAX_NEWTON_LANES: usize = 40;
/// Step lengths `1, ½, ¼, …` tried per Newton iteration (as the scalar solve).
const MAX_STEPS: usize = 50;
/// K = 6: the closed form is used where `ω₁² − ω₂² ≥ GAP (ω₁² + ω₂²)`; its relative error
/// is then below about `100 ε / GAP`.
const GAP: f64 = 1e-2;
/// Largest K whose fixed point is solved in lanes (larger K: the scalar path).
pub const RHO_LANES_MAX_K: usize = 8;
/// `k`-vectors of state per group besides the three `k × k` matrices.
pub(crate) const RHO_STATE_VECS: usize = 11;

/// How a run's ρ was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum RhoMethod {
    /// `a = 1`: no fixed point; ρ is NaN.
    NoFixedPoint,
    /// `κλ = 0`: `J = a I`, `ρ = |a|`.
    ScaledIdentity,
    /// The fixed point and σ in lanes.
    Lanes,
    /// The fixed point in lanes, σ by the scalar eigenvalue solver (K ≥ 7, or K = 6 with
    /// `ω₁ ≈ ω₂`).
    LanesFixedPoint,
    /// The scalar path (`MrsRun::stability`): Newton did not converge in lanes, or K > 8.
    Scalar,
}

/// A run's ρ and how it was found.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct RhoValue {
    pub rho: f64,
    pub method: RhoMethod,
}

impl Default for RhoValue {
    fn default() -> Self {
        RhoValue {
            rho: f64::NAN,
            method: RhoMethod::Scalar,
        }
    }
}

/// ρ of one run by the scalar engine, the same numbers as `MrsRun::stability` (whose `x₀`
/// is `ln π₀`, the member's `x₀` in a phase diagram).
pub(crate) fn scalar_rho(m: &Prepared, params: &MrsParams) -> RhoValue {
    let a = params.a();
    if a >= 1.0 {
        return RhoValue {
            rho: f64::NAN,
            method: RhoMethod::NoFixedPoint,
        };
    }
    let kappa = params.kappa();
    let x_star = solve_fixed_point(&m.matrix, &m.x0, &m.mu0, params.lam, kappa / (1.0 - a));
    let pi_star: Vec<f64> = x_star.iter().map(|v| v.exp()).collect();
    RhoValue {
        rho: jacobian_spectral_radius(&m.matrix, &pi_star, a, kappa, params.lam),
        method: RhoMethod::Scalar,
    }
}

/// What a lane of a group does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Start {
    Solve,
    NoFixedPoint,
    /// `κλ = 0`.
    ScaledIdentity,
}

/// The buffers of one group: P, the Newton matrix N and B / G (each `k × k` lane
/// vectors), and [`RHO_STATE_VECS`] `k`-vectors.
pub(crate) struct RhoBufs<'a, L> {
    pub p: &'a mut [L],
    pub n: &'a mut [L],
    pub b: &'a mut [L],
    pub v: &'a mut [L],
}

/// The equation `x = g + cλ P softmax(x)` (modulo constants) of a group: P (`k × k` lane
/// vectors), g (`k`) and cλ.
#[derive(Clone, Copy)]
struct FixedPointEquation<'a, L> {
    p: &'a [L],
    g: &'a [L],
    cl: L,
}

/// The Newton iteration's vectors (each `k` lane vectors) and per-lane tolerance.
struct Newton<'a, L> {
    eq: FixedPointEquation<'a, L>,
    /// The Newton matrix (`k × k`).
    n: &'a mut [L],
    x: &'a mut [L],
    r: &'a mut [L],
    pi: &'a mut [L],
    q: &'a mut [L],
    trial: &'a mut [L],
    rt: &'a mut [L],
    pit: &'a mut [L],
    qt: &'a mut [L],
    dx: &'a mut [L],
    /// The tolerance on `‖r‖_∞`.
    tol: L,
}

/// The per-lane numbers of a group besides P and g.
struct GroupSetup<L> {
    a: L,
    /// κλ.
    kl: L,
    cl: L,
    tol: L,
    start: [Start; MAX_W],
}

/// Fills P, g and the start `x = g + cλ P π₀` (centred) of the group made of `lanes` (at
/// most `L::W` run indices; a short group repeats its last run).
#[inline(always)]
fn fill<L: Lane>(
    members: &[Prepared],
    runs: &[Run],
    lanes: &[usize],
    k: usize,
    (p, g, x): (&mut [L], &mut [L], &mut [L]),
) -> GroupSetup<L> {
    let w = L::W.min(MAX_W);
    let run = |l: usize| &runs[lanes[l.min(lanes.len() - 1)]];
    let member = |l: usize| &members[run(l).member];
    let mut tmp = [0.0; MAX_W];
    for (n, pv) in p.iter_mut().enumerate().take(k * k) {
        for l in 0..w {
            tmp[l] = member(l).p[n];
        }
        *pv = L::load(&tmp);
    }
    let mut coef = [[0.0; MAX_W]; 5];
    let mut start = [Start::Solve; MAX_W];
    for l in 0..w {
        let (params, m) = (&run(l).params, member(l));
        let (a, kappa, lam) = (params.a(), params.kappa(), params.lam);
        start[l] = if a >= 1.0 {
            Start::NoFixedPoint
        } else if kappa * lam == 0.0 {
            Start::ScaledIdentity
        } else {
            Start::Solve
        };
        let c = if a < 1.0 { kappa / (1.0 - a) } else { 0.0 };
        let scale = 1.0 + m.x0.iter().fold(0.0_f64, |s, v| s.max(v.abs())) + c.abs();
        coef[0][l] = a;
        coef[1][l] = kappa * lam;
        coef[2][l] = c * lam;
        coef[3][l] = FIXED_POINT_TOL * scale;
        coef[4][l] = c;
    }
    // g = x₀ + c (1−λ) P μ₀ and the start g + cλ P π₀, centred.
    let mut mean = L::splat(0.0);
    for i in 0..k {
        for l in 0..w {
            let (lam, m) = (run(l).params.lam, member(l));
            tmp[l] = m.x0[i] + coef[4][l] * ((1.0 - lam) * m.p_mu0[i]);
        }
        g[i] = L::load(&tmp);
        for l in 0..w {
            tmp[l] = coef[2][l] * member(l).p_pi0[i];
        }
        x[i] = g[i] + L::load(&tmp);
        mean = mean + x[i];
    }
    mean = mean * L::splat(1.0 / k as f64);
    for i in 0..k {
        x[i] = x[i] - mean;
    }
    GroupSetup {
        a: L::load(&coef[0]),
        kl: L::load(&coef[1]),
        cl: L::load(&coef[2]),
        tol: L::load(&coef[3]),
        start,
    }
}

/// `π = softmax(x)`, `q = P π` and the centred residual `r = C (x − g − cλ q)` into
/// `(r, pi, q)`; returns `‖r‖_∞`.
#[inline(always)]
fn residual<L: Lane>(
    k: usize,
    eq: FixedPointEquation<'_, L>,
    x: &[L],
    (r, pi, q): (&mut [L], &mut [L], &mut [L]),
) -> L {
    let FixedPointEquation { p, g, cl } = eq;
    let mut m = x[0];
    for i in 1..k {
        m = m.max(x[i]);
    }
    let mut s = L::splat(0.0);
    for i in 0..k {
        pi[i] = exp_floored(x[i] - m);
        s = s + pi[i];
    }
    let inv = s.recip();
    for i in 0..k {
        pi[i] = pi[i] * inv;
    }
    let mut mean = L::splat(0.0);
    for i in 0..k {
        let row = &p[i * k..(i + 1) * k];
        let mut acc = row[0] * pi[0];
        for j in 1..k {
            acc = row[j].mul_add(pi[j], acc);
        }
        q[i] = acc;
        r[i] = cl.neg_mul_add(q[i], x[i] - g[i]);
        mean = mean + r[i];
    }
    mean = mean * L::splat(1.0 / k as f64);
    let mut norm = L::splat(0.0);
    for i in 0..k {
        r[i] = r[i] - mean;
        norm = norm.max(r[i].abs());
    }
    norm
}

/// The Newton matrix `N = C (I − cλ P D(π)) + 11ᵀ/K` (row-major), with
/// `(P D)_ij = π_j (P_ij − (P π)_i)` and `q = P π`.
#[inline(always)]
fn newton_matrix<L: Lane>(k: usize, (p, cl): (&[L], L), (pi, q): (&[L], &[L]), n: &mut [L]) {
    for i in 0..k {
        for j in 0..k {
            let delta = L::splat(f64::from(u8::from(i == j)));
            n[i * k + j] = (cl * pi[j]).neg_mul_add(p[i * k + j] - q[i], delta);
        }
    }
    let rk = L::splat(1.0 / k as f64);
    for j in 0..k {
        let mut sum = n[j];
        for i in 1..k {
            sum = sum + n[i * k + j];
        }
        let shift = sum.neg_mul_add(rk, rk);
        for i in 0..k {
            n[i * k + j] = n[i * k + j] + shift;
        }
    }
}

/// Solves `N x = b` in place (`b` becomes x) by Gaussian elimination with partial
/// pivoting, each lane choosing its own pivot rows; N is overwritten.
#[inline(always)]
fn solve_pivoted<L: Lane>(k: usize, n: &mut [L], b: &mut [L]) {
    for col in 0..k {
        for r in col + 1..k {
            let bits = n[col * k + col].abs().lt_bits(n[r * k + col].abs());
            if bits != 0 {
                let swap = L::mask(bits);
                for j in col..k {
                    let (u, v) = (n[col * k + j], n[r * k + j]);
                    n[col * k + j] = L::select(swap, v, u);
                    n[r * k + j] = L::select(swap, u, v);
                }
                let (u, v) = (b[col], b[r]);
                b[col] = L::select(swap, v, u);
                b[r] = L::select(swap, u, v);
            }
        }
        let inv = n[col * k + col].recip();
        for r in col + 1..k {
            let f = n[r * k + col] * inv;
            for j in col + 1..k {
                n[r * k + j] = f.neg_mul_add(n[col * k + j], n[r * k + j]);
            }
            b[r] = f.neg_mul_add(b[col], b[r]);
        }
        n[col * k + col] = inv;
    }
    for col in (0..k).rev() {
        let mut s = b[col];
        for j in col + 1..k {
            s = n[col * k + j].neg_mul_add(b[j], s);
        }
        b[col] = s * n[col * k + col];
    }
}

/// The halving line search along `dx` for the lanes of `pending`: a lane takes the first
/// step `t ∈ {1, ½, ¼, …}` (at most [`MAX_STEPS`] of them) whose residual is smaller than
/// `rn` or within the tolerance. Returns the lanes that found none.
#[inline(always)]
fn line_search<L: Lane>(k: usize, nw: &mut Newton<'_, L>, rn: &mut L, mut pending: u32) -> u32 {
    let mut t = L::splat(1.0);
    for _ in 0..MAX_STEPS {
        let mut mean = L::splat(0.0);
        for i in 0..k {
            nw.trial[i] = t.mul_add(nw.dx[i], nw.x[i]);
            mean = mean + nw.trial[i];
        }
        mean = mean * L::splat(1.0 / k as f64);
        for i in 0..k {
            nw.trial[i] = nw.trial[i] - mean;
        }
        let rtn = residual(k, nw.eq, nw.trial, (nw.rt, nw.pit, nw.qt));
        let accept = pending & (rtn.lt_bits(*rn) | rtn.le_bits(nw.tol));
        if accept != 0 {
            let m = L::mask(accept);
            for i in 0..k {
                nw.x[i] = L::select(m, nw.trial[i], nw.x[i]);
                nw.r[i] = L::select(m, nw.rt[i], nw.r[i]);
                nw.pi[i] = L::select(m, nw.pit[i], nw.pi[i]);
                nw.q[i] = L::select(m, nw.qt[i], nw.q[i]);
            }
            *rn = L::select(m, rtn, *rn);
            pending &= !accept;
        }
        if pending == 0 {
            break;
        }
        t = t * L::splat(0.5);
    }
    pending
}

/// Damped Newton for the lanes not in `done`; returns the lanes that converged
/// (`‖r‖_∞ ≤ tol`). `x` holds the start and ends as the iterate, `pi` as its softmax.
#[inline(always)]
fn solve<L: Lane>(k: usize, nw: &mut Newton<'_, L>, mut done: u32) -> u32 {
    let full: u32 = (1 << L::W) - 1;
    let mut rn = residual(k, nw.eq, nw.x, (nw.r, nw.pi, nw.q));
    let mut converged = rn.le_bits(nw.tol) & full & !done;
    done |= converged;
    for _ in 0..MAX_NEWTON_LANES {
        if done == full {
            break;
        }
        newton_matrix(k, (nw.eq.p, nw.eq.cl), (nw.pi, nw.q), nw.n);
        for i in 0..k {
            nw.dx[i] = L::splat(0.0) - nw.r[i];
        }
        solve_pivoted(k, nw.n, nw.dx);
        let stalled = line_search(k, nw, &mut rn, full & !done);
        let now = rn.le_bits(nw.tol) & full & !done & !stalled;
        converged |= now;
        done |= now | stalled;
    }
    converged
}

/// `σ² = ‖B‖₂²` per lane where the closed form applies (bit set in the second value):
/// `B_ij = s_i s_j (S_ij − w_i + w_j)` into `b`, then the entries of `G = B Bᵀ` (module
/// docs).
#[inline(always)]
fn sigma_squared<L: Lane>(k: usize, p: &[L], pi: &[L], b: &mut [L]) -> (L, u32) {
    let full: u32 = (1 << L::W) - 1;
    if k > 6 {
        return (L::splat(f64::NAN), 0);
    }
    let half = L::splat(0.5);
    let skew = |i: usize, j: usize| half * (p[i * k + j] - p[j * k + i]);
    let mut f = L::splat(0.0);
    let mut norm_s = L::splat(0.0);
    for i in 0..k {
        // B's diagonal (0) holds w = S π until B is written.
        let mut w = L::splat(0.0);
        for j in 0..k {
            w = skew(i, j).mul_add(pi[j], w);
        }
        b[i * k + i] = w;
        norm_s = norm_s + pi[i];
    }
    for i in 0..k {
        for j in i + 1..k {
            let sij = (pi[i] * pi[j]).sqrt();
            let v = sij * (skew(i, j) - b[i * k + i] + b[j * k + j]);
            b[i * k + j] = v;
            b[j * k + i] = L::splat(0.0) - v;
            f = v.mul_add(v, f);
        }
    }
    if k <= 4 {
        return (f, full);
    }
    for i in 0..k {
        b[i * k + i] = L::splat(0.0);
    }
    // ‖G − (f/2)(I − ŝŝᵀ)‖_F² (K = 5) or ‖G‖_F² (K = 6).
    let (hf, inv_s) = (half * f, norm_s.recip());
    let mut sum = L::splat(0.0);
    for i in 0..k {
        for j in i..k {
            let row_i = &b[i * k..(i + 1) * k];
            let row_j = &b[j * k..(j + 1) * k];
            let mut gij = row_i[0] * row_j[0];
            for l in 1..k {
                gij = row_i[l].mul_add(row_j[l], gij);
            }
            if k == 5 {
                let proj = L::splat(f64::from(u8::from(i == j))) - (pi[i] * pi[j]).sqrt() * inv_s;
                gij = hf.neg_mul_add(proj, gij);
            }
            let weight = L::splat(if i == j { 1.0 } else { 2.0 });
            sum = (weight * gij).mul_add(gij, sum);
        }
    }
    if k == 5 {
        return (half * (f + sum.sqrt()), full);
    }
    let disc = f.neg_mul_add(f, sum);
    let gap = L::splat(GAP) * f;
    let ok = (gap * gap).le_bits(disc) & full;
    (half * (f + disc.max(L::splat(0.0)).sqrt()), ok)
}

/// ρ of the runs `lanes` (one group) into `out[lanes[l]]`.
#[inline(always)]
fn rho_group<L: Lane>(
    k: usize,
    (members, runs): (&[Prepared], &[Run]),
    lanes: &[usize],
    bufs: &mut RhoBufs<'_, L>,
    out: &mut [RhoValue],
) {
    let (g, rest) = bufs.v.split_at_mut(k);
    let (x, rest) = rest.split_at_mut(k);
    let setup = fill(members, runs, lanes, k, (&mut *bufs.p, &mut *g, &mut *x));
    let mut it = rest.chunks_exact_mut(k);
    let mut next = || it.next().unwrap_or_default();
    let mut nw = Newton {
        eq: FixedPointEquation {
            p: &*bufs.p,
            g,
            cl: setup.cl,
        },
        n: &mut *bufs.n,
        x,
        r: next(),
        pi: next(),
        q: next(),
        trial: next(),
        rt: next(),
        pit: next(),
        qt: next(),
        dx: next(),
        tol: setup.tol,
    };
    let w = L::W.min(MAX_W).min(lanes.len());
    let skip = (0..w).fold(0_u32, |bits, l| {
        bits | u32::from(setup.start[l] != Start::Solve) << l
    });
    let full: u32 = (1 << L::W) - 1;
    let converged = solve(k, &mut nw, skip | (full & !((1 << w) - 1)));
    let (sigma2, closed) = sigma_squared(k, nw.eq.p, nw.pi, &mut *bufs.b);
    let mut rho = [0.0; MAX_W];
    setup
        .kl
        .mul_add(setup.kl * sigma2, setup.a * setup.a)
        .sqrt()
        .store(&mut rho);
    for l in 0..w {
        let (run, m) = (&runs[lanes[l]], &members[runs[lanes[l]].member]);
        let a = run.params.a();
        out[lanes[l]] = match setup.start[l] {
            Start::NoFixedPoint => RhoValue {
                rho: f64::NAN,
                method: RhoMethod::NoFixedPoint,
            },
            Start::ScaledIdentity => RhoValue {
                rho: a.abs(),
                method: RhoMethod::ScaledIdentity,
            },
            Start::Solve if converged >> l & 1 == 0 => scalar_rho(m, &run.params),
            Start::Solve if closed >> l & 1 == 1 => RhoValue {
                rho: rho[l],
                method: RhoMethod::Lanes,
            },
            Start::Solve => {
                let pi_star = lane_of(&nw.pi[..k], l);
                let (kappa, lam) = (run.params.kappa(), run.params.lam);
                RhoValue {
                    rho: jacobian_spectral_radius(&m.matrix, &pi_star, a, kappa, lam),
                    method: RhoMethod::LanesFixedPoint,
                }
            }
        };
    }
}

/// Lane `l` of each vector of `v`.
fn lane_of<L: Lane>(v: &[L], l: usize) -> Vec<f64> {
    let mut tmp = [0.0; MAX_W];
    v.iter()
        .map(|x| {
            x.store(&mut tmp);
            tmp[l]
        })
        .collect()
}

/// ρ of the runs `idx` (all of K = `k` ≤ [`RHO_LANES_MAX_K`]) with K fixed at compile time
/// (`K ≥ 1`) or, for `K = 0`, `k` at run time with heap buffers.
#[inline(always)]
pub(crate) fn rho_groups<L: Lane, const K: usize>(
    k: usize,
    (members, runs): (&[Prepared], &[Run]),
    idx: &[usize],
    out: &mut [RhoValue],
) {
    if K > 0 {
        let zero = [L::splat(0.0); K];
        let (mut p, mut n, mut b) = ([zero; K], [zero; K], [zero; K]);
        let mut v = [zero; RHO_STATE_VECS];
        for lanes in idx.chunks(L::W) {
            let mut bufs = RhoBufs {
                p: p.as_flattened_mut(),
                n: n.as_flattened_mut(),
                b: b.as_flattened_mut(),
                v: v.as_flattened_mut(),
            };
            rho_group(K, (members, runs), lanes, &mut bufs, out);
        }
    } else {
        let zero = L::splat(0.0);
        let (mut p, mut n, mut b) = (vec![zero; k * k], vec![zero; k * k], vec![zero; k * k]);
        let mut v = vec![zero; RHO_STATE_VECS * k];
        for lanes in idx.chunks(L::W) {
            let mut bufs = RhoBufs {
                p: &mut p,
                n: &mut n,
                b: &mut b,
                v: &mut v,
            };
            rho_group(k, (members, runs), lanes, &mut bufs, out);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dynamics::MrsParams;
    use crate::generators::{dirichlet_flat, Generator};
    use crate::lanes::{LaneEnsemble, Member};

    /// The code the page runs for K other than 3, 4 and 5 (K at run time, heap buffers)
    /// gives the same bits as the K-specialised code.
    #[test]
    fn k_at_run_time_is_the_k_specialised_code() -> Result<(), String> {
        for k in 2..=RHO_LANES_MAX_K {
            let p = (Generator::RandomCyclic { k, s: 0.4 }.generate(k as u64))
                .map_err(|e| e.to_string())?;
            let x0: Vec<f64> = dirichlet_flat(k, 9).iter().map(|v| v.ln()).collect();
            let mu0 = dirichlet_flat(k, 10);
            let member = Member {
                p: &p,
                x0: &x0,
                mu0: &mu0,
            };
            let ens = LaneEnsemble::new(&[member], 0, 0).map_err(|e| e.to_string())?;
            let runs: Vec<Run> = (0..11)
                .map(|n| Run {
                    member: 0,
                    params: MrsParams {
                        alpha: n as f64 / 10.0,
                        beta: 0.5 + n as f64,
                        lam: 0.8,
                        eta: 0.9,
                    },
                })
                .collect();
            let idx: Vec<usize> = (0..runs.len()).collect();
            let (mut fixed, mut dynamic) =
                (vec![RhoValue::default(); 11], vec![RhoValue::default(); 11]);
            let batch = (ens.members.as_slice(), runs.as_slice());
            match k {
                2 => rho_groups::<wide::f64x4, 2>(k, batch, &idx, &mut fixed),
                3 => rho_groups::<wide::f64x4, 3>(k, batch, &idx, &mut fixed),
                4 => rho_groups::<wide::f64x4, 4>(k, batch, &idx, &mut fixed),
                5 => rho_groups::<wide::f64x4, 5>(k, batch, &idx, &mut fixed),
                6 => rho_groups::<wide::f64x4, 6>(k, batch, &idx, &mut fixed),
                7 => rho_groups::<wide::f64x4, 7>(k, batch, &idx, &mut fixed),
                _ => rho_groups::<wide::f64x4, 8>(k, batch, &idx, &mut fixed),
            }
            rho_groups::<wide::f64x4, 0>(k, batch, &idx, &mut dynamic);
            for (f, d) in fixed.iter().zip(&dynamic) {
                assert_eq!(
                    (f.rho.to_bits(), f.method),
                    (d.rho.to_bits(), d.method),
                    "K = {k}"
                );
            }
        }
        Ok(())
    }
}
