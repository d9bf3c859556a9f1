//! A labelled matrix in two short query values (format in the module docs).

use std::collections::HashSet;

use percent_encoding::percent_decode_str;
use serde::Serialize;

use crate::preference::{default_labels, PreferenceError, PreferenceMatrix, MAX_K};

/// Largest error of the 16-bit values: half a step of 1/65535.
pub const LINK_PRECISION: f64 = 1.0 / 131_070.0;
/// Longest label (in characters) a link carries.
pub const MAX_LINK_LABEL: usize = 40;

const PREFIX: &str = "b64";
const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
/// Bits per value for `b64:`.
const RAW_BITS: u32 = 16;
const RAW_SCALE: f64 = 65_535.0;
/// Most decimals written exactly (`b64d1:` … `b64d4:`).
const MAX_EXACT_DECIMALS: u32 = 4;

/// Why a link's matrix or labels cannot be read or written.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum LinkError {
    #[error("the matrix value must start with “b64:” or “b64d1:” … “b64d4:”, found “{found}”")]
    UnknownPrefix { found: String },
    #[error("character {position} of the matrix value, “{found}”, is not base64url (A–Z, a–z, 0–9, -, _)")]
    BadCharacter { position: usize, found: char },
    #[error("{chars} base64url characters of {bits}-bit values do not hold the upper triangle of any K from 2 to {MAX_K}")]
    BadLength { chars: usize, bits: u32 },
    #[error("the matrix value ends in non-zero padding bits")]
    TrailingBits,
    #[error("value {index} of the matrix, {code}/{scale}, is above 1")]
    ValueTooLarge { index: usize, code: u32, scale: u32 },
    #[error("{got} labels for K = {k}")]
    LabelCount { got: usize, k: usize },
    #[error("label {index} is empty")]
    EmptyLabel { index: usize },
    #[error("label {index} has {chars} characters; a link carries at most {MAX_LINK_LABEL}")]
    LabelTooLong { index: usize, chars: usize },
    #[error("label {index}, “{label}”, appears twice")]
    DuplicateLabel { index: usize, label: String },
    #[error("label {index} is not valid UTF-8 once percent-decoded")]
    LabelNotUtf8 { index: usize },
    #[error(transparent)]
    Matrix(#[from] PreferenceError),
}

/// The two query values of a labelled matrix, as the query parser hands them back
/// (escape them like any other value when writing the link).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LinkFields {
    /// `b64:…` or `b64dN:…`.
    pub values: String,
    /// Labels joined by `,`.
    pub labels: String,
}

/// The fewest decimals (at most 9) that write every value exactly, if any.
pub fn data_decimals(values: &[f64]) -> Option<u32> {
    (0..=9u32).find(|&d| {
        let s = 10f64.powi(d as i32);
        values
            .iter()
            .all(|&v| ((v * s).round() / s - v).abs() <= 1e-12)
    })
}

/// Bits per value for `N` exact decimals: ⌈log₂(10^N + 1)⌉.
fn decimal_bits(n: u32) -> u32 {
    let top = 10u32.pow(n);
    u32::BITS - top.leading_zeros()
}

/// Packs codes of `bits` bits each into base64url.
fn pack(codes: &[u32], bits: u32) -> String {
    let mut out = String::with_capacity((codes.len() * bits as usize).div_ceil(6));
    let mut acc: u32 = 0;
    let mut held: u32 = 0;
    let push = |out: &mut String, six: u32| {
        out.push(char::from(ALPHABET[(six & 63) as usize]));
    };
    for &c in codes {
        acc = (acc << bits) | (c & ((1 << bits) - 1));
        held += bits;
        while held >= 6 {
            held -= 6;
            push(&mut out, acc >> held);
        }
        acc &= (1 << held) - 1;
    }
    if held > 0 {
        push(&mut out, acc << (6 - held));
    }
    out
}

/// The upper triangle in the link format: exact with `b64dN:` when every value has at
/// most 4 decimals, else 16-bit `b64:`. Values are clamped to [0, 1].
pub fn encode_values(upper: &[f64]) -> String {
    let clamp = |v: f64| if v.is_nan() { 0.5 } else { v.clamp(0.0, 1.0) };
    match data_decimals(upper).filter(|&d| d <= MAX_EXACT_DECIMALS) {
        Some(d) => {
            let n = d.max(1);
            let scale = f64::from(10u32.pow(n));
            let codes: Vec<u32> = upper
                .iter()
                .map(|&v| (clamp(v) * scale).round() as u32)
                .collect();
            format!("{PREFIX}d{n}:{}", pack(&codes, decimal_bits(n)))
        }
        None => {
            let codes: Vec<u32> = upper
                .iter()
                .map(|&v| (clamp(v) * RAW_SCALE).round() as u32)
                .collect();
            format!("{PREFIX}:{}", pack(&codes, RAW_BITS))
        }
    }
}

