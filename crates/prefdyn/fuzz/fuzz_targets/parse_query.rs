//! Fuzzes the URL codec and everything a link can reach: arbitrary bytes (read as lossy
//! UTF-8) go through `parse_query`, the parsed configuration back through `to_query`, and
//! then through `Results::compute`, as the page and the CLI do with a shared link.
//!
//! Invariants checked on every input:
//! - nothing panics;
//! - every issue names a field and says what was wrong;
//! - the parsed configuration is canonical and survives `to_query` → `parse_query`
//!   unchanged and without issues;
//! - the results contain no NaN: distributions sum to 1, and the dynamics either run or
//!   explain why not.

#![no_main]

use libfuzzer_sys::fuzz_target;
use prefdyn::config::{parse_query, to_query};
use prefdyn::report::Results;

/// Rounds are capped so that each input stays fast (a legal T = 20 000 with K = 64 and
/// MRS-DPO takes seconds and would only slow the fuzzer down, not find new paths).
const MAX_ROUNDS: usize = 200;

fn is_distribution(v: &[f64]) -> bool {
    let s: f64 = v.iter().sum();
    v.iter().all(|x| x.is_finite() && *x >= 0.0) && (s - 1.0).abs() <= 1e-9
}

fuzz_target!(|data: &[u8]| {
    let input = String::from_utf8_lossy(data);
    let parsed = parse_query(&input);
    for issue in &parsed.issues {
        assert!(!issue.field.is_empty(), "issue without a field: {issue:?}");
        assert!(
            !issue.message.is_empty(),
            "issue without a message: {issue:?}"
        );
    }

    let query = to_query(&parsed.config);
    let again = parse_query(&query);
    assert!(again.issues.is_empty(), "{query}: {:?}", again.issues);
    assert_eq!(again.config, parsed.config.canonical(), "{query}");
    assert_eq!(to_query(&again.config), query);

    let mut config = parsed.config;
    config.rounds = config.rounds.min(MAX_ROUNDS);
    let results = Results::compute(&config);
    for o in &results.one_shot {
        assert!(
            is_distribution(&o.result.policy),
            "{query}: {}: {:?}",
            o.label,
            o.result.policy
        );
    }
    assert!(results.dynamics.is_some() != results.dynamics_error.is_some());
    if let Some(d) = &results.dynamics {
        assert!(
            is_distribution(&d.final_policy),
            "{query}: {:?}",
            d.final_policy
        );
        assert!(d.metrics.variance.is_finite() && d.metrics.final_entropy.is_finite());
    }
});
