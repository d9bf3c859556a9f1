//! The paper's findings (`prefdyn::findings`), one test each: the claim holds, and the
//! numbers behind it are checked against fixed margins and, where possible, against an
//! independent computation (closed forms, direct solver calls).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use prefdyn::config::parse_query;
use prefdyn::dpo::{dpo_solve, DpoOutcome};
use prefdyn::dynamics::DynamicsError;
use prefdyn::findings::*;
use prefdyn::generators::dirichlet_flat;
use prefdyn::report::Results;
use prefdyn::sampling::{one_shot, SamplingStrategy};
use prefdyn::simplex::{argmax, entropy, uniform};
use prefdyn::social_choice::borda;
use prefdyn::{Generator, MrsParams, MrsRun, PreferenceMatrix, Solver, Verdict};

fn timed<T>(name: &str, f: impl FnOnce() -> T) -> T {
    let t = std::time::Instant::now();
    let r = f();
    eprintln!("{name}: {:.2?}", t.elapsed());
    r
}

#[test]
fn finding1_uniform_ipo_is_borda_and_the_ml_mix_restores_condorcet() {
    let f = timed("finding 1", condorcet_vs_borda);
    eprintln!("{}", f.summary);
    assert!(f.holds, "{}", f.summary);
    assert_eq!(f.errors, 0);
    assert_eq!(f.n_differ, 500);
    assert_eq!(f.n_smith, 2000);
    // Uniform IPO: always the Borda winner, never the Condorcet winner.
    assert_eq!(f.uniform_tops_borda, 500);
    assert_eq!(f.uniform_condorcet_consistent, 0);
    // The uniform policy does miss the Smith set sometimes (so the ML result is not
    // vacuous): 96.8% measured.
    assert!(f.uniform_top_in_smith < 1980 && f.uniform_top_in_smith > 1800);
    assert_eq!(f.ml_mix.len(), 3);
    let eps: Vec<f64> = f.ml_mix.iter().map(|m| m.epsilon).collect();
    assert_eq!(eps, vec![0.05, 0.01, 0.001]);
    // The ML mix: a Smith member first at every ε; the CW first for small ε.
    for m in &f.ml_mix {
        assert_eq!(m.top_in_smith, 2000, "ε = {}", m.epsilon);
        assert!(m.tops_borda + m.tops_condorcet_winner <= 500);
    }
    assert_eq!(f.ml_mix[2].tops_borda, 0);
    assert_eq!(f.ml_mix[2].tops_condorcet_winner, 500);
    assert!(f.ml_mix[1].tops_condorcet_winner >= 495);
    // ε = 0.05 (the page's default) misses a few: 97.8% measured.
    assert!((475..500).contains(&f.ml_mix[0].tops_condorcet_winner));
    // Smith-on-top is not guaranteed: it fails on some matrices.
    assert!(f.ml_mix[0].smith_on_top < 2000 && f.ml_mix[0].smith_on_top > 1900);
    assert!(f.n_smith_nontrivial > 1000 && f.n_smith_nontrivial < 2000);

    // Independent check: with uniform μ and reference, π* ∝ exp(β · Borda), so the top
    // response is the Borda winner on every matrix.
    for seed in 1..=200 {
        let p = Generator::Random { k: 5 }.generate(seed).unwrap();
        let r = one_shot(
            &p,
            &uniform(5),
            2.0,
            &SamplingStrategy::Uniform,
            Solver::Ipo,
        )
        .unwrap();
        let b = borda(&p);
        assert_eq!(argmax(&r.policy), argmax(&b), "seed {seed}");
        let z: f64 = b.iter().map(|v| (2.0 * v).exp()).sum();
        for i in 0..5 {
            assert!((r.policy[i] - (2.0 * b[i]).exp() / z).abs() < 1e-12);
        }
    }
}

