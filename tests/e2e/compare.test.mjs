// Comparisons (issue 18): a link with variants (`KEY.N`) shows one π_t chart per run on the
// same axes, each run's numbers are those of its own link (page and CLI, bit for bit), one
// Play moves every cursor, Back restores the previous set of variants, and the embed fits a
// blog column and a phone.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import AxeBuilder from '@axe-core/playwright';

import {
  startSite, openPage, closeClean, pageNumbers, canvasStats, assertDrawn, cli, compareJson,
  captureDownload, TOL, artifactsDir,
} from './helpers.mjs';
import { join } from 'node:path';

let site;
before(async () => { site = await startSite(); });
after(async () => { await site.close(); });

const FIG1 = 'v=2&alpha=0.5&beta=2&lam=0.8&T=100&alpha.2=0.95&beta.3=5';
/** IPO, DPO, finite samples and a variant with its own matrix in one link. */
const MIXED = 'v=2&alpha=0.5&beta=2&lam=0.8&T=60&solver.2=dpo&N.3=32&R.3=4&gen.4=sst&k.4=5&seed.4=2';

/** The runs' canvases, titles and verdicts as the page shows them. */
async function runs(page) {
  return page.evaluate(() => [...document.querySelectorAll('#compare-grid .compare-run')].map((f) => {
    const r = f.getBoundingClientRect();
    return {
      title: f.querySelector('.run-title').textContent,
      verdict: f.querySelector('.run-verdict').textContent,
      numbers: f.querySelector('.run-numbers').textContent,
      canvas: f.querySelector('canvas').id,
      box: { x: r.x, y: r.y, w: r.width, h: r.height },
    };
  }));
}

/** Types `value` into a variant's box and commits it (its `change`). */
async function setBox(page, variant, key, value) {
  const box = page.locator(`#compare-grid input[data-variant="${variant}"][data-key="${key}"]`);
  await box.fill(value);
  await box.dispatchEvent('change');
}

/** Every pixel of canvas `id` (as a plain array, for comparisons in node). */
async function pixels(page, id) {
  return page.evaluate((id) => {
    const c = document.getElementById(id);
    return { w: c.width, h: c.height, data: Array.from(c.getContext('2d').getImageData(0, 0, c.width, c.height).data) };
  }, id);
}

function differing(a, b) {
  if (a.w !== b.w || a.h !== b.h) return Infinity;
  let n = 0;
  for (let i = 0; i < a.data.length; i += 4) {
    if (a.data[i] !== b.data[i] || a.data[i + 1] !== b.data[i + 1] || a.data[i + 2] !== b.data[i + 2]) n++;
  }
  return n;
}

test('Figure 1 as one link: three runs side by side on shared axes, titled by what differs', async () => {
  const h = await openPage(site, FIG1);
  const { page } = h;
  const shown = await runs(page);
  assert.deepEqual(shown.map((r) => r.title), ['base', 'α = 0.95', 'β = 5']);
  assert.match(shown[0].verdict, /^converged/);
  assert.match(shown[1].verdict, /^oscillating/);
  assert.match(shown[2].verdict, /^oscillating/);
  for (const r of shown) assert.match(r.numbers, /ρ = [\d.]+ · α \+ \(βλ\/2\)‖S‖₂ = [\d.]+ · H\(π_T\) = .+ · V = /);
  // Side by side on a desktop: one row, equal widths.
  assert.equal(new Set(shown.map((r) => Math.round(r.box.y))).size, 1, JSON.stringify(shown.map((r) => r.box)));
  for (const r of shown) assertDrawn(await canvasStats(page, r.canvas));
  // Pixels differ between runs that differ.
  const px = await Promise.all(shown.map((r) => pixels(page, r.canvas)));
  for (const [a, b] of [[0, 1], [0, 2], [1, 2]]) {
    assert.ok(differing(px[a], px[b]) > 1000, `runs ${a + 1} and ${b + 1} look alike`);
  }
  // The single-run chart is hidden; the entropy chart has a line per run.
  assert.equal(await page.evaluate(() => getComputedStyle(document.querySelector('.hero-chart')).display), 'none');
  const ent = await canvasStats(page, 'chart-entropy');
  assertDrawn(ent);
  // Every run's trajectory is on the simplex, each in its colour (K = 3).
  const simplexColours = await page.evaluate(() => {
    const c = document.getElementById('chart-simplex');
    const { data } = c.getContext('2d').getImageData(0, 0, c.width, c.height);
    const want = [[128, 128, 128], [213, 94, 0], [0, 114, 178]];
    return want.map(([r, g, b]) => {
      let n = 0;
      for (let i = 0; i < data.length; i += 4) if (Math.abs(data[i] - r) + Math.abs(data[i + 1] - g) + Math.abs(data[i + 2] - b) < 30) n++;
      return n;
    });
  });
  for (const [i, n] of simplexColours.entries()) assert.ok(n > 20, `run ${i + 1}'s colour on the simplex: ${n} pixels`);
  await page.screenshot({ path: join(artifactsDir(), 'compare-fig1-1280x800.png') });
  await closeClean(h);
});

