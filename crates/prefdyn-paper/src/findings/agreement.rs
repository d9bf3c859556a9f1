//! Finding 6: ρ of the Jacobian at the fixed point predicts the simulation: ρ < 1 settles
//! at the theory's fixed point (converged, or collapsed when that point is a vertex), ρ > 1
//! oscillates.

use prefdyn::dynamics::{verdict, MrsParams, Verdict};
use prefdyn::generators::{dirichlet_flat, rng_for, Generator};
use prefdyn::simplex::uniform;
use rand::Rng;
use serde::Serialize;

use super::helpers::{ipo_run, last_step_and_distance, rate, VerdictCounts};
use super::Measured;

/// An instance where theory and simulation disagree.
#[derive(Debug, Clone, Serialize)]
pub struct Disagreement {
    pub index: usize,
    pub family: &'static str,
    pub k: usize,
    pub params: MrsParams,
    pub rho: f64,
    pub verdict: Verdict,
    /// Largest entry of the theory's fixed point π*.
    pub max_fixed_point: f64,
    /// `‖π_T − π_{T−1}‖₁` and `max_i |π_T(i) − π*(i)|`.
    pub last_step: f64,
    pub distance_to_fixed_point: f64,
}

/// Finding 6: ρ vs the simulated verdict.
#[derive(Debug, Clone, Serialize)]
pub struct AgreementFinding {
    pub instances: usize,
    pub rounds: usize,
    pub band: f64,
    /// Instances with `|ρ − 1| < band` (not counted).
    pub in_band: usize,
    /// Of the rest: ρ < 1 and ρ > 1, with their verdicts.
    pub predicted_converge: VerdictCounts,
    pub predicted_oscillate: VerdictCounts,
    pub agreements: usize,
    pub counted: usize,
    pub agreement_rate: f64,
    /// Outside the band, instances whose fixed point is itself past the collapse threshold
    /// (`max π* > 1 − 10⁻³`): the verdict checks collapse before convergence, so there
    /// "collapsed" is what a run that settles there is called.
    pub vertex_fixed_points: usize,
    /// Of the ρ < 1 runs judged "collapsed", those that did converge to π* (last step
    /// < 10⁻⁹ and within 10⁻⁶ of π*).
    pub collapsing_converged_to_fixed_point: usize,
    /// The comparison without the vertex fixed points.
    pub agreements_interior: usize,
    pub counted_interior: usize,
    pub agreement_rate_interior: f64,
    /// Of the in-band instances, their verdicts (for context).
    pub in_band_verdicts: VerdictCounts,
    /// Instances per family (random cyclic, random P).
    pub cyclic: usize,
    pub random: usize,
    pub disagreements: Vec<Disagreement>,
    pub errors: usize,
    pub holds: bool,
    pub summary: String,
}

const N: usize = 2000;
const T: usize = 4000;
const BAND: f64 = 0.01;

/// One drawn instance: generator, family, parameters and the seeds of P and π₀.
struct Draw {
    gen: Generator,
    family: &'static str,
    cyclic: bool,
    params: MrsParams,
    seed_p: u64,
    seed_pi: u64,
}

/// Draws instance `index`: even indices random cyclic (K ∈ {3, 5, 7}), odd ones random P
/// (K ∈ 3..=7); α, β, λ, η and the seeds from `rng`.
fn draw(index: usize, rng: &mut impl Rng) -> Draw {
    let cyclic = index % 2 == 0;
    let (gen, family) = if cyclic {
        let k = [3, 5, 7][rng.gen_range(0..3)];
        let s = 0.05 + 0.45 * rng.gen::<f64>();
        (Generator::RandomCyclic { k, s }, "random cyclic")
    } else {
        (
            Generator::Random {
                k: rng.gen_range(3..=7),
            },
            "random P",
        )
    };
    let params = MrsParams {
        lam: rng.gen::<f64>(),
        beta: 0.5 + 9.5 * rng.gen::<f64>(),
        alpha: 0.9 * rng.gen::<f64>(),
        eta: 0.1 + 0.9 * rng.gen::<f64>(),
    };
    let (seed_p, seed_pi) = (rng.gen::<u64>(), rng.gen::<u64>());
    Draw {
        gen,
        family,
        cyclic,
        params,
        seed_p,
        seed_pi,
    }
}

/// The finding with every count at zero.
fn empty_finding() -> AgreementFinding {
    AgreementFinding {
        instances: 0,
        rounds: T,
        band: BAND,
        in_band: 0,
        predicted_converge: VerdictCounts::default(),
        predicted_oscillate: VerdictCounts::default(),
        agreements: 0,
        counted: 0,
        agreement_rate: f64::NAN,
        vertex_fixed_points: 0,
        collapsing_converged_to_fixed_point: 0,
        agreements_interior: 0,
        counted_interior: 0,
        agreement_rate_interior: f64::NAN,
        in_band_verdicts: VerdictCounts::default(),
        cyclic: 0,
        random: 0,
        disagreements: vec![],
        errors: 0,
        holds: false,
        summary: String::new(),
    }
}

