//! The paper's closed-form theory of MRS-IPO, shown beside the simulation (MODEL.md,
//! "Fixed point and stability"). With `S = P − ½11ᵀ` and `D(π) = diag(π) − ππᵀ`, the map's
//! Jacobian is `J = a I + κλ S D(π)` (`P D = S D` because `1ᵀD = 0`):
//!
//! - global contraction: `‖D‖₂ ≤ ½`, so `‖J‖ ≤ a + κλ‖S‖₂/2 < 1` everywhere iff
//!   `α + (βλ/2)‖S‖₂ < 1` (η cancels): one interior fixed point, reached from every start;
//! - circulant P at the uniform fixed point: eigenvalues `a ± iκλω`, `ω = ρ(S)/K`, so
//!   `ρ(J) = √(a² + (κλω)²)`; at η = 1 oscillation starts at `α* = √(1 − (βλω)²)`; for the
//!   3-cycle (`P[i][i+1] = ½ + s`) `ρ² = α² + s²β²λ²/3`;
//! - strong transitivity: concentration is governed by `βλ/(1−α)`; at α = 1 (η = 1) the
//!   entropy falls to 0 and the policy converges to the top response.

use crate::linalg::spectral_norm;
use serde::Serialize;

use crate::dynamics::MrsParams;
use crate::preference::PreferenceMatrix;
use crate::social_choice::is_sst;

/// Largest deviation from circulance (and from uniformity of π₀, μ₀) treated as zero.
const EXACT: f64 = 1e-12;

/// `‖P − ½11ᵀ‖₂ = ‖S‖₂`, the largest singular value of the skew-symmetric S (its spectral
/// radius), from the eigenvalues of `SᵀS`.
pub fn skew_norm(p: &PreferenceMatrix) -> f64 {
    let k = p.k();
    let s: Vec<f64> = p.as_slice().iter().map(|v| v - 0.5).collect();
    spectral_norm(&s, k)
}

/// `α + (βλ/2)‖S‖₂`: below 1 the MRS-IPO map is a contraction for every η.
pub fn contraction_value(params: &MrsParams, skew_norm: f64) -> f64 {
    params.alpha + 0.5 * params.beta * params.lam * skew_norm
}

/// `ω = ρ(S)/K` when P is circulant (`P_ij` depends on `(j − i) mod K` only, to 1e-12).
pub fn circulant_omega(p: &PreferenceMatrix) -> Option<f64> {
    let k = p.k();
    let c: Vec<f64> = (0..k).map(|d| p.get(0, d) - 0.5).collect();
    let circulant =
        (0..k).all(|i| (0..k).all(|j| (p.get(i, j) - 0.5 - c[(j + k - i) % k]).abs() <= EXACT));
    // S is skew-symmetric, hence normal: its spectral radius (the largest modulus of the
    // circulant's eigenvalues, the DFT of its first row) is its spectral norm.
    circulant.then(|| skew_norm(p) / k as f64)
}

/// `ρ(J) = √(a² + (κλω)²)` at the uniform fixed point of a circulant P.
pub fn circulant_rho(params: &MrsParams, omega: f64) -> f64 {
    params.a().hypot(params.kappa() * params.lam * omega)
}

/// The onset `α* = √(1 − (βλω)²)` at η = 1: the uniform fixed point of a circulant P is
/// unstable for α > α* (0 when βλω ≥ 1: unstable for every α).
pub fn onset_alpha(beta: f64, lam: f64, omega: f64) -> f64 {
    let b = beta * lam * omega;
    (1.0 - b * b).max(0.0).sqrt()
}

/// The 3-cycle form `α² + s²β²λ²/3` (η = 1): ρ(J)² at the uniform fixed point.
pub fn three_cycle_value(params: &MrsParams, s: f64) -> f64 {
    let (a, b) = (params.alpha, s * params.beta * params.lam);
    a * a + b * b / 3.0
}

/// `βλ/(1−α)` (∞ at α = 1).
pub fn concentration_ratio(params: &MrsParams) -> f64 {
    if params.alpha >= 1.0 {
        f64::INFINITY
    } else {
        params.beta * params.lam / (1.0 - params.alpha)
    }
}

fn is_uniform(v: &[f64]) -> bool {
    let u = 1.0 / v.len().max(1) as f64;
    v.iter().all(|x| (x - u).abs() <= EXACT)
}

/// The circulant closed form for one configuration.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CirculantTheory {
    /// `ω = ρ(S)/K`.
    pub omega: f64,
    /// `√(a² + (κλω)²)`: ρ(J) at the uniform fixed point.
    pub rho_uniform: f64,
    /// Whether the uniform distribution is the fixed point here (π₀ and μ₀ uniform), so
    /// that `rho_uniform` is exactly the ρ of the run; otherwise it is the ρ of the run
    /// started at a perturbed uniform reference.
    pub uniform_fixed_point: bool,
    /// `α* = √(1 − (βλω)²)` (at η = 1; with η < 1 the threshold is `a² + (κλω)² = 1`).
    pub onset_alpha: f64,
    /// For K = 3: `s` (with `P[i][i+1] = ½ + s`) and `α² + s²β²λ²/3` (η = 1).
    pub three_cycle: Option<ThreeCycle>,
}

