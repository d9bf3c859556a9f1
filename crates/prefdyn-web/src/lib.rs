//! The prefdyn playground: DOM events → engine → canvas drawing.
//!
//! State is one [`Config`]; the URL query is its canonical serialisation. Every change goes
//! through [`apply`], which recomputes with the engine, redraws and updates the URL.

use std::cell::RefCell;

use prefdyn::config::{parse_query, to_query, Config, MatrixSource, ParseIssue, PolicySpec, View};
use prefdyn::dynamics::Solver;
use prefdyn::generators::Family;
use prefdyn::phase::{Axis, Ensemble, PhaseMetric};
use prefdyn::presets::{preset, preset_keys};
use prefdyn::report::{resolve_matrix, Results};
use prefdyn::PreferenceMatrix;
use prefdyn_paper::figures::FIGURES;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Document, Element, HtmlElement};

pub mod charts;
pub mod dom;
mod phase_view;

use charts::{HeatmapLayout, Theme};
use dom::*;

/// How a state change reaches the history: dragging replaces, discrete changes push.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum HistoryMode {
    Replace,
    Push,
    None,
}

/// Everything the page holds besides the DOM.
struct App {
    config: Config,
    matrix: PreferenceMatrix,
    results: Results,
    issues: Vec<ParseIssue>,
    /// Rounds shown (the play cursor).
    cursor: usize,
    playing: bool,
    last_frame: f64,
    selected: Option<(usize, usize)>,
    layout: HeatmapLayout,
    listeners: Vec<js_sys::Function>,
    entropies: Vec<f64>,
    phase: phase_view::PhaseState,
    /// The URL before a slider drag began: `input` events replace the current entry, the
    /// final `change` restores this URL and pushes the new one (one entry per drag).
    drag_origin: Option<String>,
}

thread_local! {
    static APP: RefCell<Option<App>> = const { RefCell::new(None) };
    static PANIC: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Replaces the charts with the panic message instead of leaving a frozen page.
fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        let msg = info.to_string();
        PANIC.with(|p| *p.borrow_mut() = Some(msg.clone()));
        web_sys::console::error_1(&JsValue::from_str(&msg));
        if let Some(doc) = document() {
            if let Some(el) = doc.get_element_by_id("panic") {
                el.set_text_content(Some(&format!(
                    "prefdyn stopped because of an internal error. Reload the page; if it happens again, please report the link and this message: {msg}"
                )));
                let _ = el.remove_attribute("hidden");
            }
            if let Some(main) = doc.get_element_by_id("app") {
                let _ = main.set_attribute("hidden", "");
            }
        }
    }));
}

/// Whether the module has panicked (for embedding pages).
#[wasm_bindgen(js_name = hasPanicked)]
pub fn has_panicked() -> bool {
    PANIC.with(|p| p.borrow().is_some())
}

/// The panic message, if any.
#[wasm_bindgen(js_name = panicMessage)]
pub fn panic_message() -> Option<String> {
    PANIC.with(|p| p.borrow().clone())
}

fn with_app<R>(f: impl FnOnce(&mut App) -> R) -> Option<R> {
    APP.with(|a| a.borrow_mut().as_mut().map(f))
}

/// Entry point.
#[wasm_bindgen(start)]
pub fn start() -> Result<(), JsValue> {
    install_panic_hook();
    let doc = document().ok_or("no document")?;
    let search = web_sys::window()
        .and_then(|w| w.location().search().ok())
        .unwrap_or_default();
    let parsed = parse_query(&search);
    if let Some(v) = parsed.upgraded_from {
        set_text(
            &doc,
            "upgrade-note",
            &format!("This link was made by an earlier prefdyn (format {v}), in which α and λ had each other's names. It has been upgraded to the paper's names and opens the same run."),
        );
        set_hidden(&doc, "upgrade-note", false);
    }
    fill_static_options(&doc);
    let (matrix, _) = resolve_matrix(&parsed.config);
    let results = Results::compute_on(&parsed.config, &matrix);
    let cursor = parsed.config.rounds;
    APP.with(|a| {
        *a.borrow_mut() = Some(App {
            config: parsed.config,
            matrix,
            results,
            issues: parsed.issues,
            cursor,
            playing: false,
            last_frame: 0.0,
            selected: None,
            layout: HeatmapLayout::default(),
            listeners: vec![],
            entropies: vec![],
            phase: phase_view::PhaseState::default(),
            drag_origin: None,
        })
    });
    wire_events(&doc)?;
    expose_api()?;
    with_app(|app| {
        app.refresh_entropies();
        sync_controls(app);
        render(app);
        replace_url(&app.config, HistoryMode::Replace);
    });
    phase_view::restart_if_changed();
    if let Some(b) = doc.body() {
        let _ = b.set_attribute("data-ready", "1");
    }
    Ok(())
}

impl App {
    fn refresh_entropies(&mut self) {
        self.entropies = self
            .results
            .dynamics
            .as_ref()
            .map(|d| d.trajectory.entropies())
            .unwrap_or_default();
    }

    /// Recomputes everything from `config`.
    /// Recomputes from `config`: everything when `all`, else only the dynamics (the matrix,
    /// its diagnostics and the one-shot optima depend on none of the dynamics' controls).
    fn recompute(&mut self, all: bool) {
        if !all {
            match prefdyn::report::dynamics_report(&self.config, &self.matrix) {
                Ok(d) => (self.results.dynamics, self.results.dynamics_error) = (Some(d), None),
                Err(e) => (self.results.dynamics, self.results.dynamics_error) = (None, Some(e)),
            }
            self.refresh_entropies();
            self.cursor = self.config.rounds;
            return;
        }
        let (matrix, err) = resolve_matrix(&self.config);
        self.matrix = matrix;
        self.issues.retain(|i| i.field != "matrix");
        if let Some(e) = err {
            self.issues.push(ParseIssue {
                field: "matrix".into(),
                message: e,
            });
        }
        self.results = Results::compute_on(&self.config, &self.matrix);
        self.refresh_entropies();
        self.cursor = self.config.rounds;
        if let Some(sel) = self.selected {
            if sel.0 >= self.matrix.k() || sel.1 >= self.matrix.k() {
                self.selected = None;
            }
        }
    }
}

