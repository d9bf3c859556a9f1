//! The configuration behind everything the page shows, grouped by what it drives, and its
//! one URL codec.
//!
//! Every URL key is one row of [`FIELDS`] (key, section, label, help, kind with bounds,
//! default, where it lives in a [`Config`]); parsing, canonical serialisation, clamping,
//! the page's controls, the CLI's key list and the README's URL table all read that table.
//! `parse_query` never fails: each bad or unknown parameter becomes a [`ParseIssue`] naming
//! it, that field keeps its default (or is clamped into range), and the rest loads.
//! `to_query` writes the canonical query: defaults omitted, table order, floats quantised
//! to [`DECIMALS`] decimals, so `parse_query(to_query(c)) == c.canonical()`.

use serde::{Deserialize, Serialize};

use crate::dynamics::{MrsParams, Solver};
use crate::finite::FiniteSpec;
use crate::generators::{dirichlet_flat, Family, GeneratorError};
use crate::phase::{Axis, AxisRange, Ensemble, PhaseMetric};
use crate::preference::{PreferenceError, PreferenceMatrix};
use crate::presets::{preset, preset_k};
use crate::simplex::{normalise_positive, uniform, DistributionError};

mod codec;
mod fields;
mod migrate;
mod variants;

pub use codec::{
    edit, edit_single, field_text, parse_query, parse_single, query_pairs, to_query, ParseIssue,
    Parsed,
};
pub use fields::{field, markdown_table, Field, Kind, Part, Scale, Section, Slot, FIELDS};
pub use migrate::migrate_v1;
pub use variants::{
    edit_variant, override_text, overrides_between, remove_variant, split_variant_key, varies,
    Variant, FIRST_VARIANT, MAX_VARIANTS,
};

/// Version of the query format written by `to_query` (`v=`). Older links keep working:
/// see [`migrate_v1`].
pub const SCHEMA_VERSION: u32 = 2;
/// What a link without any parameter opens (the site's own address, a bare `?`): the
/// paper's Figure 1 (centre), a cycle whose oscillation reads at a glance (period about
/// 19 rounds, five of them in 100 rounds). The field defaults stay those of schema 2, so
/// every link written with them keeps its run.
pub const HOME_QUERY: &str = "v=2&alpha=0.95&beta=2&lam=0.8&T=100";
/// The round values a logarithmic slider stops at in each decade (exact values are typed).
const ROUND_STEPS: [f64; 10] = [1.0, 1.2, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0];

/// The stops of a logarithmic slider over `[min, max]`: 1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8
/// times each power of ten in the range (whole numbers stay whole), and the two ends.
pub fn log_stops(min: f64, max: f64, whole: bool) -> Vec<f64> {
    if !(min > 0.0 && max >= min && max.is_finite()) {
        return vec![];
    }
    let first = min.log10().floor() as i32;
    let last = max.log10().ceil() as i32;
    let mut stops = vec![min];
    for e in first..=last {
        for m in ROUND_STEPS {
            let v = m * 10f64.powi(e);
            // Rounded to 12 significant digits, so 1.2e-3 is written 0.0012.
            let v = format!("{v:.12e}").parse::<f64>().unwrap_or(v);
            let v = if whole { v.round() } else { v };
            if v > min && v < max && stops.last().is_some_and(|&l| v > l) {
                stops.push(v);
            }
        }
    }
    if max > min {
        stops.push(max);
    }
    stops
}

/// The index of the stop in `stops` nearest to `v` in log scale (0 for none or a bad `v`).
pub fn nearest_stop(stops: &[f64], v: f64) -> usize {
    if v.is_nan() || v <= 0.0 {
        return 0;
    }
    let d = |s: f64| (s.ln() - v.ln()).abs();
    (0..stops.len())
        .min_by(|&a, &b| d(stops[a]).total_cmp(&d(stops[b])))
        .unwrap_or(0)
}

/// The round value nearest to `v` in log scale within `[min, max]` ([`log_stops`]).
pub fn snap_log(v: f64, min: f64, max: f64, whole: bool) -> f64 {
    let stops = log_stops(min, max, whole);
    stops.get(nearest_stop(&stops, v)).copied().unwrap_or(min)
}

/// Decimals kept for every float in a URL.
pub const DECIMALS: i32 = 6;
/// Largest `T · K³` of an MRS-DPO run (a Newton solve per round costs about K³).
pub const MAX_DPO_WORK: f64 = 5e8;
/// Largest `T · K² · members` of one phase-diagram cell (the page computes a cell at once).
pub const MAX_PHASE_CELL_WORK: f64 = 2.5e8;

