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
    /// The paper's data procedure on synthetic ratings (its rated data set cannot be
    /// downloaded here): K responses scored 0–4 on [`RATING_ATTRIBUTES`] attributes, each pair
    /// compared on one random attribute, `P_ij = σ(score_i − score_j)`, redrawn until P is
    /// in `class`.
    Rated { k: usize, class: RatedClass },
}

/// Which matrices the rated-responses procedure keeps, as the paper splits its data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RatedClass {
    /// At least one strict majority 3-cycle.
    Cyclic,
    /// Strongly stochastically transitive, with at least one strict preference.
    StronglyTransitive,
}

/// Rating attributes per response (HelpSteer's five: helpfulness, correctness, coherence,
/// complexity, verbosity).
pub const RATING_ATTRIBUTES: usize = 5;
/// Largest rating (ratings are whole numbers 0..=`MAX_RATING`).
pub const MAX_RATING: u32 = 4;
/// Draws before a rated generator gives up on finding a matrix of its class.
pub const RATED_ATTEMPTS: usize = 100_000;
/// Largest K of the rated families: beyond 6 responses a strongly transitive draw becomes
/// too rare (about 1 in 10⁴ at K = 7) for a page to wait for it; the paper uses K = 4.
pub const MAX_RATED_K: usize = 6;

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
    RatedCyclic,
    RatedSst,
}

impl Family {
    pub const ALL: [Family; 9] = [
        Family::RockPaperScissors,
        Family::Circulant,
        Family::RandomCyclic,
        Family::BradleyTerry,
        Family::Thurstone,
        Family::RandomSst,
        Family::Random,
        Family::RatedCyclic,
        Family::RatedSst,
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
            Family::RatedCyclic => "rated_cyclic",
            Family::RatedSst => "rated_sst",
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
            Family::RatedCyclic => "Synthetic ratings, cyclic (paper's procedure)",
            Family::RatedSst => "Synthetic ratings, strongly transitive (paper's procedure)",
        }
    }

    /// Whether the matrices are synthetic stand-ins for the paper's rated data (the page
    /// and the CLI say so wherever they are shown).
    pub fn is_synthetic_ratings(self) -> bool {
        matches!(self, Family::RatedCyclic | Family::RatedSst)
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
            Family::RatedCyclic => Generator::Rated {
                k,
                class: RatedClass::Cyclic,
            },
            Family::RatedSst => Generator::Rated {
                k,
                class: RatedClass::StronglyTransitive,
            },
        }
    }
}

/// What the page and the CLI say wherever a synthetic-ratings family is shown.
pub const SYNTHETIC_RATINGS_NOTE: &str = "Synthetic by construction: the paper's procedure (K responses rated 0–4 on five attributes, each pair compared on one random attribute, P = σ(score difference), split into cyclic and strongly transitive matrices) applied to simulated ratings, because the paper's rated data set (HelpSteer) cannot be downloaded here.";

