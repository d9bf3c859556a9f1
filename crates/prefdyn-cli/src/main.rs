//! `prefdyn`: any playground link rerun headless, and the paper's figures regenerated.
//!
//! A thin layer from arguments to the engine: the same URL codec (`prefdyn::config`), the
//! same numbers (`prefdyn::report`), the same charts (`prefdyn_charts`).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use prefdyn::config::MatrixSource;
use prefdyn::config::{parse_query, split_variant_key, to_query, Config, Keyed, ParseIssue, View};
use prefdyn::import::{parse_preferences, Format};
use prefdyn::phase::PhaseResult;
use prefdyn::report::Results;
use prefdyn_charts::Theme;
use prefdyn_paper::figures::{FIGURES, TRIPTYCHS};

mod compare;
mod output;
mod poster;
mod sweep;

#[derive(Parser)]
#[command(
    name = "prefdyn",
    version,
    about = "Rerun any prefdyn playground link headless; regenerate the paper's figures"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Prints the results of a playground link (what `window.prefdyn.results()` returns) as
    /// JSON, and writes the trajectory or grid as CSV and the chart as PNG / SVG on request.
    /// A link that compares runs (variants, `KEY.N=VALUE`) prints every run's results and
    /// draws them side by side.
    Run(Box<RunArgs>),
    /// Regenerates every paper preset (Figures 1–5 and the real-data runs) as PNG, SVG and
    /// CSV, with a summary table (summary.md, summary.json) of what each shows in numbers,
    /// followed by one row per finding of the paper (claim, numbers, whether it holds).
    Figures {
        #[arg(long, default_value = "figures")]
        out: PathBuf,
        #[arg(long)]
        quiet: bool,
    },
    /// Prints the URL format: every key with its section, meaning, values and default (the
    /// README's URL table is this output).
    Fields,
}

// The options of `prefdyn run` (boxed in `Command`: they outweigh the other commands').
#[derive(Args)]
struct RunArgs {
    /// A playground URL or its query string, e.g. 'v=2&alpha=0.7&beta=5' (a link without
    /// v=2 is read as format 1, where alpha and lam were swapped).
    ///
    /// A link may compare up to 4 runs: the base and variants 2 to 4, variant N the base
    /// with KEY.N=VALUE overriding a field of P or of the dynamics, e.g.
    /// 'v=2&alpha=0.5&beta=2&lam=0.8&T=100&alpha.2=0.95&beta.3=5' (the paper's Figure 1).
    /// The JSON is then the base's, its query the whole link, with `compare`: each run's
    /// title and what its own link prints (query, results); stderr names each run with its
    /// link. --png / --svg (and --embed-size) draw the small multiples in the dynamics
    /// view: a π_t panel per run on shared axes, titled with the run and its verdict in
    /// the run's colour, the entropy of every run below, and every trajectory on one
    /// simplex beside it when K = 3; --csv writes every run (run,query,t,series,value);
    /// --simplex is the base's. A bad KEY.N is a warning naming it, and the rest runs.
    link: String,
    /// Write the JSON here instead of standard output.
    #[arg(long)]
    json: Option<PathBuf>,
    /// Write the trajectory (or, for view=phase, the grid) as CSV.
    #[arg(long)]
    csv: Option<PathBuf>,
    /// Write the chart as PNG.
    #[arg(long)]
    png: Option<PathBuf>,
    /// Write the chart as SVG.
    #[arg(long)]
    svg: Option<PathBuf>,
    /// Write the K = 3 phase portrait (the simplex: the map's step field coloured by
    /// speed, the fixed point, the trajectories from π₀ and the link's `starts`), a
    /// square of the chart's height, as SVG when the path ends in .svg, else PNG.
    #[arg(long)]
    simplex: Option<PathBuf>,
    /// Preferences to use instead of the link's matrix: a K×K matrix of P or of win
    /// counts (CSV/TSV, optional header and label column), a list of comparisons
    /// `a,b,winner`, or preset JSON (the page's import panel reads the same).
    #[arg(long)]
    matrix: Option<PathBuf>,
    /// The format of --matrix: auto, p, counts, pairs or json.
    #[arg(long, default_value = "auto")]
    format: String,
    /// Set pairs with P_ij + P_ji ≠ 1 to (P_ij + 1 − P_ji)/2 instead of failing.
    #[arg(long)]
    make_consistent: bool,
    /// Also compute the phase diagram when the link's view is not `phase`.
    #[arg(long)]
    phase: bool,
    /// Chart size in pixels.
    #[arg(long, default_value_t = 900)]
    width: u32,
    #[arg(long, default_value_t = 520)]
    height: u32,
    /// Draw --png / --svg as a poster for an embed of this link (a picture for the host
    /// page to show until the iframe has loaded): what the embed's first view shows, in
    /// a frame of this size in CSS pixels, e.g. 680x420 (each side 200 to 2000). That
    /// is the title, the chart of the link's view (Dynamics: the π_t chart, and for
    /// K = 3 with controls=…,starts and a frame wider than 520 the phase portrait
    /// beside it), the space of the play row, the controls the embed lists as their
    /// labels and values, and the verdict line as the page writes it; no buttons,
    /// sliders or links, as nothing on a picture can be clicked. The PNG is drawn at
    /// twice the size (2W × 2H pixels), the SVG at W × H. The page's colours: light, or
    /// dark with theme=dark in the link. Works with or without embed=1 in the link.
    #[arg(long, value_name = "WxH", conflicts_with_all = ["width", "height"])]
    embed_size: Option<String>,
    /// No progress bar.
    #[arg(long)]
    quiet: bool,
}

