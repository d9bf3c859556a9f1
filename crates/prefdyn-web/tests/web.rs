//! Browser tests of the web crate's drawing layer (wasm-bindgen-test in headless Chromium):
//!
//! ```sh
//! CHROMEDRIVER=/usr/bin/chromedriver \
//! CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
//!   cargo test -p prefdyn-web --target wasm32-unknown-unknown
//! ```
#![cfg(target_arch = "wasm32")]

use plotters::style::RGBColor;
use prefdyn::PreferenceMatrix;
use prefdyn_web::canvas::{self as charts, HeatmapLayout, Surface, Theme};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{Document, HtmlCanvasElement};

wasm_bindgen_test_configure!(run_in_browser);

type R = Result<(), JsValue>;

fn err(msg: impl Into<String>) -> JsValue {
    JsValue::from_str(&msg.into())
}

fn check(cond: bool, msg: impl FnOnce() -> String) -> R {
    if cond {
        Ok(())
    } else {
        Err(err(msg()))
    }
}

fn document() -> Result<Document, JsValue> {
    web_sys::window()
        .and_then(|w| w.document())
        .ok_or_else(|| err("no document"))
}

/// A fresh canvas `id` of `w`×`h` CSS pixels appended to the body.
fn canvas(id: &str, w: u32, h: u32) -> Result<HtmlCanvasElement, JsValue> {
    let doc = document()?;
    if let Some(old) = doc.get_element_by_id(id) {
        old.remove();
    }
    let el = doc.create_element("canvas")?;
    el.set_id(id);
    el.set_attribute(
        "style",
        &format!("display:block;width:{w}px;height:{h}px;margin:0;padding:0;border:0"),
    )?;
    doc.body()
        .ok_or_else(|| err("no body"))?
        .append_child(&el)?;
    el.dyn_into::<HtmlCanvasElement>()
        .map_err(|_| err("not a canvas"))
}

/// RGBA pixels of a canvas, read with `getImageData` through `Reflect` (no extra web-sys features).
fn pixels(c: &HtmlCanvasElement) -> Result<Vec<u8>, JsValue> {
    let ctx = c.get_context("2d")?.ok_or_else(|| err("no 2d context"))?;
    let get: js_sys::Function =
        js_sys::Reflect::get(&ctx, &JsValue::from_str("getImageData"))?.dyn_into()?;
    let args = js_sys::Array::of4(&0.into(), &0.into(), &c.width().into(), &c.height().into());
    let data = js_sys::Reflect::get(
        &js_sys::Reflect::apply(&get, &ctx, &args)?,
        &JsValue::from_str("data"),
    )?;
    Ok(js_sys::Uint8ClampedArray::new(&data).to_vec())
}

/// (pixels differing from the background, distinct colours, transparent pixels).
fn stats(px: &[u8], bg: RGBColor) -> (usize, usize, usize) {
    let mut colours = std::collections::HashSet::new();
    let (mut non_bg, mut transparent) = (0, 0);
    for p in px.chunks_exact(4) {
        colours.insert([p[0], p[1], p[2], p[3]]);
        if p[3] == 0 {
            transparent += 1;
        }
        let d = (i32::from(p[0]) - i32::from(bg.0)).abs()
            + (i32::from(p[1]) - i32::from(bg.1)).abs()
            + (i32::from(p[2]) - i32::from(bg.2)).abs();
        if d > 24 {
            non_bg += 1;
        }
    }
    (non_bg, colours.len(), transparent)
}

fn count_colour(px: &[u8], c: RGBColor, tol: i32) -> usize {
    px.chunks_exact(4)
        .filter(|p| {
            (i32::from(p[0]) - i32::from(c.0)).abs() <= tol
                && (i32::from(p[1]) - i32::from(c.1)).abs() <= tol
                && (i32::from(p[2]) - i32::from(c.2)).abs() <= tol
        })
        .count()
}

fn dpr() -> f64 {
    web_sys::window()
        .map(|w| w.device_pixel_ratio())
        .unwrap_or(1.0)
}

/// Overrides `window.devicePixelRatio` (a [Replaceable] attribute) for the duration of `f`.
fn with_dpr<T>(ratio: f64, f: impl FnOnce() -> Result<T, JsValue>) -> Result<T, JsValue> {
    let win: JsValue = web_sys::window().ok_or_else(|| err("no window"))?.into();
    let key = JsValue::from_str("devicePixelRatio");
    js_sys::Reflect::set(&win, &key, &JsValue::from_f64(ratio))?;
    let out = f();
    let obj: js_sys::Object = win.unchecked_into();
    js_sys::Reflect::delete_property(&obj, &key)?;
    out
}

