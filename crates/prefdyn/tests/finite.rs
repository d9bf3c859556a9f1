//! Finite samples of MRS-IPO / MRS-DPO (`prefdyn::finite`).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use prefdyn::dynamics::{Metrics, MrsParams, MrsRun, Solver, Verdict};
use prefdyn::finite::{
    comparison_components, dpo_fit, finite_cell, ipo_fit, realisation_rng, Categorical,
    CellWorkspace, FiniteError, FiniteMember, FiniteModel, FiniteRun, FiniteSpec, FitWorkspace,
    PairCounts, PairSampler, RoundWorkspace, MAX_PAIRS, MAX_REALISATIONS,
};
use prefdyn::generators::{dirichlet_flat, Generator, RatedClass};
use prefdyn::preference::PreferenceMatrix;
use prefdyn::simplex::uniform;
use rand::RngCore;

fn params(alpha: f64, beta: f64, lam: f64) -> MrsParams {
    MrsParams {
        alpha,
        beta,
        lam,
        eta: 1.0,
    }
}

fn all_finite(v: &[f64]) -> bool {
    v.iter().all(|x| x.is_finite())
}

/// Subtracts the mean of `x` over each component.
fn centre_per_component(x: &mut [f64], comps: &[Vec<usize>]) {
    for c in comps {
        let m = c.iter().map(|&i| x[i]).sum::<f64>() / c.len() as f64;
        for &i in c {
            x[i] -= m;
        }
    }
}

// ---------------------------------------------------------------------------------------
// The least-squares fit.

#[test]
fn ipo_fit_tends_to_the_population_step_like_n_to_the_minus_half() {
    let p = Generator::Random { k: 4 }.generate(3).unwrap();
    let mu = [0.4, 0.3, 0.2, 0.1];
    let beta = 2.0;
    let pm = p.mul_vec(&mu);
    let table = Categorical::from_weights(&mu);
    let sampler = PairSampler::new(&p);
    let (mut counts, mut ws, mut r) = (PairCounts::new(4), FitWorkspace::default(), [0.0; 4]);
    let sizes = [100usize, 400, 1600, 6400];
    let seeds = 200;
    let mut gaps = Vec::new();
    for &n in &sizes {
        let mut total = 0.0;
        for seed in 0..seeds {
            let mut rng = realisation_rng(seed, 0, 0);
            sampler.draw(&mut rng, &table, n, &mut counts);
            ipo_fit(&counts, beta, &mut ws, &mut r);
            // Both sides centred on each compared component; never-compared responses are 0
            // on both sides.
            let comps: Vec<Vec<usize>> = comparison_components(&counts)
                .into_iter()
                .filter(|c| c.len() > 1)
                .collect();
            let mut target: Vec<f64> = pm.iter().map(|v| beta * v).collect();
            centre_per_component(&mut target, &comps);
            let compared: Vec<usize> = comps.iter().flatten().copied().collect();
            let gap = compared
                .iter()
                .map(|&i| (r[i] - target[i]).powi(2))
                .sum::<f64>()
                .sqrt();
            total += gap;
        }
        gaps.push(total / seeds as f64);
    }
    // Least-squares slope of log gap on log N.
    let xs: Vec<f64> = sizes.iter().map(|&n| (n as f64).ln()).collect();
    let ys: Vec<f64> = gaps.iter().map(|g| g.ln()).collect();
    let (mx, my) = (xs.iter().sum::<f64>() / 4.0, ys.iter().sum::<f64>() / 4.0);
    let slope = xs
        .iter()
        .zip(&ys)
        .map(|(x, y)| (x - mx) * (y - my))
        .sum::<f64>()
        / xs.iter().map(|x| (x - mx).powi(2)).sum::<f64>();
    assert!(
        (-0.6..=-0.4).contains(&slope),
        "slope {slope}, gaps {gaps:?}"
    );
    // And the gap really is small at N = 6400 (about 0.03 there).
    assert!(gaps[3] < 0.06, "{gaps:?}");
}

