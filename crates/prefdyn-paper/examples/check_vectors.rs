//! `cargo run --release -p prefdyn-paper --example check_vectors -- FILE`: checks the engine
//! against test vectors in the format of `reference.json`; exits 1 when a case exceeds
//! its tolerance, 2 when the file cannot be read.

use std::process::ExitCode;

fn main() -> ExitCode {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: check_vectors FILE.json");
        return ExitCode::from(2);
    };
    let doc: serde_json::Value = match std::fs::read_to_string(&path)
        .map_err(|e| e.to_string())
        .and_then(|s| serde_json::from_str(&s).map_err(|e| e.to_string()))
    {
        Ok(d) => d,
        Err(e) => {
            eprintln!("{path}: {e}");
            return ExitCode::from(2);
        }
    };
    let reports = prefdyn_paper::vectors::check_document(&doc);
    let mut ok = true;
    println!(
        "{:<10} {:>6} {:>12} {:>10}",
        "section", "cases", "max error", "tolerance"
    );
    for r in &reports {
        println!(
            "{:<10} {:>6} {:>12.3e} {:>10.0e}",
            r.section, r.cases, r.max_error, r.tolerance
        );
        if r.ties > 0 {
            println!(
                "  {} case(s) with several maximal lotteries: expected and computed both optimal",
                r.ties
            );
        }
        for f in &r.failures {
            println!("  FAIL {f}");
        }
        ok &= r.passed();
    }
    if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
