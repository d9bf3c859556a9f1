// Shared helpers of the end-to-end tests: a static server on dist/, one headless Chromium
// per test file, pages that record console errors, page errors and requests, the engine's
// own numbers (the `results` example) and canvas pixel statistics.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { serve } from '../serve.mjs';

export const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
export const DIST = process.env.PREFDYN_DIST ? resolve(process.env.PREFDYN_DIST) : join(ROOT, 'dist');
export const ARTIFACTS = join(ROOT, 'tests', 'artifacts');
export const CHROMIUM = process.env.PREFDYN_CHROMIUM || '/usr/bin/chromium';

const SUPERSCRIPT = { '-': '⁻', 0: '⁰', 1: '¹', 2: '²', 3: '³', 4: '⁴', 5: '⁵', 6: '⁶', 7: '⁷', 8: '⁸', 9: '⁹' };

/**
 * `x` with `n` significant digits as the page writes it (`prefdyn::text::sig_n`): trailing
 * zeros dropped, `1.94 × 10⁻⁴` below 10⁻³, whole numbers with thousands separators from
 * 1,000 on, `−` for minus.
 */
export function sig(x, n = 3) {
  if (Number.isNaN(x)) return '—';
  if (!Number.isFinite(x)) return x > 0 ? '∞' : '−∞';
  if (x === 0) return '0';
  const a = Math.abs(x);
  const sign = x < 0 ? '−' : '';
  const trim = (s) => (s.includes('.') ? s.replace(/0+$/, '').replace(/\.$/, '') : s);
  if (a < 1e-3) {
    let e = Math.floor(Math.log10(a));
    let m = a / 10 ** e;
    if (Number(m.toFixed(n - 1)) >= 10) { e += 1; m /= 10; }
    return `${sign}${trim(m.toFixed(n - 1))} × 10${String(e).split('').map((c) => SUPERSCRIPT[c]).join('')}`;
  }
  if (a >= 999.5) return sign + Math.round(a).toLocaleString('en-US');
  const digits = (v) => Math.max(0, n - 1 - Math.floor(Math.log10(v)));
  const d = digits(a);
  const rounded = Number(a.toFixed(d));
  return sign + trim(rounded.toFixed(Math.min(d, digits(rounded))));
}

/** Tolerance between the page's numbers (wasm32) and the engine's (native). */
export const TOL = 1e-9;

/** The configurations of the issue. */
export const Q = {
  cyclic: 'v=2&gen=cyclic&k=5&s=0.4&seed=3&alpha=0.5&beta=5&lam=0.7&T=200',
  preset: 'v=2&preset=chatbot_arena_2023may_5&alpha=0.6',
  dpo: 'v=2&solver=dpo&alpha=0.5',
  bad: 'v=2&alpha=abc&beta=1e999&k=1000&zzz=1&T=-5&pi0=1,2',
  /** A format-1 link (no v): its alpha and lam are the paper's λ and α. */
  v1: 'gen=cyclic&k=5&s=0.4&seed=3&alpha=0.7&beta=5&lam=0.5&T=200',
};

const LAUNCH_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
  '--disable-sync', '--no-first-run', '--disable-quic',
];

/**
 * Starts the static server on DIST and launches Chromium. Call once per test file (in
 * `before`) and `close()` in `after`.
 */
