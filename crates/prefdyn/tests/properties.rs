//! Property tests of the engine on random inputs (proptest).
//!
//! The runs are deterministic: each property uses a fixed RNG seed unless
//! `PROPTEST_RNG_SEED` is set (e.g. `PROPTEST_RNG_SEED=7 cargo test -p prefdyn --test
//! properties` explores other inputs). Failing inputs are printed, not persisted.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::select;
use proptest::test_runner::{RngSeed, TestCaseError};

use prefdyn::config::{
    field, parse_query, to_query, Config, DynamicsSettings, Keyed, Kind, MatrixSource,
    OneShotSettings, Parsed, PhaseConfig, PlaybackSettings, PolicySpec, Sampling, Slot, Theme,
    View, ViewSettings, DECIMALS, FIELDS, MAX_TOUR_STEP,
};
use prefdyn::dpo::{dpo_gradient, dpo_has_finite_optimum, dpo_solve, DpoOutcome};
use prefdyn::dynamics::DynamicsError;
use prefdyn::generators::{dirichlet_flat, logistic};
use prefdyn::ipo::{ipo_log_policy, ipo_loss_gradient, ipo_policy};
use prefdyn::phase::{Axis, AxisRange, Ensemble, PhaseMetric};
use prefdyn::presets::preset_keys;
use prefdyn::report::Results;
use prefdyn::sampling::{one_shot, SamplingStrategy};
use prefdyn::simplex::log_softmax_in_place;
use prefdyn::social_choice::{
    borda, condorcet_winner, is_sst, lottery_guarantee, maximal_lottery, smith_set,
};
use prefdyn::{Family, Generator, Metrics, MrsParams, MrsRun, PreferenceMatrix, Solver, Verdict};

// ---------------------------------------------------------------------------------------
// Configuration and helpers
// ---------------------------------------------------------------------------------------

/// `cases` random cases, fixed seed (unless `PROPTEST_RNG_SEED` is set), no regression
/// files written into the source tree.
fn cfg(cases: u32) -> ProptestConfig {
    let d = ProptestConfig::default();
    let rng_seed = if std::env::var_os("PROPTEST_RNG_SEED").is_some() {
        d.rng_seed
    } else {
        RngSeed::Fixed(0x0070_7265_6664_796e)
    };
    ProptestConfig {
        cases,
        failure_persistence: None,
        rng_seed,
        ..d
    }
}

fn fail(msg: impl Into<String>) -> TestCaseError {
    TestCaseError::fail(msg.into())
}

fn max_abs_diff(a: &[f64], b: &[f64]) -> f64 {
    assert_eq!(a.len(), b.len());
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f64::max)
}

/// A distribution: finite, non-negative entries summing to 1 within `tol`.
fn check_distribution(what: &str, v: &[f64], tol: f64) -> Result<(), TestCaseError> {
    prop_assert!(
        v.iter().all(|x| x.is_finite() && *x >= 0.0),
        "{what}: entries not finite and non-negative: {v:?}"
    );
    let s: f64 = v.iter().sum();
    prop_assert!(
        (s - 1.0).abs() <= tol,
        "{what}: sums to {s} (|Δ| = {:e})",
        (s - 1.0).abs()
    );
    Ok(())
}

fn normalise(v: &[f64]) -> Vec<f64> {
    let s: f64 = v.iter().sum();
    v.iter().map(|x| x / s).collect()
}

/// The strictly positive distribution proportional to `v` (entries of `v` > 0).
fn positive_dist(k: usize, lo: f64) -> impl Strategy<Value = Vec<f64>> {
    vec(lo..1.0f64, k).prop_map(|v| normalise(&v))
}

/// A random P: upper triangle uniform in `[lo, hi]`.
fn matrix_in(k: usize, lo: f64, hi: f64) -> impl Strategy<Value = PreferenceMatrix> {
    vec(lo..=hi, k * (k - 1) / 2)
        .prop_map(move |u| PreferenceMatrix::from_upper(k, &u).expect("valid upper triangle"))
}

/// A P with ties and deterministic entries: upper triangle from {0, ¼, ½, ¾, 1}.
fn matrix_quantised(k: usize) -> impl Strategy<Value = PreferenceMatrix> {
    vec(select(vec![0.0, 0.25, 0.5, 0.75, 1.0]), k * (k - 1) / 2)
        .prop_map(move |u| PreferenceMatrix::from_upper(k, &u).expect("valid upper triangle"))
}

/// Any P of size `k`: continuous, with 0/1 entries, or with ties.
fn any_matrix(k: usize) -> BoxedStrategy<PreferenceMatrix> {
    prop_oneof![
        3 => matrix_in(k, 0.0, 1.0),
        1 => matrix_quantised(k),
    ]
    .boxed()
}

/// A generator of any family with random valid parameters (via `Family::generator`).
fn generator() -> impl Strategy<Value = Generator> {
    (
        select(Family::ALL.to_vec()),
        2usize..=16,
        0.0f64..1.0,
        prop_oneof![Just(1.0), 1e-3f64..10.0, Just(50.0)],
    )
        .prop_map(|(family, k, u, sigma)| {
            let k = if family == Family::Circulant && k % 2 == 0 {
                k + 1
            } else if family.is_synthetic_ratings() {
                k.clamp(3, prefdyn::generators::MAX_RATED_K)
            } else {
                k
            };
            let param = if family.uses_sigma() {
                sigma
            } else {
                // s ∈ (0, 1/2].
                0.5 * (1.0 - u)
            };
            family.generator(k, param)
        })
}

// ---------------------------------------------------------------------------------------
// Generators
// ---------------------------------------------------------------------------------------

proptest! {
    #![proptest_config(cfg(300))]

    #[test]
    fn generators_give_valid_deterministic_matrices(g in generator(), seed in any::<u64>()) {
        let m = g.generate(seed).map_err(|e| fail(format!("{g:?}: {e}")))?;
        let k = m.k();
        prop_assert_eq!(k, g.k());
        for i in 0..k {
            prop_assert_eq!(m.get(i, i), 0.5, "diagonal");
            for j in 0..k {
                let v = m.get(i, j);
                prop_assert!(v.is_finite() && (0.0..=1.0).contains(&v), "P[{}][{}] = {}", i, j, v);
                let s = v + m.get(j, i);
                prop_assert!((s - 1.0).abs() <= 1e-15, "P[{}][{}] + P[{}][{}] = {:e}", i, j, j, i, s);
            }
        }
        // Same seed, same matrix, bit for bit.
        let again = g.generate(seed).map_err(|e| fail(e.to_string()))?;
        let bits = |m: &PreferenceMatrix| m.as_slice().iter().map(|v| v.to_bits()).collect::<Vec<_>>();
        prop_assert_eq!(bits(&m), bits(&again));
        if let Generator::Rated { class, .. } = g {
            prop_assert!(class.contains(&m), "{:?} output is not in its class: {:?}", g, m.to_rows());
        }
        if let Generator::RandomSst { .. } = g {
            prop_assert!(is_sst(&m), "RandomSst output is not SST: {:?}", m.to_rows());
        }
        // Deterministic families ignore the seed.
        if !g.family().is_random() {
            let other = g.generate(seed.wrapping_add(1)).map_err(|e| fail(e.to_string()))?;
            prop_assert_eq!(bits(&m), bits(&other));
        }
    }

    /// MODEL.md: for a Bradley–Terry P, DPO's `z* = u − mean(u)` for any μ.
    #[test]
    fn dpo_recovers_bradley_terry_utilities(
        (u, mu) in (2usize..=8).prop_flat_map(|k| (vec(-3.0f64..3.0, k), positive_dist(k, 0.05)))
    ) {
        let k = u.len();
        let rows: Vec<Vec<f64>> = (0..k)
            .map(|i| (0..k).map(|j| logistic(u[i] - u[j])).collect())
            .collect();
        let p = PreferenceMatrix::from_rows(&rows).map_err(|e| fail(e.to_string()))?;
        let mean = u.iter().sum::<f64>() / k as f64;
        let expected: Vec<f64> = u.iter().map(|v| v - mean).collect();
        match dpo_solve(&p, &mu, None) {
            DpoOutcome::Finite { z, .. } => {
                let err = max_abs_diff(&z, &expected);
                prop_assert!(err <= 1e-6, "z* = {:?}, u − mean(u) = {:?} (error {:e})", z, expected, err);
            }
            other => return Err(fail(format!("expected a finite optimum, got {other:?}"))),
        }
    }
}

