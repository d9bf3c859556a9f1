//! Canvas surfaces for the charts (`prefdyn_charts`), sized for high-DPI screens, and the
//! page's theme. Knows nothing of the app. The charts over rounds (π_t, the entropy) are
//! drawn through [`CanvasPaint`] on the 2d context itself, without plotters, so that the
//! light module (which draws the π_t chart) links no plotters code; the other charts go
//! through plotters' canvas backend.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters_canvas::CanvasBackend;
use prefdyn::PreferenceMatrix;
pub use prefdyn_charts::{
    diverging, parse_rgb, series_colour, HeatmapLayout, RoundsLayout, RunPicture, SamplePaths,
    Theme,
};
use prefdyn_charts::{Align, Baseline, Font, Paint, Rgba, Stroke};
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement};

/// The chart theme from the page's CSS variables `--fg`, `--bg`, `--grid`, `--accent`,
/// `--muted` and `--link` (the highlight).
pub fn theme_from_page() -> Theme {
    let mut t = Theme::default();
    let Some(win) = web_sys::window() else {
        return t;
    };
    let Some(el) = win.document().and_then(|d| d.document_element()) else {
        return t;
    };
    if let Ok(Some(style)) = win.get_computed_style(&el) {
        let get = |name: &str| {
            style
                .get_property_value(name)
                .ok()
                .and_then(|v| parse_rgb(&v))
        };
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
        if let Some(c) = get("--muted") {
            t.muted = c;
        }
        if let Some(c) = get("--link") {
            t.highlight = c;
        }
    }
    t
}

/// A canvas prepared for drawing: backing store = CSS size × devicePixelRatio.
pub struct Surface {
    pub canvas: HtmlCanvasElement,
    pub dpr: f64,
}

impl Surface {
    /// Resizes the backing store of canvas `id` to its CSS box × devicePixelRatio.
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

    pub fn root(&self) -> Option<DrawingArea<CanvasBackend, Shift>> {
        CanvasBackend::with_canvas_object(self.canvas.clone()).map(|b| b.into_drawing_area())
    }
}

type DrawResult = Result<(), String>;

/// Draws on canvas `id` (sized to CSS × devicePixelRatio) with `f(root, dpr)`; `default`
/// when the canvas is missing.
pub fn with_canvas<T>(
    id: &str,
    default: T,
    f: impl FnOnce(&DrawingArea<CanvasBackend, Shift>, f64) -> Result<T, String>,
) -> Result<T, String> {
    match Surface::new(id).and_then(|s| s.root().map(|r| (r, s.dpr))) {
        Some((root, dpr)) => f(&root, dpr),
        None => Ok(default),
    }
}

/// A [`Paint`] on a canvas' 2d context, in backing-store pixels.
pub struct CanvasPaint {
    ctx: CanvasRenderingContext2d,
    size: (f64, f64),
}

impl CanvasPaint {
    /// On `surface`'s canvas; `None` when it has no 2d context.
    pub fn new(surface: &Surface) -> Option<CanvasPaint> {
        let c = &surface.canvas;
        let ctx = context_2d(c).ok()?;
        ctx.set_transform(1.0, 0.0, 0.0, 1.0, 0.0, 0.0).ok()?;
        Some(CanvasPaint {
            ctx,
            size: (f64::from(c.width()), f64::from(c.height())),
        })
    }
}

fn js(e: JsValue) -> String {
    format!("{e:?}")
}

impl Paint for CanvasPaint {
    fn size(&self) -> (f64, f64) {
        self.size
    }

    fn fill_rect(&mut self, (x, y, w, h): (f64, f64, f64, f64), colour: Rgba) -> DrawResult {
        self.ctx.set_fill_style_str(&colour.css());
        self.ctx.fill_rect(x, y, w, h);
        Ok(())
    }

    fn polyline(&mut self, points: &[(f64, f64)], stroke: &Stroke) -> DrawResult {
        let [(x0, y0), rest @ ..] = points else {
            return Ok(());
        };
        let ctx = &self.ctx;
        ctx.set_stroke_style_str(&stroke.colour.css());
        ctx.set_line_width(stroke.width);
        let dash = js_sys::Array::new();
        if let Some((on, off)) = stroke.dash {
            dash.push(&on.into());
            dash.push(&off.into());
        }
        ctx.set_line_dash(&dash).map_err(js)?;
        ctx.begin_path();
        ctx.move_to(*x0, *y0);
        for &(x, y) in rest {
            ctx.line_to(x, y);
        }
        ctx.stroke();
        Ok(())
    }

    fn text(&mut self, text: &str, (x, y): (f64, f64), font: &Font) -> DrawResult {
        let ctx = &self.ctx;
        ctx.set_fill_style_str(&font.colour.css());
        ctx.set_font(&format!("{}px sans-serif", font.size));
        ctx.set_text_align(match font.align {
            Align::Start => "start",
            Align::Centre => "center",
            Align::End => "end",
        });
        ctx.set_text_baseline(match font.baseline {
            Baseline::Top => "top",
            Baseline::Middle => "middle",
            Baseline::Bottom => "bottom",
        });
        if !font.turned {
            return ctx.fill_text(text, x, y).map_err(js);
        }
        ctx.save();
        let drawn = ctx
            .translate(x, y)
            .and_then(|()| ctx.rotate(-std::f64::consts::FRAC_PI_2))
            .and_then(|()| ctx.fill_text(text, 0.0, 0.0));
        ctx.restore();
        drawn.map_err(js)
    }
}