#[test]
fn finding2_on_policy_sampling_concentrates_on_sst() {
    let f = timed("finding 2", on_policy_concentration);
    eprintln!("{}", f.summary);
    assert!(f.holds, "{}", f.summary);
    assert_eq!((f.n, f.k, f.errors), (500, 5, 0));
    assert!(f.all_sst);
    let b10 = &f.by_beta[0];
    assert_eq!(b10.beta, 10.0);
    // 96.8% measured; the claim is "the large majority".
    assert!(b10.fraction_lower >= 0.9, "{}", b10.fraction_lower);
    assert!(b10.fraction_lower <= 1.0);
    assert!(b10.mean_gap > 0.1, "{}", b10.mean_gap);
    assert!(b10.mean_entropy_on_policy < b10.mean_entropy_uniform);
    assert!(b10.mean_entropy_uniform < (5f64).ln());
    for b in &f.by_beta {
        assert!(b.fraction_lower > 0.9, "β = {}", b.beta);
    }

    // Independent check on one matrix: the on-policy μ is self-consistent
    // (μ = π = IPO(P, μ, uniform)) and more concentrated than uniform sampling's optimum.
    let p = Generator::RandomSst { k: 5 }.generate(20_000).unwrap();
    let u = uniform(5);
    let on = one_shot(&p, &u, 10.0, &SamplingStrategy::OnPolicy, Solver::Ipo).unwrap();
    for i in 0..5 {
        assert!((on.policy[i] - on.mu[i]).abs() < 1e-10);
    }
    let pm = p.mul_vec(&on.mu);
    let z: f64 = pm.iter().map(|v| (10.0 * v).exp()).sum();
    for i in 0..5 {
        assert!((on.policy[i] - (10.0 * pm[i]).exp() / z).abs() < 1e-10);
    }
}

#[test]
fn finding3_cyclic_preferences_oscillate_with_alpha_and_beta_lambda() {
    let f = timed("finding 3", cyclic_oscillation);
    eprintln!("{}", f.summary);
    assert!(f.holds, "{}", f.summary);
    assert!(f.error.is_none());
    let v: Vec<Option<Verdict>> = f.figure1.iter().map(|r| r.verdict).collect();
    assert_eq!(
        v,
        vec![
            Some(Verdict::Converged),
            Some(Verdict::Oscillating),
            Some(Verdict::Oscillating)
        ]
    );
    let rho: Vec<f64> = f.figure1.iter().map(|r| r.rho.unwrap()).collect();
    assert!(rho[0] < 0.9 && rho[1] > 1.1 && rho[2] > 1.2, "{rho:?}");
    // Oscillation shows as variance: two orders of magnitude above the baseline's.
    assert!(f.figure1[1].variance.unwrap() > 50.0 * f.figure1[0].variance.unwrap());
    assert!(f.figure1[2].variance.unwrap() > 50.0 * f.figure1[0].variance.unwrap());

    let g = f.variance.as_ref().unwrap();
    assert_eq!(g.alpha, vec![0.0, 0.25, 0.5, 0.75, 1.0]);
    assert_eq!(g.beta_lambda.len(), 5);
    assert!((g.beta_lambda[0] - 0.2).abs() < 1e-12 && (g.beta_lambda[4] - 8.0).abs() < 1e-12);
    // α = 0 on a circulant P: Pμ₀ is constant and nothing moves (MODEL.md's trap).
    for row in &g.mean {
        assert!(row[0] < 1e-20, "{row:?}");
    }
    let (low, high) = (g.mean[0][1], g.mean[4][4]);
    assert!(low < 1e-5, "{low}");
    assert!(high > 0.05, "{high}");
    assert!(f.corner_ratio > 1000.0);
    // Monotone in both directions (α > 0).
    for iy in 0..5 {
        for ix in 1..4 {
            assert!(
                g.mean[iy][ix + 1] > g.mean[iy][ix],
                "α step at ({ix}, {iy})"
            );
        }
    }
    for ix in 1..5 {
        for iy in 0..4 {
            assert!(
                g.mean[iy + 1][ix] > g.mean[iy][ix],
                "βλ step at ({ix}, {iy})"
            );
        }
    }
    assert_eq!(f.rising_steps, f.total_steps);
    assert_eq!(f.total_steps, 31);
    // sd is reported and finite.
    assert!(g.sd.iter().flatten().all(|s| s.is_finite() && *s >= 0.0));
    let o = f.oscillating_share.as_ref().unwrap();
    assert_eq!(o.mean[0][1], 0.0);
    assert!(o.mean[4][4] >= 0.75);
}

