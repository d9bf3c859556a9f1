//! The π_t chart's readout: hovering (or touching) the chart shows the round under the
//! pointer and each π_i then (the largest eight at K > 8), mapped back with the chart's own
//! geometry (`RoundsLayout`, kept by [`super::hero::draw_policy`]), so that the readout and
//! the drawing agree. Both modules wire it to their own run.

use std::cell::Cell;

use prefdyn::text::sig;
use prefdyn::Trajectory;
use prefdyn_charts::RoundsLayout;
use wasm_bindgen::prelude::*;
use web_sys::Document;

use crate::dom::{document, hide_tip, offset_in_target, on_owned, show_tip, Listener};

thread_local! {
    /// Where the π_t chart was last drawn, in CSS pixels.
    static LAYOUT: Cell<RoundsLayout> = Cell::new(RoundsLayout::default());
}

/// Responses listed at most in the readout.
const MAX_LISTED: usize = 8;

pub fn set_layout(layout: RoundsLayout) {
    LAYOUT.with(|l| l.set(layout));
}

/// "round 42: A 0.312, B 0.401, C 0.287" (the largest eight, in order, at K > 8).
pub fn text(tr: &Trajectory, labels: &[String], t: usize) -> String {
    let t = t.min(tr.rounds());
    let pi = tr.policy(t);
    let mut shown: Vec<usize> = (0..pi.len()).collect();
    if pi.len() > MAX_LISTED {
        shown.sort_by(|&a, &b| pi[b].total_cmp(&pi[a]));
        shown.truncate(MAX_LISTED);
        shown.sort_unstable();
    }
    let items: Vec<String> = shown
        .iter()
        .map(|&i| {
            format!(
                "{} {}",
                labels.get(i).map_or("", String::as_str),
                sig(pi[i])
            )
        })
        .collect();
    let more = pi.len() - shown.len();
    format!(
        "round {t}: {}{}",
        items.join(", "),
        if more > 0 {
            format!(" (+{more} more)")
        } else {
            String::new()
        }
    )
}

/// The readout of round `t` of the module's run, if there is one.
pub type TextAt = fn(t: usize) -> Option<String>;

/// Shows `text_at` of the round under the pointer (or the finger) on the π_t chart, until
/// the listeners are dropped.
pub fn wire(doc: &Document, text_at: TextAt) -> Result<Vec<Listener>, JsValue> {
    let on_move = move |e: web_sys::MouseEvent| {
        let (Some(doc), Some((x, y))) = (document(), offset_in_target(&e)) else {
            return;
        };
        let layout = LAYOUT.with(Cell::get);
        let shown = layout
            .contains(x, y)
            .then(|| layout.round_at(x))
            .flatten()
            .and_then(text_at);
        match shown {
            Some(t) => show_tip(&doc, "policy-tip", &t, x, y),
            None => hide_tip(&doc, "policy-tip"),
        }
    };
    Ok(vec![
        on_owned(doc, "chart-policy", "pointermove", on_move)?,
        on_owned(doc, "chart-policy", "pointerdown", on_move)?,
        on_owned(doc, "chart-policy", "mouseleave", |_: web_sys::Event| {
            if let Some(doc) = document() {
                hide_tip(&doc, "policy-tip");
            }
        })?,
    ])
}