/// Draws a chart over rounds on canvas `id` (sized to CSS × devicePixelRatio) with
/// `f(paint, dpr)`, without plotters; the layout is returned in CSS pixels (the default
/// when the canvas is missing).
fn paint_rounds(
    id: &str,
    f: impl FnOnce(&mut dyn Paint, f64) -> Result<RoundsLayout, String>,
) -> Result<RoundsLayout, String> {
    let Some(surface) = Surface::new(id) else {
        return Ok(RoundsLayout::default());
    };
    let Some(mut paint) = CanvasPaint::new(&surface) else {
        return Ok(RoundsLayout::default());
    };
    f(&mut paint, surface.dpr).map(|l| l.scaled(surface.dpr))
}

/// π_t(i) over rounds 0..=upto on canvas `id`; the plot's layout is returned in CSS
/// pixels (for a hover readout: `round_at(x)`, `y_of(v)`).
pub fn draw_policy(id: &str, theme: &Theme, run: &RunPicture) -> Result<RoundsLayout, String> {
    paint_rounds(id, |p, dpr| {
        prefdyn_charts::paint_policy(p, dpr, theme, run)
    })
}

/// H(π_t) over rounds on canvas `id`, its value at `upto` written at the line's end; the
/// plot's layout is returned in CSS pixels.
pub fn draw_entropy(
    id: &str,
    theme: &Theme,
    entropies: &[f64],
    upto: usize,
    k: usize,
) -> Result<RoundsLayout, String> {
    paint_rounds(id, |p, dpr| {
        prefdyn_charts::paint_entropy(p, dpr, theme, entropies, upto, k)
    })
}

/// π_t(i) on canvas `id` on `axes` shared with other charts (a comparison's panels).
pub fn draw_policy_on(
    id: &str,
    theme: &Theme,
    run: &RunPicture,
    axes: Option<prefdyn_charts::SharedAxes>,
) -> Result<RoundsLayout, String> {
    paint_rounds(id, |p, dpr| {
        prefdyn_charts::paint_policy_on(p, dpr, theme, run, axes)
    })
}

/// H(π_t) of several runs on canvas `id`, a line per run.
pub fn draw_entropies(
    id: &str,
    theme: &Theme,
    lines: &[prefdyn_charts::RunLine],
    upto: usize,
    k: usize,
) -> Result<RoundsLayout, String> {
    paint_rounds(id, |p, dpr| {
        prefdyn_charts::paint_entropies(p, dpr, theme, lines, upto, k)
    })
}

/// Several K = 3 runs' trajectories on one simplex on canvas `id`.
pub fn draw_simplex_runs(
    id: &str,
    theme: &Theme,
    labels: &[String],
    lines: &[prefdyn_charts::RunLine],
    upto: usize,
) -> DrawResult {
    with_canvas(id, (), |root, dpr| {
        prefdyn_charts::draw_simplex_runs(root, dpr, theme, labels, lines, upto).map(|_| ())
    })
}

/// A numbered disc per run at `(x, y)` (CSS pixels) over what canvas `id` shows, in the
/// run's colour with a ring of the background's.
pub fn mark_runs(id: &str, theme: &Theme, marks: &[((f64, f64), RGBColor, String)]) -> DrawResult {
    let Some(win) = web_sys::window() else {
        return Ok(());
    };
    let dpr = win.device_pixel_ratio().max(1.0);
    let Some(canvas) = win
        .document()
        .and_then(|d| d.get_element_by_id(id))
        .and_then(|e| e.dyn_into::<HtmlCanvasElement>().ok())
    else {
        return Ok(());
    };
    let ctx: CanvasRenderingContext2d = match canvas.get_context("2d").map_err(js)? {
        Some(c) => c.dyn_into().map_err(|_| "no 2d context".to_string())?,
        None => return Ok(()),
    };
    let bg = Rgba::solid(theme.bg).css();
    for ((x, y), colour, label) in marks {
        let (x, y, r) = (x * dpr, y * dpr, 8.0 * dpr);
        ctx.begin_path();
        ctx.arc(x, y, r, 0.0, std::f64::consts::TAU).map_err(js)?;
        ctx.set_fill_style_str(&Rgba::solid(*colour).css());
        ctx.fill();
        ctx.set_stroke_style_str(&bg);
        ctx.set_line_width(2.0 * dpr);
        ctx.set_line_dash(&js_sys::Array::new()).map_err(js)?;
        ctx.stroke();
        ctx.set_fill_style_str("#ffffff");
        ctx.set_font(&format!("bold {}px sans-serif", (11.0 * dpr).round()));
        ctx.set_text_align("center");
        ctx.set_text_baseline("middle");
        ctx.fill_text(label, x, y + 0.5 * dpr).map_err(js)?;
    }
    Ok(())
}

