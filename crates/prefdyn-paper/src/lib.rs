//! The paper's reproduction on the prefdyn engine (Chen, He, Jordan and Yao, 2026): one
//! configuration per figure panel ([`figures`]), the findings measured on seeded instances
//! ([`findings`], one module per finding), and the checker for the independent test
//! vectors ([`vectors`]), and the guided tour of the paper ([`tour`]). The engine (`prefdyn`) keeps the mathematics.

pub mod claims;
pub mod figures;
pub mod findings;
pub mod tour;
pub mod vectors;
