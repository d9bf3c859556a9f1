//! The page's model, free of the DOM: the configuration (its canonical query is the URL),
//! the matrix, what the engine computes from them, and the state of playback and of the
//! background jobs (the phase diagram, the finite-sample realisations). Every change is a
//! [`Change`]; [`App::change`] applies it, recomputes what it invalidates and reports what
//! changed ([`Changed`], for the subscribers) and what the page must do ([`Effect`], for
//! the services that own workers, timers and frames). Time enters as an argument.

use prefdyn::config::{edit, Changes, Config, MatrixSourceError, ParseIssue, Parsed};
use prefdyn::import::{Counts, Format, Imported};
use prefdyn::report::{
    attach_portrait, dynamics_core, matrix_report, one_shot_reports, resolve_matrix, Results,
};
use prefdyn::PreferenceMatrix;

mod compare;
mod finite;
pub mod message;
mod phase;
mod play;
#[cfg(test)]
mod tests;

pub use compare::VariantRun;
pub use finite::FiniteModel;
pub use phase::{
    PhaseModel, PHASE_BATCH_GROWTH, PHASE_BATCH_MS, PHASE_FIRST_BATCH, PHASE_IN_FLIGHT,
};
pub use play::{PlayAction, Playback};

/// Parts of the results computed apart, so that the first view comes first.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Parts {
    /// P, its labels and its diagnostics.
    pub matrix: bool,
    pub one_shot: bool,
    /// The run, its metrics, ρ and the theory.
    pub dynamics: bool,
    /// The K = 3 phase portrait.
    pub portrait: bool,
    /// The finite-sample realisations (done, or why there are none).
    pub finite: bool,
}

impl Parts {
    pub const ALL: Parts = Parts {
        matrix: true,
        one_shot: true,
        dynamics: true,
        portrait: true,
        finite: true,
    };

    pub fn any(&self) -> bool {
        self.matrix || self.one_shot || self.dynamics || self.portrait || self.finite
    }
}

impl std::ops::BitOr for Parts {
    type Output = Parts;
    fn bitor(self, o: Parts) -> Parts {
        Parts {
            matrix: self.matrix || o.matrix,
            one_shot: self.one_shot || o.one_shot,
            dynamics: self.dynamics || o.dynamics,
            portrait: self.portrait || o.portrait,
            finite: self.finite || o.finite,
        }
    }
}

/// What a change did, for the subscribers.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Changed {
    /// Groups of the configuration that differ.
    pub config: Changes,
    /// Parts of the results computed again.
    pub results: Parts,
    /// The phase diagram's job or its cells.
    pub phase: bool,
    /// The finite-sample realisations' progress.
    pub finite_progress: bool,
    /// The playback cursor (or whether it plays).
    pub frame: bool,
    /// The messages.
    pub issues: bool,
    /// The last import (its report and counts).
    pub import: bool,
    /// The variants compared (their runs, or the draft variant).
    pub compare: bool,
}

impl Changed {
    /// Everything (a first paint, a resize, a new theme).
    pub fn all() -> Changed {
        Changed {
            config: Changes::all(),
            results: Parts::ALL,
            phase: true,
            finite_progress: true,
            frame: true,
            issues: true,
            import: true,
            compare: true,
        }
    }

    pub fn any(&self) -> bool {
        self.config.any()
            || self.results.any()
            || self.phase
            || self.finite_progress
            || self.frame
            || self.issues
            || self.import
            || self.compare
    }
}

impl std::ops::BitOr for Changed {
    type Output = Changed;
    fn bitor(self, o: Changed) -> Changed {
        Changed {
            config: self.config | o.config,
            results: self.results | o.results,
            phase: self.phase || o.phase,
            finite_progress: self.finite_progress || o.finite_progress,
            frame: self.frame || o.frame,
            issues: self.issues || o.issues,
            import: self.import || o.import,
            compare: self.compare || o.compare,
        }
    }
}

