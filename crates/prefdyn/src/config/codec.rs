//! The URL codec, driven by [`FIELDS`]: parsing (with named issues, clamping and defaults),
//! typed edits of one field, and the canonical query.

use std::fmt::Write as _;

use percent_encoding::{utf8_percent_encode, AsciiSet, CONTROLS};
use serde::{Deserialize, Serialize};

use super::fields::Part;
use super::migrate::{declared_version, migrate_v1};
use super::variants::{
    name_issues, overrides_between, refuse_override, split_variant_key, Variant, FIRST_VARIANT,
    MAX_VARIANTS,
};
use super::{
    field, format_float, quantise, Config, Field, Kind, MatrixSource, PolicySpec, Slot, FIELDS,
    SCHEMA_VERSION,
};
use crate::generators::Family;
use crate::phase::{Axis, Ensemble};
use crate::preference::{PreferenceMatrix, MAX_K};

/// One problem found while parsing a query: the parameter and what was wrong.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParseIssue {
    pub field: String,
    pub message: String,
}

impl std::fmt::Display for ParseIssue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

/// A parsed query: the configuration and every issue found.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Parsed {
    pub config: Config,
    pub issues: Vec<ParseIssue>,
    /// The schema version of an older link that was upgraded to [`SCHEMA_VERSION`] (the
    /// run is the same; only the names changed).
    pub upgraded_from: Option<u32>,
}

/// Characters escaped in query values (`,` `:` stay readable).
const VALUE: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'&')
    .add(b'+')
    .add(b'<')
    .add(b'=')
    .add(b'>')
    .add(b'?')
    .add(b'`')
    .add(b'{')
    .add(b'}');

/// A field's value once read.
#[derive(Debug, Clone, PartialEq)]
enum Value {
    Number(f64),
    Whole(u64),
    Key(String),
    Flag(bool),
    Distribution(PolicySpec),
    Values(Vec<f64>),
    Keys(Vec<String>),
    Labels(Vec<String>),
    Points(Vec<[f64; 3]>),
}

/// Collects issues while reading.
#[derive(Default)]
struct Reader {
    issues: Vec<ParseIssue>,
}

impl Reader {
    fn issue(&mut self, field: &str, message: String) {
        self.issues.push(ParseIssue {
            field: field.into(),
            message,
        });
    }

    fn float(&mut self, field: &str, raw: &str) -> Option<f64> {
        match raw.trim().parse::<f64>() {
            Ok(v) if v.is_finite() => Some(quantise(v)),
            Ok(v) => {
                self.issue(
                    field,
                    format!("{v} is not a finite number; kept the default"),
                );
                None
            }
            Err(_) => {
                self.issue(field, format!("'{raw}' is not a number; kept the default"));
                None
            }
        }
    }

    /// A float clamped into `[lo, hi]` (with an issue when clamped).
    fn float_in(&mut self, field: &str, raw: &str, lo: f64, hi: f64) -> Option<f64> {
        let v = self.float(field, raw)?;
        if v < lo || v > hi {
            let c = quantise(v.clamp(lo, hi));
            self.issue(
                field,
                format!(
                    "{} is outside [{}, {}]; clamped to {}",
                    format_float(v),
                    format_float(lo),
                    format_float(hi),
                    format_float(c)
                ),
            );
            return Some(c);
        }
        Some(v)
    }

    fn whole(&mut self, field: &str, raw: &str) -> Option<u64> {
        match raw.trim().parse::<u64>() {
            Ok(v) => Some(v),
            Err(_) => {
                self.issue(
                    field,
                    format!("'{raw}' is not a whole number ≥ 0; kept the default"),
                );
                None
            }
        }
    }

