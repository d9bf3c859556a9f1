//! Bring your own preferences (issue 13): pasted text or a file's contents read into a
//! labelled preference matrix ([`parse_preferences`]), short display forms of labels
//! ([`short_labels`]), a compact link encoding ([`encode_link`], [`decode_link`]) and a CSV
//! export ([`matrix_to_csv`]).
//!
//! # Formats
//!
//! [`Format`] names what the text holds; pass `None` to detect it:
//!
//! * **JSON** ([`Format::Json`]): text starting with `{` (or a `[` that parses as JSON).
//!   An object in the shipped preset format: `items` (or `labels`), `P` (K×K, `null` for
//!   a pair never compared) and/or `counts` (K×K wins, with optional `ties`), optional
//!   `name` and `source`. `P` wins when both are given; `counts` are kept. A bare array
//!   is read as the rows of `P`.
//! * Otherwise the text is a table. The delimiter is the one of tab, `;`, `,` that splits
//!   the most lines (ties in that order); if none splits any line, runs of spaces do.
//!   Lines starting with `#` and blank lines are skipped; cells are trimmed; `"…"`
//!   quoting as in CSV. With `;` or tab as delimiter a decimal comma (`0,75`) is read
//!   as a decimal point. `70%` reads as 0.7. A blank cell or `NA`, `N/A`, `NaN`, `null`,
//!   `-`, `–`, `—`, `.`, `?` is missing.
//! * **Comparisons** ([`Format::Comparisons`]): chosen when the first line is a header
//!   naming a winner column (`winner`, `result`, `outcome`, `preference`, `preferred`,
//!   `verdict`, `choice`), or when the text is not a square matrix, most lines have three
//!   fields and some second field is a name. One comparison per line, `a,b,outcome`;
//!   the outcome is the name of `a` or `b`, a tie word (`tie`, `draw`, `equal`, `=`,
//!   `both`, `neither`, anything starting with `tie`, `both_bad`), a side word
//!   (`model_a`/`model_b`, `a`/`b`, `left`/`right`, `first`/`second`), or a number in
//!   [0, 1] (1: `a` won, 0: `b` won, 0.5: tie, otherwise a fractional win). A name always
//!   takes precedence. A header naming two item columns (`model_a`/`model_b`, `a`/`b`,
//!   `left`/`right`, …) and a winner column may have further columns (Chatbot Arena
//!   logs); a first line whose outcome is unreadable and whose names never reappear is
//!   a header too. Labels are the names in order of first appearance.
//! * **Matrix**: K data rows of K cells, with an optional header row of labels (with or
//!   without a corner cell) and an optional label column. A header or label column is
//!   recognised by holding more text cells than numbers. Numeric labels are recognised
//!   by a text corner cell (then the shape decides), a header one cell shorter than the
//!   rows, or a blank corner with the header equal to the label column (as
//!   [`matrix_to_csv`] writes). When both are present and list the same labels in
//!   another order, rows are reordered to the header. The diagonal is ignored (for
//!   probabilities it must be missing, 0 or 0.5).
//!   * **Win counts** ([`Format::WinCounts`]) when any off-diagonal value exceeds 1;
//!     `w_ij` = times i beat j, missing = 0, and
//!     `P_ij = (w_ij + 0.5) / (w_ij + w_ji + 1)` (with ties, from JSON or comparisons,
//!     `P_ij = (w_ij + t_ij/2 + 0.5) / (w_ij + w_ji + t_ij + 1)`, as the presets).
//!     A tournament with at most one game per pair looks like probabilities: choose
//!     [`Format::WinCounts`] explicitly. Percentages need their `%` (else they read
//!     as counts).
//!   * **Probabilities** ([`Format::Probabilities`]) otherwise: `P_ij` read as given; a
//!     missing cell is `1 − P_ji`, a pair missing both ways is never compared (1/2).
//!
//! Errors ([`ImportError`]) name the place as a person reads the file: row = line
//! number of the text, column = field, both from 1.
//!
//! # Link encoding
//!
//! Two query values, written through the page's usual value escaping and read back after
//! its one percent-decoding ([`LinkFields`]):
//!
//! * values: the strict upper triangle `P[0][1], P[0][2], …, P[K−2][K−1]` as fixed-width
//!   unsigned integers packed most significant bit first into base64url (`A–Z a–z 0–9 - _`,
//!   no padding, unused final bits zero), behind a prefix:
//!   * `b64:` — 16 bits, `code = round(P·65535)`, `P = code/65535`:
//!     |decoded − original| ≤ 1/131070 ≈ 7.6e-6 ([`LINK_PRECISION`]);
//!   * `b64dN:` (N = 1…4) — when every value has at most N decimals
//!     ([`data_decimals`]), `code = P·10^N` in ⌈log₂(10^N + 1)⌉ bits (4, 7, 10, 14),
//!     decoded exactly (`0.7` comes back as the same `f64`).
//!
//!   K follows from the length. K = 20 takes `b64:` + 507 characters.
//! * labels: the labels joined by `,`, each with `%`, `,` and control characters
//!   percent-escaped; at most [`MAX_LINK_LABEL`] characters each, non-empty, distinct.

