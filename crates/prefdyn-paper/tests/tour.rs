//! Every number a tour step states, computed by the engine from the step's link.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use prefdyn::config::parse_query;
use prefdyn::phase::sweep;
use prefdyn::report::{phase_setup, resolve_matrix, DynamicsReport, OneShotReport, Results};
use prefdyn::text::{percent, sig};
use prefdyn::theory::skew_norm;
use prefdyn_paper::findings::finite::finite_samples;
use prefdyn_paper::tour::{bare_step, step, step_query, TOUR};

fn results(n: usize) -> Results {
    let parsed = parse_query(step(n).unwrap().query);
    assert!(parsed.issues.is_empty(), "step {n}: {:?}", parsed.issues);
    assert_eq!(parsed.upgraded_from, None);
    Results::compute(&parsed.config)
}

fn one_shot<'a>(r: &'a Results, label_starts: &str) -> &'a OneShotReport {
    r.one_shot
        .iter()
        .find(|o| o.label.starts_with(label_starts))
        .unwrap()
}

fn dynamics(n: usize) -> DynamicsReport {
    results(n).dynamics.unwrap()
}

fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol
}

#[test]
fn every_step_is_a_clean_link_with_short_text() {
    assert!((6..=9).contains(&TOUR.len()));
    for (i, s) in TOUR.iter().enumerate() {
        let p = parse_query(s.query);
        assert!(
            p.issues.is_empty() && p.upgraded_from.is_none(),
            "step {}: {:?}",
            i + 1,
            p.issues
        );
        let sentences = s.text.matches(". ").count() + 1;
        assert!(
            (2..=4).contains(&sentences),
            "step {}: {sentences} sentences",
            i + 1
        );
    }
}

#[test]
fn bare_links_name_a_step_and_links_with_a_run_do_not() {
    assert_eq!(bare_step("?tour=3"), Some(3));
    assert_eq!(
        bare_step("tour=9&embed=1&theme=dark&controls=alpha"),
        Some(9)
    );
    assert_eq!(bare_step("v=2&tour=2&alpha=0.3"), None);
    assert_eq!(bare_step("tour=0"), None);
    assert_eq!(bare_step("tour=99"), None);
    assert_eq!(bare_step("tour=x"), None);
    let q = step_query(4, "embed=1").unwrap();
    assert_eq!(q, format!("{}&tour=4&embed=1", TOUR[3].query));
    let c = parse_query(&q).config;
    assert_eq!((c.view.tour, c.view.embed), (4, true));
}

#[test]
fn step_1_uniform_sampling_puts_borda_winner_d_above_condorcet_winner_e() {
    let r = results(1);
    let d = &r.matrix.diagnostics;
    assert_eq!((d.condorcet_winner, d.borda_winner), (Some(4), Some(3)));
    let u = &one_shot(&r, "uniform").result.policy;
    assert_eq!(r.one_shot[0].properties.top, 3);
    assert!(
        close(u[3], 0.262, 5e-4) && close(u[4], 0.249, 5e-4),
        "{u:?}"
    );
}

#[test]
fn step_2_the_maximal_lottery_mix_puts_e_on_top() {
    let r = results(2);
    let ml = one_shot(&r, "maximal lottery");
    assert_eq!(ml.properties.top, 4);
    assert!(
        close(ml.result.policy[4], 0.251, 5e-4),
        "{:?}",
        ml.result.policy
    );
    assert_eq!(sig(ml.result.policy[3]), "0.18", "{:?}", ml.result.policy);
    assert!(ml.result.mu[4] > 0.99);
}

#[test]
fn step_3_on_policy_sampling_concentrates() {
    let r = results(3);
    let (u, on) = (one_shot(&r, "uniform"), one_shot(&r, "on-policy"));
    assert_eq!(
        (sig(on.result.policy[4]), sig(u.result.policy[4])),
        ("0.705".into(), "0.66".into())
    );
    assert_eq!(
        (sig(on.properties.entropy), sig(u.properties.entropy)),
        ("1.01".into(), "1.05".into())
    );
    assert!(r.matrix.diagnostics.sst);
}

