//! Seeded preference generators (MODEL.md), deterministic across native and wasm:
//! ChaCha8 seeded from a `u64`, floats from `gen::<f64>()` and the ziggurat normal.

use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};
use serde::{Deserialize, Serialize};

use crate::preference::{PreferenceError, PreferenceMatrix, MAX_K};

/// A family of preference matrices with its parameters.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "family", rename_all = "snake_case")]
pub enum Generator {
    /// K = 3; i beats i+1 (mod 3) with probability 1/2 + s, s ∈ (0, 1/2].
    RockPaperScissors { s: f64 },
    /// Odd K; i beats i+1 … i+(K−1)/2 (mod K) with probability 1/2 + s.
    Circulant { k: usize, s: f64 },
    /// Circulant with first-row offsets `c_d ~ U(−s, s)`, `c_{K−d} = −c_d`.
    RandomCyclic { k: usize, s: f64 },
    /// `u_i ~ N(0, σ²)`, `P_ij = σ(u_i − u_j)`.
    BradleyTerry { k: usize, sigma: f64 },
    /// `u_i ~ N(0, σ²)`, `P_ij = Φ((u_i − u_j)/√2)`.
    Thurstone { k: usize, sigma: f64 },
    /// Strongly stochastically transitive, non-parametric (running maxima, then permuted).
    RandomSst { k: usize },
    /// Upper triangle `U(0, 1)`.
    Random { k: usize },
}

/// The families, for menus and ensembles.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Family {
    RockPaperScissors,
    Circulant,
    RandomCyclic,
    BradleyTerry,
    Thurstone,
    RandomSst,
    Random,
}

impl Family {
    pub const ALL: [Family; 7] = [
        Family::RockPaperScissors,
        Family::Circulant,
        Family::RandomCyclic,
        Family::BradleyTerry,
        Family::Thurstone,
        Family::RandomSst,
        Family::Random,
    ];

    /// Short name used in URLs.
    pub fn key(self) -> &'static str {
        match self {
            Family::RockPaperScissors => "rps",
            Family::Circulant => "circulant",
            Family::RandomCyclic => "cyclic",
            Family::BradleyTerry => "bt",
            Family::Thurstone => "thurstone",
            Family::RandomSst => "sst",
            Family::Random => "random",
        }
    }

    /// Human-readable name.
    pub fn title(self) -> &'static str {
        match self {
            Family::RockPaperScissors => "Rock–paper–scissors",
            Family::Circulant => "Circulant tournament",
            Family::RandomCyclic => "Random cyclic (circulant)",
            Family::BradleyTerry => "Bradley–Terry",
            Family::Thurstone => "Thurstone",
            Family::RandomSst => "Random SST",
            Family::Random => "Random P",
        }
    }

    pub fn from_key(key: &str) -> Option<Family> {
        Family::ALL.into_iter().find(|f| f.key() == key)
    }

    /// Whether the family has a strength parameter `s` (else σ or none).
    pub fn uses_strength(self) -> bool {
        matches!(
            self,
            Family::RockPaperScissors | Family::Circulant | Family::RandomCyclic
        )
    }

    /// Whether the family has a scale parameter σ.
    pub fn uses_sigma(self) -> bool {
        matches!(self, Family::BradleyTerry | Family::Thurstone)
    }

    /// Whether the draw depends on the seed.
    pub fn is_random(self) -> bool {
        !matches!(self, Family::RockPaperScissors | Family::Circulant)
    }

    /// The generator of this family with size `k` and parameter `param`
    /// (s for cyclic families, σ for utility models, ignored otherwise).
    pub fn generator(self, k: usize, param: f64) -> Generator {
        match self {
            Family::RockPaperScissors => Generator::RockPaperScissors { s: param },
            Family::Circulant => Generator::Circulant { k, s: param },
            Family::RandomCyclic => Generator::RandomCyclic { k, s: param },
            Family::BradleyTerry => Generator::BradleyTerry { k, sigma: param },
            Family::Thurstone => Generator::Thurstone { k, sigma: param },
            Family::RandomSst => Generator::RandomSst { k },
            Family::Random => Generator::Random { k },
        }
    }
}