// ---------------------------------------------------------------------------------------
// Normalisation
// ---------------------------------------------------------------------------------------

fn strategy_for(k: usize) -> impl Strategy<Value = SamplingStrategy> {
    prop_oneof![
        Just(SamplingStrategy::Uniform),
        Just(SamplingStrategy::Reference),
        Just(SamplingStrategy::OnPolicy),
        prop_oneof![Just(0.0), Just(1.0), 0.0f64..=1.0]
            .prop_map(|epsilon| SamplingStrategy::MaximalLotteryMix { epsilon }),
        positive_dist(k, 1e-3).prop_map(|mu| SamplingStrategy::Custom { mu }),
    ]
}

proptest! {
    #![proptest_config(cfg(200))]

    #[test]
    fn ipo_policy_is_a_distribution(
        (p, mu, pi_ref) in (2usize..=12).prop_flat_map(|k| (any_matrix(k), positive_dist(k, 1e-3), positive_dist(k, 1e-3))),
        beta in prop_oneof![Just(1e-3), 1e-3f64..=100.0, Just(100.0)],
    ) {
        check_distribution("ipo_policy", &ipo_policy(&p, &mu, &pi_ref, beta), 1e-12)?;
    }

    #[test]
    fn one_shot_policies_are_distributions(
        (p, pi_ref, strategy) in (2usize..=8).prop_flat_map(|k| (any_matrix(k), positive_dist(k, 1e-3), strategy_for(k))),
        beta in prop_oneof![Just(1e-3), 1e-3f64..=100.0, Just(100.0)],
        solver in select(vec![Solver::Ipo, Solver::Dpo]),
    ) {
        let r = one_shot(&p, &pi_ref, beta, &strategy, solver)
            .map_err(|e| fail(format!("{strategy:?}: {e}")))?;
        check_distribution(&format!("{solver:?} {strategy:?} policy"), &r.policy, 1e-12)?;
        check_distribution(&format!("{strategy:?} μ"), &r.mu, 1e-9)?;
        prop_assert_eq!(r.dpo.is_some(), solver == Solver::Dpo);
    }

    #[test]
    fn trajectories_are_distributions(
        (p, pi0, mu0) in (2usize..=8).prop_flat_map(|k| (any_matrix(k), positive_dist(k, 1e-3), positive_dist(k, 1e-3))),
        alpha in 0.0f64..=1.0,
        beta in 1e-3f64..=20.0,
        lam in 0.0f64..=1.0,
        eta in 1e-3f64..=1.0,
        solver in select(vec![Solver::Ipo, Solver::Dpo]),
        rounds in 1usize..=60,
    ) {
        let run = MrsRun {
            p: &p, pi0: &pi0, mu0: &mu0,
            params: MrsParams { alpha, beta, lam, eta },
            solver,
            rounds,
        };
        match run.simulate() {
            Ok(traj) => {
                prop_assert_eq!(traj.rounds(), rounds);
                for t in 0..=rounds {
                    check_distribution(&format!("{solver:?} π_{t}"), traj.policy(t), 1e-12)?;
                }
                let m = Metrics::of(&traj, 0);
                prop_assert!(m.final_entropy.is_finite() && m.variance.is_finite() && m.late_amplitude.is_finite());
            }
            Err(DynamicsError::DpoNoFiniteOptimum { .. }) => {
                prop_assert!(solver == Solver::Dpo && !dpo_has_finite_optimum(&p),
                    "MRS-DPO refused a P whose DPO optimum is finite");
            }
            Err(e) => return Err(fail(e.to_string())),
        }
    }
}

// ---------------------------------------------------------------------------------------
// Optimality of IPO and DPO
// ---------------------------------------------------------------------------------------

proptest! {
    #![proptest_config(cfg(300))]

    #[test]
    fn ipo_closed_form_has_zero_gradient(
        (p, mu, pi_ref) in (2usize..=12).prop_flat_map(|k| (any_matrix(k), positive_dist(k, 1e-3), positive_dist(k, 1e-3))),
        beta in 1e-3f64..=100.0,
    ) {
        let pi = ipo_policy(&p, &mu, &pi_ref, beta);
        let g = ipo_loss_gradient(&p, &mu, &pi, &pi_ref, beta);
        let gmax = g.iter().fold(0.0_f64, |m, v| m.max(v.abs()));
        prop_assert!(gmax <= 1e-10, "IPO population-loss gradient {:e} at the closed form", gmax);
    }

    #[test]
    fn dpo_gradient_vanishes_at_its_optimum(
        (p, mu) in (2usize..=8).prop_flat_map(|k| (matrix_in(k, 0.01, 0.99), positive_dist(k, 0.02))),
    ) {
        prop_assert!(dpo_has_finite_optimum(&p));
        match dpo_solve(&p, &mu, None) {
            DpoOutcome::Finite { z, .. } => {
                let g = dpo_gradient(&p, &mu, &z);
                let gmax = g.iter().fold(0.0_f64, |m, v| m.max(v.abs()));
                prop_assert!(gmax <= 1e-9, "DPO gradient {:e} at z* = {:?}", gmax, z);
                let s: f64 = z.iter().sum();
                prop_assert!(s.abs() <= 1e-10, "Σ z* = {:e}", s);
                prop_assert!(z.iter().all(|v| v.is_finite()));
            }
            other => return Err(fail(format!("expected a finite optimum, got {other:?}"))),
        }
    }

    /// With some sampling weights tiny (as on-policy μ at large β, or MRS-DPO near a
    /// vertex), the optimum of every response is still determined: `∂f/∂z_a = μ_a r_a`,
    /// and `r_a` does not depend on `μ_a`. The solver must make `r` vanish for every
    /// response, not only for the heavily sampled ones.
    #[test]
    fn dpo_optimum_holds_for_rarely_sampled_responses(
        (p, weights, exps) in (3usize..=8).prop_flat_map(|k| (
            matrix_in(k, 0.01, 0.99),
            vec(0.1f64..1.0, k),
            vec(prop_oneof![2 => Just(0i32), 1 => 1i32..=25], k),
        )),
    ) {
        let k = p.k();
        // μ_a ∝ w_a · 10^(−e_a); at least one response keeps a weight of order 1.
        let mut raw: Vec<f64> = weights.iter().zip(&exps).map(|(w, e)| w * 10f64.powi(-e)).collect();
        raw[0] = weights[0];
        let mu = normalise(&raw);
        match dpo_solve(&p, &mu, None) {
            DpoOutcome::Finite { z, .. } => {
                prop_assert!(z.iter().all(|v| v.is_finite() && v.abs() < 1e3), "z* = {:?}", z);
                let g = dpo_gradient(&p, &mu, &z);
                let r: Vec<f64> = g.iter().zip(&mu).map(|(g, m)| g / m).collect();
                let rmax = r.iter().fold(0.0_f64, |m, v| m.max(v.abs()));
                prop_assert!(rmax <= 1e-8, "μ = {:?}: ∂f/∂z_a / μ_a up to {:e} at z* = {:?}", mu, rmax, z);
                let pi = DpoOutcome::Finite { z, iterations: 0 }.policy(&vec![-(k as f64).ln(); k], 1.0);
                check_distribution("DPO policy", &pi, 1e-12)?;
            }
            other => return Err(fail(format!("expected a finite optimum, got {other:?}"))),
        }
    }

    /// A response beating every other with probability 1: DPO has no finite optimum and
    /// escapes to it; IPO still gives a finite, interior policy.
    #[test]
    fn deterministic_dominance_breaks_dpo_not_ipo(
        (p, mu, pi_ref, w) in (2usize..=8).prop_flat_map(|k| (matrix_in(k, 0.01, 0.99), positive_dist(k, 0.02), positive_dist(k, 0.02), 0..k)),
        beta in 0.05f64..=20.0,
    ) {
        let mut p = p;
        for j in 0..p.k() {
            if j != w {
                p.set(w, j, 1.0).map_err(|e| fail(e.to_string()))?;
            }
        }
        prop_assert!(!dpo_has_finite_optimum(&p));
        let log_ref: Vec<f64> = pi_ref.iter().map(|v| v.ln()).collect();
        match dpo_solve(&p, &mu, None) {
            DpoOutcome::NoFiniteOptimum { top_component, limit_z } => {
                prop_assert_eq!(&top_component, &vec![w]);
                prop_assert_eq!(limit_z.len(), p.k());
                let limit = DpoOutcome::NoFiniteOptimum { top_component, limit_z }.policy(&log_ref, beta);
                check_distribution("DPO limit policy", &limit, 1e-12)?;
                prop_assert!((limit[w] - 1.0).abs() <= 1e-12, "limit policy {:?} is not the vertex {}", limit, w);
            }
            other => return Err(fail(format!("expected no finite optimum, got {other:?}"))),
        }
        let pi = ipo_policy(&p, &mu, &pi_ref, beta);
        check_distribution("IPO policy", &pi, 1e-12)?;
        prop_assert!(pi.iter().all(|v| *v > 0.0), "IPO policy not interior: {:?}", pi);
        // The one-shot report explains instead of producing NaN.
        let r = one_shot(&p, &pi_ref, beta, &SamplingStrategy::Uniform, Solver::Dpo)
            .map_err(|e| fail(e.to_string()))?;
        check_distribution("one-shot DPO limit policy", &r.policy, 1e-12)?;
        let is_no_finite = matches!(r.dpo, Some(DpoOutcome::NoFiniteOptimum { .. }));
        prop_assert!(is_no_finite, "one-shot DPO outcome {:?}", r.dpo);
    }
}