#[test]
fn steps_4_to_6_rho_and_the_verdicts() {
    let d4 = dynamics(4);
    assert!(close(d4.stability.rho.unwrap(), 0.586, 5e-4));
    assert_eq!(d4.metrics.verdict.label(), "converged");
    let d5 = dynamics(5);
    assert_eq!(sig(d5.stability.rho.unwrap()), "1.05");
    assert_eq!(sig(d5.metrics.variance), "0.0768");
    assert_eq!(d5.metrics.verdict.label(), "oscillating");
    let d6 = dynamics(6);
    assert!(close(d6.stability.rho.unwrap(), 1.12, 5e-3));
    assert_eq!(d6.metrics.verdict.label(), "oscillating");
    let three = d6
        .theory
        .circulant
        .as_ref()
        .unwrap()
        .three_cycle
        .as_ref()
        .unwrap();
    assert!(close(three.value, 1.58, 5e-3), "{}", three.value);
}

#[test]
fn step_7_strong_transitivity_concentrates_and_collapses_at_alpha_one() {
    let d = dynamics(7);
    assert_eq!(sig(d.metrics.final_entropy), "0.00971");
    assert_eq!(percent(d.metrics.top_share), "99.9 %");
    let one = parse_query(&TOUR[6].query.replace("alpha=0.9", "alpha=1")).config;
    let r = Results::compute(&one);
    let d1 = r.dynamics.unwrap();
    assert_eq!(d1.verdict_text, "collapsed onto E");
}

/// Every caption that says what a run does says what the verdict says (the page shows
/// both side by side), for every figure preset and every tour step.
#[test]
fn captions_agree_with_the_verdicts() {
    use prefdyn_paper::figures::{FIGURES, PAPER_SCALE};
    let captions = FIGURES
        .iter()
        .chain(&PAPER_SCALE)
        .map(|f| (f.id.to_string(), f.query, f.description, f.claim))
        .chain(
            TOUR.iter()
                .enumerate()
                .map(|(i, s)| (format!("tour {}", i + 1), s.query, s.text, s.claim)),
        );
    let mut checked = 0;
    for (id, query, caption, claim) in captions {
        let c = parse_query(query).config;
        let dynamics_view = c.view.view == prefdyn::config::View::Dynamics;
        assert_eq!(
            claim.is_some(),
            dynamics_view,
            "{id}: a claim exactly for dynamics views"
        );
        let Some(claim) = claim else { continue };
        assert!(
            claim.stated_in(caption),
            "{id}: {claim:?} is not what the caption says: {caption}"
        );
        let r = Results::compute(&c);
        let d = r.dynamics.as_ref().unwrap();
        claim
            .check(d, &r.matrix.labels)
            .unwrap_or_else(|e| panic!("{id}: {e}"));
        checked += 1;
    }
    assert!(checked >= 14, "{checked}");
}

#[test]
fn step_8_every_cell_below_the_contraction_line_converges() {
    let c = parse_query(step(8).unwrap().query).config;
    let (p, err) = resolve_matrix(&c);
    assert!(err.is_none());
    let (spec, members) = phase_setup(&c, &p).unwrap();
    let grid = sweep(&spec, &members).unwrap();
    let s = skew_norm(&p);
    let (mut below, mut oscillating) = (0, 0);
    for (iy, bl) in grid.y_values.iter().enumerate() {
        for (ix, a) in grid.x_values.iter().enumerate() {
            let (share, _) = grid.cell(ix, iy).unwrap();
            if a + bl / 2.0 * s < 1.0 {
                below += 1;
                assert_eq!(share, 0.0, "α = {a}, βλ = {bl}");
            }
            oscillating += usize::from(share > 0.5);
        }
    }
    assert!(
        below > 100 && oscillating > 100,
        "{below} below the line, {oscillating} oscillating"
    );
}

#[test]
fn step_9_the_mean_path_looks_calm() {
    assert_eq!(
        step(9).unwrap().query,
        prefdyn_paper::findings::finite::OSCILLATING
    );
    let f = finite_samples();
    assert_eq!(f.realisations, 32);
    assert!(f.mean_path_ratio < 0.1, "{}", f.mean_path_ratio);
    assert_eq!(f.oscillating, 32);
}

#[test]
fn the_finite_presets_are_the_findings_links() {
    use prefdyn_paper::figures::figure;
    use prefdyn_paper::findings::finite::{OSCILLATING, TRANSITIVE};
    // Written out as literals so that the end-to-end tests can read them from the source.
    assert_eq!(figure("finite1").unwrap().query, OSCILLATING);
    assert_eq!(figure("finite2").unwrap().query, TRANSITIVE);
}
