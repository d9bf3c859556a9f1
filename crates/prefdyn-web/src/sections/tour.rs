//! The guided tour (`tour=N`): a panel above the section the step is about, with the
//! step's title and text, previous / next (buttons, `p` / `n`, or ← → inside the panel) and
//! a way out. Each step is a link: it replaces the configuration and keeps the framing
//! (embed, theme, controls). The last step hands over to the full playground.

use prefdyn::config::{parse_query, Config, Keyed, Parsed, Theme};
use prefdyn_paper::tour::{bare_step, step, step_query, Focus, TOUR};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Document, Element};

use super::Section;
use crate::canvas::Theme as Colours;
use crate::dom::{self, document, element, on, set_hidden, set_text};
use crate::history::share_url;
use crate::model::{App, Change, Changed};
use crate::store::{self, HistoryMode};

/// The framing keys of `c` that a step keeps (`embed=1&theme=dark&controls=alpha`).
fn framing(c: &Config) -> String {
    let mut parts = vec![];
    if c.view.embed {
        parts.push("embed=1".to_string());
    }
    if c.view.theme != Theme::Auto {
        parts.push(format!("theme={}", c.view.theme.key()));
    }
    if !c.view.controls.is_empty() {
        parts.push(format!("controls={}", c.view.controls.join(",")));
    }
    parts.join("&")
}

/// A bare tour link (`?tour=3`, with at most framing keys) opens that step's configuration.
pub fn expand(search: &str, parsed: Parsed) -> Parsed {
    match bare_step(search).and_then(|n| step_query(n, &framing(&parsed.config))) {
        Some(q) => parse_query(&q),
        None => parsed,
    }
}

/// Opens step `n`; past the last step, leaves the tour.
pub fn go(n: usize) {
    let Some(extra) = store::read(|app| framing(&app.config)) else {
        return;
    };
    let Some(q) = step_query(n, &extra) else {
        return;
    };
    store::dispatch(
        Change::Replace(Box::new(parse_query(&q))),
        HistoryMode::Push,
    );
    reveal();
    if let Some(el) = document()
        .and_then(|d| element(&d, "tour"))
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
    {
        let _ = el.focus();
    }
}

/// Leaves the tour: in the playground the configuration stays and the panel goes; in an
/// embed the full playground opens in a new tab.
fn leave() {
    let Some((embed, url)) = store::read(|app| {
        let mut c = app.config.clone();
        c.view.tour = 0;
        (app.config.view.embed, share_url(&c, false))
    }) else {
        return;
    };
    if embed {
        if let Some(w) = web_sys::window() {
            let _ = w.open_with_url_and_target(&url, "_blank");
        }
        return;
    }
    store::dispatch(
        Change::With(Box::new(|c: &mut Config| c.view.tour = 0)),
        HistoryMode::Push,
    );
}

fn current() -> usize {
    store::read(|app| app.config.view.tour).unwrap_or(0)
}

fn next() {
    match current() {
        0 => {}
        n if n >= TOUR.len() => leave(),
        n => go(n + 1),
    }
}

fn previous() {
    if current() > 1 {
        go(current() - 1);
    }
}

/// `n` / `p` anywhere outside a form control; ← → while the focus is in the panel.
fn on_key(e: web_sys::KeyboardEvent) {
    if current() == 0 || e.ctrl_key() || e.meta_key() || e.alt_key() {
        return;
    }
    let target = e.target().and_then(|t| t.dyn_into::<Element>().ok());
    let in_panel = target
        .as_ref()
        .and_then(|t| t.closest("#tour").ok().flatten())
        .is_some();
    let in_control = target
        .as_ref()
        .is_some_and(|el| matches!(el.tag_name().as_str(), "INPUT" | "SELECT" | "TEXTAREA"));
    if in_control {
        return;
    }
    match e.key().as_str() {
        "n" => next(),
        "p" => previous(),
        "ArrowRight" if in_panel => next(),
        "ArrowLeft" if in_panel => previous(),
        "Escape" if in_panel => leave(),
        _ => return,
    }
    e.prevent_default();
    e.stop_propagation();
}

/// The tour's panel as a section (drawn first when a step is open).
pub struct Tour;