// ---------------------------------------------------------------------------------------
// Fixed points
// ---------------------------------------------------------------------------------------

/// One application of the MRS-IPO map (MODEL.md) to `pi` with anchor `pi0`, written out
/// from the definition with the one-shot IPO step of the engine.
fn mrs_ipo_step(
    p: &PreferenceMatrix,
    pi0: &[f64],
    mu0: &[f64],
    prm: &MrsParams,
    pi: &[f64],
) -> Vec<f64> {
    let k = p.k();
    let mu: Vec<f64> = (0..k)
        .map(|i| (1.0 - prm.lam) * mu0[i] + prm.lam * pi[i])
        .collect();
    let log_ref: Vec<f64> = (0..k)
        .map(|i| (1.0 - prm.alpha) * pi0[i].ln() + prm.alpha * pi[i].ln())
        .collect();
    let tilde = ipo_log_policy(p, &mu, &log_ref, prm.beta);
    let mut x: Vec<f64> = (0..k)
        .map(|i| (1.0 - prm.eta) * pi[i].ln() + prm.eta * tilde[i])
        .collect();
    log_softmax_in_place(&mut x);
    x.iter().map(|v| v.exp()).collect()
}

proptest! {
    #![proptest_config(cfg(200))]

    #[test]
    fn the_fixed_point_is_fixed(
        (p, pi0, mu0) in (2usize..=8).prop_flat_map(|k| (any_matrix(k), positive_dist(k, 0.01), positive_dist(k, 0.01))),
        lam in prop_oneof![4 => 0.0f64..=1.0, 1 => select(vec![0.0, 1e-15, 1e-12, 1e-9, 1e-6, 1.0])],
        beta in 0.05f64..=10.0,
        alpha in 0.0f64..=0.95,
        eta in 0.05f64..=1.0,
    ) {
        let params = MrsParams { alpha, beta, lam, eta };
        prop_assert!(params.a() < 1.0);
        let run = MrsRun { p: &p, pi0: &pi0, mu0: &mu0, params, solver: Solver::Ipo, rounds: 1 };
        let st = run.stability().map_err(|e| fail(e.to_string()))?;
        let pi_star = st.fixed_point.ok_or_else(|| fail("no fixed point for a < 1"))?;
        check_distribution("π*", &pi_star, 1e-12)?;
        let rho = st.rho.ok_or_else(|| fail("no ρ for a < 1"))?;
        prop_assert!(rho.is_finite() && rho >= 0.0, "ρ = {}", rho);
        let next = mrs_ipo_step(&p, &pi0, &mu0, &params, &pi_star);
        let err = max_abs_diff(&next, &pi_star);
        prop_assert!(err <= 1e-9, "one MRS-IPO step moves π* = {:?} by {:e}", pi_star, err);
        // ρ ≥ a: the constant direction is removed, but J's spectrum on 1⊥ contains a
        // when λ = 0 (J = aI).
        if lam == 0.0 {
            prop_assert!((rho - params.a()).abs() <= 1e-9, "λ = 0: ρ = {} ≠ a = {}", rho, params.a());
        }
    }

    #[test]
    fn on_policy_sampling_is_self_consistent(
        (p, pi_ref) in (2usize..=10).prop_flat_map(|k| (any_matrix(k), positive_dist(k, 0.01))),
        beta in 1e-3f64..=20.0,
    ) {
        let r = one_shot(&p, &pi_ref, beta, &SamplingStrategy::OnPolicy, Solver::Ipo)
            .map_err(|e| fail(e.to_string()))?;
        let err = max_abs_diff(&r.mu, &r.policy);
        prop_assert!(err <= 1e-9, "on-policy μ = {:?} but IPO(μ) = {:?} ({:e})", r.mu, r.policy, err);
        let again = ipo_policy(&p, &r.mu, &pi_ref, beta);
        prop_assert!(max_abs_diff(&again, &r.mu) <= 1e-9);
    }
}

/// Regression: the Schur iteration behind ρ used to cycle forever when κλ was tiny
/// (J ≈ aI), e.g. `lam=0.000001` in a link, hanging the page.
#[test]
fn rho_is_computed_quickly_for_tiny_lambda() {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut out = vec![];
        for k in [3usize, 5, 8, 16, 64] {
            let p = Generator::RandomCyclic { k, s: 0.3 }
                .generate(1)
                .expect("valid");
            let pi0 = dirichlet_flat(k, 3);
            let mu0 = vec![1.0 / k as f64; k];
            for lam in [0.0, 1e-15, 1e-12, 1e-9, 1e-6, 1e-3] {
                let params = MrsParams {
                    alpha: 0.5,
                    beta: 2.0,
                    lam,
                    eta: 1.0,
                };
                let run = MrsRun {
                    p: &p,
                    pi0: &pi0,
                    mu0: &mu0,
                    params,
                    solver: Solver::Ipo,
                    rounds: 1,
                };
                let rho = run.stability().ok().and_then(|s| s.rho);
                out.push((k, lam, rho));
            }
        }
        let _ = tx.send(out);
    });
    let out = rx
        .recv_timeout(std::time::Duration::from_secs(30))
        .expect("ρ for tiny λ did not finish within 30 s (Schur iteration cycling?)");
    for (k, lam, rho) in out {
        let rho = rho.unwrap_or_else(|| panic!("K = {k}, λ = {lam}: no ρ"));
        // J = aI + κλ S D with a = 0.5, κ = 2, ‖S D‖ ≤ K/2: ρ → a as λ → 0.
        let bound = 2.0 * lam * k as f64 / 2.0 + 1e-12;
        assert!(
            rho.is_finite() && (rho - 0.5).abs() <= bound,
            "K = {k}, λ = {lam}: ρ = {rho}"
        );
    }
}

// ---------------------------------------------------------------------------------------
// Stability theory against simulation
// ---------------------------------------------------------------------------------------

/// What a random cyclic instance showed.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Regime {
    /// ρ < 0.95 and the run converged.
    Stable,
    /// ρ > 1.05 and the run oscillates persistently, with the verdict "oscillating".
    Unstable,
    /// |ρ − 1| ≤ 0.05: nothing asserted.
    Band,
}

#[derive(Debug)]
struct CyclicCase {
    k: usize,
    s: f64,
    seed: u64,
    pi_seed: u64,
    params: MrsParams,
}

const STABILITY_T: usize = 3000;

