//! The phase diagram: a heatmap of a metric over two parameters (or, with one row, its
//! profile along x), with the theory drawn on top: the ρ = 1 boundary between cells, the
//! global-contraction line with the region where stability is certain, and the circulant
//! closed form.

use plotters::coord::types::RangedCoordf64;
use plotters::coord::Shift;
use plotters::prelude::*;

use super::{err, px, sequential, DrawResult, Theme};
use crate::text::{text_width, wrap};
use crate::ticks::{nice_ticks, tick_label, ColourScale};
use plotters::style::text_anchor::{HPos, Pos, VPos};
use prefdyn::phase::TheoryField;
use prefdyn::text::sig;

/// Colour of the contraction line and its "certain" region.
const CONTRACTION: RGBColor = RGBColor(0, 200, 255);
/// Colour of the circulant closed form.
const CLOSED_FORM: RGBColor = RGBColor(255, 140, 0);
/// Cells where most runs collapse onto one response (the verdict metric).
pub const COLLAPSES: RGBColor = RGBColor(196, 78, 82);
/// Chip behind legend swatches, so that the white ρ line shows on a light page.
const CHIP: RGBColor = RGBColor(68, 1, 84);

/// What a phase diagram shows. Cell `(ix, iy)` is at `iy * nx + ix`.
#[derive(Clone, Copy, Debug)]
pub struct PhasePicture<'a> {
    pub x_values: &'a [f64],
    pub y_values: &'a [f64],
    pub mean: &'a [f64],
    pub sd: &'a [f64],
    /// Ensemble-mean ρ per cell (its level set 1 is drawn).
    pub rho: Option<&'a [f64]>,
    /// Share of runs collapsed per cell (the verdict metric): a cell where collapse is
    /// the most common outcome is drawn in [`COLLAPSES`].
    pub collapsed: Option<&'a [f64]>,
    pub theory: Option<&'a TheoryField>,
    pub x_title: &'a str,
    pub y_title: &'a str,
    pub metric_title: &'a str,
}

impl PhasePicture<'_> {
    /// A picture with nothing in it (an empty chart).
    pub fn empty() -> PhasePicture<'static> {
        PhasePicture {
            x_values: &[],
            y_values: &[],
            mean: &[],
            sd: &[],
            rho: None,
            collapsed: None,
            theory: None,
            x_title: "",
            y_title: "",
            metric_title: "",
        }
    }
}

/// Geometry of a phase chart, for hover and click (backend pixels): `nx × ny` cells of
/// `cell_w × cell_h` from `(left, top)`, row `ny − 1` at the top.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct PhaseLayout {
    pub left: f64,
    pub top: f64,
    pub cell_w: f64,
    pub cell_h: f64,
    pub nx: usize,
    pub ny: usize,
    /// Cells to paint (false for a one-row profile).
    pub heatmap: bool,
}

impl PhaseLayout {
    /// Grid cell `(ix, iy)` under a position (y grows upwards in the grid).
    pub fn hit(&self, x: f64, y: f64) -> Option<(usize, usize)> {
        if self.cell_w <= 0.0 || self.cell_h <= 0.0 {
            return None;
        }
        let ix = ((x - self.left) / self.cell_w).floor();
        let row = ((y - self.top) / self.cell_h).floor();
        if ix < 0.0 || row < 0.0 || ix as usize >= self.nx || row as usize >= self.ny {
            return None;
        }
        Some((ix as usize, self.ny - 1 - row as usize))
    }

    /// The same layout with every length divided by `s` (backend → CSS pixels).
    pub fn scaled(&self, s: f64) -> PhaseLayout {
        PhaseLayout {
            left: self.left / s,
            top: self.top / s,
            cell_w: self.cell_w / s,
            cell_h: self.cell_h / s,
            ..*self
        }
    }

    fn right(&self) -> f64 {
        self.left + self.nx as f64 * self.cell_w
    }

    fn bottom(&self) -> f64 {
        self.top + self.ny as f64 * self.cell_h
    }

    /// `(x, y, width, height)` of the block of cells.
    pub fn cells_rect(&self) -> (f64, f64, f64, f64) {
        (
            self.left,
            self.top,
            self.nx as f64 * self.cell_w,
            self.ny as f64 * self.cell_h,
        )
    }

    /// Pixel corners of cell `(ix, iy)`, widened to whole pixels.
    fn cell_rect(&self, ix: usize, iy: usize) -> [(i32, i32); 2] {
        let x0 = self.left + ix as f64 * self.cell_w;
        let y0 = self.top + (self.ny - 1 - iy) as f64 * self.cell_h;
        [
            (x0.floor() as i32, y0.floor() as i32),
            (
                (x0 + self.cell_w).ceil() as i32,
                (y0 + self.cell_h).ceil() as i32,
            ),
        ]
    }

    /// Backend pixel of fractional grid position `(gx, gy)` (cell centres at integers).
    fn pixel(&self, gx: f64, gy: f64) -> (f64, f64) {
        (
            self.left + (gx + 0.5) * self.cell_w,
            self.top + (self.ny as f64 - 0.5 - gy) * self.cell_h,
        )
    }
}

/// Draws the phase diagram: a heatmap, or a profile with ± sd band when there is one row.
pub fn draw_phase<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    scale: f64,
    theme: &Theme,
    pic: &PhasePicture,
) -> DrawResult<PhaseLayout> {
    root.fill(&theme.bg).map_err(err)?;
    let (nx, ny) = (pic.x_values.len(), pic.y_values.len());
    if nx == 0 || ny == 0 || pic.mean.len() != nx * ny {
        root.present().map_err(err)?;
        return Ok(PhaseLayout::default());
    }
    let layout = if ny == 1 && nx > 1 {
        draw_profile(root, scale, theme, pic)?
    } else {
        let layout = draw_heatmap_frame(root, scale, theme, pic)?;
        draw_cells(root, pic, &layout)?;
        draw_phase_overlays(root, scale, pic, &layout)?;
        layout
    };
    root.present().map_err(err)?;
    Ok(layout)
}

