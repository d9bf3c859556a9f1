//! The charts of prefdyn, shared by the page (canvas) and the CLI (PNG, SVG): one look
//! everywhere. A crate of their own so that the engine stays free of drawing code.
//! Every function draws on any plotters backend; `scale` multiplies font sizes and strokes
//! (the device pixel ratio on the page, 1 in files). The charts over rounds (π_t and the
//! entropy) are drawn on a [`Paint`] as well, which the page implements on its canvas
//! without plotters.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use prefdyn::import::{short_labels, MIN_SHORT_LABEL};

use prefdyn::preference::PreferenceMatrix;

mod oneshot;
mod paint;
mod phase;
mod rounds;
mod simplex;
mod text;
mod ticks;
pub use oneshot::{draw_one_shot, label_stride, value_label_bars, MAX_VALUE_LABELS};
pub use paint::{
    dashes, Align, Baseline, Drawn, Font, Paint, PlottersPaint, Recording, Rgba, Stroke,
};
pub use phase::{
    draw_phase, draw_phase_frame, draw_phase_overlays, legend_layout, phase_cell_rgba, LegendItem,
    PhaseLayout, PhasePicture,
};
pub use rounds::{
    draw_entropies, draw_entropy, draw_policy, draw_policy_on, drawn_paths, end_labels,
    paint_entropies, paint_entropy, paint_policy, paint_policy_on, spread_labels, EndLabel,
    RoundsLayout, RunLine, RunPicture, SamplePaths, SharedAxes, MAX_DRAWN_PATHS, MAX_END_LABELS,
};
pub use simplex::{
    draw_portrait, draw_simplex, draw_simplex_runs, speed_colour, start_colour, SimplexLayout,
};
pub use text::{text_width, wrap};
pub use ticks::{nice_step, nice_ticks, tick_label, ColourScale};

/// Chart colours; the page reads them from its CSS variables (dark mode follows the page).
#[derive(Clone, Debug)]
pub struct Theme {
    pub fg: RGBColor,
    pub bg: RGBColor,
    pub grid: RGBColor,
    pub accent: RGBColor,
    /// Secondary text (notes such as "+56 more").
    pub muted: RGBColor,
    /// What the reader is pointed at (the guided tour's panel); the page's link colour.
    pub highlight: RGBColor,
}

impl Default for Theme {
    fn default() -> Self {
        Theme {
            fg: RGBColor(30, 30, 30),
            bg: RGBColor(255, 255, 255),
            grid: RGBColor(220, 220, 220),
            accent: RGBColor(200, 30, 30),
            muted: RGBColor(95, 99, 104),
            highlight: RGBColor(21, 101, 192),
        }
    }
}

/// One colour per run of a comparison (the base first; Okabe–Ito, apart from the
/// responses' first colours in hue and lightness).
pub fn run_colour(i: usize) -> RGBColor {
    const C: [(u8, u8, u8); 4] = [
        (128, 128, 128),
        (213, 94, 0),
        (0, 114, 178),
        (204, 121, 167),
    ];
    let (r, g, b) = C[i % 4];
    RGBColor(r, g, b)
}

/// One colour per response (Tableau 10, cycled).
pub fn series_colour(i: usize) -> RGBColor {
    const C: [(u8, u8, u8); 10] = [
        (31, 119, 180),
        (255, 127, 14),
        (44, 160, 44),
        (214, 39, 40),
        (148, 103, 189),
        (140, 86, 75),
        (227, 119, 194),
        (127, 127, 127),
        (188, 189, 34),
        (23, 190, 207),
    ];
    let (r, g, b) = C[i % 10];
    RGBColor(r, g, b)
}

/// Parses `#rrggbb` or `rgb(r, g, b)`.
pub fn parse_rgb(s: &str) -> Option<RGBColor> {
    let s = s.trim();
    if let Some(hex) = s.strip_prefix('#') {
        if hex.len() == 6 {
            let v = u32::from_str_radix(hex, 16).ok()?;
            return Some(RGBColor((v >> 16) as u8, (v >> 8) as u8, v as u8));
        }
    }
    let inner = s.strip_prefix("rgb(").or_else(|| s.strip_prefix("rgba("))?;
    let parts: Vec<u8> = inner
        .trim_end_matches(')')
        .split(',')
        .take(3)
        .filter_map(|p| p.trim().parse::<f64>().ok().map(|v| v as u8))
        .collect();
    (parts.len() == 3).then(|| RGBColor(parts[0], parts[1], parts[2]))
}

/// A drawing error as text (the backends' error types differ).
pub type DrawResult<T = ()> = Result<T, String>;

fn err<E: std::fmt::Debug>(e: E) -> String {
    format!("{e:?}")
}

fn px(scale: f64, css: f64) -> u32 {
    (css * scale).round().max(1.0) as u32
}

