//! The SIMD-lane kernel (`prefdyn::lanes`) against the scalar engine.
//!
//! Reference for every run: `MrsRun::simulate` + `Metrics::of` (the engine the phase sweep
//! uses). Agreement rule: every value within 1e-6, and within 1e-9 where the fixed point is
//! stable (ρ < 1, `MrsRun::stability`). Verdicts must be identical except where the scalar
//! run sits within a tiny band of one of the verdict's thresholds (see
//! `verdict_mismatch_is_at_a_threshold`); the number of such cases is printed.
//!
//! ρ in lanes (`LaneEnsemble::rho`: the fixed point and the spectral radius of its
//! Jacobian) against `MrsRun::stability`, by the same rule, and bit for bit where it falls
//! back to the scalar path.
//!
//! `cargo test -p prefdyn --test lanes -- --nocapture` prints the measured maxima.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use prefdyn::dynamics::{Metrics, MrsParams, MrsRun, Solver};
use prefdyn::generators::{dirichlet_flat, rng_for, Generator};
use prefdyn::lanes::{
    exp_slice, fill_cells, Backend, CellStat, LaneEnsemble, LaneMetric, LanesError, Member,
    RhoMethod, RhoValue, Run, RunMetrics, Wanted, MAX_K,
};
use prefdyn::preference::PreferenceMatrix;
use prefdyn::simplex::uniform;
use rand::Rng;

/// One random case: a member and a run on it.
struct Case {
    p: PreferenceMatrix,
    pi0: Vec<f64>,
    mu0: Vec<f64>,
    params: MrsParams,
    rounds: usize,
    burn_in: usize,
}

fn random_case(n: u64) -> Case {
    let mut rng = rng_for(0x6c61_6e65 ^ n);
    let k = [2, 3, 4, 5, 6, 7, 8, 9, 10, 12][(n % 10) as usize];
    let generator = match n % 5 {
        0 => Generator::Random { k },
        1 | 2 => Generator::RandomCyclic {
            k,
            s: 0.1 + 0.4 * rng.gen::<f64>(),
        },
        3 => Generator::BradleyTerry {
            k,
            sigma: 0.5 + 2.0 * rng.gen::<f64>(),
        },
        _ => Generator::RandomSst { k },
    };
    let p = generator.generate(n).unwrap();
    let pi0 = dirichlet_flat(k, 1_000 + n);
    let mu0 = if n % 3 == 0 {
        uniform(k)
    } else {
        dirichlet_flat(k, 2_000 + n)
    };
    let params = MrsParams {
        alpha: match n % 7 {
            0 => 1.0,
            1 => 0.0,
            _ => rng.gen(),
        },
        beta: 0.05 + 8.0 * rng.gen::<f64>(),
        lam: if n % 11 == 0 { 1.0 } else { rng.gen() },
        eta: if n % 4 == 0 {
            1.0
        } else {
            0.05 + 0.95 * rng.gen::<f64>()
        },
    };
    let rounds = [0, 1, 2, 7, 8, 9, 40, 300, 300, 300][(n / 10 % 10) as usize];
    let burn_in = match n % 6 {
        0..=2 => 0,
        3 => 1,
        4 => rounds / 2,
        _ => rounds + 5,
    };
    Case {
        p,
        pi0,
        mu0,
        params,
        rounds,
        burn_in,
    }
}

fn scalar(c: &Case) -> (Metrics, Option<f64>) {
    let run = MrsRun {
        p: &c.p,
        pi0: &c.pi0,
        mu0: &c.mu0,
        params: c.params,
        solver: Solver::Ipo,
        rounds: c.rounds,
    };
    let traj = run.simulate().unwrap();
    let rho = run.stability().unwrap().rho;
    (Metrics::of(&traj, c.burn_in), rho)
}

fn lanes_one(c: &Case, backend: Backend) -> RunMetrics {
    let x0: Vec<f64> = c.pi0.iter().map(|v| v.ln()).collect();
    let member = Member {
        p: &c.p,
        x0: &x0,
        mu0: &c.mu0,
    };
    let e = LaneEnsemble::new(&[member], c.rounds, c.burn_in)
        .unwrap()
        .with_backend(backend);
    let runs = [Run {
        member: 0,
        params: c.params,
    }];
    e.run(&runs, Wanted::ALL).unwrap()[0]
}

/// Largest differences, split by stability.
#[derive(Debug, Default)]
struct Worst {
    stable: f64,
    other: f64,
    stable_rel_var: f64,
    runs_stable: usize,
    runs_other: usize,
}

impl Worst {
    fn add(&mut self, stable: bool, d: f64) {
        let w = if stable {
            &mut self.stable
        } else {
            &mut self.other
        };
        *w = w.max(d);
    }
}

/// Whether the scalar run is within `band` of a verdict threshold, so that rounding can
/// move it across: the late swing near 1e-4 or near 0.9 × the third quarter's, `max π_T`
/// near `1 − 1e-3`, or the last step near 1e-9.
fn at_a_threshold(traj: &prefdyn::Trajectory, band: f64) -> bool {
    let k = traj.k;
    let t_end = traj.rounds();
    let swing = |from: usize, to: usize| {
        (0..k)
            .map(|i| {
                let v = (from..=to).map(|t| traj.policy(t)[i]);
                v.clone().fold(f64::NEG_INFINITY, f64::max) - v.fold(f64::INFINITY, f64::min)
            })
            .fold(0.0, f64::max)
    };
    let (q3, q4) = (swing(t_end / 2, 3 * t_end / 4), swing(3 * t_end / 4, t_end));
    let max_pi = traj.last().iter().copied().fold(0.0, f64::max);
    let last = if t_end == 0 {
        0.0
    } else {
        traj.last()
            .iter()
            .zip(traj.policy(t_end - 1))
            .map(|(a, b)| (a - b).abs())
            .sum()
    };
    (q4 - 1e-4).abs() <= band
        || (q4 - 0.9 * q3).abs() <= band
        || (max_pi - (1.0 - 1e-3)).abs() <= band
        || (last - 1e-9).abs() <= band.min(1e-10)
}

