//! Tests of the phase sweep.

use super::job::{mean_and_sd, variance_by_rows};
use super::*;
use crate::dynamics::{
    run_ipo_into, time_averaged_variance, IpoWorkspace, Metrics, MrsRun, Solver, Verdict, MAX_T,
};
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
        sampling: None,
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
                let same = |a: f64, b: f64| (a - b).abs() <= 1e-12 || (a.is_nan() && b.is_nan());
                assert!(
                    same(gm, mean) && same(gs, sd),
                    "{metric:?} cell ({ix}, {iy}): grid ({gm}, {gs}), runs ({mean}, {sd})"
                );
            }
        }
    }
    Ok(())
}

/// Rock–paper–scissors (s = 0.4) from two starts.
fn rps_members() -> Result<Vec<EnsembleMember>, String> {
    let p = Generator::RockPaperScissors { s: 0.4 }
        .generate(0)
        .map_err(|e| e.to_string())?;
    Ok([[0.34, 0.33, 0.33], [0.5, 0.3, 0.2]]
        .iter()
        .map(|pi0| EnsembleMember {
            p: p.clone(),
            pi0: pi0.to_vec(),
            mu0: vec![1.0 / 3.0; 3],
        })
        .collect())
}

/// The verdict metric's share collapsed per cell is the share of independent runs whose
/// verdict is "collapsed onto i", through the lanes and the scalar engine alike; it is NaN
/// for the other metrics. Rock–paper–scissors at α = 1 with a large βλ collapses (the
/// tour's phase step), while α < 1 there never does.
#[test]
fn collapsed_share_counts_collapsed_runs() -> Result<(), String> {
    let mut spec = spec(PhaseMetric::Verdict);
    spec.rounds = 1000;
    for members in [family(3), rps_members()?] {
        let lanes = PhaseJob::new(spec, members.clone())
            .map(|mut j| {
                j.step(usize::MAX);
                j.into_result()
            })
            .map_err(|e| e.to_string())?;
        let scalar = sweep_scalar(&spec, &members).map_err(|e| e.to_string())?;
        for result in [&lanes, &scalar] {
            for iy in 0..spec.y.n {
                for ix in 0..spec.x.n {
                    let params = cell_params(&spec, ix, iy);
                    let collapsed = members
                        .iter()
                        .filter(|m| {
                            let run = MrsRun {
                                p: &m.p,
                                pi0: &m.pi0,
                                mu0: &m.mu0,
                                params,
                                solver: Solver::Ipo,
                                rounds: spec.rounds,
                            };
                            run.simulate().is_ok_and(|t| {
                                Metrics::of(&t, spec.burn_in).verdict == Verdict::Collapsed
                            })
                        })
                        .count();
                    let share = result.collapsed[iy * spec.x.n + ix];
                    let want = collapsed as f64 / members.len() as f64;
                    assert_eq!(share, want, "cell ({ix}, {iy})");
                    if ix + 1 < spec.x.n {
                        assert_eq!(share, 0.0, "α < 1 does not collapse: cell ({ix}, {iy})");
                    }
                }
            }
        }
    }
    let top = (spec.y.n - 1) * spec.x.n + spec.x.n - 1;
    let rps_result = sweep_scalar(&spec, &rps_members()?).map_err(|e| e.to_string())?;
    assert_eq!(
        rps_result.collapsed[top], 1.0,
        "α = 1, βλ = 5: RPS collapses"
    );
    let other =
        sweep_scalar(&self::spec(PhaseMetric::Variance), &family(3)).map_err(|e| e.to_string())?;
    assert!(other.collapsed.iter().all(|v| v.is_nan()));
    Ok(())
}

#[test]
fn metric_values_are_what_they_say() -> Result<(), String> {
    let members = family(4);
    // Verdict: a share of runs.
    let g =
        (sweep(&spec(PhaseMetric::Verdict), &members)).map_err(|e| format!("sweep failed: {e}"))?;
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
    let job = (PhaseJob::new(spec, members.clone())).map_err(|e| format!("new failed: {e}"))?;
    let g = &job.result().grid;
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
        job.progress(),
        Progress {
            done_cells: 0,
            total_cells: 30
        }
    );
    assert!(job.result().rho.iter().all(|v| v.is_nan()));
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
fn refinement_order_is_a_coarse_lattice_first_then_every_cell_once() {
    for (nx, ny) in [(1, 1), (6, 5), (17, 9), (64, 64), (128, 3)] {
        let order = refinement_order(nx, ny);
        let mut sorted = order.clone();
        sorted.sort_unstable();
        assert_eq!(sorted, (0..nx * ny).collect::<Vec<_>>(), "{nx}×{ny}");
        // The every-8th lattice comes first, then every 4th, 2nd, the rest.
        let level = |c: usize| {
            let (ix, iy) = (c % nx, c / nx);
            [8, 4, 2, 1]
                .into_iter()
                .find(|s| ix % s == 0 && iy % s == 0)
                .unwrap_or(1)
        };
        assert!(
            order.windows(2).all(|w| level(w[0]) >= level(w[1])),
            "{nx}×{ny}"
        );
    }
    let order = refinement_order(64, 64);
    assert_eq!(&order[..3], &[0, 8, 16]);
    assert!(order[..64].iter().all(|c| c % 8 == 0 && (c / 64) % 8 == 0));
}

