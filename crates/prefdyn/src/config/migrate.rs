//! Older links: schema v=1 (the first release) had the paper's names α and λ swapped.

use super::SCHEMA_VERSION;

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
/// empty one (the default page) or one naming a key format 1 never had.
pub(super) fn declared_version(pairs: &[(String, String)]) -> u64 {
    if pairs.is_empty() {
        return SCHEMA_VERSION as u64;
    }
    let declared = pairs.iter().find(|(k, _)| k == "v");
    if declared.is_none()
        && pairs
            .iter()
            .any(|(k, _)| FORMAT_2_KEYS.contains(&k.as_str()))
    {
        return SCHEMA_VERSION as u64;
    }
    declared
        .and_then(|(_, v)| v.trim().parse::<u64>().ok())
        .unwrap_or(1)
}

/// Keys that format 1 never had: a link without `v` that names one was written for
/// format 2 (by hand, e.g. `?tour=3`), not by an earlier prefdyn.
const FORMAT_2_KEYS: &[&str] = &[
    "tour", "theme", "controls", "starts", "N", "R", "sseed", "pN", "pR", "pseed",
];
