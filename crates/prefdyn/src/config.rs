//! The configuration behind everything the page shows, and its one URL query codec.
//!
//! `parse_query` never fails: each bad or unknown parameter becomes a [`ParseIssue`]
//! naming it, that field keeps its default (or is clamped into range), and the rest loads.
//! `to_query` writes the canonical query: defaults omitted, fixed field order, floats
//! quantised to [`DECIMALS`] decimals, so `parse_query(to_query(c)) == c` for every
//! canonical `c`.

use std::fmt::Write as _;

use percent_encoding::{utf8_percent_encode, AsciiSet, CONTROLS};
use serde::{Deserialize, Serialize};

use crate::dynamics::{MrsParams, Solver, MAX_T};
use crate::generators::{dirichlet_flat, Family, GeneratorError};
use crate::phase::{Axis, AxisRange, Ensemble, PhaseMetric, MAX_ENSEMBLE, MAX_GRID};
use crate::preference::{PreferenceError, PreferenceMatrix, MAX_K};
use crate::presets::{preset, preset_keys};
use crate::simplex::{normalise_positive, uniform, DistributionError};

/// Version of the query format written by `to_query` (`v=`). Older links keep working:
/// see [`migrate_v1`].
pub const SCHEMA_VERSION: u32 = 2;
/// Decimals kept for every float in a URL.
pub const DECIMALS: i32 = 6;

/// Which section a link opens on (and which chart `embed=1` shows).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum View {
    Preferences,
    OneShot,
    #[default]
    Dynamics,
    Phase,
}

impl View {
    pub const ALL: [View; 4] = [
        View::Preferences,
        View::OneShot,
        View::Dynamics,
        View::Phase,
    ];
    pub fn key(self) -> &'static str {
        match self {
            View::Preferences => "prefs",
            View::OneShot => "oneshot",
            View::Dynamics => "dynamics",
            View::Phase => "phase",
        }
    }
    pub fn from_key(k: &str) -> Option<View> {
        View::ALL.into_iter().find(|v| v.key() == k)
    }
}

/// Where P comes from: a generator (travels as parameters + seed), a shipped preset, or
/// edited values (travel as the upper triangle).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum MatrixSource {
    Generated {
        family: Family,
        k: usize,
        param: f64,
        seed: u64,
    },
    Preset {
        name: String,
    },
    Values {
        k: usize,
        upper: Vec<f64>,
    },
}

impl MatrixSource {
    /// Number of responses.
    pub fn k(&self) -> usize {
        match self {
            MatrixSource::Generated { family, k, .. } => {
                if *family == Family::RockPaperScissors {
                    3
                } else {
                    *k
                }
            }
            MatrixSource::Preset { name } => preset(name).map(|p| p.items.len()).unwrap_or(3),
            MatrixSource::Values { k, .. } => *k,
        }
    }

    /// Builds the matrix.
    pub fn matrix(&self) -> Result<PreferenceMatrix, MatrixSourceError> {
        match self {
            MatrixSource::Generated {
                family,
                k,
                param,
                seed,
            } => Ok(family.generator(*k, *param).generate(*seed)?),
            MatrixSource::Preset { name } => {
                let p =
                    preset(name).ok_or_else(|| MatrixSourceError::UnknownPreset(name.clone()))?;
                Ok(p.matrix()?)
            }
            MatrixSource::Values { k, upper } => Ok(PreferenceMatrix::from_upper(*k, upper)?),
        }
    }
}

/// Why a matrix source does not give a matrix.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum MatrixSourceError {
    #[error(transparent)]
    Generator(#[from] GeneratorError),
    #[error(transparent)]
    Matrix(#[from] PreferenceError),
    #[error("unknown preset '{0}'")]
    UnknownPreset(String),
}

/// A distribution given in a URL: uniform, a seeded flat-Dirichlet draw, or values.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum PolicySpec {
    Uniform,
    Dirichlet(u64),
    Values(Vec<f64>),
}