mod export;
mod grid;
mod json;
mod labels;
mod link;
mod table;

use std::fmt;

use serde::Serialize;

use crate::preference::{PreferenceError, PreferenceMatrix, MAX_K, PAIR_TOLERANCE};

pub use export::matrix_to_csv;
pub use labels::{short_labels, MIN_SHORT_LABEL};
pub use link::{
    data_decimals, decode_labels, decode_link, decode_values, encode_labels, encode_link,
    encode_values, LinkError, LinkFields, LINK_PRECISION, MAX_LINK_LABEL,
};

/// What an input holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    /// A K×K matrix of `P_ij = Pr(i ≻ j)`.
    Probabilities,
    /// A K×K matrix of win counts `w_ij`.
    WinCounts,
    /// One comparison per line: `a,b,outcome`.
    Comparisons,
    /// The shipped preset JSON.
    Json,
}

impl Format {
    pub const ALL: [Format; 4] = [
        Format::Probabilities,
        Format::WinCounts,
        Format::Comparisons,
        Format::Json,
    ];

    /// Short key (`p`, `counts`, `pairs`, `json`).
    pub fn key(self) -> &'static str {
        match self {
            Format::Probabilities => "p",
            Format::WinCounts => "counts",
            Format::Comparisons => "pairs",
            Format::Json => "json",
        }
    }

    /// The format with this key.
    pub fn from_key(key: &str) -> Option<Format> {
        Format::ALL.into_iter().find(|f| f.key() == key)
    }

    /// A phrase for the interface.
    pub fn describe(self) -> &'static str {
        match self {
            Format::Probabilities => "matrix of probabilities",
            Format::WinCounts => "matrix of win counts",
            Format::Comparisons => "list of comparisons",
            Format::Json => "preset JSON",
        }
    }
}

/// How a table was laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct TableLayout {
    /// Field delimiter (`' '` for runs of spaces).
    pub delimiter: char,
    /// A header row (labels, or column names of a comparison list) was read.
    pub header: bool,
    /// A column of row labels was read.
    pub label_column: bool,
}

/// Where something is in the input, counted from 1.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum Place {
    /// A cell of a table: `row` is the line of the text, `column` the field.
    Cell { row: usize, column: usize },
    /// An entry of a JSON matrix (`P`, `counts`, `ties`).
    Entry {
        field: String,
        row: usize,
        column: usize,
    },
    /// An entry of a JSON list of labels.
    Item { field: String, index: usize },
}

impl fmt::Display for Place {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Place::Cell { row, column } => write!(f, "row {row}, column {column}"),
            Place::Entry { field, row, column } => {
                write!(f, "“{field}” row {row}, column {column}")
            }
            Place::Item { field, index } => write!(f, "“{field}” entry {index}"),
        }
    }
}

