//! `--embed-size WxH`: a poster for an embed of the link, the picture a host page shows in
//! place of the iframe until it has loaded (a slow connection, a feed reader, print).
//!
//! It is what the embed's first view shows, laid out as the page lays it out in a frame of
//! that size (`index.html` and the `body.embed` rules of `www/style.css`; the texts of
//! `prefdyn-web`'s `sections::hero`): the title, the chart of the link's view (the π_t chart
//! and, for K = 3 with `controls=…,starts` in a frame wider than 520 px, the phase portrait
//! beside it), the verdict line, and the controls the embed lists, written as their labels
//! and values. Nothing on it claims to be interactive: the play row keeps its space but has
//! no buttons, the sliders are plain values, and there is no "open in full playground"
//! link. The colours are the page's stylesheet's (light; dark with `theme=dark`). The
//! layout is in CSS pixels; the PNG is drawn at twice that, the SVG in user units.

use std::fmt::Write as _;
use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use prefdyn::config::{
    field, field_text, Config, Keyed, Kind, Theme as PageTheme, View, ViewSettings,
};
use prefdyn_charts as charts;
use prefdyn_charts::{parse_rgb, text_width, RunPicture, SamplePaths, Theme};

use crate::output::{draw_chart, register_font};
use crate::RunOutput;

/// The smallest and largest frame side `--embed-size` takes, in CSS pixels.
pub const MIN_SIDE: u32 = 200;
pub const MAX_SIDE: u32 = 2000;

/// `WIDTHxHEIGHT` (`680x420`; `X` or `×` also separate) in CSS pixels, each side within
/// [`MIN_SIDE`]–[`MAX_SIDE`]; anything else is an error naming the option.
pub fn parse_size(s: &str) -> Result<(u32, u32), String> {
    let bad = || format!("error: --embed-size: expected WIDTHxHEIGHT like 680x420, got {s:?}");
    let (w, h) = s.trim().split_once(['x', 'X', '×']).ok_or_else(bad)?;
    let side = |v: &str| v.trim().parse::<u32>().map_err(|_| bad());
    let (w, h) = (side(w)?, side(h)?);
    for (name, v) in [("width", w), ("height", h)] {
        if !(MIN_SIDE..=MAX_SIDE).contains(&v) {
            return Err(format!(
                "error: --embed-size: {s}: the {name} must be from {MIN_SIDE} to {MAX_SIDE} CSS pixels, got {v}"
            ));
        }
    }
    Ok((w, h))
}

/// The page's stylesheet, whose custom properties give the poster its colours.
const STYLE_CSS: &str = include_str!("../../../www/style.css");

/// The page's colours (`--bg`, `--fg`, … of `www/style.css`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Palette {
    pub bg: RGBColor,
    pub fg: RGBColor,
    pub muted: RGBColor,
    pub card: RGBColor,
    pub grid: RGBColor,
    pub accent: RGBColor,
    pub link: RGBColor,
}

impl Palette {
    /// The stylesheet's light colours (`:root`) or dark ones (`:root[data-theme=dark]`);
    /// `None` when the stylesheet does not define one of them.
    pub fn from_css(dark: bool) -> Option<Palette> {
        let selector = if dark {
            ":root[data-theme=dark] {"
        } else {
            ":root {"
        };
        let start = STYLE_CSS.find(selector)? + selector.len();
        let rest = STYLE_CSS.get(start..)?;
        let block = rest.get(..rest.find('}')?)?;
        let var = |name: &str| {
            block
                .split(';')
                .filter_map(|d| d.split_once(':'))
                .find(|(k, _)| k.trim() == name)
                .and_then(|(_, v)| parse_rgb(v))
        };
        Some(Palette {
            bg: var("--bg")?,
            fg: var("--fg")?,
            muted: var("--muted")?,
            card: var("--card")?,
            grid: var("--grid")?,
            accent: var("--accent")?,
            link: var("--link")?,
        })
    }

    /// The colours of a link's theme: dark for `theme=dark`, else light (a picture cannot
    /// follow the reader's setting as `theme=auto` does).
    pub fn of(theme: PageTheme) -> Palette {
        let light = Palette::from_css(false).unwrap_or(Palette {
            bg: RGBColor(255, 255, 255),
            fg: RGBColor(29, 29, 31),
            muted: RGBColor(95, 99, 104),
            card: RGBColor(247, 247, 249),
            grid: RGBColor(217, 217, 222),
            accent: RGBColor(198, 40, 40),
            link: RGBColor(21, 101, 192),
        });
        match theme {
            PageTheme::Dark => Palette::from_css(true).unwrap_or(light),
            _ => light,
        }
    }

