//! Preferences: where P comes from (generator, preset, edited values), its heatmap with a
//! cell editor, the social-choice diagnostics and a preset's attribution.

use std::cell::RefCell;

use prefdyn::config::{format_float, quantise, MatrixSource};
use prefdyn::generators::Family;
use prefdyn::presets::{preset, preset_keys, preset_title};
use prefdyn::text::sig;
use wasm_bindgen::prelude::*;
use web_sys::Document;

use super::Section;
use crate::canvas::{self, HeatmapLayout, Theme};
use crate::dom::{
    document, escape, input, log_error, offset_in_target, on, select, set_hidden, set_html,
    set_text, set_value,
};
use crate::export::download_canvas;
use crate::model::{App, Change, Changed};
use crate::store::{self, HistoryMode};

mod import;
mod summary;

/// The selected cell and where the heatmap's cells are.
#[derive(Default)]
struct Heatmap {
    selected: Option<(usize, usize)>,
    layout: HeatmapLayout,
}

thread_local! {
    static HEATMAP: RefCell<Heatmap> = RefCell::new(Heatmap::default());
}

fn fill_sources(doc: &Document) {
    let Some(sel) = select(doc, "source") else {
        return;
    };
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
        let title = preset_title(key).unwrap_or(key);
        html.push_str(&format!(
            "<option value=\"preset:{key}\">{}</option>",
            escape(title)
        ));
    }
    html.push_str("</optgroup><option value=\"values\">Edited values</option>");
    sel.set_inner_html(&html);
}

/// A new family with its natural K (RPS 3, the odd circulant 5, the paper's 4 for the
/// rated families, else the current K).
fn switch_family(f: Family) {
    let current = store::read(|app| app.matrix.k()).unwrap_or(5);
    let k = match f {
        Family::RockPaperScissors => 3,
        Family::Circulant => 5,
        Family::RatedCyclic | Family::RatedSst => 4,
        _ => current.max(3),
    };
    let param = if f.uses_sigma() { 1.0 } else { 0.5 };
    let change = move |c: &mut prefdyn::config::Config| {
        c.matrix = MatrixSource::Generated {
            family: f,
            k,
            param,
            seed: 1,
        }
    };
    store::dispatch(Change::With(Box::new(change)), HistoryMode::Push);
}

fn on_source(value: &str) {
    if let Some(f) = value.strip_prefix("gen:").and_then(Family::from_key) {
        switch_family(f);
    } else if let Some(name) = value.strip_prefix("preset:") {
        let raw = name.to_string();
        store::dispatch(
            Change::Edit {
                key: "preset".into(),
                raw,
            },
            HistoryMode::Push,
        );
    } else {
        let freeze = |c: &mut prefdyn::config::Config| {
            if let Ok(m) = c.matrix.matrix() {
                c.matrix = MatrixSource::Values {
                    k: m.k(),
                    upper: m.upper(),
                    labels: m.labels().to_vec(),
                };
            }
        };
        store::dispatch(Change::With(Box::new(freeze)), HistoryMode::Push);
    }
}

/// The value typed into the cell editor: a number in [0, 1] edits the selected cell (its
/// mirror becomes 1 − value); anything else is named and changes nothing.
fn edit_cell(raw: &str) {
    let Some((i, j)) = HEATMAP.with(|h| h.borrow().selected) else {
        return;
    };
    let value = raw
        .trim()
        .parse::<f64>()
        .ok()
        .filter(|v| (0.0..=1.0).contains(v));
    let edited = store::read(|app| {
        let mut m = app.matrix.clone();
        let v = value?;
        m.set(i, j, quantise(v)).ok()?;
        Some(MatrixSource::Values {
            k: m.k(),
            upper: m.upper(),
            labels: m.labels().to_vec(),
        })
    })
    .flatten();
    let message =
        format!("P[{i}][{j}]: '{raw}' is not a number in [0, 1]; the cell was not changed");
    let change = move |c: &mut prefdyn::config::Config| {
        if let Some(m) = edited {
            c.matrix = m;
        }
    };
    store::dispatch(Change::With(Box::new(change)), HistoryMode::Push);
    store::dispatch(
        Change::Note {
            field: "P".into(),
            message: value.is_none().then_some(message),
        },
        HistoryMode::None,
    );
}