fn compare_backend(backend: Backend, cases: u64) {
    let mut worst_var = Worst::default();
    let mut worst_h = Worst::default();
    let mut worst_amp = Worst::default();
    let mut verdict_differs = 0;
    for n in 0..cases {
        let c = random_case(n);
        let (m, rho) = scalar(&c);
        let stable = rho.is_some_and(|r| r < 1.0);
        let got = lanes_one(&c, backend);
        let dv = (got.variance - m.variance).abs();
        let dh = (got.final_entropy - m.final_entropy).abs();
        let da = (got.late_amplitude - m.late_amplitude).abs();
        worst_var.add(stable, dv);
        worst_h.add(stable, dh);
        worst_amp.add(stable, da);
        if stable {
            worst_var.runs_stable += 1;
            if m.variance > 1e-12 {
                worst_var.stable_rel_var = worst_var.stable_rel_var.max(dv / m.variance);
            }
        } else {
            worst_var.runs_other += 1;
        }
        let tol = if stable { 1e-9 } else { 1e-6 };
        let ctx = || {
            format!(
                "case {n}: K = {}, {:?}, T = {}, B = {}, ρ = {rho:?}\nscalar {m:?}\nlanes  {got:?}",
                c.p.k(),
                c.params,
                c.rounds,
                c.burn_in
            )
        };
        assert!(dv <= tol, "variance differs by {dv:e}: {}", ctx());
        assert!(dh <= tol, "entropy differs by {dh:e}: {}", ctx());
        assert!(da <= tol, "late amplitude differs by {da:e}: {}", ctx());
        assert!(
            (got.last_step - m.last_step).abs() <= tol,
            "last step: {}",
            ctx()
        );
        if got.verdict != Some(m.verdict) {
            verdict_differs += 1;
            let run = MrsRun {
                p: &c.p,
                pi0: &c.pi0,
                mu0: &c.mu0,
                params: c.params,
                solver: Solver::Ipo,
                rounds: c.rounds,
            };
            let traj = run.simulate().unwrap();
            assert!(
                at_a_threshold(&traj, tol),
                "verdict {:?} vs scalar {:?} away from every threshold: {}",
                got.verdict,
                m.verdict,
                ctx()
            );
        }
    }
    println!(
        "{backend:?}: {} runs with ρ < 1, {} others\n  variance: max |Δ| {:.2e} (ρ < 1; relative {:.2e} where V > 1e-12), {:.2e} (others)\n  entropy:  max |Δ| {:.2e} (ρ < 1), {:.2e} (others)\n  late amplitude: max |Δ| {:.2e} (ρ < 1), {:.2e} (others)\n  verdicts differing: {verdict_differs}",
        worst_var.runs_stable,
        worst_var.runs_other,
        worst_var.stable,
        worst_var.stable_rel_var,
        worst_var.other,
        worst_h.stable,
        worst_h.other,
        worst_amp.stable,
        worst_amp.other,
    );
}

#[test]
fn runs_match_the_scalar_engine_portable() {
    compare_backend(Backend::Portable, 1_500);
}

#[test]
fn runs_match_the_scalar_engine_detected_backend() {
    let b = Backend::detect();
    if b == Backend::Portable {
        println!("no faster backend on this CPU");
        return;
    }
    compare_backend(b, 1_500);
}

/// The numpy peer's formulation of a run (`benches/numpy_peer/phase_numpy.py`): another
/// correct implementation with different rounding (π = exp(x) instead of e/s, no
/// stationary exit, Welford variance). Returns (variance, final entropy).
fn peer_style(c: &Case) -> (f64, f64) {
    let k = c.p.k();
    let a = c.params.a();
    let x0: Vec<f64> = c.pi0.iter().map(|v| v.ln()).collect();
    let mut x = x0.clone();
    let (mut mean, mut m2, mut shift) = (vec![0.0; k], vec![0.0; k], vec![0.0; k]);
    let mut count = 0.0;
    for t in 0..=c.rounds {
        let pi: Vec<f64> = x.iter().map(|v| v.exp()).collect();
        if t >= c.burn_in.min(c.rounds) {
            if count == 0.0 {
                shift.clone_from(&pi);
            }
            count += 1.0;
            for i in 0..k {
                let z = pi[i] - shift[i];
                let d = z - mean[i];
                mean[i] += d / count;
                m2[i] += d * (z - mean[i]);
            }
        }
        if t == c.rounds {
            break;
        }
        let mu: Vec<f64> = (0..k)
            .map(|i| (1.0 - c.params.lam) * c.mu0[i] + c.params.lam * pi[i])
            .collect();
        let pm = c.p.mul_vec(&mu);
        let y: Vec<f64> = (0..k)
            .map(|i| a * x[i] + (1.0 - a) * x0[i] + c.params.kappa() * pm[i])
            .collect();
        let m = y.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let lse = m + y.iter().map(|v| (v - m).exp()).sum::<f64>().ln();
        x = y.iter().map(|v| v - lse).collect();
    }
    let var = m2.iter().map(|v| v / count).sum::<f64>() / k as f64;
    let h = -x.iter().map(|v| v.exp() * v).sum::<f64>();
    (var, h)
}

/// Strongly oscillating runs (cyclic P, large β, α near 1, T = 3,000 as in the paper).
/// Many are chaotic: rounding differences grow until the trajectories are unrelated, so
/// two correct implementations disagree there. Measured, not asserted, except that the
/// lanes are no further from the scalar engine than the peer-style loop is, in count.
#[test]
fn chaotic_runs_disagree_between_any_two_implementations() {
    let (mut lanes_worst, mut peer_worst) = ([0.0_f64; 2], [0.0_f64; 2]);
    let (mut lanes_over, mut peer_over) = (0, 0);
    let cases = 120_u64;
    for n in 0..cases {
        let mut rng = rng_for(77 + n);
        let k = [3, 4, 5, 7][(n % 4) as usize];
        let c = Case {
            p: Generator::RandomCyclic { k, s: 0.5 }.generate(n).unwrap(),
            pi0: dirichlet_flat(k, 5_000 + n),
            mu0: uniform(k),
            params: MrsParams {
                alpha: 0.5 + 0.5 * rng.gen::<f64>(),
                beta: 2.0 + 40.0 * rng.gen::<f64>(),
                lam: 0.5 + 0.5 * rng.gen::<f64>(),
                eta: 1.0,
            },
            rounds: 3_000,
            burn_in: 500,
        };
        let (m, _) = scalar(&c);
        let got = lanes_one(&c, Backend::detect());
        let peer = peer_style(&c);
        let dl = [
            (got.variance - m.variance).abs(),
            (got.final_entropy - m.final_entropy).abs(),
        ];
        let dp = [
            (peer.0 - m.variance).abs(),
            (peer.1 - m.final_entropy).abs(),
        ];
        for j in 0..2 {
            lanes_worst[j] = lanes_worst[j].max(dl[j]);
            peer_worst[j] = peer_worst[j].max(dp[j]);
        }
        lanes_over += usize::from(dl[0] > 1e-6 || dl[1] > 1e-6);
        peer_over += usize::from(dp[0] > 1e-6 || dp[1] > 1e-6);
    }
    println!(
        "chaotic set ({cases} runs, T = 3000, β up to 42):\n  lanes vs scalar: max |Δ V| {:.2e}, max |Δ H| {:.2e}, {lanes_over} runs over 1e-6\n  peer-style vs scalar: max |Δ V| {:.2e}, max |Δ H| {:.2e}, {peer_over} runs over 1e-6",
        lanes_worst[0], lanes_worst[1], peer_worst[0], peer_worst[1]
    );
    assert!(
        lanes_over <= 2 * peer_over + 2,
        "lanes diverge in {lanes_over} runs, the peer-style loop in {peer_over}"
    );
}

