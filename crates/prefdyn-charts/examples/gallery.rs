//! Draws every dynamics and one-shot chart of a few links into PNG files at a desktop
//! width (1280 px) and a phone's (340 px), to look at them as a reader would:
//!
//! ```sh
//! cargo run -p prefdyn-charts --example gallery -- /tmp/gallery
//! ```

use std::path::{Path, PathBuf};

use plotters::prelude::*;
use prefdyn::config::parse_query;
use prefdyn::report::Results;
use prefdyn_charts as charts;

type Out = Result<(), String>;

/// (file stem, link, one-shot panel to highlight).
const LINKS: &[(&str, &str, Option<usize>)] = &[
    ("cycle", "v=2&alpha=0.95&beta=2&lam=0.8&T=100", None),
    (
        "k64",
        "v=2&gen=random&k=64&seed=3&alpha=0.5&beta=2&lam=0.8&T=100",
        Some(0),
    ),
    (
        "finite",
        "v=2&alpha=0.95&beta=2&lam=0.8&T=100&N=256&R=16",
        None,
    ),
    ("tour1", "v=2&view=oneshot&gen=random&k=5&seed=57", Some(0)),
    ("tour2", "v=2&view=oneshot&gen=random&k=5&seed=57", Some(3)),
];

fn draw_all(dir: &Path, stem: &str, link: &str, highlight: Option<usize>) -> Out {
    let config = parse_query(link).config;
    let res = Results::compute(&config);
    let theme = charts::Theme::default();
    let labels = &res.matrix.labels;
    for (w, h, tag) in [(1280u32, 360u32, "wide"), (340, 230, "phone")] {
        let file = |chart: &str| dir.join(format!("{stem}-{chart}-{tag}.png"));
        if let Some(d) = &res.dynamics {
            let finite = res.finite.as_ref().map(|f| &f.outcome);
            let paths = finite.map(charts::drawn_paths).unwrap_or_default();
            let run = charts::RunPicture {
                k: d.trajectory.k,
                policies: &d.trajectory.policies,
                upto: d.trajectory.rounds() * 3 / 5,
                labels,
                fixed_point: d.stability.fixed_point.as_deref(),
                samples: finite.map(|o| charts::SamplePaths {
                    paths: &paths,
                    mean: &o.mean_path.policies,
                }),
                population: true,
            };
            let path = file("policy");
            let root = BitMapBackend::new(&path, (w, h)).into_drawing_area();
            charts::draw_policy(&root, 1.0, &theme, &run)?;
            let path = file("entropy");
            let root = BitMapBackend::new(&path, (w, h * 2 / 3)).into_drawing_area();
            let ent = d.trajectory.entropies();
            charts::draw_entropy(&root, 1.0, &theme, &ent, run.upto, run.k)?;
        }
        let panels: Vec<(String, Vec<f64>)> = res
            .one_shot
            .iter()
            .map(|r| {
                let name = r.label.split(" (").next().unwrap_or_default();
                (name.to_string(), r.result.policy.clone())
            })
            .collect();
        let path = file("oneshot");
        let root = BitMapBackend::new(&path, (w, 240)).into_drawing_area();
        charts::draw_one_shot(&root, 1.0, &theme, &panels, labels, highlight)?;
    }
    Ok(())
}

fn main() -> Out {
    let dir = PathBuf::from(
        std::env::args()
            .nth(1)
            .unwrap_or_else(|| "/tmp/prefdyn-gallery".into()),
    );
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    plotters::style::register_font(
        "sans-serif",
        FontStyle::Normal,
        include_bytes!("../../prefdyn-cli/assets/DejaVuSans.ttf"),
    )
    .map_err(|_| "font".to_string())?;
    for (stem, link, highlight) in LINKS {
        draw_all(&dir, stem, link, *highlight)?;
    }
    println!("{}", dir.display());
    Ok(())
}