/// Applies a change to the configuration: recompute, redraw, URL, listeners.
/// What the matrix, its diagnostics and the one-shot section depend on.
fn static_inputs(c: &Config) -> impl PartialEq {
    (
        c.matrix.clone(),
        c.oneshot_solver,
        c.oneshot_beta,
        c.oneshot_ref.clone(),
        c.epsilon,
        c.custom_mu.clone(),
    )
}

fn apply(change: impl FnOnce(&mut Config), mode: HistoryMode) {
    with_app(|app| {
        let before = static_inputs(&app.config);
        change(&mut app.config);
        app.config = app.config.canonical();
        let all = static_inputs(&app.config) != before;
        app.recompute(all);
        sync_controls(app);
        if all {
            render(app);
        } else if let Some(doc) = document() {
            render_messages(&doc, &app.issues);
            render_dynamics(&doc, app, &charts::theme_from_page());
        }
        replace_url(&app.config, mode);
        notify(app);
    });
    phase_view::restart_if_changed();
}

fn notify(app: &App) {
    let Ok(v) = results_js(app) else {
        return;
    };
    for f in &app.listeners {
        let _ = f.call1(&JsValue::NULL, &v);
    }
}

/// `results()` as JSON: the engine's `Results` plus the phase diagram's state.
fn results_js(app: &App) -> Result<JsValue, JsValue> {
    let mut v =
        serde_json::to_value(&app.results).map_err(|e| JsValue::from_str(&e.to_string()))?;
    v["phase"] = app.phase.to_json();
    let s = serde_json::to_string(&v).map_err(|e| JsValue::from_str(&e.to_string()))?;
    js_sys::JSON::parse(&s)
}

/// The page's path and query.
fn current_url() -> Option<String> {
    let loc = web_sys::window()?.location();
    Some(format!("{}{}", loc.pathname().ok()?, loc.search().ok()?))
}

fn replace_url(config: &Config, mode: HistoryMode) {
    let Some(win) = web_sys::window() else { return };
    let Ok(history) = win.history() else { return };
    let q = to_query(config);
    let path = win.location().pathname().unwrap_or_default();
    let url = format!("{path}?{q}");
    let current = format!("{}{}", path, win.location().search().unwrap_or_default());
    if current == url {
        return;
    }
    let _ = match mode {
        HistoryMode::Push => history.push_state_with_url(&JsValue::NULL, "", Some(&url)),
        HistoryMode::Replace => history.replace_state_with_url(&JsValue::NULL, "", Some(&url)),
        HistoryMode::None => Ok(()),
    };
}

/// The canonical link of the current state.
fn share_url(config: &Config, embed: bool) -> String {
    let Some(win) = web_sys::window() else {
        return String::new();
    };
    let loc = win.location();
    let origin = loc.origin().unwrap_or_default();
    let path = loc.pathname().unwrap_or_default();
    let mut c = config.clone();
    c.embed = embed;
    format!("{origin}{path}?{}", to_query(&c))
}

fn fill_static_options(doc: &Document) {
    if let Some(sel) = select(doc, "source") {
        let mut html = String::from("<optgroup label=\"Generators\">");
        for f in Family::ALL {
            html.push_str(&format!(
                "<option value=\"gen:{}\">{}</option>",
                f.key(),
                escape(f.title())
            ));
        }
        html.push_str("</optgroup><optgroup label=\"Real data\">");
        for key in preset_keys() {
            let title = preset(key)
                .map(|p| p.name)
                .unwrap_or_else(|| key.to_string());
            html.push_str(&format!(
                "<option value=\"preset:{key}\">{}</option>",
                escape(&title)
            ));
        }
        html.push_str("</optgroup><option value=\"values\">Edited values</option>");
        sel.set_inner_html(&html);
    }
    let axes: String = Axis::ALL
        .iter()
        .map(|a| {
            format!(
                "<option value=\"{}\">{}</option>",
                a.key(),
                escape(a.title())
            )
        })
        .collect();
    for id in ["px", "py"] {
        if let Some(sel) = select(doc, id) {
            sel.set_inner_html(&axes);
        }
    }
    if let Some(sel) = select(doc, "metric") {
        let html: String = PhaseMetric::ALL
            .iter()
            .map(|m| {
                format!(
                    "<option value=\"{}\">{}</option>",
                    m.key(),
                    escape(m.title())
                )
            })
            .collect();
        sel.set_inner_html(&html);
    }
    if let Some(sel) = select(doc, "ens") {
        let mut html = String::from("<option value=\"current\">the current P</option>");
        for f in Family::ALL {
            html.push_str(&format!(
                "<option value=\"{}\">{}</option>",
                f.key(),
                escape(f.title())
            ));
        }
        sel.set_inner_html(&html);
    }
    if let Some(ul) = doc.get_element_by_id("figure-list") {
        let html: String = FIGURES
            .iter()
            .map(|f| {
                format!(
                    "<li><button type=\"button\" data-query=\"{}\" title=\"{}\">{}: {}</button><p>{}</p></li>",
                    escape(f.query),
                    escape(f.description),
                    escape(f.figure),
                    escape(f.title),
                    escape(f.description)
                )
            })
            .collect();
        ul.set_inner_html(&html);
    }
}