/// Distance in units in the last place between two positive finite numbers.
fn ulps(a: f64, b: f64) -> u64 {
    a.to_bits().abs_diff(b.to_bits())
}

fn exp_max_ulps(backend: Backend, lo: f64, hi: f64, n: usize) -> (u64, f64) {
    let mut rng = rng_for(99);
    let mut x: Vec<f64> = (0..n)
        .map(|i| {
            if i % 2 == 0 {
                lo + (hi - lo) * i as f64 / n as f64
            } else {
                lo + (hi - lo) * rng.gen::<f64>()
            }
        })
        .collect();
    let want: Vec<f64> = x.iter().map(|v| v.exp()).collect();
    let input = x.clone();
    exp_slice(&mut x, backend);
    let mut worst = (0, f64::NAN);
    for ((&g, &w), &v) in x.iter().zip(&want).zip(&input) {
        let d = ulps(g, w);
        if d > worst.0 {
            worst = (d, v);
        }
    }
    worst
}

#[test]
fn fast_exp_is_within_two_ulps() {
    for backend in [Backend::Portable, Backend::detect()] {
        // The kernel's usual range (z = y − m ≤ κλ, mostly below 0) and the whole range.
        let (near, _) = exp_max_ulps(backend, -40.0, 0.0, 200_000);
        let (far, at) = exp_max_ulps(backend, -708.0, 709.0, 200_000);
        println!("fast exp ({backend:?}): max {near} ulp on [-40, 0], {far} ulp on [-708, 709] (worst at x = {at})");
        assert!(near <= 2 && far <= 2, "{backend:?}: {near} / {far} ulp");
    }
    // Edges: 0, underflow, NaN.
    let mut x = [0.0, -745.3, -1e308, f64::NEG_INFINITY, f64::NAN, 1.0, -1.0];
    exp_slice(&mut x, Backend::detect());
    assert_eq!(x[0], 1.0);
    assert_eq!((x[1], x[2], x[3]), (0.0, 0.0, 0.0));
    assert!(x[4].is_nan());
    assert!(ulps(x[5], std::f64::consts::E) <= 1);
    assert!(ulps(x[6], (-1.0_f64).exp()) <= 1);
}

// ---------------------------------------------------------------------------------------
// Cells, batching and the API.

fn family(count: usize, k: usize, seed: u64) -> Vec<prefdyn::phase::EnsembleMember> {
    let e = prefdyn::phase::Ensemble::Family {
        family: prefdyn::Family::RandomCyclic,
        k,
        param: 0.5,
        count,
        seed,
    };
    prefdyn::phase::ensemble_members(&e, None).unwrap()
}

struct Owned {
    x0: Vec<Vec<f64>>,
}

fn owned(members: &[prefdyn::phase::EnsembleMember]) -> Owned {
    Owned {
        x0: members
            .iter()
            .map(|m| m.pi0.iter().map(|v| v.ln()).collect())
            .collect(),
    }
}

fn lane_members<'a>(
    members: &'a [prefdyn::phase::EnsembleMember],
    o: &'a Owned,
) -> Vec<Member<'a>> {
    members
        .iter()
        .zip(&o.x0)
        .map(|(m, x0)| Member {
            p: &m.p,
            x0,
            mu0: &m.mu0,
        })
        .collect()
}

/// Every cell of small phase diagrams (all three simulated metrics) against
/// `phase::sweep_scalar` (the scalar engine, run by run): means and sds within 1e-9,
/// shares oscillating identical; `phase::sweep` (which runs the lanes) gives the same.
#[test]
fn cells_match_the_phase_sweep() {
    use prefdyn::phase::{
        cell_params, sweep, sweep_scalar, Axis, AxisRange, PhaseMetric, PhaseSpec,
    };
    let members = family(5, 5, 7);
    let o = owned(&members);
    let lm = lane_members(&members, &o);
    for (metric, lane_metric) in [
        (PhaseMetric::Variance, LaneMetric::Variance),
        (PhaseMetric::FinalEntropy, LaneMetric::FinalEntropy),
        (PhaseMetric::Verdict, LaneMetric::Oscillating),
    ] {
        let spec = PhaseSpec {
            x: AxisRange {
                axis: Axis::Alpha,
                min: 0.0,
                max: 1.0,
                n: 9,
            },
            y: AxisRange {
                axis: Axis::BetaLambda,
                min: 0.1,
                max: 5.0,
                n: 7,
            },
            metric,
            base: MrsParams {
                alpha: 1.0,
                beta: 2.0,
                lam: 0.8,
                eta: 1.0,
            },
            rounds: 200,
            burn_in: 10,
            sampling: None,
        };
        let grid = sweep_scalar(&spec, &members).unwrap().grid;
        let fast = sweep(&spec, &members).unwrap();
        let cells: Vec<MrsParams> = (0..spec.y.n)
            .flat_map(|iy| (0..spec.x.n).map(move |ix| (ix, iy)))
            .map(|(ix, iy)| cell_params(&spec, ix, iy))
            .collect();
        let stats = fill_cells(&lm, &cells, spec.rounds, spec.burn_in, lane_metric).unwrap();
        for (c, st) in stats.iter().enumerate() {
            let (dm, ds) = ((st.mean - grid.mean[c]).abs(), (st.sd - grid.sd[c]).abs());
            assert!(
                dm <= 1e-9 && ds <= 1e-9,
                "{metric:?} cell {c}: {st:?} vs ({}, {})",
                grid.mean[c],
                grid.sd[c]
            );
            if metric == PhaseMetric::Verdict {
                assert_eq!(st.mean, grid.mean[c], "cell {c}");
            }
            assert_eq!(
                (st.mean.to_bits(), st.sd.to_bits()),
                (fast.mean[c].to_bits(), fast.sd[c].to_bits()),
                "{metric:?} cell {c}: the sweep is the lanes"
            );
        }
    }
}