/// A choice among named values: its URL key and its title in menus.
pub trait Keyed: Copy + PartialEq + 'static {
    const ALL: &'static [Self];
    fn key(self) -> &'static str;
    fn title(self) -> &'static str;
    fn from_key(key: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|v| v.key() == key)
    }
}

/// The page's colours (`theme=`): `auto` follows the reader's system setting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Theme {
    #[default]
    Auto,
    Light,
    Dark,
}

impl Keyed for Theme {
    const ALL: &'static [Theme] = &[Theme::Auto, Theme::Light, Theme::Dark];
    fn key(self) -> &'static str {
        match self {
            Theme::Auto => "auto",
            Theme::Light => "light",
            Theme::Dark => "dark",
        }
    }
    fn title(self) -> &'static str {
        match self {
            Theme::Auto => "the reader's setting",
            Theme::Light => "light",
            Theme::Dark => "dark",
        }
    }
}

/// The last step of the guided tour a link may name (`tour=1..=MAX_TOUR_STEP`).
pub const MAX_TOUR_STEP: usize = 12;

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

impl Keyed for View {
    const ALL: &'static [View] = &[
        View::Preferences,
        View::OneShot,
        View::Dynamics,
        View::Phase,
    ];
    fn key(self) -> &'static str {
        match self {
            View::Preferences => "prefs",
            View::OneShot => "oneshot",
            View::Dynamics => "dynamics",
            View::Phase => "phase",
        }
    }
    fn title(self) -> &'static str {
        match self {
            View::Preferences => "Preferences",
            View::OneShot => "One-shot",
            View::Dynamics => "Dynamics",
            View::Phase => "Phase diagram",
        }
    }
}

impl Keyed for Solver {
    const ALL: &'static [Solver] = &[Solver::Ipo, Solver::Dpo];
    fn key(self) -> &'static str {
        match self {
            Solver::Ipo => "ipo",
            Solver::Dpo => "dpo",
        }
    }
    fn title(self) -> &'static str {
        match self {
            Solver::Ipo => "IPO (closed form)",
            Solver::Dpo => "DPO (Newton)",
        }
    }
}

impl Keyed for PhaseMetric {
    const ALL: &'static [PhaseMetric] = &PhaseMetric::ALL;
    fn key(self) -> &'static str {
        PhaseMetric::key(self)
    }
    fn title(self) -> &'static str {
        PhaseMetric::title(self)
    }
}

impl Keyed for Axis {
    const ALL: &'static [Axis] = &Axis::ALL;
    fn key(self) -> &'static str {
        Axis::key(self)
    }
    fn title(self) -> &'static str {
        Axis::title(self)
    }
}

impl Keyed for Family {
    const ALL: &'static [Family] = &Family::ALL;
    fn key(self) -> &'static str {
        Family::key(self)
    }
    fn title(self) -> &'static str {
        Family::title(self)
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
        /// The responses' names (empty: A, B, …).
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        labels: Vec<String>,
    },
}

impl MatrixSource {
    /// Imported preferences as edited values with their labels (inconsistent pairs must be
    /// made consistent first).
    pub fn imported(
        data: &crate::import::Imported,
    ) -> Result<MatrixSource, crate::import::ImportError> {
        let m = data.matrix()?;
        Ok(MatrixSource::Values {
            k: m.k(),
            upper: m.upper(),
            labels: m.labels().to_vec(),
        })
    }

