//! The table of URL fields is the one description of the format: every row is consistent,
//! the default configuration is the table's, a typed edit equals the same key in a link,
//! and the README's URL table is the table.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use prefdyn::config::{
    edit, field, markdown_table, parse_query, to_query, Config, Keyed, Kind, Slot, FIELDS,
};

#[test]
fn every_row_is_consistent() {
    let mut keys: Vec<&str> = FIELDS.iter().map(|f| f.key).collect();
    keys.sort_unstable();
    keys.dedup();
    assert_eq!(keys.len(), FIELDS.len(), "keys are unique");
    for f in FIELDS {
        assert!(!f.label.is_empty() && !f.help.is_empty(), "{}", f.key);
        assert!(
            f.help.ends_with('.') || f.help.ends_with(')'),
            "{}: {}",
            f.key,
            f.help
        );
        match (f.kind, f.slot) {
            (Kind::Version, Slot::Version) | (_, Slot::Part(_)) => {}
            (Kind::Number { min, max, step, .. }, Slot::Number { default, .. }) => {
                assert!(min < max && step > 0.0, "{}", f.key);
                assert!(
                    (min..=max).contains(&default),
                    "{}: default {default}",
                    f.key
                );
            }
            (Kind::Whole { min, max, .. }, Slot::Whole { default, .. }) => {
                assert!(min < max && (min..=max).contains(&default), "{}", f.key);
            }
            (Kind::Count { max, .. }, Slot::Whole { default, .. }) => {
                assert!(max >= 1 && default <= max, "{}", f.key);
            }
            (Kind::Choice(options), Slot::Choice { default, .. }) => {
                assert!(options().iter().any(|(k, _)| *k == default), "{}", f.key);
            }
            (Kind::Flag, Slot::Flag { .. })
            | (Kind::Distribution, Slot::Distribution { .. })
            | (Kind::Keys, Slot::Keys { .. })
            | (Kind::Points { .. }, Slot::Points { .. }) => {}
            (k, s) => panic!("{}: kind {k:?} does not fit slot {s:?}", f.key),
        }
    }
}

#[test]
fn the_default_configuration_is_the_tables() {
    let d = Config::default();
    assert_eq!(to_query(&d), "v=2");
    assert_eq!(parse_query("v=2").config, d);
    let mut c = d.clone();
    c.dynamics.params.alpha = 0.3;
    c.dynamics.rounds = 77;
    for f in FIELDS {
        f.slot.set_default(&mut c);
    }
    assert_eq!(c, d, "set_default restores every plain field");
}

/// A typed edit of one field is exactly the same key appended to the link, with the same
/// messages, for every plain field and for values in and out of range.
#[test]
fn a_typed_edit_equals_the_same_key_in_a_link() {
    let base =
        parse_query("v=2&gen=bt&k=6&sigma=1.5&seed=4&alpha=0.4&view=phase&ens=sst&ek=4").config;
    let raws = [
        "0.5",
        "2",
        "-3",
        "abc",
        "1e9",
        "dir7",
        "0.2,0.3,0.5",
        "uniform",
        "dpo",
        "rho",
        "lam",
        "1",
        "inf",
        "",
        "0.7,0.2,0.1;0,0.5,0.5",
    ];
    let mut compared = 0;
    for f in FIELDS.iter().filter(|f| !matches!(f.slot, Slot::Version)) {
        for raw in raws {
            let mut edited = base.clone();
            let issues = edit(&mut edited, f.key, raw);
            let q = format!("{}&{}={}", to_query(&base), f.key, raw);
            let linked = parse_query(&q);
            let linked_issues: Vec<_> = linked
                .issues
                .into_iter()
                .filter(|i| !i.message.starts_with("given more than once"))
                .collect();
            if matches!(f.slot, Slot::Part(_)) {
                // A part edit switches the source it belongs to; the link keeps the others.
                if issues.is_empty()
                    && linked_issues.is_empty()
                    && f.key != "P"
                    && f.key != "preset"
                {
                    assert_eq!(
                        to_query(&edited),
                        to_query(&linked.config),
                        "{}={raw}",
                        f.key
                    );
                    compared += 1;
                }
                continue;
            }
            assert_eq!(edited, linked.config, "{}={raw}", f.key);
            assert_eq!(issues, linked_issues, "{}={raw}", f.key);
            compared += 1;
        }
    }
    assert!(compared > 300, "{compared}");
    assert!(field("nope").is_none());
    let mut c = base.clone();
    assert_eq!(edit(&mut c, "nope", "1")[0].field, "nope");
    assert_eq!(c, base);
}