/// A quarter of the PRODUCT.md budget grid (every other cell each way) against the scalar
/// engine run by run: within 1e-9 (the budget grid is far from chaos).
#[test]
fn budget_grid_sample_matches_the_scalar_engine() {
    use prefdyn::phase::{budget_ensemble, budget_spec, cell_params, ensemble_members};
    let spec = budget_spec();
    let members = ensemble_members(&budget_ensemble(), None).unwrap();
    let o = owned(&members);
    let lm = lane_members(&members, &o);
    let ens = LaneEnsemble::new(&lm, spec.rounds, spec.burn_in).unwrap();
    let cells: Vec<MrsParams> = (0..spec.y.n)
        .step_by(4)
        .flat_map(|iy| (0..spec.x.n).step_by(2).map(move |ix| (ix, iy)))
        .map(|(ix, iy)| cell_params(&spec, ix, iy))
        .collect();
    let values = ens.cell_values(&cells, LaneMetric::Variance).unwrap();
    let mut worst = 0.0_f64;
    for (c, params) in cells.iter().enumerate() {
        for (m, member) in members.iter().enumerate() {
            let run = MrsRun {
                p: &member.p,
                pi0: &member.pi0,
                mu0: &member.mu0,
                params: *params,
                solver: Solver::Ipo,
                rounds: spec.rounds,
            };
            let want = Metrics::of(&run.simulate().unwrap(), spec.burn_in).variance;
            let d = (values[c * members.len() + m] - want).abs();
            worst = worst.max(d);
            assert!(d <= 1e-9, "cell {c} member {m}: {d:e}");
        }
    }
    println!(
        "budget grid sample: {} runs, max |Δ V| {worst:.2e}",
        values.len()
    );
}

/// A run's metrics do not depend on which runs share its lanes: any subset of cells, in any
/// order, gives the same bits as the whole list.
#[test]
fn results_do_not_depend_on_batching() {
    let members = family(3, 5, 11);
    let o = owned(&members);
    let lm = lane_members(&members, &o);
    let ens = LaneEnsemble::new(&lm, 150, 20).unwrap();
    let cells: Vec<MrsParams> = (0..23)
        .map(|i| MrsParams {
            alpha: (i % 6) as f64 / 5.0,
            beta: 0.5 + (i / 6) as f64 * 2.0,
            lam: 0.8,
            eta: if i % 4 == 0 { 0.5 } else { 1.0 },
        })
        .collect();
    let runs: Vec<Run> = (0..3)
        .flat_map(|member| cells.iter().map(move |&params| Run { member, params }))
        .collect();
    let all = ens.run(&runs, Wanted::ALL).unwrap();
    let bits = |m: &RunMetrics| {
        (
            m.variance.to_bits(),
            m.final_entropy.to_bits(),
            m.last_step.to_bits(),
            m.late_amplitude.to_bits(),
            m.verdict,
        )
    };
    // Reversed, one at a time, and every third run.
    let reversed: Vec<Run> = runs.iter().rev().copied().collect();
    let rev = ens.run(&reversed, Wanted::ALL).unwrap();
    for (n, m) in all.iter().enumerate() {
        assert_eq!(bits(m), bits(&rev[runs.len() - 1 - n]), "run {n}");
        let one = ens.run(&runs[n..=n], Wanted::ALL).unwrap();
        assert_eq!(bits(m), bits(&one[0]), "run {n} alone");
    }
    let thirds: Vec<Run> = runs.iter().step_by(3).copied().collect();
    for (j, m) in ens.run(&thirds, Wanted::ALL).unwrap().iter().enumerate() {
        assert_eq!(bits(m), bits(&all[3 * j]));
    }
    // ρ too.
    let rho = ens.rho(&runs).unwrap();
    let rho_rev = ens.rho(&reversed).unwrap();
    for (n, r) in rho.iter().enumerate() {
        assert_eq!(r.rho.to_bits(), rho_rev[runs.len() - 1 - n].rho.to_bits());
        let one = ens.rho(&runs[n..=n]).unwrap();
        assert_eq!(r.rho.to_bits(), one[0].rho.to_bits(), "ρ of run {n} alone");
    }
    // cell_values is the same numbers, cell-major.
    let v = ens.cell_values(&cells, LaneMetric::Variance).unwrap();
    for (c, _) in cells.iter().enumerate() {
        for m in 0..3 {
            assert_eq!(
                v[c * 3 + m].to_bits(),
                all[m * cells.len() + c].variance.to_bits()
            );
        }
    }
    // cell_stats: mean and population sd of those values.
    let st = ens.cell_stats(&cells, LaneMetric::Variance).unwrap();
    for (c, s) in st.iter().enumerate() {
        let vals = &v[c * 3..c * 3 + 3];
        let mean = vals.iter().sum::<f64>() / 3.0;
        let sd = (vals.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / 3.0).sqrt();
        assert_eq!(*s, CellStat { mean, sd });
    }
}