    /// The charts' colours, as the page reads them from these properties.
    pub fn chart_theme(&self) -> Theme {
        Theme {
            fg: self.fg,
            bg: self.bg,
            grid: self.grid,
            accent: self.accent,
            muted: self.muted,
            highlight: self.link,
        }
    }
}

// The embed's geometry in CSS pixels (`www/style.css`, `body.embed` rules).
/// `body.embed { padding: 4px 6px }`.
const PAD_Y: f64 = 4.0;
const PAD_X: f64 = 6.0;
/// The header: `h1` at 1rem (a line of 23.2 px) with `.top`'s padding of 2 px.
const HEADER_H: f64 = 27.2;
const TITLE_SIZE: f64 = 16.0;
const TITLE_LINE: f64 = 23.2;
/// `body.embed .card { margin: 4px 0; padding: 6px 8px }`, a border of 1 px, radius 10.
const CARD_MARGIN: f64 = 4.0;
const CARD_INSET_X: f64 = 9.0;
const CARD_INSET_Y: f64 = 7.0;
const CARD_RADIUS: f64 = 10.0;
/// A chart canvas' corner radius (`.chart`).
const CHART_RADIUS: f64 = 6.0;
/// `body.embed #chart-policy { height: 200px }`.
const CHART_H: f64 = 200.0;
/// The play row (`.player`, margins of 6 px, gaps of 8 px × 12 px, wrapping): Play, Step
/// and Reset (209.4 px wide, 33.75 high), the speed slider when listed (323.1 × 26.9) and
/// "round T of T" (15 px text, 21.75 high).
const PLAYER_MARGIN: f64 = 6.0;
const BUTTONS: (f64, f64) = (209.4, 33.75);
const SPEED: (f64, f64) = (323.1, 26.9);
const ROUND_H: f64 = 21.75;
/// The portrait's column (`body.embed #simplex-box { width: 200px }`), shown when the
/// frame is wider than 520 px; under the square, the starts row (label, box, button).
const PORTRAIT_W: f64 = 200.0;
const PORTRAIT_FROM: f64 = 520.0;
const STARTS_H: f64 = 88.3;
/// `.hero-figures`' column gap, `.hero-grid`'s row gap, `.hero-side`'s gap.
const FIGURE_GAP: f64 = 12.0;
const GRID_GAP: f64 = 12.0;
const SIDE_GAP: f64 = 8.0;
/// The controls' grid: columns of at least 160 px, gaps 4 px × 12 px, a control (label
/// over slider and box) 47.75 px high.
const CELL_MIN: f64 = 160.0;
const CELL_GAP_X: f64 = 12.0;
const CELL_GAP_Y: f64 = 4.0;
const CELL_H: f64 = 47.75;
/// A control that is a label over its box (a select or a text or number box).
const BOX_CELL_H: f64 = 49.8;
const BOX_CONTROLS: &[&str] = &["solver", "pi0", "N", "R", "sseed"];
/// `.controls { margin-bottom: 8px }` under the finite-sample controls.
const CONTROLS_MARGIN: f64 = 8.0;
/// Text at 0.9rem with the body's line height of 1.45; the verdict's word at 1.05em.
const SMALL: f64 = 14.4;
const LINE: f64 = 20.88;
const BOLD_SCALE: f64 = 1.05;
/// Heights of the other views' charts in an embed (`#chart-oneshot`, `.chart.phase`,
/// the heatmap's `.chart`).
const ONE_SHOT_H: f64 = 240.0;
const PHASE_H: f64 = 300.0;

/// The controls beside the chart, under the verdict, and of finite samples, in the
/// page's order (`index.html`); an embed shows those its `controls=` lists.
const HERO_CONTROLS: &[&str] = &["alpha", "beta", "lam"];
const MORE_CONTROLS: &[&str] = &["eta", "T", "solver", "pi0"];
const SAMPLE_CONTROLS: &[&str] = &["N", "R", "sseed"];

/// A rectangle in CSS pixels.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Rect {
    pub x: f64,
    pub y: f64,
    pub w: f64,
    pub h: f64,
}

/// A piece of a line of text: regular or bold, at a size in CSS pixels.
#[derive(Clone, Debug, PartialEq)]
pub struct Run {
    pub text: String,
    pub bold: bool,
    pub size: f64,
}

impl Run {
    fn new(text: impl Into<String>, bold: bool, size: f64) -> Run {
        Run {
            text: text.into(),
            bold,
            size,
        }
    }

    /// Its width by the charts' estimate (wide side of DejaVu Sans; bold a tenth wider).
    fn width(&self) -> f64 {
        text_width(&self.text, self.size) * if self.bold { 1.1 } else { 1.0 }
    }
}

