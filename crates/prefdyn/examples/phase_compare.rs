//! `cargo run --release -p prefdyn --example phase_compare -- [--out DIR] [--runs N]`
//!
//! Times the Rust phase-diagram sweep against the vectorised numpy peer
//! (`benches/numpy_peer/phase_numpy.py`) on the PRODUCT.md budget grid: 64×64 cells
//! (α ∈ [0, 1] × βλ ∈ [0.1, 5], base α = 1, β = 2, λ = 0.8, η = 1) × 16 random cyclic 5×5
//! matrices (s = 0.5, seed 1) × T = 300, metric: time-averaged variance.
//!
//! Writes the peer's input (`phase_in.json`) and reads its output (`phase_out.json`) in DIR
//! (default: a `prefdyn_phase_compare` folder in the system's temp directory). Prints both
//! timings (Rust through the SIMD lanes on one thread and on every core: median of N runs,
//! default 5; numpy: its own `time.perf_counter` of the computation), their ratios, and the
//! largest differences of the cell means and sds: over every cell, and over the cells where
//! every member's ρ < 1 (no chaos). Exits 1 when a cell differs by more than 1e-6, a
//! ρ < 1 cell by more than 1e-9, or the peer fails.
//!
//! Also (not part of the ratio: the peer has no ρ) the whole diagram as the page's workers
//! compute it on one thread (`phase::sweep`: the metric and ρ of every cell), and ρ of every
//! cell and member in lanes against the scalar engine (`MrsRun::stability`), by the same
//! rule.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::Instant;

use prefdyn::dynamics::{MrsParams, MrsRun, Solver};
use prefdyn::lanes::{fill_cells, CellStat, LaneEnsemble, LaneMetric, Member};
use prefdyn::phase::{
    budget_ensemble, budget_spec, cell_params, ensemble_members, log_starts, sweep, EnsembleMember,
    PhaseMetric, PhaseSpec,
};
use serde_json::{json, Value};

/// Every cell (MODEL.md's tolerance for long trajectories).
const TOLERANCE: f64 = 1e-6;
/// Cells where every member's ρ < 1.
const TOLERANCE_STABLE: f64 = 1e-9;

/// The peer's input document (format: `benches/numpy_peer/README.md`).
fn peer_input(spec: &PhaseSpec, members: &[EnsembleMember]) -> Result<Value, String> {
    let k = members.first().map(|m| m.p.k()).ok_or("no members")?;
    if members
        .iter()
        .any(|m| m.p.k() != k || m.mu0 != members[0].mu0)
    {
        return Err("the peer needs one K and one μ₀ for all members".into());
    }
    let metric = match spec.metric {
        PhaseMetric::Variance => "variance",
        PhaseMetric::FinalEntropy => "entropy",
        other => return Err(format!("the peer has no metric {}", other.key())),
    };
    Ok(json!({
        "K": k,
        "T": spec.rounds,
        "burn_in": spec.burn_in,
        "metric": metric,
        "matrices": members.iter().map(|m| m.p.to_rows()).collect::<Vec<_>>(),
        "pi0": members.iter().map(|m| m.pi0.clone()).collect::<Vec<_>>(),
        "mu0": members[0].mu0,
        "x": {"axis": spec.x.axis.key(), "values": spec.x.values()},
        "y": {"axis": spec.y.axis.key(), "values": spec.y.values()},
        "base": {
            "alpha": spec.base.alpha,
            "beta": spec.base.beta,
            "lam": spec.base.lam,
            "eta": spec.base.eta,
        },
    }))
}