/// Members of different K in one batch, the generic-K path (K > 8) and what is not wanted.
#[test]
fn mixed_k_large_k_and_wanted_flags() {
    let sizes = [3, 20, 5, MAX_K, 2];
    let ps: Vec<PreferenceMatrix> = sizes
        .iter()
        .enumerate()
        .map(|(i, &k)| Generator::Random { k }.generate(i as u64).unwrap())
        .collect();
    let pi0: Vec<Vec<f64>> = sizes.iter().map(|&k| dirichlet_flat(k, k as u64)).collect();
    let x0: Vec<Vec<f64>> = pi0
        .iter()
        .map(|p| p.iter().map(|v| v.ln()).collect())
        .collect();
    let mu0: Vec<Vec<f64>> = sizes.iter().map(|&k| uniform(k)).collect();
    let lm: Vec<Member> = (0..sizes.len())
        .map(|i| Member {
            p: &ps[i],
            x0: &x0[i],
            mu0: &mu0[i],
        })
        .collect();
    let ens = LaneEnsemble::new(&lm, 60, 5).unwrap();
    let params = MrsParams {
        alpha: 0.6,
        beta: 3.0,
        lam: 0.9,
        eta: 0.8,
    };
    let runs: Vec<Run> = (0..13)
        .map(|n| Run {
            member: (n * 3) % sizes.len(),
            params: MrsParams {
                beta: 1.0 + n as f64,
                ..params
            },
        })
        .collect();
    let got = ens.run(&runs, Wanted::ALL).unwrap();
    for (r, g) in runs.iter().zip(&got) {
        let run = MrsRun {
            p: &ps[r.member],
            pi0: &pi0[r.member],
            mu0: &mu0[r.member],
            params: r.params,
            solver: Solver::Ipo,
            rounds: 60,
        };
        let m = Metrics::of(&run.simulate().unwrap(), 5);
        assert!((g.variance - m.variance).abs() <= 1e-9, "{r:?}");
        assert!((g.final_entropy - m.final_entropy).abs() <= 1e-9, "{r:?}");
        assert_eq!(g.verdict, Some(m.verdict), "{r:?}");
    }
    let only_entropy = ens.run(&runs, LaneMetric::FinalEntropy.wanted()).unwrap();
    for (a, b) in only_entropy.iter().zip(&got) {
        assert!(a.variance.is_nan() && a.late_amplitude.is_nan() && a.verdict.is_none());
        assert_eq!(a.final_entropy.to_bits(), b.final_entropy.to_bits());
    }
    assert_eq!(ens.run(&[], Wanted::ALL).unwrap(), vec![]);
}

#[test]
fn zero_and_one_round() {
    let c = random_case(3);
    for rounds in [0, 1] {
        let case = Case {
            rounds,
            burn_in: 0,
            p: c.p.clone(),
            pi0: c.pi0.clone(),
            mu0: c.mu0.clone(),
            ..c
        };
        let (m, _) = scalar(&case);
        let got = lanes_one(&case, Backend::detect());
        assert!((got.variance - m.variance).abs() <= 1e-15);
        assert!((got.final_entropy - m.final_entropy).abs() <= 1e-15);
        assert_eq!(got.verdict, Some(m.verdict));
        if rounds == 0 {
            assert_eq!((got.variance, got.last_step), (0.0, 0.0));
        }
    }
}

/// Circulant P with a uniform π₀ sits on an unstable fixed point: the scalar engine stops
/// at the first (stationary) step and so must the lanes, or rounding would grow into an
/// oscillation.
#[test]
fn unstable_fixed_point_stays_put() {
    let p = Generator::Circulant { k: 5, s: 0.4 }.generate(0).unwrap();
    let pi0 = uniform(5);
    let case = Case {
        p,
        mu0: pi0.clone(),
        pi0,
        params: MrsParams {
            alpha: 0.95,
            beta: 30.0,
            lam: 1.0,
            eta: 1.0,
        },
        rounds: 2_000,
        burn_in: 0,
    };
    let (m, rho) = scalar(&case);
    assert!(rho.is_some_and(|r| r > 1.0), "{rho:?}");
    let got = lanes_one(&case, Backend::detect());
    assert!(
        got.variance < 1e-20 && m.variance < 1e-20,
        "{got:?} {m:?} {rho:?}"
    );
    assert_eq!(got.verdict, Some(m.verdict));
}

/// A valid three-item member's data, for the bad-input tests.
struct ValidMember {
    p: PreferenceMatrix,
    x0: [f64; 3],
    mu0: Vec<f64>,
}

impl ValidMember {
    fn new() -> Self {
        Self {
            p: Generator::Random { k: 3 }.generate(1).unwrap(),
            x0: [0.0, -1.0, -2.0],
            mu0: uniform(3),
        }
    }

    fn member(&self) -> Member<'_> {
        Member {
            p: &self.p,
            x0: &self.x0,
            mu0: &self.mu0,
        }
    }
}

/// Valid run parameters, for the bad-input tests.
const GOOD_PARAMS: MrsParams = MrsParams {
    alpha: 0.5,
    beta: 1.0,
    lam: 0.5,
    eta: 1.0,
};

#[test]
fn member_of_wrong_length_is_reported() {
    let valid = ValidMember::new();
    let ok = valid.member();
    let short = Member {
        x0: &valid.x0[..2],
        ..ok
    };
    assert!(matches!(
        LaneEnsemble::new(&[ok, short], 10, 0),
        Err(LanesError::BadLength {
            member: 1,
            name: "x0",
            got: 2,
            k: 3
        })
    ));
}

#[test]
fn member_with_bad_values_is_reported() {
    let valid = ValidMember::new();
    let ok = valid.member();
    let nan = [0.0, f64::NAN, 0.0];
    assert!(matches!(
        LaneEnsemble::new(&[Member { x0: &nan, ..ok }], 10, 0),
        Err(LanesError::BadValue {
            name: "x0",
            index: 1,
            ..
        })
    ));
    let neg = [0.5, -0.1, 0.6];
    assert!(matches!(
        LaneEnsemble::new(&[Member { mu0: &neg, ..ok }], 10, 0),
        Err(LanesError::BadValue {
            name: "mu0",
            index: 1,
            ..
        })
    ));
}

#[test]
fn too_many_rounds_are_reported_and_burn_in_is_capped() {
    let valid = ValidMember::new();
    let ok = valid.member();
    assert!(matches!(
        LaneEnsemble::new(&[ok], prefdyn::dynamics::MAX_T + 1, 0),
        Err(LanesError::TooManyRounds { .. })
    ));
    let ens = LaneEnsemble::new(&[ok], 10, 50).unwrap();
    assert_eq!(ens.burn_in(), 10);
}

#[test]
fn run_of_unknown_member_is_reported() {
    let valid = ValidMember::new();
    let ens = LaneEnsemble::new(&[valid.member()], 10, 50).unwrap();
    assert!(matches!(
        ens.run(
            &[Run {
                member: 1,
                params: GOOD_PARAMS
            }],
            Wanted::ALL
        ),
        Err(LanesError::NoSuchMember {
            run: 0,
            member: 1,
            members: 1
        })
    ));
}

#[test]
fn run_with_bad_params_is_reported() {
    let valid = ValidMember::new();
    let ens = LaneEnsemble::new(&[valid.member()], 10, 50).unwrap();
    let bad = MrsParams {
        eta: 0.0,
        ..GOOD_PARAMS
    };
    let runs = [
        Run {
            member: 0,
            params: GOOD_PARAMS,
        },
        Run {
            member: 0,
            params: bad,
        },
    ];
    let e = ens.run(&runs, Wanted::ALL).unwrap_err();
    assert!(matches!(e, LanesError::BadParams { run: 1, .. }), "{e}");
    assert!(e.to_string().contains("eta"), "{e}");
}