impl Section for Tour {
    fn id(&self) -> &'static str {
        "tour"
    }

    fn wire(&self, doc: &Document) -> Result<(), JsValue> {
        wire(doc)
    }

    fn affected(&self, c: &Changed) -> bool {
        c.config.view
    }

    fn eager(&self, _app: &App) -> bool {
        true
    }

    fn render(&self, doc: &Document, app: &App, _c: &Changed, _theme: &Colours) {
        render(doc, app);
    }
}

fn wire(doc: &Document) -> Result<(), JsValue> {
    on(doc, "tour-start", "click", |_: web_sys::Event| go(1))?;
    on(doc, "tour-next", "click", |_: web_sys::Event| next())?;
    on(doc, "tour-prev", "click", |_: web_sys::Event| previous())?;
    on(doc, "tour-exit", "click", |_: web_sys::Event| leave())?;
    // Capture: the panel's arrows run before playback's ← → on the document.
    let cb = Closure::<dyn FnMut(web_sys::KeyboardEvent)>::new(on_key);
    doc.add_event_listener_with_callback_and_bool("keydown", cb.as_ref().unchecked_ref(), true)?;
    cb.forget();
    Ok(())
}

/// The element that shows step `n`'s point.
fn focus_id(focus: Focus) -> &'static str {
    match focus {
        Focus::OneShot { .. } => "chart-oneshot",
        Focus::Policy => "chart-policy",
        Focus::Entropy => "chart-entropy",
        Focus::Simplex => "chart-simplex",
        Focus::Phase => "chart-phase",
    }
}

/// Brings the current step into view: on a phone the panel sits at the bottom of the
/// screen and the step's element is scrolled to the top; elsewhere the panel is scrolled
/// to the top and, where the element would not fit below it, the element is revealed.
pub fn reveal() {
    let Some(n) = store::read(|app| app.config.view.tour) else {
        return;
    };
    let (Some(s), Some(doc), Some(win)) = (step(n), document(), web_sys::window()) else {
        return;
    };
    let (Some(panel), Some(focus)) = (element(&doc, "tour"), element(&doc, focus_id(s.focus)))
    else {
        return;
    };
    let height = win
        .inner_height()
        .ok()
        .and_then(|h| h.as_f64())
        .unwrap_or(800.0);
    let y = win.scroll_y().unwrap_or(0.0);
    let phone = dom::matches_media("(max-width: 700px)");
    let f = focus.get_bounding_client_rect();
    let target = if phone {
        y + f.top() - 8.0
    } else {
        let p = panel.get_bounding_client_rect();
        let top = y + p.top() - 8.0;
        let overflow = (y + f.bottom() + 8.0) - (top + height);
        top + overflow.max(0.0)
    };
    win.scroll_to_with_x_and_y(0.0, target.max(0.0));
}

/// The panel for the current step, placed just above the section the step is about, and
/// the step's element marked (`data-focus`).
fn render(doc: &Document, app: &App) {
    let n = app.config.view.tour;
    if let Ok(Some(old)) = doc.query_selector("[data-focus]") {
        let _ = old.remove_attribute("data-focus");
    }
    if let Some(body) = doc.body() {
        let _ = body
            .class_list()
            .toggle_with_force("touring", step(n).is_some());
    }
    let Some(s) = step(n) else {
        set_hidden(doc, "tour", true);
        return;
    };
    set_hidden(doc, "tour", false);
    if let Some(el) = element(doc, focus_id(s.focus)) {
        let _ = el.set_attribute("data-focus", "1");
    }
    set_text(
        doc,
        "tour-count",
        &format!("Tour of the paper · step {n} of {}", TOUR.len()),
    );
    set_text(doc, "tour-title", s.title);
    set_text(doc, "tour-text", s.text);
    set_hidden(doc, "tour-prev", n <= 1);
    let last = n >= TOUR.len();
    let next_label = match (last, app.config.view.embed) {
        (false, _) => "Next →",
        (true, false) => "Explore on your own →",
        (true, true) => "Open the full playground ↗",
    };
    set_text(doc, "tour-next", next_label);
    if let (Some(panel), Some(section)) = (
        element(doc, "tour"),
        element(doc, super::section_of(app.config.view.view)),
    ) {
        if panel.next_element_sibling().as_ref() != Some(&section) {
            if let Some(parent) = section.parent_node() {
                let _ = parent.insert_before(&panel, Some(&section));
            }
        }
    }
}
