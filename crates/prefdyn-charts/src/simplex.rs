//! The ternary plot for K = 3: the trajectory on the simplex Δ₃ and, with a
//! [`Portrait`], the phase portrait as game-dynamics tools draw it (EGTtools' `Simplex2D`,
//! Dynamo): arrows of the map's step `F(π) − π` on a lattice coloured by its speed, the
//! fixed point filled when ρ < 1 and hollow when ρ > 1, one trajectory per start.
//!
//! [`SimplexLayout`] is the one geometry: the chart draws with it and the page maps a
//! click back to barycentric coordinates with its inverse, so the two always agree.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use prefdyn::portrait::{Portrait, LATTICE_DIVISIONS};

use super::{err, px, sequential, DrawResult, RunLine, RunPicture, Theme};

/// Where the simplex lies on a drawing area: vertex i is response i (0 at the top, 1 bottom
/// left, 2 bottom right), in the area's pixels.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SimplexLayout {
    pub verts: [(f64, f64); 3],
}

impl Default for SimplexLayout {
    fn default() -> Self {
        SimplexLayout {
            verts: [(0.0, 0.0); 3],
        }
    }
}

impl SimplexLayout {
    /// The equilateral triangle on a `w × h` area: as large as fits inside a padding of
    /// `26 · scale` pixels, centred; side `s = min(w − 2pad, (h − 2pad)·2/√3)`.
    pub fn new(w: f64, h: f64, scale: f64) -> SimplexLayout {
        let pad = px(scale, 26.0) as f64;
        let r3 = 3f64.sqrt();
        let side = (w - 2.0 * pad).min((h - 2.0 * pad) * 2.0 / r3).max(1.0);
        let cx = w / 2.0;
        let top = (h - side * r3 / 2.0) / 2.0;
        let bottom = top + side * r3 / 2.0;
        SimplexLayout {
            verts: [
                (cx, top),
                (cx - side / 2.0, bottom),
                (cx + side / 2.0, bottom),
            ],
        }
    }

    /// The same layout with every coordinate divided by `factor` (device → CSS pixels).
    pub fn scaled(&self, factor: f64) -> SimplexLayout {
        SimplexLayout {
            verts: self.verts.map(|(x, y)| (x / factor, y / factor)),
        }
    }

    /// Length of a side in pixels.
    pub fn side(&self) -> f64 {
        let [(x1, y1), (x2, y2)] = [self.verts[1], self.verts[2]];
        (x2 - x1).hypot(y2 - y1)
    }

    /// The pixel of π: `Σ_i π_i v_i`.
    pub fn pixel(&self, p: &[f64]) -> (f64, f64) {
        let v = &self.verts;
        let (a, b, c) = (p[0], p[1], p[2]);
        (
            a * v[0].0 + b * v[1].0 + c * v[2].0,
            a * v[0].1 + b * v[1].1 + c * v[2].1,
        )
    }

    /// The inverse of [`SimplexLayout::pixel`] on the plane: the barycentric coordinates
    /// `(π₀, π₁, π₂)` (summing to 1, negative outside the triangle) of pixel `(x, y)`,
    /// from `(x, y) − v₀ = π₁ (v₁ − v₀) + π₂ (v₂ − v₀)`. `None` for a degenerate layout.
    pub fn barycentric(&self, x: f64, y: f64) -> Option<[f64; 3]> {
        let [(x0, y0), (x1, y1), (x2, y2)] = self.verts;
        let (ax, ay, bx, by) = (x1 - x0, y1 - y0, x2 - x0, y2 - y0);
        let det = ax * by - ay * bx;
        if !(det.abs() > 1e-9 && x.is_finite() && y.is_finite()) {
            return None;
        }
        let (dx, dy) = (x - x0, y - y0);
        let b1 = (dx * by - dy * bx) / det;
        let b2 = (ax * dy - ay * dx) / det;
        Some([1.0 - b1 - b2, b1, b2])
    }

