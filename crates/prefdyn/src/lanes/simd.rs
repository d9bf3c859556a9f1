//! The lane types the kernel is written against, and the vectorised `exp`.
//!
//! [`Lane`] is a vector of `W` independent `f64` runs. Two implementations:
//!
//! - [`wide::f64x4`] everywhere (SSE2 pairs on baseline x86_64, AVX/FMA when the crate is
//!   built with those target features, simd128 pairs on `wasm32` built with `+simd128`,
//!   scalar code otherwise);
//! - `X4` on x86_64 only: plain `[f64; 4]` arithmetic that LLVM turns into 256-bit AVX
//!   instructions with fused multiply-adds, because it is only ever inlined into functions
//!   compiled with `#[target_feature(enable = "avx2,fma")]` (module `avx` in `mod.rs`),
//!   which are only called after runtime detection.

use std::ops::{Add, Mul, Sub};

/// `log2(e)`.
const LOG2_E: f64 = std::f64::consts::LOG2_E;
/// `1.5 · 2^52`: adding it rounds a float of magnitude < 2^51 to an integer, which then
/// sits in the low mantissa bits.
const MAGIC: f64 = 6_755_399_441_055_744.0;
/// `ln 2` split as in fdlibm (0.693147180369123816490 + 1.90821492927058770002e-10):
/// `LN2_HI` has 32 trailing zero bits, so `n · LN2_HI` is exact for `|n| < 2^20`.
const LN2_HI: f64 = f64::from_bits(0x3fe6_2e42_fee0_0000);
const LN2_LO: f64 = f64::from_bits(0x3dea_39ef_3579_3c76);
/// Coefficients of `q(r) ≈ (e^r − 1 − r)/r²` on `|r| ≤ ln2/2` (degree 9, interpolated at
/// the Chebyshev nodes in 50-digit arithmetic, then rounded): `e^r ≈ 1 + r + r² q(r)` with
/// an approximation error below 0.15 ulp.
const Q: [f64; 10] = [
    0.500_000_000_000_000_1,
    0.166_666_666_666_666_69,
    0.041_666_666_666_624_164,
    0.008_333_333_333_330_065,
    0.001_388_888_891_719_671_9,
    0.000_198_412_698_630_405_45,
    2.480_152_132_236_869_2e-5,
    2.755_726_848_031_002_4e-6,
    2.762_007_587_998_336_7e-7,
    2.510_037_583_256_123_4e-8,
];
/// Below this the kernel's `exp` returns `exp(EXP_FLOOR)` ≈ 3.3e-308 instead of a
/// subnormal or 0.
pub(crate) const EXP_FLOOR: f64 = -708.0;
/// Above this [`exp_lanes`] returns `exp(EXP_CEIL)` (2^n must stay a normal number).
pub(crate) const EXP_CEIL: f64 = 709.0;

/// Most lanes a [`Lane`] type may have (buffers for loads and stores are this long).
pub(crate) const MAX_W: usize = 8;

