//! The comparison: one π_t chart per run (the base, then each variant) on shared axes,
//! each titled by what it changes, with its verdict, ρ and the theory's values; a box per
//! variant field to edit its overrides, "+ compare" and remove. One playback cursor
//! drives every chart; the entropy chart and the K = 3 simplex get a line per run.

use prefdyn::config::{field, field_text, query_pairs, Config, FIELDS, FIRST_VARIANT};
use prefdyn::report::DynamicsReport;
use prefdyn::text::sig;
use prefdyn_charts::{run_colour, RunLine, RunPicture, SharedAxes};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Document, HtmlInputElement};

use crate::canvas::{self, Theme};
use crate::dom::{self, escape, log_error, set_hidden, set_html};
use crate::model::{App, Change};
use crate::store::{self, HistoryMode};

/// The fields a variant's boxes edit; its other overrides are typed as `KEY=VALUE&…`.
const BOXES: [&str; 4] = ["alpha", "beta", "lam", "T"];

/// One run as the comparison draws it.
#[derive(Clone)]
struct Run<'a> {
    title: String,
    query: String,
    labels: &'a [String],
    dynamics: Option<&'a DynamicsReport>,
    error: Option<&'a str>,
    config: &'a Config,
}

/// The runs shown: the base, the variants, and the draft (a copy of the base).
fn runs(app: &App) -> Vec<Run<'_>> {
    let base = Run {
        title: "base".into(),
        query: prefdyn::config::to_query(&app.config.unframed()),
        labels: app.matrix.labels(),
        dynamics: app.results.dynamics.as_ref(),
        error: app.results.dynamics_error.as_deref(),
        config: &app.config,
    };
    let draft = app.draft_variant.then(|| Run {
        title: "copy of the base: change a value".into(),
        ..base.clone()
    });
    let mut all = vec![base];
    all.extend(app.variants.iter().map(|v| Run {
        title: v.report.title.clone(),
        query: v.report.query.clone(),
        labels: v.matrix.labels(),
        dynamics: v.report.dynamics.as_ref(),
        error: v.report.dynamics_error.as_deref(),
        config: &v.config,
    }));
    all.extend(draft);
    all
}

/// Whether the page shows a comparison (variants, or a draft one).
pub fn comparing(app: &App) -> bool {
    app.has_variants() || app.draft_variant
}

/// ρ, the contraction bound, βλ/(1−α) where P is transitive, H(π_T) and V.
fn numbers(d: &DynamicsReport) -> String {
    let mut parts = vec![];
    if let Some(rho) = d.stability.rho {
        parts.push(format!("ρ = {}", sig(rho)));
    }
    parts.push(format!("α + (βλ/2)‖S‖₂ = {}", sig(d.theory.contraction)));
    if let Some(t) = &d.theory.transitive {
        parts.push(format!("βλ/(1−α) = {}", sig(t.concentration_ratio)));
    }
    let m = &d.metrics;
    parts.push(format!("H(π_T) = {}", sig(m.final_entropy)));
    parts.push(format!("V = {}", sig(m.variance)));
    parts.join(" · ")
}

/// The boxes of variant `i` (0-based) with the values of `c`, and its other overrides.
fn boxes_html(i: usize, c: &Config, others: &str, embed: bool) -> String {
    if embed {
        return String::new();
    }
    let n = i + FIRST_VARIANT;
    let mut s = String::from("<div class=\"run-controls\">");
    for key in BOXES {
        let Some(f) = field(key) else { continue };
        let value = field_text(c, f).unwrap_or_default();
        let short = f.label.split(' ').next().unwrap_or(f.key);
        s.push_str(&format!(
            "<label>{short} <input type=\"number\" step=\"any\" data-variant=\"{i}\" data-key=\"{key}\" value=\"{}\" aria-label=\"{} of run {n}\"></label>",
            escape(&value),
            escape(f.label)
        ));
    }
    s.push_str(&format!(
        "<label class=\"run-more\">more <input type=\"text\" spellcheck=\"false\" data-variant=\"{i}\" data-key=\"*\" value=\"{}\" placeholder=\"e.g. solver=dpo&amp;N=64\" aria-label=\"other overrides of run {n}, as KEY=VALUE joined by &amp;\"></label></div>",
        escape(others)
    ));
    s
}

