//! Preference matrices: `P[i][j] = Pr(i ≻ j)`, `P + Pᵀ = 1`, `diag P = 1/2`.

use serde::{Deserialize, Serialize};

/// Largest number of responses the engine accepts.
pub const MAX_K: usize = 64;
/// Tolerance on `P[i][j] + P[j][i] = 1` when reading values.
pub const PAIR_TOLERANCE: f64 = 1e-6;

/// Why values do not form a preference matrix.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PreferenceError {
    #[error("K = {k}: need between 2 and {MAX_K} responses")]
    BadSize { k: usize },
    #[error("row {row} has {got} entries, expected {expected}")]
    NotSquare {
        row: usize,
        got: usize,
        expected: usize,
    },
    #[error("P[{i}][{j}] = {value} is not a finite number")]
    NotFinite { i: usize, j: usize, value: f64 },
    #[error("P[{i}][{j}] = {value} is outside [0, 1]")]
    OutOfRange { i: usize, j: usize, value: f64 },
    #[error("P[{i}][{j}] + P[{j}][{i}] = {sum}, must be 1")]
    Inconsistent { i: usize, j: usize, sum: f64 },
    #[error("P[{i}][{i}] = {value}, must be 1/2")]
    BadDiagonal { i: usize, value: f64 },
    #[error("{got} labels for K = {k} responses")]
    BadLabels { got: usize, k: usize },
    #[error("expected {expected} upper-triangle values for K = {k}, got {got}")]
    BadUpperLength {
        k: usize,
        expected: usize,
        got: usize,
    },
}

/// A validated K×K preference matrix with response labels.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PreferenceMatrix {
    k: usize,
    /// Row-major, `p[i * k + j] = P[i][j]`.
    p: Vec<f64>,
    labels: Vec<String>,
}

/// Default labels: A, B, …, Z, AA, AB, …
pub fn default_labels(k: usize) -> Vec<String> {
    (0..k)
        .map(|i| {
            let mut s = String::new();
            let mut n = i;
            loop {
                s.insert(0, (b'A' + (n % 26) as u8) as char);
                if n < 26 {
                    break;
                }
                n = n / 26 - 1;
            }
            s
        })
        .collect()
}

fn check_size(k: usize) -> Result<(), PreferenceError> {
    if (2..=MAX_K).contains(&k) {
        Ok(())
    } else {
        Err(PreferenceError::BadSize { k })
    }
}

fn check_entry(i: usize, j: usize, value: f64) -> Result<(), PreferenceError> {
    if !value.is_finite() {
        return Err(PreferenceError::NotFinite { i, j, value });
    }
    if !(0.0..=1.0).contains(&value) {
        return Err(PreferenceError::OutOfRange { i, j, value });
    }
    Ok(())
}

impl PreferenceMatrix {
    /// From full rows. Checks size, finiteness, range, the diagonal and
    /// `P[i][j] + P[j][i] = 1` (to [`PAIR_TOLERANCE`]); the lower triangle is then
    /// set to `1 − upper` exactly.
    pub fn from_rows(rows: &[Vec<f64>]) -> Result<Self, PreferenceError> {
        let k = rows.len();
        check_size(k)?;
        for (row, r) in rows.iter().enumerate() {
            if r.len() != k {
                return Err(PreferenceError::NotSquare {
                    row,
                    got: r.len(),
                    expected: k,
                });
            }
            for (j, &value) in r.iter().enumerate() {
                check_entry(row, j, value)?;
            }
        }
        for (i, r) in rows.iter().enumerate() {
            if (r[i] - 0.5).abs() > PAIR_TOLERANCE {
                return Err(PreferenceError::BadDiagonal { i, value: r[i] });
            }
            for j in i + 1..k {
                let sum = r[j] + rows[j][i];
                if (sum - 1.0).abs() > PAIR_TOLERANCE {
                    return Err(PreferenceError::Inconsistent { i, j, sum });
                }
            }
        }
        Ok(Self::from_upper_unchecked(k, |i, j| rows[i][j]))
    }

    /// From the strict upper triangle in row order (`P[0][1], P[0][2], …, P[K−2][K−1]`).
    pub fn from_upper(k: usize, upper: &[f64]) -> Result<Self, PreferenceError> {
        check_size(k)?;
        let expected = k * (k - 1) / 2;
        if upper.len() != expected {
            return Err(PreferenceError::BadUpperLength {
                k,
                expected,
                got: upper.len(),
            });
        }
        let mut idx = 0;
        let mut full = vec![0.5; k * k];
        for i in 0..k {
            for j in i + 1..k {
                check_entry(i, j, upper[idx])?;
                full[i * k + j] = upper[idx];
                idx += 1;
            }
        }
        Ok(Self::from_upper_unchecked(k, |i, j| full[i * k + j]))
    }