    /// A whole number clamped into `[lo, hi]`; numbers too large for `u64` clamp to `hi`.
    fn whole_in(&mut self, field: &str, raw: &str, lo: u64, hi: u64) -> Option<u64> {
        let t = raw.trim();
        let v = match t.parse::<u64>() {
            Ok(v) => v,
            Err(_) if !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()) => u64::MAX,
            Err(_) => return self.whole(field, raw),
        };
        if v < lo || v > hi {
            let c = v.clamp(lo, hi);
            self.issue(
                field,
                format!("{t} is outside [{lo}, {hi}]; clamped to {c}"),
            );
            return Some(c);
        }
        Some(v)
    }

    /// Comma-separated keys of [`FIELDS`], each kept once in the order given; an unknown
    /// key is named and the whole value ignored.
    fn keys(&mut self, field: &str, raw: &str) -> Option<Vec<String>> {
        let mut out: Vec<String> = vec![];
        for part in raw.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            match super::fields::field(part) {
                Some(f) if !out.iter().any(|k| k == f.key) => out.push(f.key.to_string()),
                Some(_) => {}
                None => {
                    let shown: String = part.chars().take(24).collect();
                    self.issue(
                        field,
                        format!("'{shown}' is not a URL key; kept the default"),
                    );
                    return None;
                }
            }
        }
        Some(out)
    }

    fn list(&mut self, field: &str, raw: &str) -> Option<Vec<f64>> {
        if raw.trim_start().starts_with("b64") {
            return match crate::import::decode_values(raw.trim()) {
                Ok((_, v)) => Some(v),
                Err(e) => {
                    self.issue(field, format!("{e}; kept the default"));
                    None
                }
            };
        }
        let mut out = vec![];
        for (i, part) in raw.split(',').enumerate() {
            match part.trim().parse::<f64>() {
                Ok(v) if v.is_finite() => out.push(quantise(v)),
                _ => {
                    self.issue(
                        field,
                        format!(
                            "entry {} ('{part}') is not a finite number; kept the default",
                            i + 1
                        ),
                    );
                    return None;
                }
            }
        }
        if out.len() > MAX_K * (MAX_K - 1) / 2 {
            self.issue(
                field,
                format!("{} entries is too many; kept the default", out.len()),
            );
            return None;
        }
        Some(out)
    }

    fn policy(&mut self, field: &str, raw: &str) -> Option<PolicySpec> {
        let r = raw.trim();
        if r == "uniform" {
            return Some(PolicySpec::Uniform);
        }
        if let Some(seed) = r.strip_prefix("dir") {
            return self.whole(field, seed).map(PolicySpec::Dirichlet);
        }
        let v = self.list(field, r)?;
        if let Some((i, x)) = v.iter().enumerate().find(|(_, x)| **x <= 0.0) {
            self.issue(
                field,
                format!(
                    "entry {} is {}; entries must be > 0; kept the default",
                    i + 1,
                    format_float(*x)
                ),
            );
            return None;
        }
        Some(PolicySpec::Values(v))
    }

    /// One point of Δ₃: three comma-separated finite numbers ≥ 0 (quantised) with a
    /// positive sum; the reason it is not one otherwise.
    fn point(part: &str) -> Result<[f64; 3], String> {
        let entries: Vec<&str> = part.split(',').collect();
        if entries.len() != 3 {
            return Err(format!("has {} entries, not 3", entries.len()));
        }
        let mut p = [0.0; 3];
        for (i, e) in entries.iter().enumerate() {
            p[i] = match e.trim().parse::<f64>() {
                Ok(v) if v.is_finite() => quantise(v),
                _ => return Err(format!("entry {} ('{e}') is not a finite number", i + 1)),
            };
            if p[i] < 0.0 {
                return Err(format!(
                    "entry {} is {}; entries must be ≥ 0",
                    i + 1,
                    format_float(p[i])
                ));
            }
        }
        if p.iter().sum::<f64>() <= 0.0 {
            return Err("is all zeros".into());
        }
        Ok(p)
    }

    /// Points of Δ₃ separated by `;` (empty parts are skipped): a bad point is dropped
    /// with an issue, the others kept; beyond `max` the first `max` are kept.
    fn points(&mut self, field: &str, raw: &str, max: usize) -> Vec<[f64; 3]> {
        let mut out = vec![];
        let parts = raw.split(';').map(str::trim).filter(|p| !p.is_empty());
        for (i, part) in parts.enumerate() {
            match Reader::point(part) {
                Ok(p) => out.push(p),
                Err(why) => {
                    let shown: String = part.chars().take(40).collect();
                    self.issue(field, format!("point {} ('{shown}') {why}; dropped", i + 1));
                }
            }
        }
        if out.len() > max {
            self.issue(
                field,
                format!("{} points is too many; kept the first {max}", out.len()),
            );
            out.truncate(max);
        }
        out
    }

    /// Reads `raw` as `f`'s kind; `None` (with an issue) when it is not one.
    fn read(&mut self, f: &Field, raw: &str) -> Option<Value> {
        let key = f.key;
        match f.kind {
            Kind::Version => {
                let v = self.whole(key, raw)?;
                if v > SCHEMA_VERSION as u64 {
                    self.issue(key, format!("link made by a newer prefdyn (format {v}, this is {SCHEMA_VERSION}); loaded what is understood"));
                }
                None
            }
            Kind::Number { min, max, .. } => self.float_in(key, raw, min, max).map(Value::Number),
            Kind::Whole { min, max, .. } => self.whole_in(key, raw, min, max).map(Value::Whole),
            Kind::Count { max, .. } => match raw.trim() {
                "" | "inf" | "∞" => Some(Value::Whole(0)),
                t => self.whole_in(key, t, 1, max).map(Value::Whole),
            },
            Kind::Choice(options) => {
                let options = options();
                if options.iter().any(|(k, _)| *k == raw) {
                    return Some(Value::Key(raw.to_string()));
                }
                let keys: Vec<&str> = options.iter().map(|(k, _)| *k).collect();
                self.issue(
                    key,
                    format!(
                        "'{raw}' is not one of {}; kept the default",
                        keys.join(", ")
                    ),
                );
                None
            }
            Kind::Flag => match raw {
                "1" | "true" => Some(Value::Flag(true)),
                "0" | "false" => Some(Value::Flag(false)),
                _ => {
                    self.issue(key, format!("'{raw}' is not 0 or 1; kept the default"));
                    None
                }
            },
            Kind::Distribution => self.policy(key, raw).map(Value::Distribution),
            Kind::Values => self.list(key, raw).map(Value::Values),
            Kind::Keys => self.keys(key, raw).map(Value::Keys),
            Kind::Labels => {
                let n = raw.split(',').count();
                match crate::import::decode_labels(raw, n) {
                    Ok(l) => Some(Value::Labels(l)),
                    Err(e) => {
                        self.issue(key, format!("{e}; showing A, B, …"));
                        None
                    }
                }
            }
            Kind::Points { max } => Some(Value::Points(self.points(key, raw, max))),
        }
    }
}