#[test]
fn finding4_transitive_preferences_lose_entropy_with_alpha_and_beta_lambda() {
    let f = timed("finding 4", transitive_entropy);
    eprintln!("{}", f.summary);
    assert!(f.holds, "{}", f.summary);
    let h: Vec<f64> = f.figure2.iter().map(|r| r.final_entropy.unwrap()).collect();
    assert!(h[1] < h[0] - 0.05, "{h:?}");
    assert!(h[2] < h[0] - 0.4, "{h:?}");
    assert!(f
        .figure2
        .iter()
        .all(|r| r.verdict == Some(Verdict::Converged)));
    let g = f.entropy.as_ref().unwrap();
    let ln5 = (5f64).ln();
    assert!(g.mean.iter().flatten().all(|x| (0.0..=ln5).contains(x)));
    assert!(g.mean[0][0] > 1.2, "{}", g.mean[0][0]);
    assert!(g.mean[4][4] < 0.2, "{}", g.mean[4][4]);
    assert!(f.corner_drop > 1.0);
    // Every βλ step lowers the entropy; along α the far end is lower in every row.
    for ix in 0..5 {
        for iy in 0..4 {
            assert!(g.mean[iy + 1][ix] < g.mean[iy][ix]);
        }
    }
    for iy in 0..5 {
        assert!(g.mean[iy][4] < g.mean[iy][0], "row {iy}");
    }
    assert!(f.falling_steps >= 36 && f.total_steps == 40);
    assert_eq!(f.exceptions.len(), f.total_steps - f.falling_steps);
}

#[test]
fn finding5_figure5_onset_and_rho_formula() {
    let f = timed("finding 5", figure5_onset);
    eprintln!("{}", f.summary);
    assert!(f.holds, "{}", f.summary);
    assert_eq!((f.a, f.kappa), (0.8, 2.0));
    // Closed forms: the 5-response circulant tournament (s = 1/2) has
    // ρ(S) = sin(2π/5) + sin(4π/5); RPS has ρ(S) = sin(2π/3) (= √3/2).
    let pi = std::f64::consts::PI;
    let w5 = ((2.0 * pi / 5.0).sin() + (4.0 * pi / 5.0).sin()) / 5.0;
    let w3 = (2.0 * pi / 3.0).sin() / 3.0;
    let star = |w: f64| (1.0f64 - 0.64).sqrt() / (2.0 * w);
    assert!((f.tournament5.omega - w5).abs() < 1e-12);
    assert!((f.tournament5.alpha_star - star(w5)).abs() < 1e-9);
    assert!((f.rps.alpha_star - star(w3)).abs() < 1e-9);
    assert!((f.tournament5.alpha_star - 0.9748).abs() < 1e-3);
    assert!((f.rps.alpha_star - 1.0392).abs() < 1e-3);
    assert!(f.tournament5.inside_unit_interval && !f.rps.inside_unit_interval);
    // The preset's 16 random cyclic matrices: all onsets lie beyond α = 1.
    assert_eq!(f.ensemble.len(), 16);
    assert_eq!(f.inside_unit_interval, 0);
    assert!(f.alpha_star_min > 1.2 && f.alpha_star_min >= f.family_alpha_star_inf);
    assert!(f.alpha_star_median > f.alpha_star_min && f.alpha_star_max > 5.0);
    assert!(f.max_circulant_deviation < 1e-15);
    // The engine's ρ at a uniform fixed point is the formula's.
    assert_eq!(f.rho_checks, 80);
    assert!(
        f.rho_formula_max_error < 1e-12,
        "{}",
        f.rho_formula_max_error
    );
    assert!(f.fixed_point_max_deviation < 1e-12);
    // Sweep: variance grows with α (from zero at α = 0).
    assert_eq!(f.sweep_alpha.len(), 11);
    assert!(f.sweep_variance[0] < 1e-20);
    assert!(f.sweep_variance[10] > 1e-5);
    for w in f.sweep_variance.windows(2).skip(1) {
        assert!(w[1] > w[0], "{:?}", f.sweep_variance);
    }
    assert_eq!(f.ensemble_rho_above_one_at_alpha1, 0);
    // Just below and above the tournament's onset.
    let r = &f.tournament_runs;
    assert_eq!(r[0].verdict, Some(Verdict::Converged));
    assert_eq!(r[1].verdict, Some(Verdict::Oscillating));
    assert!(r[0].rho.unwrap() < 1.0 && r[1].rho.unwrap() > 1.0);

    // Independent: the engine's ρ on the tournament at α = 1 with uniform π₀ and μ₀.
    let p = Generator::Circulant { k: 5, s: 0.5 }.generate(0).unwrap();
    let u = uniform(5);
    let run = MrsRun {
        p: &p,
        pi0: &u,
        mu0: &u,
        params: MrsParams {
            alpha: 1.0,
            beta: 2.0,
            lam: 0.8,
            eta: 1.0,
        },
        solver: Solver::Ipo,
        rounds: 1,
    };
    let rho = run.stability().unwrap().rho.unwrap();
    assert!((rho - (0.64 + (2.0 * w5).powi(2)).sqrt()).abs() < 1e-12);
}

