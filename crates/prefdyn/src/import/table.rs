//! Delimited text: matrices of probabilities or win counts, and lists of comparisons.

use std::collections::HashMap;

use csv::{ReaderBuilder, Trim};

use super::grid::{self, Entry};
use super::{check_k, Counts, Format, ImportError, Imported, Place, TableLayout};
use crate::preference::default_labels;

/// Records inspected to choose the delimiter.
const SNIFF_RECORDS: usize = 200;
/// Cells read as missing (compared in lower case).
const MISSING: [&str; 11] = [
    "", "na", "n/a", "nan", "null", "none", "-", "–", "—", ".", "?",
];
/// Header names of the outcome column of a comparison list.
const OUTCOME_COLUMNS: [&str; 7] = [
    "winner",
    "result",
    "outcome",
    "preference",
    "preferred",
    "verdict",
    "choice",
];
/// Header names of the two item columns of a comparison list.
const ITEM_COLUMNS: [(&str, &str); 12] = [
    ("model_a", "model_b"),
    ("a", "b"),
    ("item_a", "item_b"),
    ("left", "right"),
    ("first", "second"),
    ("model_1", "model_2"),
    ("model1", "model2"),
    ("response_a", "response_b"),
    ("option_a", "option_b"),
    ("system_a", "system_b"),
    ("player_a", "player_b"),
    ("player1", "player2"),
];
/// Outcomes meaning a tie (besides anything starting with `tie`).
const TIE_WORDS: [&str; 9] = [
    "draw", "tied", "equal", "=", "both", "neither", "both_bad", "bothbad", "both bad",
];
/// Outcomes meaning the first item won.
const FIRST_WORDS: [&str; 6] = ["model_a", "a", "left", "first", "item_a", "response_a"];
/// Outcomes meaning the second item won.
const SECOND_WORDS: [&str; 6] = ["model_b", "b", "right", "second", "item_b", "response_b"];

/// One non-blank record: its line in the text and its trimmed fields.
struct Record {
    row: usize,
    fields: Vec<String>,
}

/// What a cell holds.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    Missing,
    Number(f64),
    Text,
}

/// Reads a table in the given format (`None`: detect; never `Json`).
pub(super) fn read(text: &str, format: Option<Format>) -> Result<Imported, ImportError> {
    let (records, delimiter) = read_records(text)?;
    if records.is_empty() {
        return Err(ImportError::Empty);
    }
    match format {
        Some(Format::Comparisons) => comparisons(&records, delimiter),
        Some(f) => matrix(&records, delimiter, Some(f)),
        None => {
            if named_columns(&records[0].fields).is_some() {
                return comparisons(&records, delimiter);
            }
            match matrix(&records, delimiter, None) {
                Err(_) if looks_like_comparisons(&records, delimiter) => {
                    comparisons(&records, delimiter)
                }
                other => other,
            }
        }
    }
}

/// Parses with the delimiter that splits the most records (tab, `;`, `,`; else spaces).
fn read_records(text: &str) -> Result<(Vec<Record>, u8), ImportError> {
    let mut best: Option<(usize, u8)> = None;
    for d in [b'\t', b';', b','] {
        let score = parse_with(text, d, SNIFF_RECORDS)?
            .iter()
            .filter(|r| r.fields.len() > 1)
            .count();
        if score > 0 && best.is_none_or(|(s, _)| score > s) {
            best = Some((score, d));
        }
    }
    let (mut records, delimiter) = match best {
        Some((_, d)) => (parse_with(text, d, usize::MAX)?, d),
        None => {
            let collapsed: Vec<String> = text
                .lines()
                .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
                .collect();
            (parse_with(&collapsed.join("\n"), b' ', usize::MAX)?, b' ')
        }
    };
    // A delimiter ending every line leaves an empty last column.
    if !records.is_empty()
        && records
            .iter()
            .all(|r| r.fields.len() >= 2 && r.fields.last().is_some_and(|f| f.is_empty()))
    {
        for r in &mut records {
            r.fields.pop();
        }
    }
    Ok((records, delimiter))
}

/// Non-blank records of `text` (at most `limit`).
fn parse_with(text: &str, delimiter: u8, limit: usize) -> Result<Vec<Record>, ImportError> {
    let mut reader = ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .trim(Trim::All)
        .comment(Some(b'#'))
        .delimiter(delimiter)
        .from_reader(text.as_bytes());
    let line = |p: Option<&csv::Position>| {
        p.map_or(0, |p| usize::try_from(p.line()).unwrap_or(usize::MAX))
    };
    let mut out = vec![];
    for result in reader.records() {
        let rec = result.map_err(|e| ImportError::Unreadable {
            row: line(e.position()),
            message: e.to_string(),
        })?;
        if rec.iter().all(str::is_empty) {
            continue;
        }
        out.push(Record {
            row: line(rec.position()),
            fields: rec.iter().map(str::to_owned).collect(),
        });
        if out.len() >= limit {
            break;
        }
    }
    Ok(out)
}

