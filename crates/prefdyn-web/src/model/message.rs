//! The host page's messages to an embedded frame, read and checked without the DOM:
//! `{source: "prefdyn-host", type, ...}` with the types `set` (`query` or `state`),
//! `replace` (`query`), `play`, `pause`, `step`, `reset` and `tour` (`n`). A message can
//! do only what a link can: every value goes through the same typed edit, and a message
//! with any bad value is refused whole (the frame answers `error` and changes nothing).

use prefdyn::config::{
    edit, edit_single, parse_query, parse_single, query_pairs, split_variant_key, Config,
    ParseIssue, Parsed,
};
use prefdyn::report::DynamicsReport;
use prefdyn::Verdict;
use prefdyn_paper::tour::TOUR;

/// The `source` of a host page's messages.
pub const HOST_SOURCE: &str = "prefdyn-host";
/// The `source` of the frame's messages.
pub const FRAME_SOURCE: &str = "prefdyn";
/// The longest query string a message may carry.
pub const MAX_QUERY_BYTES: usize = 16 * 1024;
/// The most keys one `set` may carry.
pub const MAX_KEYS: usize = 64;

/// What a host page asks of the frame.
#[derive(Debug, Clone, PartialEq)]
pub enum HostMessage {
    /// Typed edits applied in order, as appending the keys to the link.
    Set(Vec<(String, String)>),
    /// A whole link.
    Replace(String),
    Play,
    Pause,
    Step,
    Reset,
    /// Tour step `n` (1-based).
    Tour(usize),
}

/// A message as read: not for this frame, a request, or refused with a reason.
#[derive(Debug, Clone, PartialEq)]
pub enum Inbound {
    /// Not a host message (another source, not an object): ignored without an answer.
    Ignored,
    Request(HostMessage),
    /// A host message that cannot be carried out: `request` is its type as sent.
    Refused {
        request: String,
        message: String,
    },
}

/// A field's value as a message carries it.
#[derive(Debug, Clone, PartialEq)]
pub enum Field {
    Text(String),
    Number(f64),
    Bool(bool),
    /// An object: its entries (at most `MAX_KEYS + 1` are read).
    Object(Vec<(String, Field)>),
    /// Anything else (null, an array, a function).
    Other,
}

/// A message's data, as the page (a JS object) or a test (JSON) holds it.
pub trait MessageData {
    /// Field `key` of an object (`None` when the data is not an object or has no such
    /// field).
    fn field(&self, key: &str) -> Option<Field>;
}

fn refused(request: &str, message: impl Into<String>) -> Inbound {
    Inbound::Refused {
        request: request.chars().take(40).collect(),
        message: message.into(),
    }
}

/// Reads a message's data.
pub fn read(data: &impl MessageData) -> Inbound {
    match data.field("source") {
        Some(Field::Text(s)) if s == HOST_SOURCE => {}
        _ => return Inbound::Ignored,
    }
    let Some(Field::Text(kind)) = data.field("type") else {
        return refused(
            "",
            "a message needs a type: set, replace, play, pause, step, reset or tour",
        );
    };
    let request = Inbound::Request;
    match kind.as_str() {
        "set" => match set_pairs(data.field("query"), data.field("state")) {
            Ok(pairs) => request(HostMessage::Set(pairs)),
            Err(e) => refused(&kind, format!("set: {e}")),
        },
        "replace" => match data.field("query") {
            Some(Field::Text(q)) if q.len() <= MAX_QUERY_BYTES => request(HostMessage::Replace(q)),
            _ => refused(
                &kind,
                format!("replace: expects query, a whole query string of at most {MAX_QUERY_BYTES} bytes"),
            ),
        },
        "play" => request(HostMessage::Play),
        "pause" => request(HostMessage::Pause),
        "step" => request(HostMessage::Step),
        "reset" => request(HostMessage::Reset),
        "tour" => match data.field("n") {
            Some(Field::Number(n)) if n.fract() == 0.0 && (1.0..=TOUR.len() as f64).contains(&n) => {
                request(HostMessage::Tour(n as usize))
            }
            _ => refused(
                &kind,
                format!("tour: n must be a step number from 1 to {}", TOUR.len()),
            ),
        },
        other => refused(
            other,
            format!(
                "unknown message type \"{}\": expected set, replace, play, pause, step, reset or tour",
                other.chars().take(40).collect::<String>()
            ),
        ),
    }
}

