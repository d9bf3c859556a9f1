//! The one table of URL fields: every key with its section, label, help, kind (bounds,
//! choices), default and place in a [`Config`]. The codec, the page's controls, the CLI and
//! the README's URL table are all read from it. Adding a numeric parameter is one row.

use super::{Config, Keyed, PolicySpec, Theme, View, MAX_TOUR_STEP};
use crate::dynamics::{Solver, MAX_T};
use crate::finite::{MAX_PAIRS, MAX_REALISATIONS};
use crate::generators::Family;
use crate::phase::{Axis, PhaseMetric, MAX_ENSEMBLE, MAX_GRID};
use crate::portrait::MAX_STARTS;
use crate::preference::MAX_K;
use crate::presets::{preset_keys, preset_title};

/// What a field drives, and so what its change invalidates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    /// The schema version and the framing (section, embed).
    View,
    /// P: everything depends on it.
    Matrix,
    OneShot,
    Dynamics,
    /// Playback only; no number changes.
    Playback,
    Phase,
}

impl Section {
    pub fn title(self) -> &'static str {
        match self {
            Section::View => "view",
            Section::Matrix => "preferences",
            Section::OneShot => "one-shot",
            Section::Dynamics => "dynamics",
            Section::Playback => "playback",
            Section::Phase => "phase diagram",
        }
    }
}

/// How a slider moves over a numeric range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scale {
    Linear,
    /// Evenly in log₁₀ (ranges over orders of magnitude: β, T, speed).
    Log,
}

