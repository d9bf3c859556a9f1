//! Importing preferences: every format from literal text, the smoothing, the report
//! (never-compared and inconsistent pairs), every error named by row and column, short
//! labels on the shipped presets, the link encoding (K = 20 budget, precision, junk never
//! panics) and the CSV export round trip.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::panic::{catch_unwind, AssertUnwindSafe};

use percent_encoding::{utf8_percent_encode, AsciiSet, CONTROLS};
use prefdyn::import::{
    data_decimals, decode_labels, decode_link, decode_values, encode_labels, encode_link,
    encode_values, matrix_to_csv, parse_preferences, short_labels, Format, ImportError, LinkError,
    Place, TableLayout, LINK_PRECISION, MAX_LINK_LABEL,
};
use prefdyn::presets::{preset, preset_keys, PRESET_FILES};
use prefdyn::PreferenceMatrix;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

fn read(text: &str) -> prefdyn::import::Imported {
    parse_preferences(text, None).unwrap_or_else(|e| panic!("{e}\n---\n{text}"))
}

fn error(text: &str, format: Option<Format>) -> (ImportError, String) {
    let e = parse_preferences(text, format).expect_err(text);
    let msg = e.to_string();
    (e, msg)
}

// ---------------------------------------------------------------- formats

#[test]
fn probabilities_csv_with_header_and_label_column() {
    let m = read(",gpt-4,claude,vicuna\ngpt-4,,0.7,0.8\nclaude,0.3,0.5,0.6\nvicuna,0.2,0.4,\n");
    assert_eq!(m.format, Format::Probabilities);
    assert_eq!(m.labels, strings(&["gpt-4", "claude", "vicuna"]));
    assert_eq!(
        m.p,
        vec![
            vec![0.5, 0.7, 0.8],
            vec![0.3, 0.5, 0.6],
            vec![0.2, 0.4, 0.5]
        ]
    );
    assert_eq!(
        m.layout,
        Some(TableLayout {
            delimiter: ',',
            header: true,
            label_column: true
        })
    );
    assert!(m.never_compared.is_empty());
    assert!(m.inconsistent.is_empty());
    assert!(m.counts.is_none());
    let pm = m.matrix().unwrap();
    assert_eq!(pm.get(0, 1), 0.7);
    assert_eq!(pm.labels()[2], "vicuna");
}

#[test]
fn probabilities_tsv_without_labels() {
    let m = read("0.5\t0.25\n0.75\t0.5\n");
    assert_eq!(m.format, Format::Probabilities);
    assert_eq!(m.labels, strings(&["A", "B"]));
    assert_eq!(m.p, vec![vec![0.5, 0.25], vec![0.75, 0.5]]);
    assert_eq!(m.layout.unwrap().delimiter, '\t');
}

#[test]
fn probabilities_semicolon_decimal_comma_header_only() {
    let m = read("a;b;c\n0,5;0,6;0,7\n0,4;0,5;0,1\n0,3;0,9;0,5\n");
    assert_eq!(m.labels, strings(&["a", "b", "c"]));
    assert_eq!(
        m.p,
        vec![
            vec![0.5, 0.6, 0.7],
            vec![0.4, 0.5, 0.1],
            vec![0.3, 0.9, 0.5]
        ]
    );
    let l = m.layout.unwrap();
    assert_eq!((l.delimiter, l.header, l.label_column), (';', true, false));
}

#[test]
fn probabilities_label_column_only_spaces_percent_comments() {
    let m = read("# a comment\n\nx   50%  80%\ny   20%  -\n");
    assert_eq!(m.labels, strings(&["x", "y"]));
    assert_eq!(m.p, vec![vec![0.5, 0.8], vec![0.2, 0.5]]);
    let l = m.layout.unwrap();
    assert_eq!((l.delimiter, l.header, l.label_column), (' ', false, true));
}

#[test]
fn header_without_corner_and_reordered_rows() {
    let m = read("x,y\nx,0.5,0.9\ny,0.1,0.5\n");
    assert_eq!(m.labels, strings(&["x", "y"]));
    assert_eq!(m.p, vec![vec![0.5, 0.9], vec![0.1, 0.5]]);
    // Rows listed c, a, b under a header a, b, c: reordered to the header.
    let m = read(",a,b,c\nc,0.1,0.2,\na,,0.6,0.9\nb,0.4,,0.8\n");
    assert_eq!(m.labels, strings(&["a", "b", "c"]));
    assert_eq!(
        m.p,
        vec![
            vec![0.5, 0.6, 0.9],
            vec![0.4, 0.5, 0.8],
            vec![0.1, 0.2, 0.5]
        ]
    );
}

#[test]
fn quoted_labels_with_delimiters_and_trailing_delimiter() {
    let m = read("\"\",\"a,1\",\"b;2\",\n\"a,1\",0.5,0.25,\n\"b;2\",0.75,0.5,\n");
    assert_eq!(m.labels, strings(&["a,1", "b;2"]));
    assert_eq!(m.p, vec![vec![0.5, 0.25], vec![0.75, 0.5]]);
}