/// Writes the configuration into the controls.
fn sync_controls(app: &App) {
    let Some(doc) = document() else { return };
    let c = &app.config;
    let source_value = match &c.matrix {
        MatrixSource::Generated { family, .. } => format!("gen:{}", family.key()),
        MatrixSource::Preset { name } => format!("preset:{name}"),
        MatrixSource::Values { .. } => "values".into(),
    };
    set_value(&doc, "source", &source_value);
    let (k, param, seed, family) = match &c.matrix {
        MatrixSource::Generated {
            family,
            k,
            param,
            seed,
        } => (*k, *param, *seed, Some(*family)),
        _ => (app.matrix.k(), 0.5, 1, None),
    };
    set_value(&doc, "k", &k.to_string());
    set_value(&doc, "param", &fmt(param));
    set_value(&doc, "seed", &seed.to_string());
    set_hidden(
        &doc,
        "param-row",
        !family.is_some_and(|f| f.uses_sigma() || f.uses_strength()),
    );
    set_text(
        &doc,
        "param-label",
        if family.is_some_and(|f| f.uses_sigma()) {
            "σ (utility spread)"
        } else {
            "s (strength)"
        },
    );
    set_hidden(&doc, "seed-row", !family.is_some_and(|f| f.is_random()));
    set_hidden(
        &doc,
        "k-row",
        !family.is_some_and(|f| f != Family::RockPaperScissors),
    );
    for (id, v) in [
        ("alpha", c.params.alpha),
        ("beta", c.params.beta),
        ("lam", c.params.lam),
        ("eta", c.params.eta),
        ("speed", c.speed),
    ] {
        set_value(&doc, id, &fmt(v));
        set_text(&doc, &format!("{id}-out"), &fmt(v));
    }
    set_value(&doc, "T", &c.rounds.to_string());
    set_text(&doc, "T-out", &c.rounds.to_string());
    set_value(
        &doc,
        "solver",
        match c.solver {
            Solver::Ipo => "ipo",
            Solver::Dpo => "dpo",
        },
    );
    set_value(&doc, "pi0", &policy_text(&c.pi0));
    set_text(&doc, "play", if app.playing { "Pause" } else { "Play" });
    for (id, v) in [("ob", c.oneshot_beta), ("eps", c.epsilon)] {
        set_value(&doc, id, &fmt(v));
        set_text(&doc, &format!("{id}-out"), &fmt(v));
    }
    set_value(
        &doc,
        "os",
        match c.oneshot_solver {
            Solver::Ipo => "ipo",
            Solver::Dpo => "dpo",
        },
    );
    set_value(&doc, "ref", &policy_text(&c.oneshot_ref));
    set_value(&doc, "mu", &policy_text(&c.custom_mu));
    let ph = &c.phase;
    set_value(&doc, "px", ph.x.axis.key());
    set_value(&doc, "py", ph.y.axis.key());
    set_value(&doc, "x0", &fmt(ph.x.min));
    set_value(&doc, "x1", &fmt(ph.x.max));
    set_value(&doc, "nx", &ph.x.n.to_string());
    set_value(&doc, "y0", &fmt(ph.y.min));
    set_value(&doc, "y1", &fmt(ph.y.max));
    set_value(&doc, "ny", &ph.y.n.to_string());
    set_value(&doc, "metric", ph.metric.key());
    set_value(&doc, "pT", &ph.rounds.to_string());
    match &ph.ensemble {
        Ensemble::Current => set_value(&doc, "ens", "current"),
        Ensemble::Family {
            family,
            k,
            param,
            count,
            seed,
        } => {
            set_value(&doc, "ens", family.key());
            set_value(&doc, "ek", &k.to_string());
            set_value(&doc, "es", &fmt(*param));
            set_value(&doc, "en", &count.to_string());
            set_value(&doc, "eseed", &seed.to_string());
        }
    }
    for id in ["ek", "es", "en", "eseed"] {
        if let Some(i) = input(&doc, id) {
            i.set_disabled(ph.ensemble == Ensemble::Current);
        }
    }
    if let Some(b) = doc.body() {
        let _ = b.set_attribute("data-view", c.view.key());
        let cl = b.class_list();
        let _ = if c.embed {
            cl.add_1("embed")
        } else {
            cl.remove_1("embed")
        };
    }
    if let Some(a) = doc.get_element_by_id("open-full") {
        let _ = a.set_attribute("href", &share_url(c, false));
    }
}

fn policy_text(p: &PolicySpec) -> String {
    match p {
        PolicySpec::Uniform => "uniform".to_string(),
        PolicySpec::Dirichlet(s) => format!("dir{s}"),
        PolicySpec::Values(v) => v.iter().map(|x| fmt(*x)).collect::<Vec<_>>().join(","),
    }
}

fn fmt(v: f64) -> String {
    prefdyn::config::format_float(v)
}

/// Redraws every chart and text.
fn render(app: &mut App) {
    let Some(doc) = document() else { return };
    let theme = charts::theme_from_page();
    render_messages(&doc, &app.issues);
    match charts::draw_matrix("chart-matrix", &theme, &app.matrix, app.selected) {
        Ok(l) => app.layout = l,
        Err(e) => log_error(&e),
    }
    render_diagnostics(&doc, app);
    render_cell_editor(&doc, app);
    render_one_shot(&doc, app, &theme);
    render_dynamics(&doc, app, &theme);
    phase_view::render(app, &theme);
}

fn yes_no(b: bool) -> &'static str {
    if b {
        "yes"
    } else {
        "no"
    }
}