/// Parses a link; every issue is an error naming its parameter, unless all are of variants
/// (`KEY.N`, whose overrides are then ignored): those are warnings on stderr.
fn config_from_link(link: &str, quiet: bool) -> Result<Config, String> {
    let parsed = parse_query(link);
    if let (Some(v), false) = (parsed.upgraded_from, quiet) {
        eprintln!(
            "note: read as a format-{v} link (no v=2): its alpha and lam were swapped into the paper's names; canonical form: {}",
            to_query(&parsed.config)
        );
    }
    let of_variant = |i: &ParseIssue| split_variant_key(&i.field).is_some();
    if parsed.issues.iter().all(of_variant) {
        for i in &parsed.issues {
            eprintln!("warning: parameter {i}");
        }
        Ok(parsed.config)
    } else {
        Err(parsed
            .issues
            .iter()
            .map(|i| format!("error: parameter {i}"))
            .collect::<Vec<_>>()
            .join("\n"))
    }
}

/// Everything `run` reports for one configuration.
pub struct RunOutput {
    pub config: Config,
    pub results: Results,
    pub phase: Option<PhaseResult>,
}

pub fn compute(config: &Config, with_phase: bool, progress: bool) -> Result<RunOutput, String> {
    let (matrix, err) = prefdyn::report::resolve_matrix(config);
    if let Some(e) = err {
        return Err(format!("error: {e}"));
    }
    let results = Results::compute_on(config, &matrix);
    let phase = if with_phase || config.view.view == View::Phase {
        Some(sweep::phase_result(config, &matrix, progress)?)
    } else {
        None
    };
    Ok(RunOutput {
        config: config.clone(),
        results,
        phase,
    })
}

fn write(path: &Path, bytes: &[u8]) -> Result<(), String> {
    std::fs::write(path, bytes).map_err(|e| format!("error: cannot write {}: {e}", path.display()))
}

/// `prefdyn run`: the results of a link as JSON, and the files asked for.
/// `--matrix FILE` with its format and whether to make it consistent.
struct Import {
    path: PathBuf,
    format: String,
    make_consistent: bool,
}

/// The link's configuration with the file's preferences as its matrix; notes on stderr
/// say what was read and the link that reproduces it.
fn with_import(mut config: Config, import: &Import, quiet: bool) -> Result<Config, String> {
    let path = import.path.display();
    let text = std::fs::read_to_string(&import.path)
        .map_err(|e| format!("error: cannot read {path}: {e}"))?;
    let format =
        match import.format.as_str() {
            "auto" => None,
            key => Some(Format::from_key(key).ok_or_else(|| {
                format!("error: --format {key}: use auto, p, counts, pairs or json")
            })?),
        };
    let mut data = parse_preferences(&text, format).map_err(|e| format!("error: {path}: {e}"))?;
    if import.make_consistent {
        data.make_consistent();
    }
    config.matrix = MatrixSource::imported(&data).map_err(|e| {
        format!("error: {path}: {e} (--make-consistent sets them to (P_ij + 1 − P_ji)/2)")
    })?;
    let config = config.canonical();
    if !quiet {
        eprintln!(
            "{path}: {} with K = {}; {} pair(s) never compared (set to 1/2)",
            data.format.describe(),
            data.k(),
            data.never_compared.len()
        );
        eprintln!("link: ?{}", to_query(&config));
    }
    Ok(config)
}

