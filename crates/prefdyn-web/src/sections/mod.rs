//! The page's sections and when they are drawn. Each section is a [`Section`]: it wires
//! its own controls (which dispatch changes) and draws its own part from the model; no
//! section names another. A build registers the sections it has in one list (the light
//! module has none of these; see `crate::full`), and [`Sections`] subscribes them to the
//! store: a change marks the sections it affects; the first viewport's sections draw at
//! once, the others when they come near the viewport (IntersectionObserver) or when the
//! page is idle. When every section has been drawn once, `body[data-complete]` is set.

use std::cell::RefCell;

use prefdyn::config::View;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Document, IntersectionObserver, IntersectionObserverEntry};

use crate::canvas::{theme_from_page, Theme};
use crate::dom::document;
use crate::model::{App, Changed};
use crate::store::{self, HistoryMode, Subscriber};

pub mod dynamics;
pub mod figures;
pub mod hero;
pub mod oneshot;
pub mod page;
pub mod phase;
pub mod preferences;
pub mod readout;
pub mod tour;

/// A part of the page.
pub trait Section: Sync {
    /// Its name (and the id of its element, which lazy drawing watches).
    fn id(&self) -> &'static str;
    /// Binds its controls and listeners (once).
    fn wire(&self, doc: &Document) -> Result<(), JsValue>;
    /// Whether `changed` alters what it shows.
    fn affected(&self, changed: &Changed) -> bool;
    /// Draws what `changed` alters (everything for [`Changed::all`]).
    fn render(&self, doc: &Document, app: &App, changed: &Changed, theme: &Theme);
    /// Whether it is drawn before the first paint (it is in the first viewport).
    fn eager(&self, _app: &App) -> bool {
        false
    }
    /// Its charts' text alternatives and data tables again (a data table was unfolded).
    fn describe(&self, _doc: &Document, _app: &App) {}
    /// It came near the viewport for the first time.
    fn shown(&self) {}
}

/// The id of the section a view shows.
pub fn section_of(view: View) -> &'static str {
    match view {
        View::Preferences => "preferences",
        View::OneShot => "oneshot",
        View::Dynamics => "dynamics",
        View::Phase => "phase",
    }
}

/// What is still to be drawn for each section.
struct Schedule {
    sections: &'static [&'static dyn Section],
    /// Changes not drawn yet, per section.
    dirty: Vec<Option<Changed>>,
    /// Near the viewport now; ever near it; drawn at least once.
    visible: Vec<bool>,
    seen: Vec<bool>,
    drawn: Vec<bool>,
    idle_queued: bool,
    complete: bool,
    _observer: Option<IntersectionObserver>,
}

thread_local! {
    static SCHEDULE: RefCell<Option<Schedule>> = const { RefCell::new(None) };
    static IDLE: RefCell<Option<Closure<dyn FnMut()>>> = const { RefCell::new(None) };
}

/// The registered sections as one subscriber of the store.
pub struct Sections;

impl Subscriber for Sections {
    fn changed(&self, app: &App, changed: &Changed, _mode: HistoryMode) {
        let Some(doc) = document() else { return };
        let recoloured = crate::dom::apply_theme(&doc, app.config.view.theme);
        let changed = if recoloured { Changed::all() } else { *changed };
        let now: Vec<usize> = SCHEDULE.with(|s| {
            let mut s = s.borrow_mut();
            let Some(s) = s.as_mut() else { return vec![] };
            let mut now = vec![];
            for (i, sec) in s.sections.iter().enumerate() {
                if !sec.affected(&changed) {
                    continue;
                }
                let d = s.dirty[i].map_or(changed, |d| d | changed);
                s.dirty[i] = Some(d);
                if sec.eager(app) || s.visible[i] {
                    now.push(i);
                }
            }
            now
        });
        draw(&doc, app, &now);
        queue_idle();
    }
}

/// Draws sections `which` with their accumulated changes.
fn draw(doc: &Document, app: &App, which: &[usize]) {
    if which.is_empty() {
        mark_complete(app);
        return;
    }
    let theme = theme_from_page();
    for &i in which {
        let job = SCHEDULE.with(|s| {
            let mut s = s.borrow_mut();
            let s = s.as_mut()?;
            let c = s.dirty.get_mut(i)?.take()?;
            s.drawn[i] = true;
            Some((s.sections[i], c))
        });
        if let Some((sec, c)) = job {
            sec.render(doc, app, &c, &theme);
        }
    }
    mark_complete(app);
}

/// Sets `body[data-complete]` once every section has been drawn with the whole model (the
/// parts the first view left for later included).
fn mark_complete(app: &App) {
    if app.pending.any() {
        return;
    }
    let done = SCHEDULE.with(|s| {
        let mut s = s.borrow_mut();
        let Some(s) = s.as_mut() else { return false };
        let all = s.drawn.iter().all(|&d| d) && s.dirty.iter().all(Option::is_none);
        let first = all && !s.complete;
        s.complete |= all;
        first
    });
    if done {
        if let Some(b) = document().and_then(|d| d.body()) {
            let _ = b.set_attribute("data-complete", "1");
        }
    }
}

/// Longest wait for an idle period before a section left for later is drawn anyway.
const IDLE_TIMEOUT_MS: u32 = 300;

