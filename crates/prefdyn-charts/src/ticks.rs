//! Round tick values and the colour scale of a metric.

use plotters::style::RGBColor;

use super::sequential;

/// A round step (1, 2, 2.5 or 5 × 10^k) that cuts `[lo, hi]` into about `target` parts.
pub fn nice_step(lo: f64, hi: f64, target: usize) -> f64 {
    let span = (hi - lo).abs();
    if !(span.is_finite() && span > 0.0) {
        return 1.0;
    }
    let raw = span / target.max(1) as f64;
    let mag = 10f64.powf(raw.log10().floor());
    [1.0, 2.0, 2.5, 5.0, 10.0]
        .into_iter()
        .map(|m| m * mag)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * mag)
}

/// Round values in `[lo, hi]` (either order), about `target` of them.
pub fn nice_ticks(lo: f64, hi: f64, target: usize) -> Vec<f64> {
    let (a, b) = if lo <= hi { (lo, hi) } else { (hi, lo) };
    let step = nice_step(a, b, target);
    let first = (a / step).ceil() as i64;
    let last = (b / step + 1e-9).floor() as i64;
    (first..=last.max(first - 1))
        .map(|i| i as f64 * step)
        .map(|v| if v.abs() < step * 1e-9 { 0.0 } else { v })
        .collect()
}

/// A tick's text without float noise: as [`prefdyn::text::sig`] writes it (`0.25`, `4`,
/// `1 × 10⁻³`, `2,000`) when that is the exact value, else the exact decimal (a tick at
/// `1.225` stays `1.225`).
pub fn tick_label(v: f64) -> String {
    if v == 0.0 || !v.is_finite() {
        return prefdyn::text::sig(v);
    }
    let mantissa = v.abs() / 10f64.powi(v.abs().log10().floor() as i32 - 2);
    if (mantissa - mantissa.round()).abs() < 1e-6 || !(1e-3..1e3).contains(&v.abs()) {
        return prefdyn::text::sig(v);
    }
    let s = format!("{:.6}", v.abs());
    let s = s.trim_end_matches('0').trim_end_matches('.');
    format!("{}{s}", if v < 0.0 { "−" } else { "" })
}

/// How a metric's values map to colours: linearly, or in log₁₀ when the positive values
/// span more than three decades (a time-averaged variance from 1e-30 to 0.04).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ColourScale {
    pub lo: f64,
    pub hi: f64,
    pub log: bool,
}

impl ColourScale {
    /// The scale of the finite values (`[0, 1]` when there are none).
    pub fn of(values: &[f64]) -> ColourScale {
        let finite = values.iter().copied().filter(|v| v.is_finite());
        let (lo, hi) = finite.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
            (a.min(v), b.max(v))
        });
        if !lo.is_finite() {
            return ColourScale {
                lo: 0.0,
                hi: 1.0,
                log: false,
            };
        }
        let positive = values
            .iter()
            .copied()
            .filter(|v| v.is_finite() && *v > 0.0)
            .fold(f64::INFINITY, f64::min);
        if lo >= 0.0 && positive.is_finite() && hi / positive > 1e3 {
            return ColourScale {
                lo: positive,
                hi,
                log: true,
            };
        }
        ColourScale {
            lo,
            hi: if hi > lo { hi } else { lo + 1e-12 },
            log: false,
        }
    }

    /// The position of `v` on the scale, in [0, 1] (values below a log scale's range sit
    /// at 0).
    pub fn unit(&self, v: f64) -> f64 {
        let t = if self.log {
            if v <= 0.0 {
                0.0
            } else {
                (v.log10() - self.lo.log10()) / (self.hi.log10() - self.lo.log10())
            }
        } else {
            (v - self.lo) / (self.hi - self.lo)
        };
        t.clamp(0.0, 1.0)
    }

    pub fn colour(&self, v: f64) -> RGBColor {
        sequential(self.unit(v))
    }

    /// A tick's text on this scale (decades on a log scale as `0.01`, `1 × 10⁻⁵`).
    pub fn label(&self, v: f64) -> String {
        tick_label(v)
    }

    /// Round values to label the colour bar with: decades on a log scale.
    pub fn ticks(&self) -> Vec<f64> {
        if !self.log {
            return nice_ticks(self.lo, self.hi, 4);
        }
        let (a, b) = (
            self.lo.log10().ceil() as i32,
            self.hi.log10().floor() as i32,
        );
        let every = ((b - a) / 5 + 1).max(1);
        (a..=b)
            .filter(|e| (e - a) % every == 0)
            .map(|e| 10f64.powi(e))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_are_round() {
        assert_eq!(nice_ticks(0.0, 1.0, 4), vec![0.0, 0.25, 0.5, 0.75, 1.0]);
        assert_eq!(nice_ticks(0.2, 4.0, 4), vec![1.0, 2.0, 3.0, 4.0]);
        assert_eq!(nice_ticks(0.2, 8.0, 4), vec![2.0, 4.0, 6.0, 8.0]);
        assert_eq!(tick_label(0.25), "0.25");
        assert_eq!(tick_label(1e-20), "1 × 10⁻²⁰");
        assert_eq!(tick_label(3.0), "3");
        assert_eq!(tick_label(0.1 + 0.2), "0.3");
        assert_eq!(tick_label(1.225), "1.225");
        assert_eq!(tick_label(-0.5), "−0.5");
        assert_eq!(tick_label(2000.0), "2,000");
        assert_eq!(tick_label(5e-4), "5 × 10⁻⁴");
    }

    #[test]
    fn a_wide_positive_range_is_logarithmic() {
        let s = ColourScale::of(&[1.1e-30, 1e-10, 0.04, f64::NAN]);
        assert!(s.log);
        assert_eq!(s.unit(1.1e-30), 0.0);
        assert_eq!(s.unit(0.04), 1.0);
        assert!(
            (s.unit(1e-10) - (-10.0 - 1.1e-30f64.log10()) / (0.04f64.log10() - 1.1e-30f64.log10()))
                .abs()
                < 1e-12
        );
        assert!(s.ticks().iter().all(|t| t.log10().fract().abs() < 1e-9));
        assert_eq!(s.label(1e-3), "0.001");
        assert_eq!(s.label(1e-4), "1 × 10⁻⁴");
        assert_eq!(s.label(0.1), "0.1");
        assert_eq!(s.label(1.0), "1");
        let lin = ColourScale::of(&[0.1, 0.5, 1.2]);
        assert!(!lin.log);
        assert_eq!(lin.unit(0.1), 0.0);
        assert!(!ColourScale::of(&[-1.0, 5.0]).log);
    }
}