fn run_link(
    link: &str,
    import: Option<&Import>,
    files: &Files,
    phase: bool,
    quiet: bool,
) -> Result<(), String> {
    let config = config_from_link(link, quiet)?;
    let config = match import {
        Some(i) => with_import(config, i, quiet)?,
        None => config,
    };
    let compared = !config.variants.is_empty();
    let runs = compute_runs(&config, phase, quiet)?;
    let Some(out) = runs.first() else {
        return Err("error: the link has no run".into());
    };
    let doc = if compared {
        compare::json(&config, &runs)
    } else {
        output::json(out)
    };
    let text = serde_json::to_string_pretty(&doc).map_err(|e| e.to_string())?;
    match &files.json {
        Some(p) => write(p, text.as_bytes())?,
        None => println!("{text}"),
    }
    if let Some(p) = &files.csv {
        let csv = match compared {
            true => prefdyn::report::comparison_csv(&prefdyn::report::RunReport::all(&config)),
            false => output::csv(out),
        };
        write(p, csv.as_bytes())?;
    }
    let multiples = compared && config.view.view == View::Dynamics;
    if compared && !multiples && !quiet && (files.png.is_some() || files.svg.is_some()) {
        eprintln!(
            "note: --png / --svg: the {} view of run 1 (base); a comparison's runs are drawn side by side in the dynamics view",
            config.view.view.key()
        );
    }
    match (files.embed, multiples) {
        (Some(size), false) => posters(out, files, size, quiet)?,
        (Some(size), true) => compare_posters(&config, &runs, files, size)?,
        (None, true) => {
            let (size, theme) = ((files.width, files.height), Theme::default());
            if let Some(p) = &files.png {
                compare::png(&config, &runs, p, size, (1.0, &theme))?;
            }
            if let Some(p) = &files.svg {
                compare::svg(&config, &runs, p, size, &theme)?;
            }
        }
        (None, false) => {
            if let Some(p) = &files.png {
                output::png(out, p, files.width, files.height)?;
            }
            if let Some(p) = &files.svg {
                output::svg(out, p, files.width, files.height)?;
            }
        }
    }
    if let Some(p) = &files.simplex {
        output::simplex(out, p, files.height)?;
    }
    Ok(())
}

/// Every run of a link: a comparison's runs unframed (each its own link, named on stderr),
/// a single run as the link itself.
fn compute_runs(config: &Config, phase: bool, quiet: bool) -> Result<Vec<RunOutput>, String> {
    let compared = !config.variants.is_empty();
    let configs = match compared {
        true => config.runs(),
        false => vec![config.clone()],
    };
    let mut runs = vec![];
    for (i, run) in configs.iter().enumerate() {
        if compared && !quiet {
            eprintln!("{}", compare::heading(config, i, run));
        }
        let out = compute(run, phase, !quiet).map_err(|e| match compared {
            true => format!("{e} (run {}: {})", i + 1, config.run_title(i)),
            false => e,
        })?;
        runs.push(out);
    }
    Ok(runs)
}

/// `--embed-size` for a comparison: its small multiples in a frame of this size (the PNG
/// at twice it, as the posters), in the page's colours.
fn compare_posters(
    config: &Config,
    runs: &[RunOutput],
    files: &Files,
    (w, h): (u32, u32),
) -> Result<(), String> {
    let theme = poster::Palette::of(config.view.theme).chart_theme();
    if let Some(p) = &files.png {
        compare::png(config, runs, p, (2 * w, 2 * h), (2.0, &theme))?;
    }
    if let Some(p) = &files.svg {
        compare::svg(config, runs, p, (w, h), &theme)?;
    }
    Ok(())
}