/// No members: every cell NaN.
#[test]
fn ensemble_without_members_gives_nan_cells() {
    let empty = LaneEnsemble::new(&[], 10, 0).unwrap();
    let st = empty
        .cell_stats(&[GOOD_PARAMS; 3], LaneMetric::Variance)
        .unwrap();
    assert_eq!(st.len(), 3);
    assert!(st.iter().all(|s| s.mean.is_nan() && s.sd.is_nan()));
}

// ---------------------------------------------------------------------------------------
// ρ in lanes.

/// ρ by the scalar engine (`MrsRun::stability`), NaN without a fixed point.
fn scalar_rho(p: &PreferenceMatrix, pi0: &[f64], mu0: &[f64], params: MrsParams) -> f64 {
    let run = MrsRun {
        p,
        pi0,
        mu0,
        params,
        solver: Solver::Ipo,
        rounds: 0,
    };
    run.stability().unwrap().rho.unwrap_or(f64::NAN)
}

/// Each case its own member of one ensemble (mixed K), one run each, through `backend`.
fn lanes_rho(cases: &[Case], backend: Backend) -> Vec<RhoValue> {
    let x0: Vec<Vec<f64>> = cases
        .iter()
        .map(|c| c.pi0.iter().map(|v| v.ln()).collect())
        .collect();
    let members: Vec<Member> = cases
        .iter()
        .zip(&x0)
        .map(|(c, x0)| Member {
            p: &c.p,
            x0,
            mu0: &c.mu0,
        })
        .collect();
    let ens = LaneEnsemble::new(&members, 0, 0)
        .unwrap()
        .with_backend(backend);
    let runs: Vec<Run> = cases
        .iter()
        .enumerate()
        .map(|(member, c)| Run {
            member,
            params: c.params,
        })
        .collect();
    ens.rho(&runs).unwrap()
}

/// A random ρ case: K from 2 to 8 and larger, every generator, α = 1 (no fixed point),
/// α = 0 and α near 1, λ = 0, tiny λ and λ = 1, η < 1, β up to 40.
fn rho_case(n: u64) -> Case {
    let mut rng = rng_for(0x72_686f ^ n);
    let k = [2, 3, 4, 5, 6, 7, 8, 3, 4, 5, 9, 12, 16][(n % 13) as usize];
    let mut c = random_case(n);
    c.p = match n % 5 {
        0 => Generator::Random { k },
        1 | 2 => Generator::RandomCyclic {
            k,
            s: 0.05 + 0.45 * rng.gen::<f64>(),
        },
        3 => Generator::BradleyTerry {
            k,
            sigma: 0.5 + 2.0 * rng.gen::<f64>(),
        },
        _ => Generator::RandomSst { k },
    }
    .generate(n)
    .unwrap();
    c.pi0 = dirichlet_flat(k, 3_000 + n);
    c.mu0 = if n % 3 == 0 {
        uniform(k)
    } else {
        dirichlet_flat(k, 4_000 + n)
    };
    c.params = MrsParams {
        alpha: match n % 9 {
            0 => 1.0,
            1 => 0.0,
            2 => 1.0 - 1e-3 * rng.gen::<f64>(),
            _ => rng.gen(),
        },
        beta: if n % 4 == 0 {
            40.0 * rng.gen::<f64>() + 0.01
        } else {
            0.05 + 8.0 * rng.gen::<f64>()
        },
        lam: match n % 11 {
            0 => 0.0,
            1 => 1e-12,
            2 => 1.0,
            _ => rng.gen(),
        },
        eta: if n % 2 == 0 {
            1.0
        } else {
            0.05 + 0.95 * rng.gen::<f64>()
        },
    };
    c
}

/// Checks lanes' ρ against the scalar engine by the rule (1e-9 where ρ < 1, else 1e-6);
/// NaN exactly where α = 1, the scalar path bit for bit. Returns the largest differences
/// (ρ < 1, others).
fn check_rho(cases: &[Case], got: &[RhoValue]) -> (f64, f64) {
    let mut worst = (0.0_f64, 0.0_f64);
    for (n, (c, g)) in cases.iter().zip(got).enumerate() {
        let want = scalar_rho(&c.p, &c.pi0, &c.mu0, c.params);
        let ctx = || {
            format!(
                "case {n}: K = {}, {:?}, {g:?}, scalar {want}",
                c.p.k(),
                c.params
            )
        };
        assert_eq!(want.is_nan(), c.params.alpha == 1.0, "{}", ctx());
        assert_eq!(g.rho.is_nan(), want.is_nan(), "{}", ctx());
        if want.is_nan() {
            assert_eq!(g.method, RhoMethod::NoFixedPoint, "{}", ctx());
            continue;
        }
        if g.method == RhoMethod::Scalar {
            assert_eq!(g.rho.to_bits(), want.to_bits(), "{}", ctx());
        }
        let d = (g.rho - want).abs();
        if want < 1.0 {
            worst.0 = worst.0.max(d);
            assert!(d <= 1e-9, "ρ differs by {d:e}: {}", ctx());
        } else {
            worst.1 = worst.1.max(d);
            assert!(d <= 1e-6, "ρ differs by {d:e}: {}", ctx());
        }
    }
    worst
}

fn count(values: &[RhoValue], method: RhoMethod) -> usize {
    values.iter().filter(|v| v.method == method).count()
}