/// The keys of the matrix source and the ensemble, collected before they are resolved.
#[derive(Debug, Clone, Default)]
struct Draft {
    family: Option<Family>,
    k: Option<usize>,
    strength: Option<f64>,
    sigma: Option<f64>,
    seed: Option<u64>,
    preset: Option<String>,
    values: Option<Vec<f64>>,
    labels: Option<Vec<String>>,
    /// `current` or a family key.
    ensemble: Option<String>,
    ensemble_k: Option<usize>,
    ensemble_param: Option<f64>,
    ensemble_count: Option<usize>,
    ensemble_seed: Option<u64>,
}

fn to_usize(v: u64) -> usize {
    usize::try_from(v).unwrap_or(usize::MAX)
}

impl Draft {
    fn put(&mut self, part: Part, v: Value) {
        match (part, v) {
            (Part::Family, Value::Key(k)) => self.family = Family::from_key(&k),
            (Part::K, Value::Whole(n)) => self.k = Some(to_usize(n)),
            (Part::Strength, Value::Number(x)) => self.strength = Some(x),
            (Part::Sigma, Value::Number(x)) => self.sigma = Some(x),
            (Part::Seed, Value::Whole(n)) => self.seed = Some(n),
            (Part::Preset, Value::Key(k)) => self.preset = Some(k),
            (Part::Values, Value::Values(v)) => self.values = Some(v),
            (Part::Labels, Value::Labels(v)) => self.labels = Some(v),
            (Part::EnsembleFamily, Value::Key(k)) => self.ensemble = Some(k),
            (Part::EnsembleK, Value::Whole(n)) => self.ensemble_k = Some(to_usize(n)),
            (Part::EnsembleParam, Value::Number(x)) => self.ensemble_param = Some(x),
            (Part::EnsembleCount, Value::Whole(n)) => self.ensemble_count = Some(to_usize(n)),
            (Part::EnsembleSeed, Value::Whole(n)) => self.ensemble_seed = Some(n),
            _ => {}
        }
    }

    /// The draft that describes `c`'s matrix source and ensemble (for a typed edit).
    fn of(c: &Config) -> Draft {
        let mut d = Draft::default();
        if let Some((family, k, param, seed)) = c.matrix.generated() {
            d.family = Some(family);
            d.k = Some(k);
            let slot = if family.uses_sigma() {
                &mut d.sigma
            } else {
                &mut d.strength
            };
            *slot = Some(param);
            d.seed = Some(seed);
        }
        if let MatrixSource::Preset { name } = &c.matrix {
            d.preset = Some(name.clone());
        }
        if let MatrixSource::Values { k, upper, labels } = &c.matrix {
            d.k = Some(*k);
            d.values = Some(upper.clone());
            d.labels = (!labels.is_empty()).then(|| labels.clone());
        }
        match c.phase.ensemble.family_draw() {
            None => d.ensemble = Some("current".into()),
            Some((family, k, param, count, seed)) => {
                d.ensemble = Some(family.key().into());
                d.ensemble_k = Some(k);
                d.ensemble_param = Some(param);
                d.ensemble_count = Some(count);
                d.ensemble_seed = Some(seed);
            }
        }
        d
    }