/// Theory (ρ) against a T = 3000 simulation: ρ < 0.95 must converge; ρ > 1.05 must keep a
/// late swing above 1e-4 with the verdict "oscillating".
fn check_cyclic(c: &CyclicCase) -> Result<Regime, String> {
    let p = Generator::RandomCyclic { k: c.k, s: c.s }
        .generate(c.seed)
        .map_err(|e| e.to_string())?;
    let pi0 = dirichlet_flat(c.k, c.pi_seed);
    let mu0 = vec![1.0 / c.k as f64; c.k];
    let run = MrsRun {
        p: &p,
        pi0: &pi0,
        mu0: &mu0,
        params: c.params,
        solver: Solver::Ipo,
        rounds: STABILITY_T,
    };
    let rho = run
        .stability()
        .map_err(|e| e.to_string())?
        .rho
        .ok_or("no ρ although a < 1")?;
    let traj = run.simulate().map_err(|e| e.to_string())?;
    let m = Metrics::of(&traj, 0);
    let describe = || {
        format!(
            "K = {}, s = {}, P seed {}, π₀ seed {}, {:?} (a = {}, κ = {}): ρ = {rho}, verdict {:?}, \
             late amplitude {:e}, last step {:e}, π_T = {:?}",
            c.k,
            c.s,
            c.seed,
            c.pi_seed,
            c.params,
            c.params.a(),
            c.params.kappa(),
            m.verdict,
            m.late_amplitude,
            m.last_step,
            traj.last()
        )
    };
    if rho < 0.95 {
        if m.verdict != Verdict::Converged {
            return Err(format!("ρ < 0.95 but not converged: {}", describe()));
        }
        Ok(Regime::Stable)
    } else if rho > 1.05 {
        if m.late_amplitude.is_nan() || m.late_amplitude <= 1e-4 {
            return Err(format!(
                "ρ > 1.05 but the oscillation died out: {}",
                describe()
            ));
        }
        match m.verdict {
            Verdict::Oscillating => Ok(Regime::Unstable),
            _ => Err(format!(
                "ρ > 1.05 but the verdict is not oscillating: {}",
                describe()
            )),
        }
    } else {
        Ok(Regime::Band)
    }
}

fn cyclic_case() -> impl Strategy<Value = CyclicCase> {
    (
        select(vec![3usize, 5, 7]),
        0.05f64..=0.5,
        any::<u64>(),
        any::<u64>(),
        (0.0f64..=0.95, BETA_LN_RANGE, 0.0f64..=1.0, 0.05f64..=1.0),
    )
        .prop_map(
            |(k, s, seed, pi_seed, (alpha, log_beta, lam, eta))| CyclicCase {
                k,
                s,
                seed,
                pi_seed,
                params: MrsParams {
                    alpha,
                    beta: log_beta.exp(),
                    lam,
                    eta,
                },
            },
        )
}

/// β is drawn log-uniformly from [0.1, 100].
const BETA_LN_RANGE: std::ops::RangeInclusive<f64> =
    -std::f64::consts::LN_10..=2.0 * std::f64::consts::LN_10;

proptest! {
    #![proptest_config(cfg(150))]

    #[test]
    fn stability_theory_predicts_the_simulation(c in cyclic_case()) {
        check_cyclic(&c).map_err(fail)?;
    }
}

/// A run with ρ < 1, long enough that the theory's shrink of its steps over a quarter of
/// the rounds (about ρ^(T/4)) is at most 0.3, with T otherwise random (the transient from
/// π₀ may still be visible): its verdict is converged, converging or collapsed, never
/// "not settled" or "oscillating" (MODEL.md: the verdict never contradicts the chart).
fn check_settling(c: &CyclicCase, extra: usize) -> Result<bool, String> {
    let p = Generator::RandomCyclic { k: c.k, s: c.s }
        .generate(c.seed)
        .map_err(|e| e.to_string())?;
    let pi0 = dirichlet_flat(c.k, c.pi_seed);
    let mu0 = vec![1.0 / c.k as f64; c.k];
    let mut run = MrsRun {
        p: &p,
        pi0: &pi0,
        mu0: &mu0,
        params: c.params,
        solver: Solver::Ipo,
        rounds: 1,
    };
    let rho = run.stability().map_err(|e| e.to_string())?.rho;
    let Some(rho) = rho.filter(|r| *r < 0.99) else {
        return Ok(false);
    };
    let quarter = (0.3f64.ln() / rho.max(1e-300).ln()).ceil().max(2.0) as usize;
    run.rounds = (4 * quarter + extra).clamp(12, 20_000);
    let m = Metrics::of(&run.simulate().map_err(|e| e.to_string())?, 0);
    if !m.verdict.settles() {
        return Err(format!(
            "{c:?}, T = {}: ρ = {rho} but the verdict is {:?} (last step {:e}, steps ratio {:?})",
            run.rounds, m.verdict, m.last_step, m.step_ratio
        ));
    }
    Ok(true)
}

proptest! {
    #![proptest_config(cfg(200))]

    #[test]
    fn a_run_with_rho_below_one_is_never_not_settled(c in cyclic_case(), extra in 0usize..200) {
        check_settling(&c, extra).map_err(fail)?;
    }
}

/// The same on a fixed sample, which must hold enough runs with ρ < 1 to mean something.
#[test]
fn settling_sample_has_runs_with_rho_below_one() {
    use rand::{Rng, SeedableRng};
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
    let (mut checked, mut failures) = (0, vec![]);
    for _ in 0..300 {
        let c = CyclicCase {
            k: [3, 5, 7][rng.gen_range(0..3)],
            s: rng.gen_range(0.05..=0.5),
            seed: rng.gen(),
            pi_seed: rng.gen(),
            params: MrsParams {
                alpha: rng.gen_range(0.0..=0.95),
                beta: rng.gen_range(BETA_LN_RANGE).exp(),
                lam: rng.gen_range(0.0..=1.0),
                eta: rng.gen_range(0.05..=1.0),
            },
        };
        match check_settling(&c, rng.gen_range(0..200)) {
            Ok(true) => checked += 1,
            Ok(false) => {}
            Err(e) => failures.push(e),
        }
    }
    println!("{checked} runs with ρ < 0.99 checked");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(checked >= 80, "only {checked} runs with ρ < 0.99");
}

fn stability_sample(n: usize) -> ([usize; 3], Vec<String>) {
    use rand::{Rng, SeedableRng};
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(2026);
    let mut counts = [0usize; 3];
    let mut failures = vec![];
    for _ in 0..n {
        let c = CyclicCase {
            k: [3, 5, 7][rng.gen_range(0..3)],
            s: rng.gen_range(0.05..=0.5),
            seed: rng.gen(),
            pi_seed: rng.gen(),
            params: MrsParams {
                alpha: rng.gen_range(0.0..=0.95),
                beta: rng.gen_range(BETA_LN_RANGE).exp(),
                lam: rng.gen_range(0.0..=1.0),
                eta: rng.gen_range(0.05..=1.0),
            },
        };
        match check_cyclic(&c) {
            Ok(Regime::Stable) => counts[0] += 1,
            Ok(Regime::Unstable) => counts[1] += 1,
            Ok(Regime::Band) => counts[2] += 1,
            Err(e) => failures.push(e),
        }
    }
    (counts, failures)
}

/// The same check on a fixed sample that must visit both sides of ρ = 1 often enough for
/// the property above to mean something.
#[test]
fn stability_sample_covers_both_regimes() {
    let n = 600;
    let ([stable, unstable, band], failures) = stability_sample(n);
    println!(
        "stable {stable}, oscillating {unstable}, band {band}, failures {}",
        failures.len()
    );
    assert!(
        failures.is_empty(),
        "{} of {n} instances disagree with ρ:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(
        stable >= 60 && unstable >= 60,
        "stable {stable}, oscillating {unstable}: sample too one-sided"
    );
}

// ---------------------------------------------------------------------------------------
// Social choice
// ---------------------------------------------------------------------------------------

proptest! {
    #![proptest_config(cfg(300))]

    #[test]
    fn social_choice_identities(p in (2usize..=10).prop_flat_map(any_matrix)) {
        let k = p.k();
        let smith = smith_set(&p);
        prop_assert!(!smith.is_empty());
        if let Some(cw) = condorcet_winner(&p) {
            prop_assert_eq!(&smith, &vec![cw], "the Condorcet winner is the whole Smith set");
        }
        let ml = maximal_lottery(&p).map_err(|e| fail(e.to_string()))?;
        check_distribution("maximal lottery", &ml, 1e-9)?;
        let g = lottery_guarantee(&p, &ml);
        prop_assert!(g >= -1e-9, "maximal lottery guarantees {:e} < 0: {:?}", g, ml);
        for (i, q) in ml.iter().enumerate() {
            if *q > 1e-9 {
                prop_assert!(smith.contains(&i), "ML puts {:e} on {} outside the Smith set {:?}", q, i, smith);
            }
        }
        let b: f64 = borda(&p).iter().sum();
        prop_assert!((b - k as f64 / 2.0).abs() <= 1e-12, "Σ Borda = {} ≠ K/2", b);
    }
}