/// A number, accepting `70%` and (when `decimal_comma`) `0,7`.
fn number(s: &str, decimal_comma: bool) -> Option<f64> {
    if let Some(x) = s.strip_suffix('%') {
        return number(x.trim_end(), decimal_comma).map(|v| v / 100.0);
    }
    let v = match s.parse::<f64>() {
        Ok(v) => v,
        Err(_) if decimal_comma && s.matches(',').count() == 1 && !s.contains('.') => {
            s.replace(',', ".").parse::<f64>().ok()?
        }
        Err(_) => return None,
    };
    v.is_finite().then_some(v)
}

fn kind(s: &str, decimal_comma: bool) -> Kind {
    if MISSING.contains(&s.to_lowercase().as_str()) {
        Kind::Missing
    } else {
        number(s, decimal_comma).map_or(Kind::Text, Kind::Number)
    }
}

/// Most frequent field count (ties: the earliest).
fn modal_width(records: &[Record]) -> usize {
    let mut counts: Vec<(usize, usize)> = vec![];
    for r in records {
        let w = r.fields.len();
        match counts.iter_mut().find(|(x, _)| *x == w) {
            Some(c) => c.1 += 1,
            None => counts.push((w, 1)),
        }
    }
    let mut best = (0, 0);
    for (w, c) in counts {
        if c > best.1 {
            best = (w, c);
        }
    }
    best.0
}

/// Header row, label column and the width of a data row.
struct Shape {
    header: bool,
    label_column: bool,
    width: usize,
}

fn detect_shape(records: &[Record], dc: bool) -> Shape {
    let first = &records[0].fields;
    let rest = &records[1..];
    let n = records.len();
    let m = if rest.is_empty() {
        first.len()
    } else {
        modal_width(rest)
    };
    let tally = |cells: &mut dyn Iterator<Item = &String>| {
        let (mut text, mut num) = (0usize, 0usize);
        for c in cells {
            match kind(c, dc) {
                Kind::Text => text += 1,
                Kind::Number(_) => num += 1,
                Kind::Missing => {}
            }
        }
        text > num
    };
    let text_row0 = tally(&mut first.iter().skip(1));
    let text_col0 = tally(&mut rest.iter().filter_map(|r| r.fields.first()));
    let text_corner = first.first().is_some_and(|c| kind(c, dc) == Kind::Text);
    let short_header = first.len() + 1 == m;
    let (header, label_column) = match (text_row0, text_col0) {
        (true, true) => (true, true),
        (true, false) => (true, short_header || m == n),
        (false, true) => (n == m || short_header, true),
        (false, false) if short_header && n == m => (true, true),
        (false, false) if text_corner => (n == m || n == m + 1, n == m || m == n + 1),
        (false, false) => {
            let corner_blank = first.first().is_some_and(|c| c.is_empty());
            let row0 = &first[1.min(first.len())..];
            let col0: Vec<&String> = rest.iter().filter_map(|r| r.fields.first()).collect();
            let same = row0.len() == col0.len() && row0.iter().zip(&col0).all(|(a, b)| a == *b);
            let mut sorted: Vec<&String> = row0.iter().collect();
            sorted.sort();
            sorted.dedup();
            let both = n == m && corner_blank && same && sorted.len() == row0.len();
            (both, both)
        }
    };
    Shape {
        header,
        label_column,
        width: m,
    }
}

/// Checks labels (non-empty, distinct).
fn check_labels(labels: &[(String, Place)]) -> Result<(), ImportError> {
    let mut seen: HashMap<&str, &Place> = HashMap::new();
    for (label, at) in labels {
        if label.is_empty() {
            return Err(ImportError::EmptyLabel { at: at.clone() });
        }
        if let Some(first) = seen.insert(label, at) {
            return Err(ImportError::DuplicateLabel {
                at: at.clone(),
                label: label.clone(),
                first: first.clone(),
            });
        }
    }
    Ok(())
}

fn cell(row: usize, column: usize) -> Place {
    Place::Cell { row, column }
}

/// Header labels and row labels, each with the cell it was read from.
type Labels = Vec<(String, Place)>;

