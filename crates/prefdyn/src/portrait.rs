//! The phase portrait of MRS-IPO / MRS-DPO on the simplex Δ₃ (K = 3), the way
//! game-dynamics tools draw one (EGTtools' `Simplex2D`, Dynamo): the step `F(π) − π` of the
//! one-round map on a lattice of interior points, and trajectories from several starts.
//!
//! `F` is the dynamics' own round (MODEL.md), evaluated by [`MrsRun::simulate_from`] with
//! one round, so it is exactly the map the trajectories iterate:
//!
//! ```text
//! log π_ref = α log π + (1−α) log π₀          (π₀: the base reference, fixed)
//! μ         = λ π + (1−λ) μ₀
//! π̃         = softmax(log π_ref + β P μ)       (DPO: + z*(P, μ)/β instead of β P μ)
//! log F(π)  = (1−η) log π + η log π̃            (normalised)
//! ```
//!
//! A start changes the initial policy only; the base reference stays π₀ (a start is not a
//! new π₀, which would move the fixed point). The fixed point `π* = F(π*)` is the one
//! [`MrsRun::stability`] finds; the chart fills it when `ρ(J) < 1` (it attracts) and draws
//! it hollow otherwise.

use serde::Serialize;

use crate::dynamics::{DynamicsError, Metrics, MrsRun, Trajectory, Verdict};

/// A start with a coordinate `≤ EDGE` lies on an edge of Δ₃ and is nudged inside.
pub const EDGE: f64 = 1e-3;
/// The smallest coordinate of a nudged start (`2 · EDGE`, so a nudged start is not on an
/// edge again: the nudge is idempotent).
pub const NUDGED_MIN: f64 = 2e-3;
/// Most starts a link carries (`starts`).
pub const MAX_STARTS: usize = 8;
/// Divisions n of the lattice: the points `(i, j, l)/n` with `i + j + l = n` and
/// `i, j, l ≥ 1`, i.e. `(n−1)(n−2)/2` interior points (105 for n = 16).
pub const LATTICE_DIVISIONS: usize = 16;

/// Nudges a point of Δ₃ off the edges: when its smallest coordinate `m` is `≤ EDGE`, it
/// moves towards the centre `u = (⅓, ⅓, ⅓)` by the least uniform mixture that lifts every
/// coordinate to [`NUDGED_MIN`]:
///
/// ```text
/// π' = (1 − s) π + s u,   s = (NUDGED_MIN − m) / (⅓ − m)
/// ```
///
/// so `min π' = NUDGED_MIN` exactly, `Σ π' = Σ π = 1`, and the direction from the centre is
/// kept. A point with every coordinate `> EDGE` is returned unchanged. `p` must be a
/// distribution (entries ≥ 0, sum 1).
pub fn nudge_inside(p: [f64; 3]) -> [f64; 3] {
    let m = p.iter().copied().fold(f64::INFINITY, f64::min);
    if m > EDGE {
        return p;
    }
    let s = (NUDGED_MIN - m) / (1.0 / 3.0 - m);
    p.map(|v| (1.0 - s) * v + s / 3.0)
}

/// The initial policy a start stands for: `raw` normalised (`raw / Σ raw`) and nudged inside
/// ([`nudge_inside`]). `None` unless `raw` has 3 finite entries `≥ 0` with a positive sum.
pub fn start_policy(raw: &[f64]) -> Option<[f64; 3]> {
    let [a, b, c] = <[f64; 3]>::try_from(raw).ok()?;
    let ok = |v: f64| v.is_finite() && v >= 0.0;
    let s = a + b + c;
    if !(ok(a) && ok(b) && ok(c) && s > 0.0 && s.is_finite()) {
        return None;
    }
    Some(nudge_inside([a / s, b / s, c / s]))
}

/// The interior points of the triangular lattice with `n` divisions:
/// `(i, j, n−i−j)/n` with every part `≥ 1`, rows of constant `i` (first coordinate
/// descending from `(n−2)/n`). Empty for `n < 3`.
pub fn lattice(n: usize) -> Vec<[f64; 3]> {
    let nf = n as f64;
    let mut out = Vec::with_capacity(n.saturating_sub(1) * n.saturating_sub(2) / 2);
    for i in (1..n.saturating_sub(1)).rev() {
        for j in 1..n - i {
            let l = n - i - j;
            out.push([i as f64 / nf, j as f64 / nf, l as f64 / nf]);
        }
    }
    out
}

