//! Variants of a comparison: up to [`MAX_VARIANTS`] runs beside the base run, each the base
//! with some fields overridden. In a link, variant N (2 ≤ N ≤ 4) writes `KEY.N=VALUE`; only
//! the fields that [`varies`] accepts (the dynamics' fields and the matrix source) may
//! differ. A variant is its overrides: change the base and every variant that does not
//! override that key follows. Canonically a variant keeps only the overrides that differ
//! from the base, and a variant left with none does not exist.

use serde::{Deserialize, Serialize};

use super::codec::{apply_overrides, field_text};
use super::fields::{Section, Slot};
use super::{field, Config, Field, ParseIssue, FIELDS};
use crate::presets::preset_title;

/// Variants a link holds beside the base (N = 2..=4).
pub const MAX_VARIANTS: usize = 3;
/// The number of the first variant in a link (`alpha.2`); the base is run 1.
pub const FIRST_VARIANT: usize = 2;

/// One variant: `(key, value)` pairs in [`FIELDS`] order, each differing from the base.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Variant {
    pub overrides: Vec<(String, String)>,
}

/// Whether field `f` may differ between the runs of a comparison: P's source and the
/// dynamics' fields (not the portrait's extra starts).
pub fn varies(f: &Field) -> bool {
    matches!(f.section, Section::Dynamics | Section::Matrix) && f.key != "starts"
}

/// `KEY.N` → `(KEY, N)`; `None` for a key without a numeric suffix. `N` saturates, so an
/// absurd number is still read as a variant number (and refused as out of range).
pub fn split_variant_key(key: &str) -> Option<(&str, usize)> {
    let (base, n) = key.rsplit_once('.')?;
    if base.is_empty() || n.is_empty() || !n.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n = n.bytes().fold(0usize, |a, b| {
        a.saturating_mul(10).saturating_add((b - b'0') as usize)
    });
    Some((base, n))
}

/// The message for override `KEY.N` that cannot be applied, or `None` when it can.
pub fn refuse_override(base_key: &str, n: usize) -> Option<String> {
    if field(base_key).is_none() {
        return Some("unknown parameter; ignored".into());
    }
    if !(FIRST_VARIANT..FIRST_VARIANT + MAX_VARIANTS).contains(&n) {
        return Some(format!(
            "variant {n} is outside 2 to {} (a link compares at most {} runs); ignored",
            FIRST_VARIANT + MAX_VARIANTS - 1,
            MAX_VARIANTS + 1
        ));
    }
    match field(base_key) {
        None => Some("unknown parameter; ignored".into()),
        Some(f) if !varies(f) => Some(format!(
            "{base_key} is the same for every run of a comparison (only P and the dynamics' fields vary); ignored"
        )),
        Some(_) => None,
    }
}

/// Issues of variant `n`'s overrides, named `KEY.N`.
pub(super) fn name_issues(issues: Vec<ParseIssue>, n: usize) -> Vec<ParseIssue> {
    issues
        .into_iter()
        .map(|mut i| {
            i.field = format!("{}.{n}", i.field);
            i
        })
        .collect()
}

