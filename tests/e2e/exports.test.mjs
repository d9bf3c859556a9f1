// Exports: the trajectory CSV and the JSON carry the numbers the page shows (and the
// CLI writes), the PNGs are the canvases, the phase CSV is the grid.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import {
  Q, ROOT, captureDownload, cliBinary, closeClean, compareJson, csvNumber, engineView, openPage, pageNumbers, parseCsv,
  pngSize, startSite, waitPhaseDone,
} from './helpers.mjs';

let site;
before(async () => {
  cliBinary();
  site = await startSite();
});
after(async () => {
  await site?.close();
});

const entropy = (p) => -p.reduce((s, v) => s + (v > 0 ? v * Math.log(v) : 0), 0);

/** The CLI's CSV for a query (`prefdyn run QUERY --csv FILE`). */
function cliCsv(query) {
  const dir = mkdtempSync(join(tmpdir(), 'prefdyn-e2e-'));
  try {
    const file = join(dir, 'out.csv');
    execFileSync(cliBinary(), ['run', query, '--csv', file, '--quiet', '--json', join(dir, 'out.json')], { cwd: ROOT, encoding: 'utf8' });
    return readFileSync(file, 'utf8');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('trajectory CSV: header, one row per round, the final policy and entropies of results()', async (t) => {
  const h = await openPage(site, Q.cyclic);
  const pg = await pageNumbers(h.page);
  const d = pg.results.dynamics;
  const T = await h.page.evaluate(() => window.prefdyn.state().config.rounds);
  assert.equal(T, 200);
  const dl = await captureDownload(h.page, '#export-csv');
  assert.match(dl.name, /\.csv$/, `file name ${dl.name}`);
  const lines = dl.text.split('\n').filter((l) => l.length);
  assert.equal(lines.length, T + 2, `header + rounds 0..${T}: ${lines.length} lines`);
  const rows = parseCsv(dl.text);
  const labels = pg.results.matrix.labels;
  assert.deepEqual(rows[0], ['t', ...labels.map((l) => `pi(${l})`), 'entropy'], 'header');
  assert.equal(lines[0], `t,${labels.map((l) => `"pi(${l})"`).join(',')},entropy`, 'header text (quoted policy columns)');
  const k = labels.length;
  let maxEntropyDiff = 0;
  rows.slice(1).forEach((r, t) => {
    assert.equal(r.length, k + 2, `row ${t} has ${k + 2} fields`);
    assert.equal(Number(r[0]), t, 'round number');
    const pi = r.slice(1, k + 1).map(csvNumber);
    assert.ok(pi.every((v) => Number.isFinite(v) && v >= 0), `row ${t}: a policy`);
    assert.ok(Math.abs(pi.reduce((a, b) => a + b, 0) - 1) < 1e-9, `row ${t} sums to 1`);
    maxEntropyDiff = Math.max(maxEntropyDiff, Math.abs(csvNumber(r[k + 1]) - entropy(pi)));
  });
  const first = rows[1].slice(1, k + 1).map(csvNumber);
  const last = rows.at(-1).slice(1, k + 1).map(csvNumber);
  const lastCmp = compareJson(last, d.final_policy);
  const firstCmp = compareJson(first, d.pi0);
  t.diagnostic(`last row vs final_policy: ${lastCmp.maxDiff.toExponential(3)}; first row vs pi0: ${firstCmp.maxDiff.toExponential(3)}; entropy column vs H(row): ${maxEntropyDiff.toExponential(3)}`);
  assert.ok(lastCmp.maxDiff <= 1e-12, `last row = final_policy (${lastCmp.maxDiff})`);
  assert.ok(firstCmp.maxDiff <= 1e-12, `row 0 = π₀ (${firstCmp.maxDiff})`);
  assert.ok(maxEntropyDiff <= 1e-12, `entropy column = H(π_t) (${maxEntropyDiff})`);
  assert.ok(Math.abs(csvNumber(rows.at(-1)[k + 1]) - d.final_entropy) <= 1e-12, 'last entropy = final_entropy');
  // The CLI writes the same CSV for the same link (wasm vs native: last bits only).
  const ref = parseCsv(cliCsv(pg.query));
  assert.deepEqual(ref[0], rows[0], 'the CLI’s header');
  assert.equal(ref.length, rows.length, 'the CLI’s row count');
  const num = (r) => r.map(csvNumber).map((v) => (Number.isNaN(v) ? null : v)); // NaN: no fixed point (α = 1)
  const cmp = compareJson(rows.slice(1).map(num), ref.slice(1).map(num));
  t.diagnostic(`page CSV vs CLI CSV: max diff ${cmp.maxDiff.toExponential(3)} (${cmp.maxPath})`);
  assert.ok(cmp.maxDiff <= 1e-9, `page CSV vs CLI CSV differ by ${cmp.maxDiff} at ${cmp.maxPath}`);
  await closeClean(h);
});

test('JSON export: {query: state().query, config, results ≈ results()}', async (t) => {
  const h = await openPage(site, Q.preset);
  const state = await h.page.evaluate(() => window.prefdyn.state());
  const dl = await captureDownload(h.page, '#export-json');
  assert.match(dl.name, /\.json$/, `file name ${dl.name}`);
  const doc = JSON.parse(dl.text);
  const results = await h.page.evaluate(() => window.prefdyn.results());
  assert.equal(doc.query, state.query, 'query = state().query');
  assert.deepEqual(doc.config, state.config, 'config = state().config');
  assert.ok(doc.results && doc.results.phase, 'the results carry the phase state too');
  const cmp = compareJson(engineView(doc.results), engineView(results));
  t.diagnostic(`JSON results vs results(): max diff ${cmp.maxDiff} over ${JSON.stringify(engineView(results)).length} chars`);
  assert.deepEqual(cmp.mismatches, [], 'same structure');
  assert.ok(cmp.maxDiff <= 1e-12, `numbers differ by ${cmp.maxDiff} at ${cmp.maxPath}`);
  assert.ok(doc.results.dynamics.final_policy.length === 5, 'the dynamics are there');
  // The one-shot and phase sections offer the same document.
  for (const id of ['#export-oneshot-json', '#export-phase-json']) {
    const other = JSON.parse((await captureDownload(h.page, id)).text);
    assert.equal(other.query, state.query, `${id}: query`);
    assert.deepEqual(other.results.one_shot, doc.results.one_shot, `${id}: one_shot`);
  }
  await closeClean(h);
});

/** Decodes `png` in the page and counts pixels that differ from canvas `id` now. */
async function pngVsCanvas(page, id, png) {
  return page.evaluate(async ([id, b64]) => {
    const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    const bmp = await createImageBitmap(new Blob([bytes], { type: 'image/png' }));
    const c = document.getElementById(id);
    const off = document.createElement('canvas');
    off.width = bmp.width;
    off.height = bmp.height;
    const ctx = off.getContext('2d');
    ctx.drawImage(bmp, 0, 0);
    const a = ctx.getImageData(0, 0, off.width, off.height).data;
    const b = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    if (a.length !== b.length) return { differing: -1, distinct: 0 };
    let differing = 0;
    const colours = new Set();
    for (let i = 0; i < a.length; i += 4) {
      if (Math.abs(a[i] - b[i]) + Math.abs(a[i + 1] - b[i + 1]) + Math.abs(a[i + 2] - b[i + 2]) + Math.abs(a[i + 3] - b[i + 3]) > 8) differing++;
      if (colours.size < 1000) colours.add((a[i] << 16) | (a[i + 1] << 8) | a[i + 2]);
    }
    return { differing, share: differing / (a.length / 4), distinct: colours.size };
  }, [id, png.toString('base64')]);
}

test('PNG exports are the canvases (policy, one-shot, phase, matrix) at their backing size', async (t) => {
  const h = await openPage(site, `${Q.cyclic}&nx=10&ny=8&en=2&pT=50`, { deviceScaleFactor: 2 });
  await waitPhaseDone(h.page);
  for (const [button, canvas] of [
    ['#export-policy-png', 'chart-policy'],
    ['#export-oneshot-png', 'chart-oneshot'],
    ['#export-phase-png', 'chart-phase'],
    ['#export-matrix-png', 'chart-matrix'],
  ]) {
    const dl = await captureDownload(h.page, button);
    const size = pngSize(dl.buffer);
    const c = await h.page.$eval(`#${canvas}`, (el) => ({ w: el.width, h: el.height, cssW: el.getBoundingClientRect().width }));
    t.diagnostic(`${button} → ${dl.name}: ${size.width}×${size.height} PNG (${dl.buffer.length} bytes); canvas ${c.w}×${c.h} (CSS width ${c.cssW})`);
    assert.match(dl.name, /\.png$/);
    assert.equal(size.width, c.w, `${button}: PNG width = canvas width`);
    assert.equal(size.height, c.h, `${button}: PNG height = canvas height`);
    assert.ok(c.w >= 1.9 * c.cssW, `${button}: exported at the device pixel ratio (${c.w} vs CSS ${c.cssW})`);
    const diff = await pngVsCanvas(h.page, canvas, dl.buffer);
    assert.ok(diff.distinct >= 8, `${button}: the PNG has a drawn chart (${diff.distinct} colours)`);
    assert.equal(diff.differing, 0, `${button}: the PNG shows the canvas (${diff.differing} pixels differ)`);
  }
  await closeClean(h);
});

test('phase CSV: header, nx·ny rows equal to the grid and ρ', async (t) => {
  const q = 'v=2&view=phase&nx=12&ny=10&en=4&pT=100';
  const h = await openPage(site, q);
  await waitPhaseDone(h.page);
  const { phase } = await pageNumbers(h.page);
  const g = phase.grid;
  const dl = await captureDownload(h.page, '#export-phase-csv');
  assert.match(dl.name, /\.csv$/);
  const rows = parseCsv(dl.text);
  assert.deepEqual(rows[0], ['alpha', 'betalam', 'mean', 'sd', 'rho'], 'header XAXIS,YAXIS,mean,sd,rho');
  assert.equal(rows.length - 1, g.nx * g.ny, `${g.nx}·${g.ny} data rows`);
  let maxDiff = 0;
  for (let iy = 0; iy < g.ny; iy++) {
    for (let ix = 0; ix < g.nx; ix++) {
      const i = iy * g.nx + ix;
      const r = rows[1 + i].map(csvNumber);
      const want = [g.x_values[ix], g.y_values[iy], g.mean[i], g.sd[i], phase.rho[i]];
      r.forEach((v, j) => {
        // ρ is NaN in the CSV and null in JSON where α = 1 (no fixed point).
        if (want[j] === null && Number.isNaN(v)) return;
        maxDiff = Math.max(maxDiff, Math.abs(v - want[j]));
      });
    }
  }
  t.diagnostic(`phase CSV vs results().phase: max diff ${maxDiff}`);
  assert.ok(maxDiff <= 1e-12, `phase CSV differs from the grid by ${maxDiff}`);
  // The CLI's phase CSV for the same link.
  const ref = parseCsv(cliCsv(q));
  const num = (r) => r.map(csvNumber).map((v) => (Number.isNaN(v) ? null : v)); // NaN: no fixed point (α = 1)
  const cmp = compareJson(rows.slice(1).map(num), ref.slice(1).map(num));
  t.diagnostic(`page phase CSV vs CLI: max diff ${cmp.maxDiff.toExponential(3)}`);
  assert.deepEqual(ref[0], rows[0]);
  assert.deepEqual(cmp.mismatches, []);
  assert.ok(cmp.maxDiff <= 1e-9);
  await closeClean(h);
});