export async function startSite() {
  assert.ok(
    existsSync(join(DIST, 'index.html')),
    `no built site at ${DIST}: run \`trunk build --release\` in ${ROOT} first (or set PREFDYN_DIST)`,
  );
  warnIfStale();
  const server = await serve(DIST);
  const base = `http://127.0.0.1:${server.address().port}/`;
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: LAUNCH_ARGS });
  const pages = [];
  // Fail fast (in `before`, failing the whole file) when the build does not start at all.
  const smoke = await browser.newPage();
  const problems = [];
  smoke.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  smoke.on('console', (m) => m.type() === 'error' && problems.push(`console error: ${m.text()}`));
  try {
    await smoke.goto(base);
    await waitReady(smoke, 15000);
  } catch (e) {
    await browser.close().catch(() => {});
    await new Promise((r) => server.close(() => r()));
    throw new Error(`the site in ${DIST} never became ready (body[data-ready="1"] and window.prefdyn): ${problems.join('; ') || e.message}`);
  } finally {
    await smoke.close().catch(() => {});
  }
  return {
    base,
    browser,
    pages,
    url: (query = '') => (query ? `${base}?${query.replace(/^\?/, '')}` : base),
    async close() {
      await browser.close().catch(() => {});
      await new Promise((r) => server.close(() => r()));
    },
  };
}

let staleWarned = false;

/** Warns (once) when Rust sources are newer than the built site: page and engine may disagree. */
function warnIfStale() {
  if (staleWarned) return;
  staleWarned = true;
  const built = statSync(join(DIST, 'index.html')).mtimeMs;
  const newer = [];
  const walk = (dir) => {
    if (!existsSync(dir)) return;
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.(rs|toml|json)$/.test(e.name) && statSync(p).mtimeMs > built) newer.push(p.slice(ROOT.length + 1));
    }
  };
  for (const d of ['crates/prefdyn/src', 'crates/prefdyn/data', 'crates/prefdyn-web/src']) walk(join(ROOT, d));
  if (newer.length) {
    process.stderr.write(`warning: ${newer.length} source file(s) changed after ${DIST} was built (${newer.slice(0, 5).join(', ')}${newer.length > 5 ? ', …' : ''}); rebuild the site, or page/engine comparisons may fail\n`);
  }
}

/**
 * Opens `query` in a fresh browser context (viewport, deviceScaleFactor, colorScheme are
 * context options) and waits until the page is ready. Returns `{page, context, log}`; `log`
 * collects console errors, warnings, page errors, requests and failed requests.
 */
export async function openPage(site, query = '', options = {}) {
  const { viewport = { width: 1280, height: 800 }, deviceScaleFactor = 1, colorScheme = 'light', wait = true, init = null } = options;
  const context = await site.browser.newContext({ viewport, deviceScaleFactor, colorScheme });
  const page = await context.newPage();
  // A script run before the page's own (e.g. to instrument the canvas).
  if (init) await page.addInitScript(init);
  const log = { errors: [], warnings: [], pageErrors: [], requests: [], failed: [], readyAt: null };
  page.on('console', (m) => {
    if (m.type() === 'error') log.errors.push(`${m.text()} @ ${JSON.stringify(m.location())}`);
    else if (m.type() === 'warning') log.warnings.push(m.text());
  });
  page.on('pageerror', (e) => log.pageErrors.push(String(e && e.stack ? e.stack : e)));
  page.on('request', (r) => log.requests.push({ url: r.url(), at: Date.now() }));
  // ERR_ABORTED: a request cut short by our own navigation (reload, goto), not a failure.
  page.on('requestfailed', (r) => {
    const why = r.failure() && r.failure().errorText;
    if (why !== 'net::ERR_ABORTED') log.failed.push(`${r.url()}: ${why}`);
  });
  const handle = { page, context, log, site };
  site.pages.push(handle);
  if (wait) {
    await page.goto(site.url(query));
    await waitReady(page);
    log.readyAt = Date.now();
  }
  return handle;
}

/**
 * Waits until the page is whole: `body[data-complete="1"]` (every section drawn with the
 * whole model, after the first chart's `data-ready`) and `window.prefdyn` (the full module).
 */
export async function waitReady(page, timeout = 20000) {
  await page.waitForFunction(
    () => document.body && document.body.getAttribute('data-complete') === '1' && !!window.prefdyn,
    null,
    { timeout },
  );
}