impl PolicySpec {
    /// The distribution on K points (values are normalised; they must be > 0).
    pub fn resolve(&self, k: usize) -> Result<Vec<f64>, DistributionError> {
        match self {
            PolicySpec::Uniform => Ok(uniform(k)),
            PolicySpec::Dirichlet(seed) => Ok(dirichlet_flat(k, *seed)),
            PolicySpec::Values(v) => normalise_positive(v, k),
        }
    }
}

/// Settings of the phase diagram.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PhaseConfig {
    pub x: AxisRange,
    pub y: AxisRange,
    pub metric: PhaseMetric,
    pub ensemble: Ensemble,
    pub rounds: usize,
    pub burn_in: usize,
}

/// Every control of the playground.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Config {
    pub view: View,
    pub embed: bool,
    pub matrix: MatrixSource,
    // Dynamics.
    pub solver: Solver,
    pub params: MrsParams,
    pub rounds: usize,
    pub burn_in: usize,
    pub pi0: PolicySpec,
    pub mu0: PolicySpec,
    /// Playback speed in rounds per second.
    pub speed: f64,
    // One-shot.
    pub oneshot_solver: Solver,
    pub oneshot_beta: f64,
    pub oneshot_ref: PolicySpec,
    pub epsilon: f64,
    pub custom_mu: PolicySpec,
    // Phase diagram.
    pub phase: PhaseConfig,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            view: View::Dynamics,
            embed: false,
            matrix: MatrixSource::Generated {
                family: Family::RockPaperScissors,
                k: 3,
                param: 0.5,
                seed: 1,
            },
            solver: Solver::Ipo,
            params: MrsParams {
                alpha: 0.8,
                beta: 3.0,
                lam: 1.0,
                eta: 1.0,
            },
            rounds: 150,
            burn_in: 0,
            pi0: PolicySpec::Dirichlet(1),
            mu0: PolicySpec::Uniform,
            speed: 30.0,
            oneshot_solver: Solver::Ipo,
            oneshot_beta: 2.0,
            oneshot_ref: PolicySpec::Uniform,
            epsilon: 0.01,
            custom_mu: PolicySpec::Uniform,
            phase: PhaseConfig {
                x: AxisRange {
                    axis: Axis::Alpha,
                    min: 0.0,
                    max: 1.0,
                    n: 32,
                },
                y: AxisRange {
                    axis: Axis::BetaLambda,
                    min: 0.2,
                    max: 4.0,
                    n: 32,
                },
                metric: PhaseMetric::Variance,
                ensemble: Ensemble::Family {
                    family: Family::RandomCyclic,
                    k: 5,
                    param: 0.5,
                    count: 16,
                    seed: 1,
                },
                rounds: 300,
                burn_in: 0,
            },
        }
    }
}

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

/// Rewrites the pairs of a schema v=1 query (also a non-empty query without `v`) into
/// v=2 pairs that describe the same run. v=1 had the paper's two names swapped: its
/// `alpha` was the on-policy share (v=2 `lam`) and its `lam` the reference weight (v=2
/// `alpha`); its `betalam` axis was β times that reference weight (v=2 `betaalpha`), and
/// its default phase axes were (on-policy share, β × reference weight). Returns the keys
/// it renamed, as `(v=2 key, the link's key)`.
pub fn migrate_v1(pairs: &mut Vec<(String, String)>) -> Vec<(&'static str, &'static str)> {
    let axis = |v: &str| -> String {
        match v {
            "alpha" => "lam".into(),
            "lam" => "alpha".into(),
            "betalam" => "betaalpha".into(),
            other => other.into(),
        }
    };
    let (mut px, mut py) = (false, false);
    let mut renamed = vec![];
    for (k, v) in pairs.iter_mut() {
        match k.as_str() {
            "alpha" => {
                *k = "lam".into();
                renamed.push(("lam", "alpha"));
            }
            "lam" => {
                *k = "alpha".into();
                renamed.push(("alpha", "lam"));
            }
            "px" => {
                *v = axis(v);
                px = true;
            }
            "py" => {
                *v = axis(v);
                py = true;
            }
            "v" => *v = SCHEMA_VERSION.to_string(),
            _ => {}
        }
    }
    if !px {
        pairs.push(("px".into(), "lam".into()));
    }
    if !py {
        pairs.push(("py".into(), "betaalpha".into()));
    }
    renamed
}