    /// Before an edit of `part`: a generator key switches to a generated matrix, a preset
    /// replaces edited values and values replace a preset; a new family starts from its
    /// own default parameter.
    fn prepare_edit(&mut self, part: Part) {
        match part {
            Part::Family | Part::K | Part::Strength | Part::Sigma | Part::Seed => {
                self.preset = None;
                self.values = None;
                self.family.get_or_insert(Family::RockPaperScissors);
                if part == Part::Family {
                    self.strength = None;
                    self.sigma = None;
                }
            }
            Part::Preset => {
                self.values = None;
                self.labels = None;
            }
            Part::Values | Part::Labels => self.preset = None,
            Part::EnsembleFamily => self.ensemble_param = None,
            _ => {}
        }
    }

    fn names_matrix(&self) -> bool {
        self.family.is_some()
            || self.k.is_some()
            || self.strength.is_some()
            || self.sigma.is_some()
            || self.seed.is_some()
    }
}

/// The labels of edited values: none, or K valid labels (else named, and A, B, …).
fn matrix_labels(d: &Draft, k: usize, rd: &mut Reader) -> Vec<String> {
    let Some(labels) = &d.labels else {
        return vec![];
    };
    if labels.len() != k {
        rd.issue(
            "labels",
            format!("{} labels for K = {k}; showing A, B, …", labels.len()),
        );
        return vec![];
    }
    if crate::preference::default_labels(k) == *labels {
        return vec![];
    }
    labels.clone()
}

/// K with `K(K−1)/2 = n`.
fn infer_k(n: usize) -> Option<usize> {
    (2..=MAX_K).find(|k| k * (k - 1) / 2 == n)
}

/// The matrix source the draft names (preset > values > generator), or the current one.
fn resolve_matrix(c: &mut Config, d: &Draft, rd: &mut Reader) {
    if let Some(name) = &d.preset {
        c.matrix = MatrixSource::Preset { name: name.clone() };
    } else if let Some(upper) = &d.values {
        let k = d.k.or_else(|| infer_k(upper.len())).unwrap_or(0);
        match PreferenceMatrix::from_upper(k.max(2), upper) {
            Ok(_) => {
                c.matrix = MatrixSource::Values {
                    k,
                    upper: upper.clone(),
                    labels: matrix_labels(d, k, rd),
                }
            }
            Err(e) => rd.issue("P", format!("{e}; kept the default matrix")),
        }
    } else if d.names_matrix() {
        let family = d.family.unwrap_or(Family::RockPaperScissors);
        let param = if family.uses_sigma() {
            d.sigma.unwrap_or(1.0)
        } else {
            d.strength.unwrap_or(0.5)
        };
        let k = if family == Family::RockPaperScissors {
            3
        } else {
            d.k.unwrap_or(5)
        };
        match family.generator(k, param).validate() {
            Ok(()) => {
                c.matrix = MatrixSource::Generated {
                    family,
                    k,
                    param,
                    seed: d.seed.unwrap_or(1),
                }
            }
            Err(e) => rd.issue("gen", format!("{e}; kept the default matrix")),
        }
    }
}

/// The ensemble the draft names (`current`, or a family with its K, parameter, count and
/// seed, each defaulting to the current ensemble's).
fn resolve_ensemble(c: &mut Config, d: &Draft, rd: &mut Reader) {
    if d.ensemble.as_deref() == Some("current") {
        c.phase.ensemble = Ensemble::Current;
        return;
    }
    let (f0, k0, _, count0, seed0) =
        c.phase
            .ensemble
            .family_draw()
            .unwrap_or((Family::RandomCyclic, 5, 0.5, 16, 1));
    let family = d
        .ensemble
        .as_deref()
        .and_then(Family::from_key)
        .unwrap_or(f0);
    let k = if family == Family::RockPaperScissors {
        3
    } else {
        d.ensemble_k.unwrap_or(k0)
    };
    let param = d
        .ensemble_param
        .unwrap_or(if family.uses_sigma() { 1.0 } else { 0.5 });
    let (count, seed) = (
        d.ensemble_count.unwrap_or(count0),
        d.ensemble_seed.unwrap_or(seed0),
    );
    match family.generator(k, param).validate() {
        Ok(()) => {
            c.phase.ensemble = Ensemble::Family {
                family,
                k,
                param,
                count,
                seed,
            }
        }
        Err(e) => {
            rd.issue("ens", format!("{e}; kept the default ensemble"));
            if let Ensemble::Family {
                count: n, seed: s, ..
            } = &mut c.phase.ensemble
            {
                (*n, *s) = (count, seed);
            }
        }
    }
}