/// What the page must do after a change (the services that own workers and timers do it).
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// Make (or keep) `workers` phase workers and give them the diagram of generation `gen`
    /// (its canonical query).
    PhaseStart {
        gen: u32,
        query: String,
        workers: usize,
    },
    /// Send worker `worker` a batch of cells of generation `gen`.
    PhaseSend {
        worker: usize,
        gen: u32,
        cells: Vec<usize>,
    },
    /// Compute the next cells on the page, in a short task.
    PhaseSlice,
    /// Terminate the phase workers.
    PhaseStop,
    /// Step the finite-sample realisations in a short task.
    FiniteSlice,
    /// Make (or keep) `workers` workers for the realisations and give them the run of
    /// generation `gen` (its canonical query).
    FiniteStart {
        gen: u32,
        query: String,
        workers: usize,
    },
    /// Send worker `worker` realisations `from..to` of generation `gen`.
    FiniteSend {
        worker: usize,
        gen: u32,
        from: usize,
        to: usize,
    },
    /// Terminate the realisations' workers.
    FiniteStop,
    /// Ask for the next animation frame (playback).
    Frame,
}

/// What the last import brought, while it is the page's matrix.
#[derive(Debug, Clone)]
pub struct LastImport {
    pub format: Format,
    pub never_compared: usize,
    pub counts: Option<Counts>,
    /// The report shown under the import panel.
    pub report: Vec<String>,
}

/// A change of the model.
pub enum Change {
    /// A typed edit of one URL field, as a control makes it.
    Edit {
        key: String,
        raw: String,
    },
    /// Typed edits applied in order, as one change (`setState`, a host's `set`).
    Edits(Vec<(String, String)>),
    /// A whole configuration read from a link, with its issues.
    Replace(Box<Parsed>),
    /// A change made in code (the source menu, a cell of P, a phase cell opened).
    With(Box<dyn FnOnce(&mut Config)>),
    /// Sets (`Some`) or clears the message of a field that no configuration carries (a
    /// control's value that was not applied).
    Note {
        field: String,
        message: Option<String>,
    },
    /// Imported preferences become P (with what was read, for the report).
    Import(Box<Imported>),
    /// Computes what the first view left for later (after the first paint).
    Complete,
    /// "+ compare": a draft variant, a copy of the base until a control changes it.
    AddVariant,
    /// Typed edits of variant `index`'s fields, in order (0-based; the draft is the one
    /// past the last).
    EditVariant {
        index: usize,
        pairs: Vec<(String, String)>,
    },
    /// Removes variant `index` (or the draft).
    RemoveVariant(usize),
    /// Playback.
    Play(PlayAction),
    /// The phase diagram: run it now (again), start it if it is not running yet, cancel it,
    /// how many workers compute it.
    PhaseRun,
    PhaseWanted,
    /// Runs it again if it stopped before it finished (a figure's button after Cancel).
    PhaseResume,
    PhaseCancel,
    PhaseWorkers(Option<usize>),
    /// A worker's values `[cell, mean, sd, ρ]` for generation `gen`, computed in `millis`.
    PhaseCells {
        worker: usize,
        gen: u32,
        values: Vec<f64>,
        millis: f64,
    },
    /// The workers cannot compute: the page takes over.
    PhaseFailed(String),
    /// Computes up to `cells` cells on the page.
    PhaseSlice {
        cells: usize,
    },
    /// Steps the realisations by up to `rounds` rounds.
    FiniteSlice {
        rounds: usize,
    },
    /// A worker's realisations (on the wire, `prefdyn::finite::FiniteStepper::read_wire`)
    /// for generation `gen`.
    FiniteRealisations {
        worker: usize,
        gen: u32,
        values: Vec<f64>,
    },
    /// The realisations' workers cannot compute: the page takes over.
    FiniteFailed(String),
}