    /// `(family, K, parameter, seed)` of a generated matrix.
    pub fn generated(&self) -> Option<(Family, usize, f64, u64)> {
        match *self {
            MatrixSource::Generated {
                family,
                k,
                param,
                seed,
            } => Some((family, k, param, seed)),
            _ => None,
        }
    }

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
            MatrixSource::Preset { name } => preset_k(name).unwrap_or(3),
            MatrixSource::Values { k, .. } => *k,
        }
    }

    /// Builds the matrix.
    pub fn matrix(&self) -> Result<PreferenceMatrix, MatrixSourceError> {
        match self {
            MatrixSource::Preset { name } => {
                let p =
                    preset(name).ok_or_else(|| MatrixSourceError::UnknownPreset(name.clone()))?;
                Ok(p.matrix()?)
            }
            other => other
                .matrix_without_presets()
                .unwrap_or(Err(MatrixSourceError::UnknownPreset(String::new()))),
        }
    }

    /// Builds a generated or edited matrix without reading any preset (`None` for a
    /// preset), so that code that never shows a preset carries none of their data.
    pub fn matrix_without_presets(&self) -> Option<Result<PreferenceMatrix, MatrixSourceError>> {
        Some(match self {
            MatrixSource::Preset { .. } => return None,
            MatrixSource::Generated {
                family,
                k,
                param,
                seed,
            } => family
                .generator(*k, *param)
                .generate(*seed)
                .map_err(MatrixSourceError::from),
            MatrixSource::Values { k, upper, labels } => (|| {
                let m = PreferenceMatrix::from_upper(*k, upper)?;
                Ok(if labels.is_empty() {
                    m
                } else {
                    m.with_labels(labels.clone())?
                })
            })(),
        })
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

/// Longest decimal list `P=…` a link writes; a longer upper triangle goes compact.
pub const MAX_DECIMAL_P: usize = 600;

/// The link text of edited values: the comma-separated decimals while they take at most
/// [`MAX_DECIMAL_P`] characters, else the compact encoding of [`crate::import`] (exact
/// `b64dN:` for data with at most 4 decimals, else 16-bit `b64:`, within 1/131070).
pub fn values_text(upper: &[f64]) -> String {
    let list = format_list(upper);
    if list.len() <= MAX_DECIMAL_P {
        list
    } else {
        crate::import::encode_values(upper)
    }
}

/// The values a link carries for `upper` ([`values_text`] read back, quantised): the
/// canonical form of edited values, so that a configuration equals its own link.
pub fn link_values(upper: &[f64]) -> Vec<f64> {
    let text = values_text(upper);
    let read = match crate::import::decode_values(&text) {
        Ok((_, v)) => v,
        Err(_) => upper.to_vec(),
    };
    read.into_iter().map(quantise).collect()
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

    /// Its text in a URL or a form field: `uniform`, `dirSEED` or comma-separated values.
    pub fn text(&self) -> String {
        match self {
            PolicySpec::Uniform => "uniform".into(),
            PolicySpec::Dirichlet(s) => format!("dir{s}"),
            PolicySpec::Values(v) => format_list(v),
        }
    }
}

/// What the page shows and how it is framed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ViewSettings {
    pub view: View,
    pub embed: bool,
    /// The page's colours: the reader's preference, or light or dark for a host page.
    pub theme: Theme,
    /// The URL keys of the controls an embed shows (empty: the view's default set).
    pub controls: Vec<String>,
    /// The step of the guided tour shown (1-based; 0: no tour).
    pub tour: usize,
}

/// The one-shot section: solver, strength, reference, maximal-lottery mix, custom μ.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OneShotSettings {
    #[serde(rename = "oneshot_solver")]
    pub solver: Solver,
    #[serde(rename = "oneshot_beta")]
    pub beta: f64,
    #[serde(rename = "oneshot_ref")]
    pub reference: PolicySpec,
    pub epsilon: f64,
    pub custom_mu: PolicySpec,
}

/// The MRS run: solver, parameters, rounds, burn-in, π₀ (initial policy and base
/// reference) and μ₀ (offline sampler).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DynamicsSettings {
    pub solver: Solver,
    pub params: MrsParams,
    pub rounds: usize,
    pub burn_in: usize,
    pub pi0: PolicySpec,
    pub mu0: PolicySpec,
    /// Finite samples (N = 0: the population dynamics).
    pub sampling: Sampling,
    /// Extra starts of the K = 3 phase portrait (initial policies; π₀ stays the base
    /// reference), as the link gives them (entries ≥ 0, quantised; normalised and nudged
    /// inside by [`crate::portrait::start_policy`]). Empty: the run from π₀ only.
    #[serde(default)]
    pub starts: Vec<[f64; 3]>,
}

/// N pairs per round (0: the population dynamics), R realisations and their seed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sampling {
    pub pairs: usize,
    pub realisations: usize,
    pub seed: u64,
}

impl Sampling {
    /// Placeholder before the table's defaults are written.
    const UNSET: Sampling = Sampling {
        pairs: 0,
        realisations: 0,
        seed: 0,
    };

    /// The finite-sample spec, `None` for the population dynamics.
    pub fn spec(&self) -> Option<FiniteSpec> {
        (self.pairs > 0).then_some(FiniteSpec {
            pairs: self.pairs,
            realisations: self.realisations,
            seed: self.seed,
        })
    }
}

/// Playback of the dynamics (does not change any number).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlaybackSettings {
    /// Rounds per second.
    pub speed: f64,
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
    /// Finite samples in every cell (N = 0: the population dynamics).
    pub sampling: Sampling,
}