/// Why generator parameters are invalid.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum GeneratorError {
    #[error("{family}: strength s = {s} must lie in (0, 1/2]")]
    BadStrength { family: &'static str, s: f64 },
    #[error("{family}: σ = {sigma} must be finite and > 0")]
    BadSigma { family: &'static str, sigma: f64 },
    #[error("circulant tournament needs an odd K, got {k}")]
    EvenK { k: usize },
    #[error(transparent)]
    Matrix(#[from] PreferenceError),
}

/// Standard normal CDF `Φ(x) = erfc(−x/√2)/2`.
pub fn normal_cdf(x: f64) -> f64 {
    0.5 * libm::erfc(-x / std::f64::consts::SQRT_2)
}

/// Logistic `σ(x) = 1/(1 + e^{−x})`, stable for large |x|.
pub fn logistic(x: f64) -> f64 {
    if x >= 0.0 {
        1.0 / (1.0 + (-x).exp())
    } else {
        let e = x.exp();
        e / (1.0 + e)
    }
}

/// A ChaCha8 stream for `seed`.
pub fn rng_for(seed: u64) -> ChaCha8Rng {
    ChaCha8Rng::seed_from_u64(seed)
}

/// A draw from the flat Dirichlet(1, …, 1) on K points (normalised exponentials).
pub fn dirichlet_flat(k: usize, seed: u64) -> Vec<f64> {
    let mut rng = rng_for(seed);
    let e: Vec<f64> = (0..k)
        .map(|_| {
            let u: f64 = rng.gen();
            -(1.0 - u).ln()
        })
        .collect();
    let s: f64 = e.iter().sum();
    e.iter().map(|x| x / s).collect()
}

impl Generator {
    pub fn family(&self) -> Family {
        match self {
            Generator::RockPaperScissors { .. } => Family::RockPaperScissors,
            Generator::Circulant { .. } => Family::Circulant,
            Generator::RandomCyclic { .. } => Family::RandomCyclic,
            Generator::BradleyTerry { .. } => Family::BradleyTerry,
            Generator::Thurstone { .. } => Family::Thurstone,
            Generator::RandomSst { .. } => Family::RandomSst,
            Generator::Random { .. } => Family::Random,
        }
    }

    /// Number of responses.
    pub fn k(&self) -> usize {
        match *self {
            Generator::RockPaperScissors { .. } => 3,
            Generator::Circulant { k, .. }
            | Generator::RandomCyclic { k, .. }
            | Generator::BradleyTerry { k, .. }
            | Generator::Thurstone { k, .. }
            | Generator::RandomSst { k }
            | Generator::Random { k } => k,
        }
    }

    /// Checks the parameters without drawing.
    pub fn validate(&self) -> Result<(), GeneratorError> {
        let k = self.k();
        if !(2..=MAX_K).contains(&k) {
            return Err(PreferenceError::BadSize { k }.into());
        }
        let family = self.family().title();
        match *self {
            Generator::RockPaperScissors { s } | Generator::Circulant { s, .. } => {
                if !(s > 0.0 && s <= 0.5) {
                    return Err(GeneratorError::BadStrength { family, s });
                }
            }
            Generator::RandomCyclic { s, .. } => {
                if !(s > 0.0 && s <= 0.5) {
                    return Err(GeneratorError::BadStrength { family, s });
                }
            }
            Generator::BradleyTerry { sigma, .. } | Generator::Thurstone { sigma, .. } => {
                if !(sigma.is_finite() && sigma > 0.0) {
                    return Err(GeneratorError::BadSigma { family, sigma });
                }
            }
            Generator::RandomSst { .. } | Generator::Random { .. } => {}
        }
        if let Generator::Circulant { k, .. } = *self {
            if k % 2 == 0 {
                return Err(GeneratorError::EvenK { k });
            }
        }
        Ok(())
    }

    /// Draws the matrix for `seed` (deterministic families ignore the seed).
    pub fn generate(&self, seed: u64) -> Result<PreferenceMatrix, GeneratorError> {
        self.validate()?;
        let k = self.k();
        let mut rng = rng_for(seed);
        let m = match *self {
            Generator::RockPaperScissors { s } => circulant_from_offsets(3, &[0.0, s, -s]),
            Generator::Circulant { k, s } => {
                let mut c = vec![0.0; k];
                for d in 1..=(k - 1) / 2 {
                    c[d] = s;
                    c[k - d] = -s;
                }
                circulant_from_offsets(k, &c)
            }
            Generator::RandomCyclic { k, s } => {
                let mut c = vec![0.0; k];
                for d in 1..=(k - 1) / 2 {
                    let u: f64 = rng.gen();
                    c[d] = s * (2.0 * u - 1.0);
                    c[k - d] = -c[d];
                }
                circulant_from_offsets(k, &c)
            }
            Generator::BradleyTerry { k, sigma } => {
                let u = normal_utilities(&mut rng, k, sigma);
                PreferenceMatrix::from_upper_unchecked(k, |i, j| logistic(u[i] - u[j]))
            }
            Generator::Thurstone { k, sigma } => {
                let u = normal_utilities(&mut rng, k, sigma);
                PreferenceMatrix::from_upper_unchecked(k, |i, j| {
                    normal_cdf((u[i] - u[j]) / std::f64::consts::SQRT_2)
                })
            }
            Generator::RandomSst { k } => random_sst(&mut rng, k),
            Generator::Random { k } => {
                let upper: Vec<f64> = (0..k * (k - 1) / 2).map(|_| rng.gen::<f64>()).collect();
                let mut idx = 0;
                let mut full = vec![0.5; k * k];
                for i in 0..k {
                    for j in i + 1..k {
                        full[i * k + j] = upper[idx];
                        idx += 1;
                    }
                }
                PreferenceMatrix::from_upper_unchecked(k, |i, j| full[i * k + j])
            }
        };
        debug_assert_eq!(m.k(), k);
        Ok(m)
    }
}

/// `P[i][j] = 1/2 + c[(j − i) mod K]` with `c[0] = 0`, `c[K−d] = −c[d]`.
fn circulant_from_offsets(k: usize, c: &[f64]) -> PreferenceMatrix {
    PreferenceMatrix::from_upper_unchecked(k, |i, j| (0.5 + c[(j + k - i) % k]).clamp(0.0, 1.0))
}

fn normal_utilities(rng: &mut ChaCha8Rng, k: usize, sigma: f64) -> Vec<f64> {
    (0..k)
        .map(|_| sigma * <StandardNormal as Distribution<f64>>::sample(&StandardNormal, rng))
        .collect()
}

/// In rank order: upper triangle `U(1/2, 1)`, made non-decreasing along rows and
/// non-increasing down columns by running maxima, then relabelled by a random permutation.
fn random_sst(rng: &mut ChaCha8Rng, k: usize) -> PreferenceMatrix {
    let mut q = vec![0.5; k * k];
    for i in 0..k {
        for j in i + 1..k {
            q[i * k + j] = 0.5 + 0.5 * rng.gen::<f64>();
        }
    }
    // Rows non-decreasing to the right, columns non-increasing downwards:
    // sweep from the bottom row up and left to right.
    for i in (0..k).rev() {
        for j in i + 1..k {
            let mut v = q[i * k + j];
            if j > i + 1 {
                v = v.max(q[i * k + j - 1]);
            }
            if i + 1 < j {
                v = v.max(q[(i + 1) * k + j]);
            }
            q[i * k + j] = v;
        }
    }
    let mut perm: Vec<usize> = (0..k).collect();
    perm.shuffle(rng);
    // Response perm[r] has rank r.
    let mut rank = vec![0; k];
    for (r, &item) in perm.iter().enumerate() {
        rank[item] = r;
    }
    PreferenceMatrix::from_upper_unchecked(k, |a, b| {
        let (ra, rb) = (rank[a], rank[b]);
        if ra < rb {
            q[ra * k + rb]
        } else {
            1.0 - q[rb * k + ra]
        }
    })
}