/// Everything the page computes from its configuration, and the jobs' state.
pub struct App {
    pub config: Config,
    pub matrix: PreferenceMatrix,
    pub results: Results,
    /// Messages about the configuration: parse issues and a matrix that cannot be built.
    pub issues: Vec<ParseIssue>,
    /// The format of an older link this one was upgraded from.
    pub upgraded_from: Option<u32>,
    /// Parts not computed yet (the first view is computed first).
    pub pending: Parts,
    pub play: Playback,
    pub phase: PhaseModel,
    pub finite: FiniteModel,
    pub import: Option<LastImport>,
    /// The matrix source the last import set (the import is current while P is it).
    import_source: Option<prefdyn::config::MatrixSource>,
    /// The variants compared beside the base (`config.runs()[1..]`), computed after the
    /// first view.
    pub variants: Vec<VariantRun>,
    /// "+ compare" made a copy of the base that no control has changed yet.
    pub draft_variant: bool,
}

impl App {
    /// The model of a parsed link with only what the first view shows computed (the run,
    /// its verdict and theory, P and its diagnostics); [`Change::Complete`] adds the rest.
    /// `workers` is the default number of phase workers (one per core).
    pub fn first_view(parsed: Parsed, workers: usize) -> App {
        let Parsed {
            config,
            issues,
            upgraded_from,
        } = parsed;
        let (matrix, err) = resolve_matrix(&config);
        let mut app = App {
            results: Results {
                matrix: matrix_report(&config, &matrix),
                one_shot: vec![],
                dynamics: None,
                dynamics_error: None,
                finite: None,
                finite_error: None,
            },
            config,
            matrix,
            issues,
            upgraded_from,
            pending: Parts {
                one_shot: true,
                portrait: true,
                finite: true,
                ..Parts::default()
            },
            play: Playback::default(),
            phase: PhaseModel::new(workers),
            finite: FiniteModel::default(),
            import: None,
            import_source: None,
            variants: vec![],
            draft_variant: false,
        };
        app.note_matrix_error(err);
        app.compute_dynamics();
        if app.has_variants() {
            app.compute_variants();
            app.play = Playback::showing(app.rounds());
        }
        app
    }

    /// The whole model of a parsed link (what [`App::first_view`] then [`Change::Complete`]
    /// give).
    pub fn new(parsed: Parsed, workers: usize) -> (App, Vec<Effect>) {
        let mut app = App::first_view(parsed, workers);
        let (_, effects) = app.change(Change::Complete, 0.0);
        (app, effects)
    }

    /// Applies a change at time `now` (milliseconds): recomputes what it invalidates; returns
    /// what changed and what the page must do.
    pub fn change(&mut self, change: Change, now: f64) -> (Changed, Vec<Effect>) {
        let mut fx = vec![];
        let before = self.config.clone();
        let mut changed = Changed::default();
        match change {
            Change::Edit { key, raw } => {
                self.edit(&key, &raw);
                changed.issues = true;
            }
            Change::Edits(pairs) => {
                for (key, raw) in pairs {
                    self.edit(&key, &raw);
                }
                changed.issues = true;
            }
            Change::Replace(parsed) => {
                let Parsed {
                    config,
                    issues,
                    upgraded_from,
                } = *parsed;
                self.config = config;
                self.issues = issues;
                self.upgraded_from = upgraded_from;
                changed.issues = true;
            }
            Change::With(f) => {
                f(&mut self.config);
                self.config = self.config.canonical();
            }
            Change::Note { field, message } => {
                self.issues.retain(|i| i.field != field);
                if let Some(message) = message {
                    self.issues.push(ParseIssue { field, message });
                }
                changed.issues = true;
            }
            Change::AddVariant => changed = changed | self.add_variant(),
            Change::EditVariant { index, pairs } => {
                for (key, raw) in pairs {
                    self.edit_variant(index, &key, &raw);
                }
                changed.issues = true;
            }
            Change::RemoveVariant(i) => changed = changed | self.remove_variant(i),
            Change::Import(data) => changed = changed | self.import(*data),
            Change::Complete => changed = changed | self.complete(now, &mut fx),
            Change::Play(a) => {
                let (rounds, speed) = (self.rounds(), self.config.playback.speed);
                changed.frame = self.play.act(a, rounds, speed, &mut fx);
            }
            job => changed = changed | self.job_change(job, now, &mut fx),
        }
        let config = before.changes(&self.config);
        changed.config = config;
        if config.any() {
            changed = changed | self.recompute(config, now, &mut fx);
        }
        (changed, fx)
    }