#[test]
fn rho_matches_the_scalar_engine() {
    let cases: Vec<Case> = (0..2_600).map(rho_case).collect();
    for backend in [Backend::Portable, Backend::detect()] {
        let got = lanes_rho(&cases, backend);
        let (stable, other) = check_rho(&cases, &got);
        println!(
            "ρ ({backend:?}, {} runs): max |Δρ| {stable:.2e} (ρ < 1), {other:.2e} (others); {} in lanes, {} σ scalar, {} scalar, {} κλ = 0, {} without a fixed point",
            cases.len(),
            count(&got, RhoMethod::Lanes),
            count(&got, RhoMethod::LanesFixedPoint),
            count(&got, RhoMethod::Scalar),
            count(&got, RhoMethod::ScaledIdentity),
            count(&got, RhoMethod::NoFixedPoint),
        );
        // K ≤ 5 with λ > 0 and α < 1: the lanes, save the hardest Newton solves.
        let small = (cases.iter().zip(&got))
            .filter(|(c, _)| c.p.k() <= 5 && c.params.lam > 0.0 && c.params.alpha < 1.0);
        let (n, lanes) = small.fold((0, 0), |(n, l), (_, g)| {
            (n + 1, l + usize::from(g.method == RhoMethod::Lanes))
        });
        assert!(
            lanes * 100 >= n * 95,
            "{lanes} of {n} small-K runs in lanes"
        );
        for (c, g) in cases.iter().zip(&got) {
            let k = c.p.k();
            if k > 8 {
                assert!(matches!(
                    g.method,
                    RhoMethod::Scalar | RhoMethod::NoFixedPoint | RhoMethod::ScaledIdentity
                ));
            }
            if c.params.lam == 0.0 && c.params.alpha < 1.0 {
                assert_eq!(g.rho, c.params.a().abs());
                if k <= 8 {
                    assert_eq!(g.method, RhoMethod::ScaledIdentity);
                }
            }
        }
    }
}

/// Two matrices whose B has `ω₁ = ω₂`: a circulant K = 5 with
/// `c₂/c₁ = −(sin 72° − sin 144°)/(sin 72° + sin 144°)`, and two copies of one 3-cycle
/// (K = 6, not circulant).
fn equal_pair_matrices() -> [PreferenceMatrix; 2] {
    let (s72, s144) = (72f64.to_radians().sin(), 144f64.to_radians().sin());
    let c1 = 0.3;
    let c2 = -c1 * (s72 - s144) / (s72 + s144);
    let mut equal_pairs = vec![vec![0.5; 5]; 5];
    for i in 0..5 {
        for (d, cd) in [(1, c1), (2, c2), (3, -c2), (4, -c1)] {
            equal_pairs[i][(i + d) % 5] = 0.5 + cd;
        }
    }
    let mut two_cycles = vec![vec![0.5; 6]; 6];
    for b in [0, 3] {
        for i in 0..3 {
            two_cycles[b + i][b + (i + 1) % 3] = 0.9;
            two_cycles[b + (i + 1) % 3][b + i] = 0.1;
        }
    }
    [
        PreferenceMatrix::from_rows(&equal_pairs).unwrap(),
        PreferenceMatrix::from_rows(&two_cycles).unwrap(),
    ]
}

/// Runs with uniform π₀ and μ₀ at and around the onset `α* = √(1 − (βλω)²)` of each
/// matrix (ω = 0.1 where P is not circulant).
fn onset_cases(matrices: &[PreferenceMatrix]) -> Vec<Case> {
    let mut cases = Vec::new();
    for p in matrices {
        let k = p.k();
        let omega = prefdyn::theory::circulant_omega(p).unwrap_or(0.1);
        for (beta, lam) in [(2.0, 0.8), (1.0, 0.5), (6.0, 1.0)] {
            let b = beta * lam * omega;
            if b >= 1.0 {
                continue;
            }
            let onset = (1.0 - b * b).sqrt();
            for off in [0.0, 1e-13, -1e-13, 1e-10, -1e-10, 1e-6, -1e-6, 0.01] {
                cases.push(Case {
                    p: p.clone(),
                    pi0: uniform(k),
                    mu0: uniform(k),
                    params: MrsParams {
                        alpha: (onset + off).clamp(0.0, 1.0 - 1e-12),
                        beta,
                        lam,
                        eta: 1.0,
                    },
                    rounds: 0,
                    burn_in: 0,
                });
            }
        }
    }
    cases
}

/// A circulant P with uniform π₀ and μ₀ has the uniform fixed point and
/// `ρ = √(a² + (κλω)²)` exactly (`theory::circulant_rho`): at and around the onset
/// (ρ within 1e-13 of 1) lanes' ρ is the closed form to 1e-13 and on the same side of 1,
/// also where `ω₁ = ω₂` ([`equal_pair_matrices`]; for K = 6 σ then comes from the scalar
/// solver).
#[test]
fn rho_near_one_on_circulants() {
    let [equal_pairs, two_cycles] = equal_pair_matrices();
    let matrices = [
        Generator::RockPaperScissors { s: 0.3 }.generate(0).unwrap(),
        Generator::Circulant { k: 5, s: 0.4 }.generate(0).unwrap(),
        Generator::Circulant { k: 7, s: 0.2 }.generate(0).unwrap(),
        equal_pairs,
        two_cycles,
    ];
    let cases = onset_cases(&matrices);
    let got = lanes_rho(&cases, Backend::detect());
    check_rho(&cases, &got);
    let mut worst = 0.0_f64;
    for (c, g) in cases.iter().zip(&got) {
        let omega = match prefdyn::theory::circulant_omega(&c.p) {
            Some(w) => w,
            None => {
                assert_eq!(g.method, RhoMethod::LanesFixedPoint, "K = 6, ω₁ = ω₂");
                continue;
            }
        };
        let want = prefdyn::theory::circulant_rho(&c.params, omega);
        let d = (g.rho - want).abs();
        worst = worst.max(d);
        assert!(
            d <= 1e-13,
            "K = {}, {:?}: {g:?} vs {want}",
            c.p.k(),
            c.params
        );
        if (want - 1.0).abs() > 1e-13 {
            assert_eq!(g.rho < 1.0, want < 1.0, "{:?}: {g:?} vs {want}", c.params);
        }
        let expect = if c.p.k() <= 5 {
            RhoMethod::Lanes
        } else {
            RhoMethod::LanesFixedPoint
        };
        assert_eq!(g.method, expect, "K = {}", c.p.k());
    }
    println!(
        "circulants near ρ = 1: {} runs, max |Δρ| {worst:.2e} against the closed form",
        got.len()
    );
}

