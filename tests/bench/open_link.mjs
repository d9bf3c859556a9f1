// Opening a link, measured cold (a benchmark, not a test): node tests/bench/open_link.mjs [--runs N]
// Needs a release build in dist/. VERBOSE=1 lists each file before the first chart (bytes,
// request start and response end); --only default:phone measures one cell. Serves dist/ gzipped (content-type application/wasm), opens
// each link in a new browser context with the cache disabled, on two profiles over CDP:
//   desktop: this machine, no throttling;
//   phone:   Lighthouse's mobile profile, 4× CPU slowdown (Emulation.setCPUThrottlingRate),
//            150 ms round trip, 1.6 Mbit/s down, 750 kbit/s up (Network.emulateNetworkConditions).
// For each link and profile it prints the median (and range) over the runs of:
//   first chart:      navigation start → body[data-ready] (the first chart drawn);
//   everything drawn: navigation start → body[data-complete] (every section drawn; a build
//                     without the marker reports the first chart);
//   bytes before the first chart: the transfer sizes (gzipped bodies and headers) of the
//                     document and every resource whose response ended before data-ready.
import { chromium } from 'playwright-core';
import { serve } from '../serve.mjs';

const runs = Number(process.argv[process.argv.indexOf('--runs') + 1]) || 5;
// --only LINK:PROFILE (e.g. default:phone) measures one cell.
const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : null;
const dist = process.env.PREFDYN_DIST ?? new URL('../../dist', import.meta.url).pathname;
const LINKS = {
  default: '',
  embed: 'v=2&embed=1&alpha=0.95&beta=2&lam=0.8',
  phase: 'v=2&view=phase',
};
const PROFILES = {
  desktop: null,
  phone: { latency: 150, down: 1.6e6 / 8, up: 750e3 / 8, cpu: 4 },
};

/** Records when the page sets data-ready and data-complete (before any page script runs). */
const MARKERS = () => {
  window.__marks = {};
  new MutationObserver(() => {
    const b = document.body;
    if (!b) return;
    for (const m of ['data-ready', 'data-complete']) {
      if (b.hasAttribute(m) && window.__marks[m] === undefined) window.__marks[m] = performance.now();
    }
  }).observe(document, { subtree: true, attributes: true, attributeFilter: ['data-ready', 'data-complete'] });
};

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const server = await serve(dist, 0, { gzip: true });
const base = `http://127.0.0.1:${server.address().port}/`;
const browser = await chromium.launch({
  executablePath: process.env.PREFDYN_CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
    '--disable-sync', '--no-first-run', '--disable-quic'],
});

async function open(link, profile) {
  const context = await browser.newContext({ viewport: link.includes('embed=1') ? { width: 680, height: 520 } : { width: 1280, height: 800 } });
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
  if (profile) {
    await cdp.send('Network.emulateNetworkConditions', {
      offline: false, latency: profile.latency, downloadThroughput: profile.down, uploadThroughput: profile.up,
    });
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: profile.cpu });
  }
  await page.addInitScript(MARKERS);
  await page.goto(base + (link ? `?${link}` : ''), { waitUntil: 'commit' });
  await page.waitForFunction(() => window.__marks && window.__marks['data-ready'] !== undefined, null, { timeout: 60000 });
  // Everything drawn: the marker, or (a build without it) once the page has been quiet.
  await page.waitForFunction(() => window.__marks['data-complete'] !== undefined, null, { timeout: 30000 }).catch(() => {});
  const m = await page.evaluate(() => {
    const ready = window.__marks['data-ready'];
    const entries = [...performance.getEntriesByType('navigation'), ...performance.getEntriesByType('resource')];
    const before = entries.filter((e) => e.responseEnd <= ready);
    return {
      ready,
      complete: window.__marks['data-complete'] ?? null,
      bytes: before.reduce((s, e) => s + (e.transferSize || 0), 0),
      files: before.map((e) => `${new URL(e.name).pathname.split('/').pop() || 'index.html'} ${e.transferSize} B, ${Math.round(e.startTime)}–${Math.round(e.responseEnd)} ms`),
    };
  });
  await context.close();
  return m;
}

const fmt = (xs) => `${Math.round(median(xs))} ms (${Math.round(Math.min(...xs))}–${Math.round(Math.max(...xs))})`;
console.log(`open-link benchmark: ${runs} cold runs per cell, dist ${dist}, gzip, cache disabled`);
console.log('| link | profile | first chart | everything drawn | bytes before the first chart |');
console.log('|---|---|---|---|---|');
for (const [name, link] of Object.entries(LINKS)) {
  for (const [pname, profile] of Object.entries(PROFILES)) {
    if (only && only !== `${name}:${pname}`) continue;
    const ms = [];
    for (let i = 0; i < runs; i++) ms.push(await open(link, profile));
    const complete = ms.map((x) => x.complete ?? x.ready);
    const bytes = median(ms.map((x) => x.bytes));
    console.log(`| ${name} | ${pname} | ${fmt(ms.map((x) => x.ready))} | ${fmt(complete)} | ${bytes.toLocaleString('en-US')} |`);
    if (process.env.VERBOSE) console.log(`  files before the first chart: ${ms[0].files.join(', ')}`);
  }
}
await browser.close();
server.close();