#[test]
fn ipo_fit_is_the_minimum_norm_solution_on_each_component() {
    let beta = 2.0;
    // Component {0, 1, 2}: a path 0 – 1 – 2 (0 beat 1 twice, 1 beat 0 once, 1 beat 2 once);
    // component {3, 4}: 3 beat 4 three times and lost once; 5 never compared.
    let pairs = [
        (0, 1),
        (0, 1),
        (1, 0),
        (1, 2),
        (3, 4),
        (3, 4),
        (3, 4),
        (4, 3),
    ];
    let counts = PairCounts::from_pairs(6, &pairs).unwrap();
    assert_eq!(counts.kept(), 8);
    assert_eq!(
        comparison_components(&counts),
        vec![vec![0, 1, 2], vec![3, 4], vec![5]]
    );
    let mut r = [f64::NAN; 6];
    ipo_fit(&counts, beta, &mut FitWorkspace::default(), &mut r);
    // On a tree every edge is fitted exactly: r_i − r_j = (β/2)(w_ij − w_ji)/c_ij, so
    // r_0 − r_1 = β/6 and r_1 − r_2 = β/2; centred: (5β/18, β/9, −7β/18).
    // Edge 3 – 4: r_3 − r_4 = (β/2)(2/4) = β/4, centred ±β/8.
    let expected = [
        5.0 * beta / 18.0,
        beta / 9.0,
        -7.0 * beta / 18.0,
        beta / 8.0,
        -beta / 8.0,
        0.0,
    ];
    for (a, b) in r.iter().zip(&expected) {
        assert!((a - b).abs() < 1e-14, "{r:?} vs {expected:?}");
    }
    assert!((r[0] + r[1] + r[2]).abs() < 1e-14);
    assert!((r[3] + r[4]).abs() < 1e-14);
    assert_eq!(r[5], 0.0);

    // A transitive triangle (0 ≻ 1, 0 ≻ 2, 1 ≻ 2, once each): L = 3I − 11ᵀ and
    // b = (β/2)(wins − losses) = (β, 0, −β), so r = b/3 on the sum-zero subspace.
    let counts = PairCounts::from_pairs(3, &[(0, 1), (0, 2), (1, 2)]).unwrap();
    let mut r = [0.0; 3];
    ipo_fit(&counts, beta, &mut FitWorkspace::default(), &mut r);
    for (a, b) in r.iter().zip(&[beta / 3.0, 0.0, -beta / 3.0]) {
        assert!((a - b).abs() < 1e-14, "{r:?}");
    }
    // A 3-cycle of single wins: every margin is 0, so r = 0.
    let counts = PairCounts::from_pairs(3, &[(0, 1), (1, 2), (2, 0)]).unwrap();
    ipo_fit(&counts, beta, &mut FitWorkspace::default(), &mut r);
    assert!(r.iter().all(|v| v.abs() < 1e-15), "{r:?}");
}

#[test]
fn ipo_fit_solves_the_normal_equations_on_random_counts() {
    // Random counts on two blocks {0..5} and {5..8} plus isolated 8 and 9.
    let mut rng = realisation_rng(7, 0, 0);
    let k = 10;
    let mut pairs = Vec::new();
    for _ in 0..60 {
        let block = (rng.next_u32() % 2) as usize;
        let (lo, len) = if block == 0 { (0, 5) } else { (5, 3) };
        let i = lo + (rng.next_u32() as usize % len);
        let j = lo + (rng.next_u32() as usize % len);
        if i != j {
            pairs.push((i, j));
        }
    }
    let counts = PairCounts::from_pairs(k, &pairs).unwrap();
    let beta = 1.7;
    let mut r = vec![0.0; k];
    ipo_fit(&counts, beta, &mut FitWorkspace::default(), &mut r);
    // L r = b with L the Laplacian of the comparison counts, b_i = (β/2) Σ_j (w_ij − w_ji).
    for i in 0..k {
        let mut lr = 0.0;
        let mut b = 0.0;
        for j in 0..k {
            if j != i {
                let c = f64::from(counts.comparisons(i, j));
                lr += c * (r[i] - r[j]);
                b += 0.5 * beta * (f64::from(counts.wins(i, j)) - f64::from(counts.wins(j, i)));
            }
        }
        assert!((lr - b).abs() < 1e-11, "row {i}: {lr} vs {b}");
    }
    for comp in comparison_components(&counts) {
        let s: f64 = comp.iter().map(|&i| r[i]).sum();
        assert!(s.abs() < 1e-12, "{comp:?}: sum {s}");
    }
    assert_eq!((r[8], r[9]), (0.0, 0.0));
}