/// `(ny × nx)` nested array → row-major vector.
fn flatten(v: &Value, name: &str, nx: usize, ny: usize) -> Result<Vec<f64>, String> {
    let rows = v
        .get(name)
        .and_then(Value::as_array)
        .ok_or(format!("peer output has no array {name:?}"))?;
    if rows.len() != ny {
        return Err(format!("peer {name}: {} rows, expected {ny}", rows.len()));
    }
    let mut out = Vec::with_capacity(nx * ny);
    for row in rows {
        let row = row
            .as_array()
            .filter(|r| r.len() == nx)
            .ok_or(format!("peer {name}: a row is not {nx} numbers"))?;
        for x in row {
            // json.dump writes NaN as a bare `NaN`, which serde_json rejects: not expected here.
            out.push(
                x.as_f64()
                    .ok_or(format!("peer {name}: {x} is not a number"))?,
            );
        }
    }
    Ok(out)
}

fn max_abs_diff(a: &[f64], b: &[f64]) -> f64 {
    a.iter()
        .zip(b)
        .map(|(x, y)| {
            if x.is_nan() && y.is_nan() {
                0.0
            } else {
                (x - y).abs()
            }
        })
        .fold(0.0, |m, d| if d.is_nan() || d > m { d } else { m })
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n == 0 {
        f64::NAN
    } else if n % 2 == 1 {
        v[n / 2]
    } else {
        0.5 * (v[n / 2 - 1] + v[n / 2])
    }
}

struct Args {
    out: PathBuf,
    runs: usize,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        out: std::env::temp_dir().join("prefdyn_phase_compare"),
        runs: 5,
    };
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        match a.as_str() {
            "--out" => args.out = it.next().ok_or("--out needs a directory")?.into(),
            "--runs" => {
                args.runs = it
                    .next()
                    .and_then(|v| v.parse().ok())
                    .filter(|&n| n > 0)
                    .ok_or("--runs needs a positive integer")?
            }
            "-h" | "--help" => {
                return Err("usage: phase_compare [--out DIR] [--runs N]".into());
            }
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    Ok(args)
}

/// The metric of `cells` over `members`, split into `threads` contiguous chunks.
fn lanes_sweep(
    members: &[Member],
    cells: &[MrsParams],
    spec: &PhaseSpec,
    threads: usize,
) -> Result<Vec<CellStat>, String> {
    let chunk = cells.len().div_ceil(threads.max(1)).max(1);
    std::thread::scope(|scope| {
        let handles: Vec<_> = cells
            .chunks(chunk)
            .map(|part| {
                scope.spawn(move || {
                    fill_cells(
                        members,
                        part,
                        spec.rounds,
                        spec.burn_in,
                        LaneMetric::Variance,
                    )
                })
            })
            .collect();
        let mut out = Vec::with_capacity(cells.len());
        for h in handles {
            let part = h.join().map_err(|_| "a thread panicked")?;
            out.extend(part.map_err(|e| e.to_string())?);
        }
        Ok(out)
    })
}

/// Median seconds of `runs` calls of `f`, and its last result.
fn timed<T>(runs: usize, mut f: impl FnMut() -> Result<T, String>) -> Result<(f64, T), String> {
    let mut times = Vec::with_capacity(runs);
    let mut last = None;
    for _ in 0..runs {
        let t0 = Instant::now();
        last = Some(f()?);
        times.push(t0.elapsed().as_secs_f64());
    }
    Ok((median(&mut times), last.ok_or("no run")?))
}

/// ρ of every cell and member by the scalar engine, cell-major (NaN without a fixed point).
fn scalar_rhos(members: &[EnsembleMember], cells: &[MrsParams]) -> Vec<f64> {
    cells
        .iter()
        .flat_map(|params| {
            members.iter().map(|m| {
                let run = MrsRun {
                    p: &m.p,
                    pi0: &m.pi0,
                    mu0: &m.mu0,
                    params: *params,
                    solver: Solver::Ipo,
                    rounds: 0,
                };
                run.stability().ok().and_then(|s| s.rho).unwrap_or(f64::NAN)
            })
        })
        .collect()
}

