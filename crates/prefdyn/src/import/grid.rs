//! A K×K grid of read numbers, turned into probabilities or counts.

use super::{Counts, Format, ImportError, Imported, Place};
use crate::preference::PAIR_TOLERANCE;

/// One cell: its number (`None` when missing) and where it was read.
pub(super) struct Entry {
    pub value: Option<f64>,
    pub at: Place,
}

/// Whether any off-diagonal value exceeds 1 (then the grid holds counts).
pub(super) fn looks_like_counts(cells: &[Vec<Entry>]) -> bool {
    cells.iter().enumerate().any(|(i, row)| {
        row.iter()
            .enumerate()
            .any(|(j, e)| i != j && e.value.is_some_and(|v| v > 1.0))
    })
}

/// Reads the grid in the given matrix format (`None`: detect).
pub(super) fn build(
    labels: Vec<String>,
    cells: &[Vec<Entry>],
    format: Option<Format>,
) -> Result<Imported, ImportError> {
    let counts = match format {
        Some(Format::WinCounts) => true,
        Some(_) => false,
        None => looks_like_counts(cells),
    };
    if counts {
        let wins = win_counts(cells)?;
        Ok(from_counts(
            Format::WinCounts,
            labels,
            Counts { wins, ties: None },
        ))
    } else {
        let (p, never) = probabilities(cells)?;
        Ok(Imported::new(Format::Probabilities, labels, p, None, never))
    }
}

/// Rows of `P` and the pairs never compared.
pub(super) type Filled = (Vec<Vec<f64>>, Vec<(usize, usize)>);

/// Checks a grid of probabilities and fills missing cells: `P_ij = 1 − P_ji` when one
/// of the two is given, 1/2 (and never compared) when neither is.
pub(super) fn probabilities(cells: &[Vec<Entry>]) -> Result<Filled, ImportError> {
    for (i, row) in cells.iter().enumerate() {
        for (j, e) in row.iter().enumerate() {
            let Some(v) = e.value else { continue };
            if i == j {
                if v != 0.0 && (v - 0.5).abs() > PAIR_TOLERANCE {
                    return Err(ImportError::BadDiagonal {
                        at: e.at.clone(),
                        value: v,
                    });
                }
            } else if !(0.0..=1.0).contains(&v) {
                return Err(ImportError::OutOfRange {
                    at: e.at.clone(),
                    value: v,
                });
            }
        }
    }
    let k = cells.len();
    let mut p = vec![vec![0.5; k]; k];
    let mut never = vec![];
    for i in 0..k {
        for j in i + 1..k {
            match (cells[i][j].value, cells[j][i].value) {
                (Some(x), Some(y)) => {
                    p[i][j] = x;
                    p[j][i] = y;
                }
                (Some(x), None) => {
                    p[i][j] = x;
                    p[j][i] = 1.0 - x;
                }
                (None, Some(y)) => {
                    p[i][j] = 1.0 - y;
                    p[j][i] = y;
                }
                (None, None) => never.push((i, j)),
            }
        }
    }
    Ok((p, never))
}

/// Checks a grid of win counts (missing = 0, diagonal ignored).
pub(super) fn win_counts(cells: &[Vec<Entry>]) -> Result<Vec<Vec<f64>>, ImportError> {
    let k = cells.len();
    let mut wins = vec![vec![0.0; k]; k];
    for (i, row) in cells.iter().enumerate() {
        for (j, e) in row.iter().enumerate() {
            if i == j {
                continue;
            }
            let v = e.value.unwrap_or(0.0);
            if v < 0.0 {
                return Err(ImportError::NegativeCount {
                    at: e.at.clone(),
                    value: v,
                });
            }
            wins[i][j] = v;
        }
    }
    Ok(wins)
}

/// The smoothed matrix of counts; pairs with no games are never compared.
pub(super) fn from_counts(format: Format, labels: Vec<String>, counts: Counts) -> Imported {
    let k = counts.wins.len();
    let mut p = vec![vec![0.5; k]; k];
    let mut never = vec![];
    for i in 0..k {
        for j in i + 1..k {
            let v = counts.smoothed(i, j);
            p[i][j] = v;
            p[j][i] = 1.0 - v;
            if counts.games(i, j) == 0.0 {
                never.push((i, j));
            }
        }
    }
    Imported::new(format, labels, p, Some(counts), never)
}