    /// The point of Δ₃ a click at `(x, y)` means: its barycentric coordinates when every one
    /// is `≥ −tolerance` (on or just outside the triangle), clamped to `≥ 0` and
    /// renormalised; `None` farther out.
    pub fn point_at(&self, x: f64, y: f64, tolerance: f64) -> Option<[f64; 3]> {
        let b = self.barycentric(x, y)?;
        if b.iter().any(|&v| v < -tolerance) {
            return None;
        }
        let c = b.map(|v| v.max(0.0));
        let s: f64 = c.iter().sum();
        (s > 0.0).then(|| c.map(|v| v / s))
    }
}

/// The colour of start i's trajectory (qualitative; apart from the accent and the speed
/// scale's hues as far as eight colours allow).
pub fn start_colour(i: usize) -> RGBColor {
    const C: [(u8, u8, u8); 8] = [
        (255, 127, 14),
        (227, 119, 194),
        (23, 190, 207),
        (140, 86, 75),
        (31, 119, 180),
        (188, 189, 34),
        (127, 127, 127),
        (148, 103, 189),
    ];
    let (r, g, b) = C[i % C.len()];
    RGBColor(r, g, b)
}

/// The colour of speed `v` on a scale up to `max`: the sequential map on `[0.1, 0.9]`
/// (its darkest and lightest ends kept off, so arrows show on light and dark pages),
/// linear in `v / max`.
pub fn speed_colour(v: f64, max: f64) -> RGBColor {
    let t = if max > 0.0 && v.is_finite() {
        (v / max).clamp(0.0, 1.0)
    } else {
        0.0
    };
    sequential(0.1 + 0.8 * t)
}

fn ipt((x, y): (f64, f64)) -> (i32, i32) {
    (x.round() as i32, y.round() as i32)
}

/// The simplex's outline with the responses' labels at its vertices.
fn draw_triangle<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    scale: f64,
    theme: &Theme,
    layout: &SimplexLayout,
    labels: &[String],
) -> DrawResult {
    let tri: Vec<(i32, i32)> = layout.verts.iter().map(|&v| ipt(v)).collect();
    let mut closed = tri.clone();
    closed.push(tri[0]);
    root.draw(&PathElement::new(
        closed,
        theme.fg.stroke_width(px(scale, 1.0)),
    ))
    .map_err(err)?;
    let font = ("sans-serif", px(scale, 12.0)).into_font().color(&theme.fg);
    let visible = prefdyn::import::short_labels(labels, 14);
    for (i, &(x, y)) in tri.iter().enumerate() {
        let dy = if i == 0 {
            -(px(scale, 16.0) as i32)
        } else {
            px(scale, 4.0) as i32
        };
        let label = visible.get(i).cloned().unwrap_or_default();
        root.draw(&Text::new(
            label,
            (x - px(scale, 4.0) as i32, y + dy),
            font.clone(),
        ))
        .map_err(err)?;
    }
    Ok(())
}

/// One arrow per lattice point, centred on it, of a fixed length (0.7 of the lattice
/// spacing) in the direction of `F(π) − π`, coloured by `‖F(π) − π‖₂`; a dot where the
/// step is below 1e-12 (no direction).
fn draw_arrows<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    scale: f64,
    layout: &SimplexLayout,
    portrait: &Portrait,
) -> DrawResult {
    let f = &portrait.field;
    let len = 0.7 * layout.side() / LATTICE_DIVISIONS as f64;
    let stroke = px(scale, 1.5);
    for ((p, d), &speed) in f.points.iter().zip(&f.steps).zip(&f.speeds) {
        let colour = speed_colour(speed, portrait.max_speed);
        let c = layout.pixel(p);
        // The step in pixels: Σ d_i v_i (Σ d_i = 0, so the origin cancels).
        let tip = layout.pixel(&[p[0] + d[0], p[1] + d[1], p[2] + d[2]]);
        let (ux, uy) = (tip.0 - c.0, tip.1 - c.1);
        let n = ux.hypot(uy);
        if !(speed > 1e-12 && n > 0.0 && n.is_finite()) {
            root.draw(&Circle::new(ipt(c), px(scale, 1.5), colour.filled()))
                .map_err(err)?;
            continue;
        }
        let (ux, uy) = (ux / n, uy / n);
        let head = (c.0 + ux * len / 2.0, c.1 + uy * len / 2.0);
        let tail = (c.0 - ux * len / 2.0, c.1 - uy * len / 2.0);
        // Barbs at ±28° from the reversed direction, 40% of the length.
        let (bl, ang) = (0.4 * len, 28f64.to_radians());
        let barb = |s: f64| {
            let (cs, sn) = (ang.cos(), s * ang.sin());
            let (rx, ry) = (-ux * cs + uy * sn, -uy * cs - ux * sn);
            ipt((head.0 + rx * bl, head.1 + ry * bl))
        };
        let style = colour.stroke_width(stroke);
        root.draw(&PathElement::new(vec![ipt(tail), ipt(head)], style))
            .map_err(err)?;
        root.draw(&PathElement::new(
            vec![barb(1.0), ipt(head), barb(-1.0)],
            style,
        ))
        .map_err(err)?;
    }
    Ok(())
}