/// The `(key, value)` pairs of a `set`: `query` (a partial query string) or `state` (an
/// object of URL keys whose values are strings, numbers or booleans).
fn set_pairs(query: Option<Field>, state: Option<Field>) -> Result<Vec<(String, String)>, String> {
    let pairs = match (query, state) {
        (Some(Field::Text(q)), None) if q.len() <= MAX_QUERY_BYTES => query_pairs(&q),
        (Some(Field::Text(_)), None) => {
            return Err(format!("query: longer than {MAX_QUERY_BYTES} bytes"))
        }
        (None, Some(Field::Object(m))) => m
            .into_iter()
            .map(|(k, v)| {
                let text = match v {
                    Field::Text(s) => s,
                    Field::Number(n) => n.to_string(),
                    Field::Bool(b) => if b { "1" } else { "0" }.to_string(),
                    _ => return Err(format!("{k}: expects a string, a number or a boolean")),
                };
                Ok((k, text))
            })
            .collect::<Result<_, _>>()?,
        _ => return Err("expects query (a query string) or state (an object of URL keys)".into()),
    };
    if pairs.is_empty() {
        return Err("no keys to set".into());
    }
    if pairs.len() > MAX_KEYS {
        return Err(format!("at most {MAX_KEYS} keys at once"));
    }
    Ok(pairs)
}

/// The body of the frame's `update` message: the canonical query and the run in brief;
/// with variants, `compare`: every run (the base first) as JSON `[{title, summary}]`
/// (empty for one run; the full module writes it, so the light module carries no code for
/// it).
#[derive(Debug, Clone, PartialEq)]
pub struct Update {
    pub query: String,
    pub summary: Option<Summary>,
    pub compare: String,
}

/// A run in brief: the verdict (its key as `results()` writes it, and its sentence), ρ,
/// π_T, H(π_T) and V.
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    pub verdict: &'static str,
    pub verdict_text: String,
    pub rho: Option<f64>,
    pub final_policy: Vec<f64>,
    pub entropy: f64,
    pub variance: f64,
}

impl Summary {
    pub fn of(d: &DynamicsReport) -> Summary {
        Summary {
            verdict: verdict_key(d.metrics.verdict),
            verdict_text: d.verdict_text.clone(),
            rho: d.stability.rho,
            final_policy: d.final_policy.clone(),
            entropy: d.metrics.final_entropy,
            variance: d.metrics.variance,
        }
    }
}

/// The verdict's key in `results()` (its serde name).
pub fn verdict_key(v: Verdict) -> &'static str {
    match v {
        Verdict::Oscillating => "oscillating",
        Verdict::Collapsed => "collapsed",
        Verdict::Converged => "converged",
        Verdict::Converging => "converging",
        Verdict::NotSettled => "not_settled",
    }
}

/// `config` with the edits applied in order, or what was wrong with them (every issue,
/// each naming its key).
pub fn edited(config: &Config, pairs: &[(String, String)]) -> Result<Config, String> {
    edited_with(config, pairs, edit)
}

/// [`edited`] by a module that shows one run: `Ok(None)` when a key is a variant's
/// (`KEY.N`, the full module's).
pub fn edited_single(
    config: &Config,
    pairs: &[(String, String)],
) -> Result<Option<Config>, String> {
    if pairs.iter().any(|(k, _)| split_variant_key(k).is_some()) {
        return Ok(None);
    }
    edited_with(config, pairs, edit_single).map(Some)
}

type Edit = fn(&mut Config, &str, &str) -> Vec<ParseIssue>;

