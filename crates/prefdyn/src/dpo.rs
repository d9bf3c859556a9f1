//! One-shot DPO: the Bradley–Terry likelihood with pair weights `μ_i μ_j`,
//! `f(z) = Σ_ij μ_i μ_j P_ij softplus(−(z_i − z_j))`, `z = β log(π/π_ref)`.

use nalgebra::{DMatrix, DVector};
use serde::Serialize;

use crate::generators::logistic;
use crate::preference::PreferenceMatrix;
use crate::simplex::{centre, log_softmax_in_place};
use crate::social_choice::{strongly_connected, top_component};

/// `softplus(x) = log(1 + eˣ)`, stable.
fn softplus(x: f64) -> f64 {
    if x > 0.0 {
        x + (-x).exp().ln_1p()
    } else {
        x.exp().ln_1p()
    }
}

/// DPO's population loss `f(z)`.
pub fn dpo_loss(p: &PreferenceMatrix, mu: &[f64], z: &[f64]) -> f64 {
    let k = p.k();
    let mut f = 0.0;
    for i in 0..k {
        for j in 0..k {
            if i != j {
                f += mu[i] * mu[j] * p.get(i, j) * softplus(-(z[i] - z[j]));
            }
        }
    }
    f
}

/// `∂f/∂z_k = Σ_j μ_k μ_j [P_jk σ(z_k − z_j) − P_kj σ(z_j − z_k)] = μ_k r_k` with `r` the
/// [`dpo_scaled_gradient`].
pub fn dpo_gradient(p: &PreferenceMatrix, mu: &[f64], z: &[f64]) -> Vec<f64> {
    dpo_scaled_gradient(p, mu, z)
        .iter()
        .zip(mu)
        .map(|(r, m)| m * r)
        .collect()
}

/// The gradient per unit of sampling weight, `r_a = (∂f/∂z_a)/μ_a
/// = Σ_b μ_b [P_ba σ(z_a − z_b) − P_ab σ(z_b − z_a)]`. It vanishes exactly where the
/// gradient does, but does not shrink with `μ_a`: a rarely sampled response's optimum is
/// as well determined as any other's, and this is what the solver drives to zero.
pub fn dpo_scaled_gradient(p: &PreferenceMatrix, mu: &[f64], z: &[f64]) -> Vec<f64> {
    let k = p.k();
    (0..k)
        .map(|a| {
            (0..k)
                .filter(|&b| b != a)
                .map(|b| {
                    let d = z[a] - z[b];
                    mu[b] * (p.get(b, a) * logistic(d) - p.get(a, b) * logistic(-d))
                })
                .sum()
        })
        .collect()
}

/// The Newton matrix for `r(z) = 0`: `∂r/∂z` (the Hessian, the graph Laplacian with
/// weights `μ_k μ_l σ(z_k−z_l) σ(z_l−z_k)`, with row a divided by `μ_a`), plus `1 μᵀ`,
/// which removes the null direction of constants (`μᵀ ∂r/∂z = 0`, `μᵀ r = 0`) without
/// changing the step on `μᵀ dz = 0`. Row scaling keeps it well conditioned when some
/// `μ_a` are tiny, where `H + 11ᵀ/K` is numerically singular.
fn dpo_newton_matrix(mu: &[f64], z: &[f64]) -> DMatrix<f64> {
    let k = mu.len();
    let mut h = DMatrix::zeros(k, k);
    for a in 0..k {
        for b in a + 1..k {
            let d = z[a] - z[b];
            let w = logistic(d) * logistic(-d);
            h[(a, b)] -= mu[b] * w;
            h[(b, a)] -= mu[a] * w;
            h[(a, a)] += mu[b] * w;
            h[(b, b)] += mu[a] * w;
        }
    }
    for a in 0..k {
        for b in 0..k {
            h[(a, b)] += mu[b];
        }
    }
    h
}

/// Whether DPO has a finite optimum: the digraph `i → j` iff `P[i][j] > 0` is strongly
/// connected.
pub fn dpo_has_finite_optimum(p: &PreferenceMatrix) -> bool {
    strongly_connected(p.k(), |i, j| p.get(i, j) > 0.0)
}

/// The result of a DPO solve.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum DpoOutcome {
    /// `z*` (sum zero) with the number of Newton iterations.
    Finite { z: Vec<f64>, iterations: usize },
    /// No finite optimum: the responses outside `top_component` are beaten with
    /// probability 1 by it, so the policy escapes to it. `limit_z` is DPO restricted to
    /// the component (entries outside it are −∞ in the limit and reported as `None`).
    NoFiniteOptimum {
        top_component: Vec<usize>,
        limit_z: Vec<Option<f64>>,
    },
}