/// The speed legend in the top-left corner: a bar from 0 to the largest speed.
fn draw_speed_legend<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    scale: f64,
    theme: &Theme,
    max_speed: f64,
) -> DrawResult {
    let (x0, y0) = (px(scale, 6.0) as i32, px(scale, 18.0) as i32);
    let (w, h) = (px(scale, 64.0) as i32, px(scale, 7.0) as i32);
    let font = ("sans-serif", px(scale, 10.0)).into_font().color(&theme.fg);
    root.draw(&Text::new(
        "speed ‖F(π)−π‖",
        (x0, y0 - px(scale, 13.0) as i32),
        font.clone(),
    ))
    .map_err(err)?;
    for i in 0..w {
        let t = i as f64 / (w - 1).max(1) as f64;
        root.draw(&Rectangle::new(
            [(x0 + i, y0), (x0 + i + 1, y0 + h)],
            speed_colour(t, 1.0).filled(),
        ))
        .map_err(err)?;
    }
    let below = y0 + h + px(scale, 2.0) as i32;
    root.draw(&Text::new("0", (x0, below), font.clone()))
        .map_err(err)?;
    // The largest speed right of the bar (3 significant digits, `1.2 × 10⁻⁴` when tiny).
    let max = prefdyn::text::sig(max_speed);
    let beside = font.pos(Pos::new(HPos::Left, VPos::Center));
    root.draw(&Text::new(
        max,
        (x0 + w + px(scale, 4.0) as i32, y0 + h / 2),
        beside,
    ))
    .map_err(err)?;
    Ok(())
}

/// A path `π_0..π_upto` (row-major, 3 per row) as pixels.
fn trace(layout: &SimplexLayout, path: &[f64], upto: usize) -> Vec<(i32, i32)> {
    path.chunks_exact(3)
        .take(upto + 1)
        .map(|p| ipt(layout.pixel(p)))
        .collect()
}

/// The starts' trajectories in their colours, each with a square at its start and a disc
/// at round `upto`.
fn draw_start_paths<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    scale: f64,
    theme: &Theme,
    layout: &SimplexLayout,
    (portrait, upto): (&Portrait, usize),
) -> DrawResult {
    for (i, t) in portrait.trajectories.iter().enumerate() {
        let colour = start_colour(i);
        let path = trace(layout, &t.policies, upto);
        root.draw(&PathElement::new(
            path.clone(),
            colour.stroke_width(px(scale, 1.5)),
        ))
        .map_err(err)?;
        if let Some(&(x, y)) = path.first() {
            let r = px(scale, 3.5) as i32;
            let sq = [(x - r, y - r), (x + r, y + r)];
            root.draw(&Rectangle::new(sq, colour.filled()))
                .map_err(err)?;
            root.draw(&Rectangle::new(sq, theme.fg.stroke_width(px(scale, 1.0))))
                .map_err(err)?;
        }
        if let Some(&end) = path.last() {
            root.draw(&Circle::new(end, px(scale, 3.0), colour.filled()))
                .map_err(err)?;
        }
    }
    Ok(())
}

