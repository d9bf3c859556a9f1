//! Playback of the dynamics: a cursor over the rounds, advanced by a self-rescheduling
//! animation frame at the configured speed. Each frame redraws the dynamics charts only.

use std::cell::RefCell;

use wasm_bindgen::prelude::*;

use crate::dom::{now, request_frame, FrameCallback};
use crate::sections::dynamics;
use crate::store;

/// Where playback stands.
#[derive(Debug, Clone, Copy, Default)]
struct Play {
    /// Rounds shown.
    cursor: usize,
    playing: bool,
    last_frame: f64,
}

thread_local! {
    static PLAY: RefCell<Play> = RefCell::new(Play::default());
    static FRAME: RefCell<Option<FrameCallback>> = const { RefCell::new(None) };
}

/// Rounds shown.
pub fn cursor() -> usize {
    PLAY.with(|p| p.borrow().cursor)
}

pub fn playing() -> bool {
    PLAY.with(|p| p.borrow().playing)
}

/// The rounds of the current run.
fn rounds() -> usize {
    store::read(|app| {
        app.results
            .dynamics
            .as_ref()
            .map(|d| d.trajectory.rounds())
            .unwrap_or(0)
    })
    .unwrap_or(0)
}

/// A new run: show all of it, stopped.
pub fn show_all(rounds: usize) {
    PLAY.with(|p| {
        *p.borrow_mut() = Play {
            cursor: rounds,
            ..Play::default()
        }
    });
}

/// Moves the cursor by `delta` rounds (stops playback).
pub fn step(delta: i64) {
    let t = rounds() as i64;
    PLAY.with(|p| {
        let mut p = p.borrow_mut();
        p.playing = false;
        p.cursor = (p.cursor as i64 + delta).clamp(0, t) as usize;
    });
    dynamics::render_frame();
}

/// Back to round 0 (stops playback).
pub fn rewind() {
    PLAY.with(|p| {
        let mut p = p.borrow_mut();
        p.playing = false;
        p.cursor = 0;
    });
    dynamics::render_frame();
}

/// Play or pause; playing from the end starts again at round 0.
pub fn toggle() {
    let t = rounds();
    let start = PLAY.with(|p| {
        let mut p = p.borrow_mut();
        p.playing = !p.playing;
        if p.playing && p.cursor >= t {
            p.cursor = 0;
        }
        p.last_frame = now();
        p.playing
    });
    dynamics::render_frame();
    if start {
        request();
    }
}

/// Advances by `speed × elapsed`; returns whether to keep playing.
fn advance(ts: f64) -> bool {
    let speed = store::read(|app| app.config.playback.speed).unwrap_or(30.0);
    let t = rounds();
    let (moved, again) = PLAY.with(|p| {
        let mut p = p.borrow_mut();
        if !p.playing {
            return (false, false);
        }
        let adv = ((ts - p.last_frame).max(0.0) / 1000.0 * speed).floor() as usize;
        if adv > 0 {
            p.cursor = (p.cursor + adv).min(t);
            p.last_frame = ts;
        }
        if p.cursor >= t {
            p.playing = false;
        }
        (adv > 0 || !p.playing, p.playing)
    });
    if moved {
        dynamics::render_frame();
    }
    again
}

fn request() {
    request_frame(&FRAME, || {
        Closure::new(move |ts: f64| {
            if advance(ts) {
                request();
            }
        })
    });
}
