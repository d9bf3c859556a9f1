// Browser timing harness (a benchmark, not a test): node tests/bench/browser_bench.mjs [--paper]
// Needs a release build in dist/ (trunk build --release). Prints, for headless Chromium:
//   - each wasm module's size, raw and gzipped;
//   - navigation start → first chart drawn (body[data-ready]), median of 5;
//   - slider change → recomputed and redrawn charts, K = 10, T = 500 (median and max of 30),
//     alone and under a 4-run comparison (three variants recomputed, four π_t panels);
//   - the phase diagram 64×64 cells × 16 matrices × T = 300, K = 5 (median of 7), on the
//     worker pool and on the page alone: complete grid with its ρ = 1 boundary, and the
//     first picture (the coarse lattice drawn), waiting on the progress bar;
//   - the same diagram again on the open page (another seed: warm workers), median of 5;
//   - in one more run of each (`with_probe`), how late a 10 ms timer fires and how long
//     `prefdyn.results()` takes while the diagram computes (the page answering API calls;
//     the probe keeps the main thread busy, so its completion time is reported apart);
//   - finite samples R = 64, N = 256, K = 10, T = 300: time from setState to all realisations
//     drawn (median of 3, on the warm worker pool and on the page alone; also the page's
//     own clock, `finite_progress.millis`: until the last realisation is filed, before the
//     table and charts are drawn), and the longest main-thread task;
//   - the machine's core count (navigator.hardwareConcurrency);
//   - with --paper: Figure 3 at the paper's scale (32×32 × 118 × T = 3,000), first picture
//     and complete.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';
import { serve } from '../serve.mjs';

const dist = process.env.PREFDYN_DIST ?? new URL('../../dist', import.meta.url).pathname;
// Every module of the build (one before the light/full split, three after it).
const modules = Object.fromEntries(readdirSync(dist).filter((f) => f.endsWith('.wasm')).map((f) => [f, {
  bytes: statSync(`${dist}/${f}`).size,
  gzip_bytes: gzipSync(readFileSync(`${dist}/${f}`), { level: 9 }).length,
}]));
const split = Object.keys(modules).length > 1;
/** The whole page: `data-complete` and `window.prefdyn` (a build of one module: `data-ready`). */
const whole = () => page.waitForFunction((s) => window.prefdyn && document.body.hasAttribute(s ? 'data-complete' : 'data-ready'), split, { timeout: 60000 });
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const round = (x) => (x == null ? x : Math.round(x * 10) / 10);

const server = await serve(dist);
const base = `http://127.0.0.1:${server.address().port}/`;
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
    '--disable-sync', '--no-first-run', '--disable-quic'],
});
const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });

const firstChart = [];
for (let i = 0; i < 5; i++) {
  await page.goto(base, { waitUntil: 'commit' });
  await page.waitForSelector('body[data-ready]');
  firstChart.push(await page.evaluate(() => performance.now()));
}

/** The α slider moved 30 times on `query`: each change's recompute and redraw, in ms. */
async function sliderTimes(query) {
  await page.goto(`${base}?${query}`);
  await whole();
  const times = [];
  for (let i = 0; i < 30; i++) {
    times.push(await page.evaluate((v) => {
      const el = document.getElementById('alpha');
      const t0 = performance.now();
      el.value = String(v);
      el.dispatchEvent(new Event('input', { bubbles: true }));
      return performance.now() - t0; // recompute + redraw run synchronously in the handler
    }, 0.2 + 0.02 * i));
  }
  return times;
}
const slider = await sliderTimes('v=2&gen=random&k=10&seed=3&T=500&alpha=0.5');
// The same slider under a 4-run comparison (every variant follows the base's α but one).
const compareSlider = await sliderTimes('v=2&gen=random&k=10&seed=3&T=500&alpha=0.5&beta.2=5&lam.3=0.3&alpha.4=0.9');