// ---------------------------------------------------------------------------------------
// Sampling.

#[test]
fn categorical_draws_follow_the_weights_and_never_a_zero_weight() {
    let w = [0.5, 0.0, 1.5, 3.0, 0.0, 1e-9];
    let c = Categorical::from_weights(&w);
    let total: f64 = w.iter().sum();
    for (p, wi) in c.probabilities().iter().zip(&w) {
        assert!((p - wi / total).abs() < 1e-15, "{p} vs {}", wi / total);
    }
    // Every 32-bit word, sampled on a fine lattice: weights 0 never come out.
    let mut freq = [0u64; 6];
    let step = 997u64;
    let mut x = 0u64;
    while x < 1 << 32 {
        freq[c.draw_word(x as u32)] += 1;
        x += step;
    }
    assert_eq!((freq[1], freq[4]), (0, 0), "{freq:?}");
    let n: u64 = freq.iter().sum();
    for i in [0, 2, 3] {
        let f = freq[i] as f64 / n as f64;
        assert!((f - w[i] / total).abs() < 1e-4, "{i}: {f}");
    }
}

#[test]
fn pair_draws_follow_mu_and_p() {
    let p = Generator::Random { k: 3 }.generate(11).unwrap();
    let mu = [0.5, 0.3, 0.2];
    let sampler = PairSampler::new(&p);
    let mut counts = PairCounts::new(3);
    let n = 400_000;
    sampler.draw(
        &mut realisation_rng(5, 0, 0),
        &Categorical::from_weights(&mu),
        n,
        &mut counts,
    );
    // Kept: 1 − Σ μ_i² of the draws; i beats j in a share 2 μ_i μ_j P_ij of the draws.
    let kept = 1.0 - mu.iter().map(|m| m * m).sum::<f64>();
    let sd = |q: f64| (q * (1.0 - q) / n as f64).sqrt();
    let f = f64::from(counts.kept()) / n as f64;
    assert!((f - kept).abs() < 5.0 * sd(kept), "{f} vs {kept}");
    for i in 0..3 {
        for j in 0..3 {
            if i != j {
                let q = 2.0 * mu[i] * mu[j] * p.get(i, j);
                let f = f64::from(counts.wins(i, j)) / n as f64;
                assert!((f - q).abs() < 5.0 * sd(q), "{i}>{j}: {f} vs {q}");
            }
        }
    }
}

// ---------------------------------------------------------------------------------------
// Runs, determinism, streams.

fn small_run<'a>(
    p: &'a PreferenceMatrix,
    pi0: &'a [f64],
    mu0: &'a [f64],
    spec: FiniteSpec,
) -> FiniteRun<'a> {
    FiniteRun {
        p,
        pi0,
        mu0,
        params: params(0.5, 1.0, 0.5),
        solver: Solver::Ipo,
        rounds: 5,
        burn_in: 0,
        spec,
    }
}