// ---------------------------------------------------------------------------------------
// URL codec: canonical round trip
// ---------------------------------------------------------------------------------------

/// Every key the query format knows (the table's).
fn keys() -> Vec<&'static str> {
    FIELDS.iter().map(|f| f.key).collect()
}

/// A value in `[lo, hi]`, often exactly a bound or the default.
fn value_in<T>(lo: T, hi: T, default: T) -> BoxedStrategy<T>
where
    T: Clone + std::fmt::Debug + 'static,
    std::ops::RangeInclusive<T>: Strategy<Value = T>,
{
    prop_oneof![
        4 => lo.clone()..=hi.clone(),
        1 => Just(lo),
        1 => Just(hi),
        1 => Just(default),
    ]
    .boxed()
}

fn float_in(lo: f64, hi: f64, default: f64) -> BoxedStrategy<f64> {
    value_in(lo, hi, default)
}

fn uint_in(lo: usize, hi: usize, default: usize) -> BoxedStrategy<usize> {
    value_in(lo, hi, default)
}

fn seed() -> BoxedStrategy<u64> {
    prop_oneof![Just(0), Just(1), Just(u64::MAX), any::<u64>()].boxed()
}

/// N (0: the population dynamics), R and the sampling seed.
fn sampling() -> impl Strategy<Value = Sampling> {
    (
        prop_oneof![Just(0usize), uint_in(1, 1_000_000, 256)],
        uint_in(1, 256, 32),
        seed(),
    )
        .prop_map(|(pairs, realisations, seed)| Sampling {
            pairs,
            realisations,
            seed,
        })
}

/// Family, K (odd for circulant, anything for RPS), parameter in its legal range (or
/// anything for families without one), seed (anything for deterministic families).
fn family_params(max_k: usize) -> impl Strategy<Value = (Family, usize, f64, u64)> {
    (
        select(Family::ALL.to_vec()),
        uint_in(2, max_k, 5),
        float_in(1e-6, 0.5, 0.5),
        prop_oneof![4 => float_in(1e-6, 100.0, 1.0), 1 => Just(0.5)],
        prop_oneof![Just(0.5), Just(1.0), -5.0f64..5.0],
        seed(),
    )
        .prop_map(|(family, k, s, sigma, other, seed)| {
            let k = if family == Family::Circulant && k % 2 == 0 {
                if k < 64 {
                    k + 1
                } else {
                    63
                }
            } else if family.is_synthetic_ratings() {
                k.clamp(3, prefdyn::generators::MAX_RATED_K)
            } else {
                k
            };
            let param = if family.uses_sigma() {
                sigma
            } else if family.uses_strength() {
                s
            } else {
                other
            };
            (family, k, param, seed)
        })
}

/// No labels, or K distinct names with characters a link must escape (`,`, `%`, `&`, `=`,
/// spaces, non-ASCII).
fn labels(k: usize) -> BoxedStrategy<Vec<String>> {
    prop_oneof![
        Just(vec![]),
        "[a-zA-Z0-9 ,%&=é_.-]{1,12}"
            .prop_map(move |stem| (0..k).map(|i| format!("{stem}#{i}")).collect()),
    ]
    .boxed()
}

fn matrix_source() -> BoxedStrategy<MatrixSource> {
    let keys: Vec<String> = preset_keys().map(String::from).collect();
    prop_oneof![
        3 => family_params(64).prop_map(|(family, k, param, seed)| MatrixSource::Generated { family, k, param, seed }),
        1 => select(keys).prop_map(|name| MatrixSource::Preset { name }),
        2 => (2usize..=10).prop_flat_map(|k| (Just(k), vec(prop_oneof![4 => 0.0f64..=1.0, 1 => select(vec![0.0, 0.5, 1.0])], k * (k - 1) / 2), labels(k)))
            .prop_map(|(k, upper, labels)| MatrixSource::Values { k, upper, labels }),
        1 => (11usize..=64).prop_flat_map(|k| (Just(k), vec(0.0f64..=1.0, k * (k - 1) / 2), labels(k)))
            .prop_map(|(k, upper, labels)| MatrixSource::Values { k, upper, labels }),
    ]
    .boxed()
}

fn policy_spec(k: usize) -> BoxedStrategy<PolicySpec> {
    prop_oneof![
        Just(PolicySpec::Uniform),
        seed().prop_map(PolicySpec::Dirichlet),
        vec(prop_oneof![4 => 1e-6f64..10.0, 1 => Just(1.0)], k).prop_map(PolicySpec::Values),
    ]
    .boxed()
}

/// Starts of the K = 3 portrait: up to 8 points with entries ≥ 0 (edges and vertices
/// included) and a positive sum; none for other K.
fn starts(k: usize) -> BoxedStrategy<Vec<[f64; 3]>> {
    if k != 3 {
        return Just(vec![]).boxed();
    }
    let entry = || prop_oneof![3 => 1e-6f64..10.0, 1 => Just(0.0)];
    vec((entry(), entry(), entry()), 0..=8)
        .prop_map(|pts| {
            pts.into_iter()
                .map(|(a, b, c)| {
                    if a + b + c > 0.0 {
                        [a, b, c]
                    } else {
                        [1.0, 0.0, 0.0]
                    }
                })
                .collect()
        })
        .boxed()
}

fn axis_range(axis: Axis) -> impl Strategy<Value = AxisRange> {
    let (lo, hi) = axis.bounds();
    (
        float_in(lo, hi, lo),
        float_in(lo, hi, hi),
        uint_in(1, 128, 32),
    )
        .prop_map(move |(min, max, n)| AxisRange { axis, min, max, n })
}

fn phase_config() -> impl Strategy<Value = PhaseConfig> {
    let axes = (0usize..Axis::ALL.len(), 0usize..Axis::ALL.len() - 1).prop_map(|(x, y)| {
        let y = if y >= x { y + 1 } else { y };
        (Axis::ALL[x], Axis::ALL[y])
    });
    let ensemble = prop_oneof![
        1 => Just(Ensemble::Current),
        4 => (family_params(64), uint_in(1, 256, 16), seed()).prop_map(|((family, k, param, _), count, seed)| {
            Ensemble::Family { family, k, param, count, seed }
        }),
    ];
    (
        axes.prop_flat_map(|(x, y)| (axis_range(x), axis_range(y))),
        select(PhaseMetric::ALL.to_vec()),
        ensemble,
        uint_in(1, 20_000, 300),
        uint_in(0, 20_000, 0),
        sampling(),
    )
        .prop_map(
            |((x, y), metric, ensemble, rounds, burn_in, sampling)| PhaseConfig {
                x,
                y,
                metric,
                ensemble,
                rounds,
                burn_in,
                sampling,
            },
        )
}

/// Configurations with every field varied within its legal range, the K = 3 portrait's
/// starts included.
fn config() -> impl Strategy<Value = Config> {
    config_without_starts().prop_flat_map(|c| {
        starts(c.matrix.k()).prop_map(move |starts| {
            let mut c = c.clone();
            c.dynamics.starts = starts;
            c
        })
    })
}

/// α, β, λ, η anywhere in their ranges.
fn mrs_params() -> impl Strategy<Value = MrsParams> {
    (
        float_in(0.0, 1.0, 1.0),
        float_in(1e-3, 100.0, 2.0),
        float_in(0.0, 1.0, 0.8),
        float_in(1e-3, 1.0, 1.0),
    )
        .prop_map(|(alpha, beta, lam, eta)| MrsParams {
            alpha,
            beta,
            lam,
            eta,
        })
}