/// A K-step trajectory on the simplex: K = 3, 41 rounds, rotating mass.
/// A run for the dynamics charts.
fn run<'a>(
    policies: &'a [f64],
    k: usize,
    upto: usize,
    labels: &'a [String],
    fixed_point: Option<&'a [f64]>,
) -> charts::RunPicture<'a> {
    charts::RunPicture {
        k,
        policies,
        upto,
        labels,
        fixed_point,
        samples: None,
        population: true,
    }
}

fn trajectory(k: usize, rounds: usize) -> Vec<f64> {
    let mut out = Vec::with_capacity(k * (rounds + 1));
    for t in 0..=rounds {
        let mut row: Vec<f64> = (0..k)
            .map(|i| 1.0 + 0.6 * ((t as f64) * 0.3 + i as f64 * 2.1).sin())
            .collect();
        let s: f64 = row.iter().sum();
        row.iter_mut().for_each(|x| *x /= s);
        out.extend(row);
    }
    out
}

// ---- HeatmapLayout::hit ----

#[wasm_bindgen_test]
fn hit_maps_css_pixels_to_cells() -> R {
    let l = HeatmapLayout {
        left: 70.0,
        top: 22.0,
        cell: 30.0,
        k: 4,
    };
    check(l.hit(70.0, 22.0) == Some((0, 0)), || {
        "top-left corner is (0, 0)".into()
    })?;
    check(
        l.hit(70.0 + 30.0 * 2.5, 22.0 + 30.0 * 1.5) == Some((1, 2)),
        || "x picks the column, y the row".into(),
    )?;
    check(l.hit(70.0 + 119.9, 22.0 + 119.9) == Some((3, 3)), || {
        "last cell up to its edge".into()
    })?;
    check(l.hit(70.0 + 120.0, 30.0).is_none(), || {
        "right of the grid".into()
    })?;
    check(l.hit(30.0, 22.0 + 130.0).is_none(), || {
        "below the grid".into()
    })?;
    check(l.hit(69.99, 50.0).is_none(), || "in the row labels".into())?;
    check(l.hit(100.0, 21.99).is_none(), || {
        "in the column labels".into()
    })?;
    check(
        l.hit(-1e9, -1e9).is_none() && l.hit(1e12, 1e12).is_none(),
        || "far outside".into(),
    )?;
    check(
        l.hit(f64::NAN, 30.0).is_none() && l.hit(80.0, f64::INFINITY).is_none(),
        || "non-finite positions".into(),
    )?;
    for i in 0..4 {
        for j in 0..4 {
            let (x, y) = (70.0 + 30.0 * j as f64 + 15.0, 22.0 + 30.0 * i as f64 + 15.0);
            check(l.hit(x, y) == Some((i, j)), || {
                format!("centre of ({i}, {j}) → {:?}", l.hit(x, y))
            })?;
        }
    }
    Ok(())
}

#[wasm_bindgen_test]
fn hit_on_an_empty_layout_is_none() -> R {
    check(HeatmapLayout::default().hit(0.0, 0.0).is_none(), || {
        "default layout hits nothing".into()
    })?;
    let zero_k = HeatmapLayout {
        left: 0.0,
        top: 0.0,
        cell: 10.0,
        k: 0,
    };
    check(zero_k.hit(5.0, 5.0).is_none(), || {
        "K = 0 hits nothing".into()
    })?;
    let neg = HeatmapLayout {
        left: 0.0,
        top: 0.0,
        cell: -10.0,
        k: 3,
    };
    check(neg.hit(-5.0, -5.0).is_none(), || {
        "a negative cell size hits nothing".into()
    })
}

// ---- diverging ----

#[wasm_bindgen_test]
fn diverging_is_blue_white_red_and_monotone() -> R {
    let (lo, mid, hi) = (
        charts::diverging(0.0),
        charts::diverging(0.5),
        charts::diverging(1.0),
    );
    check(lo.2 > 150 && lo.2 > lo.0 + 80 && lo.2 > lo.1 + 80, || {
        format!("0 → blue, got {lo:?}")
    })?;
    check(mid.0 >= 230 && mid.1 >= 230 && mid.2 >= 230, || {
        format!("0.5 → near-white, got {mid:?}")
    })?;
    check(hi.0 > 150 && hi.0 > hi.1 + 80 && hi.0 > hi.2 + 80, || {
        format!("1 → red, got {hi:?}")
    })?;
    // Monotone: red − blue increases with v; below 1/2 brightening, above darkening.
    let mut prev = charts::diverging(0.0);
    for n in 1..=200 {
        let v = n as f64 / 200.0;
        let c = charts::diverging(v);
        let (dp, dc) = (
            i32::from(prev.0) - i32::from(prev.2),
            i32::from(c.0) - i32::from(c.2),
        );
        check(dc >= dp, || {
            format!("red − blue not monotone at v = {v}: {prev:?} → {c:?}")
        })?;
        if v <= 0.5 {
            check(c.0 >= prev.0 && c.1 >= prev.1, || {
                format!("not brightening towards white at v = {v}: {prev:?} → {c:?}")
            })?;
        } else {
            check(c.1 <= prev.1 && c.2 <= prev.2, || {
                format!("not darkening towards red at v = {v}: {prev:?} → {c:?}")
            })?;
        }
        prev = c;
    }
    // Symmetric around 1/2 in lightness, clamped outside [0, 1], NaN-safe.
    check(
        charts::diverging(-3.0) == lo && charts::diverging(7.0) == hi,
        || "values outside [0, 1] clamp".into(),
    )?;
    // NaN: some colour, without panicking (clamp keeps NaN; the lerp then saturates).
    let _ = charts::diverging(f64::NAN);
    Ok(())
}

