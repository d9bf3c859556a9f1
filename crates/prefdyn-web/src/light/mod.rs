//! The light module: the first viewport of a Dynamics link, as soon as possible. It reads
//! the link, runs the MRS-IPO dynamics, draws the π_t chart with the verdict, the theory
//! and P in brief (with [`crate::sections::hero`], as the full playground does), binds α, β
//! and λ, and sets `body[data-ready]`.
//!
//! On the playground's page it then asks for the full module (`prefdyn:load-full`, which
//! `index.html` answers with a dynamic import); the full module takes over from the URL
//! (`prefdyn:takeover`) and the light module removes its listeners. A Dynamics embed whose
//! controls the light module has ([`embed`]) stays light: playback, its sliders and its
//! height are served here and the full module is never downloaded, unless `window.prefdyn`
//! is asked for. A link that needs more (another view, a tour step, a preset, finite
//! samples, DPO, an older format, a message) is handed over at once.

mod embed;

use std::cell::RefCell;

use prefdyn::config::{edit_single, parse_single, to_query, Config, MatrixSource, Parsed, View};
use prefdyn::report::{dynamics_core_ipo, DynamicsReport};
use prefdyn::social_choice::{condorcet_winner, three_cycles};
use prefdyn::{PreferenceMatrix, Solver};
use prefdyn_charts::RunPicture;
use wasm_bindgen::prelude::*;

use crate::canvas::theme_from_page;
use crate::controls;
use crate::dom::{self, Listener};
use crate::history;
use crate::host;
use crate::model::message::{edited_single, replaced_single, HostMessage, Summary, Update};
use crate::model::{PlayAction, Playback};
use crate::sections::hero;
use crate::store::HistoryMode;

/// The first view's model: the configuration, P, the run and where playback stands.
struct First {
    config: Config,
    matrix: PreferenceMatrix,
    run: Option<DynamicsReport>,
    error: String,
    play: Playback,
    /// The module's listeners, removed when the full module takes over.
    _listeners: Vec<Listener>,
}

impl First {
    fn rounds(&self) -> usize {
        self.run.as_ref().map_or(0, |d| d.trajectory.rounds())
    }
}

thread_local! {
    static FIRST: RefCell<Option<First>> = const { RefCell::new(None) };
}

/// Whether a link needs more than the first view of Dynamics.
fn needs_full(p: &Parsed, search: &str) -> bool {
    !p.issues.is_empty()
        || p.upgraded_from.is_some()
        || search.contains("tour=")
        || beyond_light(&p.config)
}

/// Whether a configuration shows more than the light module draws.
fn beyond_light(c: &Config) -> bool {
    c.view.view != View::Dynamics
        || c.view.tour > 0
        || matches!(c.matrix, MatrixSource::Preset { .. })
        || c.dynamics.solver != Solver::Ipo
        || c.dynamics.sampling.spec().is_some()
        || !c.variants.is_empty()
}

/// P without preset data (a preset link goes to the full module).
fn matrix_of(c: &Config) -> Option<PreferenceMatrix> {
    match &c.matrix {
        MatrixSource::Preset { .. } => None,
        m => m.matrix_without_presets()?.ok(),
    }
}

/// Asks the page for the full module.
fn hand_over() {
    dom::dispatch_event("prefdyn:load-full");
}

/// Entry point of the light module.
pub fn start() -> Result<(), JsValue> {
    crate::panic::install();
    let Some(win) = web_sys::window() else {
        return Ok(());
    };
    let doc = dom::document().ok_or("no document")?;
    let search = win.location().search().unwrap_or_default();
    // A comparison (`KEY.N`) is the full module's.
    let Some(parsed) = parse_single(&search) else {
        hand_over();
        return Ok(());
    };
    let matrix = matrix_of(&parsed.config);
    let (Some(matrix), false) = (matrix, needs_full(&parsed, &search)) else {
        hand_over();
        return Ok(());
    };
    let config = parsed.config;
    let standalone = embed::stays_light(&config);
    hero::render_frame(&doc, &config);
    controls::sync(&doc, &config);
    let sliders: &[&str] = match standalone {
        true => embed::SLIDERS,
        false => &["alpha", "beta", "lam"],
    };
    let mut listeners = controls::bind_sliders(&doc, sliders, on_edit)?;
    listeners.push(dom::listen_owned(
        &win,
        "prefdyn:takeover",
        |_: web_sys::Event| {
            FIRST.with(|f| *f.borrow_mut() = None);
            embed::forget_api();
        },
    )?);
    if standalone {
        listeners.extend(embed::wire(&doc)?);
    }
    listeners.extend(host::listen(carry_out)?);
    host::show_version(&doc);
    let mut first = First {
        config,
        matrix,
        run: None,
        error: String::new(),
        play: Playback::default(),
        _listeners: listeners,
    };
    compute(&mut first);
    draw(&doc, &first);
    history::record(&first.config, HistoryMode::Replace);
    FIRST.with(|f| *f.borrow_mut() = Some(first));
    dom::set_body_flag("data-ready");
    if let Some(u) = update() {
        host::ready(&u);
    }
    match standalone {
        true => embed::settle()?,
        false => dom::after_paint(hand_over),
    }
    Ok(())
}

