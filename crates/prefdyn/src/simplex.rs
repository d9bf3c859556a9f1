//! Distributions on the simplex Δ_K, kept in log space where it matters.

/// `log Σ exp(y_i)`, computed as `m + log Σ exp(y_i − m)` with `m = max y`.
pub fn log_sum_exp(y: &[f64]) -> f64 {
    let m = y.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if !m.is_finite() {
        return m;
    }
    m + y.iter().map(|v| (v - m).exp()).sum::<f64>().ln()
}

/// In place: `y ← y − log Σ exp(y)` (log-softmax).
pub fn log_softmax_in_place(y: &mut [f64]) {
    let lse = log_sum_exp(y);
    for v in y.iter_mut() {
        *v -= lse;
    }
}

/// `softmax(y)_i = exp(y_i) / Σ_j exp(y_j)`.
pub fn softmax(y: &[f64]) -> Vec<f64> {
    let mut x = y.to_vec();
    log_softmax_in_place(&mut x);
    x.iter().map(|v| v.exp()).collect()
}

/// Shannon entropy `H(π) = −Σ π_i log π_i` in nats (0 log 0 = 0).
pub fn entropy(pi: &[f64]) -> f64 {
    -pi.iter()
        .filter(|&&p| p > 0.0)
        .map(|&p| p * p.ln())
        .sum::<f64>()
}

/// The uniform distribution on K points.
pub fn uniform(k: usize) -> Vec<f64> {
    vec![1.0 / k as f64; k]
}

/// `Σ_i |a_i − b_i|`.
pub fn l1_distance(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| (x - y).abs()).sum()
}

/// Index of the largest entry; among entries within `1e-12·max(1, |max|)` of the largest,
/// the first (so that rounding differences between platforms cannot change the answer).
/// `None` for an empty slice or when every entry is NaN.
pub fn argmax(v: &[f64]) -> Option<usize> {
    let m = v
        .iter()
        .copied()
        .filter(|x| !x.is_nan())
        .fold(f64::NEG_INFINITY, f64::max);
    if v.is_empty() || m == f64::NEG_INFINITY && v.iter().all(|x| x.is_nan()) {
        return None;
    }
    let tol = 1e-12 * m.abs().max(1.0);
    v.iter().position(|&x| x >= m - tol)
}

/// Why a vector is not a strictly positive distribution.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DistributionError {
    #[error("expected {expected} entries, got {got}")]
    WrongLength { expected: usize, got: usize },
    #[error("entry {index} is {value}, not a finite number")]
    NotFinite { index: usize, value: f64 },
    #[error("entry {index} is {value}; entries must be > 0")]
    NotPositive { index: usize, value: f64 },
}

/// Checks that `v` has `k` finite, strictly positive entries and returns `v / Σ v`.
pub fn normalise_positive(v: &[f64], k: usize) -> Result<Vec<f64>, DistributionError> {
    if v.len() != k {
        return Err(DistributionError::WrongLength {
            expected: k,
            got: v.len(),
        });
    }
    for (index, &value) in v.iter().enumerate() {
        if !value.is_finite() {
            return Err(DistributionError::NotFinite { index, value });
        }
        if value <= 0.0 {
            return Err(DistributionError::NotPositive { index, value });
        }
    }
    let s: f64 = v.iter().sum();
    Ok(v.iter().map(|x| x / s).collect())
}

/// Subtracts the mean: the representative of `x` modulo constants on the sum-zero subspace.
pub fn centre(x: &mut [f64]) {
    if x.is_empty() {
        return;
    }
    let m = x.iter().sum::<f64>() / x.len() as f64;
    for v in x.iter_mut() {
        *v -= m;
    }
}