/// The K = 3 simplex trajectory on canvas `id`.
pub fn draw_simplex(id: &str, theme: &Theme, run: &RunPicture) -> DrawResult {
    with_canvas(id, (), |root, dpr| {
        prefdyn_charts::draw_simplex(root, dpr, theme, run)
    })
}

/// The K = 3 phase portrait on canvas `id`; the layout is returned in CSS pixels.
pub fn draw_portrait(
    id: &str,
    theme: &Theme,
    run: &RunPicture,
    portrait: &prefdyn::portrait::Portrait,
) -> Result<prefdyn_charts::SimplexLayout, String> {
    with_canvas(id, prefdyn_charts::SimplexLayout::default(), |root, dpr| {
        prefdyn_charts::draw_portrait(root, dpr, theme, run, portrait).map(|l| l.scaled(dpr))
    })
}

/// The heatmap of P on canvas `id`; the layout is returned in CSS pixels.
pub fn draw_matrix(
    id: &str,
    theme: &Theme,
    p: &PreferenceMatrix,
    selected: Option<(usize, usize)>,
) -> Result<HeatmapLayout, String> {
    with_canvas(id, HeatmapLayout::default(), |root, dpr| {
        let l = prefdyn_charts::draw_matrix(root, dpr, theme, p, selected)?;
        Ok(HeatmapLayout {
            left: l.left / dpr,
            top: l.top / dpr,
            cell: l.cell / dpr,
            k: l.k,
        })
    })
}

/// The phase diagram on canvas `id`: frame and overlays by plotters, the cells blitted
/// from one RGBA image (one `drawImage`, not a rectangle per cell). The layout is
/// returned in CSS pixels.
pub fn draw_phase(
    id: &str,
    theme: &Theme,
    pic: &prefdyn_charts::PhasePicture,
) -> Result<prefdyn_charts::PhaseLayout, String> {
    let Some(surface) = Surface::new(id) else {
        return Ok(prefdyn_charts::PhaseLayout::default());
    };
    let Some(root) = surface.root() else {
        return Ok(prefdyn_charts::PhaseLayout::default());
    };
    let dpr = surface.dpr;
    let layout = prefdyn_charts::draw_phase_frame(&root, dpr, theme, pic)?;
    if layout.heatmap {
        blit_cells(&surface.canvas, pic, &layout)?;
        prefdyn_charts::draw_phase_overlays(&root, dpr, pic, &layout)?;
        root.present().map_err(|e| e.to_string())?;
    }
    Ok(layout.scaled(dpr))
}

/// Paints the heatmap's cells: an `nx × ny` image scaled up without smoothing.
fn blit_cells(
    canvas: &HtmlCanvasElement,
    pic: &prefdyn_charts::PhasePicture,
    layout: &prefdyn_charts::PhaseLayout,
) -> DrawResult {
    let rgba = prefdyn_charts::phase_cell_rgba(pic);
    let (nx, ny) = (layout.nx as u32, layout.ny as u32);
    let image =
        web_sys::ImageData::new_with_u8_clamped_array_and_sh(wasm_bindgen::Clamped(&rgba), nx, ny)
            .map_err(js)?;
    let doc = web_sys::window()
        .and_then(|w| w.document())
        .ok_or("no document")?;
    let cells: HtmlCanvasElement = doc
        .create_element("canvas")
        .map_err(js)?
        .dyn_into()
        .map_err(|_| "not a canvas")?;
    cells.set_width(nx);
    cells.set_height(ny);
    context_2d(&cells)?
        .put_image_data(&image, 0.0, 0.0)
        .map_err(js)?;
    let ctx = context_2d(canvas)?;
    ctx.set_image_smoothing_enabled(false);
    let (x, y, w, h) = layout.cells_rect();
    ctx.draw_image_with_html_canvas_element_and_dw_and_dh(&cells, x, y, w, h)
        .map_err(js)
}

fn context_2d(canvas: &HtmlCanvasElement) -> Result<CanvasRenderingContext2d, String> {
    canvas
        .get_context("2d")
        .ok()
        .flatten()
        .and_then(|c| c.dyn_into().ok())
        .ok_or_else(|| "no 2d context".to_string())
}

/// The one-shot optima side by side on canvas `id`, panel `highlight` (if any) framed
/// in the theme's highlight colour with its values written above its bars (the guided
/// tour's steps 1 and 2).
pub fn draw_one_shot(
    id: &str,
    theme: &Theme,
    panels: &[(String, Vec<f64>)],
    labels: &[String],
    highlight: Option<usize>,
) -> DrawResult {
    with_canvas(id, (), |root, dpr| {
        prefdyn_charts::draw_one_shot(root, dpr, theme, panels, labels, highlight)
    })
}

/// Clears canvas `id` (to transparent).
pub fn clear(id: &str) {
    if let Some(surface) = Surface::new(id) {
        if let Ok(ctx) = context_2d(&surface.canvas) {
            let c = &surface.canvas;
            ctx.clear_rect(0.0, 0.0, f64::from(c.width()), f64::from(c.height()));
        }
    }
}