test('runs that are equal draw identical pixels', async () => {
  // The sampling seed does not change the population run: the two charts are the same.
  const h = await openPage(site, 'v=2&alpha=0.7&T=80&sseed.2=9');
  const shown = await runs(h.page);
  assert.equal(shown.length, 2);
  const [a, b] = await Promise.all(shown.map((r) => pixels(h.page, r.canvas)));
  assert.equal(differing(a, b), 0);
  assertDrawn(await canvasStats(h.page, shown[0].canvas));
  await closeClean(h);
});

test('each run equals its own link bit for bit, on the page and in the CLI (IPO, DPO, finite, another P)', async () => {
  const h = await openPage(site, MIXED);
  const { page } = h;
  await page.waitForFunction(() => !window.prefdyn.results().finite_progress.running, null, { timeout: 30000 });
  const mine = (await pageNumbers(page)).results.compare;
  assert.equal(mine.length, 4);
  assert.deepEqual(mine.map((r) => r.title), ['base', 'DPO', 'N = 32, R = 4', 'P: sst, K = 5, seed = 2']);
  assert.ok(mine[2].finite && mine[2].finite.runs.length === 4, 'the finite-sample variant has its realisations');
  assert.equal(mine[3].dynamics.final_policy.length, 5);
  const whole = cli(MIXED);
  assert.equal(whole.compare.length, 4);
  for (const [i, run] of mine.entries()) {
    // Its own link on its own page.
    const own = await openPage(site, run.query);
    await own.page.waitForFunction(() => !window.prefdyn.results().finite_progress.running, null, { timeout: 30000 });
    const alone = (await pageNumbers(own.page)).results;
    assert.equal(JSON.stringify(run.dynamics), JSON.stringify(alone.dynamics), `run ${i + 1}: dynamics`);
    assert.equal(JSON.stringify(run.finite), JSON.stringify(alone.finite), `run ${i + 1}: finite`);
    await closeClean(own);
    // In the CLI, the comparison's entry is its own link's output, bit for bit; the page
    // (wasm) and the CLI (native) agree within TOL (their exp and log round differently).
    const c = cli(run.query);
    assert.equal(whole.compare[i].query, run.query);
    const { title, ...entry } = whole.compare[i];
    assert.equal(title, run.title);
    assert.equal(JSON.stringify(entry), JSON.stringify(c), `run ${i + 1}: the CLI's comparison entry vs its own link`);
    for (const [part, ours, theirs] of [['dynamics', run.dynamics, c.results.dynamics], ['finite', run.finite, c.results.finite]]) {
      const d = compareJson(ours, theirs);
      assert.ok(d.maxDiff <= TOL, `run ${i + 1}: page vs CLI ${part} differ by ${d.maxDiff} at ${d.maxPath}`);
      assert.deepEqual(d.mismatches, [], `run ${i + 1}: page vs CLI ${part}`);
    }
  }
  await closeClean(h);
});

test('one Play moves every cursor; a base slider moves every run that does not override it', async () => {
  const h = await openPage(site, FIG1);
  const { page } = h;
  await page.click('#reset');
  const ids = (await runs(page)).map((r) => r.canvas);
  const at0 = await Promise.all(ids.map((id) => canvasStats(page, id)));
  await page.click('#play');
  await page.waitForFunction(() => /round (\d+)/.test(document.getElementById('round-out').textContent)
    && +/round (\d+)/.exec(document.getElementById('round-out').textContent)[1] >= 20, null, { timeout: 15000 });
  await page.click('#play');
  const later = await Promise.all(ids.map((id) => canvasStats(page, id)));
  for (const [i, s] of later.entries()) {
    assert.ok(s.nonBg > at0[i].nonBg, `run ${i + 1}'s chart did not advance with the cursor (${at0[i].nonBg} → ${s.nonBg})`);
  }
  // λ of the base moves all three runs; their titles stay what they override.
  await page.evaluate(() => {
    const el = document.getElementById('lam');
    el.value = '0.6';
    el.dispatchEvent(new Event('input', { bubbles: true }));
    el.dispatchEvent(new Event('change', { bubbles: true }));
  });
  const q = await page.evaluate(() => window.prefdyn.state().query);
  assert.equal(q, 'v=2&alpha=0.5&beta=2&lam=0.6&T=100&alpha.2=0.95&beta.3=5');
  const lams = await page.evaluate(() => window.prefdyn.results().compare.map((r) => new URLSearchParams(r.query).get('lam')));
  assert.deepEqual(lams, ['0.6', '0.6', '0.6']);
  await closeClean(h);
});

