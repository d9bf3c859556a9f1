// The one-shot section: each sampling strategy's optimum and ranking properties equal the
// engine's, the table shows them, DPO without a finite optimum is explained (never NaN),
// and the maximal lottery in the diagnostics is the engine's.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  TOL, allNumbers, assertDrawn, canvasStats, closeClean, colourCounts, compareJson, compareResults, engine,
  engineBinary, openPage, pageNumbers, params, setControl, sig, startSite,
} from './helpers.mjs';

let site;
before(async () => {
  engineBinary();
  site = await startSite();
});
after(async () => {
  await site?.close();
});

/** prefdyn::charts::series_colour for responses A, B, C (Tableau 10). */
const SERIES = [[31, 119, 180], [255, 127, 14], [44, 160, 44]];

const CONFIGS = {
  random: 'gen=random&k=6&seed=4&ob=3',
  preset: 'preset=llmfao_crowd_9&ob=2&eps=0.1',
};

/** The one-shot table's body rows as `{label, cells[], head[]}` (`head`: the column titles). */
async function tableRows(page) {
  return page.$$eval('#oneshot-table tbody tr', (trs) => trs.map((tr) => ({
    label: tr.querySelector('th').textContent,
    cells: [...tr.querySelectorAll('td')].map((td) => td.textContent),
    head: [...document.querySelectorAll('#oneshot-table thead th')].slice(1).map((th) => th.textContent),
  })));
}

/**
 * Checks the table against the engine's one-shot reports: the top response with its mass
 * (or the tie), the Borda and Condorcet winners' masses when they differ, the properties
 * and the entropy, each as the page writes numbers (3 significant digits).
 */
function assertTable(label, rows, oneShot, labels, diagnostics) {
  const yesNo = (b) => (b ? 'yes' : 'no');
  assert.equal(rows.length, oneShot.length, `${label}: one table row per strategy`);
  const { borda_winner: bw, condorcet_winner: cw } = diagnostics;
  const winners = bw !== null && cw !== null && bw !== cw ? [bw, cw] : [];
  oneShot.forEach((r, i) => {
    const row = rows[i];
    const p = r.properties;
    const col = (title) => row.cells[row.head.findIndex((h) => h.startsWith(title))];
    assert.equal(row.label, r.label, `${label}: row ${i} strategy`);
    const top = p.top_tie.length > 1
      ? `tie: ${p.top_tie.map((j) => labels[j]).join(', ')} (${sig(r.policy[p.top])} each)`
      : `${labels[p.top]} (${sig(r.policy[p.top])})`;
    assert.equal(col('top response'), top, `${label} / ${r.label}: top response`);
    assert.deepEqual(row.head.filter((h) => / winner /.test(h)), winners.length ? [`Borda winner ${labels[bw]}`, `Condorcet winner ${labels[cw]}`] : []);
    winners.forEach((w, j) => assert.equal(row.cells[1 + j], sig(r.policy[w]), `${label} / ${r.label}: ${labels[w]}`));
    const condorcet = p.condorcet_consistent === null ? 'no Condorcet winner' : yesNo(p.condorcet_consistent);
    assert.equal(col('Condorcet-consistent'), condorcet, `${label} / ${r.label}: Condorcet-consistent`);
    assert.equal(col('top in Smith'), yesNo(p.top_in_smith), `${label} / ${r.label}: top in Smith set`);
    assert.equal(col('Smith set on top'), yesNo(p.smith_on_top), `${label} / ${r.label}: Smith set on top`);
    assert.equal(col('entropy'), sig(p.entropy), `${label} / ${r.label}: entropy`);
  });
}