fn render_one_shot(doc: &Document, app: &App, theme: &Theme) {
    let labels = app.matrix.labels();
    let panels: Vec<(String, Vec<f64>)> = app
        .results
        .one_shot
        .iter()
        .map(|r| {
            (
                r.label.split(" (").next().unwrap_or("").to_string(),
                r.result.policy.clone(),
            )
        })
        .collect();
    if let Some(s) = charts::Surface::new("chart-oneshot") {
        if let Some(root) = s.root() {
            if let Err(e) = prefdyn::charts::draw_one_shot(&root, s.dpr, theme, &panels, labels) {
                log_error(&e);
            }
        }
    }
    let mut rows = String::from(
        "<thead><tr><th scope=\"col\">sampling μ</th><th scope=\"col\">top response</th><th scope=\"col\">Condorcet-consistent</th><th scope=\"col\">top in Smith set</th><th scope=\"col\">Smith set on top</th><th scope=\"col\">entropy [nats]</th></tr></thead><tbody>",
    );
    let mut note = String::new();
    for r in &app.results.one_shot {
        let p = &r.properties;
        rows.push_str(&format!(
            "<tr><th scope=\"row\">{}</th><td>{} ({:.3})</td><td>{}</td><td>{}</td><td>{}</td><td>{:.4}</td></tr>",
            escape(&r.label),
            escape(&labels[p.top]),
            r.result.policy[p.top],
            p.condorcet_consistent.map(yes_no).unwrap_or("no Condorcet winner"),
            yes_no(p.top_in_smith),
            yes_no(p.smith_on_top),
            p.entropy
        ));
        if let Some(prefdyn::DpoOutcome::NoFiniteOptimum { top_component, .. }) = &r.result.dpo {
            if note.is_empty() {
                note = format!(
                    "DPO has no finite optimum on this P: {} {} every other response with probability 1, so the DPO loss keeps falling as their log-ratio grows without bound. The bars show the limit policy: DPO restricted to {}, zero elsewhere. IPO's optimum stays finite.",
                    label_list(labels, top_component),
                    if top_component.len() == 1 { "beats" } else { "beat" },
                    if top_component.len() == 1 { "that response" } else { "those responses" }
                );
            }
        }
    }
    rows.push_str("</tbody>");
    if let Some(t) = doc.get_element_by_id("oneshot-table") {
        t.set_inner_html(&rows);
    }
    set_text(doc, "dpo-note", &note);
    set_hidden(doc, "dpo-note", note.is_empty());
}

fn render_messages(doc: &Document, issues: &[ParseIssue]) {
    let Some(el) = doc.get_element_by_id("messages") else {
        return;
    };
    if issues.is_empty() {
        el.set_inner_html("");
        let _ = el.set_attribute("hidden", "");
        return;
    }
    let items: String = issues
        .iter()
        .map(|i| {
            format!(
                "<li data-field=\"{}\"><b>{}</b>: {}</li>",
                escape(&i.field),
                escape(&i.field),
                escape(&i.message)
            )
        })
        .collect();
    el.set_inner_html(&format!("<ul>{items}</ul>"));
    let _ = el.remove_attribute("hidden");
}

fn label_list(labels: &[String], idx: &[usize]) -> String {
    idx.iter()
        .map(|&i| escape(&labels[i]))
        .collect::<Vec<_>>()
        .join(", ")
}

fn render_diagnostics(doc: &Document, app: &App) {
    let d = &app.results.matrix.diagnostics;
    let labels = app.matrix.labels();
    let cw = d
        .condorcet_winner
        .map(|i| escape(&labels[i]))
        .unwrap_or_else(|| "none".into());
    let bw = d
        .borda_winner
        .map(|i| escape(&labels[i]))
        .unwrap_or_else(|| "tie".into());
    let ml = match &d.maximal_lottery {
        Some(ml) => ml
            .iter()
            .enumerate()
            .filter(|(_, &p)| p > 1e-9)
            .map(|(i, p)| format!("{} {:.3}", escape(&labels[i]), p))
            .collect::<Vec<_>>()
            .join(", "),
        None => "not available".into(),
    };
    let html = format!(
        "<dl><dt>Condorcet winner</dt><dd id=\"diag-cw\">{cw}</dd>\
         <dt>Borda winner</dt><dd id=\"diag-borda\">{bw}</dd>\
         <dt>Smith set</dt><dd id=\"diag-smith\">{}</dd>\
         <dt>Maximal lottery</dt><dd id=\"diag-ml\">{ml}</dd>\
         <dt>Majority 3-cycles</dt><dd id=\"diag-cycles\">{}</dd>\
         <dt>Strongly stochastically transitive</dt><dd id=\"diag-sst\">{}</dd></dl>",
        label_list(labels, &d.smith_set),
        d.three_cycles,
        if d.sst { "yes" } else { "no" },
    );
    if let Some(el) = doc.get_element_by_id("diagnostics") {
        el.set_inner_html(&html);
    }
    let attribution = match &app.config.matrix {
        MatrixSource::Generated { .. } => app
            .results
            .matrix
            .note
            .as_deref()
            .map(|n| format!("<p><b>Synthetic:</b> {}</p>", escape(n)))
            .unwrap_or_default(),
        MatrixSource::Preset { name } => preset(name)
            .map(|p| {
                format!(
                    "<p><b>Source:</b> {}</p><p><b>Caveats:</b> {}</p>",
                    escape(&p.attribution()),
                    escape(&p.caveats_text())
                )
            })
            .unwrap_or_default(),
        _ => String::new(),
    };
    if let Some(el) = doc.get_element_by_id("attribution") {
        el.set_inner_html(&attribution);
    }
}

fn render_cell_editor(doc: &Document, app: &App) {
    let (text, value, disabled) = match app.selected {
        Some((i, j)) if i != j => (
            format!(
                "P[{}][{}] (mirror P[{}][{}] = 1 − value)",
                app.matrix.labels()[i],
                app.matrix.labels()[j],
                app.matrix.labels()[j],
                app.matrix.labels()[i]
            ),
            fmt(app.matrix.get(i, j)),
            false,
        ),
        _ => (
            "click a cell of the heatmap to edit it".into(),
            String::new(),
            true,
        ),
    };
    set_text(doc, "cell-label", &text);
    set_value(doc, "cell-value", &value);
    if let Some(inp) = input(doc, "cell-value") {
        inp.set_disabled(disabled);
    }
}

