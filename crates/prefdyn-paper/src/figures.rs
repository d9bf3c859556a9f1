//! The paper's figures as playground configurations (Figures 1–5 of the seed) and the
//! real-data runs. Each preset is a canonical query, so the page and the CLI open it alike.

use serde::Serialize;

use crate::claims::Claim;

/// One figure panel as a configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct FigurePreset {
    /// Short id, e.g. `fig1b`.
    pub id: &'static str,
    /// The figure it reproduces.
    pub figure: &'static str,
    pub title: &'static str,
    /// The query string (without `?`).
    pub query: &'static str,
    /// What it shows under MODEL.md's conventions, and where parameters differ from the caption.
    pub description: &'static str,
    /// What the description says the run does (`None` for one-shot and phase views), checked
    /// against the verdict.
    pub claim: Option<Claim>,
}

/// Figures 1–5 in the paper's names (α reference weight, λ on-policy share). Figure 1 uses
/// the deterministic rock–paper–scissors matrix (the paper's 3-cycle with s = 1/2) and
/// Figure 2 a seeded random SST matrix (K = 5): the captions do not give P. Figures 3 and
/// 4 average over the synthetic rated-responses ensembles (the paper's procedure, K = 4,
/// T = 3,000); Figure 5 sweeps α on the 3-cycle started next to its uniform fixed point,
/// where the closed-form onset applies.
pub const FIGURES: [FigurePreset; 13] = [
    FigurePreset {
        id: "fig1a",
        figure: "Figure 1 (left)",
        title: "Cyclic P, baseline: converges",
        query: "v=2&alpha=0.5&beta=2&lam=0.8&T=100",
        description: "Rock–paper–scissors, α = 0.5, β = 2, λ = 0.8 (βλ = 1.6), η = 1: ρ < 1 and the policy spirals into the fixed point.",
        claim: Some(Claim::Settles),
    },
    FigurePreset {
        id: "fig1b",
        figure: "Figure 1 (centre)",
        title: "Cyclic P, larger α: oscillates",
        query: "v=2&alpha=0.95&beta=2&lam=0.8&T=100",
        description: "Same P with α raised to 0.95 (the reference follows the policy more closely): ρ > 1 and the policy oscillates persistently.",
        claim: Some(Claim::Oscillates),
    },
    FigurePreset {
        id: "fig1c",
        figure: "Figure 1 (right)",
        title: "Cyclic P, larger βλ: oscillates",
        query: "v=2&alpha=0.5&beta=5&lam=0.8&T=100",
        description: "Same P and α = 0.5 with βλ raised from 1.6 to 4 (β = 5, λ = 0.8): ρ > 1, persistent oscillation.",
        claim: Some(Claim::Oscillates),
    },
    FigurePreset {
        id: "fig1map",
        figure: "Figure 1 (theory)",
        title: "Cyclic P over (α, βλ): the 3-cycle threshold",
        query: "v=2&view=phase&lam=0.8&pi0=0.34,0.33,0.33&nx=41&y1=6&ny=41&metric=verdict&ens=current&pT=1000",
        description: "Rock–paper–scissors started next to its uniform fixed point, every (α, βλ) simulated for 1,000 rounds (bright: oscillating; red: collapsed onto one response, at α = 1 from βλ ≈ 3). The orange curve is the paper's threshold α² + s²β²λ²/3 = 1, the white edges the ρ = 1 boundary at the actual fixed point, and below the cyan line α + (βλ/2)‖P − ½11ᵀ‖₂ = 1 convergence is certain from every start.",
        claim: None,
    },
    FigurePreset {
        id: "fig2a",
        figure: "Figure 2 (left)",
        title: "Transitive P, baseline",
        query: "v=2&gen=sst&k=5&seed=2&alpha=0.5&beta=2&lam=0.8&T=30",
        description: "A random strongly stochastically transitive P (K = 5, seed 2), α = 0.5, β = 2, λ = 0.8: the policy settles with moderate entropy.",
        claim: Some(Claim::Settles),
    },
    FigurePreset {
        id: "fig2b",
        figure: "Figure 2 (centre)",
        title: "Transitive P, larger α: more extreme",
        query: "v=2&gen=sst&k=5&seed=2&alpha=0.9&beta=2&lam=0.8&T=30",
        description: "Same P with α = 0.9: the concentration ratio βλ/(1−α) grows from 3.2 to 16 and the policy concentrates on the top response, E.",
        claim: Some(Claim::ConcentratesOn("E")),
    },
    FigurePreset {
        id: "fig2c",
        figure: "Figure 2 (right)",
        title: "Transitive P, larger βλ: more extreme",
        query: "v=2&gen=sst&k=5&seed=2&alpha=0.5&beta=5&lam=0.8&T=30",
        description: "Same P with βλ raised to 4 (β = 5): the concentration ratio is 8 and the policy concentrates on E, nearly deterministic.",
        claim: Some(Claim::ConcentratesOn("E")),
    },
    FigurePreset {
        id: "fig3",
        figure: "Figure 3",
        title: "Cyclic ensemble: variance over (α, βλ)",
        query: "v=2&view=phase&lam=0.8&nx=21&y1=8&ny=21&ens=rated_cyclic&ek=4&pT=3000",
        description: "Mean ± sd of the time-averaged variance over 16 cyclic K = 4 matrices from the paper's procedure on synthetic ratings, T = 3,000, λ = 0.8: it grows with α and βλ; the white ρ = 1 boundary separates converging from oscillating runs, and below the cyan line stability is certain.",
        claim: None,
    },
    FigurePreset {
        id: "fig4",
        figure: "Figure 4",
        title: "Transitive ensemble: final entropy over (α, βλ)",
        query: "v=2&view=phase&lam=0.8&nx=21&y1=8&ny=21&metric=entropy&ens=rated_sst&ek=4&pT=3000",
        description: "Mean ± sd of the final entropy H(π_T) over 16 strongly transitive K = 4 matrices from the paper's procedure on synthetic ratings, T = 3,000, λ = 0.8: it falls as α and βλ grow (the concentration ratio βλ/(1−α)), down to collapse at α = 1.",
        claim: None,
    },
    FigurePreset {
        id: "fig5",
        figure: "Figure 5",
        title: "Cyclic P: the effect of α at β = 2, λ = 0.8",
        query: "v=2&view=phase&lam=0.8&pi0=0.334,0.333,0.333&nx=101&py=beta&y0=2&y1=2&ny=1&ens=current&pT=3000",
        description: "Rock–paper–scissors started next to its uniform fixed point, α from 0 to 1 at β = 2, λ = 0.8, T = 3,000: the time-averaged variance stays near zero and jumps where oscillation starts. The orange marker is the closed-form onset α* = √(1 − (βλω)²) = 0.887 (ω = ρ(S)/K = s/√3 for the 3-cycle), the black one where ρ at the actual fixed point crosses 1.",
        claim: None,
    },
    FigurePreset {
        id: "arena",
        figure: "Real data",
        title: "Chatbot Arena (May 2023): concentration",
        query: "v=2&preset=chatbot_arena_2023may_5&alpha=0.95&beta=2&lam=0.8&T=100",
        description: "Five chatbots from the Chatbot Arena with the Figure 1 (centre) parameters: the preferences are transitive, so instead of oscillating the policy concentrates on gpt-4.",
        claim: Some(Claim::ConcentratesOn("gpt-4")),
    },
    FigurePreset {
        id: "finite1",
        figure: "Finite samples (1)",
        title: "Averages hide oscillations",
        query: "v=2&alpha=0.95&beta=2&lam=0.8&pi0=0.34,0.33,0.33&T=300&N=256",
        description: "Figure 1 (centre) with 256 labelled pairs per round and 32 realisations: every realisation keeps oscillating, but with random phases, so their mean path (dashed) looks calm; its time-averaged variance is a small fraction of the runs'.",
        claim: Some(Claim::Oscillates),
    },
    FigurePreset {
        id: "finite2",
        figure: "Finite samples (2)",
        title: "Collapse paths differ",
        query: "v=2&gen=rated_sst&k=4&seed=2&alpha=0.95&beta=2&lam=1&pi0=uniform&T=150&N=8",
        description: "A strongly transitive K = 4 matrix (synthetic ratings) with α = 0.95, β = 2, λ = 1 and 8 pairs per round: the population run collapses onto the top response, B, while the 32 realisations end with widely different entropies.",
        claim: Some(Claim::CollapsesOnto("B")),
    },
];