/** (h) No console errors, no page errors, no failed requests, no panic. */
export async function assertClean(handle) {
  const { page, log } = handle;
  let panicked = null;
  if (!page.isClosed()) {
    // Not through a light embed's `window.prefdyn` getter, which would ask for the full module.
    panicked = await page.evaluate(() => {
      const api = (Object.getOwnPropertyDescriptor(window, 'prefdyn') || {}).value;
      if (api) return api.hasPanicked() ? api.panicMessage() : null;
      const el = document.getElementById('panic');
      return el && !el.hidden ? el.textContent : null;
    });
  }
  assert.equal(panicked, null, `the wasm module panicked: ${panicked}`);
  assert.deepEqual(log.pageErrors, [], 'page errors');
  assert.deepEqual(log.errors, [], 'console errors');
  assert.deepEqual(log.failed, [], 'failed requests');
}

/** Closes a page's context after checking it stayed clean. */
export async function closeClean(handle) {
  try {
    await assertClean(handle);
  } finally {
    await handle.context.close().catch(() => {});
  }
}

// ---- the engine's own numbers ----

let engineBin = null;

/** Builds `cargo build -p prefdyn --example results` once per process; returns the binary. */
export function engineBinary() {
  if (engineBin) return engineBin;
  try {
    execFileSync('cargo', ['build', '-q', '-p', 'prefdyn', '--example', 'results'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
  } catch (e) {
    throw new Error(`cargo build -p prefdyn --example results failed:\n${e.stderr || e.message}`);
  }
  const target = process.env.CARGO_TARGET_DIR ? resolve(ROOT, process.env.CARGO_TARGET_DIR) : join(ROOT, 'target');
  engineBin = join(target, 'debug', 'examples', 'results');
  assert.ok(existsSync(engineBin), `engine example not found at ${engineBin}`);
  return engineBin;
}

/** `{query, issues, results}` of the engine for a query. */
export function engine(query) {
  const out = execFileSync(engineBinary(), [query.replace(/^\?/, '')], { cwd: ROOT, encoding: 'utf8' });
  return JSON.parse(out);
}

/**
 * `{query, issues, results, search, phase, finiteProgress}` of the page. `results` is
 * `window.prefdyn.results()` without its page-only `phase` and `finite_progress` keys (the
 * progressive state of the phase diagram and of the realisations, which the engine's
 * `Results` does not have and which depends on timing).
 */
export async function pageNumbers(page) {
  return page.evaluate(() => {
    const s = window.prefdyn.state();
    const { phase, finite_progress: finiteProgress, ...results } = window.prefdyn.results();
    return { query: s.query, issues: s.issues, state: s, results, search: location.search, phase, finiteProgress };
  });
}

/**
 * Checks a phase grid's ρ: finite in every cell, except where α = 1 with η = 1 (a = 1: no
 * anchor, no fixed point), where it is NaN (null in JSON) for every such cell.
 */
export function assertRhoFiniteOrNoFixedPoint(ph, alphaIsX = true) {
  const { nx, x_values: xs, y_values: ys } = ph.grid;
  ph.rho.forEach((r, i) => {
    const alpha = alphaIsX ? xs[i % nx] : ys[Math.floor(i / nx)];
    if (alpha === 1) assert.equal(r, null, `cell ${i}: α = 1 has no fixed point`);
    else assert.ok(Number.isFinite(r), `cell ${i}: ρ = ${r}`);
  });
}

/** `window.prefdyn.results()` without the page-only `phase` and `finite_progress` keys (see `pageNumbers`). */
export function engineView(results) {
  const { phase, finite_progress: _progress, ...rest } = results;
  return rest;
}

/** Waits until the finite-sample realisations are done (`results().finite` or `finite_error`). */
export async function waitFiniteDone(page, timeout = 30000) {
  await page.waitForFunction(() => {
    const r = window.prefdyn.results();
    return !r.finite_progress.running && (r.finite || r.finite_error);
  }, null, { timeout, polling: 50 });
}

// ---- comparing numbers ----

/**
 * Walks two JSON values together. Returns `{maxDiff, maxPath, mismatches}`: the largest
 * absolute difference between numbers at the same path, and every structural difference
 * (missing keys, different lengths, different strings/booleans, null vs number).
 */
export function compareJson(a, b, path = '$', acc = { maxDiff: 0, maxPath: null, mismatches: [] }) {
  if (acc.skip && acc.skip.some((re) => re.test(path))) {
    if (JSON.stringify(a) !== JSON.stringify(b)) (acc.skipped = acc.skipped || []).push(`${path}: ${JSON.stringify(a)} vs ${JSON.stringify(b)}`);
    return acc;
  }
  const kind = (v) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);
  const [ka, kb] = [kind(a), kind(b)];
  if (ka !== kb) {
    acc.mismatches.push(`${path}: ${ka} ${JSON.stringify(a)?.slice(0, 80)} vs ${kb} ${JSON.stringify(b)?.slice(0, 80)}`);
  } else if (ka === 'number') {
    const d = Math.abs(a - b);
    if (!(d <= acc.maxDiff)) {
      acc.maxDiff = Number.isNaN(d) ? Infinity : d;
      acc.maxPath = path;
    }
  } else if (ka === 'array') {
    if (a.length !== b.length) acc.mismatches.push(`${path}: length ${a.length} vs ${b.length}`);
    for (let i = 0; i < Math.min(a.length, b.length); i++) compareJson(a[i], b[i], `${path}[${i}]`, acc);
  } else if (ka === 'object') {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const k of keys) {
      if (!(k in a)) acc.mismatches.push(`${path}.${k}: missing on the left`);
      else if (!(k in b)) acc.mismatches.push(`${path}.${k}: missing on the right`);
      else compareJson(a[k], b[k], `${path}.${k}`, acc);
    }
  } else if (a !== b) {
    acc.mismatches.push(`${path}: ${JSON.stringify(a)} vs ${JSON.stringify(b)}`);
  }
  return acc;
}

