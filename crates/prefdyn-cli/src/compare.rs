//! Links that compare runs (`KEY.N` variants): the JSON with every run's own document, and
//! the small multiples that `--png` / `--svg` draw (a π_t panel per run on shared axes,
//! the entropy of every run below, and every trajectory on one simplex when K = 3).

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use prefdyn::config::{to_query, Config};
use prefdyn_charts as charts;
use prefdyn_charts::{run_colour, text_width, wrap, RunLine, RunPicture, Theme};
use serde_json::{json, Value};

use crate::output::{self, register_font};
use crate::RunOutput;

/// The narrowest π_t panel, in pixels at scale 1: narrower, the panels go two a row.
pub const MIN_PANEL_W: f64 = 220.0;
/// The share of the height the entropy chart (and the simplex) takes below the panels.
const BOTTOM_SHARE: f64 = 0.36;
/// The panels' titles: the run's title (bold) and its verdict, at most this many lines.
const TITLE_PX: f64 = 13.0;
const VERDICT_PX: f64 = 11.0;
const VERDICT_LINES: usize = 2;
const PAD: f64 = 6.0;

/// Run `i`'s heading on stderr: its number, its title and its own link.
pub fn heading(config: &Config, i: usize, run: &Config) -> String {
    format!(
        "run {}: {} (link: {})",
        i + 1,
        config.run_title(i),
        to_query(run)
    )
}

/// The JSON of a comparison: the base run's document with the whole link as its `query`,
/// and `compare`, each run's own document (what its link prints) with its `title`.
pub fn json(config: &Config, runs: &[RunOutput]) -> Value {
    let mut v = runs.first().map(output::json).unwrap_or_else(|| json!({}));
    v["query"] = json!(to_query(config));
    v["compare"] = runs
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let mut e = output::json(r);
            e["title"] = json!(config.run_title(i));
            e
        })
        .collect();
    v
}

/// Columns and rows of `n` panels across `width` pixels: all in one row when each is at
/// least [`MIN_PANEL_W`] × `scale` wide, else two a row (one when even two do not fit).
pub fn grid(n: usize, width: f64, scale: f64) -> (usize, usize) {
    let n = n.max(1);
    let fits = |cols: usize| width / cols as f64 >= MIN_PANEL_W * scale;
    let cols = if fits(n) {
        n
    } else if fits(2) {
        2.min(n)
    } else {
        1
    };
    (cols, n.div_ceil(cols))
}

/// A run's verdict as its panel writes it: the page's verdict text, or why there is no run.
fn verdict(out: &RunOutput) -> String {
    match &out.results.dynamics {
        Some(d) => d.verdict_text.clone(),
        None => format!(
            "no run: {}",
            out.results.dynamics_error.as_deref().unwrap_or("")
        ),
    }
}

/// `text` wrapped to `width` at `font_px`, at most `max` lines (the last cut with "…").
fn lines(text: &str, width: f64, font_px: f64, max: usize) -> Vec<String> {
    let max = max.max(1);
    let mut all = wrap(text, width, font_px);
    if all.len() > max {
        let rest = all.split_off(max - 1).join(" ");
        let mut last = String::new();
        for c in rest.chars() {
            if text_width(&format!("{last}{c}…"), font_px) > width {
                break;
            }
            last.push(c);
        }
        all.push(format!("{}…", last.trim_end()));
    }
    all
}

/// Writes one line of text with its top-left corner at `at`.
fn text<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    s: &str,
    at: (f64, f64),
    (size, bold, colour): (f64, bool, RGBColor),
) -> Result<(), String> {
    let style = if bold {
        FontStyle::Bold
    } else {
        FontStyle::Normal
    };
    let font = ("sans-serif", size, style)
        .into_font()
        .color(&colour)
        .pos(Pos::new(HPos::Left, VPos::Top));
    let at = (at.0.round() as i32, at.1.round() as i32);
    area.draw(&Text::new(s.to_string(), at, font))
        .map_err(|e| format!("{e:?}"))
}