for (const [name, query] of Object.entries(CONFIGS)) {
  test(`one-shot policies and properties equal the engine's: ?${query}`, async (t) => {
    const h = await openPage(site, query);
    const pg = await pageNumbers(h.page);
    const en = engine(query);
    assert.deepEqual(en.issues, [], 'a valid configuration');
    assert.equal(pg.query, en.query, 'canonical query');
    const ps = pg.results.one_shot;
    const es = en.results.one_shot;
    assert.ok(es.length >= 4, `the engine reports ${es.length} strategies`);
    assert.deepEqual(ps.map((r) => r.label), es.map((r) => r.label), 'the same strategies in the same order');
    const cmp = compareResults({ one_shot: ps }, { one_shot: es });
    if (cmp.ties.length) t.diagnostic(cmp.ties.join('; '));
    t.diagnostic(`${name}: ${ps.length} strategies; max |page − engine| over one_shot = ${cmp.maxDiff.toExponential(3)} (${cmp.maxPath})`);
    assert.deepEqual(cmp.mismatches, [], 'one_shot structure and properties');
    assert.ok(cmp.maxDiff <= TOL, `one_shot differs by ${cmp.maxDiff} at ${cmp.maxPath}`);
    // The configuration reached the controls, and the strategies differ (so the comparison
    // is not of identical uniform vectors).
    const u = params(`?${en.query}`);
    // β spans orders of magnitude: its slider stops at round values and shows β beside it.
    if (u.ob) {
      assert.equal(await h.page.inputValue('#ob-num'), u.ob, '#ob-num shows the link’s β');
      const { value, stops } = await h.page.$eval('#ob', (el) => ({ value: Number(el.value), stops: el.dataset.stops.split(',').map(Number) }));
      assert.equal(stops[value], Number(u.ob), '#ob stands at the stop of the link’s β');
    }
    if (u.eps) assert.equal(await h.page.$eval('#eps', (el) => el.value), u.eps, '#eps shows the link’s ε');
    const ml = es.find((r) => r.strategy.kind === 'maximal_lottery_mix');
    const uni = es.find((r) => r.strategy.kind === 'uniform');
    assert.ok(compareJson(ml.policy, uni.policy).maxDiff > 1e-3, 'ML-mix and uniform sampling give different optima');
    // Table.
    assertTable(name, await tableRows(h.page), es, en.results.matrix.labels, en.results.matrix.diagnostics);
    assertDrawn(await canvasStats(h.page, 'chart-oneshot'));
    // The maximal lottery in the diagnostics.
    const mlPage = pg.results.matrix.diagnostics.maximal_lottery;
    const mlEngine = en.results.matrix.diagnostics.maximal_lottery;
    assert.ok(Array.isArray(mlEngine), 'the engine has a maximal lottery');
    const mlCmp = compareJson(mlPage, mlEngine);
    t.diagnostic(`${name}: maximal lottery max |page − engine| = ${mlCmp.maxDiff.toExponential(3)}`);
    assert.deepEqual(mlCmp.mismatches, []);
    assert.ok(mlCmp.maxDiff <= TOL, `maximal lottery differs by ${mlCmp.maxDiff}`);
    const shown = await h.page.textContent('#diag-ml');
    const labels = en.results.matrix.labels;
    const expected = mlEngine.map((p, i) => [labels[i], p]).filter(([, p]) => p > 1e-9);
    for (const [l, p] of expected) {
      const idx = shown.indexOf(`${l} `);
      assert.ok(idx >= 0, `#diag-ml names ${l}: "${shown}"`);
      const v = Number(shown.slice(idx + l.length + 1).split(',')[0]);
      assert.ok(Math.abs(v - p) <= 5e-4 + 1e-12, `#diag-ml ${l} ${v} vs ${p}`);
    }
    assert.equal(shown.split(', ').length, expected.length, `#diag-ml lists the ${expected.length} responses with mass: "${shown}"`);
    await closeClean(h);
  });
}

