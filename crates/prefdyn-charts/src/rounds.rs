//! The charts over rounds: π_t(i) with the fixed point and the finite-sample realisations,
//! each line named at its end in a margin right of the plot; the entropy with its value
//! at the cursor. Both return a [`RoundsLayout`], the geometry the page's hover readout
//! maps the pointer with. They are drawn on a [`Paint`] (`paint_*`: the page's canvas
//! without plotters) or on a plotters drawing area (`draw_*`: the CLI's files), the same
//! chart either way.

use plotters::coord::Shift;
use plotters::prelude::{DrawingArea, DrawingBackend, RGBColor};
use prefdyn::import::short_labels;
use prefdyn::text::sig;

use crate::paint::{Align, Baseline, Font, Paint, PlottersPaint, Rgba, Stroke};
use crate::{err, nice_ticks, px, series_colour, tick_label, DrawResult, Theme};

/// Where a chart over rounds put its plot: rounds `0..=t_max` from `left` to
/// `left + width`, values `y_max` at `top` down to `y_min` at `top + height` (backend
/// pixels; [`RoundsLayout::scaled`] gives CSS pixels).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct RoundsLayout {
    pub left: f64,
    pub top: f64,
    pub width: f64,
    pub height: f64,
    pub t_max: usize,
    pub y_min: f64,
    pub y_max: f64,
}

impl RoundsLayout {
    /// The pixel column of round `t` (fractional rounds allowed).
    pub fn x_of(&self, t: f64) -> f64 {
        if self.t_max == 0 {
            return self.left;
        }
        self.left + t / self.t_max as f64 * self.width
    }

    /// The pixel row of value `v`.
    pub fn y_of(&self, v: f64) -> f64 {
        let span = self.y_max - self.y_min;
        if span.is_nan() || span <= 0.0 {
            return self.top + self.height;
        }
        self.top + (self.y_max - v) / span * self.height
    }

    /// The round nearest to pixel column `x`, clamped to `0..=t_max`; `None` left or right
    /// of the plot (half a pixel of slack), for a non-finite `x` or an empty layout.
    pub fn round_at(&self, x: f64) -> Option<usize> {
        let inside = x >= self.left - 0.5 && x <= self.left + self.width + 0.5;
        if !(x.is_finite() && self.width > 0.0 && inside) {
            return None;
        }
        let t = ((x - self.left) / self.width * self.t_max as f64).round();
        Some((t.max(0.0) as usize).min(self.t_max))
    }

    /// Whether pixel `(x, y)` is on the plot.
    pub fn contains(&self, x: f64, y: f64) -> bool {
        x >= self.left
            && x <= self.left + self.width
            && y >= self.top
            && y <= self.top + self.height
    }

    /// The same layout with every length divided by `factor` (backend → CSS pixels).
    pub fn scaled(&self, factor: f64) -> RoundsLayout {
        RoundsLayout {
            left: self.left / factor,
            top: self.top / factor,
            width: self.width / factor,
            height: self.height / factor,
            ..*self
        }
    }
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
    /// Whether to draw the population run `policies` when there are samples (without
    /// samples it is always drawn): callers show it by default, the page can hide it.
    pub population: bool,
}

/// Finite-sample realisations drawn around a run: each one faintly, their mean path as
/// the boldest line.
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

/// Labels written at the lines' ends at most when K > 10 (the largest at the cursor); the
/// others are counted in a note.
pub const MAX_END_LABELS: usize = 8;

/// A name written right of the plot at the end of its line: response `index` (`None` for
/// the "+n more" note), the pixel row of its value at the cursor (`anchor`) and the row
/// its text is centred on (`y`), pushed off its neighbours.
#[derive(Clone, Debug, PartialEq)]
pub struct EndLabel {
    pub index: Option<usize>,
    pub text: String,
    pub anchor: f64,
    pub y: f64,
}

/// The indices of `keys` from the smallest key to the largest (in `f64::total_cmp`'s
/// order; ties by index, so the order is stable). An insertion sort: the keys are the K
/// ≤ 64 responses or the labels, and the standard library's sorts would cost the page's
/// first module about 4 KB of code for this one order.
fn ascending(keys: &[f64]) -> Vec<usize> {
    let mut order: Vec<usize> = Vec::with_capacity(keys.len());
    for i in 0..keys.len() {
        let at = order.partition_point(|&j| keys[j].total_cmp(&keys[i]).is_le());
        order.insert(at, i);
    }
    order
}

/// Centres for labels that want rows `wanted`, in the same order: as close to them as
/// they can be (least squares) with neighbours at least `gap` apart and every centre in
/// `[lo, hi]`. When `n` labels cannot fit (`(n − 1)·gap > hi − lo`) they share the span
/// evenly. Non-finite rows count as `hi`.
pub fn spread_labels(wanted: &[f64], gap: f64, (lo, hi): (f64, f64)) -> Vec<f64> {
    let n = wanted.len();
    if !(lo.is_finite() && hi.is_finite() && gap.is_finite()) {
        return wanted.to_vec();
    }
    let hi = hi.max(lo);
    let gap = if n > 1 {
        gap.max(0.0).min((hi - lo) / (n - 1) as f64)
    } else {
        0.0
    };
    let clean = |v: f64| if v.is_finite() { v.clamp(lo, hi) } else { hi };
    let order = ascending(&wanted.iter().map(|&v| clean(v)).collect::<Vec<_>>());
    // Runs of labels packed at exactly `gap`: (first position in `order`, length, Σ of
    // each member's wanted row minus its offset in the run).
    let start = |(_, len, sum): (usize, usize, f64)| {
        // max/min, not clamp: rounding may put the upper bound an ulp below `lo`.
        (sum / len as f64).max(lo).min(hi - (len - 1) as f64 * gap)
    };
    let mut runs: Vec<(usize, usize, f64)> = vec![];
    for (pos, &i) in order.iter().enumerate() {
        runs.push((pos, 1, clean(wanted[i])));
        while runs.len() >= 2 {
            let (b, a) = (runs[runs.len() - 1], runs[runs.len() - 2]);
            if start(a) + a.1 as f64 * gap <= start(b) {
                break;
            }
            runs.truncate(runs.len() - 2);
            runs.push((a.0, a.1 + b.1, a.2 + b.2 - (b.1 * a.1) as f64 * gap));
        }
    }
    let mut out = vec![0.0; n];
    for run in runs {
        let s = start(run);
        for j in 0..run.1 {
            out[order[run.0 + j]] = s + j as f64 * gap;
        }
    }
    out
}

