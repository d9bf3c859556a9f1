//! Finite samples: N labelled pairs per round, R realisations (issue 11). To be written.
