// The paper's figures (#figure-list): each button loads its preset (canonical URL, no
// console errors, the engine's numbers) and shows the captioned behaviour.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  TOL, closeClean, compareResults, engine, engineBinary, figurePresets, openPage, pageNumbers, startSite, waitPhaseDone,
} from './helpers.mjs';

let site;
let h;
const FIGS = figurePresets();
/** Numbers per figure id, for the comparisons between figures. */
const seen = {};

before(async () => {
  engineBinary();
  site = await startSite();
  h = await openPage(site, '');
});
after(async () => {
  if (h) await closeClean(h);
  await site?.close();
});

test('figures.rs and #figure-list agree: one button per preset, in order', async () => {
  assert.deepEqual(FIGS.map((f) => f.id), ['fig1a', 'fig1b', 'fig1c', 'fig2a', 'fig2b', 'fig2c', 'fig3', 'fig4', 'fig5', 'arena']);
  const buttons = await h.page.$$eval('#figure-list button', (bs) => bs.map((b) => ({ query: b.dataset.query, text: b.textContent })));
  assert.deepEqual(buttons.map((b) => b.query), FIGS.map((f) => f.query), 'data-query of each button');
  FIGS.forEach((f, i) => assert.ok(buttons[i].text.startsWith(f.figure), `button ${i} "${buttons[i].text}" is ${f.figure}`));
});

/** Clicks the figure's button; checks URL, console, engine; returns the page's numbers. */
async function open(t, id, { phase = false } = {}) {
  const f = FIGS.find((x) => x.id === id);
  const errors0 = h.log.errors.length + h.log.pageErrors.length;
  const en = engine(f.query);
  assert.deepEqual(en.issues, [], `${id}: the preset is a valid link`);
  await h.page.click(`#figure-list button[data-query="${f.query}"]`);
  await h.page.waitForFunction((q) => location.search === `?${q}`, en.query, { timeout: 5000 });
  if (phase) await waitPhaseDone(h.page, 60000);
  const pg = await pageNumbers(h.page);
  assert.equal(pg.search, `?${en.query}`, `${id}: the URL is the preset's canonical query`);
  assert.equal(pg.query, en.query);
  assert.deepEqual(pg.issues, [], `${id}: no messages`);
  assert.equal(await h.page.$eval('#messages', (el) => el.hidden), true, `${id}: #messages hidden`);
  const newErrors = [...h.log.errors, ...h.log.pageErrors].slice(errors0);
  assert.deepEqual(newErrors, [], `${id}: no console errors`);
  assert.equal(await h.page.evaluate(() => window.prefdyn.hasPanicked()), false);
  const cmp = compareResults(pg.results, en.results);
  assert.deepEqual(cmp.mismatches, [], `${id}: structure vs engine`);
  assert.ok(cmp.maxDiff <= TOL, `${id}: differs from the engine by ${cmp.maxDiff} at ${cmp.maxPath}`);
  seen[id] = pg;
  const d = pg.results.dynamics;
  t.diagnostic(`${id}: ${pg.search}; ${phase ? `phase ${pg.phase.grid.nx}×${pg.phase.grid.ny} in ${pg.phase.millis?.toFixed(0)} ms (boundary ${pg.phase.boundary_millis?.toFixed(0)} ms)` : `verdict ${d.verdict}, ρ ${d.rho}, final entropy ${d.final_entropy}`}; max |page − engine| ${cmp.maxDiff.toExponential(2)}`);
  return pg;
}

test('fig1a converges', async (t) => {
  const { results } = await open(t, 'fig1a');
  assert.equal(results.dynamics.verdict, 'converged');
  assert.ok(results.dynamics.rho < 1, `ρ = ${results.dynamics.rho} < 1`);
});

for (const id of ['fig1b', 'fig1c']) {
  test(`${id} oscillates with ρ > 1`, async (t) => {
    const { results } = await open(t, id);
    assert.equal(results.dynamics.verdict, 'oscillating');
    assert.ok(results.dynamics.rho > 1, `ρ = ${results.dynamics.rho} > 1`);
    assert.equal(await h.page.$eval('#verdict', (el) => el.getAttribute('data-verdict')), 'oscillating', '#verdict');
  });
}

