//! The charts of prefdyn, shared by the page (canvas) and the CLI (PNG, SVG): one look
//! everywhere. A crate of their own so that the engine stays free of drawing code.
//! Every function draws on any plotters backend; `scale` multiplies font sizes and strokes
//! (the device pixel ratio on the page, 1 in files).

use plotters::coord::types::RangedCoordf64;
use plotters::coord::Shift;
use plotters::prelude::*;
use prefdyn::import::{short_labels, MIN_SHORT_LABEL};

use prefdyn::preference::PreferenceMatrix;

mod phase;
mod simplex;
mod ticks;
pub use phase::{
    draw_phase, draw_phase_frame, draw_phase_overlays, phase_cell_rgba, PhaseLayout, PhasePicture,
};
pub use simplex::{draw_portrait, draw_simplex, speed_colour, start_colour, SimplexLayout};
pub use ticks::{nice_step, nice_ticks, tick_label, ColourScale};

/// Chart colours; the page reads them from its CSS variables (dark mode follows the page).
#[derive(Clone, Debug)]
pub struct Theme {
    pub fg: RGBColor,
    pub bg: RGBColor,
    pub grid: RGBColor,
    pub accent: RGBColor,
}

impl Default for Theme {
    fn default() -> Self {
        Theme {
            fg: RGBColor(30, 30, 30),
            bg: RGBColor(255, 255, 255),
            grid: RGBColor(220, 220, 220),
            accent: RGBColor(200, 30, 30),
        }
    }
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

/// As many y tick labels as fit one per 28 CSS pixels of height (between 3 and 10).
fn y_label_count<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, scale: f64) -> usize {
    let h = root.dim_in_pixel().1 as f64 / scale.max(1e-9);
    ((h / 28.0) as usize).clamp(3, 10)
}

/// Whole-number tick labels (rounds).
fn round_label(v: &f64) -> String {
    format!("{}", v.round() as i64)
}

/// Axes and grid for a quantity over rounds `0..=t_max` with values in `[0, y_max]`.
fn rounds_chart<'a, DB: DrawingBackend>(
    root: &'a DrawingArea<DB, Shift>,
    scale: f64,
    theme: &Theme,
    t_max: usize,
    y_max: f64,
    y_desc: &str,
) -> DrawResult<ChartContext<'a, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>> {
    let mut chart = ChartBuilder::on(root)
        .margin(px(scale, 8.0))
        .x_label_area_size(px(scale, 34.0))
        .y_label_area_size(px(scale, 44.0))
        .build_cartesian_2d(0f64..t_max as f64, 0f64..y_max)
        .map_err(err)?;
    let font = ("sans-serif", px(scale, 12.0)).into_font().color(&theme.fg);
    chart
        .configure_mesh()
        .x_desc("round t")
        .x_label_formatter(&round_label)
        .y_desc(y_desc)
        .y_labels(y_label_count(root, scale))
        .axis_desc_style(font.clone())
        .label_style(font)
        .light_line_style(theme.grid.mix(0.5))
        .bold_line_style(theme.grid)
        .axis_style(theme.fg)
        .draw()
        .map_err(err)?;
    Ok(chart)
}

/// A run as the dynamics charts show it.
#[derive(Clone, Copy, Debug)]
pub struct RunPicture<'a> {
    pub k: usize,
    /// π₀..π_T, row-major `(T+1) × K`.
    pub policies: &'a [f64],
    /// Rounds shown (the play cursor).
    pub upto: usize,
    pub labels: &'a [String],
    pub fixed_point: Option<&'a [f64]>,
    /// Finite-sample realisations around the run.
    pub samples: Option<SamplePaths<'a>>,
}

/// Finite-sample realisations drawn around a run: each one faintly, their mean dashed.
#[derive(Clone, Copy, Debug)]
pub struct SamplePaths<'a> {
    /// Each realisation's `π_0..π_t`, row-major, K per row (shorter when a DPO round
    /// stopped it).
    pub paths: &'a [&'a [f64]],
    /// The mean path `π̄_t`.
    pub mean: &'a [f64],
}

