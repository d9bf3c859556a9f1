//! Computing a phase diagram: the cells in coarse-to-fine order, each cell's metric (mean
//! and sd over the ensemble) and its ensemble-mean ρ together, so that the picture and its
//! ρ = 1 boundary fill in as one. The page (in slices or in workers) and the CLI (on every
//! core) run the same [`CellComputer`]; [`PhaseJob`] keeps the order and the result.

use serde::{Deserialize, Serialize};

use super::{
    cell_params, check_ensemble_size, check_member, theory_field, Axis, AxisRange, Ensemble,
    EnsembleMember, PhaseError, PhaseGrid, PhaseMetric, PhaseResult, PhaseSpec, MAX_GRID,
    THEORY_SAMPLES,
};
use crate::dynamics::{
    run_ipo_into, verdict, IpoWorkspace, MrsParams, MrsRun, Solver, Verdict, MAX_T,
};
use crate::finite::{finite_cell, CellWorkspace, FiniteMember, FiniteSpec};
use crate::generators::Family;
use crate::lanes::{LaneEnsemble, LaneMetric};
use crate::simplex::entropy;

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
    if let Some(sampling) = &spec.sampling {
        sampling.validate()?;
    }
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

/// One computed cell: the metric's mean and population sd over the members, the members'
/// mean ρ (NaN where α = 1: no fixed point), and for the verdict metric the share of runs
/// collapsed (NaN for the other metrics).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct CellValue {
    pub cell: usize,
    pub mean: f64,
    pub sd: f64,
    pub rho: f64,
    pub collapsed: f64,
}

impl CellValue {
    /// Numbers per cell in a worker's reply: `[cell, mean, sd, ρ, collapsed]`.
    pub const WIRE: usize = 5;

    /// The cell as a worker sends it.
    pub fn to_wire(&self) -> [f64; CellValue::WIRE] {
        [
            self.cell as f64,
            self.mean,
            self.sd,
            self.rho,
            self.collapsed,
        ]
    }

    /// The cells of a worker's reply (a partial last cell is dropped).
    pub fn from_wire(values: &[f64]) -> Vec<CellValue> {
        values
            .chunks_exact(CellValue::WIRE)
            .map(|v| CellValue {
                cell: v[0] as usize,
                mean: v[1],
                sd: v[2],
                rho: v[3],
                collapsed: v[4],
            })
            .collect()
    }
}

/// A cell's metric over the members: mean, population sd and (verdict metric) the share
/// of runs collapsed.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Stat {
    mean: f64,
    sd: f64,
    collapsed: f64,
}

impl Stat {
    fn of(values: &[f64]) -> Stat {
        let (mean, sd) = mean_and_sd(values);
        Stat {
            mean,
            sd,
            collapsed: f64::NAN,
        }
    }

    /// The verdict metric of runs with these verdicts: the share oscillating (mean and sd
    /// of its indicator, in member order) and the share collapsed.
    fn of_verdicts(verdicts: &[Option<Verdict>]) -> Stat {
        let oscillating: Vec<f64> = verdicts
            .iter()
            .map(|v| f64::from(u8::from(*v == Some(Verdict::Oscillating))))
            .collect();
        let collapsed = verdicts
            .iter()
            .filter(|v| **v == Some(Verdict::Collapsed))
            .count();
        Stat {
            collapsed: collapsed as f64 / verdicts.len() as f64,
            ..Stat::of(&oscillating)
        }
    }
}

/// Computes cells of one diagram: the spec, the members and reusable buffers. Each thread
/// or worker owns one.
///
/// Metrics per run (MRS-IPO), each the value that `MrsRun::simulate` followed by
/// `Metrics::of` (or `MrsRun::stability`) gives for the cell's parameters:
/// - `Variance`: [`crate::dynamics::time_averaged_variance`] over `t = B..T`;
/// - `FinalEntropy`: `H(π_T)` in nats;
/// - `Verdict`: 1 when the run's verdict is "oscillating", else 0 (the cell mean is the
///   share of oscillating runs); the cell also counts the share "collapsed";
/// - `Rho`: `ρ(J)` at the fixed point (no simulation).
///
/// Population runs go through the SIMD lanes ([`crate::lanes`]: within 1e-9 of the scalar
/// engine where ρ < 1, 1e-6 elsewhere); with finite samples each member's value is the
/// mean over its R realisations ([`finite_cell`]). ρ goes through the lanes too
/// ([`LaneEnsemble::cell_rho`]: the fixed point and the spectral radius within rounding of
/// the scalar engine, which it falls back to per run where the lanes do not apply).
#[derive(Debug, Clone)]
pub struct CellComputer {
    spec: PhaseSpec,
    members: Vec<EnsembleMember>,
    /// `log π₀` per member.
    x0: Vec<Vec<f64>>,
    /// The members in lanes: ρ of every cell, and the metric when `metric_in_lanes`.
    lanes: Option<LaneEnsemble>,
    /// Whether the metric is a population run's (not ρ, no finite samples).
    metric_in_lanes: bool,
    ws: IpoWorkspace,
    finite_ws: CellWorkspace,
    traj: Vec<f64>,
    values: Vec<f64>,
    rhos: Vec<f64>,
    /// Per-response sums of [`variance_by_rows`].
    acc: Vec<f64>,
}