/// `W` f64 lanes. Every method is `#[inline(always)]` in the implementations so that the
/// kernel compiles to straight-line vector code in the caller's target features.
pub(crate) trait Lane:
    Copy + Add<Output = Self> + Sub<Output = Self> + Mul<Output = Self>
{
    /// Number of lanes.
    const W: usize;
    fn splat(v: f64) -> Self;
    /// Lanes `src[0..W]`.
    fn load(src: &[f64]) -> Self;
    /// Writes the lanes to `dst[0..W]`.
    fn store(self, dst: &mut [f64]);
    /// `self · b + c` (fused where the target has FMA).
    fn mul_add(self, b: Self, c: Self) -> Self;
    /// `c − self · b` (fused where the target has FMA).
    fn neg_mul_add(self, b: Self, c: Self) -> Self;
    /// Lane-wise maximum (NaN handling unspecified).
    fn max(self, o: Self) -> Self;
    /// Lane-wise minimum (NaN handling unspecified).
    fn min(self, o: Self) -> Self;
    fn abs(self) -> Self;
    /// `1 / self`.
    fn recip(self) -> Self;
    /// `√self`.
    fn sqrt(self) -> Self;
    /// Bit `l` set where `self[l] <= o[l]`.
    fn le_bits(self, o: Self) -> u32;
    /// Bit `l` set where `self[l] < o[l]`.
    fn lt_bits(self, o: Self) -> u32;
    /// A lane mask (all bits set in lane `l` iff bit `l` of `bits`), for [`Lane::select`].
    fn mask(bits: u32) -> Self;
    /// Lane-wise `if mask { t } else { f }` for a mask from [`Lane::mask`].
    fn select(mask: Self, t: Self, f: Self) -> Self;
    /// `2^n` from `t = n + MAGIC` (exact integer n in `[-1022, 1023]`): the bit pattern
    /// `(bits(t) + 1023) << 52`.
    fn pow2_from_magic(t: Self) -> Self;
}

/// `e^z` for `z ∈ [EXP_FLOOR, EXP_CEIL]`, within about 1 ulp: `z = n ln2 + r` (Cody–Waite,
/// `|r| ≤ ln2/2`), `e^r = 1 + r + r² q(r)`, times `2^n` built from the exponent bits.
/// Inputs are not clamped here.
#[inline(always)]
pub(crate) fn exp_core<L: Lane>(z: L) -> L {
    let t = z.mul_add(L::splat(LOG2_E), L::splat(MAGIC));
    let n = t - L::splat(MAGIC);
    let r = n.neg_mul_add(L::splat(LN2_HI), z);
    let r = n.neg_mul_add(L::splat(LN2_LO), r);
    // Estrin's scheme: half the latency of Horner's for two more operations.
    let r2 = r * r;
    let r4 = r2 * r2;
    let c = |i: usize| L::splat(Q[i]);
    let q01 = c(1).mul_add(r, c(0));
    let q23 = c(3).mul_add(r, c(2));
    let q45 = c(5).mul_add(r, c(4));
    let q67 = c(7).mul_add(r, c(6));
    let q89 = c(9).mul_add(r, c(8));
    let q03 = q23.mul_add(r2, q01);
    let q47 = q67.mul_add(r2, q45);
    let q07 = q47.mul_add(r4, q03);
    let q = (r4 * r4).mul_add(q89, q07);
    let e = r2.mul_add(q, r) + L::splat(1.0);
    e * L::pow2_from_magic(t)
}

/// `e^z` for `z ≤ EXP_CEIL` as the kernel needs it (`z = y_i − m`, at most κλ ≤ 512): `z`
/// below [`EXP_FLOOR`] gives `exp(EXP_FLOOR)` ≈ 3.3e-308 (a probability that no metric can
/// see) instead of a subnormal number or 0, which saves a blend.
#[inline(always)]
pub(crate) fn exp_floored<L: Lane>(z: L) -> L {
    exp_core(z.max(L::splat(EXP_FLOOR)))
}

/// [`exp_core`] on every element of `x`, `W` at a time: inputs are clamped to
/// `[EXP_FLOOR, EXP_CEIL]`, then those below `-745.2` (where `f64::exp` is 0) give exactly 0
/// and NaN stays NaN. Between `-745.2` and `EXP_FLOOR` the result is `exp(EXP_FLOOR)`
/// instead of a subnormal number.
#[inline(always)]
pub(crate) fn exp_lanes<L: Lane>(x: &mut [f64]) {
    let mut buf = [0.0; MAX_W];
    for chunk in x.chunks_mut(L::W) {
        let n = chunk.len();
        buf[..n].copy_from_slice(chunk);
        let v = L::load(&buf);
        exp_core(v.max(L::splat(EXP_FLOOR)).min(L::splat(EXP_CEIL))).store(&mut buf);
        for (o, e) in chunk.iter_mut().zip(&buf) {
            *o = if o.is_nan() {
                f64::NAN
            } else if *o < -745.2 {
                0.0
            } else {
                *e
            };
        }
    }
}

