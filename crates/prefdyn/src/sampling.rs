//! One-shot sampling strategies μ and the one-shot optimum under each.

use serde::{Deserialize, Serialize};

use crate::dpo::{dpo_solve, DpoOutcome};
use crate::dynamics::Solver;
use crate::ipo::ipo_log_policy;
use crate::preference::PreferenceMatrix;
use crate::simplex::uniform;
use crate::social_choice::{maximal_lottery, LotteryError};
use crate::stability::solve_fixed_point;

/// How the pairs are sampled in one-shot preference optimisation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum SamplingStrategy {
    /// μ uniform.
    Uniform,
    /// μ = π_ref.
    Reference,
    /// μ = π*, the fixed point of π = IPO(P, π, π_ref) (unique because S is skew).
    OnPolicy,
    /// `μ = (1−ε) ML(P) + ε uniform`.
    MaximalLotteryMix { epsilon: f64 },
    /// A given strictly positive μ.
    Custom { mu: Vec<f64> },
}

impl SamplingStrategy {
    pub fn label(&self) -> String {
        match self {
            SamplingStrategy::Uniform => "uniform".into(),
            SamplingStrategy::Reference => "reference".into(),
            SamplingStrategy::OnPolicy => "on-policy (self-consistent)".into(),
            SamplingStrategy::MaximalLotteryMix { epsilon } => {
                format!("maximal lottery mix (ε = {epsilon})")
            }
            SamplingStrategy::Custom { .. } => "custom".into(),
        }
    }
}

/// Why a one-shot optimum cannot be computed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum OneShotError {
    #[error(transparent)]
    Lottery(#[from] LotteryError),
    #[error("custom μ has {got} entries for K = {k}")]
    BadCustom { got: usize, k: usize },
}

/// The one-shot optimum under one strategy.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OneShot {
    pub strategy: SamplingStrategy,
    /// The sampling distribution actually used.
    pub mu: Vec<f64>,
    /// π*; for DPO without a finite optimum, the limit policy.
    pub policy: Vec<f64>,
    /// The DPO outcome when the solver is DPO.
    pub dpo: Option<DpoOutcome>,
}

/// One-shot optimum `π*` for `P`, reference `π_ref` (strictly positive), strength β.
/// For the on-policy strategy with DPO, μ is the IPO self-consistent point (DPO has no
/// closed-form self-consistency; documented in the interface).
pub fn one_shot(
    p: &PreferenceMatrix,
    pi_ref: &[f64],
    beta: f64,
    strategy: &SamplingStrategy,
    solver: Solver,
) -> Result<OneShot, OneShotError> {
    let k = p.k();
    let log_ref: Vec<f64> = pi_ref.iter().map(|v| v.ln()).collect();
    let mu = match strategy {
        SamplingStrategy::Uniform => uniform(k),
        SamplingStrategy::Reference => pi_ref.to_vec(),
        SamplingStrategy::OnPolicy => solve_fixed_point(p, &log_ref, &uniform(k), 1.0, beta)
            .iter()
            .map(|v| v.exp())
            .collect(),
        SamplingStrategy::MaximalLotteryMix { epsilon } => {
            let ml = maximal_lottery(p)?;
            let e = epsilon.clamp(0.0, 1.0);
            ml.iter().map(|m| (1.0 - e) * m + e / k as f64).collect()
        }
        SamplingStrategy::Custom { mu } => {
            if mu.len() != k {
                return Err(OneShotError::BadCustom { got: mu.len(), k });
            }
            mu.clone()
        }
    };
    let (policy, dpo) = match solver {
        Solver::Ipo => (
            ipo_log_policy(p, &mu, &log_ref, beta)
                .iter()
                .map(|v| v.exp())
                .collect(),
            None,
        ),
        Solver::Dpo => {
            // μ must be strictly positive for DPO's pair weights to see every pair.
            let mu_pos: Vec<f64> = mu.iter().map(|m| m.max(1e-300)).collect();
            let out = dpo_solve(p, &mu_pos, None);
            (out.policy(&log_ref, beta), Some(out))
        }
    };
    Ok(OneShot {
        strategy: strategy.clone(),
        mu,
        policy,
        dpo,
    })
}