#[test]
fn same_seed_same_bits_and_step_sizes_do_not_matter() {
    let p = Generator::RockPaperScissors { s: 0.3 }.generate(0).unwrap();
    let (pi0, mu0) = (dirichlet_flat(3, 4), uniform(3));
    let spec = FiniteSpec {
        pairs: 50,
        realisations: 5,
        seed: 9,
    };
    let mut run = small_run(&p, &pi0, &mu0, spec);
    run.rounds = 40;
    let a = run.simulate().unwrap();
    let b = run.simulate().unwrap();
    assert_eq!(a, b);
    let bits = |o: &prefdyn::finite::FiniteOutcome| -> Vec<u64> {
        o.realisations
            .iter()
            .flat_map(|r| r.trajectory.policies.iter().map(|v| v.to_bits()))
            .collect()
    };
    assert_eq!(bits(&a), bits(&b));
    // Computed 7 rounds at a time, or one realisation at a time: the same bits.
    let mut s = run.stepper().unwrap();
    let mut calls = 0;
    while !s.is_done() {
        let pr = s.step_rounds(7);
        assert!(pr.fraction() <= 1.0);
        calls += 1;
    }
    assert_eq!(calls, (5 * 40 + 6) / 7);
    let c = s.finish();
    assert_eq!(bits(&a), bits(&c));
    let mut s = run.stepper().unwrap();
    assert_eq!(s.step(2).done_realisations, 2);
    assert_eq!(s.realisations().len(), 2);
    assert_eq!(s.mean_path().unwrap().rounds(), 40);
    assert_eq!(bits(&a), bits(&s.finish()));
    // One realisation alone is the same as inside the run.
    let r3 = run.realisation(3).unwrap();
    assert_eq!(r3, a.realisations[3]);
    // Different realisations draw from different streams.
    for i in 0..5 {
        for j in i + 1..5 {
            assert_ne!(
                a.realisations[i].trajectory.policies,
                a.realisations[j].trajectory.policies
            );
        }
    }
    let word = |seed, m, r| realisation_rng(seed, m, r).next_u64();
    assert_ne!(word(9, 0, 0), word(9, 0, 1));
    assert_ne!(word(9, 0, 1), word(9, 1, 0));
    assert_ne!(word(9, 0, 0), word(10, 0, 0));
    // A different seed changes every realisation.
    run.spec.seed = 10;
    let d = run.simulate().unwrap();
    for (x, y) in a.realisations.iter().zip(&d.realisations) {
        assert_ne!(x.trajectory.policies, y.trajectory.policies);
    }
}

#[test]
fn golden_values_pin_the_random_stream_usage() {
    let p = Generator::RockPaperScissors { s: 0.3 }.generate(0).unwrap();
    let (pi0, mu0) = ([0.5, 0.3, 0.2], uniform(3));
    let spec = FiniteSpec {
        pairs: 20,
        realisations: 2,
        seed: 42,
    };
    let run = small_run(&p, &pi0, &mu0, spec);
    // The first round of realisation 0: its pairs.
    let model = run.model().unwrap();
    let mut state = model.start();
    let mut ws = RoundWorkspace::default();
    model
        .round(&mut state, &mut realisation_rng(42, 0, 0), &mut ws)
        .unwrap();
    let wins: Vec<u32> = (0..3)
        .flat_map(|i| (0..3).map(move |j| (i, j)))
        .map(|(i, j)| ws.counts().wins(i, j))
        .collect();
    assert_eq!(wins, GOLDEN_WINS, "first-round wins");
    let o = run.simulate().unwrap();
    for (r, golden) in o.realisations.iter().zip(GOLDEN_LAST) {
        for (a, b) in r.trajectory.last().iter().zip(golden) {
            assert!((a - b).abs() < 1e-12, "{:.17?}", r.trajectory.last());
        }
    }
}

const GOLDEN_WINS: [u32; 9] = [0, 5, 1, 1, 0, 3, 2, 1, 0];
const GOLDEN_LAST: [[f64; 3]; 2] = [
    [
        0.495_103_981_140_175_2,
        0.241_729_751_759_366_45,
        0.263_166_267_100_458_43,
    ],
    [
        0.454_929_108_419_988_3,
        0.377_072_279_698_003_5,
        0.167_998_611_882_008_13,
    ],
];

