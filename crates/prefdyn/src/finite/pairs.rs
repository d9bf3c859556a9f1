//! The pairs of one round: seeded streams, draws from `μ_t ⊗ μ_t`, labels, win counts.

use rand::{RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::Serialize;

use super::stream::WordStream;
use crate::preference::{PreferenceMatrix, MAX_K};

/// Stream of realisation `r` of ensemble member `m`: `(m << 32) | r` (both below 2³²).
pub fn stream_id(member: usize, realisation: usize) -> u64 {
    ((member as u64 & 0xFFFF_FFFF) << 32) | (realisation as u64 & 0xFFFF_FFFF)
}

/// The random stream of one realisation: `ChaCha8Rng::seed_from_u64(seed)` on stream
/// [`stream_id`]`(member, realisation)`. Streams do not overlap, and a realisation's draws do
/// not depend on how many others are run or in which order.
pub fn realisation_rng(seed: u64, member: usize, realisation: usize) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(stream_id(member, realisation));
    rng
}

/// `u = x / 2³²` ∈ [0, 1): a 32-bit draw as a uniform (exact in `f64`).
#[inline]
pub fn unit(x: u32) -> f64 {
    f64::from(x) * (1.0 / 4_294_967_296.0)
}

/// One column of an alias table: keep `own` when the fraction is below `q`, else `alias`.
#[derive(Debug, Clone, Copy, PartialEq)]
struct AliasCell {
    q: f64,
    own: u32,
    alias: u32,
}

/// A categorical distribution as a Walker–Vose alias table. A draw takes one 32-bit word
/// x: with `xK = i·2³² + f` (integer arithmetic), it returns column i when
/// `f/2³² < q_i`, else the column's alias; this is the alias method with the uniform
/// `u = x/2³²`, exact, without a data-dependent branch. Weights of 0 are never drawn.
/// O(K) to build, O(1) to draw.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Categorical {
    cells: Vec<AliasCell>,
    /// Per column, `thr | own << 32 | alias << 48` with `thr = min(⌈q·2³²⌉, 2³²−1)` (0 for
    /// `q ≤ 0`) and `alias = own` when `⌈q·2³²⌉ = 2³²`: for a 32-bit `f`,
    /// `f < thr ⟺ f/2³² < q` except at `f = 2³²−1`, where both choices are `own`.
    packed: Vec<u64>,
    scaled: Vec<f64>,
    small: Vec<usize>,
    large: Vec<usize>,
}

impl Categorical {
    /// The table of the weights `w` (non-negative, not necessarily normalised).
    pub fn from_weights(w: &[f64]) -> Self {
        let mut c = Categorical::default();
        c.set(w.iter().copied());
        c
    }

    /// Replaces the table by that of the weights `w` (negative or NaN weights count as 0;
    /// all-zero weights give the uniform distribution). At most `u32::MAX` categories.
    pub fn set(&mut self, w: impl Iterator<Item = f64>) {
        self.scaled.clear();
        self.scaled
            .extend(w.map(|v| if v > 0.0 && v.is_finite() { v } else { 0.0 }));
        self.scaled.truncate(u32::MAX as usize);
        let k = self.scaled.len();
        let total: f64 = self.scaled.iter().sum();
        if total > 0.0 && total.is_finite() {
            let f = k as f64 / total;
            self.scaled.iter_mut().for_each(|v| *v *= f);
        } else {
            self.scaled.iter_mut().for_each(|v| *v = 1.0);
        }
        let heaviest = (0..k).fold(0, |b, i| {
            if self.scaled[i] > self.scaled[b] {
                i
            } else {
                b
            }
        });
        self.cells.clear();
        self.cells.extend((0..k).map(|i| AliasCell {
            q: 1.0,
            own: i as u32,
            alias: i as u32,
        }));
        self.small.clear();
        self.large.clear();
        for (i, &q) in self.scaled.iter().enumerate() {
            if q < 1.0 {
                self.small.push(i);
            } else {
                self.large.push(i);
            }
        }
        while let (Some(&s), Some(&l)) = (self.small.last(), self.large.last()) {
            self.small.pop();
            self.cells[s].q = self.scaled[s];
            self.cells[s].alias = l as u32;
            self.scaled[l] = (self.scaled[l] + self.scaled[s]) - 1.0;
            if self.scaled[l] < 1.0 {
                self.large.pop();
                self.small.push(l);
            }
        }
        // Left over after rounding: mass ≈ 1 each; a zero weight still goes to its alias.
        for &i in self.small.iter().chain(&self.large) {
            let c = &mut self.cells[i];
            if self.scaled[i] > 0.0 {
                c.q = 1.0;
                c.alias = i as u32;
            } else {
                c.q = 0.0;
                c.alias = heaviest as u32;
            }
        }
        self.packed.clear();
        self.packed.extend(self.cells.iter().map(|c| {
            let t = (c.q * 4_294_967_296.0).ceil();
            let (thr, alias) = if t >= 4_294_967_296.0 {
                (u64::from(u32::MAX), c.own)
            } else if t > 0.0 {
                (t as u64, c.alias)
            } else {
                (0, c.alias)
            };
            thr | u64::from(c.own) << 32 | u64::from(alias) << 48
        }));
    }

