//! Work in short main-thread tasks: a `MessageChannel` whose messages run one slice each.
//! Unlike `requestAnimationFrame` it does not wait for the next frame, so long work uses
//! the whole main thread while input and painting still run between slices. Knows
//! nothing of the app.

use std::cell::Cell;
use std::rc::Rc;

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{MessageChannel, MessageEvent, MessagePort};

/// A loop of slices of `work` (which returns whether more slices are needed); at most one
/// slice is queued at a time.
pub struct Slices {
    port: MessagePort,
    pending: Rc<Cell<bool>>,
    _channel: MessageChannel,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
}

fn post(port: &MessagePort, pending: &Cell<bool>) -> bool {
    if pending.replace(true) {
        return true;
    }
    let ok = port.post_message(&JsValue::NULL).is_ok();
    if !ok {
        pending.set(false);
    }
    ok
}

impl Slices {
    /// `None` where `MessageChannel` is unavailable.
    pub fn new(work: fn() -> bool) -> Option<Slices> {
        let channel = MessageChannel::new().ok()?;
        let port = channel.port2();
        let pending = Rc::new(Cell::new(false));
        let (again_port, again_pending) = (port.clone(), pending.clone());
        let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |_| {
            again_pending.set(false);
            if work() {
                post(&again_port, &again_pending);
            }
        });
        channel
            .port1()
            .set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        Some(Slices {
            port,
            pending,
            _channel: channel,
            _on_message: on_message,
        })
    }

    /// Queues a slice unless one is queued; false when it cannot be posted.
    pub fn schedule(&self) -> bool {
        post(&self.port, &self.pending)
    }
}
