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
        "--bg: #16171a; --fg: rgb(232, 232, 234); --grid: #3a3d44; --accent: #ff6b6b",
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