/// The names to write at the lines' ends for values `values` at the cursor: every one
/// for K ≤ 10, else the [`MAX_END_LABELS`] largest and a note "+n more" (anchored at the
/// bottom, where the unnamed small values are), spread `gap` apart within `(top, bottom)`
/// by [`spread_labels`].
pub fn end_labels(
    values: &[f64],
    names: &[String],
    y_of: &dyn Fn(f64) -> f64,
    (top, bottom): (f64, f64),
    gap: f64,
) -> Vec<EndLabel> {
    let k = values.len();
    let mut shown: Vec<usize> = (0..k).collect();
    if k > 10 {
        // Largest first (negation reverses the total order).
        shown = ascending(&values.iter().map(|v| -v).collect::<Vec<_>>());
        shown.truncate(MAX_END_LABELS);
    }
    let mut out: Vec<EndLabel> = shown
        .iter()
        .map(|&i| EndLabel {
            index: Some(i),
            text: names
                .get(i)
                .filter(|s| !s.is_empty())
                .cloned()
                .unwrap_or_else(|| (i + 1).to_string()),
            anchor: y_of(values[i]),
            y: 0.0,
        })
        .collect();
    if k > shown.len() {
        out.push(EndLabel {
            index: None,
            text: format!("+{} more", k - shown.len()),
            anchor: bottom,
            y: 0.0,
        });
    }
    let rows: Vec<f64> = out.iter().map(|l| l.anchor).collect();
    for (label, y) in out.iter_mut().zip(spread_labels(&rows, gap, (top, bottom))) {
        label.y = y;
    }
    out
}

/// A round's tick label: the whole number (rounds are not negative).
fn round_label(t: f64) -> String {
    (t.round().max(0.0) as usize).to_string()
}

/// As many y tick labels as fit one per 28 CSS pixels of a surface `h` pixels high
/// (between 3 and 10).
fn y_label_count(h: f64, scale: f64) -> usize {
    ((h / scale.max(1e-9) / 28.0) as usize).clamp(3, 10)
}

/// The round values in `[0, hi]` with the smallest step that gives at most `n` of them.
fn ticks_at_most(hi: f64, n: usize) -> Vec<f64> {
    let mut target = n;
    loop {
        let ticks = nice_ticks(0.0, hi, target);
        if ticks.len() <= n || target <= 1 {
            return ticks;
        }
        target -= 1;
    }
}

/// The rounds to mark on the x axis: round values, at most `n` (see [`x_label_count`]),
/// whole rounds only.
fn round_ticks_at_most(t_max: usize, n: usize) -> Vec<f64> {
    ticks_at_most(t_max as f64, n)
        .into_iter()
        .filter(|t| t.fract() == 0.0)
        .collect()
}

/// As many round labels as fit a plot `width` pixels wide (between 2 and 11): each label
/// of T's digits at 11 CSS px, with room around it.
fn x_label_count(width: f64, scale: f64, t_max: usize) -> usize {
    let digits = t_max.max(1).to_string().len() as f64;
    let label = digits * 0.62 * 11.0 + 10.0;
    ((width / scale.max(1e-9) / label) as usize).clamp(2, 11)
}

/// The plot of a chart over rounds `0..=t_max` with values in `[0, y_max]` on a `w × h`
/// surface: margins of 8 CSS px (`right` px on the right), 44 px for the y labels left of
/// the plot, 34 px for the x labels below it. `left` and `top` are the plot's first pixel
/// column and row, `width` and `height` the pixels from them to its last.
fn rounds_layout(
    (w, h): (f64, f64),
    scale: f64,
    right: f64,
    t_max: usize,
    y_max: f64,
) -> RoundsLayout {
    let margin = px(scale, 8.0) as f64;
    let left = margin + px(scale, 44.0) as f64;
    let bottom = h - margin - px(scale, 34.0) as f64 - 1.0;
    RoundsLayout {
        left,
        top: margin,
        width: (w - right - 1.0 - left).max(0.0),
        height: (bottom - margin).max(0.0),
        t_max,
        y_min: 0.0,
        y_max,
    }
}

/// The pixel column of round `t` and the pixel row of value `v`, snapped towards the
/// origin as plotters snaps them (so that files look as they always have).
fn pixel_of(l: &RoundsLayout, t: f64, v: f64) -> (f64, f64) {
    ((l.x_of(t) + 1e-3).floor(), (l.y_of(v) - 1e-3).ceil())
}

/// The middle of the pixel at round `t` and value `v`.
fn point(l: &RoundsLayout, t: f64, v: f64) -> (f64, f64) {
    let (x, y) = pixel_of(l, t, v);
    (x + 0.5, y + 0.5)
}

/// A one-pixel solid line in `c`.
fn hairline(c: Rgba) -> Stroke {
    Stroke {
        colour: c,
        width: 1.0,
        dash: None,
    }
}

/// Text in `c` at `size` pixels anchored at its `align` and `baseline`.
fn font(size: f64, c: RGBColor, align: Align, baseline: Baseline) -> Font {
    Font {
        size,
        colour: Rgba::solid(c),
        align,
        baseline,
        turned: false,
    }
}