// ---------------------------------------------------------------------------------------
// wide::f64x4: the portable lanes.

impl Lane for wide::f64x4 {
    const W: usize = 4;
    #[inline(always)]
    fn splat(v: f64) -> Self {
        wide::f64x4::splat(v)
    }
    #[inline(always)]
    fn load(src: &[f64]) -> Self {
        wide::f64x4::new([src[0], src[1], src[2], src[3]])
    }
    #[inline(always)]
    fn store(self, dst: &mut [f64]) {
        dst[..4].copy_from_slice(&self.to_array());
    }
    #[inline(always)]
    fn mul_add(self, b: Self, c: Self) -> Self {
        wide::f64x4::mul_add(self, b, c)
    }
    #[inline(always)]
    fn neg_mul_add(self, b: Self, c: Self) -> Self {
        wide::f64x4::mul_neg_add(self, b, c)
    }
    #[inline(always)]
    fn max(self, o: Self) -> Self {
        self.fast_max(o)
    }
    #[inline(always)]
    fn min(self, o: Self) -> Self {
        self.fast_min(o)
    }
    #[inline(always)]
    fn abs(self) -> Self {
        wide::f64x4::abs(self)
    }
    #[inline(always)]
    fn recip(self) -> Self {
        wide::f64x4::splat(1.0) / self
    }
    #[inline(always)]
    fn sqrt(self) -> Self {
        wide::f64x4::sqrt(self)
    }
    #[inline(always)]
    fn le_bits(self, o: Self) -> u32 {
        self.simd_le(o).to_bitmask()
    }
    #[inline(always)]
    fn lt_bits(self, o: Self) -> u32 {
        self.simd_lt(o).to_bitmask()
    }
    #[inline(always)]
    fn mask(bits: u32) -> Self {
        let lane = |l: u32| {
            if bits >> l & 1 == 1 {
                f64::from_bits(u64::MAX)
            } else {
                0.0
            }
        };
        wide::f64x4::new([lane(0), lane(1), lane(2), lane(3)])
    }
    #[inline(always)]
    fn select(mask: Self, t: Self, f: Self) -> Self {
        mask.select(t, f)
    }
    #[inline(always)]
    fn pow2_from_magic(t: Self) -> Self {
        let bits = (t.to_bits() + wide::u64x4::splat(1023)) << 52_u32;
        wide::f64x4::from_bits(bits)
    }
}

// ---------------------------------------------------------------------------------------
// X4: AVX2 + FMA lanes (x86_64, runtime-detected).

/// Four lanes as a plain array. Only used inside `#[target_feature(enable = "avx2,fma")]`
/// functions: there `f64::mul_add` is one `vfmadd` and LLVM vectorises the element loops
/// into 256-bit instructions. (Outside such a function `f64::mul_add` would be a slow
/// software call, never wrong.)
#[cfg(target_arch = "x86_64")]
#[derive(Clone, Copy, Debug)]
#[repr(C, align(32))]
pub(crate) struct X4(pub(crate) [f64; 4]);

#[cfg(target_arch = "x86_64")]
mod x4 {
    use super::{Lane, X4};
    use std::ops::{Add, Mul, Sub};

    #[inline(always)]
    fn map(a: X4, f: impl Fn(f64) -> f64) -> X4 {
        X4([f(a.0[0]), f(a.0[1]), f(a.0[2]), f(a.0[3])])
    }
    #[inline(always)]
    fn map2(a: X4, b: X4, f: impl Fn(f64, f64) -> f64) -> X4 {
        X4([
            f(a.0[0], b.0[0]),
            f(a.0[1], b.0[1]),
            f(a.0[2], b.0[2]),
            f(a.0[3], b.0[3]),
        ])
    }
    #[inline(always)]
    fn map3(a: X4, b: X4, c: X4, f: impl Fn(f64, f64, f64) -> f64) -> X4 {
        X4([
            f(a.0[0], b.0[0], c.0[0]),
            f(a.0[1], b.0[1], c.0[1]),
            f(a.0[2], b.0[2], c.0[2]),
            f(a.0[3], b.0[3], c.0[3]),
        ])
    }