/**
 * Compares a page's Results with the engine's like `compareJson`, except the one-shot
 * `properties.top` (an argmax): where it differs, the two candidates must tie within TOL
 * in both policies (wasm and native round differently in the last ulp, so a tie may be
 * broken differently; the separate "ties" test reports that). Returns the comparison with
 * `ties` listing such differences.
 */
export function compareResults(pageRes, engineRes) {
  const acc = compareJson(pageRes, engineRes, '$', { maxDiff: 0, maxPath: null, mismatches: [], skip: [/^\$\.one_shot\[\d+\]\.properties\.top$/] });
  acc.ties = [];
  (pageRes.one_shot || []).forEach((p, i) => {
    const e = engineRes.one_shot && engineRes.one_shot[i];
    if (!e || p.properties.top === e.properties.top) return;
    const [a, b] = [p.properties.top, e.properties.top];
    const gap = Math.max(Math.abs(p.policy[a] - p.policy[b]), Math.abs(e.policy[a] - e.policy[b]));
    if (a === null || b === null || !(gap <= TOL)) acc.mismatches.push(`$.one_shot[${i}].properties.top: ${a} vs ${b} (not a tie: gap ${gap})`);
    else acc.ties.push(`one_shot[${i}] (${p.label}): top ${a} on the page, ${b} in the engine; π gap ${gap.toExponential(2)}`);
  });
  return acc;
}

/** The fields the issue names, picked from a Results JSON. */
export function keyFields(r) {
  const d = r.dynamics;
  return {
    diagnostics: r.matrix.diagnostics,
    P: r.matrix.P,
    final_policy: d && d.final_policy,
    final_entropy: d && d.final_entropy,
    variance: d && d.variance,
    rho: d && d.rho,
    fixed_point: d && d.fixed_point,
    verdict: d && d.verdict,
    dynamics_error: r.dynamics_error,
  };
}