/// Why text could not be read as preferences.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ImportError {
    #[error("the input is empty: paste a matrix, win counts, comparisons or preset JSON")]
    Empty,
    #[error("row {row} could not be read: {message}")]
    Unreadable { row: usize, message: String },
    #[error("row {row} has {got} cells but row {first_row} has {expected}: every row must have the same number")]
    Ragged {
        row: usize,
        got: usize,
        expected: usize,
        first_row: usize,
    },
    #[error("{at}: “{text}” is not a number")]
    NotANumber { at: Place, text: String },
    #[error("{at}: {value} is outside [0, 1], which a probability must lie in")]
    OutOfRange { at: Place, value: f64 },
    #[error("{at}: the count {value} is negative")]
    NegativeCount { at: Place, value: f64 },
    #[error("{at}: the diagonal holds {value}; leave it blank or write 0.5")]
    BadDiagonal { at: Place, value: f64 },
    #[error("the matrix has {rows} rows and {columns} columns; it must be square (K×K)")]
    NotSquare { rows: usize, columns: usize },
    #[error("K = {k}: at most {MAX_K} items are supported")]
    TooMany { k: usize },
    #[error("K = {k}: at least 2 items are needed")]
    TooFew { k: usize },
    #[error("{at}: the label is empty")]
    EmptyLabel { at: Place },
    #[error("{at}: the label “{label}” already appears at {first}")]
    DuplicateLabel {
        at: Place,
        label: String,
        first: Place,
    },
    #[error("{at}: the row label “{label}” is not among the column labels")]
    UnknownRowLabel { at: Place, label: String },
    #[error("row {row} has {got} fields; a comparison needs {expected} ({columns})")]
    FieldCount {
        row: usize,
        got: usize,
        expected: usize,
        columns: String,
    },
    #[error(
        "{at}: the outcome “{text}” is neither “{a}” nor “{b}”, a tie, nor a number 1, 0 or 0.5"
    )]
    UnknownWinner {
        at: Place,
        text: String,
        a: String,
        b: String,
    },
    #[error("row {row}: “{label}” is compared with itself")]
    SelfComparison { row: usize, label: String },
    #[error("the JSON does not parse (row {row}, column {column}): {message}")]
    JsonSyntax {
        row: usize,
        column: usize,
        message: String,
    },
    #[error("JSON “{field}”: {message}")]
    JsonField { field: String, message: String },
    #[error("{count} pair(s) have P_ij + P_ji ≠ 1 (first: {first}); make them consistent first")]
    Inconsistent { count: usize, first: String },
    #[error(transparent)]
    Matrix(#[from] PreferenceError),
}

/// Two items, by index and label.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Pair {
    pub i: usize,
    pub j: usize,
    pub a: String,
    pub b: String,
}

impl fmt::Display for Pair {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} vs {}", self.a, self.b)
    }
}

/// A pair whose two probabilities do not add up to 1.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Inconsistency {
    pub pair: Pair,
    /// `P_ij` as read.
    pub p_ij: f64,
    /// `P_ji` as read.
    pub p_ji: f64,
}

impl Inconsistency {
    /// The consistent `P_ij = (P_ij + 1 − P_ji) / 2`.
    pub fn fixed(&self) -> f64 {
        (self.p_ij + 1.0 - self.p_ji) / 2.0
    }
}

impl fmt::Display for Inconsistency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "P({a} ≻ {b}) = {x} and P({b} ≻ {a}) = {y} add up to {s}",
            a = self.pair.a,
            b = self.pair.b,
            x = self.p_ij,
            y = self.p_ji,
            s = rounded(self.p_ij + self.p_ji)
        )
    }
}

/// Raw counts behind a matrix (K×K, zero diagonal).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Counts {
    /// `wins[i][j]`: times i beat j (fractional for fractional outcomes).
    pub wins: Vec<Vec<f64>>,
    /// `ties[i][j] = ties[j][i]`: ties between i and j, when the source has them.
    pub ties: Option<Vec<Vec<f64>>>,
}

impl Counts {
    /// Comparisons of i with j (wins both ways and ties).
    pub fn games(&self, i: usize, j: usize) -> f64 {
        let t = self.ties.as_ref().map_or(0.0, |t| t[i][j]);
        self.wins[i][j] + self.wins[j][i] + t
    }

    /// `P_ij = (w_ij + t_ij/2 + 0.5) / (w_ij + w_ji + t_ij + 1)`.
    pub fn smoothed(&self, i: usize, j: usize) -> f64 {
        let t = self.ties.as_ref().map_or(0.0, |t| t[i][j]);
        (self.wins[i][j] + t / 2.0 + 0.5) / (self.games(i, j) + 1.0)
    }
}