/// Variant `i`'s overrides other than the boxes' (`KEY=VALUE&…`).
fn other_overrides(app: &App, i: usize) -> String {
    app.config
        .variants
        .get(i)
        .map(|v| {
            v.overrides
                .iter()
                .filter(|(k, _)| !BOXES.contains(&k.as_str()))
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join("&")
        })
        .unwrap_or_default()
}

/// The structure of the grid: one figure per run (rebuilt when the runs change).
fn grid_html(app: &App, runs: &[Run]) -> String {
    let embed = app.config.view.embed;
    let mut s = String::new();
    for (r, run) in runs.iter().enumerate() {
        let c = run_colour(r);
        let variant = r.checked_sub(1);
        let remove = match variant {
            Some(i) if !embed => format!(
                "<button type=\"button\" class=\"run-remove\" data-remove=\"{i}\" title=\"Remove this run from the comparison\">remove</button>"
            ),
            _ => String::new(),
        };
        let open = if run.query.is_empty() {
            String::new()
        } else {
            format!(
                "<a class=\"run-open\" id=\"run-open-{r}\" href=\"?{}\" target=\"_blank\" rel=\"noopener\" title=\"This run alone, as a link of its own\">open alone ↗</a>",
                escape(&run.query)
            )
        };
        let controls = variant
            .map(|i| boxes_html(i, run.config, &other_overrides(app, i), embed))
            .unwrap_or_default();
        s.push_str(&format!(
            "<figure class=\"compare-run\" role=\"listitem\" data-run=\"{r}\">\
             <div class=\"run-head\"><span class=\"run-chip\" style=\"background: rgb({}, {}, {})\"></span>\
             <strong class=\"run-title\" id=\"run-title-{r}\"></strong> {open} {remove}</div>\
             <canvas id=\"chart-run-{r}\" class=\"chart run-chart\" role=\"img\"></canvas>\
             <p class=\"run-verdict\" id=\"run-verdict-{r}\"></p><p class=\"run-numbers\" id=\"run-numbers-{r}\"></p>{controls}</figure>",
            c.0, c.1, c.2
        ));
    }
    s
}

/// The grid's signature: what its structure depends on (the number of runs and the embed
/// flag; titles, links and values are written in place, so a box keeps its focus).
fn signature(app: &App, runs: &[Run]) -> String {
    format!("{}|{}", app.config.view.embed, runs.len())
}

/// Texts and values of the grid, written in place (a box being edited keeps its text).
fn fill(doc: &Document, app: &App, runs: &[Run]) {
    for (r, run) in runs.iter().enumerate() {
        dom::set_text(doc, &format!("run-title-{r}"), &run.title);
        dom::set_attr(
            doc,
            &format!("run-open-{r}"),
            "href",
            &format!("?{}", run.query),
        );
        let (verdict, nums) = match (run.dynamics, run.error) {
            (Some(d), _) => (d.verdict_text.clone(), numbers(d)),
            (None, e) => (format!("No run: {}", e.unwrap_or("")), String::new()),
        };
        dom::set_text(doc, &format!("run-verdict-{r}"), &verdict);
        dom::set_text(doc, &format!("run-numbers-{r}"), &nums);
        let label = format!("π_t(i) of run {}: {}; {}", r + 1, run.title, verdict);
        dom::set_attr(doc, &format!("chart-run-{r}"), "aria-label", &label);
    }
    let focused = doc.active_element();
    if let Ok(list) = doc.query_selector_all("#compare-grid input[data-variant]") {
        for j in 0..list.length() {
            let Some(el) = list
                .item(j)
                .and_then(|n| n.dyn_into::<HtmlInputElement>().ok())
            else {
                continue;
            };
            if focused.as_ref().is_some_and(|f| f.is_same_node(Some(&el))) {
                continue;
            }
            let i: usize = el
                .get_attribute("data-variant")
                .and_then(|v| v.parse().ok())
                .unwrap_or(0);
            let key = el.get_attribute("data-key").unwrap_or_default();
            let value = if key == "*" {
                other_overrides(app, i)
            } else {
                let c = runs.get(i + 1).map(|r| r.config).unwrap_or(&app.config);
                field(&key)
                    .and_then(|f| field_text(c, f))
                    .unwrap_or_default()
            };
            el.set_value(&value);
        }
    }
}