/// The values a field takes, as the codec parses them and a control offers them.
#[derive(Debug, Clone, Copy)]
pub enum Kind {
    /// The schema version.
    Version,
    /// A float in `[min, max]` (clamped with a message; quantised to `DECIMALS`).
    Number {
        min: f64,
        max: f64,
        step: f64,
        scale: Scale,
    },
    /// A whole number in `[min, max]` (clamped with a message).
    Whole { min: u64, max: u64, scale: Scale },
    /// A whole number in `[1, max]`, or `inf` (also `∞` or empty) for none, stored as 0:
    /// what `zero` says applies instead (`N = inf`: the population dynamics).
    Count { max: u64, zero: &'static str },
    /// One of the keys `(key, title)`.
    Choice(fn() -> Vec<(&'static str, String)>),
    /// `1`/`true` or `0`/`false`.
    Flag,
    /// `uniform`, `dirSEED` (a seeded flat-Dirichlet draw) or positive values.
    Distribution,
    /// Comma-separated finite numbers.
    Values,
    /// Comma-separated URL keys of this table (each at most once).
    Keys,
    /// Names of the responses, `,`-separated (`%`, `,` escaped), distinct, non-empty.
    Labels,
    /// Up to `max` points of the simplex Δ₃, `;`-separated, each three comma-separated
    /// numbers ≥ 0 with a positive sum (`0.7,0.2,0.1;0.1,0.1,0.8`); empty for none.
    Points { max: usize },
}

/// Where a field's value lives in a [`Config`].
#[derive(Debug, Clone, Copy)]
pub enum Slot {
    Version,
    Number {
        default: f64,
        get: fn(&Config) -> f64,
        set: fn(&mut Config, f64),
    },
    Whole {
        default: u64,
        get: fn(&Config) -> u64,
        set: fn(&mut Config, u64),
    },
    Choice {
        default: &'static str,
        get: fn(&Config) -> &'static str,
        /// Sets the value of a key that [`Kind::Choice`] lists.
        set: fn(&mut Config, &str),
    },
    Flag {
        default: bool,
        get: fn(&Config) -> bool,
        set: fn(&mut Config, bool),
    },
    Distribution {
        default: fn() -> PolicySpec,
        get: fn(&Config) -> &PolicySpec,
        set: fn(&mut Config, PolicySpec),
    },
    /// A list of URL keys (empty by default).
    Keys {
        get: fn(&Config) -> &[String],
        set: fn(&mut Config, Vec<String>),
    },
    /// A list of points of Δ₃ (default: none).
    Points {
        get: fn(&Config) -> &[[f64; 3]],
        set: fn(&mut Config, Vec<[f64; 3]>),
    },
    /// Part of a value assembled from several keys (the matrix source or the ensemble):
    /// collected while parsing and resolved together.
    Part(Part),
}

/// The keys that together make the matrix source and the phase ensemble.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    Family,
    K,
    Strength,
    Sigma,
    Seed,
    Preset,
    Values,
    Labels,
    EnsembleFamily,
    EnsembleK,
    EnsembleParam,
    EnsembleCount,
    EnsembleSeed,
}

/// One URL field.
#[derive(Debug, Clone, Copy)]
pub struct Field {
    pub key: &'static str,
    pub section: Section,
    /// Label of its control, with the symbol (`α reference weight`).
    pub label: &'static str,
    /// One sentence for tooltips and the README.
    pub help: &'static str,
    pub kind: Kind,
    pub slot: Slot,
}

/// The field of a key.
pub fn field(key: &str) -> Option<&'static Field> {
    FIELDS.iter().find(|f| f.key == key)
}

fn options<T: Keyed>() -> Vec<(&'static str, String)> {
    T::ALL
        .iter()
        .map(|v| (v.key(), v.title().to_string()))
        .collect()
}

fn ensemble_options() -> Vec<(&'static str, String)> {
    let mut o = vec![("current", "the current P".to_string())];
    o.extend(options::<Family>());
    o
}

fn preset_options() -> Vec<(&'static str, String)> {
    preset_keys()
        .map(|k| (k, preset_title(k).unwrap_or(k).to_string()))
        .collect()
}

/// A float field: `number!(key, Section, label, help, min, max, step, Scale, default, |c| place)`.
macro_rules! number {
    ($key:literal, $section:ident, $label:literal, $help:literal, $min:expr, $max:expr, $step:expr, $scale:ident, $default:expr, |$c:ident| $place:expr) => {
        Field {
            key: $key,
            section: Section::$section,
            label: $label,
            help: $help,
            kind: Kind::Number {
                min: $min,
                max: $max,
                step: $step,
                scale: Scale::$scale,
            },
            slot: Slot::Number {
                default: $default,
                get: |$c| $place,
                set: |$c, v| $place = v,
            },
        }
    };
}

/// A whole-number field stored as `usize`.
macro_rules! whole {
    ($key:literal, $section:ident, $label:literal, $help:literal, $min:expr, $max:expr, $scale:ident, $default:expr, |$c:ident| $place:expr) => {
        Field {
            key: $key,
            section: Section::$section,
            label: $label,
            help: $help,
            kind: Kind::Whole {
                min: $min as u64,
                max: $max as u64,
                scale: Scale::$scale,
            },
            slot: Slot::Whole {
                default: $default,
                get: |$c| $place as u64,
                set: |$c, v| $place = usize::try_from(v).unwrap_or(usize::MAX),
            },
        }
    };
}

/// A count that may be infinite (stored as 0), as `usize`.
macro_rules! count {
    ($key:literal, $section:ident, $label:literal, $help:literal, $max:expr, $zero:literal, $default:expr, |$c:ident| $place:expr) => {
        Field {
            key: $key,
            section: Section::$section,
            label: $label,
            help: $help,
            kind: Kind::Count {
                max: $max as u64,
                zero: $zero,
            },
            slot: Slot::Whole {
                default: $default,
                get: |$c| $place as u64,
                set: |$c, v| $place = usize::try_from(v).unwrap_or(usize::MAX),
            },
        }
    };
}

/// A seed: any `u64`.
macro_rules! seed {
    ($key:literal, $section:ident, $label:literal, $help:literal, $default:expr, |$c:ident| $place:expr) => {
        Field {
            key: $key,
            section: Section::$section,
            label: $label,
            help: $help,
            kind: Kind::Whole {
                min: 0,
                max: u64::MAX,
                scale: Scale::Linear,
            },
            slot: Slot::Whole {
                default: $default,
                get: |$c| $place,
                set: |$c, v| $place = v,
            },
        }
    };
}

/// A field holding one value of a [`Keyed`] type.
macro_rules! choice {
    ($key:literal, $section:ident, $label:literal, $help:literal, $ty:ty, $default:expr, |$c:ident| $place:expr) => {
        Field {
            key: $key,
            section: Section::$section,
            label: $label,
            help: $help,
            kind: Kind::Choice(options::<$ty>),
            slot: Slot::Choice {
                default: $default,
                get: |$c| $place.key(),
                set: |$c, k| {
                    if let Some(v) = <$ty as Keyed>::from_key(k) {
                        $place = v;
                    }
                },
            },
        }
    };
}

/// A distribution field.
macro_rules! distribution {
    ($key:literal, $section:ident, $label:literal, $help:literal, $default:expr, |$c:ident| $place:expr) => {
        Field {
            key: $key,
            section: Section::$section,
            label: $label,
            help: $help,
            kind: Kind::Distribution,
            slot: Slot::Distribution {
                default: || $default,
                get: |$c| &$place,
                set: |$c, v| $place = v,
            },
        }
    };
}

/// A part of the matrix source or the ensemble.
macro_rules! part {
    ($key:literal, $section:ident, $label:literal, $help:literal, $kind:expr, $part:ident) => {
        Field {
            key: $key,
            section: Section::$section,
            label: $label,
            help: $help,
            kind: $kind,
            slot: Slot::Part(Part::$part),
        }
    };
}

/// Every URL field, in the order of the canonical query.
pub const FIELDS: &[Field] = &[
    Field {
        key: "v",
        section: Section::View,
        label: "schema version",
        help: "The format of the link; links without it (or v=1) are read as format 1, where alpha and lam had each other's names.",
        kind: Kind::Version,
        slot: Slot::Version,
    },
    choice!("view", View, "view", "The section a link opens on (and the chart an embed shows).", View, "dynamics", |c| c.view.view),
    Field {
        key: "embed",
        section: Section::View,
        label: "embed",
        help: "1: the compact view for iframes (the chart, minimal controls and an open-in-full-playground link).",
        kind: Kind::Flag,
        slot: Slot::Flag {
            default: false,
            get: |c| c.view.embed,
            set: |c, v| c.view.embed = v,
        },
    },
    choice!("theme", View, "theme", "The page's colours: auto follows the reader's system setting; light or dark match a host page.", Theme, "auto", |c| c.view.theme),
    Field {
        key: "controls",
        section: Section::View,
        label: "embed controls",
        help: "The controls an embed shows, as URL keys (controls=alpha,beta); empty: α and β in Dynamics, none elsewhere.",
        kind: Kind::Keys,
        slot: Slot::Keys {
            get: |c| &c.view.controls,
            set: |c, v| c.view.controls = v,
        },
    },
    whole!("tour", View, "tour step", "The step of the guided tour through the paper (0: no tour).", 0, MAX_TOUR_STEP, Linear, 0, |c| c.view.tour),
    part!("gen", Matrix, "generator", "The seeded generator of P (ignored with preset or P).", Kind::Choice(options::<Family>), Family),
    part!("k", Matrix, "K", "Number of candidate responses.", Kind::Whole { min: 2, max: MAX_K as u64, scale: Scale::Linear }, K),
    part!("s", Matrix, "s (strength)", "Strength of a cyclic family: i beats its successors with probability 1/2 + s.", Kind::Number { min: 1e-6, max: 0.5, step: 0.01, scale: Scale::Linear }, Strength),
    part!("sigma", Matrix, "σ (utility spread)", "Spread σ of the utilities of Bradley–Terry and Thurstone.", Kind::Number { min: 1e-6, max: 100.0, step: 0.05, scale: Scale::Log }, Sigma),
    part!("seed", Matrix, "seed", "Seed of a random family: the same seed gives the same matrix everywhere.", Kind::Whole { min: 0, max: u64::MAX, scale: Scale::Linear }, Seed),
    part!("preset", Matrix, "real-data preset", "A shipped real preference matrix, shown with its source and caveats.", Kind::Choice(preset_options), Preset),
    part!("P", Matrix, "edited P", "An edited or imported matrix: its upper triangle row by row, comma-separated decimals (with k), or compact (b64: 16-bit, b64d1–b64d4: exact decimals) for long ones.", Kind::Values, Values),
    part!("labels", Matrix, "labels", "Names of the responses of an edited or imported matrix (default A, B, …).", Kind::Labels, Labels),
    number!("alpha", Dynamics, "α reference weight", "How far the reference follows the current policy: log π_ref,t = α log π_t + (1−α) log π₀ (0 = the fixed reference, 1 = the current policy).", 0.0, 1.0, 0.01, Linear, 0.8, |c| c.dynamics.params.alpha),
    number!("beta", Dynamics, "β strength", "IPO strength β = 1/τ: how far one round may move from the reference.", 1e-3, 100.0, 0.01, Log, 3.0, |c| c.dynamics.params.beta),
    number!("lam", Dynamics, "λ on-policy share", "Share of training pairs sampled from the current policy: μ_t = λ π_t + (1−λ) μ₀ (0 = offline, 1 = fully on-policy).", 0.0, 1.0, 0.01, Linear, 1.0, |c| c.dynamics.params.lam),
    number!("eta", Dynamics, "η step", "Update step towards each round's optimum (our extension; 1 = train to the optimum, as in the paper).", 1e-3, 1.0, 0.01, Linear, 1.0, |c| c.dynamics.params.eta),
    whole!("T", Dynamics, "T rounds", "Number of rounds simulated.", 1, MAX_T, Log, 150, |c| c.dynamics.rounds),
    whole!("burn", Dynamics, "burn-in", "Rounds left out of the time-averaged variance.", 0, MAX_T, Linear, 0, |c| c.dynamics.burn_in),
    choice!("solver", Dynamics, "solver", "The one-shot method solved in each round.", Solver, "ipo", |c| c.dynamics.solver),
    distribution!("pi0", Dynamics, "π₀", "Initial policy and base reference: uniform, dirSEED for a seeded Dirichlet draw, or comma-separated positive values.", PolicySpec::Dirichlet(1), |c| c.dynamics.pi0),
    count!("N", Dynamics, "N pairs per round", "Pairs drawn from μ_t ⊗ μ_t each round and labelled by P (inf: the population dynamics, exact P μ_t).", MAX_PAIRS, "the population dynamics", 0, |c| c.dynamics.sampling.pairs),
    whole!("R", Dynamics, "R realisations", "Independent finite-sample runs (with N), drawn faintly around their mean path.", 1, MAX_REALISATIONS, Log, 32, |c| c.dynamics.sampling.realisations),
    seed!("sseed", Dynamics, "sampling seed", "Seed of the pair draws: realisation r uses its own ChaCha8 stream of it.", 1, |c| c.dynamics.sampling.seed),
    Field {
        key: "starts",
        section: Section::Dynamics,
        label: "starts",
        help: "Extra starts of the K = 3 phase portrait, each an initial policy (π₀ stays the base reference): points a,b,c separated by ';' (a click on the simplex adds one; a start on an edge is nudged inside).",
        kind: Kind::Points { max: MAX_STARTS },
        slot: Slot::Points {
            get: |c| &c.dynamics.starts,
            set: |c, v| c.dynamics.starts = v,
        },
    },
    distribution!("mu0", Dynamics, "μ₀", "Offline sampling distribution (the off-policy share of each round's pairs).", PolicySpec::Uniform, |c| c.dynamics.mu0),
    number!("speed", Playback, "speed", "Playback speed in rounds per second.", 0.5, 240.0, 0.5, Log, 30.0, |c| c.playback.speed),
    choice!("os", OneShot, "method", "The one-shot preference-optimisation method.", Solver, "ipo", |c| c.one_shot.solver),
    number!("ob", OneShot, "β", "Strength β of the one-shot optimisation.", 1e-3, 100.0, 0.01, Log, 2.0, |c| c.one_shot.beta),
    distribution!("ref", OneShot, "π_ref", "Reference policy: uniform, dirSEED, or comma-separated positive values.", PolicySpec::Uniform, |c| c.one_shot.reference),
    number!("eps", OneShot, "ε", "Uniform share ε in the maximal-lottery mix μ = (1−ε)ML(P) + ε·uniform.", 0.0, 1.0, 0.01, Linear, 0.01, |c| c.one_shot.epsilon),
    distribution!("mu", OneShot, "custom μ", "An extra custom sampling distribution: uniform (none), dirSEED, or comma-separated positive values.", PolicySpec::Uniform, |c| c.one_shot.custom_mu),
    choice!("px", Phase, "x axis", "Parameter varied along x (betalam: β·λ with λ fixed; betaalpha: β·α, for format-1 links).", Axis, "alpha", |c| c.phase.x.axis),
    number!("x0", Phase, "x from", "Smallest x value (within the axis' own bounds).", 0.0, 100.0, 0.05, Linear, 0.0, |c| c.phase.x.min),
    number!("x1", Phase, "x to", "Largest x value.", 0.0, 100.0, 0.05, Linear, 1.0, |c| c.phase.x.max),
    whole!("nx", Phase, "x cells", "Number of grid columns.", 1, MAX_GRID, Linear, 32, |c| c.phase.x.n),
    choice!("py", Phase, "y axis", "Parameter varied along y.", Axis, "betalam", |c| c.phase.y.axis),
    number!("y0", Phase, "y from", "Smallest y value.", 0.0, 100.0, 0.05, Linear, 0.2, |c| c.phase.y.min),
    number!("y1", Phase, "y to", "Largest y value.", 0.0, 100.0, 0.05, Linear, 4.0, |c| c.phase.y.max),
    whole!("ny", Phase, "y cells", "Number of grid rows.", 1, MAX_GRID, Linear, 32, |c| c.phase.y.n),
    choice!("metric", Phase, "metric", "What each cell shows.", PhaseMetric, "var", |c| c.phase.metric),
    part!("ens", Phase, "ensemble", "The matrices averaged: a family's seeded draws, or the current P.", Kind::Choice(ensemble_options), EnsembleFamily),
    part!("ek", Phase, "K", "Size of the ensemble's matrices.", Kind::Whole { min: 2, max: MAX_K as u64, scale: Scale::Linear }, EnsembleK),
    part!("es", Phase, "s / σ", "Strength s (cyclic families) or σ (utility models) of the ensemble.", Kind::Number { min: 1e-6, max: 100.0, step: 0.05, scale: Scale::Linear }, EnsembleParam),
    part!("en", Phase, "matrices", "Number of random matrices averaged.", Kind::Whole { min: 1, max: MAX_ENSEMBLE as u64, scale: Scale::Linear }, EnsembleCount),
    part!("eseed", Phase, "seed", "Seed of the ensemble (member m uses seed + m).", Kind::Whole { min: 0, max: u64::MAX, scale: Scale::Linear }, EnsembleSeed),
    whole!("pT", Phase, "T", "Rounds of each run of the phase diagram.", 1, MAX_T, Log, 300, |c| c.phase.rounds),
    count!("pN", Phase, "N pairs per round", "Pairs per round of each run of the phase diagram (inf: the population dynamics).", MAX_PAIRS, "the population dynamics", 0, |c| c.phase.sampling.pairs),
    whole!("pR", Phase, "R realisations", "Finite-sample realisations averaged in each cell (with pN).", 1, MAX_REALISATIONS, Log, 8, |c| c.phase.sampling.realisations),
    seed!("pseed", Phase, "sampling seed", "Seed of the phase diagram's pair draws.", 1, |c| c.phase.sampling.seed),
    whole!("pburn", Phase, "burn-in", "Rounds left out of the phase diagram's variance.", 0, MAX_T, Linear, 0, |c| c.phase.burn_in),
];

impl Slot {
    /// Writes the row's default into `c` (compound parts keep `Config::default`'s).
    pub fn set_default(&self, c: &mut Config) {
        match *self {
            Slot::Number { default, set, .. } => set(c, default),
            Slot::Whole { default, set, .. } => set(c, default),
            Slot::Choice { default, set, .. } => set(c, default),
            Slot::Flag { default, set, .. } => set(c, default),
            Slot::Distribution { default, set, .. } => set(c, default()),
            Slot::Keys { set, .. } => set(c, vec![]),
            Slot::Points { set, .. } => set(c, vec![]),
            Slot::Version | Slot::Part(_) => {}
        }
    }