/** Starts probes in the page: a 10 ms timer's lateness and the time of results(). */
const PROBE = () => {
  window.__probe = { late: [], api: [] };
  const tick = () => {
    const due = performance.now() + 10;
    setTimeout(() => {
      window.__probe.late.push(performance.now() - due);
      const t0 = performance.now();
      window.prefdyn.results();
      window.__probe.api.push(performance.now() - t0);
      if (!window.__probe.stop) tick();
    }, 10);
  };
  tick();
};

/**
 * Opens a phase link with `workers` (null: one per core) and waits for the grid. With
 * `probe`, a 10 ms timer measures the main thread's lateness and calls `results()` (a JSON
 * copy of the whole grid) each time: a responsiveness check that itself keeps the main
 * thread busy, so the completion times are taken from runs without it.
 */
async function phaseRun(query, workers, { probe = false, timeout = 600000 } = {}) {
  await page.goto(`${base}?${query}`);
  await whole();
  if (probe) await page.evaluate(PROBE);
  if (workers !== null) await page.evaluate((n) => window.prefdyn.phaseWorkers(n), workers);
  // The progress bar first (cheap), then results() once: polling results() itself, a JSON
  // copy of the grid, would take the main thread from the run.
  await page.waitForFunction(() => document.getElementById('phase-progress')?.getAttribute('value') === '1.0000'
    && window.prefdyn.results().phase.done, null, { timeout, polling: 50 });
  return page.evaluate(() => {
    const probe = window.__probe;
    if (probe) probe.stop = true;
    const p = window.prefdyn.results().phase;
    return {
      millis: p.millis, first: p.first_picture_millis, workers: p.workers,
      late_max: probe ? Math.max(...probe.late) : null, api_max: probe ? Math.max(...probe.api) : null,
    };
  });
}

const budget = (seed) => `v=2&view=phase&px=alpha&x0=0&x1=1&nx=64&py=betalam&y0=0.1&y1=5&ny=64&metric=var&ens=cyclic&ek=5&es=0.5&en=16&eseed=${seed}&pT=300`;
const pool = [];
const alone = [];
for (let i = 0; i < 7; i++) {
  pool.push(await phaseRun(budget(1 + i), null));
  alone.push(await phaseRun(budget(1 + i), 0));
}
const poolProbed = await phaseRun(budget(1), null, { probe: true });

/**
 * The same diagram again on an open page (another ensemble seed through setState): the
 * workers are running already, as for any change after the first diagram.
 */
async function phaseAgain(seed) {
  const before = await page.evaluate(() => window.prefdyn.results().phase.millis);
  await page.evaluate((s) => window.prefdyn.setState({ eseed: s }), seed);
  await page.waitForFunction(() => document.getElementById('phase-progress')?.getAttribute('value') === '1.0000'
    && window.prefdyn.results().phase.done, null, { timeout: 600000, polling: 50 });
  const p = await page.evaluate(() => window.prefdyn.results().phase);
  if (p.millis === before) throw new Error('the diagram did not run again');
  return { millis: p.millis, first: p.first_picture_millis };
}
await phaseRun(budget(1), null);
const warm = [];
for (let i = 0; i < 5; i++) warm.push(await phaseAgain(11 + i));
const aloneProbed = await phaseRun(budget(1), 0, { probe: true });