    /// [`Categorical::draw_word`] by the packed integer thresholds (the same category).
    #[inline(always)]
    fn pick(&self, x: u32) -> usize {
        let y = u64::from(x) * self.packed.len() as u64;
        let c = self.packed.get((y >> 32) as usize).copied().unwrap_or(0);
        let own = u64::from((y as u32) < (c as u32)).wrapping_neg();
        ((((c >> 48) & !own) | ((c >> 32) & own)) & 0xFFFF) as usize
    }

    /// Number of categories.
    pub fn len(&self) -> usize {
        self.cells.len()
    }

    /// Whether there are no categories.
    pub fn is_empty(&self) -> bool {
        self.cells.is_empty()
    }

    /// One draw from `rng` (one `next_u32`); 0 for an empty table.
    #[inline]
    pub fn draw<R: RngCore + ?Sized>(&self, rng: &mut R) -> usize {
        self.draw_word(rng.next_u32())
    }

    /// The category of the 32-bit word `x` (uniform `u = x/2³²`); 0 for an empty table.
    #[inline]
    pub fn draw_word(&self, x: u32) -> usize {
        let y = u64::from(x) * self.cells.len() as u64;
        let frac = unit(y as u32);
        match self.cells.get((y >> 32) as usize) {
            // Branch-free select: the comparison is unpredictable.
            Some(c) => {
                (c.alias ^ ((c.own ^ c.alias) & u32::from(frac < c.q).wrapping_neg())) as usize
            }
            None => 0,
        }
    }

    /// The probability of each category implied by the table.
    pub fn probabilities(&self) -> Vec<f64> {
        let k = self.cells.len();
        let mut p = vec![0.0; k];
        for c in &self.cells {
            let q = c.q.clamp(0.0, 1.0);
            p[c.own as usize] += q / k as f64;
            p[c.alias as usize] += (1.0 - q) / k as f64;
        }
        p
    }
}

/// Win counts of one round's kept pairs: `wins(i, j)` = how often i beat j.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct PairCounts {
    k: usize,
    /// Row-major `K × K`.
    wins: Vec<u32>,
    kept: u32,
}

impl PairCounts {
    /// No pairs among `k` responses (`k` capped at [`MAX_K`]).
    pub fn new(k: usize) -> Self {
        let k = k.min(MAX_K);
        PairCounts {
            k,
            wins: vec![0; k * k],
            kept: 0,
        }
    }

    /// The counts of the given `(winner, loser)` pairs; `None` when an index is `≥ k`, a
    /// pair is `(i, i)` or `k > MAX_K`.
    pub fn from_pairs(k: usize, pairs: &[(usize, usize)]) -> Option<Self> {
        if k > MAX_K {
            return None;
        }
        let mut c = PairCounts::new(k);
        for &(w, l) in pairs {
            if w >= k || l >= k || w == l {
                return None;
            }
            c.record(w, l);
        }
        Some(c)
    }

    /// Empties the counts for `k` responses (capped at [`MAX_K`]).
    pub fn reset(&mut self, k: usize) {
        let k = k.min(MAX_K);
        self.k = k;
        self.wins.clear();
        self.wins.resize(k * k, 0);
        self.kept = 0;
    }

    /// Records that `winner` beat `loser` (ignored when out of range or equal).
    #[inline]
    pub fn record(&mut self, winner: usize, loser: usize) {
        if winner < self.k && loser < self.k && winner != loser {
            self.wins[winner * self.k + loser] += 1;
            self.kept += 1;
        }
    }

    /// Number of responses K.
    pub fn k(&self) -> usize {
        self.k
    }

    /// How often i beat j.
    #[inline]
    pub fn wins(&self, i: usize, j: usize) -> u32 {
        self.wins.get(i * self.k + j).copied().unwrap_or(0)
    }

    /// How often i and j were compared: `wins(i, j) + wins(j, i)`.
    #[inline]
    pub fn comparisons(&self, i: usize, j: usize) -> u32 {
        self.wins(i, j) + self.wins(j, i)
    }

    /// The row-major `K × K` wins.
    #[inline]
    pub(crate) fn wins_flat(&self) -> &[u32] {
        &self.wins
    }

    /// Number of kept pairs.
    pub fn kept(&self) -> u32 {
        self.kept
    }
}

