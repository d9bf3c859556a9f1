//! prefdyn: how the sampling distribution and the reference policy shape what preference
//! optimisation (IPO, DPO) learns, in one shot and when repeated on the model's own outputs.
//!
//! Pure Rust, no web dependency; builds for native and `wasm32-unknown-unknown`.
//! Names follow `MODEL.md`.

pub mod config;
pub mod dpo;
pub mod dynamics;
pub mod finite;
pub mod generators;
pub mod import;
pub mod ipo;
pub mod lanes;
pub mod linalg;
pub mod phase;
pub mod portrait;
pub mod preference;
pub mod presets;
pub mod ranking;
pub mod report;
pub mod sampling;
pub mod simplex;
pub mod social_choice;
pub mod stability;
pub mod text;
pub mod theory;

pub use dpo::{dpo_solve, DpoOutcome};
pub use dynamics::{Metrics, MrsParams, MrsRun, Solver, Trajectory, Verdict};
pub use generators::{Family, Generator};
pub use preference::{PreferenceError, PreferenceMatrix};
pub use social_choice::Diagnostics;