/// Every run's π_t as the page draws it (with its finite-sample paths), `None` without a run.
fn pictures<'a>(runs: &'a [RunOutput], paths: &'a [Vec<&'a [f64]>]) -> Vec<Option<RunPicture<'a>>> {
    runs.iter()
        .zip(paths)
        .map(|(out, paths)| crate::poster::run_picture(out, paths))
        .collect()
}

/// Run `i`'s line on the entropy chart or the simplex: `values` in its colour, named by its
/// title.
fn run_line<'a>(i: usize, values: &'a [f64], titles: &'a [String]) -> RunLine<'a> {
    RunLine {
        values,
        colour: run_colour(i),
        name: titles.get(i).map_or("", String::as_str),
    }
}

/// A part of the small multiples.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Piece {
    /// Run `i`'s panel title: its title (bold) and its verdict, in its colour.
    Head(usize),
    /// Run `i`'s π_t chart on the shared axes.
    Policy(usize),
    /// H(π_t) of every run.
    Entropy,
    /// Every trajectory on one simplex (every run K = 3).
    Simplex,
}

/// A rectangle in pixels: left, top, width, height.
type Rect = (i32, i32, u32, u32);

/// The runs of a comparison as the small multiples draw them.
struct Multiples<'a> {
    runs: &'a [RunOutput],
    pics: Vec<Option<RunPicture<'a>>>,
    axes: charts::SharedAxes,
    entropies: Vec<Vec<f64>>,
    titles: Vec<String>,
    scale: f64,
    theme: &'a Theme,
}

/// `f` of the runs' small multiples, fonts and strokes times `scale`.
fn with_multiples<T>(
    config: &Config,
    runs: &[RunOutput],
    (scale, theme): (f64, &Theme),
    f: impl FnOnce(&Multiples) -> T,
) -> T {
    let paths: Vec<Vec<&[f64]>> = runs
        .iter()
        .map(|r| {
            r.results
                .finite
                .as_ref()
                .map(|f| charts::drawn_paths(&f.outcome))
                .unwrap_or_default()
        })
        .collect();
    let pics = pictures(runs, &paths);
    let drawn: Vec<RunPicture> = pics.iter().flatten().copied().collect();
    let entropies = runs
        .iter()
        .map(|r| {
            r.results
                .dynamics
                .as_ref()
                .map(|d| d.trajectory.entropies())
                .unwrap_or_default()
        })
        .collect();
    f(&Multiples {
        runs,
        axes: charts::SharedAxes::of(&drawn),
        pics,
        entropies,
        titles: (0..runs.len()).map(|i| config.run_title(i)).collect(),
        scale,
        theme,
    })
}

