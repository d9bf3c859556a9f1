//! `cargo run --release -p prefdyn --example phase_compare -- [--out DIR] [--runs N]`
//!
//! Times the Rust phase-diagram sweep against the vectorised numpy peer
//! (`benches/numpy_peer/phase_numpy.py`) on the PRODUCT.md budget grid: 64×64 cells
//! (α ∈ [0, 1] × βλ ∈ [0.1, 5], base α = 1, β = 2, λ = 0.8, η = 1) × 16 random cyclic 5×5
//! matrices (s = 0.5, seed 1) × T = 300, metric: time-averaged variance.
//!
//! Writes the peer's input (`phase_in.json`) and reads its output (`phase_out.json`) in DIR
//! (default: a `prefdyn_phase_compare` folder in the system's temp directory). Prints both
//! timings (Rust: median of N runs, default 5; numpy: its own `time.perf_counter` of the
//! computation), their ratio, and the largest differences of the cell means and sds.
//! Exits 1 when a difference exceeds 1e-9 or the peer fails.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::Instant;

use prefdyn::phase::{
    budget_ensemble, budget_spec, ensemble_members, sweep, EnsembleMember, PhaseGrid, PhaseMetric,
    PhaseSpec,
};
use serde_json::{json, Value};

const TOLERANCE: f64 = 1e-9;

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

fn run() -> Result<bool, String> {
    let args = parse_args()?;
    let spec = budget_spec();
    let members = ensemble_members(&budget_ensemble(), None).map_err(|e| e.to_string())?;

    std::fs::create_dir_all(&args.out).map_err(|e| format!("{}: {e}", args.out.display()))?;
    let in_path = args.out.join("phase_in.json");
    let out_path = args.out.join("phase_out.json");
    let input = peer_input(&spec, &members)?;
    std::fs::write(&in_path, input.to_string())
        .map_err(|e| format!("{}: {e}", in_path.display()))?;

    // Rust: median of `runs` full sweeps.
    let mut times = Vec::with_capacity(args.runs);
    let mut grid: Option<PhaseGrid> = None;
    for _ in 0..args.runs {
        let t0 = Instant::now();
        let g = sweep(&spec, &members).map_err(|e| e.to_string())?;
        times.push(t0.elapsed().as_secs_f64());
        grid = Some(g);
    }
    let grid = grid.ok_or("no run")?;
    let rust_s = median(&mut times);

    // numpy peer.
    let script =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../benches/numpy_peer/phase_numpy.py");
    let status = Command::new("python3")
        .arg(&script)
        .arg(&in_path)
        .arg(&out_path)
        .status()
        .map_err(|e| format!("cannot run python3 {}: {e}", script.display()))?;
    if !status.success() {
        return Err(format!("the numpy peer failed ({status})"));
    }
    let text =
        std::fs::read_to_string(&out_path).map_err(|e| format!("{}: {e}", out_path.display()))?;
    let out: Value = serde_json::from_str(&text).map_err(|e| format!("peer output: {e}"))?;
    let numpy_s = out
        .get("seconds")
        .and_then(Value::as_f64)
        .ok_or("peer output has no \"seconds\"")?;
    let mean = flatten(&out, "mean", grid.nx, grid.ny)?;
    let sd = flatten(&out, "sd", grid.nx, grid.ny)?;
    let d_mean = max_abs_diff(&grid.mean, &mean);
    let d_sd = max_abs_diff(&grid.sd, &sd);

    println!(
        "grid: {}x{} cells x {} matrices (K = {}), T = {}, metric {}",
        grid.nx,
        grid.ny,
        members.len(),
        members[0].p.k(),
        spec.rounds,
        spec.metric.key()
    );
    println!(
        "rust:  {rust_s:.6} s (median of {}, single thread)",
        args.runs
    );
    println!("numpy: {numpy_s:.6} s");
    println!("ratio: {:.1}x (numpy / rust)", numpy_s / rust_s);
    println!("max |Δ mean| = {d_mean:.3e}, max |Δ sd| = {d_sd:.3e} (tolerance {TOLERANCE:.0e})");
    let ok = d_mean <= TOLERANCE && d_sd <= TOLERANCE;
    if !ok {
        eprintln!("FAIL: the Rust and numpy grids differ by more than {TOLERANCE:.0e}");
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