/// The cell under the pointer in the canvas's tooltip (with its win counts if imported).
fn on_heatmap_hover(e: web_sys::MouseEvent) {
    let Some((x, y)) = offset_in_target(&e) else {
        return;
    };
    let Some((i, j)) = HEATMAP.with(|h| h.borrow().layout.hit(x, y)) else {
        return;
    };
    let text = store::read(|app| {
        let l = app.matrix.labels();
        import::counts_text(app, l, i, j).unwrap_or_else(|| {
            format!(
                "P[{}][{}] = {}",
                l.get(i).map_or("", String::as_str),
                l.get(j).map_or("", String::as_str),
                sig(app.matrix.get(i, j))
            )
        })
    });
    if let (Some(doc), Some(text)) = (document(), text) {
        crate::dom::set_attr(&doc, "chart-matrix", "title", &text);
    }
}

fn on_heatmap_click(e: web_sys::MouseEvent) {
    let Some((x, y)) = offset_in_target(&e) else {
        return;
    };
    let hit = HEATMAP.with(|h| h.borrow().layout.hit(x, y));
    if let Some((i, j)) = hit {
        HEATMAP.with(|h| h.borrow_mut().selected = (i != j).then_some((i, j)));
        if let Some(doc) = document() {
            // The selection is this section's own state: it redraws itself.
            store::read(|app| render(&doc, app, &canvas::theme_from_page()));
            if let Some(inp) = input(&doc, "cell-value") {
                let _ = inp.focus();
            }
        }
    }
}

/// Preferences: P, its heatmap and diagnostics, generators, presets and the import panel.
pub struct Preferences;

impl Section for Preferences {
    fn id(&self) -> &'static str {
        "preferences"
    }

    fn wire(&self, doc: &Document) -> Result<(), JsValue> {
        wire(doc)
    }

    fn affected(&self, c: &Changed) -> bool {
        c.results.matrix || c.import || c.config.matrix
    }

    fn eager(&self, app: &App) -> bool {
        app.config.view.view == prefdyn::config::View::Preferences
    }

    fn render(&self, doc: &Document, app: &App, _c: &Changed, theme: &Theme) {
        render(doc, app, theme);
    }

    fn describe(&self, doc: &Document, app: &App) {
        summary::render(doc, app);
    }
}

fn wire(doc: &Document) -> Result<(), JsValue> {
    fill_sources(doc);
    import::wire(doc)?;
    on(doc, "chart-matrix", "mousemove", on_heatmap_hover)?;
    on(doc, "source", "change", |_: web_sys::Event| {
        if let Some(v) = document()
            .and_then(|d| select(&d, "source"))
            .map(|s| s.value())
        {
            on_source(&v);
        }
    })?;
    on(doc, "param", "change", |_: web_sys::Event| {
        let Some(raw) = document()
            .and_then(|d| input(&d, "param"))
            .map(|i| i.value())
        else {
            return;
        };
        let sigma = store::read(
            |app| matches!(&app.config.matrix, MatrixSource::Generated { family, .. } if family.uses_sigma()),
        );
        let key = if sigma == Some(true) { "sigma" } else { "s" };
        store::dispatch(
            Change::Edit {
                key: key.into(),
                raw,
            },
            HistoryMode::Push,
        );
    })?;
    on(doc, "cell-value", "change", |_: web_sys::Event| {
        if let Some(raw) = document()
            .and_then(|d| input(&d, "cell-value"))
            .map(|i| i.value())
        {
            edit_cell(&raw);
        }
    })?;
    on(doc, "chart-matrix", "click", on_heatmap_click)?;
    on(doc, "export-matrix-csv", "click", |_: web_sys::Event| {
        let csv =
            store::read(|app| prefdyn::import::matrix_to_csv(&app.matrix)).unwrap_or_default();
        crate::export::download("prefdyn-preferences.csv", "text/csv", &csv);
    })?;
    on(doc, "export-matrix-png", "click", |_: web_sys::Event| {
        download_canvas("chart-matrix", "prefdyn-preferences.png")
    })
}

