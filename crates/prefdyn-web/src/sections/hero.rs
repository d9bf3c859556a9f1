//! What the first viewport shows, drawn the same way by the light module and by the full
//! playground's Dynamics section: the π_t chart, the verdict with the sentence that
//! explains it, the theory beside it and the hint, and P in brief (a thumbnail, where it
//! comes from and what its majority says).

use prefdyn::config::{Config, Keyed, MatrixSource, View, ViewSettings};
use prefdyn::presets::preset_title;
use prefdyn::report::{next_step_hint, theory_sentences, DynamicsReport};
use prefdyn::text::count;
use prefdyn::{PreferenceMatrix, Verdict};
use prefdyn_charts::{diverging, RunPicture};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{CanvasRenderingContext2d, Document, Element, HtmlCanvasElement};

use crate::canvas::{self, Theme};
use crate::dom::{document, escape, log_error, now, set_attr, set_html, set_text};
use crate::history::share_url;
use crate::model::PlayAction;

/// Where P comes from, in words (a preset's name from the index: no preset data needed).
pub fn source_title(matrix: &MatrixSource) -> String {
    match matrix {
        MatrixSource::Generated { family, .. } => family.title().to_string(),
        MatrixSource::Preset { name } => preset_title(name).unwrap_or(name).to_string(),
        MatrixSource::Values { .. } => "edited values".into(),
    }
}

/// The qualifier's sentence.
const CONCENTRATED: &str =
    "Concentrated: one response holds at least 90 % of the mass at the last round.";

/// The verdict (with the sentence that explains its word), the theory and the hint; or why
/// there is no run.
pub fn render_texts(doc: &Document, d: Option<&DynamicsReport>, error: &str, labels: &[String]) {
    let Some(d) = d else {
        set_text(doc, "verdict", &format!("No run: {error}"));
        for id in ["verdict-why", "dyn-hint"] {
            set_text(doc, id, "");
        }
        set_html(doc, "theory", "");
        return;
    };
    let m = &d.metrics;
    let [lead, word, rest] = d.verdict_line();
    set_html(
        doc,
        "verdict",
        &format!("{lead}<b>{}</b>{}", escape(&word), escape(&rest)),
    );
    set_attr(doc, "verdict", "data-verdict", m.verdict.label());
    let mut why = m.verdict.explanation().to_string();
    if m.concentrated().is_some() {
        why.push(' ');
        why.push_str(CONCENTRATED);
    }
    set_text(doc, "verdict-why", &why);
    set_attr(doc, "verdict", "title", &why);
    set_text(doc, "dyn-hint", &next_step_hint(d, labels));
    let items: String = theory_sentences(d, labels)
        .iter()
        .map(|t| format!("<li>{}</li>", escape(t)))
        .collect();
    set_html(doc, "theory", &items);
}

/// The glossary under the verdict: every verdict word, the qualifier, and the metrics the
/// page shows (V, H, ρ), one sentence each.
pub fn glossary() -> String {
    let mut items: Vec<(String, String)> = Verdict::ALL
        .iter()
        .map(|v| {
            let text = v.explanation();
            let (word, rest) = text.split_once(": ").unwrap_or((v.label(), text));
            (word.to_string(), rest.to_string())
        })
        .collect();
    let more = [
        ("Concentrated on i (p)", "a qualifier: response i holds p ≥ 90 % of the mass at the last round (shown with any verdict but collapsed)."),
        ("V", "the time-averaged variance (1/K) Σ_i Var_t π_t(i): 0 for a run that sits still, large for a persistent cycle."),
        ("H(π_T)", "the entropy of the last policy in nats: log K when uniform, 0 on a single response."),
        ("ρ", "the spectral radius of one round's Jacobian at the fixed point π*: below 1 the run settles there, above 1 it oscillates."),
    ];
    items.extend(more.iter().map(|(a, b)| (a.to_string(), b.to_string())));
    items
        .iter()
        .map(|(w, t)| format!("<dt>{}</dt><dd>{}</dd>", escape(w), escape(t)))
        .collect()
}

/// The π_t chart up to the cursor; its layout (CSS pixels) goes to the readout.
pub fn draw_policy(run: &RunPicture, theme: &Theme) {
    match canvas::draw_policy("chart-policy", theme, run) {
        Ok(layout) => super::readout::set_layout(layout),
        Err(e) => log_error(&e),
    }
}

/// "P: Rock–paper–scissors, K = 3 · no Condorcet winner, 1 majority 3-cycle. Change P ↓"
pub fn summary_text(
    source: &str,
    k: usize,
    condorcet: Option<usize>,
    three_cycles: usize,
    labels: &[String],
) -> String {
    let majority = match condorcet.and_then(|i| labels.get(i)) {
        Some(w) => format!("Condorcet winner {w}"),
        None if three_cycles > 0 => format!(
            "no Condorcet winner, {}",
            count(three_cycles, "majority 3-cycle", "majority 3-cycles")
        ),
        None => "no Condorcet winner".into(),
    };
    format!("P: {source}, K = {k} · {majority}. Change P ↓")
}

/// The compact P: its text and thumbnail.
pub fn render_summary(doc: &Document, text: &str, p: &PreferenceMatrix) {
    set_text(doc, "p-summary-text", text);
    set_attr(doc, "p-summary", "aria-label", text);
    draw_thumbnail(doc, p);
}