/// A count reads `inf` (or `∞`, or nothing) as none, clamps 0 and too many with a message
/// naming the key, and writes none back as `inf`.
#[test]
fn counts_read_inf_as_the_population_and_clamp_the_rest() {
    let read = |q: &str| parse_query(&format!("v=2&{q}"));
    for q in ["N=inf", "N=%E2%88%9E", "N="] {
        let p = read(q);
        assert_eq!(p.config.dynamics.sampling.pairs, 0, "{q}");
        assert!(p.issues.is_empty(), "{q}: {:?}", p.issues);
        assert_eq!(p.config.dynamics.sampling.spec(), None);
    }
    let p = read("N=256&R=64&sseed=9");
    let spec = p.config.dynamics.sampling.spec().unwrap();
    assert_eq!((spec.pairs, spec.realisations, spec.seed), (256, 64, 9));
    assert_eq!(to_query(&p.config), "v=2&N=256&R=64&sseed=9");
    for (q, key, clamped) in [("N=0", "N", 1), ("N=5000000", "N", 1_000_000)] {
        let p = read(q);
        assert_eq!(p.config.dynamics.sampling.pairs, clamped, "{q}");
        assert_eq!(p.issues.len(), 1, "{q}");
        assert_eq!(p.issues[0].field, key);
        assert!(
            p.issues[0].message.contains("clamped"),
            "{}",
            p.issues[0].message
        );
    }
    let p = read("pN=64&pR=0");
    assert_eq!(p.config.phase.sampling.pairs, 64);
    assert_eq!(p.config.phase.sampling.realisations, 1);
    assert_eq!(p.issues[0].field, "pR");
    let p = read("N=many");
    assert_eq!(p.config.dynamics.sampling.pairs, 0);
    assert_eq!(p.issues[0].field, "N");
    let mut c = read("N=64").config;
    assert!(edit(&mut c, "N", "inf").is_empty());
    assert_eq!(to_query(&c), "v=2");
}

/// `starts`: points of the K = 3 simplex separated by `;`, quantised, at most 8; a bad
/// point is dropped with a message naming `starts`, the rest still loads; K ≠ 3 clears them.
#[test]
fn starts_are_points_of_the_k3_simplex() {
    let read = |q: &str| parse_query(&format!("v=2&{q}"));
    let p = read("starts=0.7,0.2,0.1;0.1,0.1,0.8");
    assert!(p.issues.is_empty(), "{:?}", p.issues);
    assert_eq!(
        p.config.dynamics.starts,
        vec![[0.7, 0.2, 0.1], [0.1, 0.1, 0.8]]
    );
    assert_eq!(to_query(&p.config), "v=2&starts=0.7,0.2,0.1;0.1,0.1,0.8");
    // Edges are legal (the engine nudges them inside); unnormalised points too.
    let p = read("starts=1,0,0;2,2,0.0000001;;");
    assert!(p.issues.is_empty(), "{:?}", p.issues);
    assert_eq!(
        p.config.dynamics.starts,
        vec![[1.0, 0.0, 0.0], [2.0, 2.0, 0.0]]
    );
    // Bad points are dropped, each named; the good ones and the other fields load.
    let p = read("alpha=0.5&starts=0.2,0.3;0,0,0;-1,1,1;a,1,1;NaN,1,1;0.3,0.3,0.4");
    assert_eq!(p.config.dynamics.starts, vec![[0.3, 0.3, 0.4]]);
    assert_eq!(p.config.dynamics.params.alpha, 0.5);
    let messages: Vec<&str> = p.issues.iter().map(|i| i.message.as_str()).collect();
    assert!(p.issues.iter().all(|i| i.field == "starts"));
    assert_eq!(
        messages,
        [
            "point 1 ('0.2,0.3') has 2 entries, not 3; dropped",
            "point 2 ('0,0,0') is all zeros; dropped",
            "point 3 ('-1,1,1') entry 1 is -1; entries must be ≥ 0; dropped",
            "point 4 ('a,1,1') entry 1 ('a') is not a finite number; dropped",
            "point 5 ('NaN,1,1') entry 1 ('NaN') is not a finite number; dropped",
        ]
    );
    // At most 8.
    let many = ["0.2,0.3,0.5"; 11].join(";");
    let p = read(&format!("starts={many}"));
    assert_eq!(p.config.dynamics.starts.len(), 8);
    assert_eq!(
        p.issues[0].message,
        "11 points is too many; kept the first 8"
    );
    // K ≠ 3: cleared with a message; a typed edit of K does the same.
    let p = read("gen=cyclic&k=5&starts=0.2,0.3,0.5");
    assert!(p.config.dynamics.starts.is_empty());
    assert_eq!(p.issues[0].field, "starts");
    let mut c = read("starts=0.2,0.3,0.5").config;
    // (A generator switch keeps K = 3 and the starts.)
    assert!(edit(&mut c, "gen", "cyclic").is_empty());
    assert_eq!(c.dynamics.starts.len(), 1);
    let issues = edit(&mut c, "k", "5");
    assert!(c.dynamics.starts.is_empty());
    assert_eq!(issues[0].field, "starts");
    // A typed edit replaces the list; an empty value clears it.
    let mut c = read("starts=0.2,0.3,0.5").config;
    assert!(edit(&mut c, "starts", "0.2,0.3,0.5;0.6,0.2,0.2").is_empty());
    assert_eq!(c.dynamics.starts.len(), 2);
    assert!(edit(&mut c, "starts", "").is_empty());
    assert_eq!(to_query(&c), "v=2");
}