impl Multiples<'_> {
    /// The width of a panel's text in a column `cell_w` wide.
    fn text_w(&self, cell_w: f64) -> f64 {
        cell_w - 2.0 * PAD * self.scale
    }

    /// Where each piece goes on a `w × h` picture: the panels in a grid (see [`grid`]),
    /// each its head over its chart, the entropy chart below them and, when every run
    /// has K = 3 and one ran, the simplex to its right (a square).
    fn layout(&self, (w, h): (u32, u32)) -> Vec<(Piece, Rect)> {
        let s = self.scale;
        let (cols, rows) = grid(self.runs.len(), f64::from(w), s);
        let bottom_h = (f64::from(h) * BOTTOM_SHARE).round() as u32;
        let top_h = h.saturating_sub(bottom_h);
        let at = |total: u32, parts: usize, i: usize| {
            (u64::from(total) * i as u64 / parts as u64) as u32
        };
        let text_w = self.text_w(f64::from(w) / cols as f64);
        let most = self
            .runs
            .iter()
            .map(|r| lines(&verdict(r), text_w, VERDICT_PX * s, VERDICT_LINES).len())
            .max()
            .unwrap_or(1);
        let head_h =
            (2.0 * PAD * s + (TITLE_PX + 4.0) * s + most as f64 * (VERDICT_PX + 3.0) * s).round();
        let mut out = vec![];
        for i in 0..self.runs.len() {
            let (c, r) = (i % cols, i / cols);
            let (x0, x1) = (at(w, cols, c), at(w, cols, c + 1));
            let (y0, y1) = (at(top_h, rows, r), at(top_h, rows, r + 1));
            let head = (head_h as u32).min(y1 - y0);
            out.push((Piece::Head(i), (x0 as i32, y0 as i32, x1 - x0, head)));
            if y1 - y0 > head {
                let rect = (x0 as i32, (y0 + head) as i32, x1 - x0, y1 - y0 - head);
                out.push((Piece::Policy(i), rect));
            }
        }
        let all_k3 = self.runs.iter().all(|r| r.results.matrix.k == 3);
        let side = if all_k3 && self.pics.iter().any(Option::is_some) {
            bottom_h.min(w / 2)
        } else {
            0
        };
        out.push((Piece::Entropy, (0, top_h as i32, w - side, bottom_h)));
        if side > 0 {
            out.push((
                Piece::Simplex,
                ((w - side) as i32, top_h as i32, side, bottom_h),
            ));
        }
        out
    }

    /// Draws `piece` on `area` (its own pixels).
    fn draw<DB: DrawingBackend>(
        &self,
        piece: Piece,
        area: &DrawingArea<DB, Shift>,
    ) -> Result<(), String> {
        let (s, theme) = (self.scale, self.theme);
        match piece {
            Piece::Head(i) => {
                area.fill(&theme.bg).map_err(|e| format!("{e:?}"))?;
                let Some(out) = self.runs.get(i) else {
                    return Ok(());
                };
                let colour = run_colour(i);
                let text_w = self.text_w(f64::from(area.dim_in_pixel().0));
                let title = self.titles.get(i).map_or("", String::as_str);
                let mut y = PAD * s;
                for t in lines(title, text_w, TITLE_PX * s, 1) {
                    text(area, &t, (PAD * s, y), (TITLE_PX * s, true, colour))?;
                }
                y += (TITLE_PX + 4.0) * s;
                for l in lines(&verdict(out), text_w, VERDICT_PX * s, VERDICT_LINES) {
                    text(area, &l, (PAD * s, y), (VERDICT_PX * s, false, colour))?;
                    y += (VERDICT_PX + 3.0) * s;
                }
                Ok(())
            }
            Piece::Policy(i) => match self.pics.get(i) {
                Some(Some(pic)) => {
                    charts::draw_policy_on(area, s, theme, pic, Some(self.axes)).map(|_| ())
                }
                _ => area.fill(&theme.bg).map_err(|e| format!("{e:?}")),
            },
            Piece::Entropy => {
                let lines: Vec<RunLine> = self
                    .entropies
                    .iter()
                    .enumerate()
                    .filter(|(_, v)| !v.is_empty())
                    .map(|(i, v)| run_line(i, v, &self.titles))
                    .collect();
                let k = self.pics.iter().flatten().map(|p| p.k).max().unwrap_or(1);
                charts::draw_entropies(area, s, theme, &lines, self.axes.t_max, k).map(|_| ())
            }
            Piece::Simplex => {
                let paths: Vec<RunLine> = self
                    .pics
                    .iter()
                    .enumerate()
                    .filter_map(|(i, p)| p.map(|p| run_line(i, p.policies, &self.titles)))
                    .collect();
                let labels = self
                    .runs
                    .first()
                    .map_or(&[][..], |r| &r.results.matrix.labels[..]);
                charts::draw_simplex_runs(area, s, theme, labels, &paths, self.axes.t_max)
                    .map(|_| ())
            }
        }
    }
}