/// Embed, theme, embed controls and tour step (the view is drawn with the rest).
fn framing() -> impl Strategy<Value = ViewSettings> {
    let keys: Vec<String> = FIELDS.iter().map(|f| f.key.to_string()).collect();
    (
        any::<bool>(),
        select(Theme::ALL.to_vec()),
        proptest::sample::subsequence(keys, 0..4),
        0..=MAX_TOUR_STEP,
    )
        .prop_map(|(embed, theme, controls, tour)| ViewSettings {
            view: View::Dynamics,
            embed,
            theme,
            controls,
            tour,
        })
}

/// Configurations with every field varied within its legal range. Floats are not
/// quantised (the codec must quantise them) and parameters that a family ignores are
/// arbitrary (canonical form resets them).
fn config_without_starts() -> impl Strategy<Value = Config> {
    let solver = || select(vec![Solver::Ipo, Solver::Dpo]);
    matrix_source().prop_flat_map(move |matrix| {
        let k = matrix.k();
        let head = (
            Just(matrix),
            select(View::ALL.to_vec()),
            framing(),
            solver(),
            mrs_params(),
            uint_in(1, 20_000, 100),
            uint_in(0, 20_000, 0),
            sampling(),
        );
        let tail = (
            (
                policy_spec(k),
                policy_spec(k),
                policy_spec(k),
                policy_spec(k),
            ),
            float_in(0.5, 240.0, 30.0),
            solver(),
            float_in(1e-3, 100.0, 2.0),
            float_in(0.0, 1.0, 0.05),
            phase_config(),
        );
        (head, tail).prop_map(
            |(
                (matrix, view, view_settings, solver, params, rounds, burn_in, sampling),
                (
                    (pi0, mu0, oneshot_ref, custom_mu),
                    speed,
                    oneshot_solver,
                    oneshot_beta,
                    epsilon,
                    phase,
                ),
            )| Config {
                view: ViewSettings {
                    view,
                    ..view_settings
                },
                matrix,
                one_shot: OneShotSettings {
                    solver: oneshot_solver,
                    beta: oneshot_beta,
                    reference: oneshot_ref,
                    epsilon,
                    custom_mu,
                },
                dynamics: DynamicsSettings {
                    solver,
                    params,
                    rounds,
                    burn_in,
                    pi0,
                    mu0,
                    sampling,
                    starts: vec![],
                },
                playback: PlaybackSettings { speed },
                phase,
                variants: vec![],
            },
        )
    })
}

/// Every float in a query has at most [`DECIMALS`] decimals and no exponent.
fn check_short_floats(query: &str) -> Result<(), TestCaseError> {
    for pair in query.split('&') {
        let value = pair.split_once('=').map(|(_, v)| v).unwrap_or("");
        for part in value.split([',', ';']) {
            if part.parse::<f64>().is_ok() {
                prop_assert!(
                    !part.contains(['e', 'E']),
                    "exponent in '{}' ({})",
                    part,
                    query
                );
                if let Some((_, dec)) = part.split_once('.') {
                    prop_assert!(
                        dec.len() <= DECIMALS as usize,
                        "'{}' has {} decimals in {}",
                        part,
                        dec.len(),
                        query
                    );
                }
            }
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(cfg(400))]

    #[test]
    fn url_round_trip_is_canonical(c in config()) {
        let canonical = c.canonical();
        prop_assert_eq!(&canonical.canonical(), &canonical, "canonical() is idempotent");
        let q = to_query(&c);
        prop_assert!(q.starts_with("v=2"), "query {} does not start with the schema version", q);
        check_short_floats(&q)?;
        let parsed = parse_query(&q);
        prop_assert!(parsed.issues.is_empty(), "issues {:?} parsing {}", parsed.issues, q);
        prop_assert_eq!(&parsed.config, &canonical, "parse(to_query(c)) ≠ c.canonical() for {}", q);
        // Stable: the canonical config and the parsed one serialise to the same string.
        let q2 = to_query(&parsed.config);
        prop_assert_eq!(&q2, &to_query(&canonical));
        prop_assert_eq!(&q2, &q, "to_query(c) ≠ to_query(c.canonical())");
        // Full URLs work too.
        let url = format!("https://example.org/prefdyn/?{q}#dynamics");
        prop_assert_eq!(&parse_query(&url).config, &canonical);
    }
}

/// `base` with the matrix and the dynamics (not the starts) of `other`: a variant of it.
fn with_runs_of(base: &Config, other: &Config) -> Config {
    let mut v = base.clone();
    v.matrix = other.matrix.clone();
    v.dynamics = DynamicsSettings {
        starts: vec![],
        ..other.dynamics.clone()
    };
    // The one-shot distributions that no longer fit K go back to their defaults.
    let k = v.matrix.k();
    if v.one_shot.reference.resolve(k).is_err() {
        v.one_shot.reference = PolicySpec::Uniform;
    }
    if v.one_shot.custom_mu.resolve(k).is_err() {
        v.one_shot.custom_mu = PolicySpec::Uniform;
    }
    v.canonical()
}

proptest! {
    #![proptest_config(cfg(200))]

    /// Variants (`KEY.N`) survive a link, and each one opened alone is exactly the variant:
    /// the base with the other run's matrix and dynamics.
    #[test]
    fn variants_round_trip_and_each_is_its_own_link(
        base in config_without_starts(),
        others in vec(config_without_starts(), 1..=3),
    ) {
        let mut c = base.canonical();
        c.dynamics.starts.clear();
        let c = c.canonical();
        let wanted: Vec<Config> = others.iter().map(|o| with_runs_of(&c, o)).collect();
        let mut with = c.clone();
        for v in &wanted {
            with.variants.push(prefdyn::config::Variant {
                overrides: prefdyn::config::overrides_between(&c, v),
            });
        }
        let with = with.canonical();
        let q = to_query(&with);
        let parsed = parse_query(&q);
        prop_assert!(parsed.issues.is_empty(), "issues {:?} parsing {}", parsed.issues, q);
        prop_assert_eq!(&parsed.config, &with, "parse(to_query(c)) ≠ c for {}", q);
        prop_assert_eq!(&to_query(&parsed.config), &q);
        // Each variant that differs from the base is kept, in order, and is the wanted run.
        let kept: Vec<&Config> = wanted.iter().filter(|v| v.base() != c).collect();
        let runs = parsed.config.runs();
        prop_assert_eq!(runs.len(), kept.len() + 1, "{}", q);
        prop_assert_eq!(&runs[0], &c.unframed());
        for (run, v) in runs[1..].iter().zip(&kept) {
            prop_assert_eq!(run, &v.unframed(), "a variant of {} is not the wanted run", q);
            let alone = parse_query(&to_query(run));
            prop_assert!(alone.issues.is_empty(), "{:?}", alone.issues);
            prop_assert_eq!(&alone.config, run);
        }
    }
}

#[test]
fn default_config_has_the_shortest_query() {
    assert_eq!(to_query(&Config::default()), "v=2");
    assert_eq!(parse_query("v=2").config, Config::default());
}

/// A link without parameters opens the home run (Figure 1, centre), whose canonical query
/// is written out in full, so that no canonical query is ever empty.
#[test]
fn an_empty_link_opens_the_home_run() {
    for empty in [
        "",
        "?",
        "https://example.org/prefdyn/?",
        "https://example.org/prefdyn/?#x",
    ] {
        let p = parse_query(empty);
        assert!(p.issues.is_empty(), "{empty}: {:?}", p.issues);
        assert_eq!(p.upgraded_from, None);
        assert_eq!(to_query(&p.config), prefdyn::config::HOME_QUERY, "{empty}");
        let prm = p.config.dynamics.params;
        assert_eq!((prm.alpha, prm.beta, prm.lam), (0.95, 2.0, 0.8));
        assert_eq!(p.config.dynamics.rounds, 100);
    }
    assert_ne!(parse_query("").config, Config::default());
}

// ---------------------------------------------------------------------------------------
// URL codec: bad input
// ---------------------------------------------------------------------------------------

/// Values that no field accepts.
const INVALID: [&str; 16] = [
    "abc", "NaN", "nan", "inf", "-inf", "infinity", "1e999", "-1e999", "", "💥", "%ZZ", "1,2,",
    "0x10", "--", "１", "1..2",
];

/// Values for junk queries: invalid, out of range, or legal for some field.
const JUNK: [&str; 50] = [
    "abc",
    "NaN",
    "nan",
    "inf",
    "-inf",
    "infinity",
    "1e999",
    "-1e999",
    "",
    "💥",
    "%ZZ",
    "%",
    "%00",
    "%ff%fe",
    "%E2%82%AC",
    "1,2,",
    "0x10",
    "--",
    "１",
    "1..2",
    "-1",
    "-0",
    "0",
    "1",
    "2",
    "0.5",
    "1e-400",
    "5e-324",
    "1e308",
    "18446744073709551615",
    "18446744073709551616",
    "99999999999999999999999999",
    "1000",
    "999999",
    "3",
    "7",
    "64",
    "65",
    "uniform",
    "dir",
    "dir7",
    "dir-1",
    "0.2,0.3,0.5",
    "0.5,0.5,0.5",
    "0,1,0.5",
    "0.7,0.2,0.1;0.1,0.1,0.8",
    "1,0,0;;0,0,0;-1,2,2;0.5,0.5",
    "rps",
    "bt",
    "bt2_citations",
];

fn junk_value() -> BoxedStrategy<String> {
    prop_oneof![
        4 => select(JUNK.to_vec()).prop_map(String::from),
        1 => any::<String>(),
        1 => "[0-9.,e+\\-%a-fA-F&=#?]{0,24}",
        1 => vec(-2.0f64..2.0, 1..12).prop_map(|v| v.iter().map(|x| x.to_string()).collect::<Vec<_>>().join(",")),
    ]
    .boxed()
}

fn junk_key() -> BoxedStrategy<String> {
    prop_oneof![
        8 => select(keys()).prop_map(String::from),
        1 => select(vec!["x", "K", "Alpha", "alpha ", "%61lpha", "", "💥", "gen[]", "&", "="]).prop_map(String::from),
        1 => "[a-zA-Z0-9_%]{1,8}",
    ]
    .boxed()
}

fn junk_query() -> impl Strategy<Value = String> {
    (
        vec((junk_key(), junk_value()), 0..14),
        select(vec!["", "?", "https://x.org/p?", "v=1&"]),
        select(vec!["", "#frag", "&", "#a?b=c"]),
    )
        .prop_map(|(pairs, prefix, suffix)| {
            let body = pairs
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join("&");
            format!("{prefix}{body}{suffix}")
        })
}

/// Every issue names a field: a key of the format, or the unknown key it complains about.
fn check_issues(input: &str, parsed: &Parsed) -> Result<(), TestCaseError> {
    for issue in &parsed.issues {
        prop_assert!(
            !issue.field.is_empty(),
            "issue without a field: {:?} for {:?}",
            issue,
            input
        );
        prop_assert!(
            !issue.message.is_empty(),
            "issue without a message: {:?}",
            issue
        );
        let generic = issue.message.starts_with("unknown parameter")
            || issue.message.starts_with("given more than once");
        prop_assert!(
            keys().contains(&issue.field.as_str()) || generic,
            "issue names '{}', which is not a parameter: {:?} for {:?}",
            issue.field,
            issue,
            input
        );
    }
    Ok(())
}

/// Keys whose value is independent of every other field (plain slots of the table, but
/// the phase axes and ranges, which are checked against each other): a bad value there
/// must leave the rest of the configuration exactly as it was and fall back to the default.
fn independent() -> Vec<&'static str> {
    FIELDS
        .iter()
        .filter(|f| !matches!(f.slot, Slot::Part(_) | Slot::Version))
        .map(|f| f.key)
        .filter(|k| !["px", "py", "x0", "x1", "y0", "y1"].contains(k))
        .collect()
}

