//! Phase diagrams: a metric of MRS runs over a grid of two parameters, averaged over an
//! ensemble of matrices.

use serde::{Deserialize, Serialize};

use crate::dynamics::{
    run_ipo_into, verdict, DynamicsError, IpoWorkspace, MrsParams, MrsRun, Solver, Verdict, MAX_T,
};
use crate::generators::{dirichlet_flat, Family, GeneratorError};
use crate::preference::PreferenceMatrix;
use crate::simplex::{entropy, uniform};

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
}

/// One matrix of an ensemble with its initial policy π₀ (also the base reference) and
/// its offline sampling distribution μ₀.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EnsembleMember {
    pub p: PreferenceMatrix,
    pub pi0: Vec<f64>,
    pub mu0: Vec<f64>,
}

/// Why a phase diagram cannot be computed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PhaseError {
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

fn check_member(member: usize, m: &EnsembleMember) -> Result<(), PhaseError> {
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

fn check_ensemble_size(count: usize) -> Result<(), PhaseError> {
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
/// the theory's boundary) and the closed forms over the plane.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PhaseResult {
    pub grid: PhaseGrid,
    pub rho: Vec<f64>,
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

/// How far a sweep has got.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Progress {
    pub done_cells: usize,
    pub total_cells: usize,
}

impl Progress {
    /// Share of cells done, in [0, 1].
    pub fn fraction(&self) -> f64 {
        if self.total_cells == 0 {
            1.0
        } else {
            self.done_cells as f64 / self.total_cells as f64
        }
    }
}

/// Checks a spec against the members; every cell's parameters are validated up front.
fn check_spec(spec: &PhaseSpec, members: &[EnsembleMember]) -> Result<(), PhaseError> {
    for (name, r) in [("x", &spec.x), ("y", &spec.y)] {
        if r.n == 0 || r.n > MAX_GRID {
            return Err(PhaseError::BadGridSize {
                name,
                n: r.n,
                max: MAX_GRID,
            });
        }
        if !(r.min.is_finite() && r.max.is_finite()) {
            return Err(PhaseError::BadAxisRange {
                name,
                min: r.min,
                max: r.max,
            });
        }
    }
    if spec.x.axis == spec.y.axis {
        return Err(PhaseError::SameAxis {
            symbol: spec.x.axis.symbol(),
        });
    }
    if spec.rounds > MAX_T {
        return Err(PhaseError::TooManyRounds {
            rounds: spec.rounds,
            max: MAX_T,
        });
    }
    check_ensemble_size(members.len())?;
    for (i, m) in members.iter().enumerate() {
        check_member(i, m)?;
    }
    let product = [spec.x.axis, spec.y.axis]
        .into_iter()
        .find(|a| a.is_product());
    for iy in 0..spec.y.n {
        for ix in 0..spec.x.n {
            let p = cell_params(spec, ix, iy);
            if let Some(axis) = product {
                let (factor, value) = if axis == Axis::BetaLambda {
                    ("λ", p.lam)
                } else {
                    ("α", p.alpha)
                };
                if value.is_nan() || value <= 0.0 {
                    return Err(PhaseError::ProductNeedsFactor {
                        axis: axis.symbol(),
                        factor,
                        ix,
                        iy,
                        value,
                    });
                }
            }
            p.validate().map_err(|source| PhaseError::BadCell {
                ix,
                iy,
                x_symbol: spec.x.axis.symbol(),
                x: spec.x.value(ix),
                y_symbol: spec.y.axis.symbol(),
                y: spec.y.value(iy),
                source,
            })?;
        }
    }
    Ok(())
}

/// An incremental phase-diagram sweep: [`PhaseSweep::step`] computes a few cells at a
/// time so that a page can show progress and offer a Cancel button between steps.
///
/// Metrics per run (MRS-IPO only), each the value that `MrsRun::simulate` followed by
/// `Metrics::of` (or `MrsRun::stability`) gives for the cell's parameters, bit for bit:
/// - `Variance`: [`crate::dynamics::time_averaged_variance`] over `t = B..T`;
/// - `FinalEntropy`: `H(π_T)` in nats;
/// - `Verdict`: 1 when the run's verdict is "oscillating", else 0, so the cell mean is the
///   share of oscillating runs;
/// - `Rho`: `ρ(J)` at the fixed point (theory, no simulation; a Newton solve and an
///   eigenvalue problem per run). NaN when `a = 1` (α = 1): the map then has no anchor and
///   no fixed point.
///
/// Simulated metrics reuse one workspace and one trajectory buffer for all runs.
#[derive(Debug, Clone)]
pub struct PhaseSweep {
    spec: PhaseSpec,
    members: Vec<EnsembleMember>,
    /// `log π₀` per member.
    x0: Vec<Vec<f64>>,
    grid: PhaseGrid,
    next_cell: usize,
    ws: IpoWorkspace,
    traj: Vec<f64>,
    values: Vec<f64>,
    /// Per-response sums of [`variance_by_rows`].
    acc: Vec<f64>,
}

impl PhaseSweep {
    /// Checks the spec and the members (every cell's parameters included).
    pub fn new(spec: PhaseSpec, members: Vec<EnsembleMember>) -> Result<Self, PhaseError> {
        check_spec(&spec, &members)?;
        let cells = spec.x.n * spec.y.n;
        let x0 = members
            .iter()
            .map(|m| m.pi0.iter().map(|v| v.ln()).collect())
            .collect();
        let kmax = members.iter().map(|m| m.p.k()).max().unwrap_or(0);
        Ok(PhaseSweep {
            grid: PhaseGrid {
                nx: spec.x.n,
                ny: spec.y.n,
                mean: vec![f64::NAN; cells],
                sd: vec![f64::NAN; cells],
                x_values: spec.x.values(),
                y_values: spec.y.values(),
            },
            spec,
            values: vec![0.0; members.len()],
            acc: Vec::with_capacity(2 * kmax),
            members,
            x0,
            next_cell: 0,
            ws: IpoWorkspace::default(),
            traj: Vec::with_capacity((spec.rounds + 1) * kmax),
        })
    }

    /// The spec being swept.
    pub fn spec(&self) -> &PhaseSpec {
        &self.spec
    }

    /// Cells done so far.
    pub fn progress(&self) -> Progress {
        Progress {
            done_cells: self.next_cell,
            total_cells: self.grid.mean.len(),
        }
    }

    /// Whether every cell is computed.
    pub fn is_done(&self) -> bool {
        self.next_cell >= self.grid.mean.len()
    }

    /// Computes up to `max_cells` more cells (row by row) and reports progress.
    pub fn step(&mut self, max_cells: usize) -> Progress {
        let total = self.grid.mean.len();
        let end = self.next_cell.saturating_add(max_cells).min(total);
        while self.next_cell < end {
            let c = self.next_cell;
            let (ix, iy) = (c % self.grid.nx, c / self.grid.nx);
            let (mean, sd) = self.compute_cell(ix, iy);
            self.grid.mean[c] = mean;
            self.grid.sd[c] = sd;
            self.next_cell += 1;
        }
        self.progress()
    }

    /// The grid so far (cells not computed yet are NaN).
    pub fn grid(&self) -> &PhaseGrid {
        &self.grid
    }

    pub fn into_grid(self) -> PhaseGrid {
        self.grid
    }

    /// Mean and population sd of the metric over the members at cell `(ix, iy)`.
    fn compute_cell(&mut self, ix: usize, iy: usize) -> (f64, f64) {
        let params = cell_params(&self.spec, ix, iy);
        let (rounds, burn_in) = (self.spec.rounds, self.spec.burn_in);
        for (m, member) in self.members.iter().enumerate() {
            let k = member.p.k();
            self.values[m] = match self.spec.metric {
                PhaseMetric::Rho => MrsRun {
                    p: &member.p,
                    pi0: &member.pi0,
                    mu0: &member.mu0,
                    params,
                    solver: Solver::Ipo,
                    rounds,
                }
                .stability()
                .ok()
                .and_then(|s| s.rho)
                .unwrap_or(f64::NAN),
                metric => {
                    run_ipo_into(
                        &member.p,
                        &self.x0[m],
                        &member.mu0,
                        &params,
                        rounds,
                        &mut self.ws,
                        &mut self.traj,
                    );
                    match metric {
                        PhaseMetric::Variance => {
                            variance_by_rows(&self.traj, k, burn_in, &mut self.acc)
                        }
                        PhaseMetric::FinalEntropy => entropy(&self.traj[rounds * k..]),
                        _ => {
                            if verdict(&self.traj, k) == Verdict::Oscillating {
                                1.0
                            } else {
                                0.0
                            }
                        }
                    }
                }
            };
        }
        mean_and_sd(&self.values)
    }
}

/// [`crate::dynamics::time_averaged_variance`] with the same sums in the same order (so bit for bit the
/// same value), accumulated row by row instead of one strided pass per response.
fn variance_by_rows(policies: &[f64], k: usize, burn_in: usize, acc: &mut Vec<f64>) -> f64 {
    let n_total = policies.len() / k;
    let b = burn_in.min(n_total.saturating_sub(1));
    let rows = &policies[b * k..];
    let n = (n_total - b) as f64;
    acc.clear();
    acc.resize(2 * k, 0.0);
    let (mean, var) = acc.split_at_mut(k);
    for row in rows.chunks_exact(k) {
        for (s, v) in mean.iter_mut().zip(row) {
            *s += v;
        }
    }
    for s in mean.iter_mut() {
        *s /= n;
    }
    for row in rows.chunks_exact(k) {
        for ((s, m), v) in var.iter_mut().zip(mean.iter()).zip(row) {
            *s += (v - m) * (v - m);
        }
    }
    let mut total = 0.0;
    for s in var.iter() {
        total += s / n;
    }
    total / k as f64
}

/// Mean and population standard deviation (two-pass).
fn mean_and_sd(v: &[f64]) -> (f64, f64) {
    let n = v.len() as f64;
    let mean = v.iter().sum::<f64>() / n;
    let var = v.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / n;
    (mean, var.sqrt())
}

/// Runs the whole sweep (single-threaded).
pub fn sweep(spec: &PhaseSpec, members: &[EnsembleMember]) -> Result<PhaseGrid, PhaseError> {
    let mut s = PhaseSweep::new(*spec, members.to_vec())?;
    s.step(usize::MAX);
    Ok(s.into_grid())
}

/// Runs the sweep `chunk` cells at a time (at least 1), calling `on_progress` after each
/// chunk; when it returns `false` the sweep stops and `Ok(None)` is returned. After the
/// last chunk `on_progress` is still called (its answer is then ignored) and the grid is
/// returned.
pub fn sweep_with_progress(
    spec: &PhaseSpec,
    members: &[EnsembleMember],
    chunk: usize,
    mut on_progress: impl FnMut(Progress) -> bool,
) -> Result<Option<PhaseGrid>, PhaseError> {
    let mut s = PhaseSweep::new(*spec, members.to_vec())?;
    loop {
        let progress = s.step(chunk.max(1));
        let go_on = on_progress(progress);
        if s.is_done() {
            return Ok(Some(s.into_grid()));
        }
        if !go_on {
            return Ok(None);
        }
    }
}

/// The PRODUCT.md budget grid: 64×64 cells (α ∈ [0, 1] × βλ ∈ [0.1, 5], base λ = 0.8,
/// η = 1), T = 300, time-averaged variance. Used by the benchmarks.
pub fn budget_spec() -> PhaseSpec {
    PhaseSpec {
        x: AxisRange {
            axis: Axis::Alpha,
            min: 0.0,
            max: 1.0,
            n: 64,
        },
        y: AxisRange {
            axis: Axis::BetaLambda,
            min: 0.1,
            max: 5.0,
            n: 64,
        },
        metric: PhaseMetric::Variance,
        base: MrsParams {
            alpha: 0.8,
            beta: 2.0,
            lam: 0.8,
            eta: 1.0,
        },
        rounds: 300,
        burn_in: 0,
    }
}

/// The budget grid's ensemble: 16 random cyclic 5×5 matrices (s = 0.5, seed 1).
pub fn budget_ensemble() -> Ensemble {
    Ensemble::Family {
        family: Family::RandomCyclic,
        k: 5,
        param: 0.5,
        count: 16,
        seed: 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dynamics::{time_averaged_variance, Metrics};
    use crate::generators::{rng_for, Generator};
    use crate::simplex::log_softmax_in_place;
    use rand::Rng;

    fn spec(metric: PhaseMetric) -> PhaseSpec {
        PhaseSpec {
            x: AxisRange {
                axis: Axis::Alpha,
                min: 0.0,
                max: 1.0,
                n: 6,
            },
            y: AxisRange {
                axis: Axis::BetaLambda,
                min: 0.1,
                max: 5.0,
                n: 5,
            },
            metric,
            base: MrsParams {
                alpha: 1.0,
                beta: 2.0,
                lam: 0.8,
                eta: 1.0,
            },
            rounds: 120,
            burn_in: 10,
        }
    }

    fn family(count: usize) -> Vec<EnsembleMember> {
        let e = Ensemble::Family {
            family: Family::RandomCyclic,
            k: 5,
            param: 0.5,
            count,
            seed: 7,
        };
        ensemble_members(&e, None).unwrap_or_default()
    }

    /// The straightforward MRS-IPO loop `run_ipo_into` must reproduce bit for bit.
    fn plain_ipo(
        p: &PreferenceMatrix,
        x0: &[f64],
        mu0: &[f64],
        params: &MrsParams,
        t_max: usize,
    ) -> Vec<f64> {
        let k = p.k();
        let (a, kappa, lam) = (params.a(), params.kappa(), params.lam);
        let mut out = vec![0.0; (t_max + 1) * k];
        let mut x = x0.to_vec();
        log_softmax_in_place(&mut x);
        let (mut mu, mut pm) = (vec![0.0; k], vec![0.0; k]);
        for i in 0..k {
            out[i] = x[i].exp();
        }
        for t in 0..t_max {
            for i in 0..k {
                mu[i] = (1.0 - lam) * mu0[i] + lam * out[t * k + i];
            }
            p.mul_vec_into(&mu, &mut pm);
            let mut m = f64::NEG_INFINITY;
            for i in 0..k {
                let y = a * x[i] + (1.0 - a) * x0[i] + kappa * pm[i];
                x[i] = y;
                m = m.max(y);
            }
            let mut e = vec![0.0; k];
            let mut s = 0.0;
            for i in 0..k {
                e[i] = (x[i] - m).exp();
                s += e[i];
            }
            let ls = s.ln();
            for i in 0..k {
                x[i] = (x[i] - m) - ls;
                out[(t + 1) * k + i] = e[i] / s;
            }
            let (prev, next) = out.split_at(k * (t + 1));
            let (prev, next) = (&prev[t * k..], &next[..k]);
            if prev
                .iter()
                .zip(next)
                .all(|(x, y)| (x - y).abs() <= 4.0 * f64::EPSILON)
            {
                let last = next.to_vec();
                for row in out[(t + 1) * k..].chunks_exact_mut(k) {
                    row.copy_from_slice(&last);
                }
                break;
            }
        }
        out
    }

    fn bits(v: &[f64]) -> Vec<u64> {
        v.iter().map(|x| x.to_bits()).collect()
    }

    #[test]
    fn run_ipo_into_matches_the_plain_loop_bit_for_bit() -> Result<(), String> {
        let mut rng = rng_for(42);
        let mut ws = IpoWorkspace::default();
        let mut out = Vec::new();
        for case in 0..400 {
            let k = [2, 3, 4, 5, 6, 7, 8, 9, 12, 20][case % 10];
            let gen = if case % 3 == 0 {
                Generator::Random { k }
            } else {
                Generator::RandomCyclic { k, s: 0.5 }
            };
            let p = (gen.generate(case as u64)).map_err(|e| format!("generator failed: {e}"))?;
            let pi0 = dirichlet_flat(k, 1000 + case as u64);
            let x0: Vec<f64> = pi0.iter().map(|v| v.ln()).collect();
            let mu0 = if case % 2 == 0 {
                uniform(k)
            } else {
                dirichlet_flat(k, 5000 + case as u64)
            };
            let params = MrsParams {
                alpha: rng.gen(),
                beta: 0.01 + 10.0 * rng.gen::<f64>(),
                lam: if case % 7 == 0 { 1.0 } else { rng.gen() },
                eta: if case % 5 == 0 {
                    1.0
                } else {
                    0.05 + 0.95 * rng.gen::<f64>()
                },
            };
            let t_max = [0, 1, 37, 300][case % 4];
            run_ipo_into(&p, &x0, &mu0, &params, t_max, &mut ws, &mut out);
            let want = plain_ipo(&p, &x0, &mu0, &params, t_max);
            assert_eq!(bits(&out), bits(&want), "case {case}: K = {k}, {params:?}");
        }
        Ok(())
    }

    #[test]
    fn variance_by_rows_is_time_averaged_variance_bit_for_bit() -> Result<(), String> {
        let members = family(3);
        let mut ws = IpoWorkspace::default();
        let (mut traj, mut acc) = (Vec::new(), Vec::new());
        for (m, member) in members.iter().enumerate() {
            let x0: Vec<f64> = member.pi0.iter().map(|v| v.ln()).collect();
            for (alpha, t_max) in [(0.3, 50), (0.9, 300), (1.0, 1), (0.5, 0)] {
                let params = MrsParams {
                    alpha,
                    beta: 6.0,
                    lam: 0.8,
                    eta: 1.0,
                };
                run_ipo_into(
                    &member.p,
                    &x0,
                    &member.mu0,
                    &params,
                    t_max,
                    &mut ws,
                    &mut traj,
                );
                for burn_in in [0, 1, 10, 299, 300, 5000] {
                    let want = time_averaged_variance(&traj, 5, burn_in);
                    let got = variance_by_rows(&traj, 5, burn_in, &mut acc);
                    assert_eq!(
                        got.to_bits(),
                        want.to_bits(),
                        "member {m}, α {alpha}, B {burn_in}"
                    );
                }
            }
        }
        Ok(())
    }

    /// The value of one run computed independently with `MrsRun`.
    fn independent(member: &EnsembleMember, params: MrsParams, spec: &PhaseSpec) -> f64 {
        let run = MrsRun {
            p: &member.p,
            pi0: &member.pi0,
            mu0: &member.mu0,
            params,
            solver: Solver::Ipo,
            rounds: spec.rounds,
        };
        if spec.metric == PhaseMetric::Rho {
            return run.stability().ok().and_then(|s| s.rho).unwrap_or(f64::NAN);
        }
        let Ok(traj) = run.simulate() else {
            return f64::NAN;
        };
        let m = Metrics::of(&traj, spec.burn_in);
        match spec.metric {
            PhaseMetric::Variance => m.variance,
            PhaseMetric::FinalEntropy => m.final_entropy,
            _ => f64::from(u8::from(m.verdict == Verdict::Oscillating)),
        }
    }

    #[test]
    fn every_cell_equals_independent_runs() -> Result<(), String> {
        let members = family(3);
        for metric in PhaseMetric::ALL {
            let spec = spec(metric);
            let grid = sweep(&spec, &members).map_err(|e| format!("sweep failed: {e}"))?;
            for iy in 0..spec.y.n {
                for ix in 0..spec.x.n {
                    let params = cell_params(&spec, ix, iy);
                    let v: Vec<f64> = members
                        .iter()
                        .map(|m| independent(m, params, &spec))
                        .collect();
                    let (mean, sd) = mean_and_sd(&v);
                    let (gm, gs) = (grid.cell(ix, iy)).ok_or("no cell")?;
                    // NaN (ρ where α = 1 has no fixed point) must be NaN in both.
                    let same =
                        |a: f64, b: f64| (a - b).abs() <= 1e-12 || (a.is_nan() && b.is_nan());
                    assert!(
                        same(gm, mean) && same(gs, sd),
                        "{metric:?} cell ({ix}, {iy}): grid ({gm}, {gs}), runs ({mean}, {sd})"
                    );
                }
            }
        }
        Ok(())
    }

    #[test]
    fn metric_values_are_what_they_say() -> Result<(), String> {
        let members = family(4);
        // Verdict: a share of runs.
        let g = (sweep(&spec(PhaseMetric::Verdict), &members))
            .map_err(|e| format!("sweep failed: {e}"))?;
        assert!(g
            .mean
            .iter()
            .all(|v| [0.0, 0.25, 0.5, 0.75, 1.0].contains(v)));
        assert!(g.mean.iter().any(|&v| v > 0.0), "some cell oscillates");
        // Entropy within [0, log K].
        let g = (sweep(&spec(PhaseMetric::FinalEntropy), &members))
            .map_err(|e| format!("sweep failed: {e}"))?;
        assert!(g
            .mean
            .iter()
            .all(|&v| (0.0..=5f64.ln() + 1e-12).contains(&v)));
        // ρ is NaN where a = 1 (α = 1, η = 1): the last column.
        let mut s = spec(PhaseMetric::Rho);
        s.y = AxisRange {
            axis: Axis::Lambda,
            min: 0.5,
            max: 1.0,
            n: 3,
        };
        let g = (sweep(&s, &members)).map_err(|e| format!("sweep failed: {e}"))?;
        for iy in 0..s.y.n {
            assert!(g.cell(s.x.n - 1, iy).is_some_and(|(m, _)| m.is_nan()));
            assert!(g
                .cell(0, iy)
                .is_some_and(|(m, sd)| m.is_finite() && sd >= 0.0));
        }
        Ok(())
    }

    #[test]
    fn grid_shape_and_axis_values() -> Result<(), String> {
        let members = family(2);
        let spec = spec(PhaseMetric::Variance);
        let sweep =
            (PhaseSweep::new(spec, members.clone())).map_err(|e| format!("new failed: {e}"))?;
        let g = sweep.grid();
        assert_eq!((g.nx, g.ny), (6, 5));
        assert_eq!((g.mean.len(), g.sd.len()), (30, 30));
        assert!(g.mean.iter().chain(&g.sd).all(|v| v.is_nan()));
        assert_eq!(g.x_values, spec.x.values());
        assert_eq!(
            (g.x_values[0], g.x_values[1], g.x_values[5]),
            (0.0, 0.2, 1.0)
        );
        assert_eq!(g.y_values.len(), 5);
        assert_eq!((g.y_values[0], g.y_values[4]), (0.1, 5.0));
        assert_eq!(g.cell(6, 0), None);
        assert_eq!(
            sweep.progress(),
            Progress {
                done_cells: 0,
                total_cells: 30
            }
        );
        let full = (super::sweep(&spec, &members)).map_err(|e| format!("sweep failed: {e}"))?;
        assert!(full.mean.iter().chain(&full.sd).all(|v| v.is_finite()));
        // Cell (ix, iy) is at iy * nx + ix and uses x_values[ix], y_values[iy].
        let p = cell_params(&spec, 4, 2);
        assert_eq!(p.alpha, full.x_values[4]);
        assert_eq!(p.beta * p.lam, full.y_values[2]);
        Ok(())
    }

    #[test]
    fn beta_lambda_axis_sets_beta_to_value_over_lambda() -> Result<(), String> {
        for (x_axis, y_axis) in [
            (Axis::Lambda, Axis::BetaLambda),
            (Axis::BetaLambda, Axis::Lambda),
        ] {
            let mut s = spec(PhaseMetric::Variance);
            s.x = AxisRange {
                axis: x_axis,
                min: 0.2,
                max: 1.0,
                n: 5,
            };
            s.y = AxisRange {
                axis: y_axis,
                min: 0.5,
                max: 4.0,
                n: 8,
            };
            for iy in 0..8 {
                for ix in 0..5 {
                    let p = cell_params(&s, ix, iy);
                    let (v, lam) = if x_axis == Axis::BetaLambda {
                        (s.x.value(ix), s.y.value(iy))
                    } else {
                        (s.y.value(iy), s.x.value(ix))
                    };
                    assert_eq!(p.lam, lam);
                    assert_eq!(p.beta, v / lam);
                    assert_eq!((p.alpha, p.eta), (1.0, 1.0));
                }
            }
        }
        // A plain β axis overrides β; the base λ stays.
        let mut s = spec(PhaseMetric::Variance);
        s.y.axis = Axis::Beta;
        let p = cell_params(&s, 1, 4);
        assert_eq!((p.beta, p.lam, p.alpha), (5.0, 0.8, 0.2));
        Ok(())
    }

    #[test]
    fn cancellation_stops_early_and_returns_none() -> Result<(), String> {
        let members = family(2);
        let spec = spec(PhaseMetric::Variance);
        let mut calls = Vec::new();
        let r = sweep_with_progress(&spec, &members, 4, |p| {
            calls.push(p);
            calls.len() < 2
        });
        assert_eq!(r, Ok(None));
        assert_eq!(
            calls,
            vec![
                Progress {
                    done_cells: 4,
                    total_cells: 30
                },
                Progress {
                    done_cells: 8,
                    total_cells: 30
                }
            ]
        );
        // Never cancelled: the grid, with a last call at 100%.
        let mut last = None;
        let r = sweep_with_progress(&spec, &members, 0, |p| {
            last = Some(p);
            true
        });
        assert!(matches!(r, Ok(Some(_))));
        assert_eq!(last.map(|p| p.fraction()), Some(1.0));
        Ok(())
    }

    #[test]
    fn chunked_stepping_equals_sweep() -> Result<(), String> {
        let members = family(3);
        for metric in [PhaseMetric::Variance, PhaseMetric::Rho] {
            let mut spec = spec(metric);
            spec.y.axis = Axis::Lambda;
            spec.y.max = 1.0;
            let whole = (sweep(&spec, &members)).map_err(|e| format!("sweep failed: {e}"))?;
            let mut s =
                (PhaseSweep::new(spec, members.clone())).map_err(|e| format!("new failed: {e}"))?;
            let mut steps = 0;
            while !s.is_done() {
                let p = s.step(7);
                steps += 1;
                assert_eq!(p.done_cells, (7 * steps).min(30));
                // Cells not computed yet are NaN.
                assert!(s.grid().mean[p.done_cells..].iter().all(|v| v.is_nan()));
            }
            assert_eq!(steps, 5);
            assert_eq!(s.step(7).done_cells, 30);
            let g = s.into_grid();
            assert_eq!(bits(&g.mean), bits(&whole.mean));
            assert_eq!(bits(&g.sd), bits(&whole.sd));
        }
        Ok(())
    }

    #[test]
    fn bad_specs_are_reported() -> Result<(), String> {
        let members = family(2);
        // λ = 0 on a βλ diagram: β would be infinite.
        let mut s = spec(PhaseMetric::Variance);
        s.x = AxisRange {
            axis: Axis::Lambda,
            min: 0.0,
            max: 1.0,
            n: 3,
        };
        let e = sweep(&s, &members);
        assert_eq!(
            e,
            Err(PhaseError::ProductNeedsFactor {
                axis: "βλ",
                factor: "λ",
                ix: 0,
                iy: 0,
                value: 0.0
            })
        );
        assert!(e.is_err_and(|e| e.to_string().contains("λ > 0")));
        // A parameter out of range names the cell and the parameter.
        let mut s = spec(PhaseMetric::Variance);
        s.x.max = 1.5;
        let e = (sweep(&s, &members)).err().ok_or("α = 1.5 accepted")?;
        assert!(matches!(e, PhaseError::BadCell { ix: 4, iy: 0, .. }), "{e}");
        assert!(e.to_string().contains("alpha"), "{e}");
        // Sizes.
        let mut s = spec(PhaseMetric::Variance);
        s.y.n = MAX_GRID + 1;
        assert!(matches!(
            sweep(&s, &members),
            Err(PhaseError::BadGridSize { name: "y", .. })
        ));
        s.y.n = 0;
        assert!(matches!(
            sweep(&s, &members),
            Err(PhaseError::BadGridSize { .. })
        ));
        let mut s = spec(PhaseMetric::Variance);
        s.y.axis = Axis::Alpha;
        assert!(matches!(
            sweep(&s, &members),
            Err(PhaseError::SameAxis { .. })
        ));
        let mut s = spec(PhaseMetric::Variance);
        s.rounds = MAX_T + 1;
        assert!(matches!(
            sweep(&s, &members),
            Err(PhaseError::TooManyRounds { .. })
        ));
        let s = spec(PhaseMetric::Variance);
        assert_eq!(sweep(&s, &[]), Err(PhaseError::EmptyEnsemble));
        let many = vec![members[0].clone(); MAX_ENSEMBLE + 1];
        assert!(matches!(
            sweep(&s, &many),
            Err(PhaseError::EnsembleTooLarge { .. })
        ));
        let mut bad = members[0].clone();
        bad.pi0.pop();
        assert!(matches!(
            sweep(&s, &[bad]),
            Err(PhaseError::MemberLength { name: "pi0", .. })
        ));
        let mut bad = members[0].clone();
        bad.pi0[2] = 0.0;
        assert!(matches!(
            sweep(&s, &[bad]),
            Err(PhaseError::BadPi0 { index: 2, .. })
        ));
        let mut s = spec(PhaseMetric::Variance);
        s.x.min = f64::NAN;
        assert!(matches!(
            sweep(&s, &members),
            Err(PhaseError::BadAxisRange { .. })
        ));
        Ok(())
    }

    #[test]
    fn ensemble_members_follow_the_seeds() -> Result<(), String> {
        let e = Ensemble::Family {
            family: Family::Random,
            k: 4,
            param: 0.0,
            count: 3,
            seed: u64::MAX,
        };
        let members = (ensemble_members(&e, None)).map_err(|e| format!("members failed: {e}"))?;
        assert_eq!(members.len(), 3);
        for (m, member) in members.iter().enumerate() {
            let want = Generator::Random { k: 4 }.generate(u64::MAX.wrapping_add(m as u64));
            assert_eq!(Ok(&member.p), want.as_ref());
            assert_eq!(member.pi0, dirichlet_flat(4, member_pi0_seed(u64::MAX, m)));
            assert_eq!(member.mu0, vec![0.25; 4]);
        }
        assert_eq!(
            ensemble_members(&Ensemble::Current, None),
            Err(PhaseError::NoCurrentMatrix)
        );
        let p = members[0].p.clone();
        let cur = (ensemble_members(
            &Ensemble::Current,
            Some((&p, &[0.1, 0.2, 0.3, 0.4], &[0.25; 4])),
        ))
        .map_err(|e| format!("current failed: {e}"))?;
        assert_eq!(cur.len(), 1);
        assert_eq!(cur[0].pi0, vec![0.1, 0.2, 0.3, 0.4]);
        let bad = Ensemble::Family {
            family: Family::RandomCyclic,
            k: 5,
            param: 0.9,
            count: 3,
            seed: 0,
        };
        assert!(matches!(
            ensemble_members(&bad, None),
            Err(PhaseError::Generator(_))
        ));
        let big = Ensemble::Family {
            family: Family::Random,
            k: 3,
            param: 0.0,
            count: MAX_ENSEMBLE + 1,
            seed: 0,
        };
        assert!(matches!(
            ensemble_members(&big, None),
            Err(PhaseError::EnsembleTooLarge { .. })
        ));
        Ok(())
    }
}