/** Every number in a JSON value (for finiteness checks). */
export function allNumbers(v, out = []) {
  if (typeof v === 'number') out.push(v);
  else if (Array.isArray(v)) v.forEach((x) => allNumbers(x, out));
  else if (v && typeof v === 'object') Object.values(v).forEach((x) => allNumbers(x, out));
  return out;
}

// ---- canvases ----

/**
 * Pixel statistics of a canvas: backing size, CSS size, the background colour (the corner
 * pixel), the number of distinct colours, the share of non-background pixels, a hash.
 */
export async function canvasStats(page, id) {
  return page.evaluate((id) => {
    const c = document.getElementById(id);
    if (!c) return null;
    const rect = c.getBoundingClientRect();
    const base = { id, width: c.width, height: c.height, cssWidth: rect.width, cssHeight: rect.height, visible: rect.width > 0 && rect.height > 0 };
    if (c.width === 0 || c.height === 0) return { ...base, distinct: 0, nonBg: 0, nonBgShare: 0, bg: null, hash: 0, transparent: 1 };
    const ctx = c.getContext('2d');
    const { data } = ctx.getImageData(0, 0, c.width, c.height);
    const bg = [data[0], data[1], data[2], data[3]];
    const colours = new Set();
    let nonBg = 0;
    let transparent = 0;
    let hash = 2166136261;
    for (let i = 0; i < data.length; i += 4) {
      const v = ((data[i] << 24) | (data[i + 1] << 16) | (data[i + 2] << 8) | data[i + 3]) >>> 0;
      if (colours.size < 100000) colours.add(v);
      if (data[i + 3] === 0) transparent++;
      if (Math.abs(data[i] - bg[0]) + Math.abs(data[i + 1] - bg[1]) + Math.abs(data[i + 2] - bg[2]) + Math.abs(data[i + 3] - bg[3]) > 24) nonBg++;
      hash = Math.imul(hash ^ v, 16777619) >>> 0;
    }
    const n = data.length / 4;
    return { ...base, bg, distinct: colours.size, nonBg, nonBgShare: nonBg / n, hash, transparent: transparent / n };
  }, id);
}

/** Stores a copy of a canvas's pixels in the page under `name` (for `diffSnapshot`). */
export async function snapshot(page, id, name) {
  await page.evaluate(([id, name]) => {
    const c = document.getElementById(id);
    window.__snaps = window.__snaps || {};
    window.__snaps[name] = { width: c.width, height: c.height, data: c.getContext('2d').getImageData(0, 0, c.width, c.height).data.slice() };
  }, [id, name]);
}

/** Pixels of canvas `id` now that differ from snapshot `name`: `{sameSize, differing, share}`. */
export async function diffSnapshot(page, id, name) {
  return page.evaluate(([id, name]) => {
    const a = window.__snaps[name];
    const c = document.getElementById(id);
    if (a.width !== c.width || a.height !== c.height) return { sameSize: false, differing: -1, share: 1 };
    const b = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let differing = 0;
    for (let i = 0; i < b.length; i += 4) {
      if (a.data[i] !== b[i] || a.data[i + 1] !== b[i + 1] || a.data[i + 2] !== b[i + 2] || a.data[i + 3] !== b[i + 3]) differing++;
    }
    return { sameSize: true, differing, share: differing / (b.length / 4) };
  }, [id, name]);
}

/** Asserts that a canvas shows a drawn chart (not blank, not a flat fill). */
export function assertDrawn(stats, { minDistinct = 8, minShare = 0.005 } = {}) {
  assert.ok(stats, 'canvas missing');
  assert.ok(stats.width > 0 && stats.height > 0, `${stats.id}: zero-sized backing store ${stats.width}×${stats.height}`);
  assert.ok(stats.transparent < 0.01, `${stats.id}: ${(100 * stats.transparent).toFixed(1)}% transparent pixels (not painted)`);
  assert.ok(stats.distinct >= minDistinct, `${stats.id}: only ${stats.distinct} distinct colours`);
  assert.ok(stats.nonBgShare >= minShare, `${stats.id}: only ${(100 * stats.nonBgShare).toFixed(2)}% non-background pixels`);
}

