//! MRS-IPO runs in SIMD lanes for phase sweeps (issue 10). To be written.
