//! Finding 4: strongly transitive preferences. Figure 2's panels and a coarse Figure 4 (the
//! final entropy falls as α and βλ grow); concentration is governed by `βλ/(1−α)` (at λ = 1
//! the fixed point depends on β and α only through it, and its entropy falls as it grows);
//! at α = 1 the policy collapses onto the top response.

use prefdyn::dynamics::{MrsParams, Solver};
use prefdyn::generators::Family;
use prefdyn::phase::{ensemble_members, Ensemble, EnsembleMember, PhaseGrid, PhaseMetric};
use prefdyn::simplex::{entropy, uniform};
use prefdyn::theory::TheoryReport;
use serde::Serialize;

use super::helpers::{
    at, coarse_grid, ipo_run, ipo_stability, max_abs_gap, mean_sd, monotone_steps, preset_runs,
    CoarseGrid, RunSummary,
};
use super::Measured;

/// What the concentration ratio and the α = 1 collapse did on the ensemble.
#[derive(Debug, Clone, Serialize)]
pub struct RatioCheck {
    /// Members (synthetic strongly transitive K = 4, Figure 4's ensemble).
    pub members: usize,
    /// `max |π*(α, β) − π*(α', β')|` over pairs with the same `β/(1−α)` (λ = η = 1,
    /// π₀ = μ₀ = uniform).
    pub same_ratio_max_difference: f64,
    /// The ratios, and the mean fixed-point entropy at each.
    pub ratios: Vec<f64>,
    pub mean_entropy: Vec<f64>,
    /// Members whose fixed-point entropy falls at every step of the ratio.
    pub monotone_members: usize,
    /// α = 1, η = 1 (β = 2, λ = 0.8, T = 3,000): runs that put more than 1 − 10⁻³ on the
    /// top the theory names, and the largest final entropy.
    pub collapsed_to_top: usize,
    pub max_final_entropy: f64,
    /// Members whose top is one response, and the largest final entropy among them
    /// (entropy collapse).
    pub top_singletons: usize,
    pub max_final_entropy_single_top: f64,
}

/// Finding 4.
#[derive(Debug, Clone, Serialize)]
pub struct TransitiveFinding {
    /// Figure 2's three panels.
    pub figure2: Vec<RunSummary>,
    /// Final entropy over Figure 4's 16 synthetic SST K = 4 matrices (T = 3,000), 5 × 5.
    pub entropy: Option<CoarseGrid>,
    /// `H(α = 0, βλ = 0.2) − H(α = 1, βλ = 8)`.
    pub corner_drop: f64,
    /// Adjacent steps along which the mean entropy falls.
    pub falling_steps: usize,
    pub total_steps: usize,
    /// The steps along α where the mean entropy does not fall.
    pub exceptions: Vec<String>,
    pub ratio: Option<RatioCheck>,
    pub error: Option<String>,
    pub holds: bool,
    pub summary: String,
}

impl Measured for TransitiveFinding {
    fn holds(&self) -> bool {
        self.holds
    }
    fn summary(&self) -> &str {
        &self.summary
    }
}

/// Figure 4's ensemble.
fn figure4_members() -> Result<Vec<EnsembleMember>, String> {
    ensemble_members(
        &Ensemble::Family {
            family: Family::RatedSst,
            k: 4,
            param: 0.5,
            count: 16,
            seed: 1,
        },
        None,
    )
    .map_err(|e| e.to_string())
}