#[test]
fn win_counts_smoothing_by_hand() {
    let text = ",A,B,C\nA,0,3,0\nB,1,0,2\nC,0,1,0\n";
    let m = read(text);
    assert_eq!(m.format, Format::WinCounts);
    // P_AB = (3 + 0.5)/(3 + 1 + 1) = 0.7; P_BC = (2 + 0.5)/(2 + 1 + 1) = 0.625;
    // A and C never met: 1/2.
    assert_eq!(m.p[0][1], 0.7);
    assert_eq!(m.p[1][0], 1.0 - 0.7);
    assert_eq!(m.p[1][2], 0.625);
    assert_eq!(m.p[2][1], 0.375);
    assert_eq!(m.p[0][2], 0.5);
    assert_eq!(m.p[2][0], 0.5);
    let counts = m.counts.as_ref().unwrap();
    assert_eq!(
        counts.wins,
        vec![
            vec![0.0, 3.0, 0.0],
            vec![1.0, 0.0, 2.0],
            vec![0.0, 1.0, 0.0]
        ]
    );
    assert_eq!(counts.ties, None);
    assert_eq!(counts.games(0, 1), 4.0);
    assert_eq!(m.never_compared.len(), 1);
    assert_eq!(
        (
            m.never_compared[0].a.as_str(),
            m.never_compared[0].b.as_str()
        ),
        ("A", "C")
    );
    assert_eq!(m.never_compared[0].to_string(), "A vs C");
    assert!(m.inconsistent.is_empty());
    assert!(m.matrix().is_ok());
}

#[test]
fn one_game_per_pair_needs_the_explicit_choice() {
    let text = "0,1\n0,0\n";
    // Read as probabilities by default: P_12 = 1, P_21 = 0.
    let m = read(text);
    assert_eq!(m.format, Format::Probabilities);
    assert_eq!(m.p[0][1], 1.0);
    let m = parse_preferences(text, Some(Format::WinCounts)).unwrap();
    assert_eq!(m.format, Format::WinCounts);
    assert_eq!(m.p[0][1], 0.75); // (1 + 0.5)/(1 + 0 + 1)
}

#[test]
fn comparisons_by_name_with_header_and_ties() {
    let text = "model_a,model_b,winner\n\
                gpt-4,claude,gpt-4\n\
                claude,gpt-4,tie\n\
                vicuna,gpt-4,gpt-4\n\
                claude,vicuna,claude\n";
    let m = read(text);
    assert_eq!(m.format, Format::Comparisons);
    assert_eq!(m.labels, strings(&["gpt-4", "claude", "vicuna"]));
    // gpt-4 vs claude: one win, one tie: (1 + 1/2 + 0.5)/(1 + 0 + 1 + 1) = 2/3.
    assert_eq!(m.p[0][1], 2.0 / 3.0);
    assert_eq!(m.p[0][2], 0.75); // (1 + 0.5)/(1 + 1)
    assert_eq!(m.p[1][2], 0.75);
    let c = m.counts.as_ref().unwrap();
    assert_eq!(c.ties.as_ref().unwrap()[0][1], 1.0);
    assert_eq!(c.ties.as_ref().unwrap()[1][0], 1.0);
    assert_eq!(c.wins[0][1], 1.0);
    assert_eq!(c.wins[2][0], 0.0);
    assert!(m.never_compared.is_empty());
    assert!(m.layout.unwrap().header);
}

#[test]
fn comparisons_numeric_outcomes_no_header() {
    let text = "a,b,1\nb,c,0\na,c,0.5\nd,a,d\n";
    let m = read(text);
    assert_eq!(m.format, Format::Comparisons);
    assert_eq!(m.labels, strings(&["a", "b", "c", "d"]));
    assert_eq!(m.p[0][1], 0.75); // a beat b
    assert_eq!(m.p[1][2], 0.25); // c beat b
    assert_eq!(m.p[0][2], 0.5); // a tie
    assert_eq!(m.p[3][0], 0.75); // d beat a
    let never: Vec<String> = m.never_compared.iter().map(|p| p.to_string()).collect();
    assert_eq!(never, vec!["b vs d", "c vs d"]);
    assert_eq!(m.p[1][3], 0.5);
    assert!(!m.layout.unwrap().header);
}

#[test]
fn comparisons_arena_columns_and_unnamed_header() {
    let text = "question_id,model_a,model_b,winner,judge\n\
                1,x,y,model_a,h1\n\
                2,y,x,tie (bothbad),h2\n\
                3,x,y,model_b,h3\n";
    let m = read(text);
    assert_eq!(m.format, Format::Comparisons);
    assert_eq!(m.labels, strings(&["x", "y"]));
    // x: 1 win, 1 loss, 1 tie: (1 + 0.5 + 0.5)/(2 + 1 + 1) = 0.5.
    assert_eq!(m.p[0][1], 0.5);
    // A header without known column names: its names never reappear.
    let m = read("first one,second one,who\nx,y,x\ny,z,z\n");
    assert_eq!(m.labels, strings(&["x", "y", "z"]));
    assert_eq!(m.p[0][1], 0.75);
}

