//! A stable-Rust, deterministic fuzz run of the URL parser (the cargo-fuzz target in
//! `fuzz/` needs nightly): 200 000 pseudo-random byte strings, mixing the real keys with
//! junk values, bytes that are not UTF-8, percent-escapes and separators, go through
//! `parse_query`, with variants' overrides (`KEY.N`, N in and outside 2..=4) among them.
//! Nothing may panic, every issue must name a field (or `KEY.N`), the parsed configuration
//! must be canonical and survive `to_query` → `parse_query`, and each variant must be a
//! link of its own.
//!
//! `PREFDYN_FUZZ_CASES` and `PREFDYN_FUZZ_SEED` change the number of inputs and the seed.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::panic::{catch_unwind, AssertUnwindSafe};

use prefdyn::config::{parse_query, to_query, Parsed};

const DEFAULT_CASES: usize = 200_000;
const DEFAULT_SEED: u64 = 0x5eed_f00d;

/// Every key the query format knows (the table's).
fn keys() -> Vec<&'static str> {
    prefdyn::config::FIELDS.iter().map(|f| f.key).collect()
}

/// Values that are legal for some key (so that deeper code paths are reached).
const LEGAL: [&str; 42] = [
    "0",
    "1",
    "2",
    "3",
    "5",
    "7",
    "9",
    "0.5",
    "0.25",
    "0.999999",
    "1e-3",
    "100",
    "20000",
    "uniform",
    "dir1",
    "dir42",
    "0.2,0.3,0.5",
    "1,2,3",
    "0.5,0.5,0.5",
    "0.1,0.9,0.4,0.6,0.2,0.7",
    "0,1,0",
    "1,1,1",
    "0.7,0.2,0.1;0.1,0.1,0.8",
    "1,0,0;0,0.5,0.5;0.2,0.3,0.5",
    "ipo",
    "dpo",
    "prefs",
    "oneshot",
    "dynamics",
    "phase",
    "rps",
    "circulant",
    "cyclic",
    "bt",
    "thurstone",
    "sst",
    "random",
    "current",
    "alpha",
    "betalam",
    "var",
    "rho",
];

/// Values no key accepts, or accepts only after clamping.
const JUNK: [&str; 40] = [
    "",
    "NaN",
    "nan",
    "-NaN",
    "inf",
    "-inf",
    "infinity",
    "+inf",
    "1e999",
    "-1e999",
    "1e-400",
    "5e-324",
    "-1",
    "-0",
    "-0.0",
    "18446744073709551615",
    "18446744073709551616",
    "340282366920938463463374607431768211456",
    "999999",
    "1000",
    "10000",
    "0x10",
    "1_000",
    "1..2",
    "..",
    ",",
    ",,",
    "1,",
    ",1",
    "dir",
    "dir-1",
    "dir1e3",
    ";;",
    "1,2,3;",
    ";0,0,0;-1,1,1",
    "1,1,1;1,1,1;1,1,1;1,1,1;1,1,1;1,1,1;1,1,1;1,1,1;1,1,1",
    "💥",
    "é",
    "１",
    "\u{0}",
];

/// Bytes that matter to a query parser.
const SPECIAL: &[u8] = b"&=?#%+,;. -_0123456789eE";

/// SplitMix64: tiny, deterministic, good enough for choosing inputs.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
}

fn push_random_bytes(rng: &mut Rng, out: &mut Vec<u8>, max: usize) {
    for _ in 0..rng.below(max + 1) {
        let b = match rng.below(4) {
            0 => SPECIAL[rng.below(SPECIAL.len())],
            1 => b'a' + rng.below(26) as u8,
            2 => rng.next() as u8, // any byte, often not UTF-8
            _ => b"0123456789"[rng.below(10)],
        };
        out.push(b);
    }
}

fn push_percent_escape(rng: &mut Rng, out: &mut Vec<u8>) {
    const HEX: &[u8] = b"0123456789ABCDEFabcdefXZ";
    out.push(b'%');
    for _ in 0..rng.below(3) {
        out.push(HEX[rng.below(HEX.len())]);
    }
}

fn push_number(rng: &mut Rng, out: &mut Vec<u8>) {
    let s = match rng.below(5) {
        0 => (rng.next() as i64).to_string(),
        1 => (rng.below(2000) as f64 / 1000.0 - 0.5).to_string(),
        2 => format!("{:e}", f64::from_bits(rng.next())),
        3 => rng.below(70).to_string(),
        _ => {
            let n = 1 + rng.below(12);
            (0..n)
                .map(|_| format!("{:.3}", rng.below(1200) as f64 / 1000.0 - 0.1))
                .collect::<Vec<_>>()
                .join(if rng.chance(30) { ";" } else { "," })
        }
    };
    out.extend_from_slice(s.as_bytes());
}

