//! The few primitives the charts over rounds (π_t and the entropy) are drawn with: a
//! [`Paint`] is a surface that fills rectangles, strokes polylines and writes text. The
//! charts are drawn once, against this trait, and shown twice: on the page's canvas by a
//! `CanvasRenderingContext2d` (the web crate; no plotters, so the page's first module stays
//! small) and into the CLI's PNG and SVG files by [`PlottersPaint`], over any plotters
//! drawing area.
//!
//! Coordinates are the surface's pixels, continuous: `(0, 0)` is the top-left corner and
//! pixel `(i, j)` covers `[i, i + 1) × [j, j + 1)`, so a one-pixel line through the middle
//! of pixel column `i` is at `x = i + 0.5`.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters::style::FontTransform;

use crate::text::text_width;
use crate::{err, DrawResult};

/// A colour and its opacity (`a` from 0, transparent, to 1, opaque).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Rgba {
    pub r: u8,
    pub g: u8,
    pub b: u8,
    pub a: f64,
}

impl Rgba {
    /// `c` at opacity `a`.
    pub fn of(c: RGBColor, a: f64) -> Rgba {
        Rgba {
            r: c.0,
            g: c.1,
            b: c.2,
            a,
        }
    }

    /// `c`, opaque.
    pub fn solid(c: RGBColor) -> Rgba {
        Rgba::of(c, 1.0)
    }

    /// The CSS colour, `rgba(r,g,b,a)`.
    pub fn css(&self) -> String {
        format!("rgba({},{},{},{})", self.r, self.g, self.b, self.a)
    }
}

/// How a line is stroked: colour, width in pixels, and dashes `(on, off)` in pixels from
/// the line's start (`None`: solid). Ends are butt, joins mitred (the canvas' defaults).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Stroke {
    pub colour: Rgba,
    pub width: f64,
    pub dash: Option<(f64, f64)>,
}

/// Which point of a text is at its position, across: its start, centre or end.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Align {
    Start,
    Centre,
    End,
}

/// Which point of a text is at its position, down: its top, middle or bottom.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Baseline {
    Top,
    Middle,
    Bottom,
}

/// How a text is written: size in pixels (sans-serif), colour, which of its points is at
/// its position (in the text's own frame) and whether it is turned a quarter turn
/// counter-clockwise, reading upwards (a y-axis title).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Font {
    pub size: f64,
    pub colour: Rgba,
    pub align: Align,
    pub baseline: Baseline,
    pub turned: bool,
}

/// A surface the charts over rounds draw on (see the module's notes on coordinates).
pub trait Paint {
    /// The surface's width and height in pixels.
    fn size(&self) -> (f64, f64);
    /// Fills the rectangle `[x, x + w) × [y, y + h)` with `colour`.
    fn fill_rect(&mut self, rect: (f64, f64, f64, f64), colour: Rgba) -> DrawResult;
    /// Strokes the line through `points` (at least two), centred on them.
    fn polyline(&mut self, points: &[(f64, f64)], stroke: &Stroke) -> DrawResult;
    /// Writes `text` (one line) with the point `font` anchors at `at`.
    fn text(&mut self, text: &str, at: (f64, f64), font: &Font) -> DrawResult;
    /// The width of `text` at `size` pixels: the charts' own estimate ([`text_width`]),
    /// the same on every surface, so that a layout never depends on which fonts exist.
    fn text_width(&self, text: &str, size: f64) -> f64 {
        text_width(text, size)
    }
}

/// One primitive a [`Paint`] was asked to draw.
#[derive(Clone, Debug, PartialEq)]
pub enum Drawn {
    Rect {
        rect: (f64, f64, f64, f64),
        colour: Rgba,
    },
    Line {
        points: Vec<(f64, f64)>,
        stroke: Stroke,
    },
    Text {
        text: String,
        at: (f64, f64),
        font: Font,
    },
}

/// A [`Paint`] that records what it is asked to draw and passes it on to another (if
/// any): to test what a chart draws, and that every surface is given the same chart.
pub struct Recording<'a> {
    pub drawn: Vec<Drawn>,
    size: (f64, f64),
    inner: Option<&'a mut dyn Paint>,
}

impl<'a> Recording<'a> {
    /// Records on a `w × h` surface of its own (nothing is drawn).
    pub fn new(size: (f64, f64)) -> Recording<'a> {
        Recording {
            drawn: vec![],
            size,
            inner: None,
        }
    }

    /// Records what is drawn on `inner`, of `inner`'s size.
    pub fn over(inner: &'a mut dyn Paint) -> Recording<'a> {
        Recording {
            drawn: vec![],
            size: inner.size(),
            inner: Some(inner),
        }
    }
}