/// Draws one section left for later, in the next idle period (then queues another).
fn queue_idle() {
    let queue = SCHEDULE.with(|s| {
        let mut s = s.borrow_mut();
        let Some(s) = s.as_mut() else { return false };
        let pending = s.dirty.iter().any(Option::is_some);
        let q = pending && !s.idle_queued;
        s.idle_queued |= q;
        q
    });
    if !queue {
        return;
    }
    IDLE.with(|c| {
        if c.borrow().is_none() {
            *c.borrow_mut() = Some(Closure::new(on_idle));
        }
        if let (Some(cb), Some(w)) = (c.borrow().as_ref(), web_sys::window()) {
            let f: &js_sys::Function = cb.as_ref().unchecked_ref();
            // A busy page still draws them: at the latest after the timeout.
            let opts = web_sys::IdleRequestOptions::new();
            opts.set_timeout(IDLE_TIMEOUT_MS);
            if w.request_idle_callback_with_options(f, &opts).is_err() {
                let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(f, 50);
            }
        }
    });
}

/// While the phase diagram's workers compute, the sections left for later wait, for at most
/// this long after the sweep started (on two cores, drawing them takes a core from a
/// worker; a paper-scale sweep takes minutes, and the page's other sections do not wait
/// for it).
const WAIT_FOR_WORKERS_MAX_MS: f64 = 1000.0;
/// How often a section left for later looks again whether the workers are done.
const WAIT_FOR_WORKERS_MS: i32 = 100;

fn on_idle() {
    let t = crate::dom::now();
    let wait = store::read(|app| app.phase.pool_running_for(t))
        .flatten()
        .is_some_and(|ms| ms < WAIT_FOR_WORKERS_MAX_MS);
    if wait {
        IDLE.with(|c| {
            if let (Some(cb), Some(w)) = (c.borrow().as_ref(), web_sys::window()) {
                let f: &js_sys::Function = cb.as_ref().unchecked_ref();
                let _ =
                    w.set_timeout_with_callback_and_timeout_and_arguments_0(f, WAIT_FOR_WORKERS_MS);
            }
        });
        return;
    }
    let next = SCHEDULE.with(|s| {
        let mut s = s.borrow_mut();
        let s = s.as_mut()?;
        s.idle_queued = false;
        s.dirty.iter().position(Option::is_some)
    });
    if let (Some(i), Some(doc)) = (next, document()) {
        store::read(|app| draw(&doc, app, &[i]));
    }
    queue_idle();
}

/// A section came near the viewport: draw what it owes, tell it the first time.
fn on_intersect(entries: js_sys::Array) {
    let Some(doc) = document() else { return };
    for e in entries.iter() {
        let Ok(e) = e.dyn_into::<IntersectionObserverEntry>() else {
            continue;
        };
        let id = e.target().id();
        let found = SCHEDULE.with(|s| {
            let mut s = s.borrow_mut();
            let s = s.as_mut()?;
            let i = s.sections.iter().position(|sec| sec.id() == id)?;
            let first = e.is_intersecting() && !s.seen[i];
            s.visible[i] = e.is_intersecting();
            s.seen[i] |= e.is_intersecting();
            Some((i, s.sections[i], first, e.is_intersecting()))
        });
        if let Some((i, sec, first, now)) = found {
            if first {
                sec.shown();
            }
            if now {
                store::read(|app| draw(&doc, app, &[i]));
            }
        }
    }
}

/// Registers `sections`, wires them and watches them near the viewport (one viewport
/// ahead).
pub fn register(doc: &Document, sections: &'static [&'static dyn Section]) -> Result<(), JsValue> {
    for s in sections {
        s.wire(doc)?;
    }
    let cb = Closure::<dyn FnMut(js_sys::Array)>::new(on_intersect);
    let opts = web_sys::IntersectionObserverInit::new();
    opts.set_root_margin("100% 0px 100% 0px");
    let observer = IntersectionObserver::new_with_options(cb.as_ref().unchecked_ref(), &opts).ok();
    cb.forget();
    if let Some(o) = &observer {
        for s in sections {
            if let Some(el) = doc.get_element_by_id(s.id()) {
                o.observe(&el);
            }
        }
    }
    let n = sections.len();
    SCHEDULE.with(|s| {
        *s.borrow_mut() = Some(Schedule {
            sections,
            dirty: vec![None; n],
            visible: vec![false; n],
            seen: vec![false; n],
            drawn: vec![false; n],
            idle_queued: false,
            complete: false,
            _observer: observer,
        })
    });
    wire_data_tables(doc)?;
    store::subscribe(&Sections);
    Ok(())
}

/// Every chart's text alternative and data table again (when a data table is unfolded:
/// folded tables are not built).
pub fn describe_all() {
    let Some(doc) = document() else { return };
    let sections = SCHEDULE.with(|s| s.borrow().as_ref().map(|s| s.sections));
    if let Some(sections) = sections {
        store::read(|app| sections.iter().for_each(|s| s.describe(&doc, app)));
    }
}

/// `toggle` does not bubble: listen in the capture phase for every chart's data table.
fn wire_data_tables(doc: &Document) -> Result<(), JsValue> {
    let cb = Closure::<dyn FnMut(web_sys::Event)>::new(|e: web_sys::Event| {
        let opened = crate::dom::event_target(&e, "details.chart-data")
            .is_some_and(|d| d.has_attribute("open"));
        if opened {
            describe_all();
        }
    });
    doc.add_event_listener_with_callback_and_bool("toggle", cb.as_ref().unchecked_ref(), true)?;
    cb.forget();
    Ok(())
}
