//! Services: what the model's effects ask the page to do, each owning one resource. The
//! workers ([`pool`]: one pool for the phase diagram, one for the finite realisations),
//! short main-thread slices for both on the page, and animation frames for playback. They hear effects after
//! every change and dispatch what comes back (cells, slices done, frames) as changes.

use std::cell::{Cell, RefCell};

use wasm_bindgen::prelude::*;

use crate::dom::{now, request_frame, FrameCallback};
use crate::model::{Change, Effect, PlayAction};
use crate::store::{self, HistoryMode, Service};
use crate::tasks::Slices;

pub mod pool;

/// Milliseconds of computing a slice aims at (input and painting run between slices).
const SLICE_MS: f64 = 10.0;

thread_local! {
    static POOL: RefCell<Option<pool::Pool>> = const { RefCell::new(None) };
    static FINITE_POOL: RefCell<Option<pool::Pool>> = const { RefCell::new(None) };
    static PHASE_SLICES: Option<Slices> = Slices::new(phase_slice);
    static FINITE_SLICES: Option<Slices> = Slices::new(finite_slice);
    /// Work per slice, adapted to [`SLICE_MS`]: phase cells, finite rounds.
    static PHASE_CELLS: Cell<f64> = const { Cell::new(1.0) };
    static FINITE_ROUNDS: Cell<f64> = const { Cell::new(64.0) };
    static FRAME: RefCell<Option<FrameCallback>> = const { RefCell::new(None) };
}

/// Dispatches `change` with `n` units of work, then adapts `n` to the time it took.
fn timed_slice(units: &'static std::thread::LocalKey<Cell<f64>>, change: fn(usize) -> Change) {
    let n = units.with(Cell::get).max(1.0);
    let t0 = now();
    store::dispatch(change(n as usize), HistoryMode::None);
    let took = (now() - t0).max(0.05);
    units.with(|u| {
        u.set(
            (n * SLICE_MS / took)
                .clamp(1.0, (n * 4.0).max(4.0))
                .min(1e6),
        )
    });
}

fn phase_slice() -> bool {
    timed_slice(&PHASE_CELLS, |cells| Change::PhaseSlice { cells });
    false
}

fn finite_slice() -> bool {
    timed_slice(&FINITE_ROUNDS, |rounds| Change::FiniteSlice { rounds });
    false
}

fn schedule(slices: &'static std::thread::LocalKey<Option<Slices>>, what: &str) {
    if slices.with(|t| t.as_ref().map(Slices::schedule)) != Some(true) {
        crate::dom::log_error(&format!(
            "{what}: cannot schedule work (MessageChannel unavailable)"
        ));
    }
}

/// A worker's reply, dispatched.
fn on_reply(worker: usize, reply: pool::Reply) {
    let change = match reply {
        pool::Reply::Cells {
            gen,
            values,
            millis,
        } => Change::PhaseCells {
            worker,
            gen,
            values,
            millis,
        },
        pool::Reply::Failed(message) => {
            crate::dom::log_error(&format!(
                "phase diagram worker: {message}; computing on the page instead"
            ));
            POOL.with(|p| *p.borrow_mut() = None);
            Change::PhaseFailed(message)
        }
        pool::Reply::Realisations { .. } => return,
    };
    store::dispatch(change, HistoryMode::None);
}

/// A realisations worker's reply, dispatched.
fn on_finite_reply(worker: usize, reply: pool::Reply) {
    let change = match reply {
        pool::Reply::Realisations { gen, values } => Change::FiniteRealisations {
            worker,
            gen,
            values,
        },
        pool::Reply::Failed(message) => {
            crate::dom::log_error(&format!(
                "finite-sample worker: {message}; computing on the page instead"
            ));
            FINITE_POOL.with(|p| *p.borrow_mut() = None);
            Change::FiniteFailed(message)
        }
        pool::Reply::Cells { .. } => return,
    };
    store::dispatch(change, HistoryMode::None);
}

/// Starts (or keeps) a pool of `workers` for the realisations of generation `gen`.
fn start_finite_pool(gen: u32, query: &str, workers: usize) -> bool {
    FINITE_POOL.with(|p| {
        let mut p = p.borrow_mut();
        if p.as_ref().map(pool::Pool::len) != Some(workers) {
            *p = pool::Pool::new(workers, on_finite_reply);
        }
        p.as_ref()
            .is_some_and(|pool| pool.start(pool::Job::Finite, gen, query))
    })
}

/// The realisations' workers: start, send a batch, stop.
fn run_finite(effect: &Effect) {
    let ok = match effect {
        Effect::FiniteStart {
            gen,
            query,
            workers,
        } => start_finite_pool(*gen, query, *workers),
        Effect::FiniteSend {
            worker,
            gen,
            from,
            to,
        } => FINITE_POOL.with(|p| {
            p.borrow()
                .as_ref()
                .is_some_and(|p| p.send_realisations(*worker, *gen, *from, *to))
        }),
        _ => {
            FINITE_POOL.with(|p| *p.borrow_mut() = None);
            true
        }
    };
    if !ok {
        FINITE_POOL.with(|p| *p.borrow_mut() = None);
        store::dispatch(
            Change::FiniteFailed("module workers are not available".into()),
            HistoryMode::None,
        );
    }
}

/// Starts (or keeps) a pool of `workers` for generation `gen`; false when it cannot.
fn start_pool(gen: u32, query: &str, workers: usize) -> bool {
    PHASE_CELLS.with(|c| c.set(1.0));
    POOL.with(|p| {
        let mut p = p.borrow_mut();
        if p.as_ref().map(pool::Pool::len) != Some(workers) {
            *p = pool::Pool::new(workers, on_reply);
        }
        p.as_ref()
            .is_some_and(|pool| pool.start(pool::Job::Phase, gen, query))
    })
}

/// Asks for the next animation frame, which dispatches a playback frame.
fn request() {
    request_frame(&FRAME, || {
        Closure::new(move |ts: f64| {
            store::dispatch(Change::Play(PlayAction::Frame { ts }), HistoryMode::None);
        })
    });
}

/// Every service of the full playground.
pub struct Services;

impl Service for Services {
    fn run(&self, effect: &Effect) -> bool {
        match effect {
            Effect::PhaseStart {
                gen,
                query,
                workers,
            } => {
                if !start_pool(*gen, query, *workers) {
                    POOL.with(|p| *p.borrow_mut() = None);
                    store::dispatch(
                        Change::PhaseFailed("module workers are not available".into()),
                        HistoryMode::None,
                    );
                }
            }
            Effect::PhaseSend { worker, gen, cells } => {
                let sent = POOL.with(|p| {
                    p.borrow()
                        .as_ref()
                        .is_some_and(|p| p.send(*worker, *gen, cells))
                });
                if !sent {
                    store::dispatch(
                        Change::PhaseFailed("a worker could not be reached".into()),
                        HistoryMode::None,
                    );
                }
            }
            Effect::PhaseStop => POOL.with(|p| *p.borrow_mut() = None),
            Effect::PhaseSlice => schedule(&PHASE_SLICES, "phase diagram"),
            Effect::FiniteSlice => schedule(&FINITE_SLICES, "finite samples"),
            Effect::FiniteStart { .. } | Effect::FiniteSend { .. } | Effect::FiniteStop => {
                run_finite(effect)
            }
            Effect::Frame => request(),
        }
        true
    }
}