#[test]
fn large_n_follows_the_population_run() {
    let p = Generator::RockPaperScissors { s: 0.4 }.generate(0).unwrap();
    let (pi0, mu0) = (dirichlet_flat(3, 1), uniform(3));
    let run = FiniteRun {
        p: &p,
        pi0: &pi0,
        mu0: &mu0,
        params: params(0.9, 2.0, 0.8),
        solver: Solver::Ipo,
        rounds: 20,
        burn_in: 0,
        spec: FiniteSpec {
            pairs: 200_000,
            realisations: 2,
            seed: 3,
        },
    };
    let pop = run.population().unwrap();
    let o = run.simulate().unwrap();
    let mut worst: f64 = 0.0;
    for r in &o.realisations {
        for (a, b) in r.trajectory.policies.iter().zip(&pop.policies) {
            worst = worst.max((a - b).abs());
        }
    }
    assert!(worst < 1e-2, "max deviation {worst}");
    // It does move (the comparison is not between two constant paths).
    assert!((pop.last()[0] - pop.policy(0)[0]).abs() > 0.05);
}

// ---------------------------------------------------------------------------------------
// DPO.

#[test]
fn dpo_fit_closed_form_and_no_finite_optimum() {
    // Two components, each with wins both ways: a finite optimum; for one pair the
    // Bradley–Terry maximiser is z_i − z_j = ln(w_ij / w_ji).
    let pairs = [(0, 1), (0, 1), (0, 1), (1, 0), (2, 3), (3, 2), (3, 2)];
    let counts = PairCounts::from_pairs(5, &pairs).unwrap();
    let mut z = vec![0.0; 5];
    dpo_fit(&counts, &mut z, &mut FitWorkspace::default()).unwrap();
    let (d01, d23) = (3f64.ln(), (0.5f64).ln());
    let expected = [d01 / 2.0, -d01 / 2.0, d23 / 2.0, -d23 / 2.0, 0.0];
    for (a, b) in z.iter().zip(&expected) {
        assert!((a - b).abs() < 1e-12, "{z:?} vs {expected:?}");
    }
    // A warm start does not change the answer.
    let mut z2 = vec![5.0, -3.0, 1.0, 2.0, 7.0];
    dpo_fit(&counts, &mut z2, &mut FitWorkspace::default()).unwrap();
    for (a, b) in z2.iter().zip(&expected) {
        assert!((a - b).abs() < 1e-12, "{z2:?}");
    }
    // 0 beats 1 and 2, 1 beats 2, nobody beats 0: no finite optimum, 0 escapes.
    let counts = PairCounts::from_pairs(4, &[(0, 1), (0, 1), (1, 2), (0, 2), (2, 1)]).unwrap();
    let mut z = vec![0.25; 4];
    let e = dpo_fit(&counts, &mut z, &mut FitWorkspace::default()).unwrap_err();
    assert_eq!(e.component, vec![0, 1, 2]);
    assert_eq!(e.top_component, vec![0]);
    assert_eq!(z, vec![0.25; 4], "z is left unchanged");
    // Two sources (0 and 3 both beat 1 and are never beaten): both are reported.
    let counts = PairCounts::from_pairs(4, &[(0, 1), (3, 1), (1, 2), (2, 1)]).unwrap();
    let e = dpo_fit(&counts, &mut z, &mut FitWorkspace::default()).unwrap_err();
    assert_eq!(e.top_component, vec![0, 3]);
}

