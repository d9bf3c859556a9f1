//! The phase diagram's job in the model: the engine's [`PhaseJob`] (coarse cells first),
//! who computes it (worker `i` with its batches in flight, or the page in slices), its
//! generation (a restart makes replies of the old one stale), timing and progress. Worker
//! batches are sized to about [`PHASE_BATCH_MS`] once a worker's speed is known.

use prefdyn::config::{to_query, Config};
use prefdyn::phase::{base_inputs, CellValue, Ensemble, PhaseJob};
use prefdyn::report::phase_setup;

use super::{App, Effect};

/// Milliseconds of work a worker is given per batch (once its speed is known).
pub const PHASE_BATCH_MS: f64 = 25.0;
/// Cells per batch before the speed is known.
pub const PHASE_FIRST_BATCH: usize = 4;
/// A worker's batch is at most this many times the largest it was sent before: the browser
/// first runs the kernel on baseline code and swaps in optimised code only between calls,
/// so a large batch sized from the first, tiny ones could spend all its time on the slow
/// code. Once the workers have grown their batches, later sweeps are not held back (the
/// optimised code belongs to the module, which every worker shares).
pub const PHASE_BATCH_GROWTH: usize = 2;
/// Batches in flight per worker (one computing, one waiting: no idle gap between them).
pub const PHASE_IN_FLIGHT: usize = 2;
/// Largest pool.
pub const MAX_WORKERS: usize = 8;

/// The diagram: its job (kept when done), who computes it, timing.
#[derive(Default)]
pub struct PhaseModel {
    /// The inputs the job was made for (`None`: never asked for).
    key: Option<String>,
    pub job: Option<PhaseJob>,
    pub running: bool,
    pub cancelled: bool,
    pub error: Option<String>,
    started: f64,
    /// Time from start until every cell was done / until the first picture.
    pub millis: Option<f64>,
    pub first_picture: Option<f64>,
    /// Which sweep a worker's reply belongs to.
    pub gen: u32,
    /// Workers asked for (`None`: one per core) and one per core here.
    wanted: Option<usize>,
    per_core: usize,
    /// Workers computing this sweep (0: slices on the page).
    pub workers: usize,
    /// Batches each worker has in flight.
    in_flight: Vec<usize>,
    /// The largest batch each worker was sent (over every sweep on this many workers).
    largest_batch: Vec<usize>,
    /// Measured milliseconds per cell in a worker (0 until known).
    per_cell_ms: f64,
}

/// The inputs a phase diagram depends on: its settings, the base parameters its axes do
/// not set, and P, π₀, μ₀ when it runs on the current P.
pub fn key_of(c: &Config) -> String {
    let current = c.phase.ensemble == Ensemble::Current;
    let base = base_inputs(c.dynamics.params, c.phase.x.axis, c.phase.y.axis);
    let current = current.then_some((&c.matrix, &c.dynamics.pi0, &c.dynamics.mu0));
    format!("{:?}|{base:?}|{current:?}", c.phase)
}

impl PhaseModel {
    pub fn new(per_core: usize) -> PhaseModel {
        PhaseModel {
            per_core: per_core.clamp(1, MAX_WORKERS),
            ..PhaseModel::default()
        }
    }

    /// Whether the diagram was ever asked for (its section seen, Run, a phase link).
    pub fn started(&self) -> bool {
        self.key.is_some()
    }

    pub fn key_changed(&self, c: &Config) -> bool {
        self.key.as_deref() != Some(key_of(c).as_str())
    }

    /// Milliseconds since the sweep started, while workers compute it.
    pub fn pool_running_for(&self, now: f64) -> Option<f64> {
        (self.running && self.workers > 0).then_some(now - self.started)
    }

    /// Share of cells done.
    pub fn progress(&self) -> f64 {
        self.job.as_ref().map_or(0.0, |j| j.progress().fraction())
    }

    pub fn is_done(&self) -> bool {
        self.job.as_ref().is_some_and(PhaseJob::is_done)
    }

    /// Workers a background job uses: as asked (`phaseWorkers(n)`), else one per core.
    pub fn pool_size(&self) -> usize {
        self.wanted.unwrap_or(self.per_core)
    }

    /// How many workers to use (0: the page).
    pub fn set_workers(&mut self, n: Option<usize>, fx: &mut Vec<Effect>) {
        self.wanted = n.map(|n| n.min(MAX_WORKERS));
        self.largest_batch.clear();
        fx.push(Effect::PhaseStop);
        self.workers = 0;
    }

    /// Stops the sweep at once (the workers are terminated); the cells so far stay.
    pub fn cancel(&mut self, fx: &mut Vec<Effect>) -> bool {
        fx.push(Effect::PhaseStop);
        if self.running {
            self.running = false;
            self.cancelled = true;
        }
        true
    }