/// The labelling of pairs under a fixed P: `y ≻ y′` iff `x < ⌈P[y][y′]·2³²⌉` for a 32-bit
/// word x, i.e. iff `x/2³² < P[y][y′]` exactly, as an integer comparison.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PairSampler {
    k: usize,
    /// Row-major `⌈P[y][y′]·2³²⌉`.
    thresholds: Vec<u64>,
}

impl PairSampler {
    /// The label table of `p`.
    pub fn new(p: &PreferenceMatrix) -> Self {
        PairSampler {
            k: p.k(),
            thresholds: p
                .as_slice()
                .iter()
                .map(|&v| (v.clamp(0.0, 1.0) * 4_294_967_296.0).ceil() as u64)
                .collect(),
        }
    }

    /// Number of responses K.
    pub fn k(&self) -> usize {
        self.k
    }

    /// Draws `n` pairs `(y, y′) ~ μ ⊗ μ` and labels them. Each draw takes one `next_u64`,
    /// whose low and high 32-bit halves (the two `next_u32` that would follow) give
    /// `u₁ → y` and `u₂ → y′` ([`Categorical::draw_word`]), and one `next_u32` giving `u₃`:
    /// y wins iff `u₃ < P[y][y′]` (all `u = x/2³²`: a resolution of 2⁻³² in μ and P). A pair
    /// with `y = y′` is dropped (its `u₃` is drawn all the same). The counts are reset
    /// first; nothing is drawn when μ does not have K categories. Only 32-bit words are
    /// drawn, so native and wasm32 give the same pairs.
    pub fn draw<R: RngCore + ?Sized>(
        &self,
        rng: &mut R,
        mu: &Categorical,
        n: usize,
        counts: &mut PairCounts,
    ) {
        self.draw_words(
            |words| {
                for w in words.chunks_exact_mut(3) {
                    let v = rng.next_u64();
                    w[0] = v as u32;
                    w[1] = (v >> 32) as u32;
                    w[2] = rng.next_u32();
                }
            },
            mu,
            n,
            counts,
        );
    }

    /// [`PairSampler::draw`] from the words of `stream`: `(u₁, u₂, u₃)` are three
    /// consecutive words, as `next_u64`, `next_u32` of the equal [`rand_chacha::ChaCha8Rng`].
    pub(crate) fn draw_stream(
        &self,
        stream: &mut WordStream,
        mu: &Categorical,
        n: usize,
        counts: &mut PairCounts,
    ) {
        self.draw_words(|words| stream.fill(words), mu, n, counts);
    }

    /// [`PairSampler::draw`] with `fill` writing the words `(u₁, u₂, u₃)` of the next
    /// `len/3` pairs, `CHUNK` pairs at a time. Pair `(y, y′)` adds 1 to `wins(y, y′)` when
    /// y wins, else to `wins(y′, y)`; dropped pairs land on the diagonal, which is then
    /// cleared (`kept = n − Σ_i wins(i, i)`).
    fn draw_words<F: FnMut(&mut [u32])>(
        &self,
        mut fill: F,
        mu: &Categorical,
        n: usize,
        counts: &mut PairCounts,
    ) {
        const CHUNK: usize = 128;
        let k = self.k;
        counts.reset(k);
        if mu.len() != k || counts.k != k || self.thresholds.len() != k * k {
            return;
        }
        let wins = &mut counts.wins[..k * k];
        let thresholds = &self.thresholds[..k * k];
        let mut words = [0u32; 3 * CHUNK];
        let mut left = n;
        while left > 0 {
            let m = left.min(CHUNK);
            left -= m;
            let words = &mut words[..3 * m];
            fill(words);
            for w in words.chunks_exact(3) {
                let (y, y2) = (mu.pick(w[0]), mu.pick(w[1]));
                let (a, b) = (y * k + y2, y2 * k + y);
                let won = u64::from(w[2]) < thresholds.get(a).copied().unwrap_or(0);
                // Branch-free select (the label is unpredictable): a if won, else b.
                let i = b ^ ((a ^ b) & usize::from(won).wrapping_neg());
                if let Some(c) = wins.get_mut(i) {
                    *c += 1;
                }
            }
        }
        let mut dropped = 0u32;
        for i in 0..k {
            dropped += std::mem::take(&mut wins[i * k + i]);
        }
        counts.kept = (n as u32).wrapping_sub(dropped);
    }
}

/// [`PairSampler::draw`] for `p` (builds the label table on each call).
pub fn draw_pairs<R: RngCore + ?Sized>(
    rng: &mut R,
    p: &PreferenceMatrix,
    mu: &Categorical,
    n: usize,
    counts: &mut PairCounts,
) {
    PairSampler::new(p).draw(rng, mu, n, counts);
}
