//! Downloads: files made in the page (Blob + object URL) and canvases as PNG. No network.

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::HtmlElement;

use crate::dom::document;

/// Offers `text` as a file download.
pub fn download(name: &str, mime: &str, text: &str) {
    let parts = js_sys::Array::of1(&JsValue::from_str(text));
    let opts = web_sys::BlobPropertyBag::new();
    opts.set_type(mime);
    let Ok(blob) = web_sys::Blob::new_with_str_sequence_and_options(&parts, &opts) else {
        return;
    };
    let Ok(url) = web_sys::Url::create_object_url_with_blob(&blob) else {
        return;
    };
    click_link(name, &url);
    let _ = web_sys::Url::revoke_object_url(&url);
}

/// Offers canvas `id` as a PNG download (its backing store, at the screen's resolution).
pub fn download_canvas(id: &str, name: &str) {
    let Some(doc) = document() else { return };
    let Some(c) = doc
        .get_element_by_id(id)
        .and_then(|e| e.dyn_into::<web_sys::HtmlCanvasElement>().ok())
    else {
        return;
    };
    if let Ok(url) = c.to_data_url() {
        click_link(name, &url);
    }
}

fn click_link(name: &str, href: &str) {
    let Some(doc) = document() else { return };
    let Ok(a) = doc.create_element("a") else {
        return;
    };
    let _ = a.set_attribute("href", href);
    let _ = a.set_attribute("download", name);
    if let Some(body) = doc.body() {
        let _ = body.append_child(&a);
        if let Ok(a) = a.clone().dyn_into::<HtmlElement>() {
            a.click();
        }
        let _ = body.remove_child(&a);
    }
}

/// Copies `text` to the clipboard and shows it (selectable when the clipboard is blocked).
pub fn copy(text: &str, what: &str) {
    if let Some(w) = web_sys::window() {
        let _ = w.navigator().clipboard().write_text(text);
    }
    if let Some(doc) = document() {
        crate::dom::set_text(&doc, "copied", what);
        crate::dom::set_value(&doc, "copy-text", text);
        crate::dom::set_hidden(&doc, "copy-text", false);
    }
}