/// A K×K matrix with optional header row and label column.
fn matrix(
    records: &[Record],
    delimiter: u8,
    format: Option<Format>,
) -> Result<Imported, ImportError> {
    let dc = delimiter != b',';
    let shape = detect_shape(records, dc);
    let lc = usize::from(shape.label_column);
    let m = shape.width;
    let data = &records[usize::from(shape.header)..];
    // Rows of different lengths that hold words: name the first word where a number
    // belongs, which says more than the lengths do.
    let first_full = check_row_widths(data, m)
        .map_err(|ragged| first_text_cell(data, lc, dc).unwrap_or(ragged))?;
    let header_labels = if shape.header {
        Some(
            column_labels(&records[0], &shape, first_full)
                .map_err(|ragged| first_text_cell(data, lc, dc).unwrap_or(ragged))?,
        )
    } else {
        None
    };
    let k = data.len();
    let columns = m.saturating_sub(lc);
    if k != columns {
        return Err(ImportError::NotSquare { rows: k, columns });
    }
    check_k(k)?;
    let row_labels: Option<Labels> = shape.label_column.then(|| {
        data.iter()
            .map(|r| (r.fields[0].clone(), cell(r.row, 1)))
            .collect()
    });
    if let Some(h) = &header_labels {
        check_labels(h)?;
    }
    if let Some(r) = &row_labels {
        check_labels(r)?;
    }
    let (labels, order) = labels_and_order(header_labels, row_labels, k)?;
    let cells = matrix_cells(data, &order, lc, dc)?;
    let mut imported = grid::build(labels, &cells, format)?;
    imported.layout = Some(TableLayout {
        delimiter: char::from(delimiter),
        header: shape.header,
        label_column: shape.label_column,
    });
    Ok(imported)
}

/// The first cell of `data` outside the label column (`lc` = 1 when there is one), else
/// anywhere, that is neither a number nor a blank, as the error that names it.
fn first_text_cell(data: &[Record], lc: usize, dc: bool) -> Option<ImportError> {
    let from = |skip: usize| {
        data.iter().find_map(|r| {
            r.fields.iter().enumerate().skip(skip).find_map(|(c, s)| {
                (kind(s, dc) == Kind::Text).then(|| ImportError::NotANumber {
                    at: cell(r.row, c + 1),
                    text: s.clone(),
                })
            })
        })
    };
    from(lc).or_else(|| from(0))
}

/// Checks that every data row has `m` fields; returns the line of the first such row
/// (0 if none).
fn check_row_widths(data: &[Record], m: usize) -> Result<usize, ImportError> {
    let first_full = data
        .iter()
        .find(|r| r.fields.len() == m)
        .map_or(0, |r| r.row);
    if let Some(r) = data.iter().find(|r| r.fields.len() != m) {
        return Err(ImportError::Ragged {
            row: r.row,
            got: r.fields.len(),
            expected: m,
            first_row: first_full,
        });
    }
    Ok(first_full)
}

/// The column labels in header row `h` (without a corner cell), given data rows of
/// `shape.width` fields, the first of them on line `first_full`.
fn column_labels(h: &Record, shape: &Shape, first_full: usize) -> Result<Labels, ImportError> {
    let m = shape.width;
    let blank_corner = h.fields.first().is_some_and(|c| c.is_empty());
    let skip = match h.fields.len() {
        w if w == m && shape.label_column => 1,
        w if w + 1 == m && shape.label_column => 0,
        w if w == m => 0,
        w if w == m + 1 && blank_corner => 1,
        w => {
            return Err(ImportError::Ragged {
                row: h.row,
                got: w,
                expected: m,
                first_row: first_full,
            })
        }
    };
    Ok(h.fields
        .iter()
        .enumerate()
        .skip(skip)
        .map(|(c, s)| (s.clone(), cell(h.row, c + 1)))
        .collect())
}

/// The K item labels (header first, else row labels, else defaults) and, for each
/// matrix row, the index of the data row it is read from.
fn labels_and_order(
    header_labels: Option<Labels>,
    row_labels: Option<Labels>,
    k: usize,
) -> Result<(Vec<String>, Vec<usize>), ImportError> {
    let texts = |labels: Labels| -> Vec<String> { labels.into_iter().map(|(l, _)| l).collect() };
    Ok(match (header_labels, row_labels) {
        (Some(h), Some(r)) => {
            let order = row_order(&h, &r, k)?;
            (texts(h), order)
        }
        (Some(h), None) => (texts(h), (0..k).collect()),
        (None, Some(r)) => (texts(r), (0..k).collect()),
        (None, None) => (default_labels(k), (0..k).collect()),
    })
}