// ---- Surface::new ----

#[wasm_bindgen_test]
fn surface_sizes_backing_store_to_css_times_dpr() -> R {
    let c = canvas("t-surface", 321, 157)?;
    let s = Surface::new("t-surface").ok_or_else(|| err("Surface::new returned None"))?;
    let r = dpr().max(1.0);
    check((s.dpr - r).abs() < 1e-12, || {
        format!("dpr {} vs window {r}", s.dpr)
    })?;
    check(
        c.width() == (321.0 * r).round() as u32 && c.height() == (157.0 * r).round() as u32,
        || {
            format!(
                "backing {}×{} for CSS 321×157 at dpr {r}",
                c.width(),
                c.height()
            )
        },
    )?;
    for ratio in [2.0, 1.5, 3.0] {
        let (w, h) = with_dpr(ratio, || {
            let s = Surface::new("t-surface").ok_or_else(|| err("Surface::new returned None"))?;
            check((s.dpr - ratio).abs() < 1e-12, || {
                format!("Surface.dpr {} at devicePixelRatio {ratio}", s.dpr)
            })?;
            Ok((c.width(), c.height()))
        })?;
        let (ew, eh) = (
            (321.0 * ratio).round() as u32,
            (157.0 * ratio).round() as u32,
        );
        check(w.abs_diff(ew) <= 1 && h.abs_diff(eh) <= 1, || {
            format!("dpr {ratio}: backing {w}×{h}, expected {ew}×{eh}")
        })?;
    }
    // A resized element is followed.
    c.set_attribute("style", "display:block;width:200px;height:100px")?;
    with_dpr(2.0, || Surface::new("t-surface").ok_or_else(|| err("None")))?;
    check(c.width() == 400 && c.height() == 200, || {
        format!("after resize: {}×{}", c.width(), c.height())
    })?;
    c.remove();
    Ok(())
}

#[wasm_bindgen_test]
fn surface_of_a_missing_or_wrong_element_is_none() -> R {
    check(Surface::new("t-no-such-canvas").is_none(), || {
        "missing id".into()
    })?;
    let doc = document()?;
    let div = doc.create_element("div")?;
    div.set_id("t-div");
    doc.body()
        .ok_or_else(|| err("no body"))?
        .append_child(&div)?;
    check(Surface::new("t-div").is_none(), || {
        "a div is not a canvas".into()
    })?;
    div.remove();
    // Drawing on a missing canvas is a no-op, not an error.
    let th = Theme::default();
    check(
        charts::draw_policy(
            "t-no-such-canvas",
            &th,
            &run(&trajectory(3, 10), 3, 10, &[], None),
        )
        .is_ok(),
        || "draw on missing canvas".into(),
    )
}

// ---- drawing ----

#[wasm_bindgen_test]
fn draw_policy_paints_every_series() -> R {
    let c = canvas("t-policy", 480, 240)?;
    let theme = Theme::default();
    let k = 3;
    let pol = trajectory(k, 40);
    let labels: Vec<String> = ["A", "B", "C"].iter().map(|s| s.to_string()).collect();
    charts::draw_policy(
        "t-policy",
        &theme,
        &run(&pol, k, 40, &labels, Some(&[0.3, 0.3, 0.4])),
    )
    .map_err(err)?;
    let r = dpr().max(1.0);
    check(c.width() == (480.0 * r).round() as u32, || {
        format!("width {}", c.width())
    })?;
    let px = pixels(&c)?;
    let (non_bg, distinct, transparent) = stats(&px, theme.bg);
    let n = px.len() / 4;
    check(transparent == 0, || {
        format!("{transparent} transparent pixels: background not filled")
    })?;
    check(non_bg * 50 > n, || {
        format!("only {non_bg} of {n} pixels differ from the background")
    })?;
    check(distinct >= 10, || format!("only {distinct} colours"))?;
    for i in 0..k {
        let m = count_colour(&px, charts::series_colour(i), 8);
        check(m >= 30, || {
            format!(
                "series {i} colour {:?}: {m} pixels",
                charts::series_colour(i)
            )
        })?;
    }
    // upto = 0 draws less of the lines than upto = 40.
    let full = count_colour(&px, charts::series_colour(0), 8);
    charts::draw_policy("t-policy", &theme, &run(&pol, k, 0, &labels, None)).map_err(err)?;
    let start = count_colour(&pixels(&c)?, charts::series_colour(0), 8);
    check(start < full, || {
        format!("upto = 0 shows {start} series-0 pixels, upto = 40 {full}")
    })?;
    c.remove();
    Ok(())
}

