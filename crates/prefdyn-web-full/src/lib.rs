//! The full playground's module: every section, the history, `window.prefdyn` and the
//! services (`prefdyn_web::full`). Loaded by the page after the light module's first
//! chart, or at once when a link needs it; it takes over from the URL. The phase diagram's
//! Web Workers (`www/phase-worker.js`) run their own instances of this module, given its
//! compiled `WebAssembly.Module` by the page, and call the worker entry points below (the
//! phase diagram's cells, the finite-sample realisations).

use std::cell::RefCell;

use prefdyn::config::parse_query;
use prefdyn::finite::FiniteStepper;
use prefdyn::phase::CellComputer;
use prefdyn::report::{finite_stepper, phase_setup, resolve_matrix};
use wasm_bindgen::prelude::*;

#[wasm_bindgen(start)]
pub fn start() -> Result<(), JsValue> {
    prefdyn_web::full::start()
}

thread_local! {
    static COMPUTER: RefCell<Option<CellComputer>> = const { RefCell::new(None) };
    static REALISATIONS: RefCell<Option<FiniteStepper>> = const { RefCell::new(None) };
}

/// In a worker: prepares the phase diagram of a link (its canonical query), so that the
/// worker computes exactly what the page would; errors name what is wrong.
#[wasm_bindgen(js_name = phaseWorkerJob)]
pub fn phase_worker_job(query: &str) -> Result<(), JsValue> {
    let config = parse_query(query).config;
    let (p, _) = resolve_matrix(&config);
    let computer = phase_setup(&config, &p)
        .map_err(|e| e.to_string())
        .and_then(|(spec, members)| CellComputer::new(spec, members).map_err(|e| e.to_string()))
        .map_err(|e| JsValue::from_str(&e))?;
    COMPUTER.with(|c| *c.borrow_mut() = Some(computer));
    Ok(())
}

/// In a worker: the values of `cells` as `[cell, mean, sd, ρ, collapsed]` per cell
/// (`CellValue::to_wire`).
#[wasm_bindgen(js_name = phaseWorkerCells)]
pub fn phase_worker_cells(cells: &[u32]) -> Result<Vec<f64>, JsValue> {
    COMPUTER.with(|c| {
        let mut c = c.borrow_mut();
        let computer = c.as_mut().ok_or("no phase job")?;
        let cells: Vec<usize> = cells.iter().map(|&c| c as usize).collect();
        Ok(computer
            .compute(&cells)
            .into_iter()
            .flat_map(|v| v.to_wire())
            .collect())
    })
}

/// In a worker: prepares the finite-sample realisations of a link (its canonical query),
/// so that the worker computes exactly what the page would; errors name what is wrong.
#[wasm_bindgen(js_name = finiteWorkerJob)]
pub fn finite_worker_job(query: &str) -> Result<(), JsValue> {
    let config = parse_query(query).config;
    let (p, _) = resolve_matrix(&config);
    let stepper = finite_stepper(&config, &p)
        .ok_or("the link has no finite samples (N = inf)")?
        .map_err(|e| JsValue::from_str(&e.to_string()))?;
    REALISATIONS.with(|r| *r.borrow_mut() = Some(stepper));
    Ok(())
}

/// In a worker: realisations `from..to` on the wire (`FiniteStepper::compute_wire`).
#[wasm_bindgen(js_name = finiteWorkerRealisations)]
pub fn finite_worker_realisations(from: u32, to: u32) -> Result<Vec<f64>, JsValue> {
    REALISATIONS.with(|r| {
        let r = r.borrow();
        let stepper = r.as_ref().ok_or("no finite-sample job")?;
        Ok(stepper.compute_wire(from as usize..to as usize))
    })
}