/// The phase diagram without its cells, for a caller that paints them itself from
/// [`phase_cell_rgba`] into `layout.cells_rect()` and then calls [`draw_phase_overlays`]
/// (a one-row profile is drawn whole, `layout.heatmap` false).
pub fn draw_phase_frame<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    scale: f64,
    theme: &Theme,
    pic: &PhasePicture,
) -> DrawResult<PhaseLayout> {
    root.fill(&theme.bg).map_err(err)?;
    let (nx, ny) = (pic.x_values.len(), pic.y_values.len());
    let layout = if nx == 0 || ny == 0 || pic.mean.len() != nx * ny {
        PhaseLayout::default()
    } else if ny == 1 && nx > 1 {
        draw_profile(root, scale, theme, pic)?
    } else {
        draw_heatmap_frame(root, scale, theme, pic)?
    };
    root.present().map_err(err)?;
    Ok(layout)
}

/// `(min, max)` of the finite values (`(0, 1)` when there are none; widened when flat).
fn finite_range(v: impl Iterator<Item = f64>) -> (f64, f64) {
    let (lo, hi) = v
        .filter(|x| x.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), x| {
            (a.min(x), b.max(x))
        });
    if !lo.is_finite() {
        (0.0, 1.0)
    } else if hi > lo {
        (lo, hi)
    } else {
        (lo, lo + 1e-12)
    }
}

/// The contraction line as the paper writes the bound.
const CONTRACTION_TEXT: &str = "α + (βλ/2)‖P − ½11ᵀ‖₂ = 1";

/// The legend entries a picture needs: cells where most runs collapse, ρ = 1,
/// contraction, closed form (on a profile the ρ marker is drawn in the text colour).
fn legend_entries(pic: &PhasePicture, theme: &Theme, profile: bool) -> Vec<(RGBColor, String)> {
    let mut out = vec![];
    if !profile && (0..pic.mean.len()).any(|i| mostly_collapsed(pic, i)) {
        out.push((
            COLLAPSES,
            "most runs collapse onto one response".to_string(),
        ));
    }
    if pic.rho.is_some() {
        let colour = if profile { theme.fg } else { WHITE };
        out.push((colour, "ρ = 1 (ensemble-mean ρ)".to_string()));
    }
    if let Some(t) = pic.theory {
        let below = if profile {
            "stable for every start below it"
        } else {
            "stable for every start below (dots)"
        };
        out.push((CONTRACTION, format!("{CONTRACTION_TEXT}: {below}")));
        if t.circulant_rho.is_some() {
            out.push((
                CLOSED_FORM,
                "circulant closed form ρ = 1 (uniform fixed point)".to_string(),
            ));
        }
    }
    out
}

/// Sizes of a legend, in backend pixels.
#[derive(Clone, Copy, Debug)]
struct LegendMetrics {
    font: f64,
    row_h: f64,
    swatch: f64,
    /// Between a swatch and its text.
    gap: f64,
    /// Between two entries on a row.
    spacing: f64,
}

impl LegendMetrics {
    fn new(scale: f64) -> LegendMetrics {
        LegendMetrics {
            font: px(scale, 11.0) as f64,
            row_h: px(scale, 15.0) as f64,
            swatch: px(scale, 18.0) as f64,
            gap: px(scale, 4.0) as f64,
            spacing: px(scale, 12.0) as f64,
        }
    }
}

/// A legend entry placed in its strip: the swatch's top-left corner at `(x, y)` (relative
/// to the strip), its text in `lines`, one row each, starting right of the swatch.
#[derive(Clone, Debug, PartialEq)]
pub struct LegendItem {
    pub x: f64,
    pub y: f64,
    pub lines: Vec<String>,
}

/// Legend entries `texts` flowed left to right in a strip `width` pixels wide, at a
/// `scale` (a device pixel ratio): an entry that does not fit on the current row starts a
/// new one, and one wider than the strip has its text wrapped. Returns the entries and the
/// strip's height; every line ends within `width` (by [`text_width`]).
pub fn legend_layout(texts: &[&str], width: f64, scale: f64) -> (Vec<LegendItem>, f64) {
    let m = LegendMetrics::new(scale);
    let text_room = (width - m.swatch - m.gap).max(m.font);
    let (mut x, mut y, mut row_lines) = (0.0, 0.0, 0usize);
    let mut out = vec![];
    for text in texts {
        let lines = wrap(text, text_room, m.font);
        let w = m.swatch
            + m.gap
            + lines
                .iter()
                .map(|l| text_width(l, m.font))
                .fold(0.0, f64::max);
        if x > 0.0 && x + w > width {
            x = 0.0;
            y += row_lines as f64 * m.row_h;
            row_lines = 0;
        }
        row_lines = row_lines.max(lines.len());
        out.push(LegendItem { x, y, lines });
        x += w + m.spacing;
    }
    let height = if out.is_empty() {
        0.0
    } else {
        y + row_lines as f64 * m.row_h
    };
    (out, height)
}

/// The legend a picture needs, in a strip along the top; returns its height.
fn draw_top_legend<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    scale: f64,
    theme: &Theme,
    pic: &PhasePicture,
    profile: bool,
) -> DrawResult<f64> {
    let strip = legend_strip(root.dim_in_pixel().0 as f64, scale);
    let chip = (!profile).then_some(CHIP);
    draw_legend(
        root,
        scale,
        theme,
        &legend_entries(pic, theme, profile),
        strip,
        chip,
    )
}