/// One input: a few `key=value` pairs with separators, prefixes and noise.
fn input(rng: &mut Rng, keys: &[&str]) -> Vec<u8> {
    let mut out = Vec::new();
    match rng.below(10) {
        0 => out.extend_from_slice(b"https://example.org/prefdyn/?"),
        1 => out.push(b'?'),
        2 => push_random_bytes(rng, &mut out, 6),
        _ => {}
    }
    let pairs = rng.below(10);
    for i in 0..pairs {
        if i > 0 || rng.chance(10) {
            out.extend_from_slice(match rng.below(20) {
                0 => b"&&",
                1 => b";",
                2 => b"",
                _ => b"&",
            });
        }
        // Key.
        match rng.below(20) {
            0 => push_random_bytes(rng, &mut out, 6),
            1 => {
                push_percent_escape(rng, &mut out);
                out.extend_from_slice(rng.pick(keys).as_bytes());
            }
            2 => {
                let k = rng.pick(keys).to_uppercase();
                out.extend_from_slice(k.as_bytes());
            }
            3..=5 => {
                // A variant's override `KEY.N`: mostly N = 2..=4, sometimes outside.
                let n = match rng.below(8) {
                    0 => rng.below(100),
                    1 => usize::MAX - rng.below(3),
                    _ => 2 + rng.below(3),
                };
                out.extend_from_slice(format!("{}.{n}", rng.pick(keys)).as_bytes());
            }
            _ => out.extend_from_slice(rng.pick(keys).as_bytes()),
        }
        // Separator.
        match rng.below(20) {
            0 => {}
            1 => out.extend_from_slice(b"=="),
            _ => out.push(b'='),
        }
        // Value.
        match rng.below(10) {
            0..=2 => out.extend_from_slice(rng.pick(&LEGAL).as_bytes()),
            3..=5 => out.extend_from_slice(rng.pick(&JUNK).as_bytes()),
            6 => push_number(rng, &mut out),
            7 => push_percent_escape(rng, &mut out),
            8 => push_random_bytes(rng, &mut out, 12),
            _ => {
                push_number(rng, &mut out);
                push_random_bytes(rng, &mut out, 3);
            }
        }
    }
    if rng.chance(10) {
        out.push(b'#');
        push_random_bytes(rng, &mut out, 8);
    }
    out
}

/// The invariants; `Err` describes the first one broken.
fn check(text: &str, parsed: &Parsed, deep: bool, keys: &[&str]) -> Result<(), String> {
    for issue in &parsed.issues {
        if issue.field.is_empty() || issue.message.is_empty() {
            return Err(format!("issue without a field or message: {issue:?}"));
        }
        let generic = issue.message.starts_with("unknown parameter")
            || issue.message.starts_with("given more than once");
        // A variant's issue names `KEY.N` as the link wrote it (N outside 2..=4 is refused).
        let named = match issue.field.rsplit_once('.') {
            Some((k, n)) if !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) => k,
            _ => issue.field.as_str(),
        };
        let out_of_range = issue.message.starts_with("variant ");
        let suffix_ok = named == issue.field
            || out_of_range
            || ["2", "3", "4"]
                .iter()
                .any(|n| issue.field.ends_with(&format!(".{n}")));
        if !generic && !suffix_ok {
            return Err(format!("issue names a variant outside 2..=4: {issue:?}"));
        }
        if !generic && !keys.contains(&named) {
            return Err(format!(
                "issue names '{}', not a parameter: {issue:?}",
                issue.field
            ));
        }
    }
    if deep {
        if parsed.config != parsed.config.canonical() {
            return Err(format!(
                "parsed configuration is not canonical:\n{:?}\nvs\n{:?}",
                parsed.config,
                parsed.config.canonical()
            ));
        }
        let q = to_query(&parsed.config);
        let again = parse_query(&q);
        if !again.issues.is_empty() {
            return Err(format!("re-parsing {q:?} gave issues {:?}", again.issues));
        }
        if again.config != parsed.config {
            return Err(format!("re-parsing {q:?} changed the configuration"));
        }
        // Each variant opened alone is its own link.
        for (i, v) in parsed.config.runs().iter().enumerate() {
            let alone = parse_query(&to_query(v));
            if !alone.issues.is_empty() || alone.config != *v {
                return Err(format!("run {i} of {q:?} is not its own link"));
            }
        }
    }
    let _ = text;
    Ok(())
}

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

#[test]
fn fuzz_parse_query() {
    let cases: usize = env_or("PREFDYN_FUZZ_CASES", DEFAULT_CASES);
    let seed: u64 = env_or("PREFDYN_FUZZ_SEED", DEFAULT_SEED);
    let mut rng = Rng(seed);
    let start = std::time::Instant::now();
    let (mut with_issues, mut total_issues) = (0usize, 0usize);
    let mut failures: Vec<String> = vec![];
    let keys = keys();
    for case in 0..cases {
        let bytes = input(&mut rng, &keys);
        let text = String::from_utf8_lossy(&bytes).into_owned();
        // The round trip is the expensive part: check it on every 8th input.
        let deep = case % 8 == 0;
        let outcome = catch_unwind(AssertUnwindSafe(|| {
            let parsed = parse_query(&text);
            let verdict = check(&text, &parsed, deep, &keys);
            (parsed.issues.len(), verdict)
        }));
        match outcome {
            Ok((n, Ok(()))) => {
                if n > 0 {
                    with_issues += 1;
                    total_issues += n;
                }
            }
            Ok((_, Err(e))) => failures.push(format!("case {case}: {text:?}: {e}")),
            Err(_) => failures.push(format!("case {case}: {text:?}: PANIC")),
        }
        if failures.len() >= 20 {
            break;
        }
    }
    println!(
        "{cases} inputs (seed {seed:#x}) in {:.2?}: {with_issues} with issues, {total_issues} issues",
        start.elapsed()
    );
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
    // The generator must actually exercise the error paths and the happy path.
    assert!(
        with_issues > cases / 4,
        "only {with_issues} inputs had issues"
    );
    assert!(with_issues < cases, "every input had issues");
}