/// Every control of the playground, grouped by what it drives. The JSON form is flat
/// (`params`, `rounds`, `oneshot_beta`, …), as `window.prefdyn.state()` has always shown it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Config {
    #[serde(flatten)]
    pub view: ViewSettings,
    pub matrix: MatrixSource,
    #[serde(flatten)]
    pub one_shot: OneShotSettings,
    #[serde(flatten)]
    pub dynamics: DynamicsSettings,
    #[serde(flatten)]
    pub playback: PlaybackSettings,
    pub phase: PhaseConfig,
    /// Runs compared beside this one (`KEY.N` in a link); empty: one run.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub variants: Vec<Variant>,
}

/// Which groups differ between two configurations: what a change invalidates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Changes {
    pub view: bool,
    pub matrix: bool,
    pub one_shot: bool,
    pub dynamics: bool,
    pub playback: bool,
    pub phase: bool,
    /// The variants compared beside the run.
    pub compare: bool,
}

impl std::ops::BitOr for Changes {
    type Output = Changes;
    fn bitor(self, o: Changes) -> Changes {
        Changes {
            view: self.view || o.view,
            matrix: self.matrix || o.matrix,
            one_shot: self.one_shot || o.one_shot,
            dynamics: self.dynamics || o.dynamics,
            playback: self.playback || o.playback,
            phase: self.phase || o.phase,
            compare: self.compare || o.compare,
        }
    }
}

impl Changes {
    /// Every group (a first paint, a resize).
    pub fn all() -> Changes {
        Changes {
            view: true,
            matrix: true,
            one_shot: true,
            dynamics: true,
            playback: true,
            phase: true,
            compare: true,
        }
    }

    pub fn any(&self) -> bool {
        self.view
            || self.matrix
            || self.one_shot
            || self.dynamics
            || self.playback
            || self.phase
            || self.compare
    }
}

impl Default for Config {
    /// The compound parts (matrix, ensemble, phase axes) set here, every other field the
    /// default of its row in [`FIELDS`].
    fn default() -> Self {
        let mut c = Config {
            view: ViewSettings {
                view: View::Dynamics,
                embed: false,
                theme: Theme::Auto,
                controls: vec![],
                tour: 0,
            },
            matrix: MatrixSource::Generated {
                family: Family::RockPaperScissors,
                k: 3,
                param: 0.5,
                seed: 1,
            },
            one_shot: OneShotSettings {
                solver: Solver::Ipo,
                beta: 0.0,
                reference: PolicySpec::Uniform,
                epsilon: 0.0,
                custom_mu: PolicySpec::Uniform,
            },
            dynamics: DynamicsSettings {
                solver: Solver::Ipo,
                params: MrsParams {
                    alpha: 0.0,
                    beta: 0.0,
                    lam: 0.0,
                    eta: 0.0,
                },
                rounds: 0,
                burn_in: 0,
                pi0: PolicySpec::Uniform,
                mu0: PolicySpec::Uniform,
                sampling: Sampling::UNSET,
                starts: vec![],
            },
            playback: PlaybackSettings { speed: 0.0 },
            phase: PhaseConfig {
                x: AxisRange {
                    axis: Axis::Alpha,
                    min: 0.0,
                    max: 0.0,
                    n: 0,
                },
                y: AxisRange {
                    axis: Axis::BetaLambda,
                    min: 0.0,
                    max: 0.0,
                    n: 0,
                },
                metric: PhaseMetric::Variance,
                ensemble: Ensemble::Family {
                    family: Family::RandomCyclic,
                    k: 5,
                    param: 0.5,
                    count: 16,
                    seed: 1,
                },
                rounds: 0,
                burn_in: 0,
                sampling: Sampling::UNSET,
            },
            variants: vec![],
        };
        for f in FIELDS {
            f.slot.set_default(&mut c);
        }
        c
    }
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

/// Points as a link writes them: `a,b,c;d,e,f`.
pub fn format_points(points: &[[f64; 3]]) -> String {
    points
        .iter()
        .map(|p| format_list(p))
        .collect::<Vec<_>>()
        .join(";")
}

impl Config {
    /// Which groups differ from `other`.
    pub fn changes(&self, other: &Config) -> Changes {
        Changes {
            view: self.view != other.view,
            matrix: self.matrix != other.matrix,
            one_shot: self.one_shot != other.one_shot,
            dynamics: self.dynamics != other.dynamics,
            playback: self.playback != other.playback,
            phase: self.phase != other.phase,
            compare: self.variants != other.variants,
        }
    }