/// Why generator parameters are invalid.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum GeneratorError {
    #[error("{family}: strength s = {s} must lie in (0, 1/2]")]
    BadStrength { family: &'static str, s: f64 },
    #[error("{family}: σ = {sigma} must be finite and > 0")]
    BadSigma { family: &'static str, sigma: f64 },
    #[error("circulant tournament needs an odd K, got {k}")]
    EvenK { k: usize },
    #[error("{family}: needs {min} ≤ K ≤ {max}, got {k}")]
    ResponsesOutOfRange {
        family: &'static str,
        k: usize,
        min: usize,
        max: usize,
    },
    #[error("{family}: no matrix of its class in {attempts} draws")]
    NoMatch {
        family: &'static str,
        attempts: usize,
    },
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

/// A draw from the flat Dirichlet(1, …, 1) on K points (normalised exponentials; `libm`
/// logarithms, so native and wasm32 draw the same bits).
pub fn dirichlet_flat(k: usize, seed: u64) -> Vec<f64> {
    let mut rng = rng_for(seed);
    let e: Vec<f64> = (0..k)
        .map(|_| {
            let u: f64 = rng.gen();
            -libm::log(1.0 - u)
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
            Generator::Rated {
                class: RatedClass::Cyclic,
                ..
            } => Family::RatedCyclic,
            Generator::Rated {
                class: RatedClass::StronglyTransitive,
                ..
            } => Family::RatedSst,
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
            | Generator::Random { k }
            | Generator::Rated { k, .. } => k,
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
            Generator::Rated { k, class } => {
                // A 3-cycle needs three responses.
                let min = if class == RatedClass::Cyclic { 3 } else { 2 };
                if !(min..=MAX_RATED_K).contains(&k) {
                    return Err(GeneratorError::ResponsesOutOfRange {
                        family,
                        k,
                        min,
                        max: MAX_RATED_K,
                    });
                }
            }
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
            Generator::Rated { k, class } => (0..RATED_ATTEMPTS)
                .map(|_| rated_draw(&mut rng, k))
                .find(|p| class.contains(p))
                .ok_or(GeneratorError::NoMatch {
                    family: self.family().title(),
                    attempts: RATED_ATTEMPTS,
                })?,
        };
        debug_assert_eq!(m.k(), k);
        Ok(m)
    }
}

impl RatedClass {
    /// Whether `p` belongs to the class.
    pub fn contains(self, p: &PreferenceMatrix) -> bool {
        match self {
            RatedClass::Cyclic => crate::social_choice::three_cycles(p) > 0,
            RatedClass::StronglyTransitive => {
                let k = p.k();
                let strict = (0..k).any(|i| (0..k).any(|j| p.get(i, j) > 0.5));
                strict && crate::social_choice::is_sst(p)
            }
        }
    }
}

/// One draw of the rated-responses procedure. Ratings follow a latent quality (so that
/// attributes agree more often than not, as in real rating data):
/// `score_{i,a} = clamp(round(2 + q_i + 0.8 e_{i,a}), 0, 4)` with `q_i, e_{i,a} ~ N(0, 1)`;
/// pair (i, j) is compared on attribute `a ~ U{0..A−1}`: `P_ij = σ(score_{i,a} − score_{j,a})`.
/// Only `u32` ranges are drawn, so native and wasm32 draw the same numbers.
fn rated_draw(rng: &mut ChaCha8Rng, k: usize) -> PreferenceMatrix {
    let normal = |rng: &mut ChaCha8Rng| -> f64 { StandardNormal.sample(rng) };
    let mut scores = vec![0.0; k * RATING_ATTRIBUTES];
    for i in 0..k {
        let q = normal(rng);
        for a in 0..RATING_ATTRIBUTES {
            let v = (2.0 + q + 0.8 * normal(rng)).round();
            scores[i * RATING_ATTRIBUTES + a] = v.clamp(0.0, MAX_RATING as f64);
        }
    }
    let mut full = vec![0.5; k * k];
    for i in 0..k {
        for j in i + 1..k {
            let a = rng.gen_range(0..RATING_ATTRIBUTES as u32) as usize;
            full[i * k + j] =
                logistic(scores[i * RATING_ATTRIBUTES + a] - scores[j * RATING_ATTRIBUTES + a]);
        }
    }
    PreferenceMatrix::from_upper_unchecked(k, |i, j| full[i * k + j])
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rated_matrices_are_logistic_score_differences_of_their_class() -> Result<(), String> {
        let allowed: Vec<f64> = (-4..=4).map(|d| logistic(d as f64)).collect();
        for (family, k) in [
            (Family::RatedCyclic, 4),
            (Family::RatedSst, 4),
            (Family::RatedCyclic, 6),
        ] {
            let g = family.generator(k, 0.5);
            for seed in 0..50 {
                let p = g.generate(seed).map_err(|e| e.to_string())?;
                for i in 0..k {
                    for j in 0..k {
                        if i != j {
                            let v = p.get(i, j);
                            assert!(allowed.iter().any(|a| (a - v).abs() < 1e-15), "P = {v}");
                        }
                    }
                }
                let cyclic = crate::social_choice::three_cycles(&p) > 0;
                assert_eq!(cyclic, family == Family::RatedCyclic, "seed {seed}");
                if family == Family::RatedSst {
                    assert!(crate::social_choice::is_sst(&p));
                }
            }
        }
        Ok(())
    }

    #[test]
    fn rated_families_name_an_impossible_size() {
        for (family, k) in [
            (Family::RatedCyclic, 2),
            (Family::RatedSst, 7),
            (Family::RatedCyclic, 64),
        ] {
            let e = family.generator(k, 0.5).generate(1);
            assert!(
                matches!(e, Err(GeneratorError::ResponsesOutOfRange { .. })),
                "{family:?} K = {k}: {e:?}"
            );
        }
    }
}
