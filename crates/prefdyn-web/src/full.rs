//! The full playground: every section registered in one list, the history, the API and the
//! services. It starts from the URL alone (the canonical query is the whole state), so it
//! can take over from the light module: it tells it to detach (`prefdyn:takeover`), draws
//! the first viewport's sections at once, sets `body[data-ready]`, and after the first paint
//! computes the rest; the other sections draw as they come near the viewport or when the
//! page is idle (`body[data-complete]` when all have been drawn).

use prefdyn::config::{parse_query, to_query, View};
use wasm_bindgen::prelude::*;

use crate::history::{self, History};
use crate::model::message::{edited, replaced, HostMessage, Summary, Update};
use crate::model::{App, Change, Changed, PlayAction};
use crate::sections::dynamics::Dynamics;
use crate::sections::figures::Figures;
use crate::sections::oneshot::OneShot;
use crate::sections::page::Page;
use crate::sections::phase::Phase;
use crate::sections::preferences::Preferences;
use crate::sections::tour::{self, Tour};
use crate::sections::{self, hero, Section};
use crate::services::{pool, Services};
use crate::store::{self, HistoryMode, Subscriber};
use crate::{api, dom, host, panic};

/// The full playground's sections, in the order they draw. A build without a section
/// leaves it out of this list.
pub const SECTIONS: &[&dyn Section] = &[
    &Page,
    &Tour,
    &Dynamics,
    &Preferences,
    &OneShot,
    &Phase,
    &Figures,
];

/// Entry point of the full module.
pub fn start() -> Result<(), JsValue> {
    panic::install();
    // In a worker there is no page.
    let Some(win) = web_sys::window() else {
        return Ok(());
    };
    dom::dispatch_event("prefdyn:takeover");
    let doc = dom::document().ok_or("no document")?;
    let search = win.location().search().unwrap_or_default();
    let parsed = tour::expand(&search, parse_query(&search));
    let (touring, view, embed) = (
        parsed.config.view.tour > 0,
        parsed.config.view.view,
        parsed.config.view.embed,
    );
    store::init(App::first_view(parsed, pool::per_core()));
    sections::register(&doc, SECTIONS)?;
    store::subscribe(&History);
    history::wire()?;
    api::expose()?;
    if let Some(l) = host::listen(carry_out)? {
        std::mem::forget(l);
    }
    host::show_version(&doc);
    store::serve(&Services);
    dom::listen(&win, "resize", |_: web_sys::Event| {
        store::refresh(Changed::all())
    })?;
    store::refresh(Changed::all());
    // From here on every change is the host's news (the first drawing above is not).
    store::subscribe(&HostUpdates);
    if let Some(config) = store::read(|app| app.config.clone()) {
        history::record(&config, HistoryMode::Replace);
    }
    hero::report_height()?;
    // A link lands where it points: its tour step, else its section.
    if touring {
        tour::reveal();
    } else if view != View::Dynamics && !embed {
        dom::scroll_to(sections::section_of(view));
    }
    dom::set_body_flag("data-ready");
    if let Some(u) = update() {
        host::ready(&u);
    }
    // What the host asked of the light module before this one took over.
    for data in host::take_deferred() {
        host::receive(data, carry_out);
    }
    // The rest after the first paint.
    dom::after_paint(|| store::dispatch(Change::Complete, HistoryMode::None));
    Ok(())
}

/// Tells the host page of every change of the configuration or the results (`update`).
struct HostUpdates;

impl Subscriber for HostUpdates {
    fn changed(&self, _app: &App, c: &Changed, _mode: HistoryMode) {
        if c.config.any() || c.results.any() {
            host::update_soon(update);
        }
    }
}

fn update() -> Option<Update> {
    store::read(|app| Update {
        query: to_query(&app.config),
        summary: app.results.dynamics.as_ref().map(Summary::of),
        compare: compare_summaries(app),
    })
}

/// `update.compare`: every run of a comparison in brief, `[{title, summary}]` as JSON (empty
/// for one run); `summary` as `summary` is, `null` without a run.
fn compare_summaries(app: &App) -> String {
    if !app.has_variants() {
        return String::new();
    }
    let brief = |d: Option<&prefdyn::report::DynamicsReport>| match d {
        None => serde_json::Value::Null,
        Some(d) => {
            let s = Summary::of(d);
            serde_json::json!({
                "verdict": s.verdict,
                "verdict_text": s.verdict_text,
                "rho": s.rho,
                "final": s.final_policy,
                "entropy": s.entropy,
                "V": s.variance,
            })
        }
    };
    let base = std::iter::once(("base".to_string(), app.results.dynamics.as_ref()));
    let variants = app
        .variants
        .iter()
        .map(|v| (v.report.title.clone(), v.report.dynamics.as_ref()));
    let runs: Vec<serde_json::Value> = base
        .chain(variants)
        .map(|(title, d)| serde_json::json!({ "title": title, "summary": brief(d) }))
        .collect();
    serde_json::Value::Array(runs).to_string()
}

/// Carries out a host page's request as the page's own controls would; a bad value is
/// answered with `error` and changes nothing.
fn carry_out(m: HostMessage, _data: &JsValue) {
    let playing = store::read(|app| app.play.playing).unwrap_or(false);
    let play = |a| store::dispatch(Change::Play(a), HistoryMode::None);
    match m {
        HostMessage::Set(pairs) => match store::read(|app| edited(&app.config, &pairs)) {
            Some(Ok(_)) => store::dispatch(Change::Edits(pairs), HistoryMode::Push),
            Some(Err(e)) => host::refuse("set", &e),
            None => {}
        },
        HostMessage::Replace(q) => match replaced(&q) {
            Ok(p) => store::dispatch(Change::Replace(Box::new(p)), HistoryMode::Push),
            Err(e) => host::refuse("replace", &e),
        },
        HostMessage::Play if !playing => play(PlayAction::Toggle { now: dom::now() }),
        HostMessage::Pause if playing => play(PlayAction::Toggle { now: dom::now() }),
        HostMessage::Play | HostMessage::Pause => {}
        HostMessage::Step => play(PlayAction::Step(1)),
        HostMessage::Reset => play(PlayAction::Rewind),
        HostMessage::Tour(n) => tour::go(n),
    }
}