/// Largest `|ρ_lanes − ρ_scalar|` over every run and over the runs with ρ < 1 (NaN must be
/// NaN in both); prints them and returns whether they are within the tolerances.
fn compare_rho(lanes: &[f64], scalar: &[f64]) -> bool {
    let (mut all, mut stable, mut nan_mismatch) = (0.0_f64, 0.0_f64, 0);
    for (l, s) in lanes.iter().zip(scalar) {
        if l.is_nan() || s.is_nan() {
            nan_mismatch += usize::from(l.is_nan() != s.is_nan());
            continue;
        }
        all = all.max((l - s).abs());
        if *s < 1.0 {
            stable = stable.max((l - s).abs());
        }
    }
    println!("rho, lanes vs scalar ({} runs): max |Δρ| = {all:.3e} (tolerance {TOLERANCE:.0e}), where ρ < 1: {stable:.3e} (tolerance {TOLERANCE_STABLE:.0e}), NaN mismatches: {nan_mismatch}", lanes.len());
    nan_mismatch == 0 && all <= TOLERANCE && stable <= TOLERANCE_STABLE
}

/// Runs the numpy peer on `in_path`; returns its seconds, means and sds.
fn numpy_peer(
    in_path: &Path,
    out_path: &Path,
    (nx, ny): (usize, usize),
) -> Result<(f64, Vec<f64>, Vec<f64>), String> {
    let script =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../benches/numpy_peer/phase_numpy.py");
    let status = Command::new("python3")
        .arg(&script)
        .arg(in_path)
        .arg(out_path)
        .status()
        .map_err(|e| format!("cannot run python3 {}: {e}", script.display()))?;
    if !status.success() {
        return Err(format!("the numpy peer failed ({status})"));
    }
    let text =
        std::fs::read_to_string(out_path).map_err(|e| format!("{}: {e}", out_path.display()))?;
    let out: Value = serde_json::from_str(&text).map_err(|e| format!("peer output: {e}"))?;
    let seconds = out
        .get("seconds")
        .and_then(Value::as_f64)
        .ok_or("peer output has no \"seconds\"")?;
    Ok((
        seconds,
        flatten(&out, "mean", nx, ny)?,
        flatten(&out, "sd", nx, ny)?,
    ))
}

fn run() -> Result<bool, String> {
    let args = parse_args()?;
    let spec = budget_spec();
    let members = ensemble_members(&budget_ensemble(), None).map_err(|e| e.to_string())?;
    let (nx, ny) = (spec.x.n, spec.y.n);
    let cells: Vec<MrsParams> = (0..ny)
        .flat_map(|iy| (0..nx).map(move |ix| (ix, iy)))
        .map(|(ix, iy)| cell_params(&spec, ix, iy))
        .collect();
    let x0 = log_starts(&members);
    let lane_members = prefdyn::phase::lane_members(&members, &x0);

    std::fs::create_dir_all(&args.out).map_err(|e| format!("{}: {e}", args.out.display()))?;
    let in_path = args.out.join("phase_in.json");
    let out_path = args.out.join("phase_out.json");
    let input = peer_input(&spec, &members)?;
    std::fs::write(&in_path, input.to_string())
        .map_err(|e| format!("{}: {e}", in_path.display()))?;

    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let (one_s, stats) = timed(args.runs, || lanes_sweep(&lane_members, &cells, &spec, 1))?;
    let (all_s, stats_all) = timed(args.runs, || {
        lanes_sweep(&lane_members, &cells, &spec, threads)
    })?;
    if stats != stats_all {
        return Err("the threaded sweep differs from the single-threaded one".into());
    }
    let (with_rho_s, _) = timed(args.runs, || {
        sweep(&spec, &members).map_err(|e| e.to_string())
    })?;
    let lanes_rho = LaneEnsemble::new(&lane_members, spec.rounds, spec.burn_in)
        .and_then(|e| e.cell_rho(&cells))
        .map_err(|e| e.to_string())?;
    let (numpy_s, mean, sd) = numpy_peer(&in_path, &out_path, (nx, ny))?;
    let rhos = scalar_rhos(&members, &cells);
    let stable: Vec<bool> = rhos
        .chunks(members.len().max(1))
        .map(|c| c.iter().all(|r| *r < 1.0))
        .collect();

    let timing = Timing {
        one_s,
        all_s,
        threads,
        numpy_s,
        runs: args.runs,
    };
    let metric_ok = print_comparison(&spec, &members, &timing, &stats, (&mean, &sd), &stable)?;
    println!(
        "rust:  {with_rho_s:.6} s (median of {}, one thread, phase::sweep: the metric and rho of every cell)",
        args.runs
    );
    let rho_ok = compare_rho(&lanes_rho, &rhos);
    if !rho_ok {
        eprintln!("FAIL: rho in lanes and the scalar rho differ by more than the tolerance");
    }
    Ok(metric_ok && rho_ok)
}