/// Draws the legend in a strip from `(x0, y0)` at most `width` wide; returns its height.
fn draw_legend<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    scale: f64,
    theme: &Theme,
    entries: &[(RGBColor, String)],
    (x0, y0, width): (f64, f64, f64),
    chip: Option<RGBColor>,
) -> DrawResult<f64> {
    let m = LegendMetrics::new(scale);
    let texts: Vec<&str> = entries.iter().map(|(_, t)| t.as_str()).collect();
    let (items, height) = legend_layout(&texts, width, scale);
    let font = ("sans-serif", m.font)
        .into_font()
        .color(&theme.fg)
        .pos(Pos::new(HPos::Left, VPos::Center));
    for ((colour, _), item) in entries.iter().zip(&items) {
        let (x, y) = (x0 + item.x, y0 + item.y);
        let mid = (y + m.row_h / 2.0) as i32;
        if let Some(chip) = chip {
            root.draw(&Rectangle::new(
                [
                    (x as i32, mid - px(scale, 5.0) as i32),
                    ((x + m.swatch) as i32, mid + px(scale, 5.0) as i32),
                ],
                chip.filled(),
            ))
            .map_err(err)?;
        }
        // A cell colour is a block, a line's colour a stroke.
        if *colour == COLLAPSES {
            let half = px(scale, 5.0) as i32;
            let block = [
                (x as i32 + 2, mid - half),
                ((x + m.swatch) as i32 - 2, mid + half),
            ];
            root.draw(&Rectangle::new(block, colour.filled()))
                .map_err(err)?;
        } else {
            root.draw(&PathElement::new(
                vec![((x + 2.0) as i32, mid), ((x + m.swatch - 2.0) as i32, mid)],
                colour.stroke_width(px(scale, 2.5)),
            ))
            .map_err(err)?;
        }
        for (row, line) in item.lines.iter().enumerate() {
            root.draw(&Text::new(
                line.clone(),
                (
                    (x + m.swatch + m.gap) as i32,
                    (y + (row as f64 + 0.5) * m.row_h) as i32,
                ),
                font.clone(),
            ))
            .map_err(err)?;
        }
    }
    Ok(height)
}

/// Segments of the level set `field = level` by marching squares, in lattice
/// coordinates (`(i, j)` = sample `j * nx + i`). Saddles are split by the cell mean.
pub fn level_segments(field: &[f64], nx: usize, ny: usize, level: f64) -> Vec<[(f64, f64); 2]> {
    let mut out = vec![];
    if nx < 2 || ny < 2 || field.len() != nx * ny {
        return out;
    }
    let at = |i: usize, j: usize| field[j * nx + i] - level;
    // Crossing on the edge from corner a (value va, position pa) to b.
    let cross = |va: f64, vb: f64, pa: (f64, f64), pb: (f64, f64)| {
        let t = if va == vb { 0.5 } else { va / (va - vb) };
        (pa.0 + t * (pb.0 - pa.0), pa.1 + t * (pb.1 - pa.1))
    };
    for j in 0..ny - 1 {
        for i in 0..nx - 1 {
            let (fi, fj) = (i as f64, j as f64);
            // Corners counter-clockwise from (i, j).
            let v = [at(i, j), at(i + 1, j), at(i + 1, j + 1), at(i, j + 1)];
            if v.iter().any(|x| !x.is_finite()) {
                continue;
            }
            let p = [
                (fi, fj),
                (fi + 1.0, fj),
                (fi + 1.0, fj + 1.0),
                (fi, fj + 1.0),
            ];
            let edge = |e: usize| cross(v[e], v[(e + 1) % 4], p[e], p[(e + 1) % 4]);
            let above: Vec<bool> = v.iter().map(|x| *x >= 0.0).collect();
            let crossed: Vec<usize> = (0..4).filter(|&e| above[e] != above[(e + 1) % 4]).collect();
            match crossed.len() {
                2 => out.push([edge(crossed[0]), edge(crossed[1])]),
                4 => {
                    // Saddle: pair the edges around the corners that agree with the centre.
                    let centre_above = v.iter().sum::<f64>() / 4.0 >= 0.0;
                    if above[0] == centre_above {
                        out.push([edge(0), edge(1)]);
                        out.push([edge(2), edge(3)]);
                    } else {
                        out.push([edge(3), edge(0)]);
                        out.push([edge(1), edge(2)]);
                    }
                }
                _ => {}
            }
        }
    }
    out
}

/// Lattice position of fractional grid position `g` along an axis of `n_grid` cells
/// sampled at `n_lattice` points (both spanning the same range).
fn grid_to_lattice(g: f64, n_grid: usize, n_lattice: usize) -> f64 {
    if n_grid <= 1 || n_lattice <= 1 {
        0.0
    } else {
        g / (n_grid - 1) as f64 * (n_lattice - 1) as f64
    }
}

fn lattice_to_grid(l: f64, n_grid: usize, n_lattice: usize) -> f64 {
    if n_grid <= 1 || n_lattice <= 1 {
        0.0
    } else {
        l / (n_lattice - 1) as f64 * (n_grid - 1) as f64
    }
}

/// Bilinear value of a lattice field at fractional lattice position `(u, v)`.
fn sample(field: &[f64], nx: usize, ny: usize, u: f64, v: f64) -> f64 {
    let u = u.clamp(0.0, (nx - 1) as f64);
    let v = v.clamp(0.0, (ny - 1) as f64);
    let (i, j) = (
        (u.floor() as usize).min(nx.saturating_sub(2)),
        (v.floor() as usize).min(ny.saturating_sub(2)),
    );
    if nx < 2 || ny < 2 {
        return field[(v.round() as usize).min(ny - 1) * nx + (u.round() as usize).min(nx - 1)];
    }
    let (fu, fv) = (u - i as f64, v - j as f64);
    let f = |a: usize, b: usize| field[b * nx + a];
    (1.0 - fv) * ((1.0 - fu) * f(i, j) + fu * f(i + 1, j))
        + fv * ((1.0 - fu) * f(i, j + 1) + fu * f(i + 1, j + 1))
}

/// Margins of a heatmap on a `w × h` area, computed before anything is drawn: the legend
/// (`legend_h`) above, `right` pixels right of the cells for the colour bar.
fn heatmap_layout(
    (w, h): (f64, f64),
    scale: f64,
    (nx, ny): (usize, usize),
    legend_h: f64,
    right: f64,
) -> PhaseLayout {
    let (left, bottom) = (px(scale, 64.0) as f64, px(scale, 46.0) as f64);
    let top = legend_h + px(scale, 10.0) as f64;
    PhaseLayout {
        left,
        top,
        cell_w: ((w - left - right) / nx as f64).max(1.0),
        cell_h: ((h - top - bottom) / ny as f64).max(1.0),
        nx,
        ny,
        heatmap: true,
    }
}

