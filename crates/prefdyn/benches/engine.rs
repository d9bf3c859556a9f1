//! Engine benchmarks: `cargo bench -p prefdyn --bench engine`
//! (quick run: `-- --warm-up-time 1 --measurement-time 3`).
//!
//! - one IPO step (`ipo_policy`, K = 10) and one DPO solve (`dpo_solve`, K = 10, random P);
//! - one MRS-IPO trajectory (`MrsRun::simulate`, T = 300) for K = 5, 10, 50 on random
//!   cyclic and random matrices with a Dirichlet π₀;
//! - the PRODUCT.md phase diagram: 64×64 cells × 16 random cyclic 5×5 matrices × T = 300
//!   (α ∈ [0, 1] × βλ ∈ [0.1, 5], time-averaged variance), single-threaded.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use prefdyn::dpo::dpo_solve;
use prefdyn::dynamics::{MrsParams, MrsRun, Solver};
use prefdyn::generators::{dirichlet_flat, Generator};
use prefdyn::ipo::ipo_policy;
use prefdyn::phase::{budget_ensemble, budget_spec, ensemble_members, sweep};
use prefdyn::preference::PreferenceMatrix;
use prefdyn::simplex::uniform;

/// α = 0.8 (reference weight), λ = 1 (fully on-policy): an oscillating regime.
const BASE: MrsParams = MrsParams {
    alpha: 0.8,
    beta: 2.0,
    lam: 1.0,
    eta: 1.0,
};

fn matrix(generator: Generator, seed: u64) -> Option<PreferenceMatrix> {
    generator.generate(seed).ok()
}

fn one_shot(c: &mut Criterion) {
    let k = 10;
    let Some(p) = matrix(Generator::Random { k }, 3) else {
        return;
    };
    let mu = dirichlet_flat(k, 11);
    let pi_ref = dirichlet_flat(k, 12);
    c.bench_function("ipo_policy K=10", |b| {
        b.iter(|| ipo_policy(black_box(&p), black_box(&mu), black_box(&pi_ref), 2.0))
    });
    c.bench_function("dpo_solve K=10 random", |b| {
        b.iter(|| dpo_solve(black_box(&p), black_box(&mu), None))
    });
}

fn trajectories(c: &mut Criterion) {
    let mut group = c.benchmark_group("simulate IPO T=300");
    for k in [5, 10, 50] {
        let pi0 = dirichlet_flat(k, 7);
        let mu0 = uniform(k);
        for (name, generator) in [
            ("random cyclic", Generator::RandomCyclic { k, s: 0.5 }),
            ("random", Generator::Random { k }),
        ] {
            let Some(p) = matrix(generator, 5) else {
                continue;
            };
            let run = MrsRun {
                p: &p,
                pi0: &pi0,
                mu0: &mu0,
                params: BASE,
                solver: Solver::Ipo,
                rounds: 300,
            };
            group.bench_function(BenchmarkId::new(name, k), |b| {
                b.iter(|| black_box(&run).simulate())
            });
        }
    }
    group.finish();
}

fn phase_diagram(c: &mut Criterion) {
    let spec = budget_spec();
    let ensemble = budget_ensemble();
    let Ok(members) = ensemble_members(&ensemble, None) else {
        return;
    };
    let mut group = c.benchmark_group("phase diagram");
    group.sample_size(10);
    group.bench_function("64x64 cells x 16 cyclic K=5 T=300 variance", |b| {
        b.iter(|| sweep(black_box(&spec), black_box(&members)))
    });
    group.finish();
}

criterion_group!(benches, one_shot, trajectories, phase_diagram);
criterion_main!(benches);
