//! The paper's figures as playground configurations (Figures 1–5 of the seed) and the
//! real-data runs. Each preset is a canonical query, so the page and the CLI open it alike.

use serde::Serialize;

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
}

/// Figures 1–5. Figure 1 uses the deterministic rock–paper–scissors matrix (the strongest
/// 3-cycle) and Figure 2 a seeded random SST matrix (K = 5): the captions do not give P.
pub const FIGURES: [FigurePreset; 10] = [
    FigurePreset {
        id: "fig1a",
        figure: "Figure 1 (left)",
        title: "Cyclic P, baseline: converges",
        query: "v=1&alpha=0.3&beta=3&T=100",
        description: "Rock–paper–scissors, α = 0.3, β = 3, λ = 0.8, η = 1: ρ < 1 and the policy spirals into the fixed point.",
    },
    FigurePreset {
        id: "fig1b",
        figure: "Figure 1 (centre)",
        title: "Cyclic P, larger α: oscillates",
        query: "v=1&alpha=1&beta=3&T=100",
        description: "Same P with α raised to 1: ρ > 1 and the policy oscillates persistently.",
    },
    FigurePreset {
        id: "fig1c",
        figure: "Figure 1 (right)",
        title: "Cyclic P, larger βλ: oscillates",
        query: "v=1&alpha=0.3&beta=12&T=100",
        description: "Same P and α = 0.3 with βλ raised from 2.4 to 9.6 (β = 12, λ = 0.8): ρ > 1, persistent oscillation.",
    },
    FigurePreset {
        id: "fig2a",
        figure: "Figure 2 (left)",
        title: "Transitive P, baseline",
        query: "v=1&gen=sst&k=5&seed=2&alpha=0.2&beta=4&lam=0.5&T=30",
        description: "A random strongly stochastically transitive P (K = 5, seed 2), α = 0.2, β = 4, λ = 0.5: the policy settles with moderate entropy.",
    },
    FigurePreset {
        id: "fig2b",
        figure: "Figure 2 (centre)",
        title: "Transitive P, larger α: more extreme",
        query: "v=1&gen=sst&k=5&seed=2&alpha=1&beta=4&lam=0.5&T=30",
        description: "Same P with α = 1: on-policy sampling concentrates the policy further (lower final entropy).",
    },
    FigurePreset {
        id: "fig2c",
        figure: "Figure 2 (right)",
        title: "Transitive P, larger βλ: more extreme",
        query: "v=1&gen=sst&k=5&seed=2&alpha=0.2&beta=8&lam=0.5&T=30",
        description: "Same P with βλ doubled (β = 8): the policy becomes nearly deterministic.",
    },
    FigurePreset {
        id: "fig3",
        figure: "Figure 3",
        title: "Cyclic ensemble: variance over (α, βλ)",
        query: "v=1&view=phase&px=alpha&x0=0&x1=1&nx=21&py=betalam&y0=0.2&y1=8&ny=21&metric=var&ens=cyclic&ek=5&es=0.5&en=16&pT=300",
        description: "Mean ± sd of the time-averaged variance over 16 random cyclic 5×5 matrices: it grows with α and βλ; the ρ = 1 boundary separates converging from oscillating runs.",
    },
    FigurePreset {
        id: "fig4",
        figure: "Figure 4",
        title: "Transitive ensemble: final entropy over (α, βλ)",
        query: "v=1&view=phase&px=alpha&x0=0&x1=1&nx=21&py=betalam&y0=0.2&y1=8&ny=21&metric=entropy&ens=sst&ek=5&en=16&pT=300",
        description: "Mean ± sd of the final entropy H(π_T) over 16 random SST 5×5 matrices: it falls as α and βλ grow.",
    },
    FigurePreset {
        id: "fig5",
        figure: "Figure 5",
        title: "Cyclic ensemble: the effect of α at β = 2, λ = 0.8",
        query: "v=1&view=phase&px=alpha&x0=0&x1=1&nx=41&py=betalam&y0=1.6&y1=1.6&ny=1&metric=var&ens=cyclic&ek=5&es=0.5&en=16&pT=300",
        description: "βλ fixed at 1.6 (β = 2, λ = 0.8), α from 0 to 1 over 16 random cyclic 5×5 matrices: the time-averaged variance rises with α, but every run still converges. For circulant P the onset of oscillation is α* = √(1 − a²)/(κω) (MODEL.md); here a = 0.8 and κ = 2, so α* ≈ 1.04 for rock–paper–scissors and α* > 1 for every matrix of this ensemble: at β = 2, λ = 0.8 the onset lies just beyond fully on-policy sampling.",
    },
    FigurePreset {
        id: "arena",
        figure: "Real data",
        title: "Chatbot Arena (May 2023), on-policy",
        query: "v=1&preset=chatbot_arena_2023may_5&alpha=1&beta=3&T=100",
        description: "Five chatbots from the Chatbot Arena with the Figure 1 (centre) parameters: the preferences are transitive, so instead of oscillating the policy concentrates on gpt-4.",
    },
];

/// A figure preset by id.
pub fn figure(id: &str) -> Option<&'static FigurePreset> {
    FIGURES.iter().find(|f| f.id == id)
}