/// The frame of a chart over rounds (the left and bottom axes, with tick marks), a light
/// grid (lines at the ticks only), the tick labels and the axis titles.
fn paint_axes(
    p: &mut dyn Paint,
    (scale, theme): (f64, &Theme),
    l: &RoundsLayout,
    y_desc: &str,
) -> DrawResult {
    let (_, h) = p.size();
    let margin = px(scale, 8.0) as f64;
    let size = px(scale, 12.0) as f64;
    let (right, bottom) = (l.left + l.width, l.top + l.height);
    let title = font(size, theme.fg, Align::Centre, Baseline::Bottom);
    p.text(
        "round t",
        (l.left + ((l.width + 1.0) / 2.0).floor(), h - margin),
        &title,
    )?;
    let turned = Font {
        baseline: Baseline::Top,
        turned: true,
        ..title
    };
    p.text(
        y_desc,
        (margin, l.top + ((l.height + 1.0) / 2.0).floor()),
        &turned,
    )?;
    let xs = round_ticks_at_most(l.t_max, x_label_count(l.width, scale, l.t_max));
    let ys = ticks_at_most(l.y_max, y_label_count(h, scale));
    let grid = hairline(Rgba::of(theme.grid, 0.8));
    for &v in &ys {
        let y = point(l, 0.0, v).1;
        p.polyline(&[(l.left, y), (right + 1.0, y)], &grid)?;
    }
    for &t in &xs {
        let x = point(l, t, 0.0).0;
        p.polyline(&[(x, l.top), (x, bottom + 1.0)], &grid)?;
    }
    let axis = hairline(Rgba::solid(theme.fg));
    let corner = (l.left - 0.5, bottom + 1.5);
    p.polyline(&[(corner.0, l.top), corner, (right + 1.0, corner.1)], &axis)?;
    // Tick marks as long as plotters' (5 px, less on a tiny plot), labels twice that out.
    let tick = (0.05 * (l.width + 1.0).min(l.height + 1.0))
        .round()
        .min(5.0);
    let label = font(size, theme.fg, Align::Centre, Baseline::Top);
    for &t in &xs {
        let x = pixel_of(l, t, 0.0).0;
        p.text(&round_label(t), (x, bottom + 1.0 + 2.0 * tick), &label)?;
        let mark = [(x + 0.5, bottom + 1.0), (x + 0.5, bottom + 2.0 + tick)];
        p.polyline(&mark, &axis)?;
    }
    let label = font(size, theme.fg, Align::End, Baseline::Middle);
    for &v in &ys {
        let y = pixel_of(l, 0.0, v).1;
        p.text(&tick_label(v), (l.left - 2.0 * tick, y), &label)?;
        p.polyline(&[(l.left - 1.0 - tick, y + 0.5), (l.left, y + 0.5)], &axis)?;
    }
    Ok(())
}

/// The last row of a row-major path at or before round `upto`.
fn row_at(path: &[f64], k: usize, upto: usize) -> Option<&[f64]> {
    let rows = path.len() / k.max(1);
    path.chunks_exact(k.max(1))
        .nth(upto.min(rows.checked_sub(1)?))
}

/// One line per response of a row-major path over rounds `0..=upto` (those that exist),
/// in `stroke(i)`; a non-finite value breaks the line.
fn paint_paths(
    p: &mut dyn Paint,
    l: &RoundsLayout,
    path: &[f64],
    (k, upto): (usize, usize),
    stroke: &dyn Fn(usize) -> Stroke,
) -> DrawResult {
    for i in 0..k {
        let rows = path.chunks_exact(k).take(upto + 1).enumerate();
        let mut line: Vec<(f64, f64)> = vec![];
        for (t, row) in rows {
            if row[i].is_finite() {
                line.push(point(l, t as f64, row[i]));
                continue;
            }
            if line.len() >= 2 {
                p.polyline(&line, &stroke(i))?;
            }
            line.clear();
        }
        if line.len() >= 2 {
            p.polyline(&line, &stroke(i))?;
        }
    }
    Ok(())
}

/// The fixed point as thin dashes across the whole chart: a dash of 1/80 of the plot's
/// width every 1/40 of the rounds (at least every round).
fn paint_fixed_point(p: &mut dyn Paint, l: &RoundsLayout, fp: &[f64]) -> DrawResult {
    let t_max = l.t_max.max(1);
    let on = l.width / 80.0;
    let every = (t_max / 40).max(1) as f64 * l.width / t_max as f64;
    for (i, &v) in fp.iter().enumerate().filter(|(_, v)| v.is_finite()) {
        let stroke = Stroke {
            dash: Some((on, (every - on).max(0.0))),
            ..hairline(Rgba::of(series_colour(i), 0.6))
        };
        p.polyline(&[point(l, 0.0, v), point(l, t_max as f64, v)], &stroke)?;
    }
    Ok(())
}

/// The names at the lines' ends, right of the plot, in the lines' colours (the note
/// muted), each joined to its line's end row by a short leader.
fn paint_end_labels(
    p: &mut dyn Paint,
    (scale, theme): (f64, &Theme),
    l: &RoundsLayout,
    labels: &[EndLabel],
) -> DrawResult {
    let x0 = l.left + l.width;
    let text_x = (x0 + px(scale, 10.0) as f64).floor();
    for label in labels {
        let colour = match label.index {
            Some(i) => series_colour(i),
            None => theme.muted,
        };
        if label.index.is_some() {
            let leader = [
                (x0 + 2.5, label.anchor.round() + 0.5),
                (text_x - px(scale, 2.0) as f64 + 0.5, label.y.round() + 0.5),
            ];
            p.polyline(&leader, &hairline(Rgba::solid(colour)))?;
        }
        let f = font(
            px(scale, 11.0) as f64,
            colour,
            Align::Start,
            Baseline::Middle,
        );
        p.text(&label.text, (text_x, label.y.round()), &f)?;
    }
    Ok(())
}

/// The texts the lines' ends get, before the chart is laid out (to size the margin): the
/// name of every response for K ≤ 10, else of the [`MAX_END_LABELS`] largest and the note.
fn end_texts(values: &[f64], names: &[String]) -> Vec<String> {
    end_labels(values, names, &|_| 0.0, (0.0, 0.0), 0.0)
        .into_iter()
        .map(|l| l.text)
        .collect()
}

