// The page tells the paper's story at first sight: the dynamics first (chart, α β λ,
// verdict and theory, a compact P), exact values for every slider, a "new seed" button,
// and the guided tour (`tour=N`) whose every step is checked against the numbers it states.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  TOL, artifactsDir, closeClean, compareResults, engine, engineBinary, openPage, pageNumbers, params, startSite,
  waitFiniteDone, waitPhaseDone, waitReady,
} from './helpers.mjs';
import { join } from 'node:path';

let site;
before(async () => {
  engineBinary();
  site = await startSite();
});
after(async () => {
  await site?.close();
});

/** The rectangle of a selector, and whether it lies inside the first viewport. */
async function inFirstViewport(page, sel) {
  return page.$eval(sel, (el) => {
    const r = el.getBoundingClientRect();
    const shown = getComputedStyle(el).display !== 'none' && r.width > 0 && r.height > 0;
    return { top: r.top, bottom: r.bottom, shown, inside: shown && r.top >= 0 && r.bottom <= window.innerHeight };
  });
}

for (const [name, viewport, also] of [
  ['desktop 1280×800', { width: 1280, height: 800 }, ['#alpha', '#beta', '#lam', '#verdict', '#p-summary', '#theory']],
  ['phone 375×800', { width: 375, height: 800 }, ['#alpha', '#beta', '#lam', '#p-summary', '#verdict']],
]) {
  test(`first viewport (${name}): the π_t chart and the paper's controls, before any scrolling`, async (t) => {
    const h = await openPage(site, '', { viewport });
    for (const sel of ['#chart-policy', ...also]) {
      const r = await inFirstViewport(h.page, sel);
      t.diagnostic(`${sel}: ${r.top.toFixed(0)}–${r.bottom.toFixed(0)} px`);
      assert.ok(r.inside, `${sel} lies within the first ${viewport.height} px (${r.top}–${r.bottom})`);
    }
    assert.equal(await h.page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1), true, 'no horizontal overflow');
    await h.page.screenshot({ path: join(artifactsDir(), `first-viewport-${viewport.width}x${viewport.height}.png`) });
    await closeClean(h);
  });
}

test('the compact P names the matrix and its majority, and opens Preferences', async () => {
  const h = await openPage(site, 'v=2&gen=random&k=5&seed=57');
  const text = await h.page.textContent('#p-summary-text');
  assert.match(text, /Random P, K = 5/);
  assert.match(text, /Condorcet winner E/);
  const thumb = await h.page.$eval('#p-thumb', (c) => {
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    const set = new Set();
    for (let i = 0; i < d.length; i += 4) set.add(`${d[i]},${d[i + 1]},${d[i + 2]}`);
    return set.size;
  });
  assert.ok(thumb >= 6, `the thumbnail shows P's cells in several colours (${thumb})`);
  await h.page.click('#p-summary');
  await h.page.waitForFunction(() => Math.abs(document.getElementById('preferences').getBoundingClientRect().top) < 40);
  assert.equal(await h.page.evaluate(() => document.activeElement.id), 'source');
  await closeClean(h);
});

test('every slider has an exact-value box: typed values apply as links do, bad ones are named', async () => {
  const h = await openPage(site, 'v=2');
  const sliders = await h.page.$$eval('input[type=range]', (xs) => xs.map((x) => x.id));
  assert.ok(sliders.length >= 8, sliders.join(','));
  for (const id of sliders) {
    const box = await h.page.$(`#${id}-num`);
    assert.ok(box, `#${id}-num exists`);
    assert.equal(await box.getAttribute('data-field'), id);
  }
  await h.page.fill('#alpha-num', '0.437');
  await h.page.press('#alpha-num', 'Enter');
  await h.page.waitForFunction(() => window.prefdyn.state().config.params.alpha === 0.437);
  const pg = await pageNumbers(h.page);
  assert.equal(params(pg.search).alpha, '0.437');
  const eng = engine(pg.query);
  const cmp = compareResults(pg.results, eng.results);
  assert.ok(cmp.maxDiff <= TOL && cmp.mismatches.length === 0, JSON.stringify(cmp).slice(0, 400));
  // β over decades: the slider moves in log₁₀, the box takes the exact value.
  await h.page.fill('#beta-num', '2.345');
  await h.page.press('#beta-num', 'Enter');
  await h.page.waitForFunction(() => window.prefdyn.state().config.params.beta === 2.345);
  // Out of range: clamped and named, like the same value in a link.
  await h.page.fill('#lam-num', '7');
  await h.page.press('#lam-num', 'Enter');
  await h.page.waitForFunction(() => window.prefdyn.state().config.params.lam === 1);
  assert.match(await h.page.textContent('#messages'), /lam/);
  assert.equal(await h.page.inputValue('#lam-num'), '1');
  assert.equal(await h.page.inputValue('#alpha-num'), '0.437', 'nothing else was lost');
  await closeClean(h);
});