impl DpoOutcome {
    /// `π = softmax(log π_ref + z/β)`; in the no-finite-optimum case, the limit policy
    /// (zero outside the top component).
    pub fn policy(&self, log_ref: &[f64], beta: f64) -> Vec<f64> {
        let mut y: Vec<f64> = match self {
            DpoOutcome::Finite { z, .. } => {
                z.iter().zip(log_ref).map(|(z, l)| l + z / beta).collect()
            }
            DpoOutcome::NoFiniteOptimum { limit_z, .. } => limit_z
                .iter()
                .zip(log_ref)
                .map(|(z, l)| match z {
                    Some(z) => l + z / beta,
                    None => f64::NEG_INFINITY,
                })
                .collect(),
        };
        log_softmax_in_place(&mut y);
        // Renormalise: with large |z/β| the log-sum-exp loses digits and the exponentials
        // alone can miss 1 by more than rounding.
        let pi: Vec<f64> = y.iter().map(|v| v.exp()).collect();
        let s: f64 = pi.iter().sum();
        pi.iter().map(|v| v / s).collect()
    }
}

/// Newton tolerance on the max norm of the scaled gradient `r` (of order 1 away from the
/// optimum whatever μ is).
const GRAD_TOL: f64 = 1e-13;
const MAX_NEWTON: usize = 100;

/// Damped Newton for `∇f = 0`: the step solves `H dz = −g` on the sum-zero subspace (as
/// `(D_μ⁻¹H + 1μᵀ) dz = −D_μ⁻¹g`, well conditioned for tiny μ), with Armijo backtracking
/// on `‖r‖²`, `r = D_μ⁻¹ g`, for which the Newton step is a descent direction (the loss
/// itself cannot see responses with tiny μ).
/// `warm` is an optional starting point (e.g. the previous round's `z*`).
/// Returns `None` only if the digraph is not strongly connected.
pub fn dpo_newton(
    p: &PreferenceMatrix,
    mu: &[f64],
    warm: Option<&[f64]>,
) -> Option<(Vec<f64>, usize)> {
    if !dpo_has_finite_optimum(p) {
        return None;
    }
    let k = p.k();
    let mut z: Vec<f64> = match warm {
        Some(w) if w.len() == k && w.iter().all(|v| v.is_finite()) => w.to_vec(),
        _ => vec![0.0; k],
    };
    centre(&mut z);
    let norm2 = |r: &[f64]| r.iter().map(|v| v * v).sum::<f64>();
    let mut r = dpo_scaled_gradient(p, mu, &z);
    let mut psi = norm2(&r);
    let mut iterations = 0;
    for _ in 0..MAX_NEWTON {
        let rmax = r.iter().fold(0.0_f64, |m, v| m.max(v.abs()));
        if rmax <= GRAD_TOL {
            break;
        }
        iterations += 1;
        let rhs = -DVector::from_vec(r.clone());
        let Some(dz) = dpo_newton_matrix(mu, &z).lu().solve(&rhs) else {
            break;
        };
        let dz_max = dz.iter().fold(0.0_f64, |m, v| m.max(v.abs()));
        if !dz_max.is_finite()
            || dz_max <= 1e-15 * (1.0 + z.iter().fold(0.0_f64, |m, v| m.max(v.abs())))
        {
            break;
        }
        let mut t = 1.0;
        let mut accepted = false;
        for _ in 0..60 {
            let mut trial: Vec<f64> = z.iter().zip(dz.iter()).map(|(a, b)| a + t * b).collect();
            centre(&mut trial);
            let rt = dpo_scaled_gradient(p, mu, &trial);
            let psit = norm2(&rt);
            if psit <= (1.0 - 1e-4 * t) * psi {
                z = trial;
                r = rt;
                psi = psit;
                accepted = true;
                break;
            }
            t *= 0.5;
        }
        if !accepted {
            break;
        }
    }
    Some((z, iterations))
}

/// Solves one-shot DPO for `P` and sampling distribution `μ` (strictly positive).
pub fn dpo_solve(p: &PreferenceMatrix, mu: &[f64], warm: Option<&[f64]>) -> DpoOutcome {
    if let Some((z, iterations)) = dpo_newton(p, mu, warm) {
        return DpoOutcome::Finite { z, iterations };
    }
    let top = top_component(p.k(), |i, j| p.get(i, j) > 0.0);
    let mut limit_z = vec![None; p.k()];
    if top.len() == 1 {
        limit_z[top[0]] = Some(0.0);
    } else {
        let sub = p.submatrix(&top);
        let sub_mu: Vec<f64> = top.iter().map(|&i| mu[i]).collect();
        if let Some((z, _)) = dpo_newton(&sub, &sub_mu, None) {
            for (a, &i) in top.iter().enumerate() {
                limit_z[i] = Some(z[a]);
            }
        }
    }
    DpoOutcome::NoFiniteOptimum {
        top_component: top,
        limit_z,
    }
}
