//! The heatmap's text alternative: a sentence with where P comes from and what its majority
//! says, and P as a data table.

use prefdyn::text::{count, sig_n};
use web_sys::Document;

use crate::alt;
use crate::model::App;
use crate::sections::hero::source_title;

pub fn render(doc: &Document, app: &App) {
    let d = &app.results.matrix.diagnostics;
    let labels = app.matrix.labels();
    let majority = match d.condorcet_winner.and_then(|i| labels.get(i)) {
        Some(w) => format!("Condorcet winner {w}"),
        None if d.three_cycles > 0 => format!(
            "no Condorcet winner, {}",
            count(d.three_cycles, "majority 3-cycle", "majority 3-cycles")
        ),
        None => "no Condorcet winner".into(),
    };
    let borda = match d.borda_winner.and_then(|i| labels.get(i)) {
        Some(b) => format!("Borda winner {b}"),
        None => "no Borda winner".into(),
    };
    alt::describe(
        doc,
        "chart-matrix",
        &format!(
            "Heatmap of the preference matrix P ({}, K = {}): {majority}, {borda}. Click a cell to edit it.",
            source_title(&app.config.matrix),
            app.matrix.k()
        ),
    );
    let mut header = vec!["P[row][column]".to_string()];
    header.extend(labels.iter().cloned());
    alt::table(doc, "chart-matrix", &header, || {
        (0..app.matrix.k())
            .map(|i| {
                let mut row = vec![labels.get(i).cloned().unwrap_or_default()];
                row.extend((0..app.matrix.k()).map(|j| sig_n(app.matrix.get(i, j), 4)));
                row
            })
            .collect()
    });
}