    /// Quantises a float slot (and a distribution's values) to `DECIMALS`.
    pub fn quantise(&self, c: &mut Config) {
        match *self {
            Slot::Number { get, set, .. } => set(c, super::quantise(get(c))),
            Slot::Distribution { get, set, .. } => {
                if let PolicySpec::Values(v) = get(c) {
                    let q = v.iter().map(|x| super::quantise(*x)).collect();
                    set(c, PolicySpec::Values(q));
                }
            }
            Slot::Points { get, set } => {
                let q = get(c).iter().map(|p| p.map(super::quantise)).collect();
                set(c, q);
            }
            _ => {}
        }
    }
}

impl Field {
    /// Its range or choices, as the README states them.
    pub fn values_text(&self) -> String {
        match self.kind {
            Kind::Version => super::SCHEMA_VERSION.to_string(),
            Kind::Number { min, max, .. } => format!(
                "{} – {}",
                super::format_float(min),
                super::format_float(max)
            ),
            Kind::Whole { min, max, .. } => format!("{min} – {max}"),
            Kind::Count { max, zero } => format!("1 – {max}, or `inf`: {zero}"),
            Kind::Choice(options) => options()
                .iter()
                .map(|(k, _)| format!("`{k}`"))
                .collect::<Vec<_>>()
                .join(", "),
            Kind::Flag => "`0`, `1`".into(),
            Kind::Distribution => "`uniform`, `dirSEED`, values".into(),
            Kind::Values => "numbers in [0, 1]".into(),
            Kind::Keys => "URL keys, comma-separated".into(),
            Kind::Labels => format!(
                "names, comma-separated (`%`-escaped), at most {} characters each",
                crate::import::MAX_LINK_LABEL
            ),
            Kind::Points { max } => {
                format!("up to {max} points `a,b,c` separated by `;` (entries ≥ 0; K = 3)")
            }
        }
    }

