//! The prefdyn playground's web layer: DOM events → engine → canvas drawing, shared by the
//! page's two modules. The light module (`prefdyn-web-light`, [`light`]) draws the first
//! viewport; the full module (`prefdyn-web-full`, [`full`]) takes over from the URL and
//! draws everything.
//!
//! One direction: listeners and services dispatch a [`model::Change`] to the [`store`];
//! the store applies it to the DOM-free [`model::App`] (which recomputes what it
//! invalidates), tells its subscribers (the [`sections`], the [`history`], the [`api`]),
//! then hands the model's effects to the [`services`]. Nothing draws or records outside a
//! subscriber, and no subscriber changes the model but by dispatching.

pub mod alt;
pub mod api;
pub mod canvas;
pub mod controls;
pub mod dom;
pub mod export;
pub mod full;
pub mod history;
pub mod host;
pub mod json;
pub mod light;
pub mod measure;
pub mod model;
pub mod panic;
pub mod sections;
pub mod services;
pub mod store;
pub mod tasks;
