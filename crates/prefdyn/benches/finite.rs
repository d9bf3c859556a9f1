//! Finite-sample benchmarks: `cargo bench -p prefdyn --bench finite`
//! (quick run: `-- --warm-up-time 1 --measurement-time 3`).
//!
//! - one finite-sample round (N = 256 pair draws, least-squares fit), K = 10, drawing from
//!   a `ChaCha8Rng` and from the equal [`WordStream`] (what the runs use);
//! - its parts: the 3N = 768 words of a round, the pair draws and counts, the IPO fit;
//! - a whole run: R = 64 realisations × T = 300 rounds × N = 256 pairs, K = 10, MRS-IPO;
//! - the same with MRS-DPO at N = 4096 on K = 5 (no event: every round has a finite fit).

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use prefdyn::dynamics::{MrsParams, Solver};
use prefdyn::finite::{
    ipo_fit, realisation_rng, Categorical, FiniteModel, FiniteRun, FiniteSpec, FitWorkspace,
    PairCounts, PairSampler, RoundWorkspace, WordStream,
};
use prefdyn::generators::{dirichlet_flat, Generator};
use prefdyn::preference::PreferenceMatrix;
use prefdyn::simplex::uniform;
use rand::RngCore;

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
    rounds(c, &p, &pi0, &mu0);
    parts(c, &p, &pi0);
    runs(c, &p, &pi0, &mu0);
}

/// One round from π₀, drawing from a `ChaCha8Rng` and from a [`WordStream`].
fn rounds(c: &mut Criterion, p: &PreferenceMatrix, pi0: &[f64], mu0: &[f64]) {
    if let Ok(model) = FiniteModel::new(p, pi0, mu0, BASE, Solver::Ipo, 256) {
        let mut ws = RoundWorkspace::default();
        let mut rng = realisation_rng(1, 0, 0);
        c.bench_function("finite round IPO K=10 N=256", |b| {
            b.iter(|| {
                let mut state = model.start();
                let _ = model.round(black_box(&mut state), &mut rng, &mut ws);
                state
            })
        });
        let mut stream = WordStream::from_rng(&realisation_rng(1, 0, 0));
        c.bench_function("finite round IPO K=10 N=256 (word stream)", |b| {
            b.iter(|| {
                let mut state = model.start();
                let _ = model.round_stream(black_box(&mut state), &mut stream, &mut ws);
                state
            })
        });
    }
}

/// The parts of a round: its words, the alias table, the pairs and counts, the IPO fit.
fn parts(c: &mut Criterion, p: &PreferenceMatrix, pi0: &[f64]) {
    let k = p.k();
    let mut parts = c.benchmark_group("finite round parts K=10 N=256");
    let mut rng = realisation_rng(1, 0, 0);
    parts.bench_function("768 words ChaCha8Rng", |b| {
        b.iter(|| {
            let mut acc = 0u32;
            for _ in 0..256 {
                let v = rng.next_u64();
                acc = acc.wrapping_add((v as u32) ^ ((v >> 32) as u32) ^ rng.next_u32());
            }
            acc
        })
    });
    let mut stream = WordStream::from_rng(&realisation_rng(1, 0, 0));
    let mut words = vec![0u32; 768];
    parts.bench_function("768 words WordStream", |b| {
        b.iter(|| {
            stream.fill(&mut words);
            black_box(&words);
        })
    });
    let mu = Categorical::from_weights(pi0);
    let sampler = PairSampler::new(p);
    let mut counts = PairCounts::new(k);
    parts.bench_function("alias table", |b| {
        let mut table = Categorical::default();
        b.iter(|| {
            table.set(black_box(pi0).iter().copied());
            table.len()
        })
    });
    parts.bench_function("pairs and counts (ChaCha8Rng)", |b| {
        b.iter(|| {
            sampler.draw(&mut rng, &mu, 256, &mut counts);
            counts.kept()
        })
    });
    let (mut fit_ws, mut r) = (FitWorkspace::default(), vec![0.0; k]);
    sampler.draw(&mut rng, &mu, 256, &mut counts);
    parts.bench_function("IPO least squares", |b| {
        b.iter(|| {
            ipo_fit(black_box(&counts), 2.0, &mut fit_ws, &mut r);
            r[0]
        })
    });
    parts.finish();
}

/// Whole runs: IPO as on the page, and DPO.
fn runs(c: &mut Criterion, p: &PreferenceMatrix, pi0: &[f64], mu0: &[f64]) {
    let run = FiniteRun {
        p,
        pi0,
        mu0,
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