/// Figures 3 and 4 at the paper's own scale: T = 3,000 over as many synthetic K = 4
/// matrices as the paper's data gave (118 cyclic, 4,924 strongly transitive), on a 32×32
/// grid. Minutes of work for Figure 4, so they are offered beside the figures, not run by
/// `prefdyn figures`.
pub const PAPER_SCALE: [FigurePreset; 2] = [
    FigurePreset {
        id: "fig3paper",
        figure: "Figure 3 (paper scale)",
        title: "Cyclic ensemble at the paper's scale: 118 matrices",
        query: "v=2&view=phase&lam=0.8&y1=8&ens=rated_cyclic&ek=4&en=118&pT=3000",
        description: "Figure 3 with the paper's ensemble size: mean ± sd of the time-averaged variance over 118 cyclic K = 4 matrices (synthetic ratings), 32×32 cells, T = 3,000, λ = 0.8.",
        claim: None,
    },
    FigurePreset {
        id: "fig4paper",
        figure: "Figure 4 (paper scale)",
        title: "Transitive ensemble at the paper's scale: 4,924 matrices",
        query: "v=2&view=phase&lam=0.8&y1=8&metric=entropy&ens=rated_sst&ek=4&en=4924&pT=3000",
        description: "Figure 4 with the paper's ensemble size: mean ± sd of the final entropy over 4,924 strongly transitive K = 4 matrices (synthetic ratings), 32×32 cells, T = 3,000, λ = 0.8. Minutes of work; the coarse picture comes first.",
        claim: None,
    },
];

