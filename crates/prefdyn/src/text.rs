//! Numbers and counts written for people, the same on the page and in the CLI: three
//! significant digits, scientific notation only below 10⁻³ (written `1.9 × 10⁻⁹`),
//! durations in ms or s, counts with thousands separators and the right plural.

/// Unicode superscript of an integer exponent (`-9` → `⁻⁹`).
fn superscript(e: i32) -> String {
    const DIGITS: [char; 10] = ['⁰', '¹', '²', '³', '⁴', '⁵', '⁶', '⁷', '⁸', '⁹'];
    let mut s = String::new();
    if e < 0 {
        s.push('⁻');
    }
    for c in e.unsigned_abs().to_string().chars() {
        if let Some(d) = c.to_digit(10) {
            s.push(DIGITS[d as usize]);
        }
    }
    s
}

/// Drops trailing zeros of a decimal (`0.500` → `0.5`, `2.00` → `2`).
fn trim_zeros(s: String) -> String {
    if !s.contains('.') {
        return s;
    }
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// `x` with 3 significant digits: `0.0694`, `1.05`, `16.4`, `231`; whole numbers from 1,000
/// on (`16,411`); below 10⁻³ in magnitude `6.94 × 10⁻⁴`. Trailing zeros are dropped, `0`
/// is `0`, NaN is `—`, infinities are `∞` / `−∞`.
pub fn sig(x: f64) -> String {
    sig_n(x, 3)
}

/// `x` with `n` (1 to 15) significant digits, written as [`sig`] writes 3 (data tables use 4).
pub fn sig_n(x: f64, n: u32) -> String {
    let n = n.clamp(1, 15) as i32;
    if x.is_nan() {
        return "—".into();
    }
    if x.is_infinite() {
        return if x > 0.0 {
            "∞".into()
        } else {
            "−∞".into()
        };
    }
    if x == 0.0 {
        return "0".into();
    }
    let a = x.abs();
    let sign = if x < 0.0 { "−" } else { "" };
    if a < 1e-3 {
        let mut e = a.log10().floor() as i32;
        let mut m = a / 10f64.powi(e);
        // Rounding may carry the mantissa to 10.
        let d = (n - 1) as usize;
        if format!("{m:.d$}").parse::<f64>().unwrap_or(m) >= 10.0 {
            e += 1;
            m /= 10.0;
        }
        return format!(
            "{sign}{} × 10{}",
            trim_zeros(format!("{m:.d$}")),
            superscript(e)
        );
    }
    if a >= 999.5 {
        return format!("{sign}{}", grouped(a.round() as u64));
    }
    // Decimals for n significant digits, after rounding (0.09996 → 0.1).
    let digits = |v: f64| (n - 1 - v.log10().floor() as i32).max(0) as usize;
    let d = digits(a);
    let rounded: f64 = format!("{a:.d$}").parse().unwrap_or(a);
    let d = digits(rounded).min(d);
    format!("{sign}{}", trim_zeros(format!("{rounded:.d$}")))
}

/// `n` with `,` between thousands from 1,000 on (`4,924`).
pub fn grouped(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `n thing` / `n things`, with `n` grouped (`1 majority 3-cycle`, `2 majority 3-cycles`).
pub fn count(n: usize, one: &str, many: &str) -> String {
    format!("{} {}", grouped(n as u64), if n == 1 { one } else { many })
}

/// A share as a percentage with at most 3 significant digits (`0.934` → `93.4 %`).
pub fn percent(share: f64) -> String {
    format!("{} %", sig(100.0 * share))
}

/// A duration in milliseconds as people write it: `0.42 ms`, `164 ms`, `16.4 s`,
/// `2 min 5 s`.
pub fn duration(ms: f64) -> String {
    if !ms.is_finite() || ms < 0.0 {
        return "—".into();
    }
    if ms < 1000.0 {
        return format!("{} ms", sig(ms));
    }
    let s = ms / 1000.0;
    if s < 60.0 {
        return format!("{} s", sig(s));
    }
    let whole = s.round() as u64;
    format!("{} min {} s", whole / 60, whole % 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn three_significant_digits() {
        let cases = [
            (0.06944, "0.0694"),
            (6.944e-2, "0.0694"),
            (1.0536, "1.05"),
            (0.88, "0.88"),
            (0.5, "0.5"),
            (2.0, "2"),
            (16.411, "16.4"),
            (231.4, "231"),
            (999.4, "999"),
            (999.6, "1,000"),
            (16411.0, "16,411"),
            (0.0010, "0.001"),
            (0.09996, "0.1"),
            (-0.25, "−0.25"),
            (1.9e-9, "1.9 × 10⁻⁹"),
            (6.944e-4, "6.94 × 10⁻⁴"),
            (9.999e-4, "1 × 10⁻³"),
            (0.0, "0"),
            (1234.5, "1,235"),
            (f64::NAN, "—"),
            (f64::INFINITY, "∞"),
        ];
        for (x, want) in cases {
            assert_eq!(sig(x), want, "sig({x})");
        }
    }

    #[test]
    fn four_significant_digits_for_tables() {
        assert_eq!(sig_n(0.26194, 4), "0.2619");
        assert_eq!(sig_n(6.9440e-2, 4), "0.06944");
        assert_eq!(sig_n(1.23456e-5, 4), "1.235 × 10⁻⁵");
        assert_eq!(sig_n(1234.5, 4), "1,235");
        assert_eq!(sig_n(999.96, 4), "1,000");
    }

    #[test]
    fn counts_durations_percentages() {
        assert_eq!(
            count(1, "majority 3-cycle", "majority 3-cycles"),
            "1 majority 3-cycle"
        );
        assert_eq!(
            count(3, "majority 3-cycle", "majority 3-cycles"),
            "3 majority 3-cycles"
        );
        assert_eq!(count(4924, "matrix", "matrices"), "4,924 matrices");
        assert_eq!(grouped(1_234_567), "1,234,567");
        assert_eq!(duration(16411.0), "16.4 s");
        assert_eq!(duration(164.2), "164 ms");
        assert_eq!(duration(0.42), "0.42 ms");
        assert_eq!(duration(125_000.0), "2 min 5 s");
        assert_eq!(percent(0.934), "93.4 %");
        assert_eq!(percent(1.0), "100 %");
    }
}
