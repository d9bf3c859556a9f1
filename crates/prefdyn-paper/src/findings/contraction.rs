//! Finding 7: the paper's global contraction condition. With `S = P − ½11ᵀ`, the MRS-IPO
//! map's Jacobian is `a I + κλ S D(π)` and `‖D(π)‖₂ ≤ ½`, so below the line
//! `α + (βλ/2)‖S‖₂ = 1` the map contracts for every η: every run converges to the one
//! interior fixed point, whatever P and the start. Checked on random instances drawn below
//! the line, across families, sizes, starts, offline samplers and steps.

use prefdyn::dynamics::{MrsParams, Verdict};
use prefdyn::generators::{dirichlet_flat, rng_for, Generator, RatedClass};
use prefdyn::simplex::uniform;
use prefdyn::theory::{contraction_value, skew_norm};
use rand::Rng;
use serde::Serialize;

use super::helpers::{ipo_run, last_step_and_distance, VerdictCounts};
use super::Measured;

/// Instances drawn.
pub const INSTANCES: usize = 2400;

/// An instance that did not settle.
#[derive(Debug, Clone, Serialize)]
pub struct Failure {
    pub index: usize,
    pub generator: Generator,
    pub params: MrsParams,
    pub contraction: f64,
    pub rounds: usize,
    pub verdict: Verdict,
    pub last_step: f64,
}

/// Finding 7.
#[derive(Debug, Clone, Serialize)]
pub struct ContractionFinding {
    pub instances: usize,
    /// Largest `α + (βλ/2)‖S‖₂` drawn (all are below 1).
    pub max_contraction: f64,
    pub verdicts: VerdictCounts,
    /// Runs whose last step is below 10⁻⁹ and whose π_T is within 10⁻⁶ of the fixed point.
    pub settled: usize,
    /// `max (ρ(J) − (1 − η(1 − contraction)))`: ρ never exceeds the bound (≤ 0).
    pub max_rho_over_bound: f64,
    /// Longest run needed (T = ⌈40 / (η (1 − contraction))⌉, at most 20,000).
    pub max_rounds: usize,
    pub failures: Vec<Failure>,
    pub errors: usize,
    pub holds: bool,
    pub summary: String,
}

impl Measured for ContractionFinding {
    fn holds(&self) -> bool {
        self.holds
    }
    fn summary(&self) -> &str {
        &self.summary
    }
}

/// One drawn instance: generator, the seeds of P, π₀ and μ₀, α, λ, η and the target
/// contraction value.
struct Draw {
    generator: Generator,
    seed_p: u64,
    seed_pi: u64,
    seed_mu: u64,
    alpha: f64,
    lam: f64,
    eta: f64,
    contraction: f64,
}

/// Draws instance `index`: the family by `index % 5`, K ~ U{3..8}, then the seeds, α, λ, η
/// and the contraction value from `rng`.
fn draw(index: usize, rng: &mut impl Rng) -> Draw {
    let k = rng.gen_range(3..=8u32) as usize;
    let generator = match index % 5 {
        0 => Generator::Random { k },
        1 => Generator::RandomCyclic {
            k,
            s: 0.05 + 0.45 * rng.gen::<f64>(),
        },
        2 => Generator::RandomSst { k },
        3 => Generator::Thurstone {
            k,
            sigma: 0.2 + 2.0 * rng.gen::<f64>(),
        },
        _ => Generator::Rated {
            k: 4,
            class: RatedClass::Cyclic,
        },
    };
    let (seed_p, seed_pi, seed_mu) = (rng.gen::<u64>(), rng.gen::<u64>(), rng.gen::<u64>());
    let alpha = 0.9 * rng.gen::<f64>();
    let lam = 0.05 + 0.95 * rng.gen::<f64>();
    let eta = 0.2 + 0.8 * rng.gen::<f64>();
    let contraction = alpha + (0.98 - alpha) * rng.gen::<f64>();
    Draw {
        generator,
        seed_p,
        seed_pi,
        seed_mu,
        alpha,
        lam,
        eta,
        contraction,
    }
}

