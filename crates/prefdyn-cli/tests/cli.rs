//! The `prefdyn` binary end to end: its numbers are the engine's, its files are written,
//! and bad arguments fail loudly.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use prefdyn::config::{parse_query, to_query};
use prefdyn::phase::{sweep, PhaseMetric, PhaseSpec};
use prefdyn::report::{phase_setup, resolve_matrix, Results};
use prefdyn_paper::figures::FIGURES;
use serde_json::Value;

fn prefdyn(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_prefdyn"))
        .args(args)
        .output()
        .expect("the prefdyn binary runs")
}

fn stdout_json(out: &Output) -> Value {
    assert!(
        out.status.success(),
        "exit {:?}: {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("stdout is JSON")
}

/// A fresh directory under the system temp dir, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> Self {
        let p = std::env::temp_dir().join(format!("prefdyn-cli-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir_all(&p).unwrap();
        TempDir(p)
    }
    fn path(&self, file: &str) -> PathBuf {
        self.0.join(file)
    }
    fn s(&self, file: &str) -> String {
        self.path(file).to_str().unwrap().to_string()
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn nonempty(p: &Path) -> Vec<u8> {
    let b = std::fs::read(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    assert!(!b.is_empty(), "{} is empty", p.display());
    b
}

fn f64s(v: &Value) -> Vec<f64> {
    v.as_array()
        .unwrap_or_else(|| panic!("not an array: {v}"))
        .iter()
        .map(|x| x.as_f64().unwrap_or(f64::NAN))
        .collect()
}

fn close(a: f64, b: f64, tol: f64) -> bool {
    (a.is_nan() && b.is_nan()) || (a - b).abs() <= tol
}

fn assert_all_close(what: &str, a: &[f64], b: &[f64], tol: f64) {
    assert_eq!(a.len(), b.len(), "{what}: lengths");
    for (i, (x, y)) in a.iter().zip(b).enumerate() {
        assert!(close(*x, *y, tol), "{what}[{i}]: CLI {x} vs engine {y}");
    }
}

/// Equal JSON up to a relative 1e-12 on numbers.
fn json_close(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => {
            let (x, y) = (x.as_f64().unwrap(), y.as_f64().unwrap());
            (x - y).abs() <= 1e-12 * x.abs().max(y.abs()).max(1.0)
        }
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(x, y)| json_close(x, y))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| json_close(v, w)))
        }
        _ => a == b,
    }
}

const PNG_MAGIC: [u8; 8] = [0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A];

#[test]
fn run_json_equals_the_engine() {
    let links = [
        "v=2&alpha=0.7&beta=5",
        "http://127.0.0.1:8080/?v=2&alpha=0.7&beta=5",
        "v=2&gen=sst&k=5&seed=2&alpha=0.5&beta=2&lam=0.8&T=30",
        "v=2&preset=chatbot_arena_2023may_5&alpha=0.95&beta=2&lam=0.8&T=100",
        "v=2&gen=cyclic&k=7&seed=3&solver=dpo&lam=0.6&beta=1&T=80&pi0=dir4",
        "v=2&gen=random&k=6&seed=9&alpha=0.3&beta=7&lam=0.4&eta=0.5&T=500&burn=100",
        // A format-1 link (no v): read with its alpha and lam swapped.
        "gen=random&k=6&seed=9&alpha=0.4&beta=7&lam=0.3&eta=0.5&T=500&burn=100",
    ];
    for link in links {
        let out = prefdyn(&["run", link, "--quiet"]);
        let j = stdout_json(&out);
        let config = parse_query(link).config;
        let engine = Results::compute(&config);
        assert_eq!(
            j["query"].as_str(),
            Some(to_query(&config).as_str()),
            "{link}"
        );
        let d = &j["results"]["dynamics"];
        let e = engine.dynamics.as_ref().unwrap();
        assert_all_close(
            &format!("{link}: final_policy"),
            &f64s(&d["final_policy"]),
            &e.final_policy,
            1e-12,
        );
        match e.stability.rho {
            Some(r) => assert!(close(d["rho"].as_f64().unwrap(), r, 1e-12), "{link}: rho"),
            None => assert!(d["rho"].is_null(), "{link}: rho"),
        }
        assert!(
            close(d["variance"].as_f64().unwrap(), e.metrics.variance, 1e-12),
            "{link}: variance"
        );
        assert!(
            close(
                d["final_entropy"].as_f64().unwrap(),
                e.metrics.final_entropy,
                1e-12
            ),
            "{link}: entropy"
        );
        assert_eq!(
            d["verdict"],
            serde_json::to_value(e.metrics.verdict).unwrap(),
            "{link}"
        );
        // The one-shot section too.
        let os = j["results"]["one_shot"].as_array().unwrap();
        assert_eq!(os.len(), engine.one_shot.len(), "{link}");
        for (c, e) in os.iter().zip(&engine.one_shot) {
            assert_all_close(
                &format!("{link}: one-shot {}", e.label),
                &f64s(&c["policy"]),
                &e.result.policy,
                1e-12,
            );
        }
    }
    // The full URL and its query give the same document.
    let a = stdout_json(&prefdyn(&["run", links[0], "--quiet"]));
    let b = stdout_json(&prefdyn(&["run", links[1], "--quiet"]));
    assert_eq!(a, b);
}

#[test]
fn run_writes_json_csv_png_svg() {
    let dir = TempDir::new("run-files");
    let link = "v=2&alpha=0.95&beta=2&lam=0.8&T=40";
    let out = prefdyn(&[
        "run",
        link,
        "--quiet",
        "--json",
        &dir.s("r.json"),
        "--csv",
        &dir.s("r.csv"),
        "--png",
        &dir.s("r.png"),
        "--svg",
        &dir.s("r.svg"),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.stdout.is_empty(), "--json sends the JSON to the file");
    let j: Value = serde_json::from_slice(&nonempty(&dir.path("r.json"))).unwrap();
    assert!(j["results"]["dynamics"]["final_policy"].is_array());
    let csv = String::from_utf8(nonempty(&dir.path("r.csv"))).unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 40 + 2, "header + π₀..π_T");
    assert!(lines[0].starts_with("t,"), "{}", lines[0]);
    assert!(lines[0].ends_with(",entropy"));
    assert!(lines[41].starts_with("40,"));
    // The last row is the engine's final policy.
    let e = Results::compute(&parse_query(link).config);
    let last: Vec<f64> = lines[41]
        .split(',')
        .skip(1)
        .take(3)
        .map(|x| x.parse().unwrap())
        .collect();
    assert_all_close(
        "csv last row",
        &last,
        &e.dynamics.unwrap().final_policy,
        0.0,
    );
    let png = nonempty(&dir.path("r.png"));
    assert_eq!(png[..8], PNG_MAGIC);
    let svg = String::from_utf8(nonempty(&dir.path("r.svg"))).unwrap();
    assert!(svg.starts_with("<svg"), "{}", &svg[..svg.len().min(80)]);
    assert!(svg.trim_end().ends_with("</svg>"));
}

