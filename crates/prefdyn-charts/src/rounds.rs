//! The charts over rounds: π_t(i) with the fixed point and the finite-sample realisations,
//! each line named at its end in a margin right of the plot; the entropy with its value
//! at the cursor. Both return a [`RoundsLayout`], the geometry the page's hover readout
//! maps the pointer with.

use plotters::coord::types::RangedCoordf64;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use prefdyn::import::short_labels;
use prefdyn::text::sig;

use crate::text::text_width;
use crate::{err, px, series_colour, tick_label, DrawResult, Theme};

type RoundsChart<'a, DB> = ChartContext<'a, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

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
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| {
        clean(wanted[a])
            .total_cmp(&clean(wanted[b]))
            .then(a.cmp(&b))
    });
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
        shown.sort_by(|&a, &b| values[b].total_cmp(&values[a]).then(a.cmp(&b)));
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

/// Whole-number tick labels (rounds).
fn round_label(v: &f64) -> String {
    format!("{}", v.round() as i64)
}

/// As many y tick labels as fit one per 28 CSS pixels of height (between 3 and 10).
fn y_label_count<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, scale: f64) -> usize {
    let h = root.dim_in_pixel().1 as f64 / scale.max(1e-9);
    ((h / 28.0) as usize).clamp(3, 10)
}

/// Axes and a light grid (lines at the ticks only) for a quantity over rounds
/// `0..=t_max` with values in `[0, y_max]`, leaving `right` pixels right of the plot.
fn rounds_chart<'a, DB: DrawingBackend>(
    root: &'a DrawingArea<DB, Shift>,
    (scale, theme): (f64, &Theme),
    t_max: usize,
    y_max: f64,
    y_desc: &str,
    right: u32,
) -> DrawResult<(RoundsChart<'a, DB>, RoundsLayout)> {
    let mut chart = ChartBuilder::on(root)
        .margin(px(scale, 8.0))
        .margin_right(right)
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
        .y_label_formatter(&|v| tick_label(*v))
        .axis_desc_style(font.clone())
        .label_style(font)
        .max_light_lines(0)
        .light_line_style(TRANSPARENT)
        .bold_line_style(theme.grid.mix(0.8).stroke_width(1))
        .axis_style(theme.fg)
        .draw()
        .map_err(err)?;
    let (left, top) = chart.backend_coord(&(0.0, y_max));
    let (right, bottom) = chart.backend_coord(&(t_max as f64, 0.0));
    let layout = RoundsLayout {
        left: left as f64,
        top: top as f64,
        width: (right - left) as f64,
        height: (bottom - top) as f64,
        t_max,
        y_min: 0.0,
        y_max,
    };
    Ok((chart, layout))
}

/// Response `i` of a row-major path as chart points, rounds `0..=upto` that exist.
fn path_points(path: &[f64], k: usize, i: usize, upto: usize) -> Vec<(f64, f64)> {
    path.chunks_exact(k)
        .take(upto + 1)
        .enumerate()
        .map(|(t, row)| (t as f64, row[i]))
        .collect()
}

/// The last row of a row-major path at or before round `upto`.
fn row_at(path: &[f64], k: usize, upto: usize) -> Option<&[f64]> {
    let rows = path.len() / k.max(1);
    path.chunks_exact(k.max(1))
        .nth(upto.min(rows.checked_sub(1)?))
}

/// One line per response of a row-major path up to `upto`, in `style(i)`.
fn draw_paths<DB: DrawingBackend>(
    chart: &mut RoundsChart<DB>,
    path: &[f64],
    (k, upto): (usize, usize),
    style: &dyn Fn(usize) -> ShapeStyle,
) -> DrawResult {
    for i in 0..k {
        chart
            .draw_series(LineSeries::new(path_points(path, k, i, upto), style(i)))
            .map_err(err)?;
    }
    Ok(())
}

/// The fixed point as thin dashes across the whole chart.
fn draw_fixed_point<DB: DrawingBackend>(
    chart: &mut RoundsChart<DB>,
    fp: &[f64],
    t_max: usize,
) -> DrawResult {
    let t_end = t_max as f64;
    for (i, &v) in fp.iter().enumerate() {
        let c = series_colour(i);
        let dash = (0..t_max).step_by((t_max / 40).max(1)).map(move |t| {
            PathElement::new(
                vec![(t as f64, v), ((t as f64 + t_end / 80.0).min(t_end), v)],
                c.mix(0.6).stroke_width(1),
            )
        });
        chart.draw_series(dash).map_err(err)?;
    }
    Ok(())
}

