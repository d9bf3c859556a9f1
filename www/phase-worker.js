// A worker for the page's background jobs (the phase diagram, the finite-sample
// realisations): its own instance of the page's full module (the compiled
// WebAssembly.Module is sent by the page, so nothing is fetched or compiled again).
// Messages, in order:
//   {type: 'init', module}                      -> {type: 'ready'} or {type: 'error', message}
//   {type: 'job', gen, query}                   (the canonical link of the diagram)
//   {type: 'cells', gen, cells: Uint32Array}    -> {type: 'cells', gen, values: Float64Array, millis}
//                                                  values: [cell, mean, sd, rho, collapsed] per cell
//   {type: 'finite-job', gen, query}            (the canonical link of the run)
//   {type: 'realisations', gen, from, to}       -> {type: 'realisations', gen, values: Float64Array, millis}
//                                                  values: FiniteStepper::compute_wire(from..to)
import init, { finiteWorkerJob, finiteWorkerRealisations, phaseWorkerCells, phaseWorkerJob } from './prefdyn-web-full.js';

let ready = null;
let failed = null;
let jobGen = -1;

self.onmessage = async (event) => {
  const m = event.data;
  if (m.type === 'init') {
    ready = init({ module_or_path: m.module }).then(
      () => self.postMessage({ type: 'ready' }),
      (e) => self.postMessage({ type: 'error', message: String(e) }),
    );
    return;
  }
  await ready;
  try {
    if (m.type === 'job') {
      failed = null;
      phaseWorkerJob(m.query);
      jobGen = m.gen;
    } else if (m.type === 'finite-job') {
      failed = null;
      finiteWorkerJob(m.query);
      jobGen = m.gen;
    } else if (m.type === 'realisations') {
      if (failed !== null || m.gen !== jobGen) {
        self.postMessage({ type: 'realisations', gen: m.gen, values: new Float64Array(0), millis: 0, stale: true });
        return;
      }
      const t0 = performance.now();
      const values = finiteWorkerRealisations(m.from, m.to);
      self.postMessage({ type: 'realisations', gen: m.gen, values, millis: performance.now() - t0 }, [values.buffer]);
    } else if (m.type === 'cells') {
      if (failed !== null || m.gen !== jobGen) {
        self.postMessage({ type: 'cells', gen: m.gen, values: new Float64Array(0), millis: 0, stale: true });
        return;
      }
      const t0 = performance.now();
      const values = phaseWorkerCells(m.cells);
      self.postMessage({ type: 'cells', gen: m.gen, values, millis: performance.now() - t0 }, [values.buffer]);
    }
  } catch (e) {
    failed = String(e);
    self.postMessage({ type: 'error', gen: m.gen, message: failed });
  }
};