#[test]
fn dpo_reports_a_realisation_without_finite_optimum_and_stops_it() {
    let p = Generator::Random { k: 3 }.generate(2).unwrap();
    assert!((0..3).all(|i| (0..3).all(|j| p.get(i, j) > 0.0 && p.get(i, j) < 1.0)));
    let (pi0, mu0) = (uniform(3), uniform(3));
    let run = FiniteRun {
        p: &p,
        pi0: &pi0,
        mu0: &mu0,
        params: params(0.5, 1.0, 0.5),
        solver: Solver::Dpo,
        rounds: 30,
        burn_in: 0,
        spec: FiniteSpec {
            pairs: 2,
            realisations: 4,
            seed: 1,
        },
    };
    let o = run.simulate().unwrap();
    // With two draws a round, the wins cannot be strongly connected on a comparison
    // component: every realisation stops on its first round with a kept pair.
    assert_eq!(o.summary.stopped, 4);
    for r in &o.realisations {
        let e = r.event.as_ref().expect("event");
        assert_eq!(e.realisation, r.index);
        assert!(e.round < 30);
        assert_eq!(r.trajectory.rounds(), e.round);
        assert!(e.component.len() >= 2);
        assert!(!e.top_component.is_empty());
        assert!(e.top_component.iter().all(|i| e.component.contains(i)));
        assert!(all_finite(&r.trajectory.policies));
        assert!(r.metrics.variance.is_finite() && r.metrics.final_entropy.is_finite());
    }
    assert_eq!(o.events().count(), 4);
    // The mean path averages the realisations still running at each t.
    let longest = o
        .realisations
        .iter()
        .map(|r| r.trajectory.rounds())
        .max()
        .unwrap();
    assert_eq!(o.mean_path.rounds(), longest);
    assert_eq!(o.alive[0], 4);
    assert!(o.alive.windows(2).all(|w| w[1] <= w[0]));
    assert!(all_finite(&o.mean_path.policies));
    assert!(o.mean_metrics.variance.is_finite());

    // A response that beats every other with probability 1: the first round stops with
    // that response on top.
    let mut q = Generator::Random { k: 3 }.generate(2).unwrap();
    q.set(0, 1, 1.0).unwrap();
    q.set(0, 2, 1.0).unwrap();
    let run = FiniteRun {
        p: &q,
        spec: FiniteSpec {
            pairs: 200,
            realisations: 2,
            seed: 1,
        },
        ..run
    };
    let o = run.simulate().unwrap();
    for r in &o.realisations {
        let e = r.event.as_ref().expect("event");
        assert_eq!((e.round, e.top_component.clone()), (0, vec![0]));
        assert_eq!(e.component, vec![0, 1, 2]);
    }
}

#[test]
fn dpo_with_many_pairs_runs_without_events_and_follows_the_population() {
    let p = Generator::Random { k: 4 }.generate(8).unwrap();
    assert!((0..4).all(|i| (0..4).all(|j| p.get(i, j) > 0.0 && p.get(i, j) < 1.0)));
    let (pi0, mu0) = (dirichlet_flat(4, 2), uniform(4));
    let run = FiniteRun {
        p: &p,
        pi0: &pi0,
        mu0: &mu0,
        params: params(0.5, 1.0, 0.5),
        solver: Solver::Dpo,
        rounds: 10,
        burn_in: 0,
        spec: FiniteSpec {
            pairs: 20_000,
            realisations: 2,
            seed: 4,
        },
    };
    let o = run.simulate().unwrap();
    assert_eq!(o.summary.stopped, 0);
    let pop = run.population().unwrap();
    for r in &o.realisations {
        assert_eq!(r.trajectory.rounds(), 10);
        for (a, b) in r.trajectory.policies.iter().zip(&pop.policies) {
            assert!((a - b).abs() < 2e-2, "{a} vs {b}");
        }
    }
}

// ---------------------------------------------------------------------------------------
// The paper's observations on finite samples.

/// Rock–paper–scissors s = 0.5, α = 0.95, β = 2, λ = 0.8 (past the 3-cycle threshold
/// `α² + s²β²λ²/3 = 1.116 > 1`), π₀ = (0.34, 0.33, 0.33), μ₀ uniform, T = 300, N = 256,
/// R = 32: every realisation cycles about as much as the population run, with random
/// phases, so their mean path hardly moves.
#[test]
fn averaging_realisations_hides_their_oscillations() {
    let p = Generator::RockPaperScissors { s: 0.5 }.generate(0).unwrap();
    let (pi0, mu0) = ([0.34, 0.33, 0.33], uniform(3));
    let run = FiniteRun {
        p: &p,
        pi0: &pi0,
        mu0: &mu0,
        params: params(0.95, 2.0, 0.8),
        solver: Solver::Ipo,
        rounds: 300,
        burn_in: 0,
        spec: FiniteSpec {
            pairs: 256,
            realisations: 32,
            seed: 1,
        },
    };
    let pop = Metrics::of(&run.population().unwrap(), 0);
    assert_eq!(pop.verdict, Verdict::Oscillating);
    let o = run.simulate().unwrap();
    let s = &o.summary;
    assert!(
        s.mean_path_variance < 0.2 * s.variance.mean,
        "mean path V {} vs mean V {}",
        s.mean_path_variance,
        s.variance.mean
    );
    for r in &o.realisations {
        let ratio = r.metrics.variance / pop.variance;
        assert!(
            (0.5..=2.0).contains(&ratio),
            "realisation {}: {ratio}",
            r.index
        );
    }
    assert!(s.oscillating >= 28, "{} oscillating", s.oscillating);
}