/// A labelled matrix read from text, with what the page should tell about it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Imported {
    /// The format read (detected or chosen).
    pub format: Format,
    /// The table layout (`None` for JSON).
    pub layout: Option<TableLayout>,
    /// Full labels, one per item.
    pub labels: Vec<String>,
    /// `P` as read, K×K, diagonal 1/2; `P_ij + P_ji` may differ from 1 (see `inconsistent`).
    pub p: Vec<Vec<f64>>,
    /// Counts, for win counts, comparisons and JSON with `counts`.
    pub counts: Option<Counts>,
    /// Pairs with no data (P set to 1/2), `i < j`.
    pub never_compared: Vec<Pair>,
    /// Pairs with `|P_ij + P_ji − 1| > PAIR_TOLERANCE`, `i < j`.
    pub inconsistent: Vec<Inconsistency>,
    /// `name` of a JSON input.
    pub name: Option<String>,
    /// `source` of a JSON input.
    pub source: Option<serde_json::Value>,
}

impl Imported {
    pub(crate) fn new(
        format: Format,
        labels: Vec<String>,
        p: Vec<Vec<f64>>,
        counts: Option<Counts>,
        never: Vec<(usize, usize)>,
    ) -> Self {
        let pair = |i: usize, j: usize| Pair {
            i,
            j,
            a: labels[i].clone(),
            b: labels[j].clone(),
        };
        let never_compared = never.into_iter().map(|(i, j)| pair(i, j)).collect();
        let mut inconsistent = vec![];
        for i in 0..p.len() {
            for j in i + 1..p.len() {
                if (p[i][j] + p[j][i] - 1.0).abs() > PAIR_TOLERANCE {
                    inconsistent.push(Inconsistency {
                        pair: pair(i, j),
                        p_ij: p[i][j],
                        p_ji: p[j][i],
                    });
                }
            }
        }
        Imported {
            format,
            layout: None,
            labels,
            p,
            counts,
            never_compared,
            inconsistent,
            name: None,
            source: None,
        }
    }

    /// Number of items K.
    pub fn k(&self) -> usize {
        self.labels.len()
    }

    /// Sets every inconsistent pair to `P_ij = (P_ij + 1 − P_ji)/2`, `P_ji = 1 − P_ij`.
    pub fn make_consistent(&mut self) {
        for c in std::mem::take(&mut self.inconsistent) {
            let v = c.fixed();
            self.p[c.pair.i][c.pair.j] = v;
            self.p[c.pair.j][c.pair.i] = 1.0 - v;
        }
    }

    /// The labelled matrix; fails while a pair is inconsistent.
    pub fn matrix(&self) -> Result<PreferenceMatrix, ImportError> {
        let k = self.p.len();
        let mut upper = Vec::with_capacity(k * k.saturating_sub(1) / 2);
        let mut bad = vec![];
        for i in 0..k {
            for j in i + 1..k {
                let (x, y) = (self.p[i][j], self.p[j][i]);
                if (x + y - 1.0).abs() > PAIR_TOLERANCE {
                    bad.push(format!(
                        "{} vs {}: {x} + {y}",
                        self.labels[i], self.labels[j]
                    ));
                }
                upper.push(x);
            }
        }
        if let Some(first) = bad.first() {
            return Err(ImportError::Inconsistent {
                count: bad.len(),
                first: first.clone(),
            });
        }
        Ok(PreferenceMatrix::from_upper(k, &upper)?.with_labels(self.labels.clone())?)
    }
}

/// Reads preferences from pasted text or a file's contents; `format: None` detects the
/// format (see the module docs).
pub fn parse_preferences(text: &str, format: Option<Format>) -> Result<Imported, ImportError> {
    let text = text.trim_start_matches('\u{feff}');
    let trimmed = text.trim_start();
    if trimmed.is_empty() {
        return Err(ImportError::Empty);
    }
    match format {
        Some(Format::Json) => json::read(text),
        None if trimmed.starts_with('{') => json::read(text),
        None if trimmed.starts_with('[') => match json::read(text) {
            Err(ImportError::JsonSyntax { .. }) => table::read(text, None),
            other => other,
        },
        _ => table::read(text, format),
    }
}

/// `x` with at most 6 decimals, trailing zeros dropped.
fn rounded(x: f64) -> String {
    let s = format!("{x:.6}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" {
        "0".into()
    } else {
        s.into()
    }
}

/// `K` in 2..=MAX_K.
fn check_k(k: usize) -> Result<(), ImportError> {
    if k > MAX_K {
        Err(ImportError::TooMany { k })
    } else if k < 2 {
        Err(ImportError::TooFew { k })
    } else {
        Ok(())
    }
}