#[wasm_bindgen_test]
fn draw_policy_follows_the_theme_background() -> R {
    let c = canvas("t-dark", 300, 200)?;
    let theme = Theme {
        fg: RGBColor(232, 232, 234),
        bg: RGBColor(22, 23, 26),
        grid: RGBColor(58, 61, 68),
        accent: RGBColor(255, 107, 107),
        muted: RGBColor(160, 164, 171),
        highlight: RGBColor(138, 180, 248),
    };
    charts::draw_policy("t-dark", &theme, &run(&trajectory(3, 20), 3, 20, &[], None))
        .map_err(err)?;
    let px = pixels(&c)?;
    check(
        px[0] == 22 && px[1] == 23 && px[2] == 26 && px[3] == 255,
        || format!("corner pixel {:?}, expected the dark background", &px[..4]),
    )?;
    let dark = count_colour(&px, theme.bg, 0);
    check(dark * 2 > px.len() / 4, || {
        format!("dark background covers {dark} of {} pixels", px.len() / 4)
    })?;
    c.remove();
    Ok(())
}

#[wasm_bindgen_test]
fn draw_matrix_paints_cells_and_returns_a_css_layout() -> R {
    let c = canvas("t-matrix", 360, 360)?;
    let theme = Theme::default();
    // Upper triangle of a 4×4 matrix: P01, P02, P03, P12, P13, P23.
    let p = PreferenceMatrix::from_upper(4, &[0.9, 0.2, 0.5, 0.75, 0.05, 0.6])
        .map_err(|e| err(format!("{e:?}")))?;
    let layout = charts::draw_matrix("t-matrix", &theme, &p, Some((0, 1))).map_err(err)?;
    check(layout.k == 4 && layout.cell > 0.0, || {
        format!("layout {layout:?}")
    })?;
    check(
        layout.left + 4.0 * layout.cell <= 360.5 && layout.top + 4.0 * layout.cell <= 360.5,
        || format!("the grid fits the 360 px canvas: {layout:?}"),
    )?;
    let px = pixels(&c)?;
    let (non_bg, distinct, transparent) = stats(&px, theme.bg);
    check(
        transparent == 0 && non_bg * 4 > px.len() / 4 && distinct >= 8,
        || format!("non-bg {non_bg}, colours {distinct}, transparent {transparent}"),
    )?;
    // Each cell's colour is diverging(P[i][j]) at the cell (sampled in backing pixels, away from the text).
    let r = dpr().max(1.0);
    let w = c.width() as usize;
    for i in 0..4 {
        for j in 0..4 {
            let x = ((layout.left + layout.cell * (j as f64 + 0.08)) * r) as usize;
            let y = ((layout.top + layout.cell * (i as f64 + 0.1)) * r) as usize;
            let o = (y * w + x) * 4;
            let want = charts::diverging(p.get(i, j));
            let got = (px[o], px[o + 1], px[o + 2]);
            let close = (i32::from(got.0) - i32::from(want.0)).abs() <= 2
                && (i32::from(got.1) - i32::from(want.1)).abs() <= 2
                && (i32::from(got.2) - i32::from(want.2)).abs() <= 2;
            // The selected cell (0, 1) has a frame on its edge; sample is inside it, so it still holds.
            check(close, || {
                format!(
                    "cell ({i}, {j}) P = {}: pixel {got:?} at ({x}, {y}), expected {want:?}",
                    p.get(i, j)
                )
            })?;
            // And hit() inverts the layout at the cell's centre.
            let (cx, cy) = (
                layout.left + layout.cell * (j as f64 + 0.5),
                layout.top + layout.cell * (i as f64 + 0.5),
            );
            check(layout.hit(cx, cy) == Some((i, j)), || {
                format!("hit at the centre of ({i}, {j})")
            })?;
        }
    }
    c.remove();
    Ok(())
}