impl CellComputer {
    /// Checks the spec and the members (every cell's parameters included).
    pub fn new(spec: PhaseSpec, members: Vec<EnsembleMember>) -> Result<Self, PhaseError> {
        check_spec(&spec, &members)?;
        let x0 = super::log_starts(&members);
        let lanes = LaneEnsemble::new(
            &super::lane_members(&members, &x0),
            spec.rounds,
            spec.burn_in,
        )
        .ok();
        let metric_in_lanes = spec.metric != PhaseMetric::Rho && spec.sampling.is_none();
        let kmax = members.iter().map(|m| m.p.k()).max().unwrap_or(0);
        Ok(CellComputer {
            spec,
            values: vec![0.0; members.len()],
            rhos: vec![0.0; members.len()],
            acc: Vec::with_capacity(2 * kmax),
            members,
            x0,
            lanes,
            metric_in_lanes,
            ws: IpoWorkspace::default(),
            finite_ws: CellWorkspace::default(),
            traj: Vec::with_capacity((spec.rounds + 1) * kmax),
        })
    }

    pub fn spec(&self) -> &PhaseSpec {
        &self.spec
    }

    pub fn members(&self) -> &[EnsembleMember] {
        &self.members
    }

    /// The values of `cells` (indices `iy * nx + ix`; out-of-range indices are skipped).
    pub fn compute(&mut self, cells: &[usize]) -> Vec<CellValue> {
        let (nx, total) = (self.spec.x.n, self.spec.x.n * self.spec.y.n);
        let cells: Vec<usize> = cells.iter().copied().filter(|&c| c < total).collect();
        let params: Vec<MrsParams> = cells
            .iter()
            .map(|&c| cell_params(&self.spec, c % nx, c / nx))
            .collect();
        let lane_stats = self.lane_stats(&params);
        let lane_rhos = self.lanes.as_ref().and_then(|l| l.cell_rho(&params).ok());
        let n_members = self.members.len();
        let mut out = Vec::with_capacity(cells.len());
        for (i, (&cell, p)) in cells.iter().zip(&params).enumerate() {
            match &lane_rhos {
                Some(rhos) => self
                    .rhos
                    .copy_from_slice(&rhos[i * n_members..(i + 1) * n_members]),
                None => self.fill_rhos(p),
            }
            let rho = Stat::of(&self.rhos);
            let s = match (&lane_stats, self.spec.metric) {
                (_, PhaseMetric::Rho) => rho,
                (Some(stats), _) => stats[i],
                (None, _) => self.simulated(p),
            };
            out.push(CellValue {
                cell,
                mean: s.mean,
                sd: s.sd,
                rho: rho.mean,
                collapsed: s.collapsed,
            });
        }
        out
    }

    /// The metric of every cell at once through the lanes, when they apply.
    fn lane_stats(&self, params: &[MrsParams]) -> Option<Vec<Stat>> {
        let lanes = self.lanes.as_ref().filter(|_| self.metric_in_lanes)?;
        let n_members = self.members.len();
        if n_members == 0 {
            return None;
        }
        let metric = match self.spec.metric {
            PhaseMetric::Variance => LaneMetric::Variance,
            PhaseMetric::FinalEntropy => LaneMetric::FinalEntropy,
            PhaseMetric::Verdict => {
                let verdicts = lanes.cell_verdicts(params).ok()?;
                return Some(verdicts.chunks(n_members).map(Stat::of_verdicts).collect());
            }
            PhaseMetric::Rho => return None,
        };
        let values = lanes.cell_values(params, metric).ok()?;
        Some(values.chunks(n_members).map(Stat::of).collect())
    }

    /// `ρ(J)` of every member at the cell's parameters by the scalar engine (NaN without a
    /// fixed point).
    fn fill_rhos(&mut self, params: &MrsParams) {
        for (m, member) in self.members.iter().enumerate() {
            self.rhos[m] = MrsRun {
                p: &member.p,
                pi0: &member.pi0,
                mu0: &member.mu0,
                params: *params,
                solver: Solver::Ipo,
                rounds: 0,
            }
            .stability()
            .ok()
            .and_then(|s| s.rho)
            .unwrap_or(f64::NAN);
        }
    }