/// A strongly transitive matrix (the paper's rated procedure on synthetic ratings, K = 4,
/// seed 2), α = 0.95, β = 2, λ = 1, π₀ = μ₀ uniform, T = 300: the population run collapses
/// onto the top response, while with N = 8 pairs a round no realisation collapses and
/// their final entropies spread widely.
#[test]
fn finite_samples_spread_the_final_entropy_where_the_population_collapses() {
    let p = Generator::Rated {
        k: 4,
        class: RatedClass::StronglyTransitive,
    }
    .generate(2)
    .unwrap();
    let (pi0, mu0) = (uniform(4), uniform(4));
    let run = FiniteRun {
        p: &p,
        pi0: &pi0,
        mu0: &mu0,
        params: params(0.95, 2.0, 1.0),
        solver: Solver::Ipo,
        rounds: 300,
        burn_in: 0,
        spec: FiniteSpec {
            pairs: 8,
            realisations: 32,
            seed: 1,
        },
    };
    let pop = Metrics::of(&run.population().unwrap(), 0);
    assert_eq!(pop.verdict, Verdict::Collapsed);
    assert!(pop.final_entropy < 0.01, "{}", pop.final_entropy);
    let o = run.simulate().unwrap();
    let h = o.summary.final_entropy;
    assert_eq!(o.summary.collapsed, 0);
    assert!(h.sd > 0.1, "{h:?}");
    assert!(h.max - h.min > 0.5, "{h:?}");
    assert!(h.min > 10.0 * pop.final_entropy, "{h:?}");
}

// ---------------------------------------------------------------------------------------
// Phase cells and validation.

#[test]
fn finite_cell_matches_the_runs_of_its_members() {
    let p0 = Generator::RockPaperScissors { s: 0.4 }.generate(0).unwrap();
    let p1 = Generator::RandomCyclic { k: 5, s: 0.4 }
        .generate(3)
        .unwrap();
    let (pi00, pi01) = (dirichlet_flat(3, 1), dirichlet_flat(5, 2));
    let (mu00, mu01) = (uniform(3), uniform(5));
    let members = [
        FiniteMember {
            p: &p0,
            pi0: &pi00,
            mu0: &mu00,
        },
        FiniteMember {
            p: &p1,
            pi0: &pi01,
            mu0: &mu01,
        },
    ];
    let spec = FiniteSpec {
        pairs: 64,
        realisations: 6,
        seed: 5,
    };
    let prm = params(0.9, 2.0, 0.8);
    let (rounds, burn_in) = (60, 10);
    let mut ws = CellWorkspace::default();
    let values = finite_cell(&members, &prm, Solver::Ipo, rounds, burn_in, &spec, &mut ws).unwrap();
    assert_eq!(values.len(), 2);
    // Member 0 draws from the run's streams.
    let run = FiniteRun {
        p: &p0,
        pi0: &pi00,
        mu0: &mu00,
        params: prm,
        solver: Solver::Ipo,
        rounds,
        burn_in,
        spec,
    };
    let o = run.simulate().unwrap();
    assert!((values[0].variance - o.summary.variance.mean).abs() < 1e-15);
    assert!((values[0].final_entropy - o.summary.final_entropy.mean).abs() < 1e-14);
    assert!((values[0].mean_path_variance - o.summary.mean_path_variance).abs() < 1e-15);
    assert_eq!(values[0].oscillating, o.summary.oscillating as f64 / 6.0);
    assert_eq!(values[0].stopped, 0.0);
    // Member 1 uses streams (seed, 1, r).
    let model = FiniteModel::new(&p1, &pi01, &mu01, prm, Solver::Ipo, 64).unwrap();
    let mut out = Vec::new();
    let mut v = 0.0;
    for r in 0..6 {
        model.run_into(5, 1, r, rounds, &mut RoundWorkspace::default(), &mut out);
        v += prefdyn::dynamics::time_averaged_variance(&out, 5, burn_in);
    }
    assert!((values[1].variance - v / 6.0).abs() < 1e-15);
    // The workspace can be reused: the same values again.
    let again = finite_cell(&members, &prm, Solver::Ipo, rounds, burn_in, &spec, &mut ws).unwrap();
    assert_eq!(values, again);
}