#[test]
fn finding6_stability_theory_agrees_with_simulation() {
    let f = timed("finding 6", stability_agreement);
    eprintln!("{}", f.summary);
    assert!(f.holds, "{}", f.summary);
    assert_eq!(f.errors, 0);
    assert_eq!((f.instances, f.cyclic, f.random), (2000, 1000, 1000));
    assert_eq!(f.rounds, 4000);
    assert!(f.in_band <= 20, "{}", f.in_band);
    assert_eq!(f.counted + f.in_band, f.instances);
    // Both predictions are well represented.
    assert!(f.predicted_converge.converged >= 1500);
    assert!(f.predicted_oscillate.oscillating >= 30);
    // Without vertex fixed points, ρ predicts every verdict.
    assert!(
        f.agreement_rate_interior >= 0.995,
        "{}",
        f.agreement_rate_interior
    );
    // Strictly (verdict labels as they are): 98.75% measured; every miss is a ρ < 1 run
    // that converged to a fixed point past the collapse threshold.
    assert!(f.agreement_rate >= 0.98, "{}", f.agreement_rate);
    assert_eq!(f.predicted_converge.oscillating, 0);
    assert_eq!(f.predicted_converge.not_settled, 0);
    assert_eq!(f.predicted_oscillate.converged, 0);
    assert_eq!(f.predicted_oscillate.not_settled, 0);
    assert_eq!(f.predicted_oscillate.collapsing, 0);
    assert_eq!(f.disagreements.len(), f.counted - f.agreements);
    for d in &f.disagreements {
        assert!(d.rho < 0.99, "{d:?}");
        assert_eq!(d.verdict, Verdict::Collapsing);
        assert!(d.max_fixed_point > 1.0 - 1e-3);
        assert!(
            d.last_step < 1e-9 && d.distance_to_fixed_point < 1e-6,
            "{d:?}"
        );
    }
    assert_eq!(f.collapsing_converged_to_fixed_point, f.disagreements.len());
}

#[test]
fn finding7_dpo_parallels_and_deterministic_dominance() {
    let f = timed("finding 7", dpo_parallels);
    eprintln!("{}", f.summary);
    assert!(f.holds, "{}", f.summary);
    assert_eq!(f.errors, 0);
    let v: Vec<Option<Verdict>> = f.figure1_dpo.iter().map(|r| r.verdict).collect();
    assert_eq!(
        v,
        vec![
            Some(Verdict::Converged),
            Some(Verdict::Oscillating),
            Some(Verdict::Oscillating)
        ]
    );
    assert!(f.figure1_dpo.iter().all(|r| r.error.is_none()));
    let h: Vec<f64> = f
        .figure2_dpo
        .iter()
        .map(|r| r.final_entropy.unwrap())
        .collect();
    assert!(h[1] < h[0] - 0.03 && h[2] < h[0] - 0.5, "{h:?}");
    assert_eq!(f.corners.len(), 2);
    for c in &f.corners {
        assert!(
            c.cyclic_variance_high > 1000.0 * c.cyclic_variance_low,
            "{c:?}"
        );
        assert!(c.sst_entropy_high < c.sst_entropy_low - 0.7, "{c:?}");
        assert!(c.cyclic_oscillating_high >= 3, "{c:?}");
    }
    for s in &f.scale {
        assert!((s.dpo_variance / s.ipo_variance - 1.0).abs() < 0.1, "{s:?}");
    }
    assert_eq!(f.dominance.len(), 2);
    let tops: Vec<Vec<usize>> = f
        .dominance
        .iter()
        .map(|d| d.dpo_top_component.clone())
        .collect();
    assert_eq!(tops, vec![vec![0], vec![0, 1, 2]]);
    for d in &f.dominance {
        assert!(!d.dpo_finite);
        assert!(d.ipo_min_mass > 0.01);
        assert!(d.ipo_policy.iter().all(|x| x.is_finite() && *x > 0.0));
        for (i, x) in d.dpo_limit_policy.iter().enumerate() {
            if !d.dpo_top_component.contains(&i) {
                assert_eq!(*x, 0.0);
            }
        }
        assert!(d
            .mrs_dpo_error
            .as_deref()
            .unwrap()
            .contains("no finite optimum"));
        assert_eq!(d.mrs_ipo_verdict, Some(Verdict::Converged));
        assert!(d.mrs_ipo_rho.unwrap() < 1.0);
    }

    // Independent: the strict order directly.
    let p = PreferenceMatrix::from_upper(4, &[1.0; 6]).unwrap();
    let u = uniform(4);
    assert!(matches!(
        dpo_solve(&p, &u, None),
        DpoOutcome::NoFiniteOptimum { .. }
    ));
    let pi0 = dirichlet_flat(4, 3);
    let run = |solver| MrsRun {
        p: &p,
        pi0: &pi0,
        mu0: &u,
        params: MrsParams {
            alpha: 0.5,
            beta: 2.0,
            lam: 0.5,
            eta: 1.0,
        },
        solver,
        rounds: 50,
    };
    assert!(matches!(
        run(Solver::Dpo).simulate(),
        Err(DynamicsError::DpoNoFiniteOptimum { .. })
    ));
    let t = run(Solver::Ipo).simulate().unwrap();
    assert!(t.last().iter().all(|x| *x > 0.0) && entropy(t.last()) > 0.0);
}