    /// The metric over the members by the scalar engine (or the finite samples'
    /// realisation means).
    fn simulated(&mut self, params: &MrsParams) -> Stat {
        if let Some(spec) = self.spec.sampling {
            return self.finite(params, &spec);
        }
        let (rounds, burn_in) = (self.spec.rounds, self.spec.burn_in);
        let mut verdicts = Vec::with_capacity(self.members.len());
        for (m, member) in self.members.iter().enumerate() {
            let k = member.p.k();
            run_ipo_into(
                &member.p,
                &self.x0[m],
                &member.mu0,
                params,
                rounds,
                &mut self.ws,
                &mut self.traj,
            );
            self.values[m] = match self.spec.metric {
                PhaseMetric::Variance => variance_by_rows(&self.traj, k, burn_in, &mut self.acc),
                PhaseMetric::FinalEntropy => entropy(&self.traj[rounds * k..]),
                _ => {
                    verdicts.push(Some(verdict(&self.traj, k)));
                    0.0
                }
            };
        }
        match self.spec.metric {
            PhaseMetric::Verdict => Stat::of_verdicts(&verdicts),
            _ => Stat::of(&self.values),
        }
    }

    /// Each member's metric averaged over its R realisations, then mean and sd over the
    /// members (NaN when the runs cannot be made).
    fn finite(&mut self, params: &MrsParams, spec: &FiniteSpec) -> Stat {
        let members: Vec<FiniteMember> = self
            .members
            .iter()
            .map(|m| FiniteMember {
                p: &m.p,
                pi0: &m.pi0,
                mu0: &m.mu0,
            })
            .collect();
        let (rounds, burn_in) = (self.spec.rounds, self.spec.burn_in);
        let Ok(values) = finite_cell(
            &members,
            params,
            Solver::Ipo,
            rounds,
            burn_in,
            spec,
            &mut self.finite_ws,
        ) else {
            return Stat::of(&[f64::NAN]);
        };
        let collapsed = values.iter().map(|v| v.collapsed).sum::<f64>() / values.len() as f64;
        for (slot, v) in self.values.iter_mut().zip(values) {
            *slot = match self.spec.metric {
                PhaseMetric::Variance => v.variance,
                PhaseMetric::FinalEntropy => v.final_entropy,
                _ => v.oscillating,
            };
        }
        match self.spec.metric {
            PhaseMetric::Verdict => Stat {
                collapsed,
                ..Stat::of(&self.values)
            },
            _ => Stat::of(&self.values),
        }
    }
}

/// The cells of an `nx × ny` grid, coarse to fine: first every 8th cell in both
/// directions, then the rest of every 4th, every 2nd, and the remaining cells, each level
/// row by row. A picture of the whole plane exists after the first few percent.
pub fn refinement_order(nx: usize, ny: usize) -> Vec<usize> {
    let mut level = vec![usize::MAX; nx * ny];
    for stride in [8usize, 4, 2, 1] {
        for iy in (0..ny).step_by(stride) {
            for ix in (0..nx).step_by(stride) {
                let c = iy * nx + ix;
                if level[c] == usize::MAX {
                    level[c] = stride;
                }
            }
        }
    }
    let mut order: Vec<usize> = (0..nx * ny).collect();
    order.sort_by_key(|&c| std::cmp::Reverse(level[c]));
    order
}

/// A phase diagram in progress: the computer, the order and what is done.
#[derive(Debug, Clone)]
pub struct PhaseJob {
    computer: CellComputer,
    order: Vec<usize>,
    next: usize,
    /// Which cells hold their value, and how many.
    stored: Vec<bool>,
    done: usize,
    result: PhaseResult,
}

impl PhaseJob {
    /// The job for `spec` over `members` (checked), with the theory field computed at once.
    pub fn new(spec: PhaseSpec, members: Vec<EnsembleMember>) -> Result<Self, PhaseError> {
        let computer = CellComputer::new(spec, members)?;
        let cells = spec.x.n * spec.y.n;
        let theory = theory_field(&spec, computer.members(), THEORY_SAMPLES);
        Ok(PhaseJob {
            order: refinement_order(spec.x.n, spec.y.n),
            next: 0,
            stored: vec![false; cells],
            done: 0,
            result: PhaseResult {
                grid: PhaseGrid {
                    nx: spec.x.n,
                    ny: spec.y.n,
                    mean: vec![f64::NAN; cells],
                    sd: vec![f64::NAN; cells],
                    x_values: spec.x.values(),
                    y_values: spec.y.values(),
                },
                rho: vec![f64::NAN; cells],
                collapsed: vec![f64::NAN; cells],
                theory,
            },
            computer,
        })
    }

    pub fn spec(&self) -> &PhaseSpec {
        self.computer.spec()
    }

    pub fn members(&self) -> &[EnsembleMember] {
        self.computer.members()
    }

