//! The engine against the project's full-precision reference vectors
//! (`tests/reference.json`, a copy of `shared/test-vectors/reference.json`).
//!
//! Every section must pass within its tolerance, and every section must actually have been
//! checked: a section renamed in the file or in the checker would otherwise pass with zero
//! cases.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use prefdyn_paper::vectors::{check_document, SectionReport, TOL_EXACT, TOL_ITERATIVE};
use serde_json::Value;

/// The sections of the reference document, their tolerance and the number of cases they
/// held when this test was written (more are welcome; fewer means cases were lost).
const SECTIONS: [(&str, f64, usize); 4] = [
    ("ipo", TOL_EXACT, 7),
    ("dpo", TOL_ITERATIVE, 7),
    ("dynamics", TOL_ITERATIVE, 9),
    ("ranking", TOL_EXACT, 15),
];

fn load() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/reference.json");
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn print_table(reports: &[SectionReport]) {
    println!(
        "{:<10} {:>6} {:>12} {:>10} {:>5}",
        "section", "cases", "max error", "tolerance", "ties"
    );
    for r in reports {
        println!(
            "{:<10} {:>6} {:>12.3e} {:>10.0e} {:>5}",
            r.section, r.cases, r.max_error, r.tolerance, r.ties
        );
        for f in &r.failures {
            println!("  FAIL {f}");
        }
    }
}

#[test]
fn every_reference_section_passes() {
    let doc = load();
    let reports = check_document(&doc);
    print_table(&reports);

    let failures: Vec<String> = reports
        .iter()
        .flat_map(|r| {
            r.failures
                .iter()
                .map(move |f| format!("{}: {f}", r.section))
        })
        .collect();
    assert!(
        failures.is_empty(),
        "reference vectors failed:\n{}",
        failures.join("\n")
    );
    for r in &reports {
        assert!(r.passed(), "section {} did not pass", r.section);
        assert!(
            r.max_error <= r.tolerance,
            "section {}: max error {:e} above tolerance {:e}",
            r.section,
            r.max_error,
            r.tolerance
        );
    }
}

#[test]
fn every_reference_section_is_checked_with_its_cases() {
    let doc = load();
    let reports = check_document(&doc);

    // The checker reports exactly the known sections, in order.
    let names: Vec<&str> = reports.iter().map(|r| r.section.as_str()).collect();
    let expected: Vec<&str> = SECTIONS.iter().map(|(n, _, _)| *n).collect();
    assert_eq!(names, expected, "sections reported by check_document");

    for ((name, tolerance, at_least), r) in SECTIONS.iter().zip(&reports) {
        let in_file = doc
            .get(*name)
            .and_then(Value::as_array)
            .map(Vec::len)
            .unwrap_or_else(|| panic!("reference.json has no array section '{name}'"));
        assert!(in_file > 0, "section '{name}' of reference.json is empty");
        assert_eq!(
            r.cases, in_file,
            "section '{name}': the checker read {} cases, the file has {in_file}",
            r.cases
        );
        assert!(
            r.cases >= *at_least,
            "section '{name}': {} cases, expected at least {at_least}",
            r.cases
        );
        assert_eq!(r.tolerance, *tolerance, "section '{name}': tolerance");
    }

    // Every array section of the file is one the checker knows.
    if let Value::Object(map) = &doc {
        for (key, value) in map {
            if value.is_array() {
                assert!(
                    expected.contains(&key.as_str()),
                    "reference.json section '{key}' is not checked by check_document"
                );
            }
        }
    }
}

#[test]
fn a_wrong_value_is_caught() {
    // The checker itself must fail when a number is off: perturb one expected value of
    // each section and check that the section reports a failure.
    let doc = load();
    for (name, field) in [
        ("ipo", "pi_star"),
        ("dpo", "z_star"),
        ("dynamics", "pi_T"),
        ("ranking", "borda"),
    ] {
        let mut bad = doc.clone();
        let cases = bad
            .get_mut(name)
            .and_then(Value::as_array_mut)
            .expect("section");
        let case = cases
            .iter_mut()
            .find(|c| c.get(field).map(Value::is_array).unwrap_or(false))
            .unwrap_or_else(|| panic!("no case of '{name}' with an array '{field}'"));
        let first = case
            .get_mut(field)
            .and_then(Value::as_array_mut)
            .and_then(|a| a.first_mut())
            .expect("non-empty array");
        let v = first.as_f64().expect("number");
        *first = Value::from(v + 1e-3);
        let reports = check_document(&bad);
        let r = reports
            .iter()
            .find(|r| r.section == name)
            .expect("section reported");
        assert!(
            !r.passed(),
            "perturbing {name}.{field} by 1e-3 went unnoticed"
        );
    }
}