/// The strip the legend is flowed in on a `w` pixels wide area: `(x, y, width)`, aligned
/// with the cells on a wide chart and using the whole width on a narrow one (a phone).
fn legend_strip(w: f64, scale: f64) -> (f64, f64, f64) {
    let left = if w < 480.0 * scale { 6.0 } else { 64.0 };
    let (left, right) = (px(scale, left) as f64, px(scale, 4.0) as f64);
    (left, px(scale, 2.0) as f64, w - left - right)
}

/// Sizes of the colour bar right of the cells, in backend pixels.
struct ColourBar {
    /// From the cells to the bar, and the bar's width.
    gap: f64,
    bar_w: f64,
    /// From the bar to the tick labels' left end.
    tick: f64,
    /// The widest tick label.
    labels_w: f64,
    /// The metric's name (and "log scale"), wrapped to the bar's height, a line each.
    title: Vec<String>,
    title_font: f64,
    line_h: f64,
}

impl ColourBar {
    /// The bar for `pic` next to cells `plot_h` pixels tall.
    fn new(pic: &PhasePicture, scale: f64, plot_h: f64) -> ColourBar {
        let colours = ColourScale::of(pic.mean);
        let font = px(scale, 11.0) as f64;
        let labels_w = colours
            .ticks()
            .iter()
            .map(|&v| text_width(&colours.label(v), font))
            .fold(0.0, f64::max);
        let name = if colours.log {
            format!("{} (log scale)", pic.metric_title)
        } else {
            pic.metric_title.to_string()
        };
        let title_font = px(scale, 12.0) as f64;
        ColourBar {
            gap: px(scale, 10.0) as f64,
            bar_w: px(scale, 12.0) as f64,
            tick: px(scale, 5.0) as f64,
            labels_w,
            title: wrap(&name, plot_h.max(title_font), title_font),
            title_font,
            line_h: px(scale, 15.0) as f64,
        }
    }

    /// Everything right of the cells: bar, ticks, labels, the title's lines and a margin.
    fn width(&self) -> f64 {
        self.gap
            + self.bar_w
            + self.tick
            + self.labels_w
            + self.line_h * 0.4
            + self.title.len() as f64 * self.line_h
            + 2.0
    }
}

/// Whether collapse is the most common outcome of cell `i`: more runs collapse than
/// oscillate (the mean) or settle (the rest).
fn mostly_collapsed(pic: &PhasePicture, i: usize) -> bool {
    let (Some(c), Some(o)) = (pic.collapsed.and_then(|c| c.get(i)), pic.mean.get(i)) else {
        return false;
    };
    *c > *o && *c > 1.0 - o - c
}

/// The colour of cell `i`, `None` where it has no value yet.
fn cell_colour(pic: &PhasePicture, scale: &ColourScale, i: usize) -> Option<RGBColor> {
    let v = pic.mean.get(i).filter(|v| v.is_finite())?;
    Some(match mostly_collapsed(pic, i) {
        true => COLLAPSES,
        false => scale.colour(*v),
    })
}

/// The colours of a heatmap's cells as RGBA bytes, `nx × ny` pixels with the top row
/// (largest y) first, ready for an `ImageData`; non-finite cells are transparent.
pub fn phase_cell_rgba(pic: &PhasePicture) -> Vec<u8> {
    let (nx, ny) = (pic.x_values.len(), pic.y_values.len());
    let scale = ColourScale::of(pic.mean);
    let mut out = Vec::with_capacity(nx * ny * 4);
    for iy in (0..ny).rev() {
        for ix in 0..nx {
            match cell_colour(pic, &scale, iy * nx + ix) {
                Some(c) => out.extend_from_slice(&[c.0, c.1, c.2, 255]),
                None => out.extend_from_slice(&[0, 0, 0, 0]),
            }
        }
    }
    out
}

/// The background, legend, axes and colour bar of a heatmap: everything under and
/// around the cells.
fn draw_heatmap_frame<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    scale: f64,
    theme: &Theme,
    pic: &PhasePicture,
) -> DrawResult<PhaseLayout> {
    let (nx, ny) = (pic.x_values.len(), pic.y_values.len());
    let (w, h) = root.dim_in_pixel();
    let legend_h = draw_top_legend(root, scale, theme, pic, false)?;
    let (w, h) = (w as f64, h as f64);
    let plot_h = h - legend_h - (px(scale, 10.0) + px(scale, 46.0)) as f64;
    let bar = ColourBar::new(pic, scale, plot_h);
    let layout = heatmap_layout((w, h), scale, (nx, ny), legend_h, bar.width());
    draw_heatmap_axes(root, scale, theme, pic, &layout)?;
    draw_colour_bar(root, (scale, theme), pic, &layout, &bar)?;
    Ok(layout)
}

/// The cells of a heatmap as rectangles (files; the page blits [`phase_cell_rgba`]).
fn draw_cells<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    pic: &PhasePicture,
    l: &PhaseLayout,
) -> DrawResult {
    let scale = ColourScale::of(pic.mean);
    for iy in 0..l.ny {
        for ix in 0..l.nx {
            if let Some(c) = cell_colour(pic, &scale, iy * l.nx + ix) {
                root.draw(&Rectangle::new(l.cell_rect(ix, iy), c.filled()))
                    .map_err(err)?;
            }
        }
    }
    Ok(())
}