fn ratio_check(members: &[EnsembleMember]) -> Result<RatioCheck, String> {
    let ratios = [0.5, 1.0, 2.0, 4.0, 8.0, 16.0];
    // Concentration relative to a uniform reference.
    let fixed_point = |m: &EnsembleMember, alpha: f64, beta: f64| -> Result<Vec<f64>, String> {
        let u = uniform(m.p.k());
        let params = MrsParams {
            alpha,
            beta,
            lam: 1.0,
            eta: 1.0,
        };
        ipo_stability(&m.p, &u, &u, params)?
            .fixed_point
            .ok_or_else(|| "no fixed point for α < 1".to_string())
    };
    let mut c = RatioCheck {
        members: members.len(),
        same_ratio_max_difference: 0.0,
        ratios: ratios.to_vec(),
        mean_entropy: vec![0.0; ratios.len()],
        monotone_members: 0,
        collapsed_to_top: 0,
        max_final_entropy: 0.0,
        top_singletons: 0,
        max_final_entropy_single_top: 0.0,
    };
    for m in members {
        let mut h = vec![];
        for (i, r) in ratios.iter().enumerate() {
            // β/(1−α) = r at α = 0.2 and at α = 0.7.
            let a = fixed_point(m, 0.2, r * 0.8)?;
            let b = fixed_point(m, 0.7, r * 0.3)?;
            c.same_ratio_max_difference = c.same_ratio_max_difference.max(max_abs_gap(&a, &b));
            h.push(entropy(&a));
            c.mean_entropy[i] += entropy(&a) / members.len() as f64;
        }
        c.monotone_members += usize::from(h.windows(2).all(|w| w[1] < w[0]));
        let params = MrsParams {
            alpha: 1.0,
            beta: 2.0,
            lam: 0.8,
            eta: 1.0,
        };
        let traj = ipo_run(&m.p, &m.pi0, &m.mu0, params, 3000)
            .simulate()
            .map_err(|e| e.to_string())?;
        let theory = TheoryReport::of(&m.p, &m.pi0, &m.mu0, &params);
        let last = traj.last();
        c.max_final_entropy = c.max_final_entropy.max(entropy(last));
        if let Some(t) = theory.transitive.filter(|t| t.collapses_to_top) {
            let on_top: f64 = t.top.iter().map(|&i| last[i]).sum();
            c.collapsed_to_top += usize::from(on_top > 1.0 - 1e-3);
            c.top_singletons += usize::from(t.top.len() == 1);
            if t.top.len() == 1 {
                c.max_final_entropy_single_top = c.max_final_entropy_single_top.max(entropy(last));
            }
        }
    }
    Ok(c)
}

/// Whether the ratio check supports the claim: same ratio, same fixed point; entropy
/// falling with the ratio in every member; every α = 1 run on the theory's top.
fn ratio_ok(c: &RatioCheck) -> bool {
    c.same_ratio_max_difference < 1e-9
        && c.monotone_members == c.members
        && c.collapsed_to_top == c.members
        && c.max_final_entropy_single_top < 1e-2
}

/// The steps along α where the mean entropy does not fall, one line each.
fn rising_alpha_steps(g: &PhaseGrid) -> Vec<String> {
    let mut out = vec![];
    for iy in 0..g.ny {
        for ix in 0..g.nx - 1 {
            if at(g, ix + 1, iy) >= at(g, ix, iy) {
                out.push(format!(
                    "α {} → {} at βλ {}: {:.3} → {:.3}",
                    g.x_values[ix],
                    g.x_values[ix + 1],
                    g.y_values[iy],
                    at(g, ix, iy),
                    at(g, ix + 1, iy)
                ));
            }
        }
    }
    out
}

/// Along βλ every step falls, in every column; along α the far end is lower in every row.
fn grid_shape_ok(g: &PhaseGrid) -> bool {
    let (nx, ny) = (g.nx, g.ny);
    let columns_fall = (0..nx).all(|ix| (0..ny - 1).all(|iy| at(g, ix, iy + 1) < at(g, ix, iy)));
    let rows_end_lower = (0..ny).all(|iy| at(g, nx - 1, iy) < at(g, 0, iy));
    columns_fall && rows_end_lower
}