    /// Builds from a function giving `P[i][j]` for `i < j`, which must lie in [0, 1].
    pub(crate) fn from_upper_unchecked(k: usize, upper: impl Fn(usize, usize) -> f64) -> Self {
        let mut p = vec![0.5; k * k];
        for i in 0..k {
            for j in i + 1..k {
                let v = upper(i, j);
                p[i * k + j] = v;
                p[j * k + i] = 1.0 - v;
            }
        }
        Self {
            k,
            p,
            labels: default_labels(k),
        }
    }

    /// Replaces the labels (one per response).
    pub fn with_labels(mut self, labels: Vec<String>) -> Result<Self, PreferenceError> {
        if labels.len() != self.k {
            return Err(PreferenceError::BadLabels {
                got: labels.len(),
                k: self.k,
            });
        }
        self.labels = labels;
        Ok(self)
    }

    /// Sets `P[i][j] = value` and its mirror `P[j][i] = 1 − value` (`i ≠ j`).
    pub fn set(&mut self, i: usize, j: usize, value: f64) -> Result<(), PreferenceError> {
        if i >= self.k || j >= self.k {
            return Err(PreferenceError::BadSize { k: i.max(j) + 1 });
        }
        if i == j {
            return Err(PreferenceError::BadDiagonal { i, value });
        }
        check_entry(i, j, value)?;
        self.p[i * self.k + j] = value;
        self.p[j * self.k + i] = 1.0 - value;
        Ok(())
    }

    /// Number of responses K.
    pub fn k(&self) -> usize {
        self.k
    }

    /// `P[i][j]`.
    #[inline]
    pub fn get(&self, i: usize, j: usize) -> f64 {
        self.p[i * self.k + j]
    }

    /// Row i of P.
    #[inline]
    pub fn row(&self, i: usize) -> &[f64] {
        &self.p[i * self.k..(i + 1) * self.k]
    }

    /// Row-major entries.
    pub fn as_slice(&self) -> &[f64] {
        &self.p
    }

    /// Rows as nested vectors.
    pub fn to_rows(&self) -> Vec<Vec<f64>> {
        (0..self.k).map(|i| self.row(i).to_vec()).collect()
    }

    /// The strict upper triangle in row order.
    pub fn upper(&self) -> Vec<f64> {
        let mut out = Vec::with_capacity(self.k * (self.k - 1) / 2);
        for i in 0..self.k {
            for j in i + 1..self.k {
                out.push(self.get(i, j));
            }
        }
        out
    }

    /// Response labels.
    pub fn labels(&self) -> &[String] {
        &self.labels
    }

    /// `out = P μ`: `(Pμ)_i` is the probability that i beats a draw from μ.
    #[inline]
    pub fn mul_vec_into(&self, mu: &[f64], out: &mut [f64]) {
        for (i, o) in out.iter_mut().enumerate() {
            *o = self.row(i).iter().zip(mu).map(|(a, b)| a * b).sum();
        }
    }

    /// `P μ`.
    pub fn mul_vec(&self, mu: &[f64]) -> Vec<f64> {
        let mut out = vec![0.0; self.k];
        self.mul_vec_into(mu, &mut out);
        out
    }

    /// The restriction of P to the responses in `idx` (labels kept).
    pub fn submatrix(&self, idx: &[usize]) -> Self {
        let k = idx.len();
        let mut p = vec![0.5; k * k];
        for (a, &i) in idx.iter().enumerate() {
            for (b, &j) in idx.iter().enumerate() {
                p[a * k + b] = self.get(i, j);
            }
        }
        Self {
            k,
            p,
            labels: idx.iter().map(|&i| self.labels[i].clone()).collect(),
        }
    }
}

/// Serialised as `{"P": rows, "labels": [...]}`; deserialisation validates.
#[derive(Deserialize)]
struct RawMatrix {
    #[serde(rename = "P")]
    p: Vec<Vec<f64>>,
    #[serde(default)]
    labels: Option<Vec<String>>,
}

impl<'de> Deserialize<'de> for PreferenceMatrix {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = RawMatrix::deserialize(d)?;
        let m = PreferenceMatrix::from_rows(&raw.p).map_err(serde::de::Error::custom)?;
        match raw.labels {
            Some(l) => m.with_labels(l).map_err(serde::de::Error::custom),
            None => Ok(m),
        }
    }
}
