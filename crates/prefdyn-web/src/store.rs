//! The page's model (configuration, matrix, results, messages) and the one path every
//! change takes: change the configuration, recompute what the change invalidates, redraw
//! only those sections, record the URL, then (with no borrow held) tell the listeners.

use std::cell::RefCell;

use prefdyn::config::{edit, Changes, Config, ParseIssue, Parsed};
use prefdyn::report::{dynamics_report, one_shot_reports, resolve_matrix, FiniteReport, Results};
use prefdyn::PreferenceMatrix;

use crate::history::{self, HistoryMode};
use crate::{api, sections};

/// Everything the page computes from its configuration.
pub struct App {
    pub config: Config,
    pub matrix: PreferenceMatrix,
    pub results: Results,
    /// Messages about the configuration: parse issues and a matrix that cannot be built.
    pub issues: Vec<ParseIssue>,
}

thread_local! {
    static APP: RefCell<Option<App>> = const { RefCell::new(None) };
}

/// A change of configuration.
pub enum Change {
    /// A typed edit of one URL field, as a control makes it.
    Edit { key: String, raw: String },
    /// A whole configuration read from a link, with its issues.
    Replace(Box<Parsed>),
    /// A change made in code (the source menu, a cell of P, a phase cell opened).
    With(Box<dyn FnOnce(&mut Config)>),
}

/// Reads the model.
pub fn read<R>(f: impl FnOnce(&App) -> R) -> Option<R> {
    APP.with(|a| a.borrow().as_ref().map(f))
}

fn write<R>(f: impl FnOnce(&mut App) -> R) -> Option<R> {
    APP.with(|a| a.borrow_mut().as_mut().map(f))
}

/// Starts the model from a parsed link (nothing is drawn yet).
pub fn init(parsed: Parsed) {
    let (matrix, err) = resolve_matrix(&parsed.config);
    let results = Results::population_on(&parsed.config, &matrix);
    let mut app = App {
        config: parsed.config,
        matrix,
        results,
        issues: parsed.issues,
    };
    app.note_matrix_error(err);
    APP.with(|a| *a.borrow_mut() = Some(app));
}

/// Applies a change: recompute, redraw what it invalidates, record the URL, notify.
pub fn apply(change: Change, mode: HistoryMode) {
    apply_all(vec![change], mode);
}

/// Applies changes in order as one: one redraw of what any of them invalidates, one
/// history entry, one notification.
pub fn apply_all(changes: Vec<Change>, mode: HistoryMode) {
    let Some(changed) = write(|app| {
        changes
            .into_iter()
            .fold(Changes::default(), |acc, c| acc | app.change(c))
    }) else {
        return;
    };
    sections::render(changed);
    history::record(mode);
    api::notify();
}

/// Stores the finite-sample realisations computed in slices for the current run (or why
/// there are none).
pub fn set_finite(finite: Option<FiniteReport>, error: Option<String>) {
    write(|app| (app.results.finite, app.results.finite_error) = (finite, error));
}

/// Sets (or, with `None`, clears) the message of `field` that no change of configuration
/// carries (a control's bad value that was not applied), and shows the messages.
pub fn note(field: &str, message: Option<String>) {
    write(|app| {
        app.issues.retain(|i| i.field != field);
        if let Some(message) = message {
            app.issues.push(ParseIssue {
                field: field.into(),
                message,
            });
        }
    });
    if let Some(doc) = crate::dom::document() {
        read(|app| sections::page::render(&doc, app));
    }
}

impl App {
    fn change(&mut self, change: Change) -> Changes {
        let before = self.config.clone();
        match change {
            Change::Edit { key, raw } => {
                let issues = edit(&mut self.config, &key, &raw);
                self.issues.retain(|i| i.field != key);
                self.issues.extend(issues);
            }
            Change::Replace(parsed) => {
                let Parsed { config, issues, .. } = *parsed;
                self.config = config;
                self.issues = issues;
            }
            Change::With(f) => {
                f(&mut self.config);
                self.config = self.config.canonical();
            }
        }
        let changes = before.changes(&self.config);
        self.recompute(changes);
        changes
    }

    /// Recomputes what `changes` invalidates: everything when P changed, else the one-shot
    /// optima and the run as their own settings changed. The finite-sample realisations
    /// are left to the dynamics section, which computes them in slices.
    fn recompute(&mut self, changes: Changes) {
        if changes.matrix {
            let (matrix, err) = resolve_matrix(&self.config);
            self.matrix = matrix;
            self.note_matrix_error(err);
            self.results = Results::population_on(&self.config, &self.matrix);
            return;
        }
        if changes.one_shot {
            self.results.one_shot = one_shot_reports(&self.config, &self.matrix);
        }
        if changes.dynamics {
            let (d, e) = match dynamics_report(&self.config, &self.matrix) {
                Ok(d) => (Some(d), None),
                Err(e) => (None, Some(e.to_string())),
            };
            (self.results.dynamics, self.results.dynamics_error) = (d, e);
            (self.results.finite, self.results.finite_error) = (None, None);
        }
    }

    fn note_matrix_error(&mut self, err: Option<prefdyn::config::MatrixSourceError>) {
        self.issues.retain(|i| i.field != "matrix");
        if let Some(e) = err {
            self.issues.push(ParseIssue {
                field: "matrix".into(),
                message: format!("{e}; showing the default"),
            });
        }
    }
}
