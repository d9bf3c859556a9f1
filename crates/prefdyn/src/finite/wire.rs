//! Realisations computed apart (in a Web Worker) and filed into a [`FiniteStepper`] in
//! realisation order: the same trajectories, metrics, mean path and summary as the
//! stepper's own, bit for bit. The wire is flat `f64`s, per realisation:
//! `[index, rows, event?, (round, |component|, component…, |top|, top…)?, π_0…π_{rows−1}]`.

use std::ops::Range;

use super::{realisation, DpoEvent, FiniteStepper, Realisation, RoundWorkspace};

/// Why a reply could not be read or filed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WireError {
    #[error("a realisation reply is cut short or malformed at value {0}")]
    Malformed(usize),
    #[error("realisation {got} cannot be filed: the next one is {next}")]
    OutOfOrder { got: usize, next: usize },
}

/// Appends realisation `index` with its trajectory rows and DPO event to `out`.
fn write(index: usize, k: usize, policies: &[f64], event: Option<&DpoEvent>, out: &mut Vec<f64>) {
    out.push(index as f64);
    out.push((policies.len() / k.max(1)) as f64);
    match event {
        None => out.push(0.0),
        Some(e) => {
            out.push(1.0);
            out.push(e.round as f64);
            for part in [&e.component, &e.top_component] {
                out.push(part.len() as f64);
                out.extend(part.iter().map(|&i| i as f64));
            }
        }
    }
    out.extend_from_slice(policies);
}

/// Reads a whole count at `values[*at]` (at most `max`) and moves past it.
fn count(values: &[f64], at: &mut usize, max: usize) -> Result<usize, WireError> {
    let v = *values.get(*at).ok_or(WireError::Malformed(*at))?;
    if !(v >= 0.0 && v.fract() == 0.0 && v <= max as f64) {
        return Err(WireError::Malformed(*at));
    }
    *at += 1;
    Ok(v as usize)
}

impl FiniteStepper {
    /// Realisations `range` (within R), each computed from its start, independent of this
    /// stepper's progress, on the wire.
    pub fn compute_wire(&self, range: Range<usize>) -> Vec<f64> {
        let k = self.model.k();
        let mut ws = RoundWorkspace::default();
        let mut policies = Vec::with_capacity((self.rounds + 1) * k);
        let mut out = vec![];
        for index in range.start..range.end.min(self.spec.realisations) {
            let ev = self.model.run_into(
                self.spec.seed,
                0,
                index,
                self.rounds,
                &mut ws,
                &mut policies,
            );
            write(index, k, &policies, ev.as_ref(), &mut out);
        }
        out
    }

    /// The realisations of a reply, checked against this run (index within R, rows within
    /// T + 1, response indices within K); their metrics as the stepper computes them.
    pub fn read_wire(&self, values: &[f64]) -> Result<Vec<Realisation>, WireError> {
        let k = self.model.k();
        let mut at = 0;
        let mut out = vec![];
        while at < values.len() {
            let index = count(values, &mut at, self.spec.realisations.saturating_sub(1))?;
            let rows = count(values, &mut at, self.rounds + 1)?;
            let event = match count(values, &mut at, 1)? {
                0 => None,
                _ => {
                    let round = count(values, &mut at, self.rounds)?;
                    let mut parts = [vec![], vec![]];
                    for part in &mut parts {
                        let n = count(values, &mut at, k)?;
                        for _ in 0..n {
                            part.push(count(values, &mut at, k.saturating_sub(1))?);
                        }
                    }
                    let [component, top_component] = parts;
                    Some(DpoEvent {
                        realisation: index,
                        round,
                        component,
                        top_component,
                    })
                }
            };
            let end = at + rows * k;
            let policies = values.get(at..end).ok_or(WireError::Malformed(at))?;
            at = end;
            out.push(realisation(
                index,
                k,
                policies.to_vec(),
                event,
                self.burn_in,
            ));
        }
        Ok(out)
    }

    /// The index of the next realisation to file (R when all are done).
    pub fn next_index(&self) -> usize {
        self.done.len()
    }

    /// Files realisation `r`, which must be the next one, with none in progress here.
    pub fn file(&mut self, r: Realisation) -> Result<(), WireError> {
        let next = self.done.len();
        if r.index != next || self.current.is_some() || next >= self.spec.realisations {
            return Err(WireError::OutOfOrder { got: r.index, next });
        }
        self.accumulate(r);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dynamics::{MrsParams, Solver};
    use crate::finite::{FiniteRun, FiniteSpec};
    use crate::generators::Generator;

    fn run_of(solver: Solver, pairs: usize) -> Result<FiniteStepper, String> {
        let p = Generator::Circulant { k: 5, s: 0.4 }
            .generate(0)
            .map_err(|e| e.to_string())?;
        let pi0 = vec![0.3, 0.2, 0.2, 0.15, 0.15];
        let mu0 = vec![0.2; 5];
        let run = FiniteRun {
            p: &p,
            pi0: &pi0,
            mu0: &mu0,
            params: MrsParams {
                alpha: 0.9,
                beta: 3.0,
                lam: 0.8,
                eta: 1.0,
            },
            solver,
            rounds: 40,
            burn_in: 10,
            spec: FiniteSpec {
                pairs,
                realisations: 9,
                seed: 11,
            },
        };
        run.stepper().map_err(|e| e.to_string())
    }

    /// Realisations computed on the wire in any batches and order, filed in index order,
    /// give the stepper's own outcome bit for bit (IPO, and DPO with events).
    #[test]
    fn filed_realisations_equal_the_steppers_own() -> Result<(), String> {
        for (solver, pairs) in [(Solver::Ipo, 64), (Solver::Dpo, 8)] {
            let own = run_of(solver, pairs)?.finish();
            let worker = run_of(solver, pairs)?;
            let mut page = run_of(solver, pairs)?;
            let mut got = vec![];
            for range in [6..9, 0..2, 2..6] {
                let wire = worker.compute_wire(range);
                got.extend(worker.read_wire(&wire).map_err(|e| e.to_string())?);
            }
            got.sort_by_key(|r| r.index);
            for r in got {
                page.file(r).map_err(|e| e.to_string())?;
            }
            assert_eq!(page.finish(), own, "{solver:?}");
        }
        Ok(())
    }

    #[test]
    fn bad_replies_are_refused() -> Result<(), String> {
        let s = run_of(Solver::Ipo, 64)?;
        let wire = s.compute_wire(0..2);
        assert!(s.read_wire(&wire[..wire.len() - 1]).is_err(), "cut short");
        for (at, v) in [(0, 9.0), (0, -1.0), (1, 42.0), (2, 0.5), (0, f64::NAN)] {
            let mut bad = wire.clone();
            bad[at] = v;
            assert!(
                matches!(s.read_wire(&bad), Err(WireError::Malformed(_))),
                "{at} = {v}"
            );
        }
        let mut page = run_of(Solver::Ipo, 64)?;
        let rs = s.read_wire(&wire).map_err(|e| e.to_string())?;
        let second = rs.get(1).cloned().ok_or("two realisations")?;
        assert_eq!(
            page.file(second),
            Err(WireError::OutOfOrder { got: 1, next: 0 })
        );
        Ok(())
    }
}