test('"new seed" draws fresh entropy into the link; the link reopens the same matrix', async () => {
  const h = await openPage(site, 'v=2&gen=random&k=5&seed=1');
  const before = await pageNumbers(h.page);
  await h.page.click('#seed-row .new-seed');
  await h.page.waitForFunction(() => window.prefdyn.state().config.matrix.seed !== 1);
  const first = await pageNumbers(h.page);
  await h.page.click('#seed-row .new-seed');
  await h.page.waitForFunction((s) => window.prefdyn.state().config.matrix.seed !== s, first.state.config.matrix.seed);
  const second = await pageNumbers(h.page);
  const seeds = [first, second].map((p) => Number(params(p.search).seed));
  assert.ok(seeds.every((s) => Number.isInteger(s) && s >= 0 && s < 2 ** 32), seeds.join(','));
  assert.notEqual(seeds[0], seeds[1], 'two draws differ');
  assert.notDeepEqual(second.results.matrix.P, before.results.matrix.P, 'a new matrix');
  assert.equal(await h.page.inputValue('#seed'), String(seeds[1]), 'the seed is shown');
  const again = await openPage(site, second.query);
  const reopened = await pageNumbers(again.page);
  assert.deepEqual(reopened.results.matrix, second.results.matrix, 'the link reopens the same P');
  await closeClean(again);
  await closeClean(h);
});

const near = (a, b, tol = 5e-4) => Math.abs(a - b) <= tol;
const oneShot = (r, label) => r.one_shot.find((o) => o.label.startsWith(label));

/** What each step says, checked on the page's own numbers. */
const CLAIMS = {
  1: (r) => {
    assert.equal(r.matrix.diagnostics.condorcet_winner, 4);
    assert.equal(r.matrix.diagnostics.borda_winner, 3);
    const u = oneShot(r, 'uniform');
    assert.equal(u.properties.top, 3);
    assert.ok(near(u.policy[3], 0.262) && near(u.policy[4], 0.249), JSON.stringify(u.policy));
  },
  2: (r) => {
    const ml = oneShot(r, 'maximal lottery');
    assert.equal(ml.properties.top, 4);
    assert.ok(near(ml.policy[4], 0.251) && near(ml.policy[3], 0.180), JSON.stringify(ml.policy));
  },
  3: (r) => {
    const u = oneShot(r, 'uniform');
    const on = oneShot(r, 'on-policy');
    assert.ok(near(on.policy[4], 0.705) && near(u.policy[4], 0.660));
    assert.ok(near(on.properties.entropy, 1.008) && near(u.properties.entropy, 1.049));
  },
  4: (r) => assert.ok(near(r.dynamics.rho, 0.586) && r.dynamics.verdict === 'converged', JSON.stringify(r.dynamics.rho)),
  5: (r) => assert.ok(near(r.dynamics.rho, 1.054) && near(r.dynamics.variance, 0.077) && r.dynamics.verdict === 'oscillating'),
  6: (r) => assert.ok(near(r.dynamics.rho, 1.12, 5e-3) && near(r.dynamics.theory.circulant.three_cycle.value, 1.58, 5e-3)),
  7: (r) => assert.ok(near(r.dynamics.final_entropy, 0.010), String(r.dynamics.final_entropy)),
  8: (r, phase) => {
    const s = r.dynamics.theory.skew_norm;
    const { nx, x_values: xs, y_values: ys, mean } = phase.grid;
    let below = 0;
    ys.forEach((bl, iy) => xs.forEach((a, ix) => {
      if (a + (bl / 2) * s < 1) {
        below++;
        assert.equal(mean[iy * nx + ix], 0, `α = ${a}, βλ = ${bl} is below the line and converges`);
      }
    }));
    assert.ok(below > 100, `${below} cells below the contraction line`);
  },
  9: (r) => {
    const f = r.finite.summary;
    assert.equal(f.oscillating, 32);
    assert.ok(f.mean_path_variance < 0.1 * f.variance.mean, `${f.mean_path_variance} vs ${f.variance.mean}`);
  },
};

