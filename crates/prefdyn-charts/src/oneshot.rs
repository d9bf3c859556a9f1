//! The one-shot optima side by side: one bar panel per sampling strategy on a shared
//! scale, one colour per response; one panel can be highlighted (a frame, its values
//! written above its bars) for the guided tour.

use plotters::coord::types::RangedCoordf64;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use prefdyn::import::{short_labels, MIN_SHORT_LABEL};
use prefdyn::text::sig;

use crate::text::{text_width, wrap};
use crate::{err, px, series_colour, tick_label, DrawResult, Theme};

type BarChart<'a, DB> = ChartContext<'a, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

/// Bars whose values a highlighted panel writes when K > 10 (the largest).
pub const MAX_VALUE_LABELS: usize = 3;

/// The bars of `policy` whose values are written: every one for K ≤ 10, else the
/// [`MAX_VALUE_LABELS`] largest (largest first).
pub fn value_label_bars(policy: &[f64]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..policy.len()).collect();
    if policy.len() > 10 {
        order.sort_by(|&a, &b| policy[b].total_cmp(&policy[a]).then(a.cmp(&b)));
        order.truncate(MAX_VALUE_LABELS);
    }
    order
}

/// Every how many bars an x label fits: labels `label_w` wide (plus a 3 px gap, in
/// backend pixels) under bars `slot` pixels apart.
pub fn label_stride(label_w: f64, slot: f64, scale: f64) -> usize {
    if slot.is_nan() || slot <= 0.0 {
        return usize::MAX;
    }
    ((label_w + 3.0 * scale) / slot).ceil().max(1.0) as usize
}

/// Sizes shared by the panels, in backend pixels, and the panels' titles (wrapped to two
/// lines at most).
struct Frame {
    font: f64,
    line_h: f64,
    titles: Vec<Vec<String>>,
    title_h: u32,
    x_labels_h: u32,
    margin: u32,
}

impl Frame {
    fn new(scale: f64, titles: &[&str], panel_w: f64) -> Frame {
        let font = px(scale, 11.0) as f64;
        let margin = px(scale, 4.0);
        let room = panel_w - 2.0 * margin as f64;
        let titles: Vec<Vec<String>> = titles.iter().map(|t| title_lines(t, room, font)).collect();
        let lines = titles.iter().map(Vec::len).max().unwrap_or(1);
        let line_h = px(scale, 13.0) as f64;
        Frame {
            font,
            line_h,
            title_h: (lines as f64 * line_h + px(scale, 3.0) as f64) as u32,
            titles,
            x_labels_h: px(scale, 18.0),
            margin,
        }
    }

    fn y_labels_w(&self, idx: usize, scale: f64) -> u32 {
        px(scale, if idx == 0 { 40.0 } else { 8.0 })
    }

    /// The plot's height in a panel `h` pixels tall (ChartBuilder's arithmetic).
    fn plot_h(&self, h: f64) -> f64 {
        h - (self.title_h + self.x_labels_h + 2 * self.margin) as f64
    }
}

/// A panel's title in at most two lines `room` pixels wide, the second cut with "…" when
/// it must be.
fn title_lines(title: &str, room: f64, font: f64) -> Vec<String> {
    let mut lines = wrap(title, room, font);
    if lines.len() > 2 {
        let rest = lines[1..].join(" ");
        lines.truncate(1);
        let mut cut: String = rest;
        while text_width(&format!("{cut}…"), font) > room && !cut.is_empty() {
            cut.pop();
        }
        lines.push(format!("{}…", cut.trim_end()));
    }
    lines
}

/// How a highlighted panel writes its values: horizontally when they fit over their bars,
/// else turned to read upwards; and the pixels it needs above the tallest bar.
fn value_layout(policy: &[f64], slot: f64, font: f64) -> (bool, f64) {
    let widest = value_label_bars(policy)
        .iter()
        .map(|&i| text_width(&sig(policy[i]), font))
        .fold(0.0, f64::max);
    if widest + 2.0 <= slot {
        (false, font + 4.0)
    } else {
        (true, widest + 4.0)
    }
}

