//! The charts drawn into bitmaps (scale 1, the CLI's font): what the layouts say is where
//! the pixels are, the mean path is the boldest line, the highlight frames one panel.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Once;

use plotters::coord::Shift;
use plotters::prelude::*;
use prefdyn_charts as charts;
use prefdyn_charts::{RoundsLayout, RunPicture, SamplePaths, Theme};

static FONT: Once = Once::new();

/// An RGB bitmap of `w × h` with what `f` draws on it.
fn draw<T>(
    (w, h): (u32, u32),
    f: impl FnOnce(&DrawingArea<BitMapBackend, Shift>) -> Result<T, String>,
) -> (Vec<u8>, T) {
    FONT.call_once(|| {
        let _ = plotters::style::register_font(
            "sans-serif",
            FontStyle::Normal,
            include_bytes!("../../prefdyn-cli/assets/DejaVuSans.ttf"),
        );
    });
    let mut buf = vec![0u8; (w * h * 3) as usize];
    let out = {
        let root = BitMapBackend::with_buffer(&mut buf, (w, h)).into_drawing_area();
        f(&root).unwrap()
    };
    (buf, out)
}

fn rgb(buf: &[u8], w: u32, x: u32, y: u32) -> (u8, u8, u8) {
    let o = ((y * w + x) * 3) as usize;
    (buf[o], buf[o + 1], buf[o + 2])
}

/// A coloured (not grey, not white) pixel: a line's, not the grid's or the text's.
fn saturated((r, g, b): (u8, u8, u8)) -> bool {
    r.max(g).max(b) - r.min(g).min(b) > 40
}

/// Coloured pixels in column `x` within `reach` rows of row `y`.
fn thickness(buf: &[u8], w: u32, x: u32, y: f64, reach: i32) -> usize {
    (-reach..=reach)
        .map(|d| y.round() as i32 + d)
        .filter(|&row| row >= 0 && saturated(rgb(buf, w, x, row as u32)))
        .count()
}

/// A constant run: response 0 at `a`, response 1 at `1 − a`, rounds 0..=40.
fn constant(a: f64) -> Vec<f64> {
    (0..=40).flat_map(|_| [a, 1.0 - a]).collect()
}

fn picture<'a>(policies: &'a [f64], samples: Option<SamplePaths<'a>>) -> RunPicture<'a> {
    RunPicture {
        k: 2,
        policies,
        upto: 40,
        labels: &[],
        fixed_point: None,
        samples,
        population: true,
    }
}

#[test]
fn the_layout_is_where_the_lines_are() {
    let pop = constant(0.25);
    let (w, h) = (640, 320);
    let (buf, l): (_, RoundsLayout) = draw((w, h), |root| {
        charts::draw_policy(root, 1.0, &Theme::default(), &picture(&pop, None))
    });
    assert_eq!(l.t_max, 40);
    assert!(l.left > 30.0 && l.left + l.width < w as f64 - 20.0, "{l:?}");
    for t in [3usize, 17, 29] {
        let x = l.x_of(t as f64 + 0.5) as u32;
        // Response 0's line centred on y_of(0.25), response 1's on y_of(0.75).
        for v in [0.25, 0.75] {
            let rows: Vec<i32> = (-6..=6)
                .filter(|d| saturated(rgb(&buf, w, x, (l.y_of(v).round() as i32 + d) as u32)))
                .collect();
            assert!(!rows.is_empty(), "no line at {v} in column {x}");
            let centre = rows.iter().sum::<i32>() as f64 / rows.len() as f64;
            assert!(centre.abs() <= 1.5, "line at {v} is {centre} px off y_of");
        }
        assert_eq!(l.round_at(l.x_of(t as f64)), Some(t));
    }
}

#[test]
fn the_mean_path_is_bolder_than_the_population_run() {
    // The population at 0.2 / 0.8, the samples' mean at 0.6 / 0.4, no realisations.
    let (pop, mean) = (constant(0.2), constant(0.6));
    let samples = SamplePaths {
        paths: &[],
        mean: &mean,
    };
    let (w, h) = (640, 360);
    let (buf, l) = draw((w, h), |root| {
        charts::draw_policy(root, 1.0, &Theme::default(), &picture(&pop, Some(samples)))
    });
    let (mut bold, mut thin) = (0, 0);
    for t in [5.5, 12.5, 21.5, 33.5] {
        let x = l.x_of(t) as u32;
        bold += thickness(&buf, w, x, l.y_of(0.6), 8) + thickness(&buf, w, x, l.y_of(0.4), 8);
        thin += thickness(&buf, w, x, l.y_of(0.2), 8) + thickness(&buf, w, x, l.y_of(0.8), 8);
    }
    // 8 columns each: the mean 3 px, the population 1 px.
    assert!(bold >= 8 * 3, "mean path {bold} px in 8 columns");
    assert!(
        (8..=16).contains(&thin),
        "population {thin} px in 8 columns"
    );
    assert!(bold >= 2 * thin);
    // Hidden: no population line at all.
    let hidden = RunPicture {
        population: false,
        ..picture(&pop, Some(samples))
    };
    let (buf, l) = draw((w, h), |root| {
        charts::draw_policy(root, 1.0, &Theme::default(), &hidden)
    });
    let x = l.x_of(12.5) as u32;
    assert_eq!(thickness(&buf, w, x, l.y_of(0.2), 6), 0);
    assert!(thickness(&buf, w, x, l.y_of(0.6), 6) >= 3);
}