test('+ compare, a variant\'s box, remove, and Back restores the previous set of variants', async () => {
  const h = await openPage(site, 'v=2&alpha=0.5&beta=2&lam=0.8&T=100');
  const { page } = h;
  assert.equal(await page.isHidden('#compare'), true);
  await page.click('#compare-add');
  assert.equal((await runs(page)).length, 2, 'a draft run beside the base');
  assert.equal(await page.isDisabled('#compare-add'), true, 'one draft at a time');
  await setBox(page, 0, 'alpha', '0.95');
  await page.waitForFunction(() => window.prefdyn.state().query.endsWith('alpha.2=0.95'));
  await page.click('#compare-add');
  await setBox(page, 1, '*', 'solver=dpo&eta=0.5');
  await page.waitForFunction(() => window.prefdyn.state().query.endsWith('alpha.2=0.95&eta.3=0.5&solver.3=dpo'));
  assert.deepEqual((await runs(page)).map((r) => r.title), ['base', 'α = 0.95', 'η = 0.5, DPO']);
  // A bad value is named KEY.N and changes nothing.
  await setBox(page, 0, '*', 'beta=x');
  const issues = await page.evaluate(() => window.prefdyn.state().issues.map((i) => i.field));
  assert.ok(issues.includes('beta.2'), JSON.stringify(issues));
  assert.ok((await page.evaluate(() => window.prefdyn.state().query)).endsWith('alpha.2=0.95&eta.3=0.5&solver.3=dpo'));
  await page.click('#compare-grid button[data-remove="0"]');
  await page.waitForFunction(() => window.prefdyn.state().query.endsWith('&eta.2=0.5&solver.2=dpo'));
  assert.deepEqual((await runs(page)).map((r) => r.title), ['base', 'η = 0.5, DPO']);
  await page.goBack();
  await page.waitForFunction(() => window.prefdyn.state().query.includes('alpha.2='));
  const back = await runs(page);
  assert.equal(back.length, 3);
  assert.equal(back[1].title, 'α = 0.95');
  assert.ok((await page.evaluate(() => location.search)).includes('alpha.2=0.95'));
  await closeClean(h);
});

test('a variant on the phase diagram is a marker at its cell', async () => {
  const h = await openPage(site, 'v=2&view=phase&lam=0.8&nx=12&ny=12&ens=current&pT=100&alpha=0.2&alpha.2=0.8&beta.2=3');
  const { page } = h;
  await page.waitForFunction(() => window.prefdyn.results().phase.done, null, { timeout: 60000 });
  await page.waitForTimeout(300);
  const found = await page.evaluate(() => {
    const c = document.getElementById('chart-phase');
    const { data } = c.getContext('2d').getImageData(0, 0, c.width, c.height);
    const count = ([r, g, b]) => {
      let n = 0;
      for (let i = 0; i < data.length; i += 4) if (data[i] === r && data[i + 1] === g && data[i + 2] === b) n++;
      return n;
    };
    return [count([128, 128, 128]), count([213, 94, 0])];
  });
  assert.ok(found[0] > 30 && found[1] > 30, `markers in the runs' colours: ${found}`);
  await closeClean(h);
});

for (const width of [680, 375]) {
  test(`the embed of Figure 1 at ${width} px: no horizontal overflow, runs ${width > 600 ? 'side by side' : 'stacked'}`, async () => {
    const h = await openPage(site, `${FIG1}&embed=1`, { viewport: { width, height: 900 } });
    const { page } = h;
    const shown = await runs(page);
    assert.equal(shown.length, 3);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(overflow <= 0, `${overflow} px of horizontal overflow`);
    const rows = new Set(shown.map((r) => Math.round(r.box.y))).size;
    assert.equal(rows, width > 600 ? 1 : 3);
    for (const r of shown) {
      assert.ok(r.box.x >= 0 && r.box.x + r.box.w <= width + 0.5, `run box ${JSON.stringify(r.box)}`);
      assertDrawn(await canvasStats(page, r.canvas));
    }
    // No editing boxes in an embed.
    assert.equal(await page.locator('#compare-grid input').count(), 0);
    await page.screenshot({ path: join(artifactsDir(), `compare-embed-${width}.png`), fullPage: true });
    await closeClean(h);
  });
}

test('axe: no serious or critical violations on a comparison', async () => {
  const h = await openPage(site, FIG1);
  const r = await new AxeBuilder({ page: h.page }).analyze();
  const bad = r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.deepEqual(bad.map((v) => `${v.id}: ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}`), []);
  await closeClean(h);
});

test('CSV and JSON exports carry every run', async () => {
  const h = await openPage(site, FIG1);
  const { page } = h;
  const csv = (await captureDownload(page, '#export-csv')).text;
  const lines = csv.trim().split('\n');
  assert.equal(lines[0], 'run,query,t,series,value');
  const runsIn = new Set(lines.slice(1).map((l) => l.split(',')[0]));
  assert.deepEqual([...runsIn], ['1', '2', '3']);
  // 101 rounds × (3 responses + entropy) per run.
  assert.equal(lines.length - 1, 3 * 101 * 4);
  const doc = JSON.parse((await captureDownload(page, '#export-json')).text);
  assert.equal(doc.query, FIG1);
  assert.equal(doc.results.compare.length, 3);
  assert.deepEqual(doc.results.compare.map((r) => r.title), ['base', 'α = 0.95', 'β = 5']);
  await closeClean(h);
});
