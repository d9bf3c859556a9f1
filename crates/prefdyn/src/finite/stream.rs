//! The 32-bit words of a realisation's ChaCha8 stream, four blocks at a time in SIMD lanes.
//!
//! Word w of the stream of key `k` (8 words) and stream id `s` is word `w mod 16` of the
//! ChaCha block with 8 rounds of the state `[c₀..c₃, k₀..k₇, b_lo, b_hi, s_lo, s_hi]`,
//! `b = ⌊w/16⌋` and `c` = "expand 32-byte k": the words that
//! `rand_chacha::ChaCha8Rng::next_u32` returns one by one (its `next_u64` is two
//! consecutive words, low first), for the same key, stream and word position.

use rand_chacha::ChaCha8Rng;

use lanes::U32x4;

const CONSTANTS: [u32; 4] = [0x6170_7865, 0x3320_646e, 0x7962_2d32, 0x6b20_6574];
/// Blocks computed together (one per lane).
const LANES: usize = 4;
const BUF: usize = 16 * LANES;

/// A ChaCha8 stream read in words, equal to a [`ChaCha8Rng`] from the same position on.
#[derive(Clone)]
pub struct WordStream {
    key: [u32; 8],
    stream: u64,
    /// Block of `buf[0]`'s word.
    block: u64,
    buf: [u32; BUF],
    /// Next unread word of `buf` (`BUF`: none left).
    pos: usize,
}

impl std::fmt::Debug for WordStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WordStream")
            .field("stream", &self.stream)
            .field("block", &self.block)
            .field("pos", &self.pos)
            .finish_non_exhaustive()
    }
}

/// Four `u32` lanes: wasm `v128` (rotations by 16 and 8 as byte shuffles), else
/// [`wide::u32x4`].
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod lanes {
    use core::arch::wasm32::{
        i8x16_shuffle, u32x4, u32x4_add, u32x4_extract_lane, u32x4_shl, u32x4_shr, u32x4_splat,
        v128, v128_or, v128_xor,
    };

    #[derive(Clone, Copy)]
    pub(super) struct U32x4(v128);

    impl U32x4 {
        #[inline(always)]
        pub(super) fn splat(v: u32) -> Self {
            U32x4(u32x4_splat(v))
        }
        #[inline(always)]
        pub(super) fn new(v: [u32; 4]) -> Self {
            U32x4(u32x4(v[0], v[1], v[2], v[3]))
        }
        #[inline(always)]
        pub(super) fn to_array(self) -> [u32; 4] {
            [
                u32x4_extract_lane::<0>(self.0),
                u32x4_extract_lane::<1>(self.0),
                u32x4_extract_lane::<2>(self.0),
                u32x4_extract_lane::<3>(self.0),
            ]
        }
        #[inline(always)]
        pub(super) fn add(self, o: Self) -> Self {
            U32x4(u32x4_add(self.0, o.0))
        }
        /// `(self ^ o) <<< N`.
        #[inline(always)]
        pub(super) fn xor_rotl<const N: u32>(self, o: Self) -> Self {
            let x = v128_xor(self.0, o.0);
            U32x4(match N {
                16 => i8x16_shuffle::<2, 3, 0, 1, 6, 7, 4, 5, 10, 11, 8, 9, 14, 15, 12, 13>(x, x),
                8 => i8x16_shuffle::<3, 0, 1, 2, 7, 4, 5, 6, 11, 8, 9, 10, 15, 12, 13, 14>(x, x),
                _ => v128_or(u32x4_shl(x, N), u32x4_shr(x, 32 - N)),
            })
        }
    }
}

/// Four `u32` lanes: wasm `v128` (rotations by 16 and 8 as byte shuffles), else
/// [`wide::u32x4`].
#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
mod lanes {
    use wide::u32x4;

    #[derive(Clone, Copy)]
    pub(super) struct U32x4(u32x4);

    impl U32x4 {
        #[inline(always)]
        pub(super) fn splat(v: u32) -> Self {
            U32x4(u32x4::splat(v))
        }
        #[inline(always)]
        pub(super) fn new(v: [u32; 4]) -> Self {
            U32x4(u32x4::new(v))
        }
        #[inline(always)]
        pub(super) fn to_array(self) -> [u32; 4] {
            self.0.to_array()
        }
        #[inline(always)]
        pub(super) fn add(self, o: Self) -> Self {
            U32x4(self.0 + o.0)
        }
        /// `(self ^ o) <<< N`.
        #[inline(always)]
        pub(super) fn xor_rotl<const N: u32>(self, o: Self) -> Self {
            let x = self.0 ^ o.0;
            U32x4((x << N) | (x >> (32 - N)))
        }
    }
}