/// The small multiples of a comparison on `root`, fonts and strokes times `scale`: a π_t
/// panel per run on shared axes, titled with the run's title and verdict in its colour;
/// below, H(π_t) of every run, and beside it every trajectory on one simplex when every
/// run has K = 3 (a run that cannot run has an empty panel and no lines).
pub fn draw<DB: DrawingBackend>(
    config: &Config,
    runs: &[RunOutput],
    root: &DrawingArea<DB, Shift>,
    scale: f64,
    theme: &Theme,
) -> Result<(), String> {
    let e = |e: DrawingAreaErrorKind<DB::ErrorType>| format!("{e:?}");
    root.fill(&theme.bg).map_err(e)?;
    with_multiples(config, runs, (scale, theme), |m| {
        for (piece, (x, y, w, h)) in m.layout(root.dim_in_pixel()) {
            let area = root.clone().shrink((x, y), (w.max(1), h.max(1)));
            m.draw(piece, &area)?;
        }
        Ok::<(), String>(())
    })?;
    root.present().map_err(e)
}

/// The small multiples as an SVG document of `w × h`: each piece drawn as plotters draws it
/// for `--svg`, nested at its place (plotters closes an SVG when a chart is presented).
pub fn svg_text(
    config: &Config,
    runs: &[RunOutput],
    (w, h): (u32, u32),
    theme: &Theme,
) -> Result<String, String> {
    let bg = theme.bg;
    let mut s = format!(
        "<svg width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\" xmlns=\"http://www.w3.org/2000/svg\">\n<rect width=\"{w}\" height=\"{h}\" fill=\"#{:02x}{:02x}{:02x}\"/>\n",
        bg.0, bg.1, bg.2
    );
    with_multiples(config, runs, (1.0, theme), |m| {
        for (piece, (x, y, pw, ph)) in m.layout((w, h)) {
            let mut buf = String::new();
            {
                let area =
                    SVGBackend::with_string(&mut buf, (pw.max(1), ph.max(1))).into_drawing_area();
                m.draw(piece, &area)?;
                area.present().map_err(|e| format!("{e:?}"))?;
            }
            s.push_str(&buf.replacen("<svg ", &format!("<svg x=\"{x}\" y=\"{y}\" "), 1));
        }
        Ok::<(), String>(())
    })?;
    s.push_str("</svg>\n");
    Ok(s)
}

/// `--png` of a comparison: the small multiples, `w × h` pixels, fonts times `scale`.
pub fn png(
    config: &Config,
    runs: &[RunOutput],
    path: &Path,
    (w, h): (u32, u32),
    (scale, theme): (f64, &Theme),
) -> Result<(), String> {
    register_font();
    let root = BitMapBackend::new(path, (w, h)).into_drawing_area();
    draw(config, runs, &root, scale, theme)
        .map_err(|e| format!("error: PNG {}: {e}", path.display()))
}

/// `--svg` of a comparison: the small multiples, `w × h` pixels.
pub fn svg(
    config: &Config,
    runs: &[RunOutput],
    path: &Path,
    size: (u32, u32),
    theme: &Theme,
) -> Result<(), String> {
    register_font();
    let text = svg_text(config, runs, size, theme)
        .map_err(|e| format!("error: SVG {}: {e}", path.display()))?;
    std::fs::write(path, text).map_err(|e| format!("error: cannot write {}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn panels_go_in_one_row_when_they_fit_else_two_a_row() {
        assert_eq!(grid(3, 900.0, 1.0), (3, 1));
        assert_eq!(grid(4, 900.0, 1.0), (4, 1));
        assert_eq!(grid(4, 800.0, 1.0), (2, 2));
        assert_eq!(grid(3, 600.0, 1.0), (2, 2));
        assert_eq!(grid(2, 400.0, 1.0), (1, 2));
        assert_eq!(grid(4, 1800.0, 2.0), (4, 1));
        assert_eq!(grid(4, 1600.0, 2.0), (2, 2));
    }

    #[test]
    fn long_verdicts_are_cut_to_their_lines() {
        let v = "converging: the step shrinks by a factor 0.93 per round, about 40 more rounds to reach 10⁻⁶; concentrated on A (93 %)";
        let l = lines(v, 200.0, 11.0, 2);
        assert_eq!(l.len(), 2);
        assert!(l[1].ends_with('…'), "{l:?}");
        assert!(l.iter().all(|s| text_width(s, 11.0) <= 200.0), "{l:?}");
        assert_eq!(lines("oscillating", 200.0, 11.0, 2), ["oscillating"]);
    }
}