    /// Lowers T where one run or one phase cell would be too much work for a page to stay
    /// responsive ([`MAX_DPO_WORK`], [`MAX_PHASE_CELL_WORK`]); returns the messages.
    pub fn limit_work(&mut self) -> Vec<(&'static str, String)> {
        let mut out = vec![];
        let k = self.matrix.k() as f64;
        let d = &mut self.dynamics;
        if d.solver == Solver::Dpo && d.rounds as f64 * k.powi(3) > MAX_DPO_WORK {
            let t = ((MAX_DPO_WORK / k.powi(3)) as usize).max(1);
            out.push((
                "T",
                format!("{} rounds of MRS-DPO with K = {k} is too much work for the page; lowered to {t}", d.rounds),
            ));
            d.rounds = t;
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
        let mut c = self.canonical_single();
        c.canonical_variants();
        c
    }

    /// [`Config::canonical`] with the variants kept as they are (for a configuration
    /// without variants, the same).
    pub fn canonical_single(&self) -> Config {
        let mut c = self.clone();
        c.limit_work();
        for f in FIELDS {
            f.slot.quantise(&mut c);
        }
        match &mut c.matrix {
            MatrixSource::Generated {
                family,
                k,
                param,
                seed,
            } => canonical_family(*family, k, param, Some(seed)),
            MatrixSource::Values { k, upper, labels } => {
                *upper = link_values(upper);
                if labels.len() != *k || *labels == crate::preference::default_labels(*k) {
                    labels.clear();
                }
            }
            MatrixSource::Preset { .. } => {}
        }
        if let Ensemble::Family {
            family, k, param, ..
        } = &mut c.phase.ensemble
        {
            canonical_family(*family, k, param, None);
        }
        c
    }
}

/// A family's K, parameter and seed in canonical form: RPS has K = 3, a parameter the
/// family does not use is 0.5, a deterministic family's seed is 1.
fn canonical_family(family: Family, k: &mut usize, param: &mut f64, seed: Option<&mut u64>) {
    if family == Family::RockPaperScissors {
        *k = 3;
    }
    if let Some(seed) = seed {
        if !family.is_random() {
            *seed = 1;
        }
    }
    *param = if family.uses_sigma() || family.uses_strength() {
        quantise(*param)
    } else {
        0.5
    };
}

#[cfg(test)]
mod snap_tests {
    #![allow(clippy::unwrap_used)]
    use super::{log_stops, snap_log};

    #[test]
    fn log_sliders_stop_at_round_values() {
        // β (0.001 – 100): the paper's 5 and the page's 1.5 are reachable.
        assert_eq!(snap_log(1.51, 0.001, 100.0, false), 1.5);
        assert_eq!(snap_log(5.01, 0.001, 100.0, false), 5.0);
        assert_eq!(snap_log(4.6, 0.001, 100.0, false), 5.0);
        assert_eq!(snap_log(0.0031, 0.001, 100.0, false), 0.003);
        assert_eq!(snap_log(97.0, 0.001, 100.0, false), 100.0);
        assert_eq!(snap_log(150.0, 0.001, 100.0, false), 100.0);
        // T (1 – 20,000): whole.
        assert_eq!(snap_log(1234.0, 1.0, 20_000.0, true), 1200.0);
        assert_eq!(snap_log(1.4, 1.0, 20_000.0, true), 1.0);
        assert_eq!(snap_log(17_000.0, 1.0, 20_000.0, true), 15_000.0);
        assert_eq!(snap_log(18_500.0, 1.0, 20_000.0, true), 20_000.0);
        assert_eq!(snap_log(f64::NAN, 0.5, 240.0, false), 0.5);
    }

    #[test]
    fn log_stops_are_round_increasing_and_end_at_the_bounds() {
        let beta = log_stops(0.001, 100.0, false);
        assert_eq!(beta.first(), Some(&0.001));
        assert_eq!(beta.last(), Some(&100.0));
        assert!(beta.windows(2).all(|w| w[0] < w[1]));
        for want in [0.0012, 0.5, 1.5, 2.0, 5.0, 80.0] {
            assert!(beta.contains(&want), "{want} in {beta:?}");
        }
        assert_eq!(beta.len(), 51);
        let t = log_stops(1.0, 20_000.0, true);
        assert_eq!(&t[..8], &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0]);
        assert!(t.contains(&150.0) && t.contains(&20_000.0));
        assert!(t.iter().all(|v| v.fract() == 0.0));
        let speed = log_stops(0.5, 240.0, false);
        assert_eq!(
            (speed[0], speed[1], *speed.last().unwrap_or(&0.0)),
            (0.5, 0.6, 240.0)
        );
        assert!(log_stops(0.0, 1.0, false).is_empty());
    }
}