    /// A change of the background jobs (the phase diagram, the finite realisations): their
    /// runs, workers, replies and slices.
    fn job_change(&mut self, change: Change, now: f64, fx: &mut Vec<Effect>) -> Changed {
        let mut out = Changed::default();
        match change {
            Change::PhaseRun => out.phase = self.phase_restart(now, fx),
            Change::PhaseWanted => out.phase = self.phase_wanted(now, fx),
            Change::PhaseResume => {
                let stopped = !self.phase.running && !self.phase.is_done();
                out.phase = if stopped {
                    self.phase_restart(now, fx)
                } else {
                    self.phase_wanted(now, fx)
                };
            }
            Change::PhaseCancel => out.phase = self.phase.cancel(fx),
            Change::PhaseWorkers(n) => {
                self.phase.set_workers(n, fx);
                out.phase = self.phase_restart(now, fx);
                if !self.pending.finite {
                    fx.push(Effect::FiniteStop);
                    out = out | self.finite_restart(now, fx);
                }
            }
            Change::PhaseCells {
                worker,
                gen,
                values,
                millis,
            } => out.phase = self.phase.cells(worker, gen, &values, millis, now, fx),
            Change::PhaseFailed(_) => {
                self.phase.set_workers(Some(0), fx);
                out.phase = self.phase_restart(now, fx);
            }
            Change::PhaseSlice { cells } => out.phase = self.phase.slice(cells, now, fx),
            Change::FiniteSlice { rounds } => out = out | self.finite_slice(rounds, now, fx),
            Change::FiniteRealisations {
                worker,
                gen,
                values,
            } => out = out | self.finite_reply(worker, gen, &values, now, fx),
            Change::FiniteFailed(_) => out = out | self.finite_on_page(now, fx),
            _ => {}
        }
        out
    }

    /// A typed edit of one field: its messages replace the field's earlier ones.
    fn edit(&mut self, key: &str, raw: &str) {
        let issues = edit(&mut self.config, key, raw);
        self.issues.retain(|i| i.field != key);
        self.issues.extend(issues);
    }

    /// T of the current run, the longest of a comparison (0 without one).
    pub fn rounds(&self) -> usize {
        let variants = self
            .variants
            .iter()
            .filter_map(|v| v.report.dynamics.as_ref());
        self.results
            .dynamics
            .iter()
            .chain(variants)
            .map(|d| d.trajectory.rounds())
            .max()
            .unwrap_or(0)
    }