/// The paper's 3-cycle threshold.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ThreeCycle {
    pub s: f64,
    /// `α² + s²β²λ²/3`; above 1 the uniform fixed point is unstable.
    pub value: f64,
}

/// The strong-transitivity statement for one configuration.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TransitiveTheory {
    /// `βλ/(1−α)` (∞ at α = 1).
    pub concentration_ratio: f64,
    /// The top of the SST order: the responses no response beats (`P_ji ≤ ½` for all j);
    /// one response unless the top is tied at ½.
    pub top: Vec<usize>,
    /// α = 1 and η = 1: π_t converges onto `top` (a vertex, entropy 0, when `top` is one
    /// response).
    pub collapses_to_top: bool,
}

/// The theory that applies to a configuration: always the contraction bound; the
/// circulant closed form when P is circulant; the concentration ratio when P is SST.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TheoryReport {
    /// `‖P − ½11ᵀ‖₂`.
    pub skew_norm: f64,
    /// `α + (βλ/2)‖S‖₂`.
    pub contraction: f64,
    /// `contraction < 1`: convergence from every start is certain.
    pub contraction_certain: bool,
    pub circulant: Option<CirculantTheory>,
    pub transitive: Option<TransitiveTheory>,
}

impl TheoryReport {
    pub fn of(p: &PreferenceMatrix, pi0: &[f64], mu0: &[f64], params: &MrsParams) -> Self {
        let norm = skew_norm(p);
        let contraction = contraction_value(params, norm);
        let circulant = circulant_omega(p).map(|omega| CirculantTheory {
            omega,
            rho_uniform: circulant_rho(params, omega),
            uniform_fixed_point: is_uniform(pi0) && is_uniform(mu0),
            onset_alpha: onset_alpha(params.beta, params.lam, omega),
            three_cycle: (p.k() == 3).then(|| {
                let s = p.get(0, 1) - 0.5;
                ThreeCycle {
                    s,
                    value: three_cycle_value(params, s),
                }
            }),
        });
        let transitive = is_sst(p).then(|| {
            let k = p.k();
            let top = (0..k)
                .filter(|&i| (0..k).all(|j| p.get(j, i) <= 0.5))
                .collect();
            TransitiveTheory {
                concentration_ratio: concentration_ratio(params),
                top,
                collapses_to_top: params.alpha >= 1.0 && params.eta >= 1.0,
            }
        });
        TheoryReport {
            skew_norm: norm,
            contraction,
            contraction_certain: contraction < 1.0,
            circulant,
            transitive,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generators::Generator;

    #[test]
    fn skew_norm_of_the_three_cycle_is_s_sqrt3() -> Result<(), String> {
        for s in [0.1, 0.25, 0.5] {
            let p = Generator::RockPaperScissors { s }
                .generate(0)
                .map_err(|e| e.to_string())?;
            assert!((skew_norm(&p) - s * 3f64.sqrt()).abs() < 1e-12);
            let w = circulant_omega(&p).ok_or("RPS is circulant")?;
            assert!((w - s / 3f64.sqrt()).abs() < 1e-12);
        }
        Ok(())
    }

    #[test]
    fn three_cycle_form_is_the_circulant_form_squared() -> Result<(), String> {
        let p = Generator::RockPaperScissors { s: 0.4 }
            .generate(0)
            .map_err(|e| e.to_string())?;
        let w = circulant_omega(&p).ok_or("circulant")?;
        for (alpha, beta, lam) in [(0.3, 2.0, 0.8), (0.9, 5.0, 1.0), (0.0, 0.5, 0.1)] {
            let prm = MrsParams {
                alpha,
                beta,
                lam,
                eta: 1.0,
            };
            let r = circulant_rho(&prm, w);
            assert!((r * r - three_cycle_value(&prm, 0.4)).abs() < 1e-12);
            // At α* the circulant ρ is exactly 1.
            let star = onset_alpha(beta, lam, w);
            if star > 0.0 {
                let at = MrsParams { alpha: star, ..prm };
                assert!((circulant_rho(&at, w) - 1.0).abs() < 1e-12);
            }
        }
        Ok(())
    }

    #[test]
    fn non_circulant_matrices_have_no_omega() -> Result<(), String> {
        let p = Generator::Random { k: 5 }
            .generate(3)
            .map_err(|e| e.to_string())?;
        assert_eq!(circulant_omega(&p), None);
        Ok(())
    }
}