#[wasm_bindgen_test]
fn draw_matrix_layout_is_in_css_pixels_at_any_dpr() -> R {
    let c = canvas("t-matrix-dpr", 300, 300)?;
    let p = PreferenceMatrix::from_upper(3, &[0.8, 0.3, 0.6]).map_err(|e| err(format!("{e:?}")))?;
    let th = Theme::default();
    let l1 = with_dpr(1.0, || {
        charts::draw_matrix("t-matrix-dpr", &th, &p, None).map_err(err)
    })?;
    let w1 = c.width();
    let l2 = with_dpr(2.0, || {
        charts::draw_matrix("t-matrix-dpr", &th, &p, None).map_err(err)
    })?;
    check(c.width() == 2 * w1, || {
        format!("backing width {} at dpr 2 vs {w1} at dpr 1", c.width())
    })?;
    check(
        (l1.cell - l2.cell).abs() <= 2.0
            && (l1.left - l2.left).abs() <= 1.0
            && (l1.top - l2.top).abs() <= 1.0,
        || format!("layout in CSS px should not depend on dpr: {l1:?} vs {l2:?}"),
    )?;
    c.remove();
    Ok(())
}

#[wasm_bindgen_test]
fn draw_entropy_and_simplex_paint() -> R {
    let theme = Theme::default();
    let pol = trajectory(3, 30);
    let ent: Vec<f64> = pol
        .chunks(3)
        .map(|p| -p.iter().map(|x| x * x.ln()).sum::<f64>())
        .collect();
    let c = canvas("t-entropy", 400, 200)?;
    charts::draw_entropy("t-entropy", &theme, &ent, 30, 3).map_err(err)?;
    let (non_bg, distinct, _) = stats(&pixels(&c)?, theme.bg);
    check(non_bg > 500 && distinct >= 6, || {
        format!("entropy chart: {non_bg} non-bg pixels, {distinct} colours")
    })?;
    check(count_colour(&pixels(&c)?, theme.accent, 10) >= 30, || {
        "the entropy line in the accent colour".into()
    })?;
    let s = canvas("t-simplex", 300, 300)?;
    let abc: Vec<String> = vec!["a".into(), "b".into(), "c".into()];
    charts::draw_simplex(
        "t-simplex",
        &theme,
        &run(&pol, 3, 30, &abc, Some(&[0.2, 0.3, 0.5])),
    )
    .map_err(err)?;
    let (non_bg, _, transparent) = stats(&pixels(&s)?, theme.bg);
    check(transparent == 0 && non_bg > 300, || {
        format!("simplex: {non_bg} non-bg pixels, {transparent} transparent")
    })?;
    c.remove();
    s.remove();
    Ok(())
}

#[wasm_bindgen_test]
fn theme_from_page_reads_css_variables() -> R {
    let doc = document()?;
    let root = doc.document_element().ok_or_else(|| err("no root"))?;
    root.set_attribute(
        "style",
        "--bg: #16171a; --fg: rgb(232, 232, 234); --grid: #3a3d44; --accent: #ff6b6b; --muted: #a0a4ab; --link: #8ab4f8",
    )?;
    let t = charts::theme_from_page();
    root.remove_attribute("style")?;
    check(t.bg == RGBColor(0x16, 0x17, 0x1a), || {
        format!("--bg → {:?}", t.bg)
    })?;
    check(t.fg == RGBColor(232, 232, 234), || {
        format!("--fg → {:?}", t.fg)
    })?;
    check(
        t.grid == RGBColor(0x3a, 0x3d, 0x44) && t.accent == RGBColor(0xff, 0x6b, 0x6b),
        || format!("{t:?}"),
    )?;
    check(
        t.muted == RGBColor(0xa0, 0xa4, 0xab) && t.highlight == RGBColor(0x8a, 0xb4, 0xf8),
        || format!("--muted, --link → {t:?}"),
    )?;
    // Without the variables: the default theme.
    let d = charts::theme_from_page();
    check(d.bg == Theme::default().bg, || {
        format!("default bg {:?}", d.bg)
    })
}

/// A listener on a missing element is an error that names the id (a typo in an id cannot
/// leave a control silently dead).
#[wasm_bindgen_test]
fn listening_on_a_missing_element_names_it() -> R {
    let doc = document()?;
    let e = prefdyn_web::dom::on(&doc, "no-such-control", "click", |_: web_sys::Event| {});
    let msg = e.err().and_then(|v| v.as_string()).unwrap_or_default();
    check(msg.contains("#no-such-control"), || format!("error: {msg}"))?;
    let c = canvas("present-control", 10, 10)?;
    check(
        prefdyn_web::dom::on(&doc, &c.id(), "click", |_: web_sys::Event| {}).is_ok(),
        || "a present element takes a listener".into(),
    )
}

// ---- the charts' geometry and emphasis ----

/// A coloured (not grey, not white) pixel: a line's, not the grid's or the text's.
fn saturated(p: &[u8]) -> bool {
    let (hi, lo) = (p[0].max(p[1]).max(p[2]), p[0].min(p[1]).min(p[2]));
    hi - lo > 40
}

