//! The finite-sample realisations of the current run (`N` pairs per round, `R`
//! realisations), as the model computes them in slices: their progress, the summary beside
//! the population run, and a table of each realisation's verdict.

use prefdyn::report::FiniteReport;
use prefdyn::text::{count, sig};
use web_sys::Document;

use crate::dom::{escape, set_hidden, set_html, set_text};
use crate::model::App;

/// The status line, the summary and the table of realisations.
pub fn render(doc: &Document, app: &App) {
    let sampling = &app.config.dynamics.sampling;
    let Some(spec) = sampling.spec() else {
        set_hidden(doc, "finite-box", true);
        return;
    };
    set_hidden(doc, "finite-box", false);
    let head = format!(
        "N = {} pairs per round, R = {} realisations (seed {})",
        spec.pairs, spec.realisations, spec.seed
    );
    if let Some(e) = &app.results.finite_error {
        set_text(
            doc,
            "finite-status",
            &format!("{head}: cannot compute: {e}"),
        );
        set_html(doc, "finite-table", "");
        return;
    }
    let Some(f) = &app.results.finite else {
        let pct = app.finite.progress().map_or(0.0, |p| 100.0 * p.fraction());
        set_text(
            doc,
            "finite-status",
            &format!("{head}: computing… {pct:.0}%"),
        );
        set_html(doc, "finite-table", "");
        return;
    };
    let population = app.results.dynamics.as_ref().map(|d| d.metrics.variance);
    set_text(doc, "finite-status", &summary(&head, f, population));
    set_html(doc, "finite-table", &table(f));
}

/// One paragraph: verdicts, V of the runs against V of their mean path and of the
/// population run, the spread of the final entropy.
fn summary(head: &str, f: &FiniteReport, population: Option<f64>) -> String {
    let s = &f.summary;
    let others = s.realisations - s.oscillating - s.collapsed;
    let mut out = format!(
        "{head}: {} oscillating, {} collapsed, {} other. V of the runs {} on average (sd {}); V of their mean path {} ({}× the runs')",
        s.oscillating,
        s.collapsed,
        others,
        sig(s.variance.mean),
        sig(s.variance.sd),
        sig(s.mean_path_variance),
        sig(s.mean_path_variance / s.variance.mean.max(f64::MIN_POSITIVE)),
    );
    if let Some(v) = population {
        out.push_str(&format!("; population run {}", sig(v)));
    }
    out.push_str(&format!(
        ". Final entropy H(π_T) {} ± {} nats (range {} – {}).",
        sig(s.final_entropy.mean),
        sig(s.final_entropy.sd),
        sig(s.final_entropy.min),
        sig(s.final_entropy.max)
    ));
    if s.stopped > 0 {
        out.push_str(&format!(
            " {} stopped at a DPO round without a finite optimum.",
            count(s.stopped, "realisation", "realisations")
        ));
    }
    out
}

/// The realisations' verdicts and metrics, one row each.
fn table(f: &FiniteReport) -> String {
    let rows: String = f
        .runs
        .iter()
        .map(|r| {
            format!(
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                r.index + 1,
                escape(r.metrics.verdict.label()),
                sig(r.metrics.variance),
                sig(r.metrics.final_entropy),
                r.stopped_at
                    .map(|t| format!("round {t}"))
                    .unwrap_or_default()
            )
        })
        .collect();
    format!(
        "<caption>Each realisation</caption><thead><tr><th scope=\"col\">#</th><th scope=\"col\">verdict</th><th scope=\"col\">V</th><th scope=\"col\">H(π_T)</th><th scope=\"col\">stopped</th></tr></thead><tbody>{rows}</tbody>"
    )
}