#[test]
fn comparisons_explicit_choice_with_numeric_names() {
    let m = parse_preferences("1,2,1\n2,3,3\n1,3,1\n", Some(Format::Comparisons)).unwrap();
    assert_eq!(m.labels, strings(&["1", "2", "3"]));
    assert_eq!(m.p[0][1], 0.75);
    assert_eq!(m.p[1][2], 0.25);
    assert_eq!(m.p[0][2], 0.75);
}

#[test]
fn json_presets_read_exactly() {
    for (key, json) in PRESET_FILES {
        let m = parse_preferences(json, None).unwrap();
        let p = preset(key).unwrap();
        assert_eq!(m.format, Format::Json);
        assert_eq!(m.labels, p.items, "{key}");
        assert_eq!(m.p, p.p, "{key}");
        assert_eq!(m.name.as_deref(), Some(p.name.as_str()));
        assert!(m.source.is_some());
        assert!(m.inconsistent.is_empty(), "{key}");
        assert_eq!(m.matrix().unwrap(), p.matrix().unwrap());
    }
}

#[test]
fn json_counts_only_reproduce_the_preset_smoothing() {
    let (_, json) = PRESET_FILES
        .iter()
        .find(|(k, _)| *k == "qlora_vicuna80_human_8")
        .unwrap();
    let mut v: serde_json::Value = serde_json::from_str(json).unwrap();
    let p = v["P"].clone();
    v.as_object_mut().unwrap().remove("P");
    let m = parse_preferences(&v.to_string(), Some(Format::Json)).unwrap();
    let ties = m.counts.as_ref().unwrap().ties.as_ref().unwrap();
    assert_eq!(ties[0][1], 22.0);
    // GPT-4 vs ChatGPT: 168 wins, 50 losses, 22 ties: (168 + 11 + 0.5)/(241).
    assert_eq!(m.p[0][1], 179.5 / 241.0);
    for i in 0..8 {
        for j in 0..8 {
            let want = p[i][j].as_f64().unwrap();
            assert!((m.p[i][j] - want).abs() < 5e-7, "{i} {j}");
        }
    }
}

#[test]
fn json_null_pairs_and_bare_array() {
    let m = read(
        r#"{"items": ["a", "b", "c"], "P": [[null, 0.6, null], [0.4, null, 0.7], [null, 0.3, 0.5]]}"#,
    );
    assert_eq!(m.p[0][2], 0.5);
    assert_eq!(m.never_compared[0].to_string(), "a vs c");
    let m = read("[[0.5, 0.2], [0.8, 0.5]]");
    assert_eq!(m.format, Format::Json);
    assert_eq!(m.labels, strings(&["A", "B"]));
    assert_eq!(m.p[0][1], 0.2);
}

// ---------------------------------------------------------------- report

#[test]
fn never_compared_in_a_probability_matrix() {
    let m = read(",a,b,c\na,,0.6,\nb,,,\nc,,0.2,\n");
    // b vs a: 1 − 0.6; b vs c: 1 − 0.2; a vs c: neither given.
    assert_eq!(m.p[1][0], 1.0 - 0.6);
    assert_eq!(m.p[1][2], 1.0 - 0.2);
    assert_eq!(m.p[0][2], 0.5);
    assert_eq!(m.p[2][0], 0.5);
    assert_eq!(m.never_compared.len(), 1);
    assert_eq!((m.never_compared[0].i, m.never_compared[0].j), (0, 2));
    assert_eq!(m.never_compared[0].to_string(), "a vs c");
}

#[test]
fn inconsistent_pairs_named_and_fixed() {
    let mut m = read(",a,b,c\na,,0.7,0.5\nb,0.4,,0.25\nc,0.5,0.75,\n");
    assert_eq!(m.inconsistent.len(), 1);
    let c = &m.inconsistent[0];
    assert_eq!((c.pair.a.as_str(), c.pair.b.as_str()), ("a", "b"));
    assert_eq!((c.p_ij, c.p_ji), (0.7, 0.4));
    assert_eq!(c.fixed(), (0.7 + 1.0 - 0.4) / 2.0);
    assert!((c.fixed() - 0.65).abs() < 1e-15);
    assert!(c.to_string().contains("P(a ≻ b) = 0.7 and P(b ≻ a) = 0.4"));
    let e = m.matrix().unwrap_err();
    assert!(matches!(e, ImportError::Inconsistent { count: 1, .. }));
    assert!(e.to_string().contains("a vs b: 0.7 + 0.4"), "{e}");
    m.make_consistent();
    assert!(m.inconsistent.is_empty());
    assert!((m.p[0][1] - 0.65).abs() < 1e-15);
    assert_eq!(m.p[1][0], 1.0 - m.p[0][1]);
    let pm = m.matrix().unwrap();
    assert_eq!(pm.get(0, 1), m.p[0][1]);
    assert_eq!(pm.get(1, 2), 0.25);
}

// ---------------------------------------------------------------- errors

fn cell(row: usize, column: usize) -> Place {
    Place::Cell { row, column }
}

#[test]
fn error_empty() {
    for text in ["", "   \n\n", "# only a comment\n\n"] {
        let (e, msg) = error(text, None);
        assert_eq!(e, ImportError::Empty, "{text:?}");
        assert!(msg.contains("empty"));
    }
}

