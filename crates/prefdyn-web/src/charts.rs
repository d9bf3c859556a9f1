//! Charts drawn with plotters on canvases sized for the device pixel ratio.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters_canvas::CanvasBackend;
use prefdyn::PreferenceMatrix;
use wasm_bindgen::JsCast;
use web_sys::HtmlCanvasElement;

/// Colours read from the page's CSS variables (so dark mode follows the page).
#[derive(Clone, Debug)]
pub struct Theme {
    pub fg: RGBColor,
    pub bg: RGBColor,
    pub grid: RGBColor,
    pub accent: RGBColor,
}

/// One colour per response (Tableau 10, then cycled with lighter shades).
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

fn parse_rgb(s: &str) -> Option<RGBColor> {
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

impl Theme {
    pub fn from_page() -> Theme {
        let mut t = Theme {
            fg: RGBColor(30, 30, 30),
            bg: RGBColor(255, 255, 255),
            grid: RGBColor(220, 220, 220),
            accent: RGBColor(200, 30, 30),
        };
        let Some(win) = web_sys::window() else { return t };
        let Some(el) = win.document().and_then(|d| d.document_element()) else { return t };
        if let Ok(Some(style)) = win.get_computed_style(&el) {
            let get = |name: &str| style.get_property_value(name).ok().and_then(|v| parse_rgb(&v));
            if let Some(c) = get("--fg") {
                t.fg = c;
            }
            if let Some(c) = get("--bg") {
                t.bg = c;
            }
            if let Some(c) = get("--grid") {
                t.grid = c;
            }
            if let Some(c) = get("--accent") {
                t.accent = c;
            }
        }
        t
    }
}

/// A canvas prepared for drawing: backing store = CSS size × devicePixelRatio.
pub struct Surface {
    pub canvas: HtmlCanvasElement,
    pub dpr: f64,
}

impl Surface {
    pub fn new(id: &str) -> Option<Surface> {
        let win = web_sys::window()?;
        let canvas: HtmlCanvasElement = win.document()?.get_element_by_id(id)?.dyn_into().ok()?;
        let dpr = win.device_pixel_ratio().max(1.0);
        let rect = canvas.get_bounding_client_rect();
        let (w, h) = (rect.width().max(50.0), rect.height().max(50.0));
        let (bw, bh) = ((w * dpr).round() as u32, (h * dpr).round() as u32);
        if canvas.width() != bw {
            canvas.set_width(bw);
        }
        if canvas.height() != bh {
            canvas.set_height(bh);
        }
        Some(Surface { canvas, dpr })
    }

    /// Font size in backing-store pixels.
    pub fn px(&self, css: f64) -> u32 {
        (css * self.dpr).round() as u32
    }

    pub fn root(&self) -> Option<DrawingArea<CanvasBackend, Shift>> {
        CanvasBackend::with_canvas_object(self.canvas.clone()).map(|b| b.into_drawing_area())
    }
}

type DrawResult = Result<(), String>;

fn err<E: std::fmt::Debug>(e: E) -> String {
    format!("{e:?}")
}

/// π_t(i) over rounds 0..=upto, one line per response, with the fixed point dashed.
pub fn draw_policy(
    id: &str,
    theme: &Theme,
    policies: &[f64],
    k: usize,
    upto: usize,
    labels: &[String],
    fixed_point: Option<&[f64]>,
) -> DrawResult {
    let Some(s) = Surface::new(id) else { return Ok(()) };
    let Some(root) = s.root() else { return Ok(()) };
    root.fill(&theme.bg).map_err(err)?;
    let t_max = (policies.len() / k).saturating_sub(1).max(1);
    let y_max = policies.iter().copied().fold(0.0, f64::max).max(1e-3) * 1.05;
    let y_max = y_max.min(1.0);
    let mut chart = ChartBuilder::on(&root)
        .margin(s.px(8.0))
        .x_label_area_size(s.px(34.0))
        .y_label_area_size(s.px(44.0))
        .build_cartesian_2d(0f64..t_max as f64, 0f64..y_max)
        .map_err(err)?;
    let font = ("sans-serif", s.px(12.0)).into_font().color(&theme.fg);
    chart
        .configure_mesh()
        .x_desc("round t")
        .y_desc("π_t(i)")
        .axis_desc_style(font.clone())
        .label_style(font.clone())
        .light_line_style(theme.grid.mix(0.5))
        .bold_line_style(theme.grid)
        .axis_style(theme.fg)
        .draw()
        .map_err(err)?;
    let stroke = s.px(2.0);
    for i in 0..k {
        let c = series_colour(i);
        let pts = (0..=upto.min(t_max)).map(|t| (t as f64, policies[t * k + i]));
        let label = labels.get(i).cloned().unwrap_or_default();
        chart
            .draw_series(LineSeries::new(pts, c.stroke_width(stroke)))
            .map_err(err)?
            .label(label)
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], c.stroke_width(3)));
        if let Some(fp) = fixed_point {
            let v = fp[i];
            let dash = (0..t_max).step_by((t_max / 40).max(1)).map(move |t| {
                PathElement::new(
                    vec![(t as f64, v), ((t as f64 + t_max as f64 / 80.0).min(t_max as f64), v)],
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
pub fn draw_entropy(id: &str, theme: &Theme, entropies: &[f64], upto: usize, k: usize) -> DrawResult {
    let Some(s) = Surface::new(id) else { return Ok(()) };
    let Some(root) = s.root() else { return Ok(()) };
    root.fill(&theme.bg).map_err(err)?;
    let t_max = entropies.len().saturating_sub(1).max(1);
    let h_max = (k as f64).ln() * 1.05;
    let mut chart = ChartBuilder::on(&root)
        .margin(s.px(8.0))
        .x_label_area_size(s.px(34.0))
        .y_label_area_size(s.px(44.0))
        .build_cartesian_2d(0f64..t_max as f64, 0f64..h_max)
        .map_err(err)?;
    let font = ("sans-serif", s.px(12.0)).into_font().color(&theme.fg);
    chart
        .configure_mesh()
        .x_desc("round t")
        .y_desc("H(π_t) [nats]")
        .axis_desc_style(font.clone())
        .label_style(font)
        .light_line_style(theme.grid.mix(0.5))
        .bold_line_style(theme.grid)
        .axis_style(theme.fg)
        .draw()
        .map_err(err)?;
    let lk = (k as f64).ln();
    chart
        .draw_series(LineSeries::new(vec![(0.0, lk), (t_max as f64, lk)], theme.grid.stroke_width(s.px(1.0))))
        .map_err(err)?;
    let pts = (0..=upto.min(t_max)).map(|t| (t as f64, entropies[t]));
    chart
        .draw_series(LineSeries::new(pts, theme.accent.stroke_width(s.px(2.0))))
        .map_err(err)?;
    root.present().map_err(err)
}

/// Ternary plot for K = 3: vertices are the responses, the path is π_0..π_upto,
/// the fixed point a ring.
pub fn draw_simplex(
    id: &str,
    theme: &Theme,
    policies: &[f64],
    upto: usize,
    labels: &[String],
    fixed_point: Option<&[f64]>,
) -> DrawResult {
    let Some(s) = Surface::new(id) else { return Ok(()) };
    let Some(root) = s.root() else { return Ok(()) };
    root.fill(&theme.bg).map_err(err)?;
    let (w, h) = root.dim_in_pixel();
    let (w, h) = (w as f64, h as f64);
    let pad = s.px(26.0) as f64;
    let side = (w - 2.0 * pad).min((h - 2.0 * pad) * 2.0 / 3f64.sqrt());
    let cx = w / 2.0;
    let top = (h - side * 3f64.sqrt() / 2.0) / 2.0;
    let verts = [
        (cx, top),
        (cx - side / 2.0, top + side * 3f64.sqrt() / 2.0),
        (cx + side / 2.0, top + side * 3f64.sqrt() / 2.0),
    ];
    let map = |p: &[f64]| -> (i32, i32) {
        let x = p[0] * verts[0].0 + p[1] * verts[1].0 + p[2] * verts[2].0;
        let y = p[0] * verts[0].1 + p[1] * verts[1].1 + p[2] * verts[2].1;
        (x.round() as i32, y.round() as i32)
    };
    let tri: Vec<(i32, i32)> = verts.iter().map(|&(x, y)| (x as i32, y as i32)).collect();
    let mut closed = tri.clone();
    closed.push(tri[0]);
    root.draw(&PathElement::new(closed, theme.fg.stroke_width(s.px(1.0)))).map_err(err)?;
    let font = ("sans-serif", s.px(12.0)).into_font().color(&theme.fg);
    for (i, &(x, y)) in tri.iter().enumerate() {
        let dy = if i == 0 { -(s.px(16.0) as i32) } else { s.px(4.0) as i32 };
        let label = labels.get(i).cloned().unwrap_or_default();
        root.draw(&Text::new(label, (x - s.px(4.0) as i32, y + dy), font.clone()))
            .map_err(err)?;
    }
    let n = policies.len() / 3;
    let last = upto.min(n.saturating_sub(1));
    let path: Vec<(i32, i32)> = (0..=last).map(|t| map(&policies[t * 3..t * 3 + 3])).collect();
    root.draw(&PathElement::new(path.clone(), theme.accent.stroke_width(s.px(1.5))))
        .map_err(err)?;
    if let Some(&p0) = path.first() {
        root.draw(&Circle::new(p0, s.px(3.0), theme.fg.filled())).map_err(err)?;
    }
    if let Some(&pt) = path.last() {
        root.draw(&Circle::new(pt, s.px(4.0), theme.accent.filled())).map_err(err)?;
    }
    if let Some(fp) = fixed_point {
        root.draw(&Circle::new(map(fp), s.px(6.0), theme.fg.stroke_width(s.px(2.0))))
            .map_err(err)?;
    }
    root.present().map_err(err)
}

/// Blue–white–red for P in [0, 1] (white at 1/2).
pub fn diverging(v: f64) -> RGBColor {
    let v = v.clamp(0.0, 1.0);
    let (lo, hi) = ((59.0, 76.0, 192.0), (180.0, 4.0, 38.0));
    let mid = (242.0, 242.0, 242.0);
    let (a, b, t) = if v < 0.5 { (lo, mid, v / 0.5) } else { (mid, hi, (v - 0.5) / 0.5) };
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
pub fn draw_matrix(id: &str, theme: &Theme, p: &PreferenceMatrix, selected: Option<(usize, usize)>) -> Result<HeatmapLayout, String> {
    let Some(s) = Surface::new(id) else { return Ok(HeatmapLayout::default()) };
    let Some(root) = s.root() else { return Ok(HeatmapLayout::default()) };
    root.fill(&theme.bg).map_err(err)?;
    let k = p.k();
    let (w, h) = root.dim_in_pixel();
    let label_w = s.px(if k > 12 { 40.0 } else { 70.0 }) as f64;
    let label_h = s.px(22.0) as f64;
    let cell = ((w as f64 - label_w - 4.0) / k as f64).min((h as f64 - label_h - 4.0) / k as f64).max(1.0);
    let (left, top) = (label_w, label_h);
    let font_px = (cell * 0.3).min(s.px(13.0) as f64).max(1.0) as u32;
    let font = ("sans-serif", font_px).into_font();
    let lab_font = ("sans-serif", s.px(11.0)).into_font().color(&theme.fg);
    let labels = p.labels();
    let short = |l: &str| -> String { l.chars().take(if k > 12 { 4 } else { 9 }).collect() };
    for i in 0..k {
        let y0 = top + i as f64 * cell;
        root.draw(&Text::new(short(&labels[i]), (2, (y0 + cell / 2.0 - font_px as f64 / 2.0) as i32), lab_font.clone()))
            .map_err(err)?;
        let x0 = left + i as f64 * cell;
        root.draw(&Text::new(short(&labels[i]), ((x0 + 2.0) as i32, 2), lab_font.clone()))
            .map_err(err)?;
        for j in 0..k {
            let v = p.get(i, j);
            let x = left + j as f64 * cell;
            let rect = [(x as i32, y0 as i32), ((x + cell) as i32 - 1, (y0 + cell) as i32 - 1)];
            root.draw(&Rectangle::new(rect, diverging(v).filled())).map_err(err)?;
            if selected == Some((i, j)) {
                root.draw(&Rectangle::new(rect, theme.fg.stroke_width(s.px(2.0)))).map_err(err)?;
            }
            if cell >= s.px(26.0) as f64 {
                let txt = format!("{v:.2}");
                let colour = if (v - 0.5).abs() > 0.3 { WHITE } else { BLACK };
                root.draw(&Text::new(
                    txt,
                    ((x + cell * 0.2) as i32, (y0 + cell / 2.0 - font_px as f64 / 2.0) as i32),
                    font.clone().color(&colour),
                ))
                .map_err(err)?;
            }
        }
    }
    root.present().map_err(err)?;
    Ok(HeatmapLayout { left: left / s.dpr, top: top / s.dpr, cell: cell / s.dpr, k })
}