#[test]
fn finding8_real_data() {
    let f = timed("finding 8", real_data);
    eprintln!("{}", f.summary);
    assert!(f.holds, "{}", f.summary);
    assert_eq!(f.errors, 0);
    assert_eq!(f.matrices.len(), 9);
    assert_eq!(f.with_condorcet_winner, 7);
    assert_eq!(f.ml_condorcet_consistent, 7);
    assert_eq!(f.ml_top_in_smith, 9);
    assert_eq!(f.runs, 54);
    assert_eq!(f.contradictions, 0);
    assert_eq!(f.verdicts.oscillating, 0);
    assert!(f.max_rho < 0.9, "{}", f.max_rho);
    assert_eq!(f.beta_lambda_lowers_entropy, 18);
    assert_eq!(f.comparisons, 18);
    let by = |n: &str| f.matrices.iter().find(|m| m.name == n).unwrap();
    assert_eq!(
        by("chatbot_arena_2023may_5").condorcet_winner.as_deref(),
        Some("gpt-4")
    );
    let flute = by("bt2_sound_fields_flute");
    assert_eq!(flute.condorcet_winner, None);
    assert_eq!(flute.smith_set.len(), 8);
    assert_eq!(flute.three_cycles, 8);
    for m in &f.matrices {
        assert_eq!(m.one_shot.len(), 4, "{}", m.name);
        assert_eq!(m.dynamics.len(), 6, "{}", m.name);
        assert!(!m.sst, "{}: the README says none is SST", m.name);
    }

    // Independent: one run recomputed from its link.
    let c = parse_query("v=1&preset=bt2_citations&alpha=0.3&beta=12&T=100").config;
    let r = Results::compute(&c);
    let d = r.dynamics.unwrap();
    let mine = &by("bt2_citations").dynamics[2];
    assert_eq!(mine.label, "fig1c");
    assert_eq!(mine.final_entropy, Some(d.metrics.final_entropy));
    assert_eq!(mine.rho, d.stability.rho);
}

#[test]
fn all_lists_every_finding_in_order() {
    let all = timed("all", all);
    let ids: Vec<&str> = all.iter().map(|f| f.id).collect();
    assert_eq!(
        ids,
        (1..=8).map(|i| format!("finding{i}")).collect::<Vec<_>>()
    );
    for f in &all {
        assert!(f.holds, "{}: {}", f.id, f.summary);
        assert!(!f.summary.is_empty() && !f.summary.contains('\n'));
        assert!(f.numbers.is_object(), "{}", f.id);
        assert_eq!(f.numbers["holds"], serde_json::Value::Bool(f.holds));
        assert_eq!(f.numbers["summary"].as_str(), Some(f.summary.as_str()));
    }
    // Deterministic: a second run gives the same numbers.
    let again = prefdyn::findings::cyclic_oscillation();
    assert_eq!(
        serde_json::to_value(&again).unwrap(),
        all[2].numbers,
        "finding 3 is not reproducible"
    );
}