#[test]
fn the_readme_url_table_is_the_table() {
    let readme = include_str!("../../../README.md");
    let (start, end) = ("<!-- url-table -->\n", "<!-- /url-table -->");
    let a = readme
        .find(start)
        .expect("README has a <!-- url-table --> marker")
        + start.len();
    let b = readme[a..]
        .find(end)
        .expect("README has a <!-- /url-table --> marker")
        + a;
    let table = markdown_table();
    assert_eq!(
        readme[a..b].trim(),
        table.trim(),
        "the README's URL table differs from prefdyn::config::markdown_table(); regenerate it with `cargo run -p prefdyn-cli -- fields`"
    );
}

#[test]
fn embed_controls_are_url_keys_kept_once_in_order() {
    let p = parse_query("v=2&embed=1&controls=beta,alpha,beta");
    assert_eq!(p.config.view.controls, ["beta", "alpha"]);
    assert!(p.issues.is_empty(), "{:?}", p.issues);
    assert_eq!(to_query(&p.config), "v=2&embed=1&controls=beta,alpha");
    let p = parse_query("v=2&controls=alpha,nope");
    assert!(p.config.view.controls.is_empty());
    assert_eq!(p.issues.len(), 1);
    assert_eq!(p.issues[0].field, "controls");
    assert!(
        p.issues[0].message.contains("'nope' is not a URL key"),
        "{:?}",
        p.issues
    );
}

#[test]
fn keys_only_format_2_has_make_a_versionless_link_format_2() {
    let p = parse_query("tour=3&theme=dark");
    assert_eq!(p.upgraded_from, None);
    assert_eq!((p.config.view.tour, p.config.view.theme.key()), (3, "dark"));
    assert_eq!(to_query(&p.config), "v=2&theme=dark&tour=3");
    // Without such a key a versionless link is still format 1 and is migrated.
    assert_eq!(parse_query("embed=1").upgraded_from, Some(1));
    let p = parse_query("v=2&tour=99");
    assert_eq!(p.config.view.tour, prefdyn::config::MAX_TOUR_STEP);
    assert_eq!(p.issues[0].field, "tour");
}

#[test]
fn an_imported_k20_matrix_with_labels_fits_2000_characters_and_reopens() {
    use prefdyn::config::MatrixSource;
    use prefdyn::import::{parse_preferences, LINK_PRECISION};
    let names: Vec<String> = (0..20)
        .map(|i| format!("model-{i:02}-{}b-chat", 7 + i))
        .collect();
    let mut text = format!("model,{}\n", names.join(","));
    for (i, a) in names.iter().enumerate() {
        let row: Vec<String> = (0..20)
            .map(|j| {
                if i == j {
                    String::new()
                } else {
                    ((i * 7 + j * 13) % 50 + 1).to_string()
                }
            })
            .collect();
        text.push_str(&format!("{a},{}\n", row.join(",")));
    }
    let data = parse_preferences(&text, None).unwrap();
    let c = Config {
        matrix: MatrixSource::imported(&data).unwrap(),
        ..Config::default()
    };
    let q = to_query(&c.canonical());
    let link = format!("https://example.github.io/prefdyn/?{q}");
    assert!(link.len() <= 2000, "{} characters", link.len());
    assert!(q.contains("P=b64:"), "{q}");
    let back = parse_query(&q);
    assert!(back.issues.is_empty(), "{:?}", back.issues);
    let (m, _) = prefdyn::report::resolve_matrix(&back.config);
    assert_eq!(m.labels(), names.as_slice());
    let original = data.matrix().unwrap();
    for i in 0..20 {
        for j in 0..20 {
            assert!((m.get(i, j) - original.get(i, j)).abs() <= LINK_PRECISION + 1e-6);
        }
    }
    // The canonical configuration is what the link carries: it reopens to itself.
    assert_eq!(back.config, c.canonical());
}

#[test]
fn labels_are_named_when_they_do_not_fit_the_matrix() {
    let p = parse_query("v=2&k=3&P=0.6,0.3,0.8&labels=a,b");
    assert!(
        p.issues
            .iter()
            .any(|i| i.field == "labels" && i.message.contains("2 labels for K = 3")),
        "{:?}",
        p.issues
    );
    let p = parse_query("v=2&k=3&P=0.6,0.3,0.8&labels=a,b,a");
    assert!(
        p.issues
            .iter()
            .any(|i| i.field == "labels" && i.message.contains("twice")),
        "{:?}",
        p.issues
    );
    let p = parse_query("v=2&k=3&P=0.6,0.3,0.8&labels=x%252Cy,b,c");
    assert!(p.issues.is_empty(), "{:?}", p.issues);
    assert_eq!(
        to_query(&p.config),
        "v=2&k=3&P=0.6,0.3,0.8&labels=x%252Cy,b,c"
    );
}
