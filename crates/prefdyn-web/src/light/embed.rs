//! A Dynamics embed served by the light module alone: playback (the buttons and the keys),
//! the readout, the sliders its `controls=` lists, its height reported to the host page and
//! `body[data-complete]`. `window.prefdyn` lives in the full module: reading it asks for
//! that module, which defines it when it takes over (a page waits for it as it waits for
//! the playground to start).

use prefdyn::config::Config;
use wasm_bindgen::prelude::*;
use web_sys::Document;

use super::{draw_chart, hand_over, FIRST};
use crate::dom::{self, on_owned, FrameCallback, Listener};
use crate::model::PlayAction;
use crate::sections::{hero, readout};

/// The controls a light embed can show: the sliders of the run and of playback.
pub const SLIDERS: &[&str] = &["alpha", "beta", "lam", "eta", "T", "speed"];

/// Whether a Dynamics link stays light: an embed whose controls are all [`SLIDERS`] (the
/// portrait, `controls=…,starts`, lives in the full module).
pub fn stays_light(c: &Config) -> bool {
    c.view.embed
        && c.view
            .controls
            .iter()
            .all(|k| SLIDERS.contains(&k.as_str()))
}

thread_local! {
    static FRAME: std::cell::RefCell<Option<FrameCallback>> = const { std::cell::RefCell::new(None) };
}

/// Plays (`true`) or pauses the light run; `true` (done) either way.
pub fn play(on: bool) -> bool {
    let playing = FIRST.with(|f| f.borrow().as_ref().is_some_and(|first| first.play.playing));
    if playing != on {
        act(PlayAction::Toggle { now: dom::now() });
    }
    true
}

/// Applies a playback action to the light run and redraws the chart if it moved; while
/// playing, asks for the next animation frame. Returns `true` (done).
pub fn act(a: PlayAction) -> bool {
    let Some(doc) = dom::document() else {
        return false;
    };
    let playing = FIRST.with(|f| {
        let mut f = f.borrow_mut();
        let first = f.as_mut()?;
        let (rounds, speed) = (first.rounds(), first.config.playback.speed);
        let mut fx = vec![];
        if first.play.act(a, rounds, speed, &mut fx) {
            draw_chart(&doc, first);
        }
        Some(!fx.is_empty())
    });
    if playing == Some(true) {
        dom::request_frame(&FRAME, || {
            Closure::new(move |ts: f64| {
                act(PlayAction::Frame { ts });
            })
        });
    }
    true
}

/// The readout of round `t` of the light run.
fn readout_at(t: usize) -> Option<String> {
    FIRST.with(|f| {
        let f = f.borrow();
        let first = f.as_ref()?;
        let d = first.run.as_ref()?;
        Some(readout::text(&d.trajectory, first.matrix.labels(), t))
    })
}

/// Play, Step, Reset, the keys and the readout, until the listeners are dropped.
pub fn wire(doc: &Document) -> Result<Vec<Listener>, JsValue> {
    let now = dom::now;
    let mut out = vec![
        on_owned(doc, "play", "click", move |_: web_sys::Event| {
            act(PlayAction::Toggle { now: now() });
        })?,
        on_owned(doc, "step", "click", |_: web_sys::Event| {
            act(PlayAction::Step(1));
        })?,
        on_owned(doc, "reset", "click", |_: web_sys::Event| {
            act(PlayAction::Rewind);
        })?,
        dom::listen_owned(doc, "keydown", |e: web_sys::KeyboardEvent| {
            if let Some(a) = hero::playback_key(&e) {
                act(a);
            }
        })?,
    ];
    out.extend(readout::wire(doc, readout_at)?);
    Ok(out)
}

/// After the first chart of a light embed: its height to the host page, `window.prefdyn`
/// on demand, and `body[data-complete]` (everything an embed shows is drawn).
pub fn settle() -> Result<(), JsValue> {
    hero::report_height()?;
    api_on_demand()?;
    dom::set_body_flag("data-complete");
    Ok(())
}

/// `window.prefdyn` as a getter that asks for the full module (and is `undefined` until
/// that module replaces it).
fn api_on_demand() -> Result<(), JsValue> {
    let win = web_sys::window().ok_or("no window")?;
    let get = Closure::<dyn Fn() -> JsValue>::new(|| {
        hand_over();
        JsValue::UNDEFINED
    });
    let desc = js_sys::Object::new();
    js_sys::Reflect::set(&desc, &"configurable".into(), &JsValue::TRUE)?;
    js_sys::Reflect::set(&desc, &"get".into(), &get.into_js_value())?;
    js_sys::Object::define_property(&win, &"prefdyn".into(), &desc);
    Ok(())
}

/// Removes the getter before the full module defines `window.prefdyn`.
pub fn forget_api() {
    if let Some(win) = web_sys::window() {
        let _ = js_sys::Reflect::delete_property(&win, &"prefdyn".into());
    }
}