/// Simulates instance `index` and compares its verdict with ρ; failed runs are counted
/// in `errors`.
fn measure(f: &mut AgreementFinding, index: usize, d: Draw, unif: &[Vec<f64>]) {
    let Ok(p) = d.gen.generate(d.seed_p) else {
        f.errors += 1;
        return;
    };
    let k = p.k();
    let pi0 = dirichlet_flat(k, d.seed_pi);
    let run = ipo_run(&p, &pi0, &unif[k], d.params, T);
    let (Ok(traj), Ok(st)) = (run.simulate(), run.stability()) else {
        f.errors += 1;
        return;
    };
    let Some(rho) = st.rho else {
        f.errors += 1;
        return;
    };
    f.instances += 1;
    if d.cyclic {
        f.cyclic += 1;
    } else {
        f.random += 1;
    }
    let v = verdict(&traj.policies, k);
    if (rho - 1.0).abs() < BAND {
        f.in_band += 1;
        f.in_band_verdicts.add(v);
        return;
    }
    let fixed_point = st.fixed_point.unwrap_or_default();
    let (last_step, distance_to_fixed_point) = last_step_and_distance(&traj, &fixed_point);
    // The instance's record, kept if the verdict disagrees with ρ.
    let record = Disagreement {
        index,
        family: d.family,
        k,
        params: d.params,
        rho,
        verdict: v,
        max_fixed_point: fixed_point.iter().copied().fold(0.0, f64::max),
        last_step,
        distance_to_fixed_point,
    };
    if !count_outside_band(f, &record) {
        f.disagreements.push(record);
    }
}

/// Counts an instance outside the band by ρ, its verdict and whether its fixed point is a
/// vertex; returns whether the verdict agrees with ρ.
fn count_outside_band(f: &mut AgreementFinding, r: &Disagreement) -> bool {
    let v = r.verdict;
    f.counted += 1;
    let agree = if r.rho < 1.0 {
        f.predicted_converge.add(v);
        let settled_at_vertex =
            v == Verdict::Collapsed && r.last_step < 1e-9 && r.distance_to_fixed_point < 1e-6;
        f.collapsing_converged_to_fixed_point += usize::from(settled_at_vertex);
        matches!(v, Verdict::Converged | Verdict::Converging) || settled_at_vertex
    } else {
        f.predicted_oscillate.add(v);
        v == Verdict::Oscillating
    };
    if r.max_fixed_point > 1.0 - 1e-3 {
        f.vertex_fixed_points += 1;
    } else {
        f.counted_interior += 1;
        f.agreements_interior += usize::from(agree);
    }
    f.agreements += usize::from(agree);
    agree
}

/// `n/d = x.xx%`, or `—` when `d` is 0.
fn ratio_pct(n: usize, d: usize) -> String {
    if d > 0 {
        format!("{n}/{d} = {:.2}%", 100.0 * n as f64 / d as f64)
    } else {
        "—".into()
    }
}

/// The one-line summary of the counts.
fn agreement_summary(f: &AgreementFinding) -> String {
    format!(
        "{} random instances ({} cyclic, {} random P; random α, β, λ, η, Dirichlet π₀; T = {T}): outside |ρ − 1| < {BAND} ({} in the band, excluded) ρ predicts the verdict in {} (a run that settles at the theory's π* agrees, near a vertex or not); ρ < 1: {} converged, {} converging, {} collapsed ({} of them settled at the theory's π*, whose max entry exceeds 0.999), {} not settled, {} oscillating; ρ > 1: {} oscillating, {} not settled, {} converged or converging, {} collapsed; without the {} vertex fixed points: {}",
        f.instances,
        f.cyclic,
        f.random,
        f.in_band,
        ratio_pct(f.agreements, f.counted),
        f.predicted_converge.converged,
        f.predicted_converge.converging,
        f.predicted_converge.collapsed,
        f.collapsing_converged_to_fixed_point,
        f.predicted_converge.not_settled,
        f.predicted_converge.oscillating,
        f.predicted_oscillate.oscillating,
        f.predicted_oscillate.not_settled,
        f.predicted_oscillate.converged + f.predicted_oscillate.converging,
        f.predicted_oscillate.collapsed,
        f.vertex_fixed_points,
        ratio_pct(f.agreements_interior, f.counted_interior),
    )
}

/// Finding 6 on 2000 instances (1000 random cyclic with K ∈ {3, 5, 7}, 1000 random P with
/// K ∈ 3..=7), α ~ U(0, 0.9), β ~ U(0.5, 10), λ ~ U(0, 1), η ~ U(0.1, 1), π₀ a flat
/// Dirichlet draw, μ₀ uniform, T = 4000. A run agrees with ρ < 1 when it settles at the
/// theory's fixed point: converged or converging, or collapsed onto it when that point is a
/// vertex (the last step below 10⁻⁹ and within 10⁻⁶ of π*); with ρ > 1 when it oscillates.
pub fn stability_agreement() -> AgreementFinding {
    let mut rng = rng_for(0x5EED_0006);
    let mut f = empty_finding();
    let unif: Vec<Vec<f64>> = (0..=8).map(|k| uniform(k.max(1))).collect();
    for index in 0..N {
        let d = draw(index, &mut rng);
        measure(&mut f, index, d, &unif);
    }
    f.agreement_rate = rate(f.agreements, f.counted);
    f.agreement_rate_interior = rate(f.agreements_interior, f.counted_interior);
    f.holds = f.errors == 0
        && f.instances >= 1000
        && f.agreement_rate >= 0.995
        && f.agreement_rate_interior >= 0.995;
    f.summary = agreement_summary(&f);
    f
}

impl Measured for AgreementFinding {
    fn holds(&self) -> bool {
        self.holds
    }
    fn summary(&self) -> &str {
        &self.summary
    }
}