/// Runs the dynamics and shows all of the new run.
fn compute(first: &mut First) {
    match dynamics_core_ipo(&first.config, &first.matrix) {
        Ok(d) => (first.run, first.error) = (Some(d), String::new()),
        Err(e) => (first.run, first.error) = (None, e.to_string()),
    }
    first.play = Playback::showing(first.rounds());
}

/// The first view: the verdict, the theory, the π_t chart and P in brief.
fn draw(doc: &web_sys::Document, first: &First) {
    let labels = first.matrix.labels();
    hero::render_texts(doc, first.run.as_ref(), &first.error, labels);
    let p = &first.matrix;
    let text = hero::summary_text(
        &hero::source_title(&first.config.matrix),
        p.k(),
        condorcet_winner(p),
        three_cycles(p),
        labels,
    );
    hero::render_summary(doc, &text, p);
    dom::set_hidden(doc, "simplex-box", p.k() != 3);
    draw_chart(doc, first);
}

/// The π_t chart up to the play cursor, the round and the play button.
fn draw_chart(doc: &web_sys::Document, first: &First) {
    let Some(d) = &first.run else {
        crate::canvas::clear("chart-policy");
        return;
    };
    let run = RunPicture {
        k: d.trajectory.k,
        policies: &d.trajectory.policies,
        upto: first.play.cursor,
        labels: first.matrix.labels(),
        fixed_point: d.stability.fixed_point.as_deref(),
        samples: None,
        population: true,
    };
    hero::draw_policy(&run, &theme_from_page());
    hero::render_player(doc, first.play.cursor, first.rounds(), first.play.playing);
}

/// A slider or its box moved before the full module arrived (or in a light embed): the
/// same typed edit, run, drawn and recorded here. Playback speed does not rerun.
fn on_edit(key: &'static str, raw: String, mode: HistoryMode) {
    let Some(doc) = dom::document() else { return };
    FIRST.with(|f| {
        let mut f = f.borrow_mut();
        let Some(first) = f.as_mut() else { return };
        let _ = edit_single(&mut first.config, key, &raw);
        if key != "speed" {
            compute(first);
        }
        controls::sync(&doc, &first.config);
        draw(&doc, first);
        history::record(&first.config, mode);
    });
    host::update_soon(update);
}

/// The body of an `update` message for the light run.
fn update() -> Option<Update> {
    FIRST.with(|f| {
        let f = f.borrow();
        let first = f.as_ref()?;
        Some(Update {
            query: to_query(&first.config),
            summary: first.run.as_ref().map(Summary::of),
            compare: String::new(),
        })
    })
}

/// A new configuration from the host page, when the light module can show it: run, drawn,
/// recorded and told. `false` when it needs the full module.
fn show(config: Config) -> bool {
    let Some(doc) = dom::document() else {
        return false;
    };
    let Some(matrix) = matrix_of(&config).filter(|_| !beyond_light(&config)) else {
        return false;
    };
    let shown = FIRST.with(|f| {
        let mut f = f.borrow_mut();
        let Some(first) = f.as_mut() else {
            return false;
        };
        if embed::stays_light(&config) != embed::stays_light(&first.config) {
            return false;
        }
        (first.config, first.matrix) = (config, matrix);
        compute(first);
        controls::sync(&doc, &first.config);
        draw(&doc, first);
        history::record(&first.config, HistoryMode::Push);
        true
    });
    if shown {
        host::update_soon(update);
    }
    shown
}

/// Carries out a host page's request in the light module where it can (a Dynamics change
/// it draws, playback in a light embed); anything else is kept for the full module, which
/// is asked for. A bad value is answered with `error` and changes nothing.
fn carry_out(m: HostMessage, data: &JsValue) {
    let Some(config) = FIRST.with(|f| f.borrow().as_ref().map(|first| first.config.clone())) else {
        return;
    };
    let standalone = embed::stays_light(&config);
    let done = match m {
        HostMessage::Set(pairs) => match edited_single(&config, &pairs) {
            Ok(Some(c)) => show(c),
            Ok(None) => false,
            Err(e) => return host::refuse("set", &e),
        },
        HostMessage::Replace(q) => match replaced_single(&q) {
            Ok(Some(p)) if p.upgraded_from.is_none() && !q.contains("tour=") => show(p.config),
            Ok(_) => false,
            Err(e) => return host::refuse("replace", &e),
        },
        HostMessage::Play if standalone => embed::play(true),
        HostMessage::Pause if standalone => embed::play(false),
        HostMessage::Step if standalone => embed::act(PlayAction::Step(1)),
        HostMessage::Reset if standalone => embed::act(PlayAction::Rewind),
        _ => false,
    };
    if !done {
        host::defer(data);
        hand_over();
    }
}