/// For each header label, the index of the data row labelled with it; errors on a row
/// label missing from the header.
fn row_order(
    h: &[(String, Place)],
    r: &[(String, Place)],
    k: usize,
) -> Result<Vec<usize>, ImportError> {
    let mut order: Vec<usize> = (0..k).collect();
    let position: HashMap<&str, usize> = r
        .iter()
        .enumerate()
        .map(|(i, (l, _))| (l.as_str(), i))
        .collect();
    let in_header: HashMap<&str, usize> = h
        .iter()
        .enumerate()
        .map(|(i, (l, _))| (l.as_str(), i))
        .collect();
    if let Some((label, at)) = r.iter().find(|(l, _)| !in_header.contains_key(l.as_str())) {
        return Err(ImportError::UnknownRowLabel {
            at: at.clone(),
            label: label.clone(),
        });
    }
    for (i, (l, _)) in h.iter().enumerate() {
        order[i] = position.get(l.as_str()).copied().unwrap_or(i);
    }
    Ok(order)
}

/// The matrix cells: data rows taken in `order`, each read after its `lc` label columns.
fn matrix_cells(
    data: &[Record],
    order: &[usize],
    lc: usize,
    dc: bool,
) -> Result<Vec<Vec<Entry>>, ImportError> {
    let k = order.len();
    let mut cells: Vec<Vec<Entry>> = Vec::with_capacity(k);
    for &src in order {
        let r = &data[src];
        let mut row = Vec::with_capacity(k);
        for j in 0..k {
            let s = &r.fields[lc + j];
            let at = cell(r.row, lc + j + 1);
            let value = match kind(s, dc) {
                Kind::Missing => None,
                Kind::Number(v) => Some(v),
                Kind::Text => {
                    return Err(ImportError::NotANumber {
                        at,
                        text: s.clone(),
                    })
                }
            };
            row.push(Entry { value, at });
        }
        cells.push(row);
    }
    Ok(cells)
}

/// Columns of a comparison list.
struct Columns {
    a: usize,
    b: usize,
    outcome: usize,
    width: usize,
    names: String,
}

/// A header naming the outcome column (and the item columns, or three columns in all).
fn named_columns(fields: &[String]) -> Option<Columns> {
    let lower: Vec<String> = fields.iter().map(|f| f.to_lowercase()).collect();
    let pos = |name: &str| lower.iter().position(|f| f == name);
    let outcome = OUTCOME_COLUMNS.iter().find_map(|w| pos(w))?;
    let names = fields.join(", ");
    for (x, y) in ITEM_COLUMNS {
        if let (Some(a), Some(b)) = (pos(x), pos(y)) {
            return Some(Columns {
                a,
                b,
                outcome,
                width: fields.len(),
                names,
            });
        }
    }
    let others: Vec<usize> = (0..fields.len()).filter(|&c| c != outcome).collect();
    match others[..] {
        [a, b] => Some(Columns {
            a,
            b,
            outcome,
            width: 3,
            names,
        }),
        _ => None,
    }
}

/// Most records have three fields, the first two of them names.
fn looks_like_comparisons(records: &[Record], delimiter: u8) -> bool {
    let dc = delimiter != b',';
    let named = records
        .iter()
        .filter(|r| {
            r.fields.len() == 3
                && kind(&r.fields[0], dc) == Kind::Text
                && kind(&r.fields[1], dc) == Kind::Text
        })
        .count();
    modal_width(records) == 3 && 2 * named > records.len()
}

/// A comparison's outcome: the first item's share of a win, or a tie.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Outcome {
    Share(f64),
    Tie,
}

fn outcome(text: &str, a: &str, b: &str, dc: bool) -> Option<Outcome> {
    if text == a {
        return Some(Outcome::Share(1.0));
    }
    if text == b {
        return Some(Outcome::Share(0.0));
    }
    let l = text.to_lowercase();
    let (la, lb) = (a.to_lowercase(), b.to_lowercase());
    if la != lb {
        if l == la {
            return Some(Outcome::Share(1.0));
        }
        if l == lb {
            return Some(Outcome::Share(0.0));
        }
    }
    if l.starts_with("tie") || TIE_WORDS.contains(&l.as_str()) {
        return Some(Outcome::Tie);
    }
    if FIRST_WORDS.contains(&l.as_str()) {
        return Some(Outcome::Share(1.0));
    }
    if SECOND_WORDS.contains(&l.as_str()) {
        return Some(Outcome::Share(0.0));
    }
    let v = number(text, dc).filter(|v| (0.0..=1.0).contains(v))?;
    Some(if v == 0.5 {
        Outcome::Tie
    } else {
        Outcome::Share(v)
    })
}