/// Which chart a canvas shows.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Chart {
    /// The chart of the link's view (the π_t chart in Dynamics), as `--png` draws it.
    Main,
    /// The K = 3 phase portrait.
    Portrait,
    /// An empty canvas (no run).
    Blank,
}

/// What the poster draws, in order.
#[derive(Clone, Debug, PartialEq)]
pub enum Item {
    /// A box with rounded corners and a 1-px border inside its edge.
    Panel {
        rect: Rect,
        radius: f64,
        fill: RGBColor,
        border: RGBColor,
    },
    /// One line of text starting at `x`, its baseline at `y`.
    Line {
        x: f64,
        y: f64,
        size: f64,
        colour: RGBColor,
        runs: Vec<Run>,
    },
    /// A chart's canvas, its corners rounded onto `behind`.
    Canvas {
        rect: Rect,
        chart: Chart,
        behind: RGBColor,
    },
}

/// The poster's layout.
#[derive(Clone, Debug)]
pub struct Poster {
    /// The frame's size in CSS pixels.
    pub size: (u32, u32),
    pub palette: Palette,
    pub items: Vec<Item>,
    /// How tall the embed's content is at this width (the frame cuts what is below its
    /// height, and so does the poster).
    pub content_height: f64,
    /// The poster in words (the SVG's title): the verdict line, or the view.
    pub title: String,
}

/// The baseline of a line of text of `size` centred in a line box from `top`, `line` high.
fn baseline(top: f64, line: f64, size: f64) -> f64 {
    top + line / 2.0 + 0.35 * size
}

/// The play row's height within `width`, its items wrapped as the page's flex row wraps
/// them (the poster leaves the row empty: nothing on it could be clicked).
fn player_height(width: f64, speed: bool, rounds: usize) -> f64 {
    let round_w = 0.96 * text_width(&format!("round {rounds} of {rounds}"), 15.0);
    let mut items = vec![BUTTONS];
    if speed {
        items.push(SPEED);
    }
    items.push((round_w, ROUND_H));
    let (mut rows, mut row_w, mut row_h) = (vec![], 0.0, 0.0_f64);
    for (w, h) in items {
        if row_w > 0.0 && row_w + 12.0 + w > width {
            rows.push(row_h);
            (row_w, row_h) = (0.0, 0.0);
        }
        row_w += if row_w > 0.0 { 12.0 + w } else { w };
        row_h = row_h.max(h);
    }
    rows.push(row_h);
    rows.iter().sum::<f64>() + 8.0 * (rows.len() - 1) as f64 + 2.0 * PLAYER_MARGIN
}

/// The controls an embed shows (`prefdyn-web`'s `hero::show_controls`): `controls=` if
/// given, else α and β in Dynamics and none elsewhere.
fn shown_controls(v: &ViewSettings) -> Vec<String> {
    match (v.controls.is_empty(), v.view) {
        (false, _) => v.controls.clone(),
        (true, View::Dynamics) => vec!["alpha".into(), "beta".into()],
        (true, _) => vec![],
    }
}

/// The verdict line as the page writes it (`DynamicsReport::verdict_line`), its word in bold.
pub fn verdict_runs(out: &RunOutput) -> Vec<Run> {
    let Some(d) = out.results.dynamics.as_ref() else {
        let error = out.results.dynamics_error.as_deref().unwrap_or("");
        return vec![Run::new(format!("No run: {error}"), false, SMALL)];
    };
    let [lead, word, rest] = d.verdict_line();
    vec![
        Run::new(lead, false, SMALL),
        Run::new(word, true, SMALL * BOLD_SCALE),
        Run::new(rest, false, SMALL),
    ]
}

/// `runs` broken into lines at most `width` wide, at spaces (a word wider than a line
/// keeps a line of its own); each line's runs merged where their style is the same.
pub fn wrap_runs(runs: &[Run], width: f64) -> Vec<Vec<Run>> {
    let mut words: Vec<Vec<Run>> = vec![vec![]];
    for r in runs {
        for (i, part) in r.text.split(' ').enumerate() {
            if i > 0 {
                words.push(vec![]);
            }
            if let (false, Some(w)) = (part.is_empty(), words.last_mut()) {
                w.push(Run::new(part, r.bold, r.size));
            }
        }
    }
    words.retain(|w| !w.is_empty());
    let mut lines: Vec<Vec<Run>> = vec![];
    let mut line: Vec<Run> = vec![];
    for word in words {
        let space = Run::new(" ", false, SMALL);
        let used: f64 = line.iter().map(Run::width).sum();
        let more: f64 = word.iter().map(Run::width).sum::<f64>() + space.width();
        if !line.is_empty() && used + more > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            push_run(&mut line, space);
        }
        for r in word {
            push_run(&mut line, r);
        }
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

/// Appends `r` to the line, to its last run when the style is the same (a space joins
/// the run before it).
fn push_run(line: &mut Vec<Run>, r: Run) {
    match line.last_mut() {
        Some(last) if r.text == " " || (last.bold == r.bold && last.size == r.size) => {
            last.text.push_str(&r.text)
        }
        _ => line.push(r),
    }
}

/// Lays out the poster as the page lays out its items, top down.
struct Builder<'a> {
    config: &'a Config,
    palette: Palette,
    items: Vec<Item>,
    /// The frame's width.
    frame_w: f64,
    /// The card's content box: left edge and width.
    x: f64,
    w: f64,
}