    /// Cells in the order they are computed.
    pub fn order(&self) -> &[usize] {
        &self.order
    }

    /// The next `max_cells` cells of the order not handed out yet (for workers); they
    /// count as taken.
    pub fn take(&mut self, max_cells: usize) -> Vec<usize> {
        let end = self.next.saturating_add(max_cells).min(self.order.len());
        let cells = self.order[self.next..end].to_vec();
        self.next = end;
        cells
    }

    /// Computes up to `max_cells` more cells here.
    pub fn step(&mut self, max_cells: usize) -> Progress {
        let cells = self.take(max_cells);
        let values = self.computer.compute(&cells);
        self.store(&values);
        self.progress()
    }

    /// Stores values computed elsewhere.
    pub fn store(&mut self, values: &[CellValue]) {
        let r = &mut self.result;
        for v in values {
            let Some(seen) = self.stored.get_mut(v.cell) else {
                continue;
            };
            r.grid.mean[v.cell] = v.mean;
            r.grid.sd[v.cell] = v.sd;
            r.rho[v.cell] = v.rho;
            r.collapsed[v.cell] = v.collapsed;
            if !*seen {
                *seen = true;
                self.done += 1;
            }
        }
    }

    /// Cells stored so far.
    pub fn progress(&self) -> Progress {
        Progress {
            done_cells: self.done,
            total_cells: self.order.len(),
        }
    }

    /// Whether every cell holds its value.
    pub fn is_done(&self) -> bool {
        self.done == self.order.len()
    }

    /// Whether cell `c` holds its value.
    pub fn is_stored(&self, c: usize) -> bool {
        self.stored.get(c).copied().unwrap_or(false)
    }

    /// Whether every cell of the coarsest lattice (every 8th cell each way, the first of
    /// the order) holds its value: a picture of the whole plane can be drawn.
    pub fn coarse_done(&self) -> bool {
        let (nx, ny) = (self.result.grid.nx, self.result.grid.ny);
        let coarse = nx.div_ceil(8) * ny.div_ceil(8);
        self.order[..coarse.min(self.order.len())]
            .iter()
            .all(|&c| self.stored[c])
    }

    /// Whether every cell was handed out (by `step` or `take`).
    pub fn all_taken(&self) -> bool {
        self.next >= self.order.len()
    }

    pub fn result(&self) -> &PhaseResult {
        &self.result
    }

    /// The metric's means for display while the job runs: a cell not computed yet shows
    /// the value of the nearest computed cell of a coarser lattice (every 8th, 4th or 2nd
    /// cell, in the order cells are computed), so that a picture of the whole plane
    /// appears after the first few cells and sharpens; still NaN where none is computed.
    pub fn preview(&self) -> Vec<f64> {
        let g = &self.result.grid;
        let (nx, ny) = (g.nx, g.ny);
        let mut out = g.mean.clone();
        for c in 0..nx * ny {
            if self.stored[c] {
                continue;
            }
            let (ix, iy) = (c % nx, c / nx);
            out[c] = [2usize, 4, 8]
                .into_iter()
                .map(|s| (iy - iy % s) * nx + (ix - ix % s))
                .find(|&a| self.stored[a])
                .map_or(f64::NAN, |a| g.mean[a]);
        }
        out
    }

    pub fn into_result(self) -> PhaseResult {
        self.result
    }
}

/// [`crate::dynamics::time_averaged_variance`] with the same sums in the same order (so bit for bit the
/// same value), accumulated row by row instead of one strided pass per response.
pub(super) fn variance_by_rows(
    policies: &[f64],
    k: usize,
    burn_in: usize,
    acc: &mut Vec<f64>,
) -> f64 {
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
pub(super) fn mean_and_sd(v: &[f64]) -> (f64, f64) {
    let n = v.len() as f64;
    let mean = v.iter().sum::<f64>() / n;
    let var = v.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / n;
    (mean, var.sqrt())
}

/// The metric's grid of the whole diagram (single-threaded).
pub fn sweep(spec: &PhaseSpec, members: &[EnsembleMember]) -> Result<PhaseGrid, PhaseError> {
    let mut job = PhaseJob::new(*spec, members.to_vec())?;
    job.step(usize::MAX);
    Ok(job.into_result().grid)
}

/// The whole diagram by the scalar engine alone, one run after another: the metric, ρ and
/// the share collapsed (the reference the SIMD lanes are checked against).
pub fn sweep_scalar(
    spec: &PhaseSpec,
    members: &[EnsembleMember],
) -> Result<PhaseResult, PhaseError> {
    let mut job = PhaseJob::new(*spec, members.to_vec())?;
    job.computer.lanes = None;
    job.step(usize::MAX);
    Ok(job.into_result())
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
        sampling: None,
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