#[test]
fn stepping_in_any_chunks_or_storing_computed_cells_equals_sweep() -> Result<(), String> {
    let members = family(3);
    for metric in [
        PhaseMetric::Variance,
        PhaseMetric::Rho,
        PhaseMetric::Verdict,
    ] {
        let mut spec = spec(metric);
        spec.y.axis = Axis::Lambda;
        spec.y.max = 1.0;
        let whole = (sweep(&spec, &members)).map_err(|e| format!("sweep failed: {e}"))?;
        // Stepped here, 7 cells at a time, in the refinement order.
        let mut job = (PhaseJob::new(spec, members.clone())).map_err(|e| format!("{e}"))?;
        let mut steps = 0;
        while !job.is_done() {
            let p = job.step(7);
            steps += 1;
            assert_eq!(p.done_cells, (7 * steps).min(30));
            let done: Vec<usize> = job.order()[..p.done_cells].to_vec();
            for c in 0..30 {
                assert_eq!(job.is_stored(c), done.contains(&c), "cell {c}");
            }
        }
        assert_eq!(steps, 5);
        let g = job.into_result();
        assert_eq!(bits(&g.grid.mean), bits(&whole.mean));
        assert_eq!(bits(&g.grid.sd), bits(&whole.sd));
        // Handed out in batches and computed by another computer (a worker, a thread).
        let mut job = (PhaseJob::new(spec, members.clone())).map_err(|e| format!("{e}"))?;
        let mut elsewhere = CellComputer::new(spec, members.clone()).map_err(|e| format!("{e}"))?;
        let mut batches = vec![];
        while !job.all_taken() {
            batches.push(job.take(4));
        }
        for b in batches.iter().rev() {
            job.store(&elsewhere.compute(b));
        }
        assert!(job.is_done());
        let h = job.into_result();
        assert_eq!(bits(&h.grid.mean), bits(&whole.mean));
        assert_eq!(bits(&h.rho), bits(&g.rho));
    }
    Ok(())
}

/// ρ of every cell through the lanes against the scalar engine (`sweep_scalar`), over
/// (λ from 0, η from 0.001) and (α up to 1, βλ) planes, for K = 3 to 9: within 1e-9 where
/// the cell's ρ < 1, else 1e-6; NaN in the same cells (α = 1).
#[test]
fn rho_cells_match_the_scalar_engine() -> Result<(), String> {
    let mut worst = (0.0_f64, 0.0_f64);
    for k in 3..=9 {
        let e = Ensemble::Family {
            family: if k % 2 == 0 {
                Family::RandomSst
            } else {
                Family::RandomCyclic
            },
            k,
            param: 0.5,
            count: 3,
            seed: 40 + k as u64,
        };
        let members = ensemble_members(&e, None).map_err(|e| e.to_string())?;
        let mut planes = [spec(PhaseMetric::Rho), spec(PhaseMetric::Rho)];
        planes[1].x = AxisRange {
            axis: Axis::Lambda,
            min: 0.0,
            max: 1.0,
            n: 6,
        };
        planes[1].y = AxisRange {
            axis: Axis::Eta,
            min: 0.001,
            max: 1.0,
            n: 5,
        };
        planes[1].base.alpha = 0.7;
        for spec in planes {
            let fast = sweep(&spec, &members).map_err(|e| e.to_string())?;
            let slow = sweep_scalar(&spec, &members).map_err(|e| e.to_string())?;
            for (c, (f, s)) in fast.mean.iter().zip(&slow.grid.mean).enumerate() {
                assert_eq!(f.is_nan(), s.is_nan(), "K = {k}, cell {c}");
                let d = (f - s).abs();
                if s.is_nan() {
                    continue;
                }
                let slot = if *s < 1.0 { &mut worst.0 } else { &mut worst.1 };
                *slot = slot.max(d);
                let tol = if *s < 1.0 { 1e-9 } else { 1e-6 };
                assert!(d <= tol, "K = {k}, cell {c}: lanes {f}, scalar {s}");
            }
        }
    }
    println!(
        "cell ρ, lanes vs scalar: max |Δ| {:.2e} (ρ < 1), {:.2e} (others)",
        worst.0, worst.1
    );
    Ok(())
}