/// Random P and π₀ near their ρ = 1 edge: α found by bisection on the scalar ρ (to 1e-12),
/// then lanes against scalar within 1e-9 on both sides.
#[test]
fn rho_near_one_on_random_matrices() {
    let mut cases = Vec::new();
    for n in 0..40_u64 {
        let k = [3, 4, 5, 6, 7, 8][(n % 6) as usize];
        let p = Generator::RandomCyclic { k, s: 0.5 }.generate(n).unwrap();
        let (pi0, mu0) = (dirichlet_flat(k, 10 + n), uniform(k));
        let params = |alpha: f64| MrsParams {
            alpha,
            beta: 1.0 + (n % 4) as f64,
            lam: 0.8,
            eta: if n % 2 == 0 { 1.0 } else { 0.7 },
        };
        let rho = |alpha: f64| scalar_rho(&p, &pi0, &mu0, params(alpha));
        let (mut lo, mut hi) = (0.0, 1.0 - 1e-9);
        if rho(lo) >= 1.0 || rho(hi) <= 1.0 {
            continue;
        }
        while hi - lo > 1e-12 {
            let mid = 0.5 * (lo + hi);
            if rho(mid) < 1.0 {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        for alpha in [lo, hi, lo - 1e-9, hi + 1e-9] {
            cases.push(Case {
                p: p.clone(),
                pi0: pi0.clone(),
                mu0: mu0.clone(),
                params: params(alpha),
                rounds: 0,
                burn_in: 0,
            });
        }
    }
    assert!(cases.len() >= 80, "{} cases", cases.len());
    let got = lanes_rho(&cases, Backend::detect());
    let mut worst = 0.0_f64;
    for (c, g) in cases.iter().zip(&got) {
        let want = scalar_rho(&c.p, &c.pi0, &c.mu0, c.params);
        let d = (g.rho - want).abs();
        worst = worst.max(d);
        assert!(
            d <= 1e-9,
            "K = {}, {:?}: {g:?} vs {want}",
            c.p.k(),
            c.params
        );
    }
    println!(
        "random edges: {} runs with |ρ − 1| < 1e-8, max |Δρ| {worst:.2e}",
        cases.len()
    );
}

/// Where the lanes do not apply or do not converge, ρ is the scalar engine's, bit for bit:
/// K > 8, and α within 1e-7 of 1 with a large β (Newton needs more than the lanes allow).
#[test]
fn rho_falls_back_to_the_scalar_path() {
    let mut cases = Vec::new();
    for n in 0..12_u64 {
        let k = [5, 9, 12, 20][(n % 4) as usize];
        cases.push(Case {
            p: Generator::RandomCyclic { k, s: 0.5 }.generate(n).unwrap(),
            pi0: dirichlet_flat(k, 70 + n),
            mu0: uniform(k),
            params: MrsParams {
                alpha: 1.0 - 1e-7,
                beta: 50.0,
                lam: 1.0,
                eta: 1.0,
            },
            rounds: 0,
            burn_in: 0,
        });
    }
    let got = lanes_rho(&cases, Backend::detect());
    check_rho(&cases, &got);
    for (c, g) in cases.iter().zip(&got) {
        if c.p.k() > 8 {
            assert_eq!(g.method, RhoMethod::Scalar);
        }
    }
    let newton =
        (cases.iter().zip(&got)).filter(|(c, g)| c.p.k() == 5 && g.method == RhoMethod::Scalar);
    assert!(newton.count() >= 1, "{got:?}");
}

/// A run's ρ does not depend on which runs share its lanes (reversed, one at a time, every
/// third, mixed with members of other K).
#[test]
fn rho_does_not_depend_on_batching() {
    let cases: Vec<Case> = (0..90).map(rho_case).collect();
    let all = lanes_rho(&cases, Backend::detect());
    let bits = |v: &[RhoValue]| {
        v.iter()
            .map(|r| (r.rho.to_bits(), r.method))
            .collect::<Vec<_>>()
    };
    let reversed: Vec<Case> = (0..90).rev().map(rho_case).collect();
    let mut rev = lanes_rho(&reversed, Backend::detect());
    rev.reverse();
    assert_eq!(bits(&rev), bits(&all));
    for (n, c) in cases.iter().enumerate().step_by(7) {
        let one = lanes_rho(std::slice::from_ref(c), Backend::detect());
        assert_eq!(bits(&one), bits(&all[n..=n]), "case {n} alone");
    }
    let thirds: Vec<Case> = (0..90).step_by(3).map(rho_case).collect();
    let third = lanes_rho(&thirds, Backend::detect());
    let want: Vec<RhoValue> = all.iter().step_by(3).copied().collect();
    assert_eq!(bits(&third), bits(&want));
}

/// `cell_rho` is `rho` of the member-major runs, cell-major.
#[test]
fn cell_rho_is_rho_cell_major() {
    let members = family(3, 5, 11);
    let o = owned(&members);
    let lm = lane_members(&members, &o);
    let ens = LaneEnsemble::new(&lm, 10, 0).unwrap();
    let cells: Vec<MrsParams> = (0..17)
        .map(|i| MrsParams {
            alpha: (i % 6) as f64 / 5.0,
            beta: 0.5 + (i / 6) as f64 * 2.0,
            lam: 0.8,
            eta: if i % 4 == 0 { 0.5 } else { 1.0 },
        })
        .collect();
    let runs: Vec<Run> = (0..3)
        .flat_map(|member| cells.iter().map(move |&params| Run { member, params }))
        .collect();
    let all = ens.rho(&runs).unwrap();
    let v = ens.cell_rho(&cells).unwrap();
    for c in 0..cells.len() {
        for m in 0..3 {
            assert_eq!(
                v[c * 3 + m].to_bits(),
                all[m * cells.len() + c].rho.to_bits()
            );
        }
    }
    assert!(matches!(
        ens.rho(&[Run {
            member: 3,
            params: GOOD_PARAMS
        }]),
        Err(LanesError::NoSuchMember { .. })
    ));
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(200))]

    /// Any K from 2 to 10, matrix, π₀, μ₀ and parameters: lanes' ρ by the rule.
    #[test]
    fn rho_property(
        k in 2_usize..=10,
        seed in 0_u64..1_000_000,
        alpha in proptest::prop_oneof![0.0..1.0, proptest::strategy::Just(1.0), 0.999..1.0],
        beta in 0.001..30.0,
        lam in proptest::prop_oneof![0.0..=1.0, proptest::strategy::Just(0.0), 1e-14..1e-6],
        eta in 0.001..=1.0,
        cyclic in proptest::bool::ANY,
    ) {
        let generator = if cyclic {
            Generator::RandomCyclic { k, s: 0.5 }
        } else {
            Generator::Random { k }
        };
        let case = Case {
            p: generator.generate(seed).unwrap(),
            pi0: dirichlet_flat(k, seed ^ 1),
            mu0: dirichlet_flat(k, seed ^ 2),
            params: MrsParams { alpha, beta, lam, eta },
            rounds: 0,
            burn_in: 0,
        };
        let got = lanes_rho(std::slice::from_ref(&case), Backend::detect());
        check_rho(std::slice::from_ref(&case), &got);
    }
}
