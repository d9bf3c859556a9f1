//! Fixed point of the MRS-IPO map and the spectral radius of its Jacobian.

use nalgebra::DMatrix;
use serde::Serialize;

use crate::preference::PreferenceMatrix;
use crate::simplex::{centre, log_softmax_in_place};

/// Newton tolerance on `‖C G(x)‖_∞`.
const FIXED_POINT_TOL: f64 = 1e-14;
const MAX_NEWTON: usize = 200;

/// Buffers of [`solve_fixed_point`]: one allocation per solve, none per iteration.
struct FixedPointWork {
    k: usize,
    pi: Vec<f64>,
    mu: Vec<f64>,
    pm: Vec<f64>,
    r: Vec<f64>,
    trial: Vec<f64>,
    rt: Vec<f64>,
    dx: Vec<f64>,
    /// The Newton matrix, row-major `K × K`.
    jg: Vec<f64>,
}

impl FixedPointWork {
    fn new(k: usize) -> Self {
        let v = || vec![0.0; k];
        FixedPointWork {
            k,
            pi: v(),
            mu: v(),
            pm: v(),
            r: v(),
            trial: v(),
            rt: v(),
            dx: v(),
            jg: vec![0.0; k * k],
        }
    }
}

/// `π = softmax(x)` and `μ = (1−λ) μ₀ + λ π` into `w.pi`, `w.mu`.
fn policy_and_sampler(w: &mut FixedPointWork, x: &[f64], mu0: &[f64], lam: f64) {
    let m = x.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let mut s = 0.0;
    for (p, &v) in w.pi.iter_mut().zip(x) {
        *p = (v - m).exp();
        s += *p;
    }
    for ((p, mu), m0) in w.pi.iter_mut().zip(w.mu.iter_mut()).zip(mu0) {
        *p /= s;
        *mu = (1.0 - lam) * m0 + lam * *p;
    }
}

/// The centred residual `C (x − x₀ − c P μ(x))` into `out`; returns its max norm.
fn residual_into(
    w: &mut FixedPointWork,
    p: &PreferenceMatrix,
    (x, x0, mu0): (&[f64], &[f64], &[f64]),
    (lam, c): (f64, f64),
    out: &mut [f64],
) -> f64 {
    policy_and_sampler(w, x, mu0, lam);
    p.mul_vec_into(&w.mu, &mut w.pm);
    for i in 0..w.k {
        out[i] = x[i] - x0[i] - c * w.pm[i];
    }
    centre(out);
    out.iter().fold(0.0_f64, |m, v| m.max(v.abs()))
}

/// Solves `x = x₀ + c P μ(x)` modulo constants, `μ(x) = (1−λ) μ₀ + λ softmax(x)`, by
/// damped Newton on the sum-zero subspace. Returns the normalised log-policy `x*`
/// (`Σ exp x* = 1`). The solution is unique because `S = P − 1/2` is skew.
///
/// The self-consistent on-policy IPO optimum is the case `x₀ = log π_ref`, `c = β`, `λ = 1`.
pub fn solve_fixed_point(
    p: &PreferenceMatrix,
    x0: &[f64],
    mu0: &[f64],
    lam: f64,
    c: f64,
) -> Vec<f64> {
    let k = p.k();
    let mut w = FixedPointWork::new(k);
    // Start at x₀ + c P μ(x₀).
    let mut x = x0.to_vec();
    policy_and_sampler(&mut w, &x, mu0, lam);
    p.mul_vec_into(&w.mu, &mut w.pm);
    for i in 0..k {
        x[i] += c * w.pm[i];
    }
    centre(&mut x);
    let mut r = std::mem::take(&mut w.r);
    let mut rn = residual_into(&mut w, p, (&x, x0, mu0), (lam, c), &mut r);
    let scale = 1.0 + x0.iter().fold(0.0_f64, |m, v| m.max(v.abs())) + c.abs();
    for _ in 0..MAX_NEWTON {
        if rn <= FIXED_POINT_TOL * scale {
            break;
        }
        policy_and_sampler(&mut w, &x, mu0, lam);
        newton_matrix_into(p, &w.pi, c * lam, &mut w.pm, &mut w.jg);
        for (d, v) in w.dx.iter_mut().zip(&r) {
            *d = -v;
        }
        solve_in_place(&mut w.jg, &mut w.dx);
        let mut t = 1.0;
        let mut improved = false;
        for _ in 0..50 {
            let mut trial = std::mem::take(&mut w.trial);
            for ((tv, xv), dv) in trial.iter_mut().zip(&x).zip(&w.dx) {
                *tv = xv + t * dv;
            }
            centre(&mut trial);
            let mut rt = std::mem::take(&mut w.rt);
            let rtn = residual_into(&mut w, p, (&trial, x0, mu0), (lam, c), &mut rt);
            let accept = rtn < rn || rtn <= FIXED_POINT_TOL * scale;
            if accept {
                std::mem::swap(&mut x, &mut trial);
                std::mem::swap(&mut r, &mut rt);
                rn = rtn;
                improved = true;
            }
            (w.trial, w.rt) = (trial, rt);
            if accept {
                break;
            }
            t *= 0.5;
        }
        if !improved {
            break;
        }
    }
    log_softmax_in_place(&mut x);
    x
}

