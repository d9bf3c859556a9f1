//! Schema v=1 links (the first release, whose `alpha` was the on-policy share and whose
//! `lam` was the reference weight) open exactly the run they were made for: each link in
//! the table parses to the same configuration, and gives the same results and phase grid,
//! as its hand-written v=2 equivalent.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use prefdyn::config::{parse_query, to_query};
use prefdyn::phase::{sweep, Axis};
use prefdyn::report::{phase_setup, resolve_matrix, Results};
use prefdyn::MrsParams;

/// (v=1 link, its v=2 equivalent written by hand).
const TABLE: [(&str, &str); 9] = [
    (
        "alpha=0.7&beta=5",
        "v=2&lam=0.7&beta=5&px=lam&py=betaalpha",
    ),
    (
        "v=1&alpha=0.3&beta=3&T=100",
        "v=2&lam=0.3&T=100&px=lam&py=betaalpha",
    ),
    (
        "v=1&gen=sst&k=5&seed=2&alpha=0.2&beta=4&lam=0.5&T=30",
        "v=2&gen=sst&k=5&seed=2&alpha=0.5&beta=4&lam=0.2&T=30&px=lam&py=betaalpha",
    ),
    (
        "v=1&gen=cyclic&k=5&s=0.4&seed=3&alpha=0.7&beta=5&lam=0.5&eta=0.6&T=200&pi0=dir4",
        "v=2&gen=cyclic&k=5&s=0.4&seed=3&alpha=0.5&beta=5&lam=0.7&eta=0.6&T=200&pi0=dir4&px=lam&py=betaalpha",
    ),
    (
        "v=1&solver=dpo&alpha=0.5&T=60",
        "v=2&solver=dpo&lam=0.5&T=60&px=lam&py=betaalpha",
    ),
    (
        "v=1&preset=chatbot_arena_2023may_5&alpha=1&beta=3&T=100&embed=1",
        "v=2&preset=chatbot_arena_2023may_5&T=100&embed=1&px=lam&py=betaalpha",
    ),
    (
        "v=1&view=phase&px=alpha&x0=0&x1=1&nx=5&py=betalam&y0=0.2&y1=8&ny=4&metric=var&ens=cyclic&ek=5&es=0.5&en=3&pT=50",
        "v=2&view=phase&px=lam&nx=5&py=betaalpha&y1=8&ny=4&en=3&pT=50",
    ),
    (
        "v=1&view=phase&px=lam&py=alpha&y0=0&y1=1&nx=3&ny=4&metric=rho&en=2&pT=40&lam=0.4",
        "v=2&view=phase&alpha=0.4&px=alpha&py=lam&y0=0&y1=1&nx=3&ny=4&metric=rho&en=2&pT=40",
    ),
    (
        "view=phase&px=betalam&x0=0.5&x1=3&py=lam&y0=0.2&y1=0.9&nx=4&ny=3&metric=entropy&ens=sst&en=2&pT=40",
        "v=2&view=phase&px=betaalpha&x0=0.5&x1=3&py=alpha&y0=0.2&y1=0.9&nx=4&ny=3&metric=entropy&ens=sst&en=2&pT=40",
    ),
];

#[test]
fn v1_links_open_the_same_run_as_their_v2_equivalents() {
    for (old, new) in TABLE {
        let a = parse_query(old);
        let b = parse_query(new);
        assert!(a.issues.is_empty(), "{old}: {:?}", a.issues);
        assert!(b.issues.is_empty(), "{new}: {:?}", b.issues);
        assert_eq!(a.upgraded_from, Some(1), "{old}");
        assert_eq!(b.upgraded_from, None, "{new}");
        assert_eq!(a.config, b.config, "{old} ≠ {new}");
        // The upgraded link is written in v=2 and reads back without another upgrade.
        let q = to_query(&a.config);
        assert!(q.starts_with("v=2"), "{q}");
        assert_eq!(parse_query(&q).upgraded_from, None);
        let (ra, rb) = (Results::compute(&a.config), Results::compute(&b.config));
        assert_eq!(
            serde_json::to_value(&ra).unwrap(),
            serde_json::to_value(&rb).unwrap(),
            "{old}"
        );
        if a.config.view.view == prefdyn::config::View::Phase {
            let grid = |c| {
                let (p, _) = resolve_matrix(c);
                let (spec, members) = phase_setup(c, &p).unwrap();
                let g = sweep(&spec, &members).unwrap();
                let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
                (bits(&g.mean), bits(&g.sd), g.x_values, g.y_values)
            };
            assert_eq!(grid(&a.config), grid(&b.config), "{old}");
        }
    }
}

/// Independently of the parser: a v=1 `alpha` is the on-policy share, a v=1 `lam` the
/// reference weight, and the v=1 `betalam` axis multiplied β by the reference weight.
#[test]
fn v1_values_land_on_the_parameters_they_meant() {
    let c = parse_query("v=1&alpha=0.7&lam=0.2&beta=5").config;
    assert_eq!(
        c.dynamics.params,
        MrsParams {
            alpha: 0.2,
            beta: 5.0,
            lam: 0.7,
            eta: 1.0
        }
    );
    let c = parse_query("v=1&view=phase&lam=0.4&py=betalam&y0=1&y1=1&ny=1&nx=2").config;
    assert_eq!(
        (c.phase.x.axis, c.phase.y.axis),
        (Axis::Lambda, Axis::BetaAlpha)
    );
    let (p, _) = resolve_matrix(&c);
    let (spec, _) = phase_setup(&c, &p).unwrap();
    let cell = prefdyn::phase::cell_params(&spec, 1, 0);
    // v=1: x = on-policy share 1, y = β · reference weight = 1 with reference weight 0.4.
    assert_eq!((cell.lam, cell.alpha), (1.0, 0.4));
    assert!((cell.beta - 1.0 / 0.4).abs() < 1e-15);
}

#[test]
fn the_upgrade_is_reported_once_and_issues_name_the_links_own_keys() {
    let p = parse_query("alpha=abc&beta=3");
    assert_eq!(p.upgraded_from, Some(1));
    assert_eq!(p.issues.len(), 1, "{:?}", p.issues);
    assert_eq!(p.issues[0].field, "alpha");
    // The empty query is the current default page, not an old link.
    assert_eq!(parse_query("").upgraded_from, None);
    assert_eq!(parse_query("?").upgraded_from, None);
    // A newer format is named, and read as far as it is understood.
    let p = parse_query("v=3&alpha=0.4");
    assert_eq!(p.upgraded_from, None);
    assert_eq!(p.config.dynamics.params.alpha, 0.4);
    assert!(p.issues.iter().any(|i| i.field == "v"));
}
