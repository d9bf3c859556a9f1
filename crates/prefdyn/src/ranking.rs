//! Ranking properties of a policy with respect to P.

use serde::Serialize;

use crate::preference::PreferenceMatrix;
use crate::simplex::{argmax, entropy};
use crate::social_choice::{condorcet_winner, smith_set};

/// Properties of a policy π (MODEL.md).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RankingProperties {
    /// `argmax π` (first on ties).
    pub top: usize,
    /// Every response tied for the top (within 1e-9 of `max π`); one entry without a tie.
    pub top_tie: Vec<usize>,
    /// `Some(argmax π == CW)` when a Condorcet winner exists, else `None`.
    pub condorcet_consistent: Option<bool>,
    /// `argmax π` is in the Smith set.
    pub top_in_smith: bool,
    /// Every Smith member has more mass than every non-member.
    pub smith_on_top: bool,
    /// `H(π)` in nats.
    pub entropy: f64,
}

impl RankingProperties {
    pub fn of(p: &PreferenceMatrix, pi: &[f64]) -> Self {
        let top = argmax(pi).unwrap_or(0);
        let smith = smith_set(p);
        let in_smith = |i: usize| smith.contains(&i);
        let min_in = smith.iter().map(|&i| pi[i]).fold(f64::INFINITY, f64::min);
        let max_out = (0..p.k())
            .filter(|&i| !in_smith(i))
            .map(|i| pi[i])
            .fold(f64::NEG_INFINITY, f64::max);
        let max = pi.get(top).copied().unwrap_or(0.0);
        Self {
            top,
            top_tie: (0..pi.len()).filter(|&i| max - pi[i] <= 1e-9).collect(),
            condorcet_consistent: condorcet_winner(p).map(|cw| cw == top),
            top_in_smith: in_smith(top),
            smith_on_top: min_in > max_out,
            entropy: entropy(pi),
        }
    }
}