#[test]
fn bad_specs_are_typed_errors() {
    let p = Generator::RockPaperScissors { s: 0.4 }.generate(0).unwrap();
    let (pi0, mu0) = (uniform(3), uniform(3));
    let spec = |pairs, realisations| FiniteSpec {
        pairs,
        realisations,
        seed: 0,
    };
    assert!(matches!(
        spec(0, 4).validate(),
        Err(FiniteError::BadPairs { pairs: 0, .. })
    ));
    assert!(matches!(
        spec(MAX_PAIRS + 1, 4).validate(),
        Err(FiniteError::BadPairs { .. })
    ));
    assert!(matches!(
        spec(10, 0).validate(),
        Err(FiniteError::BadRealisations {
            realisations: 0,
            ..
        })
    ));
    assert!(matches!(
        spec(10, MAX_REALISATIONS + 1).validate(),
        Err(FiniteError::BadRealisations { .. })
    ));
    assert!(spec(1, MAX_REALISATIONS).validate().is_ok());
    let mut run = small_run(&p, &pi0, &mu0, spec(10, 2));
    run.rounds = prefdyn::dynamics::MAX_T + 1;
    assert!(matches!(
        run.simulate(),
        Err(FiniteError::TooManyRounds { .. })
    ));
    let big = Generator::Random { k: 64 }.generate(0).unwrap();
    let u64_ = uniform(64);
    let mut run = small_run(&big, &u64_, &u64_, spec(10, 256));
    run.rounds = 2000;
    assert!(matches!(run.stepper(), Err(FiniteError::TooLarge { .. })));
    let bad_pi0 = [0.5, 0.5, 0.0];
    let run = small_run(&p, &bad_pi0, &mu0, spec(10, 2));
    assert!(matches!(
        run.simulate(),
        Err(FiniteError::BadDistribution { name: "pi0", .. })
    ));
    let mut run = small_run(&p, &pi0, &mu0, spec(10, 2));
    run.params.beta = 0.0;
    assert!(matches!(run.simulate(), Err(FiniteError::Dynamics(_))));
    let mut ws = CellWorkspace::default();
    assert!(matches!(
        finite_cell(
            &[],
            &params(0.5, 1.0, 0.5),
            Solver::Ipo,
            10,
            0,
            &spec(10, 2),
            &mut ws
        ),
        Err(FiniteError::NoMembers)
    ));
    let short = [0.5, 0.5];
    let members = [FiniteMember {
        p: &p,
        pi0: &short,
        mu0: &mu0,
    }];
    assert!(matches!(
        finite_cell(
            &members,
            &params(0.5, 1.0, 0.5),
            Solver::Ipo,
            10,
            0,
            &spec(10, 2),
            &mut ws
        ),
        Err(FiniteError::BadMember { member: 0, .. })
    ));
}

#[test]
fn population_run_is_the_same_as_mrs_run() {
    let p = Generator::RockPaperScissors { s: 0.4 }.generate(0).unwrap();
    let (pi0, mu0) = (dirichlet_flat(3, 1), uniform(3));
    let run = small_run(
        &p,
        &pi0,
        &mu0,
        FiniteSpec {
            pairs: 1,
            realisations: 1,
            seed: 0,
        },
    );
    let a = run.population().unwrap();
    let b = MrsRun {
        p: &p,
        pi0: &pi0,
        mu0: &mu0,
        params: run.params,
        solver: Solver::Ipo,
        rounds: run.rounds,
    }
    .simulate()
    .unwrap();
    assert_eq!(a, b);
}