/// Checks between fields: distributions of K entries, axis ranges within the axis' own
/// bounds, two different axes; and the work limits.
fn cross_checks(c: &mut Config, rd: &mut Reader) {
    let k = c.matrix.k();
    for f in FIELDS {
        if let Slot::Distribution { default, get, set } = f.slot {
            if let Err(e) = get(c).resolve(k) {
                rd.issue(f.key, format!("{e} (K = {k}); kept the default"));
                set(c, default());
            }
        }
    }
    if !c.dynamics.starts.is_empty() && k != 3 {
        rd.issue(
            "starts",
            format!("starts are points of the K = 3 simplex, and K = {k}; cleared"),
        );
        c.dynamics.starts.clear();
    }
    for (name, r) in [("x", &mut c.phase.x), ("y", &mut c.phase.y)] {
        let (lo, hi) = r.axis.bounds();
        for (suffix, v) in [("0", &mut r.min), ("1", &mut r.max)] {
            if *v < lo || *v > hi {
                let cl = quantise(v.clamp(lo, hi));
                rd.issue(
                    &format!("{name}{suffix}"),
                    format!(
                        "{} is outside [{}, {}] for {}; clamped to {}",
                        format_float(*v),
                        format_float(lo),
                        format_float(hi),
                        r.axis.key(),
                        format_float(cl)
                    ),
                );
                *v = cl;
            }
        }
    }
    if c.phase.x.axis == c.phase.y.axis {
        rd.issue(
            "py",
            format!(
                "both axes are {}; y set to the other default",
                c.phase.y.axis.key()
            ),
        );
        c.phase.y.axis = if c.phase.x.axis == Axis::BetaLambda {
            Axis::Alpha
        } else {
            Axis::BetaLambda
        };
        let (lo, hi) = c.phase.y.axis.bounds();
        c.phase.y.min = c.phase.y.min.clamp(lo, hi);
        c.phase.y.max = c.phase.y.max.clamp(lo, hi);
    }
    for (field, message) in c.limit_work() {
        rd.issue(field, message);
    }
}

/// Writes a value read for `f` into `c` (plain slots) or the draft (parts).
fn store(f: &Field, c: &mut Config, draft: &mut Draft, v: Value) {
    match (f.slot, v) {
        (Slot::Number { set, .. }, Value::Number(x)) => set(c, x),
        (Slot::Whole { set, .. }, Value::Whole(n)) => set(c, n),
        (Slot::Choice { set, .. }, Value::Key(k)) => set(c, &k),
        (Slot::Flag { set, .. }, Value::Flag(b)) => set(c, b),
        (Slot::Distribution { set, .. }, Value::Distribution(p)) => set(c, p),
        (Slot::Keys { set, .. }, Value::Keys(k)) => set(c, k),
        (Slot::Points { set, .. }, Value::Points(p)) => set(c, p),
        (Slot::Part(part), v) => draft.put(part, v),
        _ => {}
    }
}

/// Labels as a link writes them: `,`-joined, each with `%`, `,` and control characters
/// escaped (the link's own escaping then applies on top).
fn labels_text(labels: &[String]) -> String {
    crate::import::encode_labels(labels).unwrap_or_default()
}

/// Strips a full URL down to its query (`…?query#frag` → `query`).
fn query_part(input: &str) -> &str {
    let s = input.trim();
    let s = match s.find('?') {
        Some(i) => &s[i + 1..],
        None => s,
    };
    match s.find('#') {
        Some(i) => &s[..i],
        None => s,
    }
}