/// π_t(i) over rounds 0..=upto on any plotters drawing area (the CLI's PNG and SVG):
/// [`paint_policy`] through [`PlottersPaint`].
pub fn draw_policy<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    scale: f64,
    theme: &Theme,
    run: &RunPicture,
) -> DrawResult<RoundsLayout> {
    let layout = paint_policy(&mut PlottersPaint { root }, scale, theme, run)?;
    root.present().map_err(err)?;
    Ok(layout)
}

/// π_t(i) over rounds 0..=upto, one line per response named at its end, the fixed point
/// dashed; with samples, the realisations faint, the population run thin (or hidden) and
/// the mean path boldest. `scale` multiplies fonts and strokes (the device pixel ratio).
/// Returns the plot's geometry in the surface's pixels.
pub fn paint_policy(
    p: &mut dyn Paint,
    scale: f64,
    theme: &Theme,
    run: &RunPicture,
) -> DrawResult<RoundsLayout> {
    paint_policy_on(p, scale, theme, run, None)
}

/// The axes several charts share (small multiples): rounds `0..=t_max`, values up to
/// `y_max`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SharedAxes {
    pub t_max: usize,
    pub y_max: f64,
}

impl SharedAxes {
    /// The axes that hold every run: the longest T and the largest probability (× 1.05,
    /// at most 1).
    pub fn of(runs: &[RunPicture]) -> SharedAxes {
        let t_max = runs
            .iter()
            .map(|r| (r.policies.len() / r.k.max(1)).saturating_sub(1))
            .max()
            .unwrap_or(1)
            .max(1);
        SharedAxes {
            t_max,
            y_max: runs.iter().map(y_top).fold(0.0, f64::max).min(1.0),
        }
    }
}

/// The top of a run's y axis: its largest probability × 1.05.
fn y_top(run: &RunPicture) -> f64 {
    run.policies
        .iter()
        .copied()
        .chain(run.samples.map(|s| s.max()))
        .filter(|v| v.is_finite())
        .fold(0.0, f64::max)
        .max(1e-3)
        * 1.05
}

/// [`paint_policy`] on `axes` shared with other charts (`None`: the run's own).
pub fn paint_policy_on(
    p: &mut dyn Paint,
    scale: f64,
    theme: &Theme,
    run: &RunPicture,
    axes: Option<SharedAxes>,
) -> DrawResult<RoundsLayout> {
    let RunPicture { k, policies, .. } = *run;
    let (w, h) = p.size();
    p.fill_rect((0.0, 0.0, w, h), Rgba::solid(theme.bg))?;
    if k == 0 || policies.len() < k {
        return Ok(RoundsLayout::default());
    }
    let own_t = (policies.len() / k).saturating_sub(1).max(1);
    let t_max = axes.map_or(own_t, |a| a.t_max.max(own_t));
    let upto = run.upto.min(own_t);
    let y_max = axes.map_or_else(|| y_top(run), |a| a.y_max);
    // The lines named at their ends: the mean path's when there are samples.
    let named = run.samples.map_or(policies, |s| s.mean);
    let values = row_at(named, k, upto).or(row_at(policies, k, upto));
    let values = values.unwrap_or_default();
    let narrow = w < 560.0 * scale;
    let names = short_labels(run.labels, if narrow { 8 } else { 14 });
    let font_px = px(scale, 11.0) as f64;
    let widest = end_texts(values, &names)
        .iter()
        .map(|t| p.text_width(t, font_px))
        .fold(0.0, f64::max);
    let right = (widest + px(scale, 14.0) as f64).ceil();
    let layout = rounds_layout((w, h), scale, right, t_max, y_max.min(1.0));
    paint_axes(p, (scale, theme), &layout, "π_t(i)")?;
    if let Some(fp) = run.fixed_point {
        paint_fixed_point(p, &layout, &fp[..fp.len().min(k)])?;
    }
    paint_run_lines(p, &layout, scale, run, upto)?;
    let gap = px(scale, 13.0) as f64;
    let bottom = layout.top + layout.height;
    let rows = (layout.top + gap / 2.0, bottom - gap / 2.0);
    let labels = end_labels(values, &names, &|v| layout.y_of(v), rows, gap);
    paint_end_labels(p, (scale, theme), &layout, &labels)?;
    Ok(layout)
}

/// A solid line of `c` at opacity `a`, `width` pixels wide.
fn line(c: RGBColor, a: f64, width: u32) -> Stroke {
    Stroke {
        colour: Rgba::of(c, a),
        width: width as f64,
        dash: None,
    }
}

/// The run's lines: without samples the population run (2 CSS px); with samples the
/// realisations (1 px, faint), the population run (1.25 px, lighter; unless hidden) and
/// the mean path on top (3 px, solid).
fn paint_run_lines(
    p: &mut dyn Paint,
    l: &RoundsLayout,
    scale: f64,
    run: &RunPicture,
    upto: usize,
) -> DrawResult {
    let (k, policies) = (run.k, run.policies);
    let Some(samples) = &run.samples else {
        let stroke = px(scale, 2.0);
        return paint_paths(p, l, policies, (k, upto), &|i| {
            line(series_colour(i), 1.0, stroke)
        });
    };
    let faint = px(scale, 1.0);
    for path in samples.paths {
        paint_paths(p, l, path, (k, upto), &|i| {
            line(series_colour(i), 0.2, faint)
        })?;
    }
    if run.population {
        let thin = px(scale, 1.25);
        paint_paths(p, l, policies, (k, upto), &|i| {
            line(series_colour(i), 0.75, thin)
        })?;
    }
    let bold = px(scale, 3.0);
    paint_paths(p, l, samples.mean, (k, upto), &|i| {
        line(series_colour(i), 1.0, bold)
    })
}