fn reset_field(c: &mut Config, key: &str) {
    if let Some(f) = field(key) {
        f.slot.set_default(c);
    }
}

proptest! {
    #![proptest_config(cfg(2000))]

    #[test]
    fn parse_query_never_panics_on_strings(s in any::<String>()) {
        let parsed = parse_query(&s);
        check_issues(&s, &parsed)?;
    }

    #[test]
    fn parse_query_never_panics_on_junk_pairs(q in junk_query()) {
        let parsed = parse_query(&q);
        check_issues(&q, &parsed)?;
        // Whatever was read, it serialises and reads back without issues.
        let again = parse_query(&to_query(&parsed.config));
        prop_assert!(again.issues.is_empty(), "re-parsing {:?} gave {:?}", to_query(&parsed.config), again.issues);
        prop_assert_eq!(&again.config, &parsed.config.canonical());
    }
}

proptest! {
    #![proptest_config(cfg(300))]

    /// One bad field: one issue naming it, that field at its default, the rest kept.
    #[test]
    fn one_bad_field_keeps_the_rest(c in config(), key in select(independent()), bad in select(INVALID.to_vec())) {
        let q = to_query(&c);
        let bad_enc: String = url_encode(bad);
        let mut found = false;
        let mut pairs: Vec<String> = q
            .split('&')
            .map(|pair| {
                if pair.split_once('=').map(|(k, _)| k) == Some(key) {
                    found = true;
                    format!("{key}={bad_enc}")
                } else {
                    pair.to_string()
                }
            })
            .collect();
        if !found {
            pairs.push(format!("{key}={bad_enc}"));
        }
        let q_bad = pairs.join("&");
        // `inf` and the empty value are legal for a count (N, pN): the population dynamics.
        let is_count = field(key).is_some_and(|f| matches!(f.kind, Kind::Count { .. }));
        prop_assume!(!(is_count && (bad == "inf" || bad.is_empty())));
        // The empty list is legal for lists (controls, starts): none.
        let is_list = field(key).is_some_and(|f| matches!(f.kind, Kind::Keys | Kind::Points { .. }));
        prop_assume!(!(is_list && bad.is_empty()));
        let parsed = parse_query(&q_bad);
        let mut expected = c.canonical();
        reset_field(&mut expected, key);
        // The default may exceed a work limit in combination with the other fields
        // (e.g. the default pT with a large ensemble), which lowers it again.
        let expected = expected.canonical();
        prop_assert_eq!(&parsed.config, &expected, "after {}", q_bad);
        prop_assert!(!parsed.issues.is_empty(), "no issue for {}", q_bad);
        prop_assert!(
            parsed.issues.iter().all(|i| i.field == key),
            "issues {:?} for {}", parsed.issues, q_bad
        );
    }
}

