//! The dynamics charts in words and numbers: each canvas's sentence and data table.

use prefdyn::simplex::entropy;
use prefdyn::text::{sig, sig_n};
use web_sys::Document;

use crate::alt::{describe, named, sampled, table};
use crate::model::App;

pub fn render(doc: &Document, app: &App) {
    let Some(d) = &app.results.dynamics else {
        for id in ["chart-policy", "chart-entropy", "chart-simplex"] {
            describe(doc, id, "No run to show.");
            table(doc, id, &[], Vec::new);
        }
        return;
    };
    let labels = app.matrix.labels();
    let tr = &d.trajectory;
    let (t, k) = (tr.rounds(), tr.k);
    let rho = d
        .stability
        .rho
        .map(|r| format!("; ρ = {} at the fixed point", sig(r)))
        .unwrap_or_default();
    describe(
        doc,
        "chart-policy",
        &format!(
            "π_t over {t} rounds for K = {k} responses, {}: at round {t} the policy is {}{rho}.",
            d.metrics.verdict.label(),
            named(labels, tr.last())
        ),
    );
    let rounds = sampled(t + 1);
    let mut header = vec!["t".to_string()];
    header.extend(labels.iter().cloned());
    table(doc, "chart-policy", &header, || {
        rounds
            .iter()
            .map(|&r| {
                let mut row = vec![r.to_string()];
                row.extend(tr.policy(r).iter().map(|&p| sig_n(p, 4)));
                row
            })
            .collect()
    });
    let h = tr.entropies();
    let (first, last) = (
        h.first().copied().unwrap_or(0.0),
        h.last().copied().unwrap_or(0.0),
    );
    describe(
        doc,
        "chart-entropy",
        &format!(
            "Entropy H(π_t) over {t} rounds: from {} to {} nats (log K = {}).",
            sig(first),
            sig(last),
            sig((k as f64).ln())
        ),
    );
    table(
        doc,
        "chart-entropy",
        &["t".into(), "H(π_t) [nats]".into()],
        || {
            rounds
                .iter()
                .map(|&r| vec![r.to_string(), sig_n(entropy(tr.policy(r)), 4)])
                .collect()
        },
    );
    if k == 3 {
        describe(doc, "chart-simplex", &simplex_sentence(app, d));
    }
}

fn simplex_sentence(app: &App, d: &prefdyn::report::DynamicsReport) -> String {
    let labels = app.matrix.labels();
    let fixed = match (&d.stability.fixed_point, d.stability.rho) {
        (Some(fp), Some(r)) if r < 1.0 => format!(
            "the fixed point ({}) attracts, ρ = {}",
            named(labels, fp),
            sig(r)
        ),
        (Some(fp), Some(r)) => {
            format!(
                "the fixed point ({}) repels, ρ = {}",
                named(labels, fp),
                sig(r)
            )
        }
        _ => "there is no fixed point".into(),
    };
    let starts = d.portrait.as_ref().map_or(0, |p| p.starts.len());
    format!(
        "Phase portrait on the simplex of {}: the run from π₀ ({}) ends at ({}); {fixed}; {starts} extra starts. Click to add a start.",
        labels.join(", "),
        named(labels, &d.pi0),
        named(labels, d.trajectory.last())
    )
}