/// The entropy of the uniform policy, log K: a muted dashed line named at its start.
fn paint_log_k(
    p: &mut dyn Paint,
    (scale, theme): (f64, &Theme),
    l: &RoundsLayout,
    lk: f64,
) -> DrawResult {
    let stroke = Stroke {
        dash: Some((px(scale, 5.0) as f64, px(scale, 4.0) as f64)),
        ..line(theme.muted, 0.8, px(scale, 1.0))
    };
    p.polyline(&[point(l, 0.0, lk), point(l, l.t_max as f64, lk)], &stroke)?;
    let at = (
        (l.left + px(scale, 4.0) as f64).floor(),
        (l.y_of(lk) - px(scale, 2.0) as f64).floor(),
    );
    let f = font(
        px(scale, 10.0) as f64,
        theme.muted,
        Align::Start,
        Baseline::Bottom,
    );
    p.text("log K (uniform)", at, &f)
}

/// H(π_t) over rounds on any plotters drawing area: [`paint_entropy`] through
/// [`PlottersPaint`].
pub fn draw_entropy<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    scale: f64,
    theme: &Theme,
    entropies: &[f64],
    upto: usize,
    k: usize,
) -> DrawResult<RoundsLayout> {
    let mut p = PlottersPaint { root };
    let layout = paint_entropy(&mut p, scale, theme, entropies, upto, k)?;
    root.present().map_err(err)?;
    Ok(layout)
}

/// The top of an entropy chart `h` pixels high whose largest finite value is `max`, with
/// room left above log K for its name.
fn entropy_top(h: f64, scale: f64, max: f64) -> f64 {
    let frame = (px(scale, 16.0) + px(scale, 34.0)) as f64;
    let plot_h = (h - frame).max(1.0);
    let room = (1.0 - px(scale, 16.0) as f64 / plot_h).max(0.5);
    max.max(1e-3) / room
}

/// H(π_t) over rounds with log K as a reference line and the value at the cursor written
/// beside the line's end ("H = 0.0101"): [`paint_entropies`] with one line. Returns the
/// plot's geometry.
pub fn paint_entropy(
    p: &mut dyn Paint,
    scale: f64,
    theme: &Theme,
    entropies: &[f64],
    upto: usize,
    k: usize,
) -> DrawResult<RoundsLayout> {
    let value = entropies.get(upto.min(entropies.len().saturating_sub(1)));
    let name = value
        .map(|v| format!("H = {}", sig(*v)))
        .unwrap_or_default();
    let line = RunLine {
        values: entropies,
        colour: theme.accent,
        name: &name,
    };
    paint_entropies(p, scale, theme, &[line], upto, k)
}

/// [`paint_policy_on`] on any plotters drawing area (the CLI's small multiples).
pub fn draw_policy_on<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    scale: f64,
    theme: &Theme,
    run: &RunPicture,
    axes: Option<SharedAxes>,
) -> DrawResult<RoundsLayout> {
    let layout = paint_policy_on(&mut PlottersPaint { root }, scale, theme, run, axes)?;
    root.present().map_err(err)?;
    Ok(layout)
}

/// [`paint_entropies`] on any plotters drawing area.
pub fn draw_entropies<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    scale: f64,
    theme: &Theme,
    lines: &[RunLine],
    upto: usize,
    k: usize,
) -> DrawResult<RoundsLayout> {
    let layout = paint_entropies(&mut PlottersPaint { root }, scale, theme, lines, upto, k)?;
    root.present().map_err(err)?;
    Ok(layout)
}

/// One run's line on a comparison chart.
#[derive(Clone, Copy, Debug)]
pub struct RunLine<'a> {
    pub values: &'a [f64],
    pub colour: RGBColor,
    /// Its name at the line's end.
    pub name: &'a str,
}