/// Percent-encodes everything but unreserved characters.
fn url_encode(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

#[test]
fn a_bad_field_does_not_lose_the_others() {
    let p = parse_query("v=2&alpha=abc&beta=3");
    assert_eq!(p.config.dynamics.params.beta, 3.0);
    assert_eq!(
        p.config.dynamics.params.alpha,
        Config::default().dynamics.params.alpha
    );
    assert_eq!(p.issues.len(), 1, "{:?}", p.issues);
    assert_eq!(p.issues[0].field, "alpha");

    let p = parse_query("v=2&gen=bt&k=6&sigma=NaN&seed=9&lam=0.3");
    assert_eq!(p.config.dynamics.params.lam, 0.3);
    assert_eq!(
        p.config.matrix,
        MatrixSource::Generated {
            family: Family::BradleyTerry,
            k: 6,
            param: 1.0,
            seed: 9
        }
    );
    assert_eq!(p.issues.len(), 1, "{:?}", p.issues);
    assert_eq!(p.issues[0].field, "sigma");

    // An invalid matrix keeps the default matrix and everything else.
    let p = parse_query("v=2&k=3&P=0.5,1.5,0.2&eta=0.5&view=oneshot");
    assert_eq!(p.config.matrix, Config::default().matrix);
    assert_eq!(p.config.dynamics.params.eta, 0.5);
    assert_eq!(p.config.view.view, View::OneShot);
    assert_eq!(p.issues.len(), 1, "{:?}", p.issues);
    assert_eq!(p.issues[0].field, "P");

    // Unknown parameters are named and ignored.
    let p = parse_query("v=2&frobnicate=1&alpha=0.25");
    assert_eq!(p.config.dynamics.params.alpha, 0.25);
    assert_eq!(p.issues.len(), 1);
    assert_eq!(p.issues[0].field, "frobnicate");
}

#[test]
fn links_too_heavy_for_a_page_are_lowered_with_an_issue() {
    use prefdyn::config::{MAX_DPO_WORK, MAX_PHASE_CELL_WORK};
    let p = parse_query("v=2&gen=random&k=64&solver=dpo&T=20000");
    let t = p.config.dynamics.rounds as f64;
    assert!(
        t * 64f64.powi(3) <= MAX_DPO_WORK && (t + 1.0) * 64f64.powi(3) > MAX_DPO_WORK,
        "T = {t}"
    );
    assert_eq!(p.issues.len(), 1, "{:?}", p.issues);
    assert_eq!(p.issues[0].field, "T");
    // The same T is fine for IPO.
    let p = parse_query("v=2&gen=random&k=64&T=20000");
    assert_eq!(p.config.dynamics.rounds, 20_000);
    assert!(p.issues.is_empty(), "{:?}", p.issues);

    let p = parse_query("v=2&ek=64&en=256&pT=20000");
    let t = p.config.phase.rounds as f64;
    let cell = 64.0 * 64.0 * 256.0;
    assert!(
        t * cell <= MAX_PHASE_CELL_WORK && (t + 1.0) * cell > MAX_PHASE_CELL_WORK,
        "pT = {t}"
    );
    assert!(
        p.issues.iter().all(|i| i.field == "pT") && !p.issues.is_empty(),
        "{:?}",
        p.issues
    );
    // A lowered link reads back unchanged and without issues.
    let again = parse_query(&to_query(&p.config));
    assert!(again.issues.is_empty(), "{:?}", again.issues);
    assert_eq!(again.config, p.config);
}

#[test]
fn out_of_range_values_are_clamped_with_an_issue() {
    let issue_for = |p: &Parsed, field: &str| p.issues.iter().any(|i| i.field == field);

    let p = parse_query("v=2&T=999999");
    assert_eq!(p.config.dynamics.rounds, 20_000);
    assert!(issue_for(&p, "T"), "{:?}", p.issues);

    let p = parse_query("v=2&gen=random&k=1000");
    assert_eq!(p.config.matrix.k(), 64);
    assert!(issue_for(&p, "k"), "{:?}", p.issues);
    let p = parse_query("v=2&gen=random&k=18446744073709551615");
    assert_eq!(p.config.matrix.k(), 64);
    assert!(issue_for(&p, "k"), "{:?}", p.issues);

    let p = parse_query("v=2&nx=1000&ny=0");
    assert_eq!(p.config.phase.x.n, 128);
    assert_eq!(p.config.phase.y.n, 1);
    assert!(issue_for(&p, "nx") && issue_for(&p, "ny"), "{:?}", p.issues);

    let p = parse_query("v=2&en=10000");
    match p.config.phase.ensemble {
        Ensemble::Family { count, .. } => assert_eq!(count, prefdyn::phase::MAX_ENSEMBLE),
        other => panic!("ensemble {other:?}"),
    }
    assert!(issue_for(&p, "en"), "{:?}", p.issues);

    let p = parse_query("v=2&alpha=2&beta=1e9&eta=0&speed=1e-9");
    assert_eq!(p.config.dynamics.params.alpha, 1.0);
    assert_eq!(p.config.dynamics.params.beta, 100.0);
    assert_eq!(p.config.dynamics.params.eta, 1e-3);
    assert_eq!(p.config.playback.speed, 0.5);
    assert_eq!(p.issues.len(), 4, "{:?}", p.issues);

    for bad in ["NaN", "inf", "-inf", "1e999"] {
        let p = parse_query(&format!("v=2&beta={bad}"));
        assert_eq!(
            p.config.dynamics.params.beta,
            Config::default().dynamics.params.beta
        );
        assert_eq!(p.issues.len(), 1, "{bad}: {:?}", p.issues);
        assert_eq!(p.issues[0].field, "beta");
    }
}

// ---------------------------------------------------------------------------------------
// Results on any parsed query

/// DPO without a finite optimum, reached from a link: explained, never NaN.
#[test]
fn dpo_without_finite_optimum_is_explained() {
    // Response A beats B and C with probability 1.
    let parsed = parse_query("v=2&k=3&P=1,1,0.5&solver=dpo&os=dpo&T=50");
    assert!(parsed.issues.is_empty(), "{:?}", parsed.issues);
    let r = Results::compute(&parsed.config);
    assert!(r.dynamics.is_none());
    let msg = r.dynamics_error.expect("an explanation");
    assert!(msg.contains("no finite optimum"), "{msg}");
    assert!(r.one_shot.len() >= 4);
    for o in &r.one_shot {
        let s: f64 = o.result.policy.iter().sum();
        assert!(
            o.result.policy.iter().all(|v| v.is_finite() && *v >= 0.0),
            "{}: {:?}",
            o.label,
            o.result.policy
        );
        assert!((s - 1.0).abs() <= 1e-12, "{}: sums to {s}", o.label);
        assert!(
            matches!(o.result.dpo, Some(DpoOutcome::NoFiniteOptimum { .. })),
            "{}: {:?}",
            o.label,
            o.result.dpo
        );
        assert!(
            (o.result.policy[0] - 1.0).abs() <= 1e-12,
            "{}: limit policy {:?}",
            o.label,
            o.result.policy
        );
    }
    // With IPO the same link runs.
    let parsed = parse_query("v=2&k=3&P=1,1,0.5&T=50");
    let r = Results::compute(&parsed.config);
    let d = r.dynamics.expect("IPO runs");
    assert!(d.final_policy.iter().all(|v| v.is_finite() && *v > 0.0));
}
// ---------------------------------------------------------------------------------------

/// Rounds cap for `Results::compute` in this debug-build test (T = 20 000 with K = 64 and
/// DPO is legal but takes seconds; the numbers' sanity does not depend on T).
const RESULTS_MAX_ROUNDS: usize = 80;

/// The configuration with at most [`RESULTS_MAX_ROUNDS`] rounds and a small finite-sample
/// run (N ≤ 64, R ≤ 4), so that a property test stays fast.
fn bounded_work(mut config: Config) -> Config {
    config.dynamics.rounds = config.dynamics.rounds.min(RESULTS_MAX_ROUNDS);
    let s = &mut config.dynamics.sampling;
    (s.pairs, s.realisations) = (s.pairs.min(64), s.realisations.min(4));
    config
}

fn check_results(q: &str, config: &Config) -> Result<(), TestCaseError> {
    let r = Results::compute(config);
    let k = r.matrix.k;
    prop_assert!(r.matrix.p.iter().flatten().all(|v| v.is_finite()));
    for o in &r.one_shot {
        check_distribution(
            &format!("{q}: one-shot {}", o.label),
            &o.result.policy,
            1e-9,
        )?;
        prop_assert!(o.properties.entropy.is_finite());
    }
    prop_assert!(
        r.one_shot.len() >= 4,
        "{}: only {} one-shot strategies",
        q,
        r.one_shot.len()
    );
    prop_assert!(
        r.dynamics.is_some() != r.dynamics_error.is_some(),
        "{}: dynamics {:?} / error {:?}: exactly one expected",
        q,
        r.dynamics.is_some(),
        r.dynamics_error
    );
    if let Some(msg) = &r.dynamics_error {
        prop_assert!(!msg.is_empty(), "{}: empty error", q);
    }
    if let Some(d) = &r.dynamics {
        prop_assert_eq!(d.final_policy.len(), k);
        check_distribution(&format!("{q}: final policy"), &d.final_policy, 1e-9)?;
        let m = &d.metrics;
        for (name, v) in [
            ("final entropy", m.final_entropy),
            ("variance", m.variance),
            ("late amplitude", m.late_amplitude),
            ("last step", m.last_step),
        ] {
            prop_assert!(v.is_finite(), "{}: {} = {}", q, name, v);
        }
        if let Some(rho) = d.stability.rho {
            prop_assert!(rho.is_finite(), "{}: ρ = {}", q, rho);
        }
        if let Some(fp) = &d.stability.fixed_point {
            check_distribution(&format!("{q}: fixed point"), fp, 1e-9)?;
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(cfg(120))]

    #[test]
    fn results_never_panic_on_junk_queries(q in junk_query()) {
        let config = bounded_work(parse_query(&q).config);
        check_results(&q, &config)?;
    }

    #[test]
    fn results_are_finite_on_legal_configs(c in config()) {
        let config = bounded_work(parse_query(&to_query(&c)).config);
        check_results(&to_query(&c), &config)?;
    }
}