/// Coloured backing pixels in the backing column of CSS `x`, within `reach` CSS pixels of
/// CSS row `y`.
fn thickness(px: &[u8], c: &HtmlCanvasElement, (x, y): (f64, f64), reach: f64) -> usize {
    let r = dpr().max(1.0);
    let (w, h) = (c.width() as i64, c.height() as i64);
    let col = (x * r) as i64;
    let (from, to) = (((y - reach) * r) as i64, ((y + reach) * r) as i64);
    (from.max(0)..=to.min(h - 1))
        .filter(|row| {
            let o = ((row * w + col) * 4) as usize;
            saturated(&px[o..o + 4])
        })
        .count()
}

/// A constant K = 2 run over rounds 0..=40: response 0 at `a`, response 1 at `1 − a`.
fn constant(a: f64) -> Vec<f64> {
    (0..=40).flat_map(|_| [a, 1.0 - a]).collect()
}

#[wasm_bindgen_test]
fn draw_policy_returns_its_layout_in_css_pixels() -> R {
    let c = canvas("t-layout", 600, 280)?;
    let pol = constant(0.25);
    let th = Theme::default();
    let mut layouts = vec![];
    for ratio in [1.0, 2.0] {
        let l = with_dpr(ratio, || {
            charts::draw_policy("t-layout", &th, &run(&pol, 2, 40, &[], None)).map_err(err)
        })?;
        check(l.t_max == 40, || format!("t_max {}", l.t_max))?;
        check(
            l.left > 20.0 && l.left + l.width < 600.0 && l.top >= 0.0 && l.top + l.height < 280.0,
            || format!("dpr {ratio}: the plot lies inside the 600 × 280 canvas: {l:?}"),
        )?;
        for t in 0..=40 {
            check(l.round_at(l.x_of(t as f64)) == Some(t), || {
                format!(
                    "dpr {ratio}: round_at(x_of({t})) = {:?}",
                    l.round_at(l.x_of(t as f64))
                )
            })?;
        }
        check(
            l.round_at(l.left - 5.0).is_none() && l.round_at(l.left + l.width + 5.0).is_none(),
            || "outside the plot: no round".into(),
        )?;
        layouts.push(l);
    }
    let (a, b) = (layouts[0], layouts[1]);
    check(
        (a.left - b.left).abs() <= 1.0
            && (a.width - b.width).abs() <= 2.0
            && (a.top - b.top).abs() <= 1.0,
        || format!("CSS layout independent of dpr: {a:?} vs {b:?}"),
    )?;
    // The lines are where the layout says: response 0 at y_of(0.25), 1 at y_of(0.75).
    charts::draw_policy("t-layout", &th, &run(&pol, 2, 40, &[], None)).map_err(err)?;
    let l = layouts[0];
    let px = pixels(&c)?;
    for v in [0.25, 0.75] {
        let n = thickness(&px, &c, (l.x_of(17.5), l.y_of(v)), 2.0);
        check(n >= 1, || format!("no line at y_of({v}) = {}", l.y_of(v)))?;
    }
    c.remove();
    Ok(())
}

#[wasm_bindgen_test]
fn the_mean_path_is_drawn_bolder_than_the_population_run() -> R {
    let c = canvas("t-bold", 640, 360)?;
    let (pop, mean) = (constant(0.2), constant(0.6));
    let paths: [&[f64]; 0] = [];
    let samples = charts::SamplePaths {
        paths: &paths,
        mean: &mean,
    };
    let pic = charts::RunPicture {
        samples: Some(samples),
        ..run(&pop, 2, 40, &[], None)
    };
    let l = charts::draw_policy("t-bold", &Theme::default(), &pic).map_err(err)?;
    let px = pixels(&c)?;
    let (mut bold, mut thin) = (0, 0);
    for t in [5.5, 12.5, 21.5, 33.5] {
        let x = l.x_of(t);
        bold +=
            thickness(&px, &c, (x, l.y_of(0.6)), 8.0) + thickness(&px, &c, (x, l.y_of(0.4)), 8.0);
        thin +=
            thickness(&px, &c, (x, l.y_of(0.2)), 8.0) + thickness(&px, &c, (x, l.y_of(0.8)), 8.0);
    }
    check(thin > 0 && bold >= 2 * thin, || {
        format!("mean path {bold} px against the population's {thin} px in 8 columns")
    })?;
    // Hidden population: nothing at its values.
    let hidden = charts::RunPicture {
        population: false,
        ..pic
    };
    let l = charts::draw_policy("t-bold", &Theme::default(), &hidden).map_err(err)?;
    let px = pixels(&c)?;
    let gone = thickness(&px, &c, (l.x_of(12.5), l.y_of(0.2)), 6.0);
    check(gone == 0, || format!("hidden population still {gone} px"))?;
    c.remove();
    Ok(())
}

