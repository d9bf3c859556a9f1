//! Phase diagrams: a metric of MRS runs over a grid of two parameters, averaged over an
//! ensemble of matrices.

use serde::{Deserialize, Serialize};

mod job;
#[cfg(test)]
mod tests;

pub use job::{
    budget_ensemble, budget_spec, refinement_order, sweep, sweep_scalar, CellComputer, CellValue,
    PhaseJob, Progress,
};

use crate::dynamics::{DynamicsError, MrsParams};
use crate::generators::{dirichlet_flat, Family, GeneratorError};
use crate::preference::PreferenceMatrix;
use crate::simplex::uniform;

/// A parameter that a phase-diagram axis can vary. `BetaLambda` varies β with λ fixed so
/// that the product βλ (the paper's axis) takes the axis value. `BetaAlpha` (β·α, β with α
/// fixed) exists so that a schema v=1 link, whose `betalam` axis multiplied β by the
/// parameter now called α, reopens the same diagram.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Axis {
    Alpha,
    Beta,
    Lambda,
    Eta,
    BetaLambda,
    BetaAlpha,
}

impl Axis {
    pub const ALL: [Axis; 6] = [
        Axis::Alpha,
        Axis::Beta,
        Axis::Lambda,
        Axis::Eta,
        Axis::BetaLambda,
        Axis::BetaAlpha,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Axis::Alpha => "alpha",
            Axis::Beta => "beta",
            Axis::Lambda => "lam",
            Axis::Eta => "eta",
            Axis::BetaLambda => "betalam",
            Axis::BetaAlpha => "betaalpha",
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
            Axis::BetaAlpha => "βα",
        }
    }

    /// What a menu shows: the symbol and what it means.
    pub fn title(self) -> &'static str {
        match self {
            Axis::Alpha => "α (reference weight)",
            Axis::Beta => "β (strength)",
            Axis::Lambda => "λ (on-policy share)",
            Axis::Eta => "η (step)",
            Axis::BetaLambda => "βλ (β with λ fixed)",
            Axis::BetaAlpha => "βα (β with α fixed; format-1 links)",
        }
    }

    /// The admissible range of the axis value.
    pub fn bounds(self) -> (f64, f64) {
        match self {
            Axis::Alpha | Axis::Lambda => (0.0, 1.0),
            Axis::Eta => (1e-3, 1.0),
            Axis::Beta | Axis::BetaLambda | Axis::BetaAlpha => (1e-3, 100.0),
        }
    }

    /// The parameter of `p` this axis sets (the product axes set β).
    pub fn overridden(self, p: &mut MrsParams) -> &mut f64 {
        match self {
            Axis::Alpha => &mut p.alpha,
            Axis::Beta | Axis::BetaLambda | Axis::BetaAlpha => &mut p.beta,
            Axis::Lambda => &mut p.lam,
            Axis::Eta => &mut p.eta,
        }
    }

    /// This axis' value for parameters `p` (a product axis: `β·q`).
    pub fn of(self, p: &MrsParams) -> f64 {
        match self {
            Axis::Alpha => p.alpha,
            Axis::Beta => p.beta,
            Axis::Lambda => p.lam,
            Axis::Eta => p.eta,
            Axis::BetaLambda => p.beta * p.lam,
            Axis::BetaAlpha => p.beta * p.alpha,
        }
    }

    /// Whether the axis is a product `β·q` (β = value / q, set after q).
    pub fn is_product(self) -> bool {
        matches!(self, Axis::BetaLambda | Axis::BetaAlpha)
    }

    /// Sets this parameter to `v` in `p` (for a product axis `β·q`: `β = v/q`, call after
    /// q is set; infinite when q = 0).
    pub fn apply(self, p: &mut MrsParams, v: f64) {
        let over = |q: f64| if q > 0.0 { v / q } else { f64::INFINITY };
        match self {
            Axis::Alpha => p.alpha = v,
            Axis::Beta => p.beta = v,
            Axis::Lambda => p.lam = v,
            Axis::Eta => p.eta = v,
            Axis::BetaLambda => p.beta = over(p.lam),
            Axis::BetaAlpha => p.beta = over(p.alpha),
        }
    }
}

