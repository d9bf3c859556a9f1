//! `cargo run -p prefdyn --example results -- 'QUERY'`: prints the JSON of
//! `Results::compute` for a playground query (what `window.prefdyn.results()` returns),
//! with the parse issues. Used by the end-to-end tests to compare page and engine.

use prefdyn::config::{parse_query, to_query};
use prefdyn::report::Results;

fn main() {
    let q = std::env::args().nth(1).unwrap_or_default();
    let parsed = parse_query(&q);
    let results = Results::compute(&parsed.config);
    let out = serde_json::json!({
        "query": to_query(&parsed.config),
        "issues": parsed.issues,
        "results": results,
    });
    println!("{out}");
}
