//! Playback in the model: a cursor over the rounds, advanced at the configured speed by
//! animation frames while playing.

use super::Effect;

/// Where playback stands.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Playback {
    /// Rounds shown.
    pub cursor: usize,
    pub playing: bool,
    last_frame: f64,
}

/// What a reader (or the frame loop) does to playback.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum PlayAction {
    /// Play or pause at time `now`; playing from the end starts again at round 0.
    Toggle { now: f64 },
    /// Moves the cursor by this many rounds (stops playback).
    Step(i64),
    /// Back to round 0 (stops playback).
    Rewind,
    /// An animation frame at time `ts` (milliseconds).
    Frame { ts: f64 },
}

impl Playback {
    /// A new run: all of it shown, stopped.
    pub fn showing(rounds: usize) -> Playback {
        Playback {
            cursor: rounds,
            ..Playback::default()
        }
    }

    /// Applies `a` for a run of `rounds` rounds played at `speed` rounds per second;
    /// returns whether the cursor or the playing state changed. While playing it asks for
    /// the next frame.
    pub fn act(&mut self, a: PlayAction, rounds: usize, speed: f64, fx: &mut Vec<Effect>) -> bool {
        let before = *self;
        match a {
            PlayAction::Toggle { now } => {
                self.playing = !self.playing;
                if self.playing && self.cursor >= rounds {
                    self.cursor = 0;
                }
                self.last_frame = now;
            }
            PlayAction::Step(d) => {
                self.playing = false;
                self.cursor = (self.cursor as i64 + d).clamp(0, rounds as i64) as usize;
            }
            PlayAction::Rewind => {
                self.playing = false;
                self.cursor = 0;
            }
            PlayAction::Frame { ts } => {
                if !self.playing {
                    return false;
                }
                let adv = ((ts - self.last_frame).max(0.0) / 1000.0 * speed).floor() as usize;
                if adv > 0 {
                    self.cursor = (self.cursor + adv).min(rounds);
                    self.last_frame = ts;
                }
                if self.cursor >= rounds {
                    self.playing = false;
                }
            }
        }
        if self.playing {
            fx.push(Effect::Frame);
        }
        self.cursor != before.cursor || self.playing != before.playing
    }
}