/// The simplex's caption when it shows every run's trajectory.
const SIMPLEX_CAPTION: &str = "Every run's trajectory on the simplex, in its run's colour: a small dot at its start, a large one at the round shown.";

/// A comparison shows the simplex beside the entropy chart (with every run's trajectory and
/// its own caption); a single run, in its place beside the π_t chart.
fn place_simplex(doc: &Document, on: bool) {
    let (Some(sbox), Some(charts), Some(hero)) = (
        dom::element(doc, "simplex-box"),
        doc.query_selector("#dynamics .charts").ok().flatten(),
        doc.query_selector("#dynamics .hero-figures").ok().flatten(),
    ) else {
        return;
    };
    let home = if on { &charts } else { &hero };
    if !sbox
        .parent_element()
        .is_some_and(|p| p.is_same_node(Some(home)))
    {
        let _ = home.append_child(&sbox);
    }
    if let Ok(Some(caption)) = sbox.query_selector("figcaption") {
        let own = caption.get_attribute("data-own").unwrap_or_default();
        if own.is_empty() {
            let _ = caption.set_attribute("data-own", &caption.text_content().unwrap_or_default());
        }
        let own = caption.get_attribute("data-own").unwrap_or_default();
        caption.set_text_content(Some(if on { SIMPLEX_CAPTION } else { &own }));
    }
}

thread_local! {
    static SIGNATURE: std::cell::RefCell<String> = const { std::cell::RefCell::new(String::new()) };
}

/// Shows or hides the comparison and writes its texts (the grid is rebuilt when its runs
/// change).
pub fn render(doc: &Document, app: &App) {
    let on = comparing(app);
    set_hidden(doc, "compare", !on);
    if let Some(b) = doc.body() {
        let _ = b.class_list().toggle_with_force("comparing", on);
    }
    dom::set_attr(
        doc,
        "compare-add",
        "aria-disabled",
        if app.can_add_variant() {
            "false"
        } else {
            "true"
        },
    );
    if let Some(b) = dom::element(doc, "compare-add") {
        if app.can_add_variant() {
            let _ = b.remove_attribute("disabled");
        } else {
            let _ = b.set_attribute("disabled", "");
        }
    }
    place_simplex(doc, on);
    if !on {
        SIGNATURE.with(|s| s.borrow_mut().clear());
        return;
    }
    let runs = runs(app);
    let sig = signature(app, &runs);
    let rebuild = SIGNATURE.with(|s| {
        let mut s = s.borrow_mut();
        let changed = *s != sig;
        *s = sig;
        changed
    });
    if rebuild {
        set_html(doc, "compare-grid", &grid_html(app, &runs));
        if let Some(g) = dom::element(doc, "compare-grid") {
            let _ = g.set_attribute("data-runs", &runs.len().to_string());
        }
    }
    fill(doc, app, &runs);
}

/// Every run's π_t chart on the same axes up to the cursor, the entropy with a line per
/// run and, when every run has K = 3, every trajectory on the simplex.
pub fn draw(doc: &Document, app: &App, theme: &Theme) {
    let runs = runs(app);
    let pictures: Vec<Option<RunPicture>> = runs
        .iter()
        .map(|r| {
            r.dynamics.map(|d| RunPicture {
                k: d.trajectory.k,
                policies: &d.trajectory.policies,
                upto: app.play.cursor,
                labels: r.labels,
                fixed_point: d.stability.fixed_point.as_deref(),
                samples: None,
                population: true,
            })
        })
        .collect();
    let drawn: Vec<RunPicture> = pictures.iter().flatten().copied().collect();
    let axes = SharedAxes::of(&drawn);
    for (r, pic) in pictures.iter().enumerate() {
        let id = format!("chart-run-{r}");
        match pic {
            Some(p) => {
                if let Err(e) = canvas::draw_policy_on(&id, theme, p, Some(axes)) {
                    log_error(&e);
                }
            }
            None => canvas::clear(&id),
        }
    }
    draw_entropies_and_simplex(doc, app, theme, &runs, &drawn);
}

