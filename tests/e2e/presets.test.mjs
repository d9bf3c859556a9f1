// The paper's figures (#figure-list): each button loads its preset (canonical URL, no
// console errors, the engine's numbers) and shows the captioned behaviour.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  TOL, closeClean, compareResults, engine, engineBinary, figurePresets, openPage, pageNumbers, startSite, waitFiniteDone, waitPhaseDone,
} from './helpers.mjs';

let site;
let h;
const FIGS = figurePresets().filter((f) => !f.id.endsWith('paper'));
/** Figures 3 and 4 at the paper's scale (`PAPER_SCALE`), offered beside them. */
const PAPER = figurePresets().filter((f) => f.id.endsWith('paper'));
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

test('figures.rs and #figure-list agree: one button per preset, in order; Figures 1 and 2 as triptychs', async () => {
  assert.deepEqual(FIGS.map((f) => f.id), ['fig1a', 'fig1b', 'fig1c', 'fig1map', 'fig2a', 'fig2b', 'fig2c', 'fig3', 'fig4', 'fig5', 'arena', 'finite1', 'finite2', 'fig1', 'fig2']);
  // The triptychs stand where their first panel was; each panel has its own small button.
  const listed = ['fig1', 'fig1map', 'fig2', 'fig3', 'fig4', 'fig5', 'arena', 'finite1', 'finite2'].map((id) => FIGS.find((f) => f.id === id));
  const buttons = await h.page.$$eval('#figure-list button:not(.paper-scale):not(.panel)', (bs) => bs.map((b) => ({ query: b.dataset.query, text: b.textContent })));
  assert.deepEqual(buttons.map((b) => b.query), listed.map((f) => f.query), 'data-query of each button');
  listed.forEach((f, i) => assert.ok(buttons[i].text.startsWith(f.figure), `button ${i} "${buttons[i].text}" is ${f.figure}`));
  const panels = await h.page.$$eval('#figure-list button.panel', (bs) => bs.map((b) => b.dataset.query));
  const ids = ['fig1a', 'fig1b', 'fig1c', 'fig2a', 'fig2b', 'fig2c'];
  assert.deepEqual(panels, ids.map((id) => FIGS.find((f) => f.id === id).query), 'a button per panel');
  assert.deepEqual(PAPER.map((f) => f.id), ['fig3paper', 'fig4paper']);
  const paper = await h.page.$$eval('#figure-list button.paper-scale', (bs) => bs.map((b) => b.dataset.query));
  assert.deepEqual(paper, PAPER.map((f) => f.query), 'a paper-scale button beside Figures 3 and 4');
});