/// What a heatmap draws over its cells: the dots where stability is certain, the
/// contraction and closed-form lines, and the ρ = 1 cell edges.
pub fn draw_phase_overlays<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    scale: f64,
    pic: &PhasePicture,
    layout: &PhaseLayout,
) -> DrawResult {
    let (nx, ny) = (pic.x_values.len(), pic.y_values.len());
    if !layout.heatmap || nx * ny == 0 || pic.mean.len() != nx * ny {
        return Ok(());
    }
    let colours = ColourScale::of(pic.mean);
    if let Some(t) = pic.theory {
        draw_certain_dots(root, scale, pic, layout, t, &|v| colours.colour(v))?;
        draw_level(root, scale, layout, t, &t.contraction, CONTRACTION)?;
        if let Some(c) = &t.circulant_rho {
            draw_level(root, scale, layout, t, c, CLOSED_FORM)?;
        }
    }
    if let Some(rho) = pic.rho.filter(|r| r.len() == nx * ny) {
        draw_rho_edges(root, scale, rho, layout)?;
    }
    Ok(())
}

/// Dots on a lattice of pixels where the contraction bound is below 1 ("certain"),
/// dark over bright cells and white over dark ones.
fn draw_certain_dots<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    scale: f64,
    pic: &PhasePicture,
    l: &PhaseLayout,
    t: &TheoryField,
    colour_of: &dyn Fn(f64) -> RGBColor,
) -> DrawResult {
    let step = px(scale, 9.0) as f64;
    let dot = px(scale, 1.5) as i32;
    let (x_end, y_end) = (
        l.left + l.nx as f64 * l.cell_w,
        l.top + l.ny as f64 * l.cell_h,
    );
    let mut y = l.top + step / 2.0;
    while y < y_end {
        let mut x = l.left + step / 2.0;
        while x < x_end {
            let gx = (x - l.left) / l.cell_w - 0.5;
            let gy = l.ny as f64 - 0.5 - (y - l.top) / l.cell_h;
            let u = grid_to_lattice(gx, l.nx, t.nx);
            let v = grid_to_lattice(gy, l.ny, t.ny);
            if sample(&t.contraction, t.nx, t.ny, u, v) < 1.0 {
                let (ix, iy) = (
                    (gx.round().max(0.0) as usize).min(l.nx - 1),
                    (gy.round().max(0.0) as usize).min(l.ny - 1),
                );
                let under = pic.mean[iy * l.nx + ix];
                let c = colour_of(under);
                let bright = 0.299 * c.0 as f64 + 0.587 * c.1 as f64 + 0.114 * c.2 as f64 > 140.0;
                let ink = if bright { RGBColor(20, 20, 20) } else { WHITE };
                let (xi, yi) = (x as i32, y as i32);
                root.draw(&Rectangle::new(
                    [
                        (xi - dot / 2, yi - dot / 2),
                        (xi + dot - dot / 2, yi + dot - dot / 2),
                    ],
                    ink.mix(0.7).filled(),
                ))
                .map_err(err)?;
            }
            x += step;
        }
        y += step;
    }
    Ok(())
}

/// The level set `field = 1` of a theory field, outlined in black for contrast.
fn draw_level<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    scale: f64,
    l: &PhaseLayout,
    t: &TheoryField,
    field: &[f64],
    colour: RGBColor,
) -> DrawResult {
    let segs = level_segments(field, t.nx, t.ny, 1.0);
    let to_px = |(u, v): (f64, f64)| {
        let (x, y) = l.pixel(
            lattice_to_grid(u, l.nx, t.nx),
            lattice_to_grid(v, l.ny, t.ny),
        );
        (x.round() as i32, y.round() as i32)
    };
    for (colour, width) in [
        (RGBColor(0, 0, 0), px(scale, 4.0)),
        (colour, px(scale, 2.0)),
    ] {
        for s in &segs {
            root.draw(&PathElement::new(
                vec![to_px(s[0]), to_px(s[1])],
                colour.stroke_width(width),
            ))
            .map_err(err)?;
        }
    }
    Ok(())
}

/// The white ρ = 1 boundary along cell edges between ρ < 1 and ρ ≥ 1.
fn draw_rho_edges<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    scale: f64,
    rho: &[f64],
    l: &PhaseLayout,
) -> DrawResult {
    let (nx, ny) = (l.nx, l.ny);
    let stroke = ShapeStyle::from(&WHITE).stroke_width(px(scale, 2.5));
    let side = |v: f64| v.is_finite() && v >= 1.0;
    let differs = |a: f64, b: f64| a.is_finite() && b.is_finite() && side(a) != side(b);
    for iy in 0..ny {
        for ix in 0..nx {
            let here = rho[iy * nx + ix];
            let [(x0, y0), (x1, y1)] = l.cell_rect(ix, iy);
            if ix + 1 < nx && differs(here, rho[iy * nx + ix + 1]) {
                root.draw(&PathElement::new(vec![(x1, y0), (x1, y1)], stroke))
                    .map_err(err)?;
            }
            if iy + 1 < ny && differs(here, rho[(iy + 1) * nx + ix]) {
                root.draw(&PathElement::new(vec![(x0, y0), (x1, y0)], stroke))
                    .map_err(err)?;
            }
        }
    }
    Ok(())
}

/// Round tick values within an axis's values and their fractional grid positions.
fn axis_ticks(values: &[f64], length_px: f64, scale: f64) -> Vec<(f64, f64)> {
    let n = values.len();
    let (v0, v1) = (values[0], values[n - 1]);
    if n < 2 || v0 == v1 {
        return vec![(v0, 0.0)];
    }
    let target = (length_px / px(scale, 70.0) as f64).clamp(2.0, 8.0) as usize;
    nice_ticks(v0, v1, target)
        .into_iter()
        .map(|v| (v, (v - v0) / (v1 - v0) * (n - 1) as f64))
        .collect()
}