for (let n = 1; n <= 9; n++) {
  test(`tour step ${n}: its link opens its configuration and the numbers its text states`, async (t) => {
    const h = await openPage(site, `tour=${n}`);
    if (n === 8) await waitPhaseDone(h.page, 60000);
    if (n === 9) await waitFiniteDone(h.page, 60000);
    const pg = await pageNumbers(h.page);
    assert.equal(pg.state.config.tour, n);
    assert.equal(params(pg.search).tour, String(n), 'the address names the step');
    assert.equal(await h.page.isVisible('#tour'), true);
    assert.match(await h.page.textContent('#tour-count'), new RegExp(`step ${n} of 9`));
    const text = await h.page.textContent('#tour-text');
    t.diagnostic(`${await h.page.textContent('#tour-title')}: ${text}`);
    // The panel sits just above the section it talks about.
    const next = await h.page.$eval('#tour', (el) => el.nextElementSibling.id);
    assert.equal(next, { preferences: 'preferences', one_shot: 'oneshot', dynamics: 'dynamics', phase: 'phase' }[pg.state.config.view]);
    CLAIMS[n](pg.results, pg.phase);
    await closeClean(h);
  });
}

test('tour navigation: buttons, n / p, arrows in the panel; the last step hands over', async () => {
  const h = await openPage(site, 'tour=1');
  const step = () => h.page.evaluate(() => window.prefdyn.state().config.tour);
  assert.equal(await h.page.isVisible('#tour-prev'), false, 'no previous on the first step');
  await h.page.click('#tour-next');
  assert.equal(await step(), 2);
  await h.page.keyboard.press('n');
  assert.equal(await step(), 3);
  await h.page.keyboard.press('p');
  assert.equal(await step(), 2);
  await h.page.focus('#tour-next');
  await h.page.keyboard.press('ArrowRight');
  assert.equal(await step(), 3);
  await h.page.goBack();
  await h.page.waitForFunction(() => window.prefdyn.state().config.tour === 2);
  const last = await openPage(site, 'tour=9');
  assert.match(await last.page.textContent('#tour-next'), /Explore on your own/);
  const q = (await pageNumbers(last.page)).query;
  await last.page.click('#tour-next');
  await last.page.waitForFunction(() => window.prefdyn.state().config.tour === 0);
  assert.equal(await last.page.isVisible('#tour'), false);
  const after = await pageNumbers(last.page);
  assert.equal(after.query, q.replace('&tour=9', ''), 'the configuration stays, the tour goes');
  await closeClean(last);
  await closeClean(h);
});

test('the tour works inside an embed, and its last step opens the full playground', async () => {
  const h = await openPage(site, 'tour=4&embed=1&theme=dark', { viewport: { width: 600, height: 400 } });
  assert.equal(await h.page.isVisible('#tour'), true);
  await h.page.click('#tour-next');
  const pg = await pageNumbers(h.page);
  assert.equal(pg.state.config.tour, 5);
  assert.equal(pg.state.config.embed, true, 'still an embed');
  assert.equal(pg.state.config.theme, 'dark', 'still dark');
  assert.ok(near(pg.results.dynamics.rho, 1.054));
  const nine = await openPage(site, 'tour=9&embed=1', { viewport: { width: 600, height: 400 } });
  await waitReady(nine.page);
  assert.match(await nine.page.textContent('#tour-next'), /full playground/);
  const [popup] = await Promise.all([nine.page.waitForEvent('popup'), nine.page.click('#tour-next')]);
  const u = new URL(popup.url());
  assert.equal(u.searchParams.get('embed'), null);
  assert.equal(u.searchParams.get('tour'), null);
  assert.equal(u.searchParams.get('N'), '256', 'the step\'s configuration opens in full');
  await popup.close();
  await closeClean(nine);
  await closeClean(h);
});
