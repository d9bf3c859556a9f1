//! The finite-sample realisations of the current run in the model: computed by the workers
//! (batches of realisations, filed in realisation order as they arrive) or on the page in
//! short slices (so a slider stays live), until the report is complete; a generation makes
//! replies for an older run stale; progress and timing. Either way the numbers are the
//! stepper's own, bit for bit.

use std::collections::BTreeMap;

use prefdyn::config::to_query;
use prefdyn::finite::{FiniteProgress, FiniteStepper, Realisation};
use prefdyn::report::{finite_stepper, FiniteReport};

use super::{App, Changed, Effect, Parts};

/// Batches in flight per worker (one computing, one waiting).
pub const FINITE_IN_FLIGHT: usize = 2;
/// Batches per worker a run is cut into (smaller batches balance the workers better).
const BATCHES_PER_WORKER: usize = 4;

/// The realisations being computed.
#[derive(Default)]
pub struct FiniteModel {
    /// `None`: nothing in progress (done, none wanted, or not started yet).
    stepper: Option<FiniteStepper>,
    started: f64,
    /// Milliseconds the last completed computation took.
    pub millis: Option<f64>,
    /// Which run a worker's reply belongs to.
    pub gen: u32,
    /// Workers computing this run (0: slices on the page).
    pub workers: usize,
    /// Realisations per batch, the next one to send, batches in flight per worker.
    batch: usize,
    next_send: usize,
    in_flight: Vec<usize>,
    /// Realisations that arrived before the ones they follow.
    waiting: BTreeMap<usize, Realisation>,
}

impl FiniteModel {
    /// How far the realisations have got (`None` when none are being computed).
    pub fn progress(&self) -> Option<FiniteProgress> {
        self.stepper.as_ref().map(FiniteStepper::progress)
    }

    pub fn running(&self) -> bool {
        self.stepper.is_some()
    }

    /// Gives `worker` batches until it has [`FINITE_IN_FLIGHT`] of them.
    fn feed(&mut self, worker: usize, fx: &mut Vec<Effect>) {
        let Some(total) = self.stepper.as_ref().map(|s| s.spec().realisations) else {
            return;
        };
        while self.next_send < total
            && self
                .in_flight
                .get(worker)
                .is_some_and(|&f| f < FINITE_IN_FLIGHT)
        {
            let to = (self.next_send + self.batch).min(total);
            fx.push(Effect::FiniteSend {
                worker,
                gen: self.gen,
                from: self.next_send,
                to,
            });
            self.in_flight[worker] += 1;
            self.next_send = to;
        }
    }
}

impl App {
    /// Drops the realisations in progress and starts those of the current run (none for
    /// `N = inf`): on the workers, or on the page when there are none.
    pub(super) fn finite_restart(&mut self, now: f64, fx: &mut Vec<Effect>) -> Changed {
        let gen = self.finite.gen.wrapping_add(1);
        self.finite = FiniteModel {
            gen,
            ..FiniteModel::default()
        };
        (self.results.finite, self.results.finite_error) = (None, None);
        match finite_stepper(&self.config, &self.matrix) {
            None => {}
            Some(Err(e)) => self.results.finite_error = Some(e.to_string()),
            Some(Ok(stepper)) => {
                let workers = self.phase.pool_size();
                let total = stepper.spec().realisations;
                self.finite = FiniteModel {
                    stepper: Some(stepper),
                    started: now,
                    gen,
                    workers,
                    batch: total.div_ceil((workers * BATCHES_PER_WORKER).max(1)).max(1),
                    in_flight: vec![0; workers],
                    ..FiniteModel::default()
                };
                match workers {
                    0 => fx.push(Effect::FiniteSlice),
                    _ => {
                        fx.push(Effect::FiniteStart {
                            gen,
                            query: to_query(&self.config),
                            workers,
                        });
                        for w in 0..workers {
                            self.finite.feed(w, fx);
                        }
                    }
                }
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

    /// Steps the realisations on the page by up to `rounds` rounds; stores the report when
    /// done.
    pub(super) fn finite_slice(
        &mut self,
        rounds: usize,
        now: f64,
        fx: &mut Vec<Effect>,
    ) -> Changed {
        if self.finite.workers > 0 {
            return Changed::default();
        }
        let Some(stepper) = self.finite.stepper.as_mut() else {
            return Changed::default();
        };
        stepper.step_rounds(rounds);
        if !stepper.is_done() {
            fx.push(Effect::FiniteSlice);
        }
        self.finite_progressed(now)
    }

    /// A worker's realisations of generation `gen` (on the wire): filed in realisation
    /// order as they become next, the worker given more; a reply that cannot be read hands
    /// the rest to the page.
    pub(super) fn finite_reply(
        &mut self,
        worker: usize,
        gen: u32,
        values: &[f64],
        now: f64,
        fx: &mut Vec<Effect>,
    ) -> Changed {
        let f = &mut self.finite;
        if gen != f.gen || f.workers == 0 {
            return Changed::default();
        }
        if let Some(n) = f.in_flight.get_mut(worker) {
            *n = n.saturating_sub(1);
        }
        let Some(stepper) = f.stepper.as_mut() else {
            return Changed::default();
        };
        let Ok(realisations) = stepper.read_wire(values) else {
            return self.finite_on_page(now, fx);
        };
        f.waiting
            .extend(realisations.into_iter().map(|r| (r.index, r)));
        while let Some(r) = f.waiting.remove(&stepper.next_index()) {
            if stepper.file(r).is_err() {
                return self.finite_on_page(now, fx);
            }
        }
        f.feed(worker, fx);
        self.finite_progressed(now)
    }

    /// The workers cannot compute the realisations: the page goes on from where they got.
    pub(super) fn finite_on_page(&mut self, now: f64, fx: &mut Vec<Effect>) -> Changed {
        let f = &mut self.finite;
        f.gen = f.gen.wrapping_add(1);
        (f.workers, f.next_send) = (0, 0);
        f.in_flight.clear();
        f.waiting.clear();
        fx.push(Effect::FiniteStop);
        if f.stepper.as_ref().is_some_and(|s| !s.is_done()) {
            fx.push(Effect::FiniteSlice);
        }
        self.finite_progressed(now)
    }

    /// After realisations were filed: the report and the timing when all are done.
    fn finite_progressed(&mut self, now: f64) -> Changed {
        let mut out = Changed {
            finite_progress: true,
            ..Changed::default()
        };
        if !self
            .finite
            .stepper
            .as_ref()
            .is_some_and(FiniteStepper::is_done)
        {
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
