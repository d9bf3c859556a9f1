// Browser timing harness (a benchmark, not a test): node tests/bench/browser_bench.mjs
// Needs a release build in dist/ (trunk build --release). Prints, for headless Chromium:
//   - wasm size, raw and gzipped;
//   - time from navigation start to the first chart drawn (body[data-ready]);
//   - slider change → recomputed and redrawn charts, K = 10, T = 500 (median of 30);
//   - the phase diagram 64×64 cells × 16 matrices × T = 300, K = 5 (median of 3): time to
//     the complete grid, and to the theory's ρ = 1 boundary drawn on it.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';
import { serve } from '../serve.mjs';

const dist = process.env.PREFDYN_DIST ?? new URL('../../dist', import.meta.url).pathname;
const wasm = readdirSync(dist).find((f) => f.endsWith('.wasm'));
const raw = statSync(`${dist}/${wasm}`).size;
const gz = gzipSync(readFileSync(`${dist}/${wasm}`), { level: 9 }).length;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

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

await page.goto(`${base}?gen=random&k=10&seed=3&T=500&alpha=0.5`);
await page.waitForSelector('body[data-ready]');
const slider = [];
for (let i = 0; i < 30; i++) {
  slider.push(await page.evaluate((v) => {
    const el = document.getElementById('alpha');
    const t0 = performance.now();
    el.value = String(v);
    el.dispatchEvent(new Event('input', { bubbles: true }));
    return performance.now() - t0; // recompute + redraw run synchronously in the handler
  }, 0.2 + 0.02 * i));
}

const phase = [];
for (let i = 0; i < 3; i++) {
  await page.goto(`${base}?view=phase&px=alpha&x0=0&x1=1&nx=64&py=betalam&y0=0.1&y1=5&ny=64&metric=var&ens=cyclic&ek=5&es=0.5&en=16&eseed=${1 + i}&pT=300`);
  await page.waitForSelector('body[data-ready]');
  await page.waitForFunction(() => window.prefdyn.results().phase.done, null, { timeout: 120000 });
  phase.push(await page.evaluate(() => window.prefdyn.results().phase));
}
await browser.close();
server.close();

const out = {
  wasm_bytes: raw,
  wasm_gzip_bytes: gz,
  first_chart_ms_median: median(firstChart),
  slider_redraw_ms_median_K10_T500: median(slider),
  slider_redraw_ms_max: Math.max(...slider),
  phase_64x64x16_T300_ms_median: median(phase.map((p) => p.millis)),
  phase_with_rho_boundary_ms_median: median(phase.map((p) => p.boundary_millis)),
  phase_runs_ms: phase.map((p) => p.millis),
};
console.log(JSON.stringify(out, null, 2));