impl Builder<'_> {
    fn line(&mut self, x: f64, y: f64, runs: Vec<Run>) {
        let size = runs.first().map_or(SMALL, |r| r.size);
        self.items.push(Item::Line {
            x,
            y,
            size,
            colour: self.palette.fg,
            runs,
        });
    }

    fn canvas(&mut self, rect: Rect, chart: Chart) {
        self.items.push(Item::Canvas {
            rect,
            chart,
            behind: self.palette.card,
        });
    }

    /// The controls `keys` in the embed's grid from `top`, each its label over its value;
    /// returns the grid's height.
    fn controls(&mut self, keys: &[&str], top: f64) -> f64 {
        if keys.is_empty() {
            return 0.0;
        }
        let cols = (((self.w + CELL_GAP_X) / (CELL_MIN + CELL_GAP_X)).floor() as usize).max(1);
        let col_w = (self.w - (cols - 1) as f64 * CELL_GAP_X) / cols as f64;
        let mut y = top;
        for (row, keys) in keys.chunks(cols).enumerate() {
            if row > 0 {
                y += CELL_GAP_Y;
            }
            let mut height = 0.0_f64;
            for (col, key) in keys.iter().enumerate() {
                let x = self.x + col as f64 * (col_w + CELL_GAP_X);
                height = height.max(self.control(key, (x, y), col_w));
            }
            y += height;
        }
        y - top
    }

    /// One control at `(x, y)`, `width` wide: its label over its value; returns its
    /// height.
    fn control(&mut self, key: &str, (x, y): (f64, f64), width: f64) -> f64 {
        let Some(f) = field(key) else { return 0.0 };
        let value = field_text(self.config, f).unwrap_or_default();
        // As the page's control shows it: a choice by its title, no pairs as ∞.
        let value = match (f.kind, value.as_str()) {
            (Kind::Choice(options), v) => options()
                .into_iter()
                .find(|(k, _)| *k == v)
                .map_or(value.clone(), |(_, title)| title),
            (Kind::Count { .. }, "inf") => "∞".to_string(),
            _ => value,
        };
        let h = if BOX_CONTROLS.contains(&key) {
            BOX_CELL_H
        } else {
            CELL_H
        };
        let label = ellipsis(f.label, width, SMALL);
        self.line(
            x,
            baseline(y, LINE, SMALL),
            vec![Run::new(label, false, SMALL)],
        );
        let value = ellipsis(&value, width, SMALL);
        let value_y = baseline(y + LINE, h - LINE, SMALL);
        self.line(x, value_y, vec![Run::new(value, false, SMALL)]);
        h
    }

    /// The verdict from `top`, wrapped to the card; returns its height.
    fn verdict(&mut self, out: &RunOutput, top: f64) -> f64 {
        let lines = wrap_runs(&verdict_runs(out), self.w);
        for (i, runs) in lines.iter().enumerate() {
            let y = baseline(top + i as f64 * LINE, LINE, SMALL);
            self.line(self.x, y, runs.clone());
        }
        lines.len() as f64 * LINE + SMALL * (BOLD_SCALE - 1.0) * 1.45
    }

    /// Dynamics: the π_t chart (and the portrait), the play row's space, the controls
    /// beside the chart, the verdict, the other controls; returns the bottom.
    fn dynamics(&mut self, out: &RunOutput, top: f64) -> f64 {
        let d = out.results.dynamics.as_ref();
        let v = &self.config.view;
        let shown = shown_controls(v);
        let portrait = d.is_some_and(|d| d.trajectory.k == 3)
            && (v.tour > 0 || v.controls.iter().any(|k| k == "starts"))
            && self.frame_w > PORTRAIT_FROM;
        let side = if portrait {
            PORTRAIT_W + FIGURE_GAP
        } else {
            0.0
        };
        let chart = Rect {
            x: self.x,
            y: top,
            w: self.w - side,
            h: CHART_H,
        };
        self.canvas(
            chart,
            if d.is_some() {
                Chart::Main
            } else {
                Chart::Blank
            },
        );
        let rounds = d.map_or(0, |d| d.trajectory.rounds());
        let speed = shown.iter().any(|k| k == "speed");
        let mut figures = CHART_H + player_height(chart.w, speed, rounds);
        if portrait {
            let square = Rect {
                x: self.x + chart.w + FIGURE_GAP,
                w: PORTRAIT_W,
                h: PORTRAIT_W,
                ..chart
            };
            self.canvas(square, Chart::Portrait);
            figures = figures.max(PORTRAIT_W + STARTS_H);
        }
        let pick = |group: &[&'static str]| -> Vec<&'static str> {
            group
                .iter()
                .copied()
                .filter(|k| shown.iter().any(|s| s == k))
                .collect()
        };
        let mut y = top + figures + GRID_GAP;
        y += self.controls(&pick(HERO_CONTROLS), y) + SIDE_GAP;
        y += self.verdict(out, y);
        y += self.controls(&pick(MORE_CONTROLS), y);
        y + self.controls(&pick(SAMPLE_CONTROLS), y) + CONTROLS_MARGIN
    }

    /// Another view: its chart at the embed's height; returns the bottom.
    fn view_chart(&mut self, view: View, top: f64) -> f64 {
        let (w, h) = match view {
            View::OneShot => (self.w, ONE_SHOT_H),
            View::Phase => (self.w, PHASE_H),
            // The heatmap shares its row with the diagnostics (flex 320 px : 280 px, a
            // gap of 16, at most 460 px) until the row is too narrow for both.
            _ if self.w >= 616.0 => ((320.0 + (self.w - 616.0) / 2.0).min(460.0), CHART_H),
            _ => (self.w.min(460.0), CHART_H),
        };
        let rect = Rect {
            x: self.x,
            y: top,
            w,
            h,
        };
        self.canvas(rect, Chart::Main);
        top + h
    }
}