/// The base parameters a diagram over axes `x` and `y` depends on: those the axes set are
/// zeroed, so that changing them does not change the diagram.
pub fn base_inputs(base: MrsParams, x: Axis, y: Axis) -> MrsParams {
    let mut p = base;
    *x.overridden(&mut p) = 0.0;
    *y.overridden(&mut p) = 0.0;
    p
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

    /// The index of the grid value nearest to `v`, `None` more than half a step outside
    /// the range (or for a non-finite `v`).
    pub fn cell_of(&self, v: f64) -> Option<usize> {
        if !v.is_finite() || self.n == 0 {
            return None;
        }
        if self.n == 1 || self.max == self.min {
            return (v == self.min).then_some(0);
        }
        let step = (self.max - self.min) / (self.n - 1) as f64;
        let i = ((v - self.min) / step).round();
        (i >= 0.0 && i <= (self.n - 1) as f64).then_some(i as usize)
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

impl Ensemble {
    /// `(family, K, parameter, count, seed)` of a family ensemble.
    pub fn family_draw(&self) -> Option<(Family, usize, f64, usize, u64)> {
        match *self {
            Ensemble::Family {
                family,
                k,
                param,
                count,
                seed,
            } => Some((family, k, param, count, seed)),
            Ensemble::Current => None,
        }
    }
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
pub const MAX_ENSEMBLE: usize = 5000;

// ---------------------------------------------------------------------------------------
// The sweep.

/// A phase diagram: the metric, the two axes, the base parameters that the axes override,
/// and the length of every run.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PhaseSpec {
    pub x: AxisRange,
    pub y: AxisRange,
    pub metric: PhaseMetric,
    pub base: MrsParams,
    /// T, the number of rounds of each run (at most [`MAX_T`]).
    pub rounds: usize,
    /// B, the burn-in of the time-averaged variance (clamped to T, as in
    /// [`crate::dynamics::time_averaged_variance`]).
    pub burn_in: usize,
    /// Finite samples in every run (`None`: the population dynamics).
    #[serde(default)]
    pub sampling: Option<crate::finite::FiniteSpec>,
}

/// One matrix of an ensemble with its initial policy π₀ (also the base reference) and
/// its offline sampling distribution μ₀.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EnsembleMember {
    pub p: PreferenceMatrix,
    pub pi0: Vec<f64>,
    pub mu0: Vec<f64>,
}

/// `log π₀` of each member: the lanes' start and base reference.
pub fn log_starts(members: &[EnsembleMember]) -> Vec<Vec<f64>> {
    members
        .iter()
        .map(|m| m.pi0.iter().map(|v| v.ln()).collect())
        .collect()
}

/// The members as the lanes read them, with their `log π₀` from [`log_starts`].
pub fn lane_members<'a>(
    members: &'a [EnsembleMember],
    x0: &'a [Vec<f64>],
) -> Vec<crate::lanes::Member<'a>> {
    members
        .iter()
        .zip(x0)
        .map(|(m, x0)| crate::lanes::Member {
            p: &m.p,
            x0,
            mu0: &m.mu0,
        })
        .collect()
}