/** Relative luminance (0..255) of an [r, g, b] colour. */
export function luminance([r, g, b]) {
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/** Parses `rgb(r, g, b)` / `rgba(...)`. */
export function parseCssColour(s) {
  const m = /rgba?\(([^)]+)\)/.exec(s);
  if (!m) return null;
  return m[1].split(/[ ,/]+/).filter(Boolean).slice(0, 4).map(Number);
}

export function artifactsDir() {
  mkdirSync(ARTIFACTS, { recursive: true });
  return ARTIFACTS;
}

/** Sets a range input's value and fires `input` then `change` (what a drag does). */
export async function moveSlider(page, id, value, events = ['input', 'change']) {
  await page.$eval(
    `#${id}`,
    (el, [value, events]) => {
      el.value = String(value);
      for (const e of events) el.dispatchEvent(new Event(e, { bubbles: true }));
    },
    [value, events],
  );
}

/**
 * Moves a logarithmic slider (its positions are the indices of its round stops, listed in
 * `data-stops`) to the stop nearest `value` (in log scale), as a drag does. Returns the stop.
 */
export async function moveLogSlider(page, id, value, events = ['input', 'change']) {
  const stops = (await page.$eval(`#${id}`, (el) => el.dataset.stops)).split(',').map(Number);
  const d = (s) => Math.abs(Math.log(s) - Math.log(value));
  const i = stops.reduce((best, s, j) => (d(s) < d(stops[best]) ? j : best), 0);
  await moveSlider(page, id, i, events);
  return stops[i];
}

/** Sets an input/select value and fires `change` (a discrete control). */
export async function setControl(page, id, value) {
  await page.$eval(
    `#${id}`,
    (el, value) => {
      el.value = String(value);
      el.dispatchEvent(new Event('input', { bubbles: true }));
      el.dispatchEvent(new Event('change', { bubbles: true }));
    },
    value,
  );
}

/** Query parameters of a search string as a plain object. */
export function params(search) {
  return Object.fromEntries(new URLSearchParams(search.replace(/^\?/, '')));
}

// ---- added for oneshot / phase / exports / presets ----

let cliBin = null;