impl Paint for Recording<'_> {
    fn size(&self) -> (f64, f64) {
        self.size
    }

    fn fill_rect(&mut self, rect: (f64, f64, f64, f64), colour: Rgba) -> DrawResult {
        self.drawn.push(Drawn::Rect { rect, colour });
        match &mut self.inner {
            Some(p) => p.fill_rect(rect, colour),
            None => Ok(()),
        }
    }

    fn polyline(&mut self, points: &[(f64, f64)], stroke: &Stroke) -> DrawResult {
        self.drawn.push(Drawn::Line {
            points: points.to_vec(),
            stroke: *stroke,
        });
        match &mut self.inner {
            Some(p) => p.polyline(points, stroke),
            None => Ok(()),
        }
    }

    fn text(&mut self, text: &str, at: (f64, f64), font: &Font) -> DrawResult {
        self.drawn.push(Drawn::Text {
            text: text.to_string(),
            at,
            font: *font,
        });
        match &mut self.inner {
            Some(p) => p.text(text, at, font),
            None => Ok(()),
        }
    }

    fn text_width(&self, text: &str, size: f64) -> f64 {
        match &self.inner {
            Some(p) => p.text_width(text, size),
            None => text_width(text, size),
        }
    }
}

/// The pieces of the polyline `points` that dashes `(on, off)` draw, starting with a dash
/// at the first point (the whole line when `on` or `on + off` is not positive).
pub fn dashes(points: &[(f64, f64)], (on, off): (f64, f64)) -> Vec<Vec<(f64, f64)>> {
    if !(on > 0.0 && off >= 0.0 && on.is_finite() && off.is_finite()) {
        return vec![points.to_vec()];
    }
    let mut out: Vec<Vec<(f64, f64)>> = vec![];
    // Where in the pattern the walk is (0..on draws, on..on + off does not).
    let mut phase = 0.0;
    let mut piece: Vec<(f64, f64)> = points.first().map(|&p| vec![p]).unwrap_or_default();
    for w in points.windows(2) {
        let ((x0, y0), (x1, y1)) = (w[0], w[1]);
        let len = (x1 - x0).hypot(y1 - y0);
        let at = |d: f64| {
            let f = if len > 0.0 { d / len } else { 0.0 };
            (x0 + (x1 - x0) * f, y0 + (y1 - y0) * f)
        };
        let mut done = 0.0;
        while done < len {
            let drawing = phase < on;
            let left_in_state = if drawing {
                on - phase
            } else {
                on + off - phase
            };
            let step = left_in_state.min(len - done);
            if step <= 0.0 {
                break;
            }
            done += step;
            phase += step;
            if drawing {
                piece.push(at(done));
            }
            if phase >= on && drawing {
                out.push(std::mem::take(&mut piece));
            }
            if phase >= on + off {
                phase = 0.0;
                piece = vec![at(done)];
            }
        }
    }
    if piece.len() >= 2 {
        out.push(piece);
    }
    // Rounding can leave a sliver of a dash at the very end: not drawn.
    let length = |p: &Vec<(f64, f64)>| {
        p.windows(2)
            .map(|w| (w[1].0 - w[0].0).hypot(w[1].1 - w[0].1))
            .sum::<f64>()
    };
    out.retain(|p| p.len() >= 2 && length(p) > 1e-6);
    out
}

/// A [`Paint`] over a plotters drawing area (the CLI's PNG and SVG, the tests' bitmaps):
/// points and rectangles go to the pixels that contain them, texts to the nearest pixel.
pub struct PlottersPaint<'a, DB: DrawingBackend> {
    pub root: &'a DrawingArea<DB, Shift>,
}

fn rgba(c: Rgba) -> RGBAColor {
    RGBAColor(c.r, c.g, c.b, c.a)
}

/// The pixel that contains point `(x, y)`.
fn pixel((x, y): (f64, f64)) -> (i32, i32) {
    (x.floor() as i32, y.floor() as i32)
}