/// One-shot optima side by side: one bar panel per strategy, all on the same [0, max]
/// scale, one colour per response. Panel `highlight` (if any) gets a frame in the theme's
/// highlight colour and its values (3 significant digits) above its bars; x labels are
/// thinned to every n-th when they would collide (K = 64).
pub fn draw_one_shot<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    scale: f64,
    theme: &Theme,
    panels: &[(String, Vec<f64>)],
    labels: &[String],
    highlight: Option<usize>,
) -> DrawResult {
    root.fill(&theme.bg).map_err(err)?;
    if panels.is_empty() {
        return root.present().map_err(err);
    }
    let highlight = highlight.filter(|&h| h < panels.len());
    let top_bar = panels
        .iter()
        .flat_map(|(_, p)| p.iter().copied())
        .filter(|v| v.is_finite())
        .fold(0.0, f64::max)
        .clamp(1e-3, 1.0);
    let areas = root.split_evenly((1, panels.len()));
    let (aw, ah) = areas[0].dim_in_pixel();
    let titles: Vec<&str> = panels.iter().map(|(t, _)| t.as_str()).collect();
    let frame = Frame::new(scale, &titles, aw as f64);
    let plot_h = frame.plot_h(ah as f64).max(1.0);
    // Room above the tallest bar for the highlighted panel's values.
    let headroom = highlight.map_or(0.0, |h| {
        let policy = &panels[h].1;
        let plot_w = aw as f64 - (2 * frame.margin + frame.y_labels_w(h, scale)) as f64;
        let slot = plot_w / policy.len().max(1) as f64;
        value_layout(policy, slot, px(scale, 10.0) as f64).1
    });
    let y_max = top_bar * 1.06 * plot_h / (plot_h - headroom).max(plot_h / 3.0);
    for (idx, (area, (_, policy))) in areas.iter().zip(panels).enumerate() {
        if highlight == Some(idx) {
            area.fill(&theme.highlight.mix(0.07)).map_err(err)?;
        }
        let chart = panel(area, (scale, theme), &frame, idx, (policy.len(), y_max))?;
        draw_title(root, area, theme, &frame, &frame.titles[idx])?;
        let mut chart = chart;
        chart
            .draw_series(policy.iter().enumerate().map(|(i, &v)| {
                Rectangle::new(
                    [(i as f64 + 0.12, 0.0), (i as f64 + 0.88, v)],
                    series_colour(i).filled(),
                )
            }))
            .map_err(err)?;
        draw_x_labels(root, &chart, (scale, theme), policy.len(), labels)?;
        if highlight == Some(idx) {
            draw_values(root, &chart, (scale, theme), policy)?;
            let (xr, yr) = area.get_pixel_range();
            let inset = px(scale, 1.0) as i32;
            root.draw(&Rectangle::new(
                [
                    (xr.start + inset, yr.start + inset),
                    (xr.end - 1 - inset, yr.end - 1 - inset),
                ],
                theme.highlight.stroke_width(px(scale, 2.0)),
            ))
            .map_err(err)?;
        }
    }
    root.present().map_err(err)
}

/// A panel's axes (y labels on the first only) with a light grid at the y ticks.
fn panel<'a, DB: DrawingBackend>(
    area: &'a DrawingArea<DB, Shift>,
    (scale, theme): (f64, &Theme),
    frame: &Frame,
    idx: usize,
    (k, y_max): (usize, f64),
) -> DrawResult<BarChart<'a, DB>> {
    let mut chart = ChartBuilder::on(area)
        .margin(frame.margin)
        .margin_top(frame.margin + frame.title_h)
        .x_label_area_size(frame.x_labels_h)
        .y_label_area_size(frame.y_labels_w(idx, scale))
        .build_cartesian_2d(0f64..k.max(1) as f64, 0f64..y_max)
        .map_err(err)?;
    let font = ("sans-serif", frame.font).into_font().color(&theme.fg);
    let mut mesh = chart.configure_mesh();
    mesh.disable_x_mesh()
        .x_labels(0)
        .y_labels(if idx == 0 { 5 } else { 0 })
        .y_label_formatter(&|v| tick_label(*v))
        .label_style(font)
        .max_light_lines(0)
        .light_line_style(TRANSPARENT)
        .bold_line_style(theme.grid.mix(0.8))
        .axis_style(theme.fg);
    mesh.draw().map_err(err)?;
    Ok(chart)
}

/// The panel's title centred above it, a line each.
fn draw_title<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    area: &DrawingArea<DB, Shift>,
    theme: &Theme,
    frame: &Frame,
    lines: &[String],
) -> DrawResult {
    let (xr, yr) = area.get_pixel_range();
    let font = ("sans-serif", frame.font)
        .into_font()
        .color(&theme.fg)
        .pos(Pos::new(HPos::Center, VPos::Center));
    for (i, line) in lines.iter().enumerate() {
        let y = yr.start as f64 + frame.margin as f64 + (i as f64 + 0.5) * frame.line_h;
        root.draw(&Text::new(
            line.clone(),
            ((xr.start + xr.end) / 2, y.round() as i32),
            font.clone(),
        ))
        .map_err(err)?;
    }
    Ok(())
}

