//! Canvas surfaces for the engine's charts (`prefdyn::charts`), sized for high-DPI screens.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters_canvas::CanvasBackend;
pub use prefdyn::charts::{diverging, parse_rgb, series_colour, HeatmapLayout, Theme};
use prefdyn::PreferenceMatrix;
use wasm_bindgen::JsCast;
use web_sys::HtmlCanvasElement;

/// The chart theme from the page's CSS variables `--fg`, `--bg`, `--grid`, `--accent`.
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

/// π_t(i) over rounds 0..=upto on canvas `id`.
pub fn draw_policy(
    id: &str,
    theme: &Theme,
    policies: &[f64],
    k: usize,
    upto: usize,
    labels: &[String],
    fixed_point: Option<&[f64]>,
) -> DrawResult {
    let Some(s) = Surface::new(id) else {
        return Ok(());
    };
    let Some(root) = s.root() else { return Ok(()) };
    prefdyn::charts::draw_policy(&root, s.dpr, theme, policies, k, upto, labels, fixed_point)
}

/// H(π_t) over rounds on canvas `id`.
pub fn draw_entropy(
    id: &str,
    theme: &Theme,
    entropies: &[f64],
    upto: usize,
    k: usize,
) -> DrawResult {
    let Some(s) = Surface::new(id) else {
        return Ok(());
    };
    let Some(root) = s.root() else { return Ok(()) };
    prefdyn::charts::draw_entropy(&root, s.dpr, theme, entropies, upto, k)
}

/// The K = 3 simplex trajectory on canvas `id`.
pub fn draw_simplex(
    id: &str,
    theme: &Theme,
    policies: &[f64],
    upto: usize,
    labels: &[String],
    fixed_point: Option<&[f64]>,
) -> DrawResult {
    let Some(s) = Surface::new(id) else {
        return Ok(());
    };
    let Some(root) = s.root() else { return Ok(()) };
    prefdyn::charts::draw_simplex(&root, s.dpr, theme, policies, upto, labels, fixed_point)
}

/// The heatmap of P on canvas `id`; the layout is returned in CSS pixels.
pub fn draw_matrix(
    id: &str,
    theme: &Theme,
    p: &PreferenceMatrix,
    selected: Option<(usize, usize)>,
) -> Result<HeatmapLayout, String> {
    let Some(s) = Surface::new(id) else {
        return Ok(HeatmapLayout::default());
    };
    let Some(root) = s.root() else {
        return Ok(HeatmapLayout::default());
    };
    let l = prefdyn::charts::draw_matrix(&root, s.dpr, theme, p, selected)?;
    Ok(HeatmapLayout {
        left: l.left / s.dpr,
        top: l.top / s.dpr,
        cell: l.cell / s.dpr,
        k: l.k,
    })
}
