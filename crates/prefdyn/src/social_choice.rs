//! Social-choice diagnostics of a preference matrix.

use serde::Serialize;

use crate::preference::PreferenceMatrix;

/// Boolean reachability closure of a digraph given by `edge(i, j)` (reflexive).
pub fn reachability(k: usize, edge: impl Fn(usize, usize) -> bool) -> Vec<bool> {
    let mut r = vec![false; k * k];
    for i in 0..k {
        for j in 0..k {
            r[i * k + j] = i == j || edge(i, j);
        }
    }
    for m in 0..k {
        for i in 0..k {
            if r[i * k + m] {
                for j in 0..k {
                    if r[m * k + j] {
                        r[i * k + j] = true;
                    }
                }
            }
        }
    }
    r
}

/// The responses that reach every response in the digraph `edge`: its top strongly
/// connected component when the digraph is complete (a tournament or weak tournament).
pub fn top_component(k: usize, edge: impl Fn(usize, usize) -> bool) -> Vec<usize> {
    let r = reachability(k, edge);
    (0..k).filter(|&i| (0..k).all(|j| r[i * k + j])).collect()
}

/// Whether the digraph `edge` is strongly connected.
pub fn strongly_connected(k: usize, edge: impl Fn(usize, usize) -> bool) -> bool {
    reachability(k, edge).iter().all(|&b| b)
}

/// Condorcet winner: the response with `P[i][j] > 1/2` for every `j ≠ i`.
pub fn condorcet_winner(p: &PreferenceMatrix) -> Option<usize> {
    let k = p.k();
    (0..k).find(|&i| (0..k).all(|j| j == i || p.get(i, j) > 0.5))
}

/// Smith set: top strongly connected component of the weak-majority digraph
/// (`i → j` iff `P[i][j] ≥ 1/2`).
pub fn smith_set(p: &PreferenceMatrix) -> Vec<usize> {
    top_component(p.k(), |i, j| p.get(i, j) >= 0.5)
}

/// Borda score `(1/K) Σ_j P_ij`.
pub fn borda(p: &PreferenceMatrix) -> Vec<f64> {
    let k = p.k() as f64;
    (0..p.k())
        .map(|i| p.row(i).iter().sum::<f64>() / k)
        .collect()
}

/// Copeland score: majority wins plus ½ per tie (`j ≠ i`).
pub fn copeland(p: &PreferenceMatrix) -> Vec<f64> {
    let k = p.k();
    (0..k)
        .map(|i| {
            (0..k)
                .filter(|&j| j != i)
                .map(|j| {
                    let v = p.get(i, j);
                    if v > 0.5 {
                        1.0
                    } else if v == 0.5 {
                        0.5
                    } else {
                        0.0
                    }
                })
                .sum()
        })
        .collect()
}

/// Number of strict majority 3-cycles (unordered triples {i, j, k} with i ≻ j ≻ k ≻ i
/// in one orientation).
pub fn three_cycles(p: &PreferenceMatrix) -> usize {
    let k = p.k();
    let beats = |a: usize, b: usize| p.get(a, b) > 0.5;
    let mut n = 0;
    for a in 0..k {
        for b in a + 1..k {
            for c in b + 1..k {
                if (beats(a, b) && beats(b, c) && beats(c, a))
                    || (beats(b, a) && beats(c, b) && beats(a, c))
                {
                    n += 1;
                }
            }
        }
    }
    n
}

/// Strong stochastic transitivity: `P_ij ≥ 1/2 ∧ P_jk ≥ 1/2 ⇒ P_ik ≥ max(P_ij, P_jk)`
/// for distinct i, j, k.
pub fn is_sst(p: &PreferenceMatrix) -> bool {
    let k = p.k();
    for i in 0..k {
        for j in 0..k {
            if j == i || p.get(i, j) < 0.5 {
                continue;
            }
            for l in 0..k {
                if l == i || l == j || p.get(j, l) < 0.5 {
                    continue;
                }
                if p.get(i, l) < p.get(i, j).max(p.get(j, l)) {
                    return false;
                }
            }
        }
    }
    true
}

/// Why the maximal-lottery LP failed (never for a valid P; reported, not panicked).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("maximal lottery: the LP solver failed ({0})")]
pub struct LotteryError(pub String);

/// Maximal lottery: the maximin p of the symmetric zero-sum game with payoff `S = P − 1/2`,
/// `max v s.t. Σ_i p_i S_ij ≥ v ∀j, p ∈ Δ_K` (value 0). Unique for generic P; with exact
/// ties in P several p can be optimal and a vertex is returned. Entries below 1e-12 are set
/// to 0 and the result renormalised.
///
/// Solved as the game with payoff `M = S + 1 > 0`: `x = p / (v + 1)` minimises `Σ x` subject
/// to `Mᵀx ≥ 1, x ≥ 0`; its dual `max Σ y` subject to `M y ≤ 1, y ≥ 0` starts feasible at
/// `y = 0`, so one phase of the dense simplex method (Bland's rule, which cannot cycle)
/// solves it, and x is read off the slack columns of the final objective row. A dedicated
/// solver of ~60 lines instead of a general LP crate: it keeps the page's module small.
pub fn maximal_lottery(p: &PreferenceMatrix) -> Result<Vec<f64>, LotteryError> {
    let k = p.k();
    let x = game_simplex(k, |i, j| p.get(i, j) - 0.5 + 1.0)?;
    let mut q: Vec<f64> = x.iter().map(|&v| if v < 1e-12 { 0.0 } else { v }).collect();
    let s: f64 = q.iter().sum();
    if s.is_nan() || s <= 0.0 {
        return Err(LotteryError("empty solution".into()));
    }
    for x in q.iter_mut() {
        *x /= s;
    }
    Ok(q)
}

