//! The full playground's module: every section, the history, `window.prefdyn` and the
//! services (`prefdyn_web::full`). Loaded by the page after the light module's first
//! chart, or at once when a link needs it; it takes over from the URL.

use wasm_bindgen::prelude::*;

#[wasm_bindgen(start)]
pub fn start() -> Result<(), JsValue> {
    prefdyn_web::full::start()
}