fn render_dynamics(doc: &Document, app: &App, theme: &Theme) {
    let labels = app.matrix.labels().to_vec();
    let Some(d) = &app.results.dynamics else {
        let msg = app.results.dynamics_error.clone().unwrap_or_default();
        set_text(doc, "verdict", &format!("No run: {msg}"));
        if let Some(el) = doc.get_element_by_id("theory") {
            el.set_inner_html("");
        }
        for id in ["chart-policy", "chart-entropy", "chart-simplex"] {
            clear_canvas(doc, id);
        }
        return;
    };
    let k = d.trajectory.k;
    let fp = d.stability.fixed_point.as_deref();
    if let Err(e) = charts::draw_policy(
        "chart-policy",
        theme,
        &d.trajectory.policies,
        k,
        app.cursor,
        &labels,
        fp,
    ) {
        log_error(&e);
    }
    if let Err(e) = charts::draw_entropy("chart-entropy", theme, &app.entropies, app.cursor, k) {
        log_error(&e);
    }
    set_hidden(doc, "simplex-box", k != 3);
    if k == 3 {
        if let Err(e) = charts::draw_simplex(
            "chart-simplex",
            theme,
            &d.trajectory.policies,
            app.cursor,
            &labels,
            fp,
        ) {
            log_error(&e);
        }
    }
    set_text(
        doc,
        "round-out",
        &format!("round {} of {}", app.cursor, d.trajectory.rounds()),
    );
    let verdict = d.metrics.verdict.label();
    set_text(
        doc,
        "verdict",
        &format!(
            "Simulation: {verdict}. Final entropy {:.4} nats ({:.0}% of log K); time-averaged variance V = {:.3e}.",
            d.metrics.final_entropy,
            100.0 * d.metrics.final_entropy_normalised,
            d.metrics.variance
        ),
    );
    let labels_all = app.matrix.labels();
    let theory = prefdyn::report::theory_sentences(d, labels_all);
    if let Some(el) = doc.get_element_by_id("theory") {
        let html: String = theory
            .iter()
            .map(|t| format!("<li>{}</li>", escape(t)))
            .collect();
        el.set_inner_html(&html);
    }
    if let Some(el) = doc.get_element_by_id("verdict") {
        let _ = el.set_attribute("data-verdict", verdict);
    }
}

fn clear_canvas(doc: &Document, id: &str) {
    if let Some(c) = doc
        .get_element_by_id(id)
        .and_then(|e| e.dyn_into::<web_sys::HtmlCanvasElement>().ok())
    {
        if let Ok(Some(ctx)) = c.get_context("2d") {
            if let Ok(ctx) = ctx.dyn_into::<web_sys::CanvasRenderingContext2d>() {
                ctx.clear_rect(0.0, 0.0, c.width() as f64, c.height() as f64);
            }
        }
    }
}

/// Applies a control's value through the URL codec, so clamping and messages are shared.
fn apply_query_field(key: &str, value: &str, mode: HistoryMode) {
    let current = with_app(|app| to_query(&app.config)).unwrap_or_default();
    let parsed = parse_query(&format!("{current}&{key}={}", dom::encode(value)));
    let issues: Vec<ParseIssue> = parsed
        .issues
        .into_iter()
        .filter(|i| !i.message.contains("more than once"))
        .collect();
    with_app(|app| {
        app.issues.retain(|i| i.field != key);
        app.issues.extend(issues);
    });
    let config = parsed.config;
    apply(move |c| *c = config, mode);
}

