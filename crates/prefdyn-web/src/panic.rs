//! A panic replaces the charts with its message instead of leaving a frozen page, and an
//! embedding page can ask whether it happened.

use std::cell::RefCell;

use wasm_bindgen::prelude::*;

use crate::dom::document;

thread_local! {
    static PANIC: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Installs the hook: the message goes to the console, `#panic` and [`panic_message`].
pub fn install() {
    std::panic::set_hook(Box::new(|info| {
        let msg = info.to_string();
        PANIC.with(|p| *p.borrow_mut() = Some(msg.clone()));
        web_sys::console::error_1(&JsValue::from_str(&msg));
        if let Some(doc) = document() {
            if let Some(el) = doc.get_element_by_id("panic") {
                el.set_text_content(Some(&format!(
                    "prefdyn stopped because of an internal error. Reload the page; if it happens again, please report the link and this message: {msg}"
                )));
                let _ = el.remove_attribute("hidden");
            }
            if let Some(main) = doc.get_element_by_id("app") {
                let _ = main.set_attribute("hidden", "");
            }
        }
    }));
}

/// Whether the module has panicked (for embedding pages).
pub fn has_panicked() -> bool {
    PANIC.with(|p| p.borrow().is_some())
}

/// The panic message, if any.
pub fn panic_message() -> Option<String> {
    PANIC.with(|p| p.borrow().clone())
}