/// `text` cut with "…" to fit `width` (by the charts' estimate).
fn ellipsis(text: &str, width: f64, size: f64) -> String {
    if text_width(text, size) <= width {
        return text.to_string();
    }
    let mut s = String::new();
    for c in text.chars() {
        if text_width(&format!("{s}{c}…"), size) > width {
            break;
        }
        s.push(c);
    }
    format!("{s}…")
}

/// The poster of `out`'s link in a frame of `size` CSS pixels.
pub fn layout(out: &RunOutput, size: (u32, u32)) -> Poster {
    let palette = Palette::of(out.config.view.theme);
    let frame_w = f64::from(size.0);
    let mut b = Builder {
        config: &out.config,
        palette,
        items: vec![],
        frame_w,
        x: PAD_X + CARD_INSET_X,
        w: frame_w - 2.0 * (PAD_X + CARD_INSET_X),
    };
    let title_y = baseline(
        PAD_Y + (HEADER_H - TITLE_LINE) / 2.0,
        TITLE_LINE,
        TITLE_SIZE,
    );
    b.line(PAD_X, title_y, vec![Run::new("prefdyn", true, TITLE_SIZE)]);
    let card_top = PAD_Y + HEADER_H + CARD_MARGIN;
    let top = card_top + CARD_INSET_Y;
    let view = out.config.view.view;
    let bottom = match view {
        View::Dynamics => b.dynamics(out, top),
        v => b.view_chart(v, top),
    };
    let card = Rect {
        x: PAD_X,
        y: card_top,
        w: frame_w - 2.0 * PAD_X,
        h: bottom + CARD_INSET_Y - card_top,
    };
    let panel = Item::Panel {
        rect: card,
        radius: CARD_RADIUS,
        fill: palette.card,
        border: palette.grid,
    };
    b.items.insert(1, panel);
    let words = match view {
        View::Dynamics => verdict_runs(out).iter().map(|r| r.text.as_str()).collect(),
        v => format!("the {} view", v.key()),
    };
    Poster {
        size,
        palette,
        items: b.items,
        content_height: card.y + card.h + CARD_MARGIN + PAD_Y,
        title: format!("prefdyn (a still of the embedded figure): {words}"),
    }
}

/// The π_t run as the page's charts take it (with the finite-sample paths, if any).
fn with_run<T>(out: &RunOutput, f: impl FnOnce(&RunPicture) -> T) -> Option<T> {
    let finite = out.results.finite.as_ref().map(|f| &f.outcome);
    let paths = finite.map(charts::drawn_paths).unwrap_or_default();
    Some(f(&run_picture(out, &paths)?))
}

