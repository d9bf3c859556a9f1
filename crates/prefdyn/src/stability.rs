//! Fixed point of the MRS-IPO map and the spectral radius of its Jacobian.

use nalgebra::{DMatrix, DVector};
use serde::Serialize;

use crate::preference::PreferenceMatrix;
use crate::simplex::{centre, log_softmax_in_place};

/// Newton tolerance on `‖C G(x)‖_∞`.
const FIXED_POINT_TOL: f64 = 1e-14;
const MAX_NEWTON: usize = 200;

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
    let mu_of = |x: &[f64]| -> (Vec<f64>, Vec<f64>) {
        let mut l = x.to_vec();
        log_softmax_in_place(&mut l);
        let pi: Vec<f64> = l.iter().map(|v| v.exp()).collect();
        let mu: Vec<f64> = (0..k).map(|i| (1.0 - lam) * mu0[i] + lam * pi[i]).collect();
        (pi, mu)
    };
    let residual = |x: &[f64]| -> Vec<f64> {
        let (_, mu) = mu_of(x);
        let pm = p.mul_vec(&mu);
        let mut r: Vec<f64> = (0..k).map(|i| x[i] - x0[i] - c * pm[i]).collect();
        centre(&mut r);
        r
    };
    let norm = |r: &[f64]| r.iter().fold(0.0_f64, |m, v| m.max(v.abs()));

    // Start at x₀ + c P μ(x₀).
    let mut x = x0.to_vec();
    let pm = p.mul_vec(&mu_of(&x).1);
    for i in 0..k {
        x[i] += c * pm[i];
    }
    centre(&mut x);
    let mut r = residual(&x);
    let mut rn = norm(&r);
    let scale = 1.0 + norm(x0) + c.abs();
    for _ in 0..MAX_NEWTON {
        if rn <= FIXED_POINT_TOL * scale {
            break;
        }
        let (pi, _) = mu_of(&x);
        let jg = newton_matrix(p, &pi, c * lam);
        let rhs = -DVector::from_column_slice(&r);
        let dx = match jg.lu().solve(&rhs) {
            Some(s) => s,
            None => rhs,
        };
        let mut t = 1.0;
        let mut improved = false;
        for _ in 0..50 {
            let mut trial: Vec<f64> = x.iter().zip(dx.iter()).map(|(a, b)| a + t * b).collect();
            centre(&mut trial);
            let rt = residual(&trial);
            let rtn = norm(&rt);
            if rtn < rn || rtn <= FIXED_POINT_TOL * scale {
                x = trial;
                r = rt;
                rn = rtn;
                improved = true;
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

/// The Newton matrix of `G(x) = x − x₀ − c P μ(x)` on the sum-zero subspace:
/// `C (I − cλ P D(π)) + 11ᵀ/K` with `C = I − 11ᵀ/K` (`c_lam` = cλ).
fn newton_matrix(p: &PreferenceMatrix, pi: &[f64], c_lam: f64) -> DMatrix<f64> {
    let k = p.k();
    let d = DMatrix::from_fn(k, k, |i, j| {
        (if i == j { pi[i] } else { 0.0 }) - pi[i] * pi[j]
    });
    let pm = DMatrix::from_row_slice(k, k, p.as_slice());
    let mut jg = DMatrix::<f64>::identity(k, k) - (pm * d) * c_lam;
    for j in 0..k {
        let m = jg.column(j).sum() / k as f64;
        for i in 0..k {
            jg[(i, j)] -= m;
        }
    }
    jg.add_scalar_mut(1.0 / k as f64);
    jg
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