/// The map's step on a set of points: `steps[i] = F(π_i) − π_i` and
/// `speeds[i] = ‖F(π_i) − π_i‖₂` (Euclidean, in probability coordinates).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StepField {
    pub points: Vec<[f64; 3]>,
    pub steps: Vec<[f64; 3]>,
    pub speeds: Vec<f64>,
}

impl StepField {
    /// The largest speed (0 for no points).
    pub fn max_speed(&self) -> f64 {
        self.speeds.iter().copied().fold(0.0, f64::max)
    }
    /// The smallest speed (0 for no points).
    pub fn min_speed(&self) -> f64 {
        if self.speeds.is_empty() {
            return 0.0;
        }
        self.speeds.iter().copied().fold(f64::INFINITY, f64::min)
    }
}

/// `F(π) − π` and `‖F(π) − π‖₂` at every point (strictly positive, summing to 1), with `F`
/// one round of `run` (its α, β, λ, η, solver, μ₀, and π₀ as base reference) started at π.
/// Fails as the run fails (bad parameters, K ≠ 3, DPO without a finite optimum).
pub fn step_field(run: &MrsRun, points: &[[f64; 3]]) -> Result<StepField, DynamicsError> {
    let one = MrsRun {
        rounds: 1,
        ..run.clone()
    };
    let mut field = StepField {
        points: points.to_vec(),
        steps: Vec::with_capacity(points.len()),
        speeds: Vec::with_capacity(points.len()),
    };
    for p in points {
        let t = one.simulate_from(p)?;
        let f = t.policy(1);
        let d = [f[0] - p[0], f[1] - p[1], f[2] - p[2]];
        field
            .speeds
            .push(d.iter().map(|v| v * v).sum::<f64>().sqrt());
        field.steps.push(d);
    }
    Ok(field)
}

/// Trajectories of `run` (its T rounds) from each start, the base reference staying π₀.
pub fn trajectories(run: &MrsRun, starts: &[[f64; 3]]) -> Result<Vec<Trajectory>, DynamicsError> {
    starts.iter().map(|s| run.simulate_from(s)).collect()
}

/// One start's run in `results().dynamics.portrait.runs`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StartRun {
    /// The initial policy (normalised and nudged inside).
    pub start: [f64; 3],
    pub final_policy: Vec<f64>,
    pub verdict: Verdict,
}

/// The phase portrait of a K = 3 run: the step field on the lattice, the fixed point's
/// kind and the trajectories from the starts.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Portrait {
    /// The starts as initial policies (normalised, nudged inside), in link order.
    pub starts: Vec<[f64; 3]>,
    /// `Some(true)`: the fixed point attracts (`ρ < 1`) and is drawn filled; `Some(false)`:
    /// `ρ ≥ 1`, drawn hollow; `None`: no fixed point (a = 1).
    pub fixed_point_filled: Option<bool>,
    /// Number of lattice points.
    pub lattice_points: usize,
    /// The largest and smallest `‖F(π) − π‖₂` on the lattice.
    pub max_speed: f64,
    pub min_speed: f64,
    pub runs: Vec<StartRun>,
    #[serde(skip)]
    pub field: StepField,
    /// One trajectory per start (π_0..π_T).
    #[serde(skip)]
    pub trajectories: Vec<Trajectory>,
}