#[test]
fn error_ragged_rows() {
    let text = "0.5,0.7,0.1,0.2\n0.3,0.5,0.2,0.2\n0.9,0.8,0.5\n0.8,0.8,0.5,0.5\n";
    let (e, msg) = error(text, None);
    assert_eq!(
        e,
        ImportError::Ragged {
            row: 3,
            got: 3,
            expected: 4,
            first_row: 1
        }
    );
    assert_eq!(
        msg,
        "row 3 has 3 cells but row 1 has 4: every row must have the same number"
    );
}

#[test]
fn error_not_a_number() {
    let (e, msg) = error("0.5,0.7,0.2\n0.3,0.5,abc\n0.8,0.4,0.5\n", None);
    assert_eq!(
        e,
        ImportError::NotANumber {
            at: cell(2, 3),
            text: "abc".into()
        }
    );
    assert_eq!(msg, "row 2, column 3: “abc” is not a number");
    // The first row too (one word among numbers is not a header).
    let (e, _) = error("0.5,x,0.2\n0.3,0.5,0.1\n0.8,0.9,0.5\n", None);
    assert_eq!(e.to_string(), "row 1, column 2: “x” is not a number");
    // With a header and a label column, columns count as in the file.
    let (_, msg) = error(",a,b\na,0.5,zz\nb,0.3,0.5\n", None);
    assert_eq!(msg, "row 2, column 3: “zz” is not a number");
}

#[test]
fn error_out_of_range_probability() {
    let (e, msg) = error(",a,b\na,0.5,-0.2\nb,1.2,0.5\n", Some(Format::Probabilities));
    assert_eq!(
        e,
        ImportError::OutOfRange {
            at: cell(2, 3),
            value: -0.2
        }
    );
    assert_eq!(
        msg,
        "row 2, column 3: -0.2 is outside [0, 1], which a probability must lie in"
    );
    let (_, msg) = error(",a,b\na,,0.2\nb,1.2,\n", Some(Format::Probabilities));
    assert!(msg.starts_with("row 3, column 2: 1.2 is outside"), "{msg}");
    // Auto-detected probabilities (nothing above 1) with a negative value.
    let (_, msg) = error("0.5,-0.1\n0.4,0.5\n", None);
    assert!(msg.starts_with("row 1, column 2: -0.1 is outside"), "{msg}");
}

#[test]
fn error_negative_count() {
    let (e, msg) = error("0,3,-1\n1,0,2\n4,2,0\n", None);
    assert_eq!(
        e,
        ImportError::NegativeCount {
            at: cell(1, 3),
            value: -1.0
        }
    );
    assert_eq!(msg, "row 1, column 3: the count -1 is negative");
}

#[test]
fn error_bad_diagonal() {
    let (_, msg) = error("0.7,0.7\n0.3,0.5\n", None);
    assert_eq!(
        msg,
        "row 1, column 1: the diagonal holds 0.7; leave it blank or write 0.5"
    );
}

#[test]
fn error_non_square() {
    let (e, msg) = error("0.5,0.7,0.1\n0.3,0.5,0.2\n", None);
    assert_eq!(
        e,
        ImportError::NotSquare {
            rows: 2,
            columns: 3
        }
    );
    assert_eq!(
        msg,
        "the matrix has 2 rows and 3 columns; it must be square (K×K)"
    );
}

#[test]
fn error_duplicate_labels() {
    let text = ",a,b,a\na,0.5,0.5,0.5\nb,0.5,0.5,0.5\nc,0.5,0.5,0.5\n";
    let (e, msg) = error(text, None);
    assert_eq!(
        e,
        ImportError::DuplicateLabel {
            at: cell(1, 4),
            label: "a".into(),
            first: cell(1, 2)
        }
    );
    assert_eq!(
        msg,
        "row 1, column 4: the label “a” already appears at row 1, column 2"
    );
    let (_, msg) = error("a,0.5,0.5\na,0.5,0.5\n", None);
    assert_eq!(
        msg,
        "row 2, column 1: the label “a” already appears at row 1, column 1"
    );
    let (_, msg) = error(
        r#"{"items": ["x", "y", "x"], "P": [[0.5,0.5,0.5],[0.5,0.5,0.5],[0.5,0.5,0.5]]}"#,
        None,
    );
    assert_eq!(
        msg,
        "“items” entry 3: the label “x” already appears at “items” entry 1"
    );
    let (_, msg) = error(",a,b\na,0.5,0.5\nc,0.5,0.5\n", None);
    assert_eq!(
        msg,
        "row 3, column 1: the row label “c” is not among the column labels"
    );
}

#[test]
fn error_size_bounds() {
    let row = vec!["0.5"; 65].join(",");
    let text = vec![row; 65].join("\n");
    let (e, msg) = error(&text, None);
    assert_eq!(e, ImportError::TooMany { k: 65 });
    assert_eq!(msg, "K = 65: at most 64 items are supported");
    let (e, msg) = error("0.5\n", None);
    assert_eq!(e, ImportError::TooFew { k: 1 });
    assert_eq!(msg, "K = 1: at least 2 items are needed");
    let list: String = (0..65).map(|i| format!("m{i},m{},m{i}\n", i + 1)).collect();
    let (e, _) = error(&list, None);
    assert_eq!(e, ImportError::TooMany { k: 66 });
}