/// The overrides that turn `base` into `v` (both canonical, without variants), in
/// [`FIELDS`] order: P's keys where the matrix differs (only those that differ when that
/// suffices, else all of `v`'s), then every other varying field whose value differs.
pub fn overrides_between(base: &Config, v: &Config) -> Vec<(String, String)> {
    let is_part = |f: &&Field| matches!(f.slot, Slot::Part(_));
    let mut out: Vec<(String, String)> = vec![];
    if base.matrix != v.matrix {
        let matrix = || FIELDS.iter().filter(|f| f.section == Section::Matrix);
        let minimal: Vec<(String, String)> = matrix()
            .filter_map(|f| {
                let t = field_text(v, f)?;
                (Some(&t) != field_text(base, f).as_ref()).then(|| (f.key.to_string(), t))
            })
            .collect();
        let gives_v = |o: &[(String, String)]| {
            let mut probe = base.clone();
            let _ = apply_overrides(&mut probe, o);
            probe.matrix == v.matrix
        };
        out = if gives_v(&minimal) {
            // Keys the family implies (RPS's K, a deterministic family's seed) go.
            let mut kept = minimal;
            let mut i = 0;
            while i < kept.len() {
                let mut fewer = kept.clone();
                fewer.remove(i);
                if gives_v(&fewer) {
                    kept = fewer;
                } else {
                    i += 1;
                }
            }
            kept
        } else {
            matrix()
                .filter_map(|f| Some((f.key.to_string(), field_text(v, f)?)))
                .collect()
        };
    }
    for f in FIELDS.iter().filter(|f| varies(f) && !is_part(f)) {
        if let Some(t) = field_text(v, f) {
            if Some(&t) != field_text(base, f).as_ref() {
                out.push((f.key.to_string(), t));
            }
        }
    }
    out
}

/// An override as a chart's title writes it: `α = 0.95`, `DPO`, `P: sst`.
pub fn override_text(key: &str, value: &str) -> String {
    let name = match key {
        "alpha" => "α",
        "beta" => "β",
        "lam" => "λ",
        "eta" => "η",
        "burn" => "burn-in",
        "pi0" => "π₀",
        "mu0" => "μ₀",
        "sseed" => "sampling seed",
        "k" => "K",
        "gen" => return format!("P: {value}"),
        "preset" => return format!("P: {}", preset_title(value).unwrap_or(value)),
        "P" => return "edited P".into(),
        "labels" => return "labels".into(),
        "solver" => return value.to_uppercase(),
        "N" if value == "inf" => return "N = ∞".into(),
        other => other,
    };
    format!("{name} = {value}")
}

impl Config {
    /// The base run: this configuration without its variants.
    pub fn base(&self) -> Config {
        let mut b = self.clone();
        b.variants.clear();
        b
    }

    /// Variant `i` (0-based; link number `i + 2`) as a configuration of its own: the base
    /// with its overrides applied (`None` past the last).
    pub fn variant(&self, i: usize) -> Option<Config> {
        let v = self.variants.get(i)?;
        let mut c = self.base();
        let _ = apply_overrides(&mut c, &v.overrides);
        Some(c)
    }

    /// This configuration without its framing (embed, theme, the embed's controls, the
    /// tour step) and without variants: the run itself.
    pub fn unframed(&self) -> Config {
        let mut c = self.base();
        c.view.embed = false;
        c.view.theme = super::Theme::Auto;
        c.view.controls.clear();
        c.view.tour = 0;
        c
    }

    /// Every run compared, unframed ([`Config::unframed`]): the base, then each variant as
    /// a configuration of its own (its link: `to_query`).
    pub fn runs(&self) -> Vec<Config> {
        let mut out = vec![self.unframed()];
        out.extend((0..self.variants.len()).filter_map(|i| Some(self.variant(i)?.unframed())));
        out
    }

    /// Run `i`'s title: "base", or what its overrides change (`α = 0.95, β = 5`).
    pub fn run_title(&self, i: usize) -> String {
        match i.checked_sub(1).and_then(|v| self.variants.get(v)) {
            None => "base".into(),
            Some(v) => v
                .overrides
                .iter()
                .map(|(k, val)| override_text(k, val))
                .collect::<Vec<_>>()
                .join(", "),
        }
    }

    /// The variants re-derived against the (canonical) base: minimal overrides, empty ones
    /// dropped, at most [`MAX_VARIANTS`].
    pub(super) fn canonical_variants(&mut self) {
        if self.variants.is_empty() {
            return;
        }
        let base = self.base();
        let variants = std::mem::take(&mut self.variants);
        self.variants = variants
            .iter()
            .filter_map(|v| {
                let mut c = base.clone();
                let _ = apply_overrides(&mut c, &v.overrides);
                let overrides = overrides_between(&base, &c);
                (!overrides.is_empty()).then_some(Variant { overrides })
            })
            .take(MAX_VARIANTS)
            .collect();
    }
}