/// The fixed point: a filled disc when it attracts (ρ < 1), a hollow ring (its inside
/// painted with the background) otherwise; a plain ring without a portrait.
fn draw_fixed_point<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    scale: f64,
    theme: &Theme,
    at: (i32, i32),
    filled: Option<bool>,
) -> DrawResult {
    let r = px(scale, 6.0);
    match filled {
        Some(true) => {
            root.draw(&Circle::new(at, r, theme.fg.filled()))
                .map_err(err)?;
            root.draw(&Circle::new(at, r, theme.bg.stroke_width(px(scale, 1.0))))
                .map_err(err)?;
        }
        Some(false) => {
            root.draw(&Circle::new(at, r, theme.bg.filled()))
                .map_err(err)?;
            root.draw(&Circle::new(at, r, theme.fg.stroke_width(px(scale, 2.0))))
                .map_err(err)?;
        }
        None => {
            root.draw(&Circle::new(at, r, theme.fg.stroke_width(px(scale, 2.0))))
                .map_err(err)?;
        }
    }
    Ok(())
}

/// Ternary plot for K = 3: vertices are the responses, the path is π_0..π_upto, the fixed
/// point a ring. See [`draw_portrait`] for the phase portrait.
pub fn draw_simplex<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    scale: f64,
    theme: &Theme,
    run: &RunPicture,
) -> DrawResult {
    draw_simplex_with(root, scale, theme, run, None).map(|_| ())
}

/// The phase portrait for K = 3: the step field's arrows coloured by speed (with a
/// legend), the π₀ trajectory of `run` and the starts' trajectories up to `run.upto`, the
/// fixed point filled (ρ < 1) or hollow. Returns the layout (in the area's pixels).
pub fn draw_portrait<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    scale: f64,
    theme: &Theme,
    run: &RunPicture,
    portrait: &Portrait,
) -> DrawResult<SimplexLayout> {
    draw_simplex_with(root, scale, theme, run, Some(portrait))
}

/// Several K = 3 runs on one simplex: each trajectory (`values`, row-major π_0..π_T) up to
/// `upto` in its run's colour, its start a small dot and its position at `upto` a larger
/// one. Returns the layout.
pub fn draw_simplex_runs<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    scale: f64,
    theme: &Theme,
    labels: &[String],
    runs: &[RunLine],
    upto: usize,
) -> DrawResult<SimplexLayout> {
    root.fill(&theme.bg).map_err(err)?;
    let (w, h) = root.dim_in_pixel();
    let layout = SimplexLayout::new(w as f64, h as f64, scale);
    draw_triangle(root, scale, theme, &layout, labels)?;
    for r in runs {
        let path = trace(&layout, r.values, upto);
        root.draw(&PathElement::new(
            path.clone(),
            r.colour.stroke_width(px(scale, 2.0)),
        ))
        .map_err(err)?;
        if let Some(&p0) = path.first() {
            root.draw(&Circle::new(p0, px(scale, 2.5), r.colour.filled()))
                .map_err(err)?;
        }
        if let Some(&pt) = path.last() {
            root.draw(&Circle::new(pt, px(scale, 4.5), r.colour.filled()))
                .map_err(err)?;
        }
    }
    root.present().map_err(err)?;
    Ok(layout)
}

