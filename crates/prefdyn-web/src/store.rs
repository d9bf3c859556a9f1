//! The one path every change takes. [`dispatch`] applies a [`Change`] to the model, then
//! tells every [`Subscriber`] what changed (sections, history, the API), then hands the
//! model's effects to the [`Service`]s (the phase workers, the slices, the frame loop). A
//! dispatch made while one is under way (by a subscriber, a service or a listener) is queued
//! and applied after it, so changes never interleave and no borrow is held while anyone
//! applies one. Knows no section, no history and no API: they subscribe at start.

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;

use crate::model::{App, Change, Changed, Effect};

/// How a change reaches the address bar.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum HistoryMode {
    /// A new entry (a discrete change).
    Push,
    /// The current entry (a typed value, a correction).
    Replace,
    /// A slider moves: the entry is replaced, the entry before the drag remembered.
    DragMove,
    /// A slider is released: one entry for the whole drag.
    DragEnd,
    /// Not at all (Back/Forward, playback, jobs).
    None,
}

/// Hears every change, after it was applied.
pub trait Subscriber {
    fn changed(&self, app: &App, changed: &Changed, mode: HistoryMode);
}

/// Does what the model asks for (an [`Effect`]); returns whether it handled it.
pub trait Service {
    fn run(&self, effect: &Effect) -> bool;
}

thread_local! {
    static APP: RefCell<Option<App>> = const { RefCell::new(None) };
    static SUBSCRIBERS: RefCell<Vec<&'static dyn Subscriber>> = const { RefCell::new(Vec::new()) };
    static SERVICES: RefCell<Vec<&'static dyn Service>> = const { RefCell::new(Vec::new()) };
    static QUEUE: RefCell<VecDeque<(Change, HistoryMode)>> = const { RefCell::new(VecDeque::new()) };
    static BUSY: Cell<bool> = const { Cell::new(false) };
}

/// Starts the store with a model.
pub fn init(app: App) {
    APP.with(|a| *a.borrow_mut() = Some(app));
}

pub fn subscribe(s: &'static dyn Subscriber) {
    SUBSCRIBERS.with(|l| l.borrow_mut().push(s));
}

pub fn serve(s: &'static dyn Service) {
    SERVICES.with(|l| l.borrow_mut().push(s));
}

/// Reads the model.
pub fn read<R>(f: impl FnOnce(&App) -> R) -> Option<R> {
    APP.with(|a| a.try_borrow().ok()?.as_ref().map(f))
}

/// Milliseconds since the page started (the model's clock).
fn now() -> f64 {
    crate::dom::now()
}

/// Applies `change` (after any under way), tells the subscribers, runs the effects. From
/// inside a [`read`] the change waits for the next task (the model is being read).
pub fn dispatch(change: Change, mode: HistoryMode) {
    QUEUE.with(|q| q.borrow_mut().push_back((change, mode)));
    drain();
}

/// Applies the queued changes, unless a dispatch is under way (it will) or the model is
/// being read (then in the next task).
fn drain() {
    if BUSY.with(|b| b.replace(true)) {
        return;
    }
    while let Some((change, mode)) = QUEUE.with(|q| q.borrow_mut().pop_front()) {
        let applied = APP.with(|a| match a.try_borrow_mut() {
            Ok(mut a) => Ok(a.as_mut().map(|app| app.change(change, now()))),
            Err(_) => Err(change),
        });
        match applied {
            Ok(Some((changed, effects))) => {
                tell(&changed, mode);
                run(&effects);
            }
            Ok(None) => {}
            Err(change) => {
                QUEUE.with(|q| q.borrow_mut().push_front((change, mode)));
                BUSY.with(|b| b.set(false));
                crate::dom::after_task(drain);
                return;
            }
        }
    }
    BUSY.with(|b| b.set(false));
}

/// Tells the subscribers that `changed` holds (a first paint, a resize, a new theme) without
/// changing the model.
pub fn refresh(changed: Changed) {
    if BUSY.with(Cell::get) {
        return;
    }
    BUSY.with(|b| b.set(true));
    tell(&changed, HistoryMode::None);
    BUSY.with(|b| b.set(false));
    // Applies what the subscribers dispatched meanwhile.
    drain();
}

fn tell(changed: &Changed, mode: HistoryMode) {
    let subs = SUBSCRIBERS.with(|l| l.borrow().clone());
    for s in subs {
        APP.with(|a| {
            if let Ok(a) = a.try_borrow() {
                if let Some(app) = a.as_ref() {
                    s.changed(app, changed, mode);
                }
            }
        });
    }
}

fn run(effects: &[Effect]) {
    let services = SERVICES.with(|l| l.borrow().clone());
    for e in effects {
        for s in &services {
            if s.run(e) {
                break;
            }
        }
    }
}