#[inline(always)]
fn quarter(x: &mut [U32x4; 16], a: usize, b: usize, c: usize, d: usize) {
    x[a] = x[a].add(x[b]);
    x[d] = x[d].xor_rotl::<16>(x[a]);
    x[c] = x[c].add(x[d]);
    x[b] = x[b].xor_rotl::<12>(x[c]);
    x[a] = x[a].add(x[b]);
    x[d] = x[d].xor_rotl::<8>(x[a]);
    x[c] = x[c].add(x[d]);
    x[b] = x[b].xor_rotl::<7>(x[c]);
}

impl WordStream {
    /// The stream of `rng` from its current word position on.
    pub fn from_rng(rng: &ChaCha8Rng) -> Self {
        let seed = rng.get_seed();
        let mut key = [0u32; 8];
        for (k, b) in key.iter_mut().zip(seed.chunks_exact(4)) {
            *k = u32::from_le_bytes([b[0], b[1], b[2], b[3]]);
        }
        let word = rng.get_word_pos();
        let mut s = WordStream {
            key,
            stream: rng.get_stream(),
            block: (word / 16) as u64,
            buf: [0; BUF],
            pos: BUF,
        };
        s.refill();
        s.pos = (word % 16) as usize;
        s
    }

    /// Computes the blocks `block..block + LANES` into `buf` and rewinds `pos`.
    fn refill(&mut self) {
        let splat = U32x4::splat;
        let b = self.block;
        let ctr: [u64; LANES] = [b, b.wrapping_add(1), b.wrapping_add(2), b.wrapping_add(3)];
        let lo = U32x4::new(ctr.map(|c| c as u32));
        let hi = U32x4::new(ctr.map(|c| (c >> 32) as u32));
        let k = self.key;
        let init = [
            splat(CONSTANTS[0]),
            splat(CONSTANTS[1]),
            splat(CONSTANTS[2]),
            splat(CONSTANTS[3]),
            splat(k[0]),
            splat(k[1]),
            splat(k[2]),
            splat(k[3]),
            splat(k[4]),
            splat(k[5]),
            splat(k[6]),
            splat(k[7]),
            lo,
            hi,
            splat(self.stream as u32),
            splat((self.stream >> 32) as u32),
        ];
        let mut x = init;
        for _ in 0..4 {
            quarter(&mut x, 0, 4, 8, 12);
            quarter(&mut x, 1, 5, 9, 13);
            quarter(&mut x, 2, 6, 10, 14);
            quarter(&mut x, 3, 7, 11, 15);
            quarter(&mut x, 0, 5, 10, 15);
            quarter(&mut x, 1, 6, 11, 12);
            quarter(&mut x, 2, 7, 8, 13);
            quarter(&mut x, 3, 4, 9, 14);
        }
        for (i, (v, s)) in x.iter().zip(&init).enumerate() {
            let w = v.add(*s).to_array();
            for (lane, &word) in w.iter().enumerate() {
                self.buf[lane * 16 + i] = word;
            }
        }
        self.pos = 0;
    }

    /// Fills `out` with the next `out.len()` words.
    #[inline]
    pub fn fill(&mut self, out: &mut [u32]) {
        let mut out = out;
        while !out.is_empty() {
            if self.pos >= BUF {
                self.block = self.block.wrapping_add(LANES as u64);
                self.refill();
            }
            let n = (BUF - self.pos).min(out.len());
            let (head, tail) = out.split_at_mut(n);
            head.copy_from_slice(&self.buf[self.pos..self.pos + n]);
            self.pos += n;
            out = tail;
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use rand::{RngCore, SeedableRng};

    use super::*;
    use crate::finite::realisation_rng;

    #[test]
    fn words_equal_chacha8rng_words_at_any_position() {
        for (seed, m, r) in [(1, 0, 0), (42, 3, 7), (u64::MAX, 0xFFFF_FFFF, 5)] {
            // Fresh, mid-block, just before and at a buffer end, in the second buffer.
            for skip in [0usize, 1, 5, 59, 63, 64, 130] {
                let mut rng = realisation_rng(seed, m, r);
                for _ in 0..skip {
                    rng.next_u32();
                }
                let mut s = WordStream::from_rng(&rng);
                let mut words = vec![0u32; 300];
                s.fill(&mut words[..1]);
                s.fill(&mut words[1..100]);
                s.fill(&mut words[100..]);
                for t in words.chunks_exact(3) {
                    let v = rng.next_u64();
                    let want = (v as u32, (v >> 32) as u32, rng.next_u32());
                    assert_eq!((t[0], t[1], t[2]), want, "{seed} {skip}");
                }
            }
        }
        // A seeked stream and a counter past 2³².
        let mut rng = ChaCha8Rng::seed_from_u64(9);
        rng.set_stream(77);
        rng.set_word_pos((1u128 << 36) + 3);
        let mut s = WordStream::from_rng(&rng);
        let mut words = [0u32; 200];
        s.fill(&mut words);
        for w in words {
            assert_eq!(w, rng.next_u32());
        }
    }
}
