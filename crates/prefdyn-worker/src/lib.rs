//! The phase diagram's worker module (`www/phase-worker.js`): it rebuilds the diagram's
//! [`CellComputer`] from the canonical link the page sends and computes the cells it is
//! given, so that every worker computes exactly what the page would. Built at full speed
//! (the engine's SIMD lanes), apart from the page's size-minded modules.

use std::cell::RefCell;

use prefdyn::config::parse_query;
use prefdyn::phase::CellComputer;
use prefdyn::report::{phase_setup, resolve_matrix};
use wasm_bindgen::prelude::*;

thread_local! {
    static COMPUTER: RefCell<Option<CellComputer>> = const { RefCell::new(None) };
}

/// Prepares the phase diagram of a link (its canonical query); errors name what is wrong.
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

/// The values of `cells` as `[cell, mean, sd, ρ]` per cell.
#[wasm_bindgen(js_name = phaseWorkerCells)]
pub fn phase_worker_cells(cells: &[u32]) -> Result<Vec<f64>, JsValue> {
    COMPUTER.with(|c| {
        let mut c = c.borrow_mut();
        let computer = c.as_mut().ok_or("no phase job")?;
        let cells: Vec<usize> = cells.iter().map(|&c| c as usize).collect();
        Ok(computer
            .compute(&cells)
            .into_iter()
            .flat_map(|v| [v.cell as f64, v.mean, v.sd, v.rho])
            .collect())
    })
}