/// A run's π_t picture up to its last round, with `paths` (its drawn realisations) around
/// its mean path when it has finite samples; `None` without a run.
pub fn run_picture<'a>(out: &'a RunOutput, paths: &'a [&'a [f64]]) -> Option<RunPicture<'a>> {
    let d = out.results.dynamics.as_ref()?;
    let finite = out.results.finite.as_ref().map(|f| &f.outcome);
    Some(RunPicture {
        k: d.trajectory.k,
        policies: &d.trajectory.policies,
        upto: d.trajectory.rounds(),
        labels: &out.results.matrix.labels,
        fixed_point: d.stability.fixed_point.as_deref(),
        samples: finite.map(|o| SamplePaths {
            paths,
            mean: &o.mean_path.policies,
        }),
        population: true,
    })
}

/// One chart on `area` (its pixels), fonts and strokes times `scale`.
fn draw_canvas<DB: DrawingBackend>(
    out: &RunOutput,
    chart: Chart,
    area: &DrawingArea<DB, Shift>,
    scale: f64,
    theme: &Theme,
) -> Result<(), String> {
    match chart {
        Chart::Main => draw_chart(out, area, scale, theme),
        Chart::Portrait => with_run(out, |run| {
            let portrait = out
                .results
                .dynamics
                .as_ref()
                .and_then(|d| d.portrait.as_ref());
            match portrait {
                Some(p) => charts::draw_portrait(area, scale, theme, run, p).map(|_| ()),
                None => charts::draw_simplex(area, scale, theme, run).map(|_| ()),
            }
        })
        .unwrap_or(Ok(())),
        Chart::Blank => area.fill(&theme.bg).map_err(|e| format!("{e:?}")),
    }
}

/// The outline of a rounded rectangle (corners of `r`, 6 points each), clockwise from the
/// top edge.
fn rounded(rect: Rect, r: f64) -> Vec<(f64, f64)> {
    let r = r.min(rect.w / 2.0).min(rect.h / 2.0).max(0.0);
    let corners = [
        (rect.x + rect.w - r, rect.y + r, -90.0),
        (rect.x + rect.w - r, rect.y + rect.h - r, 0.0),
        (rect.x + r, rect.y + rect.h - r, 90.0),
        (rect.x + r, rect.y + r, 180.0),
    ];
    let mut pts = vec![];
    for (cx, cy, from) in corners {
        for i in 0..=6 {
            let a = (from + 15.0 * i as f64).to_radians();
            pts.push((cx + r * a.cos(), cy + r * a.sin()));
        }
    }
    pts
}

/// The PNG poster: the layout at twice its CSS pixels.
pub fn png(out: &RunOutput, path: &Path, size: (u32, u32)) -> Result<(), String> {
    register_font();
    let poster = layout(out, size);
    let root = BitMapBackend::new(path, (size.0 * 2, size.1 * 2)).into_drawing_area();
    paint(out, &poster, &root, 2.0).map_err(|e| format!("error: PNG {}: {e}", path.display()))
}

/// Plotters' text size for a font of `em` pixels: DejaVu Sans is scaled by its height
/// (ascent 1901 + descent 483 units of an em of 2048).
const SIZE_PER_EM: f64 = 2384.0 / 2048.0;

/// The poster on a bitmap, `scale` device pixels per CSS pixel.
fn paint<DB: DrawingBackend>(
    out: &RunOutput,
    poster: &Poster,
    root: &DrawingArea<DB, Shift>,
    scale: f64,
) -> Result<(), String> {
    let e = |e: DrawingAreaErrorKind<DB::ErrorType>| format!("{e:?}");
    let px = |v: f64| (v * scale).round() as i32;
    let scaled = |pts: Vec<(f64, f64)>| -> Vec<(i32, i32)> {
        pts.into_iter().map(|(x, y)| (px(x), px(y))).collect()
    };
    root.fill(&poster.palette.bg).map_err(e)?;
    let theme = poster.palette.chart_theme();
    for item in &poster.items {
        match item {
            Item::Panel {
                rect,
                radius,
                fill,
                border,
            } => {
                root.draw(&Polygon::new(
                    scaled(rounded(*rect, *radius)),
                    fill.filled(),
                ))
                .map_err(e)?;
                let inner = Rect {
                    x: rect.x + 0.5,
                    y: rect.y + 0.5,
                    w: rect.w - 1.0,
                    h: rect.h - 1.0,
                };
                let mut edge = scaled(rounded(inner, radius - 0.5));
                edge.extend(edge.first().copied());
                let style = border.stroke_width(scale.round() as u32);
                root.draw(&PathElement::new(edge, style)).map_err(e)?;
            }
            Item::Line {
                x, y, colour, runs, ..
            } => {
                let mut at = x * scale;
                for r in runs {
                    let style = if r.bold {
                        FontStyle::Bold
                    } else {
                        FontStyle::Normal
                    };
                    let size = r.size * scale * SIZE_PER_EM;
                    let desc = ("sans-serif", size, style).into_font();
                    let width = desc.box_size(&r.text).map_or(0, |b| b.0);
                    let font = desc.color(colour).pos(Pos::new(HPos::Left, VPos::Top));
                    let top = (y * scale - size / 2.0).round() as i32;
                    root.draw(&Text::new(r.text.clone(), (at.round() as i32, top), font))
                        .map_err(e)?;
                    at += f64::from(width);
                }
            }
            Item::Canvas {
                rect,
                chart,
                behind,
            } => {
                let (x, y) = (px(rect.x), px(rect.y));
                let (w, h) = (px(rect.x + rect.w) - x, px(rect.y + rect.h) - y);
                let area = root
                    .clone()
                    .shrink((x, y), (w.max(1) as u32, h.max(1) as u32));
                draw_canvas(out, *chart, &area, scale, &theme)?;
                for corner in corner_masks(*rect, CHART_RADIUS) {
                    root.draw(&Polygon::new(scaled(corner), behind.filled()))
                        .map_err(e)?;
                }
            }
        }
    }
    root.present().map_err(e)
}

