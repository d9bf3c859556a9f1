//! Short, distinct display forms of labels.

/// Smallest display length [`short_labels`] works with (room for `x…64`).
pub const MIN_SHORT_LABEL: usize = 4;

const ELLIPSIS: char = '…';
/// Trimmed from a head before the ellipsis.
const HEAD_TRIM: &[char] = &[' ', '-', '_', '(', '[', '/', ',', ':', ';', '.', '=', '@'];
/// Trimmed from a tail after the ellipsis.
const TAIL_TRIM: &[char] = &[' ', '-', '_', ')', ']', '/', ',', ':', ';', '.', '='];
/// Characters that end a token (for keeping a whole distinguishing suffix).
const SEPARATORS: &[char] = &[
    ' ', '-', '_', '/', '(', ')', '[', ']', ',', ':', ';', '=', '@',
];

/// Display forms of at most `max_chars` characters (at least [`MIN_SHORT_LABEL`]), pairwise
/// distinct (for up to 999 labels). A label that fits is kept. A longer one becomes, in
/// order of preference, the first form no other label shows: the label without
/// bracketed parts (`palm-2 (chat-bison@001)` → `palm-2`); without the `key=` parts every
/// label has (`flav=0.6,gel=2.4` → `0.6,2.4`); a head, `…` and the part that
/// tells it from the most similar label (`Guanaco-65B` → `Guanac…65B`); a head and `…`;
/// a head, `…` and a tail; a head, `…` and its position (1-based).
pub fn short_labels(labels: &[String], max_chars: usize) -> Vec<String> {
    let max = max_chars.max(MIN_SHORT_LABEL);
    let chars: Vec<Vec<char>> = labels.iter().map(|l| l.chars().collect()).collect();
    let common = common_words(&chars);
    let candidates: Vec<Vec<String>> = (0..labels.len())
        .map(|i| candidates(&chars, i, max, &common))
        .collect();
    let fallback: Vec<String> = (0..labels.len())
        .map(|i| numbered(&chars[i], i + 1, max))
        .collect();
    let mut pick = vec![0usize; labels.len()];
    let mut numbered_at = vec![false; labels.len()];
    loop {
        let forms: Vec<&str> = (0..labels.len())
            .map(|i| {
                if numbered_at[i] {
                    fallback[i].as_str()
                } else {
                    candidates[i]
                        .get(pick[i])
                        .map_or(fallback[i].as_str(), String::as_str)
                }
            })
            .collect();
        // Labels showing the same form, groups in order of their first label (n ≤ 999).
        let mut clashes: Vec<Vec<usize>> = vec![];
        for i in 0..forms.len() {
            if forms[..i].contains(&forms[i]) {
                continue;
            }
            let group: Vec<usize> = (i..forms.len()).filter(|&j| forms[j] == forms[i]).collect();
            if group.len() > 1 {
                clashes.push(group);
            }
        }
        if clashes.is_empty() {
            return forms.into_iter().map(str::to_owned).collect();
        }
        for group in clashes {
            let movable: Vec<usize> = group
                .iter()
                .copied()
                .filter(|&i| !numbered_at[i] && pick[i] + 1 < candidates[i].len())
                .collect();
            if movable.is_empty() {
                let keep = group
                    .iter()
                    .copied()
                    .find(|&i| numbered_at[i])
                    .or_else(|| group.iter().copied().find(|&i| forms[i] == labels[i]))
                    .unwrap_or(group[0]);
                for &i in &group {
                    if i != keep {
                        numbered_at[i] = true;
                    }
                }
            } else {
                for i in movable {
                    pick[i] += 1;
                }
            }
        }
    }
}

fn text(c: &[char]) -> String {
    c.iter().collect()
}

/// `head…tail` with separators trimmed next to the ellipsis.
fn join(head: &[char], tail: &[char]) -> String {
    let head = text(head);
    let tail = text(tail);
    format!(
        "{}{ELLIPSIS}{}",
        head.trim_end_matches(HEAD_TRIM),
        tail.trim_start_matches(TAIL_TRIM)
    )
}

/// Characters shared at the start.
fn common_prefix(a: &[char], b: &[char]) -> usize {
    a.iter().zip(b).take_while(|(x, y)| x == y).count()
}