/// The responses' names under their bars, every n-th when they would collide.
fn draw_x_labels<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    chart: &BarChart<DB>,
    (scale, theme): (f64, &Theme),
    k: usize,
    labels: &[String],
) -> DrawResult {
    let short = short_labels(labels, MIN_SHORT_LABEL);
    let font_px = px(scale, 11.0) as f64;
    let name = |i: usize| {
        short
            .get(i)
            .filter(|s| !s.is_empty())
            .cloned()
            .unwrap_or_else(|| (i + 1).to_string())
    };
    let widest = (0..k)
        .map(|i| text_width(&name(i), font_px))
        .fold(0.0, f64::max);
    let (x0, y) = chart.backend_coord(&(0.0, 0.0));
    let (x1, _) = chart.backend_coord(&(1.0, 0.0));
    let stride = label_stride(widest, (x1 - x0) as f64, scale);
    let font = ("sans-serif", font_px)
        .into_font()
        .color(&theme.fg)
        .pos(Pos::new(HPos::Center, VPos::Top));
    for i in (0..k).step_by(stride.min(k.max(1))) {
        let (x, _) = chart.backend_coord(&(i as f64 + 0.5, 0.0));
        root.draw(&Text::new(
            name(i),
            (x, y + px(scale, 3.0) as i32),
            font.clone(),
        ))
        .map_err(err)?;
    }
    Ok(())
}

/// The values above the bars of the highlighted panel (the 3 largest when K > 10),
/// horizontal when they fit over their bars, else reading upwards; a value that would
/// overlap one already written is left out.
fn draw_values<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    chart: &BarChart<DB>,
    (scale, theme): (f64, &Theme),
    policy: &[f64],
) -> DrawResult {
    let font_px = px(scale, 10.0) as f64;
    let (x0, _) = chart.backend_coord(&(0.0, 0.0));
    let (x1, _) = chart.backend_coord(&(1.0, 0.0));
    let (upright, _) = value_layout(policy, (x1 - x0) as f64, font_px);
    let base = ("sans-serif", font_px).into_font().color(&theme.fg);
    let font = if upright {
        base.transform(FontTransform::Rotate270)
            .pos(Pos::new(HPos::Left, VPos::Center))
    } else {
        base.pos(Pos::new(HPos::Center, VPos::Bottom))
    };
    let mut placed: Vec<(f64, f64)> = vec![];
    for i in value_label_bars(policy) {
        let v = policy[i];
        let text = sig(v);
        let (x, y) = chart.backend_coord(&(i as f64 + 0.5, v.max(0.0)));
        let half = if upright {
            font_px / 2.0 + 1.0
        } else {
            text_width(&text, font_px) / 2.0 + 1.0
        };
        let x = x as f64;
        if placed.iter().any(|&(qx, qh)| (qx - x).abs() < qh + half) {
            continue;
        }
        placed.push((x, half));
        root.draw(&Text::new(
            text,
            (x.round() as i32, y - px(scale, 2.0) as i32),
            font.clone(),
        ))
        .map_err(err)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_written_for_every_bar_or_the_three_largest() {
        assert_eq!(value_label_bars(&[0.2, 0.5, 0.3]), vec![0, 1, 2]);
        let mut big = vec![0.01; 64];
        big[40] = 0.3;
        big[7] = 0.2;
        big[63] = 0.1;
        assert_eq!(value_label_bars(&big), vec![40, 7, 63]);
    }

    #[test]
    fn titles_take_two_lines_at_most_within_the_panel() {
        assert_eq!(title_lines("uniform", 80.0, 11.0), vec!["uniform"]);
        let two = title_lines("maximal lottery mix", 70.0, 11.0);
        assert_eq!(two.len(), 2);
        let three = title_lines("a very long strategy name indeed", 60.0, 11.0);
        assert_eq!(three.len(), 2);
        assert!(three[1].ends_with('…'));
        for l in two.iter().chain(&three) {
            assert!(text_width(l, 11.0) <= 70.0, "{l}");
        }
    }

    #[test]
    fn x_labels_are_thinned_to_fit() {
        // 64 bars on 250 px: ~3.9 px a bar; 4-character labels of ~30 px → every 9th.
        let stride = label_stride(30.0, 250.0 / 64.0, 1.0);
        assert_eq!(stride, 9);
        // Labels then sit at least their width apart.
        assert!(stride as f64 * 250.0 / 64.0 >= 30.0 + 3.0);
        assert_eq!(label_stride(20.0, 50.0, 1.0), 1);
        assert_eq!(label_stride(20.0, 0.0, 1.0), usize::MAX);
    }
}
