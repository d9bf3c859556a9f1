//! The shipped preset JSON (`items`, `P`, `counts`, `ties`, `name`, `source`).

use std::collections::HashMap;

use serde_json::Value;

use super::grid::{self, Entry};
use super::{check_k, Counts, Format, ImportError, Imported, Place};
use crate::preference::default_labels;

fn field_error(field: &str, message: impl Into<String>) -> ImportError {
    ImportError::JsonField {
        field: field.into(),
        message: message.into(),
    }
}

/// Reads a preset object, or a bare array of rows of `P`.
pub(super) fn read(text: &str) -> Result<Imported, ImportError> {
    let value: Value = serde_json::from_str(text).map_err(|e| ImportError::JsonSyntax {
        row: e.line(),
        column: e.column(),
        message: e.to_string(),
    })?;
    let mut imported = match &value {
        Value::Array(_) => {
            let cells = matrix_field("P", &value)?;
            grid::build(default_labels(cells.len()), &cells, None)?
        }
        Value::Object(o) => {
            let present = |name: &str| o.get(name).filter(|v| !v.is_null());
            let p = present("P").map(|v| matrix_field("P", v)).transpose()?;
            let counts = present("counts")
                .map(|v| matrix_field("counts", v))
                .transpose()?;
            let ties = present("ties")
                .map(|v| matrix_field("ties", v))
                .transpose()?;
            let k = match (&p, &counts) {
                (Some(p), _) => p.len(),
                (None, Some(c)) => c.len(),
                (None, None) => {
                    return Err(field_error(
                        "P",
                        "missing: give “P” (K×K probabilities) or “counts” (K×K wins)",
                    ))
                }
            };
            for (name, m) in [("counts", &counts), ("ties", &ties)] {
                if let Some(m) = m {
                    if m.len() != k {
                        return Err(field_error(
                            name,
                            format!("{} rows, but the matrix has K = {k}", m.len()),
                        ));
                    }
                }
            }
            let labels = match o
                .get("items")
                .map(|v| ("items", v))
                .or_else(|| o.get("labels").map(|v| ("labels", v)))
            {
                Some((name, v)) if !v.is_null() => labels_field(name, v, k)?,
                _ => default_labels(k),
            };
            let counts = match counts {
                Some(c) => Some(Counts {
                    wins: grid::win_counts(&c)?,
                    ties: ties.map(|t| tie_counts(&t)).transpose()?,
                }),
                None => None,
            };
            let mut imported = match (p, counts) {
                (Some(p), counts) => {
                    let (p, never) = grid::probabilities(&p)?;
                    Imported::new(Format::Json, labels, p, counts, never)
                }
                (None, Some(counts)) => grid::from_counts(Format::Json, labels, counts),
                (None, None) => return Err(field_error("P", "missing")),
            };
            imported.name = o.get("name").and_then(Value::as_str).map(str::to_owned);
            imported.source = o.get("source").filter(|v| !v.is_null()).cloned();
            imported
        }
        _ => {
            return Err(field_error(
                "(top level)",
                "expected an object with “items” and “P” or “counts”",
            ))
        }
    };
    imported.format = Format::Json;
    Ok(imported)
}

/// A K×K matrix of numbers or `null`.
fn matrix_field(field: &str, v: &Value) -> Result<Vec<Vec<Entry>>, ImportError> {
    let rows = v
        .as_array()
        .ok_or_else(|| field_error(field, "must be a list of rows"))?;
    let k = rows.len();
    check_k(k)?;
    let mut out = Vec::with_capacity(k);
    for (i, row) in rows.iter().enumerate() {
        let r = row
            .as_array()
            .ok_or_else(|| field_error(field, format!("row {} is not a list", i + 1)))?;
        if r.len() != k {
            return Err(field_error(
                field,
                format!(
                    "row {} has {} entries; a matrix of K = {k} rows needs {k}",
                    i + 1,
                    r.len()
                ),
            ));
        }
        let mut cells = Vec::with_capacity(k);
        for (j, x) in r.iter().enumerate() {
            let at = Place::Entry {
                field: field.into(),
                row: i + 1,
                column: j + 1,
            };
            let value = match x {
                Value::Null => None,
                Value::Number(n) => n.as_f64().filter(|v| v.is_finite()),
                _ => None,
            };
            if value.is_none() && !x.is_null() {
                return Err(ImportError::NotANumber {
                    at,
                    text: x.to_string(),
                });
            }
            cells.push(Entry { value, at });
        }
        out.push(cells);
    }
    Ok(out)
}

/// Ties: non-negative, missing = 0.
fn tie_counts(cells: &[Vec<Entry>]) -> Result<Vec<Vec<f64>>, ImportError> {
    grid::win_counts(cells)
}

/// K distinct non-empty strings.
fn labels_field(field: &str, v: &Value, k: usize) -> Result<Vec<String>, ImportError> {
    let items = v
        .as_array()
        .ok_or_else(|| field_error(field, "must be a list of strings"))?;
    if items.len() != k {
        return Err(field_error(
            field,
            format!("{} labels for a matrix of K = {k}", items.len()),
        ));
    }
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut out = Vec::with_capacity(k);
    for (i, item) in items.iter().enumerate() {
        let at = Place::Item {
            field: field.into(),
            index: i + 1,
        };
        let label = item
            .as_str()
            .ok_or_else(|| field_error(field, format!("entry {} is not a string", i + 1)))?
            .trim()
            .to_owned();
        if label.is_empty() {
            return Err(ImportError::EmptyLabel { at });
        }
        if let Some(&first) = seen.get(&label) {
            return Err(ImportError::DuplicateLabel {
                at,
                label,
                first: Place::Item {
                    field: field.into(),
                    index: first,
                },
            });
        }
        seen.insert(label.clone(), i + 1);
        out.push(label);
    }
    Ok(out)
}
