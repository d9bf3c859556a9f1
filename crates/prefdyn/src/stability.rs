//! Fixed point of the MRS-IPO map and the spectral radius of its Jacobian.

use crate::linalg::spectral_norm;
use serde::Serialize;

use crate::preference::PreferenceMatrix;
use crate::simplex::{centre, log_softmax_in_place};

/// Newton tolerance on `‖C G(x)‖_∞`.
pub(crate) const FIXED_POINT_TOL: f64 = 1e-14;
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
/// Where Newton from `x₀ + c P μ(x₀)` does not reach the tolerance (c in the thousands:
/// the softmax saturates and the steps hop between vertices), the solution is followed
/// from `c/2^m ≤ 1` up to c, doubling c and starting each solve from the previous one
/// (`continuation`); the result with the smaller residual is returned.
///
/// The self-consistent on-policy IPO optimum is the case `x₀ = log π_ref`, `c = β`, `λ = 1`.
pub fn solve_fixed_point(
    p: &PreferenceMatrix,
    x0: &[f64],
    mu0: &[f64],
    lam: f64,
    c: f64,
) -> Vec<f64> {
    let mut w = FixedPointWork::new(p.k());
    let (mut x, rn) = damped_newton(&mut w, p, (x0, mu0, x0), (lam, c));
    if rn > FIXED_POINT_TOL * newton_scale(x0, c) {
        let (xc, rc) = continuation(&mut w, p, (x0, mu0), (lam, c));
        if rc < rn {
            x = xc;
        }
    }
    log_softmax_in_place(&mut x);
    x
}

/// The scale of the tolerance on `‖C G(x)‖_∞`: `1 + ‖x₀‖_∞ + |c|`.
fn newton_scale(x0: &[f64], c: f64) -> f64 {
    1.0 + x0.iter().fold(0.0_f64, |m, v| m.max(v.abs())) + c.abs()
}

/// The solves for `c_j = c/2^j`, `j = m, …, 0` with `c/2^m ≤ 1`, each started from the
/// previous solution; returns the last one and its residual.
fn continuation(
    w: &mut FixedPointWork,
    p: &PreferenceMatrix,
    (x0, mu0): (&[f64], &[f64]),
    (lam, c): (f64, f64),
) -> (Vec<f64>, f64) {
    let mut m = 0;
    while c / 2f64.powi(m) > 1.0 && m < 1100 {
        m += 1;
    }
    let mut x = x0.to_vec();
    let mut rn = f64::INFINITY;
    for j in (0..=m).rev() {
        (x, rn) = damped_newton(w, p, (x0, mu0, &x), (lam, c / 2f64.powi(j)));
    }
    (x, rn)
}

