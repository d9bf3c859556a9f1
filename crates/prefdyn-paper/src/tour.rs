//! The guided tour of the paper (`tour=N`): nine configurations, each with two or three
//! sentences, from the one-shot result (the sampling distribution decides the winner) to
//! the iterative loop (oscillation, collapse, certain stability, finite samples). Every
//! number a step's text states is checked against the engine in `tests/tour.rs` and in
//! the page by `tests/e2e/tour.test.mjs`.

use prefdyn::config::MAX_TOUR_STEP;
use serde::Serialize;

use crate::claims::Claim;

/// The part of the page that shows a step's point: brought into view (on a phone too, and
/// in an embed) and marked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Focus {
    /// The one-shot chart, with the panel of strategy `panel` (display order: uniform,
    /// reference, on-policy, maximal-lottery mix) framed and its bars labelled.
    OneShot { panel: usize },
    /// The π_t chart.
    Policy,
    /// The entropy chart.
    Entropy,
    /// The K = 3 phase portrait.
    Simplex,
    /// The phase diagram.
    Phase,
}

/// One step: a configuration and what to look at in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TourStep {
    pub title: &'static str,
    /// Two or three sentences; every number in them is shown on the page (3 significant
    /// digits, as the page writes it).
    pub text: &'static str,
    /// The canonical query (without `?` and without `tour`).
    pub query: &'static str,
    /// What shows the point.
    pub focus: Focus,
    /// What the text says the run does, checked against the verdict.
    pub claim: Option<Claim>,
}

/// The tour, in order (`tour=1` is the first step).
pub const TOUR: [TourStep; 9] = [
    TourStep {
        title: "Uniform sampling ranks by Borda",
        text: "Five responses; E beats every other one head to head: it is the Condorcet winner. Optimise once with IPO on pairs sampled uniformly (the framed panel) and the optimum puts D first, 0.262 against E's 0.249: under uniform sampling IPO ranks by Borda score, and D has the highest.",
        query: "v=2&view=oneshot&gen=random&k=5&seed=57",
        focus: Focus::OneShot { panel: 0 },
        claim: None,
    },
    TourStep {
        title: "The maximal-lottery mix restores the winner",
        text: "Same preferences, same β: sample the pairs from the maximal lottery of P instead (the framed panel: all of it on E, mixed with 1% uniform) and E is on top again with 0.251, while D falls to 0.18. The data did not change; the sampling distribution decided the winner.",
        query: "v=2&view=oneshot&gen=random&k=5&seed=57",
        focus: Focus::OneShot { panel: 3 },
        claim: None,
    },
    TourStep {
        title: "On-policy sampling concentrates",
        text: "With strongly transitive preferences, sampling the pairs from the policy itself (the self-consistent on-policy optimum, framed) puts more mass on the best response than uniform sampling. E gets 0.705 against 0.66, and the entropy falls from 1.05 to 1.01 nats.",
        query: "v=2&view=oneshot&gen=sst&k=5&seed=2&ob=5",
        focus: Focus::OneShot { panel: 2 },
        claim: None,
    },
    TourStep {
        title: "Train on your own outputs: a cycle spirals in",
        text: "Now repeat the optimisation on the model's own samples (MRS-IPO): the reference is the current policy with weight α and π₀ with 1 − α; a share λ of the pairs comes from the current policy. On rock–paper–scissors with α = 0.5, β = 2, λ = 0.8 the policy spirals into its fixed point on the simplex: ρ = 0.586 < 1.",
        query: "v=2&alpha=0.5&beta=2&lam=0.8&T=100",
        focus: Focus::Simplex,
        claim: Some(Claim::Settles),
    },
    TourStep {
        title: "A larger α makes the cycle oscillate",
        text: "Let the reference follow the policy more closely, α = 0.95: the fixed point turns unstable (ρ = 1.05 > 1) and the policy keeps cycling through the three responses (time-averaged variance V = 0.0768). The spiral of the last step has become a persistent oscillation.",
        query: "v=2&alpha=0.95&beta=2&lam=0.8&T=100",
        focus: Focus::Policy,
        claim: Some(Claim::Oscillates),
    },
    TourStep {
        title: "So does a larger βλ",
        text: "Back to α = 0.5, with β = 5 (βλ = 4): ρ = 1.12 and the oscillation persists. The paper's 3-cycle threshold α² + s²β²λ²/3 = 1.58 > 1 says the same.",
        query: "v=2&alpha=0.5&beta=5&lam=0.8&T=100",
        focus: Focus::Policy,
        claim: Some(Claim::Oscillates),
    },
    TourStep {
        title: "Strong transitivity concentrates",
        text: "With strongly stochastically transitive preferences there is no cycle to keep the policy moving: it concentrates on the top response, E. At α = 0.9 E holds 99.9 % after 30 rounds and the entropy H(π_T) is 0.00971 nats; at α = 1 the policy collapses onto E.",
        query: "v=2&gen=sst&k=5&seed=2&alpha=0.9&beta=2&lam=0.8&T=30",
        focus: Focus::Policy,
        claim: Some(Claim::ConcentratesOn("E")),
    },
    TourStep {
        title: "Where stability is certain",
        text: "Every (α, βλ) at once for rock–paper–scissors, each cell the verdict of a 1,000-round run (bright: oscillating; red: collapsed onto one response); the white edge is ρ = 1. Below the cyan line α + (βλ/2)‖P − ½11ᵀ‖₂ = 1 (dotted) the paper proves convergence from every start, and every cell there settles. On the right edge, α = 1, the reference follows the policy: the cycle spirals outwards, and from βλ ≈ 3 the run collapses onto one response.",
        query: "v=2&view=phase&lam=0.8&pi0=0.34,0.33,0.33&nx=41&y1=6&ny=41&metric=verdict&ens=current&pT=1000",
        focus: Focus::Phase,
        claim: None,
    },
    TourStep {
        title: "Finite samples hide the oscillation",
        text: "With N = 256 labelled pairs per round, each of 32 runs still oscillates (faint lines), but they drift out of phase and their average (the bold lines) looks flat: its V is below a tenth of the runs' average V. Averaging over seeds hides oscillation. This is the end of the tour: the playground is yours.",
        query: "v=2&alpha=0.95&beta=2&lam=0.8&pi0=0.34,0.33,0.33&T=300&N=256",
        focus: Focus::Policy,
        claim: Some(Claim::Oscillates),
    },
];

const _: () = assert!(TOUR.len() <= MAX_TOUR_STEP);

/// Step `n` (1-based).
pub fn step(n: usize) -> Option<&'static TourStep> {
    n.checked_sub(1).and_then(|i| TOUR.get(i))
}

/// Keys that frame a link (where and how it is shown) without configuring a run.
const FRAMING: &[&str] = &["v", "tour", "embed", "theme", "controls", "view"];

/// The tour step a bare link names (`?tour=3`, with at most framing keys), whose
/// configuration the page then opens; `None` when the link configures a run itself.
pub fn bare_step(query: &str) -> Option<usize> {
    let query = query.trim_start_matches('?');
    let mut n = None;
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        if !FRAMING.contains(&key) {
            return None;
        }
        if key == "tour" {
            n = value.trim().parse::<usize>().ok();
        }
    }
    n.filter(|&n| step(n).is_some())
}

/// The link of step `n`, keeping the framing `extra` (`embed=1&theme=dark`, or empty).
pub fn step_query(n: usize, extra: &str) -> Option<String> {
    let s = step(n)?;
    let mut q = format!("{}&tour={n}", s.query);
    if !extra.is_empty() {
        q.push('&');
        q.push_str(extra);
    }
    Some(q)
}