/// The names at the lines' ends, right of the plot, in the lines' colours (the note
/// muted), each joined to its line's end row by a short leader.
fn draw_end_labels<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    (scale, theme): (f64, &Theme),
    layout: &RoundsLayout,
    labels: &[EndLabel],
) -> DrawResult {
    let font = ("sans-serif", px(scale, 11.0))
        .into_font()
        .color(&theme.fg)
        .pos(Pos::new(HPos::Left, VPos::Center));
    let x0 = layout.left + layout.width;
    let text_x = (x0 + px(scale, 10.0) as f64) as i32;
    for l in labels {
        let colour = match l.index {
            Some(i) => series_colour(i).to_rgba(),
            None => theme.muted.to_rgba(),
        };
        if l.index.is_some() {
            root.draw(&PathElement::new(
                vec![
                    ((x0 + 2.0) as i32, l.anchor.round() as i32),
                    (text_x - px(scale, 2.0) as i32, l.y.round() as i32),
                ],
                colour.stroke_width(1),
            ))
            .map_err(err)?;
        }
        root.draw(&Text::new(
            l.text.clone(),
            (text_x, l.y.round() as i32),
            font.clone().color(&colour),
        ))
        .map_err(err)?;
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

/// π_t(i) over rounds 0..=upto, one line per response named at its end, the fixed point
/// dashed; with samples, the realisations faint, the population run thin (or hidden) and
/// the mean path boldest. Returns the plot's geometry.
pub fn draw_policy<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    scale: f64,
    theme: &Theme,
    run: &RunPicture,
) -> DrawResult<RoundsLayout> {
    let RunPicture { k, policies, .. } = *run;
    root.fill(&theme.bg).map_err(err)?;
    if k == 0 || policies.len() < k {
        root.present().map_err(err)?;
        return Ok(RoundsLayout::default());
    }
    let t_max = (policies.len() / k).saturating_sub(1).max(1);
    let upto = run.upto.min(t_max);
    let y_max = policies
        .iter()
        .copied()
        .chain(run.samples.map(|s| s.max()))
        .filter(|v| v.is_finite())
        .fold(0.0, f64::max)
        .max(1e-3)
        * 1.05;
    // The lines named at their ends: the mean path's when there are samples.
    let named = run.samples.map_or(policies, |s| s.mean);
    let values = row_at(named, k, upto).or(row_at(policies, k, upto));
    let values = values.unwrap_or_default();
    let narrow = (root.dim_in_pixel().0 as f64) < 560.0 * scale;
    let names = short_labels(run.labels, if narrow { 8 } else { 14 });
    let font_px = px(scale, 11.0) as f64;
    let widest = end_texts(values, &names)
        .iter()
        .map(|t| text_width(t, font_px))
        .fold(0.0, f64::max);
    let right = (widest + px(scale, 14.0) as f64).ceil() as u32;
    let (mut chart, layout) =
        rounds_chart(root, (scale, theme), t_max, y_max.min(1.0), "π_t(i)", right)?;
    if let Some(fp) = run.fixed_point {
        draw_fixed_point(&mut chart, &fp[..fp.len().min(k)], t_max)?;
    }
    draw_run_lines(&mut chart, scale, run, upto)?;
    let gap = px(scale, 13.0) as f64;
    let bottom = layout.top + layout.height;
    let rows = (layout.top + gap / 2.0, bottom - gap / 2.0);
    let labels = end_labels(values, &names, &|v| layout.y_of(v), rows, gap);
    draw_end_labels(root, (scale, theme), &layout, &labels)?;
    root.present().map_err(err)?;
    Ok(layout)
}

/// The run's lines: without samples the population run (2 CSS px); with samples the
/// realisations (1 px, faint), the population run (1.25 px, lighter; unless hidden) and
/// the mean path on top (3 px, solid).
fn draw_run_lines<DB: DrawingBackend>(
    chart: &mut RoundsChart<DB>,
    scale: f64,
    run: &RunPicture,
    upto: usize,
) -> DrawResult {
    let (k, policies) = (run.k, run.policies);
    let Some(samples) = &run.samples else {
        let stroke = px(scale, 2.0);
        return draw_paths(chart, policies, (k, upto), &|i| {
            series_colour(i).stroke_width(stroke)
        });
    };
    let faint = px(scale, 1.0);
    for path in samples.paths {
        draw_paths(chart, path, (k, upto), &|i| {
            series_colour(i).mix(0.2).stroke_width(faint)
        })?;
    }
    if run.population {
        let thin = px(scale, 1.25);
        draw_paths(chart, policies, (k, upto), &|i| {
            series_colour(i).mix(0.75).stroke_width(thin)
        })?;
    }
    let bold = px(scale, 3.0);
    draw_paths(chart, samples.mean, (k, upto), &|i| {
        series_colour(i).stroke_width(bold)
    })
}

/// The entropy of the uniform policy, log K: a muted dashed line named at its start.
fn draw_log_k<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    chart: &mut RoundsChart<DB>,
    (scale, theme): (f64, &Theme),
    layout: &RoundsLayout,
    lk: f64,
) -> DrawResult {
    chart
        .draw_series(DashedLineSeries::new(
            vec![(0.0, lk), (layout.t_max as f64, lk)],
            px(scale, 5.0),
            px(scale, 4.0),
            theme.muted.mix(0.8).stroke_width(px(scale, 1.0)),
        ))
        .map_err(err)?;
    root.draw(&Text::new(
        "log K (uniform)",
        (
            (layout.left + px(scale, 4.0) as f64) as i32,
            (layout.y_of(lk) - px(scale, 2.0) as f64) as i32,
        ),
        ("sans-serif", px(scale, 10.0))
            .into_font()
            .color(&theme.muted)
            .pos(Pos::new(HPos::Left, VPos::Bottom)),
    ))
    .map_err(err)
}