#[test]
fn every_cells_rho_is_the_members_mean_rho() -> Result<(), String> {
    let members = family(3);
    let spec = spec(PhaseMetric::Variance);
    let mut job = (PhaseJob::new(spec, members.clone())).map_err(|e| format!("{e}"))?;
    job.step(usize::MAX);
    let r = job.into_result();
    let rho = sweep(
        &PhaseSpec {
            metric: PhaseMetric::Rho,
            ..spec
        },
        &members,
    )
    .map_err(|e| format!("{e}"))?;
    assert_eq!(bits(&r.rho), bits(&rho.mean));
    // The last column is α = 1 (a = 1): no fixed point.
    assert!((0..spec.y.n).all(|iy| r.rho[iy * spec.x.n + spec.x.n - 1].is_nan()));
    assert!(r.theory.contraction.iter().all(|v| v.is_finite()));
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

#[test]
fn the_preview_fills_uncomputed_cells_from_the_coarse_lattice() -> Result<(), String> {
    let members = family(2);
    let mut s = spec(PhaseMetric::Variance);
    s.x.n = 17;
    s.y.n = 9;
    let mut job = (PhaseJob::new(s, members)).map_err(|e| format!("{e}"))?;
    assert!(
        job.preview().iter().all(|v| v.is_nan()),
        "nothing computed yet"
    );
    // The every-8th lattice: (0,0), (8,0), (16,0), (0,8), (8,8), (16,8).
    let p = job.step(6);
    assert_eq!(p.done_cells, 6);
    let (g, pv) = (&job.result().grid, job.preview());
    for iy in 0..9 {
        for ix in 0..17 {
            let anchor = (iy - iy % 8) * 17 + (ix - ix % 8);
            assert_eq!(
                pv[iy * 17 + ix].to_bits(),
                g.mean[anchor].to_bits(),
                "({ix}, {iy})"
            );
        }
    }
    job.step(usize::MAX);
    let (g, pv) = (&job.result().grid, job.preview());
    assert_eq!(
        bits(&pv),
        bits(&g.mean),
        "once done the preview is the grid"
    );
    Ok(())
}

/// With finite samples a cell's value is the mean over the realisations of each run's
/// metric, exactly as `FiniteRun` computes them, and the seed matters.
#[test]
fn finite_sample_cells_average_the_realisations() -> Result<(), String> {
    use crate::finite::{FiniteRun, FiniteSpec};
    let members = family(1);
    let mut s = spec(PhaseMetric::Variance);
    (s.x.n, s.y.n, s.rounds) = (3, 2, 40);
    let sampling = FiniteSpec {
        pairs: 64,
        realisations: 3,
        seed: 5,
    };
    s.sampling = Some(sampling);
    let grid = sweep(&s, &members).map_err(|e| e.to_string())?;
    let m = &members[0];
    for iy in 0..s.y.n {
        for ix in 0..s.x.n {
            let run = FiniteRun {
                p: &m.p,
                pi0: &m.pi0,
                mu0: &m.mu0,
                params: cell_params(&s, ix, iy),
                solver: Solver::Ipo,
                rounds: s.rounds,
                burn_in: s.burn_in,
                spec: sampling,
            };
            let expected = run
                .simulate()
                .map_err(|e| e.to_string())?
                .summary
                .variance
                .mean;
            let (got, sd) = grid.cell(ix, iy).ok_or("no cell")?;
            assert!(
                (got - expected).abs() <= 1e-12,
                "({ix}, {iy}): {got} vs {expected}"
            );
            assert_eq!(sd, 0.0, "one member");
        }
    }
    s.sampling = Some(FiniteSpec {
        seed: 6,
        ..sampling
    });
    let other = sweep(&s, &members).map_err(|e| e.to_string())?;
    assert_ne!(other.mean, grid.mean, "another seed draws other pairs");
    s.sampling = Some(FiniteSpec {
        pairs: 0,
        ..sampling
    });
    assert!(matches!(sweep(&s, &members), Err(PhaseError::Sampling(_))));
    Ok(())
}

#[test]
fn a_parameter_is_found_in_its_cell() {
    let r = AxisRange {
        axis: Axis::BetaLambda,
        min: 0.2,
        max: 4.0,
        n: 20,
    };
    let p = MrsParams {
        alpha: 0.5,
        beta: 2.0,
        lam: 0.8,
        eta: 1.0,
    };
    let v = Axis::BetaLambda.of(&p);
    assert!((v - 1.6).abs() < 1e-12);
    let i = r.cell_of(v);
    assert!(i.is_some_and(|i| (r.value(i) - v).abs() <= (r.max - r.min) / 38.0 + 1e-12));
    assert_eq!(r.cell_of(4.05), Some(19));
    assert_eq!(r.cell_of(4.2), None);
    assert_eq!(r.cell_of(f64::NAN), None);
    assert_eq!(Axis::Alpha.of(&p), 0.5);
}