fn draw_heatmap_axes<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    scale: f64,
    theme: &Theme,
    pic: &PhasePicture,
    l: &PhaseLayout,
) -> DrawResult {
    let font = ("sans-serif", px(scale, 12.0)).into_font().color(&theme.fg);
    let title = ("sans-serif", px(scale, 13.0)).into_font().color(&theme.fg);
    let (plot_right, plot_bottom) = (l.right(), l.bottom());
    let tick = px(scale, 4.0) as i32;
    root.draw(&Rectangle::new(
        [
            (l.left as i32, l.top as i32),
            (plot_right as i32, plot_bottom as i32),
        ],
        theme.fg.stroke_width(1),
    ))
    .map_err(err)?;
    let below = font.pos(Pos::new(HPos::Center, VPos::Top));
    for (v, g) in axis_ticks(pic.x_values, plot_right - l.left, scale) {
        let (x, _) = l.pixel(g, 0.0);
        let (x, y) = (x.round() as i32, plot_bottom as i32);
        root.draw(&PathElement::new(vec![(x, y), (x, y + tick)], theme.fg))
            .map_err(err)?;
        root.draw(&Text::new(tick_label(v), (x, y + tick + 2), below.clone()))
            .map_err(err)?;
    }
    let beside = font.pos(Pos::new(HPos::Right, VPos::Center));
    for (v, g) in axis_ticks(pic.y_values, plot_bottom - l.top, scale) {
        let (_, y) = l.pixel(0.0, g);
        let (x, y) = (l.left as i32, y.round() as i32);
        root.draw(&PathElement::new(vec![(x - tick, y), (x, y)], theme.fg))
            .map_err(err)?;
        root.draw(&Text::new(tick_label(v), (x - tick - 3, y), beside.clone()))
            .map_err(err)?;
    }
    root.draw(&Text::new(
        pic.x_title.to_string(),
        (
            ((l.left + plot_right) / 2.0) as i32,
            plot_bottom as i32 + px(scale, 26.0) as i32,
        ),
        title.pos(Pos::new(HPos::Center, VPos::Top)),
    ))
    .map_err(err)?;
    root.draw(&Text::new(
        pic.y_title.to_string(),
        (px(scale, 4.0) as i32, ((l.top + plot_bottom) / 2.0) as i32),
        title
            .transform(FontTransform::Rotate270)
            .pos(Pos::new(HPos::Center, VPos::Top)),
    ))
    .map_err(err)
}

/// The colour bar right of the cells, ticked at round values (decades on a log scale),
/// with the metric's name (and "log scale") written up its side, wrapped to its height.
fn draw_colour_bar<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    (scale, theme): (f64, &Theme),
    pic: &PhasePicture,
    l: &PhaseLayout,
    bar: &ColourBar,
) -> DrawResult {
    let colours = ColourScale::of(pic.mean);
    let font = ("sans-serif", px(scale, 11.0))
        .into_font()
        .color(&theme.fg)
        .pos(Pos::new(HPos::Left, VPos::Center));
    let (top, bottom) = (l.top, l.bottom());
    let bx = l.right() + bar.gap;
    let steps = 96;
    for s in 0..steps {
        let y0 = bottom - (s + 1) as f64 * (bottom - top) / steps as f64;
        let y1 = bottom - s as f64 * (bottom - top) / steps as f64;
        root.draw(&Rectangle::new(
            [
                (bx as i32, y0.floor() as i32),
                ((bx + bar.bar_w) as i32, y1.ceil() as i32),
            ],
            sequential((s as f64 + 0.5) / steps as f64).filled(),
        ))
        .map_err(err)?;
    }
    let at = |v: f64| bottom - colours.unit(v) * (bottom - top);
    let x = (bx + bar.bar_w) as i32;
    for v in colours.ticks() {
        let y = at(v).round() as i32;
        root.draw(&PathElement::new(vec![(x, y), (x + 3, y)], theme.fg))
            .map_err(err)?;
        let label_x = x + bar.tick as i32;
        root.draw(&Text::new(colours.label(v), (label_x, y), font.clone()))
            .map_err(err)?;
    }
    let title = ("sans-serif", bar.title_font)
        .into_font()
        .color(&theme.fg)
        .transform(FontTransform::Rotate270)
        .pos(Pos::new(HPos::Center, VPos::Top));
    let x0 = bx + bar.bar_w + bar.tick + bar.labels_w + bar.line_h * 0.4;
    for (i, line) in bar.title.iter().enumerate() {
        root.draw(&Text::new(
            line.clone(),
            (
                (x0 + i as f64 * bar.line_h) as i32,
                ((top + bottom) / 2.0) as i32,
            ),
            title.clone(),
        ))
        .map_err(err)?;
    }
    Ok(())
}

/// Where a sequence crosses 1 between consecutive samples, as fractional indices.
fn crossings(values: &[f64]) -> Vec<f64> {
    values
        .windows(2)
        .enumerate()
        .filter_map(|(i, w)| {
            let (a, b) = (w[0] - 1.0, w[1] - 1.0);
            (a.is_finite() && b.is_finite() && (a < 0.0) != (b < 0.0))
                .then(|| i as f64 + a / (a - b))
        })
        .collect()
}

/// Where the ensemble-mean ρ, the contraction bound and the circulant closed form cross 1
/// along a one-row diagram: `(x, colour, label)`.
fn profile_markers(pic: &PhasePicture, theme: &Theme) -> Vec<(f64, RGBColor, String)> {
    let nx = pic.x_values.len();
    let (x0, x1) = (pic.x_values[0], pic.x_values[nx - 1]);
    let at = |g: f64, n: usize| x0 + (x1 - x0) * g / (n - 1) as f64;
    let mut markers = vec![];
    if let Some(rho) = pic.rho.filter(|r| r.len() == nx) {
        for g in crossings(rho) {
            let x = at(g, nx);
            markers.push((x, theme.fg, format!("ρ = 1 at {}", sig(x))));
        }
    }
    let Some(t) = pic.theory.filter(|t| t.ny == 1 && t.nx > 1) else {
        return markers;
    };
    for l in crossings(&t.contraction) {
        let x = at(l, t.nx);
        markers.push((x, CONTRACTION, format!("contraction = 1 at {}", sig(x))));
    }
    let name = if pic.x_title == "α" {
        "α*"
    } else {
        "closed form"
    };
    for l in t
        .circulant_rho
        .as_deref()
        .map(crossings)
        .unwrap_or_default()
    {
        let x = at(l, t.nx);
        markers.push((x, CLOSED_FORM, format!("{name} = {}", sig(x))));
    }
    markers
}