    /// Recomputes what `changes` invalidates: everything when P changed, else the one-shot
    /// optima and the run as their own settings changed; restarts the jobs whose inputs
    /// changed.
    fn recompute(&mut self, changes: Changes, now: f64, fx: &mut Vec<Effect>) -> Changed {
        let mut out = Changed::default();
        if changes.matrix {
            let (matrix, err) = resolve_matrix(&self.config);
            self.matrix = matrix;
            self.note_matrix_error(err);
            self.results.matrix = matrix_report(&self.config, &self.matrix);
            out.results.matrix = true;
            out.issues = true;
            if self.import_source.as_ref() != Some(&self.config.matrix) {
                out.import = self.import.take().is_some();
                self.import_source = None;
            }
        }
        if (changes.matrix || changes.one_shot) && !self.pending.one_shot {
            self.results.one_shot = one_shot_reports(&self.config, &self.matrix);
            out.results.one_shot = true;
        }
        if changes.matrix || changes.dynamics {
            self.compute_dynamics();
            out.results.dynamics = true;
            if !self.pending.portrait {
                self.compute_portrait();
                out.results.portrait = true;
            }
            if !self.pending.finite {
                out = out | self.finite_restart(now, fx);
            }
            self.play = Playback::showing(self.rounds());
            out.frame = true;
        }
        let compared = changes.matrix || changes.dynamics || changes.compare;
        if compared && (self.has_variants() || !self.variants.is_empty()) {
            self.compute_variants();
            out.compare = true;
            self.play = Playback::showing(self.rounds());
            out.frame = true;
        }
        let opened = changes.view && self.config.view.view == prefdyn::config::View::Phase;
        if (self.phase.started() || opened) && self.phase.key_changed(&self.config) {
            out.phase = self.phase_restart(now, fx);
        }
        out
    }

    /// The first view's deferred parts: the one-shot optima, the portrait, the finite
    /// realisations; and the phase diagram when the link opens on it.
    fn complete(&mut self, now: f64, fx: &mut Vec<Effect>) -> Changed {
        let mut out = Changed::default();
        if self.pending.one_shot {
            self.pending.one_shot = false;
            self.results.one_shot = one_shot_reports(&self.config, &self.matrix);
            out.results.one_shot = true;
        }
        if self.pending.portrait {
            self.pending.portrait = false;
            self.compute_portrait();
            out.results.portrait = true;
        }
        if self.pending.finite {
            self.pending.finite = false;
            out = out | self.finite_restart(now, fx);
        }
        if self.config.view.view == prefdyn::config::View::Phase {
            out.phase = self.phase_wanted(now, fx);
        }
        out
    }

    fn compute_dynamics(&mut self) {
        let (d, e) = match dynamics_core(&self.config, &self.matrix) {
            Ok(d) => (Some(d), None),
            Err(e) => (None, Some(e.to_string())),
        };
        (self.results.dynamics, self.results.dynamics_error) = (d, e);
        self.play = Playback::showing(self.rounds());
    }

    fn compute_portrait(&mut self) {
        if let Some(d) = self.results.dynamics.as_mut() {
            if let Err(e) = attach_portrait(&self.config, &self.matrix, d) {
                self.results.dynamics = None;
                self.results.dynamics_error = Some(e.to_string());
            }
        }
    }

    fn note_matrix_error(&mut self, err: Option<MatrixSourceError>) {
        self.issues.retain(|i| i.field != "matrix");
        if let Some(e) = err {
            self.issues.push(ParseIssue {
                field: "matrix".into(),
                message: format!("{e}; showing the default"),
            });
        }
    }

    /// Imported data becomes P; the record of what was read stays while P is it.
    fn import(&mut self, data: Imported) -> Changed {
        let source = match prefdyn::config::MatrixSource::imported(&data) {
            Ok(s) => s,
            Err(e) => {
                self.import = Some(LastImport {
                    format: data.format,
                    never_compared: 0,
                    counts: None,
                    report: vec![format!("Not imported: {e}.")],
                });
                return Changed {
                    import: true,
                    ..Changed::default()
                };
            }
        };
        self.config.matrix = source;
        self.config = self.config.canonical();
        let never = data.never_compared.len();
        let mut report = vec![format!(
            "Imported a {} with K = {}: {}.",
            data.format.describe(),
            data.k(),
            data.labels.join(", ")
        )];
        if never > 0 {
            report.push(format!("{never} pair(s) never compared, set to 1/2:"));
            report.extend(data.never_compared.iter().take(8).map(|p| p.to_string()));
        }
        self.import_source = Some(self.config.matrix.clone());
        self.import = Some(LastImport {
            format: data.format,
            never_compared: never,
            counts: data.counts,
            report,
        });
        Changed {
            import: true,
            ..Changed::default()
        }
    }
}