/// The pixels of a polyline for plotters, which draws both end pixels: each end is
/// taken a hair inside the line, so that a line ending on a pixel's edge stops before
/// that pixel (as a canvas, drawing butt ends, does).
fn path_pixels(piece: &[(f64, f64)]) -> Vec<(i32, i32)> {
    let inside = |(x, y): (f64, f64), (tx, ty): (f64, f64)| {
        let len = (tx - x).hypot(ty - y);
        if len > 0.0 {
            (x + (tx - x) / len * 1e-6, y + (ty - y) / len * 1e-6)
        } else {
            (x, y)
        }
    };
    let n = piece.len();
    piece
        .iter()
        .enumerate()
        .map(|(j, &q)| match j {
            0 if n > 1 => pixel(inside(q, piece[1])),
            j if j + 1 == n && n > 1 => pixel(inside(q, piece[j - 1])),
            _ => pixel(q),
        })
        .collect()
}

impl<DB: DrawingBackend> Paint for PlottersPaint<'_, DB> {
    fn size(&self) -> (f64, f64) {
        let (w, h) = self.root.dim_in_pixel();
        (w as f64, h as f64)
    }

    fn fill_rect(&mut self, (x, y, w, h): (f64, f64, f64, f64), colour: Rgba) -> DrawResult {
        let corners = [
            (x.round() as i32, y.round() as i32),
            ((x + w).round() as i32, (y + h).round() as i32),
        ];
        self.root
            .draw(&Rectangle::new(corners, rgba(colour).filled()))
            .map_err(err)
    }

    fn polyline(&mut self, points: &[(f64, f64)], stroke: &Stroke) -> DrawResult {
        let style = rgba(stroke.colour).stroke_width(stroke.width.round().max(1.0) as u32);
        let pieces = match stroke.dash {
            Some(dash) => dashes(points, dash),
            None => vec![points.to_vec()],
        };
        for piece in pieces {
            self.root
                .draw(&PathElement::new(path_pixels(&piece), style))
                .map_err(err)?;
        }
        Ok(())
    }

    fn text(&mut self, text: &str, (x, y): (f64, f64), font: &Font) -> DrawResult {
        let h = match font.align {
            Align::Start => HPos::Left,
            Align::Centre => HPos::Center,
            Align::End => HPos::Right,
        };
        let v = match font.baseline {
            Baseline::Top => VPos::Top,
            Baseline::Middle => VPos::Center,
            Baseline::Bottom => VPos::Bottom,
        };
        let c = font.colour;
        let mut style = ("sans-serif", font.size)
            .into_font()
            .color(&RGBAColor(c.r, c.g, c.b, c.a))
            .pos(Pos::new(h, v));
        if font.turned {
            style = style.transform(FontTransform::Rotate270);
        }
        let at = (x.round() as i32, y.round() as i32);
        self.root
            .draw(&Text::new(text.to_string(), at, style))
            .map_err(err)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dashes_alternate_along_the_line() {
        let line = [(0.0, 0.0), (10.0, 0.0), (10.0, 10.0)];
        let d = dashes(&line, (3.0, 2.0));
        // 20 px of line: dashes at 0–3, 5–8, 10–13 (round the corner), 15–18.
        assert_eq!(d.len(), 4);
        assert_eq!(d[0], vec![(0.0, 0.0), (3.0, 0.0)]);
        assert_eq!(d[1], vec![(5.0, 0.0), (8.0, 0.0)]);
        assert_eq!(d[2], vec![(10.0, 0.0), (10.0, 3.0)]);
        assert_eq!(d[3], vec![(10.0, 5.0), (10.0, 8.0)]);
        // A line of whole periods ends with a gap, whatever the rounding.
        let whole = dashes(
            &[(52.5, 1.0), (876.5, 1.0)],
            (824.0 / 80.0, 824.0 / 50.0 - 824.0 / 80.0),
        );
        assert_eq!(whole.len(), 50);
        // A dash cut by the end of the line.
        let cut = dashes(&[(0.0, 5.0), (4.0, 5.0)], (3.0, 2.0));
        assert_eq!(cut, vec![vec![(0.0, 5.0), (3.0, 5.0)]]);
        let tail = dashes(&[(0.0, 5.0), (6.0, 5.0)], (3.0, 2.0));
        assert_eq!(tail[1], vec![(5.0, 5.0), (6.0, 5.0)]);
        // No gaps, or a pattern that cannot be walked: the whole line.
        let solid = dashes(&line, (3.0, 0.0));
        assert!(
            solid.iter().all(|p| p.len() >= 2) && solid.len() >= 6,
            "{solid:?}"
        );
        assert_eq!(dashes(&line, (0.0, 2.0)), vec![line.to_vec()]);
        assert_eq!(dashes(&line, (f64::NAN, 2.0)), vec![line.to_vec()]);
    }
}