/// The label without `(…)` and `[…]` parts, spaces collapsed.
fn without_brackets(s: &[char]) -> String {
    let mut out = String::new();
    let mut depth = 0usize;
    for &c in s {
        match c {
            '(' | '[' => depth += 1,
            ')' | ']' if depth > 0 => depth -= 1,
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Keys of `key=value` or `key:value` parts: runs of letters before `=` or `:`.
fn words(s: &[char]) -> Vec<String> {
    let runs: Vec<&[char]> = s
        .chunk_by(|a, b| a.is_alphabetic() == b.is_alphabetic())
        .collect();
    runs.windows(2)
        .filter(|w| w[0][0].is_alphabetic() && (w[1][0] == '=' || w[1][0] == ':'))
        .map(|w| text(w[0]))
        .collect()
}

/// Keys found in every label (none for fewer than two labels).
fn common_words(all: &[Vec<char>]) -> Vec<String> {
    let Some((first, rest)) = all.split_first() else {
        return vec![];
    };
    if rest.is_empty() {
        return vec![];
    }
    let mut common = words(first);
    for s in rest {
        let w = words(s);
        common.retain(|c| w.contains(c));
    }
    common
}

/// The label without the common keys (and the `=` or `:` after each), separators
/// collapsed and trimmed: `flav=0.6,gel=2.4` → `0.6,2.4`.
fn without_words(s: &[char], common: &[String]) -> String {
    let mut out: Vec<char> = vec![];
    let mut skip_assign = false;
    for run in s.chunk_by(|a, b| a.is_alphabetic() == b.is_alphabetic()) {
        if run[0].is_alphabetic() && common.contains(&text(run)) {
            skip_assign = true;
            continue;
        }
        let run = if skip_assign && (run[0] == '=' || run[0] == ':') {
            &run[1..]
        } else {
            run
        };
        skip_assign = false;
        for &c in run {
            let repeat = out
                .last()
                .is_some_and(|&l| SEPARATORS.contains(&l) && SEPARATORS.contains(&c));
            if !repeat {
                out.push(c);
            }
        }
    }
    text(&out)
        .trim_matches(|c: char| SEPARATORS.contains(&c) || c == '.')
        .to_owned()
}

/// Forms of label `i` in order of preference (just the label when it fits).
fn candidates(all: &[Vec<char>], i: usize, max: usize, common: &[String]) -> Vec<String> {
    let s = &all[i];
    let n = s.len();
    if n <= max {
        return vec![text(s)];
    }
    let mut out: Vec<String> = vec![];
    let push = |f: String, out: &mut Vec<String>| {
        if f.chars().count() <= max && !out.contains(&f) {
            out.push(f);
        }
    };
    let plain = without_brackets(s);
    if !plain.is_empty() {
        push(plain, &mut out);
    }
    if !common.is_empty() {
        let short = without_words(s, common);
        if short.chars().any(char::is_alphanumeric) {
            push(short, &mut out);
        }
    }
    // Keep what tells this label from its most similar one.
    let d = all
        .iter()
        .enumerate()
        .filter(|&(j, _)| j != i)
        .map(|(_, o)| common_prefix(s, o))
        .max()
        .unwrap_or(0)
        .min(n);
    let token = s[..d]
        .iter()
        .rposition(|c| SEPARATORS.contains(c))
        .map_or(0, |p| p + 1);
    for start in [token, d] {
        let tail = n - start;
        if tail + 1 + 3 <= max {
            let head = max - 1 - tail;
            push(join(&s[..head], &s[start..]), &mut out);
        }
    }
    push(join(&s[..max - 1], &[]), &mut out);
    for tail in 1..=max.saturating_sub(4) {
        let head = max - 1 - tail;
        push(join(&s[..head], &s[n - tail..]), &mut out);
    }
    out
}

/// `head…N`, the last resort (distinct for distinct `N`).
fn numbered(s: &[char], position: usize, max: usize) -> String {
    let tag = position.to_string();
    let head = max.saturating_sub(1 + tag.len()).min(s.len());
    format!(
        "{}{ELLIPSIS}{tag}",
        text(&s[..head]).trim_end_matches(HEAD_TRIM)
    )
}