/// Damped Newton from `x₀ + c P μ(from)` (centred), at most [`MAX_NEWTON`] steps: returns
/// the iterate (centred, not normalised) and its residual `‖C G(x)‖_∞`.
fn damped_newton(
    w: &mut FixedPointWork,
    p: &PreferenceMatrix,
    (x0, mu0, from): (&[f64], &[f64], &[f64]),
    (lam, c): (f64, f64),
) -> (Vec<f64>, f64) {
    let k = p.k();
    let mut x = x0.to_vec();
    policy_and_sampler(w, from, mu0, lam);
    p.mul_vec_into(&w.mu, &mut w.pm);
    for i in 0..k {
        x[i] += c * w.pm[i];
    }
    centre(&mut x);
    let mut r = std::mem::take(&mut w.r);
    let mut rn = residual_into(w, p, (&x, x0, mu0), (lam, c), &mut r);
    let tol = FIXED_POINT_TOL * newton_scale(x0, c);
    for _ in 0..MAX_NEWTON {
        if rn <= tol {
            break;
        }
        policy_and_sampler(w, &x, mu0, lam);
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
            let rtn = residual_into(w, p, (&trial, x0, mu0), (lam, c), &mut rt);
            let accept = rtn < rn || rtn <= tol;
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
    w.r = r;
    (x, rn)
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

/// Spectral radius of the MRS-IPO Jacobian `J = a I + κ λ P D(π*)` on the quotient by
/// constants (`J 1 = a 1`).
///
/// `P D = S D` with `S = (P − Pᵀ)/2` (because `1ᵀ D = 0`), and with `s = √π*`
/// (elementwise) `D = Lᵀ L` for `L = (I − s sᵀ) diag(s)`, so the nonzero eigenvalues of
/// `S D = S Lᵀ L` are those of the skew-symmetric `B = L S Lᵀ` (`skew_form`): `±iω_j`.
/// The eigenvalues of J are therefore `a ± iκλω_j` (and a), and
/// `ρ(J) = √(a² + (κλσ)²)` with `σ = ‖B‖₂ = max_j ω_j`, B's largest singular value. This is
/// well conditioned where π* is close to a vertex, where an eigenvalue solver on the
/// non-normal `Qᵀ J Q` (Q an orthonormal basis of `1⊥`) loses digits. σ comes from
/// [`spectral_norm`] (Jacobi on BᵀB: relative accuracy about ε).
pub fn jacobian_spectral_radius(
    p: &PreferenceMatrix,
    pi_star: &[f64],
    a: f64,
    kappa: f64,
    lam: f64,
) -> f64 {
    let c = kappa * lam;
    if c == 0.0 {
        return a.abs();
    }
    let b = skew_form(p, pi_star);
    a.hypot(c * spectral_norm(&b, p.k()))
}

/// `B_ij = s_i s_j (S_ij − w_i + w_j)` with `s = √π`, `S = (P − Pᵀ)/2`, `w = S π`: the
/// skew-symmetric matrix `(I − s sᵀ) diag(s) S diag(s) (I − s sᵀ)` (for `Σ π = 1`), whose
/// nonzero eigenvalues are those of `S D(π)`.
fn skew_form(p: &PreferenceMatrix, pi: &[f64]) -> Vec<f64> {
    let k = p.k();
    let skew = |i: usize, j: usize| 0.5 * (p.get(i, j) - p.get(j, i));
    let w: Vec<f64> = (0..k)
        .map(|i| (0..k).map(|j| skew(i, j) * pi[j]).sum())
        .collect();
    let s: Vec<f64> = pi.iter().map(|v| v.sqrt()).collect();
    (0..k * k)
        .map(|ij| {
            let (i, j) = (ij / k, ij % k);
            if i == j {
                0.0
            } else {
                s[i] * s[j] * (skew(i, j) - w[i] + w[j])
            }
        })
        .collect()
}

/// The theory beside a simulation: fixed point, ρ and what ρ predicts.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Stability {
    /// `π*` with `x* = x₀ + (κ/(1−a)) P μ(x*)`; `None` when `a = 1` (no anchor).
    pub fixed_point: Option<Vec<f64>>,
    /// `ρ(J)` at the fixed point; `None` when there is no fixed point.
    pub rho: Option<f64>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generators::{dirichlet_flat, rng_for, Generator};
    use crate::simplex::uniform;
    use nalgebra::DMatrix;
    use rand::Rng;

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

    /// The definition: the largest `|a + κλ z|` over the eigenvalues z of `Qᵀ P D Q` (Schur).
    fn rho_by_schur(p: &PreferenceMatrix, pi: &[f64], a: f64, c: f64) -> Option<f64> {
        let k = p.k();
        let d = DMatrix::from_fn(k, k, |i, j| {
            (if i == j { pi[i] } else { 0.0 }) - pi[i] * pi[j]
        });
        let q = helmert_basis(k);
        let m = q.transpose() * (DMatrix::from_row_slice(k, k, p.as_slice()) * d) * &q;
        let schur = m.try_schur(f64::EPSILON, 30 * k + 60)?;
        let z = schur.complex_eigenvalues();
        Some(
            z.iter()
                .map(|z| (a + c * z.re).hypot(c * z.im))
                .fold(0.0, f64::max),
        )
    }

    /// `‖C (x − x₀ − c P μ(x))‖_∞` at a normalised `x`.
    fn residual(
        p: &PreferenceMatrix,
        x: &[f64],
        (x0, mu0): (&[f64], &[f64]),
        lam: f64,
        c: f64,
    ) -> f64 {
        let mut w = FixedPointWork::new(p.k());
        let mut r = vec![0.0; p.k()];
        residual_into(&mut w, p, (x, x0, mu0), (lam, c), &mut r)
    }

    #[test]
    fn the_skew_form_gives_the_jacobians_eigenvalues() -> Result<(), String> {
        let mut rng = rng_for(5);
        let mut worst = 0.0_f64;
        for n in 0..600_u64 {
            let k = 2 + (n % 11) as usize;
            let p = match n % 3 {
                0 => Generator::Random { k },
                1 => Generator::RandomCyclic { k, s: 0.5 },
                _ => Generator::BradleyTerry { k, sigma: 2.0 },
            }
            .generate(n)
            .map_err(|e| e.to_string())?;
            // Away from the vertices, where the Schur route is accurate too.
            let pi: Vec<f64> = (dirichlet_flat(k, n).iter().zip(uniform(k)))
                .map(|(d, u)| 0.5 * d + 0.5 * u)
                .collect();
            let (a, kappa, lam) = (rng.gen::<f64>(), 20.0 * rng.gen::<f64>(), rng.gen::<f64>());
            let got = jacobian_spectral_radius(&p, &pi, a, kappa, lam);
            let want = rho_by_schur(&p, &pi, a, kappa * lam).ok_or("Schur did not converge")?;
            let d = (got - want).abs() / want.max(1.0);
            worst = worst.max(d);
            assert!(d <= 1e-12, "K = {k}, n = {n}: {got} vs {want}");
        }
        println!("skew form vs Schur: max relative |Δρ| {worst:.2e}");
        Ok(())
    }

    /// With c in the tens of thousands Newton from `x₀ + c P μ(x₀)` stalls (the softmax
    /// saturates); the continuation in c reaches the tolerance.
    #[test]
    fn continuation_solves_where_newton_stalls() -> Result<(), String> {
        let mut stalled = 0;
        for n in 0..12_u64 {
            let k = 5 + (n % 4) as usize;
            let p =
                (Generator::RandomCyclic { k, s: 0.3 }.generate(n)).map_err(|e| e.to_string())?;
            let x0: Vec<f64> = dirichlet_flat(k, 100 + n).iter().map(|v| v.ln()).collect();
            let mu0 = dirichlet_flat(k, 200 + n);
            let (lam, c) = (0.5, 2.5e4);
            let tol = FIXED_POINT_TOL * newton_scale(&x0, c);
            let mut w = FixedPointWork::new(k);
            let (_, plain) = damped_newton(&mut w, &p, (&x0, &mu0, &x0), (lam, c));
            stalled += usize::from(plain > tol);
            let x = solve_fixed_point(&p, &x0, &mu0, lam, c);
            let r = residual(&p, &x, (&x0, &mu0), lam, c);
            assert!(r <= tol, "n = {n}: residual {r:e} (plain Newton {plain:e})");
        }
        assert!(stalled > 0, "no case needed the continuation");
        Ok(())
    }
}