/// Figures 1 and 2 as the paper shows them: the baseline, a larger α and a larger βλ side
/// by side, one link with two variants. Run `i` of `figN` is the panel `figNa`, `figNb`,
/// `figNc` of [`FIGURES`] ([`panels`]).
pub const TRIPTYCHS: [FigurePreset; 2] = [
    FigurePreset {
        id: "fig1",
        figure: "Figure 1",
        title: "Cyclic P: baseline, larger α, larger βλ",
        query: "v=2&alpha=0.5&beta=2&lam=0.8&T=100&alpha.2=0.95&beta.3=5",
        description: "Rock–paper–scissors under the baseline (α = 0.5, β = 2, λ = 0.8: it converges), with α raised to 0.95 and with βλ raised to 4 (β = 5): both raise ρ above 1 and the policy oscillates.",
        claim: None,
    },
    FigurePreset {
        id: "fig2",
        figure: "Figure 2",
        title: "Transitive P: baseline, larger α, larger βλ",
        query: "v=2&gen=sst&k=5&seed=2&alpha=0.5&beta=2&lam=0.8&T=30&alpha.2=0.9&beta.3=5",
        description: "A random strongly transitive P (K = 5, seed 2) under the baseline (α = 0.5, β = 2, λ = 0.8), with α = 0.9 and with β = 5: the concentration ratio βλ/(1−α) grows from 3.2 to 16 and 8, and the policy concentrates on the top response, E.",
        claim: None,
    },
];

/// The panels of a triptych, in its runs' order (`fig1` → `fig1a`, `fig1b`, `fig1c`).
pub fn panels(triptych: &FigurePreset) -> Vec<&'static FigurePreset> {
    ["a", "b", "c"]
        .iter()
        .filter_map(|p| {
            let id = format!("{}{p}", triptych.id);
            FIGURES.iter().find(|f| f.id == id)
        })
        .collect()
}

/// A figure preset by id (the triptychs and the paper-scale ones included).
pub fn figure(id: &str) -> Option<&'static FigurePreset> {
    FIGURES
        .iter()
        .chain(&TRIPTYCHS)
        .chain(&PAPER_SCALE)
        .find(|f| f.id == id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use prefdyn::config::parse_query;
    use prefdyn::phase::{ensemble_members, Ensemble};

    /// Each triptych is one link whose runs are its three panels, each exactly the panel's
    /// own link.
    #[test]
    fn triptychs_are_their_panels_side_by_side() {
        for t in &TRIPTYCHS {
            let parsed = parse_query(t.query);
            assert!(parsed.issues.is_empty(), "{}: {:?}", t.id, parsed.issues);
            assert_eq!(prefdyn::config::to_query(&parsed.config), t.query);
            let runs = parsed.config.runs();
            let panels = panels(t);
            assert_eq!((runs.len(), panels.len()), (3, 3), "{}", t.id);
            for (run, panel) in runs.iter().zip(&panels) {
                assert_eq!(
                    run,
                    &parse_query(panel.query).config,
                    "{} vs {}",
                    t.id,
                    panel.id
                );
            }
            assert_eq!(figure(t.id), Some(t));
        }
    }

    /// The paper-scale presets open cleanly on the paper's ensembles: T = 3,000, 32×32
    /// cells, K = 4, 118 cyclic and 4,924 strongly transitive matrices (all drawn).
    #[test]
    fn paper_scale_presets_are_the_papers_ensembles() -> Result<(), String> {
        for (f, count) in PAPER_SCALE.iter().zip([118, 4924]) {
            let parsed = parse_query(f.query);
            assert!(parsed.issues.is_empty(), "{}: {:?}", f.id, parsed.issues);
            let c = parsed.config;
            assert_eq!((c.phase.rounds, c.phase.x.n, c.phase.y.n), (3000, 32, 32));
            let Ensemble::Family { k, count: n, .. } = c.phase.ensemble else {
                return Err(format!("{}: not a family ensemble", f.id));
            };
            assert_eq!((k, n), (4, count));
            let members = ensemble_members(&c.phase.ensemble, None).map_err(|e| e.to_string())?;
            assert_eq!(members.len(), count);
            assert!(figure(f.id).is_some());
        }
        Ok(())
    }
}