/// What lies outside a rounded rectangle's corners within its bounding box: four small
/// shapes, each a corner point and its arc.
fn corner_masks(rect: Rect, r: f64) -> Vec<Vec<(f64, f64)>> {
    let outline = rounded(rect, r);
    let corners = [
        (rect.x + rect.w, rect.y),
        (rect.x + rect.w, rect.y + rect.h),
        (rect.x, rect.y + rect.h),
        (rect.x, rect.y),
    ];
    corners
        .iter()
        .zip(outline.chunks(7))
        .map(|(&c, arc)| std::iter::once(c).chain(arc.iter().copied()).collect())
        .collect()
}

/// The SVG poster: the layout in user units, texts as text (the page's fonts, the verdict's
/// word bold), each chart as plotters draws it for `--svg`, nested, its corners clipped.
pub fn svg(out: &RunOutput, path: &Path, size: (u32, u32)) -> Result<(), String> {
    register_font();
    let poster = layout(out, size);
    let text = svg_text(out, &poster).map_err(|e| format!("error: SVG {}: {e}", path.display()))?;
    std::fs::write(path, text).map_err(|e| format!("error: cannot write {}: {e}", path.display()))
}

/// The page's font stack (`body` in `www/style.css`).
const FONT_FAMILY: &str = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif";

fn hex(c: RGBColor) -> String {
    format!("#{:02x}{:02x}{:02x}", c.0, c.1, c.2)
}