fn wire_events(doc: &Document) -> Result<(), JsValue> {
    // Sliders: replaceState while dragging, pushState when released.
    for id in ["alpha", "beta", "lam", "eta", "T", "speed", "ob", "eps"] {
        let key = id.to_string();
        on(doc, id, "input", move |_| {
            with_app(|app| {
                if app.drag_origin.is_none() {
                    app.drag_origin = current_url();
                }
            });
            if let Some(doc) = document() {
                if let Some(i) = input(&doc, &key) {
                    apply_query_field(&key, &i.value(), HistoryMode::Replace);
                }
            }
        })?;
        let key = id.to_string();
        on(doc, id, "change", move |_| {
            if let Some(origin) = with_app(|app| app.drag_origin.take()).flatten() {
                if let Some(h) = web_sys::window().and_then(|w| w.history().ok()) {
                    let _ = h.replace_state_with_url(&JsValue::NULL, "", Some(&origin));
                }
            }
            if let Some(doc) = document() {
                if let Some(i) = input(&doc, &key) {
                    apply_query_field(&key, &i.value(), HistoryMode::Push);
                }
            }
        })?;
    }
    for (id, key) in [
        ("solver", "solver"),
        ("pi0", "pi0"),
        ("k", "k"),
        ("param", "s"),
        ("seed", "seed"),
    ] {
        let (id_s, key_s) = (id.to_string(), key.to_string());
        on(doc, id, "change", move |_| {
            let Some(doc) = document() else { return };
            let value = input(&doc, &id_s)
                .map(|i| i.value())
                .or_else(|| select(&doc, &id_s).map(|s| s.value()))
                .unwrap_or_default();
            // k, s and seed belong to the current generator.
            let key = match key_s.as_str() {
                "s" => {
                    let sigma = with_app(|app| matches!(&app.config.matrix, MatrixSource::Generated { family, .. } if family.uses_sigma())).unwrap_or(false);
                    if sigma {
                        "sigma"
                    } else {
                        "s"
                    }
                }
                k => k,
            };
            let prefix = with_app(|app| match &app.config.matrix {
                MatrixSource::Generated { family, .. } => format!("gen={}&", family.key()),
                _ => String::new(),
            })
            .unwrap_or_default();
            if prefix.is_empty() || key == "solver" || key == "pi0" {
                apply_query_field(key, &value, HistoryMode::Push);
            } else {
                let current = with_app(|app| to_query(&app.config)).unwrap_or_default();
                let parsed =
                    parse_query(&format!("{current}&{prefix}{key}={}", dom::encode(&value)));
                let issues: Vec<ParseIssue> = parsed
                    .issues
                    .into_iter()
                    .filter(|i| !i.message.contains("more than once"))
                    .collect();
                with_app(|app| {
                    app.issues.retain(|i| i.field != key && i.field != "gen");
                    app.issues.extend(issues);
                });
                let config = parsed.config;
                apply(move |c| *c = config, HistoryMode::Push);
            }
        })?;
    }
    for id in [
        "os", "ref", "mu", "px", "py", "x0", "x1", "nx", "y0", "y1", "ny", "metric", "ens", "ek",
        "es", "en", "eseed", "pT",
    ] {
        let key = id.to_string();
        on(doc, id, "change", move |_| {
            let Some(doc) = document() else { return };
            let value = input(&doc, &key)
                .map(|i| i.value())
                .or_else(|| select(&doc, &key).map(|s| s.value()))
                .unwrap_or_default();
            apply_query_field(&key, &value, HistoryMode::Push);
        })?;
    }
    on(doc, "figure-list", "click", |e| {
        let Some(q) = e
            .target()
            .and_then(|t| t.dyn_into::<Element>().ok())
            .and_then(|el| el.closest("button").ok().flatten())
            .and_then(|b| b.get_attribute("data-query"))
        else {
            return;
        };
        let parsed = parse_query(&q);
        with_app(|app| app.issues = parsed.issues);
        let config = parsed.config;
        let view = config.view;
        apply(move |c| *c = config, HistoryMode::Push);
        scroll_to(match view {
            View::Phase => "phase",
            View::OneShot => "oneshot",
            View::Preferences => "preferences",
            View::Dynamics => "dynamics",
        });
    })?;
    on(doc, "phase-run", "click", |_| phase_view::restart())?;
    on(doc, "phase-cancel", "click", |_| phase_view::cancel())?;
    on_mouse(doc, "chart-phase", "mousemove", |e| phase_view::hover(&e))?;
    on_mouse(doc, "chart-phase", "click", |e| phase_view::click(&e))?;
    on(doc, "export-json", "click", |_| export_json())?;
    on(doc, "export-oneshot-json", "click", |_| export_json())?;
    on(doc, "export-phase-json", "click", |_| export_json())?;
    on(doc, "export-csv", "click", |_| {
        let csv = with_app(|app| prefdyn::report::trajectory_csv(&app.results)).unwrap_or_default();
        download("prefdyn-trajectory.csv", "text/csv", &csv);
    })?;
    on(doc, "export-phase-csv", "click", |_| {
        let csv = with_app(|app| app.phase.csv(&app.config)).unwrap_or_default();
        download("prefdyn-phase.csv", "text/csv", &csv);
    })?;
    for (btn, canvas, name) in [
        ("export-policy-png", "chart-policy", "prefdyn-dynamics.png"),
        (
            "export-oneshot-png",
            "chart-oneshot",
            "prefdyn-one-shot.png",
        ),
        ("export-phase-png", "chart-phase", "prefdyn-phase.png"),
        (
            "export-matrix-png",
            "chart-matrix",
            "prefdyn-preferences.png",
        ),
    ] {
        on(doc, btn, "click", move |_| download_canvas(canvas, name))?;
    }
    on(doc, "source", "change", |_| {
        let Some(doc) = document() else { return };
        let Some(v) = select(&doc, "source").map(|s| s.value()) else {
            return;
        };
        if let Some(f) = v.strip_prefix("gen:").and_then(Family::from_key) {
            let k = match f {
                Family::RockPaperScissors => 3,
                Family::Circulant => 5,
                // The paper's K.
                Family::RatedCyclic | Family::RatedSst => 4,
                _ => with_app(|app| app.matrix.k()).unwrap_or(5).max(3),
            };
            let k = if f == Family::Circulant && k % 2 == 0 {
                k + 1
            } else {
                k
            };
            let param = if f.uses_sigma() { 1.0 } else { 0.5 };
            apply(
                move |c| {
                    c.matrix = MatrixSource::Generated {
                        family: f,
                        k,
                        param,
                        seed: 1,
                    }
                },
                HistoryMode::Push,
            );
        } else if let Some(name) = v.strip_prefix("preset:") {
            let name = name.to_string();
            apply(
                move |c| c.matrix = MatrixSource::Preset { name },
                HistoryMode::Push,
            );
        } else {
            apply(
                |c| {
                    if let Ok(m) = c.matrix.matrix() {
                        c.matrix = MatrixSource::Values {
                            k: m.k(),
                            upper: m.upper(),
                        };
                    }
                },
                HistoryMode::Push,
            );
        }
    })?;
    on(doc, "cell-value", "change", |_| {
        let Some(doc) = document() else { return };
        let raw = input(&doc, "cell-value")
            .map(|i| i.value())
            .unwrap_or_default();
        edit_cell(&raw);
    })?;
    on_mouse(doc, "chart-matrix", "click", |e| {
        let Some(target) = e.target().and_then(|t| t.dyn_into::<Element>().ok()) else {
            return;
        };
        let rect = target.get_bounding_client_rect();
        let (x, y) = (
            e.client_x() as f64 - rect.left(),
            e.client_y() as f64 - rect.top(),
        );
        with_app(|app| {
            if let Some((i, j)) = app.layout.hit(x, y) {
                app.selected = (i != j).then_some((i, j));
                render(app);
            }
        });
        if let Some(doc) = document() {
            if let Some(i) = input(&doc, "cell-value") {
                let _ = i.focus();
            }
        }
    })?;
    on(doc, "play", "click", |_| toggle_play())?;
    on(doc, "step", "click", |_| step(1))?;
    on(doc, "reset", "click", |_| reset())?;
    on(doc, "share", "click", |_| {
        let url = with_app(|app| share_url(&app.config, false)).unwrap_or_default();
        copy(&url, "Link copied");
    })?;
    on(doc, "embed-btn", "click", |_| {
        let url = with_app(|app| share_url(&app.config, true)).unwrap_or_default();
        let snippet = format!(
            "<iframe src=\"{}\" width=\"600\" height=\"400\" style=\"border:0\" title=\"prefdyn playground\" loading=\"lazy\"></iframe>",
            escape(&url)
        );
        copy(&snippet, "Embed snippet copied");
    })?;
    // Keyboard: space = play/pause, arrows = step, except while a form control has the
    // focus (sliders, fields and buttons keep their own keys).
    let key_cb = Closure::<dyn FnMut(web_sys::KeyboardEvent)>::new(|e: web_sys::KeyboardEvent| {
        let in_control = e
            .target()
            .and_then(|t| t.dyn_into::<Element>().ok())
            .map(|el| {
                matches!(
                    el.tag_name().as_str(),
                    "INPUT" | "SELECT" | "TEXTAREA" | "BUTTON"
                )
            })
            .unwrap_or(false);
        if in_control || e.ctrl_key() || e.meta_key() || e.alt_key() {
            return;
        }
        match e.key().as_str() {
            " " => {
                e.prevent_default();
                toggle_play();
            }
            "ArrowRight" => {
                e.prevent_default();
                step(1);
            }
            "ArrowLeft" => {
                e.prevent_default();
                step(-1);
            }
            _ => {}
        }
    });
    doc.add_event_listener_with_callback("keydown", key_cb.as_ref().unchecked_ref())?;
    key_cb.forget();
    // Back / forward.
    let pop = Closure::<dyn FnMut(web_sys::Event)>::new(|_| {
        let search = web_sys::window()
            .and_then(|w| w.location().search().ok())
            .unwrap_or_default();
        let parsed = parse_query(&search);
        with_app(|app| app.issues = parsed.issues);
        let config = parsed.config;
        apply(move |c| *c = config, HistoryMode::None);
    });
    if let Some(w) = web_sys::window() {
        w.add_event_listener_with_callback("popstate", pop.as_ref().unchecked_ref())?;
        pop.forget();
        let resize = Closure::<dyn FnMut(web_sys::Event)>::new(|_| {
            with_app(render);
        });
        w.add_event_listener_with_callback("resize", resize.as_ref().unchecked_ref())?;
        resize.forget();
    }
    Ok(())
}