/// The Newton matrix of `G(x) = x − x₀ − c P μ(x)` on the sum-zero subspace,
/// `C (I − cλ P D(π)) + 11ᵀ/K` with `C = I − 11ᵀ/K`, `D = diag(π) − ππᵀ` (`c_lam` = cλ),
/// row-major into `jg`; `(P D)_ij = π_j (P_ij − (Pπ)_i)` costs K², not K³.
fn newton_matrix_into(
    p: &PreferenceMatrix,
    pi: &[f64],
    c_lam: f64,
    p_pi: &mut [f64],
    jg: &mut [f64],
) {
    let k = p.k();
    p.mul_vec_into(pi, p_pi);
    for i in 0..k {
        let row = p.row(i);
        for j in 0..k {
            let pd = pi[j] * (row[j] - p_pi[i]);
            jg[i * k + j] = f64::from(u8::from(i == j)) - c_lam * pd;
        }
    }
    for j in 0..k {
        let m = (0..k).map(|i| jg[i * k + j]).sum::<f64>() / k as f64;
        for i in 0..k {
            jg[i * k + j] += 1.0 / k as f64 - m;
        }
    }
}

/// Solves `A x = b` in place (`b` becomes x) by Gaussian elimination with partial
/// pivoting; `A` (row-major, square) is overwritten. A singular A leaves `b` as it is
/// from the first zero pivot on (the caller's line search then decides).
fn solve_in_place(a: &mut [f64], b: &mut [f64]) {
    let k = b.len();
    for col in 0..k {
        let Some(piv) =
            (col..k).max_by(|&i, &j| a[i * k + col].abs().total_cmp(&a[j * k + col].abs()))
        else {
            return;
        };
        if a[piv * k + col] == 0.0 {
            return;
        }
        if piv != col {
            for j in 0..k {
                a.swap(piv * k + j, col * k + j);
            }
            b.swap(piv, col);
        }
        let d = a[col * k + col];
        for i in col + 1..k {
            let f = a[i * k + col] / d;
            if f != 0.0 {
                for j in col..k {
                    a[i * k + j] -= f * a[col * k + j];
                }
                b[i] -= f * b[col];
            }
        }
    }
    for col in (0..k).rev() {
        let s: f64 = (col + 1..k).map(|j| a[col * k + j] * b[j]).sum();
        b[col] = (b[col] - s) / a[col * k + col];
    }
}

/// An orthonormal basis of the sum-zero subspace `1⊥` (Helmert), as columns.
fn helmert_basis(k: usize) -> DMatrix<f64> {
    DMatrix::from_fn(k, k - 1, |i, j| {
        let m = (j + 1) as f64;
        let norm = (m * (m + 1.0)).sqrt();
        if i <= j {
            1.0 / norm
        } else if i == j + 1 {
            -m / norm
        } else {
            0.0
        }
    })
}

/// Spectral radius of the MRS-IPO Jacobian `J = a I + κ λ P D(π*)` on the quotient by
/// constants (`J 1 = a 1`), computed as `ρ(Qᵀ J Q)` with Q an orthonormal basis of `1⊥`.
///
/// `Qᵀ J Q = a I + κλ M` with `M = Qᵀ P D Q`, so the eigenvalues are `a + κλ·eig(M)`: the
/// Schur iteration runs on M, whose scale does not depend on a, κ, λ. (Run on `Qᵀ J Q`
/// itself it can cycle forever when κλ is small and the matrix is close to `a I`.) The
/// iteration is bounded; if it does not converge, ρ is estimated by Gelfand's formula.
pub fn jacobian_spectral_radius(
    p: &PreferenceMatrix,
    pi_star: &[f64],
    a: f64,
    kappa: f64,
    lam: f64,
) -> f64 {
    let k = p.k();
    let c = kappa * lam;
    if c == 0.0 {
        return a.abs();
    }
    let d = DMatrix::from_fn(k, k, |i, j| {
        (if i == j { pi_star[i] } else { 0.0 }) - pi_star[i] * pi_star[j]
    });
    let pm = DMatrix::from_row_slice(k, k, p.as_slice());
    let q = helmert_basis(k);
    let m = q.transpose() * (pm * d) * &q;
    let n = m.nrows();
    let max_niter = 30 * n + 60;
    let schur = m
        .clone()
        .try_schur(f64::EPSILON, max_niter)
        .or_else(|| m.clone().try_schur(1e-12, max_niter));
    match schur {
        Some(s) => s
            .complex_eigenvalues()
            .iter()
            .map(|z| (a + c * z.re).hypot(c * z.im))
            .fold(0.0, f64::max),
        None => gelfand_radius(&(DMatrix::<f64>::identity(n, n) * a + m * c)),
    }
}

/// `ρ(A) = lim ‖A^(2^j)‖^(1/2^j)`, by repeated squaring with rescaling (a fallback only).
fn gelfand_radius(a: &DMatrix<f64>) -> f64 {
    let mut m = a.clone();
    let mut log_scale = 0.0; // m = A^(2^j) / exp(log_scale)
    let mut power = 1.0;
    for _ in 0..12 {
        let norm = m.norm();
        if !(norm > 0.0 && norm.is_finite()) {
            return if norm == 0.0 { 0.0 } else { f64::NAN };
        }
        m /= norm;
        log_scale += norm.ln();
        m = &m * &m;
        log_scale *= 2.0;
        power *= 2.0;
    }
    ((log_scale + m.norm().ln()) / power).exp()
}

/// The theory beside a simulation: fixed point, ρ and what ρ predicts.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Stability {
    /// `π*` with `x* = x₀ + (κ/(1−a)) P μ(x*)`; `None` when `a = 1` (no anchor).
    pub fixed_point: Option<Vec<f64>>,
    /// `ρ(J)` at the fixed point; `None` when there is no fixed point.
    pub rho: Option<f64>,
}