/// Seconds of each side.
struct Timing {
    one_s: f64,
    all_s: f64,
    threads: usize,
    numpy_s: f64,
    runs: usize,
}

/// Prints the times and the largest differences (every cell, and the cells where every
/// ρ < 1); returns whether they are within the tolerances.
fn print_comparison(
    spec: &PhaseSpec,
    members: &[EnsembleMember],
    t: &Timing,
    stats: &[CellStat],
    (mean, sd): (&[f64], &[f64]),
    stable: &[bool],
) -> Result<bool, String> {
    let diff = |only_stable: bool| {
        let pick = |v: &mut dyn Iterator<Item = f64>| -> Vec<f64> {
            v.zip(stable)
                .filter(|(_, s)| !only_stable || **s)
                .map(|(x, _)| x)
                .collect()
        };
        let ours_m = pick(&mut stats.iter().map(|c| c.mean));
        let ours_s = pick(&mut stats.iter().map(|c| c.sd));
        (
            max_abs_diff(&ours_m, &pick(&mut mean.iter().copied())),
            max_abs_diff(&ours_s, &pick(&mut sd.iter().copied())),
        )
    };
    let (d_mean, d_sd) = diff(false);
    let (s_mean, s_sd) = diff(true);
    let n_stable = stable.iter().filter(|s| **s).count();
    println!(
        "grid: {}x{} cells x {} matrices (K = {}), T = {}, metric {}",
        spec.x.n,
        spec.y.n,
        members.len(),
        members.first().map_or(0, |m| m.p.k()),
        spec.rounds,
        spec.metric.key()
    );
    println!(
        "rust:  {:.6} s (median of {}, one thread, SIMD lanes)",
        t.one_s, t.runs
    );
    println!("rust:  {:.6} s ({} threads)", t.all_s, t.threads);
    println!("numpy: {:.6} s", t.numpy_s);
    println!(
        "ratio: {:.1}x one thread, {:.1}x all threads (numpy / rust)",
        t.numpy_s / t.one_s,
        t.numpy_s / t.all_s
    );
    println!("every cell:   max |Δ mean| = {d_mean:.3e}, max |Δ sd| = {d_sd:.3e} (tolerance {TOLERANCE:.0e})");
    println!("{n_stable} cells with every ρ < 1: max |Δ mean| = {s_mean:.3e}, max |Δ sd| = {s_sd:.3e} (tolerance {TOLERANCE_STABLE:.0e})");
    let ok = d_mean <= TOLERANCE
        && d_sd <= TOLERANCE
        && s_mean <= TOLERANCE_STABLE
        && s_sd <= TOLERANCE_STABLE;
    if !ok {
        eprintln!("FAIL: the Rust and numpy grids differ by more than the tolerance");
    }
    Ok(ok)
}

fn main() -> ExitCode {
    match run() {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("phase_compare: {e}");
            ExitCode::FAILURE
        }
    }
}
