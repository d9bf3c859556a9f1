//! Finite-sample benchmarks: `cargo bench -p prefdyn --bench finite`
//! (quick run: `-- --warm-up-time 1 --measurement-time 3`).
//!
//! - one finite-sample round (N = 256 pair draws, least-squares fit), K = 10;
//! - a whole run: R = 64 realisations × T = 300 rounds × N = 256 pairs, K = 10, MRS-IPO;
//! - the same with MRS-DPO at N = 4096 on K = 5 (no event: every round has a finite fit).

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use prefdyn::dynamics::{MrsParams, Solver};
use prefdyn::finite::{realisation_rng, FiniteModel, FiniteRun, FiniteSpec, RoundWorkspace};
use prefdyn::generators::{dirichlet_flat, Generator};
use prefdyn::simplex::uniform;

/// α = 0.8 (reference weight), β = 2, λ = 1: the engine bench's oscillating regime.
const BASE: MrsParams = MrsParams {
    alpha: 0.8,
    beta: 2.0,
    lam: 1.0,
    eta: 1.0,
};

fn finite(c: &mut Criterion) {
    let k = 10;
    let Ok(p) = Generator::RandomCyclic { k, s: 0.5 }.generate(5) else {
        return;
    };
    let pi0 = dirichlet_flat(k, 7);
    let mu0 = uniform(k);
    if let Ok(model) = FiniteModel::new(&p, &pi0, &mu0, BASE, Solver::Ipo, 256) {
        let mut ws = RoundWorkspace::default();
        let mut rng = realisation_rng(1, 0, 0);
        c.bench_function("finite round IPO K=10 N=256", |b| {
            b.iter(|| {
                let mut state = model.start();
                let _ = model.round(black_box(&mut state), &mut rng, &mut ws);
                state
            })
        });
    }
    let run = FiniteRun {
        p: &p,
        pi0: &pi0,
        mu0: &mu0,
        params: BASE,
        solver: Solver::Ipo,
        rounds: 300,
        burn_in: 0,
        spec: FiniteSpec {
            pairs: 256,
            realisations: 64,
            seed: 1,
        },
    };
    let mut group = c.benchmark_group("finite run");
    group.sample_size(20);
    group.bench_function("IPO R=64 N=256 K=10 T=300", |b| {
        b.iter(|| black_box(&run).simulate())
    });
    let k = 5;
    if let Ok(q) = (Generator::Random { k }).generate(8) {
        let (pi0, mu0) = (dirichlet_flat(k, 2), uniform(k));
        let dpo = FiniteRun {
            p: &q,
            pi0: &pi0,
            mu0: &mu0,
            params: MrsParams { lam: 0.5, ..BASE },
            solver: Solver::Dpo,
            rounds: 300,
            burn_in: 0,
            spec: FiniteSpec {
                pairs: 4096,
                realisations: 8,
                seed: 1,
            },
        };
        group.bench_function("DPO R=8 N=4096 K=5 T=300", |b| {
            b.iter(|| black_box(&dpo).simulate())
        });
    }
    group.finish();
}

criterion_group!(benches, finite);
criterion_main!(benches);