fn edited_with(config: &Config, pairs: &[(String, String)], edit: Edit) -> Result<Config, String> {
    let mut c = config.clone();
    let mut issues = vec![];
    for (k, v) in pairs {
        issues.extend(edit(&mut c, k, v));
    }
    match issues.is_empty() {
        true => Ok(c),
        false => Err(refusal(&issues)),
    }
}

/// The link of a `replace`, or what was wrong with it.
pub fn replaced(query: &str) -> Result<Parsed, String> {
    accepted(parse_query(query))
}

/// [`replaced`] by a module that shows one run: `Ok(None)` for a link with variants.
pub fn replaced_single(query: &str) -> Result<Option<Parsed>, String> {
    parse_single(query).map(accepted).transpose()
}

fn accepted(parsed: Parsed) -> Result<Parsed, String> {
    match parsed.issues.is_empty() {
        true => Ok(parsed),
        false => Err(refusal(&parsed.issues)),
    }
}

/// The issues of a refused message, without what a link would have done instead ("kept
/// the default", "clamped to 1", "ignored"): a refused message changes nothing.
fn refusal(issues: &[ParseIssue]) -> String {
    let what = issues
        .iter()
        .map(|i| {
            let m = match i.message.rsplit_once("; ") {
                Some((what, done))
                    if ["kept", "clamped", "ignored"]
                        .iter()
                        .any(|w| done.starts_with(w)) =>
                {
                    what
                }
                _ => i.message.as_str(),
            };
            format!("{}: {m}", i.field)
        })
        .collect::<Vec<_>>()
        .join("; ");
    format!("{what} (nothing changed)")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Value};

    /// JSON as a message's data.
    impl MessageData for Value {
        fn field(&self, key: &str) -> Option<Field> {
            fn of(v: &Value) -> Field {
                match v {
                    Value::String(s) => Field::Text(s.clone()),
                    Value::Number(n) => n.as_f64().map_or(Field::Other, Field::Number),
                    Value::Bool(b) => Field::Bool(*b),
                    Value::Object(m) => Field::Object(
                        m.iter()
                            .take(MAX_KEYS + 1)
                            .map(|(k, v)| (k.clone(), of(v)))
                            .collect(),
                    ),
                    _ => Field::Other,
                }
            }
            self.as_object()?.get(key).map(of)
        }
    }

    fn req(v: Value) -> Result<HostMessage, String> {
        match read(&v) {
            Inbound::Request(m) => Ok(m),
            other => Err(format!("{v}: {other:?}")),
        }
    }

    fn refusal(v: Value) -> Result<(String, String), String> {
        match read(&v) {
            Inbound::Refused { request, message } => Ok((request, message)),
            other => Err(format!("{v}: {other:?}")),
        }
    }

    #[test]
    fn requests_are_read() -> Result<(), String> {
        let h = |t: &str| json!({"source": HOST_SOURCE, "type": t});
        assert_eq!(req(h("play"))?, HostMessage::Play);
        assert_eq!(req(h("pause"))?, HostMessage::Pause);
        assert_eq!(req(h("step"))?, HostMessage::Step);
        assert_eq!(req(h("reset"))?, HostMessage::Reset);
        assert_eq!(
            req(json!({"source": HOST_SOURCE, "type": "set", "query": "alpha=0.95&beta=2"}))?,
            HostMessage::Set(vec![
                ("alpha".into(), "0.95".into()),
                ("beta".into(), "2".into())
            ])
        );
        assert_eq!(
            req(
                json!({"source": HOST_SOURCE, "type": "set", "state": {"alpha": 0.9, "embed": true, "gen": "rps"}})
            )?,
            HostMessage::Set(vec![
                ("alpha".into(), "0.9".into()),
                ("embed".into(), "1".into()),
                ("gen".into(), "rps".into())
            ])
        );
        assert_eq!(
            req(json!({"source": HOST_SOURCE, "type": "replace", "query": "v=2&alpha=0.5"}))?,
            HostMessage::Replace("v=2&alpha=0.5".into())
        );
        assert_eq!(
            req(json!({"source": HOST_SOURCE, "type": "tour", "n": 3}))?,
            HostMessage::Tour(3)
        );
        Ok(())
    }

    #[test]
    fn other_sources_are_ignored() {
        for v in [
            json!(null),
            json!("set"),
            json!([1, 2]),
            json!({"type": "play"}),
            json!({"source": "prefdyn", "type": "resize", "height": 3}),
            json!({"source": 7, "type": "play"}),
        ] {
            assert_eq!(read(&v), Inbound::Ignored, "{v}");
        }
    }

    #[test]
    fn bad_requests_are_refused_with_a_reason() -> Result<(), String> {
        let (r, m) = refusal(json!({"source": HOST_SOURCE, "type": "navigate", "url": "x"}))?;
        assert_eq!(r, "navigate");
        assert!(m.contains("unknown message type \"navigate\""), "{m}");
        let (_, m) = refusal(json!({"source": HOST_SOURCE}))?;
        assert!(m.contains("needs a type"), "{m}");
        let (_, m) =
            refusal(json!({"source": HOST_SOURCE, "type": "set", "state": {"alpha": [1]}}))?;
        assert!(m.contains("alpha: expects a string"), "{m}");
        let (_, m) = refusal(json!({"source": HOST_SOURCE, "type": "set"}))?;
        assert!(m.starts_with("set: expects query"), "{m}");
        let (_, m) = refusal(json!({"source": HOST_SOURCE, "type": "set", "query": ""}))?;
        assert!(m.contains("no keys"), "{m}");
        for n in [json!(0), json!(10), json!(2.5), json!("3"), json!(-1)] {
            let (_, m) = refusal(json!({"source": HOST_SOURCE, "type": "tour", "n": n}))?;
            assert!(m.starts_with("tour: n must be"), "{n}: {m}");
        }
        let (_, m) = refusal(json!({"source": HOST_SOURCE, "type": "replace", "query": 3}))?;
        assert!(m.starts_with("replace: expects query"), "{m}");
        let long =
            json!({"source": HOST_SOURCE, "type": "set", "query": "a".repeat(MAX_QUERY_BYTES + 1)});
        assert!(refusal(long)?.1.contains("longer than"));
        let many: serde_json::Map<String, Value> =
            (0..100).map(|i| (format!("k{i}"), json!(1))).collect();
        let (_, m) = refusal(json!({"source": HOST_SOURCE, "type": "set", "state": many}))?;
        assert!(m.contains("at most 64 keys"), "{m}");
        Ok(())
    }

    /// A `set` is the same typed edit as a key in a link: good values give the link's
    /// configuration, a bad value names its key and refuses the whole message.
    #[test]
    fn edits_are_the_links_and_bad_values_are_named() -> Result<(), String> {
        let base = parse_query("v=2&alpha=0.5").config;
        let pairs = vec![("alpha".into(), "0.95".into()), ("beta".into(), "5".into())];
        let c = edited(&base, &pairs)?;
        assert_eq!(c, parse_query("v=2&alpha=0.95&beta=5").config);
        for (k, v) in [("alpha", "x"), ("alpha", "7"), ("nosuch", "1"), ("T", "-3")] {
            let pairs = vec![("beta".into(), "3".into()), (k.into(), v.into())];
            match edited(&base, &pairs) {
                Err(e) => {
                    assert!(e.starts_with(&format!("{k}: ")), "{k}={v}: {e}");
                    assert!(
                        e.ends_with("(nothing changed)")
                            && !e.contains("kept the")
                            && !e.contains("clamped"),
                        "{e}"
                    );
                }
                Ok(_) => return Err(format!("{k}={v} was accepted")),
            }
        }
        assert!(replaced("v=2&alpha=0.9&beta=2").is_ok());
        match replaced("v=2&alpha=abc") {
            Err(e) => assert!(e.contains("alpha"), "{e}"),
            Ok(_) => return Err("alpha=abc was accepted".into()),
        }
        Ok(())
    }

    /// The summary carries the run's own numbers, and the verdict's key is its serde name.
    #[test]
    fn the_summary_is_the_runs() -> Result<(), String> {
        let parsed = parse_query("v=2&alpha=0.95&beta=2&lam=0.8");
        let m = (parsed.config.matrix.matrix_without_presets())
            .ok_or("no P")?
            .map_err(|e| e.to_string())?;
        let d =
            prefdyn::report::dynamics_core_ipo(&parsed.config, &m).map_err(|e| e.to_string())?;
        let s = Summary::of(&d);
        assert_eq!(s.final_policy, d.final_policy);
        assert_eq!(s.rho, d.stability.rho);
        assert_eq!(s.entropy, d.metrics.final_entropy);
        assert_eq!(s.variance, d.metrics.variance);
        for v in Verdict::ALL {
            let serde = serde_json::to_value(v).map_err(|e| e.to_string())?;
            assert_eq!(Value::String(verdict_key(v).into()), serde);
        }
        Ok(())
    }

    /// Fuzz: any JSON message never panics; anything read as a request can be carried out
    /// or refused by the edit check.
    #[test]
    fn random_messages_never_panic() {
        use rand::{Rng, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(19);
        let keys = [
            "alpha", "beta", "lam", "T", "gen", "k", "P", "view", "tour", "x", "", "&", "source",
            "type",
        ];
        let types = ["set", "replace", "play", "tour", "pause", "zap", ""];
        let values = [
            "0.5",
            "-1",
            "1e308",
            "NaN",
            "inf",
            "abc",
            "",
            "%ZZ",
            "rps",
            "3",
            "0.3,0.3,0.4",
        ];
        let base = parse_query("").config;
        let (mut requests, mut refusals) = (0, 0);
        for _ in 0..3000 {
            let t = types[rng.gen_range(0..types.len())];
            let mut q = String::new();
            for _ in 0..rng.gen_range(0..5) {
                let k = keys[rng.gen_range(0..keys.len())];
                let v = values[rng.gen_range(0..values.len())];
                q.push_str(&format!("{k}={v}&"));
            }
            let state: serde_json::Map<String, Value> = (0..rng.gen_range(0..4))
                .map(|_| {
                    let k = keys[rng.gen_range(0..keys.len())].to_string();
                    let v = match rng.gen_range(0..5) {
                        0 => json!(rng.gen::<f64>() * 10.0 - 5.0),
                        1 => json!(values[rng.gen_range(0..values.len())]),
                        2 => json!(rng.gen::<bool>()),
                        3 => json!(null),
                        _ => json!({"x": 1}),
                    };
                    (k, v)
                })
                .collect();
            let msg = match rng.gen_range(0..5) {
                0 => json!({"source": HOST_SOURCE, "type": t, "query": q}),
                1 => json!({"source": HOST_SOURCE, "type": t, "state": state}),
                2 => json!({"source": HOST_SOURCE, "type": t, "n": rng.gen_range(-2..12)}),
                3 => json!({"source": HOST_SOURCE, "type": t, "query": q, "state": state}),
                _ => Value::Object(state.clone()),
            };
            match read(&msg) {
                Inbound::Request(HostMessage::Set(p)) => {
                    requests += 1;
                    if let Err(e) = edited(&base, &p) {
                        assert!(!e.is_empty());
                    }
                }
                Inbound::Request(HostMessage::Replace(q)) => {
                    requests += 1;
                    let _ = replaced(&q);
                }
                Inbound::Request(_) => requests += 1,
                Inbound::Refused { message, .. } => {
                    refusals += 1;
                    assert!(!message.is_empty());
                }
                Inbound::Ignored => {}
            }
        }
        assert!(
            requests > 300 && refusals > 300,
            "{requests} requests, {refusals} refusals"
        );
    }
}
