//! A labelled matrix as CSV that reads back exactly.

use crate::preference::PreferenceMatrix;

/// CSV with a header row of labels (blank corner) and a label column, labels quoted,
/// values in the shortest form that parses back to the same `f64`.
/// [`parse_preferences`](super::parse_preferences) returns the same labels and `P`.
pub fn matrix_to_csv(m: &PreferenceMatrix) -> String {
    let quote = |s: &str| format!("\"{}\"", s.replace('"', "\"\""));
    let mut out = String::new();
    for l in m.labels() {
        out.push(',');
        out.push_str(&quote(l));
    }
    out.push('\n');
    for (i, l) in m.labels().iter().enumerate() {
        out.push_str(&quote(l));
        for &v in m.row(i) {
            out.push(',');
            out.push_str(&v.to_string());
        }
        out.push('\n');
    }
    out
}