/// Why a phase diagram cannot be computed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PhaseError {
    #[error("finite samples: {0}")]
    Sampling(#[from] crate::finite::FiniteError),
    #[error("the {name} axis has {n} points; it needs between 1 and {max}")]
    BadGridSize {
        name: &'static str,
        n: usize,
        max: usize,
    },
    #[error("the {name} axis range [{min}, {max}] is not finite")]
    BadAxisRange {
        name: &'static str,
        min: f64,
        max: f64,
    },
    #[error("both axes vary {symbol}; choose two different parameters")]
    SameAxis { symbol: &'static str },
    #[error("the {axis} axis needs {factor} > 0, but cell (ix = {ix}, iy = {iy}) has {factor} = {value}: β = {axis}/{factor} would be infinite")]
    ProductNeedsFactor {
        axis: &'static str,
        factor: &'static str,
        ix: usize,
        iy: usize,
        value: f64,
    },
    #[error("cell (ix = {ix}, iy = {iy}) with {x_symbol} = {x}, {y_symbol} = {y}: {source}")]
    BadCell {
        ix: usize,
        iy: usize,
        x_symbol: &'static str,
        x: f64,
        y_symbol: &'static str,
        y: f64,
        source: DynamicsError,
    },
    #[error("T = {rounds} rounds; at most {max}")]
    TooManyRounds { rounds: usize, max: usize },
    #[error("the ensemble is empty")]
    EmptyEnsemble,
    #[error("the ensemble has {count} members; at most {max}")]
    EnsembleTooLarge { count: usize, max: usize },
    #[error("the ensemble is the current matrix, but no current matrix was given")]
    NoCurrentMatrix,
    #[error("ensemble family: {0}")]
    Generator(#[from] GeneratorError),
    #[error("ensemble member {member}: {name} has {got} entries for K = {k}")]
    MemberLength {
        member: usize,
        name: &'static str,
        got: usize,
        k: usize,
    },
    #[error("ensemble member {member}: π₀[{index}] = {value}; π₀ must be finite and > 0")]
    BadPi0 {
        member: usize,
        index: usize,
        value: f64,
    },
    #[error("ensemble member {member}: μ₀[{index}] = {value}; μ₀ must be finite and ≥ 0")]
    BadMu0 {
        member: usize,
        index: usize,
        value: f64,
    },
}

pub(crate) fn check_member(member: usize, m: &EnsembleMember) -> Result<(), PhaseError> {
    let k = m.p.k();
    for (name, v) in [("pi0", &m.pi0), ("mu0", &m.mu0)] {
        if v.len() != k {
            return Err(PhaseError::MemberLength {
                member,
                name,
                got: v.len(),
                k,
            });
        }
    }
    if let Some((index, &value)) = m
        .pi0
        .iter()
        .enumerate()
        .find(|(_, v)| !(v.is_finite() && **v > 0.0))
    {
        return Err(PhaseError::BadPi0 {
            member,
            index,
            value,
        });
    }
    if let Some((index, &value)) = m
        .mu0
        .iter()
        .enumerate()
        .find(|(_, v)| !(v.is_finite() && **v >= 0.0))
    {
        return Err(PhaseError::BadMu0 {
            member,
            index,
            value,
        });
    }
    Ok(())
}

/// The members of `ensemble`. `Family`: member m is
/// `family.generator(k, param).generate(seed + m)` (wrapping), with π₀ the flat Dirichlet
/// draw seeded by [`member_pi0_seed`] and μ₀ uniform. `Current`: the given
/// `(P, π₀, μ₀)` (an error when `None`).
pub fn ensemble_members(
    ensemble: &Ensemble,
    current: Option<(&PreferenceMatrix, &[f64], &[f64])>,
) -> Result<Vec<EnsembleMember>, PhaseError> {
    let members = match *ensemble {
        Ensemble::Current => {
            let (p, pi0, mu0) = current.ok_or(PhaseError::NoCurrentMatrix)?;
            vec![EnsembleMember {
                p: p.clone(),
                pi0: pi0.to_vec(),
                mu0: mu0.to_vec(),
            }]
        }
        Ensemble::Family {
            family,
            k,
            param,
            count,
            seed,
        } => {
            check_ensemble_size(count)?;
            let generator = family.generator(k, param);
            generator.validate()?;
            let mu0 = uniform(k);
            (0..count)
                .map(|m| {
                    Ok(EnsembleMember {
                        p: generator.generate(seed.wrapping_add(m as u64))?,
                        pi0: dirichlet_flat(k, member_pi0_seed(seed, m)),
                        mu0: mu0.clone(),
                    })
                })
                .collect::<Result<Vec<_>, PhaseError>>()?
        }
    };
    for (i, m) in members.iter().enumerate() {
        check_member(i, m)?;
    }
    Ok(members)
}

pub(crate) fn check_ensemble_size(count: usize) -> Result<(), PhaseError> {
    if count == 0 {
        Err(PhaseError::EmptyEnsemble)
    } else if count > MAX_ENSEMBLE {
        Err(PhaseError::EnsembleTooLarge {
            count,
            max: MAX_ENSEMBLE,
        })
    } else {
        Ok(())
    }
}

/// The parameters of cell `(ix, iy)`: `spec.base`, then the axis that is not a product is
/// applied (x before y if neither is), then the product axis (`β = βλ/λ` with the cell's
/// λ, or `β = βα/α`).
pub fn cell_params(spec: &PhaseSpec, ix: usize, iy: usize) -> MrsParams {
    params_at(spec, spec.x.value(ix), spec.y.value(iy))
}

/// The parameters at axis values `(x, y)`, set in the order of [`cell_params`].
pub fn params_at(spec: &PhaseSpec, x: f64, y: f64) -> MrsParams {
    let mut p = spec.base;
    let settings = [(spec.x.axis, x), (spec.y.axis, y)];
    for (axis, v) in settings {
        if !axis.is_product() {
            axis.apply(&mut p, v);
        }
    }
    for (axis, v) in settings {
        if axis.is_product() {
            axis.apply(&mut p, v);
        }
    }
    p
}

/// A phase diagram's values: per cell, the mean and the population standard deviation of
/// the metric over the ensemble. Row-major: cell `(ix, iy)` is at `iy * nx + ix`; cells
/// not computed yet are NaN.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PhaseGrid {
    pub nx: usize,
    pub ny: usize,
    pub mean: Vec<f64>,
    pub sd: Vec<f64>,
    /// Axis values, `x_values[ix]` and `y_values[iy]`.
    pub x_values: Vec<f64>,
    pub y_values: Vec<f64>,
}

impl PhaseGrid {
    /// `(mean, sd)` of cell `(ix, iy)`.
    pub fn cell(&self, ix: usize, iy: usize) -> Option<(f64, f64)> {
        if ix >= self.nx || iy >= self.ny {
            return None;
        }
        let c = iy * self.nx + ix;
        Some((self.mean[c], self.sd[c]))
    }
}

/// The paper's closed forms over a diagram's plane, sampled on an `nx × ny` lattice that
/// spans the axis ranges (finer than the grid, for lines and regions). Row-major like
/// [`PhaseGrid`]; an axis with one grid point has one sample.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TheoryField {
    pub nx: usize,
    pub ny: usize,
    pub x_values: Vec<f64>,
    pub y_values: Vec<f64>,
    /// `α + (βλ/2) max_m ‖S_m‖₂`: below 1 every member converges from every start.
    pub contraction: Vec<f64>,
    /// `√(a² + (κλω)²)`, ρ at the uniform fixed point, when every member is circulant with
    /// the same ω (exact where π₀ and μ₀ are uniform).
    pub circulant_rho: Option<Vec<f64>>,
    /// That common ω.
    pub omega: Option<f64>,
}