/// The schema version a query declares: its `v` (the first one that is a number), else 1
/// for a non-empty query (links made before `v` existed) and [`SCHEMA_VERSION`] for an
/// empty one (the default page).
fn declared_version(pairs: &[(String, String)]) -> u64 {
    if pairs.is_empty() {
        return SCHEMA_VERSION as u64;
    }
    pairs
        .iter()
        .find(|(k, _)| k == "v")
        .and_then(|(_, v)| v.trim().parse::<u64>().ok())
        .unwrap_or(1)
}

/// Rounds `x` to [`DECIMALS`] decimals (`-0` becomes `0`).
pub fn quantise(x: f64) -> f64 {
    let s = 10f64.powi(DECIMALS);
    let q = (x * s).round() / s;
    if q == 0.0 {
        0.0
    } else {
        q
    }
}

/// Writes a quantised float with at most [`DECIMALS`] decimals and no trailing zeros.
pub fn format_float(x: f64) -> String {
    let mut s = format!("{:.*}", DECIMALS as usize, quantise(x));
    if s.contains('.') {
        while s.ends_with('0') {
            s.pop();
        }
        if s.ends_with('.') {
            s.pop();
        }
    }
    if s == "-0" {
        s = "0".into();
    }
    s
}

fn format_list(v: &[f64]) -> String {
    v.iter()
        .map(|x| format_float(*x))
        .collect::<Vec<_>>()
        .join(",")
}

fn format_policy(p: &PolicySpec) -> String {
    match p {
        PolicySpec::Uniform => "uniform".into(),
        PolicySpec::Dirichlet(s) => format!("dir{s}"),
        PolicySpec::Values(v) => format_list(v),
    }
}

fn solver_key(s: Solver) -> &'static str {
    match s {
        Solver::Ipo => "ipo",
        Solver::Dpo => "dpo",
    }
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