/// A first line `x,y,z` whose outcome is unreadable and whose names never reappear.
fn unnamed_header(records: &[Record], dc: bool) -> bool {
    let Some(first) = records.first() else {
        return false;
    };
    let [a, b, o] = &first.fields[..] else {
        return false;
    };
    outcome(o, a, b, dc).is_none()
        && records.len() > 1
        && !records[1..]
            .iter()
            .any(|r| r.fields.iter().take(2).any(|x| x == a || x == b))
}

/// A comparison: the indices of its two items and its outcome.
type Game = (usize, usize, Outcome);

/// One comparison per line.
fn comparisons(records: &[Record], delimiter: u8) -> Result<Imported, ImportError> {
    let dc = delimiter != b',';
    let (cols, skip) = comparison_columns(records, dc);
    let (labels, games) = read_games(records, skip, &cols, dc)?;
    if games.is_empty() {
        return Err(ImportError::Empty);
    }
    let k = labels.len();
    check_k(k)?;
    let counts = tally(&games, k);
    let mut imported = grid::from_counts(Format::Comparisons, labels, counts);
    imported.layout = Some(TableLayout {
        delimiter: char::from(delimiter),
        header: skip == 1,
        label_column: false,
    });
    Ok(imported)
}

/// The columns of a comparison list (named by its header, else `a, b, outcome`) and the
/// number of header lines (0 or 1).
fn comparison_columns(records: &[Record], dc: bool) -> (Columns, usize) {
    match records.first().and_then(|r| named_columns(&r.fields)) {
        Some(c) => (c, 1),
        None => (
            Columns {
                a: 0,
                b: 1,
                outcome: 2,
                width: 3,
                names: "a, b, outcome".into(),
            },
            usize::from(unnamed_header(records, dc)),
        ),
    }
}

/// The item labels (in order of first appearance) and the games of the records after the
/// first `skip`.
fn read_games(
    records: &[Record],
    skip: usize,
    cols: &Columns,
    dc: bool,
) -> Result<(Vec<String>, Vec<Game>), ImportError> {
    let mut index: HashMap<&str, usize> = HashMap::new();
    let mut labels: Vec<String> = vec![];
    let mut games: Vec<Game> = vec![];
    for r in records.iter().skip(skip) {
        let (a, b, result) = read_comparison(r, cols, dc)?;
        let mut ids = [0usize; 2];
        for (slot, name) in [a, b].into_iter().enumerate() {
            let next = index.len();
            ids[slot] = *index.entry(name.as_str()).or_insert_with(|| {
                labels.push(name.clone());
                next
            });
        }
        let [ia, ib] = ids;
        games.push((ia, ib, result));
    }
    Ok((labels, games))
}

/// The two item names and the outcome of one comparison line, checked.
fn read_comparison<'r>(
    r: &'r Record,
    cols: &Columns,
    dc: bool,
) -> Result<(&'r String, &'r String, Outcome), ImportError> {
    if r.fields.len() != cols.width {
        return Err(ImportError::FieldCount {
            row: r.row,
            got: r.fields.len(),
            expected: cols.width,
            columns: cols.names.clone(),
        });
    }
    let (a, b, o) = (
        &r.fields[cols.a],
        &r.fields[cols.b],
        &r.fields[cols.outcome],
    );
    for (name, c) in [(a, cols.a), (b, cols.b)] {
        if name.is_empty() {
            return Err(ImportError::EmptyLabel {
                at: cell(r.row, c + 1),
            });
        }
    }
    if a == b {
        return Err(ImportError::SelfComparison {
            row: r.row,
            label: a.clone(),
        });
    }
    let Some(result) = outcome(o, a, b, dc) else {
        return Err(ImportError::UnknownWinner {
            at: cell(r.row, cols.outcome + 1),
            text: o.clone(),
            a: a.clone(),
            b: b.clone(),
        });
    };
    Ok((a, b, result))
}

/// Win and tie counts of `games` among `k` items (a win share `s` counts `s` for the
/// first item and `1 − s` for the second).
fn tally(games: &[Game], k: usize) -> Counts {
    let mut wins = vec![vec![0.0; k]; k];
    let mut ties = vec![vec![0.0; k]; k];
    for &(a, b, result) in games {
        match result {
            Outcome::Share(s) => {
                wins[a][b] += s;
                wins[b][a] += 1.0 - s;
            }
            Outcome::Tie => {
                ties[a][b] += 1.0;
                ties[b][a] += 1.0;
            }
        }
    }
    Counts {
        wins,
        ties: Some(ties),
    }
}