    impl Add for X4 {
        type Output = X4;
        #[inline(always)]
        fn add(self, o: X4) -> X4 {
            map2(self, o, |a, b| a + b)
        }
    }
    impl Sub for X4 {
        type Output = X4;
        #[inline(always)]
        fn sub(self, o: X4) -> X4 {
            map2(self, o, |a, b| a - b)
        }
    }
    impl Mul for X4 {
        type Output = X4;
        #[inline(always)]
        fn mul(self, o: X4) -> X4 {
            map2(self, o, |a, b| a * b)
        }
    }

    impl Lane for X4 {
        const W: usize = 4;
        #[inline(always)]
        fn splat(v: f64) -> Self {
            X4([v; 4])
        }
        #[inline(always)]
        fn load(src: &[f64]) -> Self {
            X4([src[0], src[1], src[2], src[3]])
        }
        #[inline(always)]
        fn store(self, dst: &mut [f64]) {
            dst[..4].copy_from_slice(&self.0);
        }
        #[inline(always)]
        fn mul_add(self, b: Self, c: Self) -> Self {
            map3(self, b, c, f64::mul_add)
        }
        #[inline(always)]
        fn neg_mul_add(self, b: Self, c: Self) -> Self {
            map3(self, b, c, |a, b, c| (-a).mul_add(b, c))
        }
        #[inline(always)]
        fn max(self, o: Self) -> Self {
            map2(self, o, |a, b| if a > b { a } else { b })
        }
        #[inline(always)]
        fn min(self, o: Self) -> Self {
            map2(self, o, |a, b| if a < b { a } else { b })
        }
        #[inline(always)]
        fn abs(self) -> Self {
            map(self, |a| f64::from_bits(a.to_bits() & !(1 << 63)))
        }
        #[inline(always)]
        fn recip(self) -> Self {
            map(self, |a| 1.0 / a)
        }
        #[inline(always)]
        fn sqrt(self) -> Self {
            map(self, f64::sqrt)
        }
        #[inline(always)]
        fn le_bits(self, o: Self) -> u32 {
            u32::from(self.0[0] <= o.0[0])
                | u32::from(self.0[1] <= o.0[1]) << 1
                | u32::from(self.0[2] <= o.0[2]) << 2
                | u32::from(self.0[3] <= o.0[3]) << 3
        }
        #[inline(always)]
        fn lt_bits(self, o: Self) -> u32 {
            u32::from(self.0[0] < o.0[0])
                | u32::from(self.0[1] < o.0[1]) << 1
                | u32::from(self.0[2] < o.0[2]) << 2
                | u32::from(self.0[3] < o.0[3]) << 3
        }
        #[inline(always)]
        fn mask(bits: u32) -> Self {
            let lane = |l: u32| {
                if bits >> l & 1 == 1 {
                    f64::from_bits(u64::MAX)
                } else {
                    0.0
                }
            };
            X4([lane(0), lane(1), lane(2), lane(3)])
        }
        #[inline(always)]
        fn select(mask: Self, t: Self, f: Self) -> Self {
            map3(mask, t, f, |m, t, f| {
                f64::from_bits((m.to_bits() & t.to_bits()) | (!m.to_bits() & f.to_bits()))
            })
        }
        #[inline(always)]
        fn pow2_from_magic(t: Self) -> Self {
            map(t, |t| f64::from_bits(t.to_bits().wrapping_add(1023) << 52))
        }
    }
}