/// The source menu and the generator's rows.
fn render_source(doc: &Document, app: &App) {
    let (value, family, param) = match &app.config.matrix {
        MatrixSource::Generated { family, param, .. } => {
            (format!("gen:{}", family.key()), Some(*family), *param)
        }
        MatrixSource::Preset { name } => (format!("preset:{name}"), None, 0.5),
        MatrixSource::Values { .. } => ("values".into(), None, 0.5),
    };
    set_value(doc, "source", &value);
    set_value(doc, "param", &format_float(param));
    let uses = |p: fn(Family) -> bool| family.is_some_and(p);
    set_hidden(
        doc,
        "param-row",
        !uses(|f| f.uses_sigma() || f.uses_strength()),
    );
    set_text(
        doc,
        "param-label",
        if uses(Family::uses_sigma) {
            "σ (utility spread)"
        } else {
            "s (strength)"
        },
    );
    set_hidden(doc, "seed-row", !uses(Family::is_random));
    set_hidden(doc, "k-row", !uses(|f| f != Family::RockPaperScissors));
}

fn names(labels: &[String], idx: &[usize]) -> String {
    idx.iter()
        .map(|&i| labels.get(i).cloned().unwrap_or_default())
        .collect::<Vec<_>>()
        .join(", ")
}

pub(super) fn render_diagnostics(doc: &Document, app: &App) {
    let d = &app.results.matrix.diagnostics;
    let labels = app.matrix.labels();
    let name = |i: Option<usize>, none: &str| {
        i.and_then(|i| labels.get(i).cloned())
            .unwrap_or_else(|| none.into())
    };
    let ml = match &d.maximal_lottery {
        Some(ml) => ml
            .iter()
            .enumerate()
            .filter(|(_, &p)| p > 1e-9)
            .map(|(i, p)| format!("{} {}", names(labels, &[i]), sig(*p)))
            .collect::<Vec<_>>()
            .join(", "),
        None => "not available".into(),
    };
    let rows = [
        (
            "Condorcet winner",
            "diag-cw",
            name(d.condorcet_winner, "none"),
        ),
        ("Borda winner", "diag-borda", name(d.borda_winner, "tie")),
        ("Smith set", "diag-smith", names(labels, &d.smith_set)),
        ("Maximal lottery", "diag-ml", ml),
        (
            "Majority 3-cycles",
            "diag-cycles",
            d.three_cycles.to_string(),
        ),
        (
            "Strongly stochastically transitive",
            "diag-sst",
            if d.sst { "yes" } else { "no" }.into(),
        ),
    ];
    let mut html: String = rows
        .iter()
        .map(|(t, id, v)| format!("<dt>{t}</dt><dd id=\"{id}\">{}</dd>", escape(v)))
        .collect();
    if let Some((format, never)) = app
        .import
        .as_ref()
        .map(|li| (li.format.describe(), li.never_compared))
    {
        html.push_str(&format!(
            "<dt>Imported</dt><dd id=\"diag-import\">{format}</dd><dt>Never compared</dt><dd id=\"diag-never\">{never} pair(s), set to 1/2</dd>"
        ));
    }
    set_html(doc, "diagnostics", &format!("<dl>{html}</dl>"));
    let attribution = match &app.config.matrix {
        MatrixSource::Preset { name } => preset(name)
            .map(|p| {
                format!(
                    "<p><b>Source:</b> {}</p><p><b>Caveats:</b> {}</p>",
                    escape(&p.attribution()),
                    escape(&p.caveats_text())
                )
            })
            .unwrap_or_default(),
        _ => app
            .results
            .matrix
            .note
            .as_deref()
            .map(|n| format!("<p><b>Synthetic:</b> {}</p>", escape(n)))
            .unwrap_or_default(),
    };
    set_html(doc, "attribution", &attribution);
}

fn render_cell_editor(doc: &Document, app: &App, selected: Option<(usize, usize)>) {
    let l = app.matrix.labels();
    let (text, value, disabled) = match selected {
        Some((i, j)) if i != j && i < l.len() && j < l.len() => (
            format!(
                "P[{}][{}] (mirror P[{}][{}] = 1 − value)",
                l[i], l[j], l[j], l[i]
            ),
            format_float(app.matrix.get(i, j)),
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

fn render(doc: &Document, app: &App, theme: &Theme) {
    let k = app.matrix.k();
    let selected = HEATMAP.with(|h| {
        let mut h = h.borrow_mut();
        h.selected = h.selected.filter(|&(i, j)| i < k && j < k);
        h.selected
    });
    match canvas::draw_matrix("chart-matrix", theme, &app.matrix, selected) {
        Ok(l) => HEATMAP.with(|h| h.borrow_mut().layout = l),
        Err(e) => log_error(&e),
    }
    render_source(doc, app);
    render_diagnostics(doc, app);
    render_cell_editor(doc, app, selected);
    summary::render(doc, app);
    import::render(doc, app);
}