/** Builds the native CLI (`cargo build -p prefdyn-cli`) once per process; returns the binary. */
export function cliBinary() {
  if (cliBin) return cliBin;
  try {
    execFileSync('cargo', ['build', '-q', '-p', 'prefdyn-cli'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
  } catch (e) {
    throw new Error(`cargo build -p prefdyn-cli failed:\n${e.stderr || e.message}`);
  }
  const target = process.env.CARGO_TARGET_DIR ? resolve(ROOT, process.env.CARGO_TARGET_DIR) : join(ROOT, 'target');
  cliBin = join(target, 'debug', 'prefdyn');
  assert.ok(existsSync(cliBin), `CLI not found at ${cliBin}`);
  return cliBin;
}

/**
 * `prefdyn run QUERY --quiet` of the native CLI: `{query, results, phase}` where `phase` is
 * `{grid, rho}` when the query has `view=phase` (NaN → null, as on the page).
 */
export function cli(query) {
  const out = execFileSync(cliBinary(), ['run', query.replace(/^\?/, ''), '--quiet'], { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 << 20 });
  return JSON.parse(out);
}

/** Waits until `results().phase.done` (the grid and its ρ = 1 boundary are complete). */
export async function waitPhaseDone(page, timeout = 30000) {
  // The diagram starts when it is asked for: its section near the viewport (or a phase link).
  await page.evaluate(() => {
    const p = window.prefdyn.results().phase;
    if (!p.running && !p.done && !p.cancelled && !p.grid) document.getElementById('phase').scrollIntoView();
  });
  await page.waitForFunction(() => {
    const p = window.prefdyn.results().phase;
    return p && p.done && !p.running;
  }, null, { timeout, polling: 100 });
}

/**
 * Clicks `selector` and returns the download it starts: `{name, buffer, text}`. The page
 * makes downloads with an `<a download>` click on a Blob or data URL.
 */
export async function captureDownload(page, selector, timeout = 10000) {
  const [download] = await Promise.all([page.waitForEvent('download', { timeout }), page.click(selector)]);
  const failure = await download.failure();
  assert.equal(failure, null, `download from ${selector} failed: ${failure}`);
  const stream = await download.createReadStream();
  const chunks = [];
  for await (const c of stream) chunks.push(c);
  const buffer = Buffer.concat(chunks);
  return { name: download.suggestedFilename(), buffer, text: buffer.toString('utf8') };
}

/** Width and height of a PNG file; asserts the signature and the IHDR chunk. */
export function pngSize(buffer) {
  const magic = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  assert.ok(buffer.length > 33, `PNG too short (${buffer.length} bytes)`);
  assert.deepEqual([...buffer.subarray(0, 8)], magic, 'PNG signature');
  assert.equal(buffer.subarray(12, 16).toString('latin1'), 'IHDR', 'PNG starts with IHDR');
  return { width: buffer.readUInt32BE(16), height: buffer.readUInt32BE(20) };
}

/** Minimal CSV parser (quoted fields with "" escapes, no embedded newlines): rows of strings. */
export function parseCsv(text) {
  return text
    .split('\n')
    .filter((l) => l.length > 0)
    .map((line) => {
      const out = [];
      let cur = '';
      let quoted = false;
      for (let i = 0; i < line.length; i++) {
        const ch = line[i];
        if (quoted) {
          if (ch === '"' && line[i + 1] === '"') {
            cur += '"';
            i++;
          } else if (ch === '"') quoted = false;
          else cur += ch;
        } else if (ch === '"') quoted = true;
        else if (ch === ',') {
          out.push(cur);
          cur = '';
        } else cur += ch;
      }
      out.push(cur);
      return out;
    });
}

/** Parses a CSV number the way Rust prints f64 (`NaN`, `inf`, `-inf` included). */
export function csvNumber(s) {
  if (s === 'NaN') return NaN;
  if (s === 'inf') return Infinity;
  if (s === '-inf') return -Infinity;
  const v = Number(s);
  assert.ok(s.trim() !== '' && !Number.isNaN(v), `not a number in the CSV: "${s}"`);
  return v;
}

/**
 * The phase heatmap's plot area in CSS pixels relative to `#chart-phase`, found through the
 * page's own hit test: the mouse is moved over the canvas and `#phase-hover` tells whether
 * a cell is under it. Returns `{left, top, right, bottom, cellW, cellH, nx, ny}`.
 */
export async function phasePlotRect(page) {
  const box = await page.$eval('#chart-phase', (c) => {
    c.scrollIntoView({ block: 'center' });
    const r = c.getBoundingClientRect();
    return { x: r.x, y: r.y, w: r.width, h: r.height };
  });
  const { nx, ny } = await page.evaluate(() => window.prefdyn.results().phase.grid);
  const hits = async (x, y) => {
    await page.$eval('#phase-hover', (el) => {
      el.textContent = '';
    });
    await page.mouse.move(box.x + x, box.y + y);
    return page.$eval('#phase-hover', (el) => el.textContent.length > 0);
  };
  // A point inside: the canvas centre is inside the plot for every layout in use.
  const [cx, cy] = [box.w / 2, box.h / 2];
  assert.ok(await hits(cx, cy), 'the centre of #chart-phase is over a cell (hover shows its numbers)');
  // Binary search for each edge between an outside point and the inside point (0.25 px).
  const edge = async (outside, inside, probe) => {
    let [o, i] = [outside, inside];
    while (Math.abs(i - o) > 0.25) {
      const m = (o + i) / 2;
      if (await probe(m)) i = m;
      else o = m;
    }
    return i;
  };
  const left = await edge(0, cx, (x) => hits(x, cy));
  const right = await edge(box.w - 0.5, cx, (x) => hits(x, cy));
  const top = await edge(0, cy, (y) => hits(cx, y));
  const bottom = await edge(box.h - 0.5, cy, (y) => hits(cx, y));
  await page.mouse.move(0, 0);
  return { left, top, right, bottom, cellW: (right - left) / nx, cellH: (bottom - top) / ny, nx, ny };
}

/**
 * Viewport position of the centre of phase cell (ix, iy) (iy grows upwards) for
 * `page.mouse`, after scrolling `#chart-phase` into view. `rect` is from `phasePlotRect`.
 */
export async function phaseCellPoint(page, rect, ix, iy) {
  const box = await page.$eval('#chart-phase', (c) => {
    c.scrollIntoView({ block: 'center' });
    const r = c.getBoundingClientRect();
    return { x: r.x, y: r.y };
  });
  return {
    x: box.x + rect.left + (ix + 0.5) * rect.cellW,
    y: box.y + rect.top + (rect.ny - 1 - iy + 0.5) * rect.cellH,
  };
}

/** Number of pixels of canvas `id` within `tol` (per channel) of each `[r, g, b]` colour. */
export async function colourCounts(page, id, colours, tol = 6) {
  return page.evaluate(([id, colours, tol]) => {
    const c = document.getElementById(id);
    const { data } = c.getContext('2d').getImageData(0, 0, c.width, c.height);
    const counts = colours.map(() => 0);
    for (let p = 0; p < data.length; p += 4) {
      colours.forEach((col, i) => {
        if (Math.abs(data[p] - col[0]) <= tol && Math.abs(data[p + 1] - col[1]) <= tol && Math.abs(data[p + 2] - col[2]) <= tol) counts[i]++;
      });
    }
    return counts;
  }, [id, colours, tol]);
}

/**
 * The paper presets of `crates/prefdyn-paper/src/figures.rs`: `[{id, figure, query, claim}]`
 * in order; `claim` is `{kind, who}` (`Settles`, `Oscillates`, `ConcentratesOn`,
 * `CollapsesOnto`) or null.
 */
export function figurePresets() {
  const src = readFileSync(join(ROOT, 'crates', 'prefdyn-paper', 'src', 'figures.rs'), 'utf8');
  const re = /id:\s*"([^"]+)",\s*figure:\s*"([^"]+)",[\s\S]*?query:\s*"([^"]+)",[\s\S]*?claim:\s*(None|Some\(Claim::(\w+)(?:\("([^"]+)"\))?\))/g;
  return [...src.matchAll(re)].map((m) => ({
    id: m[1], figure: m[2], query: m[3], claim: m[5] ? { kind: m[5], who: m[6] ?? null } : null,
  }));
}

/**
 * Whether the page's verdict (`#verdict`: its `data-verdict` word and its text) says what a
 * claim says; returns a reason when it does not.
 */
export async function verdictAgrees(page, claim) {
  const { word, text } = await page.$eval('#verdict', (el) => ({ word: el.getAttribute('data-verdict'), text: el.textContent }));
  const ok = {
    Settles: () => ['converged', 'converging'].includes(word) && !/concentrated/.test(text),
    Oscillates: () => word === 'oscillating',
    ConcentratesOn: () => ['converged', 'converging'].includes(word) && text.includes(`concentrated on ${claim.who} (`),
    CollapsesOnto: () => word === 'collapsed' && text.includes(`collapsed onto ${claim.who}`),
  }[claim.kind]();
  return ok ? null : `${claim.kind}${claim.who ? ` ${claim.who}` : ''} but the page says "${text}"`;
}