test('DPO on a deterministic-dominance matrix: the note names A, no NaN, the limit puts all mass on A', async (t) => {
  const query = 'k=3&P=1,1,0.5';
  const h = await openPage(site, query);
  const note = async () => h.page.$eval('#dpo-note', (el) => ({ hidden: el.hidden, display: getComputedStyle(el).display, text: el.textContent }));
  assert.equal((await note()).hidden, true, 'no DPO note under IPO');
  const ipo = await pageNumbers(h.page);
  const [blueIpo, orangeIpo, greenIpo] = await colourCounts(h.page, 'chart-oneshot', SERIES, 4);
  await setControl(h.page, 'os', 'dpo');
  const dpo = await pageNumbers(h.page);
  assert.equal(params(dpo.search).os, 'dpo', `the URL records the switch: ${dpo.search}`);
  const en = engine(dpo.search);
  assert.deepEqual(en.issues, []);
  assert.equal(dpo.query, en.query);
  // The note.
  const n = await note();
  assert.equal(n.hidden, false, '#dpo-note shown');
  assert.notEqual(n.display, 'none', '#dpo-note displayed');
  assert.match(n.text, /no finite optimum/i, `#dpo-note explains: ${n.text}`);
  assert.match(n.text, /\bA\b/, `#dpo-note names A: ${n.text}`);
  assert.doesNotMatch(n.text, /\b[BC]\b/, `#dpo-note names only A: ${n.text}`);
  t.diagnostic(`#dpo-note: ${n.text}`);
  // Numbers: finite, the limit policy, equal to the engine.
  const os = dpo.results.one_shot;
  assert.ok(os.length >= 4);
  for (const r of os) {
    assert.ok(r.policy.every((v) => typeof v === 'number' && Number.isFinite(v)), `${r.label}: finite policy ${JSON.stringify(r.policy)}`);
    assert.ok(Math.abs(r.policy[0] - 1) <= 1e-12 && r.policy[1] <= 1e-12 && r.policy[2] <= 1e-12, `${r.label}: all mass on A ${JSON.stringify(r.policy)}`);
    assert.equal(r.dpo && r.dpo.kind, 'no_finite_optimum', `${r.label}: DPO outcome`);
    assert.deepEqual(r.dpo.top_component, [0], `${r.label}: top component {A}`);
    assert.equal(r.properties.top, 0);
    assert.ok(Number.isFinite(r.properties.entropy) && Math.abs(r.properties.entropy) <= 1e-12, `${r.label}: entropy ${r.properties.entropy}`);
  }
  assert.ok(allNumbers(os.map((r) => [r.policy, r.mu, r.properties.entropy])).every(Number.isFinite), 'no NaN in the policies');
  const cmp = compareResults({ one_shot: os }, { one_shot: en.results.one_shot });
  t.diagnostic(`DPO one_shot max |page − engine| = ${cmp.maxDiff.toExponential(3)}`);
  assert.deepEqual(cmp.mismatches, []);
  assert.ok(cmp.maxDiff <= TOL);
  // The table and the chart: A at 1, no bars for B and C.
  const rows = await tableRows(h.page);
  assertTable('dpo', rows, en.results.one_shot, en.results.matrix.labels, en.results.matrix.diagnostics);
  assert.ok(rows.every((r) => r.cells[0] === 'A (1)'), `table tops: ${rows.map((r) => r.cells[0]).join(' | ')}`);
  assert.ok(rows.every((r) => !/NaN|inf/i.test(r.cells.join(' '))), 'no NaN in the table');
  assertDrawn(await canvasStats(h.page, 'chart-oneshot'));
  const [blue, orange, green] = await colourCounts(h.page, 'chart-oneshot', SERIES, 4);
  t.diagnostic(`bar pixels A/B/C: IPO ${blueIpo}/${orangeIpo}/${greenIpo}, DPO ${blue}/${orange}/${green}`);
  assert.ok(orangeIpo > 0.2 * blueIpo && greenIpo > 0.2 * blueIpo, 'under IPO, B and C have visible bars');
  assert.ok(blue > 1000, `DPO: A's bars are drawn (${blue} px)`);
  assert.ok(orange + green <= 0.02 * blue, `DPO: B and C have no bars (${orange + green} px vs ${blue} for A)`);
  // The maximal lottery is the Condorcet winner A, in both.
  assert.deepEqual(dpo.results.matrix.diagnostics.maximal_lottery, en.results.matrix.diagnostics.maximal_lottery);
  assert.ok(Math.abs(en.results.matrix.diagnostics.maximal_lottery[0] - 1) < 1e-12);
  assert.equal((await h.page.textContent('#diag-ml')).trim(), 'A 1');
  // Back to IPO: the note goes, the optimum is interior again.
  await setControl(h.page, 'os', 'ipo');
  // Below the fold the section is redrawn when the page is idle.
  await h.page.waitForFunction(() => document.getElementById('dpo-note').hidden, null, { timeout: 5000 }).catch(() => {});
  assert.equal((await note()).hidden, true, 'the note disappears under IPO');
  const back = await pageNumbers(h.page);
  assert.deepEqual(back.results.one_shot, ipo.results.one_shot, 'IPO numbers restored');
  await closeClean(h);
});