#[test]
fn run_phase_link_equals_single_threaded_sweep() {
    let dir = TempDir::new("phase");
    let link = "v=2&view=phase&nx=4&ny=3&en=2&pT=50";
    let out = prefdyn(&["run", link, "--quiet", "--csv", &dir.s("g.csv")]);
    let j = stdout_json(&out);
    let config = parse_query(link).config;
    let (p, err) = resolve_matrix(&config);
    assert!(err.is_none());
    let (spec, members) = phase_setup(&config, &p).unwrap();
    assert_eq!(
        (spec.x.n, spec.y.n, members.len(), spec.rounds),
        (4, 3, 2, 50)
    );
    let grid = sweep(&spec, &members).unwrap();
    let rho = sweep(
        &PhaseSpec {
            metric: PhaseMetric::Rho,
            ..spec
        },
        &members,
    )
    .unwrap();
    let g = &j["phase"]["grid"];
    assert_eq!(g["nx"].as_u64(), Some(4));
    assert_eq!(g["ny"].as_u64(), Some(3));
    assert_all_close("mean", &f64s(&g["mean"]), &grid.mean, 1e-15);
    assert_all_close("sd", &f64s(&g["sd"]), &grid.sd, 1e-15);
    assert_all_close("x", &f64s(&g["x_values"]), &grid.x_values, 1e-15);
    assert_all_close("y", &f64s(&g["y_values"]), &grid.y_values, 1e-15);
    assert_all_close("rho", &f64s(&j["phase"]["rho"]), &rho.mean, 1e-15);
    // Not a degenerate grid: the cells differ.
    assert!(grid.mean.iter().any(|v| (v - grid.mean[0]).abs() > 1e-9));
    let csv = String::from_utf8(nonempty(&dir.path("g.csv"))).unwrap();
    assert_eq!(csv.lines().count(), 4 * 3 + 1);
    assert!(csv.starts_with("alpha,betalam,mean,sd,rho"));
}

#[test]
fn figures_writes_every_file_and_the_summary() {
    let dir = TempDir::new("figures");
    let out = prefdyn(&["figures", "--out", &dir.s("out"), "--quiet"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let d = dir.path("out");
    for f in FIGURES.iter() {
        let png = nonempty(&d.join(format!("{}.png", f.id)));
        assert_eq!(png[..8], PNG_MAGIC, "{}", f.id);
        let svg = String::from_utf8(nonempty(&d.join(format!("{}.svg", f.id)))).unwrap();
        assert!(svg.starts_with("<svg"), "{}", f.id);
        let csv = String::from_utf8(nonempty(&d.join(format!("{}.csv", f.id)))).unwrap();
        assert!(csv.lines().count() > 2, "{}", f.id);
    }
    let md = String::from_utf8(nonempty(&d.join("summary.md"))).unwrap();
    let js: Value = serde_json::from_slice(&nonempty(&d.join("summary.json"))).unwrap();
    let rows = js.as_array().unwrap();
    let findings = prefdyn_paper::findings::all();
    assert_eq!(rows.len(), FIGURES.len() + findings.len());
    // Figure rows first, in order, then the finding rows.
    for (row, f) in rows.iter().zip(FIGURES.iter()) {
        assert_eq!(row["id"].as_str(), Some(f.id));
        assert!(
            md.contains(&format!("| {} |", f.id)),
            "{} not in summary.md",
            f.id
        );
    }
    for (row, f) in rows[FIGURES.len()..].iter().zip(&findings) {
        assert_eq!(row["id"].as_str(), Some(f.id));
        assert_eq!(row["kind"].as_str(), Some("finding"));
        assert_eq!(row["claim"].as_str(), Some(f.title));
        assert_eq!(row["numbers"].as_str(), Some(f.summary.as_str()));
        assert_eq!(row["holds"].as_bool(), Some(f.holds));
        // serde_json's default float parsing may be off by an ulp: compare to 1e-12.
        assert!(json_close(&row["details"], &f.numbers), "{}: details", f.id);
        assert!(
            md.contains(&format!("| {} |", f.id)),
            "{} not in summary.md",
            f.id
        );
    }
    // The Markdown table stays a table: every row has the same number of cells.
    let finding_lines: Vec<&str> = md.lines().filter(|l| l.starts_with("| finding")).collect();
    assert_eq!(finding_lines.len(), findings.len());
    for l in finding_lines {
        let cells = l.replace("\\|", "").matches('|').count();
        assert_eq!(cells, 5, "{l}");
    }
    // The figure rows carry the engine's numbers.
    let fig1b = &rows[1];
    assert_eq!(fig1b["id"].as_str(), Some("fig1b"));
    let e = Results::compute(&parse_query(FIGURES[1].query).config);
    assert!(close(
        fig1b["rho"].as_f64().unwrap(),
        e.dynamics.unwrap().stability.rho.unwrap(),
        1e-12
    ));
}

/// `--simplex`: the K = 3 phase portrait as PNG (SVG for a `.svg` path), square at the
/// chart's height, with the link's starts in the JSON; K ≠ 3 is an error.
#[test]
fn run_writes_the_phase_portrait() {
    let dir = TempDir::new("simplex");
    let link = "v=2&alpha=0.95&beta=2&lam=0.8&T=60&starts=0.7,0.2,0.1;1,0,0";
    let out = prefdyn(&[
        "run",
        link,
        "--quiet",
        "--simplex",
        &dir.s("s.png"),
        "--height",
        "300",
    ]);
    let j = stdout_json(&out);
    let pt = &j["results"]["dynamics"]["portrait"];
    assert_eq!(pt["fixed_point_filled"], false);
    assert_eq!(pt["starts"][1], serde_json::json!([0.996, 0.002, 0.002]));
    let png = nonempty(&dir.path("s.png"));
    assert_eq!(png[..8], PNG_MAGIC);
    let size = |b: &[u8], at: usize| u32::from_be_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]]);
    assert_eq!((size(&png, 16), size(&png, 20)), (300, 300));
    let out = prefdyn(&["run", link, "--quiet", "--simplex", &dir.s("s.svg")]);
    assert!(out.status.success());
    let svg = String::from_utf8(nonempty(&dir.path("s.svg"))).unwrap();
    assert!(svg.starts_with("<svg") && svg.contains("speed"));
    let out = prefdyn(&[
        "run",
        "v=2&gen=cyclic&k=5",
        "--quiet",
        "--simplex",
        &dir.s("k5.png"),
    ]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("K = 3"));
}