/// Samples per axis of the theory lattice drawn over a phase diagram.
pub const THEORY_SAMPLES: usize = 121;

/// A finished phase diagram: the metric, the ensemble-mean ρ per cell (its level set 1 is
/// the theory's boundary), the share of runs collapsed per cell (the verdict metric; NaN
/// for the others) and the closed forms over the plane.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PhaseResult {
    pub grid: PhaseGrid,
    pub rho: Vec<f64>,
    pub collapsed: Vec<f64>,
    pub theory: TheoryField,
}

/// The closed forms of [`crate::theory`] over the plane of `spec` for `members`, on a
/// lattice of at most `samples` points per axis.
pub fn theory_field(spec: &PhaseSpec, members: &[EnsembleMember], samples: usize) -> TheoryField {
    let norm = members
        .iter()
        .map(|m| crate::theory::skew_norm(&m.p))
        .fold(0.0, f64::max);
    let omegas: Vec<Option<f64>> = members
        .iter()
        .map(|m| crate::theory::circulant_omega(&m.p))
        .collect();
    let omega = match omegas.first() {
        Some(Some(w))
            if omegas
                .iter()
                .all(|o| o.is_some_and(|v| (v - w).abs() <= 1e-12)) =>
        {
            Some(*w)
        }
        _ => None,
    };
    let lattice = |r: &AxisRange| -> Vec<f64> {
        let n = if r.n <= 1 { 1 } else { samples.max(2) };
        AxisRange { n, ..*r }.values()
    };
    let (xs, ys) = (lattice(&spec.x), lattice(&spec.y));
    let mut contraction = Vec::with_capacity(xs.len() * ys.len());
    let mut circulant = Vec::with_capacity(xs.len() * ys.len());
    for &y in &ys {
        for &x in &xs {
            let p = params_at(spec, x, y);
            contraction.push(crate::theory::contraction_value(&p, norm));
            if let Some(w) = omega {
                circulant.push(crate::theory::circulant_rho(&p, w));
            }
        }
    }
    TheoryField {
        nx: xs.len(),
        ny: ys.len(),
        x_values: xs,
        y_values: ys,
        contraction,
        circulant_rho: omega.map(|_| circulant),
        omega,
    }
}