test('Figure 3 at paper scale: 118 matrices, T = 3,000; a first picture comes at once and Cancel stops it', async () => {
  const f = PAPER[0];
  await h.page.click(`#figure-list button[data-query="${f.query}"]`);
  await h.page.waitForFunction(() => {
    const p = window.prefdyn.results().phase;
    return p.first_picture_millis != null;
  }, null, { timeout: 20000, polling: 50 });
  const st = await pageNumbers(h.page);
  assert.equal(st.state.config.phase.ensemble.count, 118);
  assert.equal(st.state.config.phase.rounds, 3000);
  assert.equal(st.phase.running, true);
  const drawn = st.phase.grid.mean.filter((v) => v !== null).length;
  assert.ok(drawn >= 16, `the coarse lattice is computed (${drawn} cells)`);
  await h.page.click('#phase-cancel');
  const after = await pageNumbers(h.page);
  assert.equal(after.phase.running, false);
  assert.equal(after.phase.cancelled, true);
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
  if (/(^|&)N=/.test(f.query)) await waitFiniteDone(h.page);
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

for (const [id, panels] of [['fig1', ['fig1a', 'fig1b', 'fig1c']], ['fig2', ['fig2a', 'fig2b', 'fig2c']]]) {
  test(`${id} opens as a triptych whose runs are its panels`, async () => {
    const f = FIGS.find((x) => x.id === id);
    await h.page.click(`#figure-list button[data-query="${f.query}"]`);
    await h.page.waitForFunction((q) => location.search === `?${q}`, f.query, { timeout: 5000 });
    const runs = await h.page.evaluate(() => window.prefdyn.results().compare);
    assert.deepEqual(runs.map((r) => r.query), panels.map((p) => FIGS.find((x) => x.id === p).query));
    for (const [i, p] of panels.entries()) {
      const en = engine(FIGS.find((x) => x.id === p).query);
      const cmp = compareResults({ dynamics: runs[i].dynamics }, { dynamics: en.results.dynamics });
      assert.deepEqual(cmp.mismatches, [], `${p}: structure vs engine`);
      assert.ok(cmp.maxDiff <= TOL, `${p}: differs from the engine by ${cmp.maxDiff}`);
    }
    assert.equal(await h.page.locator('#compare-grid .compare-run').count(), 3);
  });
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

/** Where a sampled 1-D theory curve crosses 1 (linear interpolation), as an x value. */
const crossing = (xs, vs) => {
  for (let i = 1; i < vs.length; i++) {
    const [a, b] = [vs[i - 1] - 1, vs[i] - 1];
    if ((a < 0) !== (b < 0)) return xs[i - 1] + (xs[i] - xs[i - 1]) * a / (a - b);
  }
  return NaN;
};

test('fig1map: simulated oscillation follows the 3-cycle threshold α² + s²β²λ²/3 = 1', async (t) => {
  const { phase } = await open(t, 'fig1map', { phase: true });
  const g = phase.grid;
  const th = phase.theory;
  assert.deepEqual([g.nx, g.ny], [41, 41]);
  assert.ok(Math.abs(th.omega - 0.5 / Math.sqrt(3)) < 1e-12, `ω = ${th.omega}`);
  let agree = 0;
  let counted = 0;
  for (let iy = 0; iy < g.ny; iy++) {
    for (let ix = 0; ix < g.nx - 1; ix++) {
      const [alpha, bl] = [g.x_values[ix], g.y_values[iy]];
      const value = alpha * alpha + 0.25 * bl * bl / 3;
      if (Math.abs(value - 1) < 0.05) continue;
      counted++;
      if ((cell(g, ix, iy) === 1) === (value > 1)) agree++;
    }
  }
  t.diagnostic(`3-cycle threshold vs simulation: ${agree}/${counted} cells agree (|value − 1| ≥ 0.05, α < 1)`);
  assert.ok(counted > 1200 && agree === counted, `${agree}/${counted}`);
  assert.ok(th.contraction.some((v) => v < 1) && th.contraction.some((v) => v > 1), 'the contraction line crosses the plane');
});

test('fig3: on the synthetic cyclic ensemble the variance grows with α and βλ', async (t) => {
  const { phase, results } = await open(t, 'fig3', { phase: true });
  const g = phase.grid;
  assert.deepEqual([g.nx, g.ny], [21, 21]);
  assert.ok(g.mean.every(Number.isFinite), 'every cell computed');
  const [low, high] = [cell(g, 5, 0), cell(g, 15, 20)];
  t.diagnostic(`variance at (α 0.25, βλ 0.2) ${low}, at (0.75, 8) ${high} (×${(high / low).toExponential(2)}); ρ up to ${Math.max(...phase.rho.filter(Number.isFinite)).toFixed(3)}`);
  assert.ok(high > 1000 * low, `${high} > 1000 × ${low}`);
  assert.ok(phase.rho.some((r) => r > 1) && phase.rho.some((r) => r < 1), 'the ρ = 1 boundary crosses the grid');
  assert.ok(phase.theory.contraction.some((v) => v < 1), 'part of the plane is certainly stable');
  assert.match(await h.page.textContent('#phase-note'), /Synthetic by construction/, 'the synthetic ensemble says so');
  assert.equal(results.matrix.note, null);
});

test('fig4: the final entropy decreases from bottom-left to top-right', async (t) => {
  const { phase } = await open(t, 'fig4', { phase: true });
  const g = phase.grid;
  assert.deepEqual([g.nx, g.ny], [21, 21]);
  assert.ok(g.mean.every(Number.isFinite), 'every cell computed');
  const diag = Array.from({ length: g.nx }, (_, i) => cell(g, i, i));
  t.diagnostic(`entropy along the diagonal: ${diag.map((v) => v.toFixed(3)).join(' ')}`);
  assert.ok(diag.at(-1) < 0.1 && diag[0] > 1, `top-right ${diag.at(-1)}, bottom-left ${diag[0]}`);
  for (let i = 1; i < g.nx; i++) assert.ok(diag[i] <= diag[i - 1] + 1e-9, `diagonal: ${diag[i - 1]} → ${diag[i]} at ${i}`);
  assert.ok(cell(g, g.nx - 1, 0) < diag[0], 'larger α lowers the entropy');
  assert.ok(cell(g, 0, g.ny - 1) < diag[0], 'larger βλ lowers the entropy');
});

test('fig5: the variance jumps where α* = √(1 − (βλω)²) puts the onset, marked on the chart', async (t) => {
  const { phase } = await open(t, 'fig5', { phase: true });
  const g = phase.grid;
  const th = phase.theory;
  assert.deepEqual([g.nx, g.ny], [101, 1]);
  const star = Math.sqrt(1 - (1.6 * th.omega) ** 2);
  const marked = crossing(th.x_values, th.circulant_rho);
  t.diagnostic(`α* = ${star.toFixed(4)}; the closed form on the chart crosses 1 at ${marked.toFixed(4)}; ρ crosses at ${crossing(g.x_values, phase.rho).toFixed(4)}`);
  assert.ok(Math.abs(star - 0.8869) < 1e-3 && Math.abs(marked - star) < 1e-3);
  assert.ok(Math.abs(crossing(g.x_values, phase.rho) - star) < 0.01);
  g.x_values.forEach((a, i) => {
    if (a < star - 0.02) assert.ok(g.mean[i] < 1e-8, `V(${a}) = ${g.mean[i]}`);
    if (a > star + 0.02 && a < 1) assert.ok(g.mean[i] > 1e-3, `V(${a}) = ${g.mean[i]}`);
  });
});

test('arena: the policy concentrates on gpt-4 without oscillating', async (t) => {
  const { results } = await open(t, 'arena');
  const d = results.dynamics;
  const labels = results.matrix.labels;
  const top = d.final_policy.indexOf(Math.max(...d.final_policy));
  t.diagnostic(`arena: verdict ${d.verdict}, top ${labels[top]} with ${d.final_policy[top]}`);
  assert.notEqual(d.verdict, 'oscillating');
  assert.equal(labels[top], 'gpt-4');
  assert.ok(d.final_policy[top] > 0.95, `most mass on gpt-4 (${d.final_policy[top]})`);
});

test('finite1: every realisation oscillates, their mean path looks calm (V < 0.2× the runs\')', async (t) => {
  const pg = await open(t, 'finite1');
  const f = pg.results.finite;
  assert.equal(f.summary.oscillating, 32);
  assert.ok(f.summary.mean_path_variance < 0.2 * f.summary.variance.mean);
  const pop = pg.results.dynamics.variance;
  assert.ok(f.runs.every((r) => r.variance < 2 * pop && r.variance > pop / 2));
});

test('finite2: the population run collapses while the realisations end far apart', async (t) => {
  const pg = await open(t, 'finite2');
  assert.ok(pg.results.dynamics.final_entropy < 0.05);
  const h = pg.results.finite.summary.final_entropy;
  assert.ok(h.sd > 0.05 && h.max - h.min > 0.2, JSON.stringify(h));
  t.diagnostic(`finite2: population H ${pg.results.dynamics.final_entropy.toExponential(2)}; realisations H ${h.mean.toFixed(3)} ± ${h.sd.toFixed(3)} (${h.min.toFixed(3)} – ${h.max.toFixed(3)})`);
});
