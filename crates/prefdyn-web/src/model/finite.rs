//! The finite-sample realisations of the current run in the model: stepped in short slices
//! (so a slider stays live) until the report is complete; progress and timing.

use prefdyn::finite::{FiniteProgress, FiniteStepper};
use prefdyn::report::{finite_stepper, FiniteReport};

use super::{App, Changed, Effect, Parts};

/// The realisations being computed.
#[derive(Default)]
pub struct FiniteModel {
    /// `None`: nothing in progress (done, none wanted, or not started yet).
    stepper: Option<FiniteStepper>,
    started: f64,
    /// Milliseconds the last completed computation took.
    pub millis: Option<f64>,
}

impl FiniteModel {
    /// How far the realisations have got (`None` when none are being computed).
    pub fn progress(&self) -> Option<FiniteProgress> {
        self.stepper.as_ref().map(FiniteStepper::progress)
    }

    pub fn running(&self) -> bool {
        self.stepper.is_some()
    }
}

impl App {
    /// Drops the realisations in progress and starts those of the current run (none for
    /// `N = inf`).
    pub(super) fn finite_restart(&mut self, now: f64, fx: &mut Vec<Effect>) -> Changed {
        self.finite = FiniteModel::default();
        (self.results.finite, self.results.finite_error) = (None, None);
        match finite_stepper(&self.config, &self.matrix) {
            None => {}
            Some(Err(e)) => self.results.finite_error = Some(e.to_string()),
            Some(Ok(stepper)) => {
                self.finite = FiniteModel {
                    stepper: Some(stepper),
                    started: now,
                    millis: None,
                };
                fx.push(Effect::FiniteSlice);
            }
        }
        Changed {
            results: Parts {
                finite: true,
                ..Parts::default()
            },
            finite_progress: true,
            ..Changed::default()
        }
    }

    /// Steps the realisations by up to `rounds` rounds; stores the report when done.
    pub(super) fn finite_slice(
        &mut self,
        rounds: usize,
        now: f64,
        fx: &mut Vec<Effect>,
    ) -> Changed {
        let Some(stepper) = self.finite.stepper.as_mut() else {
            return Changed::default();
        };
        stepper.step_rounds(rounds);
        let mut out = Changed {
            finite_progress: true,
            ..Changed::default()
        };
        if !stepper.is_done() {
            fx.push(Effect::FiniteSlice);
            return out;
        }
        if let Some(stepper) = self.finite.stepper.take() {
            let spec = *stepper.spec();
            self.results.finite = Some(FiniteReport::of(spec, stepper.finish()));
            self.finite.millis = Some(now - self.finite.started);
            out.results.finite = true;
        }
        out
    }
}