#[test]
fn error_comparison_field_count() {
    let (e, msg) = error("a,b,a\nb,c\nc,a,c\n", None);
    assert_eq!(
        e,
        ImportError::FieldCount {
            row: 2,
            got: 2,
            expected: 3,
            columns: "a, b, outcome".into()
        }
    );
    assert_eq!(
        msg,
        "row 2 has 2 fields; a comparison needs 3 (a, b, outcome)"
    );
    let (_, msg) = error(
        "model_a,model_b,winner,judge\nx,y,x,h\nx,y,y\n",
        Some(Format::Comparisons),
    );
    assert_eq!(
        msg,
        "row 3 has 3 fields; a comparison needs 4 (model_a, model_b, winner, judge)"
    );
}

#[test]
fn error_unknown_winner_and_self_comparison() {
    let (e, msg) = error("a,b,c\nb,c,b\n", None);
    assert_eq!(
        e,
        ImportError::UnknownWinner {
            at: cell(1, 3),
            text: "c".into(),
            a: "a".into(),
            b: "b".into()
        }
    );
    assert_eq!(
        msg,
        "row 1, column 3: the outcome “c” is neither “a” nor “b”, a tie, nor a number 1, 0 or 0.5"
    );
    let (_, msg) = error("# games\na,b,a\nb,c,2\n", None);
    assert!(msg.starts_with("row 3, column 3: the outcome “2”"), "{msg}");
    let (_, msg) = error("a,b,a\nc,c,c\n", None);
    assert_eq!(msg, "row 2: “c” is compared with itself");
}