fn draw_simplex_with<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    scale: f64,
    theme: &Theme,
    run: &RunPicture,
    portrait: Option<&Portrait>,
) -> DrawResult<SimplexLayout> {
    let RunPicture {
        policies,
        upto,
        labels,
        fixed_point,
        ..
    } = *run;
    root.fill(&theme.bg).map_err(err)?;
    let (w, h) = root.dim_in_pixel();
    let layout = SimplexLayout::new(w as f64, h as f64, scale);
    if let Some(pt) = portrait {
        draw_arrows(root, scale, &layout, pt)?;
        draw_speed_legend(root, scale, theme, pt.max_speed)?;
    }
    draw_triangle(root, scale, theme, &layout, labels)?;
    if let Some(samples) = &run.samples {
        for p in samples.paths {
            root.draw(&PathElement::new(
                trace(&layout, p, upto),
                theme.accent.mix(0.2).stroke_width(px(scale, 1.0)),
            ))
            .map_err(err)?;
        }
    }
    // π₀'s path under the starts' (on a shared limit cycle every path is visible); with
    // samples thin, or hidden, under their mean path, the boldest line.
    let path = trace(&layout, policies, upto);
    let population = run.samples.is_none() || run.population;
    if population {
        let width = if run.samples.is_some() { 1.25 } else { 2.0 };
        root.draw(&PathElement::new(
            path.clone(),
            theme.accent.stroke_width(px(scale, width)),
        ))
        .map_err(err)?;
    }
    if let Some(samples) = &run.samples {
        root.draw(&PathElement::new(
            trace(&layout, samples.mean, upto),
            theme.fg.stroke_width(px(scale, 3.0)),
        ))
        .map_err(err)?;
    }
    if let Some(pt) = portrait {
        draw_start_paths(root, scale, theme, &layout, (pt, upto))?;
    }
    if let Some(&p0) = path.first() {
        root.draw(&Circle::new(p0, px(scale, 3.0), theme.fg.filled()))
            .map_err(err)?;
    }
    if let Some(&pt) = path.last().filter(|_| population) {
        root.draw(&Circle::new(pt, px(scale, 4.0), theme.accent.filled()))
            .map_err(err)?;
    }
    if let Some(fp) = fixed_point {
        let filled = portrait.and_then(|p| p.fixed_point_filled);
        draw_fixed_point(root, scale, theme, ipt(layout.pixel(fp)), filled)?;
    }
    root.present().map_err(err)?;
    Ok(layout)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn the_inverse_undoes_the_layout() {
        let l = SimplexLayout::new(300.0, 280.0, 2.0);
        // side = min(300 − 2·52, (280 − 2·52)·2/√3) = 196.
        assert!((l.side() - 196.0).abs() < 1e-9);
        for p in [
            [1.0, 0.0, 0.0],
            [0.2, 0.3, 0.5],
            [0.0, 0.5, 0.5],
            [0.6, 0.1, 0.3],
        ] {
            let (x, y) = l.pixel(&p);
            let b = l.barycentric(x, y).unwrap();
            for i in 0..3 {
                assert!((b[i] - p[i]).abs() < 1e-12, "{p:?} → {b:?}");
            }
            assert_eq!(
                l.point_at(x, y, 0.0).map(|q| q.map(|v| (v * 1e9).round())),
                Some(p.map(|v| (v * 1e9).round()))
            );
        }
        // The vertices themselves.
        assert!((l.barycentric(l.verts[2].0, l.verts[2].1).unwrap()[2] - 1.0).abs() < 1e-12);
        // Just outside an edge: clamped onto it; far outside: nothing.
        let (x, y) = l.pixel(&[0.5, 0.52, -0.02]);
        let q = l.point_at(x, y, 0.05).unwrap();
        assert_eq!(q[2], 0.0);
        assert!((q.iter().sum::<f64>() - 1.0).abs() < 1e-12);
        assert_eq!(l.point_at(0.0, 0.0, 0.05), None);
        assert_eq!(SimplexLayout::default().barycentric(1.0, 1.0), None);
        // CSS pixels: the same point at half the coordinates.
        let css = l.scaled(2.0);
        let b = css.barycentric(x / 2.0, y / 2.0).unwrap();
        assert!((b[2] + 0.02).abs() < 1e-12);
    }

    #[test]
    fn speed_colours_run_along_the_sequential_map() {
        assert_eq!(speed_colour(0.0, 1.0), sequential(0.1));
        assert_eq!(speed_colour(2.0, 2.0), sequential(0.9));
        assert_eq!(speed_colour(f64::NAN, 1.0), sequential(0.1));
        assert_eq!(speed_colour(1.0, 0.0), sequential(0.1));
        assert_ne!(start_colour(0), start_colour(1));
    }
}
