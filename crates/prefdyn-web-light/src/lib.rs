//! The page's first module: the first viewport of a Dynamics link and nothing else
//! (`prefdyn_web::light`), so that a link's first chart comes before the rest downloads.

use wasm_bindgen::prelude::*;

/// The module runs on the page's one thread.
#[cfg(target_arch = "wasm32")]
#[global_allocator]
static ALLOCATOR: lol_alloc::AssumeSingleThreaded<lol_alloc::FreeListAllocator> =
    // SAFETY: a wasm module without threads has one thread.
    unsafe { lol_alloc::AssumeSingleThreaded::new(lol_alloc::FreeListAllocator::new()) };

#[wasm_bindgen(start)]
pub fn start() -> Result<(), JsValue> {
    prefdyn_web::light::start()
}