test('fig2b and fig2c end with lower entropy than fig2a', async (t) => {
  const a = (await open(t, 'fig2a')).results.dynamics.final_entropy;
  const b = (await open(t, 'fig2b')).results.dynamics.final_entropy;
  const c = (await open(t, 'fig2c')).results.dynamics.final_entropy;
  t.diagnostic(`final entropy: fig2a ${a}, fig2b ${b}, fig2c ${c}`);
  assert.ok(b < a, `fig2b ${b} < fig2a ${a}`);
  assert.ok(c < a, `fig2c ${c} < fig2a ${a}`);
});

/** Mean of phase cell (ix, iy). */
const cell = (g, ix, iy) => g.mean[iy * g.nx + ix];

test('fig3: the variance at the top-right corner is > 10× the bottom-left', async (t) => {
  const { phase } = await open(t, 'fig3', { phase: true });
  const g = phase.grid;
  assert.deepEqual([g.nx, g.ny], [21, 21]);
  assert.ok(g.mean.every(Number.isFinite) && phase.rho.every(Number.isFinite), 'every cell computed');
  const [bl, tr] = [cell(g, 0, 0), cell(g, g.nx - 1, g.ny - 1)];
  t.diagnostic(`variance bottom-left ${bl}, top-right ${tr} (×${(tr / bl).toExponential(2)}); ρ from ${Math.min(...phase.rho).toFixed(3)} to ${Math.max(...phase.rho).toFixed(3)}`);
  assert.ok(tr > 10 * bl, `top-right ${tr} > 10 × bottom-left ${bl}`);
  assert.ok(phase.rho.some((r) => r > 1) && phase.rho.some((r) => r < 1), 'the ρ = 1 boundary crosses the grid');
});

test('fig4: the final entropy decreases from bottom-left to top-right', async (t) => {
  const { phase } = await open(t, 'fig4', { phase: true });
  const g = phase.grid;
  assert.deepEqual([g.nx, g.ny], [21, 21]);
  assert.ok(g.mean.every(Number.isFinite), 'every cell computed');
  const diag = Array.from({ length: g.nx }, (_, i) => cell(g, i, i));
  t.diagnostic(`entropy along the diagonal: ${diag.map((v) => v.toFixed(3)).join(' ')}`);
  assert.ok(diag.at(-1) < diag[0], `top-right ${diag.at(-1)} < bottom-left ${diag[0]}`);
  // Along the diagonal and along both edges from the bottom-left corner, it never rises.
  for (let i = 1; i < g.nx; i++) assert.ok(diag[i] <= diag[i - 1] + 1e-9, `diagonal: ${diag[i - 1]} → ${diag[i]} at ${i}`);
  assert.ok(cell(g, g.nx - 1, 0) < diag[0], 'larger α lowers the entropy');
  assert.ok(cell(g, 0, g.ny - 1) < diag[0], 'larger βλ lowers the entropy');
});

test('fig5: the variance at α = 1 exceeds that at α = 0', async (t) => {
  const { phase } = await open(t, 'fig5', { phase: true });
  const g = phase.grid;
  assert.deepEqual([g.nx, g.ny], [41, 1]);
  assert.equal(g.x_values[0], 0);
  assert.equal(g.x_values.at(-1), 1);
  const [v0, v1] = [g.mean[0], g.mean.at(-1)];
  t.diagnostic(`variance at α = 0: ${v0}, at α = 1: ${v1}`);
  assert.ok(v1 > v0, `V(α = 1) ${v1} > V(α = 0) ${v0}`);
});

test('arena: the policy concentrates on gpt-4 without oscillating', async (t) => {
  const { results } = await open(t, 'arena');
  const d = results.dynamics;
  const labels = results.matrix.labels;
  const top = d.final_policy.indexOf(Math.max(...d.final_policy));
  t.diagnostic(`arena: verdict ${d.verdict}, top ${labels[top]} with ${d.final_policy[top]}`);
  assert.equal(d.verdict, 'converged');
  assert.equal(labels[top], 'gpt-4');
  assert.ok(d.final_policy[top] > 0.5, `most mass on gpt-4 (${d.final_policy[top]})`);
});