/// H(π_t) of several runs on one chart, a line per run in its colour named at its end,
/// with log K (the largest K) as a reference line. Returns the plot's geometry.
pub fn paint_entropies(
    p: &mut dyn Paint,
    scale: f64,
    theme: &Theme,
    lines: &[RunLine],
    upto: usize,
    k: usize,
) -> DrawResult<RoundsLayout> {
    let (w, h) = p.size();
    p.fill_rect((0.0, 0.0, w, h), Rgba::solid(theme.bg))?;
    let t_max = lines
        .iter()
        .map(|l| l.values.len().saturating_sub(1))
        .max()
        .unwrap_or(0)
        .max(1);
    if lines.iter().all(|l| l.values.is_empty()) {
        return Ok(RoundsLayout::default());
    }
    let lk = (k.max(1) as f64).ln();
    let all = lines.iter().flat_map(|l| l.values.iter().copied());
    let h_max = entropy_top(h, scale, all.filter(|v| v.is_finite()).fold(lk, f64::max));
    let font_px = px(scale, 11.0) as f64;
    let right = lines
        .iter()
        .map(|l| p.text_width(l.name, font_px))
        .fold(0.0, f64::max);
    let right = (right + px(scale, 8.0) as f64).ceil();
    let layout = rounds_layout((w, h), scale, right, t_max, h_max);
    paint_axes(p, (scale, theme), &layout, "H(π_t) [nats]")?;
    paint_log_k(p, (scale, theme), &layout, lk)?;
    let mut ends = vec![];
    for l in lines {
        let Some(last) = l.values.len().checked_sub(1) else {
            continue;
        };
        let at = upto.min(last);
        let stroke = line(l.colour, 1.0, px(scale, 2.0));
        paint_paths(p, &layout, &l.values[..=at], (1, at), &|_| stroke)?;
        let v = l.values[at];
        ends.push((layout.y_of(if v.is_finite() { v } else { 0.0 }), at));
    }
    let gap = px(scale, 13.0) as f64;
    let bottom = layout.top + layout.height;
    let wanted: Vec<f64> = ends.iter().map(|e| e.0).collect();
    let rows = spread_labels(&wanted, gap, (layout.top + gap / 2.0, bottom - gap / 2.0));
    let named = lines.iter().filter(|l| !l.values.is_empty());
    for ((l, y), (_, at)) in named.zip(rows).zip(&ends) {
        let x = layout.x_of(*at as f64) + px(scale, 5.0) as f64;
        let f = font(font_px, l.colour, Align::Start, Baseline::Middle);
        p.text(l.name, (x.round(), y.round()), &f)?;
    }
    Ok(layout)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layout() -> RoundsLayout {
        RoundsLayout {
            left: 52.0,
            top: 8.0,
            width: 700.0,
            height: 300.0,
            t_max: 100,
            y_min: 0.0,
            y_max: 0.84,
        }
    }

    #[test]
    fn a_round_maps_to_its_pixel_and_back() {
        let l = layout();
        for t in 0..=100 {
            let x = l.x_of(t as f64);
            assert_eq!(l.round_at(x), Some(t));
            // Anywhere within half a round of it.
            assert_eq!(l.round_at(x + 3.4), Some(t).filter(|_| t < 100));
            assert_eq!(l.round_at(x.floor()), Some(t));
        }
        assert_eq!(l.round_at(51.0), None);
        assert_eq!(l.round_at(753.0), None);
        assert_eq!(l.round_at(f64::NAN), None);
        assert_eq!(RoundsLayout::default().round_at(0.0), None);
        // Values: y_max at the top, y_min at the bottom.
        assert_eq!(l.y_of(0.84), 8.0);
        assert_eq!(l.y_of(0.0), 308.0);
        assert!((l.y_of(0.42) - 158.0).abs() < 1e-9);
        assert!(l.contains(100.0, 100.0) && !l.contains(10.0, 100.0));
        // CSS pixels at a device pixel ratio of 2: the same rounds at half the pixels.
        let css = l.scaled(2.0);
        assert_eq!(css.round_at(l.x_of(37.0) / 2.0), Some(37));
        assert!((css.y_of(0.42) - 79.0).abs() < 1e-9);
        assert_eq!((css.t_max, css.y_max), (100, 0.84));
    }

    #[test]
    fn labels_are_spread_at_least_a_gap_apart_inside_the_span() {
        // Ten labels wanting nearly the same row, two apart, one far off and one NaN.
        let wanted = [
            100.0,
            101.0,
            99.5,
            100.2,
            5.0,
            300.0,
            f64::NAN,
            100.1,
            250.0,
            251.0,
        ];
        let (lo, hi) = (6.5, 293.5);
        let ys = spread_labels(&wanted, 13.0, (lo, hi));
        assert_eq!(ys.len(), wanted.len());
        let mut sorted = ys.clone();
        sorted.sort_by(f64::total_cmp);
        for w in sorted.windows(2) {
            assert!(w[1] - w[0] >= 13.0 - 1e-9, "{sorted:?}");
        }
        assert!(ys.iter().all(|&y| (lo - 1e-9..=hi + 1e-9).contains(&y)));
        // Order kept: 99.5 above 100.0 above 100.1 above 100.2 above 101.
        assert!(ys[2] < ys[0] && ys[0] < ys[7] && ys[7] < ys[3] && ys[3] < ys[1]);
        // A lone label stays where it wants to be; labels far apart do not move.
        assert_eq!(spread_labels(&[42.0], 13.0, (0.0, 100.0)), vec![42.0]);
        assert_eq!(
            spread_labels(&[10.0, 50.0, 90.0], 13.0, (0.0, 100.0)),
            vec![10.0, 50.0, 90.0]
        );
        // Two colliding labels move apart symmetrically.
        assert_eq!(
            spread_labels(&[50.0, 52.0], 10.0, (0.0, 100.0)),
            vec![46.0, 56.0]
        );
        // More labels than fit: spread evenly over the span.
        let squeezed = spread_labels(&[5.0; 5], 13.0, (0.0, 20.0));
        assert_eq!(squeezed, vec![0.0, 5.0, 10.0, 15.0, 20.0]);
    }

    #[test]
    fn sixty_four_responses_get_eight_names_and_a_note_without_overlap() {
        let k = 64;
        // Values close together so that the names must be pushed apart.
        let values: Vec<f64> = (0..k).map(|i| 0.01 + 0.0002 * i as f64).collect();
        let names: Vec<String> = (0..k).map(|i| format!("R{i}")).collect();
        let l = layout();
        let y_of = |v: f64| l.y_of(v);
        let (top, bottom) = (l.top + 6.5, l.top + l.height - 6.5);
        let labels = end_labels(&values, &names, &y_of, (top, bottom), 13.0);
        assert_eq!(labels.len(), MAX_END_LABELS + 1);
        // The 8 largest at the cursor: responses 63 down to 56.
        let named: Vec<usize> = labels.iter().filter_map(|l| l.index).collect();
        assert_eq!(named, (56..64).rev().collect::<Vec<_>>());
        assert_eq!(labels[0].text, "R63");
        assert_eq!(labels[8].index, None);
        assert_eq!(labels[8].text, "+56 more");
        let mut ys: Vec<f64> = labels.iter().map(|l| l.y).collect();
        ys.sort_by(f64::total_cmp);
        for w in ys.windows(2) {
            assert!(w[1] - w[0] >= 13.0 - 1e-9, "overlap: {ys:?}");
        }
        assert!(ys.iter().all(|&y| y >= top - 1e-9 && y <= bottom + 1e-9));
        // Each name keeps its line's order (larger values higher up) and its anchor.
        for w in labels[..8].windows(2) {
            assert!(w[0].y < w[1].y);
        }
        assert_eq!(labels[0].anchor, l.y_of(values[63]));
        // K ≤ 10: every response, no note; missing names are numbers.
        let few = end_labels(&[0.5, 0.3, 0.2], &[], &y_of, (top, bottom), 13.0);
        let texts: Vec<&str> = few.iter().map(|l| l.text.as_str()).collect();
        assert_eq!(texts, ["1", "2", "3"]);
    }

    use crate::paint::{Drawn, Recording};

    /// The lines of a recording with their strokes.
    fn lines(drawn: &[Drawn]) -> Vec<(&[(f64, f64)], Stroke)> {
        drawn
            .iter()
            .filter_map(|d| match d {
                Drawn::Line { points, stroke } => Some((points.as_slice(), *stroke)),
                _ => None,
            })
            .collect()
    }

    /// The texts of a recording with where they are and how they are written.
    fn texts(drawn: &[Drawn]) -> Vec<(&str, (f64, f64), Font)> {
        drawn
            .iter()
            .filter_map(|d| match d {
                Drawn::Text { text, at, font } => Some((text.as_str(), *at, *font)),
                _ => None,
            })
            .collect()
    }

    /// Whether pixel-centre coordinate `c` is in the pixel of layout coordinate `at`.
    fn near(c: f64, at: f64) -> bool {
        (c - 0.5 - at).abs() < 1.0
    }

    /// Three responses holding still at 0.2, 0.3 and 0.5 over rounds 0..=40.
    fn still() -> Vec<f64> {
        (0..=40).flat_map(|_| [0.2, 0.3, 0.5]).collect()
    }

    #[test]
    fn the_policy_chart_draws_each_line_at_its_values_and_names_it_at_its_end() -> DrawResult {
        let pol = still();
        let names: Vec<String> = ["rock", "paper", "scissors"].map(String::from).into();
        let fp = [0.25, 0.35, 0.4];
        let run = RunPicture {
            k: 3,
            policies: &pol,
            upto: 30,
            labels: &names,
            fixed_point: Some(&fp),
            samples: None,
            population: true,
        };
        let theme = Theme::default();
        let mut rec = Recording::new((640.0, 320.0));
        let l = paint_policy(&mut rec, 1.0, &theme, &run)?;
        let background = Drawn::Rect {
            rect: (0.0, 0.0, 640.0, 320.0),
            colour: Rgba::solid(theme.bg),
        };
        assert_eq!(rec.drawn[0], background);
        // The plot: 8 px margins, 44 px of y labels, 34 px of x labels, the names' margin.
        assert_eq!(
            (l.left, l.top, l.height),
            (52.0, 8.0, 320.0 - 8.0 - 34.0 - 1.0 - 8.0)
        );
        assert_eq!((l.t_max, l.y_min, l.y_max), (40, 0.0, 0.5 * 1.05));
        let widest = crate::text_width("scissors", 11.0);
        assert_eq!(l.left + l.width, 640.0 - (widest + 14.0).ceil() - 1.0);
        // One 2 px line per response in its colour, rounds 0..=30 at its value.
        let drawn = lines(&rec.drawn);
        let runs: Vec<_> = drawn.iter().filter(|(_, s)| s.width == 2.0).collect();
        assert_eq!(runs.len(), 3);
        for (i, (points, stroke)) in runs.iter().enumerate() {
            assert_eq!(stroke.colour, Rgba::solid(series_colour(i)));
            assert_eq!(stroke.dash, None);
            assert_eq!(points.len(), 31);
            for (t, &(x, y)) in points.iter().enumerate() {
                assert!(
                    near(x, l.x_of(t as f64)) && near(y, l.y_of(pol[i])),
                    "{i} {t}"
                );
            }
        }
        // The fixed point: dashed across every round, faint.
        let dashed: Vec<_> = drawn.iter().filter(|(_, s)| s.dash.is_some()).collect();
        assert_eq!(dashed.len(), 3);
        for (i, (points, stroke)) in dashed.iter().enumerate() {
            assert_eq!(stroke.colour, Rgba::of(series_colour(i), 0.6));
            assert!(near(points[0].0, l.left) && near(points[1].0, l.left + l.width));
            assert!(near(points[0].1, l.y_of(fp[i])) && points[0].1 == points[1].1);
        }
        // The names right of the plot, each on its line's row, with a leader from it.
        let text_x = l.left + l.width + 10.0;
        for (i, name) in names.iter().enumerate() {
            let all = texts(&rec.drawn);
            let Some((_, at, font)) = all.iter().find(|(t, _, _)| t == name) else {
                return Err(format!("{name} is not written"));
            };
            assert_eq!(*at, (text_x, l.y_of(pol[i]).round()));
            assert_eq!(
                (font.colour, font.align),
                (Rgba::solid(series_colour(i)), Align::Start)
            );
            let leader = drawn.iter().any(|(p, s)| {
                s.width == 1.0 && s.colour == font.colour && p.len() == 2 && near(p[0].1, at.1)
            });
            assert!(leader, "a leader to {name}");
        }
        Ok(())
    }

    #[test]
    fn the_axes_have_their_titles_ticks_and_grid() -> DrawResult {
        let pol = still();
        let run = RunPicture {
            k: 3,
            policies: &pol,
            upto: 40,
            labels: &[],
            fixed_point: None,
            samples: None,
            population: true,
        };
        let theme = Theme::default();
        let mut rec = Recording::new((640.0, 320.0));
        let l = paint_policy(&mut rec, 1.0, &theme, &run)?;
        let all = texts(&rec.drawn);
        let find = |s: &str| all.iter().find(|(t, _, _)| *t == s).copied();
        let Some((_, at, font)) = find("π_t(i)") else {
            return Err("no y title".into());
        };
        assert!(font.turned && at.0 == 8.0 && (at.1 - (l.top + l.height / 2.0)).abs() <= 1.0);
        let Some((_, at, font)) = find("round t") else {
            return Err("no x title".into());
        };
        assert!(!font.turned && at.1 == 320.0 - 8.0 && font.baseline == Baseline::Bottom);
        // Rounds every 5 (at most 11 ticks), values every 0.1 (320 px: at most 10).
        let x_ticks = ["0", "5", "10", "15", "20", "25", "30", "35", "40"];
        for (t, text) in x_ticks.iter().enumerate() {
            let Some((_, at, _)) = find(text) else {
                return Err(format!("no tick {text}"));
            };
            assert_eq!(at.0, (l.x_of(5.0 * t as f64) + 1e-3).floor(), "{text}");
        }
        for (j, text) in ["0", "0.1", "0.2", "0.3", "0.4", "0.5"].iter().enumerate() {
            let y = (l.y_of(0.1 * j as f64) - 1e-3).ceil();
            let at_row = all
                .iter()
                .any(|(t, at, f)| t == text && at.1 == y && f.align == Align::End);
            assert!(at_row, "y tick {text}");
        }
        // A grid line at each tick, in the grid's colour; the axes in the text colour.
        let drawn = lines(&rec.drawn);
        let grid = drawn
            .iter()
            .filter(|(_, s)| s.colour == Rgba::of(theme.grid, 0.8));
        assert_eq!(grid.count(), x_ticks.len() + 6);
        let axes = drawn.iter().find(|(p, _)| p.len() == 3);
        assert_eq!(axes.map(|(_, s)| s.colour), Some(Rgba::solid(theme.fg)));
        Ok(())
    }

    #[test]
    fn close_values_get_names_apart_with_leaders_to_their_lines() -> DrawResult {
        let pol: Vec<f64> = (0..=10).flat_map(|_| [0.30, 0.31, 0.39]).collect();
        let run = RunPicture {
            k: 3,
            policies: &pol,
            upto: 10,
            labels: &[],
            fixed_point: None,
            samples: None,
            population: true,
        };
        let mut rec = Recording::new((400.0, 200.0));
        let l = paint_policy(&mut rec, 1.0, &Theme::default(), &run)?;
        let all = texts(&rec.drawn);
        let rows: Vec<f64> = ["1", "2", "3"]
            .iter()
            .filter_map(|n| {
                all.iter()
                    .rev()
                    .find(|(t, _, _)| t == n)
                    .map(|(_, at, _)| at.1)
            })
            .collect();
        assert_eq!(rows.len(), 3);
        assert!(rows[0] - rows[1] >= 13.0 - 1.0, "{rows:?}");
        // Each leader starts on its line's row and ends on its name's.
        for (i, row) in rows.iter().enumerate() {
            let colour = Rgba::solid(series_colour(i));
            let leader = lines(&rec.drawn).into_iter().find(|(p, s)| {
                s.colour == colour && s.width == 1.0 && p.len() == 2 && p[0].0 > l.left + l.width
            });
            let Some((p, _)) = leader else {
                return Err(format!("no leader for {i}"));
            };
            assert!(near(p[0].1, l.y_of(pol[i]).round()) && near(p[1].1, *row));
        }
        Ok(())
    }

    #[test]
    fn the_entropy_chart_draws_its_line_log_k_and_its_value() -> DrawResult {
        let ent: Vec<f64> = (0..=50).map(|t| 1.0 - t as f64 / 100.0).collect();
        let theme = Theme::default();
        let mut rec = Recording::new((500.0, 200.0));
        let l = paint_entropy(&mut rec, 1.0, &theme, &ent, 30, 3)?;
        assert_eq!(l.t_max, 50);
        let drawn = lines(&rec.drawn);
        let Some((points, _)) = drawn
            .iter()
            .find(|(_, s)| s.colour == Rgba::solid(theme.accent))
        else {
            return Err("no entropy line".into());
        };
        assert_eq!(points.len(), 31);
        for (t, &(x, y)) in points.iter().enumerate() {
            assert!(near(x, l.x_of(t as f64)) && near(y, l.y_of(ent[t])));
        }
        let lk = 3f64.ln();
        let Some((points, stroke)) = drawn.iter().find(|(_, s)| s.dash.is_some()) else {
            return Err("no log K line".into());
        };
        assert_eq!(stroke.dash, Some((5.0, 4.0)));
        assert!(near(points[0].1, l.y_of(lk)) && near(points[1].0, l.left + l.width));
        let all = texts(&rec.drawn);
        let value = all.iter().find(|(t, _, _)| *t == "H = 0.7");
        let at = value.map(|(_, at, _)| *at);
        assert_eq!(
            at,
            Some(((l.x_of(30.0) + 5.0).round(), l.y_of(0.7).round()))
        );
        assert!(all
            .iter()
            .any(|(t, at, _)| *t == "log K (uniform)" && at.1 < l.y_of(lk)));
        Ok(())
    }

    #[test]
    fn nothing_to_draw_is_a_background_and_an_empty_layout() -> DrawResult {
        let mut rec = Recording::new((300.0, 100.0));
        let l = paint_entropy(&mut rec, 2.0, &Theme::default(), &[], 0, 3)?;
        assert_eq!((l, rec.drawn.len()), (RoundsLayout::default(), 1));
        let run = RunPicture {
            k: 2,
            policies: &[0.5],
            upto: 0,
            labels: &[],
            fixed_point: None,
            samples: None,
            population: true,
        };
        let l = paint_policy(&mut rec, 2.0, &Theme::default(), &run)?;
        assert_eq!((l, rec.drawn.len()), (RoundsLayout::default(), 2));
        Ok(())
    }

    #[test]
    fn ticks_are_the_roundest_that_fit() {
        assert_eq!(round_ticks_at_most(100, 11).len(), 11);
        assert_eq!(
            round_ticks_at_most(25, 11),
            [0.0, 5.0, 10.0, 15.0, 20.0, 25.0]
        );
        assert_eq!(round_ticks_at_most(1, 11), [0.0, 1.0]);
        // A narrow panel (a comparison's, 130 px of plot) marks fewer rounds.
        let n = x_label_count(130.0, 1.0, 100);
        assert_eq!(round_ticks_at_most(100, n), [0.0, 50.0, 100.0]);
        assert_eq!(x_label_count(700.0, 1.0, 100), 11);
        assert_eq!(x_label_count(1400.0, 2.0, 100), 11);
        assert_eq!(ticks_at_most(0.882, 10).len(), 9);
        assert_eq!(ticks_at_most(0.882, 5).len(), 5);
        assert_eq!(ticks_at_most(0.882, 4), [0.0, 0.25, 0.5, 0.75]);
        assert_eq!(ticks_at_most(4.6, 5), [0.0, 1.0, 2.0, 3.0, 4.0]);
        // Stable ascending order with ties by index, NaN last.
        assert_eq!(ascending(&[0.3, f64::NAN, 0.1, 0.3, -1.0]), [4, 2, 0, 3, 1]);
    }
}
