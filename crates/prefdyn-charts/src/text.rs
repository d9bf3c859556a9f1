//! Text on the charts: how wide a string is (estimated, the same for every backend, so a
//! layout never depends on which fonts a browser has) and word wrapping to a width.

/// The advance of `c` in ems, on the wide side of DejaVu Sans (the CLI's font); browser
/// sans-serif fonts are narrower, so text laid out with it fits everywhere.
fn char_em(c: char) -> f64 {
    match c {
        'i' | 'l' | 'j' | '|' | '.' | ',' | ':' | ';' | '\'' | '!' | 'ı' => 0.32,
        ' ' => 0.33,
        'f' | 't' | 'r' | '(' | ')' | '[' | ']' | '/' | '\\' | 'I' | 'J' => 0.44,
        'm' | 'w' | 'M' | 'W' | '½' | '…' => 1.0,
        '=' | '+' | '−' | '×' | '<' | '>' | '±' | '~' | '≤' | '≥' | '≈' | '∞' => 0.86,
        '0'..='9' => 0.66,
        'a'..='z' => 0.64,
        'A'..='Z' => 0.76,
        '⁰' | '¹' | '²' | '³' | '⁴' | '⁵' | '⁶' | '⁷' | '⁸' | '⁹' | '⁻' | 'ᵀ' => {
            0.46
        }
        '₀' | '₁' | '₂' | '₃' | '₄' | '₅' | '₆' | '₇' | '₈' | '₉' => 0.46,
        _ => 0.76,
    }
}

/// The width in pixels of `text` in a sans-serif font of `font_px` pixels (an upper
/// estimate).
pub fn text_width(text: &str, font_px: f64) -> f64 {
    text.chars().map(char_em).sum::<f64>() * font_px
}

/// `text` broken into lines at most `max_width` pixels wide (at `font_px`), at spaces; a
/// word wider than a line on its own is broken between characters. Never empty.
pub fn wrap(text: &str, max_width: f64, font_px: f64) -> Vec<String> {
    let mut lines: Vec<String> = vec![];
    let mut line = String::new();
    for word in text.split(' ').filter(|w| !w.is_empty()) {
        let candidate = if line.is_empty() {
            word.to_string()
        } else {
            format!("{line} {word}")
        };
        if text_width(&candidate, font_px) <= max_width {
            line = candidate;
            continue;
        }
        if !line.is_empty() {
            lines.push(std::mem::take(&mut line));
        }
        // The word on a line of its own, broken where it must be.
        for c in word.chars() {
            let mut next = line.clone();
            next.push(c);
            if !line.is_empty() && text_width(&next, font_px) > max_width {
                lines.push(std::mem::take(&mut line));
                line.push(c);
            } else {
                line = next;
            }
        }
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrapping_keeps_every_line_within_the_width() {
        let s = "α + (βλ/2)‖P − ½11ᵀ‖₂ = 1: stable for every start below (dots)";
        for width in [60.0, 120.0, 200.0, 272.0, 1000.0] {
            let lines = wrap(s, width, 11.0);
            for l in &lines {
                assert!(text_width(l, 11.0) <= width, "{l:?} wider than {width}");
            }
            // Nothing lost but the spaces between lines.
            assert_eq!(lines.join(" "), s, "at {width}");
        }
        assert_eq!(wrap(s, 1000.0, 11.0).len(), 1);
        assert!(wrap(s, 200.0, 11.0).len() >= 2);
        // A word longer than the width is split between characters.
        let long = wrap("abcdefghijklmnop", 30.0, 10.0);
        assert!(long.len() > 1 && long.concat() == "abcdefghijklmnop");
        assert_eq!(wrap("", 10.0, 10.0), vec![String::new()]);
    }

    #[test]
    fn widths_grow_with_the_text() {
        assert_eq!(text_width("", 12.0), 0.0);
        assert!(text_width("mmm", 12.0) > text_width("iii", 12.0));
        assert!((text_width("0.262", 10.0) - 10.0 * (4.0 * 0.66 + 0.32)).abs() < 1e-9);
    }
}