#[wasm_bindgen_test]
fn sixty_four_responses_leave_the_plot_most_of_the_width() -> R {
    let c = canvas("t-k64", 600, 260)?;
    let k = 64;
    let pol = trajectory(k, 30);
    let labels: Vec<String> = (0..k).map(|i| format!("model-{i}")).collect();
    let l = charts::draw_policy("t-k64", &Theme::default(), &run(&pol, k, 30, &labels, None))
        .map_err(err)?;
    check(l.width >= 0.65 * 600.0, || {
        format!("the names' margin leaves the plot {} of 600 px", l.width)
    })?;
    // The names are drawn right of the plot.
    let px = pixels(&c)?;
    let r = dpr().max(1.0);
    let (w, h) = (c.width() as usize, c.height() as usize);
    let x0 = ((l.left + l.width + 4.0) * r) as usize;
    let inked = (x0..w)
        .flat_map(|x| (0..h).map(move |y| (x, y)))
        .filter(|&(x, y)| saturated(&px[(y * w + x) * 4..(y * w + x) * 4 + 4]))
        .count();
    check(inked > 50, || {
        format!("{inked} coloured pixels right of the plot")
    })?;
    c.remove();
    Ok(())
}

#[wasm_bindgen_test]
fn the_highlight_frames_only_its_panel() -> R {
    let c = canvas("t-oneshot", 800, 240)?;
    let theme = Theme {
        highlight: RGBColor(255, 0, 255),
        ..Theme::default()
    };
    let panels: Vec<(String, Vec<f64>)> = ["uniform", "reference", "on-policy", "maximal lottery"]
        .iter()
        .map(|t| (t.to_string(), vec![0.3, 0.2, 0.1, 0.25, 0.15]))
        .collect();
    for highlight in [None, Some(0), Some(3), Some(9)] {
        charts::draw_one_shot("t-oneshot", &theme, &panels, &[], highlight).map_err(err)?;
        let px = pixels(&c)?;
        let (w, h) = (c.width() as usize, c.height() as usize);
        for p in 0..4 {
            let n = (p * w / 4..(p + 1) * w / 4)
                .flat_map(|x| (0..h).map(move |y| (x, y)))
                .filter(|&(x, y)| {
                    let o = (y * w + x) * 4;
                    px[o] >= 235 && px[o + 1] <= 20 && px[o + 2] >= 235
                })
                .count();
            if highlight == Some(p) {
                check(n >= h, || {
                    format!("panel {p} highlighted: {n} frame pixels")
                })?;
            } else {
                check(n == 0, || {
                    format!("panel {p} (highlight {highlight:?}): {n} frame pixels")
                })?;
            }
        }
    }
    c.remove();
    Ok(())
}

#[wasm_bindgen_test]
fn draw_entropy_returns_its_layout() -> R {
    let c = canvas("t-entropy-layout", 500, 200)?;
    let ent: Vec<f64> = (0..=50).map(|t| 1.0 - t as f64 / 100.0).collect();
    let l =
        charts::draw_entropy("t-entropy-layout", &Theme::default(), &ent, 30, 3).map_err(err)?;
    check(l.t_max == 50 && l.y_max > 3f64.ln(), || format!("{l:?}"))?;
    check(l.round_at(l.x_of(30.0)) == Some(30), || "round trip".into())?;
    // The line ends at round 30 at H = 0.7: accent pixels there, none at round 45.
    let px = pixels(&c)?;
    let at = |t: f64| thickness(&px, &c, (l.x_of(t), l.y_of(1.0 - t / 100.0)), 3.0);
    check(at(20.5) > 0 && at(45.5) == 0, || {
        format!(
            "line up to the cursor only: {} at 20.5, {} at 45.5",
            at(20.5),
            at(45.5)
        )
    })?;
    c.remove();
    Ok(())
}

// ---- the charts over rounds without plotters ----

/// The lines of a recording: points and stroke.
fn recorded_lines(
    drawn: &[prefdyn_charts::Drawn],
) -> Vec<(Vec<(f64, f64)>, prefdyn_charts::Stroke)> {
    drawn
        .iter()
        .filter_map(|d| match d {
            prefdyn_charts::Drawn::Line { points, stroke } => Some((points.clone(), *stroke)),
            _ => None,
        })
        .collect()
}

#[wasm_bindgen_test]
fn the_canvas_is_given_the_chart_a_recording_is_and_draws_its_lines_where_it_says() -> R {
    for ratio in [1.0, 2.0] {
        with_dpr(ratio, || canvas_draws_the_recorded_chart(ratio))?;
    }
    Ok(())
}