/// Realisations drawn at most (the first ones; every one is in the numbers).
pub const MAX_DRAWN_PATHS: usize = 64;

/// The realisations' paths to draw, at most [`MAX_DRAWN_PATHS`].
pub fn drawn_paths(outcome: &prefdyn::finite::FiniteOutcome) -> Vec<&[f64]> {
    outcome
        .realisations
        .iter()
        .take(MAX_DRAWN_PATHS)
        .map(|r| r.trajectory.policies.as_slice())
        .collect()
}

impl SamplePaths<'_> {
    /// The largest probability on any path.
    fn max(&self) -> f64 {
        self.paths
            .iter()
            .flat_map(|p| p.iter())
            .chain(self.mean)
            .copied()
            .fold(0.0, f64::max)
    }
}

/// Response `i` of a row-major path as chart points, rounds `0..=upto` that exist.
fn path_points(path: &[f64], k: usize, i: usize, upto: usize) -> Vec<(f64, f64)> {
    path.chunks_exact(k)
        .take(upto + 1)
        .enumerate()
        .map(|(t, row)| (t as f64, row[i]))
        .collect()
}

/// The realisations faintly, then their mean path dashed.
fn draw_samples<DB: DrawingBackend>(
    chart: &mut ChartContext<DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>,
    scale: f64,
    k: usize,
    upto: usize,
    samples: &SamplePaths,
) -> DrawResult {
    for path in samples.paths {
        for i in 0..k {
            chart
                .draw_series(LineSeries::new(
                    path_points(path, k, i, upto),
                    series_colour(i).mix(0.22).stroke_width(px(scale, 1.0)),
                ))
                .map_err(err)?;
        }
    }
    for i in 0..k {
        chart
            .draw_series(DashedLineSeries::new(
                path_points(samples.mean, k, i, upto),
                px(scale, 6.0),
                px(scale, 4.0),
                series_colour(i).stroke_width(px(scale, 3.0)),
            ))
            .map_err(err)?;
    }
    Ok(())
}

/// π_t(i) over rounds 0..=upto, one line per response, with the fixed point dashed.
pub fn draw_policy<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    scale: f64,
    theme: &Theme,
    run: &RunPicture,
) -> DrawResult {
    let RunPicture {
        k,
        policies,
        upto,
        labels,
        fixed_point,
        samples,
    } = *run;
    root.fill(&theme.bg).map_err(err)?;
    let t_max = (policies.len() / k).saturating_sub(1).max(1);
    let y_max = policies
        .iter()
        .copied()
        .chain(samples.map(|s| s.max()))
        .fold(0.0, f64::max)
        .max(1e-3)
        * 1.05;
    let y_max = y_max.min(1.0);
    let mut chart = rounds_chart(root, scale, theme, t_max, y_max, "π_t(i)")?;
    let font = ("sans-serif", px(scale, 12.0)).into_font().color(&theme.fg);
    let stroke = px(scale, 2.0);
    if let Some(samples) = &samples {
        draw_samples(&mut chart, scale, k, upto, samples)?;
    }
    let visible = short_labels(labels, 16);
    for i in 0..k {
        let c = series_colour(i);
        let pts = (0..=upto.min(t_max)).map(|t| (t as f64, policies[t * k + i]));
        let label = visible.get(i).cloned().unwrap_or_default();
        chart
            .draw_series(LineSeries::new(pts, c.stroke_width(stroke)))
            .map_err(err)?
            .label(label)
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], c.stroke_width(3)));
        if let Some(fp) = fixed_point {
            let v = fp[i];
            let dash = (0..t_max).step_by((t_max / 40).max(1)).map(move |t| {
                PathElement::new(
                    vec![
                        (t as f64, v),
                        ((t as f64 + t_max as f64 / 80.0).min(t_max as f64), v),
                    ],
                    c.mix(0.6).stroke_width(1),
                )
            });
            chart.draw_series(dash).map_err(err)?;
        }
    }
    chart
        .configure_series_labels()
        .label_font(font)
        .background_style(theme.bg.mix(0.85))
        .border_style(theme.grid)
        .position(SeriesLabelPosition::UpperRight)
        .draw()
        .map_err(err)?;
    root.present().map_err(err)
}