/// H(π_t) over rounds with log K as a reference line and the value at the cursor written
/// beside the line's end ("H = 0.0101"). Returns the plot's geometry.
pub fn draw_entropy<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    scale: f64,
    theme: &Theme,
    entropies: &[f64],
    upto: usize,
    k: usize,
) -> DrawResult<RoundsLayout> {
    root.fill(&theme.bg).map_err(err)?;
    let Some(&last) = entropies.last() else {
        root.present().map_err(err)?;
        return Ok(RoundsLayout::default());
    };
    let t_max = entropies.len().saturating_sub(1).max(1);
    let upto = upto.min(entropies.len() - 1);
    let lk = (k.max(1) as f64).ln();
    // Room above log K for its name.
    let frame = (px(scale, 16.0) + px(scale, 34.0)) as f64;
    let plot_h = (root.dim_in_pixel().1 as f64 - frame).max(1.0);
    let room = (1.0 - px(scale, 16.0) as f64 / plot_h).max(0.5);
    let top = entropies.iter().copied().filter(|v| v.is_finite());
    let h_max = top.fold(lk.max(last), f64::max).max(1e-3) / room;
    let value = entropies[upto];
    let text = format!("H = {}", sig(value));
    let font_px = px(scale, 11.0) as f64;
    let right = (text_width(&text, font_px) + px(scale, 8.0) as f64).ceil() as u32;
    let (mut chart, layout) =
        rounds_chart(root, (scale, theme), t_max, h_max, "H(π_t) [nats]", right)?;
    draw_log_k(root, &mut chart, (scale, theme), &layout, lk)?;
    let pts = (0..=upto).map(|t| (t as f64, entropies[t]));
    chart
        .draw_series(LineSeries::new(
            pts,
            theme.accent.stroke_width(px(scale, 2.0)),
        ))
        .map_err(err)?;
    let half = font_px / 2.0 + 1.0;
    // max/min, not clamp: a canvas too small for the label (a hidden chart) has lo > hi.
    let y = layout
        .y_of(if value.is_finite() { value } else { 0.0 })
        .min(layout.top + layout.height - half)
        .max(layout.top + half);
    let x = layout.x_of(upto as f64) + px(scale, 5.0) as f64;
    root.draw(&Text::new(
        text,
        (x.round() as i32, y.round() as i32),
        ("sans-serif", font_px)
            .into_font()
            .color(&theme.accent)
            .pos(Pos::new(HPos::Left, VPos::Center)),
    ))
    .map_err(err)?;
    root.present().map_err(err)?;
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
}