/// The parameters of a draw on P: β solved from the target contraction value given
/// `‖S‖₂ = n` (1 when S = 0), at least 10⁻⁶.
fn params_for(d: &Draw, n: f64) -> MrsParams {
    let beta = if n > 0.0 {
        2.0 * (d.contraction - d.alpha) / (d.lam * n)
    } else {
        1.0
    };
    MrsParams {
        alpha: d.alpha,
        beta: beta.max(1e-6),
        lam: d.lam,
        eta: d.eta,
    }
}

/// Simulates instance `index` and records whether it settled at the fixed point; failed
/// runs are counted in `errors`.
fn measure(f: &mut ContractionFinding, index: usize, d: Draw) {
    let Ok(p) = d.generator.generate(d.seed_p) else {
        f.errors += 1;
        return;
    };
    let k = p.k();
    let n = skew_norm(&p);
    let params = params_for(&d, n);
    let contraction = contraction_value(&params, n);
    let rounds = ((40.0 / (d.eta * (1.0 - contraction))).ceil() as usize).min(20_000);
    let pi0 = dirichlet_flat(k, d.seed_pi);
    let mu0 = if index % 2 == 0 {
        uniform(k)
    } else {
        dirichlet_flat(k, d.seed_mu)
    };
    let run = ipo_run(&p, &pi0, &mu0, params, rounds);
    let (Ok(traj), Ok(st)) = (run.simulate(), run.stability()) else {
        f.errors += 1;
        return;
    };
    let (Some(rho), Some(fp)) = (st.rho, st.fixed_point) else {
        f.errors += 1;
        return;
    };
    f.instances += 1;
    f.max_contraction = f.max_contraction.max(contraction);
    f.max_rounds = f.max_rounds.max(rounds);
    f.max_rho_over_bound = f
        .max_rho_over_bound
        .max(rho - (1.0 - d.eta * (1.0 - contraction)));
    let v = prefdyn::dynamics::verdict(&traj.policies, k);
    f.verdicts.add(v);
    let (last_step, distance) = last_step_and_distance(&traj, &fp);
    if last_step < 1e-9 && distance < 1e-6 {
        f.settled += 1;
    } else {
        f.failures.push(Failure {
            index,
            generator: d.generator,
            params,
            contraction,
            rounds,
            verdict: v,
            last_step,
        });
    }
}

/// The one-line summary of the counts.
fn contraction_summary(f: &ContractionFinding) -> String {
    format!(
        "{} random instances below the contraction line (random P, random cyclic, random SST, Thurstone, synthetic rated cyclic; K = 3–8; α + (βλ/2)‖P − ½11ᵀ‖₂ up to {:.3}; random α, λ, η, π₀, μ₀; T up to {}): {} settle at the theory's fixed point ({} converged, {} converging, {} collapsed onto a near-vertex fixed point, {} oscillating, {} not settled); ρ(J) never exceeds 1 − η(1 − c) (max excess {:.1e})",
        f.instances,
        f.max_contraction,
        f.max_rounds,
        f.settled,
        f.verdicts.converged,
        f.verdicts.converging,
        f.verdicts.collapsed,
        f.verdicts.oscillating,
        f.verdicts.not_settled,
        f.max_rho_over_bound,
    )
}

/// Finding 7 on [`INSTANCES`] seeded instances: random P, random cyclic circulants, random
/// SST, Thurstone and the synthetic rated cyclic family, K from 3 to 8; α ~ U(0, 0.9),
/// λ ~ U(0.05, 1), η ~ U(0.2, 1), the contraction value c ~ U(α, 0.98) (β solved from it);
/// π₀ a flat Dirichlet draw, μ₀ uniform or a Dirichlet draw.
pub fn contraction_guarantee() -> ContractionFinding {
    let mut rng = rng_for(0x5EED_0007);
    let mut f = ContractionFinding {
        instances: 0,
        max_contraction: 0.0,
        verdicts: VerdictCounts::default(),
        settled: 0,
        max_rho_over_bound: f64::NEG_INFINITY,
        max_rounds: 0,
        failures: vec![],
        errors: 0,
        holds: false,
        summary: String::new(),
    };
    for index in 0..INSTANCES {
        let d = draw(index, &mut rng);
        measure(&mut f, index, d);
    }
    f.holds = f.errors == 0
        && f.instances >= 2000
        && f.settled == f.instances
        && f.max_contraction < 1.0
        && f.max_rho_over_bound <= 1e-9;
    f.summary = contraction_summary(&f);
    f
}
