//! The full playground's module: every section, the history, `window.prefdyn` and the
//! services (`prefdyn_web::full`). Loaded by the page after the light module's first
//! chart, or at once when a link needs it; it takes over from the URL. The phase diagram's
//! Web Workers (`www/phase-worker.js`) run their own instances of this module, given its
//! compiled `WebAssembly.Module` by the page, and call the two worker entry points below.

use std::cell::RefCell;

use prefdyn::config::parse_query;
use prefdyn::phase::CellComputer;
use prefdyn::report::{phase_setup, resolve_matrix};
use wasm_bindgen::prelude::*;

#[wasm_bindgen(start)]
pub fn start() -> Result<(), JsValue> {
    prefdyn_web::full::start()
}

thread_local! {
    static COMPUTER: RefCell<Option<CellComputer>> = const { RefCell::new(None) };
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