/// A typed edit of one field of variant `i` (0-based; `i` = the number of variants adds
/// one), as the variant's control makes it: read and clamped as the base's field, then the
/// variant's overrides are derived again. Returns the issues, named `KEY.N`.
pub fn edit_variant(c: &mut Config, i: usize, key: &str, raw: &str) -> Vec<ParseIssue> {
    let n = i + FIRST_VARIANT;
    if i > c.variants.len() || i >= MAX_VARIANTS {
        return vec![ParseIssue {
            field: format!("{key}.{n}"),
            message: format!(
                "a comparison holds at most {} variants; ignored",
                MAX_VARIANTS
            ),
        }];
    }
    if let Some(message) = refuse_override(key, n) {
        return vec![ParseIssue {
            field: format!("{key}.{n}"),
            message,
        }];
    }
    let base = c.base();
    let mut v = c.variant(i).unwrap_or_else(|| base.clone());
    let issues = apply_overrides(&mut v, &[(key.to_string(), raw.to_string())]);
    let overrides = overrides_between(&base, &v);
    if i == c.variants.len() {
        c.variants.push(Variant { overrides });
    } else {
        c.variants[i] = Variant { overrides };
    }
    *c = c.canonical();
    name_issues(issues, n)
}

/// Removes variant `i` (0-based); the later ones move up a number.
pub fn remove_variant(c: &mut Config, i: usize) {
    if i < c.variants.len() {
        c.variants.remove(i);
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::config::{parse_query, to_query};

    const FIG1: &str = "v=2&alpha=0.5&beta=2&lam=0.8&T=100&alpha.2=0.95&beta.3=5";

    fn issue_fields(q: &str) -> Vec<String> {
        parse_query(q).issues.into_iter().map(|i| i.field).collect()
    }

    #[test]
    fn figure_1_triptych_is_three_runs_each_its_own_link() {
        let c = parse_query(FIG1);
        assert!(c.issues.is_empty(), "{:?}", c.issues);
        let c = c.config;
        assert_eq!(to_query(&c), FIG1);
        let links: Vec<String> = c.runs().iter().map(to_query).collect();
        assert_eq!(
            links,
            [
                "v=2&alpha=0.5&beta=2&lam=0.8&T=100",
                "v=2&alpha=0.95&beta=2&lam=0.8&T=100",
                "v=2&alpha=0.5&beta=5&lam=0.8&T=100",
            ]
        );
        let titles: Vec<String> = (0..3).map(|i| c.run_title(i)).collect();
        assert_eq!(titles, ["base", "α = 0.95", "β = 5"]);
    }

    #[test]
    fn overrides_are_read_as_their_fields_and_named_with_their_number() {
        let p = parse_query("v=2&alpha.2=7&beta.3=x&T.2=50");
        let named: Vec<(&str, &str)> = p
            .issues
            .iter()
            .map(|i| (i.field.as_str(), i.message.as_str()))
            .collect();
        assert_eq!(named.len(), 2, "{named:?}");
        assert_eq!(named[0].0, "alpha.2");
        assert!(named[0].1.contains("clamped to 1"), "{}", named[0].1);
        assert_eq!(named[1].0, "beta.3");
        assert!(named[1].1.contains("not a number"), "{}", named[1].1);
        // The clamped α and T stay; variant 3 had nothing valid and does not exist.
        assert_eq!(to_query(&p.config), "v=2&alpha.2=1&T.2=50");
    }

    #[test]
    fn bad_variant_keys_are_named_and_nothing_else_is_lost() {
        let q = "v=2&alpha=0.5&alpha.5=0.9&alpha.1=0.9&view.2=phase&nope.3=1&beta.2=5";
        assert_eq!(issue_fields(q), ["alpha.5", "alpha.1", "view.2", "nope.3"]);
        let c = parse_query(q).config;
        assert_eq!(to_query(&c), "v=2&alpha=0.5&beta.2=5");
        let huge = format!("alpha.{}=0.5", "9".repeat(40));
        assert_eq!(issue_fields(&huge).len(), 1);
        let msg = &parse_query("v=2&px.2=beta").issues[0].message;
        assert!(msg.contains("same for every run"), "{msg}");
    }

    #[test]
    fn an_override_equal_to_the_base_is_dropped_and_a_gap_closes() {
        let c = parse_query("v=2&alpha=0.5&alpha.2=0.5&beta.4=5").config;
        assert_eq!(to_query(&c), "v=2&alpha=0.5&beta.2=5");
        assert_eq!(c.variants.len(), 1);
    }

    #[test]
    fn variants_may_change_the_matrix() {
        let q = "v=2&gen=sst&k=5&seed=2&seed.2=3&gen.3=rps&preset.4=chatbot_arena_2023may_5";
        let p = parse_query(q);
        assert!(p.issues.is_empty(), "{:?}", p.issues);
        let runs = p.config.runs();
        assert_eq!(runs.len(), 4);
        assert_eq!(to_query(&runs[1]), "v=2&gen=sst&k=5&seed=3");
        assert_eq!(to_query(&runs[2]), "v=2");
        assert_eq!(to_query(&runs[3]), "v=2&preset=chatbot_arena_2023may_5");
        assert_eq!(to_query(&p.config), q);
        // π₀ written for K = 3 does not fit a K = 5 variant: named, and the default kept.
        let p = parse_query("v=2&pi0=0.5,0.3,0.2&gen.2=sst&k.2=5");
        assert_eq!(p.issues.len(), 1);
        assert_eq!(p.issues[0].field, "pi0.2");
    }

    #[test]
    fn a_base_edit_moves_every_variant_that_does_not_override_it() {
        let mut c = parse_query(FIG1).config;
        let _ = crate::config::edit(&mut c, "lam", "0.6");
        let runs = c.runs();
        assert_eq!(runs.len(), 3);
        assert!(runs.iter().all(|r| r.dynamics.params.lam == 0.6));
        let _ = crate::config::edit(&mut c, "lam", "0.8");
        // A base α equal to variant 2's override leaves variant 2 with nothing of its own.
        let _ = crate::config::edit(&mut c, "alpha", "0.95");
        assert_eq!(to_query(&c), "v=2&alpha=0.95&beta=2&lam=0.8&T=100&beta.2=5");
        assert_eq!(c.variant(0).unwrap().dynamics.params.alpha, 0.95);
    }

    #[test]
    fn variant_edits_add_change_and_remove() {
        let mut c = parse_query("v=2&alpha=0.5").config;
        assert!(edit_variant(&mut c, 0, "beta", "5").is_empty());
        assert!(edit_variant(&mut c, 1, "alpha", "0.95").is_empty());
        assert_eq!(to_query(&c), "v=2&alpha=0.5&beta.2=5&alpha.3=0.95");
        let issues = edit_variant(&mut c, 0, "alpha", "3");
        assert_eq!(issues[0].field, "alpha.2");
        assert_eq!(
            to_query(&c),
            "v=2&alpha=0.5&alpha.2=1&beta.2=5&alpha.3=0.95"
        );
        assert_eq!(edit_variant(&mut c, 0, "view", "phase")[0].field, "view.2");
        assert_eq!(edit_variant(&mut c, 3, "alpha", "0.1")[0].field, "alpha.5");
        remove_variant(&mut c, 0);
        assert_eq!(to_query(&c.canonical()), "v=2&alpha=0.5&alpha.2=0.95");
    }

    #[test]
    fn split_keys() {
        assert_eq!(split_variant_key("alpha.2"), Some(("alpha", 2)));
        assert_eq!(split_variant_key("alpha"), None);
        assert_eq!(split_variant_key("alpha."), None);
        assert_eq!(split_variant_key(".2"), None);
        assert_eq!(split_variant_key("a.b.3"), Some(("a.b", 3)));
        assert_eq!(split_variant_key("x.2a"), None);
    }
}