/// P as a K×K block of cells in the heatmap's colours (the diagonal in grey).
fn draw_thumbnail(doc: &Document, p: &PreferenceMatrix) {
    let Some(canvas) = doc
        .get_element_by_id("p-thumb")
        .and_then(|e| e.dyn_into::<HtmlCanvasElement>().ok())
    else {
        return;
    };
    let Some(ctx) = canvas
        .get_context("2d")
        .ok()
        .flatten()
        .and_then(|c| c.dyn_into::<CanvasRenderingContext2d>().ok())
    else {
        return;
    };
    let size = 40.0
        * web_sys::window()
            .map_or(1.0, |w| w.device_pixel_ratio())
            .max(1.0);
    canvas.set_width(size as u32);
    canvas.set_height(size as u32);
    let k = p.k();
    let cell = size / k as f64;
    for i in 0..k {
        for j in 0..k {
            let fill = if i == j {
                "rgb(160,160,160)".to_string()
            } else {
                let c = diverging(p.get(i, j));
                format!("rgb({},{},{})", c.0, c.1, c.2)
            };
            ctx.set_fill_style_str(&fill);
            ctx.fill_rect(j as f64 * cell, i as f64 * cell, cell.ceil(), cell.ceil());
        }
    }
}

/// The view and embed attributes of the body (`portrait`: an embed shows the K = 3
/// portrait), the embed's controls and the open-in-full-playground link (the page's
/// frame, the same for both modules).
pub fn render_frame(doc: &Document, c: &Config) {
    if let Some(b) = doc.body() {
        let _ = b.set_attribute("data-view", c.view.view.key());
        let _ = b.class_list().toggle_with_force("embed", c.view.embed);
        let portrait = c.view.tour > 0 || c.view.controls.iter().any(|k| k == "starts");
        let _ = b.class_list().toggle_with_force("portrait", portrait);
    }
    set_attr(doc, "open-full", "href", &share_url(c, false));
    show_controls(doc, &c.view);
}

/// The controls an embed shows: `controls=` if given, else α and β in Dynamics. Marks
/// each `[data-control]` element with `shown` (the stylesheet hides the rest in embeds).
pub fn show_controls(doc: &Document, v: &ViewSettings) {
    let defaults: &[&str] = match v.view {
        View::Dynamics => &["alpha", "beta"],
        _ => &[],
    };
    let shown = |key: &str| match v.controls.is_empty() {
        true => defaults.contains(&key),
        false => v.controls.iter().any(|k| k == key),
    };
    let Ok(list) = doc.query_selector_all("[data-control]") else {
        return;
    };
    for i in 0..list.length() {
        let Some(el) = list.item(i).and_then(|n| n.dyn_into::<Element>().ok()) else {
            continue;
        };
        let key = el.get_attribute("data-control").unwrap_or_default();
        let _ = el.class_list().toggle_with_force("shown", shown(&key));
    }
}

/// The round shown and the play button's word.
pub fn render_player(doc: &Document, cursor: usize, rounds: usize, playing: bool) {
    set_text(doc, "round-out", &format!("round {cursor} of {rounds}"));
    set_text(doc, "play", if playing { "Pause" } else { "Play" });
}

/// The playback a key asks for: space plays or pauses, the arrows step; nothing while a
/// form control has the focus or with a modifier. Takes the key's default action.
pub fn playback_key(e: &web_sys::KeyboardEvent) -> Option<PlayAction> {
    let in_control = e
        .target()
        .and_then(|t| t.dyn_into::<Element>().ok())
        .is_some_and(|el| {
            matches!(
                el.tag_name().as_str(),
                "INPUT" | "SELECT" | "TEXTAREA" | "BUTTON"
            )
        });
    if in_control || e.ctrl_key() || e.meta_key() || e.alt_key() {
        return None;
    }
    let action = match e.key().as_str() {
        " " => PlayAction::Toggle { now: now() },
        "ArrowRight" => PlayAction::Step(1),
        "ArrowLeft" => PlayAction::Step(-1),
        _ => return None,
    };
    e.prevent_default();
    Some(action)
}

/// Inside an iframe, tells the host page the content's height whenever it changes:
/// `postMessage({ source: "prefdyn", type: "resize", height }, "*")`.
pub fn report_height() -> Result<(), JsValue> {
    let win = web_sys::window().ok_or("no window")?;
    let Ok(Some(parent)) = win.parent() else {
        return Ok(());
    };
    if parent == win {
        return Ok(());
    }
    let post = Closure::<dyn FnMut(js_sys::Array)>::new(move |_entries: js_sys::Array| {
        let Some(root) = document().and_then(|d| d.document_element()) else {
            return;
        };
        let height = root.get_bounding_client_rect().height().ceil();
        let msg = js_sys::Object::new();
        let _ = js_sys::Reflect::set(&msg, &"source".into(), &"prefdyn".into());
        let _ = js_sys::Reflect::set(&msg, &"type".into(), &"resize".into());
        let _ = js_sys::Reflect::set(&msg, &"height".into(), &height.into());
        let _ = parent.post_message(&msg, "*");
    });
    let observer = web_sys::ResizeObserver::new(post.as_ref().unchecked_ref())?;
    if let Some(root) = document().and_then(|d| d.document_element()) {
        observer.observe(&root);
    }
    post.forget();
    std::mem::forget(observer);
    Ok(())
}