/// A number for an attribute: at most 2 decimals, no trailing zeros.
fn num(v: f64) -> String {
    let s = format!("{v:.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// Text for XML content and attribute values.
fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The poster as an SVG document.
pub fn svg_text(out: &RunOutput, poster: &Poster) -> Result<String, String> {
    let (w, h) = poster.size;
    let title = esc(&poster.title);
    let mut s = format!(
        "<svg width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\" xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" aria-label=\"{title}\">\n<title>{title}</title>\n<rect width=\"{w}\" height=\"{h}\" fill=\"{}\"/>\n",
        hex(poster.palette.bg)
    );
    let theme = poster.palette.chart_theme();
    for (i, item) in poster.items.iter().enumerate() {
        match item {
            Item::Panel {
                rect,
                radius,
                fill,
                border,
            } => {
                let _ = writeln!(
                    s,
                    "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" rx=\"{}\" fill=\"{}\" stroke=\"{}\" stroke-width=\"1\"/>",
                    num(rect.x + 0.5),
                    num(rect.y + 0.5),
                    num(rect.w - 1.0),
                    num(rect.h - 1.0),
                    num(radius - 0.5),
                    hex(*fill),
                    hex(*border)
                );
            }
            Item::Line { .. } => svg_line(&mut s, item),
            Item::Canvas { rect, chart, .. } => {
                let nested = chart_svg(out, *chart, *rect, &theme)?;
                let _ = writeln!(
                    s,
                    "<clipPath id=\"canvas{i}\"><rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" rx=\"{CHART_RADIUS}\"/></clipPath>\n<g clip-path=\"url(#canvas{i})\">\n{nested}</g>",
                    num(rect.x),
                    num(rect.y),
                    num(rect.w),
                    num(rect.h),
                );
            }
        }
    }
    s.push_str("</svg>\n");
    Ok(s)
}

/// One line of text: a `<text>`, its runs that differ from the line's font as `<tspan>`s.
fn svg_line(s: &mut String, item: &Item) {
    let Item::Line {
        x,
        y,
        size,
        colour,
        runs,
    } = item
    else {
        return;
    };
    let _ = write!(
        s,
        "<text x=\"{}\" y=\"{}\" font-family=\"{FONT_FAMILY}\" font-size=\"{}\" fill=\"{}\">",
        num(*x),
        num(*y),
        num(*size),
        hex(*colour)
    );
    for r in runs {
        if r.bold || r.size != *size {
            let weight = if r.bold { " font-weight=\"bold\"" } else { "" };
            let _ = write!(
                s,
                "<tspan font-size=\"{}\"{weight}>{}</tspan>",
                num(r.size),
                esc(&r.text)
            );
        } else {
            s.push_str(&esc(&r.text));
        }
    }
    s.push_str("</text>\n");
}

/// One chart as its own SVG document, placed at `rect`'s corner.
fn chart_svg(out: &RunOutput, chart: Chart, rect: Rect, theme: &Theme) -> Result<String, String> {
    let size = (
        rect.w.round().max(1.0) as u32,
        rect.h.round().max(1.0) as u32,
    );
    let mut buf = String::new();
    {
        let root = SVGBackend::with_string(&mut buf, size).into_drawing_area();
        draw_canvas(out, chart, &root, 1.0, theme)?;
        root.present().map_err(|e| format!("{e:?}"))?;
    }
    let at = format!("<svg x=\"{}\" y=\"{}\" ", num(rect.x), num(rect.y));
    Ok(buf.replacen("<svg ", &at, 1))
}

/// Notes for stderr: when the embed's content is taller than the frame (the frame cuts it
/// off, and so does the poster), the size that shows all of it; what a tour embed shows
/// that the poster does not.
pub fn notes(out: &RunOutput, poster: &Poster) -> Vec<String> {
    let (w, h) = poster.size;
    let needed = poster.content_height.ceil() as u32;
    let mut notes = vec![];
    if needed > h {
        notes.push(format!(
            "note: --embed-size {w}x{h}: the embed's content is {needed} px tall at {w} px wide, so the frame (and the poster) cut off its bottom; {w}x{needed} shows all of it (make the iframe that tall too)"
        ));
    }
    if out.config.view.tour > 0 {
        notes.push("note: --embed-size: a tour embed also shows the step's panel above the chart; the poster leaves it out".into());
    }
    notes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stylesheet_gives_both_palettes() {
        let light = Palette::from_css(false);
        let dark = Palette::from_css(true);
        assert!(
            light.is_some() && dark.is_some(),
            "www/style.css: --bg … --link"
        );
        assert_ne!(light, dark);
        assert_eq!(light.map(|p| p.bg), Some(RGBColor(255, 255, 255)));
    }

    #[test]
    fn sizes_are_named_errors_out_of_bounds() {
        assert_eq!(parse_size("680x420"), Ok((680, 420)));
        assert_eq!(parse_size(" 360 × 640 "), Ok((360, 640)));
        assert_eq!(parse_size("900X520"), Ok((900, 520)));
        for bad in ["680", "x420", "680x", "axb", "680x420x1", "-680x420", ""] {
            let e = parse_size(bad).err().unwrap_or_default();
            assert!(
                e.contains("expected WIDTHxHEIGHT like 680x420"),
                "{bad}: {e}"
            );
        }
        for bad in ["199x420", "680x2001", "0x0"] {
            let e = parse_size(bad).err().unwrap_or_default();
            assert!(e.contains("from 200 to 2000"), "{bad}: {e}");
        }
    }

    #[test]
    fn wrapping_keeps_the_words_and_their_weight() {
        let runs = [
            Run::new("Simulation: ", false, SMALL),
            Run::new("converging: the step shrinks", true, SMALL * BOLD_SCALE),
            Run::new(". H(π_T) = 1.5 nats", false, SMALL),
        ];
        let all: String = runs.iter().map(|r| r.text.as_str()).collect();
        for width in [80.0, 200.0, 2000.0] {
            let lines = wrap_runs(&runs, width);
            let text: Vec<String> = lines
                .iter()
                .map(|l| l.iter().map(|r| r.text.as_str()).collect::<String>())
                .collect();
            assert_eq!(text.join(" "), all, "at {width}");
            let bold: String = lines
                .iter()
                .flatten()
                .filter(|r| r.bold)
                .map(|r| r.text.trim())
                .collect::<Vec<_>>()
                .join(" ");
            assert_eq!(bold, "converging: the step shrinks", "at {width}");
        }
        assert_eq!(wrap_runs(&runs, 2000.0)[0].len(), 3);
    }
}
