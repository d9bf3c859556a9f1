//! What a caption says a run does, in the verdict's terms (MODEL.md), so that a figure's
//! caption or a tour step's text never contradicts the verdict the page shows beside it.

use prefdyn::report::DynamicsReport;
use prefdyn::Verdict;
use serde::Serialize;

/// A caption's claim about a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Claim {
    /// Converged or converging, not concentrated on one response.
    Settles,
    /// Oscillating.
    Oscillates,
    /// Converged or converging, concentrated on the named response (≥ 90 %).
    ConcentratesOn(&'static str),
    /// Collapsed onto the named response.
    CollapsesOnto(&'static str),
}

impl Claim {
    /// Words of which the caption must contain one (lower case).
    pub fn words(self) -> &'static [&'static str] {
        match self {
            Claim::Settles => &["settles", "converges", "spirals into"],
            Claim::Oscillates => &["oscillat", "cycling"],
            Claim::ConcentratesOn(_) => &["concentrat"],
            Claim::CollapsesOnto(_) => &["collapse"],
        }
    }

    /// Whether the run's verdict agrees; the error says how it does not.
    pub fn check(self, d: &DynamicsReport, labels: &[String]) -> Result<(), String> {
        let m = &d.metrics;
        let name = |i: usize| labels.get(i).map(String::as_str).unwrap_or("");
        let settles = matches!(m.verdict, Verdict::Converged | Verdict::Converging);
        let ok = match self {
            Claim::Settles => settles && m.concentrated().is_none(),
            Claim::Oscillates => m.verdict == Verdict::Oscillating,
            Claim::ConcentratesOn(who) => {
                settles && m.concentrated().is_some_and(|(i, _)| name(i) == who)
            }
            Claim::CollapsesOnto(who) => m.verdict == Verdict::Collapsed && name(m.top) == who,
        };
        if ok {
            Ok(())
        } else {
            Err(format!(
                "claims {self:?} but the verdict is \"{}\"",
                d.verdict_text
            ))
        }
    }

    /// Whether `caption` says it (one of [`Claim::words`], and the response's name).
    pub fn stated_in(self, caption: &str) -> bool {
        let lower = caption.to_lowercase();
        let named = match self {
            Claim::ConcentratesOn(who) | Claim::CollapsesOnto(who) => caption.contains(who),
            _ => true,
        };
        named && self.words().iter().any(|w| lower.contains(w))
    }
}