/// Blue–white–red for P in [0, 1] (white at 1/2).
pub fn diverging(v: f64) -> RGBColor {
    let v = v.clamp(0.0, 1.0);
    let (lo, hi) = ((59.0, 76.0, 192.0), (180.0, 4.0, 38.0));
    let mid = (242.0, 242.0, 242.0);
    let (a, b, t) = if v < 0.5 {
        (lo, mid, v / 0.5)
    } else {
        (mid, hi, (v - 0.5) / 0.5)
    };
    let lerp = |x: f64, y: f64| (x + (y - x) * t).round() as u8;
    RGBColor(lerp(a.0, b.0), lerp(a.1, b.1), lerp(a.2, b.2))
}

/// Geometry of the P heatmap, for hit-testing clicks.
#[derive(Clone, Copy, Debug, Default)]
pub struct HeatmapLayout {
    pub left: f64,
    pub top: f64,
    pub cell: f64,
    pub k: usize,
}

impl HeatmapLayout {
    /// Cell under a CSS-pixel position.
    pub fn hit(&self, x: f64, y: f64) -> Option<(usize, usize)> {
        if self.cell <= 0.0 {
            return None;
        }
        let j = ((x - self.left) / self.cell).floor();
        let i = ((y - self.top) / self.cell).floor();
        (i >= 0.0 && j >= 0.0 && (i as usize) < self.k && (j as usize) < self.k)
            .then_some((i as usize, j as usize))
    }
}

/// P as a labelled heatmap with values (values hidden when cells are too small).
pub fn draw_matrix<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    scale: f64,
    theme: &Theme,
    p: &PreferenceMatrix,
    selected: Option<(usize, usize)>,
) -> DrawResult<HeatmapLayout> {
    root.fill(&theme.bg).map_err(err)?;
    let k = p.k();
    let (w, h) = root.dim_in_pixel();
    let label_w = px(scale, if k > 12 { 40.0 } else { 70.0 }) as f64;
    let label_h = px(scale, 22.0) as f64;
    let cell = ((w as f64 - label_w - 4.0) / k as f64)
        .min((h as f64 - label_h - 4.0) / k as f64)
        .max(1.0);
    let (left, top) = (label_w, label_h);
    let font_px = (cell * 0.27).min(px(scale, 13.0) as f64).max(1.0) as u32;
    let font = ("sans-serif", font_px).into_font();
    let lab_font = ("sans-serif", px(scale, 11.0)).into_font().color(&theme.fg);
    let labels = short_labels(p.labels(), if k > 12 { MIN_SHORT_LABEL } else { 9 });
    for i in 0..k {
        let y0 = top + i as f64 * cell;
        root.draw(&Text::new(
            labels[i].clone(),
            (2, (y0 + cell / 2.0 - font_px as f64 / 2.0) as i32),
            lab_font.clone(),
        ))
        .map_err(err)?;
        let x0 = left + i as f64 * cell;
        root.draw(&Text::new(
            labels[i].clone(),
            ((x0 + 2.0) as i32, 2),
            lab_font.clone(),
        ))
        .map_err(err)?;
        for j in 0..k {
            let v = p.get(i, j);
            let x = left + j as f64 * cell;
            let rect = [
                (x as i32, y0 as i32),
                ((x + cell) as i32 - 1, (y0 + cell) as i32 - 1),
            ];
            root.draw(&Rectangle::new(rect, diverging(v).filled()))
                .map_err(err)?;
            if selected == Some((i, j)) {
                root.draw(&Rectangle::new(rect, theme.fg.stroke_width(px(scale, 2.0))))
                    .map_err(err)?;
            }
            if cell >= px(scale, 26.0) as f64 {
                let colour = if (v - 0.5).abs() > 0.3 { WHITE } else { BLACK };
                root.draw(&Text::new(
                    prefdyn::text::sig(v),
                    ((x + cell / 2.0) as i32, (y0 + cell / 2.0) as i32),
                    font.clone()
                        .color(&colour)
                        .pos(Pos::new(HPos::Center, VPos::Center)),
                ))
                .map_err(err)?;
            }
        }
    }
    root.present().map_err(err)?;
    Ok(HeatmapLayout { left, top, cell, k })
}

/// Viridis-like sequential colour map on [0, 1].
pub fn sequential(t: f64) -> RGBColor {
    const STOPS: [(f64, f64, f64); 5] = [
        (68.0, 1.0, 84.0),
        (59.0, 82.0, 139.0),
        (33.0, 145.0, 140.0),
        (94.0, 201.0, 98.0),
        (253.0, 231.0, 37.0),
    ];
    let t = if t.is_finite() {
        t.clamp(0.0, 1.0)
    } else {
        0.0
    };
    let x = t * (STOPS.len() - 1) as f64;
    let i = (x.floor() as usize).min(STOPS.len() - 2);
    let f = x - i as f64;
    let (a, b) = (STOPS[i], STOPS[i + 1]);
    let l = |u: f64, v: f64| (u + (v - u) * f).round() as u8;
    RGBColor(l(a.0, b.0), l(a.1, b.1), l(a.2, b.2))
}