#[test]
fn bad_link_is_an_error_naming_every_parameter() {
    let out = prefdyn(&["run", "alpha=abc&zzz=1", "--quiet"]);
    assert!(!out.status.success());
    assert!(out.stdout.is_empty());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("alpha"), "{err}");
    assert!(err.contains("zzz"), "{err}");
    assert!(err.contains("error"), "{err}");
}

#[test]
fn bad_arguments_exit_non_zero() {
    for args in [
        vec!["frobnicate"],
        vec!["run", "alpha=0.5", "--bogus"],
        vec!["run"],
        vec!["figures", "--out"],
        vec!["run", "alpha=0.5", "--width", "wide"],
        vec![],
    ] {
        let out = prefdyn(&args);
        assert!(!out.status.success(), "{args:?} succeeded");
        assert!(!out.stderr.is_empty(), "{args:?}: no message");
    }
    // An output directory that cannot be created.
    let dir = TempDir::new("bad-out");
    std::fs::write(dir.path("file"), b"x").unwrap();
    let blocked = dir.path("file").join("sub");
    let out = prefdyn(&["figures", "--out", blocked.to_str().unwrap(), "--quiet"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot create"));
    // An unwritable output file.
    let out = prefdyn(&[
        "run",
        "alpha=0.5",
        "--quiet",
        "--csv",
        blocked.to_str().unwrap(),
    ]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot write"));
}

#[test]
fn run_with_a_matrix_file_is_the_link_of_the_imported_matrix() {
    let dir = TempDir::new("matrix");
    let file = dir.path("counts.csv");
    std::fs::write(&file, "model,a,b,c\na,,7,2\nb,3,,9\nc,8,1,\n").unwrap();
    let out = stdout_json(&prefdyn(&[
        "run",
        "v=2&alpha=0.5",
        "--matrix",
        &dir.s("counts.csv"),
        "--quiet",
    ]));
    let q = out["query"].as_str().unwrap();
    assert_eq!(
        q,
        "v=2&k=3&P=0.681818,0.227273,0.863636&labels=a,b,c&alpha=0.5"
    );
    // P = (wins + ½) / (games + 1): a beat b 7 of 10 times.
    assert!(close(7.5 / 11.0, 0.681818, 1e-6));
    let engine = serde_json::to_value(Results::compute(&parse_query(q).config)).unwrap();
    assert!(json_close(&out["results"], &engine));
    // Inconsistent pairs fail, named, unless asked to fix them.
    std::fs::write(dir.path("p.csv"), ",a,b\na,,0.7\nb,0.4,\n").unwrap();
    let bad = prefdyn(&["run", "v=2", "--matrix", &dir.s("p.csv"), "--quiet"]);
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("--make-consistent"));
    let fixed = stdout_json(&prefdyn(&[
        "run",
        "v=2",
        "--matrix",
        &dir.s("p.csv"),
        "--make-consistent",
        "--quiet",
    ]));
    assert_eq!(
        fixed["query"].as_str().unwrap(),
        "v=2&k=2&P=0.65&labels=a,b"
    );
    // A bad file is named by row and column.
    std::fs::write(dir.path("x.csv"), "a,b\n,x\n0.5,\n").unwrap();
    let bad = prefdyn(&["run", "v=2", "--matrix", &dir.s("x.csv"), "--quiet"]);
    assert!(
        String::from_utf8_lossy(&bad.stderr).contains("row 2"),
        "{}",
        String::from_utf8_lossy(&bad.stderr)
    );
}

/// A text of an SVG chart: where it is anchored, how, its size in pixels (plotters writes
/// `font-size` as the pixel size / 1.24), whether it is turned, and what it says.
#[derive(Debug)]
struct SvgText {
    x: f64,
    y: f64,
    anchor: String,
    size: f64,
    turned: bool,
    text: String,
}

fn svg_texts(svg: &str) -> Vec<SvgText> {
    let attr = |tag: &str, name: &str| -> Option<String> {
        let start = tag.find(&format!(" {name}=\""))? + name.len() + 3;
        let end = tag[start..].find('"')? + start;
        Some(tag[start..end].to_string())
    };
    svg.split("<text ")
        .skip(1)
        .map(|chunk| {
            let (tag, rest) = chunk.split_once('>').unwrap();
            let tag = &format!(" {tag}");
            let text = rest.split("</text>").next().unwrap().trim();
            let num = |name: &str| attr(tag, name).unwrap().parse::<f64>().unwrap();
            SvgText {
                x: num("x"),
                y: num("y"),
                anchor: attr(tag, "text-anchor").unwrap_or_default(),
                size: num("font-size") * 1.24,
                turned: attr(tag, "transform").is_some(),
                text: text
                    .replace("&lt;", "<")
                    .replace("&gt;", ">")
                    .replace("&amp;", "&"),
            }
        })
        .collect()
}

/// Every text of an SVG within its `w × h` canvas (widths by the charts' own estimate).
fn assert_texts_inside(svg: &str, (w, h): (f64, f64), what: &str) {
    let texts = svg_texts(svg);
    assert!(!texts.is_empty(), "{what}: no text");
    for t in &texts {
        let len = prefdyn_charts::text_width(&t.text, t.size);
        let (along, across) = if t.turned { (t.y, t.x) } else { (t.x, t.y) };
        let (from, to) = match t.anchor.as_str() {
            "middle" => (along - len / 2.0, along + len / 2.0),
            "end" => (along - len, along),
            _ => (along, along + len),
        };
        let limit = if t.turned { h } else { w };
        assert!(
            from >= -0.5 && to <= limit + 0.5,
            "{what}: {:?} runs from {from:.1} to {to:.1} (of {limit})",
            t.text
        );
        let cross_limit = if t.turned { w } else { h };
        assert!(
            (0.0..=cross_limit).contains(&across),
            "{what}: {t:?} is off the canvas"
        );
    }
}

/// The phase diagram on a phone (340 × 300): the legend writes the contraction line as
/// the paper does, wrapped, and nothing runs off the canvas; the colour bar's numbers are
/// written with 3 significant digits and superscript powers of ten.
#[test]
fn the_phase_chart_fits_a_phone() {
    let dir = TempDir::new("phase-phone");
    let link = "v=2&view=phase&lam=0.8&nx=6&ny=5&ens=current&pT=200";
    for (w, h) in [(340, 300), (1280, 420)] {
        let file = format!("p{w}.svg");
        let out = prefdyn(&[
            "run",
            link,
            "--quiet",
            "--svg",
            &dir.s(&file),
            "--width",
            &w.to_string(),
            "--height",
            &h.to_string(),
        ]);
        assert!(out.status.success());
        let svg = String::from_utf8(nonempty(&dir.path(&file))).unwrap();
        assert_texts_inside(&svg, (w as f64, h as f64), &file);
        let texts = svg_texts(&svg);
        let all: String = texts
            .iter()
            .map(|t| t.text.as_str())
            .collect::<Vec<_>>()
            .join(" ");
        assert!(
            all.contains("α + (βλ/2)‖P − ½11ᵀ‖₂ = 1:"),
            "{file}: the contraction line as the paper writes it: {all}"
        );
        assert!(!all.contains("‖S‖"), "{file}: S is not defined on the page");
        assert!(all.contains(" × 10⁻"), "{file}: a log colour bar: {all}");
        let e_notation = |s: &str| {
            s.as_bytes().windows(3).any(|w| {
                w[0].is_ascii_digit() && w[1] == b'e' && (w[2] == b'-' || w[2].is_ascii_digit())
            })
        };
        assert!(
            !texts.iter().any(|t| e_notation(&t.text)),
            "{file}: no 1e-3 style numbers"
        );
    }
}

/// K = 64: the π_t chart names the 8 largest responses at their lines' ends and counts
/// the others; the one-shot view draws the one-shot chart; both fit a phone.
#[test]
fn the_dynamics_names_and_the_one_shot_panels() {
    let dir = TempDir::new("names");
    let link = "v=2&gen=random&k=64&seed=3&alpha=0.5&beta=2&lam=0.8&T=60";
    for (w, h) in [(340, 230), (1280, 400)] {
        let file = format!("k64-{w}.svg");
        let out = prefdyn(&[
            "run",
            link,
            "--quiet",
            "--svg",
            &dir.s(&file),
            "--width",
            &w.to_string(),
            "--height",
            &h.to_string(),
        ]);
        assert!(out.status.success());
        let svg = String::from_utf8(nonempty(&dir.path(&file))).unwrap();
        assert_texts_inside(&svg, (w as f64, h as f64), &file);
        let texts = svg_texts(&svg);
        assert!(texts.iter().any(|t| t.text == "+56 more"), "{file}");
        // The names are the matrix's labels of the 8 largest final probabilities.
        let j = stdout_json(&prefdyn(&["run", link, "--quiet"]));
        let labels: Vec<String> = j["results"]["matrix"]["labels"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap().to_string())
            .collect();
        let last = f64s(&j["results"]["dynamics"]["final_policy"]);
        let mut order: Vec<usize> = (0..64).collect();
        order.sort_by(|&a, &b| last[b].total_cmp(&last[a]));
        for &i in &order[..8] {
            assert!(
                texts.iter().any(|t| t.text == labels[i]),
                "{file}: {} (π_T = {}) is named",
                labels[i],
                last[i]
            );
        }
        let named = texts
            .iter()
            .filter(|t| labels.contains(&t.text) && t.anchor == "start")
            .count();
        assert_eq!(named, 8, "{file}: 8 names at the lines' ends");
    }
    let file = dir.s("oneshot.svg");
    let out = prefdyn(&[
        "run",
        "v=2&view=oneshot&gen=random&k=5&seed=57",
        "--quiet",
        "--svg",
        &file,
        "--width",
        "340",
        "--height",
        "240",
    ]);
    assert!(out.status.success());
    let svg = std::fs::read_to_string(&file).unwrap();
    assert_texts_inside(&svg, (340.0, 240.0), "oneshot.svg");
    let all: Vec<String> = svg_texts(&svg).into_iter().map(|t| t.text).collect();
    for title in ["uniform", "reference", "on-policy", "maximal"] {
        assert!(all.iter().any(|t| t.starts_with(title)), "{title}: {all:?}");
    }
}

/// The π_t chart as an SVG: the axes' titles (the y one turned), round and value ticks, the
/// responses named right of the plot, and the fixed point in dashes; all on the canvas.
#[test]
fn the_policy_chart_has_its_axes_names_and_fixed_point() {
    let dir = TempDir::new("policy");
    let file = dir.s("policy.svg");
    let out = prefdyn(&[
        "run",
        "v=2&alpha=0.95&beta=2&lam=0.8&T=100",
        "--quiet",
        "--svg",
        &file,
        "--width",
        "900",
        "--height",
        "520",
    ]);
    assert!(out.status.success());
    let svg = std::fs::read_to_string(&file).unwrap();
    assert_texts_inside(&svg, (900.0, 520.0), "policy.svg");
    let texts = svg_texts(&svg);
    let find = |s: &str| texts.iter().find(|t| t.text == s);
    let tick = |s: &str, anchor: &str| texts.iter().find(|t| t.text == s && t.anchor == anchor);
    let y_title = find("π_t(i)").expect("the y axis's title");
    assert!(y_title.turned && y_title.x < 20.0, "{y_title:?}");
    let x_title = find("round t").expect("the x axis's title");
    assert!(!x_title.turned && x_title.anchor == "middle" && x_title.y > 500.0);
    // Rounds 0, 10, …, 100 along the bottom, left to right; values up the left.
    let rounds: Vec<&SvgText> = (0..=10)
        .map(|i| tick(&(10 * i).to_string(), "middle").expect("a round tick"))
        .collect();
    assert!(rounds
        .windows(2)
        .all(|w| w[0].x < w[1].x && w[0].y == w[1].y));
    let values: Vec<&SvgText> = ["0", "0.2", "0.4", "0.6", "0.8"]
        .iter()
        .map(|v| tick(v, "end").expect("a value tick"))
        .collect();
    assert!(values
        .windows(2)
        .all(|w| w[0].y > w[1].y && w[0].x == w[1].x));
    // The names right of the last round tick.
    for name in ["A", "B", "C"] {
        let t = find(name).expect("a name");
        assert!(t.anchor == "start" && t.x > rounds[10].x, "{t:?}");
    }
    // The fixed point: 3 responses × 50 dashes (one every 2 of 100 rounds).
    let dashes = svg.matches("opacity=\"0.6\"").count();
    assert_eq!(dashes, 150, "fixed-point dashes");
}

/// The attributes of the first `<svg …>` tag: its width, height and viewBox.
fn svg_frame(svg: &str) -> (String, String, String) {
    let tag = &svg[..svg.find('>').unwrap()];
    let attr = |name: &str| {
        let start = tag.find(&format!(" {name}=\"")).unwrap() + name.len() + 3;
        tag[start..][..tag[start..].find('"').unwrap()].to_string()
    };
    (attr("width"), attr("height"), attr("viewBox"))
}

/// The visible text of each `<text>` of an SVG, its `<tspan>`s merged, entities decoded.
fn svg_lines(svg: &str) -> Vec<String> {
    svg.split("<text ")
        .skip(1)
        .map(|chunk| {
            let inner = chunk.split_once('>').unwrap().1;
            let inner = inner.split("</text>").next().unwrap();
            let mut text = String::new();
            let mut in_tag = false;
            for c in inner.chars() {
                match c {
                    '<' => in_tag = true,
                    '>' => in_tag = false,
                    c if !in_tag => text.push(c),
                    _ => {}
                }
            }
            text.trim()
                .replace("&lt;", "<")
                .replace("&gt;", ">")
                .replace("&quot;", "\"")
                .replace("&amp;", "&")
        })
        .collect()
}

/// The width and height of a PNG (its IHDR chunk).
fn png_size(png: &[u8]) -> (u32, u32) {
    assert_eq!(png[..8], PNG_MAGIC);
    let at = |i: usize| u32::from_be_bytes([png[i], png[i + 1], png[i + 2], png[i + 3]]);
    (at(16), at(20))
}

/// The charts of a poster SVG: each nested chart document, in order.
fn poster_charts(svg: &str) -> Vec<String> {
    svg.split("clip-path=\"url(#canvas")
        .skip(1)
        .map(|c| c.split("</svg>\n</g>").next().unwrap().to_string())
        .collect()
}

/// Draws the poster of `link` (`--embed-size size`) as SVG and PNG; returns the SVG, the
/// PNG and stderr.
fn poster(dir: &TempDir, name: &str, link: &str, size: &str) -> (String, Vec<u8>, String) {
    let (svg, png) = (format!("{name}.svg"), format!("{name}.png"));
    let out = prefdyn(&[
        "run",
        link,
        "--json",
        &dir.s(&format!("{name}.json")),
        "--svg",
        &dir.s(&svg),
        "--png",
        &dir.s(&png),
        "--embed-size",
        size,
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(out.status.success(), "{link} {size}: {stderr}");
    let svg = String::from_utf8(nonempty(&dir.path(&svg))).unwrap();
    (svg, nonempty(&dir.path(&png)), stderr)
}

/// `--embed-size WxH`: the poster of an embed is an SVG of W × H user units and a PNG of
/// 2W × 2H pixels; it writes the title and the verdict line as the page does, with the
/// numbers `run` reports for the link (its word in bold), and nothing that can be clicked.
#[test]
fn embed_size_draws_the_embeds_poster() {
    let dir = TempDir::new("poster");
    let link = "v=2&embed=1&alpha=0.95&beta=2&lam=0.8";
    let (svg, png, _) = poster(&dir, "p", link, "680x420");
    assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"));
    let frame = ("680".into(), "420".into(), "0 0 680 420".into());
    assert_eq!(svg_frame(&svg), frame);
    assert_eq!(png_size(&png), (1360, 840));
    // The verdict line as the page writes it, from the numbers of `prefdyn run LINK`.
    let j = stdout_json(&prefdyn(&["run", link, "--quiet"]));
    let d = &j["results"]["dynamics"];
    let num = |k: &str| d[k].as_f64().unwrap();
    let word = d["verdict_text"].as_str().unwrap();
    assert_eq!(word, "oscillating", "the home run oscillates");
    let line = format!(
        "Simulation: {word}. H(π_T) = {} nats ({} of log K); V = {}.",
        prefdyn::text::sig(num("final_entropy")),
        prefdyn::text::percent(num("final_entropy_normalised")),
        prefdyn::text::sig(num("variance"))
    );
    let lines = svg_lines(&svg);
    assert!(lines.contains(&line), "{line:?} not in {lines:?}");
    assert!(svg.contains(&format!("font-weight=\"bold\">{word}</tspan>")));
    assert_eq!(lines.first().map(String::as_str), Some("prefdyn"));
    assert!(svg.contains(&format!(
        "<title>prefdyn (a still of the embedded figure): {line}</title>"
    )));
    // The default controls (α, β) as labels and values; no buttons, sliders or links.
    for text in ["α reference weight", "0.95", "β strength", "2"] {
        assert!(lines.iter().any(|l| l == text), "{text}: {lines:?}");
    }
    for text in ["Play", "Step", "Reset", "Open in full playground ↗"] {
        assert!(!lines.iter().any(|l| l == text), "{text} on a picture");
    }
    assert!(!svg.contains("<a ") && !svg.contains("<input"));
    // The π_t chart alone (no portrait without controls=…,starts), its names at the ends.
    let charts = poster_charts(&svg);
    assert_eq!(charts.len(), 1);
    assert!(
        svg_lines(&charts[0]).iter().any(|l| l == "π_t(i)"),
        "the π_t chart"
    );
    // The page's light colours, or its dark ones with theme=dark.
    assert!(svg.contains("<rect width=\"680\" height=\"420\" fill=\"#ffffff\"/>"));
    let (dark, _, _) = poster(&dir, "dark", &format!("{link}&theme=dark"), "680x420");
    assert!(dark.contains("<rect width=\"680\" height=\"420\" fill=\"#16171a\"/>"));
    // Without embed=1 the link still gets the embed's view: the same poster.
    let (bare, _, _) = poster(&dir, "bare", "v=2&alpha=0.95&beta=2&lam=0.8", "680x420");
    assert_eq!(bare, svg);
}

/// Two links that differ draw different charts on their posters; a K = 3 embed listing
/// `starts` shows the portrait beside the chart from 521 px, not at 520.
#[test]
fn posters_draw_each_links_chart() {
    let dir = TempDir::new("poster-charts");
    let (a, a_png, _) = poster(&dir, "a", "v=2&embed=1&alpha=0.5&beta=2&lam=0.8", "680x420");
    let (b, b_png, _) = poster(
        &dir,
        "b",
        "v=2&embed=1&alpha=0.95&beta=2&lam=0.8",
        "680x420",
    );
    let (ca, cb) = (poster_charts(&a), poster_charts(&b));
    assert_eq!((ca.len(), cb.len()), (1, 1));
    assert_ne!(ca[0], cb[0], "the π_t charts differ");
    assert!(svg_lines(&a)
        .iter()
        .any(|l| l.starts_with("Simulation: converged.")));
    assert_ne!(a_png, b_png);
    let link =
        "v=2&embed=1&alpha=0.95&beta=2&lam=0.8&controls=alpha,beta,starts&starts=0.7,0.2,0.1";
    let (wide, _, _) = poster(&dir, "wide", link, "521x500");
    let charts = poster_charts(&wide);
    assert_eq!(charts.len(), 2, "the chart and the portrait");
    assert!(charts[1].contains("speed"), "the portrait's legend");
    let (narrow, _, _) = poster(&dir, "narrow", link, "520x500");
    assert_eq!(poster_charts(&narrow).len(), 1, "no portrait at 520 px");
    // Another view: its chart (the one-shot panels).
    let (os, _, _) = poster(&dir, "os", "v=2&view=oneshot&embed=1", "600x340");
    let charts = poster_charts(&os);
    assert_eq!(charts.len(), 1);
    assert!(
        svg_lines(&charts[0]).iter().any(|l| l == "uniform"),
        "the one-shot panels"
    );
}

/// Bad sizes are named errors (exit 2), as are a size without --png / --svg and a size
/// with --width; a frame too short for the embed's content gets a note with the size
/// that shows all of it.
#[test]
fn embed_size_errors_and_notes() {
    let dir = TempDir::new("poster-bad");
    let png = dir.s("x.png");
    for (size, says) in [
        (
            "680",
            "--embed-size: expected WIDTHxHEIGHT like 680x420, got \"680\"",
        ),
        ("680x", "expected WIDTHxHEIGHT like 680x420"),
        ("wide", "expected WIDTHxHEIGHT like 680x420"),
        ("680x420x2", "expected WIDTHxHEIGHT like 680x420"),
        ("-680x420", "expected WIDTHxHEIGHT like 680x420"),
        (
            "199x420",
            "--embed-size: 199x420: the width must be from 200 to 2000",
        ),
        ("680x2001", "the height must be from 200 to 2000"),
    ] {
        // `=` so that a size starting with '-' is the option's value.
        let arg = format!("--embed-size={size}");
        let out = prefdyn(&["run", "v=2", "--quiet", "--png", &png, &arg]);
        assert_eq!(out.status.code(), Some(2), "{size}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(says), "{size}: {err}");
        assert!(out.stdout.is_empty(), "{size}: nothing run");
    }
    assert!(!dir.path("x.png").exists());
    let out = prefdyn(&["run", "v=2", "--quiet", "--embed-size", "680x420"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--png FILE or --svg FILE"));
    let out = prefdyn(&[
        "run",
        "v=2",
        "--png",
        &png,
        "--embed-size",
        "680x420",
        "--width",
        "300",
    ]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot be used with"));
    let (_, png, err) = poster(&dir, "short", "v=2&embed=1", "680x300");
    assert_eq!(png_size(&png), (1360, 600));
    assert!(
        err.contains("note: --embed-size 680x300: the embed's content is "),
        "{err}"
    );
    assert!(err.contains("cut off its bottom; 680x4"), "{err}");
    let (_, _, err) = poster(&dir, "tall", "v=2&embed=1", "680x420");
    assert!(!err.contains("note"), "{err}");
    // `run --help` documents it.
    let help = String::from_utf8(prefdyn(&["run", "--help"]).stdout).unwrap();
    assert!(
        help.contains("--embed-size <WxH>") && help.contains("poster"),
        "{help}"
    );
}

/// The paper's Figure 1 triptych as one link: the base and two variants.
const TRIPTYCH: &str = "v=2&alpha=0.5&beta=2&lam=0.8&T=100&alpha.2=0.95&beta.3=5";

/// Pretty JSON without its indentation, one line: the same text at any depth.
fn flat(json: &str) -> String {
    json.lines().map(str::trim_start).collect()
}

/// A link with variants prints the base's document (its query the whole link) with
/// `compare`: per run, its title and, to the byte, what `prefdyn run` prints for the run's
/// own link; stderr names each run with its link.
#[test]
fn run_prints_every_variant_as_its_own_link_prints_it() {
    let links = [
        TRIPTYCH,
        "v=2&alpha=0.5&beta=2&lam=0.8&T=60&solver.2=dpo",
        "v=2&alpha=0.95&beta=2&lam=0.8&T=40&N.2=64&R.2=4",
        "v=2&alpha=0.5&beta=2&lam=0.8&T=50&gen.2=sst&k.2=5&seed.2=2",
    ];
    for link in links {
        let config = parse_query(link).config;
        let runs = config.runs();
        assert_eq!(runs.len(), config.variants.len() + 1, "{link}");
        assert!(runs.len() >= 2, "{link}: variants");
        let out = prefdyn(&["run", link, "--quiet"]);
        let all = String::from_utf8(out.stdout.clone()).unwrap();
        let j = stdout_json(&out);
        assert_eq!(j["query"].as_str(), Some(to_query(&config).as_str()));
        let compare = j["compare"].as_array().expect("compare");
        assert_eq!(compare.len(), runs.len(), "{link}");
        assert_eq!(j["results"], compare[0]["results"], "{link}: the base");
        for (i, (entry, run)) in compare.iter().zip(&runs).enumerate() {
            let title = config.run_title(i);
            assert_eq!(entry["title"].as_str(), Some(title.as_str()), "{link}");
            let query = entry["query"].as_str().unwrap();
            assert_eq!(query, to_query(run), "{link}: run {}", i + 1);
            let own = prefdyn(&["run", query, "--quiet"]);
            let own_text = String::from_utf8(own.stdout.clone()).unwrap();
            let mut without_title = entry.clone();
            without_title.as_object_mut().unwrap().remove("title");
            assert_eq!(without_title, stdout_json(&own), "{link}: run {}", i + 1);
            // Byte for byte: the entry is the run's own document with its title last.
            let own_flat = flat(&own_text);
            let entry_text = format!(
                "{},\"title\": {}}}",
                own_flat.strip_suffix('}').unwrap(),
                serde_json::to_string(&title).unwrap()
            );
            assert!(flat(&all).contains(&entry_text), "{link}: run {}", i + 1);
        }
        // Each variant is what it says it is.
        let d = |i: usize| &compare[i]["results"]["dynamics"];
        match link {
            TRIPTYCH => {
                assert_eq!(compare[1]["title"], "α = 0.95");
                assert_eq!(compare[2]["title"], "β = 5");
                assert_ne!(d(0)["verdict"], d(1)["verdict"], "Figure 1: a and b differ");
            }
            l if l.contains("solver.2") => assert_eq!(compare[1]["title"], "DPO"),
            l if l.contains("N.2") => {
                assert!(compare[0]["results"]["finite"].is_null());
                assert_eq!(
                    compare[1]["results"]["finite"]["runs"]
                        .as_array()
                        .unwrap()
                        .len(),
                    4
                );
            }
            _ => {
                assert_eq!(compare[0]["results"]["matrix"]["k"], 3);
                assert_eq!(compare[1]["results"]["matrix"]["k"], 5);
            }
        }
    }
    // Without --quiet, stderr heads each run with its title and link.
    let out = prefdyn(&["run", TRIPTYCH]);
    let err = String::from_utf8_lossy(&out.stderr);
    for line in [
        "run 1: base (link: v=2&alpha=0.5&beta=2&lam=0.8&T=100)",
        "run 2: α = 0.95 (link: v=2&alpha=0.95&beta=2&lam=0.8&T=100)",
        "run 3: β = 5 (link: v=2&alpha=0.5&beta=5&lam=0.8&T=100)",
    ] {
        assert!(err.lines().any(|l| l == line), "{line:?} not in {err}");
    }
    // A link without variants prints no `compare`.
    let plain = stdout_json(&prefdyn(&["run", "v=2&alpha=0.5", "--quiet"]));
    assert!(plain.get("compare").is_none());
    // `run --help` tells of variants.
    let help = String::from_utf8(prefdyn(&["run", "--help"]).stdout).unwrap();
    assert!(
        help.contains("KEY.N=VALUE") && help.contains("compare"),
        "{help}"
    );
}

/// A document nested in an SVG (`<svg x="…" y="…" …>…</svg>`): its place, size and text.
struct Nested {
    at: (f64, f64),
    size: (f64, f64),
    doc: String,
}

fn nested_svgs(svg: &str) -> Vec<Nested> {
    svg.split("<svg x=\"")
        .skip(1)
        .map(|chunk| {
            let doc = format!("<svg x=\"{}</svg>", chunk.split("</svg>").next().unwrap());
            let attr = |name: &str| -> f64 {
                let tag = &doc[..doc.find('>').unwrap()];
                let start = tag.find(&format!(" {name}=\"")).unwrap() + name.len() + 3;
                tag[start..][..tag[start..].find('"').unwrap()]
                    .parse()
                    .unwrap()
            };
            Nested {
                at: (attr("x"), attr("y")),
                size: (attr("width"), attr("height")),
                doc,
            }
        })
        .collect()
}

/// Every text of an SVG of nested documents where it shows on the canvas; each nested
/// document's texts within its own frame.
fn placed_texts(svg: &str) -> Vec<SvgText> {
    let mut all = vec![];
    for Nested {
        at: (x, y),
        size,
        doc,
    } in nested_svgs(svg)
    {
        assert_texts_inside(&doc, size, &format!("the piece at ({x}, {y})"));
        all.extend(svg_texts(&doc).into_iter().map(|t| SvgText {
            x: t.x + x,
            y: t.y + y,
            ..t
        }));
    }
    all
}

/// The RGB pixels of `png` in columns `x0..x1`, rows `y0..y1`.
fn pixels(png: &image::RgbImage, (x0, x1): (u32, u32), (y0, y1): (u32, u32)) -> Vec<[u8; 3]> {
    (y0..y1)
        .flat_map(|y| (x0..x1).map(move |x| png.get_pixel(x, y).0))
        .collect()
}

/// The triptych drawn into `c.png` and `c.svg` of a new directory.
fn triptych_files(name: &str) -> TempDir {
    let dir = TempDir::new(name);
    let out = prefdyn(&[
        "run",
        TRIPTYCH,
        "--quiet",
        "--png",
        &dir.s("c.png"),
        "--svg",
        &dir.s("c.svg"),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    dir
}

/// `--png` of the triptych: three π_t panels side by side whose pixels differ, the entropy
/// and simplex below.
#[test]
fn png_draws_the_small_multiples() {
    let dir = triptych_files("compare-png");
    let png = image::load_from_memory(&nonempty(&dir.path("c.png")))
        .unwrap()
        .to_rgb8();
    assert_eq!(png.dimensions(), (900, 520));
    // Each third of the width, below the panels' titles and above the entropy chart.
    let panels: Vec<Vec<[u8; 3]>> = (0..3)
        .map(|i| pixels(&png, (300 * i, 300 * (i + 1)), (60, 300)))
        .collect();
    for (i, p) in panels.iter().enumerate() {
        let inked = p.iter().filter(|c| **c != [255, 255, 255]).count();
        assert!(
            inked > p.len() / 50,
            "panel {}: {inked} pixels drawn",
            i + 1
        );
    }
    for (a, b) in [(0, 1), (0, 2), (1, 2)] {
        let differ = panels[a]
            .iter()
            .zip(&panels[b])
            .filter(|(x, y)| x != y)
            .count();
        assert!(
            differ > panels[a].len() / 50,
            "panels {} and {}: {differ} pixels differ",
            a + 1,
            b + 1
        );
    }
    // The simplex's corner, bottom right, is drawn on.
    let corner = pixels(&png, (720, 900), (340, 520));
    assert!(corner.iter().any(|c| *c != [255, 255, 255]), "the simplex");
}

/// `--svg` of the triptych writes each run's title over its panel and again at its entropy
/// line, a verdict per panel, every panel on the same y axis.
#[test]
fn svg_draws_the_small_multiples_on_shared_axes() {
    let dir = triptych_files("compare-svg");
    let svg = std::fs::read_to_string(dir.path("c.svg")).unwrap();
    assert!(svg.starts_with("<svg width=\"900\" height=\"520\""));
    assert!(svg.trim_end().ends_with("</svg>"));
    let texts = placed_texts(&svg);
    assert_eq!(
        texts.len(),
        svg_texts(&svg).len(),
        "every text in a nested piece"
    );
    let count = |s: &str| texts.iter().filter(|t| t.text == s).count();
    for (i, title) in ["base", "α = 0.95", "β = 5"].iter().enumerate() {
        assert_eq!(
            count(title),
            2,
            "{title}: over its panel and at its entropy line"
        );
        let head = texts.iter().find(|t| t.text == *title).unwrap();
        let x0 = 300.0 * i as f64;
        assert!(
            head.x >= x0 && head.x < x0 + 300.0 && head.y < 40.0,
            "{head:?}"
        );
    }
    assert_eq!(
        count("converged") + count("oscillating"),
        3,
        "a verdict per panel"
    );
    assert_eq!(count("round t"), 4, "three panels and the entropy chart");
    assert!(count("H(π_t) [nats]") == 1);
    // Shared axes: each panel's value ticks at the same heights.
    let ticks = |v: &str| -> Vec<f64> {
        texts
            .iter()
            .filter(|t| t.text == v && t.anchor == "end")
            .map(|t| t.y)
            .collect()
    };
    let top = ticks("0.8");
    assert_eq!(top.len(), 3, "{top:?}");
    assert!(top.iter().all(|y| *y == top[0]), "{top:?}");
}

/// Four runs in 800 px go two a row; `--embed-size` draws them at the frame's size (the
/// PNG at twice it).
#[test]
fn embed_size_draws_four_runs_two_a_row() {
    let dir = TempDir::new("compare-four");
    let four = format!("{TRIPTYCH}&solver.4=dpo");
    let out = prefdyn(&[
        "run",
        &four,
        "--quiet",
        "--svg",
        &dir.s("four.svg"),
        "--png",
        &dir.s("four.png"),
        "--embed-size",
        "800x520",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(png_size(&nonempty(&dir.path("four.png"))), (1600, 1040));
    let svg = std::fs::read_to_string(dir.path("four.svg")).unwrap();
    assert_eq!(svg_frame(&svg).2, "0 0 800 520");
    let texts = placed_texts(&svg);
    let dpo = texts
        .iter()
        .find(|t| t.text == "DPO")
        .expect("the DPO panel");
    assert!(
        dpo.x >= 400.0 && dpo.y > 100.0,
        "second row, right: {dpo:?}"
    );
}

/// Bad variant keys are warnings naming them, and the rest runs; a bad base key is still
/// an error, named with the variants'.
#[test]
fn bad_variant_keys_are_named_and_the_rest_runs() {
    let link = "v=2&alpha=0.5&alpha.7=0.5&view.2=phase&beta.2=5";
    let out = prefdyn(&["run", link, "--quiet"]);
    let err = String::from_utf8_lossy(&out.stderr).to_string();
    let j = stdout_json(&out);
    for key in ["alpha.7", "view.2"] {
        assert!(
            err.lines()
                .any(|l| l.starts_with(&format!("warning: parameter {key}: "))),
            "{key}: {err}"
        );
    }
    assert_eq!(j["query"].as_str(), Some("v=2&alpha=0.5&beta.2=5"));
    let compare = j["compare"].as_array().unwrap();
    assert_eq!(compare.len(), 2);
    assert_eq!(compare[1]["title"], "β = 5");
    // Nothing left to compare: the base alone, as its own link prints it.
    let out = prefdyn(&["run", "v=2&alpha=0.5&alpha.7=0.5", "--quiet"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("alpha.7"));
    assert_eq!(
        stdout_json(&out),
        stdout_json(&prefdyn(&["run", "v=2&alpha=0.5", "--quiet"]))
    );
    let out = prefdyn(&["run", "v=2&alpha=abc&alpha.7=0.5", "--quiet"]);
    assert!(!out.status.success());
    assert!(out.stdout.is_empty());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("error: parameter alpha: "), "{err}");
    assert!(err.contains("alpha.7"), "{err}");
}

/// `--csv` of a comparison: every run, `run,query,t,series,value`, each run's values those
/// of its own link's CSV.
#[test]
fn csv_of_a_comparison_carries_every_run() {
    let dir = TempDir::new("compare-csv");
    let out = prefdyn(&["run", TRIPTYCH, "--quiet", "--csv", &dir.s("c.csv")]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let csv = String::from_utf8(nonempty(&dir.path("c.csv"))).unwrap();
    let mut lines = csv.lines();
    assert_eq!(lines.next(), Some("run,query,t,series,value"));
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    let doc = stdout_json(&prefdyn(&["run", TRIPTYCH, "--quiet"]));
    let runs = doc["compare"].as_array().unwrap();
    assert_eq!(
        rows.len(),
        runs.len() * 101 * 4,
        "101 rounds × (3 responses + entropy)"
    );
    for (i, run) in runs.iter().enumerate() {
        let query = run["query"].as_str().unwrap();
        let own = dir.s(&format!("own{i}.csv"));
        assert!(prefdyn(&["run", query, "--quiet", "--csv", &own])
            .status
            .success());
        let own = String::from_utf8(nonempty(Path::new(&own))).unwrap();
        // Round 100 of the run's own CSV: pi(A), pi(B), pi(C), entropy.
        let last: Vec<&str> = own.lines().last().unwrap().split(',').skip(1).collect();
        let mine: Vec<&str> = rows
            .iter()
            .filter(|r| r[0] == (i + 1).to_string() && r[2] == "100")
            .map(|r| r[4])
            .collect();
        assert_eq!(mine, last, "run {}", i + 1);
        assert!(rows.iter().any(|r| r[1] == format!("\"{query}\"")));
    }
}