/// The π_t chart drawn through [`charts::CanvasPaint`] at device pixel ratio `ratio`.
fn canvas_draws_the_recorded_chart(ratio: f64) -> R {
    let c = canvas("t-paint", 480, 240)?;
    let pol: Vec<f64> = (0..=40).flat_map(|_| [0.2, 0.3, 0.5]).collect();
    let names: Vec<String> = ["a", "b", "c"].iter().map(|s| s.to_string()).collect();
    let fp = [0.25, 0.35, 0.4];
    let pic = run(&pol, 3, 40, &names, Some(&fp));
    let theme = Theme::default();
    let surface = Surface::new("t-paint").ok_or_else(|| err("no surface"))?;
    let dpr = surface.dpr;
    check(dpr == ratio, || format!("dpr {dpr}, not {ratio}"))?;
    let mut paint = charts::CanvasPaint::new(&surface).ok_or_else(|| err("no 2d context"))?;
    let mut rec = prefdyn_charts::Recording::over(&mut paint);
    let l = prefdyn_charts::paint_policy(&mut rec, dpr, &theme, &pic).map_err(err)?;
    let drawn = rec.drawn;
    // A recording of the canvas' size is given the same primitives (what the CLI's files
    // are given at that size and scale).
    let size = (f64::from(c.width()), f64::from(c.height()));
    let mut alone = prefdyn_charts::Recording::new(size);
    let same = prefdyn_charts::paint_policy(&mut alone, dpr, &theme, &pic).map_err(err)?;
    check(alone.drawn == drawn && same == l, || {
        "the canvas and a recording were given different charts".into()
    })?;
    // Every inner vertex of each solid line is in the line's colour.
    let px = pixels(&c)?;
    let w = c.width() as usize;
    let mut checked = 0;
    let solid = recorded_lines(&drawn)
        .into_iter()
        .filter(|(_, s)| s.width >= 2.0 && s.dash.is_none());
    for (points, stroke) in solid {
        let colour = RGBColor(stroke.colour.r, stroke.colour.g, stroke.colour.b);
        for &(x, y) in &points[1..points.len() - 1] {
            let o = ((y as usize) * w + x as usize) * 4;
            check(count_colour(&px[o..o + 4], colour, 8) == 1, || {
                format!(
                    "({x}, {y}) is {:?}, not the line's {colour:?}",
                    &px[o..o + 4]
                )
            })?;
            checked += 1;
        }
    }
    check(checked == 3 * 39, || format!("{checked} vertices checked"))?;
    // `draw_policy` draws exactly this, and returns its layout in CSS pixels.
    let css = charts::draw_policy("t-paint", &theme, &pic).map_err(err)?;
    check(css == l.scaled(dpr), || {
        format!("{css:?} against {l:?} / {dpr}")
    })?;
    check(pixels(&c)? == px, || "draw_policy drew other pixels".into())?;
    c.remove();
    Ok(())
}

#[wasm_bindgen_test]
fn the_entropy_chart_is_the_recorded_one_and_clear_empties_a_canvas() -> R {
    let c = canvas("t-paint-h", 400, 200)?;
    let ent: Vec<f64> = (0..=50).map(|t| 1.0 - t as f64 / 100.0).collect();
    let theme = Theme::default();
    let css = charts::draw_entropy("t-paint-h", &theme, &ent, 30, 3).map_err(err)?;
    let size = (f64::from(c.width()), f64::from(c.height()));
    let mut rec = prefdyn_charts::Recording::new(size);
    let l = prefdyn_charts::paint_entropy(&mut rec, dpr().max(1.0), &theme, &ent, 30, 3)
        .map_err(err)?;
    check(css == l.scaled(dpr().max(1.0)), || {
        format!("{css:?} against {l:?}")
    })?;
    // The entropy line's inner vertices are in the accent colour.
    let px = pixels(&c)?;
    let w = c.width() as usize;
    let accent = prefdyn_charts::Rgba::solid(theme.accent);
    let line = recorded_lines(&rec.drawn)
        .into_iter()
        .find(|(_, s)| s.colour == accent)
        .ok_or_else(|| err("no entropy line recorded"))?;
    for &(x, y) in &line.0[1..line.0.len() - 1] {
        let o = ((y as usize) * w + x as usize) * 4;
        check(count_colour(&px[o..o + 4], theme.accent, 10) == 1, || {
            format!("({x}, {y}) is {:?}", &px[o..o + 4])
        })?;
    }
    charts::clear("t-paint-h");
    let (_, _, transparent) = stats(&pixels(&c)?, theme.bg);
    check(transparent == px.len() / 4, || {
        format!("{transparent} of {} pixels cleared", px.len() / 4)
    })?;
    c.remove();
    Ok(())
}