// Finite samples: all realisations, and the longest task on the main thread meanwhile; on
// the worker pool (warm: a first run starts it) and on the page alone.
await page.goto(`${base}?v=2&gen=cyclic&k=10&s=0.4&seed=3&alpha=0.9&beta=3&lam=1&T=300`);
await whole();
// The end is seen by an observer of the status line (it stops saying "computing…"), not by
// polling results(): that JSON copy of every realisation, every few ms, would take the main
// thread (and on two cores a worker's core) from the run it measures.
const finiteRun = (seed) => page.evaluate(async (seed) => {
  const tasks = [];
  const obs = new PerformanceObserver((l) => l.getEntries().forEach((e) => tasks.push(e.duration)));
  obs.observe({ entryTypes: ['longtask'] });
  const status = document.getElementById('finite-status');
  let end = 0;
  const done = new Promise((resolve) => {
    const seen = new MutationObserver(() => {
      if (status.textContent.includes('computing')) return;
      end = performance.now();
      seen.disconnect();
      resolve();
    });
    seen.observe(status, { childList: true, characterData: true, subtree: true });
  });
  const t0 = performance.now();
  window.prefdyn.setState({ N: 256, R: 64, sseed: seed });
  const slider = performance.now() - t0;
  await done;
  obs.disconnect();
  const p = window.prefdyn.results().finite_progress;
  if (p.running) throw new Error('the status line says done while the realisations run');
  return { total: end - t0, model: p.millis, slider, longest_task: tasks.length ? Math.max(...tasks) : 0, workers: p.workers ?? 0 };
}, seed);
await finiteRun(1);
const finitePool = [await finiteRun(2), await finiteRun(3), await finiteRun(4)];
await page.evaluate(() => window.prefdyn.phaseWorkers(0));
const finiteAlone = [await finiteRun(5), await finiteRun(6), await finiteRun(7)];
const cores = await page.evaluate(() => navigator.hardwareConcurrency);

const out = {
  modules,
  first_chart_ms_median: round(median(firstChart)),
  slider_redraw_ms_median_K10_T500: round(median(slider)),
  slider_redraw_ms_max: round(Math.max(...slider)),
  compare4_slider_redraw_ms_median_K10_T500: round(median(compareSlider)),
  compare4_slider_redraw_ms_max: round(Math.max(...compareSlider)),
  phase_64x64x16_T300_pool: {
    workers: pool[0].workers,
    complete_ms_median: round(median(pool.map((p) => p.millis))),
    first_picture_ms_median: round(median(pool.map((p) => p.first))),
    runs_ms: pool.map((p) => round(p.millis)),
    again_on_the_open_page: {
      complete_ms_median: round(median(warm.map((p) => p.millis))),
      first_picture_ms_median: round(median(warm.map((p) => p.first))),
      runs_ms: warm.map((p) => round(p.millis)),
    },
    with_probe: {
      complete_ms: round(poolProbed.millis),
      timer_lateness_ms_max: round(poolProbed.late_max),
      results_call_ms_max: round(poolProbed.api_max),
    },
  },
  phase_64x64x16_T300_page_only: {
    complete_ms_median: round(median(alone.map((p) => p.millis))),
    first_picture_ms_median: round(median(alone.map((p) => p.first))),
    runs_ms: alone.map((p) => round(p.millis)),
    with_probe: {
      complete_ms: round(aloneProbed.millis),
      timer_lateness_ms_max: round(aloneProbed.late_max),
    },
  },
  finite_R64_N256_K10_T300_pool: {
    workers: finitePool[0].workers,
    all_realisations_ms_median: round(median(finitePool.map((f) => f.total))),
    last_realisation_filed_ms_median: round(median(finitePool.map((f) => f.model))),
    setState_returned_ms_max: round(Math.max(...finitePool.map((f) => f.slider))),
    longest_main_thread_task_ms: round(Math.max(...finitePool.map((f) => f.longest_task))),
    runs_ms: finitePool.map((f) => round(f.total)),
  },
  finite_R64_N256_K10_T300_page_only: {
    workers: finiteAlone[0].workers,
    all_realisations_ms_median: round(median(finiteAlone.map((f) => f.total))),
    last_realisation_filed_ms_median: round(median(finiteAlone.map((f) => f.model))),
    longest_main_thread_task_ms: round(Math.max(...finiteAlone.map((f) => f.longest_task))),
    runs_ms: finiteAlone.map((f) => round(f.total)),
  },
  cores,
};

if (process.argv.includes('--paper')) {
  const fig3 = await phaseRun('v=2&view=phase&lam=0.8&y1=8&ens=rated_cyclic&ek=4&en=118&pT=3000', null, { probe: true });
  out.figure3_paper_scale_32x32x118_T3000 = {
    workers: fig3.workers, first_picture_ms: round(fig3.first), complete_ms: round(fig3.millis),
    timer_lateness_ms_max: round(fig3.late_max),
  };
}
await browser.close();
server.close();
console.log(JSON.stringify(out, null, 2));