#[test]
fn the_highlight_frames_one_panel() {
    let theme = Theme {
        highlight: RGBColor(255, 0, 255),
        ..Theme::default()
    };
    let panels: Vec<(String, Vec<f64>)> = ["uniform", "reference", "on-policy", "maximal lottery"]
        .iter()
        .map(|t| (t.to_string(), vec![0.3, 0.2, 0.1, 0.25, 0.15]))
        .collect();
    let (w, h) = (800u32, 240u32);
    for highlight in [None, Some(0), Some(3)] {
        let (buf, ()) = draw((w, h), |root| {
            charts::draw_one_shot(root, 1.0, &theme, &panels, &[], highlight)
        });
        let per_panel: Vec<usize> = (0..4)
            .map(|p| {
                let xs = (p * w / 4)..((p + 1) * w / 4);
                xs.flat_map(|x| (0..h).map(move |y| (x, y)))
                    .filter(|&(x, y)| rgb(&buf, w, x, y) == (255, 0, 255))
                    .count()
            })
            .collect();
        for (p, &n) in per_panel.iter().enumerate() {
            if highlight == Some(p) {
                // A 2 px frame around a 200 × 240 panel.
                assert!(n >= 2 * (200 + 240), "panel {p}: {n} frame pixels");
            } else {
                assert_eq!(
                    n, 0,
                    "panel {p} (highlight {highlight:?}): {n} frame pixels"
                );
            }
        }
    }
    // An index past the panels highlights nothing.
    let (buf, ()) = draw((w, h), |root| {
        charts::draw_one_shot(root, 1.0, &theme, &panels, &[], Some(9))
    });
    assert!(!buf.chunks_exact(3).any(|p| p == [255, 0, 255]));
}

#[test]
fn entropy_returns_its_layout() {
    let ent: Vec<f64> = (0..=50).map(|t| 1.0 - t as f64 / 100.0).collect();
    let (_, l) = draw((500, 200), |root| {
        charts::draw_entropy(root, 1.0, &Theme::default(), &ent, 30, 3)
    });
    assert_eq!(l.t_max, 50);
    assert!(l.y_max > 3f64.ln(), "log K is on the chart: {l:?}");
    assert_eq!(l.round_at(l.x_of(30.0)), Some(30));
    // Nothing to draw: an empty layout, no error.
    let (_, empty) = draw((500, 200), |root| {
        charts::draw_entropy(root, 1.0, &Theme::default(), &[], 0, 3)
    });
    assert_eq!(empty, RoundsLayout::default());
}

/// The lines of a recording: points and stroke.
fn recorded_lines(drawn: &[charts::Drawn]) -> Vec<(Vec<(f64, f64)>, charts::Stroke)> {
    drawn
        .iter()
        .filter_map(|d| match d {
            charts::Drawn::Line { points, stroke } => Some((points.clone(), *stroke)),
            _ => None,
        })
        .collect()
}

#[test]
fn plotters_is_given_the_chart_a_recording_is_and_draws_its_lines_where_it_says() {
    let pol: Vec<f64> = (0..=40).flat_map(|_| [0.2, 0.3, 0.5]).collect();
    let names: Vec<String> = ["a", "b", "c"].map(String::from).into();
    let run = RunPicture {
        k: 3,
        labels: &names,
        fixed_point: Some(&[0.25, 0.35, 0.4]),
        ..picture(&pol, None)
    };
    let (w, h) = (640u32, 320u32);
    let theme = Theme::default();
    let mut alone = charts::Recording::new((w as f64, h as f64));
    let expected = charts::paint_policy(&mut alone, 1.0, &theme, &run).unwrap();
    let (buf, (drawn, l)) = draw((w, h), |root| {
        let mut plotters = charts::PlottersPaint { root };
        let mut rec = charts::Recording::over(&mut plotters);
        let l = charts::paint_policy(&mut rec, 1.0, &theme, &run)?;
        Ok((rec.drawn, l))
    });
    // The same primitives in the same order, and the same layout.
    assert_eq!(drawn, alone.drawn);
    assert_eq!(l, expected);
    // Every vertex of each solid 2 px line is in its colour in the bitmap.
    let solid = recorded_lines(&drawn)
        .into_iter()
        .filter(|(_, s)| s.width == 2.0 && s.dash.is_none());
    let mut checked = 0;
    for (points, stroke) in solid {
        let c = stroke.colour;
        for &(x, y) in &points[1..points.len() - 1] {
            assert_eq!(
                rgb(&buf, w, x as u32, y as u32),
                (c.r, c.g, c.b),
                "at ({x}, {y})"
            );
            checked += 1;
        }
    }
    assert_eq!(checked, 3 * 39);
    // The adapter is this, presented: the same pixels.
    let (direct, _) = draw((w, h), |root| charts::draw_policy(root, 1.0, &theme, &run));
    assert!(direct == buf);
}
