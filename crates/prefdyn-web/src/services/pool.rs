//! A pool of Web Workers for a background job (the phase diagram's cells, the finite-sample
//! realisations), each running its own instance of the full module (`www/phase-worker.js`,
//! given the page's compiled `WebAssembly.Module`, so nothing is fetched or compiled
//! again), fed batches and returning their values. No shared memory, so it works inside a
//! third-party iframe and on any static host.

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{MessageEvent, Worker, WorkerOptions, WorkerType};

/// What a worker says.
pub enum Reply {
    /// `[cell, mean, sd, ρ, collapsed]` per cell (`CellValue::to_wire`) of a batch of
    /// generation `gen`.
    Cells {
        gen: u32,
        values: Vec<f64>,
        millis: f64,
    },
    /// Realisations of generation `gen` on the wire (`FiniteStepper::compute_wire`).
    Realisations { gen: u32, values: Vec<f64> },
    /// It cannot compute (its module failed to load, or the job was refused).
    Failed(String),
}

/// The job a pool's workers compute.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Job {
    Phase,
    Finite,
}

struct Member {
    worker: Worker,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_error: Closure<dyn FnMut(web_sys::Event)>,
}

/// The workers; dropping the pool terminates them.
pub struct Pool {
    members: Vec<Member>,
}

impl Drop for Pool {
    fn drop(&mut self) {
        for m in &self.members {
            m.worker.terminate();
        }
    }
}

/// One worker per logical core.
pub fn per_core() -> usize {
    web_sys::window()
        .map(|w| w.navigator().hardware_concurrency() as usize)
        .unwrap_or(1)
        .max(1)
}

fn field(v: &JsValue, name: &str) -> JsValue {
    js_sys::Reflect::get(v, &JsValue::from_str(name)).unwrap_or(JsValue::UNDEFINED)
}

fn reply_of(data: &JsValue) -> Option<Reply> {
    match field(data, "type").as_string()?.as_str() {
        "cells" => Some(Reply::Cells {
            gen: field(data, "gen").as_f64()? as u32,
            values: js_sys::Float64Array::new(&field(data, "values")).to_vec(),
            millis: field(data, "millis").as_f64().unwrap_or(0.0),
        }),
        "realisations" => Some(Reply::Realisations {
            gen: field(data, "gen").as_f64()? as u32,
            values: js_sys::Float64Array::new(&field(data, "values")).to_vec(),
        }),
        "error" => Some(Reply::Failed(
            field(data, "message")
                .as_string()
                .unwrap_or_else(|| "worker error".into()),
        )),
        _ => None,
    }
}

fn message(pairs: &[(&str, &JsValue)]) -> JsValue {
    let o = js_sys::Object::new();
    for (k, v) in pairs {
        let _ = js_sys::Reflect::set(&o, &JsValue::from_str(k), v);
    }
    o.into()
}

/// The worker script's URL, as the page names it (`<meta name="prefdyn-phase-worker">`:
/// a published copy gives it a hashed name).
fn worker_url() -> Option<String> {
    web_sys::window()?
        .document()?
        .query_selector("meta[name=prefdyn-phase-worker]")
        .ok()??
        .get_attribute("content")
}

impl Pool {
    /// `n` workers, each given this module; `on_reply(worker, reply)` hears them. `None`
    /// where module workers cannot be made.
    pub fn new(n: usize, on_reply: fn(usize, Reply)) -> Option<Pool> {
        let url = worker_url()?;
        let opts = WorkerOptions::new();
        opts.set_type(WorkerType::Module);
        let init = message(&[
            ("type", &"init".into()),
            ("module", &wasm_bindgen::module()),
        ]);
        let mut members = Vec::with_capacity(n);
        for i in 0..n {
            let worker = Worker::new_with_options(&url, &opts).ok()?;
            let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
                if let Some(r) = reply_of(&e.data()) {
                    on_reply(i, r);
                }
            });
            let on_error = Closure::<dyn FnMut(web_sys::Event)>::new(move |_| {
                on_reply(i, Reply::Failed("the worker could not run".into()));
            });
            worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
            worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
            worker.post_message(&init).ok()?;
            members.push(Member {
                worker,
                _on_message: on_message,
                _on_error: on_error,
            });
        }
        Some(Pool { members })
    }

    pub fn len(&self) -> usize {
        self.members.len()
    }

    pub fn is_empty(&self) -> bool {
        self.members.is_empty()
    }

    /// Sends every worker the job of generation `gen` (its canonical link).
    pub fn start(&self, job: Job, gen: u32, query: &str) -> bool {
        let kind = match job {
            Job::Phase => "job",
            Job::Finite => "finite-job",
        };
        let msg = message(&[
            ("type", &kind.into()),
            ("gen", &gen.into()),
            ("query", &query.into()),
        ]);
        self.members
            .iter()
            .all(|m| m.worker.post_message(&msg).is_ok())
    }

    /// Sends worker `i` realisations `from..to`.
    pub fn send_realisations(&self, i: usize, gen: u32, from: usize, to: usize) -> bool {
        let Some(m) = self.members.get(i) else {
            return false;
        };
        let msg = message(&[
            ("type", &"realisations".into()),
            ("gen", &gen.into()),
            ("from", &(from as u32).into()),
            ("to", &(to as u32).into()),
        ]);
        m.worker.post_message(&msg).is_ok()
    }

    /// Sends worker `i` a batch of cells.
    pub fn send(&self, i: usize, gen: u32, cells: &[usize]) -> bool {
        let Some(m) = self.members.get(i) else {
            return false;
        };
        let cells: Vec<u32> = cells.iter().map(|&c| c as u32).collect();
        let array = js_sys::Uint32Array::from(cells.as_slice());
        let msg = message(&[
            ("type", &"cells".into()),
            ("gen", &gen.into()),
            ("cells", &array),
        ]);
        m.worker
            .post_message_with_transfer(&msg, &js_sys::Array::of1(&array.buffer()))
            .is_ok()
    }
}