/// The entropy of every run on one chart and, when every run has K = 3, every trajectory on
/// the simplex (hidden otherwise).
fn draw_entropies_and_simplex(
    doc: &Document,
    app: &App,
    theme: &Theme,
    runs: &[Run],
    drawn: &[RunPicture],
) {
    let entropies: Vec<(usize, Vec<f64>)> = runs
        .iter()
        .enumerate()
        .filter_map(|(r, run)| Some((r, run.dynamics?.trajectory.entropies())))
        .collect();
    // Each line is named by its run's title (at most 18 characters), as its chart is.
    let names: Vec<String> = entropies
        .iter()
        .map(|(r, _)| {
            let t = &runs[*r].title;
            match t.chars().count() > 18 {
                true => format!("{}…", t.chars().take(17).collect::<String>()),
                false => t.clone(),
            }
        })
        .collect();
    let lines: Vec<RunLine> = entropies
        .iter()
        .zip(&names)
        .map(|((r, e), name)| RunLine {
            values: e,
            colour: run_colour(*r),
            name,
        })
        .collect();
    let k = drawn.iter().map(|p| p.k).max().unwrap_or(1);
    if let Err(e) = canvas::draw_entropies("chart-entropy", theme, &lines, app.play.cursor, k) {
        log_error(&e);
    }
    let all_three = !drawn.is_empty()
        && runs
            .iter()
            .all(|r| r.dynamics.is_some_and(|d| d.trajectory.k == 3));
    if all_three {
        let paths: Vec<RunLine> = runs
            .iter()
            .enumerate()
            .filter_map(|(r, run)| {
                Some(RunLine {
                    values: &run.dynamics?.trajectory.policies,
                    colour: run_colour(r),
                    name: "",
                })
            })
            .collect();
        let labels = app.matrix.labels();
        if let Err(e) =
            canvas::draw_simplex_runs("chart-simplex", theme, labels, &paths, app.play.cursor)
        {
            log_error(&e);
        }
    }
    set_hidden(doc, "simplex-box", !all_three);
}

/// The comparison's styles ([`wire`] adds them to the page).
const STYLE: &str = include_str!("compare.css");

/// "+ compare", remove, and the variants' boxes (delegated to the grid); the styles.
pub fn wire(doc: &Document) -> Result<(), JsValue> {
    let style = doc.create_element("style")?;
    style.set_text_content(Some(STYLE));
    if let Some(head) = doc.query_selector("head")? {
        head.append_child(&style)?;
    }
    dom::on(doc, "compare-add", "click", |_: web_sys::Event| {
        store::dispatch(Change::AddVariant, HistoryMode::None);
    })?;
    dom::on(doc, "compare-grid", "click", |e: web_sys::Event| {
        if let Some(b) = dom::event_target(&e, "button[data-remove]") {
            if let Some(i) = b.get_attribute("data-remove").and_then(|v| v.parse().ok()) {
                dom::after_task(move || {
                    store::dispatch(Change::RemoveVariant(i), HistoryMode::Push);
                });
            }
        }
    })?;
    dom::on(doc, "compare-grid", "change", |e: web_sys::Event| {
        let Some(el) = dom::event_target(&e, "input[data-variant]") else {
            return;
        };
        let Ok(input) = el.dyn_into::<HtmlInputElement>() else {
            return;
        };
        let Some(i) = input
            .get_attribute("data-variant")
            .and_then(|v| v.parse::<usize>().ok())
        else {
            return;
        };
        let key = input.get_attribute("data-key").unwrap_or_default();
        let pairs = if key == "*" {
            other_pairs(i, &input.value())
        } else {
            vec![(key, input.value())]
        };
        // After this handler: what the change redraws may blur (and so `change`) a box.
        dom::after_task(move || {
            store::dispatch(Change::EditVariant { index: i, pairs }, HistoryMode::Push);
        });
    })
}

/// The pairs a variant's "more" box asks for: each `KEY=VALUE` typed, and each earlier
/// override no longer typed set back to the base's value.
fn other_pairs(i: usize, text: &str) -> Vec<(String, String)> {
    let typed = query_pairs(text);
    let dropped: Vec<(String, String)> = store::read(|app| {
        let before = app
            .config
            .variants
            .get(i)
            .map(|v| v.overrides.clone())
            .unwrap_or_default();
        before
            .into_iter()
            .filter(|(k, _)| !BOXES.contains(&k.as_str()) && !typed.iter().any(|(t, _)| t == k))
            .filter_map(|(k, _)| {
                let f = FIELDS.iter().find(|f| f.key == k)?;
                Some((k, field_text(&app.config, f)?))
            })
            .collect()
    })
    .unwrap_or_default();
    dropped.into_iter().chain(typed).collect()
}