    /// Cells per batch for `worker`: about [`PHASE_BATCH_MS`] of work once a worker's
    /// speed is known, and at most [`PHASE_BATCH_GROWTH`] times its largest batch so far.
    fn batch_size(&self, worker: usize) -> usize {
        let largest = self.largest_batch.get(worker).copied().unwrap_or(0);
        if self.per_cell_ms > 0.0 && largest > 0 {
            let by_time = (PHASE_BATCH_MS / self.per_cell_ms)
                .round()
                .clamp(1.0, 512.0) as usize;
            by_time.min(largest * PHASE_BATCH_GROWTH)
        } else {
            PHASE_FIRST_BATCH
        }
    }

    /// Gives `worker` batches until it has [`PHASE_IN_FLIGHT`] of them.
    fn feed(&mut self, worker: usize, fx: &mut Vec<Effect>) {
        while self.running
            && self
                .in_flight
                .get(worker)
                .is_some_and(|&f| f < PHASE_IN_FLIGHT)
        {
            let n = self.batch_size(worker);
            let Some(job) = self.job.as_mut() else { return };
            let cells = job.take(n);
            if cells.is_empty() {
                return;
            }
            self.in_flight[worker] += 1;
            if let Some(largest) = self.largest_batch.get_mut(worker) {
                *largest = (*largest).max(cells.len());
            }
            fx.push(Effect::PhaseSend {
                worker,
                gen: self.gen,
                cells,
            });
        }
    }

    /// A worker's reply: store its cells, give it more, note the timing.
    pub fn cells(
        &mut self,
        worker: usize,
        gen: u32,
        values: &[f64],
        millis: f64,
        now: f64,
        fx: &mut Vec<Effect>,
    ) -> bool {
        if gen != self.gen {
            return false;
        }
        if let Some(f) = self.in_flight.get_mut(worker) {
            *f = f.saturating_sub(1);
        }
        let cells = CellValue::from_wire(values);
        if !self.running || cells.is_empty() {
            return false;
        }
        let per = millis / cells.len() as f64;
        self.per_cell_ms = if self.per_cell_ms > 0.0 {
            0.7 * self.per_cell_ms + 0.3 * per
        } else {
            per
        };
        if let Some(job) = self.job.as_mut() {
            job.store(&cells);
        }
        self.feed(worker, fx);
        self.progressed(now);
        true
    }

    /// Up to `n` cells on the page; schedules the next slice while cells remain.
    pub fn slice(&mut self, n: usize, now: f64, fx: &mut Vec<Effect>) -> bool {
        if !self.running || self.workers > 0 {
            return false;
        }
        let Some(job) = self.job.as_mut() else {
            return false;
        };
        job.step(n.max(1));
        let more = !job.all_taken();
        self.progressed(now);
        if more && self.running {
            fx.push(Effect::PhaseSlice);
        }
        true
    }

    /// After cells were stored: the first picture's time, and the end.
    fn progressed(&mut self, now: f64) {
        let Some(job) = self.job.as_ref() else { return };
        if self.first_picture.is_none() && job.coarse_done() {
            self.first_picture = Some(now - self.started);
        }
        if job.is_done() {
            self.running = false;
            self.millis = Some(now - self.started);
        }
    }
}

impl App {
    /// Starts the diagram unless it runs (or ran) for the current inputs.
    pub(super) fn phase_wanted(&mut self, now: f64, fx: &mut Vec<Effect>) -> bool {
        if self.phase.started() && !self.phase.key_changed(&self.config) {
            return false;
        }
        self.phase_restart(now, fx)
    }

    /// Starts (or restarts) the diagram of the current configuration.
    pub(super) fn phase_restart(&mut self, now: f64, fx: &mut Vec<Effect>) -> bool {
        let ph = &mut self.phase;
        ph.key = Some(key_of(&self.config));
        ph.gen = ph.gen.wrapping_add(1);
        (ph.running, ph.cancelled, ph.error) = (false, false, None);
        (ph.millis, ph.first_picture, ph.started) = (None, None, now);
        ph.per_cell_ms = 0.0;
        let job = phase_setup(&self.config, &self.matrix)
            .map_err(|e| e.to_string())
            .and_then(|(spec, members)| PhaseJob::new(spec, members).map_err(|e| e.to_string()));
        match job {
            Ok(j) => {
                ph.job = Some(j);
                ph.running = true;
            }
            Err(e) => {
                ph.job = None;
                ph.error = Some(e);
                return true;
            }
        }
        ph.workers = ph.pool_size();
        ph.in_flight = vec![0; ph.workers];
        ph.largest_batch.resize(ph.workers, 0);
        if ph.workers == 0 {
            fx.push(Effect::PhaseStop);
            fx.push(Effect::PhaseSlice);
        } else {
            fx.push(Effect::PhaseStart {
                gen: ph.gen,
                query: to_query(&self.config),
                workers: ph.workers,
            });
            for w in 0..ph.workers {
                ph.feed(w, fx);
            }
        }
        true
    }
}