/// The optimal `x ≥ 0` of `min Σ x` s.t. `Σ_i x_i m(i, j) ≥ 1 ∀j` for a positive `K × K`
/// payoff `m`, by the simplex method on its dual (tableau of K rows, 2K + 1 columns).
fn game_simplex(k: usize, m: impl Fn(usize, usize) -> f64) -> Result<Vec<f64>, LotteryError> {
    const EPS: f64 = 1e-12;
    let cols = 2 * k + 1;
    // Rows 0..k: Σ_j m(i, j) y_j + s_i = 1; row k: the objective z − Σ y = 0.
    let mut t = vec![0.0; (k + 1) * cols];
    for i in 0..k {
        for j in 0..k {
            t[i * cols + j] = m(i, j);
        }
        t[i * cols + k + i] = 1.0;
        t[i * cols + 2 * k] = 1.0;
    }
    for j in 0..k {
        t[k * cols + j] = -1.0;
    }
    let mut basis: Vec<usize> = (k..2 * k).collect();
    for _ in 0..50 * (k + 1) * (k + 1) {
        // Bland: the first column with a negative reduced cost enters.
        let Some(e) = (0..2 * k).find(|&c| t[k * cols + c] < -EPS) else {
            return Ok((0..k).map(|i| t[k * cols + k + i]).collect());
        };
        // Ratio test; ties go to the smallest basic variable.
        let leave = (0..k)
            .filter(|&r| t[r * cols + e] > EPS)
            .map(|r| (t[r * cols + 2 * k] / t[r * cols + e], basis[r], r))
            .min_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)))
            .map(|(_, _, r)| r)
            .ok_or_else(|| LotteryError("unbounded".into()))?;
        pivot(&mut t, cols, leave, e);
        basis[leave] = e;
    }
    Err(LotteryError("no optimum after the iteration limit".into()))
}

/// Gauss–Jordan pivot of tableau `t` (rows of `cols`) on row `r`, column `c`.
fn pivot(t: &mut [f64], cols: usize, r: usize, c: usize) {
    let inv = 1.0 / t[r * cols + c];
    for v in &mut t[r * cols..(r + 1) * cols] {
        *v *= inv;
    }
    let row: Vec<f64> = t[r * cols..(r + 1) * cols].to_vec();
    for (i, other) in t.chunks_exact_mut(cols).enumerate() {
        let f = other[c];
        if i != r && f != 0.0 {
            for (o, v) in other.iter_mut().zip(&row) {
                *o -= f * v;
            }
        }
    }
}

/// `min_j Σ_i q_i S_ij`: what lottery q guarantees against every response (≥ 0 iff q is a
/// maximal lottery); NaN when q's length is not K.
pub fn lottery_guarantee(p: &PreferenceMatrix, q: &[f64]) -> f64 {
    if q.len() != p.k() {
        return f64::NAN;
    }
    (0..p.k())
        .map(|j| {
            q.iter()
                .enumerate()
                .map(|(i, qi)| qi * (p.get(i, j) - 0.5))
                .sum::<f64>()
        })
        .fold(f64::INFINITY, f64::min)
}

/// The index of the largest entry when no other entry is within 1e-12 of it.
fn unique_max(v: &[f64]) -> Option<usize> {
    let i = crate::simplex::argmax(v)?;
    let tied = v
        .iter()
        .enumerate()
        .any(|(j, &x)| j != i && (x - v[i]).abs() <= 1e-12);
    (!tied).then_some(i)
}

/// All diagnostics of MODEL.md for one matrix.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Diagnostics {
    pub condorcet_winner: Option<usize>,
    pub smith_set: Vec<usize>,
    pub maximal_lottery: Option<Vec<f64>>,
    pub borda: Vec<f64>,
    /// The unique highest Borda score (`None` on a tie).
    pub borda_winner: Option<usize>,
    pub copeland: Vec<f64>,
    pub three_cycles: usize,
    pub sst: bool,
}

impl Diagnostics {
    pub fn of(p: &PreferenceMatrix) -> Self {
        let b = borda(p);
        Self {
            condorcet_winner: condorcet_winner(p),
            smith_set: smith_set(p),
            maximal_lottery: maximal_lottery(p).ok(),
            borda_winner: unique_max(&b),
            borda: b,
            copeland: copeland(p),
            three_cycles: three_cycles(p),
            sst: is_sst(p),
        }
    }
}