#[test]
fn error_json() {
    let (e, msg) = error(
        "{\"items\": [\"a\", \"b\"],\n \"P\": [[0.5, 0.5], [0.5 0.5]]}",
        None,
    );
    assert!(matches!(e, ImportError::JsonSyntax { row: 2, .. }), "{e:?}");
    assert!(
        msg.starts_with("the JSON does not parse (row 2, column"),
        "{msg}"
    );
    let (_, msg) = error(
        r#"{"items": ["a", "b"], "P": [[0.5, 1.5], [-0.5, 0.5]]}"#,
        None,
    );
    assert_eq!(
        msg,
        "“P” row 1, column 2: 1.5 is outside [0, 1], which a probability must lie in"
    );
    let (_, msg) = error(
        r#"{"items": ["a", "b"], "P": [[0.5, "x"], [0.5, 0.5]]}"#,
        None,
    );
    assert_eq!(msg, "“P” row 1, column 2: “\"x\"” is not a number");
    let (_, msg) = error(
        r#"{"items": ["a", "b", "c"], "P": [[0.5, 0.5], [0.5, 0.5]]}"#,
        None,
    );
    assert_eq!(msg, "JSON “items”: 3 labels for a matrix of K = 2");
    let (_, msg) = error(r#"{"items": ["a", "b"], "P": [[0.5, 0.5], [0.5]]}"#, None);
    assert_eq!(
        msg,
        "JSON “P”: row 2 has 1 entries; a matrix of K = 2 rows needs 2"
    );
    let (_, msg) = error(
        r#"{"items": ["a", "b"], "counts": [[0, 2], [-1, 0]]}"#,
        None,
    );
    assert_eq!(msg, "“counts” row 2, column 1: the count -1 is negative");
    let (_, msg) = error(r#"{"items": ["a", "b"]}"#, None);
    assert!(msg.starts_with("JSON “P”: missing"), "{msg}");
}

// ---------------------------------------------------------------- labels

#[test]
fn short_labels_on_every_preset_are_distinct() {
    for key in preset_keys() {
        let items = preset(key).unwrap().items.clone();
        for max in [4, 6, 8, 9, 10, 14, 16] {
            let short = short_labels(&items, max);
            assert_eq!(short.len(), items.len());
            let mut seen = std::collections::HashSet::new();
            for (s, full) in short.iter().zip(&items) {
                assert!(s.chars().count() <= max, "{key} {max}: {s:?}");
                assert!(seen.insert(s.clone()), "{key} {max}: {short:?}");
                if full.chars().count() <= max {
                    assert_eq!(s, full);
                }
            }
        }
    }
}

#[test]
fn short_labels_keep_what_distinguishes() {
    let l = strings(&[
        "gpt-4",
        "gpt-3.5-turbo",
        "claude-v1",
        "palm-2 (chat-bison@001)",
    ]);
    assert_eq!(
        short_labels(&l, 10),
        strings(&["gpt-4", "gpt-3.5-t…", "claude-v1", "palm-2"])
    );
    let l = strings(&["Guanaco-65B", "Guanaco-33B", "Guanaco-13B", "Guanaco-7B"]);
    assert_eq!(
        short_labels(&l, 10),
        strings(&["Guanac…65B", "Guanac…33B", "Guanac…13B", "Guanaco-7B"])
    );
    let l = strings(&["gpt-4-0613", "gpt-4-0314", "gpt-4-1106-preview"]);
    let s = short_labels(&l, 8);
    assert_eq!(s, strings(&["gpt…0613", "gpt…0314", "gpt-4-1…"]));
    // `key=value` parts every label has lose their keys.
    let l = preset("bt2_springall_flavour").unwrap().items.clone();
    assert_eq!(
        short_labels(&l, 10),
        strings(&[
            "0.6,0", "4.8,0", "9,0", "0.6,2.4", "4.8,2.4", "9,2.4", "0.6,4.8", "4.8,4.8", "9,4.8"
        ])
    );
    // Duplicates in, distinct out; 64 labels sharing a long prefix.
    let l = strings(&["same", "same"]);
    let s = short_labels(&l, 10);
    assert_ne!(s[0], s[1]);
    let l: Vec<String> = (0..64)
        .map(|i| format!("checkpoint-run-{:03}-step-{}", i % 7, i))
        .collect();
    let s = short_labels(&l, 6);
    let set: std::collections::HashSet<&String> = s.iter().collect();
    assert_eq!(set.len(), 64, "{s:?}");
    assert!(s.iter().all(|x| x.chars().count() <= 6));
}

// ---------------------------------------------------------------- link

/// The page's escaping of query values (config.rs `VALUE`).
const VALUE: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'&')
    .add(b'+')
    .add(b'<')
    .add(b'=')
    .add(b'>')
    .add(b'?')
    .add(b'`')
    .add(b'{')
    .add(b'}');

/// `&M=…&L=…` as the page would write it, and what its parser hands back.
fn through_query(values: &str, labels: &str) -> (String, String, String) {
    let q = format!(
        "M={}&L={}",
        utf8_percent_encode(values, VALUE),
        utf8_percent_encode(labels, VALUE)
    );
    let pairs: Vec<(String, String)> = form_urlencoded::parse(q.as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    (q, pairs[0].1.clone(), pairs[1].1.clone())
}

fn random_matrix(k: usize, seed: u64) -> Vec<f64> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    (0..k * (k - 1) / 2).map(|_| rng.gen::<f64>()).collect()
}

#[test]
fn link_budget_for_k20() {
    let labels = strings(&[
        "gpt-4-0613",
        "gpt-4-turbo",
        "gpt-3.5-turbo",
        "claude-2.1",
        "claude-instant",
        "llama-2-70b",
        "llama-2-13b-c",
        "mixtral-8x7b",
        "mistral-7b-v2",
        "gemini-pro",
        "palm-2-chat",
        "vicuna-33b",
        "vicuna-13b",
        "wizardlm-70b",
        "zephyr-7b-b",
        "yi-34b-chat",
        "qwen-14b-chat",
        "openchat-3.5",
        "tulu-2-70b",
        "solar-10.7b",
    ]);
    assert!(labels.iter().all(|l| (10..=14).contains(&l.len())));
    let upper = random_matrix(20, 7);
    let m = PreferenceMatrix::from_upper(20, &upper)
        .unwrap()
        .with_labels(labels.clone())
        .unwrap();
    let f = encode_link(&m).unwrap();
    assert!(f.values.starts_with("b64:"));
    assert_eq!(f.values.len(), 4 + 507); // 190 values × 16 bits = 3040 bits → 507 chars
    let (q, v, l) = through_query(&f.values, &f.labels);
    let label_chars: usize = labels.iter().map(String::len).sum::<usize>() + 19;
    assert_eq!(f.labels.len(), label_chars);
    assert_eq!(q.len(), "M=".len() + 511 + "&L=".len() + label_chars);
    assert_eq!(q.len(), 763);
    assert!(q.len() <= 1700, "{}", q.len());
    let back = decode_link(&v, Some(&l)).unwrap();
    assert_eq!(back.labels(), &labels[..]);
    let mut worst = 0f64;
    for (a, b) in back.upper().iter().zip(&upper) {
        worst = worst.max((a - b).abs());
    }
    assert!(worst <= LINK_PRECISION, "{worst}");
    const { assert!(LINK_PRECISION < 7.7e-6) };
    // The report's numbers.
    println!(
        "K = 20: values {} chars, query {} chars, worst error {worst:.2e}",
        f.values.len(),
        q.len()
    );
}

#[test]
fn link_precision_over_many_matrices() {
    for seed in 0..200 {
        let k = 2 + (seed as usize % 63);
        let upper = random_matrix(k, seed);
        let s = encode_values(&upper);
        let (kk, back) = decode_values(&s).unwrap();
        assert_eq!(kk, k);
        for (a, b) in back.iter().zip(&upper) {
            assert!((a - b).abs() <= LINK_PRECISION, "{seed}");
        }
    }
    // Endpoints are exact.
    let (_, back) = decode_values(&encode_values(&[0.0, 1.0, 0.123_456_7])).unwrap();
    assert_eq!(&back[..2], &[0.0, 1.0]);
}

#[test]
fn link_exact_for_few_decimals() {
    assert_eq!(data_decimals(&[0.5, 0.25, 0.7]), Some(2));
    assert_eq!(data_decimals(&[0.0, 1.0]), Some(0));
    assert_eq!(data_decimals(&[0.107143]), Some(6));
    assert_eq!(data_decimals(&[1.0 / 3.0]), None);
    for (upper, prefix, len) in [
        (vec![0.7, 0.1, 0.3], "b64d1:", 6 + 2), // 3 × 4 bits
        (vec![0.75, 0.1, 0.33, 0.0, 1.0, 0.5], "b64d2:", 6 + 7), // 6 × 7 bits
        (vec![0.123, 0.5, 0.999], "b64d3:", 6 + 5), // 3 × 10 bits
        (
            vec![0.1234, 0.5, 0.9999, 0.0001, 0.1, 0.2],
            "b64d4:",
            6 + 14,
        ), // 6 × 14 bits
        (vec![0.0, 1.0, 1.0], "b64d1:", 6 + 2),
    ] {
        let s = encode_values(&upper);
        assert!(s.starts_with(prefix), "{s}");
        assert_eq!(s.len(), len, "{s}");
        let (_, back) = decode_values(&s).unwrap();
        assert_eq!(back, upper, "{s}");
    }
    // The shipped presets (6 decimals) take 16 bits and come back within the precision.
    for key in preset_keys() {
        let m = preset(key).unwrap().matrix().unwrap();
        let f = encode_link(&m).unwrap();
        let (_, v, l) = through_query(&f.values, &f.labels);
        let back = decode_link(&v, Some(&l)).unwrap();
        assert_eq!(back.labels(), m.labels(), "{key}");
        for (a, b) in back.upper().iter().zip(m.upper()) {
            assert!((a - b).abs() <= LINK_PRECISION);
        }
    }
}

#[test]
fn link_labels_escape_and_survive_the_query() {
    let labels = strings(&[
        "a,b",
        "50% off",
        "x&y=z",
        "#1 + 2",
        "café ☕",
        "tab\there",
        "plain",
    ]);
    let s = encode_labels(&labels).unwrap();
    assert_eq!(s, "a%2Cb,50%25 off,x&y=z,#1 + 2,café ☕,tab%09here,plain");
    let (_, _, l) = through_query("b64:", &s);
    assert_eq!(l, s);
    assert_eq!(decode_labels(&l, 7).unwrap(), labels);
    assert_eq!(
        decode_labels("a,b", 3),
        Err(LinkError::LabelCount { got: 2, k: 3 })
    );
    assert_eq!(
        decode_labels("a,,b", 3),
        Err(LinkError::EmptyLabel { index: 2 })
    );
    assert_eq!(
        decode_labels("a,b,a", 3),
        Err(LinkError::DuplicateLabel {
            index: 3,
            label: "a".into()
        })
    );
    assert_eq!(
        decode_labels("a,%FF", 2),
        Err(LinkError::LabelNotUtf8 { index: 2 })
    );
    let long = "x".repeat(MAX_LINK_LABEL + 1);
    let e = encode_labels(&[long, "y".into()]).unwrap_err();
    assert_eq!(
        e,
        LinkError::LabelTooLong {
            index: 1,
            chars: 41
        }
    );
    assert_eq!(
        e.to_string(),
        "label 1 has 41 characters; a link carries at most 40"
    );
    // Every shipped label fits.
    for key in preset_keys() {
        assert!(encode_labels(&preset(key).unwrap().items).is_ok(), "{key}");
    }
}

#[test]
fn link_errors_are_named() {
    assert!(matches!(
        decode_values("xyz"),
        Err(LinkError::UnknownPrefix { .. })
    ));
    assert!(matches!(
        decode_values("b64d5:AAAA"),
        Err(LinkError::UnknownPrefix { .. })
    ));
    assert_eq!(
        decode_values("b64:AA*A"),
        Err(LinkError::BadCharacter {
            position: 7,
            found: '*'
        })
    );
    assert_eq!(
        decode_values("b64:AAAAA"),
        Err(LinkError::BadLength { chars: 5, bits: 16 })
    );
    assert_eq!(
        decode_values("b64:").unwrap_err().to_string(),
        "0 base64url characters of 16-bit values do not hold the upper triangle of any K from 2 to 64"
    );
    // K = 2: one 16-bit value in 3 characters (18 bits, 2 of them padding).
    assert_eq!(decode_values("b64:gAA").unwrap().0, 2);
    assert_eq!(decode_values("b64:gAB"), Err(LinkError::TrailingBits));
    // 4 bits of 15 > 10 in b64d1.
    assert_eq!(
        decode_values("b64d1:8A"),
        Err(LinkError::ValueTooLarge {
            index: 1,
            code: 15,
            scale: 10
        })
    );
    assert_eq!(
        decode_link("b64:gAA", Some("a,b,c")).unwrap_err(),
        LinkError::LabelCount { got: 3, k: 2 }
    );
    let m = decode_link("b64:gAA", None).unwrap();
    assert_eq!(m.labels(), &["A".to_string(), "B".to_string()][..]);
}

#[test]
fn link_decoding_junk_never_panics() {
    let mut rng = ChaCha8Rng::seed_from_u64(0x1e55);
    let alphabet: Vec<char> =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_:,%b64d=+& é\u{0}\u{ffff}"
            .chars()
            .collect();
    let prefixes = [
        "", "b64:", "b64d1:", "b64d2:", "b64d3:", "b64d4:", "b64d9:", "b64",
    ];
    for _ in 0..20_000 {
        let len = rng.gen_range(0..700);
        let body: String = (0..len)
            .map(|_| alphabet[rng.gen_range(0..alphabet.len())])
            .collect();
        let s = format!("{}{}", prefixes[rng.gen_range(0..prefixes.len())], body);
        let k = rng.gen_range(0..70);
        let r = catch_unwind(AssertUnwindSafe(|| {
            let _ = decode_values(&s);
            let _ = decode_labels(&s, k);
            let _ = decode_link(&s, Some(&body));
            let _ = decode_link(&s, None);
        }));
        assert!(r.is_ok(), "panicked on {s:?}");
    }
}

#[test]
fn import_of_junk_never_panics() {
    let mut rng = ChaCha8Rng::seed_from_u64(0x1a9);
    let pieces = [
        "0.5",
        "0.7",
        "0.3",
        "1",
        "0",
        "3",
        "-1",
        "abc",
        "gpt-4",
        "tie",
        ",",
        ";",
        "\t",
        "\n",
        "\"",
        "#",
        " ",
        "{",
        "}",
        "[",
        "]",
        "null",
        "\"P\":",
        "\"items\":",
        "%",
        "NA",
        "é",
        "1e400",
        "0,5",
        "\r\n",
    ];
    let formats = [
        None,
        Some(Format::Probabilities),
        Some(Format::WinCounts),
        Some(Format::Comparisons),
        Some(Format::Json),
    ];
    for _ in 0..5_000 {
        let n = rng.gen_range(0..80);
        let text: String = (0..n)
            .map(|_| pieces[rng.gen_range(0..pieces.len())])
            .collect();
        for f in formats {
            let r = catch_unwind(AssertUnwindSafe(|| {
                if let Ok(m) = parse_preferences(&text, f) {
                    let _ = m.matrix();
                    let _ = short_labels(&m.labels, 8);
                }
            }));
            assert!(r.is_ok(), "panicked on {text:?} ({f:?})");
        }
    }
}

// ---------------------------------------------------------------- export

#[test]
fn csv_export_round_trip() {
    for key in preset_keys() {
        let m = preset(key).unwrap().matrix().unwrap();
        let csv = matrix_to_csv(&m);
        let back = parse_preferences(&csv, None).unwrap_or_else(|e| panic!("{key}: {e}\n{csv}"));
        assert_eq!(back.format, Format::Probabilities, "{key}");
        assert_eq!(back.labels, m.labels(), "{key}");
        assert_eq!(back.matrix().unwrap(), m, "{key}");
    }
    let labels = strings(&[
        "#1",
        "say \"hi\"",
        "a,b;c",
        "000",
        "NA model",
        "tab\tinside",
    ]);
    for seed in 0..20 {
        let upper = random_matrix(6, seed);
        let m = PreferenceMatrix::from_upper(6, &upper)
            .unwrap()
            .with_labels(labels.clone())
            .unwrap();
        let back = parse_preferences(&matrix_to_csv(&m), None).unwrap();
        assert_eq!(back.labels, labels);
        assert_eq!(back.matrix().unwrap(), m);
        assert_eq!(back.p, m.to_rows());
    }
    // Numeric labels only (the blank corner and equal header and column tell them).
    let m = PreferenceMatrix::from_upper(3, &[0.25, 0.5, 0.75])
        .unwrap()
        .with_labels(strings(&["1", "2", "3"]))
        .unwrap();
    let csv = matrix_to_csv(&m);
    assert_eq!(
        csv,
        ",\"1\",\"2\",\"3\"\n\"1\",0.5,0.25,0.5\n\"2\",0.75,0.5,0.75\n\"3\",0.5,0.25,0.5\n"
    );
    assert_eq!(parse_preferences(&csv, None).unwrap().matrix().unwrap(), m);
}

#[test]
#[ignore = "prints the short labels of every preset"]
fn print_short_labels() {
    for key in preset_keys() {
        let items = preset(key).unwrap().items.clone();
        println!("{key}: {:?}", short_labels(&items, 10));
    }
}

/// Words where numbers belong: the first such cell is named, not the row lengths.
#[test]
fn plain_words_name_the_cell_that_is_not_a_number() {
    let cases = [
        (
            "The quick brown fox jumps over\nthe lazy dog",
            "row 2, column 2: “lazy” is not a number",
        ),
        (
            "hello, this is text\nwith words",
            "row 2, column 1: “with words” is not a number",
        ),
    ];
    for (text, want) in cases {
        let got = parse_preferences(text, None)
            .map(|_| ())
            .map_err(|e| e.to_string());
        assert_eq!(got, Err(want.to_string()), "{text:?}");
    }
    // Numbers of ragged lengths still say so.
    let ragged = parse_preferences("0.5,0.3,0.2\n0.7,0.5", None)
        .map(|_| ())
        .map_err(|e| e.to_string());
    assert!(
        ragged.as_ref().is_err_and(|e| e.contains("cells but row")),
        "{ragged:?}"
    );
}