/// H(π_t) over rounds with log K as a reference line.
pub fn draw_entropy<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    scale: f64,
    theme: &Theme,
    entropies: &[f64],
    upto: usize,
    k: usize,
) -> DrawResult {
    root.fill(&theme.bg).map_err(err)?;
    let t_max = entropies.len().saturating_sub(1).max(1);
    let h_max = (k as f64).ln() * 1.05;
    let mut chart = rounds_chart(root, scale, theme, t_max, h_max, "H(π_t) [nats]")?;
    let lk = (k as f64).ln();
    chart
        .draw_series(LineSeries::new(
            vec![(0.0, lk), (t_max as f64, lk)],
            theme.grid.stroke_width(px(scale, 1.0)),
        ))
        .map_err(err)?;
    let pts = (0..=upto.min(t_max)).map(|t| (t as f64, entropies[t]));
    chart
        .draw_series(LineSeries::new(
            pts,
            theme.accent.stroke_width(px(scale, 2.0)),
        ))
        .map_err(err)?;
    root.present().map_err(err)
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
    let font_px = (cell * 0.3).min(px(scale, 13.0) as f64).max(1.0) as u32;
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
                let txt = format!("{v:.2}");
                let colour = if (v - 0.5).abs() > 0.3 { WHITE } else { BLACK };
                root.draw(&Text::new(
                    txt,
                    (
                        (x + cell * 0.2) as i32,
                        (y0 + cell / 2.0 - font_px as f64 / 2.0) as i32,
                    ),
                    font.clone().color(&colour),
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

/// One-shot optima side by side: one bar panel per strategy, all on the same [0, max] scale,
/// one colour per response.
pub fn draw_one_shot<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    scale: f64,
    theme: &Theme,
    panels: &[(String, Vec<f64>)],
    labels: &[String],
) -> DrawResult {
    root.fill(&theme.bg).map_err(err)?;
    if panels.is_empty() {
        return root.present().map_err(err);
    }
    let y_max = panels
        .iter()
        .flat_map(|(_, p)| p.iter().copied())
        .fold(0.0, f64::max)
        .clamp(1e-3, 1.0)
        * 1.08;
    let font = ("sans-serif", px(scale, 11.0)).into_font().color(&theme.fg);
    let areas = root.split_evenly((1, panels.len()));
    for (idx, (area, (title, policy))) in areas.iter().zip(panels).enumerate() {
        let k = policy.len();
        let mut chart = ChartBuilder::on(area)
            .margin(px(scale, 4.0))
            .caption(title, font.clone())
            .x_label_area_size(px(scale, if k <= 10 { 20.0 } else { 6.0 }))
            .y_label_area_size(px(scale, if idx == 0 { 40.0 } else { 8.0 }))
            .build_cartesian_2d(0f64..k as f64, 0f64..y_max)
            .map_err(err)?;
        let short = short_labels(labels, MIN_SHORT_LABEL);
        let fmt_x = move |v: &f64| -> String {
            let i = v.floor() as usize;
            if (v - v.floor() - 0.5).abs() < 1e-9 {
                short.get(i).cloned().unwrap_or_default()
            } else {
                String::new()
            }
        };
        let mut mesh = chart.configure_mesh();
        mesh.disable_x_mesh()
            .x_labels(k.min(10) * 2 + 1)
            .x_label_formatter(&fmt_x)
            .label_style(font.clone())
            .light_line_style(theme.grid.mix(0.4))
            .bold_line_style(theme.grid)
            .axis_style(theme.fg);
        if idx > 0 {
            mesh.y_labels(0);
        }
        mesh.draw().map_err(err)?;
        chart
            .draw_series(policy.iter().enumerate().map(|(i, &v)| {
                Rectangle::new(
                    [(i as f64 + 0.12, 0.0), (i as f64 + 0.88, v)],
                    series_colour(i).filled(),
                )
            }))
            .map_err(err)?;
    }
    root.present().map_err(err)
}