/// Reads a matrix value: `(K, upper triangle)`.
pub fn decode_values(s: &str) -> Result<(usize, Vec<f64>), LinkError> {
    let (head, payload) = s.split_once(':').ok_or_else(|| LinkError::UnknownPrefix {
        found: s.chars().take(8).collect(),
    })?;
    let (bits, scale) = match head.strip_prefix(PREFIX) {
        Some("") => (RAW_BITS, 65_535u32),
        Some(d) => match d.strip_prefix('d').and_then(|n| n.parse::<u32>().ok()) {
            Some(n) if (1..=MAX_EXACT_DECIMALS).contains(&n) && d.len() == 2 => {
                (decimal_bits(n), 10u32.pow(n))
            }
            _ => {
                return Err(LinkError::UnknownPrefix {
                    found: head.chars().take(8).collect(),
                })
            }
        },
        None => {
            return Err(LinkError::UnknownPrefix {
                found: head.chars().take(8).collect(),
            })
        }
    };
    let mut sixes = Vec::with_capacity(payload.len());
    for (i, c) in payload.chars().enumerate() {
        let v = u8::try_from(c)
            .ok()
            .and_then(|b| ALPHABET.iter().position(|&a| a == b));
        match v {
            Some(v) => sixes.push(v as u32),
            None => {
                return Err(LinkError::BadCharacter {
                    position: head.chars().count() + 1 + i + 1,
                    found: c,
                })
            }
        }
    }
    let total = sixes.len().saturating_mul(6);
    let b = bits as usize;
    let k = (2..=MAX_K)
        .find(|&k| {
            let n = k * (k - 1) / 2;
            n * b <= total && total < n * b + 6
        })
        .ok_or(LinkError::BadLength {
            chars: sixes.len(),
            bits,
        })?;
    let n = k * (k - 1) / 2;
    let mut out = Vec::with_capacity(n);
    let mut acc: u64 = 0;
    let mut held: u32 = 0;
    let mut next = sixes.iter();
    for index in 1..=n {
        while held < bits {
            let six = next.next().copied().unwrap_or(0);
            acc = (acc << 6) | u64::from(six);
            held += 6;
        }
        held -= bits;
        let code = ((acc >> held) & ((1 << bits) - 1)) as u32;
        acc &= (1 << held) - 1;
        if code > scale {
            return Err(LinkError::ValueTooLarge { index, code, scale });
        }
        out.push(f64::from(code) / f64::from(scale));
    }
    if acc != 0 || next.any(|&s| s != 0) {
        return Err(LinkError::TrailingBits);
    }
    Ok((k, out))
}

/// Checks labels for a link: non-empty, at most [`MAX_LINK_LABEL`] characters, distinct.
fn check_labels(labels: &[String]) -> Result<(), LinkError> {
    let mut seen = HashSet::new();
    for (i, l) in labels.iter().enumerate() {
        let index = i + 1;
        let chars = l.chars().count();
        if chars == 0 {
            return Err(LinkError::EmptyLabel { index });
        }
        if chars > MAX_LINK_LABEL {
            return Err(LinkError::LabelTooLong { index, chars });
        }
        if !seen.insert(l.as_str()) {
            return Err(LinkError::DuplicateLabel {
                index,
                label: l.clone(),
            });
        }
    }
    Ok(())
}

/// Labels joined by `,`, with `%`, `,` and control characters percent-escaped.
pub fn encode_labels(labels: &[String]) -> Result<String, LinkError> {
    check_labels(labels)?;
    let mut out = String::new();
    for (i, l) in labels.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        for c in l.chars() {
            if c == '%' || c == ',' || c.is_control() {
                let mut buf = [0u8; 4];
                for b in c.encode_utf8(&mut buf).bytes() {
                    out.push_str(&format!("%{b:02X}"));
                }
            } else {
                out.push(c);
            }
        }
    }
    Ok(out)
}

/// Reads `k` labels written by [`encode_labels`].
pub fn decode_labels(s: &str, k: usize) -> Result<Vec<String>, LinkError> {
    let parts: Vec<&str> = s.split(',').collect();
    if parts.len() != k {
        return Err(LinkError::LabelCount {
            got: parts.len(),
            k,
        });
    }
    let labels = parts
        .iter()
        .enumerate()
        .map(|(i, p)| {
            percent_decode_str(p)
                .decode_utf8()
                .map(|c| c.into_owned())
                .map_err(|_| LinkError::LabelNotUtf8 { index: i + 1 })
        })
        .collect::<Result<Vec<_>, _>>()?;
    check_labels(&labels)?;
    Ok(labels)
}

/// Both link values of a labelled matrix.
pub fn encode_link(m: &PreferenceMatrix) -> Result<LinkFields, LinkError> {
    Ok(LinkFields {
        values: encode_values(&m.upper()),
        labels: encode_labels(m.labels())?,
    })
}

/// The matrix from its link values (default labels A, B, … without `labels`).
pub fn decode_link(values: &str, labels: Option<&str>) -> Result<PreferenceMatrix, LinkError> {
    let (k, upper) = decode_values(values)?;
    let labels = match labels {
        Some(s) => decode_labels(s, k)?,
        None => default_labels(k),
    };
    Ok(PreferenceMatrix::from_upper(k, &upper)?.with_labels(labels)?)
}