/// `--embed-size`: the embed's posters into the --png and --svg files, with a note when
/// the embed's content is taller than the frame.
fn posters(out: &RunOutput, files: &Files, size: (u32, u32), quiet: bool) -> Result<(), String> {
    if let Some(p) = &files.png {
        poster::png(out, p, size)?;
    }
    if let Some(p) = &files.svg {
        poster::svg(out, p, size)?;
    }
    if !quiet {
        for note in poster::notes(out, &poster::layout(out, size)) {
            eprintln!("{note}");
        }
    }
    Ok(())
}

/// `prefdyn figures`: every preset's files, the summary and the findings.
fn figures(out: &Path, quiet: bool) -> Result<(), String> {
    std::fs::create_dir_all(out)
        .map_err(|e| format!("error: cannot create {}: {e}", out.display()))?;
    let mut rows = vec![];
    for f in FIGURES.iter() {
        if !quiet {
            eprintln!("{}: {}", f.id, f.title);
        }
        let config = config_from_link(f.query, quiet)?;
        let run = compute(&config, false, !quiet)?;
        output::png(&run, &out.join(format!("{}.png", f.id)), 900, 520)?;
        output::svg(&run, &out.join(format!("{}.svg", f.id)), 900, 520)?;
        write(
            &out.join(format!("{}.csv", f.id)),
            output::csv(&run).as_bytes(),
        )?;
        rows.push(output::summary_row(f, &run, &to_query(&config)));
    }
    for t in TRIPTYCHS.iter() {
        if !quiet {
            eprintln!("{}: {}", t.id, t.title);
        }
        let config = config_from_link(t.query, quiet)?;
        let runs = config
            .runs()
            .iter()
            .map(|r| compute(r, false, !quiet))
            .collect::<Result<Vec<_>, _>>()?;
        let theme = Theme::default();
        compare::png(
            &config,
            &runs,
            &out.join(format!("{}.png", t.id)),
            (1200, 560),
            (1.0, &theme),
        )?;
        compare::svg(
            &config,
            &runs,
            &out.join(format!("{}.svg", t.id)),
            (1200, 560),
            &theme,
        )?;
    }
    if !quiet {
        eprintln!("findings: the paper's claims measured on seeded instances");
    }
    let findings: Vec<output::FindingRow> = prefdyn_paper::findings::all()
        .iter()
        .map(output::finding_row)
        .collect();
    for f in findings.iter().filter(|f| !f.holds) {
        eprintln!("warning: {} does not hold: {}", f.id, f.numbers);
    }
    let md = format!(
        "{}\n{}",
        output::summary_markdown(&rows),
        output::findings_markdown(&findings)
    );
    write(&out.join("summary.md"), md.as_bytes())?;
    let js = serde_json::to_string_pretty(&output::summary_json(&rows, &findings))
        .map_err(|e| e.to_string())?;
    write(&out.join("summary.json"), js.as_bytes())?;
    if !quiet {
        println!("{md}");
    }
    Ok(())
}

/// Where `run` writes its files, and the chart size.
struct Files {
    json: Option<PathBuf>,
    csv: Option<PathBuf>,
    png: Option<PathBuf>,
    svg: Option<PathBuf>,
    simplex: Option<PathBuf>,
    width: u32,
    height: u32,
    /// `--embed-size`: draw the PNG and SVG as the embed's poster in a frame of this size.
    embed: Option<(u32, u32)>,
}

fn run() -> Result<(), String> {
    match Cli::parse().command {
        Command::Run(args) => {
            let RunArgs {
                link,
                json,
                csv,
                png,
                svg,
                simplex,
                matrix,
                format,
                make_consistent,
                phase,
                width,
                height,
                embed_size,
                quiet,
            } = *args;
            let embed = embed_size.as_deref().map(poster::parse_size).transpose()?;
            if embed.is_some() && png.is_none() && svg.is_none() {
                return Err(
                    "error: --embed-size draws the embed's poster into --png FILE or --svg FILE: give one of them".into(),
                );
            }
            let import = matrix.map(|path| Import {
                path,
                format,
                make_consistent,
            });
            let files = Files {
                json,
                csv,
                png,
                svg,
                simplex,
                width,
                height,
                embed,
            };
            run_link(&link, import.as_ref(), &files, phase, quiet)
        }
        Command::Figures { out, quiet } => figures(&out, quiet),
        Command::Fields => {
            print!("{}", prefdyn::config::markdown_table());
            Ok(())
        }
    }
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{e}");
            ExitCode::from(2)
        }
    }
}
