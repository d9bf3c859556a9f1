// Accessibility: axe-core finds no serious or critical violation on the page, in an embed,
// in the tour, in dark mode and on a phone; every chart has a text alternative with its
// numbers, kept in sync, and its data as a table; the verdict is a live region.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import AxeBuilder from '@axe-core/playwright';
import { closeClean, openPage, pageNumbers, sig, startSite, waitPhaseDone } from './helpers.mjs';

let site;
before(async () => {
  site = await startSite();
});
after(async () => {
  await site?.close();
});

const PAGES = [
  ['the playground', '', {}],
  ['the tour', 'tour=2', {}],
  ['an embed at 600×400', 'v=2&embed=1', { viewport: { width: 600, height: 400 } }],
  ['a dark embed with its tour', 'tour=5&embed=1&theme=dark', { viewport: { width: 600, height: 400 } }],
  ['dark mode', 'v=2&theme=dark', {}],
  ['a phone', 'v=2&gen=random&k=5&seed=57', { viewport: { width: 375, height: 800 } }],
  ['the phase diagram, computed', 'v=2&view=phase&nx=12&ny=12&en=4', { phase: true }],
];

for (const [name, query, opts] of PAGES) {
  test(`axe: no serious or critical violations on ${name}`, async (t) => {
    const h = await openPage(site, query, opts);
    if (opts.phase) await waitPhaseDone(h.page, 60000);
    // Open every data table, so that their contents are checked too.
    await h.page.$$eval('details', (ds) => ds.forEach((d) => { d.open = true; }));
    await h.page.waitForFunction(() => document.querySelectorAll('#chart-policy-data tbody tr').length > 0);
    const r = await new AxeBuilder({ page: h.page }).analyze();
    for (const v of r.violations) t.diagnostic(`${v.impact} ${v.id} (${v.nodes.length}): ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}`);
    const bad = r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
    assert.deepEqual(bad.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`), []);
    assert.ok(r.passes.length > 20, `axe ran its rules (${r.passes.length} passed)`);
    await closeClean(h);
  });
}

test('every chart canvas has a text alternative with its numbers, kept in sync', async () => {
  const h = await openPage(site, 'v=2&gen=random&k=5&seed=57&alpha=0.5');
  const label = (id) => h.page.getAttribute(`#${id}`, 'aria-label');
  const pg = await pageNumbers(h.page);
  const d = pg.results.dynamics;
  const policy = await label('chart-policy');
  assert.ok(policy.includes(`E ${sig(d.final_policy[4])}`), policy);
  assert.ok(policy.includes(`ρ = ${sig(d.rho)}`), policy);
  assert.ok((await label('chart-entropy')).includes(`to ${sig(d.final_entropy)} nats`));
  assert.match(await label('chart-matrix'), /Condorcet winner E, Borda winner D/);
  const uniform = pg.results.one_shot[0];
  assert.ok((await label('chart-oneshot')).includes(`uniform puts D on top (${sig(uniform.policy[3])})`));
  // A change of α rewrites the sentence with the new numbers.
  await h.page.evaluate(() => window.prefdyn.setState({ alpha: 0.9 }));
  const after = await pageNumbers(h.page);
  const policy2 = await label('chart-policy');
  assert.notEqual(policy2, policy);
  assert.ok(policy2.includes(`ρ = ${sig(after.results.dynamics.rho)}`), policy2);
  assert.equal(await h.page.getAttribute('#verdict', 'role'), 'status');
  assert.equal(await h.page.getAttribute('#verdict', 'aria-live'), 'polite');
  await closeClean(h);
});

test('the data tables hold the charts\' numbers', async () => {
  const h = await openPage(site, 'v=2&gen=random&k=5&seed=57&T=300');
  const pg = await pageNumbers(h.page);
  // Folded tables are not built; unfolding one fills them.
  assert.equal(await h.page.$$eval('#chart-policy-data tr', (trs) => trs.length), 0, 'not built while folded');
  await h.page.$$eval('details.chart-data', (ds) => ds.forEach((d) => { d.open = true; }));
  await h.page.waitForFunction(() => document.querySelectorAll('#chart-matrix-data tbody tr').length === 5);
  const rows = (id) => h.page.$$eval(`#${id}-data tbody tr`, (trs) => trs.map((tr) => [...tr.cells].map((c) => c.textContent)));
  const policy = await rows('chart-policy');
  assert.equal(policy.length, 101, 'T = 300 is sampled to 101 rows');
  assert.equal(policy[0][0], '0');
  const last = policy.at(-1);
  assert.equal(last[0], '300');
  last.slice(1).forEach((v, i) => assert.equal(v, sig(pg.results.dynamics.final_policy[i], 4)));
  const matrix = await rows('chart-matrix');
  assert.equal(matrix.length, 5);
  assert.equal(matrix[4][0], 'E');
  assert.equal(matrix[4][1], sig(pg.results.matrix.P[4][0], 4));
  const oneshot = await rows('chart-oneshot');
  assert.equal(oneshot.length, pg.results.one_shot.length);
  assert.equal(oneshot[0][4], sig(pg.results.one_shot[0].policy[3], 4));
  await h.page.evaluate(() => window.prefdyn.setState('v=2&view=phase&nx=6&ny=5&en=2&pT=100'));
  await waitPhaseDone(h.page, 60000);
  const ph = (await pageNumbers(h.page)).phase;
  const cells = await rows('chart-phase');
  assert.equal(cells.length, 30);
  cells.forEach((c, i) => assert.equal(c[2], sig(ph.grid.mean[i], 4)));
  assert.match(await h.page.getAttribute('#chart-phase', 'aria-label'), /6×5 cells \(complete\)/);
  await closeClean(h);
});
