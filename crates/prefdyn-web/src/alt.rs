//! Text alternatives of the charts: each canvas's `aria-label` is one sentence with the
//! numbers it shows, and a `<table id="CANVAS-data">` under a "Data table" toggle holds
//! the numbers themselves. Both are rewritten whenever the chart is.

use web_sys::Document;

use crate::dom::{escape, set_attr, set_html};

/// Rows shown at most in a data table (a longer series is sampled evenly, ends kept).
pub const MAX_ROWS: usize = 101;

/// Sets the text alternative of chart canvas `id`.
pub fn describe(doc: &Document, id: &str, sentence: &str) {
    set_attr(doc, id, "aria-label", sentence);
}

/// Whether the data table of chart canvas `id` is shown (its `<details>` is open).
fn shown(doc: &Document, id: &str) -> bool {
    doc.get_element_by_id(&format!("{id}-data"))
        .and_then(|t| t.closest("details").ok().flatten())
        .is_some_and(|d| d.has_attribute("open"))
}

/// Fills the data table of chart canvas `id`: a header row, then the rows `rows` makes
/// (already text). While the table is folded nothing is built; opening it redraws the
/// descriptions ([`crate::sections::describe_all`]).
pub fn table(doc: &Document, id: &str, header: &[String], rows: impl FnOnce() -> Vec<Vec<String>>) {
    if !shown(doc, id) {
        set_html(doc, &format!("{id}-data"), "");
        return;
    }
    let head: String = header
        .iter()
        .map(|h| format!("<th scope=\"col\">{}</th>", escape(h)))
        .collect();
    let body: String = rows()
        .iter()
        .map(|r| {
            let cells: String = r
                .iter()
                .map(|c| format!("<td>{}</td>", escape(c)))
                .collect();
            format!("<tr>{cells}</tr>")
        })
        .collect();
    set_html(
        doc,
        &format!("{id}-data"),
        &format!("<thead><tr>{head}</tr></thead><tbody>{body}</tbody>"),
    );
}

/// Indices `0..n` sampled evenly to at most [`MAX_ROWS`], first and last kept.
pub fn sampled(n: usize) -> Vec<usize> {
    if n <= MAX_ROWS {
        return (0..n).collect();
    }
    let mut out: Vec<usize> = (0..MAX_ROWS)
        .map(|i| i * (n - 1) / (MAX_ROWS - 1))
        .collect();
    out.dedup();
    out
}

/// `label value` pairs, e.g. "A 0.333, B 0.333, C 0.334".
pub fn named(labels: &[String], values: &[f64]) -> String {
    labels
        .iter()
        .zip(values)
        .map(|(l, v)| format!("{l} {}", prefdyn::text::sig(*v)))
        .collect::<Vec<_>>()
        .join(", ")
}