fn edit_cell(raw: &str) {
    let value = raw.trim().parse::<f64>().ok();
    let edited = with_app(|app| {
        app.issues.retain(|i| i.field != "P");
        match (app.selected, value) {
            (Some((i, j)), Some(v)) if v.is_finite() && (0.0..=1.0).contains(&v) => {
                let mut m = app.matrix.clone();
                m.set(i, j, prefdyn::config::quantise(v))
                    .ok()
                    .map(|_| MatrixSource::Values {
                        k: m.k(),
                        upper: m.upper(),
                    })
            }
            (Some((i, j)), _) => {
                app.issues.push(ParseIssue {
                    field: "P".into(),
                    message: format!(
                        "P[{i}][{j}]: '{raw}' is not a number in [0, 1]; the cell was not changed"
                    ),
                });
                None
            }
            _ => None,
        }
    })
    .flatten();
    apply(
        move |c| {
            if let Some(m) = edited {
                c.matrix = m;
            }
        },
        HistoryMode::Push,
    );
}

/// The configuration (canonical query) and every result, as one JSON document.
fn export_json() {
    let text = with_app(|app| {
        let mut v = serde_json::json!({
            "query": to_query(&app.config),
            "config": app.config,
            "results": app.results,
        });
        v["results"]["phase"] = app.phase.to_json();
        serde_json::to_string_pretty(&v).unwrap_or_default()
    })
    .unwrap_or_default();
    download("prefdyn.json", "application/json", &text);
}

/// Offers `text` as a file download (Blob + object URL; no network).
fn download(name: &str, mime: &str, text: &str) {
    let parts = js_sys::Array::of1(&JsValue::from_str(text));
    let opts = web_sys::BlobPropertyBag::new();
    opts.set_type(mime);
    let Ok(blob) = web_sys::Blob::new_with_str_sequence_and_options(&parts, &opts) else {
        return;
    };
    let Ok(url) = web_sys::Url::create_object_url_with_blob(&blob) else {
        return;
    };
    click_link(name, &url);
    let _ = web_sys::Url::revoke_object_url(&url);
}

fn download_canvas(id: &str, name: &str) {
    let Some(doc) = document() else { return };
    let Some(c) = doc
        .get_element_by_id(id)
        .and_then(|e| e.dyn_into::<web_sys::HtmlCanvasElement>().ok())
    else {
        return;
    };
    if let Ok(url) = c.to_data_url() {
        click_link(name, &url);
    }
}

fn click_link(name: &str, href: &str) {
    let Some(doc) = document() else { return };
    let Ok(a) = doc.create_element("a") else {
        return;
    };
    let _ = a.set_attribute("href", href);
    let _ = a.set_attribute("download", name);
    if let Some(body) = doc.body() {
        let _ = body.append_child(&a);
        if let Ok(a) = a.clone().dyn_into::<HtmlElement>() {
            a.click();
        }
        let _ = body.remove_child(&a);
    }
}

fn scroll_to(id: &str) {
    if let Some(el) = document().and_then(|d| d.get_element_by_id(id)) {
        el.scroll_into_view();
    }
}

fn copy(text: &str, what: &str) {
    if let Some(w) = web_sys::window() {
        let _ = w.navigator().clipboard().write_text(text);
    }
    if let Some(doc) = document() {
        set_text(&doc, "copied", what);
        set_value(&doc, "copy-text", text);
    }
}

