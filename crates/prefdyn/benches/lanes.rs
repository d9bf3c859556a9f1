//! The SIMD-lane kernel against the scalar phase sweep:
//! `cargo bench -p prefdyn --bench lanes` (quick: `-- --warm-up-time 1 --measurement-time 5`).
//!
//! The PRODUCT.md budget grid (`phase::budget_spec()`, `phase::budget_ensemble()`: 64×64
//! cells × 16 random cyclic 5×5 matrices × T = 300, time-averaged variance), single-threaded:
//!
//! - `phase::sweep_scalar` (scalar engine, one run at a time);
//! - `lanes` with the backend this CPU gets (`Backend::detect()`: AVX2+FMA when present);
//! - `lanes` forced to the portable `wide::f64x4` code (SSE2 on a baseline x86_64 build).
//!
//! Also the final-entropy and share-oscillating metrics on the same grid, ρ of every cell
//! and member (`LaneEnsemble::cell_rho`: the fixed point and the spectral radius in lanes)
//! against the scalar engine's (`phase::sweep_scalar` of the ρ metric), and the fast `exp`
//! against `f64::exp` on 4,096 values.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use prefdyn::dynamics::MrsParams;
use prefdyn::lanes::{exp_slice, Backend, LaneEnsemble, LaneMetric};
use prefdyn::phase::{
    budget_ensemble, budget_spec, cell_params, ensemble_members, log_starts, sweep_scalar,
    PhaseMetric, PhaseSpec,
};

fn budget(c: &mut Criterion) {
    let spec = budget_spec();
    let Ok(members) = ensemble_members(&budget_ensemble(), None) else {
        return;
    };
    let x0 = log_starts(&members);
    let lane_members = prefdyn::phase::lane_members(&members, &x0);
    let cells: Vec<MrsParams> = (0..spec.y.n)
        .flat_map(|iy| (0..spec.x.n).map(move |ix| (ix, iy)))
        .map(|(ix, iy)| cell_params(&spec, ix, iy))
        .collect();
    let Ok(detected) = LaneEnsemble::new(&lane_members, spec.rounds, spec.burn_in) else {
        return;
    };
    let portable = detected.clone().with_backend(Backend::Portable);

    let mut group = c.benchmark_group("budget grid 64x64 x 16 cyclic K=5 T=300");
    group.sample_size(10);
    group.bench_function("phase::sweep_scalar", |b| {
        b.iter(|| sweep_scalar(black_box(&spec), black_box(&members)))
    });
    for (name, ens) in [
        (format!("lanes {:?}", detected.backend()), &detected),
        ("lanes Portable".to_string(), &portable),
    ] {
        if name == "lanes Portable" && detected.backend() == Backend::Portable {
            continue;
        }
        group.bench_function(format!("{name} variance"), |b| {
            b.iter(|| ens.cell_stats(black_box(&cells), LaneMetric::Variance))
        });
    }
    for metric in [LaneMetric::FinalEntropy, LaneMetric::Oscillating] {
        group.bench_function(format!("lanes {:?} {metric:?}", detected.backend()), |b| {
            b.iter(|| detected.cell_stats(black_box(&cells), metric))
        });
    }
    group.finish();

    let mut group = c.benchmark_group("rho of the budget grid 64x64 x 16 cyclic K=5");
    group.sample_size(10);
    let rho_spec = PhaseSpec {
        metric: PhaseMetric::Rho,
        ..spec
    };
    group.bench_function("phase::sweep_scalar rho", |b| {
        b.iter(|| sweep_scalar(black_box(&rho_spec), black_box(&members)))
    });
    for ens in [&detected, &portable] {
        if ens.backend() == Backend::Portable && detected.backend() == Backend::Portable {
            continue;
        }
        group.bench_function(format!("lanes {:?} cell_rho", ens.backend()), |b| {
            b.iter(|| ens.cell_rho(black_box(&cells)))
        });
    }
    group.finish();
}

fn exp(c: &mut Criterion) {
    let x: Vec<f64> = (0..4096).map(|i| -40.0 * i as f64 / 4096.0).collect();
    let mut buf = x.clone();
    let mut group = c.benchmark_group("exp 4096 values");
    group.bench_function("f64::exp", |b| {
        b.iter(|| {
            for (o, v) in buf.iter_mut().zip(&x) {
                *o = black_box(*v).exp();
            }
        })
    });
    for backend in [Backend::Portable, Backend::detect()] {
        group.bench_function(format!("lanes {backend:?}"), |b| {
            b.iter(|| {
                buf.copy_from_slice(&x);
                exp_slice(black_box(&mut buf), backend);
            })
        });
    }
    group.finish();
}

criterion_group!(benches, budget, exp);
criterion_main!(benches);