    /// Its default as a link writes it (or what applies when it is absent).
    pub fn default_text(&self) -> String {
        let d = Config::default();
        match self.slot {
            Slot::Version => super::SCHEMA_VERSION.to_string(),
            Slot::Number { default, .. } => super::format_float(default),
            Slot::Whole { default, .. } => match self.kind {
                Kind::Count { .. } if default == 0 => "`inf`".into(),
                _ => default.to_string(),
            },
            Slot::Choice { default, .. } => format!("`{default}`"),
            Slot::Flag { default, .. } => u8::from(default).to_string(),
            Slot::Distribution { default, .. } => format!("`{}`", default().text()),
            Slot::Keys { .. } => "—".into(),
            Slot::Points { .. } => "none (π₀ only)".into(),
            Slot::Part(p) => part_default_text(p, &d),
        }
    }
}

fn part_default_text(p: Part, d: &Config) -> String {
    let (family, k, param, seed) =
        d.matrix
            .generated()
            .unwrap_or((Family::RockPaperScissors, 3, 0.5, 1));
    let ens = d.phase.ensemble.family_draw();
    match (p, ens) {
        (Part::Family, _) => format!("`{}`", family.key()),
        (Part::K, _) => format!("5 (`rps`: {k})"),
        (Part::Strength, _) => super::format_float(param),
        (Part::Sigma, _) => "1".into(),
        (Part::Seed, _) => seed.to_string(),
        (Part::Preset | Part::Values, _) => "—".into(),
        (Part::Labels, _) => "A, B, …".into(),
        (Part::EnsembleFamily, Some((f, ..))) => format!("`{}`", f.key()),
        (Part::EnsembleK, Some((_, k, ..))) => k.to_string(),
        (Part::EnsembleParam, Some((_, _, p, ..))) => format!("{} (σ: 1)", super::format_float(p)),
        (Part::EnsembleCount, Some((_, _, _, n, _))) => n.to_string(),
        (Part::EnsembleSeed, Some((.., s))) => s.to_string(),
        (_, None) => "—".into(),
    }
}

/// The README's URL table, one row per field in [`FIELDS`] order.
pub fn markdown_table() -> String {
    let mut s =
        String::from("| key | section | meaning | values | default |\n|---|---|---|---|---|\n");
    for f in FIELDS {
        s.push_str(&format!(
            "| `{}` | {} | {}: {} | {} | {} |\n",
            f.key,
            f.section.title(),
            f.label,
            f.help.replace('|', "\\|"),
            f.values_text(),
            f.default_text()
        ));
    }
    s
}