fn step(delta: i64) {
    with_app(|app| {
        app.playing = false;
        let t = app
            .results
            .dynamics
            .as_ref()
            .map(|d| d.trajectory.rounds())
            .unwrap_or(0) as i64;
        app.cursor = (app.cursor as i64 + delta).clamp(0, t) as usize;
        render(app);
        sync_controls(app);
    });
}

fn reset() {
    with_app(|app| {
        app.playing = false;
        app.cursor = 0;
        render(app);
        sync_controls(app);
    });
}

fn toggle_play() {
    let start = with_app(|app| {
        app.playing = !app.playing;
        let t = app
            .results
            .dynamics
            .as_ref()
            .map(|d| d.trajectory.rounds())
            .unwrap_or(0);
        if app.playing && app.cursor >= t {
            app.cursor = 0;
        }
        app.last_frame = now();
        sync_controls(app);
        app.playing
    })
    .unwrap_or(false);
    if start {
        request_frame();
    }
}

thread_local! {
    static FRAME: RefCell<Option<FrameCallback>> = const { RefCell::new(None) };
}

/// The self-rescheduling play loop: advances the cursor at `speed` rounds per second.
fn request_frame() {
    dom::request_frame(&FRAME, || {
        Closure::new(move |ts: f64| {
            let again = with_app(|app| {
                if !app.playing {
                    return false;
                }
                let t = app
                    .results
                    .dynamics
                    .as_ref()
                    .map(|d| d.trajectory.rounds())
                    .unwrap_or(0);
                let dt = (ts - app.last_frame).max(0.0) / 1000.0;
                let adv = (dt * app.config.speed).floor() as usize;
                if adv > 0 {
                    app.cursor = (app.cursor + adv).min(t);
                    app.last_frame = ts;
                    render(app);
                }
                if app.cursor >= t {
                    app.playing = false;
                    sync_controls(app);
                    return false;
                }
                true
            })
            .unwrap_or(false);
            if again {
                request_frame();
            }
        })
    });
}

// ---- window.prefdyn ----

/// `state()`: the configuration and its canonical query.
#[wasm_bindgen]
pub fn state() -> Result<JsValue, JsValue> {
    let s = with_app(|app| {
        serde_json::json!({ "query": to_query(&app.config), "config": app.config, "issues": app.issues }).to_string()
    })
    .ok_or("not started")?;
    js_sys::JSON::parse(&s)
}

/// `setState(partial)`: a query string (`"alpha=0.5&beta=3"`) or an object of URL keys
/// (`{alpha: 0.5}`); merged into the current state through the URL codec.
#[wasm_bindgen(js_name = setState)]
pub fn set_state(partial: JsValue) -> Result<JsValue, JsValue> {
    let extra = if let Some(s) = partial.as_string() {
        s.trim_start_matches('?').to_string()
    } else if partial.is_object() {
        let obj: js_sys::Object = partial.unchecked_into();
        let entries = js_sys::Object::entries(&obj);
        let mut parts = vec![];
        for e in entries.iter() {
            let pair: js_sys::Array = e.unchecked_into();
            let k = pair.get(0).as_string().unwrap_or_default();
            let v = pair.get(1);
            let v = v
                .as_string()
                .or_else(|| v.as_f64().map(|f| f.to_string()))
                .or_else(|| v.as_bool().map(|b| if b { "1".into() } else { "0".into() }))
                .unwrap_or_default();
            parts.push(format!("{}={}", dom::encode(&k), dom::encode(&v)));
        }
        parts.join("&")
    } else {
        return Err(JsValue::from_str(
            "setState expects a query string or an object",
        ));
    };
    let current = with_app(|app| to_query(&app.config)).unwrap_or_default();
    let parsed = parse_query(&format!("{current}&{extra}"));
    let issues: Vec<ParseIssue> = parsed
        .issues
        .into_iter()
        .filter(|i| !i.message.contains("more than once"))
        .collect();
    with_app(|app| app.issues = issues);
    let config = parsed.config;
    apply(move |c| *c = config, HistoryMode::Push);
    state()
}

/// `results()`: the numbers the page shows.
#[wasm_bindgen]
pub fn results() -> Result<JsValue, JsValue> {
    with_app(|app| results_js(app)).ok_or("not started")?
}

/// `onUpdate(callback)`: called with `results()` after every change.
#[wasm_bindgen(js_name = onUpdate)]
pub fn on_update(callback: js_sys::Function) {
    with_app(|app| app.listeners.push(callback));
}

/// Installs `window.prefdyn = { state, setState, results, onUpdate, hasPanicked, panicMessage }`.
fn expose_api() -> Result<(), JsValue> {
    let win = web_sys::window().ok_or("no window")?;
    let api = js_sys::Object::new();
    let set = |name: &str, f: &JsValue| js_sys::Reflect::set(&api, &JsValue::from_str(name), f);
    let c0 = Closure::<dyn Fn() -> Result<JsValue, JsValue>>::new(state);
    set("state", c0.as_ref())?;
    c0.forget();
    let c1 = Closure::<dyn Fn(JsValue) -> Result<JsValue, JsValue>>::new(set_state);
    set("setState", c1.as_ref())?;
    c1.forget();
    let c2 = Closure::<dyn Fn() -> Result<JsValue, JsValue>>::new(results);
    set("results", c2.as_ref())?;
    c2.forget();
    let c3 = Closure::<dyn Fn(js_sys::Function)>::new(on_update);
    set("onUpdate", c3.as_ref())?;
    c3.forget();
    let c4 = Closure::<dyn Fn() -> bool>::new(has_panicked);
    set("hasPanicked", c4.as_ref())?;
    c4.forget();
    let c5 = Closure::<dyn Fn() -> Option<String>>::new(panic_message);
    set("panicMessage", c5.as_ref())?;
    c5.forget();
    js_sys::Reflect::set(&win, &JsValue::from_str("prefdyn"), &api)?;
    Ok(())
}