/// Dashed vertical markers with their labels, stacked from the top.
fn draw_markers<DB: DrawingBackend>(
    chart: &mut ChartContext<DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>,
    markers: &[(f64, RGBColor, String)],
    (ya, yb): (f64, f64),
    scale: f64,
    font: &TextStyle,
) -> DrawResult {
    for (i, (x, colour, label)) in markers.iter().enumerate() {
        let dash: Vec<PathElement<(f64, f64)>> = (0..20)
            .step_by(2)
            .map(|s| {
                let f = |k: f64| ya + (yb - ya) * k / 20.0;
                PathElement::new(
                    vec![(*x, f(s as f64)), (*x, f(s as f64 + 1.0))],
                    colour.stroke_width(px(scale, 2.0)),
                )
            })
            .collect();
        chart.draw_series(dash).map_err(err)?;
        // Written away from the nearer side, so that it stays on the chart.
        let range = chart.x_range();
        let (h, dx) = if *x > (range.start + range.end) / 2.0 {
            (HPos::Right, -(px(scale, 4.0) as i32))
        } else {
            (HPos::Left, px(scale, 4.0) as i32)
        };
        let at = (*x, yb - (yb - ya) * (0.06 + 0.08 * i as f64));
        chart
            .draw_series(std::iter::once(
                EmptyElement::at(at)
                    + Text::new(
                        label.clone(),
                        (dx, 0),
                        font.clone().color(colour).pos(Pos::new(h, VPos::Top)),
                    ),
            ))
            .map_err(err)?;
    }
    Ok(())
}

/// The mean along x with a ± sd band.
fn draw_band<DB: DrawingBackend>(
    chart: &mut ChartContext<DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>,
    pic: &PhasePicture,
    theme: &Theme,
    scale: f64,
) -> DrawResult {
    let pts = |s: f64| -> Vec<(f64, f64)> {
        pic.x_values
            .iter()
            .zip(
                pic.mean
                    .iter()
                    .zip(pic.sd.iter().chain(std::iter::repeat(&0.0))),
            )
            .map(|(x, (m, d))| (*x, m + s * d))
            .filter(|(_, v)| v.is_finite())
            .collect()
    };
    let (upper, mut lower) = (pts(1.0), pts(-1.0));
    lower.reverse();
    let poly: Vec<(f64, f64)> = upper.into_iter().chain(lower).collect();
    if poly.len() >= 3 {
        chart
            .draw_series(std::iter::once(Polygon::new(poly, theme.accent.mix(0.18))))
            .map_err(err)?;
    }
    chart
        .draw_series(LineSeries::new(
            pts(0.0),
            theme.accent.stroke_width(px(scale, 2.0)),
        ))
        .map_err(err)?;
    Ok(())
}