/// The ratio check's part of the summary.
fn ratio_text(ratio: Option<&RatioCheck>) -> String {
    ratio
        .map(|c| {
            format!(
                "at λ = 1 the fixed point depends on (α, β) only through β/(1−α) (max difference {:.0e}); its mean entropy falls {:.3} → {:.3} nats as βλ/(1−α) goes {} → {} ({}/{} members at every step); at α = 1 {}/{} runs collapse onto the theory's top ({} with a single top response: max H(π_T) {:.1e})",
                c.same_ratio_max_difference,
                c.mean_entropy.first().copied().unwrap_or(f64::NAN),
                c.mean_entropy.last().copied().unwrap_or(f64::NAN),
                c.ratios.first().copied().unwrap_or(f64::NAN),
                c.ratios.last().copied().unwrap_or(f64::NAN),
                c.monotone_members,
                c.members,
                c.collapsed_to_top,
                c.members,
                c.top_singletons,
                c.max_final_entropy_single_top
            )
        })
        .unwrap_or_else(|| "ratio check failed".into())
}

/// The one-line summary, from the finding and its entropy grid.
fn transitive_summary(f: &TransitiveFinding, g: &PhaseGrid) -> String {
    let (h0, h1, h2) = (f.figure2[0].h(), f.figure2[1].h(), f.figure2[2].h());
    let ((m0, s0), (m1, s1)) = (mean_sd(g, 0, 0), mean_sd(g, g.nx - 1, g.ny - 1));
    format!(
        "Figure 2 (SST, K = 5): H(π_T) {h0:.3} (baseline) → {h1:.3} (α = 0.9), {h2:.3} (βλ = 4); 16 synthetic SST K = 4 matrices, T = 3,000, 5 × 5 grid α ∈ [0, 1] × βλ ∈ [0.2, 8]: mean H {m0:.3} ± {s0:.3} at (0, 0.2) → {m1:.3} ± {s1:.3} at (1, 8) nats; H falls along {}/{} grid steps{}; {}",
        f.falling_steps,
        f.total_steps,
        if f.exceptions.is_empty() {
            String::new()
        } else {
            format!(" (rises: {})", f.exceptions.join(", "))
        },
        ratio_text(f.ratio.as_ref()),
    )
}

/// Finding 4: Figure 2's presets, a coarse Figure 4, the concentration ratio and the α = 1
/// collapse.
pub fn transitive_entropy() -> TransitiveFinding {
    let mut f = TransitiveFinding {
        figure2: preset_runs(&["fig2a", "fig2b", "fig2c"], Solver::Ipo),
        entropy: None,
        corner_drop: f64::NAN,
        falling_steps: 0,
        total_steps: 0,
        exceptions: vec![],
        ratio: None,
        error: None,
        holds: false,
        summary: String::new(),
    };
    let (h0, h1, h2) = (f.figure2[0].h(), f.figure2[1].h(), f.figure2[2].h());
    let fig2_ok = h1 < h0 - 0.5 && h2 < h0 - 0.5;
    match figure4_members().and_then(|m| ratio_check(&m)) {
        Ok(c) => f.ratio = Some(c),
        Err(e) => f.error = Some(e),
    }
    let g = match coarse_grid("fig4", 5, 5, PhaseMetric::FinalEntropy) {
        Ok(g) => g,
        Err(e) => {
            f.summary = format!("phase sweep failed: {e}");
            f.error = Some(e);
            return f;
        }
    };
    f.corner_drop = at(&g, 0, 0) - at(&g, g.nx - 1, g.ny - 1);
    (f.falling_steps, f.total_steps) = monotone_steps(&g, -1.0, 0.0, 0);
    f.exceptions = rising_alpha_steps(&g);
    f.holds = f.error.is_none()
        && fig2_ok
        && f.ratio.as_ref().is_some_and(ratio_ok)
        && grid_shape_ok(&g)
        && f.corner_drop > 0.5
        && f.falling_steps as f64 >= 0.9 * f.total_steps as f64;
    f.summary = transitive_summary(&f, &g);
    f.entropy = Some(CoarseGrid::of("fig4", "final entropy H(π_T) [nats]", &g));
    f
}