/// Collects issues while parsing.
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

    fn uint(&mut self, field: &str, raw: &str) -> Option<u64> {
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

    /// A whole number clamped into `[lo, hi]`.
    fn uint_in(&mut self, field: &str, raw: &str, lo: usize, hi: usize) -> Option<usize> {
        let v = self.uint(field, raw)?;
        let v = usize::try_from(v).unwrap_or(usize::MAX);
        if v < lo || v > hi {
            let c = v.clamp(lo, hi);
            self.issue(
                field,
                format!("{v} is outside [{lo}, {hi}]; clamped to {c}"),
            );
            return Some(c);
        }
        Some(v)
    }

    fn list(&mut self, field: &str, raw: &str) -> Option<Vec<f64>> {
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
            return self.uint(field, seed).map(PolicySpec::Dirichlet);
        }
        let v = self.list(field, r)?;
        for (i, x) in v.iter().enumerate() {
            if *x <= 0.0 {
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
        }
        Some(PolicySpec::Values(v))
    }

    fn solver(&mut self, field: &str, raw: &str) -> Option<Solver> {
        match raw {
            "ipo" => Some(Solver::Ipo),
            "dpo" => Some(Solver::Dpo),
            _ => {
                self.issue(
                    field,
                    format!("'{raw}' is not one of ipo, dpo; kept the default"),
                );
                None
            }
        }
    }

    fn choice<T>(
        &mut self,
        field: &str,
        raw: &str,
        found: Option<T>,
        allowed: &[&str],
    ) -> Option<T> {
        if found.is_none() {
            self.issue(
                field,
                format!(
                    "'{raw}' is not one of {}; kept the default",
                    allowed.join(", ")
                ),
            );
        }
        found
    }
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

/// Parses a query string or a full URL. Never fails; see the module docs.
pub fn parse_query(input: &str) -> Parsed {
    let mut c = Config::default();
    let mut rd = Reader { issues: vec![] };
    let mut pairs: Vec<(String, String)> = form_urlencoded::parse(query_part(input).as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .filter(|(k, _)| !k.is_empty())
        .collect();
    let version = declared_version(&pairs);
    let renamed = if version < 2 {
        migrate_v1(&mut pairs)
    } else {
        vec![]
    };
    let upgraded_from = (version < 2).then_some(version.max(1) as u32);

    // Matrix source: preset > values > generator.
    let (mut family, mut k, mut strength, mut sigma, mut seed) = (
        Family::RockPaperScissors,
        5usize,
        None::<f64>,
        None::<f64>,
        1u64,
    );
    let (mut preset_name, mut values) = (None::<String>, None::<Vec<f64>>);
    let (mut k_given, mut gen_given) = (false, false);
    let (mut ens_family, mut ens_k, mut ens_param, mut ens_count, mut ens_seed) =
        (None::<Family>, 5usize, None::<f64>, 16usize, 1u64);
    let mut ens_current = false;
    let mut seen: Vec<String> = vec![];

    for (key, raw) in &pairs {
        if seen.contains(key) {
            rd.issue(key, "given more than once; the last value wins".into());
        } else {
            seen.push(key.clone());
        }
        let key = key.as_str();
        let raw = raw.as_str();
        match key {
            "v" => {
                if let Some(v) = rd.uint("v", raw) {
                    if v > SCHEMA_VERSION as u64 {
                        rd.issue("v", format!("link made by a newer prefdyn (format {v}, this is {SCHEMA_VERSION}); loaded what is understood"));
                    }
                }
            }
            "view" => {
                if let Some(v) = rd.choice(
                    key,
                    raw,
                    View::from_key(raw),
                    &["prefs", "oneshot", "dynamics", "phase"],
                ) {
                    c.view = v;
                }
            }
            "embed" => match raw {
                "1" | "true" => c.embed = true,
                "0" | "false" => c.embed = false,
                _ => rd.issue(key, format!("'{raw}' is not 0 or 1; kept the default")),
            },
            "gen" => {
                let keys: Vec<&str> = Family::ALL.iter().map(|f| f.key()).collect();
                if let Some(f) = rd.choice(key, raw, Family::from_key(raw), &keys) {
                    family = f;
                    gen_given = true;
                }
            }
            "k" => {
                if let Some(v) = rd.uint_in(key, raw, 2, MAX_K) {
                    k = v;
                    k_given = true;
                }
            }
            "s" => strength = rd.float_in(key, raw, 1e-6, 0.5),
            "sigma" => sigma = rd.float_in(key, raw, 1e-6, 100.0),
            "seed" => {
                if let Some(v) = rd.uint(key, raw) {
                    seed = v;
                }
            }
            "preset" => {
                if preset(raw).is_some() {
                    preset_name = Some(raw.to_string());
                } else {
                    let keys: Vec<&str> = preset_keys().collect();
                    rd.issue(
                        key,
                        format!(
                            "unknown preset '{raw}' (known: {}); kept the default matrix",
                            keys.join(", ")
                        ),
                    );
                }
            }
            "P" => values = rd.list(key, raw),
            "alpha" => c.params.alpha = rd.float_in(key, raw, 0.0, 1.0).unwrap_or(c.params.alpha),
            "beta" => c.params.beta = rd.float_in(key, raw, 1e-3, 100.0).unwrap_or(c.params.beta),
            "lam" => c.params.lam = rd.float_in(key, raw, 0.0, 1.0).unwrap_or(c.params.lam),
            "eta" => c.params.eta = rd.float_in(key, raw, 1e-3, 1.0).unwrap_or(c.params.eta),
            "T" => c.rounds = rd.uint_in(key, raw, 1, MAX_T).unwrap_or(c.rounds),
            "burn" => c.burn_in = rd.uint_in(key, raw, 0, MAX_T).unwrap_or(c.burn_in),
            "solver" => c.solver = rd.solver(key, raw).unwrap_or(c.solver),
            "pi0" => c.pi0 = rd.policy(key, raw).unwrap_or(c.pi0.clone()),
            "mu0" => c.mu0 = rd.policy(key, raw).unwrap_or(c.mu0.clone()),
            "speed" => c.speed = rd.float_in(key, raw, 0.5, 240.0).unwrap_or(c.speed),
            "os" => c.oneshot_solver = rd.solver(key, raw).unwrap_or(c.oneshot_solver),
            "ob" => c.oneshot_beta = rd.float_in(key, raw, 1e-3, 100.0).unwrap_or(c.oneshot_beta),
            "ref" => c.oneshot_ref = rd.policy(key, raw).unwrap_or(c.oneshot_ref.clone()),
            "eps" => c.epsilon = rd.float_in(key, raw, 0.0, 1.0).unwrap_or(c.epsilon),
            "mu" => c.custom_mu = rd.policy(key, raw).unwrap_or(c.custom_mu.clone()),
            "px" | "py" => {
                let keys: Vec<&str> = Axis::ALL.iter().map(|a| a.key()).collect();
                if let Some(a) = rd.choice(key, raw, Axis::from_key(raw), &keys) {
                    if key == "px" {
                        c.phase.x.axis = a;
                    } else {
                        c.phase.y.axis = a;
                    }
                }
            }
            "x0" => c.phase.x.min = rd.float_in(key, raw, 0.0, 100.0).unwrap_or(c.phase.x.min),
            "x1" => c.phase.x.max = rd.float_in(key, raw, 0.0, 100.0).unwrap_or(c.phase.x.max),
            "y0" => c.phase.y.min = rd.float_in(key, raw, 0.0, 100.0).unwrap_or(c.phase.y.min),
            "y1" => c.phase.y.max = rd.float_in(key, raw, 0.0, 100.0).unwrap_or(c.phase.y.max),
            "nx" => c.phase.x.n = rd.uint_in(key, raw, 1, MAX_GRID).unwrap_or(c.phase.x.n),
            "ny" => c.phase.y.n = rd.uint_in(key, raw, 1, MAX_GRID).unwrap_or(c.phase.y.n),
            "metric" => {
                let keys: Vec<&str> = PhaseMetric::ALL.iter().map(|m| m.key()).collect();
                if let Some(m) = rd.choice(key, raw, PhaseMetric::from_key(raw), &keys) {
                    c.phase.metric = m;
                }
            }
            "ens" => {
                if raw == "current" {
                    ens_current = true;
                } else {
                    let mut keys: Vec<&str> = vec!["current"];
                    keys.extend(Family::ALL.iter().map(|f| f.key()));
                    if let Some(f) = rd.choice(key, raw, Family::from_key(raw), &keys) {
                        ens_family = Some(f);
                        ens_current = false;
                    }
                }
            }
            "ek" => ens_k = rd.uint_in(key, raw, 2, MAX_K).unwrap_or(ens_k),
            "es" => ens_param = rd.float_in(key, raw, 1e-6, 100.0),
            "en" => ens_count = rd.uint_in(key, raw, 1, MAX_ENSEMBLE).unwrap_or(ens_count),
            "eseed" => ens_seed = rd.uint(key, raw).unwrap_or(ens_seed),
            "pT" => c.phase.rounds = rd.uint_in(key, raw, 1, MAX_T).unwrap_or(c.phase.rounds),
            "pburn" => c.phase.burn_in = rd.uint_in(key, raw, 0, MAX_T).unwrap_or(c.phase.burn_in),
            _ => rd.issue(key, "unknown parameter; ignored".into()),
        }
    }

    // Resolve the matrix source.
    if let Some(name) = preset_name {
        c.matrix = MatrixSource::Preset { name };
    } else if let Some(upper) = values {
        let kk = if k_given {
            k
        } else {
            infer_k(upper.len()).unwrap_or(0)
        };
        match PreferenceMatrix::from_upper(kk.max(2), &upper) {
            Ok(_) => c.matrix = MatrixSource::Values { k: kk, upper },
            Err(e) => rd.issue("P", format!("{e}; kept the default matrix")),
        }
    } else if gen_given || k_given || strength.is_some() || sigma.is_some() || seed != 1 {
        let param = if family.uses_sigma() {
            sigma.unwrap_or(1.0)
        } else {
            strength.unwrap_or(0.5)
        };
        let kk = if family == Family::RockPaperScissors {
            3
        } else {
            k
        };
        match family.generator(kk, param).validate() {
            Ok(()) => {
                c.matrix = MatrixSource::Generated {
                    family,
                    k: kk,
                    param,
                    seed,
                }
            }
            Err(e) => rd.issue("gen", format!("{e}; kept the default matrix")),
        }
    }

    // Ensemble.
    if ens_current {
        c.phase.ensemble = Ensemble::Current;
    } else if let Ensemble::Family {
        family,
        k,
        param,
        count,
        seed,
    } = &mut c.phase.ensemble
    {
        let f = ens_family.unwrap_or(*family);
        let kk = if f == Family::RockPaperScissors {
            3
        } else {
            ens_k
        };
        let pr = ens_param.unwrap_or(if f.uses_sigma() { 1.0 } else { 0.5 });
        match f.generator(kk, pr).validate() {
            Ok(()) => {
                *family = f;
                *k = kk;
                *param = pr;
            }
            Err(e) => rd.issue("ens", format!("{e}; kept the default ensemble")),
        }
        *count = ens_count;
        *seed = ens_seed;
    }

    // Cross-field checks.
    let kk = c.matrix.k();
    for (field, spec) in [
        ("pi0", &mut c.pi0),
        ("mu0", &mut c.mu0),
        ("ref", &mut c.oneshot_ref),
        ("mu", &mut c.custom_mu),
    ] {
        if let Err(e) = spec.resolve(kk) {
            rd.issue(field, format!("{e} (K = {kk}); kept the default"));
            *spec = match field {
                "pi0" => PolicySpec::Dirichlet(1),
                _ => PolicySpec::Uniform,
            };
        }
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
    Parsed {
        // Canonical: parameters the chosen family ignores (`seed=9` with RPS, `s=0.3`
        // with Random SST) are reset, so that the parsed config equals its own link.
        config: c.canonical(),
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
        upgraded_from,
    }
}

/// Largest `T · K³` of an MRS-DPO run (a Newton solve per round costs about K³).
pub const MAX_DPO_WORK: f64 = 5e8;
/// Largest `T · K² · members` of one phase-diagram cell (the page computes a cell at once).
pub const MAX_PHASE_CELL_WORK: f64 = 2e7;

/// K with `K(K−1)/2 = n`.
fn infer_k(n: usize) -> Option<usize> {
    (2..=MAX_K).find(|k| k * (k - 1) / 2 == n)
}

/// The canonical query: `v=2` then each non-default field in a fixed order.
pub fn to_query(c: &Config) -> String {
    // Compare canonical forms, so that parameters a family ignores (RPS's K, a
    // deterministic family's seed) never make a default matrix look non-default.
    let c = &c.canonical();
    let d = Config::default();
    let mut out: Vec<(&str, String)> = vec![("v", SCHEMA_VERSION.to_string())];
    let mut push = |k: &'static str, v: String| out.push((k, v));
    if c.view != d.view {
        push("view", c.view.key().into());
    }
    if c.embed {
        push("embed", "1".into());
    }
    if c.matrix != d.matrix {
        match &c.matrix {
            MatrixSource::Generated {
                family,
                k,
                param,
                seed,
            } => {
                push("gen", family.key().into());
                if *family != Family::RockPaperScissors {
                    push("k", k.to_string());
                }
                if family.uses_sigma() {
                    push("sigma", format_float(*param));
                } else if family.uses_strength() {
                    push("s", format_float(*param));
                }
                if family.is_random() {
                    push("seed", seed.to_string());
                }
            }
            MatrixSource::Preset { name } => push("preset", name.clone()),
            MatrixSource::Values { k, upper } => {
                push("k", k.to_string());
                push("P", format_list(upper));
            }
        }
    }
    let fl = |a: f64, b: f64| quantise(a) != quantise(b);
    if fl(c.params.alpha, d.params.alpha) {
        push("alpha", format_float(c.params.alpha));
    }
    if fl(c.params.beta, d.params.beta) {
        push("beta", format_float(c.params.beta));
    }
    if fl(c.params.lam, d.params.lam) {
        push("lam", format_float(c.params.lam));
    }
    if fl(c.params.eta, d.params.eta) {
        push("eta", format_float(c.params.eta));
    }
    if c.rounds != d.rounds {
        push("T", c.rounds.to_string());
    }
    if c.burn_in != d.burn_in {
        push("burn", c.burn_in.to_string());
    }
    if c.solver != d.solver {
        push("solver", solver_key(c.solver).into());
    }
    if c.pi0 != d.pi0 {
        push("pi0", format_policy(&c.pi0));
    }
    if c.mu0 != d.mu0 {
        push("mu0", format_policy(&c.mu0));
    }
    if fl(c.speed, d.speed) {
        push("speed", format_float(c.speed));
    }
    if c.oneshot_solver != d.oneshot_solver {
        push("os", solver_key(c.oneshot_solver).into());
    }
    if fl(c.oneshot_beta, d.oneshot_beta) {
        push("ob", format_float(c.oneshot_beta));
    }
    if c.oneshot_ref != d.oneshot_ref {
        push("ref", format_policy(&c.oneshot_ref));
    }
    if fl(c.epsilon, d.epsilon) {
        push("eps", format_float(c.epsilon));
    }
    if c.custom_mu != d.custom_mu {
        push("mu", format_policy(&c.custom_mu));
    }
    let (p, dp) = (&c.phase, &d.phase);
    if p.x.axis != dp.x.axis {
        push("px", p.x.axis.key().into());
    }
    if fl(p.x.min, dp.x.min) {
        push("x0", format_float(p.x.min));
    }
    if fl(p.x.max, dp.x.max) {
        push("x1", format_float(p.x.max));
    }
    if p.x.n != dp.x.n {
        push("nx", p.x.n.to_string());
    }
    if p.y.axis != dp.y.axis {
        push("py", p.y.axis.key().into());
    }
    if fl(p.y.min, dp.y.min) {
        push("y0", format_float(p.y.min));
    }
    if fl(p.y.max, dp.y.max) {
        push("y1", format_float(p.y.max));
    }
    if p.y.n != dp.y.n {
        push("ny", p.y.n.to_string());
    }
    if p.metric != dp.metric {
        push("metric", p.metric.key().into());
    }
    if p.ensemble != dp.ensemble {
        match &p.ensemble {
            Ensemble::Current => push("ens", "current".into()),
            Ensemble::Family {
                family,
                k,
                param,
                count,
                seed,
            } => {
                if let Ensemble::Family {
                    family: df,
                    k: dk,
                    param: _,
                    count: dc,
                    seed: ds,
                } = &dp.ensemble
                {
                    if family != df {
                        push("ens", family.key().into());
                    }
                    if k != dk && *family != Family::RockPaperScissors {
                        push("ek", k.to_string());
                    }
                    // parse_query's default for a missing `es` depends on the family
                    // (σ = 1 for utility models, s = 0.5 otherwise).
                    let missing = if family.uses_sigma() { 1.0 } else { 0.5 };
                    if fl(*param, missing) && (family.uses_sigma() || family.uses_strength()) {
                        push("es", format_float(*param));
                    }
                    if count != dc {
                        push("en", count.to_string());
                    }
                    if seed != ds {
                        push("eseed", seed.to_string());
                    }
                }
            }
        }
    }
    if p.rounds != dp.rounds {
        push("pT", p.rounds.to_string());
    }
    if p.burn_in != dp.burn_in {
        push("pburn", p.burn_in.to_string());
    }
    let mut s = String::new();
    for (i, (k, v)) in out.iter().enumerate() {
        if i > 0 {
            s.push('&');
        }
        let _ = write!(s, "{k}={}", utf8_percent_encode(v, VALUE));
    }
    s
}

impl Config {
    /// Lowers T where one run or one phase cell would be too much work for a page to stay
    /// responsive ([`MAX_DPO_WORK`], [`MAX_PHASE_CELL_WORK`]); returns the messages.
    pub fn limit_work(&mut self) -> Vec<(&'static str, String)> {
        let mut out = vec![];
        let k = self.matrix.k() as f64;
        if self.solver == Solver::Dpo && self.rounds as f64 * k.powi(3) > MAX_DPO_WORK {
            let t = ((MAX_DPO_WORK / k.powi(3)) as usize).max(1);
            out.push((
                "T",
                format!("{} rounds of MRS-DPO with K = {k} is too much work for the page; lowered to {t}", self.rounds),
            ));
            self.rounds = t;
        }
        let (pk, members) = match &self.phase.ensemble {
            Ensemble::Current => (k, 1.0),
            Ensemble::Family {
                family, k, count, ..
            } => (
                if *family == Family::RockPaperScissors {
                    3.0
                } else {
                    *k as f64
                },
                *count as f64,
            ),
        };
        let cell = self.phase.rounds as f64 * pk * pk * members;
        if cell > MAX_PHASE_CELL_WORK {
            let t = ((MAX_PHASE_CELL_WORK / (pk * pk * members)) as usize).max(1);
            out.push((
                "pT",
                format!("{} rounds × K = {pk} × {members} matrices per phase cell is too much work for the page; lowered to {t} rounds", self.phase.rounds),
            ));
            self.phase.rounds = t;
        }
        out
    }

    /// The canonical form: floats quantised, parameters a family does not use set to
    /// their defaults. `parse_query(&to_query(c)).config == c.canonical()`.
    pub fn canonical(&self) -> Config {
        let mut c = self.clone();
        c.limit_work();
        let q = quantise;
        c.params = MrsParams {
            alpha: q(c.params.alpha),
            beta: q(c.params.beta),
            lam: q(c.params.lam),
            eta: q(c.params.eta),
        };
        c.speed = q(c.speed);
        c.oneshot_beta = q(c.oneshot_beta);
        c.epsilon = q(c.epsilon);
        for spec in [&mut c.pi0, &mut c.mu0, &mut c.oneshot_ref, &mut c.custom_mu] {
            if let PolicySpec::Values(v) = spec {
                v.iter_mut().for_each(|x| *x = q(*x));
            }
        }
        match &mut c.matrix {
            MatrixSource::Generated {
                family,
                k,
                param,
                seed,
            } => {
                if *family == Family::RockPaperScissors {
                    *k = 3;
                }
                if !family.is_random() {
                    *seed = 1;
                }
                *param = if family.uses_sigma() || family.uses_strength() {
                    q(*param)
                } else {
                    0.5
                };
            }
            MatrixSource::Values { upper, .. } => upper.iter_mut().for_each(|x| *x = q(*x)),
            MatrixSource::Preset { .. } => {}
        }
        for r in [&mut c.phase.x, &mut c.phase.y] {
            r.min = q(r.min);
            r.max = q(r.max);
        }
        if let Ensemble::Family {
            family, k, param, ..
        } = &mut c.phase.ensemble
        {
            if *family == Family::RockPaperScissors {
                *k = 3;
            }
            *param = if family.uses_sigma() || family.uses_strength() {
                q(*param)
            } else {
                0.5
            };
        }
        c
    }
}