/// One row: the metric's mean along x with a ± sd band, and vertical markers where the
/// ensemble-mean ρ, the contraction bound and the circulant closed form cross 1.
fn draw_profile<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    scale: f64,
    theme: &Theme,
    pic: &PhasePicture,
) -> DrawResult<PhaseLayout> {
    let nx = pic.x_values.len();
    let legend_h = draw_top_legend(root, scale, theme, pic, true)?;
    let (_, area) = root.split_vertically(legend_h as u32 + px(scale, 4.0));
    let (x0, x1) = (pic.x_values[0], pic.x_values[nx - 1]);
    let half = (x1 - x0) / (nx - 1) as f64 / 2.0;
    let (xa, xb) = if x1 > x0 {
        (x0 - half, x1 + half)
    } else {
        (x1 + half, x0 - half)
    };
    let band = |s: f64| {
        pic.mean
            .iter()
            .zip(pic.sd.iter().chain(std::iter::repeat(&0.0)))
            .map(move |(m, d)| m + s * d)
    };
    let (lo, hi) = finite_range(band(-1.0).chain(band(1.0)));
    let pad = (hi - lo) * 0.05;
    let font = ("sans-serif", px(scale, 12.0)).into_font().color(&theme.fg);
    let mut chart = ChartBuilder::on(&area)
        .margin(px(scale, 8.0))
        .x_label_area_size(px(scale, 34.0))
        .y_label_area_size(px(scale, 54.0))
        .build_cartesian_2d(xa..xb, (lo - pad)..(hi + pad))
        .map_err(err)?;
    chart
        .configure_mesh()
        .x_desc(pic.x_title)
        .y_desc(pic.metric_title)
        .x_label_formatter(&|v| tick_label(*v))
        .y_label_formatter(&|v| tick_label(*v))
        .axis_desc_style(font.clone())
        .label_style(font.clone())
        .max_light_lines(0)
        .light_line_style(TRANSPARENT)
        .bold_line_style(theme.grid.mix(0.8))
        .axis_style(theme.fg)
        .draw()
        .map_err(err)?;
    draw_band(&mut chart, pic, theme, scale)?;
    let markers = profile_markers(pic, theme);
    let (ya, yb) = (lo - pad, hi + pad);
    draw_markers(&mut chart, &markers, (ya, yb), scale, &font)?;
    let (x_px, _) = chart.backend_coord(&(xa, hi));
    let (x_end, y_top) = chart.backend_coord(&(xb, yb));
    let (_, y_bottom) = chart.backend_coord(&(xa, ya));
    let plot_w = (x_end - x_px) as f64;
    Ok(PhaseLayout {
        left: x_px as f64,
        top: y_top as f64,
        cell_w: plot_w / nx as f64,
        cell_h: (y_bottom - y_top) as f64,
        nx,
        ny: 1,
        heatmap: false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn level_segments_trace_a_straight_line() {
        // f(i, j) = i + j on a 5 × 5 lattice: the level 4 is the anti-diagonal i + j = 4.
        let (nx, ny) = (5, 5);
        let field: Vec<f64> = (0..ny)
            .flat_map(|j| (0..nx).map(move |i| (i + j) as f64))
            .collect();
        let segs = level_segments(&field, nx, ny, 4.5);
        assert!(!segs.is_empty());
        for s in &segs {
            for (u, v) in s {
                assert!((u + v - 4.5).abs() < 1e-12, "({u}, {v}) is off the line");
            }
        }
        assert!(level_segments(&field, nx, ny, 100.0).is_empty());
    }

    /// The heatmap's legend, cells and colour bar on a phone (a canvas of 340 × 300 CSS
    /// pixels, at device pixel ratios 1, 2 and 3): every legend line within the canvas,
    /// the cells keep most of the height, the colour bar and its title fit to the right.
    #[test]
    fn the_legend_and_the_colour_bar_fit_a_phone() {
        let theory = TheoryField {
            nx: 2,
            ny: 2,
            x_values: vec![0.0, 1.0],
            y_values: vec![0.0, 4.0],
            contraction: vec![0.5; 4],
            circulant_rho: Some(vec![0.5; 4]),
            omega: None,
        };
        let mean = [1e-9, 1e-6, 1e-3, 0.2];
        let pic = PhasePicture {
            x_values: &[0.0, 1.0],
            y_values: &[0.0, 4.0],
            mean: &mean,
            sd: &[0.0; 4],
            rho: Some(&[0.5, 0.5, 1.5, 1.5]),
            collapsed: None,
            theory: Some(&theory),
            x_title: "α",
            y_title: "βλ",
            metric_title: "time-averaged variance V",
        };
        let entries = legend_entries(&pic, &Theme::default(), false);
        assert!(entries[1].1.starts_with("α + (βλ/2)‖P − ½11ᵀ‖₂ = 1"));
        let texts: Vec<&str> = entries.iter().map(|(_, t)| t.as_str()).collect();
        for scale in [1.0, 2.0, 3.0] {
            let (w, h) = (340.0 * scale, 300.0 * scale);
            let (x0, y0, width) = legend_strip(w, scale);
            let (items, legend_h) = legend_layout(&texts, width, scale);
            let m = LegendMetrics::new(scale);
            assert_eq!(items.len(), 3);
            for item in &items {
                for (row, line) in item.lines.iter().enumerate() {
                    let right = x0 + item.x + m.swatch + m.gap + text_width(line, m.font);
                    assert!(right <= w, "{line:?} ends at {right} > {w}");
                    let bottom = y0 + item.y + (row + 1) as f64 * m.row_h;
                    assert!(bottom <= y0 + legend_h + 1e-9);
                }
            }
            // Nothing lost: the lines give back each entry's text.
            for (item, text) in items.iter().zip(&texts) {
                assert_eq!(item.lines.join(" "), *text);
            }
            assert!(legend_h <= 80.0 * scale, "legend {legend_h} px tall");
            let plot_h = h - legend_h - (px(scale, 10.0) + px(scale, 46.0)) as f64;
            let bar = ColourBar::new(&pic, scale, plot_h);
            let l = heatmap_layout((w, h), scale, (2, 2), legend_h, bar.width());
            let (_, top, cells_w, cells_h) = l.cells_rect();
            assert!(top >= y0 + legend_h, "cells under the legend");
            assert!(cells_h >= 150.0 * scale, "cells {cells_h} px tall");
            assert!(cells_w >= 120.0 * scale, "cells {cells_w} px wide");
            assert!(l.right() + bar.width() <= w + 1e-9);
            for line in &bar.title {
                assert!(text_width(line, bar.title_font) <= cells_h, "{line:?}");
            }
        }
    }

    /// A verdict cell is drawn in [`COLLAPSES`] exactly when more of its runs collapse
    /// than oscillate or settle, and the legend then names that colour first.
    #[test]
    fn cells_where_most_runs_collapse_have_their_own_colour() {
        // Cells (x, y): oscillating share, collapsed share.
        let mean = [0.0, 1.0, 0.0, 0.25, 0.4];
        let collapsed = [0.0, 0.0, 1.0, 0.5, 0.4];
        let pic = PhasePicture {
            x_values: &[0.0, 0.25, 0.5, 0.75, 1.0],
            y_values: &[1.0],
            mean: &mean,
            sd: &[0.0; 5],
            rho: None,
            collapsed: Some(&collapsed),
            theory: None,
            x_title: "α",
            y_title: "βλ",
            metric_title: "share of runs oscillating",
        };
        let rgba = phase_cell_rgba(&pic);
        let colour = |i: usize| RGBColor(rgba[4 * i], rgba[4 * i + 1], rgba[4 * i + 2]);
        let scale = ColourScale::of(&mean);
        assert_eq!(colour(0), scale.colour(0.0));
        assert_eq!(colour(1), scale.colour(1.0));
        assert_eq!(colour(2), COLLAPSES);
        // Half collapse, a quarter oscillate, a quarter settle.
        assert_eq!(colour(3), COLLAPSES);
        // 0.4 collapse, 0.4 oscillate: a tie is not "most".
        assert_eq!(colour(4), scale.colour(0.4));
        assert!((0..=4).all(|i| colour(i) != COLLAPSES || collapsed[i] >= 0.5));
        let entries = legend_entries(&pic, &Theme::default(), false);
        assert_eq!(
            entries[0],
            (COLLAPSES, "most runs collapse onto one response".into())
        );
        let none = PhasePicture {
            collapsed: Some(&[0.0; 5]),
            ..pic
        };
        assert!(legend_entries(&none, &Theme::default(), false).is_empty());
        assert!(phase_cell_rgba(&none)
            .chunks(4)
            .all(|c| RGBColor(c[0], c[1], c[2]) != COLLAPSES));
    }

    #[test]
    fn crossings_interpolate() {
        assert_eq!(crossings(&[0.5, 1.5]), vec![0.5]);
        assert_eq!(crossings(&[0.5, 0.9, 1.3, 0.7]), vec![1.25, 2.5]);
        assert!(crossings(&[f64::NAN, 2.0]).is_empty());
    }
}