/// The `(key, value)` pairs of a query string or a full URL, percent-decoded, in order.
pub fn query_pairs(input: &str) -> Vec<(String, String)> {
    form_urlencoded::parse(query_part(input).as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .filter(|(k, _)| !k.is_empty())
        .collect()
}

/// Parses a query string or a full URL. Never fails; see the module docs. A link without
/// parameters opens [`super::HOME_QUERY`] (every canonical query has `v`, so none is empty).
/// Variants' overrides (`KEY.N`) are applied to the base ([`super::variants`]).
pub fn parse_query(input: &str) -> Parsed {
    let mut overrides: Overrides = Default::default();
    let mut parsed = parse_base(input, |key, raw, rd| {
        let Some((base_key, n)) = split_variant_key(key) else {
            return false;
        };
        match refuse_override(base_key, n) {
            Some(message) => rd.issue(key, message),
            None => {
                let list = &mut overrides[n - FIRST_VARIANT];
                list.retain(|(k, _)| k != base_key);
                list.push((base_key.to_string(), raw.to_string()));
            }
        }
        true
    });
    let c = &mut parsed.config;
    for (i, list) in overrides.iter().enumerate().filter(|(_, l)| !l.is_empty()) {
        let mut v = c.clone();
        let issues = apply_overrides(&mut v, list);
        parsed.issues.extend(name_issues(issues, i + FIRST_VARIANT));
        c.variants.push(Variant {
            overrides: overrides_between(c, &v),
        });
    }
    *c = c.canonical();
    parsed
}

/// [`parse_query`] of a link without variants (`None` when it has a `KEY.N` override):
/// what a module that shows one run parses, without the variants' code.
pub fn parse_single(input: &str) -> Option<Parsed> {
    let suffixed = |k: &str| {
        k.rsplit_once('.')
            .is_some_and(|(_, n)| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
    };
    if query_pairs(input).iter().any(|(k, _)| suffixed(k)) {
        return None;
    }
    Some(parse_base(input, |_, _, _| false))
}

/// Each variant's overrides (`KEY.N` read as `(KEY, raw)`), by variant.
type Overrides = [Vec<(String, String)>; MAX_VARIANTS];

/// The base of a link, its issues named as the link wrote the keys; `variant(key, raw)`
/// takes the keys it reads as a variant's (returns `true`).
fn parse_base(input: &str, mut variant: impl FnMut(&str, &str, &mut Reader) -> bool) -> Parsed {
    let mut pairs = query_pairs(input);
    if pairs.is_empty() {
        pairs = query_pairs(super::HOME_QUERY);
    }
    let version = declared_version(&pairs);
    let renamed = if version < 2 {
        migrate_v1(&mut pairs)
    } else {
        vec![]
    };
    let mut c = Config::default();
    let mut draft = Draft::default();
    let mut rd = Reader::default();
    let mut seen: Vec<&str> = vec![];
    for (key, raw) in &pairs {
        if seen.contains(&key.as_str()) {
            rd.issue(key, "given more than once; the last value wins".into());
        } else {
            seen.push(key);
        }
        if variant(key, raw, &mut rd) {
            continue;
        }
        match field(key) {
            Some(f) => {
                if let Some(v) = rd.read(f, raw) {
                    store(f, &mut c, &mut draft, v);
                }
            }
            None => rd.issue(key, "unknown parameter; ignored".into()),
        }
    }
    resolve_matrix(&mut c, &draft, &mut rd);
    resolve_ensemble(&mut c, &draft, &mut rd);
    cross_checks(&mut c, &mut rd);
    Parsed {
        // Canonical: parameters the chosen family ignores (`seed=9` with RPS, `s=0.3`
        // with Random SST) are reset, so that the parsed config equals its own link.
        config: c.canonical_single(),
        // Issues name the keys as the link wrote them.
        issues: rd
            .issues
            .into_iter()
            .map(|mut i| {
                if let Some((_, old)) = renamed.iter().find(|(new, _)| *new == i.field) {
                    i.field = (*old).into();
                }
                i
            })
            .collect(),
        upgraded_from: (version < 2).then_some(version.max(1) as u32),
    }
}

/// A typed edit of one field, as a control makes it: `raw` is read as that field's kind
/// (clamped, with the same messages as a link), written into `c`, and the cross-field checks
/// run again. Returns the issues; on a bad value the field keeps its value. `KEY.N` edits
/// variant N's override ([`super::variants::edit_variant`]).
pub fn edit(c: &mut Config, key: &str, raw: &str) -> Vec<ParseIssue> {
    if let Some((base_key, n)) = split_variant_key(key) {
        if let Some(message) = refuse_override(base_key, n) {
            return vec![ParseIssue {
                field: key.into(),
                message,
            }];
        }
        // A variant past the last is added as the next one (the gap closes).
        let i = (n - FIRST_VARIANT).min(c.variants.len());
        let mut issues = super::variants::edit_variant(c, i, base_key, raw);
        for x in &mut issues {
            x.field = key.into();
        }
        return issues;
    }
    let issues = edit_single(c, key, raw);
    if !c.variants.is_empty() {
        c.canonical_variants();
    }
    issues
}

/// [`edit`] of a configuration without variants (a `KEY.N` key is unknown here): what a
/// module that shows one run edits with, without the variants' code.
pub fn edit_single(c: &mut Config, key: &str, raw: &str) -> Vec<ParseIssue> {
    let mut rd = Reader::default();
    let Some(f) = field(key) else {
        rd.issue(key, "unknown parameter; ignored".into());
        return rd.issues;
    };
    if let Some(v) = rd.read(f, raw) {
        match f.slot {
            Slot::Part(part) => {
                let mut draft = Draft::of(c);
                draft.prepare_edit(part);
                draft.put(part, v);
                resolve_matrix(c, &draft, &mut rd);
                resolve_ensemble(c, &draft, &mut rd);
            }
            _ => store(f, c, &mut Draft::default(), v),
        }
    }
    cross_checks(c, &mut rd);
    *c = c.canonical_single();
    rd.issues
}

/// Applies the overrides of a variant to `c` (a configuration without variants) as one
/// edit: each value read and clamped as its field's, P's keys resolved together (in
/// [`FIELDS`] order, each as a typed edit would), then the cross-field checks. Returns the
/// issues, named by the keys without suffix.
pub(super) fn apply_overrides(c: &mut Config, pairs: &[(String, String)]) -> Vec<ParseIssue> {
    let mut rd = Reader::default();
    let mut draft = Draft::of(c);
    let mut parts = false;
    let mut fields: Vec<(usize, &Field, &str)> = pairs
        .iter()
        .filter_map(|(k, raw)| {
            let i = FIELDS.iter().position(|f| f.key == k)?;
            Some((i, &FIELDS[i], raw.as_str()))
        })
        .collect();
    fields.sort_by_key(|(i, ..)| *i);
    for (_, f, raw) in fields {
        if let Some(v) = rd.read(f, raw) {
            match f.slot {
                Slot::Part(part) => {
                    draft.prepare_edit(part);
                    draft.put(part, v);
                    parts = true;
                }
                _ => store(f, c, &mut Draft::default(), v),
            }
        }
    }
    if parts {
        // The base's labels stay with new values only where they still fit.
        let given = |key: &str| pairs.iter().any(|(k, _)| k == key);
        if let (false, Some(l), Some(v)) = (given("labels"), &draft.labels, &draft.values) {
            if Some(l.len()) != draft.k.or_else(|| infer_k(v.len())) {
                draft.labels = None;
            }
        }
        resolve_matrix(c, &draft, &mut rd);
        fit_fixed_fields(c);
    }
    cross_checks(c, &mut rd);
    *c = c.canonical_single();
    rd.issues
}

/// After a variant's P changed K: the fields every run shares (the one-shot distributions,
/// the portrait's starts) that no longer fit go back to their defaults, without a message;
/// the variant does not show them.
fn fit_fixed_fields(c: &mut Config) {
    let k = c.matrix.k();
    for f in FIELDS.iter().filter(|f| !super::varies(f)) {
        if let Slot::Distribution { default, get, set } = f.slot {
            if get(c).resolve(k).is_err() {
                set(c, default());
            }
        }
    }
    if k != 3 {
        c.dynamics.starts.clear();
    }
}

/// The values of the matrix and ensemble keys that differ from the default, by part.
fn part_values(c: &Config, d: &Config) -> Vec<(Part, String)> {
    let mut out = vec![];
    if c.matrix != d.matrix {
        match &c.matrix {
            MatrixSource::Generated {
                family,
                k,
                param,
                seed,
            } => {
                out.push((Part::Family, family.key().to_string()));
                if *family != Family::RockPaperScissors {
                    out.push((Part::K, k.to_string()));
                }
                if family.uses_sigma() {
                    out.push((Part::Sigma, format_float(*param)));
                } else if family.uses_strength() {
                    out.push((Part::Strength, format_float(*param)));
                }
                if family.is_random() {
                    out.push((Part::Seed, seed.to_string()));
                }
            }
            MatrixSource::Preset { name } => out.push((Part::Preset, name.clone())),
            MatrixSource::Values { k, upper, labels } => {
                out.push((Part::K, k.to_string()));
                out.push((Part::Values, super::values_text(upper)));
                if !labels.is_empty() {
                    out.push((Part::Labels, labels_text(labels)));
                }
            }
        }
    }
    if c.phase.ensemble != d.phase.ensemble {
        match (&c.phase.ensemble, &d.phase.ensemble) {
            (Ensemble::Current, _) => out.push((Part::EnsembleFamily, "current".into())),
            (
                Ensemble::Family {
                    family,
                    k,
                    param,
                    count,
                    seed,
                },
                Ensemble::Family {
                    family: df,
                    k: dk,
                    count: dc,
                    seed: ds,
                    ..
                },
            ) => {
                if family != df {
                    out.push((Part::EnsembleFamily, family.key().to_string()));
                }
                if k != dk && *family != Family::RockPaperScissors {
                    out.push((Part::EnsembleK, k.to_string()));
                }
                // A missing `es` means σ = 1 for utility models, s = 0.5 otherwise.
                let missing = if family.uses_sigma() { 1.0 } else { 0.5 };
                if quantise(*param) != quantise(missing)
                    && (family.uses_sigma() || family.uses_strength())
                {
                    out.push((Part::EnsembleParam, format_float(*param)));
                }
                if count != dc {
                    out.push((Part::EnsembleCount, count.to_string()));
                }
                if seed != ds {
                    out.push((Part::EnsembleSeed, seed.to_string()));
                }
            }
            (Ensemble::Family { .. }, Ensemble::Current) => {}
        }
    }
    out
}

/// A whole number as a link writes it (`inf` for a count's 0).
fn whole_text(f: &Field, v: u64) -> String {
    match f.kind {
        Kind::Count { .. } if v == 0 => "inf".into(),
        _ => v.to_string(),
    }
}

/// A field's value in `c` when it differs from its default (`v` always).
fn field_value(f: &Field, c: &Config, parts: &[(Part, String)]) -> Option<String> {
    match f.slot {
        Slot::Version => Some(SCHEMA_VERSION.to_string()),
        Slot::Number { default, get, .. } => {
            (quantise(get(c)) != quantise(default)).then(|| format_float(get(c)))
        }
        Slot::Whole { default, get, .. } => (get(c) != default).then(|| whole_text(f, get(c))),
        Slot::Choice { default, get, .. } => (get(c) != default).then(|| get(c).to_string()),
        Slot::Flag { default, get, .. } => {
            (get(c) != default).then(|| if get(c) { "1" } else { "0" }.to_string())
        }
        Slot::Distribution { default, get, .. } => (get(c) != &default()).then(|| get(c).text()),
        Slot::Keys { get, .. } => (!get(c).is_empty()).then(|| get(c).join(",")),
        Slot::Points { get, .. } => (!get(c).is_empty()).then(|| super::format_points(get(c))),
        Slot::Part(part) => parts
            .iter()
            .find(|(p, _)| *p == part)
            .map(|(_, v)| v.clone()),
    }
}

/// A field's current value as a control shows it (`None` when the field does not apply:
/// `sigma` of a cyclic family, `ek` of the current-P ensemble, …).
pub fn field_text(c: &Config, f: &Field) -> Option<String> {
    match f.slot {
        Slot::Version => Some(SCHEMA_VERSION.to_string()),
        Slot::Number { get, .. } => Some(format_float(get(c))),
        Slot::Whole { get, .. } => Some(whole_text(f, get(c))),
        Slot::Choice { get, .. } => Some(get(c).to_string()),
        Slot::Flag { get, .. } => Some(if get(c) { "1" } else { "0" }.to_string()),
        Slot::Distribution { get, .. } => Some(get(c).text()),
        Slot::Keys { get, .. } => Some(get(c).join(",")),
        Slot::Points { get, .. } => Some(super::format_points(get(c))),
        Slot::Part(part) => part_text(c, part),
    }
}

fn part_text(c: &Config, part: Part) -> Option<String> {
    let generated = c.matrix.generated().map(|(f, _, p, s)| (f, p, s));
    let ensemble = c.phase.ensemble.family_draw();
    match part {
        Part::Family => generated.map(|(f, ..)| f.key().to_string()),
        Part::K => Some(c.matrix.k().to_string()),
        Part::Strength => generated
            .filter(|(f, ..)| f.uses_strength())
            .map(|(_, p, _)| format_float(p)),
        Part::Sigma => generated
            .filter(|(f, ..)| f.uses_sigma())
            .map(|(_, p, _)| format_float(p)),
        Part::Seed => generated.map(|(.., s)| s.to_string()),
        Part::Preset => match &c.matrix {
            MatrixSource::Preset { name } => Some(name.clone()),
            _ => None,
        },
        Part::Values => match &c.matrix {
            MatrixSource::Values { upper, .. } => Some(super::values_text(upper)),
            _ => None,
        },
        Part::Labels => match &c.matrix {
            MatrixSource::Values { labels, .. } if !labels.is_empty() => Some(labels_text(labels)),
            _ => None,
        },
        Part::EnsembleFamily => Some(
            ensemble
                .map(|(f, ..)| f.key().to_string())
                .unwrap_or_else(|| "current".into()),
        ),
        Part::EnsembleK => ensemble.map(|(_, k, ..)| k.to_string()),
        Part::EnsembleParam => ensemble.map(|(_, _, p, ..)| format_float(p)),
        Part::EnsembleCount => ensemble.map(|(.., n, _)| n.to_string()),
        Part::EnsembleSeed => ensemble.map(|(.., s)| s.to_string()),
    }
}

/// The canonical query: `v=2` then each non-default field in [`FIELDS`] order, then each
/// variant's overrides (`KEY.N`, N = 2, 3, 4) as `c` holds them (a canonical configuration
/// holds minimal ones).
pub fn to_query(c: &Config) -> String {
    // Compare canonical forms, so that parameters a family ignores (RPS's K, a
    // deterministic family's seed) never make a default matrix look non-default.
    let c = &c.canonical_single();
    let parts = part_values(c, &Config::default());
    let mut s = String::new();
    for f in FIELDS {
        if let Some(v) = field_value(f, c, &parts) {
            if !s.is_empty() {
                s.push('&');
            }
            let _ = write!(s, "{}={}", f.key, utf8_percent_encode(&v, VALUE));
        }
    }
    for (i, v) in c.variants.iter().enumerate() {
        for (key, value) in &v.overrides {
            let (n, value) = (i + FIRST_VARIANT, utf8_percent_encode(value, VALUE));
            let _ = write!(s, "&{key}.{n}={value}");
        }
    }
    s
}
