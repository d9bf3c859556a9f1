//! Phase diagrams: a metric of MRS runs over a grid of two parameters, averaged over an
//! ensemble of matrices.

use serde::{Deserialize, Serialize};

use crate::dynamics::MrsParams;
use crate::generators::Family;

/// A parameter that a phase-diagram axis can vary. `BetaLambda` varies β with λ fixed so
/// that the product βλ takes the axis value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Axis {
    Alpha,
    Beta,
    Lambda,
    Eta,
    BetaLambda,
}

impl Axis {
    pub const ALL: [Axis; 5] = [
        Axis::Alpha,
        Axis::Beta,
        Axis::Lambda,
        Axis::Eta,
        Axis::BetaLambda,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Axis::Alpha => "alpha",
            Axis::Beta => "beta",
            Axis::Lambda => "lam",
            Axis::Eta => "eta",
            Axis::BetaLambda => "betalam",
        }
    }

    pub fn from_key(key: &str) -> Option<Axis> {
        Axis::ALL.into_iter().find(|a| a.key() == key)
    }

    /// Symbol for axis labels.
    pub fn symbol(self) -> &'static str {
        match self {
            Axis::Alpha => "α",
            Axis::Beta => "β",
            Axis::Lambda => "λ",
            Axis::Eta => "η",
            Axis::BetaLambda => "βλ",
        }
    }

    /// The admissible range of the axis value.
    pub fn bounds(self) -> (f64, f64) {
        match self {
            Axis::Alpha | Axis::Lambda => (0.0, 1.0),
            Axis::Eta => (1e-3, 1.0),
            Axis::Beta | Axis::BetaLambda => (1e-3, 100.0),
        }
    }

    /// Sets this parameter to `v` in `p` (for `BetaLambda`: `β = v/λ`, call after λ is set).
    pub fn apply(self, p: &mut MrsParams, v: f64) {
        match self {
            Axis::Alpha => p.alpha = v,
            Axis::Beta => p.beta = v,
            Axis::Lambda => p.lam = v,
            Axis::Eta => p.eta = v,
            Axis::BetaLambda => {
                p.beta = if p.lam > 0.0 {
                    v / p.lam
                } else {
                    f64::INFINITY
                }
            }
        }
    }
}

/// `n` evenly spaced values from `min` to `max` inclusive.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct AxisRange {
    pub axis: Axis,
    pub min: f64,
    pub max: f64,
    pub n: usize,
}

impl AxisRange {
    /// Value of grid index `i`.
    pub fn value(&self, i: usize) -> f64 {
        if self.n <= 1 {
            self.min
        } else {
            self.min + (self.max - self.min) * i as f64 / (self.n - 1) as f64
        }
    }
    pub fn values(&self) -> Vec<f64> {
        (0..self.n).map(|i| self.value(i)).collect()
    }
}

/// What a phase-diagram cell shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PhaseMetric {
    /// Time-averaged variance V.
    Variance,
    /// `H(π_T)` in nats.
    FinalEntropy,
    /// ρ of the Jacobian at the fixed point (theory, no simulation).
    Rho,
    /// Share of runs whose verdict is "oscillating".
    Verdict,
}

impl PhaseMetric {
    pub const ALL: [PhaseMetric; 4] = [
        PhaseMetric::Variance,
        PhaseMetric::FinalEntropy,
        PhaseMetric::Rho,
        PhaseMetric::Verdict,
    ];
    pub fn key(self) -> &'static str {
        match self {
            PhaseMetric::Variance => "var",
            PhaseMetric::FinalEntropy => "entropy",
            PhaseMetric::Rho => "rho",
            PhaseMetric::Verdict => "verdict",
        }
    }
    pub fn from_key(key: &str) -> Option<PhaseMetric> {
        PhaseMetric::ALL.into_iter().find(|m| m.key() == key)
    }
    /// Title with units.
    pub fn title(self) -> &'static str {
        match self {
            PhaseMetric::Variance => "time-averaged variance V",
            PhaseMetric::FinalEntropy => "final entropy H(π_T) [nats]",
            PhaseMetric::Rho => "spectral radius ρ(J)",
            PhaseMetric::Verdict => "share of runs oscillating",
        }
    }
}

/// The matrices a phase diagram averages over.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Ensemble {
    /// The page's current P (and its π₀, μ₀).
    Current,
    /// `count` matrices of a family; member m uses generator seed `seed + m` and
    /// π₀ = a flat Dirichlet draw seeded by [`member_pi0_seed`].
    Family {
        family: Family,
        k: usize,
        param: f64,
        count: usize,
        seed: u64,
    },
}

/// Seed of the Dirichlet π₀ of ensemble member `m` (a fixed odd-constant mix of the seed).
pub fn member_pi0_seed(seed: u64, m: usize) -> u64 {
    seed.wrapping_add(m as u64)
        .wrapping_mul(0x9E37_79B9_7F4A_7C15)
        .rotate_left(17)
}

/// Largest grid side.
pub const MAX_GRID: usize = 128;
/// Largest ensemble.
pub const MAX_ENSEMBLE: usize = 256;