impl Portrait {
    /// The portrait of `run` (K = 3) on the lattice of [`LATTICE_DIVISIONS`], with the
    /// starts `raw_starts` (each read by [`start_policy`]; invalid ones are skipped, at most
    /// [`MAX_STARTS`]) and the fixed point's `ρ`.
    pub fn of(
        run: &MrsRun,
        raw_starts: &[[f64; 3]],
        rho: Option<f64>,
    ) -> Result<Portrait, DynamicsError> {
        let field = step_field(run, &lattice(LATTICE_DIVISIONS))?;
        let starts: Vec<[f64; 3]> = raw_starts
            .iter()
            .filter_map(|s| start_policy(s))
            .take(MAX_STARTS)
            .collect();
        let trajectories = trajectories(run, &starts)?;
        let runs = starts
            .iter()
            .zip(&trajectories)
            .map(|(s, t)| StartRun {
                start: *s,
                final_policy: t.last().to_vec(),
                verdict: Metrics::of(t, 0).verdict,
            })
            .collect();
        Ok(Portrait {
            fixed_point_filled: rho.map(|r| r < 1.0),
            lattice_points: field.points.len(),
            max_speed: field.max_speed(),
            min_speed: field.min_speed(),
            starts,
            runs,
            field,
            trajectories,
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;
    use crate::dynamics::{MrsParams, Solver};
    use crate::generators::Family;
    use crate::preference::PreferenceMatrix;
    use crate::simplex::softmax;

    fn rps(s: f64) -> PreferenceMatrix {
        Family::RockPaperScissors
            .generator(3, s)
            .generate(1)
            .unwrap()
    }

    fn run<'a>(
        p: &'a PreferenceMatrix,
        pi0: &'a [f64],
        mu0: &'a [f64],
        params: MrsParams,
    ) -> MrsRun<'a> {
        MrsRun {
            p,
            pi0,
            mu0,
            params,
            solver: Solver::Ipo,
            rounds: 60,
        }
    }

    const PI0: [f64; 3] = [0.5, 0.3, 0.2];
    const MU0: [f64; 3] = [0.2, 0.5, 0.3];

    fn params(alpha: f64, beta: f64, lam: f64, eta: f64) -> MrsParams {
        MrsParams {
            alpha,
            beta,
            lam,
            eta,
        }
    }

    #[test]
    fn the_lattice_has_the_interior_points_of_the_triangle() {
        let l = lattice(16);
        assert_eq!(l.len(), 105);
        assert_eq!(l[0], [14.0 / 16.0, 1.0 / 16.0, 1.0 / 16.0]);
        for p in &l {
            assert!((p.iter().sum::<f64>() - 1.0).abs() < 1e-15);
            assert!(p.iter().all(|&v| v >= 1.0 / 16.0 - 1e-15));
        }
        assert_eq!(lattice(4).len(), 3);
        assert!(lattice(2).is_empty() && lattice(0).is_empty());
    }

    #[test]
    fn the_field_vanishes_at_the_engines_fixed_point() {
        let p = rps(0.4);
        for (prm, rho_above_one) in [
            (params(0.5, 2.0, 0.8, 1.0), false),
            (params(0.95, 6.0, 1.0, 1.0), true),
            (params(0.3, 3.0, 0.6, 0.5), false),
        ] {
            let r = run(&p, &PI0, &MU0, prm);
            let st = r.stability().unwrap();
            let fp = st.fixed_point.unwrap();
            let rho = st.rho.unwrap();
            assert_eq!(rho > 1.0, rho_above_one, "ρ = {rho} for {prm:?}");
            let f = step_field(&r, &[[fp[0], fp[1], fp[2]]]).unwrap();
            assert!(f.speeds[0] < 1e-9, "‖F(π*) − π*‖ = {:e}", f.speeds[0]);
            // Away from it the map moves: a lattice point steps by more than 1e-3.
            let g = step_field(&r, &lattice(16)).unwrap();
            assert!(g.max_speed() > 1e-3, "max speed {}", g.max_speed());
        }
    }

    /// The step at a lattice point is one round of the dynamics started there, and the
    /// round follows MODEL.md's formulas written out by hand.
    #[test]
    fn the_step_is_one_round_of_the_dynamics_started_there() {
        let p = rps(0.3);
        let prm = params(0.6, 2.5, 0.7, 0.8);
        let r = run(&p, &PI0, &MU0, prm);
        let pts = lattice(16);
        let f = step_field(&r, &pts).unwrap();
        for (idx, pt) in pts.iter().enumerate().step_by(7) {
            let traj = r.simulate_from(pt).unwrap();
            assert_eq!(traj.rounds(), 60);
            for i in 0..3 {
                assert_eq!(f.steps[idx][i], traj.policy(1)[i] - pt[i], "point {idx}");
            }
            // By hand: y = α log π + (1−α) log π₀ + β P μ, π̃ = softmax(y),
            // log F = (1−η) log π + η log π̃.
            let mu: Vec<f64> = (0..3)
                .map(|i| prm.lam * pt[i] + (1.0 - prm.lam) * MU0[i])
                .collect();
            let pm = p.mul_vec(&mu);
            let y: Vec<f64> = (0..3)
                .map(|i| {
                    prm.alpha * pt[i].ln() + (1.0 - prm.alpha) * PI0[i].ln() + prm.beta * pm[i]
                })
                .collect();
            let tilde = softmax(&y);
            let z: Vec<f64> = (0..3)
                .map(|i| (1.0 - prm.eta) * pt[i].ln() + prm.eta * tilde[i].ln())
                .collect();
            let by_hand = softmax(&z);
            for i in 0..3 {
                assert!((f.steps[idx][i] - (by_hand[i] - pt[i])).abs() < 1e-12);
            }
        }
        // At the dynamics' own start, the step is the first step of the run.
        let f0 = step_field(&r, &[PI0]).unwrap();
        let t = r.simulate().unwrap();
        for i in 0..3 {
            assert_eq!(f0.steps[0][i], t.policy(1)[i] - t.policy(0)[i]);
        }
    }

    #[test]
    fn dpo_steps_are_one_round_of_mrs_dpo() {
        let p = rps(0.3);
        let r = MrsRun {
            solver: Solver::Dpo,
            ..run(&p, &PI0, &MU0, params(0.5, 2.0, 0.8, 1.0))
        };
        let pt = [0.2, 0.3, 0.5];
        let f = step_field(&r, &[pt]).unwrap();
        let t = r.simulate_from(&pt).unwrap();
        for i in 0..3 {
            assert_eq!(f.steps[0][i], t.policy(1)[i] - pt[i]);
        }
        assert!(f.speeds[0] > 1e-3);
    }

    #[test]
    fn a_start_changes_the_initial_policy_not_the_reference() {
        let p = rps(0.4);
        let r = run(&p, &PI0, &MU0, params(0.5, 2.0, 0.8, 1.0));
        let fp = r.stability().unwrap().fixed_point.unwrap();
        let t = r.simulate_from(&[0.1, 0.1, 0.8]).unwrap();
        let start = [0.1, 0.1, 0.8];
        for i in 0..3 {
            assert!((t.policy(0)[i] - start[i]).abs() < 1e-15);
        }
        // ρ < 1: from the start too the run goes to π₀'s fixed point.
        for i in 0..3 {
            assert!(
                (t.last()[i] - fp[i]).abs() < 1e-9,
                "{:?} vs {fp:?}",
                t.last()
            );
        }
        assert_eq!(r.simulate_from(&PI0).unwrap(), r.simulate().unwrap());
        assert!(r.simulate_from(&[0.5, 0.5]).is_err());
    }

    #[test]
    fn nudging_keeps_points_normalised_and_strictly_inside() {
        let cases: [[f64; 3]; 7] = [
            [1.0, 0.0, 0.0],
            [0.0, 0.5, 0.5],
            [0.3, 0.7, 0.0],
            [0.0005, 0.4995, 0.5],
            [0.001, 0.333, 0.666],
            [0.0, 0.0, 1.0],
            [0.998, 0.001, 0.001],
        ];
        for c in cases {
            let n = nudge_inside(c);
            assert!((n.iter().sum::<f64>() - 1.0).abs() < 1e-15, "{n:?}");
            let m = n.iter().copied().fold(f64::INFINITY, f64::min);
            assert!((m - NUDGED_MIN).abs() < 1e-15, "{c:?} → {n:?}");
            assert!(n.iter().all(|&v| v > EDGE && v < 1.0));
            assert_eq!(nudge_inside(n), n, "idempotent");
        }
        assert_eq!(nudge_inside([1.0, 0.0, 0.0]), [0.996, 0.002, 0.002]);
        // The direction from the centre is kept: (0, ½, ½) moves along the median.
        let n = nudge_inside([0.0, 0.5, 0.5]);
        assert_eq!(n[1], n[2]);
        // Interior points are untouched.
        assert_eq!(nudge_inside([0.2, 0.3, 0.5]), [0.2, 0.3, 0.5]);
        assert_eq!(nudge_inside([0.0011, 0.5, 0.4989]), [0.0011, 0.5, 0.4989]);
    }

    #[test]
    fn starts_are_read_normalised_and_nudged() {
        assert_eq!(start_policy(&[2.0, 1.0, 1.0]), Some([0.5, 0.25, 0.25]));
        assert_eq!(start_policy(&[5.0, 0.0, 0.0]), Some([0.996, 0.002, 0.002]));
        for bad in [
            &[0.0, 0.0, 0.0][..],
            &[-0.1, 0.5, 0.6],
            &[f64::NAN, 0.5, 0.5],
            &[f64::INFINITY, 0.5, 0.5],
            &[0.5, 0.5],
            &[0.2, 0.3, 0.4, 0.1],
            &[f64::MAX, f64::MAX, 1.0],
        ] {
            assert_eq!(start_policy(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn the_portrait_fills_the_fixed_point_only_when_it_attracts() {
        let p = rps(0.5);
        let starts = [[0.7, 0.2, 0.1], [1.0, 0.0, 0.0]];
        let calm = run(&p, &PI0, &MU0, params(0.5, 2.0, 0.8, 1.0));
        let rho = calm.stability().unwrap().rho;
        let pc = Portrait::of(&calm, &starts, rho).unwrap();
        assert_eq!(pc.fixed_point_filled, Some(true));
        assert_eq!(pc.lattice_points, 105);
        let want = [[0.7, 0.2, 0.1], [0.996, 0.002, 0.002]];
        assert_eq!(pc.starts.len(), 2);
        for (got, want) in pc.starts.iter().zip(want) {
            assert!(
                got.iter().zip(want).all(|(a, b)| (a - b).abs() < 1e-15),
                "{got:?}"
            );
        }
        assert_eq!(pc.trajectories.len(), 2);
        assert!(pc.runs.iter().all(|r| r.verdict == Verdict::Converged));
        assert!(pc.max_speed > pc.min_speed && pc.min_speed > 0.0);
        let wild = run(&p, &PI0, &MU0, params(0.95, 2.0, 0.8, 1.0));
        let rho = wild.stability().unwrap().rho;
        assert!(rho.unwrap() > 1.0);
        let pw = Portrait::of(&wild, &starts, rho).unwrap();
        assert_eq!(pw.fixed_point_filled, Some(false));
        assert!(pw.runs.iter().all(|r| r.verdict == Verdict::Oscillating));
        assert_eq!(
            Portrait::of(&wild, &[], None).unwrap().fixed_point_filled,
            None
        );
        // Invalid starts are skipped, at most MAX_STARTS kept.
        let many = [[0.2, 0.3, 0.5]; 12];
        assert_eq!(
            Portrait::of(&calm, &many, rho).unwrap().starts.len(),
            MAX_STARTS
        );
        let bad = [[0.0, 0.0, 0.0], [0.2, 0.3, 0.5]];
        assert_eq!(Portrait::of(&calm, &bad, rho).unwrap().starts.len(), 1);
    }

    /// `results().dynamics.portrait`: for K = 3 the starts of the link (nudged), the fixed
    /// point filled exactly when ρ < 1, the speeds; the lattice and paths are not in the JSON.
    #[test]
    fn the_report_carries_the_portrait_for_k3_only() {
        use crate::config::parse_query;
        use crate::report::Results;
        let q = "v=2&alpha=0.5&beta=2&lam=0.8&starts=0.7,0.2,0.1;1,0,0";
        let r = Results::compute(&parse_query(q).config);
        let d = r.dynamics.unwrap();
        let pt = d.portrait.as_ref().unwrap();
        assert!(d.stability.rho.unwrap() < 1.0);
        assert_eq!(pt.fixed_point_filled, Some(true));
        assert_eq!(pt.starts.len(), 2);
        assert_eq!(pt.starts[1], [0.996, 0.002, 0.002]);
        assert_eq!(pt.trajectories[0].rounds(), 150);
        let fp = d.stability.fixed_point.as_ref().unwrap();
        for run in &pt.runs {
            assert!(run
                .final_policy
                .iter()
                .zip(fp)
                .all(|(a, b)| (a - b).abs() < 1e-9));
        }
        let json = serde_json::to_value(&d).unwrap();
        let j = &json["portrait"];
        assert_eq!(j["fixed_point_filled"], true);
        assert_eq!(j["lattice_points"], 105);
        assert_eq!(j["max_speed"].as_f64(), Some(pt.max_speed));
        assert!(j.get("field").is_none() && j.get("trajectories").is_none());
        let hot = Results::compute(&parse_query("v=2&alpha=0.95&beta=2&lam=0.8").config);
        let d = hot.dynamics.unwrap();
        assert!(d.stability.rho.unwrap() > 1.0);
        let pt = d.portrait.unwrap();
        assert_eq!(pt.fixed_point_filled, Some(false));
        assert!(pt.starts.is_empty());
        let k5 = Results::compute(&parse_query("v=2&gen=cyclic&k=5").config);
        assert!(k5.dynamics.unwrap().portrait.is_none());
    }
}
